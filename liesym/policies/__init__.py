"""NumPy policies, vectorised rollouts on any task family, and training from rewards.

:class:`LinearPolicy` (``a = clip(proj(K phi(s) + b))``, rectangular, optional fixed
features) is enough for point navigation: the optimal
policy is essentially "straight at the goal at full speed", which it represents exactly
(there is no tabular policy). :func:`rollout` runs batches of (goal, episode) at once, with
explicit :class:`RolloutNoise` for common random numbers; :class:`CEMTrainer` trains from
rewards only with the cross-entropy method.
"""

from liesym.policies.base import (
    AngleFeatures,
    BoxRandomPolicy,
    GoalSeekingPolicy,
    LinearPolicy,
    MirrorFeatures,
    Policy,
    ProductFeatures,
    RandomPolicy,
    ZeroPolicy,
)
from liesym.policies.cem import CEMResult, CEMTrainer, TrainingResult, cem_search, train_policy
from liesym.policies.episodes import PopulationEpisodes, evaluate_policies, run_episodes
from liesym.policies.rollout import RolloutNoise, Rollouts, rollout, rollout_noise, simulate

__all__ = [
    "AngleFeatures",
    "BoxRandomPolicy",
    "CEMResult",
    "CEMTrainer",
    "GoalSeekingPolicy",
    "LinearPolicy",
    "MirrorFeatures",
    "Policy",
    "PopulationEpisodes",
    "ProductFeatures",
    "RandomPolicy",
    "RolloutNoise",
    "Rollouts",
    "TrainingResult",
    "ZeroPolicy",
    "cem_search",
    "evaluate_policies",
    "rollout",
    "rollout_noise",
    "run_episodes",
    "simulate",
    "train_policy",
]
