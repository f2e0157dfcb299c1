r"""Dynamics symmetries from transitions: generators W with F(Ws, Wa) equivariant.

A linear map L is a symmetry of the system ``s' = F(s, a) + noise`` when
``F(L s, L a) = L F(s, a)`` and the noise law and the action set are L-invariant. For a
(locally) linear model ``F(s, a) = A s + B a + c`` and ``L = exp(tW)`` this is linear in W:

    W A - A W = 0,   W B - B W = 0,   W c = 0,
    W Sigma + Sigma W^T = 0        (noise covariance invariant),
    W Sigma_a + Sigma_a W^T = 0    (second moment of the applied actions invariant).

The last line is a valid constraint when the actions were drawn from a law invariant under
the symmetry (e.g. uniform on an invariant action set, as a random policy on a disc or
ellipse does); with a biased behaviour policy switch it off (``use_actions=False``).
With ``affine=True`` the states may also be translated, ``s -> W s + t`` (actions are
not): ``W c = 0`` becomes ``(A - I) t = W c``. The symmetry algebra is the SVD null space
of the stacked constraints, its dimension read off the singular-value gap.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np

from liesym._core import progress as _progress
from liesym._core import respects_n_jobs
from liesym.algebra import LieAlgebra
from liesym.data import transition_arrays
from liesym.discovery._chunks import as_chunk_source
from liesym.discovery._constraints import (
    DEFAULT_MIN_GAP,
    DEFAULT_NOISE_TOL,
    check_dim,
    merge_r,
    null_space,
    r_factor,
    square_r,
)

__all__ = [
    "DynamicsStats",
    "DynamicsSymmetryDiscovery",
    "LinearDynamicsFit",
    "dynamics_stats",
    "fit_linear_dynamics",
    "linear_dynamics_from_stats",
]

_NAMES = ("states", "actions", "next_states")


@dataclass(frozen=True)
class LinearDynamicsFit:
    """Least-squares model ``s' = A s + B a + c + noise`` with standard errors.

    Attributes
    ----------
    A, B : ndarray, shape=[n, n]
    c : ndarray, shape=[n]
    noise_cov : ndarray, shape=[n, n]
        Residual covariance Sigma.
    action_moment : ndarray, shape=[n, n]
        Second moment ``E[a a^T]`` of the applied actions.
    stderr_A, stderr_B : ndarray, shape=[n, n]
    stderr_c : ndarray, shape=[n]
    n_samples : int
    """

    A: np.ndarray
    B: np.ndarray
    c: np.ndarray
    noise_cov: np.ndarray
    action_moment: np.ndarray
    stderr_A: np.ndarray
    stderr_B: np.ndarray
    stderr_c: np.ndarray
    n_samples: int


def _check_transitions(states, actions, next_states, *, check_count: bool = True):
    if actions is None or next_states is None:
        raise ValueError("actions, next_states: expected arrays (or pass chunks of transitions)")
    s, a, s2, _ = transition_arrays(states, actions, next_states)
    if a.shape[1] != s.shape[1]:
        raise ValueError(
            "actions: one generator W acts on states and actions alike, so actions need the "
            f"state dimension {s.shape[1]}, got {a.shape[1]}"
        )
    if check_count:
        _check_count(s.shape[0], s.shape[1])
    return s, a, s2


def _check_count(n_samples: int, n: int) -> None:
    need = 2 * (2 * n + 1)
    if n_samples < need:
        raise ValueError(
            f"states: {n_samples} transitions are too few to fit s' = A s + B a + c in R^{n} "
            f"and its noise covariance; need at least {need}"
        )


@dataclass(frozen=True, eq=False)
class DynamicsStats:
    """Mergeable statistics of transitions: the R factor of the rows ``[s, a, 1, s']``.

    ``R^T R`` holds every moment the least-squares model needs (the normal equations, the
    residual covariance, the action moment), without squaring the condition number, in
    O(n^2) memory whatever the number of transitions.

    Attributes
    ----------
    r : ndarray, shape=[3n + 1, 3n + 1]
    n_samples : int
    n_chunks : int

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> s, a = rng.normal(size=(100, 2)), rng.normal(size=(100, 2))
    >>> whole = dynamics_stats(s, a, s + a)
    >>> parts = dynamics_stats(s[:40], a[:40], s[:40] + a[:40]).merge(
    ...     dynamics_stats(s[40:], a[40:], s[40:] + a[40:]))
    >>> bool(np.allclose(whole.r.T @ whole.r, parts.r.T @ parts.r)), parts.n_samples
    (True, 100)
    """

    r: np.ndarray
    n_samples: int
    n_chunks: int = 1

    @property
    def n(self) -> int:
        """Dimension of the states."""
        return (self.r.shape[1] - 1) // 3

    def merge(self, other: "DynamicsStats") -> "DynamicsStats":
        """The statistics of both sets of transitions."""
        if other.r.shape != self.r.shape:
            raise ValueError(
                f"other: transitions in R^{other.n} cannot merge with transitions in R^{self.n}"
            )
        return DynamicsStats(
            merge_r(self.r, other.r),
            self.n_samples + other.n_samples,
            self.n_chunks + other.n_chunks,
        )


def dynamics_stats(states, actions, next_states, *, index: int | None = None) -> DynamicsStats:
    """Statistics of one chunk of transitions (see :class:`DynamicsStats`).

    Parameters
    ----------
    states, actions, next_states : array-like, shape=[N, n]
    index : int, optional
        Chunk number, named in error messages.

    Returns
    -------
    DynamicsStats
    """
    try:
        s, a, s2 = _check_transitions(states, actions, next_states, check_count=False)
    except ValueError as err:
        if index is None:
            raise
        raise ValueError(f"chunk {index}: {err}") from None
    rows = np.concatenate([s, a, np.ones((s.shape[0], 1)), s2], axis=1)
    p = rows.shape[1]
    return DynamicsStats(square_r(r_factor(iter((rows,)), p), p), s.shape[0])


def _chunk_stats(index, states, actions, next_states) -> DynamicsStats:
    return dynamics_stats(states, actions, next_states, index=index)


def linear_dynamics_from_stats(stats: DynamicsStats) -> LinearDynamicsFit:
    """The least-squares model ``s' = A s + B a + c`` of the transitions behind ``stats``.

    Parameters
    ----------
    stats : DynamicsStats

    Returns
    -------
    LinearDynamicsFit
    """
    n, n_pts = stats.n, stats.n_samples
    _check_count(n_pts, n)
    p = 2 * n + 1
    r11, r12, r22 = stats.r[:p, :p], stats.r[:p, p:], stats.r[p:, p:]
    # |D c - S'|^2 = |R11 c - R12|^2 + |R22|^2: the same least-squares problem, p x p.
    coef = np.linalg.lstsq(r11, r12, rcond=None)[0]
    sigma = r22.T @ r22 / (n_pts - p)
    gram = r11.T @ r11
    gram_inv = np.linalg.pinv(gram)
    # Var(coef[k, j]) = Sigma_jj (D^T D)^-1_kk for output j.
    se = np.sqrt(np.outer(np.diag(gram_inv), np.diag(sigma)).clip(min=0.0))
    return LinearDynamicsFit(
        A=coef[:n].T,
        B=coef[n : 2 * n].T,
        c=coef[2 * n],
        noise_cov=sigma,
        action_moment=gram[n : 2 * n, n : 2 * n] / n_pts,
        stderr_A=se[:n].T,
        stderr_B=se[n : 2 * n].T,
        stderr_c=se[2 * n],
        n_samples=n_pts,
    )


def fit_linear_dynamics(states, actions, next_states) -> LinearDynamicsFit:
    """Fit ``s' = A s + B a + c`` by least squares, with the residual covariance.

    Parameters
    ----------
    states, actions, next_states : array-like, shape=[N, n]

    Returns
    -------
    LinearDynamicsFit

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> s, a = rng.normal(size=(500, 2)), rng.normal(size=(500, 2))
    >>> fit = fit_linear_dynamics(s, a, s + 0.5 * a + 0.01 * rng.normal(size=(500, 2)))
    >>> np.round(fit.B, 2) + 0.0
    array([[0.5, 0. ],
           [0. , 0.5]])
    """
    s, a, s2 = _check_transitions(states, actions, next_states)
    return linear_dynamics_from_stats(dynamics_stats(s, a, s2))


def _moment_stderr(m: np.ndarray, n_samples: int) -> float:
    """Frobenius std of an estimated second moment (Gaussian fourth moments)."""
    d = np.diag(m)
    return float(np.sqrt(np.sum(np.outer(d, d) + m**2) / n_samples))


def _fro(m) -> float:
    v = float(np.linalg.norm(m))
    return v if v > 0 else 1.0


def dynamics_constraints(
    fit: LinearDynamicsFit,
    *,
    affine: bool = False,
    use_noise: bool = True,
    use_actions: bool = True,
    state_scale: float = 1.0,
) -> tuple[np.ndarray, float]:
    """Stacked linear constraints on ``vec(W)`` (and ``t / state_scale`` when affine).

    Each block is divided by the norm of its matrix, so the blocks are scale-free and
    comparable; the returned noise floor ``2 sqrt(sum_blocks e^2)`` (e a block's relative
    standard error) bounds the singular value of an exact symmetry under estimation error.

    Returns
    -------
    constraints : ndarray, shape=[rows, p]
        p = n^2, or n^2 + n when affine.
    noise_floor : float
    """
    n = fit.A.shape[0]
    eye = np.eye(n * n).reshape(n * n, n, n)  # basis E_k of the unknown W
    blocks, errs = [], []

    def add(op: np.ndarray, scale: float, err: float) -> None:
        blocks.append(op.reshape(n * n, -1).T / scale)
        errs.append(err / scale)

    for m, se in ((fit.A, fit.stderr_A), (fit.B, fit.stderr_B)):
        add(eye @ m - m @ eye, _fro(m), float(np.linalg.norm(se)))
    if use_noise:
        sig = fit.noise_cov
        add(eye @ sig + sig @ np.swapaxes(eye, 1, 2), _fro(sig), _moment_stderr(sig, fit.n_samples))
    if use_actions:
        mom = fit.action_moment
        add(eye @ mom + mom @ np.swapaxes(eye, 1, 2), _fro(mom), _moment_stderr(mom, fit.n_samples))
    wc = eye @ fit.c / state_scale  # (p, n)
    c_err = float(np.linalg.norm(fit.stderr_c)) / state_scale
    mat = np.concatenate(blocks, axis=0)
    if affine:
        mat = np.concatenate([mat, np.zeros((mat.shape[0], n))], axis=1)
        # (A - I) t - W c = 0, with t measured in units of state_scale.
        trans = np.concatenate([-wc.T, fit.A - np.eye(n)], axis=1)
        mat = np.concatenate([mat, trans], axis=0)
    else:
        mat = np.concatenate([mat, wc.T], axis=0)
    errs.append(c_err)
    return mat, 2.0 * float(np.sqrt(np.sum(np.square(errs))))


class DynamicsSymmetryDiscovery:
    """Discover the linear (or affine) symmetry algebra of a system from transitions.

    Parameters
    ----------
    dim : int, optional
        Dimension of the algebra; default: the singular-value gap rule.
    affine : bool, optional, default: False
        Also allow translations of the states (generators ``[[W, t], [0, 0]]``).
    use_noise : bool, optional, default: True
        Require the residual covariance to be invariant.
    use_actions : bool, optional, default: True
        Require the second moment of the actions to be invariant (valid when the
        actions were drawn from an invariant law, e.g. uniform on the action set).
    min_gap : float, optional, default: 4.0
    noise_tol : float, optional, default: 3.0
        Dimension rule (the singular-value gap rule of
        :class:`~liesym.discovery.DifferentialDiscovery`). The
        noise floor here propagates the standard errors of A, B, c, Sigma and Sigma_a
        and overestimates the symmetry singular values by a factor 2-5 in the measured
        cases, so a symmetry may exceed it by at most 3x; a weakly broken symmetry (e.g.
        drift diag(1, 0.5), singular value 3.7x the floor) is rejected.
    chunk_size : int, optional
        Rows per chunk of chunked inputs (default 100,000; see :meth:`fit`).
    n_jobs : int, optional
        BLAS threads (joblib semantics: None is 1 unless a ``joblib.parallel_config`` says
        otherwise).
    progress : bool, optional, default: False
        Progress bar over the chunks.

    Attributes
    ----------
    algebra_ : LieAlgebra or None
    dim_ : int
    singular_values_ : ndarray, shape=[p]
        Ascending; p = n^2, or n^2 + n when affine.
    gap_ : float
    noise_floor_ : float
    model_ : LinearDynamicsFit
    stats_ : DynamicsStats
        The merged statistics of every transition seen (the whole state of a chunked fit;
        :meth:`partial_fit` adds to them).

    Examples
    --------
    >>> from liesym.algebra import so, grassmann_distance
    >>> rng = np.random.default_rng(0)
    >>> s = rng.normal(size=(2000, 2))
    >>> a = rng.normal(size=(2000, 2)) * 0.1
    >>> s2 = s + a + 0.05 * rng.normal(size=(2000, 2))
    >>> est = DynamicsSymmetryDiscovery().fit(s, a, s2)
    >>> est.dim_, bool(grassmann_distance(est.algebra_, so(2)) < 0.1)
    (1, True)
    """

    def __init__(
        self,
        dim: int | None = None,
        affine: bool = False,
        *,
        use_noise: bool = True,
        use_actions: bool = True,
        min_gap: float = DEFAULT_MIN_GAP,
        noise_tol: float = DEFAULT_NOISE_TOL,
        chunk_size: int | None = None,
        n_jobs: int | None = None,
        progress: bool = False,
    ) -> None:
        self.dim = dim
        self.affine = affine
        self.use_noise = use_noise
        self.use_actions = use_actions
        self.min_gap = min_gap
        self.noise_tol = noise_tol
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs
        self.progress = progress

    @respects_n_jobs
    def fit(self, states, actions=None, next_states=None) -> "DynamicsSymmetryDiscovery":
        """Fit the linear model and take the null space of the symmetry constraints.

        Parameters
        ----------
        states, actions, next_states : array-like, shape=[N, n], or chunked data
            Transitions. Chunked data are reduced chunk by chunk (exactly: the statistics
            are sums over transitions): memory-mapped or lazy arrays, ``dask.array`` arrays
            (one task per block on the active Dask scheduler), or an iterable of chunks
            passed as ``states`` (tuples ``(s, a, s')`` or :class:`~liesym.data.Transitions`
            records) with ``actions`` and ``next_states`` left None.

        Returns
        -------
        self
        """
        self.stats_ = None
        return self._update(states, actions, next_states)

    @respects_n_jobs
    def partial_fit(self, states, actions=None, next_states=None) -> "DynamicsSymmetryDiscovery":
        """Add transitions to the fit (out-of-core learning) and refresh the results.

        Parameters
        ----------
        states, actions, next_states : array-like, shape=[N, n], or chunked data

        Returns
        -------
        self

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> s, a = rng.normal(size=(4000, 2)), 0.1 * rng.normal(size=(4000, 2))
        >>> s2 = s + a + 0.05 * rng.normal(size=(4000, 2))
        >>> est = DynamicsSymmetryDiscovery()
        >>> for i in range(0, 4000, 1000):
        ...     est = est.partial_fit(s[i : i + 1000], a[i : i + 1000], s2[i : i + 1000])
        >>> est.dim_, est.stats_.n_samples
        (1, 4000)
        """
        if getattr(self, "stats_", None) is None:
            self.stats_ = None
        return self._update(states, actions, next_states)

    def _merge(self, stats: DynamicsStats) -> None:
        self.stats_ = stats if self.stats_ is None else self.stats_.merge(stats)

    def _update(self, states, actions, next_states):
        source = as_chunk_source(
            (states, actions, next_states), _NAMES, fields=_NAMES, chunk_size=self.chunk_size
        )
        if source.kind == "memory":
            self._merge(dynamics_stats(*source.arrays))
        elif source.kind == "dask":
            from liesym.discovery import _dask

            blocks = _dask.dask_blocks(source.arrays, _NAMES, self.chunk_size)
            start = 0 if self.stats_ is None else self.stats_.n_chunks
            for stats in _dask.map_blocks(
                _chunk_stats, blocks, start=start, progress=self.progress, desc="chunks"
            ):
                self._merge(stats)
        else:
            start = 0 if self.stats_ is None else self.stats_.n_chunks
            chunks = _progress(
                source.chunks(), enable=self.progress, desc="chunks", total=source.n_chunks
            )
            for i, chunk in enumerate(chunks, start=start):
                self._merge(dynamics_stats(*chunk, index=i))
            if self.stats_ is None:
                raise ValueError("states: the chunked data are empty (no rows)")
        return self._solve()

    def _solve(self):
        stats = self.stats_
        fit = linear_dynamics_from_stats(stats)
        n = fit.A.shape[0]
        p = n * n + (n if self.affine else 0)
        dim = check_dim(self.dim, p, "the dynamics generator")
        # RMS state norm, from the moments: trace of the states' block of D^T D over N.
        gram_s = stats.r[:, :n].T @ stats.r[:, :n]
        scale = float(np.sqrt(np.trace(gram_s) / stats.n_samples))
        scale = scale if scale > 0 else 1.0
        mat, floor = dynamics_constraints(
            fit,
            affine=self.affine,
            use_noise=self.use_noise,
            use_actions=self.use_actions,
            state_scale=scale,
        )
        r = np.linalg.qr(mat, mode="r")
        null = null_space(
            r, p, dim=dim, noise_floor=floor, min_gap=self.min_gap, noise_tol=self.noise_tol
        )
        self.model_ = fit
        self._null, self._scale = null, scale  # for _null_space_draws
        self.singular_values_ = null.singular_values
        self.gap_ = null.gap
        self.noise_floor_ = floor
        self.dim_ = null.dim
        self.algebra_ = None
        if null.dim:
            vec = null.basis
            if self.affine:
                gens = np.zeros((null.dim, n + 1, n + 1))
                gens[:, :n, :n] = vec[:, : n * n].reshape(-1, n, n)
                gens[:, :n, n] = scale * vec[:, n * n :]
                self.algebra_ = LieAlgebra(gens, affine=True)
            else:
                self.algebra_ = LieAlgebra(vec.reshape(-1, n, n))
        return self


def _null_space_draws(est: "DynamicsSymmetryDiscovery", draws: int, rng) -> np.ndarray:
    """Null spaces of a fitted linear discovery re-solved on resampled model statistics.

    A parametric bootstrap of the fit behind ``est``: A, B and c move by their standard
    errors, the noise covariance and the action moment by the sampling noise of a second
    moment of as many Gaussian rows (Wishart to first order); the constraints are rebuilt and
    their ``dim_``-dimensional null space solved again. Unlike the spectrum's noise floor
    (spread evenly over directions) this keeps the constraints' structure: e.g. a symmetric
    error E of an isotropic noise covariance moves the constraint on W by the traceless
    ``[W, E]``, so the trace of a rotation generator stays fixed to second order.

    Parameters
    ----------
    est : DynamicsSymmetryDiscovery
        Fitted, linear, with ``dim_ >= 1``.
    draws : int
    rng : None, int or Generator

    Returns
    -------
    ndarray, shape=[draws, dim_, n^2]
        Orthonormal rows (row-major flattened generators) per draw.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> s, a = rng.normal(size=(3000, 2)), rng.uniform(-1, 1, size=(3000, 2))
    >>> a = a / np.maximum(1, np.linalg.norm(a, axis=1))[:, None]
    >>> est = DynamicsSymmetryDiscovery().fit(s, a, s + a + 0.1 * rng.normal(size=(3000, 2)))
    >>> _null_space_draws(est, 4, rng=0).shape
    (4, 1, 4)
    """
    from liesym._core import as_rng

    null = getattr(est, "_null", None)
    if null is None or not null.dim:
        raise ValueError("est: expected a fitted DynamicsSymmetryDiscovery that found symmetries")
    if est.affine:
        raise ValueError("est: expected a linear DynamicsSymmetryDiscovery (affine=False)")
    rng = as_rng(rng)
    fit, d = est.model_, null.dim
    n, n_pts = fit.A.shape[0], fit.n_samples

    def moment(m):
        root = np.linalg.cholesky(m + 1e-15 * np.trace(m) * np.eye(n))
        g = rng.normal(size=(n, n))
        return m + root @ ((g + g.T) / np.sqrt(2 * n_pts)) @ root.T

    out = np.empty((draws, d, n * n))
    for b in range(draws):
        moved = dataclasses.replace(
            fit,
            A=fit.A + fit.stderr_A * rng.normal(size=fit.A.shape),
            B=fit.B + fit.stderr_B * rng.normal(size=fit.B.shape),
            c=fit.c + fit.stderr_c * rng.normal(size=fit.c.shape),
            noise_cov=moment(fit.noise_cov),
            action_moment=moment(fit.action_moment),
        )
        mat, _ = dynamics_constraints(
            moved, use_noise=est.use_noise, use_actions=est.use_actions, state_scale=est._scale
        )
        _, _, vt = np.linalg.svd(mat)
        out[b] = vt[-d:]
    return out
