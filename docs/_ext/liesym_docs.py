"""Pages that follow the code: the API reference, the benchmark gallery and the notebooks.

Everything here is regenerated at the start of every build (``config-inited``) from the
checkout, so a new public name, a new benchmark figure or a new notebook appears without
editing the docs. Files are rewritten only when their content changes, so that Sphinx's
incremental build (and myst-nb's execution cache) see unchanged sources as unchanged.

- ``api/``: one page per public module (every subpackage of ``liesym`` and every top-level
  module whose name has no leading underscore) listing the names of its ``__all__`` (or, for
  a module without ``__all__``, the functions and classes it defines); autosummary then writes
  one page per name into ``api/generated/``.
- ``gallery/``: every figure in ``benchmarks/results/*.png`` with the script that makes it
  (the ``bench_NAME.py`` whose NAME is the longest prefix of the figure's name), and one page
  per script with its description, command and source.
- ``notebooks/``: copies of ``notebooks/*.ipynb`` (committed without outputs); myst-nb executes
  them during the build.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import pkgutil
import shutil
from pathlib import Path

from sphinx.util import logging as sphinx_logging

ROOT = Path(__file__).resolve().parents[2]
_LOG = sphinx_logging.getLogger(__name__)
PACKAGE = "liesym"

# Captions of the committed figures; a figure not listed here gets a caption made from its name.
CAPTIONS = {
    "navigation_scores": (
        "Normalised score against the distance from the nearest training task: hereditary "
        "transfer stays at 1 across the task space, the baselines decay."
    ),
    "navigation_inference": (
        "Test-time inference: error of the inferred task (goal angle) against the number k of "
        "transitions of the unseen task, per family."
    ),
    "diff_vs_func_sample_efficiency": (
        "Differential against functional discovery: distance to so(2) against the number of "
        "samples N, on identical data."
    ),
    "diff_vs_func_robustness": (
        "Differential against functional discovery: distance to so(2) against the value noise."
    ),
    "scaling": (
        "Closed-form discovery of so(n) (up to 45 generators): accuracy and wall time against "
        "the dimension n and the sample size N."
    ),
}


# --------------------------------------------------------------------------- public names


def public_modules(package: str = PACKAGE) -> list[str]:
    """The documented modules: subpackages and top-level modules without a leading ``_``."""
    pkg = importlib.import_module(package)
    return sorted(
        info.name
        for info in pkgutil.iter_modules(pkg.__path__, package + ".")
        if not info.name.rsplit(".", 1)[1].startswith("_")
    )


def public_names(module_name: str) -> list[str]:
    """``__all__``, or the public functions and classes the module defines."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is not None:
        return [n for n in names if not n.startswith("_")]
    return [
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and getattr(obj, "__module__", None) == module_name
    ] + _documented_data(module)


def _documented_data(module) -> list[str]:
    """Module-level names carrying a ``#:`` doc comment (for modules without ``__all__``)."""
    from sphinx.pycode import ModuleAnalyzer

    docs = ModuleAnalyzer.for_module(module.__name__).find_attr_docs()
    return [name for (scope, name) in docs if scope == "" and not name.startswith("_")]


def canonical_names() -> dict[str, str]:
    """Short name -> documented full name, for every public name of every public module."""
    table: dict[str, str] = {}
    for module in public_modules():
        for name in public_names(module):
            table.setdefault(name, f"{module}.{name}")
    return table


def _kind(obj) -> str:
    if inspect.isclass(obj):
        return "exceptions" if issubclass(obj, BaseException) else "classes"
    if callable(obj):
        return "functions"
    return "data"


def _summary(module_name: str) -> str:
    doc = inspect.getdoc(importlib.import_module(module_name)) or ""
    return doc.strip().split("\n\n", 1)[0].replace("\n", " ")


# --------------------------------------------------------------------------- writers


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _title(text: str, char: str = "=") -> str:
    return f"{text}\n{char * len(text)}\n"


def _prune(folder: Path, keep: set[str], pattern: str) -> None:
    """Remove generated files that no longer correspond to anything in the checkout."""
    for path in folder.glob(pattern):
        if path.name not in keep:
            path.unlink()


SECTIONS = (
    ("classes", "Classes"),
    ("functions", "Functions"),
    ("exceptions", "Exceptions and warnings"),
)


