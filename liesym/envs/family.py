"""A task family over any Gymnasium env: a map task -> env, train and test tasks, a representation.

:class:`GymnasiumFamily` is what the pipeline consumes. The built-in navigation families are
subclasses with a vectorised fast path and their exact ground truth; MuJoCo Reacher
(:func:`liesym.envs.reacher_tasks`) is another. Ground truth, where a family has one, is
evaluation-only data: no method reads it.
"""

from collections.abc import Callable, Sequence

import gymnasium as gym
import numpy as np

from liesym._core import as_count, as_rng
from liesym.algebra import Representation
from liesym.envs.batch import BatchEnv, GymBatch, box_bounds


class GymnasiumFamily:
    """A family of tasks, each a Gymnasium env with Box observation and action spaces.

    Parameters
    ----------
    make_env : callable
        ``make_env(task) -> gymnasium.Env``.
    train_tasks : sequence
        Task parameters (any objects) of the training tasks, base task first.
    test_tasks : sequence
        Task parameters of the test tasks.
    representation : Representation, optional
        How the symmetry group acts on observations and actions (declared: its discovery is
        skipped).
    name : str, optional
    task_distance : callable, optional
        ``task_distance(a, b) -> float``: the x-axis of regret-vs-distance curves.
    ground_truth : callable, optional
        ``ground_truth(task) -> coords``: exponential coordinates (in the representation's
        basis) of the element carrying the base task to ``task``. Evaluation only.
    set_start : callable, optional
        ``set_start(env, observation) -> observation``: put a freshly reset env into the
        state of ``observation``. Enables training on the symmetrised start law.

    Examples
    --------
    >>> from liesym.envs import NavigationEnv
    >>> fam = GymnasiumFamily(lambda g: NavigationEnv(g), [[1.0, 0.0]], [[0.0, 1.0]], name="pt")
    >>> fam.observation_dim, fam.action_dim, fam.base_task
    (2, 2, [1.0, 0.0])
    """

    def __init__(
        self,
        make_env: Callable[[object], gym.Env],
        train_tasks: Sequence,
        test_tasks: Sequence,
        *,
        representation: Representation | None = None,
        name: str | None = None,
        task_distance: Callable[[object, object], float] | None = None,
        ground_truth: Callable[[object], np.ndarray] | None = None,
        set_start: Callable | None = None,
    ) -> None:
        if not callable(make_env):
            raise TypeError(f"make_env: expected a callable task -> env, got {make_env!r}")
        for label, tasks in (("train_tasks", train_tasks), ("test_tasks", test_tasks)):
            if isinstance(tasks, str | bytes) or not isinstance(tasks, Sequence | np.ndarray):
                raise TypeError(f"{label}: expected a sequence of task parameters")
            if len(tasks) < 1:
                raise ValueError(f"{label}: expected at least one task")
        if representation is not None and not isinstance(representation, Representation):
            raise TypeError(
                f"representation: expected a liesym.algebra.Representation or None, got "
                f"{type(representation).__name__}"
            )
        for label, fn in (
            ("task_distance", task_distance),
            ("ground_truth", ground_truth),
            ("set_start", set_start),
        ):
            if fn is not None and not callable(fn):
                raise TypeError(f"{label}: expected a callable or None, got {fn!r}")
        self._make_env = make_env
        self._train_tasks = tuple(train_tasks)
        self._test_tasks = tuple(test_tasks)
        self.representation = representation
        self.name = name or "gymnasium family"
        self.task_distance = task_distance
        self.ground_truth = ground_truth
        self.set_start = set_start
        self._spaces = None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, train={len(self.train_tasks)}, "
            f"test={len(self.test_tasks)})"
        )

    # Tasks and envs.
    @property
    def train_tasks(self) -> tuple:
        """Training tasks, base task first."""
        return self._train_tasks

    @property
    def test_tasks(self) -> tuple:
        """Test tasks."""
        return self._test_tasks

    @property
    def base_task(self):
        """The base task (``train_tasks[0]``)."""
        return self.train_tasks[0]

    def make_env(self, task):
        """The env of ``task``, checked to have 1-D Box observation and action spaces."""
        env = self._make_env(task)
        if not isinstance(env, gym.Env):
            raise TypeError(f"make_env: expected a gymnasium.Env, got {type(env).__name__}")
        box_bounds(env.observation_space, "observation_space")
        box_bounds(env.action_space, "action_space")
        return env

    def _probe(self):
        if self._spaces is None:
            env = self.make_env(self.base_task)
            low, high = box_bounds(env.action_space)
            self._spaces = (int(env.observation_space.shape[0]), low, high)
            env.close()
        return self._spaces

    @property
    def observation_dim(self) -> int:
        """Dimension of the observations."""
        return self._probe()[0]

    @property
    def action_dim(self) -> int:
        """Dimension of the actions."""
        return int(self._probe()[1].shape[0])

    @property
    def action_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of the action Box."""
        _, low, high = self._probe()
        return low.copy(), high.copy()

    @property
    def can_set_start(self) -> bool:
        """Whether start states can be set (training on the symmetrised start law)."""
        return self.set_start is not None

    def batch(self, tasks: Sequence, copies: int = 1) -> BatchEnv:
        """A :class:`BatchEnv` of ``copies`` episodes of each task, task-major.

        Parameters
        ----------
        tasks : sequence of task parameters
        copies : int, optional, default: 1

        Returns
        -------
        BatchEnv
            ``len(tasks) * copies`` envs; env ``t * copies + c`` runs ``tasks[t]``.
        """
        copies = as_count(copies, "copies")
        envs = [self.make_env(t) for t in tasks for _ in range(copies)]
        return GymBatch(envs, self.set_start)

    def distance(self, a, b) -> float:
        """``task_distance(a, b)``, or NaN when the family has none."""
        return float("nan") if self.task_distance is None else float(self.task_distance(a, b))

    def sample_starts(self, n: int, *, rng=None) -> np.ndarray:
        """``n`` start observations of the base task's env (its own reset law), shape=[n, dim].

        Examples
        --------
        >>> from liesym.envs import circle_tasks
        >>> circle_tasks().sample_starts(3, rng=0).shape
        (3, 2)
        """
        n = as_count(n, "n")
        seeds = as_rng(rng).integers(2**31 - 1, size=n)
        return self.batch([self.base_task], n).reset(seeds)
