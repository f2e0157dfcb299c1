"""Exact structural invariants from sparse structure constants: derived series, centre, Killing.

Structure constants are stored sparsely: ``c[i][j]`` is a dict ``{l: value}`` with
``[E_i, E_j] = sum_l c[i][j][l] E_l``.
"""

import numpy as np
from sympy.polys.matrices import DomainMatrix

from liesym.verify._field import rows_of, sparse, to_float


def row_basis(vectors: list[dict], k: int, K) -> list[dict]:
    """Echelon basis of the span of sparse coordinate vectors (dicts of length-k vectors)."""
    vectors = [v for v in vectors if v]
    if not vectors:
        return []
    m = sparse(
        {(r, j): x for r, v in enumerate(vectors) for j, x in v.items()}, (len(vectors), k), K
    )
    rref, pivots = m.rref()
    rows = rows_of(rref)
    return [dict(rows.get(r, {})) for r in range(len(pivots))]


def bracket_coords(u: dict, v: dict, c, K) -> dict:
    """Coordinates of ``[sum u_i E_i, sum v_j E_j]`` (sparse dicts)."""
    out: dict = {}
    for i, ui in u.items():
        for j, vj in v.items():
            if i == j:
                continue
            w = ui * vj
            for m, x in c[i][j].items():
                out[m] = out.get(m, K.zero) + w * x
    return {m: x for m, x in out.items() if x != K.zero}


def derived(sub: list[dict], c, K) -> list[dict]:
    """Basis of ``[h, h]`` for the subalgebra h spanned by ``sub``."""
    k = len(c)
    vecs = [bracket_coords(u, v, c, K) for a, u in enumerate(sub) for v in sub[a + 1 :]]
    return row_basis(vecs, k, K)


def unit_vectors(k: int, K) -> list[dict]:
    """The coordinate basis of g."""
    return [{i: K.one} for i in range(k)]


def derived_series(c, K) -> tuple[int, ...]:
    """Dimensions of g, [g, g], [[g, g], [g, g]], ... until it stabilises."""
    k = len(c)
    cur = unit_vectors(k, K)
    dims = [k]
    while cur:
        nxt = derived(cur, c, K)
        if len(nxt) == len(cur):
            break
        dims.append(len(nxt))
        cur = nxt
    return tuple(dims)


def centre(c, K) -> list[dict]:
    """Basis (coordinates) of the centre: x with ``sum_i x_i c[i][j][r] = 0`` for all j, r."""
    k = len(c)
    entries = {}
    for i in range(k):
        for j in range(k):
            for r, v in c[i][j].items():
                entries[(j * k + r, i)] = v
    null = sparse(entries, (k * k, k), K).nullspace().to_sparse()
    rows = rows_of(null)
    return [dict(rows.get(r, {})) for r in range(null.shape[0])]


def killing(c, K) -> DomainMatrix:
    """Exact Killing form ``B[i, m] = tr(ad_i ad_m) = sum_{a, b} c[i][a][b] c[m][b][a]``."""
    k = len(c)
    out = {}
    for i in range(k):
        for m in range(i, k):
            s = K.zero
            for a, row in enumerate(c[i]):
                for b, x in row.items():
                    y = c[m][b].get(a)
                    if y is not None:
                        s += x * y
            if s != K.zero:
                out[(i, m)] = out[(m, i)] = s
    return sparse(out, (k, k), K)


def numeric_rank(c, K) -> int:
    """Rank (dimension of a Cartan subalgebra): nullity of ad of a generic element."""
    k = len(c)
    weights = np.sqrt(np.arange(2, k + 2) + 0.5)  # fixed, generic-looking coefficients
    x = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            for r, v in c[i][j].items():
                x[r, j] += weights[i] * to_float(v, K)
    s = np.linalg.svd(x, compute_uv=False)
    return int(np.count_nonzero(s <= 1e-9 * max(1.0, s[0])))
