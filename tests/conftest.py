import numpy as np
import pytest
import scipy.linalg  # noqa: F401  (loads SciPy's own OpenBLAS, so the limit below covers it)
from threadpoolctl import threadpool_limits

# The suite works on tiny matrices, where BLAS threads only add overhead (a batched 3x3 expm is
# ~50x slower with two OpenBLAS threads on a busy 2-core machine); tests check maths, not speed.
# Limits apply to the BLAS libraries loaded at this point: NumPy's and SciPy's.
threadpool_limits(1)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
