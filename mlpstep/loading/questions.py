"""The questions a config asks (``ask:``): which answers are graded and what each is worth."""

from __future__ import annotations

from ..errors import ConfigError
from ..model import VISIBILITIES, Question
from .values import as_number, check_keys, described, one_of

QUESTION_KEYS = ("name", "points", "partial", "visibility")
MAX_QUESTIONS = 10_000
"""Most questions one config may ask."""
MAX_POINTS = 10_000
"""Most points one question may be worth (so a total is a plain, finite number)."""


def questions_of(value: object, expect: object = None) -> tuple[Question, ...]:
    """``ask: [a1, {name: W1n, points: 4, partial: true}, {name: w5n, visibility: after_due_date}]``.
    A bare name is worth 1 point, all or nothing. The names are resolved when the step is known
    (``check``); ``ask`` says what is expected, so ``grading.expect`` (given as ``expect``) cannot
    say it too."""
    if expect is not None:
        raise ConfigError("ask", "ask says which answers every file must give; leave out grading.expect")
    if not isinstance(value, list) or not value:
        raise ConfigError(
            "ask", f"{described(value)}; give a list of answer names, e.g. [a1, {{name: W1n, points: 4}}]"
        )
    if len(value) > MAX_QUESTIONS:
        raise ConfigError("ask", f"{len(value):,} questions; ask at most {MAX_QUESTIONS:,}")
    questions = [_question(item, f"ask[{i}]") for i, item in enumerate(value)]
    seen: set[str] = set()
    for i, question in enumerate(questions):
        if question.name in seen:
            raise ConfigError(f"ask[{i}]", f"{question.name} is asked twice; ask each answer once")
        seen.add(question.name)
    return tuple(questions)


def _question(item: object, where: str) -> Question:
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, dict):
        raise ConfigError(where, f"{described(item)}; give an answer name or {{name: W1n, points: 4, partial: true}}")
    check_keys(item, QUESTION_KEYS, ("name",), where + ".")
    name = item["name"]
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(where + ".name", f"{described(name)}; give an answer name, e.g. W1n")
    points = as_number(item.get("points", 1), where + ".points")
    if not (0 < points <= MAX_POINTS):
        raise ConfigError(where + ".points", f"{points:g} points; give a positive number up to {MAX_POINTS:,}")
    partial = item.get("partial", False)
    if not isinstance(partial, bool):
        raise ConfigError(where + ".partial", f"{described(partial)}; give true or false")
    visibility = one_of(item.get("visibility", "visible"), VISIBILITIES, where + ".visibility")
    return Question(name=name.strip(), points=float(points), partial=partial, visibility=visibility)
