"""Fuzzing every input path (Hypothesis): generated and mutated configs, answer files,
random bytes and command-line values. Every run ends with a documented exit code and,
on failure, one clear line: never a traceback, never an internal error (exit 3)."""

import copy
import json

import pytest
import yaml
from helpers import runner
from hypothesis import given, settings
from hypothesis import strategies as st

import mlpstep
from mlpstep.cli.app import app
from mlpstep.loading.config import find_errors

pytestmark = pytest.mark.slow
FUZZ_EXAMPLES = 3 * settings.default.max_examples
"""The fuzz tests draw more inputs than the property tests: each is cheap."""
with open("configs/seed.yaml") as f:
    SEED = yaml.safe_load(f)

KEYS = [
    "layout",
    "input",
    "label",
    "loss",
    "learning_rate",
    "reduction",
    "relu_grad_at_zero",
    "layers",
    "optimizer",
    "freeze",
    "steps",
    "weights",
    "bias",
    "activation",
    "name",
    "momentum",
    "state",
    "a1",
    "W1n",
    "loss_after",
    "file",
    "key",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(
        [
            "relu",
            "softmax",
            "nll",
            "rows",
            "none",
            "adam",
            "W1",
            "w10",
            "sgd",
            "1e-3",
            "configs",
            "W1.npy",
            "x.csv",
            "p.npz",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=5)), inner, max_size=5),
    ),
    max_leaves=30,
)


def assert_clean(result, allowed=(0, 2), strict_json=False, one_line=True):
    assert result.exit_code in allowed, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output and "internal error" not in result.output
    if result.exit_code == 2 and result.stderr:
        lines = result.stderr.strip().splitlines()
        assert (len(lines) == 1 or not one_line) and all(line.startswith("error: ") for line in lines), result.stderr
    elif result.exit_code == 2 and result.stdout.startswith("{"):  # check --json/gradescope: a broken file inside
        json.loads(result.stdout)
    elif result.exit_code == 2:  # check's report names a file's problems, or the class summary a file not gradable
        assert "\n! " in "\n" + result.stdout or "not gradable" in result.stdout or "problems" in result.stdout, (
            result.stdout
        )
    elif strict_json:
        json.loads(result.stdout, parse_constant=lambda token: (_ for _ in ()).throw(AssertionError(token)))


def write(tmp_path, data, name="config.yaml"):
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(json.dumps(data, allow_nan=True) if name.endswith(".json") else yaml.safe_dump(data))
    return str(path)


@settings(max_examples=FUZZ_EXAMPLES)
@given(values)
def test_generated_configs(tmp_path_factory, data):
    tmp = tmp_path_factory.mktemp("fuzz")
    for name in ("config.yaml", "config.json"):
        path = write(tmp, data, name)
        assert_clean(runner.invoke(app, ["run", path, "--json"]), strict_json=True)
        assert_clean(runner.invoke(app, ["validate", path]), one_line=False)
        assert_find_errors_starts_with_what_load_raises(path)


def assert_find_errors_starts_with_what_load_raises(path):
    errors = find_errors(path)
    try:
        mlpstep.load(path)
    except mlpstep.ConfigError as e:
        assert errors and str(errors[0]) == str(e), (errors, e)
    else:
        assert errors == []
    assert len(set(map(str, errors))) == len(errors)  # each mistake once


def mutate(config, draw):
    config = copy.deepcopy(config)
    for _ in range(draw(st.integers(1, 3))):
        parent = config  # walk down to a random (container, key) place
        while True:
            if isinstance(parent, dict) and parent:
                key = draw(st.sampled_from(sorted(parent, key=str)))
            elif isinstance(parent, list) and parent:
                key = draw(st.integers(0, len(parent) - 1))
            else:
                key = None
                break
            child = parent[key]
            if not isinstance(child, (dict, list)) or not child or draw(st.booleans()):
                break
            parent = child
        if key is None:
            continue
        action = draw(st.sampled_from(["replace", "delete", "wrap", "nudge"]))
        if action == "replace":
            parent[key] = draw(values)
        elif action == "delete":
            del parent[key]
        elif action == "wrap":
            parent[key] = [parent[key]]
        elif isinstance(parent[key], (int, float)) and not isinstance(parent[key], bool):
            x = parent[key] if abs(parent[key]) < 1e300 else 1.0
            parent[key] = draw(st.sampled_from([-x, 0, float(x) * 1e300, float(x) * 1e-300, 10**400, float("nan")]))
    return config


