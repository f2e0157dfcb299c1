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

multi (several generators; ``--only multi``)
    k-dimensional algebras found as one point of the Grassmann manifold of k-dimensional
    subspaces of gl(n) (liesym.manifolds.GrassmannDifferentialDiscovery /
    GrassmannFunctionalDiscovery: Riemannian Adam, lr 0.01 rad, batch 128, stopping rule
    on the Grassmann distance between iterates 100 steps apart, cap ``--multi-steps``) on
    five problems -- so(3) in R^3 (f = |x|^2), so(4) in R^4, so(1,3) in R^4
    (f = x_0^2 - x_1^2 - x_2^2 - x_3^2), so(3)+so(2) in R^5 (f = (|x_012|^2, |x_34|^2)),
    C so(3) C^-1 in R^3 (f = |C^-1 x|^2, C drawn per seed) -- at N = 10^3, 10^4, 10^5,
    ``--multi-seeds`` seeds (default 10), one data set per (problem, N, seed).
    Methods: the closed form (estimated frames, the reference); the projection loss
    (symmetry term, the Grassmann constraint doing the maximality term's job) with exact
    normals and with the closed form's estimated frames; the functional loss (A = r u,
    r ~ U(-1, 1), u a random unit element of the span) with the true f and with
    LocalLinearSurrogates fitted to the samples. Every Grassmann method starts from the
    same span per seed (N(0, 1) generators, orthonormalised: a uniformly distributed
    span) and sees the same minibatches. Metric: Grassmann distance to the true algebra;
    steps and seconds to 0.05 rad, share of seeds reaching it, final distance.
    At N = 10^5 also the paper's unconstrained protocol (k free generators, Adam lr
    4.5e-4, U(0, 1) init, functional t ~ U(0, 2 pi), ``--paper-steps`` steps) on so(3) and
    so(1,3); at N = 10^4 an ablation of the projection loss's maximality term
    ("leading", "paper") on every problem. Figure diff_vs_func_multi.png.

