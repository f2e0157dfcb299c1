"""Laws of the navigation task families: ground truth, dynamics, Gymnasium API, bad input."""

import warnings

import numpy as np
import pytest
import scipy.linalg
from gymnasium.utils.env_checker import check_env

from liesym.envs import (
    TERMINATION_RADIUS,
    LineFamily,
    NavigationDynamics,
    NavigationEnv,
    act,
    circle_tasks,
    ellipse_tasks,
    line_tasks,
    minimal_rotation_vector,
    prototype_train_goals,
    sphere_tasks,
)

# Every quantity below is O(1) and goes through a handful of matrix products, so identities
# hold to ~1e-15; 1e-12 leaves three orders of margin while any real defect is >= 1e-3.
TOL = 1e-12

FAMILIES = {
    "circle": lambda: circle_tasks(),
    "circle_r2": lambda: circle_tasks(2.0, base_angle=1.0),
    "ellipse": lambda: ellipse_tasks(np.diag([0.7, 0.9])),
    "ellipse_sheared": lambda: ellipse_tasks([[0.8, 0.3], [-0.2, 0.6]], base_angle=-0.5),
    "sphere": lambda: sphere_tasks(),
    "sphere_r2": lambda: sphere_tasks(2.0, base_direction=[1.0, 1.0, 1.0]),
    "line": lambda: line_tasks(),
    "line_3d": lambda: line_tasks([0.5, 0.5, 0.0], [1.0, 0.0, 1.0], extent=3.0),
}
ONE_PARAMETER = ["circle", "circle_r2", "ellipse", "ellipse_sheared", "line", "line_3d"]


@pytest.fixture(params=list(FAMILIES))
def family(request):
    return FAMILIES[request.param]()


def _states(rng, n, size=200, scale=2.0):
    return scale * rng.standard_normal((size, n))


def _linear(element, n):
    return element[..., :n, :n]


def test_group_element_carries_base_goal_to_goal(family):
    goals = family.test_goals(13)
    elements = family.group_element(goals)
    assert np.allclose(act(elements, family.base_goal), goals, atol=TOL, rtol=0)
    assert np.allclose(family.group_element(family.base_goal), np.eye(elements.shape[-1]))


def test_reward_invariance_under_group_element(family):
    """r_g(L s) = r_0(s): the task of g is the base task moved by L."""
    rng = np.random.default_rng(0)
    dyn = family.dynamics
    for goal in family.test_goals(7):
        element = family.group_element(goal)
        s = _states(rng, family.n)
        moved = dyn.reward(act(element, s), goal)
        assert np.allclose(moved, dyn.reward(s, family.base_goal), atol=TOL, rtol=0)


def test_dynamics_equivariance_under_group_element(family):
    """F(L s, A a) = L F(s, a) for the noise-free step, projection included."""
    rng = np.random.default_rng(1)
    dyn = family.dynamics
    for goal in family.test_goals(7):
        element = family.group_element(goal)
        a_lin = _linear(element, family.n)
        s = _states(rng, family.n)
        # Raw actions up to 3x the bound exercise the projection.
        a = 3.0 * dyn.action_bound * rng.uniform(-1, 1, size=s.shape)
        lhs = dyn.mean_step(act(element, s), act(a_lin, a))
        assert np.allclose(lhs, act(element, dyn.mean_step(s, a)), atol=TOL, rtol=0)


def _principal_log(element):
    """Matrix logarithm: exact for unipotent elements, by eigendecomposition otherwise.

    (scipy.linalg.logm takes ~0.1 s on some rotations; these elements are diagonalisable
    with distinct eigenvalues away from the identity and from rotations by pi.)
    """
    nil = element - np.eye(element.shape[0])
    if np.allclose(nil @ nil, 0.0, atol=TOL):
        return nil
    values, vectors = np.linalg.eig(element)
    return vectors @ np.diag(np.log(values.astype(complex))) @ np.linalg.inv(vectors)


