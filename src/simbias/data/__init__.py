"""Dataset generators; importing this package registers every built-in kind."""

# Imported for their side effect: each module's generator class registers its kind.
from simbias.data import digits, dominoes, patches, slabs  # noqa: F401
