"""The commands that verify without running a step to show: validate (configs) and gradcheck
(backprop against finite differences)."""

import typer

from .options import ALLOW_LARGE_OPTION, OUTPUT_OPTION
from .output import Exit, console, emit, error_line, json_text, refuse_overwriting_inputs, write

ERRORS_LISTED = 20
"""Most mistakes of one config validate lists (then how many more)."""


def validate(
    configs: list[str] = typer.Argument(..., help="Config files (YAML or JSON); - reads standard input."),
    allow_large: bool = ALLOW_LARGE_OPTION,
) -> None:
    """Check configs (or templates of mlpstep variants) without running them, with the same messages as run.

    Prints "valid" for a valid config, else every mistake in it on a line of its
    own (the first 20; run reports the first): every mistake in its keys, or
    when they are right, in its values, each field apart. Exit 0 when all are
    valid, 2 when any is not. A template (a config with draws) is valid when
    its draws are, a drawn instance is a valid config, and a variant can be
    drawn that breaks none of the rules of mlpstep variants.

    Example: mlpstep validate configs/*.yaml
    """
    from ..errors import OptionError, clipped, excerpt
    from ..loading.config import MAX_ERRORS
    from ..templates import find_errors

    if configs.count("-") > 1:
        raise OptionError("", "- (standard input) can be read once; give it one time")
    invalid = 0
    for config in configs:
        shown = "stdin" if config == "-" else excerpt(config)
        errors = find_errors(config, allow_large)
        for e in errors[:ERRORS_LISTED]:  # the reader's errors are the file's own, and name it already
            error_line(clipped(str(e) if e.path == shown else f"{shown}: {e}"))
        if len(errors) > ERRORS_LISTED:
            more = len(errors) - ERRORS_LISTED
            error_line(clipped(f"{shown}: and {'at least ' if len(errors) == MAX_ERRORS else ''}{more} more"))
        if errors:
            invalid += 1
        else:
            write(f"{shown}: valid\n")
    raise typer.Exit(Exit.INVALID if invalid else Exit.OK)


def gradcheck(
    config: str = typer.Argument(..., help="YAML or JSON config file, or - to read standard input."),
    eps: float = typer.Option(1e-6, "--eps", help="The finite-difference step, relative to each entry (at least 1)."),
    tol: float = typer.Option(1e-5, "--tol", help="The largest relative error allowed."),
    json_output: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
    allow_large: bool = ALLOW_LARGE_OPTION,
    output: str | None = OUTPUT_OPTION,
) -> None:
    """Check backprop against central finite differences on your own network.

    Every gradient of the first step (each z, hidden a, weight and bias) is
    compared with (L(θ+ε) - L(θ-ε)) / 2ε, entry by entry (evenly spaced entries
    for tensors over 2000). Exit 0 when every entry is within --tol (or the
    round-off of its finite difference), 1 when not.
    Entries whose perturbation puts a ReLU input at (or across) 0 are named and
    left out: the loss is not differentiable there, and ReLU'(0) is a convention.

    Example: mlpstep gradcheck configs/seed.yaml --tol 1e-6
    """
    import math

    from ..errors import OptionError
    from ..gradcheck import gradcheck as check_gradients
    from ..loading.config import load

    for value, flag in ((eps, "--eps"), (tol, "--tol")):
        if not (math.isfinite(value) and value > 0):
            raise OptionError(flag, f"{value} is not allowed; give a number > 0")
    problem = load(config, allow_large)
    checks = check_gradients(problem, eps, tol, allow_large)
    refuse_overwriting_inputs(output, [config, *problem.files])
    if json_output:
        emit(json_text({"eps": eps, "tol": tol, "ok": all(c.ok for c in checks),
                        "checks": [c.__dict__ for c in checks]}), output)  # fmt: skip
    else:
        from ..present.render import print_gradcheck

        with console(False, output) as shown:
            print_gradcheck(checks, tol, shown)
    raise typer.Exit(Exit.OK if all(c.ok for c in checks) else Exit.WRONG)
