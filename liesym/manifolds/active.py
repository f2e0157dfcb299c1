r"""Active test-time inference: choose the probing actions that tell the task element apart.

Random probing actions near the start state are nearly uninformative when every task is about
equally far from it (on the circle family, at the orbit's centre every goal gives the same
reward). Here every probing step plans ahead: for each open-loop plan over the remaining
steps (a candidate action held, or held and then turned to another half-way), it predicts
the rewards ``r_0(L^{-1} s'_t)`` along the plan for the elements L of the current posterior and
scores the plan by its Bayes risk: the expected squared distance of the posterior after the
plan to the true element, averaged over the posterior's elements taken as the truth and over
simulated reward noise (Monte Carlo with the same draws for every plan). This values local
precision (a pass where the reward changes fast with the element: on the circle family,
beside the goal rather than straight at it, Fisher information ``(dr/dtheta)^2``) as well as
telling distant elements (mirrored modes) apart; a pairwise union bound over confusions,
weighted by the squared chord between them, valued the far ones almost only. The first action
of the best plan is taken and the plan is rebuilt after the observed transition (receding
horizon); only plans whose first step does not move toward the orbit's centre are considered
(the reward's sensitivity to the element there is at most the distance from it). When the
env's termination radius is given, a simulated episode ends where the plan comes that close
to the goal of the element taken as the truth, and the steps after it (a reset to the start)
count as uninformative, so plans pass beside the goal instead of into it.

The posterior is a grid on the group (the grid of :class:`~liesym.manifolds.GroupInference`),
weighted by ``exp(-sum_k e_k^2 / (2 sigma^2))``; the final element is the least-squares
estimate on the probed transitions (the posterior mode), and its posterior spread (RMS
geodesic distance of the grid posterior to it) is reported.

Only the certified group, a model of the base reward (base-task data), a model of the dynamics
(e.g. the linear fit of the system's transitions) and, optionally, the env's termination radius
(one rule for every task) are used: no oracle goal.
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
    horizon: int | None = None,
    n_turn: int = 12,
    support: int = 64,
    draws: int = 8,
    termination_radius: float | None = None,
    outward: bool = True,
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
    support : int, optional, default: 64
        Posterior points (systematic resampling of the grid posterior) on which plans are
        scored; the cost of a step grows as its square.
    draws : int, optional, default: 8
        Simulated reward-noise vectors per posterior point (the same for every plan).
    termination_radius : float, optional
        The env's termination radius in the base reward's invariant (task distance); needs
        ``base_reward.invariant`` (a :class:`~liesym.manifolds.RewardProfile`). Plans then
        count no information after a simulated episode ends. ``None`` ignores termination.
    outward : bool, optional, default: True
        Consider only plans whose predicted first step does not approach the orbit's centre
        (the origin of the group's chart).
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
    draws = as_count(draws, "draws")
    terminal = None
    if termination_radius is not None:
        termination_radius = as_positive(termination_radius, "termination_radius")
        invariant = getattr(base_reward, "invariant", None)
        if not callable(invariant):
            raise TypeError(
                "termination_radius: needs a base_reward with an invariant(x) method (the task "
                "distance, e.g. a RewardProfile)"
            )

        def terminal(x):
            return np.asarray(invariant(x)) < termination_radius

    if horizon is not None:
        horizon = as_count(horizon, "horizon")
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
    for step in range(k):
        h = k - step if horizon is None else min(horizon, k - step)
        plans = _plans(actions_c, h, n_turn)
        if outward:  # first steps away from the orbit's centre (the origin of the chart)
            ahead = np.asarray(predict(np.repeat(state[None], len(plans), 0), plans[:, 0]))
            out = np.linalg.norm(ahead @ group.chart, axis=-1) >= np.linalg.norm(
                state @ group.chart
            )
            plans = plans[out] if out.any() else plans
        risk = _plan_risks(
            model, group, rots, log_w, state, plans, predict, noise_std, support, draws,
            terminal, rng,
        )  # fmt: skip
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


def _plan_risks(
    model, group, rots, log_w, state, plans, predict, noise_std, support, draws, terminal, rng
):
    """Bayes risk of each plan: expected posterior squared chord after it (Monte Carlo).

    The posterior is represented by ``support`` points drawn from it by systematic
    resampling (weights p_i). For every support point i taken as the truth, ``draws`` reward
    noise vectors e (the same for every plan: common random numbers, so plans are compared
    on the same outcomes) give the outcome ``y = f_i + e`` of a plan with predicted rewards
    f_i; the posterior after it, ``q_j(y) ~ p_j exp(-|y - f_j|^2 / (2 sigma^2))``, is scored
    by ``sum_j q_j |R_i - R_j|_F^2`` (squared chord, about twice the squared geodesic
    distance), averaged over i and e. Unlike a pairwise bound, this values local precision
    (a pass where the reward changes fast with the element) as well as telling distant
    elements (mirrored modes) apart.

    With ``terminal`` set, the plan's episode ends under truth i at the first step whose
    predicted reward reaches it (the env's termination), and the steps after it (a reset:
    back at the start, where every element predicts about the same reward) carry no
    information: they are left out of that outcome's likelihood.
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
    # the path seen from the base task under each element: x = R_i^T s in the chart
    x = ((np.stack(path, 1) @ group.chart) @ r[:, None]) @ group.chart_inverse  # (C, P, h, n)
    f = np.moveaxis(model._call(x), 0, 1)  # (P, C, h)
    h = f.shape[-1]
    if terminal is None:
        mask = np.ones_like(f)
    else:  # observed up to and including the step that ends the episode
        inside = np.moveaxis(terminal(x), 0, 1)
        mask = (np.cumsum(inside, axis=-1) - inside == 0).astype(float)
    flat = r.reshape(len(r), -1)  # chord |R_i - R_j|_F^2 = 2n - 2 <R_i, R_j>: matrix products
    noise = noise_std * rng.standard_normal((len(r), draws, h))  # (C, M, h), shared by plans
    log_p = np.log(p)
    out = np.empty(len(plans))
    for lo in range(0, len(plans), 16):  # (chunk, C, M, C) arrays
        fc, mc = f[lo : lo + 16], mask[lo : lo + 16]
        ft = np.swapaxes(fc, 1, 2)
        # -|y - f_j|^2 / 2 over the observed steps of truth i, up to terms constant in j
        fit = (mc * fc) @ ft - 0.5 * (mc @ ft**2)  # (chunk, C, C)
        eps = (noise[None] * mc[:, :, None]).reshape(len(fc), -1, h)  # (chunk, C * M, h)
        cross = (eps @ ft).reshape(len(fc), len(r), draws, len(r))
        logit = (fit[:, :, None] + cross) / noise_std**2 + log_p
        logit -= logit.max(-1, keepdims=True)
        q = np.exp(logit, out=logit)
        q /= q.sum(-1, keepdims=True)
        inner = np.einsum("pimk,ik->pi", q @ flat, flat) / draws  # mean over draws
        out[lo : lo + 16] = (2 * group.n - 2 * inner) @ p
    return out


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
