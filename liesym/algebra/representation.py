r"""How a symmetry group acts on an environment: paired generators on observations and actions.

A task group acts on observations through :math:`\rho_S` (linear, or affine in homogeneous
coordinates) and on actions through :math:`\rho_A` (linear; trivial when actions are
invariant, e.g. the torques of a rotating arm). Both are given by generator stacks paired
index by index: generator i of the group is ``state[i]`` on observations and ``action[i]`` on
actions. The hereditary policy of the task g carries the base task to is then
:math:`\pi_g(s) = \rho_A(g)\,\pi_0(\rho_S(g)^{-1} s)`.
"""

from dataclasses import dataclass

import numpy as np

from liesym._core import as_finite_array, as_generator_stack
from liesym.algebra._exp import expm_batch
from liesym.algebra._lie_algebra import LieAlgebra

# Frequencies of a compact one-parameter group must have rational ratios; beyond this
# denominator a pairing is taken as a scale mismatch (e.g. bases normalised separately).
_MAX_DENOMINATOR = 12


def _stack(x, name: str) -> tuple[np.ndarray, bool]:
    if isinstance(x, LieAlgebra):
        return np.array(x.basis), x.affine
    return as_generator_stack(x, name), False


def _frequencies(w: np.ndarray) -> np.ndarray | None:
    """Positive rotation frequencies of a generator with purely imaginary spectrum (else None)."""
    ev = np.linalg.eigvals(w)
    scale = max(1.0, float(np.abs(ev).max()))
    if np.abs(ev.real).max() > 1e-9 * scale:
        return None
    f = np.abs(ev.imag)
    return f[f > 1e-9 * scale]


def _commensurate(freqs: np.ndarray) -> bool:
    base = freqs.min()
    ratios = freqs / base
    for q in range(1, _MAX_DENOMINATOR + 1):
        if np.allclose(ratios * q, np.round(ratios * q), rtol=0, atol=1e-6 * q):
            return True
    return False


