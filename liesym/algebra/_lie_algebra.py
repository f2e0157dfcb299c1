"""The frozen :class:`LieAlgebra` record: a span of matrices with an orthonormal basis."""

from dataclasses import InitVar, dataclass, field

import numpy as np

from liesym._core import RANK_RTOL, as_finite_array, as_square_matrix
from liesym.algebra import _ops


@dataclass(frozen=True, eq=False)
class LieAlgebra:
    """A matrix Lie algebra, stored as an orthonormal Frobenius basis of its span.

    Parameters
    ----------
    basis : array-like, shape=[k, n, n] or [n, n]
        Any spanning set; dependent directions are dropped (rank-revealing SVD).
    affine : bool, optional, default: False
        True when the generators act on homogeneous coordinates ``(x, 1)``:
        ``[[W, b], [0, 0]]`` generates ``x -> W x + b``. The last row must vanish.
    name : str, optional
        A label (for standard algebras). It is not a certificate: use
        :func:`liesym.verify.verify` to identify an algebra.
    rtol : float, optional, default: ``RANK_RTOL``
        Relative singular-value threshold of the rank decision, in (0, 1). Every generator
        is normalised first, so the span does not depend on the generators' scales.

    Attributes
    ----------
    basis : ndarray, shape=[k, n, n]
        Orthonormal: ``sum(basis[i] * basis[j]) == delta_ij``. Read-only.
    input_singular_values : ndarray
        Singular values of the flattened input stack, each generator normalised.

    Examples
    --------
    >>> alg = LieAlgebra([[[0, -2], [2, 0]], [[0, -1], [1, 0]]])
    >>> alg.dim, alg.n
    (1, 2)
    >>> bool(alg.contains([[0, 3], [-3, 0]]))
    True
    """

    basis: np.ndarray
    affine: bool = False
    name: str | None = None
    input_singular_values: np.ndarray = field(init=False, repr=False)
    rtol: InitVar[float] = RANK_RTOL

    def __post_init__(self, rtol: float) -> None:
        basis, s = _ops.span_basis(self.basis, rtol=rtol, name="basis", normalize=True)
        if self.affine:
            if basis.shape[-1] < 2:
                raise ValueError("basis: affine generators need shape (k, n+1, n+1) with n >= 1")
            last = np.abs(basis[:, -1, :]).max()
            if last > 1e-12:
                raise ValueError(
                    "basis: affine generators must have a zero last row "
                    f"(homogeneous form [[W, b], [0, 0]]), found entries up to {last:.3g}"
                )
            basis[:, -1, :] = 0.0
        basis.setflags(write=False)
        s.setflags(write=False)
        object.__setattr__(self, "basis", basis)
        object.__setattr__(self, "input_singular_values", s)

    def __repr__(self) -> str:
        label = f", name={self.name!r}" if self.name else ""
        kind = ", affine=True" if self.affine else ""
        return f"LieAlgebra(dim={self.dim}, n={self.n}{kind}{label})"

    # Accessors.
    @property
    def dim(self) -> int:
        """Dimension k of the algebra."""
        return self.basis.shape[0]

    @property
    def n(self) -> int:
        """Matrix size n (for affine algebras, the homogeneous size, space dimension + 1)."""
        return self.basis.shape[-1]

    @property
    def flat(self) -> np.ndarray:
        """Basis as a (k, n*n) array with orthonormal rows."""
        return self.basis.reshape(self.dim, -1)

    @property
    def linear_part(self) -> np.ndarray:
        """Linear parts W of affine generators (k, n-1, n-1); the basis itself otherwise."""
        return self.basis[:, :-1, :-1] if self.affine else self.basis

    @property
    def translation_part(self) -> np.ndarray:
        """Translation parts b of affine generators, shape (k, n-1)."""
        if not self.affine:
            raise ValueError("translation_part: defined for affine algebras only")
        return self.basis[:, :-1, -1]

    # Operations.
    def bracket(self, a, b) -> np.ndarray:
        """Commutator ``[a, b]`` of matrices of this size, shape=[..., n, n]."""
        return _ops.bracket(a, b)

    def element(self, coeffs) -> np.ndarray:
        """Matrix ``sum_i coeffs[..., i] basis[i]``, shape=[..., n, n]."""
        return _ops.combine(self.basis, coeffs)

    def coordinates(self, x) -> np.ndarray:
        """Coordinates of the orthogonal projection of ``x`` (shape=[..., n, n]) on the span."""
        x = self._as_matrices(x, "x")
        return x.reshape(*x.shape[:-2], -1) @ self.flat.T

    def project(self, x) -> np.ndarray:
        """Orthogonal (Frobenius) projection of ``x`` onto the span."""
        return self.element(self.coordinates(x))

    def residual(self, x) -> np.ndarray:
        """Frobenius norm of the part of ``x`` outside the span, shape=[...]."""
        x = self._as_matrices(x, "x")
        return np.linalg.norm((x - self.project(x)).reshape(*x.shape[:-2], -1), axis=-1)

    def contains(self, x, tol: float = 1e-8):
        """Whether ``x`` lies in the span: residual <= ``tol * max(1, |x|)``.

        Parameters
        ----------
        x : array-like, shape=[..., n, n]
        tol : float, optional, default: 1e-8

        Returns
        -------
        bool or ndarray of bool, shape=[...]
        """
        x = self._as_matrices(x, "x")
        scale = np.maximum(1.0, np.linalg.norm(x.reshape(*x.shape[:-2], -1), axis=-1))
        out = self.residual(x) <= tol * scale
        return bool(out) if np.ndim(out) == 0 else out

    def exp(self, coeffs) -> np.ndarray:
        """Group elements ``exp(sum_i coeffs[..., i] basis[i])``, shape=[..., n, n]."""
        return _ops.expm(self.basis, coeffs)

    def structure_constants(self) -> np.ndarray:
        """Structure constants c (k, k, k): ``[e_i, e_j] = sum_l c[i, j, l] e_l`` (least squares).

        Examples
        --------
        >>> from liesym.algebra import so
        >>> c = so(3).structure_constants()
        >>> bool(np.allclose(c[0, 1], [0, 0, 1 / np.sqrt(2)]))
        True
        """
        return _ops.structure_constants_of(self.basis)[0]

    def closure_residual(self) -> float:
        """Largest Frobenius norm of a basis bracket outside the span (0 for a Lie algebra)."""
        return float(_ops.structure_constants_of(self.basis)[1].max())

    def killing_form(self) -> np.ndarray:
        """Numeric Killing form (k, k) in this basis."""
        return _ops.killing_form_of(self.structure_constants())

    def random_element(self, rng=None, scale: float = 1.0, size=()) -> np.ndarray:
        """Random elements ``sum_i z_i e_i`` with ``z ~ N(0, scale^2)``, shape=[*size, n, n]."""
        from liesym._core import as_rng

        size = (size,) if np.isscalar(size) else tuple(size)
        z = as_rng(rng).normal(scale=scale, size=(*size, self.dim))
        return self.element(z)

    def conjugate(self, c) -> "LieAlgebra":
        """The algebra ``C g C^-1`` (the image under the change of coordinates x -> C x).

        For affine algebras ``c`` may be (n-1, n-1), acting on the linear part of the chart.
        """
        c = as_square_matrix(c, "c")
        if self.affine and c.shape[0] == self.n - 1:
            c = np.block(
                [[c, np.zeros((self.n - 1, 1))], [np.zeros((1, self.n - 1)), np.ones((1, 1))]]
            )
        if c.shape[0] != self.n:
            raise ValueError(f"c: expected shape ({self.n}, {self.n}), got {c.shape}")
        if abs(np.linalg.det(c)) < 1e-12 * max(1.0, np.abs(c).max()) ** self.n:
            raise ValueError("c: expected an invertible matrix, got a singular one")
        return LieAlgebra(c @ self.basis @ np.linalg.inv(c), affine=self.affine)

    def direct_sum(self, other: "LieAlgebra") -> "LieAlgebra":
        """Block-diagonal direct sum acting on R^(n + other.n) (linear algebras only)."""
        if self.affine or other.affine:
            raise ValueError("direct_sum: defined for linear (non-affine) algebras only")
        n, m = self.n, other.n
        a = np.zeros((self.dim, n + m, n + m))
        a[:, :n, :n] = self.basis
        b = np.zeros((other.dim, n + m, n + m))
        b[:, n:, n:] = other.basis
        return LieAlgebra(np.concatenate([a, b]))

    def _as_matrices(self, x, name: str) -> np.ndarray:
        x = as_finite_array(x, name)
        if x.shape[-2:] != (self.n, self.n):
            raise ValueError(f"{name}: expected shape [..., {self.n}, {self.n}], got {x.shape}")
        return x
