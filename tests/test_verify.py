"""Laws of the exact verifier: closure, structure constants, names, compactness, fixed points."""

import numpy as np
import pytest
import scipy.linalg
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from liesym.algebra import (
    LieAlgebra,
    rotation_about,
    scaling,
    se,
    sl,
    so,
    so_pq,
    torus,
    translations,
)
from liesym.cli import main
from liesym.verify import (
    exact_basis,
    fixed_point,
    identify,
    invariant_form,
    is_closed,
    is_compact,
    is_connected,
    verify,
)


def _is_positive_multiple_of(m: sympy.Matrix, target: np.ndarray, rtol: float) -> bool:
    a = np.array(m.tolist(), dtype=float)
    scale = a[0, 0] / target[0, 0]
    return scale > 0 and np.allclose(a, scale * target, rtol=rtol, atol=rtol * np.abs(a).max())


def _well_conditioned(rng, n):
    c = rng.normal(size=(n, n))
    while np.linalg.cond(c) > 20:  # keep the chart mild so tol-level snapping stays meaningful
        c = rng.normal(size=(n, n))
    return c


# --- compactness -----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_so_n_compact_with_identity_form(n):
    report = verify(so(n))
    assert report.closed and report.compact and report.linearizable
    assert report.invariant_form == sympy.eye(n)  # normalised to M[0, 0] = 1, so exactly I
    assert report.name == {2: "so(2)", 3: "so(3)", 4: "so(4)", 5: "so(5)", 6: "so(6)"}[n]


@pytest.mark.parametrize(
    "algebra", [se(2), sl(2), scaling(2), so_pq(1, 1), translations(2)], ids=lambda a: a.name
)
def test_noncompact_algebras_have_a_witness(algebra):
    cert = is_compact(algebra)
    assert cert.compact is False
    assert cert.witness
    assert cert.invariant_form is None


def test_conjugated_so3_compact_with_conjugated_form():
    rng = np.random.default_rng(7)
    c = _well_conditioned(rng, 3)
    report = verify(so(3).conjugate(c))
    assert report.compact is True and report.name == "so(3)"
    cinv = np.linalg.inv(c)
    # The chart is rounded to 1e-9 relative; 1e-6 leaves room for its conditioning.
    assert _is_positive_multiple_of(report.invariant_form, cinv.T @ cinv, rtol=1e-6)


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_random_conjugations_of_so3_stay_compact_so3(seed):
    c = _well_conditioned(np.random.default_rng(seed), 3)
    report = verify(so(3).conjugate(c))
    assert (report.name, report.closed, report.compact) == ("so(3)", True, True)


def test_rational_conjugation_is_recovered_exactly():
    alg = so(2).conjugate(np.diag([0.7, 0.9]))
    eb = exact_basis(alg)
    assert eb.domain == "QQ" and eb.exact_input
    form = invariant_form(eb).form
    assert form == sympy.diag(1, sympy.Rational(49, 81))  # C^-T C^-1 up to scale


def test_irrational_torus_is_not_called_compact():
    cert = is_compact(torus([1.0, np.sqrt(2.0)]))
    assert cert.compact is False
    assert cert.closed_subgroup is False and cert.closure_dim == 2
    assert cert.invariant_form is not None  # bounded, but its closure is a 2-torus


def test_rational_torus_is_compact():
    assert is_compact(torus([1.0, 3.0])).compact is True
    assert is_compact(so(2).direct_sum(so(2))).compact is True


# --- exact basis, closure, structure constants -----------------------------------------------


def test_noisy_generators_still_verified():
    rng = np.random.default_rng(3)
    for alg, name in [(so(3), "so(3)"), (se(2), "se(2)"), (sl(2), "sl(2,R)")]:
        noise = 1e-8 * rng.normal(size=alg.basis.shape)
        if alg.affine:
            noise[:, -1, :] = 0.0  # homogeneous generators keep their zero last row
        noisy = LieAlgebra(alg.basis + noise, affine=alg.affine)
        report = verify(noisy)
        assert report.closed is True and report.name == name
        assert report.distance < 1e-6 and not report.exact_input  # about E, at distance d


def test_snapping_is_basis_independent():
    rng = np.random.default_rng(4)
    q = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    rotated = LieAlgebra(np.tensordot(q, so(3).basis, axes=1))
    assert exact_basis(rotated).matrices == exact_basis(so(3)).matrices