Usage: python benchmarks/bench_diff_vs_func.py [--quick] [--seeds S] [--steps K] [--guarded]
[--only main|sweeps|multi] [--n-jobs 2] [--multi-seeds 10] [--multi-steps 3000]
[--paper-steps 5000] [--multi-problems so3,so13] [--multi-grid 1e5] [--paper-problems so3]:
the last three run part of the multi grid and add it to the runs already in the JSON. Writes
benchmarks/results/diff_vs_func.json (with ``--quick``: results/quick/) and the figures
diff_vs_func_*.png, and prints tables. An existing JSON is updated: a partial run
(``--only``) keeps the other parts' numbers.
"""

import argparse
import json
import os
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
from liesym.manifolds import GrassmannDifferentialDiscovery, GrassmannFunctionalDiscovery
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


# Several generators: k-dimensional algebras on the Grassmannian.
PROBLEMS = {
    "so3": ("radial", {"n": 3}, "so(3) in R³, f = ‖x‖²"),
    "so4": ("radial", {"n": 4}, "so(4) in R⁴, f = ‖x‖²"),
    "so13": ("lorentz", {"n": 4}, "so(1,3) in R⁴, f = x₀² − x₁² − x₂² − x₃²"),
    "so3_so2": ("blocks", {"blocks": (3, 2)}, "so(3)+so(2) in R⁵, f = (‖x₀₁₂‖², ‖x₃₄‖²)"),
    "conj_so3": ("conjugated", {"n": 3}, "C so(3) C⁻¹ in R³, f = ‖C⁻¹x‖²"),
}
MULTI_METHODS = {
    "closed_form": "closed form (estimated frames)",
    "projection_exact": "Grassmann projection loss, exact normals",
    "projection_estimated": "Grassmann projection loss, estimated frames",
    "functional_true": "Grassmann functional loss, true f",
    "functional_surrogate": "Grassmann functional loss, surrogate",
    "paper_projection": "paper protocol: projection loss, exact normals",
    "paper_functional": "paper protocol: functional loss, true f",
}
PAPER_PROBLEMS = ("so3", "so13")
ABLATION = {"leading": "leading", "paper": "paper"}  # None: the main projection rows
CURVE_EVERY = {"grassmann": 10, "paper": 100}  # stored distance curves (N = 10^5 only)
PAPER_N, ABLATION_N = 100_000, 10_000  # the paper protocol's N (and curves'); the ablation's


class VectorSurrogate:
    """One LocalLinearSurrogate per output of a vector-valued f (values (b, q), Jacobian)."""

    def __init__(self, X, Y):
        self.parts = [LocalLinearSurrogate().fit(X, Y[:, i]) for i in range(Y.shape[1])]

    def __call__(self, points):
        """Values (b, q)."""
        return np.stack([s(points) for s in self.parts], axis=-1)

    def gradient(self, points):
        """Jacobian (b, q, n)."""
        return np.stack([s.gradient(points) for s in self.parts], axis=-2)


def multi_data(problem: str, n_points: int, seed: int):
    kind, kw, _ = PROBLEMS[problem]
    index = list(PROBLEMS).index(problem)
    return invariant_function_data(
        kind, n_points, rng=np.random.default_rng([seed, index, n_points]), **kw
    )


def true_gradient(data):
    if data.y.ndim == 1:
        return lambda x: data.jacobian(x)[..., 0, :]
    return data.jacobian


def grassmann_record(est, wall: float, curve: bool) -> dict:
    h = est.history_
    k = est.steps_to_tol_
    rec = {
        "steps_to_tol": k,
        "seconds_to_tol": None if not k else float(h["time"][k - 1]),
        "final_distance": float(h["distance"][-1]),
        "steps": est.n_iter_,
        "stopped": est.stopped_,
        "stalled": bool(est.stall_.stalled),
        "seconds": wall,
        "seconds_per_step": est.wall_time_ / max(1, est.n_iter_),
        "per_generator_final": est.stall_.per_generator.tolist(),
    }
    if curve:
        rec["curve"] = h["distance"][:: CURVE_EVERY["grassmann"]].tolist()
    return rec


def paper_record(fit, wall: float, tol: float, curve: bool) -> dict:
    dist = fit.history["distance"]
    hit = np.flatnonzero(dist <= tol)
    k = int(hit[0]) + 1 if hit.size else None
    rec = {
        "steps_to_tol": k,
        "seconds_to_tol": None if k is None else float(fit.history["time"][k - 1]),
        "final_distance": float(dist[-1]),
        "final_largest_angle": float(fit.history["angle"][-1]),
        "steps": int(dist.size),
        "stopped": "budget",
        "stalled": False,
        "seconds": wall,
        "seconds_per_step": fit.wall_time / max(1, dist.size),
        "generator_norms_final": np.linalg.norm(
            fit.generators.reshape(len(fit.generators), -1), axis=1
        ).tolist(),
    }
    if curve:
        rec["curve"] = dist[:: CURVE_EVERY["paper"]].tolist()
    return rec


def timed(fun):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # stall reports are recorded, not printed
        start = time.perf_counter()
        out = fun()
        return out, time.perf_counter() - start


def run_multi_cell(problem: str, n_points: int, seed: int, cfg: dict) -> list[dict]:
    """Every method on the data set of (problem, N, seed); one record each."""
    data = multi_data(problem, n_points, seed)
    truth, k = data.algebra, data.algebra.dim
    key = {"problem": problem, "N": n_points, "seed": seed}
    curve = n_points == cfg["paper_n"]
    out = []

    def closed_form():
        est = DifferentialDiscovery().fit(data.X, data.y)
        return est.algebra_, est

    rec, closed = run_fit(closed_form, truth)
    out.append(
        key
        | {
            "method": "closed_form",
            "final_distance": rec["error"],
            "dim": None if closed is None else int(closed.dim_),
            "seconds": rec["seconds"],
            "failed": rec["failed"],
        }
    )
    grassmann = {
        "lr": cfg["lr"],
        "n_steps": cfg["n_steps"],
        "batch_size": 128,
        "init": "normal",
        "rng": seed,
        "reference": truth,
        "tol": TOL,
    }
    normals = data.jacobian(data.X)
    runs = {
        "projection_exact": lambda: GrassmannDifferentialDiscovery(k, **grassmann).fit(
            data.X, normals=normals
        ),
        "functional_true": lambda: GrassmannFunctionalDiscovery(k, **grassmann).fit(
            data.X, data.f, grad=true_gradient(data)
        ),
        "functional_surrogate": lambda: GrassmannFunctionalDiscovery(k, **grassmann).fit(
            data.X,
            VectorSurrogate(data.X, data.y)
            if data.y.ndim == 2
            else LocalLinearSurrogate().fit(data.X, data.y),
        ),
    }
    if closed is not None:
        frames = closed.frames_.subset(closed.frames_.reliable)
        runs["projection_estimated"] = lambda: GrassmannDifferentialDiscovery(k, **grassmann).fit(
            frames.points, kernel=frames.kernel
        )
    for method, run in runs.items():
        fit, wall = timed(run)
        out.append(key | {"method": method} | grassmann_record(fit, wall, curve))
    if closed is None:
        out.append(key | {"method": "projection_estimated", "failed": rec["failed"]})
    if n_points == cfg["ablation_n"]:
        sources = {"exact": {"normals": normals}}
        if closed is not None:
            sources["estimated"] = {"X": frames.points, "kernel": frames.kernel}
        for name, maximality in ABLATION.items():
            for source, kw in sources.items():
                fit, wall = timed(
                    lambda m=maximality, kw=kw: GrassmannDifferentialDiscovery(
                        k, maximality=m, **grassmann
                    ).fit(kw.get("X", data.X), normals=kw.get("normals"), kernel=kw.get("kernel"))
                )
                method = f"ablation_{name}_{source}"
                out.append(key | {"method": method} | grassmann_record(fit, wall, False))
    return out


def run_paper_cell(problem: str, n_points: int, seed: int, method: str, cfg: dict) -> list[dict]:
    """The paper's unconstrained protocol (k free generators) on the same data and seed."""
    data = multi_data(problem, n_points, seed)
    truth, k = data.algebra, data.algebra.dim
    common = {
        "lr": 4.5e-4,
        "batch_size": 128,
        "n_steps": cfg["paper_steps"],
        "reference": truth,
        "normalize": False,
        "init": "uniform",
        "rng": seed,
    }
    if method == "paper_projection":
        fit, wall = timed(
            lambda: fit_projection_loss(data.X, dim=k, normals=data.jacobian(data.X), **common)
        )
    else:
        fit, wall = timed(
            lambda: fit_functional_loss(
                data.X,
                data.f,
                k,
                grad=true_gradient(data),
                t_range=(0.0, 2 * np.pi),
                loss="l2",
                **common,
            )
        )
    rec = paper_record(fit, wall, TOL, n_points == cfg["paper_n"])
    return [{"problem": problem, "N": n_points, "seed": seed, "method": method} | rec]


