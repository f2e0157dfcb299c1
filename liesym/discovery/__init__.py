"""Symmetry discovery from samples: kernel frames, differential and functional methods, task groups."""
