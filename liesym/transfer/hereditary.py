r"""The hereditary (equivariant) transfer of a base policy, and its equivariance check.

For a task obtained from the base task by a system symmetry L (``r_g = r_0 o L^-1``), the
optimal policy is :math:`\pi_g(s) = A\,\pi_0(L^{-1} s)`: states are pulled back by L, actions
pushed forward by its linear part A (actions are tangent vectors, so an affine L moves them
by A only).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from liesym._core import as_finite_array
from liesym.algebra import act
from liesym.policies.base import Policy, _CallAsCollector, check_states

_COND_MAX = 1e12  # beyond this condition number, L^-1 s has no reliable digits left


def check_element(element, n: int, name: str = "element") -> np.ndarray:
    """Validate a group element acting on R^n: linear (n, n) or affine (n+1, n+1), invertible.

    An affine element must have the homogeneous last row ``(0, ..., 0, 1)``.

    Examples
    --------
    >>> check_element(np.eye(2), 2).shape
    (2, 2)
    >>> check_element(np.zeros((2, 2)), 2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: element: expected an invertible matrix, got singular values [0. 0.]
    """
    g = as_finite_array(element, name, ndim=2)
    if g.shape not in ((n, n), (n + 1, n + 1)):
        raise ValueError(
            f"{name}: expected a linear ({n}, {n}) or homogeneous affine ({n + 1}, {n + 1}) "
            f"matrix for states of R^{n}, got shape {g.shape}"
        )
    if g.shape == (n + 1, n + 1) and not np.array_equal(g[n], np.eye(n + 1)[n]):
        raise ValueError(f"{name}: an affine element needs the last row (0, ..., 0, 1), got {g[n]}")
    s = np.linalg.svd(g[:n, :n], compute_uv=False)
    if not s[-1] > s[0] / _COND_MAX:
        raise ValueError(f"{name}: expected an invertible matrix, got singular values {s}")
    return g


def _policy_dim(policy, name: str = "base_policy") -> int | None:
    if not isinstance(policy, Policy):
        raise ValueError(
            f"{name}: expected a Policy (with act(states)), got {type(policy).__name__}"
        )
    n = getattr(policy, "n", None)
    return None if n is None else int(n)


@dataclass(frozen=True, eq=False)
class HereditaryPolicy(_CallAsCollector):
    r"""The policy :math:`\pi(s) = \rho_A(g)\,\pi_0(\rho_S(g)^{-1} s)` of the task g reaches.

    Parameters
    ----------
    base_policy : Policy
        :math:`\pi_0`, trained on the base task.
    element : array-like, shape=[n, n] or [n+1, n+1], or pair
        The state element :math:`\rho_S(g)` (linear, or homogeneous affine
        ``[[B, t], [0, 1]]``), e.g. ``family.group_element(goal)``; or the pair
        ``(rho_S, rho_A)`` returned by the ``elements`` method of a
        :class:`~liesym.algebra.Representation` (``rho_A`` None: invariant actions).
    action_element : array-like, shape=[m, m], optional
        :math:`\rho_A(g)`; default the linear part of a square state element (navigation:
        actions move like states), the identity when ``element`` is a pair with ``None``.

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> from liesym.policies import GoalSeekingPolicy
    >>> fam = circle_tasks()
    >>> base = GoalSeekingPolicy(fam.base_goal, fam.dynamics)
    >>> goal = np.array([0.0, 1.0])
    >>> pi = HereditaryPolicy(base, fam.group_element(goal))
    >>> bool(np.allclose(pi.act([0.0, 0.0]), GoalSeekingPolicy(goal, fam.dynamics).act([0, 0])))
    True
    """

    base_policy: Policy
    element: np.ndarray
    action_element: np.ndarray | None = None
    _inverse: np.ndarray = field(init=False, repr=False)
    _state_dim: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = _policy_dim(self.base_policy)
        pair = isinstance(self.element, tuple)
        if pair:
            if len(self.element) != 2 or self.action_element is not None:
                raise ValueError("element: a pair (rho_S, rho_A) already holds the action element")
            state_el, a = self.element
        else:
            state_el, a = self.element, self.action_element
        g = as_finite_array(state_el, "element", ndim=2)
        if n is None:
            # A policy without ``n``: the action map's size, else take the element as linear.
            a_shape = np.shape(a)
            n = a_shape[0] if a is not None and a_shape and not pair else g.shape[0]
        g = check_element(g, n)
        if a is None and not pair:
            a = g[:n, :n].copy()
        elif a is not None:
            a = as_finite_array(a, "action_element", ndim=2)
            m = getattr(self.base_policy, "action_dim", None)
            m = (a.shape[0] if pair else n) if m is None else m
            if a.shape != (m, m):
                raise ValueError(f"action_element: expected shape ({m}, {m}), got {a.shape}")
            check_element(a, m, "action_element")
        inverse = np.linalg.inv(g)
        if g.shape[0] == n + 1:
            inverse[n] = np.eye(n + 1)[n]  # exact homogeneous row
        for arr in (g, inverse) if a is None else (g, a, inverse):
            arr.setflags(write=False)
        object.__setattr__(self, "element", g)
        object.__setattr__(self, "action_element", a)
        object.__setattr__(self, "_inverse", inverse)
        object.__setattr__(self, "_state_dim", int(n))

    def __repr__(self) -> str:
        return f"HereditaryPolicy(n={self.n}, base_policy={self.base_policy!r})"

    @property
    def n(self) -> int:
        """Dimension of the observations."""
        return self._state_dim

    @property
    def action_dim(self) -> int | None:
        """Dimension of the actions (the base policy's)."""
        if self.action_element is not None:
            return int(self.action_element.shape[0])
        return getattr(self.base_policy, "action_dim", None)

    @property
    def affine(self) -> bool:
        """Whether ``element`` is a homogeneous affine matrix."""
        return self.element.shape[0] == self.n + 1

    def act(self, states) -> np.ndarray:
        """Actions ``rho_A pi_0(rho_S^-1 s)``, shape=[..., m]."""
        s = check_states(states, self.n)
        out = np.asarray(self.base_policy.act(act(self._inverse, s)))
        return out if self.action_element is None else out @ self.action_element.T

    def compose(self, element) -> "HereditaryPolicy":
        """The transfer of this policy by a further element L': ``L' L`` on the base policy.

        Examples
        --------
        >>> from liesym.envs import rotation_2d
        >>> from liesym.policies import LinearPolicy
        >>> pi = HereditaryPolicy(LinearPolicy(-np.eye(2), [1.0, 0.0]), rotation_2d(0.3))
        >>> bool(np.allclose(pi.compose(rotation_2d(0.4)).element, rotation_2d(0.7)))
        True
        """
        other = check_element(element, self.n)
        if other.shape != self.element.shape:
            raise ValueError(
                f"element: expected shape {self.element.shape} (as this policy's), "
                f"got {other.shape}"
            )
        if self.action_element is None:
            return HereditaryPolicy(self.base_policy, (other @ self.element, None))
        lin = other[: self.n, : self.n]
        return HereditaryPolicy(self.base_policy, other @ self.element, lin @ self.action_element)


def equivariance_defect(policy: Policy, element, states, *, reference: Policy | None = None):
    r"""Per-state defect :math:`\|\pi(L s) - A\,\pi_{ref}(s)\|` of a policy under an element.

    ``element`` may be a representation's pair ``(rho_S, rho_A)`` (``rho_A`` None for
    invariant actions); a single matrix L moves actions by its linear part A.

    With ``reference=None`` this is the equivariance of ``policy`` itself (zero when L is a
    symmetry of the policy); with ``reference=pi_0`` it checks the hereditary relation
    ``pi(L s) = A pi_0(s)`` of a transferred policy (A the linear part of L).

    Parameters
    ----------
    policy : Policy
    element : array-like, shape=[n, n] or [n+1, n+1], or pair
    states : array-like, shape=[..., n]
    reference : Policy, optional

    Returns
    -------
    ndarray, shape=[...]

    Examples
    --------
    >>> from liesym.envs import circle_tasks, rotation_2d
    >>> from liesym.policies import GoalSeekingPolicy
    >>> fam = circle_tasks()
    >>> base = GoalSeekingPolicy(fam.base_goal, fam.dynamics)
    >>> L = rotation_2d(2.0)
    >>> s = np.random.default_rng(0).normal(size=(100, 2))
    >>> bool(equivariance_defect(HereditaryPolicy(base, L), L, s, reference=base).max() < 1e-15)
    True
    >>> bool(equivariance_defect(base, L, s).max() > 0.01)  # base task is not rotation-invariant
    True
    """
    n = _policy_dim(policy, "policy")
    ref = policy if reference is None else reference
    n_ref = _policy_dim(ref, "reference")
    n = n or n_ref or np.shape(states)[-1]
    s = check_states(states, n)
    if isinstance(element, tuple):  # (rho_S, rho_A) of a Representation; rho_A None: invariant
        g, a = check_element(element[0], n), element[1]
    else:
        g = check_element(element, n)
        a = g[:n, :n]
    moved = np.asarray(policy.act(act(g, s)))
    pushed = np.asarray(ref.act(s))
    if a is not None:
        pushed = pushed @ np.asarray(a, dtype=np.float64).T
    return np.linalg.norm(moved - pushed, axis=-1)


class TrackingHereditaryPolicy:
    r"""The hereditary policy with its element re-estimated from its own episode's rewards.

    :math:`\pi(s) = L_t\,\pi_0(L_t^{-1} s)`, where :math:`L_t` is the least-squares element
    of the task given its probes and the transitions of the episode so far
    (:class:`~liesym.manifolds.ElementTracker`): test-time inference goes on while the policy
    acts, as the episode reaches the region where the reward tells tasks apart. Square
    linear elements (actions move like states: the navigation families). In
    :func:`~liesym.policies.rollout` every episode keeps its own estimate.

    Parameters
    ----------
    base_policy : Policy
        :math:`\pi_0`, trained on the base task.
    tracker : ElementTracker
        The task's tracker (its prior: the task's probing transitions).

    Examples
    --------
    A goal at 1 rad, probed only at the centre (where every goal looks alike):

    >>> from liesym.algebra import so
    >>> from liesym.envs import circle_tasks
    >>> from liesym.manifolds import CompactLieGroup, ElementTracker
    >>> from liesym.policies import GoalSeekingPolicy, rollout
    >>> fam = circle_tasks()
    >>> group = CompactLieGroup.from_algebra(so(2), np.eye(2))
    >>> base = GoalSeekingPolicy(fam.base_goal, fam.dynamics)
    >>> def base_reward(x):
    ...     return -np.linalg.norm(x - fam.base_goal, axis=-1)
    >>> goal = fam.goal_at([1.0])[0]
    >>> probes = np.zeros((2, 2))
    >>> tracker = ElementTracker(group, base_reward,
    ...                          prior=(probes, -np.linalg.norm(probes - goal, axis=-1)))
    >>> out = rollout(TrackingHereditaryPolicy(base, tracker), fam, goal, 8, rng=0)
    >>> out.success_rate
    1.0
    """

    def __init__(self, base_policy: Policy, tracker) -> None:
        for name in ("reset", "update", "group"):
            if not hasattr(tracker, name):
                raise ValueError(f"tracker: expected an ElementTracker, got {tracker!r}")
        n = _policy_dim(base_policy)
        if n is not None and n != tracker.group.n:
            raise ValueError(
                f"tracker: its group acts on R^{tracker.group.n}, the base policy on R^{n}"
            )
        self.base_policy = base_policy
        self.tracker = tracker
        self._shape = None

    def __repr__(self) -> str:
        return f"TrackingHereditaryPolicy(n={self.n}, base_policy={self.base_policy!r})"

    @property
    def n(self) -> int:
        """Dimension of the observations (and actions)."""
        return self.tracker.group.n

    def reset(self, shape) -> "TrackingHereditaryPolicy":
        """Start a batch of episodes of batch shape ``shape`` from the task's probes."""
        self._shape = tuple(shape)
        self.tracker.reset(int(np.prod(self._shape, dtype=np.int64)))
        return self

    def _flat(self, x, last: tuple[int, ...]) -> np.ndarray:
        if x.shape != (*self._shape, *last):
            raise ValueError(
                f"states: expected the batch shape {self._shape} of reset(), got {x.shape}"
            )
        return x.reshape(-1, *last)

    def act(self, states) -> np.ndarray:
        """Actions ``L_t pi_0(L_t^-1 s)`` with each episode's current estimate."""
        s = check_states(states, self.n)
        if self._shape is None:
            self.reset(s.shape[:-1])
        el = self.tracker.elements_
        base = np.asarray(
            self.base_policy.act(
                np.einsum("bij,bj->bi", np.linalg.inv(el), self._flat(s, (self.n,)))
            )
        )
        return np.einsum("bij,bj->bi", el, base).reshape(s.shape)

    def observe(self, next_states, rewards, alive) -> None:
        """Update every running episode's estimate with its new transition."""
        x = self._flat(np.asarray(next_states, dtype=np.float64), (self.n,))
        r = self._flat(np.asarray(rewards, dtype=np.float64), ())
        self.tracker.update(x, r, self._flat(np.asarray(alive), ()))


def hereditary_policies(
    base_policy: Policy, element_of: Callable[[np.ndarray], np.ndarray]
) -> Callable[[np.ndarray], HereditaryPolicy]:
    """A factory ``goal -> HereditaryPolicy(base_policy, element_of(goal))``.

    Parameters
    ----------
    base_policy : Policy
    element_of : callable
        ``goal (n,) -> element``: ``family.group_element`` (ground truth) or an inferred one.

    Returns
    -------
    callable

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> from liesym.policies import GoalSeekingPolicy
    >>> fam = circle_tasks()
    >>> make = hereditary_policies(GoalSeekingPolicy(fam.base_goal, fam.dynamics),
    ...                            fam.group_element)
    >>> make([0.0, 1.0]).act([0.0, 0.0]).round(12) + 0.0
    array([0. , 0.1])
    """
    _policy_dim(base_policy)
    if not callable(element_of):
        raise ValueError(f"element_of: expected a callable goal -> element, got {element_of!r}")
    return lambda goal: HereditaryPolicy(base_policy, element_of(np.asarray(goal)))
