"""The edge-of-stability experiment's data: scikit-learn's digits as they are, centred as
Cohen et al. centre their inputs (locuslab/edge-of-stability src/cifar.py center)."""

from __future__ import annotations

import numpy as np

from simbias.data.base import get_generator

PLAIN = {"size": 8, "noise": 0.0, "max_shift": 0, "test_fraction": 0.7}


def test_plain_digits_are_the_8x8_images_and_centring_subtracts_the_training_mean():
    plain = get_generator("digits", PLAIN).generate(0)
    centred = get_generator("digits", {**PLAIN, "center": True}).generate(0)
    train, test = plain.splits["train"], plain.splits["test"]
    assert train.x.shape[1:] == (1, 8, 8) and len(train.y) == 539
    assert set(np.unique(train.x * 16).round(4)) <= set(range(17))  # unresampled, no noise
    mean = train.x.mean(axis=0)
    np.testing.assert_allclose(centred.splits["train"].x, train.x - mean, atol=1e-6)
    np.testing.assert_allclose(centred.splits["test"].x, test.x - mean, atol=1e-6)
    np.testing.assert_array_equal(centred.splits["train"].y, train.y)
    assert plain.input_range == (0.0, 1.0) and centred.input_range is None
