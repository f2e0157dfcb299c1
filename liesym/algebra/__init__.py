"""Matrix Lie algebras as generator stacks: brackets, structure constants, standard bases, metrics.

Imports only NumPy and SciPy.
"""

from liesym.algebra._lie_algebra import LieAlgebra
from liesym.algebra._ops import (
    bracket,
    combine,
    expm,
    invariant_form_numeric,
    killing_form_of,
    span_basis,
    sqrt_spd,
    structure_constants_of,
)
from liesym.algebra.metrics import (
    grassmann_distance,
    matched_cosine,
    null_space_angle,
    principal_angles,
)
from liesym.algebra.standard import (
    gl,
    rotation_about,
    scaling,
    se,
    sl,
    so,
    so_generators,
    so_pq,
    torus,
    translations,
)

__all__ = [
    "LieAlgebra",
    "bracket",
    "combine",
    "expm",
    "gl",
    "grassmann_distance",
    "invariant_form_numeric",
    "killing_form_of",
    "matched_cosine",
    "null_space_angle",
    "principal_angles",
    "rotation_about",
    "scaling",
    "se",
    "sl",
    "so",
    "so_generators",
    "so_pq",
    "span_basis",
    "sqrt_spd",
    "structure_constants_of",
    "torus",
    "translations",
]
