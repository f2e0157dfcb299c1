r"""k generators as one point of a Grassmann manifold: Riemannian Adam for symmetry discovery.

A symmetry algebra is a k-dimensional *subspace* of gl(n), not a list of k matrices. The
gradient learners of :mod:`liesym.discovery` optimise k free generators (the paper's
protocol); in R^3 and beyond they end with generators that shrink or become nearly
parallel, far from so(3). The learners here optimise the span itself, as a point of the
Grassmann manifold Gr(k, D) of k-dimensional subspaces of D = n^2 (affine: n(n+1))
dimensional space, represented by an orthonormal frame Q (D x k, ``Q^T Q = I``):

* the generators ``W_i = reshape(Q[:, i])`` are orthonormal in the Frobenius inner product,
  so they can neither vanish nor collapse onto one another;
* the losses (:class:`~liesym.discovery._gradient.ProjectionLoss`,
  ``FunctionalLoss`` (``liesym.discovery.functional``) with the ``"isotropic"`` law) depend
  only on the span: for frames Q and QR, R in O(k), the loss is the same and the
  gradient is ``G R``; any full-rank starting frame F and F G (G in GL(k)) give the same
  orthonormalised span;
* the Riemannian gradient is the horizontal part ``(I - Q Q^T) G`` of the Euclidean one;
  a step follows the geodesic (the Riemannian exponential) and Adam's first moment is
  parallel-transported along it, both computed by geomstats (``Grassmannian`` in its
  projector representation ``P = Q Q^T``);
* Adam's second moment is one scalar, the running mean of the squared gradient norm
  (Becigneul and Ganea, "Riemannian adaptive optimization methods", ICLR 2019), so a
  step has length about ``lr`` radians whatever n and k: the step size, the stopping
  rule and the tolerance are all in radians of Grassmann distance.

Stopping rule: every ``check_every`` steps the Grassmann distance between the current
span and the span ``check_every`` steps before is measured; the run stops when it is
below ``tol_move`` (default ``0.05 * lr * check_every``, 5 % of the distance a window of
full-speed steps covers). At the end a :class:`~liesym.discovery._gradient.StallReport`
says whether the run stopped at a poor point (the loss did not fall below
``stall_ratio`` times its initial value), with the per-generator losses; a stall is also
raised as a :class:`~liesym.discovery.DiscoveryWarning`.

geomstats is imported on the first step, never when :mod:`liesym.manifolds` is imported.
"""

import time
import warnings
from collections.abc import Callable

import numpy as np

from liesym._core import as_finite_array, as_points, as_rng
from liesym._core import progress as _progress
from liesym.algebra import LieAlgebra
from liesym.discovery import DiscoveryWarning
from liesym.discovery._adam import check_optimiser_args, minibatches
from liesym.discovery._gradient import (
    GradientFit,
    ProjectionLoss,
    StallReport,
    as_square,
    initial_params,
    reference_basis,
)
from liesym.discovery.functional import FunctionalLoss
from liesym.discovery.kernel import kernel_frames
from liesym.manifolds._geomstats import grassmann_exp_transport

__all__ = [
    "GrassmannAdam",
    "GrassmannDifferentialDiscovery",
    "GrassmannFunctionalDiscovery",
    "fit_subspace",
    "horizontal_gradient",
    "orthonormal_frame",
    "subspace_distance",
]


# Frames.
def orthonormal_frame(generators) -> np.ndarray:
    """The orthonormal frame (D, k) of the span of k generators: the polar factor.

    The polar factor ``F (F^T F)^{-1/2}`` of the flattened stack F (D x k) is the
    orthonormal frame closest to F; frames F and F G (G in GL(k)) give frames that differ
    by an orthogonal k x k factor, i.e. the same point of the Grassmannian.

    Parameters
    ----------
    generators : array-like, shape=[k, n, m]

    Returns
    -------
    ndarray, shape=[n m, k]

    Examples
    --------
    >>> q = orthonormal_frame(np.array([[[1.0, 0.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]]]))
    >>> np.round(q.T @ q, 12) + 0.0
    array([[1., 0.],
           [0., 1.]])
    """
    gens = as_finite_array(generators, "generators", ndim=3)
    flat = gens.reshape(gens.shape[0], -1).T
    u, s, vt = np.linalg.svd(flat, full_matrices=False)
    if s.size == 0 or s[-1] <= 1e-12 * s[0]:
        raise ValueError(
            f"generators: expected {gens.shape[0]} linearly independent generators, "
            f"got singular values {s}"
        )
    return u @ vt


