"""Pick the torch device and thread count once per process."""

from __future__ import annotations

import functools
from pathlib import Path

import torch


def configure_torch(device: str = "cpu", threads: int = 1) -> str:
    """Set intra-op threads and resolve ``auto`` to cuda when available, else cpu."""
    torch.set_num_threads(max(1, threads))
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(f"device {device!r} requested but CUDA is not available here")
    return device


@functools.cache
def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX); elsewhere bf16
    autocast is emulated and slower than float32."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags
