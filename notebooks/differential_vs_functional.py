# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Differential vs functional symmetry discovery
#
# A linear vector field $x \mapsto Wx$ generates a symmetry of $f : \mathbb{R}^n \to \mathbb{R}$
# when $f$ is constant along its flow. There are two ways to turn that into an equation for $W$.
#
# * **Functional**: $f(e^{tW}x) = f(x)$ for sampled finite $t$.
# * **Differential**: $\nabla f(x)^\top W x = 0$, the same condition at $t = 0$.
#
# This notebook does three things:
#
# 1. It derives why the differential constraint is **linear** in $W$, so that the symmetry
#    algebra is a null space. It checks this in SymPy for $f = x_1^2 + x_2^2$ ($\mathfrak{so}(2)$)
#    and $f = x_1 x_2$ ($\mathfrak{so}(1,1)$). It then shows what makes the functional constraint
#    harder.
# 2. It runs the closed form, the projection loss (gradient differential) and the functional loss
#    (true $f$ and a surrogate fitted to the samples) live, all on the same data.
# 3. It reads the committed benchmark `benchmarks/results/diff_vs_func.json` and sets it against
#    the prototype's measured numbers.
#
# With `LIESYM_SMALL=1` in the environment (the test run) the live section uses fewer seeds and
# steps.

# %%
import json
import os
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from IPython.display import Markdown, display

import liesym
from liesym.algebra import LieAlgebra, expm_batch, principal_angles, so
from liesym.discovery import DifferentialDiscovery, FunctionalDiscovery, LocalLinearSurrogate
from liesym.discovery._gradient import projection_loss
from liesym.verify import verify
from liesym.viz import plot_convergence, plot_singular_values

# %matplotlib inline

SMALL = os.environ.get("LIESYM_SMALL", "") not in ("", "0")
TOL = 0.05  # radians: the prototype's convergence threshold
print("small mode" if SMALL else "full mode")

# %% [markdown]
# ## 1. Why the differential constraint is linear
#
# Let $G$ be a **connected** Lie group of linear maps with Lie algebra $\mathfrak g$. Every element
# of $G$ is a product of exponentials $e^{tW}$ with $W \in \mathfrak g$, so $f$ is $G$-invariant
# exactly when $f(e^{tW}x) = f(x)$ for all $t$, all $x$ and all $W \in \mathfrak g$. The chain rule
# gives
#
# $$\frac{d}{dt} f(e^{tW}x) = \nabla f(e^{tW}x)^\top\, W\, e^{tW}x .$$
#
# * ($\Rightarrow$) Invariance makes the left side vanish. At $t = 0$ this gives
#   $\nabla f(x)^\top W x = 0$.
# * ($\Leftarrow$) Suppose $\nabla f(y)^\top W y = 0$ at every point $y$. Then the right side
#   vanishes for all $t$, because $y = e^{tW}x$ is just another point. So $t \mapsto f(e^{tW}x)$ is
#   constant.
#
# Hence
#
# $$f \circ e^{tW} = f \;\; \forall t
#   \quad\Longleftrightarrow\quad
#   df_x(Wx) = \nabla f(x)^\top W x
#   = \big\langle \nabla f(x)\, x^\top,\; W \big\rangle_F = 0 \;\; \forall x .$$
#
# The right-hand side is **linear in $W$**: one row $\operatorname{vec}(\nabla f(x)\,x^\top)$ per
# sample. Stacking the rows over samples $x_1, \dots, x_N$ gives
#
# $$A \operatorname{vec}(W) = 0, \qquad
#   A = \begin{pmatrix} \operatorname{vec}(\nabla f(x_1)\, x_1^\top)^\top \\ \vdots \\
#   \operatorname{vec}(\nabla f(x_N)\, x_N^\top)^\top \end{pmatrix}
#   \in \mathbb{R}^{N \times n^2}.$$
#
# The symmetry algebra is the **null space** of $A$. With noisy gradients its dimension is the
# number of singular values below the **gap** in the spectrum of $A$. No optimiser, initialisation
# or learning rate is involved. Two limits are worth stating:
#
# * Only $\nabla f$ on the data enters, and only its direction: any normal of the level set will
#   do. This is how `liesym` estimates it from samples (`kernel_frames`).
# * Components of a symmetry group that do not contain the identity, such as the reflections that
#   also preserve $\|x\|^2$, are invisible to the differential condition.
#
# ### 1.1 In SymPy
#
# We write $W = \begin{pmatrix} a & b \\ c & d \end{pmatrix}$ and
# $\operatorname{vec}(W) = (a, b, c, d)$, flattened row by row. The constraint
# $\nabla f^\top W x$ is a polynomial in $x$. It vanishes for **all** $x$ exactly when all its
# coefficients vanish, which is a linear system in $(a, b, c, d)$.

# %%
x1, x2 = sp.symbols("x_1 x_2", real=True)
a, b, c, d = sp.symbols("a b c d", real=True)
X = sp.Matrix([x1, x2])
W = sp.Matrix([[a, b], [c, d]])
vec_w = sp.Matrix([a, b, c, d])  # row-major, like numpy's reshape


def differential_constraint(f):
    """The constraint ∇f^T W x, its row vec(∇f x^T), the coefficient system and its null space."""
    grad = sp.Matrix([f]).jacobian(X).T
    expr = sp.expand((grad.T * W * X)[0])
    row = (grad * X.T).reshape(1, 4)
    assert sp.expand((row * vec_w)[0] - expr) == 0  # ∇f^T W x = <∇f x^T, W>_F
    coeffs = sp.Poly(expr, x1, x2).coeffs()  # identity in x <=> every coefficient is 0
    A, _ = sp.linear_eq_to_matrix(coeffs, list(vec_w))
    null = [v.reshape(2, 2) for v in A.nullspace()]
    return expr, row, A, null


