"""Base-reward models for test-time inference: the radial profile and generic surrogates.

When the base task's reward symmetry is the compact group fixing a point c_0 (for navigation,
rotations about the goal in the chart of M), the reward is a function of one invariant,
``r_0(x) = h(rho(x))`` with ``rho(x) = |M^{1/2} (x - c_0)|``; fitting the 1-D profile h is
all the modelling the base data needs.
"""

from dataclasses import dataclass

import numpy as np
import scipy.interpolate
import scipy.optimize

from liesym._core import as_finite_array
from liesym.algebra import sqrt_spd
from liesym.data import reward_arrays

_MIN_PROFILE_POINTS = 5  # a cubic spline needs a few distinct abscissas


def as_reward_data(data, rewards=None, *, name: str = "transitions", n: int | None = None):
    """Next states (N, n) and rewards (N,) from a transitions record, a pair, or two arrays.

    The same reading as :func:`liesym.data.reward_arrays` (kept here under its inference name).

    Parameters
    ----------
    data : object with ``next_states`` and ``rewards``, or (next_states, rewards), or array
    rewards : array-like, shape=[N], optional
    name : str
        Argument name for error messages.
    n : int, optional
        Required state dimension.

    Returns
    -------
    points : ndarray, shape=[N, n]
    rewards : ndarray, shape=[N]

    Examples
    --------
    >>> x, r = as_reward_data(([[0.0, 1.0]], [-1.0]))
    >>> x.shape, r.shape
    ((1, 2), (1,))
    """
    return reward_arrays(data, rewards, name=name, n=n)


@dataclass(frozen=True, eq=False)
class RewardProfile:
    """Base reward modelled as ``h(|M^{1/2} (x - center)|)`` with a cubic spline h.

    Callable on points (..., n); linear beyond the fitted range of the invariant. Build it
    with :func:`fit_reward_profile`.

    Attributes
    ----------
    center : ndarray, shape=[n]
        Fixed point c_0 of the base task's symmetry (given or estimated).
    metric : ndarray, shape=[n, n]
    chart : ndarray, shape=[n, n]
        ``M^{1/2}``.
    spline, slope : scipy.interpolate.BSpline
        The profile h on ``[rho_min, rho_max]`` (least-squares cubic spline, knots at
        quantiles, one per 20 samples) and its derivative h'.
    rho_min, rho_max : float
    residual : float
        RMS residual of the fit on the base data.

    Examples
    --------
    The base reward ``-|x - (1, 0)|`` is a function of the distance to its centre:

    >>> from liesym.manifolds import fit_reward_profile
    >>> x = np.random.default_rng(0).normal(size=(200, 2))
    >>> prof = fit_reward_profile(x, -np.linalg.norm(x - [1.0, 0.0], axis=1), np.eye(2))
    >>> np.round(prof.center, 6) + 0.0, bool(prof.residual < 1e-6)
    (array([1., 0.]), True)
    >>> np.round(prof(np.array([[1.0, 0.5], [3.0, 0.0]])), 6)  # the reward, predicted
    array([-0.5, -2. ])
    """

    center: np.ndarray
    metric: np.ndarray
    chart: np.ndarray
    spline: scipy.interpolate.BSpline
    slope: scipy.interpolate.BSpline
    rho_min: float
    rho_max: float
    residual: float

    def invariant(self, x) -> np.ndarray:
        """``rho(x) = |M^{1/2} (x - center)|``, shape=[...]."""
        return np.linalg.norm((np.asarray(x, dtype=np.float64) - self.center) @ self.chart, axis=-1)

    def profile(self, rho, derivative: bool = False) -> np.ndarray:
        """h(rho) (or h'(rho)), continued linearly outside ``[rho_min, rho_max]``."""
        rho = np.asarray(rho, dtype=np.float64)
        inside = np.clip(rho, self.rho_min, self.rho_max)
        slope = self.slope(inside)
        if derivative:
            return slope
        return self.spline(inside) + slope * (rho - inside)

    def __call__(self, x) -> np.ndarray:
        """Modelled base reward at points x, shape=[...]."""
        return self.profile(self.invariant(x))

    def gradient(self, x) -> np.ndarray:
        """Gradient of the modelled reward, ``h'(rho) M (x - c) / rho``, shape=[..., n]."""
        x = np.asarray(x, dtype=np.float64)
        d = x - self.center
        rho = self.invariant(x)
        scale = self.profile(rho, derivative=True) / np.where(rho > 0, rho, 1.0)
        return np.where(rho[..., None] > 0, scale[..., None] * (d @ self.metric), 0.0)


