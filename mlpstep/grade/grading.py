"""Grade answers against a computed step: one answer, one file of them, a file that cannot be read.

When a number is right is tolerance.py's to say; what a wrong answer matches instead is hints.py's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError, excerpt
from ..loading.reader import Untrusted, parse_text
from ..model import Question, Trace, shape_text
from ..quantities import entry_key, expected_value, notebook_name, quantity_shapes, split_key, values_of
from .answers import Given, Submission, answers_of, read_answers, valid_names
from .hints import hint, shape_rule
from .tolerance import Tolerance

REPORTED = 10_000
"""Most numbers of expected and given values check's JSON report shows for one file without --full."""


@dataclass
class Answer:
    """One graded answer."""

    path: str  # e.g. "updated.W1"
    written_as: str  # the name the file used, e.g. "W1n"
    correct: bool
    expected: np.ndarray
    given: np.ndarray | None  # in the expected shape when it was only written flat; None when missing
    wrong: np.ndarray | None = None  # mask over expected's cells; None when the shapes differ
    hint: str | None = None
    texts: np.ndarray | None = None  # each given number as written ("0.10"), shaped as ``given``
    missing: bool = False  # asked for (or left blank) and not answered
    max_points: float = 1.0  # what it is worth (its question's points; 1 without ask)
    partial: bool = False  # points in proportion to the correct cells
    visibility: str = "visible"  # when Gradescope shows it to the student
    halves: np.ndarray | None = None  # half a unit of each given number's last written digit, shaped as ``given``
    credit: float | None = None  # the share of its points a wrong answer earns as an error carried forward

    @property
    def points(self) -> float:
        """The points it earns: all when correct; with ``partial``, its share of correct cells
        (none when its shape is wrong or it is missing); else none."""
        if self.correct:
            return self.max_points
        if self.credit is not None:
            return self.max_points * self.credit
        if not self.partial or self.wrong is None or not self.wrong.size:
            return 0.0
        return self.max_points * float((~self.wrong).sum()) / self.wrong.size

    @property
    def name(self) -> str:
        """Its JSON path, as check --json names it."""
        return self.path

    @property
    def size(self) -> int:
        """How many numbers its expected and given values hold."""
        return self.expected.size + (0 if self.given is None else self.given.size)

    def to_dict(self, values: bool = True) -> dict:
        """Plain data; without ``values``, the expected and given values are left out (null, with
        ``"elided": true``)."""
        out = {"name": self.path, "written_as": self.written_as, "correct": self.correct}
        out["expected"] = self.expected.tolist() if values else None
        out["given"] = None if not values or self.given is None else self.given.tolist()
        if not values:
            out["elided"] = True
        out["hint"] = self.hint
        out["points"], out["max_points"] = self.points, self.max_points
        return out


