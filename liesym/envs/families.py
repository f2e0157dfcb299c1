"""The built-in navigation families: circle, ellipse, sphere and the line (a negative control)."""

import numpy as np

from liesym._core import as_finite_array
from liesym.envs.dynamics import _invertible
from liesym.envs.env import as_vector
from liesym.envs.navigation import (
    EllipseFamily,
    LineFamily,
    SphereFamily,
    TaskFamily,
    _dynamics,
)


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
