"""Matplotlib figures of generators, spectra, learning curves and regret."""

from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)  # headless by default; an interactive backend set earlier wins

import matplotlib.pyplot as plt
import numpy as np

from liesym.algebra import LieAlgebra


def _axes(ax, ncols: int = 1, size=(4.0, 4.0)):
    if ax is not None:
        axes = np.atleast_1d(ax)
        return axes[0].figure, list(axes)
    fig, axes = plt.subplots(1, ncols, figsize=(size[0] * ncols, size[1]), squeeze=False)
    return fig, list(axes[0])


def plot_vector_fields(
    algebra,
    *,
    lim: float = 2.0,
    density: int = 15,
    points=None,
    markers=None,
    ax=None,
    titles=None,
):
    """Quiver plot of the vector field ``x -> W x`` of each generator of a planar algebra.

    Parameters
    ----------
    algebra : LieAlgebra or array-like, shape=[k, 2, 2] or [k, 3, 3] (affine)
        Linear generators of R^2, or affine ones in homogeneous coordinates.
    lim : float, optional, default: 2.0
        Half-width of the square window.
    density : int, optional, default: 15
        Arrows per axis.
    points : array-like, shape=[N, 2], optional
        Data points drawn underneath (e.g. the samples the generators came from).
    markers : dict of str to array-like of shape (2,), optional
        Labelled points to mark (e.g. ``{"true goal": g0, "fixed point": c}``).
    ax : matplotlib Axes or sequence of Axes, optional
    titles : sequence of str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from liesym.algebra import rotation_about
    >>> fig = plot_vector_fields(rotation_about([0.5, 0.0]), markers={"c": [0.5, 0.0]})
    >>> len(fig.axes)
    1
    """
    if isinstance(algebra, LieAlgebra):
        gens, affine = algebra.basis, algebra.affine
    else:
        gens = np.asarray(algebra, dtype=float)
        gens = gens[None] if gens.ndim == 2 else gens
        affine = gens.shape[-1] == 3
    if gens.shape[-1] != (3 if affine else 2):
        raise ValueError(f"algebra: expected planar generators, got shape {gens.shape}")
    fig, axes = _axes(ax, len(gens))
    grid = np.linspace(-lim, lim, density)
    xx, yy = np.meshgrid(grid, grid)
    pts = np.stack([xx.ravel(), yy.ravel()], axis=1)
    homo = np.concatenate([pts, np.ones((len(pts), 1))], axis=1) if affine else pts
    for i, (w, a) in enumerate(zip(gens, axes, strict=False)):
        v = homo @ w.T
        if points is not None:
            p = np.asarray(points, dtype=float)
            a.scatter(p[:, 0], p[:, 1], s=2, c="0.8", zorder=0)
        a.quiver(pts[:, 0], pts[:, 1], v[:, 0], v[:, 1], angles="xy", color="tab:blue")
        for label, xy in (markers or {}).items():
            a.plot(*np.asarray(xy, dtype=float), "o", ms=8, label=label)
        if markers:
            a.legend(loc="upper right", fontsize=8)
        a.set_aspect("equal")
        a.set_xlim(-lim, lim)
        a.set_ylim(-lim, lim)
        a.set_title(titles[i] if titles else f"generator {i}")
    return fig


def plot_singular_values(singular_values, dim=None, *, ax=None, title="constraint spectrum"):
    """Semilog plot of a discovery spectrum (ascending), with the chosen dimension marked.

    Examples
    --------
    >>> fig = plot_singular_values([1e-9, 0.5, 0.7, 1.0], dim=1)
    """
    s = np.sort(np.asarray(singular_values, dtype=float))
    fig, (a,) = _axes(ax, 1, (5.0, 3.5))
    a.semilogy(np.arange(1, len(s) + 1), np.maximum(s, 1e-300), "o-")
    if dim:
        a.axvline(dim + 0.5, color="tab:red", ls="--", label=f"chosen dimension {dim}")
        a.legend()
    a.set_xlabel("index (ascending)")
    a.set_ylabel("singular value")
    a.set_title(title)
    return fig


