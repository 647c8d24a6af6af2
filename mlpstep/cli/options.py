"""The options several commands share, declared once, and the step they ask for."""

import typer

STEPS_OPTION = typer.Option(None, "--steps", help="Take this many steps on the same data (overrides the config).")
OUTPUT_OPTION = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout (atomically).")
NO_COLOR_OPTION = typer.Option(
    False, "--no-color", help="No colour (also when NO_COLOR is set or stdout is not a terminal)."
)
ALLOW_LARGE_OPTION = typer.Option(
    False, "--allow-large", help="Lift the limits on work, memory, layers and output size (a big job on purpose)."
)


def stepped(
    config: str, steps: int | None = None, show: int = 1, allow_large: bool = False, show_option: str = "--show-step"
):
    """The trace of ``config`` run for ``--steps`` (or the config's steps), showing step ``show``
    (``show_option`` names the option that asked for it)."""
    from dataclasses import replace

    from ..engine import step
    from ..errors import OptionError
    from ..limits import MAX_STEPS
    from ..loading.config import check_run, load

    if steps is not None and not 1 <= steps <= MAX_STEPS:
        raise OptionError("--steps", f"{steps} is not a step count; give a whole number from 1 to {MAX_STEPS:,}")
    problem = load(config, allow_large)
    if steps is not None:
        names = [layer.activation.name for layer in problem.layers]
        check_run(
            problem.sizes,
            problem.batch_size,
            steps,
            problem.optimizer,
            "--steps",
            allow_large,
            names,
            problem.loss.name,
        )
        problem = replace(problem, steps=steps)
    if not 1 <= show <= problem.steps:
        raise OptionError(show_option, f"{show} is not one of the steps 1 to {problem.steps}")
    return step(problem, show)
