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
# # The subgroup-embedding theorem, checked symbolically and on data
#
# A task family shares one system, $s' = F(s, a) + \varepsilon$, and differs in the reward
# $r_\theta$. The family has **hereditary geometry** when every task is the base task moved by a
# system symmetry:
#
# $$r_\theta \circ L_\theta = r_0, \qquad F(L s, L a) = L\,F(s, a), \qquad
#   L\,\Sigma\,L^\top = \Sigma .$$
#
# The **subgroup-embedding theorem** says that then $\theta \mapsto L_\theta$ embeds the task space
# in a subgroup of the system symmetries that is
#
# * **linearizable**: it acts by matrices (in some chart),
# * **connected**: every $L_\theta$ is $\exp$ of an element of the algebra,
# * **compact**: it preserves an inner product $M \succ 0$, i.e. $W^\top M + M W = 0$ for every
#   generator $W$, and it is closed.
#
# This notebook checks both halves:
#
# 1. **Symbolically** (SymPy), for the circle, the ellipse $C = \mathrm{diag}(7/10, 9/10)$ and the
#    sphere: the premises (reward invariance, homomorphism, system symmetry) hold as identities.
# 2. **On data**: from random-policy transitions, `liesym` finds the task group and the system
#    symmetries without ground truth, and `liesym.verify` certifies the conclusion for the
#    *discovered* generators.
# 3. **A negative control**: goals on a line. The task group is not compact, and the certificate
#    says so.

# %%
import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from IPython.display import display

from liesym.algebra import invariant_form_numeric
from liesym.envs import circle_tasks, ellipse_tasks, line_tasks, sphere_tasks
from liesym.pipeline import discover_structure
from liesym.verify import verify
from liesym.viz import plot_vector_fields

# %matplotlib inline

rng = np.random.default_rng(0)  # numeric spot checks only; discovery below is seeded with rng=0

# %% [markdown]
# ## 1. The premises, as symbolic identities
#
# ### 1.1 Planar families: circle and ellipse
#
# Both are $g_\theta = G R(\theta) e_1$ with $L_\theta = G R(\theta) G^{-1}$ and reward
# $r_\theta(s') = -\|P(s' - g_\theta)\|$, i.e. $-\|M^{1/2}(s' - g_\theta)\|$ with $M = P^\top P$.
# The system is $F(s, a) = s + \mathrm{proj}(a)$, where $\mathrm{proj}$ is the radial projection
# onto the action set $\{a : a^\top Q a \le a_{\max}^2\}$ with $Q = C^{-\top} C^{-1}$, and the noise
# is $N(0, \Sigma)$ with $\Sigma = \sigma^2 C C^\top$.
#
# | family  | $G$ (goals) | $P$ (reward)  | $C$ (actions, noise) |
# |---------|-------------|---------------|----------------------|
# | circle  | $r I$       | $I$           | $I$                  |
# | ellipse | $C$         | $C^{-1}$      | $C$                  |
#
# For the circle we simplify the reward difference itself. For the ellipse we simplify the squared
# distance, so the expression stays polynomial in $\cos\theta$ and $\sin\theta$.

# %%
theta, theta1, theta2 = sp.symbols("theta theta_1 theta_2", real=True)
radius, a_max, sigma = sp.symbols("r a_max sigma", positive=True)
s = sp.Matrix(sp.symbols("x y", real=True))
a = sp.Matrix(sp.symbols("a_1 a_2", real=True))


def rot(t):
    return sp.Matrix([[sp.cos(t), -sp.sin(t)], [sp.sin(t), sp.cos(t)]])


def dist2(s_next, goal, P):
    d = P * (s_next - goal)
    return (d.T * d)[0]


