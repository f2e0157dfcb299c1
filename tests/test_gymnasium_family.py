"""Any Gymnasium env as a task family: a planar double integrator through the whole pipeline.

The env below is written here as a user would write theirs (a plain ``gymnasium.Env``): state
(p, v) in R^4, a force in R^2 projected onto the unit disc, goals on the unit circle, reward
``-|p' - g|^2``. Rotations act on p, v and the force alike, so state and action
representations differ in dimension. A little viscous friction (``v' = v + dt (a - v)``)
keeps the linear policies' optimum well conditioned for the small CEM budget of a test; the
symmetry is unchanged.
"""

import gymnasium as gym
import numpy as np
import pytest

from liesym.algebra import LieAlgebra, Representation, so
from liesym.data import collect_transitions
from liesym.envs import GymBatch, GymnasiumFamily, audit_start_law
from liesym.pipeline import run_pipeline
from liesym.policies import CEMTrainer, LinearPolicy, evaluate_policies
from liesym.transfer import HereditaryPolicy

DT, HORIZON = 0.1, 30
J = np.array([[0.0, -1.0], [1.0, 0.0]])


class DoubleIntegrator(gym.Env):
    metadata = {"render_modes": []}  # noqa: RUF012

    def __init__(self, goal, start_offset=(0.0, 0.0)):
        self.goal = np.asarray(goal, dtype=np.float64)
        self.offset = np.asarray(start_offset, dtype=np.float64)
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, (4,), np.float64)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float64)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        p = self.offset + 0.1 * self.np_random.standard_normal(2)
        self.s, self.t = np.concatenate([p, np.zeros(2)]), 0
        return self.s.copy(), {}

    def step(self, action):
        a = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0)
        a = a / max(1.0, float(np.linalg.norm(a)))  # the admissible forces: the unit disc
        p, v = self.s[:2], self.s[2:]
        acc = a - v
        self.s = np.concatenate([p + DT * v + 0.5 * DT**2 * acc, v + DT * acc])
        self.t += 1
        reward = -float(np.sum((self.s[:2] - self.goal) ** 2))
        return self.s.copy(), reward, False, self.t >= HORIZON, {"applied_action": a}


def goal(t):
    return np.array([np.cos(t), np.sin(t)])


def angle(a, b):
    return float(np.abs(np.angle(complex(*a) / complex(*b))))


def double_integrator(n_test=5, **kwargs):
    rep = Representation([np.kron(np.eye(2), J)], [J])  # unnormalised: one scale per pair
    tests = [goal(t) for t in 2 * np.pi * np.arange(n_test) / n_test]
    return GymnasiumFamily(
        lambda g: DoubleIntegrator(g, **kwargs),
        [goal(0.0)],
        tests,
        representation=rep,
        name="double integrator",
        task_distance=angle,
    )


@pytest.mark.slow
def test_double_integrator_transfers_through_run_pipeline():
    fam = double_integrator()
    trainer = CEMTrainer(
        n_iterations=30, population=24, n_episodes=4, n_restarts=2, n_eval_episodes=8, rng=0
    )
    res = run_pipeline(fam, seeds=2, n_episodes=8, trainer=trainer, rng=0, n_base_steps=1000)
    assert res.start_audit.invariant and res.start_law == "own"
    # The inferred angles (coordinate c: rotation by c/2 in the orthonormal basis) are close.
    truth = 2 * 2 * np.pi * np.arange(5) / 5
    wrapped = (res.inferred_elements[:, 0] - truth + 2 * np.pi) % (4 * np.pi) - 2 * np.pi
    assert np.abs(wrapped).max() < 0.05
    assert res.scores["hereditary"].min() >= 0.9
    assert res.relative_regret["hereditary"].max() <= 0.1
    # Without transfer the base policy does not reach the far goals.
    assert res.relative_regret["nearest"].max() > 1.0
    for m in res.methods:
        assert res.returns[m].shape == res.scores[m].shape == (5,)


def test_hereditary_policy_is_equivariant_with_other_action_dimension(rng):
    rep = Representation([np.kron(np.eye(2), J)], [J])
    pi0 = LinearPolicy(rng.normal(size=(2, 4)), rng.normal(size=2), radius=1.0)
    c = rng.normal(size=(1,))
    rho_s, rho_a = rep.elements(c)
    pi = HereditaryPolicy(pi0, rep.elements(c))
    s = rng.normal(size=(50, 4))
    # pi(rho_S s) = rho_A pi0(s): the ball projection commutes with rotations.
    assert np.allclose(pi.act(s @ rho_s.T), pi0.act(s) @ rho_a.T, atol=1e-12)


def test_representation_elements_are_a_homomorphism(rng):
    rep = Representation([np.kron(np.eye(2), J)], [J])
    a, b = rng.normal(size=(2, 1))
    sa, aa = rep.elements(a)
    sb, ab = rep.elements(b)
    s_ab, a_ab = rep.elements(a + b)
    assert np.allclose(sa @ sb, s_ab, atol=1e-12) and np.allclose(aa @ ab, a_ab, atol=1e-12)
    # The stored state basis is orthonormal and the action generator moved with it.
    assert np.isclose(np.sum(rep.state.basis[0] ** 2), 1.0)
    assert np.allclose(rep.action[0], J / 2)


def test_representation_rejects_mismatched_pairs():
    # Separately normalised bases rotate states at 1/2 and actions at 1/sqrt(2) per unit.
    with pytest.raises(ValueError, match="action"):
        Representation(LieAlgebra(np.kron(np.eye(2), J)), LieAlgebra(J))
    with pytest.raises(ValueError, match="action"):
        Representation(so(3), so(2))
    with pytest.raises(ValueError, match="state"):
        Representation(np.stack([J, 2 * J]))


