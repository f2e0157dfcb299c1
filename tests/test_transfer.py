import numpy as np
import pytest
from scipy.linalg import expm

from liesym.envs import circle_tasks, ellipse_tasks, line_tasks, sphere_tasks
from liesym.policies import GoalSeekingPolicy, LinearPolicy, rollout, rollout_noise
from liesym.transfer import (
    HereditaryPolicy,
    check_element,
    equivariance_defect,
    hereditary_policies,
    nearest_task_policies,
    task_distance,
)

FAMILIES = {
    "circle": circle_tasks,
    "ellipse": lambda: ellipse_tasks(np.diag([0.7, 0.9])),
    "sphere": sphere_tasks,
    "line": line_tasks,  # affine (homogeneous) translations
}
# A few float64 roundings of unit-scale products (L^-1 L s, then projections).
FLOAT_TOL = 1e-12


@pytest.fixture(params=sorted(FAMILIES))
def family(request):
    return FAMILIES[request.param]()


def base_policy(family, rng):
    """A generic (not goal-symmetric) linear base policy with the family's action set."""
    n = family.n
    gain = -1.5 * np.eye(n) + 0.4 * rng.normal(size=(n, n))
    return LinearPolicy(gain, -gain @ family.base_goal, family.dynamics)


def elements(family):
    goals = family.test_goals(5)
    return goals, family.group_element(goals)


def test_transferred_policy_is_equivariant(family, rng):
    pi0 = base_policy(family, rng)
    states = rng.normal(size=(200, family.n))
    for L in elements(family)[1]:
        defect = equivariance_defect(HereditaryPolicy(pi0, L), L, states, reference=pi0)
        assert defect.max() < FLOAT_TOL


@pytest.mark.parametrize("affine", [False, True])
def test_transfer_is_equivariant_for_any_invertible_element(affine, rng):
    # The relation pi_L(L s) = A pi_0(s) holds for every invertible L, symmetry or not.
    pi0 = LinearPolicy(rng.normal(size=(3, 3)), rng.normal(size=3))
    L = np.eye(4) if affine else np.eye(3)
    L[:3, :3] = rng.normal(size=(3, 3))
    if affine:
        L[:3, 3] = rng.normal(size=3)
    states = rng.normal(size=(100, 3))
    defect = equivariance_defect(HereditaryPolicy(pi0, L), L, states, reference=pi0)
    assert defect.max() < 1e-11  # condition number of a random 3x3 matrix: about 10


def test_equivariance_defect_can_fail(rng):
    fam = circle_tasks()
    pi0 = GoalSeekingPolicy(fam.base_goal, fam.dynamics)
    L = fam.group_element(fam.goal_at(1.0))
    states = rng.normal(size=(50, 2))
    assert equivariance_defect(pi0, L, states).max() > 0.01
    # Untransferred reuse violates the hereditary relation.
    assert equivariance_defect(pi0, L, states, reference=pi0).max() > 0.01


def test_goal_seeker_is_equivariant_under_the_stabiliser_of_its_goal(rng):
    fam = sphere_tasks()
    pi0 = GoalSeekingPolicy(fam.base_goal, fam.dynamics)
    w = fam.stabilizer_algebra().basis[0]
    L = expm(0.7 * w / np.linalg.norm(w))
    assert equivariance_defect(pi0, L, rng.normal(size=(50, 3))).max() < FLOAT_TOL


def test_transfer_of_the_goal_seeker_is_the_goal_seeker_of_the_task(family, rng):
    pi0 = GoalSeekingPolicy(family.base_goal, family.dynamics)
    states = rng.normal(size=(100, family.n))
    for goal, L in zip(*elements(family), strict=True):
        expected = GoalSeekingPolicy(goal, family.dynamics).act(states)
        np.testing.assert_allclose(HereditaryPolicy(pi0, L).act(states), expected, atol=1e-12)


def test_compose_is_the_transfer_by_the_product(rng):
    fam = circle_tasks()
    pi0 = base_policy(fam, rng)
    a, b = fam.group_element(fam.goal_at([0.4, 1.9]))
    states = rng.normal(size=(30, 2))
    twice = HereditaryPolicy(HereditaryPolicy(pi0, a), b)
    np.testing.assert_allclose(twice.act(states), HereditaryPolicy(pi0, a).compose(b).act(states))
    np.testing.assert_allclose(twice.act(states), HereditaryPolicy(pi0, b @ a).act(states))


def test_transferred_return_equals_base_return_under_mapped_noise(family, rng):
    # Exact equivariance of the whole rollout: the transferred policy on task L g_0 with
    # noise mapped by L visits L s_t and collects the base rewards (float precision).
    pi0 = base_policy(family, rng)
    noise = rollout_noise(family.dynamics, 16, rng=rng)
    base = rollout(pi0, family, family.base_goal, noise=noise, trajectories=True)
    for goal, L in zip(*elements(family), strict=True):
        moved = rollout(
            HereditaryPolicy(pi0, L), family, goal, noise=noise.transform(L), trajectories=True
        )
        np.testing.assert_array_equal(moved.lengths, base.lengths)
        np.testing.assert_allclose(moved.returns, base.returns, rtol=0, atol=1e-10)
        n = family.n
        image = base.states @ L[:n, :n].T + (L[:n, n] if L.shape[0] == n + 1 else 0.0)
        np.testing.assert_allclose(moved.states, image, atol=1e-10)


