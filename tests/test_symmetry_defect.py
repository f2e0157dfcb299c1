"""The symmetry-defect audit: exact envs are exact, the prototype's anchor is not, causes split."""

import numpy as np
import pytest

from liesym.algebra import scaling, so, translations
from liesym.envs import (
    NavigationDynamics,
    circle_tasks,
    ellipse_tasks,
    line_tasks,
    sphere_tasks,
    symmetry_defect,
)

# Residuals of the exact envs are rounding errors of O(1) quantities (~1e-15); real defects
# are >= 1e-3. 1e-12 separates the two with margin on both sides.
TOL = 1e-12

FAMILIES = {
    "circle": lambda: circle_tasks(),
    "ellipse": lambda: ellipse_tasks(np.diag([0.7, 0.9])),
    "ellipse_sheared": lambda: ellipse_tasks([[0.8, 0.3], [-0.2, 0.6]]),
    "sphere": lambda: sphere_tasks(),
    "line": lambda: line_tasks(),
}


@pytest.fixture(params=list(FAMILIES))
def family(request):
    return FAMILIES[request.param]()


def test_default_family_is_exactly_symmetric_under_its_task_group(family):
    defect = symmetry_defect(family, family.task_algebra, n_samples=3000, rng=0)
    assert defect.transport_goal
    assert defect.is_exact(TOL), defect.max()
    assert max(defect.max()["action"], defect.max()["walls"]) <= TOL


def test_default_family_is_exactly_symmetric_under_its_system_algebra(family):
    defect = symmetry_defect(family, family.system_algebra, n_samples=3000, rng=1)
    assert defect.is_exact(TOL)
    assert defect.max()["start"] <= TOL


def test_base_env_is_exactly_invariant_under_its_base_symmetries(family):
    env = family.make_env()
    defect = symmetry_defect(env, family.base_symmetry_algebra, n_samples=3000, rng=2)
    assert not defect.transport_goal
    assert defect.is_exact(TOL)
    # Rotations about g_0 move the start law, centred at the origin.
    assert defect.max()["start"] > 0.1


def test_start_law_is_invariant_under_compact_task_groups_only(family):
    defect = symmetry_defect(family, family.task_algebra, n_samples=500, rng=3)
    if family.task_algebra.affine:
        assert defect.max()["start"] > 0.1
    else:
        assert defect.max()["start"] <= TOL


def test_anchor_is_not_symmetric_and_box_clipping_is_the_cause():
    anchor = circle_tasks(anchor=True)
    # States kept well inside the arena (|s| < 5 with 5-sigma margin): the walls play no part.
    defect = symmetry_defect(anchor, anchor.task_algebra, n_samples=4000, rng=0, state_scale=0.5)
    top = defect.max()
    assert top["walls"] == 0.0
    assert top["action"] > 1e-2 and top["transition"] > 1e-2
    assert np.allclose(defect.transition, defect.action, atol=TOL)
    # The reward and the isotropic noise law stay exact.
    assert top["reward"] <= TOL and top["noise"] <= TOL
    assert not defect.is_exact(TOL)


def test_anchor_walls_break_equivariance_near_the_arena():
    anchor = circle_tasks(anchor=True)
    defect = symmetry_defect(anchor, anchor.task_algebra, n_samples=4000, rng=0, state_scale=4.0)
    assert defect.max()["walls"] > 0.1
    assert defect.fraction()["walls"] > 0.05


def test_wrong_candidates_show_up_in_the_right_cause():
    circle = circle_tasks()
    # Scalings: reward (goal fixed), action set and noise law all move.
    top = symmetry_defect(circle.make_env(), scaling(2), n_samples=500, rng=0).max()
    assert top["reward"] > 1e-2 and top["noise"] > 1e-5 and top["action"] > 1e-3
    # Plain rotations are not symmetries of the ellipse-shaped action set and noise.
    ellipse = ellipse_tasks(np.diag([0.7, 0.9]))
    top = symmetry_defect(ellipse, so(2), n_samples=500, rng=0).max()
    assert top["action"] > 1e-3 and top["noise"] > 1e-5
    # Translations keep the dynamics but not the reward of a fixed goal.
    top = symmetry_defect(circle.make_env(), translations(2), n_samples=500, rng=0).max()
    assert top["transition"] <= TOL and top["reward"] > 1e-2


def test_audit_is_seeded_and_accepts_raw_generators():
    circle = circle_tasks(anchor=True)
    a = symmetry_defect(circle, circle.task_algebra, n_samples=300, rng=5)
    b = symmetry_defect(circle, circle.task_algebra, n_samples=300, rng=5)
    assert np.array_equal(a.total, b.total) and np.array_equal(a.elements, b.elements)
    raw = symmetry_defect(circle, [[0.0, -1.0], [1.0, 0.0]], n_samples=300, rng=5)
    assert np.allclose(raw.total, a.total)
    assert a.n_samples == 300 and "action" in str(a)


def test_bare_dynamics_need_a_goal():
    dyn = NavigationDynamics()
    defect = symmetry_defect(dyn, so(2), n_samples=100, rng=0, goal=[0.0, 0.0])
    assert defect.is_exact(TOL)
    with pytest.raises(ValueError, match="goal: required"):
        symmetry_defect(dyn, so(2))


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((circle_tasks(), so(3)), {}, "algebra: expected linear"),
        ((circle_tasks(), so(2)), {"n_samples": 0}, "n_samples"),
        ((circle_tasks(), so(2)), {"state_scale": np.inf}, "state_scale"),
        ((circle_tasks(), so(2)), {"goal": [1.0, 0.0, 0.0]}, "goal"),
        (("env", so(2)), {}, "env_or_family"),
        ((circle_tasks(), [[1.0, 2.0, 3.0]]), {}, "algebra"),
    ],
)
def test_bad_arguments_are_rejected(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        symmetry_defect(*args, **kwargs)
