"""Kernel frames from samples: orthonormality, accuracy, equivariance, reliability, bad input."""

import numpy as np
import pytest

from liesym.data.synthetic import invariant_function_data
from liesym.discovery.kernel import frames_from_normals, kernel_frames


def _normal_space_error(frames, exact_normals):
    """Per point: norm of the estimated kernel's component in the exact normal space."""
    proj = np.einsum("nri,nrj->nij", exact_normals, exact_normals)
    return np.linalg.norm(frames.kernel @ proj, axis=(1, 2))


@pytest.mark.parametrize("kind", ["radial", "hyperbolic", "torus", "rotation_about"])
def test_frames_are_orthonormal_complements(kind):
    data = invariant_function_data(kind, 600, rng=0)
    fr = kernel_frames(data.X, data.y)
    basis = np.concatenate([fr.normals, fr.kernel], axis=1)
    assert basis.shape[1:] == (data.n, data.n)
    eye = np.broadcast_to(np.eye(data.n), basis.shape)
    np.testing.assert_allclose(basis @ np.swapaxes(basis, 1, 2), eye, atol=1e-12)


@pytest.mark.parametrize(
    ("kind", "kw", "rank", "tol"),
    [
        # Median error ~ curvature * neighbourhood radius; measured 0.008-0.03 at N = 2000.
        ("radial", {"n": 2}, 1, 0.03),
        ("radial", {"n": 3}, 1, 0.06),
        ("hyperbolic", {}, 1, 0.03),
        ("rotation_about", {}, 1, 0.03),
        ("torus", {}, 2, 0.15),
    ],
)
def test_normals_match_exact_level_sets(kind, kw, rank, tol):
    data = invariant_function_data(kind, 2000, rng=1, **kw)
    fr = kernel_frames(data.X, data.y)
    assert fr.rank == rank
    err = _normal_space_error(fr, data.normals())
    assert np.median(err[fr.reliable]) < tol
    assert fr.n_reliable > 0.7 * len(err)


def test_linear_function_gives_exact_frames():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 3))
    a = np.array([1.0, -2.0, 0.5])
    fr = kernel_frames(X, X @ a + 3.0)
    unit = a / np.linalg.norm(a)
    # A local linear fit reproduces a linear function up to rounding.
    np.testing.assert_allclose(np.abs(fr.normals[:, 0] @ unit), 1.0, atol=1e-10)
    assert fr.reliable.all()
    assert np.all(fr.angle_error < 1e-8)


def test_angle_error_tracks_value_noise():
    clean = invariant_function_data("radial", 1500, rng=3, n=2)
    noisy = invariant_function_data("radial", 1500, rng=3, n=2, noise=0.1)
    e_clean = np.median(kernel_frames(clean.X, clean.y).angle_error)
    fr = kernel_frames(noisy.X, noisy.y)
    assert np.median(fr.angle_error) > 2 * e_clean
    # The estimate is honest within a factor of a few (measured ratio about 1.5).
    actual = np.median(_normal_space_error(fr, noisy.normals())[fr.reliable])
    assert 0.3 < actual / np.median(fr.angle_error[fr.reliable]) < 3.0


def test_local_linear_is_affine_equivariant():
    """With whitening, frames of f(C^-1 x) at C x are the frames of f at x pushed by C^-T."""
    data = invariant_function_data("hyperbolic", 800, rng=4)
    c = np.array([[2.0, 0.7], [-0.3, 0.6]])
    fr = kernel_frames(data.X, data.y)
    fr_c = kernel_frames(data.X @ c.T, data.y)
    pushed = fr.normals[:, 0] @ np.linalg.inv(c)
    pushed /= np.linalg.norm(pushed, axis=1, keepdims=True)
    np.testing.assert_allclose(np.abs(np.sum(pushed * fr_c.normals[:, 0], axis=1)), 1.0, atol=1e-8)
    np.testing.assert_array_equal(fr.reliable, fr_c.reliable)


def test_collinear_neighbourhoods_are_unreliable():
    rng = np.random.default_rng(5)
    cloud = rng.normal(size=(400, 2)) + np.array([10.0, 0.0])
    line = np.stack([np.linspace(-1, 1, 400), np.zeros(400)], axis=1)
    X = np.concatenate([cloud, line])
    fr = kernel_frames(X, np.sum(X**2, axis=1))
    assert not fr.reliable[400:].any()
    assert fr.reliable[:400].mean() > 0.9


def test_rank_is_estimated_and_can_be_forced():
    data = invariant_function_data("torus", 1000, rng=6)
    assert kernel_frames(data.X, data.y).rank == 2
    fr = kernel_frames(data.X, data.y, rank=1)
    assert fr.rank == 1 and fr.kernel.shape == (1000, 3, 4)


def test_level_set_pca_recipe_runs_and_is_rougher():
    data = invariant_function_data("radial", 3000, rng=7, n=2)
    pca = kernel_frames(data.X, data.y, method="level_set_pca")
    assert pca.method == "level_set_pca" and pca.rank == 1
    err_pca = np.median(_normal_space_error(pca, data.normals())[pca.reliable])
    lin = kernel_frames(data.X, data.y)
    err_lin = np.median(_normal_space_error(lin, data.normals())[lin.reliable])
    assert err_pca < 0.3
    assert err_lin < err_pca


def test_subset_and_given_normals():
    X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    fr = frames_from_normals(X, [[[3.0, 0.0]], [[0.0, -1.0]], [[1.0, 1.0]]])
    np.testing.assert_allclose(np.abs(fr.normals[:, 0]), [[1, 0], [0, 1], [0.5**0.5] * 2])
    assert np.isnan(fr.angle_error).all() and fr.reliable.all()
    sub = fr.subset(np.array([True, False, True]))
    assert sub.points.shape == (2, 2) and sub.kernel.shape == (2, 1, 2)


@pytest.mark.parametrize(
    ("X", "y", "kw", "match"),
    [
        (np.zeros((50, 2)) + np.nan, np.zeros(50), {}, "X"),
        (np.random.default_rng(0).normal(size=(50, 2)), np.full(50, np.inf), {}, "y"),
        (np.random.default_rng(0).normal(size=(50, 2)), np.ones(49), {}, "y"),
        (np.random.default_rng(0).normal(size=(50, 2)), np.ones(50), {}, "constant"),
        (np.random.default_rng(0).normal(size=(50, 2)), np.arange(50.0), {"k_neighbors": 3}, "k_n"),
        (np.random.default_rng(0).normal(size=(10, 2)), np.arange(10.0), {"k_neighbors": 20}, "X"),
        (np.random.default_rng(0).normal(size=(50, 2)), np.arange(50.0), {"rank": 3}, "rank"),
        (np.random.default_rng(0).normal(size=(50, 2)), np.arange(50.0), {"method": "x"}, "method"),
        (
            np.random.default_rng(0).normal(size=(500, 2)),
            np.random.default_rng(1).normal(size=500),
            {},
            "noise",
        ),
        (
            np.random.default_rng(0).normal(size=(50, 2)),
            np.random.default_rng(1).normal(size=(50, 2)),
            {"method": "level_set_pca"},
            "scalar",
        ),
    ],
)
def test_bad_input(X, y, kw, match):
    with pytest.raises(ValueError, match=match):
        kernel_frames(X, y, **kw)


def test_bad_given_normals():
    X = np.ones((3, 2))
    with pytest.raises(ValueError, match="normals"):
        frames_from_normals(X, np.ones((2, 1, 2)))
    with pytest.raises(ValueError, match="dependent"):
        frames_from_normals(X, np.zeros((3, 1, 2)))
