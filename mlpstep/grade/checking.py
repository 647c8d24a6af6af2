"""What ``check`` grades a problem's answers by (the questions, the answers expected, the
tolerance, the credit carried forward), and ``check`` for Python: one answers file graded.

    import mlpstep
    result = mlpstep.check("configs/seed.yaml", {"a1": [2, 13, 0, 0], "W1n": "..."})
    result.score, result.max_score, result.answers[0].hint
    result.to_dict()   # one file of check --json
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from ..errors import ConfigError, OptionError
from ..model import Problem
from .grading import Graded, grade_file
from .tolerance import MIN_RTOL, Tolerance


def asked_of(problem: Problem, names: dict[str, str], expect: str | None = None) -> dict | None:
    """The config's questions (``ask``) by the path each name stands for, or None when it asks
    none; ``ask`` with --expect (``expect``) is an OptionError."""
    from .answers import asked_paths

    if problem.ask is not None and expect is not None:
        raise OptionError("--expect", "the config's ask says which answers every file must give; leave out --expect")
    from ..quantities import quantity_shapes

    return None if problem.ask is None else asked_paths(problem.ask, names, quantity_shapes(problem))


def expected_of(expect: str | None, problem: Problem, names: dict[str, str], default: str) -> list[str]:
    """The paths every file must answer: --expect's, else the config's grading.expect, else ``default``."""
    from ..quantities import quantity_shapes
    from .answers import expected_paths

    shapes = quantity_shapes(problem)  # single entries too: W1n[0,1]
    if expect is not None:
        return expected_paths(expect, names, "--expect", OptionError, shapes)
    if problem.expect is not None:
        return expected_paths(",".join(problem.expect), names, "grading.expect", ConfigError, shapes)
    return expected_paths(default, names, "")


def tolerance_of(rtol: float | None, atol: float | None, min_rtol: float | None, problem: Problem) -> Tolerance:
    """--rtol/--atol, or the written-precision rule with --min-rtol's floor (else the config's, else MIN_RTOL)."""
    floor = min_rtol if min_rtol is not None else problem.min_rtol if problem.min_rtol is not None else MIN_RTOL
    return Tolerance(rtol, atol, floor)


def check(config_or_problem, answers, carry_forward: str | None = None, show_step: int = 1) -> Graded:
    """Grade one set of answers as ``mlpstep check CONFIG FILE --json`` does, with the config's
    grading settings (its ask, grading.expect, min_rtol and carry_forward, or ``carry_forward``).

    ``config_or_problem``: a config path, a config dict or a Problem. ``answers``: a path (a
    ``Path``, or a string naming a file), a dict of names to numbers, lists or arrays, or YAML
    text. The result has ``.score``, ``.max_score``, ``.answers`` (each with ``name``, ``correct``,
    ``points``, ``expected``, ``given``, ``hint``), and ``.to_dict()``: one file of check --json
    (``to_dict(full=False)`` elides values as --json does without --full). A file that cannot be
    read is a result with ``.error``, as in check --json."""
    from ..engine import step
    from ..loading.config import load
    from ..quantities import answer_names

    problem = config_or_problem if isinstance(config_or_problem, Problem) else load(config_or_problem)
    trace = step(problem, show_step)
    names = answer_names(trace)
    asked = asked_of(problem, names)
    expected = expected_of(None, problem, names, "none")
    source, text = _answers_source(answers)
    carry = carry_forward or problem.carry_forward or "full"
    return grade_file(trace, source, names, tolerance_of(None, None, None, problem), expected, None, asked, carry, text)


def _answers_source(answers) -> tuple[str, bytes | None]:
    """A path to read, or ("answers", the text) for a dict or YAML text."""
    if isinstance(answers, Path) or (isinstance(answers, str) and "\n" not in answers and os.path.isfile(answers)):
        return str(answers), None
    if isinstance(answers, dict):
        answers = json.dumps(answers, default=_plain)  # numbers as text: each keeps its written precision
    if not isinstance(answers, str):
        raise TypeError(f"answers are a path, a dict or YAML text, not {type(answers).__name__}")
    return "answers", answers.encode()


def _plain(value):
    """NumPy arrays and numbers as JSON writes them."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not a number or a list of numbers")
