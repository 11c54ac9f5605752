"""Atomic writes: nothing half-written is left behind, and files get the user's mode."""

from __future__ import annotations

import os
import stat

import pytest

from simbias.io import write_json_atomic, write_text_atomic


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_atomic_files_get_the_mode_the_umask_gives(tmp_path, umask):
    previous = os.umask(umask)
    try:
        path = write_text_atomic(tmp_path / "a.txt", "x")
        plain = tmp_path / "plain.txt"
        plain.write_text("x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = write_json_atomic(tmp_path / "r.json", {"v": 1})

    def broken(tmp):
        tmp.write_text("half")
        raise RuntimeError("killed")

    from simbias.io import write_atomic

    with pytest.raises(RuntimeError):
        write_atomic(path, broken)
    assert path.read_text() == '{\n  "v": 1\n}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]