@dataclass
class Graded:
    """The answers of one file, the problems found in it, or why it could not be graded at all.

    ``expected`` is how many answers the file was asked for (0: only what it answered);
    ``unanswered`` how many values of the step it left out when nothing was asked; ``names``
    the names it may use, when it used an unknown one; ``possible`` the points it could have
    earned when it could not be read; ``weighted`` whether a config's ``ask`` set the points."""

    file: str
    answers: list[Answer] = field(default_factory=list)
    error: str | None = None
    problems: list[str] = field(default_factory=list)
    expected: int = 0
    unanswered: int = 0
    names: str | None = None
    student: str | None = None  # the student id the file gives, when it gives one
    possible: float = 0.0
    weighted: bool = False

    @property
    def score(self) -> float:
        """The points earned: without ``ask``, the answers right."""
        return float(sum(answer.points for answer in self.answers))

    @property
    def in_points(self) -> bool:
        """Does its score read as points: when the config's ask set them, or an error carried
        forward earned some (else the answers right say it all)?"""
        return self.weighted or self.score != self.correct

    @property
    def max_score(self) -> float:
        """The points it could earn: without ``ask``, the answers graded."""
        return self.possible if self.error else sum(answer.max_points for answer in self.answers)

    @property
    def correct(self) -> int:
        return sum(answer.correct for answer in self.answers)

    @property
    def total(self) -> int:
        """The answers graded; for a file that could not be read, the answers it was asked for."""
        return self.expected if self.error else len(self.answers)

    @property
    def invalid(self) -> bool:
        """Could some of it not be graded (exit code 2)?"""
        return bool(self.error or self.problems)

    def _repr_html_(self) -> str:
        """In a notebook: the score, then a row per answer (its name, right or not, points, expected,
        given and hint)."""
        from html import escape

        from ..present.sheet_html import matrix_table as table

        score = f"{self.score:g} / {self.max_score:g}" + " points" * self.in_points
        head = f"<p><b>{escape(self.file)}</b>: {score}" + "".join(
            f"<br/>{escape(line)}" for line in filter(None, [self.error, *self.problems])
        )
        cells = ["answer", "", "points", "expected", "given", "hint"]
        rows = ["<tr>" + "".join(f"<th>{cell}</th>" for cell in cells) + "</tr>"]
        for answer in self.answers:
            given = "missing" if answer.given is None else table(answer.given)
            values = [f"<code>{escape(answer.written_as)}</code>", "✓" if answer.correct else "✗",
                      f"{answer.points:g} / {answer.max_points:g}", table(answer.expected), given,
                      escape(answer.hint or "")]  # fmt: skip
            rows.append("<tr>" + "".join(f"<td>{value}</td>" for value in values) + "</tr>")
        return f"{head}</p>\n<table>{''.join(rows)}</table>\n"

    def to_dict(self, full: bool = True) -> dict:
        """Plain data. Without ``full``, the answers show at most REPORTED numbers of expected and
        given values in all, in order; the rest are elided: a class's report would otherwise repeat
        a big network's values for every file that answered with a single number."""
        left, answers = REPORTED, []
        for answer in self.answers:
            shown = full or answer.size <= left
            left -= answer.size if shown else 0
            answers.append(answer.to_dict(shown))
        whose = {} if self.student is None else {"student": self.student}  # graded as this student's (--variants)
        return {"file": self.file, **whose, "correct": self.correct, "total": self.total, "score": self.score,
                "max_score": self.max_score, "error": self.error, "problems": self.problems,
                "unanswered": self.unanswered, "answers": answers}  # fmt: skip


def grade_file(
    trace: Trace,
    source: str,
    names: dict[str, str],
    tolerance: Tolerance = Tolerance(),
    expect: list[str] = (),
    untrusted: Untrusted | None = None,
    asked: dict[str, Question] | None = None,
    carry: str = "full",
    text: bytes | None = None,
) -> Graded:
    """Read and grade one answers file (``-``: stdin) for the step ``trace`` shows. ``names`` is
    ``answer_names(trace)``; ``expect`` the paths every file must answer (a missing one is wrong);
    ``untrusted`` the limits the file is read under; ``asked`` the config's questions by path:
    then exactly those are graded, in their order, for their points (``expect`` is ignored);
    ``carry`` the credit of an error carried forward (carry.CREDIT); ``text`` the answers as
    YAML or JSON, then ``source`` only names them."""
    from .carry import carry_forward

    label = "stdin" if source == "-" else source
    expect = list(asked) if asked is not None else expect
    possible = sum(q.points for q in asked.values()) if asked is not None else float(len(expect))
    try:
        shapes = quantity_shapes(trace.problem)
        if text is None:
            submission = read_answers(source, names, trace.shown, untrusted, shapes)
        else:
            submission = answers_of(parse_text(text, label, keep_text=True), label, names, trace.shown, shapes)
    except ConfigError as e:
        message, shown = str(e), excerpt(label) + ": "
        error = message.removeprefix(shown)
        return Graded(label, error=error, expected=len(expect), possible=possible, weighted=asked is not None)
    answers = grade(trace, submission, tolerance, expect)
    carry_forward(trace, answers, tolerance, carry)
    if asked is not None:
        answers = priced(answers, asked)
    answered = {split_key(answer.path)[0] for answer in answers}  # a value or one of its entries
    unanswered = 0 if expect else len(set(values_of(names)) - answered)
    help = valid_names(names) if submission.unknown else None
    return Graded(label, answers, problems=submission.problems, expected=len(expect), unanswered=unanswered,
                  names=help, weighted=asked is not None)  # fmt: skip


