"""mlpstep schema and mlpstep validate: the JSON Schemas describe what the tool reads and writes."""

import json
from pathlib import Path

import pytest
import yaml
from helpers import runner

from mlpstep.cli.app import app
from mlpstep.loading.reader import read_config

jsonschema = pytest.importorskip("jsonschema")
CONFIGS = sorted(Path("configs").glob("*.yaml"))
GOLDEN = [
    case["config"]
    for name in ("torch_cases.json", "torch_optim_cases.json")
    for case in json.loads((Path("tests/golden") / name).read_text())["cases"]
]


def schema_of(kind: str):
    result = runner.invoke(app, ["schema", "--of", kind])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("config", CONFIGS, ids=[c.name for c in CONFIGS])
def test_bundled_configs_point_editors_at_the_schema_and_follow_it(config):
    assert config.read_text().startswith("# yaml-language-server: $schema=../mlpstep/schemas/config.schema.json\n")
    assert (config.parent / "../mlpstep/schemas/config.schema.json").exists()
    schema_of("config").validate(read_config(str(config)))


def test_golden_configs_follow_the_schema():
    validator = schema_of("config")
    for config in GOLDEN:
        validator.validate(config)


@pytest.mark.parametrize(
    "broken",
    [
        {"input": [1], "label": 0, "loss": "nll", "learning_rate": 0.1},  # no layers
        {"input": [1], "label": 0, "loss": "cross_entropy", "learning_rate": 0.1, "layers": []},
        {
            "input": [1],
            "label": 0,
            "loss": "squared",
            "learning_rate": -1,
            "layers": [{"weights": [[1]], "activation": "relu"}],
        },
        {
            "input": [1],
            "label": 0,
            "loss": "squared",
            "learning_rate": 0.1,
            "layers": [{"weights": [[1]], "activation": "relus"}],
        },
        {
            "input": [1],
            "label": 0,
            "loss": "squared",
            "learning_rate": 0.1,
            "learnig_rate": 1,
            "layers": [{"weights": [[1]], "activation": "relu"}],
        },
        {
            "input": ["3"],
            "label": 0,
            "loss": "squared",
            "learning_rate": 0.1,
            "layers": [{"weights": [[1]], "activation": "relu"}],
        },
        {
            "input": [1],
            "label": 0,
            "loss": "squared",
            "learning_rate": 0.1,
            "steps": 0,
            "layers": [{"weights": [[1]], "activation": "relu"}],
        },
        {
            "input": [1],
            "label": 0,
            "loss": "squared",
            "learning_rate": 0.1,
            "optimizer": {"name": "sgd", "betas": [0.9, 0.9]},
            "layers": [{"weights": [[1]], "activation": "relu"}],
        },
    ],
)
def test_broken_configs_are_rejected_by_the_schema(broken):
    assert list(schema_of("config").iter_errors(broken))


@pytest.mark.parametrize(
    "args", [["configs/seed.yaml"], ["configs/rows.yaml"], ["configs/adam.yaml"], ["configs/mazur.yaml"]]
)
def test_run_json_follows_the_output_schema(args):
    schema_of("output").validate(json.loads(runner.invoke(app, ["run", *args, "--json"]).stdout))


@pytest.mark.parametrize("names", ["notebook", "paths"])
def test_answer_files_follow_the_answers_schema(names):
    validator = schema_of("answers")
    validator.validate(yaml.safe_load(runner.invoke(app, ["answers", "configs/seed.yaml", "--names", names]).stdout))
    validator.validate(yaml.safe_load(runner.invoke(app, ["answers", "configs/rows.yaml", "--blank"]).stdout))
    validator.validate(json.loads(runner.invoke(app, ["run", "configs/seed.yaml", "--json"]).stdout))


def test_validate_reports_each_config(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("input: [1]\n")
    result = runner.invoke(app, ["validate", "configs/seed.yaml", str(bad)])
    assert result.exit_code == 2
    assert result.stdout == "configs/seed.yaml: valid\n"
    assert result.stderr.splitlines() == [
        f"error: {bad}: label: missing; add it (e.g. label: 1 for class 1 of a softmax output)",
        f"error: {bad}: loss: missing; add it (nll, squared, half_squared or mse)",
        f"error: {bad}: learning_rate: missing; add it (e.g. learning_rate: 0.1)",
        f"error: {bad}: layers: missing; add it (a list of layers with weights, bias and activation)",
    ]


def test_validate_all_bundled_configs():
    result = runner.invoke(app, ["validate", *map(str, CONFIGS)])
    assert result.exit_code == 0 and result.stdout.count(": valid\n") == len(CONFIGS)


FILES_CONFIG = {
    "input": {"file": "x.npy"},
    "label": {"file": "labels.CSV"},
    "loss": "nll",
    "learning_rate": 0.1,
    "optimizer": {
        "name": "sgd",
        "momentum": 0.9,
        "state": {"momentum_buffer": {"W1": {"file": "state.npz", "key": "W1"}}},
    },
    "freeze": ["b1"],
    "layout": "rows",
    "layers": [{"weights": {"file": "params.npz", "key": "W1"}, "bias": {"file": "b1.csv"}, "activation": "softmax"}],
}


def test_matrices_and_vectors_may_be_files_in_the_schema():
    schema_of("config").validate(FILES_CONFIG)


@pytest.mark.parametrize(
    "reference",
    [{"file": 3}, {"file": "W1.txt"}, {"file": "W1.npy", "dtype": "f8"}, {"key": "W1"}, {"file": "p.npz", "key": 1}],
)
def test_bad_file_references_are_rejected_by_the_schema(reference):
    broken = {**FILES_CONFIG, "layers": [{**FILES_CONFIG["layers"][0], "weights": reference}]}
    assert list(schema_of("config").iter_errors(broken))
