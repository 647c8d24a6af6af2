"""The command line: the typer app, its one error boundary and ``main``. The commands live in
run.py, draw.py, check.py, make.py (answers, init, schema), verify.py (validate, gradcheck), variants.py and
sheet.py; they call the library and raise its errors, and the boundary here turns every error into one line."""

import sys
from functools import cache

import typer
from typer.core import TyperGroup

from .. import __version__
from .output import Exit, error_line, write
from .run import explain_values

COMMANDS = {
    "run": "run",
    "draw": "draw",
    "check": "check",
    "answers": "make",
    "init": "make",
    "gradcheck": "verify",
    "schema": "make",
    "validate": "verify",
    "variants": "variants",
    "sheet": "sheet",
}
"""Every command and the module of mlpstep.cli that holds it, in the order --help lists them."""


class _OneLineErrors(TyperGroup):
    """The one error boundary. A mistake the user can fix (an MlpstepError, or a usage error typer
    finds) is one ``error:`` line on stderr and exit 2; a bug is one line to report and exit 3."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        # typer vendors click as typer._click, a private module, and exports no base class of the usage
        # errors it raises; pyproject pins typer below 0.29, so the module is there.
        from typer._click.exceptions import ClickException, NoArgsIsHelpError

        from ..errors import MlpstepError, clipped

        argv = explain_values(sys.argv[1:] if args is None else list(args))
        try:
            code = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as e:  # a bare mlpstep: typer printed the help on stdout; exit 2, as typer does
            code = e.exit_code
        except ClickException as e:
            ctx = getattr(e, "ctx", None)
            see = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            error_line(clipped(f"{e.format_message()}{see}"))
            code = e.exit_code
        except MlpstepError as e:  # its message names what is wrong and the fix, escaped and clipped already
            error_line(str(e))
            code = Exit.INVALID
        except MemoryError:
            if "--debug" in argv:
                raise
            error_line("not enough memory for this run; use smaller layers, a smaller batch or fewer steps")
            code = Exit.INVALID
        except Exception as e:  # a bug: a line to report, the traceback on request
            if "--debug" in argv:
                raise
            error_line(
                clipped(
                    f"internal error ({type(e).__name__}: {e}); please report it with the input that caused it "
                    "(mlpstep --debug ... prints the traceback)"
                )
            )
            code = Exit.INTERNAL
        if not standalone_mode:
            return code
        sys.exit(code or Exit.OK)


def _version(value: bool) -> None:
    if value:
        write(f"mlpstep {__version__}\n")
        raise typer.Exit(Exit.OK)


def _main(
    version: bool | None = typer.Option(
        None, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="On an internal error, print the whole traceback."),
) -> None:
    """One training step of a multilayer perceptron, every number of it.

    Forward pass, loss, backpropagation and the SGD update, from a YAML config.
    """


def _typer(names) -> typer.Typer:
    """The app with the commands named: a run imports and builds only its own (see _app_for)."""
    from importlib import import_module

    built = typer.Typer(
        cls=_OneLineErrors,
        name="mlpstep",
        no_args_is_help=True,
        help="One training step of a multilayer perceptron, every number of it.",
        add_completion=True,
        pretty_exceptions_show_locals=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    built.callback()(_main)
    for name in names:
        built.command()(getattr(import_module(f"{__package__}.{COMMANDS[name]}"), name))
    return built


@cache
def _whole() -> typer.Typer:
    return _typer(COMMANDS)


def __getattr__(name: str):
    """``app``, the app with every command (``mlpstep.cli.app:app``), made on first use."""
    if name == "app":
        return _whole()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    import signal

    if hasattr(signal, "SIGPIPE"):  # a reader that goes away (| head) ends mlpstep as it ends cat or grep,
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # not with click's exit 1, which check means as "wrong"
    _app_for(sys.argv[1:])(prog_name="mlpstep")


def script() -> None:
    """The ``mlpstep`` command (and ``python -m mlpstep``): ``main``, then, with standard output and
    error flushed, the process ends at once. Python's own shutdown, which frees every object NumPy,
    yaml and typer made, takes 10-15 ms here, a tenth of a small run, and nothing mlpstep does needs
    it: every file it writes is closed by then, and it starts no threads and no exit handlers. When
    something else did (coverage, a debugger's thread), or a flush fails, Python shuts down as usual."""
    import atexit
    import os
    import threading

    try:
        main()
        code = 0
    except SystemExit as e:
        if e.code is not None and not isinstance(e.code, int):
            raise  # a message for Python to print
        code = e.code or 0
    callbacks = getattr(atexit, "_ncallbacks", lambda: 1)()  # CPython's; elsewhere, assume some
    if callbacks or threading.active_count() > 1:
        sys.exit(code)
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):  # a full disk, a closed stream: Python's shutdown reports it as before
        sys.exit(code)
    os._exit(code)


def _app_for(argv: list) -> typer.Typer:
    """The app with only the command ``argv`` names: typer builds every registered command's
    options at start-up (about 1 ms each), and one run needs one. Help, completion and
    unknown commands get the whole app."""
    import os

    at = next((k for k, arg in enumerate(argv) if not arg.startswith("-")), len(argv))
    name = argv[at] if at < len(argv) else None
    if name not in COMMANDS or "_MLPSTEP_COMPLETE" in os.environ or {"-h", "--help"} & set(argv[:at]):
        return _whole()  # mlpstep --help run: the group's help, which lists every command
    return _typer([name])
