"""Regime pieces: one module each, named after the regime section that switches it on.

Each module registers its piece class with ``PIECES`` and the dataclass of its section's
parameters; ``slot`` (registration meta) names the :class:`simbias.train.regime.Regime`
field the piece fills: ``update`` (the step's update rule), ``transform`` (each batch's
input transform) or a run-level piece read by ``simbias.train.run`` (``useful``,
``ensemble``). The piece class builds itself with ``from_params(params, input_range)``.
"""

from simbias.components import Catalogue

PIECES = Catalogue("regime piece", "simbias.train.pieces")
