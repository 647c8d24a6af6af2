"""The code style contract: ruff's lint rules and its formatter, as pyproject.toml configures them."""

import subprocess
import sys

import pytest
from helpers import ROOT

pytest.importorskip("ruff", reason="ruff is in the test extras: pip install -e '.[test]'")


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_the_code_keeps_its_style(command):
    result = subprocess.run([sys.executable, "-m", "ruff", *command, "mlpstep", "tests"], cwd=ROOT,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
