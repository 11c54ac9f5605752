"""What exists, one line each: the datasets, models, regimes, experiments and claims of a
merged config, described from the config itself and the components' catalogue.

Reads only the config and ``catalogue.json`` (no torch, no matplotlib), so ``simbias list``
answers at once. Experiments an overlay switched off (``enabled: false``) are listed and
marked ``(disabled)``; a dataset, model or regime that no enabled experiment trains is
marked ``(unused)``; a claim whose every experiment is disabled is marked ``(disabled)``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from simbias.plan.catalogue import load_catalogue
from simbias.plan.config import enabled_experiments

KINDS = ("datasets", "models", "regimes", "experiments", "claims")

#: Every line, indent included, stays under this many characters (a terminal's width).
MAX_WIDTH = 119
INDENT = "  "
GAP = "  "
#: A longer name pushes only its own description to the right.
MAX_NAME_COLUMN = 32
#: Regime lists longer than this are shown as a count.
MAX_REGIMES_TEXT = 36

# A sentence ends at a full stop before a capital, except after "et al." and "e.g.".
_SENTENCE_END = re.compile(r"(?<!\bal)(?<!e\.g)(?<!i\.e)\.\s+(?=[A-Z])")
# "Shah et al. 2020, The Pitfalls ... (sec. 6)" -> "Shah et al. 2020" + " (sec. 6)".
_AUTHOR_YEAR = re.compile(r"^(.*?\b(?:19|20)\d\d)\b")
_TRAILING_NOTE = re.compile(r"\s(\([^()]*\))\s*$")
# "(simbias.data.generators.digits)": where the code lives, not what it is.
_MODULE_NOTE = re.compile(r"\s*\(simbias\.[^()]*\)")


def first_sentence(text: str) -> str:
    """The caption's first sentence, without its full stop or a note naming a module."""
    sentence = _SENTENCE_END.split(_MODULE_NOTE.sub("", text.strip()), maxsplit=1)[0]
    return sentence.rstrip(". ")


def first_clause(text: str) -> str:
    """A claim's statement before its measure: the first sentence up to ``": "``."""
    return first_sentence(text).split(": ", 1)[0]


def short_paper(paper: str) -> str:
    """Authors and year, plus a trailing note such as ``(sec. 6)`` or ``(USEFUL)``."""
    match = _AUTHOR_YEAR.match(paper)
    if match is None:
        return paper
    note = _TRAILING_NOTE.search(paper)
    return match.group(1) + (f" {note.group(1)}" if note else "")


def _compact_params(params: dict[str, Any], keys: Sequence[str] | None = None) -> str:
    items = [(k, params[k]) for k in (keys or params) if k in params]
    return " ".join(f"{k}={_value(v)}" for k, v in items)


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ",".join(_value(v) for v in value) + "]"
    return str(value)


def _used(config: dict[str, Any], key: str) -> set[str]:
    """Names of ``key`` (dataset, model, regimes) that some enabled experiment trains."""
    used: set[str] = set()
    for spec in enabled_experiments(config).values():
        value = spec.get(key, [])
        used.update([value] if isinstance(value, str) else value)
    return used


def _mark(text: str, *, off: bool, why: str) -> str:
    return f"({why}) {text}" if off else text


def _datasets(config: dict[str, Any], catalogue: dict[str, Any]) -> list[tuple[str, str]]:
    captions = catalogue.get("datasets", {})
    used = _used(config, "dataset")
    rows = []
    for name, spec in config.get("datasets", {}).items():
        kind = spec["kind"]
        params = spec.get("params", {})
        sizes = " / ".join(f"{params[k]} {k[2:]}" for k in ("n_train", "n_test") if k in params)
        caption = first_sentence(captions.get(kind, {}).get("caption", ""))
        head = f"{kind}, {sizes}" if sizes else kind
        text = f"{head}: {caption}" if caption else head
        rows.append((name, _mark(text, off=name not in used, why="unused")))
    return rows


def _models(config: dict[str, Any], catalogue: dict[str, Any]) -> list[tuple[str, str]]:
    captions = catalogue.get("models", {})
    used = _used(config, "model")
    rows = []
    for name, spec in config.get("models", {}).items():
        kind = spec["kind"]
        params = _compact_params(spec.get("params", {}))
        caption = first_sentence(captions.get(kind, {}).get("caption", ""))
        head = f"{kind} {params}".strip()
        text = f"{head}: {caption}" if caption else head
        rows.append((name, _mark(text, off=name not in used, why="unused")))
    return rows


