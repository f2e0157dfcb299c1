import numpy as np
import pytest

from liesym.data.transitions import collect_transitions
from liesym.envs import circle_tasks, sphere_tasks
from liesym.policies import CEMTrainer, GoalSeekingPolicy, LinearPolicy
from liesym.transfer import (
    ContrastiveMetaPolicy,
    RegretCurve,
    encoder_loss,
    evaluate_transfer,
    hereditary_policies,
    info_nce,
    nearest_task_policies,
    regret_curve,
    task_distance,
)
from liesym.transfer.contrastive import _contexts


def finite_difference(f, x, step=1e-6):
    # Central differences: truncation ~ step^2 |f'''|, round-off ~ eps |f| / step: ~1e-9.
    g = np.zeros_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + step
        up = f(x)
        flat[i] = old - step
        down = f(x)
        flat[i] = old
        gflat[i] = (up - down) / (2 * step)
    return g


def test_info_nce_gradient_is_exact(rng):
    u = rng.normal(size=(8, 3))
    labels = np.repeat([0, 1, 2, 3], 2)
    _, grad = info_nce(u, labels, 0.3)
    np.testing.assert_allclose(
        grad, finite_difference(lambda v: info_nce(v, labels, 0.3)[0], u), atol=1e-7
    )


def test_encoder_gradient_is_exact(rng):
    f, h, d, k = 5, 6, 3, 4
    theta = rng.normal(size=f * h + h + h * d + d) * 0.5
    x = rng.normal(size=(6, k, f))
    labels = np.repeat([0, 1], 3)
    _, grad = encoder_loss(theta, x, labels, 0.5, h, d)
    numeric = finite_difference(lambda t: encoder_loss(t, x, labels, 0.5, h, d)[0], theta)
    np.testing.assert_allclose(grad, numeric, atol=1e-7)


def test_info_nce_is_smallest_for_separated_embeddings():
    labels = [0, 0, 1, 1]
    separated = info_nce([[1.0, 0], [1.0, 0.01], [-1.0, 0], [-1.0, 0.01]], labels)[0]
    mixed = info_nce([[1.0, 0], [-1.0, 0.01], [-1.0, 0], [1.0, 0.01]], labels)[0]
    assert separated < mixed


def test_info_nce_rejects_labels_without_positives():
    with pytest.raises(ValueError, match="labels"):
        info_nce(np.eye(3), [0, 1, 1])
    with pytest.raises(ValueError, match="non-zero"):
        info_nce(np.zeros((2, 2)), [0, 0])


@pytest.fixture(scope="module")
def contrastive():
    fam = circle_tasks()
    goals = fam.goal_at(np.array([0.0, 2.0]))
    model = ContrastiveMetaPolicy(
        n_contexts=64, n_encoder_steps=300, rng=0, trainer=CEMTrainer(n_iterations=15)
    )
    return fam, goals, model.fit(fam, goals)


def test_contrastive_loss_decreases(contrastive):
    _, _, model = contrastive
    h = model.encoder_history_
    # Perfect separation of 2 tasks x 32 contexts has loss log(31) = 3.43; random codes ~6+.
    assert h[:10].mean() > h[-10:].mean() + 1.0
    assert h[-10:].mean() < 3.7


def test_contrastive_codes_separate_the_training_tasks(contrastive):
    fam, goals, model = contrastive
    codes = model.encoder_.embed(_contexts(fam, goals, 50, model.context_size, 7))  # held out
    centroids = codes.mean(axis=1)
    nearest = np.argmax(codes @ centroids.T, axis=-1)
    assert np.mean(nearest == np.arange(2)[:, None]) > 0.95
    np.testing.assert_allclose(np.linalg.norm(codes, axis=-1), 1.0)


def test_contrastive_policy_solves_its_training_tasks(contrastive):
    fam, goals, model = contrastive
    seek = lambda g: GoalSeekingPolicy(g, fam.dynamics)  # noqa: E731
    curve = regret_curve(
        fam, {"contrastive": model.policies(fam, rng=3)}, goals, goals, 16, 2, oracle=seek
    )
    assert curve.score[0].mean() > 0.8
    assert isinstance(model.adapt(collect_transitions(fam, goals[0], 16, rng=1)), LinearPolicy)


def test_contrastive_needs_two_training_tasks():
    fam = circle_tasks()
    with pytest.raises(ValueError, match="train_goals"):
        ContrastiveMetaPolicy().fit(fam, fam.base_goal[None])


def test_nearest_task_policy_picks_the_nearest_training_task():
    fam = sphere_tasks()
    goals = fam.train_goals(4)
    policies = [GoalSeekingPolicy(g, fam.dynamics) for g in goals]
    pick = nearest_task_policies(fam, goals, policies)
    for g in fam.test_goals(10):
        chosen = pick(g)
        assert task_distance(fam, g, chosen.goal)[0, 0] == task_distance(fam, g, goals).min()
    with pytest.raises(ValueError, match="train_policies"):
        nearest_task_policies(fam, goals, policies[:2])


