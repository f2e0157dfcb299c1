"""Numeric helpers of the verifier: candidates that the exact code then proves or rejects.

Nothing here is a certificate on its own; these functions only propose a fixed point, an
invariant form or a positive definite member of a space of forms.
"""

import numpy as np

from liesym.algebra import LieAlgebra
from liesym.algebra._ops import lyapunov_matrix, sym_from_vector


def sym_index(n: int) -> list[tuple[int, int]]:
    """Index pairs (a, b), a <= b, of the unknowns of a symmetric n x n matrix."""
    return [(a, b) for a in range(n) for b in range(a, n)]


def positive_member(forms, iterations: int = 500, min_ratio: float = 1e-6) -> np.ndarray | None:
    """Coefficients of a positive definite member of span(forms), or None if none is found.

    Alternating projections between the span and the convex set ``{M >= I}`` (which meets the
    span exactly when the span holds a positive definite member, by scaling).

    Parameters
    ----------
    forms : array-like, shape=[d, n, n]
        Symmetric matrices.
    min_ratio : float, optional, default: 1e-6
        Smallest accepted ratio of the smallest to the largest eigenvalue.

    Returns
    -------
    ndarray, shape=[d], or None
    """
    forms = np.asarray(forms, dtype=np.float64)
    d, n, _ = forms.shape
    flat = forms.reshape(d, -1)
    q = np.linalg.qr(flat.T)[0]  # orthonormal basis of the span
    x = np.eye(n)
    for _ in range(iterations):
        m = (q @ (q.T @ x.ravel())).reshape(n, n)
        m = (m + m.T) / 2
        w, v = np.linalg.eigh(m)
        if w[0] > min_ratio * max(1.0, abs(w[-1])):
            coeffs = np.linalg.lstsq(flat.T, m.ravel(), rcond=None)[0]
            return coeffs
        x = (v * np.maximum(w, 1.0)) @ v.T
    return None


def numeric_invariant_form(gens, tol: float) -> np.ndarray | None:
    """A positive definite M with ``X^T M + M X ~ 0`` for every generator, or None.

    The null space of the Lyapunov map is read off its singular values below
    ``tol * max(1, s_max)``; a positive definite member is then searched.
    """
    gens = np.asarray(gens, dtype=np.float64)
    n = gens.shape[-1]
    a = lyapunov_matrix(gens)
    _, s, vt = np.linalg.svd(a)
    s = np.concatenate([s, np.zeros(vt.shape[0] - s.size)])
    null = vt[s <= tol * max(1.0, s[0])]
    if null.shape[0] == 0:
        return None
    forms = sym_from_vector(null, n)
    # Any positive member counts here: how ill-conditioned it is decides what happens next.
    coeffs = positive_member(forms, min_ratio=0.0)
    if coeffs is None:
        return None
    m = np.tensordot(coeffs, forms, axes=1)
    return m / np.abs(m).max()


def numeric_fixed_point(algebra: LieAlgebra) -> tuple[np.ndarray | None, float]:
    """Least-squares common fixed point c of affine generators (``W_i c + b_i = 0``).

    Returns
    -------
    c : ndarray, shape=[n-1], or None
    residual : float
        Largest ``|W_i c + b_i|`` over the orthonormal basis.
    """
    w = algebra.linear_part
    b = algebra.translation_part
    m = w.shape[-1]
    c = np.linalg.lstsq(w.reshape(-1, m), -b.reshape(-1), rcond=None)[0]
    resid = float(np.abs(w @ c + b).max())
    return c, resid
