"""The commands that write a file to start from: answers (a key or a template), init (a config)
and schema (the JSON Schemas)."""

import sys
from enum import Enum

import typer

from .options import ALLOW_LARGE_OPTION, OUTPUT_OPTION, STEPS_OPTION, stepped
from .output import emit, refuse_overwriting_inputs


class NameStyle(str, Enum):
    notebook = "notebook"
    paths = "paths"
    course = "course"


def answers(
    config: str = typer.Argument(..., help="YAML or JSON config file, or - to read standard input."),
    decimals: int | None = typer.Option(
        None, "--decimals", min=0, max=17, help="Round every value to this many decimals (default: full precision)."
    ),
    digits: int | None = typer.Option(
        None,
        "--digits",
        min=1,
        max=17,
        help="Round every value to this many significant digits (3 pass check's floor).",
    ),
    names: NameStyle = typer.Option(
        NameStyle.notebook,
        "--names",
        help="notebook (a1, W1n, ...), paths (forward.a1, ...) or course (the config's names: w5.grad, w5+, ...).",
    ),
    blank: bool = typer.Option(False, "--blank", help="Leave every value empty: a template for students to fill in."),
    steps: int | None = STEPS_OPTION,
    show_step: int = typer.Option(1, "--show-step", help="Which step to write the values of."),
    allow_large: bool = ALLOW_LARGE_OPTION,
    output: str | None = OUTPUT_OPTION,
) -> None:
    """Write every value of the step as an answers file, in the format check reads.

    A teacher gets an answer key, a student (with --blank) a template that
    lists every name and shape; a config's ask: limits both to its questions.
    Checking the full-precision key scores n/n; a rounded key (--decimals, --digits) is checked as it is written, and a
    warning names the values check's precision floor would mark wrong.

    Example: mlpstep answers configs/seed.yaml --digits 4 > key.yaml
    """
    from ..errors import printable
    from ..grade.answers import write_answers
    from ..limits import MAX_PRINTED, check_output

    if decimals is not None and digits is not None:
        from ..errors import OptionError

        raise OptionError("--digits", "--decimals and --digits both round; give one")
    trace = stepped(config, steps, show_step, allow_large)
    check_output(0 if blank else trace.size(), MAX_PRINTED, "answers", allow_large)
    refuse_overwriting_inputs(output, [config, *trace.problem.files])
    shown = "CONFIG" if config == "-" else printable(config)  # a name with a line break must not end the comment
    options = "".join(
        f" {flag} {value}" for flag, value in (("--steps", steps), ("--show-step", show_step)) if value not in (None, 1)
    )
    header = [f"# mlpstep answers for {shown}{options}: {trace.network}"]
    if blank:
        header.append("# Fill in each value as you worked it out (a column vector may be written flat), then run:")
    header.append(f"# mlpstep check {shown} THIS_FILE{options}")
    body = write_answers(trace, decimals, names.value, blank, digits)
    emit("\n".join(header) + "\n" + body, output)
    if not blank and (decimals is not None or digits is not None):
        _warn_if_too_coarse(trace, body, f"--decimals {decimals}" if decimals is not None else f"--digits {digits}")


def _warn_if_too_coarse(trace, body: str, rounding: str) -> None:
    """A warning line when ``check`` would mark some value of the rounded key ``body`` wrong."""
    from ..grade.answers import answers_of
    from ..grade.grading import grade
    from ..grade.tolerance import MIN_RTOL, Tolerance
    from ..loading.reader import parse_text
    from ..present.text import first_of
    from ..quantities import answer_names
    from .output import error_line

    submission = answers_of(parse_text(body.encode(), "key", keep_text=True), "key", answer_names(trace), trace.shown)
    floor = MIN_RTOL if trace.problem.min_rtol is None else trace.problem.min_rtol
    wrong = [answer.written_as for answer in grade(trace, submission, Tolerance(min_rtol=floor)) if not answer.correct]
    if wrong:
        named = first_of(wrong, 8)
        error_line(
            f"with {rounding}, check marks {len(wrong)} of this key's values wrong ({named}): its precision "
            f"floor wants each within {100 * floor:g}% of its value; give --digits 3 or more",
            "warning",
        )


class Layout(str, Enum):
    columns = "columns"
    rows = "rows"


