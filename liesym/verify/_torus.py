"""Exact closedness of tori: whether exp(z) is closed, for commuting elliptic generators z.

The generators ``Z_1..Z_m`` commute and are skew for a positive definite form, so they act on
common invariant planes p by rotations with frequencies ``omega[p, j]``. The subgroup exp(z) is
closed iff the real span V of the frequency columns is a *rational* subspace of R^P; in general
its closure is a torus whose dimension is that of the smallest rational subspace containing V
(a dense winding when it exceeds m).

Exact computation: a separating integer combination ``Z = sum c_j Z_j`` has the same invariant
planes; the roots ``s_p = -omega_p^2`` of the square-free characteristic polynomial of ``Z^2``
are found in the number field K of the basis (extended by the roots when K = QQ and they are
irrational), and on each plane ``Z_j = rho[p, j] Z`` with ``rho`` in that field. Then
``omega[p, j] = sqrt(t_p) rho[p, j]``, ``t_p = -s_p``. Square roots of elements in distinct
square classes of the field are linearly independent over it (Kummer theory), so writing
``sqrt(t_p) = u_p sqrt(t_c)`` (u_p in the field, t_c the representative of p's class) and
expanding ``u_p rho[p, j]`` in a Q-basis of the field gives a *rational* matrix whose rank is
the closure dimension. Floating point only picks the separating combination.
"""

import numpy as np
import sympy
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from liesym.verify._field import rows_of, sparse, to_float

# Largest degree over Q of a number field built to split the frequencies (beyond: undecided).
MAX_FIELD_DEGREE = 16


def _numeric_weights(zs: list[np.ndarray], m_form: np.ndarray) -> np.ndarray:
    """Numeric frequency vectors (P, m) of commuting M-skew generators, one row per plane."""
    chol = np.linalg.cholesky(m_form)
    ys = np.stack([chol.T @ z @ np.linalg.inv(chol.T) for z in zs])
    gen = np.tensordot(np.sqrt(np.arange(2, len(ys) + 2) + 0.5), ys, axes=1)
    vals, vecs = np.linalg.eig(gen)
    scale = max(1.0, float(np.abs(vals).max()))
    v = vecs[:, vals.imag > 1e-9 * scale]
    w = (
        np.einsum("aj,iab,bj->ji", v.conj(), ys.astype(complex), v).imag
        / np.einsum("aj,aj->j", v.conj(), v).real[:, None]
    )
    return w[np.abs(w).max(axis=1) > 1e-9 * scale] if w.size else w


def _separating(weights: np.ndarray):
    """Integer coefficients c keeping distinct planes' |c . omega_p| distinct and non-zero."""
    m = weights.shape[1]
    scale = max(1e-300, float(np.abs(weights).max()))
    for t in range(2, 60):
        c = np.array([t**j for j in range(m)], dtype=float)
        f = weights @ c
        groups: dict = {}
        for w, fv in zip(weights, f, strict=True):
            key = round(abs(fv) / (scale * c.sum()), 8)
            groups.setdefault(key, set()).add(tuple(np.round(np.sign(fv) * w / scale, 6)))
        if np.all(np.abs(f) > 1e-9 * scale) and all(len(g) == 1 for g in groups.values()):
            yield [int(x) for x in c]
        if m == 1:
            return


def _linear_roots(p: sympy.Poly) -> tuple[list, bool]:
    """Roots (domain elements) of p's linear factors, and whether p splits completely."""
    K = p.domain
    roots, split = [], True
    for f, _ in p.factor_list()[1]:
        if f.degree() == 1:
            a, b = f.rep.to_list()
            roots.append(K.quo(-b, a))
        else:
            split = False
    return roots, split


def _splitting_field(p: sympy.Poly):
    """A number field (over QQ) in which the QQ-polynomial p splits, or None when too large."""
    x = p.gen
    gens: list = []
    field = QQ
    for _ in range(MAX_FIELD_DEGREE):
        q = sympy.Poly(p.as_expr(), x, domain=field)
        if _linear_roots(q)[1]:
            return field
        for f, _ in sympy.Poly(p.as_expr(), x, domain=QQ).factor_list()[1]:
            if f.degree() > 1:
                for k in range(f.degree()):
                    root = sympy.CRootOf(f, k)
                    if root not in gens:
                        gens.append(root)
                        break
                break
        field = QQ.algebraic_field(*gens)
        if field.mod.degree() > MAX_FIELD_DEGREE:
            return None
    return None


def _positive_sqrt(a, K):
    """The positive square root of a in K, or None when a is not a square of K."""
    x = sympy.Dummy("x")
    q = sympy.Poly.from_list([1, 0, -K.to_sympy(a)], x, domain=K)
    for r in _linear_roots(q)[0]:
        if to_float(r, K) > 0:
            return r
    return None