examples = {"x_1^2 + x_2^2": x1**2 + x2**2, "x_1 x_2": x1 * x2}
symbolic = {}
for name, f in examples.items():
    expr, row, A, null = differential_constraint(f)
    symbolic[name] = null
    print(f"===  f = {name}")
    print("∇f^T W x =", expr)
    print("row vec(∇f x^T) =", row.tolist()[0])
    print("coefficient system A (rows: monomials of x, columns: a, b, c, d):")
    display(A)
    print(f"null space (dimension {len(null)}):")
    display(*null)

# %% [markdown]
# For $f = x_1^2 + x_2^2$ the constraint is $2a x_1^2 + 2(b + c)x_1x_2 + 2d x_2^2$. It forces
# $a = d = 0$ and $c = -b$, so the null space is spanned by the rotation generator
# $J = \begin{pmatrix} 0 & -1 \\ 1 & 0 \end{pmatrix}$: the algebra is $\mathfrak{so}(2)$.
#
# For $f = x_1 x_2$ the constraint is $c x_1^2 + (a + d) x_1 x_2 + b x_2^2$, and the null space is
# spanned by $\mathrm{diag}(-1, 1)$. This is the boost $x \mapsto (e^{-t}x_1, e^{t}x_2)$ that
# preserves the hyperbolas $x_1x_2 = \text{const}$: $\mathfrak{so}(1,1)$, written in light-cone
# coordinates. `liesym.verify` names both algebras and decides their compactness:

# %%
for name, null in symbolic.items():
    alg = LieAlgebra(np.array([np.array(m, dtype=float) for m in null]))
    rep = verify(alg)
    print(f"f = {name:<14} name = {rep.name:<8} compact = {rep.compact}")
assert symbolic["x_1^2 + x_2^2"][0] in (sp.Matrix([[0, -1], [1, 0]]), sp.Matrix([[0, 1], [-1, 0]]))

# %% [markdown]
# ### 1.2 From identities to samples: the singular-value gap
#
# On data we do not have the polynomial identity. We have one row
# $\operatorname{vec}(\nabla f(x_i)\,x_i^\top)$ per sample, scaled to unit length below so that
# every point counts equally. The null space of the stacked rows is the same as long as the
# samples are generic. Its dimension shows as a gap in the singular values. As a control we add a
# function with **no** linear symmetry, $f = x_1 + x_2^2$. Its constraint
# $a x_1 + b x_2 + 2 c x_1 x_2 + 2 d x_2^2$ forces $W = 0$, and its spectrum has no gap.

# %%
grads = {
    "x_1^2 + x_2^2": lambda p: 2 * p,
    "x_1 x_2": lambda p: p[:, ::-1],
    "x_1 + x_2^2 (control)": lambda p: np.stack([np.ones(len(p)), 2 * p[:, 1]], axis=1),
}
pts = np.random.default_rng(0).normal(size=(200, 2))
for name, grad in grads.items():
    rows = np.einsum("bi,bj->bij", grad(pts), pts).reshape(len(pts), 4)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    s = np.linalg.svd(rows, compute_uv=False)[::-1]  # ascending
    print(f"{name:<24} singular values (ascending): {np.array2string(s, precision=2)}")

# %% [markdown]
# The two symmetric functions have one singular value at round-off (below $10^{-15}$); the other
# three are of order $\sqrt{N}$, as the rows have unit length. The control has none near zero: its
# null space is $\{0\}$.
#
# ### 1.3 The functional constraint is not linear
#
# Expand the functional residual in $t$. For $f = \|x\|^2$ it is exactly
# $x^\top\big(e^{tW^\top}e^{tW} - I\big)x$. Its $t^k$ coefficient is a homogeneous polynomial of
# degree $k$ in the entries of $W$. The truncated series below gives the first three coefficients
# exactly.

# %%
t = sp.symbols("t", real=True)
order = 3
exp_tw = sum(((t * W) ** k / sp.factorial(k) for k in range(order + 1)), sp.zeros(2, 2))
f_circle = examples["x_1^2 + x_2^2"]
moved = exp_tw * X
residual = sp.expand(f_circle.subs({x1: moved[0], x2: moved[1]}, simultaneous=True) - f_circle)
for k in range(1, order + 1):
    coeff = residual.coeff(t, k)
    degree = sp.Poly(coeff, a, b, c, d).total_degree()
    print(f"t^{k}: degree {degree} in W, {len(sp.Add.make_args(coeff))} terms")
first = residual.coeff(t, 1)
assert sp.expand(first - differential_constraint(f_circle)[0]) == 0
print("t^1 coefficient == ∇f^T W x:", True)
print("t^2 coefficient:", sp.factor(residual.coeff(t, 2)))

# %% [markdown]
# The $t^1$ coefficient is the differential constraint. The functional loss adds every higher
# order on top of it, which makes it a non-convex function of $W$ built from the matrix
# exponential. It also differs from the differential constraint in three practical ways:
#
# * **It needs $f$ off the data.** The residual evaluates $f$ at $e^{tW}x$, which is not a sample.
#   The prototype supplied the true $f$, an oracle. From data alone one needs a surrogate, and
#   the surrogate extrapolates wherever $e^{tW}x$ leaves the data.
# * **$W = 0$ is a trivial minimiser.** At $W = 0$ every residual is exactly zero. The projection
#   loss $\sum_b \|(I - P_{K})V_b\| + \sum_b \|(I - P_{V_b})K\|$ is not zero there, because its
#   second (maximality) term asks the generator vectors to span the kernel.
# * **The $t$-range presumes compactness.** Drawing $t \sim U(0, 2\pi)$ covers one period of
#   $SO(2)$. For a non-compact group the same range moves points arbitrarily far away.
#
# All three, computed on 2,000 samples of $\|x\|^2$ and $x_1 x_2$:

# %%
pts = np.random.default_rng(1).normal(size=(2000, 2))
J = np.array([[0.0, -1.0], [1.0, 0.0]])
boost = np.diag([-1.0, 1.0])
t_draw = np.random.default_rng(2).uniform(0.0, 2 * np.pi, size=len(pts))  # the prototype's range


