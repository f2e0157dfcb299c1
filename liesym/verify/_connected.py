"""Connectedness of given group elements: det > 0 and a real logarithm inside the algebra."""

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.optimize

from liesym._core import SNAP_TOL, as_finite_array, progress
from liesym.algebra import LieAlgebra
from liesym.verify._answer import Verdict
from liesym.verify._exact import check_algebra, check_tol


@dataclass(frozen=True, eq=False)
class ConnectednessCertificate(Verdict):
    """Whether every given element is ``exp`` of an element of the (numeric) algebra.

    Numeric with a stated margin that is relative to each element's conditioning: element j
    counts as ``exp(X_j)`` with X_j in the span when both ``|exp(-X_j) g_j - I|`` and
    ``|g_j exp(-X_j) - I|`` are at most tol (an element that is close to the group only after
    multiplying by a badly conditioned factor fails one of the two).

    Attributes
    ----------
    answer : bool or None
        ``connected`` (also available under that name).
    determinants : ndarray, shape=[m]
    residuals : ndarray, shape=[m]
        Two-sided relative residual of the best logarithm found (inf when none).
    coordinates : ndarray, shape=[m, k]
        Coordinates of the logarithms in ``algebra.basis``.
    conditions : ndarray, shape=[m]
        Condition numbers of the elements.
    witness : int or None
        Index of an element with det < 0 (not exp of any real matrix).
    tol : float
    """

    determinants: np.ndarray | None = None
    residuals: np.ndarray | None = None
    coordinates: np.ndarray | None = None
    conditions: np.ndarray | None = None
    witness: int | None = None
    tol: float = float("nan")

    @property
    def connected(self) -> bool | None:
        """The answer to: is every element in the connected group exp(span)."""
        return self.answer


def _real_logm(g: np.ndarray) -> np.ndarray | None:
    """Principal logarithm if it is real (imaginary part at rounding level), else None."""
    with warnings.catch_warnings():  # accuracy is judged by the residual check instead
        warnings.simplefilter("ignore")
        try:
            lg = scipy.linalg.logm(g)
        except (ValueError, np.linalg.LinAlgError):
            return None
    lg = np.asarray(lg)
    if not np.all(np.isfinite(lg)):
        return None
    if np.iscomplexobj(lg):
        if np.abs(lg.imag).max() > 1e-8 * max(1.0, np.abs(lg.real).max()):
            return None
        lg = lg.real
    return lg


