r"""The contrastive meta-RL baseline: a task encoder trained by InfoNCE and a policy on its code.

The common baseline the hereditary method is compared with (PEARL-style context encoding,
as in the prototype's ``CLMETA``), in NumPy:

* an encoder maps a context of k transitions ``(s, a, r, s')`` of one task to a unit vector
  z: a one-hidden-layer tanh network applied to each (standardised) transition, mean-pooled
  over the context and normalised;
* it is trained by InfoNCE on cosine similarities (supervised-contrastive form: positives
  are the other contexts of the same training task, negatives the contexts of the other
  training tasks), with exact gradients and Adam;
* a policy :math:`a = \mathrm{proj}(K s + B z + b)` is trained by the cross-entropy method
  across the training tasks with the encoder frozen, each episode conditioned on the code of
  a fresh exploration context of its task;
* at test time it sees k transitions of the new task from the random exploratory policy (the
  data the hereditary method's inference sees) and acts with the resulting code.

It generalises by smoothness of the code in the task, so only near the training tasks.
"""

from dataclasses import dataclass

import numpy as np

from liesym._core import as_count, as_finite_array, as_rng
from liesym._core import progress as progress_bar
from liesym.data.transitions import Transitions, collect_transitions
from liesym.discovery._adam import Adam
from liesym.envs.family import GymnasiumFamily
from liesym.envs.navigation import TaskFamily
from liesym.policies.base import LinearPolicy
from liesym.policies.cem import CEMTrainer
from liesym.policies.episodes import PopulationEpisodes
from liesym.policies.rollout import (
    affine_returns,
    as_dynamics,
    check_goals,
    rollout_noise,
)


def transition_features(transitions: Transitions) -> np.ndarray:
    """Rows ``(s, a, r, s')`` of transitions, shape (N, 3n + 1).

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> fam = circle_tasks()
    >>> transition_features(collect_transitions(fam, fam.base_goal, 5, rng=0)).shape
    (5, 7)
    """
    if not isinstance(transitions, Transitions):
        raise ValueError(f"transitions: expected Transitions, got {type(transitions).__name__}")
    t = transitions
    return np.concatenate([t.states, t.actions, t.rewards[:, None], t.next_states], axis=1)


def info_nce(embeddings, labels, temperature: float = 0.1) -> tuple[float, np.ndarray]:
    r"""InfoNCE loss of embeddings on cosine similarities, and its gradient.

    For anchor i with positives P(i) (same label, not i) and all other rows as candidates:
    :math:`\ell_i = \log \sum_{l \ne i} e^{S_{il}} - |P(i)|^{-1} \sum_{j \in P(i)} S_{ij}`,
    :math:`S = \hat Z \hat Z^T / \tau` with rows :math:`\hat z = u / |u|`; the loss is the mean
    over anchors.

    Parameters
    ----------
    embeddings : array-like, shape=[N, d]
        Unnormalised embeddings u (non-zero rows).
    labels : array-like of int, shape=[N]
        Task of each row; every label must occur at least twice.
    temperature : float, optional, default: 0.1

    Returns
    -------
    loss : float
    grad : ndarray, shape=[N, d]
        Derivative of the loss with respect to ``embeddings``.

    Examples
    --------
    >>> u = np.array([[1.0, 0.0], [0.9, 0.1], [-1.0, 0.0], [-0.8, 0.1]])
    >>> loss, grad = info_nce(u, [0, 0, 1, 1])
    >>> round(loss, 4), grad.shape
    (0.0, (4, 2))
    """
    u = as_finite_array(embeddings, "embeddings", ndim=2)
    labels = np.asarray(labels)
    if labels.shape != (u.shape[0],):
        raise ValueError(f"labels: expected shape ({u.shape[0]},), got {labels.shape}")
    norm = np.linalg.norm(u, axis=1, keepdims=True)
    if np.any(norm == 0):
        raise ValueError("embeddings: rows must be non-zero (they are normalised)")
    positive = labels[:, None] == labels[None, :]
    np.fill_diagonal(positive, False)
    count = positive.sum(axis=1)
    if np.any(count == 0):
        raise ValueError("labels: every label needs at least two rows (a positive pair)")
    z = u / norm
    s = z @ z.T / temperature
    np.fill_diagonal(s, -np.inf)
    top = s.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(s - top).sum(axis=1)) + top[:, 0]
    pos_mean = np.where(positive, s, 0.0).sum(axis=1) / count
    loss = float(np.mean(log_norm - pos_mean))
    soft = np.exp(s - log_norm[:, None])  # zero on the diagonal
    g = (soft - positive / count[:, None]) / u.shape[0]
    dz = (g + g.T) @ z / temperature
    du = (dz - z * np.sum(z * dz, axis=1, keepdims=True)) / norm
    return loss, du


