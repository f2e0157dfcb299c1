"""The ``liesym`` command: thin subcommands over the library.

Each subcommand registers itself in :data:`SUBCOMMANDS` (name -> (configure, run)); heavy
dependencies (SymPy, geomstats, matplotlib) are imported inside ``run`` only.

Examples
--------
>>> main(["verify", "so2"])  # doctest: +ELLIPSIS
# so2
liesym verification: dim 1, 2x2 linear generators
...
0
"""

import argparse
import sys
import warnings
from collections.abc import Callable

import numpy as np

#: name -> (configure(subparser), run(args) -> exit code, help); other subcommands
#: (demo, discover, bench) add themselves with :func:`register`.
SUBCOMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Callable, str]] = {}


def _int_at_least(minimum: int, what: str):
    """An argparse type: an integer >= ``minimum`` (bad values end in a one-line error)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {what}, got {value}")
        return value

    parse.__name__ = what  # argparse names the type in its messages
    return parse


SEED = _int_at_least(0, "a non-negative integer seed")


def _tolerance(text: str) -> float:
    """An argparse type: a snapping tolerance in the justified range (checked by liesym.verify)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a float, got {text!r}") from None
    from liesym.verify._exact import check_tol  # SymPy loads here, only when --tol is given

    try:
        return check_tol(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix("tol: ")) from None


def register(
    name: str,
    configure: Callable[[argparse.ArgumentParser], None],
    run: Callable[[argparse.Namespace], int],
    help: str,
) -> None:
    """Add a subcommand: ``configure`` adds its arguments, ``run`` executes it."""
    SUBCOMMANDS[name] = (configure, run, help)


def _example_algebras() -> dict[str, Callable]:
    """Named examples for ``liesym verify NAME``."""
    from liesym.algebra import rotation_about, scaling, se, sl, so, so_pq, torus

    def conjugated_so3():
        c = np.random.default_rng(0).normal(size=(3, 3))  # fixed seed: a reproducible example
        return so(3).conjugate(c)

    examples = {f"so{n}": (lambda n=n: so(n)) for n in range(2, 7)}
    examples.update({f"se{n}": (lambda n=n: se(n)) for n in (2, 3)})
    examples.update({f"sl{n}": (lambda n=n: sl(n)) for n in (2, 3)})
    examples.update(
        {
            "scaling": lambda: scaling(2),
            "so11": lambda: so_pq(1, 1),
            "torus": lambda: torus([1.0, np.sqrt(2.0)]),
            "rotation-about": lambda: rotation_about([1.0, 2.0]),
            "conjugated-so3": conjugated_so3,
            "so2+so2": lambda: so(2).direct_sum(so(2)),
        }
    )
    return examples


def _configure_verify(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "name",
        nargs="?",
        help="a named example: " + ", ".join(_example_algebras()),
    )
    parser.add_argument("--file", help="a saved (k, n, n) generator stack (.npy)")
    parser.add_argument(
        "--affine",
        action="store_true",
        help="the --file generators are homogeneous [[W, b], [0, 0]]",
    )
    parser.add_argument(
        "--tol", type=_tolerance, default=None, help="snapping tolerance in [1e-13, 0.04] (1e-6)"
    )
    parser.add_argument(
        "--basis", action="store_true", help="also print the exact basis and invariant form"
    )


def _run_verify(args: argparse.Namespace) -> int:
    from liesym._core import SNAP_TOL
    from liesym.algebra import LieAlgebra
    from liesym.verify import verify  # SymPy loads here, not at import time

    examples = _example_algebras()
    if (args.name is None) == (args.file is None):
        print("liesym verify: give exactly one of NAME or --file PATH", file=sys.stderr)
        return 2
    if args.file is not None:
        try:
            stack = np.load(args.file)
            algebra = LieAlgebra(stack, affine=args.affine)
        except (OSError, ValueError) as err:
            print(f"liesym verify: cannot use {args.file}: {err}", file=sys.stderr)
            return 2
        label = args.file
    else:
        if args.name not in examples:
            print(
                f"liesym verify: unknown NAME {args.name!r}; choose from {', '.join(examples)}",
                file=sys.stderr,
            )
            return 2
        algebra = examples[args.name]()
        label = args.name
    try:
        report = verify(algebra, tol=SNAP_TOL if args.tol is None else args.tol)
    except ValueError as err:
        print(f"liesym verify: {err}", file=sys.stderr)
        return 2
    print(f"# {label}")
    print(report.summary())
    if args.basis and report.exact_basis is not None:
        for i, m in enumerate(report.exact_basis):
            print(f"E{i} = {m.tolist()}")
        if report.invariant_form is not None:
            print(f"M = {report.invariant_form.tolist()}")
    return 0


register(
    "verify",
    _configure_verify,
    _run_verify,
    "certify a Lie algebra exactly (closure, name, compactness, fixed point)",
)


FAMILIES = ("circle", "ellipse", "sphere", "line")


