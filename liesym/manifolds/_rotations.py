"""Functions on rotation matrices: a logarithm that survives the cut locus, rotation angles."""

import numpy as np
import scipy.linalg

from liesym.manifolds import _geomstats

# exp(log(R)) must reproduce R to this many round-offs of a unit-scale matrix product.
_LOG_CHECK = 1e-9


def rotation_angles(rot) -> np.ndarray:
    """Rotation angles in [0, pi] of rotations, each plane counted twice, shape=[..., n].

    The eigenvalues of a rotation are ``exp(+-i t_j)`` (and 1); their arguments are the
    angles. ``sqrt(sum(angles**2) / 2)`` is the bi-invariant distance to the identity.

    Parameters
    ----------
    rot : array-like, shape=[..., n, n]

    Returns
    -------
    ndarray, shape=[..., n]

    Examples
    --------
    >>> t = 2.5
    >>> r = [[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]]
    >>> np.round(rotation_angles(r), 12)
    array([2.5, 2.5])
    """
    return np.abs(np.angle(np.linalg.eigvals(np.asarray(rot, dtype=np.float64))))


def _schur_log(rot: np.ndarray) -> np.ndarray:
    """Principal logarithm of one rotation from its real Schur form (valid at angle pi)."""
    n = rot.shape[-1]
    t, q = scipy.linalg.schur(rot, output="real")
    log_t = np.zeros((n, n))
    minus_one = []
    i = 0
    while i < n:
        if i + 1 < n and abs(t[i + 1, i]) > 1e-14:
            # Standardised 2x2 block [[a, b], [c, a]] with c = -b = sin(angle).
            angle = np.arctan2(0.5 * (t[i + 1, i] - t[i, i + 1]), 0.5 * (t[i, i] + t[i + 1, i + 1]))
            log_t[i + 1, i], log_t[i, i + 1] = angle, -angle
            i += 2
            continue
        if t[i, i] < 0.0:
            minus_one.append(i)
        i += 1
    # det = +1: the eigenvalues -1 come in pairs; any pairing is a rotation by pi.
    for a, b in zip(minus_one[::2], minus_one[1::2], strict=False):
        log_t[b, a], log_t[a, b] = np.pi, -np.pi
    out = q @ log_t @ q.T
    return 0.5 * (out - out.T)


def rotation_log(rot) -> np.ndarray:
    """Principal logarithm of rotations, a skew matrix with angles in [-pi, pi].

    geomstats computes it; at and near the cut locus (angle pi), where geomstats refuses or
    loses accuracy, the real Schur form gives it instead (any of the two logarithms of a
    rotation by exactly pi is returned).

    Parameters
    ----------
    rot : array-like, shape=[..., n, n]
        Rotation matrices (orthogonal, determinant +1).

    Returns
    -------
    ndarray, shape=[..., n, n]
        Skew-symmetric.

    Examples
    --------
    >>> x = rotation_log(-np.eye(2))  # angle pi: geomstats refuses, Schur answers
    >>> bool(np.isclose(abs(x[1, 0]), np.pi))
    True
    """
    rot = np.asarray(rot, dtype=np.float64)
    batch = rot.shape[:-2]
    flat = rot.reshape(-1, *rot.shape[-2:])
    try:
        out = _geomstats.group_log(flat)
        out = 0.5 * (out - np.swapaxes(out, -1, -2))
        bad = (np.abs(skew_exp(out) - flat).max(axis=(-1, -2)) > _LOG_CHECK) | ~np.isfinite(
            out
        ).all(axis=(-1, -2))
    except ValueError:  # geomstats: "not well-defined for antipodal rotation matrices"
        out = np.empty_like(flat)
        bad = np.ones(flat.shape[0], dtype=bool)
    for i in np.flatnonzero(bad):
        out[i] = _schur_log(flat[i])
    return out.reshape(*batch, *rot.shape[-2:])


def skew_exp(skew) -> np.ndarray:
    """Exponential of skew-symmetric matrices, batched through a Hermitian eigensolver.

    ``i X`` is Hermitian, ``i X = U diag(l) U^H``, so ``exp(X) = U diag(exp(-i l)) U^H``:
    one vectorised ``eigh`` instead of a Padé approximant per matrix (scipy's ``expm``
    loops over a batch), accurate to round-off.

    Parameters
    ----------
    skew : array-like, shape=[..., n, n]

    Returns
    -------
    ndarray, shape=[..., n, n]

    Examples
    --------
    >>> np.round(skew_exp([[0.0, -np.pi / 2], [np.pi / 2, 0.0]]), 12) + 0.0
    array([[ 0., -1.],
           [ 1.,  0.]])
    """
    skew = np.asarray(skew, dtype=np.float64)
    lam, u = np.linalg.eigh(1j * skew)
    out = (u * np.exp(-1j * lam)[..., None, :]) @ np.swapaxes(u, -1, -2).conj()
    return out.real
