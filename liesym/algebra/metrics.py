"""Basis-free distances between spans of generators (the field's standard metrics)."""

import numpy as np
import scipy.linalg
import scipy.optimize

from liesym.algebra._lie_algebra import LieAlgebra
from liesym.algebra._ops import bracket, span_basis


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
    """Generator-wise absolute cosine similarity after optimal (Hungarian) matching.

    LieGAN's metric: each generator of ``a`` is paired with a distinct generator of ``b``
    so that the total ``|cos|`` is largest. It depends on the bases given, unlike
    :func:`principal_angles`.

    Parameters
    ----------
    a, b : LieAlgebra or array-like, shape=[k, n, n]

    Returns
    -------
    ndarray, shape=[min(k_a, k_b)]
        Matched ``|cos|``, in the order of the matched generators of ``a``.

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


def null_space_angle(singular_values, dim: int) -> float:
    """First-order angle between an estimated SVD null space and the exact one.

    For a constraint matrix A = A_0 + E whose exact null space has dimension ``dim``, the
    estimated null vectors v have residuals ``A v`` of the size of the perturbation in the
    null directions, and first-order perturbation theory moves them by ``-A^+ E v``. With
    ``E v`` spread evenly over the signal directions this is
    ``|s_null| sqrt(mean(1 / s_signal^2))``, s_null the ``dim`` smallest singular values and
    s_signal the others. An estimate (not a bound): it is the noise floor of the spectrum
    turned into an angle.

    Parameters
    ----------
    singular_values : array-like, shape=[p]
        Ascending singular values of the stacked constraints.
    dim : int
        Dimension of the null space (the number of symmetry directions).

    Returns
    -------
    float
        Radians; ``nan`` when ``dim`` is 0 or equals p.

    Examples
    --------
    >>> round(null_space_angle([1e-3, 1.0, 2.0], 1), 6)
    0.000791
    """
    s = np.sort(np.asarray(singular_values, dtype=np.float64))
    if not 0 < dim < s.size or s[dim] <= 0:
        return float("nan")
    return float(np.linalg.norm(s[:dim]) * np.sqrt(np.mean(1.0 / s[dim:] ** 2)))


def transverse_angle(a: LieAlgebra, b: LieAlgebra) -> float:
    """Angle between two nearby spans after removing what a conjugation can explain.

    Closedness, compactness, the isomorphism class and a common fixed point are invariant under
    conjugation ``W -> g W g^-1`` (g in GL(n), or in the affine group for affine algebras), so
    only the part of the difference between ``a`` and ``b`` transverse to the conjugation orbit
    of ``b`` can change them. To first order the orbit's tangent directions at ``b`` are the
    ``[X, W_j]``: the normal component of ``a`` (rows of its orthonormal basis outside ``b``) is
    fitted by them in least squares over X, and the largest singular value of what remains is
    returned. Zero (to second order) when ``a`` is a slightly conjugated ``b``; equal to the
    largest principal angle when the difference is orthogonal to every conjugation (e.g. the
    trace of a planar rotation, which turns it into a spiral).

    Parameters
    ----------
    a, b : LieAlgebra
        Spans of the same dimension on the same space, both linear or both affine.

    Returns
    -------
    float
        Radians (first order in the distance between the spans).

    Examples
    --------
    >>> from liesym.algebra import LieAlgebra, so
    >>> j = so(2).basis[0]
    >>> ellipse = LieAlgebra([[[0.0, -1.0], [1.02, 0.0]]])  # a conjugate of so(2)
    >>> spiral = LieAlgebra([j + 0.02 * np.eye(2)])  # not a conjugate: the trace
    >>> round(transverse_angle(ellipse, so(2)), 6), round(transverse_angle(spiral, so(2)), 4)
    (0.0, 0.0283)
    """
    if not isinstance(a, LieAlgebra) or not isinstance(b, LieAlgebra):
        raise TypeError(f"a, b: expected LieAlgebra, got {type(a).__name__} and {type(b).__name__}")
    if a.n != b.n or a.dim != b.dim or a.affine != b.affine:
        raise ValueError(
            "a, b: expected spans of the same dimension on the same space (both linear or both "
            f"affine), got dim {a.dim} on n={a.n} and dim {b.dim} on n={b.n}"
        )
    u, t = a.flat, b.flat
    k, n = b.dim, b.n
    normal = np.eye(t.shape[1]) - t.T @ t
    coeff = u @ t.T  # rows of a in b's basis (to first order)
    residual = u @ normal  # (k, n^2): a's rows outside b
    free = np.ones((n, n), dtype=bool)
    if b.affine:
        free[-1, :] = False  # the affine group: homogeneous last row stays fixed
    # Orbit directions of a's rows for each elementary X = E_pq: sum_j C_ij P [E_pq, W_j].
    units = np.eye(n * n)[free.ravel()].reshape(-1, n, n)  # (P, n, n)
    br = bracket(units[:, None], b.basis[None]).reshape(len(units), k, -1) @ normal
    basis = (coeff @ br).reshape(len(units), -1).T
    fit, *_ = np.linalg.lstsq(basis, residual.ravel(), rcond=None)
    rest = (residual.ravel() - basis @ fit).reshape(k, -1)
    return float(np.linalg.svd(rest, compute_uv=False)[0])
