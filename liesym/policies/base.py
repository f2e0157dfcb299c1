"""Policies: a protocol, a (rectangular, feature) linear policy, a goal seeker, random, zero.

A policy maps states (batch axes first, ``[..., n]``) to actions ``[..., m]``. The classes here
also accept the call ``policy(states, goals)`` of
:func:`liesym.data.transitions.collect_transitions` (the goals are ignored: each policy
solves one task).
"""

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from liesym._core import as_count, as_finite_array, as_positive, as_rng
from liesym.envs.dynamics import NavigationDynamics


@runtime_checkable
class Policy(Protocol):
    """Anything with ``act(states [..., n]) -> actions [..., n]`` (deterministic).

    Examples
    --------
    A policy is anything with an ``act`` method; no base class is needed:

    >>> class Still:
    ...     def act(self, states):
    ...         return np.zeros_like(states)
    >>> isinstance(Still(), Policy), Still().act(np.ones((3, 2))).shape
    (True, (3, 2))
    """

    def act(self, states: np.ndarray) -> np.ndarray:
        """Actions of the states, shape=[..., n]."""


def check_states(states, n: int, name: str = "states") -> np.ndarray:
    """Validate states of shape ``[..., n]`` (finite floats)."""
    arr = as_finite_array(states, name)
    if arr.ndim == 0 or arr.shape[-1] != n:
        raise ValueError(f"{name}: expected shape [..., {n}] (points of R^{n}), got {arr.shape}")
    return arr


def _check_dynamics(dynamics, n: int | None = None) -> NavigationDynamics | None:
    if dynamics is None:
        return None
    if not isinstance(dynamics, NavigationDynamics):
        raise ValueError(
            f"dynamics: expected a NavigationDynamics or None, got {type(dynamics).__name__}"
        )
    if n is not None and dynamics.n != n:
        raise ValueError(f"dynamics: expected a system of dimension {n}, got n={dynamics.n}")
    return dynamics


def project_ball(actions, radius: float) -> np.ndarray:
    """Actions projected radially onto the ball of ``radius`` (unchanged inside it).

    Examples
    --------
    >>> project_ball([[3.0, 4.0], [0.1, 0.0]], 1.0)
    array([[0.6, 0.8],
           [0.1, 0. ]])
    """
    a = np.asarray(actions, dtype=np.float64)
    norm = np.linalg.norm(a, axis=-1, keepdims=True)
    return a * np.minimum(1.0, radius / np.where(norm > 0, norm, 1.0))


class _CallAsCollector:
    """``policy(states, goals)`` as :func:`collect_transitions` calls it; goals are ignored."""

    def __call__(self, states, goals=None) -> np.ndarray:
        return self.act(states)


