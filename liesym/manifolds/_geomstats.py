"""The one door to geomstats: lazy imports, cached spaces, and the calls liesym makes.

geomstats (and the pandas / scikit-learn stack it pulls in) is imported on first use, never
when ``liesym`` or ``liesym.manifolds`` is imported. Its import emits an ``ImportWarning``
from its backend importer ("BackendImporter.exec_module() not found; falling back to
load_module()") and some deprecation warnings; they are silenced here, around the import only.
"""

import functools
import warnings

import numpy as np


@functools.cache
def _modules():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from geomstats.geometry.special_orthogonal import SpecialOrthogonal
        from geomstats.learning.frechet_mean import FrechetMean
    return SpecialOrthogonal, FrechetMean


@functools.cache
def special_orthogonal(n: int):
    """Return geomstats' ``SpecialOrthogonal(n, point_type="matrix")`` with its bi-invariant metric.

    The metric is ``<X, Y> = tr(X^T Y) / 2`` at the identity, so the distance from the
    identity to a rotation by angle t in one plane is t (radians).
    """
    special_orthogonal_cls, _ = _modules()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return special_orthogonal_cls(n, point_type="matrix", equip=True)


def group_exp(skew: np.ndarray) -> np.ndarray:
    """Group exponential (geomstats) of skew matrices, shape=[..., n, n]."""
    return np.asarray(special_orthogonal(skew.shape[-1]).exp(skew), dtype=np.float64)


def group_log(rot: np.ndarray) -> np.ndarray:
    """Group logarithm at the identity (geomstats), shape=[..., n, n].

    Raises ``ValueError`` at the cut locus (a rotation by pi); the real part is returned
    because geomstats' matrix logarithm can carry round-off imaginary parts near pi.
    """
    with warnings.catch_warnings():
        # scipy.linalg.logm may warn that its result is inaccurate near pi; the caller
        # checks exp(log(R)) == R and falls back, so the warning carries no information.
        warnings.simplefilter("ignore", RuntimeWarning)
        out = special_orthogonal(rot.shape[-1]).log(rot)
    return np.real(np.asarray(out))


def dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bi-invariant geodesic distance (geomstats) between rotations, shape=[...]."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = special_orthogonal(a.shape[-1]).metric.dist(a, b)
    return np.real(np.asarray(out, dtype=np.complex128)).astype(np.float64)


def frechet_mean(
    rots: np.ndarray, weights: np.ndarray | None, *, max_iter: int = 200, epsilon: float = 1e-11
) -> np.ndarray:
    """Fréchet mean of rotations (N, n, n): geomstats ``FrechetMean``, adaptive descent."""
    _, frechet_mean_cls = _modules()
    estimator = frechet_mean_cls(special_orthogonal(rots.shape[-1]), method="adaptive")
    # geomstats' defaults (32 iterations, 1e-4) leave errors of about 1e-4 rad; epsilon bounds
    # the norm of the tangent mean, so 1e-11 is near round-off for unit-scale rotations.
    estimator.optimizer.max_iter = max_iter
    estimator.optimizer.epsilon = epsilon
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        estimator.fit(rots, weights=weights)
    return np.real(np.asarray(estimator.estimate_)).astype(np.float64)


@functools.cache
def grassmannian(dim: int, k: int):
    """Return geomstats' ``Grassmannian(dim, k)`` (projector representation, canonical metric)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from geomstats.geometry.grassmannian import Grassmannian

        return Grassmannian(dim, k, equip=True)


def grassmann_exp_transport(
    projector: np.ndarray, direction: np.ndarray, vector: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Riemannian exponential and parallel transport on the Grassmannian (geomstats).

    Parameters
    ----------
    projector : ndarray, shape=[D, D]
        The base point as an orthogonal projector of rank k.
    direction, vector : ndarray, shape=[D, D]
        Tangent vectors at the base point (symmetric, ``P X + X P = X``).

    Returns
    -------
    end : ndarray, shape=[D, D]
        ``exp_P(direction)``.
    transported : ndarray, shape=[D, D]
        ``vector`` parallel-transported along the geodesic to ``end``.
    """
    d = projector.shape[-1]
    k = round(float(np.trace(projector)))
    metric = grassmannian(d, k).metric
    end = metric.exp(direction, projector)
    moved = metric.parallel_transport(vector, projector, direction=direction)
    return np.asarray(end, dtype=np.float64), np.asarray(moved, dtype=np.float64)
