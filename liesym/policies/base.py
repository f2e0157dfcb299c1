"""Policies on point-navigation tasks: a protocol, a linear policy, a goal seeker and a random one.

A policy maps states (batch axes first, ``[..., n]``) to actions ``[..., n]``. The classes here
also accept the call ``policy(states, goals)`` of
:func:`liesym.data.transitions.collect_transitions` (the goals are ignored: each policy
solves one task).
"""

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from liesym._core import as_finite_array, as_rng
from liesym.envs.dynamics import NavigationDynamics


@runtime_checkable
class Policy(Protocol):
    """Anything with ``act(states [..., n]) -> actions [..., n]`` (deterministic)."""

    def act(self, states: np.ndarray) -> np.ndarray:
        """Actions of the states, shape=[..., n]."""


def check_states(states, n: int, name: str = "states") -> np.ndarray:
    """Validate states of shape ``[..., n]`` (finite floats)."""
    arr = as_finite_array(states, name)
    if arr.ndim == 0 or arr.shape[-1] != n:
        raise ValueError(f"{name}: expected shape [..., {n}] (points of R^{n}), got {arr.shape}")
    return arr


def _check_dynamics(dynamics, n: int | None = None) -> NavigationDynamics | None:
    if dynamics is None:
        return None
    if not isinstance(dynamics, NavigationDynamics):
        raise ValueError(
            f"dynamics: expected a NavigationDynamics or None, got {type(dynamics).__name__}"
        )
    if n is not None and dynamics.n != n:
        raise ValueError(f"dynamics: expected a system of dimension {n}, got n={dynamics.n}")
    return dynamics


class _CallAsCollector:
    """``policy(states, goals)`` as :func:`collect_transitions` calls it; goals are ignored."""

    def __call__(self, states, goals=None) -> np.ndarray:
        return self.act(states)


@dataclass(frozen=True, eq=False)
class LinearPolicy(_CallAsCollector):
    r"""The affine policy :math:`a = \mathrm{proj}(K s + b)` with the action-set projection.

    Enough for point navigation: with ``K = -k I`` and ``b = k g`` it moves straight at the
    goal at full speed once ``k |g - s|`` exceeds the action radius.

    Parameters
    ----------
    gain : array-like, shape=[n, n]
        The matrix K.
    bias : array-like, shape=[n]
        The vector b.
    dynamics : NavigationDynamics, optional
        Its ``project_action`` is applied to ``K s + b``; None applies no projection.

    Examples
    --------
    >>> from liesym.envs import NavigationDynamics
    >>> pi = LinearPolicy(-np.eye(2), [1.0, 0.0], NavigationDynamics())
    >>> pi.act([[0.0, 0.0], [0.95, 0.0]])
    array([[0.1 , 0.  ],
           [0.05, 0.  ]])
    """

    gain: np.ndarray
    bias: np.ndarray
    dynamics: NavigationDynamics | None = None

    def __post_init__(self) -> None:
        gain = as_finite_array(self.gain, "gain", ndim=2)
        n = gain.shape[0]
        if gain.shape != (n, n):
            raise ValueError(f"gain: expected a square (n, n) matrix, got shape {gain.shape}")
        bias = as_finite_array(self.bias, "bias", ndim=1)
        if bias.shape != (n,):
            raise ValueError(f"bias: expected shape ({n},), got {bias.shape}")
        for arr in (gain, bias):
            arr.setflags(write=False)
        object.__setattr__(self, "gain", gain)
        object.__setattr__(self, "bias", bias)
        object.__setattr__(self, "dynamics", _check_dynamics(self.dynamics, n))

    @property
    def n(self) -> int:
        """Dimension of states and actions."""
        return int(self.gain.shape[0])

    @classmethod
    def from_params(cls, params, n: int, dynamics=None) -> "LinearPolicy":
        """The policy of the flat parameter vector ``(K.ravel(), b)`` of length ``n^2 + n``."""
        params = as_finite_array(params, "params", ndim=1)
        if params.shape != (n * n + n,):
            raise ValueError(f"params: expected shape ({n * n + n},), got {params.shape}")
        return cls(params[: n * n].reshape(n, n), params[n * n :], dynamics)

    def as_params(self) -> np.ndarray:
        """The flat parameter vector ``(K.ravel(), b)``, shape (n^2 + n,)."""
        return np.concatenate([self.gain.ravel(), self.bias])

    def act(self, states) -> np.ndarray:
        """Actions ``proj(K s + b)``, shape=[..., n]."""
        s = check_states(states, self.n)
        raw = s @ self.gain.T + self.bias
        return raw if self.dynamics is None else self.dynamics._project(raw)


