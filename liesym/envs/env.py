"""The Gymnasium env of one navigation task: a thin wrapper over :class:`NavigationDynamics`."""

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from liesym.envs.dynamics import NavigationDynamics


def as_vector(x, n: int, name: str = "goal") -> np.ndarray:
    """Validate one point (a goal or an action): finite, shape (n,), returned as a fresh copy."""
    try:
        arr = np.array(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name}: expected a real point of shape ({n},) ({err})") from None
    if arr.shape != (n,):
        raise ValueError(f"{name}: expected shape ({n},), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: expected finite coordinates, got {arr}")
    return arr


class NavigationEnv(gym.Env):
    """Point navigation towards a goal in R^n (Gymnasium API).

    States and observations are positions, float64 (the symmetry checks hold at float64
    precision); the observation space is the unbounded Box of shape (n,). The action space is
    the smallest Box containing the admissible action set; actions are projected onto that set
    by the dynamics (``info["applied_action"]`` reports what was applied). Step, reward,
    termination and start law come from ``dynamics`` (see :class:`NavigationDynamics`);
    the time limit ``dynamics.max_steps`` truncates episodes (as ``gymnasium.wrappers.TimeLimit``
    would: ``truncated`` may be true together with ``terminated``).

    Parameters
    ----------
    goal : array-like, shape=[n], optional
        The task; ``e_1`` by default. ``reset(options={"goal": g})`` switches it.
    dynamics : NavigationDynamics, optional
        Default: the exact 2-D configuration ``NavigationDynamics()``.

    Attributes
    ----------
    goal : ndarray, shape=[n]
    state : ndarray, shape=[n]
    elapsed_steps : int

    Examples
    --------
    >>> env = NavigationEnv(goal=[1.0, 0.0])
    >>> obs, info = env.reset(seed=0)
    >>> obs.shape, obs.dtype
    ((2,), dtype('float64'))
    >>> obs, reward, terminated, truncated, info = env.step(np.array([1.0, 0.0]))
    >>> info["applied_action"]
    array([0.1, 0. ])
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": []}

    def __init__(self, goal=None, dynamics: NavigationDynamics | None = None) -> None:
        if dynamics is None:
            dynamics = NavigationDynamics()
        if not isinstance(dynamics, NavigationDynamics):
            raise ValueError(
                f"dynamics: expected a NavigationDynamics, got {type(dynamics).__name__}"
            )
        self.dynamics = dynamics
        n = dynamics.n
        self.goal = np.eye(n)[0] if goal is None else as_vector(goal, n)
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, shape=(n,), dtype=np.float64)
        bound = dynamics.action_bound
        self.action_space = gym.spaces.Box(-bound, bound, shape=(n,), dtype=np.float64)
        self.state = np.zeros(n)
        self.elapsed_steps = 0

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start an episode; ``options={"goal": g}`` switches the task first.

        Parameters
        ----------
        seed : int, optional
            Seeds ``self.np_random`` (Gymnasium convention).
        options : dict, optional
            ``{"goal": array (n,)}``.

        Returns
        -------
        observation : ndarray, shape=[n]
        info : dict
            ``{"goal": ndarray (n,)}``.
        """
        super().reset(seed=seed)
        if options:
            unknown = set(options) - {"goal"}
            if unknown:
                raise ValueError(f"options: unknown keys {sorted(unknown)}; expected 'goal'")
            if "goal" in options:
                self.goal = as_vector(options["goal"], self.dynamics.n, "options['goal']")
        self.state = self.dynamics.sample_start((), self.np_random)
        self.elapsed_steps = 0
        return self.state.copy(), {"goal": self.goal.copy()}

    def step(self, action) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Apply ``action`` (projected onto the admissible set) and advance one step.

        Returns
        -------
        observation : ndarray, shape=[n]
        reward : float
            ``-|P (s' - g)|`` on the new state.
        terminated : bool
            Task distance below ``dynamics.termination_radius``.
        truncated : bool
            ``dynamics.max_steps`` steps done.
        info : dict
            ``applied_action`` (after projection) and ``distance``.
        """
        dyn = self.dynamics
        action = as_vector(action, dyn.n, "action")
        noise = dyn.sample_noise((), self.np_random)
        step = dyn.transition(self.state, action, self.goal, noise, check=False)
        self.state = step.next_states
        self.elapsed_steps += 1
        distance = float(step.distance)
        truncated = self.elapsed_steps >= dyn.max_steps
        info = {"applied_action": step.applied, "distance": distance}
        return self.state.copy(), -distance, bool(step.terminated), bool(truncated), info
