"""Test-time inference of a task's group element from a few of its transitions.

A task of a hereditary family has reward ``r(s') = r_0(L^{-1} s')`` for a group element L.
Given k transitions of the unseen task (next states and rewards), a model of the base reward
r_0 (fitted to base-task data only) and the compact task group, L minimises

    ``sum_k (r_k - r_0(L^{-1} s'_k))^2``

over the group. The group is compact, so the search over exponential coordinates is
bounded: a grid (quasi-random for dim > 1) over the principal domain, evaluated for all
candidates and transitions at once, then batched Levenberg-Marquardt steps on the group
(``R <- R exp(delta)`` in the chart, Gauss-Newton with a damping term). No oracle goal is used.

When the base reward is invariant under a subgroup (the stabiliser of the base goal: for the
sphere family, rotations about g_0), L is determined only up to a right coset ``L Stab``;
the estimate returned is the canonical representative, the element of the coset closest to
the identity (bi-invariant distance).
"""

from dataclasses import dataclass

import numpy as np
import scipy.optimize
from scipy.stats import qmc

from liesym._core import as_count, as_finite_array, as_generator_stack, as_rng, progress
from liesym.algebra import LieAlgebra
from liesym.manifolds._rotations import rotation_angles, skew_exp
from liesym.manifolds.group import CompactLieGroup
from liesym.manifolds.profile import RewardProfile, as_reward_data, fit_reward_profile

_FD_STEP = 1e-6  # central differences: error ~ step^2 * f''' , round-off ~ eps / step
_NULL_RTOL = 1e-9  # stabiliser directions: |W^ a| below this fraction of |a|


@dataclass(frozen=True, eq=False)
class _ChartModel:
    """Base reward in chart coordinates z = M^{1/2} x, with its gradient."""

    reward: object  # callable on original coordinates (N, n) -> (N,)
    chart_inverse: np.ndarray

    def _call(self, x: np.ndarray) -> np.ndarray:
        flat = x.reshape(-1, x.shape[-1])
        out = np.asarray(self.reward(flat), dtype=np.float64)
        if out.shape != flat.shape[:1]:
            raise ValueError(
                f"base_reward: expected {flat.shape[0]} values for points of shape "
                f"{flat.shape}, got shape {out.shape}"
            )
        if not np.all(np.isfinite(out)):
            bad = int(np.count_nonzero(~np.isfinite(out)))
            raise ValueError(f"base_reward: returned {bad} NaN or infinite value(s)")
        return out.reshape(x.shape[:-1])

    def value(self, z: np.ndarray) -> np.ndarray:
        return self._call(z @ self.chart_inverse)

    def gradient(self, z: np.ndarray) -> np.ndarray:
        x = z @ self.chart_inverse
        grad = getattr(self.reward, "gradient", None)
        if grad is not None:
            g = np.asarray(grad(x.reshape(-1, x.shape[-1])), dtype=np.float64).reshape(x.shape)
        else:
            step = _FD_STEP * max(1.0, float(np.abs(x).max()))
            eye = np.eye(x.shape[-1]) * step
            g = np.stack([self._call(x + e) - self._call(x - e) for e in eye], axis=-1)
            g /= 2 * step
        return g @ self.chart_inverse  # chain rule: d/dz f(S^-1 z) = S^-T grad f, S symmetric


@dataclass(frozen=True, eq=False)
class _ObservationModel:
    """Base task's constant observation channels: residuals ``P x - c_0`` in chart coordinates."""

    channels: np.ndarray  # (p,) indices of the task-carrying coordinates
    center: np.ndarray  # (p,) their values in the base task
    chart_inverse: np.ndarray

    def value(self, z: np.ndarray) -> np.ndarray:
        return (z @ self.chart_inverse)[..., self.channels] - self.center

    def gradient(self, z: np.ndarray) -> np.ndarray:
        rows = self.chart_inverse.T[self.channels]  # d(P S^-1 z)/dz, (p, n)
        return np.broadcast_to(rows, (*z.shape[:-1], *rows.shape))


