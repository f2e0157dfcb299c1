"""Bad inputs and options get a ValueError/TypeError naming the argument, never silent garbage."""

import numpy as np
import pytest

from liesym.algebra import LieAlgebra, rotation_about, so, span_basis
from liesym.data.synthetic import invariant_function_data
from liesym.discovery import DifferentialDiscovery, discover_task_group
from liesym.discovery.dynamics import DynamicsSymmetryDiscovery
from liesym.envs import circle_tasks, line_tasks, sphere_tasks
from liesym.verify import exact_basis, is_connected, verify, verify_discovered

NAN = float("nan")


# --- liesym.verify ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "argument"),
    [
        ({"tol": NAN}, ValueError, "tol"),
        ({"tol": -1e-6}, ValueError, "tol"),
        ({"tol": 0.0}, ValueError, "tol"),
        ({"tol": 1e-30}, ValueError, "tol"),
        ({"tol": 0.3}, ValueError, "tol"),
        ({"tol": True}, TypeError, "tol"),
        ({"tol": "1e-6"}, TypeError, "tol"),
        ({"tol_source": 3}, TypeError, "tol_source"),
        ({"angle": -0.1}, ValueError, "angle"),
        ({"elements": np.eye(3)}, ValueError, "elements"),
        ({"elements": np.zeros((0, 2, 2))}, ValueError, "elements"),
        ({"elements": []}, ValueError, "elements"),
        ({"elements": np.full((1, 2, 2), NAN)}, ValueError, "elements"),
        ({"elements": np.eye(2) * 1j}, TypeError, "elements"),
    ],
)
def test_verify_names_the_bad_argument(kwargs, error, argument):
    with pytest.raises(error, match=argument):
        verify(so(2), **kwargs)


@pytest.mark.parametrize("algebra", [np.zeros((1, 2, 2)), so(2).basis, "so(2)", None])
def test_verify_wants_a_lie_algebra(algebra):
    with pytest.raises(TypeError, match="algebra"):
        verify(algebra)
    with pytest.raises(TypeError, match="algebra"):
        exact_basis(algebra)


def test_connectedness_names_elements():
    with pytest.raises(ValueError, match="elements"):
        is_connected(so(2), np.ones((2, 2, 2, 2)))
    with pytest.raises(ValueError, match="elements"):
        is_connected(so(2), np.zeros((0, 2, 2)))


def test_verify_discovered_needs_an_uncertainty():
    with pytest.raises(ValueError, match="uncertainty"):
        verify_discovered(so(3))
    with pytest.raises(ValueError, match="uncertainty"):
        verify_discovered(so(3), uncertainty=-1.0)
    with pytest.raises(TypeError, match="uncertainty"):
        verify_discovered(so(3), uncertainty="small")
    with pytest.raises(ValueError, match="confidence"):
        verify_discovered(so(3), uncertainty=1e-3, confidence=0.0)
    with pytest.raises(TypeError, match="result"):
        verify_discovered(object(), uncertainty=1e-3)


def test_verify_discovered_names_a_discovery_that_found_nothing():
    x = np.random.default_rng(0).normal(size=(500, 2))
    with pytest.warns(UserWarning, match="no symmetry"):
        est = DifferentialDiscovery().fit(x, np.exp(x[:, 0]) + x[:, 1] ** 3 + x[:, 0] * x[:, 1])
    assert est.dim_ == 0
    with pytest.raises(ValueError, match="no symmetry"):
        verify_discovered(est)


# --- liesym.algebra --------------------------------------------------------------------------


@pytest.mark.parametrize("rtol", [NAN, -1e-8, 0.0, 1.0, 2.0])
def test_rank_threshold_must_be_in_the_open_unit_interval(rtol):
    with pytest.raises(ValueError, match="rtol"):
        LieAlgebra(so(3).basis, rtol=rtol)
    with pytest.raises(ValueError, match="rtol"):
        span_basis(so(3).basis, rtol=rtol)


def test_complex_generators_are_refused_not_truncated():
    with pytest.raises(TypeError, match="basis"):
        LieAlgebra(so(2).basis * (1 + 1j))
    with pytest.raises(TypeError, match="x"):
        so(2).contains(np.eye(2) * 1j)


def test_generator_scale_does_not_decide_the_span():
    # A generator 1e-9 times smaller than another is still part of the span.
    alg = LieAlgebra(np.stack([1e6 * so(3).basis[0], 1e-3 * so(3).basis[1]]))
    assert alg.dim == 2


# --- liesym.discovery ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def radial():
    return invariant_function_data("radial", 300, rng=0, n=2)