@dataclass(frozen=True, eq=False, init=False)
class Representation:
    r"""Paired generators of a group on observations (``state``) and actions (``action``).

    Parameters
    ----------
    state : LieAlgebra or array-like, shape=[k, n, n] or [k, n+1, n+1]
        Generators on observations; a ``LieAlgebra`` with ``affine=True`` acts on
        homogeneous coordinates ``(s, 1)``. Arrays are taken as linear generators.
    action : LieAlgebra or array-like, shape=[k, m, m], optional
        Generators on actions, paired index by index with ``state``; None means that actions
        are invariant (the trivial representation). Pass arrays (not separately normalised
        LieAlgebras) to fix the relative scale of each pair: ``state[i]`` and ``action[i]``
        must be images of the same generator.

    Attributes
    ----------
    state : LieAlgebra
        The state algebra, its basis orthonormal.
    action : ndarray, shape=[k, m, m] or None
        Action generators paired with ``state.basis`` (the same change of basis applied).
    dim : int
        Number of generators k.

    Raises
    ------
    ValueError
        Dependent state generators, different numbers of generators, an affine action
        algebra, or paired one-parameter groups with incommensurate frequencies (which define
        no representation of the compact group: usually bases normalised separately).

    Examples
    --------
    A planar double integrator, state (p, v), force a: rotations act on p, v and a alike.

    >>> j = np.array([[0.0, -1.0], [1.0, 0.0]])
    >>> rep = Representation([np.kron(np.eye(2), j)], [j])
    >>> rep.state.basis[0][:2, :2]  # orthonormal basis: |blockdiag(J, J)| = 2
    array([[ 0. , -0.5],
           [ 0.5,  0. ]])
    >>> rho_s, rho_a = rep.elements([np.pi])  # coordinate pi: a quarter turn
    >>> rho_s.shape, (rho_a.round(12) + 0.0).tolist()
    ((4, 4), [[0.0, -1.0], [1.0, 0.0]])

    Invariant actions (a rotating arm's torques):

    >>> Representation([np.kron(np.eye(2), j)]).elements([0.3])[1] is None
    True
    """

    state: LieAlgebra
    action: np.ndarray | None = None

    def __init__(self, state, action=None) -> None:
        s, affine = _stack(state, "state")
        k = s.shape[0]
        flat = s.reshape(k, -1)
        q, r = np.linalg.qr(flat.T)
        diag = np.diag(r)
        if k > flat.shape[1] or np.any(np.abs(diag) <= 1e-12 * np.abs(diag).max()):
            raise ValueError(
                f"state: expected {k} linearly independent generators (a representation pairs "
                "each generator with one action generator)"
            )
        sign = np.sign(diag)
        # basis = T s with T = (R^-T) scaled so that the QR diagonal is positive.
        t = np.linalg.inv(r * sign[:, None]).T
        basis = (q * sign).T.reshape(s.shape)
        algebra = LieAlgebra(basis, affine=affine, name=getattr(state, "name", None))
        if not np.allclose(algebra.basis, basis, rtol=0, atol=1e-12):
            raise ValueError("state: the generators do not form a valid algebra basis")
        a = None
        if action is not None:
            if isinstance(action, LieAlgebra) and action.affine:
                raise ValueError("action: expected linear generators (actions are vectors)")
            raw, _ = _stack(action, "action")
            if raw.shape[0] != k:
                raise ValueError(
                    f"action: expected {k} generators (one per state generator), got {raw.shape[0]}"
                )
            a = np.tensordot(t, raw, axes=([1], [0]))
            for i in range(k):
                fs = _frequencies(algebra.linear_part[i] if affine else basis[i])
                fa = _frequencies(a[i])
                if fs is None or fa is None or not fs.size or not fa.size:
                    continue
                if not _commensurate(np.concatenate([fs, fa])):
                    raise ValueError(
                        f"action: generator {i} rotates at frequencies {np.round(fa, 6).tolist()}"
                        f" against {np.round(fs, 6).tolist()} on states (incommensurate); pair "
                        "unnormalised arrays so that state[i] and action[i] share one scale"
                    )
            a.setflags(write=False)
        object.__setattr__(self, "state", algebra)
        object.__setattr__(self, "action", a)

    def __repr__(self) -> str:
        act = "invariant" if self.action is None else f"{self.action_dim}-dim"
        return (
            f"Representation(dim={self.dim}, state_dim={self.state_dim}, actions={act}"
            f"{', affine' if self.affine else ''})"
        )

    @property
    def dim(self) -> int:
        """Number of generators k."""
        return self.state.dim

    @property
    def affine(self) -> bool:
        """Whether observations are acted on affinely (homogeneous generators)."""
        return self.state.affine

    @property
    def state_dim(self) -> int:
        """Dimension n of the observations."""
        return self.state.n - 1 if self.affine else self.state.n

    @property
    def moves_actions(self) -> bool:
        """Whether some element acts on actions (False for None or all-zero generators).

        Examples
        --------
        >>> J = np.array([[0.0, -1.0], [1.0, 0.0]])
        >>> Representation(J[None]).moves_actions  # invariant actions
        False
        >>> Representation(J[None], 0 * J[None]).moves_actions  # W_A = 0: fixed too
        False
        >>> Representation(J[None], J[None]).moves_actions
        True
        """
        return self.action is not None and bool(np.any(self.action))

    @property
    def action_dim(self) -> int | None:
        """Dimension m of the actions (None when they are invariant: any m)."""
        return None if self.action is None else int(self.action.shape[-1])

    def elements(self, coords) -> tuple[np.ndarray, np.ndarray | None]:
        r"""The pair :math:`(\rho_S(g), \rho_A(g))` of ``g = exp(sum_i coords[i] e_i)``.

        Parameters
        ----------
        coords : array-like, shape=[..., k]
            Exponential coordinates in the basis ``state.basis``.

        Returns
        -------
        state_element : ndarray, shape=[..., n, n] or [..., n+1, n+1]
        action_element : ndarray, shape=[..., m, m] or None
            None when actions are invariant.
        """
        c = as_finite_array(coords, "coords")
        if c.shape[-1:] != (self.dim,):
            raise ValueError(f"coords: expected shape [..., {self.dim}], got {c.shape}")
        rho_s = expm_batch(np.tensordot(c, self.state.basis, axes=([-1], [0])))
        if self.action is None:
            return rho_s, None
        return rho_s, expm_batch(np.tensordot(c, self.action, axes=([-1], [0])))
