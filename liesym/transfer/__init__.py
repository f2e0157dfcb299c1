"""Hereditary transfer of a base policy, the meta-RL baselines and regret-vs-distance curves.

:class:`HereditaryPolicy` is the equivariant map ``pi_g(s) = L pi_0(L^-1 s)`` (states pulled
back, actions pushed forward by the linear part of L); it takes group elements as inputs,
however they were obtained (ground truth or test-time inference). The baselines are trained
on the same training tasks: :class:`ContrastiveMetaPolicy` (InfoNCE task encoder and a
context-conditioned policy), :func:`nearest_task_policies` and a per-task oracle.
:func:`regret_curve` compares them across the task space.
"""

from liesym.transfer.contrastive import (
    ContextEncoder,
    ContrastiveMetaPolicy,
    encoder_loss,
    info_nce,
    transition_features,
)
from liesym.transfer.evaluate import (
    REFERENCE_METHODS,
    CurveBand,
    RegretCurve,
    compare_policies,
    evaluate_transfer,
    nearest_task_policies,
    regret_curve,
    task_distance,
)
from liesym.transfer.hereditary import (
    HereditaryPolicy,
    TrackingHereditaryPolicy,
    check_element,
    equivariance_defect,
    hereditary_policies,
)
from liesym.transfer.metrics import goal_angle_error, normalised_score, relative_regret

__all__ = [
    "REFERENCE_METHODS",
    "ContextEncoder",
    "ContrastiveMetaPolicy",
    "CurveBand",
    "HereditaryPolicy",
    "RegretCurve",
    "TrackingHereditaryPolicy",
    "check_element",
    "compare_policies",
    "encoder_loss",
    "equivariance_defect",
    "evaluate_transfer",
    "goal_angle_error",
    "hereditary_policies",
    "info_nce",
    "nearest_task_policies",
    "normalised_score",
    "regret_curve",
    "relative_regret",
    "task_distance",
    "transition_features",
]
