"""Kernel frames: the normal space and the kernel of df at every sample, from samples only.

Given points X and values y = f(X) (no access to f elsewhere), the default estimator fits
at each point a weighted local linear model over its k nearest neighbours,

    y_j ~ a + J (x_j - x_i),   weights (1 - (d_j / 1.25 h_i)^3)^3 (tricube),

with h_i the distance to the k-th neighbour. The row space of the local Jacobian J is the
normal space of the level set, its orthogonal complement the kernel distribution ker df.
All points are processed at once with batched einsum/eigh (no loop over points).

Data on a curved subset of R^n (cos/sin pairs, channels constant per episode) are handled on
their tangent spaces: local PCA of each neighbourhood gives the tangent space (its dimension,
the data's intrinsic dimension, is estimated), the local fit regresses on tangent coordinates,
and the normal space of a frame is then everything orthogonal to ker df *within* the tangent
space: the level set's normals and the data's own normal directions, so that a symmetry must
also keep the data on their manifold.

For noisy values ``method="gaussian_process"`` replaces the local fits by a smooth global
surrogate (``GaussianProcessSurrogate`` in ``liesym.discovery.smooth``) whose smoothness and
noise level maximise the marginal likelihood. The prototype's recipe (ball neighbours on the
same level set, PCA of unit differences) is kept as ``method="level_set_pca"`` for comparison.
"""

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from liesym._core import as_finite_array, as_points, limit_threads
from liesym._core import progress as _progress

__all__ = [
    "FrameEstimator",
    "KernelFrames",
    "estimate_intrinsic_dimension",
    "frames_from_normals",
    "kernel_frames",
]

_METHODS = ("local_linear", "gaussian_process", "level_set_pca")
_TRICUBE_STRETCH = 1.25  # so that the k-th neighbour keeps a positive weight
_MIN_DETECTED = 0.05  # least share of points with a detectable gradient


@dataclass(frozen=True, eq=False)
class KernelFrames:
    """Orthonormal frames of the normal space and of the kernel of df at sample points.

    Attributes
    ----------
    points : ndarray, shape=[N, n]
    normals : ndarray, shape=[N, r, n]
        Orthonormal rows spanning the normal space (row space of df).
    kernel : ndarray, shape=[N, n - r, n]
        Orthonormal rows spanning ker df (the tangent space of the level set).
    reliable : ndarray of bool, shape=[N]
        Whether the frame passed the estimator's checks (see :func:`kernel_frames`).
    angle_error : ndarray, shape=[N]
        Per-point quality: estimated angular error (radians) of the normal space;
        0 for exact frames, nan when unknown (frames supplied by the user).
    rank : int
        r, the dimension of the normal space.
    jacobians : ndarray, shape=[N, m, n] or None
        The local Jacobian estimates (``method="local_linear"``) or the surrogate's gradients.
    method : str
    intrinsic_dim : int or None
        Dimension d of the data's tangent spaces (n for full-dimensional data; None when
        unknown). On a d-dimensional subset ``normals`` has ``n - d + rank`` rows: the
        data's normal directions beside the level set's.
    normal_draws : ndarray, shape=[B, N, n - d + r, n] or None
        Normals recomputed from B draws of the estimator's own error (``"gaussian_process"``
        with ``n_draws``: gradients refitted to simulated noise), errors correlated between
        nearby points as the estimate's are; the bootstrap of
        :class:`~liesym.discovery.DifferentialDiscovery` uses them.

    Examples
    --------
    >>> from liesym.discovery import kernel_frames
    >>> X = np.random.default_rng(0).normal(size=(400, 3))
    >>> frames = kernel_frames(X, np.sum(X**2, axis=1))  # level sets: spheres
    >>> frames.rank, frames.normals.shape, frames.kernel.shape
    (1, (400, 1, 3), (400, 2, 3))
    >>> radial = X / np.linalg.norm(X, axis=1, keepdims=True)
    >>> bool(np.median(np.abs(np.sum(frames.normals[:, 0] * radial, axis=1))) > 0.99)
    True
    """

    points: np.ndarray
    normals: np.ndarray
    kernel: np.ndarray
    reliable: np.ndarray
    angle_error: np.ndarray
    rank: int
    jacobians: np.ndarray | None = None
    method: str = "local_linear"
    intrinsic_dim: int | None = None
    normal_draws: np.ndarray | None = None

    @property
    def n_reliable(self) -> int:
        """Number of reliable frames."""
        return int(np.count_nonzero(self.reliable))

    def subset(self, mask) -> "KernelFrames":
        """The frames at ``points[mask]`` (boolean mask or index array)."""
        jac = None if self.jacobians is None else self.jacobians[mask]
        return KernelFrames(
            self.points[mask],
            self.normals[mask],
            self.kernel[mask],
            self.reliable[mask],
            self.angle_error[mask],
            self.rank,
            jac,
            self.method,
            self.intrinsic_dim,
            None if self.normal_draws is None else self.normal_draws[:, mask],
        )


