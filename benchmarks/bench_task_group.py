"""Task-group discovery from a few training tasks: algebra and task angles, over seeds.

Run ``python benchmarks/bench_task_group.py [--seeds 10] [--quick]``. Writes
``benchmarks/results/task_group.json`` and prints a table and the machine.

For each family (circle; ellipse with C = diag(0.7, 0.9); sphere) and number of training tasks,
every seed collects 2,000 random-policy transitions per task (4,000 on the sphere), discovers
each task's affine reward symmetry in closed form, solves for the task-group elements and
reads off the task algebra. Reported: Grassmann distance of the task algebra to the ground
truth, the largest task-angle error (circle, ellipse: |wrapped angle - true angle|; sphere:
|L_i g_0 - g_i|), the chosen dimension, and the wall time per discovery (all tasks).
Targets (issue 4): the right algebra, task angles within 0.01 rad; so(3) from 4 sphere goals.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, machine_info, summary, write_json

from liesym.algebra import grassmann_distance
from liesym.data import collect_transitions
from liesym.discovery.task_group import discover_task_group
from liesym.envs import circle_tasks, ellipse_tasks, sphere_tasks


def run_case(family, n_tasks: int, seed: int, n_steps: int) -> dict:
    goals = family.train_goals(n_tasks, rng=seed)
    data = [
        collect_transitions(family, g[None], n_steps, rng=1000 * seed + i)
        for i, g in enumerate(goals)
    ]
    start = time.perf_counter()
    res = discover_task_group(data, rng=seed)
    wall = time.perf_counter() - start
    if family.n == 2:
        true = np.ravel(family.param_of(goals)) - np.ravel(family.param_of(goals[0]))
        err = np.abs(np.angle(np.exp(1j * (res.angles() - true)))).max()
    else:
        err = np.abs(res.elements_ @ goals[0] - goals).max()
    return {
        "grassmann": grassmann_distance(res.algebra_, family.task_algebra),
        "error": float(err),
        "dim": res.algebra_.dim,
        "dim_right": res.algebra_.dim == family.task_algebra.dim,
        "wall_time": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="2 seeds, for CI")
    parser.add_argument("--out", default=None, help="JSON path (default: results/, quick/)")
    args = parser.parse_args()
    if args.out is None:
        args.out = RESULTS / ("quick" if args.quick else "") / "task_group.json"
    seeds = range(2 if args.quick else args.seeds)
    cases = [
        ("circle", circle_tasks(), 2, 2000),
        ("circle", circle_tasks(), 4, 2000),
        ("ellipse", ellipse_tasks(np.diag([0.7, 0.9])), 2, 2000),
        ("ellipse", ellipse_tasks(np.diag([0.7, 0.9])), 4, 2000),
        ("sphere", sphere_tasks(), 4, 4000),
    ]
    info = machine_info()
    print("machine:", info)
    results = {}
    header = f"{'case':<12} {'grassmann (med, max)':>22} {'angle/goal err (med, max)':>27} "
    print(header + f"{'dim right':>10} {'time s':>8}")
    for name, family, k, n_steps in cases:
        rows = [run_case(family, k, seed, n_steps) for seed in seeds]
        key = f"{name}_{k}"
        g = summary([r["grassmann"] for r in rows])
        e = summary([r["error"] for r in rows])
        t = summary([r["wall_time"] for r in rows])
        right = sum(r["dim_right"] for r in rows)
        results[key] = {
            "grassmann": g,
            "error": e,
            "wall_time": t,
            "dim_right": right,
            "seeds": len(rows),
            "runs": rows,
        }
        print(
            f"{key:<12} {g['median']:>11.4f} {g['max']:>10.4f} {e['median']:>13.4f} "
            f"{e['max']:>13.4f} {right:>5}/{len(rows):<4} {t['median']:>8.2f}"
        )
    write_json({"machine": info, "seeds": len(seeds), "results": results}, args.out)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
