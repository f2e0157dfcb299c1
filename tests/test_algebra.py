"""Laws of the Lie-algebra core: brackets, spans, structure constants, exp, metrics."""

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from liesym.algebra import (
    LieAlgebra,
    bracket,
    expm,
    gl,
    grassmann_distance,
    matched_cosine,
    principal_angles,
    rotation_about,
    scaling,
    se,
    sl,
    so,
    so_pq,
    span_basis,
    torus,
    translations,
)

STANDARD = {
    "so2": so(2),
    "so3": so(3),
    "so4": so(4),
    "so5": so(5),
    "so11": so_pq(1, 1),
    "so21": so_pq(2, 1),
    "se2": se(2),
    "se3": se(3),
    "sl2": sl(2),
    "sl3": sl(3),
    "gl2": gl(2),
    "scaling3": scaling(3),
    "translations2": translations(2),
    "torus": torus([[1.0, 2.0], [0.0, 1.0]]),
    "rotation_about": rotation_about([0.3, -1.2]),
}
EXPECTED_DIM = {
    "so2": 1,
    "so3": 3,
    "so4": 6,
    "so5": 10,
    "so11": 1,
    "so21": 3,
    "se2": 3,
    "se3": 6,
    "sl2": 3,
    "sl3": 8,
    "gl2": 4,
    "scaling3": 1,
    "translations2": 2,
    "torus": 2,
    "rotation_about": 1,
}
ALGEBRAS = pytest.mark.parametrize("name", sorted(STANDARD))

# Products of a few unit-norm matrices: errors of a few hundred ulps.
ATOL = 1e-12


def _coeffs(draw_seed, k):
    return np.random.default_rng(draw_seed).normal(size=(3, k))


@ALGEBRAS
def test_standard_dimension(name):
    assert STANDARD[name].dim == EXPECTED_DIM[name]


@ALGEBRAS
def test_basis_is_frobenius_orthonormal(name):
    flat = STANDARD[name].flat
    np.testing.assert_allclose(flat @ flat.T, np.eye(len(flat)), atol=ATOL)


@ALGEBRAS
def test_closure(name):
    assert STANDARD[name].closure_residual() < ATOL


@ALGEBRAS
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_bracket_antisymmetry(name, seed):
    alg = STANDARD[name]
    a, b, _ = alg.element(_coeffs(seed, alg.dim))
    np.testing.assert_allclose(bracket(a, b), -bracket(b, a), atol=ATOL)


@ALGEBRAS
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_bracket_jacobi_identity(name, seed):
    alg = STANDARD[name]
    x, y, z = alg.element(_coeffs(seed, alg.dim))
    jac = bracket(x, bracket(y, z)) + bracket(y, bracket(z, x)) + bracket(z, bracket(x, y))
    np.testing.assert_allclose(jac, 0.0, atol=1e-11)


@ALGEBRAS
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_bracket_stays_in_algebra(name, seed):
    alg = STANDARD[name]
    x, y, _ = alg.element(_coeffs(seed, alg.dim))
    assert alg.contains(bracket(x, y), tol=1e-10)


@ALGEBRAS
def test_structure_constants_reproduce_brackets(name):
    alg = STANDARD[name]
    c = alg.structure_constants()
    br = bracket(alg.basis[:, None], alg.basis[None, :])
    np.testing.assert_allclose(np.einsum("ijl,lab->ijab", c, alg.basis), br, atol=ATOL)
    np.testing.assert_allclose(c, -np.swapaxes(c, 0, 1), atol=ATOL)


def test_so3_structure_constants_are_levi_civita_in_matching_basis():
    # so(3)'s stored basis is L_x, L_y, L_z scaled by 1/sqrt(2), so c = eps / sqrt(2).
    c = so(3).structure_constants() * np.sqrt(2)
    eps = np.zeros((3, 3, 3))
    for i, j, k in [(0, 1, 2), (1, 2, 0), (2, 0, 1)]:
        eps[i, j, k], eps[j, i, k] = 1.0, -1.0
    np.testing.assert_allclose(c, eps, atol=ATOL)


def test_killing_form_signature():
    # so(3): negative definite (compact semisimple); sl(2): indefinite (1 negative, 2 positive).
    assert np.all(np.linalg.eigvalsh(so(3).killing_form()) < 0)
    ev = np.sort(np.linalg.eigvalsh(sl(2).killing_form()))
    assert ev[0] < 0 < ev[1]
    # se(2) is solvable: its Killing form is degenerate.
    assert abs(np.linalg.det(se(2).killing_form())) < ATOL


@ALGEBRAS
def test_exp_of_zero_is_identity(name):
    alg = STANDARD[name]
    np.testing.assert_allclose(alg.exp(np.zeros(alg.dim)), np.eye(alg.n), atol=ATOL)


