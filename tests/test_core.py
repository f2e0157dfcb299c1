import numpy as np
import pytest

from liesym._core import as_generator_stack, as_points, as_rng


def test_same_seed_same_numbers():
    assert np.array_equal(as_rng(7).normal(size=5), as_rng(7).normal(size=5))


def test_generator_passes_through():
    g = np.random.default_rng(1)
    assert as_rng(g) is g


@pytest.mark.parametrize("bad", [-1, 1.5, "seed"])
def test_bad_rng_is_rejected(bad):
    with pytest.raises((ValueError, TypeError), match="rng"):
        as_rng(bad)


def test_points_need_enough_rows():
    with pytest.raises(ValueError, match="at least 3 points"):
        as_points(np.zeros((2, 2)), min_points=3)


def test_single_generator_becomes_a_stack():
    assert as_generator_stack(np.eye(2)).shape == (1, 2, 2)


def test_infinite_values_are_named():
    with pytest.raises(ValueError, match="X: contains 1 NaN or infinite"):
        as_points([[0.0, np.inf]], "X")
