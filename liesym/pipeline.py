"""The whole hereditary pipeline on one task family, as library functions the CLI wraps.

:func:`run_pipeline` runs any :class:`~liesym.envs.GymnasiumFamily` end to end and returns a
:class:`PipelineResult`; :func:`run_demo` adds the figures.

:func:`discover_structure` goes from transitions to certified structure: the base task's affine
reward symmetry and the system (dynamics) symmetries in closed form, the task-group elements and
algebra, and SymPy certificates of the subgroup embedding (task algebra inside the system algebra,
compact, connected, linearizable). No ground truth is used by the methods; the family's ground
truth is used only to *score* what was found (``errors`` fields).
"""

import dataclasses
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from liesym._core import as_count, as_rng
from liesym._core import progress as progress_bar
from liesym.algebra import LieAlgebra, grassmann_distance
from liesym.data import reward_arrays, transition_arrays

_STEP_FIELDS = ("states", "actions", "next_states")


def verify_discovered(result, elements=None, **kwargs):
    """Certify a discovered algebra at its uncertainty (:func:`liesym.verify.verify_discovered`).

    The certification policy lives in :mod:`liesym.verify`; this re-export (imported lazily, it
    loads SymPy) keeps ``liesym.pipeline.verify_discovered`` working.

    Examples
    --------
    >>> from liesym.algebra import LieAlgebra, so
    >>> noisy = LieAlgebra(so(2).basis + 1e-4 * np.random.default_rng(0).normal(size=(1, 2, 2)))
    >>> report = verify_discovered(noisy, uncertainty=3e-4)
    >>> report.name, report.compact, report.tol_source  # doctest: +ELLIPSIS
    ('so(2)', True, ...)
    """
    from liesym.verify import verify_discovered as impl

    return impl(result, elements, **kwargs)


def exact_containment(sub_report, sup_report) -> float | None:
    """The exact residual of one certified algebra outside another.

    See :func:`liesym.verify.exact_containment`.

    Examples
    --------
    >>> from liesym.algebra import LieAlgebra, so
    >>> from liesym.verify import verify
    >>> exact_containment(verify(LieAlgebra(so(3).basis[1:2])), verify(so(3)))
    0.0
    """
    from liesym.verify import exact_containment as impl

    return impl(sub_report, sup_report)


@dataclass(frozen=True)
class StructureResult:
    """What :func:`discover_structure` found, with certificates and (separately) its errors.

    Attributes
    ----------
    family : str
    train_goals : ndarray, shape=[T, n]
        The training tasks' goals (used only to run the env and to score).
    base_symmetry : LieAlgebra
        The base task's affine reward symmetry algebra.
    base_fixed_point : ndarray or None
        Its centre (the discovered base goal).
    system_algebra : LieAlgebra
        Linear symmetries of the dynamics.
    task_group : TaskGroupResult
    task_report, system_report : VerificationReport
    embedding_residual : float or None
        Largest relative distance of a snapped task-algebra generator from the snapped system
        algebra (0 to float precision when the task algebra is a subalgebra; None when either
        could not be snapped). See :func:`exact_containment`.
    embedding_numeric : float
        The same for the numeric (discovered) algebras.
    embedding_margin : float
        Margin of the numeric containment test: twice the larger snapping tolerance (each
        numeric algebra is within its tolerance of its exact snap).
    errors : dict
        Scores against the family's ground truth (never used by the methods).
    timings : dict
        Wall time of each stage (seconds).
    audit : SymmetryAudit or None
        The certified task group audited on the env over the whole action box and the
        reachable states: per-component defect and the label ``"exact"`` or ``"approximate
        with defect d"`` (:func:`liesym.envs.audit_symmetry`).

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> res = discover_structure(circle_tasks(), n_steps=3000, rng=0)
    >>> res.embedded, res.task_report.name, res.task_group.algebra_.dim
    (True, 'so(2)', 1)
    >>> sorted(res.timings), bool(res.errors["task_grassmann"] < 0.05)
    (['audit', 'collect', 'symmetries', 'task_group', 'verify'], True)
    """

    family: str
    train_goals: np.ndarray
    base_symmetry: LieAlgebra
    base_fixed_point: np.ndarray | None
    system_algebra: LieAlgebra
    task_group: object
    task_report: object
    system_report: object
    embedding_residual: float | None
    embedding_numeric: float
    embedding_margin: float
    errors: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    audit: object = None

    @property
    def embedded(self) -> bool | None:
        """The subgroup-embedding verdict (True, False or None when undecided).

        True when the task algebra lies inside the system algebra (exactly after snapping, or
        numerically within ``embedding_margin`` when the two snap to different exact algebras)
        and is certified compact, connected and linearizable.
        """
        exact = self.embedding_residual is not None and self.embedding_residual < 1e-9
        inside = exact or self.embedding_numeric <= self.embedding_margin
        answers = [
            inside,
            self.task_report.compact,
            self.task_report.connected,
            self.task_report.linearizable,
        ]
        if any(a is False for a in answers):
            return False
        return None if any(a is None for a in answers) else True

    def table(self) -> str:
        """A plain-text summary table."""
        tr, sr = self.task_report, self.system_report
        rows = [
            (
                "base-task symmetry",
                f"dim {self.base_symmetry.dim} (affine)",
                _fmt(self.errors.get("base_symmetry_grassmann"), "Grassmann to truth"),
            ),
            (
                "base goal (fixed point)",
                _vec(self.base_fixed_point),
                _fmt(self.errors.get("base_goal_error"), "error"),
            ),
            (
                "system algebra",
                f"{sr.name}, compact={sr.compact}",
                _fmt(self.errors.get("system_grassmann"), "Grassmann to truth"),
            ),
            (
                "task algebra",
                f"{tr.name}, dim {self.task_group.algebra_.dim}",
                _fmt(self.errors.get("task_grassmann"), "Grassmann to truth"),
            ),
            ("certificate tolerance", f"{tr.tol:g} (task), {sr.tol:g} (system)", ""),
            (
                "task elements",
                f"{len(self.train_goals)} tasks",
                _fmt(self.errors.get("task_element_error"), "max error"),
            ),
            ("closed / compact", f"{tr.closed} / {tr.compact}", ""),
            ("connected / linearizable", f"{tr.connected} / {tr.linearizable}", ""),
            (
                "task algebra in system algebra",
                _fmt(self.embedding_residual, "exact residual"),
                f"numeric {self.embedding_numeric:.2e} (margin {self.embedding_margin:.2g})",
            ),
            ("subgroup embedding", str(self.embedded), ""),
        ]
        if self.audit is not None:
            worst = max(self.audit.defect, key=self.audit.defect.get)
            note = "" if self.audit.exact else f"largest: {worst}"
            rows.append(("symmetry on the env", self.audit.label, note))
        width = max(len(r[0]) for r in rows)
        return "\n".join(f"{a:<{width}}  {b:<26} {c}" for a, b, c in rows)


def _fmt(value, label: str) -> str:
    return "" if value is None else f"{label} {value:.2e}"


def _vec(v) -> str:
    return "none" if v is None else "(" + ", ".join(f"{x:.3f}" for x in np.ravel(v)) + ")"


