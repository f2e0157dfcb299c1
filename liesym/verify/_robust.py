"""Refutations that hold for every algebra within tol of the numeric input.

A False answer about a floating-point input must not depend on which exact algebra near the
input is meant, so each refutation here is an *open* condition checked with a margin: it holds
for every span V' whose canonical basis, in the balanced chart, is within ``tol`` entry-wise of
the input's. Such a V' is within the angle ``theta = tol n sqrt(k)`` of the input's span V (the
canonical rows R have ``sigma_min(R) >= 1``), so every unit element of V has an element of V'
within ``delta = 2 theta``. The margins below follow from that bound; each function returns the
witness (a sentence) or None.
"""

import numpy as np

from liesym.algebra import structure_constants_of

# Generic combinations tried as eigenvalue witnesses besides the basis elements.
_N_GENERIC = 4


def charts(eb) -> list[tuple[np.ndarray, float]]:
    """(basis, delta) pairs in which a refutation must hold.

    With a tolerance only: the balanced chart and the input's coordinates, both with
    ``delta = 2 tol n sqrt(k)`` ("within tol" is measured in the balanced chart; a witness that
    also holds in the input's own coordinates cannot be an artefact of the balancing magnifying
    noise). With a known angle (discovered algebras: the span is within ``angle`` of the true
    one, in the input's coordinates): the input's coordinates, ``delta = 2 angle``.
    """
    alg = eb.algebra
    if getattr(eb, "angle", None) is not None:
        return [(alg.basis, 2.0 * float(eb.angle))]
    delta = perturbation(eb.tol, alg.n, alg.dim)
    if eb.metric is None:
        return [(alg.basis, delta)]
    return [(eb.metric.basis, delta), (alg.basis, delta)]


def in_every_chart(check, pairs, *args) -> str | None:
    """A witness only when ``check(basis, delta, *args)`` finds one in every (basis, delta)."""
    found = [check(b, d, *args) for b, d in pairs]
    if any(w is None for w in found):
        return None
    return found[0] + ("" if len(found) == 1 else " (in the balanced chart and in the input's)")


def perturbation(tol: float, n: int, k: int) -> float:
    """delta: Frobenius distance within which every unit element of V has a partner in V'."""
    return 2.0 * tol * n * np.sqrt(k)


def _linear(basis: np.ndarray, affine: bool) -> np.ndarray:
    return basis[:, :-1, :-1] if affine else basis


def not_closed(basis: np.ndarray, delta: float) -> str | None:
    """The span is robustly not closed: a basis bracket leaves it by more than ``10 delta``.

    ``dist([X, Y], V)`` changes by at most ``6 delta`` between nearby spans (brackets of unit
    matrices have norm <= 2), and is 0 for a closed span.
    """
    _, resid = structure_constants_of(basis)
    worst = float(resid.max())
    margin = 10.0 * delta
    if worst > margin:
        return (
            f"a bracket of basis elements leaves the span by {worst:.3g} > {margin:.3g} "
            "(10 delta): no algebra within tol is closed"
        )
    return None


def max_compact_dim(n: int, affine: bool) -> int:
    """Largest dimension of a compact subalgebra: so(m) on R^m, m = n (or n - 1 if affine)."""
    m = n - 1 if affine else n
    return m * (m - 1) // 2


def not_compact(basis: np.ndarray, delta: float, affine: bool, rng_weights) -> str | None:
    """A robust witness against compactness (dimension, trace, real eigenvalue, Killing form)."""
    k, n, _ = basis.shape
    cap = max_compact_dim(n, affine)
    if k > cap:
        m = n - 1 if affine else n
        what = f"affine maps of R^{m}" if affine else f"R^{n}"
        return (
            f"dimension {k} exceeds {cap} = dim so({m}), the largest compact algebra of "
            f"{what} (a compact group is conjugate into SO({m})"
            f"{', fixing a point' if affine else ''})"
        )
    lin = _linear(basis, affine)
    m = lin.shape[-1]
    # Trace: tr vanishes on a compact algebra; X -> tr(W) has norm |P_V I| on V.
    coeffs = np.einsum("kii->k", lin)
    tau = float(np.linalg.norm(coeffs))
    if tau > 2.0 * delta * np.sqrt(m):
        i = int(np.argmax(np.abs(coeffs)))
        return (
            f"the trace does not vanish on the span (|tr| up to {tau:.3g} on unit elements, "
            f"margin {2 * delta * np.sqrt(m):.3g}); det exp(t X) is unbounded (e.g. basis "
            f"element {i}, trace {coeffs[i]:.3g})"
        )
    # A real part of an eigenvalue beyond the Bauer-Fike radius of every nearby element.
    cands = list(lin) + list(np.tensordot(rng_weights[:_N_GENERIC, :k], lin, axes=1))
    for x in cands:
        size = np.linalg.norm(x)
        if size == 0.0:  # a pure translation: no linear part to examine
            continue
        x = x / size
        vals, vecs = np.linalg.eig(x)
        cond = float(np.linalg.cond(vecs))
        if not np.isfinite(cond):
            continue
        radius = cond * delta
        j = int(np.argmax(np.abs(vals.real)))
        if abs(vals[j].real) > radius:
            return (
                f"an element has the eigenvalue {vals[j]:.4g} whose real part exceeds the "
                f"Bauer-Fike radius {radius:.3g} of every element within tol: exp(t X) is "
                "unbounded"
            )
    # Killing form: negative semidefinite on a compact algebra.
    if k > 1:
        c, resid = structure_constants_of(basis)
        if float(resid.max()) <= 10.0 * delta:
            kill = np.einsum("iab,jba->ij", c, c)
            top = float(np.linalg.eigvalsh(0.5 * (kill + kill.T))[-1])
            margin = 24.0 * k * k * delta
            if top > margin:
                return (
                    f"the Killing form has the positive eigenvalue {top:.3g} > {margin:.3g} "
                    "(its largest change within tol); compact algebras have B <= 0"
                )
    if affine:
        why = no_fixed_point(basis, delta)
        if why is not None:
            return f"{why}; a compact group of affine maps fixes the barycentre of its orbits"
    return None


def no_fixed_point(basis: np.ndarray, delta: float) -> str | None:
    """Affine generators robustly without a common fixed point.

    With the stacked linear parts A (full column rank, ``sigma_min(A) > 2 delta``) the
    least-squares point c is stable, and ``min |A' c' + b'|`` stays positive for every
    nearby algebra when ``min |A c + b| > 2 delta (1 + |c'|)``.
    """
    _, n, _ = basis.shape
    m = n - 1
    a = basis[:, :m, :m].reshape(-1, m)
    b = basis[:, :m, m].reshape(-1)
    s = np.linalg.svd(a, compute_uv=False)
    smin = float(s[-1]) if s.size == m else 0.0
    if smin <= 2.0 * delta:
        return None
    c = np.linalg.lstsq(a, -b, rcond=None)[0]
    res = float(np.linalg.norm(a @ c + b))
    bound = (np.linalg.norm(b) + delta) / (smin - delta)
    margin = 2.0 * delta * (1.0 + bound)
    if res > margin:
        return (
            f"the equations W_i c = -b_i have least-squares residual {res:.3g} > {margin:.3g} "
            "with a well-determined c: no common fixed point for any algebra within tol"
        )
    return None
