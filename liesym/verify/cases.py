"""Generated algebras with known answers, for property tests of the verifier and its benchmark.

A case is an exact algebra G from a family with known answers (closure, compactness,
linearizability, name), moved by transformations that must not change the answers: a change of
basis, scalings of the generators (1e-3 to 1e6), a change of coordinates (an exact diagonal
chart, a random chart of condition number up to 1e4, a translation of the fixed point up to 1e6
from the origin), and noise below the tolerance. Cases with noise far *above* the tolerance are
generated too; their known answers are those of the perturbed input (a generic perturbation of a
non-abelian algebra is not closed; of anything elliptic, not compact), and no name may be
claimed for them.

The generator draws everything from ``rng`` (NumPy only, no SymPy).

Examples
--------
>>> case = random_case(0)
>>> case.algebra.dim >= 1 and case.tol > 0
True
"""

from dataclasses import dataclass

import numpy as np

from liesym._core import as_rng
from liesym.algebra import LieAlgebra, so_generators

_J = np.array([[0.0, -1.0], [1.0, 0.0]])


def _unit(n, i, j):
    e = np.zeros((n, n))
    e[i, j] = 1.0
    return e


def _blocks(*mats):
    n = sum(m.shape[-1] for m in mats)
    out = np.zeros((n, n))
    i = 0
    for m in mats:
        s = m.shape[-1]
        out[i : i + s, i : i + s] = m
        i += s
    return out


def _direct_sum(a, b):
    na, nb = a.shape[-1], b.shape[-1]
    left = np.zeros((len(a), na + nb, na + nb))
    left[:, :na, :na] = a
    right = np.zeros((len(b), na + nb, na + nb))
    right[:, na:, na:] = b
    return np.concatenate([left, right])


def _quaternion_left():
    """Left multiplication by i, j, k on R^4 = H: su(2) as real 4x4 matrices."""
    one = np.eye(4)
    i = np.array([[0, -1, 0, 0], [1, 0, 0, 0], [0, 0, 0, -1], [0, 0, 1, 0]], dtype=float)
    j = np.array([[0, 0, -1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, -1, 0, 0]], dtype=float)
    k = i @ j
    assert np.allclose(i @ i, -one)
    return np.stack([i, j, k])


def _u2():
    """u(2) on R^4: left quaternion multiplications plus right multiplication by i."""
    ri = np.array([[0, -1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, -1, 0]], dtype=float)
    return np.concatenate([_quaternion_left(), ri[None]])


def _so_pq(p, q):
    n = p + q
    eta = np.diag([1.0] * p + [-1.0] * q)
    return np.stack(
        [eta @ (_unit(n, j, i) - _unit(n, i, j)) for i in range(n) for j in range(i + 1, n)]
    )


def _sl(n):
    gens = [_unit(n, i, j) for i in range(n) for j in range(n) if i != j]
    gens += [_unit(n, i, i) - _unit(n, i + 1, i + 1) for i in range(n - 1)]
    return np.stack(gens)


def _affine(linear, center):
    """Linear generators acting about ``center``: x -> W (x - c), homogeneous."""
    k, m, _ = linear.shape
    out = np.zeros((k, m + 1, m + 1))
    out[:, :m, :m] = linear
    out[:, :m, m] = -linear @ np.asarray(center, dtype=float)
    return out


def _se(m):
    rot = _affine(so_generators(m), np.zeros(m)) if m >= 2 else np.zeros((0, m + 1, m + 1))
    trans = np.stack([_unit(m + 1, i, m) for i in range(m)])
    return np.concatenate([rot, trans])


