r"""Dynamics symmetries from transitions: generators W with F(Ws, Wa) equivariant.

A linear map L is a symmetry of the system ``s' = F(s, a) + noise`` when
``F(L s, L a) = L F(s, a)`` and the noise law and the action set are L-invariant. For a
(locally) linear model ``F(s, a) = A s + B a + c`` and ``L = exp(tW)`` this is linear in W:

    W A - A W = 0,   W B - B W = 0,   W c = 0,
    W Sigma + Sigma W^T = 0        (noise covariance invariant),
    W Sigma_a + Sigma_a W^T = 0    (second moment of the applied actions invariant).

The last line is a valid constraint when the actions were drawn from a law invariant under
the symmetry (e.g. uniform on an invariant action set, as a random policy on a disc or
ellipse does); with a biased behaviour policy switch it off (``use_actions=False``).
With ``affine=True`` the states may also be translated, ``s -> W s + t`` (actions are
not): ``W c = 0`` becomes ``(A - I) t = W c``. The symmetry algebra is the SVD null space
of the stacked constraints, its dimension read off the singular-value gap.
"""

from dataclasses import dataclass

import numpy as np

from liesym._core import as_finite_array
from liesym.algebra import LieAlgebra
from liesym.discovery._constraints import (
    DEFAULT_MIN_GAP,
    DEFAULT_NOISE_TOL,
    check_dim,
    null_space,
)

__all__ = ["DynamicsSymmetryDiscovery", "LinearDynamicsFit", "fit_linear_dynamics"]


@dataclass(frozen=True)
class LinearDynamicsFit:
    """Least-squares model ``s' = A s + B a + c + noise`` with standard errors.

    Attributes
    ----------
    A, B : ndarray, shape=[n, n]
    c : ndarray, shape=[n]
    noise_cov : ndarray, shape=[n, n]
        Residual covariance Sigma.
    action_moment : ndarray, shape=[n, n]
        Second moment ``E[a a^T]`` of the applied actions.
    stderr_A, stderr_B : ndarray, shape=[n, n]
    stderr_c : ndarray, shape=[n]
    n_samples : int
    """

    A: np.ndarray
    B: np.ndarray
    c: np.ndarray
    noise_cov: np.ndarray
    action_moment: np.ndarray
    stderr_A: np.ndarray
    stderr_B: np.ndarray
    stderr_c: np.ndarray
    n_samples: int


def _check_transitions(states, actions, next_states):
    s = as_finite_array(states, "states", ndim=2)
    a = as_finite_array(actions, "actions", ndim=2)
    s2 = as_finite_array(next_states, "next_states", ndim=2)
    if not (s.shape[0] == a.shape[0] == s2.shape[0]):
        raise ValueError(
            "states, actions, next_states: expected the same number of rows, got "
            f"{s.shape[0]}, {a.shape[0]}, {s2.shape[0]}"
        )
    if s2.shape[1] != s.shape[1]:
        raise ValueError(
            f"next_states: expected {s.shape[1]} coordinates like states, got {s2.shape[1]}"
        )
    if a.shape[1] != s.shape[1]:
        raise ValueError(
            "actions: one generator W acts on states and actions alike, so actions need the "
            f"state dimension {s.shape[1]}, got {a.shape[1]}"
        )
    n = s.shape[1]
    need = 2 * (2 * n + 1)
    if s.shape[0] < need:
        raise ValueError(
            f"states: {s.shape[0]} transitions are too few to fit s' = A s + B a + c in R^{n} "
            f"and its noise covariance; need at least {need}"
        )
    return s, a, s2


