"""liesym: discover, certify and reuse the Lie-group symmetries of task families.

Importing ``liesym`` loads NumPy and SciPy only; SymPy (``liesym.verify``), geomstats
(``liesym.manifolds``) and matplotlib (``liesym.viz``) load with their subpackages.
"""

from liesym.algebra import LieAlgebra as LieAlgebra
from liesym.algebra import grassmann_distance as grassmann_distance
from liesym.algebra import matched_cosine as matched_cosine
from liesym.algebra import principal_angles as principal_angles

__version__ = "0.1.0"

__all__ = ["LieAlgebra", "__version__", "grassmann_distance", "matched_cosine", "principal_angles"]
