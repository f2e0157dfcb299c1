"""Offline datasets in Minari format, streamed in chunks of whole episodes.

Researchers' offline-RL data usually come as Minari datasets (HDF5 or Arrow storage).
:func:`iter_minari` reads a local dataset episode by episode (nothing is downloaded) and
yields :class:`OfflineChunk` records of about ``chunk_size`` transitions, which the chunked
discovery estimators consume directly::

    chunks = iter_minari("liesym/circle-random-v0")
    DifferentialDiscovery(affine=True).fit(chunks)      # next states and rewards
    DynamicsSymmetryDiscovery().fit(iter_minari(...))   # states, actions, next states

Reads are resumable: every chunk records the episode position where the next one starts
(``next_start``), so a long pass can stop and continue with ``start=chunk.next_start``
(together with a pickled estimator and ``partial_fit``). The only module that imports
minari (optional extra ``liesym-hgrl[minari]``).
"""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from liesym._core import progress as _progress

__all__ = ["OfflineChunk", "iter_minari", "load_minari"]


@dataclass(frozen=True, eq=False)
class OfflineChunk:
    """Transitions ``(s, a, s', r)`` of consecutive whole episodes of an offline dataset.

    Attributes
    ----------
    states, next_states : ndarray, shape=[N, n]
    actions : ndarray, shape=[N, n_a]
        As applied, when the dataset records them (``action_key`` in the infos), else as
        recorded.
    raw_actions : ndarray, shape=[N, n_a] or None
        The recorded actions, when ``actions`` are the applied ones.
    rewards : ndarray, shape=[N]
    terminated, truncated : ndarray of bool, shape=[N]
    episode_ids : ndarray of int, shape=[N]
        The dataset's episode ids.
    task_ids : ndarray of int, shape=[N]
        Index of each row's task parameter in ``tasks`` (0 without ``task_key``).
    tasks : ndarray, shape=[T, d] or None
        The distinct task parameters met so far in this pass, in order of appearance.
    next_start : int
        Position (in the dataset's episode order) of the first episode after this chunk:
        pass it as ``start`` to resume.
    """

    states: np.ndarray
    actions: np.ndarray
    next_states: np.ndarray
    rewards: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    episode_ids: np.ndarray
    task_ids: np.ndarray
    tasks: np.ndarray | None
    next_start: int
    raw_actions: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.states.shape[0])

    def to_transitions(self):
        """The chunk as a :class:`~liesym.data.Transitions` record (tasks become goals).

        Needs actions and task parameters in the state's dimension (the navigation
        convention of ``Transitions``).
        """
        from liesym.data.transitions import Transitions

        return Transitions(
            states=self.states,
            actions=self.actions,
            next_states=self.next_states,
            rewards=self.rewards,
            terminated=self.terminated,
            truncated=self.truncated,
            task_ids=self.task_ids,
            episode_ids=self.episode_ids,
            raw_actions=self.raw_actions,
            goals=self.tasks,
        )


def _dataset(dataset):
    if isinstance(dataset, str):
        try:
            import minari
        except ImportError as err:  # pragma: no cover - exercised only without the extra
            raise ImportError(
                "Minari datasets need the optional dependency minari: "
                "pip install 'liesym-hgrl[minari]'"
            ) from err
        try:
            return minari.load_dataset(dataset)
        except (FileNotFoundError, ValueError) as err:
            raise ValueError(
                f"dataset: no local Minari dataset {dataset!r} (looked in MINARI_DATASETS_PATH "
                f"or ~/.minari/datasets; nothing is downloaded): {err}"
            ) from None
    if not (hasattr(dataset, "iterate_episodes") and hasattr(dataset, "episode_indices")):
        raise TypeError(
            f"dataset: expected a Minari dataset id or a MinariDataset, got "
            f"{type(dataset).__name__}"
        )
    return dataset


