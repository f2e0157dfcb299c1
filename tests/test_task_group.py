"""Task-group discovery: elements carry the base task onto each task; logs span the task algebra."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liesym.algebra import LieAlgebra, grassmann_distance, lie_closure, rotation_about, so
from liesym.data import collect_transitions
from liesym.discovery.task_group import discover_task_group
from liesym.envs import circle_tasks, ellipse_tasks, sphere_tasks

C_ELLIPSE = np.diag([0.7, 0.9])


def _wrap(a):
    return np.angle(np.exp(1j * np.asarray(a)))


def _affine(linear, goal):
    w = np.zeros((len(goal) + 1, len(goal) + 1))
    w[:-1, :-1] = linear
    w[:-1, -1] = -linear @ goal
    return w


def test_exact_symmetries_give_exact_elements():
    family = circle_tasks()
    goals = family.goal_at(np.array([0.0, 2.0, -2.663, 3.1]))
    res = discover_task_group([], task_symmetries=[rotation_about(g) for g in goals])
    np.testing.assert_allclose(res.elements_, family.group_element(goals), atol=1e-10)
    np.testing.assert_allclose(res.angles(), [0.0, 2.0, -2.663, 3.1], atol=1e-10)
    assert grassmann_distance(res.algebra_, so(2)) < 1e-10
    assert np.all(res.determinants_ > 0)


def test_sign_of_discovered_generators_does_not_matter():
    # A generator found as -W is solved by a reflection for the wrong sign; it must be rejected.
    family = circle_tasks()
    goals = family.goal_at(np.array([0.0, 1.0]))
    syms = [rotation_about(goals[0]), LieAlgebra(-rotation_about(goals[1]).basis, affine=True)]
    res = discover_task_group([], task_symmetries=syms)
    np.testing.assert_allclose(res.elements_[1], family.group_element(goals[1]), atol=1e-10)


@pytest.mark.parametrize("n_tasks", [2, 4])
@pytest.mark.parametrize(
    "family", [circle_tasks(), ellipse_tasks(C_ELLIPSE)], ids=["circle", "ellipse"]
)
def test_task_group_from_data(family, n_tasks):
    goals = family.train_goals(n_tasks, rng=0)
    data = [collect_transitions(family, g[None], 2000, rng=10 + i) for i, g in enumerate(goals)]
    res = discover_task_group(data)
    true = _wrap(np.ravel(family.param_of(goals)) - np.ravel(family.param_of(goals[0])))
    # Per-task symmetries from 2,000 transitions are accurate to ~5e-3 rad (bench_closed_form);
    # the task angles inherit that error.
    np.testing.assert_allclose(_wrap(res.angles() - true), 0.0, atol=0.01)
    assert res.algebra_.dim == 1
    assert grassmann_distance(res.algebra_, family.task_algebra) < 0.03


def test_ellipse_task_group_is_the_conjugated_rotation_not_a_similarity():
    family = ellipse_tasks(C_ELLIPSE)
    goals = family.train_goals(2, rng=0)
    data = [collect_transitions(family, g[None], 2000, rng=i) for i, g in enumerate(goals)]
    res = discover_task_group(data)
    conjugated = so(2).conjugate(C_ELLIPSE)
    assert grassmann_distance(res.algebra_, conjugated) < 0.03
    assert grassmann_distance(res.algebra_, so(2)) > 0.2


def test_sphere_task_group_spans_so3_from_four_goals():
    family = sphere_tasks()
    goals = family.train_goals(4, rng=0)
    data = [collect_transitions(family, g[None], 4000, rng=i) for i, g in enumerate(goals)]
    res = discover_task_group(data, rng=0)
    assert res.method_ == "fixed_point"
    # Minimal rotations from g0 all have axes orthogonal to g0: their logs span 2 dimensions,
    # and the bracket closes them to so(3).
    assert res.span_dim_ == 2
    assert res.algebra_.dim == 3
    assert grassmann_distance(res.algebra_, so(3)) < 0.05
    np.testing.assert_allclose(res.elements_ @ goals[0], goals, atol=0.03)
    np.testing.assert_allclose(res.elements_, family.group_element(goals), atol=0.06)


def test_sphere_elements_are_minimal_rotations_for_exact_symmetries():
    family = sphere_tasks()
    goals = family.train_goals(4, rng=1)
    syms = [LieAlgebra(np.stack([_affine(w, g) for w in so(3).basis]), affine=True) for g in goals]
    res = discover_task_group([], task_symmetries=syms, rng=0)
    # The penalised continuation ends within ~1e-3 of the geodesic (see _minimal_alignment).
    np.testing.assert_allclose(res.elements_, family.group_element(goals), atol=5e-3)


def test_lie_closure_generates_the_algebra():
    assert lie_closure(so(3).basis[:2]).shape[0] == 3
    assert lie_closure(so(2).basis).shape[0] == 1
    assert lie_closure(so(4).basis[:2]).shape[0] == 3  # two rotations sharing an axis: an so(3)


def test_too_few_tasks_is_rejected():
    with pytest.raises(ValueError, match="at least 2"):
        discover_task_group([(np.zeros((10, 2)), np.zeros(10))])
    with pytest.raises(ValueError, match="at least 2"):
        discover_task_group([], task_symmetries=[rotation_about([1.0, 0.0])])


def test_mismatched_task_symmetries_are_rejected():
    with pytest.raises(ValueError, match=r"task_symmetries\[1\]"):
        discover_task_group([], task_symmetries=[rotation_about([1.0, 0.0]), so(2)])


def test_bad_dataset_type_is_rejected():
    with pytest.raises(TypeError, match=r"datasets\[0\]"):
        discover_task_group([object(), object()])


def test_identical_tasks_are_rejected():
    g = np.array([1.0, 0.0])
    with pytest.raises(ValueError, match="coincides"):
        discover_task_group([], task_symmetries=[rotation_about(g), rotation_about(g)])


def test_opposite_task_warns_that_the_algebra_is_unidentified():
    # -I = exp(pi J) = exp(pi C J C^-1): one opposite task cannot tell circle from ellipse.
    family = circle_tasks()
    goals = family.goal_at(np.array([0.0, np.pi - 1e-4]))
    with pytest.warns(UserWarning, match="opposite"):
        discover_task_group([], task_symmetries=[rotation_about(g) for g in goals])


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), tilt=st.floats(1e-3, 2e-2))
def test_transverse_uncertainty_covers_the_transverse_error_of_tilted_symmetries(seed, tilt):
    # Task symmetries (rotations about goals on a circle) tilted at random by their stated
    # uncertainty: the bootstrap's transverse angle, times the bias factor verify_discovered
    # applies, bounds the task algebra's true transverse error, and never exceeds its angle.
    from liesym.algebra import transverse_angle
    from liesym.discovery.differential import Uncertainty
    from liesym.discovery.task_group import _perturbed
    from liesym.verify._discovered import CONFIDENCE, TRANSVERSE_BIAS

    rng = np.random.default_rng(seed)
    # Training tasks well apart from the base and from its opposite (where the task algebra is
    # not identified at all, see the test above): a base, one task on each side.
    offsets = rng.uniform(0.5, 2.0, size=2) * np.array([1.0, -1.0])
    goals = circle_tasks().goal_at(rng.uniform(-np.pi, np.pi) + np.r_[0.0, offsets])
    tilted = [_perturbed(rotation_about(g), tilt, rng) for g in goals]
    res = discover_task_group(
        [], task_symmetries=tilted, task_uncertainties=[Uncertainty(tilt, "test")] * 3, rng=seed
    )
    unc = res.uncertainty_
    assert 0.0 <= unc.transverse <= unc.angle + 1e-12
    true = transverse_angle(res.algebra_, so(2))
    assert true <= CONFIDENCE * TRANSVERSE_BIAS * unc.transverse


def test_the_estimator_holds_what_its_shortcut_returns():
    from liesym.discovery import TaskGroupDiscovery
    from liesym.verify import verify_discovered

    family = circle_tasks()
    goals = family.train_goals(2, rng=0)
    data = [collect_transitions(family, g[None], 2000, rng=10 + i) for i, g in enumerate(goals)]
    options = dict(min_gap=8.0, n_uncertainty=4, rng=3)
    res = discover_task_group(data, **options)
    est = TaskGroupDiscovery(**options).fit(data)
    np.testing.assert_array_equal(est.elements_, res.elements_)
    np.testing.assert_array_equal(est.algebra_.basis, res.algebra_.basis)
    np.testing.assert_array_equal(est.angles(), res.angles())
    assert est.uncertainty_.angle == res.uncertainty_.angle
    assert verify_discovered(est).name == verify_discovered(res).name
    with pytest.raises(AttributeError, match="fit"):
        TaskGroupDiscovery().angles()
