"""Data in chunks: in-memory arrays, memory-mapped or other lazy arrays, streams, dask arrays.

Closed-form discovery reduces every sample to a small statistic (an R factor of constraint
rows, sums of moments), so the data never need to be in memory at once. The estimators accept

- in-memory arrays (one chunk, unless ``chunk_size`` is given);
- memory-mapped arrays (``numpy.memmap``, ``np.load(..., mmap_mode="r")``) and other lazy
  arrays with ``shape`` and slicing (h5py, zarr): read ``chunk_size`` rows at a time;
- iterables of chunks (a generator, an iterator of ``(X, y)`` tuples or of records such as
  :class:`~liesym.data.Transitions`): re-blocked into chunks of ``chunk_size`` rows;
- ``dask.array`` arrays: one task per block, on whatever Dask scheduler is active
  (:mod:`liesym.discovery._dask`, the only module that imports dask).

This module never imports dask: it recognises dask collections by their type's module.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["DEFAULT_CHUNK_SIZE", "ChunkSource", "as_chunk_source", "block_bounds", "is_dask"]

#: Rows per chunk when the data come chunked and no ``chunk_size`` is given: large enough for
#: dense neighbourhoods (frames from a chunk's own neighbours), small enough for ~100 MB.
DEFAULT_CHUNK_SIZE = 100_000


def is_dask(x) -> bool:
    """Whether ``x`` is a dask collection (without importing dask)."""
    return type(x).__module__.split(".", 1)[0] == "dask" and hasattr(x, "dask")


def _is_lazy_array(x) -> bool:
    """Memory-mapped or other out-of-core arrays: sliced chunk by chunk."""
    if isinstance(x, np.memmap):
        return True
    if isinstance(x, np.ndarray | list | tuple) or is_dask(x):
        return False
    return hasattr(x, "shape") and hasattr(x, "__getitem__") and hasattr(x, "dtype")


def _is_stream(x) -> bool:
    """An iterable of chunks (not an array-like)."""
    if isinstance(x, np.ndarray | list | tuple | str | bytes | dict) or is_dask(x):
        return False
    if hasattr(x, "__array__") or _is_lazy_array(x):
        return False
    return isinstance(x, Iterable)


def block_bounds(n_rows: int, chunk_size: int) -> list[tuple[int, int]]:
    """Row ranges of ``chunk_size`` rows; a last block under half that joins its neighbour.

    Examples
    --------
    >>> block_bounds(9, 4)
    [(0, 4), (4, 9)]
    >>> block_bounds(11, 4)
    [(0, 4), (4, 8), (8, 11)]
    """
    starts = list(range(0, n_rows, chunk_size)) or [0]
    bounds = [(s, min(s + chunk_size, n_rows)) for s in starts]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] < chunk_size / 2:
        bounds[-2:] = [(bounds[-2][0], n_rows)]
    return bounds


def as_chunk_size(chunk_size) -> int | None:
    """Validate an estimator's ``chunk_size`` (None or a positive integer)."""
    if chunk_size is None:
        return None
    if not isinstance(chunk_size, int | np.integer) or isinstance(chunk_size, bool):
        raise ValueError(f"chunk_size: expected None or a positive integer, got {chunk_size!r}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size: expected a positive integer, got {chunk_size}")
    return int(chunk_size)


@dataclass(frozen=True)
class ChunkSource:
    """Where the rows of a fit come from.

    Attributes
    ----------
    kind : {"memory", "chunks", "dask"}
        ``"memory"``: ``arrays`` hold every row; ``"chunks"``: iterate ``chunks()``;
        ``"dask"``: ``arrays`` are dask arrays.
    arrays : tuple
        The fit's arguments (``"memory"`` and ``"dask"``).
    chunks : callable or None
        ``"chunks"``: returns an iterator of tuples of arrays, one per chunk.
    n_chunks : int or None
        Number of chunks, when known in advance.
    chunk_size : int
    """

    kind: str
    arrays: tuple
    chunks: Callable[[], Iterator[tuple]] | None
    n_chunks: int | None
    chunk_size: int


def _fields(item, i: int, names: Sequence[str], fields: Sequence[str]) -> tuple:
    """The arrays of one stream item: a tuple/list of arrays, or a record's attributes."""
    if isinstance(item, tuple | list) and len(item) == len(names):
        return tuple(item)
    if all(hasattr(item, f) for f in fields):
        return tuple(getattr(item, f) for f in fields)
    want = ", ".join(names)
    raise TypeError(
        f"chunk {i}: expected a tuple ({want}) of arrays or a record with attributes "
        f"{', '.join(fields)}, got {type(item).__name__}"
        + (f" of length {len(item)}" if isinstance(item, tuple | list) else "")
    )


def _stream(items: Iterable, names, fields) -> Iterator[tuple]:
    for i, item in enumerate(items):
        yield _fields(item, i, names, fields)


def _zipped(streams: Sequence[Iterable], names) -> Iterator[tuple]:
    iterators = [iter(s) for s in streams]
    i = 0
    while True:
        parts = []
        for it in iterators:
            parts.append(next(it, _END))
        ended = [p is _END for p in parts]
        if all(ended):
            return
        if any(ended):
            short = ", ".join(n for n, e in zip(names, ended, strict=True) if e)
            raise ValueError(f"{short}: the chunk streams have different lengths (chunk {i})")
        yield tuple(parts)
        i += 1


_END = object()


def _rows(a) -> int:
    shape = getattr(a, "shape", None)
    if shape is None or len(shape) == 0:
        raise ValueError(f"expected an array with rows, got {type(a).__name__}")
    return int(shape[0])


