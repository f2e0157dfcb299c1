"""The one place where floats become exact numbers.

Policy (stated once, used everywhere in :mod:`liesym.verify`):

1. **Balance** (:func:`liesym.verify._charts.balance`): translate an affine algebra to its
   numeric common fixed point and equilibrate every algebra by a diagonal similarity, both
   exact rationals. Tolerances and distances are measured in this *balanced* chart, where
   every significant entry has a comparable magnitude, so the answers do not depend on
   scalings of the generators, diagonal changes of coordinates or where the fixed point is.
2. **Canonical basis**: the reduced echelon form of the balanced span, pivots chosen greedily
   by magnitude (it depends on the span only, not on the basis given).
3. **Snap** every entry of the canonical basis to ``p/q`` with ``q <= Q = floor(0.2/sqrt(tol))``
   or ``(p/q) sqrt(d)`` with ``d`` in (2, 3, 5, 6, 7) and ``q <= floor(0.1/sqrt(tol))``, within
   ``tol``. Candidates are then at least ``25 tol`` apart, so a snap is unambiguous, and the
   chance that a generic real passes is a few percent per entry (for a whole basis, nil).
4. If the balanced chart has no simple exact basis, try other charts ``R`` (rounded to exact
   rationals) in which the algebra may be simpler: the square root of a numeric invariant
   form, followed by the Schur basis of a generic element (compact candidates), and the
   eigenvector basis of a generic element (any algebra). In chart ``R`` the entries are
   snapped within ``tol / cond(R)``.
5. The exact algebra is ``E = H^-1 K H`` with ``K`` the snapped simple basis and ``H = R B``
   the exact chart. It is accepted only when its balanced canonical basis lies within
   ``tol`` of the input's (the distance d, reported). Every certificate is proved for ``K``
   and carried back to ``E`` through ``H``.

The report states whether ``d`` is at the rounding level of the data (then ``E`` *is* the
input, written in floats, and the certificates are about the input) or larger (then they are
about ``E``, at distance d). Every chart that yields an exact algebra is kept: when two of them
disagree on an answer, the answer is undecided (the problem is ill-conditioned at this tol).
"""

import math
from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np
import sympy
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from liesym._core import SNAP_TOL
from liesym.algebra import LieAlgebra, grassmann_distance
from liesym.verify._charts import (
    EPS,
    Balancing,
    balance,
    eigen_chart,
    fraction_float,
    invariant_form_chart,
    natural_condition,
    orthonormal,
    rational_matrix,
    schur_chart,
)
from liesym.verify._field import rows_of, sparse

SURDS = (2, 3, 5, 6, 7)
#: Largest meaningful tolerance: the snap's denominator bound ``floor(0.2/sqrt(tol))`` is 1
#: there, and candidates (the integers) are still 25 tol apart. Beyond it a snap is a guess.
TOL_MAX = 0.04
#: Smallest tolerance accepted at all (a few thousand ulps of unit-size entries); the data's own
#: rounding level, which the balancing chart can raise, is checked too.
TOL_MIN = 1e-13
# A chart whose condition number times tol exceeds this is too ill-conditioned to snap in.
CHART_CONDITION_MAX = 0.1
# The exact pass only runs when the data's rounding level allows a strict snap (denominators
# up to 0.2 / sqrt(1e-6) = 200 at the least); data rounded worse than that is never "exact".
EXACT_PASS_MAX = 1e-6
# The exact pass tries denominators up to 0.02 / sqrt(tol) (a tenth of the policy's bound): a
# noisy value then passes for an exact one with probability ~2e-4 per entry, not ~2e-2.
EXACT_STRICTNESS = 0.1