def test_generic_chart_of_a_noncompact_algebra_is_snapped_in_the_eigenvector_chart():
    # sl(2) acting on a plane of R^3, seen in a random chart: no invariant form to straighten
    # it, but the eigenvectors of a generic element give a chart where it is simple again.
    block = np.zeros((3, 3, 3))
    block[:, :2, :2] = sl(2).basis
    alg = LieAlgebra(block).conjugate(_well_conditioned(np.random.default_rng(5), 3))
    report = verify(alg)
    assert "eigenvectors" in report.snap.chart_steps[-1]
    assert (report.closed, report.compact, report.name) == (True, False, "sl(2,R)")
    assert not report.exact_input and report.compactness.robust


def test_refuses_to_snap_without_exact_basis():
    # A generic 2-dim span of gl(3) has no simple exact basis in any chart.
    alg = LieAlgebra(np.random.default_rng(5).normal(size=(2, 3, 3)))
    eb = exact_basis(alg)
    assert not eb.ok and "refused" in eb.reason
    report = verify(alg)
    assert report.name is None and report.exact_basis is None
    assert report.closed is False  # robust: its brackets leave it by far more than tol
    assert report.linearizable is True  # linear algebras need no exact basis for that


def test_structure_constants_of_so3_are_levi_civita():
    cert = is_closed(so(3))
    c = np.array(cert.structure_constants.tolist(), dtype=float)
    # In the echelon basis each E_i is +-L_a for a permutation a: |c| is |eps| permuted.
    assert set(np.unique(c)) <= {-1.0, 0.0, 1.0}
    for i, j, r in [(0, 1, 2), (1, 2, 0), (0, 2, 1)]:
        assert abs(c[i, j, r]) == 1 and c[i, j, r] == -c[j, i, r]
    assert np.count_nonzero(c) == 6


@pytest.mark.parametrize("algebra", [so(3), so(4), se(2), se(3), sl(2), sl(3)], ids=repr)
def test_bracket_antisymmetry_and_jacobi_identity_exact(algebra):
    cert = is_closed(algebra)
    assert cert.closed is True and cert.jacobi is True
    c = cert.structure_constants
    k = c.shape[0]
    for i in range(k):
        for j in range(k):
            assert all(c[i, j, r] == -c[j, i, r] for r in range(k))


def test_closure_fails_with_offending_bracket():
    lx, ly, _ = so(3).basis
    cert = is_closed(LieAlgebra(np.stack([lx, ly])))
    assert cert.closed is False
    i, j, rest = cert.witness
    assert (i, j) == (0, 1) and rest != sympy.zeros(3, 3)


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("algebra", "name"),
    [
        (so(2), "so(2)"),
        (so(3), "so(3)"),
        (so(4), "so(4)"),
        (se(2), "se(2)"),
        (se(3), "se(3)"),
        (sl(2), "sl(2,R)"),
        (so_pq(1, 1), "so(1,1)"),
        (so_pq(2, 1), "sl(2,R)"),
        (scaling(3), "scaling"),
        (so(2).direct_sum(so(2)), "so(2)+so(2)"),
        (LieAlgebra(np.stack([np.diag([1.0, 0, 0]), np.diag([0, 1.0, 0])])), "abelian(2)"),
        (translations(2), "abelian(2)"),
        (rotation_about([1.0, 2.0]), "so(2)"),
        (torus([1.0, np.sqrt(2.0)]), "so(2)"),
    ],
    ids=lambda x: x if isinstance(x, str) else None,
)
def test_names_of_standard_algebras(algebra, name):
    assert identify(algebra).name == name


def test_names_survive_conjugation_and_noise():
    rng = np.random.default_rng(11)
    c = _well_conditioned(rng, 4)
    assert identify(so(4).conjugate(c)).name == "so(4)"
    assert identify(so(2).direct_sum(so(2)).conjugate(np.diag([1.0, 2.0, 0.5, 4.0]))).name == (
        "so(2)+so(2)"
    )
    noisy = LieAlgebra(sl(2).basis + 1e-8 * rng.normal(size=(3, 2, 2)))
    assert identify(noisy).name == "sl(2,R)"


# --- linearizability -------------------------------------------------------------------------


@pytest.mark.parametrize("center", [(1.0, 2.0), (-0.5, 0.25), (3.0, -7.0)])
def test_rotation_about_a_point_is_linearizable_at_that_point(center):
    fp = fixed_point(rotation_about(center))
    assert fp.linearizable is True
    assert [float(v) for v in fp.point] == list(center)
    t = np.array(fp.translation.tolist(), dtype=float)
    w = rotation_about(center).basis[0]
    linear = t @ w @ np.linalg.inv(t)
    assert np.allclose(linear[:-1, -1], 0.0, atol=1e-12)  # the chart removes the translation


