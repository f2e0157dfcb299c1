"""Hereditary transfer across the whole task space: scores, regret and inference error vs k.

Run ``python benchmarks/bench_navigation.py [--seeds 5] [--n-jobs 2] [--quick]``. Writes
``benchmarks/results/navigation.json`` and ``navigation_scores.png`` / ``navigation_inference.png``,
and prints a table and the machine.

Each (family, seed) cell runs :func:`liesym.pipeline.run_pipeline` (through ``run_demo``'s
sizes) end to end: random-policy data on
the training tasks (2 for circle and ellipse C = diag(0.7, 0.9), 4 for the sphere), closed-form
discovery and SymPy certificates, test-time inference of every test task's group element from
k = 10 random-policy transitions (36 evenly spaced tasks; 50 on the sphere), and evaluation of the
transferred base policy against the nearest-training-task (picked by inferred element), contrastive
and zero-action baselines and the oracle trained on each test task (3 evaluation seeds x 32
episodes); returns and relative regret (R_oracle - R)/|R_oracle| beside the scores. Targets
(issue 5): inference
angle error <= 0.01 rad from k = 10; normalised score >= 0.95 at every test task; regret flat
in distance.
Cells run in parallel with joblib (``--n-jobs``; see benchmarks/README.md for cluster backends).
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, machine_info, parse_args, summary, write_json

FAMILIES = ("circle", "ellipse", "sphere")


def run_cell(name: str, seed: int, quick: bool) -> dict:
    from threadpoolctl import threadpool_limits

    from liesym.envs import family_by_name
    from liesym.pipeline import run_demo

    family = family_by_name(name)
    sphere = family.n == 3
    sizes = {
        "n_train": 4 if sphere else 2,
        "n_steps": 4000 if sphere else 2000,
        "n_test": 50 if sphere else 36,
    }
    if quick:
        sizes.update(n_test=6, seeds=2, n_episodes=8, inference_k=(1, 3, 10))
    with threadpool_limits(1):
        res = run_demo(family, rng=seed, progress=False, **sizes)
    curve = res.curve
    methods = [m for m in curve.methods if m not in ("oracle", "random")]
    return {
        "family": name,
        "seed": seed,
        "embedded": res.structure.embedded,
        "task_algebra": res.structure.task_report.name,
        "errors": res.structure.errors,
        "inference_k": list(res.inference_k),
        "inference_error": res.inference_errors.tolist(),
        "distance": curve.distance.tolist(),
        "score": {m: curve.band(m, "score").mean.tolist() for m in methods},
        "regret": {m: curve.band(m, "regret").mean.tolist() for m in methods},
        "returns": {m: res.returns[m].tolist() for m in curve.methods},
        "relative_regret": {m: res.relative_regret[m].tolist() for m in methods},
        "slope": {m: curve.slope(m) for m in methods},
        "timings": res.timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="1 seed, small sizes, for CI")
    parser.add_argument("--out", default=None)
    parser.add_argument(
        "--figures-only",
        action="store_true",
        help="redraw the figures from an existing navigation.json",
    )
    args = parse_args(parser)
    seeds = range(1 if args.quick else args.seeds)
    out = Path(args.out) if args.out else RESULTS / ("quick" if args.quick else "")
    if args.figures_only:
        figures(json.loads((out / "navigation.json").read_text())["cells"], out)
        return
    info = machine_info()
    print("machine:", info)
    cells = Parallel(n_jobs=args.n_jobs)(
        delayed(run_cell)(name, seed, args.quick) for name in FAMILIES for seed in seeds
    )
    results = {}
    print(f"{'family':<8} {'method':<12} {'min score':>10} {'mean score':>11} {'slope':>8}")
    for name in FAMILIES:
        rows = [c for c in cells if c["family"] == name]
        k = rows[0]["inference_k"]
        err = np.array([r["inference_error"] for r in rows])  # (seeds, len(k), tasks)
        fam = {
            "seeds": len(rows),
            "embedded": sum(bool(r["embedded"]) for r in rows),
            "inference_k": k,
            "inference_error_median": np.median(err, axis=(0, 2)).tolist(),
            "inference_error_max": np.max(err, axis=(0, 2)).tolist(),
            "methods": {},
            "wall_time": summary([sum(r["timings"].values()) for r in rows]),
        }
        for method in rows[0]["score"]:
            scores = np.array([r["score"][method] for r in rows])  # (seeds, tasks)
            rets = np.array([r["returns"][method] for r in rows])
            rel = np.array([r["relative_regret"][method] for r in rows])
            fam["methods"][method] = {
                "min_task_score": summary(scores.min(axis=1)),
                "mean_score": summary(scores.mean(axis=1)),
                "slope": summary([r["slope"][method] for r in rows]),
                "mean_return": summary(rets.mean(axis=1)),
                "worst_return": summary(rets.min(axis=1)),
                "median_relative_regret": summary(np.median(rel, axis=1)),
                "max_relative_regret": summary(rel.max(axis=1)),
            }
            m = fam["methods"][method]
            print(
                f"{name:<8} {method:<12} {m['min_task_score']['median']:>10.3f} "
                f"{m['mean_score']['median']:>11.3f} {m['slope']['median']:>8.2f}"
            )
        oracle = np.array([r["returns"]["oracle"] for r in rows])
        fam["oracle_mean_return"] = summary(oracle.mean(axis=1))
        i10 = k.index(10)
        print(
            f"{name:<8} inference k=10: median {fam['inference_error_median'][i10]:.1e}, "
            f"max {fam['inference_error_max'][i10]:.1e} rad; embedding certified "
            f"{fam['embedded']}/{len(rows)}"
        )
        results[name] = fam
    write_json(
        {"machine": info, "seeds": len(seeds), "results": results, "cells": cells},
        out / "navigation.json",
    )
    figures(cells, out)
    print("wrote", out / "navigation.json")


def figures(cells, out: Path) -> None:
    import matplotlib.pyplot as plt

    from liesym.viz import plot_inference_error, plot_regret_curves, save_figure

    fig, axes = plt.subplots(1, len(FAMILIES), figsize=(5 * len(FAMILIES), 4), squeeze=False)
    for ax, name in zip(axes[0], FAMILIES, strict=True):
        rows = [c for c in cells if c["family"] == name]
        # Training goals differ between seeds, hence the distances: every (seed, task) is a point.
        curves = {
            method: {
                "distance": np.concatenate([r["distance"] for r in rows]),
                "mean": np.concatenate([r["score"][method] for r in rows]),
            }
            for method in rows[0]["score"]
        }
        plot_regret_curves(curves, ax=ax, title=f"{name} ({len(rows)} seeds x tasks)")
    save_figure(fig, out / "navigation_scores.png")
    errors = {}
    for name in FAMILIES:
        rows = [c for c in cells if c["family"] == name]
        e = np.array([r["inference_error"] for r in rows])  # (seeds, k, tasks)
        errors[name] = np.maximum(e.transpose(1, 0, 2).reshape(e.shape[1], -1), 1e-16)
    fig = plot_inference_error(rows[0]["inference_k"], errors, title="goal-angle error vs k")
    save_figure(fig, out / "navigation_inference.png")


if __name__ == "__main__":
    main()
