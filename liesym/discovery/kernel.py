"""Kernel frames: the normal space and the kernel of df at every sample, from samples only.

Given points X and values y = f(X) (no access to f elsewhere), the default estimator fits
at each point a weighted local linear model over its k nearest neighbours,

    y_j ~ a + J (x_j - x_i),   weights (1 - (d_j / 1.25 h_i)^3)^3 (tricube),

with h_i the distance to the k-th neighbour. The row space of the local Jacobian J is the
normal space of the level set, its orthogonal complement the kernel distribution ker df.
All points are processed at once with batched einsum/eigh (no loop over points).

The prototype's recipe (ball neighbours on the same level set, PCA of unit differences)
is kept as ``method="level_set_pca"`` for comparison.
"""

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from liesym._core import as_finite_array, as_points, limit_threads
from liesym._core import progress as _progress

__all__ = ["FrameEstimator", "KernelFrames", "frames_from_normals", "kernel_frames"]

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
        The local Jacobian estimates (``method="local_linear"``).
    method : str
    """

    points: np.ndarray
    normals: np.ndarray
    kernel: np.ndarray
    reliable: np.ndarray
    angle_error: np.ndarray
    rank: int
    jacobians: np.ndarray | None = None
    method: str = "local_linear"

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


def _local_linear_chunk(X, y, dist, idx, rows, t, max_condition):
    """Local linear fits at the points ``rows``: Jacobians, error scales, well-posedness.

    ``X`` are whitened coordinates ``z = t (x - mu)``; Jacobians are returned in x.
    """
    h = dist[:, -1]
    safe_h = np.where(h > 0, h, 1.0)
    d = (X[idx] - X[rows, None]) / safe_h[:, None, None]  # (c, k, n), scale-free
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
    gt = g @ t
    err_z = np.sqrt(total * np.einsum("ck,ckn,ckn->c", w2, g, g))  # Frobenius std of J in z
    err_x = np.sqrt(total * np.einsum("ck,ckn,ckn->c", w2, gt, gt))  # and in x
    jac_z = np.swapaxes(beta[:, 1:, :], 1, 2) / safe_h[:, None, None]  # (c, m, n)
    ok = (h > 0) & (n_eff > p)
    return jac_z, err_z, err_x, well_conditioned, ok


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
    method : {"local_linear", "level_set_pca"}, optional
        ``"level_set_pca"`` is the prototype's recipe (scalar y only, r = 1): the
        neighbours within ``ball_radius`` whose value differs by less than ``level_tol``
        give unit differences whose uncentred PCA spans the kernel.
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
    if method not in ("local_linear", "level_set_pca"):
        raise ValueError(f"method: expected 'local_linear' or 'level_set_pca', got {method!r}")
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
    if not chunk_size >= 1:
        raise ValueError(f"chunk_size: expected a positive integer, got {chunk_size!r}")

    if whiten and method == "local_linear":
        # Neighbourhoods and weights in whitened coordinates make the estimate equivariant
        # under affine changes of coordinates (elongated data get elongated neighbourhoods).
        lam, vec = np.linalg.eigh(np.cov(X, rowvar=False).reshape(n, n))
        if lam[0] <= 1e-12 * lam[-1]:
            raise ValueError(
                "X: the points lie in a lower-dimensional affine subspace, so df is not "
                "determined across it; drop the dependent coordinates"
            )
        t = (vec / np.sqrt(lam)) @ vec.T
        Z = (X - X.mean(axis=0)) @ t
    else:
        t, Z = np.eye(n), X
    with limit_threads(n_jobs) as workers:
        tree = cKDTree(Z)
        dist, idx = tree.query(Z, k=k, workers=workers)
        starts = range(0, n_pts, chunk_size)
        if method == "level_set_pca":
            return _level_set_pca(X, y, dist, idx, ball_radius, level_tol, starts, chunk_size)

        jac_z = np.empty((n_pts, y.shape[1], n))
        err, err_x = np.empty(n_pts), np.empty(n_pts)
        well_posed, ok = np.empty(n_pts, dtype=bool), np.empty(n_pts, dtype=bool)
        for s in _progress(starts, enable=progress, desc="kernel frames"):
            sl = slice(s, s + chunk_size)
            rows = np.arange(s, min(s + chunk_size, n_pts))
            jac_z[sl], err[sl], err_x[sl], well_posed[sl], ok[sl] = _local_linear_chunk(
                Z, y, dist[sl], idx[sl], rows, t, max_condition
            )
        del dist, idx
        # Rank and signal-to-noise in the whitened coordinates (affine-invariant decisions);
        # frames and angle errors in the original ones.
        sv, sv_x, vt, jac = _row_frames(jac_z, t)
    well_posed &= ok
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
    s_r, s_r_x = sv[:, rank - 1], sv_x[:, rank - 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        angle_error = np.where(s_r_x > 0, err_x / s_r_x, np.inf)
    reliable = well_posed & (s_r > min_snr * err) & (s_r > 0)
    return KernelFrames(
        X, vt[:, :rank], vt[:, rank:], reliable, angle_error, int(rank), jac, "local_linear"
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
            n_jobs=self.n_jobs,
            progress=self.progress,
        )