def step(s, a, Q, reduce=sp.trigsimp):
    """Noise-free F(s, a) = s + proj(a): radial projection onto {a^T Q a <= a_max^2}."""
    # Reducing the quadratic form first lets the identity L^T Q L = Q act inside the Min.
    return s + a * sp.Min(1, a_max / sp.sqrt(reduce(sp.expand((a.T * Q * a)[0]))))


def planar_checks(G, P, C, squared):
    L = lambda t: G * rot(t) * G.inv()  # noqa: E731
    g0 = G * sp.Matrix([1, 0])
    Q = C.inv().T * C.inv()
    Sigma = sigma**2 * C * C.T
    if squared:
        reward_diff = dist2(L(theta) * s, L(theta) * g0, P) - dist2(s, g0, P)
    else:
        reward_diff = -sp.sqrt(dist2(L(theta) * s, L(theta) * g0, P)) + sp.sqrt(dist2(s, g0, P))
    checks = {
        "goal      L_θ g_0 - G (cos θ, sin θ)": L(theta) * g0
        - G * sp.Matrix([sp.cos(theta), sp.sin(theta)]),
        "reward    r_θ(L_θ s) - r_0(s)" + (" (squared)" if squared else ""): reward_diff,
        "hom.      L_θ1 L_θ2 - L_(θ1+θ2)": L(theta1) * L(theta2) - L(theta1 + theta2),
        "dynamics  F(L s, L a) - L F(s, a)": step(L(theta) * s, L(theta) * a, Q)
        - L(theta) * step(s, a, Q),
        "actions   L^T Q L - Q": L(theta).T * Q * L(theta) - Q,
        "noise     L Σ L^T - Σ": L(theta) * Sigma * L(theta).T - Sigma,
        "metric    L^T M L - M  (M = P^T P)": L(theta).T * P.T * P * L(theta) - P.T * P,
    }
    return L, checks


def simplify_all(expr):
    simp = lambda e: sp.simplify(sp.trigsimp(e))  # noqa: E731
    return expr.applyfunc(simp) if isinstance(expr, sp.MatrixBase) else simp(expr)


C_ell = sp.diag(sp.Rational(7, 10), sp.Rational(9, 10))
planar = {
    "circle": planar_checks(radius * sp.eye(2), sp.eye(2), sp.eye(2), squared=False),
    "ellipse": planar_checks(C_ell, C_ell.inv(), C_ell, squared=True),
}
L_ell = planar["ellipse"][0]
print("ellipse: L_θ = C R(θ) C^-1 =")
display(L_ell(theta))
print("reward difference before simplification:")
display(next(v for k, v in planar["ellipse"][1].items() if k.startswith("reward")))

# %%
for name, (_, checks) in planar.items():
    print(f"--- {name}")
    for label, expr in checks.items():
        simplified = simplify_all(expr)
        zero = (
            simplified.is_zero_matrix if isinstance(simplified, sp.MatrixBase) else simplified == 0
        )
        print(f"{label:<44} -> {sp.sstr(simplified)}")
        assert zero, (name, label)

# %% [markdown]
# Every difference simplifies to exactly 0. So $L_\theta$ carries the base task to the task at
# $\theta$, $\theta \mapsto L_\theta$ is a homomorphism $SO(2) \to GL(2)$, and every $L_\theta$ is
# a symmetry of the system: dynamics, action set and noise. The last row is the compactness
# witness: every $L_\theta$ is an isometry of $M = P^\top P$, which is $C^{-\top}C^{-1}$ for the
# ellipse.
#
# The symbolic objects match the library's ground truth (`group_element`, `goal_at`,
# `dynamics.reward`) at random numeric points:

