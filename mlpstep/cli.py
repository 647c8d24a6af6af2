"""The command line: it only wires options to the engine and the renderers."""

from __future__ import annotations

import sys
from enum import IntEnum
from typing import Optional

import typer

from . import __version__

app = typer.Typer(
    name="mlpstep",
    help="One training step of a multilayer perceptron, every number of it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Exit(IntEnum):
    """Exit codes of every command."""

    OK = 0
    INVALID = 2  # bad input or usage: the message names the field and the fix


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"mlpstep {__version__}\n")
        raise typer.Exit(Exit.OK)


@app.callback()
def _main(
    version: Optional[bool] = typer.Option(
        None, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """One training step of a multilayer perceptron, every number of it.

    Forward pass, loss, backpropagation and the SGD update, from a YAML config.
    """


@app.command()
def run(
    config: str = typer.Argument(..., help="YAML or JSON config file, or - to read standard input."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object with every value at full precision."),
    full: bool = typer.Option(False, "--full", help="Print every entry of big matrices instead of eliding them."),
) -> None:
    """Run one training step and print every intermediate.

    Example: mlpstep run configs/seed.yaml --json | jq .updated.W1
    """
    from .config import load
    from .engine import step
    from .errors import MlpstepError

    try:
        trace = step(load(config))
    except MlpstepError as e:
        _fail(e)
    if json_output:
        import json

        sys.stdout.write(json.dumps(trace.to_dict(), allow_nan=False) + "\n")
    else:
        from .render import print_trace

        print_trace(trace, full=full)


def _fail(error: Exception) -> None:
    """One line on stderr, nothing on stdout, exit 2."""
    sys.stderr.write(f"error: {error}\n")
    raise typer.Exit(Exit.INVALID)


def main() -> None:
    app(prog_name="mlpstep")
