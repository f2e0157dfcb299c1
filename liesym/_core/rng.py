"""Random-number handling (SPEC 7): every random draw goes through an ``rng`` argument."""

import numbers

import numpy as np


def as_rng(rng=None) -> np.random.Generator:
    """Normalise ``rng`` to a :class:`numpy.random.Generator`.

    Parameters
    ----------
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        ``None`` gives fresh entropy, an int (or seed sequence) a reproducible
        generator, and a generator is returned unchanged.

    Returns
    -------
    numpy.random.Generator

    Examples
    --------
    >>> as_rng(0).integers(10) == as_rng(0).integers(10)
    np.True_
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, numbers.Integral | np.random.SeedSequence):
        if isinstance(rng, numbers.Integral) and rng < 0:
            raise ValueError(f"rng: expected a non-negative seed, got {rng}")
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng: expected None, an int, a SeedSequence or a numpy Generator, got {type(rng).__name__}"
    )
