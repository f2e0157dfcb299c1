"""Exact linear algebra over QQ or QQ<sqrt(d), ...> with SymPy's DomainMatrix."""

import itertools

import sympy
from sympy import QQ
from sympy.polys.matrices import DomainMatrix


def sign(x, K) -> int:
    """Exact sign of a real domain element (-1, 0 or 1)."""
    if x == K.zero:
        return 0
    if K == QQ:
        return 1 if x > 0 else -1
    expr = K.to_sympy(x)
    pos = expr.is_positive
    if pos is None:  # sympy could not decide: a real algebraic number, evaluate with 50 digits
        pos = bool(sympy.N(expr, 50) > 0)
    return 1 if pos else -1


def inertia(m: DomainMatrix) -> tuple[int, int, int]:
    """(positive, negative, zero) eigenvalue counts of an exact symmetric matrix.

    Descartes' rule of signs is exact for polynomials with real roots only, which the
    characteristic polynomial of a symmetric matrix is.
    """
    K = m.domain
    coeffs = m.charpoly()  # leading first
    n = len(coeffs) - 1
    zero = 0
    while zero < n and coeffs[n - zero] == K.zero:
        zero += 1
    signs = [sign(c, K) for c in coeffs[: n + 1 - zero]]
    signs = [s for s in signs if s != 0]
    pos = sum(1 for a, b in itertools.pairwise(signs) if a != b)
    return pos, n - zero - pos, zero


def zeros(shape, K) -> DomainMatrix:
    """Dense zero DomainMatrix."""
    return DomainMatrix([[K.zero] * shape[1] for _ in range(shape[0])], shape, K)


def column(values, K) -> DomainMatrix:
    """A column vector from a list of domain elements."""
    return DomainMatrix([[v] for v in values], (len(values), 1), K)


def nullspace_rows(m: DomainMatrix) -> list[list]:
    """Basis of the (right) null space of ``m`` as lists of domain elements."""
    return m.nullspace().to_list()


def is_zero(m: DomainMatrix) -> bool:
    """Whether every entry is exactly zero."""
    return m.is_zero_matrix


def poly_at_matrix(coeffs, x: DomainMatrix) -> DomainMatrix:
    """``p(X)`` by Horner's rule, coefficients leading first."""
    K = x.domain
    n = x.shape[0]
    eye = DomainMatrix.eye(n, K).to_dense()
    out = zeros((n, n), K)
    for c in coeffs:
        out = out * x + eye * c
    return out


def is_semisimple(x: DomainMatrix) -> bool:
    """Exact diagonalisability over C: the square-free part of the char. polynomial kills X."""
    K = x.domain
    s = sympy.Dummy("s")
    p = sympy.Poly([K.to_sympy(c) for c in x.charpoly()], s, domain=K)
    q = p.quo(p.gcd(p.diff(s)))
    return is_zero(poly_at_matrix([K.convert(c) for c in q.all_coeffs()], x))


def to_sympy_vector(values, K) -> sympy.Matrix:
    """A list of domain elements as a sympy column."""
    return sympy.Matrix([K.to_sympy(v) for v in values])
