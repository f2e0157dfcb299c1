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

# Public names whose docstring has no Examples section yet. They live in modules other work is
# changing now; the phase-B docs pass adds their examples and empties this set. A name missing
# an example that is not listed here fails the test.
MISSING_EXAMPLES = frozenset(
    {
        "liesym.algebra.combine",
        "liesym.algebra.gl",
        "liesym.algebra.killing_form_of",
        "liesym.algebra.scaling",
        "liesym.algebra.structure_constants_of",
        "liesym.algebra.translations",
        "liesym.cli.register",
        "liesym.cli.build_parser",
        "liesym.cli.main",
        "liesym.data.InvariantDataset",
        "liesym.discovery.DiscoveryWarning",
        "liesym.discovery.KernelFrames",
        "liesym.discovery.TaskGroupResult",
        "liesym.envs.EllipseFamily",
        "liesym.envs.LineFamily",
        "liesym.envs.SphereFamily",
        "liesym.envs.SymmetryDefect",
        "liesym.envs.TaskFamily",
        "liesym.manifolds.RewardProfile",
        "liesym.pipeline.verify_discovered",
        "liesym.pipeline.exact_containment",
        "liesym.pipeline.StructureResult",
        "liesym.pipeline.assemble_structure",
        "liesym.pipeline.certified_group_inputs",
        "liesym.pipeline.goal_angle_error",
        "liesym.pipeline.DemoResult",
        "liesym.pipeline.run_demo",
        "liesym.pipeline.write_demo_figures",
        "liesym.policies.CEMResult",
        "liesym.policies.Policy",
        "liesym.policies.Rollouts",
        "liesym.policies.TrainingResult",
        "liesym.policies.rollout_noise",
        "liesym.policies.simulate",
        "liesym.transfer.ContextEncoder",
        "liesym.transfer.CurveBand",
        "liesym.transfer.RegretCurve",
        "liesym.transfer.check_element",
        "liesym.transfer.encoder_loss",
        "liesym.transfer.evaluate_transfer",
        "liesym.verify.ClosureCertificate",
        "liesym.verify.CompactnessCertificate",
        "liesym.verify.ConnectednessCertificate",
        "liesym.verify.ExactBasis",
        "liesym.verify.FixedPoint",
        "liesym.verify.Identification",
        "liesym.verify.InvariantForm",
        "liesym.verify.VerificationReport",
        "liesym.viz.save_figure",
    }
)

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
    assert proc.returncode == 0, "docs build failed:\n" + log[-6000:]
    return out / "html"


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
    without, stale = [], []
    for full, obj in _public_objects():
        if not _is_page_object(obj):
            continue
        page = (site / "api" / "generated" / f"{full}.html").read_text(encoding="utf-8")
        has_example = '<div class="doctest' in page
        if not has_example and full not in MISSING_EXAMPLES:
            without.append(full)
        if has_example and full in MISSING_EXAMPLES:
            stale.append(full)
    assert not without, "reference pages without an Examples section:\n" + "\n".join(without)
    if stale:
        print("MISSING_EXAMPLES entries that now have an example:", ", ".join(stale))


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
        assert script.read_text(encoding="utf-8").splitlines()[0] in script_page.read_text(
            encoding="utf-8"
        ).replace("&quot;", '"'), f"{script.name}: source not shown"
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
