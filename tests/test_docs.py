"""The documentation site builds offline with warnings as errors, is complete, and renders.

The site is built once per session, exactly as ``docs/conf.py`` documents it (``python -m sphinx
-W --keep-going -n -j auto -b html docs ...``: warnings are errors, cross-references to
liesym's own names must resolve, the notebooks are executed in their small mode). The build
and the checks on its HTML need the docs extra (``pip install ".[docs]"``) and are skipped
without it; the browser check also needs Debian's ``chromium`` and ``chromium-driver``
packages and is skipped, with the reason, where they are absent. The code blocks of the user
guide run without either.
"""

import ast
import html
import importlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

# The pages the browser opens (the entry page, the certificate guide and a notebook), and
# whether each must show figures.
BROWSER_PAGES = {
    "index.html": True,
    "user_guide/certificates.html": False,
    "notebooks/navigation_walkthrough.html": True,
}
CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


def _public_objects():
    """(full name, object) of every documented public name."""
    import liesym_docs

    for module_name in liesym_docs.public_modules():
        module = importlib.import_module(module_name)
        for name in liesym_docs.public_names(module_name):
            yield f"{module_name}.{name}", getattr(module, name)


def _is_page_object(obj) -> bool:
    """Classes and functions get a page of their own; constants are documented on the module's."""
    return isinstance(obj, type) or callable(obj)