def fit_linear_dynamics(states, actions, next_states) -> LinearDynamicsFit:
    """Fit ``s' = A s + B a + c`` by least squares, with the residual covariance.

    Parameters
    ----------
    states, actions, next_states : array-like, shape=[N, n]

    Returns
    -------
    LinearDynamicsFit

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> s, a = rng.normal(size=(500, 2)), rng.normal(size=(500, 2))
    >>> fit = fit_linear_dynamics(s, a, s + 0.5 * a + 0.01 * rng.normal(size=(500, 2)))
    >>> np.round(fit.B, 2) + 0.0
    array([[0.5, 0. ],
           [0. , 0.5]])
    """
    s, a, s2 = _check_transitions(states, actions, next_states)
    n_pts, n = s.shape
    design = np.concatenate([s, a, np.ones((n_pts, 1))], axis=1)
    coef, *_ = np.linalg.lstsq(design, s2, rcond=None)
    resid = s2 - design @ coef
    sigma = resid.T @ resid / (n_pts - design.shape[1])
    gram_inv = np.linalg.pinv(design.T @ design)
    # Var(coef[k, j]) = Sigma_jj (D^T D)^-1_kk for output j.
    se = np.sqrt(np.outer(np.diag(gram_inv), np.diag(sigma)).clip(min=0.0))
    return LinearDynamicsFit(
        A=coef[:n].T,
        B=coef[n : 2 * n].T,
        c=coef[2 * n],
        noise_cov=sigma,
        action_moment=a.T @ a / n_pts,
        stderr_A=se[:n].T,
        stderr_B=se[n : 2 * n].T,
        stderr_c=se[2 * n],
        n_samples=n_pts,
    )


def _moment_stderr(m: np.ndarray, n_samples: int) -> float:
    """Frobenius std of an estimated second moment (Gaussian fourth moments)."""
    d = np.diag(m)
    return float(np.sqrt(np.sum(np.outer(d, d) + m**2) / n_samples))


def _fro(m) -> float:
    v = float(np.linalg.norm(m))
    return v if v > 0 else 1.0


def dynamics_constraints(
    fit: LinearDynamicsFit,
    *,
    affine: bool = False,
    use_noise: bool = True,
    use_actions: bool = True,
    state_scale: float = 1.0,
) -> tuple[np.ndarray, float]:
    """Stacked linear constraints on ``vec(W)`` (and ``t / state_scale`` when affine).

    Each block is divided by the norm of its matrix, so the blocks are scale-free and
    comparable; the returned noise floor ``2 sqrt(sum_blocks e^2)`` (e a block's relative
    standard error) bounds the singular value of an exact symmetry under estimation error.

    Returns
    -------
    constraints : ndarray, shape=[rows, p]
        p = n^2, or n^2 + n when affine.
    noise_floor : float
    """
    n = fit.A.shape[0]
    eye = np.eye(n * n).reshape(n * n, n, n)  # basis E_k of the unknown W
    blocks, errs = [], []

    def add(op: np.ndarray, scale: float, err: float) -> None:
        blocks.append(op.reshape(n * n, -1).T / scale)
        errs.append(err / scale)

    for m, se in ((fit.A, fit.stderr_A), (fit.B, fit.stderr_B)):
        add(eye @ m - m @ eye, _fro(m), float(np.linalg.norm(se)))
    if use_noise:
        sig = fit.noise_cov
        add(eye @ sig + sig @ np.swapaxes(eye, 1, 2), _fro(sig), _moment_stderr(sig, fit.n_samples))
    if use_actions:
        mom = fit.action_moment
        add(eye @ mom + mom @ np.swapaxes(eye, 1, 2), _fro(mom), _moment_stderr(mom, fit.n_samples))
    wc = eye @ fit.c / state_scale  # (p, n)
    c_err = float(np.linalg.norm(fit.stderr_c)) / state_scale
    mat = np.concatenate(blocks, axis=0)
    if affine:
        mat = np.concatenate([mat, np.zeros((mat.shape[0], n))], axis=1)
        # (A - I) t - W c = 0, with t measured in units of state_scale.
        trans = np.concatenate([-wc.T, fit.A - np.eye(n)], axis=1)
        mat = np.concatenate([mat, trans], axis=0)
    else:
        mat = np.concatenate([mat, wc.T], axis=0)
    errs.append(c_err)
    return mat, 2.0 * float(np.sqrt(np.sum(np.square(errs))))


