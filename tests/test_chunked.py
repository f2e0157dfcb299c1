"""Chunked closed-form discovery: statistics reduce exactly, chunked fits agree with in-memory ones.

Laws: the R-factor statistics of a union of samples are the merge of the statistics of its
parts (any partition); one chunk of all the data is the in-memory fit; a Dask array gives the
statistics of the same chunks read in a loop; resuming a pickled fit changes nothing. And the
issue's bound: fits from chunks with their own neighbourhoods agree with the in-memory fit
(one k-d tree over everything) within 1e-3 in Grassmann distance.
"""

import itertools
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liesym._core import as_n_jobs
from liesym.algebra import grassmann_distance, so
from liesym.data import collect_transitions
from liesym.data.synthetic import invariant_function_data
from liesym.discovery import (
    DifferentialDiscovery,
    DiscoveryWarning,
    DynamicsSymmetryDiscovery,
    discover_task_group,
    kernel_frames,
)
from liesym.discovery._chunks import as_chunk_source, reblock
from liesym.discovery.differential import TangencyCalibration, tangency_stats
from liesym.discovery.dynamics import dynamics_stats, fit_linear_dynamics
from liesym.discovery.kernel import frames_from_normals
from liesym.envs import circle_tasks


@pytest.fixture(scope="module")
def radial():
    return invariant_function_data("radial", 100_000, rng=0, n=3)


@pytest.fixture(scope="module")
def radial_in_memory(radial):
    return DifferentialDiscovery().fit(radial.X, radial.y)


@pytest.fixture(scope="module")
def radial_chunked(radial):
    return DifferentialDiscovery(chunk_size=25_000).fit(radial.X, radial.y)


def _cuts(draw_sizes, n):
    """Split points of range(n) from a hypothesis list of positive sizes."""
    cuts, pos = [0], 0
    for s in draw_sizes:
        pos += s
        if pos >= n:
            break
        cuts.append(pos)
    return [*cuts, n]


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 60), min_size=1, max_size=6),
    affine=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_tangency_stats_of_a_union_are_the_merge_of_the_parts(sizes, affine, seed):
    rng = np.random.default_rng(seed)
    n_pts = 120
    x = rng.normal(size=(n_pts, 3))
    nu = rng.normal(size=(n_pts, 1, 3))
    frames = frames_from_normals(x, nu)
    calib = TangencyCalibration(3, 1, affine, None, 1.0, False, None)
    whole = tangency_stats(frames, calib)
    cuts = _cuts(sizes, n_pts)
    parts = [tangency_stats(frames.subset(slice(a, b)), calib) for a, b in itertools.pairwise(cuts)]
    merged = parts[0]
    for p in parts[1:]:
        merged = merged.merge(p)
    np.testing.assert_allclose(merged.r.T @ merged.r, whole.r.T @ whole.r, rtol=1e-10, atol=1e-9)
    assert (merged.n_points, merged.n_reliable, merged.n_chunks) == (n_pts, n_pts, len(parts))


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 80), min_size=1, max_size=6), seed=st.integers(0, 2**16))
def test_dynamics_stats_of_a_union_are_the_merge_of_the_parts(sizes, seed):
    rng = np.random.default_rng(seed)
    s, a = rng.normal(size=(150, 2)), rng.normal(size=(150, 2))
    s2 = s @ rng.normal(size=(2, 2)) + a + 0.1 * rng.normal(size=(150, 2))
    cuts = _cuts(sizes, 150)
    parts = [dynamics_stats(s[lo:hi], a[lo:hi], s2[lo:hi]) for lo, hi in itertools.pairwise(cuts)]
    merged = parts[0]
    for p in parts[1:]:
        merged = merged.merge(p)
    whole = dynamics_stats(s, a, s2)
    np.testing.assert_allclose(merged.r.T @ merged.r, whole.r.T @ whole.r, rtol=1e-10, atol=1e-9)
    assert merged.n_samples == 150


