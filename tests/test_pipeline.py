"""The discovery pipeline certifies the subgroup embedding on compact families, not on the line."""

import numpy as np
import pytest

from liesym.algebra import LieAlgebra, sl, so
from liesym.cli import main
from liesym.envs import circle_tasks, ellipse_tasks, line_tasks
from liesym.pipeline import discover_structure, exact_containment, verify_discovered


@pytest.mark.parametrize(
    "family", [circle_tasks(), ellipse_tasks(np.diag([0.7, 0.9]))], ids=["circle", "ellipse"]
)
def test_subgroup_embedding_is_certified_on_compact_families(family):
    res = discover_structure(family, n_steps=2000, rng=0)
    assert res.embedded is True
    assert res.task_report.name == "so(2)"
    assert res.task_report.compact is True and res.task_report.connected is True
    # Scores against the ground truth (not used by the methods).
    assert res.errors["task_grassmann"] < 0.03
    assert res.errors["task_element_error"] < 0.03


def test_line_family_fails_compactness():
    res = discover_structure(line_tasks(), n_steps=2000, rng=0)
    assert res.task_report.compact is False
    assert res.embedded is False


def test_verify_discovered_certifies_at_the_stated_uncertainty(rng):
    noisy = so(3).basis + 3e-4 * rng.normal(size=(3, 3, 3))
    report = verify_discovered(LieAlgebra(noisy), uncertainty=1e-3)
    assert report.name == "so(3)" and report.compact is True
    assert "given" in report.tol_source and not report.exact_input


def test_exact_containment():
    small = verify_discovered(LieAlgebra(so(3).basis[:1]), uncertainty=0.0)
    big = verify_discovered(so(3), uncertainty=0.0)
    assert exact_containment(small, big) < 1e-12
    assert exact_containment(verify_discovered(sl(3), uncertainty=0.0), big) > 0.1


def test_cli_discover_prints_the_certificates(capsys):
    assert main(["discover", "circle", "--steps", "1000", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "subgroup embedding" in out and "so(2)" in out


def test_demo_quick_runs_as_a_subprocess(tmp_path):
    import json
    import subprocess
    import sys

    out = tmp_path / "demo"
    cmd = [sys.executable, "-m", "liesym", "demo", "--quick", "--no-progress", "--out", str(out)]
    run = subprocess.run(cmd, capture_output=True, text=True, check=True)
    assert "hereditary" in run.stdout and "subgroup embedding" in run.stdout
    results = json.loads((out / "results.json").read_text())
    assert results["subgroup_embedding"] is True
    # Transfer through the inferred elements is as good as the oracle (score ~1) on every task.
    assert min(results["score_mean"]["hereditary"]) > 0.95
    for name in ("base_symmetry", "task_algebra", "score_vs_distance", "inference_error"):
        assert (out / f"{name}.png").stat().st_size > 0
