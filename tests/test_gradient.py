"""Adam, minibatches and the paper's projection loss (differential discovery by gradient)."""

import numpy as np
import pytest

from liesym.algebra import principal_angles, rotation_about, so
from liesym.discovery._adam import Adam, minibatches
from liesym.discovery._gradient import (
    fit_projection_loss,
    homogeneous,
    kernel_projectors,
    largest_angle,
    projection_loss,
    projection_terms,
)

J = np.array([[0.0, -1.0], [1.0, 0.0]])


def _central_differences(fun, w, h=1e-6):
    out = np.zeros((2, *w.shape))
    for i in np.ndindex(w.shape):
        e = np.zeros_like(w)
        e[i] = h
        out[(slice(None), *i)] = (fun(w + e) - fun(w - e)) / (2 * h)
    return out


# Adam and sampling.
def test_adam_first_step_is_lr_times_sign():
    # Bias correction makes the first update exactly lr * g / (|g| + eps) per coordinate.
    opt = Adam(lr=0.1)
    new = opt.step(np.zeros(3), np.array([2.0, -0.5, 1e-3]))
    assert np.allclose(new, -0.1 * np.array([1.0, -1.0, 1.0]), atol=1e-5)
    assert opt.state.step == 1


def test_adam_converges_on_a_quadratic():
    opt, x = Adam(lr=0.05), np.array([5.0, -3.0])
    for _ in range(2000):
        x = opt.step(x, 2 * (x - 1.0))
    assert np.allclose(x, 1.0, atol=1e-3)


def test_minibatches_are_distinct_indices_and_seeded():
    a = list(minibatches(50, 16, 5, rng=3))
    b = list(minibatches(50, 16, 5, rng=3))
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert all(len(np.unique(x)) == 16 and x.max() < 50 for x in a)
    assert len(next(minibatches(4, 16, 1, rng=0))) == 4  # capped at the data size


def test_adam_rejects_bad_settings():
    with pytest.raises(ValueError, match="lr"):
        Adam(lr=-1.0)
    with pytest.raises(ValueError, match="betas"):
        Adam(betas=(1.0, 0.9))


# The loss and its gradient.
@pytest.mark.parametrize(
    ("n", "dim", "d_kernel", "affine"),
    [(2, 1, 1, False), (2, 1, 1, True), (3, 2, 2, False), (3, 1, 2, True), (4, 2, 1, False)],
)
def test_projection_gradient_matches_finite_differences(rng, n, dim, d_kernel, affine):
    m = n + 1 if affine else n
    x = homogeneous(rng.normal(size=(9, n)), affine)
    proj = kernel_projectors(9, n, kernel=rng.normal(size=(9, d_kernel, n)))
    w = rng.normal(size=(dim, n, m))
    _, _, g_sym, g_max = projection_terms(w, x, proj)
    fd = _central_differences(lambda p: np.array(projection_terms(p, x, proj)[:2]), w)
    # Central differences with h = 1e-6 on O(1) smooth terms: error ~ h^2 + eps/h ~ 1e-9.
    assert np.allclose(g_sym, fd[0], atol=1e-7)
    assert np.allclose(g_max, fd[1], atol=1e-7)


def test_projection_loss_vanishes_on_the_true_symmetry(rng):
    x = rng.normal(size=(50, 2))
    assert np.allclose(projection_loss(J, x, normals=x), 0.0, atol=1e-12)
    c = np.array([0.5, -1.0])
    assert np.allclose(
        projection_loss(rotation_about(c).basis, x, normals=x - c, affine=True), 0.0, atol=1e-12
    )
    # A non-symmetry is penalised by both terms.
    assert min(projection_loss(np.eye(2), x, normals=x)) > 1.0


def test_kernel_projectors_from_kernel_and_normals_agree(rng):
    normals = rng.normal(size=(20, 1, 3))
    kernel = np.cross(normals[:, 0], rng.normal(size=(20, 3)))
    kernel = np.stack([kernel, np.cross(normals[:, 0], kernel)], axis=1)
    p1 = kernel_projectors(20, 3, kernel=kernel * 3.0)  # any basis, not only orthonormal
    p2 = kernel_projectors(20, 3, normals=normals)
    assert np.allclose(p1, p2, atol=1e-12)
    assert np.allclose(p1 @ p1, p1, atol=1e-12)