def check_tol(tol, name: str = "tol") -> float:
    """Validate a snapping tolerance: a float in [``TOL_MIN``, ``TOL_MAX``].

    Examples
    --------
    >>> check_tol(1e-6)
    1e-06
    """
    if isinstance(tol, bool) or not isinstance(tol, int | float | np.integer | np.floating):
        raise TypeError(f"{name}: expected a float, got {type(tol).__name__}")
    tol = float(tol)
    if not math.isfinite(tol) or tol <= 0:
        raise ValueError(f"{name}: expected a positive finite float, got {tol!r}")
    if tol > TOL_MAX:
        raise ValueError(
            f"{name}: {tol:g} is too large to mean anything: above {TOL_MAX:g} the snap may "
            "move entries by more than the distance between the simplest numbers (the "
            f"integers); use a tolerance in [{TOL_MIN:g}, {TOL_MAX:g}]"
        )
    if tol < TOL_MIN:
        raise ValueError(
            f"{name}: {tol:g} is below the rounding level of float data (about {TOL_MIN:g} "
            "for unit-size entries): rounding errors would count as structure and give false "
            f"answers; use a tolerance in [{TOL_MIN:g}, {TOL_MAX:g}]"
        )
    return tol


def max_denominator(tol: float) -> int:
    """Largest denominator of a rational snap: ``floor(0.2 / sqrt(tol))`` (at least 1).

    Examples
    --------
    >>> max_denominator(1e-6)
    200
    """
    return max(1, math.floor(0.2 / math.sqrt(tol) + 1e-9))


def surd_denominator(tol: float) -> int:
    """Largest q of a snap to ``(p/q) sqrt(d)``: ``floor(0.1 / sqrt(tol))`` (may be 0)."""
    return math.floor(0.1 / math.sqrt(tol) + 1e-9)


def snap_scalar(x: float, tol: float, q_max: int, q_surd: int):
    """Snap one float to ``(Fraction, d)`` meaning ``p/q sqrt(d)`` (d = 1: rational), or None.

    Examples
    --------
    >>> snap_scalar(0.7071067811865476, 1e-6, 200, 100)
    (Fraction(1, 2), 2)
    >>> snap_scalar(np.e, 1e-6, 200, 100) is None
    True
    """
    x = float(x)
    a = abs(x)
    if a <= tol:
        return Fraction(0), 1
    sgn = -1 if x < 0 else 1
    f = Fraction(a).limit_denominator(q_max)
    if abs(a - f) <= tol:
        return sgn * f, 1
    if q_surd >= 1:
        for d in SURDS:
            r = math.sqrt(d)
            f = Fraction(a / r).limit_denominator(q_surd)
            if f != 0 and abs(a - float(f) * r) <= tol:
                return sgn * f, d
    return None


def snap_rows(rows: np.ndarray, tol: float, strict: float = 1.0) -> tuple[list | None, float]:
    """Snap every entry of ``rows`` (k, m); returns ``(snapped, worst)``.

    ``snapped[i]`` is ``{column: (Fraction, d)}`` for the non-zero entries of row i, or the
    whole result is None when an entry has no simple number within tol (``worst`` is then
    that entry). ``strict`` scales the denominator bounds (the exact pass uses 0.1: a chance
    of about 2e-4 per entry that a noisy value passes as an exact one).
    """
    q_max = max(1, math.floor(strict * max_denominator(tol)))
    q_surd = math.floor(strict * surd_denominator(tol))
    out = []
    worst = 0.0
    for row in np.asarray(rows, dtype=np.float64):
        snapped = {}
        for j, v in enumerate(row):
            s = snap_scalar(v, tol, q_max, q_surd)
            if s is None:
                return None, float(v)
            if s[0] != 0:
                snapped[j] = s
            worst = max(worst, abs(float(s[0]) * math.sqrt(s[1]) - v))
        out.append(snapped)
    return out, worst