def _square_class(t, classes: list, field) -> tuple[int, object]:
    """Index of t's square class in ``classes`` (appended when new) and u with t = u^2 t_class."""
    for ci, t0 in enumerate(classes):
        u = _positive_sqrt(field.quo(t, t0), field)
        if u is not None:
            return ci, u
    classes.append(t)
    return len(classes) - 1, field.one


def _q_coords(x, K) -> list:
    """Coordinates of a field element over Q (power basis of the primitive element)."""
    if K == QQ:
        return [x]
    coeffs = list(x.to_list())
    return [QQ(0)] * (K.mod.degree() - len(coeffs)) + coeffs


def torus_closure(
    zs: list[DomainMatrix], m_form: np.ndarray
) -> tuple[bool | None, int | None, str, list]:
    """Exact closedness of exp(span zs) for commuting generators skew for the form ``m_form``.

    Parameters
    ----------
    zs : list of DomainMatrix
        Exact commuting generators (linear parts) over one domain K.
    m_form : ndarray
        A positive definite invariant form (floats); it only helps pick a separating
        combination, every decision is exact.

    Returns
    -------
    closed : bool or None
    closure_dim : int or None
        Dimension of the closure of exp(span zs) (a torus).
    reason : str
    ratios : list of sympy numbers
        For one generator: the frequency ratios omega_p / omega_1.
    """
    from liesym.verify._exact import float_matrix

    K = zs[0].domain
    m = len(zs)
    weights = _numeric_weights([float_matrix(z) for z in zs], m_form)
    if weights.size == 0:
        return None, None, "the centre has no rotation planes (not elliptic)", []
    x = sympy.Dummy("s")
    for c in _separating(weights):
        z = zs[0] * K.convert(c[0])
        for cj, zj in zip(c[1:], zs[1:], strict=True):
            z = z + zj * K.convert(cj)
        p = sympy.Poly([K.to_sympy(v) for v in (z * z).to_dense().charpoly()], x, domain=K)
        p = p.quo(p.gcd(p.diff(x)))
        while p.degree() > 0 and p.eval(0) == 0:
            p = p.quo(sympy.Poly(x, x, domain=K))
        field = K
        if not _linear_roots(p)[1]:
            field = _splitting_field(p) if K == QQ else None
            if field is None:
                return (
                    None,
                    None,
                    f"the frequencies need a number field of degree > {MAX_FIELD_DEGREE} (or "
                    "an extension of an algebraic field): closedness undecided",
                    [],
                )
        roots = _linear_roots(sympy.Poly(p.as_expr(), x, domain=field))[0]
        zf = [zz.convert_to(field).to_dense() for zz in zs]
        zc = z.convert_to(field).to_dense()
        z2 = zc * zc
        ker = z2.nullspace()
        if ker.shape[0] and any(not (zj * ker.transpose()).is_zero_matrix for zj in zf):
            continue  # a generator moves the kernel of Z: Z is not separating
        planes, ok = [], True
        for s in roots:
            u = (z2 - DomainMatrix.eye(z2.shape[0], field) * s).nullspace().transpose()
            zu = zc * u
            rows = rows_of(zu.to_sparse())
            i, col = next((i, j) for i, row in rows.items() for j in row)
            rho = []
            for zj in zf:
                zju = zj * u
                r = field.quo(
                    rows_of(zju.to_sparse()).get(i, {}).get(col, field.zero), rows[i][col]
                )
                if not (zju - zu * r).is_zero_matrix:
                    ok = False
                    break
                rho.append(r)
            if not ok:
                break
            planes.append((-s, rho))
        if not ok:
            continue
        classes: list = []
        rows_w = []
        for t, rho in planes:
            ci, u = _square_class(t, classes, field)
            rows_w.append((ci, [u * r for r in rho]))
        deg = len(_q_coords(field.one, field))
        entries = {}
        for p_i, (ci, vals) in enumerate(rows_w):
            for j, v in enumerate(vals):
                for b, coord in enumerate(_q_coords(v, field)):
                    entries[(p_i, (j * len(classes) + ci) * deg + b)] = coord
        rank = sparse(entries, (len(rows_w), m * len(classes) * deg), QQ).rank()
        ratios = []
        if m == 1:
            t0, r0 = planes[0][0], planes[0][1][0]
            for t, rho in planes:
                ratio = sympy.sqrt(field.to_sympy(field.quo(t, t0))) * field.to_sympy(
                    field.quo(rho[0], r0)
                )
                ratios.append(sympy.simplify(ratio))
        if rank == m:
            return (
                True,
                m,
                "frequency ratios rational (decided exactly): the torus exp(centre) is closed",
                ratios,
            )
        return (
            False,
            rank,
            "frequencies independent over Q (decided exactly): exp(centre) winds densely in a "
            f"torus of dimension {rank} > {m}",
            ratios,
        )
    return None, None, "no separating combination of the centre found: closedness undecided", []
