"""Linearizability of affine algebras: an exact common fixed point and the translation chart."""

from dataclasses import dataclass, field

import numpy as np
import sympy
from sympy.polys.matrices import DomainMatrix

from liesym._core import SNAP_TOL
from liesym.verify._closure import as_exact_basis
from liesym.verify._exact import ExactBasis
from liesym.verify._field import column, is_zero, to_sympy_vector


@dataclass(frozen=True, eq=False)
class FixedPoint:
    """A common fixed point ``c`` (``W_i c + b_i = 0`` for all generators) and its chart.

    Attributes
    ----------
    linearizable : bool or None
    point : sympy.Matrix or None
        The fixed point c (column); None for linear algebras or when there is none.
    fixed_set_dim : int or None
        Dimension of the affine subspace of common fixed points.
    chart : sympy.Matrix or None
        Homogeneous matrix T of ``x -> x - c``: ``T X T^-1`` is linear for every generator
        (identity for linear algebras).
    witness : str or None
        Why no fixed point exists (a pure translation, or a left null vector y of the
        stacked ``W`` with ``y . b != 0``).
    numeric_residual : float
        ``max |W_i c + b_i|`` of the numeric orthonormal basis at the exact point.
    reason : str
    """

    linearizable: bool | None
    point: object
    fixed_set_dim: int | None
    chart: object
    witness: str | None
    numeric_residual: float
    reason: str
    basis: ExactBasis = field(repr=False)
    point_dm: object = field(default=None, repr=False)


def fixed_point(algebra, tol: float = SNAP_TOL) -> FixedPoint:
    """Solve ``W_i c + b_i = 0`` exactly for every generator of the snapped affine algebra.

    Parameters
    ----------
    algebra : LieAlgebra or ExactBasis
    tol : float, optional, default: ``SNAP_TOL``
        Snapping tolerance (ignored when an ExactBasis is given).

    Returns
    -------
    FixedPoint

    Examples
    --------
    >>> from liesym.algebra import rotation_about, se
    >>> fp = fixed_point(rotation_about([1.0, 2.0]))
    >>> fp.linearizable, list(fp.point)
    (True, [1, 2])
    >>> fixed_point(se(2)).linearizable
    False
    """
    eb = as_exact_basis(algebra, tol)
    if not eb.affine:
        n = eb.algebra.n
        return FixedPoint(
            True, None, None, sympy.eye(n), None, 0.0, "linear algebra: identity chart", eb
        )
    if not eb.ok:
        return FixedPoint(None, None, None, None, None, np.nan, eb.reason, eb)
    K = eb.K
    m = eb.algebra.n - 1
    rows_a, rows_b = [], []
    for i, x in enumerate(eb.dm):
        xl = x.to_list()
        w = [r[:m] for r in xl[:m]]
        b = [r[m] for r in xl[:m]]
        if all(v == K.zero for r in w for v in r) and any(v != K.zero for v in b):
            return FixedPoint(
                False,
                None,
                None,
                None,
                f"E_{i} is a pure translation (W = 0, b != 0): it moves every point",
                np.nan,
                "no common fixed point",
                eb,
            )
        rows_a.extend(w)
        rows_b.extend([-v for v in b])
    a = DomainMatrix(rows_a, (len(rows_a), m), K)
    aug = a.hstack(column(rows_b, K))
    rref, pivots = aug.rref()
    if m in pivots:  # a row [0 ... 0 | 1]: inconsistent; certify with a left null vector
        y = [row for row in a.transpose().nullspace().to_list()]
        bvec = column(rows_b, K)
        for row in y:
            yv = DomainMatrix([row], (1, len(row)), K)
            if not is_zero(yv * bvec):
                break
        return FixedPoint(
            False,
            None,
            None,
            None,
            "the equations W_i c = -b_i are inconsistent: a vector y with y^T W = 0 has "
            f"y^T b != 0 (y = {to_sympy_vector(row, K).T.tolist()[0]})",
            np.nan,
            "no common fixed point",
            eb,
        )
    sol = [K.zero] * m
    rl = rref.to_list()
    for r, p in enumerate(pivots):
        sol[p] = rl[r][m]
    c = column(sol, K)
    for x in eb.dm:  # exact check W c + b = 0
        xl = x.to_list()
        w = DomainMatrix([r[:m] for r in xl[:m]], (m, m), K)
        if not is_zero(w * c + column([r[m] for r in xl[:m]], K)):
            raise AssertionError("fixed point failed its exact check")  # pragma: no cover
    point = to_sympy_vector(sol, K)
    t = sympy.eye(m + 1)
    t[:m, m] = -point
    cf = np.array([float(v) for v in point], dtype=np.float64)
    num = float(np.abs(eb.algebra.linear_part @ cf + eb.algebra.translation_part).max())
    dim = m - len(pivots)
    return FixedPoint(
        True,
        point,
        dim,
        t,
        None,
        num,
        f"exact common fixed point c (fixed set of dimension {dim}); chart x -> x - c",
        eb,
        point_dm=c,
    )
