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
