r"""Active test-time inference: choose the probing actions that tell the task element apart.

Random probing actions near the start state are nearly uninformative when every task is about
equally far from it (on the circle family, at the orbit's centre every goal gives the same
reward). Here each of the k probing steps takes the action whose predicted next state splits
the current posterior on the compact group the most: the posterior-weighted variance of the
predicted reward ``r_0(L^{-1} s')`` over the candidate elements L, which for Gaussian reward
noise of standard deviation sigma orders actions as the expected information
``0.5 log(1 + Var / sigma^2)`` does. The posterior is a grid on the group (the grid of
:class:`~liesym.manifolds.GroupInference`), weighted by ``exp(-sum_k e_k^2 / (2 sigma^2))``;
the final element is the least-squares estimate on the probed transitions, and its posterior
spread (RMS geodesic distance of the grid posterior to it) is reported.

Only the certified group, a model of the base reward (base-task data) and a model of the
dynamics (e.g. the linear fit of the system's transitions) are used: no oracle goal.
"""

from dataclasses import dataclass

import numpy as np

from liesym._core import as_count, as_positive, as_rng
from liesym.manifolds._rotations import rotation_angles, skew_exp
from liesym.manifolds.group import CompactLieGroup
from liesym.manifolds.inference import GroupInference, _candidates, _ChartModel, _losses

__all__ = ["ActiveProbe", "probe_actively"]


@dataclass(frozen=True)
class ActiveProbe:
    """The probed transitions of one task and the element inferred from them.

    Attributes
    ----------
    states, actions, next_states : ndarray, shape=[k, n]
    rewards : ndarray, shape=[k]
    element : ndarray, shape=[n, n]
        Least-squares estimate of L on the probed transitions.
    coordinates : ndarray, shape=[dim]
        Its exponential coordinates.
    spread : float
        Posterior RMS geodesic distance (radians) of the grid posterior to ``element``.
    spreads : ndarray, shape=[k]
        The same after each probing step (against the posterior mode then).

    Examples
    --------
    An unseen goal at 90 degrees, inferred from 4 probes chosen by :func:`probe_actively`:

    >>> from liesym.algebra import so
    >>> from liesym.envs import circle_tasks
    >>> from liesym.manifolds import CompactLieGroup, probe_actively
    >>> group = CompactLieGroup.from_algebra(so(2), np.eye(2))
    >>> env = circle_tasks().make_env(np.array([0.0, 1.0]))
    >>> def base(x):  # the base task's reward (goal at 0 degrees)
    ...     return -np.linalg.norm(x - np.array([1.0, 0.0]), axis=-1)
    >>> probe = probe_actively(env, group, base, lambda s, a: s + a, 4, noise_std=1e-3, seed=0)
    >>> round(float(np.degrees(np.arctan2(probe.element[1, 0], probe.element[0, 0]))), 3)
    90.0
    >>> probe.states.shape, probe.spreads.shape
    ((4, 2), (4,))
    """

    states: np.ndarray
    actions: np.ndarray
    next_states: np.ndarray
    rewards: np.ndarray
    element: np.ndarray
    coordinates: np.ndarray
    spread: float
    spreads: np.ndarray


def _action_candidates(space, count: int, rng) -> np.ndarray:
    """Zero, the box's faces and corners' directions, and random boundary points."""
    low, high = np.asarray(space.low, float), np.asarray(space.high, float)
    n = low.size
    dirs = [np.zeros(n), *np.eye(n), *(-np.eye(n))]
    dirs += list(rng.normal(size=(max(count - len(dirs), 0), n)))
    out = []
    for d in dirs:
        if not np.any(d):
            out.append(np.clip(np.zeros(n), low, high))
            continue
        # Largest step along d inside the box.
        with np.errstate(divide="ignore"):
            t = np.min(np.where(d > 0, high / d, np.where(d < 0, low / d, np.inf)))
        out.append(d * t)
    return np.asarray(out)