def _configure_discover(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("family", choices=FAMILIES, help="task family")
    parser.add_argument(
        "--tasks",
        type=_int_at_least(2, "at least 2 training tasks"),
        default=None,
        help="training tasks, base first, >= 2 (default 2; 4 on the sphere)",
    )
    parser.add_argument(
        "--steps",
        type=_int_at_least(100, "at least 100 transitions per task"),
        default=None,
        help="random-policy transitions per task, >= 100 (default 2000; 4000 sphere)",
    )
    parser.add_argument("--seed", type=SEED, default=0, help="non-negative random seed")
    parser.add_argument("--details", action="store_true", help="print the full certificates")


def _run_discover(args: argparse.Namespace) -> int:
    from liesym.envs import family_by_name
    from liesym.pipeline import discover_structure

    family = family_by_name(args.family)
    sphere = family.n == 3
    tasks = (4 if sphere else 2) if args.tasks is None else args.tasks
    steps = (4000 if sphere else 2000) if args.steps is None else args.steps
    res = discover_structure(family, n_train=tasks, n_steps=steps, rng=args.seed, progress=True)
    print(
        f"# {family.name} family: {tasks} training tasks x {steps} random-policy transitions,"
        f" seed {args.seed}"
    )
    print(res.table())
    print("timings (s): " + ", ".join(f"{k} {v:.2f}" for k, v in res.timings.items()))
    if args.details:
        print("\n## task algebra\n" + res.task_report.summary())
        print("\n## system algebra\n" + res.system_report.summary())
    return 0


register(
    "discover",
    _configure_discover,
    _run_discover,
    "discover and certify a task family's symmetries from random-policy data",
)


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--family", choices=FAMILIES[:3], default="circle")
    parser.add_argument("--out", default="liesym-demo", help="folder for figures and results")
    parser.add_argument("--seed", type=SEED, default=0, help="non-negative random seed")
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    parser.add_argument("--no-progress", action="store_true", help="silence progress bars")


def _run_demo(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from liesym.envs import family_by_name
    from liesym.pipeline import run_demo

    family = family_by_name(args.family)
    sphere = family.n == 3
    sizes = {
        "n_train": 4 if sphere else 2,
        "n_steps": 4000 if sphere else 2000,
        "n_test": 50 if sphere else 36,
    }
    if args.quick:
        sizes.update(n_test=6, seeds=2, n_episodes=8, inference_k=(1, 3, 10))
    out = Path(args.out)
    print(f"# liesym demo: {family.name} family, seed {args.seed}; figures -> {out}/")
    res = run_demo(family, out_dir=out, rng=args.seed, progress=not args.no_progress, **sizes)
    print(res.table())
    curve = res.curve
    summary = {
        "family": family.name,
        "seed": args.seed,
        "sizes": {k: list(v) if isinstance(v, tuple) else v for k, v in sizes.items()},
        "task_algebra": res.structure.task_report.name,
        "subgroup_embedding": res.structure.embedded,
        "errors": res.structure.errors,
        "inference_k": list(res.inference_k),
        "inference_error_median": np.median(res.inference_errors, axis=1).tolist(),
        "inference_error_max": np.max(res.inference_errors, axis=1).tolist(),
        "score_mean": {m: v.tolist() for m, v in res.scores.items()},
        "returns": {m: v.tolist() for m, v in res.returns.items()},
        "relative_regret": {m: v.tolist() for m, v in res.relative_regret.items()},
        "distance": curve.distance.tolist(),
        "timings": res.timings,
    }
    (out / "results.json").write_text(json.dumps(summary, indent=2, default=float) + "\n")
    print("figures: " + ", ".join(str(p) for p in res.figures.values()))
    return 0


register(
    "demo",
    _configure_demo,
    _run_demo,
    "the whole pipeline on a task family: discover, certify, infer, transfer, evaluate",
)


def _configure_bench(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", help="benchmark name (bench_NAME.py); omit to list")
    parser.add_argument("--dir", default="benchmarks", help="the benchmarks folder of a checkout")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="passed to the script")


def _run_bench(args: argparse.Namespace) -> int:
    import runpy
    from pathlib import Path

    folder = Path(args.dir)
    scripts = sorted(folder.glob("bench_*.py"))
    if not scripts:
        print(f"no benchmarks found in {folder.resolve()} (run from a liesym checkout)")
        return 1
    names = [p.stem.removeprefix("bench_") for p in scripts]
    if args.name is None:
        print("benchmarks: " + ", ".join(names))
        return 0
    if args.name not in names:
        print(f"name: expected one of {', '.join(names)}, got {args.name!r}")
        return 2
    script = folder / f"bench_{args.name}.py"
    saved = sys.argv
    sys.argv = [str(script), *args.args]
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as stop:
        return int(stop.code or 0)
    finally:
        sys.argv = saved
    return 0


register(
    "bench",
    _configure_bench,
    _run_bench,
    "run a benchmark script of a checkout (benchmarks/bench_NAME.py), e.g. liesym bench scaling",
)


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser with one subparser per registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="liesym",
        description="Discover, certify and reuse the Lie-group symmetries of task families.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (configure, _, help_text) in SUBCOMMANDS.items():
        configure(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``liesym`` command line; returns the exit code.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 1
    from threadpoolctl import threadpool_limits

    from liesym._core import LiesymError

    def one_line(message, category, *_args, **_kwargs) -> None:
        print(f"liesym {args.command}: {category.__name__}: {message}", file=sys.stderr)

    # The commands work on tiny matrices, where BLAS threads cost far more than they give.
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.showwarning = one_line  # warnings as one line each, without source lines
        try:
            return SUBCOMMANDS[args.command][1](args)
        except (LiesymError, ValueError, RuntimeError) as err:
            # liesym's own errors (bad values, data too small to discover anything): one line,
            # no traceback. Anything else is a bug and keeps its traceback.
            print(f"liesym {args.command}: error: {err}", file=sys.stderr)
            return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
