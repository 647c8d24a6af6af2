"""Every class of bad input: one line on stderr naming the field, exit 2, nothing on stdout."""

import pytest
from helpers import SEED_TEXT, assert_refused, runner

import mlpstep
from mlpstep.cli.app import app


def seed_with(old: str, new: str) -> str:
    assert old in SEED_TEXT
    return SEED_TEXT.replace(old, new)


def run_config(tmp_path, text: str | bytes):
    path = tmp_path / "config.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return runner.invoke(app, ["run", str(path)])


BAD_CONFIGS = {
    # missing keys
    "missing layers": (seed_with("layers:", "layerz:"), "layerz: unknown key (did you mean layers?)"),
    "missing input": (seed_with("input: [3, 14]\n", ""), "input: missing"),
    "missing label": (seed_with("label: 1\n", ""), "label: missing"),
    "missing loss": (seed_with("loss: nll\n", ""), "loss: missing"),
    "missing learning rate": (seed_with("learning_rate: 0.1\n", ""), "learning_rate: missing"),
    "missing activation": (seed_with("    activation: relu\n", ""), "layers[0].activation: missing"),
    "unknown layer key": (
        seed_with("    bias: [0, 2]", "    bias: [0, 2]\n    weight: 1"),
        "layers[1].weight: unknown key",
    ),
    "config is a list": ("- 1\n- 2\n", "config: a list, but a config is a mapping"),
    "empty file": ("", "config: empty (null)"),
    # matrices
    "ragged weights": (
        seed_with("[0, 1, 0, -1]]", "[0, 1, 0]]"),
        "layers[0].weights: ragged: row 1 has 3 values, row 0 has 4",
    ),
    "empty weights": (seed_with("[[1, 0, -1, 0], [0, 1, 0, -1]]", "[]"), "layers[0].weights: an empty list"),
    "empty row": (seed_with("[[1, 0, -1, 0], [0, 1, 0, -1]]", "[[], []]"), "layers[0].weights[0]: an empty row"),
    "3-D weights": (
        seed_with("[[1, 0, -1, 0], [0, 1, 0, -1]]", "[[[1, 0], [-1, 0]], [[0, 1], [0, -1]]]"),
        "nested three lists deep",
    ),
    "flat weights": (
        seed_with("[[1, 0, -1, 0], [0, 1, 0, -1]]", "[1, 0, -1, 0]"),
        "layers[0].weights[0]: 1 is a number; every row",
    ),
    "scalar weights": (
        seed_with("[[1, 0, -1, 0], [0, 1, 0, -1]]", "3"),
        "layers[0].weights: 3 is a number; give a matrix",
    ),
    # shapes
    "layer shapes": (
        seed_with("[[1, -1], [1, -1], [1, -1], [1, -1]]", "[[1, -1], [1, -1], [1, -1]]"),
        "layers[1].weights: 3x2, but layer 1 has 4 outputs",
    ),
    "bias length": (seed_with("bias: [0, 2]", "bias: [0, 2, 3]"), "layers[1].bias: 3 values, but layer 2 has 2 units"),
    "bias matrix": (seed_with("bias: [0, 2]", "bias: [[0, 2], [1, 1]]"), "layers[1].bias: a 2x2 matrix"),
    "input length": (seed_with("input: [3, 14]", "input: [3, 14, 5]"), "input: 3 values, but layer 1 has 2 inputs"),
    "input as a column": (
        seed_with("input: [3, 14]", "input: [[3], [14]]"),
        "one point is written flat: input: [3, 14]",
    ),
    "batch with wrong width": (
        seed_with("input: [3, 14]", "input: [[3, 14, 1], [1, 2, 1]]"),
        "a batch of 2 points with 3 values each",
    ),
    "batch label not a list": (
        seed_with("input: [3, 14]", "input: [[3, 14], [1, 2]]"),
        "label: 1 is a number, but the input is a batch of 2 points",
    ),
    "batch label count": (
        seed_with("input: [3, 14]\nlabel: 1", "input: [[3, 14], [1, 2]]\nlabel: [1, 0, 1]"),
        "label: 3 labels, but the input has 2 points",
    ),
    "label vector length": (
        seed_with("label: 1", "label: [0, 0, 1]"),
        "label: 3 values, but the output layer has 2 units",
    ),
    "class index in brackets": (seed_with("label: 1", "label: [1]"), "a class index is written without brackets"),
    # names
    "unknown activation": (
        seed_with("activation: relu", "activation: relus"),
        "layers[0].activation: 'relus' is not one of relu, sigmoid, tanh, linear, softmax, leaky_relu, elu, softplus "
        "(did you mean relu?)",
    ),
    "unknown loss": (
        seed_with("loss: nll", "loss: cross_entropy"),
        "loss: 'cross_entropy' is not one of nll, squared, half_squared, mse",
    ),
    "unknown layout": (
        seed_with("input:", "layout: col\ninput:"),
        "layout: 'col' is not one of columns, rows (did you mean columns?)",
    ),
    "unknown reduction": (seed_with("input:", "reduction: avg\ninput:"), "reduction: 'avg' is not one of mean, sum"),
    "activation not text": (
        seed_with("activation: relu", "activation: 3"),
        "layers[0].activation: 3 is a number; expected one of",
    ),
    "nll without softmax or sigmoid": (
        seed_with("activation: softmax", "activation: tanh"),
        "loss: nll needs a softmax or sigmoid output layer, but layers[1].activation is tanh",
    ),
    # labels
    "class out of range": (
        seed_with("label: 1", "label: 2"),
        "label: class 2 is out of range; the output layer has 2 classes, 0 to 1",
    ),
    "negative class": (seed_with("label: 1", "label: -1"), "label: class -1 is out of range"),
    "fractional class": (seed_with("label: 1", "label: 1.5"), "label: 1.5 is not a class index"),
    "probabilities not summing to one": (
        seed_with("label: 1", "label: [0.5, 0.6]"),
        "label: a softmax target for nll is a probability vector",
    ),
    "sigmoid target outside 0..1": (
        seed_with("activation: softmax", "activation: sigmoid").replace("label: 1", "label: [0, 2]"),
        "label: sigmoid targets for nll",
    ),
    "number label for many units": (
        seed_with("activation: softmax", "activation: linear").replace("loss: nll", "loss: squared"),
        "label: a single number, but the output layer has 2 units",
    ),
    # numbers
    "string for a number": (
        seed_with("learning_rate: 0.1", "learning_rate: fast"),
        "learning_rate: 'fast' is text; expected a number",
    ),
    "quoted number": (
        seed_with("learning_rate: 0.1", "learning_rate: '0.1'"),
        "learning_rate: '0.1' is text; write the number without quotes",
    ),
    "boolean for a number": (
        seed_with("[1, 0, -1, 0]", "[1, true, -1, 0]"),
        "layers[0].weights[0][1]: true is a boolean",
    ),
    "null for a number": (seed_with("bias: [0, 2]", "bias: [0, null]"), "layers[1].bias[1]: empty (null)"),
    "null value": (seed_with("learning_rate: 0.1", "learning_rate:"), "learning_rate: empty (null)"),
    "NaN": (seed_with("[1, 0, -1, 0]", "[1, .nan, -1, 0]"), "layers[0].weights[0][1]: NaN"),
    "infinity": (seed_with("input: [3, 14]", "input: [3, -.inf]"), "input[1]: infinite"),
    "number beyond float64": (seed_with("input: [3, 14]", "input: [3, 1e999]"), "input[1]: infinite"),
    "integer beyond float64": (
        seed_with("input: [3, 14]", "input: [3, 1" + "0" * 400 + "]"),
        "input[1]: too large for float64",
    ),
    "negative learning rate": (
        seed_with("learning_rate: 0.1", "learning_rate: -0.1"),
        "learning_rate: -0.1 is negative",
    ),
    "relu grad at zero": (
        seed_with("input:", "relu_grad_at_zero: 0.3\ninput:"),
        "relu_grad_at_zero: 0.3 is not allowed",
    ),
    # YAML itself
    "YAML syntax error": (seed_with("input: [3, 14]", "input: [3, 14"), "YAML syntax error at line"),
    "duplicate key": (
        SEED_TEXT + "loss: squared\n",
        "line 12, column 1: the key loss appears twice (first at line 3); keep one",
    ),
    "python object tag": (
        "!!python/object/apply:os.system ['echo hacked']\n",
        "YAML tag !!python/object/apply:os.system",
    ),
    "python name tag": (
        seed_with("learning_rate: 0.1", "learning_rate: !!python/name:os.system"),
        "YAML tag !!python/name:os.system",
    ),
    "integer past Python's digit limit": (seed_with("label: 1", "label: " + "9" * 5000), "label: infinite"),
    "bad explicit int": (seed_with("label: 1", "label: !!int abc"), "'abc' is not a whole number"),
    "bad explicit float": (seed_with("learning_rate: 0.1", "learning_rate: !!float abc"), "'abc' is not a number"),
    "map tag on a list": (seed_with("learning_rate: 0.1", "learning_rate: !!map [1]"), "!!map needs key: value pairs"),
    "list as a key": ("? [a, b]\n: 1\n" + SEED_TEXT, "a list or mapping as a key"),
    "set tag": (seed_with("label: 1", "label: !!set {a}"), "YAML tag !!set"),
    "merge key": (
        "base: &b {loss: nll}\n<<: *b\n" + SEED_TEXT.replace("loss: nll\n", ""),
        "YAML merge keys (<<) are not supported",
    ),
    "two documents": (SEED_TEXT + "---\n" + SEED_TEXT, "a second YAML document (---)"),
    "duplicate key in a layer": (
        seed_with("    bias: [0, 2]", "    bias: [0, 2]\n    bias: [0, 2]"),
        "line 11, column 5: the key bias appears twice (first at line 10)",
    ),
    "null as a key": ("null: 1\n" + SEED_TEXT, "null: unknown key"),
    "unknown key with a newline": ('"a\\nb": 1\n' + SEED_TEXT, "'a\\nb': unknown key"),
    "unknown key with an escape": ('"\\e[31mred": 1\n' + SEED_TEXT, "'\\x1b[31mred': unknown key"),
    "JSON NaN": (seed_with("input: [3, 14]", "input: [NaN, 14]"), "input[0]: 'NaN' is not a finite number"),
    "underscored number": (
        seed_with("input: [3, 14]", "input: [3, 1_000]"),
        "input[1]: '1_000' is text; write the number without quotes or underscores",
    ),
    "huge class index": (
        seed_with("label: 1", "label: 1e300"),
        "label: class 1e+300 is out of range; the output layer has 2 classes",
    ),
    "one class": (
        seed_with("[[1, -1], [1, -1], [1, -1], [1, -1]]", "[[1], [1], [1], [1]]").replace("bias: [0, 2]", "bias: [0]"),
        "layers[1].activation: softmax over 1 unit is always 1",
    ),
    "batch of one with a bare label": (
        seed_with("input: [3, 14]", "input: [[3, 14]]"),
        "the input is a batch of 1 point: give a list of 1 label",
    ),
    "overflowing label sum": (seed_with("label: 1", "label: [1e308, 1e308]"), "a probability vector"),
    "too many values": (
        "input: [" + "0," * 250_000 + "0]\n",
        "holds more than 250,000 values; refused; keep big matrices in .npy",
    ),
    "too many activations": (
        "input: [" + "[3, 14], " * 2000 + "]\nlabel: [" + "1, " * 2000 + "]\nloss: nll\nlearning_rate: 0.1\nlayers:\n"
        f"  - {{weights: {[[1] * 5000] * 2}, bias: {[0] * 5000}, activation: relu}}\n"
        f"  - {{weights: {[[1, -1]] * 5000}, bias: [0, 0], activation: softmax}}\n",
        "layers: 1 step of a 2-5000-2 network on 2000 points would hold about 918 MiB of arrays, more than the 512 MiB",
    ),
    # training options
    "freeze unknown name": (
        SEED_TEXT + "freeze: [W3]\n",
        "freeze[0]: 'W3' is not a parameter; parameters: W1, w10, W2, w20",
    ),
    "freeze not a list": (SEED_TEXT + "freeze: 3\n", "freeze: 3 is a number; give a list of parameter names"),
    "unknown optimizer": (
        SEED_TEXT + "optimizer: adadelta\n",
        "optimizer.name: 'adadelta' is not one of sgd, adam, adamw, rmsprop, adagrad",
    ),
    "optimizer without name": (SEED_TEXT + "optimizer: {momentum: 0.9}\n", "optimizer.name: missing"),
    "option of another optimizer": (
        SEED_TEXT + "optimizer: {name: sgd, betas: [0.9, 0.99]}\n",
        "optimizer.betas: unknown key",
    ),
    "negative momentum": (
        SEED_TEXT + "optimizer: {name: sgd, momentum: -0.9}\n",
        "optimizer.momentum: -0.9 is not allowed",
    ),
    "nesterov without momentum": (
        SEED_TEXT + "optimizer: {name: sgd, nesterov: true}\n",
        "optimizer.nesterov: Nesterov momentum needs momentum > 0",
    ),
    "nesterov not a boolean": (
        SEED_TEXT + "optimizer: {name: sgd, momentum: 0.9, nesterov: 1}\n",
        "optimizer.nesterov: 1 is a number; give true or false",
    ),
    "bad betas": (
        SEED_TEXT + "optimizer: {name: adam, betas: [0.9, 1.0]}\n",
        "optimizer.betas: give two numbers from 0 to below 1",
    ),
    "zero eps": (SEED_TEXT + "optimizer: {name: adam, eps: 0}\n", "optimizer.eps: 0 is not allowed; give a number > 0"),
    "state for plain sgd": (
        SEED_TEXT + "optimizer: {name: sgd, state: {momentum_buffer: {}}}\n",
        "optimizer.state: plain sgd keeps no state",
    ),
    "state missing a parameter": (
        SEED_TEXT + "optimizer: {name: sgd, momentum: 0.9, state: {momentum_buffer: {W1: [[0,0,0,0],[0,0,0,0]]}}}\n",
        "optimizer.state.momentum_buffer.w10: missing",
    ),
    "state of the wrong shape": (
        SEED_TEXT + "freeze: [w10, W2, w20]\noptimizer: "
        "{name: sgd, momentum: 0.9, state: {momentum_buffer: {W1: [[0, 0], [0, 0]]}}}\n",
        "optimizer.state.momentum_buffer.W1: shape 2x2, but the parameter is 2x4",
    ),
    "negative second moment": (
        SEED_TEXT + "freeze: [w10, W2, w20]\noptimizer: "
        "{name: adam, state: {step: 1, exp_avg: {W1: [[0,0,0,0],[0,0,0,0]]}, "
        "exp_avg_sq: {W1: [[0,0,0,0],[0,0,0,-1]]}}}\n",
        "optimizer.state.exp_avg_sq.W1: a second moment is never negative",
    ),
    "fractional step count": (
        SEED_TEXT
        + "freeze: [w10, W2, w20]\n"
        + "optimizer: {name: adam, state: {step: 1.5, exp_avg: {W1: 0}, exp_avg_sq: {W1: 0}}}\n",
        "optimizer.state.step: 1.5 is not a step count",
    ),
    "zero steps": (SEED_TEXT + "steps: 0\n", "steps: 0 is not a step count; give a whole number from 1 to 10,000"),
    "too many steps": (SEED_TEXT + "steps: 1000000\n", "steps: 1e+06 is not a step count"),
    "freeze a list": (SEED_TEXT + "freeze: [[W1]]\n", "freeze[0]: a list; give a parameter name: W1, w10, W2, w20"),
    "freeze a number": (SEED_TEXT + "freeze: [1]\n", "freeze[0]: 1 is a number; give a parameter name"),
    "huge state step": (
        SEED_TEXT + "freeze: [w10, W2, w20]\noptimizer: "
        "{name: adam, state: {step: 1e20, exp_avg: {W1: 0}, exp_avg_sq: {W1: 0}}}\n",
        "optimizer.state.step: 1e+20 is not a step count; give a whole number from 0 to 1e+09",
    ),
    "steps times activations": (
        seed_with("input: [3, 14]", "input: [" + "[3, 14], " * 20000 + "]").replace(
            "label: 1", "label: [" + "1, " * 20000 + "]"
        )
        + "steps: 10000\n",
        "steps: 10,000 steps of a 2-4-2 network on 20000 points would take about 3.3e+11 multiply-adds of work, more "
        "than the 3e+10",
    ),
    "bias of the wrong length": (
        seed_with("bias: [0, 2]", "bias: [0, 2, 3]"),
        "give one per unit, one number shared by all, or none",
    ),
    "bias as text": (seed_with("bias: [0, 2]", "bias: zero"), "layers[1].bias: 'zero' is text; expected a number"),
    "binary file": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
    "not UTF-8": (b"input: [3, 14]\nlabel: \xff\xfe\n", "not UTF-8 text"),
}


