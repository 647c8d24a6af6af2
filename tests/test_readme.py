"""The README shows real output: its examples are re-run and compared."""

import re
from pathlib import Path

import pytest
from helpers import ROOT, SEED, runner

from mlpstep.cli.app import app

README = Path("README.md").read_text()


def blocks_after(marker: str) -> str:
    """The first fenced block after ``marker``."""
    rest = README[README.index(marker) :]
    return re.search(r"```\w*\n(.*?)```", rest, re.S).group(1)


def block_starting(first_line: str) -> str:
    """The fenced block whose first line is ``first_line``, without that line."""
    for block in re.findall(r"```\w*\n(.*?)```", README, re.S):
        if block.startswith(first_line + "\n"):
            return block[len(first_line) + 1 :]
    raise AssertionError(f"no block starts with {first_line!r}")


def output_of(*args) -> str:
    """What a pipe gets (80 columns, no colour), without trailing spaces or blank lines."""
    result = runner.invoke(app, list(args))
    return "\n".join(line.rstrip() for line in result.stdout.splitlines()).rstrip("\n") + "\n"


def test_seed_output_in_the_readme_is_real():
    assert blocks_after("`mlpstep run configs/seed.yaml` prints") == output_of("run", "configs/seed.yaml")


def test_check_output_in_the_readme_is_real(tmp_path, monkeypatch):
    answers = block_starting("# mine.yaml")
    expected = block_starting("$ mlpstep check configs/seed.yaml mine.yaml")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "seed.yaml").write_text((ROOT / SEED).read_text())
    (tmp_path / "mine.yaml").write_text(answers)
    assert expected == output_of("check", "configs/seed.yaml", "mine.yaml")


def test_mazur_check_by_his_names_in_the_readme_is_real(tmp_path, monkeypatch):
    answers = block_starting("# post.yaml: Mazur's numbers by his names")
    expected = block_starting("$ mlpstep check configs/mazur.yaml post.yaml")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "mazur.yaml").write_text((ROOT / "configs/mazur.yaml").read_text())
    (tmp_path / "post.yaml").write_text(answers)
    assert expected == output_of("check", "configs/mazur.yaml", "post.yaml")


@pytest.mark.parametrize("line", [line for line in README.splitlines() if line.startswith("python3 -m venv")])
def test_readme_command_lines_name_real_things(line):
    assert "configs/seed.yaml" in line or "'.[test]'" in line


def test_latex_example_in_the_readme_is_real():
    assert (
        block_starting("$ mlpstep run configs/seed.yaml --format latex --only W1n")
        == runner.invoke(app, ["run", "configs/seed.yaml", "--format", "latex", "--only", "W1n"]).stdout
    )


def test_explain_example_in_the_readme_is_real():
    command = "$ mlpstep run configs/seed.yaml --only loss,dL/dW1,W1n --explain 'loss[0] dL/dW1[1,0] W1[1,0]'"
    assert block_starting(command) == output_of(
        "run", "configs/seed.yaml", "--only", "loss,dL/dW1,W1n", "--explain", "loss[0] dL/dW1[1,0] W1[1,0]"
    )


def test_init_example_in_the_readme_is_real():
    config = runner.invoke(app, ["init", "--layers", "2,3,2", "--integers", "--seed", "7"]).stdout
    result = runner.invoke(app, ["run", "-", "--only", "loss"], input=config)
    shown = "\n".join(line.rstrip() for line in result.stdout.splitlines()).rstrip("\n") + "\n"
    assert block_starting("$ mlpstep init --layers 2,3,2 --integers --seed 7 | mlpstep run - --only loss") == shown


def test_gradcheck_kink_example_in_the_readme_is_real():
    first = "$ mlpstep init --layers 2,3,2 --integers --seed 2 --keep-kinks | mlpstep gradcheck - | tail -2"
    config = runner.invoke(app, ["init", "--layers", "2,3,2", "--integers", "--seed", "2", "--keep-kinks"]).stdout
    result = runner.invoke(app, ["gradcheck", "-"], input=config)
    assert block_starting(first) == "".join(result.stdout.splitlines(keepends=True)[-2:])


def test_markdown_example_in_the_readme_is_real():
    first = "$ mlpstep run configs/seed.yaml --format markdown --only a1,W1n\n"
    start = README.index(first) + len(first)
    shown = README[start : README.index("````", start)]
    assert shown == runner.invoke(app, ["run", "configs/seed.yaml", "--format", "markdown", "--only", "a1,W1n"]).stdout


