"""Scaling of closed-form symmetry discovery with the dimension n and the sample size N.

Run ``python benchmarks/bench_scaling.py [--quick] [--seeds 5] [--n-jobs 2]``. Writes
``benchmarks/results/scaling.json`` and ``scaling.png`` (``results/quick/`` with ``--quick``),
prints the machine, a table and the fitted growth exponents.

Every cell (family, n, N) runs for each seed, in parallel with joblib (one task per cell and
seed, each with its own generator ``default_rng([seed, family, n, N])``, so the accuracy
numbers do not depend on the scheduling or on ``--n-jobs``, up to floating-point rounding in
threaded BLAS, ~1e-16). Tasks run seed by seed, largest first. A task draws one data set and fits
``DifferentialDiscovery`` twice on it:

estimated
    ``fit(X, y)``: kernel frames estimated from the samples (local linear, k nearest
    neighbours), then the SVD null space with the dimension read off the gap.
exact
    ``fit(X, normals=...)``: the oracle normals of the level sets (only the null space).

Reported per cell: how many seeds got the dimension right, the Grassmann distance to the exact
algebra (a wrong dimension counts pi/2 per missing or extra direction) and the wall time of
``fit`` (median, min-max over seeds), and the log-log slope of the median time against n and
against N (the growth exponent).

Families (noise-free values unless ``--noise``; points N(0, I) or C N(0, I)):

radial
    f = |x|^2 on R^n, algebra so(n) (n(n-1)/2 generators, 45 at n = 10).
conjugated
    f = |C^-1 x|^2, C random (seeded), algebra C so(n) C^-1.
torus, torus_sum
    so(2)+so(2) on R^4 from ``invariant_function_data``: two outputs (|x_12|^2, |x_34|^2),
    and one output |x_12|^2 + |x_34|^4 / 2.
so3+so2, so3+so2_sum
    so(3)+so(2) on R^5 from the local :func:`block_data`: two outputs (|x_A|^2, |x_B|^2), and
    one output |x_A|^2 + |x_B|^4 / 2 (a quadratic plus a quartic form, so that the blocks
    cannot mix: with |x_B|^2 the sum would be |x|^2 and the algebra so(5)).

The estimated frames at N = 100,000 and n >= 6 are left out of the full grid: on the 2-core
machine one fit took 4-10 s at n = 5 and 157 s at n = 10 (single measurement; 23-25 s at
N = 30,000), almost all of it in the k-nearest-neighbour search (a k-d tree degrades towards
brute force in high dimension); 5 seeds of those cells would exceed the time budget. The
exact-normal fits of those cells still run, so the null-space cost is measured up to n = 10
(45 generators) at N = 100,000.
"""

import argparse
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, machine_info, parse_args, summary, write_json

from liesym._core import progress
from liesym.algebra import LieAlgebra, grassmann_distance, so
from liesym.data.synthetic import invariant_function_data
from liesym.discovery.differential import DifferentialDiscovery

FAMILIES = ("radial", "conjugated", "torus", "torus_sum", "so3+so2", "so3+so2_sum")
LABELS = {
    "radial": "so(n)",
    "conjugated": "C so(n) C^-1",
    "torus": "so(2)+so(2), 2 outputs",
    "torus_sum": "so(2)+so(2), 1 output",
    "so3+so2": "so(3)+so(2), 2 outputs",
    "so3+so2_sum": "so(3)+so(2), 1 output",
}
FIXED_N = {"torus": 4, "torus_sum": 4, "so3+so2": 5, "so3+so2_sum": 5}
SKIP_ESTIMATED = (
    "N = 1e5, n >= 6: k-d tree neighbour search, 4-10 s per fit at n = 5, 157 s at n = 10"
)


