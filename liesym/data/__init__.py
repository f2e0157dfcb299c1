"""Datasets: transitions collected from navigation tasks, and synthetic invariant-function data."""
