r"""Navigation task families with their exact ground truth as data.

A task is identified by its goal g (shape (n,)). Every family carries a base goal ``g_0`` and
the matrix ``L`` of its task group that carries the base task to the task with goal g:
``L g_0 = g`` and ``r_g(L s) = r_0(s)``; ``L`` is also a symmetry of the dynamics, so optimal
policies are related by ``pi_g(s) = L pi_0(L^-1 s)``.

========  ==================  ====================  =====================  ================
family    goals               task group            base symmetries        system (linear)
========  ==================  ====================  =====================  ================
circle    r (cos t, sin t)    SO(2)                 rotations about g_0    SO(2)
ellipse   C (cos t, sin t)    C SO(2) C^-1          C SO(2) C^-1 about g0  C SO(2) C^-1
sphere    r S^2 in R^3        SO(3)                 SO(3) about g_0        SO(3)
line      g_0 + t d           translations (affine) rotations about g_0    SO(n)
========  ==================  ====================  =====================  ================

The affine symmetries of the (wall-free) dynamics add all translations to the linear ones
(``affine_system_algebra``); the start law ``N(0, sigma0^2 C C^T)`` is invariant under the
linear group only, which is why the line family (a non-compact negative control) has no
invariant start law.
"""

import abc
import dataclasses
from dataclasses import dataclass, field

import numpy as np
from scipy.spatial.transform import Rotation

from liesym._core import as_count, as_finite_array, as_rng
from liesym.algebra import LieAlgebra, so_generators
from liesym.envs.dynamics import NavigationDynamics, _invertible
from liesym.envs.env import NavigationEnv, as_vector

ORBIT_TOL = 1e-6
"""Largest relative distance of an accepted goal from the family's orbit (published goals
carry 8 digits)."""

PROTOTYPE_TRAIN_GOALS = np.array(
    [
        [-0.70506063, 0.70914702],
        [0.95243384, -0.30474544],
        [-0.11289421, -0.99360701],
        [-0.81394263, -0.58094525],
    ]
)
PROTOTYPE_TRAIN_GOALS.setflags(write=False)

_J = so_generators(2)[0]


GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))  # 2 pi / phi^2 ~ 2.39996 rad


def prototype_train_goals() -> np.ndarray:
    """The prototype's four seed-42 training goals on the unit circle, base task first.

    Returns
    -------
    ndarray, shape=[4, 2]
        As published (8 digits; on the unit circle to about 6e-9).

    Examples
    --------
    >>> prototype_train_goals()[0]
    array([-0.70506063,  0.70914702])
    """
    return PROTOTYPE_TRAIN_GOALS.copy()


def rotation_2d(theta) -> np.ndarray:
    """Rotation matrices ``R(theta)``, shape=[..., 2, 2].

    Examples
    --------
    >>> rotation_2d(np.pi / 2).round(12) + 0.0
    array([[ 0., -1.],
           [ 1.,  0.]])
    """
    t = np.asarray(theta, dtype=np.float64)
    c, s = np.cos(t), np.sin(t)
    return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)


def hat(v) -> np.ndarray:
    """The so(3) matrix of a vector: ``hat(v) x = v x x`` (cross product), shape=[..., 3, 3].

    Examples
    --------
    >>> hat([0.0, 0.0, 1.0]) @ np.array([1.0, 0.0, 0.0])
    array([0., 1., 0.])
    """
    v = np.asarray(v, dtype=np.float64)
    return np.tensordot(v, so_generators(3), axes=([-1], [0]))


