"""Coverage of the certificate's angle for equivariance discoveries on systems of known truth.

Run ``python benchmarks/bench_certificate_coverage.py [--seeds 10] [--quick]``. Writes
``benchmarks/results/certificate_coverage.json`` and prints a table and the machine.

:func:`liesym.verify.verify_discovered` certifies a discovered algebra as lying within an
angle of the exact one: ``CONFIDENCE`` (3) times the noise part of the discovery's
uncertainty plus the bias change it measured (``Uncertainty.systematic``: the observed
change between fits at 1x and 2x neighbours, and, with a metric, the refit with the
zero-weight channels' leading terms, which are observed values, not noise scales). Before,
the whole uncertainty, bias changes included, was multiplied by 3. This script measures, on
systems whose algebra is known, how the true error (Grassmann distance) compares with both
angles in every run, and whether any certificate names a wrong algebra.

Systems (random-policy transitions, no representation given):

- ``double integrator``: bench_equivariance's (force projected onto the unit disc:
  non-polynomial at the disc).
- ``drag integrator``: the planar double integrator with quadratic drag
  ``dv = dt (a - 2 |v| v)`` (smooth and nonlinear, rotation-equivariant), forces uniform in
  ``[-1, 1]^2``, 30-step episodes from ``p ~ N(0, 0.1^2)``, ``v ~ N(0, 0.5^2)``.
- ``gain swirl``: ``s' = s + dt (|s|^2 (J - 0.3) s + a + (1 + c |a|^2) J s)`` on the plane with
  the force's channels weighted 0 in the neighbour search (their curvature is invisible to
  the 2x-neighbour check), local fits of degree 1, c in {0, 1, 2, 3}, 3,000 transitions:
  the case the zero-weight refit exists for.

The two integrators run at 3,000 / 10,000 / 30,000 transitions with the default options, and
at 3,000 / 10,000 with ``metric="auto"`` (the search zeroes channels the step is nearly
linear in, and the zero-weight refit then adds its bound).

Reacher's runs are in ``equivariance.json`` (bench_equivariance, 10^6 transitions).
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, machine_info, write_json
from bench_equivariance import J, double_integrator


def drag_integrator(n_steps: int, rng, dt: float = 0.1, horizon: int = 30) -> tuple:
    """Random-policy transitions of the planar double integrator with quadratic drag."""
    rng = np.random.default_rng(rng)
    n_envs = 64
    rows, total = [], 0
    while total < n_steps:
        p = 0.1 * rng.standard_normal((n_envs, 2))
        v = 0.5 * rng.standard_normal((n_envs, 2))
        for _ in range(horizon):
            a = rng.uniform(-1.0, 1.0, size=(n_envs, 2))
            acc = a - 2.0 * np.linalg.norm(v, axis=1, keepdims=True) * v
            p2, v2 = p + dt * v + 0.5 * dt**2 * acc, v + dt * acc
            rows.append((np.concatenate([p, v], 1), a, np.concatenate([p2, v2], 1)))
            p, v = p2, v2
        total += n_envs * horizon
    return tuple(np.concatenate(x)[:n_steps] for x in zip(*rows, strict=True))


def gain_swirl(n_steps: int, rng, curvature: float, dt: float = 0.1) -> tuple:
    """A rotation-equivariant planar map whose state Jacobian varies with the force alone."""
    rng = np.random.default_rng(rng)
    s = rng.normal(size=(n_steps, 2))
    a = rng.uniform(-1.0, 1.0, size=(n_steps, 2))
    r2 = np.sum(s**2, axis=1, keepdims=True)
    gain = 1.0 + curvature * np.sum(a**2, axis=1, keepdims=True)
    return s, a, s + dt * (r2 * (s @ J.T) - 0.3 * r2 * s + a + gain * (s @ J.T))


def run(case: str, data: tuple, truth: np.ndarray, seed: int, **options) -> dict:
    from liesym.algebra import grassmann_distance
    from liesym.discovery import EquivarianceDiscovery
    from liesym.verify import verify_discovered
    from liesym.verify._discovered import certified_angle

    t0 = time.perf_counter()
    est = EquivarianceDiscovery(dim=1, rng=seed, **options).fit(*data)
    seconds = time.perf_counter() - t0
    err = float(grassmann_distance(est.algebra_, truth))
    unc = est.uncertainty_
    report = verify_discovered(est)
    angle = certified_angle(float(unc.angle), float(unc.systematic))
    named = report.name is not None
    # The composition before: the whole uncertainty times CONFIDENCE (what an explicit
    # uncertainty= gets).
    before = verify_discovered(est, uncertainty=float(unc.angle))
    angle_before = min(certified_angle(float(unc.angle)), np.pi / 2)
    return {
        "case": case,
        "seed": seed,
        "n_transitions": len(data[0]),
        "options": {k: v for k, v in options.items() if k != "progress"},
        "error": err,
        "uncertainty": float(unc.angle),
        "systematic": float(unc.systematic),
        "angle": angle,
        "angle_before": angle_before,
        "ratio": err / angle,
        "ratio_before": err / angle_before,
        "tol": float(report.tol),
        "name": report.name,
        "compact": report.compact,
        "wrong": bool(named and report.name != "so(2)"),
        "name_before": before.name,
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--out", default=None, help="JSON path (default: results/, quick/)")
    args = parser.parse_args()
    if args.out is None:
        args.out = RESULTS / ("quick" if args.quick else "") / "certificate_coverage.json"
    seeds = range(1 if args.quick else args.seeds)
    sizes = [2000] if args.quick else [3000, 10_000, 30_000]
    small = {"n_anchors": 300, "n_bootstrap": 4} if args.quick else {}
    di = np.kron(np.eye(2), J)[None]
    runs = []
    for n in sizes:
        for s in seeds:
            runs.append(run("double integrator", double_integrator(n, s), di, s, **small))
            runs.append(run("drag integrator", drag_integrator(n, s), di, s, **small))
    for n in sizes[:2]:
        for s in seeds:
            for case, make in (
                ("double integrator", double_integrator),
                ("drag integrator", drag_integrator),
            ):
                runs.append(run(case, make(n, s), di, s, metric="auto", **small))
    for c in (0.0, 1.0, 2.0, 3.0):
        for s in seeds:
            opts = {"metric": [1, 1, 0, 0], "degree": 1, "use_actions": False}
            data = gain_swirl(sizes[0], s, c)
            runs.append(run(f"gain swirl c={c:g}", data, J[None], s, **opts, **small))
    worst = max(runs, key=lambda r: r["ratio"])
    out = {
        "machine": machine_info(),
        "settings": vars(args) | {"out": str(args.out)},
        "runs": runs,
        "n_runs": len(runs),
        "covered": int(sum(r["ratio"] <= 1.0 for r in runs)),
        "covered_before": int(sum(r["ratio_before"] <= 1.0 for r in runs)),
        "max_ratio": worst["ratio"],
        "max_ratio_run": {k: worst[k] for k in ("case", "seed", "n_transitions")},
        "max_ratio_before": max(r["ratio_before"] for r in runs),
        "certified": int(sum(r["name"] is not None for r in runs)),
        "certified_before": int(sum(r["name_before"] is not None for r in runs)),
        "wrong": int(sum(r["wrong"] for r in runs)),
    }
    write_json(out, args.out)
    print(
        f"{'case':<20} {'seed':>4} {'N':>6} {'error':>8} {'angle':>8} {'before':>8} "
        f"{'ratio':>6} {'tol':>7} {'name':>6}"
    )
    for r in runs:
        print(
            f"{r['case']:<20} {r['seed']:>4} {r['n_transitions']:>6} {r['error']:>8.4f} "
            f"{r['angle']:>8.4f} {r['angle_before']:>8.4f} {r['ratio']:>6.2f} "
            f"{r['tol']:>7.3f} {r['name']!s:>6}"
        )
    print(
        f"covered {out['covered']}/{out['n_runs']} (before {out['covered_before']}), "
        f"max ratio {out['max_ratio']:.2f} (before {out['max_ratio_before']:.2f}), "
        f"certified {out['certified']}, wrong {out['wrong']}"
    )
    print("machine:", out["machine"])


if __name__ == "__main__":
    main()
