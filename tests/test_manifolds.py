"""Laws of the compact groups in the chart of their invariant form (liesym.manifolds.group)."""

import subprocess
import sys

import numpy as np
import pytest
import scipy.linalg
from scipy.spatial.transform import Rotation

from liesym._core import NotCertifiedError
from liesym.algebra import LieAlgebra, rotation_about, scaling, se, so, so_generators, translations
from liesym.manifolds import CompactLieGroup, certified_metric, rotation_log

# Identities below hold to round-off of a few products of unit-scale 3x3 matrices; the charts
# of the conjugated groups have condition number <= 16, hence 1e-9 rather than 1e-12.
TOL = 1e-9
C2 = np.array([[2.0, 0.3], [0.0, 0.5]])
C3 = np.array([[1.5, 0.2, 0.0], [0.0, 0.8, 0.3], [0.1, 0.0, 1.2]])


def _form(c):
    ci = np.linalg.inv(c)
    return ci.T @ ci


GROUPS = {
    "circle": (so(2), np.eye(2)),
    "ellipse": (so(2).conjugate(C2), _form(C2)),
    "so3": (so(3), np.eye(3)),
    "so3_conjugated": (so(3).conjugate(C3), _form(C3)),
    "so2_in_so3": (LieAlgebra(so_generators(3)[2]), np.diag([1.0, 1.0, 3.0])),
    "so4": (so(4), np.eye(4)),
}


@pytest.fixture(params=sorted(GROUPS), scope="module")
def group(request):
    algebra, metric = GROUPS[request.param]
    return CompactLieGroup.from_algebra(algebra, metric)


def _rot2(t):
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


def _principal_coords(group, rng, size, max_angle):
    """Coordinates whose rotation angles in the chart are all below ``max_angle``."""
    out = []
    while len(out) < size:
        c = rng.normal(size=group.dim)
        rot = group.to_chart(group.exp(c))
        angle = np.abs(np.angle(np.linalg.eigvals(rot))).max()
        if angle < max_angle:
            out.append(c)
    return np.array(out)