def reblock(chunks: Iterable[tuple], chunk_size: int, names: Sequence[str]) -> Iterator[tuple]:
    """Re-cut a stream of chunks into chunks of ``chunk_size`` rows (a short tail joins the last).

    Every chunk is checked for a common number of rows across its arrays; the arrays are
    converted with ``numpy.asarray`` (so lazy slices are read here).

    Examples
    --------
    >>> parts = [(np.zeros((3, 2)), np.zeros(3)), (np.ones((4, 2)), np.ones(4))]
    >>> [c[0].shape for c in reblock(iter(parts), 5, ("X", "y"))]
    [(7, 2)]
    """
    buffer: list[tuple] = []
    held = 0
    pending = None
    for i, chunk in enumerate(chunks):
        arrays = tuple(None if a is None else np.asarray(a) for a in chunk)
        sizes = {_rows(a) for a in arrays if a is not None}
        if len(sizes) > 1:
            detail = ", ".join(
                f"{n} {_rows(a)}" for n, a in zip(names, arrays, strict=True) if a is not None
            )
            raise ValueError(f"chunk {i}: the arrays have different numbers of rows ({detail})")
        size = sizes.pop() if sizes else 0
        if size == 0:
            continue
        buffer.append(arrays)
        held += size
        while held >= chunk_size:
            joined = _concat(buffer, i, names)
            cut = tuple(None if a is None else a[:chunk_size] for a in joined)
            rest = tuple(None if a is None else a[chunk_size:] for a in joined)
            held -= chunk_size
            buffer = [rest] if held else []
            if pending is not None:
                yield pending
            pending = cut
    tail = _concat(buffer, -1, names) if buffer else None
    if tail is not None and pending is not None and held < chunk_size / 2:
        pending = _concat([pending, tail], -1, names)
        tail = None
    if pending is not None:
        yield pending
    if tail is not None:
        yield tail


def _concat(parts: list[tuple], i: int, names) -> tuple:
    if len(parts) == 1:
        return parts[0]
    out = []
    for j, name in enumerate(names):
        column = [p[j] for p in parts]
        if any(c is None for c in column):
            out.append(None)
            continue
        shapes = {c.shape[1:] for c in column}
        if len(shapes) > 1:
            where = f"chunk {i}" if i >= 0 else "the last chunks"
            raise ValueError(
                f"{where}: {name} has trailing shape {sorted(shapes)[-1]} but earlier chunks "
                f"have {sorted(shapes)[0]}; every chunk needs the same columns"
            )
        out.append(np.concatenate(column, axis=0))
    return tuple(out)


def _sliced(arrays: tuple, bounds: list[tuple[int, int]]) -> Iterator[tuple]:
    for start, stop in bounds:
        yield tuple(None if a is None else np.asarray(a[start:stop]) for a in arrays)


def as_chunk_source(
    args: Sequence,
    names: Sequence[str],
    *,
    fields: Sequence[str],
    chunk_size: int | None = None,
) -> ChunkSource:
    """Classify the arguments of a fit and describe how to read them chunk by chunk.

    Parameters
    ----------
    args : sequence
        The fit's arguments, e.g. ``(X, y)``; trailing ones may be None when the first is a
        stream of tuples or records.
    names : sequence of str
        Their names, for error messages.
    fields : sequence of str
        Attribute names to read from record items of a stream (e.g. ``("next_states",
        "rewards")``).
    chunk_size : int, optional
        Rows per chunk; default :data:`DEFAULT_CHUNK_SIZE` for chunked inputs, and in-memory
        arrays stay one chunk.

    Returns
    -------
    ChunkSource

    Examples
    --------
    >>> X, y = np.zeros((9, 2)), np.zeros(9)
    >>> as_chunk_source((X, y), ("X", "y"), fields=("X", "y")).kind
    'memory'
    >>> src = as_chunk_source((X, y), ("X", "y"), fields=("X", "y"), chunk_size=4)
    >>> src.kind, src.n_chunks, [c[0].shape[0] for c in src.chunks()]
    ('chunks', 2, [4, 5])
    """
    size = as_chunk_size(chunk_size)
    block = size or DEFAULT_CHUNK_SIZE
    args = tuple(args)
    first = args[0]
    if any(is_dask(a) for a in args):
        return ChunkSource("dask", args, None, None, block)
    if _is_stream(first):
        rest = args[1:]
        if all(a is None for a in rest):

            def chunks():
                return reblock(_stream(first, names, fields), block, names)

        elif all(_is_stream(a) for a in rest):

            def chunks():
                return reblock(_zipped(args, names), block, names)

        else:
            bad = [n for n, a in zip(names[1:], rest, strict=True) if not _is_stream(a)]
            raise TypeError(
                f"{', '.join(bad)}: {names[0]} is a stream of chunks, so pass the other "
                f"arguments as streams of the same length, or give {names[0]} tuples "
                f"({', '.join(names)}) and leave them None"
            )
        return ChunkSource("chunks", args, chunks, None, block)
    if any(_is_lazy_array(a) for a in args if a is not None) or size is not None:
        present = [a for a in args if a is not None]
        rows = {_rows(a) for a in present}
        if len(rows) > 1:
            detail = ", ".join(
                f"{n} {_rows(a)}" for n, a in zip(names, args, strict=True) if a is not None
            )
            raise ValueError(f"{', '.join(names)}: expected the same number of rows, got {detail}")
        bounds = block_bounds(rows.pop(), block)
        return ChunkSource("chunks", args, lambda: _sliced(args, bounds), len(bounds), block)
    return ChunkSource("memory", args, None, 1, block)
