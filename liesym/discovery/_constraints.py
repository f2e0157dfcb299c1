"""Null spaces of stacked linear constraints on generators, and the spectral-gap dimension rule.

Shared by the differential (kernel-distribution) and the dynamics discovery: both reduce
to "find the generators W with A vec(W) = 0" for a tall constraint matrix A.
"""

import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

_EPS = np.finfo(np.float64).eps
DEFAULT_MIN_GAP = 4.0
DEFAULT_NOISE_TOL = 3.0


class DiscoveryWarning(UserWarning):
    """A discovery result is uncertain (weak spectral gap, no symmetry found, few samples)."""


@dataclass(frozen=True)
class NullSpace:
    """The near-null space of a constraint matrix and the dimension decision.

    Attributes
    ----------
    vectors : ndarray, shape=[p, p]
        Right singular vectors as rows, ordered like ``singular_values``.
    singular_values : ndarray, shape=[p]
        Ascending: the first ``dim`` belong to the symmetry directions.
    dim : int
        Chosen (or requested) dimension.
    gap : float
        ``singular_values[dim] / singular_values[dim - 1]`` (both floored at
        ``zero_level``); ``nan`` when dim is 0.
    noise_floor : float or None
        Expected size of a singular value of an exact symmetry under the estimated
        noise (None when unknown).
    zero_level : float
        Rounding level of the spectrum.
    """

    vectors: np.ndarray
    singular_values: np.ndarray
    dim: int
    gap: float
    noise_floor: float | None
    zero_level: float

    @property
    def basis(self) -> np.ndarray:
        """The null-space directions, shape=[dim, p]."""
        return self.vectors[: self.dim]


def r_factor(blocks: Iterable[np.ndarray], p: int) -> np.ndarray:
    """R factor of the row-stack of ``blocks`` (each (m_i, p)), by tall-skinny QR.

    Equivalent to ``qr(vstack(blocks), mode="r")`` with memory O(chunk * p); unlike the
    Gram matrix ``A^T A`` it does not square the condition number, so singular values
    down to ``eps * |A|`` stay accurate (exact data gives null values near 1e-15, not 1e-8).
    """
    r = np.zeros((0, p))
    for block in blocks:
        if block.shape[0]:
            r = np.linalg.qr(np.vstack([r, block]), mode="r")
    return r


def square_r(r: np.ndarray, p: int) -> np.ndarray:
    """An R factor with zero rows appended to make it (p, p)."""
    return r if r.shape[0] == p else np.vstack([r, np.zeros((p - r.shape[0], p))])


def merge_r(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The (p, p) R factor of the rows behind two R factors: R of their stack.

    Examples
    --------
    >>> rows = np.random.default_rng(0).normal(size=(20, 3))
    >>> r = merge_r(np.linalg.qr(rows[:8], mode="r"), np.linalg.qr(rows[8:], mode="r"))
    >>> bool(np.allclose(r.T @ r, rows.T @ rows))
    True
    """
    p = a.shape[1]
    return square_r(r_factor(iter((a, b)), p), p)


def spectrum(r: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Ascending singular values (p,) and matching right singular vectors (p, p) of R."""
    if r.shape[0] < p:
        r = np.vstack([r, np.zeros((p - r.shape[0], p))])
    _, s, vt = np.linalg.svd(r)
    return s[::-1].copy(), vt[::-1].copy()


def choose_dimension(
    s: np.ndarray,
    *,
    noise_floor: float | None = None,
    min_gap: float = DEFAULT_MIN_GAP,
    noise_tol: float = DEFAULT_NOISE_TOL,
) -> tuple[int, float, float]:
    """Dimension of the near-null space from ascending singular values.

    Rule: floor every singular value at the rounding level ``z = 10 eps |s|_2`` and
    pick the k (1 <= k < p) with the largest ratio ``s[k] / s[k-1]``. When a noise floor
    f is known, only gaps that cross it count: ``s[k-1] <= noise_tol * f`` (a symmetry
    direction cannot sit far above the noise) and ``s[k] >= f`` (a spread of values
    below the noise, e.g. directions fixed exactly versus up to the noise, is no
    boundary). When no k is eligible or the best ratio is below ``min_gap`` the
    answer is 0 (no clear symmetry).

    Returns
    -------
    dim : int
    gap : float
        The best eligible ratio (``nan`` when none is eligible).
    zero_level : float

    Examples
    --------
    >>> choose_dimension(np.array([1e-3, 2e-3, 1.0, 2.0]))[:2]
    (2, 500.0)
    """
    s = np.asarray(s, dtype=np.float64)
    zero = 10.0 * _EPS * float(np.linalg.norm(s))
    if s.size < 2 or zero == 0.0:
        return 0, float("nan"), zero
    c = np.maximum(s, zero)
    ratios = c[1:] / c[:-1]
    eligible = np.ones(s.size - 1, dtype=bool)
    if noise_floor is not None:
        level = max(noise_floor, zero)
        # A gap must cross the noise level: spread *within* the noise is not a boundary.
        eligible &= (s[:-1] <= noise_tol * level) & (s[1:] >= level)
    if not eligible.any():
        return 0, float("nan"), zero
    k = int(np.argmax(np.where(eligible, ratios, -np.inf))) + 1
    gap = float(ratios[k - 1])
    return (k if gap >= min_gap else 0), gap, zero


def null_space(
    r: np.ndarray,
    p: int,
    *,
    dim: int | None = None,
    noise_floor: float | None = None,
    min_gap: float = DEFAULT_MIN_GAP,
    noise_tol: float = DEFAULT_NOISE_TOL,
) -> NullSpace:
    """Null space of the constraints with R factor ``r``: requested ``dim`` or the gap rule."""
    from liesym._core import as_positive

    as_positive(min_gap, "min_gap")
    as_positive(noise_tol, "noise_tol")
    s, vt = spectrum(r, p)
    auto_dim, auto_gap, zero = choose_dimension(
        s, noise_floor=noise_floor, min_gap=min_gap, noise_tol=noise_tol
    )
    if dim is None:
        dim, gap = auto_dim, auto_gap
        if dim == 0:
            warnings.warn(
                "no symmetry found: the singular values show no gap "
                f"(best ratio {gap:.3g} < min_gap={min_gap}) consistent with the noise floor "
                f"{noise_floor if noise_floor is not None else 'unknown'}; "
                f"smallest singular values {np.round(s[:3], 6).tolist()}",
                DiscoveryWarning,
                stacklevel=3,
            )
    else:
        c = np.maximum(s, zero)
        gap = float(c[dim] / c[dim - 1]) if dim < p else float("inf")
    return NullSpace(vt, s, int(dim), gap, noise_floor, zero)


def check_dim(dim, p: int, what: str) -> int | None:
    """Validate a requested dimension against the number ``p`` of unknowns."""
    if dim is None:
        return None
    if not isinstance(dim, int | np.integer) or isinstance(dim, bool) or dim < 1:
        raise ValueError(f"dim: expected None or a positive integer, got {dim!r}")
    if dim >= p:
        raise ValueError(
            f"dim: {what} has {p} unknowns, so a proper symmetry algebra has dimension at "
            f"most {p - 1}; got dim={dim}"
        )
    return int(dim)
