"""Transition collection: consistency with the dynamics, episode structure, seeding, records."""

import numpy as np
import pytest

from liesym.data import reward_arrays, transition_arrays
from liesym.data.transitions import Transitions, collect_transitions
from liesym.envs import NavigationDynamics, circle_tasks, ellipse_tasks, line_tasks, sphere_tasks

TOL = 1e-12  # recomputing the same float64 expressions: differences are rounding only

FAMILIES = {
    "circle": lambda: circle_tasks(),
    "anchor": lambda: circle_tasks(anchor=True),
    "ellipse": lambda: ellipse_tasks([[0.8, 0.3], [-0.2, 0.6]]),
    "sphere": lambda: sphere_tasks(),
    "line": lambda: line_tasks(),
}


@pytest.fixture(params=list(FAMILIES))
def family(request):
    return FAMILIES[request.param]()


def _greedy(states, goals):
    return 10.0 * (goals - states)  # projected onto the action set by the dynamics


def test_rows_are_consistent_with_the_dynamics(family):
    dyn = family.dynamics
    goals = family.train_goals(3)
    data = collect_transitions(family, goals, 500, rng=0, n_envs=8, keep_raw_actions=True)
    assert len(data) == 1500 and data.n_tasks == 3
    assert np.array_equal(np.bincount(data.task_ids), [500, 500, 500])
    assert np.array_equal(data.row_goals, goals[data.task_ids])
    assert np.allclose(data.rewards, dyn.reward(data.next_states, data.row_goals), atol=TOL)
    assert np.array_equal(data.terminated, dyn.terminated(data.next_states, data.row_goals))
    assert np.array_equal(data.actions, dyn.project_action(data.raw_actions))
    # Noise = s' - F(s, a) has the stated covariance (1500 samples: ~4 % standard error).
    noise = data.next_states - dyn.mean_step(data.states, data.actions)
    cov = dyn.noise_covariance
    assert np.allclose(np.cov(noise.T), cov, rtol=0, atol=0.25 * np.abs(cov).max())


def test_noise_free_collection_steps_exactly():
    fam = circle_tasks(sigma=0.0)
    data = collect_transitions(fam, fam.test_goals(2), 300, rng=1)
    assert np.array_equal(data.next_states, data.states + data.actions)
    assert np.all(np.linalg.norm(data.actions, axis=-1) <= fam.dynamics.a_max + TOL)


def test_episodes_are_contiguous_and_restart_after_termination_or_time_limit(family):
    dyn = family.dynamics.replace(max_steps=20)
    goals = family.train_goals(2)
    data = collect_transitions(dyn, goals, 400, policy=_greedy, rng=2, n_envs=4)
    same = data.episode_ids[1:] == data.episode_ids[:-1]
    # Within an episode the next state is the following row's state.
    assert np.array_equal(data.next_states[:-1][same], data.states[1:][same])
    # An episode ends exactly where it terminates or truncates (or where a stream is cut).
    ends = data.terminated | data.truncated
    assert not np.any(ends[:-1] & same)
    assert np.array_equal(np.unique(data.episode_ids), np.arange(data.episode_ids.max() + 1))
    assert np.all(np.diff(data.episode_ids) >= 0)
    assert np.bincount(data.episode_ids).max() <= 20
    assert data.terminated.any()  # the greedy policy reaches goals
    size = np.linalg.norm(data.actions @ np.linalg.inv(dyn.shape).T, axis=-1)
    assert np.all(size <= dyn.a_max * (1 + TOL)) or dyn.box


def test_truncation_marks_the_time_limit():
    fam = circle_tasks(max_steps=7)
    data = collect_transitions(fam, fam.base_goal, 70, rng=0, n_envs=1)
    steps = np.concatenate([np.arange(1, k + 1) for k in np.bincount(data.episode_ids)])
    assert np.array_equal(data.truncated, steps == 7)


def test_same_seed_gives_same_data_and_different_seeds_differ():
    fam = ellipse_tasks(np.diag([0.7, 0.9]))
    a = collect_transitions(fam, fam.train_goals(2), 200, rng=3)
    b = collect_transitions(fam, fam.train_goals(2), 200, rng=np.random.default_rng(3))
    for name in ("states", "actions", "next_states", "rewards", "episode_ids"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    c = collect_transitions(fam, fam.train_goals(2), 200, rng=4)
    assert not np.array_equal(a.states, c.states)


def test_policy_receives_states_and_goals_of_each_stream():
    fam = circle_tasks()
    goals = fam.train_goals(3)
    seen = []

    def policy(states, row_goals):
        seen.append(row_goals)
        return np.zeros_like(states)

    data = collect_transitions(fam, goals, 10, policy=policy, rng=0, n_envs=2)
    assert np.array_equal(seen[0], np.repeat(goals, 2, axis=0))
    assert np.all(data.actions == 0.0)


def test_more_streams_than_steps_and_uneven_split():
    fam = circle_tasks()
    assert len(collect_transitions(fam, fam.base_goal, 5, rng=0, n_envs=64)) == 5
    assert len(collect_transitions(fam, fam.train_goals(2), 101, rng=0, n_envs=10)) == 202


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda f: collect_transitions(f, [[2.0, 0.0]], 10), "off its orbit"),
        (lambda f: collect_transitions(f, [[1.0, 0.0, 0.0]], 10), r"goals: expected shape"),
        (lambda f: collect_transitions(f, f.base_goal, 0), "n_steps"),
        (lambda f: collect_transitions(f, f.base_goal, 10, n_envs=0), "n_envs"),
        (
            lambda f: collect_transitions(f, f.base_goal, 10, policy=3),
            "policy: expected a callable",
        ),
        (
            lambda f: collect_transitions(f, f.base_goal, 10, policy=lambda s, g: s[:, :1]),
            "policy output: expected shape",
        ),
        (
            lambda f: collect_transitions(f, f.base_goal, 10, policy=lambda s, g: s * np.nan),
            "policy output: contains",
        ),
        (lambda f: collect_transitions("circle", f.base_goal, 10), "family"),
        (lambda f: collect_transitions(NavigationDynamics(), [np.inf, 0.0], 10), "goals"),
    ],
)
def test_bad_collection_arguments_are_rejected(call, match):
    with pytest.raises(ValueError, match=match):
        call(circle_tasks())


