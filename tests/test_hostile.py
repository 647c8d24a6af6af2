"""Hostile submissions and files: no free marks, no hangs, no memory blow-ups, no terminal
injection, nothing overwritten that the shell would protect. One test (or more) per attack;
every hostile file is made here, small, and never committed."""

import json
import os
import signal
import stat
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from helpers import ROOT, SEED, SEED_TEXT, deadline, runner

import mlpstep
from mlpstep.cli.app import app
from mlpstep.errors import ConfigError
from mlpstep.grade.answers import half_unit
from mlpstep.loading.reader import MAX_VALUES, parse_text

MAZUR = str(ROOT / "configs" / "mazur.yaml")
SECRET = "the-teacher's-secret-line"


def check(*args):
    return runner.invoke(app, ["check", *map(str, args)])


def one_problem_line(result) -> str:
    """The one problem a single-file report names (an answer that is not a number, ...)."""
    lines = [line for line in result.stdout.splitlines() if line.startswith("! ")]
    assert result.exit_code == 2 and len(lines) == 1 and result.stderr == "", result.output
    return lines[0]


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def key_of(config: str, decimals: int | None = None) -> str:
    args = ["answers", config] + ([] if decimals is None else ["--decimals", str(decimals)])
    return runner.invoke(app, args).stdout


def npy_bytes(shape_text: str, descr: str = "<f8", data: bytes = b"") -> bytes:
    """A .npy file whose header declares ``shape_text`` as written (so it may lie), then ``data``."""
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def seed_with_weights(folder: Path, reference: str, extra: str = "") -> Path:
    """The seed with its first weights given as ``reference`` (a {file: ...} mapping), and ``extra`` lines."""
    text = SEED_TEXT.replace("[[1, 0, -1, 0], [0, 1, 0, -1]]", reference, 1)
    path = folder / "config.yaml"
    path.write_text(text + extra)
    return path


# -- 1. no full marks without computing anything ---------------------------------------


def test_a_zero_with_a_padded_exponent_is_only_zero(tmp_path):
    cheat = tmp_path / "cheat.yaml"
    cheat.write_text("z1: [0e000000, 0e000000, 0e000000, 0e000000]\nloss: 0e000000\n")
    result = check(SEED, cheat)
    assert result.exit_code == 1
    assert f"{cheat}: 0/2 correct" in result.stdout


def test_an_all_zeros_file_in_padded_exponents_scores_no_more_than_plain_zeros(tmp_path):
    key = yaml.safe_load(key_of(SEED))
    padded, plain = tmp_path / "padded.yaml", tmp_path / "plain.yaml"
    padded.write_text(
        "".join(
            f"{name}: {json.dumps(np.zeros_like(np.array(v)).tolist()).replace('0.0', '0e000000')}\n"
            for name, v in key.items()
        )
    )
    plain.write_text(
        "".join(
            f"{name}: {json.dumps(np.zeros_like(np.array(v)).tolist()).replace('0.0', '0')}\n"
            for name, v in key.items()
        )
    )
    scores = []
    for path in (padded, plain):
        result = check(SEED, path, "--format", "gradescope", "--expect", "all")
        scores.append(json.loads(result.stdout)["score"])
    assert scores[0] == scores[1] < len(key)


def test_a_json_exponent_with_leading_zeros_is_its_value(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"loss": 9e0000001}')
    result = check(SEED, path)
    assert result.exit_code == 1 and "0/1 correct" in result.stdout


@pytest.mark.parametrize(
    "text,unit",
    [
        ("0e000000", 0.5),
        ("0e5", 0.5),
        ("0.00e3", 0.005),
        ("0e-5", 5e-6),
        ("9e0000001", 5.0),
        ("9e1", 5.0),
        ("+000012.50", 0.005),
        ("1.5E+0002", 5.0),
        (".5", 0.05),
        ("5.", 0.5),
        ("6.91e-13", 5e-16),
    ],
)
def test_half_a_unit_comes_from_the_value_not_the_spelling(text, unit):
    assert half_unit(text) == pytest.approx(unit, rel=1e-12)


@pytest.mark.parametrize("text", ["1e-400", "0e999999", "1e99999999999999999999", "1e-330"])
def test_an_absurd_exponent_is_not_a_number(text, tmp_path):
    assert half_unit(text) is None
    path = tmp_path / "a.yaml"
    path.write_text(f"loss: {text}\n")
    line = one_problem_line(check(SEED, path))
    assert "loss: " in line and "exponent" in line


@pytest.mark.parametrize(
    "text",
    ["!!float 0_0e300", "!!float \u0660e300", "!!float \uff10e300", "!!int \u0660", "!!float inf", "!!float 1_000"],
)
def test_an_explicit_tag_cannot_smuggle_a_spelling_yaml_does_not_allow(tmp_path, text):
    path = tmp_path / "a.yaml"
    path.write_text(f"loss: {text}\n", encoding="utf-8")
    line = one_error_line(check(SEED, path))
    assert "is not a number" in line or "is not a whole number" in line


def test_a_cheat_of_tagged_zeros_scores_nothing(tmp_path):
    import re

    cheat = re.sub(r"(?<=[\[ ,])-?\d[\d.e+-]*", "!!float 0_0e300", key_of(SEED))
    path = tmp_path / "cheat.yaml"
    path.write_text(cheat)
    result = check(SEED, path, "--format", "gradescope", "--expect", "all")
    assert result.exit_code == 2 and json.loads(result.stdout)["score"] == 0


def test_a_number_written_with_hundreds_of_digits_is_refused(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("loss: 28." + "0" * 500 + "\n")
    assert "a number written with 503 characters; write at most 64" in one_problem_line(check(SEED, path))


# -- 2 and 3. links, FIFOs and devices among the submissions -------------------------------


@pytest.fixture
def class_folder(tmp_path):
    """A teacher's key, a secret file, and submissions: a good one, a wrong one, links to both, a FIFO."""
    (tmp_path / "teacher").mkdir()
    (tmp_path / "teacher" / "key.yaml").write_text(key_of(SEED))
    (tmp_path / "teacher" / "secret.yaml").write_text(f"{SECRET}: 1\n")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "good.yaml").write_text(key_of(SEED, 4))
    (subs / "wrong.yaml").write_text("a1: [1, 2, 3, 4]\n")
    (subs / "key-link.yaml").symlink_to("../teacher/key.yaml")
    (subs / "secret-link.yaml").symlink_to("../teacher/secret.yaml")
    os.mkfifo(subs / "fifo.yaml")
    return subs


