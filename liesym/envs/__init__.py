"""Task families over Gymnasium envs, the navigation families with exact ground truth, audits.

:class:`GymnasiumFamily` turns any ``task -> gymnasium.Env`` map into a task family (with a
declared :class:`~liesym.algebra.Representation` when the group is known);
:func:`reacher_tasks` is MuJoCo Reacher with the target fixed per task. The navigation
dynamics and rewards are vectorised pure functions (:class:`NavigationDynamics`);
:class:`NavigationEnv` wraps them for one task; the families (:func:`circle_tasks`,
:func:`ellipse_tasks`, :func:`sphere_tasks`, :func:`line_tasks`) carry their task, base-task
and system symmetry algebras and the group element of every task; :func:`symmetry_defect`
measures how far an env is from a candidate symmetry.
"""

from liesym.algebra.affine import act
from liesym.envs.batch import BatchEnv, GymBatch
from liesym.envs.defect import StartLawAudit, SymmetryDefect, audit_start_law, symmetry_defect
from liesym.envs.dynamics import TERMINATION_RADIUS, NavigationDynamics, NavigationStep
from liesym.envs.env import NavigationEnv
from liesym.envs.families import (
    circle_tasks,
    ellipse_tasks,
    family_by_name,
    line_tasks,
    sphere_tasks,
)
from liesym.envs.family import GymnasiumFamily
from liesym.envs.geometry import (
    fibonacci_sphere,
    hat,
    minimal_rotation_vector,
    prototype_train_goals,
    rotation_2d,
)
from liesym.envs.navigation import EllipseFamily, LineFamily, SphereFamily, TaskFamily
from liesym.envs.reacher import reacher_tasks

__all__ = [
    "TERMINATION_RADIUS",
    "BatchEnv",
    "EllipseFamily",
    "GymBatch",
    "GymnasiumFamily",
    "LineFamily",
    "NavigationDynamics",
    "NavigationEnv",
    "NavigationStep",
    "SphereFamily",
    "StartLawAudit",
    "SymmetryDefect",
    "TaskFamily",
    "act",
    "audit_start_law",
    "circle_tasks",
    "ellipse_tasks",
    "family_by_name",
    "fibonacci_sphere",
    "hat",
    "line_tasks",
    "minimal_rotation_vector",
    "prototype_train_goals",
    "reacher_tasks",
    "rotation_2d",
    "sphere_tasks",
    "symmetry_defect",
]
