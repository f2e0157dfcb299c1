"""The :class:`VerificationReport` and :func:`verify`, which runs every certificate once."""

import textwrap
from dataclasses import dataclass, field

from liesym._core import SNAP_TOL
from liesym.algebra import LieAlgebra
from liesym.verify._closure import ClosureCertificate, is_closed
from liesym.verify._compact import CompactnessCertificate, is_compact
from liesym.verify._connected import ConnectednessCertificate, is_connected
from liesym.verify._exact import ExactBasis, check_algebra, check_tol, exact_basis
from liesym.verify._identify import Identification, identify
from liesym.verify._linearize import FixedPoint, fixed_point


@dataclass(frozen=True, eq=False)
class VerificationReport:
    """Answers about a numeric Lie algebra, each True, False or None (undecided), with evidence.

    The exact answers hold for the snapped algebra ``exact_basis``, which lies within
    ``basis.snap_error`` (entry-wise) and ``basis.span_distance`` (Grassmann) of the input.

    Attributes
    ----------
    closed, compact, connected, linearizable : bool or None
    name : str or None
        Isomorphism type, e.g. "so(3)", "se(2)", "sl(2,R)", "so(2)+so(2)", "unknown(4)".
    exact_basis : list of sympy.Matrix or None
    structure_constants : sympy.MutableDenseNDimArray or None
        ``[E_i, E_j] = sum_l c[i, j, l] E_l`` in ``exact_basis``.
    invariant_form : sympy.Matrix or None
        Positive definite M with ``W^T M + M W = 0`` (chart ``x -> x - c`` when affine).
    fixed_point : sympy.Matrix or None
        Common fixed point c of an affine algebra (its chart is ``x -> x - c``).
    tol : float
        Snapping tolerance and margin of the numeric checks.
    basis, closure, compactness, linearization, identification, connectedness
        The evidence records behind each answer.
    """

    closed: bool | None
    compact: bool | None
    connected: bool | None
    linearizable: bool | None
    name: str | None
    exact_basis: list | None
    structure_constants: object
    invariant_form: object
    fixed_point: object
    tol: float
    algebra: LieAlgebra = field(repr=False)
    basis: ExactBasis = field(repr=False)
    closure: ClosureCertificate = field(repr=False)
    compactness: CompactnessCertificate = field(repr=False)
    linearization: FixedPoint = field(repr=False)
    identification: Identification = field(repr=False)
    connectedness: ConnectednessCertificate | None = field(repr=False, default=None)

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
        eb = self.basis
        if eb.ok:
            basis_line = (
                f"{eb.kind} ({eb.reason}), {len(eb.matrices)} matrices over {eb.domain}; "
                f"snap error "
                f"{eb.snap_error:.1e}, span distance {eb.span_distance:.1e} "
                f"(tol {eb.tol:g}, denominators <= {eb.max_denominator})"
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
        if self.linearization.witness:
            lin = self.linearization.witness
        elif self.fixed_point is not None:
            lin = f"{lin}; c = {list(self.fixed_point)}"
        form = self.compactness.reason
        if self.invariant_form is not None and len(str(self.invariant_form.tolist())) <= width:
            form = f"{form}; M = {self.invariant_form.tolist()}"
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
        if eb.ok:
            lines.append(
                " " * 14 + "(exact answers are proved for this snapped algebra; True/False/None)"
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
        if self.structure_constants is not None and 1 < alg.dim <= 6:
            table = _bracket_table(self.structure_constants)
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


def verify(
    algebra: LieAlgebra,
    elements=None,
    tol: float = SNAP_TOL,
    *,
    max_denominator: int | None = None,
    progress: bool = False,
) -> VerificationReport:
    """Certify a numeric Lie algebra: exact basis, closure, name, compactness, connectedness.

    Parameters
    ----------
    algebra : LieAlgebra
    elements : array-like, shape=[m, n, n], optional
        Group elements whose membership in the connected group exp(span) is checked.
    tol : float, optional, default: ``SNAP_TOL`` (1e-6)
        Largest entry-wise change when snapping the canonical basis to exact numbers, and the
        margin of the numeric connectedness check.
    max_denominator : int, optional
        Denominator bound of the simple snap (default ``floor(0.2 / sqrt(tol))``).
    progress : bool, optional, default: False
        Progress bar over the elements.

    Returns
    -------
    VerificationReport

    Examples
    --------
    >>> from liesym.algebra import so
    >>> report = verify(so(3))
    >>> report.name, report.closed, report.compact, report.linearizable
    ('so(3)', True, True, True)
    >>> report.invariant_form
    Matrix([
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1]])
    """
    algebra = check_algebra(algebra)
    tol = check_tol(tol)
    eb = exact_basis(algebra, tol, max_denominator=max_denominator)
    closure = is_closed(eb)
    lin = fixed_point(eb)
    compactness = is_compact(eb, closure=closure)
    ident = identify(eb, closure=closure, compactness=compactness)
    conn = None if elements is None else is_connected(algebra, elements, tol, progress_bar=progress)
    return VerificationReport(
        closed=closure.closed,
        compact=compactness.compact,
        connected=None if conn is None else conn.connected,
        linearizable=lin.linearizable,
        name=ident.name,
        exact_basis=list(eb.matrices) if eb.ok else None,
        structure_constants=closure.structure_constants,
        invariant_form=compactness.invariant_form,
        fixed_point=lin.point,
        tol=tol,
        algebra=algebra,
        basis=eb,
        closure=closure,
        compactness=compactness,
        linearization=lin,
        identification=ident,
        connectedness=conn,
    )
