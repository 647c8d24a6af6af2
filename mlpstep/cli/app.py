"""The command line: it only wires options to the engine and the renderers."""

import sys
from enum import Enum, IntEnum
from typing import List, Optional

import typer
from typer.core import TyperGroup

from .. import __version__


class Exit(IntEnum):
    """Exit codes of every command."""

    OK = 0
    WRONG = 1  # check: some answers are wrong
    INVALID = 2  # bad input or usage: the message names the field and the fix
    INTERNAL = 3  # a bug in mlpstep: please report it (--debug shows the traceback)


class _OneLineErrors(TyperGroup):
    """Usage mistakes get one ``error:`` line on stderr and exit 2, as config mistakes do."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        from typer._click.exceptions import ClickException, NoArgsIsHelpError

        argv = _explain_values(sys.argv[1:] if args is None else list(args))
        try:
            code = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as e:  # a bare mlpstep: typer printed the help on stdout; exit 2, as typer does
            code = e.exit_code
        except ClickException as e:
            ctx = getattr(e, "ctx", None)
            see = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            _fail(f"{e.format_message()}{see}", raise_exit=False)
            code = e.exit_code
        except MemoryError:
            if "--debug" in argv:
                raise
            _fail("not enough memory for this run; use smaller layers, a smaller batch or fewer steps", raise_exit=False)
            code = Exit.INVALID
        except Exception as e:  # the one boundary for bugs: a line to report, the traceback on request
            if "--debug" in argv:
                raise
            _fail(
                f"internal error ({type(e).__name__}: {e}); please report it with the input that caused it "
                "(mlpstep --debug ... prints the traceback)",
                raise_exit=False,
            )
            code = Exit.INTERNAL
        if not standalone_mode:
            return code
        sys.exit(code or Exit.OK)


def _explain_values(argv: list[str]) -> list[str]:
    """``--explain`` with or without entries. A click option takes a value always or never, so a bare
    ``--explain`` becomes ``--explain=`` (every value's first entry) and ``--explain 'W1[1,0]'``
    becomes ``--explain=W1[1,0]``: the word after it is its value when it has a bracket, or is no
    file and no config's name (``--explain loss``), so ``--explain configs/seed.yaml`` leaves the
    config where it is."""
    out, k = [], 0
    while k < len(argv):
        if argv[k] == "--":
            return out + argv[k:]
        if argv[k] == "--explain":
            taken = k + 1 < len(argv) and _an_entry(argv[k + 1])
            out.append("--explain=" + (argv[k + 1] if taken else ""))
            k += 1 + taken
        else:
            out.append(argv[k])
            k += 1
    return out


app = typer.Typer(
    cls=_OneLineErrors,
    name="mlpstep",
    no_args_is_help=True,
    help="One training step of a multilayer perceptron, every number of it.",
    add_completion=True,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        _write(f"mlpstep {__version__}\n")
        raise typer.Exit(Exit.OK)


@app.callback()
def _main(
    version: Optional[bool] = typer.Option(
        None, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="On an internal error, print the whole traceback."),
) -> None:
    """One training step of a multilayer perceptron, every number of it.

    Forward pass, loss, backpropagation and the SGD update, from a YAML config.
    """


class RunFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    latex = "latex"


STEPS_OPTION = typer.Option(None, "--steps", help="Take this many steps on the same data (overrides the config).")
SHOW_STEP_OPTION = typer.Option(1, "--show-step", help="Which step's intermediates to show.")
OUTPUT_OPTION = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout (atomically).")
NO_COLOR_OPTION = typer.Option(False, "--no-color", help="No colour (also when NO_COLOR is set or stdout is not a terminal).")
ALLOW_LARGE_OPTION = typer.Option(
    False, "--allow-large", help="Lift the limits on work, memory, layers and output size (a big job on purpose)."
)


def _an_entry(word: str) -> bool:
    """Is the word after ``--explain`` an entry (``W1[1,0]``, ``loss``) rather than the config?"""
    import os

    if "[" in word:
        return True
    return not word.startswith("-") and not word.endswith((".yaml", ".yml", ".json")) and not os.path.exists(word)


EXPLAIN_OPTION = typer.Option(
    None, "--explain", metavar="[ENTRY]",
    help="Under each matrix, its formula for one entry with the numbers plugged in, and the loss worked out; "
         "or for the entries named, as the worked lines name them: --explain 'W1[1,0] dL/dz1[2,0]' (repeatable).",
)  # fmt: skip


@app.command()
def run(
    config: str = typer.Argument(..., help="YAML or JSON config file, or - to read standard input."),
    output_format: RunFormat = typer.Option(RunFormat.table, "--format", help="table, json, markdown or latex."),
    json_output: bool = typer.Option(False, "--json", help="Shortcut for --format json: every value at full precision."),
    only: Optional[str] = typer.Option(
        None, "--only", help="Print only these, comma-separated: JSON paths or sections (grads.W1,updated) or names (a1, W1n)."
    ),
    precision: int = typer.Option(
        8, "--precision", min=1, max=17, help="Significant digits in tables, Markdown and LaTeX (JSON keeps them all)."
    ),
    explain: list[str] | None = EXPLAIN_OPTION,
    full: bool = typer.Option(False, "--full", help="Print every entry of big matrices instead of eliding them."),
    steps: Optional[int] = STEPS_OPTION,
    show_step: int = SHOW_STEP_OPTION,
    allow_large: bool = ALLOW_LARGE_OPTION,
    no_color: bool = NO_COLOR_OPTION,
    output: Optional[str] = OUTPUT_OPTION,
) -> None:
    """Run a training step and print every intermediate.

    With several steps (steps: N in the config, or --steps N), the loss of
    every step is listed and the parameters after the last one are shown; the
    full trace is the first step's, or --show-step K's.

    Examples: mlpstep run configs/seed.yaml --json | jq .updated.W1
              mlpstep run configs/seed.yaml --format latex --only grads -o grads.tex
    """
    trace = _step(config, steps, show_step, allow_large)
    _refuse_overwriting_inputs(output, [config, *trace.problem.files])
    if json_output and output_format not in (RunFormat.table, RunFormat.json):
        _fail(f"--json and --format {output_format.value} ask for two formats; give one")
    form = RunFormat.json if json_output else output_format
    from ..errors import MlpstepError
    from ..limits import BLOCK_CELLS, LINE_CELLS, MAX_DRAWN, MAX_PRINTED

    if form is RunFormat.json and only is None and explain is None:  # the common scripted case skips the document model
        _priced(trace.size(), MAX_PRINTED, "--json", allow_large)
        _emit(_json_text(trace.to_dict()), output)
        return
    from ..present.document import (
        explained,
        picked,
        sections,
        select,
        select_dict,
        shown_cells,
    )

    parts, chosen = sections(trace), {}
    try:
        if only is not None:
            parts = select(trace, parts, [name.strip() for name in only.split(",") if name.strip()])
        if explain is not None:
            chosen = picked(trace, parts, explain)
    except MlpstepError as e:
        _fail(e)
    worked = 0 if form is RunFormat.json else LINE_CELLS * sum(map(len, chosen.values()))  # JSON has no worked lines
    if form is RunFormat.table:
        drawn = shown_cells(parts, full) + BLOCK_CELLS * sum(len(part.entries) for part in parts) + worked
        _priced(drawn, MAX_DRAWN, "--full" if full else "--format table", allow_large)
    else:
        _priced(shown_cells(parts, full or form is RunFormat.json) + worked, MAX_PRINTED, f"--format {form.value}", allow_large)
    if worked:
        parts = explained(trace, parts, chosen)
    if form is RunFormat.json:
        _emit(_json_text(select_dict(trace.to_dict(), parts)), output)
    elif form is RunFormat.markdown:
        from ..present.markdown import markdown

        _emit(markdown(trace, parts, precision, full), output)
    elif form is RunFormat.latex:
        from ..present.latex import latex

        _emit(latex(trace, parts, precision, full), output)
    else:
        from ..present.render import print_trace

        with _console(no_color, output) as console:
            print_trace(trace, parts, full=full, precision=precision, console=console)


class CheckFormat(str, Enum):
    table = "table"
    json = "json"
    gradescope = "gradescope"


class NameStyle(str, Enum):
    notebook = "notebook"
    paths = "paths"


@app.command()
def check(
    config: str = typer.Argument(..., help="The problem: a YAML or JSON config, or - for stdin."),
    answers: List[str] = typer.Argument(
        ..., help="Answer files (YAML or JSON) mapping names to numbers or matrices; - reads stdin."
    ),
    rtol: Optional[float] = typer.Option(None, "--rtol", help="Relative tolerance; replaces the written-precision rule."),
    atol: Optional[float] = typer.Option(None, "--atol", help="Absolute tolerance; replaces the written-precision rule."),
    min_rtol: Optional[float] = typer.Option(
        None, "--min-rtol", help="The precision floor: each number within this fraction of its value (default 0.005; 0 turns it off)."
    ),
    expect: Optional[str] = typer.Option(
        None,
        "--expect",
        help="Names every file must answer, comma-separated, 'all' or 'none'; a missing one counts as wrong "
        "(default: all for several files and for gradescope, else none).",
    ),
    output_format: CheckFormat = typer.Option(CheckFormat.table, "--format", help="table, json, or gradescope (results.json)."),
    json_output: bool = typer.Option(False, "--json", help="Shortcut for --format json."),
    full: bool = typer.Option(
        False, "--full", help="Print every entry of big matrices instead of eliding them (in --json too)."
    ),
    steps: Optional[int] = STEPS_OPTION,
    show_step: int = typer.Option(1, "--show-step", help="Which step the answers are for."),
    follow_symlinks: bool = typer.Option(
        False, "--follow-symlinks", help="Grade answer files that are symbolic links (by default they are not graded)."
    ),
    allow_large: bool = ALLOW_LARGE_OPTION,
    no_color: bool = NO_COLOR_OPTION,
    output: Optional[str] = OUTPUT_OPTION,
) -> None:
    """Check answers worked out by hand against the computed step.

    An answers file maps names to values. Names are the seed notebook's (a1, z2,
    loss, z2.grad, W1.grad, w10.grad, W1n, w10n, ...) or the JSON paths of
    mlpstep run --json (forward.a1, grads.W1, updated.w10, ...). Shapes follow
    the run output; a column vector may be written flat.

    An answer is correct when every number is within half a unit of the last
    decimal place written (0.40 allows +-0.005, 2 allows +-0.5, 6.91e-13
    allows +-5e-16, plus a few ulps) and also within --min-rtol (0.5%) of its
    value, or 1e-6 of the answer's largest value: 0 is not right for 0.298,
    nor 0.30 (0.7% off): give three significant digits. --rtol/--atol replace
    both rules with |given - expected| <= atol + rtol |expected|. Wrong answers
    get a hint when they match a likely mistake (a transpose, a sign, a missing
    derivative, ReLU'(0) taken as 1...). The config's grading: {min_rtol: ...,
    expect: ...} sets the defaults of --min-rtol and --expect.

    Many files at once grade a class: the step is computed once, a summary
    lists each file's score, and a value a file did not answer counts as wrong
    (--expect all). One file alone is a self-check: only what it answers is
    graded, and the values it left out are counted. An unknown name is a
    problem of its file; the file's other answers are still graded. Answer
    files are untrusted: only regular files are read (a FIFO, a device or a
    symbolic link is reported as not gradable), and none may hold more values
    than answers to the problem could. Exit codes: 0 all correct, 1 some
    answer wrong, 2 invalid input (the config, an unreadable answers file, an
    unknown name, an answer that is not numbers).

    Example: mlpstep check configs/seed.yaml answers.yaml
    """
    from ..errors import excerpt
    from ..grade.answers import most_values
    from ..grade.grading import MIN_RTOL, Tolerance, grade_file
    from ..loading.reader import Untrusted
    from ..model import answer_names

    form = CheckFormat.json if json_output else output_format
    if form is CheckFormat.gradescope and len(answers) != 1:
        _fail("--format gradescope grades one answers file (Gradescope runs the autograder once per submission)")
    if [config, *answers].count("-") > 1:
        _fail("only one of CONFIG and ANSWERS can be - (standard input)")
    for value, flag in ((rtol, "--rtol"), (atol, "--atol"), (min_rtol, "--min-rtol")):
        if value is not None and not 0 <= value < float("inf"):
            _fail(f"{flag}: {value} is not a tolerance; give a number >= 0")
    if min_rtol is not None and (rtol is not None or atol is not None):
        _fail("--min-rtol is the floor of the written-precision rule, which --rtol/--atol replace; give one or the other")
    trace = _step(config, steps, show_step, allow_large)
    problem = trace.problem
    _refuse_overwriting_inputs(output, [config, *answers, *problem.files])
    names = answer_names(trace)
    if expect is not None:
        expected = _expected_paths(expect, names, "--expect")
    elif problem.expect is not None:
        expected = _expected_paths(",".join(problem.expect), names, "grading.expect")
    else:
        expected = _expected_paths("all" if len(answers) > 1 or form is CheckFormat.gradescope else "none", names, "")
    floor = min_rtol if min_rtol is not None else problem.min_rtol if problem.min_rtol is not None else MIN_RTOL
    tolerance = Tolerance(rtol, atol, floor)
    untrusted = Untrusted(most_values(trace), follow_symlinks)
    results = [grade_file(trace, source, names, tolerance, expected, untrusted) for source in answers]

    if form is CheckFormat.table and len(results) == 1 and results[0].error:
        _fail(f"{excerpt(results[0].file)}: {results[0].error}")
    from ..limits import MAX_DRAWN, MAX_PRINTED

    if form is CheckFormat.table:
        from ..grade.report import drawn_cells, print_report

        if full and len(results) == 1:
            _priced(drawn_cells(results[0], full), MAX_DRAWN, "--full", allow_large)
        with _console(no_color, output) as console:
            print_report(results, console=console, full=full)
    else:
        from ..grade.report import json_size, to_gradescope, to_json

        if form is CheckFormat.json:
            _priced(json_size(results, full), MAX_PRINTED, "--full" if full else "--json", allow_large)
        _write_json(to_gradescope(results[0]) if form is CheckFormat.gradescope else to_json(results, full), output)
    if any(graded.invalid for graded in results):
        raise typer.Exit(Exit.INVALID)
    raise typer.Exit(Exit.OK if all(graded.correct == graded.total for graded in results) else Exit.WRONG)


@app.command()
def answers(
    config: str = typer.Argument(..., help="YAML or JSON config file, or - to read standard input."),
    decimals: Optional[int] = typer.Option(
        None, "--decimals", min=0, max=17, help="Round every value to this many decimals (default: full precision)."
    ),
    names: NameStyle = typer.Option(NameStyle.notebook, "--names", help="notebook (a1, W1n, ...) or paths (forward.a1, ...)."),
    blank: bool = typer.Option(False, "--blank", help="Leave every value empty: a template for students to fill in."),
    steps: Optional[int] = STEPS_OPTION,
    show_step: int = typer.Option(1, "--show-step", help="Which step to write the values of."),
    allow_large: bool = ALLOW_LARGE_OPTION,
    output: Optional[str] = OUTPUT_OPTION,
) -> None:
    """Write every value of the step as an answers file, in the format check reads.

    A teacher gets an answer key, a student (with --blank) a template that
    lists every name and shape. Checking the key scores n/n.

    Example: mlpstep answers configs/seed.yaml --decimals 4 > key.yaml
    """
    from ..errors import printable
    from ..grade.answers import write_answers
    from ..limits import MAX_PRINTED

    trace = _step(config, steps, show_step, allow_large)
    _priced(0 if blank else trace.size(), MAX_PRINTED, "answers", allow_large)
    _refuse_overwriting_inputs(output, [config, *trace.problem.files])
    shown = "CONFIG" if config == "-" else printable(config)  # a name with a line break must not end the comment
    options = "".join(f" {flag} {value}" for flag, value in (("--steps", steps), ("--show-step", show_step)) if value not in (None, 1))
    header = [f"# mlpstep answers for {shown}{options}: {trace.network}"]
    if blank:
        header.append("# Fill in each value as you worked it out (a column vector may be written flat), then run:")
    header.append(f"# mlpstep check {shown} THIS_FILE{options}")
    body = write_answers(trace, decimals, names.value, blank)
    _emit("\n".join(header) + "\n" + body, output)


class Layout(str, Enum):
    columns = "columns"
    rows = "rows"


@app.command()
def init(
    ctx: typer.Context,
    layers: Optional[str] = typer.Option(None, "--layers", help="Widths from the input to the output, e.g. 2,4,2."),
    activations: Optional[str] = typer.Option(
        None, "--activations", help="One per layer, e.g. relu,softmax (default: relu, then softmax for nll or linear)."
    ),
    loss: str = typer.Option("nll", "--loss", help="nll, squared, half_squared or mse."),
    integers: bool = typer.Option(False, "--integers", help="Small whole numbers, for problems worked by hand (default: Gaussian)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Random seed, for the same problem again."),
    batch: Optional[int] = typer.Option(None, "--batch", help="A batch of this many points (default: one point)."),
    layout: Layout = typer.Option(Layout.columns, "--layout", help="columns (W is n_in x n_out) or rows (torch.nn.Linear)."),
    learning_rate: float = typer.Option(0.1, "--learning-rate", help="The learning rate."),
    keep_kinks: bool = typer.Option(
        False, "--keep-kinks", help="Allow ReLU inputs of exactly 0, where ReLU'(0) is a convention (by default those units are redrawn)."
    ),
    example: Optional[str] = typer.Option(None, "--example", help="Write a bundled example instead, e.g. seed or mazur (no other option but -o)."),
    output: Optional[str] = OUTPUT_OPTION,
) -> None:
    """Write a new config: a random problem of the given shape, or a bundled example.

    Examples: mlpstep init --layers 2,3,2 --integers --seed 7 | mlpstep run -
              mlpstep init --example mazur -o mazur.yaml
    """
    from ..errors import MlpstepError, printable
    from ..scaffold import example as bundled
    from ..scaffold import make_config, to_yaml

    if example is not None:
        from typer._click.core import ParameterSource

        given = [p.opts[0] for p in ctx.command.params
                 if p.name not in ("example", "output") and ctx.get_parameter_source(p.name) is ParameterSource.COMMANDLINE]  # fmt: skip
        if given:
            names = " and ".join([", ".join(given[:-1]), given[-1]] if len(given) > 1 else given)
            _fail(f"--example: a bundled config is written as it is, so {names} "
                  f"{'do' if len(given) > 1 else 'does'} not apply; leave {'them' if len(given) > 1 else 'it'} out (or leave out --example)")  # fmt: skip
    try:
        if example is not None:
            _emit(bundled(example), output)
            return
        if layers is None:
            _fail("--layers: give the widths from the input to the output, e.g. --layers 2,4,2 (or --example NAME)")
        try:
            sizes = [int(part) for part in layers.split(",")]
        except ValueError:
            _fail(f"--layers: {layers!r} is not a list of widths; write e.g. 2,4,2")
        names = None if activations is None else [part.strip().lower() for part in activations.split(",")]
        config = make_config(sizes, names, loss.lower(), integers, seed, batch, layout.value, learning_rate, keep_kinks)
    except MlpstepError as e:
        _fail(e)
    made_by = printable(" ".join(sys.argv[1:])) if sys.argv[1:2] == ["init"] else "init"
    _emit(to_yaml(config, f"made by: mlpstep {made_by}"), output)


@app.command()
def gradcheck(
    config: str = typer.Argument(..., help="YAML or JSON config file, or - to read standard input."),
    eps: float = typer.Option(1e-6, "--eps", help="The finite-difference step, relative to each entry (at least 1)."),
    tol: float = typer.Option(1e-5, "--tol", help="The largest relative error allowed."),
    json_output: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
    allow_large: bool = ALLOW_LARGE_OPTION,
    output: Optional[str] = OUTPUT_OPTION,
) -> None:
    """Check backprop against central finite differences on your own network.

    Every gradient of the first step (each z, hidden a, weight and bias) is
    compared with (L(θ+ε) - L(θ-ε)) / 2ε, entry by entry (evenly spaced entries
    for tensors over 2000). Exit 0 when every entry is within --tol (or the
    round-off of its finite difference), 1 when not.
    Entries whose perturbation puts a ReLU input at (or across) 0 are named and
    left out: the loss is not differentiable there, and ReLU'(0) is a convention.

    Example: mlpstep gradcheck configs/seed.yaml --tol 1e-6
    """
    import math

    from ..errors import MlpstepError
    from ..gradcheck import gradcheck as check_gradients

    for value, flag in ((eps, "--eps"), (tol, "--tol")):
        if not (math.isfinite(value) and value > 0):
            _fail(f"{flag}: {value} is not allowed; give a number > 0")
    problem = _load(config, allow_large)
    try:
        checks = check_gradients(problem, eps, tol, allow_large)
    except MlpstepError as e:
        _fail(e)
    _refuse_overwriting_inputs(output, [config, *problem.files])
    if json_output:
        _write_json({"eps": eps, "tol": tol, "ok": all(c.ok for c in checks),
                     "checks": [c.__dict__ for c in checks]}, output)  # fmt: skip
    else:
        from ..present.render import print_gradcheck

        with _console(False, output) as console:
            print_gradcheck(checks, tol, console)
    raise typer.Exit(Exit.OK if all(c.ok for c in checks) else Exit.WRONG)


def _priced(numbers: int, limit: int, what: str, allow_large: bool) -> None:
    """Refuse an output of ``numbers`` numbers past ``limit`` (see mlpstep.limits) with one line."""
    from ..errors import MlpstepError
    from ..limits import check_output

    try:
        check_output(numbers, limit, what, allow_large)
    except MlpstepError as e:
        _fail(e)


def _load(config: str, allow_large: bool = False):
    from ..errors import MlpstepError
    from ..loading.config import load

    try:
        return load(config, allow_large)
    except MlpstepError as e:
        _fail(e)


class SchemaOf(str, Enum):
    config = "config"
    output = "output"
    answers = "answers"


@app.command()
def schema(
    of: SchemaOf = typer.Option(SchemaOf.config, "--of", help="config, output (of run --json) or answers (for check)."),
    output: Optional[str] = OUTPUT_OPTION,
) -> None:
    """Print the JSON Schema (draft 2020-12) of the config format, the JSON output or answer files.

    Editors validate and complete configs with it: configs/ start with
    # yaml-language-server: $schema=../mlpstep/schemas/config.schema.json

    Example: mlpstep schema --of output > output.schema.json
    """
    from importlib.resources import files

    _emit((files("mlpstep") / "schemas" / f"{of.value}.schema.json").read_text(encoding="utf-8"), output)


ERRORS_LISTED = 20
"""Most mistakes of one config validate lists (then how many more)."""


@app.command()
def validate(
    configs: List[str] = typer.Argument(..., help="Config files (YAML or JSON); - reads standard input."),
    allow_large: bool = ALLOW_LARGE_OPTION,
) -> None:
    """Check configs without running them, with the same messages as run.

    Prints "valid" for a valid config, else every mistake in it on a line of its
    own (the first 20; run reports the first): every mistake in its keys, or
    when they are right, in its values, each field apart. Exit 0 when all are
    valid, 2 when any is not.

    Example: mlpstep validate configs/*.yaml
    """
    from ..errors import excerpt
    from ..loading.config import MAX_ERRORS, find_errors

    if configs.count("-") > 1:
        _fail("- (standard input) can be read once; give it one time")
    invalid = 0
    for config in configs:
        shown = "stdin" if config == "-" else excerpt(config)
        errors = [str(e) for e in find_errors(config, allow_large)]
        for message in errors[:ERRORS_LISTED]:
            _fail(message if message.startswith(shown + ":") else f"{shown}: {message}", raise_exit=False)
        if len(errors) > ERRORS_LISTED:
            more = len(errors) - ERRORS_LISTED
            _fail(f"{shown}: and {'at least ' if len(errors) == MAX_ERRORS else ''}{more} more", raise_exit=False)
        if errors:
            invalid += 1
        else:
            _write(f"{shown}: valid\n")
    raise typer.Exit(Exit.INVALID if invalid else Exit.OK)


def _step(config: str, steps: int | None = None, show: int = 1, allow_large: bool = False):
    """Load and run a config, or fail with its one-line message."""
    from dataclasses import replace

    from ..engine import step
    from ..errors import MlpstepError
    from ..limits import MAX_STEPS
    from ..loading.config import check_run

    if steps is not None and not 1 <= steps <= MAX_STEPS:
        _fail(f"--steps: {steps} is not a step count; give a whole number from 1 to {MAX_STEPS:,}")
    problem = _load(config, allow_large)
    try:
        if steps is not None:
            names = [layer.activation.name for layer in problem.layers]
            check_run(problem.sizes, problem.batch_size, steps, problem.optimizer, "--steps", allow_large, names, problem.loss.name)
            problem = replace(problem, steps=steps)
        if not 1 <= show <= problem.steps:
            _fail(f"--show-step: {show} is not one of the steps 1 to {problem.steps}")
        return step(problem, show)
    except MlpstepError as e:
        _fail(e)


def _expected_paths(expect: str, names: dict[str, str], where: str) -> list[str]:
    """The paths ``expect`` asks for: ``all``, ``none``, or names (of ``--expect`` or ``grading.expect``)."""
    if expect.strip().lower() == "all":
        return list(dict.fromkeys(names.values()))
    if expect.strip().lower() == "none":
        return []
    from ..grade.answers import valid_names
    from ..model import resolve

    paths = []
    for name in (part.strip() for part in expect.split(",") if part.strip()):
        path = resolve(name, names)
        if path is None:
            _fail(f"{where}: {name} is not an answer name; {valid_names(names)}")
        paths.append(path)
    return list(dict.fromkeys(paths))


def _json_text(data: dict) -> str:
    import json

    return json.dumps(data, allow_nan=False) + "\n"


def _write_json(data: dict, output: str | None = None) -> None:
    _emit(_json_text(data), output)


def _write(text: str) -> None:
    """Write to standard output, or fail when there is none (``>&-`` closed it)."""
    _need_stdout()
    sys.stdout.write(text)


def _need_stdout() -> None:
    if sys.stdout is None:
        _fail("standard output is closed; give -o FILE, or leave stdout open")


def _emit(text: str, output: str | None) -> None:
    """Write to stdout, or to ``output``: a regular file is replaced atomically (a failure never
    leaves a partial file, and an existing file keeps its mode); a device or pipe is written to.
    A file the user could not write in place (read-only, as the shell's ``>`` would refuse) is not replaced."""
    if output is None or output == "-":
        _write(text)
        return
    import os
    import stat

    from ..errors import excerpt

    if not output:
        _fail("--output: an empty file name; give the path of the file to write")
    target = os.path.realpath(output)  # through a symlink, to what it points at
    try:
        existing = os.stat(target) if os.path.exists(target) else None
        if existing is not None and stat.S_ISDIR(existing.st_mode):
            _fail(f"--output: {excerpt(output)} is a directory; give the path of a file")
        if existing is not None and not os.access(target, os.W_OK):
            _fail(f"--output: {excerpt(output)} is not writable (permission denied); it is left as it is")
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            with open(target, "w", encoding="utf-8") as f:  # /dev/null, a FIFO, /dev/stdout
                f.write(text)
            return
        _replace(target, text, existing)
    except OSError as e:
        _fail(f"--output: cannot write {excerpt(output)} ({e.strerror or e})")


def _replace(target: str, text: str, existing) -> None:
    """Write ``text`` to a temporary file beside ``target`` and rename it over ``target``. The
    temporary file is removed on any failure. SIGTERM, SIGHUP and SIGINT wait until the file is
    either replaced or left as it was (and the temporary one removed), then take effect: a Python
    handler notes them, whichever thread (BLAS's too) the system gave them to."""
    import os
    import signal
    import stat
    import tempfile
    import threading

    held = [signal.SIGTERM, signal.SIGINT] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    came: list[int] = []
    before = {}
    if threading.current_thread() is threading.main_thread():
        before = {signum: signal.signal(signum, lambda signum, frame: came.append(signum)) for signum in held}
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".mlpstep-", dir=os.path.dirname(target))
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if existing is not None:
            os.chmod(tmp, stat.S_IMODE(existing.st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
        tmp = None
    finally:
        if tmp is not None:
            os.unlink(tmp)
        for signum, handler in before.items():
            signal.signal(signum, handler)
        for signum in came[:1]:  # now as if it came just after: the process ends as it would have
            os.kill(os.getpid(), signum)


def _refuse_overwriting_inputs(output: str | None, inputs: list[str]) -> None:
    import os

    if output in (None, "-"):
        return
    for source in inputs:
        if source != "-" and os.path.exists(source) and os.path.realpath(source) == os.path.realpath(output):
            _fail(f"--output: {output} is also an input; write the results somewhere else")


class _console:
    """A rich console for tables: to the terminal, or rendered plain into ``output``."""

    def __init__(self, no_color: bool, output: str | None):
        self.no_color, self.output = no_color, output

    def __enter__(self):
        from rich.console import Console

        if self.output is None or self.output == "-":
            import os

            _need_stdout()

            plain = self.no_color or bool(os.environ.get("NO_COLOR"))
            self.console = Console(color_system=None if plain else "auto")
        else:
            import io

            self.console = Console(file=io.StringIO(), width=100, color_system=None)
        return self.console

    def __exit__(self, kind, error, traceback):
        if kind is None and self.output not in (None, "-"):
            _emit(self.console.file.getvalue(), self.output)
        return False


def _fail(error: object, raise_exit: bool = True) -> None:
    """One line on stderr (control characters escaped, at most a few lines' worth), nothing on
    stdout, exit 2. With stderr closed the line is lost, but the exit code still says what happened."""
    from ..errors import clipped

    if sys.stderr is not None:
        try:
            sys.stderr.write(f"error: {clipped(str(error))}\n")
        except (OSError, ValueError):  # a closed or broken stderr: the exit code still tells
            pass
    if raise_exit:
        raise typer.Exit(Exit.INVALID)


def main() -> None:
    import signal

    if hasattr(signal, "SIGPIPE"):  # a reader that goes away (| head) ends mlpstep as it ends cat or grep,
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # not with click's exit 1, which check means as "wrong"
    _app_for(sys.argv[1:])(prog_name="mlpstep")


def _app_for(argv: list) -> typer.Typer:
    """The app with only the command ``argv`` names: typer builds every registered command's
    options at start-up (about 1 ms each), and one run needs one. Help, completion and
    unknown commands get the whole app."""
    import os

    at = next((k for k, arg in enumerate(argv) if not arg.startswith("-")), len(argv))
    name = argv[at] if at < len(argv) else None
    chosen = [c for c in app.registered_commands if (c.name or c.callback.__name__.replace("_", "-")) == name]
    if not chosen or "_MLPSTEP_COMPLETE" in os.environ or {"-h", "--help"} & set(argv[:at]):
        return app  # mlpstep --help run: the group's help, which lists every command
    import copy

    lean = copy.copy(app)
    lean.registered_commands = chosen
    return lean