@pytest.mark.parametrize(
    "option",
    [
        {"min_snr": NAN},
        {"min_snr": -1.0},
        {"min_gap": NAN},
        {"min_gap": -4.0},
        {"noise_tol": 0.0},
        {"max_condition": 0.5},
        {"fixed_point_tol": NAN},
    ],
)
def test_differential_discovery_options(radial, option):
    (name,) = option
    with pytest.raises(ValueError, match=name):
        DifferentialDiscovery(**option).fit(radial.X, radial.y)


@pytest.mark.parametrize("option", [{"min_gap": NAN}, {"min_gap": -1.0}, {"noise_tol": -3.0}])
def test_dynamics_discovery_options(option):
    (name,) = option
    rng = np.random.default_rng(0)
    s, a = rng.normal(size=(300, 2)), rng.normal(size=(300, 2))
    with pytest.raises(ValueError, match=name):
        DynamicsSymmetryDiscovery(**option).fit(s, a, s + a)


@pytest.mark.parametrize(
    ("option", "name"),
    [
        ({"rtol": NAN}, "rtol"),
        ({"rtol": -1e-2}, "rtol"),
        ({"rtol": 1.5}, "rtol"),
        ({"min_gap": NAN}, "min_gap"),
        ({"min_gap": 0.0}, "min_gap"),
        ({"n_uncertainty": -1}, "n_uncertainty"),
    ],
)
def test_task_group_options(option, name):
    tasks = [rotation_about([1.0, 0.0]), rotation_about([0.0, 1.0])]
    with pytest.raises(ValueError, match=name):
        discover_task_group([], task_symmetries=tasks, **option)


def test_task_symmetries_of_the_wrong_kind():
    with pytest.raises(TypeError, match="task_symmetries"):
        discover_task_group([], task_symmetries=rotation_about([1.0, 0.0]))
    with pytest.raises(TypeError, match=r"task_symmetries\[1\]"):
        discover_task_group([], task_symmetries=[rotation_about([1.0, 0.0]), np.eye(3)])
    with pytest.raises(ValueError, match=r"task_symmetries\[1\]"):
        discover_task_group([], task_symmetries=[rotation_about([1.0, 0.0]), so(2)])


# --- envs and inference (localized checks at the top of the functions) -----------------------


@pytest.mark.parametrize(
    ("family", "goal"),
    [(circle_tasks(), [5.0, 0.0]), (sphere_tasks(), [0.0, 0.0, 3.0]), (line_tasks(), [0.0, 7.0])],
    ids=["circle", "sphere", "line"],
)
def test_group_element_refuses_goals_off_the_orbit(family, goal):
    with pytest.raises(ValueError, match="goal"):
        family.group_element(goal)


def test_group_inference_refuses_nan_rewards_and_constant_rewards():
    from liesym.manifolds import GroupInference

    rng = np.random.default_rng(0)
    s = rng.normal(size=(10, 2))
    r = -np.linalg.norm(s - [1.0, 0.0], axis=1)
    nan_model = GroupInference(so(2), np.eye(2), base_reward=lambda x: np.full(len(x), NAN))
    with pytest.raises(ValueError, match="base_reward"):
        nan_model.fit(s, r)
    model = GroupInference(so(2), np.eye(2), base_reward=lambda x: -np.linalg.norm(x, axis=1))
    with pytest.raises(ValueError, match="transitions"):
        model.fit(s, np.zeros(10))
    flat = GroupInference(so(2), np.eye(2), base_data=(s, np.ones(10)))
    with pytest.raises(ValueError, match="base_data"):
        flat.fit(s, r)


def test_tol_below_the_rounding_level_of_the_data_is_refused():
    # Nearly dependent generators: their span is only known to eps / 1e-6.
    lx, ly, _ = so(3).basis
    alg = LieAlgebra(np.stack([lx, lx + 1e-6 * ly]))
    with pytest.raises(ValueError, match=r"tol.*rounding level"):
        verify(alg, tol=1e-9)
    assert verify(alg, tol=1e-6).closed is not True  # span{L_x, L_y} is not closed


def test_balanced_chart_magnifying_rounding_is_ill_conditioned_not_an_error():
    # Mixed generators of so(3) in a chart with entries 1e4 apart: after balancing, the small
    # entries are only known to ~1e-9, so at tol 1e-11 every answer is undecided, with the reason.
    rng = np.random.default_rng(0)
    chart = so(3).conjugate(np.diag([1.0, 1e3, 1e4])).basis
    alg = LieAlgebra(np.tensordot(rng.normal(size=(3, 3)), chart, axes=1))
    report = verify(alg, tol=1e-11)
    assert report.name is None and "ill-conditioned" in report.identification.reason
    assert verify(alg).name == "so(3)"
