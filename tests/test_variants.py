"""mlpstep variants: a template's draws, one config per student that depends only on the template, the
seed and the id, and no degenerate draw accepted."""

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import assert_refused, runner
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpstep.cli.app import app
from mlpstep.engine import step
from mlpstep.errors import ConfigError
from mlpstep.loading.config import load
from mlpstep.templates import RULES, read_template, variant

TEMPLATE = """\
input: {draw: integers, low: -3, high: 3, shape: [2]}
label: {draw: choice, values: [0, 1]}
loss: nll
learning_rate: 0.1
layers:
  - weights: {draw: integers, low: -2, high: 2, shape: [2, 3]}
    bias: {draw: decimals, low: -1, high: 1, places: 1, shape: [3]}
    activation: relu
  - weights: {draw: integers, low: -2, high: 2, shape: [3, 2]}
    activation: softmax
"""


@pytest.fixture
def template(tmp_path) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    return path


def make(template: Path, out: Path, *args: str) -> dict[str, bytes]:
    result = runner.invoke(app, ["variants", str(template), "--seed", "2026", "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def roster(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_regenerating_writes_the_same_bytes(template, tmp_path):
    args = ["--roster", roster(tmp_path, "r.csv", "sid,name\ns1,Ann\ns2,Bob\nbo@x.org,Bo\n")]
    first = make(template, tmp_path / "a", *args)
    assert list(first) == ["bo@x.org.yaml", "s1.yaml", "s2.yaml"]
    assert make(template, tmp_path / "b", *args) == first


def test_a_student_added_or_removed_changes_no_other_file(template, tmp_path):
    three = make(template, tmp_path / "a", "--roster", roster(tmp_path, "3.csv", "email\ns1\ns2\ns3\n"))
    two = make(template, tmp_path / "b", "--roster", roster(tmp_path, "2.csv", "email\ns3\nnew\ns1\n"))
    assert two["s1.yaml"] == three["s1.yaml"] and two["s3.yaml"] == three["s3.yaml"]


def test_the_seed_and_the_id_make_the_variant(template):
    data = read_template(template)
    assert variant(data, "s1", 1)[0] != variant(data, "s2", 1)[0]
    assert variant(data, "s1", 1)[0] != variant(data, "s1", 2)[0]


def test_a_variant_is_an_ordinary_config_naming_its_student(template, tmp_path):
    files = make(template, tmp_path / "v", "--count", "3")
    assert list(files) == ["1.yaml", "2.yaml", "3.yaml"]
    text = files["2.yaml"].decode()
    assert text.startswith("# made by: mlpstep variants ") and "\nstudent: '2'\n" in text
    problem = load(tmp_path / "v" / "2.yaml")
    assert problem.sizes == [2, 3, 2]
    assert {abs(v) <= 2 and v == int(v) for v in problem.layers[0].weights.flat} == {True}


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="abcxyz019@._-", min_size=1, max_size=12).filter(lambda s: s[0].isalnum()), st.integers(0, 99))
def test_no_accepted_draw_breaks_a_rule(student, seed):
    assert_no_rule_broken(variant(read_template(_parsed()), student, seed)[0])


@settings(max_examples=20, deadline=None)
@given(st.integers(-3, 0), st.integers(0, 3), st.integers(1, 4), st.integers(1, 3), st.sampled_from(["relu", "tanh"]))
def test_no_accepted_draw_of_any_template_breaks_a_rule(low, high, width, batch, activation):
    template = _parsed()
    template["input"] = {"draw": "integers", "low": low, "high": high, "shape": [batch, 2]}
    template["label"] = {"draw": "choice", "values": [0, 1], "shape": [batch]}
    template["layers"][0].update(weights={"draw": "integers", "low": low, "high": high, "shape": [2, width]},
                                 bias={"draw": "decimals", "low": low, "high": high, "places": 1, "shape": [width]},
                                 activation=activation)  # fmt: skip
    template["layers"][1]["weights"]["shape"] = [width, 2]
    try:
        config, _ = variant(template, "s1", 0)
    except ConfigError as e:
        assert "in 1,000 draws for student s1" in str(e)  # a template no draw of which passes says so
    else:
        assert_no_rule_broken(config)


def assert_no_rule_broken(config: dict) -> None:
    """Each rule checked on its own, not by the code under test."""
    trace = step(load(config))
    for l, layer in enumerate(trace.problem.layers, 1):
        assert not np.isin(trace.forward[f"z{l}"], layer.activation.kinks).any()  # kinks
    assert trace.forward["a1"].any()  # inactive
    assert all(trace.grads[name].any() for name in ("z2", "W1", "w10", "W2"))  # zeros
    assert trace.loss >= 1e-3  # solved
    values = [*trace.forward.values(), *trace.grads.values(), *trace.updated.values()]
    assert max(abs(v).max() for v in values) <= 1e4  # large


def test_the_python_api_gives_the_files_data(template, tmp_path):
    import yaml

    import mlpstep

    make(template, tmp_path / "v", "--roster", roster(tmp_path, "r.csv", "id\ns1\ns2\n"))
    configs = mlpstep.variants(template, ["s2", "s1"], 2026)
    assert configs["s1"] == yaml.safe_load((tmp_path / "v" / "s1.yaml").read_text())
    assert configs["s2"]["student"] == "s2"


def test_a_draw_that_is_no_config_names_the_student():
    template = _parsed()
    template["label"] = {"draw": "choice", "values": [7]}
    with pytest.raises(Exception, match=r"^label: .*\(in a draw for student s1\)$"):
        variant(template, "s1", 0)


def _parsed() -> dict:
    import yaml

    return yaml.safe_load(TEMPLATE)


