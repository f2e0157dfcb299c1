"""Importing liesym (or its light subpackages) must not load the heavy optional stacks."""

import subprocess
import sys

import pytest

HEAVY = ["sympy", "geomstats", "matplotlib", "mujoco"]


@pytest.mark.parametrize(
    "module", ["liesym", "liesym.algebra", "liesym.envs", "liesym.policies", "liesym.transfer"]
)
def test_import_does_not_load_heavy_dependencies(module):
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_mujoco_is_imported_by_one_module_only():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "liesym"
    users = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "import mujoco" in p.read_text() or "from mujoco" in p.read_text()
    )
    assert users == ["envs/reacher.py"]