class DynamicsSymmetryDiscovery:
    """Discover the linear (or affine) symmetry algebra of a system from transitions.

    Parameters
    ----------
    dim : int, optional
        Dimension of the algebra; default: the singular-value gap rule.
    affine : bool, optional, default: False
        Also allow translations of the states (generators ``[[W, t], [0, 0]]``).
    use_noise : bool, optional, default: True
        Require the residual covariance to be invariant.
    use_actions : bool, optional, default: True
        Require the second moment of the actions to be invariant (valid when the
        actions were drawn from an invariant law, e.g. uniform on the action set).
    min_gap : float, optional, default: 4.0
    noise_tol : float, optional, default: 3.0
        Dimension rule (see :func:`liesym.discovery._constraints.choose_dimension`). The
        noise floor here propagates the standard errors of A, B, c, Sigma and Sigma_a
        and overestimates the symmetry singular values by a factor 2-5 in the measured
        cases, so a symmetry may exceed it by at most 3x; a weakly broken symmetry (e.g.
        drift diag(1, 0.5), singular value 3.7x the floor) is rejected.

    Attributes
    ----------
    algebra_ : LieAlgebra or None
    dim_ : int
    singular_values_ : ndarray, shape=[p]
        Ascending; p = n^2, or n^2 + n when affine.
    gap_ : float
    noise_floor_ : float
    model_ : LinearDynamicsFit

    Examples
    --------
    >>> from liesym.algebra import so, grassmann_distance
    >>> rng = np.random.default_rng(0)
    >>> s = rng.normal(size=(2000, 2))
    >>> a = rng.normal(size=(2000, 2)) * 0.1
    >>> s2 = s + a + 0.05 * rng.normal(size=(2000, 2))
    >>> est = DynamicsSymmetryDiscovery().fit(s, a, s2)
    >>> est.dim_, bool(grassmann_distance(est.algebra_, so(2)) < 0.1)
    (1, True)
    """

    def __init__(
        self,
        dim: int | None = None,
        affine: bool = False,
        *,
        use_noise: bool = True,
        use_actions: bool = True,
        min_gap: float = DEFAULT_MIN_GAP,
        noise_tol: float = DEFAULT_NOISE_TOL,
    ) -> None:
        self.dim = dim
        self.affine = affine
        self.use_noise = use_noise
        self.use_actions = use_actions
        self.min_gap = min_gap
        self.noise_tol = noise_tol

    def fit(self, states, actions, next_states) -> "DynamicsSymmetryDiscovery":
        """Fit the linear model and take the null space of the symmetry constraints.

        Parameters
        ----------
        states, actions, next_states : array-like, shape=[N, n]

        Returns
        -------
        self
        """
        fit = fit_linear_dynamics(states, actions, next_states)
        n = fit.A.shape[0]
        p = n * n + (n if self.affine else 0)
        dim = check_dim(self.dim, p, "the dynamics generator")
        s = as_finite_array(states, "states", ndim=2)
        scale = float(np.sqrt(np.mean(np.sum(s**2, axis=1))))
        scale = scale if scale > 0 else 1.0
        mat, floor = dynamics_constraints(
            fit,
            affine=self.affine,
            use_noise=self.use_noise,
            use_actions=self.use_actions,
            state_scale=scale,
        )
        r = np.linalg.qr(mat, mode="r")
        null = null_space(
            r, p, dim=dim, noise_floor=floor, min_gap=self.min_gap, noise_tol=self.noise_tol
        )
        self.model_ = fit
        self.singular_values_ = null.singular_values
        self.gap_ = null.gap
        self.noise_floor_ = floor
        self.dim_ = null.dim
        self.algebra_ = None
        if null.dim:
            vec = null.basis
            if self.affine:
                gens = np.zeros((null.dim, n + 1, n + 1))
                gens[:, :n, :n] = vec[:, : n * n].reshape(-1, n, n)
                gens[:, :n, n] = scale * vec[:, n * n :]
                self.algebra_ = LieAlgebra(gens, affine=True)
            else:
                self.algebra_ = LieAlgebra(vec.reshape(-1, n, n))
        return self