# %%
fams = {"circle": circle_tasks(), "ellipse": ellipse_tasks(np.diag([0.7, 0.9]))}
thetas = rng.uniform(-np.pi, np.pi, 5)
states = rng.normal(size=(5, 2))
for name, fam in fams.items():
    L_num = sp.lambdify(theta, planar[name][0](theta).subs(radius, 1), "numpy")
    Ls = np.stack([np.asarray(L_num(t), dtype=float) for t in thetas])
    lib = fam.group_element(fam.goal_at(thetas))
    moved = np.einsum("kij,kj->ki", Ls, states)
    reward_gap = fam.dynamics.reward(moved, fam.goal_at(thetas)) - fam.dynamics.reward(
        states, fam.base_goal
    )
    print(
        f"{name:<8} max |L_sym - group_element| = {np.abs(Ls - lib).max():.1e}, "
        f"max |r_θ(L s) - r_0(s)| (library reward) = {np.abs(reward_gap).max():.1e}"
    )

# %% [markdown]
# ### 1.2 The sphere: a symbolic rotation
#
# Rodrigues' formula with a symbolic unit axis $u$ and angle $\theta$,
# $L = I + \sin\theta\,[u]_\times + (1 - \cos\theta)\,[u]_\times^2$. We write $c = \cos\theta$,
# $s = \sin\theta$. An identity holds for every axis and angle exactly when the difference reduces
# to 0 modulo $c^2 + s^2 - 1$ and $|u|^2 - 1$. These polynomials (one pair per angle) have pairwise
# coprime leading monomials, so they already form a Gröbner basis, and reduction to 0 is a proof.
#
# The task space $S^2 = SO(3)/SO(2)$ is not itself a group. The statement is that the rotation
# taking $g_0$ to $g$ carries $r_0$ to $r_g$, and that these rotations form the compact subgroup
# $SO(3)$ of the system symmetries.

# %%
u = sp.Matrix(sp.symbols("u_1 u_2 u_3", real=True))
c, sn, c2, sn2 = sp.symbols("c s c_2 s_2", real=True)
x3 = sp.Matrix(sp.symbols("x y z", real=True))
a3 = sp.Matrix(sp.symbols("a_1 a_2 a_3", real=True))
K = sp.Matrix([[0, -u[2], u[1]], [u[2], 0, -u[0]], [-u[1], u[0], 0]])  # K v = u × v


def rodrigues(cos_t, sin_t):
    return sp.eye(3) + sin_t * K + (1 - cos_t) * K * K


relations = [c**2 + sn**2 - 1, c2**2 + sn2**2 - 1, (u.T * u)[0] - 1]
ring = (c, sn, c2, sn2, *u)
assert sp.groebner(relations, *ring, order="grevlex").exprs == relations


def reduce(expr):
    return sp.reduced(sp.expand(expr), relations, *ring, order="grevlex")[1]


L3 = rodrigues(c, sn)
g0_3 = sp.Matrix([1, 0, 0])
eye3 = sp.eye(3)
sphere_checks = {
    "orthogonal  L^T L - I": L3.T * L3 - eye3,
    "proper      det L - 1": L3.det() - 1,
    "reward      |L s - L g_0|^2 - |s - g_0|^2": dist2(L3 * x3, L3 * g0_3, eye3)
    - dist2(x3, g0_3, eye3),
    "hom.        L(θ1) L(θ2) - L(θ1+θ2), same axis": rodrigues(c, sn) * rodrigues(c2, sn2)
    - rodrigues(c * c2 - sn * sn2, sn * c2 + c * sn2),
    "dynamics    F(L s, L a) - L F(s, a)": step(L3 * x3, L3 * a3, eye3, reduce)
    - L3 * step(x3, a3, eye3, reduce),
    "noise       L (σ² I) L^T - σ² I": sigma**2 * (L3 * L3.T - eye3),
}
for label, expr in sphere_checks.items():
    reduced = expr.applyfunc(reduce) if isinstance(expr, sp.MatrixBase) else reduce(expr)
    zero = reduced.is_zero_matrix if isinstance(reduced, sp.MatrixBase) else reduced == 0
    print(f"{label:<48} -> {sp.sstr(reduced)}")
    assert zero, label

