"""What every regime piece class provides: a constructor from its checked parameters."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from simbias.params import Params


class Piece:
    """A regime piece; by default it carries exactly its parameters' fields."""

    @classmethod
    def from_params(cls, params: Params, input_range: Sequence[float] | None = None) -> Any:
        """The piece for a regime section's checked ``params``; ``input_range`` is the
        dataset's range of valid inputs (None: unbounded)."""
        return cls(**{f.name: getattr(params, f.name) for f in dataclasses.fields(params)})
