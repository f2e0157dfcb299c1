"""Every benchmark script runs end to end in its --quick mode (outputs go to results/quick/ or a
temporary folder), and the joblib sweeps give the same numbers on a Dask cluster.

Timings are never asserted here: benchmarks report them, tests check that the scripts work.
"""

import contextlib
import json
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = sorted((Path(__file__).resolve().parents[1] / "benchmarks").glob("bench_*.py"))
RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
# The sweeps that run through joblib (and so on Dask via --scheduler), their output folder
# argument, and the part of the quick run that goes through joblib.
SWEEPS = {
    "bench_scaling": ["--no-progress"],
    "bench_diff_vs_func": ["--no-progress", "--only", "sweeps"],
    "bench_navigation": [],
}
# Keys whose values are wall times or describe the machine and scheduler.
TIMING_KEYS = ("second", "wall", "time", "timing", "machine", "elapsed", "duration")


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory):
    """Run a script's --quick mode once per session (joblib's local processes)."""
    done = {}

    def run(script: Path):
        if script not in done:
            cmd = [sys.executable, str(script), "--quick"]
            out = None
            if script.stem in SWEEPS:
                out = tmp_path_factory.mktemp(script.stem)
                cmd += ["--out", str(out)]
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                cwd=out or tmp_path_factory.mktemp("cwd"),
                timeout=600,
            )
            done[script] = (proc, out)
        return done[script]

    return run


@pytest.mark.slow
@pytest.mark.parametrize("script", BENCHMARKS, ids=[p.stem for p in BENCHMARKS])
def test_benchmark_runs_quick(script, quick_run):
    committed = {p: p.read_bytes() for p in RESULTS.glob("*.json")}
    run, _ = quick_run(script)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "machine" in run.stdout.lower()
    # Quick runs write to results/quick/ or elsewhere, never over the committed full results.
    assert {p: p.read_bytes() for p in RESULTS.glob("*.json")} == committed


def _without_timings(value):
    if isinstance(value, dict):
        return {
            k: _without_timings(v)
            for k, v in value.items()
            if not any(t in k.lower() for t in TIMING_KEYS)
        }
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


# The cluster runs in a process of its own: neither pytest's warning filters (errors) nor its
# output capture reach its scheduler thread, and its log (with distributed's own account of any
# message it failed to deserialize) is kept for the failure report.
CLUSTER = """
import logging
import sys

from dask.distributed import Client, LocalCluster


def log_failed_unpickling():
    # distributed logs the payload of a message it cannot deserialise at INFO only.
    logging.getLogger("distributed.protocol.pickle").setLevel(logging.INFO)


if __name__ == "__main__":
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, Client(cluster) as client:
        log_failed_unpickling()
        client.run(log_failed_unpickling)
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()  # until the test closes stdin
"""


@contextlib.contextmanager
def _local_cluster(folder: Path):
    """Address of a LocalCluster (2 worker processes) started in a subprocess; its log file."""
    script, log = folder / "cluster.py", folder / "cluster.log"
    script.write_text(CLUSTER)
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-X", "faulthandler", str(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            cwd=folder,
        )
        try:
            address = proc.stdout.readline().strip()
            assert address.startswith("tcp://"), log.read_text()[-4000:]
            yield address, log
        finally:
            proc.stdin.close()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()


def _communicate(proc, timeout: float, log: Path) -> tuple[str, str]:
    """Output of a finished run; a stalled one is aborted and fails with its threads' stacks."""
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        stdout, stderr = proc.communicate()
        pytest.fail(
            f"{proc.args} stalled for {timeout} s:\n{stdout[-2000:]}\n{stderr[-6000:]}\n"
            f"cluster log:\n{log.read_text()[-8000:]}"
        )


