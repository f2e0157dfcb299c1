"""Compact matrix Lie groups in the chart of their invariant form, backed by geomstats.

A linear Lie algebra g is the algebra of a compact group when an invariant inner product
M ≻ 0 exists (``W^T M + M W = 0`` for every generator W). In the chart ``x -> M^{1/2} x``
the generators become skew-symmetric, ``W^ = M^{1/2} W M^{-1/2}``, and the group is a
subgroup of SO(n): all of it when ``g^ = so(n)``, a subgroup otherwise. geomstats'
``SpecialOrthogonal(n)`` with its bi-invariant metric supplies exp, log, geodesic distance
and the Fréchet mean in the chart; elements are handed out in the ORIGINAL coordinates,
``L = M^{-1/2} R M^{1/2}``.
"""

from dataclasses import dataclass

import numpy as np

from liesym._core import NotCertifiedError, as_finite_array, as_rng, as_square_matrix
from liesym.algebra import LieAlgebra, affine_fixed_point, sqrt_spd
from liesym.manifolds import _geomstats
from liesym.manifolds._rotations import rotation_angles, rotation_log, skew_exp

# Relative tolerance for "this matrix is a rotation in the chart": elements assembled from
# snapped (1e-6) generators are orthogonal to about that accuracy.
_MEMBER_TOL = 1e-6


def _linear_algebra(algebra: LieAlgebra, tol: float) -> LieAlgebra:
    """The linear algebra behind ``algebra``; refuses affine algebras that are not linear."""
    if not isinstance(algebra, LieAlgebra):
        raise ValueError(f"algebra: expected a LieAlgebra, got {type(algebra).__name__}")
    if not algebra.affine:
        return algebra
    w, b = algebra.linear_part, algebra.translation_part
    scale = max(1.0, float(np.abs(algebra.basis).max()))
    if np.abs(b).max() <= tol * scale:
        return LieAlgebra(w)
    # A compact group of affine maps fixes the centroid of every orbit, so a common fixed
    # point c (W_i c + b_i = 0 for all i) is necessary; without one the group is not compact.
    c, residual = affine_fixed_point(w, b, rcond=0.0)
    miss = residual * float(np.sqrt(np.sum(w**2) + np.sum(b**2)))
    if not np.isfinite(miss) or miss > tol * scale * np.sqrt(algebra.dim):
        raise NotCertifiedError(
            f"algebra: the affine generators ({algebra!r}) have no common fixed point "
            f"(least-squares miss {miss:.3g}), so they generate a non-compact group (e.g. "
            "translations): a compact group of affine maps fixes the centroid of each orbit. "
            "Bounded test-time search needs a compact task group."
        )
    raise ValueError(
        f"algebra: affine generators fixing the point c = {np.round(c, 6).tolist()}; translate "
        "coordinates by -c and pass the linear part (LieAlgebra(algebra.linear_part))"
    )


def _metric_from_verify(algebra: LieAlgebra) -> np.ndarray:
    """Invariant form certified by :func:`liesym.verify.verify`, as floats (the one link)."""
    try:
        from liesym.verify import verify
    except ImportError as err:
        raise NotCertifiedError(
            f"metric: none given and liesym.verify is unavailable ({err}); pass metric="
        ) from None
    report = verify(algebra)
    form = getattr(report, "invariant_form", None)
    if report.compact is not True or form is None:
        raise NotCertifiedError(
            f"algebra: {algebra!r} is not certified compact (verify(...).compact = "
            f"{report.compact}); a compact group needs an invariant form M > 0 with "
            "W^T M + M W = 0 for every generator"
        )
    return np.array(form.tolist(), dtype=np.float64)