def test_group_element_lies_in_task_group(family):
    """log L lies in the task algebra (real logarithm, det L > 0)."""
    goals = family.test_goals(12)
    elements = family.group_element(goals)
    if not isinstance(family, LineFamily):
        # Rotation angle of L (in the chart of the invariant form, where L is orthogonal);
        # keep away from the identity and from pi, where the logarithm is ill-conditioned.
        n = family.n
        cos_angle = (np.trace(elements, axis1=-2, axis2=-1) - (n - 2)) / 2
        keep = np.abs(cos_angle) < np.cos(0.1)
        goals = goals[keep]
    assert len(goals) >= 6
    for goal in goals:
        element = family.group_element(goal)
        assert np.linalg.det(element) > 0
        log = _principal_log(element)
        assert np.abs(np.imag(log)).max() < 1e-10
        assert family.task_algebra.contains(np.real(log), tol=1e-10)
        assert np.allclose(scipy.linalg.expm(np.real(log)), element, atol=TOL)


@pytest.mark.parametrize("name", ONE_PARAMETER)
def test_group_composition_law(name):
    """L_{t1} L_{t2} = L_{t1 + t2} along the one-parameter task group."""
    fam = FAMILIES[name]()
    t0 = float(fam.param_of(fam.base_goal))
    for t1, t2 in [(0.3, 1.1), (-2.0, 2.9), (1.5, -0.2)]:
        lhs = fam.group_element(fam.goal_at(t0 + t1)) @ fam.group_element(fam.goal_at(t0 + t2))
        assert np.allclose(lhs, fam.group_element(fam.goal_at(t0 + t1 + t2)), atol=TOL)


def test_goal_parameter_round_trip(family):
    goals = family.test_goals(9)
    assert np.allclose(family.goal_at(family.param_of(goals)), goals, atol=TOL)


def test_base_symmetry_algebra_leaves_base_reward_invariant(family):
    rng = np.random.default_rng(2)
    alg = family.base_symmetry_algebra
    assert alg.affine
    elements = alg.exp(rng.uniform(-3, 3, size=(20, alg.dim)))
    assert np.allclose(act(elements, family.base_goal), family.base_goal, atol=TOL)
    s = _states(rng, family.n, size=20)
    r0 = family.dynamics.reward(s, family.base_goal)
    assert np.allclose(family.dynamics.reward(act(elements, s), family.base_goal), r0, atol=TOL)


def test_system_algebra_commutes_with_dynamics_and_preserves_noise(family):
    rng = np.random.default_rng(3)
    dyn = family.dynamics
    alg = family.system_algebra
    assert not alg.affine
    for a_lin in alg.exp(rng.uniform(-3, 3, size=(10, alg.dim))):
        s = _states(rng, family.n)
        a = 3.0 * dyn.action_bound * rng.uniform(-1, 1, size=s.shape)
        assert np.allclose(dyn.project_action(a @ a_lin.T), dyn.project_action(a) @ a_lin.T)
        assert np.allclose(dyn.mean_step(s @ a_lin.T, a @ a_lin.T), dyn.mean_step(s, a) @ a_lin.T)
        for cov in (dyn.noise_covariance, dyn.start_covariance):
            assert np.allclose(a_lin @ cov @ a_lin.T, cov, atol=TOL, rtol=0)
    # Translations (affine system algebra) commute with the wall-free noise-free step.
    aff = family.affine_system_algebra
    for element in aff.exp(rng.uniform(-3, 3, size=(10, aff.dim))):
        s = _states(rng, family.n)
        a = dyn.action_bound * rng.uniform(-1, 1, size=s.shape)
        lhs = dyn.mean_step(act(element, s), act(_linear(element, family.n), a))
        assert np.allclose(lhs, act(element, dyn.mean_step(s, a)), atol=TOL)


def test_task_algebra_is_a_subalgebra_of_the_system_symmetries(family):
    task = family.task_algebra
    system = family.affine_system_algebra if task.affine else family.system_algebra
    assert np.all(system.contains(task.basis))
    assert task.closure_residual() < TOL


def test_invariant_form_makes_task_generators_skew(family):
    form = family.invariant_form
    if isinstance(family, LineFamily):
        assert form is None
        return
    assert np.all(np.linalg.eigvalsh(form) > 0)
    for w in family.task_algebra.basis:
        assert np.allclose(w.T @ form + form @ w, 0.0, atol=TOL)