def sq_norm(p):
    return (p**2).sum(axis=1)


def functional_residual(f, gen):
    moved = np.einsum("bij,bj->bi", expm_batch(t_draw[:, None, None] * gen), pts)
    return np.sqrt(np.mean((f(moved) - f(pts)) ** 2)), moved


w_random = np.random.default_rng(3).uniform(size=(2, 2))
for label, gen in [("W = 0", np.zeros((2, 2))), ("W = J", J), ("W random", w_random)]:
    func, _ = functional_residual(sq_norm, gen)
    l_sym, l_max = projection_loss(gen, pts, normals=pts)
    print(
        f"{label:<9} functional RMS residual = {func:9.3e}   "
        f"projection loss per point = {(l_sym + l_max) / len(pts):.3f}"
    )


def product(p):
    return p[:, 0] * p[:, 1]


radius = np.linalg.norm(pts, axis=1).max()
for label, f, gen in [("rotation, f = |x|^2", sq_norm, J), ("boost, f = x1 x2", product, boost)]:
    res, moved = functional_residual(f, gen)
    outside = np.mean(np.linalg.norm(moved, axis=1) > radius)
    print(
        f"{label:<20} residual {res:.1e}; {outside:.0%} of e^(tW)x leave the data's radius "
        f"{radius:.1f}; largest |e^(tW)x| = {np.linalg.norm(moved, axis=1).max():.0f}"
    )

# %% [markdown]
# The functional loss cannot tell $W = 0$ from the true generator, and the projection loss can.
# The boost is an exact symmetry of $x_1x_2$, so its residual is at round-off. But with
# $t \in (0, 2\pi)$ it carries most points far outside the sampled region, where a surrogate
# fitted to the samples has no information. liesym's functional baseline keeps $W$ on the unit
# sphere by default (`normalize=True`), which removes $W = 0$. The prototype protocol in
# Section 3 does not (`normalize=False`).
#
# ## 2. Live runs on identical data
#
# The setting is $f(x) = \|x\|^2$ with $N$ points $x \sim N(0, I_2)$ drawn with seed 0. All four
# gradient runs below get these points; the functional ones also get a callable $f$. The same
# `rng` seed gives every gradient learner the same $U(0,1)$ initial generator and the same
# minibatch stream. To keep the run short we use liesym's defaults (unit-sphere guard,
# $t \sim U(-\pi, \pi)$) with a learning rate of $4.5\times10^{-3}$, ten times the prototype's.
# The prototype's own protocol is the committed benchmark in Section 3.
#
# **Closed form first.** `DifferentialDiscovery()` with no arguments estimates the normals of the
# level sets from $(X, y)$ by local linear fits (`kernel_frames`). It stacks the constraint rows,
# reads the dimension off the gap and returns the null space. We run it once on the estimated
# frames and once on the exact normals $\nabla f(x) \propto x$.

# %%
N = 4000
x = np.random.default_rng(0).normal(size=(N, 2))
y = sq_norm(x)
truth = so(2)

closed, closed_seconds = {}, {}
for label, kwargs in [("estimated frames", {"y": y}), ("exact normals", {"normals": x})]:
    t0 = time.perf_counter()
    est = DifferentialDiscovery().fit(x, **kwargs)
    seconds = time.perf_counter() - t0
    closed[label], closed_seconds[label] = est, seconds
    angle = principal_angles(est.algebra_, truth).max()
    print(
        f"closed form, {label:<16}: dim {est.dim_}, gap {est.gap_:.3g}, "
        f"angle to so(2) {angle:.1e} rad, {seconds * 1e3:.0f} ms "
        f"({est.frames_.n_reliable}/{N} reliable frames)"
    )

fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
for ax, (label, est) in zip(axes, closed.items(), strict=True):
    plot_singular_values(est.singular_values_, est.dim_, ax=ax, title=f"closed form, {label}")
fig.tight_layout()

# %% [markdown]
# With exact normals the smallest singular value is at round-off. With estimated frames it sits at
# the frames' noise level, still far below the other three. In both cases the gap rule picks
# dimension 1 and the span is $\mathfrak{so}(2)$ to the printed angle.
#
# **Gradient methods.** The four runs are:
#
# * `projection loss, estimated`: `DifferentialDiscovery(method="gradient")` fitted to $(X, y)$;
# * `projection loss, exact`: the same with the exact normals;
# * `functional, oracle f`: `FunctionalDiscovery` with the true $f$ and $\nabla f$;
# * `functional, surrogate`: `FunctionalDiscovery` with a `LocalLinearSurrogate` fitted to
#   $(X, y)$, the same information the differential methods get.

# %%
seeds = range(1, 3) if SMALL else range(1, 6)
n_steps = 1500 if SMALL else 3000
LR = 4.5e-3
surrogate = LocalLinearSurrogate().fit(x, y)
grad_kw = {"lr": LR, "n_steps": n_steps, "reference": truth}

learners = {
    "projection loss, estimated": lambda s: DifferentialDiscovery(
        dim=1, method="gradient", rng=s, **grad_kw
    ).fit(x, y),
    "projection loss, exact": lambda s: DifferentialDiscovery(
        dim=1, method="gradient", rng=s, **grad_kw
    ).fit(x, normals=x),
    "functional, oracle f": lambda s: FunctionalDiscovery(rng=s, **grad_kw).fit(
        x, sq_norm, grad=lambda p: 2 * p
    ),
    "functional, surrogate": lambda s: FunctionalDiscovery(rng=s, **grad_kw).fit(x, surrogate),
}
histories = {name: [] for name in learners}
for seed in seeds:
    for name, learn in learners.items():
        histories[name].append(learn(seed).history_)


