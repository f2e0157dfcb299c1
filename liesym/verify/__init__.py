"""Exact SymPy certificates for numeric matrix Lie algebras.

The only subpackage that imports SymPy. Numeric generators are balanced and snapped to an
exact algebra in one place (``liesym.verify._exact``, policy stated there); closure, structure
constants, the isomorphism type, compactness (an exact invariant positive definite form and an
exactly closed torus) and linearizability (an exact common fixed point) are then proved for that
exact algebra, and the report says how far it is from the numeric input and whether the answers
are about the input itself. Every answer is True, False (with a counter-witness that holds for
every algebra within tol) or None (undecided, with the reason) -- never a guess.
:func:`verify` states the semantics in full; :func:`verify_discovered` takes the tolerance of a
data-discovered algebra from the discovery's own uncertainty.

Examples
--------
>>> from liesym.algebra import se
>>> from liesym.verify import verify
>>> r = verify(se(2))
>>> r.name, r.compact, r.linearizable
('se(2)', False, False)
"""

from liesym.verify._answer import Verdict
from liesym.verify._closure import ClosureCertificate, is_closed
from liesym.verify._compact import (
    CompactnessCertificate,
    InvariantForm,
    invariant_form,
    is_compact,
)
from liesym.verify._connected import ConnectednessCertificate, is_connected
from liesym.verify._discovered import (
    discovery_tolerance,
    exact_containment,
    verify_discovered,
)
from liesym.verify._exact import TOL_MAX, TOL_MIN, ExactBasis, exact_basis
from liesym.verify._identify import Identification, identify
from liesym.verify._linearize import FixedPoint, fixed_point
from liesym.verify._report import VerificationReport, verify

__all__ = [
    "TOL_MAX",
    "TOL_MIN",
    "ClosureCertificate",
    "CompactnessCertificate",
    "ConnectednessCertificate",
    "ExactBasis",
    "FixedPoint",
    "Identification",
    "InvariantForm",
    "Verdict",
    "VerificationReport",
    "discovery_tolerance",
    "exact_basis",
    "exact_containment",
    "fixed_point",
    "identify",
    "invariant_form",
    "is_closed",
    "is_compact",
    "is_connected",
    "verify",
    "verify_discovered",
]
