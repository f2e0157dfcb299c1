"""Metrics of transfer and inference: normalised score, relative regret, goal-angle error."""

import numpy as np

from liesym.algebra import sqrt_spd


def normalised_score(returns, oracle, random) -> np.ndarray:
    """``(R - R_random) / (R_oracle - R_random)``: 1 for the oracle, 0 for random actions.

    Examples
    --------
    >>> normalised_score([-5.0, -3.0], -3.0, -11.0)
    array([0.75, 1.  ])
    """
    r, o, z = (np.asarray(x, dtype=np.float64) for x in (returns, oracle, random))
    return (r - z) / (o - z)


def relative_regret(returns, oracle) -> np.ndarray:
    """``(R_oracle - R) / |R_oracle|``: the return lost against the oracle, relative to it.

    A normalised score near 1 can hide a large relative regret when random actions are far
    worse than everything else (a 0.98 score was a 45-67 % worse return on the prototype's
    clipped environment).

    Examples
    --------
    >>> relative_regret([-5.0, -3.0], -4.0)
    array([ 0.25, -0.25])
    """
    r, o = (np.asarray(x, dtype=np.float64) for x in (returns, oracle))
    return (o - r) / np.abs(o)


def goal_angle_error(metric, estimated_goals, goals) -> np.ndarray:
    """Angle between estimated and true goals in the chart x -> M^{1/2} x (radians).

    For the circle and ellipse this is the task-angle error; on the sphere it ignores the
    stabiliser of the goal, which no reward can resolve.

    Examples
    --------
    >>> goal_angle_error(np.eye(2), [[1.0, 0.0]], [[0.0, 2.0]]).round(6)
    array([1.570796])
    """
    root, _ = sqrt_spd(metric)
    a = np.asarray(estimated_goals) @ root
    b = np.asarray(goals) @ root
    a = a / np.linalg.norm(a, axis=-1, keepdims=True)
    b = b / np.linalg.norm(b, axis=-1, keepdims=True)
    # Half-chord form: accurate for tiny angles, where arccos of the cosine is not.
    chord = np.linalg.norm(a - b, axis=-1)
    return 2.0 * np.arctan2(chord, np.linalg.norm(a + b, axis=-1))