def priced(answers: list[Answer], asked: dict[str, Question]) -> list[Answer]:
    """The answers to the questions ``asked`` (by path), in their order, each worth its points."""
    by_path = {answer.path: answer for answer in answers}
    out = []
    for path, question in asked.items():
        answer = by_path[path]  # every asked path is graded: a missing one as missing
        answer.max_points, answer.partial, answer.visibility = question.points, question.partial, question.visibility
        out.append(answer)
    return out


def grade(
    trace: Trace, submission: Submission, tolerance: Tolerance = Tolerance(), expect: list[str] = ()
) -> list[Answer]:
    """Grade each answer of ``submission``; blank answers, answers that could not be read and
    paths in ``expect`` with no answer count as wrong."""
    graded = [grade_one(trace, path, given, tolerance) for path, given in submission.answers.items()]
    for path, why in submission.invalid.items():
        graded.append(
            Answer(path, notebook_name(path), False, expected_value(trace, path), None, hint=f"not graded: {why}")
        )
    given = {*submission.answers, *submission.invalid}
    missing = [*submission.blank, *(key for path in expect for key in _unanswered(trace, path, given))]
    for path in dict.fromkeys(missing):
        if path not in given:
            expected = expected_value(trace, path)
            graded.append(
                Answer(path, notebook_name(path), False, expected, None, hint="missing: no answer given", missing=True)
            )
    return graded


def _unanswered(trace: Trace, path: str, given: set[str]) -> list[str]:
    """What of the value (or entry) ``path`` asked for is not answered: nothing when it is answered
    whole or entry by entry, the entries left out when only some are, else the value itself."""
    if path in given or "[" in path:
        return [path]
    entries = [entry_key(path, index) for index in np.ndindex(np.shape(expected_value(trace, path)))]
    answered = [key for key in entries if key in given]
    return [key for key in entries if key not in given] if answered else [path]


def grade_one(trace: Trace, path: str, given: Given, tolerance: Tolerance) -> Answer:
    """Grade the answer ``given`` for ``path``: a value, or one entry (``updated.W1[0][1]``), a
    number graded as that cell of the whole value would be (the floor's absolute part is relative
    to the largest value of the whole)."""
    expected = expected_value(trace, path)
    whole, index = split_key(path)
    scale = None if index is None else float(np.abs(expected_value(trace, whole)).max(initial=0.0))
    values, halves, texts = given.values, given.half_units, given.texts
    if (
        values.ndim < 2
        and values.shape != expected.shape
        and values.size == expected.size
        and _squeezed(expected)
        in (
            values.shape,
            (),
        )
    ):  # a column (or a row) written flat, a 1x1 written as a number
        values, halves, texts = (array.reshape(expected.shape) for array in (values, halves, texts))
    answer = Answer(path, given.written_as, False, expected, values, texts=texts, halves=halves)
    if values.shape != expected.shape:
        if (
            values.ndim == 2
            and values.T.shape == expected.shape
            and tolerance.close(values.T, expected, halves.T).all()
        ):
            answer.hint = f"transposed: this is {notebook_name(path)}ᵀ; {shape_rule(trace, path)}"
        else:
            answer.hint = f"shape {shape_text(values.shape)}, but {notebook_name(path)} is {shape_text(expected.shape)}"
        return answer
    close = tolerance.close(values, expected, halves, scale)
    answer.correct = bool(close.all())
    if not answer.correct:
        answer.wrong = ~close
        answer.hint = hint(trace, path, values, halves, tolerance)
    return answer


def _squeezed(array: np.ndarray) -> tuple[int, ...]:
    return tuple(n for n in array.shape if n != 1)
