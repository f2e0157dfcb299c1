"""Vectorised rollouts of policies on navigation tasks, with explicit (mappable) noise.

All episodes of all tasks advance together, one vectorised step per time step; finished
episodes are frozen until every episode is done or the time limit is hit. The randomness of
a rollout (start states and step noise) can be drawn up front as a :class:`RolloutNoise`,
shared between policies (common random numbers) and mapped by a group element: with noise
mapped by L, the rollout of ``L pi_0(L^-1 s)`` on the task ``L g_0`` is the image under L of
the rollout of ``pi_0`` on the base task.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from liesym._core import as_count, as_finite_array, as_rng
from liesym.algebra import act, linear_part
from liesym.envs.dynamics import NavigationDynamics
from liesym.envs.navigation import TaskFamily
from liesym.policies.base import Policy


def as_dynamics(system) -> NavigationDynamics:
    """The dynamics of a task family, or the dynamics themselves."""
    if isinstance(system, TaskFamily):
        return system.dynamics
    if isinstance(system, NavigationDynamics):
        return system
    raise ValueError(
        f"dynamics: expected a NavigationDynamics or a TaskFamily, got {type(system).__name__}"
    )


def check_goals(goals, n: int, name: str = "goals") -> np.ndarray:
    """Validate one goal (n,) or a batch of goals (G, n)."""
    arr = as_finite_array(goals, name, ndim=(1, 2))
    if arr.shape[-1] != n or arr.shape[0] < 1:
        raise ValueError(f"{name}: expected shape ({n},) or (G, {n}) with G >= 1, got {arr.shape}")
    return arr


@dataclass(frozen=True, eq=False)
class RolloutNoise:
    """Start states and step noise of a batch of episodes, drawn before the rollout.

    Parameters
    ----------
    starts : array-like, shape=[..., n]
        Start states; the batch axes end with the episode axis.
    steps : array-like, shape=[..., T, n]
        Additive noise of time steps 0..T-1 (broadcast against ``starts``' batch axes).
    rewards : array-like, shape=[..., T], optional
        Observation noise of the rewards (drawn when the dynamics have ``reward_noise``): what
        policies that learn during the episode (``observe``) see added to the reward.

    Examples
    --------
    >>> from liesym.envs import NavigationDynamics
    >>> noise = rollout_noise(NavigationDynamics(), (3, 8), rng=0)
    >>> noise.starts.shape, noise.steps.shape, noise.max_steps
    ((3, 8, 2), (3, 8, 100, 2), 100)
    >>> quarter = [[0.0, -1.0], [1.0, 0.0]]
    >>> bool(np.allclose(noise.transform(quarter).steps[..., 0], -noise.steps[..., 1]))
    True
    """

    starts: np.ndarray
    steps: np.ndarray
    rewards: np.ndarray | None = None

    def __post_init__(self) -> None:
        starts = as_finite_array(self.starts, "starts")
        steps = as_finite_array(self.steps, "steps")
        if self.rewards is not None:
            rewards = as_finite_array(self.rewards, "rewards")
            if rewards.shape != steps.shape[:-1]:
                raise ValueError(
                    f"rewards: expected the steps' shape without its last axis "
                    f"{steps.shape[:-1]}, got {rewards.shape}"
                )
            rewards.setflags(write=False)
            object.__setattr__(self, "rewards", rewards)
        if starts.ndim < 1 or steps.ndim < 2 or steps.shape[-1] != starts.shape[-1]:
            raise ValueError(
                f"steps: expected shape [..., T, n] with n = {starts.shape[-1:]} (as starts), "
                f"got {steps.shape}"
            )
        try:
            np.broadcast_shapes(starts.shape[:-1], steps.shape[:-2])
        except ValueError:
            raise ValueError(
                f"steps: batch axes {steps.shape[:-2]} do not broadcast with the starts' "
                f"{starts.shape[:-1]}"
            ) from None
        for arr in (starts, steps):
            arr.setflags(write=False)
        object.__setattr__(self, "starts", starts)
        object.__setattr__(self, "steps", steps)

    @property
    def n(self) -> int:
        """Dimension of the states."""
        return int(self.starts.shape[-1])

    @property
    def max_steps(self) -> int:
        """Number of time steps T the noise covers."""
        return int(self.steps.shape[-2])

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """Broadcast batch shape of starts and steps."""
        return np.broadcast_shapes(self.starts.shape[:-1], self.steps.shape[:-2])

    def transform(self, element) -> "RolloutNoise":
        """The noise mapped by a group element: starts by ``act``, steps by its linear part.

        Parameters
        ----------
        element : array-like, shape=[n, n] or [n+1, n+1]
            Linear or homogeneous affine; a batch ``[..., n, n]`` broadcasts against the batch
            axes of the noise without the episode axis.

        Returns
        -------
        RolloutNoise
        """
        g = np.asarray(as_finite_array(element, "element"))
        lin = linear_part(g, self.n)
        starts = act(g[..., None, :, :], self.starts)
        steps = np.einsum("...ij,...tj->...ti", lin[..., None, :, :], self.steps)
        return RolloutNoise(starts, steps, self.rewards)


def rollout_noise(dynamics, shape, *, rng=None, max_steps: int | None = None) -> RolloutNoise:
    """Draw start states and step noise for episodes of batch shape ``shape``.

    Parameters
    ----------
    dynamics : NavigationDynamics or TaskFamily
    shape : int or tuple of int
        Batch shape, episode axis last (e.g. ``(G, E)``).
    rng : None, int or numpy.random.Generator, optional
    max_steps : int, optional
        Time steps covered (default ``dynamics.max_steps``).

    Returns
    -------
    RolloutNoise
        ``starts`` of shape ``[*shape, n]``, ``steps`` of shape ``[*shape, T, n]``, and for
        dynamics with ``reward_noise`` the rewards' observation noise ``[*shape, T]`` (drawn
        last, so the other draws do not depend on it).

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> noise = rollout_noise(circle_tasks(), (2, 5), rng=0)  # 2 tasks x 5 episodes
    >>> noise.starts.shape, noise.steps.shape
    ((2, 5, 2), (2, 5, 100, 2))
    """
    dyn = as_dynamics(dynamics)
    shape = (shape,) if np.isscalar(shape) else tuple(shape)
    for size in shape:
        as_count(size, "shape")
    horizon = dyn.max_steps if max_steps is None else as_count(max_steps, "max_steps")
    rng = as_rng(rng)
    starts = dyn.sample_start(shape, rng)
    steps = dyn.sample_noise((*shape, horizon), rng)
    return RolloutNoise(starts, steps, dyn.sample_reward_noise((*shape, horizon), rng))


@dataclass(frozen=True, eq=False)
class Rollouts:
    """Outcome of a batch of episodes (batch axes first, episode axis last).

    Attributes
    ----------
    returns : ndarray, shape=[...]
        Undiscounted sum of the rewards of each episode.
    lengths : ndarray of int, shape=[...]
        Steps taken (until termination or the time limit).
    success : ndarray of bool, shape=[...]
        Whether the episode terminated at the goal before the time limit.
    states : ndarray, shape=[..., T+1, n] or None
        Visited states (when trajectories were requested); NaN after the episode's end.
    actions : ndarray, shape=[..., T, n] or None
        Actions as applied (projected); NaN after the end.
    rewards : ndarray, shape=[..., T] or None
        Rewards; NaN after the end.

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> from liesym.policies import GoalSeekingPolicy, rollout
    >>> fam = circle_tasks()
    >>> out = rollout(GoalSeekingPolicy(fam.base_goal, fam.dynamics), fam, fam.base_goal, 8,
    ...               rng=0)
    >>> out.returns.shape, out.lengths.shape, out.success_rate
    ((8,), (8,), 1.0)
    """

    returns: np.ndarray
    lengths: np.ndarray
    success: np.ndarray
    states: np.ndarray | None = None
    actions: np.ndarray | None = None
    rewards: np.ndarray | None = None

    def __repr__(self) -> str:
        return (
            f"Rollouts(shape={self.returns.shape}, mean_return={self.mean_return:.4g}, "
            f"success_rate={self.success_rate:.3g})"
        )

    @property
    def mean_return(self) -> float:
        """Mean return over all episodes."""
        return float(self.returns.mean())

    @property
    def success_rate(self) -> float:
        """Fraction of episodes that reached the goal."""
        return float(self.success.mean())


def simulate(
    act_fn: Callable[[np.ndarray], np.ndarray],
    dynamics: NavigationDynamics,
    goals: np.ndarray,
    noise: RolloutNoise,
    *,
    batch_shape: tuple[int, ...] = (),
    record: bool = False,
    observe: Callable | None = None,
) -> Rollouts:
    """Run episodes from explicit noise (no input checks: the kernel of :func:`rollout`).

    Parameters
    ----------
    act_fn : callable
        ``act_fn(states [*batch, n]) -> actions [*batch, n]`` (projected by the dynamics).
    dynamics : NavigationDynamics
    goals : ndarray, shape=[..., n]
        Broadcast against the batch axes.
    noise : RolloutNoise
        Its batch axes (broadcast with the goals') give the batch of episodes.
    batch_shape : tuple of int, optional
        Further batch axes to broadcast with (e.g. a population of parameters).
    record : bool, optional, default: False
        Keep the trajectories.
    observe : callable, optional
        ``observe(next_states, rewards, alive)`` after every step, with the rewards as
        observed (plus the noise's ``rewards``, when drawn) and the mask of the episodes the
        step belongs to: policies that learn during the episode. The returns count the
        rewards without their observation noise (its mean is zero).

    Returns
    -------
    Rollouts

    Examples
    --------
    The same noise gives the same episodes (common random numbers across methods):

    >>> from liesym.envs import circle_tasks
    >>> from liesym.policies import GoalSeekingPolicy
    >>> fam = circle_tasks()
    >>> noise = rollout_noise(fam, 4, rng=0)
    >>> seek = GoalSeekingPolicy(fam.base_goal, fam.dynamics)
    >>> a = simulate(seek.act, fam.dynamics, fam.base_goal, noise)
    >>> b = simulate(seek.act, fam.dynamics, fam.base_goal, noise)
    >>> bool(np.array_equal(a.returns, b.returns)), bool(a.success.all())
    (True, True)
    """
    dyn = dynamics
    batch = np.broadcast_shapes(noise.batch_shape, goals.shape[:-1], tuple(batch_shape))
    n = dyn.n
    state = np.array(np.broadcast_to(noise.starts, (*batch, n)))
    total = np.zeros(batch)
    lengths = np.zeros(batch, dtype=np.int64)
    success = np.zeros(batch, dtype=bool)
    alive = np.ones(batch, dtype=bool)
    horizon = min(dyn.max_steps, noise.max_steps)
    if record:
        states = np.full((*batch, horizon + 1, n), np.nan)
        actions = np.full((*batch, horizon, n), np.nan)
        rewards = np.full((*batch, horizon), np.nan)
        states[..., 0, :] = state
    t_end = 0
    for t in range(horizon):
        step = dyn.transition(state, act_fn(state), goals, noise.steps[..., t, :], check=False)
        applied, nxt, distance = step.applied, step.next_states, step.distance
        if observe is not None:
            seen = -distance if noise.rewards is None else noise.rewards[..., t] - distance
            observe(nxt, np.broadcast_to(seen, batch), alive)
        total -= np.where(alive, distance, 0.0)
        lengths += alive
        reached = alive & step.terminated
        success |= reached
        if record:
            live = alive[..., None]
            states[..., t + 1, :] = np.where(live, nxt, np.nan)
            actions[..., t, :] = np.where(live, applied, np.nan)
            rewards[..., t] = np.where(alive, -distance, np.nan)
        alive &= ~reached
        # Finished episodes stay frozen, so the policy never sees their stale states move.
        state = np.where(alive[..., None], nxt, state)
        t_end = t + 1
        if not alive.any():
            break
    if not record:
        return Rollouts(total, lengths, success)
    return Rollouts(
        total,
        lengths,
        success,
        states[..., : t_end + 1, :],
        actions[..., :t_end, :],
        rewards[..., :t_end],
    )


def affine_returns(gain, bias, dynamics: NavigationDynamics, goals, noise: RolloutNoise):
    """Returns of the affine policies ``proj(K s + b)``, batched, finished episodes dropped.

    The fast kernel for populations of linear policies (training): every argument
    broadcasts to one batch shape, each batch entry is one episode, and the arrays are
    compacted as episodes end, so that the cost follows the number of running episodes.
    Noise is gathered per step from the (small) noise batch, never copied per member.

    Parameters
    ----------
    gain : ndarray, shape=[..., n, n]
    bias : ndarray, shape=[..., n]
    dynamics : NavigationDynamics
    goals : ndarray, shape=[..., n]
    noise : RolloutNoise

    Returns
    -------
    ndarray, shape=[...]
        Undiscounted returns (same law as :func:`simulate`).
    """
    dyn = dynamics
    n = dyn.n
    noise_shape = noise.batch_shape
    batch = np.broadcast_shapes(gain.shape[:-2], bias.shape[:-1], goals.shape[:-1], noise_shape)
    rows = int(np.prod(batch))
    gain = np.broadcast_to(gain, (*batch, n, n)).reshape(rows, n, n)
    bias = np.broadcast_to(bias, (*batch, n)).reshape(rows, n)
    goal = np.broadcast_to(goals, (*batch, n)).reshape(rows, n)
    state = np.broadcast_to(noise.starts, (*batch, n)).reshape(rows, n)
    table = np.broadcast_to(noise.steps, (*noise_shape, noise.max_steps, n)).reshape(
        -1, noise.max_steps, n
    )
    source = np.broadcast_to(np.arange(table.shape[0]).reshape(noise_shape), batch).ravel()
    ids = np.arange(rows)
    total = np.zeros(rows)
    for t in range(min(dyn.max_steps, noise.max_steps)):
        raw = np.einsum("rij,rj->ri", gain, state) + bias
        step = dyn.transition(state, raw, goal, table[source, t], check=False)
        state, distance = step.next_states, step.distance
        total[ids] -= distance
        running = ~step.terminated
        if not running.all():
            ids, gain, bias, goal, state, source = (
                x[running] for x in (ids, gain, bias, goal, state, source)
            )
            if ids.size == 0:
                break
    return total.reshape(batch)


def _policy_act(policy, n_goals: int | None) -> Callable[[np.ndarray], np.ndarray]:
    """One act function over states (G, E, n) from a policy or one policy per goal."""
    if isinstance(policy, Policy):
        return policy.act
    if isinstance(policy, Sequence) and all(isinstance(p, Policy) for p in policy):
        if n_goals is None or len(policy) != n_goals:
            raise ValueError(
                f"policy: a sequence of policies needs one per goal ({n_goals} goals given as "
                f"shape (G, n)), got {len(policy)}"
            )
        policies = list(policy)
        return lambda s: np.stack([p.act(s[g]) for g, p in enumerate(policies)])
    raise ValueError(
        f"policy: expected a Policy (with act(states)) or a sequence of them, "
        f"got {type(policy).__name__}"
    )


def rollout(
    policy: Policy | Sequence[Policy],
    dynamics,
    goals,
    n_episodes: int | None = None,
    *,
    rng=None,
    noise: RolloutNoise | None = None,
    trajectories: bool = False,
) -> Rollouts:
    """Roll out a policy for ``n_episodes`` episodes per goal, all in one vectorised batch.

    Parameters
    ----------
    policy : Policy or sequence of Policy
        One policy for every goal, or one per goal (goals of shape (G, n)).
    dynamics : NavigationDynamics or TaskFamily
    goals : array-like, shape=[n] or [G, n]
    n_episodes : int, optional
        Episodes per goal; default 16, or the last batch axis of ``noise``.
    rng : None, int or numpy.random.Generator, optional
        Draws the noise when ``noise`` is not given.
    noise : RolloutNoise, optional
        Start states and step noise of batch shape ``(E,)`` (shared by every goal) or
        ``(G, E)``: common random numbers between policies.
    trajectories : bool, optional, default: False
        Record states, actions and rewards.

    Returns
    -------
    Rollouts
        Arrays of shape ``(E,)`` for one goal, ``(G, E)`` for G goals.

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> from liesym.policies import GoalSeekingPolicy
    >>> fam = circle_tasks()
    >>> out = rollout(GoalSeekingPolicy(fam.base_goal, fam.dynamics), fam, fam.base_goal, 32, rng=0)
    >>> out.returns.shape, out.success_rate
    ((32,), 1.0)
    """
    dyn = as_dynamics(dynamics)
    goals = check_goals(goals, dyn.n)
    n_goals = goals.shape[0] if goals.ndim == 2 else None
    act_fn = _policy_act(policy, n_goals)
    if noise is None:
        n_episodes = 16 if n_episodes is None else as_count(n_episodes, "n_episodes")
        shape = (n_episodes,) if n_goals is None else (n_goals, n_episodes)
        noise = rollout_noise(dyn, shape, rng=rng)
    else:
        if not isinstance(noise, RolloutNoise):
            raise ValueError(f"noise: expected a RolloutNoise, got {type(noise).__name__}")
        if noise.n != dyn.n:
            raise ValueError(f"noise: expected noise of dimension {dyn.n}, got {noise.n}")
        shape = noise.batch_shape
        if len(shape) > (1 if n_goals is None else 2) or (
            n_goals is not None and len(shape) == 2 and shape[0] not in (1, n_goals)
        ):
            raise ValueError(
                f"noise: expected batch shape (E,) or ({n_goals or 1}, E), got {shape}"
            )
        if n_episodes is not None and as_count(n_episodes, "n_episodes") != shape[-1]:
            raise ValueError(f"n_episodes: {n_episodes} differs from the noise's {shape[-1]}")
    target = goals if n_goals is None else goals[:, None, :]
    if n_goals is not None and len(noise.batch_shape) == 1:
        rewards = None if noise.rewards is None else noise.rewards[None]
        noise = RolloutNoise(noise.starts[None], noise.steps[None], rewards)
    observe = _policy_observe(policy, np.broadcast_shapes(noise.batch_shape, target.shape[:-1]))
    if observe is not None and dyn.reward_noise > 0 and noise.rewards is None:
        raise ValueError(
            "noise: the policy observes rewards, which these dynamics observe with noise; "
            "draw the noise with rollout_noise (it includes the rewards' noise)"
        )
    return simulate(act_fn, dyn, target, noise, record=trajectories, observe=observe)


def _policy_observe(policy, batch: tuple[int, ...]) -> Callable | None:
    """Start the episodes of policies that learn during them; their joint ``observe``.

    Such a policy has ``reset(shape)`` (the batch shape of the states it will act on: the
    whole batch, or a goal's episodes for one policy per goal) and
    ``observe(next_states, rewards, alive)``.
    """
    if isinstance(policy, Policy):
        if not hasattr(policy, "observe"):
            return None
        policy.reset(batch)
        return policy.observe
    policies = list(policy)
    if not any(hasattr(p, "observe") for p in policies):
        return None
    for p in policies:
        if hasattr(p, "observe"):
            p.reset(batch[1:])
    parts = [(g, p) for g, p in enumerate(policies) if hasattr(p, "observe")]

    def observe(next_states, rewards, alive):
        for g, p in parts:
            p.observe(next_states[g], rewards[g], alive[g])

    return observe
