"""Gaussian-noise training (the control of adversarial training): the noise has the stated
distribution, stays in the input range, and seeds trained at once draw what each seed's
own run draws."""

from __future__ import annotations

import pytest
import torch
from conftest import image_run_spec, write_bright_dark_images

from simbias.plan.runs import unbatchable_because
from simbias.train.noise import NoiseParams
from simbias.train.pieces.noise import NoiseTransform
from simbias.train.regime import Regime
from simbias.train.run import train_run
from simbias.train.seed_steps import batched_transform

TRAIN = {"epochs": 6, "lr": 0.05, "batch_size": 32}


def noise_piece(std: float, input_range=None) -> NoiseTransform:
    regime = Regime.from_dict({"name": "n", "noise": {"std": std}}, input_range=input_range)
    assert isinstance(regime.transform, NoiseTransform)
    return regime.transform


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_noise_has_the_stated_mean_and_std():
    """400k draws around 0.5 in [0, 1] with std 0.05 (clipping 10 std away: never)."""
    piece = noise_piece(0.05, input_range=(0.0, 1.0))
    x = torch.full((25_000, 1, 4, 4), 0.5)
    noise = piece(None, x, None, generator(0)) - x
    n = noise.numel()
    # Mean within 5 standard errors; the sample std within 1% (its s.e. is ~0.11%).
    assert abs(noise.mean().item()) < 5 * 0.05 / n**0.5
    assert noise.std().item() == pytest.approx(0.05, rel=0.01)
    # i.i.d. over coordinates: neighbouring coordinates are uncorrelated.
    flat = noise.flatten(1)
    correlation = torch.corrcoef(torch.stack([flat[:, 0], flat[:, 1]]))[0, 1].item()
    assert abs(correlation) < 5 / len(flat) ** 0.5


def test_without_an_input_range_the_noise_is_not_clipped():
    piece = noise_piece(1.0)
    assert piece.clip is None
    x = torch.zeros(20_000, 8)
    noisy = piece(None, x, None, generator(1))
    assert noisy.std().item() == pytest.approx(1.0, rel=0.01)
    assert (noisy < 0).any() and (noisy > 1).any()


def test_noisy_inputs_stay_in_the_input_range():
    piece = noise_piece(0.5, input_range=(0.0, 1.0))
    assert piece.clip == (0.0, 1.0)
    x = torch.rand(2_000, 1, 4, 4, generator=generator(2))
    noisy = piece(None, x, None, generator(3))
    assert noisy.min().item() == 0.0 and noisy.max().item() == 1.0  # both bounds reached
    assert ((noisy >= 0) & (noisy <= 1)).all()
    # Inside the range the input is x + std z, not rescaled: the unclipped coordinates
    # are the unclipped draw itself.
    raw = x + 0.5 * torch.randn(x.shape, generator=generator(3))
    inside = (raw > 0) & (raw < 1)
    assert torch.equal(noisy[inside], raw[inside])


def test_noise_is_fresh_each_step_and_reproducible_per_seed():
    piece = noise_piece(0.1)
    x = torch.zeros(16, 4)
    g = generator(5)
    first, second = piece(None, x, None, g), piece(None, x, None, g)
    assert not torch.equal(first, second)
    assert torch.equal(piece(None, x, None, generator(5)), first)


def test_seeds_at_once_draw_what_each_seed_draws_alone():
    """Bit-identical on CPU: each seed's noise from its own generator, in the order its
    run draws it (epoch shuffle, then one draw per step)."""
    piece = noise_piece(0.2, input_range=(-1.0, 1.0))
    seeds, batch, steps = [0, 1, 7], 8, 3
    data = torch.rand(3, batch, 2, 3, 3, generator=generator(9)) * 2 - 1
    labels = torch.zeros(3, batch, dtype=torch.long)
    form = batched_transform(piece)
    at_once = [generator(s) for s in seeds]
    alone = [generator(s) for s in seeds]
    for g in (*at_once, *alone):
        torch.randperm(10, generator=g)  # the epoch's shuffle comes first
    for _ in range(steps):
        batched = form(None, data, labels, at_once)
        assert batched.shape == data.shape
        for i, g in enumerate(alone):
            assert torch.equal(batched[i], piece(None, data[i], labels[i], g))
    for ours, theirs in zip(at_once, alone, strict=True):
        assert torch.equal(ours.get_state(), theirs.get_state())


@pytest.mark.parametrize("std", [-0.1, 0, 0.0])
def test_a_std_that_is_not_positive_is_refused_by_name(std):
    with pytest.raises(ValueError, match="regime x/noise/std"):
        Regime.from_dict({"name": "x", "noise": {"std": std}})
    with pytest.raises(ValueError, match="std"):
        NoiseParams(std=std)


def test_noise_settings_are_checked():
    with pytest.raises(ValueError, match="regime x/noise.*'std' is a required property"):
        Regime.from_dict({"name": "x", "noise": {}})
    with pytest.raises(ValueError, match="sigma"):
        Regime.from_dict({"name": "x", "noise": {"std": 0.1, "sigma": 0.1}})
    with pytest.raises(ValueError, match="adversarial and noise both set the transform"):
        Regime.from_dict(
            {"name": "x", "adversarial": {"kind": "fgsm", "eps": 0.1}, "noise": {"std": 0.1}}
        )
    with pytest.raises(ValueError, match="clip"):
        NoiseTransform(std=0.1, clip=(1.0, 0.0))


def test_noise_seeds_train_at_once():
    """simbias.train.vmap_seeds applies ``batched_transform``: noise runs of an MLP train
    seeds at once (tests/test_seed_pieces.py checks they equal each seed alone)."""
    run = {"model": {"kind": "mlp"}, "regime": {"name": "n", "noise": {"std": 0.1}}}
    assert unbatchable_because(run) == ""


def test_a_noise_regime_trains_through_train_run(tmp_path):
    data = tmp_path / "data"
    write_bright_dark_images(data)

    def run(regime: str, pieces: dict) -> dict:
        return train_run(image_run_spec(regime, TRAIN, pieces), data, tmp_path / regime)

    noisy = run("noise", {"noise": {"std": 0.05}})
    plain = run("sgd", {})
    assert noisy["test_accuracy"] > 0.8, noisy
    assert noisy["config"]["regime"]["noise"] == {"std": 0.05}
    # The same seed and batches: only the noise makes the training loss differ.
    assert noisy["train_loss"] != plain["train_loss"]
