"""NumPy policies for point navigation, vectorised rollouts and training from rewards.

:class:`LinearPolicy` (``a = proj(K s + b)``) is enough for point navigation: the optimal
policy is essentially "straight at the goal at full speed", which it represents exactly
(there is no tabular policy). :func:`rollout` runs batches of (goal, episode) at once, with
explicit :class:`RolloutNoise` for common random numbers; :class:`CEMTrainer` trains from
rewards only with the cross-entropy method.
"""

from liesym.policies.base import GoalSeekingPolicy, LinearPolicy, Policy, RandomPolicy
from liesym.policies.cem import CEMResult, CEMTrainer, TrainingResult, cem_search, train_policy
from liesym.policies.rollout import RolloutNoise, Rollouts, rollout, rollout_noise, simulate

__all__ = [
    "CEMResult",
    "CEMTrainer",
    "GoalSeekingPolicy",
    "LinearPolicy",
    "Policy",
    "RandomPolicy",
    "RolloutNoise",
    "Rollouts",
    "TrainingResult",
    "cem_search",
    "rollout",
    "rollout_noise",
    "simulate",
    "train_policy",
]
