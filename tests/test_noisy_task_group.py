"""Task groups from noisy stabilisers: element scales from the system group or the rewards."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liesym.algebra import LieAlgebra, principal_angles, rotation_about, so, transverse_angle
from liesym.discovery.differential import Uncertainty
from liesym.discovery.dynamics import DynamicsSymmetryDiscovery, _null_space_draws
from liesym.discovery.task_group import discover_task_group
from liesym.verify._discovered import CONFIDENCE, TRANSVERSE_BIAS


def _isotropic_system(rng, n=2000):
    """Transitions s' = s + a + noise with disc-uniform actions: linear symmetries so(2)."""
    noise = rng.uniform(0.05, 0.3)
    s = rng.normal(scale=0.5, size=(n, 2))
    angle, radius = rng.uniform(0, 2 * np.pi, n), 0.1 * np.sqrt(rng.uniform(0, 1, n))
    a = radius[:, None] * np.c_[np.cos(angle), np.sin(angle)]
    return DynamicsSymmetryDiscovery().fit(s, a, s + a + noise * rng.normal(size=(n, 2)))


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_resampled_system_null_spaces_keep_the_trace_of_an_isotropic_system(seed):
    # A symmetric error E of the isotropic noise covariance moves the constraint on W by the
    # traceless [W, E]: the resampled generators tilt (ellipticity) but keep trace ~ 0, far
    # below their tilt (the spectrum's noise floor would spread the tilt over the trace too).
    est = _isotropic_system(np.random.default_rng(seed))
    draws = _null_space_draws(est, 8, seed)
    gens = draws[:, 0].reshape(-1, 2, 2)
    assert np.allclose(np.linalg.norm(draws, axis=-1), 1.0)
    trace = np.abs(np.trace(gens, axis1=1, axis2=2)) / np.linalg.norm(gens, axis=(1, 2))
    tilt = [principal_angles(LieAlgebra(g[None]), est.algebra_).max() for g in gens]
    assert trace.max() < 0.1 * max(tilt)


@settings(max_examples=5, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    delta=st.floats(-0.05, 0.05),
    t=st.floats(0.5, 2.0) | st.floats(-2.0, -0.5),
)
def test_elements_take_their_scale_from_the_system_group(seed, delta, t):
    # Stabiliser centres at a wrong distance (what noisy level sets give) make the aligning
    # element a similarity (det (1 + delta)^2) and the task algebra a spiral. Elements are
    # symmetries of the system: nearest the system group they are rotations again, the
    # rotation angle is kept, and the bootstrap's transverse angle (with the verifier's
    # factors) covers what remains of the spiral.
    rng = np.random.default_rng(seed)
    system = _isotropic_system(rng)
    goals = [np.array([1.0, 0.0]), (1.0 + delta) * np.array([np.cos(t), np.sin(t)])]
    syms = [rotation_about(g) for g in goals]
    plain = discover_task_group([], task_symmetries=syms)
    fixed = discover_task_group(
        [], task_symmetries=syms, task_uncertainties=[Uncertainty(1e-3, "test")] * 2,
        system=system, rng=seed,
    )  # fmt: skip
    assert np.linalg.det(plain.elements_[1]) == pytest.approx((1 + delta) ** 2, rel=1e-8)
    assert np.linalg.det(fixed.elements_[1]) == pytest.approx(1.0, abs=1e-3)
    assert fixed.angles()[1] == pytest.approx(t, abs=1e-6)
    true = transverse_angle(fixed.algebra_, so(2))
    assert true <= CONFIDENCE * TRANSVERSE_BIAS * fixed.uncertainty_.transverse


def test_reward_values_fix_the_scale_the_centres_miss():
    # r_i(L s) = r_0(s): the pulled-back rewards of task 1 and the base rewards must follow one
    # function; a 4 % error in the second centre's distance is corrected to the rewards'
    # precision (gradient magnitudes, ~sigma / (sqrt(N) spread)).
    rng = np.random.default_rng(0)
    goals = [np.array([1.0, 0.0]), np.array([np.cos(2.0), np.sin(2.0)])]
    data = []
    for g in goals:
        x = rng.normal(scale=0.3, size=(2000, 2))
        data.append((x, -np.linalg.norm(x - g, axis=1) + 0.01 * rng.normal(size=2000)))
    syms = [rotation_about(goals[0]), rotation_about(1.04 * goals[1])]
    plain = discover_task_group([], task_symmetries=syms)
    matched = discover_task_group(data, task_symmetries=syms, match_rewards=True)
    assert abs(np.log(np.linalg.det(plain.elements_[1]))) > 0.07
    assert abs(np.log(np.linalg.det(matched.elements_[1]))) < 0.01
    assert matched.angles()[1] == pytest.approx(2.0, abs=1e-3)


def test_reward_matching_needs_one_in_memory_dataset_per_task():
    syms = [rotation_about(np.array([1.0, 0.0])), rotation_about(np.array([0.0, 1.0]))]
    with pytest.raises(ValueError, match="one dataset per task"):
        discover_task_group([], task_symmetries=syms, match_rewards=True)


def test_system_must_act_on_the_tasks_space():
    rng = np.random.default_rng(0)
    s, a = rng.normal(size=(500, 3)), rng.normal(size=(500, 3))
    system = DynamicsSymmetryDiscovery().fit(s, a, s + a + 0.1 * rng.normal(size=(500, 3)))
    syms = [rotation_about(np.array([1.0, 0.0])), rotation_about(np.array([0.0, 1.0]))]
    with pytest.raises(ValueError, match="system: expected a linear discovery on R\\^2"):
        discover_task_group([], task_symmetries=syms, system=system)


def test_run_pipeline_checks_the_probing_option():
    from liesym.envs import circle_tasks
    from liesym.pipeline import run_pipeline

    with pytest.raises(ValueError, match="probing"):
        run_pipeline(circle_tasks(), probing="greedy")
