"""Compactness: an exact invariant positive definite form, witnesses against it, closedness."""

from dataclasses import dataclass, field

import numpy as np
import sympy
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from liesym._core import SNAP_TOL
from liesym.verify._answer import Verdict
from liesym.verify._charts import GENERIC_WEIGHTS, rational_matrix
from liesym.verify._closure import ClosureCertificate, as_exact_basis, is_closed
from liesym.verify._exact import ExactBasis, float_matrix, max_denominator
from liesym.verify._field import inertia, is_semisimple, rows_of, sparse, trace
from liesym.verify._invariants import centre, killing
from liesym.verify._linearize import FixedPoint, fixed_point
from liesym.verify._numeric import positive_member
from liesym.verify._robust import charts, in_every_chart, not_compact
from liesym.verify._torus import torus_closure


@dataclass(frozen=True, eq=False)
class InvariantForm(Verdict):
    """Symmetric forms M with ``W^T M + M W = 0`` for every (linear part of a) generator.

    Attributes
    ----------
    answer : bool or None
        ``positive_definite``: True, ``form`` is exactly positive definite; False: proved that
        no invariant form is (the space is {0}, or a line of indefinite forms); None: not
        decided.
    form : sympy.Matrix or None
        A positive definite invariant form (input coordinates, normalised to M[0, 0] = 1).
    space_dim : int or None
        Dimension of the exact space of invariant symmetric forms.
    inertia : tuple or None
        (positive, negative, zero) eigenvalue counts of the form examined.
    """

    form: object = None
    space_dim: int | None = None
    inertia: tuple | None = None
    basis: ExactBasis | None = field(default=None, repr=False)
    form_dm: object = field(default=None, repr=False)  # in the chart of the simple basis
    generators: tuple | None = field(default=None, repr=False)

    @property
    def positive_definite(self) -> bool | None:
        """The answer to: is there a positive definite invariant form."""
        return self.answer


@dataclass(frozen=True, eq=False)
class CompactnessCertificate(Verdict):
    """Whether the connected subgroup exp(span) is compact.

    Attributes
    ----------
    answer : bool or None
        ``compact`` (also available under that name).
    invariant_form : sympy.Matrix or None
        Positive definite M with ``W^T M + M W = 0`` (in the coordinates ``x - c`` for affine
        algebras, c the fixed point).
    closed_subgroup : bool or None
        Whether the subgroup is closed in the group of M-isometries.
    closure_dim : int or None
        For a dense winding: the dimension of the torus it fills.
    frequency_ratios : tuple or None
        One-parameter tori: omega_p / omega_1 for every invariant plane (exact).
    witness : str or None
        The counter-witness behind False.
    robust : bool
        The False holds for every algebra within tol of the input (numeric margins).
    """

    invariant_form: object = None
    closed_subgroup: bool | None = None
    closure_dim: int | None = None
    frequency_ratios: tuple | None = None
    witness: str | None = None
    robust: bool = False
    form: InvariantForm | None = field(repr=False, default=None)
    basis: ExactBasis | None = field(repr=False, default=None)

    @property
    def compact(self) -> bool | None:
        """The answer to: is the connected subgroup exp(span) compact."""
        return self.answer


def linear_generators(eb: ExactBasis) -> list[DomainMatrix]:
    """Exact linear parts W_i of the simple basis.

    The linear part does not move under translations, so it is the same in the coordinates
    ``x - c``.
    """
    if not eb.affine:
        return list(eb.dm)
    m = eb.algebra.n - 1
    out = []
    for x in eb.dm:
        ent = {
            (i, j): v for i, row in rows_of(x).items() for j, v in row.items() if i < m and j < m
        }
        out.append(sparse(ent, (m, m), eb.K))
    return out


def combination(gens: list[DomainMatrix], coords: dict) -> DomainMatrix:
    """The exact matrix ``sum_i coords[i] gens[i]`` (sparse coordinates)."""
    acc = gens[0] * gens[0].domain.zero
    for i, v in coords.items():
        acc = acc + gens[i] * v
    return acc


