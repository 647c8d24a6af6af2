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
    keys: str | None = typer.Option(
        None, "--keys", help="Also write each student's answer key (full precision) as KEYS/<student>.yaml."
    ),
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

    With --keys DIR, each student's answer key (every value of the step, or the
    config's ask: questions) goes in DIR/<student>.yaml, as mlpstep answers writes it.

    Example: mlpstep variants template.yaml --roster roster.csv --seed 2026 -o variants/ --keys keys/
    """

    from ..errors import OptionError, printable
    from ..templates import allowed, read_template, roster_ids, variant, variant_text
    from .output import emit, refuse_overwriting_inputs, write

    if (roster is None) == (count is None):
        raise OptionError("--roster", "give --roster FILE or --count N (one of them)")
    ids = roster_ids(roster, id_column) if roster is not None else [str(n) for n in range(1, count + 1)]
    rules, data = allowed(allow), read_template(template)
    folder, key_folder = _folder(output, "--output"), None if keys is None else _folder(keys, "--keys")
    if key_folder is not None and key_folder.resolve() == folder.resolve():
        raise OptionError("--keys", "the keys would overwrite the variants; give another folder")
    shown = "TEMPLATE" if template == "-" else printable(template)
    made_by = f"mlpstep variants {shown} --seed {seed}" + (f" --allow {','.join(rules)}" if rules else "")
    redrawn = 0
    for student in ids:
        config, refused = variant(data, student, seed, rules)
        redrawn += sum(refused.values())
        target = str(folder / f"{student}.yaml")
        refuse_overwriting_inputs(target, [template, *([roster] if roster else [])])
        emit(variant_text(config, made_by), target)
        if key_folder is not None:
            emit(_key(config, target), str(key_folder / f"{student}.yaml"))
    made = f"{len(ids)} variant{'s' * (len(ids) != 1)} ({redrawn} draws redrawn)"
    write(f"{printable(output)}: {made}" + (f"; their keys in {printable(keys)}" if keys is not None else "") + "\n")


def _folder(path: str, option: str):
    """The folder ``path`` (made if need be), or an OptionError naming ``option`` when it is a file."""
    from pathlib import Path

    from ..errors import OptionError, printable

    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise OptionError(option, f"{printable(path)} is a file; give a folder")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _key(config: dict, variant_file: str) -> str:
    """A variant's answer key, with the header mlpstep answers writes."""
    from ..engine import step
    from ..errors import printable
    from ..grade.answers import write_answers
    from ..loading.config import load

    trace = step(load(config))
    shown = printable(variant_file)
    return f"# mlpstep answers for {shown}: {trace.network}\n# mlpstep check {shown} THIS_FILE\n" + write_answers(trace)