def _losses(model, y: np.ndarray, r: np.ndarray, rots: np.ndarray, weights=None):
    """Residuals (C, K[, p]) and losses (C,) of rotations (C, n, n) at chart points y (K, n).

    ``y`` (C, K, n) with rewards (C, K) gives each rotation its own points; ``weights``
    (0 or 1, shape of the rewards) masks points out (padding of unequal batches).
    """
    e = r - model.value(y @ rots)  # rows of y @ R are R^T y_k
    if weights is not None:
        w = np.broadcast_to(weights, e.shape[:2])
        e = e * w.reshape(w.shape + (1,) * (e.ndim - 2))
    return e, np.sum(e.reshape(len(e), -1) ** 2, axis=1)


def _refine(model, y, r, rots, unit, max_iter: int, weights=None):
    """Batched Levenberg-Marquardt on the group: R <- R exp(sum_j delta_j Q_j)."""
    e, loss = _losses(model, y, r, rots, weights)
    lam = np.full(len(rots), 1e-3)
    done = np.zeros(len(rots), dtype=bool)
    loss_prev = loss
    for _ in range(max_iter):
        z = y @ rots
        g = model.gradient(z)  # (S, K, n), or (S, K, p, n) for vector residuals
        if g.ndim == 3:
            g = g[:, :, None]
        jac = np.einsum("skpa,jab,skb->skpj", g, unit, z)
        if weights is not None:
            jac = jac * np.broadcast_to(weights, z.shape[:2])[:, :, None, None]
        jac = jac.reshape(len(z), -1, unit.shape[0])
        flat = e.reshape(len(e), -1)
        jtj = np.einsum("skj,ski->sji", jac, jac)
        jte = np.einsum("skj,sk->sj", jac, flat)
        damp = lam[:, None, None] * (
            np.eye(unit.shape[0]) * (np.diagonal(jtj, axis1=1, axis2=2)[:, None] + 1e-12)
        )
        delta = -np.linalg.solve(jtj + damp, jte[..., None])[..., 0]
        trial = rots @ skew_exp(np.tensordot(delta, unit, axes=([-1], [0])))
        e_new, loss_new = _losses(model, y, r, trial, weights)
        better = loss_new < loss
        rots = np.where(better[:, None, None], trial, rots)
        e = np.where(better.reshape(-1, *([1] * (e.ndim - 1))), e_new, e)
        loss = np.where(better, loss_new, loss)
        # Converged: the loss stops changing beyond round-off, reaches the round-off floor of
        # unit-scale rewards, or every step is refused.
        done |= better & (loss_prev - loss <= 1e-12 * loss_prev)
        done |= (loss <= 1e-24 * r.size) | (np.abs(delta).max(axis=-1) < 1e-13) | (lam > 1e10)
        lam = np.where(better, lam / 5.0, lam * 10.0)
        loss_prev = loss
        if np.all(done):
            break
    return rots, loss


def _candidates(group: CompactLieGroup, count: int, rng) -> np.ndarray:
    """Unit-basis coordinates covering the principal domain (a bounded set: compact group)."""
    if group.dim == 1:
        return np.linspace(-np.pi, np.pi, count, endpoint=False)[:, None] * (
            group.principal_radius / np.pi
        )
    sobol = qmc.Sobol(group.dim, scramble=True, rng=rng)

    def draw(m):
        pts = sobol.random_base2(int(np.ceil(np.log2(m))))[:m]
        return 2.0 * pts - 1.0

    return group._sample_principal(draw, count)


def _grid(group: CompactLieGroup, n_candidates: int | None, rng):
    """The search grid: unit-basis coordinates (C, dim) and their chart rotations (C, n, n).

    ``n_candidates`` None: 720 for dim 1, 1024 * dim otherwise.
    """
    count = n_candidates or (720 if group.dim == 1 else 1024 * group.dim)
    grid = _candidates(group, count, rng)
    return grid, skew_exp(np.tensordot(grid, group._unit_basis, axes=([-1], [0])))


def _distinct(u: np.ndarray, loss: np.ndarray, count: int, separation: float) -> np.ndarray:
    """Indices of up to ``count`` lowest-loss candidates at least ``separation`` apart."""
    picked = []
    for i in np.argsort(loss):
        if all(np.linalg.norm(u[i] - u[j]) > separation for j in picked):
            picked.append(i)
            if len(picked) == count:
                break
    return np.asarray(picked)