def steps_to_tol(history):
    """First step (1-based) with angle <= TOL, or None."""
    hit = np.flatnonzero(history["angle"] <= TOL)
    return int(hit[0]) + 1 if hit.size else None


def spread(values, fmt):
    if not values:
        return "not reached"
    return f"{fmt.format(np.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


live = {}
for name, runs in histories.items():
    steps = [steps_to_tol(h) for h in runs]
    reached = [(k, h) for k, h in zip(steps, runs, strict=True) if k is not None]
    live[name] = {
        "steps": [k for k, _ in reached],
        "seconds": [h["time"][k - 1] for k, h in reached],
        "ms_per_step": 1e3 * np.median([h["time"][-1] / len(h["time"]) for h in runs]),
        "final": max(h["angle"][-1] for h in runs),
        "reached": f"{len(reached)}/{len(runs)}",
    }
print(f"f = |x|^2, N = {N}, seeds {list(seeds)}, {n_steps} steps, lr {LR}, tolerance {TOL} rad")
header = f"{'method':<28}{'steps to tol':>22}{'seconds to tol':>22}{'ms/step':>9}{'reached':>9}"
print(header + f"{'final angle (max)':>19}")
for name, r in live.items():
    print(
        f"{name:<28}{spread(r['steps'], '{:.0f}'):>22}{spread(r['seconds'], '{:.2f}'):>22}"
        f"{r['ms_per_step']:>9.2f}{r['reached']:>9}{r['final']:>19.1e}"
    )

fig = plot_convergence(
    {name: [h["angle"] for h in runs] for name, runs in histories.items()},
    key="largest principal angle to so(2) (rad)",
    tol=TOL,
    title=f"f = |x|^2, N = {N}: median and range over {len(seeds)} seeds",
)

# %%
med = {name: np.median(r["steps"]) if r["steps"] else np.inf for name, r in live.items()}
diff_steps = med["projection loss, exact"]
for name in ("functional, oracle f", "functional, surrogate"):
    print(f"{name}: {med[name] / diff_steps:.1f}x the median steps of the projection loss (exact)")
print(
    "projection loss, estimated vs exact frames: "
    f"{med['projection loss, estimated'] / diff_steps:.2f}x the steps"
)
# The claims of the next cell, for these seeds:
assert med["functional, oracle f"] > med["projection loss, exact"]
assert abs(med["projection loss, estimated"] / diff_steps - 1) < 0.5
assert med["functional, surrogate"] < med["functional, oracle f"]

# %% [markdown]
# What the live runs show, for these seeds:
#
# * **Projection loss vs functional loss with the true $f$.** The projection loss reaches the
#   tolerance in several times fewer steps, and each step is cheaper: no matrix exponential and no
#   evaluation of $f$.
# * **Estimated vs exact frames.** Estimating the frames from the samples changes the projection
#   loss's step count only slightly.
# * **Surrogate.** The functional loss needs *fewer* steps with the surrogate than with the true
#   $f$. But each step costs several times more, since every step queries the surrogate at the
#   transformed points.
# * **Final accuracy.** After the fixed budget the gradient runs end at angles between
#   $10^{-4}$ and a few $10^{-3}$ rad. In one solve the closed form reaches a comparable angle
#   from estimated frames, and round-off from exact normals.
#
# The functional-to-differential ratio here is smaller than the one in Section 3. The settings
# differ: here the unit-sphere guard, a symmetric $t$-range and a ten times larger step; there the
# prototype's unconstrained protocol.
#
# ## 3. The committed benchmark
#
# `benchmarks/bench_diff_vs_func.py` runs the prototype's protocol. It uses $N = 100{,}000$
# points, learning rate $4.5\times10^{-4}$, batch 128, 30,000 steps, 10 seeds, unconstrained $W$
# and $t \sim U(0, 2\pi)$ with the L2 batch loss. Its rows are:
#
# * (a) projection loss with exact (oracle) kernel frames;
# * (b) projection loss with kernel frames estimated from the samples;
# * (c) functional loss with the true $f$;
# * (d) functional loss with a `LocalLinearSurrogate`;
# * (e) the closed form.
#
# The prototype's numbers (`reference/prototype_measured.md`) come from the authors' torch
# learners on a 2-core machine with 5 seeds. They measure rows (a) and (c). The file is looked up
# from the working directory upwards, then next to the installed package.


# %%
def find_results(name="diff_vs_func.json"):
    # LIESYM_REPO: the checkout, set by the test that runs this notebook from a temporary copy.
    repo = os.environ.get("LIESYM_REPO")
    starts = [Path(repo)] if repo else []
    starts += [Path.cwd(), Path(liesym.__file__).resolve().parent]
    for start in starts:
        for folder in (start, *start.parents):
            path = folder / "benchmarks" / "results" / name
            if path.is_file():
                return path
    return None


path = find_results()
bench = json.loads(path.read_text()) if path else None
if bench is None:
    print("benchmarks/results/diff_vs_func.json not found: the rest of this section is skipped.")
else:
    st, m = bench["settings"], bench["machine"]
    print(f"read {path}")
    print(
        f"N = {st['n_points']:,}, {st['n_seeds']} seeds, {st['n_steps']:,} steps, lr {st['lr']}, "
        f"batch {st['batch_size']}, tol {st['tol']} rad; "
        f"{m.get('cpu_count', m.get('cpus'))} CPUs, numpy {m['numpy']}, Python {m['python']}"
    )

# %%
labels = {
    "a_diff_oracle": "(a) projection loss, oracle frames",
    "b_diff_estimated": "(b) projection loss, estimated frames",
    "c_func_oracle": "(c) functional loss, true f",
    "d_func_surrogate": "(d) functional loss, surrogate",
    "a_diff_oracle_unit": "(a') projection loss, oracle, unit sphere",
    "c_func_oracle_unit": "(c') functional loss, true f, unit sphere",
}