@dataclass(frozen=True, eq=False)
class ContextEncoder:
    """A trained context encoder: per-transition tanh network, mean pooling, normalisation.

    Attributes
    ----------
    w1 : ndarray, shape=[f, H]
    b1 : ndarray, shape=[H]
    w2 : ndarray, shape=[H, d]
    b2 : ndarray, shape=[d]
    shift, scale : ndarray, shape=[f]
        Standardisation of the transition features ``(s, a, r, s')``.
    """

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    shift: np.ndarray
    scale: np.ndarray

    @property
    def embed_dim(self) -> int:
        """Dimension d of the codes."""
        return int(self.w2.shape[1])

    def pooled(self, features) -> np.ndarray:
        """Mean-pooled (unnormalised) outputs of contexts ``[..., k, f]``, shape=[..., d]."""
        x = (np.asarray(features, dtype=np.float64) - self.shift) / self.scale
        return (np.tanh(x @ self.w1 + self.b1) @ self.w2 + self.b2).mean(axis=-2)

    def embed(self, context) -> np.ndarray:
        """Unit codes of contexts: a Transitions record (d,), or features ``[..., k, f]``."""
        if isinstance(context, Transitions):
            if len(context) < 1:
                raise ValueError("context: expected at least one transition")
            features = transition_features(context)
        else:
            features = as_finite_array(context, "context")
            if features.ndim < 2 or features.shape[-1] != self.shift.shape[0]:
                raise ValueError(
                    f"context: expected features of shape [..., k, {self.shift.shape[0]}], "
                    f"got {features.shape}"
                )
        u = self.pooled(features)
        return u / np.linalg.norm(u, axis=-1, keepdims=True)


def _unpack(theta: np.ndarray, f: int, h: int, d: int):
    sizes = np.cumsum([f * h, h, h * d])
    w1, b1, w2, b2 = np.split(theta, sizes)
    return w1.reshape(f, h), b1, w2.reshape(h, d), b2


def encoder_loss(theta: np.ndarray, x: np.ndarray, labels, temperature: float, h: int, d: int):
    """InfoNCE loss and gradient of the flat encoder parameters on standardised contexts.

    Parameters
    ----------
    theta : ndarray, shape=[f H + H + H d + d]
        ``(w1, b1, w2, b2)`` flattened.
    x : ndarray, shape=[N, k, f]
        Standardised contexts.
    labels : array-like of int, shape=[N]
    temperature : float
    h, d : int
        Hidden width and code dimension.

    Returns
    -------
    loss : float
    grad : ndarray, shape like ``theta``
    """
    n_ctx, k, f = x.shape
    w1, b1, w2, b2 = _unpack(theta, f, h, d)
    hidden = np.tanh(x @ w1 + b1)
    u = (hidden @ w2 + b2).mean(axis=1)
    loss, du = info_nce(u, labels, temperature)
    do = np.broadcast_to(du[:, None, :] / k, (n_ctx, k, d))
    g_w2 = np.einsum("nkh,nkd->hd", hidden, do)
    g_b2 = du.sum(axis=0)
    da = (do @ w2.T) * (1.0 - hidden**2)
    g_w1 = np.einsum("nkf,nkh->fh", x, da)
    g_b1 = da.sum(axis=(0, 1))
    return loss, np.concatenate([g_w1.ravel(), g_b1, g_w2.ravel(), g_b2])