# name -> (builder(rng) -> (stack, affine), closed, compact, linearizable, name, tags)
# tags: "torus_irrational" (compact False only decidable for exact input), "noisy_ok"
# (noise above tol is meaningful: dim >= 2 and not abelian), "elliptic".
def _families():
    fam = {}

    def add(key, build, closed, compact, lin, name, *tags):
        fam[key] = (build, closed, compact, lin, name, set(tags))

    for n in (2, 3, 4):
        add(f"so({n})", lambda r, n=n: (so_generators(n), False), True, True, True, f"so({n})")
    add("so(5)", lambda r: (so_generators(5), False), True, True, True, "so(5)", "big")
    add("su(2) on R^4", lambda r: (_quaternion_left(), False), True, True, True, "so(3)")
    add("u(2) on R^4", lambda r: (_u2(), False), True, True, True, "so(3)+so(2)")
    for p, q in ((1, 1), (1, 2), (2, 3), (3, 4), (1, 3), (5, 3)):
        add(
            f"torus {p}:{q}",
            lambda r, p=p, q=q: (_blocks(p * _J, q * _J)[None], False),
            True,
            True,
            True,
            "so(2)",
        )
    add(
        "torus 2-dim 1:2, 0:1 on R^6",
        lambda r: (np.stack([_blocks(_J, 2 * _J, 0 * _J), _blocks(0 * _J, _J, 3 * _J)]), False),
        True,
        True,
        True,
        "so(2)+so(2)",
    )
    for label, w in (
        ("sqrt2", np.sqrt(2.0)),
        ("sqrt3/2", np.sqrt(3.0) / 2),
        ("sqrt5", np.sqrt(5.0)),
    ):
        add(
            f"torus 1:{label}",
            lambda r, w=w: (_blocks(_J, w * _J)[None], False),
            True,
            False,
            True,
            "so(2)",
            "torus_irrational",
        )
    for nn in (
        7,
        50,
    ):  # J + [[0, -a], [b, 0]] with a b = n^2 + 1: ratio within 1/(8 n^3) of a rational
        add(
            f"torus 1:sqrt({nn * nn + 1}) integer",
            lambda r, nn=nn: (
                _blocks(_J, np.array([[0.0, -(nn * nn + 1)], [1.0, 0.0]]))[None],
                False,
            ),
            True,
            False,
            True,
            "so(2)",
            "torus_irrational",
        )
    add("sl(2)", lambda r: (_sl(2), False), True, False, True, "sl(2,R)", "noisy_ok")
    add("sl(3)", lambda r: (_sl(3), False), True, False, True, "sl(3,R)", "big", "noisy_ok")
    add("so(2,1)", lambda r: (_so_pq(2, 1), False), True, False, True, "sl(2,R)", "noisy_ok")
    add("so(1,3)", lambda r: (_so_pq(1, 3), False), True, False, True, "so(3,1)", "noisy_ok")
    add("so(1,1)", lambda r: (_so_pq(1, 1), False), True, False, True, "so(1,1)")
    add("scaling", lambda r: (np.eye(3)[None], False), True, False, True, "scaling")
    add(
        "spiral J + I/4",
        lambda r: ((_J + 0.25 * np.eye(2))[None], False),
        True,
        False,
        True,
        "abelian(1)",
    )
    add(
        "nilpotent 1-dim",
        lambda r: (_unit(2, 0, 1)[None], False),
        True,
        False,
        True,
        "abelian(1)",
    )
    add(
        "heisenberg",
        lambda r: (np.stack([_unit(3, 0, 1), _unit(3, 1, 2), _unit(3, 0, 2)]), False),
        True,
        False,
        True,
        "heisenberg(3)",
        "noisy_ok",
    )
    add(
        "aff(1)",
        lambda r: (np.stack([_unit(2, 0, 0), _unit(2, 0, 1)]), False),
        True,
        False,
        True,
        "aff(1)",
        "noisy_ok",
    )
    add(
        "so(3)+so(2)",
        lambda r: (_direct_sum(so_generators(3), so_generators(2)), False),
        True,
        True,
        True,
        "so(3)+so(2)",
    )
    add(
        "sl(2)+so(2)",
        lambda r: (_direct_sum(_sl(2), so_generators(2)), False),
        True,
        False,
        True,
        "sl(2,R)+so(2)",
        "noisy_ok",
    )
    add(
        "not closed: L_x, L_y",
        lambda r: (so_generators(3)[:2], False),
        False,
        None,
        True,
        None,
        "noisy_ok",
    )
    # Affine.
    add("se(2)", lambda r: (_se(2), True), True, False, False, "se(2)", "noisy_ok")
    add("se(3)", lambda r: (_se(3), True), True, False, False, "se(3)", "noisy_ok")
    add(
        "translations(2)",
        lambda r: (_se(2)[1:], True),
        True,
        False,
        False,
        "abelian(2)",
    )
    add(
        "one translation of the plane",
        lambda r: (_se(2)[1:2], True),
        True,
        False,
        False,
        "abelian(1)",
    )
    add(
        "rotation about a point",
        lambda r: (_affine(_J[None], r.integers(-5, 6, size=2)), True),
        True,
        True,
        True,
        "so(2)",
    )
    add(
        "so(3) about a point",
        lambda r: (_affine(so_generators(3), r.integers(-5, 6, size=3)), True),
        True,
        True,
        True,
        "so(3)",
    )
    add(
        "two rotations about distinct points",
        lambda r: (
            np.concatenate([_affine(_J[None], [0.0, 0.0]), _affine(_J[None], [1.0, 2.0])]),
            True,
        ),
        False,
        False,
        False,
        None,
        "noisy_ok",
    )
    return fam


