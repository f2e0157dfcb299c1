"""Benchmark: transition collection with the vectorised navigation dynamics.

Collects 10^5 transitions in several configurations (median wall time of >= 5 repeats,
seeded) and, for scale, steps one Gymnasium env in a Python loop. Prints machine info and
writes benchmarks/results/collect.json.

Run: python benchmarks/bench_collect.py [--repeats 7]
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import numpy as np
from _common import RESULTS, machine_info, write_json

from liesym.data.transitions import collect_transitions
from liesym.envs import circle_tasks, ellipse_tasks, sphere_tasks

N_TOTAL = 100_000


def _greedy(states, goals):
    return 10.0 * (goals - states)


def _time(fn, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="2 repeats, for CI")
    parser.add_argument("--out", default=None, help="JSON path (default: results/, quick/)")
    args = parser.parse_args()
    if args.out is None:
        args.out = RESULTS / ("quick" if args.quick else "") / "collect.json"
    repeats = 2 if args.quick else max(5, args.repeats)

    circle = circle_tasks()
    cases = {
        "circle, 1 task, random policy, n_envs=64": lambda: collect_transitions(
            circle, circle.base_goal, N_TOTAL, rng=0
        ),
        "circle, 4 tasks x 25k, random policy, n_envs=64": lambda: collect_transitions(
            circle, circle.train_goals(4), N_TOTAL // 4, rng=0
        ),
        "circle, 1 task, random policy, n_envs=256": lambda: collect_transitions(
            circle, circle.base_goal, N_TOTAL, rng=0, n_envs=256
        ),
        "circle anchor, 1 task, random policy": lambda: collect_transitions(
            circle_tasks(anchor=True), circle.base_goal, N_TOTAL, rng=0
        ),
        "ellipse, 1 task, random policy": lambda: collect_transitions(
            ellipse_tasks(np.diag([0.7, 0.9])), [0.7, 0.0], N_TOTAL, rng=0
        ),
        "sphere, 1 task, random policy": lambda: collect_transitions(
            sphere_tasks(), [1.0, 0.0, 0.0], N_TOTAL, rng=0
        ),
        "circle, 1 task, greedy policy (many resets)": lambda: collect_transitions(
            circle, circle.base_goal, N_TOTAL, policy=_greedy, rng=0
        ),
    }
    results = {}
    for name, fn in cases.items():
        median, times = _time(fn, repeats)
        results[name] = {
            "median_s": median,
            "times_s": times,
            "steps_per_s": N_TOTAL / median,
        }
        print(f"{name:<50} {median * 1e3:8.1f} ms  ({N_TOTAL / median / 1e6:.2f} M steps/s)")

    # For scale: one Gymnasium env stepped in a Python loop.
    env = circle.make_env()
    n_loop = 10_000

    def loop():
        env.reset(seed=0)
        action = np.array([0.05, 0.0])
        for _ in range(n_loop):
            *_, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                env.reset()

    median, times = _time(loop, repeats)
    name = "NavigationEnv.step loop (per 1e5 steps, extrapolated from 1e4)"
    per_total = median * N_TOTAL / n_loop
    results[name] = {
        "median_s": per_total,
        "times_s": times,
        "steps_per_s": n_loop / median,
    }
    print(f"{name:<50} {per_total * 1e3:8.1f} ms  ({n_loop / median / 1e6:.3f} M steps/s)")

    machine = machine_info()
    print("machine:", json.dumps(machine))
    payload = {"n_steps": N_TOTAL, "repeats": repeats, "machine": machine, "results": results}
    print(f"wrote {write_json(payload, args.out)}")


if __name__ == "__main__":
    main()
