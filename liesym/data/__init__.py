"""Datasets: transitions collected from navigation tasks, and synthetic invariant-function data."""

from liesym.data.synthetic import InvariantDataset, invariant_function_data
from liesym.data.transitions import Transitions, collect_transitions

__all__ = ["InvariantDataset", "Transitions", "collect_transitions", "invariant_function_data"]
