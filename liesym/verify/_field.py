"""Exact linear algebra over QQ or QQ<sqrt(d), ...> with SymPy's (sparse) DomainMatrix."""

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


def sparse(entries: dict, shape: tuple[int, int], K) -> DomainMatrix:
    """A sparse DomainMatrix from ``{(i, j): value}`` (zeros dropped)."""
    rows: dict = {}
    for (i, j), v in entries.items():
        if v != K.zero:
            rows.setdefault(i, {})[j] = v
    return DomainMatrix(rows, shape, K)


def rows_of(m: DomainMatrix) -> dict:
    """The non-zero entries of ``m`` as ``{row: {col: value}}`` (sparse view, not copied)."""
    return m.to_sparse().rep


def entries(m: DomainMatrix) -> dict:
    """The non-zero entries of ``m`` as ``{(i, j): value}``."""
    return {(i, j): v for i, row in rows_of(m).items() for j, v in row.items()}


def is_zero(m: DomainMatrix) -> bool:
    """Whether every entry is exactly zero."""
    return not any(rows_of(m).values())


def trace(m: DomainMatrix):
    """Exact trace."""
    K = m.domain
    return sum((row.get(i, K.zero) for i, row in rows_of(m).items()), K.zero)


def column(values, K) -> DomainMatrix:
    """A column vector from a list of domain elements."""
    return DomainMatrix([[v] for v in values], (len(values), 1), K)


def inertia(m: DomainMatrix) -> tuple[int, int, int]:
    """(positive, negative, zero) eigenvalue counts of an exact symmetric matrix.

    Symmetric Gaussian elimination (Sylvester's law of inertia): a non-zero diagonal pivot
    contributes its sign; when every remaining diagonal entry vanishes but an off-diagonal
    ``a_ij`` does not, the 2x2 block ``[[0, a], [a, 0]]`` contributes one positive and one
    negative eigenvalue. Exact, O(n^3) and sparse-friendly (no characteristic polynomial).

    Examples
    --------
    >>> inertia(DomainMatrix([[QQ(0), QQ(1)], [QQ(1), QQ(0)]], (2, 2), QQ))
    (1, 1, 0)
    """
    K = m.domain
    n = m.shape[0]
    a = {i: dict(row) for i, row in rows_of(m).items() if row}
    pos = neg = 0

    def clean(row: dict) -> dict:
        return {c: v for c, v in row.items() if v != K.zero}

    def eliminate(p: int) -> None:
        piv = a[p][p]
        row_p = a.pop(p)
        for i, ai in a.items():
            f = ai.pop(p, None)
            if f is None:
                continue
            f = K.quo(f, piv)
            for j, v in row_p.items():
                if j != p:
                    ai[j] = ai.get(j, K.zero) - f * v
            a[i] = clean(ai)

    while a:
        a = {i: row for i, row in a.items() if row}
        p = next((i for i, row in a.items() if i in row), None)
        if p is not None:
            if sign(a[p][p], K) > 0:
                pos += 1
            else:
                neg += 1
            eliminate(p)
            continue
        i = next(iter(a), None)
        if i is None:
            break
        j = next(iter(a[i]))  # a_ij != 0 and every diagonal entry is 0
        # Congruence e_i <- e_i + e_j (rows, then columns): the new a_ii is 2 a_ij != 0.
        row_i, row_j = a[i], a.get(j, {})
        for c, v in row_j.items():
            row_i[c] = row_i.get(c, K.zero) + v
        for row in a.values():
            v = row.get(j)
            if v is not None:
                row[i] = row.get(i, K.zero) + v
        for r in list(a):
            a[r] = clean(a[r])
    return pos, neg, n - pos - neg


def poly_at_matrix(coeffs, x: DomainMatrix) -> DomainMatrix:
    """``p(X)`` by Horner's rule, coefficients leading first."""
    K = x.domain
    n = x.shape[0]
    eye = DomainMatrix.eye(n, K).to_sparse()
    out = DomainMatrix.zeros((n, n), K).to_sparse()
    for c in coeffs:
        out = out * x + eye * c
    return out


def charpoly(x: DomainMatrix, s) -> sympy.Poly:
    """Characteristic polynomial of ``x`` as a sympy Poly in ``s`` over its domain."""
    K = x.domain
    return sympy.Poly([K.to_sympy(c) for c in x.to_dense().charpoly()], s, domain=K)


def is_semisimple(x: DomainMatrix) -> bool:
    """Exact diagonalisability over C: the square-free part of the char. polynomial kills X."""
    K = x.domain
    s = sympy.Dummy("s")
    p = charpoly(x, s)
    q = p.quo(p.gcd(p.diff(s)))
    return is_zero(poly_at_matrix([K.convert(c) for c in q.all_coeffs()], x))


def to_sympy_vector(values, K) -> sympy.Matrix:
    """A list of domain elements as a sympy column."""
    return sympy.Matrix([K.to_sympy(v) for v in values])


def to_float(x, K) -> float:
    """A domain element as a float."""
    if K == QQ:
        return float(x)
    return float(sympy.N(K.to_sympy(x), 20))