@pytest.mark.slow
def test_sweeps_on_a_dask_local_cluster_equal_the_joblib_run(quick_run, tmp_path):
    """The three joblib sweeps on a LocalCluster of 2 worker processes: same numbers.

    Every task seeds itself and runs single-threaded in both cases, so everything but the
    wall times must agree exactly (not just to rounding).
    """
    pytest.importorskip("distributed")

    scripts = [p for p in BENCHMARKS if p.stem in SWEEPS]
    procs = {}
    with _local_cluster(tmp_path) as (address, log):
        try:
            for script in scripts:
                out = tmp_path / script.stem
                # -X faulthandler: a stalled run dumps its threads' stacks on SIGABRT (below).
                cmd = [sys.executable, "-X", "faulthandler", str(script), "--quick"]
                cmd += ["--out", str(out), *SWEEPS[script.stem], "--scheduler", address]
                procs[script] = subprocess.Popen(
                    cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path
                )
            joblib_runs = {script: quick_run(script) for script in scripts}
            outputs = {script: _communicate(proc, 600, log) for script, proc in procs.items()}
        finally:
            # A failure above must not leave runs (and their pipes) behind for later tests.
            for proc in procs.values():
                if proc.poll() is None:
                    proc.kill()
                proc.communicate()
    for script in scripts:
        stdout, stderr = outputs[script]
        assert procs[script].returncode == 0, stdout[-2000:] + stderr[-2000:]
        assert "dask scheduler" in stdout
        local, local_dir = joblib_runs[script]
        assert local.returncode == 0, local.stdout[-2000:] + local.stderr[-2000:]
        for path in (tmp_path / script.stem).glob("*.json"):
            on_dask = _without_timings(json.loads(path.read_text()))
            joblib = _without_timings(json.loads((local_dir / path.name).read_text()))
            shared = set(on_dask) & set(joblib)
            assert shared, f"{script.stem}: no results in common"
            assert {k: on_dask[k] for k in shared} == {k: joblib[k] for k in shared}, script.stem


@pytest.mark.slow
def test_reacher_oracle_draw_zero_gives_the_runs_own_relative_regret(quick_run):
    """--oracle-draws re-evaluates the run's oracles on its episodes: draw 0 is the run itself."""
    pytest.importorskip("mujoco")
    script = next(p for p in BENCHMARKS if p.stem == "bench_reacher")
    run, _ = quick_run(script)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    cmd = [sys.executable, str(script), "--quick", "--oracle-draws", "2", "--n-jobs", "1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    draws = json.loads((RESULTS / "quick" / "reacher_oracle_draws.json").read_text())
    cells = json.loads((RESULTS / "quick" / "reacher.json").read_text())["cells"]
    # Regret of the mean returns over the evaluation episodes (the run's own statistic
    # averages the ratios of its evaluation seeds instead; the two differ at the 1e-3 level).
    own = [
        np.max((np.array(r["oracle"]) - r["hereditary"]) / np.abs(r["oracle"]))
        for r in (c["returns"] for c in cells)
    ]
    assert [w[0] for w in draws["per_seed_worst_per_draw"]] == pytest.approx(own, rel=1e-9)
    assert len(draws["oracle_returns"]) == 2 and min(draws["oracle_spread_per_target"]) >= 0


@pytest.mark.parametrize("episodes", [None, 1, 2, 3, 4, 6, 8])
def test_reacher_base_trainer_spends_every_policys_env_steps(episodes, monkeypatch):
    """--base-episodes splits the base search's steps differently, never spends more."""
    monkeypatch.syspath_prepend(str(BENCHMARKS[0].parent))
    import bench_reacher

    every = bench_reacher.trainer("full", 0)
    base = bench_reacher.base_trainer("full", 0, episodes=episodes)
    assert base.population * base.n_episodes == every.population * every.n_episodes
    assert base.n_iterations == every.n_iterations and base.n_restarts == every.n_restarts
    assert base.n_episodes == (every.n_episodes if episodes is None else episodes)
    with pytest.raises(ValueError, match="episodes"):
        bench_reacher.base_trainer("full", 0, episodes=5)