@pytest.mark.parametrize("name", BAD_CONFIGS)
def test_bad_config_is_refused_with_one_clear_line(tmp_path, name):
    text, fragment = BAD_CONFIGS[name]
    assert_refused(run_config(tmp_path, text), fragment)


def test_missing_file_is_refused():
    assert_refused(runner.invoke(app, ["run", "no/such/config.yaml"]), "no/such/config.yaml: no such file")


def test_directory_is_refused(tmp_path):
    assert_refused(runner.invoke(app, ["run", str(tmp_path)]), "is a directory")


def test_bad_stdin_names_stdin():
    assert_refused(runner.invoke(app, ["run", "-"], input="input: [1,\n"), "stdin: YAML syntax error")


def test_overflow_is_reported_not_printed_as_nan(tmp_path):
    text = seed_with("[[1, 0, -1, 0], [0, 1, 0, -1]]", "[[1e308, 0, -1, 0], [1e308, 1, 0, -1]]")
    assert_refused(run_config(tmp_path, text), "overflows float64")


@pytest.mark.parametrize(
    "name,text",
    [
        (
            "alias bomb",
            "a: &a [1,1,1,1,1,1,1,1,1]\n"
            + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))
            + "input: *i\n",
        ),
        ("deep flow nesting", "input: " + "[" * 100_000 + "]" * 100_000 + "\n"),
        ("deep block nesting", "".join(" " * i + "- \n" for i in range(3000))),
        ("deep mapping nesting", "".join(" " * i + "a:\n" for i in range(3000))),
    ],
)
def test_hostile_file_is_refused_before_it_expands(tmp_path, name, text):
    assert_refused(run_config(tmp_path, text))