# %% [markdown]
# The same rotation, evaluated numerically, moves the library's base goal to `goal_at(v)` (the goal
# at rotation vector $v = \theta u$) and carries the library's reward along:

# %%
sphere = sphere_tasks()
L3_num = sp.lambdify((c, sn, *u), L3, "numpy")
v = rng.normal(size=(5, 3))
angle = np.linalg.norm(v, axis=1)
Ls = np.stack(
    [
        np.asarray(L3_num(np.cos(t), np.sin(t), *(w / t)), dtype=float)
        for t, w in zip(angle, v, strict=True)
    ]
)
states3 = rng.normal(size=(5, 3))
goals3 = sphere.goal_at(v)
reward_gap = sphere.dynamics.reward(
    np.einsum("kij,kj->ki", Ls, states3), goals3
) - sphere.dynamics.reward(states3, sphere.base_goal)
print(f"max |L g_0 - goal_at(v)|     = {np.abs(Ls @ sphere.base_goal - goals3).max():.1e}")
print(f"max |r_g(L s) - r_0(s)|      = {np.abs(reward_gap).max():.1e}")

# %% [markdown]
# ## 2. The conclusion, certified on data-discovered generators
#
# `discover_structure` collects random-policy transitions on a few training tasks (base task
# first) and uses no ground truth. From them it finds
#
# * the base task's affine reward symmetry (the closed-form null space of the kernel-distribution
#   constraints) and its fixed point, i.e. the discovered goal;
# * the linear symmetries of the dynamics (the system algebra);
# * one group element $L_i$ per training task, solving $L W_0 = W_i L$, and the task algebra
#   spanned by their logarithms.
#
# It then certifies the task algebra with `liesym.verify`. The discovered generators are snapped to
# an exact basis within a stated tolerance, and closure, compactness (an exact invariant form $M$),
# connectedness (each $L_i$ has $\det > 0$ and is the exponential of an algebra element) and
# linearizability are proved for that exact algebra. The "Grassmann to truth" column scores the
# discovered algebras against the ground truth, which the methods never use.

# %%
families = {
    "circle": (circle_tasks(), 2),
    "ellipse": (ellipse_tasks(np.diag([0.7, 0.9])), 2),
    "sphere": (sphere_tasks(), 4),  # three non-base tasks for the 3-dimensional so(3)
}
# 4000 transitions per task on the sphere (the pipeline's default there): with 2000 its task
# algebra's own uncertainty is too large for a meaningful exact snap.
results = {
    name: discover_structure(fam, n_train=k, n_steps=4000 if k == 4 else 2000, rng=0)
    for name, (fam, k) in families.items()
}
for name, res in results.items():
    print(f"=== {name}\n{res.table()}\n")

# %% [markdown]
# The certificate of each discovered task algebra comes from `liesym.verify.verify`, called with
# the discovered generators, the discovered task elements $L_i$, and the tolerance the pipeline
# took from the discovery's own uncertainty (its bootstrap spread):

# %%
reports = {}
for name, res in results.items():
    group = res.task_group
    reports[name] = verify(group.algebra_, group.elements_, tol=res.task_report.tol)
    print(f"=== {name}: task algebra\n{reports[name].summary()}\n")

# %% [markdown]
# Two checks follow, in SymPy on the snapped bases:
#
# * **subalgebra**: the task algebra lies inside the discovered system algebra when stacking the
#   task basis onto the system basis leaves the exact rank unchanged. When the system algebra's
#   own uncertainty (a few 1e-2 rad from these transitions) is too large to snap it
#   meaningfully, its report says so and the containment is checked numerically, within the
#   combined tolerances;
# * **invariant form**: $W^\top M + M W = 0$ holds exactly for every exact task generator. We
#   compare $M$ (normalised to $M_{00} = 1$) with the ground truth and with the least-squares
#   form of the unsnapped generators.


# %%
def vec(m):
    return sp.Matrix(m).reshape(len(m), 1)


