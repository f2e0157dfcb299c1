"""Vectorised point-navigation dynamics and rewards: the one source of truth for every env.

All functions take batch axes first (``[..., n]``) and are plain NumPy, so policies, data
collection, symmetry audits and benchmarks call them directly on thousands of states at once.
"""

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from liesym._core import as_finite_array, as_positive, as_square_matrix
from liesym.algebra.affine import act  # noqa: F401  (re-exported: the affine convention)

TERMINATION_RADIUS = float(np.hypot(0.1, 0.1))
"""The prototype's termination radius ``|(0.1, 0.1)| = 0.1414...``."""


def _points(x, name: str, n: int) -> np.ndarray:
    arr = as_finite_array(x, name)
    if arr.ndim == 0 or arr.shape[-1] != n:
        raise ValueError(f"{name}: expected shape [..., {n}] (points of R^{n}), got {arr.shape}")
    return arr


def _invertible(c, name: str, n: int) -> np.ndarray:
    c = as_square_matrix(c, name)
    if c.shape != (n, n):
        raise ValueError(f"{name}: expected shape ({n}, {n}), got {c.shape}")
    s = np.linalg.svd(c, compute_uv=False)
    if s[-1] <= 1e-12 * s[0]:
        raise ValueError(f"{name}: expected an invertible matrix, got singular values {s}")
    return c


@dataclass(frozen=True, eq=False)
class NavigationStep:
    """One vectorised step of the navigation system (batch axes first).

    Attributes
    ----------
    applied : ndarray, shape=[..., n]
        The actions as applied (projected onto the admissible set).
    next_states : ndarray, shape=[..., n]
        ``walls(s + applied) + noise``.
    distance : ndarray, shape=[...]
        Task distance ``|P (s' - g)|`` of the next states.
    terminated : ndarray of bool, shape=[...]
        ``distance < termination_radius``.
    """

    applied: np.ndarray
    next_states: np.ndarray
    distance: np.ndarray
    terminated: np.ndarray

    @property
    def rewards(self) -> np.ndarray:
        """Rewards ``-distance``, shape=[...]."""
        return -self.distance


