"""Input checks that turn bad arrays into clear errors naming the argument."""

import numpy as np


def as_finite_array(x, name: str, *, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``x`` as a float64 array, rejecting NaN/inf and wrong dimensionality.

    Parameters
    ----------
    x : array-like
    name : str
        Argument name used in error messages.
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.

    Returns
    -------
    ndarray of float64

    Examples
    --------
    >>> as_finite_array([1, 2], "x", ndim=1)
    array([1., 2.])
    """
    try:
        raw = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name}: expected a real numeric array ({err})") from None
    if np.iscomplexobj(raw) or (
        raw.dtype == object and any(isinstance(v, complex | np.complexfloating) for v in raw.flat)
    ):
        raise TypeError(
            f"{name}: expected a real array, got complex values (the imaginary part would be "
            "dropped); pass the real part explicitly if that is what you mean"
        )
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name}: expected a real numeric array ({err})") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(d) for d in allowed)
            raise ValueError(f"{name}: expected {want} dimensions, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name}: contains {bad} NaN or infinite value(s)")
    return arr


def as_square_matrix(x, name: str) -> np.ndarray:
    """Return ``x`` as a finite float (n, n) matrix."""
    arr = as_finite_array(x, name, ndim=2)
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name}: expected a square (n, n) matrix, got shape {arr.shape}")
    return arr


def as_generator_stack(x, name: str = "basis") -> np.ndarray:
    """Return ``x`` as a finite (k, n, n) stack; a single (n, n) matrix becomes k = 1.

    Examples
    --------
    >>> as_generator_stack([[0, -1], [1, 0]]).shape
    (1, 2, 2)
    """
    arr = as_finite_array(x, name, ndim=(2, 3))
    if arr.ndim == 2:
        arr = arr[None]
    if arr.shape[-1] != arr.shape[-2]:
        raise ValueError(
            f"{name}: generators must be square, expected shape (k, n, n), got {arr.shape}"
        )
    if arr.shape[-1] < 1:
        raise ValueError(f"{name}: generators must be at least 1x1, got shape {arr.shape}")
    return arr


def as_points(x, name: str = "X", *, min_points: int = 1) -> np.ndarray:
    """Return ``x`` as a finite (N, n) array of points with N >= ``min_points``.

    Examples
    --------
    >>> as_points([[0.0, 1.0], [2.0, 3.0]]).shape
    (2, 2)
    """
    arr = as_finite_array(x, name, ndim=2)
    if arr.shape[0] < min_points:
        raise ValueError(
            f"{name}: expected at least {min_points} points (rows), got {arr.shape[0]}"
        )
    if arr.shape[1] < 1:
        raise ValueError(f"{name}: points need at least one coordinate, got shape {arr.shape}")
    return arr


def as_count(value, name: str) -> int:
    """Return ``value`` as a positive int (bools and non-integers rejected).

    Examples
    --------
    >>> as_count(3, "k")
    3
    """
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    return int(value)


def as_positive(value, name: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a finite positive (or, with ``allow_zero``, non-negative) float.

    Examples
    --------
    >>> as_positive(0.5, "sigma")
    0.5
    """
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    value = float(value) if ok else float("nan")
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name}: expected a finite {kind} number, got {value!r}")
    return value
