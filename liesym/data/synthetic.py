"""Synthetic invariant functions with an exactly known symmetry algebra.

Each kind is a function ``f`` on R^n together with the *full* algebra of linear (or,
for the affine kinds, affine) vector fields tangent to its level sets. The points are
drawn from a documented distribution and the values optionally carry Gaussian noise,
so that discovery methods can be scored against an exact ground truth.

Ground truths and why they are maximal (``x_A`` is the block of coordinates A; a
linear field ``x -> W x`` is a symmetry when ``df_x(W x) = 0`` for all x, an affine one
``x -> W x + b`` when ``df_x(W x + b) = 0``):

``"radial"``
    ``f = |x|^2`` on R^n, ``X ~ N(0, I_n)``; algebra so(n). ``df_x(Wx) = 2 x^T W x``
    vanishes for all x iff W is skew.
``"conjugated"``
    ``f = |C^-1 x|^2``, ``X = C Z`` with ``Z ~ N(0, I_n)``; algebra ``C so(n) C^-1``
    (the radial case in the coordinates ``z = C^-1 x``). C is given or drawn from
    ``rng`` (random rotations around singular values log-uniform in [1/2, 2]).
``"rotation_about"``
    ``f = -|x - c|`` (a navigation reward) on R^n, ``X ~ N(0, I_n)``; affine algebra of
    rotations about c, ``x -> W (x - c)`` with W skew (dimension 1 for n = 2). With
    ``y = x - c``: ``(W y + W c + b)^T y = 0`` for all y forces W skew (quadratic
    part) and ``W c + b = 0`` (linear part).
``"hyperbolic"``
    ``f = x_1 x_2`` on R^2, ``X ~ N(0, I_2)``; algebra spanned by ``diag(1, -1)``, a
    (rotated) copy of the non-compact so(1,1). ``x_2 (Wx)_1 + x_1 (Wx)_2 =
    (W_11 + W_22) x_1 x_2 + W_12 x_2^2 + W_21 x_1^2`` vanishes iff W_12 = W_21 = 0 and
    W_22 = -W_11.
``"torus"``
    two outputs ``f = (|x_12|^2, |x_34|^2)`` on R^4, ``X ~ N(0, I_4)``; algebra
    so(2)+so(2). With ``P_1 = diag(1, 1, 0, 0)``: ``x^T P_1 W x = 0`` for all x means
    ``P_1 W`` is skew, so W has no 12-34 coupling and skew diagonal blocks.
``"lorentz"``
    ``f = x_0^2 - |x_{1:}|^2`` on R^n, ``X ~ N(0, I_n)``; algebra so(1, n-1) (the Lorentz
    algebra, non-compact). With ``eta = diag(1, -1, ..., -1)``: ``df_x(Wx) = 2 x^T eta W x``
    vanishes for all x iff ``eta W`` is skew, i.e. ``W^T eta + eta W = 0``.
``"blocks"``
    one output per block, ``f = (|x_A|^2, |x_B|^2, ...)`` for consecutive coordinate
    blocks of sizes ``blocks`` (default (3, 2)), ``X ~ N(0, I_n)``; algebra the direct sum
    so(a) + so(b) + ... With ``P_A`` the projector onto block A: ``x^T P_A W x = 0`` for
    all x means ``P_A W + W^T P_A = 0``, whose off-diagonal blocks force ``W_AB = 0`` and
    diagonal block a skew ``W_AA``. Each level set is a product of spheres, one orbit.
``"torus_sum"``
    one output ``f = |x_12|^2 + |x_34|^4 / 2`` on R^4; still so(2)+so(2), although each
    level set is 3-dimensional. ``df_x(Wx) = 2 x_12^T (Wx)_12 + 2 |x_34|^2 x_34^T (Wx)_34``
    is a quadratic plus a quartic form, so both vanish separately. The trap: with
    ``|x_34|^2`` instead of the quartic the function is a quadratic form and its
    algebra is a conjugate of so(4), of dimension 6.
``"line"``
    ``f = x_2`` on R^2, ``X ~ N(0, I_2)``; affine algebra spanned by ``E_11``, ``E_12``
    and the translation along x_1 (dimension 3, solvable, non-compact): the fields with
    ``(W x + b)_2 = 0``. A function invariant under the whole of se(2) is constant, so
    the se(2) family is represented by ``"rotation_about"`` (one element of the family)
    and by this case (the translations it contains).

For the non-affine kinds the affine symmetry algebra is the same algebra embedded in
homogeneous coordinates (the constant term of ``df_x(b)`` forces ``b = 0``).
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from liesym._core import as_finite_array, as_rng
from liesym.algebra import LieAlgebra, affine_generators, so, so_generators, so_pq, torus

__all__ = ["KINDS", "InvariantDataset", "invariant_function_data"]

KINDS = (
    "radial",
    "conjugated",
    "rotation_about",
    "hyperbolic",
    "torus",
    "torus_sum",
    "line",
    "lorentz",
    "blocks",
)

# The navigation base goal of the prototype, the default centre of "rotation_about".
_DEFAULT_CENTER = (-0.70506063, 0.70914702)


@dataclass(frozen=True, eq=False)
class InvariantDataset:
    """Samples of an invariant function and its exact symmetry algebra.

    Attributes
    ----------
    X : ndarray, shape=[N, n]
        Sample points.
    y : ndarray, shape=[N] or [N, m]
        Values ``f(X)`` plus optional Gaussian noise.
    algebra : LieAlgebra
        The full symmetry algebra (affine when ``algebra.affine``).
    name : str
        The kind and its parameters, e.g. ``"radial(n=3)"``.
    f : callable
        The noise-free function, ``(..., n) -> (...)`` or ``(..., m)``.
    jacobian : callable
        Its exact Jacobian, ``(..., n) -> (..., m, n)`` (m = 1 for scalar f): the rows
        span the normal space of the level set (oracle normals for benchmarks).
    params : dict
        Parameters of the kind (``"C"``, ``"center"``, ``"noise"``).

    Examples
    --------
    >>> from liesym.data import invariant_function_data
    >>> data = invariant_function_data("radial", 200, rng=0)  # f = |x|^2 on R^2
    >>> data.name, data.algebra.name, data.X.shape, data.y.shape
    ('radial(n=2)', 'so(2)', (200, 2), (200,))
    >>> normals = data.normals()  # exact: the radial directions
    >>> bool(np.allclose(np.abs(np.sum(normals[:, 0] * data.X, axis=1)),
    ...                  np.linalg.norm(data.X, axis=1)))
    True
    """

    X: np.ndarray
    y: np.ndarray
    algebra: LieAlgebra
    name: str
    f: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    jacobian: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    params: dict = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        """Dimension of the space."""
        return self.X.shape[1]

    def normals(self) -> np.ndarray:
        """Exact orthonormal normals of the level sets at ``X``, shape=[N, r, n].

        The rows of the Jacobian orthonormalised (r = its rank, the same at almost
        every point for every kind here).
        """
        jac = self.jacobian(self.X)
        _, s, vt = np.linalg.svd(jac, full_matrices=True)
        r = int(np.median(np.sum(s > 1e-12 * s.max(axis=-1, keepdims=True), axis=-1)))
        return vt[:, :r, :]


def _random_conjugator(n: int, rng: np.random.Generator) -> np.ndarray:
    def rotation():
        q, r = np.linalg.qr(rng.normal(size=(n, n)))
        q = q * np.sign(np.diag(r))
        if np.linalg.det(q) < 0:
            q[:, 0] = -q[:, 0]
        return q

    s = np.exp(rng.uniform(np.log(0.5), np.log(2.0), size=n))
    return rotation() @ np.diag(s) @ rotation().T


def _check_dim(n, kind: str, fixed: int | None = None) -> int:
    if fixed is not None:
        if n is not None and n != fixed:
            raise ValueError(f"n: kind {kind!r} lives in R^{fixed}, got n={n}")
        return fixed
    n = 2 if n is None else n
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 2:
        raise ValueError(f"n: expected an integer >= 2 for kind {kind!r}, got {n!r}")
    return int(n)


def invariant_function_data(
    kind: str,
    n_points: int = 2000,
    rng=None,
    noise: float = 0.0,
    *,
    n: int | None = None,
    C=None,
    center=None,
    blocks=None,
) -> InvariantDataset:
    """Sample an invariant function whose symmetry algebra is known exactly.

    Parameters
    ----------
    kind : str
        One of ``KINDS``; the functions, point distributions and ground truths are
        listed in the module docstring.
    n_points : int, optional, default: 2000
    rng : None, int or numpy.random.Generator, optional
    noise : float, optional, default: 0.0
        Standard deviation of Gaussian noise added to every value.
    n : int, optional
        Space dimension for ``"radial"``, ``"conjugated"``, ``"rotation_about"`` and
        ``"lorentz"`` (default 2); ``"blocks"`` takes it from ``blocks``; the other kinds
        have a fixed dimension.
    C : array-like, shape=[n, n], optional
        Conjugating matrix of ``"conjugated"`` (drawn from ``rng`` when omitted).
    center : array-like, shape=[n], optional
        Centre of ``"rotation_about"`` (default: the prototype's base goal
        (-0.70506063, 0.70914702) for n = 2, else the first basis vector).
    blocks : sequence of int, optional
        Block sizes of ``"blocks"`` (default (3, 2): so(3)+so(2) on R^5).

    Returns
    -------
    InvariantDataset

    Examples
    --------
    >>> data = invariant_function_data("radial", 100, rng=0, n=3)
    >>> data.X.shape, data.y.shape, data.algebra.dim
    ((100, 3), (100,), 3)
    >>> g = data.algebra.exp([0.3, -1.0, 2.0])  # a rotation leaves f unchanged
    >>> bool(np.allclose(data.f(data.X @ g.T), data.f(data.X)))
    True
    """
    if kind not in KINDS:
        hint = ""
        if kind == "se2":
            hint = (
                " (a function invariant under all of se(2) is constant; use 'rotation_about'"
                " for a rotation about a point and 'line' for translations)"
            )
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}{hint}")
    if not isinstance(n_points, int | np.integer) or isinstance(n_points, bool) or n_points < 1:
        raise ValueError(f"n_points: expected a positive integer, got {n_points!r}")
    noise = float(noise)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise: expected a finite value >= 0, got {noise}")
    rng = as_rng(rng)
    params: dict = {"noise": noise}

    if kind == "radial":
        n = _check_dim(n, kind)
        X = rng.normal(size=(n_points, n))
        algebra, name = so(n), f"radial(n={n})"

        def f(x):
            return np.sum(x**2, axis=-1)

        def jacobian(x):
            return 2.0 * np.asarray(x)[..., None, :]

    elif kind == "conjugated":
        n = _check_dim(n, kind)
        if C is None:
            C = _random_conjugator(n, rng)
        C = as_finite_array(C, "C", ndim=2)
        if C.shape != (n, n):
            raise ValueError(f"C: expected shape ({n}, {n}), got {C.shape}")
        if np.linalg.cond(C) > 1e8:
            raise ValueError("C: expected a well-conditioned invertible matrix")
        c_inv = np.linalg.inv(C)
        metric = c_inv.T @ c_inv
        X = rng.normal(size=(n_points, n)) @ C.T
        algebra, name = so(n).conjugate(C), f"conjugated(n={n})"
        params["C"] = C

        def f(x):
            return np.sum((x @ c_inv.T) ** 2, axis=-1)

        def jacobian(x):
            return 2.0 * (np.asarray(x) @ metric)[..., None, :]

    elif kind == "rotation_about":
        n = _check_dim(n, kind)
        if center is None:
            center = _DEFAULT_CENTER if n == 2 else np.eye(n)[0]
        c = as_finite_array(center, "center", ndim=1)
        if c.shape != (n,):
            raise ValueError(f"center: expected shape ({n},), got {c.shape}")
        X = rng.normal(size=(n_points, n))
        lin = so_generators(n)
        algebra = LieAlgebra(affine_generators(lin, -lin @ c), affine=True)
        name = f"rotation_about(n={n})"
        params["center"] = c

        def f(x):
            return -np.linalg.norm(x - c, axis=-1)

        def jacobian(x):
            d = np.asarray(x) - c
            return -(d / np.linalg.norm(d, axis=-1, keepdims=True))[..., None, :]

    elif kind == "hyperbolic":
        _check_dim(n, kind, fixed=2)
        X = rng.normal(size=(n_points, 2))
        algebra = LieAlgebra(np.diag([1.0, -1.0])[None], name="so(1,1)")
        name = "hyperbolic"

        def f(x):
            return x[..., 0] * x[..., 1]

        def jacobian(x):
            return np.asarray(x)[..., None, ::-1].copy()

    elif kind in ("torus", "torus_sum"):
        _check_dim(n, kind, fixed=4)
        X = rng.normal(size=(n_points, 4))
        algebra, name = torus(np.eye(2)), kind

        if kind == "torus":

            def f(x):
                return np.stack([np.sum(x[..., :2] ** 2, -1), np.sum(x[..., 2:] ** 2, -1)], -1)

            def jacobian(x):
                x = np.asarray(x)
                jac = np.zeros((*x.shape[:-1], 2, 4))
                jac[..., 0, :2] = 2.0 * x[..., :2]
                jac[..., 1, 2:] = 2.0 * x[..., 2:]
                return jac

        else:

            def f(x):
                return np.sum(x[..., :2] ** 2, -1) + 0.5 * np.sum(x[..., 2:] ** 2, -1) ** 2

            def jacobian(x):
                x = np.asarray(x)
                q2 = np.sum(x[..., 2:] ** 2, -1, keepdims=True)
                return np.concatenate([2.0 * x[..., :2], 2.0 * q2 * x[..., 2:]], -1)[..., None, :]

    elif kind == "lorentz":
        n = _check_dim(n, kind)
        eta = np.array([1.0] + [-1.0] * (n - 1))
        X = rng.normal(size=(n_points, n))
        algebra, name = so_pq(1, n - 1), f"lorentz(n={n})"

        def f(x):
            return np.sum(eta * np.asarray(x) ** 2, axis=-1)

        def jacobian(x):
            return 2.0 * (eta * np.asarray(x))[..., None, :]

    elif kind == "blocks":
        sizes = (3, 2) if blocks is None else tuple(blocks)
        if len(sizes) < 1 or not all(
            isinstance(b, int | np.integer) and not isinstance(b, bool) and b >= 1 for b in sizes
        ):
            raise ValueError(f"blocks: expected positive integer block sizes, got {blocks!r}")
        n = _check_dim(n, kind, fixed=int(sum(sizes)))
        edges = np.cumsum((0, *sizes))
        parts = [(int(a), int(b)) for a, b in itertools.pairwise(edges)]
        X = rng.normal(size=(n_points, n))
        stacks = []
        for a, b in parts:
            if b - a >= 2:
                gens = np.zeros((so(b - a).dim, n, n))
                gens[:, a:b, a:b] = so(b - a).basis
                stacks.append(gens)
        if not stacks:
            raise ValueError(f"blocks: expected a block of size >= 2, got {sizes}")
        label = " + ".join(f"so({int(b)})" for b in sizes if b >= 2)
        algebra = LieAlgebra(np.concatenate(stacks), name=label)
        name = "blocks(" + ", ".join(str(int(b)) for b in sizes) + ")"
        params["blocks"] = sizes

        def f(x):
            x = np.asarray(x)
            return np.stack([np.sum(x[..., a:b] ** 2, -1) for a, b in parts], -1)

        def jacobian(x):
            x = np.asarray(x)
            jac = np.zeros((*x.shape[:-1], len(parts), x.shape[-1]))
            for i, (a, b) in enumerate(parts):
                jac[..., i, a:b] = 2.0 * x[..., a:b]
            return jac

    else:  # "line"
        _check_dim(n, kind, fixed=2)
        X = rng.normal(size=(n_points, 2))
        e = np.eye(2)
        lin = np.stack([np.outer(e[0], e[0]), np.outer(e[0], e[1]), np.zeros((2, 2))])
        shift = np.array([[0, 0], [0, 0], [1.0, 0]])
        algebra = LieAlgebra(affine_generators(lin, shift), affine=True)
        name = "line"

        def f(x):
            return np.asarray(x)[..., 1] * 1.0

        def jacobian(x):
            return np.broadcast_to([[0.0, 1.0]], (*np.shape(x)[:-1], 1, 2)).copy()

    y = f(X)
    if noise > 0:
        y = y + noise * rng.normal(size=y.shape)
    X.setflags(write=False)
    y.setflags(write=False)
    return InvariantDataset(X, y, algebra, name, f, jacobian, params)