def test_sphere_group_element_is_minimal_and_stabilizer_fixes_goal():
    fam = sphere_tasks()
    rng = np.random.default_rng(4)
    goals = rng.standard_normal((20, 3))
    goals /= np.linalg.norm(goals, axis=-1, keepdims=True)
    elements = fam.group_element(goals)
    cos_angle = (np.trace(elements, axis1=-2, axis2=-1) - 1) / 2
    assert np.allclose(cos_angle, goals @ fam.base_direction, atol=TOL)
    antipode = fam.group_element(-fam.base_goal)
    assert np.allclose(antipode @ fam.base_goal, -fam.base_goal, atol=TOL)
    assert np.allclose(minimal_rotation_vector(fam.base_goal, fam.base_goal), 0.0)
    for goal in goals[:5]:
        w = fam.stabilizer_algebra(goal).basis[0]
        assert np.allclose(scipy.linalg.expm(1.3 * w) @ goal, goal, atol=TOL)


def test_train_and_test_goals_lie_on_the_orbit(family):
    for goals in (family.train_goals(5), family.train_goals(5, rng=0), family.test_goals(11)):
        assert family.check_goals(goals).shape == goals.shape
    assert np.array_equal(family.train_goals(5)[0], family.base_goal)
    assert np.array_equal(family.train_goals(6, rng=3), family.train_goals(6, rng=3))
    assert len({tuple(g) for g in family.train_goals(8, rng=1).round(9)}) == 8


def test_circle_goals_match_the_prototype():
    fam = circle_tasks()
    angles = np.ravel(fam.param_of(fam.train_goals(4)))
    np.testing.assert_allclose(np.cos(angles), np.cos(np.arange(4) * np.pi * (3 - np.sqrt(5))))
    # No training goal sits opposite the base goal (the degenerate element -I).
    assert np.all(np.abs(np.angle(np.exp(1j * (angles - np.pi)))) > 0.1)
    assert np.allclose(fam.test_goals(20)[5], [0.0, 1.0], atol=TOL)
    published = prototype_train_goals()
    assert np.allclose(fam.prototype_train_goals(), published, atol=1e-8)
    assert np.allclose(fam.rebase(published[0]).base_goal, published[0], atol=1e-8)
    ell = ellipse_tasks(np.diag([0.7, 0.9]))
    assert np.allclose(ell.prototype_train_goals(), published * [0.7, 0.9], atol=1e-8)


@pytest.mark.parametrize("name", [*FAMILIES, "anchor"])
def test_env_passes_gymnasium_check_env(name):
    fam = circle_tasks(anchor=True) if name == "anchor" else FAMILIES[name]()
    env = fam.make_env(fam.test_goals(3)[1])
    # The state space is all of R^n, so the observation Box is unbounded on purpose and
    # gymnasium warns about it; nothing else may warn. There is no rendering to check.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message=r".*Box observation space (minimum|maximum) value is",
            category=UserWarning,
        )
        check_env(env, skip_render_check=True)


def _rollout(env, seed, n_steps=30):
    obs, _ = env.reset(seed=seed)
    out = [obs]
    for _ in range(n_steps):
        obs, *_ = env.step(env.action_space.sample())
        out.append(obs)
    return np.array(out)


def test_env_seeding_is_reproducible():
    fam = ellipse_tasks(np.diag([0.7, 0.9]))
    a, b = fam.make_env(), fam.make_env()
    a.action_space.seed(5)
    b.action_space.seed(5)
    assert np.array_equal(_rollout(a, 7), _rollout(b, 7))
    b.action_space.seed(5)
    assert not np.array_equal(_rollout(a, 7), _rollout(b, 8))


