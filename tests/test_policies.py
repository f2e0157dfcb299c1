import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liesym.data.transitions import collect_transitions
from liesym.envs import NavigationDynamics, circle_tasks, ellipse_tasks, sphere_tasks
from liesym.policies import (
    AngleFeatures,
    CEMTrainer,
    GoalSeekingPolicy,
    LinearPolicy,
    MirrorFeatures,
    ProductFeatures,
    RandomPolicy,
    RolloutNoise,
    cem_search,
    rollout,
    rollout_noise,
    simulate,
    train_policy,
)
from liesym.policies.rollout import affine_returns

FAMILIES = {
    "circle": circle_tasks,
    "ellipse": lambda: ellipse_tasks(np.diag([0.7, 0.9])),
    "sphere": sphere_tasks,
}


@pytest.fixture(params=sorted(FAMILIES))
def family(request):
    return FAMILIES[request.param]()


@pytest.mark.parametrize("batch", [(), (1,), (3, 2)])
def test_linear_policy_actions_lie_in_the_action_set(batch, rng):
    dyn = NavigationDynamics(shape=np.diag([0.7, 0.9]))
    pi = LinearPolicy(rng.normal(size=(2, 2)), rng.normal(size=2), dyn)
    a = pi.act(rng.normal(size=(*batch, 2)) * 3)
    assert a.shape == (*batch, 2)
    # Radial projection onto C ball(a_max): |C^-1 a| <= a_max up to rounding.
    assert np.all(np.linalg.norm(a @ np.diag([1 / 0.7, 1 / 0.9]), axis=-1) <= dyn.a_max + 1e-12)


def test_linear_policy_params_round_trip(rng):
    pi = LinearPolicy(rng.normal(size=(3, 3)), rng.normal(size=3))
    again = LinearPolicy.from_params(pi.as_params(), 3)
    np.testing.assert_array_equal(again.gain, pi.gain)
    np.testing.assert_array_equal(again.bias, pi.bias)


def test_policies_fit_the_collector_signature(family):
    pi = GoalSeekingPolicy(family.base_goal, family.dynamics)
    data = collect_transitions(family, family.base_goal, 64, policy=pi, rng=0)
    np.testing.assert_allclose(data.actions, pi.act(data.states), atol=1e-15)


def test_random_policy_is_seeded_and_admissible(family):
    a = RandomPolicy(family.dynamics, rng=3).act(np.zeros((500, family.n)))
    b = RandomPolicy(family.dynamics, rng=3).act(np.zeros((500, family.n)))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(family.dynamics.project_action(a), a, atol=1e-15)


def test_rollout_shapes_for_one_and_several_goals(family):
    pi = GoalSeekingPolicy(family.base_goal, family.dynamics)
    one = rollout(pi, family, family.base_goal, 5, rng=0)
    assert one.returns.shape == one.lengths.shape == one.success.shape == (5,)
    goals = family.test_goals(3)
    several = rollout(
        [GoalSeekingPolicy(g, family.dynamics) for g in goals], family, goals, 4, rng=0
    )
    assert several.returns.shape == (3, 4)
    assert several.success.all()  # the goal seeker reaches every goal within the time limit


def test_rollout_trajectories_follow_the_dynamics(family):
    dyn = family.dynamics
    pi = GoalSeekingPolicy(family.base_goal, dyn)
    noise = rollout_noise(dyn, 6, rng=1)
    out = rollout(pi, dyn, family.base_goal, noise=noise, trajectories=True)
    # Returns are the sums of the recorded rewards; lengths count the recorded steps.
    np.testing.assert_allclose(out.returns, np.nansum(out.rewards, axis=-1), atol=1e-12)
    np.testing.assert_array_equal(out.lengths, np.sum(~np.isnan(out.rewards), axis=-1))
    for e in range(6):
        k = out.lengths[e]
        s, a = out.states[e, : k + 1], out.actions[e, :k]
        np.testing.assert_allclose(s[0], noise.starts[e])
        np.testing.assert_allclose(a, pi.act(s[:-1]), atol=1e-15)
        np.testing.assert_allclose(s[1:], s[:-1] + a + noise.steps[e, :k], atol=1e-14)
        np.testing.assert_allclose(out.rewards[e, :k], dyn.reward(s[1:], family.base_goal))
    assert np.all(out.success == (out.lengths < dyn.max_steps))


