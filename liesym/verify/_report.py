"""The :class:`VerificationReport` and :func:`verify`, which runs every certificate once."""

import textwrap
from dataclasses import dataclass, field, replace

import numpy as np

from liesym._core import SNAP_TOL
from liesym.algebra import LieAlgebra
from liesym.verify._closure import ClosureCertificate, is_closed
from liesym.verify._compact import CompactnessCertificate, is_compact
from liesym.verify._connected import ConnectednessCertificate, is_connected
from liesym.verify._exact import (
    CHART_CONDITION_MAX,
    TOL_MAX,
    ExactBasis,
    check_algebra,
    check_tol,
    exact_bases,
    refused_basis,
)
from liesym.verify._identify import Identification, identify
from liesym.verify._linearize import FixedPoint, fixed_point

ANSWERS = ("closed", "compact", "linearizable", "name")


@dataclass(frozen=True, eq=False)
class VerificationReport:
    """Answers about a numeric Lie algebra, each True, False or None (undecided), with evidence.

    Every answer is stored once, in its certificate record; the flat attributes below read
    them. What a True or a name is *about* is stated by :attr:`about` (see :func:`verify`).

    Attributes
    ----------
    closed, compact, connected, linearizable : bool or None
    name : str or None
        Isomorphism type, e.g. "so(3)", "se(2)", "sl(2,R)", "so(2)+so(2)", "so(3)+so(2)".
    exact_basis : list of sympy.Matrix or None
        Basis of the exact algebra E certified, in the input's coordinates.
    structure_constants : sympy.MutableDenseNDimArray or None
        ``[E_i, E_j] = sum_l c[i, j, l] E_l`` in ``exact_basis``.
    invariant_form : sympy.Matrix or None
        Positive definite M with ``W^T M + M W = 0`` (coordinates ``x - c`` when affine).
    fixed_point : sympy.Matrix or None
        Common fixed point c of an affine algebra.
    distance : float
        d: how far E is from the input (entry-wise, canonical basis, balanced chart).
    exact_input : bool
        Whether d is at the rounding level of the data (then E is the input itself).
    tol : float
        Snapping tolerance and margin of the numeric checks.
    tol_source : str
        Where tol comes from ("given", or the discovery's own uncertainty).
    snap : ExactBasis
        How E was found (chart, number field, distances), or why none was.
    closure, compactness, linearization, identification, connectedness
        The certificate records behind each answer.
    alternatives : tuple of ExactBasis
        Other exact algebras found within tol (floating input only); an answer on which they
        disagree is undecided.
    """

    algebra: LieAlgebra = field(repr=False)
    tol: float
    tol_source: str
    snap: ExactBasis = field(repr=False)
    closure: ClosureCertificate = field(repr=False)
    compactness: CompactnessCertificate = field(repr=False)
    linearization: FixedPoint = field(repr=False)
    identification: Identification = field(repr=False)
    connectedness: ConnectednessCertificate | None = field(repr=False, default=None)
    alternatives: tuple = field(repr=False, default=())

    # The answers, each read from its certificate.
    @property
    def closed(self) -> bool | None:
        """Closed under the bracket (True / False / None)."""
        return self.closure.answer

    @property
    def compact(self) -> bool | None:
        """The connected subgroup exp(span) is compact (True / False / None)."""
        return self.compactness.answer

    @property
    def connected(self) -> bool | None:
        """Every given element lies in exp(span) (None when no elements were given)."""
        return None if self.connectedness is None else self.connectedness.answer

    @property
    def linearizable(self) -> bool | None:
        """The group acts linearly in some affine chart (a common fixed point)."""
        return self.linearization.answer

    @property
    def name(self) -> str | None:
        """Isomorphism type of the exact algebra, or None."""
        return self.identification.name

    @property
    def exact_basis(self) -> list | None:
        """The exact basis E (sympy matrices, input coordinates), or None."""
        return list(self.snap.matrices) if self.snap.ok else None

    @property
    def structure_constants(self):
        """Exact structure constants in ``exact_basis`` (sympy array), or None."""
        return self.closure.structure_constants

    @property
    def invariant_form(self):
        """The certified invariant positive definite form (sympy Matrix), or None."""
        return self.compactness.invariant_form

    @property
    def fixed_point(self):
        """The exact common fixed point of an affine algebra (sympy column), or None."""
        return self.linearization.point

    @property
    def distance(self) -> float:
        """d, the distance of the exact algebra from the input (NaN without one)."""
        return self.snap.distance

    @property
    def exact_input(self) -> bool:
        """Whether the certificates are about the input itself (d at rounding level)."""
        return self.snap.ok and self.snap.exact_input

    @property
    def about(self) -> str:
        """What True answers and the name are about."""
        eb = self.snap
        if not eb.ok:
            return (
                "the input: no exact algebra within tol, so only refutations that hold for "
                "every algebra within tol are given"
            )
        if eb.exact_input:
            return (
                f"the input itself (exact: its floats are within rounding, d = "
                f"{eb.distance:.1g}, of the exact algebra E)"
            )
        return (
            f"the exact algebra E at distance d = {eb.distance:.2g} from the input (tol "
            f"{self.tol:g}, {self.tol_source}); False answers hold for every algebra within tol"
        )

    def __repr__(self) -> str:
        return (
            f"VerificationReport(name={self.name!r}, closed={self.closed}, "
            f"compact={self.compact}, connected={self.connected}, "
            f"linearizable={self.linearizable})"
        )

    def __str__(self) -> str:
        return self.summary()

    def summary(self, width: int = 100) -> str:
        """A small table of the answers and the evidence behind each.

        Parameters
        ----------
        width : int, optional, default: 100
            Evidence lines are cut to this many characters.

        Returns
        -------
        str
        """
        alg = self.algebra
        kind = "affine, homogeneous" if alg.affine else "linear"
        eb = self.snap
        if eb.ok:
            chart = "; ".join(eb.chart_steps) or "input coordinates"
            basis_line = (
                f"{len(eb.matrices)} matrices over {eb.domain}, snapped in the chart: {chart}; "
                f"distance d = {eb.distance:.2g} (tol {eb.tol:g}, {self.tol_source}), "
                f"Grassmann {eb.span_distance:.2g}"
            )
        else:
            basis_line = eb.reason
        ident = self.identification
        if ident.derived_series is not None:
            name_ev = (
                f"{ident.reason}; derived series {ident.derived_series}, centre dim "
                f"{ident.centre_dim}, Killing inertia (+,-,0) {ident.killing_inertia}"
            )
        else:
            name_ev = ident.reason
        conn = (
            self.connectedness.reason
            if self.connectedness is not None
            else "no elements given: nothing to check"
        )
        lin = self.linearization.reason
        if self.fixed_point is not None:
            lin = f"{lin}; c = {list(self.fixed_point)}"
        form = self.compactness.reason
        m = self.invariant_form
        if m is not None and len(str(m.tolist())) <= width:
            form = f"{form}; M = {m.tolist()}"
        rows = [
            ("name", self.name, name_ev),
            ("closed", self.closed, self.closure.reason),
            ("compact", self.compact, form),
            ("connected", self.connected, conn),
            ("linearizable", self.linearizable, lin),
        ]
        lines = [f"liesym verification: dim {alg.dim}, {alg.n}x{alg.n} {kind} generators"]
        lines.extend(
            textwrap.wrap(
                basis_line, width, initial_indent="exact basis : ", subsequent_indent=" " * 14
            )
        )
        lines.extend(
            textwrap.wrap(
                f"True answers and the name are about {self.about}",
                width,
                initial_indent=" " * 14,
                subsequent_indent=" " * 14,
            )
        )
        lines.append(f"{'property':<13} {'answer':<13} evidence")
        for prop, ans, ev in rows:
            lines.extend(
                textwrap.wrap(
                    ev,
                    width=width,
                    initial_indent=f"{prop:<13} {ans!s:<13} ",
                    subsequent_indent=" " * 28,
                    break_long_words=True,
                )
            )
        c = self.structure_constants
        if c is not None and 1 < alg.dim <= 6:
            table = _bracket_table(c)
            if len(table) <= 4 * width:
                lines.extend(
                    textwrap.wrap(
                        table, width, initial_indent="brackets    : ", subsequent_indent=" " * 14
                    )
                )
        return "\n".join(lines)


