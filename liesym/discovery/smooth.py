r"""A smooth global surrogate of noisy samples: Gaussian-process regression, gradients with errors.

Local linear fits over k neighbours (:func:`~liesym.discovery.kernel.kernel_frames`) are exact
for noise-free samples but must average noise over wide neighbourhoods, which are biased where
the data end. Random-policy transitions are packed tightly, so on noisy rewards no neighbourhood
size works (circle family, reward noise 0.05, 2,000 transitions: base-symmetry angle 0.05-0.9
rad over k = 30..1,500). A Gaussian process uses all samples at once, and its smoothness and
noise level come from the data. The model is

.. math::  y = h(z)^T \beta + f(z) + \varepsilon, \quad f \sim GP(0, s^2 e^{-|z - z'|^2/2l^2}),
           \quad \varepsilon \sim N(0, \sigma^2),

in globally whitened coordinates z (so that nothing depends on an affine change of coordinates),
with h the monomials of degree <= 2 and a flat prior on beta: the quadratic part, which carries
the level sets' curvature, is estimated without shrinkage, and the kernel models what it misses.
``l``, ``s`` and ``sigma`` maximise the restricted marginal likelihood (the likelihood of the
residuals orthogonal to the monomials): for each l on a grid, one eigendecomposition gives the
likelihood for every noise ratio ``sigma^2 / s^2`` in closed form. The posterior mean's gradient is
the surrogate's gradient and the posterior covariance of that gradient its error.

Cost: O(m^3) for m support points (at most ``max_support``, an evenly strided subset of larger
data), O(N m n) for the gradients at N points.
"""

import numpy as np
import scipy.linalg
import scipy.optimize

from liesym._core import as_finite_array, as_points
from liesym._core.polynomial import monomials

__all__ = ["GaussianProcessSurrogate"]

_JITTER = 1e-10
_LENGTH_GRID = np.geomspace(0.1, 30.0, 16)
_LOG_RATIO = (np.log(1e-10), np.log(10.0))  # sigma^2 / s^2


def _strided(n_points: int, m: int) -> np.ndarray:
    """``m`` evenly strided indices of ``range(n_points)`` (all of them when m >= n_points)."""
    if m >= n_points:
        return np.arange(n_points)
    return np.linspace(0, n_points - 1, m).round().astype(int)


def _sq_dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.sum(a * a, axis=1)[:, None] + np.sum(b * b, axis=1)[None] - 2.0 * a @ b.T
    return np.maximum(d, 0.0)


def _basis_gradient(z: np.ndarray, degree: int) -> np.ndarray:
    """D h / d z at the rows of z, shape=[N, n, q]."""
    n_pts, n = z.shape
    blocks = [np.zeros((n_pts, n, 1))]
    if degree >= 1:
        blocks.append(np.broadcast_to(np.eye(n), (n_pts, n, n)))
    if degree >= 2:
        i, j = np.triu_indices(n)
        d = np.zeros((n_pts, n, i.size))
        cols = np.arange(i.size)
        d[:, i, cols] += z[:, j]
        d[:, j, cols] += z[:, i]
        blocks.append(d)
    return np.concatenate(blocks, axis=2)


def _profile_likelihood(lam: np.ndarray, proj_sq: np.ndarray):
    """Best log noise ratio and restricted log likelihood, from eigenvalues of the kernel."""
    m = lam.size

    def neg(log_ratio):
        d = lam + np.exp(log_ratio)
        s2 = np.sum(proj_sq / d) / m
        return 0.5 * m * np.log(s2) + 0.5 * np.sum(np.log(d))

    grid = np.linspace(*_LOG_RATIO, 23)
    values = [neg(v) for v in grid]
    i = int(np.argmin(values))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    res = scipy.optimize.minimize_scalar(neg, bounds=(lo, hi), method="bounded")
    best = res.x if res.fun <= values[i] else grid[i]
    d = lam + np.exp(best)
    return float(best), float(np.sum(proj_sq / d) / m), -float(min(res.fun, values[i]))


