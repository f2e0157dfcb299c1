"""Standard matrix Lie algebras as :class:`LieAlgebra` records."""

import numpy as np

from liesym.algebra._lie_algebra import LieAlgebra
from liesym.algebra.affine import generators_about, with_translations


def _check_n(n, name="n", minimum=1) -> int:
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {n!r}")
    return int(n)


def _unit(n: int, i: int, j: int) -> np.ndarray:
    e = np.zeros((n, n))
    e[i, j] = 1.0
    return e


def so_generators(n: int) -> np.ndarray:
    """Elementary skew-symmetric generators of so(n), shape (n(n-1)/2, n, n).

    For n = 2 this is ``J = [[0, -1], [1, 0]]``; for n = 3 the rotations about the
    x, y and z axes, in that order (``[L_x, L_y] = L_z``).

    Examples
    --------
    >>> so_generators(2)[0]
    array([[ 0., -1.],
           [ 1.,  0.]])
    """
    n = _check_n(n, minimum=2)
    if n == 3:
        lx = _unit(3, 2, 1) - _unit(3, 1, 2)
        ly = _unit(3, 0, 2) - _unit(3, 2, 0)
        lz = _unit(3, 1, 0) - _unit(3, 0, 1)
        return np.stack([lx, ly, lz])
    return np.stack([_unit(n, j, i) - _unit(n, i, j) for i in range(n) for j in range(i + 1, n)])


def so(n: int) -> LieAlgebra:
    """so(n): skew-symmetric n x n matrices (dimension n(n-1)/2).

    Examples
    --------
    >>> so(3).dim
    3
    """
    return LieAlgebra(so_generators(n), name=f"so({n})")


def so_pq(p: int, q: int) -> LieAlgebra:
    """so(p, q): matrices X with ``X^T eta + eta X = 0``, eta = diag(1_p, -1_q).

    Examples
    --------
    >>> so_pq(1, 1).dim
    1
    """
    p = _check_n(p, "p", 0)
    q = _check_n(q, "q", 0)
    n = p + q
    if n < 2:
        raise ValueError(f"p + q: expected at least 2, got {n}")
    eta = np.diag([1.0] * p + [-1.0] * q)
    gens = [eta @ (_unit(n, j, i) - _unit(n, i, j)) for i in range(n) for j in range(i + 1, n)]
    return LieAlgebra(np.stack(gens), name=f"so({p},{q})")


def se(n: int) -> LieAlgebra:
    """se(n) in homogeneous coordinates: (n+1) x (n+1) matrices ``[[W, b], [0, 0]]``, W skew.

    Examples
    --------
    >>> se(2).dim, se(2).n
    (3, 3)
    """
    n = _check_n(n)
    rotations = so_generators(n) if n >= 2 else np.zeros((0, n, n))
    return LieAlgebra(with_translations(rotations), affine=True, name=f"se({n})")


def translations(n: int) -> LieAlgebra:
    """Translations of R^n in homogeneous coordinates (abelian, dimension n)."""
    n = _check_n(n)
    shifts = with_translations(np.zeros((0, n, n)))
    return LieAlgebra(shifts, affine=True, name=f"translations({n})")


def sl(n: int) -> LieAlgebra:
    """sl(n, R): traceless n x n matrices (dimension n^2 - 1).

    Examples
    --------
    >>> sl(2).dim
    3
    """
    n = _check_n(n, minimum=2)
    gens = [_unit(n, i, j) for i in range(n) for j in range(n) if i != j]
    gens.extend(_unit(n, i, i) - _unit(n, i + 1, i + 1) for i in range(n - 1))
    return LieAlgebra(np.stack(gens), name=f"sl({n},R)")


def gl(n: int) -> LieAlgebra:
    """gl(n, R): all n x n matrices (dimension n^2)."""
    n = _check_n(n)
    return LieAlgebra(
        np.stack([_unit(n, i, j) for i in range(n) for j in range(n)]), name=f"gl({n},R)"
    )


def scaling(n: int) -> LieAlgebra:
    """Uniform scalings: the span of the identity (dimension 1, non-compact)."""
    n = _check_n(n)
    return LieAlgebra(np.eye(n)[None], name="scaling")


def torus(frequencies) -> LieAlgebra:
    """Commuting rotations of R^(2m): generator i is ``blockdiag(w[i, 0] J, ..., w[i, m-1] J)``.

    Parameters
    ----------
    frequencies : array-like, shape=[k, m] or [m]

    Examples
    --------
    >>> alg = torus([1.0, np.sqrt(2)])  # one generator, an irrational winding of T^2
    >>> alg.dim, alg.n
    (1, 4)
    """
    w = np.atleast_2d(np.asarray(frequencies, dtype=np.float64))
    if w.ndim != 2 or not np.all(np.isfinite(w)):
        raise ValueError(f"frequencies: expected a finite (k, m) array, got shape {w.shape}")
    k, m = w.shape
    j = so_generators(2)[0]
    gens = np.zeros((k, 2 * m, 2 * m))
    for b in range(m):
        gens[:, 2 * b : 2 * b + 2, 2 * b : 2 * b + 2] = w[:, b, None, None] * j
    return LieAlgebra(gens)


def rotation_about(center) -> LieAlgebra:
    """The affine generator of rotations of R^2 about ``center``: ``x -> J (x - c)``.

    Examples
    --------
    >>> w = rotation_about([1.0, 0.0]).basis[0] * np.sqrt(3)  # unit Frobenius norm stored
    >>> w.round(12) + 0.0
    array([[ 0., -1.,  0.],
           [ 1.,  0., -1.],
           [ 0.,  0.,  0.]])
    """
    c = np.asarray(center, dtype=np.float64)
    if c.shape != (2,) or not np.all(np.isfinite(c)):
        raise ValueError(f"center: expected a finite point of shape (2,), got {c.shape}")
    g = generators_about(so_generators(2), c)
    return LieAlgebra(g, affine=True, name="rotation about a point")
