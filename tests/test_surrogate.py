"""Surrogates of f fitted to samples: held-out accuracy, exactness laws, input checks."""

import numpy as np
import pytest

from liesym.discovery.surrogate import KNNSurrogate, LocalLinearSurrogate


@pytest.fixture
def samples(rng):
    x = rng.normal(size=(20000, 2))
    return x, (x**2).sum(axis=1)


@pytest.mark.parametrize(
    ("surrogate", "value_tol"),
    # Held-out RMS error on |x|^2, N = 20,000: local-linear bias ~ d_k^2 ~ 1e-2 at most;
    # k-NN averages over d_k ~ 0.05 (error ~ |grad f| d_k) and is worse in the tails.
    [(LocalLinearSurrogate(), 0.02), (KNNSurrogate(), 0.15)],
)
def test_surrogate_approximates_f_on_held_out_points(rng, samples, surrogate, value_tol):
    x, y = samples
    q = rng.normal(size=(5000, 2))
    s = surrogate.fit(x, y)
    assert np.sqrt(np.mean((s(q) - (q**2).sum(1)) ** 2)) < value_tol
    # Gradient: slope of the local plane, error ~ |Hessian| d_k ~ 0.1 in RMS at worst.
    assert np.sqrt(np.mean(np.sum((s.gradient(q) - 2 * q) ** 2, axis=1))) < 0.1


def test_local_linear_is_exact_on_affine_functions(rng):
    x = rng.normal(size=(500, 3))
    a, b = np.array([1.0, -2.0, 0.5]), 0.7
    s = LocalLinearSurrogate(n_neighbors=8).fit(x, x @ a + b)
    q = rng.normal(size=(50, 3))
    assert np.allclose(s(q), q @ a + b, atol=1e-8)
    assert np.allclose(s.gradient(q), a, atol=1e-8)


def test_knn_returns_the_sample_value_on_a_sample(samples):
    x, y = samples
    assert np.array_equal(KNNSurrogate().fit(x, y)(x[:100]), y[:100])


def test_knn_of_a_constant_is_that_constant(rng):
    x = rng.normal(size=(300, 2))
    q = 3 * rng.normal(size=(40, 2))  # also far outside the data
    assert np.allclose(KNNSurrogate(power=2.0).fit(x, np.full(300, 4.0))(q), 4.0)


def test_bad_inputs_raise_clear_errors(rng):
    x = rng.normal(size=(30, 2))
    with pytest.raises(ValueError, match="not fitted"):
        KNNSurrogate()(x)
    with pytest.raises(ValueError, match="n_neighbors"):
        KNNSurrogate(n_neighbors=0)
    with pytest.raises(ValueError, match="n_neighbors"):
        LocalLinearSurrogate(n_neighbors=2).fit(x, x[:, 0])
    with pytest.raises(ValueError, match="power"):
        KNNSurrogate(power=-1.0)
    with pytest.raises(ValueError, match="y"):
        KNNSurrogate().fit(x, x[:10, 0])
    with pytest.raises(ValueError, match="points"):
        KNNSurrogate().fit(x, x[:, 0])(np.ones((3, 3)))
    with pytest.raises(ValueError, match="X"):
        KNNSurrogate(n_neighbors=50).fit(x, x[:, 0])