def _bracket_table(c) -> str:
    k = c.shape[0]
    parts = []
    for i in range(k):
        for j in range(i + 1, k):
            terms = [
                f"{'+' if v > 0 else '-'}{'' if abs(v) == 1 else abs(v)}E{r}"
                for r in range(k)
                if (v := c[i, j, r]) != 0
            ]
            parts.append(f"[E{i},E{j}]={''.join(terms).lstrip('+') or '0'}")
    return ", ".join(parts)


def _certify(eb: ExactBasis):
    closure = is_closed(eb)
    lin = fixed_point(eb)
    compactness = is_compact(eb, closure=closure, linearization=lin)
    ident = identify(eb, closure=closure, compactness=compactness)
    return closure, lin, compactness, ident


def verify(
    algebra: LieAlgebra,
    elements=None,
    tol: float = SNAP_TOL,
    *,
    tol_source: str = "given",
    angle: float | None = None,
    progress: bool = False,
) -> VerificationReport:
    """Certify a numeric Lie algebra: exact basis, closure, name, compactness, connectedness.

    What the answers mean
    ---------------------
    The input is balanced first (translated to its numeric fixed point, equilibrated by an
    exact diagonal similarity); tolerances and distances are measured in that chart, so the
    answers do not change under scalings of the generators, diagonal changes of coordinates
    or translations. An exact algebra E is then snapped within ``tol`` (see
    :mod:`liesym.verify._exact`), at distance d from the input.

    - **Exact input** (``report.exact_input``: the snap succeeds already at ten times the
      rounding level of the data, e.g. for integer, rational or simple surd entries given as
      floats): E is the input, and every True or False is a theorem about the input itself
      (closure, structure constants, compactness including closedness of tori, decided in
      exact arithmetic, e.g. by the square classes of the frequencies).
    - **Floating input** (d above rounding, at most ``tol``): True and the name are proved
      for E, the exact algebra at distance d, which ``report.about`` states. A False holds
      for *every* algebra within tol of the input, in the balanced chart and in the input's
      own coordinates (a numeric witness with a margin: dimension, a bracket leaving the
      span, a trace, a real part of an eigenvalue beyond its Bauer-Fike radius, a positive
      Killing eigenvalue, no common fixed point). Tori: True means "within tol of the exact
      torus with frequency ratios p:q, q <= floor(0.2/sqrt(tol))"; a dense winding of E is
      not reported as False (rational tori lie within tol too).
    - **Ill-conditioned at tol** (answers None, the reason states the condition number):
      two exact algebras found within tol in different charts disagree; the eigenvector
      basis of a generic element has condition kappa with ``kappa^2 tol > 0.1`` (structure
      at the scale 1/kappa^2 may have been snapped away); or E is not compact while a
      numeric positive definite invariant form says a compact algebra may lie within tol.
      Refutations that hold for every algebra within tol stay False.
    - **Discovered algebras** (:func:`liesym.verify.verify_discovered`): as floating input,
      with tol taken from the discovery's own uncertainty and stated in ``report.tol_source``;
      False then holds for every span within that uncertainty (``angle``).
    - None always comes with the reason (no exact algebra within tol, an ill-conditioned
      chart, an undecidable torus, ...). Connectedness is numeric with a two-sided margin,
      ``|e^-X g - I|`` and ``|g e^-X - I|`` both at most tol, and needs ``cond(g) tol < 1``;
      False only for a negative determinant (stable under relative perturbations of size tol).

    Parameters
    ----------
    algebra : LieAlgebra
    elements : array-like, shape=[m, n, n], optional
        Group elements whose membership in the connected group exp(span) is checked.
    tol : float, optional, default: ``SNAP_TOL`` (1e-6)
        Largest entry-wise change of the balanced canonical basis when snapping, and the
        margin of the numeric checks; in [1e-13, 0.04] and above ten times the rounding level
        of the data.
    tol_source : str, optional, default: "given"
        Where tol comes from (reported).
    angle : float, optional
        Radians: the input's span is known to lie within this principal angle of the true
        span (a discovery's uncertainty). False answers then hold for every span within that
        angle, in the input's coordinates, instead of every algebra within tol.
    progress : bool, optional, default: False
        Progress bar over the elements.

    Returns
    -------
    VerificationReport

    Examples
    --------
    >>> from liesym.algebra import so
    >>> report = verify(so(3))
    >>> report.name, report.closed, report.compact, report.linearizable, report.exact_input
    ('so(3)', True, True, True, True)
    >>> report.invariant_form
    Matrix([
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1]])
    """
    algebra = check_algebra(algebra)
    tol = check_tol(tol)
    if not isinstance(tol_source, str):
        raise TypeError(f"tol_source: expected a str, got {type(tol_source).__name__}")
    if elements is not None and not hasattr(elements, "shape") and len(elements) == 0:
        raise ValueError("elements: expected at least one element, got an empty sequence")
    if angle is not None:
        angle = _check_angle(angle)
    found = exact_bases(algebra, tol, first_only=True)
    if found[0].ok and not found[0].exact_input:
        found = exact_bases(algebra, tol)
    found = [replace(record, angle=angle) for record in found]
    eb = found[0]
    closure, lin, compactness, ident = _certify(eb)
    alternatives = tuple(found[1:])
    if eb.ok and not eb.exact_input and eb.ill_posed:
        why = f"ill-conditioned at tol {tol:g}: {eb.ill_posed}"
        closure, lin, compactness, ident = _ill_conditioned(
            eb, closure, lin, compactness, ident, why
        )
    elif eb.ok and not eb.exact_input and eb.natural_condition**2 * tol > CHART_CONDITION_MAX:
        closure, lin, compactness, ident = _ill_conditioned(eb, closure, lin, compactness, ident)
    elif (
        eb.ok
        and not eb.exact_input
        and eb.compact_hint
        and compactness.answer is None
        and ident.name is not None
    ):
        ident = Identification(
            None,
            ident.dim,
            None,
            None,
            None,
            None,
            f"ill-conditioned at tol {tol:g}: the exact algebra found ({ident.name}) is not "
            f"proved compact nor robustly refuted, but {eb.compact_hint}",
            eb,
        )
    if alternatives:
        closure, lin, compactness, ident = _reconcile(
            eb, closure, lin, compactness, ident, alternatives
        )
    conn = None if elements is None else is_connected(algebra, elements, tol, progress_bar=progress)
    return VerificationReport(
        algebra=algebra,
        tol=tol,
        tol_source=tol_source,
        snap=eb,
        closure=closure,
        compactness=compactness,
        linearization=lin,
        identification=ident,
        connectedness=conn,
        alternatives=alternatives,
    )