@dataclass(frozen=True, eq=False)
class GoalSeekingPolicy(_CallAsCollector):
    r"""The hand-made controller :math:`a = \mathrm{proj}(k (g - s))`: straight at the goal.

    With the radial projection and ``k >= 1`` this is essentially the optimal policy of the
    navigation task (full speed towards the goal, exact arrival); the reference for trained
    policies.

    Parameters
    ----------
    goal : array-like, shape=[n]
    dynamics : NavigationDynamics
    gain : float, optional, default: 1.0
        The factor k.

    Examples
    --------
    >>> from liesym.envs import NavigationDynamics
    >>> GoalSeekingPolicy([1.0, 0.0], NavigationDynamics()).act([0.0, 0.0])
    array([0.1, 0. ])
    """

    goal: np.ndarray
    dynamics: NavigationDynamics
    gain: float = 1.0

    def __post_init__(self) -> None:
        dyn = _check_dynamics(self.dynamics)
        if dyn is None:
            raise ValueError("dynamics: expected a NavigationDynamics, got None")
        goal = as_finite_array(self.goal, "goal", ndim=1)
        if goal.shape != (dyn.n,):
            raise ValueError(f"goal: expected shape ({dyn.n},), got {goal.shape}")
        if not (np.isfinite(self.gain) and self.gain > 0):
            raise ValueError(f"gain: expected a positive number, got {self.gain!r}")
        goal.setflags(write=False)
        object.__setattr__(self, "goal", goal)
        object.__setattr__(self, "gain", float(self.gain))

    @property
    def n(self) -> int:
        """Dimension of states and actions."""
        return self.dynamics.n

    def act(self, states) -> np.ndarray:
        """Actions ``proj(k (g - s))``, shape=[..., n]."""
        s = check_states(states, self.n)
        return self.dynamics._project(self.gain * (self.goal - s))


class RandomPolicy(_CallAsCollector):
    """Actions uniform in the admissible action set (the floor of the normalised score).

    Not deterministic: each call draws fresh actions from ``rng``.

    Parameters
    ----------
    dynamics : NavigationDynamics
    rng : None, int or numpy.random.Generator, optional

    Examples
    --------
    >>> from liesym.envs import NavigationDynamics
    >>> a = RandomPolicy(NavigationDynamics(), rng=0).act(np.zeros((1000, 2)))
    >>> a.shape, bool(np.all(np.linalg.norm(a, axis=1) <= 0.1))
    ((1000, 2), True)
    """

    def __init__(self, dynamics: NavigationDynamics, rng=None):
        dyn = _check_dynamics(dynamics)
        if dyn is None:
            raise ValueError("dynamics: expected a NavigationDynamics, got None")
        self.dynamics = dyn
        self.rng = as_rng(rng)

    def __repr__(self) -> str:
        return f"RandomPolicy(n={self.n})"

    @property
    def n(self) -> int:
        """Dimension of states and actions."""
        return self.dynamics.n

    def act(self, states) -> np.ndarray:
        """Uniform actions in the admissible set, shape=[..., n]."""
        s = check_states(states, self.n)
        return self.dynamics.sample_actions(s.shape[:-1], self.rng)