def test_common_random_numbers_make_rollouts_reproducible(family):
    pi = RandomPolicy(family.dynamics, rng=0)
    seek = GoalSeekingPolicy(family.base_goal, family.dynamics)
    noise = rollout_noise(family.dynamics, 8, rng=4)
    a = rollout(seek, family, family.base_goal, noise=noise)
    b = rollout(seek, family, family.base_goal, noise=noise)
    np.testing.assert_array_equal(a.returns, b.returns)
    assert rollout(pi, family, family.base_goal, noise=noise).mean_return < a.mean_return


def test_fast_affine_kernel_agrees_with_the_reference_kernel(rng):
    fam = circle_tasks()
    dyn = fam.dynamics
    gain = rng.normal(size=(4, 5, 1, 2, 2))
    bias = rng.normal(size=(4, 5, 1, 2))
    goals = fam.test_goals(4)[:, None, None, :]
    noise = rollout_noise(dyn, (4, 1, 6), rng=2)
    fast = affine_returns(gain, bias, dyn, goals, noise)

    def act(s):
        return np.einsum("...ij,...j->...i", gain, s) + bias

    slow = simulate(act, dyn, goals, noise, batch_shape=(4, 5, 1)).returns
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)


def test_cem_search_finds_the_maximum_of_a_quadratic():
    res = cem_search(
        lambda p, rng: -np.sum((p - [1.0, -2.0]) ** 2, axis=-1),
        np.zeros((3, 2)),
        np.ones((3, 2)),
        n_iterations=50,
        rng=0,
    )
    np.testing.assert_allclose(res.mean, np.broadcast_to([1.0, -2.0], (3, 2)), atol=0.02)
    assert res.history.shape == res.elite_history.shape == (50, 3)


def _recording(score):
    """A score that records the members it is given and the scores it returns."""
    seen = []

    def wrapped(p, rng):
        out = score(p, rng)
        seen.append((p.copy(), out.copy()))
        return out

    return wrapped, seen


@pytest.mark.parametrize("covariance", ["diagonal", "full"])
def test_plain_cem_search_is_the_textbook_loop(covariance):
    # The defaults (extra_std 0, keep_elites off) must stay the method the committed results
    # were computed with: sample around the mean, keep the best fifth, refit, floor the std.
    def score(p, rng):
        return -np.sum((p - 1.0) ** 2, axis=-1) + 0.1 * rng.standard_normal(p.shape[:-1])

    res = cem_search(
        score, np.zeros(3), np.ones(3), n_iterations=6, population=10, covariance=covariance, rng=4
    )
    rng = np.random.default_rng(4)
    mean, std, root = np.zeros(3), np.ones(3), np.eye(3)
    for _ in range(6):
        eps = rng.standard_normal((9, 3))
        members = np.vstack(
            [mean, mean + (std * eps if covariance == "diagonal" else eps @ root.T)]
        )
        elite = members[np.argsort(-score(members, rng), kind="stable")[:2]]
        mean, std = elite.mean(0), np.maximum(elite.std(0), 0.01)
        dev = elite - mean
        root = np.linalg.cholesky(0.5 * dev.T @ dev / 2 + 0.5 * np.diag(std**2))
    assert np.array_equal(res.mean, mean) and np.array_equal(res.std, std)


@pytest.mark.parametrize("covariance", ["diagonal", "full"])
def test_noisy_cem_never_samples_below_its_extra_spread(covariance):
    # A sharp peak collapses the elites; the sampled spread must still follow the schedule
    # extra_std (1 - t / n) at iteration t >= 1. 4000 draws: the sample std's relative error is
    # 1/sqrt(8000) ~ 1.1 %, so 0.9 x the schedule is a 9-sigma margin.
    score, seen = _recording(lambda p, rng: -np.sum((p - 0.3) ** 2, axis=-1))
    n, extra = 8, 0.5
    res = cem_search(
        score,
        np.zeros(2),
        np.full(2, 1e-3),
        n_iterations=n,
        population=4001,
        min_std=1e-6,
        covariance=covariance,
        extra_std=extra,
        rng=0,
    )
    for t, (members, _) in enumerate(seen[1:], start=1):
        spread = (members[1:] - members[0]).std(axis=0)
        assert np.all(spread >= 0.9 * extra * (1 - t / n)), (t, spread)
    # After the last refit the extra spread has decayed to nothing: the plain floor remains.
    assert np.all(res.std >= 1e-6) and np.all(res.std < 0.05)


