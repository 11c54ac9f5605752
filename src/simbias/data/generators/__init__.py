"""The dataset kinds: one module each, named after the kind (see simbias.data.base)."""
