"""Monomial features of points: the one design matrix of every polynomial regression."""

from itertools import combinations_with_replacement

import numpy as np

__all__ = ["monomials"]


def monomials(z, degree: int, *, min_degree: int = 0) -> np.ndarray:
    """Monomials of the last axis of ``z`` of degrees ``min_degree..degree``, graded.

    Within a degree the order is that of ``itertools.combinations_with_replacement`` over the
    coordinates (for degree 2: the upper triangle of ``z z^T`` row by row); the constant comes
    first when ``min_degree`` is 0.

    Parameters
    ----------
    z : array-like, shape=[..., n]
    degree : int
    min_degree : int, optional, default: 0

    Returns
    -------
    ndarray, shape=[..., q]

    Examples
    --------
    >>> monomials([[2.0, 3.0]], 2)
    array([[1., 2., 3., 4., 6., 9.]])
    >>> monomials([[2.0, 3.0]], 3, min_degree=3)
    array([[ 8., 12., 18., 27.]])
    """
    z = np.asarray(z, dtype=np.float64)
    cols = [
        np.prod(z[..., list(idx)], axis=-1)
        for p in range(min_degree, degree + 1)
        for idx in combinations_with_replacement(range(z.shape[-1]), p)
    ]
    if not cols:
        return np.zeros((*z.shape[:-1], 0))
    return np.stack(cols, axis=-1)