def minimal_rotation_vector(a, b) -> np.ndarray:
    """Rotation vector of the smallest rotation taking direction ``a`` to direction ``b``.

    The axis is ``a x b``; for antipodal directions (no unique axis) the axis is ``a``
    crossed with the coordinate axis least aligned with ``a``.

    Parameters
    ----------
    a, b : array-like, shape=[..., 3]
        Non-zero vectors (only their directions matter).

    Returns
    -------
    ndarray, shape=[..., 3]

    Examples
    --------
    >>> minimal_rotation_vector([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]).round(6)
    array([0.      , 0.      , 1.570796])
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    a = a / np.linalg.norm(a, axis=-1, keepdims=True)
    b = b / np.linalg.norm(b, axis=-1, keepdims=True)
    a, b = np.broadcast_arrays(a, b)
    axis = np.cross(a, b)
    sin = np.linalg.norm(axis, axis=-1, keepdims=True)
    cos = np.sum(a * b, axis=-1, keepdims=True)
    angle = np.arctan2(sin, cos)
    # Antipodal (or nearly): any axis orthogonal to a is minimal; pick a deterministic one.
    helper = np.eye(3)[np.argmin(np.abs(a), axis=-1)]
    fallback = np.cross(a, helper)
    degenerate = sin < 1e-12
    axis = np.where(degenerate & (cos < 0), fallback, axis)
    norm = np.linalg.norm(axis, axis=-1, keepdims=True)
    return np.where(degenerate & (cos > 0), 0.0, axis / np.where(norm > 0, norm, 1.0) * angle)


def fibonacci_sphere(m: int) -> np.ndarray:
    """``m`` nearly evenly spread unit vectors of R^3 (golden-angle spiral), shape=[m, 3].

    Examples
    --------
    >>> pts = fibonacci_sphere(20)
    >>> pts.shape, bool(np.allclose(np.linalg.norm(pts, axis=1), 1.0))
    ((20, 3), True)
    """
    m = as_count(m, "m")
    i = np.arange(m) + 0.5
    z = 1.0 - 2.0 * i / m
    phi = np.pi * (3.0 - np.sqrt(5.0)) * i
    r = np.sqrt(1.0 - z**2)
    return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=-1)


def _about(linear, center) -> np.ndarray:
    """Affine generators ``x -> W (x - c)`` in homogeneous form, shape (k, n+1, n+1)."""
    k, n, _ = linear.shape
    gens = np.zeros((k, n + 1, n + 1))
    gens[:, :n, :n] = linear
    gens[:, :n, n] = -linear @ center
    return gens


def _with_translations(linear) -> np.ndarray:
    """Linear generators embedded in homogeneous form, plus all translations."""
    k, n, _ = linear.shape
    gens = np.zeros((k + n, n + 1, n + 1))
    gens[:k, :n, :n] = linear
    gens[k + np.arange(n), np.arange(n), n] = 1.0
    return gens


def _dynamics(defaults: dict, overrides: dict, family: str) -> NavigationDynamics:
    fixed = {"n", "shape", "metric_chart"} & set(overrides)
    if fixed:
        raise ValueError(
            f"{sorted(fixed)}: fixed by the {family} family (its ground truth depends on them); "
            "pass only a_max, sigma, sigma0, termination_radius, max_steps, box or arena"
        )
    return NavigationDynamics(**(defaults | overrides))


@dataclass(frozen=True, eq=False)
class TaskFamily(abc.ABC):
    """Common protocol of the navigation task families (see the module docstring).

    Attributes
    ----------
    dynamics : NavigationDynamics
        The shared system.
    name : str
    base_goal : ndarray, shape=[n]
        Goal of the base task (index 0 of ``train_goals``).
    task_algebra : LieAlgebra
        Lie algebra of the task group (linear, except the line family's translations).
    base_symmetry_algebra : LieAlgebra
        Affine (homogeneous) algebra of the base task's own reward symmetries.
    system_algebra : LieAlgebra
        Linear symmetries of the dynamics (noise and start law included).
    affine_system_algebra : LieAlgebra
        Affine symmetries of the wall-free dynamics: the linear ones plus all translations.
    """

    dynamics: NavigationDynamics
    name: str
    base_goal: np.ndarray = field(init=False)
    task_algebra: LieAlgebra = field(init=False, repr=False)
    base_symmetry_algebra: LieAlgebra = field(init=False, repr=False)
    system_algebra: LieAlgebra = field(init=False, repr=False)
    affine_system_algebra: LieAlgebra = field(init=False, repr=False)

    def _set(self, **values) -> None:
        for key, value in values.items():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
            object.__setattr__(self, key, value)

    def _set_system(self, linear, name: str) -> None:
        self._set(
            system_algebra=LieAlgebra(linear, name=name),
            affine_system_algebra=LieAlgebra(
                _with_translations(linear), affine=True, name=f"{name} + translations"
            ),
        )

    @property
    def n(self) -> int:
        """Dimension of the state space."""
        return self.dynamics.n

    @property
    def invariant_form(self) -> np.ndarray | None:
        """SPD matrix M with ``W^T M + M W = 0`` for the task algebra; None if non-compact."""
        return self.dynamics.metric

    # Goals.
    def check_goal(self, goal, name: str = "goal") -> np.ndarray:
        """Validate one goal of this family: finite, shape (n,), on the orbit of ``base_goal``."""
        goal = as_vector(goal, self.n, name)
        self._check_on_orbit(goal[None], name)
        return goal

    def check_goals(self, goals, name: str = "goals") -> np.ndarray:
        """Validate goals of shape (m, n) (or one goal (n,), returned as (1, n))."""
        arr = as_finite_array(goals, name, ndim=(1, 2))
        arr = arr[None] if arr.ndim == 1 else arr
        if arr.shape[-1] != self.n or arr.shape[0] < 1:
            raise ValueError(f"{name}: expected shape (m, {self.n}) with m >= 1, got {arr.shape}")
        self._check_on_orbit(arr, name)
        return arr

    def _check_on_orbit(self, goals: np.ndarray, name: str) -> None:
        off = self._orbit_residual(goals)
        if np.any(off > ORBIT_TOL):
            i = int(np.argmax(off))
            raise ValueError(
                f"{name}: expected goals of the {self.name} family, goal {goals[i]} is off "
                f"its orbit by {off[i]:.3g} (relative)"
            )

    def make_env(self, goal=None, **overrides) -> NavigationEnv:
        """The env of the task with ``goal`` (default the base task).

        Parameters
        ----------
        goal : array-like, shape=[n], optional
        **overrides
            Changes to the dynamics (e.g. ``sigma=0.0``), see :class:`NavigationDynamics`.

        Returns
        -------
        NavigationEnv
        """
        goal = self.base_goal if goal is None else self.check_goal(goal)
        dynamics = self.dynamics.replace(**overrides) if overrides else self.dynamics
        return NavigationEnv(goal, dynamics)

    @abc.abstractmethod
    def _orbit_residual(self, goals: np.ndarray) -> np.ndarray:
        """Relative distance (m,) of goals (m, n) from the orbit."""

    @abc.abstractmethod
    def goal_at(self, param) -> np.ndarray:
        """Goals at parameters (angle, rotation vector or position), shape=[..., n]."""

    @abc.abstractmethod
    def param_of(self, goal) -> np.ndarray:
        """Parameters of goals (inverse of :meth:`goal_at`)."""

    @abc.abstractmethod
    def group_element(self, goal) -> np.ndarray:
        """Matrices L of the task group with ``L g_0 = goal``, shape=[..., k, k]."""

    @abc.abstractmethod
    def train_goals(self, k: int, rng=None) -> np.ndarray:
        """``k`` spread training goals, base goal first, shape=[k, n]."""

    @abc.abstractmethod
    def test_goals(self, m: int) -> np.ndarray:
        """``m`` evenly spread test goals, shape=[m, n]."""

    @abc.abstractmethod
    def rebase(self, goal) -> "TaskFamily":
        """The same family with the task of ``goal`` as its base task."""


@dataclass(frozen=True, eq=False)
class EllipseFamily(TaskFamily):
    r"""Goals ``G (cos t, sin t)`` on an ellipse (a circle if ``G = r I``); task group G SO(2) G^-1.

    Made by :func:`circle_tasks` and :func:`ellipse_tasks`. The parameter of a goal is its
    angle t in the chart ``G^-1``, and ``group_element(g) = G R(t - t_0) G^-1``.

    Parameters
    ----------
    dynamics : NavigationDynamics
    name : str
    chart : array-like, shape=[2, 2]
        The matrix G placing goals.
    base_angle : float, optional, default: 0.0
        Angle t_0 of the base goal.
    """

    chart: np.ndarray = None
    base_angle: float = 0.0
    _chart_inv: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        g = _invertible(self.chart, "C", 2)
        t0 = float(as_vector([self.base_angle], 1, "base_angle")[0])
        g_inv = np.linalg.inv(g)
        # Reward symmetries of |P (x - g_0)| are the rotations of the chart P about g_0.
        p = self.dynamics.metric_chart
        self._set(chart=g, base_angle=t0, _chart_inv=g_inv, base_goal=g @ [np.cos(t0), np.sin(t0)])
        w_task = g @ _J @ g_inv
        w_reward = np.linalg.inv(p) @ _J @ p
        c = self.dynamics.shape
        self._set(
            task_algebra=LieAlgebra(w_task, name="so(2)" if self._conformal else "C so(2) C^-1"),
            base_symmetry_algebra=LieAlgebra(_about(w_reward[None], self.base_goal), affine=True),
        )
        isotropic = np.array_equal(c, np.eye(2))
        self._set_system(
            (c @ _J @ np.linalg.inv(c))[None], "so(2)" if isotropic else "C so(2) C^-1"
        )

    @property
    def _conformal(self) -> bool:
        g = self.chart
        return bool(np.allclose(g.T @ g, (g.T @ g)[0, 0] * np.eye(2), rtol=0, atol=1e-14))

    def _orbit_residual(self, goals):
        return np.abs(np.linalg.norm(goals @ self._chart_inv.T, axis=-1) - 1.0)

    def goal_at(self, param) -> np.ndarray:
        """Goals ``G (cos t, sin t)`` at angles t, shape=[..., 2].

        Examples
        --------
        >>> circle_tasks().goal_at(np.pi / 2).round(12) + 0.0
        array([0., 1.])
        """
        t = as_finite_array(param, "param")
        return np.stack([np.cos(t), np.sin(t)], axis=-1) @ self.chart.T

    def param_of(self, goal) -> np.ndarray:
        """Angles in (-pi, pi] of goals (shape=[..., 2]) in the chart ``G^-1``, shape=[...]."""
        u = self._goals(goal) @ self._chart_inv.T
        return np.arctan2(u[..., 1], u[..., 0])

    def group_element(self, goal) -> np.ndarray:
        """``L = G R(t - t_0) G^-1``, shape=[..., 2, 2]: ``L g_0 = goal``, ``r_goal(L s) = r_0(s)``.

        Examples
        --------
        >>> fam = circle_tasks()
        >>> (fam.group_element([0.0, 1.0]) @ fam.base_goal).round(12) + 0.0
        array([0., 1.])
        """
        self._check_on_orbit(self._goals(goal).reshape(-1, 2), "goal")
        r = rotation_2d(self.param_of(goal) - self.base_angle)
        return self.chart @ r @ self._chart_inv

    def train_goals(self, k: int, rng=None) -> np.ndarray:
        """``k`` training goals, base goal first, at golden-angle steps ``t_0 + j * 2.39996``.

        Golden-angle steps (2 pi / phi^2, phi the golden ratio) spread any number of goals
        over the circle and never put one exactly opposite the base goal: there the aligning
        element is -I, which lies on *every* elliptic one-parameter group and so cannot
        identify the task algebra (evenly spaced pairs would be exactly opposite). With
        ``rng`` each angle but the base one is jittered uniformly by up to 0.1 rad.
        """
        k = as_count(k, "k")
        t = np.arange(k, dtype=np.float64) * GOLDEN_ANGLE
        if rng is not None:
            t[1:] += as_rng(rng).uniform(-0.1, 0.1, size=k - 1)
        goals = self.goal_at(self.base_angle + t)
        goals[0] = self.base_goal
        return goals

    def test_goals(self, m: int) -> np.ndarray:
        """``m`` goals at the evenly spaced angles ``2 pi j / m``, j = 0..m-1 (as the prototype)."""
        return self.goal_at(2.0 * np.pi * np.arange(as_count(m, "m")) / m)

    def prototype_train_goals(self) -> np.ndarray:
        """The prototype's seed-42 training angles placed on this family's orbit, shape (4, 2).

        For ``circle_tasks()`` these are :func:`prototype_train_goals` (to 6e-9); the
        prototype's ellipse cell drew the same angles.
        """
        g = PROTOTYPE_TRAIN_GOALS
        return self.goal_at(np.arctan2(g[:, 1], g[:, 0]))

    def rebase(self, goal) -> "EllipseFamily":
        """The family with base task ``goal`` (e.g. the prototype's ``g_0``).

        Examples
        --------
        >>> fam = circle_tasks().rebase(prototype_train_goals()[0])
        >>> fam.base_goal.round(6)
        array([-0.705061,  0.709147])
        """
        angle = float(self.param_of(self.check_goal(goal)))
        return dataclasses.replace(self, base_angle=angle)

    def _goals(self, goal) -> np.ndarray:
        arr = as_finite_array(goal, "goal")
        if arr.ndim == 0 or arr.shape[-1] != 2:
            raise ValueError(f"goal: expected shape [..., 2], got {arr.shape}")
        return arr


@dataclass(frozen=True, eq=False)
class SphereFamily(TaskFamily):
    """Goals on the sphere of radius ``radius`` in R^3; task group SO(3).

    The parameter of a goal is the rotation vector of the minimal rotation carrying the base
    direction to it; ``group_element`` returns that rotation, the canonical representative of
    its coset modulo the stabiliser of ``g_0`` (:meth:`stabilizer_algebra`).

    Parameters
    ----------
    dynamics : NavigationDynamics
    name : str
    radius : float, optional, default: 1.0
    base_direction : array-like, shape=[3], optional
        Direction of the base goal, ``e_1`` by default.
    """

    radius: float = 1.0
    base_direction: np.ndarray = None

    def __post_init__(self) -> None:
        radius = float(as_vector([self.radius], 1, "radius")[0])
        if radius <= 0:
            raise ValueError(f"radius: expected a positive number, got {radius}")
        u = np.eye(3)[0] if self.base_direction is None else as_vector(self.base_direction, 3)
        norm = np.linalg.norm(u)
        if norm == 0:
            raise ValueError("base_direction: expected a non-zero vector")
        u = u / norm
        gens = so_generators(3)
        self._set(radius=radius, base_direction=u, base_goal=radius * u)
        self._set(
            task_algebra=LieAlgebra(gens, name="so(3)"),
            base_symmetry_algebra=LieAlgebra(_about(gens, self.base_goal), affine=True),
        )
        self._set_system(gens, "so(3)")

    def _orbit_residual(self, goals):
        return np.abs(np.linalg.norm(goals, axis=-1) / self.radius - 1.0)

    def stabilizer_algebra(self, goal=None) -> LieAlgebra:
        """The so(2) of rotations about the axis through ``goal`` (default ``g_0``), linear 3x3.

        Examples
        --------
        >>> fam = sphere_tasks()
        >>> w = fam.stabilizer_algebra().basis[0]
        >>> bool(np.allclose(w @ fam.base_goal, 0.0))
        True
        """
        goal = self.base_goal if goal is None else self.check_goal(goal)
        return LieAlgebra(hat(goal / np.linalg.norm(goal)), name="so(2)")

    def goal_at(self, param) -> np.ndarray:
        """Goals ``exp(hat(v)) g_0`` for rotation vectors v (shape=[..., 3]), shape=[..., 3]."""
        v = as_finite_array(param, "param")
        if v.ndim == 0 or v.shape[-1] != 3:
            raise ValueError(f"param: expected rotation vectors of shape [..., 3], got {v.shape}")
        flat = Rotation.from_rotvec(v.reshape(-1, 3)).as_matrix() @ self.base_goal
        return flat.reshape(v.shape)

    def param_of(self, goal) -> np.ndarray:
        """Rotation vectors (shape=[..., 3]) of the minimal rotations ``g_0 -> goal``."""
        arr = as_finite_array(goal, "goal")
        if arr.ndim == 0 or arr.shape[-1] != 3 or np.any(np.linalg.norm(arr, axis=-1) == 0):
            raise ValueError(f"goal: expected non-zero points of shape [..., 3], got {arr.shape}")
        return minimal_rotation_vector(self.base_direction, arr)

    def group_element(self, goal) -> np.ndarray:
        """The minimal rotation L (shape=[..., 3, 3]) with ``L g_0 = goal``.

        Examples
        --------
        >>> fam = sphere_tasks()
        >>> (fam.group_element([0.0, 0.0, 1.0]) @ fam.base_goal).round(12) + 0.0
        array([0., 0., 1.])
        """
        v = self.param_of(goal)
        self._check_on_orbit(as_finite_array(goal, "goal").reshape(-1, 3), "goal")
        return Rotation.from_rotvec(v.reshape(-1, 3)).as_matrix().reshape(*v.shape, 3)

    def train_goals(self, k: int, rng=None) -> np.ndarray:
        """``k`` training goals, base goal first.

        Without ``rng``: a Fibonacci sphere of k points rotated so that its first point is
        ``g_0``; with ``rng``: ``g_0`` and k - 1 goals drawn uniformly on the sphere.
        """
        k = as_count(k, "k")
        if rng is None:
            pts = fibonacci_sphere(k)
            rot = Rotation.from_rotvec(minimal_rotation_vector(pts[0], self.base_direction))
            goals = self.radius * rot.apply(pts)
        else:
            z = as_rng(rng).standard_normal((k, 3))
            goals = self.radius * z / np.linalg.norm(z, axis=-1, keepdims=True)
        goals[0] = self.base_goal
        return goals

    def test_goals(self, m: int) -> np.ndarray:
        """``m`` goals on a Fibonacci sphere of radius ``radius``."""
        return self.radius * fibonacci_sphere(m)

    def rebase(self, goal) -> "SphereFamily":
        """The family with base task ``goal``."""
        return dataclasses.replace(self, base_direction=self.check_goal(goal))


@dataclass(frozen=True, eq=False)
class LineFamily(TaskFamily):
    """Goals ``g_0 + t d`` on a line; task group the translations along it (non-compact).

    The negative control: the task algebra is affine (one generator ``[[0, d], [0, 0]]``),
    ``group_element`` is a homogeneous translation, and the task group is not compact (no
    invariant form; ``invariant_form`` is None) nor a subgroup of the linear system group.

    Parameters
    ----------
    dynamics : NavigationDynamics
    name : str
    origin : array-like, shape=[n]
        The base goal (t = 0).
    direction : array-like, shape=[n]
        Direction d of the line (normalised).
    extent : float, optional, default: 1.0
        Train and test goals have ``|t| <= extent``.
    """

    origin: np.ndarray = None
    direction: np.ndarray = None
    extent: float = 1.0

    def __post_init__(self) -> None:
        n = self.dynamics.n
        if n < 2:
            raise ValueError(f"dynamics.n: the line family needs n >= 2, got {n}")
        origin = as_vector(self.origin, n, "origin")
        d = as_vector(self.direction, n, "direction")
        if np.linalg.norm(d) == 0:
            raise ValueError("direction: expected a non-zero vector")
        extent = float(as_vector([self.extent], 1, "extent")[0])
        if extent <= 0:
            raise ValueError(f"extent: expected a positive number, got {extent}")
        d = d / np.linalg.norm(d)
        gen = np.zeros((n + 1, n + 1))
        gen[:n, n] = d
        rot = so_generators(n)
        self._set(origin=origin, direction=d, extent=extent, base_goal=origin.copy())
        self._set(
            task_algebra=LieAlgebra(gen, affine=True, name="translations along the line"),
            base_symmetry_algebra=LieAlgebra(_about(rot, origin), affine=True),
        )
        self._set_system(rot, f"so({n})")

    @property
    def invariant_form(self) -> None:
        """None: translations preserve no inner product (the group is not compact)."""
        return None

    def _orbit_residual(self, goals):
        off = goals - self.origin
        perp = off - (off @ self.direction)[:, None] * self.direction
        return np.linalg.norm(perp, axis=-1) / max(1.0, float(np.linalg.norm(self.origin)))

    def goal_at(self, param) -> np.ndarray:
        """Goals ``g_0 + t d`` at positions t (shape=[...]), shape=[..., n]."""
        t = as_finite_array(param, "param")
        return self.origin + t[..., None] * self.direction

    def param_of(self, goal) -> np.ndarray:
        """Positions ``t = (goal - g_0) . d``, shape=[...]."""
        arr = as_finite_array(goal, "goal")
        if arr.ndim == 0 or arr.shape[-1] != self.n:
            raise ValueError(f"goal: expected shape [..., {self.n}], got {arr.shape}")
        return (arr - self.origin) @ self.direction

    def group_element(self, goal) -> np.ndarray:
        """Homogeneous translations ``[[I, t d], [0, 1]]``, shape=[..., n+1, n+1].

        Examples
        --------
        >>> line_tasks().group_element([1.0, 0.5])
        array([[1. , 0. , 0. ],
               [0. , 1. , 0.5],
               [0. , 0. , 1. ]])
        """
        t = self.param_of(goal)
        n = self.n
        self._check_on_orbit(as_finite_array(goal, "goal").reshape(-1, n), "goal")
        out = np.broadcast_to(np.eye(n + 1), (*t.shape, n + 1, n + 1)).copy()
        out[..., :n, n] = t[..., None] * self.direction
        return out

    def train_goals(self, k: int, rng=None) -> np.ndarray:
        """``k`` training goals, base goal (t = 0) first.

        Without ``rng`` the others alternate sides at ``t = +-extent * i / ceil((k-1)/2)``;
        with ``rng`` they are uniform in ``[-extent, extent]``.
        """
        k = as_count(k, "k")
        j = np.arange(1, k)
        if rng is None:
            half = max(1, -(-(k - 1) // 2))
            t = self.extent * np.ceil(j / 2) / half * np.where(j % 2 == 1, 1.0, -1.0)
        else:
            t = as_rng(rng).uniform(-self.extent, self.extent, size=k - 1)
        return self.goal_at(np.concatenate([[0.0], t]))

    def test_goals(self, m: int) -> np.ndarray:
        """``m`` goals at evenly spaced t in ``[-extent, extent]``."""
        return self.goal_at(np.linspace(-self.extent, self.extent, as_count(m, "m")))

    def rebase(self, goal) -> "LineFamily":
        """The family with base task ``goal``."""
        return dataclasses.replace(self, origin=self.check_goal(goal))


def circle_tasks(
    radius: float = 1.0, *, anchor: bool = False, base_angle: float = 0.0, **dynamics
) -> EllipseFamily:
    """Goals on a circle about the origin in R^2; task group SO(2).

    Parameters
    ----------
    radius : float, optional, default: 1.0
    anchor : bool, optional, default: False
        Use the prototype's PointEnv dynamics (:meth:`NavigationDynamics.anchor`: box
        clip, walls); the stated ground truth then holds only approximately (see
        :func:`symmetry_defect`).
    base_angle : float, optional, default: 0.0
        Angle of the base goal; ``rebase(prototype_train_goals()[0])`` gives the prototype's.
    **dynamics
        Parameters of :class:`NavigationDynamics` (a_max, sigma, sigma0, ...).

    Returns
    -------
    EllipseFamily

    Examples
    --------
    >>> fam = circle_tasks()
    >>> fam.task_algebra, fam.base_goal
    (LieAlgebra(dim=1, n=2, name='so(2)'), array([1., 0.]))
    >>> fam.train_goals(4).round(3) + 0.0  # golden-angle steps
    array([[ 1.   ,  0.   ],
           [-0.737,  0.675],
           [ 0.087, -0.996],
           [ 0.608,  0.794]])
    """
    r = float(as_vector([radius], 1, "radius")[0])
    if r <= 0:
        raise ValueError(f"radius: expected a positive number, got {r}")
    defaults = {"n": 2} | ({"box": True, "arena": 5.0} if anchor else {})
    dyn = _dynamics(defaults, dynamics, "circle")
    name = "circle (anchor)" if anchor else "circle"
    return EllipseFamily(dyn, name, chart=r * np.eye(2), base_angle=base_angle)


def ellipse_tasks(C, *, base_angle: float = 0.0, **dynamics) -> EllipseFamily:
    """Goals ``C R(t) e_1`` on an ellipse; task group C SO(2) C^-1, metric ``M = C^-T C^-1``.

    The reward is ``-|C^-1 (s' - g)|``, the action set ``C ball(a_max)``, the noise
    ``N(0, sigma^2 C C^T)`` and the start law ``N(0, sigma0^2 C C^T)``, so that the
    conjugated rotations are exact symmetries of the system and carry tasks to tasks. (With
    the prototype's Euclidean reward they are not: see anchor_code_facts 1.4.) The
    prototype's ellipse cell used ``C = diag(0.7, 0.9)``.

    Parameters
    ----------
    C : array-like, shape=[2, 2]
        Invertible.
    base_angle : float, optional, default: 0.0
    **dynamics
        Parameters of :class:`NavigationDynamics`.

    Returns
    -------
    EllipseFamily

    Examples
    --------
    >>> fam = ellipse_tasks(np.diag([0.7, 0.9]))
    >>> fam.task_algebra.name, fam.base_goal
    ('C so(2) C^-1', array([0.7, 0. ]))
    >>> w = fam.task_algebra.basis[0]
    >>> M = fam.invariant_form
    >>> bool(np.allclose(w.T @ M + M @ w, 0.0))
    True
    """
    c = _invertible(C, "C", 2)
    dyn = _dynamics({"n": 2, "shape": c, "metric_chart": np.linalg.inv(c)}, dynamics, "ellipse")
    return EllipseFamily(dyn, "ellipse", chart=c, base_angle=base_angle)


def sphere_tasks(radius: float = 1.0, *, base_direction=None, **dynamics) -> SphereFamily:
    """Goals on the sphere S^2 of radius ``radius`` in R^3; task group SO(3).

    Parameters
    ----------
    radius : float, optional, default: 1.0
    base_direction : array-like, shape=[3], optional
        Direction of the base goal (``e_1``).
    **dynamics
        Parameters of :class:`NavigationDynamics`.

    Returns
    -------
    SphereFamily

    Examples
    --------
    >>> fam = sphere_tasks()
    >>> fam.task_algebra.dim, fam.base_symmetry_algebra.dim, fam.stabilizer_algebra().dim
    (3, 3, 1)
    """
    dyn = _dynamics({"n": 3}, dynamics, "sphere")
    return SphereFamily(dyn, "sphere", radius=radius, base_direction=base_direction)


def line_tasks(
    origin=(1.0, 0.0), direction=(0.0, 1.0), *, extent: float = 1.0, **dynamics
) -> LineFamily:
    """Goals on the line ``origin + t direction`` (R^2 or R^3); task group: translations.

    A non-compact negative control: the task group is not a subgroup of the linear system
    symmetries (only of the affine ones), and the start law is not invariant under it.

    Parameters
    ----------
    origin : array-like, shape=[n], optional, default: (1, 0)
        The base goal (away from the start states near 0).
    direction : array-like, shape=[n], optional, default: (0, 1)
    extent : float, optional, default: 1.0
        Half-length of the segment of train and test goals.
    **dynamics
        Parameters of :class:`NavigationDynamics`.

    Returns
    -------
    LineFamily

    Examples
    --------
    >>> fam = line_tasks()
    >>> fam.task_algebra.affine, fam.task_algebra.dim, fam.invariant_form is None
    (True, 1, True)
    >>> fam.test_goals(3)
    array([[ 1., -1.],
           [ 1.,  0.],
           [ 1.,  1.]])
    """
    origin = as_finite_array(origin, "origin", ndim=1)
    if origin.shape[0] not in (2, 3):
        raise ValueError(f"origin: expected a point of R^2 or R^3, got shape {origin.shape}")
    dyn = _dynamics({"n": origin.shape[0]}, dynamics, "line")
    return LineFamily(dyn, "line", origin=origin, direction=direction, extent=extent)


def family_by_name(name: str) -> TaskFamily:
    """The task family of a short name: "circle", "ellipse", "sphere" or "line".

    The ellipse uses the prototype's ``C = diag(0.7, 0.9)``; other settings are the defaults.

    Examples
    --------
    >>> family_by_name("ellipse").name
    'ellipse'
    """
    makers = {
        "circle": circle_tasks,
        "ellipse": lambda: ellipse_tasks(np.diag([0.7, 0.9])),
        "sphere": sphere_tasks,
        "line": line_tasks,
    }
    if name not in makers:
        raise ValueError(f"name: expected one of {', '.join(makers)}, got {name!r}")
    return makers[name]()
