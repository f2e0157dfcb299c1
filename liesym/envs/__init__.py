"""Navigation task families with exact ground truth, a Gymnasium env and a symmetry audit.

The dynamics and rewards are vectorised pure functions (:class:`NavigationDynamics`);
:class:`NavigationEnv` wraps them for one task; the families (:func:`circle_tasks`,
:func:`ellipse_tasks`, :func:`sphere_tasks`, :func:`line_tasks`) carry their task, base-task
and system symmetry algebras and the group element of every task; :func:`symmetry_defect`
measures how far an env is from a candidate symmetry.
"""

from liesym.envs.defect import SymmetryDefect, symmetry_defect
from liesym.envs.dynamics import TERMINATION_RADIUS, NavigationDynamics, act
from liesym.envs.env import NavigationEnv
from liesym.envs.families import (
    EllipseFamily,
    LineFamily,
    SphereFamily,
    TaskFamily,
    circle_tasks,
    ellipse_tasks,
    family_by_name,
    fibonacci_sphere,
    hat,
    line_tasks,
    minimal_rotation_vector,
    prototype_train_goals,
    rotation_2d,
    sphere_tasks,
)

__all__ = [
    "TERMINATION_RADIUS",
    "EllipseFamily",
    "LineFamily",
    "NavigationDynamics",
    "NavigationEnv",
    "SphereFamily",
    "SymmetryDefect",
    "TaskFamily",
    "act",
    "circle_tasks",
    "ellipse_tasks",
    "family_by_name",
    "fibonacci_sphere",
    "hat",
    "line_tasks",
    "minimal_rotation_vector",
    "prototype_train_goals",
    "rotation_2d",
    "sphere_tasks",
    "symmetry_defect",
]