def _complete_basis(rows: np.ndarray) -> np.ndarray:
    """Orthonormal (N, n, n) bases whose first r rows span the given (N, r, n) rows."""
    _, _, vt = np.linalg.svd(rows, full_matrices=True)
    return vt


def frames_from_normals(X, normals) -> KernelFrames:
    """Kernel frames from given normals (e.g. exact oracle normals), all marked reliable.

    Parameters
    ----------
    X : array-like, shape=[N, n]
    normals : array-like, shape=[N, r, n] or [N, n]
        Rows spanning the normal space at each point; they are orthonormalised.

    Returns
    -------
    KernelFrames
        With ``angle_error`` nan (unknown) and ``method="given"``.

    Examples
    --------
    >>> fr = frames_from_normals([[1.0, 0.0], [0.0, 2.0]], [[2.0, 0.0], [0.0, 1.0]])
    >>> fr.kernel.shape, fr.rank
    ((2, 1, 2), 1)
    """
    X = as_points(X, "X")
    nu = as_finite_array(normals, "normals", ndim=(2, 3))
    if nu.ndim == 2:
        nu = nu[:, None, :]
    if nu.shape[0] != X.shape[0] or nu.shape[2] != X.shape[1]:
        raise ValueError(
            f"normals: expected shape (N, r, n) = ({X.shape[0]}, r, {X.shape[1]}), got {nu.shape}"
        )
    r = nu.shape[1]
    if not 1 <= r <= X.shape[1]:
        raise ValueError(f"normals: expected 1 <= r <= n = {X.shape[1]} rows, got {r}")
    s = np.linalg.svd(nu, compute_uv=False)
    if np.any(s[:, -1] <= 1e-12 * np.maximum(s[:, 0], 1e-300)):
        raise ValueError("normals: the rows at some points are linearly dependent or zero")
    vt = _complete_basis(nu)
    n_pts = X.shape[0]
    return KernelFrames(
        X,
        vt[:, :r],
        vt[:, r:],
        np.ones(n_pts, dtype=bool),
        np.full(n_pts, np.nan),
        r,
        None,
        "given",
        None,
    )


def _as_values(y, n_points: int) -> np.ndarray:
    y = as_finite_array(y, "y", ndim=(1, 2))
    if y.shape[0] != n_points:
        raise ValueError(f"y: expected {n_points} values (one per row of X), got {y.shape[0]}")
    y = y.reshape(n_points, -1)
    spread = np.ptp(y, axis=0)
    if not np.any(spread > 0):
        raise ValueError(
            "y: the values are constant, so there are no level sets to estimate "
            "(every vector field is a symmetry)"
        )
    keep = spread > 0
    # Standardising the outputs does not change the row space of df, and balances noise.
    y = y[:, keep]
    return (y - y.mean(axis=0)) / y.std(axis=0)


