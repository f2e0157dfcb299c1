"""Monomial features of points: the one design matrix of every polynomial regression."""

from itertools import combinations_with_replacement

import numpy as np

__all__ = ["monomials"]


def monomials(z, degree: int) -> np.ndarray:
    """Monomials of the last axis of ``z`` of degrees 0..``degree``, graded.

    Within a degree the order is that of ``itertools.combinations_with_replacement`` over the
    coordinates (for degree 2: the upper triangle of ``z z^T`` row by row), the constant
    first.

    Parameters
    ----------
    z : array-like, shape=[..., n]
    degree : int

    Returns
    -------
    ndarray, shape=[..., q]

    Examples
    --------
    >>> monomials([[2.0, 3.0]], 2)
    array([[1., 2., 3., 4., 6., 9.]])
    """
    z = np.asarray(z, dtype=np.float64)
    cols = [
        np.prod(z[..., list(idx)], axis=-1)
        for p in range(degree + 1)
        for idx in combinations_with_replacement(range(z.shape[-1]), p)
    ]
    return np.stack(cols, axis=-1)