def lyapunov_system(gens: list[DomainMatrix]) -> DomainMatrix:
    """Exact sparse matrix of ``M -> (W_i^T M + M W_i)_i`` on symmetric M (upper triangle)."""
    K = gens[0].domain
    n = gens[0].shape[0]
    order = {}
    u = 0
    for a in range(n):
        for b in range(a, n):
            order[a, b] = order[b, a] = u
            u += 1
    entries: dict = {}
    row0 = 0
    for w in gens:
        wl = rows_of(w)
        pairs = [(p, q) for p in range(n) for q in range(p, n)]
        for r, (p, q) in enumerate(pairs):
            # (W^T M + M W)[p, q] = sum_c W[c, p] M[c, q] + M[p, c] W[c, q]
            for c, row in wl.items():
                if p in row:
                    key = (row0 + r, order[c, q])
                    entries[key] = entries.get(key, K.zero) + row[p]
                if q in row:
                    key = (row0 + r, order[p, c])
                    entries[key] = entries.get(key, K.zero) + row[q]
        row0 += len(pairs)
    return sparse(entries, (row0, u), K)


def _sym(vec: dict, n: int, K) -> DomainMatrix:
    ent = {}
    u = 0
    for a in range(n):
        for b in range(a, n):
            v = vec.get(u)
            if v is not None:
                ent[(a, b)] = ent[(b, a)] = v
            u += 1
    return sparse(ent, (n, n), K)


def _linear_chart(eb: ExactBasis):
    """The linear block of the chart H (how forms move back to the input's coordinates)."""
    if eb.chart_dm is None:
        return None
    h = eb.chart_dm[0]
    if not eb.affine:
        return h
    m = eb.algebra.n - 1
    ent = {(i, j): v for i, row in rows_of(h).items() for j, v in row.items() if i < m and j < m}
    return sparse(ent, (m, m), h.domain)


def invariant_form(algebra, tol: float = SNAP_TOL) -> InvariantForm:
    """Exact space of invariant symmetric forms and a positive definite member if one exists.

    The space is the exact null space of the (sparse) Lyapunov system; a positive definite
    member is proposed numerically, rounded to an exact combination of the null-space basis
    (still exactly invariant) and certified by its inertia (exact symmetric elimination).

    Parameters
    ----------
    algebra : LieAlgebra or ExactBasis
    tol : float, optional, default: ``SNAP_TOL``

    Returns
    -------
    InvariantForm

    Examples
    --------
    >>> from liesym.algebra import so
    >>> f = invariant_form(so(3).conjugate(np.diag([1.0, 2.0, 4.0])))
    >>> f.positive_definite, f.space_dim
    (True, 1)
    >>> f.form
    Matrix([
    [1,   0,    0],
    [0, 1/4,    0],
    [0,   0, 1/16]])
    """
    eb = as_exact_basis(algebra, tol)
    if not eb.ok:
        return InvariantForm.undecided(eb.reason, basis=eb)
    gens = linear_generators(eb)
    K = eb.K
    status, m, inert, space, how = _positive_form(gens)
    common = dict(basis=eb, generators=tuple(gens), space_dim=space, inertia=inert)
    if status is True:
        hl = _linear_chart(eb)
        m_in = m if hl is None else hl.convert_to(K).transpose() * m * hl.convert_to(K)
        m_in = m_in * K.quo(K.one, rows_of(m_in)[0][0])
        return InvariantForm.proved(how, form=m_in.to_Matrix(), form_dm=m, **common)
    if status is False:
        return InvariantForm.refuted(how, **common)
    return InvariantForm.undecided(how, **common)


def _positive_form(gens: list[DomainMatrix]):
    """(status, form, inertia, space_dim, reason) for an exact positive definite invariant form.

    status True: ``form`` is exactly positive definite; False: none exists (the space is {0}
    or a line of indefinite forms); None: not decided.
    """
    K = gens[0].domain
    n = gens[0].shape[0]
    null = lyapunov_system(gens).nullspace().to_sparse()
    null_rows = rows_of(null)
    forms = [_sym(dict(null_rows.get(r, {})), n, K) for r in range(null.shape[0])]
    if not forms:
        return False, None, None, 0, "the only invariant symmetric form is M = 0"
    if len(forms) == 1:
        cands = [forms[0], forms[0] * K.convert(-1)]
        how = "the invariant forms are the multiples of one form"
    else:
        coeffs = positive_member(np.stack([float_matrix(f) for f in forms]))
        if coeffs is None:
            return (
                None,
                None,
                None,
                len(forms),
                f"{len(forms)}-dimensional space of invariant forms; no positive definite "
                "member found numerically",
            )
        q = rational_matrix(np.asarray(coeffs)[None], 1e-9)[0]
        m = forms[0] * K.zero
        for a, f in zip(q, forms, strict=True):
            if a != 0:
                m = m + f * K.convert(QQ(a.numerator, a.denominator))
        cands = [m]
        how = "numeric candidate rounded to an exact member of the invariant forms"
    inert = None
    for m in cands:
        inert = inertia(m)
        if inert[0] == n:
            return True, m, inert, len(forms), f"{how}; exactly positive definite (inertia {inert})"
    if len(forms) == 1:
        return (
            False,
            None,
            inert,
            1,
            f"{how}, with inertia {(inert[1], inert[0], inert[2])} up to sign: not definite",
        )
    return (
        None,
        None,
        inert,
        len(forms),
        f"{len(forms)}-dimensional space of invariant forms; the candidate has inertia {inert}",
    )