def _local_linear_chunk(X, y, dist, idx, rows, t, max_condition, tangent=None):
    """Local linear fits at the points ``rows``: Jacobians, error scales, well-posedness.

    ``X`` are whitened coordinates ``z = (x - mu) A``; Jacobians are returned in z and
    ``t = A^T`` maps them to x (``J_x = J_z t``). With ``tangent`` (c, h, d) orthonormal bases,
    the fit regresses on tangent coordinates (the data's own d dimensions).
    """
    h = dist[:, -1]
    safe_h = np.where(h > 0, h, 1.0)
    d = (X[idx] - X[rows, None]) / safe_h[:, None, None]  # (c, k, n), scale-free
    if tangent is not None:
        d = d @ tangent  # (c, k, d): tangent coordinates
    w = np.clip(1.0 - (dist / (_TRICUBE_STRETCH * safe_h[:, None])) ** 3, 0.0, None) ** 3
    z = np.concatenate([np.ones_like(d[..., :1]), d], axis=-1)  # (c, k, p)
    dy = y[idx] - y[rows, None]  # (c, k, m)
    p = z.shape[-1]
    gram = np.swapaxes(z * w[..., None], 1, 2) @ z
    # A ridge at rounding level keeps the inverse defined for degenerate neighbourhoods,
    # which the conditioning test rejects anyway.
    top = np.max(np.abs(gram), axis=(1, 2))
    ridge = 1e-13 * np.where(top > 0, top, 1.0)
    ginv = np.linalg.inv(gram + ridge[:, None, None] * np.eye(p))
    well_conditioned = _condition_at_most(gram, ginv, max_condition)
    q = z @ ginv  # row j: (G^-1 z_j)^T
    beta = np.swapaxes(q * w[..., None], 1, 2) @ dy  # (c, p, m)
    resid = dy - z @ beta
    w2 = w * w
    sw = w.sum(axis=1)
    n_eff = sw**2 / np.maximum(np.sum(w2, axis=1), 1e-300)
    dof = np.maximum(1.0 - p / n_eff, 1e-12)
    sigma2 = np.einsum("ck,ckm->cm", w, resid**2) / (sw[:, None] * dof[:, None])
    # Sandwich covariance of the weighted fit, gradient block:
    # sigma^2 (G^-1 Z'W^2Z G^-1)_[1:,1:] = sigma^2 sum_j w_j^2 g_j g_j^T, g_j = (G^-1 z_j)_[1:].
    total = sigma2.sum(axis=1) / safe_h**2
    g = q[..., 1:]
    jac_z = np.swapaxes(beta[:, 1:, :], 1, 2) / safe_h[:, None, None]  # (c, m, n)
    if tangent is not None:
        g = g @ np.swapaxes(tangent, 1, 2)  # back to the ambient (whitened) coordinates
        jac_z = jac_z @ np.swapaxes(tangent, 1, 2)
    gt = g @ t
    err_z = np.sqrt(total * np.einsum("ck,ckn,ckn->c", w2, g, g))  # Frobenius std of J in z
    err_x = np.sqrt(total * np.einsum("ck,ckn,ckn->c", w2, gt, gt))  # and in x
    ok = (h > 0) & (n_eff > p)
    return jac_z, err_z, err_x, well_conditioned, ok


def _local_pca(Z, idx, rows):
    """Eigenvalues (descending, (c, h)) and eigenvectors ((c, h, h), columns) of neighbourhoods."""
    diff = Z[idx] - Z[idx].mean(axis=1, keepdims=True)
    cov = np.swapaxes(diff, 1, 2) @ diff / idx.shape[1]
    lam, vec = np.linalg.eigh(cov)
    return lam[:, ::-1], vec[:, :, ::-1]


#: Smallest variance ratio between consecutive local principal directions that separates the
#: tangent space from the normal directions (curvature and rounding give far smaller ratios).
_TANGENT_GAP = 30.0


