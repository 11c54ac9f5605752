"""A regime's family, from its name: what the scatter plots colour runs by."""

from __future__ import annotations

import re

from simbias.plan.layout import RECORDS_MARK

#: (label, whether a name token belongs to it), in the order a combination is labelled.
TAGS = (
    ("adversarial", lambda token: token.startswith("adv")),
    ("USEFUL", lambda token: token == "useful"),
    ("SAM", lambda token: token == "sam"),
    ("noise", lambda token: token == "noise"),
)
#: Optimizers a plain regime is named after (``sgd_plain``, ``cot_adamw``, ``lion_b64``).
OPTIMIZERS = {"sgd": "SGD", "gd": "GD", "adam": "Adam", "adamw": "AdamW", "lion": "Lion"}


def regime_family(regime: str) -> str:
    """``adv_pgd`` -> adversarial, ``useful_random`` -> USEFUL, ``gd+sam`` -> SAM,
    ``noise_linf_8`` -> noise, ``adv+sam`` -> adversarial+SAM; any other regime is plain
    training, labelled by its optimizer (``sgd_plain`` -> SGD), else by its own name.

    Names are matched by token (split at ``_``, ``+``, ``-``), so ``sam`` inside a longer
    word does not make a run SAM.
    """
    # What a run records (``gd@dynamics``) does not change how it trains.
    trained = regime.split(RECORDS_MARK)[0]
    tokens = [token for token in re.split(r"[_+\-]", trained.lower()) if token]
    tags = [label for label, matches in TAGS if any(matches(token) for token in tokens)]
    if tags:
        return "+".join(tags)
    return next((OPTIMIZERS[token] for token in tokens if token in OPTIMIZERS), regime)