def invariant_form_of(gens: list[DomainMatrix]) -> bool | None:
    """Whether exact linear generators preserve a positive definite form (True/False/None)."""
    return _positive_form(gens)[0]


def _exact_witness(gens: list[DomainMatrix], c, K) -> str | None:
    """An exact generator or Killing witness against compactness (for exact input)."""
    for i, w in enumerate(gens):
        tr = trace(w)
        if tr != K.zero:
            return f"tr(W_{i}) = {K.to_sympy(tr)} != 0: det exp(t W_{i}) is unbounded"
    for i, w in enumerate(gens):
        if not is_semisimple(w):
            return (
                f"W_{i} is not diagonalisable (the square-free part of its characteristic "
                "polynomial does not annihilate it): exp(t W) grows polynomially"
            )
    for i, w in enumerate(gens):
        lam = _real_eigenvalue(w)
        if lam is not None:
            return f"W_{i} has the real eigenvalue {lam} != 0: exp(t W) is unbounded"
    if len(c) > 1:
        pos = inertia(killing(c, K))[0]
        if pos:
            return f"the Killing form has {pos} positive eigenvalue(s); compact ones are <= 0"
    return None


def _real_eigenvalue(w: DomainMatrix):
    """A non-zero real eigenvalue (exact over QQ, else numeric with margin 1e-8) or None."""
    K = w.domain
    if K == QQ:
        s = sympy.Dummy("s")
        p = sympy.Poly([K.to_sympy(c) for c in w.to_dense().charpoly()], s)
        while p.degree() > 0 and p.eval(0) == 0:
            p = p.quo(sympy.Poly(s, s))
        roots = p.real_roots() if p.degree() > 0 else []
        return roots[0] if roots else None
    ev = np.linalg.eigvals(float_matrix(w))
    scale = max(1.0, np.abs(ev).max())
    real = ev[(np.abs(ev.imag) <= 1e-8 * scale) & (np.abs(ev.real) > 1e-8 * scale)]
    return f"{real[0].real:.6g} (numeric)" if real.size else None


def _robust_witness(eb: ExactBasis) -> str | None:
    alg = eb.algebra
    weights = np.resize(GENERIC_WEIGHTS, (8, alg.dim))
    return in_every_chart(not_compact, charts(eb), alg.affine, weights)