def certified_metric(algebra: LieAlgebra, metric=None, *, tol: float = 1e-6):
    """The linear algebra and an invariant inner product M ≻ 0 that makes it compact.

    Parameters
    ----------
    algebra : LieAlgebra
        Linear, or affine with zero translation parts.
    metric : array-like, shape=[n, n], optional
        Invariant form to use. By default it is taken from
        ``liesym.verify.verify(algebra).invariant_form``.
    tol : float, optional, default: 1e-6
        Relative tolerance of the checks ``M = M^T``, ``M ≻ 0`` and
        ``|W^T M + M W| <= tol |W| |M|`` (generators snapped to exact numbers move by
        up to ``SNAP_TOL`` = 1e-6).

    Returns
    -------
    algebra : LieAlgebra
        The linear algebra.
    metric : ndarray, shape=[n, n]

    Raises
    ------
    NotCertifiedError
        When no invariant form is certified or the given one is not invariant and positive.

    Examples
    --------
    >>> from liesym.algebra import so
    >>> _, m = certified_metric(so(2), np.eye(2))
    >>> m.shape
    (2, 2)
    """
    algebra = _linear_algebra(algebra, tol)
    m = _metric_from_verify(algebra) if metric is None else as_square_matrix(metric, "metric")
    n = algebra.n
    if m.shape != (n, n):
        raise ValueError(f"metric: expected shape ({n}, {n}), got {m.shape}")
    scale = float(np.abs(m).max())
    if scale == 0.0 or np.abs(m - m.T).max() > tol * scale:
        raise ValueError("metric: expected a nonzero symmetric matrix")
    m = 0.5 * (m + m.T)
    eig = np.linalg.eigvalsh(m)
    if eig[0] <= tol * eig[-1]:
        raise NotCertifiedError(
            f"metric: not positive definite (eigenvalues {np.round(eig, 6).tolist()}); "
            "a compact group needs an invariant form M > 0"
        )
    w = algebra.basis
    resid = np.abs(np.swapaxes(w, -1, -2) @ m + m @ w).max(axis=(-1, -2))
    worst = float(resid.max() / (np.linalg.norm(m, 2) * np.abs(w).max()))
    if worst > tol:
        raise NotCertifiedError(
            f"metric: not invariant under {algebra!r} (relative |W^T M + M W| = {worst:.3g} > "
            f"{tol:.3g}); the algebra is not compact with this form"
        )
    return algebra, m


