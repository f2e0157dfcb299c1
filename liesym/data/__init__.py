"""Datasets: navigation transitions, offline (Minari) datasets, synthetic invariant data."""

from liesym.data._arrays import reward_arrays, transition_arrays
from liesym.data.offline import OfflineChunk, iter_minari, load_minari
from liesym.data.synthetic import InvariantDataset, invariant_function_data
from liesym.data.transitions import Transitions, collect_transitions

__all__ = [
    "InvariantDataset",
    "OfflineChunk",
    "Transitions",
    "collect_transitions",
    "invariant_function_data",
    "iter_minari",
    "load_minari",
    "reward_arrays",
    "transition_arrays",
]
