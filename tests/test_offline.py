"""Offline datasets: a Minari dataset written with Minari's own DataCollector is read back
episode by episode, and the family's symmetries are discovered from it chunk by chunk."""

import gc
import warnings

import numpy as np
import pytest

minari = pytest.importorskip("minari")
pytest.importorskip("h5py")  # minari's HDF5 storage
pytest.importorskip("jax")  # minari's DataCollector

import gymnasium as gym  # noqa: E402

from liesym.algebra import grassmann_distance  # noqa: E402
from liesym.data import iter_minari, load_minari  # noqa: E402
from liesym.discovery import DifferentialDiscovery, DynamicsSymmetryDiscovery  # noqa: E402
from liesym.envs import circle_tasks  # noqa: E402

DATASET = "liesym/circle-random-v0"


class GoalInfo(gym.Wrapper):
    """Report the task parameter (the goal) in the infos, with the same keys at reset."""

    def _info(self, info, obs):
        goal = self.env.unwrapped.goal.copy()
        return {
            "applied_action": info.get("applied_action", np.zeros_like(obs)),
            "distance": float(info.get("distance", np.linalg.norm(obs - goal))),
            "goal": goal,
        }

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        return obs, self._info(info, obs)

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        return obs, reward, terminated, truncated, self._info(info, obs)


def _collect(env, dataset_id: str, n_episodes: int, seed: int):
    collector = minari.DataCollector(env, record_infos=True)
    collector.action_space.seed(seed)
    for episode in range(n_episodes):
        collector.reset(seed=seed + episode)
        done = False
        while not done:
            _, _, terminated, truncated, _ = collector.step(collector.action_space.sample())
            done = terminated or truncated
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # no env spec registered
        # minari replaces and drops its TemporaryDirectory objects without cleanup().
        warnings.simplefilter("ignore", ResourceWarning)
        ds = collector.create_dataset(
            dataset_id,
            algorithm_name="uniform random policy",
            author="liesym tests",
            author_email="tests@liesym.invalid",
            code_permalink="tests/test_offline.py",
            ref_min_score=-1.0,
            ref_max_score=0.0,
        )
        collector.close()
        del collector
        gc.collect()
    return ds


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("MINARI_DATASETS_PATH", str(tmp_path_factory.mktemp("minari")))
    family = circle_tasks()
    ds = _collect(GoalInfo(family.make_env()), DATASET, n_episodes=60, seed=0)
    yield family, ds
    mp.undo()


def test_episodes_are_read_back_as_transitions(dataset):
    family, ds = dataset
    data = load_minari(DATASET, task_key="goal")
    assert len(data) == ds.total_steps
    assert set(np.unique(data.episode_ids)) == set(ds.episode_indices.tolist())
    # Within an episode the next state is the following state; rewards are -|s' - g|.
    same = data.episode_ids[1:] == data.episode_ids[:-1]
    np.testing.assert_array_equal(data.next_states[:-1][same], data.states[1:][same])
    np.testing.assert_allclose(
        data.rewards, -np.linalg.norm(data.next_states - family.base_goal, axis=1)
    )
    # Applied actions come from the infos: the projection of the recorded ones onto the disc.
    a_max = family.make_env().dynamics.a_max
    assert np.all(np.linalg.norm(data.actions, axis=1) <= a_max * (1 + 1e-12))
    raw_norm = np.linalg.norm(data.raw_actions, axis=1, keepdims=True)
    np.testing.assert_allclose(data.actions, data.raw_actions * np.minimum(1.0, a_max / raw_norm))
    np.testing.assert_array_equal(data.tasks, family.base_goal[None])
    assert data.to_transitions().n_tasks == 1


def test_reads_resume_at_the_next_episode(dataset):
    _, ds = dataset
    chunks = list(iter_minari(DATASET, chunk_size=1_000))
    assert len(chunks) > 1
    resumed = list(iter_minari(DATASET, chunk_size=1_000, start=chunks[0].next_start))
    np.testing.assert_array_equal(
        np.concatenate([c.states for c in resumed]),
        np.concatenate([c.states for c in chunks[1:]]),
    )
    assert chunks[-1].next_start == ds.total_episodes


def test_symmetries_are_discovered_from_the_dataset_in_chunks(dataset):
    family, _ = dataset
    reward = DifferentialDiscovery(affine=True, chunk_size=2_000).fit(
        iter_minari(DATASET, chunk_size=500)
    )
    assert reward.stats_.n_chunks > 1
    assert reward.dim_ == 1
    # The rotation about the goal: measured 3e-3 (in memory 1.5e-3) from ~6,000 transitions.
    assert grassmann_distance(reward.algebra_, family.base_symmetry_algebra) < 0.02
    np.testing.assert_allclose(reward.fixed_point_, family.base_goal, atol=0.02)
    dynamics = DynamicsSymmetryDiscovery(chunk_size=2_000).fit(iter_minari(DATASET, chunk_size=500))
    assert dynamics.dim_ == 1
    assert grassmann_distance(dynamics.algebra_, family.system_algebra) < 0.05


def test_missing_and_malformed_datasets_are_named(dataset, tmp_path):
    with pytest.raises(ValueError, match="no local Minari dataset"):
        next(iter_minari("liesym/not-there-v0"))
    with pytest.raises(ValueError, match="task_key: episode 0 has no 'target'"):
        next(iter_minari(DATASET, task_key="target"))
    with pytest.raises(ValueError, match="observation_key"):
        next(iter_minari(DATASET, observation_key="observation"))
    with pytest.raises(TypeError, match="dataset"):
        next(iter_minari(42))

    class NanReward(GoalInfo):
        def step(self, action):
            obs, reward, terminated, truncated, info = super().step(action)
            return (
                obs,
                float("nan") if self.env.unwrapped.elapsed_steps == 3 else reward,
                terminated,
                truncated,
                info,
            )

    family = circle_tasks()
    _collect(NanReward(family.make_env()), "liesym/circle-nan-v0", n_episodes=2, seed=0)
    with pytest.raises(ValueError, match="episode 0: rewards: contains NaN"):
        next(iter_minari("liesym/circle-nan-v0"))
