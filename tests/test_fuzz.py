"""Fuzzing every input path (Hypothesis): generated and mutated configs, answer files,
random bytes and command-line values. Every run ends with a documented exit code and,
on failure, one clear line: never a traceback, never an internal error (exit 3)."""

import copy
import json

import yaml
from conftest import FUZZ_EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mlpstep.cli import app

runner = CliRunner()
with open("configs/seed.yaml") as f:
    SEED = yaml.safe_load(f)

KEYS = ["layout", "input", "label", "loss", "learning_rate", "reduction", "relu_grad_at_zero", "layers", "optimizer",
        "freeze", "steps", "weights", "bias", "activation", "name", "momentum", "state", "a1", "W1n", "loss_after",
        "file", "key"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8), st.sampled_from(["relu", "softmax", "nll", "rows", "none", "adam", "W1", "w10", "sgd", "1e-3",
                                          "configs", "W1.npy", "x.csv", "p.npz"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=5)), inner, max_size=5)),
    max_leaves=30)


def assert_clean(result, allowed=(0, 2), strict_json=False):
    assert result.exit_code in allowed, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output and "internal error" not in result.output
    if result.exit_code == 2 and result.stderr:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    elif result.exit_code == 2:  # check --json/--format gradescope report a broken file inside the JSON
        json.loads(result.stdout)
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
        assert_clean(runner.invoke(app, ["validate", path]))


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
    assert_clean(runner.invoke(app, ["run", path, "--explain", "--format", data.draw(st.sampled_from(["table", "markdown", "latex"]))]))
    assert_clean(runner.invoke(app, ["gradcheck", path]), allowed=(0, 1, 2))


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
    assert_clean(runner.invoke(app, ["check", "configs/seed.yaml", path, "--json"]), allowed=(0, 1, 2), strict_json=True)
    assert_clean(runner.invoke(app, ["check", "configs/seed.yaml", path, "--format", "gradescope"]), allowed=(0, 1, 2))


@settings(max_examples=FUZZ_EXAMPLES)
@given(st.data())
def test_mutated_answer_keys(tmp_path_factory, data):
    key = yaml.safe_load(runner.invoke(app, ["answers", "configs/batch.yaml", "--decimals", "3"]).stdout)
    path = write(tmp_path_factory.mktemp("keys"), mutate(key, data.draw), "answers.yaml")
    assert_clean(runner.invoke(app, ["check", "configs/batch.yaml", path]), allowed=(0, 1, 2))


OPTION_VALUES = st.one_of(st.text(max_size=6), st.sampled_from(["0", "-1", "1e9", "nan", "inf", "3", "W1", "grads", ""]))


@settings(max_examples=FUZZ_EXAMPLES)
@given(st.sampled_from(["--only", "--precision", "--steps", "--show-step", "--format"]), OPTION_VALUES)
def test_run_option_values(option, value):
    assert_clean(runner.invoke(app, ["run", "configs/seed.yaml", option, value]))


@settings(max_examples=FUZZ_EXAMPLES)
@given(st.sampled_from(["--layers", "--activations", "--loss", "--seed", "--batch", "--layout", "--learning-rate",
                        "--example"]), OPTION_VALUES)
def test_init_option_values(option, value):
    args = ["init", option, value] + ([] if option in ("--layers", "--example") else ["--layers", "2,3,2"])
    assert_clean(runner.invoke(app, args))


@settings(max_examples=FUZZ_EXAMPLES)
@given(st.sampled_from(["--rtol", "--atol", "--expect", "--format", "--show-step"]), OPTION_VALUES)
def test_check_option_values(option, value):
    assert_clean(runner.invoke(app, ["check", "configs/seed.yaml", "configs/seed.yaml", option, value]), allowed=(0, 1, 2))
