"""Array helpers, random-number handling, tolerances and exceptions shared by every module.

Only NumPy is imported here, so that every other subpackage can depend on it.
"""

from liesym._core.exceptions import LiesymError, NotCertifiedError
from liesym._core.parallel import as_n_jobs, limit_threads, respects_n_jobs
from liesym._core.progress import progress
from liesym._core.rng import as_rng
from liesym._core.tolerances import ATOL, RANK_RTOL, SNAP_TOL
from liesym._core.validation import (
    as_count,
    as_finite_array,
    as_generator_stack,
    as_points,
    as_positive,
    as_square_matrix,
)

__all__ = [
    "ATOL",
    "RANK_RTOL",
    "SNAP_TOL",
    "LiesymError",
    "NotCertifiedError",
    "as_count",
    "as_finite_array",
    "as_generator_stack",
    "as_n_jobs",
    "as_points",
    "as_positive",
    "as_rng",
    "as_square_matrix",
    "limit_threads",
    "progress",
    "respects_n_jobs",
]