def horizontal_gradient(frame: np.ndarray, egrad: np.ndarray) -> np.ndarray:
    """Riemannian gradient on the Grassmannian at ``frame``: ``(I - Q Q^T) G``.

    For a loss invariant under ``Q -> Q R`` (R in O(k)), ``Q^T G`` is symmetric, so this
    is also the Stiefel gradient: the Grassmann and Stiefel learners coincide.

    Parameters
    ----------
    frame : ndarray, shape=[D, k]
        Orthonormal.
    egrad : ndarray, shape=[D, k]
        Euclidean gradient.

    Returns
    -------
    ndarray, shape=[D, k]

    Examples
    --------
    The result is orthogonal to the span (a tangent vector of the Grassmannian):

    >>> rng = np.random.default_rng(0)
    >>> q = np.linalg.qr(rng.normal(size=(4, 2)))[0]
    >>> h = horizontal_gradient(q, rng.normal(size=(4, 2)))
    >>> bool(np.allclose(q.T @ h, 0.0))
    True
    """
    return egrad - frame @ (frame.T @ egrad)


def subspace_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Grassmann distance ``sqrt(sum theta_i^2)`` between the spans of two orthonormal frames.

    Principal angles from both their cosines and their sines (accurate near 0 and near
    pi/2); frames of different sizes count pi/2 per missing dimension, as
    :func:`liesym.algebra.grassmann_distance` does.

    Parameters
    ----------
    a, b : ndarray, shape=[D, k_a], [D, k_b]

    Returns
    -------
    float

    Examples
    --------
    >>> e = np.eye(3)
    >>> round(subspace_distance(e[:, :1], np.array([[1.0], [1.0], [0.0]]) / np.sqrt(2)), 6)
    0.785398
    """
    if a.shape[1] > b.shape[1]:
        a, b = b, a
    overlap = b.T @ a
    cos = np.linalg.svd(overlap, compute_uv=False)
    sin = np.linalg.svd(a - b @ overlap, compute_uv=False)[::-1]
    theta = np.arctan2(sin, np.minimum(cos, 1.0))
    extra = (b.shape[1] - a.shape[1]) * (np.pi / 2) ** 2
    return float(np.sqrt(np.sum(theta**2) + extra))


def _to_projector(frame: np.ndarray, tangent: np.ndarray) -> np.ndarray:
    # Horizontal lift xi at Q <-> tangent vector xi Q^T + Q xi^T at P = Q Q^T.
    return tangent @ frame.T + frame @ tangent.T


class GrassmannAdam:
    """Adam on the Grassmannian: geodesic steps, transported first moment, scalar second moment.

    Parameters
    ----------
    lr : float, optional, default: 0.01
        Step size in radians (a step is about ``lr`` long in Grassmann distance).
    betas : tuple of float, optional, default: (0.9, 0.999)
    eps : float, optional, default: 1e-12
        Added to the square root of the second moment.

    Attributes
    ----------
    moment : ndarray, shape=[D, k] or None
        First moment, a tangent vector at the current frame (horizontal lift).
    second : float
        Running mean of the squared Riemannian gradient norm.
    steps : int
    last_move : float
        Length (radians) of the last step: the Grassmann distance it covered.

    Examples
    --------
    Rotate a line of R^3 towards the z axis by minimising ``-|<q, e_z>|^2``:

    >>> opt = GrassmannAdam(lr=0.05)
    >>> q = np.array([[1.0], [0.0], [0.1]]) / np.sqrt(1.01)
    >>> for _ in range(200):
    ...     q = opt.step(q, -2 * np.outer([0.0, 0.0, 1.0], q[2]))
    >>> bool(abs(q[2, 0]) > 0.999)
    True
    """

    def __init__(self, lr: float = 0.01, betas: tuple[float, float] = (0.9, 0.999), eps=1e-12):
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"lr: expected a positive finite step size, got {lr}")
        b1, b2 = betas
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise ValueError(f"betas: expected two numbers in [0, 1), got {betas}")
        self.lr, self.betas, self.eps = float(lr), (float(b1), float(b2)), float(eps)
        self.moment: np.ndarray | None = None
        self.second = 0.0
        self.steps = 0
        self.last_move = 0.0

    def step(self, frame: np.ndarray, egrad: np.ndarray) -> np.ndarray:
        """One update from the Euclidean gradient; returns the new orthonormal frame."""
        b1, b2 = self.betas
        grad = horizontal_gradient(frame, egrad)
        if self.moment is None:
            self.moment = np.zeros_like(frame)
        self.steps += 1
        self.moment = b1 * self.moment + (1 - b1) * grad
        self.second = b2 * self.second + (1 - b2) * float(np.sum(grad * grad))
        m_hat = self.moment / (1 - b1**self.steps)
        v_hat = self.second / (1 - b2**self.steps)
        tangent = -self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        self.last_move = float(np.linalg.norm(tangent))
        if self.last_move == 0.0:
            return frame
        end, moved = grassmann_exp_transport(
            frame @ frame.T, _to_projector(frame, tangent), _to_projector(frame, self.moment)
        )
        # The frame of the new span closest to the old one (polar factor of P' Q): keeps the
        # basis continuous along the run; any orthonormal frame of the span would do.
        u, _, vt = np.linalg.svd(end @ frame, full_matrices=False)
        new = u @ vt
        self.moment = horizontal_gradient(new, moved @ new)
        return new


def _reference_frame(reference, n: int, m: int) -> np.ndarray | None:
    """Orthonormal frame (n m, k_ref) of a reference algebra's top n rows, or None."""
    flat = reference_basis(reference, m)
    if flat is None:
        return None
    return orthonormal_frame(flat.reshape(-1, m, m)[:, :n])