@dataclass(frozen=True, eq=False)
class ProductFeatures:
    """Fixed features ``(s, prod(s[i] for i in p) for p in products)`` of observations.

    Monomials of the (scaled) observation coordinates appended to the observation: a policy
    linear in these features stays linear in its parameters while expressing, e.g., a
    Jacobian-transpose law (products of joint cos/sin with an error vector).

    Parameters
    ----------
    n : int
        Dimension of the observations.
    products : sequence of sequences of int
        Index tuples of the monomials appended after the observation itself, in order;
        ``(i, j)`` is ``s_i s_j``, ``(i, j, k)`` is ``s_i s_j s_k``.
    scale : array-like, shape=[n], optional
        Multipliers applied to the observation first (bring coordinates of very different
        ranges, e.g. angles and angular velocities, to one scale for the search).

    Examples
    --------
    >>> ProductFeatures(3, [(0, 1), (0, 1, 2)])([[2.0, 3.0, 0.5]])
    array([[2. , 3. , 0.5, 6. , 3. ]])
    >>> ProductFeatures(3, [(0, 1), (0, 1, 2)]).dim
    5
    """

    n: int
    products: tuple = ()
    scale: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = as_count(self.n, "n")
        if self.scale is not None:
            scale = as_finite_array(self.scale, "scale", ndim=1)
            if scale.shape != (n,):
                raise ValueError(f"scale: expected shape ({n},), got {scale.shape}")
            scale.setflags(write=False)
            object.__setattr__(self, "scale", scale)
        try:
            products = tuple(tuple(int(i) for i in p) for p in self.products)
        except TypeError as err:
            raise TypeError(
                f"products: expected a sequence of index tuples, got {self.products!r}"
            ) from err
        if any(not p or not all(0 <= i < n for i in p) for p in products):
            raise ValueError(f"products: expected non-empty tuples of indices in [0, {n})")
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "products", products)

    @property
    def dim(self) -> int:
        """Number of features."""
        return self.n + len(self.products)

    def parity(self, parity) -> np.ndarray:
        """Parities (+1 even, -1 odd) of the features under a reflection of observations.

        ``parity`` gives each observation coordinate's sign under a reflection
        ``s -> diag(parity) s``; a monomial's parity is the product of its factors'.
        """
        p = _check_parity(parity, self.n)
        return np.concatenate([p, [np.prod(p[list(q)]) for q in self.products]])

    def bias_gate(self, states) -> np.ndarray | None:
        """Multiplier ``[..., 1]`` of a linear policy's bias (None: the bias is constant)."""
        return None

    def __call__(self, states) -> np.ndarray:
        """Features of observations ``[..., n]``, shape=[..., dim]."""
        s = np.asarray(states, dtype=np.float64)
        if self.scale is not None:
            s = s * self.scale
        if not self.products:
            return s
        # Tuples padded to one degree with the index of an appended column of ones.
        degree = max(len(p) for p in self.products)
        idx = np.array([p + (self.n,) * (degree - len(p)) for p in self.products])
        padded = np.concatenate([s, np.ones((*s.shape[:-1], 1))], axis=-1)
        return np.concatenate([s, np.prod(padded[..., idx], axis=-1)], axis=-1)


def gated_bias(features, states, bias) -> np.ndarray:
    """A linear policy's bias at ``states``: times the features' bias gate if they have one.

    :class:`MirrorFeatures` multiplies the bias by the side (``bias_gate``); other features
    (and none) leave it constant.
    """
    gate = None if features is None else features.bias_gate(states)
    return bias if gate is None else gate * bias


def _check_parity(parity, n: int) -> np.ndarray:
    p = as_finite_array(parity, "parity", ndim=1)
    if p.shape != (n,) or not np.all(np.abs(p) == 1):
        raise ValueError(f"parity: expected {n} signs (+1 or -1), got {parity!r}")
    return p


def _angle_parity(p: np.ndarray, reference, other, name: str) -> float:
    """Parity of the angle from the direction of ``reference`` to that of ``other``.

    Defined when both pairs transform alike (else the dot product flips and the angle
    maps to pi minus itself): odd when one coordinate of the pair flips, even when none
    or both do.
    """
    r, o = p[list(reference)], p[list(other)]
    if not np.array_equal(r, o):
        raise ValueError(
            f"parity: the angle from reference {reference} to {name} {other} has no parity "
            f"unless both pairs have the same signs, got {r.tolist()} and {o.tolist()}"
        )
    return float(r[0] * r[1])


def _index_pair(value, n: int, name: str) -> tuple[int, int]:
    try:
        pair = tuple(int(i) for i in value)
    except TypeError as err:
        raise TypeError(f"{name}: expected a pair of observation indices, got {value!r}") from err
    if len(pair) != 2 or not all(0 <= i < n for i in pair) or pair[0] == pair[1]:
        raise ValueError(f"{name}: expected two distinct indices in [0, {n}), got {value!r}")
    return pair


