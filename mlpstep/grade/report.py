"""Reports of graded answers: tables for people, JSON and Gradescope's results.json for tools."""

from __future__ import annotations

import numpy as np

from .grading import REPORTED, Graded

INDENT = 4
"""Spaces before the expected and given matrices of a wrong answer."""


SUMMARY_NAMES = 12
"""Most wrong answers a row of the class summary names (then how many more)."""
SUMMARY_PROBLEMS = 3
"""Most problems (unknown names, ...) a row of the class summary names (then how many more)."""
WRONG_CELLS = 20
"""Most wrong cells a Gradescope test names (then how many more)."""
REVEALED = 400
"""Most numbers of an expected value a Gradescope test shows with --reveal."""


def to_json(results: list[Graded], full: bool = False) -> dict:
    """Every file's answers, with at most grading.REPORTED numbers of values a file unless ``full``,
    and a summary of them all."""
    return {"summary": summary(results), "files": [graded.to_dict(full) for graded in results]}


def summary(results: list[Graded]) -> dict:
    """How the files did: how many were graded, how many could not be, and the mean score (points;
    without ``ask``, answers right) and fraction of the points earned over the files graded (None
    when none was)."""
    graded = [file for file in results if not file.error]
    fractions = [file.score / file.max_score for file in graded if file.max_score]
    return {
        "files": len(results),
        "graded": len(graded),
        "not_gradable": len(results) - len(graded),
        "all_correct": sum(file.correct == file.total > 0 for file in graded),  # nothing graded is not all correct
        "with_problems": sum(bool(file.problems) for file in graded),
        "mean_score": sum(file.score for file in graded) / len(graded) if graded else None,
        "mean_fraction": sum(fractions) / len(fractions) if fractions else None,
    }


def json_size(results: list[Graded], full: bool) -> int:
    """How many numbers ``to_json(results, full)`` holds at most, counted without making it."""
    sizes = [sum(answer.size for answer in graded.answers) for graded in results]
    return sum(sizes) if full else sum(min(REPORTED, size) for size in sizes)


def drawn_cells(graded: Graded, full: bool) -> int:
    """How many cells ``print_report`` draws for one file: the wrong answers' matrices."""
    return sum(_cells(answer, full) for answer in graded.answers)


def _cells(answer, full: bool) -> int:
    """The cells of one answer's matrices as a file's report draws them (none when it is correct)."""
    from ..limits import BLOCK_CELLS
    from ..present.text import shown

    if answer.correct:
        return 0
    return (
        shown(answer.expected, full)
        + BLOCK_CELLS
        + (0 if answer.given is None else shown(answer.given, full) + BLOCK_CELLS)
    )


def to_gradescope(graded: Graded, reveal: bool = False) -> dict:
    """Gradescope's autograder results (results.json): one test per answer (per question the
    config asks), each worth its points and shown as the question's visibility says.

    Students see these, so a wrong answer shows the verdict, the wrong cells and the hint, never
    the expected values (unless ``reveal``). The autograder's stdout stays hidden."""
    tests = [
        {
            "name": f"{answer.path} ({answer.written_as})" if answer.written_as != answer.path else answer.path,
            "score": answer.points,
            "max_score": answer.max_points,
            "status": "passed" if answer.correct else "failed",
            "visibility": answer.visibility,
            "output": "\n".join(_test_lines(answer, reveal)),
        }
        for answer in graded.answers
    ]
    if graded.error:
        output = f"error: {graded.error}"
    else:
        score = f"{graded.correct}/{graded.total} answers correct"
        if graded.in_points:
            score = f"{points_text(graded.score, graded.max_score)} points ({score})"
        output = "\n".join([score, *graded.problems])
    return {"score": graded.score, "output": output, "stdout_visibility": "hidden", "tests": tests}


def _test_lines(answer, reveal: bool) -> list[str]:
    """A Gradescope test's output: the verdict, the wrong cells (20 at most), the hint, and the
    expected value only when ``reveal``."""
    from ..yamltext import flow

    lines = ["correct" if answer.correct else "wrong"]
    if answer.partial and answer.points and not answer.correct:
        right, points = int((~answer.wrong).sum()), points_text(answer.points, answer.max_points)
        lines[0] = f"partly right: {right} of {answer.wrong.size} entries ({points} points)"
    if answer.wrong is not None and answer.wrong.ndim:
        wrong = np.argwhere(answer.wrong)
        cells = [answer.written_as + "".join(f"[{i}]" for i in index) for index in wrong[:WRONG_CELLS]]
        more = f", and {len(wrong) - WRONG_CELLS:,} more" if len(wrong) > WRONG_CELLS else ""
        lines.append(f"wrong entries: {', '.join(cells)}{more}")
    if answer.hint:
        lines.append(f"hint: {answer.hint}")
    if reveal and not answer.correct:
        shown = (
            flow(answer.expected.tolist(), lambda v: f"{float(v):.6g}")
            if answer.expected.size <= REVEALED
            else (f"{answer.expected.size:,} numbers (see the key)")
        )
        lines.append(f"expected: {shown}")
    return lines


def to_csv(results: list[Graded], questions: dict[str, str | None] | None = None) -> str:
    """A gradebook: one row per file (file, student, score, max_score), then the points of each
    question (``questions``: paths to the names heading their columns, None for the notebook's;
    else every answer any file gave, in order). A cell that a
    spreadsheet would take for a formula (file names are the students') is quoted with a '."""
    import csv
    import io

    from ..quantities import notebook_name

    if questions is None:
        questions = dict.fromkeys(answer.path for graded in results for answer in graded.answers)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    headers = [name or notebook_name(path) for path, name in questions.items()]
    writer.writerow(["file", "student", "score", "max_score", *map(_inert, headers)])
    for graded in results:
        points = {answer.path: points_number(answer.points) for answer in graded.answers}
        cells = [graded.file, graded.student or "", points_number(graded.score), points_number(graded.max_score)]
        writer.writerow([_inert(cell) for cell in cells] + [points.get(path, "") for path in questions])
    return out.getvalue()