def _check_angle(angle) -> float:
    if isinstance(angle, bool) or not isinstance(angle, int | float | np.integer | np.floating):
        raise TypeError(f"angle: expected a float (radians), got {angle!r}")
    angle = float(angle)
    if not (np.isfinite(angle) and 0.0 <= angle <= np.pi / 2):
        raise ValueError(f"angle: expected radians in [0, pi/2], got {angle!r}")
    return angle


def undecided_report(
    algebra: LieAlgebra,
    elements,
    tol: float,
    how: str,
    *,
    angle: float | None = None,
    progress: bool = False,
) -> VerificationReport:
    """A report without an exact algebra: only refutations that hold within ``tol``.

    ``tol`` may exceed ``TOL_MAX`` (a tolerance too large to snap in).
    """
    eb = refused_basis(algebra, tol, f"refused: no snap at tol {tol:.3g} ({how})")
    eb = replace(eb, angle=None if angle is None else _check_angle(angle))
    closure, lin, compactness, ident = _certify(eb)
    conn = None
    if elements is not None:
        conn = is_connected(algebra, elements, min(tol, TOL_MAX), progress_bar=progress)
    return VerificationReport(
        algebra=algebra,
        tol=tol,
        tol_source=how,
        snap=eb,
        closure=closure,
        compactness=compactness,
        linearization=lin,
        identification=ident,
        connectedness=conn,
    )


