"""mlpstep draw: the network as an SVG diagram with one step's numbers."""

import typer

from .options import ALLOW_LARGE_OPTION, OUTPUT_OPTION, STEPS_OPTION, stepped
from .output import emit, refuse_overwriting_inputs


def draw(
    config: str = typer.Argument(..., help="YAML or JSON config file, or - to read standard input."),
    grads: bool = typer.Option(False, "--grads", help="Show dL/dz on each unit and dL/dW on each edge."),
    step: int = typer.Option(1, "--step", help="Which step's numbers to draw (with several steps)."),
    point: int = typer.Option(0, "--point", help="Which point of a batch to draw, from 0."),
    steps: int | None = STEPS_OPTION,
    allow_large: bool = ALLOW_LARGE_OPTION,
    output: str | None = OUTPUT_OPTION,
) -> None:
    """Draw the network as SVG: each unit with z and a, each edge with its weight.

    Layers are columns of units, biases units of their own; edges are coloured
    by sign and as wide as their size. With --grads, each unit shows dL/dz and
    each edge dL/dW; a ReLU inactive for the point is greyed, its gradient
    stopped. The course's names label what the config names (names:).

    Example: mlpstep draw configs/mazur.yaml --grads -o mazur.svg
    """
    from ..present.diagram import svg

    trace = stepped(config, steps, step, allow_large, "--step")
    refuse_overwriting_inputs(output, [config, *trace.problem.files])
    emit(svg(trace, grads, point), output)
