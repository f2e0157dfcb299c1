"""Dynamics symmetries from transitions: so(2), C so(2) C^-1, se(2), broken symmetry, bad input."""

import numpy as np
import pytest

from liesym.algebra import grassmann_distance, se, so
from liesym.discovery._constraints import DiscoveryWarning
from liesym.discovery.dynamics import DynamicsSymmetryDiscovery, fit_linear_dynamics

ELLIPSE = np.array([[1.5, 0.4], [0.0, 0.7]])


def navigation(seed, c=None, n=2000, drift=None, radius=0.1, sigma=0.05):
    """s' = drift s + C a + C eps: a uniform in the disc, projected radially from N(0, I)."""
    c = np.eye(2) if c is None else c
    drift = np.eye(2) if drift is None else drift
    rng = np.random.default_rng(seed)
    s = rng.normal(size=(n, 2))
    raw = rng.normal(size=(n, 2)) * radius
    norm = np.linalg.norm(raw, axis=1, keepdims=True)
    a_disc = raw * np.minimum(1.0, radius / norm)  # radial projection onto the disc
    a = a_disc @ c.T
    s2 = s @ drift.T + a + sigma * rng.normal(size=(n, 2)) @ c.T
    return s, a, s2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_isotropic_navigation_has_so2(seed):
    est = DynamicsSymmetryDiscovery().fit(*navigation(seed))
    assert est.dim_ == 1
    # Errors of the covariance estimates ~ sqrt(2/N) = 0.03 relative: measured <= 0.022.
    assert grassmann_distance(est.algebra_, so(2)) < 0.06


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ellipse_navigation_has_conjugated_so2(seed):
    est = DynamicsSymmetryDiscovery().fit(*navigation(seed, c=ELLIPSE))
    assert est.dim_ == 1
    assert grassmann_distance(est.algebra_, so(2).conjugate(ELLIPSE)) < 0.06
    # ... and not the plain so(2).
    assert grassmann_distance(est.algebra_, so(2)) > 0.2


def test_affine_symmetries_add_state_translations():
    est = DynamicsSymmetryDiscovery(affine=True).fit(*navigation(3, c=ELLIPSE))
    assert est.dim_ == 3 and est.algebra_.affine
    assert grassmann_distance(est.algebra_, se(2).conjugate(ELLIPSE)) < 0.06


def test_rotating_drift_keeps_so2_and_anisotropic_drift_breaks_it():
    t = 0.3
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    est = DynamicsSymmetryDiscovery().fit(*navigation(4, drift=rot))
    assert est.dim_ == 1 and grassmann_distance(est.algebra_, so(2)) < 0.06
    with pytest.warns(DiscoveryWarning, match="no symmetry"):
        broken = DynamicsSymmetryDiscovery().fit(*navigation(4, drift=np.diag([1.0, 0.5])))
    assert broken.dim_ == 0 and broken.algebra_ is None


def test_noise_law_alone_determines_the_algebra():
    est = DynamicsSymmetryDiscovery(use_actions=False).fit(*navigation(5, c=ELLIPSE))
    assert est.dim_ == 1
    assert grassmann_distance(est.algebra_, so(2).conjugate(ELLIPSE)) < 0.06


def test_linear_model_fit_recovers_dynamics():
    s, a, s2 = navigation(6, c=ELLIPSE, drift=np.diag([1.0, 0.9]))
    fit = fit_linear_dynamics(s, a, s2)
    # Coefficient errors ~ sigma / (spread sqrt(N)): a few standard errors.
    np.testing.assert_allclose(fit.A, np.diag([1.0, 0.9]), atol=6 * fit.stderr_A.max())
    np.testing.assert_allclose(fit.B, np.eye(2), atol=6 * fit.stderr_B.max())
    np.testing.assert_allclose(fit.noise_cov, 0.05**2 * ELLIPSE @ ELLIPSE.T, rtol=0.15, atol=1e-4)


def test_requested_dimension_and_spectrum():
    est = DynamicsSymmetryDiscovery(dim=1).fit(*navigation(7))
    assert est.singular_values_.shape == (4,)
    assert np.all(np.diff(est.singular_values_) >= 0)
    assert est.gap_ > 10 and est.noise_floor_ > est.singular_values_[0]


@pytest.mark.parametrize(
    ("args", "kw", "match"),
    [
        ((np.ones((50, 2)), np.ones((49, 2)), np.ones((50, 2))), {}, "same number"),
        ((np.ones((50, 2)), np.ones((50, 3)), np.ones((50, 2))), {}, "actions"),
        ((np.ones((50, 2)), np.ones((50, 2)), np.ones((50, 3))), {}, "next_states"),
        ((np.full((50, 2), np.nan), np.ones((50, 2)), np.ones((50, 2))), {}, "states"),
        ((np.ones((5, 2)), np.ones((5, 2)), np.ones((5, 2))), {}, "too few"),
        (navigation(0, n=100), {"dim": 4}, "dim"),
    ],
)
def test_bad_input(args, kw, match):
    with pytest.raises(ValueError, match=match):
        DynamicsSymmetryDiscovery(**kw).fit(*args)
