"""Closed-form differential discovery: accuracy and wall time over seeds.

Run ``python benchmarks/bench_closed_form.py [--seeds 10]``. Writes
``benchmarks/results/closed_form.json`` (medians, ranges, pass/fail against the targets)
and prints the machine it ran on.

Cases
-----
circle_base_task
    2-D navigation, 2,000 transitions of a random policy: 20 episodes of 100 steps from the
    origin, a uniform in the disc of radius 0.1, s' = s + a + N(0, 0.05^2 I), reward
    -|s' - g_0|. Affine closed form from (s', r); target: rotation about g_0 with principal
    angle <= 0.01 rad, centre error <= 0.05, dimension 1 in every seed, well under 1 s.
radial_so3, conjugated_so3
    f = |x|^2 and |C^-1 x|^2 in R^3, 5,000 points; target: dimension 3 in every seed and
    Grassmann distance <= 0.02.
dynamics_so2
    The same navigation transitions: dynamics symmetry so(2) (informational).
scale_100k
    f = |x|^2 in R^2, 100,000 points: kernel-frame and null-space wall time, exact-normal
    null space (informational; the prototype's loop needs ~10 s for the frames alone).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, machine_info, summary, write_json

from liesym.algebra import grassmann_distance, principal_angles, rotation_about, so
from liesym.data.synthetic import invariant_function_data
from liesym.discovery.differential import DifferentialDiscovery
from liesym.discovery.dynamics import DynamicsSymmetryDiscovery
from liesym.discovery.kernel import kernel_frames

G0 = np.array([-0.70506063, 0.70914702])


def navigation_transitions(seed: int, n_episodes: int = 20, horizon: int = 100):
    """Random-policy transitions of the 2-D circle base task (vectorised over episodes)."""
    rng = np.random.default_rng(seed)
    s = np.zeros((n_episodes, 2))
    states, actions, nexts = [], [], []
    for _ in range(horizon):
        radius = 0.1 * np.sqrt(rng.uniform(size=n_episodes))  # uniform in the disc
        angle = rng.uniform(0.0, 2 * np.pi, size=n_episodes)
        a = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        s2 = s + a + 0.05 * rng.normal(size=(n_episodes, 2))
        states.append(s)
        actions.append(a)
        nexts.append(s2)
        s = s2
    s, a, s2 = (np.concatenate(v) for v in (states, actions, nexts))
    return s, a, s2, -np.linalg.norm(s2 - G0, axis=1)


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def bench_circle(seeds):
    truth = rotation_about(G0)
    rows = []
    for seed in seeds:
        _, _, s2, r = navigation_transitions(seed)
        est, dt = timed(lambda s2=s2, r=r: DifferentialDiscovery(affine=True).fit(s2, r))
        ok = est.dim_ == 1
        rows.append(
            {
                "dim": est.dim_,
                "angle": float(principal_angles(est.algebra_, truth).max()) if ok else np.nan,
                "centre_error": float(np.linalg.norm(est.fixed_point_ - G0))
                if ok and est.fixed_point_ is not None
                else np.nan,
                "gap": est.gap_,
                "seconds": dt,
            }
        )
    res = {
        k: summary([row[k] for row in rows]) for k in ("angle", "centre_error", "gap", "seconds")
    }
    res["dim_correct"] = int(sum(row["dim"] == 1 for row in rows))
    res["passed"] = bool(
        res["dim_correct"] == len(rows)
        and res["angle"]["max"] <= 0.01
        and res["centre_error"]["max"] <= 0.05
        and res["seconds"]["max"] < 1.0
    )
    return res


def bench_synthetic(kind, seeds, n_points=5000):
    rows = []
    for seed in seeds:
        data = invariant_function_data(kind, n_points, rng=seed, n=3)
        est, dt = timed(lambda data=data: DifferentialDiscovery().fit(data.X, data.y))
        gd = grassmann_distance(est.algebra_, data.algebra) if est.dim_ else np.nan
        rows.append({"dim": est.dim_, "grassmann": gd, "gap": est.gap_, "seconds": dt})
    res = {k: summary([row[k] for row in rows]) for k in ("grassmann", "gap", "seconds")}
    res["dim_correct"] = int(sum(row["dim"] == 3 for row in rows))
    res["passed"] = bool(res["dim_correct"] == len(rows) and res["grassmann"]["max"] <= 0.02)
    return res


def bench_dynamics(seeds):
    rows = []
    for seed in seeds:
        s, a, s2, _ = navigation_transitions(seed)
        est, dt = timed(lambda s=s, a=a, s2=s2: DynamicsSymmetryDiscovery().fit(s, a, s2))
        gd = grassmann_distance(est.algebra_, so(2)) if est.dim_ else np.nan
        rows.append({"dim": est.dim_, "grassmann": gd, "gap": est.gap_, "seconds": dt})
    res = {k: summary([row[k] for row in rows]) for k in ("grassmann", "gap", "seconds")}
    res["dim_correct"] = int(sum(row["dim"] == 1 for row in rows))
    return res


def bench_scale(seed=0, n_points=100_000):
    data = invariant_function_data("radial", n_points, rng=seed, n=2)
    frames, t_frames = timed(lambda: kernel_frames(data.X, data.y))
    est, t_null = timed(lambda: DifferentialDiscovery().fit(data.X, data.y, normals=None))
    exact, t_exact = timed(lambda: DifferentialDiscovery().fit(data.X, normals=data.normals()))
    return {
        "n_points": n_points,
        "frames_seconds": t_frames,
        "reliable_share": float(frames.reliable.mean()),
        "total_fit_seconds": t_null,
        "grassmann": float(grassmann_distance(est.algebra_, so(2))),
        "singular_values": est.singular_values_.round(4).tolist(),
        "exact_normals_seconds": t_exact,
        "exact_normals_grassmann": float(grassmann_distance(exact.algebra_, so(2))),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="2 seeds, for CI")
    parser.add_argument("--out", default=None, help="JSON path (default: results/, quick/)")
    args = parser.parse_args()
    if args.out is None:
        args.out = RESULTS / ("quick" if args.quick else "") / "closed_form.json"
    seeds = list(range(2 if args.quick else args.seeds))
    info = machine_info()
    print("machine:", json.dumps(info))
    results = {"machine": info, "seeds": seeds}
    for name, fn in [
        ("circle_base_task", lambda: bench_circle(seeds)),
        ("radial_so3", lambda: bench_synthetic("radial", seeds)),
        ("conjugated_so3", lambda: bench_synthetic("conjugated", seeds)),
        ("dynamics_so2", lambda: bench_dynamics(seeds)),
        ("scale_100k", bench_scale),
    ]:
        results[name] = fn()
        print(f"{name}: {json.dumps(results[name], default=float)}")
    print(f"wrote {write_json(results, args.out)}")


if __name__ == "__main__":
    main()
