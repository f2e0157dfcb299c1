"""The functional baseline: batched expm and its Frechet derivative, exact gradients, fits."""

import numpy as np
import pytest
import scipy.linalg

from liesym.algebra import expm_batch, expm_frechet_batch, rotation_about, so
from liesym.discovery._gradient import fit_projection_loss, homogeneous
from liesym.discovery.functional import (
    FunctionalDiscovery,
    FunctionalLoss,
    finite_difference_gradient,
    fit_functional_loss,
    functional_terms,
)
from liesym.discovery.surrogate import LocalLinearSurrogate


def sq_norm(y):
    return (y**2).sum(axis=1)


def no_symmetry(y):
    return np.sin(y[:, 0]) + y[:, 1] ** 3


@pytest.mark.parametrize("scale", [1e-3, 1.0, 10.0, 40.0])
def test_expm_batch_matches_scipy(rng, scale):
    a = scale * rng.normal(size=(6, 3, 3))
    ref = scipy.linalg.expm(a)
    # Pade-13 with scaling and squaring: relative accuracy ~ cond * eps, well below 1e-10 here.
    rel = np.abs(expm_batch(a) - ref).max(axis=(1, 2)) / np.abs(ref).max(axis=(1, 2))
    assert rel.max() < 1e-10


def test_exp_of_skew_generator_is_a_rotation():
    t = np.linspace(-7, 7, 11)
    g = expm_batch(t[:, None, None] * np.array([[0.0, -1.0], [1.0, 0.0]]))
    assert np.allclose(g @ np.swapaxes(g, 1, 2), np.eye(2), atol=1e-12)
    assert np.allclose(g[:, 0, 0], np.cos(t), atol=1e-12)


def test_expm_frechet_batch_matches_scipy(rng):
    a, e = rng.normal(size=(2, 5, 4, 4))
    ref = np.stack([scipy.linalg.expm_frechet(x, y)[1] for x, y in zip(a, e, strict=True)])
    assert np.allclose(expm_frechet_batch(a, e), ref, rtol=1e-10, atol=1e-10)


def test_finite_difference_gradient_of_a_smooth_function(rng):
    x = rng.normal(size=(10, 2))
    g = finite_difference_gradient(no_symmetry, x)
    exact = np.stack([np.cos(x[:, 0]), 3 * x[:, 1] ** 2], axis=1)
    # Central differences at h ~ 6e-6: truncation h^2 * f''' ~ 1e-10, rounding eps/h ~ 1e-11.
    assert np.allclose(g, exact, atol=1e-8)


@pytest.mark.parametrize(
    ("n", "dim", "affine", "loss"),
    [(2, 1, False, "l2"), (2, 2, False, "mse"), (2, 1, True, "mse"), (3, 2, True, "l2")],
)
def test_functional_gradient_matches_finite_differences(rng, n, dim, affine, loss):
    weights = np.array([1.0, 2.0, 0.5])[:n]

    def f(y):
        return (weights * y**2).sum(axis=1) + np.sin(y[:, 0])

    x = rng.normal(size=(7, n))
    xh, t = homogeneous(x, affine), rng.uniform(-2, 2, size=(7, dim))
    w = 0.5 * rng.normal(size=(dim, n, n + 1 if affine else n))

    def value(p):
        return functional_terms(
            p, xh, f(x), t, f, lambda y: finite_difference_gradient(f, y), loss=loss
        )[0]

    _, grad = functional_terms(
        w, xh, f(x), t, f, lambda y: finite_difference_gradient(f, y), loss=loss
    )
    fd = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        e = np.zeros_like(w)
        e[i] = 1e-6
        fd[i] = (value(w + e) - value(w - e)) / 2e-6
    # Both sides rest on the same FD gradient of f (accurate to ~1e-9 relative).
    assert np.allclose(grad, fd, rtol=1e-6, atol=1e-6 * np.abs(fd).max())


@pytest.mark.parametrize("loss", ["l2", "mse"])
def test_vector_valued_functional_gradient_matches_finite_differences(rng, loss):
    """Two outputs: residuals enter as the sum of squares over outputs and points."""

    def f(y):
        return np.stack([(y[:, :2] ** 2).sum(1) + np.sin(y[:, 2]), y[:, 0] * y[:, 2]], -1)

    def jac(y):
        return finite_difference_gradient(f, y)

    x = rng.normal(size=(6, 3))
    t = rng.uniform(-1, 1, size=(6, 2))
    w = 0.5 * rng.normal(size=(2, 3, 3))
    assert jac(x).shape == (6, 2, 3)
    _, grad = functional_terms(w, x, f(x), t, f, jac, loss=loss)
    fd = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        e = np.zeros_like(w)
        e[i] = 1e-6
        up = functional_terms(w + e, x, f(x), t, f, jac, loss=loss)[0]
        down = functional_terms(w - e, x, f(x), t, f, jac, loss=loss)[0]
        fd[i] = (up - down) / 2e-6
    assert np.allclose(grad, fd, rtol=1e-6, atol=1e-6 * np.abs(fd).max())