def canonical_rows(flat: np.ndarray, tie_rtol: float = 1e-6) -> tuple[np.ndarray, tuple, float]:
    """Basis-independent reduced echelon form of the row space of ``flat`` (k, m), full rank.

    Pivot columns are chosen greedily by the norm of their residual in the column space of an
    orthonormal basis (which depends on the row space only); near-ties go to the lower index.

    Returns
    -------
    rows : ndarray, shape=[k, m]
        ``rows[:, pivots] == identity``; rows ordered by pivot.
    pivots : tuple of int
    amplification : float
        ``|(Q[:, pivots])^-1|_2`` for the orthonormal rows Q: how much the echelon form
        amplifies errors of an orthonormal basis.
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
    block = q[:, pivots]
    return np.linalg.solve(block, q), tuple(pivots), float(1.0 / np.linalg.svd(block)[1][-1])


def _domain(snapped: list):
    surds = sorted({d for row in snapped for _, d in row.values() if d > 1})
    if not surds:
        return QQ
    return QQ.algebraic_field(*[sympy.sqrt(d) for d in surds])


def _element(value: tuple, K):
    f, d = value
    q = QQ(f.numerator, f.denominator)
    if d == 1:
        return K.convert(q)
    return K.convert(q) * K.from_sympy(sympy.sqrt(d))


def fraction_dm(m: np.ndarray, K=QQ) -> DomainMatrix:
    """An object array of Fractions as a sparse DomainMatrix over ``K``."""
    vals = {
        (i, j): K.convert(QQ(v.numerator, v.denominator))
        for (i, j), v in np.ndenumerate(m)
        if v != 0
    }
    return sparse(vals, m.shape, K)


def float_matrix(m: DomainMatrix) -> np.ndarray:
    """A DomainMatrix as a float ndarray."""
    K = m.domain
    out = np.zeros(m.shape)
    for i, row in rows_of(m).items():
        for j, v in row.items():
            out[i, j] = float(v) if K == QQ else float(sympy.N(K.to_sympy(v), 20))
    return out


def _is_identity(m: np.ndarray) -> bool:
    n = m.shape[0]
    return all(m[i, j] == (1 if i == j else 0) for i in range(n) for j in range(n))


@dataclass(frozen=True, eq=False)
class ExactBasis:
    """The exact algebra certified for a numeric one, and how it was obtained.

    The exact algebra has the basis ``matrices`` = ``E_i = H^-1 K_i H``: ``K_i`` (``simple``) is
    a simple exact basis in the chart ``H`` (``chart``), where every certificate is computed.

    Attributes
    ----------
    matrices : tuple of sympy.Matrix or None
        Exact basis E in the input's coordinates; None when no exact algebra was found.
    simple : tuple of sympy.Matrix or None
        The simple basis K (echelon form), ``K_i = H E_i H^-1``.
    chart : sympy.Matrix or None
        The exact change of coordinates H (homogeneous for affine algebras).
    chart_steps : tuple of str
        How H was built (translation, diagonal equilibration, invariant form, Schur basis...).
    domain : str
        The number field of K, e.g. "QQ" or "QQ<sqrt(2)>".
    distance : float
        d: the largest entry-wise change of the canonical basis in the balanced chart, from
        the input to E (NaN when refused). At most ``tol``.
    span_distance : float
        Grassmann distance between the input's span and E's, in the input's coordinates.
    exact_input : bool
        d is at the rounding level of the data: E is the input itself, written in floats.
    rounding : float
        Rounding level of the balanced data.
    condition : float
        Condition number of the chart used after balancing (1 for the balanced chart).
    tol : float
    max_denominator : int
    reason : str
        How E was obtained, or why no exact algebra was found.
    algebra : LieAlgebra
        The numeric input.

    Examples
    --------
    >>> from liesym.algebra import LieAlgebra, so
    >>> from liesym.verify import exact_basis
    >>> eb = exact_basis(so(3))
    >>> eb.ok, eb.domain, eb.exact_input
    (True, 'QQ', True)
    >>> noisy = LieAlgebra(so(3).basis + 1e-4 * np.random.default_rng(0).normal(size=(3, 3, 3)))
    >>> exact_basis(noisy).ok  # the noise is far above the default tol = 1e-6
    False
    >>> eb = exact_basis(noisy, tol=1e-3)
    >>> eb.ok, eb.exact_input, bool(eb.distance < 1e-3)
    (True, False, True)
    """

    matrices: tuple | None
    simple: tuple | None
    chart: object
    chart_steps: tuple
    domain: str
    distance: float
    span_distance: float
    exact_input: bool
    rounding: float
    condition: float
    tol: float
    max_denominator: int
    reason: str
    algebra: LieAlgebra = field(repr=False)
    dm: tuple | None = field(default=None, repr=False)
    pivots: tuple | None = field(default=None, repr=False)
    chart_dm: tuple | None = field(default=None, repr=False)
    balancing: Balancing | None = field(default=None, repr=False)
    metric: Balancing | None = field(default=None, repr=False)
    compact_hint: str | None = field(default=None, repr=False)
    natural_condition: float = field(default=1.0, repr=False)
    ill_posed: str | None = field(default=None, repr=False)
    angle: float | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """Whether an exact algebra is available."""
        return self.matrices is not None

    @property
    def K(self):
        """The sympy domain of the simple basis."""
        return self.dm[0].domain if self.dm else None

    @property
    def affine(self) -> bool:
        """Whether the algebra acts on homogeneous coordinates."""
        return self.algebra.affine

    @property
    def dim(self) -> int:
        """Dimension of the algebra."""
        return self.algebra.dim

    def coordinates(self, x: DomainMatrix) -> tuple[list, DomainMatrix]:
        """Exact coordinates of ``x`` (in the chart) in ``simple`` and the part outside the span.

        The simple basis is in echelon form (identity at the pivot entries), so the
        coordinates are the pivot entries of x.
        """
        n = x.shape[1]
        rows = rows_of(x)
        K = x.domain
        coords = [rows.get(p // n, {}).get(p % n, K.zero) for p in self.pivots]
        rest = x
        for c, e in zip(coords, self.dm, strict=True):
            if c != K.zero:
                rest = rest - e * c
        return coords, rest

    def to_input(self, m: DomainMatrix) -> DomainMatrix:
        """``H^-1 m H``: a matrix of the chart in the input's coordinates."""
        return m if self.chart_dm is None else _conjugate_back(m, self.chart_dm)

    def form_to_input(self, m: DomainMatrix) -> DomainMatrix:
        """``H^T m H``: a bilinear form of the chart in the input's coordinates."""
        if self.chart_dm is None:
            return m
        h = self.chart_dm[0].convert_to(m.domain)
        return h.transpose() * m * h

    def point_to_input(self, c: list) -> list:
        """The point (homogeneous ``(c, 1)`` in the chart) in the input's coordinates."""
        if self.chart_dm is None:
            return c
        K = self.K
        hinv = self.chart_dm[1].convert_to(K)
        v = DomainMatrix([[x] for x in [*c, K.one]], (len(c) + 1, 1), K)
        w = (hinv * v).to_dense().to_list()
        last = w[-1][0]
        return [K.quo(r[0], last) for r in w[:-1]]