def _residual(algebra: LieAlgebra, a: np.ndarray, g: np.ndarray) -> float:
    """Two-sided relative residual ``max(|e^-A g - I|, |g e^-A - I|)`` (Frobenius)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e_inv = algebra.exp(-np.asarray(a))
    if not np.all(np.isfinite(e_inv)):
        return np.inf
    eye = np.eye(g.shape[0])
    return float(max(np.linalg.norm(e_inv @ g - eye), np.linalg.norm(g @ e_inv - eye)))


def log_in_algebra(algebra: LieAlgebra, g: np.ndarray) -> tuple[np.ndarray, float]:
    """Coordinates a with ``exp(sum a_i e_i) ~ g``, searched from several starts.

    Starts: the principal logarithm projected on the algebra, and (for elements near angle pi,
    where it is ill-conditioned or complex) logarithms of ``g exp(-Y)`` shifted back by Y, for
    quarter turns Y along each basis direction. Each start is refined by the fixed-point
    iteration ``a <- a + coords(log(exp(-A) g))`` and then by least squares.
    """
    k = algebra.dim
    starts = []
    lg = _real_logm(g)
    if lg is not None:
        starts.append(algebra.coordinates(lg))
    for i, e in enumerate(algebra.basis):
        rho = np.abs(np.linalg.eigvals(e).imag).max()
        if rho <= 1e-12:
            continue
        for s in (1.0, -1.0):
            y = np.zeros(k)
            y[i] = s * (np.pi / 2) / rho
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                h = g @ scipy.linalg.expm(-algebra.element(y))
            lh = _real_logm(h)
            if lh is not None:
                starts.append(algebra.coordinates(lh) + y)
    starts.extend(_orthogonal_log_starts(algebra, g))
    best, best_r = np.zeros(k), _residual(algebra, np.zeros(k), g)
    for a in starts:
        a = _refine(algebra, a, g)
        r = _residual(algebra, a, g)
        if r < best_r:
            best, best_r = a, r
        if best_r <= 1e-12:
            break
    return best, best_r


def _orthogonal_log_starts(algebra: LieAlgebra, g: np.ndarray) -> list[np.ndarray]:
    """Logarithms read off the real Schur form of g in the chart of a numeric invariant form.

    For a compact (linear) algebra, ``P g P^-1`` is orthogonal (P the square root of the
    invariant form): its real Schur form has rotation blocks, whose angles give a real log,
    and pairs of eigenvalues -1, which are rotations by pi (where the principal logarithm is
    complex, e.g. -I in SO(4)). Both signs of pi are tried.
    """
    if algebra.affine:
        return []
    from liesym.verify._numeric import numeric_invariant_form

    m = numeric_invariant_form(algebra.basis, 1e-8)
    if m is None:
        return []
    w, v = np.linalg.eigh(m)
    if w[0] <= 0:
        return []
    p = (v * np.sqrt(w)) @ v.T
    pinv = (v / np.sqrt(w)) @ v.T
    t, z = scipy.linalg.schur(p @ g @ pinv, output="real")
    n = t.shape[0]
    blocks, minus, i = [], [], 0
    while i < n:
        if i + 1 < n and abs(t[i + 1, i]) > 1e-12:
            blocks.append((i, float(np.arctan2(t[i + 1, i], t[i, i]))))
            i += 2
        else:
            if t[i, i] < 0:
                minus.append(i)
            i += 1
    starts = []
    for sign in (1.0, -1.0):
        log = np.zeros((n, n))
        for j, theta in blocks:
            log[j : j + 2, j : j + 2] = [
                [0.0, t[j, j + 1] / abs(t[j, j + 1]) * abs(theta)],
                [0.0, 0.0],
            ]
            log[j + 1, j] = -log[j, j + 1]
        for a, b in zip(minus[0::2], minus[1::2], strict=False):
            log[a, b], log[b, a] = -sign * np.pi, sign * np.pi
        x = pinv @ z @ log @ z.T @ p
        starts.append(algebra.coordinates(x))
    return starts


def _refine(algebra: LieAlgebra, a: np.ndarray, g: np.ndarray) -> np.ndarray:
    for _ in range(20):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            h = scipy.linalg.expm(-algebra.element(a)) @ g
        lh = _real_logm(h)
        if lh is None:
            break
        step = algebra.coordinates(lh)
        a = a + step
        if np.linalg.norm(step) <= 1e-14 * max(1.0, np.linalg.norm(a)):
            return a
    if _residual(algebra, a, g) > 1e-12 and np.all(np.isfinite(a)):

        def f(x):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return np.nan_to_num((algebra.exp(x) - g).ravel(), nan=1e6, posinf=1e6)

        a = scipy.optimize.least_squares(f, a, xtol=1e-15, ftol=1e-15, gtol=1e-15).x
    return a


def is_connected(
    algebra: LieAlgebra, elements, tol: float = SNAP_TOL, *, progress_bar: bool = False
) -> ConnectednessCertificate:
    """Check that given group elements lie in the connected group exp(span).

    Parameters
    ----------
    algebra : LieAlgebra
    elements : array-like, shape=[m, n, n] or [n, n]
        Group elements (homogeneous for affine algebras).
    tol : float, optional, default: ``SNAP_TOL``
        Margin of the residual check.
    progress_bar : bool, optional, default: False

    Returns
    -------
    ConnectednessCertificate
        True when every element has det > 0 and a logarithm in the algebra within the
        two-sided margin; False with the index of an element of negative determinant (stable
        under relative perturbations of size tol); None otherwise.

    Examples
    --------
    >>> from liesym.algebra import so
    >>> g = so(2).exp([[0.5], [np.pi - 1e-9]])
    >>> is_connected(so(2), g).connected
    True
    >>> is_connected(so(2), np.diag([1.0, -1.0])).connected  # a reflection
    False
    """
    algebra = check_algebra(algebra)
    tol = check_tol(tol)
    g = as_finite_array(elements, "elements", ndim=(2, 3))
    if g.ndim == 2:
        g = g[None]
    if g.shape[1:] != (algebra.n, algebra.n):
        raise ValueError(f"elements: expected shape (m, {algebra.n}, {algebra.n}), got {g.shape}")
    m = g.shape[0]
    if m == 0:
        raise ValueError("elements: expected at least one element, got an empty stack")
    dets = np.linalg.det(g)
    conds = np.linalg.cond(g)
    coords = np.zeros((m, algebra.dim))
    resid = np.full(m, np.inf)
    # resid and coords are filled in place below; the records share them.
    common = dict(determinants=dets, conditions=conds, tol=tol, residuals=resid, coordinates=coords)
    # Within relative distance tol an element keeps the sign of its determinant iff it stays
    # invertible, i.e. iff cond(g) tol < 1.
    stable = conds * tol < 1.0
    neg = np.flatnonzero((dets < 0) & stable)
    if neg.size:
        j = int(neg[0])
        return ConnectednessCertificate.refuted(
            f"element {j} has det {dets[j]:.6g} < 0 (stable: condition {conds[j]:.3g} < 1/tol), "
            "but det exp(X) = e^tr(X) > 0",
            witness=j,
            **common,
        )
    unstable = np.flatnonzero(~stable)
    if unstable.size:
        j = int(unstable[0])
        return ConnectednessCertificate.undecided(
            f"element {j} has condition number {conds[j]:.3g} >= 1/tol: elements within tol of "
            "it may be singular or of either orientation",
            **common,
        )
    for j in progress(range(m), enable=progress_bar, desc="logarithms"):
        if dets[j] > 0:
            coords[j], resid[j] = log_in_algebra(algebra, g[j])
    bad = np.flatnonzero(~(resid <= tol))
    if bad.size == 0:
        return ConnectednessCertificate.proved(
            f"all {m} elements have det > 0 and equal exp of an algebra element (largest "
            f"two-sided residual |e^-X g - I|, |g e^-X - I| {resid.max():.2g} <= tol {tol:g})",
            **common,
        )
    j = int(bad[0])
    return ConnectednessCertificate.undecided(
        f"no logarithm in the algebra found for element {j} (two-sided residual "
        f"{resid[j]:.3g} > tol); in a non-compact group exp need not be onto",
        **common,
    )
