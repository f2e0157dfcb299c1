r"""The one home of the affine convention: homogeneous coordinates ``(x, 1)``.

An affine generator of R^n is the (n+1) x (n+1) matrix ``[[W, b], [0, 0]]`` (the vector field
``x -> W x + b``); an affine group element is ``[[A, t], [0, 1]]`` (the map ``x -> A x + t``).
Linear generators and elements are plain n x n matrices. Every module builds, applies and
splits these forms through the functions here.
"""

import numpy as np

from liesym._core import as_finite_array


def homogeneous(points) -> np.ndarray:
    """Points ``[..., n]`` as homogeneous coordinates ``[..., n+1]`` (a trailing 1).

    Examples
    --------
    >>> homogeneous([[1.0, 2.0]])
    array([[1., 2., 1.]])
    """
    p = np.asarray(points, dtype=np.float64)
    return np.concatenate([p, np.ones((*p.shape[:-1], 1))], axis=-1)


def affine_generators(linear, translation) -> np.ndarray:
    """Homogeneous generators ``[[W, b], [0, 0]]`` from linear parts and translations.

    Parameters
    ----------
    linear : array-like, shape=[..., n, n]
    translation : array-like, shape=[..., n]

    Returns
    -------
    ndarray, shape=[..., n+1, n+1]

    Examples
    --------
    >>> affine_generators(np.zeros((2, 2)), [1.0, 0.0])
    array([[0., 0., 1.],
           [0., 0., 0.],
           [0., 0., 0.]])
    """
    w = np.asarray(linear, dtype=np.float64)
    b = np.asarray(translation, dtype=np.float64)
    n = w.shape[-1]
    batch = np.broadcast_shapes(w.shape[:-2], b.shape[:-1])
    out = np.zeros((*batch, n + 1, n + 1))
    out[..., :n, :n] = w
    out[..., :n, n] = b
    return out


def generators_about(linear, center) -> np.ndarray:
    """Affine generators ``x -> W (x - c)`` (the linear fields moved to fix ``c``).

    Parameters
    ----------
    linear : array-like, shape=[..., n, n]
    center : array-like, shape=[n]

    Returns
    -------
    ndarray, shape=[..., n+1, n+1]

    Examples
    --------
    >>> j = np.array([[0.0, -1.0], [1.0, 0.0]])
    >>> generators_about(j, [1.0, 0.0])
    array([[ 0., -1.,  0.],
           [ 1.,  0., -1.],
           [ 0.,  0.,  0.]])
    """
    w = np.asarray(linear, dtype=np.float64)
    return affine_generators(w, -w @ np.asarray(center, dtype=np.float64))


def with_translations(linear) -> np.ndarray:
    """Linear generators (k, n, n) in homogeneous form, followed by the n translations.

    Examples
    --------
    >>> with_translations(np.zeros((0, 2, 2))).shape
    (2, 3, 3)
    """
    w = np.asarray(linear, dtype=np.float64)
    n = w.shape[-1]
    shifts = np.zeros((n, n + 1, n + 1))
    shifts[np.arange(n), np.arange(n), n] = 1.0
    return np.concatenate([affine_generators(w, np.zeros(n)), shifts])


def linear_part(element, n: int, name: str = "element") -> np.ndarray:
    """The linear part (n, n) of linear ``[..., n, n]`` or homogeneous ``[..., n+1, n+1]`` matrices.

    Examples
    --------
    >>> linear_part(np.eye(3), 2)
    array([[1., 0.],
           [0., 1.]])
    """
    g = np.asarray(element, dtype=np.float64)
    if g.shape[-2:] == (n + 1, n + 1):
        return g[..., :n, :n]
    if g.shape[-2:] != (n, n):
        raise ValueError(f"{name}: expected shape ({n}, {n}) or ({n + 1}, {n + 1}), got {g.shape}")
    return g


def act(element, points) -> np.ndarray:
    """Apply linear (n, n) or homogeneous affine (n+1, n+1) matrices to points.

    Parameters
    ----------
    element : array-like, shape=[..., n, n] or [..., n+1, n+1]
        Group elements; the affine form ``[[A, t], [0, 1]]`` maps ``x -> A x + t``.
    points : array-like, shape=[..., n]
        Broadcast against the batch axes of ``element``.

    Returns
    -------
    ndarray, shape=[..., n]

    Examples
    --------
    >>> act([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], [1.0, 1.0])
    array([3., 1.])
    """
    g = np.asarray(element, dtype=np.float64)
    p = np.asarray(points, dtype=np.float64)
    n = p.shape[-1]
    if g.shape[-1] == n + 1:
        return np.einsum("...ij,...j->...i", g[..., :n, :n], p) + g[..., :n, n]
    if g.shape[-1] != n:
        raise ValueError(
            f"element: expected shape [..., {n}, {n}] or [..., {n + 1}, {n + 1}] for points "
            f"of R^{n}, got {g.shape}"
        )
    return np.einsum("...ij,...j->...i", g, p)


def affine_fixed_point(linear, translation, *, rcond: float = 1e-6) -> tuple[np.ndarray, float]:
    """Least-squares common fixed point c of affine fields: ``W_k c + b_k = 0`` for all k.

    Parameters
    ----------
    linear : array-like, shape=[k, n, n]
    translation : array-like, shape=[k, n]
    rcond : float, optional, default: 1e-6
        The stacked linear parts must have smallest/largest singular value above this
        (otherwise the fixed point is not unique and ``nan`` is returned).

    Returns
    -------
    c : ndarray, shape=[n]
        nan when not unique.
    residual : float
        ``|stack(W_k c + b_k)| / |stack([W_k, b_k])|`` (0 for an exact common fixed point).

    Examples
    --------
    >>> from liesym.algebra import rotation_about
    >>> alg = rotation_about([1.0, 2.0])
    >>> c, res = affine_fixed_point(alg.linear_part, alg.translation_part)
    >>> np.round(c, 12) + 0.0, res < 1e-12
    (array([1., 2.]), True)
    """
    lin = as_finite_array(linear, "linear", ndim=3)
    b = as_finite_array(translation, "translation", ndim=2)
    k, n, _ = lin.shape
    if b.shape != (k, n):
        raise ValueError(f"translation: expected shape ({k}, {n}), got {b.shape}")
    a = lin.reshape(k * n, n)
    rhs = -b.reshape(k * n)
    s = np.linalg.svd(a, compute_uv=False)
    scale = np.sqrt(np.sum(lin**2) + np.sum(b**2))
    if s[0] == 0 or s[-1] < rcond * s[0]:
        return np.full(n, np.nan), float("nan")
    c = np.linalg.lstsq(a, rhs, rcond=None)[0]
    return c, float(np.linalg.norm(a @ c - rhs) / scale)