def multi_tasks(cfg: dict) -> list[tuple]:
    tasks = [
        ("cell", p, m, s)
        for p in cfg["problems"]
        for m in cfg["n_grid"]
        for s in range(cfg["seeds"])
    ]
    tasks += [
        (method, p, cfg["paper_n"], s)
        for p in cfg["paper_problems"]
        for method in ("paper_projection", "paper_functional")
        for s in range(cfg["seeds"])
    ]
    # Long tasks first (paper runs, then large N), for load balance.
    cost = {"paper_functional": 4, "paper_projection": 3, "cell": 1}
    return sorted(tasks, key=lambda t: (-cost[t[0]], -t[2], t[1], t[3]))


def run_multi_task(task: tuple, cfg: dict) -> list[dict]:
    kind, problem, n_points, seed = task
    if kind == "cell":
        return run_multi_cell(problem, n_points, seed, cfg)
    return run_paper_cell(problem, n_points, seed, kind, cfg)


def summarise_multi(runs: list[dict], cfg: dict) -> list[dict]:
    """Per (problem, N, method): share reaching TOL, steps/seconds to TOL, final distance."""
    rows = []
    cfg = cfg | {"n_grid": sorted({r["N"] for r in runs})}
    methods = list(MULTI_METHODS) + [
        f"ablation_{a}_{src}" for a in ABLATION for src in ("exact", "estimated")
    ]
    for problem in PROBLEMS:
        for n_points in cfg["n_grid"]:
            for method in methods:
                recs = [
                    r
                    for r in runs
                    if (r["problem"], r["N"], r["method"]) == (problem, n_points, method)
                ]
                if not recs:
                    continue
                ok = [r for r in recs if "final_distance" in r]
                final = [r["final_distance"] for r in ok]
                row = {
                    "problem": problem,
                    "N": n_points,
                    "method": method,
                    "seeds": len(recs),
                    "failed": len(recs) - len(ok),
                    "final_distance": summary(final) if final else None,
                    "reached": sum(d <= TOL for d in final)
                    if method == "closed_form"
                    else sum(r.get("steps_to_tol") is not None for r in ok),
                    "seconds": summary([r["seconds"] for r in ok]) if ok else None,
                }
                if method == "closed_form":
                    row["dim_right"] = sum(
                        r["dim"] == multi_dim(problem) for r in recs if r.get("dim") is not None
                    )
                else:
                    hit = [r for r in ok if r["steps_to_tol"] is not None]
                    row |= {
                        "steps_to_tol": summary([r["steps_to_tol"] for r in hit]) if hit else None,
                        "seconds_to_tol": summary([r["seconds_to_tol"] for r in hit])
                        if hit
                        else None,
                        "steps_taken": summary([r["steps"] for r in ok]) if ok else None,
                        "converged": sum(r["stopped"] == "converged" for r in ok),
                        "stalled": sum(r["stalled"] for r in ok),
                        "ms_per_step": 1e3 * float(np.median([r["seconds_per_step"] for r in ok]))
                        if ok
                        else None,
                    }
                    if hit and method in ("paper_projection", "paper_functional"):
                        row["note"] = "steps to the Grassmann tolerance of free generators"
                rows.append(row)
    return rows