class GaussianProcessSurrogate:
    """Gaussian-process regression with a quadratic trend, hyperparameters by likelihood.

    A callable ``f(points) -> values`` with ``gradient(points)`` (like the surrogates of
    :mod:`liesym.discovery.surrogate`), and ``gradient_std(points)``, the posterior standard
    deviation of the gradient.

    Parameters
    ----------
    max_support : int, optional, default: 2000
        Largest number of samples the posterior is conditioned on (an evenly strided subset
        of larger data; cost O(max_support^3)).
    max_hyper : int, optional, default: 400
        Samples (evenly strided) on which the marginal likelihood is maximised.

    Attributes
    ----------
    length_scale_ : float
        In whitened coordinates (units of the data's standard deviations).
    signal_std_, noise_std_ : float
        Standard deviation of the kernel part and of the noise, in units of y.
    degree_ : int
        Degree of the trend (2, or less for few samples).
    transform_ : ndarray, shape=[d, n]
        Whitening ``z = (x - mean_) @ transform_.T`` of the data's affine hull.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 2))
    >>> y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=400)
    >>> gp = GaussianProcessSurrogate().fit(X, y)
    >>> round(gp.noise_std_, 2)
    0.1
    >>> bool(np.allclose(gp.gradient([[0.0, 0.0]]), [[1.0, 0.0]], atol=0.1))
    True
    """

    def __init__(self, max_support: int = 2000, max_hyper: int = 400) -> None:
        self.max_support = max_support
        self.max_hyper = max_hyper

    def fit(self, X, y) -> "GaussianProcessSurrogate":
        """Choose the hyperparameters and condition on the samples.

        Parameters
        ----------
        X : array-like, shape=[N, n]
        y : array-like, shape=[N]

        Returns
        -------
        self
        """
        for name in ("max_support", "max_hyper"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 10:
                raise ValueError(f"{name}: expected an integer >= 10, got {value!r}")
        X = as_points(X, "X", min_points=3)
        y = as_finite_array(y, "y", ndim=(1, 2))
        y = y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y
        if y.shape != (X.shape[0],):
            raise ValueError(f"y: expected shape ({X.shape[0]},) matching X, got {y.shape}")
        scale = float(np.std(y))
        if not scale > 0:
            raise ValueError("y: the values are constant")
        n = X.shape[1]
        self.mean_ = X.mean(axis=0)
        lam, vec = np.linalg.eigh(np.cov(X, rowvar=False).reshape(n, n))
        keep = lam > 1e-12 * max(lam[-1], 1e-300)
        # Whitening of the data's affine hull (degenerate directions carry no information).
        self.transform_ = (vec[:, keep] / np.sqrt(lam[keep])).T
        z = (X - self.mean_) @ self.transform_.T
        self._y_mean, self._y_scale = float(np.mean(y)), scale
        yc = (y - self._y_mean) / scale
        d = z.shape[1]
        hyper = _strided(len(z), int(self.max_hyper))
        degree = 1
        while degree > 0 and len(hyper) < 4 * monomials(z[:1], degree).shape[1]:
            degree -= 1
        self.degree_ = degree

        # Restricted likelihood: residuals orthogonal to the trend's monomials.
        zh = z[hyper]
        q_full, _ = np.linalg.qr(monomials(zh, degree), mode="complete")
        q = q_full[:, monomials(zh[:1], degree).shape[1] :]
        ry = q.T @ yc[hyper]
        dist = _sq_dist(zh, zh)
        best = None
        for ell in _LENGTH_GRID:
            lam_k, vec_k = np.linalg.eigh(q.T @ np.exp(-dist / (2 * ell * ell)) @ q)
            lam_k = np.maximum(lam_k, 0.0)
            log_ratio, s2, loglik = _profile_likelihood(lam_k, (vec_k.T @ ry) ** 2)
            if best is None or loglik > best[0]:
                best = (loglik, ell, log_ratio, s2)
        _, ell, log_ratio, s2 = best
        sigma2 = s2 * np.exp(log_ratio)

        support = _strided(len(z), int(self.max_support))
        zs = z[support]
        k = s2 * np.exp(-_sq_dist(zs, zs) / (2 * ell * ell))
        k[np.diag_indices_from(k)] += sigma2 + _JITTER
        chol = scipy.linalg.cholesky(k, lower=True, check_finite=False)
        h = monomials(zs, degree)
        w = scipy.linalg.solve_triangular(chol, h, lower=True, check_finite=False)
        u = scipy.linalg.solve_triangular(chol, yc[support], lower=True, check_finite=False)
        beta = np.linalg.lstsq(w, u, rcond=None)[0]
        self._alpha = scipy.linalg.solve_triangular(
            chol, u - w @ beta, lower=True, trans="T", check_finite=False
        )
        self._beta, self._chol, self._w = beta, chol, w
        self._sigma2 = float(sigma2)
        self._a_inv = np.linalg.pinv(w.T @ w)
        self._support = zs
        self._s2 = float(s2)
        self.length_scale_ = float(ell)
        self.signal_std_ = float(np.sqrt(s2) * scale)
        self.noise_std_ = float(np.sqrt(sigma2) * scale)
        self.n_support_ = len(support)
        self.intrinsic_rank_ = int(d)
        return self

    def _z(self, points) -> np.ndarray:
        x = as_points(points, "points")
        if x.shape[1] != self.mean_.shape[0]:
            raise ValueError(
                f"points: expected {self.mean_.shape[0]} coordinates, got {x.shape[1]}"
            )
        return (x - self.mean_) @ self.transform_.T

    def _cross(self, z: np.ndarray) -> np.ndarray:
        return self._s2 * np.exp(-_sq_dist(z, self._support) / (2 * self.length_scale_**2))

    def __call__(self, points) -> np.ndarray:
        """Posterior mean at ``points`` (shape=[M, n]), shape=[M]."""
        z = self._z(points)
        mean = monomials(z, self.degree_) @ self._beta + self._cross(z) @ self._alpha
        return self._y_mean + self._y_scale * mean

    def _kernel_gradient(self, z: np.ndarray) -> np.ndarray:
        """D k(z, z_j) / dz for every support point j, shape=[c, m, d]."""
        return (
            self._cross(z)[:, :, None]
            * (self._support[None] - z[:, None])
            / (self.length_scale_**2)
        )

    def gradient(self, points, chunk: int = 2000) -> np.ndarray:
        """Gradient of the posterior mean at ``points`` (shape=[M, n]), shape=[M, n]."""
        z = self._z(points)
        out = np.empty_like(z)
        for i in range(0, len(z), chunk):
            zc = z[i : i + chunk]
            kw = self._cross(zc) * self._alpha  # (c, m)
            out[i : i + chunk] = (kw @ self._support - kw.sum(axis=1)[:, None] * zc) / (
                self.length_scale_**2
            ) + _basis_gradient(zc, self.degree_) @ self._beta
        return self._y_scale * out @ self.transform_

    def gradient_noise_draws(self, points, n_draws: int, rng=None, chunk: int = 2000):
        """Gradients of the posterior means of simulated noise, shape=[n_draws, M, n].

        The posterior mean is linear in the samples, so refitting it (same hyperparameters)
        to ``y + e`` changes its gradient by the gradient of the mean fitted to ``e`` alone.
        Each draw fits fresh noise ``e ~ N(0, noise_std_^2)`` at the support points: the
        sampling spread of the estimated gradient field, with its correlation between nearby
        points (which independent per-point errors miss).

        Parameters
        ----------
        points : array-like, shape=[M, n]
        n_draws : int
        rng : None, int or Generator

        Returns
        -------
        ndarray, shape=[n_draws, M, n]

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(300, 2))
        >>> gp = GaussianProcessSurrogate().fit(X, X[:, 0] + 0.1 * rng.normal(size=300))
        >>> gp.gradient_noise_draws(X[:5], 4, rng=0).shape
        (4, 5, 2)
        """
        from liesym._core import as_rng

        z = self._z(points)
        rng = as_rng(rng)
        eps = np.sqrt(self._sigma2) * rng.standard_normal((len(self._support), int(n_draws)))
        lower = {"lower": True, "check_finite": False}
        u = scipy.linalg.solve_triangular(self._chol, eps, **lower)
        beta = np.linalg.lstsq(self._w, u, rcond=None)[0]  # (q, B)
        alpha = scipy.linalg.solve_triangular(self._chol, u - self._w @ beta, trans="T", **lower)
        m, d = self._support.shape
        weighted = (alpha[:, :, None] * self._support[:, None, :]).reshape(m, -1)  # (m, B d)
        out = np.empty((int(n_draws), len(z), d))
        for i in range(0, len(z), chunk):
            zc = z[i : i + chunk]
            k = self._cross(zc)  # (c, m)
            grad = (k @ weighted).reshape(len(zc), -1, d) - (k @ alpha)[:, :, None] * zc[:, None]
            grad = grad / self.length_scale_**2 + np.einsum(
                "cdq,qb->cbd", _basis_gradient(zc, self.degree_), beta
            )
            out[:, i : i + chunk] = np.swapaxes(grad, 0, 1)
        return self._y_scale * out @ self.transform_

    def gradient_std(self, points, chunk: int = 200) -> np.ndarray:
        """Posterior standard deviation of the gradient (Frobenius, original coordinates), [M].

        Includes the uncertainty of the trend coefficients.
        """
        z = self._z(points)
        t = self.transform_
        m = len(self._support)
        prior = self._s2 / self.length_scale_**2 * np.sum(t * t)  # tr T^T (s^2/l^2 I) T
        out = np.empty(len(z))
        for i in range(0, len(z), chunk):
            zc = z[i : i + chunk]
            c = len(zc)
            bx = self._kernel_gradient(zc) @ t  # (c, m, n): rows of B mapped to x
            v = scipy.linalg.solve_triangular(
                self._chol, bx.transpose(1, 0, 2).reshape(m, -1), lower=True, check_finite=False
            ).reshape(m, c, -1)
            reduction = np.sum(v**2, axis=(0, 2))
            # Trend: R = dh^T - B K^-1 H, variance R A^-1 R^T.
            dh = np.swapaxes(_basis_gradient(zc, self.degree_), 1, 2) @ t  # (c, q, n)
            r = dh - np.einsum("mq,mcn->cqn", self._w, v)
            trend = np.einsum("cqn,qp,cpn->c", r, self._a_inv, r)
            out[i : i + chunk] = np.sqrt(np.maximum(prior - reduction + trend, 0.0))
        return self._y_scale * out