@dataclass(frozen=True, eq=False)
class AngleFeatures(ProductFeatures):
    r""":class:`ProductFeatures` plus the wrapped angle of a planar point from a reference.

    For observations carrying a reference point :math:`r` (e.g. a target) and the offset
    :math:`e` of a point from it (e.g. fingertip minus target), both planar, the features
    append the signed angle from the direction of :math:`r` to that of :math:`p = r + e`,

    .. math:: \alpha = \operatorname{atan2}(r \times p,\ r \cdot p) \in (-\pi, \pi],

    and :math:`\alpha \cdot g\,|e|` (``g = distance_gain``), computed on the unscaled
    observation; with ``root=True`` also :math:`\operatorname{sign}(\alpha)\sqrt{|\alpha|}`.
    All are invariant when one rotation of the plane acts on :math:`r` and :math:`e` alike,
    so a policy on them sees every rotated copy of a task the same way. The angle is
    discontinuous where the point is opposite the reference: a continuous state
    feedback that drives the point to the reference from every direction cannot exist (the
    basin of a stable equilibrium is contractible, the circle of directions is not; such a
    law stalls at a saddle), while a policy linear in :math:`\alpha` turns the short way
    from everywhere. The product with :math:`|e|` lets the turning gain fade near the goal.
    The root is the switching curve of a minimum-time turn under bounded torque (brake once
    the angular speed exceeds :math:`\sqrt{2 a |\alpha|}`): with it, one linear law can
    brake in time for turns of every size, which a gain on :math:`\alpha` alone fits to
    one size only.

    Parameters
    ----------
    n, products, scale
        As in :class:`ProductFeatures`.
    reference : pair of int
        Observation indices of the reference point's (x, y).
    offset : pair of int
        Observation indices of the point's offset from the reference.
    distance_gain : float, optional, default: 1.0
    root : bool, optional, default: False
        Also append :math:`\operatorname{sign}(\alpha)\sqrt{|\alpha|}`.
    side : pair of int, optional
        Observation indices of a planar direction :math:`u` (e.g. a link's (cos, sin));
        appends :math:`\operatorname{sign}(\beta)`, the side of the reference direction
        on which :math:`u` lies (:math:`\beta` its wrapped angle from :math:`r`, sign 0
        counted as +1). Unlike :math:`\alpha`, which a link that swings the point ahead
        of itself drives through 0 and back, the side of the link that must lag behind
        the point does not change during a reach: a law linear in it chooses between two
        mirror-image postures (an elbow bent towards the turn) and holds its choice, where
        a continuous law stalls between them.

    Examples
    --------
    Target at (1, 0) (indices 0, 1), point at (0, 1) (offset (-1, 1), indices 2, 3): a
    quarter turn, at distance sqrt(2).

    >>> phi = AngleFeatures(4, reference=(0, 1), offset=(2, 3))
    >>> phi([[1.0, 0.0, -1.0, 1.0]]).round(4)
    array([[ 1.    ,  0.    , -1.    ,  1.    ,  1.5708,  2.2214]])
    >>> phi.dim
    6
    >>> AngleFeatures(4, reference=(0, 1), offset=(2, 3), root=True)([[1.0, 0, -1, 1]])[:, -1]
    array([1.25331414])

    A direction at (0, -1) (indices 4, 5) lies on the negative side of the target (1, 0):

    >>> side = AngleFeatures(6, reference=(0, 1), offset=(2, 3), side=(4, 5))
    >>> side([[1.0, 0, -1, 1, 0, -1]])[:, -1]
    array([-1.])
    """

    reference: tuple = None
    offset: tuple = None
    distance_gain: float = 1.0
    root: bool = False
    side: tuple | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.reference is None or self.offset is None:
            raise ValueError("reference, offset: expected pairs of observation indices")
        object.__setattr__(self, "reference", _index_pair(self.reference, self.n, "reference"))
        object.__setattr__(self, "offset", _index_pair(self.offset, self.n, "offset"))
        gain = as_positive(self.distance_gain, "distance_gain", allow_zero=True)
        object.__setattr__(self, "distance_gain", gain)
        if not isinstance(self.root, bool | np.bool_):
            raise TypeError(f"root: expected a bool, got {self.root!r}")
        if self.side is not None:
            object.__setattr__(self, "side", _index_pair(self.side, self.n, "side"))

    @property
    def dim(self) -> int:
        """Number of features."""
        return super().dim + 2 + bool(self.root) + (self.side is not None)

    def parity(self, parity) -> np.ndarray:
        """Parities of the features under ``s -> diag(parity) s`` (see ProductFeatures).

        The angle, its product with the (even) distance and its root share one parity;
        so does the side. Raises ValueError when the angle has none.
        """
        p = _check_parity(parity, self.n)
        angle = _angle_parity(p, self.reference, self.offset, "offset")
        extra = [angle] * (2 + bool(self.root))
        if self.side is not None:
            extra.append(_angle_parity(p, self.reference, self.side, "side"))
        return np.concatenate([super().parity(p), extra])

    def __call__(self, states) -> np.ndarray:
        """Features of observations ``[..., n]``, shape=[..., dim]."""
        s = np.asarray(states, dtype=np.float64)
        target, error = s[..., self.reference], s[..., self.offset]
        point = error + target
        cross = point[..., 1] * target[..., 0] - point[..., 0] * target[..., 1]
        angle = np.arctan2(cross, np.sum(point * target, axis=-1))
        dist = np.linalg.norm(error, axis=-1)
        extra = [angle, self.distance_gain * angle * dist]
        if self.root:
            extra.append(np.sign(angle) * np.sqrt(np.abs(angle)))
        if self.side is not None:
            u = s[..., self.side]
            extra.append(
                np.where(u[..., 1] * target[..., 0] < u[..., 0] * target[..., 1], -1.0, 1.0)
            )
        extra = np.stack(extra, axis=-1)
        return np.concatenate([super().__call__(s), extra], axis=-1)


