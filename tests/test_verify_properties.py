"""Property-based laws of the verifier over generated algebras with known answers.

Each case (``liesym.verify.cases``) is an exact algebra with known answers, moved by
transformations that do not change them (changes of basis, scalings of the generators from
1e-3 to 1e6, exact diagonal charts, random charts of condition number up to 1e4, fixed points
moved up to 1e6 from the origin, noise below the tolerance) or perturbed far above the
tolerance. The laws: no false True, no false False, no wrong name (so the name is invariant
under the transformations), and an abstention always comes with its reason.

Derandomised, so CI sees the same 560 algebras every time (the verification benchmark runs a
larger suite and reports the abstention rate).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liesym.algebra import LieAlgebra
from liesym.verify import verify
from liesym.verify.cases import FAMILIES, random_case

SEEDS = st.integers(0, 2**32 - 1)
QUICK = settings(
    max_examples=500,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _check(case, report):
    assert case.wrong(report) == [], case.label
    for cert in (report.closure, report.compactness, report.linearization):
        assert cert.reason, case.label  # every answer, None included, says why
    if report.name is None:
        assert report.identification.reason, case.label


@QUICK
@given(SEEDS)
def test_no_false_true_no_false_false_no_wrong_name(seed):
    case = random_case(seed, big=False)
    _check(case, verify(case.algebra, tol=case.tol))


@settings(max_examples=30, derandomize=True, deadline=None)
@given(SEEDS, st.sampled_from(sorted(FAMILIES)))
def test_every_family_including_the_large_ones(seed, family):
    case = random_case(seed, family=family)
    _check(case, verify(case.algebra, tol=case.tol))


@settings(max_examples=30, derandomize=True, deadline=None)
@given(SEEDS, st.sampled_from([k for k, v in FAMILIES.items() if v[4] is not None]))
def test_name_is_invariant_under_the_transformations(seed, family):
    names = set()
    for i in range(2):
        case = random_case(np.random.default_rng([seed, i]), family=family, big=False)
        name = verify(case.algebra, tol=case.tol).name
        if name is not None:
            names.add(name)
    assert len(names) <= 1, (family, names)


@settings(max_examples=20, derandomize=True, deadline=None)
@given(SEEDS, st.floats(-3, 6), st.floats(-3, 6))
def test_scaling_the_generators_changes_nothing(seed, a, b):
    rng = np.random.default_rng(seed)
    case = random_case(rng, family="se(2)", big=False)
    stack = case.algebra.basis * np.array([10.0**a, 10.0**b, 1.0])[:, None, None]
    scaled = LieAlgebra(stack, affine=True)
    first, second = verify(case.algebra, tol=case.tol), verify(scaled, tol=case.tol)
    assert (first.name, first.closed, first.compact) == (second.name, second.closed, second.compact)


@pytest.mark.parametrize("family", ["so(3)", "u(2) on R^4", "torus 2:3", "rotation about a point"])
def test_exact_inputs_are_recognised_as_exact(family):
    case = next(c for c in (random_case(s, family=family) for s in range(100)) if c.exact)
    report = verify(case.algebra, tol=case.tol)
    assert report.exact_input and report.closed is True and report.compact is True


def _planes(k: int, fixed: int) -> np.ndarray:
    """One rotation on k planes, identity on ``fixed`` more coordinates (Reacher-like)."""
    n = 2 * k + fixed
    w = np.zeros((n, n))
    for i in range(k):
        w[2 * i, 2 * i + 1], w[2 * i + 1, 2 * i] = -1.0, 1.0
    return w


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    SEEDS,
    st.integers(2, 3),
    st.sampled_from([0, 2, 4]),
    st.sampled_from([1e-3, 1e-2, 0.03]),
    st.floats(1 / 30, 1 / 6),
)
def test_a_rotation_repeated_on_several_planes_is_certified_through_noise(seed, k, fixed, tol, rel):
    """Noise near the tolerance (as in a discovered algebra) splits the repeated eigenvalue
    +-i into a cluster with arbitrary, possibly nearly parallel eigenvectors; the cluster is
    one eigenvalue for the chart-condition guard, so the exact so(2) is certified, in
    permuted and sign-flipped coordinates as well."""
    rng = np.random.default_rng(seed)
    w = _planes(k, fixed)
    n = w.shape[0]
    p = np.eye(n)[rng.permutation(n)] * rng.choice([-1.0, 1.0], size=n)
    x = p @ w @ p.T
    x = x / np.linalg.norm(x) + rel * tol * rng.normal(size=(n, n)) / n
    report = verify(LieAlgebra(x[None]), tol=tol)
    assert (report.name, report.compact, report.closed) == ("so(2)", True, True), report
