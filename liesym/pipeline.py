"""The whole hereditary pipeline on one task family, as library functions the CLI wraps.

:func:`discover_structure` goes from transitions to certified structure: the base task's affine
reward symmetry and the system (dynamics) symmetries in closed form, the task-group elements and
algebra, and SymPy certificates of the subgroup embedding (task algebra inside the system algebra,
compact, connected, linearizable). No ground truth is used by the methods; the family's ground
truth is used only to *score* what was found (``errors`` fields).
"""

import time
from dataclasses import dataclass, field

import numpy as np

from liesym._core import as_rng, progress
from liesym.algebra import LieAlgebra, grassmann_distance, sqrt_spd


def verify_discovered(result, elements=None, **kwargs):
    """Certify a discovered algebra at its uncertainty (:func:`liesym.verify.verify_discovered`).

    The certification policy lives in :mod:`liesym.verify`; this re-export (imported lazily, it
    loads SymPy) keeps ``liesym.pipeline.verify_discovered`` working.
    """
    from liesym.verify import verify_discovered as impl

    return impl(result, elements, **kwargs)


def exact_containment(sub_report, sup_report) -> float | None:
    """The exact residual of one certified algebra outside another.

    See :func:`liesym.verify.exact_containment`.
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
    rng=None,
    show_progress: bool = False,
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
    rng : None, int or Generator
    show_progress : bool, optional, default: False

    Returns
    -------
    StructureResult

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> res = discover_structure(circle_tasks(), n_steps=1000, rng=0)
    >>> res.task_report.name, res.embedded
    ('so(2)', True)
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
        base = DifferentialDiscovery(affine=True).fit(data[0].next_states, data[0].rewards)
        if base.algebra_ is None:
            raise RuntimeError("discover_structure: no reward symmetry found on the base task")
        dyn = DynamicsSymmetryDiscovery().fit(
            np.concatenate([d.states for d in data]),
            np.concatenate([d.actions for d in data]),
            np.concatenate([d.next_states for d in data]),
        )
        if dyn.algebra_ is None:
            raise RuntimeError("discover_structure: no dynamics symmetry found")
        found.update(base=base, dyn=dyn)

    def task_group():
        found["group"] = discover_task_group(found["data"], rng=rng)

    def certify():
        group = found["group"]
        # Each certificate's tolerance comes from the discovery's own uncertainty.
        found["task_report"] = verify_discovered(group)
        found["system_report"] = verify_discovered(found["dyn"])

    timings = {}
    stages = [
        ("collect", collect),
        ("symmetries", symmetries),
        ("task_group", task_group),
        ("verify", certify),
    ]
    for name, stage in progress(stages, enable=show_progress, desc="discover"):
        t0 = time.perf_counter()
        stage()
        timings[name] = time.perf_counter() - t0
    base, dyn, group = found["base"], found["dyn"], found["group"]
    task_report, system_report = found["task_report"], found["system_report"]

    return assemble_structure(
        family, goals, base, dyn, group, task_report, system_report, timings=timings
    )


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
    """Angle between estimated and true goals in the chart x -> M^{1/2} x (radians).

    For the circle and ellipse this is the task-angle error; on the sphere it ignores the
    stabiliser of the goal, which no reward can resolve.
    """
    root, _ = sqrt_spd(metric)
    a = np.asarray(estimated_goals) @ root
    b = np.asarray(goals) @ root
    a = a / np.linalg.norm(a, axis=-1, keepdims=True)
    b = b / np.linalg.norm(b, axis=-1, keepdims=True)
    # Half-chord form: accurate for tiny angles, where arccos of the cosine is not.
    chord = np.linalg.norm(a - b, axis=-1)
    return 2.0 * np.arctan2(chord, np.linalg.norm(a + b, axis=-1))


@dataclass(frozen=True)
class DemoResult:
    """Everything :func:`run_demo` measured.

    Attributes
    ----------
    structure : StructureResult
    inference_k : tuple of int
    inference_errors : ndarray, shape=[len(inference_k), m]
        Goal-angle error of the inferred element for each k and test task (radians).
    curve : RegretCurve
        Returns, regret and normalised score of every method on every test task.
    figures : dict of str to Path
    timings : dict
    """

    structure: StructureResult
    inference_k: tuple
    inference_errors: np.ndarray
    curve: object
    figures: dict
    timings: dict

    def table(self) -> str:
        """The results table printed by ``liesym demo``."""
        curve = self.curve
        lines = [self.structure.table(), ""]
        k_used = self.inference_k.index(max(k for k in self.inference_k if k <= 10))
        err = self.inference_errors
        lines.append(
            "test-time inference (goal angle error, rad): "
            + ", ".join(
                f"k={k}: median {np.median(e):.1e}, max {np.max(e):.1e}"
                for k, e in zip(self.inference_k, err, strict=True)
            )
        )
        lines.append(f"transfer uses k = {self.inference_k[k_used]} inferred transitions per task")
        lines.append("")
        lines.append(
            f"{'method':<13} {'score mean':>10} {'score min':>10} {'regret mean':>12} "
            f"{'slope /rad':>11}"
        )
        for method in curve.methods:
            if method in ("oracle", "random"):
                continue
            score = curve.band(method, "score").mean
            regret = curve.band(method, "regret").mean
            lines.append(
                f"{method:<13} {score.mean():>10.3f} {score.min():>10.3f} {regret.mean():>12.2f} "
                f"{curve.slope(method):>11.2f}"
            )
        lines.append(
            f"({len(curve.test_goals)} test tasks, {len(curve.seeds)} seeds x "
            f"{curve.n_episodes} episodes; score = (R - R_random) / (R_oracle - R_random))"
        )
        lines.append("timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in self.timings.items()))
        return "\n".join(lines)


def run_demo(
    family,
    *,
    n_train: int = 2,
    n_steps: int = 2000,
    n_test: int = 36,
    k_infer: int = 10,
    inference_k=(1, 2, 3, 5, 10, 20),
    seeds: int = 3,
    n_episodes: int = 32,
    out_dir=None,
    rng=0,
    show_progress: bool = True,
) -> DemoResult:
    """The whole pipeline: discover, certify, infer each test task, transfer, evaluate.

    No step uses the family's ground truth: the task group is discovered and certified from
    random-policy data of the training tasks, each test task's group element is inferred from
    ``k_infer`` random-policy transitions of that task and the base task's data, and the base
    policy is trained from rewards. The ground truth only scores the results.

    Parameters
    ----------
    family : TaskFamily
    n_train : int, optional, default: 2
        Training tasks (base first).
    n_steps : int, optional, default: 2000
        Random-policy transitions per training task.
    n_test : int, optional, default: 36
        Evenly spread test tasks.
    k_infer : int, optional, default: 10
        Test-task transitions the inference sees.
    inference_k : tuple of int
        k values of the inference-error curve.
    seeds, n_episodes : int
        Evaluation seeds and episodes per seed and task.
    out_dir : path, optional
        Folder for figures (none written when None).
    rng : None, int or Generator
    show_progress : bool, optional, default: True

    Returns
    -------
    DemoResult
    """
    from liesym.data import collect_transitions
    from liesym.manifolds import GroupInference, fit_reward_profile
    from liesym.transfer import evaluate_transfer

    rng = as_rng(rng)
    timings = {}
    t0 = time.perf_counter()
    structure = discover_structure(
        family, n_train=n_train, n_steps=n_steps, rng=rng, show_progress=show_progress
    )
    timings["discover+verify"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    algebra, metric = certified_group_inputs(structure)
    base = collect_transitions(family, structure.train_goals[0], n_steps, rng=rng)
    # The base reward model depends on the base task only: fit it once for every test task.
    base_model = fit_reward_profile(base.next_states, base.rewards, metric)
    test_goals = family.test_goals(n_test)
    inference_k = tuple(inference_k)
    ks = sorted(set(inference_k) | {k_infer})
    test_data = [collect_transitions(family, g, ks[-1], rng=rng) for g in test_goals]
    elements = {}
    errors = np.zeros((len(inference_k), len(test_goals)))
    tasks = progress(range(len(test_goals)), enable=show_progress, desc="infer")
    base_goal = structure.train_goals[0]
    for j in tasks:
        data = test_data[j]
        for k in ks:
            est = GroupInference(algebra, metric, base_reward=base_model, rng=rng).fit(
                (data.next_states[:k], data.rewards[:k])
            )
            if k in inference_k:
                errors[inference_k.index(k), j] = goal_angle_error(
                    metric, est.element_ @ base_goal, test_goals[j]
                )
            if k == k_infer:
                elements[j] = est.element_
    timings["inference"] = time.perf_counter() - t0

    index = {tuple(np.round(g, 12)): j for j, g in enumerate(test_goals)}

    def element_of(goal):
        # The goal only identifies which test task's *inferred* element to use.
        return elements[index[tuple(np.round(goal, 12))]]

    t0 = time.perf_counter()
    curve = evaluate_transfer(
        family,
        structure.train_goals,
        test_goals,
        element_of=element_of,
        n_episodes=n_episodes,
        seeds=seeds,
        rng=rng,
        progress=show_progress,
    )
    timings["train+evaluate"] = time.perf_counter() - t0
    figures = {}
    result = DemoResult(structure, tuple(inference_k), errors, curve, figures, timings)
    if out_dir is not None:
        figures.update(write_demo_figures(result, family, out_dir))
    return result


def write_demo_figures(result: DemoResult, family, out_dir) -> dict:
    """Vector fields of the discovered generators, regret curves and inference error vs k."""
    from pathlib import Path

    from liesym.viz import (
        plot_inference_error,
        plot_regret_curves,
        plot_vector_fields,
        save_figure,
    )

    out = Path(out_dir)
    figs = {}
    s = result.structure
    if family.n == 2:
        markers = {"true base goal": family.base_goal}
        if s.base_fixed_point is not None:
            markers["discovered centre"] = s.base_fixed_point
        fig = plot_vector_fields(
            s.base_symmetry, markers=markers, titles=["discovered base-task symmetry"]
        )
        figs["base_symmetry"] = save_figure(fig, out / "base_symmetry.png")
        fig = plot_vector_fields(
            s.task_group.algebra_,
            markers={f"train {i}": g for i, g in enumerate(s.train_goals)},
            titles=["discovered task-group generator"],
        )
        figs["task_algebra"] = save_figure(fig, out / "task_algebra.png")
    curve = result.curve
    curves = {}
    for method in curve.methods:
        if method in ("oracle", "random"):
            continue
        band = curve.band(method, "score")
        curves[method] = {
            "distance": curve.distance,
            "mean": band.mean,
            "low": band.lower,
            "high": band.upper,
        }
    title = f"{family.name}: transfer to {len(curve.distance)} tasks"
    fig = plot_regret_curves(curves, title=title)
    figs["scores"] = save_figure(fig, out / "score_vs_distance.png")
    fig = plot_inference_error(
        result.inference_k,
        {family.name: np.maximum(result.inference_errors, 1e-16)},
        title="test-time inference",
    )
    figs["inference"] = save_figure(fig, out / "inference_error.png")
    return figs
