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
"""

import warnings

import numpy as np

from liesym._core import as_points, as_rng
from liesym._core import progress as _progress
from liesym.algebra import LieAlgebra, principal_angles
from liesym.discovery._constraints import (
    DEFAULT_MIN_GAP,
    DEFAULT_NOISE_TOL,
    DiscoveryWarning,
    NullSpace,
    check_dim,
    null_space,
    r_factor,
)
from liesym.discovery.kernel import KernelFrames, frames_from_normals, kernel_frames

__all__ = ["DifferentialDiscovery", "affine_fixed_point", "tangency_null_space"]

_ROWS_PER_BLOCK = 200_000  # rows per tall-skinny QR block: bounds memory, not accuracy
_MAX_WEIGHT = (
    10.0  # cap on inverse-error weights, so that a few overconfident frames cannot dominate
)


def _homogeneous(points: np.ndarray, affine: bool) -> np.ndarray:
    if not affine:
        return points
    return np.concatenate([points, np.ones_like(points[:, :1])], axis=1)


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
        Requested dimension; default: the gap rule of
        :func:`liesym.discovery._constraints.choose_dimension`.
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
    xh = _homogeneous(points, affine)
    p = n * xh.shape[1]
    w = np.ones(points.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    chunk = max(1, _ROWS_PER_BLOCK // max(1, normals.shape[1]))
    r = r_factor(_constraint_blocks(normals, xh, w, chunk), p)
    null = null_space(r, p, dim=dim, noise_floor=noise_floor, min_gap=min_gap, noise_tol=noise_tol)
    gens = null.basis.reshape(null.dim, n, xh.shape[1])
    if affine:
        gens = np.concatenate([gens, np.zeros((null.dim, 1, n + 1))], axis=1)
    return gens, null


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
    lin = np.asarray(linear, dtype=np.float64)
    b = np.asarray(translation, dtype=np.float64)
    k, n, _ = lin.shape
    a = lin.reshape(k * n, n)
    rhs = -b.reshape(k * n)
    s = np.linalg.svd(a, compute_uv=False)
    scale = np.sqrt(np.sum(lin**2) + np.sum(b**2))
    if s[0] == 0 or s[-1] < rcond * s[0]:
        return np.full(n, np.nan), float("nan")
    c = np.linalg.lstsq(a, rhs, rcond=None)[0]
    return c, float(np.linalg.norm(a @ c - rhs) / scale)


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
    frame_method : {"local_linear", "level_set_pca"}, optional
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
    linear_part_ : ndarray, shape=[k, n, n]
        Affine only: the linear parts W of the generators.
    fixed_point_ : ndarray, shape=[n], or None
        Affine only: the common centre c with ``W c + b = 0`` (least squares), None when
        it is not unique or the relative residual exceeds ``fixed_point_tol``.
    fixed_point_residual_ : float
    bootstrap_angles_ : ndarray, shape=[n_bootstrap, dim_]
        Principal angles (radians) between each bootstrap algebra and ``algebra_``.
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
        frame_method: str = "local_linear",
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

    def fit(self, X, y=None, *, normals=None) -> "DifferentialDiscovery":
        """Estimate the symmetry algebra from points and values (or given normals).

        Parameters
        ----------
        X : array-like, shape=[N, n]
        y : array-like, shape=[N] or [N, m], optional
            Values at X; not needed when ``normals`` is given.
        normals : array-like, shape=[N, r, n] or [N, n], optional
            Normals of the level sets at X (e.g. exact oracle normals); skips the
            kernel-frame estimate.

        Returns
        -------
        self
        """
        if self.method not in ("closed_form", "gradient"):
            raise ValueError(f"method: expected 'closed_form' or 'gradient', got {self.method!r}")
        if self.weighting not in ("quality", "uniform"):
            raise ValueError(f"weighting: expected 'quality' or 'uniform', got {self.weighting!r}")
        X = as_points(X, "X", min_points=2)
        n = X.shape[1]
        if n == 1:
            raise ValueError(
                "X: points in R^1. The level sets of a non-constant function of one variable "
                "are isolated points, so no non-zero linear or affine vector field is tangent "
                "to them; there is nothing to discover"
            )
        p = n * (n + 1) if self.affine else n * n
        dim = check_dim(self.dim, p, "the affine generator" if self.affine else "an n x n matrix")
        if self.method == "gradient" and dim is None:
            raise ValueError("dim: the gradient method needs the dimension; pass dim=...")
        if normals is not None:
            frames = frames_from_normals(X, normals)
        elif y is None:
            raise ValueError("y: values are required unless normals are given")
        else:
            frames = kernel_frames(
                X,
                y,
                self.k_neighbors,
                self.rank,
                method=self.frame_method,
                min_snr=self.min_snr,
                max_condition=self.max_condition,
                progress=self.progress,
            )
        self.frames_ = frames
        use = frames.reliable
        n_rows = int(use.sum()) * frames.rank
        need = p - (dim or 1)
        if n_rows < need:
            raise ValueError(
                f"X: {int(use.sum())} reliable kernel frames give {n_rows} constraints, but "
                f"{p} unknowns need at least {need} for a {dim or 1}-dimensional null space; "
                "add points or loosen the frame reliability rule"
            )
        if n_rows < 3 * p:
            warnings.warn(
                f"only {n_rows} constraints for {p} unknowns: the dimension and the "
                "generators are poorly determined",
                DiscoveryWarning,
                stacklevel=2,
            )
        if self.method == "gradient":
            return self._fit_gradient(frames.subset(use), dim)
        return self._fit_closed_form(frames.subset(use), dim)

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
        pts, mu, s = self._coordinates(frames.points)
        theta = frames.angle_error
        known = bool(np.all(np.isfinite(theta)) and theta.size)
        w = np.ones(pts.shape[0])
        if known and self.weighting == "quality":
            med = np.median(theta)
            if med > 0:
                # Weighted least squares: a row's residual has std ~ theta_i |W x~|/|x~|.
                w = np.minimum(med / np.maximum(theta, 1e-300), _MAX_WEIGHT)
        floor = None
        if known:
            m = pts.shape[1] + (1 if self.affine else 0)
            k_dim = max(pts.shape[1] - frames.rank, 1)
            floor = float(np.sqrt(np.sum((w * theta) ** 2) / (m * k_dim)))
        gens, null = tangency_null_space(
            pts,
            frames.normals,
            affine=self.affine,
            weights=w,
            dim=dim,
            noise_floor=floor,
            min_gap=self.min_gap,
            noise_tol=self.noise_tol,
        )
        self.singular_values_ = null.singular_values
        self.gap_ = null.gap
        self.noise_floor_ = floor
        self.dim_ = null.dim
        self.algebra_ = self._to_algebra(gens, mu, s) if null.dim else None
        self._set_affine_parts()
        self.bootstrap_angles_ = self._bootstrap(pts, frames.normals, w, mu, s)
        return self

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

    def _bootstrap(self, pts, normals, w, mu, s) -> np.ndarray:
        n_boot = self.n_bootstrap
        if not isinstance(n_boot, int | np.integer) or n_boot < 0:
            raise ValueError(f"n_bootstrap: expected a non-negative integer, got {n_boot!r}")
        out = np.zeros((int(n_boot), self.dim_))
        if n_boot == 0 or self.dim_ == 0:
            return out
        rng = as_rng(self.rng)
        n_pts = pts.shape[0]
        for b in _progress(range(n_boot), enable=self.progress, desc="bootstrap"):
            # Multinomial counts = resampling with replacement; sqrt since rows are squared.
            counts = rng.multinomial(n_pts, np.full(n_pts, 1.0 / n_pts))
            gens, _ = tangency_null_space(
                pts, normals, affine=self.affine, weights=w * np.sqrt(counts), dim=self.dim_
            )
            out[b] = principal_angles(self._to_algebra(gens, mu, s), self.algebra_)
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
        if self.dim_ < dim:
            warnings.warn(
                f"the gradient method returned {dim} generators spanning only {self.dim_} "
                "dimensions",
                DiscoveryWarning,
                stacklevel=3,
            )
        self._set_affine_parts()
        return self