def probe_actively(
    env,
    group: CompactLieGroup,
    base_reward,
    predict,
    k: int,
    *,
    noise_std: float,
    n_actions: int = 32,
    n_candidates: int | None = None,
    seed: int | None = None,
    rng=None,
) -> ActiveProbe:
    """Probe an unseen task for k steps with informative actions, then infer its element.

    Parameters
    ----------
    env : gymnasium.Env
        The unseen task's environment (``reset``/``step``; a Box action space).
    group : CompactLieGroup
        The certified task group.
    base_reward : callable
        Model of the base reward on original coordinates, ``(N, n) -> (N,)`` (e.g. a
        :class:`~liesym.manifolds.RewardProfile` fitted to base-task data).
    predict : callable
        Model of the dynamics, ``(states (M, n), actions (M, m)) -> next states (M, n)``.
    k : int
        Probing steps (transitions).
    noise_std : float
        Standard deviation of the observed rewards around the model (e.g. the base model's
        residual on base data); sets the posterior's sharpness.
    n_actions : int, optional, default: 32
        Candidate actions per step (zero, the axes of the box, random directions, each scaled
        to the box's boundary).
    n_candidates : int, optional
        Grid size on the group (default: that of :class:`GroupInference`).
    seed : int, optional
        Seed of the first ``env.reset`` (episodes that end are reset without a seed).
    rng : None, int or Generator
        Candidate actions and the group grid.

    Returns
    -------
    ActiveProbe

    Examples
    --------
    >>> from liesym.algebra import so
    >>> from liesym.envs import circle_tasks
    >>> family = circle_tasks(reward_noise=0.05)
    >>> group = CompactLieGroup.from_algebra(so(2), np.eye(2))
    >>> g0 = np.array([1.0, 0.0])
    >>> def base(x):
    ...     return -np.linalg.norm(x - g0, axis=-1)
    >>> t = 1.0
    >>> env = family.make_env(np.array([np.cos(t), np.sin(t)]))
    >>> res = probe_actively(env, group, base, lambda s, a: s + a, 10, noise_std=0.05,
    ...                      seed=0, rng=0)
    >>> bool(abs(np.arctan2(res.element[1, 0], res.element[0, 0]) - t) < 0.1)
    True
    """
    if not isinstance(group, CompactLieGroup):
        raise TypeError(f"group: expected a CompactLieGroup, got {type(group).__name__}")
    if not callable(base_reward) or not callable(predict):
        raise TypeError("base_reward, predict: expected callables")
    k = as_count(k, "k")
    noise_std = as_positive(noise_std, "noise_std")
    n_actions = as_count(n_actions, "n_actions")
    rng = as_rng(rng)
    model = _ChartModel(base_reward, group.chart_inverse)
    count = n_candidates or (720 if group.dim == 1 else 1024 * group.dim)
    grid = _candidates(group, count, rng)
    rots = skew_exp(np.tensordot(grid, group._unit_basis, axes=([-1], [0])))
    actions_c = _action_candidates(env.action_space, n_actions, rng)

    state, _ = env.reset(seed=seed)
    rec = {key: [] for key in ("states", "actions", "next_states", "rewards")}
    log_w = np.zeros(len(rots))
    spreads = []
    for _ in range(k):
        w = np.exp(log_w - log_w.max())
        w /= w.sum()
        nxt = np.asarray(predict(np.repeat(state[None], len(actions_c), 0), actions_c))
        pred = model.value((nxt @ group.chart) @ rots)  # (C grid, A actions)
        mean = w @ pred
        score = w @ (pred - mean) ** 2
        action = actions_c[int(np.argmax(score))]
        new_state, reward, terminated, truncated, _ = env.step(action)
        for key, v in zip(rec, (state, action, new_state, reward), strict=True):
            rec[key].append(np.array(v, dtype=np.float64))
        e, _ = _losses(model, (np.asarray(new_state) @ group.chart)[None], np.array([reward]), rots)
        log_w -= e[:, 0] ** 2 / (2 * noise_std**2)
        spreads.append(_spread(group, rots, log_w, rots[np.argmax(log_w)]))
        state = new_state
        if terminated or truncated:
            state, _ = env.reset()
    data = {key: np.stack(v) for key, v in rec.items()}
    est = GroupInference(group, base_reward=base_reward, rng=rng).fit(
        (data["next_states"], data["rewards"])
    )
    spread = _spread(group, rots, log_w, group.to_chart(est.element_))
    return ActiveProbe(
        **data,
        element=est.element_,
        coordinates=est.coordinates_,
        spread=spread,
        spreads=np.asarray(spreads),
    )


def _spread(group: CompactLieGroup, rots, log_w, centre) -> float:
    """Posterior RMS geodesic distance of the grid elements to ``centre`` (chart rotation).

    Closed form on the chart rotations (the bi-invariant distance ``sqrt(sum t_j^2 / 2)`` of
    the relative rotation's angles): one eigenvalue problem per grid element, no logm.
    """
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    keep = w > 1e-12
    rel = np.swapaxes(rots[keep], -1, -2) @ centre
    d2 = np.sum(rotation_angles(rel) ** 2, axis=-1) / 2.0
    return float(np.sqrt(np.sum(w[keep] * d2)))
