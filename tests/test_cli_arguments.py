"""The command line answers bad arguments with one-line errors, never a traceback."""

import subprocess
import sys

import pytest

from liesym.cli import main

BAD = [
    ["discover", "circle", "--seed", "-1"],
    ["discover", "circle", "--tasks", "0"],
    ["discover", "circle", "--tasks", "1"],
    ["discover", "circle", "--steps", "99"],
    ["discover", "circle", "--steps", "many"],
    ["discover", "torus"],
    ["demo", "--seed", "-3"],
    ["demo", "--family", "line"],
    ["verify", "so3", "--tol", "1e-20"],
    ["verify", "so3", "--tol", "0.5"],
    ["verify", "so3", "--tol", "nan"],
    ["verify", "so3", "--tol", "-1e-6"],
    ["verify", "so3", "--tol", "abc"],
]


@pytest.mark.parametrize("argv", BAD, ids=" ".join)
def test_bad_arguments_end_in_a_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if "error:" in line]) == 1


@pytest.mark.parametrize(
    "argv",
    [["verify", "nonsense"], ["verify"], ["verify", "--file", "/no/such/file.npy"]],
    ids=" ".join,
)
def test_bad_verify_requests_return_2(argv, capsys):
    assert main(argv) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_smallest_documented_step_count_ends_cleanly():
    # 100 transitions (the documented minimum) are too few to find the symmetry: one line.
    cmd = [sys.executable, "-m", "liesym", "discover", "circle", "--steps", "100"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 2)
    assert "Traceback" not in run.stderr
    if run.returncode == 2:
        assert run.stderr.strip().splitlines()[-1].startswith("liesym discover: error:")
