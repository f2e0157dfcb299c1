"""Numeric charts in which a numeric algebra is simplest: balancing, invariant-form, Schur, eigen.

Nothing here is a certificate. A *chart* is a change of coordinates ``x -> H x`` of the space the
generators act on (homogeneous coordinates for affine algebras), so that the generators become
``H X H^-1``. :mod:`liesym.verify._exact` rounds every chart to an exact rational matrix, snaps
the algebra in it, and carries the exact chart back.

The balancing chart ``B = D T`` comes first and defines the coordinates in which tolerances are
measured: T translates affine algebras to their numeric common fixed point (least squares over
the elements with a linear part) and D is the diagonal similarity that makes the significant
entries of each canonical basis row as equal in magnitude as possible (least squares on their
logarithms; a row's own scale is free). Both are exact rationals, chosen as the simplest
rationals within a tight relative window, so an exact chart such as ``diag(1, 1000, 10000)`` or a
centre ``(10^5, 3)`` is recovered exactly.
"""

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import scipy.linalg
import scipy.sparse.csgraph

from liesym.verify._numeric import numeric_invariant_form

EPS = float(np.finfo(np.float64).eps)
# Entries whose RMS over the orthonormal basis is below this fraction of the largest are rounding
# errors of the input (its basis comes from a QR factorisation, accurate to a few eps).
PATTERN_RTOL = 1e3 * EPS
# Relative precision of the rational balancing factors in the exact pass: far above the rounding
# of the least-squares solution (~1e-14), so exact charts are recovered exactly. At a tolerance
# the window is tol / 2: a ratio of two factors scales entries and moves by at most about tol,
# the precision to which data at this tolerance fix it. A narrower window fits the chart to the
# noise (an ellipse's axis ratio 25/32 from a discovered generator although 7/9 lies within the
# data's tolerance); the snapped algebra is still checked to lie within tol of the input.
BALANCE_RTOL = 1e-10
# Fixed, generic-looking weights of the "generic element" sum_i w_i X_i (deterministic).
GENERIC_WEIGHTS = np.sqrt(np.arange(2, 200) + 0.5) * np.where(np.arange(198) % 2, -1.0, 1.0)


def simplest_rational(x: float, eps: float) -> Fraction:
    """The rational with the smallest denominator in ``[x - eps, x + eps]`` (Stern-Brocot).

    Examples
    --------
    >>> simplest_rational(0.3333333333, 1e-6), simplest_rational(1e5 + 1e-7, 1e-4)
    (Fraction(1, 3), Fraction(100000, 1))
    """
    lo, hi = Fraction(float(x) - eps), Fraction(float(x) + eps)
    if lo <= 0 <= hi:
        return Fraction(0)
    if hi < 0:
        return -simplest_rational(-float(x), eps)

    def simplest(a: Fraction, b: Fraction) -> Fraction:  # 0 < a <= b
        fl = math.floor(a)
        if fl == a:
            return Fraction(fl)
        if fl + 1 <= b:
            return Fraction(fl + 1)
        return fl + 1 / simplest(1 / (b - fl), 1 / (a - fl))

    return simplest(lo, hi)


def rational_matrix(m: np.ndarray, rel: float) -> np.ndarray:
    """Entry-wise simplest rationals within ``rel * max|m|`` (object array of Fraction)."""
    m = np.asarray(m, dtype=np.float64)
    scale = float(np.abs(m).max()) or 1.0
    out = np.empty(m.shape, dtype=object)
    for idx, v in np.ndenumerate(m):
        out[idx] = simplest_rational(v, rel * scale)
    return out


def fraction_float(m: np.ndarray) -> np.ndarray:
    """An object array of Fractions as floats."""
    return np.vectorize(float, otypes=[np.float64])(m) if m.size else np.zeros(m.shape)


def orthonormal(stack: np.ndarray) -> np.ndarray:
    """Orthonormal (Frobenius) basis of the span of a full-rank stack (k, n, n)."""
    k = stack.shape[0]
    q = np.linalg.qr(stack.reshape(k, -1).T)[0]
    return q.T.reshape(stack.shape)