for name, res in results.items():
    fam = families[name][0]
    task, system = reports[name].exact_basis, res.system_report.exact_basis
    if system is None:  # not snapped at the dynamics' own uncertainty: numeric containment
        inside = res.embedding_numeric <= res.embedding_margin
        how = f"numeric residual {res.embedding_numeric:.1e} <= {res.embedding_margin:.2g}"
    else:
        rank_sys = sp.Matrix.hstack(*map(vec, system)).rank()
        rank_all = sp.Matrix.hstack(*map(vec, system + task)).rank()
        inside, how = rank_all == rank_sys, f"exact ranks {rank_sys} -> {rank_all}"
    M = reports[name].invariant_form
    invariant = all((W.T * M + M * W).applyfunc(sp.nsimplify).is_zero_matrix for W in task)
    truth = fam.invariant_form / fam.invariant_form[0, 0]
    m_num, _ = invariant_form_numeric(res.task_group.algebra_.basis)
    m_num = m_num / m_num[0, 0]
    M_float = np.array(M.tolist(), dtype=float)
    print(f"=== {name}")
    print(f"  task ⊂ system             : {inside} ({how})")
    print(f"  W^T M + M W = 0 exactly   : {invariant},  M = {M.tolist()}")
    print(
        f"  |M - M_true|, |M_num - M_true| : "
        f"{np.abs(M_float - truth).max():.1e}, {np.abs(m_num - truth).max():.1e}"
    )
    assert inside and invariant

# %% [markdown]
# For all three families the verdict is the theorem's conclusion: the discovered task group is a
# closed, connected, compact subgroup ($SO(2)$, $C\,SO(2)\,C^{-1}$, $SO(3)$) of the discovered
# system symmetries, acting linearly.
#
# The ellipse case shows what "exact" means here. At the tolerance its own uncertainty allows,
# the discovered generator is not within tol of a simple exact matrix, so it is snapped in the
# chart of its numeric invariant form: the certified algebra is $H^{-1} K H$ with $K$ exactly
# skew and $H$ a rational chart, at the distance $d$ its report states. Its invariant form
# reproduces the estimate (the $|M - M_\text{true}|$ above is the estimation error, not a
# rounding to a simpler number); telling $49/81$ from a nearby simple number would take
# estimation errors far below the data's.

# %%
summary = [("family", "task algebra", "compact", "connected", "linearizable", "embedded")]
for name, res in results.items():
    r = reports[name]
    summary.append((name, r.name, r.compact, r.connected, r.linearizable, res.embedded))
for row in summary:
    print("  ".join(f"{x!s:<13}" for x in row))
assert all(res.embedded is True for res in results.values())

# %% [markdown]
# ## 3. Negative control: goals on a line
#
# Take goals $g_t = g_0 + t\,d$ with $g_0 = (1, 0)$ and $d = (0, 1)$. The system is the same, but
# the tasks are related by **translations**, which form the non-compact group $(\mathbb{R}, +)$.
# Its generator in homogeneous coordinates, $T = \begin{pmatrix} 0 & d \\ 0 & 0 \end{pmatrix}$,
# preserves no inner product. Solving $T^\top M + M T = 0$ for a symmetric $M$ forces the row and
# column of the translated coordinate to vanish, so $M$ is singular:

# %%
m = sp.Matrix(3, 3, lambda i, j: sp.Symbol(f"m_{min(i, j)}{max(i, j)}"))
T = sp.Matrix([[0, 0, 0], [0, 0, 1], [0, 0, 0]])
solution = sp.solve(list(T.T * m + m * T), list(m.free_symbols), dict=True)[0]
print("general invariant symmetric form:")
display(m.subs(solution))
print("det M =", m.subs(solution).det(), "-> no invariant form is positive definite")

