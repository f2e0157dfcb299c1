"""Functional symmetry discovery: the baseline that fits f(exp(tW) x) = f(x) by Adam.

The functional approach asks for invariance under finite transformations, so it needs f
*off* the data (at the transformed points exp(tW) x), a matrix exponential and a
non-convex fit whose trivial minimiser is W = 0. It is the baseline that the
differential methods of :mod:`liesym.discovery.differential` are measured against; it
shares their optimiser, sampler, seeds and history (:func:`~liesym.discovery._gradient.run_adam`).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from liesym._core import as_finite_array, as_points, as_rng
from liesym.algebra import LieAlgebra, expm_batch, expm_frechet_batch
from liesym.discovery._gradient import (
    GradientFit,
    as_square,
    homogeneous,
    prepare_run,
    run_adam,
)

__all__ = [
    "FunctionalDiscovery",
    "FunctionalLoss",
    "fit_functional_loss",
]


# Values and gradients of f.
def _check_values(y, b: int, what: str) -> np.ndarray:
    y = as_finite_array(y, what)
    if y.size != b:
        raise ValueError(f"{what}: expected {b} values (one per point), got shape {y.shape}")
    return y.reshape(b)


def _check_outputs(y, b: int, q: int | None, what: str) -> np.ndarray:
    """Values (b,) of a scalar f (``q`` None) or (b, q) of a vector-valued one."""
    if q is None:
        return _check_values(y, b, what)
    y = as_finite_array(y, what)
    if y.shape != (b, q):
        raise ValueError(f"{what}: expected shape ({b}, {q}) (one row per point), got {y.shape}")
    return y


def finite_difference_gradient(f: Callable, x: np.ndarray) -> np.ndarray:
    """Central finite-difference gradient (Jacobian) of a function, batched over points.

    Costs 2n evaluations of ``f`` per point (made in one call on a (2n b, n) array);
    step ``h = eps^(1/3) max(1, |x_j|)``, the error-balancing step of central
    differences, so the gradient is accurate to about 1e-10 relative for smooth f.

    Parameters
    ----------
    f : callable
        ``f(X (m, n)) -> (m,)``, or ``(m, q)`` for a vector-valued f.
    x : ndarray, shape=[b, n]

    Returns
    -------
    ndarray, shape=[b, n] (scalar f) or [b, q, n] (vector-valued f)

    Examples
    --------
    >>> g = finite_difference_gradient(lambda x: (x**2).sum(axis=1), np.array([[1.0, 2.0]]))
    >>> np.round(g, 6)
    array([[2., 4.]])
    """
    b, n = x.shape
    h = np.finfo(float).eps ** (1 / 3) * np.maximum(1.0, np.abs(x))
    shift = np.einsum("bj,jk->jbk", h, np.eye(n))  # (n, b, n): h_j e_j at each point
    probes = np.concatenate([x + shift, x - shift]).reshape(-1, n)
    out = np.asarray(f(probes))
    if out.ndim == 2:  # vector-valued: (2 n b, q) -> Jacobian (b, q, n)
        y = _check_outputs(out, 2 * n * b, out.shape[1], "f").reshape(2, n, b, -1)
        return np.moveaxis((y[0] - y[1]) / (2 * h.T[..., None]), 0, -1)
    y = _check_values(out, 2 * n * b, "f").reshape(2, n, b)
    return ((y[0] - y[1]) / (2 * h.T)).T


def _gradient_function(f, grad) -> Callable:
    if grad is None:
        grad = getattr(f, "gradient", None)
    if grad is None or (isinstance(grad, str) and grad == "fd"):
        return lambda x: finite_difference_gradient(f, x)
    if not callable(grad):
        raise ValueError(f"grad: expected a callable, 'fd' or None, got {type(grad).__name__}")
    return grad


def functional_terms(
    params: np.ndarray,
    points: np.ndarray,
    values: np.ndarray,
    t: np.ndarray,
    f: Callable,
    grad: Callable,
    *,
    loss: str = "l2",
) -> tuple[float, np.ndarray]:
    """The functional invariance loss on a batch and its exact gradient.

    With ``A_b = sum_i t_bi W_i`` and ``x'_b = exp(A_b) p_b``, residuals
    ``r_b = f(x'_b) - f(p_b)`` give the loss ``mean_b r_b^2`` (``"mse"``) or the
    prototype's ``|r|_2`` (``"l2"``). The gradient is
    ``dL/dW_i = sum_b t_bi L(A_b^T, c_b grad f(x'_b) p_b^T)`` with ``c_b = 2 r_b / b``
    (mse) or ``r_b / |r|`` (l2), L the Frechet derivative of exp (its own adjoint at the
    transpose).

    Parameters
    ----------
    params : ndarray, shape=[dim, n, m]
    points : ndarray, shape=[b, m]
        Homogeneous for affine generators.
    values : ndarray, shape=[b] or [b, q]
        ``f`` at the (non-homogeneous) points; (b, q) for a vector-valued f, whose
        residuals enter as the sum of squares over the q outputs.
    t : ndarray, shape=[b, dim]
        Group coordinates.
    f, grad : callable
        ``f(X (b, n)) -> (b,)`` and ``grad(X) -> (b, n)``; for a vector-valued f,
        ``(b, q)`` and the Jacobian ``(b, q, n)``.
    loss : {"mse", "l2"}

    Returns
    -------
    value : float
    gradient : ndarray, shape=[dim, n, m]
    """
    n = params.shape[1]
    gens = as_square(params)
    a = np.einsum("bi,ijk->bjk", t, gens)
    moved = np.einsum("bjk,bk->bj", expm_batch(a), points)[:, :n]
    q = None if values.ndim == 1 else values.shape[1]
    r = _check_outputs(f(moved), len(points), q, "f") - values
    if loss == "mse":
        value, coef = float(np.sum(r * r) / len(r)), 2.0 * r / len(r)
    else:
        value = float(np.sqrt(np.sum(r * r)))
        coef = r / value if value > 0 else np.zeros_like(r)
    g = np.asarray(grad(moved), dtype=np.float64)
    want = moved.shape if q is None else (len(points), q, n)
    if g.shape != want:
        raise ValueError(f"grad: expected shape {want}, got {g.shape}")
    # Cotangent on A_b: outer(grad f, p) lives on the top n rows (the last row is fixed).
    cot = np.zeros_like(a)
    if q is None:
        cot[:, :n, :] = np.einsum("b,bj,bk->bjk", coef, g, points)
    else:
        cot[:, :n, :] = np.einsum("bq,bqj,bk->bjk", coef, g, points)
    d_a = expm_frechet_batch(np.swapaxes(a, 1, 2), cot)
    return value, np.einsum("bi,bjk->ijk", t, d_a)[:, :n]


def values_at(f: Callable, points: np.ndarray) -> np.ndarray:
    """``f`` at the points: (N,) for a scalar f, (N, q) for a vector-valued one."""
    out = np.asarray(f(points))
    q = out.shape[1] if out.ndim == 2 else None
    return _check_outputs(out, points.shape[0], q, "f")


def _unit_rows(u: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(u, axis=1, keepdims=True)
    return u / np.where(norms > 0, norms, 1.0)


@dataclass(frozen=True, eq=False)
class FunctionalLoss:
    """The functional invariance loss on a fixed data set, as a function of generators and a batch.

    Calling it with parameters (dim, n, m) and batch indices draws one group coordinate
    vector t per point, and returns ``{"loss": value}`` and the Euclidean gradient (see
    :func:`functional_terms`); :meth:`per_generator` gives basis-free per-generator losses.

    Attributes
    ----------
    points : ndarray, shape=[N, m]
        Homogeneous for affine generators.
    values : ndarray, shape=[N] or [N, q]
        f at the points.
    f, grad : callable
        The function and its gradient (Jacobian for vector-valued f).
    t_range : tuple of float
    law : {"box", "isotropic"}
        ``"box"``: each coordinate t_i ~ U(t_range) independently (the prototype's law; it
        depends on the basis of the span for dim > 1). ``"isotropic"``: ``t = r u`` with
        ``r ~ U(t_range)`` and u the normalised coordinates of the projection of a
        standard Gaussian vector of R^(n m) onto the span: for orthonormal generators the
        drawn element ``A = sum_i t_i W_i = r P z / |P z|`` depends only on the span, not
        on its basis (and for dim = 1 the law is the box law).
    loss : {"l2", "mse"}
    rng : numpy.random.Generator
        Draws t.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(20, 2))
    >>> loss = FunctionalLoss.from_function(x, lambda y: (y**2).sum(1), grad=lambda y: 2 * y)
    >>> terms, grad = loss(np.array([[[0.0, -1.0], [1.0, 0.0]]]) / np.sqrt(2), np.arange(20))
    >>> bool(terms["loss"] < 1e-12), grad.shape
    (True, (1, 2, 2))
    """

    points: np.ndarray
    values: np.ndarray
    f: Callable
    grad: Callable
    t_range: tuple[float, float] = (-np.pi, np.pi)
    law: str = "box"
    loss: str = "l2"
    rng: np.random.Generator | None = None

    @classmethod
    def from_function(
        cls,
        points,
        f: Callable,
        *,
        grad=None,
        affine: bool = False,
        t_range: tuple[float, float] = (-np.pi, np.pi),
        law: str = "box",
        loss: str = "l2",
        rng=None,
    ) -> "FunctionalLoss":
        """Build the loss from points and a function (see :class:`FunctionalDiscovery`)."""
        pts = as_points(points, "points")
        check_functional_options(f, loss, t_range, law)
        lo, hi = (float(v) for v in t_range)
        return cls(
            homogeneous(pts, affine),
            values_at(f, pts),
            f,
            _gradient_function(f, grad),
            (lo, hi),
            law,
            loss,
            as_rng(rng),
        )

    @property
    def n_items(self) -> int:
        """Number of data points."""
        return self.points.shape[0]

    def coefficients(self, params: np.ndarray, size: int) -> np.ndarray:
        """Draw group coordinates t, shape (size, dim), for generators ``params``."""
        lo, hi = self.t_range
        d = params.shape[0]
        if self.law == "box":
            return self.rng.uniform(lo, hi, size=(size, d))
        z = self.rng.normal(size=(size, params[0].size))
        r = self.rng.uniform(lo, hi, size=(size, 1))
        return r * _unit_rows(z @ params.reshape(d, -1).T)

    def __call__(self, params: np.ndarray, idx: np.ndarray) -> tuple[dict, np.ndarray]:
        """Draw t for the batch ``idx``; the loss and its gradient at fixed t."""
        t = self.coefficients(params, len(idx))
        value, g = functional_terms(
            params, self.points[idx], self.values[idx], t, self.f, self.grad, loss=self.loss
        )
        return {"loss": value}, g

    def per_generator(self, params: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """RMS invariance residual per point of each canonical generator, descending.

        Canonical generators: the principal axes of the first-order residual form
        ``C_ij = sum_b <grad f(p_b) W_i p_b, grad f(p_b) W_j p_b>`` (for orthonormal
        ``params`` the axes depend only on the span). Each axis W is scored by
        ``sqrt(mean_b |f(exp(t_b W) p_b) - f(p_b)|^2)`` on an even grid of t over
        ``t_range`` (deterministic: the diagnostic draws nothing from ``rng``).
        """
        pts, d = self.points[idx], params.shape[0]
        n = params.shape[1]
        jac = np.asarray(self.grad(pts[:, :n]), dtype=np.float64)
        jac = jac[:, None, :] if jac.ndim == 2 else jac
        first = np.einsum("bqj,dji,bi->bqd", jac, params, pts)
        _, axes = np.linalg.eigh(np.einsum("bqd,bqe->de", first, first))
        canon = np.einsum("de,dij->eij", axes, params)
        lo, hi = self.t_range
        t = lo + (hi - lo) * (np.arange(len(idx)) + 0.5) / len(idx)
        gens = as_square(canon)
        moved = np.einsum("dbjk,bk->dbj", expm_batch(t[None, :, None, None] * gens[:, None]), pts)[
            ..., :n
        ]
        vals = self.values[idx]
        out = np.empty(d)
        for i in range(d):
            r = np.asarray(self.f(moved[i])).reshape(vals.shape) - vals
            out[i] = np.sqrt(np.sum(r * r) / len(idx))
        return np.sort(out)[::-1]


def check_functional_options(f, loss: str, t_range, law: str = "box") -> None:
    """Validate the functional loss's options (``f`` callable, loss, t_range, law)."""
    if not callable(f):
        raise ValueError(f"f: expected a callable f(X) -> y, got {type(f).__name__}")
    if loss not in ("mse", "l2"):
        raise ValueError(f"loss: expected 'mse' or 'l2', got {loss!r}")
    lo, hi = (float(v) for v in t_range)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"t_range: expected two finite numbers lo < hi, got {t_range!r}")
    if law not in ("box", "isotropic"):
        raise ValueError(f"law: expected 'box' or 'isotropic', got {law!r}")


def fit_functional_loss(
    points,
    f: Callable,
    dim: int = 1,
    *,
    grad=None,
    t_range: tuple[float, float] = (-np.pi, np.pi),
    loss: str = "l2",
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
    """Fit ``dim`` generators by Adam on the functional invariance loss.

    The functional core of :class:`FunctionalDiscovery`; see there for the parameters.
    ``history`` has ``loss``, ``angle`` and ``time``.

    Examples
    --------
    >>> from liesym.algebra import so
    >>> x = np.random.default_rng(0).normal(size=(500, 2))
    >>> fit = fit_functional_loss(x, lambda y: (y**2).sum(1), grad=lambda y: 2 * y,
    ...                           t_range=(-1, 1), n_steps=1000, lr=0.01, rng=0, reference=so(2))
    >>> bool(fit.history["angle"][-1] < 1e-2)
    True
    """
    check_functional_options(f, loss, t_range)
    pts, _, params, (batch_rng, t_rng), ref_flat, settings = prepare_run(
        points, dim, affine, lr, n_steps, batch_size, init, rng, reference
    )
    # f at the data points is fixed: FunctionalLoss evaluates it once.
    objective = FunctionalLoss.from_function(
        pts, f, grad=grad, affine=affine, t_range=t_range, loss=loss, rng=t_rng
    )
    return run_adam(
        objective,
        params,
        n_items=pts.shape[0],
        batch_rng=batch_rng,
        normalize=normalize,
        ref_flat=ref_flat,
        tol_angle=tol_angle,
        progress=progress,
        desc="functional loss",
        **settings,
    )


@dataclass(eq=False)
class FunctionalDiscovery:
    """Functional symmetry discovery: minimise ``(f(exp(t W) x) - f(x))^2`` over W by Adam.

    For each sampled point a group coordinate t is drawn uniformly from ``t_range`` (one
    per generator for ``dim > 1``, acting through ``exp(sum_i t_i W_i)``). Gradients are
    exact through the matrix exponential (batched Frechet derivatives,
    :func:`~liesym.algebra.expm_frechet_batch`) and need grad f at the *transformed* points: from
    ``grad``, else from ``f.gradient`` when ``f`` has one (the surrogates
    :class:`~liesym.discovery.KNNSurrogate` and :class:`~liesym.discovery.LocalLinearSurrogate`
    do), else by central finite differences of ``f``
    (2n extra evaluations of f per point and step).

    **W = 0 guard.** W = 0 minimises the loss exactly. With ``normalize=True`` (default)
    each generator is optimised on the unit Frobenius sphere: the gradient is projected
    onto the sphere's tangent space before the Adam step and W is renormalised after it.
    ``normalize=False`` follows the prototype (unconstrained W, collapse possible).

    The optimiser, minibatch sampler, seed handling and history are those of the
    differential gradient method (``DifferentialDiscovery(method="gradient")``): the same
    ``rng`` gives both methods the same initial W and the same minibatches.

    The generators are free (one unit sphere each): the paper's protocol. With several
    generators it does not recover so(3) in R^3 (the spans end ~1.5 rad away); optimise
    the span on the Grassmann manifold instead
    (:class:`liesym.manifolds.GrassmannFunctionalDiscovery`).

    Parameters
    ----------
    dim : int, optional, default: 1
        Number of generators.
    t_range : tuple of float, optional, default: (-pi, pi)
        Range of the group coordinates. The prototype drew t from (0, 2 pi); with unit
        generators a symmetric range converges much faster (an expanding symmetric part
        of W makes exp(tW) explode for large one-sided t), see the benchmark.
    lr : float, optional, default: 4.5e-4
    n_steps : int, optional, default: 10000
    batch_size : int, optional, default: 128
    init : {"uniform", "normal"} or array-like, optional, default: "uniform"
    rng : None, int or numpy.random.Generator
        Seeds the initialisation, the minibatches and the t draws (independent streams).
    reference : LieAlgebra or array-like, optional
        Ground truth for the per-step ``angle`` history.
    normalize : bool, optional, default: True
    progress : bool, optional, default: False
    affine : bool, optional, default: False
        Affine generators ``[[W, b], [0, 0]]`` acting on ``(x, 1)``.
    loss : {"l2", "mse"}, optional, default: "l2"
        The prototype's L2 norm of the batch residual vector, or the mean squared
        residual. Same minimisers; "l2" rescales each step's gradient by the batch
        residual, which tames the exploding residuals of a W with an expanding part
        (mse needed several times more steps on ``|x|^2`` in our runs).
    tol_angle : float, optional
        Records ``steps_to_tol_`` (needs ``reference``).

    Attributes
    ----------
    algebra_ : LieAlgebra
    generators_ : ndarray, shape=[dim, m, m]
    dim_ : int
    history_ : dict of str to ndarray
        ``loss``, ``angle``, ``time`` per step.
    steps_to_tol_ : int or None
    wall_time_ : float

    Examples
    --------
    >>> from liesym.algebra import so
    >>> x = np.random.default_rng(0).normal(size=(500, 2))
    >>> est = FunctionalDiscovery(t_range=(-1, 1), n_steps=1000, lr=0.01, rng=0)
    >>> est = est.fit(x, lambda y: (y**2).sum(1))  # gradient by finite differences
    >>> bool(est.algebra_.contains(so(2).basis[0], tol=1e-2))
    True
    """

    dim: int = 1
    t_range: tuple[float, float] = (-np.pi, np.pi)
    lr: float = 4.5e-4
    n_steps: int = 10_000
    batch_size: int = 128
    init: object = "uniform"
    rng: object = None
    reference: object = None
    normalize: bool = True
    progress: bool = False
    affine: bool = False
    loss: str = "l2"
    tol_angle: float | None = None

    def fit(self, X, f: Callable, grad=None) -> "FunctionalDiscovery":
        """Fit the generators to the points ``X`` (N, n) and the function ``f``.

        Parameters
        ----------
        X : array-like, shape=[N, n]
        f : callable
            ``f(points (m, n)) -> (m,)``: the true function (oracle) or a surrogate.
        grad : callable or "fd", optional
            ``grad(points (m, n)) -> (m, n)``; default ``f.gradient`` if present, else
            finite differences ("fd" forces them).

        Returns
        -------
        self
        """
        fit = fit_functional_loss(
            X,
            f,
            self.dim,
            grad=grad,
            t_range=self.t_range,
            loss=self.loss,
            affine=self.affine,
            lr=self.lr,
            n_steps=self.n_steps,
            batch_size=self.batch_size,
            init=self.init,
            rng=self.rng,
            reference=self.reference,
            normalize=self.normalize,
            progress=self.progress,
            tol_angle=self.tol_angle,
        )
        self.generators_ = fit.generators
        self.algebra_ = LieAlgebra(fit.generators, affine=self.affine)
        self.dim_ = self.algebra_.dim
        self.history_ = fit.history
        self.steps_to_tol_ = fit.steps_to_tol
        self.wall_time_ = fit.wall_time
        return self