def _contexts(system, goals, count: int, k: int, rng) -> np.ndarray:
    """``count`` exploration contexts of k transitions per goal, features (T, count, k, f).

    Each transition is the first step of a fresh episode under uniform random actions (as
    the test-time data of the hereditary inference).
    """
    if isinstance(system, GymnasiumFamily) and not isinstance(system, TaskFamily):
        batch = system.batch(list(goals), count * k)
        low, high = system.action_bounds
        states = batch.reset(rng.integers(2**31 - 1, size=batch.n_envs))
        actions = rng.uniform(low, high, size=(batch.n_envs, low.shape[0]))
        nxt, rewards, _, _, applied = batch.step(actions)
        rows = np.concatenate([states, applied, rewards[:, None], nxt], axis=1)
        return rows.reshape(len(goals), count, k, -1)
    data = collect_transitions(system, np.repeat(goals, count, axis=0), k, rng=rng)
    return transition_features(data).reshape(goals.shape[0], count, k, -1)


class ContrastiveMetaPolicy:
    r"""Contrastive task encoding + context-conditioned linear policy (the meta-RL baseline).

    Parameters
    ----------
    context_size : int, optional, default: 16
        Transitions k per context (training and test time).
    embed_dim : int, optional, default: 4
        Dimension of the codes z (the prototype used 2).
    hidden : int, optional, default: 64
        Width of the per-transition network.
    temperature : float, optional, default: 0.1
    n_contexts : int, optional, default: 256
        Exploration contexts collected per training task (for each of encoder and policy
        training).
    batch_contexts : int, optional, default: 32
        Contexts per task in each InfoNCE batch.
    n_encoder_steps : int, optional, default: 1000
    lr : float, optional, default: 1e-2
        Adam step size of the encoder.
    trainer : CEMTrainer, optional
        Settings of the policy search (default ``CEMTrainer()``).
    rng : None, int or numpy.random.Generator, optional
    progress : bool, optional, default: False

    Attributes
    ----------
    encoder_ : ContextEncoder
    encoder_history_ : ndarray, shape=[n_encoder_steps]
        InfoNCE loss per step.
    gain_ : ndarray, shape=[n, n]
    coupling_ : ndarray, shape=[n, embed_dim]
        The matrix B.
    bias_ : ndarray, shape=[n]
    history_ : ndarray, shape=[n_iterations]
        Mean return over the training tasks of the CEM mean per iteration.
    train_goals_ : ndarray, shape=[T, n]
    train_codes_ : ndarray, shape=[T, n_contexts, embed_dim]
        Codes of the contexts the policy was trained on.

    Examples
    --------
    >>> from liesym.envs import circle_tasks
    >>> fam = circle_tasks()
    >>> model = ContrastiveMetaPolicy(n_encoder_steps=50, n_contexts=64, rng=0,
    ...     trainer=CEMTrainer(n_iterations=5, n_restarts=1))
    >>> model = model.fit(fam, fam.train_goals(2))
    >>> bool(model.encoder_history_[-1] < model.encoder_history_[0])
    True
    >>> context = collect_transitions(fam, fam.base_goal, 16, rng=1)
    >>> model.adapt(context).act(np.zeros(2)).shape
    (2,)
    """

    def __init__(
        self,
        context_size: int = 16,
        embed_dim: int = 4,
        hidden: int = 64,
        temperature: float = 0.1,
        n_contexts: int = 256,
        batch_contexts: int = 32,
        n_encoder_steps: int = 1000,
        lr: float = 1e-2,
        trainer: CEMTrainer | None = None,
        *,
        rng=None,
        progress: bool = False,
    ):
        self.context_size = context_size
        self.embed_dim = embed_dim
        self.hidden = hidden
        self.temperature = temperature
        self.n_contexts = n_contexts
        self.batch_contexts = batch_contexts
        self.n_encoder_steps = n_encoder_steps
        self.lr = lr
        self.trainer = trainer
        self.rng = rng
        self.progress = progress

    def __repr__(self) -> str:
        return (
            f"ContrastiveMetaPolicy(context_size={self.context_size}, "
            f"embed_dim={self.embed_dim}, hidden={self.hidden})"
        )

    def fit(self, family, train_goals) -> "ContrastiveMetaPolicy":
        """Train the encoder, then the conditioned policy, on the training tasks.

        Parameters
        ----------
        family : TaskFamily or NavigationDynamics
        train_goals : array-like, shape=[T, n]
            At least two tasks (the contrastive loss needs negatives).

        Returns
        -------
        self
        """
        generic = isinstance(family, GymnasiumFamily) and not isinstance(family, TaskFamily)
        if generic:
            dyn = None
            n, m = family.observation_dim, family.action_dim
            goals = list(train_goals)
            if len(goals) < 2:
                raise ValueError(f"train_goals: expected at least 2 tasks, got {len(goals)}")
        else:
            dyn = as_dynamics(family)
            n = m = dyn.n
            goals = check_goals(train_goals, n, "train_goals")
            if goals.ndim != 2 or goals.shape[0] < 2:
                raise ValueError(
                    f"train_goals: expected at least 2 goals (T, {n}), got {goals.shape}"
                )
        k = as_count(self.context_size, "context_size")
        d = as_count(self.embed_dim, "embed_dim")
        h = as_count(self.hidden, "hidden")
        count = as_count(self.n_contexts, "n_contexts")
        batch = as_count(self.batch_contexts, "batch_contexts")
        if batch < 2:
            raise ValueError(f"batch_contexts: expected at least 2 (positive pairs), got {batch}")
        steps = int(self.n_encoder_steps)
        if steps < 0:
            raise ValueError(f"n_encoder_steps: expected a non-negative integer, got {steps}")
        if not (np.isfinite(self.temperature) and self.temperature > 0):
            raise ValueError(f"temperature: expected a positive number, got {self.temperature}")
        rng = as_rng(self.rng)
        n_tasks = len(goals)

        # Encoder: InfoNCE over exploration contexts of the training tasks.
        pool = _contexts(family, goals, count, k, rng)
        f = pool.shape[-1]
        flat = pool.reshape(-1, f)
        shift, scale = flat.mean(axis=0), flat.std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        x_pool = (pool - shift) / scale
        theta = np.concatenate(
            [
                rng.standard_normal(f * h) / np.sqrt(f),
                np.zeros(h),
                rng.standard_normal(h * d) / np.sqrt(h),
                np.zeros(d),
            ]
        )
        labels = np.repeat(np.arange(n_tasks), min(batch, count))
        opt = Adam(lr=self.lr)
        history = np.empty(steps)
        for step in progress_bar(range(steps), enable=self.progress, desc="InfoNCE"):
            pick = np.stack(
                [rng.choice(count, size=min(batch, count), replace=False) for _ in range(n_tasks)]
            )
            x = x_pool[np.arange(n_tasks)[:, None], pick].reshape(-1, k, f)
            history[step], grad = encoder_loss(theta, x, labels, self.temperature, h, d)
            theta = opt.step(theta, grad)
        w1, b1, w2, b2 = _unpack(theta, f, h, d)
        self.encoder_ = ContextEncoder(w1, b1, w2, b2, shift, scale)
        self.encoder_history_ = history

        # Policy: CEM over (K, B, b) across the training tasks, encoder frozen, each episode
        # conditioned on the code of a fresh exploration context of its task.
        codes = self.encoder_.embed(_contexts(family, goals, count, k, rng))
        trainer = CEMTrainer() if self.trainer is None else self.trainer
        if generic:
            return self._fit_policy_generic(family, goals, codes, trainer, rng, n, m, d)
        nk, nb = n * n, n * d

        def returns(params, n_episodes, rng):
            # params (M, dim): rows are (members); batch (M, T, E).
            noise = rollout_noise(dyn, (n_tasks, n_episodes), rng=rng)
            z = codes[np.arange(n_tasks)[:, None], rng.integers(count, size=(n_tasks, n_episodes))]
            gain = params[:, :nk].reshape(-1, 1, 1, n, n)
            coupling = params[:, nk : nk + nb].reshape(-1, 1, 1, n, d)
            bias = (coupling @ z[..., None])[..., 0] + params[:, None, None, nk + nb :]
            out = affine_returns(gain, bias, dyn, goals[:, None, :], noise)
            return out.mean(axis=(-2, -1))

        result = trainer.search(returns, nk + nb + n, rng=rng)
        return self._keep(result, (n, n, d), goals, codes, dyn, (None, None))

    def _keep(self, result, dims, tasks, codes, dynamics, bounds) -> "ContrastiveMetaPolicy":
        """Unpack the searched ``(K, B, b)`` of an (m, n) policy with d-dim codes."""
        m, n, d = dims
        p = result.mean
        self.gain_ = p[: m * n].reshape(m, n)
        self.coupling_ = p[m * n : m * n + m * d].reshape(m, d)
        self.bias_ = p[m * n + m * d :]
        self.history_ = result.history
        self.train_goals_ = tasks
        self.train_codes_ = codes
        self.dynamics_ = dynamics
        self.bounds_ = bounds
        return self

    def _fit_policy_generic(self, family, tasks, codes, trainer, rng, n, m, d):
        """CEM over ``(K, B, b)`` of ``clip(K s + B z + b)`` on any family's batched envs."""
        low, high = family.action_bounds
        n_tasks, count = codes.shape[:2]
        nk, nb = m * n, m * d
        runs = PopulationEpisodes(family, tasks)

        def returns(params, n_episodes, rng):
            members = params.shape[0]
            shape = (n_tasks, members, n_episodes)
            z = codes[np.arange(n_tasks)[:, None], rng.integers(count, size=(n_tasks, n_episodes))]
            gain = params[:, :nk].reshape(1, members, 1, m, n)
            coupling = params[:, nk : nk + nb].reshape(1, members, 1, m, d)
            bias = (coupling @ z[:, None, :, :, None])[..., 0] + params[None, :, None, nk + nb :]
            gain = np.broadcast_to(gain, (*shape, m, n)).reshape(-1, m, n)
            bias = np.broadcast_to(bias, (*shape, m)).reshape(-1, m)

            def act(obs):
                return np.clip(np.einsum("bij,bj->bi", gain, obs) + bias, low, high)

            return runs.returns(members, n_episodes, act, rng=rng).mean(axis=(0, 2))

        result = trainer.search(returns, nk + nb + m, rng=rng)
        return self._keep(result, (m, n, d), tasks, codes, None, (low, high))

    def embed(self, context: Transitions) -> np.ndarray:
        """The code z (d,) of a context of the task."""
        return self.encoder_.embed(context)

    def adapt(self, context: Transitions) -> LinearPolicy:
        """The policy ``proj(K s + B z + b)`` for the task of ``context`` (z its code)."""
        z = self.embed(context)
        low, high = self.bounds_
        return LinearPolicy(
            self.gain_, self.coupling_ @ z + self.bias_, self.dynamics_, low=low, high=high
        )

    def policies(self, family, *, rng=None):
        """A factory ``goal -> policy``: explore k transitions of the task, then adapt.

        Parameters
        ----------
        family : TaskFamily or NavigationDynamics
            Collects the test-time context (random exploratory actions).
        rng : None, int or numpy.random.Generator, optional
            Each call draws a fresh context from it.

        Returns
        -------
        callable
        """
        rng = as_rng(rng)
        k = as_count(self.context_size, "context_size")
        if isinstance(family, GymnasiumFamily) and not isinstance(family, TaskFamily):
            return lambda task: self.adapt(collect_transitions(family, [task], k, rng=rng))
        return lambda goal: self.adapt(collect_transitions(family, goal, k, rng=rng))