def grids(quick: bool) -> dict:
    """The sweeps: lists of (family, n, N) cells."""
    if quick:
        vs_n = {1000: range(2, 8), 10_000: range(2, 8)}
        vs_big_n = {n: (1000, 3000, 10_000, 30_000) for n in (2, 5)}
        conj_n, others_n_points = (2, 3), (3000,)
    else:
        vs_n = {N: range(2, 11) for N in (1000, 10_000, 100_000)}
        vs_big_n = {n: (1000, 3000, 10_000, 30_000, 100_000) for n in (2, 5, 10)}
        conj_n, others_n_points = (2, 3, 5, 8), (1000, 10_000, 100_000)
    return {
        "time_vs_n": {f"N={N}": [("radial", n, N) for n in ns] for N, ns in vs_n.items()},
        "time_vs_N": {f"n={n}": [("radial", n, N) for N in Ns] for n, Ns in vs_big_n.items()},
        "conjugated": [("conjugated", n, N) for n in conj_n for N in others_n_points],
        "direct_sums": [(fam, FIXED_N[fam], N) for fam in FAMILIES[2:] for N in others_n_points],
    }


@dataclass(frozen=True, eq=False)
class Sample:
    """Points, values, exact orthonormal normals (N, r, n) and the exact algebra."""

    X: np.ndarray
    y: np.ndarray
    normals: np.ndarray
    algebra: LieAlgebra


def block_data(blocks, n_points: int, rng, *, outputs: int = 2) -> Sample:
    """Samples of a function on R^(a+b) whose symmetry algebra is exactly so(a)+so(b).

    ``outputs=2``: f = (|x_A|^2, |x_B|^2); a field W with x^T P_A W x = 0 for all x has
    P_A W skew, so no A-B coupling and skew diagonal blocks. ``outputs=1``:
    f = |x_A|^2 + |x_B|^4 / 2; df(Wx) is a quadratic plus a quartic form (|x_B|^2 times a
    quadratic), both vanish separately and give the same conditions.
    """
    a, b = blocks
    x = rng.normal(size=(n_points, a + b))
    xa, xb = x[:, :a], x[:, a:]
    qa, qb = np.sum(xa**2, axis=1), np.sum(xb**2, axis=1)
    if outputs == 2:
        y = np.stack([qa, qb], axis=1)
        normals = np.zeros((n_points, 2, a + b))
        # The two gradient rows live on disjoint blocks: orthogonal, only normalised.
        normals[:, 0, :a] = xa / np.sqrt(qa)[:, None]
        normals[:, 1, a:] = xb / np.sqrt(qb)[:, None]
    else:
        y = qa + 0.5 * qb**2
        grad = np.concatenate([xa, qb[:, None] * xb], axis=1)
        normals = (grad / np.linalg.norm(grad, axis=1, keepdims=True))[:, None, :]
    return Sample(x, y, normals, so(a).direct_sum(so(b)))


def make_data(family: str, n: int, n_points: int, rng, noise: float) -> Sample:
    if family.startswith("so3+so2"):
        s = block_data((3, 2), n_points, rng, outputs=1 if family.endswith("_sum") else 2)
        y = s.y + noise * rng.normal(size=s.y.shape) if noise > 0 else s.y
        return Sample(s.X, y, s.normals, s.algebra)
    data = invariant_function_data(
        family, n_points, rng=rng, noise=noise, n=None if family in FIXED_N else n
    )
    return Sample(data.X, data.y, data.normals(), data.algebra)


def skip_estimated(n: int, n_points: int) -> bool:
    return n >= 6 and n_points >= 100_000


