"""Default tolerances, stated once.

``ATOL``
    absolute tolerance for identities that hold to float precision after a few
    matrix products of unit-scale matrices (about 1e3 machine epsilons).
``RANK_RTOL``
    relative singular-value threshold below which a direction of a *given* spanning
    set counts as dependent (exact inputs; noisy inputs should pass their own).
``SNAP_TOL``
    largest entry-wise change allowed when snapping numeric generators to exact numbers.
"""

ATOL = 1e-10
RANK_RTOL = 1e-8
SNAP_TOL = 1e-6
