"""Figures (the only subpackage that imports matplotlib).

Every function takes plain arrays or liesym records, draws on a given ``ax`` (or makes a new
figure) and returns the matplotlib ``Figure``; nothing is shown or saved implicitly.
"""

from liesym.viz.figures import (
    plot_convergence,
    plot_inference_error,
    plot_regret_curves,
    plot_singular_values,
    plot_vector_fields,
    save_figure,
)
from liesym.viz.pipeline import pipeline_figures

__all__ = [
    "pipeline_figures",
    "plot_convergence",
    "plot_inference_error",
    "plot_regret_curves",
    "plot_singular_values",
    "plot_vector_fields",
    "save_figure",
]