def test_kept_elites_compete_again_at_an_unchanged_population():
    score, seen = _recording(lambda p, rng: -np.sum(p**2, axis=-1) + rng.normal(size=p.shape[:-1]))
    cem_search(
        score,
        np.ones((2, 3)),
        np.ones((2, 3)),
        n_iterations=5,
        population=10,
        keep_elites=True,
        rng=1,
    )
    for (before, scores), (after, _) in itertools.pairwise(seen):
        assert after.shape == before.shape == (2, 10, 3)
        best = np.argsort(-scores, axis=-1, kind="stable")[..., :2]
        np.testing.assert_array_equal(after[:, 1:3], np.take_along_axis(before, best[..., None], 1))
    with pytest.raises(ValueError, match="keep_elites"):
        cem_search(score, np.zeros(1), np.ones(1), population=2, keep_elites=True)
    with pytest.raises(ValueError, match="extra_std"):
        cem_search(score, np.zeros(1), np.ones(1), extra_std=-1.0)


def test_training_improves_return_and_is_seeded(family):
    trainer = CEMTrainer(n_iterations=12, rng=5).fit(family.dynamics, family.base_goal)
    curve = trainer.history_[:, 0]
    # From about -100 (the zero policy never arrives) to near the goal seeker's -5.
    assert curve[0] < -50 and curve[-3:].mean() > -15
    again = CEMTrainer(n_iterations=12, rng=5).fit(family.dynamics, family.base_goal)
    np.testing.assert_array_equal(again.params_, trainer.params_)


def test_trained_policy_is_close_to_the_goal_seeking_controller():
    fam = circle_tasks()
    result = train_policy(fam, fam.base_goal, rng=0)
    noise = rollout_noise(fam.dynamics, 512, rng=11)
    trained = rollout(result.policy, fam, fam.base_goal, noise=noise).mean_return
    seek = rollout(GoalSeekingPolicy(fam.base_goal, fam.dynamics), fam, fam.base_goal, noise=noise)
    # Returns are about -4.8; the linear policy class contains the controller (K = -I,
    # b = g), so CEM should get within a few tenths (measured gap: 0.07 on 2000 episodes).
    assert seek.mean_return - trained < 0.5


def test_batched_training_trains_each_goal():
    fam = circle_tasks()
    goals = fam.test_goals(3)
    trainer = CEMTrainer(n_iterations=15, rng=0).fit(fam, goals)
    assert len(trainer.policies_) == 3 and trainer.history_.shape == (15, 3)
    out = rollout(trainer.policies_, fam, goals, 64, rng=1)
    assert np.all(out.success.mean(axis=1) > 0.9)


@st.composite
def monomials(draw):
    n = draw(st.integers(1, 5))
    products = draw(st.lists(st.lists(st.integers(0, n - 1), min_size=1, max_size=4), max_size=6))
    return n, products


@settings(max_examples=40, deadline=None)
@given(monomials(), st.integers(0, 2**31 - 1))
def test_product_features_are_the_scaled_observation_then_its_monomials(spec, seed):
    n, products = spec
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.1, 2.0, size=n)
    s = rng.normal(size=(3, 2, n))
    phi = ProductFeatures(n, products, scale=scale)
    x = s * scale
    expected = [x[..., i] for i in range(n)] + [np.prod(x[..., p], axis=-1) for p in products]
    assert phi.dim == n + len(products)
    np.testing.assert_allclose(phi(s), np.stack(expected, axis=-1), rtol=1e-12, atol=1e-14)


