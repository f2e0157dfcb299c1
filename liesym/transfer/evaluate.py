"""Regret against distance from the training tasks: hereditary transfer beside its baselines.

Every method is a factory ``goal -> Policy``. :func:`regret_curve` rolls all of them out on
evenly spread test tasks with common random numbers (the same start states and noise per
seed and task for every method), and reports per method, seed and task the return, the
regret ``R_oracle - R`` and the normalised score ``(R - R_random) / (R_oracle - R_random)``
against the geodesic distance of the task from the nearest training task.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.stats

from liesym._core import as_count, as_rng
from liesym._core import progress as progress_bar
from liesym.envs.family import GymnasiumFamily
from liesym.envs.navigation import TaskFamily
from liesym.policies.base import BoxRandomPolicy, Policy, RandomPolicy
from liesym.policies.cem import CEMTrainer
from liesym.policies.episodes import evaluate_policies
from liesym.policies.rollout import rollout, rollout_noise
from liesym.transfer.contrastive import ContrastiveMetaPolicy
from liesym.transfer.hereditary import TrackingHereditaryPolicy, hereditary_policies

REFERENCE_METHODS = ("oracle", "random")
"""Methods every :class:`RegretCurve` carries: the per-task oracle (score 1) and random (0)."""


def _check_family(family) -> TaskFamily:
    if not isinstance(family, TaskFamily):
        raise ValueError(f"family: expected a TaskFamily, got {type(family).__name__}")
    return family


def task_distance(family: TaskFamily, goals, others) -> np.ndarray:
    """Pairwise geodesic distances between the tasks of two sets of goals.

    The angle difference wrapped to ``[0, pi]`` for circle and ellipse families (in the
    family's angle chart), the great-circle angle for the sphere, ``|t - t'|`` for the line.

    Parameters
    ----------
    family : TaskFamily
    goals : array-like, shape=[A, n]
    others : array-like, shape=[B, n]

    Returns
    -------
    ndarray, shape=[A, B]

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> fam = circle_tasks()
    >>> task_distance(fam, fam.test_goals(4), fam.goal_at([0.0, np.pi])).round(4)
    array([[0.    , 3.1416],
           [1.5708, 1.5708],
           [3.1416, 0.    ],
           [1.5708, 1.5708]])
    """
    family = _check_family(family)
    return family.pairwise_distance(goals, others)


def nearest_task_policies(
    family: TaskFamily | None,
    train_goals,
    train_policies: Sequence[Policy],
    *,
    element_of: Callable | None = None,
    train_elements=None,
    distance: Callable | None = None,
) -> Callable[[np.ndarray], Policy]:
    """A factory ``task -> policy of the nearest training task`` (reuse without transfer).

    Parameters
    ----------
    family : TaskFamily or None
        Without ``element_of``: its :func:`task_distance` picks the nearest training task
        (true task parameters: evaluation only).
    train_goals : array-like, shape=[T, n], or sequence of tasks
    train_policies : sequence of Policy
        One per training task.
    element_of : callable, optional
        ``task -> inferred group element``: then the training task whose *inferred* element
        ``train_elements[i]`` is nearest (by ``distance``) is picked: no privileged task
        parameter is used.
    train_elements : array-like, shape=[T, ...], optional
        Inferred elements of the training tasks.
    distance : callable, optional
        ``distance(a, b) -> array`` between elements (e.g. ``CompactLieGroup.dist``).

    Returns
    -------
    callable

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> from liesym.policies import GoalSeekingPolicy
    >>> fam = circle_tasks()
    >>> goals = fam.goal_at([0.0, np.pi])
    >>> seekers = [GoalSeekingPolicy(g, fam.dynamics) for g in goals]
    >>> pick = nearest_task_policies(fam, goals, seekers)
    >>> pick([-0.6, 0.8]).goal.round(12) + 0.0
    array([-1.,  0.])
    """
    pols = list(train_policies)
    if not all(isinstance(p, Policy) for p in pols):
        raise ValueError("train_policies: expected Policy objects (with act(states))")
    if element_of is not None:
        if train_elements is None or distance is None:
            raise ValueError("train_elements, distance: required with element_of")
        elements = np.asarray(train_elements, dtype=np.float64)
        if len(elements) != len(pols):
            raise ValueError(
                f"train_policies: expected {len(elements)} policies (one per training element)"
            )

        def pick_by_element(task) -> Policy:
            d = np.asarray(distance(elements, element_of(task)), dtype=np.float64)
            return pols[int(np.argmin(d))]

        return pick_by_element
    family = _check_family(family)
    goals = family.check_goals(train_goals, "train_goals")
    if len(pols) != goals.shape[0]:
        raise ValueError(
            f"train_policies: expected {goals.shape[0]} policies (one per training goal), "
            f"got {len(pols)}"
        )

    def pick(goal) -> Policy:
        return pols[int(np.argmin(task_distance(family, goal, goals)[0]))]

    return pick


@dataclass(frozen=True, eq=False)
class CurveBand:
    """Mean over seeds and confidence band of a metric per test task (arrays of shape (m,)).

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> from liesym.policies import GoalSeekingPolicy
    >>> from liesym.transfer import regret_curve
    >>> fam = circle_tasks()
    >>> seek = lambda g: GoalSeekingPolicy(g, fam.dynamics)
    >>> curve = regret_curve(fam, {"seek": seek}, fam.test_goals(4), fam.train_goals(1),
    ...                      n_episodes=8, seeds=2, oracle=seek)
    >>> band = curve.band("seek", "score")  # mean and 95% band over the seeds, per task
    >>> band.mean, bool(np.all(band.lower <= band.mean)), bool(np.all(band.mean <= band.upper))
    (array([1., 1., 1., 1.]), True, True)
    """

    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


@dataclass(frozen=True, eq=False)
class RegretCurve:
    """Returns, regret and normalised score of transfer methods across the task space.

    Attributes
    ----------
    family : str
        Name of the task family.
    methods : tuple of str
        The evaluated methods, then ``"oracle"`` and ``"random"``.
    test_goals : ndarray, shape=[m, n]
    train_goals : ndarray, shape=[k, n]
    distance : ndarray, shape=[m]
        Geodesic distance of each test task from the nearest training task.
    seeds : tuple of int
        Evaluation seeds (start states and noise, shared by all methods).
    n_episodes : int
        Episodes per seed and task.
    returns : ndarray, shape=[M, S, m]
        Mean return over the episodes, per method, seed and test task.
    success : ndarray, shape=[M, S, m]
        Fraction of episodes that reached the goal.
    regret : ndarray, shape=[M, S, m]
        ``R_oracle - R`` (same seed and task).
    score : ndarray, shape=[M, S, m]
        ``(R - R_random) / (R_oracle - R_random)``: 1 for the oracle, 0 for random.
    level : float
        Confidence level of :meth:`band` (t-interval over seeds).

    Examples
    --------
    A policy that knows every goal scores 1 against itself as the oracle; the random
    reference scores 0 by definition:

    >>> from liesym.envs import circle_tasks
    >>> from liesym.policies import GoalSeekingPolicy
    >>> from liesym.transfer import regret_curve
    >>> fam = circle_tasks()
    >>> seek = lambda g: GoalSeekingPolicy(g, fam.dynamics)
    >>> curve = regret_curve(fam, {"seek": seek}, fam.test_goals(4), fam.train_goals(1),
    ...                      n_episodes=8, seeds=2, oracle=seek)
    >>> curve
    RegretCurve(family='circle', methods=('seek', 'oracle', 'random'), tasks=4, seeds=2)
    >>> curve.score.shape  # (method, seed, test task)
    (3, 2, 4)
    >>> bool(np.allclose(curve.score[curve.index("seek")], 1.0))
    True
    """

    family: str
    methods: tuple[str, ...]
    test_goals: np.ndarray
    train_goals: np.ndarray
    distance: np.ndarray
    seeds: tuple[int, ...]
    n_episodes: int
    returns: np.ndarray
    success: np.ndarray
    regret: np.ndarray
    score: np.ndarray
    level: float = 0.95

    def __repr__(self) -> str:
        return (
            f"RegretCurve(family={self.family!r}, methods={self.methods}, "
            f"tasks={self.test_goals.shape[0]}, seeds={len(self.seeds)})"
        )

    def index(self, method: str) -> int:
        """Position of ``method`` in :attr:`methods`."""
        if method not in self.methods:
            raise ValueError(f"method: expected one of {self.methods}, got {method!r}")
        return self.methods.index(method)

    @property
    def relative_regret(self) -> np.ndarray:
        """``(R_oracle - R) / |R_oracle|`` per method, seed and task, shape=[M, S, m]."""
        oracle = self.returns[self.index("oracle")]
        return (oracle - self.returns) / np.abs(oracle)

    def _metric(self, metric: str) -> np.ndarray:
        names = ("returns", "success", "regret", "score", "relative_regret")
        if metric not in names:
            raise ValueError(f"metric: expected one of {names}, got {metric!r}")
        return getattr(self, metric)

    def band(self, method: str, metric: str = "score") -> CurveBand:
        """Mean over seeds and t-interval band at :attr:`level`, per test task.

        With a single seed the band is undefined (NaN).
        """
        values = self._metric(metric)[self.index(method)]
        mean = values.mean(axis=0)
        n_seeds = values.shape[0]
        if n_seeds < 2:
            half = np.full_like(mean, np.nan)
        else:
            sem = values.std(axis=0, ddof=1) / np.sqrt(n_seeds)
            half = scipy.stats.t.ppf(0.5 + self.level / 2, n_seeds - 1) * sem
        return CurveBand(mean, mean - half, mean + half)

    def slope(self, method: str, metric: str = "regret") -> float:
        """Least-squares slope of the seed-mean metric against distance (flat: near 0)."""
        mean = self._metric(metric)[self.index(method)].mean(axis=0)
        if np.ptp(self.distance) == 0:
            return 0.0
        return float(np.polyfit(self.distance, mean, 1)[0])

    def table(self) -> str:
        """A plain-text summary: per method, mean and worst-task score, regret, success."""
        lines = [
            f"{'method':<14}{'score':>8}{'min task':>10}{'regret':>9}{'success':>9}{'slope':>9}"
        ]
        for name in self.methods:
            i = self.index(name)
            per_task = self.score[i].mean(axis=0)
            lines.append(
                f"{name:<14}{per_task.mean():>8.3f}{per_task.min():>10.3f}"
                f"{self.regret[i].mean():>9.2f}{self.success[i].mean():>9.3f}"
                f"{self.slope(name):>9.2f}"
            )
        return "\n".join(lines)


def _seeds(seeds) -> tuple[int, ...]:
    if isinstance(seeds, int | np.integer) and not isinstance(seeds, bool):
        return tuple(range(as_count(seeds, "seeds")))
    out = tuple(seeds)
    if not out or not all(
        isinstance(s, int | np.integer) and not isinstance(s, bool) and s >= 0 for s in out
    ):
        raise ValueError(f"seeds: expected a count or a non-empty sequence of seeds, got {seeds!r}")
    return tuple(int(s) for s in out)


def regret_curve(
    family: TaskFamily,
    policies: Mapping[str, Callable[[np.ndarray], Policy]],
    test_goals,
    train_goals,
    n_episodes: int = 32,
    seeds=3,
    *,
    rng=None,
    oracle: Callable[[np.ndarray], Policy] | Sequence[Policy] | None = None,
    trainer: CEMTrainer | None = None,
    level: float = 0.95,
    progress: bool = False,
) -> RegretCurve:
    """Evaluate transfer methods on test tasks against the distance from the training tasks.

    Parameters
    ----------
    family : TaskFamily
    policies : mapping of str to callable
        Method name -> factory ``goal (n,) -> Policy``; called once per seed and test task
        (a factory with its own randomness, e.g. a test-time context, draws afresh).
    test_goals : array-like, shape=[m, n]
        E.g. ``family.test_goals(36)``: evenly spread over the task space.
    train_goals : array-like, shape=[k, n]
        The tasks the methods were trained on (for the distance).
    n_episodes : int, optional, default: 32
        Episodes per seed and test task.
    seeds : int or sequence of int, optional, default: 3
        Evaluation seeds (a count means ``range(count)``); each seeds the start states and
        noise shared by every method, and the random policy's actions.
    rng : None, int or numpy.random.Generator, optional
        Training of the default oracle.
    oracle : callable or sequence of Policy, optional
        Policies trained directly on each test task (the reference of the score): a factory
        (called once per task) or one policy per test goal. Default: a
        :class:`~liesym.policies.CEMTrainer`
        (``trainer``) trained on all test goals in one batch.
    trainer : CEMTrainer, optional
        Settings of the default oracle's training.
    level : float, optional, default: 0.95
        Confidence level of the bands.
    progress : bool, optional, default: False

    Returns
    -------
    RegretCurve

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> from liesym.policies import GoalSeekingPolicy
    >>> fam = circle_tasks()
    >>> seek = lambda g: GoalSeekingPolicy(g, fam.dynamics)
    >>> curve = regret_curve(fam, {"seek": seek}, fam.test_goals(4), fam.train_goals(1),
    ...                      n_episodes=8, seeds=2, oracle=seek)
    >>> curve.methods, curve.score.shape
    (('seek', 'oracle', 'random'), (3, 2, 4))
    >>> bool(np.allclose(curve.score[0], 1.0)), bool(np.all(curve.score[2] == 0.0))
    (True, True)
    """
    family = _check_family(family)
    dyn = family.dynamics
    test = family.check_goals(test_goals, "test_goals")
    train = family.check_goals(train_goals, "train_goals")
    if not isinstance(policies, Mapping) or not all(callable(f) for f in policies.values()):
        raise ValueError("policies: expected a mapping of method names to goal -> Policy factories")
    names = [str(name) for name in policies]
    clash = set(names) & set(REFERENCE_METHODS)
    if clash:
        raise ValueError(f"policies: the names {sorted(clash)} are reserved for the references")
    n_episodes = as_count(n_episodes, "n_episodes")
    seeds = _seeds(seeds)
    if not 0 < level < 1:
        raise ValueError(f"level: expected a confidence level in (0, 1), got {level!r}")
    m = test.shape[0]

    if oracle is None:
        trainer = CEMTrainer(rng=as_rng(rng)) if trainer is None else trainer
        oracle_policies = trainer.fit(dyn, test).policies_
    elif callable(oracle):
        oracle_policies = [oracle(g) for g in test]
    else:
        oracle_policies = list(oracle)
        if len(oracle_policies) != m:
            raise ValueError(f"oracle: expected {m} policies (one per test goal)")

    n_methods = len(names) + len(REFERENCE_METHODS)
    returns = np.empty((n_methods, len(seeds), m))
    success = np.empty_like(returns)
    for s, seed in enumerate(progress_bar(seeds, enable=progress, desc="regret curve")):
        seed_rng = np.random.default_rng(seed)
        noise = rollout_noise(dyn, (m, n_episodes), rng=seed_rng)
        tasks = [[factory(g) for g in test] for factory in policies.values()]
        tasks += [oracle_policies, RandomPolicy(dyn, rng=seed_rng)]
        for i, pols in enumerate(tasks):
            out = rollout(pols, dyn, test, noise=noise)
            returns[i, s] = out.returns.mean(axis=-1)
            success[i, s] = out.success.mean(axis=-1)
    r_oracle, r_random = returns[-2], returns[-1]
    return RegretCurve(
        family=family.name,
        methods=(*names, *REFERENCE_METHODS),
        test_goals=test,
        train_goals=train,
        distance=task_distance(family, test, train).min(axis=1),
        seeds=seeds,
        n_episodes=n_episodes,
        returns=returns,
        success=success,
        regret=r_oracle - returns,
        score=(returns - r_random) / (r_oracle - r_random),
        level=float(level),
    )


def evaluate_transfer(
    family: TaskFamily,
    train_goals,
    test_goals,
    *,
    element_of: Callable[[np.ndarray], np.ndarray] | None = None,
    train_elements=None,
    element_distance: Callable | None = None,
    tracker_of: Callable | None = None,
    extra: Mapping[str, Callable] | None = None,
    trainer: CEMTrainer | None = None,
    contrastive: ContrastiveMetaPolicy | None = None,
    n_episodes: int = 32,
    seeds=3,
    rng=None,
    progress: bool = False,
) -> RegretCurve:
    """Train every method on the same training tasks and compute their regret curve.

    Methods: ``"hereditary"`` (the base policy, trained on ``train_goals[0]``, transferred by
    ``element_of(goal)``), ``"nearest"`` (the policy of the nearest training task),
    ``"contrastive"`` (:class:`ContrastiveMetaPolicy` with a test-time exploration context),
    plus the oracle (trained on each test task) and random references.

    Parameters
    ----------
    family : TaskFamily
    train_goals : array-like, shape=[k, n]
        Base goal first.
    test_goals : array-like, shape=[m, n]
    element_of : callable, optional
        ``goal -> group element``; default the ground truth ``family.group_element``
        (pass an inferred one, e.g. from ``liesym.manifolds.GroupInference``).
    train_elements : array-like, shape=[k, n, n], optional
        Inferred elements of the training tasks; with ``element_of`` and
        ``element_distance`` the nearest-task baseline picks by inferred element (no true
        task parameter), otherwise by the family's true task distance.
    element_distance : callable, optional
        ``distance(elements, element)`` (e.g. ``CompactLieGroup.dist``).
    tracker_of : callable, optional
        ``goal -> ElementTracker`` (prior: the task's probes). Then ``"hereditary"`` re-estimates
        its element from every episode's own rewards while it acts
        (:class:`~liesym.transfer.TrackingHereditaryPolicy`) and ``"hereditary (probes
        only)"`` keeps ``element_of(goal)`` fixed.
    extra : mapping of str to callable, optional
        Further methods ``goal -> Policy`` evaluated alongside (e.g. the zero action).
    trainer : CEMTrainer, optional
        Training of the per-task policies (training tasks and oracle).
    contrastive : ContrastiveMetaPolicy, optional
        The (unfitted) contrastive baseline; default settings otherwise.
    n_episodes, seeds, progress
        As in :func:`regret_curve`.
    rng : None, int or numpy.random.Generator, optional
        All training and test-time exploration.

    Returns
    -------
    RegretCurve

    Examples
    --------
    With the ground-truth elements and tiny training budgets:

    >>> from liesym.envs import circle_tasks
    >>> from liesym.policies import CEMTrainer
    >>> from liesym.transfer import ContrastiveMetaPolicy
    >>> fam = circle_tasks()
    >>> trainer = CEMTrainer(n_iterations=5, n_restarts=1, rng=0)
    >>> contrastive = ContrastiveMetaPolicy(n_encoder_steps=20, n_contexts=32, rng=0,
    ...                                     trainer=trainer)
    >>> curve = evaluate_transfer(fam, fam.train_goals(2), fam.test_goals(3), trainer=trainer,
    ...                           contrastive=contrastive, n_episodes=4, seeds=1, rng=0)
    >>> curve.methods
    ('hereditary', 'nearest', 'contrastive', 'oracle', 'random')
    >>> bool(curve.band("hereditary").mean.min() > 0.9)  # the score of every test task
    True
    """
    family = _check_family(family)
    rng = as_rng(rng)
    train = family.check_goals(train_goals, "train_goals")
    trainer = CEMTrainer(rng=rng) if trainer is None else trainer
    train_policies = trainer.fit(family.dynamics, train).policies_
    model = ContrastiveMetaPolicy(rng=rng) if contrastive is None else contrastive
    if train.shape[0] >= 2:
        model.fit(family, train)
    fixed = hereditary_policies(train_policies[0], element_of or family.group_element)
    if tracker_of is None:
        methods = {"hereditary": fixed}
    else:
        base = train_policies[0]
        methods = {
            "hereditary": lambda goal: TrackingHereditaryPolicy(base, tracker_of(goal)),
            "hereditary (probes only)": fixed,
        }
    methods["nearest"] = nearest_task_policies(
        family,
        train,
        train_policies,
        element_of=element_of if train_elements is not None else None,
        train_elements=train_elements,
        distance=element_distance,
    )
    if train.shape[0] >= 2:
        methods["contrastive"] = model.policies(family, rng=rng)
    methods.update(extra or {})
    return regret_curve(
        family,
        methods,
        test_goals,
        train,
        n_episodes,
        seeds,
        rng=rng,
        trainer=trainer,
        progress=progress,
    )


def _as_rows(tasks) -> np.ndarray:
    """Tasks as a (T, d) float array when they are numeric vectors, else their indices."""
    try:
        arr = np.asarray([np.ravel(np.asarray(t, dtype=np.float64)) for t in tasks])
        if arr.ndim == 2:
            return arr
    except (TypeError, ValueError):
        pass
    return np.arange(len(tasks), dtype=np.float64)[:, None]


def compare_policies(
    family: GymnasiumFamily,
    policies: Mapping[str, Callable | Sequence[Policy]],
    oracle: Sequence[Policy],
    *,
    tasks=None,
    n_episodes: int = 16,
    seeds=3,
    level: float = 0.95,
    progress: bool = False,
) -> RegretCurve:
    """Returns, regret and scores of policies on any family's tasks, common random numbers.

    Every method meets the same reset seeds on every task: episode e of evaluation seed s
    starts from ``reset(seed=default_rng(s).integers(2**31 - 1, size=n_episodes)[e])``.

    Parameters
    ----------
    family : GymnasiumFamily
    policies : mapping of str to callable or sequence of Policy
        Method name -> factory ``task -> Policy`` (called once per seed and task) or one
        policy per task.
    oracle : sequence of Policy
        One policy trained directly on each task (the reference of the score).
    tasks : sequence, optional
        Default ``family.test_tasks``.
    n_episodes : int, optional, default: 16
    seeds : int or sequence of int, optional, default: 3
    level : float, optional, default: 0.95
    progress : bool, optional, default: False

    Returns
    -------
    RegretCurve
        With the methods, then ``"oracle"`` and ``"random"`` (actions uniform in the action
        box); ``success`` is NaN (generic envs report no goal); ``distance`` is the
        ``task_distance`` to the nearest training task (NaN without one).

    Examples
    --------
    Any :class:`~liesym.envs.GymnasiumFamily` and any policies (here goal-seeking policies,
    which know the goal, as the method and as the oracle):

    >>> from liesym.envs import circle_tasks
    >>> from liesym.policies import GoalSeekingPolicy
    >>> fam = circle_tasks()
    >>> tasks = fam.test_goals(3)
    >>> oracle = [GoalSeekingPolicy(g, fam.dynamics) for g in tasks]
    >>> curve = compare_policies(fam, {"seek": oracle}, oracle, tasks=tasks, n_episodes=4,
    ...                          seeds=1)
    >>> curve.methods, curve.returns.shape  # (method, seed, task)
    (('seek', 'oracle', 'random'), (3, 1, 3))
    >>> bool(np.allclose(curve.score[0], 1.0))  # the same episodes as the oracle
    True
    """
    if not isinstance(family, GymnasiumFamily):
        raise ValueError(f"family: expected a GymnasiumFamily, got {type(family).__name__}")
    tasks = list(family.test_tasks if tasks is None else tasks)
    names = [str(name) for name in policies]
    clash = set(names) & set(REFERENCE_METHODS)
    if clash:
        raise ValueError(f"policies: the names {sorted(clash)} are reserved for the references")
    oracle = list(oracle)
    if len(oracle) != len(tasks):
        raise ValueError(f"oracle: expected {len(tasks)} policies (one per task)")
    n_episodes = as_count(n_episodes, "n_episodes")
    seeds = _seeds(seeds)
    if not 0 < level < 1:
        raise ValueError(f"level: expected a confidence level in (0, 1), got {level!r}")
    low, high = family.action_bounds
    n, m = family.observation_dim, len(tasks)
    returns = np.empty((len(names) + len(REFERENCE_METHODS), len(seeds), m))
    for s, seed in enumerate(progress_bar(seeds, enable=progress, desc="evaluate")):
        seed_rng = np.random.default_rng(seed)
        episodes = seed_rng.integers(2**31 - 1, size=n_episodes)
        per_method = []
        for value in policies.values():
            if callable(value) and not isinstance(value, Sequence):
                per_method.append([value(t) for t in tasks])
            else:
                per_method.append(list(value))
        per_method += [oracle, [BoxRandomPolicy(n, low, high, rng=seed_rng) for _ in tasks]]
        for i, pols in enumerate(per_method):
            returns[i, s] = evaluate_policies(family, pols, tasks, episodes).mean(axis=-1)
    r_oracle, r_random = returns[-2], returns[-1]
    train = family.train_tasks
    if family.task_distance is None:
        distance = np.full(m, np.nan)
    else:
        distance = np.array([min(family.distance(t, u) for u in train) for t in tasks])
    return RegretCurve(
        family=family.name,
        methods=(*names, *REFERENCE_METHODS),
        test_goals=_as_rows(tasks),
        train_goals=_as_rows(train),
        distance=distance,
        seeds=seeds,
        n_episodes=n_episodes,
        returns=returns,
        success=np.full_like(returns, np.nan),
        regret=r_oracle - returns,
        score=(returns - r_random) / (r_oracle - r_random),
        level=float(level),
    )