def test_linear_dynamics_from_the_r_factor_is_the_least_squares_fit():
    rng = np.random.default_rng(1)
    s, a = rng.normal(size=(400, 3)), rng.normal(size=(400, 3))
    s2 = s + 0.5 * a + 0.2 + 0.05 * rng.normal(size=(400, 3))
    fit = fit_linear_dynamics(s, a, s2)
    design = np.concatenate([s, a, np.ones((400, 1))], axis=1)
    coef, *_ = np.linalg.lstsq(design, s2, rcond=None)
    np.testing.assert_allclose(np.concatenate([fit.A.T, fit.B.T, fit.c[None]]), coef, atol=1e-12)
    resid = s2 - design @ coef
    np.testing.assert_allclose(fit.noise_cov, resid.T @ resid / (400 - 7), rtol=1e-10)
    np.testing.assert_allclose(fit.action_moment, a.T @ a / 400, rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 40), min_size=1, max_size=8),
    chunk=st.integers(1, 50),
)
def test_reblock_keeps_every_row_in_order_in_chunks_of_chunk_size(sizes, chunk):
    start, parts = 0, []
    for s in sizes:
        parts.append((np.arange(start, start + s, dtype=float)[:, None], np.zeros(s)))
        start += s
    out = list(reblock(iter(parts), chunk, ("X", "y")))
    rows = np.concatenate([c[0][:, 0] for c in out]) if out else np.zeros(0)
    np.testing.assert_array_equal(rows, np.arange(start, dtype=float))
    lengths = [len(c[0]) for c in out]
    # Full chunks, except a last one that is at least half a chunk (or all there is).
    assert all(n == chunk for n in lengths[:-1])
    if len(lengths) > 1:
        assert chunk / 2 <= lengths[-1] < 1.5 * chunk


def test_one_chunk_of_everything_is_the_in_memory_fit(radial, radial_in_memory):
    one = DifferentialDiscovery(chunk_size=len(radial.X)).fit(iter([(radial.X, radial.y)]))
    assert one.stats_.n_chunks == 1
    np.testing.assert_allclose(
        one.singular_values_, radial_in_memory.singular_values_, rtol=1e-12, atol=1e-12
    )


def test_chunked_fit_agrees_with_the_in_memory_fit(radial, radial_in_memory, radial_chunked):
    # The bound; at N = 1e5 both fits are within ~2e-4 of so(3).
    assert radial_chunked.stats_.n_chunks == 4
    assert radial_chunked.n_samples_ == len(radial.X)
    assert radial_chunked.dim_ == radial_in_memory.dim_ == 3
    assert grassmann_distance(radial_chunked.algebra_, radial_in_memory.algebra_) < 1e-3
    assert grassmann_distance(radial_chunked.algebra_, so(3)) < 1e-3


def test_affine_chunked_fit_of_transitions_agrees_with_the_in_memory_fit():
    family = circle_tasks()
    data = collect_transitions(family, family.base_goal, 40_000, rng=0)
    whole = DifferentialDiscovery(affine=True).fit(data.next_states, data.rewards)
    # A stream of one Transitions record, re-cut into chunks of 10,000 transitions.
    parts = DifferentialDiscovery(affine=True, chunk_size=10_000).fit(iter([data]))
    assert parts.stats_.n_chunks == 4
    assert grassmann_distance(parts.algebra_, whole.algebra_) < 1e-3
    np.testing.assert_allclose(parts.fixed_point_, family.base_goal, atol=5e-3)


def test_memory_mapped_input_is_read_in_chunks(radial, radial_chunked, tmp_path):
    np.save(tmp_path / "X.npy", radial.X)
    np.save(tmp_path / "y.npy", radial.y)
    X = np.load(tmp_path / "X.npy", mmap_mode="r")
    y = np.load(tmp_path / "y.npy", mmap_mode="r")
    est = DifferentialDiscovery(chunk_size=25_000).fit(X, y)
    np.testing.assert_allclose(est.stats_.r, radial_chunked.stats_.r, rtol=1e-12, atol=1e-12)