def _ill_conditioned(eb, closure, lin, compactness, ident, why=None):
    """Undecide every answer but the robust refutations (ill-conditioned balanced problem)."""
    why = why or (
        f"ill-conditioned at tol {eb.tol:g}: a generic element of the balanced algebra has an "
        f"eigenvector basis of condition number kappa = {eb.natural_condition:.3g}, so its "
        f"eigenvalue structure shows at the scale 1/kappa^2 of its entries and kappa^2 tol > "
        f"{CHART_CONDITION_MAX:g}: snapping may have erased it"
    )
    if closure.answer is not False:
        closure = ClosureCertificate.undecided(why, basis=eb)
    if lin.answer is not False and eb.affine:
        lin = FixedPoint.undecided(why, basis=eb)
    if compactness.answer is not False:
        compactness = CompactnessCertificate.undecided(why, basis=eb)
    ident = Identification(None, ident.dim, None, None, None, None, why, eb)
    return closure, lin, compactness, ident


def _reconcile(eb, closure, lin, compactness, ident, alternatives):
    """Undecide every answer on which the exact algebras found within tol disagree."""
    answers = {
        "closed": closure.answer,
        "linearizable": lin.answer,
        "compact": compactness.answer,
        "name": ident.name,
    }
    differ: dict = {}
    for alt in alternatives:
        c2, l2, k2, i2 = _certify(alt)
        other = {
            "closed": c2.answer,
            "linearizable": l2.answer,
            "compact": k2.answer,
            "name": i2.name,
        }
        for key, value in other.items():
            if value != answers[key]:
                differ.setdefault(key, []).append((value, alt))
    if not differ:
        return closure, lin, compactness, ident

    def why(key):
        alt_value, alt = differ[key][0]
        return (
            f"ill-conditioned at tol {eb.tol:g}: the exact algebra snapped in the "
            f"{(eb.chart_steps or ('balanced chart',))[-1]} (d = {eb.distance:.2g}) gives "
            f"{answers[key]!r}, the one snapped via the {alt.chart_steps[-1]} "
            f"(d = {alt.distance:.2g}, chart condition {alt.condition:.3g}) gives {alt_value!r}"
        )

    if "closed" in differ:
        closure = ClosureCertificate.undecided(why("closed"), basis=eb)
    if "linearizable" in differ:
        lin = FixedPoint.undecided(why("linearizable"), basis=eb)
    if "compact" in differ:
        compactness = CompactnessCertificate.undecided(why("compact"), basis=eb)
    if "name" in differ:
        ident = Identification(None, ident.dim, None, None, None, None, why("name"), eb)
    return closure, lin, compactness, ident