def write_api(srcdir: Path) -> None:
    """``api/index.rst`` and one page per public module."""
    out = srcdir / "api"
    modules = public_modules()
    shortcuts = importlib.import_module(PACKAGE).__all__
    table = canonical_names()
    lines = [
        ".. This file is generated by docs/_ext/liesym_docs.py at every build; do not edit.\n",
        _title("API reference"),
        f".. automodule:: {PACKAGE}\n   :no-members:\n",
        "The top-level package re-exports "
        + ", ".join(f":obj:`~{table[n]}`" for n in shortcuts if n in table)
        + ". Every public name is documented once, in the module that exports it; each page "
        "shows its runnable examples (the test suite runs them as doctests).\n",
        ".. list-table::\n   :widths: 25 75\n",
    ]
    for module in modules:
        lines.append(f"   * - :mod:`{module}`\n     - {_summary(module)}")
    lines.append("\n.. toctree::\n   :hidden:\n")
    lines.extend(f"   {module}" for module in modules)
    _write(out / "index.rst", "\n".join(lines) + "\n")
    for module in modules:
        _write(out / f"{module}.rst", _module_page(module))
    _prune(out, {"index.rst", *(f"{m}.rst" for m in modules)}, "*.rst")
    # autosummary writes api/generated/NAME.rst but never removes the page of a removed name.
    names = {f"{m}.{n}.rst" for m in modules for n in public_names(m)}
    if (out / "generated").is_dir():
        _prune(out / "generated", names, "*.rst")


def _module_page(module_name: str) -> str:
    module = importlib.import_module(module_name)
    groups: dict[str, list[str]] = {"classes": [], "functions": [], "exceptions": [], "data": []}
    for name in public_names(module_name):
        groups[_kind(getattr(module, name))].append(name)
    parts = [
        ".. This file is generated by docs/_ext/liesym_docs.py at every build; do not edit.\n",
        _title(module_name),
        f".. automodule:: {module_name}\n   :no-members:\n",
        f".. currentmodule:: {module_name}\n",
    ]
    for key, heading in SECTIONS:
        if groups[key]:
            parts.append(_title(heading, "-"))
            parts.append(".. autosummary::\n   :toctree: generated\n   :nosignatures:\n")
            parts.append("\n".join(f"   {name}" for name in groups[key]) + "\n")
    if groups["data"]:
        parts.append(_title("Constants", "-"))
        parts.extend(f".. autodata:: {name}\n   :no-value:\n" for name in groups["data"])
    return "\n".join(parts)


def copy_notebooks(srcdir: Path) -> list[str]:
    """Copy ``notebooks/*.ipynb`` next to the notebook index; returns their stems."""
    out = srcdir / "notebooks"
    sources = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in sources:
        _write(out / path.name, path.read_text(encoding="utf-8"))
    _prune(out, {p.name for p in sources}, "*.ipynb")
    return [p.stem for p in sources]


def _script_for(figure: Path, scripts: list[Path]) -> Path | None:
    """The script ``bench_NAME.py`` whose NAME is the longest prefix of the figure's name."""
    matches = [s for s in scripts if figure.stem.startswith(s.stem.removeprefix("bench_"))]
    return max(matches, key=lambda s: len(s.stem), default=None)


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


def write_gallery(srcdir: Path) -> None:
    """``gallery/index.rst`` (every committed figure) and one page per benchmark script."""
    out = srcdir / "gallery"
    scripts = sorted((ROOT / "benchmarks").glob("bench_*.py"))
    figures = sorted((ROOT / "benchmarks" / "results").glob("*.png"))
    lines = [
        ".. This file is generated by docs/_ext/liesym_docs.py at every build; do not edit.\n",
        _title("Benchmark gallery"),
        "Every figure committed in ``benchmarks/results/``, with the script that makes it. The "
        "numbers behind them are in the JSON files beside the figures and in the README's "
        "results tables; every script has a ``--quick`` mode that the test suite runs. How to "
        "re-run them (and on a cluster) is in :doc:`../user_guide/cluster`.\n",
        ".. grid:: 1\n   :gutter: 3\n",
    ]
    for fig in figures:
        script = _script_for(fig, scripts)
        caption = CAPTIONS.get(fig.stem, fig.stem.replace("_", " ").capitalize() + ".")
        made_by = f":doc:`{script.name} <{script.stem}>`" if script else "no script found"
        rel = Path("..", "..", "benchmarks", "results", fig.name).as_posix()
        lines.append(
            f"   .. grid-item-card::\n\n"
            f"      .. image:: {rel}\n"
            f"         :alt: {caption}\n\n"
            f"      {caption}\n\n"
            f"      ``{fig.name}``, made by {made_by}.\n"
        )
    lines.append(_title("Scripts", "-"))
    lines.append(".. toctree::\n   :maxdepth: 1\n")
    lines.extend(f"   {s.stem}" for s in scripts)
    _write(out / "index.rst", "\n".join(lines) + "\n")
    for script in scripts:
        made = [f for f in figures if _script_for(f, scripts) == script]
        _write(out / f"{script.stem}.rst", _script_page(script, made))
    _prune(out, {"index.rst", *(f"{s.stem}.rst" for s in scripts)}, "*.rst")


