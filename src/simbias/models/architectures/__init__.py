"""The model kinds: one module each, named after the kind (see simbias.models.registry)."""
