"""What a run has, and so which analyses apply to it.

Every analysis declares the facts it ``needs`` (its registration); a run has the facts of
its dataset's generator (``provides`` on the generator's registration), of its model's
architecture (``provides`` on the model's registration) and of its training spec (below).
The plan runs every analysis on every run that has all it needs (the atlas), so these
words must say exactly what an analysis reads: a word too broad runs an analysis where it
crashes or measures nothing; tests/test_atlas_plan.py checks the vocabulary.
"""

from __future__ import annotations

from typing import Any

from simbias.plan.catalogue import entry

#: The vocabulary: each fact, and where a run gets it.
FACTS: dict[str, str] = {
    # From the run's training spec.
    "model": "the trained model.pt (every run)",
    "weights": "the weight matrices of one network (not an ensemble of members)",
    "dynamics": "the per-step dynamics.npz its dynamics recorder wrote (losses, sharpness)",
    "fit_spectrum": "the fit_spectrum probe's per-frequency amplitudes in its history",
    # From the dataset's generator.
    "train_split": "a stored training split (a prompt stream has none)",
    "labels": "class labels (a classifier; regression targets have none)",
    "images": "image inputs in [0, 1] (channels x height x width)",
    "sb_splits": "the S-randomised and S^c-randomised test splits",
    "groups": "per-example simple_label and complex_label attributes (the groups)",
    "probe_splits": "the cue-conflict probe splits (shape, texture, conflict)",
    "icl_prompts": "held-out in-context regression prompts (a prompt stream)",
    "cot_questions": "held-out chain-of-thought questions (a question stream)",
    "image_pixels": "an image's pixel coordinates and colours, train and held-out",
    "sdf_regions": "a signed distance field on a grid, train and held-out, each point"
    " labelled thin or thick by the part of the shape whose boundary it is near",
    # From the model's architecture.
    "conv_layers": "convolutional layers whose channels map the image",
}

#: The facts a run's training spec gives it, each with the test on the spec.
SPEC_FACTS = {
    "model": lambda spec: True,
    "weights": lambda spec: not spec["regime"].get("ensemble"),
    "dynamics": lambda spec: bool(spec.get("dynamics")),
    "fit_spectrum": lambda spec: "fit_spectrum" in spec.get("probes", []),
}


def run_facts(spec: dict[str, Any]) -> frozenset[str]:
    """The facts of one resolved run spec (``Plan.specs``' values)."""
    from_spec = {fact for fact, has in SPEC_FACTS.items() if has(spec)}
    dataset = entry("datasets", spec["data"]["kind"]).get("provides", [])
    model = entry("models", spec["model"]["kind"]).get("provides", [])
    return frozenset(from_spec | set(dataset) | set(model))


def missing_facts(analysis: str, spec: dict[str, Any]) -> list[str]:
    """What ``analysis`` needs that the run lacks, sorted."""
    return sorted(set(entry("analyses", analysis).get("needs", [])) - run_facts(spec))


def applies(analysis: str, spec: dict[str, Any]) -> bool:
    """Whether the run has everything ``analysis`` needs."""
    return not missing_facts(analysis, spec)


def unknown_facts(catalogue: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """Words in the catalogue's ``needs`` and ``provides`` outside the vocabulary, as
    ``kind/name: word``."""
    fields = {"analyses": "needs", "datasets": "provides", "models": "provides"}
    return [
        f"{kind}/{name}: {word}"
        for kind, field in fields.items()
        for name, facts in catalogue[kind].items()
        for word in facts.get(field, [])
        if word not in FACTS
    ]