def multi_dim(problem: str) -> int:
    return multi_data(problem, 3, 0).algebra.dim


def step_ratios(runs: list[dict], cfg: dict) -> dict:
    """Per-seed ratio of steps to TOL, functional / projection, on the same data and start."""
    out = {}
    cfg = cfg | {"n_grid": sorted({r["N"] for r in runs})}
    pairs = {
        "oracle": ("functional_true", "projection_exact"),
        "data": ("functional_surrogate", "projection_estimated"),
    }
    for problem in PROBLEMS:
        for n_points in cfg["n_grid"]:
            for label, (func, diff) in pairs.items():
                by = {}
                for r in runs:
                    if (r["problem"], r["N"]) == (problem, n_points) and r["method"] in (
                        func,
                        diff,
                    ):
                        by.setdefault(r["seed"], {})[r["method"]] = r.get("steps_to_tol")
                ratios = [v[func] / v[diff] for v in by.values() if v.get(func) and v.get(diff)]
                out[f"{problem}/{n_points}/{label}"] = {
                    "pair": f"{func} / {diff}",
                    "seeds_both_reached": len(ratios),
                    "ratio": summary(ratios) if ratios else None,
                }
    return out


def print_multi(rows: list[dict], ratios: dict, cfg: dict) -> None:
    print(f"\nmulti: Grassmann distance to the true algebra, tol {TOL} rad, {cfg['seeds']} seeds")
    head = f"{'problem':<9}{'N':>8}  {'method':<28}{'reached':>9}{'steps to tol':>22}"
    print(head + f"{'s to tol':>20}{'final (median/max)':>22}{'stalls':>7}")
    for r in rows:
        steps = secs = "-"
        if r.get("steps_to_tol"):
            st = r["steps_to_tol"]
            steps = f"{st['median']:.0f} ({st['min']:.0f}-{st['max']:.0f})"
            sc = r["seconds_to_tol"]
            secs = f"{sc['median']:.2f} ({sc['min']:.2f}-{sc['max']:.2f})"
        fd = r["final_distance"]
        final = f"{fd['median']:.1e}/{fd['max']:.1e}" if fd else "failed"
        print(
            f"{r['problem']:<9}{r['N']:>8}  {r['method']:<28}{r['reached']:>5}/{r['seeds']:<3}"
            f"{steps:>22}{secs:>20}{final:>22}{r.get('stalled', ''):>7}"
        )
    for key, v in ratios.items():
        if v["ratio"]:
            q = v["ratio"]
            print(
                f"steps ratio {key} ({v['pair']}): {q['median']:.2f} "
                f"({q['min']:.2f}-{q['max']:.2f}), {v['seeds_both_reached']} seeds"
            )


