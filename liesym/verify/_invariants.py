"""Exact structural invariants from structure constants: derived series, centre, Killing form."""

import numpy as np
from sympy.polys.matrices import DomainMatrix

from liesym.verify._exact import float_array


def row_basis(vectors: list[list], k: int, K) -> list[list]:
    """Echelon basis of the span of coordinate vectors (length k)."""
    if not vectors:
        return []
    rref, pivots = DomainMatrix(vectors, (len(vectors), k), K).rref()
    return rref.to_list()[: len(pivots)]


def bracket_coords(u: list, v: list, c, K) -> list:
    """Coordinates of ``[sum u_i E_i, sum v_j E_j]``."""
    k = len(c)
    out = [K.zero] * k
    for i, ui in enumerate(u):
        if ui == K.zero:
            continue
        for j, vj in enumerate(v):
            if vj == K.zero or i == j:
                continue
            w = ui * vj
            row = c[i][j]
            for m in range(k):
                if row[m] != K.zero:
                    out[m] += w * row[m]
    return out


def derived(sub: list[list], c, K) -> list[list]:
    """Basis of ``[h, h]`` for the subalgebra h spanned by ``sub``."""
    k = len(c)
    vecs = [bracket_coords(u, v, c, K) for a, u in enumerate(sub) for v in sub[a + 1 :]]
    return row_basis([v for v in vecs if any(x != K.zero for x in v)], k, K)


def derived_series(c, K) -> tuple[int, ...]:
    """Dimensions of g, [g, g], [[g, g], [g, g]], ... until it stabilises."""
    k = len(c)
    cur = [[K.one if i == j else K.zero for j in range(k)] for i in range(k)]
    dims = [k]
    while cur:
        nxt = derived(cur, c, K)
        if len(nxt) == len(cur):
            break
        dims.append(len(nxt))
        cur = nxt
    return tuple(dims)


def centre(c, K) -> list[list]:
    """Basis (coordinates) of the centre: x with ``sum_i x_i c[i][j][r] = 0`` for all j, r."""
    k = len(c)
    rows = [[c[i][j][r] for i in range(k)] for j in range(k) for r in range(k)]
    return DomainMatrix(rows, (k * k, k), K).nullspace().to_list()


def killing(ad: list[DomainMatrix]) -> DomainMatrix:
    """Exact Killing form ``B[i, m] = tr(ad_i ad_m)``."""
    k = len(ad)
    K = ad[0].domain
    prods = [
        [sum((ad[i] * ad[m]).diagonal(), K.zero) if m >= i else None for m in range(k)]
        for i in range(k)
    ]
    rows = [[prods[min(i, m)][max(i, m)] for m in range(k)] for i in range(k)]
    return DomainMatrix(rows, (k, k), K)


def numeric_rank(ad: list[DomainMatrix]) -> int:
    """Rank (dimension of a Cartan subalgebra): nullity of ad of a generic element."""
    mats = np.stack([float_array(a) for a in ad])
    k = mats.shape[0]
    weights = np.sqrt(np.arange(2, k + 2) + 0.5)  # fixed, generic-looking coefficients
    x = np.tensordot(weights, mats, axes=1)
    s = np.linalg.svd(x, compute_uv=False)
    return int(np.count_nonzero(s <= 1e-9 * max(1.0, s[0])))
