"""The paper's projection loss with exact gradients, and the shared Adam training loop.

A generator stack is optimised as its top ``n`` rows, ``params`` of shape (dim, n, m):
``m = n`` for linear generators and ``m = n + 1`` for affine ones, whose homogeneous
form ``[[W, b], [0, 0]]`` has a zero last row by construction. A point ``p`` enters as
``p`` (linear) or ``(p, 1)`` (affine), and ``params @ p`` is the generator's vector field
at ``p`` in R^n.

Both gradient learners (this projection loss and the functional baseline in
:mod:`liesym.discovery.functional`) run through :func:`run_adam`, so they share the
optimiser, the minibatch sampler, the seed handling, the normalisation and the history.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from liesym._core import as_finite_array, as_points, as_rng
from liesym._core import progress as _progress
from liesym.algebra import LieAlgebra, span_basis
from liesym.algebra.affine import homogeneous as _homogeneous
from liesym.discovery._adam import Adam, check_optimiser_args, minibatches

__all__ = [
    "GradientFit",
    "fit_projection_loss",
    "kernel_projectors",
    "largest_angle",
    "projection_loss",
]


@dataclass(frozen=True)
class GradientFit:
    """Result of a gradient-based generator fit.

    Attributes
    ----------
    generators : ndarray, shape=[dim, m, m]
        The learned generators (affine: homogeneous, zero last row); unit Frobenius norm
        each when the fit was normalised.
    history : dict of str to ndarray, shape=[n_steps]
        Per step: the loss terms on that step's minibatch (evaluated before the update),
        ``angle`` (largest principal angle to the reference after the update; NaN without
        a reference) and ``time`` (seconds since the start, after the update).
    steps_to_tol : int or None
        Number of Adam steps after which the angle first was <= ``tol_angle`` (0 when the
        initial generators already were), or None.
    wall_time : float
        Seconds spent in the optimisation loop.
    affine : bool
    """

    generators: np.ndarray
    history: dict
    steps_to_tol: int | None
    wall_time: float
    affine: bool = False

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


def projection_terms(
    params: np.ndarray, points: np.ndarray, proj_kernel: np.ndarray
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

    Parameters
    ----------
    params : ndarray, shape=[dim, n, m]
    points : ndarray, shape=[b, m]
        Homogeneous for affine generators.
    proj_kernel : ndarray, shape=[b, n, n]

    Returns
    -------
    l_sym, l_max : float
    grad_sym, grad_max : ndarray, shape=[dim, n, m]
    """
    v = np.einsum("dij,bj->bid", params, points)
    resid = v - proj_kernel @ v
    s = np.linalg.norm(resid, axis=(1, 2))
    g_sym = resid * _safe_inverse(s)[:, None, None]
    v_pinv = _pinv_columns(v)
    mm = proj_kernel - v @ (v_pinv @ proj_kernel)
    m = np.linalg.norm(mm, axis=(1, 2))
    g_max = -(mm @ np.swapaxes(v_pinv, 1, 2)) * _safe_inverse(m)[:, None, None]
    grad_sym = np.einsum("bid,bj->dij", g_sym, points)
    grad_max = np.einsum("bid,bj->dij", g_max, points)
    return float(s.sum()), float(m.sum()), grad_sym, grad_max


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
        terms = {**terms, "angle": angle(params), "time": time.perf_counter() - start}
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
    proj = kernel_projectors(pts.shape[0], pts.shape[1], kernel, normals)

    def loss_and_grad(w, idx):
        l_sym, l_max, g_sym, g_max = projection_terms(w, pts_h[idx], proj[idx])
        return {"loss": l_sym + l_max, "sym": l_sym, "max": l_max}, g_sym + g_max

    return run_adam(
        loss_and_grad,
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