def test_empty_file_name_is_refused():
    assert_refused(runner.invoke(app, ["run", ""]), "an empty file name")


def test_endless_device_is_refused_after_the_size_cap():
    assert_refused(runner.invoke(app, ["run", "/dev/zero"]), "/dev/zero: larger than 32 MiB")


def test_file_over_the_size_cap_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (32 * 2**20 + 1))
    assert_refused(runner.invoke(app, ["run", str(path)]), "larger than 32 MiB")


def test_closed_stdin_is_refused(monkeypatch):
    from mlpstep.loading import reader

    monkeypatch.setattr(reader.sys, "stdin", None)
    with pytest.raises(mlpstep.ConfigError, match="no standard input"):
        reader.read_config("-")


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--debug"], "Missing command"),
        (["run"], "Missing argument"),
        (["run", "x.yaml", "--bogus"], "No such option: --bogus"),
        (["bogus"], "No such command"),
        (["run", "configs/seed.yaml", "--json=1"], "does not take a value"),
    ],
)
def test_command_line_misuse_gets_one_line(args, fragment):
    assert_refused(runner.invoke(app, args), fragment)


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--steps", "0"], "--steps: 0 is not a step count"),
        (["--show-step", "2"], "--show-step: 2 is not one of the steps 1 to 1"),
        (["--steps", "3", "--show-step", "4"], "--show-step: 4 is not one of the steps 1 to 3"),
    ],
)
def test_bad_step_options(args, fragment):
    assert_refused(runner.invoke(app, ["run", "configs/seed.yaml", *args]), fragment)