def test_linear_policy_on_product_features_is_linear_in_its_parameters(rng):
    phi = ProductFeatures(3, [(0, 1), (0, 1, 2)])
    s = rng.normal(size=(5, 3))
    p, q = rng.normal(size=(2, 2 * 5 + 2))

    def act(params):
        return LinearPolicy.from_params(params, 3, action_dim=2, features=phi).act(s)

    np.testing.assert_allclose(act(p + 2 * q), act(p) + 2 * act(q))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_angle_features_are_invariant_under_rotations_of_reference_and_offset_alike(seed):
    rng = np.random.default_rng(seed)
    phi = AngleFeatures(
        6, reference=(0, 1), offset=(2, 3), distance_gain=3.0, root=True, side=(4, 5)
    )
    s = rng.normal(size=(5, 6))
    t = rng.uniform(-np.pi, np.pi)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    moved = np.concatenate([s[:, i : i + 2] @ rot.T for i in (0, 2, 4)], axis=1)
    np.testing.assert_allclose(phi(moved)[:, 6:], phi(s)[:, 6:], rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(-np.pi, np.pi),
    st.floats(1e-3, np.pi - 1e-3),
    st.booleans(),
    st.floats(0.1, 3.0),
    st.floats(0.1, 3.0),
)
def test_angle_features_side_is_the_sign_of_the_directions_angle_and_flips_in_a_mirror(
    ref_angle, beta, negative, r, u
):
    # reference at ref_angle (length r), direction at ref_angle + beta (length u)
    beta = -beta if negative else beta
    phi = AngleFeatures(6, reference=(0, 1), offset=(2, 3), side=(4, 5))
    target = r * np.array([np.cos(ref_angle), np.sin(ref_angle)])
    direction = u * np.array([np.cos(ref_angle + beta), np.sin(ref_angle + beta)])
    state = np.concatenate([target, [0.3, -0.2], direction])
    assert phi(state)[-1] == np.sign(beta) and phi.dim == 6 + 3
    mirror = state * np.tile([1.0, -1.0], 3)  # reflection about the x-axis, all pairs alike
    assert phi(mirror)[-1] == -np.sign(beta)


@settings(max_examples=40, deadline=None)
@given(st.floats(-np.pi + 1e-3, np.pi), st.floats(0.1, 3.0), st.floats(0.1, 3.0))
def test_angle_features_give_the_signed_angle_of_the_point_wrapped_to_pi(angle, r, p):
    # reference at angle 0 with length r, point (reference + offset) at `angle`, length p
    target = np.array([r, 0.0])
    point = p * np.array([np.cos(angle), np.sin(angle)])
    phi = AngleFeatures(4, reference=(0, 1), offset=(2, 3), distance_gain=2.0, root=True)
    out = phi(np.concatenate([target, point - target]))
    np.testing.assert_allclose(out[4], angle, atol=1e-9)
    np.testing.assert_allclose(out[5], 2.0 * angle * np.linalg.norm(point - target), atol=1e-9)
    np.testing.assert_allclose(out[6] * np.abs(out[6]), angle, atol=1e-9)
    assert phi.dim == 7 and out.shape == (7,)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"offset": (2, 3)}, ValueError, "reference"),
        ({"reference": (0, 4), "offset": (2, 3)}, ValueError, "reference"),
        ({"reference": (0, 1), "offset": (2, 2)}, ValueError, "offset"),
        ({"reference": 0, "offset": (2, 3)}, TypeError, "reference"),
        ({"reference": (0, 1), "offset": (2, 3), "distance_gain": -1.0}, ValueError, "gain"),
        ({"reference": (0, 1), "offset": (2, 3), "root": "yes"}, TypeError, "root"),
        ({"reference": (0, 1), "offset": (2, 3), "side": (3, 3)}, ValueError, "side"),
        ({"reference": (0, 1), "offset": (2, 3), "side": 1}, TypeError, "side"),
    ],
)
def test_angle_features_reject_bad_indices_and_gains(kwargs, error, match):
    with pytest.raises(error, match=match):
        AngleFeatures(4, **kwargs)