def test_files_example_in_the_readme_is_real(tmp_path, monkeypatch):
    import subprocess
    import sys

    block = next(b for b in re.findall(r"```\w*\n(.*?)```", README, re.DOTALL) if "$ mlpstep run files.yaml" in b)
    commands, shown = block.split("$ mlpstep run files.yaml --only loss\n")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "files.yaml").write_text(block_starting("# files.yaml"))
    for line in commands.splitlines():
        command = line.removeprefix("$ ")
        command = f'"{sys.executable}"' + command.removeprefix("python") if command.startswith("python ") else command
        subprocess.run(["bash", "-c", command], check=True)
    assert shown == output_of("run", "files.yaml", "--only", "loss")


def test_limits_example_in_the_readme_is_real(tmp_path, monkeypatch):
    block = next(b for b in re.findall(r"```\w*\n(.*?)```", README, re.DOTALL) if "$ mlpstep run mid.yaml" in b)
    make, run, shown = block.splitlines()
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, make.removeprefix("$ mlpstep ").split()).exit_code == 0
    result = runner.invoke(app, run.removeprefix("$ mlpstep ").split())
    assert result.exit_code == 2 and result.stderr == shown + "\n"


@pytest.fixture
def typo(tmp_path, monkeypatch):
    """typo.yaml as the README describes it: the seed with a row of W2 left out and softmax misspelt."""
    seed = (ROOT / SEED).read_text()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "seed.yaml").write_text(seed)
    typo = seed.replace("              [1, -1],\n              [1, -1]]", "              [1, -1]]", 1)
    (tmp_path / "typo.yaml").write_text(typo.replace("activation: softmax", "activation: sofmax"))


def test_validate_example_in_the_readme_is_real(typo):
    result = runner.invoke(app, ["validate", "configs/seed.yaml", "typo.yaml"])
    assert block_starting("$ mlpstep validate configs/seed.yaml typo.yaml") == result.stdout + result.stderr


def test_mistake_example_in_the_readme_is_real(typo):
    result = runner.invoke(app, ["run", "typo.yaml"])
    assert block_starting("$ mlpstep run typo.yaml") == result.stderr


def test_variants_example_in_the_readme_is_real(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("template.yaml").write_text(block_starting("# template.yaml"))
    Path("roster.csv").write_text("sid,name\ns101,Ann\ns102,Bob\n")
    shown = block_starting("$ mlpstep variants template.yaml --roster roster.csv --seed 2026 -o variants")
    made, _, written = shown.partition("$ cat variants/s101.yaml\n")
    args = ["variants", "template.yaml", "--roster", "roster.csv", "--seed", "2026", "-o", "variants"]
    assert output_of(*args) == made
    assert Path("variants/s101.yaml").read_text() == written


def test_check_variants_example_in_the_readme_is_real(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("template.yaml").write_text(block_starting("# template.yaml"))
    Path("roster.csv").write_text("sid,name\ns101,Ann\ns102,Bob\n")
    runner.invoke(app, ["variants", "template.yaml", "--roster", "roster.csv", "--seed", "2026", "-o", "variants"])
    Path("s101.yaml").write_text(output_of("answers", "variants/s101.yaml", "--digits", "4"))
    Path("answers.yaml").write_text(Path("s101.yaml").read_text())
    shown = block_starting("$ mlpstep answers variants/s101.yaml --digits 4 > s101.yaml")
    table = shown.partition("$ mlpstep check --variants variants s101.yaml answers.yaml\n")[2]
    assert output_of("check", "--variants", "variants", "s101.yaml", "answers.yaml") == table


def test_points_example_in_the_readme_is_real(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "quiz.yaml").write_text(
        (ROOT / SEED).read_text() + block_starting("# quiz.yaml: configs/seed.yaml, then")
    )
    (tmp_path / "mine.yaml").write_text(block_starting("# mine.yaml"))
    assert block_starting("$ mlpstep check quiz.yaml mine.yaml") == output_of("check", "quiz.yaml", "mine.yaml")


def test_sheet_example_in_the_readme_is_real():
    assert blocks_after("The solution's first question, as the document writes it:") in output_of(
        "sheet", SEED, "--solution"
    )
