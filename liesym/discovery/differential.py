r"""Differential symmetry discovery: generators tangent to the level sets, from samples.

A linear vector field ``x -> W x`` is a symmetry of f when it is tangent to the level
sets, ``df_x(W x) = 0``, i.e. ``nu^T W x = 0`` for every normal nu of the level set at x.
This is linear in W: one row ``vec(nu x^T)`` per normal and point. In homogeneous
coordinates ``(x, 1)`` the same rows give affine generators ``[[W, b], [0, 0]]``.

``method="closed_form"`` stacks the rows and takes the SVD null space (no optimiser,
no initialisation; the dimension is read off the singular-value gap);
``method="gradient"`` minimises the prototype's projection loss by Adam
(:mod:`liesym.discovery._gradient`) over free generators: the paper's protocol, which
recovers one generator but not so(3) in R^3; for several generators optimise their span on
the Grassmann manifold (:class:`liesym.manifolds.GrassmannDifferentialDiscovery`).

The closed form is a sum over samples, so it also runs on data in chunks (memory-mapped,
streamed or ``dask.array``; :mod:`liesym.discovery._chunks`): each chunk's frames, from its own
neighbours (:class:`~liesym.discovery.kernel.FrameEstimator`, the pluggable per-chunk step),
reduce to the R factor of its weighted rows (:class:`TangencyStats`), and R factors merge
exactly. The first chunk fixes the normal rank, the scale of the quality weights and the affine
coordinates (:class:`TangencyCalibration`).
"""

import functools
import warnings
from dataclasses import dataclass

import numpy as np

from liesym._core import as_points, as_positive, as_rng, respects_n_jobs
from liesym._core import progress as _progress
from liesym.algebra import (
    LieAlgebra,
    affine_fixed_point,
    homogeneous,
    null_space_angle,
    principal_angles,
)
from liesym.discovery._chunks import as_chunk_source
from liesym.discovery._constraints import (
    DEFAULT_MIN_GAP,
    DEFAULT_NOISE_TOL,
    DiscoveryWarning,
    NullSpace,
    check_dim,
    merge_r,
    null_space,
    r_factor,
    square_r,
)
from liesym.discovery.kernel import FrameEstimator, KernelFrames, frames_from_normals

__all__ = [
    "DifferentialDiscovery",
    "TangencyCalibration",
    "TangencyStats",
    "Uncertainty",
    "affine_fixed_point",
    "tangency_chunk_stats",
    "tangency_null_space",
    "tangency_stats",
]

_ROWS_PER_BLOCK = 200_000  # rows per tall-skinny QR block: bounds memory, not accuracy
_MAX_WEIGHT = (
    10.0  # cap on inverse-error weights, so that a few overconfident frames cannot dominate
)


@dataclass(frozen=True)
class Uncertainty:
    """How far a discovered algebra may be from the true one, and how that was estimated.

    Attributes
    ----------
    angle : float
        Radians: an estimate of the largest principal angle between the discovered span and
        the exact one (``nan`` when unknown).
    source : str
        How it was estimated (bootstrap spread, singular-value noise floor, propagation).
    transverse : float or None
        Radians: the part of ``angle`` that no conjugation of the span explains (see
        :func:`liesym.algebra.transverse_angle`), when the estimator measured it. Closedness,
        compactness, the name and a common fixed point only depend on this part.
    systematic : float, optional, default: 0.0
        Radians: the part of ``angle`` that is a measured change between two fits (a bias
        bound's observed term), not a noise scale. The rest of ``angle`` is noise at one
        standard deviation, which a certificate multiplies by its confidence; this part it
        takes as it is (:func:`liesym.verify.verify_discovered`).
    """

    angle: float
    source: str
    transverse: float | None = None
    systematic: float = 0.0


def spectral_uncertainty(singular_values, dim: int) -> Uncertainty:
    """The singular-value noise floor as an angle (:func:`liesym.algebra.null_space_angle`)."""
    return Uncertainty(
        null_space_angle(singular_values, dim),
        "singular-value noise floor (first-order perturbation of the null space)",
    )


def _constraint_blocks(normals, xh, weights, chunk):
    """Row blocks ``w_i vec(nu x_i^T) / |x_i|`` of the tangency constraints."""
    n = normals.shape[2]
    norms = np.linalg.norm(xh, axis=1)
    scale = weights / np.where(norms > 0, norms, 1.0)
    for s in range(0, xh.shape[0], chunk):
        sl = slice(s, s + chunk)
        rows = np.einsum("i,iru,iv->iruv", scale[sl], normals[sl], xh[sl])
        yield rows.reshape(-1, n * xh.shape[1])


