r"""Symmetries of a step map with separate state and action representations, from transitions.

A pair of generators (W_S on states, W_A on actions) is an infinitesimal symmetry of the
system ``s' = F(s, a)`` when ``F(exp(t W_S) s, exp(t W_A) a) = exp(t W_S) F(s, a)``;
differentiated at t = 0,

    W_S F(s, a) = D_sF(s, a) W_S s + D_aF(s, a) W_A a,

which is linear in the unknowns (W_S, W_A) at every data point. The Jacobians are estimated by
local linear regression of the next states on the neighbours of an anchor transition, with
the states expressed in coordinates of the data's tangent space (local PCA): observations
often fill a curved subset of R^n (cos/sin pairs of angles), where the Jacobian is only
defined along the data and a normal direction would make the regression ill-posed. The
generator field must then be tangent to the data, ``N^T W_S s = 0`` for the local normals N,
which supplies the constraints the normal directions would otherwise leave free. With
rewards, the reward is an invariant output (``dr . (W_S s, W_A a) = 0``), which intersects the
dynamics' symmetries with the reward's. With ``use_actions``, the second moment of the
actions must be invariant (valid for an invariant behaviour law, e.g. uniform actions), which
fixes an invariant metric where the dynamics alone allow all of gl. Everything stacks into
one matrix whose SVD null space is the representation, its dimension read off the gap of the
singular values against the noise floor of the regressions. The rows are weighted by feasible
generalised least squares: first by the residual of the regression behind each row, then by
each row's whole predicted error under the first candidate (which adds the Jacobian's error
along the candidate's vector field, large where a fit extrapolates to the edge of its
neighbourhood).
"""

import dataclasses
import functools
import math
from dataclasses import dataclass
from itertools import combinations_with_replacement

import numpy as np
import scipy.spatial

from liesym._core import as_count, as_finite_array, as_n_jobs, as_rng, respects_n_jobs
from liesym._core import progress as _progress
from liesym._core.polynomial import monomials
from liesym.algebra import LieAlgebra, Representation
from liesym.data import transition_arrays
from liesym.discovery._constraints import (
    DEFAULT_MIN_GAP,
    DEFAULT_NOISE_TOL,
    check_dim,
    null_space,
    r_factor,
    spectrum,
    square_r,
)
from liesym.discovery.differential import Uncertainty, spectral_uncertainty

__all__ = ["EquivarianceDiscovery", "tangent_dimension"]

_TANGENT_TOL = 0.05  # relative residual of normal coordinates on a d-dimensional subset
_DIM_ANCHORS = 300  # anchors whose neighbourhoods decide the intrinsic dimension
_BLOCK = 512  # anchors per block of constraint rows
_BLOCK_ENTRIES = 2**23  # design-matrix entries per block (bounds memory for cubic fits)
_MAX_WEIGHT = 10.0  # cap on inverse-error weights: a few overconfident fits cannot dominate
_METRIC_ANCHORS = 300  # anchors whose regressions choose the metric (metric="auto")
_METRIC_SWEEPS = 3
_ZERO_DEGREES = 1  # degrees of the zero-weight refit beyond the fits' own (see _metric_checks)


def tangent_dimension(neighbourhoods, tol: float = _TANGENT_TOL) -> int:
    """Intrinsic dimension of data: the fewest local coordinates that explain the others.

    For each candidate d, the neighbourhood offsets are split by local PCA into d tangent and
    n - d normal coordinates, and the normal ones are regressed on a quadratic polynomial of
    the tangent ones. On a smooth d-dimensional subset the normal coordinates *are* such a
    function up to third order (a cos/sin pair's radius, a forward-kinematics channel), so
    the relative residual collapses at the true d; with fewer coordinates it stays of the
    order of the missing tangent spread. The answer is the smallest d whose median relative
    residual (degrees-of-freedom corrected) is below ``tol``, else n (the data fill R^n).

    Parameters
    ----------
    neighbourhoods : array-like, shape=[A, k, n]
        Offsets of the k neighbours of A anchors (any common centring).
    tol : float, optional, default: 0.05
        Relative residual below which the normal coordinates count as determined.

    Returns
    -------
    int

    Examples
    --------
    Points near a circle in R^2 (one tangent direction) and points filling R^2:

    >>> rng = np.random.default_rng(0)
    >>> t = rng.uniform(0, 0.3, size=(50, 20))
    >>> circle = np.stack([np.cos(t), np.sin(t)], axis=-1)
    >>> tangent_dimension(circle), tangent_dimension(rng.normal(size=(50, 20, 2)))
    (1, 2)
    """
    x = as_finite_array(neighbourhoods, "neighbourhoods", ndim=3)
    _, k, n = x.shape
    x = x - x.mean(axis=1, keepdims=True)
    vt = np.linalg.svd(x, full_matrices=False)[2]
    for d in range(1, n):
        q = _n_coef(d, 2)
        if k < q + 2:
            break
        tan = x @ np.swapaxes(vt[:, :d], 1, 2)
        nor = x @ np.swapaxes(vt[:, d:], 1, 2)
        design = monomials(tan, 2)
        res = nor - design @ (np.linalg.pinv(design) @ nor)
        rss = np.sum(res**2, axis=(1, 2)) / ((k - q) * (n - d))
        spread = np.sum(tan**2, axis=(1, 2)) / ((k - 1) * d)
        if np.median(np.sqrt(rss / np.maximum(spread, 1e-300))) <= tol:
            return d
    return n


