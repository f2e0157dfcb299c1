"""Exact closure, structure constants and Jacobi identity of a snapped basis."""

from dataclasses import dataclass, field

import sympy
from sympy.polys.matrices import DomainMatrix

from liesym._core import SNAP_TOL
from liesym.verify._exact import ExactBasis, check_tol, exact_basis
from liesym.verify._field import is_zero

# A non-closed snapped span is reported as False only when the *numeric* input is also far from
# closed: its closure residual (orthonormal basis, brackets of norm <= 2) must exceed this
# multiple of tol, else the failure may come from the snapping itself.
CLOSURE_MARGIN = 100.0


@dataclass(frozen=True, eq=False)
class ClosureCertificate:
    """Closure of the snapped span under the bracket, with exact structure constants.

    Attributes
    ----------
    closed : bool or None
    structure_constants : sympy.MutableDenseNDimArray or None
        ``c[i, j, l]`` with ``[E_i, E_j] = sum_l c[i, j, l] E_l`` in the exact basis E.
    jacobi : bool or None
        Jacobi identity of the structure constants, checked exactly (``ad`` is a homomorphism).
    witness : tuple or None
        ``(i, j, R)``: the bracket ``[E_i, E_j]`` leaves the span by the exact matrix R.
    numeric_residual : float
        Closure residual of the numeric input (largest bracket part outside the span).
    reason : str
    """

    closed: bool | None
    structure_constants: object
    jacobi: bool | None
    witness: tuple | None
    numeric_residual: float
    reason: str
    basis: ExactBasis = field(repr=False)
    constants: tuple | None = field(default=None, repr=False)  # domain elements c[i][j][l]


def as_exact_basis(arg, tol) -> ExactBasis:
    """Accept a LieAlgebra (snapped here) or an ExactBasis."""
    if isinstance(arg, ExactBasis):
        return arg
    return exact_basis(arg, check_tol(tol))


def is_closed(algebra, tol: float = SNAP_TOL) -> ClosureCertificate:
    """Prove (or refute) that the snapped span is closed under the matrix bracket.

    Parameters
    ----------
    algebra : LieAlgebra or ExactBasis
    tol : float, optional, default: ``SNAP_TOL``
        Snapping tolerance (ignored when an ExactBasis is given).

    Returns
    -------
    ClosureCertificate

    Examples
    --------
    >>> from liesym.algebra import so
    >>> cert = is_closed(so(3))
    >>> cert.closed, cert.jacobi
    (True, True)
    >>> cert.structure_constants[0, 1, 2] in (1, -1)
    True
    """
    eb = as_exact_basis(algebra, tol)
    numeric = eb.algebra.closure_residual()
    if not eb.ok:
        return ClosureCertificate(None, None, None, None, numeric, eb.reason, eb)
    K = eb.K
    k = len(eb.dm)
    zero = [K.zero] * k
    c = [[list(zero) for _ in range(k)] for _ in range(k)]
    for i in range(k):
        for j in range(i + 1, k):
            br = eb.dm[i] * eb.dm[j] - eb.dm[j] * eb.dm[i]
            coords, rest = eb.coordinates(br)
            if not is_zero(rest):
                margin = CLOSURE_MARGIN * eb.tol
                if numeric > margin:
                    return ClosureCertificate(
                        False,
                        None,
                        None,
                        (i, j, rest.to_Matrix()),
                        numeric,
                        f"[E_{i}, E_{j}] leaves the exact span; the numeric closure residual "
                        f"{numeric:.3g} exceeds {margin:.3g} ({CLOSURE_MARGIN:g} tol)",
                        eb,
                    )
                return ClosureCertificate(
                    None,
                    None,
                    None,
                    (i, j, rest.to_Matrix()),
                    numeric,
                    f"[E_{i}, E_{j}] leaves the snapped span, but the numeric closure residual "
                    f"{numeric:.3g} is within {margin:.3g}: undecided",
                    eb,
                )
            c[i][j] = coords
            c[j][i] = [-v for v in coords]
    jac = jacobi_holds(c, K)
    arr = sympy.MutableDenseNDimArray(
        [[[K.to_sympy(v) for v in row] for row in plane] for plane in c]
    )
    pairs = k * (k - 1) // 2
    return ClosureCertificate(
        True,
        arr,
        jac,
        None,
        numeric,
        f"exact: all {pairs} brackets reduce to zero residual over {eb.domain}; "
        f"Jacobi {'holds' if jac else 'FAILS'} exactly",
        eb,
        constants=tuple(tuple(tuple(r) for r in plane) for plane in c),
    )


def ad_matrices(c, K) -> list[DomainMatrix]:
    """``ad(E_i)`` as exact (k, k) matrices acting on coordinate columns."""
    k = len(c)
    # (ad_i)[r, j] = c[i][j][r]
    return [
        DomainMatrix([[c[i][j][r] for j in range(k)] for r in range(k)], (k, k), K)
        for i in range(k)
    ]


def jacobi_holds(c, K) -> bool:
    """Jacobi identity, as ``ad([E_i, E_j]) == [ad E_i, ad E_j]`` for all i < j, exactly."""
    k = len(c)
    ad = ad_matrices(c, K)
    for i in range(k):
        for j in range(i + 1, k):
            lhs = ad[i] * ad[j] - ad[j] * ad[i]
            for m in range(k):
                if c[i][j][m] != K.zero:
                    lhs = lhs - ad[m] * c[i][j][m]
            if not is_zero(lhs):
                return False
    return True