@dataclass(frozen=True, eq=False)
class MirrorFeatures:
    r"""Features gated by a side: linear policies on them are exactly mirror-equivariant.

    Let a reflection act on observations as :math:`s \mapsto Rs = \operatorname{diag}(p)\,s`
    and on actions as :math:`a \mapsto -a` (e.g. the torques of a planar arm mirrored about
    a line through its base), and let :math:`\sigma(s) = \operatorname{sign}(r \times u)`
    (0 counted as +1) be the side of a reference direction :math:`r` on which a direction
    :math:`u` lies, odd under the reflection. Each feature :math:`\phi_i` of ``features``
    has a parity :math:`p_i` (``ProductFeatures.parity``); the gated
    features are

    .. math:: \psi_i(s) = \phi_i(s)\ (p_i = -1), \qquad
              \psi_i(s) = \sigma(s)\,\phi_i(s)\ (p_i = +1),

    and a :class:`LinearPolicy` on them gates its bias too (``bias_gate``):
    :math:`\pi(s) = \mathrm{clip}(K \psi(s) + \sigma(s)\, b)`. Every term is odd, so for a
    box symmetric about 0, :math:`\pi(Rs) = -\pi(s)` exactly for every K and b (off the
    null set :math:`r \times u = 0`). Equivalently :math:`\pi(s) = \sigma \pi_+(s_+)` with
    :math:`s_+` the state reflected to side + and :math:`\pi_+ = \mathrm{clip}(K\phi + b)`
    an arbitrary linear law: one law on side +, its mirror image on side -. A constant
    side (one start, one task) reduces the class to the plain linear one.

    Parameters
    ----------
    features : ProductFeatures
        The features :math:`\phi` (any :class:`ProductFeatures`, e.g. :class:`AngleFeatures`).
    parity : array-like, shape=[n]
        Sign of each observation coordinate under the reflection.
    reference, direction : pair of int
        Observation indices of :math:`r` and :math:`u`; both pairs must have the same
        parities, one coordinate odd and one even (so that :math:`\sigma` is odd).

    Examples
    --------
    Two planar directions r = (s0, s1) and u = (s2, s3), mirrored about the x-axis; the
    gate is the side of r on which u lies:

    >>> phi = MirrorFeatures(ProductFeatures(4, [(1, 3)]), [1, -1, 1, -1], (0, 1), (2, 3))
    >>> s = np.array([[1.0, 0.0, 0.6, 0.8]])
    >>> mirrored = s * [1, -1, 1, -1]
    >>> np.array_equal(phi(mirrored), -phi(s)), phi.side(s), phi.side(mirrored)
    (True, array([1.]), array([-1.]))
    >>> pi = LinearPolicy(np.ones((1, 5)), [0.3], low=[-1.0], high=[1.0], features=phi)
    >>> pi.act(s), pi.act(s * [1, -1, 1, -1])
    (array([[1.]]), array([[-1.]]))
    """

    features: ProductFeatures
    parity: np.ndarray
    reference: tuple
    direction: tuple

    def __post_init__(self) -> None:
        if not isinstance(self.features, ProductFeatures):
            raise TypeError(f"features: expected ProductFeatures, got {self.features!r}")
        n = self.features.n
        p = _check_parity(self.parity, n)
        reference = _index_pair(self.reference, n, "reference")
        direction = _index_pair(self.direction, n, "direction")
        if _angle_parity(p, reference, direction, "direction") != -1:
            raise ValueError(
                "reference, direction: the side must be odd (one coordinate of each pair "
                f"flips), got parities {p[list(reference)].tolist()}"
            )
        even = self.features.parity(p) == 1
        for arr in (p, even):
            arr.setflags(write=False)
        object.__setattr__(self, "parity", p)
        object.__setattr__(self, "reference", reference)
        object.__setattr__(self, "direction", direction)
        object.__setattr__(self, "_even", even)

    @property
    def n(self) -> int:
        """Dimension of the observations."""
        return self.features.n

    @property
    def dim(self) -> int:
        """Number of features."""
        return self.features.dim

    def side(self, states) -> np.ndarray:
        r""":math:`\sigma(s)`, shape=[...]: +1 where u is on the positive side of r, else -1."""
        s = np.asarray(states, dtype=np.float64)
        r, u = s[..., self.reference], s[..., self.direction]
        return np.where(r[..., 0] * u[..., 1] < r[..., 1] * u[..., 0], -1.0, 1.0)

    def bias_gate(self, states) -> np.ndarray:
        r""":math:`\sigma(s)`, shape=[..., 1]: the bias of a linear policy is gated too."""
        return self.side(states)[..., None]

    def __call__(self, states) -> np.ndarray:
        """Gated features of observations ``[..., n]``, shape=[..., dim]."""
        phi = self.features(states)
        return np.where(self._even, self.side(states)[..., None] * phi, phi)


