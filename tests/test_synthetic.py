"""Laws of the synthetic invariant-function data: exact invariance and maximal ground truth."""

import numpy as np
import pytest
import scipy.linalg

from liesym.data.synthetic import KINDS, invariant_function_data

CASES = [
    ("radial", {"n": 2}),
    ("radial", {"n": 3}),
    ("conjugated", {"n": 3}),
    ("rotation_about", {}),
    ("rotation_about", {"n": 3, "center": [0.5, -1.0, 2.0]}),
    ("hyperbolic", {}),
    ("torus", {}),
    ("torus_sum", {}),
    ("line", {}),
    ("lorentz", {"n": 4}),
    ("blocks", {}),
    ("blocks", {"blocks": (2, 1, 3)}),
]
IDS = [f"{k}-{kw.get('n', '')}" for k, kw in CASES]


def _homogeneous(x):
    return np.concatenate([x, np.ones_like(x[:, :1])], axis=1)


def _act(g, x, affine):
    """Apply group elements g (..., m, m) to points x (N, n)."""
    if affine:
        return (_homogeneous(x) @ g.T)[:, :-1]
    return x @ g.T


@pytest.mark.parametrize(("kind", "kw"), CASES, ids=IDS)
def test_invariance_under_ground_truth_group(kind, kw):
    data = invariant_function_data(kind, 300, rng=1, **kw)
    alg = data.algebra
    rng = np.random.default_rng(2)
    for _ in range(3):
        g = scipy.linalg.expm(alg.random_element(rng, scale=1.0))
        moved = data.f(_act(g, data.X, alg.affine))
        # Values are O(10) at most; expm and the products are accurate to ~1e-13 relative.
        np.testing.assert_allclose(moved, data.f(data.X), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(("kind", "kw"), CASES, ids=IDS)
def test_ground_truth_is_tangent_and_maximal(kind, kw):
    """df_x(W x~) = 0 for the basis, and no other linear/affine field is tangent.

    The tangent fields are the null space of the rows vec(J(x) x~^T) over the samples;
    with exact Jacobians its dimension is the algebra's and its span the algebra's.
    """
    data = invariant_function_data(kind, 400, rng=3, **kw)
    alg = data.algebra
    x = data.X
    xh = _homogeneous(x) if alg.affine else x
    jac = data.jacobian(x)  # (N, m, n)
    m_rows = np.einsum("iru,iv->iruv", jac, xh).reshape(-1, x.shape[1] * xh.shape[1])
    gens = alg.basis[:, : x.shape[1], :] if alg.affine else alg.basis
    assert np.abs(m_rows @ gens.reshape(alg.dim, -1).T).max() < 1e-10
    s, vt = np.linalg.svd(m_rows, full_matrices=True)[1:]
    s_full = np.concatenate([s, np.zeros(vt.shape[0] - s.size)])
    null_dim = int(np.sum(s_full < 1e-9 * s_full[0]))
    assert null_dim == alg.dim
    # Exact spectrum: the first non-null singular value is far from rounding level.
    assert np.sort(s_full)[alg.dim] > 1e-3 * s_full[0]


def test_torus_sum_quadratic_would_have_so4_symmetry():
    """The trap the quartic avoids: |x_12|^2 + |x_34|^2 is invariant under all of so(4)."""
    from liesym.algebra import so

    data = invariant_function_data("torus", 50, rng=0)
    g = scipy.linalg.expm(so(4).random_element(0))
    total = data.f(data.X).sum(-1)
    np.testing.assert_allclose(data.f(data.X @ g.T).sum(-1), total, rtol=1e-10)
    # ... while the torus_sum function is not invariant under that rotation.
    ts = invariant_function_data("torus_sum", 50, rng=0)
    assert np.abs(ts.f(ts.X @ g.T) - ts.f(ts.X)).max() > 0.1


@pytest.mark.parametrize("kind", KINDS)
def test_shapes_normals_and_reproducibility(kind):
    a = invariant_function_data(kind, 64, rng=7)
    b = invariant_function_data(kind, 64, rng=7)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert a.X.shape == (64, a.n)
    assert a.y.shape[0] == 64
    nu = a.normals()
    assert nu.shape[0] == 64 and nu.shape[2] == a.n
    gram = nu @ np.swapaxes(nu, 1, 2)
    np.testing.assert_allclose(gram, np.broadcast_to(np.eye(nu.shape[1]), gram.shape), atol=1e-12)


def test_jacobian_matches_finite_differences():
    for kind in KINDS:
        data = invariant_function_data(kind, 20, rng=4)
        x, h = data.X, 1e-6
        fd = np.stack(
            [(data.f(x + h * e) - data.f(x - h * e)) / (2 * h) for e in np.eye(data.n)], axis=-1
        ).reshape(20, -1, data.n)
        # Central differences: O(h^2 f''') + O(eps/h) ~ 1e-9 absolute.
        np.testing.assert_allclose(data.jacobian(x), fd, atol=1e-6)


def test_value_noise_has_requested_scale():
    data = invariant_function_data("radial", 4000, rng=5, noise=0.1, n=3)
    resid = data.y - data.f(data.X)
    # Sample std of 4000 normals: relative standard error 1.1%.
    assert abs(resid.std() - 0.1) < 0.005


def test_conjugated_uses_given_matrix():
    c = np.array([[2.0, 1.0], [0.0, 0.5]])
    data = invariant_function_data("conjugated", 10, rng=0, C=c)
    np.testing.assert_array_equal(data.params["C"], c)
    assert data.algebra.contains(c @ np.array([[0, -1.0], [1, 0]]) @ np.linalg.inv(c))


@pytest.mark.parametrize(
    ("args", "kw", "match"),
    [
        (("nope",), {}, "kind"),
        (("se2",), {}, "constant"),
        (("radial", 0), {}, "n_points"),
        (("radial", 10), {"noise": -1.0}, "noise"),
        (("radial", 10), {"n": 1}, "n:"),
        (("hyperbolic", 10), {"n": 3}, "n:"),
        (("blocks", 10), {"blocks": (1, 1)}, "blocks"),
        (("blocks", 10), {"blocks": (3, 0)}, "blocks"),
        (("blocks", 10), {"blocks": (3, 2), "n": 4}, "n:"),
        (("conjugated", 10), {"n": 2, "C": np.eye(3)}, "C:"),
        (("conjugated", 10), {"n": 2, "C": np.zeros((2, 2))}, "C:"),
        (("rotation_about", 10), {"center": [1.0, 2.0, 3.0]}, "center"),
    ],
)
def test_bad_input(args, kw, match):
    with pytest.raises(ValueError, match=match):
        invariant_function_data(*args, **kw)