def check_algebra(algebra) -> LieAlgebra:
    """Reject anything that is not a LieAlgebra with a clear message."""
    if not isinstance(algebra, LieAlgebra):
        raise TypeError(
            f"algebra: expected a liesym.algebra.LieAlgebra, got {type(algebra).__name__}"
        )
    return algebra


def _refused(algebra, tol, reason, metric=None) -> ExactBasis:
    return ExactBasis(
        None,
        None,
        None,
        (),
        "",
        math.nan,
        math.nan,
        False,
        math.nan if metric is None else metric.rounding,
        math.nan,
        tol,
        max_denominator(tol),
        reason,
        algebra,
        balancing=metric,
        metric=metric,
    )


def refused_basis(algebra: LieAlgebra, tol: float, reason: str) -> ExactBasis:
    """No exact algebra (e.g. tol too large to snap): the balanced input for refutations only."""
    return _refused(algebra, tol, reason, balance(algebra.basis, algebra.affine, min(tol, TOL_MAX)))


@dataclass(frozen=True)
class _Metric:
    """The balanced chart in which distances are measured, and the input's canonical basis."""

    balancing: Balancing
    canon: np.ndarray
    pivots: tuple
    rounding: float

    @classmethod
    def of(cls, bal: Balancing, spread: float = 1.0) -> "_Metric":
        """``spread``: conditioning of the input's own generators (rounding of its basis)."""
        k = bal.basis.shape[0]
        canon, pivots, amp = canonical_rows(bal.basis.reshape(k, -1))
        return cls(bal, canon, pivots, bal.rounding * amp * spread)


