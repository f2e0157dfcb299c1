"""Figures of a whole pipeline run (:func:`liesym.pipeline.run_pipeline`)."""

from pathlib import Path

import numpy as np

from liesym.viz.figures import (
    plot_inference_error,
    plot_regret_curves,
    plot_vector_fields,
    save_figure,
)


def pipeline_figures(result, family, out_dir) -> dict:
    """Write the figures of a pipeline run to ``out_dir``; returns ``{name: path}``.

    Vector fields of the discovered generators (2-D navigation), score against distance per
    method, relative regret per test task, and inference error against k when measured.

    Parameters
    ----------
    result : PipelineResult
    family : GymnasiumFamily
    out_dir : path

    Returns
    -------
    dict of str to Path
    """
    out = Path(out_dir)
    figs = {}
    s = result.structure
    if s is not None and getattr(family, "n", None) == 2:
        markers = {"true base goal": family.base_goal}
        if s.base_fixed_point is not None:
            markers["discovered centre"] = s.base_fixed_point
        fig = plot_vector_fields(
            s.base_symmetry, markers=markers, titles=["discovered base-task symmetry"]
        )
        figs["base_symmetry"] = save_figure(fig, out / "base_symmetry.png")
        fig = plot_vector_fields(
            s.task_group.algebra_,
            markers={f"train {i}": g for i, g in enumerate(s.train_goals)},
            titles=["discovered task-group generator"],
        )
        figs["task_algebra"] = save_figure(fig, out / "task_algebra.png")
    curve = result.curve
    methods = [m for m in curve.methods if m not in ("oracle", "random")]
    x = curve.distance if np.all(np.isfinite(curve.distance)) else np.arange(len(curve.distance))
    curves = {}
    for method in methods:
        band = curve.band(method, "score")
        curves[method] = {"distance": x, "mean": band.mean, "low": band.lower, "high": band.upper}
    title = f"{family.name}: transfer to {len(x)} tasks"
    fig = plot_regret_curves(curves, title=title)
    figs["scores"] = save_figure(fig, out / "score_vs_distance.png")
    regret = {m: {"distance": x, "mean": curve.band(m, "relative_regret").mean} for m in methods}
    fig = plot_regret_curves(
        regret, ylabel="relative regret (R_oracle - R)/|R_oracle|", title=title
    )
    figs["relative_regret"] = save_figure(fig, out / "relative_regret.png")
    if result.inference_errors is not None and len(result.inference_k) > 1:
        fig = plot_inference_error(
            result.inference_k,
            {family.name: np.maximum(result.inference_errors, 1e-16)},
            title="test-time inference",
        )
        figs["inference"] = save_figure(fig, out / "inference_error.png")
    return figs
