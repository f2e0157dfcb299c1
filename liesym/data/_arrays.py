"""One reading of "a transitions record or arrays" for every fit that takes transition data.

Discovery estimators, the task group and test-time inference all accept either a
:class:`~liesym.data.Transitions` record (or any object with the same fields) or plain arrays;
these two functions are the only place that tells them apart and checks shapes.
"""

import numpy as np

from liesym._core import as_finite_array, as_points


def _is_record(data, fields: tuple[str, ...]) -> bool:
    return all(hasattr(data, f) for f in fields)


def transition_arrays(states, actions=None, next_states=None, rewards=None):
    """Finite arrays ``(s, a, s', r)`` of one batch of transitions, or a ValueError.

    Parameters
    ----------
    states : array-like, shape=[N, n], or Transitions
        States, or a record with ``states``, ``actions``, ``next_states`` (and, if present,
        ``rewards``); then leave the other arguments None.
    actions : array-like, shape=[N, m]
    next_states : array-like, shape=[N, n]
    rewards : array-like, shape=[N], optional

    Returns
    -------
    states : ndarray, shape=[N, n]
    actions : ndarray, shape=[N, m]
    next_states : ndarray, shape=[N, n]
    rewards : ndarray, shape=[N], or None
        None when neither the record nor the caller gave rewards.

    Examples
    --------
    >>> from liesym.data import transition_arrays
    >>> s, a, s2, r = transition_arrays(np.zeros((3, 4)), np.ones((3, 2)), np.zeros((3, 4)))
    >>> s.shape, a.shape, r is None
    ((3, 4), (3, 2), True)
    """
    if _is_record(states, ("states", "actions", "next_states")):
        extra = {"actions": actions, "next_states": next_states, "rewards": rewards}
        given = [k for k, v in extra.items() if v is not None]
        if given:
            raise ValueError(
                f"{', '.join(given)}: states is a transitions record that already holds them; "
                "leave them None"
            )
        record = states
        states, actions, next_states = record.states, record.actions, record.next_states
        rewards = getattr(record, "rewards", None)
    missing = [k for k, v in (("actions", actions), ("next_states", next_states)) if v is None]
    if missing:
        raise ValueError(
            f"{', '.join(missing)}: expected arrays of N rows, or a transitions record as states"
        )
    s = as_finite_array(states, "states", ndim=2)
    a = as_finite_array(actions, "actions", ndim=2)
    s2 = as_finite_array(next_states, "next_states", ndim=2)
    if not (s.shape[0] == a.shape[0] == s2.shape[0]):
        raise ValueError(
            "states, actions, next_states: expected the same number of rows, got "
            f"{s.shape[0]}, {a.shape[0]}, {s2.shape[0]}"
        )
    if s2.shape[1] != s.shape[1]:
        raise ValueError(
            f"next_states: expected {s.shape[1]} coordinates like states, got {s2.shape[1]}"
        )
    r = None if rewards is None else _rewards(rewards, s.shape[0], "rewards")
    return s, a, s2, r


def reward_arrays(data, rewards=None, *, name: str = "transitions", n: int | None = None):
    """Next states (N, n) and rewards (N,) from a transitions record, a pair, or two arrays.

    Parameters
    ----------
    data : object with ``next_states`` and ``rewards``, or (next_states, rewards), or array
        An array is taken as next states, with ``rewards`` given separately. A record must
        hold one task (a single value of ``task_ids``, when it has them).
    rewards : array-like, shape=[N], optional
    name : str
        Argument name for error messages.
    n : int, optional
        Required state dimension.

    Returns
    -------
    points : ndarray, shape=[N, n]
    rewards : ndarray, shape=[N]

    Examples
    --------
    >>> from liesym.data import reward_arrays
    >>> x, r = reward_arrays(([[0.0, 1.0]], [-1.0]))
    >>> x.shape, r.shape
    ((1, 2), (1,))
    """
    if _is_record(data, ("next_states", "rewards")):
        if rewards is not None:
            raise ValueError(f"{name}: rewards are already part of the transitions record")
        ids = getattr(data, "task_ids", None)
        if ids is not None and np.unique(np.asarray(ids)).size > 1:
            raise ValueError(f"{name}: expected transitions of one task, got several task_ids")
        data, rewards = data.next_states, data.rewards
    elif rewards is None:
        if not (isinstance(data, tuple | list) and len(data) == 2):
            raise ValueError(
                f"{name}: expected a transitions record (next_states, rewards), a pair "
                "(next_states, rewards), or next states with rewards given separately"
            )
        data, rewards = data
    points = as_points(data, f"{name}.next_states")
    r = _rewards(rewards, points.shape[0], f"{name}.rewards")
    if n is not None and points.shape[1] != n:
        raise ValueError(
            f"{name}.next_states: expected {n} coordinates per state, got shape {points.shape}"
        )
    return points, r


def _rewards(rewards, n_rows: int, name: str) -> np.ndarray:
    r = as_finite_array(rewards, name)
    if r.ndim == 2 and r.shape[1] == 1:
        r = r[:, 0]
    if r.shape != (n_rows,):
        raise ValueError(f"{name}: expected shape ({n_rows},) to match the states, got {r.shape}")
    return r