def _metric_of(algebra: LieAlgebra, tol: float) -> tuple[_Metric, float]:
    """The balanced chart at tol and the conditioning of the input's generators."""
    k = algebra.dim
    # The orthonormal basis of nearly dependent generators is only known to eps / sigma_rel.
    sv = algebra.input_singular_values
    spread = float(sv[0] / sv[k - 1]) if sv.size >= k and sv[k - 1] > 0 else 1.0
    return _Metric.of(balance(algebra.basis, algebra.affine, tol, spread=spread), spread), spread


def input_rounding(algebra: LieAlgebra, spread: float) -> float:
    """Rounding level of the input's canonical basis in its own coordinates."""
    return 4.0 * EPS * spread * canonical_rows(algebra.flat)[2]


def rounding_level(algebra: LieAlgebra, tol: float = SNAP_TOL) -> float:
    """Rounding level of the input's balanced canonical basis (tol must exceed ten times it)."""
    return _metric_of(check_algebra(algebra), min(check_tol(tol), TOL_MAX))[0].rounding


def _identity(n: int) -> np.ndarray:
    return np.array([[Fraction(int(i == j)) for j in range(n)] for i in range(n)], dtype=object)


def _charts(metric: Balancing, other: Balancing, affine: bool, tol: float):
    """Candidate exact charts at tol: (name, exact chart H, condition relative to the metric).

    The input's own coordinates come first (the simplest E when it is within tol there, e.g.
    noise that the balancing would otherwise absorb into the chart); every candidate must be
    within tol in the balanced chart as well.
    """
    yield "input coordinates", _identity(metric.chart.shape[0]), None
    yield "balanced chart", metric.chart, 1.0
    if any(a != b for a, b in zip(other.chart.ravel(), metric.chart.ravel(), strict=True)):
        yield "balanced chart of the exact pass", other.chart, None
    for name, build in (
        ("square root of a numeric invariant form", invariant_form_chart),
        ("invariant form, then the Schur basis of a generic element", schur_chart),
        ("eigenvectors of a generic element, balanced", eigen_chart),
    ):
        try:
            r = build(metric.basis, affine, tol)
        except (np.linalg.LinAlgError, ValueError):  # pragma: no cover - numeric corner cases
            r = None
        if r is None:
            continue
        kappa = float(np.linalg.cond(r))
        if not np.isfinite(kappa) or kappa * tol > CHART_CONDITION_MAX:
            yield name, f"chart condition number {kappa:.3g} too large for tol {tol:g}", kappa
            continue
        # Rounding the chart is harmless (any rational chart keeps E exact); keep it tight so
        # that the snapped algebra stays close to the input.
        yield name, _matmul(rational_matrix(r, 1e-3 * tol / kappa), metric.chart), kappa