@dataclass(frozen=True, eq=False)
class NavigationDynamics:
    r"""Point navigation in R^n: ``s' = walls(s + proj(a)) + eps`` and ``r = -|P (s' - g)|``.

    The exact (default) configuration has a C-shaped ball of admissible actions applied by
    radial projection, ``proj(a) = C proj_ball(C^-1 a)``, no walls, noise
    :math:`\varepsilon \sim N(0, \sigma^2 C C^T)` and start states
    :math:`s_0 \sim N(0, \sigma_0^2 C C^T)`, so every map ``C R C^-1`` (R orthogonal) is an
    exact symmetry of the system. The reward is ``-|P (s' - g)|`` on the next state, i.e.
    :math:`-\|M^{1/2}(s' - g)\|` with the task metric ``M = P^T P``; an episode terminates
    when that distance is below ``termination_radius`` and is truncated after ``max_steps``.

    Parameters
    ----------
    n : int, optional, default: 2
        Dimension of the state and action spaces.
    a_max : float, optional, default: 0.1
        Radius of the action ball (half-width of the box when ``box=True``).
    sigma : float, optional, default: 0.05
        Noise scale (0 gives deterministic dynamics).
    sigma0 : float, optional, default: 0.05
        Scale of the start-state law.
    termination_radius : float, optional, default: 0.1414...
        ``|(0.1, 0.1)|``, the prototype's value.
    max_steps : int, optional, default: 100
        Time limit of an episode.
    shape : array-like, shape=[n, n], optional
        The matrix C shaping actions, noise and start law; identity by default.
    metric_chart : array-like, shape=[n, n], optional
        The matrix P of the reward (``M = P^T P``); identity by default. ``C^-1`` for the
        ellipse family.
    box : bool, optional, default: False
        Clip actions component-wise to ``C [-a_max, a_max]^n`` instead of projecting them
        radially (the prototype's PointEnv; breaks the rotation symmetry).
    arena : float, optional
        Clip ``s + proj(a)`` component-wise to ``[-arena, arena]`` before the noise is added
        (the prototype's walls at 5). ``None`` (default) means no walls.

    Examples
    --------
    >>> dyn = NavigationDynamics()
    >>> dyn.project_action([[0.3, 0.4], [0.01, 0.0]])
    array([[0.06, 0.08],
           [0.01, 0.  ]])
    >>> next_states = dyn.mean_step(np.zeros((1, 2)), [[1.0, 0.0]])
    >>> next_states, dyn.reward(next_states, [1.0, 0.0])
    (array([[0.1, 0. ]]), array([-0.9]))
    >>> anchor = NavigationDynamics.anchor()
    >>> anchor.project_action([[0.3, 0.4]])
    array([[0.1, 0.1]])
    """

    n: int = 2
    a_max: float = 0.1
    sigma: float = 0.05
    sigma0: float = 0.05
    termination_radius: float = TERMINATION_RADIUS
    max_steps: int = 100
    shape: np.ndarray | None = None
    metric_chart: np.ndarray | None = None
    box: bool = False
    arena: float | None = None
    _shape_inv: np.ndarray = field(init=False, repr=False)
    _isotropic: bool = field(init=False, repr=False)
    _euclidean: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = self.n
        if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
            raise ValueError(f"n: expected a positive integer, got {n!r}")
        set_ = object.__setattr__
        set_(self, "n", int(n))
        set_(self, "a_max", as_positive(self.a_max, "a_max"))
        set_(self, "sigma", as_positive(self.sigma, "sigma", allow_zero=True))
        set_(self, "sigma0", as_positive(self.sigma0, "sigma0", allow_zero=True))
        set_(self, "termination_radius", as_positive(self.termination_radius, "termination_radius"))
        steps = self.max_steps
        if not isinstance(steps, int | np.integer) or isinstance(steps, bool) or steps < 1:
            raise ValueError(f"max_steps: expected a positive integer, got {steps!r}")
        set_(self, "max_steps", int(steps))
        if self.arena is not None:
            set_(self, "arena", as_positive(self.arena, "arena"))
        set_(self, "box", bool(self.box))
        eye = np.eye(n)
        shape = eye if self.shape is None else _invertible(self.shape, "shape", n)
        chart = (
            eye if self.metric_chart is None else _invertible(self.metric_chart, "metric_chart", n)
        )
        shape_inv = np.linalg.inv(shape)
        for arr in (shape, chart, shape_inv):
            arr.setflags(write=False)
        set_(self, "shape", shape)
        set_(self, "metric_chart", chart)
        set_(self, "_shape_inv", shape_inv)
        # Identity charts skip the matrix products, so the circle env is bit-exact.
        set_(self, "_isotropic", bool(np.array_equal(shape, eye)))
        set_(self, "_euclidean", bool(np.array_equal(chart, eye)))

    @classmethod
    def anchor(cls, **overrides) -> "NavigationDynamics":
        """The prototype's PointEnv: box clip +-0.1, walls at +-5, sigma = sigma0 = 0.05.

        Examples
        --------
        >>> NavigationDynamics.anchor().exact
        False
        """
        config = {"box": True, "arena": 5.0} | overrides
        return cls(**config)

    def replace(self, **changes) -> "NavigationDynamics":
        """A copy with some parameters changed (validated again)."""
        return dataclasses.replace(self, **changes)

    # Derived quantities.
    @property
    def exact(self) -> bool:
        """Whether the configuration is exactly symmetric (radial projection, no walls)."""
        return not self.box and self.arena is None

    @property
    def metric(self) -> np.ndarray:
        """The task metric ``M = P^T P`` of the reward, shape (n, n)."""
        return self.metric_chart.T @ self.metric_chart

    @property
    def noise_covariance(self) -> np.ndarray:
        """Covariance ``sigma^2 C C^T`` of the additive noise, shape (n, n)."""
        return self.sigma**2 * self.shape @ self.shape.T

    @property
    def start_covariance(self) -> np.ndarray:
        """Covariance ``sigma0^2 C C^T`` of the (zero-mean) start law, shape (n, n)."""
        return self.sigma0**2 * self.shape @ self.shape.T

    @property
    def action_bound(self) -> np.ndarray:
        """Half-widths (n,) of the smallest box containing the admissible action set."""
        if self.box:
            return self.a_max * np.abs(self.shape).sum(axis=1)
        return self.a_max * np.linalg.norm(self.shape, axis=1)

    # Vectorised maps (batch axes first).
    def project_action(self, actions) -> np.ndarray:
        """Actions as applied: projected onto the admissible set, shape=[..., n].

        Radially onto ``C ball(a_max)`` (``C box`` when ``box=True``); actions inside the set
        are returned unchanged.
        """
        return self._project(_points(actions, "actions", self.n))

    def mean_step(self, states, actions) -> np.ndarray:
        """The noise-free next state ``F(s, a) = walls(s + proj(a))``, shape=[..., n]."""
        states = _points(states, "states", self.n)
        return self._walls(states + self._project(_points(actions, "actions", self.n)))

    def transition(self, states, actions, goals, noise=None, *, check: bool = True):
        """The system's one step: project, move, add noise, measure the task distance.

        Every env, collector, rollout and audit of the navigation system steps through this
        function (batch axes first, everything broadcast).

        Parameters
        ----------
        states : array-like, shape=[..., n]
        actions : array-like, shape=[..., n]
            Raw actions (projected onto the admissible set).
        goals : array-like, shape=[..., n]
        noise : array-like, shape=[..., n], optional
            Additive noise of this step (e.g. from :meth:`sample_noise`); none by default.
        check : bool, optional, default: True
            Validate the inputs (hot loops that already did pass False).

        Returns
        -------
        NavigationStep

        Examples
        --------
        >>> dyn = NavigationDynamics()
        >>> step = dyn.transition([[0.0, 0.0]], [[1.0, 0.0]], [1.0, 0.0])
        >>> step.applied, step.next_states, step.rewards
        (array([[0.1, 0. ]]), array([[0.1, 0. ]]), array([-0.9]))
        """
        if check:
            states = _points(states, "states", self.n)
            actions = _points(actions, "actions", self.n)
            goals = _points(goals, "goals", self.n)
            if noise is not None:
                noise = _points(noise, "noise", self.n)
        applied = self._project(actions)
        nxt = self._walls(states + applied)
        if noise is not None:
            nxt = nxt + noise
        distance = self._distance(nxt, goals)
        return NavigationStep(applied, nxt, distance, distance < self.termination_radius)

    def clip_to_arena(self, points) -> np.ndarray:
        """Points clipped to the walls ``[-arena, arena]^n`` (unchanged without walls)."""
        return self._walls(_points(points, "points", self.n))

    def sample_noise(self, size, rng: np.random.Generator) -> np.ndarray:
        """Noise ``sigma C z``, z standard normal, shape=[*size, n]."""
        return self._scaled_normal(self.sigma, size, rng)

    def step(self, states, actions, rng: np.random.Generator) -> np.ndarray:
        """Sampled next states ``F(s, a) + eps``, shape=[..., n] (noise drawn from ``rng``)."""
        mean = self.mean_step(states, actions)
        return mean + self.sample_noise(mean.shape[:-1], rng)

    def sample_start(self, size, rng: np.random.Generator) -> np.ndarray:
        """Start states ``s_0 ~ N(0, sigma0^2 C C^T)``, shape=[*size, n]."""
        return self._scaled_normal(self.sigma0, size, rng)

    def sample_actions(self, size, rng: np.random.Generator) -> np.ndarray:
        """Actions uniform in the admissible set (ball or box, shaped by C), shape=[*size, n]."""
        size = (size,) if np.isscalar(size) else tuple(size)
        if self.box:
            u = rng.uniform(-self.a_max, self.a_max, size=(*size, self.n))
        else:
            z = rng.standard_normal((*size, self.n))
            radius = self.a_max * rng.uniform(size=(*size, 1)) ** (1.0 / self.n)
            norm = np.linalg.norm(z, axis=-1, keepdims=True)
            u = z * (radius / np.where(norm > 0, norm, 1.0))
        return u if self._isotropic else u @ self.shape.T

    def distance(self, next_states, goal) -> np.ndarray:
        """Task distance ``|P (s' - g)|``, shape=[...]; ``goal`` broadcasts ([n] or [..., n])."""
        return self._distance(
            _points(next_states, "next_states", self.n), _points(goal, "goal", self.n)
        )

    def reward(self, next_states, goal) -> np.ndarray:
        """Reward ``-|P (s' - g)|`` of the next states, shape=[...]."""
        return -self.distance(next_states, goal)

    def terminated(self, next_states, goal) -> np.ndarray:
        """Whether the task distance is below ``termination_radius``, shape=[...] (bool)."""
        return self.distance(next_states, goal) < self.termination_radius

    # Unchecked kernels (inputs already validated), used in hot loops.
    def _project(self, a: np.ndarray) -> np.ndarray:
        u = a if self._isotropic else a @ self._shape_inv.T
        if self.box:
            inside = np.all(np.abs(u) <= self.a_max, axis=-1, keepdims=True)
            p = np.clip(u, -self.a_max, self.a_max)
        else:
            norm = np.linalg.norm(u, axis=-1, keepdims=True)
            inside = norm <= self.a_max
            p = u * (self.a_max / np.where(inside, 1.0, norm))
        p = p if self._isotropic else p @ self.shape.T
        return np.where(inside, a, p)

    def _walls(self, y: np.ndarray) -> np.ndarray:
        return y if self.arena is None else np.clip(y, -self.arena, self.arena)

    def _scaled_normal(self, scale: float, size, rng: np.random.Generator) -> np.ndarray:
        size = (size,) if np.isscalar(size) else tuple(size)
        z = scale * rng.standard_normal((*size, self.n))
        return z if self._isotropic else z @ self.shape.T

    def _distance(self, p: np.ndarray, goal: np.ndarray) -> np.ndarray:
        d = p - goal
        return np.linalg.norm(d if self._euclidean else d @ self.metric_chart.T, axis=-1)