def _array(value, what: str, episode: int, rows: int) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"episode {episode}: {what}: expected numeric arrays ({err})") from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] != rows:
        raise ValueError(
            f"episode {episode}: {what}: expected {rows} rows (one per "
            f"{'observation' if what.startswith('obs') else 'step'}), got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"episode {episode}: {what}: contains NaN or infinite values")
    return arr


def _observations(obs, key: str | None, episode: int):
    if isinstance(obs, dict):
        if key is None:
            raise ValueError(
                f"observation_key: the observations are a dict with keys {sorted(obs)}; "
                "name the one that holds the state"
            )
        if key not in obs:
            raise ValueError(f"observation_key: {key!r} is not among {sorted(obs)}")
        return obs[key]
    if key is not None:
        raise ValueError(
            f"observation_key: the observations of episode {episode} are an array, not a dict"
        )
    return obs


def _task_values(ep, task_key: str, rows: int):
    obs, infos = ep.observations, ep.infos or {}
    if isinstance(obs, dict) and task_key in obs:
        value = obs[task_key]
    elif task_key in infos:
        value = infos[task_key]
    else:
        where = sorted(set(obs) if isinstance(obs, dict) else set()) + sorted(infos)
        raise ValueError(
            f"task_key: episode {ep.id} has no {task_key!r} in its observations or infos "
            f"(found {where})"
        )
    return _array(value, f"task parameter {task_key!r}", ep.id, rows)


def iter_minari(
    dataset,
    *,
    chunk_size: int = 100_000,
    start: int = 0,
    stop: int | None = None,
    observation_key: str | None = None,
    task_key: str | None = None,
    action_key: str | None = "applied_action",
    progress: bool = False,
) -> Iterator[OfflineChunk]:
    """Stream the transitions of a local Minari dataset in chunks of whole episodes.

    Parameters
    ----------
    dataset : str or minari.MinariDataset
        A dataset id (loaded from ``MINARI_DATASETS_PATH`` or ``~/.minari/datasets``;
        never downloaded) or a loaded dataset.
    chunk_size : int, optional, default: 100,000
        A chunk is yielded once it holds at least this many transitions (whole episodes).
    start, stop : int, optional
        Positions in the dataset's episode order to read (``start`` resumes a pass, see
        :attr:`OfflineChunk.next_start`).
    observation_key : str, optional
        For dict observations (goal-conditioned datasets): the key of the state, e.g.
        ``"observation"``.
    task_key : str, optional
        Where the task parameter is: a key of dict observations (e.g. ``"desired_goal"``)
        or of the recorded infos (e.g. ``"goal"``); each transition gets the task of its
        next state.
    action_key : str or None, optional, default: "applied_action"
        An infos key holding the actions as applied (after clipping or projection); used
        when present, the recorded actions then go to ``raw_actions``.
    progress : bool, optional, default: False
        Progress bar over the episodes.

    Yields
    ------
    OfflineChunk

    Raises
    ------
    ValueError
        For a dataset that is not local, or malformed episodes (row counts that do not
        match, NaN, dict observations without ``observation_key``), naming the episode.
    """
    if not isinstance(chunk_size, int | np.integer) or chunk_size < 1:
        raise ValueError(f"chunk_size: expected a positive integer, got {chunk_size!r}")
    ds = _dataset(dataset)
    order = np.asarray(ds.episode_indices)
    n_total = order.size
    for name, value in (("start", start), ("stop", stop)):
        if value is not None and (not isinstance(value, int | np.integer) or value < 0):
            raise ValueError(f"{name}: expected a non-negative episode position, got {value!r}")
    stop = n_total if stop is None else min(int(stop), n_total)
    positions = range(int(start), stop)
    tasks: dict[tuple, int] = {}
    parts: list[dict] = []
    held = 0
    episodes = ds.iterate_episodes(order[int(start) : stop])
    for pos, ep in zip(
        positions,
        _progress(episodes, enable=progress, desc="episodes", total=len(positions)),
        strict=True,
    ):
        part = _episode(ep, observation_key, task_key, action_key, tasks)
        parts.append(part)
        held += part["rewards"].shape[0]
        if held >= chunk_size:
            yield _chunk(parts, tasks, pos + 1)
            parts, held = [], 0
    if parts:
        yield _chunk(parts, tasks, stop)


def _episode(ep, observation_key, task_key, action_key, tasks: dict) -> dict:
    rewards = np.asarray(ep.rewards, dtype=np.float64).reshape(-1)
    steps = rewards.shape[0]
    if not np.all(np.isfinite(rewards)):
        raise ValueError(f"episode {ep.id}: rewards: contains NaN or infinite values")
    obs = _array(
        _observations(ep.observations, observation_key, ep.id), "observations", ep.id, steps + 1
    )
    recorded = _array(ep.actions, "actions", ep.id, steps)
    infos = ep.infos or {}
    raw = None
    actions = recorded
    if action_key is not None and action_key in infos:
        applied = _array(infos[action_key], f"infos[{action_key!r}]", ep.id, steps + 1)
        actions, raw = applied[1:], recorded
    part = {
        "states": obs[:-1],
        "next_states": obs[1:],
        "actions": actions,
        "raw_actions": raw,
        "rewards": rewards,
        "terminated": np.asarray(ep.terminations, dtype=bool).reshape(-1),
        "truncated": np.asarray(ep.truncations, dtype=bool).reshape(-1),
        "episode_ids": np.full(steps, int(ep.id), dtype=np.int64),
    }
    for flag in ("terminated", "truncated"):
        if part[flag].shape != (steps,):
            raise ValueError(
                f"episode {ep.id}: {flag}: expected {steps} flags, got {part[flag].shape[0]}"
            )
    if task_key is None:
        part["task_ids"] = np.zeros(steps, dtype=np.int64)
    else:
        values = _task_values(ep, task_key, steps + 1)[1:]
        ids = np.empty(steps, dtype=np.int64)
        for i, row in enumerate(map(tuple, values)):
            ids[i] = tasks.setdefault(row, len(tasks))
        part["task_ids"] = ids
    return part


def _chunk(parts: list[dict], tasks: dict, next_start: int) -> OfflineChunk:
    joined = {}
    for key in parts[0]:
        values = [p[key] for p in parts]
        if any(v is None for v in values):
            joined[key] = None
            continue
        shapes = {v.shape[1:] for v in values}
        if len(shapes) > 1:
            raise ValueError(f"{key}: the episodes have different shapes {sorted(shapes)}")
        joined[key] = np.concatenate(values, axis=0)
    table = np.array(list(tasks), dtype=np.float64) if tasks else None
    return OfflineChunk(**joined, tasks=table, next_start=int(next_start))


def load_minari(dataset, **kwargs) -> OfflineChunk:
    """All transitions of a local Minari dataset (or of ``start:stop``) as one record.

    Parameters
    ----------
    dataset : str or minari.MinariDataset
    **kwargs
        As :func:`iter_minari` (except ``chunk_size``).

    Returns
    -------
    OfflineChunk
    """
    if "chunk_size" in kwargs:
        raise TypeError("load_minari: chunk_size does not apply (everything is one chunk)")
    chunks = list(iter_minari(dataset, chunk_size=np.iinfo(np.int64).max, **kwargs))
    if not chunks:
        raise ValueError("dataset: no episodes in the selected range")
    return chunks[0]