FAMILIES = _families()


@dataclass(frozen=True)
class Case:
    """A generated algebra and the answers that are known for it.

    Attributes
    ----------
    label : str
        Family and transformations.
    family : str
    algebra : LieAlgebra
        The input.
    tol : float
    exact : bool
        The input is an exact algebra written in floats (no noise, exact transformations).
    closed, compact, linearizable : bool or None
        The known answers (None: not asserted).
    name : str or None
        The known name (None: no name may be claimed, e.g. noise far above tol; "any": not
        asserted).
    noise : str
        "none", "below" or "above".
    """

    label: str
    family: str
    algebra: LieAlgebra
    tol: float
    exact: bool
    closed: bool | None
    compact: bool | None
    linearizable: bool | None
    name: str | None
    noise: str

    def wrong(self, report) -> list[str]:
        """The answers of ``report`` that contradict the known ones (a False for a True, ...)."""
        bad = []
        for key in ("closed", "compact", "linearizable"):
            truth, got = getattr(self, key), getattr(report, key)
            if truth is not None and got is not None and got != truth:
                bad.append(f"{key}: {got} (truth {truth})")
        if report.name is not None and self.name != "any" and report.name != self.name:
            bad.append(f"name: {report.name!r} (truth {self.name!r})")
        return bad


def _random_chart(rng, m, max_cond):
    q1 = np.linalg.qr(rng.normal(size=(m, m)))[0]
    q2 = np.linalg.qr(rng.normal(size=(m, m)))[0]
    cond = 10.0 ** rng.uniform(0, np.log10(max_cond))
    sig = np.exp(np.linspace(0.0, np.log(cond), m))
    rng.shuffle(sig)
    return q1 @ np.diag(sig) @ q2


