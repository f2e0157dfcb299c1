"""Matrix Lie algebras as generator stacks: brackets, structure constants, standard bases, metrics.

Imports only NumPy and SciPy.
"""

from liesym.algebra._exp import expm_batch, expm_frechet_batch, lie_closure
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
from liesym.algebra.affine import (
    act,
    affine_fixed_point,
    affine_generators,
    generators_about,
    homogeneous,
    linear_part,
    with_translations,
)
from liesym.algebra.metrics import (
    grassmann_distance,
    matched_cosine,
    null_space_angle,
    principal_angles,
    transverse_angle,
)
from liesym.algebra.representation import Representation
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
    "Representation",
    "act",
    "affine_fixed_point",
    "affine_generators",
    "bracket",
    "combine",
    "expm",
    "expm_batch",
    "expm_frechet_batch",
    "generators_about",
    "gl",
    "grassmann_distance",
    "homogeneous",
    "invariant_form_numeric",
    "killing_form_of",
    "lie_closure",
    "linear_part",
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
    "transverse_angle",
    "with_translations",
]
