"""Inference while acting: the element tracker, observed rewards in rollouts, the policy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liesym.algebra import so
from liesym.envs import circle_tasks, sphere_tasks
from liesym.manifolds import CompactLieGroup, ElementTracker, GroupInference
from liesym.manifolds.inference import _ChartModel, _losses, _refine
from liesym.policies import GoalSeekingPolicy, RolloutNoise, ZeroPolicy, rollout, rollout_noise
from liesym.transfer import HereditaryPolicy, TrackingHereditaryPolicy

G0 = np.array([1.0, 0.0])
SO2 = CompactLieGroup.from_algebra(so(2), np.eye(2))


def _base(x):
    return -np.linalg.norm(x - G0, axis=-1)


def _angle(element):
    return float(np.arctan2(element[1, 0], element[0, 0]))


def _wrap(a):
    return float(np.angle(np.exp(1j * a)))


def test_masked_points_leave_the_least_squares_fit_unchanged():
    # Weight 0 must remove a point from both the loss and the Gauss-Newton step.
    rng = np.random.default_rng(0)
    model = _ChartModel(_base, np.eye(2))
    goal = np.array([np.cos(0.7), np.sin(0.7)])
    y = rng.normal(size=(12, 2))
    r = -np.linalg.norm(y - goal, axis=1)
    junk = np.where(np.arange(12) >= 8, 5.0, 0.0)  # corrupt the masked points' rewards
    w = (np.arange(12) < 8).astype(float)
    start = SO2.to_chart(SO2.exp(np.array([0.5])))[None]
    full, loss_w = _refine(model, y[None], (r + junk)[None], start, SO2._unit_basis, 50, w[None])
    sub, loss_s = _refine(model, y[:8], r[:8], start, SO2._unit_basis, 50)
    np.testing.assert_allclose(full, sub, atol=1e-12)
    np.testing.assert_allclose(loss_w, loss_s, rtol=1e-12)
    masked = _losses(model, y, r + junk, full, w)[1][0]
    assert masked == pytest.approx(loss_s[0], rel=1e-9, abs=1e-20)


@settings(max_examples=10, derandomize=True, deadline=None)
@given(t=st.floats(-np.pi, np.pi), n_probe=st.integers(1, 4))
def test_tracker_finds_the_element_once_the_rewards_determine_it(t, n_probe):
    # Probes at the orbit's centre leave every angle equally likely; exact rewards at two
    # points off the centre determine it: the tracker must leave the probes' basin.
    goal = np.array([np.cos(t), np.sin(t)])

    def reward(x):
        return -np.linalg.norm(x - goal, axis=-1)

    probes = np.zeros((n_probe, 2))
    tracker = ElementTracker(SO2, _base, prior=(probes, reward(probes))).reset(3)
    rng = np.random.default_rng(n_probe)
    for _ in range(2):
        x = rng.normal(size=(3, 2))
        tracker.update(x, reward(x))
    for el in tracker.elements_:
        assert abs(_wrap(_angle(el) - t)) < 1e-6
    np.testing.assert_array_equal(tracker.n_transitions_, n_probe + 2)


def test_tracker_ignores_transitions_of_ended_episodes():
    goal = np.array([0.0, 1.0])
    x = np.array([[0.2, 0.9], [0.9, 0.2]])
    r = -np.linalg.norm(x - goal, axis=-1)
    tracker = ElementTracker(SO2, _base, prior=(x, r)).reset(2)
    before = tracker.elements_.copy()
    tracker.update(np.array([[3.0, 3.0], [0.5, 0.5]]), np.array([9.0, -0.5]), [False, True])
    np.testing.assert_allclose(tracker.elements_[0], before[0], atol=1e-12)
    np.testing.assert_array_equal(tracker.n_transitions_, [2, 3])


def test_tracker_starts_from_the_probes_least_squares_estimate():
    rng = np.random.default_rng(1)
    goal = np.array([np.cos(-2.0), np.sin(-2.0)])
    x = rng.normal(size=(10, 2))
    r = -np.linalg.norm(x - goal, axis=-1) + 0.05 * rng.normal(size=10)
    est = GroupInference(SO2, base_reward=_base, rng=0).fit((x, r))
    tracker = ElementTracker(SO2, _base, prior=(x, r)).reset(4)
    for el in tracker.elements_:
        assert abs(_wrap(_angle(el) - _angle(est.element_))) < 1e-8


def test_tracker_checks_its_inputs():
    with pytest.raises(TypeError, match="group"):
        ElementTracker(so(2), _base)
    with pytest.raises(ValueError, match="n_iter"):
        ElementTracker(SO2, _base, n_iter=-1)
    with pytest.raises(RuntimeError, match="reset"):
        ElementTracker(SO2, _base).update(np.zeros((1, 2)), np.zeros(1))
    tracker = ElementTracker(SO2, _base).reset(2)
    with pytest.raises(ValueError, match="next_states"):
        tracker.update(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="mask"):
        tracker.update(np.zeros((2, 2)), np.zeros(2), mask=[True])


def test_rollout_noise_draws_reward_noise_last_and_only_for_noisy_rewards():
    clean, noisy = circle_tasks(), circle_tasks(reward_noise=0.1)
    a, b = rollout_noise(clean, (2, 3), rng=5), rollout_noise(noisy, (2, 3), rng=5)
    assert a.rewards is None and b.rewards.shape == (2, 3, clean.dynamics.max_steps)
    np.testing.assert_array_equal(a.starts, b.starts)
    np.testing.assert_array_equal(a.steps, b.steps)
    # The reward noise is the dynamics' reward_noise times standard normal draws.
    assert abs(b.rewards.std() / 0.1 - 1.0) < 0.1
    with pytest.raises(ValueError, match="rewards"):
        RolloutNoise(a.starts, a.steps, np.zeros((2, 3)))


class _Recorder:
    """Zero actions; records what it observes."""

    n = 2

    def __init__(self):
        self.seen = []

    def reset(self, shape):
        self.shape = shape

    def act(self, states):
        return np.zeros_like(states)

    def observe(self, next_states, rewards, alive):
        self.seen.append((next_states.copy(), np.array(rewards), alive.copy()))


def test_observing_policies_see_the_reward_plus_its_observation_noise():
    family = circle_tasks(reward_noise=0.1)
    goal = family.base_goal
    noise = rollout_noise(family, 4, rng=2)
    rec = _Recorder()
    out = rollout(rec, family, goal, noise=noise, trajectories=True)
    assert rec.shape == (4,)
    t = len(rec.seen)
    seen = np.stack([r for _, r, _ in rec.seen], axis=-1)
    alive = np.stack([a for _, _, a in rec.seen], axis=-1)
    np.testing.assert_allclose(
        seen[alive], (out.rewards[:, :t] + noise.rewards[:, :t])[alive], rtol=0, atol=1e-12
    )
    # The returns are the noise-free rewards' (the same as for a policy that does not observe).
    plain = rollout(ZeroPolicy(2, 2), family, goal, noise=noise)
    np.testing.assert_allclose(out.returns, plain.returns)


def test_observing_with_noisy_rewards_needs_their_noise():
    family = circle_tasks(reward_noise=0.1)
    noise = rollout_noise(family, 3, rng=0)
    bare = RolloutNoise(noise.starts, noise.steps)
    with pytest.raises(ValueError, match="noise"):
        rollout(_Recorder(), family, family.base_goal, noise=bare)


@pytest.mark.parametrize("family", [circle_tasks(), sphere_tasks()], ids=["circle", "sphere"])
def test_tracking_policy_with_determined_probes_is_the_hereditary_policy(family):
    # Probes that already determine the element (exact rewards, points off the centre): the
    # episode's transitions agree with it, so every action is that of the fixed transfer.
    goal = family.test_goals(5)[2]
    base = GoalSeekingPolicy(family.base_goal, family.dynamics)
    group = CompactLieGroup.from_algebra(family.task_algebra, np.eye(family.n))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, family.n))

    def base_reward(p):
        return -np.linalg.norm(p - family.base_goal, axis=-1)

    prior = (x, -np.linalg.norm(x - goal, axis=-1))
    est = GroupInference(group, base_reward=base_reward, rng=0).fit(prior)
    noise = rollout_noise(family, 6, rng=1)
    fixed = rollout(HereditaryPolicy(base, est.element_), family, goal, noise=noise)
    track = TrackingHereditaryPolicy(base, ElementTracker(group, base_reward, prior=prior, rng=0))
    moving = rollout(track, family, goal, noise=noise)
    np.testing.assert_allclose(moving.returns, fixed.returns, rtol=1e-8)


def test_pipeline_tracks_the_element_under_reward_noise_only():
    import warnings

    from liesym.discovery import DiscoveryWarning
    from liesym.pipeline import run_pipeline

    options = {"n_test": 3, "seeds": 1, "n_episodes": 4, "n_steps": 1000, "rng": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiscoveryWarning)
        noisy = run_pipeline(circle_tasks(reward_noise=0.05), **options)
        off = run_pipeline(circle_tasks(reward_noise=0.05), online="off", **options)
    assert noisy.settings["online"] and not off.settings["online"]
    fixed = "hereditary (probes only)"
    assert fixed in noisy.scores and fixed not in off.scores
    # The probes-only method is the run without tracking (same draws, same element).
    np.testing.assert_allclose(noisy.returns[fixed], off.returns["hereditary"])
    with pytest.raises(ValueError, match="online"):
        run_pipeline(circle_tasks(), online="always")
