"""The paper's projection loss with exact gradients, and the shared Adam training loop.

A generator stack is optimised as its top ``n`` rows, ``params`` of shape (dim, n, m):
``m = n`` for linear generators and ``m = n + 1`` for affine ones, whose homogeneous
form ``[[W, b], [0, 0]]`` has a zero last row by construction. A point ``p`` enters as
``p`` (linear) or ``(p, 1)`` (affine), and ``params @ p`` is the generator's vector field
at ``p`` in R^n.

Both gradient learners (this projection loss and the functional baseline in
:mod:`liesym.discovery.functional`) run through :func:`run_adam`, so they share the
optimiser, the minibatch sampler, the seed handling, the normalisation and the history.

The losses are also available as objects (:class:`ProjectionLoss`, and
:class:`~liesym.discovery.functional.FunctionalLoss`) mapping generators and a batch to the
loss terms and the Euclidean gradient: the Riemannian learners of
:mod:`liesym.manifolds.subspace`, which optimise the *span* of k generators on the
Grassmann manifold, are built on them.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from liesym._core import as_finite_array, as_points, as_rng
from liesym._core import progress as _progress
from liesym.algebra import LieAlgebra, grassmann_distance, span_basis
from liesym.algebra.affine import homogeneous as _homogeneous
from liesym.discovery._adam import Adam, check_optimiser_args, minibatches

__all__ = [
    "GradientFit",
    "ProjectionLoss",
    "StallReport",
    "fit_projection_loss",
    "kernel_projectors",
    "largest_angle",
    "projection_loss",
]


@dataclass(frozen=True)
class StallReport:
    """Why an optimiser stopped moving, and whether it stopped at a poor point.

    Attributes
    ----------
    stalled : bool
        The stopping rule fired (the iterate stopped moving) while the loss stayed above
        ``loss_ratio_limit`` times its initial value: a spurious stationary point, not a
        solution.
    step : int
        The step at which the run ended.
    move : float
        Grassmann distance (radians) between the last two checked iterates.
    loss_ratio : float
        Mean loss over the last check window divided by the mean over the first one.
    loss_ratio_limit : float
    per_generator : ndarray, shape=[k]
        The last per-generator losses (descending), see the learner.
    full_batch : bool
        Every step saw the whole data set (N <= batch size): deterministic steps, which
        cannot leave a spurious local minimum of the non-smooth projection loss.
    message : str
        One line for a warning or a log.
    """

    stalled: bool
    step: int
    move: float
    loss_ratio: float
    loss_ratio_limit: float
    per_generator: np.ndarray
    full_batch: bool
    message: str


@dataclass(frozen=True)
class GradientFit:
    """Result of a gradient-based generator fit.

    Attributes
    ----------
    generators : ndarray, shape=[dim, m, m]
        The learned generators (affine: homogeneous, zero last row); unit Frobenius norm
        each when the fit was normalised (an orthonormal basis for the Grassmann learners).
    history : dict of str to ndarray, shape=[n_steps]
        Per step: the loss terms on that step's minibatch (evaluated before the update),
        ``angle`` (largest principal angle to the reference after the update; NaN without
        a reference) and ``time`` (seconds since the start, after the update). The
        Grassmann learners add ``distance`` (Grassmann distance to the reference), ``move``
        (Grassmann distance between successive iterates) and, once per check window,
        ``check_step``, ``window_move`` and ``per_generator`` (shape [n_checks, k]).
    steps_to_tol : int or None
        Number of steps after which the angle (Grassmann learners: the Grassmann distance)
        first was <= the tolerance (0 when the initial generators already were), or None.
    wall_time : float
        Seconds spent in the optimisation loop.
    affine : bool
    stopped : str
        ``"budget"`` (all steps taken) or ``"converged"`` (the Grassmann learners'
        stopping rule fired).
    stall : StallReport or None
        Grassmann learners: the diagnosis at the end of the run.
    """

    generators: np.ndarray
    history: dict
    steps_to_tol: int | None
    wall_time: float
    affine: bool = False
    stopped: str = "budget"
    stall: StallReport | None = None

    @property
    def algebra(self) -> LieAlgebra:
        """The span of the generators as a :class:`~liesym.algebra.LieAlgebra`."""
        return LieAlgebra(self.generators, affine=self.affine)


# Generators, points and references.
def homogeneous(points: np.ndarray, affine: bool) -> np.ndarray:
    """Points (N, n) as (N, n+1) homogeneous coordinates ``(p, 1)`` when ``affine``."""
    return _homogeneous(points) if affine else points


def as_square(params: np.ndarray) -> np.ndarray:
    """Parameters (dim, n, m) as square generators (dim, m, m), padding zero rows."""
    d, n, m = params.shape
    if n == m:
        return params
    out = np.zeros((d, m, m))
    out[:, :n] = params
    return out


def initial_params(init, dim: int, n: int, affine: bool, rng) -> np.ndarray:
    """Initial parameters (dim, n, m) from ``"uniform"`` (U(0, 1)), ``"normal"`` or an array."""
    m = n + 1 if affine else n
    if isinstance(init, str):
        if init == "uniform":
            return as_rng(rng).uniform(0.0, 1.0, size=(dim, n, m))
        if init == "normal":
            return as_rng(rng).normal(size=(dim, n, m))
        raise ValueError(f"init: expected 'uniform', 'normal' or an array, got {init!r}")
    arr = as_finite_array(init, "init", ndim=(2, 3))
    if arr.ndim == 2:
        arr = arr[None]
    if arr.shape == (dim, m, m):
        if affine and np.any(arr[:, -1] != 0):
            raise ValueError("init: affine generators must have a zero last row")
        arr = arr[:, :n]
    if arr.shape != (dim, n, m):
        raise ValueError(f"init: expected shape ({dim}, {m}, {m}), got {arr.shape}")
    return arr.copy()


def reference_basis(reference, m: int) -> np.ndarray | None:
    """Orthonormal flattened basis (k, m*m) of a reference algebra, or None."""
    if reference is None:
        return None
    basis = reference.basis if isinstance(reference, LieAlgebra) else span_basis(reference)[0]
    if basis.shape[-1] != m:
        raise ValueError(f"reference: expected generators of size {m}x{m}, got {basis.shape[-2:]}")
    return basis.reshape(basis.shape[0], -1)


def largest_angle(generators, ref_flat: np.ndarray) -> float:
    """Largest principal angle (radians) between span(generators) and an orthonormal basis.

    For one generator against one reference direction this is the prototype's
    ``arccos(|<W, J>| / (|W| |J|))``, computed as an arctangent of sine and cosine so
    that it stays accurate near 0.

    Parameters
    ----------
    generators : ndarray, shape=[dim, m, m] or [dim, m*m]
    ref_flat : ndarray, shape=[k, m*m]
        Orthonormal rows.

    Returns
    -------
    float
        NaN when the generators vanish.

    Examples
    --------
    >>> j = np.array([[0.0, -1.0, 1.0, 0.0]]) / np.sqrt(2)
    >>> round(largest_angle(np.array([[[0.0, -1.0], [1.0, 0.1]]]), j), 4)
    0.0706
    """
    w = np.asarray(generators).reshape(len(generators), -1)
    if w.shape[0] == 1:  # one generator (the common case, once per step): no SVD
        inside = ref_flat.T @ (ref_flat @ w[0])
        sin, cos = np.linalg.norm(w[0] - inside), np.linalg.norm(inside)
        return float(np.arctan2(sin, cos)) if sin or cos else float("nan")
    u, s, _ = np.linalg.svd(w.T, full_matrices=False)
    if s.size == 0 or s[0] == 0.0:
        return float("nan")
    qw = u[:, : int(np.count_nonzero(s > 1e-12 * s[0]))]
    qr = ref_flat.T
    if qw.shape[1] > qr.shape[1]:
        qw, qr = qr, qw
    # Sine from the residual outside the larger span, cosine from the overlap.
    resid = qw - qr @ (qr.T @ qw)
    sin = np.linalg.norm(resid, 2)
    cos = np.linalg.svd(qr.T @ qw, compute_uv=False).min()
    return float(np.arctan2(sin, cos))


# The projection loss.
def _safe_inverse(x: np.ndarray) -> np.ndarray:
    # 1/x where x > 0, else 0: a norm term that is exactly zero contributes no gradient.
    out = np.zeros_like(x)
    np.divide(1.0, x, out=out, where=x > 0)
    return out


def kernel_projectors(n_points: int, n: int, kernel=None, normals=None) -> np.ndarray:
    """Orthogonal projectors (N, n, n) onto the kernel distribution at each point.

    Parameters
    ----------
    n_points, n : int
        Expected number of points and space dimension.
    kernel : array-like, shape=[N, d_k, n] or [N, n], optional
        Rows span ker df at each point (any basis; orthonormality is not required).
    normals : array-like, shape=[N, d_nu, n] or [N, n], optional
        Rows span the normal space instead; the kernel is its orthogonal complement.

    Returns
    -------
    ndarray, shape=[N, n, n]

    Examples
    --------
    >>> kernel_projectors(1, 2, normals=[[2.0, 0.0]])[0]
    array([[0., 0.],
           [0., 1.]])
    """
    if (kernel is None) == (normals is None):
        raise ValueError("kernel, normals: pass exactly one of them")
    name = "kernel" if normals is None else "normals"
    frames = as_finite_array(kernel if normals is None else normals, name, ndim=(2, 3))
    if frames.ndim == 2:
        frames = frames[:, None, :]
    if frames.shape[0] != n_points or frames.shape[2] != n:
        raise ValueError(
            f"{name}: expected shape ({n_points}, d, {n}) matching points, got {frames.shape}"
        )
    if frames.shape[1] == 1:  # one direction: v v^T / |v|^2 without an SVD per point
        v = frames[:, 0]
        proj = np.einsum("bi,bj->bij", v, v * _safe_inverse(np.einsum("bi,bi->b", v, v))[:, None])
    else:
        proj = np.linalg.pinv(frames) @ frames
    return np.eye(n) - proj if normals is not None else proj


def _pinv_columns(v: np.ndarray) -> np.ndarray:
    """Batched pseudo-inverse (b, d, n) of tall stacks v (b, n, d)."""
    if v.shape[2] == 1:
        return (
            np.swapaxes(v, 1, 2)
            * _safe_inverse(np.einsum("bi,bi->b", v[..., 0], v[..., 0]))[:, None, None]
        )
    return np.linalg.pinv(v)


def _leading_projector_terms(
    v: np.ndarray, proj_kernel: np.ndarray, rank: int
) -> tuple[np.ndarray, np.ndarray]:
    """Maximality term with the projector onto the ``rank`` leading directions of V.

    ``P_r`` is the spectral projector of ``G = V V^T`` onto its top ``rank`` eigenvectors
    (the best rank-``rank`` approximation of span V). With ``M = (I - P_r) P_K``,
    ``m = |M|_F = sqrt(tr P_K - tr(P_r P_K))`` and, from first-order perturbation of
    the eigenvectors, ``d tr(P_r P_K) = <dG, H>`` with
    ``H = U (F o U^T P_K U) U^T``, ``F_ij = 1 / (lambda_i - lambda_j)`` for i leading and
    j not (and symmetrically), 0 elsewhere; so ``dm/dV = -H V / m``. Where V has rank
    ``rank`` this is the full-span formula ``-M V^+T / m``; where it has more, the
    factors are bounded by the spectral gap ``lambda_r - lambda_{r+1}`` instead of
    ``1 / sigma_min(V)``. Gaps below round-off (``1e-12 lambda_max``) contribute nothing,
    as in a pseudo-inverse.
    """
    n = v.shape[1]
    lam, u = np.linalg.eigh(v @ np.swapaxes(v, 1, 2))
    lead, rest = u[:, :, n - rank :], u[:, :, : n - rank]
    mm = proj_kernel - lead @ (np.swapaxes(lead, 1, 2) @ proj_kernel)
    m = np.linalg.norm(mm, axis=(1, 2))
    gap = lam[:, n - rank :, None] - lam[:, None, : n - rank]
    floor = 1e-12 * np.abs(lam[:, -1:, None])
    inv_gap = np.zeros_like(gap)
    np.divide(1.0, gap, out=inv_gap, where=gap > floor)
    cross = inv_gap * (np.swapaxes(lead, 1, 2) @ proj_kernel @ rest)
    half = lead @ cross @ np.swapaxes(rest, 1, 2)
    h = half + np.swapaxes(half, 1, 2)
    return m, -(h @ v) * _safe_inverse(m)[:, None, None]


def projection_terms(
    params: np.ndarray, points: np.ndarray, proj_kernel: np.ndarray, rank: int | None = None
) -> tuple[float, float, np.ndarray, np.ndarray]:
    """The projection loss terms on a batch and their exact gradients.

    With ``V = [W_1 p, ..., W_d p]`` (n x d), ``P_K`` the kernel projector and ``P_V`` the
    projector onto span V:

    * ``L_sym = sum_b |(I - P_K) V|_F``, gradient ``R / |R|`` with ``R = (I - P_K) V``;
    * ``L_max = sum_b |(I - P_V) P_K|_F`` (= ``|(I - P_V) K|_F`` for an orthonormal kernel
      basis K), gradient ``-M V^+T / |M|`` with ``M = (I - P_V) P_K``, from
      ``dP_V = (I - P_V) dV V^+ + (.)^T`` (valid where V keeps its rank);

    each chained to the parameters by ``dL/dW_i = sum_b dL/dV[:, i] p^T``. Terms that are
    exactly zero contribute a zero (sub)gradient.

    With ``rank`` given, ``P_V`` is replaced by the projector onto the ``rank`` leading
    left singular directions of V (see :func:`_leading_projector_terms`). The point:
    with more generators than kernel dimensions (so(3) on the spheres of R^3: 3
    generators, 2 kernel directions) the true generator vectors are linearly dependent
    at every point, so ``P_V`` of all of them is the identity on a dense set, the term is
    zero in exact arithmetic and its gradient is round-off divided by ``sigma_min(V)``.
    Since the symmetry term asks span V to lie inside the kernel, the maximality
    condition "the kernel lies in span V" can only hold with span V equal to the kernel,
    of dimension d_K: so ``rank = min(d, d_K)`` states the same condition, and its
    gradient is bounded by the gap between the d_K-th and the next singular value.

    Parameters
    ----------
    params : ndarray, shape=[dim, n, m]
    points : ndarray, shape=[b, m]
        Homogeneous for affine generators.
    proj_kernel : ndarray, shape=[b, n, n]
    rank : int, optional
        None: the paper's projector onto the span of all generator vectors; 0: no
        maximality term (``l_max = 0``, zero gradient).

    Returns
    -------
    l_sym, l_max : float
    grad_sym, grad_max : ndarray, shape=[dim, n, m]
    """
    v = np.einsum("dij,bj->bid", params, points)
    resid = v - proj_kernel @ v
    s = np.linalg.norm(resid, axis=(1, 2))
    g_sym = resid * _safe_inverse(s)[:, None, None]
    grad_sym = np.einsum("bid,bj->dij", g_sym, points)
    if rank == 0:
        return float(s.sum()), 0.0, grad_sym, np.zeros_like(grad_sym)
    if rank is None:
        v_pinv = _pinv_columns(v)
        mm = proj_kernel - v @ (v_pinv @ proj_kernel)
        m = np.linalg.norm(mm, axis=(1, 2))
        g_max = -(mm @ np.swapaxes(v_pinv, 1, 2)) * _safe_inverse(m)[:, None, None]
    else:
        m, g_max = _leading_projector_terms(v, proj_kernel, int(rank))
    grad_max = np.einsum("bid,bj->dij", g_max, points)
    return float(s.sum()), float(m.sum()), grad_sym, grad_max


def symmetry_residual_form(
    params: np.ndarray, points: np.ndarray, proj_kernel: np.ndarray
) -> np.ndarray:
    """The quadratic form ``C = sum_b V_b^T (I - P_K) V_b`` (dim x dim) of a batch.

    For orthonormal generators, ``C`` transforms as ``R^T C R`` under a change of
    orthonormal basis R of their span: its eigenvalues are basis-free, and its
    eigenvectors give a canonical basis of the span ordered by how badly each direction
    violates the symmetry condition (``sum_b |(I - P_K) W p_b|^2``).
    """
    v = np.einsum("dij,bj->bid", params, points)
    resid = v - proj_kernel @ v
    return np.einsum("bid,bie->de", resid, resid)


def projection_loss(generators, points, kernel=None, *, normals=None, affine: bool = False):
    """The paper's projection loss terms ``(L_sym, L_max)`` summed over the given points.

    Parameters
    ----------
    generators : array-like, shape=[dim, m, m] or [m, m]
        ``m = n`` (linear) or ``n + 1`` (affine, zero last row).
    points : array-like, shape=[N, n]
    kernel, normals : array-like, shape=[N, d, n] or [N, n]
        Exactly one: a basis of ker df, or of its orthogonal complement, at each point.
    affine : bool, optional, default: False

    Returns
    -------
    l_sym, l_max : float

    Examples
    --------
    The rotation generator is tangent to the circles of f = |x|^2 and spans their kernel:

    >>> x = np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> [round(t, 12) for t in projection_loss([[0, -1], [1, 0]], x, normals=x)]
    [0.0, 0.0]
    """
    pts = as_points(points, "points")
    n = pts.shape[1]
    gens = as_finite_array(generators, "generators", ndim=(2, 3))
    gens = gens[None] if gens.ndim == 2 else gens
    m = n + 1 if affine else n
    if gens.shape[1:] != (m, m):
        raise ValueError(f"generators: expected shape (dim, {m}, {m}), got {gens.shape}")
    proj = kernel_projectors(pts.shape[0], n, kernel, normals)
    l_sym, l_max, _, _ = projection_terms(gens[:, :n], homogeneous(pts, affine), proj)
    return l_sym, l_max


@dataclass(frozen=True, eq=False)
class ProjectionLoss:
    """The projection loss on a fixed data set, as a function of generators and a batch.

    Calling it with parameters (dim, n, m) and batch indices returns the loss terms
    (``loss``, ``sym``, ``max``, summed over the batch) and the Euclidean gradient of
    ``loss``; :meth:`per_generator` gives the basis-free per-generator residuals.

    Attributes
    ----------
    points : ndarray, shape=[N, m]
        Homogeneous for affine generators.
    proj_kernel : ndarray, shape=[N, n, n]
        Kernel projectors (:func:`kernel_projectors`).
    rank : int or None
        Maximality term: None, the paper's projector onto all generator vectors; an
        integer, the projector onto that many leading directions (see
        :func:`projection_terms`); 0, no maximality term.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(20, 2))
    >>> loss = ProjectionLoss.from_frames(x, normals=x, dim=1)
    >>> terms, grad = loss(np.array([[[0.0, -1.0], [1.0, 0.0]]]), np.arange(20))
    >>> round(terms["loss"], 12), grad.shape
    (0.0, (1, 2, 2))
    """

    points: np.ndarray
    proj_kernel: np.ndarray
    rank: int | None = None

    @classmethod
    def from_frames(
        cls,
        points,
        kernel=None,
        *,
        normals=None,
        dim: int,
        affine: bool = False,
        maximality: str | None = "paper",
    ) -> "ProjectionLoss":
        """Build the loss from points and their kernel (or normal) frames.

        Parameters
        ----------
        points : array-like, shape=[N, n]
        kernel, normals : array-like, shape=[N, d, n] or [N, n]
            Exactly one (see :func:`kernel_projectors`).
        dim : int
            Number of generators.
        affine : bool, optional, default: False
        maximality : {"paper", "leading", None}, optional, default: "paper"
            ``"paper"``: projector onto all generator vectors (the prototype's loss);
            ``"leading"``: onto their ``min(dim, d_K)`` leading directions, d_K the kernel
            dimension (the same condition, well-posed when dim > d_K); None: the symmetry
            term alone.
        """
        pts = as_points(points, "points")
        n = pts.shape[1]
        proj = kernel_projectors(pts.shape[0], n, kernel, normals)
        if maximality == "paper":
            rank = None
        elif maximality == "leading":
            d_kernel = int(np.rint(np.median(np.trace(proj, axis1=1, axis2=2))))
            rank = min(int(dim), d_kernel)
        elif maximality is None:
            rank = 0
        else:
            raise ValueError(f"maximality: expected 'paper', 'leading' or None, got {maximality!r}")
        return cls(homogeneous(pts, affine), proj, rank)

    @property
    def n_items(self) -> int:
        """Number of data points."""
        return self.points.shape[0]

    def __call__(self, params: np.ndarray, idx: np.ndarray) -> tuple[dict, np.ndarray]:
        """Loss terms (summed over the batch ``idx``) and the gradient of ``loss``."""
        l_sym, l_max, g_sym, g_max = projection_terms(
            params, self.points[idx], self.proj_kernel[idx], self.rank
        )
        return {"loss": l_sym + l_max, "sym": l_sym, "max": l_max}, g_sym + g_max

    def per_generator(self, params: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """RMS symmetry residual per point of each canonical generator, descending.

        The canonical generators are the principal axes of
        :func:`symmetry_residual_form` (for orthonormal ``params``); the values
        ``sqrt(eigenvalue / b)`` do not depend on the basis of the span.
        """
        form = symmetry_residual_form(params, self.points[idx], self.proj_kernel[idx])
        lam = np.linalg.eigvalsh(form)[::-1]
        return np.sqrt(np.maximum(lam, 0.0) / len(idx))


# The shared training loop.
def run_adam(
    loss_and_grad: Callable[[np.ndarray, np.ndarray], tuple[dict, np.ndarray]],
    params: np.ndarray,
    *,
    n_items: int,
    lr: float,
    n_steps: int,
    batch_size: int,
    batch_rng: np.random.Generator,
    normalize: bool,
    ref_flat: np.ndarray | None,
    tol_angle: float | None,
    progress: bool,
    desc: str,
) -> GradientFit:
    """Minimise a minibatch loss with :class:`Adam`; the loop both learners share.

    ``loss_and_grad(params, batch_indices)`` returns the loss terms (a dict of floats,
    ``"loss"`` among them) and the gradient of ``"loss"``. With ``normalize`` each
    generator is kept on the unit Frobenius sphere: the gradient is projected onto the
    sphere's tangent space before the Adam step, and the generator is renormalised after
    it (a retraction). This removes the trivial minimiser W = 0 and the pull of
    scale-dependent terms towards it, and leaves the direction -- all that a span
    depends on -- to the optimiser.
    """
    if tol_angle is not None and not (np.isfinite(tol_angle) and tol_angle >= 0):
        raise ValueError(f"tol_angle: expected a non-negative angle in radians, got {tol_angle}")
    square = params.shape[1] != params.shape[2]

    def unit(p):
        norms = np.linalg.norm(p.reshape(len(p), -1), axis=1)
        if np.any(norms == 0):
            raise ValueError("init: a zero generator cannot be normalised")
        return p / norms[:, None, None]

    def angle(p):
        if ref_flat is None:
            return float("nan")
        return largest_angle(as_square(p) if square else p, ref_flat)

    def distance(p):
        # Several generators: also the Grassmann distance of their span (pi/2 per missing
        # dimension when they collapse), the metric of the multi-generator benchmark.
        m = p.shape[2]
        return grassmann_distance(as_square(p), ref_flat.reshape(-1, m, m))

    track_distance = ref_flat is not None and params.shape[0] > 1

    if normalize:
        params = unit(params)
    opt = Adam(lr)
    history: dict[str, np.ndarray] = {}
    steps_to_tol = 0 if tol_angle is not None and angle(params) <= tol_angle else None
    batches = minibatches(n_items, batch_size, n_steps, batch_rng)
    start = time.perf_counter()
    for step, idx in enumerate(_progress(batches, enable=progress, desc=desc, total=n_steps)):
        terms, grad = loss_and_grad(params, idx)
        if normalize:
            radial = np.einsum("dij,dij->d", grad, params)
            grad = grad - radial[:, None, None] * params
        params = opt.step(params, grad)
        if normalize:
            params = unit(params)
        terms = {**terms, "angle": angle(params)}
        if track_distance:
            terms["distance"] = distance(params)
        terms["time"] = time.perf_counter() - start
        if not history:
            history = {key: np.full(n_steps, np.nan) for key in terms}
        for key, value in terms.items():
            history[key][step] = value
        if steps_to_tol is None and tol_angle is not None and terms["angle"] <= tol_angle:
            steps_to_tol = step + 1
    wall = time.perf_counter() - start
    if not history:
        history = {"loss": np.zeros(0), "angle": np.zeros(0), "time": np.zeros(0)}
    return GradientFit(as_square(params), history, steps_to_tol, wall, affine=square)


def prepare_run(points, dim, affine, lr, n_steps, batch_size, init, rng, reference):
    """Shared argument handling: returns (points, homogeneous points, params, rngs, ref)."""
    lr, n_steps, batch_size, dim = check_optimiser_args(
        lr=lr, n_steps=n_steps, batch_size=batch_size, dim=dim
    )
    pts = as_points(points, "points")
    n = pts.shape[1]
    # Independent streams: the same seed gives the same init and the same minibatches
    # to every learner, whatever else (e.g. group coefficients t) a learner draws.
    init_rng, batch_rng, aux_rng = as_rng(rng).spawn(3)
    params = initial_params(init, dim, n, affine, init_rng)
    ref_flat = reference_basis(reference, n + 1 if affine else n)
    settings = {"lr": lr, "n_steps": n_steps, "batch_size": batch_size}
    return pts, homogeneous(pts, affine), params, (batch_rng, aux_rng), ref_flat, settings


def fit_projection_loss(
    points,
    kernel=None,
    dim: int = 1,
    *,
    normals=None,
    affine: bool = False,
    lr: float = 4.5e-4,
    n_steps: int = 10_000,
    batch_size: int = 128,
    init="uniform",
    rng=None,
    reference=None,
    normalize: bool = True,
    progress: bool = False,
    tol_angle: float | None = None,
) -> GradientFit:
    r"""Fit ``dim`` generators by Adam on the paper's projection loss (differential discovery).

    On each minibatch of points p_b, with ``V_b = [W_1 p_b, ..., W_dim p_b]`` the generator
    vectors and ``P_X`` the orthogonal projector onto the span of X,

    .. math:: L = \sum_b \|(I - P_{K(p_b)}) V_b\| + \sum_b \|(I - P_{V_b}) K(p_b)\|,

    the symmetry term (generator vectors tangent to the level sets) plus the maximality
    term (the generator vectors span the kernel). Gradients are exact (see
    :func:`projection_terms`), vectorised over the batch.

    **W = 0 guard.** L_sym equals ``|W p| sin(angle)`` per point and pulls |W| down, and
    L_max blocks W = 0 only while the pseudo-inverse of ``V_b`` stays defined. With
    ``normalize=True`` (default) each generator is optimised on the unit Frobenius sphere
    (tangent-projected gradient, renormalised after every step), so W = 0 is unreachable.
    ``normalize=False`` follows the prototype exactly (unconstrained W).

    Parameters
    ----------
    points : array-like, shape=[N, n]
    kernel : array-like, shape=[N, d_k, n] or [N, n], optional
        A basis of ker df at each point (rows; orthonormality not required).
    dim : int, optional, default: 1
        Number of generators.
    normals : array-like, shape=[N, d_nu, n] or [N, n], optional
        Instead of ``kernel``: a basis of the normal space (e.g. the gradient of f).
    affine : bool, optional, default: False
        Learn affine generators ``[[W, b], [0, 0]]`` acting on ``(p, 1)``.
    lr : float, optional, default: 4.5e-4
        Adam step size (the prototype's).
    n_steps : int, optional, default: 10000
    batch_size : int, optional, default: 128
        Points per step, drawn without replacement, independently per step.
    init : {"uniform", "normal"} or array-like, optional, default: "uniform"
        U(0, 1) entries (the prototype's), N(0, 1) entries, or generators (dim, m, m).
    rng : None, int or numpy.random.Generator
        Seeds the initialisation and the minibatches (independent streams).
    reference : LieAlgebra or array-like, shape=[k, m, m], optional
        Ground truth for the per-step ``angle`` history.
    normalize : bool, optional, default: True
        See "W = 0 guard".
    progress : bool, optional, default: False
    tol_angle : float, optional
        Records ``steps_to_tol``, the first step with angle <= ``tol_angle`` (radians).

    Returns
    -------
    GradientFit
        ``history`` has ``loss``, ``sym``, ``max``, ``angle``, ``time``.

    Examples
    --------
    The symmetry of f(x) = |x|^2, whose normals are the points themselves:

    >>> from liesym.algebra import so
    >>> x = np.random.default_rng(0).normal(size=(500, 2))
    >>> fit = fit_projection_loss(x, normals=x, n_steps=3000, rng=0, reference=so(2), lr=0.01)
    >>> bool(fit.history["angle"][-1] < 1e-2)
    True
    """
    pts, pts_h, params, (batch_rng, _), ref_flat, settings = prepare_run(
        points, dim, affine, lr, n_steps, batch_size, init, rng, reference
    )
    loss = ProjectionLoss(pts_h, kernel_projectors(pts.shape[0], pts.shape[1], kernel, normals))
    return run_adam(
        loss,
        params,
        n_items=pts.shape[0],
        batch_rng=batch_rng,
        normalize=normalize,
        ref_flat=ref_flat,
        tol_angle=tol_angle,
        progress=progress,
        desc="projection loss",
        **settings,
    )