def test_hereditary_factory_uses_the_element_of_each_goal(family, rng):
    pi0 = base_policy(family, rng)
    make = hereditary_policies(pi0, family.group_element)
    goals, elems = elements(family)
    states = rng.normal(size=(10, family.n))
    for goal, L in zip(goals, elems, strict=True):
        np.testing.assert_array_equal(make(goal).act(states), HereditaryPolicy(pi0, L).act(states))


def test_action_element_overrides_the_pushforward(rng):
    fam = circle_tasks()
    pi0 = LinearPolicy(-np.eye(2), fam.base_goal)
    L = fam.group_element(fam.goal_at(0.5))
    states = rng.normal(size=(10, 2))
    same = HereditaryPolicy(pi0, L, action_element=np.eye(2))
    np.testing.assert_allclose(same.act(states), pi0.act(states @ np.linalg.inv(L).T))


def test_task_distance_is_a_metric_on_the_orbit(family):
    goals = family.test_goals(7)
    d = task_distance(family, goals, goals)
    np.testing.assert_allclose(d, d.T, atol=1e-12)
    np.testing.assert_allclose(np.diag(d), 0.0, atol=1e-7)
    assert np.all(d[:, :, None] <= d[:, None, :] + d.T[None, :, :] + 1e-12)  # triangle


def test_task_distance_of_the_circle_wraps_angles():
    fam = circle_tasks()
    d = task_distance(fam, fam.goal_at([0.1, 3.0]), fam.goal_at([-0.1, -3.0]))
    np.testing.assert_allclose(d, [[0.2, 3.1], [3.1, 2 * np.pi - 6.0]], atol=1e-12)


@pytest.mark.parametrize(
    ("element", "match"),
    [
        (np.eye(4), "expected a linear"),
        (np.zeros((2, 2)), "invertible"),
        ([[1.0, 2.0], [2.0, 4.0]], "invertible"),
        ([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.0, 1.0]], "last row"),
        ([[np.nan, 0.0], [0.0, 1.0]], "NaN"),
        (np.eye(2)[0], "dimensions"),
    ],
)
def test_bad_elements_raise_clear_errors(element, match):
    fam = circle_tasks()
    pi0 = GoalSeekingPolicy(fam.base_goal, fam.dynamics)
    with pytest.raises(ValueError, match=match):
        HereditaryPolicy(pi0, element)
    with pytest.raises(ValueError, match=match):
        equivariance_defect(pi0, element, np.zeros((3, 2)))


def test_other_bad_transfer_inputs_raise_clear_errors():
    fam = circle_tasks()
    pi0 = GoalSeekingPolicy(fam.base_goal, fam.dynamics)
    with pytest.raises(ValueError, match="base_policy"):
        HereditaryPolicy("policy", np.eye(2))
    with pytest.raises(ValueError, match="action_element"):
        HereditaryPolicy(pi0, np.eye(3), action_element=np.eye(3))
    with pytest.raises(ValueError, match="states"):
        HereditaryPolicy(pi0, np.eye(2)).act(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="element"):
        check_element(np.eye(3)[:, :2], 2)
    with pytest.raises(ValueError, match="element_of"):
        hereditary_policies(pi0, "not callable")


def test_hereditary_policy_with_invariant_actions(rng):
    # A pair (rho_S, None): actions are not moved (torques of a rotating arm).
    from liesym.algebra import Representation

    w = np.zeros((4, 4))
    w[1, 0], w[0, 1] = 1.0, -1.0
    rep = Representation(w[None])
    pi0 = LinearPolicy(rng.normal(size=(3, 4)), rng.normal(size=3), low=-1.0, high=1.0)
    c = rng.normal(size=(1,))
    pi = HereditaryPolicy(pi0, rep.elements(c))
    s = rng.normal(size=(20, 4))
    rho = rep.elements(c)[0]
    assert pi.action_dim == 3
    assert np.allclose(pi.act(s @ rho.T), pi0.act(s), atol=1e-12)


def test_nearest_task_by_inferred_element_reads_no_task_parameter():
    fam = circle_tasks()
    goals = fam.goal_at([0.0, np.pi])
    seekers = [GoalSeekingPolicy(g, fam.dynamics) for g in goals]
    elements = fam.group_element(goals)
    # Tasks are opaque labels here; only their (inferred) elements are compared.
    inferred = {"a": fam.group_element(fam.goal_at(2.9)), "b": fam.group_element(fam.goal_at(0.2))}
    pick = nearest_task_policies(
        None,
        ["base", "far"],
        seekers,
        element_of=inferred.__getitem__,
        train_elements=elements,
        distance=lambda train, el: np.linalg.norm(train - el, axis=(-2, -1)),
    )
    assert pick("a") is seekers[1] and pick("b") is seekers[0]
