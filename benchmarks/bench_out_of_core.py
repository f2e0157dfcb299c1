"""Out-of-core closed-form discovery: 10⁵ … 10⁷ samples in memory, in chunks and on Dask.

Run ``nice -n 10 python benchmarks/bench_out_of_core.py [--quick] [--sizes 1e5 1e6 1e7]
[--stream 1e8] [--n-jobs 2]``. Writes ``benchmarks/results/out_of_core.json`` and prints a
table and the machine.

Cases
-----
radial
    f = |x|^2 in R^3, x ~ N(0, I), exact values: linear closed form, so(3) expected.
circle
    Random-policy transitions of the circle family's base task (goal e_1, 64 parallel
    episode streams per 10⁵ transitions): affine closed form from (next state, reward),
    the rotation about the goal expected; and the dynamics algebra so(2) from
    (state, action, next state).

Modes (each in a fresh process, so that peak memory is its own)
-----
memory
    The data loaded into RAM, one fit over all samples (one k-d tree, global neighbours).
chunked
    The data memory-mapped from ``.npy`` files, ``chunk_size`` rows at a time; each chunk's
    frames from its own neighbours, reduced to R-factor statistics.
dask
    The same files as a ``dask.array`` (one block per chunk, read by the workers) on a
    ``dask.distributed.LocalCluster`` of 2 worker processes x 1 thread.
stream
    ``--stream N``: radial data generated chunk by chunk and never stored (for N where even
    the files would be large).
query_global, query_chunks
    References: one k-nearest-neighbour query of every sample against a k-d tree of all the
    samples (k as in the fit, same threads), and the same per chunk (the neighbour work of
    the chunked fit).

Memory is sampled every 20 ms from /proc: peak resident set (RSS, which includes the pages
of memory-mapped files read so far) and peak anonymous memory (heap: loaded data and working
arrays), summed over the driver and, for Dask, its worker processes. Wall times are the fits
alone (data generation, file writing and cluster start excluded), median over repeats.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, machine_info, summary, write_json

CHUNK = 100_000
CASES = ("radial", "circle")


# Data: written once per (case, N) to .npy files, chunk by chunk.
def data_chunk(case: str, index: int, rows: int, seed: int) -> dict:
    """Chunk ``index`` of a case's data (its own generator, so chunks are independent)."""
    rng = np.random.default_rng([seed, CASES.index(case), index])
    if case == "radial":
        x = rng.normal(size=(rows, 3))
        return {"X": x, "y": np.sum(x**2, axis=1)}
    from liesym.data import collect_transitions
    from liesym.envs import circle_tasks

    family = circle_tasks()
    tr = collect_transitions(family, family.base_goal, rows, rng=rng)
    return {"X": tr.next_states, "y": tr.rewards, "S": tr.states, "A": tr.actions}


def write_data(case: str, n: int, folder: Path, seed: int, chunk: int) -> dict:
    paths, arrays = {}, {}
    for i, start in enumerate(range(0, n, chunk)):
        part = data_chunk(case, i, min(chunk, n - start), seed)
        for key, value in part.items():
            if key not in arrays:
                paths[key] = folder / f"{case}_{n}_{key}.npy"
                arrays[key] = np.lib.format.open_memmap(
                    paths[key], mode="w+", dtype=np.float64, shape=(n, *value.shape[1:])
                )
            arrays[key][start : start + len(value)] = value
    for a in arrays.values():
        a.flush()
    return {k: str(v) for k, v in paths.items()}