def test_rotation_about_irrational_point_is_certified_for_a_nearby_rational_centre():
    report = verify(rotation_about([np.sqrt(5.0), -np.pi]))
    assert report.linearizable is True and report.compact is True
    assert not report.exact_input and report.distance < 1e-6
    assert np.allclose([float(v) for v in report.fixed_point], [np.sqrt(5.0), -np.pi], atol=1e-6)


def test_se2_is_not_linearizable():
    fp = fixed_point(se(2))
    assert fp.linearizable is False and "fixed point" in fp.witness


def test_linear_algebras_are_trivially_linearizable():
    assert fixed_point(so(3)).linearizable is True


# --- connectedness ---------------------------------------------------------------------------


def test_exp_of_algebra_elements_is_connected():
    rng = np.random.default_rng(2)
    alg = so(3)
    angles = [0.3, np.pi / 2, np.pi - 1e-9, np.pi]
    axes = rng.normal(size=(len(angles), 3))
    axes /= np.linalg.norm(axes, axis=1, keepdims=True)
    gens = np.tensordot(axes, alg.basis * np.sqrt(2), axes=1) * np.array(angles)[:, None, None]
    g = scipy.linalg.expm(gens)
    cert = is_connected(alg, g)
    assert cert.connected is True
    assert cert.residuals.max() < 1e-9


def test_reflection_is_a_counter_witness():
    g = np.stack([np.eye(2), np.diag([1.0, -1.0])])
    cert = is_connected(so(2), g)
    assert cert.connected is False and cert.witness == 1


def test_connected_is_none_without_elements():
    assert verify(so(2)).connected is None


# --- bad inputs ------------------------------------------------------------------------------


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(TypeError, match="algebra"):
        verify(np.zeros((1, 2, 2)))
    with pytest.raises(ValueError, match="tol"):
        verify(so(2), tol=-1.0)
    with pytest.raises(ValueError, match="elements"):
        verify(so(2), elements=np.eye(3))
    with pytest.raises(ValueError, match="elements"):
        is_connected(so(2), np.ones((2, 2, 2, 2)))


# --- report and command line -----------------------------------------------------------------


def test_summary_lists_every_answer():
    text = str(verify(se(2)))
    for word in ("name", "closed", "compact", "connected", "linearizable", "se(2)"):
        assert word in text


def test_cli_verify_so3(capsys):
    assert main(["verify", "so3"]) == 0
    out = capsys.readouterr().out
    assert "so(3)" in out and "compact       True" in out


def test_cli_verify_file(tmp_path, capsys):
    path = tmp_path / "gens.npy"
    np.save(path, se(2).basis)
    assert main(["verify", "--file", str(path), "--affine"]) == 0
    assert "se(2)" in capsys.readouterr().out
    assert main(["verify", "nonsense"]) == 2


def test_two_generator_irrational_torus_is_not_called_compact():
    # span{(1, sqrt2, 0), (0, 1, 1)} has the irrational normal (sqrt2, -1, 1): dense in T^3.
    dense = is_compact(torus([[1.0, np.sqrt(2.0), 0.0], [0.0, 1.0, 1.0]]))
    assert dense.compact is False
    # The same frequencies spanning a rational plane (all of R^2 here) give a closed T^2.
    assert is_compact(torus([[1.0, np.sqrt(2.0)], [0.0, 1.0]])).compact is True


# --- the failure classes of issue 9, each as a law -------------------------------------------


@pytest.mark.parametrize("center", [(1e5, 3.0), (-2.5e6, 7e5), (123456.0, -654321.0)])
def test_rotation_about_a_far_point_is_compact_and_linearizable_at_that_point(center):
    report = verify(rotation_about(center))
    assert (report.name, report.compact, report.linearizable) == ("so(2)", True, True)
    assert report.exact_input and [float(v) for v in report.fixed_point] == list(center)


@pytest.mark.parametrize(
    ("diagonal", "tol"),
    [([1.0, 1e3, 1e4], 1e-6), ([1e-2, 1.0, 1e2], 1e-6), ([1.0, 10.0, 100.0], 1e-2)],
)
def test_diagonal_charts_do_not_change_the_answers(diagonal, tol):
    report = verify(so(3).conjugate(np.diag(diagonal)), tol=tol)
    assert (report.name, report.compact) == ("so(3)", True)
    planar = verify(so(2).conjugate(np.diag(diagonal[:2])), tol=tol)
    assert (planar.name, planar.compact) == ("so(2)", True)


