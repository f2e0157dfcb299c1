"""Identification of a snapped algebra up to isomorphism, from its invariants.

Naming conventions (1-dimensional algebras are all isomorphic; the name records the type of
the generator X, a conjugacy invariant, because that is what users ask about):

- "so(2)": X diagonalisable with purely imaginary, not all zero, eigenvalues (elliptic);
- "scaling": the linear part of X is a non-zero multiple of the identity;
- "so(1,1)": X diagonalisable with real eigenvalues otherwise (hyperbolic);
- "abelian(1)": anything else (nilpotent, e.g. a translation, or a spiral).

Abelian algebras of dimension k >= 2 are "so(2)+...+so(2)" (k terms) when they preserve a
positive definite form (a compact torus algebra, closed or not), else "abelian(k)".
Semisimple algebras are named from (dimension, rank, Killing inertia); solvable ones of small
dimension from their derived algebra; everything else is "unknown(k)".
"""

from dataclasses import dataclass, field

import numpy as np
from sympy.polys.matrices import DomainMatrix

from liesym._core import SNAP_TOL
from liesym.verify._closure import ClosureCertificate, ad_matrices, as_exact_basis, is_closed
from liesym.verify._compact import CompactnessCertificate, is_compact
from liesym.verify._exact import ExactBasis, float_array
from liesym.verify._field import inertia, is_semisimple, sign
from liesym.verify._invariants import (
    bracket_coords,
    centre,
    derived,
    derived_series,
    killing,
    numeric_rank,
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
        None when no exact basis (or no closure) is available.
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
    basis: ExactBasis = field(repr=False)


def identify(
    algebra,
    tol: float = SNAP_TOL,
    *,
    closure: ClosureCertificate | None = None,
    compactness: CompactnessCertificate | None = None,
) -> Identification:
    """Name the snapped algebra up to isomorphism (conventions in the module docstring).

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
    ad = ad_matrices(c, K)
    inert = inertia(killing(ad)) if k > 1 else (0, 0, 1)
    facts = dict(dim=k, derived_series=series, centre_dim=z, killing_inertia=inert)
    rank = None
    if k == 1:
        name, why = _one_dim(eb)
    elif z == k:
        compactness = compactness or is_compact(eb, closure=closure)
        torus = compactness.invariant_form is not None
        name = "+".join(["so(2)"] * k) if torus else f"abelian({k})"
        why = "abelian" + (", preserves a positive definite form (torus)" if torus else "")
    elif inert[2] == 0:
        rank = numeric_rank(ad)
        key = (k, rank, inert[0], inert[1])
        if key in SEMISIMPLE:
            name = SEMISIMPLE[key]
        elif inert[0] == 0 and k == 3 * rank:
            name = "+".join(["so(3)"] * rank)  # compact, every simple factor of minimal dim
        else:
            name = f"unknown({k})"
        why = f"semisimple (Killing form non-degenerate), rank {rank}"
    else:
        name, why = _solvable_or_other(c, K, series, z, inert)
    return Identification(name, rank=rank, reason=why, basis=eb, **facts)


def _one_dim(eb: ExactBasis) -> tuple[str, str]:
    x = eb.dm[0]
    K = eb.K
    lin = x
    if eb.affine:
        m = eb.algebra.n - 1
        lin = DomainMatrix([r[:m] for r in x.to_list()[:m]], (m, m), K)
    d = lin.diagonal()
    offdiag = [v for i, r in enumerate(lin.to_list()) for j, v in enumerate(r) if i != j]
    if all(v == K.zero for v in offdiag) and len(set(d)) == 1 and d[0] != K.zero:
        return "scaling", "generator's linear part is a non-zero multiple of the identity"
    if not is_semisimple(x):
        return "abelian(1)", "generator not diagonalisable (non-zero nilpotent part)"
    ev = np.linalg.eigvals(float_array(x))
    scale = max(1.0, np.abs(ev).max())
    if np.all(np.abs(ev.real) <= 1e-9 * scale) and np.any(np.abs(ev.imag) > 1e-9 * scale):
        return "so(2)", "generator diagonalisable with imaginary eigenvalues (elliptic)"
    if np.all(np.abs(ev.imag) <= 1e-9 * scale):
        return "so(1,1)", "generator diagonalisable with real eigenvalues (hyperbolic)"
    return "abelian(1)", "generator with complex, non-imaginary eigenvalues"


def _solvable_or_other(c, K, series, z, inert) -> tuple[str, str]:
    k = len(c)
    full = [[K.one if i == j else K.zero for j in range(k)] for i in range(k)]
    der = derived(full, c, K)
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
    piv = [next(i for i, v in enumerate(row) if v != K.zero) for row in der]
    x = [K.one if i == next(j for j in range(k) if j not in piv) else K.zero for i in range(k)]
    cols = []
    for u in der:
        b = bracket_coords(x, u, c, K)
        cols.append([b[p] for p in piv])  # coordinates in the echelon rows = pivot entries
    return [[cols[j][i] for j in range(2)] for i in range(2)]