class PeakMemory:
    """Peak RSS and anonymous memory of this process and its children (a sampler thread)."""

    def __init__(self, interval: float = 0.02) -> None:
        import psutil

        self._proc = psutil.Process()
        self._stop = threading.Event()
        self.rss = self.anon = 0
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    @staticmethod
    def _status(pid: int) -> tuple[int, int]:
        rss = anon = 0
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("RssAnon:"):
                    anon = int(line.split()[1]) * 1024
        except OSError:
            pass
        return rss, anon

    def cpu_seconds(self) -> float:
        """User + system CPU time of this process and its live children so far."""
        procs = [self._proc]
        try:
            procs += self._proc.children(recursive=True)
        except Exception:  # a child may vanish while listed
            pass
        total = 0.0
        for p in procs:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except Exception:  # a child that exited meanwhile
                pass
        return total

    def sample(self) -> None:
        """Read /proc once and update the peaks."""
        pids = [self._proc.pid]
        try:
            pids += [c.pid for c in self._proc.children(recursive=True)]
        except Exception:  # a child may vanish while listed
            pass
        rss, anon = np.sum([self._status(p) for p in pids], axis=0)
        self.rss, self.anon = max(self.rss, int(rss)), max(self.anon, int(anon))

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            self.sample()
            time.sleep(interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


# One run (in a subprocess).
def truth(case: str):
    from liesym.algebra import so
    from liesym.envs import circle_tasks

    if case == "radial":
        return so(3), None
    family = circle_tasks()
    return family.base_symmetry_algebra, family.system_algebra


def k_neighbors(case: str) -> int:
    n = 3 if case == "radial" else 2
    return max(15, 5 * (n + 1))  # kernel_frames' default


def npy_dask(path: str, chunk: int):
    """A dask array over a .npy file, one block per chunk, each read by its worker."""
    import dask
    import dask.array as da

    def block(p, start, stop):
        return np.asarray(np.load(p, mmap_mode="r")[start:stop])

    head = np.load(path, mmap_mode="r")
    shape, dtype = head.shape, head.dtype
    from liesym.discovery._chunks import block_bounds

    parts = [
        da.from_delayed(dask.delayed(block)(path, a, b), shape=(b - a, *shape[1:]), dtype=dtype)
        for a, b in block_bounds(shape[0], chunk)
    ]
    return da.concatenate(parts)


def stream(case: str, n: int, seed: int, chunk: int):
    for i, start in enumerate(range(0, n, chunk)):
        part = data_chunk(case, i, min(chunk, n - start), seed)
        yield part["X"], part["y"]


def run_one(spec: dict) -> dict:
    from scipy.spatial import cKDTree

    from liesym.algebra import grassmann_distance
    from liesym.discovery import DifferentialDiscovery, DynamicsSymmetryDiscovery
    from liesym.discovery._chunks import block_bounds

    case, mode, n, chunk, n_jobs = (spec[k] for k in ("case", "mode", "N", "chunk", "n_jobs"))
    paths = spec.get("paths", {})
    client = cluster = None
    if mode == "dask":
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
        client.run(lambda: __import__("liesym.discovery"))  # imports before timing

    def load(key, mmap=True):
        return np.load(paths[key], mmap_mode="r" if mmap else None)

    affine = case == "circle"
    algebra, system = truth(case)
    out = {"case": case, "mode": mode, "N": n, "chunk": chunk, "n_jobs": n_jobs, "seconds": []}
    out["cpu_seconds"] = []
    for _ in range(spec["repeats"]):
        with PeakMemory() as mem:
            # In-memory modes read their data before the clock starts (memory still counts).
            data = (
                [load(k, mmap=False) for k in "Xy"] if mode in ("memory", "query_global") else None
            )
            start, cpu_start = time.perf_counter(), mem.cpu_seconds()
            if mode.startswith("query"):
                from liesym._core import limit_threads

                k = k_neighbors(case)
                x = data[0] if data else load("X")
                with limit_threads(n_jobs) as workers:
                    ranges = [(0, n)] if mode == "query_global" else block_bounds(n, chunk)
                    for a, b in ranges:
                        z = np.asarray(x[a:b])
                        tree = cKDTree(z)
                        for q in range(0, b - a, 1_000_000):  # bounded result arrays
                            tree.query(z[q : q + 1_000_000], k=k, workers=workers)
                est = None
            else:
                est = DifferentialDiscovery(affine=affine, n_jobs=n_jobs)
                if mode == "memory":
                    est.fit(*data)
                elif mode == "chunked":
                    est.chunk_size = chunk
                    est.fit(load("X"), load("y"))
                elif mode == "dask":
                    est.fit(npy_dask(paths["X"], chunk), npy_dask(paths["y"], chunk))
                else:  # stream
                    est.chunk_size = chunk
                    est.fit(stream(case, n, spec["seed"], chunk))
            seconds = time.perf_counter() - start
            cpu = mem.cpu_seconds() - cpu_start
            dyn = None
            if system is not None and mode in ("memory", "chunked", "dask"):
                t0 = time.perf_counter()
                args = (
                    [npy_dask(paths[k], chunk) for k in "SAX"]
                    if mode == "dask"
                    else [load(k, mmap=mode == "chunked") for k in "SAX"]
                )
                dyn = DynamicsSymmetryDiscovery(
                    n_jobs=n_jobs, chunk_size=chunk if mode == "chunked" else None
                ).fit(*args)
                dyn_seconds = time.perf_counter() - t0
            del data
        out["seconds"].append(seconds)
        out["cpu_seconds"].append(cpu)
        out["peak_rss_mb"] = mem.rss / 2**20
        out["peak_anon_mb"] = mem.anon / 2**20
    if est is not None:
        out["dim"] = int(est.dim_)
        out["grassmann"] = float(grassmann_distance(est.algebra_, algebra)) if est.dim_ else None
        out["n_chunks"] = int(est.stats_.n_chunks)
        out["reliable_share"] = est.n_reliable_ / est.n_samples_
        if affine and est.fixed_point_ is not None:
            out["centre_error"] = float(np.linalg.norm(est.fixed_point_ - np.array([1.0, 0.0])))
    if dyn is not None:
        out["dynamics"] = {
            "dim": int(dyn.dim_),
            "grassmann": float(grassmann_distance(dyn.algebra_, system)) if dyn.dim_ else None,
            "seconds": dyn_seconds,
        }
    if client is not None:
        client.close()
        cluster.close()
    return out


def run_subprocess(spec: dict, in_process: bool = False) -> dict:
    if in_process:  # quick mode: no fresh interpreter per run (memory then includes the driver)
        return run_one(spec)
    proc = subprocess.run(
        [sys.executable, __file__, "--run-one", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{spec['case']} {spec['mode']} N={spec['N']}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def load_average() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 20,000 only (seconds)")
    parser.add_argument("--sizes", type=float, nargs="*", default=None, help="N values")
    parser.add_argument("--stream", type=float, default=None, help="streaming N (e.g. 1e8)")
    parser.add_argument("--max-memory-n", type=float, default=1e7, help="largest in-memory N")
    parser.add_argument("--chunk", type=int, default=None, help="rows per chunk (1e5)")
    parser.add_argument("--n-jobs", type=int, default=2, help="threads (joblib semantics)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=CASES)
    parser.add_argument("--data-dir", type=Path, default=None, help="for the .npy files")
    parser.add_argument("--out", type=Path, default=None, help="folder (default results/)")
    parser.add_argument("--resume", action="store_true", help="keep the runs already saved")
    parser.add_argument("--run-one", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one is not None:
        print(json.dumps(run_one(json.loads(args.run_one))))
        return
    sizes = [int(s) for s in (args.sizes or ([2e4] if args.quick else [1e5, 1e6, 1e7]))]
    chunk = args.chunk or (5_000 if args.quick else CHUNK)
    out_dir = args.out or (RESULTS / "quick" if args.quick else RESULTS)
    path = out_dir / "out_of_core.json"
    info = machine_info()
    print("machine:", ", ".join(f"{k}={v}" for k, v in info.items()), flush=True)
    # Each run is saved as it finishes; --resume keeps the runs already in the file.
    previous = json.loads(path.read_text()) if args.resume and path.is_file() else {}
    runs = previous.get("runs", [])
    done = {(r["case"], r["mode"], r["N"]) for r in runs}
    command = "nice -n 10 python benchmarks/bench_out_of_core.py " + " ".join(sys.argv[1:])
    commands = [*previous.get("config", {}).get("commands", []), command]

    def payload() -> dict:
        config = {
            "quick": args.quick,
            "sizes": sorted({r["N"] for r in runs}),
            "cases": sorted({r["case"] for r in runs}, key=CASES.index),
            "stream": args.stream,
            "chunk": chunk,
            "n_jobs": args.n_jobs,
            "seed": args.seed,
            "dask": "LocalCluster, 2 worker processes x 1 thread; blocks read from .npy files",
            "memory": "peak VmRSS / RssAnon sampled every 20 ms, driver + child processes",
            "timing": "median wall time of the fit over repeats (5 at N < 5e5, 3 below 5e6, "
            "else 1); cpu_seconds: user + system time of the driver and its worker processes "
            "(less sensitive to other jobs on the machine than wall time)",
            "commands": commands,
            "load_average_1min_max": max(r["load_after"][0] for r in runs),
        }
        return {"machine": info, "config": config, "runs": runs, "summary": table(runs)}

    def record(spec: dict) -> None:
        before = load_average()
        rec = run_subprocess(spec, in_process=args.quick)
        rec["load_before"], rec["load_after"] = before, load_average()
        runs.append(rec)
        print_row(rec)
        write_json(payload(), path)

    with tempfile.TemporaryDirectory(dir=args.data_dir) as tmp:
        for case in args.cases:
            for n in sizes:
                repeats = 1 if n >= 5_000_000 or args.quick else 3 if n >= 500_000 else 5
                modes = ["query_global", "query_chunks", "chunked", "dask"]
                if n <= args.max_memory_n:
                    modes.append("memory")  # last: the slowest and most memory-hungry
                modes = [m for m in modes if (case, m, n) not in done]
                if not modes:
                    continue
                t0 = time.perf_counter()
                paths = write_data(case, n, Path(tmp), args.seed, chunk)
                print(f"{case} N={n:,}: data written in {time.perf_counter() - t0:.1f} s")
                for mode in modes:
                    record(
                        {
                            "case": case,
                            "mode": mode,
                            "N": n,
                            "chunk": chunk,
                            "n_jobs": args.n_jobs,
                            "repeats": repeats,
                            "seed": args.seed,
                            "paths": paths,
                        }
                    )
                for p in paths.values():
                    Path(p).unlink()
    if args.stream and ("radial", "stream", int(args.stream)) not in done:
        record(
            {
                "case": "radial",
                "mode": "stream",
                "N": int(args.stream),
                "chunk": chunk,
                "n_jobs": args.n_jobs,
                "repeats": 1,
                "seed": args.seed,
            }
        )
    if runs:
        write_json(payload(), path)
        print("wrote", path)


def print_row(r: dict) -> None:
    t = float(np.median(r["seconds"]))
    extra = ""
    if "grassmann" in r:
        g = r["grassmann"]
        extra = f" dim {r['dim']} grassmann {g:.1e}" if g is not None else f" dim {r['dim']}"
    if "dynamics" in r:
        extra += f" dynamics {r['dynamics']['grassmann']:.1e}"
    cpu = float(np.median(r["cpu_seconds"]))
    print(
        f"{r['case']:<7} {r['mode']:<13} N={r['N']:>11,} {t:8.2f} s (cpu {cpu:8.2f} s) "
        f"({t / r['N'] * 1e6:6.2f} s/1e6) rss {r['peak_rss_mb']:7.0f} MB "
        f"anon {r['peak_anon_mb']:7.0f} MB{extra} load {r['load_after'][0]}",
        flush=True,
    )


def table(runs: list[dict]) -> list[dict]:
    """One row per (case, N, fit mode), with the query references of the same data."""
    rows = []
    for r in runs:
        if r["mode"].startswith("query"):
            continue
        t = float(np.median(r["seconds"]))
        queries = [
            q
            for q in runs
            if q["mode"].startswith("query") and (q["case"], q["N"]) == (r["case"], r["N"])
        ]
        ref = {q["mode"]: float(np.median(q["seconds"])) for q in queries}
        ref_cpu = {q["mode"]: float(np.median(q["cpu_seconds"])) for q in queries}
        cpu = float(np.median(r["cpu_seconds"]))
        row = {
            "case": r["case"],
            "mode": r["mode"],
            "N": r["N"],
            "seconds": summary(r["seconds"]),
            "cpu_seconds": summary(r["cpu_seconds"]),
            "seconds_per_million": t / r["N"] * 1e6,
            "peak_rss_mb": r["peak_rss_mb"],
            "peak_anon_mb": r["peak_anon_mb"],
            "dim": r.get("dim"),
            "grassmann": r.get("grassmann"),
            "load": r["load_after"],
        }
        for q, v in ref.items():
            row[f"{q}_seconds"] = v
            row[f"ratio_to_{q}"] = t / v
            row[f"cpu_ratio_to_{q}"] = cpu / ref_cpu[q]
        for key in ("centre_error", "dynamics", "n_chunks"):
            if key in r:
                row[key] = r[key]
        rows.append(row)
    order = ("memory", "chunked", "dask", "stream")
    return sorted(rows, key=lambda r: (CASES.index(r["case"]), r["N"], order.index(r["mode"])))


if __name__ == "__main__":
    main()
