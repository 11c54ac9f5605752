"""The stream a dataset card describes (``card["stream"]``): in-context regression prompts
(:class:`~simbias.data.prompt_stream.PromptStream`) or chain-of-thought questions
(:class:`~simbias.data.cot_stream.CotStream`, marked ``kind: cot``). Both give
``training_batch(seed, step, size)`` and ``held_out(test_split)`` as (inputs, targets)."""

from __future__ import annotations

from typing import Any

from simbias.data.cot_stream import CotStream
from simbias.data.prompt_stream import PromptStream


def stream_from_card(values: dict[str, Any]) -> PromptStream | CotStream:
    if values.get("kind") == "cot":
        return CotStream.from_dict(values)
    return PromptStream.from_dict(values)
