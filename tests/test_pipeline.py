"""The discovery pipeline certifies the subgroup embedding on compact families, not on the line."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@settings(max_examples=20, deadline=None)
@given(angle=st.floats(1e-4, 1e-2), fraction=st.floats(0.0, 1.0))
def test_a_measured_bias_change_enters_the_tolerance_unscaled(angle, fraction):
    # The certificate's angle is CONFIDENCE x the uncertainty's noise part plus its measured
    # bias change (Uncertainty.systematic), which is an observed value, not a noise scale:
    # the tolerance runs linearly from that of the whole angle as noise (an explicit
    # uncertainty=) to that of the whole angle at confidence 1.
    from types import SimpleNamespace

    from liesym.discovery.differential import Uncertainty

    algebra = LieAlgebra(so(3).basis[:1] + 1e-7 * np.arange(9.0).reshape(1, 3, 3))
    unc = Uncertainty(angle, "test", systematic=fraction * angle)
    tol = verify_discovered(SimpleNamespace(algebra_=algebra, uncertainty_=unc)).tol
    as_noise = verify_discovered(algebra, uncertainty=angle).tol
    as_bias = verify_discovered(algebra, uncertainty=angle, confidence=1.0).tol
    assert tol == pytest.approx((1 - fraction) * as_noise + fraction * as_bias, rel=1e-9)


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
    # Transfer through the inferred elements is as good as the oracle (score ~1) on every task,
    # in score and in return.
    assert min(results["score_mean"]["hereditary"]) > 0.95
    assert max(results["relative_regret"]["hereditary"]) < 0.05
    assert set(results["returns"]) >= {"hereditary", "nearest", "contrastive", "zero", "oracle"}
    for name in (
        "base_symmetry",
        "task_algebra",
        "score_vs_distance",
        "relative_regret",
        "inference_error",
    ):
        assert (out / f"{name}.png").stat().st_size > 0


def test_run_pipeline_records_scores_returns_and_regret_consistently():
    from liesym.pipeline import run_pipeline

    res = run_pipeline(circle_tasks(), n_test=4, seeds=2, n_episodes=4, rng=0)
    curve = res.curve
    r_oracle, r_random = res.returns["oracle"], res.returns["random"]
    for m in res.methods:
        per_seed = curve.returns[curve.index(m)]
        assert np.allclose(res.returns[m], per_seed.mean(axis=0))
        score = (per_seed - curve.returns[-1]) / (curve.returns[-2] - curve.returns[-1])
        assert np.allclose(res.scores[m], score.mean(axis=0))
        rel = (curve.returns[-2] - per_seed) / np.abs(curve.returns[-2])
        assert np.allclose(res.relative_regret[m], rel.mean(axis=0))
    assert np.allclose(res.relative_regret["oracle"], 0.0)
    assert np.all(r_oracle > r_random)
    assert res.inferred_elements.shape == (4, 1)
    assert res.representation.state.dim == 1 and res.structure.embedded is True


def test_run_pipeline_refuses_bad_arguments():
    from liesym.pipeline import run_pipeline

    with pytest.raises(TypeError, match="family"):
        run_pipeline("circle")
    with pytest.raises(ValueError, match="k_infer"):
        run_pipeline(circle_tasks(), k_infer=0)
    with pytest.raises(ValueError, match="trainer"):
        run_pipeline(circle_tasks(), trainer=object())
    with pytest.raises(ValueError, match="base_trainer"):
        run_pipeline(circle_tasks(), base_trainer=object())


def _discovered(algebra, angle, transverse):
    from types import SimpleNamespace

    from liesym.discovery.differential import Uncertainty

    return SimpleNamespace(algebra_=algebra, uncertainty_=Uncertainty(angle, "test", transverse))


@pytest.mark.parametrize("eps", [0.02, 0.05])
def test_conjugation_errors_do_not_stop_a_certificate(eps, rng):
    # so(3) seen through a chart exp(eps X): the whole angle gives tol > 0.04, but only its
    # transverse part (here rounding) can change an answer, so it is certified up to
    # conjugation; a spiral (trace: transverse) with the same angles is not called compact.
    import scipy.linalg

    from liesym.algebra import principal_angles, transverse_angle

    x = rng.normal(size=(3, 3))
    moved = so(3).conjugate(scipy.linalg.expm(eps * x / np.linalg.norm(x)))
    angle = float(principal_angles(moved, so(3)).max())
    report = verify_discovered(_discovered(moved, angle, transverse_angle(moved, so(3))))
    assert report.tol > 0 and "up to conjugation" in report.tol_source
    assert report.name == "so(3)" and report.compact is True
    spiral = LieAlgebra([so(2).basis[0] + eps * np.eye(2)])
    t = transverse_angle(spiral, so(2))
    assert verify_discovered(_discovered(spiral, t, t)).compact is not True


def test_the_whole_uncertainty_has_priority_when_it_is_usable():
    # A usable whole angle (tol <= 0.04) is used as before: E is the simplest exact algebra
    # consistent with all of the data's uncertainty, not only with its transverse part.
    report = verify_discovered(_discovered(so(2), 1e-3, 1e-6))
    assert "conjugation" not in report.tol_source and report.tol == pytest.approx(6e-3)