def test_elements_preserve_the_invariant_form(group, rng):
    g = group.exp(rng.normal(size=(5, group.dim)))
    m = group.metric
    assert np.allclose(np.swapaxes(g, -1, -2) @ m @ g, m, atol=TOL)
    assert group.full == (group.dim == group.n * (group.n - 1) // 2)


def test_log_after_exp(group, rng):
    c = _principal_coords(group, rng, 6, np.pi - 0.05)
    assert np.allclose(group.log(group.exp(c)), c, atol=TOL)


def test_exp_after_log(group, rng):
    g = group.random(rng=rng, size=(3, 2))
    assert g.shape == (3, 2, group.n, group.n)
    assert np.allclose(group.exp(group.log(g)), g, atol=1e-8)


def test_exp_after_log_near_identity(group, rng):
    c = 1e-9 * rng.normal(size=(4, group.dim))
    # Near the identity log is well conditioned: absolute error ~ round-off.
    assert np.allclose(group.log(group.exp(c)), c, atol=1e-14)


@pytest.mark.parametrize("gap", [1e-3, 1e-7, 1e-10, 0.0])
def test_exp_after_log_near_pi(group, gap):
    # Rotation by pi - gap in the plane of the first generator of the chart.
    q = group._unit_basis[0]
    angles = np.abs(np.linalg.eigvals(q).imag)  # rates of rotation of the planes
    u = (np.pi - gap) / angles.max()
    g = group.from_chart(np.real(scipy.linalg.expm(u * q)))
    back = group.exp(group.log(g))
    # At the cut locus log has two branches; exp must still return the element. The
    # condition number of log grows like 1/gap, so allow round-off / gap, capped.
    assert np.allclose(back, g, atol=1e-7)
    assert float(group.dist(group.identity, g)) == pytest.approx(
        (np.pi - gap) * np.linalg.norm(angles) / (np.sqrt(2) * angles.max()), abs=1e-7
    )


def test_inverse_and_compose(group, rng):
    g = group.random(rng=rng, size=4)
    h = group.random(rng=rng, size=4)
    assert np.allclose(group.compose(g, group.inverse(g)), np.eye(group.n), atol=TOL)
    assert np.allclose(group.inverse(group.compose(g, h)), group.inverse(h) @ group.inverse(g))


def test_dist_is_bi_invariant(group, rng):
    a, b, h = group.random(rng=rng, size=(3, 5))
    d = group.dist(a, b)
    assert np.allclose(group.dist(h @ a, h @ b), d, atol=1e-8)
    assert np.allclose(group.dist(a @ h, b @ h), d, atol=1e-8)
    assert np.all(d <= group.principal_radius + 1e-9)


def test_chart_round_trip_ellipse(rng):
    group = CompactLieGroup.from_algebra(*GROUPS["ellipse"])
    g = group.exp(rng.normal(size=(7, 1)))
    r = group.to_chart(g)
    assert np.allclose(np.swapaxes(r, -1, -2) @ r, np.eye(2), atol=TOL)
    assert np.allclose(group.from_chart(r), g, atol=TOL)
    # C SO(2) C^-1 in the chart M^(1/2) x with M = C^-T C^-1 is SO(2), and the angle of
    # C R(t) C^-1 read in the chart is t (M^(1/2) C is a rotation, since det C > 0).
    t = 2.9
    chart = group.to_chart(C2 @ _rot2(t) @ np.linalg.inv(C2))
    assert np.arctan2(chart[1, 0], chart[0, 0]) == pytest.approx(t, abs=TOL)
    assert float(group.dist(group.identity, C2 @ _rot2(t) @ np.linalg.inv(C2))) == (
        pytest.approx(t, abs=TOL)
    )


def test_dist_closed_form_so2():
    group = CompactLieGroup.from_algebra(so(2), np.eye(2))
    a = np.array([0.0, 0.3, -3.0, 3.1, np.pi, -1.0])
    b = np.array([0.1, -2.9, 3.0, -3.1, 0.0, np.pi - 1.0])
    want = np.abs(np.angle(np.exp(1j * (a - b))))
    got = group.dist(np.stack([_rot2(t) for t in a]), np.stack([_rot2(t) for t in b]))
    assert np.allclose(got, want, atol=1e-10)


def test_log_closed_form_so2_angles():
    group = CompactLieGroup.from_algebra(so(2), np.eye(2))
    t = np.array([0.0, 1.0, -2.5, np.pi - 1e-12, -np.pi + 1e-9])
    coords = group.log(np.stack([_rot2(x) for x in t]))[:, 0]
    # so(2) is stored with the unit-Frobenius generator J / sqrt(2): angle = c / sqrt(2).
    assert np.allclose(coords / np.sqrt(2), t, atol=1e-8)


def test_dist_and_log_closed_form_so3(rng):
    group = CompactLieGroup.from_algebra(so(3), np.eye(3))
    ra = Rotation.random(20, rng=rng)
    rb = Rotation.random(20, rng=rng)
    want = (ra.inv() * rb).magnitude()
    assert np.allclose(group.dist(ra.as_matrix(), rb.as_matrix()), want, atol=1e-9)
    # Rotation vector v <-> log = hat(v); the stored basis is hat(e_i) / sqrt(2).
    v = rb.as_rotvec()
    assert np.allclose(group.log(rb.as_matrix()) / np.sqrt(2), v, atol=1e-9)


def test_dist_at_the_cut_locus_so3():
    group = CompactLieGroup.from_algebra(so(3), np.eye(3))
    flip = Rotation.from_rotvec(np.pi * np.array([0.0, 0.6, 0.8])).as_matrix()
    assert float(group.dist(np.eye(3), flip)) == pytest.approx(np.pi, abs=1e-12)
    assert np.allclose(group.exp(group.log(flip)), flip, atol=1e-12)


def test_rotation_log_antipodal_pairs():
    # Rotation by pi in two planes of R^4: eigenvalue -1 four times.
    x = rotation_log(-np.eye(4))
    assert np.allclose(x, -x.T)
    assert np.allclose(scipy.linalg.expm(x), -np.eye(4), atol=1e-12)


@pytest.mark.parametrize("name", ["circle", "ellipse", "so3", "so3_conjugated"])
def test_frechet_mean_of_symmetric_rotations(name, rng):
    group = CompactLieGroup.from_algebra(*GROUPS[name])
    center = group.exp(rng.normal(size=group.dim))
    steps = 0.6 * rng.normal(size=(3, group.dim))
    # Pairs center exp(+-v): the Fréchet mean of a set symmetric about center is center.
    elements = np.concatenate([center @ group.exp(steps), center @ group.exp(-steps)])
    assert np.allclose(group.frechet_mean(elements), center, atol=1e-8)
    if group.dim == 1:  # weights symmetric in the pairs keep the mean (one check suffices)
        weights = np.r_[[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]
        assert np.allclose(group.frechet_mean(elements, weights), center, atol=1e-8)


def test_frechet_mean_near_pi_so2():
    group = CompactLieGroup.from_algebra(so(2), np.eye(2))
    elements = np.stack([_rot2(np.pi + d) for d in (-0.4, 0.4, 0.1, -0.1)])
    assert np.allclose(group.frechet_mean(elements), -np.eye(2), atol=1e-9)


def test_act_preserves_the_invariant_norm(group, rng):
    g = group.random(rng=rng, size=3)
    x = rng.normal(size=(3, 5, group.n))
    y = group.act(g, x)
    assert y.shape == x.shape
    assert np.allclose(y, np.einsum("bij,bkj->bki", g, x))
    norm = np.einsum("...i,ij,...j->...", x, group.metric, x)
    assert np.allclose(np.einsum("...i,ij,...j->...", y, group.metric, y), norm)


def test_random_is_reproducible_and_in_the_group(group):
    a, b = group.random(rng=3, size=5), group.random(rng=3, size=5)
    assert np.array_equal(a, b)
    group.log(a)  # raises unless every element is in the group


def test_random_so2_is_uniform_in_angle():
    group = CompactLieGroup.from_algebra(so(2), np.eye(2))
    g = group.random(rng=0, size=4000)
    t = np.arctan2(g[:, 1, 0], g[:, 0, 0])
    counts = np.histogram(t, bins=8, range=(-np.pi, np.pi))[0]
    # 500 expected per bin, sd ~ 21: 5 sd bounds.
    assert np.all(np.abs(counts - 500) < 110)


# Refusals and bad input.
def test_refuses_translations():
    with pytest.raises(NotCertifiedError, match="non-compact"):
        CompactLieGroup.from_algebra(translations(2), np.eye(2))
    with pytest.raises(NotCertifiedError, match="non-compact"):
        CompactLieGroup.from_algebra(se(2))


def test_refuses_non_invariant_or_non_positive_metric():
    with pytest.raises(NotCertifiedError, match="not invariant"):
        CompactLieGroup.from_algebra(scaling(2), np.eye(2))
    with pytest.raises(NotCertifiedError, match="not invariant"):
        CompactLieGroup.from_algebra(so(2).conjugate(C2), np.eye(2))
    with pytest.raises(NotCertifiedError, match="positive definite"):
        CompactLieGroup.from_algebra(so(2), -np.eye(2))


def test_affine_algebras():
    # Zero translation parts: the linear part is used.
    lin = np.zeros((1, 3, 3))
    lin[0, :2, :2] = so_generators(2)[0]
    group = CompactLieGroup.from_algebra(LieAlgebra(lin, affine=True), np.eye(2))
    assert group.n == 2
    # Compact, but about another point: the chart would need a translation.
    with pytest.raises(ValueError, match="fixing the point"):
        CompactLieGroup.from_algebra(rotation_about([1.0, 0.0]), np.eye(2))


def test_bad_inputs():
    with pytest.raises(ValueError, match="metric"):
        CompactLieGroup.from_algebra(so(2), np.eye(3))
    with pytest.raises(ValueError, match="metric"):
        CompactLieGroup.from_algebra(so(2), [[1.0, 0.5], [0.0, 1.0]])
    with pytest.raises(ValueError, match="algebra"):
        CompactLieGroup.from_algebra(np.eye(2), np.eye(2))
    group = CompactLieGroup.from_algebra(so(2), np.eye(2))
    with pytest.raises(ValueError, match="not in the group"):
        group.log(np.diag([1.0, -1.0]))
    with pytest.raises(ValueError, match="not in the group"):
        group.dist(np.eye(2), 2 * np.eye(2))
    with pytest.raises(ValueError, match="coords"):
        group.exp([0.1, 0.2])
    with pytest.raises(ValueError, match="NaN"):
        group.exp([np.nan])
    with pytest.raises(ValueError, match="weights"):
        group.frechet_mean(np.stack([np.eye(2)] * 2), weights=[1.0, -1.0])


def test_metric_from_verify_when_available():
    alg = so(2).conjugate(C2)
    _, m = certified_metric(alg)
    # verify returns M up to a positive factor.
    assert np.allclose(m / m[0, 0], _form(C2) / _form(C2)[0, 0], atol=1e-9)
    group = CompactLieGroup.from_algebra(alg)
    g = group.exp([0.4])
    assert np.allclose(g.T @ m @ g, m, atol=TOL)
    with pytest.raises(NotCertifiedError):
        CompactLieGroup.from_algebra(scaling(2))


def test_importing_manifolds_does_not_load_geomstats():
    code = "import sys, liesym.manifolds; print('geomstats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
