"""Functions on plain generator arrays: the numerical core behind :class:`LieAlgebra`."""

import numpy as np
import scipy.linalg

from liesym._core import RANK_RTOL, as_generator_stack


def bracket(a, b) -> np.ndarray:
    """Matrix commutator ``[a, b] = a b - b a``, broadcast over leading axes.

    Parameters
    ----------
    a, b : array-like, shape=[..., n, n]

    Returns
    -------
    ndarray, shape=[..., n, n]

    Examples
    --------
    >>> from liesym.algebra import so
    >>> lx, ly, lz = so(3).basis
    >>> bool(np.allclose(bracket(lx, ly), lz / np.sqrt(2)))
    True
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return a @ b - b @ a


def span_basis(
    stack, *, rtol: float = RANK_RTOL, name: str = "basis", normalize: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Orthonormal (Frobenius) basis of the span of a generator stack, rank-revealing.

    When the input is linearly independent the basis comes from Gram-Schmidt (QR with a
    positive diagonal), so an orthogonal input keeps its directions and order; otherwise
    the leading right singular vectors are used.

    Parameters
    ----------
    stack : array-like, shape=[k, n, n]
    rtol : float, optional, default: ``RANK_RTOL``
        Singular values below ``rtol * max`` count as zero.
    name : str
        Argument name for error messages.
    normalize : bool, optional, default: False
        Scale every generator to unit Frobenius norm before the rank decision (zero
        generators are dropped), so that the span does not depend on how the generators are
        scaled. Leave it off when small generators are meant to be negligible (e.g. brackets
        of noisy generators).

    Returns
    -------
    basis : ndarray, shape=[r, n, n]
        Orthonormal basis, r = rank.
    singular_values : ndarray, shape=[min(k, n*n)]
        Singular values of the flattened input, descending.

    Examples
    --------
    >>> b, s = span_basis([[[0, 1], [0, 0]], [[0, 2], [0, 0]], [[1, 0], [0, -1]]])
    >>> b.shape
    (2, 2, 2)
    """
    arr = as_generator_stack(stack, name)
    if isinstance(rtol, bool) or not isinstance(rtol, int | float | np.integer | np.floating):
        raise TypeError(f"rtol: expected a float in (0, 1), got {rtol!r}")
    if not 0.0 < float(rtol) < 1.0:
        raise ValueError(f"rtol: expected a relative threshold in (0, 1), got {rtol!r}")
    k, n, _ = arr.shape
    flat = arr.reshape(k, n * n)
    if normalize:
        norms = np.linalg.norm(flat, axis=1)
        flat = flat[norms > 0] / norms[norms > 0, None]
        k = flat.shape[0]
        if k == 0:
            raise ValueError(f"{name}: the generators span only the zero matrix")
    s = np.linalg.svd(flat, compute_uv=False)
    if s.size == 0 or s[0] == 0.0:
        raise ValueError(f"{name}: the generators span only the zero matrix")
    rank = int(np.count_nonzero(s > rtol * s[0]))
    if rank == k:
        q, r = np.linalg.qr(flat.T)
        q = q * np.sign(np.where(np.diag(r) == 0, 1.0, np.diag(r)))
        basis = q.T
    else:
        _, _, vt = np.linalg.svd(flat, full_matrices=False)
        basis = vt[:rank]
    return basis.reshape(rank, n, n), s


def combine(basis, coeffs) -> np.ndarray:
    """Linear combinations ``sum_i coeffs[..., i] * basis[i]``.

    Parameters
    ----------
    basis : array-like, shape=[k, n, n]
    coeffs : array-like, shape=[..., k]

    Returns
    -------
    ndarray, shape=[..., n, n]
    """
    basis = np.asarray(basis, dtype=np.float64)
    coeffs = np.asarray(coeffs, dtype=np.float64)
    if coeffs.shape[-1:] != (basis.shape[0],):
        raise ValueError(
            f"coeffs: expected last axis of length {basis.shape[0]}, got shape {coeffs.shape}"
        )
    return np.tensordot(coeffs, basis, axes=([-1], [0]))


def expm(basis, coeffs) -> np.ndarray:
    """Group elements ``exp(sum_i coeffs[..., i] basis[i])``, batched.

    Parameters
    ----------
    basis : array-like, shape=[k, n, n]
    coeffs : array-like, shape=[..., k]

    Returns
    -------
    ndarray, shape=[..., n, n]

    Examples
    --------
    >>> from liesym.algebra import so
    >>> g = expm([[[0.0, -1.0], [1.0, 0.0]]], [np.pi / 2])
    >>> np.round(g, 12) + 0.0
    array([[ 0., -1.],
           [ 1.,  0.]])
    """
    x = combine(basis, coeffs)
    return scipy.linalg.expm(x)


