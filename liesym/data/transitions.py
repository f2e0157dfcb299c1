"""Transition data from any task family: a frozen record and seeded collectors (vectorised)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

import numpy as np

from liesym._core import as_count, as_finite_array, as_rng
from liesym._core import progress as progress_bar

_ROW_FIELDS = (
    "states",
    "actions",
    "next_states",
    "rewards",
    "terminated",
    "truncated",
    "task_ids",
    "episode_ids",
    "raw_actions",
)


@dataclass(frozen=True, eq=False)
class Transitions:
    """Transitions ``(s, a, s', r)`` of one or several tasks; rows are samples.

    Parameters
    ----------
    states, next_states : array-like, shape=[N, n]
    actions : array-like, shape=[N, m]
        As applied (after clipping or projection onto the admissible set).
    rewards : array-like, shape=[N]
        Rewards of the next states, as observed (with the env's reward noise, if any).
    terminated, truncated : array-like of bool, shape=[N]
    task_ids : array-like of int, shape=[N]
        Index of each row's task (its goal is ``goals[task_id]``).
    episode_ids : array-like of int, shape=[N]
    raw_actions : array-like, shape=[N, m], optional
        Actions as the policy proposed them, before projection.
    goals : array-like, shape=[T, n], optional
        One goal per task id.

    Examples
    --------
    >>> data = Transitions(
    ...     states=np.zeros((2, 2)), actions=np.full((2, 2), 0.05),
    ...     next_states=np.full((2, 2), 0.05),
    ...     rewards=[-1.0, -1.1], terminated=[False, False], truncated=[False, False],
    ...     task_ids=[0, 1], episode_ids=[0, 1], goals=[[1.0, 0.0], [0.0, 1.0]])
    >>> len(data), len(data.for_task(1)), data.n_tasks
    (2, 1, 2)
    """

    states: np.ndarray
    actions: np.ndarray
    next_states: np.ndarray
    rewards: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    task_ids: np.ndarray
    episode_ids: np.ndarray
    raw_actions: np.ndarray | None = None
    goals: np.ndarray | None = None

    def __post_init__(self) -> None:
        states = as_finite_array(self.states, "states", ndim=2)
        n_rows, n = states.shape
        values = {"states": states}
        m = None
        for name in ("actions", "next_states", "raw_actions"):
            value = getattr(self, name)
            if value is None:
                continue
            value = as_finite_array(value, name, ndim=2)
            width = n if name == "next_states" else (m or value.shape[1])
            if value.shape != (n_rows, width):
                raise ValueError(f"{name}: expected shape ({n_rows}, {width}), got {value.shape}")
            if name == "actions":
                m = width
            values[name] = value
        values["rewards"] = as_finite_array(self.rewards, "rewards", ndim=1)
        for name in ("terminated", "truncated"):
            values[name] = np.asarray(getattr(self, name), dtype=bool)
        for name in ("task_ids", "episode_ids"):
            raw = np.asarray(getattr(self, name))
            if raw.size and not np.issubdtype(raw.dtype, np.integer):
                raise ValueError(f"{name}: expected integers, got dtype {raw.dtype}")
            values[name] = raw.astype(np.int64)
            if np.any(values[name] < 0):
                raise ValueError(f"{name}: expected non-negative integers")
        for name in _ROW_FIELDS[3:8]:
            if values[name].shape != (n_rows,):
                raise ValueError(f"{name}: expected shape ({n_rows},), got {values[name].shape}")
        if self.goals is not None:
            goals = as_finite_array(self.goals, "goals", ndim=2)
            if goals.shape[1] != n:
                raise ValueError(f"goals: expected shape (T, {n}), got {goals.shape}")
            if n_rows and values["task_ids"].max() >= goals.shape[0]:
                raise ValueError(
                    f"task_ids: ids up to {values['task_ids'].max()} but only "
                    f"{goals.shape[0]} goals"
                )
            values["goals"] = goals
        for name, value in values.items():
            value.setflags(write=False)
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return int(self.states.shape[0])

    def __repr__(self) -> str:
        return f"Transitions(len={len(self)}, n={self.n}, n_tasks={self.n_tasks})"

    @property
    def n(self) -> int:
        """Dimension of the states."""
        return int(self.states.shape[1])

    @property
    def action_dim(self) -> int:
        """Dimension of the actions."""
        return int(self.actions.shape[1])

    @property
    def n_tasks(self) -> int:
        """Number of tasks: ``len(goals)``, or ``max(task_ids) + 1`` without goals."""
        if self.goals is not None:
            return int(self.goals.shape[0])
        return int(self.task_ids.max()) + 1 if len(self) else 0

    @property
    def row_goals(self) -> np.ndarray:
        """The goal of each row, shape (N, n) (requires ``goals``)."""
        if self.goals is None:
            raise ValueError("row_goals: this record has no goals")
        return self.goals[self.task_ids]

    def subset(self, idx) -> "Transitions":
        """The rows selected by ``idx`` (indices, a slice or a boolean mask of length N)."""
        if isinstance(idx, slice):
            idx = np.arange(len(self))[idx]
        idx = np.asarray(idx)
        if idx.dtype == bool and idx.shape != (len(self),):
            raise ValueError(f"idx: boolean mask must have shape ({len(self)},), got {idx.shape}")
        rows = {
            name: None if getattr(self, name) is None else getattr(self, name)[idx]
            for name in _ROW_FIELDS
        }
        return Transitions(**rows, goals=self.goals)

    def for_task(self, task_id: int) -> "Transitions":
        """The rows of task ``task_id`` (task ids and goals are kept)."""
        if not isinstance(task_id, int | np.integer) or not 0 <= task_id < max(self.n_tasks, 1):
            raise ValueError(
                f"task_id: expected an integer in [0, {self.n_tasks}), got {task_id!r}"
            )
        return self.subset(self.task_ids == task_id)

    @staticmethod
    def concatenate(items: Sequence["Transitions"], *, offset_tasks: bool = False) -> "Transitions":
        """Stack the rows of several records.

        Episode ids are shifted so that they stay distinct. Task ids are kept, which needs
        equal ``goals`` in every record (the same tasks); with ``offset_tasks=True`` they are
        shifted instead and the goals stacked (different tasks).

        Parameters
        ----------
        items : sequence of Transitions
        offset_tasks : bool, optional, default: False

        Returns
        -------
        Transitions
        """
        items = list(items)
        if not items or not all(isinstance(t, Transitions) for t in items):
            raise ValueError("items: expected a non-empty sequence of Transitions")
        if len({(t.n, t.action_dim) for t in items}) > 1:
            raise ValueError(
                f"items: state/action dimensions differ: {[(t.n, t.action_dim) for t in items]}"
            )
        has_raw = [t.raw_actions is not None for t in items]
        if any(has_raw) and not all(has_raw):
            raise ValueError("items: raw_actions present in some records only")
        episode_offsets = np.cumsum(
            [0] + [int(t.episode_ids.max()) + 1 if len(t) else 0 for t in items]
        )
        rows = {name: [getattr(t, name) for t in items] for name in _ROW_FIELDS}
        rows["episode_ids"] = [
            t.episode_ids + off for t, off in zip(items, episode_offsets, strict=False)
        ]
        has_goals = [t.goals is not None for t in items]
        if offset_tasks:
            task_offsets = np.cumsum([0] + [t.n_tasks for t in items])
            rows["task_ids"] = [
                t.task_ids + off for t, off in zip(items, task_offsets, strict=False)
            ]
            if any(has_goals) and not all(has_goals):
                raise ValueError("items: goals present in some records only")
            goals = np.concatenate([t.goals for t in items]) if all(has_goals) else None
        else:
            goals = items[0].goals
            same = all(
                (t.goals is None and goals is None)
                or (t.goals is not None and goals is not None and np.array_equal(t.goals, goals))
                for t in items
            )
            if not same:
                raise ValueError(
                    "items: records have different goals; pass offset_tasks=True to treat their "
                    "tasks as distinct"
                )
        stacked = {
            name: None if values[0] is None else np.concatenate(values)
            for name, values in rows.items()
        }
        return Transitions(**stacked, goals=goals)

    def as_dict(self) -> dict[str, np.ndarray | None]:
        """The fields as a dict of arrays (e.g. for ``np.savez``)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


Policy = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _renumber(ids: np.ndarray) -> np.ndarray:
    """Relabel ids 0, 1, ... in order of first appearance."""
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    rank = np.empty_like(first)
    rank[np.argsort(first)] = np.arange(first.size)
    return rank[inverse]


def collect_transitions(
    family,
    goals,
    n_steps: int,
    policy: Policy | None = None,
    *,
    rng=None,
    n_envs: int = 64,
    progress: bool = False,
    keep_raw_actions: bool = False,
) -> Transitions:
    """Roll out ``n_envs`` episodes per task in parallel; record ``n_steps`` transitions per task.

    Any :class:`~liesym.envs.GymnasiumFamily` runs through Gymnasium's vector API
    (``SyncVectorEnv``, same-step autoreset), actions clipped to the action Box and recorded
    as applied (the env's ``info["applied_action"]`` when it reports one). The navigation
    families keep their fast path: all episodes of all tasks advance together, one vectorised
    step of :class:`~liesym.envs.NavigationDynamics` per time step; an episode that terminates or
    hits the time limit restarts at once from a fresh start state (with a new episode id).
    Rows are ordered by task, then episode stream, then time, and episode ids are numbered
    in that order. The last episode of each stream is usually cut off without a
    ``truncated`` flag, as in a replay buffer.

    Parameters
    ----------
    family : GymnasiumFamily or NavigationDynamics
        A navigation family checks that the goals are its tasks.
    goals : array-like, shape=[T, n] or [n], or sequence of task parameters
        One goal (navigation) or task per task id.
    n_steps : int
        Transitions per task.
    policy : callable, optional
        ``policy(states (B, n), goals (B, n)) -> actions (B, m)`` (navigation; a generic family
        calls ``policy(states)``); actions are clipped or projected onto the admissible set.
        Default: actions uniform in the admissible set or action Box (exploration).
    rng : None, int or numpy.random.Generator, optional
        Start states, noise and default actions; the same seed gives the same data.
    n_envs : int, optional, default: 64
        Parallel episode streams per task (at most ``n_steps``).
    progress : bool, optional, default: False
        Show a progress bar over time steps.
    keep_raw_actions : bool, optional, default: False
        Also store the policy's actions before projection.

    Returns
    -------
    Transitions
        ``T * n_steps`` rows, with ``goals``.

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> fam = circle_tasks()
    >>> data = collect_transitions(fam, fam.train_goals(4), 1000, rng=0)
    >>> len(data), data.n_tasks
    (4000, 4)
    >>> bool(np.allclose(data.rewards, fam.dynamics.reward(data.next_states, data.row_goals)))
    True
    """
    # envs (and gymnasium) load only when data are collected, not when liesym.data is imported
    from liesym.envs.dynamics import NavigationDynamics
    from liesym.envs.family import GymnasiumFamily
    from liesym.envs.navigation import TaskFamily

    if isinstance(family, GymnasiumFamily) and not isinstance(family, TaskFamily):
        return _collect_gymnasium(
            family, goals, n_steps, policy, rng, n_envs, progress, keep_raw_actions
        )
    if isinstance(family, TaskFamily):
        dyn = family.dynamics
        goals = family.check_goals(family.base_goal if goals is None else goals)
    elif isinstance(family, NavigationDynamics):
        dyn = family
        goals = as_finite_array(goals, "goals", ndim=(1, 2))
        goals = goals[None] if goals.ndim == 1 else goals
        if goals.shape[1] != dyn.n or goals.shape[0] < 1:
            raise ValueError(f"goals: expected shape (T, {dyn.n}) with T >= 1, got {goals.shape}")
    else:
        raise ValueError(
            f"family: expected a TaskFamily or NavigationDynamics, got {type(family).__name__}"
        )
    for name, value in (("n_steps", n_steps), ("n_envs", n_envs)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    if policy is not None and not callable(policy):
        raise ValueError(f"policy: expected a callable, got {type(policy).__name__}")
    rng = as_rng(rng)
    n_tasks, n = goals.shape
    n_envs = min(int(n_envs), int(n_steps))
    horizon = -(-int(n_steps) // n_envs)
    batch = n_tasks * n_envs
    batch_goals = np.repeat(goals, n_envs, axis=0)

    shape = (horizon, batch)
    states = np.empty((*shape, n))
    raw_actions = np.empty((*shape, n))
    actions = np.empty((*shape, n))
    next_states = np.empty((*shape, n))
    rewards = np.empty(shape)
    terminated = np.empty(shape, dtype=bool)
    truncated = np.empty(shape, dtype=bool)
    episode_ids = np.empty(shape, dtype=np.int64)

    state = dyn.sample_start(batch, rng)
    episode = np.arange(batch)
    next_episode = batch
    clock = np.zeros(batch, dtype=np.int64)
    for k in progress_bar(range(horizon), enable=progress, desc="collect"):
        if policy is None:
            raw = dyn.sample_actions(batch, rng)
        else:
            raw = as_finite_array(policy(state.copy(), batch_goals.copy()), "policy output")
            if raw.shape != (batch, n):
                raise ValueError(f"policy output: expected shape ({batch}, {n}), got {raw.shape}")
        step = dyn.transition(state, raw, batch_goals, dyn.sample_noise(batch, rng), check=False)
        applied, nxt = step.applied, step.next_states
        clock += 1
        states[k], raw_actions[k], actions[k], next_states[k] = state, raw, applied, nxt
        rewards[k] = step.rewards
        observed = dyn.sample_reward_noise(batch, rng)
        if observed is not None:
            rewards[k] += observed
        terminated[k] = step.terminated
        truncated[k] = clock >= dyn.max_steps
        episode_ids[k] = episode
        done = terminated[k] | truncated[k]
        state = nxt
        if done.any():
            count = int(done.sum())
            state[done] = dyn.sample_start(count, rng)
            episode[done] = next_episode + np.arange(count)
            next_episode += count
            clock[done] = 0

    def rows(x: np.ndarray) -> np.ndarray:
        # (time, task * stream, ...) -> (task, stream * time, ...), cut to n_steps per task.
        x = np.swapaxes(x, 0, 1).reshape(n_tasks, n_envs * horizon, *x.shape[2:])
        return x[:, :n_steps].reshape(n_tasks * n_steps, *x.shape[2:])

    return Transitions(
        states=rows(states),
        actions=rows(actions),
        next_states=rows(next_states),
        rewards=rows(rewards),
        terminated=rows(terminated),
        truncated=rows(truncated),
        task_ids=np.repeat(np.arange(n_tasks), n_steps),
        episode_ids=_renumber(rows(episode_ids)),
        raw_actions=rows(raw_actions) if keep_raw_actions else None,
        goals=goals,
    )


def _collect_gymnasium(family, tasks, n_steps, policy, rng, n_envs, progress, keep_raw):
    """Collection through ``gymnasium.vector.SyncVectorEnv`` (same-step autoreset)."""
    import gymnasium as gym

    if tasks is None:
        tasks = [family.base_task]
    elif isinstance(tasks, np.ndarray) and tasks.ndim == 1:
        tasks = [tasks]
    tasks = list(tasks)
    for name, value in (("n_steps", n_steps), ("n_envs", n_envs)):
        as_count(value, name)
    if policy is not None and not callable(policy):
        raise ValueError(f"policy: expected a callable, got {type(policy).__name__}")
    rng = as_rng(rng)
    low, high = family.action_bounds
    if policy is None and not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
        raise ValueError("policy: required when the action box is unbounded")
    n_envs = min(int(n_envs), int(n_steps))
    horizon = -(-int(n_steps) // n_envs)
    fns = [lambda t=t: family.make_env(t) for t in tasks for _ in range(n_envs)]
    venv = gym.vector.SyncVectorEnv(fns, autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
    batch = len(fns)
    obs, _ = venv.reset(seed=[int(x) for x in rng.integers(2**31 - 1, size=batch)])
    rows = {k: [] for k in ("s", "raw", "a", "s2", "r", "term", "trunc", "ep")}
    episode = np.arange(batch)
    next_episode = batch
    for _ in progress_bar(range(horizon), enable=progress, desc="collect"):
        obs = np.asarray(obs, dtype=np.float64)
        if policy is None:
            raw = rng.uniform(low, high, size=(batch, low.shape[0]))
        else:
            act = getattr(policy, "act", policy)
            raw = as_finite_array(act(obs.copy()), "policy output")
        applied = np.clip(raw, low, high)
        nxt, reward, term, trunc, info = venv.step(applied)
        nxt = np.array(nxt, dtype=np.float64)
        if "applied_action" in info:
            mask = info.get("_applied_action", np.ones(batch, dtype=bool))
            applied = np.where(mask[:, None], np.asarray(info["applied_action"]), applied)
        done = np.asarray(term) | np.asarray(trunc)
        returned = nxt.copy()  # same-step autoreset: the reset observations of ended episodes
        if done.any():
            final = info["final_obs"]
            for i in np.flatnonzero(done):
                nxt[i] = final[i]
        for key, value in zip(
            rows, (obs, raw, applied, nxt, reward, term, trunc, episode.copy()), strict=True
        ):
            rows[key].append(np.asarray(value))
        count = int(done.sum())
        episode[done] = next_episode + np.arange(count)
        next_episode += count
        obs = np.where(done[:, None], returned, nxt) if done.any() else nxt
    venv.close()

    def per_task(key):
        # (time, task * stream, ...) -> (task, stream * time, ...), cut to n_steps per task.
        x = np.stack(rows[key])
        x = np.swapaxes(x, 0, 1).reshape(len(tasks), n_envs * horizon, *x.shape[2:])
        return x[:, :n_steps].reshape(len(tasks) * n_steps, *x.shape[2:])

    return Transitions(
        states=per_task("s"),
        actions=per_task("a"),
        next_states=per_task("s2"),
        rewards=per_task("r").astype(np.float64),
        terminated=per_task("term"),
        truncated=per_task("trunc"),
        task_ids=np.repeat(np.arange(len(tasks)), n_steps),
        episode_ids=_renumber(per_task("ep")),
        raw_actions=per_task("raw") if keep_raw else None,
    )