def _n_knots(count: int) -> int:
    """Interior knots of the profile spline: one per 20 samples, between 2 and 16."""
    return int(np.clip(count // 20, 2, 16))


def _spline_fit(rho: np.ndarray, r: np.ndarray, n_knots: int):
    """Least-squares cubic spline of r against rho, knots at quantiles; spline and residuals.

    A regression spline (few knots) rather than an interpolating or GCV smoothing spline:
    states repeat almost exactly along trajectories, and near-duplicate abscissas make
    those ill-conditioned, while a few knots smooth reward noise by construction.
    """
    lo, hi = rho.min(), rho.max()
    inner = np.quantile(rho, np.linspace(0, 1, n_knots + 2)[1:-1])
    t = np.r_[[lo] * 4, inner, [hi] * 4]
    basis = scipy.interpolate.BSpline.design_matrix(rho, t, 3).toarray()
    coef = np.linalg.lstsq(basis, r, rcond=None)[0]
    return scipy.interpolate.BSpline(t, coef, 3), r - basis @ coef


def _estimate_center(x: np.ndarray, r: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Point c minimising the misfit of r ~ h(|S (x - c)|): variable projection over h."""
    n_knots = _n_knots(len(r))

    def resid(c):
        return _spline_fit(np.linalg.norm((x - c) @ s, axis=-1), r, n_knots)[1]

    starts = [x[np.argmax(r)], x[np.argmin(r)], x.mean(axis=0)]
    fits = [scipy.optimize.least_squares(resid, c0, method="trf", x_scale="jac") for c0 in starts]
    return min(fits, key=lambda f: f.cost).x


def fit_reward_profile(next_states, rewards, metric, center=None) -> RewardProfile:
    """Fit the base reward as a function of the invariant ``|M^{1/2} (x - c_0)|``.

    Parameters
    ----------
    next_states : array-like, shape=[N, n]
        Base-task states at which the rewards were received.
    rewards : array-like, shape=[N]
    metric : array-like, shape=[n, n]
        The invariant form M of the task group.
    center : array-like, shape=[n], optional
        The fixed point c_0 of the base task's symmetry (e.g. ``fixed_point_`` of an affine
        :class:`~liesym.discovery.DifferentialDiscovery`). Estimated when omitted, by
        variable projection: least squares over c of the misfit of a cubic regression spline
        in ``|M^{1/2} (x - c)|``, started at the best, worst and mean states.

    Returns
    -------
    RewardProfile

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 2))
    >>> prof = fit_reward_profile(x, -np.linalg.norm(x - [1.0, 0.0], axis=1), np.eye(2))
    >>> np.round(prof.center, 6) + 0.0
    array([1., 0.])
    """
    x, r = as_reward_data(next_states, rewards, name="base_data")
    n = x.shape[1]
    m = as_finite_array(metric, "metric", ndim=2)
    if m.shape != (n, n):
        raise ValueError(f"metric: expected shape ({n}, {n}), got {m.shape}")
    m = 0.5 * (m + m.T)  # a fresh array, safe to freeze
    s = sqrt_spd(m)[0]
    if center is None:
        if len(r) < 2 * _MIN_PROFILE_POINTS:
            raise ValueError(
                f"base_data: need at least {2 * _MIN_PROFILE_POINTS} transitions to estimate "
                f"the center, got {len(r)}; pass center="
            )
        c = _estimate_center(x, r, s)
    else:
        c = as_finite_array(center, "center", ndim=1).copy()
        if c.shape != (n,):
            raise ValueError(f"center: expected shape ({n},), got {c.shape}")
    rho = np.linalg.norm((x - c) @ s, axis=-1)
    if np.unique(rho).size < _MIN_PROFILE_POINTS:
        raise ValueError(
            f"base_data: need at least {_MIN_PROFILE_POINTS} distinct values of the invariant, "
            f"got {np.unique(rho).size}"
        )
    spline, resid = _spline_fit(rho, r, _n_knots(len(r)))
    for arr in (c, m, s):
        arr.setflags(write=False)
    return RewardProfile(
        center=c,
        metric=m,
        chart=s,
        spline=spline,
        slope=spline.derivative(),
        rho_min=float(rho.min()),
        rho_max=float(rho.max()),
        residual=float(np.sqrt(np.mean(resid**2))),
    )