def exact_bases(
    algebra: LieAlgebra, tol: float = SNAP_TOL, *, first_only: bool = False
) -> list[ExactBasis]:
    """Every distinct exact algebra found within ``tol`` (policy in the module docstring).

    The exact pass comes first: the same snap at the rounding level of the data (a denominator
    bound ``Q`` of about 10^6), in the input's coordinates and in a chart balanced down to the
    rounding level. When it succeeds the input *is* an exact algebra written in floats and that
    algebra is the only answer. Otherwise the charts of the policy are tried at ``tol``; the
    distance d is measured in the chart balanced at ``tol`` (entries below tol do not steer it,
    so noise is not magnified).

    Returns a list of successful :class:`ExactBasis` records (distinct simple bases), or a
    one-element list with the refusal when none was found.
    """
    algebra = check_algebra(algebra)
    tol = check_tol(tol)
    n = algebra.n
    metric, spread = _metric_of(algebra, tol)
    # The data's own rounding (input coordinates) decides which tolerances make sense at all;
    # the balancing can magnify it further, which makes the balanced problem ill-conditioned.
    raw = input_rounding(algebra, spread)
    if tol < 10.0 * raw:
        raise ValueError(
            f"tol: {tol:g} is below ten times the rounding level {raw:.2g} of this input (its "
            "generators are only known to that precision): rounding errors would count as "
            f"structure; use tol >= {10.0 * raw:.2g}"
        )
    if tol < 10.0 * metric.rounding:
        return [
            _refused(
                algebra,
                tol,
                f"refused: ill-conditioned at tol {tol:g}: the balanced chart "
                f"({'; '.join(metric.balancing.steps) or 'input coordinates'}) magnifies the "
                f"rounding of the data to {metric.rounding:.2g}, so tol cannot tell structure "
                "from rounding there",
                metric.balancing,
            )
        ]
    fine = _Metric.of(
        balance(algebra.basis, algebra.affine, tol, pattern=0.0, spread=spread), spread
    )
    tol_exact = max(TOL_MIN, 10.0 * fine.rounding)
    if tol_exact < tol and tol_exact <= EXACT_PASS_MAX:
        for name, h in (
            ("input coordinates", _identity(n)),
            ("balanced chart", fine.balancing.chart),
        ):
            got = _snap_in_chart(algebra, fine, metric, h, name, tol_exact, tol_exact, 1.0, tol)
            if not isinstance(got, str):
                return [got]
    found: list[ExactBasis] = []
    seen: list[tuple] = []
    notes = []
    hint = None
    for name, h, kappa in _charts(metric.balancing, fine.balancing, algebra.affine, tol):
        if "invariant form" in name and hint is None:
            hint = (
                "a numeric positive definite invariant form exists (its chart has condition "
                f"number {kappa:.3g}), so a compact algebra may lie within tol"
            )
        if isinstance(h, str):
            notes.append(f"{name}: {h}")
            continue
        got = _snap_in_chart(
            algebra, metric, metric, h, name, tol, 10.0 * metric.rounding, kappa or 1.0, tol
        )
        if isinstance(got, str):
            notes.append(f"{name}: {got}")
            continue
        key = (got.domain, got.simple)
        if key in seen:
            continue
        seen.append(key)
        found.append(got)
        if first_only and hint is None:
            break
    if found:
        lin = metric.balancing.basis
        ill_posed = None
        if algebra.affine:
            w_scale = float(np.abs(algebra.basis[:, :-1, :-1]).max())
            if 0.0 < w_scale <= tol:
                # A translation is within tol of rotations about points ~1/w_scale away, and
                # the reverse: which one the input is, tol cannot tell.
                ill_posed = (
                    f"the linear parts are {w_scale:.2g} of the generators, below tol: "
                    "translations and motions about points that far away are all within tol"
                )
        facts = dict(
            compact_hint=hint,
            natural_condition=natural_condition(lin[:, :-1, :-1] if algebra.affine else lin, tol),
            ill_posed=ill_posed,
        )
        return [replace(eb, **facts) for eb in found]
    return [
        _refused(
            algebra,
            tol,
            "refused: no exact algebra within tol in any chart (" + "; ".join(notes) + ")",
            metric.balancing,
        )
    ]


def exact_basis(algebra: LieAlgebra, tol: float = SNAP_TOL) -> ExactBasis:
    """The simplest exact algebra within ``tol`` of ``algebra`` (policy in the module docstring).

    Parameters
    ----------
    algebra : LieAlgebra
    tol : float, optional, default: ``SNAP_TOL`` (1e-6)
        Largest entry-wise change of the canonical basis in the balanced chart.

    Returns
    -------
    ExactBasis

    Examples
    --------
    >>> from liesym.algebra import so
    >>> eb = exact_basis(so(3).conjugate(np.diag([1.0, 1e3, 1e4])))
    >>> eb.domain, eb.exact_input, eb.chart_steps
    ('QQ', True, ('diagonal equilibration D = diag(1, 1/1000, 1/10000)',))
    >>> eb.matrices[0]
    Matrix([
    [    0, 1/1000, 0],
    [-1000,      0, 0],
    [    0,      0, 0]])
    """
    return exact_bases(algebra, tol, first_only=True)[0]