def test_env_step_agrees_with_vectorised_dynamics(family):
    env = family.make_env(family.test_goals(4)[2])
    obs, info = env.reset(seed=0)
    assert np.array_equal(info["goal"], env.goal)
    for action in (
        0.5 * env.dynamics.action_bound * np.random.default_rng(0).normal(size=(20, family.n))
    ):
        new, reward, terminated, _, info = env.step(action)
        dyn = env.dynamics
        assert np.array_equal(info["applied_action"], dyn.project_action(action))
        assert reward == pytest.approx(float(dyn.reward(new, env.goal)), abs=TOL)
        assert terminated == bool(dyn.terminated(new, env.goal))
        noise = new - dyn.mean_step(obs, action)
        assert np.linalg.norm(noise) < 10 * dyn.sigma * np.linalg.norm(dyn.shape, 2)
        obs = new


def test_env_reset_option_switches_goal():
    env = circle_tasks().make_env()
    _, info = env.reset(seed=0, options={"goal": [0.0, 2.0]})
    assert np.array_equal(info["goal"], [0.0, 2.0])
    obs, reward, *_ = env.step(np.zeros(2))
    assert reward == pytest.approx(-np.linalg.norm(obs - [0.0, 2.0]))


def test_env_terminates_at_goal_and_truncates_at_time_limit():
    dyn = NavigationDynamics(sigma=0.0, sigma0=0.0, max_steps=3)
    env = NavigationEnv([0.05, 0.0], dyn)
    env.reset(seed=0)
    _, _, terminated, truncated, _ = env.step(np.zeros(2))
    assert terminated and not truncated
    env = NavigationEnv([1.0, 0.0], dyn)
    env.reset(seed=0)
    flags = [env.step(np.zeros(2))[3] for _ in range(3)]
    assert flags == [False, False, True]


def test_anchor_reproduces_the_prototype_point_env():
    fam = circle_tasks(anchor=True)
    dyn = fam.dynamics
    assert (dyn.a_max, dyn.sigma, dyn.sigma0, dyn.arena, dyn.max_steps) == (
        0.1,
        0.05,
        0.05,
        5.0,
        100,
    )
    assert dyn.termination_radius == pytest.approx(np.hypot(0.1, 0.1))
    assert dyn.termination_radius == TERMINATION_RADIUS
    a = np.array([[0.3, -0.05], [0.2, 0.4], [0.01, 0.02]])
    assert np.array_equal(dyn.project_action(a), np.clip(a, -0.1, 0.1))
    s = np.array([[4.98, 0.0], [-4.95, -5.2]])
    assert np.array_equal(dyn.mean_step(s, a[:2]), np.clip(s + np.clip(a[:2], -0.1, 0.1), -5, 5))
    assert not dyn.exact and circle_tasks().dynamics.exact


def test_projection_onto_the_shaped_action_ball():
    c = np.array([[0.8, 0.3], [-0.2, 0.6]])
    dyn = ellipse_tasks(c).dynamics
    rng = np.random.default_rng(6)
    # Raw sizes from 0 to ~4 a_max, many near the boundary of the set.
    a = dyn.a_max * rng.normal(size=(500, 2)) @ c.T
    p = dyn.project_action(a)
    size = np.linalg.norm(a @ np.linalg.inv(c).T, axis=-1)
    inside = size <= dyn.a_max
    assert np.array_equal(p[inside], a[inside])
    assert np.allclose(np.linalg.norm(p @ np.linalg.inv(c).T, axis=-1)[~inside], dyn.a_max)
    # Radial: the projected action is a positive multiple of the raw one.
    cross = p[:, 0] * a[:, 1] - p[:, 1] * a[:, 0]
    assert np.allclose(cross, 0.0, atol=TOL) and np.all(np.sum(p * a, axis=-1) > 0)
    samples = dyn.sample_actions(2000, np.random.default_rng(0))
    assert np.all(np.linalg.norm(samples @ np.linalg.inv(c).T, axis=-1) <= dyn.a_max + TOL)
    assert np.all(np.abs(samples) <= dyn.action_bound + TOL)