def _mirror_setup(seed):
    """Random AngleFeatures on 8 coordinates and a parity under which its angles have one.

    Pairs (0, 1) reference, (2, 3) offset (same signs), (4, 5) side direction (same signs,
    one flipped: the gate is odd), 6 and 7 free.
    """
    rng = np.random.default_rng(seed)
    pair = [1.0, -1.0] if rng.random() < 0.5 else [-1.0, 1.0]
    parity = np.array(pair * 3 + list(rng.choice([-1.0, 1.0], size=2)))
    products = [tuple(rng.integers(0, 8, size=rng.integers(1, 4))) for _ in range(5)]
    phi = AngleFeatures(
        8, products, scale=rng.uniform(0.5, 2, 8), reference=(0, 1), offset=(2, 3), root=True
    )
    return rng, parity, phi


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_feature_parities_are_products_of_the_coordinates_parities(seed):
    rng, parity, phi = _mirror_setup(seed)
    s = rng.normal(size=(6, 8))
    np.testing.assert_allclose(phi(s * parity), phi(s) * phi.parity(parity), atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_mirror_gated_linear_policies_are_exactly_odd_under_the_reflection(seed):
    rng, parity, phi = _mirror_setup(seed)
    gated = MirrorFeatures(phi, parity, reference=(0, 1), direction=(4, 5))
    pi = LinearPolicy(
        rng.normal(size=(3, gated.dim)), rng.normal(size=3), low=-1.0, high=1.0, features=gated
    )
    s = rng.normal(size=(20, 8))
    np.testing.assert_allclose(pi.act(s * parity), -pi.act(s), rtol=0, atol=1e-12)
    # One law on side +, its mirror on side -: pi(s) = sigma pi_plus(state moved to side +).
    plain = LinearPolicy(pi.gain, pi.bias, low=-1.0, high=1.0, features=phi)
    sigma = gated.side(s)[:, None]
    canonical = np.where(sigma > 0, s, s * parity)
    np.testing.assert_allclose(pi.act(s), sigma * plain.act(canonical), rtol=0, atol=1e-12)


def test_mirror_gate_counts_the_aligned_direction_as_positive_side():
    gated = MirrorFeatures(ProductFeatures(4), [1, -1, 1, -1], reference=(0, 1), direction=(2, 3))
    aligned = np.array([[1.0, 0.0, 2.0, 0.0], [1.0, 0.0, -2.0, 0.0], [0.0, 0.0, 1.0, 1.0]])
    assert np.array_equal(gated.side(aligned), [1.0, 1.0, 1.0])
    assert np.array_equal(gated.side([[1.0, 0.0, 1.0, -1e-300]]), [-1.0])


def test_a_constant_side_reduces_the_mirror_gated_class_to_the_plain_one(rng):
    phi = ProductFeatures(4, [(0, 3)])
    gated = MirrorFeatures(phi, [1, -1, 1, -1], reference=(0, 1), direction=(2, 3))
    s = rng.normal(size=(10, 4))
    s[:, :2] = [1.0, 0.0]
    s[:, 3] = np.abs(s[:, 3])  # side + throughout
    gain, bias = rng.normal(size=(2, phi.dim)), rng.normal(size=2)
    pi = LinearPolicy(gain, bias, features=gated)
    # On side + the gated class is the plain linear class (even features and bias ungated).
    np.testing.assert_allclose(pi.act(s), LinearPolicy(gain, bias, features=phi).act(s))


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((ProductFeatures(4), [1, -1, 1], (0, 1), (2, 3)), ValueError, "parity"),
        ((ProductFeatures(4), [1, -1, 1, 0.5], (0, 1), (2, 3)), ValueError, "parity"),
        ((ProductFeatures(4), [1, -1, -1, 1], (0, 1), (2, 3)), ValueError, "parity"),
        ((ProductFeatures(4), [1, 1, 1, 1], (0, 1), (2, 3)), ValueError, "direction"),
        ((ProductFeatures(4), [1, -1, 1, -1], (0, 4), (2, 3)), ValueError, "reference"),
        ((ProductFeatures(4), [1, -1, 1, -1], (0, 1), 2), TypeError, "direction"),
        ((np.eye(4), [1, -1, 1, -1], (0, 1), (2, 3)), TypeError, "features"),
    ],
)
def test_mirror_features_reject_bad_parities_and_indices(args, error, match):
    with pytest.raises(error, match=match):
        MirrorFeatures(*args)


def test_angle_features_without_a_parity_are_refused_by_the_mirror_gate():
    phi = AngleFeatures(6, reference=(0, 1), offset=(2, 3))
    with pytest.raises(ValueError, match="parity"):  # offset pair flips unlike the reference
        MirrorFeatures(phi, [1, -1, -1, 1, 1, -1], reference=(0, 1), direction=(4, 5))


def test_linear_policy_accepts_angle_features(rng):
    phi = AngleFeatures(4, [(0, 2)], reference=(0, 1), offset=(2, 3))
    params = rng.normal(size=2 * phi.dim + 2)
    pi = LinearPolicy.from_params(params, 4, action_dim=2, low=-1.0, high=1.0, features=phi)
    a = pi.act(rng.normal(size=(7, 4)))
    assert a.shape == (7, 2) and np.all(np.abs(a) <= 1.0)