@dataclass(frozen=True, eq=False)
class Balancing:
    """The exact balancing chart ``B = D T`` and the balanced numeric algebra.

    Attributes
    ----------
    chart : ndarray of Fraction, shape=[n, n]
        B (homogeneous for affine algebras).
    basis : ndarray, shape=[k, n, n]
        Orthonormal basis of ``B X B^-1``.
    steps : tuple of str
    center : ndarray of Fraction or None
        The exact translation (affine algebras).
    rounding : float
        Rounding level of the balanced basis entries (relative to its unit-norm generators).
    spread : float
        Largest ratio ``d_i / d_j`` of the diagonal factors (1 when nothing was rescaled).
    """

    chart: np.ndarray
    basis: np.ndarray
    steps: tuple
    center: np.ndarray | None
    rounding: float
    spread: float


def _log_balance(rows: np.ndarray, level: float = 0.0, floor=None) -> np.ndarray:
    """Log-scales x making the entries of every row as equal as possible (least squares).

    ``rows`` (k, n, n) is a basis of the span in canonical (echelon) form. Each row is a fixed
    direction of the span up to its own scale, so only ratios *within* a row carry information
    about the chart: minimise ``sum_r sum_(j,k) (log |row_r[j,k]| + x_j - x_k - mu_r)^2`` with a
    free ``mu_r`` per row, over the entries above ``level`` times the row's largest (and above
    ``floor[j, k]``, and above the rounding level).
    """
    k, n, _ = rows.shape
    eqs, rhs = [], []
    for r, row in enumerate(np.abs(rows)):
        top = float(row.max())
        low = 0.0 if floor is None else floor[min(r, len(floor) - 1)]
        mask = (row > max(PATTERN_RTOL, level) * top) & (row > low)
        np.fill_diagonal(mask, False)
        for j, kk in np.argwhere(mask):
            e = np.zeros(n + k)
            e[j] += 1.0
            e[kk] -= 1.0
            e[n + r] = -1.0
            eqs.append(e)
            rhs.append(-np.log(row[j, kk] / top))
    x = np.zeros(n)
    if not eqs:
        return x
    a = np.array(eqs)
    sol = np.linalg.lstsq(a, np.array(rhs), rcond=None)[0][:n]
    # Each connected block of constrained coordinates is fixed up to a constant: d = 1 at its
    # first index (so exact charts come out as simple rationals).
    adj = np.zeros((n, n), dtype=bool)
    for e in a:
        j, kk = int(np.argmax(e[:n])), int(np.argmin(e[:n]))
        adj[j, kk] = adj[kk, j] = True
    seen = np.zeros(n, dtype=bool)
    for s in range(n):
        if seen[s]:
            continue
        stack, comp = [s], []
        seen[s] = True
        while stack:
            v = stack.pop()
            comp.append(v)
            for w in np.flatnonzero(adj[v] & ~seen):
                seen[w] = True
                stack.append(int(w))
        comp = np.array(comp)
        x[comp] = sol[comp] - sol[min(comp)]
    return x