def discover_structure(
    family,
    train_goals=None,
    *,
    n_train: int = 2,
    n_steps: int = 2000,
    discovery_options: dict | None = None,
    task_group_options: dict | None = None,
    rng=None,
    progress: bool = False,
) -> StructureResult:
    """Collect random-policy data on the training tasks and discover their structure.

    Parameters
    ----------
    family : TaskFamily
        A family from :mod:`liesym.envs`.
    train_goals : array-like, shape=[T, n], optional
        Training goals, base goal first (default: ``family.train_goals(n_train, rng)``).
    n_train : int, optional, default: 2
    n_steps : int, optional, default: 2000
        Random-policy transitions per training task.
    discovery_options : dict, optional
        Settings of each task's :class:`~liesym.discovery.DifferentialDiscovery` (affine).
        Where the default frames (``frame_method="auto"``) find the rewards too noisy for
        local fits, each task's symmetries are searched inside the discovered affine system
        algebra (its stabiliser), with that algebra's uncertainty added to theirs, and the
        task-group elements are taken nearest the discovered system group (their scale, which
        noisy level sets hardly fix, comes from the dynamics: ``system=`` of
        :func:`~liesym.discovery.discover_task_group`).
    task_group_options : dict, optional
        Settings of :func:`~liesym.discovery.discover_task_group` (``dim``, ``min_gap``,
        ``rtol``).
    rng : None, int or Generator
    progress : bool, optional, default: False
        Show a progress bar over the stages.

    Returns
    -------
    StructureResult

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> res = discover_structure(circle_tasks(), n_steps=3000, rng=0)
    >>> res.task_report.name, res.embedded, res.audit.label
    ('so(2)', True, 'exact')
    """
    from liesym.data import collect_transitions
    from liesym.discovery.differential import DifferentialDiscovery
    from liesym.discovery.dynamics import DynamicsSymmetryDiscovery
    from liesym.discovery.task_group import discover_task_group

    rng = as_rng(rng)
    goals = family.train_goals(n_train, rng=rng) if train_goals is None else train_goals
    goals = family.check_goals(goals, "train_goals")
    found = {}

    def collect():
        found["data"] = [collect_transitions(family, g[None], n_steps, rng=rng) for g in goals]

    def symmetries():
        data = found["data"]
        pooled = [np.concatenate([getattr(d, f) for d in data]) for f in _STEP_FIELDS]
        options = dict(discovery_options or {})
        tasks = [
            DifferentialDiscovery(affine=True, **options).fit(*reward_arrays(d, name="transitions"))
            for d in data
        ]
        dyn = DynamicsSymmetryDiscovery().fit(*pooled)
        if dyn.algebra_ is None:
            raise RuntimeError("discover_structure: no dynamics symmetry found")
        noisy = "within" not in options and any(
            t.frame_method_ == "gaussian_process" for t in tasks
        )
        if noisy:
            tasks = _stabilisers(data, pooled, options, rng)
        for i, est in enumerate(tasks):
            if est.algebra_ is None:
                what = "the base task" if i == 0 else f"training task {i}"
                raise RuntimeError(f"discover_structure: no reward symmetry found on {what}")
        found.update(base=tasks[0], dyn=dyn, tasks=tasks, noisy=noisy)

    def task_group():
        options = dict(task_group_options or {})
        if not found["noisy"]:
            kwargs = {"discovery_kwargs": discovery_options} if discovery_options else {}
            found["group"] = discover_task_group(found["data"], rng=rng, **options, **kwargs)
            return
        tasks = found["tasks"]
        # Noisy rewards hide the level sets' curvature, which places the stabilisers' centres;
        # the elements are symmetries of the system, whose dynamics fix their scale sharply.
        options.setdefault("system", found["dyn"])
        found["group"] = discover_task_group(
            [],
            task_symmetries=[t.algebra_ for t in tasks],
            task_uncertainties=[t.uncertainty_ for t in tasks],
            rng=rng,
            **options,
        )

    def certify():
        group = found["group"]
        # Each certificate's tolerance comes from the discovery's own uncertainty.
        found["task_report"] = verify_discovered(group)
        found["system_report"] = verify_discovered(found["dyn"])

    timings = {}

    def audit():
        from liesym.envs import audit_symmetry

        report = found["task_report"]
        basis = found["group"].algebra_.basis
        if report.exact_basis is not None:  # the certified group, not the estimate
            basis = np.array([np.array(m.tolist(), dtype=float) for m in report.exact_basis])
        # A child stream: the audit must not shift the draws of the stages after it.
        found["audit"] = audit_symmetry(family, basis, rng=rng.spawn(1)[0])

    stages = [
        ("collect", collect),
        ("symmetries", symmetries),
        ("task_group", task_group),
        ("verify", certify),
        ("audit", audit),
    ]
    for name, stage in progress_bar(stages, enable=progress, desc="discover"):
        t0 = time.perf_counter()
        stage()
        timings[name] = time.perf_counter() - t0
    base, dyn, group = found["base"], found["dyn"], found["group"]
    task_report, system_report = found["task_report"], found["system_report"]

    result = assemble_structure(
        family, goals, base, dyn, group, task_report, system_report, timings=timings
    )
    return dataclasses.replace(result, audit=found["audit"])


def _stabilisers(data, pooled, options, rng):
    """Each task's reward symmetries inside the affine system algebra (noisy rewards).

    Noisy rewards resolve the level sets' normals but hardly their curvature, which decides
    the linear part; the symmetries of a task that matter are those of its system, so each
    task's stabiliser is searched inside the discovered affine system algebra. That algebra is
    itself an estimate: its singular-value noise floor is added (root sum of squares) to each
    stabiliser's bootstrap uncertainty, so that certificates see both.
    """
    from liesym.algebra import null_space_angle
    from liesym.discovery import DiscoveryWarning
    from liesym.discovery.differential import DifferentialDiscovery, Uncertainty
    from liesym.discovery.dynamics import DynamicsSymmetryDiscovery
    from liesym.discovery.task_group import _child

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiscoveryWarning)
        system = DynamicsSymmetryDiscovery(affine=True).fit(*pooled)
    if system.algebra_ is None:
        raise RuntimeError("discover_structure: no affine dynamics symmetry found")
    spread = null_space_angle(system.singular_values_, system.dim_)
    settings = {"n_bootstrap": 16, "rng": _child(rng)} | options
    settings |= {"within": system.algebra_, "frame_method": "gaussian_process"}
    tasks = []
    for d in data:
        est = DifferentialDiscovery(affine=True, **settings).fit(
            *reward_arrays(d, name="transitions")
        )
        own = est.uncertainty_
        # Frozen estimator attributes are plain; replace the uncertainty by the combined one.
        est.uncertainty_ = Uncertainty(
            float(np.hypot(own.angle, spread)),
            f"{own.source}, combined (root sum of squares) with the searched affine system "
            f"algebra's singular-value noise floor ({spread:.2g} rad)",
        )
        tasks.append(est)
    return tasks


