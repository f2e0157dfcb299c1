"""Compactness: an exact invariant positive definite form, witnesses against it, closedness."""

from dataclasses import dataclass, field

import numpy as np
import sympy
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from liesym._core import SNAP_TOL
from liesym.verify._closure import ClosureCertificate, ad_matrices, as_exact_basis, is_closed
from liesym.verify._exact import (
    ExactBasis,
    canonical_rows,
    default_max_denominator,
    float_array,
    rationalize,
    snap_array,
    surd_components,
    to_float,
)
from liesym.verify._field import inertia, is_semisimple
from liesym.verify._invariants import centre, killing
from liesym.verify._linearize import FixedPoint, fixed_point
from liesym.verify._numeric import positive_member

# Frequencies of the centre come from an exact algebra converted to floats (errors ~1e-14), so
# their ratios are snapped with this much tighter tolerance.
FREQUENCY_TOL = 1e-9


@dataclass(frozen=True, eq=False)
class InvariantForm:
    """Symmetric forms M with ``W^T M + M W = 0`` for every (linear part of a) generator.

    Attributes
    ----------
    form : sympy.Matrix or None
        A positive definite invariant form (normalised to ``M[0, 0] = 1``), if one was found.
    positive_definite : bool or None
        True: ``form`` is exactly positive definite; False: proved that no invariant form is
        (the space is {0}, or a line of indefinite forms); None: not decided.
    space_dim : int or None
        Dimension of the exact space of invariant symmetric forms.
    inertia : tuple or None
        (positive, negative, zero) eigenvalue counts of the form examined.
    reason : str
    """

    form: object
    positive_definite: bool | None
    space_dim: int | None
    inertia: tuple | None
    reason: str
    basis: ExactBasis = field(repr=False)
    form_dm: object = field(default=None, repr=False)
    generators: tuple | None = field(default=None, repr=False)


@dataclass(frozen=True, eq=False)
class CompactnessCertificate:
    """Whether the connected subgroup exp(span) is compact.

    Attributes
    ----------
    compact : bool or None
    invariant_form : sympy.Matrix or None
        Positive definite M with ``W^T M + M W = 0`` (in the chart ``x -> x - c`` for affine
        algebras).
    closed_subgroup : bool or None
        Whether the subgroup is closed in the group of M-isometries.
    closure_dim : int or None
        For a dense winding: the dimension of the torus it fills.
    witness : str or None
        The counter-witness behind False.
    reason : str
    """

    compact: bool | None
    invariant_form: object
    closed_subgroup: bool | None
    closure_dim: int | None
    witness: str | None
    reason: str
    form: InvariantForm | None = field(repr=False, default=None)
    basis: ExactBasis | None = field(repr=False, default=None)


def linear_generators(eb: ExactBasis, fp: FixedPoint | None = None):
    """Exact linear parts W_i (in the chart x -> x - c for affine algebras), or a reason."""
    if not eb.affine:
        return list(eb.dm), None
    fp = fp or fixed_point(eb)
    if fp.linearizable is not True:
        return None, fp
    m = eb.algebra.n - 1
    K = eb.K
    return [DomainMatrix([r[:m] for r in x.to_list()[:m]], (m, m), K) for x in eb.dm], fp


def lyapunov_system(gens: list[DomainMatrix]) -> DomainMatrix:
    """Exact matrix of ``M -> (W_i^T M + M W_i)_i`` on symmetric M (upper-triangle unknowns)."""
    K = gens[0].domain
    n = gens[0].shape[0]
    d = n * (n + 1) // 2
    order = {}
    pairs = [(a, b) for a in range(n) for b in range(a, n)]
    for u, (a, b) in enumerate(pairs):
        order[a, b] = order[b, a] = u
    rows = []
    for w in gens:
        wl = w.to_list()
        for p in range(n):
            for q in range(p, n):
                row = [K.zero] * d
                for c in range(n):
                    if wl[c][p] != K.zero:
                        row[order[c, q]] += wl[c][p]
                    if wl[c][q] != K.zero:
                        row[order[p, c]] += wl[c][q]
                rows.append(row)
    return DomainMatrix(rows, (len(rows), d), K)


def _sym(vec: list, n: int, K) -> DomainMatrix:
    m = [[K.zero] * n for _ in range(n)]
    it = iter(vec)
    for a in range(n):
        for b in range(a, n):
            m[a][b] = m[b][a] = next(it)
    return DomainMatrix(m, (n, n), K)


