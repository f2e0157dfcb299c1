"""Sphinx configuration of the liesym documentation.

Build (offline, warnings as errors), from the root of a checkout::

    pip install ".[docs]"
    python -m sphinx -W --keep-going -n -j auto -b html docs docs/_build/html

The API reference, the benchmark gallery and the notebook copies are generated at every
build by ``docs/_ext/liesym_docs.py``; the notebooks are executed during the build in the
small mode the tests use (``LIESYM_SMALL=1``). MathJax is served from the built site, so the
pages render math without network access.
"""

import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Document (and execute the notebooks against) this checkout, not an installed copy.
sys.path[:0] = [str(ROOT), str(DOCS / "_ext")]
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
)
# The notebooks read these: small sizes (as in tests/test_notebooks.py), and the checkout for
# the committed benchmark results. LIESYM_SMALL=0 in the environment builds the full notebooks.
os.environ.setdefault("LIESYM_SMALL", "1")
os.environ.setdefault("LIESYM_REPO", str(ROOT))
# Figures are rendered by the notebook kernels; no window may open.
os.environ.setdefault("MPLBACKEND", "Agg")

import liesym_docs  # noqa: E402
from numpydoc.xref import DEFAULT_LINKS  # noqa: E402

import liesym  # noqa: E402

project = "liesym"
author = "liesym developers"
copyright = "liesym developers"
release = version = liesym.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "myst_nb",
    "sphinx_design",
    "sphinxarg.ext",
    "liesym_docs",
]

templates_path = ["_templates"]
smartquotes_action = "qe"  # curly quotes, but "--option" must not become an en dash
exclude_patterns = ["_build", "**.ipynb_checkpoints", "jupyter_execute"]
html_static_path = ["_static"]
html_css_files = ["liesym.css"]

# ---------------------------------------------------------------- warnings are errors (-W)
# Cross-references to liesym's own names must resolve (nitpicky); references to other projects
# are ignored, since their inventories are only available offline where installed (below).
nitpicky = True
_LIESYM_NAMES = sorted(liesym_docs.canonical_names(), key=len, reverse=True)
nitpick_ignore_regex = [
    (
        r"py:.*",
        r"(?!(?:~?liesym(?:\..*)?|" + "|".join(map(re.escape, _LIESYM_NAMES)) + r")$).*",
    ),
]

# PHASE-B SUPPRESSIONS: warnings from docstrings in modules that other work is changing now.
# Each entry is (regex on the warning's location, regex on its message); a matching warning is
# not counted (the build log still lists it). The phase-B pass fixes these docstrings and
# empties the list; the build log names entries that no longer match anything.
liesym_suppressions = [
    # |x| read as a substitution: write absolute values as ``|x|`` or :math:`|x|`.
    (
        r"algebra/metrics\.py|api/liesym\.algebra\.rst",
        r'Undefined substitution.*"(cosine similarity|cos)"',
    ),
    (r"discovery/task_group\.py", r'Undefined substitution referenced: "sin t"'),
    (r"discovery/functional\.py", r"Inline substitution_reference start-string without end-string"),
    # ``dim_`` written without backquotes is an rST reference.
    (r"discovery/differential\.py", r'Unknown target name: "dim"'),
    # References to private or undocumented names: point them at the public ones.
    (r"discovery/dynamics\.py", r"liesym\.discovery\._constraints\.choose_dimension"),
    (r"discovery/functional\.py", r"liesym\.discovery\.surrogate|liesym\.discovery\._gradient\."),
    (r"transfer/evaluate\.py", r"reference target not found: CEMTrainer"),
]

# ---------------------------------------------------------------- API reference
autosummary_generate = True
autosummary_ignore_module_all = False
autosummary_imported_members = True
autodoc_typehints = "none"  # types are in the numpydoc sections; annotations name private paths
autodoc_member_order = "bysource"
autodoc_default_options = {"members": False}

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = True
# Only liesym's own names become links in parameter types; everything else stays text.
numpydoc_xref_ignore = "all"
numpydoc_xref_aliases = liesym_docs.canonical_names()

# ---------------------------------------------------------------- intersphinx, offline only
# An inventory is used only when a local copy exists (e.g. Debian's python3.11-doc,
# python-scipy-doc and python-sympy-doc packages); the build never touches the network.
_INVENTORIES = {
    "python": (
        "https://docs.python.org/3/",
        [
            "/usr/share/doc/python3.11/html/objects.inv",
            "/usr/share/doc/python3-doc/html/objects.inv",
        ],
    ),
    "scipy": (
        "https://docs.scipy.org/doc/scipy/",
        ["/usr/share/doc/python-scipy-doc/html/objects.inv"],
    ),
    "sympy": (
        "https://docs.sympy.org/latest/",
        ["/usr/share/doc/python-sympy-doc/html/objects.inv"],
    ),
}
intersphinx_mapping = {
    name: (url, path)
    for name, (url, candidates) in _INVENTORIES.items()
    for path in [next((p for p in candidates if Path(p).is_file()), None)]
    if path is not None
}

# numpydoc links some type words (bool, array-like, ...) to the Python and NumPy inventories;
# where an inventory is not available those words stay plain names (unresolved, not liesym's).
numpydoc_xref_aliases.update(
    {
        word: word
        for word, target in DEFAULT_LINKS.items()
        if re.match(r"(?::\w+:`(?:[^<`]*<)?)?(\w+)", target).group(1) not in intersphinx_mapping
    }
)

# ---------------------------------------------------------------- notebooks (myst-nb)
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
# Executed whenever a notebook page is read: when the notebook, the library or the committed
# benchmark results change (liesym_docs.stale_notebooks), in a temporary folder, so that
# nothing a notebook writes lands in the checkout.
nb_execution_mode = "force"
nb_execution_in_temp = True
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# ---------------------------------------------------------------- math, served locally
mathjax_path = "mathjax/tex-chtml.js"  # copied into _static/ by liesym_docs.copy_mathjax
mathjax3_config = {"tex": {"macros": {"R": r"\mathbb{R}"}}}

# ---------------------------------------------------------------- HTML
html_theme = "pydata_sphinx_theme"
html_title = f"liesym {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "auto"}  # an explicit mode: the theme logs an error without one
html_sidebars = {"index": []}
html_show_sourcelink = False
