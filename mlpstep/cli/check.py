"""mlpstep check: grade answers worked out by hand against the computed step."""

from enum import Enum

import typer

from .options import ALLOW_LARGE_OPTION, NO_COLOR_OPTION, OUTPUT_OPTION, STEPS_OPTION, stepped
from .output import Exit, console, emit, json_text, refuse_overwriting_inputs


class CheckFormat(str, Enum):
    table = "table"
    json = "json"
    gradescope = "gradescope"
    csv = "csv"


class CarryForward(str, Enum):
    full = "full"
    half = "half"
    none = "none"


# Longer than 60 lines for its options and its --help (the docstring); the body is a few calls.
def check(
    config: str = typer.Argument(..., help="The problem: a YAML or JSON config, or - for stdin."),
    answers: list[str] | None = typer.Argument(
        None, help="Answer files (YAML or JSON) mapping names to numbers or matrices; - reads stdin."
    ),
    variants: str | None = typer.Option(
        None,
        "--variants",
        help="A folder of variants (mlpstep variants): grade each file against its student's; "
        "then every argument is an answers file.",
    ),
    metadata: str | None = typer.Option(
        None, "--metadata", help="Gradescope's submission_metadata.json: whose answers (with --variants)."
    ),
    rtol: float | None = typer.Option(None, "--rtol", help="Relative tolerance; replaces the written-precision rule."),
    atol: float | None = typer.Option(None, "--atol", help="Absolute tolerance; replaces the written-precision rule."),
    min_rtol: float | None = typer.Option(
        None,
        "--min-rtol",
        help="The precision floor: each number within this fraction of its value (default 0.005; 0 turns it off).",
    ),
    expect: str | None = typer.Option(
        None,
        "--expect",
        help="Names every file must answer, comma-separated, 'all' or 'none'; a missing one counts as wrong "
        "(default: all for several files and for gradescope, else none).",
    ),
    output_format: CheckFormat = typer.Option(
        CheckFormat.table, "--format", help="table, json, gradescope (results.json) or csv (a gradebook)."
    ),
    carry_forward: CarryForward | None = typer.Option(
        None,
        "--carry-forward",
        help="Credit for a wrong answer that follows from the file's own wrong answers: full (default), half or none.",
    ),
    reveal: bool = typer.Option(
        False, "--reveal", help="With --format gradescope: show students the expected value of a wrong answer."
    ),
    json_output: bool = typer.Option(False, "--json", help="Shortcut for --format json."),
    full: bool = typer.Option(
        False, "--full", help="Print every entry of big matrices instead of eliding them (in --json too)."
    ),
    steps: int | None = STEPS_OPTION,
    show_step: int = typer.Option(1, "--show-step", help="Which step the answers are for."),
    follow_symlinks: bool = typer.Option(
        False, "--follow-symlinks", help="Grade answer files that are symbolic links (by default they are not graded)."
    ),
    allow_large: bool = ALLOW_LARGE_OPTION,
    no_color: bool = NO_COLOR_OPTION,
    output: str | None = OUTPUT_OPTION,
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
    derivative, ReLU'(0) taken as 1...); one that follows from the file's own
    wrong answers (z2 from its a1) says so and gets --carry-forward credit.
    The config's grading: {min_rtol: ..., expect: ..., carry_forward: ...}
    sets the defaults of --min-rtol, --expect and --carry-forward; its ask: [a1,
    {name: W1n, points: 4, partial: true}, ...] says exactly what is graded
    and what each answer is worth (then without --expect).

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

    With --variants DIR, every argument is an answers file, graded against
    its own student's variant, DIR/<id>.yaml: the id is the file's student:
    key, else its name (s101.yaml), else --metadata's users[0].sid or email.
    A file whose student has no variant, or that names none, is not gradable
    (exit 2); the others are graded.

    Example: mlpstep check configs/seed.yaml answers.yaml
    """
    from ..grade.answers import most_values
    from ..grade.checking import asked_of, expected_of, tolerance_of
    from ..grade.grading import grade_file
    from ..loading.reader import Untrusted
    from ..quantities import answer_names

    form = CheckFormat.json if json_output else output_format
    files = answers or []
    if variants is not None:
        config, files = None, [config, *files]
    _refuse_option_mistakes(form, config, files, rtol, atol, min_rtol, metadata, reveal)
    default = "all" if len(files) > 1 or form is CheckFormat.gradescope else "none"
    columns: dict = {}  # the gradebook's question columns: the config's (or the template's) asked, else expected

    def graded(config: str, sources: list[str]) -> list:
        trace = stepped(config, steps, show_step, allow_large)
        refuse_overwriting_inputs(output, [config, *files, *trace.problem.files])
        names = answer_names(trace)
        asked = asked_of(trace.problem, names, expect)
        expected = expected_of(expect, trace.problem, names, default)
        tolerance = tolerance_of(rtol, atol, min_rtol, trace.problem)
        untrusted = Untrusted(most_values(trace), follow_symlinks)
        carry = carry_forward.value if carry_forward else trace.problem.carry_forward or "full"
        columns.setdefault("paths", {path: q.name for path, q in asked.items()} if asked else dict.fromkeys(expected))
        return [grade_file(trace, source, names, tolerance, expected, untrusted, asked, carry) for source in sources]

    if variants is None:
        results = graded(config, files)
    else:
        results = _graded_variants(variants, files, metadata, follow_symlinks, graded)
    _report(results, form, (full, reveal, allow_large, no_color), output, columns.get("paths") or None)
    if any(graded.invalid for graded in results):
        raise typer.Exit(Exit.INVALID)
    raise typer.Exit(Exit.OK if all(graded.correct == graded.total for graded in results) else Exit.WRONG)


def _graded_variants(folder: str, files: list[str], metadata: str | None, follow_symlinks: bool, graded) -> list:
    """Each file graded by ``graded(variant, [file])`` against its student's variant in ``folder`` (each
    variant's step computed once), or not gradable with the reason."""
    from pathlib import Path

    from ..errors import OptionError, excerpt
    from ..grade.grading import Graded
    from ..grade.students import metadata_ids, student_of

    if not Path(folder).is_dir():
        raise OptionError("--variants", f"{excerpt(folder)} is not a folder; give the folder mlpstep variants wrote")
    ids = metadata_ids(metadata) if metadata is not None else []
    variant_of = {path.name[: -len(".yaml")]: str(path) for path in Path(folder).glob("*.yaml")}
    by_student: dict[str, list[str]] = {}
    reasons = {}
    for source in files:
        student, why = student_of(source, variant_of.__contains__, excerpt(folder), ids, follow_symlinks)
        if student is None:
            reasons[source] = f"not gradable: {why}"
        else:
            by_student.setdefault(student, []).append(source)
    done = {}
    for student, sources in by_student.items():
        for source, result in zip(sources, graded(variant_of[student], sources)):
            result.student = student  # the gradebook's student column
            done[source] = result
    return [done[source] if source in done else Graded(source, error=reasons[source]) for source in files]


def _refuse_option_mistakes(
    form: CheckFormat,
    config: str | None,
    answers: list[str],
    rtol: float | None,
    atol: float | None,
    min_rtol: float | None,
    metadata: str | None,
    reveal: bool = False,
) -> None:
    """Options that cannot go together, or tolerances that are no tolerance, before any work."""
    from ..errors import OptionError

    if reveal and form is not CheckFormat.gradescope:
        raise OptionError("--reveal", "--reveal shows expected values in --format gradescope only")
    if config is not None and not answers:
        raise OptionError("", "give the answers files after CONFIG (or --variants DIR, then the answers files)")
    if config is None and "-" in answers:
        raise OptionError("--variants", "answers files are read twice (whose, then the answers); - cannot be")
    if metadata is not None and config is not None:
        raise OptionError("--metadata", "says whose answers a file holds, for --variants; give --variants DIR")
    if form is CheckFormat.gradescope and len(answers) != 1:
        raise OptionError(
            "", "--format gradescope grades one answers file (Gradescope runs the autograder once per submission)"
        )
    if [config, *answers].count("-") > 1:
        raise OptionError("", "only one of CONFIG and ANSWERS can be - (standard input)")
    for value, flag in ((rtol, "--rtol"), (atol, "--atol"), (min_rtol, "--min-rtol")):
        if value is not None and not 0 <= value < float("inf"):
            raise OptionError(flag, f"{value} is not a tolerance; give a number >= 0")
    if min_rtol is not None and (rtol is not None or atol is not None):
        raise OptionError(
            "",
            "--min-rtol is the floor of the written-precision rule, which --rtol/--atol replace; give one or the other",
        )


def _report(results: list, form: CheckFormat, flags: tuple, output: str | None, columns: dict | None) -> None:
    """The results as a table, JSON, Gradescope's results.json or a CSV gradebook (a column per
    path of ``columns``, headed by its name, else per answer given), priced (see mlpstep.limits) first. One file that
    cannot be graded is an error line in a table. ``flags``: --full, --reveal, --allow-large, --no-color."""
    full, reveal, allow_large, no_color = flags
    from ..errors import AnswerError, excerpt
    from ..limits import MAX_DRAWN, MAX_PRINTED, check_output

    if form is CheckFormat.table and len(results) == 1 and results[0].error:
        raise AnswerError(excerpt(results[0].file), results[0].error)
    if form is CheckFormat.table:
        from ..grade.report import drawn_cells, print_report

        if full and len(results) == 1:
            check_output(drawn_cells(results[0], full), MAX_DRAWN, "--full", allow_large)
        with console(no_color, output) as shown:
            print_report(results, console=shown, full=full)
        return
    from ..grade.report import json_size, to_csv, to_gradescope, to_json

    if form is CheckFormat.csv:
        emit(to_csv(results, columns), output)
    elif form is CheckFormat.json:
        check_output(json_size(results, full), MAX_PRINTED, "--full" if full else "--json", allow_large)
        emit(json_text(to_json(results, full)), output)
    else:
        emit(json_text(to_gradescope(results[0], reveal)), output)
