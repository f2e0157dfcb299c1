"""Every benchmark script runs end to end in its --quick mode (outputs go to results/quick/).

Timings are never asserted here: benchmarks report them, tests check that the scripts work.
"""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).resolve().parents[1] / "benchmarks").glob("bench_*.py"))
RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"


@pytest.mark.slow
@pytest.mark.parametrize("script", BENCHMARKS, ids=[p.stem for p in BENCHMARKS])
def test_benchmark_runs_quick(script, tmp_path):
    committed = {p: p.read_bytes() for p in RESULTS.glob("*.json")}
    run = subprocess.run(
        [sys.executable, str(script), "--quick"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "machine" in run.stdout.lower()
    # Quick runs write to results/quick/, never over the committed full results.
    assert {p: p.read_bytes() for p in RESULTS.glob("*.json")} == committed