def _regimes(config: dict[str, Any], catalogue: dict[str, Any]) -> list[tuple[str, str]]:
    used = _used(config, "regimes")
    rows = []
    for name, spec in config.get("regimes", {}).items():
        text = spec.get("description") or _compact_params(
            spec.get("train", {}), ("optimizer", "lr", "batch_size", "schedule")
        )
        rows.append((name, _mark(text, off=name not in used, why="unused")))
    return rows


def _regimes_text(regimes: Sequence[str]) -> str:
    text = ", ".join(regimes)
    return text if len(text) <= MAX_REGIMES_TEXT else f"{len(regimes)} regimes"


def _experiments(config: dict[str, Any], catalogue: dict[str, Any]) -> list[tuple[str, str]]:
    enabled = enabled_experiments(config)
    rows = []
    for name, spec in config.get("experiments", {}).items():
        seeds = len(spec.get("seeds", []))
        trains = (
            f"{spec['dataset']} / {spec['model']} / {_regimes_text(spec['regimes'])}"
            f" x {seeds} seed{'s' if seeds != 1 else ''}"
        )
        text = f"{short_paper(spec.get('paper', '?'))}: {trains}"
        rows.append((name, _mark(text, off=name not in enabled, why="disabled")))
    return rows


def _claims(config: dict[str, Any], catalogue: dict[str, Any]) -> list[tuple[str, str]]:
    experiments = config.get("experiments", {})
    enabled = enabled_experiments(config)
    declarers: dict[str, list[str]] = {}
    for name, spec in experiments.items():
        for claim in spec.get("claims", []):
            declarers.setdefault(claim, []).append(name)
    captions = catalogue.get("claims", {})
    rows = []
    for claim in sorted(declarers):
        names = declarers[claim]
        live = [n for n in names if n in enabled]
        entry = captions.get(claim, {})
        paper = entry.get("paper") or experiments[names[0]].get("paper", "?")
        caption = first_clause(entry.get("caption", "")) or "(not in the catalogue)"
        text = f"{short_paper(paper)}, in {', '.join(live or names)}: {caption}"
        rows.append((claim, _mark(text, off=not live, why="disabled")))
    return rows


_ENTRIES = {
    "datasets": _datasets,
    "models": _models,
    "regimes": _regimes,
    "experiments": _experiments,
    "claims": _claims,
}


def _check_kind(kind: str) -> None:
    if kind not in _ENTRIES:
        raise ValueError(f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}")


def entries(
    config: dict[str, Any], kind: str, catalogue: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    """``(name, description)`` for every item of ``kind`` (one of :data:`KINDS`)."""
    _check_kind(kind)
    return _ENTRIES[kind](config, catalogue if catalogue is not None else load_catalogue())


def _line(name: str, width: int, text: str) -> str:
    line = f"{INDENT}{name.ljust(width)}{GAP}{text}"
    if len(line) > MAX_WIDTH:
        line = line[: MAX_WIDTH - 3].rstrip() + "..."
    return line


def list_kind(
    config: dict[str, Any],
    kind: str,
    catalogue: dict[str, Any] | None = None,
    *,
    header: bool = True,
) -> str:
    """One kind: a header ``kind (count)`` and one aligned line per item, each under
    :data:`MAX_WIDTH` characters (descriptions cut with ``...``)."""
    rows = entries(config, kind, catalogue)
    width = min(max((len(name) for name, _ in rows), default=0), MAX_NAME_COLUMN)
    lines = [_line(name, width, text) for name, text in rows]
    if header:
        lines.insert(0, f"{kind} ({len(rows)})")
    return "\n".join(lines)


def list_catalogue(
    config: dict[str, Any],
    kinds: Sequence[str] = KINDS,
    catalogue: dict[str, Any] | None = None,
) -> str:
    """The listing of each of ``kinds`` (default: all of :data:`KINDS`, in that order) of
    a config from :func:`simbias.plan.load_config`, separated by blank lines.

    Raises ValueError naming the known kinds when one is unknown, before listing any.
    """
    for kind in kinds:
        _check_kind(kind)
    catalogue = catalogue if catalogue is not None else load_catalogue()
    return "\n\n".join(list_kind(config, kind, catalogue) for kind in kinds)
