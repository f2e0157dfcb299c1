"""Training from rewards only: the cross-entropy method over policy parameters.

The search (:func:`cem_search`) is a plain function over a vectorised score, batched over
independent problems (leading axes of the mean); :class:`CEMTrainer` applies it to
:class:`~liesym.policies.LinearPolicy` on one or several tasks, scoring the whole population
on the same start states and noise each iteration (common random numbers: the ranking of
the members then does not depend on which episodes they happened to draw).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from liesym._core import as_count, as_finite_array, as_positive, as_rng
from liesym._core import progress as progress_bar
from liesym.envs.family import GymnasiumFamily
from liesym.envs.navigation import TaskFamily
from liesym.policies.base import LinearPolicy, gated_bias, project_ball
from liesym.policies.episodes import PopulationEpisodes
from liesym.policies.rollout import (
    affine_returns,
    as_dynamics,
    check_goals,
    rollout_noise,
)


@dataclass(frozen=True, eq=False)
class CEMResult:
    """Outcome of :func:`cem_search`.

    Attributes
    ----------
    mean : ndarray, shape=[..., d]
        Final mean of the search distribution (the solution).
    std : ndarray, shape=[..., d]
        Final standard deviations.
    history : ndarray, shape=[n_iterations, ...]
        Score of the distribution's mean at each iteration (the learning curve).
    elite_history : ndarray, shape=[n_iterations, ...]
        Mean score of the elite members at each iteration.

    Examples
    --------
    >>> from liesym.policies import cem_search
    >>> res = cem_search(lambda p, rng: -np.sum((p - 3.0) ** 2, axis=-1), np.zeros(2),
    ...                  np.ones(2), n_iterations=40, rng=0)
    >>> res.mean.round(2), res.history.shape, res.elite_history.shape
    (array([3., 3.]), (40,), (40,))
    """

    mean: np.ndarray
    std: np.ndarray
    history: np.ndarray
    elite_history: np.ndarray


def _check_fraction(value, name: str) -> float:
    if not (isinstance(value, int | float) and 0 < value <= 1):
        raise ValueError(f"{name}: expected a number in (0, 1], got {value!r}")
    return float(value)


def cem_search(
    score: Callable[[np.ndarray, np.random.Generator], np.ndarray],
    mean,
    std,
    *,
    n_iterations: int = 30,
    population: int = 48,
    elite_frac: float = 0.2,
    min_std: float = 0.01,
    covariance: str = "diagonal",
    extra_std: float = 0.0,
    keep_elites: bool = False,
    rng=None,
    progress: bool = False,
) -> CEMResult:
    """Maximise a vectorised score with the cross-entropy method (Gaussian search law).

    Each iteration samples ``population - 1`` parameter vectors around the mean, adds the
    mean itself (so its score, measured on the same random numbers, is the learning curve),
    keeps the best ``elite_frac`` and refits mean and standard deviation to them.

    Parameters
    ----------
    score : callable
        ``score(params [..., P, d], rng) -> [..., P]`` (higher is better); it should use one
        set of random numbers for the whole population.
    mean, std : array-like, shape=[..., d]
        Initial distribution; leading axes are independent problems solved together.
    n_iterations : int, optional, default: 30
    population : int, optional, default: 48
    elite_frac : float, optional, default: 0.2
    min_std : float, optional, default: 0.01
        Floor of the standard deviations (keeps exploring).
    covariance : {"diagonal", "full"}, optional, default: "diagonal"
        "full" refits the elite covariance (shrunk halfway to its diagonal): it follows
        correlated parameters (gain ratios) that a diagonal law zigzags along.
    extra_std : float, optional, default: 0.0
        Noisy CEM (Szita and Lőrincz, 2006): after iteration ``t`` (0-based) the variance
        ``(extra_std (1 - (t + 1) / n_iterations))**2`` is added to every parameter's refitted
        variance (to the covariance's diagonal with ``"full"``), so the search law cannot
        collapse before the end; the extra spread decays linearly to 0 at the last refit.
        0 is the plain method (bit-identical).
    keep_elites : bool, optional, default: False
        Carry the previous iteration's elites into the next population (re-scored on its
        fresh random numbers) in place of as many new samples: the population, hence the
        budget, is unchanged, and a good member found once competes again.
    rng : None, int or numpy.random.Generator, optional
    progress : bool, optional, default: False

    Returns
    -------
    CEMResult

    Examples
    --------
    >>> res = cem_search(lambda p, rng: -np.sum((p - 3.0) ** 2, axis=-1), np.zeros(2),
    ...                  np.ones(2), n_iterations=40, rng=0)
    >>> res.mean.round(2), bool(res.history[-1] > res.history[0])
    (array([3., 3.]), True)
    """
    mean = as_finite_array(mean, "mean")
    std = as_finite_array(std, "std")
    if mean.ndim < 1 or std.shape != mean.shape or np.any(std <= 0):
        raise ValueError(
            f"std: expected positive values of the mean's shape {mean.shape}, got {std.shape}"
        )
    n_iterations = as_count(n_iterations, "n_iterations")
    population = as_count(population, "population")
    if population < 2:
        raise ValueError(f"population: expected at least 2 members, got {population}")
    elite_frac = _check_fraction(elite_frac, "elite_frac")
    min_std = as_positive(min_std, "min_std", allow_zero=True)
    if covariance not in ("diagonal", "full"):
        raise ValueError(f"covariance: expected 'diagonal' or 'full', got {covariance!r}")
    extra_std = as_positive(extra_std, "extra_std", allow_zero=True)
    if not isinstance(keep_elites, bool):
        raise TypeError(f"keep_elites: expected a bool, got {keep_elites!r}")
    n_elite = max(1, round(elite_frac * population))
    if keep_elites and n_elite > population - 2:
        raise ValueError(
            f"keep_elites: needs at least one new sample besides the mean and {n_elite} elites, "
            f"got population {population}"
        )
    rng = as_rng(rng)
    history, elite_history = [], []
    root = std[..., :, None] * np.eye(mean.shape[-1])  # square root of the covariance
    elite = None
    for t in progress_bar(range(n_iterations), enable=progress, desc="CEM"):
        kept = elite if keep_elites and elite is not None else mean[..., None, :][..., :0, :]
        n_new = population - 1 - kept.shape[-2]
        eps = rng.standard_normal((*mean.shape[:-1], n_new, mean.shape[-1]))
        step = (
            std[..., None, :] * eps if covariance == "diagonal" else eps @ np.swapaxes(root, -1, -2)
        )
        members = np.concatenate([mean[..., None, :], kept, mean[..., None, :] + step], axis=-2)
        scores = np.asarray(score(members, rng), dtype=np.float64)
        if scores.shape != members.shape[:-1]:
            raise ValueError(
                f"score: expected shape {members.shape[:-1]} for params {members.shape}, "
                f"got {scores.shape}"
            )
        best = np.argsort(-scores, axis=-1, kind="stable")[..., :n_elite]
        elite = np.take_along_axis(members, best[..., None], axis=-2)
        history.append(scores[..., 0])
        elite_history.append(np.take_along_axis(scores, best, axis=-1).mean(axis=-1))
        mean = elite.mean(axis=-2)
        std = np.maximum(elite.std(axis=-2), min_std)
        if covariance == "full":
            dev = elite - mean[..., None, :]
            cov = np.swapaxes(dev, -1, -2) @ dev / n_elite
            diag = std[..., :, None] ** 2 * np.eye(mean.shape[-1])
            cov = 0.5 * cov + 0.5 * diag
        if extra_std:  # 0: the plain method, untouched
            extra = (extra_std * (1 - (t + 1) / n_iterations)) ** 2
            std = np.sqrt(std**2 + extra)
            if covariance == "full":
                cov = cov + extra * np.eye(mean.shape[-1])
        if covariance == "full":
            root = np.linalg.cholesky(cov)
    return CEMResult(mean, std, np.array(history), np.array(elite_history))


class CEMTrainer:
    """Train :class:`~liesym.policies.LinearPolicy` on one or several tasks from rewards only.

    The cross-entropy method over ``(K, b)`` (:func:`cem_search`). Every member of the
    population is scored on the same ``n_episodes`` start states and noise (fresh each
    iteration). ``n_restarts`` independent searches run side by side and the one whose final
    mean does best on ``n_eval_episodes`` common episodes is kept: a single search sometimes
    settles on a fragile policy (an unstable linear map that fails on rare noise), and
    restarts are cheaper than a much larger population. Several goals are trained at once,
    independently, in one batch.

    Parameters
    ----------
    n_iterations : int, optional, default: 40
    population : int, optional, default: 48
    elite_frac : float, optional, default: 0.2
    n_episodes : int, optional, default: 16
        Episodes per member and iteration.
    init_std : float, optional, default: 1.0
        Initial standard deviation of every parameter (mean 0).
    min_std : float, optional, default: 0.01
    n_restarts : int, optional, default: 3
    n_eval_episodes : int, optional, default: 128
        Episodes of the final choice between restarts.
    covariance : {"diagonal", "full"}, optional, default: "diagonal"
        Search law of :func:`cem_search`.
    extra_std : float, optional, default: 0.0
        Noisy CEM: extra spread added to the refitted law, decaying linearly to 0 over the
        iterations (see :func:`cem_search`; 0: the plain method).
    keep_elites : bool, optional, default: False
        Carry each iteration's elites into the next population (see :func:`cem_search`).
    start_score : {"mean", "relative"}, optional, default: "mean"
        Score of a member trained on a moved start law (``fit(..., start_moves=...)``):
        its mean return, or ``"relative"``: the mean of its returns each divided by the
        magnitude of the population's median return on the same episode (same start and
        noise for every member). The moved starts differ in difficulty by design (a long turn
        costs several times a short one); relative scores weigh every start by its relative
        loss, as the relative regret of the transferred policy at each task does. Fits on
        the tasks' own start laws always score the mean return.
    rng : None, int or numpy.random.Generator, optional
    progress : bool, optional, default: False

    Attributes
    ----------
    policy_ : LinearPolicy
        The policy of the (first) goal.
    policies_ : list of LinearPolicy
        One per goal.
    params_ : ndarray, shape=[G, n^2 + n]
        Flat parameters ``(K.ravel(), b)`` per goal.
    history_ : ndarray, shape=[n_iterations, G]
        Mean return of the distribution's mean per iteration (the learning curve of the
        restart that was kept).
    elite_history_ : ndarray, shape=[n_iterations, G]
    restart_returns_ : ndarray, shape=[G, n_restarts]
        Final evaluation of each restart.

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> fam = circle_tasks()
    >>> trainer = CEMTrainer(n_iterations=15, rng=0).fit(fam.dynamics, fam.base_goal)
    >>> bool(trainer.history_[-1, 0] > trainer.history_[0, 0])
    True
    """

    def __init__(
        self,
        n_iterations: int = 40,
        population: int = 48,
        elite_frac: float = 0.2,
        n_episodes: int = 16,
        init_std: float = 1.0,
        min_std: float = 0.01,
        n_restarts: int = 3,
        n_eval_episodes: int = 128,
        covariance: str = "diagonal",
        start_score: str = "mean",
        extra_std: float = 0.0,
        keep_elites: bool = False,
        *,
        rng=None,
        progress: bool = False,
    ):
        self.n_iterations = n_iterations
        self.population = population
        self.elite_frac = elite_frac
        self.n_episodes = n_episodes
        self.init_std = init_std
        self.min_std = min_std
        self.n_restarts = n_restarts
        self.n_eval_episodes = n_eval_episodes
        self.covariance = covariance
        self.start_score = start_score
        self.extra_std = extra_std
        self.keep_elites = keep_elites
        self.rng = rng
        self.progress = progress

    def __repr__(self) -> str:
        return (
            f"CEMTrainer(n_iterations={self.n_iterations}, population={self.population}, "
            f"n_episodes={self.n_episodes}, n_restarts={self.n_restarts})"
        )

    def search(
        self,
        returns: Callable[[np.ndarray, int, np.random.Generator], np.ndarray],
        dim: int,
        problems: tuple[int, ...] = (),
        *,
        rng=None,
    ) -> CEMResult:
        """Maximise mean returns over flat parameters with this trainer's settings.

        Parameters
        ----------
        returns : callable
            ``returns(params [*problems, M, dim], n_episodes, rng) -> [*problems, M]``: mean
            return of M parameter vectors on ``n_episodes`` episodes drawn once from ``rng``
            for all M (common random numbers).
        dim : int
            Number of parameters.
        problems : tuple of int, optional
            Batch of independent problems (e.g. goals).
        rng : None, int or numpy.random.Generator, optional
            Default: the trainer's ``rng``.

        Returns
        -------
        CEMResult
            ``mean``, ``std`` of shape ``[*problems, dim]`` (the kept restart), histories of
            shape ``[n_iterations, *problems]``.
        """
        n_episodes = as_count(self.n_episodes, "n_episodes")
        n_eval = as_count(self.n_eval_episodes, "n_eval_episodes")
        restarts = as_count(self.n_restarts, "n_restarts")
        init_std = as_positive(self.init_std, "init_std")
        rng = as_rng(self.rng if rng is None else rng)
        shape = (*problems, restarts, dim)

        def score(members, rng):
            flat = members.reshape(*problems, -1, dim)
            return returns(flat, n_episodes, rng).reshape(members.shape[:-1])

        result = cem_search(
            score,
            np.zeros(shape),
            np.full(shape, init_std),
            n_iterations=self.n_iterations,
            population=self.population,
            elite_frac=self.elite_frac,
            min_std=self.min_std,
            covariance=self.covariance,
            extra_std=self.extra_std,
            keep_elites=self.keep_elites,
            rng=rng,
            progress=self.progress,
        )
        final = returns(result.mean, n_eval, rng)
        best = np.argmax(final, axis=-1)[..., None]

        def kept(x, axis):
            return np.squeeze(np.take_along_axis(x, np.expand_dims(best, axis), axis), axis)

        self.restart_returns_ = final
        return CEMResult(
            kept(result.mean, -2),
            kept(result.std, -2),
            np.squeeze(np.take_along_axis(result.history, best[None], -1), -1),
            np.squeeze(np.take_along_axis(result.elite_history, best[None], -1), -1),
        )

    def fit(self, dynamics, goals, *, start_moves=None, features=None, radius=None) -> "CEMTrainer":
        """Train one policy per goal (navigation) or task (any family).

        Parameters
        ----------
        dynamics : NavigationDynamics, TaskFamily or GymnasiumFamily
            A navigation system trains through its vectorised fast path; any other family
            through its :meth:`~liesym.envs.GymnasiumFamily.batch` of envs, every member of
            the population on the same reset seeds (common random numbers).
        goals : array-like, shape=[n] or [G, n], or sequence of task parameters
            The goals of a navigation system, or the tasks of a family.
        start_moves : callable, optional
            ``start_moves(rng, shape) -> elements [*shape, n, n]``: group elements moving the
            start states (training on the symmetrised start law; any family but the
            navigation fast path).
        features : ProductFeatures, optional
            Fixed features of the linear policy (any family).
        radius : float, optional
            Project actions onto the ball of this radius (see :class:`LinearPolicy`).

        Returns
        -------
        self
        """
        if self.start_score not in ("mean", "relative"):
            raise ValueError(
                f"start_score: expected 'mean' or 'relative', got {self.start_score!r}"
            )
        if isinstance(dynamics, GymnasiumFamily) and (
            not isinstance(dynamics, TaskFamily)
            or start_moves is not None
            or features is not None
            or radius is not None
        ):
            return self._fit_family(dynamics, goals, start_moves, features, radius)
        dyn = as_dynamics(dynamics)
        n = dyn.n
        goals = np.atleast_2d(check_goals(goals, n))
        n_goals = goals.shape[0]

        def returns(params, n_episodes, rng):
            # params (G, M, d); one noise batch per goal, shared by all M members.
            noise = rollout_noise(dyn, (n_goals, 1, n_episodes), rng=rng)
            gain = params[..., None, : n * n].reshape(*params.shape[:-1], 1, n, n)
            bias = params[..., None, n * n :]
            return affine_returns(gain, bias, dyn, goals[:, None, None, :], noise).mean(-1)

        result = self.search(returns, n * n + n, (n_goals,))
        self.params_ = result.mean
        self.history_ = result.history
        self.elite_history_ = result.elite_history
        self.policies_ = [LinearPolicy.from_params(p, n, dyn) for p in self.params_]
        self.policy_ = self.policies_[0]
        return self

    def _fit_family(self, family, tasks, start_moves, features, radius) -> "CEMTrainer":
        tasks = list(tasks) if not isinstance(tasks, np.ndarray) or tasks.ndim > 1 else [tasks]
        if not tasks:
            raise ValueError("goals: expected at least one task")
        if start_moves is not None and not callable(start_moves):
            raise ValueError(f"start_moves: expected a callable (rng, shape), got {start_moves!r}")
        relative = start_moves is not None and self.start_score == "relative"
        n, m = family.observation_dim, family.action_dim
        low, high = family.action_bounds
        if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
            raise ValueError("family: CEM policies clip to the action box, which must be bounded")
        feats = (lambda x: x) if features is None else features
        d = n if features is None else features.dim
        g = len(tasks)
        runs = PopulationEpisodes(family, tasks)

        def returns(params, n_episodes, rng):
            # params (G, M, dim); every member meets the same seeds and start moves.
            members = params.shape[1]
            shape = (g, members, n_episodes)
            moves = None if start_moves is None else start_moves(rng, (g, n_episodes))
            gain = params[:, :, None, : m * d].reshape(g, members, 1, m, d)
            gain = np.broadcast_to(gain, (*shape, m, d)).reshape(-1, m, d)
            bias = np.broadcast_to(params[:, :, None, m * d :], (*shape, m)).reshape(-1, m)

            def act(obs):
                raw = np.einsum("bij,bj->bi", gain, feats(obs)) + gated_bias(features, obs, bias)
                raw = raw if radius is None else project_ball(raw, radius)
                return np.clip(raw, low, high)

            out = runs.returns(members, n_episodes, act, rng=rng, moves=moves)
            return (relative_returns(out) if relative else out).mean(axis=-1)

        result = self.search(returns, m * d + m, (g,))
        self.params_ = result.mean
        self.history_ = result.history
        self.elite_history_ = result.elite_history
        self.policies_ = [
            LinearPolicy.from_params(
                p, n, action_dim=m, low=low, high=high, features=features, radius=radius
            )
            for p in self.params_
        ]
        self.policy_ = self.policies_[0]
        return self


def relative_returns(returns) -> np.ndarray:
    """Returns divided by the magnitude of the population's median return on each episode.

    Parameters
    ----------
    returns : array-like, shape=[..., M, E]
        Return of each of M members on E episodes shared by the members.

    Returns
    -------
    ndarray, shape=[..., M, E]
        ``returns / |median over members|`` (a zero median divides by 1e-12): the ranking of
        the members on one episode is kept, and every episode's scale becomes one.

    Examples
    --------
    >>> from liesym.policies.cem import relative_returns
    >>> relative_returns([[-1.0, -8.0], [-2.0, -4.0], [-3.0, -6.0]])
    array([[-0.5 , -1.33333333],
           [-1.  , -0.66666667],
           [-1.5 , -1.        ]])
    """
    returns = np.asarray(returns, dtype=np.float64)
    scale = np.abs(np.median(returns, axis=-2, keepdims=True))
    return returns / np.maximum(scale, 1e-12)


@dataclass(frozen=True, eq=False)
class TrainingResult:
    """A trained policy with its learning curve.

    Attributes
    ----------
    policy : LinearPolicy
    history : ndarray, shape=[n_iterations]
        Mean return of the search distribution's mean per iteration.

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> from liesym.policies import train_policy
    >>> fam = circle_tasks()
    >>> result = train_policy(fam, fam.base_goal, rng=0, n_iterations=10)
    >>> type(result.policy).__name__, result.history.shape
    ('LinearPolicy', (10,))
    """

    policy: LinearPolicy
    history: np.ndarray


def train_policy(dynamics, goal, *, rng=None, **options) -> TrainingResult:
    """Train a :class:`LinearPolicy` on one task with :class:`CEMTrainer`.

    Parameters
    ----------
    dynamics : NavigationDynamics or TaskFamily
    goal : array-like, shape=[n]
    rng : None, int or numpy.random.Generator, optional
    **options
        Settings of :class:`CEMTrainer` (n_iterations, population, ...).

    Returns
    -------
    TrainingResult

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> fam = circle_tasks()
    >>> result = train_policy(fam, fam.base_goal, rng=0, n_iterations=10)
    >>> result.history.shape
    (10,)
    """
    dyn = as_dynamics(dynamics)
    goal = as_finite_array(goal, "goal")
    if goal.shape != (dyn.n,):
        raise ValueError(f"goal: expected shape ({dyn.n},), got {goal.shape}")
    trainer = CEMTrainer(rng=rng, **options).fit(dyn, goal)
    return TrainingResult(trainer.policy_, trainer.history_[:, 0])
