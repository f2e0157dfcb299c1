"""Geometry of the navigation task spaces: planar rotations, so(3) vectors, sphere grids.

Also the prototype's published training goals (facts about the authors' code).
"""

import numpy as np

from liesym._core import as_count
from liesym.algebra import so_generators

PROTOTYPE_TRAIN_GOALS = np.array(
    [
        [-0.70506063, 0.70914702],
        [0.95243384, -0.30474544],
        [-0.11289421, -0.99360701],
        [-0.81394263, -0.58094525],
    ]
)
PROTOTYPE_TRAIN_GOALS.setflags(write=False)

GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))  # 2 pi / phi^2 ~ 2.39996 rad


def prototype_train_goals() -> np.ndarray:
    """The prototype's four seed-42 training goals on the unit circle, base task first.

    Returns
    -------
    ndarray, shape=[4, 2]
        As published (8 digits; on the unit circle to about 6e-9).

    Examples
    --------
    >>> prototype_train_goals()[0]
    array([-0.70506063,  0.70914702])
    """
    return PROTOTYPE_TRAIN_GOALS.copy()


def rotation_2d(theta) -> np.ndarray:
    """Rotation matrices ``R(theta)``, shape=[..., 2, 2].

    Examples
    --------
    >>> rotation_2d(np.pi / 2).round(12) + 0.0
    array([[ 0., -1.],
           [ 1.,  0.]])
    """
    t = np.asarray(theta, dtype=np.float64)
    c, s = np.cos(t), np.sin(t)
    return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)


def hat(v) -> np.ndarray:
    """The so(3) matrix of a vector: ``hat(v) x = v x x`` (cross product), shape=[..., 3, 3].

    Examples
    --------
    >>> hat([0.0, 0.0, 1.0]) @ np.array([1.0, 0.0, 0.0])
    array([0., 1., 0.])
    """
    v = np.asarray(v, dtype=np.float64)
    return np.tensordot(v, so_generators(3), axes=([-1], [0]))


def minimal_rotation_vector(a, b) -> np.ndarray:
    """Rotation vector of the smallest rotation taking direction ``a`` to direction ``b``.

    The axis is ``a x b``; for antipodal directions (no unique axis) the axis is ``a``
    crossed with the coordinate axis least aligned with ``a``.

    Parameters
    ----------
    a, b : array-like, shape=[..., 3]
        Non-zero vectors (only their directions matter).

    Returns
    -------
    ndarray, shape=[..., 3]

    Examples
    --------
    >>> minimal_rotation_vector([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]).round(6)
    array([0.      , 0.      , 1.570796])
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    a = a / np.linalg.norm(a, axis=-1, keepdims=True)
    b = b / np.linalg.norm(b, axis=-1, keepdims=True)
    a, b = np.broadcast_arrays(a, b)
    axis = np.cross(a, b)
    sin = np.linalg.norm(axis, axis=-1, keepdims=True)
    cos = np.sum(a * b, axis=-1, keepdims=True)
    angle = np.arctan2(sin, cos)
    # Antipodal (or nearly): any axis orthogonal to a is minimal; pick a deterministic one.
    helper = np.eye(3)[np.argmin(np.abs(a), axis=-1)]
    fallback = np.cross(a, helper)
    degenerate = sin < 1e-12
    axis = np.where(degenerate & (cos < 0), fallback, axis)
    norm = np.linalg.norm(axis, axis=-1, keepdims=True)
    return np.where(degenerate & (cos > 0), 0.0, axis / np.where(norm > 0, norm, 1.0) * angle)


def fibonacci_sphere(m: int) -> np.ndarray:
    """``m`` nearly evenly spread unit vectors of R^3 (golden-angle spiral), shape=[m, 3].

    Examples
    --------
    >>> pts = fibonacci_sphere(20)
    >>> pts.shape, bool(np.allclose(np.linalg.norm(pts, axis=1), 1.0))
    ((20, 3), True)
    """
    m = as_count(m, "m")
    i = np.arange(m) + 0.5
    z = 1.0 - 2.0 * i / m
    phi = np.pi * (3.0 - np.sqrt(5.0)) * i
    r = np.sqrt(1.0 - z**2)
    return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=-1)