def fit_subspace(
    loss: Callable,
    frame: np.ndarray,
    *,
    shape: tuple[int, int],
    n_items: int,
    lr: float = 0.01,
    n_steps: int = 5000,
    batch_size: int = 128,
    batch_rng=None,
    reference=None,
    tol: float | None = None,
    check_every: int = 100,
    tol_move: float | None = None,
    stall_ratio: float = 0.5,
    progress: bool = False,
    desc: str = "Grassmann Adam",
) -> GradientFit:
    """Minimise a minibatch loss of k generators over their span with :class:`GrassmannAdam`.

    Parameters
    ----------
    loss : callable
        ``loss(params (k, n, m), batch_indices) -> (terms, egrad)`` with ``terms`` a dict
        of floats (``"loss"`` among them) and ``egrad`` the Euclidean gradient (k, n, m);
        optionally ``loss.per_generator(params, idx) -> (k,)``. Must depend only on the
        span for orthonormal ``params`` (the learners' losses do).
    frame : ndarray, shape=[n m, k]
        Orthonormal starting frame (:func:`orthonormal_frame`).
    shape : tuple of int
        ``(n, m)``: generators are ``frame[:, i].reshape(n, m)``.
    n_items : int
        Number of data points (minibatches are drawn from range(n_items)).
    lr, n_steps, batch_size : optional
    batch_rng : None, int or numpy.random.Generator
    reference : LieAlgebra or array-like, shape=[k_ref, m, m], optional
        Ground truth, only recorded (``distance`` history, ``steps_to_tol``).
    tol : float, optional
        Grassmann distance (radians) to the reference that counts as reached.
    check_every : int, optional, default: 100
        Window of the stopping rule and of the per-generator diagnostics.
    tol_move : float, optional
        Stop when the span moved less than this (radians) over a window; default
        ``0.05 * lr * check_every``; 0 never stops early.
    stall_ratio : float, optional, default: 0.5
        Stall diagnosis: stopping with a loss above this fraction of the initial loss.
    progress : bool, optional, default: False
    desc : str, optional

    Returns
    -------
    GradientFit
        Orthonormal generators; history with ``loss`` (and the loss's other terms),
        ``distance``, ``angle`` (largest principal angle), ``move``, ``time`` per step and
        ``check_step``, ``window_move``, ``per_generator`` per window; ``stopped`` and
        ``stall``.

    Examples
    --------
    A toy loss on 2 x 2 matrices, zero on the span of E_11 and E_12 (the squared distance
    of the frame to that plane; ``idx`` unused):

    >>> target = np.eye(4)[:, :2]
    >>> def loss(params, idx):
    ...     q = params.reshape(len(params), -1).T
    ...     r = q - target @ (target.T @ q)
    ...     return {"loss": float(np.sum(r**2))}, 2 * r.T.reshape(params.shape)
    >>> start = orthonormal_frame(np.random.default_rng(0).normal(size=(2, 2, 2)))
    >>> fit = fit_subspace(loss, start, shape=(2, 2), n_items=1, lr=0.05,
    ...                    reference=target.T.reshape(2, 2, 2), tol=0.01)
    >>> fit.stopped, fit.steps_to_tol < 200, bool(fit.history["distance"][-1] < 1e-3)
    ('converged', True, True)
    """
    n, m = shape
    k = frame.shape[1]
    if frame.shape[0] != n * m:
        raise ValueError(f"frame: expected {n * m} rows for generators of shape ({n}, {m})")
    if not np.allclose(frame.T @ frame, np.eye(k), atol=1e-8):
        raise ValueError("frame: expected orthonormal columns (see orthonormal_frame)")
    if k >= n * m:
        raise ValueError(f"dim: expected fewer than {n * m} generators (the whole space)")
    lr, n_steps, batch_size, _ = check_optimiser_args(
        lr=lr, n_steps=n_steps, batch_size=batch_size, dim=k
    )
    check_every = int(check_every)
    if check_every < 1:
        raise ValueError(f"check_every: expected a positive integer, got {check_every}")
    tol_move = 0.05 * lr * check_every if tol_move is None else float(tol_move)
    if not (np.isfinite(tol_move) and tol_move >= 0):
        raise ValueError(f"tol_move: expected a non-negative distance, got {tol_move}")
    if tol is not None and not (np.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol: expected a non-negative distance in radians, got {tol}")
    ref = _reference_frame(reference, n, m)

    def generators(q):
        return q.T.reshape(k, n, m)

    def to_reference(q):
        if ref is None:
            return float("nan"), float("nan")
        dist = subspace_distance(q, ref)
        small, big = (q, ref) if k <= ref.shape[1] else (ref, q)
        overlap = np.linalg.svd(big.T @ small, compute_uv=False)
        return dist, float(np.arccos(np.clip(overlap.min(), -1.0, 1.0)))

    per_generator = getattr(loss, "per_generator", None)
    opt = GrassmannAdam(lr)
    history: dict[str, np.ndarray] = {}
    checks: dict[str, list] = {"check_step": [], "window_move": [], "per_generator": []}
    d0 = to_reference(frame)[0]
    steps_to_tol = 0 if tol is not None and d0 <= tol else None
    last_check, stopped, taken = frame, "budget", 0
    batches = minibatches(n_items, batch_size, n_steps, as_rng(batch_rng))
    start = time.perf_counter()
    for step, idx in enumerate(_progress(batches, enable=progress, desc=desc, total=n_steps)):
        params = generators(frame)
        terms, egrad = loss(params, idx)
        frame = opt.step(frame, egrad.reshape(k, -1).T)
        dist, angle = to_reference(frame)
        terms = {
            **terms,
            "distance": dist,
            "angle": angle,
            "move": opt.last_move,
            "time": time.perf_counter() - start,
        }
        if not history:
            history = {key: np.full(n_steps, np.nan) for key in terms}
        for key, value in terms.items():
            history[key][step] = value
        taken = step + 1
        if steps_to_tol is None and tol is not None and dist <= tol:
            steps_to_tol = taken
        if taken % check_every == 0:
            window = subspace_distance(frame, last_check)
            last_check = frame
            checks["check_step"].append(taken)
            checks["window_move"].append(window)
            if per_generator is not None:
                checks["per_generator"].append(per_generator(generators(frame), idx))
            if tol_move > 0 and window <= tol_move:
                stopped = "converged"
                break
    wall = time.perf_counter() - start
    history = {key: value[:taken] for key, value in history.items()}
    if not history:
        history = {"loss": np.zeros(0), "distance": np.zeros(0), "time": np.zeros(0)}
    history["check_step"] = np.asarray(checks["check_step"], dtype=int)
    history["window_move"] = np.asarray(checks["window_move"], dtype=float)
    history["per_generator"] = np.asarray(checks["per_generator"], dtype=float).reshape(-1, k)
    stall = _stall_report(history, stopped, check_every, stall_ratio, n_items <= batch_size)
    if stall.stalled:
        warnings.warn(stall.message, DiscoveryWarning, stacklevel=3)
    return GradientFit(
        as_square(generators(frame)),
        history,
        steps_to_tol,
        wall,
        affine=m != n,
        stopped=stopped,
        stall=stall,
    )


def _stall_report(
    history: dict, stopped: str, window: int, ratio_limit: float, full_batch: bool
) -> StallReport:
    """Diagnose the end of a run from its history (see :class:`StallReport`)."""
    loss = history["loss"]
    taken = loss.size
    if taken:
        first = float(np.mean(loss[: min(window, taken)]))
        last = float(np.mean(loss[-min(window, taken) :]))
        ratio = last / first if first > 0 else (0.0 if last == 0 else np.inf)
    else:
        ratio = float("nan")
    move = float(history["window_move"][-1]) if history["window_move"].size else float("nan")
    per_gen = history["per_generator"][-1] if history["per_generator"].size else np.zeros(0)
    stalled = stopped == "converged" and bool(ratio > ratio_limit)
    if stalled:
        message = (
            f"the optimiser stalled at step {taken}: the span moved {move:.1e} rad over the "
            f"last {window} steps while the loss is still {ratio:.2g} of its initial value "
            f"(per-generator losses {np.array2string(per_gen, precision=3)})"
        )
        if full_batch:
            message += (
                "; every step used the whole data set (N <= batch size), so the steps are "
                "deterministic and cannot leave a spurious minimum: use a smaller batch_size"
            )
        else:
            message += "; try another initialisation (rng) or more data"
    elif stopped == "converged":
        message = f"converged at step {taken} (moved {move:.1e} rad over {window} steps)"
    else:
        message = f"step budget used up ({taken} steps); last window moved {move:.1e} rad"
    return StallReport(
        stalled, taken, move, ratio, float(ratio_limit), per_gen, full_batch, message
    )


# Estimators.
class _GrassmannLearner:
    """Shared settings, initialisation and result attributes of the Grassmann learners."""

    _desc = "Grassmann"

    def __init__(
        self,
        dim: int,
        *,
        lr: float = 0.01,
        n_steps: int = 5000,
        batch_size: int = 128,
        init="normal",
        rng=None,
        reference=None,
        tol: float | None = None,
        check_every: int = 100,
        tol_move: float | None = None,
        stall_ratio: float = 0.5,
        affine: bool = False,
        progress: bool = False,
    ) -> None:
        self.dim = dim
        self.lr = lr
        self.n_steps = n_steps
        self.batch_size = batch_size
        self.init = init
        self.rng = rng
        self.reference = reference
        self.tol = tol
        self.check_every = check_every
        self.tol_move = tol_move
        self.stall_ratio = stall_ratio
        self.affine = affine
        self.progress = progress

    def _streams(self, n: int):
        """Initial frame, batch rng and auxiliary rng from ``rng``.

        The streams and initial generators of
        :func:`~liesym.discovery._gradient.fit_projection_loss`, so that one seed starts
        every learner from the same span.
        """
        check_optimiser_args(
            lr=self.lr, n_steps=self.n_steps, batch_size=self.batch_size, dim=self.dim
        )
        init_rng, batch_rng, aux_rng = as_rng(self.rng).spawn(3)
        params = initial_params(self.init, int(self.dim), n, self.affine, init_rng)
        return orthonormal_frame(params), batch_rng, aux_rng

    def _run(self, loss, n: int, frame, batch_rng) -> "_GrassmannLearner":
        m = n + 1 if self.affine else n
        fit = fit_subspace(
            loss,
            frame,
            shape=(n, m),
            n_items=loss.n_items,
            lr=self.lr,
            n_steps=self.n_steps,
            batch_size=self.batch_size,
            batch_rng=batch_rng,
            reference=self.reference,
            tol=self.tol,
            check_every=self.check_every,
            tol_move=self.tol_move,
            stall_ratio=self.stall_ratio,
            progress=self.progress,
            desc=self._desc,
        )
        self.fit_ = fit
        self.generators_ = fit.generators
        self.algebra_ = LieAlgebra(fit.generators, affine=self.affine)
        self.dim_ = self.algebra_.dim
        self.history_ = fit.history
        self.steps_to_tol_ = fit.steps_to_tol
        self.n_iter_ = len(fit.history["loss"])
        self.wall_time_ = fit.wall_time
        self.stopped_ = fit.stopped
        self.stall_ = fit.stall
        return self


class GrassmannDifferentialDiscovery(_GrassmannLearner):
    """Differential discovery of a dim-dimensional algebra on the Grassmannian: projection loss.

    Minimises the paper's projection loss over dim-dimensional subspaces of gl(n), by
    :func:`fit_subspace`: the symmetry term ``sum_b |(I - P_K) V_b|`` (generator vectors
    tangent to the level sets) and, optionally, the maximality term (they span the
    kernel).

    **Maximality.** In the paper the maximality term keeps W away from 0 (the symmetry
    term shrinks W). On the Grassmannian the generators are orthonormal, so neither zero
    nor collapsed generators exist, and with dim = dim g the zero set of the symmetry
    term is the span g itself (the null space the closed form computes); its squared form
    is a trace over the span, whose only local minimum on the Grassmannian is the global
    one. So the default (``maximality=None``) is the symmetry term alone. The paper's
    maximality term (``"paper"``, the projector onto all dim generator vectors) is
    identically 0 once dim >= n (so(3) in R^3: three generic vectors span R^3 at every
    point), and its gradient is round-off divided by ``sigma_min(V)``: the span does not
    move towards so(3). ``"leading"`` states the same condition through the
    ``min(dim, d_K)`` leading directions of the generator vectors (d_K the kernel
    dimension; see ``projection_terms`` in ``liesym.discovery._gradient``), with gradients
    bounded by a spectral gap. In ``benchmarks/bench_diff_vs_func.py`` it reaches the
    tolerance too, 10-25 % more slowly than the symmetry term alone, and occasionally
    holds one direction of the span at pi/2 from the truth (a spurious minimum the
    symmetry term alone leaves in a few hundred steps); it also presumes that the
    algebra's orbits fill the level sets, which fails for e.g. so(3)+so(2) and the
    scalar ``|a|^2 + 2|b|^2`` on R^3 x R^2 (3-dimensional orbits, 4-dimensional level
    sets).

    Parameters
    ----------
    dim : int
        Dimension of the algebra.
    maximality : {None, "leading", "paper"}, optional, default: None
    k_neighbors, rank : int, optional
        Kernel-frame estimate from values (:func:`~liesym.discovery.kernel_frames`);
        only reliable frames are used.
    lr : float, optional, default: 0.01
        Step size in radians of Grassmann distance (:class:`GrassmannAdam`).
    n_steps : int, optional, default: 5000
        Step budget (the stopping rule usually ends the run earlier).
    batch_size : int, optional, default: 128
    init : {"normal", "uniform"} or array-like, optional, default: "normal"
        N(0, 1) entries (a uniformly distributed span), the prototype's U(0, 1) entries,
        or generators (dim, m, m); orthonormalised (:func:`orthonormal_frame`).
    rng : None, int or numpy.random.Generator
        Seeds the initialisation, the minibatches and (functional) the group coordinates,
        in the streams of the discovery learners: one seed, one starting span.
    reference : LieAlgebra or array-like, optional
        Ground truth, recorded only (``history_["distance"]``, ``steps_to_tol_``).
    tol : float, optional
        Grassmann distance to ``reference`` recorded as reached (``steps_to_tol_``).
    check_every, tol_move, stall_ratio : optional
        Stopping rule and stall diagnosis (:func:`fit_subspace`).
    affine : bool, optional, default: False
        Affine generators ``[[W, b], [0, 0]]`` acting on ``(x, 1)``.
    progress : bool, optional, default: False

    Attributes
    ----------
    algebra_ : LieAlgebra
    generators_ : ndarray, shape=[dim, m, m]
        An orthonormal basis of the span.
    dim_ : int
    history_ : dict of str to ndarray
        See :func:`fit_subspace`.
    steps_to_tol_ : int or None
    n_iter_ : int
        Steps taken.
    wall_time_ : float
    stopped_ : {"converged", "budget"}
    stall_ : StallReport
    fit_ : GradientFit
    frames_ : KernelFrames or None
        The estimated frames (None when kernel or normals were given).

    Examples
    --------
    so(3) from f = ``|x|^2`` in R^3, with exact normals (the points themselves):

    >>> from liesym.algebra import grassmann_distance, so
    >>> x = np.random.default_rng(0).normal(size=(2000, 3))
    >>> est = GrassmannDifferentialDiscovery(3, rng=0).fit(x, normals=x)
    >>> bool(grassmann_distance(est.algebra_, so(3)) < 0.05), est.stopped_
    (True, 'converged')
    """

    _desc = "Grassmann projection loss"

    def __init__(
        self,
        dim: int,
        *,
        maximality: str | None = None,
        k_neighbors: int | None = None,
        rank: int | None = None,
        **kwargs,
    ) -> None:
        super().__init__(dim, **kwargs)
        self.maximality = maximality
        self.k_neighbors = k_neighbors
        self.rank = rank

    def fit(self, X, y=None, *, normals=None, kernel=None) -> "GrassmannDifferentialDiscovery":
        """Fit the span to points and values, or to given normals or kernel frames.

        Parameters
        ----------
        X : array-like, shape=[N, n]
        y : array-like, shape=[N] or [N, q], optional
            Values at X: the kernel frames are estimated from them.
        normals, kernel : array-like, shape=[N, d, n] or [N, n], optional
            Instead of y: a basis of the normal space, or of the kernel, at each point.

        Returns
        -------
        self
        """
        X = as_points(X, "X", min_points=2)
        n = X.shape[1]
        frame, batch_rng, _ = self._streams(n)
        self.frames_ = None
        if normals is None and kernel is None:
            if y is None:
                raise ValueError("y: values are required unless normals or kernel are given")
            frames = kernel_frames(X, y, self.k_neighbors, self.rank, progress=self.progress)
            self.frames_ = frames
            frames = frames.subset(frames.reliable)
            X, kernel = frames.points, frames.kernel
        loss = ProjectionLoss.from_frames(
            X,
            kernel,
            normals=normals,
            dim=int(self.dim),
            affine=self.affine,
            maximality=self.maximality,
        )
        return self._run(loss, n, frame, batch_rng)


class GrassmannFunctionalDiscovery(_GrassmannLearner):
    """Functional discovery of a dim-dimensional algebra on the Grassmannian.

    Minimises the functional invariance loss ``|f(exp(A) x) - f(x)|`` over
    dim-dimensional subspaces of gl(n) by :func:`fit_subspace`, with ``A = t W`` drawn per
    point as ``r`` times a random unit element of the current span (``r ~ U(t_range)``,
    the ``"isotropic"`` law of ``FunctionalLoss`` (``liesym.discovery.functional``), which
    depends on the span only). Gradients are exact through the matrix exponential
    (batched Frechet derivatives) at the drawn A, and need grad f at the transformed
    points (``grad``, else ``f.gradient``, else finite differences).

    Parameters
    ----------
    dim : int
        Dimension of the algebra.
    t_range : tuple of float, optional, default: (-1.0, 1.0)
        Range of r = ``|A|_F``. The learners of :mod:`liesym.discovery` default to
        (-pi, pi) for one compact generator; with non-compact algebras (boosts of
        so(1,3)) such long flows move points exponentially far, and their residuals
        swamp the loss: in R^4 the span then stays ~2.6 rad from so(1,3), while
        (-1, 1) reaches it in about a thousand steps.
    loss : {"l2", "mse"}, optional, default: "l2"
    lr : float, optional, default: 0.01
        Step size in radians of Grassmann distance (:class:`GrassmannAdam`).
    n_steps : int, optional, default: 5000
        Step budget (the stopping rule usually ends the run earlier).
    batch_size : int, optional, default: 128
    init : {"normal", "uniform"} or array-like, optional, default: "normal"
        N(0, 1) entries (a uniformly distributed span), the prototype's U(0, 1) entries,
        or generators (dim, m, m); orthonormalised (:func:`orthonormal_frame`).
    rng : None, int or numpy.random.Generator
        Seeds the initialisation, the minibatches and (functional) the group coordinates,
        in the streams of the discovery learners: one seed, one starting span.
    reference : LieAlgebra or array-like, optional
        Ground truth, recorded only (``history_["distance"]``, ``steps_to_tol_``).
    tol : float, optional
        Grassmann distance to ``reference`` recorded as reached (``steps_to_tol_``).
    check_every, tol_move, stall_ratio : optional
        Stopping rule and stall diagnosis (:func:`fit_subspace`).
    affine : bool, optional, default: False
        Affine generators ``[[W, b], [0, 0]]`` acting on ``(x, 1)``.
    progress : bool, optional, default: False

    Attributes
    ----------
    algebra_ : LieAlgebra
    generators_ : ndarray, shape=[dim, m, m]
        An orthonormal basis of the span.
    dim_ : int
    history_ : dict of str to ndarray
        See :func:`fit_subspace`.
    steps_to_tol_ : int or None
    n_iter_ : int
        Steps taken.
    wall_time_ : float
    stopped_ : {"converged", "budget"}
    stall_ : StallReport
    fit_ : GradientFit

    Examples
    --------
    >>> from liesym.algebra import grassmann_distance, so
    >>> x = np.random.default_rng(0).normal(size=(2000, 3))
    >>> est = GrassmannFunctionalDiscovery(3, rng=0).fit(
    ...     x, lambda p: (p**2).sum(-1), grad=lambda p: 2 * p)
    >>> bool(grassmann_distance(est.algebra_, so(3)) < 0.05)
    True
    """

    _desc = "Grassmann functional loss"

    def __init__(
        self,
        dim: int,
        *,
        t_range: tuple[float, float] = (-1.0, 1.0),
        loss: str = "l2",
        **kwargs,
    ) -> None:
        super().__init__(dim, **kwargs)
        self.t_range = t_range
        self.loss = loss

    def fit(self, X, f: Callable, grad=None) -> "GrassmannFunctionalDiscovery":
        """Fit the span to the points ``X`` (N, n) and the function ``f``.

        Parameters
        ----------
        X : array-like, shape=[N, n]
        f : callable
            ``f(points (b, n)) -> (b,)`` or ``(b, q)``: the true function or a surrogate.
        grad : callable or "fd", optional
            Gradient (Jacobian for vector-valued f); default ``f.gradient`` if present,
            else finite differences.

        Returns
        -------
        self
        """
        X = as_points(X, "X", min_points=2)
        frame, batch_rng, t_rng = self._streams(X.shape[1])
        loss = FunctionalLoss.from_function(
            X,
            f,
            grad=grad,
            affine=self.affine,
            t_range=self.t_range,
            law="isotropic",
            loss=self.loss,
            rng=t_rng,
        )
        return self._run(loss, X.shape[1], frame, batch_rng)