def fit_record(fit, truth: LieAlgebra) -> dict:
    """Wall time, dimension and Grassmann distance of ``fit(None)`` (gap rule).

    When the gap rule picks the wrong dimension, ``fit(truth.dim)`` gives the distance at the
    known dimension too (accuracy of the span apart from the dimension decision; not timed).
    Warnings are counted, not raised.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        est = fit(None)
        seconds = time.perf_counter() - start
        right = est.dim_ == truth.dim
        known = est if right else fit(truth.dim)
    # No algebra found: every true direction is missing (pi/2 each).
    dist = (
        grassmann_distance(est.algebra_, truth)
        if est.dim_
        else float(np.sqrt(truth.dim) * np.pi / 2)
    )
    return {
        "seconds": seconds,
        "dim": int(est.dim_),
        "grassmann": dist,
        "grassmann_known_dim": dist if right else grassmann_distance(known.algebra_, truth),
        "gap": float(est.gap_),
        "reliable_share": float(est.frames_.reliable.mean()),
        "warnings": len(caught),
    }


def run_task(family: str, n: int, n_points: int, seed: int, noise: float) -> dict:
    rng = np.random.default_rng([seed, FAMILIES.index(family), n, n_points])
    data = make_data(family, n, n_points, rng, noise)
    out = {"family": family, "n": n, "N": n_points, "seed": seed}
    if not skip_estimated(n, n_points):
        out["estimated"] = fit_record(
            lambda dim: DifferentialDiscovery(dim).fit(data.X, data.y), data.algebra
        )
    out["exact"] = fit_record(
        lambda dim: DifferentialDiscovery(dim).fit(data.X, normals=data.normals), data.algebra
    )
    out["true_dim"] = data.algebra.dim
    return out


def aggregate(rows: list[dict]) -> dict:
    """Per-cell summaries over seeds, keyed by (family, n, N)."""
    cells: dict = {}
    for r in rows:
        cells.setdefault((r["family"], r["n"], r["N"]), []).append(r)
    out = {}
    for key, runs in sorted(cells.items()):
        cell = {"family": key[0], "algebra": LABELS[key[0]], "n": key[1], "N": key[2]}
        cell["true_dim"] = runs[0]["true_dim"]
        cell["seeds"] = len(runs)
        for mode in ("estimated", "exact"):
            recs = [r[mode] for r in runs if mode in r]
            if not recs:
                cell[mode] = {"skipped": SKIP_ESTIMATED}
                continue
            cell[mode] = {
                "dim_right": int(sum(rec["dim"] == cell["true_dim"] for rec in recs)),
                "dims": [rec["dim"] for rec in recs],
                "warnings": int(sum(rec["warnings"] for rec in recs)),
                **{
                    k: summary([rec[k] for rec in recs])
                    for k in (
                        "grassmann",
                        "grassmann_known_dim",
                        "seconds",
                        "gap",
                        "reliable_share",
                    )
                },
            }
        out[key] = cell
    return out


def growth_exponent(x, t) -> float | None:
    """Slope of log t against log x (None with fewer than two points)."""
    x, t = np.asarray(x, dtype=float), np.asarray(t, dtype=float)
    ok = np.isfinite(t) & (t > 0)
    if ok.sum() < 2:
        return None
    return float(np.polyfit(np.log(x[ok]), np.log(t[ok]), 1)[0])


def sweep_series(cells: dict, sweep: list, axis: int, mode: str, key: str):
    """The x values (n or N) and per-cell medians of ``key`` along one sweep."""
    xs, med = [], []
    for cell_key in sweep:
        res = cells[cell_key][mode]
        if "skipped" in res:
            continue
        xs.append(cell_key[axis])
        med.append(res[key]["median"])
    return np.array(xs), np.array(med)


def exponents(cells: dict, grid: dict) -> dict:
    """Growth exponents of the median wall time, over the whole sweep and its upper half."""
    out = {}
    for name, axis, tail in (("time_vs_n", 1, 5), ("time_vs_N", 2, 10_000)):
        out[name] = {}
        for label, sweep in grid[name].items():
            entry = {}
            for mode in ("estimated", "exact"):
                x, t = sweep_series(cells, sweep, axis, mode, "seconds")
                entry[mode] = growth_exponent(x, t)
                entry[f"{mode}_upper"] = growth_exponent(x[x >= tail], t[x >= tail])
            out[name][label] = entry
    return out


def print_table(cells: dict) -> None:
    head = (
        f"{'family':<12}{'n':>3}{'N':>7}{'k':>3} | {'estimated: dim':>14} "
        f"{'grassmann med [min, max]':>26} {'known k':>8} {'s med':>7} | "
        f"{'exact: dim':>10} {'grassmann':>9} {'s med':>7}"
    )
    print(head)
    print("-" * len(head))
    for (fam, n, n_points), c in cells.items():
        s = c["seeds"]
        est, ex = c["estimated"], c["exact"]
        if "skipped" in est:
            est_txt = f"{'skipped':>14} {'':>26} {'':>8} {'':>7}"
        else:
            g = est["grassmann"]
            rng_txt = f"{g['median']:.2e} [{g['min']:.1e}, {g['max']:.1e}]"
            est_txt = (
                f"{est['dim_right']:>10}/{s:<3} {rng_txt:>26} "
                f"{est['grassmann_known_dim']['median']:>8.1e} {est['seconds']['median']:>7.3f}"
            )
        print(
            f"{fam:<12}{n:>3}{n_points:>7}{c['true_dim']:>3} | {est_txt} | "
            f"{ex['dim_right']:>6}/{s:<3} {ex['grassmann']['median']:>9.1e} "
            f"{ex['seconds']['median']:>7.3f}"
        )


def figure(cells: dict, grid: dict, path: Path, n_seeds: int) -> Path:
    # liesym.viz draws the median and min-max band on log-log axes; the 2x2 layout is the
    # only thing it does not provide.
    import matplotlib.pyplot as plt

    from liesym.viz import plot_inference_error, save_figure

    fig, axes = plt.subplots(2, 2, figsize=(11.0, 8.5))
    panels = (
        (axes[0, 0], "time_vs_n", 1, "seconds", "n", "fit wall time (s)"),
        (axes[0, 1], "time_vs_N", 2, "seconds", "N", "fit wall time (s)"),
        (axes[1, 0], "time_vs_n", 1, "grassmann_known_dim", "n", "Grassmann distance"),
        (axes[1, 1], "time_vs_N", 2, "grassmann_known_dim", "N", "Grassmann distance"),
    )
    for (ax, name, axis, key, xlabel, ylabel), legend_loc in zip(
        panels, ("upper left", "upper left", "lower right", "lower left"), strict=True
    ):
        modes = ("estimated", "exact") if key == "seconds" else ("estimated",)
        missed = []
        for i, (label, sweep) in enumerate(grid[name].items()):
            for mode in modes:
                keys = [k for k in sweep if "skipped" not in cells[k][mode]]
                if not keys:
                    continue
                x = [k[axis] for k in keys]
                # Rows (min, median, max): plot_inference_error's median and band are exact.
                vals = [[cells[k][mode][key][q] for q in ("min", "median", "max")] for k in keys]
                plot_inference_error(x, {f"{mode}, {label}": np.array(vals)}, ax=ax)
                # One colour per sweep, solid for estimated frames, dashed for exact normals.
                ax.lines[-1].set_color(f"C{i}")
                ax.lines[-1].set_linestyle("-" if mode == "estimated" else "--")
                ax.collections[-1].set_color(f"C{i}")
                missed += [
                    (k[axis], cells[k][mode][key]["median"])
                    for k in keys
                    if cells[k][mode]["dim_right"] < cells[k]["seeds"]
                ]
        if missed:
            mx, my = np.array(missed).T
            ax.plot(mx, my, "kx", ms=9, label="gap rule missed the dimension (some seeds)")
        # Redrawn (colours and styles changed after plotting); the time panels get head room.
        if key == "seconds":
            low, high = ax.get_ylim()
            ax.set_ylim(low, high * (high / low) ** 0.5)  # top third of the log axis
        ax.legend(fontsize=7, ncol=2 if key == "seconds" else 1, loc=legend_loc)
        if axis == 1:
            ticks = sorted({k[1] for sweep in grid[name].values() for k in sweep})
            ax.set_xticks(ticks, labels=[str(t) for t in ticks])
            ax.set_xticks([], minor=True)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    axes[1, 0].set_title("estimated frames, at the true dimension", fontsize=9)
    axes[1, 1].set_title("estimated frames, at the true dimension", fontsize=9)
    fig.suptitle(
        f"closed-form discovery of so(n) from f = |x|^2 (median, min-max over {n_seeds} seeds); "
        "dashed: exact normals"
    )
    fig.tight_layout()
    return save_figure(fig, path)


def run_tasks(tasks: list, n_jobs: int, noise: float, show: bool) -> list[dict]:
    """Run the tasks with joblib, on the active backend (loky here; dask or ray if configured)."""
    try:
        # Results as they finish, for the progress bar.
        parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered", batch_size=1)
    except ValueError:  # backends without result generators (multiprocessing, ray)
        parallel = Parallel(n_jobs=n_jobs, batch_size=1)
    jobs = parallel(delayed(run_task)(*t, noise) for t in tasks)
    return list(progress(jobs, enable=show, desc="tasks", total=len(tasks)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small grid, 2 seeds (< 60 s)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per cell (default 5)")
    parser.add_argument("--n-jobs", type=int, default=2, help="joblib workers (default 2)")
    parser.add_argument("--noise", type=float, default=0.0, help="std of noise on the values")
    parser.add_argument("--out", type=Path, default=None, help="folder (default results/)")
    parser.add_argument("--no-progress", action="store_true")
    args = parse_args(parser)
    n_seeds = args.seeds or (2 if args.quick else 5)
    out = args.out or (RESULTS / "quick" if args.quick else RESULTS)
    grid = grids(args.quick)
    keys = sorted(
        {
            k
            for sweeps in grid.values()
            for s in (sweeps.values() if isinstance(sweeps, dict) else [sweeps])
            for k in s
        }
    )
    # Seed by seed, largest tasks first: the seeds of one cell run at different times (so that
    # a burst of load on the machine moves one seed, not the median), and each round ends
    # with short tasks (load balance).
    tasks = sorted(
        ((fam, n, npt, seed) for fam, n, npt in keys for seed in range(n_seeds)),
        key=lambda t: (t[3], -t[2] * t[1] ** 3),
    )
    info = machine_info()
    print("machine:", info)
    print(f"{len(keys)} cells x {n_seeds} seeds = {len(tasks)} tasks on {args.n_jobs} workers")
    start = time.perf_counter()
    rows = run_tasks(tasks, args.n_jobs, args.noise, not args.no_progress)
    wall = time.perf_counter() - start
    cells = aggregate(rows)
    print_table(cells)
    exps = exponents(cells, grid)
    for name, per in exps.items():
        for label, e in per.items():
            txt = ", ".join(f"{k} {v:.2f}" for k, v in e.items() if v is not None)
            print(f"growth exponent {name} ({label}): {txt}")
    print(f"total wall time {wall:.1f} s")
    payload = {
        "machine": info,
        "config": {
            "quick": args.quick,
            "seeds": n_seeds,
            "n_jobs": args.n_jobs,
            "noise": args.noise,
            "seeding": "default_rng([seed, family index, n, N]) per task",
            "timing": "wall time of DifferentialDiscovery.fit inside a joblib worker "
            "(loky limits BLAS threads to cpu_count // n_jobs per worker)",
            "skipped_estimated": SKIP_ESTIMATED,
        },
        "grid": {
            name: (
                {k: [list(c) for c in v] for k, v in s.items()}
                if isinstance(s, dict)
                else [list(c) for c in s]
            )
            for name, s in grid.items()
        },
        "wall_seconds": wall,
        "exponents": exps,
        "cells": list(cells.values()),
    }
    path = write_json(payload, out / "scaling.json")
    png = figure(cells, grid, out / "scaling.png", n_seeds)
    print("wrote", path, "and", png)


if __name__ == "__main__":
    main()
