"""Which code made an artefact: the git revision of the working tree."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path


@cache
def code_version() -> dict[str, str | bool]:
    """The git commit of this checkout and whether it had uncommitted changes."""
    root = Path(__file__).resolve().parents[2]

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": "unknown", "git_dirty": False}
    return {"git_commit": commit, "git_dirty": dirty}