def _canonical(rot: np.ndarray, stab: np.ndarray, radius: float) -> np.ndarray:
    """Element of the coset ``rot exp(span stab)`` closest to the identity."""
    m = stab.shape[0]
    if m == 0:
        return rot

    def sq_dist(v):
        rel = rot @ skew_exp(np.tensordot(v, stab, axes=([-1], [0])))
        return 0.5 * np.sum(rotation_angles(rel) ** 2, axis=-1)

    grid = (
        np.linspace(-radius, radius, 181)[:, None]
        if m == 1
        else (2 * qmc.Sobol(m, scramble=False).random_base2(10) - 1) * radius
    )
    v0 = grid[np.argmin(sq_dist(grid))]
    res = scipy.optimize.minimize(
        sq_dist, v0, method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-16}
    )
    best = res.x if res.fun <= sq_dist(v0) else v0
    return rot @ skew_exp(np.tensordot(best, stab, axes=([-1], [0])))


def _stabilizer_basis(group: CompactLieGroup, reward, stabilizer) -> np.ndarray:
    """Orthonormal chart basis (m, n, n) of the directions leaving the base reward invariant."""
    unit = group._unit_basis
    if stabilizer is not None:
        gens = as_generator_stack(
            stabilizer.basis if isinstance(stabilizer, LieAlgebra) else stabilizer, "stabilizer"
        )
        if gens.shape[-1] != group.n:
            raise ValueError(f"stabilizer: expected generators of size {group.n}, got {gens.shape}")
        hat = group.chart @ gens @ group.chart_inverse
        # Coordinates in the unit basis (orthonormal for tr(X^T Y)/2), then orthonormalise.
        coords = 0.5 * hat.reshape(len(hat), -1) @ unit.reshape(len(unit), -1).T
    elif isinstance(reward, RewardProfile):
        a = group.chart @ reward.center
        scale = np.linalg.norm(a)
        if scale == 0.0:
            return unit  # the reward is invariant under the whole group
        cols = unit @ a  # (k, n): Q_j a
        _, sv, vt = np.linalg.svd(cols.T)
        rank = int(np.count_nonzero(sv > _NULL_RTOL * scale))
        coords = vt[rank:]
    else:
        return unit[:0]
    if coords.shape[0] == 0:
        return unit[:0]
    _, sv, vt = np.linalg.svd(coords, full_matrices=False)
    vt = vt[sv > _NULL_RTOL * max(sv.max(initial=0.0), 1.0)]
    return np.tensordot(vt, unit, axes=([-1], [0]))