def test_a_rule_allowed_is_not_redrawn_for():
    template = _parsed()
    template["layers"][0]["bias"] = [0, 0, 0]
    template["input"] = [0, 0]  # every z1 is 0: always a kink, always an inactive layer
    with pytest.raises(Exception, match=r"in 1,000 draws for student s1, every one .*add --allow kinks"):
        variant(template, "s1", 0)
    assert variant(template, "s1", 0, ("kinks", "inactive", "zeros"))[0]["input"] == [0, 0]


@pytest.mark.parametrize(
    "spec,message",
    [
        ("{draw: integer, low: 0, high: 1}", "layers[0].weights.draw: 'integer' is not one of"),
        ("{draw: integers, low: 0.5, high: 1}", "layers[0].weights.low: 0.5 is not a whole number"),
        ("{draw: integers, low: 2, high: 1}", "layers[0].weights.high: nothing to draw between low and high"),
        ("{draw: decimals, low: 0, high: 1}", "layers[0].weights.places: missing"),
        ("{draw: choice, values: []}", "layers[0].weights.values: "),
        ("{draw: integers, low: 0, high: 1, shape: [0]}", "layers[0].weights.shape: "),
    ],
)
def test_a_wrong_draw_is_one_line_naming_its_field(tmp_path, spec, message):
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE.replace("{draw: integers, low: -2, high: 2, shape: [2, 3]}", spec))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    result = runner.invoke(app, ["variants", str(path), "--count", "1", "--seed", "0", "-o", str(tmp_path / "v")])
    assert_refused(result, message)


def test_validate_accepts_a_template(template):
    result = runner.invoke(app, ["validate", str(template)])
    assert result.exit_code == 0 and result.stdout.endswith(": valid\n")


def test_validate_draws_an_instance_of_the_template(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE.replace("values: [0, 1]", "values: [0, 5]"))
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 2


@pytest.mark.parametrize(
    "text,args,message",
    [
        ("name\nAnn\n", [], "has no column sid or student or id or email"),
        ("name,login\nAnn,a1\n", ["--id-column", "LOGIN"], None),
        ("sid\ns1\ns1\n", [], "names student s1 twice"),
        ("sid\n../evil\n", [], "is not a student id"),
    ],
)
def test_the_roster_names_the_students(template, tmp_path, text, args, message):
    out = tmp_path / "v"
    result = runner.invoke(
        app,
        [
            "variants",
            str(template),
            "--roster",
            roster(tmp_path, "r.csv", text),
            "--seed",
            "1",
            "-o",
            str(out),
            *args,
        ],  # fmt: skip
    )
    if message is None:
        assert result.exit_code == 0 and (out / "a1.yaml").exists()
    else:
        assert_refused(result, message)


def test_roster_or_count():
    assert_refused(runner.invoke(app, ["variants", "t.yaml", "--seed", "1", "-o", "v"]), "--roster FILE or --count N")


def test_every_rule_has_a_switch():
    assert list(RULES) == ["kinks", "inactive", "zeros", "solved", "large"]


@pytest.mark.parametrize("ask", [["z2.grad"], [{"name": "z2.grad"}], [{"dL/dz2": "the output's gradient"}]])
def test_the_zeros_rule_reads_what_ask_asks(ask):
    from mlpstep.templates import _zeros

    config = {**_parsed(), "ask": ask}
    trace = step(load(instance_without_ask(config)))
    trace.grads["z2"][:] = 0
    assert _zeros(trace, config)
    assert not _zeros(trace, {**config, "ask": ["loss"]})  # z2.grad, not asked, may be 0


def instance_without_ask(config: dict) -> dict:
    from mlpstep.templates import instance, rng_of

    plain = {k: v for k, v in config.items() if k != "ask"}
    return instance(plain, rng_of(plain, 0, "s1"))


def test_a_variant_never_overwrites_its_template(tmp_path):
    (tmp_path / "s1.yaml").write_text(TEMPLATE)
    result = runner.invoke(app, ["variants", str(tmp_path / "s1.yaml"), "--count", "1", "--seed", "0",
                                 "-o", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 0
    result = runner.invoke(app, ["variants", str(tmp_path / "1.yaml"), "--count", "1", "--seed", "0",
                                 "-o", str(tmp_path)])  # fmt: skip
    assert_refused(result)


def test_keys_are_written_beside_the_variants_and_check_n_of_n(tmp_path):
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    args = ["variants", str(tmp_path / "template.yaml"), "--count", "3", "--seed", "4", "-o", str(tmp_path / "v")]
    result = runner.invoke(app, [*args, "--keys", str(tmp_path / "k")])
    assert result.exit_code == 0 and result.stdout.endswith(f"; their keys in {tmp_path / 'k'}\n")
    keys = sorted(path.name for path in (tmp_path / "k").iterdir())
    assert keys == ["1.yaml", "2.yaml", "3.yaml"]
    files = [str(tmp_path / "k" / name) for name in keys]
    graded = runner.invoke(app, ["check", "--variants", str(tmp_path / "v"), *files, "--json"])
    scores = [(f["student"], f["correct"], f["total"]) for f in json.loads(graded.stdout)["files"]]
    assert scores == [("1", 15, 15), ("2", 15, 15), ("3", 15, 15)]  # no output bias: 15 values


def test_keys_may_not_overwrite_the_variants(tmp_path):
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    args = ["variants", str(tmp_path / "template.yaml"), "--count", "2", "--seed", "4", "-o", str(tmp_path / "v")]
    result = runner.invoke(app, [*args, "--keys", str(tmp_path / "v")])
    assert result.exit_code == 2 and "--keys: the keys would overwrite the variants" in result.stderr
