"""Linearizability of affine algebras: an exact common fixed point and the translation to it."""

from dataclasses import dataclass, field

import numpy as np
import sympy
from sympy.polys.matrices import DomainMatrix

from liesym._core import SNAP_TOL
from liesym.verify._answer import Verdict
from liesym.verify._closure import as_exact_basis
from liesym.verify._exact import ExactBasis
from liesym.verify._field import column, is_zero, rows_of, to_sympy_vector
from liesym.verify._robust import charts, in_every_chart, no_fixed_point


@dataclass(frozen=True, eq=False)
class FixedPoint(Verdict):
    """A common fixed point ``c`` (``W_i c + b_i = 0`` for all generators).

    Attributes
    ----------
    answer : bool or None
        ``linearizable`` (also available under that name): the affine group acts linearly in
        the coordinates ``x - c``.
    point : sympy.Matrix or None
        The fixed point c (column, input coordinates); None for linear algebras or none found.
    fixed_set_dim : int or None
        Dimension of the affine subspace of common fixed points.
    translation : sympy.Matrix or None
        Homogeneous matrix T of ``x -> x - c``: ``T X T^-1`` is linear for every generator
        (identity for linear algebras).
    witness : str or None
        Why no fixed point exists.
    numeric_residual : float
        ``max |W_i c + b_i|`` of the numeric orthonormal basis at the exact point.
    """

    point: object = None
    fixed_set_dim: int | None = None
    translation: object = None
    witness: str | None = None
    numeric_residual: float = float("nan")
    basis: ExactBasis | None = field(default=None, repr=False)
    point_dm: object = field(default=None, repr=False)  # the point in the chart (domain elements)

    @property
    def linearizable(self) -> bool | None:
        """The answer to: is there a common fixed point (a linear chart)."""
        return self.answer


def fixed_point(algebra, tol: float = SNAP_TOL) -> FixedPoint:
    """Solve ``W_i c + b_i = 0`` exactly for every generator of the exact affine algebra.

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
    n = eb.algebra.n
    if not eb.affine:
        return FixedPoint.proved(
            "linear algebra: the identity chart", translation=sympy.eye(n), numeric_residual=0.0
        )
    robust = in_every_chart(no_fixed_point, charts(eb))
    if not eb.ok:
        if robust is not None:
            return FixedPoint.refuted(robust, witness=robust, basis=eb)
        return FixedPoint.undecided(eb.reason, basis=eb)
    K = eb.K
    m = n - 1
    rows_a, rows_b = [], []
    for x in eb.dm:
        xl = x.to_dense().to_list()
        rows_a.extend(r[:m] for r in xl[:m])
        rows_b.extend(-r[m] for r in xl[:m])
    a = DomainMatrix(rows_a, (len(rows_a), m), K)
    rref, pivots = a.hstack(column(rows_b, K)).rref()
    if m in pivots:  # a row [0 ... 0 | 1]: inconsistent; certify with a left null vector
        bvec = column(rows_b, K)
        y = next(
            row
            for row in a.transpose().nullspace().to_dense().to_list()
            if not is_zero(DomainMatrix([row], (1, len(row)), K) * bvec)
        )
        witness = (
            "the equations W_i c = -b_i are inconsistent: a vector y with y^T W = 0 has "
            f"y^T b != 0 (y = {to_sympy_vector(y, K).T.tolist()[0]})"
        )
        if robust is not None:
            return FixedPoint.refuted(robust, witness=robust, basis=eb)
        if eb.exact_input:
            return FixedPoint.refuted(
                f"no common fixed point of the exact input: {witness}", witness=witness, basis=eb
            )
        return FixedPoint.undecided(
            f"the exact algebra has no common fixed point ({witness}), but an algebra within "
            "tol may have one far away (e.g. a rotation about a distant point is within tol of "
            "a translation)",
            witness=witness,
            basis=eb,
        )
    sol = [K.zero] * m
    rl = rows_of(rref)
    for r, p in enumerate(pivots):
        sol[p] = rl.get(r, {}).get(m, K.zero)
    point = eb.point_to_input(sol)
    point_s = to_sympy_vector(point, K)
    t = sympy.eye(m + 1)
    t[:m, m] = -point_s
    cf = np.array([float(sympy.N(v, 20)) for v in point_s], dtype=np.float64)
    alg = eb.algebra
    num = float(np.abs(alg.linear_part @ cf + alg.translation_part).max())
    dim = m - len(pivots)
    if robust is not None:  # pragma: no cover - the margins exclude this; never guess
        return FixedPoint.undecided(f"inconsistent: an exact fixed point exists, yet {robust}")
    return FixedPoint.proved(
        f"exact common fixed point c (fixed set of dimension {dim}); linear in x - c",
        point=point_s,
        fixed_set_dim=dim,
        translation=t,
        numeric_residual=num,
        basis=eb,
        point_dm=sol,
    )
