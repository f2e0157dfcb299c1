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
# # Bring your own environment
#
# liesym does not need its own environments: any Gymnasium env with Box observation and action
# spaces, a map *task → env*, and a declaration of how the symmetry group acts on observations
# and actions are enough for the whole pipeline — certify the group, audit the start law,
# infer each unseen task's group element from a few of its transitions, train one base policy,
# transfer it, and compare against baselines.
#
# The env below is written here, in a dozen lines, as you would write yours: a **puck on an air
# table** pushed by a thruster. State $(p, v) \in \mathbb{R}^4$ (position and velocity), action
# a force $a \in \mathbb{R}^2$ limited to the unit disc, a little air drag, and a task = a goal
# $g$ on the unit circle with reward $-\|p' - g\|^2$. The puck always starts near its dock at
# $(0.3, 0)$.
#
# Rotations $R(\theta)$ about the table's centre move positions, velocities and forces alike,
# so the state representation is $R(\theta) \oplus R(\theta)$ on $\mathbb{R}^4$ and the action
# representation $R(\theta)$ on $\mathbb{R}^2$ — different dimensions, one group. They map
# the task with goal $g$ to the task with goal $R(\theta) g$, but **not the start law**: the
# dock does not rotate. We will see liesym detect this and train on the symmetrised start law.

# %%
import os

import gymnasium as gym
import matplotlib.pyplot as plt
import numpy as np

from liesym.algebra import Representation
from liesym.envs import GymnasiumFamily, audit_start_law
from liesym.pipeline import run_pipeline
from liesym.policies import CEMTrainer
from liesym.viz import pipeline_figures

SMALL = os.environ.get("LIESYM_SMALL", "") not in ("", "0")  # the test run: smaller sizes
DT, HORIZON, DOCK = 0.1, 30, np.array([0.3, 0.0])


class AirTable(gym.Env):
    """A puck pushed towards a goal; force in the unit disc, air drag, reward -|p - g|^2."""

    metadata = {"render_modes": []}  # noqa: RUF012

    def __init__(self, goal):
        self.goal = np.asarray(goal, dtype=np.float64)
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, (4,), np.float64)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float64)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.s = np.concatenate([DOCK + 0.05 * self.np_random.standard_normal(2), np.zeros(2)])
        self.t = 0
        return self.s.copy(), {}

    def step(self, action):
        a = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0)
        a = a / max(1.0, float(np.linalg.norm(a)))  # the thruster's disc
        p, v = self.s[:2], self.s[2:]
        acc = a - v  # force minus air drag
        self.s = np.concatenate([p + DT * v + 0.5 * DT**2 * acc, v + DT * acc])
        self.t += 1
        reward = -float(np.sum((self.s[:2] - self.goal) ** 2))
        return self.s.copy(), reward, False, self.t >= HORIZON, {"applied_action": a}


# %% [markdown]
# ## The family: tasks, the representation, and (optionally) a way to set start states
#
# One training task (the base goal at angle 0, and a second close to it for the baselines)
# and evenly spread test goals. `set_start` lets liesym put a reset env into a given state;
# with it the base policy can be trained on the symmetrised start law.

# %%
J = np.array([[0.0, -1.0], [1.0, 0.0]])
representation = Representation([np.kron(np.eye(2), J)], [J])  # paired: R + R on (p, v), R on a


def goal(t):
    return np.array([np.cos(t), np.sin(t)])


def set_start(env, observation):
    env.s = np.asarray(observation, dtype=np.float64).copy()
    return env.s.copy()


n_test = 6 if SMALL else 12
family = GymnasiumFamily(
    AirTable,
    train_tasks=[goal(0.0), goal(0.3)],
    test_tasks=[goal(t) for t in 2 * np.pi * np.arange(n_test) / n_test],
    representation=representation,
    name="air table",
    task_distance=lambda a, b: float(np.abs(np.angle(complex(*a) / complex(*b)))),
    set_start=set_start,
)
print(family, representation)

# %% [markdown]
# ## The start law
#
# The audit compares start states of the base task with start states moved by random
# rotations (an energy-distance two-sample test). The dock breaks the symmetry:

# %%
audit = audit_start_law(family, rng=0)
print(audit)

# %% [markdown]
# ## The whole pipeline in one call
#
# `run_pipeline` certifies the declared group (SymPy: compact, with its invariant form),
# collects random-policy data on the base task, infers each test task's rotation from
# `k_infer = 10` random transitions of that task (no goal is read), trains every policy with
# the same CEM budget — the base policy on the symmetrised start law and on its own, the
# training tasks' policies (the nearest-task baseline, picked by *inferred* element), a
# contrastive meta-RL baseline, and an oracle on each test task — and evaluates all of them on
# common reset seeds.

# %%
budget = (15, 16, 4, 1) if SMALL else (30, 24, 4, 2)
trainer = CEMTrainer(
    n_iterations=budget[0],
    population=budget[1],
    n_episodes=budget[2],
    n_restarts=budget[3],
    n_eval_episodes=8,
    rng=0,
)
result = run_pipeline(
    family, seeds=2, n_episodes=8, trainer=trainer, rng=0, n_base_steps=1000, progress=False
)
print(result.table())

# %% [markdown]
# `inferred_elements` are exponential coordinates in the orthonormal basis of the state
# algebra ($|R \oplus R|$ generator $= 2$, so a coordinate $c$ is a rotation by $c/2$):

# %%
angles = np.degrees(result.inferred_elements[:, 0] / 2)
true = np.degrees(2 * np.pi * np.arange(n_test) / n_test)
np.round(np.c_[true, (angles + 180) % 360 - 180], 2)

# %% [markdown]
# ## Figures
#
# Scores and relative regret $(R_{oracle} - R)/|R_{oracle}|$ against the angular distance
# from the nearest training task: the transferred policy stays level, the baselines decay.

# %%
figures = pipeline_figures(result, family, "byoe-figures")
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, name in zip(axes, ["scores", "relative_regret"], strict=True):
    ax.imshow(plt.imread(figures[name]))
    ax.axis("off")

# %% [markdown]
# Returns per test task, beside the normalised scores (a score near 1 can hide a return well
# below the oracle's when random actions are far worse than everything else):

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
for m in result.methods:
    if m != "random":
        ax.plot(true, result.returns[m], "o-", ms=4, label=m)
ax.set_xlabel("goal angle (deg)")
ax.set_ylabel("mean return")
ax.legend(fontsize=8)

# %% [markdown]
# A trajectory of the transferred policy on the farthest goal, from the dock:

# %%
from liesym.transfer import HereditaryPolicy

far = n_test // 2
policy = HereditaryPolicy(
    result.base_policy, representation.elements(result.inferred_elements[far])
)
env = AirTable(family.test_tasks[far])
obs, _ = env.reset(seed=0)
path = [obs[:2]]
for _ in range(HORIZON):
    obs, *_ = env.step(policy.act(obs))
    path.append(obs[:2])
path = np.array(path)
fig, ax = plt.subplots(figsize=(4, 4))
ax.plot(*path.T, ".-", label="puck")
ax.plot(*family.test_tasks[far], "r*", ms=12, label="goal")
ax.plot(*DOCK, "ks", label="dock")
ax.add_patch(plt.Circle((0, 0), 1.0, fill=False, ls=":"))
ax.set_aspect("equal")
ax.legend(fontsize=8)
