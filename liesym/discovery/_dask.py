"""Chunked fits on Dask: one task per block of a ``dask.array``, on the active scheduler.

The only liesym module that imports dask (optional extra ``liesym-hgrl[dask]``). A fit maps
each block to its small statistic (:mod:`liesym.discovery._chunks`) and merges the results
on the client, so it runs unchanged on the threaded, the multiprocessing or a
``dask.distributed`` scheduler, whichever is active (``dask.config.set(scheduler=...)``, or a
``distributed.Client``).
"""

import contextlib
from collections.abc import Callable, Sequence

import numpy as np

from liesym._core import progress as _progress
from liesym.discovery._chunks import block_bounds, is_dask

__all__ = ["compute_block", "dask_blocks", "map_blocks"]


def _import_dask():
    try:
        import dask
        import dask.array
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "dask arrays need the optional dependency dask: pip install 'liesym-hgrl[dask]'"
        ) from err
    return dask


def dask_blocks(arrays: Sequence, names: Sequence[str], chunk_size: int | None) -> list[tuple]:
    """Row-aligned blocks of the arrays as tuples of ``dask.delayed`` NumPy arrays.

    Every array is rechunked to the row blocks of the first (or to ``chunk_size`` rows when
    given) and to one block across its other axes; a last block under half the size of the
    one before joins it. NumPy arrays among the arguments are wrapped with the same blocks.
    """
    dask = _import_dask()
    da = dask.array
    present = [(n, a) for n, a in zip(names, arrays, strict=True) if a is not None]
    rows = set()
    for name, a in present:
        n_rows = a.shape[0]
        if isinstance(n_rows, float) and np.isnan(n_rows):
            raise ValueError(
                f"{name}: the dask array has unknown chunk sizes; call "
                f"{name}.compute_chunk_sizes() first"
            )
        rows.add(int(n_rows))
    if len(rows) > 1:
        detail = ", ".join(f"{n} {a.shape[0]}" for n, a in present)
        raise ValueError(f"{', '.join(names)}: expected the same number of rows, got {detail}")
    n_rows = rows.pop()
    lead = next(a for _, a in present if is_dask(a))
    if chunk_size is None:
        sizes = list(lead.chunks[0])
        bounds, start = [], 0
        for s in sizes:
            bounds.append((start, start + s))
            start += s
        if len(bounds) > 1 and sizes[-1] < sizes[-2] / 2:
            bounds[-2:] = [(bounds[-2][0], n_rows)]
    else:
        bounds = block_bounds(n_rows, chunk_size)
    row_chunks = tuple(b - a for a, b in bounds)
    columns = []
    for a in arrays:
        if a is None:
            columns.append([None] * len(bounds))
            continue
        if not is_dask(a):
            a = da.from_array(np.asarray(a), chunks=(row_chunks, *(-1,) * (np.ndim(a) - 1)))
        a = a.rechunk((row_chunks, *(-1,) * (a.ndim - 1)))
        columns.append(list(a.to_delayed().reshape(-1)))
    return [tuple(col[i] for col in columns) for i in range(len(bounds))]


def compute_block(block: tuple) -> tuple:
    """One block as NumPy arrays (computed on the active scheduler)."""
    dask = _import_dask()
    present = [b for b in block if b is not None]
    values = iter(dask.compute(*present))
    return tuple(None if b is None else next(values) for b in block)


def _active_client():
    """The ``distributed.Client`` that is the active scheduler, if any."""
    try:
        from distributed import default_client
    except ImportError:  # pragma: no cover - dask without distributed
        return None
    try:
        client = default_client()
    except ValueError:
        return None
    import dask.base

    return client if dask.base.get_scheduler() == client.get else None


class _Bar:
    """A tqdm bar over the tasks of a local (threaded or multiprocessing) dask computation."""

    def __init__(self, desc: str) -> None:
        from dask.callbacks import Callback
        from tqdm.auto import tqdm

        bar = {}

        def start_state(dsk, state):
            total = sum(len(state[k]) for k in ("ready", "waiting", "running", "finished"))
            bar["bar"] = tqdm(total=total, desc=desc, leave=False, dynamic_ncols=True)

        def posttask(key, result, dsk, state, worker_id):
            bar["bar"].update(1)

        def finish(dsk, state, errored):
            bar["bar"].close()

        self.callback = Callback(start_state=start_state, posttask=posttask, finish=finish)


def map_blocks(
    func: Callable, blocks: Sequence[tuple], *, start: int = 0, progress: bool = False, desc=None
) -> list:
    """``[func(start + i, *block) for i, block in enumerate(blocks)]`` as dask tasks, in order.

    Runs on the active scheduler: a ``distributed.Client`` (progress from its futures) or a
    local one (progress from scheduler callbacks).
    """
    dask = _import_dask()
    tasks = [dask.delayed(func, pure=True)(start + i, *block) for i, block in enumerate(blocks)]
    if not tasks:
        return []
    client = _active_client()
    if client is not None:
        from distributed import as_completed

        futures = client.compute(tasks)
        for _ in _progress(as_completed(futures), enable=progress, desc=desc, total=len(tasks)):
            pass
        return client.gather(futures)
    context = _Bar(desc).callback if progress else contextlib.nullcontext()
    with context:
        return list(dask.compute(*tasks))