def test_links_and_fifos_are_not_graded_and_the_others_are(class_folder):
    files = sorted(class_folder.iterdir())
    with deadline(20):
        result = check(SEED, *files, "--json")
    assert result.exit_code == 2  # some files could not be graded
    by_name = {Path(f["file"]).name: f for f in json.loads(result.stdout)["files"]}
    assert (
        by_name["good.yaml"]["correct"] == by_name["good.yaml"]["total"] == 17 and by_name["good.yaml"]["error"] is None
    )
    assert by_name["wrong.yaml"]["correct"] == 0 and by_name["wrong.yaml"]["total"] == 17  # --expect all for a class
    for name in ("key-link.yaml", "secret-link.yaml"):
        assert by_name[name]["correct"] == 0 and by_name[name]["total"] == 17
        assert by_name[name]["error"] == "is a symbolic link, which is not graded (--follow-symlinks grades links)"
    assert by_name["fifo.yaml"]["error"] == "is a FIFO (named pipe), not a regular file; it is not read"
    assert SECRET not in result.output


def test_the_table_of_a_class_with_links_never_shows_what_they_point_at(class_folder):
    with deadline(20):
        result = check(SEED, *sorted(class_folder.iterdir()))
    assert result.exit_code == 2 and SECRET not in result.output
    assert "5 files: 1 all correct, 1 with wrong answers, 3 not gradable" in result.stdout


def test_a_link_to_the_key_scores_nothing_on_gradescope(class_folder):
    result = check(SEED, class_folder / "key-link.yaml", "--format", "gradescope")
    assert result.exit_code == 2
    results = json.loads(result.stdout)
    assert results["score"] == 0 and results["tests"] == [] and "symbolic link" in results["output"]


def test_follow_symlinks_grades_links_for_teachers_who_want_them(class_folder):
    result = check(SEED, class_folder / "key-link.yaml", "--follow-symlinks")
    assert result.exit_code == 0 and "17/17 correct" in result.stdout


def test_a_link_to_a_device_or_a_fifo_is_refused_even_when_links_are_followed(class_folder):
    (class_folder / "stdin.yaml").symlink_to("/dev/zero")
    (class_folder / "fifo-link.yaml").symlink_to("fifo.yaml")
    with deadline(20):
        for name, kind in (("stdin.yaml", "a character device"), ("fifo-link.yaml", "a FIFO")):
            line = one_error_line(check(SEED, class_folder / name, "--follow-symlinks"))
            assert f"is {kind}" in line and "not a regular file" in line


def test_a_file_reached_through_a_linked_folder_is_not_graded(class_folder, monkeypatch):
    (class_folder / "alice").symlink_to("../teacher")
    (class_folder / "bob").mkdir()
    (class_folder / "bob" / "key.yaml").write_text("loss: 1\n")
    for base in (class_folder, Path(os.path.relpath(class_folder))):
        result = check(SEED, base / "alice" / "key.yaml", base / "bob" / "key.yaml", "--json")
        alice, bob = json.loads(result.stdout)["files"]
        assert alice["error"] == (
            f"is reached through {base / 'alice'}, a symbolic link, and is not graded (--follow-symlinks grades links)"
        )
        assert bob["error"] is None and bob["total"] == 17
    result = check(SEED, class_folder / "alice" / "key.yaml", "--follow-symlinks")
    assert result.exit_code == 0 and "17/17 correct" in result.stdout


def test_a_socket_is_named_as_such(class_folder):
    import socket

    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(class_folder / "sock.yaml"))
        assert one_error_line(check(SEED, class_folder / "sock.yaml")).endswith(
            "sock.yaml: is a socket, not a regular file; it is not read"
        )


def test_a_dangling_link_is_reported_like_any_link(class_folder):
    (class_folder / "dangling.yaml").symlink_to("nowhere.yaml")
    assert "is a symbolic link, which is not graded" in one_error_line(check(SEED, class_folder / "dangling.yaml"))


def test_an_array_file_that_is_a_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "W1.npy")
    config = seed_with_weights(tmp_path, "{file: W1.npy}")
    with deadline(20):
        line = one_error_line(runner.invoke(app, ["run", str(config)]))
    assert "layers[0].weights.file: W1.npy is not a regular file (a FIFO or a device)" in line


def test_a_config_that_is_a_fifo_nobody_writes_to_is_refused_without_a_hang(tmp_path):
    os.mkfifo(tmp_path / "config.yaml")
    with deadline(20):
        for args in (
            ["run", tmp_path / "config.yaml"],
            ["check", tmp_path / "config.yaml", SEED],
            ["validate", tmp_path / "config.yaml"],
        ):
            line = one_error_line(runner.invoke(app, list(map(str, args))))
            assert line.endswith("config.yaml: a FIFO (named pipe) with nothing written to it; give a config file")


