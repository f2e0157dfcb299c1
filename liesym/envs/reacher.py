r"""MuJoCo Reacher-v5, unmodified, with the target fixed per task: a family nobody here wrote.

The only liesym module that imports ``mujoco`` (the optional extra ``liesym-hgrl[mujoco]``,
i.e. ``gymnasium[mujoco]``); it is imported when :func:`reacher_tasks` is first called.

Facts (measured, see ``reference/realism_facts.md``): the observation is
``[cos q0, cos q1, sin q0, sin q1, target_x, target_y, dq0, dq1, (tip - target)_x,
(tip - target)_y]``; rotating the scene (``q0 -> q0 + t``, target rotated by t) is an exact
symmetry, linear on observations (the rotation R(t) on the pairs (0, 2), (4, 5), (8, 9),
identity elsewhere) and trivial on the torques. Reacher's own reset starts the arm near
``q = 0``, so its start law is not rotation-invariant.

:class:`ReacherBatch` steps many copies of the model in one process through ``mujoco.mj_step``
directly (about 2.5x the Gymnasium wrapper's throughput) with the same reset law, the same
observation and the same reward as ``gymnasium.make("Reacher-v5")`` to float precision
(a test checks it).
"""

import numpy as np

from liesym._core import as_count, as_finite_array, as_positive
from liesym.algebra import Representation
from liesym.envs.batch import BatchEnv
from liesym.envs.family import GymnasiumFamily

REACHER_ID = "Reacher-v5"
_PAIRS = ((0, 2), (4, 5), (8, 9))  # observation coordinates rotated together


def reacher_representation() -> Representation:
    """Rotations of the scene about the arm's base: R(t) on the pairs (0, 2), (4, 5), (8, 9).

    Actions (joint torques) are invariant.

    Examples
    --------
    >>> rep = reacher_representation()
    >>> rep.dim, rep.state_dim, rep.action_dim
    (1, 10, None)
    """
    w = np.zeros((10, 10))
    for i, j in _PAIRS:
        w[j, i], w[i, j] = 1.0, -1.0
    return Representation(w[None])


def _import_mujoco():
    try:
        import mujoco
    except ImportError as err:  # pragma: no cover - the extra is installed in CI
        raise ImportError(
            'reacher_tasks needs MuJoCo: pip install "liesym-hgrl[mujoco]" (gymnasium[mujoco])'
        ) from err
    return mujoco


def _make_reacher(target, **kwargs):
    import gymnasium as gym

    _import_mujoco()

    class FixedTarget(gym.Wrapper):
        """Reacher-v5 whose reset puts the target at a fixed point (the task)."""

        def __init__(self, env, target):
            super().__init__(env)
            self.target = np.asarray(target, dtype=np.float64)

        def reset(self, *, seed=None, options=None):
            _, info = self.env.reset(seed=seed, options=options)
            inner = self.env.unwrapped
            qpos, qvel = inner.data.qpos.copy(), inner.data.qvel.copy()
            qpos[2:4] = self.target
            qvel[2:4] = 0.0
            inner.set_state(qpos, qvel)
            return inner._get_obs(), info

    return FixedTarget(gym.make(REACHER_ID, **kwargs), target)


def _set_start(env, observation) -> np.ndarray:
    """Arm angles and velocities from an observation; the target stays the task's."""
    obs = as_finite_array(observation, "observation", ndim=1)
    inner = env.unwrapped
    qpos, qvel = inner.data.qpos.copy(), inner.data.qvel.copy()
    qpos[:2] = np.arctan2(obs[[2, 3]], obs[[0, 1]])
    qvel[:2] = obs[6:8]
    qvel[2:4] = 0.0
    inner.set_state(qpos, qvel)
    return inner._get_obs()