class GroupInference:
    """Estimate the group element of an unseen task from k of its transitions.

    Two kinds of task families: tasks carried in the **reward** (navigation: the goal is the
    centre of the reward's level sets), where L minimises ``sum_k (r_k - r_0(L^-1 s'_k))^2``
    with a model of the base reward; and tasks carried in the **observation** (Reacher: the
    target is observed), where the base task's observations hold some coordinates constant
    (``c_0``, the task channels) and L minimises ``sum_k |P L^-1 s_k - c_0|^2`` over the
    states and next states of the k transitions. Both search the certified compact group.

    Parameters
    ----------
    group : CompactLieGroup or LieAlgebra
        The task group (build it once with :meth:`CompactLieGroup.from_algebra` and reuse
        it); a linear algebra, certified compact, is turned into its group at every fit.
    metric : array-like, shape=[n, n], optional
        Invariant form M of an algebra given as ``group``; taken from
        :func:`liesym.verify.verify` when omitted.
    base_reward : callable, optional
        Model of the base reward on original coordinates, ``(N, n) -> (N,)``: a
        :class:`RewardProfile`, or any callable (a ``gradient`` method is used when present,
        central differences otherwise). Give this or ``base_data``.
    base_data : transitions record or (next_states, rewards), optional
        Base-task data; a model of r_0 is fitted to it (see ``surrogate``). For
        ``carrier="observation"``: a transitions record or the base task's states (N, n).
    carrier : {"auto", "reward", "observation"}, optional, default: "auto"
        Where the task lives. "auto": the observation when ``base_data`` is a record (or
        array) whose states hold coordinates constant that the group moves, the reward
        otherwise.
    center : array-like, shape=[n], optional
        Fixed point c_0 of the base task's symmetry (for the profile surrogate; estimated
        from ``base_data`` when omitted).
    stabilizer : LieAlgebra or array-like, shape=[m, n, n], optional
        Generators (original coordinates) under which the base reward is invariant. For a
        profile they are found from its center; for other models pass them to get the
        canonical representative of the coset.
    surrogate : {"profile", "rbf"}, optional, default: "profile"
        Model fitted to ``base_data``: the radial profile ``h(|M^{1/2}(x - c_0)|)``, or a
        thin-plate radial-basis interpolant (no structure assumed; poor far from the data).
    n_candidates : int, optional
        Size of the search grid; default 720 for dim 1, 1024 * dim otherwise.
    n_starts : int, optional, default: 8
        Distinct grid minima refined on the group.
    max_iter : int, optional, default: 100
        Levenberg-Marquardt iterations.
    n_bootstrap : int, optional, default: 0
        Bootstrap resamples of the transitions. When positive, ``element_`` is the Fréchet
        mean of the resampled estimates and ``spread_`` their RMS geodesic distance to it.
    progress : bool, optional, default: False
        Progress bar over bootstrap resamples.
    rng : None, int or numpy.random.Generator
        Quasi-random grid and bootstrap draws.

    Attributes
    ----------
    group_ : CompactLieGroup
    carrier_ : str
        "reward" or "observation".
    base_model_ : callable or None
        The base-reward model used (reward carrier).
    task_channels_ : ndarray of int
        The constant, moved observation coordinates (observation carrier; empty otherwise).
    element_ : ndarray, shape=[n, n]
        Estimated L, original coordinates.
    coordinates_ : ndarray, shape=[k]
        ``group_.log(element_)``, exponential coordinates in ``algebra.basis``.
    spread_ : float
        Bootstrap geodesic spread (radians); NaN without bootstrap.
    residual_ : float
        RMS reward residual of the estimate on the given transitions.
    bootstrap_elements_ : ndarray, shape=[n_bootstrap, n, n]
    n_transitions_ : int

    Examples
    --------
    >>> from liesym.algebra import so
    >>> rng = np.random.default_rng(0)
    >>> g0 = np.array([1.0, 0.0])
    >>> base = rng.normal(size=(200, 2))
    >>> est = GroupInference(so(2), np.eye(2), base_data=(base, -np.linalg.norm(base - g0, axis=1)))
    >>> t = 2.0
    >>> goal = np.array([np.cos(t), np.sin(t)])
    >>> s = rng.normal(size=(10, 2))
    >>> est = est.fit((s, -np.linalg.norm(s - goal, axis=1)))
    >>> round(float(np.arctan2(est.element_[1, 0], est.element_[0, 0])), 4)
    2.0
    """

    def __init__(
        self,
        group,
        metric=None,
        base_reward=None,
        base_data=None,
        *,
        carrier: str = "auto",
        center=None,
        stabilizer=None,
        surrogate: str = "profile",
        n_candidates: int | None = None,
        n_starts: int = 8,
        max_iter: int = 100,
        n_bootstrap: int = 0,
        progress: bool = False,
        rng=None,
    ) -> None:
        self.group = group
        self.metric = metric
        self.carrier = carrier
        self.base_reward = base_reward
        self.base_data = base_data
        self.center = center
        self.stabilizer = stabilizer
        self.surrogate = surrogate
        self.n_candidates = n_candidates
        self.n_starts = n_starts
        self.max_iter = max_iter
        self.n_bootstrap = n_bootstrap
        self.progress = progress
        self.rng = rng

    @property
    def algebra(self) -> LieAlgebra:
        """The task-group algebra (of ``group``)."""
        return self.group.algebra if isinstance(self.group, CompactLieGroup) else self.group

    def _group(self) -> CompactLieGroup:
        if isinstance(self.group, CompactLieGroup):
            if self.metric is not None:
                raise ValueError("metric: the CompactLieGroup already carries its invariant form")
            return self.group
        if not isinstance(self.group, LieAlgebra):
            raise TypeError(
                "group: expected a CompactLieGroup or a LieAlgebra, got "
                f"{type(self.group).__name__}"
            )
        return CompactLieGroup.from_algebra(self.group, self.metric)

    def _observation_model(self, group: CompactLieGroup):
        """Task channels (constant in the base task, moved by the group) and their values."""
        data = self.base_data
        if data is None:
            return None
        states = getattr(data, "states", None)
        if states is not None:
            states = np.concatenate([states, data.next_states])
        elif isinstance(data, np.ndarray) and data.ndim == 2:
            states = data
        else:
            return None
        if states.shape[1] != group.n or len(states) < 2:
            return None
        mean = states.mean(axis=0)
        constant = states.std(axis=0) <= 1e-9 * np.maximum(1.0, np.abs(mean))
        moved = np.abs(group.algebra.basis).max(axis=(0, 2)) > 0
        channels = np.flatnonzero(constant & moved)
        if channels.size == 0 or np.linalg.norm(mean[channels]) == 0:
            return None
        return _ObservationModel(channels, mean[channels], group.chart_inverse)

    def _base_model(self, group: CompactLieGroup):
        if (self.base_reward is None) == (self.base_data is None):
            raise ValueError("base_reward, base_data: give exactly one of them")
        if self.base_reward is not None:
            if not callable(self.base_reward):
                raise ValueError("base_reward: expected a callable on points (..., n)")
            return self.base_reward
        x, r = as_reward_data(self.base_data, name="base_data", n=group.n)
        if np.ptp(r) == 0:
            raise ValueError("base_data: the rewards are constant (they carry no task information)")
        if self.surrogate == "profile":
            return fit_reward_profile(x, r, group.metric, center=self.center)
        if self.surrogate == "rbf":
            from scipy.interpolate import RBFInterpolator

            return RBFInterpolator(x, r, kernel="thin_plate_spline")
        raise ValueError(f"surrogate: expected 'profile' or 'rbf', got {self.surrogate!r}")

    def _check_params(self) -> None:
        for name, low in (("n_starts", 1), ("max_iter", 0), ("n_bootstrap", 0)):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
                raise ValueError(f"{name}: expected an integer >= {low}, got {value!r}")
        if self.n_candidates is not None and (
            not isinstance(self.n_candidates, int | np.integer) or self.n_candidates < 2
        ):
            raise ValueError(f"n_candidates: expected an integer >= 2, got {self.n_candidates!r}")

    def fit(self, X, y=None) -> "GroupInference":
        """Estimate the element from the unseen task's transitions.

        Parameters
        ----------
        X : transitions record, (next_states, rewards), or array, shape=[k, n]
            The unseen task's transitions (only next states and rewards are used).
        y : array-like, shape=[k], optional
            Rewards, when ``X`` is an array of next states.

        Returns
        -------
        self
        """
        self._check_params()
        if self.carrier not in ("auto", "reward", "observation"):
            raise ValueError(
                f"carrier: expected 'auto', 'reward' or 'observation', got {self.carrier!r}"
            )
        group = self._group()
        observed = None if self.carrier == "reward" else self._observation_model(group)
        if self.carrier == "observation" and observed is None:
            raise ValueError(
                "base_data: no observation coordinate is constant in the base task and moved by "
                "the group (the task is not carried in the observation)"
            )
        rng = as_rng(self.rng)
        if observed is not None:
            states = getattr(X, "states", None)
            if states is None:
                states = as_finite_array(X, "transitions", ndim=2)
            else:
                states = np.concatenate([states, X.next_states])
            if states.shape[1] != group.n:
                raise ValueError(
                    f"transitions: expected states with {group.n} coordinates, got {states.shape}"
                )
            points, rewards = states, np.zeros((len(states), observed.channels.size))
            model, chart_model = None, observed
            stab = group._unit_basis[:0]
        else:
            points, rewards = as_reward_data(X, y, name="transitions", n=group.n)
            if len(rewards) > 1 and np.ptp(rewards) == 0.0:
                raise ValueError(
                    f"transitions: the rewards are constant (all {len(rewards)} equal), so no "
                    "group element is preferred; the task cannot be inferred from these transitions"
                )
            model = self._base_model(group)
            chart_model = _ChartModel(model, group.chart_inverse)
            stab = _stabilizer_basis(group, model, self.stabilizer)
        grid, grid_rots = _grid(group, self.n_candidates, rng)
        # Spacing of the grid, so that refined starts sit in different basins.
        separation = 2.0 * group.principal_radius * (2.0 / len(grid)) ** (1.0 / group.dim)
        y_chart = points @ group.chart

        def estimate(idx):
            yk, rk = y_chart[idx], rewards[idx]
            _, loss = _losses(chart_model, yk, rk, grid_rots)
            starts = _distinct(grid, loss, self.n_starts, separation)
            rots, loss = _refine(
                chart_model, yk, rk, grid_rots[starts], group._unit_basis, self.max_iter
            )
            return _canonical(rots[np.argmin(loss)], stab, group.principal_radius)

        rot = estimate(np.arange(len(rewards)))
        boot = []
        for _ in progress(range(self.n_bootstrap), enable=self.progress, desc="bootstrap"):
            boot.append(estimate(rng.integers(0, len(rewards), len(rewards))))
        if boot:
            boot = group.from_chart(np.stack(boot))
            mean = group.to_chart(group.frechet_mean(boot))
            rot = _canonical(mean, stab, group.principal_radius)
            self.spread_ = float(np.sqrt(np.mean(group.dist(boot, group.from_chart(rot)) ** 2)))
            self.bootstrap_elements_ = boot
        else:
            self.spread_ = float("nan")
            self.bootstrap_elements_ = np.empty((0, group.n, group.n))
        e, _ = _losses(chart_model, y_chart, rewards, rot[None])
        self.group_ = group
        self.carrier_ = "reward" if observed is None else "observation"
        self.task_channels_ = np.empty(0, dtype=int) if observed is None else observed.channels
        self.base_model_ = model
        self.element_ = group.from_chart(rot)
        self.coordinates_ = group.log(self.element_)
        self.residual_ = float(np.sqrt(np.mean(e**2)))
        self.n_transitions_ = len(rewards)
        return self