def _script_page(script: Path, figures: list[Path]) -> str:
    rel = Path("..", "..", "benchmarks", script.name).as_posix()
    doc = _docstring(script)
    parts = [
        ".. This file is generated by docs/_ext/liesym_docs.py at every build; do not edit.\n",
        _title(script.name),
        "Run from the root of a checkout (``--quick``: a small grid in about a minute, "
        "written to ``benchmarks/results/quick/``):\n",
        ".. code-block:: bash\n",
        f"   python benchmarks/{script.name}\n   python benchmarks/{script.name} --quick\n"
        f"   liesym bench {script.stem.removeprefix('bench_')}\n",
    ]
    if doc:
        # The script's own description, verbatim (it is not API documentation).
        parts.append(_title("What it measures", "-"))
        parts.append(".. code-block:: text\n")
        parts.append("\n".join(f"   {line}".rstrip() for line in doc.splitlines()) + "\n")
    if figures:
        parts.append(_title("Figures", "-"))
        for fig in figures:
            figrel = Path("..", "..", "benchmarks", "results", fig.name).as_posix()
            caption = CAPTIONS.get(fig.stem, fig.stem.replace("_", " ").capitalize() + ".")
            parts.append(f".. figure:: {figrel}\n   :alt: {caption}\n\n   {caption}\n")
    parts.append(_title("Source", "-"))
    parts.append(f".. literalinclude:: {rel}\n   :language: python\n")
    return "\n".join(parts)


# --------------------------------------------------------------------------- Sphinx hooks


def generate(app, config) -> None:
    """Regenerate the API, gallery and notebook pages from the checkout."""
    srcdir = Path(app.srcdir)
    write_api(srcdir)
    copy_notebooks(srcdir)
    write_gallery(srcdir)


def stale_notebooks(app, env, added, changed, removed) -> list[str]:
    """Notebook pages to re-read (and so re-execute) because the code they run changed.

    A notebook page depends on the library and on the committed benchmark results it reads,
    not only on its own source, which is all Sphinx tracks.
    """
    sources = [*ROOT.glob(f"{PACKAGE}/**/*.py"), *ROOT.glob("benchmarks/results/*.json")]
    newest = max((p.stat().st_mtime_ns // 1000 for p in sources), default=0)
    return [
        doc
        for doc, read_at in env.all_docs.items()
        if doc.startswith("notebooks/") and doc != "notebooks/index" and read_at < newest
    ]


def mathjax_dir() -> Path:
    """The MathJax 3 files shipped by the ``sphinx-mathjax-offline`` package (docs extra)."""
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        from sphinx.errors import ConfigError

        raise ConfigError(
            "MathJax is served from the built site and comes from the package "
            "sphinx-mathjax-offline: install the docs extra (pip install '.[docs]')"
        )
    return Path(spec.origin).parent / "static"


def copy_mathjax(app, exception) -> None:
    """Serve MathJax from ``_static/mathjax`` of the built site (no network at view time)."""
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir) / "_static" / "mathjax"
        if not (target / "tex-chtml.js").exists():
            shutil.copytree(mathjax_dir() / "mathjax", target, dirs_exist_ok=True)


class _Suppressor:
    """Drops warnings matching ``liesym_suppressions`` before Sphinx counts them.

    Each entry is ``(location regex, message regex)``, searched in the warning's location
    (e.g. ``liesym/algebra/metrics.py:docstring of liesym.algebra.metrics.matched_cosine``)
    and message. Every dropped warning is still listed, as an info line, and an entry that
    matched nothing during a full build is reported as stale.
    """

    def __init__(self, app):
        from sphinx.util.logging import WarningLogRecordTranslator

        self.app = app
        self.translate = WarningLogRecordTranslator(app)
        self.hits: dict[int, int] = {}

    def filter(self, record) -> bool:
        import copy
        import re

        entries = getattr(self.app.config, "liesym_suppressions", ())
        if not entries:
            return True
        probe = copy.copy(record)
        self.translate.filter(probe)
        location, message = str(getattr(probe, "location", "") or ""), probe.getMessage()
        for i, (where, what) in enumerate(entries):
            if re.search(where, location) and re.search(what, message):
                self.hits[i] = self.hits.get(i, 0) + 1
                text = message if message.startswith(location) else f"{location}: {message}"
                _LOG.info("suppressed (liesym_suppressions[%d]): %s", i, text)
                return False
        return True

    def report(self, app, exception) -> None:
        entries = app.config.liesym_suppressions
        if exception is None and entries:
            total = sum(self.hits.values())
            _LOG.info("liesym_suppressions: %d warnings suppressed (phase B fixes them)", total)
            for i, entry in enumerate(entries):
                if i not in self.hits:
                    # Stale once its docstring is fixed (or not re-read by an incremental build).
                    _LOG.info("liesym_suppressions[%d] matched nothing in this build: %r", i, entry)


def setup(app):
    """Register the page generators, the MathJax copy and the phase-B warning filter."""
    import logging

    from sphinx.util.logging import NAMESPACE, WarningStreamHandler

    app.add_config_value("liesym_suppressions", [], "env", types=(list, tuple))
    suppressor = _Suppressor(app)
    for handler in logging.getLogger(NAMESPACE).handlers:
        if isinstance(handler, WarningStreamHandler):
            handler.filters.insert(0, suppressor)  # before Sphinx counts the warning
    app.connect("config-inited", generate)
    app.connect("env-get-outdated", stale_notebooks)
    app.connect("build-finished", copy_mathjax)
    app.connect("build-finished", suppressor.report)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