def assemble_structure(
    family, train_goals, base, dynamics, group, task_report, system_report, *, timings=None
) -> StructureResult:
    """Collect fitted estimators and certificates into a :class:`StructureResult`.

    Checks the embedding (exactly on the snapped bases, numerically on the discovered ones)
    and scores every step against the family's ground truth.

    Parameters
    ----------
    family : TaskFamily
    train_goals : ndarray, shape=[T, n]
    base : DifferentialDiscovery
        Fitted with ``affine=True`` on the base task.
    dynamics : DynamicsSymmetryDiscovery
        Fitted on the training transitions.
    group : TaskGroupResult
    task_report, system_report : VerificationReport
    timings : dict, optional

    Returns
    -------
    StructureResult

    Examples
    --------
    The stages of :func:`discover_structure`, run one by one:

    >>> from liesym.data import collect_transitions
    >>> from liesym.discovery import (DifferentialDiscovery, DynamicsSymmetryDiscovery,
    ...                               discover_task_group)
    >>> from liesym.envs import circle_tasks
    >>> from liesym.verify import verify_discovered
    >>> family, rng = circle_tasks(), np.random.default_rng(0)
    >>> goals = family.train_goals(2, rng=rng)
    >>> data = [collect_transitions(family, g[None], 3000, rng=rng) for g in goals]
    >>> base = DifferentialDiscovery(affine=True).fit(data[0].next_states, data[0].rewards)
    >>> dyn = DynamicsSymmetryDiscovery().fit(*(np.concatenate([getattr(d, k) for d in data])
    ...                                         for k in ("states", "actions", "next_states")))
    >>> group = discover_task_group(data, rng=rng)
    >>> res = assemble_structure(family, goals, base, dyn, group, verify_discovered(group),
    ...                          verify_discovered(dyn))
    >>> res.task_report.name, res.embedded
    ('so(2)', True)
    """
    task_algebra, system_algebra = group.algebra_, dynamics.algebra_
    numeric = (
        system_algebra.residual(task_algebra.basis)
        if system_algebra.n == task_algebra.n
        else [np.inf]
    )
    return StructureResult(
        family=family.name,
        train_goals=np.asarray(train_goals),
        base_symmetry=base.algebra_,
        base_fixed_point=base.fixed_point_,
        system_algebra=system_algebra,
        task_group=group,
        task_report=task_report,
        system_report=system_report,
        embedding_residual=exact_containment(task_report, system_report),
        embedding_numeric=float(np.max(numeric)),
        embedding_margin=2.0 * max(task_report.tol, system_report.tol),
        errors=_score(family, train_goals, base, system_algebra, group),
        timings=dict(timings or {}),
    )


def _score(family, goals, base, system_algebra, group) -> dict:
    """Errors against the family's ground truth (reporting only)."""

    def dist(a, b):
        return grassmann_distance(a, b) if a.n == b.n else None

    errors = {
        "base_symmetry_grassmann": dist(base.algebra_, family.base_symmetry_algebra),
        "system_grassmann": dist(system_algebra, family.system_algebra),
        "task_grassmann": dist(group.algebra_, family.task_algebra),
    }
    truth = family.group_element(goals)
    if truth.shape == group.elements_.shape:
        errors["task_element_error"] = float(np.max(np.abs(group.elements_ - truth)))
    if base.fixed_point_ is not None:
        errors["base_goal_error"] = float(np.linalg.norm(base.fixed_point_ - goals[0]))
    return errors


def certified_group_inputs(structure: StructureResult) -> tuple[LieAlgebra, np.ndarray]:
    """The snapped (certified) task algebra and its exact invariant form, as floats.

    Test-time inference runs on the *certified* algebra: the snapped exact basis is within
    ``task_report.snap.span_distance`` of the discovered one, and its invariant form M is
    exactly invariant and positive definite.

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> algebra, metric = certified_group_inputs(
    ...     discover_structure(circle_tasks(), n_steps=3000, rng=0))
    >>> algebra.name, metric  # exactly so(2), and the Euclidean metric it preserves
    (None, array([[1., 0.],
                  [0., 1.]]))
    >>> np.round(algebra.basis[0] * np.sqrt(2), 12) + 0.0  # the quarter turn, up to sign
    array([[ 0.,  1.],
           [-1.,  0.]])
    """
    from liesym._core import NotCertifiedError

    report = structure.task_report
    if report.compact is not True or report.exact_basis is None:
        raise NotCertifiedError(
            f"task algebra: compactness is {report.compact}; test-time inference needs a "
            "certified compact task group"
        )
    basis = np.array([np.array(m.tolist(), dtype=float) for m in report.exact_basis])
    metric = np.array(report.invariant_form.tolist(), dtype=float)
    return LieAlgebra(basis), metric


def goal_angle_error(metric, estimated_goals, goals) -> np.ndarray:
    """See :func:`liesym.transfer.goal_angle_error` (kept here for existing callers).

    Examples
    --------
    >>> goal_angle_error(np.eye(2), [[1.0, 0.0]], [[0.0, 2.0]]).round(6)
    array([1.570796])
    """
    from liesym.transfer.metrics import goal_angle_error as angle_error

    return angle_error(metric, estimated_goals, goals)


REFERENCES = ("oracle", "random")


