"""Identification of an exact algebra up to isomorphism, from its invariants.

Naming conventions (1-dimensional algebras are all isomorphic; the name records the type of
the generator X, a conjugacy invariant, because that is what users ask about):

- "so(2)": X diagonalisable with purely imaginary, not all zero, eigenvalues (elliptic);
- "scaling": the linear part of X is a non-zero multiple of the identity;
- "so(1,1)": X diagonalisable with real eigenvalues otherwise (hyperbolic);
- "abelian(1)": anything else (nilpotent, e.g. a translation, or a spiral).

Abelian algebras of dimension k >= 2 are "so(2)+...+so(2)" (k terms) when they preserve a
positive definite form (a torus algebra, closed or not), else "abelian(k)". Semisimple algebras
are named from (dimension, rank, Killing inertia), and a compact one of dimension m(m-1)/2
acting on R^m is all of so(m) for its invariant form. Reductive algebras (the Killing form's
kernel is the centre) are named "semisimple part + centre", e.g. u(2) is "so(3)+so(2)" and
gl(2) is "sl(2,R)+scaling". Solvable ones of small dimension are named from their derived
algebra; everything else is "unknown(k)".
"""

from dataclasses import dataclass, field

import numpy as np

from liesym._core import SNAP_TOL
from liesym.verify._closure import ClosureCertificate, as_exact_basis, is_closed
from liesym.verify._compact import (
    CompactnessCertificate,
    combination,
    is_compact,
    linear_generators,
)
from liesym.verify._exact import ExactBasis, float_matrix
from liesym.verify._field import inertia, is_semisimple, rows_of, sign
from liesym.verify._invariants import (
    bracket_coords,
    centre,
    derived,
    derived_series,
    killing,
    numeric_rank,
    unit_vectors,
)

# (dim, rank, positive, negative) of the Killing form -> name, for semisimple algebras.
SEMISIMPLE = {
    (3, 1, 0, 3): "so(3)",
    (3, 1, 2, 1): "sl(2,R)",
    (6, 2, 0, 6): "so(4)",
    (6, 2, 3, 3): "so(3,1)",
    (6, 2, 4, 2): "so(2,2)",
    (6, 2, 2, 4): "so(3)+sl(2,R)",
    (8, 2, 0, 8): "su(3)",
    (8, 2, 5, 3): "sl(3,R)",
    (8, 2, 4, 4): "su(2,1)",
    (10, 2, 0, 10): "so(5)",
    (15, 3, 0, 15): "so(6)",
}


@dataclass(frozen=True, eq=False)
class Identification:
    """The name of an algebra and the invariants it was read from.

    Attributes
    ----------
    name : str or None
        None when no exact basis (or no closure) is available, or when two exact algebras
        within tol have different names.
    dim : int
    derived_series : tuple of int or None
        Dimensions of g, [g, g], ... (exact).
    centre_dim : int or None
    killing_inertia : tuple or None
        (positive, negative, zero) eigenvalue counts of the exact Killing form.
    rank : int or None
        Numeric rank (Cartan subalgebra dimension) for semisimple algebras.
    reason : str
    """

    name: str | None
    dim: int
    derived_series: tuple | None
    centre_dim: int | None
    killing_inertia: tuple | None
    rank: int | None
    reason: str
    basis: ExactBasis | None = field(default=None, repr=False)


def identify(
    algebra,
    tol: float = SNAP_TOL,
    *,
    closure: ClosureCertificate | None = None,
    compactness: CompactnessCertificate | None = None,
) -> Identification:
    """Name the exact algebra up to isomorphism (conventions in the module docstring).

    Parameters
    ----------
    algebra : LieAlgebra or ExactBasis
    tol : float, optional, default: ``SNAP_TOL``
    closure, compactness : certificates, optional
        Reused when given.

    Returns
    -------
    Identification

    Examples
    --------
    >>> from liesym.algebra import se, sl, so
    >>> [identify(a).name for a in (so(2), so(3), se(2), sl(2), so(4))]
    ['so(2)', 'so(3)', 'se(2)', 'sl(2,R)', 'so(4)']
    """
    eb = as_exact_basis(algebra, tol)
    k = eb.algebra.dim
    if not eb.ok:
        return Identification(None, k, None, None, None, None, eb.reason, eb)
    closure = closure or is_closed(eb)
    if closure.closed is not True:
        return Identification(None, k, None, None, None, None, closure.reason, eb)
    K = eb.K
    c = closure.constants
    series = derived_series(c, K)
    z = len(centre(c, K))
    inert = inertia(killing(c, K)) if k > 1 else (0, 0, 1)
    facts = dict(dim=k, derived_series=series, centre_dim=z, killing_inertia=inert)
    rank = None

    def has_form() -> bool:
        nonlocal compactness
        compactness = compactness or is_compact(eb, closure=closure)
        return compactness.form is not None and compactness.form.positive_definite is True

    if k == 1:
        name, why = _one_dim(eb)
    elif z == k:
        torus = has_form()
        name = "+".join(["so(2)"] * k) if torus else f"abelian({k})"
        why = "abelian" + (", preserves a positive definite form (torus)" if torus else "")
    elif inert[2] == 0:
        rank = numeric_rank(c, K)
        name = _semisimple_name(eb, k, rank, inert, has_form)
        why = f"semisimple (Killing form non-degenerate), rank {rank}"
    elif inert[2] == z and series[1:2] == (k - z,):
        # Reductive: g = z + [g, g] with [g, g] semisimple (Killing kernel = centre).
        ss = k - z
        rank = numeric_rank(c, K) - z
        ss_name = _semisimple_name(eb, ss, rank, inert, has_form, reductive=True)
        torus = has_form()
        cen = _centre_name(eb, c, K, z, torus)
        name = f"{ss_name}+{cen}"
        why = f"reductive: semisimple part of dimension {ss} (rank {rank}) plus a {z}-dim centre"
    else:
        name, why = _solvable_or_other(c, K, series, z, inert)
    return Identification(name, rank=rank, reason=why, basis=eb, **facts)


