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
from liesym.algebra import LieAlgebra, generators_about, so_generators, with_translations
from liesym.envs.dynamics import NavigationDynamics, _invertible
from liesym.envs.env import NavigationEnv, as_vector
from liesym.envs.family import GymnasiumFamily
from liesym.envs.geometry import (
    GOLDEN_ANGLE,
    PROTOTYPE_TRAIN_GOALS,
    fibonacci_sphere,
    hat,
    minimal_rotation_vector,
    rotation_2d,
)

ORBIT_TOL = 1e-6
"""Largest relative distance of an accepted goal from the family's orbit (published goals
carry 8 digits)."""

_J = so_generators(2)[0]


def _dynamics(defaults: dict, overrides: dict, family: str) -> NavigationDynamics:
    fixed = {"n", "shape", "metric_chart"} & set(overrides)
    if fixed:
        raise ValueError(
            f"{sorted(fixed)}: fixed by the {family} family (its ground truth depends on them); "
            "pass only a_max, sigma, sigma0, termination_radius, max_steps, box or arena"
        )
    return NavigationDynamics(**(defaults | overrides))


@dataclass(frozen=True, eq=False)
class TaskFamily(GymnasiumFamily, abc.ABC):
    """Common protocol of the navigation task families (see the module docstring).

    A :class:`~liesym.envs.GymnasiumFamily` whose tasks are goals: ``make_env(goal)`` is the
    :class:`NavigationEnv` of a goal, ``train_tasks`` and ``test_tasks`` are
    ``train_goals(k)`` and ``test_goals(m)`` at the family's default sizes (2 and 36; 4 and
    50 on the sphere). The representation is not declared (the pipeline discovers it); the
    ground truth below is evaluation-only data.

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

    #: Default numbers of training and test tasks.
    default_sizes = (2, 36)
    representation = None
    ground_truth = None

    def _set(self, **values) -> None:
        for key, value in values.items():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
            object.__setattr__(self, key, value)

    def _set_system(self, linear, name: str) -> None:
        self._set(
            system_algebra=LieAlgebra(linear, name=name),
            affine_system_algebra=LieAlgebra(
                with_translations(linear), affine=True, name=f"{name} + translations"
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

    # The GymnasiumFamily protocol.
    @property
    def train_tasks(self) -> tuple:
        """``train_goals(k)`` (deterministic) at the default size, base goal first."""
        return tuple(self.train_goals(self.default_sizes[0]))

    @property
    def test_tasks(self) -> tuple:
        """``test_goals(m)`` at the default size."""
        return tuple(self.test_goals(self.default_sizes[1]))

    @property
    def base_task(self) -> np.ndarray:
        """The base goal."""
        return self.base_goal

    def _probe(self):
        bound = self.dynamics.action_bound
        return self.n, -bound, bound

    def set_start(self, env: NavigationEnv, observation) -> np.ndarray:
        """Put a reset :class:`NavigationEnv` at the position ``observation``."""
        env.state = as_vector(observation, self.n, "observation")
        return env.state.copy()

    def task_distance(self, a, b) -> float:
        """Geodesic distance between the tasks of goals ``a`` and ``b``."""
        return float(self.pairwise_distance(a, b)[0, 0])

    @abc.abstractmethod
    def pairwise_distance(self, goals, others) -> np.ndarray:
        """Geodesic distances (A, B) between the tasks of goals (A, n) and (B, n)."""

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
    def train_goals(self, k: int, *, rng=None) -> np.ndarray:
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
            base_symmetry_algebra=LieAlgebra(
                generators_about(w_reward[None], self.base_goal), affine=True
            ),
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
        >>> from liesym.envs import circle_tasks
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
        >>> from liesym.envs import circle_tasks
        >>> fam = circle_tasks()
        >>> (fam.group_element([0.0, 1.0]) @ fam.base_goal).round(12) + 0.0
        array([0., 1.])
        """
        self._check_on_orbit(self._goals(goal).reshape(-1, 2), "goal")
        r = rotation_2d(self.param_of(goal) - self.base_angle)
        return self.chart @ r @ self._chart_inv

    def train_goals(self, k: int, *, rng=None) -> np.ndarray:
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
        >>> from liesym.envs import circle_tasks, prototype_train_goals
        >>> fam = circle_tasks().rebase(prototype_train_goals()[0])
        >>> fam.base_goal.round(6)
        array([-0.705061,  0.709147])
        """
        angle = float(self.param_of(self.check_goal(goal)))
        return dataclasses.replace(self, base_angle=angle)

    def pairwise_distance(self, goals, others) -> np.ndarray:
        """Angle differences in the chart ``G^-1``, wrapped to [0, pi], shape=[A, B]."""
        a = self.check_goals(goals, "goals")
        b = self.check_goals(others, "others")
        diff = self.param_of(a)[:, None] - self.param_of(b)[None, :]
        return np.abs((diff + np.pi) % (2 * np.pi) - np.pi)

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
    default_sizes = (4, 50)

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
            base_symmetry_algebra=LieAlgebra(generators_about(gens, self.base_goal), affine=True),
        )
        self._set_system(gens, "so(3)")

    def _orbit_residual(self, goals):
        return np.abs(np.linalg.norm(goals, axis=-1) / self.radius - 1.0)

    def pairwise_distance(self, goals, others) -> np.ndarray:
        """Great-circle angles between goals, shape=[A, B]."""
        ua = self.check_goals(goals, "goals")
        ub = self.check_goals(others, "others")
        ua = ua / np.linalg.norm(ua, axis=-1, keepdims=True)
        ub = ub / np.linalg.norm(ub, axis=-1, keepdims=True)
        cross = np.linalg.norm(np.cross(ua[:, None], ub[None, :]), axis=-1)
        return np.arctan2(cross, ua @ ub.T)

    def stabilizer_algebra(self, goal=None) -> LieAlgebra:
        """The so(2) of rotations about the axis through ``goal`` (default ``g_0``), linear 3x3.

        Examples
        --------
        >>> from liesym.envs import sphere_tasks
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
        >>> from liesym.envs import sphere_tasks
        >>> fam = sphere_tasks()
        >>> (fam.group_element([0.0, 0.0, 1.0]) @ fam.base_goal).round(12) + 0.0
        array([0., 0., 1.])
        """
        v = self.param_of(goal)
        self._check_on_orbit(as_finite_array(goal, "goal").reshape(-1, 3), "goal")
        return Rotation.from_rotvec(v.reshape(-1, 3)).as_matrix().reshape(*v.shape, 3)

    def train_goals(self, k: int, *, rng=None) -> np.ndarray:
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
            base_symmetry_algebra=LieAlgebra(generators_about(rot, origin), affine=True),
        )
        self._set_system(rot, f"so({n})")

    @property
    def invariant_form(self) -> None:
        """None: translations preserve no inner product (the group is not compact)."""
        return None

    def pairwise_distance(self, goals, others) -> np.ndarray:
        """``|t - t'|`` along the line, shape=[A, B]."""
        a = self.param_of(self.check_goals(goals, "goals"))
        b = self.param_of(self.check_goals(others, "others"))
        return np.abs(a[:, None] - b[None, :])

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
        >>> from liesym.envs import line_tasks
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

    def train_goals(self, k: int, *, rng=None) -> np.ndarray:
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
