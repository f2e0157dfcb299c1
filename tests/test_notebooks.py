"""Every notebook under notebooks/ runs top to bottom without a cell error.

Each notebook is executed in a temporary copy (so nothing it writes lands in the repository)
with ``LIESYM_SMALL=1`` in the kernel's environment: notebooks read it to shrink their sizes
(sample counts, seeds, grids) for the test run.
"""

import shutil
from pathlib import Path

import nbclient
import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
TIMEOUT = 300  # seconds per cell; every notebook is meant to finish in about a minute


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_without_errors(path, tmp_path, monkeypatch):
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    nb = nbformat.read(copy, as_version=4)
    monkeypatch.setenv("LIESYM_SMALL", "1")
    # The checkout, for notebooks that read committed benchmark results.
    monkeypatch.setenv("LIESYM_REPO", str(Path(__file__).resolve().parents[1]))
    client = nbclient.NotebookClient(
        nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors
