"""The fast training path: batched crop/flip on the device, bf16 autocast, channels_last,
torch.compile, Adam; float32 stays the bit-identical default."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from simbias.models import build_model
from simbias.train.augment import random_crop_flip
from simbias.train.engine import TensorData, fit
from simbias.train.optim import build_optimizer
from simbias.train.pieces.sam import SamUpdate
from simbias.train.spec import TrainSpec


def images(n: int = 64, seed: int = 0) -> TensorData:
    """Two classes of 3 x 8 x 8 images: a bright left half or a bright right half."""
    generator = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.rand(n, 3, 8, 8, generator=generator) * 0.2
    x[y == 0, :, :, :4] += 0.8
    x[y == 1, :, :, 4:] += 0.8
    return TensorData(x=x, y=y.long())


def cnn(seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return build_model("cnn", {"channels": [4, 8]}, (3, 8, 8), 2)


def test_crop_is_a_window_of_the_zero_padded_image():
    x = torch.rand(200, 2, 5, 6)
    out = random_crop_flip(x, padding=2, flip=False, generator=torch.Generator().manual_seed(0))
    padded = F.pad(x, (2, 2, 2, 2))
    offsets = set()
    for i in range(len(x)):
        found = [
            (r, c)
            for r in range(5)
            for c in range(5)
            if torch.equal(out[i], padded[i, :, r : r + 5, c : c + 6])
        ]
        assert found, f"image {i} is not a window of its padded input"
        offsets.update(found)
    assert len(offsets) == 25  # every offset in [-2, 2]^2 occurs


def test_flip_mirrors_about_half_and_no_augmentation_is_identity():
    x = torch.rand(2000, 1, 3, 4)
    generator = torch.Generator().manual_seed(1)
    assert torch.equal(random_crop_flip(x, 0, False, generator), x)
    out = random_crop_flip(x, 0, True, generator)
    mirrored = torch.tensor([torch.equal(o, i.flip(-1)) for o, i in zip(out, x, strict=True)])
    same = torch.tensor([torch.equal(o, i) for o, i in zip(out, x, strict=True)])
    assert bool((mirrored | same).all())
    assert 0.45 < mirrored.float().mean() < 0.55  # Binomial(2000, 1/2): 4.5 sigma
    with pytest.raises(ValueError, match="image batches"):
        random_crop_flip(torch.rand(4, 3), 1, True, generator)


def test_augmented_training_resumes_bit_identical(tmp_path):
    spec = TrainSpec(epochs=2, lr=0.05, batch_size=16, crop_padding=2, flip=True)
    whole = cnn()
    fit(whole, images(), spec, seed=3, run_dir=tmp_path / "whole", run_name="whole")
    halves = cnn()
    fit(
        halves,
        images(),
        spec,
        seed=3,
        run_dir=tmp_path / "resumed",
        run_name="a",
        stop_after_epoch=1,
    )
    resumed = fit(cnn(), images(), spec, seed=3, run_dir=tmp_path / "resumed", run_name="b")
    assert resumed.resumed_from_epoch == 1
    final = torch.load(tmp_path / "resumed" / "checkpoint.pt", weights_only=False)["model"]
    for name, value in whole.state_dict().items():
        assert torch.equal(value, final[name]), name


def test_bf16_autocast_computes_in_bf16_and_keeps_float32_weights(tmp_path):
    model = cnn()
    seen = []
    model[0].register_forward_hook(lambda module, inputs, output: seen.append(output.dtype))
    spec = TrainSpec(epochs=3, lr=0.05, batch_size=16, precision="bf16")
    result = fit(model, images(), spec, seed=0, run_dir=tmp_path, run_name="bf16")
    assert torch.bfloat16 in seen
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]


def test_channels_last_matches_contiguous_training(tmp_path):
    spec = TrainSpec(epochs=1, lr=0.05, batch_size=16)
    plain, last = cnn(), cnn()
    fit(plain, images(), spec, seed=0, run_dir=tmp_path / "a", run_name="a")
    cl_spec = TrainSpec(epochs=1, lr=0.05, batch_size=16, channels_last=True)
    fit(last, images(), cl_spec, seed=0, run_dir=tmp_path / "b", run_name="b")
    assert last[0].weight.is_contiguous(memory_format=torch.channels_last)
    for a, b in zip(plain.parameters(), last.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_compiled_training_matches_eager(tmp_path):
    spec = TrainSpec(epochs=1, lr=0.05, batch_size=32)
    eager, compiled = cnn(), cnn()
    fit(eager, images(), spec, seed=0, run_dir=tmp_path / "a", run_name="a")
    fit(
        compiled,
        images(),
        TrainSpec(epochs=1, lr=0.05, batch_size=32, compile=True),
        seed=0,
        run_dir=tmp_path / "b",
        run_name="b",
    )
    for a, b in zip(eager.parameters(), compiled.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_adam_step_and_sam_around_adam():
    spec = TrainSpec(optimizer="adam", lr=0.01, betas=(0.8, 0.99), weight_decay=0.0)
    weight = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    holder = torch.nn.Module()
    holder.register_parameter("w", weight)
    optimizer = build_optimizer(spec, holder)
    assert isinstance(optimizer, torch.optim.Adam)
    weight.grad = torch.tensor([0.5, -0.25])
    optimizer.step()
    # Adam's first step moves every coordinate by lr * sign(g) (bias-corrected m / sqrt(v)).
    torch.testing.assert_close(weight.detach(), torch.tensor([0.99, -1.99]))
    sam = SamUpdate(rho=0.05).build_optimizer(spec, cnn())
    assert isinstance(sam.base_optimizer, torch.optim.Adam)


def test_bad_fast_path_settings_are_named(tmp_path):
    with pytest.raises(ValueError, match="precision"):
        TrainSpec.from_dict({"precision": "fp16"})
    with pytest.raises(ValueError, match="crop_padding"):
        TrainSpec.from_dict({"crop_padding": -1})
    vectors = TensorData(x=torch.rand(8, 4), y=torch.zeros(8, dtype=torch.long))
    model = build_model("mlp", {"width": 4, "depth": 1}, (4,), 2)
    with pytest.raises(ValueError, match="crop_padding/flip need image inputs"):
        fit(model, vectors, TrainSpec(flip=True), seed=0, run_dir=tmp_path, run_name="mlp")
