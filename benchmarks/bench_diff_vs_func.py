"""Differential vs functional symmetry discovery on f(x) = |x|^2, on identical data.

Main comparison (the prototype's protocol, see reference/prototype_measured.md): N = 100,000
points x ~ N(0, I_2), Adam lr 4.5e-4, batch 128, the same U(0, 1) initial generator per seed for
every gradient method (shared seed streams), angle = arccos |<W, J>| / (|W| |J|).

Rows
  (a) differential projection loss, exact (oracle) kernel frames J x
  (b) differential projection loss, kernel frames estimated from the samples
      (liesym.discovery.kernel.kernel_frames, local linear; reliable frames only)
  (c) functional loss with the true f and its gradient (oracle, the prototype's setting)
  (d) functional loss with a LocalLinearSurrogate fitted to the same samples
  (e) closed form: DifferentialDiscovery(method="closed_form"), with estimated frames and
      with exact normals (no optimiser, no seeds)
Gradient rows follow the prototype: unconstrained W (normalize=False), functional loss
= L2 norm of the batch residual with t ~ U(0, 2 pi). ``--guarded`` adds (a) and (c) with
liesym's unit-sphere normalisation (and t ~ U(-pi, pi) for the functional loss).

Sweeps (accuracy at a fixed budget, not speed): every cell draws one data set
``invariant_function_data("radial", N, rng=default_rng([seed, n, N]), noise=sigma, n=n)``
and hands the same points and values to every method:

closed_form
    DifferentialDiscovery() on (X, y): estimated kernel frames, dimension from the gap.
diff_gradient
    projection loss on the closed form's (reliable) estimated frames.
func_oracle
    functional loss with the true f and its gradient (sees no samples and no noise).
func_surrogate
    functional loss with a LocalLinearSurrogate fitted to the same (noisy) samples.

The gradient methods share the seed (same initial W, same minibatch stream) and the budget:
``--sweep-steps`` Adam steps (default 5,000) at lr ``--sweep-lr`` (default 3e-3), batch 128, with
liesym's guards (unit-sphere generators, t ~ U(-pi, pi)); at the prototype's lr 4.5e-4 the
functional loss does not converge within 5,000 steps, so the sweep would measure the optimiser,
not the data (a constant lr leaves a noise floor of about 1e-3 rad instead). With N <= 128
a batch is the whole data set. Accuracy: Grassmann distance of the final span to the exact
algebra (for so(2) the principal angle; a wrong dimension counts pi/2 per missing direction,
a failed fit sqrt(dim) pi/2). Gradient methods in R^3 (3 generators) are left out: in a
one-seed probe at N = 10,000 the projection loss and the functional loss with the true f
ended 1.3 rad away after 5,000 steps, and the grid would exceed the time budget.

sample_efficiency
    N from 50 to 100,000, noise-free; so(2) in R^2 with all four methods, so(3) in R^3 with
    the closed form only.
robustness
    N = 10,000 in R^2, absolute Gaussian value noise sigma in {0, 0.001, 0.01, 0.03, 0.1} on
    f = |x|^2 with x ~ N(0, I_2) (f has standard deviation 2). X does not depend on sigma (same
    generator, noise drawn after the points), so func_oracle runs once (at sigma = 0).

``--seeds`` closed-form seeds per cell (default 10), the first ``--grad-seeds`` (default 5) of
them also run the gradient methods. Cells run in parallel with joblib (``--n-jobs``); the
numbers do not depend on the scheduling.

Usage: python benchmarks/bench_diff_vs_func.py [--quick] [--seeds S] [--steps K] [--guarded]
[--only main|sweeps] [--n-jobs 2]. Writes benchmarks/results/diff_vs_func.json (with
``--quick``: results/quick/) and the figures diff_vs_func_*.png, and prints tables. An existing
JSON is updated: ``--only sweeps`` keeps its main comparison, ``--only main`` its sweeps.
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from joblib import Parallel, delayed

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, machine_info, parse_args, summary, write_json

from liesym._core import progress
from liesym.algebra import grassmann_distance, so
from liesym.data.synthetic import invariant_function_data
from liesym.discovery._gradient import fit_projection_loss
from liesym.discovery.differential import DifferentialDiscovery
from liesym.discovery.functional import fit_functional_loss
from liesym.discovery.kernel import kernel_frames
from liesym.discovery.surrogate import LocalLinearSurrogate
from liesym.viz import plot_inference_error, save_figure

J = np.array([[0.0, -1.0], [1.0, 0.0]])
TOL = 0.05  # radians, the prototype's threshold
PROTOTYPE = {
    "differential": {"steps": 1940, "steps_range": [1170, 2430], "seconds": 1.3},
    "functional": {"steps": 14840, "steps_range": [9880, 23720], "seconds": 35.0},
}
METHODS = ("closed_form", "diff_gradient", "func_oracle", "func_surrogate")
LABELS = {
    "closed_form": "closed form (estimated frames)",
    "diff_gradient": "projection loss (estimated frames)",
    "func_oracle": "functional, true f",
    "func_surrogate": "functional, surrogate",
}


def sq_norm(y):
    return (y**2).sum(axis=1)


def sq_norm_grad(y):
    return 2.0 * y


# Main comparison.
def summarise(runs: list[dict]) -> dict:
    reached = [r for r in runs if r["steps_to_tol"] is not None]
    final = [r["final_angle"] for r in runs]
    out = {
        "n_runs": len(runs),
        "n_reached": len(reached),
        "final_angle_max": max(final),
        "final_angle_median": float(np.median(final)),
        "seconds_per_step": float(np.median([r["seconds_per_step"] for r in runs])),
    }
    if reached:
        for key, field in (("steps", "steps_to_tol"), ("seconds", "seconds_to_tol")):
            out |= {f"{key}_{q}": v for q, v in summary([r[field] for r in reached]).items()}
    return out


def record(fit) -> dict:
    k = fit.steps_to_tol
    return {
        "steps_to_tol": k,
        "seconds_to_tol": None if k is None else float(fit.history["time"][k - 1]),
        "final_angle": float(fit.history["angle"][-1]),
        "seconds_per_step": fit.wall_time / max(1, len(fit.history["angle"])),
        "wall_time": fit.wall_time,
    }


def run_main(n_seeds: int, n_steps: int, n_points: int, guarded: bool, quick: bool) -> dict:
    """The prototype's protocol on one data set: steps and seconds to TOL per seed."""
    x = np.random.default_rng(0).normal(size=(n_points, 2))
    y = sq_norm(x)

    t0 = time.perf_counter()
    frames = kernel_frames(x, y)
    frames_seconds = time.perf_counter() - t0
    reliable = frames.reliable
    t0 = time.perf_counter()
    surrogate = LocalLinearSurrogate().fit(x, y)
    surrogate_seconds = time.perf_counter() - t0
    print(
        f"kernel frames: {frames_seconds:.2f} s, {reliable.mean():.1%} reliable; "
        f"surrogate fit {surrogate_seconds:.2f} s"
    )

    common = {
        "lr": 4.5e-4,
        "batch_size": 128,
        "n_steps": n_steps,
        "reference": so(2),
        "tol_angle": TOL,
    }
    proto_func = {"t_range": (0.0, 2 * np.pi), "loss": "l2"}
    methods = {
        "a_diff_oracle": lambda s: fit_projection_loss(
            x, x @ J.T, normalize=False, rng=s, **common
        ),
        "b_diff_estimated": lambda s: fit_projection_loss(
            frames.points[reliable], frames.kernel[reliable], normalize=False, rng=s, **common
        ),
        "c_func_oracle": lambda s: fit_functional_loss(
            x, sq_norm, grad=sq_norm_grad, normalize=False, rng=s, **proto_func, **common
        ),
        "d_func_surrogate": lambda s: fit_functional_loss(
            x, surrogate, normalize=False, rng=s, **proto_func, **common
        ),
    }
    if guarded:
        methods["a_diff_oracle_unit"] = lambda s: fit_projection_loss(x, x @ J.T, rng=s, **common)
        methods["c_func_oracle_unit"] = lambda s: fit_functional_loss(
            x, sq_norm, grad=sq_norm_grad, rng=s, t_range=(-np.pi, np.pi), **common
        )

    runs: dict[str, list[dict]] = {name: [] for name in methods}
    for seed in range(1, n_seeds + 1):
        for name, run in methods.items():
            runs[name].append(record(run(seed)) | {"seed": seed})
        print(
            f"seed {seed}: "
            + ", ".join(
                f"{name.split('_', 1)[0]}={runs[name][-1]['steps_to_tol']}" for name in methods
            ),
            flush=True,
        )

    closed = {}
    for label, kwargs in (("estimated frames", {"y": y}), ("exact normals", {"normals": x})):
        t0 = time.perf_counter()
        est = DifferentialDiscovery(method="closed_form").fit(x, **kwargs)
        seconds = time.perf_counter() - t0
        angle = float(np.arccos(min(1.0, abs(np.sum(est.algebra_.basis[0] * J)) / np.sqrt(2))))
        closed[label] = {"seconds": seconds, "final_angle": angle, "dim": est.dim_}

    summaries = {name: summarise(r) for name, r in runs.items()}
    print_main(summaries, closed, n_points, n_seeds, n_steps)
    return {
        "settings": {
            "n_points": n_points,
            "n_seeds": n_seeds,
            "n_steps": n_steps,
            "tol": TOL,
            "lr": 4.5e-4,
            "batch_size": 128,
            "quick": quick,
            "frames": "liesym.discovery.kernel.kernel_frames (local_linear)",
            "frames_seconds": frames_seconds,
            "frames_reliable": float(reliable.mean()),
            "surrogate": "LocalLinearSurrogate(16)",
            "surrogate_seconds": surrogate_seconds,
        },
        "summary": summaries,
        "closed_form": closed,
        "ratios": ratios(summaries),
        "prototype": PROTOTYPE,
        "runs": runs,
    }