def cell(s, key, fmt):
    if f"{key}_median" not in s:
        return "not reached"
    lo, mid, hi = (fmt.format(s[f"{key}_{q}"]) for q in ("min", "median", "max"))
    return f"{mid} ({lo}–{hi})"


if bench is not None:
    lines = [
        "| method | steps to 0.05 rad, median (min–max) | seconds to 0.05 rad | ms / step "
        "| reached | final angle, max |",
        "|---|---|---|---|---|---|",
    ]
    for key, s in bench["summary"].items():
        lines.append(
            f"| {labels.get(key, key)} | {cell(s, 'steps', '{:,.0f}')} | "
            f"{cell(s, 'seconds', '{:.2f}')} | {1e3 * s['seconds_per_step']:.2f} | "
            f"{s['n_reached']}/{s['n_runs']} | {s['final_angle_max']:.1e} |"
        )
    for label, c in bench["closed_form"].items():
        lines.append(
            f"| (e) closed form, {label} | no optimiser | {c['seconds']:.2f} (one solve) | – "
            f"| dim {c['dim']} | {c['final_angle']:.1e} |"
        )
    proto = bench["prototype"]
    for key, label in (("differential", "projection loss"), ("functional", "functional loss")):
        p = proto[key]
        lo, hi = p["steps_range"]
        lines.append(
            f"| prototype (torch, 5 seeds): {label} | {p['steps']:,} ({lo:,}–{hi:,}) | "
            f"{p['seconds']:.1f} | – | 5/5 | – |"
        )
    display(Markdown("\n".join(lines)))

# %% [markdown]
# Steps (left) and seconds (right) to tolerance, per seed, for the four gradient rows; lines mark
# the medians. Black squares are the prototype's medians next to the rows they correspond to, (a)
# and (c), with its range of steps as a bar (the file stores no range of seconds).

# %%
if bench is not None:
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    keys = [k for k in ("a_diff_oracle", "b_diff_estimated", "c_func_oracle", "d_func_surrogate")]
    for ax, (field, unit) in zip(
        axes, [("steps_to_tol", "steps"), ("seconds_to_tol", "seconds")], strict=True
    ):
        for i, key in enumerate(keys):
            vals = [r[field] for r in bench["runs"][key] if r[field] is not None]
            jitter = np.random.default_rng(i).uniform(-0.12, 0.12, len(vals))
            ax.scatter(i + jitter, vals, s=18, alpha=0.7)
            ax.plot([i - 0.25, i + 0.25], [np.median(vals)] * 2, color="k", lw=1)
        for i, pkey in ((0, "differential"), (2, "functional")):
            p = bench["prototype"][pkey]
            if unit == "steps":
                lo, hi = p["steps_range"]
                ax.errorbar(
                    i + 0.35, p["steps"], yerr=[[p["steps"] - lo], [hi - p["steps"]]], fmt="ks"
                )
            else:  # the prototype's wall-time range is not stored in the results file
                ax.plot(i + 0.35, p["seconds"], "ks")
        ax.set_yscale("log")
        ax.set_xticks(range(len(keys)), [labels[k].split(" ", 1)[0] for k in keys])
        ax.set_ylabel(f"{unit} to {bench['settings']['tol']} rad")
        ax.set_title(f"{unit} to tolerance per seed (squares: prototype)")
    fig.tight_layout()

# %% [markdown]
# What the committed numbers say, each sentence computed from the file:

# %%
if bench is not None:
    sm, cf, proto = bench["summary"], bench["closed_form"], bench["prototype"]
    r_a, r_b, r_c, r_d = (sm[k] for k in keys)
    p_ratio = proto["functional"]["steps"] / proto["differential"]["steps"]
    p_sec = proto["functional"]["seconds"] / proto["differential"]["seconds"]
    inside = all(
        proto[p]["steps_range"][0] <= row["steps_median"] <= proto[p]["steps_range"][1]
        for p, row in (("differential", r_a), ("functional", r_c))
    )
    says = [
        f"* The functional loss with the true f needs "
        f"**{r_c['steps_median'] / r_a['steps_median']:.1f}x** the steps of the projection loss "
        f"({r_c['steps_median']:,.0f} vs {r_a['steps_median']:,.0f}) "
        f"and **{r_c['seconds_median'] / r_a['seconds_median']:.0f}x** the wall time; "
        f"the prototype measured {p_ratio:.1f}x and {p_sec:.0f}x. "
        + (
            "The differential loss's order-of-magnitude advantage in steps is reproduced."
            if r_c["steps_median"] / r_a["steps_median"] >= 5
            else "The advantage is smaller than the prototype's."
        ),
        f"* Our projection loss takes {r_a['steps_median']:,.0f} median steps "
        f"(prototype {proto['differential']['steps']:,}) and our functional loss "
        f"{r_c['steps_median']:,.0f} (prototype {proto['functional']['steps']:,}); "
        + (
            "both medians lie inside the prototype's ranges, so its protocol is reproduced."
            if inside
            else "at least one median lies outside the prototype's range."
        )
        + f" In seconds we are faster ({r_a['seconds_median']:.2f} s vs "
        f"{proto['differential']['seconds']} s for the projection loss), but the prototype ran "
        "torch on another machine, so seconds compare within this file, not across the two.",
        f"* Estimated kernel frames cost the projection loss nothing measurable: "
        f"{r_b['steps_median']:,.0f} vs {r_a['steps_median']:,.0f} median steps "
        f"(frames estimated in {bench['settings']['frames_seconds']:.1f} s, "
        f"{bench['settings']['frames_reliable']:.3%} reliable).",
        f"* A surrogate **helps the functional method in steps**: {r_d['steps_median']:,.0f} vs "
        f"{r_c['steps_median']:,.0f} median steps with the true f "
        f"({r_c['steps_median'] / r_d['steps_median']:.1f}x fewer). But each step costs "
        f"{r_d['seconds_per_step'] / r_c['seconds_per_step']:.1f}x more (nearest-neighbour queries "
        f"at the transformed points), so in wall time it is "
        + ("slower" if r_d["seconds_median"] > r_c["seconds_median"] else "faster")
        + f" ({r_d['seconds_median']:.1f} s vs {r_c['seconds_median']:.1f} s). Against the "
        "projection loss on the same estimated information (b) it still needs "
        f"{r_d['steps_median'] / r_b['steps_median']:.1f}x the steps and "
        f"{r_d['seconds_median'] / r_b['seconds_median']:.0f}x the time. Why the surrogate "
        "converges in fewer steps is not measured here (a hypothesis: outside the data it "
        "extrapolates only linearly, which tempers the large residuals of expanding W).",
        f"* The **closed form needs no optimiser**. One solve gives the algebra, with dimension "
        f"{cf['estimated frames']['dim']} read off the gap, at angle "
        f"{cf['estimated frames']['final_angle']:.0e} rad from estimated frames "
        f"({cf['estimated frames']['seconds']:.1f} s including the frame estimate) and "
        f"{cf['exact normals']['final_angle']:.0e} rad from exact normals "
        f"({cf['exact normals']['seconds']:.2f} s). After 30,000 steps the gradient runs end at "
        f"{min(s['final_angle_max'] for s in sm.values()):.0e}–"
        f"{max(s['final_angle_max'] for s in sm.values()):.0e} rad (worst seed). "
        f"With exact normals the closed form takes {cf['exact normals']['seconds']:.2f} s on "
        f"{bench['settings']['n_points']:,} points: a fraction of a second, not the milliseconds "
        f"the reference note anticipated; on Section 2's {N:,} points it took "
        f"{1e3 * closed_seconds['exact normals']:.0f} ms.",
        "* Runs that reached the tolerance within the budget: "
        + ", ".join(
            f"{labels[k].split(' ', 1)[0]} {sm[k]['n_reached']}/{sm[k]['n_runs']}" for k in keys
        )
        + ".",
    ]
    display(Markdown("\n".join(says)))