# %% [markdown]
# On data, the pipeline solves the same linear alignment equation $L W_0 = W_i L$. A linear $L$
# that carries the rotation about $g_0$ to the rotation about $g_i$ must commute with the rotation
# generator and satisfy $L g_0 = g_i$. Such maps are **similarities** $\rho R(\varphi)$ with
# $\rho = \|g_i\| / \|g_0\| \neq 1$. They scale, so their logarithm has non-zero trace and
# $\det \exp(tW)$ is unbounded. The certificate says exactly that. Similarities are not symmetries
# of the system either (they rescale the action disc and the noise), so the embedding also fails.

# %%
line = line_tasks()
res_line = discover_structure(line, n_train=2, n_steps=2000, rng=0)
print(res_line.table(), "\n")
print(res_line.task_report.summary(), "\n")
L1 = res_line.task_group.elements_[1]
g1 = res_line.train_goals[1]
rho = np.sqrt(np.linalg.det(L1))
print("L_1 =\n", L1.round(4))
print(
    f"similarity defect |L_00 - L_11| + |L_01 + L_10| = "
    f"{abs(L1[0, 0] - L1[1, 1]) + abs(L1[0, 1] + L1[1, 0]):.1e}"
)
print(
    f"rho = sqrt(det L_1) = {rho:.4f}   vs   |g_1| / |g_0| = "
    f"{np.linalg.norm(g1) / np.linalg.norm(line.base_goal):.4f}"
)
assert res_line.task_report.compact is False and res_line.embedded is False

# %% [markdown]
# The true task algebra, the translations, is not contained in the linear system algebra. It is
# contained in the *affine* system algebra $\mathfrak{se}(2)$, but that algebra is not compact
# either, so no chart makes the line family a compact subgroup:

# %%
for label, alg in [
    ("line task algebra (truth)", line.task_algebra),
    ("affine system algebra", line.affine_system_algebra),
]:
    rep = verify(alg)
    print(f"{label:<27} name={rep.name:<11} compact={rep.compact}  ({rep.compactness.reason})")
print(
    "translations ⊂ affine system algebra:",
    bool(line.affine_system_algebra.contains(line.task_algebra.basis).all()),
)

# %% [markdown]
# ## 4. What the discovered generators look like
#
# **Top row**: the vector fields of the discovered *base-task* symmetries. Each is a rotation about
# its discovered fixed point, marked together with the true base goal. **Bottom row**: the
# discovered *task-group* generators, drawn over the true goal orbit. For the circle and ellipse
# the field is tangent to the orbit. For the line it is a rotation with a slight scaling, a spiral
# through $g_0$ and $g_1$ that leaves the line of goals. (The discovered fixed points lie within
# $6 \times 10^{-3}$ of the true goals, so the two markers overlap.)

# %%
planar_results = {"circle": results["circle"], "ellipse": results["ellipse"], "line": res_line}
orbits = {
    "circle": families["circle"][0].goal_at(np.linspace(0, 2 * np.pi, 200)),
    "ellipse": families["ellipse"][0].goal_at(np.linspace(0, 2 * np.pi, 200)),
    "line": line.goal_at(np.linspace(-1.5, 1.5, 200)),
}
fig, axes = plt.subplots(2, 3, figsize=(13, 8.5))
for j, (name, res) in enumerate(planar_results.items()):
    fam = line if name == "line" else families[name][0]
    plot_vector_fields(
        res.base_symmetry,
        lim=1.6,
        density=13,
        ax=axes[0, j],
        markers={"discovered fixed point": res.base_fixed_point, "true goal": fam.base_goal},
        titles=[f"{name}: base-task symmetry"],
    )
    plot_vector_fields(
        res.task_group.algebra_,
        lim=1.6,
        density=13,
        ax=axes[1, j],
        points=orbits[name],
        markers={"g_0": res.train_goals[0], "g_1": res.train_goals[1]},
        titles=[f"{name}: discovered task generator"],
    )
fig.tight_layout()