def random_case(rng=None, *, family: str | None = None, big: bool = True) -> Case:
    """One generated case (family, transformations, tolerance, noise), drawn from ``rng``.

    Parameters
    ----------
    rng : None, int or Generator
    family : str, optional
        A key of :data:`FAMILIES` (default: drawn).
    big : bool, optional, default: True
        Allow the larger families (so(5), sl(3)).

    Returns
    -------
    Case
    """
    rng = as_rng(rng)
    keys = [k for k, v in FAMILIES.items() if big or "big" not in v[5]]
    key = family if family is not None else keys[rng.integers(len(keys))]
    build, closed, compact, lin, name, tags = FAMILIES[key]
    stack, affine = build(rng)
    stack = np.asarray(stack, dtype=np.float64)
    k, n, _ = stack.shape
    m = n - 1 if affine else n
    labels = [key]
    exact = True
    # Tolerance and noise (added in G's own coordinates, relative to each generator).
    tol = float(rng.choice([1e-6, 1e-6, 1e-4, 1e-3, 1e-2]))
    noise = "none"
    draw = rng.uniform()
    if draw < 0.35:
        noise = "below"
    elif draw < 0.5 and ("noisy_ok" in tags or k == 1) and tol <= 1e-4:
        noise = "above"
    # Change of coordinates. A fixed point moved 1e6 away makes the linear parts 1e-6 of the
    # generators, below any noise: translated cases stay noise-free (exact).
    chart = rng.choice(["none", "diagonal", "random", "translation"])
    if chart == "translation" and not affine:
        chart = "none"
    if chart == "translation" and noise != "none":
        chart = "none"
    if chart == "diagonal":
        d = 10.0 ** rng.integers(-2, 3, size=m).astype(float)
        c = np.diag(d)
        labels.append(f"exact diagonal chart {d.tolist()}")
    elif chart == "random":
        c = _random_chart(rng, m, 1e4)
        exact = False
        labels.append(f"random chart, condition {np.linalg.cond(c):.2g}")
    else:
        c = np.eye(m)
    full = np.eye(n)
    full[:m, :m] = c
    if affine and chart == "translation":
        t = rng.integers(-(10**6), 10**6, size=m).astype(float)
        full[:m, m] = t
        labels.append(f"fixed point moved by {t.tolist()}")
    if noise == "below" and chart != "random":
        # Relative noise on every entry of G (a diagonal chart or a translation then keeps it
        # relative to each entry, so it stays below tol in every chart the verifier may use).
        size = tol * 10.0 ** rng.uniform(-3, -2)
        stack = stack * (1.0 + size * rng.normal(size=stack.shape))
        exact = False
        labels.append(f"relative noise below tol ({size:.1g})")
    stack = full @ stack @ np.linalg.inv(full)
    if noise == "above" or (noise == "below" and chart == "random"):
        # Additive noise on an orthonormal basis of the span, in the input's coordinates.
        size = tol * 10.0 ** rng.uniform(-3, -2) if noise == "below" else max(1e-3, 1e3 * tol)
        size = min(size, 0.05)
        stack = LieAlgebra(stack, affine=affine).basis.copy()
        eps = rng.normal(size=stack.shape) / n * size
        if affine:
            eps[:, -1, :] = 0.0
        stack = stack + eps
        exact = False
        labels.append(f"noise {noise} tol ({size:.1g})")
    # Change of basis (condition <= 10 on unit generators), then scalings of the generators.
    stack = stack / np.linalg.norm(stack.reshape(k, -1), axis=1)[:, None, None]
    mix = rng.normal(size=(k, k))
    while np.linalg.cond(mix) > 10:
        mix = rng.normal(size=(k, k))
    scales = 10.0 ** rng.uniform(-3, 6, size=k)
    stack = np.tensordot(mix, stack, axes=1) * scales[:, None, None]
    labels.append("basis mixed, generators scaled by 1e-3..1e6")
    if noise == "above":
        # Noise >= 1e3 tol: a generic perturbation of a span of dimension >= 2 is not closed,
        # generates a non-compact group and has no exact algebra within tol (no name). A
        # 1-dimensional span stays closed; its type is the perturbed generator's, which any
        # nearby exact algebra may share, so nothing else is asserted.
        closed = True if k == 1 else False
        compact = None if k == 1 else False
        lin = None
        name = "any" if k == 1 else None
    elif "torus_irrational" in tags and not exact:
        compact = False  # still the truth; the verifier may only abstain
    algebra = LieAlgebra(stack, affine=affine)
    return Case(
        label=" | ".join(labels) + f" | tol {tol:g}",
        family=key,
        algebra=algebra,
        tol=tol,
        exact=exact,
        closed=closed,
        compact=compact,
        linearizable=lin,
        name=name,
        noise=noise,
    )