def balance(
    basis: np.ndarray,
    affine: bool,
    tol: float,
    pattern: float | None = None,
    spread: float = 1.0,
) -> Balancing:
    """Translate to the numeric fixed point and equilibrate by a diagonal similarity, exactly.

    Parameters
    ----------
    basis : ndarray, shape=[k, n, n]
        Orthonormal basis of the input.
    affine : bool
    tol : float
        Snapping tolerance: the exact centre is the simplest rational point within
        ``tol / 4`` length units of the numeric one (``1e-3 tol`` in the exact pass), and the
        diagonal factors are the simplest rationals within relative ``tol / 2`` (their
        ratios, which scale the entries, then move by at most about tol: the precision to
        which the data determine them).
    pattern : float, optional
        Entries of a canonical (echelon) basis row at most ``pattern`` times the row's largest
        do not steer the equilibration (default ``tol``): they may be noise, and scaling them
        up would turn noise into structure. The exact pass uses 0 (only rounding is ignored).
    spread : float, optional, default: 1
        Condition number of the input's own (normalised) generators: the stored orthonormal
        basis is only accurate to about ``eps * spread``.

    Returns
    -------
    Balancing
    """
    k, n, _ = basis.shape
    level = tol if pattern is None else pattern
    t = np.array([[Fraction(int(i == j)) for j in range(n)] for i in range(n)], dtype=object)
    steps = []
    center = None
    x = basis
    lift = 1.0
    floor = np.zeros((n, n))
    if affine:
        m = n - 1
        w, b = basis[:, :m, :m], basis[:, :m, m]
        w_scale = float(np.abs(w).max())
        c = None
        # Linear parts below the noise level (tol) would put the "fixed point" wherever the
        # noise says (a translation is within tol of rotations about far points).
        if w_scale > max(PATTERN_RTOL, level):
            # Pure translations of the span (elements with W = 0) have no fixed point and do
            # not care where the origin is: centre on the elements with a linear part.
            u, sv, _ = np.linalg.svd(w.reshape(k, -1), full_matrices=False)
            floor_sv = max(1e-8 * sv[0], 1e2 * EPS * spread)
            keep = u[:, sv > floor_sv].T  # coefficient vectors of the complement
            wk, bk = np.tensordot(keep, w, axes=1), keep @ b
            c = np.linalg.lstsq(wk.reshape(-1, m), -bk.reshape(-1), rcond=None)[0]
            resid = np.linalg.norm(wk @ c + bk) / max(np.linalg.norm(bk), 1e-300)
            if resid > 0.5:  # no point common enough to move to
                c = None
        if c is not None:
            unit = 1.0 / w_scale  # length unit of the linear parts
            window = (1e-3 * tol if pattern == 0.0 else 0.25 * tol) * unit
            center = np.array([simplest_rational(v, window) for v in c], dtype=object)
            # What the exact centre leaves of the translations (its rounding, and the
            # inconsistency of the elements' fixed points, which is noise when they share one)
            # must not steer the equilibration; it stays in the data and in the distance d.
            inconsistency = float(np.abs(wk @ c + bk).max()) if keep.size else 0.0
            floor[:m, m] = 2.0 * (np.sqrt(m) * w_scale * window + inconsistency)
            if any(v != 0 for v in center):
                t[:m, m] = -center
                cf = fraction_float(center)
                x = basis.copy()
                x[:, :m, m] = b + w @ cf
                lift = 1.0 + float(np.abs(cf).max()) * w_scale
                steps.append(
                    "translation to the numeric fixed point c = "
                    f"({', '.join(str(v) for v in center)})"
                )
    canon = _echelon(x)
    scale = np.abs(canon).max(axis=(1, 2), keepdims=True)
    rel = scale / np.abs(x).max(axis=(1, 2), keepdims=True)
    logs = _log_balance(canon, level, floor[None] * rel)
    rel = BALANCE_RTOL if pattern == 0.0 else 0.5 * tol
    d = np.array([simplest_rational(math.exp(v), rel * math.exp(v)) for v in logs])
    df = fraction_float(d)
    spread = float(df.max() / df.min())
    if spread > 1.0:
        x = df[:, None] * x / df[None, :]
        steps.append("diagonal equilibration D = diag(" + ", ".join(str(v) for v in d) + ")")
    chart = np.array([[d[i] * t[i, j] for j in range(n)] for i in range(n)], dtype=object)
    # Rounding of the stored basis: relative per entry for one generator (a normalisation),
    # absolute (eps times the largest entry) once Gram-Schmidt has mixed several.
    stored = np.abs(basis) + (np.abs(basis).max(axis=(1, 2), keepdims=True) if k > 1 else 0.0)
    err = EPS * lift * stored * (df[:, None] / df[None, :])
    norms = np.linalg.norm(x.reshape(k, -1), axis=1)
    rounding = float(np.max(err.max(axis=(1, 2)) / norms))
    return Balancing(chart, orthonormal(x), tuple(steps), center, rounding, spread)