# %% [markdown]
# In short, on identical data the differential constraint is the easier problem, whichever way it
# is solved. As a loss it converges in about an order of magnitude fewer steps than the
# functional loss with an oracle $f$. As a null space it needs no optimisation at all and reports
# its own dimension. Giving the functional method only the samples (a surrogate) narrows the gap
# in steps but widens it in time. The comparison is on one compact, one-parameter example. For
# non-compact symmetries such as $x_1x_2$, Section 1.3 shows that the functional loss's $t$-range
# sends most points outside the data, where only an oracle $f$ is still correct.

# %% [markdown]
# ## 4. Beyond one generator: k-dimensional algebras on the Grassmannian
#
# Everything above has one generator. The algebras researchers care about have several:
# $\mathfrak{so}(3)$ (3 generators) in $\mathbb{R}^3$, the Lorentz algebra $\mathfrak{so}(1,3)$
# (6) in $\mathbb{R}^4$, direct sums. Run with $k$ free generators, the paper's protocol fails
# there, for the differential and the functional loss alike.
#
# ### 4.1 The paper's protocol in $\mathbb{R}^3$
#
# Three free generators, Adam at the paper's learning rate, unconstrained $W$, on
# $f = \|x\|^2$: we score the *span* by its Grassmann distance to $\mathfrak{so}(3)$
# ($\sqrt{\sum_i \theta_i^2}$ over the principal angles, $\pi/2$ per missing dimension).

# %%
from liesym.data.synthetic import invariant_function_data
from liesym.discovery._gradient import fit_projection_loss, projection_terms
from liesym.discovery.functional import fit_functional_loss
from liesym.manifolds import (
    GrassmannDifferentialDiscovery,
    GrassmannFunctionalDiscovery,
    horizontal_gradient,
    orthonormal_frame,
)

sphere = invariant_function_data("radial", 4000 if SMALL else 20_000, rng=0, n=3)
paper_steps = 1000 if SMALL else 20_000
paper_kw = {"lr": 4.5e-4, "n_steps": paper_steps, "normalize": False, "reference": so(3)}
paper = {
    "projection loss": fit_projection_loss(sphere.X, dim=3, normals=sphere.X, rng=1, **paper_kw),
    "functional, true f": fit_functional_loss(
        sphere.X, sq_norm, 3, grad=lambda p: 2 * p, t_range=(0, 2 * np.pi), rng=1, **paper_kw
    ),
}
for name, fit in paper.items():
    w = fit.generators.reshape(3, -1)
    unit = w / np.linalg.norm(w, axis=1, keepdims=True)
    cos = np.abs(unit @ unit.T)[np.triu_indices(3, 1)]
    print(
        f"paper protocol, {name:<18}: Grassmann distance to so(3) "
        f"{fit.history['distance'][-1]:.2f} rad after {paper_steps:,} steps; generator norms "
        f"{np.array2string(np.linalg.norm(w, axis=1), precision=2)}, largest |cos| between two "
        f"{cos.max():.2f}"
    )

# %% [markdown]
# **Why the projection loss fails.** Its maximality term
# $\sum_b \|(I - P_{V_b}) K_b\|$ asks the kernel $K_b$ of $df$ to lie in the span of the
# generator vectors $V_b = [W_1 p_b, W_2 p_b, W_3 p_b]$. Three generic vectors span all of
# $\mathbb{R}^3$, so $P_{V_b} = I$ and the term is **zero** at almost every $W$; its gradient is
# round-off divided by the smallest singular value of $V_b$, a noise term. On the true algebra the
# three vectors are dependent (they span the 2-dimensional tangent plane of the sphere), which is
# where that singular value vanishes:

# %%
proj = (
    np.eye(3)
    - np.einsum("bi,bj->bij", sphere.X[:200], sphere.X[:200])
    / (sphere.X[:200] ** 2).sum(1)[:, None, None]
)
rand = np.random.default_rng(0).normal(size=(3, 3, 3))
for name, gens in [("random generators", rand), ("so(3)", so(3).basis)]:
    l_sym, l_max, _, g_max = projection_terms(gens, sphere.X[:200], proj)
    print(f"{name:<18}: symmetry term {l_sym:8.3f}, maximality term {l_max:.1e}")
    _, l_lead, _, _ = projection_terms(gens, sphere.X[:200], proj, rank=2)
    print(f"{'':<18}  maximality through the 2 leading directions: {l_lead:.3f}")

# %% [markdown]
# The maximality term cannot tell a random triple from $\mathfrak{so}(3)$. Stated through the
# $\min(k, d_K)$ **leading** directions of the generator vectors ($d_K$ = kernel dimension, 2 here)
# it can: the condition is the same (tangent vectors spanning the kernel have exactly $d_K$
# independent directions), and its gradient is bounded by a spectral gap instead of divided by a
# vanishing singular value.
#
# ### 4.2 The span as one point of a Grassmann manifold
#
# The remedy for both losses is to optimise what we are after, a $k$-dimensional **subspace** of
# $\mathfrak{gl}(n)$: a point of the Grassmann manifold $\mathrm{Gr}(k, n^2)$, held as an
# orthonormal frame $Q$ ($n^2 \times k$). Then
#
# * the generators are orthonormal, so they can neither shrink to zero nor collapse onto one
#   another (the maximality term's job in the paper is done by the constraint);
# * the losses depend on the span only: frames $Q$ and $QR$ ($R \in O(k)$) have the same loss and
#   gradients related by $R$. The functional loss draws $A = r\,Pz/\|Pz\|$ ($P$ the projector onto
#   the span, $z$ Gaussian, $r \sim U(-1, 1)$), the same element for every basis;
# * the optimiser is Adam on the manifold (`GrassmannAdam`): the Riemannian gradient
#   $(I - QQ^\top)G$, a geodesic step and parallel transport of the first moment (geomstats), and
#   one scalar second moment, so that a step is about `lr` **radians** long whatever $n$ and $k$;
# * the run stops when the span moved less than $0.05 \cdot \mathrm{lr} \cdot 100$ rad over the
#   last 100 steps, a rule in the same units as the tolerance, with no reference to the truth.
#
# The projection loss on the Grassmannian defaults to its symmetry term alone: at $k = \dim
# \mathfrak g$ its zero set is $\mathfrak g$ itself, and its squared form is a trace over the span
# whose only local minimum on the Grassmannian is the global one. The leading-directions maximality
# term is available (`maximality="leading"`); the benchmark below measures what it adds.
#
# The basis invariance, checked on one batch:

# %%
frame = orthonormal_frame(rand)
rot = np.linalg.qr(np.random.default_rng(1).normal(size=(3, 3)))[0]
for name, gens in [("Q", frame), ("Q R", frame @ rot)]:
    g = gens.T.reshape(3, 3, 3)
    l_sym, _, g_sym, _ = projection_terms(g, sphere.X[:200], proj, rank=0)
    riemannian = horizontal_gradient(gens, g_sym.reshape(3, -1).T)
    print(f"frame {name:<4}: loss {l_sym:.10f}, gradient norm {np.linalg.norm(riemannian):.10f}")

# %% [markdown]
# Now both learners on the sphere ($\mathfrak{so}(3)$, 3 generators) and on the hyperboloids of
# $f = x_0^2 - x_1^2 - x_2^2 - x_3^2$ ($\mathfrak{so}(1,3)$, 6 generators), with exact normals
# and the true $f$, the same seeds (same starting span, same minibatches):

# %%
lorentz = invariant_function_data("lorentz", 4000 if SMALL else 20_000, rng=0, n=4)
grassmann_seeds = range(2) if SMALL else range(5)
problems = {
    "so(3) in R^3": (sphere, lambda p: 2 * p),
    "so(1,3) in R^4": (lorentz, lambda p: lorentz.jacobian(p)[..., 0, :]),
}
grassmann_runs = {}
for label, (data, grad) in problems.items():
    kw = {"reference": data.algebra, "tol": TOL, "n_steps": 3000}
    for seed in grassmann_seeds:
        k = data.algebra.dim
        diff = GrassmannDifferentialDiscovery(k, rng=seed, **kw).fit(
            data.X, normals=data.jacobian(data.X)
        )
        func = GrassmannFunctionalDiscovery(k, rng=seed, **kw).fit(data.X, data.f, grad=grad)
        for name, est in (("projection loss", diff), ("functional, true f", func)):
            grassmann_runs.setdefault((label, name), []).append(est)
for (label, name), runs in grassmann_runs.items():
    steps = [e.steps_to_tol_ for e in runs]
    print(
        f"{label:<15} {name:<19}: steps to {TOL} rad {steps}, stopped after "
        f"{[e.n_iter_ for e in runs]}, final distance "
        f"{max(e.history_['distance'][-1] for e in runs):.1e} (max)"
    )

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for ax, label in zip(axes, problems, strict=True):
    for name in ("projection loss", "functional, true f"):
        runs = grassmann_runs[(label, name)]
        length = max(e.n_iter_ for e in runs)
        held = [np.pad(e.history_["distance"], (0, length - e.n_iter_), mode="edge") for e in runs]
        plot_convergence({name: held}, key="Grassmann distance (rad)", tol=None, ax=ax)
    ax.axhline(TOL, color="k", ls=":")
    ax.set_title(f"{label}: median and range over {len(grassmann_seeds)} seeds", fontsize=10)
fig.tight_layout()

# %%
ratios = {
    label: [
        f.steps_to_tol_ / d.steps_to_tol_
        for d, f in zip(
            grassmann_runs[(label, "projection loss")],
            grassmann_runs[(label, "functional, true f")],
            strict=True,
        )
        if d.steps_to_tol_ and f.steps_to_tol_
    ]
    for label in problems
}
for label, r in ratios.items():
    print(f"{label}: functional / projection steps to tolerance, per seed: {np.round(r, 2)}")