class EquivarianceDiscovery:
    r"""Discover the representation (W_S, W_A) under which transitions are equivariant.

    Parameters
    ----------
    dim : int, optional
        Number of generators; default: the singular-value gap rule against the noise floor.
    affine : bool, optional, default: False
        Also allow translations of the states (generators ``[[W_S, t], [0, 0]]``); actions
        are always acted on linearly.
    use_actions : bool, optional, default: True
        Require the second moment of the actions to be invariant,
        ``W_A E[a a^T] + E[a a^T] W_A^T = 0``: valid when the behaviour policy's action law
        is invariant (uniform in a symmetric box or disc, Gaussian, ...). Switch it off for
        a biased policy.
    k_neighbors : int, optional
        Neighbours of each anchor in the local regressions; default ``max(40, 2 q)`` for the
        q coefficients of a polynomial of the given degree in ``n + m`` inputs.
    degree : {1, 2, 3}, optional, default: 2
        Degree of the local polynomial regressions. 2 removes the first-order curvature bias
        of the Jacobians and of the tangent spaces (neighbourhoods in several dimensions are
        wide, so the bias of a local linear fit dominates on smooth deterministic data); 3
        also the second-order one (exact on cubic step maps) at the price of many more
        neighbours (``2 q`` for q ~ D^3 / 6 coefficients in D inputs).
    n_bootstrap : int, optional, default: 16
        Bootstrap draws behind ``uncertainty_`` (Poisson(1) weights on the anchors and on the
        actions of the moment constraint); 0 uses the singular-value noise floor instead.
    bandwidth_check : bool, optional, default: True
        Refit with twice the neighbours and add the bias this reveals to ``uncertainty_``.
        A local polynomial of degree p has a Jacobian bias growing like h^p with the
        neighbourhood radius h ~ k^(1/D) (D = tangent dimension + action dimension), the
        same at every anchor, so resampling anchors cannot see it. The change D of the
        estimate from k to 2k neighbours is ``(1 - c) B + e`` for the bias B at k,
        ``c = 2^(p/D)`` and the noise e of the paired difference, so
        ``|B| <= (|D| + |e|) / (c - 1)``; ``bias_`` is that bound with ``|e|`` at its paired
        bootstrap RMS (an upper bound: never 0 when the fits differ). Costs a second set of
        regressions.
    n_anchors : int, optional, default: 3000
        Anchor transitions at which Jacobians are estimated (all when fewer).
    metric : None, "auto" or array-like, shape=[n + m], optional
        Weights of the standardised state and action channels in the neighbour search (the
        regressions use every channel either way). None weighs all alike. ``"auto"`` chooses
        them from the data: a coordinate search (each channel's weight times 0, 1/3 or 3,
        up to three sweeps, on 300 of the anchors) keeps a change when no output's median
        regression residual grows (by more than 2 %) and their geometric mean falls (by 2 %).
        Where the step map is nearly polynomial along a channel (the torques of a MuJoCo
        arm enter almost affinely) the neighbourhoods may then stretch along it and shrink
        in the others, which cuts the fits' bias. With a metric the bias check's factor
        ``c`` comes from the measured growth of the neighbourhoods, ``g^p`` for the smallest
        growth g of a positive-weight channel's spread from k to 2k (median over anchors),
        instead of ``2^(p/D)``: a weighted neighbourhood does not grow like a D-dimensional
        ball. Along a channel of weight 0 the neighbourhoods span the data's whole range at
        every k, so the 2x-neighbour change cannot see the bias of the terms of degree p + 1
        with at most one factor off those channels; the check then also refits the 2k
        neighbourhoods with those terms added, and adds the change this makes plus its
        bootstrap noise (``zero_channel_bias_``) to ``bias_``. Like the 2x-neighbour bound,
        this is a bound on the leading terms; it costs a noisier uncertainty (on Reacher
        0.005 rad against a true error of 0.002).
    tangent_dim : int, optional
        Intrinsic dimension of the states; default: :func:`tangent_dimension` of the local
        PCA spectra.
    min_gap, noise_tol : float, optional
        Dimension rule (see ``choose_dimension`` in ``liesym.discovery._constraints``).
    rng : None, int or Generator
        Choice of anchors.
    progress : bool, optional, default: False
        Progress bar over blocks of anchors.
    n_jobs : int, optional
        Threads of the k-d tree queries and of BLAS (joblib semantics: None is 1 unless a
        ``joblib.parallel_config`` says otherwise, -1 every core). The local fits are many
        small solves: threaded BLAS gains nothing there and, on a busy machine, loses much.

    Attributes
    ----------
    representation_ : Representation or None
        The discovered generators: ``state`` (linear, or affine with ``affine=True``) and
        ``action`` (W_A, possibly zero: invariant actions). None when no symmetry is found.
    action_generators_ : ndarray, shape=[k, m, m]
        W_A paired with ``representation_.state.basis`` (the same change of basis).
    action_norm_ : ndarray, shape=[k]
        ``|W_A| / |W_S|`` of each generator (0 for invariant actions, up to estimation error).
    algebra_ : LieAlgebra or None
        ``representation_.state``: what :func:`liesym.verify.verify_discovered` certifies.
    singular_values_ : ndarray, shape=[p]
        Ascending, over the stacked unknowns ``(vec W_S, vec W_A)``.
    dim_ : int
    gap_ : float
    noise_floor_ : float
        Expected singular value of an exact symmetry under the regressions' errors.
    uncertainty_ : Uncertainty
        Estimated angle between ``algebra_`` and the exact algebra: the RMS of the largest
        bootstrap angle (or, with ``n_bootstrap=0``, the singular-value noise floor), as
        ``DifferentialDiscovery`` reports it, plus ``bias_`` (error <= noise + bias);
        :func:`liesym.verify.verify_discovered` turns it into the certificate's tolerance.
    bootstrap_angles_ : ndarray, shape=[n_bootstrap, k]
        Principal angles (radians) between each bootstrap span and ``algebra_``.
    bias_ : float
        Bound on the angle of the local fits' bias (``bandwidth_check``; nan when not run).
    zero_channel_bias_ : float
        Bound on the part of the bias due to the channels of weight 0 in ``metric_``,
        included in ``bias_`` (from a refit with their leading bias terms; nan without
        such channels).
    tangent_dim_ : int
        Intrinsic dimension of the states used for the tangent spaces.
    metric_ : ndarray, shape=[n + m]
        Weights of the standardised channels in the neighbour search.
    n_anchors_ : int

    Examples
    --------
    A planar double integrator, state (p, v), force a: rotations act on p, v and a alike.

    >>> from liesym.algebra import grassmann_distance
    >>> rng = np.random.default_rng(0)
    >>> s, a = rng.normal(size=(3000, 4)), rng.uniform(-1, 1, size=(3000, 2))
    >>> dt = 0.1
    >>> p2 = s[:, :2] + dt * s[:, 2:] + 0.5 * dt**2 * a
    >>> s2 = np.concatenate([p2, s[:, 2:] + dt * a], axis=1)
    >>> est = EquivarianceDiscovery(n_anchors=500, rng=0).fit(s, a, s2)
    >>> j = np.array([[0.0, -1.0], [1.0, 0.0]])
    >>> est.dim_, bool(grassmann_distance(est.algebra_, np.kron(np.eye(2), j)[None]) < 0.05)
    (1, True)
    >>> w_a = est.action_generators_[0] / est.representation_.state.basis[0][0, 1]
    >>> bool(np.allclose(w_a, -j, atol=0.05))  # the force rotates with p and v
    True
    """

    def __init__(
        self,
        dim: int | None = None,
        affine: bool = False,
        *,
        use_actions: bool = True,
        k_neighbors: int | None = None,
        degree: int = 2,
        n_bootstrap: int = 16,
        bandwidth_check: bool = True,
        n_anchors: int = 3000,
        metric=None,
        tangent_dim: int | None = None,
        min_gap: float = DEFAULT_MIN_GAP,
        noise_tol: float = DEFAULT_NOISE_TOL,
        rng=None,
        progress: bool = False,
        n_jobs: int | None = None,
    ) -> None:
        self.dim = dim
        self.affine = affine
        self.use_actions = use_actions
        self.k_neighbors = k_neighbors
        self.degree = degree
        self.n_bootstrap = n_bootstrap
        self.bandwidth_check = bandwidth_check
        self.n_anchors = n_anchors
        self.metric = metric
        self.tangent_dim = tangent_dim
        self.min_gap = min_gap
        self.noise_tol = noise_tol
        self.rng = rng
        self.progress = progress
        self.n_jobs = n_jobs

    @respects_n_jobs
    def fit(self, states, actions=None, next_states=None, rewards=None) -> "EquivarianceDiscovery":
        """Estimate local Jacobians and take the null space of the equivariance constraints.

        Parameters
        ----------
        states : array-like, shape=[N, n], or Transitions
            States, or a :class:`~liesym.data.Transitions` record holding the transitions
            (then leave the other arguments None; its rewards are used as ``rewards``).
        actions : array-like, shape=[N, m]
            Any dimension m (the action representation is separate).
        next_states : array-like, shape=[N, n]
        rewards : array-like, shape=[N], optional
            When given, the reward is required to be invariant too (the system algebra:
            dynamics symmetries that are also reward symmetries).

        Returns
        -------
        self
        """
        s, a, s2, r = transition_arrays(states, actions, next_states, rewards)
        n_pts, n = s.shape
        m = a.shape[1]
        n_anchors = as_count(self.n_anchors, "n_anchors")
        if self.degree not in (1, 2, 3):
            raise ValueError(f"degree: expected 1, 2 or 3, got {self.degree!r}")
        if (
            isinstance(self.n_bootstrap, bool)
            or not isinstance(self.n_bootstrap, int | np.integer)
            or self.n_bootstrap < 0
        ):
            raise ValueError(
                f"n_bootstrap: expected a non-negative integer, got {self.n_bootstrap!r}"
            )
        if self.k_neighbors is not None:
            as_count(self.k_neighbors, "k_neighbors")
        if self.tangent_dim is not None:
            as_count(self.tangent_dim, "tangent_dim")
            if self.tangent_dim > n:
                raise ValueError(
                    f"tangent_dim: expected at most the state dimension {n}, got {self.tangent_dim}"
                )
        metric = _check_metric(self.metric, n + m)
        ns = n + 1 if self.affine else n
        p = n * ns + m * m
        dim = check_dim(self.dim, p, "the pair (W_S, W_A)")
        rng = as_rng(self.rng)
        anchors = np.sort(rng.choice(n_pts, size=min(n_anchors, n_pts), replace=False))

        # Everything in standardised coordinates, so that channels of different units (angles,
        # velocities, positions) weigh alike in the neighbourhoods and in the unknowns; an
        # exact symmetry stays exact (conjugated by the scaling), mapped back at the end.
        scale_s, scale_a = _scales(np.concatenate([s, s2])), _scales(a)
        s, s2, a = s / scale_s, s2 / scale_s, a / scale_a
        if r is not None:
            r = r / _scales(r[:, None])[0]
        z = np.concatenate([s, a], axis=1)
        workers = as_n_jobs(self.n_jobs)
        tree = scipy.spatial.cKDTree(z)
        d = self.tangent_dim
        if d is None:
            # Enough neighbours to test every candidate dimension (a quadratic in n - 1).
            k_dim = min(n_pts - 1, max(40, 2 * _n_coef(n - 1, 2)))
            few = anchors[:_DIM_ANCHORS]
            nb_dim = tree.query(z[few], k=k_dim + 1, workers=workers)[1]
            d = tangent_dimension(s[nb_dim] - s[few, None])
        self.tangent_dim_ = int(d)
        n_coef = _n_coef(d + m, self.degree)
        k = max(40, 2 * n_coef) if self.k_neighbors is None else int(self.k_neighbors)
        if k < n_coef + 2:
            raise ValueError(
                f"k_neighbors: the local regressions have {n_coef} coefficients; need at least "
                f"{n_coef + 2} neighbours, got {k}"
            )
        if n_pts < k + 1:
            raise ValueError(
                f"states: {n_pts} transitions are too few for neighbourhoods of {k} (need more "
                f"than {k})"
            )
        fit_rows = dict(d=d, affine=self.affine, degree=self.degree, progress=self.progress)
        if isinstance(metric, str):
            fit = dict(fit_rows, progress=False)
            few = anchors[:: max(1, anchors.size // _METRIC_ANCHORS)][:_METRIC_ANCHORS]
            metric = _choose_metric(s, a, s2, r, z, few, k, fit, workers)
        self.metric_ = np.ones(n + m) if metric is None else metric
        zw = z if metric is None else z * metric  # z stays unweighted for _metric_checks
        if metric is not None:
            tree = scipy.spatial.cKDTree(zw)
        # One query serves both bandwidths of the bias check (the first k + 1 are the fit's).
        k2 = 2 * k if self.bandwidth_check and n_pts > 2 * k + 1 else k
        nb_all = tree.query(zw[anchors], k=k2 + 1, workers=workers)[1]
        anchor_rows, models = _weighted_rows(s, a, s2, r, anchors, nb_all[:, : k + 1], **fit_rows)
        # The action moment is one mean over N actions: it weighs like all anchors together
        # (its own sampling error would weigh it far less than the precise dynamics rows, and
        # leave W_A's symmetric part only as determined as the projection's few anchors make
        # it). The fit then satisfies it almost exactly, so its sampling error moves the
        # estimate (resampled by the bootstrap) rather than raising the residual: it is not
        # part of the noise floor.
        weight = float(np.linalg.norm(anchor_rows)) if self.use_actions else 0.0
        rr = _stack_r(anchor_rows, None, a, None, weight, n * ns)
        cand = spectrum(rr, p)[1][0]
        # Feasible GLS, second step: a row's error is its output's residual times the error
        # of the Jacobian along the candidate's vector field, which is large where the
        # anchor sits at the edge of its neighbourhood (a channel of weight 0 in the
        # neighbour search, a rare state): there the fit extrapolates, and 1 % of Reacher's
        # anchors carried half its residual. Every fit (and the bias checks' refits) is
        # reweighted by its rows' whole predicted error under this first candidate.
        reweight = functools.partial(
            _reweighted, w_s=cand[: n * ns].reshape(n, ns), w_a=cand[n * ns :].reshape(m, m)
        )
        anchor_rows, models = reweight(anchor_rows, models)
        weight = float(np.linalg.norm(anchor_rows)) if self.use_actions else 0.0
        rr = _stack_r(anchor_rows, None, a, None, weight, n * ns)
        # Noise floor: the residual the best candidate would have if it were an exact
        # symmetry, from the regressions' own error model (twice, for a margin).
        cand = spectrum(rr, p)[1][0]
        w_s0, w_a0 = cand[: n * ns].reshape(n, ns), cand[n * ns :].reshape(m, m)
        pred = [mdl.residual(w_s0, w_a0) for mdl in models]
        floor = 2.0 * float(np.sqrt(np.sum(np.square(pred))))
        null = null_space(
            rr, p, dim=dim, noise_floor=floor, min_gap=self.min_gap, noise_tol=self.noise_tol
        )
        self.singular_values_ = null.singular_values
        self.gap_ = null.gap
        self.noise_floor_ = floor
        self.dim_ = null.dim
        self.n_anchors_ = int(anchors.size)
        self.representation_ = self.algebra_ = None
        self.action_generators_ = np.zeros((0, m, m))
        self.action_norm_ = np.zeros(0)
        self.uncertainty_ = spectral_uncertainty(null.singular_values, null.dim)
        self.bootstrap_angles_ = np.zeros((0, null.dim))
        self.bias_ = float("nan")
        self.zero_channel_bias_ = float("nan")
        if null.dim:
            vec = null.basis
            w_s = _in_data_units(vec, scale_s, n, ns)
            w_a = vec[:, n * ns :].reshape(-1, m, m)
            w_a = scale_a[:, None] * w_a / scale_a[None, :]
            if self.affine:
                w_s = np.concatenate([w_s, np.zeros((null.dim, 1, n + 1))], axis=1)
                state = LieAlgebra(w_s, affine=True)
                # Carry W_A through the change of basis that normalised the state generators.
                change = np.linalg.lstsq(
                    w_s.reshape(null.dim, -1).T, state.basis.reshape(null.dim, -1).T, rcond=None
                )[0]
                rep = Representation(state, np.tensordot(change.T, w_a, axes=1))
            else:
                rep = Representation(w_s, w_a)
            self.representation_ = rep
            self.algebra_ = rep.state
            self.action_generators_ = rep.action
            norms = np.linalg.norm(rep.state.basis.reshape(null.dim, -1), axis=1)
            self.action_norm_ = np.linalg.norm(rep.action.reshape(null.dim, -1), axis=1) / norms
            fit2, augmented = None, None
            if k2 > k:
                rows2 = reweight(*_weighted_rows(s, a, s2, r, anchors, nb_all, **fit_rows))[0]
                fit2 = (rows2, float(np.linalg.norm(rows2)) if self.use_actions else 0.0)
            # Bias of degree-p local polynomial Jacobians grows like h^p, h ~ k^(1/D) for D
            # regression inputs: doubling k multiplies it by c = 2^(p/D).
            factor = 2.0 ** (self.degree / (d + m)) - 1.0
            if metric is not None and k2 > k:
                factor, augmented = _metric_checks(
                    z,
                    anchors,
                    nb_all,
                    k,
                    metric,
                    self.degree,
                    self.use_actions,
                    fit_rows,
                    (s, a, s2, r),
                    reweight,
                )
            self._bootstrap(
                anchor_rows, fit2, augmented, a, weight, n * ns, (scale_s, scale_a), rng, factor
            )
        return self

    def _bootstrap(
        self, anchor_rows, fit2, augmented, a, weight, n_state, scales, rng, factor
    ) -> None:
        """Poisson(1) weights on anchors and actions; angles to the estimate; bias bounds.

        With ``fit2`` (the rows at twice the neighbours) each draw also re-solves those with
        the same weights: the spread of the paired differences is the noise of the observed
        difference, and what the difference exceeds it by is the change of the bias. The
        ``augmented`` refit of ``fit2`` (see :func:`_metric_checks`) is compared with it the
        same way.
        """
        from liesym.algebra import principal_angles

        p, k = anchor_rows.shape[2], self.dim_
        n = scales[0].size
        ns = n_state // n

        def solve(rows, w_anchor, w_action, wt):
            vec = spectrum(_stack_r(rows, w_anchor, a, w_action, wt, n_state), p)[1][:k]
            w_s = _in_data_units(vec, scales[0], n, ns)
            q = np.linalg.qr(w_s.reshape(k, -1).T)[0]
            return w_s, q @ q.T  # data-unit generators, projector onto their span

        angles, diffs, diffs_z = [], [], []
        aug = augmented is not None and augmented[0] is not None
        for _ in range(self.n_bootstrap):
            wa = np.sqrt(rng.poisson(1.0, size=anchor_rows.shape[0]).astype(float))
            wm = rng.poisson(1.0, size=a.shape[0]).astype(float)
            w_s, proj = solve(anchor_rows, wa, wm, weight)
            if self.affine:
                w_s = np.concatenate([w_s, np.zeros((k, 1, n + 1))], axis=1)
            angles.append(principal_angles(w_s, self.algebra_.basis))
            if fit2 is not None:
                proj2 = solve(fit2[0], wa, wm, fit2[1])[1]
                diffs.append(proj - proj2)
                if aug:
                    diffs_z.append(proj2 - solve(augmented[0], wa, wm, augmented[1])[1])
        self.bootstrap_angles_ = np.array(angles).reshape(-1, k)
        if self.n_bootstrap:
            spread = float(np.sqrt(np.mean(self.bootstrap_angles_.max(axis=1) ** 2)))
            source = f"bootstrap spread ({self.n_bootstrap} Poisson draws over anchors and actions)"
        else:
            spread, source = self.uncertainty_.angle, self.uncertainty_.source
        systematic = 0.0
        if fit2 is not None:

            def change_and_noise(p1, p2, draws):
                # |P1 - P2|_F = sqrt(2) |sin theta| for small principal angles theta.
                change = float(np.linalg.norm(p1 - p2)) / np.sqrt(2.0)
                noise = float(np.sqrt(np.sum(np.var(draws, axis=0)) / 2.0)) if draws else 0.0
                return change, noise

            q = np.linalg.qr(self.algebra_.basis[:, :n].reshape(k, -1).T)[0]
            proj2 = solve(fit2[0], None, None, fit2[1])[1]
            change, noise = change_and_noise(q @ q.T, proj2, diffs)
            # The change is D = (1 - c) B + e for the bias B at k and the noise e of the
            # paired difference, so |B| <= (|D| + |e|) / (c - 1): an upper bound (never 0
            # when the two fits differ), with |e| taken at its bootstrap RMS.
            self.bias_ = (change + noise) / factor
            systematic = change / factor
            source += (
                f" plus the bias bound of the local fits ({self.bias_:.2g} rad: change "
                f"{change:.2g} rad from 2x neighbours, its noise {noise:.2g} rad"
            )
            if augmented is not None:
                if aug:
                    change, noise = change_and_noise(
                        proj2, solve(augmented[0], None, None, augmented[1])[1], diffs_z
                    )
                    self.zero_channel_bias_ = change + noise
                    systematic += change
                    how = f"change {change:.2g} rad, its noise {noise:.2g} rad"
                else:
                    self.zero_channel_bias_ = np.pi / 2
                    systematic += np.pi / 2
                    how = f"too few neighbours for its {augmented[2]} coefficients: unbounded"
                self.bias_ += self.zero_channel_bias_
                source += (
                    f"; plus {self.zero_channel_bias_:.2g} rad for the channels of weight 0, "
                    f"from a refit with their leading bias terms ({how})"
                )
            source += ")"
            # The error is the noise of the estimate plus its bias (triangle inequality).
            spread += self.bias_
        self.uncertainty_ = Uncertainty(spread, source, systematic=systematic)


@dataclass(frozen=True)
class _ErrorModel:
    """Per-anchor regression errors: covariance factor, residual variances, geometry."""

    cov: np.ndarray  # (A, q1, q1) (X^T X)^-1 of the intercept and linear coefficients
    sigma2: np.ndarray  # (A, rows) residual variance of the output behind each row
    tan: np.ndarray  # (A, n, d)
    sh: np.ndarray  # (A, ns) anchor states (homogeneous when affine)
    a0: np.ndarray  # (A, m)
    n_out: int  # rows from outputs with a Jacobian (next states, reward); the rest: normals
    weight: np.ndarray  # (A, rows) row weights

    def row_variance(self, w_s: np.ndarray, w_a: np.ndarray) -> np.ndarray:
        """Predicted variance (A, rows) of each unweighted constraint row of (w_s, w_a).

        The residual of a row is ``(W dF0)_i - dJ_i W s - dJ_a,i W_A a`` for the estimation
        errors dF0, dJ of the regression (for a tangency row, ``dL_r T^T W s`` for the error
        of the tilt); correlations between them are neglected.
        """
        n, d = self.tan.shape[1:]
        ws = w_s @ self.sh.T  # (n, A)
        v = np.concatenate(
            [
                np.zeros((1, ws.shape[1])),
                np.einsum("and,na->da", self.tan, ws),
                w_a @ self.a0.T,
            ]
        ).T  # (A, q1)
        quad = np.einsum("aq,aqp,ap->a", v, self.cov, v)
        vt = v[:, 1 : 1 + d]
        quad_t = np.einsum("aq,aqp,ap->a", vt, self.cov[:, 1 : 1 + d, 1 : 1 + d], vt)
        jac = np.arange(self.sigma2.shape[1]) < self.n_out
        var = self.sigma2 * np.where(jac, quad[:, None], quad_t[:, None])
        # Row i of W dF0 mixes the errors of the outputs its row of W touches.
        var[:, :n] += self.cov[:, 0, 0, None] * (self.sigma2[:, :n] @ (w_s[:, :n] ** 2).T)
        return var

    def residual(self, w_s: np.ndarray, w_a: np.ndarray) -> float:
        """Predicted norm of the weighted constraint residuals of (w_s, w_a) if it were exact."""
        return float(np.sqrt(np.sum(self.row_variance(w_s, w_a) * self.weight**2)))


def _in_data_units(vec: np.ndarray, scale_s: np.ndarray, n: int, ns: int) -> np.ndarray:
    """State generators of null vectors found in standardised units: W = D W' D^-1.

    (A translation column scales by D alone.)
    """
    inv = np.concatenate([1.0 / scale_s, [1.0]])[:ns]
    return scale_s[:, None] * vec[:, : n * ns].reshape(-1, n, ns) * inv[None, :]


def _weighted_rows(s, a, s2, r, anchors, nb, *, d, affine, degree, progress, zero=None):
    """Constraint rows of all anchors, weighted by generalised least squares (see below)."""
    ds = s[nb] - s[anchors, None]  # (A, k+1, n)
    d_vt = np.linalg.svd(ds - ds.mean(axis=1, keepdims=True), full_matrices=False)[2]
    rows, models = [], []
    size = max(1, min(_BLOCK, _BLOCK_ENTRIES // (nb.shape[1] * _n_coef(d + a.shape[1], degree))))
    blocks = range(0, anchors.size, size)
    for start in _progress(blocks, enable=progress, desc="anchors"):
        sl = slice(start, start + size)
        rw, model = _anchor_rows(
            s, a, s2, r, anchors[sl], nb[sl], d_vt[sl], d, affine, degree, zero
        )
        rows.append(rw)
        models.append(model)
    # Generalised least squares: each constraint row is divided by the residual std of
    # the regression it comes from (its output channel at its anchor). Channels differ
    # by orders of magnitude in how well one step predicts them (Reacher's joint
    # velocities are fit 50x better than its angles, in standardised units), and a
    # weakly constrained direction of the unknowns (rows into the velocities, which enter
    # the other outputs only through dt) is fixed by the precise equations only when
    # they carry their precision. Each output's std is floored at its median over anchors
    # / _MAX_WEIGHT: a few overconfident fits cannot dominate, and badly fitted anchors
    # (a joint limit, a kink of the action projection) count less.
    sd = np.sqrt(np.concatenate([mdl.sigma2 for mdl in models]))  # (A, rows per anchor)
    return _weigh(np.concatenate(rows), models, sd)  # (A, rows per anchor, p)


def _reweighted(rows, models, w_s, w_a):
    """Rows and models reweighted by each row's whole predicted error under (w_s, w_a).

    The weight is 1 / sd of the row's predicted residual if (w_s, w_a) were exact (its
    output's residual times the Jacobian's error along the vector field, plus the fitted
    value's), floored like the first step's (:func:`_weigh`).
    """
    sd = np.sqrt(np.concatenate([mdl.row_variance(w_s, w_a) for mdl in models]))  # (A, rows)
    return _weigh(rows, models, sd, old=np.concatenate([mdl.weight for mdl in models]))


def _weigh(rows, models, sd, old=None):
    """Rows (A, rows, p) and their anchor blocks' models weighted by 1 / sd.

    Each row's sd is floored at its median over anchors / ``_MAX_WEIGHT``, so a few
    overconfident fits cannot dominate. ``old``: the weights ``rows`` already carry
    (replaced, not compounded).
    """
    ref = np.median(sd, axis=0)
    tiny = np.finfo(float).eps * max(1.0, float(np.max(ref)))
    new = 1.0 / np.maximum(sd, np.maximum(ref / _MAX_WEIGHT, tiny))
    out, start = [], 0
    for mdl in models:
        size = mdl.weight.shape[0]
        out.append(dataclasses.replace(mdl, weight=new[start : start + size]))
        start += size
    return rows * (new if old is None else new / old)[:, :, None], out


def _stack_r(anchor_rows, anchor_w, a, action_w, weight, n_state) -> np.ndarray:
    """R factor of the weighted anchor rows and the action-moment block."""
    p = anchor_rows.shape[2]
    m = a.shape[1]
    rows = anchor_rows if anchor_w is None else anchor_rows * anchor_w[:, None, None]
    blocks = [rows.reshape(-1, p)]
    if weight:
        wm = np.ones(a.shape[0]) if action_w is None else action_w
        mom = (a.T * wm) @ a / max(wm.sum(), 1.0)
        if np.linalg.norm(mom) > 0:
            eye = np.eye(m * m).reshape(m * m, m, m)
            op = (eye @ mom + mom @ np.swapaxes(eye, 1, 2)).reshape(m * m, -1).T
            op = weight * op / np.linalg.norm(mom)
            blocks.append(np.concatenate([np.zeros((m * m, n_state)), op], axis=1))
    return square_r(r_factor(iter(blocks), p), p)


def _check_metric(metric, n_channels: int):
    """None, "auto" or non-negative finite weights of the channels, not all zero."""
    if metric is None or (isinstance(metric, str) and metric == "auto"):
        return metric
    if isinstance(metric, str):
        raise ValueError(f"metric: expected None, 'auto' or {n_channels} weights, got {metric!r}")
    w = as_finite_array(metric, "metric", ndim=1)
    if w.shape != (n_channels,) or np.any(w < 0) or not np.any(w > 0):
        raise ValueError(
            f"metric: expected {n_channels} non-negative weights (state then action channels), "
            f"not all zero, got {w.tolist()}"
        )
    return w


def _choose_metric(s, a, s2, r, z, anchors, k, fit, workers=1) -> np.ndarray:
    """Channel weights of the neighbour search under which every output is fitted better.

    Coordinate search from equal weights: each channel's weight times 0, 1/3 or 3, kept when
    no output's median residual standard deviation (over ``anchors``) grows by more than 2 %
    and their geometric mean falls by at least 2 % (a Pareto step: no output is traded for
    another, e.g. the reward's fit for the dynamics').
    """
    floor = 1e-10  # residuals of exact fits stay at rounding level: no change counts there

    def residuals(w):
        nb = scipy.spatial.cKDTree(z * w).query(z[anchors] * w, k=k + 1, workers=workers)[1]
        _, models = _weighted_rows(s, a, s2, r, anchors, nb, **fit)
        sd = np.sqrt(np.concatenate([mdl.sigma2 for mdl in models]))
        return np.maximum(np.median(sd, axis=0), floor)

    w = np.ones(z.shape[1])
    best = residuals(w)
    for _ in range(_METRIC_SWEEPS):
        changed = False
        for j in range(w.size):
            for factor in (0.0, 1.0 / 3.0, 3.0):
                trial = w.copy()
                trial[j] *= factor
                if trial[j] == w[j] or not np.any(trial > 0):
                    continue
                sd = residuals(trial)
                if np.all(sd <= 1.02 * best) and np.mean(np.log(sd / best)) < np.log(0.98):
                    w, best, changed = trial, sd, True
        if not changed:
            break
    return w


def _metric_checks(z, anchors, nb, k, metric, degree, use_actions, fit_rows, data, reweight):
    """Bias factor of the 2x-neighbour check in a metric, and the refit for its zero weights.

    A weighted neighbourhood is no D-dimensional ball, so the bias factor ``c - 1`` comes from
    measured growth: each channel's neighbour spread (RMS offset) from k to 2k neighbours
    (median over anchors), and the *smallest* growth g over the varying channels of positive
    weight (a Jacobian bias term of a degree-p fit is a product of p channel extents; a
    channel whose extent is capped by the data's range grows little and makes the bound
    large rather than wrong).

    A channel of weight 0 spans the data's range at every k. Of the leading (degree p + 1)
    terms of the step map's Taylor series, those with at least p factors in such channels
    give Jacobians (and fitted values) a bias that does not change from k to 2k: the
    2x-neighbour change cancels it exactly and cannot see it (the other terms shrink with
    k and are seen, as without a metric). The 2k neighbourhoods are therefore refitted
    with exactly those monomials added (degree p + 1 in the zero-weight channels' offsets,
    and degree p in them times each other input): the refit removes that bias, so the
    change of the estimate, plus its paired bootstrap noise, bounds it (no division: the
    whole bias is removed, not a fraction of it).

    Returns ``(factor, augmented)``: ``augmented`` is None without varying zero-weight
    channels, else ``(rows, moment weight, n_extra)`` of the refit, or ``(None, None,
    n_extra)`` when the 2k neighbours are too few for its coefficients (no bound: the
    estimator then reports an unbounded bias rather than a wrong one).
    """
    off = z[nb] - z[anchors, None]  # (A, 2k + 1, channels); nb sorted by weighted distance
    spread = [np.sqrt(np.mean(off[:, 1 : j + 1] ** 2, axis=1)) for j in (k, nb.shape[1] - 1)]
    varies = np.all(spread[0] > 0, axis=0)
    growth = [
        float(np.median(spread[1][:, j] / spread[0][:, j]))
        for j in np.flatnonzero((metric > 0) & varies)
    ]
    # Floored: a check that sees no growth gives a huge (finite) bound, i.e. no certificate.
    factor = max(min(growth) ** degree - 1.0, 1e-6) if growth else 1e-6
    zero = np.flatnonzero((metric == 0) & np.any(off != 0, axis=(0, 1)))
    if zero.size == 0:
        return factor, None
    extra = dict(fit_rows, zero=zero)
    n_coef = _n_coef(fit_rows["d"] + data[1].shape[1], degree) + _n_extra(
        zero, data[0].shape[1], fit_rows["d"], data[1].shape[1], degree
    )
    if nb.shape[1] < n_coef + 2:
        return factor, (None, None, n_coef)
    rows = reweight(*_weighted_rows(*data, anchors, nb, **extra))[0]
    return factor, (rows, float(np.linalg.norm(rows)) if use_actions else 0.0, n_coef)


def _other_inputs(lin_s, da, tan, zero, n):
    """Inputs of positive weight: tangent directions off the zero-weight channels, actions.

    The tangent coordinates are rotated (per anchor) by the right singular vectors of the
    tangent basis restricted to the positive-weight state channels; those with singular
    value above 1/sqrt(2) (directions mostly in positive channels) are kept, with the
    actions of positive weight. Without the
    rotation a zero-weight state channel would also appear among these inputs, and its
    products would nearly repeat the pure monomials of the zero-weight offsets.
    """
    zero_s = zero[zero < n]
    pos = np.setdiff1d(np.arange(n), zero_s)
    _, sv, vh = np.linalg.svd(tan[:, pos, :], full_matrices=False)
    d_pos = int(np.median(np.sum(sv > np.sqrt(0.5), axis=1)))
    others = [lin_s @ np.swapaxes(vh[:, :d_pos], 1, 2)]
    pos_a = np.setdiff1d(np.arange(da.shape[-1]), zero[zero >= n] - n)
    others.append(da[..., pos_a])
    return np.concatenate(others, axis=-1)


def _n_other_inputs(zero, n, d, m) -> int:
    """Upper bound on the number of inputs of :func:`_other_inputs` (for the size check)."""
    return d + m - int(np.sum(zero >= n))


def _extra_terms(n_z: int, n_other: int, degree: int) -> list:
    """Index tuples of the zero-weight refit's monomials in ``[offsets, others]``.

    Degrees p + 1 .. p + _ZERO_DEGREES with at most one factor from ``others``: the terms
    whose bias the 2x-neighbour check cannot see (see :func:`_metric_checks`).
    """
    return [
        idx
        for t in range(degree + 1, degree + 1 + _ZERO_DEGREES)
        for idx in combinations_with_replacement(range(n_z + n_other), t)
        if sum(i >= n_z for i in idx) <= 1
    ]


def _n_extra(zero, n, d, m, degree) -> int:
    """Number of monomials the zero-weight refit adds."""
    return len(_extra_terms(zero.size, max(_n_other_inputs(zero, n, d, m), 0), degree))


def _extra_monomials(offsets, others, degree) -> np.ndarray:
    """The zero-weight refit's monomials (:func:`_extra_terms`) of ``[offsets, others]``."""
    v = np.concatenate([offsets, others], axis=-1)
    terms = _extra_terms(offsets.shape[-1], others.shape[-1], degree)
    return np.stack([np.prod(v[..., list(idx)], axis=-1) for idx in terms], axis=-1)


def _n_coef(n_inputs: int, degree: int) -> int:
    """Number of monomials of degree <= ``degree`` in ``n_inputs`` variables."""
    return math.comb(n_inputs + degree, degree)


def _scales(x: np.ndarray) -> np.ndarray:
    """Standard deviation of each column (1 for constant columns)."""
    sd = x.std(axis=0)
    return np.where(sd > 1e-12 * max(1.0, float(np.abs(x).max())), sd, 1.0)


def _least_squares(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batched least squares ``x b = y`` by the normal equations, and ``(x^T x)^-1``.

    The columns are scaled to unit norm first, so the Gram matrix of a well-posed local
    design (monomials of offsets of very different sizes) is well conditioned; batched SVDs
    (``pinv``) cost far more for the q ~ 165 columns of a cubic fit in 8 inputs.
    """
    sc = np.sqrt(np.sum(x**2, axis=1))  # (A, q)
    sc = np.where(sc > 0, sc, 1.0)
    xs = x / sc[:, None, :]
    gram = np.swapaxes(xs, 1, 2) @ xs
    q = gram.shape[-1]
    # A relative jitter at rounding level keeps exactly collinear columns solvable.
    gram = gram + (q * np.finfo(float).eps) * np.eye(q)
    inv = np.linalg.inv(gram) / (sc[:, :, None] * sc[:, None, :])
    inv = 0.5 * (inv + np.swapaxes(inv, 1, 2))
    return inv @ (np.swapaxes(x, 1, 2) @ y), inv


def _anchor_rows(s, a, s2, r, anchors, nb, vt, d, affine, degree, zero=None):
    """Constraint rows and their error scales for one block of anchors.

    Returns the stacked rows (unweighted: one per regression output, the next states, the
    reward, the normal coordinates) and what the regressions' error model and the row
    weights need (:class:`_ErrorModel`).
    """
    n, m = s.shape[1], a.shape[1]
    n_a, kk = nb.shape
    tan = np.swapaxes(vt[:, :d], 1, 2)  # (A, n, d) orthonormal tangent basis
    nor = np.swapaxes(vt[:, d:], 1, 2)  # (A, n, n - d) normals
    s0, a0 = s[anchors], a[anchors]
    ds = s[nb] - s0[:, None]
    da = a[nb] - a0[:, None]
    lin = np.concatenate([ds @ tan, da], axis=2)  # (A, k, d + m)
    x = monomials(lin, degree)  # coef rows: constant 0, linear 1..d+m, then degrees 2..degree
    if zero is not None:  # the zero-weight refit of _metric_checks: extra columns at the end
        offsets = np.concatenate([ds, da], axis=2)[..., zero]
        others = _other_inputs(lin[..., :d], da, tan, zero, n)
        x = np.concatenate([x, _extra_monomials(offsets, others, degree)], axis=2)
    # Outputs: next states, reward, and the normal coordinates of the neighbours (whose linear
    # part is the tilt of the tangent space at the anchor: second-order accurate tangents).
    outs = [s2[nb]]
    if r is not None:
        outs.append(r[nb][..., None])
    outs.append(ds @ nor)
    y = np.concatenate(outs, axis=2)
    coef, inv_gram = _least_squares(x, y)  # (A, q, out), (A, q, q)
    res = y - x @ coef
    dof = max(kk - x.shape[2], 1)
    n_out = n + (r is not None)
    sigma2 = np.sum(res**2, axis=1) / dof  # (A, out + normals): one per constraint row
    f0 = coef[:, 0, :n]  # fitted F at the anchor
    j_s = np.swapaxes(coef[:, 1 : 1 + d, :n_out], 1, 2) @ np.swapaxes(tan, 1, 2)  # (A, out, n)
    j_a = np.swapaxes(coef[:, 1 + d : 1 + d + m, :n_out], 1, 2)  # (A, out, m)
    tilt = np.swapaxes(coef[:, 1 : 1 + d, n_out:], 1, 2)  # (A, n - d, d)
    # Tangent vectors are (T + N L) c: the normal part of W s must equal L T^T W s.
    nor = np.swapaxes(nor, 1, 2) - tilt @ np.swapaxes(tan, 1, 2)  # (A, n - d, n) rows
    one = np.ones((n_a, 1))
    sh = np.concatenate([s0, one], axis=1) if affine else s0
    yh = np.concatenate([f0, one], axis=1) if affine else f0
    ns = sh.shape[1]
    eye = np.broadcast_to(np.eye(n), (n_a, n, n))
    # Equivariance: W_S F - D_sF W_S s - D_aF W_A a = 0 (rows r of F; unknowns row-major).
    eq_s = np.einsum("arc,aj->arcj", eye, yh) - np.einsum("arc,aj->arcj", j_s[:, :n], sh)
    eq_a = -np.einsum("arc,aj->arcj", j_a[:, :n], a0)
    blocks = [np.concatenate([eq_s.reshape(n_a, n, n * ns), eq_a.reshape(n_a, n, m * m)], axis=2)]
    if r is not None:
        rw_s = np.einsum("ac,aj->acj", j_s[:, n], sh).reshape(n_a, 1, n * ns)
        rw_a = np.einsum("ac,aj->acj", j_a[:, n], a0).reshape(n_a, 1, m * m)
        blocks.append(np.concatenate([rw_s, rw_a], axis=2))
    if d < n:
        tg = np.einsum("arc,aj->arcj", nor, sh).reshape(n_a, -1, n * ns)
        blocks.append(np.concatenate([tg, np.zeros((n_a, tg.shape[1], m * m))], axis=2))
    rows = np.concatenate(blocks, axis=1)
    q1 = 1 + d + m
    # A copy: a view would keep every anchor's whole (q, q) inverse alive with the model
    # (at degree 3, 0.2 MB per anchor: 2.6 GB of Reacher's 12,000 anchors).
    cov = inv_gram[:, :q1, :q1].copy()  # (X^T X)^-1, intercept and linear block
    info = _ErrorModel(cov, sigma2, tan, sh, a0, n_out, np.ones_like(sigma2))
    return rows, info