class ElementTracker:
    """The least-squares element of a task, updated with every transition of running episodes.

    k probing transitions near the start say little about a reward-carried task (on the circle
    family the reward's sensitivity to the goal angle is at most the distance from the orbit's
    centre); the transitions of the episode itself say more and more as the policy reaches the
    task's region. For each episode of a batch the tracker keeps the loss
    ``sum (r_k - r_0(L^{-1} s'_k))^2`` of every grid element of the group (the grid of
    :class:`GroupInference`) over the prior transitions (e.g. the probes) and the episode's so
    far, and the least-squares element: after each transition, the grid's best element when
    it beats the current estimate (another basin), then a few Levenberg-Marquardt steps on all
    the episode's transitions.

    Parameters
    ----------
    group : CompactLieGroup
        The certified task group.
    base_reward : callable
        Model of the base reward on original coordinates, ``(N, n) -> (N,)``.
    prior : (next_states, rewards), optional
        Transitions (k, n) and (k,) every episode starts from (the task's probes).
    n_candidates : int, optional
        Size of the grid (default that of :class:`GroupInference`).
    n_iter : int, optional, default: 3
        Levenberg-Marquardt steps per update (100 on the prior).
    rng : None, int or numpy.random.Generator
        The quasi-random grid of groups of dimension > 1.

    Attributes
    ----------
    elements_ : ndarray, shape=[B, n, n]
        Current estimate of each episode (original coordinates), after :meth:`reset`.
    n_transitions_ : ndarray of int, shape=[B]
        Transitions each estimate rests on (prior included).

    Examples
    --------
    A goal at 1 rad, 3 uninformative probes at the centre, then transitions near the goal:

    >>> from liesym.algebra import so
    >>> group = CompactLieGroup.from_algebra(so(2), np.eye(2))
    >>> def base(x):
    ...     return -np.linalg.norm(x - np.array([1.0, 0.0]), axis=-1)
    >>> goal = np.array([np.cos(1.0), np.sin(1.0)])
    >>> def reward(x):
    ...     return -np.linalg.norm(x - goal, axis=-1)
    >>> probes = np.zeros((3, 2))
    >>> tracker = ElementTracker(group, base, prior=(probes, reward(probes))).reset(2)
    >>> for x in ([[0.5, 0.5], [0.6, 0.6]], [[0.6, 0.8], [0.4, 0.8]]):
    ...     tracker = tracker.update(np.array(x), reward(np.array(x)))
    >>> group.log(tracker.elements_).round(6)[:, 0]
    array([1., 1.])
    >>> tracker.n_transitions_
    array([5, 5])
    """

    def __init__(
        self,
        group: CompactLieGroup,
        base_reward,
        *,
        prior=None,
        n_candidates: int | None = None,
        n_iter: int = 3,
        rng=None,
    ) -> None:
        if not isinstance(group, CompactLieGroup):
            raise TypeError(f"group: expected a CompactLieGroup, got {type(group).__name__}")
        if not callable(base_reward):
            raise ValueError("base_reward: expected a callable on points (..., n)")
        if not isinstance(n_iter, int | np.integer) or isinstance(n_iter, bool) or n_iter < 0:
            raise ValueError(f"n_iter: expected an integer >= 0, got {n_iter!r}")
        self.group = group
        self.model = _ChartModel(base_reward, group.chart_inverse)
        if n_candidates and (not isinstance(n_candidates, int | np.integer) or n_candidates < 2):
            raise ValueError(f"n_candidates: expected an integer >= 2, got {n_candidates!r}")
        _, self._grid = _grid(group, n_candidates, as_rng(rng))
        if prior is None:
            self._prior = (np.empty((0, group.n)), np.empty(0))
        else:
            x, r = as_reward_data(prior, name="prior", n=group.n)
            self._prior = (x @ group.chart, r)
        self.n_iter = int(n_iter)
        y, r = self._prior
        self._prior_loss = _losses(self.model, y, r, self._grid)[1] if len(r) else None

    def reset(self, batch_size: int) -> "ElementTracker":
        """Start ``batch_size`` episodes from the prior transitions."""
        b = as_count(batch_size, "batch_size")
        y, r = self._prior
        # Every episode's transitions so far (prior first); weight 0 after it has ended.
        self._y = np.broadcast_to(y, (b, *y.shape))
        self._r = np.broadcast_to(r, (b, len(r)))
        self._w = np.ones((b, len(r)))
        if self._prior_loss is None:
            self._loss = np.zeros((b, len(self._grid)))
            rots = np.repeat(np.eye(self.group.n)[None], b, axis=0)
        else:
            self._loss = np.repeat(self._prior_loss[None], b, axis=0)
            start = self._grid[np.argmin(self._prior_loss)][None]
            rot, _ = _refine(self.model, y, r, start, self.group._unit_basis, 100)
            rots = np.repeat(rot, b, axis=0)
        self._rots = rots
        self._set(rots)
        return self

    def _set(self, rots: np.ndarray) -> None:
        self.elements_ = self.group.from_chart(rots)
        self.n_transitions_ = np.sum(self._w, axis=1).astype(int)

    def update(self, next_states, rewards, mask=None) -> "ElementTracker":
        """Add one transition per episode (``mask`` False: the episode has ended) and re-estimate.

        Parameters
        ----------
        next_states : array-like, shape=[B, n]
        rewards : array-like, shape=[B]
            The rewards as observed (with their noise).
        mask : array-like of bool, shape=[B], optional
            Episodes the transition belongs to (default all).
        """
        if not hasattr(self, "_rots"):
            raise RuntimeError("ElementTracker: call reset(batch_size) before update")
        b = len(self._rots)
        x = as_finite_array(next_states, "next_states")
        r = as_finite_array(rewards, "rewards")
        if x.shape != (b, self.group.n) or r.shape != (b,):
            raise ValueError(
                f"next_states, rewards: expected shapes ({b}, {self.group.n}) and ({b},), "
                f"got {x.shape} and {r.shape}"
            )
        w = np.ones(b) if mask is None else np.asarray(mask, dtype=bool).astype(float)
        if w.shape != (b,):
            raise ValueError(f"mask: expected shape ({b},), got {w.shape}")
        y = x @ self.group.chart
        e = r[:, None] - self.model.value(np.einsum("bi,cij->bcj", y, self._grid))
        self._loss += w[:, None] * e**2
        self._y = ys = np.concatenate([self._y, y[:, None]], axis=1)
        self._r = rs = np.concatenate([self._r, r[:, None]], axis=1)
        self._w = ws = np.concatenate([self._w, w[:, None]], axis=1)
        _, current = _losses(self.model, ys, rs, self._rots, ws)
        best = np.argmin(self._loss, axis=1)
        jump = self._loss[np.arange(b), best] < current
        rots = np.where(jump[:, None, None], self._grid[best], self._rots)
        if self.n_iter:
            rots, _ = _refine(self.model, ys, rs, rots, self.group._unit_basis, self.n_iter, ws)
        self._rots = rots
        self._set(rots)
        return self