class ReacherBatch(BatchEnv):
    """Copies of Reacher-v5 (fixed targets) stepped by ``mujoco.mj_step``, batch axis first.

    Parameters
    ----------
    targets : array-like, shape=[B, 2]
        The target of each copy.
    reward_control_weight : float, optional
        As ``gymnasium.make("Reacher-v5", reward_control_weight=...)``; the env's default
        otherwise.
    """

    def __init__(self, targets, *, reward_control_weight: float | None = None) -> None:
        mujoco = _import_mujoco()
        targets = as_finite_array(targets, "targets", ndim=2)
        if targets.shape[1] != 2:
            raise ValueError(f"targets: expected shape (B, 2), got {targets.shape}")
        kwargs = (
            {}
            if reward_control_weight is None
            else {"reward_control_weight": reward_control_weight}
        )
        template = _make_reacher(targets[0], **kwargs)
        inner = template.unwrapped
        self._mujoco = mujoco
        self.model = inner.model
        self.frame_skip = int(inner.frame_skip)
        self.max_steps = int(template.spec.max_episode_steps) if template.spec else 50
        self.w_dist = float(inner._reward_dist_weight)
        self.w_ctrl = float(inner._reward_control_weight)
        self.init_qpos = inner.init_qpos.copy()
        self.init_qvel = inner.init_qvel.copy()
        self._tip = self.model.body("fingertip").id
        self._target = self.model.body("target").id
        self.low = np.asarray(inner.action_space.low, dtype=np.float64)
        self.high = np.asarray(inner.action_space.high, dtype=np.float64)
        template.close()
        self.targets = targets
        self.n_envs = targets.shape[0]
        self.observation_dim, self.action_dim = 10, 2
        self.datas = [mujoco.MjData(self.model) for _ in range(self.n_envs)]
        self._clock = np.zeros(self.n_envs, dtype=np.int64)

    def _obs(self) -> np.ndarray:
        q = np.array([d.qpos for d in self.datas])
        v = np.array([d.qvel for d in self.datas])
        x = np.array([d.xpos for d in self.datas])
        tip = (x[:, self._tip] - x[:, self._target])[:, :2]
        return np.concatenate([np.cos(q[:, :2]), np.sin(q[:, :2]), q[:, 2:4], v[:, :2], tip], 1)

    def reset(self, seeds, *, moves=None) -> np.ndarray:
        """Reacher's own reset law from each seed (as ``env.reset(seed=...)``), target fixed.

        ``moves`` rotate the arm's start state (not the target): the symmetrised start law.
        """
        mj = self._mujoco
        seeds = np.asarray(seeds)
        if seeds.shape != (self.n_envs,):
            raise ValueError(f"seeds: expected shape ({self.n_envs},), got {seeds.shape}")
        for i, d in enumerate(self.datas):
            rng = np.random.default_rng(int(seeds[i]))
            qpos = rng.uniform(-0.1, 0.1, size=self.model.nq) + self.init_qpos
            while True:  # the env's goal draw, kept so that the random stream matches
                goal = rng.uniform(-0.2, 0.2, size=2)
                if np.linalg.norm(goal) < 0.2:
                    break
            qvel = self.init_qvel + rng.uniform(-0.005, 0.005, size=self.model.nv)
            qpos[2:4] = self.targets[i]
            qvel[2:4] = 0.0
            mj.mj_resetData(self.model, d)
            d.qpos[:] = qpos
            d.qvel[:] = qvel
            mj.mj_forward(self.model, d)
        self._clock[:] = 0
        obs = self._obs()
        if moves is None:
            return obs
        from liesym.algebra.affine import act

        moved = act(np.asarray(moves, dtype=np.float64), obs)
        for i, d in enumerate(self.datas):
            d.qpos[:2] = np.arctan2(moved[i, [2, 3]], moved[i, [0, 1]])
            d.qvel[:2] = moved[i, 6:8]
            mj.mj_forward(self.model, d)
        return self._obs()

    def step(self, actions, active=None):
        """See :meth:`BatchEnv.step` (``truncated`` after the 50-step time limit)."""
        mj = self._mujoco
        a = self.clip(actions)
        active = np.ones(self.n_envs, dtype=bool) if active is None else np.asarray(active)
        model, skip, step = self.model, self.frame_skip, mj.mj_step
        for i in np.flatnonzero(active):
            d = self.datas[i]
            d.ctrl = a[i]
            step(model, d, skip)
        obs = self._obs()
        dist = np.linalg.norm(obs[:, 8:10], axis=1)
        rewards = np.where(active, -self.w_dist * dist - self.w_ctrl * np.sum(a**2, axis=1), 0.0)
        self._clock += active
        truncated = active & (self._clock >= self.max_steps)
        return obs, rewards, np.zeros(self.n_envs, dtype=bool), truncated, a