def _snap_in_chart(algebra, measure, metric, h, name, tol_k, tol_exact, kappa, tol):
    """Snap in the exact chart h; the distance is checked in ``measure`` (within tol there).

    ``measure`` is the metric chart (balanced at tol) for the tolerance pass and the finely
    balanced chart for the exact pass; ``metric`` supplies the robust-refutation chart.
    """
    k, n = algebra.dim, algebra.n
    hf = fraction_float(h)
    conj = hf @ algebra.basis @ np.linalg.inv(hf)
    rows, kpiv, amp = canonical_rows(orthonormal(conj).reshape(k, -1))
    exact_pass = tol_k == tol_exact
    if not exact_pass and tol_k < tol_exact * amp * kappa:
        return f"tol {tol_k:.2g} below the rounding level in this chart"
    snapped, worst = snap_rows(rows, tol_k, strict=EXACT_STRICTNESS if exact_pass else 1.0)
    if snapped is None:
        return f"the canonical entry {worst:.9g} is not simple within {tol_k:.3g}"
    K = _domain(snapped)
    dm = tuple(
        sparse({divmod(j, n): _element(v, K) for j, v in row.items()}, (n, n), K) for row in snapped
    )
    # Distance in the measuring chart B: B E B^-1 = (H B^-1)^-1 K (H B^-1).
    kf = np.stack([float_matrix(m) for m in dm])
    g = hf @ np.linalg.inv(fraction_float(measure.balancing.chart))
    e_bal = np.linalg.inv(g) @ kf @ g
    flat = e_bal.reshape(k, -1)
    piv = list(measure.pivots)
    if np.linalg.matrix_rank(flat[:, piv]) < k:
        return "the snapped algebra has a different pivot structure"
    e_rows = np.linalg.solve(flat[:, piv], flat)
    dist = float(np.abs(e_rows - measure.canon).max())
    if dist > (tol_exact if exact_pass else tol):
        return f"the exact algebra found is {dist:.3g} away, beyond tol"
    identity = _is_identity(h)
    chart_dm = None
    if not identity:
        h_dm = fraction_dm(h)
        chart_dm = (h_dm, h_dm.to_dense().inv().to_sparse())
    steps = () if name == "input coordinates" else measure.balancing.steps
    if name not in ("input coordinates", "balanced chart"):
        steps = (*steps, name)
    mats = tuple(m if chart_dm is None else _conjugate_back(m, chart_dm) for m in dm)
    approx = np.stack([float_matrix(m) for m in mats])
    if not exact_pass:
        # Also within tol in the input's own coordinates (the balancing must not have
        # compressed structure, or noise, below tol).
        in_rows, in_piv, _ = canonical_rows(algebra.flat)
        flat_in = approx.reshape(k, -1)
        if np.linalg.matrix_rank(flat_in[:, list(in_piv)]) < k:
            return "the exact algebra has a different pivot structure in the input's coordinates"
        d_in = float(np.abs(np.linalg.solve(flat_in[:, list(in_piv)], flat_in) - in_rows).max())
        if d_in > tol:
            return f"the exact algebra is {d_in:.3g} > tol away in the input's coordinates"
    return ExactBasis(
        matrices=tuple(m.to_Matrix() for m in mats),
        simple=tuple(m.to_Matrix() for m in dm),
        chart=None if identity else chart_dm[0].to_Matrix(),
        chart_steps=steps,
        domain=str(K),
        distance=dist,
        span_distance=float(grassmann_distance(approx, algebra.basis)),
        exact_input=exact_pass and tol_exact <= EXACT_PASS_MAX,
        rounding=tol_exact / 10.0,
        condition=kappa,
        tol=tol,
        max_denominator=max_denominator(tol_k),
        reason=(
            f"entries of the canonical basis snapped within {tol_k:.3g} to p/q "
            f"(q <= {max_denominator(tol_k)}) or (p/q) sqrt(d) in the {name}"
            + (": the exact pass, the input is exact up to rounding" if exact_pass else "")
        ),
        algebra=algebra,
        dm=dm,
        pivots=kpiv,
        chart_dm=chart_dm,
        balancing=measure.balancing,
        metric=metric.balancing,
    )


def _conjugate_back(m: DomainMatrix, chart_dm: tuple) -> DomainMatrix:
    """``H^-1 m H`` for the exact chart pair (H, H^-1)."""
    h, hinv = (c.convert_to(m.domain) for c in chart_dm)
    return hinv * m * h


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Product of two object arrays of Fractions."""
    n = a.shape[0]
    return np.array(
        [
            [sum((a[i, t] * b[t, j] for t in range(n)), Fraction(0)) for j in range(n)]
            for i in range(n)
        ],
        dtype=object,
    )
