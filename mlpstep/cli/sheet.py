"""mlpstep sheet: a printable problem sheet for a config, or its worked solution."""

from enum import Enum

import typer

from .options import ALLOW_LARGE_OPTION, OUTPUT_OPTION, STEPS_OPTION, stepped
from .output import emit, refuse_overwriting_inputs


class SheetFormat(str, Enum):
    latex = "latex"
    markdown = "markdown"
    html = "html"


def sheet(
    config: str = typer.Argument(..., help="YAML or JSON config file, or - to read standard input."),
    solution: bool = typer.Option(
        False, "--solution", help="The worked solution: every answer's formula, its numbers and the result."
    ),
    output_format: SheetFormat = typer.Option(
        SheetFormat.latex, "--format", help="latex (a whole document), markdown or html (one page)."
    ),
    precision: int = typer.Option(8, "--precision", min=1, max=17, help="Significant digits of the values."),
    steps: int | None = STEPS_OPTION,
    allow_large: bool = ALLOW_LARGE_OPTION,
    output: str | None = OUTPUT_OPTION,
) -> None:
    """Write a printable problem sheet, or with --solution its worked answers.

    The sheet states the network (with its diagram), the conventions, the
    givens and the questions (the config's ask: list, else every value of the
    step), each with an empty box of its shape; with --solution, each answer's
    formula, the numbers plugged in and the result.

    Example: mlpstep sheet configs/seed.yaml --solution -o seed.tex && pdflatex seed.tex
    """
    from ..present.sheet import sheet as sheet_of

    trace = stepped(config, steps, 1, allow_large)
    refuse_overwriting_inputs(output, [config, *trace.problem.files])
    asked = None
    if trace.problem.ask:
        from ..grade.answers import asked_paths
        from ..quantities import answer_names, quantity_shapes

        questions = asked_paths(trace.problem.ask, answer_names(trace), quantity_shapes(trace.problem))
        asked = {key: question.points for key, question in questions.items()}
    document = sheet_of(trace, solution, asked)
    _price(document, output_format, allow_large)
    if output_format is SheetFormat.markdown:
        from ..present.markdown import markdown_sheet

        emit(markdown_sheet(document, precision), output)
    elif output_format is SheetFormat.html:
        from ..present.sheet_html import html_sheet

        emit(html_sheet(document, precision), output)
    else:
        from ..present.latex import latex_sheet

        emit(latex_sheet(document, precision), output)


def _price(document, output_format: SheetFormat, allow_large: bool) -> None:
    """Refuse a sheet past the numbers ``run`` writes (see mlpstep.limits), as ``run`` does."""
    from ..limits import LINE_CELLS, MAX_PRINTED, check_output
    from ..present.document import Section, shown_cells

    questions = Section("", tuple(q.entry for q in document.questions))
    worked = LINE_CELLS * sum(len(q.entry.worked) for q in document.questions)
    cells = shown_cells([document.given, questions], False) + worked
    fix = "ask fewer questions (ask: in the config), or add --allow-large"
    check_output(cells, MAX_PRINTED, "--format " + output_format.value, allow_large, fix)