@settings(max_examples=FUZZ_EXAMPLES)
@given(st.data())
def test_mutated_configs(tmp_path_factory, data):
    tmp = tmp_path_factory.mktemp("mutated")
    base = data.draw(st.sampled_from([SEED, {**SEED, "optimizer": {"name": "adam"}, "steps": 2, "freeze": ["w10"]}]))
    path = write(tmp, mutate(base, data.draw))
    assert_clean(runner.invoke(app, ["run", path, "--json"]), strict_json=True)
    assert_clean(
        runner.invoke(
            app, ["run", path, "--explain", "--format", data.draw(st.sampled_from(["table", "markdown", "latex"]))]
        )
    )
    assert_clean(runner.invoke(app, ["gradcheck", path]), allowed=(0, 1, 2))
    assert_clean(runner.invoke(app, ["validate", path]), one_line=False)
    assert_find_errors_starts_with_what_load_raises(path)


@settings(max_examples=FUZZ_EXAMPLES)
@given(st.binary(max_size=300))
def test_random_bytes(tmp_path_factory, blob):
    path = write(tmp_path_factory.mktemp("bytes"), blob)
    assert_clean(runner.invoke(app, ["run", path]))
    assert_clean(runner.invoke(app, ["run", "-"], input=blob))


@settings(max_examples=FUZZ_EXAMPLES)
@given(values)
def test_generated_answer_files(tmp_path_factory, data):
    tmp = tmp_path_factory.mktemp("answers")
    path = write(tmp, data, "answers.yaml")
    assert_clean(
        runner.invoke(app, ["check", "configs/seed.yaml", path, "--json"]), allowed=(0, 1, 2), strict_json=True
    )
    assert_clean(runner.invoke(app, ["check", "configs/seed.yaml", path, "--format", "gradescope"]), allowed=(0, 1, 2))


@settings(max_examples=FUZZ_EXAMPLES)
@given(st.data())
def test_mutated_answer_keys(tmp_path_factory, data):
    key = yaml.safe_load(runner.invoke(app, ["answers", "configs/batch.yaml", "--decimals", "3"]).stdout)
    path = write(tmp_path_factory.mktemp("keys"), mutate(key, data.draw), "answers.yaml")
    assert_clean(runner.invoke(app, ["check", "configs/batch.yaml", path]), allowed=(0, 1, 2))


OPTION_VALUES = st.one_of(
    st.text(max_size=6), st.sampled_from(["0", "-1", "1e9", "nan", "inf", "3", "W1", "grads", ""])
)


@settings(max_examples=FUZZ_EXAMPLES)
@given(st.sampled_from(["--only", "--precision", "--steps", "--show-step", "--format"]), OPTION_VALUES)
def test_run_option_values(option, value):
    assert_clean(runner.invoke(app, ["run", "configs/seed.yaml", option, value]))


@settings(max_examples=FUZZ_EXAMPLES)
@given(
    st.sampled_from(
        ["--layers", "--activations", "--loss", "--seed", "--batch", "--layout", "--learning-rate", "--example"]
    ),
    OPTION_VALUES,
)
def test_init_option_values(option, value):
    args = ["init", option, value] + ([] if option in ("--layers", "--example") else ["--layers", "2,3,2"])
    assert_clean(runner.invoke(app, args))


@settings(max_examples=FUZZ_EXAMPLES)
@given(st.sampled_from(["--rtol", "--atol", "--expect", "--format", "--show-step"]), OPTION_VALUES)
def test_check_option_values(option, value):
    assert_clean(
        runner.invoke(app, ["check", "configs/seed.yaml", "configs/seed.yaml", option, value]), allowed=(0, 1, 2)
    )


# -- hostile input: exponents, line breaks, special files and links ----------------------------

from mlpstep.grade.answers import half_unit  # noqa: E402
from mlpstep.loading.reader import _most_yaml_values  # noqa: E402

numbers = st.builds(
    lambda sign, zeros, whole, fraction, dot, e, esign, pad, exponent: (
        sign
        + "0" * zeros
        + whole
        + ("." + fraction if dot else "")
        + (e + esign + "0" * pad + str(exponent) if e else "")
    ),
    st.sampled_from(["", "+", "-"]),
    st.integers(0, 3),
    st.sampled_from(["", "0", "1", "7", "42", "123"]),
    st.text("0123456789", max_size=6),
    st.booleans(),
    st.sampled_from(["", "e", "E"]),
    st.sampled_from(["", "+", "-"]),
    st.integers(0, 12),
    st.integers(0, 500),
).filter(lambda text: any(c.isdigit() for c in text.lower().partition("e")[0]))


@settings(max_examples=FUZZ_EXAMPLES)
@given(numbers)
def test_the_tolerance_of_a_number_comes_from_its_value(text):
    unit = half_unit(text)
    try:
        value = float(text)
    except ValueError:
        return
    if unit is None:  # refused: an exponent past float64, or a nonzero number that underflows to 0
        return
    if value != 0:
        assert unit <= abs(value) / 2 * (1 + 1e-9), (text, unit, value)  # the last digit is at most the value
    else:
        assert unit <= 0.5, (text, unit)
    canonical = text.lower().replace("e+", "e")
    mantissa, e, exponent = canonical.partition("e")
    if e:  # padding an exponent with zeros changes nothing
        sign = "-" if exponent.startswith("-") else ""
        assert half_unit(f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}") == unit


