"""One run of the workflow per directory, and the lock of a killed run cleared.

Snakemake locks its working directory (``.snakemake/locks``) and refuses to start while
the lock exists, even when the run that made it was killed (SIGKILL, a node going away).
``run_lock`` takes an OS lock of our own (``fcntl.flock``: the kernel drops it when its
process dies, however it dies), so a second concurrent run is refused at once; holding it,
a Snakemake lock that no live Snakemake process in this directory holds is stale and is
cleared with ``snakemake --unlock``.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

RUN_LOCK = ".snakemake/simbias-run.lock"
SNAKEMAKE_LOCKS = ".snakemake/locks"


class RunningError(RuntimeError):
    """Another run of the workflow is live in the same directory."""


@contextmanager
def run_lock(workdir: Path) -> Iterator[None]:
    """Hold this directory's run lock for the block; RunningError if another process does."""
    path = workdir / RUN_LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = Path(path).read_text().strip() or "another process"
            raise RunningError(
                f"another run of the workflow is in progress in {workdir} ({holder});"
                " wait for it to end, or stop it first"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}".encode())
        yield
    finally:
        os.close(fd)


def snakemake_locked(workdir: Path) -> bool:
    locks = workdir / SNAKEMAKE_LOCKS
    return locks.is_dir() and any(locks.iterdir())


def live_snakemake(workdir: Path) -> psutil.Process | None:
    """A Snakemake process (other than this one) running in ``workdir``, if any: a run
    started by hand, outside ``run_lock``."""
    here = workdir.resolve()
    for process in psutil.process_iter(["pid", "cmdline", "cwd"]):
        try:
            cmdline = process.info["cmdline"] or []
            if process.pid == os.getpid() or not any("snakemake" in part for part in cmdline):
                continue
            if process.info["cwd"] and Path(process.info["cwd"]).resolve() == here:
                return process
        except (psutil.Error, OSError):
            continue
    return None


def stale_lock(workdir: Path) -> bool:
    """Whether ``workdir`` holds a Snakemake lock that no live run holds (call it while
    holding ``run_lock``). RunningError if a live Snakemake started by hand holds it."""
    if not snakemake_locked(workdir):
        return False
    process = live_snakemake(workdir)
    if process is not None:
        raise RunningError(
            f"Snakemake (pid {process.pid}) is running in {workdir}; wait for it to end,"
            " or stop it first"
        )
    return True
