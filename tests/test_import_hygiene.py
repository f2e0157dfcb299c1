"""Importing liesym (or its light subpackages) must not load the heavy optional stacks."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ["sympy", "geomstats", "matplotlib", "dask", "distributed", "minari", "mujoco"]
# Optional dependencies and the one liesym module allowed to import each.
OPTIONAL = {
    "dask": "liesym/discovery/_dask.py",
    "distributed": "liesym/discovery/_dask.py",
    "minari": "liesym/data/offline.py",
    "mujoco": "liesym/envs/reacher.py",
}


@pytest.mark.parametrize(
    "module", ["liesym", "liesym.algebra", "liesym.envs", "liesym.policies", "liesym.transfer"]
)
def test_import_does_not_load_heavy_dependencies(module):
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("dependency", sorted(OPTIONAL))
def test_optional_dependency_is_imported_in_one_module(dependency):
    root = Path(__file__).resolve().parents[1]
    pattern = re.compile(rf"^\s*(import|from)\s+{dependency}\b", re.MULTILINE)
    users = sorted(
        str(p.relative_to(root))
        for p in (root / "liesym").rglob("*.py")
        if pattern.search(p.read_text())
    )
    assert users == [OPTIONAL[dependency]]