def test_a_config_from_a_pipe_that_writes_late_is_still_read(tmp_path):
    script = f"import time, sys; time.sleep(0.5); sys.stdout.write(open({SEED!r}).read())"
    result = subprocess.run(
        ["bash", "-c", f'{sys.executable} -m mlpstep run <({sys.executable} -c "{script}") --json'],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0 and json.loads(result.stdout)["loss"] == 28.000000000000693


# -- 4. every line break counts towards the value cap --------------------------------------


@pytest.mark.parametrize("newline", ["\r", "\x85", "\u2028", "\u2029", "\r\n", "\n"])
@pytest.mark.parametrize("command", ["run", "check"])
def test_the_value_cap_counts_every_yaml_line_break(tmp_path, newline, command):
    path = tmp_path / "many.yaml"
    path.write_text("a1:" + newline + ("- 1" + newline) * (MAX_VALUES // 2 + 1), encoding="utf-8")
    args = ["run", path] if command == "run" else ["check", SEED, path]
    line = one_error_line(runner.invoke(app, list(map(str, args))))
    assert "values" in line and "refused" in line


def test_block_entries_count_but_minus_signs_do_not():
    negatives = ("a: [" + ", ".join(["-1"] * 1000) + "]\n").encode()
    assert parse_text(negatives, "a.yaml", max_values=1100)["a"] == [-1] * 1000
    nested = b"a:\n" + b"- - - - 1\n" * 300  # four values a line
    with pytest.raises(ConfigError, match="holds more than 1,100 values"):
        parse_text(nested, "a.yaml", max_values=1100)


def test_an_answers_file_may_hold_no_more_values_than_its_answers_could(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a1: [" + ", ".join(["1"] * 5000) + "]\n")
    line = one_error_line(check(SEED, path))
    assert "holds more than" in line and "values; refused" in line


def test_an_answers_file_may_be_no_bigger_than_its_answers_could_be(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("# " + "x" * 3_000_000 + "\na1: [2, 13, 0, 0]\n")
    assert "more than answers to this problem can take; refused" in one_error_line(check(SEED, path))


DEEP = (
    "input: [1]\nlabel: [0.5]\nloss: squared\nlearning_rate: 0.1\nlayers:\n"
    + "  - {weights: [[1]], bias: [0], activation: sigmoid}\n" * 100
)


@pytest.mark.parametrize("config", sorted(str(p) for p in (ROOT / "configs").glob("*.yaml")) + ["deep"])
@pytest.mark.parametrize("written", [["answers"], ["answers", "--names", "paths"], ["run", "--json", "--steps", "2"]])
def test_every_key_fits_under_the_cap_of_its_problem(tmp_path, config, written):
    if config == "deep":  # a hundred layers of one unit: brackets and names outnumber the numbers
        config = tmp_path / "deep.yaml"
        config.write_text(DEEP)
    key = tmp_path / ("key.json" if "--json" in written else "key.yaml")
    key.write_text(runner.invoke(app, [written[0], str(config), *written[1:]]).stdout)
    steps = ["--steps", "2"] if "--steps" in written else []
    result = check(config, key, *steps)
    assert result.exit_code == 0, result.output


def test_a_run_json_output_is_still_a_gradable_answers_file(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(runner.invoke(app, ["run", "configs/adam.yaml", "--json", "--steps", "3"]).stdout)
    result = check("configs/adam.yaml", path, "--steps", "3")
    assert result.exit_code == 0, result.output


@pytest.mark.slow  # a batch of 200 points of 784 inputs
def test_a_run_json_output_whose_inputs_outnumber_its_answers_is_gradable(tmp_path):
    config = tmp_path / "wide.yaml"
    assert (
        runner.invoke(
            app, ["init", "--layers", "784,2,2", "--batch", "200", "--seed", "1", "-o", str(config)]
        ).exit_code
        == 0
    )
    path = tmp_path / "run.json"
    path.write_text(runner.invoke(app, ["run", str(config), "--json"]).stdout)  # given.x: 156,800 numbers
    result = check(config, path)
    assert result.exit_code == 0, result.output


# -- 5. the work and memory of a run are priced before it starts ---------------------------


def test_a_matrix_product_past_the_work_cap_is_refused_before_it_starts(tmp_path):
    np.save(tmp_path / "W.npy", np.zeros((2, 1000)))
    np.save(tmp_path / "V.npy", np.zeros((1000, 1000)))
    np.save(tmp_path / "U.npy", np.zeros((1000, 2)))
    text = (
        "input: [3, 14]\nlabel: 1\nloss: nll\nlearning_rate: 0.1\nsteps: 10000\nlayers:\n"
        "  - {weights: {file: W.npy}, activation: relu}\n  - {weights: {file: V.npy}, activation: relu}\n"
        "  - {weights: {file: U.npy}, activation: softmax}\n"
    )
    (tmp_path / "big.yaml").write_text(text)
    line = one_error_line(runner.invoke(app, ["run", str(tmp_path / "big.yaml")]))
    assert "steps: 10,000 steps of a 2-1000-1000-2 network on 1 point would take about" in line
    assert "multiply-adds of work, more than the 3e+10 (a few seconds) a run may" in line and "--allow-large" in line
    assert mlpstep.load(str(tmp_path / "big.yaml"), allow_large=True).steps == 10_000


def test_more_steps_on_the_command_line_are_priced_too(tmp_path):
    np.save(tmp_path / "W.npy", np.zeros((2, 20000)))
    config = seed_with_weights(tmp_path, "{file: W.npy}")
    text = (
        config.read_text()
        .replace("[[1, -1], [1, -1], [1, -1], [1, -1]]", "{file: U.npy}")
        .replace("bias: [-1, -1, -1, -1]", "bias: 0")
    )
    np.save(tmp_path / "U.npy", np.zeros((20000, 2)))
    config.write_text(text)
    assert runner.invoke(app, ["run", str(config), "--json"]).exit_code == 0
    line = one_error_line(runner.invoke(app, ["run", str(config), "--steps", "10000"]))
    assert line.startswith("error: --steps: 10,000 steps of a 2-20000-2 network")


def test_gradcheck_of_a_big_network_is_refused_before_it_starts(tmp_path):
    np.save(tmp_path / "W.npy", np.zeros((2, 400)))
    np.save(tmp_path / "V.npy", np.zeros((400, 400)))
    np.save(tmp_path / "U.npy", np.zeros((400, 2)))
    (tmp_path / "mid.yaml").write_text(
        "input: [3, 14]\nlabel: 1\nloss: nll\nlearning_rate: 0.1\nlayers:\n"
        "  - {weights: {file: W.npy}, activation: relu}\n  - {weights: {file: V.npy}, activation: relu}\n"
        "  - {weights: {file: U.npy}, activation: softmax}\n"
    )
    assert runner.invoke(app, ["run", str(tmp_path / "mid.yaml"), "--json"]).exit_code == 0
    line = one_error_line(runner.invoke(app, ["gradcheck", str(tmp_path / "mid.yaml")]))
    assert (
        "gradcheck of a 2-400-400-2 network on 1 point would take about" in line
        and "use smaller layers or a smaller batch" in line
    )


@pytest.mark.parametrize("descr,size", [("<f8", "763 MiB"), ("<f16", "2,289 MiB")])
def test_an_npz_member_past_the_memory_cap_is_refused_before_it_is_inflated(tmp_path, descr, size):
    # the member holds only a header: were its data read, the message would be about a truncated file
    with zipfile.ZipFile(tmp_path / "bomb.npz", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("W.npy", npy_bytes("(10000, 10000)", descr))
    config = seed_with_weights(tmp_path, "{file: bomb.npz, key: W}")
    line = one_error_line(runner.invoke(app, ["run", str(config)]))
    assert f"layers[0].weights.file: bomb.npz[W] would take {size} in memory" in line
    assert "refused before reading it (add --allow-large" in line


def test_an_npz_of_too_many_members_is_refused_before_its_directory_is_read(tmp_path):
    import io

    array = io.BytesIO()
    np.save(array, np.array([[1, 0, -1, 0], [0, 1, 0, -1]]))
    with zipfile.ZipFile(tmp_path / "m.npz", "w") as archive:
        archive.writestr("W.npy", array.getvalue())
        for k in range(10_000):
            archive.writestr(str(k), b"")
    config = seed_with_weights(tmp_path, "{file: m.npz, key: W}")
    line = one_error_line(runner.invoke(app, ["run", str(config)]))
    assert line.endswith("m.npz holds 10,001 members, more than the 10,000 a .npz file may; refused")


def test_reading_a_csv_file_is_charged_for_what_the_parser_takes(tmp_path):
    (tmp_path / "W1.csv").write_text("," * 14_000_000 + "\n")  # 14 million empty cells: about 500 MB to parse
    config = seed_with_weights(tmp_path, "{file: W1.csv}")
    line = one_error_line(runner.invoke(app, ["run", str(config)]))
    assert (
        "W1.csv would take 534 MiB in memory, more than the 512 MiB a run may hold; refused before reading it" in line
    )


def test_a_big_bad_csv_file_gets_numpys_message_without_a_walk_over_every_cell(tmp_path):
    (tmp_path / "W1.csv").write_text("1,2\n" * 500_000 + "1\n")
    config = seed_with_weights(tmp_path, "{file: W1.csv}")
    with deadline(30):
        line = one_error_line(runner.invoke(app, ["run", str(config)]))
    assert line.endswith("W1.csv the number of columns changed from 2 to 1 at row 500001")


def test_several_arrays_share_one_memory_budget(tmp_path, monkeypatch):
    from mlpstep import limits

    monkeypatch.setattr(limits, "MAX_MEMORY", 100)  # bytes: W1 (64 as float64) fits, then W2 (64) does not
    np.save(tmp_path / "W1.npy", np.array([[1, 0, -1, 0], [0, 1, 0, -1]], dtype=np.float64))
    np.save(tmp_path / "W2.npy", np.array([[1, -1]] * 4, dtype=np.float64))
    config = seed_with_weights(tmp_path, "{file: W1.npy}")
    config.write_text(config.read_text().replace("[[1, -1], [1, -1], [1, -1], [1, -1]]", "{file: W2.npy}"))
    line = one_error_line(runner.invoke(app, ["run", str(config)]))
    assert "layers[1].weights.file: W2.npy would take 0.00 MiB in memory after the 0.00 MiB read before it" in line


# -- 6. the structure is checked before any file is read -----------------------------------


def test_unknown_keys_are_refused_before_their_files_are_read(tmp_path, monkeypatch):
    from mlpstep.loading import arrayfiles

    def never(*args, **kwargs):
        raise AssertionError("an array file was read for a config refused by its keys")

    monkeypatch.setattr(arrayfiles, "read_array_file", never)
    monkeypatch.setattr("mlpstep.loading.config.read_array_file", never)
    base = SEED_TEXT
    for extra, message in [
        ("junk0: {file: bomb.npz, key: Wi}\n", "junk0: unknown key"),
        ("optimizer: {name: sgd, junk: {file: bomb.npz}}\n", "optimizer.junk: unknown key"),
    ]:
        (tmp_path / "c.yaml").write_text(base + extra)
        assert message in one_error_line(runner.invoke(app, ["run", str(tmp_path / "c.yaml")]))
    (tmp_path / "c.yaml").write_text(
        base.replace("    activation: relu", "    activation: relu\n    junk: {file: bomb.npz}")
    )
    assert "layers[0].junk: unknown key" in one_error_line(runner.invoke(app, ["run", str(tmp_path / "c.yaml")]))


# -- 7. no control codes reach the terminal ------------------------------------------------

ESCAPES = "\x1b[2J\x1b]0;PWNED\x07\u202e"


def assert_no_control_codes(text: str):
    assert not any(c in text for c in "\x1b\x07\u202e\r"), repr(text)


def test_a_file_name_with_escape_codes_is_shown_escaped_in_every_report(tmp_path):
    name = tmp_path / f"a{ESCAPES}.yaml"
    name.write_text("a1: [1, 2, 3, 4]\n")
    for args in ([], ["--no-color"]):
        result = check(SEED, name, *args)
        assert result.exit_code == 1 and "0/1 correct" in result.stdout
        assert_no_control_codes(result.output)
        assert "a\\x1b[2J\\x1b]0;PWNED\\x07\\u202e.yaml" in result.stdout
    summary = check(SEED, name, name)
    assert_no_control_codes(summary.output)
    broken = tmp_path / f"b{ESCAPES}.yaml"
    broken.write_text("[1, 2]\n")
    for result in (check(SEED, broken), check(SEED, broken, name)):
        assert_no_control_codes(result.output)


def test_validate_shows_config_names_escaped(tmp_path):
    config = tmp_path / f"c{ESCAPES}.yaml"
    config.write_text(Path(SEED).read_text())
    result = runner.invoke(app, ["validate", str(config)])
    assert result.exit_code == 0 and "c\\x1b[2J" in result.stdout
    assert_no_control_codes(result.output)


def test_keys_and_values_with_escape_codes_are_shown_escaped(tmp_path):
    path = tmp_path / "a.yaml"
    for text in (f'"a1{ESCAPES}": [1]\n', f'a1: ["{ESCAPES}"]\n', f'step: "{ESCAPES}"\na1: [1]\n'):
        path.write_text(text)
        result = check(SEED, path)
        assert result.exit_code == 2
        assert_no_control_codes(result.output)
        assert_no_control_codes(check(SEED, path, path).output)


# -- 8. messages echo short excerpts -------------------------------------------------------


def test_a_megabyte_key_is_echoed_as_a_short_excerpt(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({**yaml.safe_load(SEED_TEXT), "k" * 5_000_000: 1}))
    line = one_error_line(runner.invoke(app, ["run", str(path)]))
    assert len(line) < 500 and "(5,000,000 characters): unknown key" in line


def test_a_megabyte_value_is_echoed_as_a_short_excerpt(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(SEED_TEXT.replace("activation: relu", "activation: " + "r" * 5_000_000))
    line = one_error_line(runner.invoke(app, ["run", str(path)]))
    assert len(line) < 500 and "layers[0].activation: 'rrrr" in line


def test_a_step_key_that_is_a_long_list_gets_a_short_message(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("step: [" + ", ".join(["1"] * 400) + "]\na1: [2, 13, 0, 0]\n")
    line = one_error_line(check(SEED, path))
    assert line.endswith("step: a list; give the step these answers are for, e.g. step: 1")
    result = check(SEED, path, "--format", "gradescope")
    assert len(json.loads(result.stdout)["output"]) < 300


def test_no_message_is_longer_than_the_cap():
    from mlpstep.errors import MAX_MESSAGE

    error = ConfigError("a" * 10_000, "b" * 10_000)
    assert len(str(error)) < MAX_MESSAGE + 40


# -- 9. -o never replaces what the shell would protect -------------------------------------


def test_output_refuses_a_file_the_user_could_not_write(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("keep me\n")
    target.chmod(0o444)
    if os.geteuid() == 0:  # root may write anything, as the shell lets it: act as another user
        real = os.access
        monkeypatch.setattr(
            os, "access", lambda path, mode, **kw: False if str(path) == str(target) else real(path, mode, **kw)
        )
    line = one_error_line(runner.invoke(app, ["run", SEED, "--json", "-o", str(target)]))
    assert line == f"error: --output: {target} is not writable (permission denied); it is left as it is"
    assert target.read_text() == "keep me\n" and stat.S_IMODE(target.stat().st_mode) == 0o444


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch to an unprivileged user")
def test_output_refuses_a_read_only_file_for_a_real_unprivileged_user(tmp_path):
    tmp_path.chmod(0o777)
    target = tmp_path / "out.json"
    target.write_text("keep me\n")
    target.chmod(0o444)
    nobody = 65534

    def demote():
        os.setgid(nobody)
        os.setuid(nobody)

    try:
        result = subprocess.run(
            [sys.executable, "-m", "mlpstep", "run", SEED, "--json", "-o", str(target)],
            capture_output=True,
            text=True,
            preexec_fn=demote,
            cwd=ROOT,
            timeout=60,
        )
    except PermissionError:
        pytest.skip("this Python is not readable by an unprivileged user")
    if "No module named" in result.stderr or "Permission denied" in result.stderr and "--output" not in result.stderr:
        pytest.skip("mlpstep is not readable by an unprivileged user here")
    assert result.returncode == 2 and "is not writable (permission denied)" in result.stderr
    assert target.read_text() == "keep me\n"


@pytest.mark.slow
def test_sigterm_while_writing_leaves_no_temporary_file(tmp_path):
    config = tmp_path / "wide.yaml"
    config.write_text(runner.invoke(app, ["init", "--layers", "20,300,300,2", "--batch", "100", "--seed", "1"]).stdout)
    out = tmp_path / "out.json"
    delays = [0.05 * k for k in range(1, 13)] * 2
    ended = []
    for delay in delays:
        process = subprocess.Popen(
            [sys.executable, "-m", "mlpstep", "run", str(config), "--json", "-o", str(out)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGTERM)
        ended.append(process.wait(timeout=60))
        assert not list(tmp_path.glob(".mlpstep-*")), f"a temporary file was left after SIGTERM at {delay} s"
        if out.exists():  # whole or absent, never a part
            json.loads(out.read_text())
    assert -signal.SIGTERM in ended  # some runs were stopped mid-way (the rest had finished)


def test_an_empty_output_name_is_refused_as_such():
    line = one_error_line(runner.invoke(app, ["run", SEED, "-o", ""]))
    assert line == "error: --output: an empty file name; give the path of the file to write"


# -- 10. bad input is never an internal error ----------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        "(0, 10**30)",
        "(0, 1000000000000000000000000000000)",
        "(True, 4)",
        "(9223372036854775808, 0)",
        "(-1, 4)",
        "(2.5, 4)",
    ],
)
def test_a_npy_header_with_an_impossible_shape_is_invalid_input(tmp_path, shape):
    (tmp_path / "W1.npy").write_bytes(npy_bytes(shape))
    config = seed_with_weights(tmp_path, "{file: W1.npy}")
    result = subprocess.run(
        [sys.executable, "-W", "default", "-m", "mlpstep", "run", str(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "W1.npy is not a valid .npy file" in result.stderr
    assert "Warning" not in result.stderr


def test_running_out_of_memory_is_a_clear_line_not_a_bug(monkeypatch):
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("mlpstep.engine.step", exhausted)
    result = runner.invoke(app, ["run", SEED])
    assert result.exit_code == 2
    assert one_error_line(result).startswith("error: not enough memory for this run")


@pytest.mark.parametrize("redirect,code", [(">&-", 2), ("2>&-", 0), (">&- 2>&-", 2)])
def test_closed_standard_streams_keep_exit_codes_true(redirect, code):
    result = subprocess.run(
        f"{sys.executable} -m mlpstep run {SEED} --json {redirect}",
        shell=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == code
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["run", "missing.yaml"], ["check", SEED, "missing.yaml"]])
def test_an_error_with_stderr_closed_still_exits_2(args):
    result = subprocess.run(
        [sys.executable, "-m", "mlpstep", *args],
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        timeout=60,
        stdout=subprocess.DEVNULL,
        preexec_fn=lambda: os.close(2),
    )
    assert result.returncode == 2


@pytest.mark.slow  # a signal, a second after the pipe closes
def test_a_reader_that_goes_away_ends_mlpstep_as_it_ends_other_tools(tmp_path):
    key = tmp_path / "key.yaml"
    key.write_text(key_of(SEED))
    result = subprocess.run(
        [
            "bash",
            "-c",
            f'{sys.executable} -m mlpstep check {SEED} {key} | (exec 0<&-; sleep 1); echo "${{PIPESTATUS[0]}}"',
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.stdout.strip() == str(128 + signal.SIGPIPE)  # not 1, which says "some answer wrong"
    assert "Traceback" not in result.stderr


def test_integer_keys_that_all_hash_alike_cost_no_more_than_any_keys():
    flood = "".join(f"{k * (2**61 - 1)}: 0\n" for k in range(60_000)).encode()  # before: over 30 s, quadratic
    with deadline(20):
        data = parse_text(flood, "keys.yaml")
    assert len(data) == 60_000 and all(isinstance(key, str) for key in data)


# -- 11. smaller ----------------------------------------------------------------------------


def test_tab_indentation_is_named(tmp_path):
    path = tmp_path / "c.yaml"
    for text, line in (("input: [3, 14]\nlabel: 1\n\tloss: nll\n", 3), ("a:\n\t- 1\n", 2)):
        path.write_text(text)
        assert one_error_line(runner.invoke(app, ["run", str(path)])).endswith(
            f"line {line}: tabs are not allowed for indentation; indent with spaces"
        )


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_csv_files_with_any_line_ends_read_alike(tmp_path, newline):
    (tmp_path / "W1.csv").write_text(newline.join(["1, 0, -1, 0", "0, 1, 0, -1"]) + newline, newline="")
    config = seed_with_weights(tmp_path, "{file: W1.csv}")
    assert mlpstep.step(mlpstep.load(str(config))).loss == mlpstep.step(mlpstep.load(SEED)).loss


def test_a_csv_error_names_its_line_with_cr_line_ends(tmp_path):
    (tmp_path / "W1.csv").write_text("1, 0, -1, 0\r0, 1, x, -1\r", newline="")
    config = seed_with_weights(tmp_path, "{file: W1.csv}")
    line = one_error_line(runner.invoke(app, ["run", str(config)]))
    assert "W1.csv line 2, column 3: 'x' is not a number" in line


# -- a soak: a class of 1,000 mixed submissions ----------------------------------------------


def make_class(folder: Path) -> dict[str, str]:
    """1,000 submissions of every kind, by file name -> kind."""
    key = folder.parent / "key.yaml"
    key.write_text(key_of(SEED) + f"# {SECRET}\n")
    good, wrong = key_of(SEED, 4), "a1: [1, 2, 3, 4]\nloss: 27\n"
    makers = {
        "good": lambda p: p.write_text(good),
        "wrong": lambda p: p.write_text(wrong),
        "link": lambda p: p.symlink_to(key),
        "fifo": lambda p: os.mkfifo(p),
        "escapes": lambda p: p.with_name(p.stem + ESCAPES + ".yaml").write_text(good),
        "cr-bomb": lambda p: p.write_bytes(b"a1:\r" + b"- 1\r" * 300_000),
        "u2028-bomb": lambda p: p.write_text("a1:\u2028" + "- 1\u2028" * 300_000, encoding="utf-8"),
        "alias-bomb": lambda p: p.write_text(
            'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
            + "".join(
                f"{c}: &{c} [*{p_}, *{p_}, *{p_}, *{p_}, *{p_}, *{p_}, *{p_}, *{p_}, *{p_}]\n"
                for p_, c in zip("abcdefgh", "bcdefghi")
            )
        ),
        "deep": lambda p: p.write_text("a1: " + "[" * 5000 + "]" * 5000 + "\n"),
        "zero-cheat": lambda p: p.write_text(
            "".join(
                f"{line.split(':')[0]}: 0e0000000000\n"
                for line in good.splitlines()
                if line and not line.startswith("#")
            )
        ),
        "huge-key": lambda p: p.write_text(json.dumps({"k" * 1_000_000: 1})),
        "binary": lambda p: p.write_bytes(bytes(range(256)) * 100),
        "long-number": lambda p: p.write_text("loss: 2" + "0" * 100_000 + "\n"),
        "step-list": lambda p: p.write_text("step: [" + "1," * 500 + "1]\na1: [2, 13, 0, 0]\n"),
    }
    weights = {
        "good": 300,
        "wrong": 300,
        "link": 60,
        "fifo": 40,
        "escapes": 40,
        "cr-bomb": 20,
        "u2028-bomb": 20,
        "alias-bomb": 40,
        "deep": 40,
        "zero-cheat": 40,
        "huge-key": 20,
        "binary": 30,
        "long-number": 20,
        "step-list": 30,
    }
    assert sum(weights.values()) == 1000
    kinds = {}
    n = 0
    for kind, count in weights.items():
        for _ in range(count):
            path = folder / f"{n:04d}-{kind}.yaml"
            makers[kind](path)
            kinds[path.name if kind != "escapes" else path.stem + ESCAPES + ".yaml"] = kind
            n += 1
    return kinds


@pytest.mark.slow
def test_a_class_of_a_thousand_hostile_submissions_is_graded_in_bounded_time_and_memory(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    kinds = make_class(folder)
    report = tmp_path / "rss"
    # the peak of this process alone: ru_maxrss keeps the pytest process's peak across the exec on Linux
    code = (
        "import atexit, sys\n"
        "def peak():\n"
        "    lines = open('/proc/self/status').read().splitlines()\n"
        "    return next(line.split()[1] for line in lines if line.startswith('VmHWM:'))\n"
        f"atexit.register(lambda: open({str(report)!r}, 'w').write(peak()))\n"
        "from mlpstep.cli.app import main\nsys.argv = ['mlpstep', *sys.argv[1:]]\nmain()\n"
    )
    files = sorted(str(p) for p in folder.iterdir())
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, "check", SEED, *files, "--json"], capture_output=True, timeout=300, cwd=ROOT
    )
    seconds = time.perf_counter() - started
    peak_mib = int(report.read_text()) / 1024
    print(f"1,000 submissions: {seconds:.1f} s, peak RSS {peak_mib:.0f} MiB")
    assert seconds < 120 and peak_mib < 400  # bounds, not a benchmark: a hang or a blow-up fails here
    assert (
        result.returncode == 2 and b"\x1b" not in result.stdout + result.stderr and SECRET.encode() not in result.stdout
    )
    graded = {Path(f["file"]).name: f for f in json.loads(result.stdout)["files"]}
    assert len(graded) == 1000
    for name, kind in kinds.items():
        answer = graded[name]
        if kind in ("good", "escapes"):
            assert answer["correct"] == answer["total"] == 17 and answer["error"] is None
        elif kind == "wrong":  # a class expects every value: 17
            assert answer["correct"] == 0 and answer["total"] == 17
        elif kind == "zero-cheat":
            assert answer["correct"] < answer["total"]
        elif kind == "long-number":  # a problem of the file; the other answers (none) are graded
            assert (
                answer["error"] is None
                and answer["correct"] == 0
                and answer["problems"] == ["loss: a number written with 100,001 characters; write at most 64"]
            )
        else:
            assert answer["error"] and answer["correct"] == 0 and len(answer["error"]) < 400, (kind, answer["error"])


def test_a_key_names_its_config_on_one_comment_line_whatever_the_name(tmp_path):
    config = tmp_path / "c\na1: [0, 0, 0, 0]\n.yaml"
    config.write_text(SEED_TEXT)
    key = runner.invoke(app, ["answers", str(config)]).stdout
    assert all(line.startswith("#") for line in key.splitlines()[:2]) and "c\\na1: [0, 0, 0, 0]\\n.yaml" in key
    assert "a1: [0, 0, 0, 0]" not in key.splitlines()
    answers = tmp_path / "key.yaml"
    answers.write_text(key)
    assert check(config, answers).exit_code == 0


def test_no_answers_file_holds_more_than_a_million_values(monkeypatch):
    from mlpstep.grade import answers

    trace = mlpstep.step(mlpstep.load(SEED))
    assert answers.most_values(trace) == 1644
    monkeypatch.setattr(answers, "MAX_ANSWER_VALUES", 100)
    assert answers.most_values(trace) == 100


# -- a second adversarial pass ---------------------------------------------------------------


def test_an_npz_whose_end_record_understates_its_directory_is_refused_before_reading_it(tmp_path):
    directory = bytearray()
    for k in range(120_000):  # ~6 MB of directory entries behind an end record that says 1 member
        name = f"m{k}.npy".encode()
        directory += (
            struct.pack("<4s6H3L5H2L", b"PK\1\2", 20, 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0, 0, 0, 0, 0, 0) + name
        )
    end = struct.pack("<4s4H2LH", b"PK\5\6", 0, 0, 1, 1, len(directory), 0, 0)
    (tmp_path / "lie.npz").write_bytes(bytes(directory) + end)
    config = seed_with_weights(tmp_path, "{file: lie.npz, key: m5}")
    with deadline(20):
        line = one_error_line(runner.invoke(app, ["validate", str(config)]))
    assert (
        f"lie.npz has a directory of {len(directory):,} bytes, more than the 4,194,304 a .npz file may; refused" in line
    )


def test_a_long_run_of_digits_in_a_bad_csv_cell_is_named_without_backtracking(tmp_path):
    (tmp_path / "W1.csv").write_text("1" * 200_000 + "x\n")
    config = seed_with_weights(tmp_path, "{file: W1.csv}")
    with deadline(20):
        line = one_error_line(runner.invoke(app, ["validate", str(config)]))
    assert "W1.csv line 1, column 1: '11111111111111111111' is not a number" in line


@pytest.mark.slow  # a 784-300-10 network: 235,000 weights of YAML
def test_a_key_over_the_yaml_cap_is_read_at_jsons_speed_and_scores_in_full(tmp_path):
    config = tmp_path / "wide.yaml"
    assert runner.invoke(app, ["init", "--layers", "784,300,10", "--seed", "1", "-o", str(config)]).exit_code == 0
    key = tmp_path / "key.yaml"
    assert runner.invoke(app, ["answers", str(config), "-o", str(key)]).exit_code == 0
    result = check(config, key)
    assert result.exit_code == 0 and "17/17 correct" in result.stdout


def test_a_tag_on_a_key_is_refused_like_a_tag_anywhere(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("!!python/object:os.system a1: [2, 13, 0, 0]\n")
    assert "YAML tag !!python/object:os.system at line 1, column 1 is not allowed" in one_error_line(check(SEED, path))


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
def test_json_constants_in_answers_are_not_finite_numbers(tmp_path, word):
    path = tmp_path / "a.json"
    path.write_text(f'{{"loss": {word}}}')
    assert one_problem_line(check(SEED, path)).endswith("loss: not a finite number; give a finite value")


def test_a_whole_number_float64_holds_is_a_number_however_it_is_spelled(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(f"loss: {10**308}\n")  # 309 digits: past the 64 a number may be written with, not past float64
    assert "a number written with 309 characters" in one_problem_line(check(SEED, path))
    from mlpstep.loading.reader import Written

    assert parse_text(f"loss: {2**1023 + 2**1000}\n".encode(), "a.yaml", keep_text=True)["loss"] == float(
        2**1023 + 2**1000
    )
    assert isinstance(
        parse_text(f'{{"loss": {2**1023 + 2**1000}}}'.encode(), "a.json", keep_text=True)["loss"], Written
    )


def test_a_class_report_leaves_out_big_expected_matrices_unless_full(tmp_path):
    np.save(tmp_path / "W.npy", np.full((2, 200), 0.01))
    np.save(tmp_path / "V.npy", np.full((200, 60), 0.01))
    (tmp_path / "c.yaml").write_text(
        "input: [3, 14]\nlabel: 1\nloss: nll\nlearning_rate: 0.1\nlayers:\n"
        "  - {weights: {file: W.npy}, activation: relu}\n  - {weights: {file: V.npy}, activation: softmax}\n"
    )
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text("W2n: 1\nloss: 1\n")
    answers = json.loads(check(tmp_path / "c.yaml", tiny, "--json").stdout)["files"][0]["answers"]
    big, small = answers
    assert big["expected"] is None and big["given"] is None and big["elided"] is True  # 200 x 60: over 10,000 values
    assert (
        small["expected"] == pytest.approx(mlpstep.step(mlpstep.load(str(tmp_path / "c.yaml"))).loss)
        and "elided" not in small
    )
    full = json.loads(check(tmp_path / "c.yaml", tiny, "--json", "--full").stdout)["files"][0]["answers"][0]
    assert np.shape(full["expected"]) == (200, 60)


def test_gradescope_names_at_most_twenty_wrong_cells(tmp_path):
    path = tmp_path / "a.yaml"
    trace = mlpstep.step(mlpstep.load(MAZUR))
    path.write_text("W1n: [[9, 9], [9, 9]]\n")
    output = json.loads(check(MAZUR, path, "--format", "gradescope").stdout)["tests"][0]["output"]
    assert (
        output.startswith("wrong\nwrong entries: W1n[0][0], W1n[0][1], W1n[1][0], W1n[1][1]") and "more" not in output
    )
    from mlpstep.grade.grading import Answer, Graded
    from mlpstep.grade.report import to_gradescope

    wrong = Answer(
        "updated.W1", "W1n", False, np.zeros((30, 30)), np.ones((30, 30)), wrong=np.ones((30, 30), dtype=bool)
    )
    output = to_gradescope(Graded("a.yaml", [wrong]))["tests"][0]["output"]
    assert output.count("W1n[") == 20 and output.endswith(", and 880 more") and trace


@pytest.mark.slow  # 2 million numbers of JSON
def test_what_a_command_writes_is_priced_before_it_is_written(tmp_path):
    np.save(tmp_path / "W.npy", np.full((1000, 1000), 0.001))
    np.save(tmp_path / "V.npy", np.full((1000, 2), 0.001))
    np.save(tmp_path / "x.npy", np.ones(1000))
    config = tmp_path / "mil.yaml"
    config.write_text(
        "input: {file: x.npy}\nlabel: 1\nloss: nll\nlearning_rate: 0.1\nlayers:\n"
        "  - {weights: {file: W.npy}, activation: relu}\n  - {weights: {file: V.npy}, activation: softmax}\n"
    )
    run = lambda *args: runner.invoke(app, ["run", str(config), *args])  # noqa: E731
    assert run().exit_code == 0 and run("--json").exit_code == 0  # elided tables; 2 million numbers of JSON
    line = one_error_line(run("--full"))
    assert line == (
        "error: --full: the output would draw 3,011,392 cells, more than the 300,000 one command may; "
        "pick parts with --only (or leave out --full), or add --allow-large"
    )
    config.write_text(config.read_text() + "optimizer: adam\n")  # and its state, twice, with several steps
    assert "would hold 8,021,021 numbers, more than the 5,000,000" in one_error_line(run("--json", "--steps", "2"))
    assert "answers: the output would hold" in one_error_line(
        runner.invoke(app, ["answers", str(config), "--steps", "2"])
    )
    assert run("--json", "--steps", "2", "--only", "loss").exit_code == 0


def test_a_table_of_thousands_of_layers_is_laid_out_in_linear_time():
    from rich.text import Text

    from mlpstep.present.render import _grid

    blocks = [[Text("x" * (3 + k % 5))] for k in range(20_000)]
    with deadline(20):
        lines = _grid(blocks, 80)
    assert len(lines) > 1000 and all(line.cell_len <= 80 for line in lines)


def count_numbers(data) -> int:
    if isinstance(data, dict):
        return sum(count_numbers(value) for value in data.values())
    if isinstance(data, list):
        return sum(count_numbers(value) for value in data)
    return int(isinstance(data, (int, float)) and not isinstance(data, bool))


@pytest.mark.parametrize("config", sorted(str(p) for p in (ROOT / "configs").glob("*.yaml")))
@pytest.mark.parametrize("steps", [1, 3])
def test_the_size_of_a_trace_is_the_count_of_numbers_json_writes(config, steps):
    from dataclasses import replace

    trace = mlpstep.step(replace(mlpstep.load(config), steps=steps))
    assert trace.size() == count_numbers(trace.to_dict())


def test_a_network_of_more_than_a_thousand_layers_is_refused_before_its_files_are_read(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text(
        DEEP.replace(
            "  - {weights: [[1]], bias: [0], activation: sigmoid}\n" * 100,
            "  - {weights: {file: missing.npy}, activation: linear}\n" * 1001,
        )
    )
    line = one_error_line(runner.invoke(app, ["run", str(path)]))
    assert (
        line
        == "error: layers: 1,001 layers, more than the 1,000 a network may have; add --allow-large for a big job on "
        "purpose"
    )
    assert "missing.npy not found" in one_error_line(runner.invoke(app, ["run", str(path), "--allow-large"]))


# -- a third adversarial pass ----------------------------------------------------------------


@pytest.fixture
def deep30(tmp_path):
    """200 layers of 30 x 30: every matrix small enough to show whole, many of them."""
    rng = np.random.default_rng(3)
    layers = [
        {"weights": (rng.normal(size=(30, 30)) / 5.5).round(3).tolist(), "bias": [0.0] * 30, "activation": "tanh"}
        for _ in range(199)
    ]
    layers.append({"weights": rng.normal(size=(30, 2)).round(3).tolist(), "bias": [0, 0], "activation": "softmax"})
    path = tmp_path / "deep30.json"
    path.write_text(
        json.dumps(
            {
                "input": rng.normal(size=30).round(3).tolist(),
                "label": 1,
                "loss": "nll",
                "learning_rate": 0.1,
                "layers": layers,
            }
        )
    )
    return path


def test_a_one_line_file_gets_a_report_of_bounded_size_however_many_answers_are_missing(deep30, tmp_path):
    one = tmp_path / "one.yaml"
    one.write_text("loss: 0.5\n")
    report = json.loads(check(deep30, one, one, "--json", "--expect", "all").stdout)
    for graded in report["files"]:
        shown = [a for a in graded["answers"] if "elided" not in a]
        assert (
            sum(np.size(a["expected"]) + np.size(a["given"] if a["given"] is not None else []) for a in shown) <= 10_000
        )
        assert len(graded["answers"]) == 1601 and any(a.get("elided") for a in graded["answers"])


def test_the_full_json_report_is_priced_before_it_is_written(deep30, tmp_path, monkeypatch):
    from mlpstep import limits

    monkeypatch.setattr(limits, "MAX_PRINTED", 100_000)
    one = tmp_path / "one.yaml"
    one.write_text("loss: 0.5\n")
    line = one_error_line(check(deep30, one, "--json", "--expect", "all", "--full"))
    assert line.startswith("error: --full: the output would hold") and "more than the 100,000 one command may" in line
    assert check(deep30, one, "--json", "--expect", "all").exit_code == 1


def test_a_single_file_table_draws_matrices_until_its_budget_is_spent(deep30, tmp_path, monkeypatch):
    from mlpstep import limits

    monkeypatch.setattr(limits, "MAX_DRAWN", 20_000)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("".join(f"W{l}n: {[[7] * 30] * 30}\n" for l in range(1, 100)))
    result = check(deep30, wrong)
    assert result.exit_code == 1 and "wrong.yaml: 0/99 correct" in result.stdout
    assert "the matrices of 89 wrong answers are not drawn (over 20,000 cells); --json has them" in result.stdout
    assert result.stdout.count("expected   30x30") == 10
    assert one_error_line(check(deep30, wrong, "--full")).startswith("error: --full: the output would draw")


def test_a_class_summary_names_a_dozen_wrong_answers_at_most(deep30, tmp_path):
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("".join(f"W{l}n: {[[7] * 30] * 30}\n" for l in range(1, 100)))
    result = check(deep30, wrong, wrong, "--expect", "all")
    assert "W11n, W12n, ... (87 more); 1,502 not answered" in " ".join(result.stdout.replace("│", "").split())
    assert len(result.stdout) < 5000


def test_an_answers_file_over_its_cap_gets_no_advice_meant_for_configs(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a1: [" + ", ".join(["1"] * 5000) + "]\n")
    assert ".npy" not in one_error_line(check(SEED, path))


@pytest.mark.slow  # a million points
def test_a_batch_of_a_million_labels_is_checked_at_once(tmp_path):
    n = 1_000_000
    path = tmp_path / "labels.json"
    path.write_text(
        json.dumps(
            {
                "input": [[0.5]] * n,
                "label": [1] * n,
                "loss": "nll",
                "learning_rate": 0.1,
                "layers": [{"weights": [[1.0]], "bias": [0.0], "activation": "sigmoid"}],
            }
        )
    )
    with deadline(20):  # per point in Python: about 6 s
        problem = mlpstep.load(str(path))
    assert problem.y.shape == (1, n) and problem.y.all()
    path.write_text(
        json.dumps(
            {
                "input": [[0.5]] * 3,
                "label": [1, 2, True],
                "loss": "nll",
                "learning_rate": 0.1,
                "layers": [{"weights": [[1.0]], "bias": [0.0], "activation": "sigmoid"}],
            }
        )
    )
    assert "label[1]" in one_error_line(runner.invoke(app, ["run", str(path)]))