def invariant_form(algebra, tol: float = SNAP_TOL) -> InvariantForm:
    """Exact space of invariant symmetric forms and a positive definite member if one exists.

    The space is the exact null space of the Lyapunov system; a positive definite member is
    proposed numerically (alternating projections), rounded to an exact combination of the
    null-space basis (still exactly invariant) and certified by its inertia.

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
        return InvariantForm(None, None, None, None, eb.reason, eb)
    gens, fp = linear_generators(eb)
    if gens is None:
        return InvariantForm(None, None, None, None, f"no linear chart: {fp.reason}", eb)
    K = eb.K
    n = gens[0].shape[0]
    null = lyapunov_system(gens).nullspace().to_list()
    forms = [_sym(v, n, K) for v in null]
    common = dict(basis=eb, generators=tuple(gens))
    if not forms:
        return InvariantForm(
            None, False, 0, None, "the only invariant symmetric form is M = 0", **common
        )
    if len(forms) == 1:
        cands = [forms[0], forms[0] * K.convert(-1)]
        how = "the invariant forms are the multiples of one form"
    else:
        coeffs = positive_member(np.stack([float_array(f) for f in forms]))
        if coeffs is None:
            return InvariantForm(
                None,
                None,
                len(forms),
                None,
                f"{len(forms)}-dimensional space of invariant forms; no positive definite "
                "member found numerically",
                **common,
            )
        scale = np.abs(coeffs).max()
        m = forms[0] * K.zero
        for a, f in zip(coeffs, forms, strict=True):
            q = rationalize(a / scale, 1e-9)
            m = m + f * K.convert(QQ(q.numerator, q.denominator))
        cands = [m]
        how = "numeric candidate rounded to an exact member of the invariant forms"
    for m in cands:
        inert = inertia(m)
        if inert[0] == n:
            m = m * K.quo(K.one, m.to_list()[0][0])
            return InvariantForm(
                m.to_Matrix(),
                True,
                len(forms),
                inert,
                f"{how}; exactly positive definite (inertia {inert}) over {eb.domain}",
                form_dm=m,
                **common,
            )
    if len(forms) == 1:
        return InvariantForm(
            None,
            False,
            1,
            inert,
            f"{how}, with inertia {(inert[1], inert[0], inert[2])} up to sign: not definite",
            **common,
        )
    return InvariantForm(
        None,
        None,
        len(forms),
        inert,
        f"{len(forms)}-dimensional space of invariant forms; the candidate has inertia {inert}",
        **common,
    )


def _generator_witness(gens: list[DomainMatrix]) -> str | None:
    """A generator that cannot lie in a compact algebra: trace, real eigenvalue, nilpotent part."""
    K = gens[0].domain
    for i, w in enumerate(gens):
        tr = sum(w.diagonal(), K.zero)
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
    return None


def _real_eigenvalue(w: DomainMatrix):
    """A non-zero real eigenvalue (exact over QQ, else numeric with margin 1e-8) or None."""
    K = w.domain
    if K == QQ:
        s = sympy.Dummy("s")
        p = sympy.Poly([K.to_sympy(c) for c in w.charpoly()], s)
        while p.degree() > 0 and p.eval(0) == 0:
            p = p.quo(sympy.Poly(s, s))
        roots = p.real_roots() if p.degree() > 0 else []
        return roots[0] if roots else None
    ev = np.linalg.eigvals(float_array(w))
    scale = max(1.0, np.abs(ev).max())
    real = ev[(np.abs(ev.imag) <= 1e-8 * scale) & (np.abs(ev.real) > 1e-8 * scale)]
    return f"{real[0].real:.6g} (numeric)" if real.size else None


def torus_closure(zs: list[np.ndarray], m: np.ndarray) -> tuple[bool | None, int | None, str]:
    """Whether exp(span zs) is closed, for commuting generators preserving the form m.

    The weights (frequencies on the common invariant planes) span a subspace V of R^p; the
    subgroup is closed iff V is rational. V's echelon basis is snapped (tol ``FREQUENCY_TOL``):
    rational -> closed; square roots -> a dense winding whose closure has the dimension of the
    smallest rational subspace containing V.
    """
    chol = np.linalg.cholesky(m)  # m = L L^T; L^T Z L^-T is skew
    ys = np.stack([chol.T @ z @ np.linalg.inv(chol.T) for z in zs])
    gen = np.tensordot(np.sqrt(np.arange(2, len(ys) + 2) + 0.5), ys, axes=1)
    vals, vecs = np.linalg.eig(gen)
    scale = max(1.0, np.abs(vals).max())
    keep = vals.imag > 1e-9 * scale
    if not np.any(keep):
        return None, None, "the centre has no rotation planes (not elliptic)"
    v = vecs[:, keep]
    weights = (
        np.einsum("aj,iab,bj->ij", v.conj(), ys.astype(complex), v).imag
        / np.einsum("aj,aj->j", v.conj(), v).real
    )
    weights = weights[:, np.abs(weights).max(axis=0) > 1e-9 * scale]
    rows, _ = canonical_rows(weights)
    entries, _ = snap_array(rows, FREQUENCY_TOL, default_max_denominator(FREQUENCY_TOL))
    if entries is None:
        return None, None, "frequency ratios are not simple numbers: closedness undecided"
    comps = surd_components(entries)
    dim = sympy.Matrix(np.concatenate(list(comps.values()))).rank()
    if len(comps) == 1:
        return True, len(zs), "frequency ratios rational: the torus exp(centre) is closed"
    return (
        False,
        dim,
        f"frequency ratios irrational ({', '.join(f'sqrt({d})' for d in comps if d > 1)}): "
        f"exp(centre) winds densely in a torus of dimension {dim} > {len(zs)}",
    )


def is_compact(
    algebra, tol: float = SNAP_TOL, *, closure: ClosureCertificate | None = None
) -> CompactnessCertificate:
    """Certify compactness of exp(span) by an invariant form, or refute it with a witness.

    Parameters
    ----------
    algebra : LieAlgebra or ExactBasis
    tol : float, optional, default: ``SNAP_TOL``
    closure : ClosureCertificate, optional
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
    if not eb.ok:
        return CompactnessCertificate(None, None, None, None, None, eb.reason, basis=eb)
    closure = closure or is_closed(eb)
    if closure.closed is not True:
        return CompactnessCertificate(
            None, None, None, None, None, f"closure not proved: {closure.reason}", basis=eb
        )
    gens, fp = linear_generators(eb)
    if gens is None:
        if fp.linearizable is False:
            witness = (
                "no common fixed point, but a compact group of affine maps fixes the "
                f"barycentre of every orbit ({fp.witness})"
            )
            return CompactnessCertificate(False, None, False, None, witness, witness, basis=eb)
        return CompactnessCertificate(None, None, None, None, None, fp.reason, basis=eb)
    witness = _generator_witness(gens)
    K = eb.K
    c = closure.constants
    if witness is None and len(c) > 1:
        pos, _, _ = inertia(killing(ad_matrices(c, K)))
        if pos:
            witness = f"the Killing form has {pos} positive eigenvalue(s); compact ones are <= 0"
    if witness is not None:
        return CompactnessCertificate(False, None, None, None, witness, witness, basis=eb)
    form = invariant_form(eb)
    if form.positive_definite is not True:
        if form.positive_definite is False:
            w = f"no positive definite invariant form: {form.reason}"
            return CompactnessCertificate(False, None, None, None, w, w, form, eb)
        return CompactnessCertificate(None, None, None, None, None, form.reason, form, eb)
    z = centre(c, K)
    chart = " in the chart x -> x - c" if eb.affine else ""
    if z:
        gf = [float_array(g) for g in gens]
        zs = [sum(to_float(v, K) * g for v, g in zip(vec, gf, strict=True)) for vec in z]
        closed, dim, why = torus_closure(zs, float_array(form.form_dm))
    else:
        closed, dim, why = True, None, "semisimple, so the subgroup is closed"
    abelian = len(z) == len(c)
    if closed is True:
        return CompactnessCertificate(
            True,
            form.form,
            True,
            None,
            None,
            f"positive definite invariant form{chart}; {why}",
            form,
            eb,
        )
    if closed is False and abelian:
        w = f"the subgroup is not closed: {why}"
        return CompactnessCertificate(False, form.form, False, dim, w, w, form, eb)
    return CompactnessCertificate(
        None, form.form, None, dim, None, f"invariant form found, but {why}", form, eb
    )
