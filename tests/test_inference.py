"""Test-time inference of a task's group element from a few transitions (no oracle goal)."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from liesym._core import NotCertifiedError
from liesym.algebra import LieAlgebra, so, so_generators, translations
from liesym.manifolds import GroupInference, RewardProfile, fit_reward_profile

C2 = np.array([[2.0, 0.3], [0.0, 0.5]])
# Noise-free rewards: the profile spline fits -rho exactly and the search converges to
# round-off, so 0.01 rad (the required accuracy) leaves a margin of several decades.
ANGLE_TOL = 0.01
# True angles spread over the whole circle, including both sides of the cut locus.
ANGLES = np.r_[np.linspace(-np.pi, np.pi, 7)[1:], np.pi - 1e-3, -np.pi + 1e-4, 0.05]


def _rot2(t):
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


def _reward(points, goal, c):
    """Navigation reward -|C^-1 (s' - g)| (the chart metric is M = C^-T C^-1)."""
    return -np.linalg.norm((points - goal) @ np.linalg.inv(c).T, axis=-1)


def _planar_family(c, base_angle=0.7, n_base=300, seed=0):
    rng = np.random.default_rng(seed)
    g0 = c @ np.array([np.cos(base_angle), np.sin(base_angle)])
    base = rng.normal(scale=1.5, size=(n_base, 2))
    ci = np.linalg.inv(c)
    return so(2).conjugate(c), ci.T @ ci, g0, (base, _reward(base, g0, c))


def _angle_error(element, c, theta):
    r = np.linalg.inv(c) @ element @ c  # back to the rotation R(theta)
    return abs(np.angle(np.exp(1j * (np.arctan2(r[1, 0], r[0, 0]) - theta))))


def _task(c, g0, element, k, seed):
    s = np.random.default_rng(seed).normal(scale=1.5, size=(k, len(g0)))
    return s, _reward(s, element @ g0, c)


@pytest.mark.parametrize("family", ["circle", "ellipse"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovers_planar_elements_from_ten_transitions(family, seed):
    c = np.eye(2) if family == "circle" else C2
    algebra, metric, g0, base = _planar_family(c, seed=seed)
    prof = fit_reward_profile(*base, metric)  # center estimated from base data only
    assert np.allclose(prof.center, g0, atol=1e-6)
    est = GroupInference(algebra, metric, base_reward=prof, rng=seed)
    for i, theta in enumerate(ANGLES):
        element = c @ _rot2(theta) @ np.linalg.inv(c)
        est.fit(_task(c, g0, element, 10, seed=100 * seed + i))
        assert _angle_error(est.element_, c, theta) <= ANGLE_TOL, theta
        assert np.allclose(est.group_.exp(est.coordinates_), est.element_, atol=1e-9)
        assert est.residual_ < 1e-6
        assert np.isnan(est.spread_)


def test_base_data_route_with_given_center():
    algebra, metric, g0, base = _planar_family(np.eye(2))
    s, r = _task(np.eye(2), g0, _rot2(-2.0), 10, seed=5)
    est = GroupInference(algebra, metric, base_data=base, center=g0, rng=0).fit(s, r)
    assert _angle_error(est.element_, np.eye(2), -2.0) <= ANGLE_TOL
    assert isinstance(est.base_model_, RewardProfile)


def test_rbf_surrogate_without_structure():
    algebra, metric, g0, base = _planar_family(np.eye(2), n_base=400)
    # Task states near the base data, where the interpolant is accurate.
    s = np.random.default_rng(3).normal(scale=0.8, size=(10, 2))
    est = GroupInference(algebra, metric, base_data=base, surrogate="rbf", rng=0)
    est.fit(s, _reward(s, _rot2(2.5) @ g0, np.eye(2)))
    assert _angle_error(est.element_, np.eye(2), 2.5) <= ANGLE_TOL


def test_bootstrap_spread():
    algebra, metric, g0, base = _planar_family(np.eye(2))
    prof = fit_reward_profile(*base, metric)
    s, r = _task(np.eye(2), g0, _rot2(1.0), 20, seed=7)
    exact = GroupInference(algebra, metric, base_reward=prof, n_bootstrap=4, rng=0).fit(s, r)
    assert exact.bootstrap_elements_.shape == (4, 2, 2)
    assert exact.spread_ < 1e-6  # noise-free: every resample gives the same element
    assert _angle_error(exact.element_, np.eye(2), 1.0) <= ANGLE_TOL
    noisy = r + 0.05 * np.random.default_rng(0).normal(size=r.shape)
    est = GroupInference(algebra, metric, base_reward=prof, n_bootstrap=8, rng=0).fit(s, noisy)
    assert 1e-4 < est.spread_ < 0.5
    assert _angle_error(est.element_, np.eye(2), 1.0) < 3 * est.spread_ + 0.05


def test_same_rng_same_estimate():
    algebra, metric, g0, base = _planar_family(np.eye(2))
    s, r = _task(np.eye(2), g0, _rot2(0.3), 5, seed=1)
    a = GroupInference(algebra, metric, base_data=base, n_bootstrap=2, rng=4).fit(s, r)
    b = GroupInference(algebra, metric, base_data=base, n_bootstrap=2, rng=4).fit(s, r)
    assert np.array_equal(a.element_, b.element_)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovers_sphere_goal_and_canonical_representative(seed):
    rng = np.random.default_rng(seed)
    g0 = np.array([0.0, 0.0, 1.0])
    base = rng.normal(scale=1.5, size=(400, 3))
    est = GroupInference(so(3), np.eye(3), base_data=(base, -np.linalg.norm(base - g0, axis=1)))
    element = Rotation.random(rng=rng).as_matrix()
    goal = element @ g0
    s = rng.normal(scale=1.5, size=(10, 3))
    est.fit(s, -np.linalg.norm(s - goal, axis=1))
    assert np.linalg.norm(est.element_ @ g0 - goal) <= 0.01
    # Only L g0 is identifiable (the base reward is invariant about the g0 axis); the
    # estimate is the coset element closest to the identity: the rotation by the angle
    # between g0 and the goal, in their plane.
    assert float(est.group_.dist(np.eye(3), est.element_)) == pytest.approx(
        np.arccos(goal @ g0), abs=1e-6
    )


def test_callable_base_reward_with_stabilizer():
    g0 = np.array([1.0, 0.0, 0.0])
    element = Rotation.from_rotvec([0.3, -1.1, 2.0]).as_matrix()
    s = np.random.default_rng(2).normal(scale=1.5, size=(10, 3))
    est = GroupInference(
        so(3),
        np.eye(3),
        base_reward=lambda x: -np.linalg.norm(x - g0, axis=-1),  # gradient by differences
        stabilizer=so_generators(3)[0],  # rotations about g0 = e_x
        rng=0,
    ).fit(s, -np.linalg.norm(s - element @ g0, axis=1))
    assert np.linalg.norm(est.element_ @ g0 - element @ g0) <= 0.01
    assert float(est.group_.dist(np.eye(3), est.element_)) == pytest.approx(
        np.arccos((element @ g0) @ g0), abs=1e-6
    )


def test_refuses_non_compact_task_group():
    s = np.random.default_rng(0).normal(size=(10, 2))
    base = (s, -np.linalg.norm(s, axis=1))
    with pytest.raises(NotCertifiedError, match="non-compact"):
        GroupInference(translations(2), base_data=base).fit(base)
    shear = LieAlgebra(np.array([[0.0, 1.0], [0.0, 0.0]]))
    with pytest.raises(NotCertifiedError):
        GroupInference(shear, np.eye(2), base_data=base).fit(base)


class _Record:
    def __init__(self, next_states, rewards, task_ids):
        self.next_states, self.rewards, self.task_ids = next_states, rewards, task_ids


def test_bad_inputs():
    algebra, metric, g0, base = _planar_family(np.eye(2))
    est = GroupInference(algebra, metric, base_data=base)
    s, r = _task(np.eye(2), g0, _rot2(1.0), 10, seed=0)
    with pytest.raises(ValueError, match="at least 1"):
        est.fit(np.empty((0, 2)), np.empty(0))
    with pytest.raises(ValueError, match="2 coordinates"):
        est.fit(np.ones((10, 3)), r)
    with pytest.raises(ValueError, match="rewards"):
        est.fit(s, r[:-1])
    with pytest.raises(ValueError, match="NaN"):
        est.fit(s, np.where(np.arange(10) == 3, np.nan, r))
    with pytest.raises(ValueError, match="pair"):
        est.fit(s)
    with pytest.raises(ValueError, match="one task"):
        est.fit(_Record(s, r, np.arange(10) % 2))
    assert est.fit(_Record(s, r, np.zeros(10, int))).n_transitions_ == 10
    with pytest.raises(ValueError, match="exactly one"):
        GroupInference(algebra, metric).fit(s, r)
    with pytest.raises(ValueError, match="exactly one"):
        GroupInference(algebra, metric, base_reward=np.sum, base_data=base).fit(s, r)
    with pytest.raises(ValueError, match="surrogate"):
        GroupInference(algebra, metric, base_data=base, surrogate="knn").fit(s, r)
    with pytest.raises(ValueError, match="n_starts"):
        GroupInference(algebra, metric, base_data=base, n_starts=0).fit(s, r)
    with pytest.raises(ValueError, match="base_reward"):
        GroupInference(algebra, metric, base_reward=lambda x: x).fit(s, r)
    with pytest.raises(ValueError, match="base_data"):
        GroupInference(algebra, metric, base_data=(base[0][:3], base[1][:3])).fit(s, r)


def test_integration_with_envs_data_and_discovery():
    from liesym import envs as families
    from liesym.data import transitions

    for fam in (families.circle_tasks(), families.ellipse_tasks(C2), families.sphere_tasks()):
        base = transitions.collect_transitions(fam, fam.base_goal, 300, rng=0)
        goals = fam.test_goals(3)
        task = transitions.collect_transitions(fam, goals, 10, rng=1)
        est = GroupInference(fam.task_algebra, fam.invariant_form, base_data=base, rng=0)
        for i, goal in enumerate(goals):
            est.fit(task.for_task(i))
            assert np.linalg.norm(est.element_ @ fam.base_goal - goal) <= 0.01, fam.name
    line = families.line_tasks()
    data = transitions.collect_transitions(line, line.base_goal, 20, rng=0)
    with pytest.raises(NotCertifiedError):
        GroupInference(line.task_algebra, base_data=data).fit(data)


def test_inference_of_a_task_carried_in_the_observation(rng):
    # States (x, y, tx, ty): the target (tx, ty) is observed and constant within a task.
    from liesym.manifolds import CompactLieGroup

    j = np.array([[0.0, -1.0], [1.0, 0.0]])
    group = CompactLieGroup.from_algebra(LieAlgebra(np.kron(np.eye(2), j)), np.eye(4))
    base = np.c_[rng.normal(size=(50, 2)), np.tile([1.0, 0.0], (50, 1))]
    for t in (0.4, -2.5, np.pi - 1e-3):
        target = [np.cos(t), np.sin(t)]
        states = np.c_[rng.normal(size=(10, 2)), np.tile(target, (10, 1))]
        est = GroupInference(group, base_data=base, rng=0).fit(states)
        assert est.carrier_ == "observation" and list(est.task_channels_) == [2, 3]
        rot = est.element_[2:, 2:]
        assert abs(np.angle(np.exp(1j * (np.arctan2(rot[1, 0], rot[0, 0]) - t)))) < 1e-9


def test_inference_refuses_uninformative_base_rewards(rng):
    from liesym.manifolds import CompactLieGroup

    group = CompactLieGroup.from_algebra(so(2), np.eye(2))
    s = rng.normal(size=(10, 2))
    with pytest.raises(ValueError, match="constant"):
        GroupInference(group, base_data=(s, np.ones(10))).fit(s, -np.ones(10))
    with pytest.raises(ValueError, match="NaN"):
        GroupInference(group, base_reward=lambda x: np.full(len(x), np.nan)).fit(s, s[:, 0])
    with pytest.raises(ValueError, match="metric"):
        GroupInference(group, np.eye(2), base_data=(s, s[:, 0])).fit(s, s[:, 0])
    with pytest.raises(ValueError, match="observation"):
        GroupInference(group, base_data=s, carrier="observation").fit(s)