def plot_multi(runs: list[dict], cfg: dict, path: Path) -> Path:
    """Grassmann distance against steps at the largest N: median and range over seeds."""
    big = cfg["paper_n"]
    fig, axes = plt.subplots(2, 3, figsize=(15.0, 8.0))
    methods = (*list(MULTI_METHODS)[1:5], "paper_projection", "paper_functional")
    colors = dict(zip(methods, plt.rcParams["axes.prop_cycle"].by_key()["color"], strict=False))
    for ax, problem in zip(axes.flat, PROBLEMS, strict=False):
        for method in methods:
            recs = [
                r
                for r in runs
                if (r["problem"], r["N"], r["method"]) == (problem, big, method) and "curve" in r
            ]
            if not recs:
                continue
            every = CURVE_EVERY["paper" if method.startswith("paper") else "grassmann"]
            length = max(len(r["curve"]) for r in recs)
            # After the stopping rule the span no longer changes: hold the last value.
            arr = np.stack(
                [np.pad(r["curve"], (0, length - len(r["curve"])), mode="edge") for r in recs]
            )
            steps = 1 + every * np.arange(length)
            ax.plot(steps, np.median(arr, axis=0), color=colors[method], lw=1.5)
            ax.fill_between(
                steps, arr.min(axis=0), arr.max(axis=0), color=colors[method], alpha=0.15
            )
        closed = [
            r["final_distance"]
            for r in runs
            if (r["problem"], r["N"], r["method"]) == (problem, big, "closed_form")
        ]
        if closed:
            ax.axhline(np.median(closed), color="k", ls="--", lw=1)
        ax.axhline(TOL, color="k", ls=":", lw=1)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("optimiser step")
        ax.set_ylabel("Grassmann distance to the true algebra (rad)")
        ax.set_title(PROBLEMS[problem][2] + f", N = {big:,}", fontsize=10)
    legend = axes.flat[-1]
    legend.axis("off")
    handles = [plt.Line2D([], [], color=colors[m], lw=2) for m in methods]
    handles += [plt.Line2D([], [], color="k", ls="--"), plt.Line2D([], [], color="k", ls=":")]
    labels = [MULTI_METHODS[m] for m in methods]
    labels += ["closed form (median)", f"tolerance {TOL} rad"]
    legend.legend(handles, labels, loc="center", fontsize=9, frameon=False)
    legend.set_title(
        f"median and range over {cfg['seeds']} seeds\n(Grassmann runs held after they stop)",
        fontsize=9,
    )
    fig.tight_layout()
    return save_figure(fig, path)


def load_average() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def merge_runs(old: list[dict], new: list[dict]) -> list[dict]:
    """Runs of an earlier partial invocation, with those of this one replacing equal keys."""

    def key(r):
        return r["problem"], r["N"], r["method"], r["seed"]

    fresh = {key(r) for r in new}
    merged = [r for r in old if key(r) not in fresh] + new
    return sorted(merged, key=lambda r: (r["problem"], r["N"], r["method"], r["seed"]))


