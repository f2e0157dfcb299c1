"""The one place where floats become exact numbers.

Policy (stated once, used everywhere in :mod:`liesym.verify`):

1. A *canonical* basis of the numeric span is computed first: the reduced echelon form of the
   flattened (k, n*n) basis, with pivot columns chosen greedily by magnitude (ties broken by
   position). It depends on the span only, not on the stored orthonormal basis.
2. *Simple snap*: every entry must lie within ``tol`` of ``p/q`` with ``q <= max_denominator``
   (default ``floor(0.2 / sqrt(tol))``, i.e. 200 for ``tol = 1e-6``), or of ``(p/q) sqrt(d)``
   with ``d`` in (2, 3, 5, 6, 7) and ``q <= 12``. The bound makes the test meaningful:
   Dirichlet gives *every* real a fraction within ``1/q^2`` of it, and we demand ``tol``, which
   is at most ``0.04/q^2``; a random real passes for one entry with probability of a few percent
   and for a whole basis essentially never.
3. *Chart snap* (when 2 fails): an exact algebra ``H^-1 K H`` with ``K`` simple-snapped and ``H``
   a rational matrix close to a numeric chart (the square root of a numeric invariant form,
   and the translation to a numeric fixed point for affine algebras). Any rational ``H`` keeps
   the structure exact, so ``H`` may have large denominators.
4. Otherwise: refuse (``ExactBasis.matrices is None``) and say why.

Whichever route is taken, the certificates are proved for the snapped algebra, and the report
states how far it is from the numeric one (``snap_error``, entry-wise on the canonical basis, and
``span_distance``, the Grassmann distance of the spans).
"""

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import sympy
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from liesym._core import SNAP_TOL
from liesym.algebra import LieAlgebra, grassmann_distance

SURDS = (2, 3, 5, 6, 7)
SURD_MAX_DENOMINATOR = 12


def check_tol(tol) -> float:
    """Validate a snapping tolerance (a finite float in (0, 1))."""
    try:
        tol = float(tol)
    except (TypeError, ValueError):
        raise ValueError(f"tol: expected a positive float, got {tol!r}") from None
    if not (math.isfinite(tol) and 0.0 < tol < 1.0):
        raise ValueError(f"tol: expected a float in (0, 1), got {tol!r}")
    return tol


def default_max_denominator(tol: float) -> int:
    """Largest denominator of a simple snap: ``floor(0.2 / sqrt(tol))`` (at least 1).

    Examples
    --------
    >>> default_max_denominator(1e-6)
    200
    """
    return max(1, math.floor(0.2 / math.sqrt(check_tol(tol)) + 1e-9))


def rationalize(x: float, max_error: float) -> Fraction:
    """A fraction within ``max_error`` of ``x`` (denominator up to ``ceil(1/max_error)``).

    Used for charts and coefficients whose exact value does not matter, only that it is exact.

    Examples
    --------
    >>> rationalize(0.1234567, 1e-3)
    Fraction(10, 81)
    """
    bound = max(1, math.ceil(1.0 / max_error))
    return Fraction(float(x)).limit_denominator(bound)


def snap_scalar(x: float, tol: float, max_denominator: int):
    """Snap one float to ``p/q`` or ``(p/q) sqrt(d)`` (policy in the module docstring).

    Returns
    -------
    sympy.Expr or None
        The exact number, or None when no simple number lies within ``tol``.

    Examples
    --------
    >>> snap_scalar(0.7071067811865476, 1e-6, 200)
    sqrt(2)/2
    >>> snap_scalar(np.e, 1e-6, 200) is None
    True
    """
    x = float(x)
    sign = -1 if x < 0 else 1
    a = abs(x)
    if a <= tol:
        return sympy.Integer(0)
    f = Fraction(a).limit_denominator(max_denominator)
    if abs(a - f) <= tol:
        return sign * sympy.Rational(f.numerator, f.denominator)
    for d in SURDS:
        r = math.sqrt(d)
        f = Fraction(a / r).limit_denominator(SURD_MAX_DENOMINATOR)
        if f != 0 and abs(a - float(f) * r) <= tol:
            return sign * sympy.Rational(f.numerator, f.denominator) * sympy.sqrt(d)
    return None