def ratios(summaries: dict) -> dict:
    out = {}
    for diff, func in (
        ("a_diff_oracle", "c_func_oracle"),
        ("b_diff_estimated", "d_func_surrogate"),
        ("a_diff_oracle_unit", "c_func_oracle_unit"),
    ):
        sd, sf = summaries.get(diff, {}), summaries.get(func, {})
        if "steps_median" in sd and "steps_median" in sf:
            out[f"{func}/{diff}"] = {
                "steps": sf["steps_median"] / sd["steps_median"],
                "seconds": sf["seconds_median"] / sd["seconds_median"],
            }
    return out


def print_main(summaries: dict, closed: dict, n_points: int, n_seeds: int, n_steps: int) -> None:
    print(f"\nf = |x|^2, N = {n_points}, {n_seeds} seeds, {n_steps} steps, tol {TOL} rad")
    print(
        f"{'method':<22}{'steps to tol: median (min-max)':>34}{'seconds to tol':>24}"
        f"{'reached':>9}{'final angle max':>17}"
    )
    for name, s in summaries.items():
        if "steps_median" in s:
            steps = f"{s['steps_median']:.0f} ({s['steps_min']:.0f}-{s['steps_max']:.0f})"
            secs = f"{s['seconds_median']:.2f} ({s['seconds_min']:.2f}-{s['seconds_max']:.2f})"
        else:
            steps = secs = "-"
        print(
            f"{name:<22}{steps:>34}{secs:>24}{s['n_reached']:>5}/{s['n_runs']:<3}"
            f"{s['final_angle_max']:>17.2e}"
        )
    for label, c in closed.items():
        print(
            f"{'e_closed_form':<22}{label:>34}{c['seconds']:>24.3f}{'':>9}{c['final_angle']:>17.2e}"
        )
    for key, r in ratios(summaries).items():
        print(f"ratio {key}: {r['steps']:.1f}x steps, {r['seconds']:.1f}x seconds")
    print(
        "prototype (5 seeds): differential 1940 steps / 1.3 s, functional 14840 / 35 s "
        "(7.6x steps, 27x seconds)"
    )