def test_start_and_noise_laws_have_the_stated_covariance():
    c = np.array([[0.8, 0.3], [-0.2, 0.6]])
    dyn = ellipse_tasks(c, sigma=0.1, sigma0=0.2).dynamics
    rng = np.random.default_rng(0)
    # 2e5 samples: relative standard error of a covariance entry ~ sqrt(2/2e5) = 0.3 %.
    for draw, cov in (
        (dyn.sample_noise, dyn.noise_covariance),
        (dyn.sample_start, dyn.start_covariance),
    ):
        x = draw(200_000, rng)
        assert np.allclose(np.cov(x.T), cov, rtol=0, atol=0.02 * np.abs(cov).max())


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: NavigationDynamics(n=0), "n: expected a positive integer"),
        (lambda: NavigationDynamics(a_max=-1.0), "a_max"),
        (lambda: NavigationDynamics(sigma=np.nan), "sigma"),
        (lambda: NavigationDynamics(max_steps=0), "max_steps"),
        (lambda: NavigationDynamics(shape=np.ones((2, 2))), "shape: expected an invertible"),
        (lambda: ellipse_tasks(np.diag([1.0, 0.0])), "C: expected an invertible"),
        (lambda: ellipse_tasks(np.eye(3)), r"C: expected shape \(2, 2\)"),
        (lambda: ellipse_tasks([[1.0, np.inf], [0.0, 1.0]]), "C: contains"),
        (lambda: circle_tasks(shape=np.eye(2)), "fixed by the circle family"),
        (lambda: circle_tasks(-1.0), "radius"),
        (lambda: sphere_tasks(base_direction=[0.0, 0.0, 0.0]), "base_direction"),
        (lambda: line_tasks([1.0]), "origin"),
        (lambda: line_tasks([1.0, 0.0], [0.0, 0.0]), "direction"),
        (lambda: circle_tasks().make_env([np.nan, 0.0]), "goal: expected finite"),
        (lambda: circle_tasks().make_env([1.0, 0.0, 0.0]), r"goal: expected shape \(2,\)"),
        (lambda: circle_tasks().make_env([2.0, 0.0]), "off its orbit"),
        (lambda: line_tasks().make_env([0.0, 0.0]), "off its orbit"),
        (lambda: circle_tasks().train_goals(0), "k: expected a positive integer"),
        (lambda: circle_tasks().check_goals(np.zeros((2, 3))), r"goals: expected shape \(m, 2\)"),
        (lambda: NavigationDynamics().reward(np.zeros((4, 3)), [1.0, 0.0]), "next_states"),
        (lambda: NavigationDynamics().project_action([[np.inf, 0.0]]), "actions"),
        (lambda: NavigationEnv(dynamics="exact"), "dynamics"),
        (lambda: NavigationEnv().step(np.zeros(3)), r"action: expected shape \(2,\)"),
        (lambda: NavigationEnv().reset(options={"gaol": [1, 0]}), "unknown keys"),
        (lambda: act(np.eye(4), np.zeros(2)), "element"),
    ],
)
def test_bad_arguments_are_rejected_with_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_navigation_families_are_gymnasium_families(family):
    from liesym.envs import GymnasiumFamily

    assert isinstance(family, GymnasiumFamily)
    train, test = family.train_tasks, family.test_tasks
    assert np.allclose(train[0], family.base_goal) and len(test) == family.default_sizes[1]
    assert family.observation_dim == family.action_dim == family.n
    env = family.make_env(test[1])
    env.reset(seed=0)
    moved = family.set_start(env, np.full(family.n, 0.25))
    assert np.allclose(moved, 0.25) and np.allclose(env.state, 0.25)
    d = family.task_distance(train[0], test[1])
    assert np.isclose(d, family.pairwise_distance(train[0], test[1])[0, 0])
    assert family.sample_starts(5, rng=0).shape == (5, family.n)


def test_one_transition_steps_every_navigation_path(rng):
    # The env, the collector and the rollouts all step through NavigationDynamics.transition.
    dyn = NavigationDynamics()
    s, a, g = rng.normal(size=(4, 2)), rng.normal(size=(4, 2)), np.array([1.0, 0.0])
    step = dyn.transition(s, a, g)
    assert np.allclose(step.applied, dyn.project_action(a))
    assert np.allclose(step.next_states, dyn.mean_step(s, a))
    assert np.allclose(step.rewards, dyn.reward(step.next_states, g))
    assert np.array_equal(step.terminated, dyn.terminated(step.next_states, g))
