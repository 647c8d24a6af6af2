"""The command line: it only wires options to the engine and the renderers."""

from __future__ import annotations

import sys
from enum import IntEnum
from typing import Optional

import typer
from typer.core import TyperGroup

from . import __version__


class Exit(IntEnum):
    """Exit codes of every command."""

    OK = 0
    INVALID = 2  # bad input or usage: the message names the field and the fix


class _OneLineErrors(TyperGroup):
    """Usage mistakes get one ``error:`` line on stderr and exit 2, as config mistakes do."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        from typer._click.exceptions import ClickException

        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except ClickException as e:
            ctx = getattr(e, "ctx", None)
            see = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            _fail(f"{e.format_message()}{see}", raise_exit=False)
            code = e.exit_code
        if not standalone_mode:
            return code
        sys.exit(code or Exit.OK)


app = typer.Typer(
    cls=_OneLineErrors,
    name="mlpstep",
    help="One training step of a multilayer perceptron, every number of it.",
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


def _fail(error: object, raise_exit: bool = True) -> None:
    """One line on stderr (control characters escaped), nothing on stdout, exit 2."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(error))
    sys.stderr.write(f"error: {text}\n")
    if raise_exit:
        raise typer.Exit(Exit.INVALID)


def main() -> None:
    app(prog_name="mlpstep")
