"""Basis-free distances between spans of generators (the field's standard metrics)."""

import numpy as np
import scipy.linalg
import scipy.optimize

from liesym.algebra._lie_algebra import LieAlgebra
from liesym.algebra._ops import span_basis


def _flat_basis(x, name: str) -> np.ndarray:
    if isinstance(x, LieAlgebra):
        return x.flat
    b, _ = span_basis(x, name=name)
    return b.reshape(b.shape[0], -1)


def _flat_generators(x, name: str) -> np.ndarray:
    if isinstance(x, LieAlgebra):
        return x.flat
    from liesym._core import as_generator_stack

    g = as_generator_stack(x, name)
    return g.reshape(g.shape[0], -1)


def principal_angles(a, b) -> np.ndarray:
    """Principal angles (radians, ascending) between the spans of two generator sets.

    Computed with sines for small angles and cosines for large ones (Knyazev-Argentati,
    via :func:`scipy.linalg.subspace_angles`), so that angles near 0 are accurate.

    Parameters
    ----------
    a, b : LieAlgebra or array-like, shape=[k, n, n]
        Same matrix size n.

    Returns
    -------
    ndarray, shape=[min(k_a, k_b)]

    Examples
    --------
    >>> from liesym.algebra import so
    >>> principal_angles(so(3), so(3).basis[::-1] * 5.0).max() < 1e-12
    np.True_
    """
    qa = _flat_basis(a, "a")
    qb = _flat_basis(b, "b")
    if qa.shape[1] != qb.shape[1]:
        raise ValueError(
            f"a, b: generators must have the same size, got {qa.shape[1]} and {qb.shape[1]} entries"
        )
    return np.sort(scipy.linalg.subspace_angles(qa.T, qb.T))


def grassmann_distance(a, b) -> float:
    """Grassmann distance ``sqrt(sum theta_i^2)`` between two spans.

    When the dimensions differ, each missing dimension counts as an angle of pi/2
    (the distance of Ye and Lim between subspaces of different dimension), so that a
    wrong dimension is never at distance 0.

    Examples
    --------
    >>> from liesym.algebra import so
    >>> grassmann_distance(so(2), [[[0.0, -3.0], [3.0, 0.0]]])
    0.0
    """
    theta = principal_angles(a, b)
    ka, kb = _flat_basis(a, "a").shape[0], _flat_basis(b, "b").shape[0]
    extra = abs(ka - kb) * (np.pi / 2) ** 2
    return float(np.sqrt(np.sum(theta**2) + extra))


def matched_cosine(a, b) -> np.ndarray:
    """Generator-wise |cosine similarity| after optimal (Hungarian) matching.

    LieGAN's metric: each generator of ``a`` is paired with a distinct generator of ``b``
    so that the total |cos| is largest. It depends on the bases given, unlike
    :func:`principal_angles`.

    Parameters
    ----------
    a, b : LieAlgebra or array-like, shape=[k, n, n]

    Returns
    -------
    ndarray, shape=[min(k_a, k_b)]
        Matched |cos|, in the order of the matched generators of ``a``.

    Examples
    --------
    >>> from liesym.algebra import so
    >>> matched_cosine(so(3), so(3).basis[[2, 0, 1]] * -2.0)
    array([1., 1., 1.])
    """
    ga = _flat_generators(a, "a")
    gb = _flat_generators(b, "b")
    if ga.shape[1] != gb.shape[1]:
        raise ValueError("a, b: generators must have the same size")
    na = np.linalg.norm(ga, axis=1)
    nb = np.linalg.norm(gb, axis=1)
    if np.any(na == 0) or np.any(nb == 0):
        raise ValueError("a, b: zero generators have no direction")
    cos = np.abs(ga @ gb.T) / np.outer(na, nb)
    rows, cols = scipy.optimize.linear_sum_assignment(cos, maximize=True)
    return np.minimum(cos[rows, cols], 1.0)