def test_largest_angle_matches_principal_angles(rng):
    w = rng.normal(size=(2, 3, 3))
    ref = so(3)
    assert np.isclose(largest_angle(w, ref.flat), principal_angles(w, ref).max(), atol=1e-10)
    w1 = rng.normal(size=(1, 2, 2))
    cos = abs(np.sum(w1 * J)) / (np.linalg.norm(w1) * np.linalg.norm(J))
    assert np.isclose(largest_angle(w1, so(2).flat), np.arccos(cos), atol=1e-10)


# Fitting.
@pytest.mark.parametrize("normalize", [True, False])
def test_fit_decreases_the_loss_and_approaches_J(rng, normalize):
    x = rng.normal(size=(400, 2))
    fit = fit_projection_loss(
        x,
        x @ J.T,
        1,
        lr=0.01,
        n_steps=800,
        rng=0,
        reference=so(2),
        normalize=normalize,
        tol_angle=0.05,
    )
    loss = fit.history["loss"]
    assert loss[-50:].mean() < 0.05 * loss[:50].mean()
    assert fit.history["angle"][-1] < 0.01
    assert fit.steps_to_tol is not None
    assert fit.history["angle"][fit.steps_to_tol - 1] <= 0.05
    assert np.all(fit.history["angle"][: fit.steps_to_tol - 1] > 0.05)
    assert np.allclose(fit.history["loss"], fit.history["sym"] + fit.history["max"])


def test_fit_affine_finds_rotation_about_the_center(rng):
    c = np.array([0.5, -0.3])
    x = rng.normal(size=(300, 2))
    fit = fit_projection_loss(
        x, normals=x - c, affine=True, n_steps=1500, lr=0.01, rng=0, reference=rotation_about(c)
    )
    assert fit.history["angle"][-1] < 0.01
    assert np.allclose(fit.generators[:, -1], 0.0)


def test_fit_two_generators_inside_so3(rng):
    x = rng.normal(size=(400, 3))
    fit = fit_projection_loss(x, normals=x, dim=2, n_steps=1500, lr=0.01, rng=0, reference=so(3))
    # Two generators of a 3-dim algebra: both principal angles to so(3) vanish.
    assert fit.history["angle"][-1] < 0.02


def test_normalisation_prevents_collapse_to_zero(rng):
    # Random kernels: no generator is a symmetry, so L_sym = |Wp| sin(angle) pulls W to 0.
    x, kernel = rng.normal(size=(300, 2)), rng.normal(size=(300, 2))
    free = fit_projection_loss(x, kernel, n_steps=1500, lr=0.01, rng=0, normalize=False)
    unit = fit_projection_loss(x, kernel, n_steps=1500, lr=0.01, rng=0)
    assert np.linalg.norm(free.generators) < 0.2
    assert np.isclose(np.linalg.norm(unit.generators), 1.0)


def test_same_rng_gives_identical_history(rng):
    x = rng.normal(size=(200, 2))
    a = fit_projection_loss(x, normals=x, n_steps=50, rng=7, reference=so(2))
    b = fit_projection_loss(x, normals=x, n_steps=50, rng=7, reference=so(2))
    c = fit_projection_loss(x, normals=x, n_steps=50, rng=8, reference=so(2))
    for key in ("loss", "sym", "max", "angle"):
        assert np.array_equal(a.history[key], b.history[key])
    assert not np.array_equal(a.history["loss"], c.history["loss"])


def test_bad_inputs_raise_clear_errors(rng):
    x = rng.normal(size=(20, 2))
    with pytest.raises(ValueError, match="dim"):
        fit_projection_loss(x, normals=x, dim=0)
    with pytest.raises(ValueError, match="normals"):
        fit_projection_loss(x, normals=x[:10])
    with pytest.raises(ValueError, match="exactly one"):
        fit_projection_loss(x, x, normals=x)
    with pytest.raises(ValueError, match="init"):
        fit_projection_loss(x, normals=x, init=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="init"):
        fit_projection_loss(x, normals=x, init="zeros")
    with pytest.raises(ValueError, match="reference"):
        fit_projection_loss(x, normals=x, reference=so(3), n_steps=1)
    with pytest.raises(ValueError, match="tol_angle"):
        fit_projection_loss(x, normals=x, tol_angle=-1.0, n_steps=1)
    with pytest.raises(ValueError, match="batch_size"):
        fit_projection_loss(x, normals=x, batch_size=0)
    with pytest.raises(ValueError, match="generators"):
        projection_loss(np.eye(3), x, normals=x)