def run_multi(args, out_dir: Path, previous: dict | None = None) -> dict:
    if args.quick:
        cfg = {"n_grid": [500], "seeds": 1, "n_steps": 150, "paper_steps": 150}
    else:
        cfg = {
            "n_grid": [1000, 10_000, PAPER_N],
            "seeds": 10,
            "n_steps": 3000,
            "paper_steps": 5000,
        }
    cfg["seeds"] = args.multi_seeds or cfg["seeds"]
    cfg["n_steps"] = args.multi_steps or cfg["n_steps"]
    cfg["paper_steps"] = args.paper_steps or cfg["paper_steps"]
    cfg["n_grid"] = args.multi_grid or cfg["n_grid"]
    cfg["problems"] = list(PROBLEMS) if args.multi_problems is None else args.multi_problems
    cfg["paper_problems"] = (
        [p for p in PAPER_PROBLEMS if p in cfg["problems"]]
        if args.paper_problems is None
        else args.paper_problems
    )
    for name in ("multi_problems", "paper_problems"):
        unknown = set(cfg[name.removeprefix("multi_")]) - set(PROBLEMS)
        if unknown:
            flag = name.replace("_", "-")
            raise SystemExit(f"--{flag}: unknown {sorted(unknown)}; expected {list(PROBLEMS)}")
    # Quick: everything at its one N.
    cfg |= {
        "lr": 0.01,
        "paper_n": max(cfg["n_grid"]) if args.quick else PAPER_N,
        "ablation_n": max(cfg["n_grid"]) if args.quick else ABLATION_N,
    }
    tasks = multi_tasks(cfg)
    print(f"multi: {len(tasks)} tasks on {args.n_jobs} workers", flush=True)
    load_before = load_average()
    start = time.perf_counter()
    try:
        parallel = Parallel(n_jobs=args.n_jobs, return_as="generator_unordered", batch_size=1)
    except ValueError:  # backends without result generators
        parallel = Parallel(n_jobs=args.n_jobs, batch_size=1)
    jobs = parallel(delayed(run_multi_task)(t, cfg) for t in tasks)
    runs = [
        r
        for rows in progress(jobs, enable=not args.no_progress, desc="multi", total=len(tasks))
        for r in rows
    ]
    wall = time.perf_counter() - start
    stage = {
        "problems": cfg["problems"],
        "n_grid": cfg["n_grid"],
        "paper_problems": cfg["paper_problems"],
        "seeds": cfg["seeds"],
        "wall_seconds": wall,
        "n_jobs": args.n_jobs,
        "load_average_before_after": [load_before, load_average()],
    }
    stages = [stage]
    if previous is not None and not args.quick:
        # A partial invocation (--multi-problems / --multi-grid) adds to the earlier ones.
        runs = merge_runs(previous.get("runs", []), runs)
        stages = previous["settings"].get("stages", []) + stages
    runs.sort(key=lambda r: (r["problem"], r["N"], r["method"], r["seed"]))
    rows = summarise_multi(runs, cfg)
    ratios = step_ratios(runs, cfg)
    print_multi(rows, ratios, cfg)
    fig = plot_multi(runs, cfg, out_dir / "diff_vs_func_multi.png")
    print("wrote", fig)
    print(
        f"multi wall time {wall:.0f} s on {args.n_jobs} workers; load {load_before} -> "
        f"{load_average()}"
    )
    settings = {
        "quick": args.quick,
        "problems": {p: v[2] for p, v in PROBLEMS.items()},
        "n_grid": sorted({r["N"] for r in runs}),
        "seeds": max(r["seeds"] for r in rows) if rows else cfg["seeds"],
        "tol": TOL,
        "metric": "grassmann_distance(span, true algebra), radians",
        "data": "invariant_function_data(kind, N, rng=default_rng([seed, problem index, N])); "
        "one data set per (problem, N, seed), shared by every method",
        "grassmann": {
            "lr": cfg["lr"],
            "batch_size": 128,
            "step_cap": cfg["n_steps"],
            "stopping_rule": "Grassmann distance between iterates 100 steps apart <= "
            "0.05 * lr * 100 rad",
            "init": "N(0, 1) generators, orthonormalised (a uniformly distributed span); "
            "rng=seed (same start for every Grassmann method)",
            "projection_maximality": "none (symmetry term; see the ablation)",
            "functional_t": "A = r P z / |P z|, r ~ U(-1, 1) (isotropic law), loss l2",
        },
        "paper_protocol": {
            "problems": sorted({r["problem"] for r in runs if r["method"].startswith("paper")}),
            "N": cfg["paper_n"],
            "lr": 4.5e-4,
            "batch_size": 128,
            "steps": max(
                (r["steps"] for r in runs if r["method"].startswith("paper")),
                default=cfg["paper_steps"],
            ),
            "init": "U(0, 1), unconstrained (normalize=False)",
            "functional": "t ~ U(0, 2 pi) per generator, l2 loss, true f",
            "projection": "paper's maximality (projector onto all k generator vectors)",
        },
        "ablation_n": cfg["ablation_n"],
        "ablation": f"projection loss at N = {cfg['ablation_n']}, every problem, exact normals and "
        "estimated frames: maximality 'leading' and 'paper' (the main rows: none)",
        "surrogate": "LocalLinearSurrogate(16) per output, fitted inside the timed run",
        "closed_form": "DifferentialDiscovery() defaults (estimated frames, gap rule); its "
        "reliable frames feed projection_estimated",
        "seconds": "wall time of each fit inside a joblib worker (1 BLAS thread each with "
        "loky at 2 workers); the machine was shared, see load_average",
        "stages": stages,
        "wall_seconds": sum(st["wall_seconds"] for st in stages),
    }
    return {"settings": settings, "summary": rows, "ratios": ratios, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (< 60 s), to quick/")
    parser.add_argument("--seeds", type=int, default=None, help="main seeds (default 10)")
    parser.add_argument("--steps", type=int, default=None, help="main Adam steps (default 30000)")
    parser.add_argument("--n-points", type=int, default=None, help="main data size (default 1e5)")
    parser.add_argument("--guarded", action="store_true", help="add unit-sphere rows (main)")
    parser.add_argument(
        "--only", choices=("main", "sweeps", "multi"), default=None, help="one part"
    )
    parser.add_argument("--sweep-seeds", type=int, default=None, help="seeds (default 10)")
    parser.add_argument("--grad-seeds", type=int, default=None, help="gradient seeds (5)")
    parser.add_argument("--sweep-steps", type=int, default=None, help="Adam steps (5000)")
    parser.add_argument("--sweep-lr", type=float, default=3e-3, help="sweep Adam lr")
    parser.add_argument("--n-jobs", type=int, default=2, help="joblib workers (default 2)")
    parser.add_argument("--multi-seeds", type=int, default=None, help="multi seeds (10)")
    parser.add_argument("--multi-steps", type=int, default=None, help="Grassmann step cap (3000)")
    parser.add_argument("--paper-steps", type=int, default=None, help="paper protocol (5000)")
    parser.add_argument(
        "--multi-problems",
        type=lambda v: [x for x in v.split(",") if x],
        default=None,
        help=f"comma-separated subset of {','.join(PROBLEMS)} ('' none; added to earlier runs)",
    )
    parser.add_argument(
        "--multi-grid",
        type=lambda v: [int(float(x)) for x in v.split(",")],
        default=None,
        help="comma-separated N (default 1e3,1e4,1e5; added to earlier runs)",
    )
    parser.add_argument(
        "--paper-problems",
        type=lambda v: [x for x in v.split(",") if x],
        default=None,
        help="paper protocol at N = 1e5 (default: so3,so13 among --multi-problems; '' none)",
    )
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
    if args.only in (None, "main"):
        out |= {"machine": info} | run_main(
            args.seeds or (2 if args.quick else 10),
            args.steps or (2500 if args.quick else 30_000),
            args.n_points or (20_000 if args.quick else 100_000),
            args.guarded,
            args.quick,
        )
    if args.only in (None, "sweeps"):
        out |= {k: v | {"machine": info} for k, v in run_sweeps(args, out_dir).items()}
    if args.only in (None, "multi"):
        out["multi"] = run_multi(args, out_dir, out.get("multi")) | {"machine": info}
    print("wrote", write_json(out, path))


if __name__ == "__main__":
    main()
