"""The model kinds: one module each, named after the kind (see simbias.models.registry)."""


def require_odd_kernel(name: str, size: int) -> None:
    """Same padding (size // 2 on each side) keeps the image size only for odd kernels."""
    if size % 2 == 0:
        raise ValueError(f"{name} must be odd (same padding), got {size}")
