"""Symmetry discovery from samples: kernel frames, differential and functional methods, task groups.

- :class:`DifferentialDiscovery`: generators whose vector fields lie in ker df, in closed form
  (SVD null space) or by the paper's projection loss (``method="gradient"``);
- :class:`FunctionalDiscovery`: the finite-transformation baseline f(exp(tW)x) = f(x);
- :class:`DynamicsSymmetryDiscovery`: linear symmetries of transition data;
- :class:`EquivarianceDiscovery`: state and action representations under which transitions
  are equivariant, from local Jacobians on the data's tangent spaces;
- :class:`TaskGroupDiscovery` (shortcut :func:`discover_task_group`): the task group from one
  dataset per training task;
- :func:`kernel_frames`: normal and kernel spaces of level sets, from samples only.

The closed-form estimators also take data in chunks (memory-mapped arrays, generators of
chunks, ``dask.array``) and ``partial_fit``: statistics per chunk, merged exactly.
"""

from liesym.discovery._constraints import DiscoveryWarning
from liesym.discovery.differential import DifferentialDiscovery, affine_fixed_point
from liesym.discovery.dynamics import DynamicsSymmetryDiscovery
from liesym.discovery.equivariance import EquivarianceDiscovery, tangent_dimension
from liesym.discovery.functional import FunctionalDiscovery
from liesym.discovery.kernel import KernelFrames, kernel_frames
from liesym.discovery.surrogate import KNNSurrogate, LocalLinearSurrogate
from liesym.discovery.task_group import (
    TaskGroupDiscovery,
    TaskGroupResult,
    discover_task_group,
)

__all__ = [
    "DifferentialDiscovery",
    "DiscoveryWarning",
    "DynamicsSymmetryDiscovery",
    "EquivarianceDiscovery",
    "FunctionalDiscovery",
    "KNNSurrogate",
    "KernelFrames",
    "LocalLinearSurrogate",
    "TaskGroupDiscovery",
    "TaskGroupResult",
    "affine_fixed_point",
    "discover_task_group",
    "kernel_frames",
    "tangent_dimension",
]