def is_compact(
    algebra,
    tol: float = SNAP_TOL,
    *,
    closure: ClosureCertificate | None = None,
    linearization: FixedPoint | None = None,
) -> CompactnessCertificate:
    """Certify compactness of exp(span) by an invariant form, or refute it with a witness.

    True: the exact algebra E has an exactly positive definite invariant form (after
    translating to its exact fixed point, for affine algebras) and its subgroup is closed
    (the centre's frequencies are rationally dependent, decided exactly). False: a witness
    that holds for every algebra within tol of the input (dimension, trace, a real part of
    an eigenvalue beyond its Bauer-Fike radius, a positive Killing eigenvalue, no fixed
    point), or, for exact input, an exact witness (a real eigenvalue, a nilpotent part, no
    invariant form, a dense winding). None otherwise.

    Parameters
    ----------
    algebra : LieAlgebra or ExactBasis
    tol : float, optional, default: ``SNAP_TOL``
    closure : ClosureCertificate, optional
    linearization : FixedPoint, optional
        Reused when given.

    Returns
    -------
    CompactnessCertificate

    Examples
    --------
    >>> from liesym.algebra import so, sl, torus
    >>> is_compact(so(4)).compact, is_compact(sl(2)).compact
    (True, False)
    >>> is_compact(torus([1.0, np.sqrt(2)])).closure_dim
    2
    """
    eb = as_exact_basis(algebra, tol)
    robust = _robust_witness(eb)
    if robust is not None:
        robust_cert = CompactnessCertificate.refuted(robust, witness=robust, robust=True, basis=eb)
    if not eb.ok:
        return (
            robust_cert
            if robust is not None
            else CompactnessCertificate.undecided(eb.reason, basis=eb)
        )
    closure = closure or is_closed(eb)
    if closure.closed is not True:
        if robust is not None:
            return robust_cert
        return CompactnessCertificate.undecided(f"closure not proved: {closure.reason}", basis=eb)
    if eb.affine:
        fp = linearization or fixed_point(eb)
        if fp.linearizable is not True:
            if robust is not None:
                return robust_cert
            if fp.linearizable is False and eb.exact_input:
                w = (
                    "no common fixed point, but a compact group of affine maps fixes the "
                    f"barycentre of every orbit ({fp.witness})"
                )
                return CompactnessCertificate.refuted(w, witness=w, closed_subgroup=False, basis=eb)
            return CompactnessCertificate.undecided(f"no fixed point proved: {fp.reason}", basis=eb)
    gens = linear_generators(eb)
    K = eb.K
    c = closure.constants
    form = invariant_form(eb)
    if form.positive_definite is not True:
        if robust is not None:
            return robust_cert
        if eb.exact_input:
            w = _exact_witness(gens, c, K)
            if w is None and form.positive_definite is False:
                w = f"no positive definite invariant form: {form.reason}"
            if w is not None:
                return CompactnessCertificate.refuted(w, witness=w, form=form, basis=eb)
        return CompactnessCertificate.undecided(
            f"no positive definite invariant form proved ({form.reason}); for floating input a "
            "compact algebra may lie within tol",
            form=form,
            basis=eb,
        )
    if robust is not None:  # pragma: no cover - the margins exclude this; never guess
        return CompactnessCertificate.undecided(
            f"inconsistent: the exact algebra has an invariant form, yet {robust}", basis=eb
        )
    z = centre(c, K)
    where = " in the coordinates x - c" if eb.affine else ""
    evidence = dict(invariant_form=form.form, form=form, basis=eb)
    if not z:
        return CompactnessCertificate.proved(
            f"positive definite invariant form{where}; semisimple, so the subgroup is closed",
            closed_subgroup=True,
            **evidence,
        )
    zs = [combination(gens, vec) for vec in z]
    closed, dim, why, ratios = torus_closure(zs, float_matrix(form.form_dm))
    ratios = tuple(ratios) or None
    evidence.update(closure_dim=dim, frequency_ratios=ratios)
    if closed is True:
        q_max = max_denominator(eb.tol)
        if not eb.exact_input and ratios is not None:
            big = [r for r in ratios if not (r.is_Rational and r.q <= q_max)]
            if big:
                return CompactnessCertificate.undecided(
                    f"the exact torus has frequency ratios {list(ratios)}, denominators above "
                    f"{q_max}: for floating input that is not a meaningful torus at tol",
                    **evidence,
                )
        if ratios is not None and not eb.exact_input:
            why = (
                f"within tol (d = {eb.distance:.2g}) of the exact torus with frequency ratios "
                f"{', '.join(str(r) for r in ratios)} (denominators <= {q_max}); {why}"
            )
        return CompactnessCertificate.proved(
            f"positive definite invariant form{where}; {why}", closed_subgroup=True, **evidence
        )
    if closed is False:
        # exp(g) = exp(z) exp([g, g]) with [g, g] compact semisimple: closed iff exp(z) is.
        if eb.exact_input:
            w = f"the subgroup is not closed: {why}"
            return CompactnessCertificate.refuted(w, witness=w, closed_subgroup=False, **evidence)
        return CompactnessCertificate.undecided(
            f"the exact algebra within tol winds densely ({why}), but for floating input a "
            f"rational torus (frequency denominators > {max_denominator(eb.tol)}) lies within "
            "tol too",
            **evidence,
        )
    return CompactnessCertificate.undecided(f"invariant form found, but {why}", **evidence)