def _small(n_rows=6, n_tasks=2, seed=0):
    fam = circle_tasks()
    return collect_transitions(fam, fam.train_goals(n_tasks), n_rows // n_tasks, rng=seed)


def test_record_subset_for_task_and_concatenate():
    data = _small(12, 3)
    assert len(data.for_task(1)) == 4 and np.all(data.for_task(1).task_ids == 1)
    assert len(data.subset(slice(0, 5))) == 5
    mask = data.rewards > np.median(data.rewards)
    assert np.array_equal(data.subset(mask).rewards, data.rewards[mask])
    both = Transitions.concatenate([data, data])
    assert len(both) == 24 and both.n_tasks == 3
    assert len(np.unique(both.episode_ids)) == 2 * len(np.unique(data.episode_ids))
    other = collect_transitions(circle_tasks(), circle_tasks().test_goals(5)[1:3], 2, rng=0)
    with pytest.raises(ValueError, match="offset_tasks=True"):
        Transitions.concatenate([data, other])
    merged = Transitions.concatenate([data, other], offset_tasks=True)
    assert merged.n_tasks == 5
    assert np.array_equal(merged.row_goals[12:], other.row_goals)
    with pytest.raises(ValueError, match="task_id"):
        data.for_task(3)


def test_record_is_read_only_and_validated():
    data = _small()
    with pytest.raises(ValueError, match="read-only"):
        data.states[0, 0] = 1.0
    fields = data.as_dict()
    with pytest.raises(ValueError, match=r"actions: expected shape \(6, 2\)"):
        Transitions(**(fields | {"actions": np.zeros((5, 2))}))
    with pytest.raises(ValueError, match="rewards: contains"):
        Transitions(**(fields | {"rewards": np.full(6, np.nan)}))
    with pytest.raises(ValueError, match="task_ids: ids up to"):
        Transitions(**(fields | {"goals": fields["goals"][:1]}))
    with pytest.raises(ValueError, match="task_ids: expected integers"):
        Transitions(**(fields | {"task_ids": np.zeros(6)}))
    with pytest.raises(ValueError, match="items"):
        Transitions.concatenate([])


def _record(rng, n=3, m=2, rows=40):
    return Transitions(
        states=rng.normal(size=(rows, n)),
        actions=rng.normal(size=(rows, m)),
        next_states=rng.normal(size=(rows, n)),
        rewards=rng.normal(size=rows),
        terminated=np.zeros(rows, bool),
        truncated=np.zeros(rows, bool),
        task_ids=np.zeros(rows, int),
        episode_ids=np.zeros(rows, int),
    )


def test_one_parser_reads_a_record_and_its_arrays_alike():
    data = _record(np.random.default_rng(0))
    from_record = transition_arrays(data)
    from_arrays = transition_arrays(data.states, data.actions, data.next_states, data.rewards)
    for a, b in zip(from_record, from_arrays, strict=True):
        np.testing.assert_array_equal(a, b)
    x, r = reward_arrays(data)
    np.testing.assert_array_equal(x, data.next_states)
    np.testing.assert_array_equal(r, data.rewards)
    np.testing.assert_array_equal(reward_arrays((x, r))[1], reward_arrays(x, r)[1])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda d: transition_arrays(d, d.actions), "actions"),
        (lambda d: transition_arrays(d.states), "actions"),
        (
            lambda d: transition_arrays(d.states, d.actions, d.next_states[:-1]),
            "same number of rows",
        ),
        (
            lambda d: transition_arrays(d.states, d.actions, d.next_states, d.rewards[:-1]),
            "rewards",
        ),
        (lambda d: reward_arrays(d, d.rewards), "already"),
        (lambda d: reward_arrays(d.next_states), "pair"),
    ],
)
def test_the_parser_names_the_argument_it_rejects(call, match):
    with pytest.raises(ValueError, match=match):
        call(_record(np.random.default_rng(1)))


def test_equivariance_discovery_takes_a_record_like_arrays():
    from liesym.discovery import EquivarianceDiscovery

    rng = np.random.default_rng(2)
    s = rng.normal(size=(600, 2))
    a = rng.uniform(-0.1, 0.1, size=(600, 2))
    data = Transitions(
        states=s,
        actions=a,
        next_states=s + a,
        rewards=-np.linalg.norm(s + a, axis=1),
        terminated=np.zeros(600, bool),
        truncated=np.zeros(600, bool),
        task_ids=np.zeros(600, int),
        episode_ids=np.arange(600),
    )
    est = dict(n_bootstrap=0, rng=0)
    by_record = EquivarianceDiscovery(**est).fit(data)
    by_arrays = EquivarianceDiscovery(**est).fit(s, a, s + a, data.rewards)
    assert by_record.dim_ == by_arrays.dim_
    np.testing.assert_array_equal(by_record.singular_values_, by_arrays.singular_values_)
