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
from liesym.algebra import LieAlgebra, grassmann_distance

#: Snapping tolerances tried, in order, for certificates of *data-discovered* algebras: the
#: first at which an exact basis exists is used and reported. Closed-form estimates from a few
#: thousand transitions are off by 1e-3 to 1e-2 (benchmarks/results/task_group.json), far above
#: the library default 1e-6 and below the distance between distinct small-denominator algebras.
DISCOVERED_TOLS = (1e-3, 3e-3, 1e-2, 3e-2)


def verify_discovered(algebra, elements=None, tols=DISCOVERED_TOLS):
    """Certify a data-discovered algebra, preferring the simplest exact basis within reach.

    Tolerances are tried in ascending order and the simplest snap wins: small-denominator
    rationals at any tolerance, then simple algebraic numbers (p/q) sqrt(d), then a chart snap
    (``H^-1 K H`` with a rational H close to a numeric chart, which reproduces the estimation
    noise exactly rather than removing it). Within a kind the smallest tolerance wins. The
    report's ``tol`` says which tolerance was used; its certificates hold for the snapped
    algebra, within ``report.basis.span_distance`` of the numeric one.
    """
    from liesym.verify import verify

    reports = []
    for tol in tols:
        report = verify(algebra, elements, tol=tol)
        if report.basis.kind == "rational":
            return report
        reports.append(report)
    for kind in ("algebraic", "chart"):
        for report in reports:
            if report.basis.kind == kind:
                return report
    return reports[-1]


def exact_containment(sub_report, sup_report) -> float | None:
    """Residual of the snapped ``sub`` algebra outside the snapped ``sup`` algebra.

    Both exact bases have small-denominator (or simple algebraic) entries, so the residual is
    0 to float precision when the containment holds exactly and of order 1e-2 or more when it
    fails. None when either algebra has no exact basis or they act on different spaces.
    """
    if sub_report.exact_basis is None or sup_report.exact_basis is None:
        return None
    sub = np.array([np.array(m.tolist(), dtype=float) for m in sub_report.exact_basis])
    sup = np.array([np.array(m.tolist(), dtype=float) for m in sup_report.exact_basis])
    if sub.shape[1:] != sup.shape[1:]:
        return None
    return float(np.max(LieAlgebra(sup).residual(sub) / np.linalg.norm(sub, axis=(1, 2))))


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
    tols=DISCOVERED_TOLS,
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
    tols : sequence of float, optional, default: :data:`DISCOVERED_TOLS`
        Snapping tolerances tried by :func:`verify_discovered`.
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
    timings = {}
    steps = progress(range(4), enable=show_progress, desc="discover")
    it = iter(steps)

    t0 = time.perf_counter()
    data = [collect_transitions(family, g[None], n_steps, rng=rng) for g in goals]
    timings["collect"] = time.perf_counter() - t0
    next(it, None)

    t0 = time.perf_counter()
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
    timings["symmetries"] = time.perf_counter() - t0
    next(it, None)

    t0 = time.perf_counter()
    group = discover_task_group(data, rng=rng)
    timings["task_group"] = time.perf_counter() - t0
    next(it, None)

    t0 = time.perf_counter()
    task_report = verify_discovered(group.algebra_, group.elements_, tols)
    system_report = verify_discovered(dyn.algebra_, None, tols)
    timings["verify"] = time.perf_counter() - t0
    next(it, None)

    embedding = exact_containment(task_report, system_report)
    numeric = (
        dyn.algebra_.residual(group.algebra_.basis)
        if dyn.algebra_.n == group.algebra_.n
        else [np.inf]
    )
    errors = _score(family, goals, base, dyn.algebra_, group)
    return StructureResult(
        family=family.name,
        train_goals=goals,
        base_symmetry=base.algebra_,
        base_fixed_point=base.fixed_point_,
        system_algebra=dyn.algebra_,
        task_group=group,
        task_report=task_report,
        system_report=system_report,
        embedding_residual=embedding,
        embedding_numeric=float(np.max(numeric)),
        embedding_margin=2.0 * max(task_report.tol, system_report.tol),
        errors=errors,
        timings=timings,
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
