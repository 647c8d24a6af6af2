"""Answer files: the names they may use, reading them with the precision they
were written in, and writing keys and templates in the same format."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..errors import AnswerError, ConfigError, MlpstepError, OptionError, closest, excerpt, key_text, quoted
from ..loading.reader import Untrusted, Written, read_config
from ..model import Question, Trace, shape_text
from ..quantities import answer_names, answer_paths, expected_value, locate, notebook_name, resolve, values_of
from ..yamltext import flow

RUN_METADATA = ("network", "layout", "given", "optimizer_state", "final_state", "losses", "student")
"""Keys of ``mlpstep run --json`` that are not answers to check (``step`` is checked against the step graded),
and ``student``, whose answers they are (``check --variants``)."""


MAX_NUMBER_TEXT = 64
"""Most characters one number of an answer may be written with (a float64 needs 25)."""
MAX_EXPONENT = 400
"""Largest exponent, by size, a number may be written with: float64 spans 4.9e-324 to 1.8e308."""


_NUMBER_TEXT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


@lru_cache(maxsize=4096)  # a class writes the same few hundred numbers again and again
def half_unit(text: str) -> float | None:
    """Half a unit of the last decimal place written: ``0.40`` -> 0.005, ``2`` -> 0.5, ``6.91e-13`` -> 5e-16.

    It comes from the number's value, not from how its exponent is spelled: ``0e000000`` is 0 and
    allows 0.5 as ``0`` does, ``0.0e9`` allows 0.05 (an exponent adds no precision to zero), and
    ``9e0000001`` is 90. None for a number no float64 holds (``1e-400``, ``0e999``): not a valid answer.
    """
    if not _NUMBER_TEXT.fullmatch(text):  # what the readers let through; anything else is no number
        return None
    mantissa, _, exponent = text.lower().lstrip("+-").partition("e")
    whole, _, fraction = mantissa.partition(".")
    try:
        power = int(exponent or 0)  # the text is short (MAX_NUMBER_TEXT): no digit-limit surprises
    except ValueError:
        return None
    if abs(power) > MAX_EXPONENT:
        return None
    digits = (whole + fraction).lstrip("0")
    if not digits:
        power = min(power, 0)
    else:  # the exponent of the leading digit: 123.4e5 -> 7, 0.0012 -> -3
        leading = (
            power + len(whole.lstrip("0")) - 1
            if whole.lstrip("0")
            else power - (len(fraction) - len(fraction.lstrip("0"))) - 1
        )
        if not -324 <= leading <= 308:  # past float64 either way: inf, or a 0 not written as 0
            return None
    return 0.5 * 10.0 ** (power - len(fraction))


@dataclass
class Given:
    """One answer as written: its values, the text of each number, and half a unit of its last digit."""

    written_as: str
    values: np.ndarray  # shape as written: () for a number, (n,) flat, (r, c)
    half_units: np.ndarray  # same shape
    texts: np.ndarray  # same shape, dtype object: each number as written ("0.10")


@dataclass
class Submission:
    """One answers file: its answers by JSON path, the paths left blank (null), answers that could
    not be read (path -> why), and problems of the file (a line each: an unknown name, a second
    answer for the same value); ``unknown`` is True when a name was not known."""

    answers: dict[str, Given]
    blank: list[str]
    invalid: dict[str, str]
    problems: list[str]
    unknown: bool = False


MAX_ANSWER_VALUES = 1_000_000
"""Most values any answers file may hold: a file at this cap takes about 3.5 s and 300 MB to read
and grade (a second and 120 MiB of it to parse as .json), the key of a 784-300-10 network half that."""


def most_values(trace: Trace) -> int:
    """The most values an answers file for ``trace`` may hold: twice what it could answer (every
    value of the step, and what ``run --json`` adds: what is given, optimizer state and losses),
    for the lists and names around them, and a little more, up to MAX_ANSWER_VALUES. A file past
    that cannot be graded whole."""
    arrays = [expected_value(trace, path) for path in answer_paths(trace)]
    arrays += [
        value for state in (trace.state, trace.final_state) for values in state.values() for value in values.values()
    ]
    arrays += trace.given.values()  # run --json's given: x can outnumber everything else
    # each: its numbers, a list per row and one around them, and its name (as the reader counts: a
    # colon, a comma, a line break)
    spelled = sum(np.size(value) + 2 * (np.shape(value)[0] if np.ndim(value) == 2 else 1) + 4 for value in arrays)
    return min(2 * (spelled + len(trace.losses)) + 1000, MAX_ANSWER_VALUES)


def read_answers(
    source: str,
    names: dict[str, str],
    step: int = 1,
    untrusted: Untrusted | None = None,
    shapes: dict[str, tuple[int, ...]] | None = None,
) -> Submission:
    """The answers of one file.

    ``names`` is ``answer_names(trace)`` and ``step`` the step it shows; ``untrusted`` reads the
    file under those limits; ``shapes`` (``quantity_shapes``) lets an answer be one entry of a value
    (``W1n[0][1]``, keyed ``updated.W1[0][1]``): graded on its own, beside an answer for the whole value.
    An unknown name, a second answer for a value or an answer that is not
    numbers is a problem of the file, and every other answer is still graded. Raises AnswerError
    for a file that cannot be graded at all: not a mapping, no answers, or answers for another step
    (and the reader's ConfigError for a file it cannot read).
    """
    label = "stdin" if source == "-" else excerpt(source)
    return answers_of(read_config(source, keep_text=True, untrusted=untrusted), label, names, step, shapes)


def answers_of(
    data: object, label: str, names: dict[str, str], step: int = 1, shapes: dict[str, tuple[int, ...]] | None = None
) -> Submission:
    """The answers in ``data`` (read with ``keep_text``) of the file ``label``, as ``read_answers``."""
    if data is None:
        raise AnswerError(label, "no answers; write one name: value per line, e.g. a1: [2, 13, 0, 0]")
    if not isinstance(data, dict):
        raise AnswerError(label, "answers are a mapping of names to values, e.g. a1: [2, 13, 0, 0]")
    given_step = data.pop("step", step)
    if given_step != step:
        if not isinstance(given_step, Written) or given_step != int(given_step) or given_step < 1:
            raise AnswerError(
                f"{label}: step", f"{_what(given_step)}; give the step these answers are for, e.g. step: {step}"
            )
        shown = excerpt(given_step.text, 20)
        raise AnswerError(
            f"{label}: step", f"these answers are for step {shown}, but step {step} is checked; add --show-step {shown}"
        )
    read = Submission({}, [], {}, [])
    for name, value in _flatten(data, ""):
        shown = key_text(name)
        try:
            path = locate(name, names, shapes, AnswerError, "") if shapes else resolve(name, names)
        except AnswerError as e:
            read.problems.append(str(e))
            continue
        if path is None:
            read.problems.append(f"{shown}: {_unknown_name(name, names)}")
            read.unknown = True
        elif path in read.answers or path in read.blank or path in read.invalid:
            read.problems.append(f"{shown}: a second answer for {path}; keep one (the first is graded)")
        elif value is None:
            read.blank.append(path)
        else:
            try:
                read.answers[path] = _given(value, name, shown)
            except AnswerError as e:
                read.invalid[path] = str(e)
                read.problems.append(str(e))
    if not (read.answers or read.blank or read.invalid or read.problems):
        raise AnswerError(label, "no answers; write one name: value per line, e.g. a1: [2, 13, 0, 0]")
    return read


def _flatten(data: dict, prefix: str):
    """(name, value) pairs, nested mappings joined with dots: {grads: {W1: ..}} -> grads.W1."""
    for key, value in data.items():
        if not prefix and key in RUN_METADATA:
            continue
        name = prefix + (key if isinstance(key, str) else key.text if isinstance(key, Written) else key_text(key))
        if isinstance(value, dict) and value:
            yield from _flatten(value, name + ".")
        else:
            yield name, value


def _unknown_name(name: object, names: dict[str, str]) -> str:
    updated = next((f"{name}{mark}" for mark in ("+", "n") if f"{name}{mark}" in names), None)
    if isinstance(name, str) and updated and f"{name}.grad" in names:  # W1, w5: the parameter before the step
        return f"given (the value before the step), not worked out; answer {name}.grad or {updated}"
    if isinstance(name, str) and name.startswith("d") and name[1:] + ".grad" in names:  # dW1: the gradient
        close = name[1:] + ".grad"
    else:
        close = closest(name, names)
    return "unknown answer name" + (f" (did you mean {close}?)" if close else "")


def valid_names(names: dict[str, str]) -> str:
    """The names an answers file may use, as one line says them."""
    notebook = [notebook_name(path) for path in values_of(names)]
    course = [name for name, key in names.items() if name not in (key, notebook_name(key))]
    course_names = f"; the config's course names: {', '.join(course)}" if course else ""
    return (
        f"valid names: {', '.join(notebook)}, or their JSON paths (forward.a1, grads.W1, ...), "
        f"or one entry of any (W1n[0][1], a1[2]){course_names}"
    )


_LISTED = re.compile(r"(?:[^,\[]|\[[^\]]*\]?)+")
"""One name of a list separated by commas; a comma inside an index (``W1n[0,1]``) is the index's."""


def expected_paths(
    expect: str,
    names: dict[str, str],
    where: str,
    error: type[MlpstepError] = OptionError,
    shapes: dict[str, tuple[int, ...]] | None = None,
) -> list[str]:
    """The keys every file must answer, as ``expect`` asks: ``all``, ``none``, or names separated by
    commas (with ``shapes``, single entries too: ``W1n[0,1]``); an unknown name raises ``error`` at
    ``where`` (``--expect``, or the config's ``grading.expect``)."""
    if expect.strip().lower() == "all":
        return values_of(names)
    if expect.strip().lower() == "none":
        return []
    paths = []
    for name in (part.strip() for part in _LISTED.findall(expect) if part.strip()):
        path = locate(name, names, shapes, error, where) if shapes else resolve(name, names)
        if path is None:
            raise error(where, f"{name} is not an answer name; {valid_names(names)}")
        paths.append(path)
    return list(dict.fromkeys(paths))


def asked_paths(
    questions: tuple[Question, ...], names: dict[str, str], shapes: dict[str, tuple[int, ...]] | None = None
) -> dict[str, Question]:
    """A config's questions (``ask``) by the path each one's name stands for (with ``shapes``, single
    entries and course names' entries too: ``W1n[0][1]``, ``w5+``); a name that is no answer name, or
    one that stands for a path asked already, is a ConfigError at ``ask[i]``."""
    asked: dict[str, Question] = {}
    for i, question in enumerate(questions):
        where = f"ask[{i}]"
        path = locate(question.name, names, shapes, ConfigError, where) if shapes else resolve(question.name, names)
        if path is None:
            raise ConfigError(where, f"{question.name} is not an answer name; {valid_names(names)}")
        if path in asked:
            raise ConfigError(where, f"{question.name} is {path} again; ask each answer once")
        asked[path] = question
    return asked


def _what(cell: object) -> str:
    """What a value that is not a number is, as a message says it."""
    if isinstance(cell, Written):
        return f"{excerpt(cell.text, 30)} is a number"
    what = (
        {None: "empty (null)", True: "true", False: "false"}.get(cell)
        if not isinstance(cell, (list, dict, str))
        else None
    )
    return what or (
        f"{quoted(cell)} is text" if isinstance(cell, str) else "a mapping" if isinstance(cell, dict) else "a list"
    )


def _given(value: object, name: str, where: str) -> Given:
    def number(cell: object, *index: int) -> Written:
        at = where + "".join(f"[{k}]" for k in index)
        if isinstance(cell, Written):
            if len(cell.text) > MAX_NUMBER_TEXT:
                raise AnswerError(
                    at, f"a number written with {len(cell.text):,} characters; write at most {MAX_NUMBER_TEXT}"
                )
            if half_unit(cell.text) is not None and math.isfinite(cell):
                return cell
            if _NUMBER_TEXT.fullmatch(cell.text):  # 1e-400, 1e999: digits past what float64 holds
                raise AnswerError(
                    at, f"{excerpt(cell.text, 30)} has an exponent past float64's range; write it as float64 holds it"
                )
            raise AnswerError(at, "not a finite number; give a finite value")
        raise AnswerError(at, f"{_what(cell)}; expected a number")

    if not isinstance(value, list):
        cells = [[number(value)]]
        shape: tuple[int, ...] = ()
    elif value and all(isinstance(row, list) for row in value):
        widths = {len(row) for row in value}
        if len(widths) != 1 or 0 in widths:
            raise AnswerError(where, "ragged or empty rows; every row of a matrix needs the same number of values")
        cells = [[number(c, i, j) for j, c in enumerate(row)] for i, row in enumerate(value)]
        shape = (len(value), len(value[0]))
    elif any(isinstance(c, list) for c in value):
        raise AnswerError(where, "mixes numbers and lists; write a flat list, or a list of rows")
    elif value:
        cells = [[number(c, j) for j, c in enumerate(value)]]
        shape = (len(value),)
    else:
        raise AnswerError(where, "an empty list; give the value you worked out")
    values = np.array(cells, dtype=np.float64).reshape(shape)
    half_units = np.array([[half_unit(c.text) for c in row] for row in cells]).reshape(shape)
    texts = np.array([[c.text for c in row] for row in cells], dtype=object).reshape(shape)
    return Given(name, values, half_units, texts)


def write_answers(
    trace: Trace, decimals: int | None = None, names: str = "notebook", blank: bool = False, digits: int | None = None
) -> str:
    """An answers file for every value of the step (or, when the config asks questions, exactly
    those, named as it names them), in the format ``check`` reads.

    ``decimals=None`` writes full precision (an answer key); ``blank`` leaves
    every value empty for a student to fill in, with its shape in a comment.
    ``names`` is ``notebook`` (``W1n``), ``paths`` (``updated.W1``) or ``course``: the config's
    course names where they name a value, or every entry of it (``w1+``, ``w2+``, ...), else notebook names.
    """
    course = _course_names(trace) if names == "course" else {}
    lines = []
    if trace.problem.ask is None:
        named = dict.fromkeys(answer_paths(trace))
    else:
        asked = asked_paths(trace.problem.ask, answer_names(trace))
        named = {path: question.name for path, question in asked.items()}
    for path, asked_name in named.items():
        value = expected_value(trace, path)
        entries = [(key, name) for key, name in course.items() if key.startswith(path + "[")]
        if asked_name or path in course or len(entries) < value.size:  # the whole value, under one name
            own = asked_name if names != "paths" else None  # a question's name, as the config asks it
            entries = [(path, own or course.get(path) or (path if names == "paths" else notebook_name(path)))]
        for key, name in entries:
            value = expected_value(trace, key)
            text = f" # {shape_text(value.shape)}" if blank else f" {_yaml_value(value, decimals, digits)}"
            lines.append(f"{name}:{' ' if blank else ''}{text}")
    return "\n".join(lines) + "\n"


def _course_names(trace: Trace) -> dict[str, str]:
    """The first course name of each value or entry that has one, in the order the step computes them
    (``{"updated.W1[0][0]": "w1+", ...}``)."""
    from ..quantities import answer_names, split_key

    canonical = answer_names(trace, course=False)
    found = {key: name for name, key in reversed(answer_names(trace).items()) if name not in canonical}
    return dict(sorted(found.items(), key=lambda item: split_key(item[0])[1] or ()))


def _yaml_value(value: np.ndarray, decimals: int | None, digits: int | None = None) -> str:
    def number(v: float) -> str:
        v = float(v) + 0.0  # no -0
        text = f"{v:.{decimals}f}" if decimals is not None else f"{v:.{digits}g}" if digits is not None else repr(v)
        return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text

    return flow(value.tolist(), number)