def _echelon(stack: np.ndarray) -> np.ndarray:
    """Reduced echelon basis (pivots of largest magnitude) of a stack's span, as matrices."""
    k, n, _ = stack.shape
    flat = stack.reshape(k, -1)
    q = np.linalg.qr(flat.T)[0].T
    resid = q.T.copy()
    pivots = []
    for _ in range(k):
        norms = np.linalg.norm(resid, axis=1)
        j = int(np.argmax(norms))
        pivots.append(j)
        u = resid[j] / norms[j]
        resid = resid - np.outer(resid @ u, u)
    return np.linalg.solve(q[:, pivots], q).reshape(k, n, n)


def _linear(basis: np.ndarray, affine: bool) -> np.ndarray:
    return basis[:, :-1, :-1] if affine else basis


def _embed(r: np.ndarray, affine: bool) -> np.ndarray:
    if not affine:
        return r
    out = np.eye(r.shape[0] + 1)
    out[:-1, :-1] = r
    return out


def _translation_free(basis: np.ndarray, affine: bool, tol: float) -> bool:
    return not affine or float(np.abs(basis[:, :-1, -1]).max()) <= tol


def natural_condition(basis: np.ndarray, tol: float = 0.0) -> float:
    """Condition number of the eigenvector basis of a generic element (inf when defective).

    In the balanced chart the algebra's structure is visible at the scale ``1 / kappa`` of its
    entries: a rotation seen through a chart of condition c has eigenvalues ``~1/c^2`` of its
    norm. Snapping at tol can erase that structure once ``kappa tol`` is not small.

    A repeated eigenvalue of a semisimple element (the same rotation on several planes) is
    split by noise into a cluster whose individual eigenvectors are arbitrary, and may be
    nearly parallel, inside the cluster's invariant subspace. Eigenvalues within ``tol`` of
    each other whose invariant subspace carries a block within ``tol`` (entry-wise) of a
    scalar are therefore one eigenvalue: an orthonormal basis of that subspace (sorted Schur
    vectors) replaces their eigenvectors. A cluster whose block is not near-scalar (a rotation
    with eigenvalues below tol seen through a bad chart, a Jordan block) keeps its
    eigenvectors, and with them its large condition number.
    """
    y = np.tensordot(GENERIC_WEIGHTS[: len(basis)], basis, axes=1)
    size = np.linalg.norm(y)
    if size == 0.0:  # no linear part (translations): nothing to erase
        return 1.0
    y = y / size
    values, vecs = np.linalg.eig(y)
    if tol > 0.0:
        vecs = np.concatenate(
            [_cluster_basis(y, values, vecs, c, tol) for c in _clusters(values, tol)], axis=1
        )
    with np.errstate(all="ignore"):
        kappa = float(np.linalg.cond(vecs))
    return kappa if np.isfinite(kappa) else float("inf")


def _clusters(values: np.ndarray, tol: float) -> list[np.ndarray]:
    """Index sets of eigenvalues linked by chains of distances at most ``tol``."""
    close = np.abs(values[:, None] - values[None, :]) <= tol
    count, label = scipy.sparse.csgraph.connected_components(close, directed=False)
    return [np.flatnonzero(label == k) for k in range(count)]


def _cluster_basis(y, values, vecs, idx, tol) -> np.ndarray:
    if idx.size == 1:
        return vecs[:, idx]
    centre = complex(np.mean(values[idx]))
    radius = float(np.max(np.abs(values[idx] - centre))) + 1e-300
    # Sorted complex Schur form: the leading vectors span the cluster's invariant subspace.
    t, q, k = scipy.linalg.schur(
        y.astype(complex), output="complex", sort=lambda z: abs(z - centre) <= 1.000001 * radius
    )
    if k != idx.size:
        return vecs[:, idx]
    block = t[:k, :k] - centre * np.eye(k)
    return q[:, :k] if float(np.abs(block).max()) <= tol else vecs[:, idx]


