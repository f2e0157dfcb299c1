"""Episodes on any task family: batched rollouts with common random numbers, and evaluation.

Every episode starts from ``reset(seed=...)`` of its env, so two policies run on the same
seeds meet the same start states and the same env randomness (common random numbers: their
returns differ by the policies, not by luck). Episodes run until they terminate or
truncate; finished envs are no longer stepped.
"""

from collections.abc import Callable, Sequence

import numpy as np

from liesym._core import as_count
from liesym.envs.batch import BatchEnv
from liesym.envs.family import GymnasiumFamily

_MAX_STEPS = 100_000  # an env that never ends its episodes is a bug, not a long task


def run_episodes(
    batch: BatchEnv,
    act: Callable[[np.ndarray], np.ndarray],
    seeds,
    *,
    moves=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Run one episode in every env of a batch; undiscounted returns and lengths.

    Parameters
    ----------
    batch : BatchEnv
    act : callable
        ``act(observations (B, n)) -> actions (B, m)``.
    seeds : array-like of int, shape=[B]
        Reset seeds.
    moves : array-like, shape=[B, n, n], optional
        Group elements moving the start states (symmetrised start law).

    Returns
    -------
    returns : ndarray, shape=[B]
    lengths : ndarray of int, shape=[B]
    """
    obs = batch.reset(seeds, moves=moves)
    total = np.zeros(batch.n_envs)
    lengths = np.zeros(batch.n_envs, dtype=np.int64)
    alive = np.ones(batch.n_envs, dtype=bool)
    for _ in range(_MAX_STEPS):
        obs, rewards, terminated, truncated, _ = batch.step(act(obs), alive)
        total += np.where(alive, rewards, 0.0)
        lengths += alive
        alive &= ~(terminated | truncated)
        if not alive.any():
            return total, lengths
    raise RuntimeError(f"episodes did not end within {_MAX_STEPS} steps (no time limit?)")


def evaluate_policies(
    family: GymnasiumFamily,
    policies: Sequence,
    tasks: Sequence,
    seeds,
) -> np.ndarray:
    """Mean return of one policy per task over episodes with the given reset seeds.

    Parameters
    ----------
    family : GymnasiumFamily
    policies : sequence of Policy
        ``policies[t]`` runs on ``tasks[t]`` (anything with ``act``).
    tasks : sequence of task parameters
    seeds : array-like of int, shape=[E]
        The same seeds for every task and every caller (common random numbers).

    Returns
    -------
    ndarray, shape=[T, E]
        Return of each task's episodes.

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> from liesym.policies import GoalSeekingPolicy
    >>> fam = circle_tasks()
    >>> goals = fam.test_goals(2)
    >>> pols = [GoalSeekingPolicy(g, fam.dynamics) for g in goals]
    >>> evaluate_policies(fam, pols, goals, [0, 1, 2]).shape
    (2, 3)
    """
    tasks = list(tasks)
    policies = list(policies)
    if len(policies) != len(tasks):
        raise ValueError(f"policies: expected one per task ({len(tasks)}), got {len(policies)}")
    seeds = np.asarray(seeds)
    e = as_count(seeds.shape[0] if seeds.ndim == 1 else 0, "seeds")
    batch = family.batch(tasks, e)

    def act(obs):
        out = [np.asarray(p.act(obs[t * e : (t + 1) * e])) for t, p in enumerate(policies)]
        return np.concatenate(out)

    returns, _ = run_episodes(batch, act, np.tile(seeds, len(tasks)))
    return returns.reshape(len(tasks), e)


class PopulationEpisodes:
    """Episodes of a population of M policies on T tasks, every member on the same reset seeds.

    The batch of ``T * M * E`` envs (task-major, then member, then episode) is built once per
    population size and reused, so a search that scores a population each iteration pays for
    the envs once.

    Parameters
    ----------
    family : GymnasiumFamily
    tasks : sequence of task parameters

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> from liesym.policies import ZeroPolicy
    >>> fam = circle_tasks()
    >>> runs = PopulationEpisodes(fam, [fam.base_goal])
    >>> out = runs.returns(3, 2, lambda obs: np.zeros_like(obs), rng=np.random.default_rng(0))
    >>> out.shape, bool(np.all(out == out[:, :1]))  # common seeds: equal policies, equal returns
    ((1, 3, 2), True)
    """

    def __init__(self, family: GymnasiumFamily, tasks: Sequence) -> None:
        self.family = family
        self.tasks = list(tasks)
        self._batches: dict = {}

    def returns(self, members: int, n_episodes: int, act, *, rng, moves=None) -> np.ndarray:
        """Returns (T, M, E) of ``act`` on the batch, seeds shared by the M members.

        Parameters
        ----------
        members, n_episodes : int
        act : callable
            ``act(observations (T M E, n)) -> actions``, rows task-major, then member.
        rng : numpy.random.Generator
            Draws the reset seeds (one per task and episode).
        moves : array-like, shape=[T, E, n, n], optional
            Start moves per task and episode (shared by the members).
        """
        key = (members, n_episodes)
        if key not in self._batches:
            self._batches[key] = self.family.batch(self.tasks, members * n_episodes)
        t = len(self.tasks)
        shape = (t, members, n_episodes)
        seeds = rng.integers(2**31 - 1, size=(t, 1, n_episodes))
        seeds = np.broadcast_to(seeds, shape).reshape(-1)
        if moves is not None:
            mv = np.asarray(moves)[:, None]
            moves = np.broadcast_to(mv, (t, members, *mv.shape[2:])).reshape(-1, *mv.shape[-2:])
        out, _ = run_episodes(self._batches[key], act, seeds, moves=moves)
        return out.reshape(shape)