assert all(
    e.history_["distance"][-1] <= TOL for runs in grassmann_runs.values() for e in runs
)  # the claim of the next cell, for these seeds

# %% [markdown]
# On the Grassmannian both losses reach the tolerance on both algebras, and the stopping rule ends
# each run a few hundred steps after it gets there. The projection loss still needs fewer steps
# than the functional one, but the gap is far smaller than the order of magnitude the paper
# reports for one generator with free $W$: part of that gap came from the free $W$ and the
# one-sided $t$-range (Section 2), not from the differential formulation.
#
# ### 4.3 The stall report
#
# With $N$ at most the batch size every step sees the whole data set and is deterministic; on the
# paper's projection loss (here with its maximality term) such runs can stop at a spurious
# minimum, about 0.8 rad from $\mathfrak{so}(2)$ on 100 points in $\mathbb{R}^2$. The learners say
# so when their stopping rule fires at a loss that has not even halved:

# %%
import warnings

small = np.random.default_rng(0).normal(size=(100, 2))
for maximality in ("paper", None):
    for seed in range(4, 6):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            est = GrassmannDifferentialDiscovery(
                1, maximality=maximality, rng=seed, init="uniform", reference=so(2)
            ).fit(small, normals=small)
        print(
            f"maximality={maximality!s:<6} seed {seed}: distance "
            f"{est.history_['distance'][-1]:.2f} rad, {est.stall_.message[:90]}..."
        )
        if caught:
            print("  warning:", caught[0].category.__name__)

# %% [markdown]
# The symmetry term alone does not stall on these seeds: the spurious minima belong to the
# maximality term.
#
# ### 4.4 The committed multi-generator benchmark
#
# `benchmarks/bench_diff_vs_func.py --only multi` runs five algebras ($\mathfrak{so}(3)$,
# $\mathfrak{so}(4)$, $\mathfrak{so}(1,3)$, $\mathfrak{so}(3)\oplus\mathfrak{so}(2)$,
# $C\,\mathfrak{so}(3)\,C^{-1}$) at $N = 10^3, 10^4, 10^5$ with 10 seeds, one data set per seed:
# the closed form, both Grassmann losses with oracle information (exact normals, true $f$) and
# with the samples only (estimated frames, surrogate), and the paper's protocol at $N = 10^5$.
# It can run in stages (`--multi-problems`, `--multi-grid`, `--paper-problems`); the cell below
# says which cells the committed file holds.

# %%
multi = bench.get("multi") if bench is not None else None
if multi is None:
    print("no multi-generator results in the benchmark file: this section is skipped.")
else:
    st_m = multi["settings"]
    big_n = max(st_m["n_grid"])
    held = sorted({(r["problem"], r["N"]) for r in multi["runs"]})
    print(
        "committed cells (algebra, N):",
        ", ".join(f"{p} {m:.0e}" for p, m in held),
        "| paper protocol on:",
        ", ".join(st_m["paper_protocol"]["problems"]) or "none",
    )
    names = {
        "closed_form": "closed form",
        "projection_exact": "projection, exact normals",
        "projection_estimated": "projection, estimated frames",
        "functional_true": "functional, true f",
        "functional_surrogate": "functional, surrogate",
        "paper_projection": "paper protocol: projection",
        "paper_functional": "paper protocol: functional",
    }
    rows = [r for r in multi["summary"] if r["N"] == big_n and r["method"] in names]
    lines = [
        f"| algebra | method | reached {TOL} rad | steps to {TOL} rad | final distance, median "
        "(max) |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        fd = r["final_distance"]
        steps = r.get("steps_to_tol")
        lines.append(
            f"| {st_m['problems'][r['problem']]} | {names[r['method']]} | "
            f"{r['reached']}/{r['seeds']} | "
            + (
                f"{steps['median']:,.0f} ({steps['min']:,.0f}–{steps['max']:,.0f})"
                if steps
                else "–"
            )
            + f" | {fd['median']:.1e} ({fd['max']:.1e}) |"
        )
    display(Markdown(f"N = {big_n:,}, {st_m['seeds']} seeds:\n\n" + "\n".join(lines)))
    fig_path = path.parent / "diff_vs_func_multi.png"
    if fig_path.is_file():
        display(Markdown(f"Figure: `{fig_path.name}` (committed next to the JSON)."))
        from IPython.display import Image

        display(Image(filename=str(fig_path)))

# %% [markdown]
# What the committed numbers say, each sentence computed from the file:

# %%
if multi is not None:
    summ = {(r["problem"], r["N"], r["method"]): r for r in multi["summary"]}
    says = []
    for problem, label in st_m["problems"].items():
        d_r, f_r = (summ.get((problem, big_n, m)) for m in ("projection_exact", "functional_true"))
        q = multi["ratios"].get(f"{problem}/{big_n}/oracle", {}).get("ratio")
        if d_r and f_r:
            says.append(
                f"* {label}: the Grassmann projection loss reached {TOL} rad in "
                f"{d_r['reached']}/{d_r['seeds']} seeds, the functional loss in "
                f"{f_r['reached']}/{f_r['seeds']}"
                + (
                    f"; the functional loss took {q['median']:.1f}x the steps "
                    f"({q['min']:.1f}–{q['max']:.1f}x over seeds)."
                    if q
                    else "."
                )
            )
    for problem in st_m["paper_protocol"]["problems"]:
        for m in ("paper_projection", "paper_functional"):
            r = summ.get((problem, big_n, m))
            if r:
                says.append(
                    f"* {names[m]} on {st_m['problems'][problem]}: {r['reached']}/{r['seeds']} "
                    f"seeds within {TOL} rad after {st_m['paper_protocol']['steps']:,} steps, "
                    f"median final distance {r['final_distance']['median']:.2f} rad."
                )
    display(Markdown("\n".join(says)))
