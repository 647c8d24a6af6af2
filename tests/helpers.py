"""What the test modules share: the repository, the seed config, one CLI runner, the check of a
one-line refusal and a deadline for code that could hang. (conftest.py holds pytest's hooks and
settings; tests import nothing from it.)"""

import dataclasses
import signal
import textwrap
from contextlib import contextmanager
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
"""The repository: conftest.py runs every test here."""

SEED = "configs/seed.yaml"
"""The seed notebook's network, the example most tests start from (a path from ROOT)."""

SEED_TEXT = textwrap.dedent(
    """\
    input: [3, 14]
    label: 1
    loss: nll
    learning_rate: 0.1
    layers:
      - weights: [[1, 0, -1, 0], [0, 1, 0, -1]]
        bias: [-1, -1, -1, -1]
        activation: relu
      - weights: [[1, -1], [1, -1], [1, -1], [1, -1]]
        bias: [0, 2]
        activation: softmax
    """
)
"""The seed as YAML with each matrix on one line, for tests that change one piece of it."""

runner = CliRunner()
"""Invokes the app in-process: runner.invoke(app, ["run", SEED]) has .exit_code, .stdout and .stderr."""


def assert_refused(result, *fragments):
    """The CLI refused: exit 2, nothing on stdout, one "error: " line on stderr holding every fragment."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@contextmanager
def deadline(seconds: int):
    """Fail (rather than hang the suite) when the block takes longer than ``seconds``."""

    def expired(signum, frame):
        raise AssertionError(f"still running after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def continued(problem, trace):
    """``problem`` starting from the parameters and optimizer state ``trace`` ends with (columns layout)."""
    layers = tuple(
        dataclasses.replace(layer, weights=trace.updated[f"W{l}"], bias=trace.updated[f"w{l}0"].ravel())
        for l, layer in enumerate(problem.layers, 1)
    )
    return dataclasses.replace(problem, layers=layers, state=trace.state)