def _is_alias(full: str, obj) -> bool:
    """A second public name of a class or function (``Old = New``): its page says "alias of"."""
    return isinstance(obj, type) and obj.__name__ != full.rsplit(".", 1)[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The HTML site, built from this checkout with the documented command.

    ``LIESYM_DOCS_HTML=docs/_build/html`` checks an already built site instead (while working
    on the docs: the build executes the notebooks and takes minutes).
    """
    pytest.importorskip("sphinx", reason='needs the docs extra: pip install ".[docs]"')
    pytest.importorskip("myst_nb", reason='needs the docs extra: pip install ".[docs]"')
    if os.environ.get("LIESYM_DOCS_HTML"):
        return Path(os.environ["LIESYM_DOCS_HTML"]).resolve()
    out = tmp_path_factory.mktemp("site")
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-j", "auto", "-b", "html"]
    cmd += ["-d", str(out / "doctrees"), str(DOCS), str(out / "html")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, build_failure_message(log)
    return out / "html"


# A Sphinx problem line: "<source>[:<line>]: WARNING|ERROR|CRITICAL: <message>", where the
# source is a page of docs/ or a liesym module (a docstring).
PROBLEM = re.compile(
    r"^(?P<source>\S[^:\n]*?)(?::[^:\n]*)*?: (?P<level>WARNING|ERROR|CRITICAL): (?P<msg>.*)$"
)
# An exception that aborts the build names the page being processed.
ABORT = re.compile(
    r"(?P<exc>\w+(?:\.\w+)*(?:Error|Exception)): (?P<source>/\S+\.(?:md|rst|ipynb|py))"
)


def _page(source: str) -> str:
    """A problem's page, relative to docs/ (or the checkout, for docstrings)."""
    path = Path(source)
    for base in (DOCS, ROOT):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return source


def build_failure_message(log: str, tail: int = 4000) -> str:
    """Which pages failed and why, first; then the end of the build log."""
    problems: dict[str, list[str]] = {}
    for line in log.splitlines():
        if (match := PROBLEM.match(line)) and not line.startswith("["):
            problems.setdefault(_page(match["source"]), []).append(
                f"{match['level']}: {match['msg'][:300]}"
            )
        for match in ABORT.finditer(line):
            problems.setdefault(_page(match["source"]), []).append(f"aborted: {match['exc']}")
    lines = ["docs build failed; pages with problems:"]
    for page, messages in sorted(problems.items()):
        lines.append(f"  {page}")
        lines.extend(f"      {m}" for m in dict.fromkeys(messages))
    if not problems:
        lines.append("  (none named in the log)")
    return "\n".join(lines) + f"\n\nend of the build log:\n{log[-tail:]}"


def test_build_failure_message_names_the_failing_pages():
    log = "\n".join(
        [
            "reading sources... [ 50%] user_guide/certificates",
            f"{DOCS}/user_guide/certificates.md: WARNING: Executing notebook failed: "
            "CellExecutionError [mystnb.exec]",
            f"{ROOT}/liesym/verify/_report.py:docstring of liesym.verify._report.verify:4: "
            "WARNING: py:mod reference target not found: liesym.verify._exact [ref.mod]",
            "[IPKernelApp] WARNING | Kernel is running over TCP without encryption.",
            "sphinx.errors.SphinxParallelError: myst_nb.core.execute.base.ExecutionError: "
            f"{DOCS}/notebooks/navigation_walkthrough.ipynb",
        ]
    )
    message = build_failure_message(log).split("end of the build log")[0]
    assert "  user_guide/certificates.md\n      WARNING: Executing notebook failed" in message
    assert "  liesym/verify/_report.py\n      WARNING: py:mod reference target" in message
    assert "  notebooks/navigation_walkthrough.ipynb\n      aborted: " in message
    assert "IPKernelApp" not in message


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.slow
def test_site_builds_with_warnings_as_errors_and_has_its_sections(site):
    sections = ("index", "user_guide/index", "notebooks/index", "gallery/index", "api/index")
    for page in (*sections, "cli"):
        assert (site / f"{page}.html").is_file(), page
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()


# Tags that make a browser fetch something, with the attribute naming it.
RESOURCE = re.compile(
    r"<(script|img|iframe|source)\b[^>]*?\bsrc=\"([^\"]*)\"|<link\b([^>]*)>", re.IGNORECASE
)
EXTERNAL = re.compile(r"^(https?:)?//", re.I)


@pytest.mark.slow
def test_pages_load_nothing_from_the_network(site):
    offenders = []
    for page in site.rglob("*.html"):
        for match in RESOURCE.finditer(page.read_text(encoding="utf-8")):
            if match.group(3) is not None:  # <link>: only stylesheets, preloads and icons load
                attrs = match.group(3)
                if not re.search(r"rel=\"[^\"]*(stylesheet|preload|icon)", attrs):
                    continue
                url = (re.search(r"href=\"([^\"]*)\"", attrs) or [None, ""])[1]
            else:
                url = match.group(2)
            if EXTERNAL.match(url):
                offenders.append(f"{page.relative_to(site)}: {match.group(0)[:120]}")
    assert not offenders, "\n".join(offenders)
    math_page = (site / "user_guide" / "mathematics.html").read_text(encoding="utf-8")
    assert 'src="../_static/mathjax/tex-chtml.js' in math_page, "MathJax must come with the site"


@pytest.mark.slow
def test_every_public_name_has_a_reference_page(site):
    missing = []
    for full, obj in _public_objects():
        module = full.rsplit(".", 1)[0]
        page = site / "api" / ("generated/" + full if _is_page_object(obj) else module)
        page = page.with_name(page.name + ".html")
        if not page.is_file() or f'id="{full}"' not in page.read_text(encoding="utf-8"):
            missing.append(f"{full} (expected in {page.relative_to(site)})")
    assert not missing, "\n".join(missing)


@pytest.mark.slow
def test_every_reference_page_shows_a_runnable_example(site):
    without = []
    for full, obj in _public_objects():
        if not _is_page_object(obj) or _is_alias(full, obj):
            continue  # an alias's page links to its target's, which has the example
        page = (site / "api" / "generated" / f"{full}.html").read_text(encoding="utf-8")
        if '<div class="doctest' not in page:
            without.append(full)
    assert not without, "reference pages without an Examples section:\n" + "\n".join(without)


@pytest.mark.slow
def test_notebook_pages_show_outputs_and_figures(site):
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for nb in notebooks:
        page = site / "notebooks" / f"{nb.stem}.html"
        soup = _soup(page)
        outputs = soup.find_all("div", class_="cell_output")
        assert outputs, f"{nb.name}: no cell outputs on its page"
        assert not soup.find_all(class_=re.compile(r"traceback|output_error|ipythontb")), nb.name
        images = [img for out in outputs for img in out.find_all("img")]
        assert images, f"{nb.name}: no figure on its page"
        for img in images:
            file = (page.parent / img["src"]).resolve()
            assert file.is_file() and file.stat().st_size > 0, f"{nb.name}: {img['src']}"


@pytest.mark.slow
def test_gallery_shows_every_committed_figure_with_its_script(site):
    page = site / "gallery" / "index.html"
    soup = _soup(page)
    shown = {Path(img["src"]).name: img for img in soup.find_all("img")}
    for figure in sorted((ROOT / "benchmarks" / "results").glob("*.png")):
        assert figure.name in shown, f"{figure.name} is not in the gallery"
        copy = (page.parent / shown[figure.name]["src"]).resolve()
        assert copy.read_bytes() == figure.read_bytes()
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        script_page = site / "gallery" / f"{script.stem}.html"
        # Entities unescaped: a first line may hold quotes, apostrophes, <, > or &.
        shown_source = html.unescape(script_page.read_text(encoding="utf-8"))
        assert script.read_text(encoding="utf-8").splitlines()[0] in shown_source, (
            f"{script.name}: source not shown"
        )
    linked = {a["href"].split("#")[0] for a in soup.find_all("a", href=True)}
    for fig in sorted((ROOT / "benchmarks" / "results").glob("*.png")):
        import liesym_docs

        script = liesym_docs._script_for(fig, sorted((ROOT / "benchmarks").glob("bench_*.py")))
        assert f"{script.stem}.html" in linked, f"{fig.name}: no link to {script.name}"


@pytest.mark.slow
def test_cli_reference_lists_every_subcommand_and_option(site):
    import argparse

    from liesym.cli import build_parser

    text = _soup(site / "cli.html").get_text()
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        assert f"liesym {name}" in text, name
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            for label in action.option_strings or [action.dest]:
                assert label in text, f"{name}: {label}"


def _guide_blocks():
    """``python`` code blocks of the hand-written pages (``{code-block}`` ones are not run)."""
    for page in sorted(DOCS.glob("**/*.md")):
        if "_build" in page.parts:
            continue
        blocks = re.finditer(r"^```python\n(.*?)^```", page.read_text(), re.S | re.M)
        for i, match in enumerate(blocks):
            yield pytest.param(match.group(1), id=f"{page.relative_to(DOCS)}-{i}")


@pytest.mark.slow
@pytest.mark.parametrize("code", list(_guide_blocks()))
def test_guide_code_blocks_run(code, tmp_path, monkeypatch):
    ast.parse(code)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "<guide>", "exec"), {"__name__": "__guide__"})