def snap_array(x, tol: float, max_denominator: int):
    """Snap every entry of ``x``; returns ``(entries, worst)`` with entries None if any fails.

    ``worst`` is the largest entry-wise error, or the first entry that failed to snap.
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.empty(x.shape, dtype=object)
    worst = 0.0
    for idx, v in np.ndenumerate(x):
        s = snap_scalar(v, tol, max_denominator)
        if s is None:
            return None, float(v)
        out[idx] = s
        worst = max(worst, abs(float(s) - v))
    return out, worst


def surd_components(entries) -> dict[int, np.ndarray]:
    """Split snapped entries ``r`` or ``r sqrt(d)`` into rational arrays per d (1 for rationals)."""
    entries = np.asarray(entries, dtype=object)
    out: dict[int, np.ndarray] = {}
    for idx, e in np.ndenumerate(entries):
        roots = [a for a in sympy.preorder_traversal(e) if _is_sqrt(a)]
        d = int(roots[0].base) if roots else 1
        arr = out.setdefault(d, np.zeros(entries.shape, dtype=object))
        arr[idx] = sympy.nsimplify(e / sympy.sqrt(d)) if d > 1 else e
    return out


def field_of(entries) -> "sympy.polys.domains.Domain":
    """The smallest domain QQ or QQ<sqrt(d), ...> holding the snapped ``entries``."""
    surds = sorted(
        {int(a.base) for e in entries for a in sympy.preorder_traversal(e) if _is_sqrt(a)}
    )
    if not surds:
        return QQ
    return QQ.algebraic_field(*[sympy.sqrt(d) for d in surds])


def _is_sqrt(a) -> bool:
    return isinstance(a, sympy.Pow) and a.exp == sympy.Rational(1, 2) and a.base.is_Integer


def to_domain_matrix(entries, K) -> DomainMatrix:
    """A (r, c) array of exact sympy numbers (or Fractions) as a DomainMatrix over ``K``."""
    entries = np.asarray(entries, dtype=object)
    rows = [[_to_dom(v, K) for v in row] for row in entries]
    return DomainMatrix(rows, entries.shape, K)


def _to_dom(v, K):
    if isinstance(v, Fraction):
        return K.convert(QQ(v.numerator, v.denominator))
    return K.from_sympy(sympy.sympify(v))


def reshape(m: DomainMatrix, shape: tuple[int, int]) -> DomainMatrix:
    """Row-major reshape of a DomainMatrix."""
    return DomainMatrix.from_list_flat(m.flat(), shape, m.domain)


def to_float(x, K) -> float:
    """A domain element as a float."""
    if K == QQ:
        return float(x)
    return float(sympy.N(K.to_sympy(x), 20))


def float_array(m: DomainMatrix) -> np.ndarray:
    """A DomainMatrix as a float ndarray."""
    K = m.domain
    return np.array([[to_float(v, K) for v in row] for row in m.to_list()], dtype=np.float64)


def canonical_rows(flat: np.ndarray, tie_rtol: float = 1e-6) -> tuple[np.ndarray, tuple]:
    """Basis-independent reduced echelon form of the row space of ``flat`` (k, m), full rank.

    Pivot columns are chosen greedily by the norm of their residual in the column space of an
    orthonormal basis (which depends on the row space only); near-ties go to the lower index.

    Returns
    -------
    rows : ndarray, shape=[k, m]
        ``rows[:, pivots] == identity``; rows ordered by pivot.
    pivots : tuple of int
    """
    q = np.linalg.qr(np.asarray(flat, dtype=np.float64).T)[0].T  # orthonormal rows, same span
    resid = q.T.copy()  # column j as a vector of R^k
    pivots = []
    for _ in range(q.shape[0]):
        norms = np.linalg.norm(resid, axis=1)
        j = int(np.flatnonzero(norms >= (1.0 - tie_rtol) * norms.max())[0])
        pivots.append(j)
        u = resid[j] / norms[j]
        resid = resid - np.outer(resid @ u, u)
    pivots = sorted(pivots)
    return np.linalg.solve(q[:, pivots], q), tuple(pivots)


@dataclass(frozen=True, eq=False)
class ExactBasis:
    """An exact basis of the snapped algebra and the evidence of how it was obtained.

    Attributes
    ----------
    matrices : tuple of sympy.Matrix or None
        Exact basis (over ``domain``), in echelon form with the pivots of the numeric canonical
        basis (for chart snaps: ``H^-1 K_i H`` with K in echelon form); None when refused.
    kind : str or None
        "rational", "algebraic" (simple snap with square roots), "chart" (``H^-1 K H``), None.
    domain : str
        The number field, e.g. "QQ" or "QQ<sqrt(2)>".
    snap_error : float
        Largest entry-wise change of the canonical numeric basis (NaN when refused).
    span_distance : float
        Grassmann distance between the numeric span and the snapped span (NaN when refused).
    tol, max_denominator : float, int
        The policy used.
    chart : sympy.Matrix or None
        The rational ``H`` of a chart snap.
    reason : str
        How the basis was obtained, or why snapping was refused.
    algebra : LieAlgebra
        The numeric input.
    """

    matrices: tuple | None
    kind: str | None
    domain: str
    snap_error: float
    span_distance: float
    tol: float
    max_denominator: int
    chart: object
    reason: str
    algebra: LieAlgebra = field(repr=False)
    dm: tuple | None = field(default=None, repr=False)
    pivots: tuple | None = field(default=None, repr=False)
    chart_pair: tuple | None = field(default=None, repr=False)

    def coordinates(self, x: DomainMatrix) -> tuple[list, DomainMatrix]:
        """Exact coordinates of ``x`` in ``matrices`` and the part of ``x`` outside the span.

        The basis is in echelon form (identity at the pivot entries), after conjugation by
        the chart for chart snaps, so the coordinates are pivot entries.
        """
        y = x if self.chart_pair is None else self.chart_pair[0] * x * self.chart_pair[1]
        vals = y.flat()
        coords = [vals[p] for p in self.pivots]
        rest = x
        for c, e in zip(coords, self.dm, strict=True):
            if c != x.domain.zero:
                rest = rest - e * c
        return coords, rest

    @property
    def ok(self) -> bool:
        """Whether an exact basis is available."""
        return self.matrices is not None

    @property
    def K(self):
        """The sympy domain of the exact entries."""
        return self.dm[0].domain if self.dm else None

    @property
    def affine(self) -> bool:
        """Whether the algebra acts on homogeneous coordinates."""
        return self.algebra.affine


def check_algebra(algebra) -> LieAlgebra:
    """Reject anything that is not a LieAlgebra with a clear message."""
    if not isinstance(algebra, LieAlgebra):
        raise ValueError(
            f"algebra: expected a liesym.algebra.LieAlgebra, got {type(algebra).__name__}"
        )
    return algebra


def exact_basis(
    algebra: LieAlgebra, tol: float = SNAP_TOL, *, max_denominator: int | None = None
) -> ExactBasis:
    """Snap the span of ``algebra`` to an exact algebra (policy in the module docstring).

    Parameters
    ----------
    algebra : LieAlgebra
    tol : float, optional, default: ``SNAP_TOL`` (1e-6)
        Largest entry-wise change of the canonical basis.
    max_denominator : int, optional
        Denominator bound of the simple snap; default ``floor(0.2 / sqrt(tol))``.

    Returns
    -------
    ExactBasis

    Examples
    --------
    >>> from liesym.algebra import so
    >>> eb = exact_basis(so(3).conjugate(np.diag([1.0, 2.0, 4.0])))
    >>> eb.kind, eb.domain, len(eb.matrices)
    ('rational', 'QQ', 3)
    >>> eb.matrices[0]
    Matrix([
    [0, -1/4, 0],
    [1,    0, 0],
    [0,    0, 0]])
    """
    algebra = check_algebra(algebra)
    tol = check_tol(tol)
    if max_denominator is None:
        max_denominator = default_max_denominator(tol)
    elif not isinstance(max_denominator, int) or max_denominator < 1:
        raise ValueError(f"max_denominator: expected a positive int, got {max_denominator!r}")
    k, n = algebra.dim, algebra.n
    canon, pivots = canonical_rows(algebra.flat)
    common = dict(tol=tol, max_denominator=max_denominator, algebra=algebra)

    entries, worst = snap_array(canon, tol, max_denominator)
    chart = None
    if entries is not None:
        K = field_of(entries.ravel())
        mats = [to_domain_matrix(e.reshape(n, n), K) for e in entries]
        kind = "rational" if K == QQ else "algebraic"
        chart_pair, coord_pivots = None, pivots
        how = f"entries snapped within {tol:g} to p/q (q <= {max_denominator})" + (
            "" if K == QQ else f" or (p/q) sqrt(d) (q <= {SURD_MAX_DENOMINATOR})"
        )
    else:
        found = _chart_snap(algebra, tol, max_denominator)
        if isinstance(found, str):
            return ExactBasis(
                None,
                None,
                "",
                math.nan,
                math.nan,
                chart=None,
                reason=f"refused: the canonical-basis entry {worst:.9g} is not within {tol:g} of "
                f"any p/q (q <= {max_denominator}) or (p/q) sqrt(d); {found}",
                **common,
            )
        mats, chart_pair, coord_pivots, how = found
        chart = chart_pair[0].to_Matrix()
        kind = "chart"
    K = mats[0].domain
    flat = DomainMatrix([m.flat() for m in mats], (k, n * n), K)
    approx = float_array(flat)
    err = float(np.abs(np.linalg.solve(approx[:, pivots], approx) - canon).max())
    if err > tol:
        return ExactBasis(
            None,
            None,
            "",
            err,
            math.nan,
            chart=None,
            reason=f"refused: the nearest exact algebra found is {err:.3g} > tol away",
            **common,
        )
    dist = float(grassmann_distance(approx.reshape(k, n, n), algebra.basis))
    return ExactBasis(
        tuple(m.to_Matrix() for m in mats),
        kind,
        str(K),
        err,
        dist,
        chart=chart,
        reason=how,
        dm=tuple(mats),
        pivots=coord_pivots,
        chart_pair=chart_pair,
        **common,
    )


def _chart_snap(algebra: LieAlgebra, tol: float, max_denominator: int):
    """Exact ``H^-1 K H`` near the numeric algebra, or a string saying why there is none."""
    from liesym.verify._numeric import numeric_fixed_point, numeric_invariant_form

    n = algebra.n
    h = np.eye(n)
    notes = []
    lin = algebra.basis
    if algebra.affine:
        c, resid = numeric_fixed_point(algebra)
        if c is None or resid > tol:
            return "no chart: no common fixed point of the affine generators"
        h[:-1, -1] = -c  # homogeneous translation x -> x - c
        lin = algebra.linear_part
        notes.append("translation to the numeric fixed point")
    m = numeric_invariant_form(lin, tol)
    if m is not None:
        w, v = np.linalg.eigh(m)
        p = (v * np.sqrt(w)) @ v.T  # symmetric square root: p W p^-1 is skew
        p = p / np.abs(p).max()
        block = np.eye(n)
        block[: p.shape[0], : p.shape[0]] = p
        h = block @ h
        notes.append("square root of a numeric invariant form")
    if not notes:
        return "no chart: no numeric invariant form or fixed point to straighten the algebra"
    conj = h @ algebra.basis @ np.linalg.inv(h)
    canon, kpivots = canonical_rows(conj.reshape(algebra.dim, -1))
    entries, _ = snap_array(canon, tol, max_denominator)
    if entries is None:
        return "no chart: the straightened algebra has no simple exact basis either"
    K = field_of(entries.ravel())
    hq = np.array([[rationalize(v, min(1e-9, tol * 1e-3)) for v in row] for row in h], dtype=object)
    hq_dm = to_domain_matrix(hq, K)
    hq_inv = hq_dm.inv()
    mats = [hq_inv * to_domain_matrix(e.reshape(n, n), K) * hq_dm for e in entries]
    how = (
        "chart snap: H^-1 K H with K snapped within "
        f"{tol:g} and H a rational approximation of the chart ({', '.join(notes)})"
    )
    return mats, (hq_dm, hq_inv), kpivots, how
