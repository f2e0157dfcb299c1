r"""Active test-time inference: choose the probing actions that tell the task element apart.

Random probing actions near the start state are nearly uninformative when every task is about
equally far from it (on the circle family, at the orbit's centre every goal gives the same
reward). Here every probing step plans ahead: for each open-loop plan over the remaining
steps (a candidate action held, or held and then turned to another half-way), it predicts
the rewards ``r_0(L^{-1} s'_t)`` along the plan for the elements L of the current posterior and
scores the plan by the expected squared error of the posterior mode after it (a pairwise
bound: L_i true loses to L_j with probability ``Q(|f_i - f_j| / (2 sigma))`` for Gaussian
reward noise); the first action of the best plan is taken and the plan is rebuilt after the
observed transition (receding horizon). Planning over the whole remaining budget matters on
the circle family: the reward's sensitivity to the goal angle at radius rho from the centre is
at most rho, so the informative transitions are the late ones far from the start, and a
straight run out of the centre leaves the goal's mirror image across the run indistinguishable
(a plan that turns tells them apart). One-step greedy variance probing dithered near the start
and made errors of 0.15-0.45 rad at sigma_r = 0.05-0.1 (``benchmarks/bench_active_inference``).

The posterior is a grid on the group (the grid of :class:`~liesym.manifolds.GroupInference`),
weighted by ``exp(-sum_k e_k^2 / (2 sigma^2))``; the final element is the least-squares
estimate on the probed transitions (the posterior mode), and its posterior spread (RMS
geodesic distance of the grid posterior to it) is reported.

Only the certified group, a model of the base reward (base-task data) and a model of the
dynamics (e.g. the linear fit of the system's transitions) are used: no oracle goal.
"""

from dataclasses import dataclass

import numpy as np
import scipy.special

from liesym._core import as_count, as_positive, as_rng
from liesym.manifolds._rotations import rotation_angles
from liesym.manifolds.group import CompactLieGroup
from liesym.manifolds.inference import GroupInference, _ChartModel, _grid, _losses

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
    horizon: int | None = None,
    n_turn: int = 12,
    support: int = 128,
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
    horizon : int, optional
        Steps each plan looks ahead (default: all remaining probing steps).
    n_turn : int, optional, default: 12
        Candidate actions (spread over the candidates) combined into plans that turn half-way;
        1 keeps only straight plans.
    support : int, optional, default: 128
        Posterior points (systematic resampling of the grid posterior) on which plans are
        scored; the cost of a step grows as its square.
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
    n_turn = as_count(n_turn, "n_turn")
    support = as_count(support, "support")
    if horizon is not None:
        horizon = as_count(horizon, "horizon")
    rng = as_rng(rng)
    model = _ChartModel(base_reward, group.chart_inverse)
    _, rots = _grid(group, n_candidates, rng)
    actions_c = _action_candidates(env.action_space, n_actions, rng)

    state, _ = env.reset(seed=seed)
    rec = {key: [] for key in ("states", "actions", "next_states", "rewards")}
    log_w = np.zeros(len(rots))
    spreads = []
    for step in range(k):
        h = k - step if horizon is None else min(horizon, k - step)
        plans = _plans(actions_c, h, n_turn)
        risk = _plan_risks(
            model, group, rots, log_w, state, plans, predict, noise_std, support, rng
        )
        action = plans[int(np.argmin(risk)), 0]
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


def _plans(actions: np.ndarray, h: int, n_turn: int) -> np.ndarray:
    """Open-loop plans (P, h, m): each action held for h steps, and turns half-way.

    The turns (one of ``n_turn`` spread-out candidate actions, then another) let the plan
    leave a straight line, whose mirror image across the line through the start can give
    the same rewards (on the circle family, a straight run out of the orbit's centre).
    """
    straight = np.repeat(actions[:, None], h, axis=1)
    if h < 2 or n_turn < 2:
        return straight
    sub = actions[np.linspace(0, len(actions) - 1, n_turn).astype(int)]
    i, j = np.nonzero(~np.eye(len(sub), dtype=bool))
    m = h // 2
    turns = np.concatenate(
        [np.repeat(sub[i][:, None], m, axis=1), np.repeat(sub[j][:, None], h - m, axis=1)], axis=1
    )
    return np.concatenate([straight, turns])


def _plan_risks(model, group, rots, log_w, state, plans, predict, noise_std, support, rng):
    """Expected squared error of each plan under the grid posterior (pairwise bound).

    The posterior is represented by ``support`` points drawn from it by systematic
    resampling (weights w_i). For a plan with predicted reward vectors f_i, the chance that
    element i, when true, loses to element j in the likelihood is ``Q(|f_i - f_j| / (2
    sigma))`` (Gaussian reward noise); the risk ``sum_ij w_i w_j Q(...) |R_i - R_j|_F^2``
    (squared chord, about twice the squared geodesic distance for small angles) is the union
    bound on the posterior mode's expected squared error over the support. It is
    deterministic given the support and counts distant confusions (mirrored modes) as well
    as the local precision.
    """
    w = np.exp(log_w - log_w.max())
    cum = np.cumsum(w / w.sum())
    pos = (rng.random() + np.arange(support)) / support
    idx, counts = np.unique(np.minimum(np.searchsorted(cum, pos), len(w) - 1), return_counts=True)
    p, r = counts / support, rots[idx]
    s = np.repeat(state[None], len(plans), 0)
    path = []
    for step in range(plans.shape[1]):
        s = np.asarray(predict(s, plans[:, step]))
        path.append(s)
    f = np.moveaxis(model.value((np.stack(path, 1) @ group.chart) @ r[:, None]), 0, 1)  # (P, C, h)
    sq = np.sum(f**2, -1)
    gap2 = sq[:, :, None] + sq[:, None, :] - 2 * np.einsum("pih,pjh->pij", f, f, optimize=True)
    confusion = scipy.special.ndtr(-np.sqrt(np.maximum(gap2, 0.0)) / (2 * noise_std))
    flat = r.reshape(len(r), -1)
    chord = np.maximum(2 * group.n - 2 * flat @ flat.T, 0.0) * np.outer(p, p)
    return np.einsum("pij,ij->p", confusion, chord)


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