@settings(max_examples=FUZZ_EXAMPLES)
@given(numbers, st.sampled_from(["loss", "z2"]))
def test_a_respelled_answer_gets_the_verdict_of_its_value(tmp_path_factory, text, name):
    path = tmp_path_factory.mktemp("respelled") / "answers.yaml"
    path.write_text(f"{name}: {text}\n" if name == "loss" else f"{name}: [{text}, -13]\n")
    result = runner.invoke(app, ["check", "configs/seed.yaml", str(path), "--json"])
    assert_clean(result, allowed=(0, 1, 2))
    if result.exit_code == 2:
        return
    value, unit = float(text), half_unit(text)
    expected = 28.000000000000693 if name == "loss" else 15.0
    correct = json.loads(result.stdout)["files"][0]["answers"][0]["correct"]
    slack = 1e-12 * abs(expected)
    rounded = abs(value - expected) <= unit * (1 + 1e-9) + slack
    precise = abs(value - expected) <= max(0.005 * abs(expected), 1e-6 * abs(expected)) + slack  # the precision floor
    assert correct == (rounded and precise), (text, unit)


BREAKS = ["\n", "\r", "\r\n", "\x85", "\u2028", "\u2029"]


def count_nodes(node, seen) -> int:
    if id(node) in seen:
        return 0
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        return 1 + sum(count_nodes(k, seen) + count_nodes(v, seen) for k, v in node.value)
    if isinstance(node, yaml.SequenceNode):
        return 1 + sum(count_nodes(item, seen) for item in node.value)
    return 1


@settings(max_examples=FUZZ_EXAMPLES)
@given(values, st.sampled_from([True, False, None]), st.sampled_from(BREAKS), st.integers(0, 4))
def test_the_value_count_bounds_what_yaml_parses_whatever_the_line_breaks(data, flow, newline, indent):
    text = yaml.safe_dump(data, default_flow_style=flow, indent=indent + 2, allow_unicode=True).replace("\n", newline)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return
    assert count_nodes(node, set()) <= _most_yaml_values(text, 0)


KINDS = [
    "good",
    "wrong",
    "link-to-key",
    "link-to-good",
    "fifo",
    "dangling",
    "directory",
    "link-to-device",
    "escape-name",
]


@settings(max_examples=FUZZ_EXAMPLES // 3)
@given(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6), st.booleans())
def test_a_class_of_special_files_and_links_is_graded_without_a_hang(tmp_path_factory, kinds, follow):
    import os

    from helpers import deadline

    folder = tmp_path_factory.mktemp("class")
    key = folder / "key.yaml"
    key.write_text(runner.invoke(app, ["answers", "configs/seed.yaml"]).stdout + "# SECRET\n")
    files = []
    for n, kind in enumerate(kinds):
        path = folder / (f"{n}-\x1b[2J.yaml" if kind == "escape-name" else f"{n}-{kind}.yaml")
        if kind in ("good", "escape-name"):
            path.write_text("a1: [2, 13, 0, 0]\n")
        elif kind == "wrong":
            path.write_text("a1: [1, 13, 0, 0]\n")
        elif kind == "link-to-key":
            path.symlink_to(key)
        elif kind == "link-to-good":
            (folder / f"{n}-target.yaml").write_text("a1: [2, 13, 0, 0]\n")
            path.symlink_to(folder / f"{n}-target.yaml")
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "dangling":
            path.symlink_to(folder / "nowhere.yaml")
        elif kind == "directory":
            path.mkdir()
        else:
            path.symlink_to("/dev/zero")
        files.append(str(path))

    with deadline(20):
        result = runner.invoke(
            app,
            ["check", "configs/seed.yaml", *files, "--json", "--expect", "none"]
            + (["--follow-symlinks"] if follow else []),
        )
    assert_clean(result, allowed=(0, 1, 2), strict_json=True)
    assert "\x1b" not in result.output and "SECRET" not in result.output
    for kind, graded in zip(kinds, json.loads(result.stdout)["files"]):
        gradable = kind in ("good", "wrong", "escape-name") or (follow and kind in ("link-to-key", "link-to-good"))
        assert (graded["error"] is None) == gradable, (kind, graded)
        if kind in ("good", "escape-name", "link-to-good") and gradable:
            assert graded["correct"] == graded["total"] == 1
    assert (result.exit_code == 2) == any(f["error"] for f in json.loads(result.stdout)["files"])
