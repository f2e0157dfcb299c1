"""The ``n_jobs`` convention: joblib's semantics, for k-d tree queries and BLAS alike.

Every liesym function that can use several cores takes ``n_jobs``, read as joblib reads it:
``None`` means 1 unless a ``joblib.parallel_config(n_jobs=...)`` context says otherwise, ``-1``
every core, ``-2`` every core but one, and so on. The same number bounds the threads of SciPy's
k-d tree queries (``workers=``) and of the BLAS libraries (through threadpoolctl), so that
liesym never uses more cores than it was given; nothing runs with hidden ``workers=-1``.
joblib and threadpoolctl are imported when first needed.
"""

import contextlib
import functools
import numbers


def as_n_jobs(n_jobs) -> int:
    """The number of threads that ``n_jobs`` stands for (joblib semantics), at least 1.

    Parameters
    ----------
    n_jobs : None or int
        ``None``: 1, or the ``n_jobs`` of an active ``joblib.parallel_config``; ``-1``: every
        core of this machine; ``-k``: every core but ``k - 1``; a positive integer: that
        many.

    Returns
    -------
    int

    Examples
    --------
    >>> as_n_jobs(None), as_n_jobs(2)
    (1, 2)
    >>> import os
    >>> as_n_jobs(-1) == os.cpu_count()
    True
    """
    if n_jobs is not None and (
        not isinstance(n_jobs, numbers.Integral) or isinstance(n_jobs, bool) or n_jobs == 0
    ):
        raise ValueError(
            f"n_jobs: expected None or a non-zero integer (joblib semantics: -1 = every core), "
            f"got {n_jobs!r}"
        )
    from joblib import cpu_count
    from joblib.parallel import get_active_backend

    if n_jobs is None:
        # Only an explicit parallel_config(n_jobs=...) overrides the default of 1: inside a
        # joblib worker (loky, or a Dask cluster, whose backend reports the whole cluster)
        # one task gets one thread.
        n_jobs = get_active_backend()[1] or 1
    if n_jobs < 0:
        n_jobs = cpu_count() + 1 + n_jobs
    return max(1, int(n_jobs))


@contextlib.contextmanager
def limit_threads(n_jobs):
    """Bound the BLAS/OpenMP thread pools to ``as_n_jobs(n_jobs)`` threads inside the block.

    Yields the number of threads, to pass on as ``workers=`` to k-d tree queries.

    Examples
    --------
    >>> with limit_threads(None) as n_threads:
    ...     n_threads
    1
    """
    n_threads = as_n_jobs(n_jobs)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=n_threads):
        yield n_threads


def respects_n_jobs(method):
    """Decorate an estimator method to run under ``limit_threads(self.n_jobs)``."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with limit_threads(getattr(self, "n_jobs", None)):
            return method(self, *args, **kwargs)

    return wrapper
