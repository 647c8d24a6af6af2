"""Error carried forward: a wrong answer that is what follows from the student's own earlier
(wrong) answers, e.g. ``z2`` computed from their ``a1`` or ``W1n`` from their ``W1.grad``.

Each quantity with a formula in terms of others has a rule here: its inputs (answer paths) and
the formula (one layer's work, with the engine's functions) in the engine's column form
(``(n, batch)``, weights ``(n_in, n_out)``). A rule is tried only when the student answered one
of its inputs wrong; the other inputs take the step's own values. Covered: every z, a and the
loss, dL/da of the output, every dL/dz, dL/da, dL/dW and bias gradient, every update for any
optimizer (the first step, or a rule without state), and loss_after; not the values after
several steps (``final``)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..engine import column_form, forward
from ..model import Trace, bias_in_layout, flipped, layer_number
from ..quantities import answer_paths, expected_value, notebook_name
from .tolerance import Tolerance

CREDIT = {"full": 1.0, "half": 0.5, "none": 0.0}
"""The share of an answer's points each carry_forward setting gives."""

Rule = tuple[list[str], Callable[[Callable[[str], np.ndarray]], np.ndarray]]
"""The inputs of a quantity and its formula, given a function from an input's path to its value."""


def carry_forward(trace: Trace, answers: list, tolerance: Tolerance, mode: str = "full") -> None:
    """Mark each wrong answer (a grading.Answer, not imported: grading imports this) that follows
    under ``tolerance`` from the student's own wrong ``answers``: its hint says which, and it
    earns ``CREDIT[mode]`` of its points."""
    whole = set(answer_paths(trace))  # whole values only: an answer for one entry has no rule
    own = {
        a.path: a.given
        for a in answers
        if a.path in whole and a.given is not None and a.given.shape == a.expected.shape
    }
    wrong = {a.path for a in answers if a.path in own and not a.correct}

    def value(path: str) -> np.ndarray:
        return own[path] if path in own else expected_value(trace, path)

    for answer in answers:
        if answer.path not in wrong:
            continue
        for inputs, formula in rules(trace, answer.path):
            mine = [path for path in inputs if path in wrong]
            if not mine:
                continue
            with np.errstate(all="ignore"):
                follows = formula(value)
            if follows.shape == answer.given.shape and tolerance.close(answer.given, follows, answer.halves).all():
                answer.hint = "follows from your " + " and ".join(map(notebook_name, mine))
                answer.credit = CREDIT[mode]
                break


def rules(trace: Trace, path: str) -> list[Rule]:
    """The ways ``path`` follows from other answers (none for what is given or not covered)."""
    section, _, key = path.partition(".")
    if path in ("loss", "loss_after") or section == "forward":
        return _forward_rules(trace, path)
    if section == "grads":
        return _grad_rules(trace, key)
    if section == "updated":
        return _update_rules(trace, key)
    return []


def _forward_rules(trace: Trace, path: str) -> list[Rule]:
    """z_l = W_l^T a_(l-1) + b_l from a_(l-1); a_l = f(z_l) from z_l; the loss from z_L or a_L:
    each one layer's work, so a file cannot make check run the network again and again; and
    loss_after from the updated parameters (one forward pass)."""
    problem, L = trace.problem, len(trace.problem.layers)
    layout, y, output = problem.layout, problem.y, problem.layers[-1].activation

    def reduce(per_point: np.ndarray) -> np.ndarray:
        return np.asarray(per_point.mean() if problem.reduction == "mean" else per_point.sum())

    def col(value, source: str) -> np.ndarray:
        return flipped(value(source), layout)

    if path == "loss_after":
        names = [f"updated.{name}" for name in trace.updated]
        return [(names, lambda value: np.asarray(forward(problem, {n[8:]: value(n) for n in names})[2]))]
    zL, aL = f"forward.z{L}", f"forward.a{L}"
    if path == "loss":
        z_true = flipped(trace.forward[f"z{L}"], layout)
        return [
            ([zL], lambda v: reduce(problem.loss.value(col(v, zL), output.value(col(v, zL)), y, output))),
            ([aL], lambda v: reduce(problem.loss.value(z_true, col(v, aL), y, output))),
        ]
    key = path.partition(".")[2]
    l = layer_number(key)
    if key[0] == "a":
        f = problem.layers[l - 1].activation
        return [([f"forward.z{l}"], lambda v: flipped(f.value(col(v, f"forward.z{l}")), layout))]
    if l == 1:
        return []
    weights, biases = column_form(problem, trace.params)
    w, b = weights[l - 1], biases[l - 1]
    return [([f"forward.a{l - 1}"], lambda v: flipped(w.T @ col(v, f"forward.a{l - 1}") + b, layout))]


def _grad_rules(trace: Trace, key: str) -> list[Rule]:
    """dL/da_L from a_L; dL/dz_L from a_L (nll) or dL/da_L; dL/dz_l = f'(z_l) dL/da_l;
    dL/da_l = W_(l+1) dL/dz_(l+1); dL/dW_l = a_(l-1) dL/dz_l^T; dL/db_l = sum of dL/dz_l."""
    problem, L, l = trace.problem, len(trace.problem.layers), layer_number(key)
    layout, loss, y = problem.layout, problem.loss, problem.y
    scale = problem.batch_size if problem.reduction == "mean" and problem.batch_size > 1 else 1

    def rule(source: str, formula: Callable, *more: str) -> list[Rule]:
        """``formula`` of the inputs' values in column form, back in the layout."""
        inputs = [source, *more]
        return [(inputs, lambda value: flipped(formula(*(flipped(value(p), layout) for p in inputs)), layout))]

    def true(kind: str, l: int) -> np.ndarray:
        return problem.x if l == 0 else flipped(trace.forward[f"{kind}{l}"], layout)

    f = problem.layers[l - 1].activation
    if key == f"a{L}":
        return rule(f"forward.a{L}", lambda a: loss.grad_a(a, y) / scale)
    if key == f"z{L}" and loss.fused:
        return rule(f"forward.a{L}", lambda a: loss.grad_z(true("z", L), a, y, f) / scale)
    if key[0] == "z":
        return rule(f"grads.a{l}", lambda da: f.backward(true("z", l), true("a", l), da))
    if key[0] == "a":
        w = flipped(trace.params[f"W{l + 1}"], layout)
        return rule(f"grads.z{l + 1}", lambda dz: w @ dz)
    if key[0] == "W" and l > 1:
        return rule(f"grads.z{l}", lambda dz, a: a @ dz.T, f"forward.a{l - 1}")
    if key[0] == "W":
        return rule(f"grads.z{l}", lambda dz: problem.x @ dz.T)
    if problem.layers[l - 1].bias_mode == "shared":
        return [([f"grads.z{l}"], lambda value: np.asarray(value(f"grads.z{l}").sum()))]
    return [([f"grads.z{l}"], lambda value: bias_in_layout(flipped(value(f"grads.z{l}"), layout).sum(axis=1), layout))]


def _update_rules(trace: Trace, key: str) -> list[Rule]:
    """A parameter after the step from its gradient, by the optimizer's own rule: for the first
    step (the config's optimizer state) or an optimizer without state; a frozen one has none."""
    problem = trace.problem
    if key in problem.freeze or (trace.shown > 1 and problem.optimizer.keeps_state):
        return []
    source = f"grads.{key}"
    state = problem.state.get(key, {})

    def formula(value):
        return problem.optimizer.update(trace.params[key], value(source), dict(state), problem.learning_rate)[0]

    return [([source], formula)]
