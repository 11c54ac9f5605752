"""The in-context-regression dataset (issue 17): a seeded stream of fresh prompts for
training, with their curriculum, and held-out prompts with real-valued targets on disk."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from simbias.data.base import get_generator
from simbias.data.prompt_stream import PromptStream, Schedule, step_seed
from simbias.data.store import load_split, read_card, write_dataset


def _stream(**overrides) -> PromptStream:
    values = dict(task="fourier_series_mixture", points=9, dim=1, max_frequency=4,
                  half_period=5.0, standardize=True)  # fmt: skip
    values.update(overrides)
    return PromptStream(**values)


def test_a_batch_is_a_function_of_seed_and_step_alone():
    stream = _stream()
    first, again = stream.batch(3, 10, 16), stream.batch(3, 10, 16)
    assert torch.equal(first.xs, again.xs) and torch.equal(first.ys, again.ys)
    for other in (stream.batch(3, 11, 16), stream.batch(4, 10, 16)):
        assert not torch.equal(first.xs, other.xs) and not torch.equal(first.ys, other.ys)
    # Distinct step seeds for neighbouring (seed, step) pairs: no two streams coincide.
    seeds = {step_seed(seed, step) for seed in range(20) for step in range(200)}
    assert len(seeds) == 20 * 200


def test_every_prompt_of_a_batch_is_a_new_function():
    batch = _stream(task="fourier_series").batch(0, 0, 64)
    coefs = torch.cat([batch.cos_coefs, batch.sin_coefs], dim=1)
    assert torch.unique(coefs, dim=0).shape[0] == 64
    assert torch.unique(batch.xs[:, 0, 0]).numel() == 64


def test_the_curriculum_follows_their_update_rule():
    """src/curriculum.py: update() counts a step, then adds inc every interval, capped."""
    schedule = Schedule(start=7, inc=4, interval=3, end=19)
    value = 7  # their Curriculum's variable; update() runs once per training step
    for step_count in range(1, 41):
        assert schedule.at(step_count - 1) == value, step_count
        value = min(value + (4 if step_count % 3 == 0 else 0), 19)
    stream = _stream(points=19, points_schedule=schedule,
                     frequency_schedule=Schedule(1, 1, 3, 4))  # fmt: skip
    assert stream.shape_at(0) == (7, 1) and stream.shape_at(9) == (19, 4)
    early = stream.batch(0, 0, 4)
    assert early.xs.shape == (4, 7, 1) and (early.max_frequency == 1).all()


def test_the_card_round_trips_the_stream():
    stream = _stream(points_schedule=Schedule(7, 4, 2000, 43))
    assert PromptStream.from_dict(stream.to_dict()) == stream


def test_the_generator_writes_held_out_prompts_and_the_stream(tmp_path):
    params = {"task": "fourier_series_mixture", "points": 6, "max_frequency": 3, "n_test": 50}
    dataset = get_generator("icl_regression", params).generate(seed=2)
    write_dataset(tmp_path, "mix", dataset, seed=2)
    card = read_card(tmp_path)
    assert card["splits"] == ["test"] and card["n_classes"] is None
    assert card["input_shape"] == [6, 1]
    assert (
        PromptStream.from_dict(card["stream"])
        == get_generator("icl_regression", params).params.stream()
    )
    test = load_split(tmp_path, "test")
    assert test.y.dtype == np.float32 and test.y.shape == (50, 6)  # targets, not labels
    assert set(np.unique(test.attributes["max_frequency"])) <= {1, 2, 3}
    # Held out: no training batch of the first seeds at the first steps draws these inputs.
    stream = PromptStream.from_dict(card["stream"])
    seen = torch.cat([stream.batch(s, t, 50).xs for s in range(3) for t in range(20)])
    assert not np.isin(test.x.ravel(), seen.numpy().ravel()).any()


def test_a_curriculum_needs_its_interval_and_stays_within_the_task():
    with pytest.raises(ValueError, match="curriculum_interval"):
        get_generator("icl_regression", {"points_start": 3})
    with pytest.raises(ValueError, match="exceeds"):
        get_generator("icl_regression", {"curriculum_interval": 5, "frequency_start": 11})