@pytest.mark.slow
def test_pages_render_in_headless_chromium(site):
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("no Chromium: install Debian's chromium and chromium-driver packages")
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs the docs extra (selenium)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="liesym-chromium-")
    # This machine's network is closed: no background requests, no QUIC, a fresh profile.
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,1600",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(60)
    try:
        for page, has_figures in BROWSER_PAGES.items():
            driver.get((site / page).as_uri())
            # MathJax typesets after load; wait for it (pages without MathJax resolve at once).
            driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "const wait = () => window.MathJax && MathJax.startup && MathJax.startup.promise"
                "  ? MathJax.startup.promise.then(() => done(true)) : done(false);"
                "document.readyState === 'complete' ? wait() : addEventListener('load', wait);"
            )
            state = driver.execute_script(
                "const maths = [...document.querySelectorAll('.math')];"
                "return {"
                " maths: maths.length,"
                " untypeset: maths.filter(m => !m.querySelector('mjx-container')).length,"
                " merrors: document.querySelectorAll('mjx-merror').length,"
                " images: [...document.images].map(i => [i.src, i.complete, i.naturalWidth]),"
                "};"
            )
            errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            assert not errors, f"{page}: console errors: {errors}"
            assert state["maths"] > 0, f"{page}: no math on the page"
            assert state["untypeset"] == 0, f"{page}: {state['untypeset']} formulas not typeset"
            assert state["merrors"] == 0, f"{page}: MathJax errors"
            assert state["images"] or not has_figures, f"{page}: no figure on the page"
            broken = [src for src, done, width in state["images"] if not done or width == 0]
            assert not broken, f"{page}: figures not loaded: {broken}"
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
