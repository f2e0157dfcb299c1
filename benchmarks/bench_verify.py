"""Benchmark: exact certificates -- the time to certify so(n), and answers on generated algebras.

1. ``verify(so(n))`` for n = 2..10 (so(10) has 45 generators): median wall time of the repeats,
   with the answers (name, compact, exact input), in one process after a warm-up call.
2. A generated suite (``liesym.verify.cases.random_case(seed)`` for seeds 0..N-1): algebras with
   known answers moved by changes of basis, scalings of the generators, diagonal and random
   charts, translations and noise below or above the tolerance. Reported: wrong answers (a
   True or False contradicting the known answer, or a wrong name; must be 0), and for each
   answer the share of correct answers and of abstentions, overall and by kind of input.

The machine is shared while benchmarks run: the JSON records the load average before and after
the timings; re-run on a quiet machine for the README's timing.

Run: python benchmarks/bench_verify.py [--quick] [--cases 2000] [--repeats 5]
"""

import argparse
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, machine_info, write_json

from liesym.algebra import so
from liesym.verify import verify
from liesym.verify.cases import random_case

ANSWERS = ("closed", "compact", "linearizable", "name")


def time_so(n_values, repeats: int) -> list[dict]:
    verify(so(3))  # warm-up: imports and caches
    rows = []
    for n in n_values:
        times, report = [], None
        for _ in range(repeats):
            start = time.perf_counter()
            report = verify(so(n))
            times.append(time.perf_counter() - start)
        rows.append(
            {
                "n": n,
                "generators": n * (n - 1) // 2,
                "median_s": statistics.median(times),
                "times_s": times,
                "name": report.name,
                "compact": report.compact,
                "exact_input": report.exact_input,
            }
        )
        print(
            f"so({n:2d}) {rows[-1]['generators']:2d} generators: {rows[-1]['median_s']:.3f} s "
            f"(median of {repeats}), name {report.name}, compact {report.compact}"
        )
    return rows


def suite(n_cases: int) -> dict:
    counts = {a: Counter() for a in ANSWERS}
    by_kind = defaultdict(lambda: {a: Counter() for a in ANSWERS})
    wrong = []
    start = time.perf_counter()
    for seed in range(n_cases):
        case = random_case(seed)
        report = verify(case.algebra, tol=case.tol)
        bad = case.wrong(report)
        if bad:
            wrong.append({"seed": seed, "case": case.label, "wrong": bad})
        kind = "exact" if case.exact else f"floating, noise {case.noise}"
        for key in ANSWERS:
            truth, got = getattr(case, key), getattr(report, key)
            if (truth is None and key != "name") or (key == "name" and truth == "any"):
                outcome = "not asserted"
            elif key == "name" and truth is None:  # no name may be claimed: None is right
                outcome = "correct" if got is None else "wrong"
            elif got is None:
                outcome = "abstained"
            else:
                outcome = "correct" if got == truth else "wrong"
            counts[key][outcome] += 1
            by_kind[kind][key][outcome] += 1
    seconds = time.perf_counter() - start

    def rates(c: Counter) -> dict:
        asserted = sum(v for k, v in c.items() if k != "not asserted")
        return {
            "asserted": asserted,
            "correct": c["correct"],
            "abstained": c["abstained"],
            "wrong": c["wrong"],
            "correct_rate": c["correct"] / asserted if asserted else None,
            "abstention_rate": c["abstained"] / asserted if asserted else None,
        }

    return {
        "cases": n_cases,
        "seconds": seconds,
        "wrong_cases": wrong,
        "answers": {k: rates(c) for k, c in counts.items()},
        "by_kind": {
            kind: {k: rates(c) for k, c in answers.items()} for kind, answers in by_kind.items()
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument("--cases", type=int, default=2000, help="generated algebras (>= 500)")
    parser.add_argument("--repeats", type=int, default=5, help="timing repeats per n")
    parser.add_argument("--out", default=None, help="JSON path (default: results/, quick/)")
    args = parser.parse_args()
    out = Path(args.out) if args.out else RESULTS / ("quick" if args.quick else "") / "verify.json"
    n_values = [2, 3, 4, 5] if args.quick else list(range(2, 11))
    repeats = 1 if args.quick else args.repeats
    n_cases = 40 if args.quick else args.cases
    machine = machine_info()
    print(f"machine: {machine}")
    load_before = os.getloadavg()
    timings = time_so(n_values, repeats)
    load_after = os.getloadavg()
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
    result = suite(n_cases)
    a = result["answers"]
    print(
        f"{n_cases} generated algebras in {result['seconds']:.0f} s: "
        f"{len(result['wrong_cases'])} with a wrong answer"
    )
    for key in ANSWERS:
        r = a[key]
        print(
            f"  {key:<13} correct {r['correct']}/{r['asserted']}, abstained {r['abstained']}, "
            f"wrong {r['wrong']}"
        )
    for w in result["wrong_cases"][:10]:
        print("  WRONG:", w)
    payload = {
        "machine": machine,
        "load_average_before_timing": load_before,
        "load_average_after_timing": load_after,
        "repeats": repeats,
        "so_n": timings,
        "suite": result,
    }
    print(f"wrote {write_json(payload, out)}")
    return 1 if result["wrong_cases"] else 0


if __name__ == "__main__":
    sys.exit(main())
