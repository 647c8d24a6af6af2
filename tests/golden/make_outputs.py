"""Every output of every bundled config in every format, as files next to this script.

    python tests/golden/make_outputs.py        # (re)write tests/golden/outputs/
    python tests/golden/make_outputs.py --check  # exit 1 and name the files that differ

tests/test_outputs.py compares them byte for byte: a change of layout inside mlpstep
(moving code between modules) must leave them identical; a change of behaviour
regenerates them on purpose, and the diff shows what a user will see.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
OUTPUTS = Path(__file__).resolve().parent / "outputs"
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))
COMMANDS = {
    "run.txt": ["run", "{config}"],
    "run-explain.txt": ["run", "{config}", "--explain"],
    "run.json": ["run", "{config}", "--json"],
    "run.md": ["run", "{config}", "--format", "markdown"],
    "run.tex": ["run", "{config}", "--format", "latex"],
    "run-3-steps.txt": ["run", "{config}", "--steps", "3", "--show-step", "2"],
    "answers.yaml": ["answers", "{config}", "--decimals", "4"],
    "answers-blank.yaml": ["answers", "{config}", "--blank"],
    "check-key.txt": ["check", "{config}", "{key}"],
    "check-key.json": ["check", "{config}", "{key}", "--json"],
    "check-class.txt": ["check", "{config}", "{key}", "{wrong}"],
    "check-gradescope.json": ["check", "{config}", "{wrong}", "--format", "gradescope"],
    "gradcheck.json": ["gradcheck", "{config}", "--json"],
    "validate.txt": ["validate", "{config}"],
}
WIDTH = "100"


def outputs() -> dict[str, str]:
    """File name -> what the command printed (stdout, then stderr after a marker, then the exit code)."""
    from mlpstep.cli.app import app

    runner = CliRunner()
    made = {}
    for config in CONFIGS:
        relative = config.relative_to(ROOT).as_posix()
        key = runner.invoke(app, ["answers", str(config), "--decimals", "4"], env={"COLUMNS": WIDTH}).stdout
        wrong = "".join(_wrong(line) for line in key.splitlines(keepends=True))
        for name, words in COMMANDS.items():
            files = {"key": "answers-key.yaml", "wrong": "answers-wrong.yaml"}
            args = [word.format(config=relative, **files) for word in words]
            with tempfile.TemporaryDirectory() as folder:
                here = os.getcwd()
                os.chdir(folder)
                try:
                    shutil.copytree(ROOT / "configs", "configs")
                    Path("answers-key.yaml").write_text(key)
                    Path("answers-wrong.yaml").write_text(wrong)
                    result = runner.invoke(app, args, env={"COLUMNS": WIDTH, "NO_COLOR": "1"})
                finally:
                    os.chdir(here)
            made[f"{config.stem}.{name}"] = (
                f"{result.stdout}--- stderr ---\n{result.stderr}--- exit {result.exit_code} ---\n"
            )
    return made


def _wrong(line: str) -> str:
    """A line of an answer key with some answers wrong: every 1 of its values made a 2."""
    name, colon, value = line.partition(": ")
    return name + colon + value.replace("1", "2") if not name.startswith("#") else line


def main() -> int:
    made = outputs()
    if "--check" in sys.argv:
        differ = [
            name
            for name, text in made.items()
            if not (OUTPUTS / name).is_file() or (OUTPUTS / name).read_text() != text
        ]
        print("\n".join(differ) or "all identical")
        return 1 if differ else 0
    OUTPUTS.mkdir(exist_ok=True)
    for old in OUTPUTS.iterdir():
        old.unlink()
    for name, text in made.items():
        (OUTPUTS / name).write_text(text)
    print(f"wrote {len(made)} files to {OUTPUTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
