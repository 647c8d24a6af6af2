"""Training steps: forward pass, loss, backpropagation, the optimizer's update. Pure NumPy, float64.

Inside, every layer is in column form whatever the layout: ``W`` is
``(n_in, n_out)``, activations are ``(n, batch)`` and ``z = W.T @ a + b``.
The rows layout reaches it through transposed views, so nothing is copied.
Parameters travel between steps by name, in the output's shapes.

The computation of a step, and the memory it uses: ``kernel.py``.
"""

from __future__ import annotations

import numpy as np

from .errors import NumericError, OptionError
from .kernel import Run, initial_params, sum_of
from .model import SECTIONS, Problem, Trace

__all__ = ["column_form", "forward", "initial_params", "step"]


def step(problem: Problem, show: int = 1) -> Trace:
    """Run ``problem.steps`` steps on the same data; the trace holds every intermediate of step ``show``."""
    if not 1 <= show <= problem.steps:
        raise OptionError("show step", f"{show} is not one of the steps 1 to {problem.steps}")
    run = Run(problem)
    params, state = run.start, {name: dict(values) for name, values in problem.state.items()}
    losses = []
    with np.errstate(all="ignore"):  # overflow is reported below, by name
        try:
            params, state = run.quiet_steps(1, show - 1, params, state, losses)
            shown = run.shown_step(params, state)
            losses.append(shown.loss)
            params, state = run.quiet_steps(show + 1, problem.steps, shown.updated, shown.state, losses)
            final_loss = run.loss(params)
        finally:
            run.done()
        # the last step's parameters and state: the shown step's checksum took them in if it was the last
        finite = np.isfinite(shown.checksum) and (show == problem.steps or np.isfinite(sum_of(params, state)))
    trace = Trace(
        problem=problem,
        forward=shown.forward,
        loss=shown.loss,
        grads=shown.grads,
        updated=shown.updated,
        params=shown.params,
        loss_after=losses[show] if show < problem.steps else final_loss,
        state=shown.state,
        losses=losses,
        final=params,
        final_loss=final_loss,
        final_state=state,
        shown=show,
    )
    _check_losses(trace)
    if not finite:  # some array holds an inf or a nan (or a sum overflowed): name the first
        _check_arrays(trace)
    return trace


def column_form(problem: Problem, params: dict) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weights as ``(n_in, n_out)`` and biases as columns ``(n_out, 1)`` to add to z (a shared bias
    a number) for the computation; a bias missing from ``params`` is the config's."""
    return Run(problem).columns(params)


def forward(problem: Problem, params: dict, override: tuple[str, int, np.ndarray] | None = None):
    """The forward pass with ``params`` (named and shaped as in the output): every z, every a
    (``activations[0]`` is x), in column form ``(n, batch)``, and the loss. ``override`` =
    ``("z" or "a", l, value)`` puts ``value`` (column form) in place of z_l or a_l, the rest computed
    from there: what gradcheck perturbs."""
    zs, activations = [], [problem.x]
    run = Run(problem)
    loss = run.forward(run.columns(params), zs, activations, override=override)
    return zs, activations, loss


def _check_losses(trace: Trace) -> None:
    for name, value in (
        ("loss", trace.loss),
        ("loss_after", trace.loss_after),
        ("final_loss", trace.final_loss),
        *enumerate(trace.losses, 1),
    ):
        if not np.isfinite(value):
            where = name if isinstance(name, str) else f"the loss at step {name}"
            raise NumericError(f"{where} overflows float64; use smaller weights, inputs or learning rate")


def _check_arrays(trace: Trace) -> None:
    seen = set()
    for section in (*SECTIONS, "final"):
        for name, value in getattr(trace, section).items():
            if (section == "forward" and name[0] == "a") or id(value) in seen:
                continue  # a = f(z) is finite where z is; after one step, final is updated
            seen.add(id(value))
            if not _finite(value):
                raise NumericError(
                    f"{section}.{name} overflows float64 (inf or nan); use smaller weights, inputs or learning rate"
                )
    for name, values in (*trace.state.items(), *trace.final_state.items()):
        for key, value in values.items():
            if not _finite(value):
                raise NumericError(f"optimizer_state.{key}.{name} overflows float64; use a smaller learning rate")


def _finite(value) -> bool:
    """Every entry finite. A finite sum proves it without a boolean array (any inf or nan
    makes the sum inf or nan); only a sum that overflows needs the entries checked."""
    with np.errstate(all="ignore"):
        return bool(np.isfinite(np.sum(value))) or bool(np.isfinite(value).all())