def estimate_intrinsic_dimension(Z, idx, *, max_points: int = 2000) -> int:
    """The data's intrinsic dimension d from local PCA of the neighbourhoods ``idx``.

    At each of up to ``max_points`` (evenly strided) points the neighbourhood's principal
    variances (descending) are split at the first consecutive ratio above 30 (a tangent
    direction against curvature and rounding); without such a drop the point counts as
    full-dimensional. d is the (upper) median answer: mixed data count as the larger
    dimension, whose degenerate neighbourhoods the reliability rule then rejects.

    Examples
    --------
    >>> t = np.random.default_rng(0).uniform(0, 2 * np.pi, 500)
    >>> Z = np.stack([np.cos(t), np.sin(t), t], axis=1)  # a helix: a curve in R^3
    >>> from scipy.spatial import cKDTree
    >>> estimate_intrinsic_dimension(Z, cKDTree(Z).query(Z, k=15)[1])
    1
    """
    Z = np.asarray(Z, dtype=np.float64)
    h = Z.shape[1]
    if h == 1:
        return 1
    step = max(1, len(Z) // max_points)
    sub = np.arange(0, len(Z), step)
    lam, _ = _local_pca(Z, idx[sub], sub)
    lam = np.maximum(lam, 1e-300 * np.maximum(lam[:, :1], 1e-300))
    ratios = lam[:, :-1] / lam[:, 1:]
    big = ratios > _TANGENT_GAP
    # The first large drop ends the tangent space (curvature makes later, smaller drops).
    dims = np.where(big.any(axis=1), np.argmax(big, axis=1) + 1, h)
    return int(np.ceil(np.median(dims)))


def _condition_at_most(gram, ginv, max_condition: float) -> np.ndarray:
    """Whether ``sqrt(lam_max / lam_min)`` of each SPD ``gram`` is at most ``max_condition``.

    ``|G|_F |G^-1|_F`` lies between ``lam_max / lam_min`` and ``p`` times it, which decides
    most points without eigenvalues; ``eigvalsh`` settles the rest exactly.
    """
    p = gram.shape[-1]
    limit = float(max_condition) ** 2
    bound = np.linalg.norm(gram, axis=(1, 2)) * np.linalg.norm(ginv, axis=(1, 2))
    ok = bound <= limit
    unsure = ~ok & (bound <= p * limit)
    if np.any(unsure):
        lam = np.linalg.eigvalsh(gram[unsure])
        ok[unsure] = (lam[:, 0] > 0) & (lam[:, -1] <= limit * lam[:, 0])
    return ok


def _row_frames(jac_z: np.ndarray, t: np.ndarray):
    """Singular values of the Jacobians in z and in x, and orthonormal row frames in x.

    Returns ``sv`` (N, min(m, n)) in whitened coordinates, ``sv_x`` and ``vt`` (N, n, n) in
    x, the rows of ``vt`` ordered like the singular values. One output (m = 1), the common
    case, needs no SVD: the normal is J / |J| and a Householder reflection completes it.
    """
    jac = jac_z @ t
    if jac.shape[1] > 1:
        sv = np.linalg.svd(jac_z, compute_uv=False)
        _, sv_x, vt = np.linalg.svd(jac, full_matrices=True)
        return sv, sv_x, vt, jac
    n = jac.shape[2]
    sv = np.linalg.norm(jac_z, axis=2)
    sv_x = np.linalg.norm(jac, axis=2)
    u = jac[:, 0] / np.where(sv_x > 0, sv_x, 1.0)
    u[sv_x[:, 0] == 0, 0] = 1.0  # no gradient: any frame (the point is unreliable)
    sign = np.where(u[:, 0] >= 0, 1.0, -1.0)
    v = u.copy()
    v[:, 0] += sign  # H = I - 2 v v^T / |v|^2 maps e_1 to -sign u; |v|^2 >= 2
    house = np.eye(n) - 2.0 * v[:, :, None] * v[:, None, :] / np.sum(v * v, axis=1)[:, None, None]
    vt = np.concatenate([u[:, None, :], house[:, 1:]], axis=1)
    return sv, sv_x, vt, jac


def _level_set_pca_chunk(X, y, dist, idx, rows, level_tol):
    """Prototype recipe at ``rows``: uncentred PCA of unit differences on the same level."""
    diff = X[idx] - X[rows, None]
    d = dist
    same = np.isfinite(d) & (d > 0) & (np.abs(y[idx, 0] - y[rows, None, 0]) < level_tol)
    u = diff / np.where(d > 0, d, 1.0)[..., None]
    moment = np.einsum("ck,cki,ckj->cij", same.astype(float), u, u)
    lam, vec = np.linalg.eigh(moment)  # ascending: the normal is the least-spread direction
    count = same.sum(axis=1)
    return lam, np.swapaxes(vec, 1, 2), count


def kernel_frames(
    X,
    y,
    k_neighbors: int | None = None,
    rank: int | None = None,
    *,
    method: str = "local_linear",
    min_snr: float = 3.0,
    max_condition: float = 30.0,
    ball_radius: float | None = None,
    level_tol: float | None = None,
    whiten: bool = True,
    intrinsic_dim: int | None = None,
    n_draws: int = 0,
    seed: int = 0,
    chunk_size: int = 20000,
    n_jobs: int | None = None,
    progress: bool = False,
) -> KernelFrames:
    """Estimate the normal space and the kernel of df at every sample point.

    Parameters
    ----------
    X : array-like, shape=[N, n]
        Sample points.
    y : array-like, shape=[N] or [N, m]
        Values of the unknown function at X (no access to it elsewhere).
    k_neighbors : int, optional
        Neighbourhood size, including the point itself; default ``max(15, 5 (n + 1))``.
        Must be at least n + 2 (n + 1 coefficients plus one degree of freedom for the
        noise estimate).
    rank : int, optional
        Dimension r of the normal space. Default: the most common number of Jacobian
        singular values above ``min_snr`` times the local error scale (see Notes).
    method : {"local_linear", "gaussian_process", "level_set_pca"}, optional
        ``"local_linear"`` (default): weighted local linear fits over the k nearest
        neighbours (exact for noise-free samples). ``"gaussian_process"``: gradients of a
        smooth global surrogate (``GaussianProcessSurrogate`` in ``liesym.discovery.smooth``)
        whose noise level and smoothness maximise the marginal likelihood, for noisy values;
        angle errors from the posterior gradient standard deviation. ``"level_set_pca"`` is
        the prototype's recipe (scalar y only, r = 1): the neighbours within
        ``ball_radius`` whose value differs by less than ``level_tol`` give unit differences
        whose uncentred PCA spans the kernel.
    min_snr : float, optional, default: 3.0
        A singular value of the local Jacobian counts as signal when it exceeds
        ``min_snr`` times the estimated Frobenius error of the Jacobian.
    max_condition : float, optional, default: 30.0
        Largest condition number of the (scaled, weighted) local design matrix.
    ball_radius, level_tol : float, optional
        ``"level_set_pca"`` only; defaults: the median k-th neighbour distance, and a
        tenth of the median value difference between neighbours.
    whiten : bool, optional, default: True
        Choose neighbours and weights in globally whitened coordinates
        ``Sigma^-1/2 (x - mean)``, which makes the local-linear estimate equivariant under
        affine changes of coordinates (``"local_linear"`` only).
    intrinsic_dim : int, optional
        Dimension d of the data's tangent spaces; default: estimated by local PCA
        (:func:`estimate_intrinsic_dimension`). Data that fill an affine subspace, or a curved
        d-dimensional subset, are fitted on their tangent spaces, and the frames' normals
        include the data's normal directions.
    n_draws : int, optional, default: 0
        ``"gaussian_process"`` only: draws of the surrogate's own error behind
        ``normal_draws`` (see ``GaussianProcessSurrogate.gradient_noise_draws`` in
        ``liesym.discovery.smooth``).
    seed : int, optional, default: 0
        Entropy of those draws.
    chunk_size : int, optional, default: 20000
        Points per vectorised batch (bounds memory at about ``chunk_size * k * (n+1)``).
    n_jobs : int, optional
        Threads of the k-d tree query and of BLAS (joblib semantics: None is 1 unless a
        ``joblib.parallel_config`` says otherwise, -1 every core).
    progress : bool, optional, default: False
        Show a progress bar over the chunks.

    Returns
    -------
    KernelFrames

    Notes
    -----
    Reliability rule (``method="local_linear"``): a frame is reliable when (i) its
    neighbourhood has positive radius and more effective points than coefficients,
    (ii) the condition number of the scaled weighted design is at most
    ``max_condition`` (points spread in every direction, not along a curve), and
    (iii) the r-th singular value of the local Jacobian exceeds ``min_snr`` times its
    error scale ``E``: the residual standard deviation (which absorbs value noise and
    the local curvature) propagated through the sandwich covariance of the weighted fit.
    ``angle_error = E / s_r`` is a first-order estimate of the normal-space angle error.
    With ``whiten=True``, (ii) and (iii) and the rank are decided in the whitened
    coordinates, so they do not change under affine changes of coordinates.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2))
    >>> fr = kernel_frames(X, np.sum(X**2, axis=1))
    >>> fr.rank, fr.kernel.shape
    (1, (500, 1, 2))
    >>> radial = X / np.linalg.norm(X, axis=1, keepdims=True)
    >>> bool(np.median(np.abs(np.sum(fr.kernel[:, 0] * radial, axis=1))) < 0.05)
    True
    """
    if method not in _METHODS:
        expected = ", ".join(map(repr, _METHODS))
        raise ValueError(f"method: expected one of {expected}, got {method!r}")
    X = as_points(X, "X", min_points=2)
    n_pts, n = X.shape
    y = _as_values(y, n_pts)
    if k_neighbors is None:
        k_neighbors = max(15, 5 * (n + 1))
    if not isinstance(k_neighbors, int | np.integer) or isinstance(k_neighbors, bool):
        raise ValueError(f"k_neighbors: expected an integer, got {k_neighbors!r}")
    k = int(k_neighbors)
    if k < n + 2:
        raise ValueError(
            f"k_neighbors: a local linear fit in R^{n} needs at least n + 2 = {n + 2} "
            f"neighbours, got {k}"
        )
    if n_pts < k:
        raise ValueError(
            f"X: {n_pts} points are fewer than k_neighbors={k}; pass more points or a "
            "smaller k_neighbors"
        )
    if rank is not None and (not isinstance(rank, int | np.integer) or not 1 <= rank <= n):
        raise ValueError(f"rank: expected an integer in [1, {n}], got {rank!r}")
    if intrinsic_dim is not None and (
        not isinstance(intrinsic_dim, int | np.integer) or not 1 <= intrinsic_dim <= n
    ):
        raise ValueError(f"intrinsic_dim: expected an integer in [1, {n}], got {intrinsic_dim!r}")
    if not chunk_size >= 1:
        raise ValueError(f"chunk_size: expected a positive integer, got {chunk_size!r}")

    if whiten and method != "level_set_pca":
        # Neighbourhoods and weights in whitened coordinates make the estimate equivariant
        # under affine changes of coordinates (elongated data get elongated neighbourhoods).
        lam, vec = np.linalg.eigh(np.cov(X, rowvar=False).reshape(n, n))
        hull = lam > 1e-12 * max(lam[-1], 1e-300)
        if not np.any(hull):
            raise ValueError("X: the points coincide")
        if np.all(hull):
            t = (vec / np.sqrt(lam)) @ vec.T
            Z = (X - X.mean(axis=0)) @ t
        else:
            # The points span a lower-dimensional affine subspace: work in its coordinates;
            # its normals are normal directions of the data like any other.
            a = vec[:, hull] / np.sqrt(lam[hull])
            t = a.T
            Z = (X - X.mean(axis=0)) @ a
    else:
        t, Z = np.eye(n), X
    h_dim = Z.shape[1]
    with limit_threads(n_jobs) as workers:
        tree = cKDTree(Z)
        dist, idx = tree.query(Z, k=k, workers=workers)
        starts = range(0, n_pts, chunk_size)
        if method == "level_set_pca":
            return _level_set_pca(X, y, dist, idx, ball_radius, level_tol, starts, chunk_size)
        d_dim = intrinsic_dim
        if d_dim is None:
            d_dim = estimate_intrinsic_dimension(Z, idx) if h_dim > 1 else h_dim
        d_dim = min(int(d_dim), h_dim)
        curved = d_dim < n
        if method == "gaussian_process":
            draws = (int(n_draws), seed)
            return _gp_frames(X, y, Z, idx, t, d_dim, rank, min_snr, chunk_size, draws)

        jac_z = np.empty((n_pts, y.shape[1], h_dim))
        err, err_x = np.empty(n_pts), np.empty(n_pts)
        well_posed, ok = np.empty(n_pts, dtype=bool), np.empty(n_pts, dtype=bool)
        tangent = np.empty((n_pts, h_dim, d_dim)) if d_dim < h_dim else None
        for s in _progress(starts, enable=progress, desc="kernel frames"):
            sl = slice(s, s + chunk_size)
            rows = np.arange(s, min(s + chunk_size, n_pts))
            tan = None
            if tangent is not None:
                tangent[sl] = tan = _local_pca(Z, idx[sl], rows)[1][:, :, :d_dim]
            jac_z[sl], err[sl], err_x[sl], well_posed[sl], ok[sl] = _local_linear_chunk(
                Z, y, dist[sl], idx[sl], rows, t, max_condition, tan
            )
        del dist, idx
        # Rank and signal-to-noise in the whitened coordinates (affine-invariant decisions);
        # frames and angle errors in the original ones.
        if curved:
            sv = np.linalg.svd(jac_z, compute_uv=False)
            jac = jac_z @ t
            sv_x = np.linalg.svd(jac, compute_uv=False)
        else:
            sv, sv_x, vt, jac = _row_frames(jac_z, t)
    well_posed &= ok
    rank = _choose_rank(sv, err, well_posed, min_snr, rank)
    s_r, s_r_x = sv[:, rank - 1], sv_x[:, rank - 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        angle_error = np.where(s_r_x > 0, err_x / s_r_x, np.inf)
    reliable = well_posed & (s_r > min_snr * err) & (s_r > 0)
    if curved:
        normals, kernel = _tangent_frames(jac_z, tangent, t, rank, h_dim, n)
        return KernelFrames(
            X, normals, kernel, reliable, angle_error, int(rank), jac, "local_linear", d_dim
        )
    return KernelFrames(
        X, vt[:, :rank], vt[:, rank:], reliable, angle_error, int(rank), jac, "local_linear", n
    )


def _choose_rank(sv, err, well_posed, min_snr, rank) -> int:
    """The normal rank: the most common number of singular values above the noise."""
    counts = np.sum(sv > min_snr * err[:, None], axis=1)[well_posed]
    detected = float(np.mean(counts > 0)) if counts.size else 0.0
    if detected < _MIN_DETECTED:
        # Under pure noise a few points still pass min_snr by chance (t-statistic tails).
        raise ValueError(
            f"y: only {100 * detected:.1f}% of the well-posed points show a gradient above "
            f"the local noise level (min_snr={min_snr}); the values look constant or pure "
            "noise at this neighbourhood size"
        )
    if rank is None:
        rank = int(np.argmax(np.bincount(counts[counts > 0])))
    if rank > sv.shape[1]:
        raise ValueError(f"rank: {rank} exceeds the number of outputs of y ({sv.shape[1]})")
    return int(rank)


def _tangent_frames(jac_z, tangent, t, rank, h_dim, n):
    """Kernel (ker df within the tangent space) and normals (the rest of R^n), in x.

    ``jac_z`` (N, m, h) are Jacobians in the whitened coordinates z = (x - mu) A, ``t = A^T``,
    ``tangent`` (N, h, d) the tangent bases in z (None when the data fill their affine hull).
    A tangent vector ``v_z`` is ``v_x = v_z A^+`` in x.
    """
    n_pts = jac_z.shape[0]
    if tangent is None:
        tangent = np.broadcast_to(np.eye(h_dim), (n_pts, h_dim, h_dim))
    a_pinv = np.linalg.pinv(t.T)  # A^+ (h, n)
    jac_u = jac_z @ tangent  # (N, m, d): derivatives along the tangent basis
    _, _, vt = np.linalg.svd(jac_u, full_matrices=True)
    null_u = vt[:, rank:]  # (N, d - r, d): ker df in tangent coordinates
    kernel = null_u @ np.swapaxes(tangent, 1, 2) @ a_pinv  # (N, d - r, n) in x
    if kernel.shape[1]:
        q, _ = np.linalg.qr(np.swapaxes(kernel, 1, 2))
        kernel = np.swapaxes(q, 1, 2)
    if kernel.shape[1]:
        basis = _complete_basis(kernel)
    else:
        basis = np.broadcast_to(np.eye(n), (n_pts, n, n))
    # _complete_basis puts the span of the given rows first.
    normals = basis[:, kernel.shape[1] :]
    return np.ascontiguousarray(normals), np.ascontiguousarray(basis[:, : kernel.shape[1]])


def _gp_frames(X, y, Z, idx, t, d_dim, rank, min_snr, chunk_size, draws) -> KernelFrames:
    """Frames from the gradients of a Gaussian-process surrogate (one per output of y)."""
    from liesym.discovery.smooth import GaussianProcessSurrogate

    n_pts, n = X.shape
    h_dim = Z.shape[1]
    n_draws, seed = draws
    jac = np.empty((n_pts, y.shape[1], n))
    jac_draws = np.empty((n_draws, n_pts, y.shape[1], n))
    sd = np.empty((y.shape[1],))
    for j in range(y.shape[1]):
        gp = GaussianProcessSurrogate().fit(X, y[:, j])
        jac[:, j] = gp.gradient(X)
        if n_draws:
            jac_draws[:, :, j] = gp.gradient_noise_draws(
                X, n_draws, rng=np.random.default_rng([seed, j, 1])
            )
        probe = np.linspace(0, n_pts - 1, min(n_pts, 200)).round().astype(int)
        sd[j] = float(np.median(gp.gradient_std(X[probe])))
    # Errors: the posterior gradient std (median over probe points), all outputs together.
    err_x = np.full(n_pts, float(np.sqrt(np.sum(sd**2))))
    tangent = None
    if d_dim < h_dim:
        tangent = np.concatenate(
            [
                _local_pca(Z, idx[s : s + chunk_size], None)[1][:, :, :d_dim]
                for s in range(0, n_pts, chunk_size)
            ]
        )
    a = t.T  # x -> z is (x - mu) A; dz-rows of a gradient: J_z = J_x (A^+)^T
    jac_z = jac @ np.linalg.pinv(a).T
    sv = np.linalg.svd(jac_z if tangent is None else jac_z @ tangent, compute_uv=False)
    sv_x = np.linalg.svd(jac, compute_uv=False)
    # Signal-to-noise in x (the posterior std is in x).
    well_posed = np.ones(n_pts, dtype=bool)
    rank = _choose_rank(sv_x, err_x, well_posed, min_snr, rank)
    with np.errstate(divide="ignore", invalid="ignore"):
        angle_error = np.where(sv_x[:, rank - 1] > 0, err_x / sv_x[:, rank - 1], np.inf)
    reliable = sv_x[:, rank - 1] > min_snr * err_x
    del sv
    normals, kernel = _tangent_frames(jac_z, tangent, t, rank, h_dim, n)
    normal_draws = None
    if n_draws:
        z_map = np.linalg.pinv(a).T
        normal_draws = np.stack(
            [_tangent_frames((jac + e) @ z_map, tangent, t, rank, h_dim, n)[0] for e in jac_draws]
        )
    return KernelFrames(
        X,
        normals,
        kernel,
        reliable,
        angle_error,
        int(rank),
        jac,
        "gaussian_process",
        d_dim,
        normal_draws,
    )


def _level_set_pca(X, y, dist, idx, ball_radius, level_tol, starts, chunk_size) -> KernelFrames:
    if y.shape[1] != 1:
        raise ValueError(
            f"y: method 'level_set_pca' supports scalar values only, got {y.shape[1]} outputs"
        )
    n_pts, n = X.shape
    if ball_radius is None:
        ball_radius = float(np.median(dist[:, -1]))
    if level_tol is None:
        level_tol = 0.1 * float(np.median(np.abs(y[idx[:, 1:], 0] - y[:, None, 0])))
    if not (ball_radius > 0 and level_tol > 0):
        raise ValueError(
            f"ball_radius, level_tol: expected positive values, got {ball_radius}, {level_tol}"
        )
    dist = np.where(dist <= ball_radius, dist, np.inf)
    lam = np.empty((n_pts, n))
    vecs = np.empty((n_pts, n, n))
    count = np.empty(n_pts, dtype=int)
    for s in starts:
        sl = slice(s, s + chunk_size)
        rows = np.arange(s, min(s + chunk_size, n_pts))
        lam[sl], vecs[sl], count[sl] = _level_set_pca_chunk(
            X, y, dist[sl], idx[sl], rows, level_tol
        )
    # The kernel (n - 1 directions) needs at least n - 1 independent level-set neighbours.
    with np.errstate(divide="ignore", invalid="ignore"):
        angle_error = np.sqrt(np.clip(lam[:, 0], 0, None) / lam[:, 1])
    reliable = (count >= max(2, n - 1)) & (lam[:, 1] > 0)
    angle_error = np.where(reliable, angle_error, np.inf)
    return KernelFrames(
        X, vecs[:, :1], vecs[:, 1:], reliable, angle_error, 1, None, "level_set_pca"
    )


@dataclass(frozen=True)
class FrameEstimator:
    """The per-chunk frame step of chunked fits: :func:`kernel_frames` with fixed settings.

    Chunked discovery estimates the frames of each chunk from the chunk's own neighbours, then
    reduces the frames to constraint statistics; this object is that first step (picklable,
    so it travels to Dask workers). Another estimator with the same call signature, a
    callable ``(X, y, rank=None) -> KernelFrames``, can take its place.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(300, 2))
    >>> FrameEstimator(k_neighbors=12)(X, np.sum(X**2, axis=1)).rank
    1
    """

    k_neighbors: int | None = None
    method: str = "local_linear"
    min_snr: float = 3.0
    max_condition: float = 30.0
    n_jobs: int | None = None
    progress: bool = False
    intrinsic_dim: int | None = None
    n_draws: int = 0
    seed: int = 0

    def __call__(self, X, y, rank: int | None = None) -> KernelFrames:
        """Kernel frames of one chunk (``rank`` fixed by the first chunk of a chunked fit)."""
        return kernel_frames(
            X,
            y,
            self.k_neighbors,
            rank,
            method=self.method,
            min_snr=self.min_snr,
            max_condition=self.max_condition,
            intrinsic_dim=self.intrinsic_dim,
            n_draws=self.n_draws,
            seed=self.seed,
            n_jobs=self.n_jobs,
            progress=self.progress,
        )
