"""Active test-time inference on the circle family with noisy rewards: error at k probes.

Run ``python benchmarks/bench_active_inference.py [--seeds 5] [--quick]``. Writes
``benchmarks/results/active_inference.json`` and prints a table and the machine.

Per seed: base-task data (2,000 random-policy transitions with reward noise sigma_r) give the
base reward's radial profile (``fit_reward_profile``), the noise level (its residual standard
deviation) and a linear dynamics model (``fit_linear_dynamics``); the group is so(2) (what the
pipeline certifies on this family). For each of 36 test tasks the element is inferred from
k = 10 transitions, either probed actively (``probe_actively``: each action starts the plan
over the remaining steps with the least expected squared error of the posterior mode) or
from the random policy's transitions (``collect_transitions`` + ``GroupInference``, the
pipeline's default on noiseless data). Reported: the goal-angle
error (median and max over tasks and seeds) and, for active probing, the posterior spread.
Target (issue 11): error <= 0.02 rad at k = 10, sigma_r = 0.05.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, machine_info, summary, write_json

from liesym.algebra import so
from liesym.data import collect_transitions
from liesym.discovery.dynamics import fit_linear_dynamics
from liesym.envs import circle_tasks
from liesym.manifolds import CompactLieGroup, GroupInference, fit_reward_profile
from liesym.manifolds.active import probe_actively
from liesym.transfer.metrics import goal_angle_error


def run_seed(sigma: float, seed: int, n_test: int, k: int) -> dict:
    family = circle_tasks(reward_noise=sigma)
    group = CompactLieGroup.from_algebra(so(2), np.eye(2))
    g0 = family.train_goals(2, rng=seed)[0]
    base = collect_transitions(family, g0[None], 2000, rng=seed)
    model = fit_reward_profile(base.next_states, base.rewards, np.eye(2))
    noise = float(np.std(base.rewards - model(base.next_states)))
    lin = fit_linear_dynamics(base.states, base.actions, base.next_states)

    def predict(s, a):
        return s @ lin.A.T + a @ lin.B.T + lin.c

    active, random, spread = [], [], []
    start = time.perf_counter()
    for j, goal in enumerate(family.test_goals(n_test)):
        probe = probe_actively(
            family.make_env(goal), group, model, predict, k, noise_std=noise,
            seed=1000 * seed + j, rng=j,
        )  # fmt: skip
        active.append(float(goal_angle_error(np.eye(2), probe.element @ g0, goal)))
        spread.append(probe.spread)
        data = collect_transitions(family, goal, k, rng=1000 * seed + j)
        est = GroupInference(group, base_reward=model, rng=j).fit((data.next_states, data.rewards))
        random.append(float(goal_angle_error(np.eye(2), est.element_ @ g0, goal)))
    return {
        "active": active,
        "random": random,
        "spread": spread,
        "noise_estimate": noise,
        "seconds": time.perf_counter() - start,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1 seed, 2 test tasks, for CI")
    parser.add_argument("--out", default=None, help="JSON path (default: results/, quick/)")
    args = parser.parse_args()
    if args.out is None:
        args.out = RESULTS / ("quick" if args.quick else "") / "active_inference.json"
    seeds = list(range(1 if args.quick else args.seeds))
    n_test, k = (2, 10) if args.quick else (36, 10)
    info = machine_info()
    info["load_average_at_start"] = os.getloadavg()
    print("machine:", info)
    cells = {}
    for sigma in (0.05,) if args.quick else (0.01, 0.05, 0.1):
        rows = [run_seed(sigma, seed, n_test, k) for seed in seeds]
        cell = {
            name: summary(np.concatenate([r[name] for r in rows]))
            for name in ("active", "random", "spread")
        }
        cell["seconds_per_seed"] = summary([r["seconds"] for r in rows])
        cells[str(sigma)] = {"sigma": sigma, "k": k, "n_test": n_test, **cell}
        a, r, s = cell["active"], cell["random"], cell["spread"]
        print(
            f"sigma_r={sigma}: active median {a['median']:.4f} max {a['max']:.4f} "
            f"(spread {s['median']:.4f}); random median {r['median']:.4f} max {r['max']:.4f}"
        )
    write_json({"machine": info, "seeds": seeds, "cells": cells}, args.out)


if __name__ == "__main__":
    main()