@pytest.mark.parametrize(
    ("products", "error", "match"),
    [
        ([(0, 3)], ValueError, "products"),
        ([()], ValueError, "products"),
        ([0], TypeError, "products"),
    ],
)
def test_product_features_reject_bad_monomials(products, error, match):
    with pytest.raises(error, match=match):
        ProductFeatures(3, products)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"gain": np.ones((2, 3)), "bias": np.zeros(2), "dynamics": circle_tasks().dynamics},
            "dim",
        ),
        ({"gain": np.ones((2, 3)), "bias": np.zeros(2), "low": np.zeros(3)}, "low"),
        ({"gain": np.eye(2), "bias": np.zeros(3)}, "bias"),
        ({"gain": np.eye(2), "bias": [np.nan, 0.0]}, "bias"),
        ({"gain": np.eye(2), "bias": np.zeros(2), "dynamics": sphere_tasks().dynamics}, "dim"),
    ],
)
def test_linear_policy_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LinearPolicy(**kwargs)


def test_bad_rollout_inputs_raise_clear_errors():
    fam = circle_tasks()
    pi = GoalSeekingPolicy(fam.base_goal, fam.dynamics)
    with pytest.raises(ValueError, match="goals"):
        rollout(pi, fam, [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="states"):
        pi.act(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="n_episodes"):
        rollout(pi, fam, fam.base_goal, 0)
    with pytest.raises(ValueError, match="one per goal"):
        rollout([pi, pi], fam, fam.test_goals(3))
    with pytest.raises(ValueError, match="policy"):
        rollout("not a policy", fam, fam.base_goal)
    with pytest.raises(ValueError, match="noise"):
        rollout(pi, fam, fam.base_goal, noise=rollout_noise(sphere_tasks(), 4, rng=0))
    with pytest.raises(ValueError, match="steps"):
        RolloutNoise(np.zeros((4, 2)), np.zeros((3, 10, 2)))
    with pytest.raises(ValueError, match="dynamics"):
        rollout(pi, "circle", fam.base_goal)


def test_bad_training_settings_raise_clear_errors():
    fam = circle_tasks()
    with pytest.raises(ValueError, match="population"):
        CEMTrainer(population=1).fit(fam, fam.base_goal)
    with pytest.raises(ValueError, match="elite_frac"):
        CEMTrainer(elite_frac=1.5).fit(fam, fam.base_goal)
    with pytest.raises(ValueError, match="goals"):
        CEMTrainer().fit(fam, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="goal"):
        train_policy(fam, fam.test_goals(2))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 6))
def test_relative_returns_keep_each_episodes_ranking_and_drop_its_scale(seed, half, e):
    from liesym.policies.cem import relative_returns

    rng = np.random.default_rng(seed)
    returns = -rng.uniform(0.1, 10.0, size=(2 * half + 1, e))  # odd M: the median is a member
    scale = rng.uniform(0.1, 10.0, size=e)
    rel = relative_returns(returns)
    # One positive scale per episode (a harder start) changes nothing.
    assert np.allclose(relative_returns(returns * scale), rel, rtol=1e-12)
    assert np.array_equal(np.argsort(rel, axis=0), np.argsort(returns, axis=0))
    assert np.allclose(np.median(rel, axis=0), -1.0, rtol=1e-12)


def test_trainer_forwards_the_noisy_and_elitist_search_options():
    from test_gymnasium_family import double_integrator

    fam = double_integrator()
    settings = dict(n_iterations=3, population=20, n_episodes=2, n_restarts=1, n_eval_episodes=2)
    plain, *others = (
        CEMTrainer(**settings, **option, rng=0).fit(fam, fam.test_tasks[:1]).params_
        for option in ({}, {"extra_std": 0.5}, {"keep_elites": True})
    )
    assert np.array_equal(
        plain, CEMTrainer(**settings, extra_std=0.0, rng=0).fit(fam, fam.test_tasks[:1]).params_
    )
    assert all(not np.array_equal(plain, other) for other in others)


def test_start_score_applies_only_to_moved_start_laws():
    from test_gymnasium_family import double_integrator

    fam = double_integrator()
    settings = dict(n_iterations=2, population=4, n_episodes=2, n_restarts=1, n_eval_episodes=2)
    fits = [
        CEMTrainer(**settings, start_score=score, rng=0).fit(fam, fam.test_tasks[:1]).params_
        for score in ("mean", "relative")
    ]
    assert np.array_equal(*fits)
    with pytest.raises(ValueError, match="start_score"):
        CEMTrainer(start_score="worst").fit(fam, fam.test_tasks[:1])
