"""Batches of environments stepped together: the one interface rollouts, training and data use.

A :class:`BatchEnv` holds B environments (episodes) and steps them with one array of
actions. Actions are clipped to the action Box before they are applied, and the *applied*
action is what every caller records. :class:`GymBatch` does this for any list of Gymnasium
envs (a Python loop); families with a vectorised system (the navigation point robot, MuJoCo
Reacher) provide their own subclasses, which must behave identically.
"""

import abc
from collections.abc import Callable, Sequence

import gymnasium as gym
import numpy as np

from liesym._core import as_finite_array


def box_bounds(space, name: str = "action_space") -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds (float64) of a 1-D ``gymnasium.spaces.Box``."""
    if not isinstance(space, gym.spaces.Box) or len(space.shape) != 1:
        raise TypeError(f"{name}: expected a 1-D gymnasium.spaces.Box, got {space!r}")
    return np.asarray(space.low, dtype=np.float64), np.asarray(space.high, dtype=np.float64)


class BatchEnv(abc.ABC):
    """B episodes of one or several tasks, stepped together (batch axis first).

    Attributes
    ----------
    n_envs : int
    observation_dim, action_dim : int
    low, high : ndarray, shape=[action_dim]
        The action Box; actions are clipped to it before they are applied.
    """

    n_envs: int
    observation_dim: int
    action_dim: int
    low: np.ndarray
    high: np.ndarray

    def clip(self, actions) -> np.ndarray:
        """Actions clipped to the action Box, shape=[B, m]."""
        a = as_finite_array(actions, "actions")
        if a.shape != (self.n_envs, self.action_dim):
            raise ValueError(
                f"actions: expected shape ({self.n_envs}, {self.action_dim}), got {a.shape}"
            )
        return np.clip(a, self.low, self.high)

    @abc.abstractmethod
    def reset(self, seeds, *, moves=None) -> np.ndarray:
        """Start one episode per env from ``reset(seed=seeds[i])``, shape=[B, n].

        ``moves`` (B, n, n) or (B, n+1, n+1), when given, moves each start observation by a
        group element (the symmetrised start law); only envs that can set their state do.
        """

    @abc.abstractmethod
    def step(self, actions, active=None):
        """Apply (clipped) actions to the ``active`` envs (bool mask, default all).

        Returns
        -------
        observations : ndarray, shape=[B, n]
        rewards : ndarray, shape=[B]
        terminated, truncated : ndarray of bool, shape=[B]
        applied : ndarray, shape=[B, m]
            The actions as applied (after clipping, or the env's own projection).

        Inactive envs keep their observation, get reward 0 and ``terminated`` False.
        """


class GymBatch(BatchEnv):
    """Any Gymnasium envs as a :class:`BatchEnv` (a Python loop over the envs).

    Parameters
    ----------
    envs : sequence of gymnasium.Env
        Box observation and action spaces, all of the same shapes.
    set_start : callable, optional
        ``set_start(env, observation) -> observation``: puts a freshly reset env into the
        state of ``observation`` (needed for ``reset(moves=...)``).

    Examples
    --------
    >>> from liesym.envs import NavigationEnv
    >>> batch = GymBatch([NavigationEnv(), NavigationEnv()])
    >>> obs = batch.reset([0, 1])
    >>> obs, r, term, trunc, applied = batch.step(np.ones((2, 2)))
    >>> applied.round(4)  # the env projects onto the disc of radius 0.1
    array([[0.0707, 0.0707],
           [0.0707, 0.0707]])
    """

    def __init__(self, envs: Sequence[gym.Env], set_start: Callable | None = None) -> None:
        envs = list(envs)
        if not envs:
            raise ValueError("envs: expected at least one environment")
        obs_shapes = {e.observation_space.shape for e in envs}
        if len(obs_shapes) != 1 or len(next(iter(obs_shapes))) != 1:
            raise ValueError(f"envs: expected 1-D observations of one shape, got {obs_shapes}")
        self.low, self.high = box_bounds(envs[0].action_space)
        self.envs = envs
        self.set_start = set_start
        self.n_envs = len(envs)
        self.observation_dim = int(next(iter(obs_shapes))[0])
        self.action_dim = int(self.low.shape[0])
        self._obs = np.zeros((self.n_envs, self.observation_dim))

    def reset(self, seeds, *, moves=None) -> np.ndarray:
        """See :meth:`BatchEnv.reset`."""
        seeds = np.asarray(seeds)
        if seeds.shape != (self.n_envs,):
            raise ValueError(f"seeds: expected shape ({self.n_envs},), got {seeds.shape}")
        if moves is not None and self.set_start is None:
            raise ValueError("moves: these envs cannot set their start state (no set_start)")
        from liesym.algebra.affine import act

        for i, env in enumerate(self.envs):
            obs, _ = env.reset(seed=int(seeds[i]))
            obs = np.asarray(obs, dtype=np.float64)
            if moves is not None:
                obs = np.asarray(self.set_start(env, act(moves[i], obs)), dtype=np.float64)
            self._obs[i] = obs
        return self._obs.copy()

    def step(self, actions, active=None):
        """See :meth:`BatchEnv.step`."""
        a = self.clip(actions)
        active = np.ones(self.n_envs, dtype=bool) if active is None else np.asarray(active)
        rewards = np.zeros(self.n_envs)
        terminated = np.zeros(self.n_envs, dtype=bool)
        truncated = np.zeros(self.n_envs, dtype=bool)
        applied = a.copy()
        for i in np.flatnonzero(active):
            obs, r, term, trunc, info = self.envs[i].step(a[i])
            self._obs[i] = obs
            rewards[i], terminated[i], truncated[i] = r, term, trunc
            if "applied_action" in info:
                applied[i] = info["applied_action"]
        return self._obs.copy(), rewards, terminated, truncated, applied
