"""A small NumPy Adam and seeded minibatch sampling, shared by the gradient-based learners.

The differential (projection-loss) and functional learners use this one optimiser and
this one sampler, so that a comparison between them differs only in the loss.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from liesym._core import as_rng


@dataclass(frozen=True)
class AdamState:
    """Moment estimates of Adam after ``step`` updates.

    Attributes
    ----------
    m, v : ndarray
        Exponential moving averages of the gradient and of its square (parameter shape).
    step : int
        Number of updates taken.
    """

    m: np.ndarray
    v: np.ndarray
    step: int


class Adam:
    """Adam (Kingma and Ba, 2015) on a NumPy array, with PyTorch's defaults.

    Parameters
    ----------
    lr : float, optional, default: 1e-3
        Step size.
    betas : tuple of float, optional, default: (0.9, 0.999)
        Decay rates of the first and second moment estimates.
    eps : float, optional, default: 1e-8
        Added to the square root of the second moment (as in ``torch.optim.Adam``).

    Attributes
    ----------
    state : AdamState or None
        The moments after the last :meth:`step`; None before the first.

    Examples
    --------
    Minimise ``|x - 3|^2``:

    >>> opt = Adam(lr=0.1)
    >>> x = np.zeros(2)
    >>> for _ in range(300):
    ...     x = opt.step(x, 2 * (x - 3.0))
    >>> np.round(x, 2)
    array([3., 3.])
    """

    def __init__(self, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps=1e-8):
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"lr: expected a positive finite step size, got {lr}")
        b1, b2 = betas
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise ValueError(f"betas: expected two numbers in [0, 1), got {betas}")
        if not eps > 0:
            raise ValueError(f"eps: expected a positive number, got {eps}")
        self.lr = float(lr)
        self.betas = (float(b1), float(b2))
        self.eps = float(eps)
        self.state: AdamState | None = None

    def step(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """One Adam update; returns the new parameters (``params`` is not modified).

        Parameters
        ----------
        params, grad : ndarray
            Same shape; the shape must stay the same between calls.

        Returns
        -------
        ndarray
        """
        b1, b2 = self.betas
        if self.state is None:
            self.state = AdamState(np.zeros_like(params), np.zeros_like(params), 0)
        elif self.state.m.shape != np.shape(grad):
            raise ValueError(f"grad: expected shape {self.state.m.shape}, got {np.shape(grad)}")
        t = self.state.step + 1
        m = b1 * self.state.m + (1 - b1) * grad
        v = b2 * self.state.v + (1 - b2) * grad * grad
        self.state = AdamState(m, v, t)
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        return params - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def minibatches(n_items: int, batch_size: int, n_steps: int, rng=None) -> Iterator[np.ndarray]:
    """Yield ``n_steps`` index arrays of ``min(batch_size, n_items)`` distinct items each.

    Each batch is drawn uniformly without replacement, independently of the others (the
    prototype's sampling), from ``rng``.

    Parameters
    ----------
    n_items, batch_size, n_steps : int
    rng : None, int or numpy.random.Generator

    Yields
    ------
    ndarray of int, shape=[min(batch_size, n_items)]

    Examples
    --------
    >>> sorted(next(minibatches(5, 5, 1, rng=0)).tolist())
    [0, 1, 2, 3, 4]
    """
    rng = as_rng(rng)
    size = min(int(batch_size), int(n_items))
    for _ in range(int(n_steps)):
        yield rng.choice(n_items, size=size, replace=False)


def check_optimiser_args(*, lr, n_steps, batch_size, dim) -> tuple[float, int, int, int]:
    """Validate the shared optimiser settings; returns them as (float, int, int, int)."""
    if not (isinstance(dim, int | np.integer) and dim >= 1):
        raise ValueError(f"dim: expected an integer >= 1, got {dim!r}")
    if not (isinstance(n_steps, int | np.integer) and n_steps >= 0):
        raise ValueError(f"n_steps: expected an integer >= 0, got {n_steps!r}")
    if not (isinstance(batch_size, int | np.integer) and batch_size >= 1):
        raise ValueError(f"batch_size: expected an integer >= 1, got {batch_size!r}")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr: expected a positive finite step size, got {lr!r}")
    return float(lr), int(n_steps), int(batch_size), int(dim)
