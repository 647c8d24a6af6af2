"""mlpstep run: one step (or several) and every intermediate, as tables, JSON, Markdown, LaTeX or HTML."""

from enum import Enum

import typer

from .options import ALLOW_LARGE_OPTION, NO_COLOR_OPTION, OUTPUT_OPTION, STEPS_OPTION, stepped
from .output import console, emit, json_text, refuse_overwriting_inputs


class RunFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    latex = "latex"
    html = "html"


EXPLAIN_OPTION = typer.Option(
    None, "--explain", metavar="[ENTRY]",
    help="Under each matrix, its formula for one entry with the numbers plugged in, and the loss worked out; "
         "or for the entries named, as the worked lines name them: --explain 'W1[1,0] dL/dz1[2,0]' (repeatable).",
)  # fmt: skip


def explain_values(argv: list[str]) -> list[str]:
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


def _an_entry(word: str) -> bool:
    """Is the word after ``--explain`` an entry (``W1[1,0]``, ``loss``) rather than the config?"""
    import os

    if "[" in word:
        return True
    return not word.startswith("-") and not word.endswith((".yaml", ".yml", ".json")) and not os.path.exists(word)


def run(
    config: str = typer.Argument(..., help="YAML or JSON config file, or - to read standard input."),
    output_format: RunFormat = typer.Option(
        RunFormat.table, "--format", help="table, json, markdown, latex or html (one page, a formula on every cell)."
    ),
    json_output: bool = typer.Option(
        False, "--json", help="Shortcut for --format json: every value at full precision."
    ),
    only: str | None = typer.Option(
        None,
        "--only",
        help="Print only these, comma-separated: JSON paths or sections (grads.W1,updated) or names (a1, W1n).",
    ),
    precision: int = typer.Option(
        8, "--precision", min=1, max=17, help="Significant digits in tables, Markdown and LaTeX (JSON keeps them all)."
    ),
    explain: list[str] | None = EXPLAIN_OPTION,
    full: bool = typer.Option(False, "--full", help="Print every entry of big matrices instead of eliding them."),
    standalone: bool = typer.Option(
        False, "--standalone", help="With --format latex: a whole document for pdflatex, not a snippet."
    ),
    steps: int | None = STEPS_OPTION,
    show_step: int = typer.Option(1, "--show-step", help="Which step's intermediates to show."),
    allow_large: bool = ALLOW_LARGE_OPTION,
    no_color: bool = NO_COLOR_OPTION,
    output: str | None = OUTPUT_OPTION,
) -> None:
    """Run a training step and print every intermediate.

    With several steps (steps: N in the config, or --steps N), the loss of
    every step is listed and the parameters after the last one are shown; the
    full trace is the first step's, or --show-step K's.

    Examples: mlpstep run configs/seed.yaml --json | jq .updated.W1
              mlpstep run configs/seed.yaml --format latex --only grads -o grads.tex
              mlpstep run configs/seed.yaml --format latex --standalone --explain | pdflatex
    """
    from ..errors import OptionError
    from ..limits import MAX_PRINTED, check_output

    trace = stepped(config, steps, show_step, allow_large)
    refuse_overwriting_inputs(output, [config, *trace.problem.files])
    if json_output and output_format not in (RunFormat.table, RunFormat.json):
        raise OptionError("", f"--json and --format {output_format.value} ask for two formats; give one")
    form = RunFormat.json if json_output else output_format
    if standalone and form is not RunFormat.latex:
        raise OptionError("--standalone", f"a whole document is LaTeX; add --format latex, not {form.value}")
    if form is RunFormat.json and only is None and explain is None:  # the common scripted case skips the document model
        check_output(trace.size(), MAX_PRINTED, "--json", allow_large)
        emit(json_text(trace.to_dict()), output)
        return
    parts = _document(trace, form, only, explain, full, allow_large)
    _write(trace, parts, form, precision, full, no_color, output, standalone)


def _document(
    trace, form: RunFormat, only: str | None, explain: list[str] | None, full: bool, allow_large: bool
) -> list:
    """The sections to write: those ``--only`` names, with the worked lines ``--explain`` asks for,
    priced (see mlpstep.limits) before they are worked out."""
    from ..limits import BLOCK_CELLS, LINE_CELLS, MAX_DRAWN, MAX_PRINTED, check_output
    from ..present.document import explained, picked, sections, select, shown_cells

    parts, chosen = sections(trace), {}
    if only is not None:
        parts = select(trace, parts, [name.strip() for name in only.split(",") if name.strip()])
    if explain is not None:
        chosen = picked(trace, parts, explain)
    worked = 0 if form is RunFormat.json else LINE_CELLS * sum(map(len, chosen.values()))  # JSON has no worked lines
    if form is RunFormat.table:
        drawn = shown_cells(parts, full) + BLOCK_CELLS * sum(len(part.entries) for part in parts) + worked
        check_output(drawn, MAX_DRAWN, "--full" if full else "--format table", allow_large)
    elif form is RunFormat.html:  # every cell carries its worked line
        check_output((1 + LINE_CELLS) * shown_cells(parts, full) + worked, MAX_PRINTED, "--format html", allow_large)
    else:
        check_output(
            shown_cells(parts, full or form is RunFormat.json) + worked,
            MAX_PRINTED,
            f"--format {form.value}",
            allow_large,
        )
    return explained(trace, parts, chosen) if worked else parts


def _write(
    trace, parts: list, form: RunFormat, precision: int, full: bool, no_color: bool, output: str | None, whole: bool
) -> None:
    if form is RunFormat.json:
        from ..present.document import select_dict

        emit(json_text(select_dict(trace.to_dict(), parts)), output)
    elif form is RunFormat.markdown:
        from ..present.markdown import markdown

        emit(markdown(trace, parts, precision, full), output)
    elif form is RunFormat.html:
        from ..present.html import html

        emit(html(trace, parts, precision, full), output)
    elif form is RunFormat.latex:
        from ..present.latex import latex, network_line, standalone

        text = latex(trace, parts, precision, full)
        emit(standalone(network_line(trace.network) + "\n\n" + text, "One training step") if whole else text, output)
    else:
        from ..present.render import print_trace

        with console(no_color, output) as shown:
            print_trace(trace, parts, full=full, precision=precision, console=shown)