@dataclass(frozen=True, eq=False)
class PipelineResult:
    """Everything :func:`run_pipeline` measured; per-test-task arrays are seed means.

    Attributes
    ----------
    family : str
    methods : tuple of str
        Evaluated methods (``"hereditary"`` first), then ``"oracle"`` and ``"random"``.
    scores : dict of str to ndarray, shape=[m]
        ``(R - R_random) / (R_oracle - R_random)`` per method and test task.
    returns : dict of str to ndarray, shape=[m]
        Mean return per method and test task.
    relative_regret : dict of str to ndarray, shape=[m]
        ``(R_oracle - R) / |R_oracle|`` per method and test task.
    representation : Representation
        Declared by the family or discovered (navigation).
    structure : StructureResult or None
        Discovery and certificates (navigation); None for a declared representation.
    certificate : VerificationReport
        The task group's certificate (compactness and invariant form used by inference).
    inferred_elements : ndarray, shape=[m, k]
        Exponential coordinates (``representation.state.basis``) of each test task's element,
        inferred from ``k_infer`` of its transitions.
    curve : RegretCurve
        Returns, regret and scores per method, evaluation seed and task.
    start_audit : StartLawAudit or None
        Whether the base task's start law is invariant under the group.
    start_law : str
        The start law the ``"hereditary"`` base policy was trained on ("own" or
        "symmetrised").
    inference_k : tuple of int
    inference_errors : ndarray, shape=[len(inference_k), m] or None
        Distance of the inferred element from the ground truth (evaluation only; radians).
    settings : dict
        Sizes and budgets (env steps) of the run.
    timings : dict
    base_policy : Policy or None
        The trained base policy of ``"hereditary"`` (families with a declared
        representation; the navigation run keeps it inside its evaluation).
    figures : dict of str to Path

    Examples
    --------
    A run takes tens of seconds of CPU even at small sizes, so the doctests skip this example
    (``liesym demo --quick`` runs the pipeline in ``tests/test_pipeline.py``; the user
    guide's pipeline page shows a full table):

    >>> from liesym.envs import circle_tasks
    >>> result = run_pipeline(circle_tasks(), n_test=2, seeds=1, n_episodes=2,
    ...                       inference_k=(10,), rng=0)  # doctest: +SKIP
    >>> result.methods  # doctest: +SKIP
    ('hereditary', 'nearest', 'contrastive', 'zero', 'oracle', 'random')
    >>> result.structure.embedded, result.scores["hereditary"].shape  # doctest: +SKIP
    (True, (2,))
    >>> print(result.table())  # doctest: +SKIP
    """

    family: str
    methods: tuple
    scores: dict
    returns: dict
    relative_regret: dict
    representation: object
    structure: object
    certificate: object
    inferred_elements: np.ndarray
    curve: object
    start_audit: object
    start_law: str
    inference_k: tuple
    inference_errors: np.ndarray | None
    settings: dict
    timings: dict
    base_policy: object = None
    figures: dict = field(default_factory=dict)

    @classmethod
    def _from_curve(cls, curve, **fields) -> "PipelineResult":
        names = tuple(curve.methods)
        per = {m: curve.returns[curve.index(m)].mean(axis=0) for m in names}
        return cls(
            family=curve.family,
            methods=names,
            scores={m: curve.band(m, "score").mean for m in names},
            returns=per,
            relative_regret={m: curve.band(m, "relative_regret").mean for m in names},
            curve=curve,
            **fields,
        )

    def table(self) -> str:
        """The results table printed by ``liesym demo`` and ``liesym run``."""
        lines = []
        if self.structure is not None:
            lines += [self.structure.table(), ""]
        else:
            c = self.certificate
            lines.append(
                f"declared representation: {self.representation!r}; task group {c.name}, "
                f"compact={c.compact}"
            )
        if self.start_audit is not None:
            lines.append(str(self.start_audit))
            lines.append(f"base policy trained on the {self.start_law} start law")
        if self.inference_errors is not None:
            lines.append(
                "test-time inference (element error, rad): "
                + ", ".join(
                    f"k={k}: median {np.median(e):.1e}, max {np.max(e):.1e}"
                    for k, e in zip(self.inference_k, self.inference_errors, strict=True)
                )
            )
        lines.append(f"transfer uses k = {self.settings['k_infer']} inferred transitions per task")
        lines.append("")
        lines.append(
            f"{'method':<24} {'return':>9} {'score mean':>10} {'score min':>10} "
            f"{'rel. regret median':>19} {'rel. regret max':>16}"
        )
        for m in self.methods:
            if m in REFERENCES and m != "oracle":
                continue
            rr = self.relative_regret[m]
            lines.append(
                f"{m:<24} {self.returns[m].mean():>9.3f} {self.scores[m].mean():>10.3f} "
                f"{self.scores[m].min():>10.3f} {np.median(rr):>19.3f} {rr.max():>16.3f}"
            )
        curve = self.curve
        lines.append(
            f"({len(curve.test_goals)} test tasks, {len(curve.seeds)} seeds x "
            f"{curve.n_episodes} episodes; score = (R - R_random) / (R_oracle - R_random), "
            "relative regret = (R_oracle - R) / |R_oracle|)"
        )
        lines.append("timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in self.timings.items()))
        return "\n".join(lines)


#: Alias of :class:`PipelineResult` (see its example), kept for callers of the former demo
#: record.
DemoResult = PipelineResult


#: Residual standard deviation of the base reward model above which ``probing="auto"`` probes
#: actively (noisy rewards).
ACTIVE_NOISE = 1e-3


@dataclass(frozen=True)
class _Probed:
    element_: np.ndarray
    coordinates_: np.ndarray


def _navigation_run(
    family,
    *,
    n_train,
    n_steps,
    n_test,
    k_infer,
    inference_k,
    seeds,
    n_episodes,
    rng,
    progress,
    probing="auto",
    online="auto",
):
    """The navigation families: discovery, certificates, reward-carried inference, fast path.

    The random stream is consumed in the order of the former ``run_demo`` so that the
    benchmark's seeds reproduce (discovery, base data, test data, inference, training).
    """
    from liesym.algebra import Representation
    from liesym.data import collect_transitions
    from liesym.manifolds import (
        CompactLieGroup,
        ElementTracker,
        GroupInference,
        fit_reward_profile,
    )
    from liesym.policies import ZeroPolicy
    from liesym.transfer import evaluate_transfer
    from liesym.transfer.metrics import goal_angle_error as angle_error

    timings = {}
    t0 = time.perf_counter()
    sizes = family.default_sizes
    n_train = sizes[0] if n_train is None else as_count(n_train, "n_train")
    n_test = sizes[1] if n_test is None else as_count(n_test, "n_test")
    structure = discover_structure(
        family, n_train=n_train, n_steps=n_steps, rng=rng, progress=progress
    )
    timings["discover+verify"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    algebra, metric = certified_group_inputs(structure)
    group = CompactLieGroup.from_algebra(algebra, metric)
    base = collect_transitions(family, structure.train_goals[0], n_steps, rng=rng)
    # The base reward model depends on the base task only: fit it once for every test task.
    base_model = fit_reward_profile(base.next_states, base.rewards, metric)
    test_goals = family.test_goals(n_test)
    inference_k = tuple(inference_k)
    ks = sorted(set(inference_k) | {k_infer})
    test_data = [collect_transitions(family, g, ks[-1], rng=rng) for g in test_goals]
    coords = np.zeros((len(test_goals), group.dim))
    elements = np.zeros((len(test_goals), group.n, group.n))
    errors = np.zeros((len(inference_k), len(test_goals)))
    base_goal = structure.train_goals[0]
    # The base model's residual on base data: the reward noise the inference has to beat.
    noise = float(np.std(base.rewards - base_model(base.next_states)))
    active = probing == "active" or (probing == "auto" and noise > ACTIVE_NOISE)
    online = online == "on" or (online == "auto" and noise > ACTIVE_NOISE)
    probes = [None] * len(test_goals)  # each task's k_infer probing transitions
    if active:
        from liesym.discovery.dynamics import fit_linear_dynamics
        from liesym.manifolds import probe_actively

        lin = fit_linear_dynamics(base.states, base.actions, base.next_states)
        probe_rng = rng.spawn(1)[0]  # a child stream: the later stages keep their draws

        def predict(s, a):
            return s @ lin.A.T + a @ lin.B.T + lin.c

    for j in progress_bar(range(len(test_goals)), enable=progress, desc="infer"):
        data = test_data[j]
        for k in ks:
            if active:
                probe = probe_actively(
                    family.make_env(test_goals[j]),
                    group,
                    base_model,
                    predict,
                    k,
                    noise_std=noise,
                    seed=int(probe_rng.integers(2**31)),
                    rng=probe_rng,
                )
                est = _Probed(probe.element, probe.coordinates)
                seen = (probe.next_states, probe.rewards)
            else:
                seen = (data.next_states[:k], data.rewards[:k])
                est = GroupInference(group, base_reward=base_model, rng=rng).fit(seen)
            if k in inference_k:
                errors[inference_k.index(k), j] = angle_error(
                    metric, est.element_ @ base_goal, test_goals[j]
                )
            if k == k_infer:
                elements[j], coords[j] = est.element_, est.coordinates_
                probes[j] = seen
    timings["inference"] = time.perf_counter() - t0

    index = {tuple(np.round(g, 12)): j for j, g in enumerate(test_goals)}
    center = base_model.center  # the base reward's centre, fitted to base-task data

    def element_of(goal):
        # The goal only identifies which test task's *inferred* element to use.
        return elements[index[tuple(np.round(goal, 12))]]

    def tracker_of(goal):
        # The task's probes are the prior; the episode's own rewards do the rest. The grid
        # (quasi-random for dim > 1) is seeded by the task's index: no draw from ``rng``.
        j = index[tuple(np.round(goal, 12))]
        return ElementTracker(group, base_model, prior=probes[j], rng=j)

    t0 = time.perf_counter()
    n = family.n
    curve = evaluate_transfer(
        family,
        structure.train_goals,
        test_goals,
        element_of=element_of,
        tracker_of=tracker_of if online else None,
        train_elements=structure.task_group.elements_,
        # Tasks are cosets L Stab(c_0): compare the images of the base reward's fitted
        # centre c_0 (inferred from base data only) in the chart of M, so that elements
        # differing by a stabiliser rotation (sphere) count as the same task.
        element_distance=lambda train, el: np.linalg.norm(
            (train - el) @ center @ group.chart.T, axis=-1
        ),
        extra={"zero": lambda goal: ZeroPolicy(n, n)},
        n_episodes=n_episodes,
        seeds=seeds,
        rng=rng,
        progress=progress,
    )
    timings["train+evaluate"] = time.perf_counter() - t0
    settings = {
        "k_infer": k_infer,
        "n_train": n_train,
        "n_steps": n_steps,
        "n_test": n_test,
        "n_episodes": n_episodes,
        "probing": "active" if active else "random",
        "online": online,
        "reward_noise_estimate": noise,
        "nearest": "training task whose discovered element moves the fitted base centre "
        "nearest to where the test task's inferred element moves it",
    }
    return PipelineResult._from_curve(
        curve,
        representation=Representation(algebra, algebra),
        structure=structure,
        certificate=structure.task_report,
        inferred_elements=coords,
        start_audit=None,
        start_law="own",
        inference_k=inference_k,
        inference_errors=errors,
        settings=settings,
        timings=timings,
    )


def _period_coords(representation, rng, shape) -> np.ndarray:
    """Coordinates spread over one period of each generator, stratified along the last axis.

    Stratified draws (a random offset plus evenly spaced points) cover the group with far
    less variance than independent ones, which matters when a few episodes score a policy.
    """
    periods = []
    for w in representation.state.linear_part:
        freq = np.abs(np.linalg.eigvals(w).imag)
        freq = freq[freq > 1e-9]
        periods.append(2 * np.pi / freq.min() if freq.size else 2 * np.pi)
    periods = np.array(periods)
    e = shape[-1]
    u = (rng.uniform(size=(*shape[:-1], 1, representation.dim)) + np.arange(e)[:, None] / e) % 1
    return (u - 0.5) * periods


def discover_representation(
    family,
    *,
    n_steps: int = 5000,
    rng=None,
    rewards: bool = False,
    transitions=None,
    options=None,
    estimator=None,
):
    """A family's representation discovered from random-policy transitions.

    Runs :class:`~liesym.discovery.EquivarianceDiscovery` on the transitions of every training
    task (dynamics only by default: tasks carried in the reward would break the symmetry the
    family shares), or on given ``transitions``, certifies the state algebra at the
    discovery's own uncertainty (:func:`verify_discovered`) and pairs the action generators
    with the certified (snapped) state basis.

    A goal-conditioned env whose training tasks fix the goal (Reacher's target in the
    observation) cannot show how the goal channels transform: with the goal constant in the
    data, every linear map of it is a symmetry. Pass the env's own transitions instead (its own
    random goals, ``rewards=True``): there the goal varies and the reward ties it to the rest.

    Parameters
    ----------
    family : GymnasiumFamily
    n_steps : int, optional, default: 5000
        Random-policy transitions per training task.
    rng : None, int or Generator
    rewards : bool, optional, default: False
        Also require the rewards to be invariant (tasks carried in the state).
    transitions : Transitions or tuple, optional
        Transitions to discover from instead of collecting ``n_steps`` per training task: a
        record with ``states``, ``actions``, ``next_states`` (and ``rewards``), or a tuple
        ``(states, actions, next_states[, rewards])``; observations and actions must have the
        family's dimensions.
    options : mapping, optional
        Parameters of :class:`~liesym.discovery.EquivarianceDiscovery` (any but ``rng``,
        which is the ``rng`` argument), e.g. ``{"degree": 3, "metric": "auto", "n_anchors":
        12_000}``: local cubic fits in a data-chosen metric at 12,000 anchors, which
        recover Reacher's rotation from 10^6 transitions to about 7e-4 rad, certified
        so(2) in 5 of 5 seeds (benchmarks/bench_equivariance.py).
        Default: the estimator's defaults.
    estimator : EquivarianceDiscovery, optional
        An estimator already fitted to the family's transitions (e.g. one kept from an
        earlier run on the same data): its result is certified and paired as is, and
        nothing is collected or fitted (``transitions`` and ``options`` must then be None).

    Returns
    -------
    representation : Representation
        The certified state basis, each generator oriented with its first nonzero entry
        (row-major) negative like J = [[0, -1], [1, 0]] (so one certified group gives one
        basis, whatever the sign of the estimate), with the discovered action generators
        paired to it (an action generator within the certificate's tolerance of 0 is
        exactly 0), or the
        discovered basis when the certificate has no exact basis: check ``report.compact``
        before using it as a group.
    estimator : EquivarianceDiscovery
    report : VerificationReport

    Examples
    --------
    A planar double integrator (state (p, v) in R^4, forces in the unit disc), its
    representation withheld:

    >>> import gymnasium as gym
    >>> from liesym.algebra import grassmann_distance
    >>> from liesym.envs import GymnasiumFamily
    >>> class Puck(gym.Env):
    ...     def __init__(self, goal):
    ...         self.goal = np.asarray(goal, dtype=np.float64)
    ...         self.observation_space = gym.spaces.Box(-np.inf, np.inf, (4,), np.float64)
    ...         self.action_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float64)
    ...     def reset(self, *, seed=None, options=None):
    ...         super().reset(seed=seed)
    ...         self.s, self.t = np.r_[0.1 * self.np_random.standard_normal(2), 0, 0], 0
    ...         return self.s.copy(), {}
    ...     def step(self, action):
    ...         a = np.clip(action, -1.0, 1.0)
    ...         a = a / max(1.0, float(np.linalg.norm(a)))
    ...         p, v = self.s[:2], self.s[2:]
    ...         self.s = np.r_[p + 0.1 * v + 0.005 * (a - v), v + 0.1 * (a - v)]
    ...         self.t += 1
    ...         r = -float(np.sum((self.s[:2] - self.goal) ** 2))
    ...         return self.s.copy(), r, False, self.t >= 50, {"applied_action": a}
    >>> goals = [np.array([np.cos(t), np.sin(t)]) for t in (0.0, 2.0)]
    >>> rep, est, report = discover_representation(
    ...     GymnasiumFamily(Puck, goals[:1], goals[1:]), n_steps=3000, rng=0
    ... )
    >>> rep.state.dim, rep.action.shape  # one rotation of p and v, and of the force
    (1, (1, 2, 2))
    >>> J = np.array([[0.0, -1.0], [1.0, 0.0]])
    >>> bool(grassmann_distance(rep.state, np.kron(np.eye(2), J)[None]) < 0.05)
    True
    >>> report.compact is not False  # too few transitions to snap: abstains, never wrong
    True
    """
    from liesym.data import collect_transitions
    from liesym.discovery import EquivarianceDiscovery

    if estimator is not None:
        if not isinstance(estimator, EquivarianceDiscovery):
            raise TypeError(
                "estimator: expected a fitted EquivarianceDiscovery, got "
                f"{type(estimator).__name__}"
            )
        if not hasattr(estimator, "dim_"):
            raise ValueError("estimator: expected a fitted EquivarianceDiscovery (call fit first)")
        if transitions is not None or options is not None:
            raise ValueError(
                "estimator: a fitted estimator replaces the fit; leave transitions and options None"
            )
        n_channels = family.observation_dim + family.action_dim
        if estimator.metric_.size != n_channels:
            raise ValueError(
                f"estimator: fitted to {estimator.metric_.size} state and action channels, "
                f"the family has {n_channels}"
            )
        return _certified_representation(estimator)
    options = _estimator_options(options)
    rng = as_rng(rng)
    if transitions is None:
        data = collect_transitions(family, list(family.train_tasks), n_steps, rng=rng)
        s, a, s2, r = data.states, data.actions, data.next_states, data.rewards
    else:
        s, a, s2, r = _transition_tuple(transitions, family)
        if rewards and r is None:
            raise ValueError(
                "transitions: rewards=True needs the rewards (a record with rewards, or a "
                "tuple (states, actions, next_states, rewards))"
            )
    est = EquivarianceDiscovery(rng=rng, **options).fit(s, a, s2, r if rewards else None)
    return _certified_representation(est)


def _estimator_options(options) -> dict:
    """``options`` of :func:`discover_representation`, checked against the estimator's."""
    import inspect
    from collections.abc import Mapping

    from liesym.discovery import EquivarianceDiscovery

    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise TypeError(
            "options: expected a mapping of EquivarianceDiscovery parameters, got "
            f"{type(options).__name__}"
        )
    known = set(inspect.signature(EquivarianceDiscovery).parameters) - {"rng"}
    unknown = sorted(map(str, set(options) - known))
    if unknown:
        hint = " (pass rng= to discover_representation)" if "rng" in unknown else ""
        raise ValueError(
            f"options: unknown EquivarianceDiscovery parameter(s) {unknown}{hint}; expected "
            f"some of {sorted(known)}"
        )
    return dict(options)


def _certified_representation(est):
    """Certify a fitted EquivarianceDiscovery; pair its action generators with the snap."""
    from liesym.algebra import Representation

    if est.representation_ is None:
        raise RuntimeError(
            "family: no symmetry of the transitions found (declare the representation, or "
            "collect more transitions)"
        )
    found = est.representation_
    report = verify_discovered(est)
    if report.exact_basis is None:
        return found, est, report
    exact = np.array([np.array(m.tolist(), dtype=float) for m in report.exact_basis])
    k = found.dim
    # A null vector's sign is arbitrary, so orient each generator by one convention, that of
    # J = [[0, -1], [1, 0]]: its first nonzero entry (row-major) negative. The entries are
    # exact, so the same certified group always gets the same basis, and the pipeline's
    # draws of group elements (exp(t E)) do not mirror with the sign the SVD returned.
    flat = exact.reshape(k, -1)
    exact *= -np.sign(flat[np.arange(k), np.argmax(flat != 0, axis=1)])[:, None, None]
    # exact = T found (within the certificate's tolerance): carry W_A through T.
    change = np.linalg.lstsq(
        found.state.basis.reshape(k, -1).T, exact.reshape(k, -1).T, rcond=None
    )[0]
    action = np.tensordot(change.T, found.action, axes=1)
    # Action entries within the certificate's entry-wise tolerance of 0 (relative to the
    # exact generator's largest entry) are 0 at the resolution the state was snapped at:
    # their estimation noise (Reacher's invariant torques: 1e-6) would otherwise pair the
    # exact state rotation with a spurious, incommensurate rotation of the actions.
    scale = np.abs(exact).max(axis=(1, 2))
    action[np.abs(action).max(axis=(1, 2)) <= report.tol * scale] = 0.0
    return Representation(exact, action), est, report


def _transition_tuple(transitions, family):
    """``(states, actions, next_states, rewards or None)`` of a record or a tuple, checked."""
    if isinstance(transitions, tuple | list):
        if len(transitions) not in (3, 4):
            raise ValueError(
                "transitions: expected (states, actions, next_states[, rewards]), got a "
                f"sequence of {len(transitions)}"
            )
        s, a, s2, r = transition_arrays(*transitions)
    elif all(hasattr(transitions, k) for k in _STEP_FIELDS):
        s, a, s2, r = transition_arrays(transitions)
    else:
        raise TypeError(
            "transitions: expected a Transitions record or a tuple (states, actions, "
            f"next_states[, rewards]), got {type(transitions).__name__}"
        )
    if s.shape[1] != family.observation_dim:
        raise ValueError(
            f"transitions: expected states of shape (N, {family.observation_dim}) like the "
            f"family's observations, got {s.shape}"
        )
    if a.shape[1] != family.action_dim:
        raise ValueError(
            f"transitions: expected actions of shape (N, {family.action_dim}) like the "
            f"family's, got {a.shape}"
        )
    return s, a, s2, r


def _certify(representation):
    """The declared group's certificate, its compact group and the invariant form."""
    from liesym._core import NotCertifiedError
    from liesym.algebra import LieAlgebra
    from liesym.manifolds import CompactLieGroup
    from liesym.verify import verify

    state = representation.state
    if state.affine:
        raise ValueError(
            "representation: an affine state representation needs its fixed point moved to the "
            "origin for a compact group (translate the observations)"
        )
    report = verify(LieAlgebra(state.basis))
    if report.compact is not True or report.invariant_form is None:
        raise NotCertifiedError(
            f"representation: the state algebra is not certified compact (name {report.name}, "
            f"compact={report.compact} at tol {report.tol:g}: {report.compactness.reason}); "
            "bounded test-time search needs a compact group, so declare its generators exactly "
            "(entries known to rounding level)"
        )
    metric = np.array(report.invariant_form.tolist(), dtype=float)
    return report, CompactLieGroup.from_algebra(state, metric)


def _generic_run(
    family,
    *,
    k_infer,
    seeds,
    rng,
    progress,
    n_episodes,
    start_law,
    trainer,
    features,
    oracle,
    n_base_steps,
    contrastive,
    surrogate,
    n_steps=5000,
    base_trainer=None,
):
    """Any family: certify its (declared or discovered) group, audit, infer, train, evaluate."""
    from liesym.data import collect_transitions
    from liesym.envs import audit_start_law
    from liesym.manifolds import GroupInference
    from liesym.policies import CEMTrainer, ZeroPolicy
    from liesym.transfer import (
        ContrastiveMetaPolicy,
        HereditaryPolicy,
        compare_policies,
        nearest_task_policies,
    )

    rep = family.representation
    timings = {}
    if rep is None:  # discovered from the training tasks' transitions (dynamics only)
        t0 = time.perf_counter()
        rep, _, found = discover_representation(family, n_steps=n_steps, rng=rng)
        if found.compact is not True:
            from liesym._core import NotCertifiedError

            # Never fall back to the float estimate: verify() at its default tolerance would
            # judge the estimate, not the algebra the data determine.
            raise NotCertifiedError(
                "representation: the discovered state algebra is not certified compact at the "
                f"discovery's own uncertainty ({found.name}, compact={found.compact}, "
                f"tol {found.tol:.2g}); declare it, or discover it from more transitions "
                "(discover_representation(..., transitions=...))"
            )
        timings["discover"] = time.perf_counter() - t0
    if rep.state_dim != family.observation_dim:
        raise ValueError(
            f"representation: acts on R^{rep.state_dim}, observations are in "
            f"R^{family.observation_dim}"
        )
    if rep.action_dim not in (None, family.action_dim):
        raise ValueError(
            f"representation: acts on actions of R^{rep.action_dim}, the env's are in "
            f"R^{family.action_dim}"
        )
    if start_law not in ("auto", "own", "symmetrised", "both"):
        raise ValueError(
            f"start_law: expected 'auto', 'own', 'symmetrised' or 'both', got {start_law!r}"
        )
    t0 = time.perf_counter()
    report, group = _certify(rep)
    audit = audit_start_law(family, rep, rng=rng)
    if start_law == "auto":
        start_law = "own" if audit.invariant or not family.can_set_start else "both"
    if start_law in ("symmetrised", "both") and not family.can_set_start:
        raise ValueError(
            f"start_law: {start_law!r} needs a family that can set start states (set_start)"
        )
    timings["certify+audit"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    train_tasks, test_tasks = list(family.train_tasks), list(family.test_tasks)
    base_data = collect_transitions(family, [family.base_task], n_base_steps, rng=rng)

    base_model = {"base_data": base_data, "surrogate": surrogate}

    def infer(task):
        data = collect_transitions(family, [task], k_infer, rng=rng)
        est = GroupInference(group, rng=rng, **base_model).fit(data)
        if est.carrier_ == "reward":  # the base model depends on the base task only
            base_model.clear()
            base_model["base_reward"] = est.base_model_
        return est.coordinates_

    items = progress_bar(train_tasks + test_tasks, enable=progress, desc="infer")
    coords = np.array([infer(t) for t in items])
    train_coords, test_coords = coords[: len(train_tasks)], coords[len(train_tasks) :]
    errors = None
    if family.ground_truth is not None:
        truth = np.array([np.ravel(family.ground_truth(t)) for t in test_tasks])
        errors = group.dist(group.exp(test_coords), group.exp(truth))[None]
    timings["inference"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    trainer = CEMTrainer(rng=rng, progress=progress) if trainer is None else trainer

    def moves(r, shape):
        return rep.elements(_period_coords(rep, r, shape))[0]

    # Rotated actions must stay admissible: when some element moves actions every policy
    # saturates on the largest ball inside the (symmetric) action box. Actions that every
    # element fixes (no or all-zero action generators, as a certified W_A = 0) keep the box.
    low, high = family.action_bounds
    radius = float(np.min(np.minimum(-low, high))) if rep.moves_actions else None
    options = {"features": features, "radius": radius}
    train_policies = trainer.fit(family, train_tasks, **options).policies_
    bases = {}
    if start_law in ("symmetrised", "both"):
        bases["hereditary"] = (
            (trainer if base_trainer is None else base_trainer)
            .fit(family, [family.base_task], start_moves=moves, **options)
            .policy_
        )
    own = train_policies[0]  # the base task's policy on its own start law
    if start_law == "own":
        bases["hereditary"] = own
    elif start_law == "both":
        bases["hereditary (own start)"] = own
    if oracle is None:
        oracle = trainer.fit(family, test_tasks, **options).policies_
    methods = {
        name: [HereditaryPolicy(base, rep.elements(c)) for c in test_coords]
        for name, base in bases.items()
    }
    index = {id(t): j for j, t in enumerate(test_tasks)}
    elements = group.exp(test_coords)
    train_elements = group.exp(train_coords)
    methods["nearest"] = nearest_task_policies(
        None,
        train_tasks,
        train_policies,
        element_of=lambda task: elements[index[id(task)]],
        train_elements=train_elements,
        distance=group.dist,
    )
    if len(train_tasks) >= 2:
        model = contrastive or ContrastiveMetaPolicy(
            context_size=k_infer, n_contexts=64, trainer=trainer, rng=rng
        )
        methods["contrastive"] = model.fit(family, train_tasks).policies(family, rng=rng)
    methods["zero"] = [ZeroPolicy(family.observation_dim, family.action_dim) for _ in test_tasks]
    timings["train"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    curve = compare_policies(
        family,
        methods,
        oracle,
        tasks=test_tasks,
        n_episodes=n_episodes,
        seeds=seeds,
        progress=progress,
    )
    timings["evaluate"] = time.perf_counter() - t0
    settings = {
        "k_infer": k_infer,
        "n_base_steps": n_base_steps,
        "n_episodes": n_episodes,
        "start_law": start_law,
        "trainer": repr(trainer),
        "action_radius": radius,
        "nearest": "training task with the nearest inferred element (geodesic distance)",
    }
    return PipelineResult._from_curve(
        curve,
        representation=rep,
        structure=None,
        certificate=report,
        inferred_elements=test_coords,
        start_audit=audit,
        start_law="symmetrised" if start_law in ("symmetrised", "both") else "own",
        inference_k=(k_infer,),
        inference_errors=errors,
        settings=settings,
        timings=timings,
        base_policy=bases["hereditary"],
    )


def run_pipeline(
    family,
    *,
    k_infer: int = 10,
    seeds=3,
    rng=0,
    progress: bool = False,
    n_episodes: int = 16,
    start_law: str = "auto",
    trainer=None,
    base_trainer=None,
    features=None,
    oracle=None,
    n_base_steps: int = 2000,
    contrastive=None,
    surrogate: str = "rbf",
    n_train: int | None = None,
    n_steps: int = 2000,
    n_test: int | None = None,
    inference_k=None,
    probing: str = "auto",
    online: str = "auto",
) -> PipelineResult:
    """The whole hereditary pipeline on a task family: structure, inference, transfer, scores.

    No method uses the family's ground truth: the group comes from the declared
    representation (certified compact by :func:`liesym.verify.verify`) or, for the built-in
    navigation families, is discovered and certified from random-policy data; each test
    task's element is inferred from ``k_infer`` random-policy transitions of that task and
    base-task data only; the base policy is trained from rewards on the base task; the
    nearest-task baseline picks by inferred element. Ground truth only scores the results.

    For a family with a declared representation the base task's start law is audited
    (:func:`liesym.envs.audit_start_law`); with ``start_law="auto"`` a non-invariant law
    (and a family that can set start states) trains the base policy on the symmetrised start
    law (``"hereditary"``) and reports the own-start-law policy beside it
    (``"hereditary (own start)"``).

    Parameters
    ----------
    family : GymnasiumFamily
    k_infer : int, optional, default: 10
        Transitions of each test task the inference sees.
    seeds : int or sequence of int, optional, default: 3
        Evaluation seeds (reset seeds shared by every method: common random numbers).
    rng : None, int or Generator, optional, default: 0
        Everything random before the evaluation (data, training, inference).
    progress : bool, optional, default: False
    n_episodes : int, optional, default: 16
        Episodes per evaluation seed and task.
    start_law : {"auto", "own", "symmetrised", "both"}, optional
    trainer : CEMTrainer, optional
        Budget of every trained policy (base, training tasks, oracle, contrastive).
    base_trainer : CEMTrainer, optional
        Trainer of the base policy on the symmetrised start law (default: ``trainer``): its
        starts span the whole group, where every other policy sees one start law, so its
        search may split the same env steps differently (more members, fewer episodes).
    features : ProductFeatures, optional
        Fixed features of the linear policies.
    oracle : sequence of Policy, optional
        Policies trained on each test task (default: trained here with ``trainer``).
    n_base_steps : int, optional, default: 2000
        Random-policy transitions of the base task for the inference model.
    contrastive : ContrastiveMetaPolicy, optional
    surrogate : {"rbf", "profile"}, optional, default: "rbf"
        Base-reward model when tasks are carried in the reward (not the navigation families:
        their reward model is exact).
    n_train, n_steps, n_test, inference_k
        Navigation families: training tasks, random-policy transitions per task, test tasks,
        and the k values of the inference-error curve. A family without a declared
        representation: ``n_steps`` random-policy transitions per training task, from which
        :func:`discover_representation` finds and certifies it.
    probing : {"auto", "active", "random"}, optional, default: "auto"
        Navigation families: how each test task's ``k_infer`` transitions are chosen.
        ``"random"``: random-policy transitions; ``"active"``: each action starts the plan
        over the remaining steps with the least expected squared error of the posterior mode
        on the certified group (:func:`~liesym.manifolds.probe_actively`, with a linear
        dynamics model and the reward noise estimated from base-task data); ``"auto"``:
        active when the base reward model's residual on base data exceeds ``ACTIVE_NOISE``
        (noisy rewards), random otherwise. Other families infer from ``k_infer`` random-policy
        transitions and refuse any value but ``"auto"`` (as ``online``).
    online : {"auto", "on", "off"}, optional, default: "auto"
        Navigation families: whether the hereditary policy goes on inferring its task's
        element from each episode's own (noisy) rewards while it acts
        (:class:`~liesym.transfer.TrackingHereditaryPolicy`, the probes as prior), reported as
        ``"hereditary"`` beside ``"hereditary (probes only)"`` (the element from the probes,
        fixed). ``"auto"``: on under the same rule as active probing. With little reward
        noise the k probes already pin the element down; with more, k probes near the start
        cannot (the reward's sensitivity to the task grows with the distance from the
        orbit's centre, which the probes barely leave), while the episode reaches it.

    Returns
    -------
    PipelineResult

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> res = run_pipeline(circle_tasks(), n_test=4, seeds=1, n_episodes=4,
    ...                    inference_k=(10,), rng=0)  # doctest: +SKIP
    >>> bool(res.scores["hereditary"].min() > 0.95)  # doctest: +SKIP
    True
    """
    from liesym.envs import GymnasiumFamily, TaskFamily

    if not isinstance(family, GymnasiumFamily):
        raise TypeError(f"family: expected a GymnasiumFamily, got {type(family).__name__}")
    k_infer = as_count(k_infer, "k_infer")
    n_episodes = as_count(n_episodes, "n_episodes")
    if probing not in ("auto", "active", "random"):
        raise ValueError(f"probing: expected 'auto', 'active' or 'random', got {probing!r}")
    if online not in ("auto", "on", "off"):
        raise ValueError(f"online: expected 'auto', 'on' or 'off', got {online!r}")
    rng = as_rng(rng)
    if isinstance(family, TaskFamily):
        given = {
            "start_law": start_law != "auto",
            "trainer": trainer is not None,
            "base_trainer": base_trainer is not None,
            "features": features is not None,
            "oracle": oracle is not None,
            "contrastive": contrastive is not None,
            "n_base_steps": n_base_steps != 2000,
            "surrogate": surrogate != "rbf",
        }
        if any(given.values()):
            raise ValueError(
                f"{', '.join(k for k, v in given.items() if v)}: not used by the navigation "
                "families' run (their start law is invariant, their reward model exact and "
                "fitted on the training data, and their policies trained on the fast path with "
                "the default settings)"
            )
        return _navigation_run(
            family,
            n_train=n_train,
            n_steps=as_count(n_steps, "n_steps"),
            n_test=n_test,
            k_infer=k_infer,
            inference_k=(k_infer,) if inference_k is None else inference_k,
            seeds=seeds,
            n_episodes=n_episodes,
            rng=rng,
            progress=progress,
            probing=probing,
            online=online,
        )
    navigation_only = {"probing": probing != "auto", "online": online != "auto"}
    if any(navigation_only.values()):
        raise ValueError(
            f"{', '.join(k for k, v in navigation_only.items() if v)}: implemented for the "
            "navigation families only (a GymnasiumFamily infers each test task's element from "
            "k_infer random-policy transitions, fixed while the policy acts)"
        )
    return _generic_run(
        family,
        k_infer=k_infer,
        seeds=seeds,
        rng=rng,
        progress=progress,
        n_episodes=n_episodes,
        start_law=start_law,
        trainer=trainer,
        base_trainer=base_trainer,
        features=features,
        oracle=oracle,
        n_base_steps=as_count(n_base_steps, "n_base_steps"),
        contrastive=contrastive,
        surrogate=surrogate,
        n_steps=as_count(n_steps, "n_steps"),
    )


def run_demo(
    family,
    *,
    n_train: int | None = 2,
    n_steps: int = 2000,
    n_test: int | None = 36,
    k_infer: int = 10,
    inference_k=(1, 2, 3, 5, 10, 20),
    seeds=3,
    n_episodes: int = 32,
    out_dir=None,
    rng=0,
    progress: bool = True,
    **options,
) -> PipelineResult:
    """:func:`run_pipeline` with the demo's sizes, plus its figures in ``out_dir``.

    Parameters
    ----------
    family : GymnasiumFamily
    n_train, n_steps, n_test, k_infer, inference_k, seeds, n_episodes, rng, progress
        As in :func:`run_pipeline`.
    out_dir : path, optional
        Folder for figures (none written when None).
    **options
        Further settings of :func:`run_pipeline`.

    Returns
    -------
    PipelineResult

    Examples
    --------
    A tiny run (two test tasks, one seed) with its figures. It takes about 20 s of CPU, so
    the doctests skip it; ``liesym demo --quick`` runs the same path in the test suite
    (``tests/test_pipeline.py``), and the user guide's pipeline page shows a full table.

    >>> import tempfile
    >>> from liesym.envs import circle_tasks
    >>> result = run_demo(circle_tasks(), n_test=2, seeds=1, n_episodes=2, inference_k=(10,),
    ...                   out_dir=tempfile.mkdtemp(), progress=False, rng=0)  # doctest: +SKIP
    >>> result.methods  # doctest: +SKIP
    ('hereditary', 'nearest', 'contrastive', 'zero', 'oracle', 'random')
    >>> bool(result.scores["hereditary"].min() > 0.95), result.structure.embedded  # doctest: +SKIP
    (True, True)
    >>> sorted(result.figures)  # doctest: +SKIP
    ['base_symmetry', 'relative_regret', 'scores', 'task_algebra']
    """
    result = run_pipeline(
        family,
        n_train=n_train,
        n_steps=n_steps,
        n_test=n_test,
        k_infer=k_infer,
        inference_k=inference_k,
        seeds=seeds,
        n_episodes=n_episodes,
        rng=rng,
        progress=progress,
        **options,
    )
    if out_dir is not None:
        result.figures.update(write_demo_figures(result, family, out_dir))
    return result


def write_demo_figures(result: PipelineResult, family, out_dir) -> dict:
    """The figures of a run (:func:`liesym.viz.pipeline_figures`).

    Examples
    --------
    After a run (skipped by the doctests: see :func:`run_demo`):

    >>> import tempfile
    >>> from liesym.envs import circle_tasks
    >>> family = circle_tasks()
    >>> result = run_pipeline(family, n_test=2, seeds=1, n_episodes=2,
    ...                       inference_k=(10,), rng=0)  # doctest: +SKIP
    >>> sorted(write_demo_figures(result, family, tempfile.mkdtemp()))  # doctest: +SKIP
    ['base_symmetry', 'relative_regret', 'scores', 'task_algebra']
    """
    from liesym.viz import pipeline_figures

    return pipeline_figures(result, family, out_dir)