def test_collection_records_the_applied_action():
    fam = double_integrator()
    data = collect_transitions(fam, fam.test_tasks[:2], 60, rng=0, keep_raw_actions=True)
    assert data.states.shape == (120, 4) and data.actions.shape == (120, 2)
    assert np.all(np.linalg.norm(data.actions, axis=1) <= 1.0 + 1e-12)
    assert np.any(np.linalg.norm(data.raw_actions, axis=1) > 1.0)  # the box corners
    # The next state follows from the *recorded* action.
    p, v, a = data.states[:, :2], data.states[:, 2:], data.actions
    expected = p + DT * v + 0.5 * DT**2 * (a - v)
    assert np.allclose(data.next_states[:, :2], expected, atol=1e-12)
    # Rewards are those of each row's task.
    goals = np.array(fam.test_tasks[:2])[data.task_ids]
    assert np.allclose(data.rewards, -np.sum((data.next_states[:, :2] - goals) ** 2, axis=1))


def test_collection_is_seeded():
    fam = double_integrator()
    a = collect_transitions(fam, [fam.base_task], 40, rng=3)
    b = collect_transitions(fam, [fam.base_task], 40, rng=3)
    assert np.array_equal(a.next_states, b.next_states)


def test_start_law_audit_detects_a_start_law_off_the_fixed_point():
    assert audit_start_law(double_integrator(), rng=0).invariant
    shifted = audit_start_law(double_integrator(start_offset=(0.5, 0.0)), rng=0)
    assert not shifted.invariant and shifted.p_value < 0.01
    assert abs(shifted.mean_shift[0]) > 0.3


def test_gym_batch_steps_like_the_envs_with_common_seeds():
    fam = double_integrator()
    pol = LinearPolicy(-np.hstack([np.eye(2), np.eye(2)]), [1.0, 0.0], radius=1.0)
    a = evaluate_policies(fam, [pol, pol], [fam.base_task, fam.base_task], [4, 5, 6])
    assert np.array_equal(a[0], a[1])  # same seeds, same returns
    env = DoubleIntegrator(fam.base_task)
    obs, _ = env.reset(seed=5)
    total = 0.0
    for _ in range(HORIZON):
        obs, r, _, _, _ = env.step(pol.act(obs))
        total += r
    assert np.isclose(total, a[0, 1], rtol=0, atol=1e-12)


def test_bad_family_inputs_raise_clear_errors():
    with pytest.raises(TypeError, match="make_env"):
        GymnasiumFamily("env", [0], [0])
    with pytest.raises(ValueError, match="train_tasks"):
        GymnasiumFamily(DoubleIntegrator, [], [goal(0.0)])
    with pytest.raises(TypeError, match="representation"):
        GymnasiumFamily(DoubleIntegrator, [goal(0.0)], [goal(1.0)], representation=so(2))
    with pytest.raises(TypeError, match="action_space"):
        GymBatch([gym.make("CartPole-v1")])
    # A family without a representation gets one discovered (tests/test_equivariance.py).
    wrong = GymnasiumFamily(
        DoubleIntegrator, [goal(0.0)], [goal(1.0)], representation=Representation(so(2), so(2))
    )
    with pytest.raises(ValueError, match="representation"):
        run_pipeline(wrong)


def test_equivariance_defect_takes_representation_pairs(rng):
    from liesym.transfer import equivariance_defect

    rep = Representation([np.kron(np.eye(2), J)], [J])
    pi0 = LinearPolicy(rng.normal(size=(2, 4)), rng.normal(size=2), radius=1.0)
    pair = rep.elements(rng.normal(size=(1,)))
    s = rng.normal(size=(30, 4))
    assert equivariance_defect(HereditaryPolicy(pi0, pair), pair, s, reference=pi0).max() < 1e-12
    assert equivariance_defect(pi0, pair, s).max() > 1e-3  # pi0 itself is not equivariant


def test_a_declared_non_compact_representation_is_refused_with_the_reason():
    from liesym._core import NotCertifiedError

    fam = double_integrator()
    spiral = np.kron(np.eye(2), J + 0.25 * np.eye(2))  # rotation with growth: not compact
    fam = GymnasiumFamily(
        fam.make_env,
        fam.train_tasks,
        fam.test_tasks,
        representation=Representation([spiral], [J + 0.25 * np.eye(2)]),
    )
    with pytest.raises(NotCertifiedError, match=r"not certified compact .*compact=False at tol"):
        run_pipeline(fam, seeds=1, n_episodes=1)


@pytest.mark.parametrize("option", [{"probing": "active"}, {"online": "on"}, {"online": "off"}])
def test_run_pipeline_refuses_navigation_only_options_on_a_gymnasium_family(option):
    """Options a generic family's run would ignore are refused, naming the option."""
    with pytest.raises(ValueError, match=f"{next(iter(option))}: implemented for the navigation"):
        run_pipeline(double_integrator(), **option)


@pytest.mark.parametrize("option", [{"surrogate": "profile"}, {"n_base_steps": 500}])
def test_run_pipeline_refuses_generic_only_options_on_a_navigation_family(option):
    from liesym.envs import circle_tasks

    with pytest.raises(ValueError, match=f"{next(iter(option))}: not used by the navigation"):
        run_pipeline(circle_tasks(), **option)