def test_two_rotations_about_distinct_far_points_are_not_closed():
    far = np.array([2e5, -3e5])
    pair = LieAlgebra(
        np.concatenate(
            [rotation_about(far).basis, rotation_about(far + np.array([1.0, 2.0])).basis]
        ),
        affine=True,
    )
    report = verify(pair)
    # They generate se(2). Far away, the bracket is a few tol in the input's coordinates, so a
    # robust False is out of reach; what must never happen is "closed" or a name.
    assert report.closed is not True and report.name is None
    near = LieAlgebra(
        np.concatenate([rotation_about([0.0, 0.0]).basis, rotation_about([1.0, 2.0]).basis]),
        affine=True,
    )
    assert verify(near).closed is False


def test_irrational_torus_close_to_a_rational_one_is_not_compact_when_exact():
    # sqrt(50^2 + 1) is within 1e-6 of 50 + 1/100: decided by its minimal polynomial, not a fit.
    x = np.zeros((4, 4))
    x[:2, :2] = [[0.0, -1.0], [1.0, 0.0]]
    x[2:, 2:] = [[0.0, -2501.0], [1.0, 0.0]]
    report = verify(LieAlgebra(x[None]))
    assert report.exact_input and report.compact is False
    assert report.compactness.closed_subgroup is False and report.compactness.closure_dim == 2


@pytest.mark.parametrize(("ratio", "tol"), [((1, 2), 1e-2), ((2, 3), 1e-3), ((3, 5), 1e-3)])
def test_rational_tori_are_compact_at_a_coarse_tolerance(ratio, tol):
    # The denominator bound floor(0.2 / sqrt(tol)) is 2 at tol 1e-2 and 6 at 1e-3.
    noisy = torus(list(ratio)).basis + tol / 100 * np.random.default_rng(1).normal(size=(1, 4, 4))
    report = verify(LieAlgebra(noisy), tol=tol)
    assert report.compact is True and not report.exact_input
    assert "within tol" in report.compactness.reason


def test_floating_irrational_torus_is_never_called_compact():
    noisy = torus([1.0, np.sqrt(2.0)]).basis + 1e-9 * np.random.default_rng(2).normal(
        size=(1, 4, 4)
    )
    report = verify(LieAlgebra(noisy))
    assert report.compact is None and report.compactness.reason


def test_spiral_drift_above_tol_is_robustly_not_compact():
    j = so(2).basis[0]
    report = verify(LieAlgebra(j + 0.02 * np.eye(2)), tol=1e-3)
    assert report.compact is False and report.compactness.robust


def test_badly_conditioned_element_off_the_group_is_not_called_connected():
    boosts = LieAlgebra(np.diag([1.0, -1.0])[None])
    g = np.array([[1e6, 1e3], [0.0, 1e-6]])  # det 1, but not diagonal: not exp(t H)
    assert verify(boosts, g, tol=1e-2).connected is not True
    assert verify(boosts, np.diag([1e6, 1e-6]), tol=1e-2).connected is not False


@pytest.mark.parametrize("tol", [1e-20, 0.0, -1e-3, 0.5, float("nan"), float("inf")])
def test_tolerances_outside_the_justified_range_are_refused(tol):
    with pytest.raises(ValueError, match="tol"):
        verify(so(3), tol=tol)


def test_rotation_about_a_random_axis_is_certified():
    axis = np.random.default_rng(3).normal(size=3)
    generator = np.tensordot(axis / np.linalg.norm(axis), so(3).basis, axes=1)
    report = verify(LieAlgebra(generator[None]))
    assert (report.name, report.compact) == ("so(2)", True)


def test_u2_and_a_torus_in_a_random_orthonormal_basis_are_certified():
    from liesym.verify.cases import FAMILIES

    q = np.linalg.qr(np.random.default_rng(4).normal(size=(4, 4)))[0]
    u2 = LieAlgebra(FAMILIES["u(2) on R^4"][0](None)[0]).conjugate(q)
    report = verify(u2)
    assert (report.name, report.compact) == ("so(3)+so(2)", True)
    t2 = torus([[1.0, 0.0], [0.0, 1.0]]).conjugate(q)
    report = verify(t2)
    assert (report.name, report.compact) == ("so(2)+so(2)", True)


def test_minus_identity_is_in_the_connected_so4():
    report = verify(so(4), -np.eye(4))
    assert report.connected is True and report.compact is True


def test_so10_is_certified_exactly():
    report = verify(so(10))
    assert (report.name, report.compact, report.exact_input) == ("so(10)", True, True)
    assert report.invariant_form == sympy.eye(10)


def test_answers_say_what_they_are_about():
    exact = verify(so(3))
    assert exact.exact_input and "input itself" in exact.about
    noisy = verify(LieAlgebra(so(3).basis + 1e-8 * np.random.default_rng(5).normal(size=(3, 3, 3))))
    assert not noisy.exact_input and "distance d" in noisy.about and noisy.distance <= noisy.tol