def test_dask_array_gives_the_statistics_of_the_same_chunks(radial, radial_chunked):
    da = pytest.importorskip("dask.array")
    import dask

    X = da.from_array(radial.X, chunks=(25_000, 3))
    y = da.from_array(radial.y, chunks=25_000)
    with dask.config.set(scheduler="threads"):
        est = DifferentialDiscovery().fit(X, y)
    assert est.stats_.n_chunks == 4
    np.testing.assert_allclose(est.stats_.r, radial_chunked.stats_.r, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(est.singular_values_, radial_chunked.singular_values_, rtol=1e-10)


def test_dask_fit_runs_unchanged_on_a_distributed_cluster(radial):
    distributed = pytest.importorskip("distributed")
    da = pytest.importorskip("dask.array")
    X = da.from_array(radial.X[:50_000], chunks=(25_000, 3))
    y = da.from_array(radial.y[:50_000], chunks=25_000)
    rng = np.random.default_rng(0)
    s, a = rng.normal(size=(20_000, 2)), 0.1 * rng.normal(size=(20_000, 2))
    s2 = s + a + 0.05 * rng.normal(size=(20_000, 2))
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        est = DifferentialDiscovery().fit(X, y)
        dyn = DynamicsSymmetryDiscovery().fit(
            *(da.from_array(v, chunks=(5_000, 2)) for v in (s, a, s2))
        )
    local = DifferentialDiscovery(chunk_size=25_000).fit(radial.X[:50_000], radial.y[:50_000])
    np.testing.assert_allclose(est.stats_.r, local.stats_.r, rtol=1e-12, atol=1e-12)
    whole = DynamicsSymmetryDiscovery().fit(s, a, s2)
    assert dyn.stats_.n_chunks == 4
    np.testing.assert_allclose(dyn.singular_values_, whole.singular_values_, rtol=1e-8)


def test_resuming_a_pickled_partial_fit_changes_nothing(radial, radial_chunked):
    est = DifferentialDiscovery(chunk_size=25_000)
    est.partial_fit(radial.X[:50_000], radial.y[:50_000])
    assert est.stats_.n_chunks == 2
    resumed = pickle.loads(pickle.dumps(est)).partial_fit(radial.X[50_000:], radial.y[50_000:])
    np.testing.assert_allclose(resumed.stats_.r, radial_chunked.stats_.r, rtol=1e-12, atol=1e-12)
    assert resumed.dim_ == 3


def test_chunked_bootstrap_is_seeded_and_small(radial):
    est = DifferentialDiscovery(chunk_size=25_000, n_bootstrap=3, rng=0).fit(radial.X, radial.y)
    again = DifferentialDiscovery(chunk_size=25_000, n_bootstrap=3, rng=0).fit(radial.X, radial.y)
    np.testing.assert_array_equal(est.bootstrap_angles_, again.bootstrap_angles_)
    assert est.bootstrap_angles_.shape == (3, 3)
    assert 0 < est.bootstrap_angles_.max() < 5e-3


@pytest.mark.parametrize("kind", ["stream", "memmap", "dask"])
def test_chunked_dynamics_equal_the_in_memory_dynamics(kind, tmp_path):
    family = circle_tasks()
    data = collect_transitions(family, family.base_goal, 20_000, rng=3)
    whole = DynamicsSymmetryDiscovery().fit(data.states, data.actions, data.next_states)
    arrays = (data.states, data.actions, data.next_states)
    if kind == "stream":
        pieces = (tuple(a[i : i + 1_000] for a in arrays) for i in range(0, 20_000, 1_000))
        est = DynamicsSymmetryDiscovery(chunk_size=3_000).fit(pieces)
    elif kind == "memmap":
        for name, a in zip("san", arrays, strict=True):
            np.save(tmp_path / f"{name}.npy", a)
        mm = [np.load(tmp_path / f"{name}.npy", mmap_mode="r") for name in "san"]
        est = DynamicsSymmetryDiscovery(chunk_size=4_000).fit(*mm)
    else:
        da = pytest.importorskip("dask.array")
        import dask

        with dask.config.set(scheduler="sync"):
            est = DynamicsSymmetryDiscovery().fit(
                *(da.from_array(a, chunks=(4_000, 2)) for a in arrays)
            )
    assert est.stats_.n_chunks > 1
    np.testing.assert_allclose(est.singular_values_, whole.singular_values_, rtol=1e-8, atol=1e-12)
    assert est.dim_ == whole.dim_ == 1


def test_task_group_accepts_chunked_datasets(tmp_path):
    family = circle_tasks()
    goals = family.train_goals(2, rng=0)
    data = [collect_transitions(family, g, 4_000, rng=i) for i, g in enumerate(goals)]
    np.save(tmp_path / "X.npy", data[1].next_states)
    np.save(tmp_path / "y.npy", data[1].rewards)
    chunked = [
        iter([data[0]]),  # a stream of records
        (np.load(tmp_path / "X.npy", mmap_mode="r"), np.load(tmp_path / "y.npy", mmap_mode="r")),
    ]
    res = discover_task_group(chunked, discovery_kwargs={"chunk_size": 2_000})
    ref = discover_task_group(data)
    assert res.algebra_.dim == 1
    assert np.max(np.abs(res.angles() - ref.angles())) < 0.02


# Bad input.
def test_malformed_chunks_name_the_chunk(radial):
    x, y = radial.X[:4000], radial.y[:4000]
    bad = x.copy()
    bad[5, 1] = np.nan
    chunks = [(x[:2000], y[:2000]), (bad[2000:], y[2000:])]
    with pytest.raises(ValueError, match="chunk 1: X: contains"):
        DifferentialDiscovery(chunk_size=2000).fit(iter([chunks[0], (bad, y)]))
    with pytest.raises(ValueError, match="chunk 0: the arrays have different numbers of rows"):
        DifferentialDiscovery().fit(iter([(x, y[:10])]))
    with pytest.raises(ValueError, match="trailing shape"):
        DifferentialDiscovery(chunk_size=3000).fit(
            iter([(x[:2000], y[:2000]), (x[:2000, :2], y[:2000])])
        )
    with pytest.raises(TypeError, match="chunk 0: expected a tuple"):
        DifferentialDiscovery().fit(iter(["not a chunk"]))
    with pytest.raises(ValueError, match="different lengths"):
        DifferentialDiscovery(chunk_size=1000).fit(iter([x[:1000], x[1000:2000]]), iter([y[:1000]]))
    with pytest.raises(ValueError, match="empty"):
        DifferentialDiscovery().fit(iter([]))
    with pytest.raises(ValueError, match="expected 3 coordinates like the first chunk"):
        DifferentialDiscovery(chunk_size=2000).fit(
            iter([(x[:2000], y[:2000]), (x[2000:, :2], y[2000:])])
        )


def test_chunked_input_needs_the_closed_form(radial):
    stream = iter([(radial.X[:1000], radial.y[:1000])])
    with pytest.raises(ValueError, match="gradient method needs the samples in memory"):
        DifferentialDiscovery(dim=3, method="gradient").fit(stream)
    with pytest.raises(ValueError, match="normals"):
        DifferentialDiscovery().fit(iter([(radial.X[:10], radial.y[:10])]), normals=radial.X[:10])
    with pytest.raises(ValueError, match="chunk_size"):
        DifferentialDiscovery(chunk_size=0).fit(radial.X, radial.y)


def test_constraint_count_is_checked_over_all_chunks(radial):
    with pytest.raises(ValueError, match="1 reliable kernel frames give 1 constraints"):
        DifferentialDiscovery(chunk_size=20, k_neighbors=12).fit(
            iter([(radial.X[:20], radial.y[:20])])
        )
    with pytest.warns(DiscoveryWarning) as record:  # also "no symmetry found"
        DifferentialDiscovery(chunk_size=40, k_neighbors=12).fit(
            iter([(radial.X[:40], radial.y[:40])])
        )
    assert any("only 23 constraints for 9 unknowns" in str(w.message) for w in record)


# The n_jobs convention.
def test_n_jobs_follows_joblib_semantics():
    import os

    import joblib

    assert as_n_jobs(None) == 1
    assert as_n_jobs(3) == 3
    assert as_n_jobs(-1) == joblib.cpu_count() == as_n_jobs(-1)
    assert as_n_jobs(-2) == max(1, joblib.cpu_count() - 1)
    with joblib.parallel_config(n_jobs=2):
        assert as_n_jobs(None) == 2
    for bad in (0, 1.5, True, "2"):
        with pytest.raises(ValueError, match="n_jobs"):
            as_n_jobs(bad)
    assert os.cpu_count() >= 1


def test_threads_do_not_change_the_frames(radial):
    one = kernel_frames(radial.X[:20_000], radial.y[:20_000], n_jobs=1)
    two = kernel_frames(radial.X[:20_000], radial.y[:20_000], n_jobs=2)
    np.testing.assert_array_equal(one.normals, two.normals)
    np.testing.assert_array_equal(one.reliable, two.reliable)


def test_in_memory_arrays_stay_one_chunk_and_lists_are_arrays():
    x = np.zeros((10, 2))
    assert as_chunk_source((x, x[:, 0]), ("X", "y"), fields=("X", "y")).kind == "memory"
    assert as_chunk_source((x.tolist(), None), ("X", "y"), fields=("X", "y")).kind == "memory"
    assert as_chunk_source((iter([]), None), ("X", "y"), fields=("X", "y")).kind == "chunks"


def test_the_frame_step_is_pluggable(radial):
    # A per-chunk frame estimator with exact normals: the chunked null space is exact.
    def exact_frames(X, y, rank=None):
        return frames_from_normals(X, np.asarray(X))  # grad |x|^2 is parallel to x

    est = DifferentialDiscovery(chunk_size=10_000, frame_method=exact_frames).fit(
        radial.X[:40_000], radial.y[:40_000]
    )
    assert est.stats_.n_chunks == 4 and est.dim_ == 3
    assert grassmann_distance(est.algebra_, so(3)) < 1e-12