def init(
    ctx: typer.Context,
    layers: str | None = typer.Option(None, "--layers", help="Widths from the input to the output, e.g. 2,4,2."),
    activations: str | None = typer.Option(
        None, "--activations", help="One per layer, e.g. relu,softmax (default: relu, then softmax for nll or linear)."
    ),
    loss: str = typer.Option("nll", "--loss", help="nll, squared, half_squared or mse."),
    integers: bool = typer.Option(
        False, "--integers", help="Small whole numbers, for problems worked by hand (default: Gaussian)."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Random seed, for the same problem again."),
    batch: int | None = typer.Option(None, "--batch", help="A batch of this many points (default: one point)."),
    layout: Layout = typer.Option(
        Layout.columns, "--layout", help="columns (W is n_in x n_out) or rows (torch.nn.Linear)."
    ),
    learning_rate: float = typer.Option(0.1, "--learning-rate", help="The learning rate."),
    keep_kinks: bool = typer.Option(
        False,
        "--keep-kinks",
        help="Allow ReLU inputs of exactly 0, where ReLU'(0) is a convention (by default those units are redrawn).",
    ),
    example: str | None = typer.Option(
        None, "--example", help="Write a bundled example instead, e.g. seed or mazur (no other option but -o)."
    ),
    output: str | None = OUTPUT_OPTION,
) -> None:
    """Write a new config: a random problem of the given shape, or a bundled example.

    Examples: mlpstep init --layers 2,3,2 --integers --seed 7 | mlpstep run -
              mlpstep init --example mazur -o mazur.yaml
    """
    from ..errors import printable
    from ..scaffold import example as bundled
    from ..scaffold import make_config, to_yaml

    if example is not None:
        _refuse_options_beside_example(ctx)
        emit(bundled(example), output)
        return
    names = None if activations is None else [part.strip().lower() for part in activations.split(",")]
    config = make_config(
        _widths(layers), names, loss.lower(), integers, seed, batch, layout.value, learning_rate, keep_kinks
    )
    made_by = printable(" ".join(sys.argv[1:])) if sys.argv[1:2] == ["init"] else "init"
    emit(to_yaml(config, f"made by: mlpstep {made_by}"), output)


def _refuse_options_beside_example(ctx: typer.Context) -> None:
    """--example writes a bundled config as it is: any other option typed but -o is a mistake.

    The source of an option is compared by its name, COMMANDLINE: typer keeps click (and the
    ParameterSource enum) in a private module, typer._click, and exports no name for it."""
    from ..errors import OptionError

    given = []
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name)
        if param.name not in ("example", "output") and source is not None and source.name == "COMMANDLINE":
            given.append(param.opts[0])
    if given:
        names = " and ".join([", ".join(given[:-1]), given[-1]] if len(given) > 1 else given)
        raise OptionError("--example", f"a bundled config is written as it is, so {names} "
                          f"{'do' if len(given) > 1 else 'does'} not apply; leave "
                          f"{'them' if len(given) > 1 else 'it'} out (or leave out --example)")  # fmt: skip


def _widths(layers: str | None) -> list[int]:
    """--layers 2,4,2 as widths (make_config checks them)."""
    from ..errors import OptionError

    if layers is None:
        raise OptionError(
            "--layers", "give the widths from the input to the output, e.g. --layers 2,4,2 (or --example NAME)"
        )
    try:
        return [int(part) for part in layers.split(",")]
    except ValueError:
        raise OptionError("--layers", f"{layers!r} is not a list of widths; write e.g. 2,4,2") from None


class SchemaOf(str, Enum):
    config = "config"
    output = "output"
    answers = "answers"


def schema(
    of: SchemaOf = typer.Option(SchemaOf.config, "--of", help="config, output (of run --json) or answers (for check)."),
    output: str | None = OUTPUT_OPTION,
) -> None:
    """Print the JSON Schema (draft 2020-12) of the config format, the JSON output or answer files.

    Editors validate and complete configs with it: configs/ start with
    # yaml-language-server: $schema=../mlpstep/schemas/config.schema.json

    Example: mlpstep schema --of output > output.schema.json
    """
    from importlib.resources import files

    emit((files("mlpstep") / "schemas" / f"{of.value}.schema.json").read_text(encoding="utf-8"), output)