@dataclass(frozen=True, eq=False)
class LinearPolicy(_CallAsCollector):
    r"""The affine policy :math:`a = \mathrm{clip}(\mathrm{proj}(K \phi(s) + b))`.

    Enough for point navigation: with ``K = -k I`` and ``b = k g`` it moves straight at the
    goal at full speed once ``k |g - s|`` exceeds the action radius. K may be rectangular
    (actions of another dimension than observations), ``phi`` fixed features.

    Parameters
    ----------
    gain : array-like, shape=[m, d]
        The matrix K (d = n without features).
    bias : array-like, shape=[m]
        The vector b.
    dynamics : NavigationDynamics, optional
        Its ``project_action`` is applied to ``K s + b`` (navigation); None applies none.
    low, high : array-like, shape=[m], optional
        Box the actions are clipped to (an env's action space).
    features : ProductFeatures, optional
        Fixed features ``phi`` of the observations (identity by default).
    radius : float, optional
        Project actions radially onto the ball of this radius (before the box clip): the
        largest rotation-invariant action set inside a symmetric box, so that rotated
        actions of a transferred policy stay admissible.

    Examples
    --------
    >>> from liesym.envs import NavigationDynamics
    >>> pi = LinearPolicy(-np.eye(2), [1.0, 0.0], NavigationDynamics())
    >>> pi.act([[0.0, 0.0], [0.95, 0.0]])
    array([[0.1 , 0.  ],
           [0.05, 0.  ]])
    >>> force = LinearPolicy([[1.0, 0.0, 0.0, -1.0]], [0.0], low=[-0.5], high=[0.5])
    >>> force.act([[2.0, 0.0, 0.0, 0.1]])  # 4-D state, 1-D clipped action
    array([[0.5]])
    """

    gain: np.ndarray
    bias: np.ndarray
    dynamics: NavigationDynamics | None = None
    low: np.ndarray | None = None
    high: np.ndarray | None = None
    features: ProductFeatures | None = None
    radius: float | None = None

    def __post_init__(self) -> None:
        if self.radius is not None:
            object.__setattr__(self, "radius", as_positive(self.radius, "radius"))
        gain = as_finite_array(self.gain, "gain", ndim=2)
        m, d = gain.shape
        bias = as_finite_array(self.bias, "bias", ndim=1)
        if bias.shape != (m,):
            raise ValueError(f"bias: expected shape ({m},), got {bias.shape}")
        if self.features is not None:
            if not isinstance(self.features, ProductFeatures | MirrorFeatures):
                raise TypeError(
                    f"features: expected ProductFeatures or MirrorFeatures, got {self.features!r}"
                )
            if self.features.dim != d:
                raise ValueError(f"gain: expected {self.features.dim} columns (one per feature)")
        if self.dynamics is not None and (m, d) != (self.dynamics.n, self.dynamics.n):
            raise ValueError(
                f"dynamics: a system of dimension {self.dynamics.n} needs a square gain "
                f"({self.dynamics.n}, {self.dynamics.n}), got shape {gain.shape}"
            )
        for name in ("low", "high"):
            value = getattr(self, name)
            if value is not None:
                value = as_finite_array(value, name)
                if value.shape not in ((), (m,)):
                    raise ValueError(f"{name}: expected shape ({m},), got {value.shape}")
                value = np.broadcast_to(value, (m,)).copy()
                value.setflags(write=False)
                object.__setattr__(self, name, value)
        for arr in (gain, bias):
            arr.setflags(write=False)
        object.__setattr__(self, "gain", gain)
        object.__setattr__(self, "bias", bias)
        object.__setattr__(self, "dynamics", _check_dynamics(self.dynamics))

    @property
    def n(self) -> int:
        """Dimension of the observations."""
        return self.features.n if self.features is not None else int(self.gain.shape[1])

    @property
    def action_dim(self) -> int:
        """Dimension of the actions."""
        return int(self.gain.shape[0])

    @classmethod
    def from_params(
        cls,
        params,
        n: int,
        dynamics=None,
        *,
        action_dim=None,
        low=None,
        high=None,
        features=None,
        radius=None,
    ) -> "LinearPolicy":
        """The policy of the flat parameter vector ``(K.ravel(), b)``.

        Parameters
        ----------
        params : array-like, shape=[m * d + m]
        n : int
            Observation dimension (d = n, or ``features.dim``).
        dynamics : NavigationDynamics, optional
        action_dim : int, optional
            m (default n).
        low, high, features
            As in the constructor.
        """
        m = n if action_dim is None else action_dim
        d = n if features is None else features.dim
        params = as_finite_array(params, "params", ndim=1)
        if params.shape != (m * d + m,):
            raise ValueError(f"params: expected shape ({m * d + m},), got {params.shape}")
        return cls(params[: m * d].reshape(m, d), params[m * d :], dynamics, low, high, features)

    def as_params(self) -> np.ndarray:
        """The flat parameter vector ``(K.ravel(), b)``, shape (m d + m,)."""
        return np.concatenate([self.gain.ravel(), self.bias])

    def act(self, states) -> np.ndarray:
        """Actions ``clip(proj(K phi(s) + b))``, shape=[..., m]."""
        s = check_states(states, self.n)
        x = s if self.features is None else self.features(s)
        raw = x @ self.gain.T + gated_bias(self.features, s, self.bias)
        if self.dynamics is not None:
            raw = self.dynamics.project_action(raw)
        if self.radius is not None:
            raw = project_ball(raw, self.radius)
        if self.low is not None or self.high is not None:
            raw = np.clip(raw, self.low, self.high)
        return raw