def test_isotropic_law_reduces_to_the_box_law_for_one_generator(rng):
    """For k = 1 the drawn coordinate is r times a random sign: the box law, in distribution."""
    x = rng.normal(size=(4000, 2))
    loss = FunctionalLoss.from_function(x, sq_norm, t_range=(-1, 1), law="isotropic", rng=0)
    t = loss.coefficients(np.array([[[0.0, -1.0], [1.0, 0.0]]]) / np.sqrt(2), 4000)[:, 0]
    # Uniform on (-1, 1): mean 0 and variance 1/3, standard errors 0.009 and 0.005.
    assert abs(t.mean()) < 0.04 and abs(t.var() - 1 / 3) < 0.02 and np.abs(t).max() <= 1


def test_per_generator_losses_single_out_the_wrong_direction(rng):
    """Span = {J, a symmetric direction}: one canonical generator fits, the other does not."""
    x = rng.normal(size=(300, 2))
    loss = FunctionalLoss.from_function(x, sq_norm, grad=lambda y: 2 * y, law="isotropic", rng=0)
    gens = np.stack([np.array([[0.0, -1.0], [1.0, 0.0]]), np.diag([1.0, -1.0])]) / np.sqrt(2)
    per = loss.per_generator(gens, np.arange(300))
    assert per[1] < 1e-12 < 0.1 < per[0]  # descending: the symmetric direction first


@pytest.mark.parametrize("grad", [lambda y: 2 * y, None])
def test_fit_decreases_the_loss_and_approaches_J(rng, grad):
    x = rng.normal(size=(400, 2))
    est = FunctionalDiscovery(
        t_range=(-1, 1), lr=0.01, n_steps=800, rng=0, reference=so(2), tol_angle=0.05
    ).fit(x, sq_norm, grad=grad)
    loss = est.history_["loss"]
    assert loss[-50:].mean() < 0.05 * loss[:50].mean()
    assert est.history_["angle"][-1] < 0.01
    assert est.steps_to_tol_ is not None and est.dim_ == 1
    assert bool(est.algebra_.contains(so(2).basis[0], tol=0.01))


def test_fit_with_a_surrogate_approaches_J(rng):
    x = rng.normal(size=(5000, 2))
    surrogate = LocalLinearSurrogate().fit(x, sq_norm(x))
    fit = fit_functional_loss(
        x, surrogate, t_range=(-1, 1), lr=0.01, n_steps=800, rng=0, reference=so(2)
    )
    assert fit.history["angle"][-1] < 0.05


def test_fit_affine_finds_rotation_about_the_center(rng):
    c = np.array([0.5, -0.3])
    x = rng.normal(size=(300, 2))
    fit = fit_functional_loss(
        x,
        lambda y: sq_norm(y - c),
        affine=True,
        t_range=(-1, 1),
        n_steps=1500,
        lr=0.01,
        rng=0,
        reference=rotation_about(c),
    )
    assert fit.history["angle"][-1] < 0.02
    assert np.allclose(fit.generators[:, -1], 0.0)


def test_normalisation_prevents_collapse_to_zero(rng):
    # No linear symmetry: the loss grows like |W|^2, so an unconstrained W shrinks to 0.
    x = rng.normal(size=(300, 2))
    common = {"n_steps": 1500, "lr": 0.01, "rng": 0, "t_range": (-1, 1)}
    free = fit_functional_loss(x, no_symmetry, normalize=False, **common)
    unit = fit_functional_loss(x, no_symmetry, **common)
    assert np.linalg.norm(free.generators) < 0.05
    assert np.isclose(np.linalg.norm(unit.generators), 1.0)


def test_same_rng_gives_identical_history_and_shared_init(rng):
    x = rng.normal(size=(200, 2))
    a = fit_functional_loss(x, sq_norm, n_steps=40, rng=5, reference=so(2))
    b = fit_functional_loss(x, sq_norm, n_steps=40, rng=5, reference=so(2))
    assert np.array_equal(a.history["loss"], b.history["loss"])
    assert np.array_equal(a.history["angle"], b.history["angle"])
    # Same seed, same initial generator for the differential and the functional method.
    f0 = fit_functional_loss(x, sq_norm, n_steps=0, rng=5)
    d0 = fit_projection_loss(x, normals=x, n_steps=0, rng=5)
    assert np.array_equal(f0.generators, d0.generators)


def test_bad_inputs_raise_clear_errors(rng):
    x = rng.normal(size=(20, 2))
    with pytest.raises(ValueError, match="f: expected a callable"):
        FunctionalDiscovery().fit(x, np.ones(20))
    with pytest.raises(ValueError, match="dim"):
        FunctionalDiscovery(dim=0).fit(x, sq_norm)
    with pytest.raises(ValueError, match="f: expected 20 values"):
        FunctionalDiscovery(n_steps=1).fit(x, lambda y: y[1:, 0])
    with pytest.raises(ValueError, match="f: expected 20 values"):
        FunctionalDiscovery(n_steps=1).fit(x, lambda y: y[..., None])
    with pytest.raises(ValueError, match="grad"):
        FunctionalDiscovery(n_steps=1).fit(x, sq_norm, grad=lambda y: y[:, :1])
    with pytest.raises(ValueError, match="grad"):
        FunctionalDiscovery(n_steps=1).fit(x, sq_norm, grad=3)
    with pytest.raises(ValueError, match="t_range"):
        FunctionalDiscovery(t_range=(1, 1)).fit(x, sq_norm)
    with pytest.raises(ValueError, match="loss"):
        FunctionalDiscovery(loss="abs").fit(x, sq_norm)
    with pytest.raises(ValueError, match=r"X|points"):
        FunctionalDiscovery().fit(np.ones(3), sq_norm)
