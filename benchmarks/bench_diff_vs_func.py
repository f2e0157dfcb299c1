"""Differential vs functional symmetry discovery on f(x) = |x|^2 in R^2, on identical data.

Protocol (the prototype's, see reference/prototype_measured.md): N = 100,000 points
x ~ N(0, I_2), Adam lr 4.5e-4, batch 128, the same U(0, 1) initial generator per seed for
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

Usage: python benchmarks/bench_diff_vs_func.py [--quick] [--seeds S] [--steps K] [--guarded]
Writes benchmarks/results/diff_vs_func.json and prints a table.
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import scipy

from liesym.algebra import so
from liesym.discovery._gradient import fit_projection_loss
from liesym.discovery.differential import DifferentialDiscovery
from liesym.discovery.functional import fit_functional_loss
from liesym.discovery.kernel import kernel_frames
from liesym.discovery.surrogate import LocalLinearSurrogate

J = np.array([[0.0, -1.0], [1.0, 0.0]])
TOL = 0.05  # radians, the prototype's threshold
PROTOTYPE = {
    "differential": {"steps": 1940, "steps_range": [1170, 2430], "seconds": 1.3},
    "functional": {"steps": 14840, "steps_range": [9880, 23720], "seconds": 35.0},
}


def machine_info() -> dict:
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def sq_norm(y):
    return (y**2).sum(axis=1)


def summarise(runs: list[dict]) -> dict:
    steps = np.array([r["steps_to_tol"] for r in runs if r["steps_to_tol"] is not None])
    secs = np.array([r["seconds_to_tol"] for r in runs if r["steps_to_tol"] is not None])
    final = np.array([r["final_angle"] for r in runs])
    out = {
        "n_runs": len(runs),
        "n_reached": int(steps.size),
        "final_angle_max": final.max(),
        "final_angle_median": float(np.median(final)),
        "seconds_per_step": float(np.median([r["seconds_per_step"] for r in runs])),
    }
    if steps.size:
        out |= {
            "steps_median": float(np.median(steps)),
            "steps_min": int(steps.min()),
            "steps_max": int(steps.max()),
            "seconds_median": float(np.median(secs)),
            "seconds_min": float(secs.min()),
            "seconds_max": float(secs.max()),
        }
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (< 30 s)")
    parser.add_argument("--seeds", type=int, default=None, help="number of seeds (default 10)")
    parser.add_argument("--steps", type=int, default=None, help="Adam steps (default 30000)")
    parser.add_argument("--n-points", type=int, default=None, help="data size (default 1e5)")
    parser.add_argument("--guarded", action="store_true", help="add unit-sphere rows")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    n_seeds = args.seeds or (2 if args.quick else 10)
    n_steps = args.steps or (2500 if args.quick else 30_000)
    n_points = args.n_points or (20_000 if args.quick else 100_000)

    info = machine_info()
    print("machine:", ", ".join(f"{k}={v}" for k, v in info.items()))
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
            x, sq_norm, grad=lambda p: 2 * p, normalize=False, rng=s, **proto_func, **common
        ),
        "d_func_surrogate": lambda s: fit_functional_loss(
            x, surrogate, normalize=False, rng=s, **proto_func, **common
        ),
    }
    if args.guarded:
        methods["a_diff_oracle_unit"] = lambda s: fit_projection_loss(x, x @ J.T, rng=s, **common)
        methods["c_func_oracle_unit"] = lambda s: fit_functional_loss(
            x, sq_norm, grad=lambda p: 2 * p, rng=s, t_range=(-np.pi, np.pi), **common
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

    summary = {name: summarise(r) for name, r in runs.items()}
    print(f"\nf = |x|^2, N = {n_points}, {n_seeds} seeds, {n_steps} steps, tol {TOL} rad")
    print(
        f"{'method':<22}{'steps to tol: median (min-max)':>34}{'seconds to tol':>24}"
        f"{'reached':>9}{'final angle max':>17}"
    )
    for name, s in summary.items():
        if "steps_median" in s:
            steps = f"{s['steps_median']:.0f} ({s['steps_min']}-{s['steps_max']})"
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
    ratios = {}
    for diff, func in (
        ("a_diff_oracle", "c_func_oracle"),
        ("b_diff_estimated", "d_func_surrogate"),
        ("a_diff_oracle_unit", "c_func_oracle_unit"),
    ):
        sd, sf = summary.get(diff, {}), summary.get(func, {})
        if "steps_median" in sd and "steps_median" in sf:
            ratios[f"{func}/{diff}"] = {
                "steps": sf["steps_median"] / sd["steps_median"],
                "seconds": sf["seconds_median"] / sd["seconds_median"],
            }
            print(
                f"ratio {func}/{diff}: {ratios[f'{func}/{diff}']['steps']:.1f}x steps, "
                f"{ratios[f'{func}/{diff}']['seconds']:.1f}x seconds"
            )
    print(
        "prototype (5 seeds): differential 1940 steps / 1.3 s, functional 14840 / 35 s "
        "(7.6x steps, 27x seconds)"
    )

    args.out.mkdir(parents=True, exist_ok=True)
    out = {
        "machine": info,
        "settings": {
            "n_points": n_points,
            "n_seeds": n_seeds,
            "n_steps": n_steps,
            "tol": TOL,
            "lr": 4.5e-4,
            "batch_size": 128,
            "quick": args.quick,
            "frames": "liesym.discovery.kernel.kernel_frames (local_linear)",
            "frames_seconds": frames_seconds,
            "frames_reliable": float(reliable.mean()),
            "surrogate": "LocalLinearSurrogate(16)",
            "surrogate_seconds": surrogate_seconds,
        },
        "summary": summary,
        "closed_form": closed,
        "ratios": ratios,
        "prototype": PROTOTYPE,
        "runs": runs,
    }
    path = args.out / "diff_vs_func.json"
    path.write_text(json.dumps(out, indent=1, default=float))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
