"""check --variants: each answers file graded against its own student's variant, whose id is the file's
student: key, else its name, else Gradescope's submission_metadata.json."""

import json
from pathlib import Path

import pytest
from helpers import ROOT, assert_refused, runner
from test_variants import TEMPLATE

import mlpstep.cli.check
from mlpstep.cli.app import app


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """tmp_path holding variants/s1.yaml, s2.yaml and s3.yaml, and key_s1.yaml ... each variant's full key."""
    monkeypatch.chdir(tmp_path)
    Path("template.yaml").write_text(TEMPLATE)
    Path("roster.csv").write_text("sid\ns1\ns2\ns3\n")
    made = runner.invoke(app, ["variants", "template.yaml", "--roster", "roster.csv", "--seed", "3", "-o", "variants"])
    assert made.exit_code == 0, made.output
    for student in ("s1", "s2", "s3"):
        key = runner.invoke(app, ["answers", f"variants/{student}.yaml"])
        Path(f"key_{student}.yaml").write_text(key.stdout)
    return tmp_path


def check(*args):
    return runner.invoke(app, ["check", "--variants", "variants", *args, "--json"])


def scores(result) -> dict[str, tuple]:
    return {f["file"]: (f["correct"], f["total"], f["error"]) for f in json.loads(result.stdout)["files"]}


def test_the_student_key_names_the_variant(folder):
    Path("mine.yaml").write_text("student: s2\n" + Path("key_s2.yaml").read_text())
    Path("wrong.yaml").write_text("student: s1\n" + Path("key_s2.yaml").read_text())
    result = check("mine.yaml", "wrong.yaml")
    assert result.exit_code == 1
    found = scores(result)
    assert found["mine.yaml"] == (15, 15, None) and found["wrong.yaml"][0] < 15


def test_the_file_name_names_the_variant(folder):
    Path("s3.yaml").write_text(Path("key_s3.yaml").read_text())
    result = check("s3.yaml")
    assert result.exit_code == 0 and scores(result) == {"s3.yaml": (15, 15, None)}


@pytest.mark.parametrize("user", [{"sid": "s1"}, {"sid": "nobody", "email": "s1"}, {"email": "s1"}])
def test_gradescope_metadata_names_the_variant(folder, user):
    Path("answers.yaml").write_text(Path("key_s1.yaml").read_text())
    Path("meta.json").write_text(json.dumps({"users": [user]}))
    result = check("answers.yaml", "--metadata", "meta.json")
    assert result.exit_code == 0 and scores(result) == {"answers.yaml": (15, 15, None)}


def test_a_file_without_a_student_is_not_gradable_and_the_others_are_graded(folder):
    Path("answers.yaml").write_text(Path("key_s1.yaml").read_text())
    Path("s2.yaml").write_text(Path("key_s2.yaml").read_text())
    result = check("answers.yaml", "s2.yaml")
    assert result.exit_code == 2
    assert scores(result) == {
        "answers.yaml": (
            0,
            0,
            "not gradable: it names no student of variants: add student: ID to it, or name it ID.yaml",
        ),
        "s2.yaml": (15, 15, None),
    }


@pytest.mark.parametrize(
    "key,why",
    [
        ("student: s9", "student s9 has no variant in variants"),
        ("student: ../s1", "student: '../s1' is not a student id"),
        ("student: [s1]", "student: ['s1'] is not a student id"),
    ],
)
def test_an_unknown_or_wrong_student_is_not_gradable(folder, key, why):
    Path("s1.yaml").write_text(key + "\n" + Path("key_s1.yaml").read_text())
    result = check("s1.yaml")
    assert result.exit_code == 2 and scores(result) == {"s1.yaml": (0, 0, f"not gradable: {why}")}


def test_metadata_naming_a_student_without_a_variant(folder):
    Path("answers.yaml").write_text(Path("key_s1.yaml").read_text())
    Path("meta.json").write_text('{"users": [{"sid": "s9", "email": "s9@x.org"}]}')
    result = runner.invoke(app, ["check", "--variants", "variants", "answers.yaml", "--metadata", "meta.json"])
    assert_refused(result, "answers.yaml: not gradable: student s9 or s9@x.org (of --metadata) has no variant")


def test_each_variant_is_stepped_once(folder, monkeypatch):
    stepped = []
    original = mlpstep.cli.check.stepped
    monkeypatch.setattr(mlpstep.cli.check, "stepped", lambda config, *a: stepped.append(config) or original(config, *a))
    for n, student in enumerate(["s1", "s1", "s2"]):
        Path(f"a{n}.yaml").write_text(f"student: {student}\n" + Path(f"key_{student}.yaml").read_text())
    assert check("a0.yaml", "a1.yaml", "a2.yaml").exit_code == 0
    assert sorted(stepped) == ["variants/s1.yaml", "variants/s2.yaml"]


def test_a_student_key_is_no_answer_in_the_config_form(folder):
    Path("mine.yaml").write_text("student: s1\n" + Path("key_s1.yaml").read_text())
    result = runner.invoke(app, ["check", "variants/s1.yaml", "mine.yaml"])
    assert result.exit_code == 0 and result.stdout.endswith("mine.yaml: 15/15 correct\n")


@pytest.mark.parametrize(
    "args,message",
    [
        (["check", "variants/s1.yaml"], "give the answers files after CONFIG"),
        (["check", "--variants", "variants", "-"], "- cannot be"),
        (["check", "variants/s1.yaml", "a.yaml", "--metadata", "m.json"], "give --variants DIR"),
        (["check", "--variants", "nowhere", "a.yaml"], "nowhere is not a folder"),
        (["check", "--variants", "variants", "a.yaml", "--metadata", "template.yaml"], "names no student"),
    ],
)
def test_option_mistakes(folder, args, message):
    assert_refused(runner.invoke(app, args), message)


def test_a_file_that_cannot_be_read_and_names_no_student_says_why_it_cannot_be_read(tmp_path):
    variants = tmp_path / "variants"
    variants.mkdir()
    (variants / "s1.yaml").write_text((ROOT / "configs" / "seed.yaml").read_text())
    result = runner.invoke(app, ["check", "--variants", str(variants), str(tmp_path / "nosuch.yaml"), "--json"])
    (graded,) = json.loads(result.stdout)["files"]
    assert result.exit_code == 2 and graded["error"] == "not gradable: no such file; check the path"