@dataclass(frozen=True, eq=False)
class GoalSeekingPolicy(_CallAsCollector):
    r"""The hand-made controller :math:`a = \mathrm{proj}(k (g - s))`: straight at the goal.

    With the radial projection and ``k >= 1`` this is essentially the optimal policy of the
    navigation task (full speed towards the goal, exact arrival); the reference for trained
    policies.

    Parameters
    ----------
    goal : array-like, shape=[n]
    dynamics : NavigationDynamics
    gain : float, optional, default: 1.0
        The factor k.

    Examples
    --------
    >>> from liesym.envs import NavigationDynamics
    >>> GoalSeekingPolicy([1.0, 0.0], NavigationDynamics()).act([0.0, 0.0])
    array([0.1, 0. ])
    """

    goal: np.ndarray
    dynamics: NavigationDynamics
    gain: float = 1.0

    def __post_init__(self) -> None:
        dyn = _check_dynamics(self.dynamics)
        if dyn is None:
            raise ValueError("dynamics: expected a NavigationDynamics, got None")
        goal = as_finite_array(self.goal, "goal", ndim=1)
        if goal.shape != (dyn.n,):
            raise ValueError(f"goal: expected shape ({dyn.n},), got {goal.shape}")
        if not (np.isfinite(self.gain) and self.gain > 0):
            raise ValueError(f"gain: expected a positive number, got {self.gain!r}")
        goal.setflags(write=False)
        object.__setattr__(self, "goal", goal)
        object.__setattr__(self, "gain", float(self.gain))

    @property
    def n(self) -> int:
        """Dimension of states and actions."""
        return self.dynamics.n

    @property
    def action_dim(self) -> int:
        """Dimension of the actions (that of the states)."""
        return self.dynamics.n

    def act(self, states) -> np.ndarray:
        """Actions ``proj(k (g - s))``, shape=[..., n]."""
        s = check_states(states, self.n)
        return self.dynamics.project_action(self.gain * (self.goal - s))


