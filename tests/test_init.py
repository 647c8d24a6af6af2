"""mlpstep init: new configs that always run, and the bundled examples."""

import itertools
import json
from pathlib import Path

import pytest
from helpers import runner
from random_networks import valid_pairs

import mlpstep
from mlpstep.cli.app import app
from mlpstep.gradcheck import gradcheck
from mlpstep.scaffold import make_config


def init(*args):
    result = runner.invoke(app, ["init", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


SHAPES = ["2,4,2", "1,1", "3,5,4,3", "4,2,3,2,2"]


@pytest.mark.parametrize(
    "shape,integers,layout,batch", list(itertools.product(SHAPES, [True, False], ["columns", "rows"], [None, 3]))
)
def test_init_then_run_round_trips(shape, integers, layout, batch):
    for seed in range(2):
        args = ["--layers", shape, "--seed", str(seed), "--layout", layout]
        args += ["--integers"] if integers else []
        args += ["--batch", str(batch)] if batch else []
        if shape == "1,1":
            args += ["--loss", "squared"]
        config = init(*args)
        result = runner.invoke(app, ["run", "-", "--json"], input=config)
        assert result.exit_code == 0, config + result.output
        out = json.loads(result.stdout)
        assert out["layout"] == layout
        assert out["network"].startswith(f"x({shape.split(',')[0]})")


@pytest.mark.parametrize("output,loss", list(valid_pairs()))
def test_every_activation_and_loss(output, loss):
    config = init("--layers", "3,4,3", "--activations", f"tanh,{output}", "--loss", loss, "--seed", "3", "--batch", "2")
    assert runner.invoke(app, ["run", "-"], input=config).exit_code == 0


def test_same_seed_same_problem_and_integers_are_whole():
    first = init("--layers", "2,3,2", "--integers", "--seed", "11")
    assert first == init("--layers", "2,3,2", "--integers", "--seed", "11")
    body = "".join(line for line in first.splitlines() if not line.startswith("#"))
    assert "." not in body.replace("learning_rate: 0.1", "")


@pytest.mark.parametrize("name", sorted(p.stem for p in Path("configs").glob("*.yaml")))
def test_examples_are_the_bundled_configs(name):
    text = Path(f"configs/{name}.yaml").read_text()
    assert init("--example", name) == text.split("\n", 1)[1]  # without the editor line: its path is relative


@pytest.mark.parametrize(
    "args,message",
    [
        ([], "--layers: give the widths"),
        (["--layers", "2"], "--layers: give two or more widths"),
        (["--layers", "2,x"], "--layers: '2,x' is not a list of widths"),
        (["--layers", "2,0,2"], "--layers: give two or more widths >= 1"),
        (["--layers", "2,3,2", "--activations", "relu"], "--activations: 1 given, but 2 layers need one each"),
        (["--layers", "2,3,2", "--activations", "relu,softmx"], "--activations: 'softmx' is not one of"),
        (["--layers", "2,3,2", "--activations", "relu,relu"], "--loss: nll needs a softmax or sigmoid output layer"),
        (["--layers", "2,3,2", "--loss", "hinge"], "--loss: 'hinge' is not one of"),
        (["--layers", "2,3,2", "--batch", "0"], "--batch: 0 is not a batch size"),
        (["--example", "nope"], "--example: 'nope' is not a bundled example; choose from adam, batch, mazur"),
        (["--layers", "2,3", "--seed", "-1"], "--seed: -1 is not a seed"),
        (
            ["--layers", "100000,100000"],
            "--layers: a config of 10,000,300,000 numbers is more than a YAML config may hold (250,000 values in all)",
        ),
        (["--layers", "2,3,2", "--batch", "5000000"], "--layers: a config of 20,000,017 numbers"),
        (["--layers", "2,3,2", "--learning-rate", "-1"], "--learning-rate: -1.0 is not a learning rate"),
    ],
)
def test_bad_options_get_one_line(args, message):
    result = runner.invoke(app, ["init", *args])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: " + message) and len(result.stderr.splitlines()) == 1


def test_output_writes_the_file(tmp_path):
    target = tmp_path / "new.yaml"
    assert runner.invoke(app, ["init", "--layers", "2,2", "--loss", "mse", "-o", str(target)]).exit_code == 0
    assert runner.invoke(app, ["validate", str(target)]).exit_code == 0


def test_one_output_unit_with_nll_gets_a_sigmoid():
    assert "activation: sigmoid" in init("--layers", "2,1", "--seed", "0")


def test_overflowing_integer_networks_are_refused(monkeypatch):
    import mlpstep.scaffold

    def overflow(problem):
        raise mlpstep.NumericError("forward.z2 overflows float64")

    monkeypatch.setattr(mlpstep.scaffold, "step", overflow)
    result = runner.invoke(app, ["init", "--layers", "2,3,2", "--integers"])
    assert result.exit_code == 2 and "use fewer layers or Gaussian weights (no --integers)" in result.stderr


def relu_inputs(config: dict) -> list:
    """Every z of the step that goes into a ReLU, one array per such layer."""
    trace = mlpstep.step(mlpstep.load(config))
    return [trace.forward[f"z{l}"] for l, layer in enumerate(config["layers"], 1) if layer["activation"] == "relu"]


def test_seed_2_put_a_relu_input_at_0_and_is_redrawn():
    kept = make_config([2, 3, 2], integers=True, seed=2, keep_kinks=True)
    assert relu_inputs(kept)[0].ravel().tolist() == [-2, 1, 0]
    config = make_config([2, 3, 2], integers=True, seed=2)
    assert relu_inputs(config)[0].ravel().tolist() == [-2, 1, 1]  # the third unit's weights and bias redrawn
    assert config["layers"][1] == kept["layers"][1] and config["input"] == kept["input"]


def test_keep_kinks_writes_the_config_whose_gradcheck_names_the_kink():
    config = init("--layers", "2,3,2", "--integers", "--seed", "2", "--keep-kinks")
    out = json.loads(runner.invoke(app, ["gradcheck", "-", "--json"], input=config).stdout)
    assert out["ok"] and {c["name"]: c["not_differentiable"] for c in out["checks"] if c["not_differentiable"]} == {
        "z1": [[2, 0]],
        "W1": [[0, 2], [1, 2]],
        "w10": [[2, 0]],
    }


@pytest.mark.parametrize("seed", range(1, 11))
def test_integer_configs_put_no_relu_input_at_0_at_any_point(seed):
    config = make_config([2, 4, 3, 2], integers=True, seed=seed, batch=4)
    assert all((z != 0).all() for z in relu_inputs(config))


def test_a_redrawn_config_is_the_same_for_the_same_seed():
    assert make_config([2, 4, 2], integers=True, seed=5, batch=4) == make_config(
        [2, 4, 2], integers=True, seed=5, batch=4
    )


def test_init_gives_up_after_max_draws_with_one_line(monkeypatch):
    import mlpstep.scaffold

    monkeypatch.setattr(mlpstep.scaffold, "MAX_DRAWS", 2)  # seed 30 takes 3
    result = runner.invoke(app, ["init", "--layers", "2,3,2", "--integers", "--seed", "30"])
    assert result.exit_code == 2 and result.stderr == (
        "error: --layers: in 2 draws, layer 1 always put some relu input at exactly 0; add --keep-kinks to allow it, "
        "or use Gaussian weights (no --integers) or a smaller --batch\n"
    )


@pytest.mark.slow
@pytest.mark.parametrize("sizes,batch", [([2, 3, 2], None), ([2, 4, 2], 4)])
def test_200_integer_seeds_have_no_relu_input_at_0_and_pass_gradcheck(sizes, batch):
    for seed in range(1, 201):
        config = make_config(sizes, integers=True, seed=seed, batch=batch)
        assert all((z != 0).all() for z in relu_inputs(config)), seed
        checks = gradcheck(mlpstep.load(config))
        assert all(c.ok and not c.not_differentiable for c in checks), (seed, checks)


@pytest.mark.slow
def test_200_integer_seeds_with_their_kinks_kept_pass_gradcheck_naming_each_kink():
    kinked = 0
    for seed in range(1, 201):
        config = make_config([2, 3, 2], integers=True, seed=seed, keep_kinks=True)
        at_zero = any((z == 0).any() for z in relu_inputs(config))
        checks = gradcheck(mlpstep.load(config))
        assert all(c.ok for c in checks) and any(c.not_differentiable for c in checks) == at_zero, (seed, checks)
        kinked += at_zero
    assert kinked == 44


@pytest.mark.parametrize(
    "option",
    [
        ["--layers", "2,3"],
        ["--activations", "relu"],
        ["--loss", "nll"],
        ["--integers"],
        ["--seed", "1"],
        ["--batch", "2"],
        ["--layout", "columns"],
        ["--learning-rate", "0.1"],
        ["--keep-kinks"],
    ],
)
def test_example_refuses_an_option_it_would_ignore_even_at_its_default(option):
    result = runner.invoke(app, ["init", "--example", "seed", *option])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"error: --example: a bundled config is written as it is, so {option[0]} does not apply; "
        "leave it out (or leave out --example)\n"
    )


def test_example_names_every_option_it_would_ignore():
    result = runner.invoke(app, ["init", "--example", "seed", "--layers", "2,3", "--seed", "1", "--integers"])
    assert result.exit_code == 2 and "so --layers, --integers and --seed do not apply; leave them out" in result.stderr


def test_example_may_be_written_to_a_file(tmp_path):
    assert runner.invoke(app, ["init", "--example", "seed", "-o", str(tmp_path / "seed.yaml")]).exit_code == 0
    assert (tmp_path / "seed.yaml").read_text() == init("--example", "seed")
