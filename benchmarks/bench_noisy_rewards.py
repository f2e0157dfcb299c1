"""Discovery of the base task's symmetry from noisy rewards on trajectory data.

Run ``python benchmarks/bench_noisy_rewards.py [--seeds 5] [--quick]``. Writes
``benchmarks/results/noisy_rewards.json`` and prints tables and the machine.

Sweep (beside the README's spread-out noise sweep, f = |x|^2 on Gaussian points): the circle
family's base task, N random-policy transitions (tightly packed random-walk states),
rewards observed with Gaussian noise sigma_r (``circle_tasks(reward_noise=sigma_r)``). Three
ways to find the base task's affine reward symmetry (the rotation about the goal g_0):

* ``local_linear``: local linear kernel frames (the former default);
* ``auto``: the default ``DifferentialDiscovery(affine=True)`` (local frames unless their
  constraints show no gap above their noise floor, then a Gaussian-process surrogate);
* ``stabiliser``: Gaussian-process frames searched inside the affine system algebra
  discovered from the same transitions (what ``discover_structure`` does on noisy rewards),
  with 16 bootstrap draws that include the surrogate's own correlated gradient errors.

Reported per cell: seeds with a one-dimensional symmetry found, the principal angle to the
rotation about g_0 (median, max; over seeds where found) and, for ``stabiliser``, the reported
uncertainty (bootstrap; without the system algebra's own error).

The whole pipeline with reward noise is ``bench_noisy_pipeline.py``.
"""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, machine_info, summary, write_json

from liesym.algebra import principal_angles, rotation_about
from liesym.data import collect_transitions
from liesym.discovery import DifferentialDiscovery, DiscoveryWarning
from liesym.discovery.dynamics import DynamicsSymmetryDiscovery
from liesym.envs import circle_tasks


def sweep_case(sigma: float, n_steps: int, seed: int) -> dict:
    family = circle_tasks(reward_noise=sigma)
    goal = family.train_goals(2, rng=seed)[0]
    data = collect_transitions(family, goal[None], n_steps, rng=seed)
    truth = rotation_about(goal)
    xy = (data.next_states, data.rewards)
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiscoveryWarning)
        system = DynamicsSymmetryDiscovery(affine=True).fit(
            data.states, data.actions, data.next_states
        )
        settings = {
            "local_linear": {"frame_method": "local_linear"},
            "auto": {},
            "stabiliser": {
                "frame_method": "gaussian_process",
                "within": system.algebra_,
                "n_bootstrap": 16,
                "rng": seed,
            },
        }
        for name, kw in settings.items():
            start = time.perf_counter()
            try:
                est = DifferentialDiscovery(affine=True, **kw).fit(*xy)
            except ValueError:
                est = None
            wall = time.perf_counter() - start
            found = est is not None and est.dim_ == 1
            out[name] = {
                "found": found,
                "angle": float(principal_angles(est.algebra_, truth).max()) if found else None,
                "uncertainty": float(est.uncertainty_.angle) if found else None,
                "frame_method": None if est is None else est.frame_method_,
                "seconds": wall,
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    quick = "1 seed, 1,000 transitions at sigma_r = 0.05, for CI"
    parser.add_argument("--quick", action="store_true", help=quick)
    parser.add_argument("--out", default=None, help="JSON path (default: results/, quick/)")
    args = parser.parse_args()
    if args.out is None:
        args.out = RESULTS / ("quick" if args.quick else "") / "noisy_rewards.json"
    seeds = list(range(1 if args.quick else args.seeds))
    sigmas = (0.05,) if args.quick else (0.0, 0.01, 0.03, 0.05, 0.1)
    sizes = (1000,) if args.quick else (2000, 10000)
    info = machine_info()
    info["load_average_at_start"] = os.getloadavg()
    print("machine:", info)
    payload = {
        "machine": info,
        "seeds": seeds,
        "sizes": list(sizes),
        "sigmas": list(sigmas),
        "sweep": {},
    }
    sweep = {}
    print(f"{'sigma_r':>7} {'N':>6} {'method':<13} {'found':>6} {'angle med (max)':>18} {'unc':>8}")
    for sigma in sigmas:
        for n_steps in sizes:
            rows = [sweep_case(sigma, n_steps, seed) for seed in seeds]
            cell = {}
            for name in rows[0]:
                got = [r[name] for r in rows if r[name]["found"]]
                cell[name] = {
                    "found": len(got),
                    "angle": summary([r["angle"] for r in got]) if got else None,
                    "uncertainty": summary([r["uncertainty"] for r in got]) if got else None,
                    "frame_methods": sorted({str(r[name]["frame_method"]) for r in rows}),
                    "seconds": summary([r[name]["seconds"] for r in rows]),
                }
                a = cell[name]["angle"]
                u = cell[name]["uncertainty"]
                text = "-" if a is None else f"{a['median']:.4f} ({a['max']:.4f})"
                unc = "-" if u is None else f"{u['median']:.4f}"
                found = f"{len(got)}/{len(rows)}"
                print(f"{sigma:>7} {n_steps:>6} {name:<13} {found:>6} {text:>18} {unc:>8}")
            sweep[f"{sigma}_{n_steps}"] = {"sigma": sigma, "n_steps": n_steps, **cell}

    payload["sweep"] = sweep
    write_json(payload, args.out)


if __name__ == "__main__":
    main()