class ReacherFamily(GymnasiumFamily):
    """Reacher-v5 with targets on a circle; a :class:`GymnasiumFamily` with a MuJoCo fast path.

    Tasks are target points (2,). Made by :func:`reacher_tasks`.
    """

    def __init__(self, train_targets, test_targets, *, reward_control_weight=None, name="reacher"):
        kwargs = (
            {}
            if reward_control_weight is None
            else {"reward_control_weight": reward_control_weight}
        )
        rep = reacher_representation()
        rate = float(rep.state.basis[0][2, 0])  # rotation angle per unit coordinate

        def ground_truth(target):
            t = np.asarray(target, dtype=np.float64)
            return np.array([np.arctan2(t[1], t[0]) / rate])

        def angle(a, b):
            d = np.arctan2(b[1], b[0]) - np.arctan2(a[1], a[0])
            return float(np.abs((d + np.pi) % (2 * np.pi) - np.pi))

        super().__init__(
            lambda target: _make_reacher(target, **kwargs),
            [np.asarray(t, dtype=np.float64) for t in train_targets],
            [np.asarray(t, dtype=np.float64) for t in test_targets],
            representation=rep,
            name=name,
            task_distance=angle,
            ground_truth=ground_truth,
            set_start=_set_start,
        )
        self.reward_control_weight = reward_control_weight

    def batch(self, tasks, copies: int = 1) -> ReacherBatch:
        """The MuJoCo fast path: ``copies`` episodes of each target, task-major."""
        copies = as_count(copies, "copies")
        targets = np.repeat(np.asarray([np.asarray(t) for t in tasks], dtype=np.float64), copies, 0)
        return ReacherBatch(targets, reward_control_weight=self.reward_control_weight)


def reacher_tasks(
    radius: float = 0.15,
    n_test: int = 36,
    *,
    train_angles=(0.0, np.pi / 8),
    reward_control_weight: float | None = None,
) -> ReacherFamily:
    """MuJoCo Reacher-v5 with the target fixed per task on a circle about the arm's base.

    Parameters
    ----------
    radius : float, optional, default: 0.15
        Distance of the targets from the base (the arm reaches 0.21).
    n_test : int, optional, default: 36
        Test targets at the evenly spaced angles ``2 pi j / n_test``.
    train_angles : sequence of float, optional, default: (0, pi/8)
        Angles of the training targets, base target first. Close together by default: the
        family tests transfer far from everything trained on.
    reward_control_weight : float, optional
        Passed to ``gymnasium.make`` (the env's own default otherwise).

    Returns
    -------
    ReacherFamily
        With the declared representation (:func:`reacher_representation`), the angle between
        targets as task distance, ``set_start`` (arm state from an observation) and the
        rotation coordinates of each target as evaluation-only ground truth.

    Examples
    --------
    >>> fam = reacher_tasks(n_test=4)
    >>> fam.observation_dim, fam.action_dim, len(fam.test_tasks)
    (10, 2, 4)
    """
    radius = as_positive(radius, "radius")
    if radius >= 0.2:
        raise ValueError(f"radius: Reacher targets must lie within 0.2 of the base, got {radius}")
    n_test = as_count(n_test, "n_test")
    angles = as_finite_array(train_angles, "train_angles", ndim=1)
    if angles.size < 1:
        raise ValueError("train_angles: expected at least the base angle")

    def at(t):
        return radius * np.stack([np.cos(t), np.sin(t)], axis=-1)

    test = at(2.0 * np.pi * np.arange(n_test) / n_test)
    return ReacherFamily(at(angles), test, reward_control_weight=reward_control_weight)