def invariant_form_chart(basis: np.ndarray, affine: bool, tol: float) -> np.ndarray | None:
    """``M^{1/2}`` of a numeric positive definite invariant form (compact candidates), or None."""
    if not _translation_free(basis, affine, tol):
        return None
    m = numeric_invariant_form(_linear(basis, affine), tol)
    if m is None:
        return None
    w, v = np.linalg.eigh(m)
    if w[0] <= 0.0:  # positive only up to rounding: no usable chart
        return None
    root = (v * np.sqrt(w)) @ v.T
    return _embed(root / np.abs(root).max(), affine)


def schur_chart(basis: np.ndarray, affine: bool, tol: float) -> np.ndarray | None:
    """``Q^T M^{1/2}``: the invariant-form chart, then the Schur basis of a generic element.

    The common kernel of the algebra comes last (compact candidates); None when there is no
    numeric invariant form.
    """
    p = invariant_form_chart(basis, affine, tol)
    if p is None:
        return None
    lin = _linear(basis, affine)
    m = lin.shape[-1]
    pl = p[:m, :m]
    skew = pl @ lin @ np.linalg.inv(pl)
    skew = 0.5 * (skew - np.swapaxes(skew, 1, 2))
    # Common kernel F of the algebra (vectors fixed by the whole group) and its complement.
    s_, vt = np.linalg.svd(skew.reshape(-1, m))[1:]
    s_ = np.concatenate([s_, np.zeros(m - s_.size)])
    top = s_[0] if s_.size and s_[0] > 0 else 1.0
    fixed = vt[s_ <= 1e-8 * top]
    moving = vt[s_ > 1e-8 * top]
    y = np.tensordot(GENERIC_WEIGHTS[: len(skew)], skew, axes=1)
    q_parts = []
    if len(moving):
        ym = moving @ y @ moving.T
        ym = 0.5 * (ym - ym.T)
        t, z = scipy.linalg.schur(ym, output="real")
        # Order the 2x2 rotation blocks by decreasing frequency, zero eigenvalues last.
        blocks, i = [], 0
        size = t.shape[0]
        while i < size:
            if i + 1 < size and abs(t[i + 1, i]) > 1e-12 * max(1.0, abs(t).max()):
                blocks.append((-abs(t[i + 1, i]), [i, i + 1]))
                i += 2
            else:
                blocks.append((0.0, [i]))
                i += 1
        order = [j for _, idx in sorted(blocks, key=lambda b: b[0]) for j in idx]
        q_parts.append(z[:, order].T @ moving)
    if len(fixed):
        q_parts.append(fixed)
    q = np.concatenate(q_parts)
    return _embed(q @ pl, affine)


def eigen_chart(basis: np.ndarray, affine: bool, tol: float) -> np.ndarray | None:
    """Real eigenvector basis of a generic element, then balanced (any algebra), or None.

    Real eigenvectors and the (real, imaginary) parts of complex pairs form the chart's
    columns; the algebra is then re-balanced in that chart. None when the generic element is
    not numerically diagonalisable.
    """
    lin = _linear(basis, affine)
    m = lin.shape[-1]
    y = np.tensordot(GENERIC_WEIGHTS[: len(lin)], lin, axes=1)
    vals, vecs = np.linalg.eig(y)
    cols, i = [], 0
    order = np.lexsort((vals.imag, vals.real))
    vals, vecs = vals[order], vecs[:, order]
    scale = max(float(np.abs(vals).max()), 1e-300)
    while i < m:
        if abs(vals[i].imag) > 1e-9 * scale:
            v = vecs[:, i]
            cols += [v.real, v.imag]
            i += 2
        else:
            cols.append(vecs[:, i].real)
            i += 1
    v = np.stack(cols[:m], axis=1)
    v = v / np.linalg.norm(v, axis=0)
    if np.linalg.cond(v) > 1e8:
        return None
    r = np.linalg.inv(v)
    conj = _embed(r, affine) @ basis @ np.linalg.inv(_embed(r, affine))
    logs = _log_balance(_echelon(conj))
    return np.exp(logs)[:, None] * _embed(r, affine)
