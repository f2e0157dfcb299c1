"""MuJoCo Reacher-v5 as a task family: the fast path is the env, the rotation is a symmetry.

Needs the ``mujoco`` extra (installed by CI).
"""

import numpy as np
import pytest

pytest.importorskip("mujoco")

from liesym.algebra import act
from liesym.data import collect_transitions
from liesym.envs import audit_start_law, reacher_tasks
from liesym.manifolds import CompactLieGroup, GroupInference
from liesym.policies import AngleFeatures, LinearPolicy, MirrorFeatures


@pytest.fixture(scope="module")
def family():
    return reacher_tasks(n_test=6)


def test_fast_path_steps_exactly_like_the_gymnasium_env(family, rng):
    tasks = family.test_tasks[:3]
    batch = family.batch(tasks, 2)
    envs = [family.make_env(t) for t in tasks for _ in range(2)]
    seeds = rng.integers(2**31 - 1, size=6)
    obs = batch.reset(seeds)
    ref = np.array([e.reset(seed=int(s))[0] for e, s in zip(envs, seeds, strict=True)])
    assert np.array_equal(obs, ref)
    for _ in range(50):
        a = rng.uniform(-1.5, 1.5, size=(6, 2))  # beyond the box: clipped, then recorded
        obs, r, _, trunc, applied = batch.step(a)
        out = [e.step(x) for e, x in zip(envs, applied, strict=True)]
        assert np.allclose(obs, [o[0] for o in out], rtol=0, atol=1e-12)
        assert np.allclose(r, [o[1] for o in out], rtol=0, atol=1e-12)
        assert np.all(np.abs(applied) <= 1.0)
    assert np.all(trunc) and all(o[3] for o in out)  # the 50-step time limit


def test_rotation_is_an_exact_symmetry_of_a_step(family, rng):
    rep = family.representation
    angle = rng.uniform(-np.pi, np.pi)
    rho = rep.elements([angle / rep.state.basis[0][2, 0]])[0]
    target = family.test_tasks[1]
    moved_target = act(rho[4:6, 4:6], target)
    a = family.batch([target], 8)
    b = family.batch([moved_target], 8)
    seeds = rng.integers(2**31 - 1, size=8)
    start = a.reset(seeds)
    assert np.allclose(b.reset(seeds)[:, 4:6], moved_target)
    # The same arm state rotated by the angle, on the rotated target: the image of a's start.
    rotated = b.reset(seeds, moves=np.broadcast_to(rho, (8, 10, 10)))
    moved = act(rho, start)
    assert np.allclose(rotated, moved, atol=1e-12)
    for _ in range(20):
        u = rng.uniform(-1, 1, size=(8, 2))
        sa, ra, *_ = a.step(u)
        sb, rb, *_ = b.step(u)  # actions are invariant
        assert np.allclose(act(rho, sa), sb, atol=1e-12)
        assert np.allclose(ra, rb, atol=1e-12)


def test_start_law_is_not_rotation_invariant(family):
    audit = audit_start_law(family, rng=0, n_samples=100)
    assert not audit.invariant


def test_inference_reads_the_target_rotation_from_the_observation(family):
    group = CompactLieGroup.from_algebra(family.representation.state, np.eye(10))
    base = collect_transitions(family, [family.base_task], 100, rng=0, n_envs=4)
    for task in family.test_tasks:
        data = collect_transitions(family, [task], 10, rng=1)
        est = GroupInference(group, base_data=base, rng=0).fit(data)
        assert est.carrier_ == "observation"
        truth = group.exp(family.ground_truth(task))
        assert group.dist(est.element_, truth) < 1e-9


def test_reacher_tasks_refuses_unreachable_targets():
    with pytest.raises(ValueError, match="radius"):
        reacher_tasks(radius=0.25)
    with pytest.raises(ValueError, match="n_test"):
        reacher_tasks(n_test=0)


def test_symmetrised_start_rotates_the_arm_not_the_target(family, rng):
    batch = family.batch([family.base_task], 4)
    rep = family.representation
    rho = rep.elements(rng.uniform(-3, 3, size=(4, 1)))[0]
    obs = batch.reset(rng.integers(100, size=4), moves=rho)
    assert np.allclose(obs[:, 4:6], family.base_task)  # still the base task
    # The tip error is recomputed from the rotated arm and the fixed target.
    tip = (
        0.1 * obs[:, [0, 2]]
        + 0.11
        * np.c_[
            obs[:, 0] * obs[:, 1] - obs[:, 2] * obs[:, 3],
            obs[:, 2] * obs[:, 1] + obs[:, 0] * obs[:, 3],
        ]
    )
    assert np.allclose(obs[:, 8:10], tip - family.base_task, atol=1e-9)


#: Reacher-v5's observation signs under the mirror about the base target's axis.
MIRROR = np.array([1.0, 1.0, -1.0, -1.0, 1.0, -1.0, -1.0, -1.0, 1.0, -1.0])


def test_mirror_about_the_target_axis_is_an_exact_symmetry_of_closed_loop_episodes(family, rng):
    # q -> -q with the target on the mirror's axis, torques -> -torques: the mirrored start
    # under a mirror-gated policy (odd by construction) stays the mirror image for a whole
    # episode, and every reward is the same.
    phi = AngleFeatures(
        10, [(i, j) for i in range(4) for j in (8, 9)], reference=(4, 5), offset=(8, 9), root=True
    )
    gated = MirrorFeatures(phi, MIRROR, reference=(4, 5), direction=(0, 2))
    pi = LinearPolicy(
        0.3 * rng.normal(size=(2, gated.dim)), rng.normal(size=2), low=-1, high=1, features=gated
    )
    a, b = family.batch([family.base_task], 8), family.batch([family.base_task], 8)
    seeds = rng.integers(2**31 - 1, size=8)
    sa = a.reset(seeds)
    sb = b.reset(seeds, moves=np.broadcast_to(np.diag(MIRROR), (8, 10, 10)))
    assert np.allclose(sb, MIRROR * sa, rtol=0, atol=1e-12)
    for _ in range(50):
        ua, ub = pi.act(sa), pi.act(sb)
        assert np.allclose(ub, -ua, rtol=0, atol=1e-12)
        sa, ra, *_ = a.step(ua)
        sb, rb, *_ = b.step(ub)
        assert np.allclose(sb, MIRROR * sa, rtol=0, atol=1e-12)
        assert np.allclose(ra, rb, rtol=0, atol=1e-12)