def _inert(cell: str) -> str:
    """``cell``, with a ' before a first character that makes a spreadsheet read it as a formula."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def points_text(score: float, max_score: float) -> str:
    """``7.5/10``: points as a person writes them (at most 3 decimals)."""
    return f"{points_number(score)}/{points_number(max_score)}"


def points_number(x: float) -> str:
    """``7.5``, ``10``, ``3.333``."""
    return f"{x:.3f}".rstrip("0").rstrip(".")


def print_report(results: list[Graded], console=None, full: bool = False) -> None:
    """One file: every answer, with expected and given side by side for wrong ones. Many: a summary table.

    A single file that could not be graded is the CLI's one-line error, not a report.
    """
    from rich.console import Console

    console = console or Console()
    if len(results) == 1:
        _print_file(results[0], console, full)
    else:
        _print_summary(results, console)


def _print_file(graded: Graded, console, full: bool) -> None:
    """Every answer of one file. Names are ones mlpstep knows; the file's name is escaped."""
    from rich.text import Text

    from ..errors import excerpt
    from ..limits import MAX_DRAWN
    from ..present.render import matrix_block, print_lines, side_by_side

    left, undrawn = MAX_DRAWN, 0  # without --full a student's file may not make the report huge
    for answer in graded.answers:
        mark = ("✓ ", "bold green") if answer.correct else ("✗ ", "bold red")
        name = answer.written_as if answer.written_as == answer.path else f"{answer.written_as} ({answer.path})"
        line = Text.assemble(mark, (name, "bold"))
        if graded.weighted:
            line.append(f"   {points_text(answer.points, answer.max_points)} points")
        if answer.hint:
            line.append(f"   {answer.hint}", style="yellow")
        console.print(line, soft_wrap=True)
        cells = _cells(answer, full)
        if cells > left and not full:
            undrawn += 1
        elif not answer.correct:
            left -= cells
            room = None if full else max(console.width - INDENT, 20)  # a wide matrix keeps the columns that fit
            blocks = [matrix_block(answer.expected, "expected", full, width=room)]
            if answer.given is not None:
                blocks.append(matrix_block(answer.given, "given", full, answer.wrong, texts=answer.texts, width=room))
            indented = [[Text(" " * INDENT) + line for line in block] for block in blocks]
            print_lines(console, side_by_side(indented, console.width))
    if graded.problems:
        console.print()
    for problem in graded.problems:
        console.print(Text.assemble(("! ", "bold red"), (problem, "red")), soft_wrap=True)
    if graded.names:
        console.print(Text(graded.names, style="dim"), soft_wrap=True)
    score_style = "bold green" if graded.correct == graded.total else "bold red"
    score = Text.assemble(
        "\n", (excerpt(graded.file), "bold"), ": ", (f"{graded.correct}/{graded.total}", score_style), " correct"
    )
    if graded.in_points:
        score = Text.assemble(
            "\n", (excerpt(graded.file), "bold"), ": ", (points_text(graded.score, graded.max_score), score_style),
            f" points ({graded.correct}/{graded.total} correct)",
        )  # fmt: skip
    if graded.unanswered:
        from ..quantities import split_key

        values = graded.unanswered + len({split_key(answer.path)[0] for answer in graded.answers})  # entries: one
        score.append(f"; {graded.unanswered} of {values} values not answered (--expect all counts them)")
    console.print(score, soft_wrap=True)
    if any(answer.wrong is not None and answer.wrong.any() for answer in graded.answers):
        console.print(Text("* marks the wrong cells", style="dim"))
    if undrawn:
        console.print(
            Text(
                f"the matrices of {undrawn:,} wrong answers are not drawn (over {MAX_DRAWN:,} cells); --json has them",
                style="dim",
            ),
            soft_wrap=True,
        )


def _print_summary(results: list[Graded], console) -> None:
    from rich.text import Text

    from ..present.render import boxed_table, print_lines
    from ..present.text import first_of

    rows = []
    for graded in results:
        score = points_text(graded.score, graded.max_score) if graded.in_points else f"{graded.correct}/{graded.total}"
        if graded.error:
            rows.append(
                [(graded.file, ""), ("-" if not graded.total else score, "red"), (f"error: {graded.error}", "red")]
            )
            continue
        names = [answer.written_as for answer in graded.answers if not answer.correct and not answer.missing]
        missing = sum(answer.missing for answer in graded.answers)
        wrong = first_of(names, SUMMARY_NAMES)
        problems = graded.problems
        note = first_of(problems, SUMMARY_PROBLEMS, "; ")
        parts = (wrong, missing and f"{missing:,} not answered", note and f"problems: {note}")
        text = "; ".join(part for part in parts if part)
        rows.append([(graded.file, ""), (score, "red" if text else "green"), (text, "red" if problems else "")])
    counts = summary(results)
    lines = boxed_table(["file", "score", "wrong answers"], rows, console.width)
    lines.append(Text(f"{counts['files']} files: {counts['all_correct']} all correct, "
                      f"{counts['graded'] - counts['all_correct']} with wrong answers, {counts['not_gradable']} not "
                      f"gradable"
                      + (f", {counts['with_problems']} with problems" if counts["with_problems"] else "")))  # fmt: skip
    print_lines(console, lines)