class RandomPolicy(_CallAsCollector):
    """Actions uniform in the admissible action set (the floor of the normalised score).

    Not deterministic: each call draws fresh actions from ``rng``.

    Parameters
    ----------
    dynamics : NavigationDynamics
    rng : None, int or numpy.random.Generator, optional

    Examples
    --------
    >>> from liesym.envs import NavigationDynamics
    >>> a = RandomPolicy(NavigationDynamics(), rng=0).act(np.zeros((1000, 2)))
    >>> a.shape, bool(np.all(np.linalg.norm(a, axis=1) <= 0.1))
    ((1000, 2), True)
    """

    def __init__(self, dynamics: NavigationDynamics, *, rng=None):
        dyn = _check_dynamics(dynamics)
        if dyn is None:
            raise ValueError("dynamics: expected a NavigationDynamics, got None")
        self.dynamics = dyn
        self.rng = as_rng(rng)

    def __repr__(self) -> str:
        return f"RandomPolicy(n={self.n})"

    @property
    def n(self) -> int:
        """Dimension of states and actions."""
        return self.dynamics.n

    @property
    def action_dim(self) -> int:
        """Dimension of the actions (that of the states)."""
        return self.dynamics.n

    def act(self, states) -> np.ndarray:
        """Uniform actions in the admissible set, shape=[..., n]."""
        s = check_states(states, self.n)
        return self.dynamics.sample_actions(s.shape[:-1], self.rng)


class ZeroPolicy(_CallAsCollector):
    """The zero action (a floor that needs no training: doing nothing).

    Examples
    --------
    >>> ZeroPolicy(3, 2).act(np.ones((4, 3))).shape
    (4, 2)
    """

    def __init__(self, n: int, action_dim: int):
        self.n = as_count(n, "n")
        self.action_dim = as_count(action_dim, "action_dim")

    def __repr__(self) -> str:
        return f"ZeroPolicy(n={self.n}, action_dim={self.action_dim})"

    def act(self, states) -> np.ndarray:
        """Zeros, shape=[..., action_dim]."""
        s = check_states(states, self.n)
        return np.zeros((*s.shape[:-1], self.action_dim))


class BoxRandomPolicy(_CallAsCollector):
    """Actions uniform in an action Box (the floor of the normalised score on any env).

    Examples
    --------
    >>> a = BoxRandomPolicy(4, [-1.0, -2.0], [1.0, 2.0], rng=0).act(np.zeros((5, 4)))
    >>> a.shape, bool(np.all(np.abs(a) <= [1.0, 2.0]))
    ((5, 2), True)
    """

    def __init__(self, n: int, low, high, *, rng=None):
        self.n = as_count(n, "n")
        self.low = as_finite_array(low, "low", ndim=1)
        self.high = as_finite_array(high, "high", ndim=1)
        if self.low.shape != self.high.shape or np.any(self.low > self.high):
            raise ValueError("low, high: expected a bounded box with low <= high")
        self.action_dim = int(self.low.shape[0])
        self.rng = as_rng(rng)

    def __repr__(self) -> str:
        return f"BoxRandomPolicy(n={self.n}, action_dim={self.action_dim})"

    def act(self, states) -> np.ndarray:
        """Uniform actions in the box, shape=[..., m]."""
        s = check_states(states, self.n)
        return self.rng.uniform(self.low, self.high, size=(*s.shape[:-1], self.action_dim))