def structure_constants_of(basis) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares structure constants of an orthonormal basis and the closure residuals.

    ``[e_i, e_j] ~ sum_l c[i, j, l] e_l``; the residual is the Frobenius norm of what the
    bracket has outside the span.

    Parameters
    ----------
    basis : array-like, shape=[k, n, n]
        Orthonormal in the Frobenius inner product.

    Returns
    -------
    c : ndarray, shape=[k, k, k]
    residual : ndarray, shape=[k, k]
    """
    basis = np.asarray(basis, dtype=np.float64)
    k = basis.shape[0]
    br = bracket(basis[:, None], basis[None, :])  # (k, k, n, n)
    flat = basis.reshape(k, -1)
    c = br.reshape(k, k, -1) @ flat.T
    resid = br.reshape(k, k, -1) - c @ flat
    return c, np.linalg.norm(resid, axis=-1)


def killing_form_of(structure_constants) -> np.ndarray:
    """Killing form ``K[i, m] = tr(ad_i ad_m)`` from structure constants (k, k, k)."""
    c = np.asarray(structure_constants, dtype=np.float64)
    return np.einsum("ijl,mlj->im", c, c)


def sym_from_vector(v, n: int) -> np.ndarray:
    """Symmetric matrices from upper-triangle vectors, shape=[..., n(n+1)/2] -> [..., n, n]."""
    v = np.asarray(v, dtype=np.float64)
    out = np.zeros((*v.shape[:-1], n, n))
    iu = np.triu_indices(n)
    out[..., iu[0], iu[1]] = v
    out[..., iu[1], iu[0]] = v
    return out


def lyapunov_matrix(gens) -> np.ndarray:
    """Matrix of the linear map ``M -> (X_i^T M + M X_i)_i`` on symmetric M (upper triangle).

    Its null space is the space of symmetric forms invariant under every generator.

    Parameters
    ----------
    gens : array-like, shape=[k, n, n]

    Returns
    -------
    ndarray, shape=[k * n * n, n(n+1)/2]
    """
    gens = np.asarray(gens, dtype=np.float64)
    n = gens.shape[-1]
    basis = sym_from_vector(np.eye(n * (n + 1) // 2), n)  # (d, n, n)
    img = np.swapaxes(gens, -1, -2)[:, None] @ basis[None] + basis[None] @ gens[:, None]
    return (
        img.reshape(gens.shape[0], basis.shape[0], n * n).transpose(0, 2, 1).reshape(-1, len(basis))
    )


def invariant_form_numeric(basis) -> tuple[np.ndarray, float]:
    """Least-squares invariant symmetric form: M with ``W^T M + M W ~ 0`` for every generator.

    The smallest right singular vector of :func:`lyapunov_matrix`, signed to have positive
    trace and scaled to unit trace. A numeric estimate for noisy generators; exact
    certificates are :func:`liesym.verify.invariant_form`.

    Parameters
    ----------
    basis : array-like, shape=[k, n, n]

    Returns
    -------
    M : ndarray, shape=[n, n]
        Symmetric, trace 1 (positive definite only if the algebra is compact).
    residual : float
        Smallest singular value over the largest: 0 for an exactly invariant form.

    Examples
    --------
    >>> from liesym.algebra import so
    >>> m, res = invariant_form_numeric(so(3).basis)
    >>> bool(np.allclose(m, np.eye(3) / 3)), res < 1e-12
    (True, True)
    """
    gens = as_generator_stack(basis, "basis")
    n = gens.shape[-1]
    _, s, vt = np.linalg.svd(lyapunov_matrix(gens), full_matrices=False)
    m = sym_from_vector(vt[-1], n)
    m = m / np.trace(m) if np.trace(m) != 0 else m
    return m, float(s[-1] / s[0]) if s[0] > 0 else 0.0


def sqrt_spd(m) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric square root of a symmetric positive-definite matrix, and its inverse.

    The chart ``x -> M^{1/2} x`` of an invariant form M turns a compact algebra into
    skew-symmetric matrices.

    Parameters
    ----------
    m : array-like, shape=[n, n]

    Returns
    -------
    root, root_inv : ndarray, shape=[n, n]

    Examples
    --------
    >>> root, inv = sqrt_spd(np.diag([4.0, 9.0]))
    >>> np.diag(root), bool(np.allclose(root @ inv, np.eye(2)))
    (array([2., 3.]), True)
    """
    w, v = np.linalg.eigh(np.asarray(m, dtype=np.float64))
    if w[0] <= 0:
        raise ValueError(f"m: expected a positive-definite matrix, smallest eigenvalue {w[0]:.3g}")
    return (v * np.sqrt(w)) @ v.T, (v / np.sqrt(w)) @ v.T