@ALGEBRAS
def test_exp_is_batched_and_matches_scipy(name, rng):
    alg = STANDARD[name]
    coeffs = rng.normal(size=(3, 2, alg.dim))
    g = alg.exp(coeffs)
    assert g.shape == (3, 2, alg.n, alg.n)
    np.testing.assert_allclose(g[1, 0], scipy.linalg.expm(alg.element(coeffs[1, 0])), atol=ATOL)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_exp_of_so_is_a_rotation(n, rng):
    g = so(n).exp(rng.normal(size=(5, so(n).dim)))
    np.testing.assert_allclose(
        g @ np.swapaxes(g, -1, -2), np.broadcast_to(np.eye(n), g.shape), atol=ATOL
    )
    np.testing.assert_allclose(np.linalg.det(g), 1.0, atol=ATOL)


def test_one_parameter_subgroup_law(rng):
    alg = so(3)
    w = rng.normal(size=3)
    np.testing.assert_allclose(alg.exp(0.3 * w) @ alg.exp(0.5 * w), alg.exp(0.8 * w), atol=ATOL)


def test_rank_revealing_drops_dependent_generators():
    j = so(2).basis[0]
    alg = LieAlgebra(np.stack([j, 2 * j, -j]))
    assert alg.dim == 1
    assert alg.input_singular_values[1] < 1e-12


def test_orthogonal_input_keeps_direction_and_order():
    alg = LieAlgebra(np.stack([np.diag([1.0, 0.0]), np.diag([0.0, 3.0])]))
    np.testing.assert_allclose(alg.basis, [np.diag([1.0, 0.0]), np.diag([0.0, 1.0])], atol=ATOL)


def test_contains_and_projection(rng):
    alg = so(3)
    x = alg.random_element(rng)
    assert alg.contains(x)
    assert not alg.contains(x + np.eye(3))
    np.testing.assert_allclose(alg.project(x), x, atol=ATOL)
    np.testing.assert_allclose(alg.residual(x + np.eye(3)), np.sqrt(3), atol=ATOL)
    assert alg.contains(np.stack([x, x + np.eye(3)])).tolist() == [True, False]


def test_conjugated_algebra_is_closed_and_contains_conjugates(rng):
    c = rng.normal(size=(3, 3)) + 3 * np.eye(3)
    alg = so(3).conjugate(c)
    assert alg.dim == 3 and alg.closure_residual() < 1e-10
    w = so(3).random_element(rng)
    assert alg.contains(c @ w @ np.linalg.inv(c))


def test_affine_conjugation_by_linear_chart():
    # Rotation about c, seen through x -> 2x, is rotation about 2c.
    alg = rotation_about([1.0, 0.5]).conjugate(2 * np.eye(2))
    assert grassmann_distance(alg, rotation_about([2.0, 1.0])) < 1e-12


def test_direct_sum_is_block_diagonal():
    alg = so(2).direct_sum(so(2))
    assert alg.dim == 2 and alg.n == 4
    assert grassmann_distance(alg, torus([[1.0, 0.0], [0.0, 1.0]])) < 1e-12


def test_affine_parts():
    alg = rotation_about([1.0, 2.0])
    w, b = alg.linear_part[0], alg.translation_part[0]
    # The generator vanishes at the centre: W c + b = 0.
    np.testing.assert_allclose(w @ [1.0, 2.0] + b, 0.0, atol=ATOL)


# Metrics.


@pytest.mark.parametrize("name", ["so3", "sl3", "se2", "torus"])
def test_metrics_are_invariant_under_change_of_basis(name, rng):
    alg = STANDARD[name]
    mix = rng.normal(size=(alg.dim, alg.dim)) + 2 * np.eye(alg.dim)
    other = np.einsum("ij,jab->iab", mix, alg.basis)
    assert np.max(principal_angles(alg, other)) < 1e-7
    assert grassmann_distance(alg, other) < 1e-7
    assert grassmann_distance(other, alg.basis) < 1e-7


def test_principal_angles_are_accurate_for_small_angles():
    j = so(2).basis[0]
    e = np.array([[1.0, 0.0], [0.0, -1.0]]) / np.sqrt(2)
    for eps in [1e-3, 1e-8, 1e-12]:
        tilted = np.cos(eps) * j + np.sin(eps) * e
        # The tilted input itself carries rounding of ~1e-16, hence the absolute floor.
        np.testing.assert_allclose(
            principal_angles(so(2), tilted[None]), [eps], rtol=1e-6, atol=1e-15
        )


def test_principal_angles_of_orthogonal_spans():
    np.testing.assert_allclose(principal_angles(so(3), scaling(3)), [np.pi / 2], atol=ATOL)


def test_grassmann_distance_penalises_missing_dimensions():
    # so(2) inside so(2)+so(2): angle 0, but one dimension missing.
    big = so(2).direct_sum(so(2))
    small = big.basis[:1]
    np.testing.assert_allclose(grassmann_distance(big, small), np.pi / 2, atol=ATOL)