def _semisimple_name(eb, k, rank, inert, has_form, reductive=False) -> str:
    key = (k, rank, inert[0], inert[1])
    if key in SEMISIMPLE:
        return SEMISIMPLE[key]
    if inert[0] == 0 and k == 3 * rank:
        return "+".join(["so(3)"] * rank)  # compact, every simple factor of minimal dim
    m = round((1 + np.sqrt(1 + 8 * k)) / 2)  # k = m(m-1)/2
    size = eb.algebra.n - (1 if eb.affine else 0)
    if not reductive and m * (m - 1) // 2 == k and m == size and inert[0] == 0 and has_form():
        return f"so({m})"  # a compact algebra of dim so(m) on R^m is all of so(M)
    return f"unknown({k})"


def _centre_name(eb, c, K, z, torus) -> str:
    """Name of the centre: a torus, or for one dimension the type of its generator."""
    if torus:
        return "+".join(["so(2)"] * z)
    gens = linear_generators(eb)
    elems = [combination(gens, vec) for vec in centre(c, K)]
    if z == 1:
        return _generator_type(elems[0], K)[0]
    from liesym.verify._compact import invariant_form_of

    if invariant_form_of(elems) is True:
        return "+".join(["so(2)"] * z)
    return f"abelian({z})"


def _generator_type(x, K) -> tuple[str, str]:
    """1-dim naming convention for one exact linear generator (module docstring)."""
    rows = rows_of(x)
    n = x.shape[0]
    d = [rows.get(i, {}).get(i, K.zero) for i in range(n)]
    off = any(j != i for i, row in rows.items() for j in row)
    if not off and len(set(d)) == 1 and d[0] != K.zero:
        return "scaling", "generator's linear part is a non-zero multiple of the identity"
    if not is_semisimple(x):
        return "abelian(1)", "generator not diagonalisable (non-zero nilpotent part)"
    ev = np.linalg.eigvals(float_matrix(x))
    scale = max(1.0, np.abs(ev).max())
    if np.all(np.abs(ev.real) <= 1e-9 * scale) and np.any(np.abs(ev.imag) > 1e-9 * scale):
        return "so(2)", "generator diagonalisable with imaginary eigenvalues (elliptic)"
    if np.all(np.abs(ev.imag) <= 1e-9 * scale):
        return "so(1,1)", "generator diagonalisable with real eigenvalues (hyperbolic)"
    return "abelian(1)", "generator with complex, non-imaginary eigenvalues"


def _one_dim(eb: ExactBasis) -> tuple[str, str]:
    lin = linear_generators(eb)[0]
    if not is_semisimple(eb.dm[0]) and is_semisimple(lin):
        return "abelian(1)", "affine generator not diagonalisable (a translation part)"
    return _generator_type(lin, eb.K)


def _solvable_or_other(c, K, series, z, inert) -> tuple[str, str]:
    k = len(c)
    der = derived(unit_vectors(k, K), c, K)
    if k == 2:
        return "aff(1)", "the non-abelian 2-dimensional algebra"
    if k == 3 and len(der) == 1 and z == 1:
        return "heisenberg(3)", "derived algebra = centre, 1-dimensional"
    if k == 3 and len(der) == 2 and not derived(der, c, K):
        # ad of a complement acting on the abelian ideal [g, g]: imaginary spectrum -> se(2).
        a = _restricted_ad(c, K, der)
        tr = a[0][0] + a[1][1]
        det = a[0][0] * a[1][1] - a[0][1] * a[1][0]
        if tr == K.zero and sign(det, K) > 0:
            return (
                "se(2)",
                "[g, g] abelian of dim 2, rotated by the complement (imaginary spectrum)",
            )
        if tr == K.zero and sign(det, K) < 0:
            return "se(1,1)", "[g, g] abelian of dim 2, boosted by the complement (real spectrum)"
    m = round((np.sqrt(8 * k + 1) - 1) / 2)  # se(m) has dim m(m+1)/2
    if m >= 3 and m * (m + 1) // 2 == k and inert == (0, m * (m - 1) // 2, m) and len(series) == 1:
        return f"se({m})", "perfect, Killing form negative semidefinite with an m-dim kernel"
    return f"unknown({k})", f"not semisimple; derived series {series}, centre dim {z}"


def _restricted_ad(c, K, der) -> list[list]:
    """Matrix of ad(x) on the 2-dim ideal spanned by ``der`` (echelon rows), x outside it."""
    k = len(c)
    piv = [min(row) for row in der]
    free = next(j for j in range(k) if j not in piv)
    x = {free: K.one}
    cols = []
    for u in der:
        b = bracket_coords(x, u, c, K)
        cols.append([b.get(p, K.zero) for p in piv])  # echelon rows: coordinates = pivot entries
    return [[cols[j][i] for j in range(2)] for i in range(2)]
