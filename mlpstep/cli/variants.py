"""mlpstep variants: one config per student from a template."""

import typer


def variants(
    template: str = typer.Argument(..., help="The template: a YAML or JSON config whose numbers may be draws."),
    roster: str | None = typer.Option(None, "--roster", help="A CSV file with a header and a column of student ids."),
    id_column: str | None = typer.Option(
        None, "--id-column", help="The roster's id column (default: sid, student, id or email, the first it has)."
    ),
    count: int | None = typer.Option(None, "--count", min=1, help="Name the students 1 to N instead of a roster."),
    seed: int = typer.Option(..., "--seed", min=0, help="The seed: the same seed makes the same variants."),
    allow: str | None = typer.Option(
        None, "--allow", help="Rules not to redraw for, comma-separated: kinks, inactive, zeros, solved, large."
    ),
    output: str = typer.Option(..., "--output", "-o", help="The folder to write DIR/<student>.yaml in."),
) -> None:
    """Write a variant of a template for each student: DIR/<student>.yaml.

    A template is a config in which any number, vector or matrix may be a
    draw: {draw: integers, low: -2, high: 2, shape: [2, 3]}, {draw: decimals,
    low: -1, high: 1, places: 1} or {draw: choice, values: [0, 1]} (low and
    high inclusive; without shape, one number). Each variant is an ordinary
    config with student: <id> in it, and depends only on the template, the seed
    and the id: regenerating writes the same bytes, and adding a student
    changes no one else's file. A draw is drawn again when it puts a ReLU
    input at exactly 0 (kinks), makes a hidden layer 0 at every point
    (inactive), makes an asked quantity all zeros (zeros: the config's ask,
    else the output's dL/dz and every parameter gradient), makes the loss
    already below 1e-3 (solved) or a value of the step exceed 1e4 (large);
    --allow switches rules off.

    Example: mlpstep variants template.yaml --roster roster.csv --seed 2026 -o variants/
    """
    from pathlib import Path

    from ..errors import OptionError, printable
    from ..templates import allowed, read_template, roster_ids, variant, variant_text
    from .output import emit, refuse_overwriting_inputs, write

    if (roster is None) == (count is None):
        raise OptionError("--roster", "give --roster FILE or --count N (one of them)")
    ids = roster_ids(roster, id_column) if roster is not None else [str(n) for n in range(1, count + 1)]
    rules, data = allowed(allow), read_template(template)
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise OptionError("--output", f"{printable(output)} is a file; give a folder for the variants")
    folder.mkdir(parents=True, exist_ok=True)
    shown = "TEMPLATE" if template == "-" else printable(template)
    made_by = f"mlpstep variants {shown} --seed {seed}" + (f" --allow {','.join(rules)}" if rules else "")
    redrawn = 0
    for student in ids:
        config, refused = variant(data, student, seed, rules)
        redrawn += sum(refused.values())
        target = str(folder / f"{student}.yaml")
        refuse_overwriting_inputs(target, [template, *([roster] if roster else [])])
        emit(variant_text(config, made_by), target)
    write(f"{printable(output)}: {len(ids)} variant{'s' * (len(ids) != 1)} ({redrawn} draws redrawn)\n")