# Sweeps: one task = one data set (n, N, sigma, seed) and one group of methods.
def failed_distance(truth) -> float:
    # No algebra: every true direction is missing, pi/2 each (Ye-Lim).
    return float(np.sqrt(truth.dim) * np.pi / 2)


def run_fit(fit, truth) -> tuple[dict, object]:
    """Run ``fit()`` -> (generators or LieAlgebra or None, extra) and score it; never raises.

    ValueErrors (e.g. frames that see only noise) count as failures at the failed distance;
    warnings are recorded, not raised.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            span, extra = fit()
            error = None
        except ValueError as exc:
            span, extra, error = None, None, str(exc)
        seconds = time.perf_counter() - start
    rec = {
        "error": grassmann_distance(span, truth) if span is not None else failed_distance(truth),
        "seconds": seconds,
        "failed": error,
        "warnings": sorted({f"{w.category.__name__}: {w.message}"[:120] for w in caught}),
    }
    return rec, extra


def run_cell(group: str, n: int, n_points: int, sigma: float, seed: int, cfg: dict) -> list:
    """The methods of ``group`` on the data set of (n, N, sigma, seed); one record each."""
    data = invariant_function_data(
        "radial", n_points, rng=np.random.default_rng([seed, n, n_points]), noise=sigma, n=n
    )
    truth, dim = data.algebra, data.algebra.dim
    key = {"n": n, "N": n_points, "sigma": sigma, "seed": seed}
    adam = {
        "lr": cfg["lr"],
        "n_steps": cfg["n_steps"],
        "batch_size": 128,
        "rng": seed,  # the same initial W and minibatch stream for every gradient method
        "reference": truth,
        "tol_angle": TOL,
    }
    out = []

    def gradient_fit(run):
        fit = run()
        return fit.generators, fit

    def add(method, rec, fit=None):
        if fit is not None:
            rec |= {"steps_to_tol": fit.steps_to_tol, "optimiser_seconds": fit.wall_time}
        out.append(key | {"method": method} | rec)

    if group == "differential":

        def closed_form():
            est = DifferentialDiscovery().fit(data.X, data.y)
            return est.algebra_, est

        rec, est = run_fit(closed_form, truth)
        rec["dim"] = None if est is None else int(est.dim_)
        rec["error_true_dim"] = rec["error"]
        if est is not None and est.dim_ != dim:  # accuracy of the span apart from the dimension
            rec["error_true_dim"] = run_fit(
                lambda: (DifferentialDiscovery(dim).fit(data.X, data.y).algebra_, None), truth
            )[0]["error"]
        add("closed_form", rec)
        if cfg["gradient"]:
            if est is None:
                add("diff_gradient", {"error": failed_distance(truth), "failed": rec["failed"]})
            else:
                fr = est.frames_.subset(est.frames_.reliable)
                rec, fit = run_fit(
                    lambda: gradient_fit(
                        lambda: fit_projection_loss(fr.points, fr.kernel, dim, **adam)
                    ),
                    truth,
                )
                add("diff_gradient", rec, fit)
    elif group == "func_oracle":
        rec, fit = run_fit(
            lambda: gradient_fit(
                lambda: fit_functional_loss(data.X, sq_norm, dim, grad=sq_norm_grad, **adam)
            ),
            truth,
        )
        add("func_oracle", rec, fit)
    else:  # func_surrogate: the surrogate's fit counts in the seconds

        def surrogate_fit():
            surrogate = LocalLinearSurrogate().fit(data.X, data.y)
            return fit_functional_loss(data.X, surrogate, dim, **adam)

        rec, fit = run_fit(lambda: gradient_fit(surrogate_fit), truth)
        add("func_surrogate", rec, fit)
    return out


def sweep_tasks(grid: dict, n_seeds: int, grad_seeds: int) -> list[tuple]:
    """Unique (group, n, N, sigma, seed) tasks of every study; shared cells run once."""
    tasks = set()
    for cells in grid.values():
        for n, n_points, sigma, gradient in cells:
            for seed in range(n_seeds):
                grad = gradient and seed < grad_seeds
                tasks.add(("differential", n, n_points, sigma, seed, grad))
                if grad and sigma == 0:  # the oracle sees neither the samples nor the noise
                    tasks.add(("func_oracle", n, n_points, 0.0, seed, True))
                if grad:
                    tasks.add(("func_surrogate", n, n_points, sigma, seed, True))
    # Most expensive first (surrogate queries, then large N), for load balance.
    cost = {"func_surrogate": 12.0, "func_oracle": 3.0, "differential": 1.0}
    return sorted(tasks, key=lambda t: (-cost[t[0]] * (1 + t[2] / 3e4), t[1:]))


def run_sweep_tasks(tasks: list, cfg: dict, n_jobs: int, show: bool) -> list[dict]:
    """Run the tasks with joblib (loky by default; dask or ray if configured around it)."""
    try:
        parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered", batch_size=1)
    except ValueError:  # backends without result generators
        parallel = Parallel(n_jobs=n_jobs, batch_size=1)
    jobs = parallel(
        delayed(run_cell)(g, n, npt, s, seed, cfg | {"gradient": grad})
        for g, n, npt, s, seed, grad in tasks
    )
    return [r for rows in progress(jobs, enable=show, desc="cells", total=len(tasks)) for r in rows]


def aggregate(runs: list[dict], cells: list, axis: str) -> list[dict]:
    """Per (n, N, sigma, method): error and time over seeds; the oracle is noise-free."""
    rows = []
    for n, n_points, sigma, _ in cells:
        for method in METHODS:
            sig = 0.0 if method == "func_oracle" else sigma
            recs = [
                r
                for r in runs
                if (r["n"], r["N"], r["sigma"], r["method"]) == (n, n_points, sig, method)
            ]
            if not recs:
                continue
            row = {
                "n": n,
                "N": n_points,
                "sigma": sigma,
                "x": n_points if axis == "N" else sigma,
                "method": method,
                "seeds": len(recs),
                "failed": sum(r["failed"] is not None for r in recs),
                "error": summary([r["error"] for r in recs]),
                "seconds": summary([r.get("seconds", np.nan) for r in recs]),
            }
            if method == "closed_form":
                row["dim_right"] = sum(r["dim"] == n * (n - 1) // 2 for r in recs)
                row["dims"] = [r["dim"] for r in recs]
                row["error_true_dim"] = summary([r["error_true_dim"] for r in recs])
            else:
                row["reached_tol"] = sum(r.get("steps_to_tol") is not None for r in recs)
            if method == "func_oracle" and sigma != 0:
                row["note"] = "noise-free oracle: the runs at sigma = 0"
            rows.append(row)
    return rows


def print_sweep(title: str, rows: list[dict], axis: str) -> None:
    print(f"\n{title}: median accuracy (Grassmann distance, rad) over seeds")
    for n in sorted({r["n"] for r in rows}):
        sub = [r for r in rows if r["n"] == n]
        xs = sorted({r["x"] for r in sub})
        print(f"R^{n}  {axis + ' =':<44}" + "".join(f"{x:>10g}" for x in xs))
        for method in METHODS:
            by_x = {r["x"]: r for r in sub if r["method"] == method}
            if not by_x:
                continue
            seeds = max(r["seeds"] for r in by_x.values())
            cells = "".join(
                f"{by_x[x]['error']['median']:>10.2e}" if x in by_x else f"{'-':>10}" for x in xs
            )
            print(f"  {LABELS[method] + f' ({seeds} seeds)':<46}{cells}")
        right = {r["x"]: f"{r['dim_right']}/{r['seeds']}" for r in sub if "dim_right" in r}
        print(f"  {'closed form: dimension right':<46}" + "".join(f"{right[x]:>10}" for x in xs))


def plot_sweep(runs: list[dict], axis: str, path: Path) -> Path:
    """Median and min-max band over seeds of the accuracy per method against N or sigma."""
    ns = sorted({r["n"] for r in runs})
    fig, axes = plt.subplots(1, len(ns), figsize=(6.0 * len(ns), 4.2), squeeze=False)
    for ax, n in zip(axes[0], ns, strict=True):
        for method in METHODS:
            by_x: dict = {}
            for r in runs:
                if r["n"] == n and r["method"] == method:
                    by_x.setdefault(r[axis], []).append(r["error"])
            if not by_x:
                continue
            label = LABELS[method]
            if (
                method == "func_oracle" and axis == "sigma"
            ):  # noise-free: the same runs at every sigma
                by_x = dict.fromkeys({r[axis] for r in runs}, by_x[0.0])
                label += " (no noise)"
            x = sorted(by_x)
            plot_inference_error(x, {label: [by_x[v] for v in x]}, ax=ax)
        # The closed form's span at the true dimension, where the gap rule missed it.
        known: dict = {}
        missed = False
        for r in runs:
            if r["n"] == n and r["method"] == "closed_form":
                known.setdefault(r[axis], []).append(r["error_true_dim"])
                missed |= r["error_true_dim"] != r["error"]
        if missed:
            x = sorted(known)
            label = "closed form at the true dimension"
            plot_inference_error(x, {label: [known[v] for v in x]}, ax=ax)
            ax.lines[-1].set_linestyle("--")
            ax.legend(fontsize=8)
        if axis == "sigma":
            ax.set_xscale("symlog", linthresh=1e-3)  # keeps sigma = 0 on the axis
            ax.set_xlabel("value noise sigma (absolute; f = |x|^2 has std 2)")
        else:
            ax.set_xlabel("samples N")
        ax.set_ylabel("Grassmann distance to " + ("so(2) (angle, rad)" if n == 2 else "so(3)"))
        ax.set_title(f"f = |x|^2 in R^{n}: median, min-max over seeds", fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path)


def sweep_grids(quick: bool) -> dict:
    """Cells (n, N, sigma, run the gradient methods) of each study."""
    if quick:
        ns, sigmas, n_fixed = [100, 1000], [0.0, 0.03], 1000
    else:
        ns = [50, 100, 300, 1000, 3000, 10_000, 30_000, 100_000]
        sigmas, n_fixed = [0.0, 0.001, 0.01, 0.03, 0.1], 10_000
    return {
        "sample_efficiency": [(2, m, 0.0, True) for m in ns] + [(3, m, 0.0, False) for m in ns],
        "robustness": [(2, n_fixed, s, True) for s in sigmas],
    }


def run_sweeps(args, out_dir: Path) -> dict:
    grid = sweep_grids(args.quick)
    cfg = {"lr": args.sweep_lr, "n_steps": args.sweep_steps}
    tasks = sweep_tasks(grid, args.sweep_seeds, args.grad_seeds)
    print(f"sweeps: {len(tasks)} tasks on {args.n_jobs} workers", flush=True)
    start = time.perf_counter()
    runs = run_sweep_tasks(tasks, cfg, args.n_jobs, not args.no_progress)
    wall = time.perf_counter() - start
    settings = {
        "quick": args.quick,
        "function": "radial: f = |x|^2, x ~ N(0, I_n)",
        "data_seed": "invariant_function_data(..., rng=default_rng([seed, n, N]), noise=sigma)",
        "seeds_closed_form": args.sweep_seeds,
        "seeds_gradient": min(args.grad_seeds, args.sweep_seeds),
        "seeds_note": "gradient methods on the first seeds only (time budget)",
        "metric": "grassmann_distance(final span, exact algebra); angle for so(2); failed fit "
        "sqrt(dim) pi/2",
        "gradient": {
            "n_steps": args.sweep_steps,
            "lr": args.sweep_lr,
            "batch_size": 128,
            "normalize": True,
            "functional_t_range": [-np.pi, np.pi],
            "functional_loss": "l2",
            "init": "uniform U(0, 1), rng=seed (shared by all gradient methods)",
            "full_batch": "N <= 128: every batch is the whole data set (deterministic steps "
            "for the projection loss; the functional loss still draws t)",
        },
        "closed_form": "DifferentialDiscovery() defaults (local-linear frames, quality weights, "
        "gap rule); error_true_dim refits at the true dimension when the gap rule missed",
        "diff_gradient_frames": "the closed form's reliable estimated frames (their cost "
        "counts in the closed form's seconds, not here)",
        "surrogate": "LocalLinearSurrogate(16) on the same (noisy) samples; its fit counts in "
        "seconds",
        "func_oracle": "true f and gradient; no samples, no noise (runs at sigma = 0 only)",
        "seconds": "per method inside a joblib worker (loky: cpu_count // n_jobs BLAS threads)",
        "n_jobs": args.n_jobs,
        "wall_seconds": wall,
    }
    out = {}
    for study, axis, title in (
        ("sample_efficiency", "N", "sample efficiency (noise-free)"),
        ("robustness", "sigma", f"robustness (N = {grid['robustness'][0][1]})"),
    ):
        cells = grid[study]
        keys = {(n, m, s) for n, m, s, _ in cells} | {(n, m, 0.0) for n, m, _, _ in cells}
        study_runs = sorted(
            (r for r in runs if (r["n"], r["N"], r["sigma"]) in keys),
            key=lambda r: (r["n"], r["N"], r["sigma"], r["method"], r["seed"]),
        )
        rows = aggregate(study_runs, cells, axis)
        print_sweep(title, rows, axis)
        fig = plot_sweep(study_runs, axis, out_dir / f"diff_vs_func_{study}.png")
        print("wrote", fig)
        out[study] = {
            "settings": settings
            | {"axis": axis, "grid_n_N_sigma_gradient": [list(c) for c in cells]},
            "summary": rows,
            "runs": study_runs,
        }
    if args.sweep_seeds > args.grad_seeds:
        print(f"gradient methods on {args.grad_seeds} of {args.sweep_seeds} seeds")
    print(f"sweeps wall time {wall:.0f} s on {args.n_jobs} workers")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (< 60 s), to quick/")
    parser.add_argument("--seeds", type=int, default=None, help="main seeds (default 10)")
    parser.add_argument("--steps", type=int, default=None, help="main Adam steps (default 30000)")
    parser.add_argument("--n-points", type=int, default=None, help="main data size (default 1e5)")
    parser.add_argument("--guarded", action="store_true", help="add unit-sphere rows (main)")
    parser.add_argument("--only", choices=("main", "sweeps"), default=None, help="one part")
    parser.add_argument("--sweep-seeds", type=int, default=None, help="seeds (default 10)")
    parser.add_argument("--grad-seeds", type=int, default=None, help="gradient seeds (5)")
    parser.add_argument("--sweep-steps", type=int, default=None, help="Adam steps (5000)")
    parser.add_argument("--sweep-lr", type=float, default=3e-3, help="sweep Adam lr")
    parser.add_argument("--n-jobs", type=int, default=2, help="joblib workers (default 2)")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="folder (default results/)")
    args = parse_args(parser)
    out_dir = args.out or (RESULTS / "quick" if args.quick else RESULTS)
    args.sweep_seeds = args.sweep_seeds or (2 if args.quick else 10)
    args.grad_seeds = args.grad_seeds or (1 if args.quick else 5)
    args.sweep_steps = args.sweep_steps or (1000 if args.quick else 5000)

    info = machine_info()
    print("machine:", ", ".join(f"{k}={v}" for k, v in info.items()))
    path = out_dir / "diff_vs_func.json"
    # Update an existing file: a partial run keeps the other part's numbers.
    out = json.loads(path.read_text()) if path.is_file() else {}
    if args.only != "sweeps":
        out |= {"machine": info} | run_main(
            args.seeds or (2 if args.quick else 10),
            args.steps or (2500 if args.quick else 30_000),
            args.n_points or (20_000 if args.quick else 100_000),
            args.guarded,
            args.quick,
        )
    if args.only != "main":
        out |= {k: v | {"machine": info} for k, v in run_sweeps(args, out_dir).items()}
    print("wrote", write_json(out, path))


if __name__ == "__main__":
    main()