@pytest.fixture(scope="module")
def curve():
    fam = circle_tasks()
    train = fam.train_goals(2)
    base = GoalSeekingPolicy(fam.base_goal, fam.dynamics)
    methods = {
        "hereditary": hereditary_policies(base, fam.group_element),
        "nearest": nearest_task_policies(
            fam, train, [GoalSeekingPolicy(g, fam.dynamics) for g in train]
        ),
    }
    return regret_curve(
        fam,
        methods,
        fam.test_goals(6),
        train,
        n_episodes=8,
        seeds=3,
        oracle=lambda g: GoalSeekingPolicy(g, fam.dynamics),
    )


def test_regret_curve_record_shapes(curve):
    assert isinstance(curve, RegretCurve)
    assert curve.methods == ("hereditary", "nearest", "oracle", "random")
    for name in ("returns", "success", "regret", "score"):
        assert getattr(curve, name).shape == (4, 3, 6)
    assert curve.distance.shape == (6,) and curve.test_goals.shape == (6, 2)
    band = curve.band("nearest", "regret")
    assert band.mean.shape == band.lower.shape == (6,)
    assert np.all(band.lower <= band.mean) and np.all(band.mean <= band.upper)
    assert "hereditary" in curve.table()


def test_references_score_one_and_zero(curve):
    np.testing.assert_array_equal(curve.score[curve.index("oracle")], 1.0)
    np.testing.assert_array_equal(curve.score[curve.index("random")], 0.0)
    np.testing.assert_array_equal(curve.regret[curve.index("oracle")], 0.0)


def test_exact_transfer_matches_the_oracle_with_common_noise(curve):
    # Transferred goal seeker = goal seeker of each task, rolled out on the same noise.
    np.testing.assert_allclose(curve.score[0], 1.0, atol=1e-9)
    assert abs(curve.slope("hereditary")) < 1e-6
    # Reuse without transfer degrades away from the training tasks.
    far = curve.distance > 1.0
    assert curve.score[1][:, far].mean() < 0.5


def test_regret_curve_is_reproducible(curve):
    fam = circle_tasks()
    again = regret_curve(
        fam,
        {
            "hereditary": hereditary_policies(
                GoalSeekingPolicy(fam.base_goal, fam.dynamics), fam.group_element
            )
        },
        fam.test_goals(6),
        fam.train_goals(2),
        n_episodes=8,
        seeds=3,
        oracle=lambda g: GoalSeekingPolicy(g, fam.dynamics),
    )
    np.testing.assert_array_equal(again.returns[0], curve.returns[0])


def test_evaluate_transfer_runs_every_method():
    fam = circle_tasks()
    small = CEMTrainer(n_iterations=8, n_episodes=8, n_restarts=1, rng=0)
    model = ContrastiveMetaPolicy(n_contexts=32, n_encoder_steps=20, rng=0, trainer=small)
    curve = evaluate_transfer(
        fam,
        fam.train_goals(2),
        fam.test_goals(4),
        trainer=small,
        contrastive=model,
        n_episodes=4,
        seeds=2,
        rng=0,
    )
    assert curve.methods == ("hereditary", "nearest", "contrastive", "oracle", "random")


def test_bad_regret_curve_inputs_raise_clear_errors():
    fam = circle_tasks()
    seek = lambda g: GoalSeekingPolicy(g, fam.dynamics)  # noqa: E731
    args = (fam.test_goals(3), fam.train_goals(2))
    with pytest.raises(ValueError, match="reserved"):
        regret_curve(fam, {"oracle": seek}, *args, oracle=seek)
    with pytest.raises(ValueError, match="test_goals"):
        regret_curve(fam, {"seek": seek}, np.zeros((3, 3)), args[1], oracle=seek)
    with pytest.raises(ValueError, match="test_goals"):
        regret_curve(fam, {"seek": seek}, [[5.0, 0.0]], args[1], oracle=seek)  # off the orbit
    with pytest.raises(ValueError, match="oracle"):
        regret_curve(fam, {"seek": seek}, *args, oracle=[seek(fam.base_goal)])
    with pytest.raises(ValueError, match="seeds"):
        regret_curve(fam, {"seek": seek}, *args, seeds=[], oracle=seek)
    with pytest.raises(ValueError, match="level"):
        regret_curve(fam, {"seek": seek}, *args, level=1.5, oracle=seek)
    with pytest.raises(ValueError, match="family"):
        regret_curve("circle", {"seek": seek}, *args, oracle=seek)
    with pytest.raises(ValueError, match="method"):
        regret_curve(fam, {"seek": seek}, *args, seeds=2, oracle=seek).band("nope")
