"""Compact task groups through geomstats, and test-time inference of a task's group element.

The only subpackage that uses geomstats; it is imported lazily, when a group computes its
first exponential, logarithm, distance or Fréchet mean.

- :class:`CompactLieGroup` (``CompactLieGroup.from_algebra(algebra, metric)``): the group of a
  compact algebra in the chart ``x -> M^{1/2} x`` of its invariant form M, where it is SO(n)
  or a subgroup; ``identity``, ``compose``, ``inverse``, ``exp``, ``log``, ``dist``,
  ``frechet_mean``, ``random``, ``act``, ``to_chart``, ``from_chart``.
- :class:`GroupInference`: the element L of an unseen task, ``r(s') = r_0(L^{-1} s')``, from
  k of its transitions and a model of the base reward; no oracle goal.
  :class:`ElementTracker`: the same estimate kept up to date while episodes run.
- :func:`fit_reward_profile` / :class:`RewardProfile`: the base reward as a function of the
  invariant ``|M^{1/2}(x - c_0)|``.
- :func:`probe_actively` / :class:`ActiveProbe`: test-time inference from k probing actions
  chosen to split the posterior on the group, with the posterior spread reported.
- :class:`GrassmannDifferentialDiscovery`, :class:`GrassmannFunctionalDiscovery`: gradient
  discovery of a k-dimensional algebra as one point of the Grassmann manifold of
  k-dimensional subspaces of gl(n) (projection loss or functional loss), by
  :class:`GrassmannAdam` (:func:`fit_subspace`; :func:`orthonormal_frame`,
  :func:`horizontal_gradient`, :func:`subspace_distance`).
"""

from liesym.manifolds._rotations import rotation_angles, rotation_log
from liesym.manifolds.active import ActiveProbe, probe_actively
from liesym.manifolds.group import CompactLieGroup, certified_metric
from liesym.manifolds.inference import ElementTracker, GroupInference
from liesym.manifolds.profile import RewardProfile, as_reward_data, fit_reward_profile
from liesym.manifolds.subspace import (
    GrassmannAdam,
    GrassmannDifferentialDiscovery,
    GrassmannFunctionalDiscovery,
    fit_subspace,
    horizontal_gradient,
    orthonormal_frame,
    subspace_distance,
)

__all__ = [
    "ActiveProbe",
    "CompactLieGroup",
    "ElementTracker",
    "GrassmannAdam",
    "GrassmannDifferentialDiscovery",
    "GrassmannFunctionalDiscovery",
    "GroupInference",
    "RewardProfile",
    "as_reward_data",
    "certified_metric",
    "fit_reward_profile",
    "fit_subspace",
    "horizontal_gradient",
    "orthonormal_frame",
    "probe_actively",
    "rotation_angles",
    "rotation_log",
    "subspace_distance",
]