@dataclass(frozen=True, eq=False)
class CompactLieGroup:
    """A compact matrix Lie group seen through the chart ``x -> M^{1/2} x``.

    Build it with :meth:`from_algebra`. Elements are (n, n) matrices in the original
    coordinates; coordinates are exponential coordinates in ``algebra.basis``:
    ``exp(c) = expm(sum_i c_i W_i)``.

    Attributes
    ----------
    algebra : LieAlgebra
        The (linear) algebra, original coordinates.
    metric : ndarray, shape=[n, n]
        Invariant form M.
    chart, chart_inverse : ndarray, shape=[n, n]
        ``M^{1/2}`` and ``M^{-1/2}``.
    chart_basis : ndarray, shape=[k, n, n]
        Skew generators ``M^{1/2} W_i M^{-1/2}``.
    full : bool
        Whether the chart algebra is all of so(n) (the group is SO(n) in the chart); when
        it is not, exp/log/dist/Fréchet mean are those of SO(n) restricted to the subgroup
        (log projected on the subalgebra). The restriction is exact when the principal
        logarithm of every element lies in the subalgebra, as for one-parameter subgroups
        rotating a single plane (SO(2) in SO(3)); for windings such as
        ``blockdiag(R(t), R(2t))`` it is not.

    Examples
    --------
    >>> from liesym.algebra import so
    >>> c = np.diag([2.0, 0.5])  # ellipse chart: the group C SO(2) C^-1
    >>> alg = so(2).conjugate(c)
    >>> ci = np.linalg.inv(c)
    >>> m = ci.T @ ci
    >>> group = CompactLieGroup.from_algebra(alg, metric=m)
    >>> g = group.exp([0.7])
    >>> bool(np.allclose(g.T @ m @ g, m))  # g preserves the ellipse's form
    True
    >>> bool(np.allclose(group.exp(group.log(g)), g))
    True
    >>> r = group.to_chart(g)  # a rotation; the distance is its angle
    >>> bool(np.isclose(group.dist(group.identity, g), abs(np.arctan2(r[1, 0], r[0, 0]))))
    True
    """

    algebra: LieAlgebra
    metric: np.ndarray
    chart: np.ndarray
    chart_inverse: np.ndarray
    chart_basis: np.ndarray
    full: bool
    _coords_of: np.ndarray  # (n*n, k): chart skew matrix (flattened) -> coordinates
    _unit_basis: np.ndarray  # (k, n, n): chart basis orthonormal for tr(X^T Y) / 2

    @classmethod
    def from_algebra(
        cls, algebra: LieAlgebra, metric=None, *, tol: float = 1e-6
    ) -> "CompactLieGroup":
        """Group of a compact algebra in the chart of its invariant form.

        Parameters
        ----------
        algebra : LieAlgebra
        metric : array-like, shape=[n, n], optional
            Invariant form M; taken from :func:`liesym.verify.verify` when omitted.
        tol : float, optional, default: 1e-6
            See :func:`certified_metric`.

        Returns
        -------
        CompactLieGroup

        Raises
        ------
        NotCertifiedError
            When the algebra is not certified compact.
        """
        algebra, m = certified_metric(algebra, metric, tol=tol)
        s, s_inv = sqrt_spd(m)
        hat = s @ algebra.basis @ s_inv
        hat = 0.5 * (hat - np.swapaxes(hat, -1, -2))  # drop the round-off symmetric part
        n, k = algebra.n, algebra.dim
        flat = hat.reshape(k, -1)
        coords_of = np.linalg.pinv(flat)  # (n*n, k)
        # Orthonormal basis for <X, Y> = tr(X^T Y) / 2, the metric geomstats uses.
        unit = np.sqrt(2.0) * np.linalg.svd(flat, full_matrices=False)[2].reshape(k, n, n)
        for arr in (m, s, s_inv, hat, coords_of, unit):
            arr.setflags(write=False)
        return cls(
            algebra=algebra,
            metric=m,
            chart=s,
            chart_inverse=s_inv,
            chart_basis=hat,
            full=k == n * (n - 1) // 2,
            _coords_of=coords_of,
            _unit_basis=unit,
        )

    def __repr__(self) -> str:
        kind = f"SO({self.n})" if self.full else f"subgroup of SO({self.n})"
        return f"CompactLieGroup(dim={self.dim}, n={self.n}, chart={kind})"

    @property
    def n(self) -> int:
        """Matrix size n."""
        return self.algebra.n

    @property
    def dim(self) -> int:
        """Group dimension k."""
        return self.algebra.dim

    @property
    def identity(self) -> np.ndarray:
        """Identity element (n, n)."""
        return np.eye(self.n)

    # Chart conversions.
    def to_chart(self, element) -> np.ndarray:
        """Rotations ``M^{1/2} L M^{-1/2}`` of elements L, shape=[..., n, n]."""
        element = self._as_elements(element, "element")
        return self.chart @ element @ self.chart_inverse

    def from_chart(self, rotation) -> np.ndarray:
        """Elements ``M^{-1/2} R M^{1/2}`` in original coordinates, shape=[..., n, n]."""
        rotation = self._as_matrices(rotation, "rotation")
        return self.chart_inverse @ rotation @ self.chart

    # Group operations.
    def compose(self, a, b) -> np.ndarray:
        """Products ``a @ b``, shape=[..., n, n]."""
        return self._as_matrices(a, "a") @ self._as_matrices(b, "b")

    def inverse(self, element) -> np.ndarray:
        """Inverses, exact through the chart: ``M^{-1/2} R^T M^{1/2}``."""
        rot = self.to_chart(element)
        return self.from_chart(np.swapaxes(rot, -1, -2))

    def exp(self, coords) -> np.ndarray:
        """Elements ``expm(sum_i coords[..., i] W_i)`` (geomstats exp in the chart).

        Parameters
        ----------
        coords : array-like, shape=[..., k]

        Returns
        -------
        ndarray, shape=[..., n, n]
        """
        coords = as_finite_array(coords, "coords")
        if coords.shape[-1:] != (self.dim,):
            raise ValueError(f"coords: expected shape [..., {self.dim}], got {coords.shape}")
        skew = np.tensordot(coords, self.chart_basis, axes=([-1], [0]))
        return self.from_chart(_geomstats.group_exp(skew))

    def log(self, element) -> np.ndarray:
        """Exponential coordinates of the principal logarithm, shape=[..., k].

        Rotation angles are taken in [-pi, pi]; at exactly pi one of the two logarithms is
        returned (geomstats in general, the real Schur form at the cut locus).

        Parameters
        ----------
        element : array-like, shape=[..., n, n]

        Returns
        -------
        ndarray, shape=[..., k]
        """
        skew = rotation_log(self.to_chart(element))
        return skew.reshape(*skew.shape[:-2], -1) @ self._coords_of

    def dist(self, a, b) -> np.ndarray:
        """Bi-invariant geodesic distance (radians of rotation in the chart), shape=[...].

        Examples
        --------
        >>> from liesym.algebra import so
        >>> g = CompactLieGroup.from_algebra(so(3), np.eye(3))
        >>> round(float(g.dist(g.identity, -g.identity + 2 * np.diag([0, 0, 1]))), 6)
        3.141593
        """
        ra, rb = np.broadcast_arrays(self.to_chart(a), self.to_chart(b))
        try:
            return _geomstats.dist(ra, rb)
        except ValueError:  # geomstats refuses antipodal pairs; the Schur log does not
            rel = np.swapaxes(ra, -1, -2) @ rb
            return np.linalg.norm(rotation_log(rel), axis=(-1, -2)) / np.sqrt(2.0)

    def frechet_mean(self, elements, weights=None) -> np.ndarray:
        """Weighted Fréchet (Karcher) mean for the bi-invariant metric (geomstats).

        Parameters
        ----------
        elements : array-like, shape=[N, n, n]
        weights : array-like, shape=[N], optional
            Non-negative, not all zero.

        Returns
        -------
        ndarray, shape=[n, n]
        """
        rots = self.to_chart(elements)
        if rots.ndim != 3 or rots.shape[0] < 1:
            raise ValueError(f"elements: expected shape (N, {self.n}, {self.n}) with N >= 1")
        if weights is not None:
            weights = as_finite_array(weights, "weights", ndim=1)
            if weights.shape[0] != rots.shape[0] or weights.min() < 0 or weights.sum() <= 0:
                raise ValueError(
                    f"weights: expected {rots.shape[0]} non-negative weights, not all zero"
                )
        try:
            mean = _geomstats.frechet_mean(rots, weights)
        except ValueError:  # an antipodal pair on the way: plain Karcher iteration
            mean = _karcher_mean(rots, weights)
        if not self.full:  # stay on the subgroup despite round-off
            mean = self.to_chart(self.exp(self.log(self.from_chart(mean))))
        return self.from_chart(mean)

    def random(self, *, rng=None, size=()) -> np.ndarray:
        """Random elements, shape=[*size, n, n].

        Haar-distributed for SO(n) (QR of a Gaussian matrix); for a proper subgroup,
        exponentials of coordinates uniform in the principal domain (Haar for a circle).
        """
        rng = as_rng(rng)
        size = (size,) if np.isscalar(size) else tuple(size)
        count = int(np.prod(size, dtype=int))
        if self.full:
            q, r = np.linalg.qr(rng.normal(size=(count, self.n, self.n)))
            q = q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[:, None, :]
            q[:, :, 0] *= np.sign(np.linalg.det(q))[:, None]
            rot = q
        else:
            u = self._sample_principal(lambda m: rng.uniform(-1.0, 1.0, (m, self.dim)), count)
            rot = skew_exp(np.tensordot(u, self._unit_basis, axes=([-1], [0])))
        return self.from_chart(rot).reshape(*size, self.n, self.n)

    def act(self, element, points) -> np.ndarray:
        """Images ``L x`` of points (..., N, n) under elements (..., n, n), shape=[..., N, n]."""
        element = self._as_matrices(element, "element")
        points = as_finite_array(points, "points")
        if points.shape[-1] != self.n:
            raise ValueError(f"points: expected shape [..., N, {self.n}], got {points.shape}")
        return points @ np.swapaxes(element, -1, -2)

    # Helpers for search over the group (used by GroupInference).
    @property
    def principal_radius(self) -> float:
        """Radius of a ball (unit-basis coordinates) containing every principal logarithm."""
        return float(np.pi * np.sqrt(self.n // 2))

    def _sample_principal(self, draw, count: int) -> np.ndarray:
        """``count`` unit-basis coordinates u with largest rotation angle <= pi.

        ``draw(m)`` returns (m, k) points of the cube [-1, 1]^k; they are scaled to the
        ball of radius :attr:`principal_radius` and rejected outside the principal domain.
        """
        out, have = [], 0
        while have < count:
            u = draw(max(2 * (count - have), 16)) * self.principal_radius
            u = u[np.linalg.norm(u, axis=-1) <= self.principal_radius]
            skew = np.tensordot(u, self._unit_basis, axes=([-1], [0]))
            u = u[np.abs(np.linalg.eigvals(skew)).max(axis=-1, initial=0.0) <= np.pi + 1e-12]
            out.append(u)
            have += len(u)
        return np.concatenate(out)[:count]

    def _as_matrices(self, x, name: str) -> np.ndarray:
        x = as_finite_array(x, name)
        if x.shape[-2:] != (self.n, self.n):
            raise ValueError(f"{name}: expected shape [..., {self.n}, {self.n}], got {x.shape}")
        return x

    def _as_elements(self, x, name: str) -> np.ndarray:
        x = self._as_matrices(x, name)
        rot = self.chart @ x @ self.chart_inverse
        err = np.abs(np.swapaxes(rot, -1, -2) @ rot - np.eye(self.n)).max(initial=0.0)
        if err > _MEMBER_TOL or np.any(np.linalg.det(rot) <= 0):
            raise ValueError(
                f"{name}: not in the group (in the chart M^(1/2) x it must be a rotation; "
                f"|R^T R - I| = {err:.3g}, det = {np.round(np.linalg.det(rot), 6).min()})"
            )
        return x


def _karcher_mean(rots: np.ndarray, weights, iterations: int = 100) -> np.ndarray:
    """Fixed-point Karcher mean with the cut-locus-safe logarithm (fallback to geomstats)."""
    w = np.ones(len(rots)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    mean = rots[int(np.argmax(w))]
    for _ in range(iterations):
        step = np.tensordot(w, rotation_log(mean.T @ rots), axes=1)
        mean = mean @ skew_exp(step)
        if np.linalg.norm(step) < 1e-13:
            break
    return mean


__all__ = ["CompactLieGroup", "certified_metric", "rotation_angles"]
