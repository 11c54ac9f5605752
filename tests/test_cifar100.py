"""Real CIFAR-100 (the cifar100 kind) on tiny fake files in torchvision's format (no download)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from test_real_data import table, with_checksums

from simbias.data.base import GENERATORS
from simbias.data.generators.cifar100 import Cifar100
from simbias.data.real_files import CHECKSUMS, CIFAR100_DIR, DatasetMissingError
from simbias.data.store import DatasetCorruptError


def fake_cifar100(root: Path, n: dict[str, int], rng: np.random.Generator) -> dict:
    """torchvision's cifar-100-python/{train,test,meta}: fine and coarse labels per image."""
    folder = root / CIFAR100_DIR
    folder.mkdir(parents=True)
    out = {}
    for name, count in n.items():
        fine = [(7 * i) % 100 for i in range(count)]
        data = rng.integers(0, 256, size=(count, 3072), dtype=np.uint8)
        entry = {b"data": data, b"fine_labels": fine, b"coarse_labels": [f // 5 for f in fine]}
        with open(folder / name, "wb") as handle:
            pickle.dump(entry, handle, protocol=2)
        out[name] = (data, fine)
    with open(folder / "meta", "wb") as handle:
        pickle.dump({b"fine_label_names": [b"c%d" % i for i in range(100)]}, handle, protocol=2)
    return out


@pytest.fixture
def fake_root(tmp_path):
    cifar = fake_cifar100(tmp_path, {"train": 30, "test": 15}, np.random.default_rng(0))
    return tmp_path, cifar, table(tmp_path / CIFAR100_DIR, CHECKSUMS["cifar100"])


def test_checksums_are_torchvisions():
    from torchvision.datasets import CIFAR100

    listed = {name: md5 for name, md5 in CIFAR100.train_list + CIFAR100.test_list}
    listed[CIFAR100.meta["filename"]] = CIFAR100.meta["md5"]
    assert CHECKSUMS["cifar100"] == listed
    assert CIFAR100.base_folder == CIFAR100_DIR.as_posix()


def test_cifar100_kind_reads_the_fine_labels_and_keeps_a_seeded_subset(fake_root):
    root, cifar, checksums = fake_root
    assert GENERATORS.get("cifar100").obj is Cifar100
    full = with_checksums("cifar100", checksums, root=root).generate(seed=0)
    assert full.splits["train"].x.shape == (30, 3, 32, 32) and full.input_range == (0.0, 1.0)
    assert full.splits["test"].y.tolist() == cifar["test"][1]  # fine, not coarse, labels
    first = cifar["train"][0][0].reshape(3, 32, 32) / np.float32(255)
    np.testing.assert_allclose(full.splits["train"].x[0], first)
    subset = with_checksums("cifar100", checksums, root=root, n_train=10).generate(seed=1)
    assert subset.splits["train"].x.shape == (10, 3, 32, 32)
    assert subset.params["md5_verified"]["train"] == checksums["train"]


def test_cifar100_refuses_clearly_without_its_files(tmp_path):
    generator = with_checksums("cifar100", None, root=tmp_path / "nowhere")
    with pytest.raises(DatasetMissingError) as info:
        generator.generate(seed=0)
    message = str(info.value)
    assert "cifar-100-python" in message and "download: true" in message


def test_cifar100_refuses_a_changed_file(fake_root):
    root, _, checksums = fake_root
    with open(root / CIFAR100_DIR / "test", "ab") as handle:
        handle.write(b"x")
    with pytest.raises(DatasetCorruptError, match="test"):
        with_checksums("cifar100", checksums, root=root).generate(seed=0)