def test_grassmann_distance_is_symmetric(rng):
    a = rng.normal(size=(2, 3, 3))
    b = rng.normal(size=(2, 3, 3))
    assert grassmann_distance(a, b) == pytest.approx(grassmann_distance(b, a), abs=1e-12)


def test_matched_cosine_pairs_permuted_generators(rng):
    gens = so(4).basis
    perm = rng.permutation(len(gens))
    np.testing.assert_allclose(matched_cosine(gens, -3.0 * gens[perm]), 1.0, atol=ATOL)


def test_matched_cosine_of_tilted_generator():
    j = so(2).basis[0]
    e = np.eye(2) / np.sqrt(2)
    np.testing.assert_allclose(matched_cosine(j[None], (0.6 * j + 0.8 * e)[None]), [0.6], atol=ATOL)


# Bad input.


@pytest.mark.parametrize(
    ("basis", "match"),
    [
        (np.zeros((2, 3)), "square"),
        (np.zeros((2, 2, 2)), "zero matrix"),
        (np.full((1, 2, 2), np.nan), "NaN"),
        (np.ones((2, 2, 2, 2)), "dimensions"),
        ("abc", "numeric"),
    ],
)
def test_bad_basis_is_rejected(basis, match):
    with pytest.raises(ValueError, match=match):
        LieAlgebra(basis)


def test_affine_basis_needs_zero_last_row():
    with pytest.raises(ValueError, match="last row"):
        LieAlgebra(np.eye(3)[None], affine=True)


def test_mismatched_sizes_are_rejected():
    with pytest.raises(ValueError, match="same size"):
        principal_angles(so(2), so(3))
    with pytest.raises(ValueError, match="shape"):
        so(3).contains(np.eye(2))
    with pytest.raises(ValueError, match="coeffs"):
        expm(so(3).basis, [1.0, 2.0])
    with pytest.raises(ValueError, match="invertible"):
        so(2).conjugate(np.zeros((2, 2)))


@pytest.mark.parametrize("factory", [so, sl, gl, se, scaling])
def test_standard_constructors_reject_bad_sizes(factory):
    with pytest.raises(ValueError, match="n: expected an integer"):
        factory(0)
    with pytest.raises(ValueError, match="n: expected an integer"):
        factory(2.5)


def test_span_basis_reports_singular_values():
    basis, s = span_basis(np.stack([so(2).basis[0], so(2).basis[0]]))
    assert basis.shape == (1, 2, 2)
    # Two copies of a unit-norm generator: singular values sqrt(2) and 0.
    np.testing.assert_allclose(s, [np.sqrt(2), 0.0], atol=ATOL)


def test_basis_is_read_only():
    with pytest.raises(ValueError):
        so(2).basis[0, 0, 0] = 1.0


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), eps=st.floats(1e-4, 1e-2))
def test_transverse_angle_of_a_conjugate_is_second_order(seed, eps):
    # A conjugation by exp(eps X) moves the span by O(eps) but changes no invariant: its
    # transverse part is O(eps^2), whatever the algebra (rigid so(3), planar so(2), se(2)).
    from liesym.algebra import transverse_angle

    rng = np.random.default_rng(seed)
    for alg in (so(3), so(2), se(2)):
        x = rng.normal(size=(alg.n, alg.n))
        if alg.affine:
            x[-1] = 0.0
        x /= np.linalg.norm(x)
        moved = alg.conjugate(scipy.linalg.expm(eps * x))
        assert transverse_angle(moved, alg) <= 20.0 * eps**2
        assert transverse_angle(moved, alg) <= principal_angles(moved, alg).max() + 1e-12


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), eps=st.floats(1e-4, 1e-2))
def test_transverse_angle_sees_the_trace_and_is_conjugation_covariant(seed, eps):
    # J + eps I (a spiral) differs from so(2) only transversally; conjugating both spans by
    # the same well-conditioned chart keeps the transverse angle to within the chart's
    # distortion of angles (cond(g)^2).
    from liesym.algebra import transverse_angle

    rng = np.random.default_rng(seed)
    j = so(2).basis[0]
    spiral = LieAlgebra([j + eps * np.eye(2)])
    full = principal_angles(spiral, so(2)).max()
    assert transverse_angle(spiral, so(2)) == pytest.approx(full, rel=1e-3)
    g = scipy.linalg.expm(0.3 * rng.normal(size=(2, 2)))
    c = np.linalg.cond(g) ** 2
    moved = transverse_angle(spiral.conjugate(g), so(2).conjugate(g))
    assert full / c * (1 - 1e-3) <= moved <= full * c * (1 + 1e-3)


def test_transverse_angle_rejects_mismatched_spans():
    from liesym.algebra import transverse_angle

    with pytest.raises(ValueError, match="a, b"):
        transverse_angle(so(3), so(2))
    with pytest.raises(TypeError, match="a, b"):
        transverse_angle(so(3).basis, so(3))