def plot_convergence(
    histories: Mapping[str, list], *, key: str = "angle", tol=None, ax=None, title=None
):
    """Median and min-max band of a per-step history over seeds, one curve per method.

    Parameters
    ----------
    histories : mapping of str to list of array-like
        Method name to one 1-D array (history of ``key``) per seed.
    key : str
        Axis label of the recorded quantity.
    tol : float, optional
        Horizontal line at a tolerance.

    Examples
    --------
    >>> fig = plot_convergence({"a": [np.linspace(1, 0.01, 50)] * 3}, tol=0.05)
    """
    fig, (a,) = _axes(ax, 1, (6.0, 4.0))
    for name, runs in histories.items():
        length = min(len(r) for r in runs)
        arr = np.stack([np.asarray(r, dtype=float)[:length] for r in runs])
        steps = np.arange(1, length + 1)
        a.plot(steps, np.median(arr, axis=0), label=f"{name} (median of {len(arr)})")
        a.fill_between(steps, arr.min(axis=0), arr.max(axis=0), alpha=0.2)
    if tol is not None:
        a.axhline(tol, color="k", ls=":", label=f"tolerance {tol}")
    a.set_xscale("log")
    a.set_yscale("log")
    a.set_xlabel("optimiser step")
    a.set_ylabel(key)
    a.legend(fontsize=8)
    if title:
        a.set_title(title)
    return fig


def plot_regret_curves(
    curves: Mapping[str, Mapping[str, np.ndarray]],
    *,
    ylabel="normalised score",
    ax=None,
    title=None,
):
    """Score (or regret) against distance from the nearest training task, one curve per method.

    Parameters
    ----------
    curves : mapping of str to mapping
        Method name to ``{"distance": (m,), "mean": (m,), "low": (m,), "high": (m,)}``
        (``low``/``high`` optional: a confidence band).

    Examples
    --------
    >>> d = np.linspace(0, np.pi, 5)
    >>> fig = plot_regret_curves({"ours": {"distance": d, "mean": np.ones(5)}})
    """
    fig, (a,) = _axes(ax, 1, (6.0, 4.0))
    for name, c in curves.items():
        d = np.asarray(c["distance"], dtype=float)
        mean = np.asarray(c["mean"], dtype=float)
        # Several tasks share a distance (one on each side of a training task): markers with
        # error bars, not a line that would zigzag between them.
        err = None
        if "low" in c and "high" in c:
            err = np.stack([mean - np.asarray(c["low"]), np.asarray(c["high"]) - mean])
            err = np.where(np.isfinite(err), np.maximum(err, 0.0), 0.0)
        a.errorbar(d, mean, yerr=err, fmt="o", ms=4, capsize=2, alpha=0.85, label=name)
    a.set_xlabel("distance to nearest training task (rad)")
    a.set_ylabel(ylabel)
    a.legend(fontsize=8)
    if title:
        a.set_title(title)
    return fig


def plot_inference_error(k, errors: Mapping[str, np.ndarray], *, ax=None, title=None):
    """Inference error (e.g. angle, radians) against the number k of test transitions.

    Parameters
    ----------
    k : array-like, shape=[m]
    errors : mapping of str to array-like, shape=[m, seeds]

    Examples
    --------
    >>> fig = plot_inference_error([1, 5, 10], {"circle": np.full((3, 4), 1e-3)})
    """
    k = np.asarray(k, dtype=float)
    fig, (a,) = _axes(ax, 1, (5.0, 3.5))
    for name, e in errors.items():
        e = np.atleast_2d(np.asarray(e, dtype=float))
        a.loglog(k, np.median(e, axis=1), "o-", label=name)
        a.fill_between(k, e.min(axis=1), e.max(axis=1), alpha=0.2)
    a.set_xlabel("test transitions k")
    a.set_ylabel("error")
    a.legend(fontsize=8)
    if title:
        a.set_title(title)
    return fig


def save_figure(fig, path, *, dpi: int = 120) -> Path:
    """Save ``fig`` to ``path`` (folders created) and close it; returns the path.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> path = save_figure(fig, Path(tempfile.mkdtemp()) / "plots" / "line.png")
    >>> path.name, path.stat().st_size > 0, plt.fignum_exists(fig.number)
    ('line.png', True, False)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return path
