"""Importing liesym (or its light subpackages) must not load the heavy optional stacks."""

import subprocess
import sys

import pytest

HEAVY = ["sympy", "geomstats", "matplotlib"]


@pytest.mark.parametrize("module", ["liesym", "liesym.algebra"])
def test_import_does_not_load_heavy_dependencies(module):
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