def tangency_null_space(
    points,
    normals,
    *,
    affine: bool = False,
    weights=None,
    dim: int | None = None,
    noise_floor: float | None = None,
    min_gap: float = DEFAULT_MIN_GAP,
    noise_tol: float = DEFAULT_NOISE_TOL,
) -> tuple[np.ndarray, NullSpace]:
    r"""Generators tangent to the given normal spaces: the SVD null space of the rows.

    Each point x and orthonormal normal nu give the row ``vec(nu x~^T) / |x~|``
    (``x~ = (x, 1)`` when ``affine``), times the point weight. The rows are reduced by a
    tall-skinny QR (memory O(block * p), accuracy of an SVD of the full stack, unlike the
    Gram matrix which squares the condition number), then the p x p R factor is
    decomposed. Dividing by ``|x~|`` makes each row's residual the sine of the angle
    between ``W x~`` and the kernel, so that far points do not dominate.

    Parameters
    ----------
    points : array-like, shape=[N, n]
    normals : array-like, shape=[N, r, n]
        Orthonormal rows.
    affine : bool, optional, default: False
    weights : array-like, shape=[N], optional
    dim : int, optional
        Requested dimension; default: the singular-value gap rule (``choose_dimension``).
    noise_floor, min_gap, noise_tol : float, optional
        Parameters of the gap rule.

    Returns
    -------
    generators : ndarray, shape=[dim, n, n] or [dim, n+1, n+1]
        Orthonormal (Frobenius) null-space basis; homogeneous with a zero last row
        when ``affine``.
    null : NullSpace
        Ascending singular values, the dimension decision and the gap.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(50, 2))
    >>> nu = (x / np.linalg.norm(x, axis=1, keepdims=True))[:, None, :]
    >>> gens, null = tangency_null_space(x, nu)
    >>> null.dim, np.round(np.abs(gens[0]), 6) + 0.0
    (1, array([[0.      , 0.707107],
           [0.707107, 0.      ]]))
    """
    points = np.asarray(points, dtype=np.float64)
    normals = np.asarray(normals, dtype=np.float64)
    n = points.shape[1]
    xh = homogeneous(points) if affine else points
    p = n * xh.shape[1]
    w = np.ones(points.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    chunk = max(1, _ROWS_PER_BLOCK // max(1, normals.shape[1]))
    r = r_factor(_constraint_blocks(normals, xh, w, chunk), p)
    null = null_space(r, p, dim=dim, noise_floor=noise_floor, min_gap=min_gap, noise_tol=noise_tol)
    return _as_generators(null.basis, n, affine), null


def _as_generators(basis: np.ndarray, n: int, affine: bool) -> np.ndarray:
    """Generators (k, n, n), or homogeneous (k, n+1, n+1) with a zero last row, from vec rows."""
    k = basis.shape[0]
    gens = basis.reshape(k, n, n + 1 if affine else n)
    if affine:
        gens = np.concatenate([gens, np.zeros((k, 1, n + 1))], axis=1)
    return gens


def _check_dimension(n: int) -> None:
    if n == 1:
        raise ValueError(
            "X: points in R^1. The level sets of a non-constant function of one variable "
            "are isolated points, so no non-zero linear or affine vector field is tangent "
            "to them; there is nothing to discover"
        )


@dataclass(frozen=True, eq=False)
class TangencyCalibration:
    """What the first chunk of a fit fixes for every later chunk.

    Attributes
    ----------
    n : int
        Dimension of the points.
    rank : int
        Dimension of the normal spaces (estimated on the first chunk, unless given).
    affine : bool
    mu : ndarray, shape=[n], or None
        Centre of the standardised coordinates ``(x - mu) / scale`` (affine fits), or None.
    scale : float
    known : bool
        Whether the frames carry angle errors (then the noise floor is estimated).
    median_error : float or None
        Quality weights ``min(median_error / theta_i, 10)``; None for uniform weights.
    n_bootstrap : int
    seed : int
        Entropy of the per-chunk bootstrap generators ``default_rng([seed, chunk])``.
    kernel_dim : int or None
        Dimension of the frames' kernels (``n - rank`` for full-dimensional data; smaller on a
        curved subset); sets the noise floor's spread of a normal error.
    """

    n: int
    rank: int
    affine: bool
    mu: np.ndarray | None
    scale: float
    known: bool
    median_error: float | None
    n_bootstrap: int = 0
    seed: int = 0
    kernel_dim: int | None = None

    @property
    def p(self) -> int:
        """Number of unknowns: n^2, or n(n + 1) when affine."""
        return self.n * (self.n + 1 if self.affine else self.n)

    def coordinates(self, points: np.ndarray) -> np.ndarray:
        """The points in the fit's (standardised) coordinates."""
        return points if self.mu is None else (points - self.mu) / self.scale


@dataclass(frozen=True, eq=False)
class TangencyStats:
    """Statistics of the tangency constraints of some samples; merging them adds the samples.

    Every sample contributes weighted rows ``w_i vec(nu x~_i^T) / |x~_i|``; the statistic
    keeps their R factor (``R^T R`` is the rows' Gram matrix, but the condition number is not
    squared), so memory is O(p^2) whatever the number of samples, and the R factor of two
    sets of rows is the R factor of their two stacked R factors.

    Attributes
    ----------
    r : ndarray, shape=[p, p]
        R factor of the weighted constraint rows (zero rows pad it to p x p).
    n_points : int
        Samples seen.
    n_reliable : int
        Samples with a reliable frame (each gives ``rank`` rows).
    noise_sq : float
        ``sum_i (w_i theta_i)^2`` over the reliable frames (nan when angle errors are unknown).
    boot : ndarray, shape=[B, p, p]
        R factors of the rows reweighted by Poisson(1) bootstrap counts.
    n_chunks : int

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(40, 2))
    >>> nu = (x / np.linalg.norm(x, axis=1, keepdims=True))[:, None, :]
    >>> calib = TangencyCalibration(2, 1, False, None, 1.0, False, None)
    >>> whole = tangency_stats(frames_from_normals(x, nu), calib)
    >>> parts = tangency_stats(frames_from_normals(x[:15], nu[:15]), calib).merge(
    ...     tangency_stats(frames_from_normals(x[15:], nu[15:]), calib))
    >>> bool(np.allclose(whole.r.T @ whole.r, parts.r.T @ parts.r)), parts.n_points
    (True, 40)
    """

    r: np.ndarray
    n_points: int
    n_reliable: int
    noise_sq: float
    boot: np.ndarray
    n_chunks: int = 1

    def merge(self, other: "TangencyStats") -> "TangencyStats":
        """The statistics of both sets of samples."""
        p = self.r.shape[1]
        if other.r.shape[1] != p or other.boot.shape[0] != self.boot.shape[0]:
            raise ValueError(
                f"other: statistics of {other.r.shape[1]} unknowns and {other.boot.shape[0]} "
                f"bootstrap draws cannot merge with {p} and {self.boot.shape[0]}"
            )

        return TangencyStats(
            merge_r(self.r, other.r),
            self.n_points + other.n_points,
            self.n_reliable + other.n_reliable,
            self.noise_sq + other.noise_sq,
            np.stack([merge_r(a, b) for a, b in zip(self.boot, other.boot, strict=True)])
            if self.boot.size
            else self.boot,
            self.n_chunks + other.n_chunks,
        )


def tangency_stats(
    frames: KernelFrames,
    calib: TangencyCalibration,
    *,
    index: int = 0,
    n_points: int | None = None,
) -> TangencyStats:
    """Constraint statistics of the reliable frames of one chunk.

    Parameters
    ----------
    frames : KernelFrames
        Frames to use (all of them; pass ``frames.subset(frames.reliable)``).
    calib : TangencyCalibration
    index : int, optional
        Chunk number (seeds its bootstrap draws).
    n_points : int, optional
        Samples in the chunk (default: the number of frames).

    Returns
    -------
    TangencyStats
    """
    pts = calib.coordinates(frames.points)
    theta = frames.angle_error
    w = np.ones(pts.shape[0])
    if calib.median_error is not None:
        # Weighted least squares: a row's residual has std ~ theta_i |W x~|/|x~|.
        w = np.minimum(calib.median_error / np.maximum(theta, 1e-300), _MAX_WEIGHT)
    noise_sq = float(np.sum((w * theta) ** 2)) if calib.known else float("nan")
    xh = homogeneous(pts) if calib.affine else pts
    p = calib.p
    chunk = max(1, _ROWS_PER_BLOCK // max(1, frames.normals.shape[1]))
    r = square_r(r_factor(_constraint_blocks(frames.normals, xh, w, chunk), p), p)
    boot = np.zeros((calib.n_bootstrap, p, p))
    if calib.n_bootstrap:
        rng = np.random.default_rng([calib.seed, index])
        draws = frames.normal_draws
        for b in range(calib.n_bootstrap):
            # Poisson(1) counts: the streaming bootstrap; sqrt since rows are squared. Frames
            # with draws of their own (correlated) error use one per bootstrap draw.
            counts = rng.poisson(1.0, size=pts.shape[0])
            normals = frames.normals if draws is None else draws[b % len(draws)]
            blocks = _constraint_blocks(normals, xh, w * np.sqrt(counts), chunk)
            boot[b] = square_r(r_factor(blocks, p), p)
    return TangencyStats(
        r,
        frames.points.shape[0] if n_points is None else int(n_points),
        frames.points.shape[0],
        noise_sq,
        boot,
    )


def tangency_chunk_stats(estimator, calib: TangencyCalibration, index: int, X, y) -> TangencyStats:
    """Frames of one chunk from its own neighbours, reduced to constraint statistics.

    The map step of chunked fits (on Dask workers too): ``estimator(X, y, rank=calib.rank)``
    gives the frames, :func:`tangency_stats` their statistics. Errors name the chunk.

    Parameters
    ----------
    estimator : FrameEstimator or callable
        ``(X, y, rank=None) -> KernelFrames``.
    calib : TangencyCalibration
    index : int
    X : array-like, shape=[N, n]
    y : array-like, shape=[N] or [N, m]

    Returns
    -------
    TangencyStats
    """
    try:
        if y is None:
            raise ValueError("y: values are required")
        X = as_points(X, "X", min_points=2)
        if X.shape[1] != calib.n:
            raise ValueError(
                f"X: expected {calib.n} coordinates like the first chunk, got {X.shape[1]}"
            )
        frames = estimator(X, y, rank=calib.rank)
    except ValueError as err:
        raise ValueError(f"chunk {index}: {err}") from None
    return tangency_stats(frames.subset(frames.reliable), calib, index=index, n_points=X.shape[0])


def _noise_floor(calib: TangencyCalibration, stats: TangencyStats) -> float | None:
    """Expected singular value of an exact symmetry under the frames' angle errors."""
    if not (calib.known and np.isfinite(stats.noise_sq)):
        return None
    m = calib.n + (1 if calib.affine else 0)
    k_dim = calib.kernel_dim if calib.kernel_dim else max(calib.n - calib.rank, 1)
    return float(np.sqrt(stats.noise_sq / (m * max(k_dim, 1))))


_FRAME_METHODS = ("local_linear", "gaussian_process", "level_set_pca")


class DifferentialDiscovery:
    """Discover the linear or affine symmetry algebra of a function from its samples.

    Parameters
    ----------
    dim : int, optional
        Dimension of the algebra. Default (closed form): read off the singular-value gap.
        Required for ``method="gradient"``.
    affine : bool, optional, default: False
        Search affine generators ``[[W, b], [0, 0]]`` acting on ``(x, 1)``.
    method : {"closed_form", "gradient"}, optional
    k_neighbors : int, optional
        Neighbourhood size of the kernel-frame estimate (:func:`kernel_frames`).
    n_bootstrap : int, optional, default: 0
        Closed form: number of bootstrap resamples of the frames, giving
        ``bootstrap_angles_``.
    rng : None, int or numpy.random.Generator, optional
        Bootstrap resampling and the gradient method's batches.
    rank : int, optional
        Dimension of the normal spaces (default: estimated, see :func:`kernel_frames`).
    min_snr, max_condition : float, optional
        Reliability rule of the kernel frames.
    frame_method : {"auto", "local_linear", "gaussian_process", "level_set_pca"} or callable
        Kernel-frame estimator (:func:`~liesym.discovery.kernel_frames`); a callable
        ``(X, y, rank=None) -> KernelFrames`` replaces
        ``liesym.discovery.kernel.FrameEstimator`` (the per-chunk frame step).
        ``"auto"`` (default): local linear fits, which are exact for noise-free samples,
        unless their constraints show no symmetry gap above their own noise floor (or no
        gradient above the local noise): then the Gaussian-process surrogate, whose noise
        level comes from the data. Chunked fits decide on the first chunk.
    weighting : {"quality", "uniform"}, optional, default: "quality"
        Closed form: ``"quality"`` scales the rows of a point by the inverse of its
        estimated angle error (weighted least squares; relative to the median, capped
        at 10); ``"uniform"`` weights reliable frames equally.
    min_gap : float, optional, default: 4.0
        Smallest singular-value ratio accepted as a gap by the dimension rule.
    noise_tol : float, optional, default: 3.0
        A symmetry direction's singular value may exceed the noise floor by at most this
        factor (dimension rule; measured ratios 0.5-1.3).
    standardize : bool, optional, default: True
        Affine closed form: solve in centred, unit-RMS coordinates (well-conditioned
        whatever the data's offset) and map the generators back.
    lr, n_steps, batch_size : optional
        Adam settings of the gradient method (the prototype's defaults).
    reference : LieAlgebra, optional
        Gradient method: record the principal angle to this algebra at every step.
    progress : bool, optional, default: False
        Progress bars: kernel frames, the chunks of a chunked fit, bootstrap.
    chunk_size : int, optional
        Closed form: rows per chunk. Chunked inputs (see :meth:`fit`) default to 100,000;
        in-memory arrays are one chunk unless it is given.
    n_jobs : int, optional
        Threads of the k-d tree queries and of BLAS (joblib semantics: None is 1 unless a
        ``joblib.parallel_config`` says otherwise, -1 every core). On Dask, per task.
    within : LieAlgebra, optional
        Closed form: search only the span of these generators (linear, or affine when
        ``affine``), e.g. the system's symmetry algebra: the symmetries of one task that
        are symmetries of its system (the task's stabiliser). The constraints are the same;
        the unknowns are the coefficients in this span, so weakly determined directions
        outside it (on trajectory data with noisy rewards, the curvature of the level sets)
        no longer compete. ``singular_values_`` then has one value per generator.

    Attributes
    ----------
    algebra_ : LieAlgebra or None
        The discovered algebra (None when no symmetry is found).
    dim_ : int
    singular_values_ : ndarray, shape=[p]
        Closed form: singular values of the stacked constraints, **ascending** (the first
        ``dim_`` are the symmetry directions); p = n^2, or n(n+1) when affine. Measured in
        the standardised coordinates when ``affine and standardize``.
    gap_ : float
        ``singular_values_[dim_] / singular_values_[dim_ - 1]``.
    noise_floor_ : float or None
        Expected singular value of an exact symmetry under the frames' angle errors
        theta_i: ``sqrt(sum_i w_i^2 theta_i^2 / (m (n - r)))``, for a unit generator and
        isotropic directions (``E|W x~|^2 = |x~|^2 / m``, m = n or n + 1, and a normal
        error spread over the n - r kernel directions). None for given normals.
    frames_ : KernelFrames
        The frames of the samples (of the first chunk in a chunked fit).
    frame_method_ : str
        The frame estimator used (``"local_linear"``, ``"gaussian_process"``, ...).
    intrinsic_dim_ : int or None
        Dimension of the data's tangent spaces (n for full-dimensional data), from the
        frames of the first chunk.
    n_samples_ : int
        Closed form: samples used, over every chunk.
    n_reliable_ : int
        Closed form: samples with a reliable frame.
    stats_ : TangencyStats
        Closed form: the merged constraint statistics; with ``calibration_`` they are the
        whole state of a chunked fit (pickle the estimator to resume with
        :meth:`partial_fit`).
    calibration_ : TangencyCalibration
        Closed form: what the first chunk fixed (normal rank, weights, coordinates).
    linear_part_ : ndarray, shape=[k, n, n]
        Affine only: the linear parts W of the generators.
    fixed_point_ : ndarray, shape=[n], or None
        Affine only: the common centre c with ``W c + b = 0`` (least squares), None when
        it is not unique or the relative residual exceeds ``fixed_point_tol``.
    fixed_point_residual_ : float
    bootstrap_angles_ : ndarray, shape=[n_bootstrap, k]
        Principal angles (radians; k = ``dim_``) between each bootstrap algebra and
        ``algebra_``, with Poisson(1) bootstrap weights on the samples (streaming bootstrap).
    uncertainty_ : Uncertainty
        Estimated angle between ``algebra_`` and the exact algebra, with its source: the
        bootstrap spread (RMS of the largest bootstrap angle) when ``n_bootstrap > 0``,
        else the singular-value noise floor. :func:`liesym.verify.verify_discovered` turns
        it into the certificate's tolerance.
    history_ : dict of ndarray
        Gradient method: the optimiser's record ("loss", and "angle" with a reference).

    Examples
    --------
    >>> from liesym.data.synthetic import invariant_function_data
    >>> from liesym.algebra import grassmann_distance
    >>> data = invariant_function_data("radial", 1000, rng=0, n=3)
    >>> est = DifferentialDiscovery().fit(data.X, data.y)
    >>> est.dim_, bool(grassmann_distance(est.algebra_, data.algebra) < 0.05)
    (3, True)

    The same fit from chunks of 2,500 samples, each with its own neighbourhoods:

    >>> big = invariant_function_data("radial", 10_000, rng=1, n=3)
    >>> chunks = ((big.X[i : i + 2500], big.y[i : i + 2500]) for i in range(0, 10_000, 2500))
    >>> est = DifferentialDiscovery(chunk_size=2500).fit(chunks)
    >>> est.dim_, est.stats_.n_chunks, bool(grassmann_distance(est.algebra_, big.algebra) < 0.02)
    (3, 4, True)
    """

    def __init__(
        self,
        dim: int | None = None,
        affine: bool = False,
        method: str = "closed_form",
        k_neighbors: int | None = None,
        n_bootstrap: int = 0,
        rng=None,
        *,
        rank: int | None = None,
        min_snr: float = 3.0,
        max_condition: float = 30.0,
        frame_method: str = "auto",
        weighting: str = "quality",
        min_gap: float = DEFAULT_MIN_GAP,
        noise_tol: float = DEFAULT_NOISE_TOL,
        standardize: bool = True,
        fixed_point_tol: float = 0.05,
        lr: float = 4.5e-4,
        n_steps: int = 10_000,
        batch_size: int = 128,
        reference: LieAlgebra | None = None,
        progress: bool = False,
        chunk_size: int | None = None,
        n_jobs: int | None = None,
        within: LieAlgebra | None = None,
    ) -> None:
        self.dim = dim
        self.affine = affine
        self.method = method
        self.k_neighbors = k_neighbors
        self.n_bootstrap = n_bootstrap
        self.rng = rng
        self.rank = rank
        self.min_snr = min_snr
        self.max_condition = max_condition
        self.frame_method = frame_method
        self.weighting = weighting
        self.min_gap = min_gap
        self.noise_tol = noise_tol
        self.standardize = standardize
        self.fixed_point_tol = fixed_point_tol
        self.lr = lr
        self.n_steps = n_steps
        self.batch_size = batch_size
        self.reference = reference
        self.progress = progress
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs
        self.within = within

    @respects_n_jobs
    def fit(self, X, y=None, *, normals=None) -> "DifferentialDiscovery":
        """Estimate the symmetry algebra from points and values (or given normals).

        Parameters
        ----------
        X : array-like, shape=[N, n], or chunked data
            Points. Besides an in-memory array, the closed form accepts data in chunks,
            reduced chunk by chunk to constraint statistics (memory independent of N; each
            chunk's frames come from its own neighbours, so chunks should be random samples
            of the data, e.g. shuffled rows): a memory-mapped or other lazy array (h5py,
            zarr) read ``chunk_size`` rows at a time; an iterable (generator) of ``(X, y)``
            chunks or of :class:`~liesym.data.Transitions` records (next states and
            rewards), re-cut into ``chunk_size`` rows; or a ``dask.array`` (one task per
            block on the active Dask scheduler; the ``dask`` extra).
        y : array-like, shape=[N] or [N, m], optional
            Values at X, chunked like X (or None when X yields ``(X, y)`` chunks); not
            needed when ``normals`` is given.
        normals : array-like, shape=[N, r, n] or [N, n], optional
            Normals of the level sets at X (e.g. exact oracle normals); skips the
            kernel-frame estimate. In-memory X only.

        Returns
        -------
        self
        """
        if self.method not in ("closed_form", "gradient"):
            raise ValueError(f"method: expected 'closed_form' or 'gradient', got {self.method!r}")
        if self.weighting not in ("quality", "uniform"):
            raise ValueError(f"weighting: expected 'quality' or 'uniform', got {self.weighting!r}")
        for name in ("min_snr", "min_gap", "noise_tol", "fixed_point_tol"):
            as_positive(getattr(self, name), name)
        if as_positive(self.max_condition, "max_condition") < 1.0:
            raise ValueError(
                f"max_condition: a condition number is at least 1, got {self.max_condition!r}"
            )
        source = self._source(X, y)
        if source.kind != "memory":
            if normals is not None:
                raise ValueError("normals: given normals need X in memory, not chunked data")
            self._reset()
            return self._fit_source(source)
        X = as_points(X, "X", min_points=2)
        n = X.shape[1]
        _check_dimension(n)
        p = n * (n + 1) if self.affine else n * n
        dim = check_dim(self.dim, p, "the affine generator" if self.affine else "an n x n matrix")
        if self.method == "gradient" and dim is None:
            raise ValueError("dim: the gradient method needs the dimension; pass dim=...")
        if normals is not None:
            frames = frames_from_normals(X, normals)
            self.frame_method_ = "given"
        elif y is None:
            raise ValueError("y: values are required unless normals are given")
        else:
            frames = self._estimate_frames(X, y, progress=self.progress)
        self.frames_ = frames
        self.intrinsic_dim_ = frames.intrinsic_dim
        use = frames.reliable
        self._check_constraints(int(use.sum()), frames.normals.shape[1], p, dim)
        if self.method == "gradient":
            return self._fit_gradient(frames.subset(use), dim)
        return self._fit_closed_form(frames.subset(use), dim)

    def _check_constraints(self, n_reliable: int, rows: int, p: int, dim) -> None:
        n_rows = n_reliable * rows
        need = p - (dim or 1)
        if n_rows < need:
            raise ValueError(
                f"X: {n_reliable} reliable kernel frames give {n_rows} constraints, but "
                f"{p} unknowns need at least {need} for a {dim or 1}-dimensional null space; "
                "add points or loosen the frame reliability rule"
            )
        if n_rows < 3 * p:
            warnings.warn(
                f"only {n_rows} constraints for {p} unknowns: the dimension and the "
                "generators are poorly determined",
                DiscoveryWarning,
                stacklevel=4,
            )

    # Chunked closed form.
    @respects_n_jobs
    def partial_fit(self, X, y=None) -> "DifferentialDiscovery":
        """Add samples to the closed-form fit (out-of-core learning, scikit-learn style).

        The first call fixes what the first chunk decides (normal rank, quality-weight
        scale, affine coordinates, see ``calibration_``); every call adds the chunk's
        constraint statistics to ``stats_`` and refreshes the results, so the fit can stop
        and resume anywhere (pickle the estimator in between). Frames come from each
        chunk's own neighbours.

        Parameters
        ----------
        X : array-like, shape=[N, n], or chunked data (see :meth:`fit`)
        y : array-like, shape=[N] or [N, m], optional

        Returns
        -------
        self

        Examples
        --------
        >>> from liesym.data.synthetic import invariant_function_data
        >>> data = invariant_function_data("radial", 4000, rng=0, n=2)
        >>> est = DifferentialDiscovery()
        >>> for i in range(0, 4000, 1000):
        ...     est = est.partial_fit(data.X[i : i + 1000], data.y[i : i + 1000])
        >>> est.dim_, est.n_samples_
        (1, 4000)
        """
        if self.method != "closed_form":
            raise ValueError(
                f"method: partial_fit reduces chunks in closed form, got method={self.method!r}"
            )
        if self.weighting not in ("quality", "uniform"):
            raise ValueError(f"weighting: expected 'quality' or 'uniform', got {self.weighting!r}")
        source = self._source(X, y)
        if getattr(self, "calibration_", None) is None:
            self._reset()
        if source.kind == "memory":
            self._add_chunk(*source.arrays)
            return self._finish()
        return self._fit_source(source)

    def _source(self, X, y):
        return as_chunk_source(
            (X, y), ("X", "y"), fields=("next_states", "rewards"), chunk_size=self.chunk_size
        )

    def _frame_estimator(self, progress: bool = False, method: str | None = None):
        if callable(self.frame_method):
            return self.frame_method
        if method is None:
            method = getattr(self, "frame_method_", None) or self.frame_method
        # The surrogate's frames carry draws of their own error for the bootstrap.
        draws = int(self.n_bootstrap or 0) if method == "gaussian_process" else 0
        return FrameEstimator(
            self.k_neighbors,
            method,
            self.min_snr,
            self.max_condition,
            self.n_jobs,
            progress,
            n_draws=draws,
            seed=int(as_rng(self.rng).integers(2**63)) if draws else 0,
        )

    def _estimate_frames(self, X, y, progress: bool = False) -> KernelFrames:
        """Frames of the (first) samples; ``"auto"`` picks the estimator (``frame_method_``)."""
        method = self.frame_method
        if callable(method):
            self.frame_method_ = getattr(method, "method", type(method).__name__)
            return method(X, y, rank=self.rank)
        if method not in ("auto", *_FRAME_METHODS):
            expected = ", ".join(map(repr, ("auto", *_FRAME_METHODS)))
            raise ValueError(f"frame_method: expected one of {expected} or a callable")
        if method != "auto":
            self.frame_method_ = method
            return self._frame_estimator(progress, method)(X, y, rank=self.rank)
        try:
            frames = self._frame_estimator(progress, "local_linear")(X, y, rank=self.rank)
            if self._resolves(frames):
                self.frame_method_ = "local_linear"
                return frames
        except ValueError as err:
            if "gradient above the local noise" not in str(err):
                raise
        self.frame_method_ = "gaussian_process"
        return self._frame_estimator(progress, "gaussian_process")(X, y, rank=self.rank)

    def _resolves(self, frames: KernelFrames) -> bool:
        """Whether the frames' constraints show a symmetry gap above their noise floor."""
        reliable = frames.subset(frames.reliable)
        n = frames.points.shape[1]
        if reliable.points.shape[0] * frames.normals.shape[1] < n * (n + 1):
            return False
        _, mu, s = self._coordinates(reliable.points)
        theta = reliable.angle_error
        known = bool(np.all(np.isfinite(theta)) and theta.size)
        med = float(np.median(theta)) if known else 0.0
        calib = TangencyCalibration(
            n,
            frames.rank,
            bool(self.affine),
            mu,
            s,
            known,
            med if med > 0 and self.weighting == "quality" else None,
            kernel_dim=frames.kernel.shape[1],
        )
        stats = tangency_stats(reliable, calib)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DiscoveryWarning)
            null = self._null_space(
                stats.r, self._search_basis(calib), None, _noise_floor(calib, stats)
            )
        return null.dim > 0

    def _reset(self) -> None:
        self.calibration_ = None
        self.stats_ = None
        self.frame_method_ = None

    def _fit_source(self, source):
        if self.method != "closed_form":
            raise ValueError(
                "method: chunked data are reduced in closed form; the gradient method needs "
                "the samples in memory"
            )
        if source.kind == "dask":
            from liesym.discovery import _dask

            blocks = _dask.dask_blocks(source.arrays, ("X", "y"), self.chunk_size)
            if self.calibration_ is None:
                self._add_chunk(*_dask.compute_block(blocks[0]))
                blocks = blocks[1:]
            step = functools.partial(
                tangency_chunk_stats, self._frame_estimator(), self.calibration_
            )
            done = self.stats_.n_chunks
            for stats in _dask.map_blocks(
                step, blocks, start=done, progress=self.progress, desc="chunks"
            ):
                self.stats_ = self.stats_.merge(stats)
        else:
            chunks = source.chunks()
            for X, y in _progress(
                chunks, enable=self.progress, desc="chunks", total=source.n_chunks
            ):
                self._add_chunk(X, y)
            if self.stats_ is None:
                raise ValueError("X: the chunked data are empty (no rows)")
        return self._finish(check=True)

    def _add_chunk(self, X, y) -> None:
        index = 0 if self.stats_ is None else self.stats_.n_chunks
        if self.calibration_ is not None:
            stats = tangency_chunk_stats(self._frame_estimator(), self.calibration_, index, X, y)
            self.stats_ = self.stats_.merge(stats)
            return
        try:
            X = as_points(X, "X", min_points=2)
            _check_dimension(X.shape[1])
            if y is None:
                raise ValueError("y: values are required")
            frames = self._estimate_frames(X, y)
        except ValueError as err:
            raise ValueError(f"chunk {index}: {err}") from None
        self.frames_ = frames
        self.intrinsic_dim_ = frames.intrinsic_dim
        reliable = frames.subset(frames.reliable)
        self.calibration_ = self._calibrate(reliable)
        self.stats_ = tangency_stats(reliable, self.calibration_, index=index, n_points=len(X))

    def _calibrate(self, frames: KernelFrames) -> TangencyCalibration:
        """Coordinates, weights and the bootstrap seed, from the (reliable) first frames."""
        n_boot = self.n_bootstrap
        if not isinstance(n_boot, int | np.integer) or n_boot < 0:
            raise ValueError(f"n_bootstrap: expected a non-negative integer, got {n_boot!r}")
        _, mu, s = self._coordinates(frames.points)
        theta = frames.angle_error
        known = bool(np.all(np.isfinite(theta)) and theta.size)
        median = None
        if known and self.weighting == "quality":
            med = float(np.median(theta))
            median = med if med > 0 else None
        seed = int(as_rng(self.rng).integers(2**63)) if n_boot else 0
        n = frames.points.shape[1]
        return TangencyCalibration(
            n,
            frames.rank,
            bool(self.affine),
            mu,
            s,
            known,
            median,
            int(n_boot),
            seed,
            frames.kernel.shape[1],
        )

    # Closed form.
    def _coordinates(self, points):
        if self.affine and self.standardize:
            mu = points.mean(axis=0)
            s = float(np.sqrt(np.mean(np.sum((points - mu) ** 2, axis=1))))
            s = s if s > 0 else 1.0
            return (points - mu) / s, mu, s
        return points, None, 1.0

    def _to_algebra(self, gens, mu, s) -> LieAlgebra:
        if mu is not None:
            n = mu.size
            # Field in x = s x' + mu: W = W', b = s b' - W' mu (conjugation by the chart).
            gens = gens.copy()
            gens[:, :n, n] = s * gens[:, :n, n] - gens[:, :n, :n] @ mu
        return LieAlgebra(gens, affine=self.affine)

    def _fit_closed_form(self, frames: KernelFrames, dim):
        self.calibration_ = self._calibrate(frames)
        self.stats_ = tangency_stats(
            frames, self.calibration_, n_points=self.frames_.points.shape[0]
        )
        return self._finish()

    def _finish(self, check: bool = False):
        """Null space of the merged statistics: the algebra, its dimension, the bootstrap."""
        calib, stats = self.calibration_, self.stats_
        n, p = calib.n, calib.p
        dim = check_dim(self.dim, p, "the affine generator" if self.affine else "an n x n matrix")
        if check:
            rows = calib.n - calib.kernel_dim if calib.kernel_dim is not None else calib.rank
            self._check_constraints(stats.n_reliable, rows, p, dim)
        floor = _noise_floor(calib, stats)
        basis = self._search_basis(calib)
        if basis is not None:
            dim = None if dim is None else min(dim, basis.shape[1] - 1)
        null = self._null_space(stats.r, basis, dim, floor)
        self.singular_values_ = null.singular_values
        self.gap_ = null.gap
        self.noise_floor_ = floor
        self.dim_ = null.dim
        self.n_samples_ = stats.n_points
        self.n_reliable_ = stats.n_reliable
        gens = _as_generators(null.basis, n, self.affine)
        self.algebra_ = self._to_algebra(gens, calib.mu, calib.scale) if null.dim else None
        self._set_affine_parts()
        self.bootstrap_angles_ = self._bootstrap()
        boot = self.bootstrap_angles_
        if boot.size:
            self.uncertainty_ = Uncertainty(
                float(np.sqrt(np.mean(boot.max(axis=1) ** 2))),
                f"bootstrap spread (RMS of the largest principal angle over {len(boot)} "
                "Poisson(1) reweightings of the samples)",
            )
        else:
            self.uncertainty_ = spectral_uncertainty(null.singular_values, null.dim)
        return self

    def _search_basis(self, calib: TangencyCalibration) -> np.ndarray | None:
        """Columns (p, k): the vectorised ``within`` generators in the fit's coordinates."""
        within = self.within
        if within is None:
            return None
        n = calib.n
        size = n + 1 if self.affine else n
        if not isinstance(within, LieAlgebra) or within.n != size or within.affine != self.affine:
            kind = "affine (n+1)x(n+1)" if self.affine else "linear n x n"
            raise ValueError(
                f"within: expected a LieAlgebra of {kind} generators for points of R^{n}, "
                f"got {within!r}"
            )
        gens = np.array(within.basis[:, :n, :], dtype=np.float64)
        if calib.mu is not None:
            # x' = (x - mu) / s: W' = W, b' = (W mu + b) / s.
            gens[:, :, n] = (gens[:, :, :n] @ calib.mu + gens[:, :, n]) / calib.scale
        return gens.reshape(len(gens), -1).T

    def _null_space(self, r, basis, dim, floor):
        """Null space of the constraints, over all generators or the span of ``basis``."""
        if basis is None:
            p = r.shape[1]
            return null_space(
                r, p, dim=dim, noise_floor=floor, min_gap=self.min_gap, noise_tol=self.noise_tol
            )
        q, _ = np.linalg.qr(basis)  # orthonormal coordinates of the span
        k = q.shape[1]
        sub = np.linalg.qr(r @ q, mode="r")
        null = null_space(
            sub, k, dim=dim, noise_floor=floor, min_gap=self.min_gap, noise_tol=self.noise_tol
        )
        return NullSpace(
            null.vectors @ q.T, null.singular_values, null.dim, null.gap, floor, null.zero_level
        )

    def _set_affine_parts(self) -> None:
        if not self.affine:
            return
        alg = self.algebra_
        if alg is None:
            self.linear_part_ = np.zeros((0, 0, 0))
            self.fixed_point_, self.fixed_point_residual_ = None, float("nan")
            return
        self.linear_part_ = alg.linear_part
        c, res = affine_fixed_point(alg.linear_part, alg.translation_part)
        self.fixed_point_residual_ = res
        ok = np.all(np.isfinite(c)) and res <= self.fixed_point_tol
        self.fixed_point_ = c if ok else None

    def _bootstrap(self) -> np.ndarray:
        calib, boot = self.calibration_, self.stats_.boot
        out = np.zeros((boot.shape[0], self.dim_))
        if self.dim_ == 0 or boot.shape[0] == 0:
            return out
        basis = self._search_basis(calib)
        for b in _progress(range(boot.shape[0]), enable=self.progress, desc="bootstrap"):
            null = self._null_space(boot[b], basis, self.dim_, None)
            gens = _as_generators(null.basis, calib.n, self.affine)
            out[b] = principal_angles(self._to_algebra(gens, calib.mu, calib.scale), self.algebra_)
        return out

    # Gradient.
    def _fit_gradient(self, frames: KernelFrames, dim):
        from liesym.discovery._gradient import fit_projection_loss

        result = fit_projection_loss(
            frames.points,
            frames.kernel,
            dim,
            affine=self.affine,
            lr=self.lr,
            n_steps=self.n_steps,
            batch_size=self.batch_size,
            rng=self.rng,
            reference=self.reference,
            progress=self.progress,
        )
        self.algebra_ = LieAlgebra(result.generators, affine=self.affine)
        self.dim_ = self.algebra_.dim
        self.history_ = result.history
        self.uncertainty_ = Uncertainty(float("nan"), "not estimated by the gradient method")
        if self.dim_ < dim:
            warnings.warn(
                f"the gradient method returned {dim} generators spanning only {self.dim_} "
                "dimensions",
                DiscoveryWarning,
                stacklevel=3,
            )
        self._set_affine_parts()
        return self
