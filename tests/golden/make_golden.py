"""Regenerate tests/golden/torch_cases.json from the PyTorch reference.

    pip install torch==2.13.0 && python tests/golden/make_golden.py

Cases are built deterministically (fixed seed, Python's ``random.Random``), the
expected trace of every case is computed by ``torch_reference.torch_step``
(torch float64 autograd), and a set of sanity checks runs before anything is
written: the MIT seed notebook numbers, columns/rows twins agreeing, exact
zero pre-activations under ReLU for each relu_grad_at_zero, finite results for
+-1000 logits, and loss-definition cross-checks. The activations with options
(leaky_relu, elu, softplus) have cases of their own, drawn from a second seed so
the cases before them stay as they were: each with torch's defaults and with
options, hidden and at the output, on one point and on batches, and integer
networks that put inputs exactly on their kinks (torch's derivative there is
checked too).

Every case is defined once in the columns layout; its rows twin is the same
network transposed (W -> W.T, same input points and labels), so both layouts
are covered with identical numbers and the twins are checked against each
other.
"""

from __future__ import annotations

import copy
import json
import math
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from torch_reference import ACTIVATIONS, activation_spec, torch_step  # noqa: E402

OUT = HERE / "torch_cases.json"
SEED = 20240611
REGENERATE = "pip install torch==2.13.0 && python tests/golden/make_golden.py"

SEED_OPTIONS = SEED + 1  # the activations with options draw from their own stream: the cases before stay as they were
OPTION_ACTIVATIONS = [  # the activations with options: each as its name (torch's defaults) and with options
    "leaky_relu",
    {"name": "leaky_relu", "negative_slope": 0.2},
    {"name": "leaky_relu", "negative_slope": -0.5},
    "elu",
    {"name": "elu", "alpha": 0.5},
    {"name": "elu", "alpha": 2.0},
    "softplus",
    {"name": "softplus", "beta": 2.0},
    {"name": "softplus", "beta": 0.5, "threshold": 1.0},
]

GRID = ("relu", "sigmoid", "tanh", "linear", "softmax")
"""The activations without options, in the grid of every output and loss."""
LOSSES_FOR = {
    "softmax": ("nll", "squared", "half_squared", "mse"),
    "sigmoid": ("nll", "squared", "half_squared", "mse"),
    "relu": ("squared", "half_squared", "mse"),
    "tanh": ("squared", "half_squared", "mse"),
    "linear": ("squared", "half_squared", "mse"),
}

SEED_NET = {
    "layers": [
        {"weights": [[1, 0, -1, 0], [0, 1, 0, -1]], "bias": [-1, -1, -1, -1], "activation": "relu"},
        {"weights": [[1, -1], [1, -1], [1, -1], [1, -1]], "bias": [0, 2], "activation": "softmax"},
    ],
}


# ----------------------------------------------------------------- helpers
def transpose(m):
    return [list(r) for r in zip(*m)]


def to_rows(cfg: dict) -> dict:
    """The rows-layout twin of a columns-layout config (same network)."""
    assert cfg["layout"] == "columns"
    out = copy.deepcopy(cfg)
    out["layout"] = "rows"
    for layer in out["layers"]:
        layer["weights"] = transpose(layer["weights"])
    return out


def make_config(layers, x, label, loss, lr, *, reduction=None, relu0=0, layout="columns"):
    cfg = {
        "layout": layout,
        "input": x,
        "label": label,
        "loss": loss,
        "learning_rate": lr,
    }
    if reduction is not None:
        cfg["reduction"] = reduction
    cfg["relu_grad_at_zero"] = relu0
    cfg["layers"] = layers
    return cfg


def rnum(rng, nd=3):
    v = round(rng.gauss(0.0, 1.0), nd)
    return 0.0 if v == 0 else v  # no -0.0 in configs


def random_layers(rng, sizes, acts):
    """Columns-layout layers: weights n_in x n_out, ~N(0,1) rounded to 3 decimals."""
    layers = []
    for n_in, n_out, act in zip(sizes[:-1], sizes[1:], acts):
        layers.append(
            {
                "weights": [[rnum(rng) for _ in range(n_out)] for _ in range(n_in)],
                "bias": [rnum(rng) for _ in range(n_out)],
                "activation": act,
            }
        )
    return layers


def is_live(cfg) -> bool:
    """Every weight matrix gets a non-zero gradient (no dead ReLU layer etc.)."""
    grads = torch_step(cfg)["grads"]
    return all(any(v != 0 for v in flatten(g)) for k, g in grads.items() if k.startswith("W"))


def revive(rng, cases):
    """Redraw the random weights of any case whose network is dead, until it is live."""
    for _, cfg in cases:
        for _ in range(100):
            if is_live(cfg):
                break
            sizes = [len(cfg["layers"][0]["weights"])] + [len(layer["bias"]) for layer in cfg["layers"]]
            acts = [layer["activation"] for layer in cfg["layers"]]
            cfg["layers"] = random_layers(rng, sizes, acts)
        else:
            raise RuntimeError("no live network")
    return cases


def random_prob_vector(rng, n):
    """Probability vector with exact binary fractions (k/8), so it sums to exactly 1."""
    cuts = sorted(rng.randint(0, 8) for _ in range(n - 1))
    ks = [b - a for a, b in zip([0] + cuts, cuts + [8])]
    return [k / 8 for k in ks]


def random_label(rng, out_act, loss, n_out):
    if out_act == "softmax":
        if rng.random() < 0.5:
            return rng.randrange(n_out)
        return random_prob_vector(rng, n_out)
    if out_act == "sigmoid":
        vec = [rng.choice([0, 1, 0.25, 0.5, 0.75, 0.9]) for _ in range(n_out)]
    elif out_act == "relu":
        vec = [round(abs(rng.gauss(0.0, 1.0)), 2) for _ in range(n_out)]
    else:
        vec = [round(rng.gauss(0.0, 1.0), 2) for _ in range(n_out)]
        if out_act == "tanh":
            vec = [max(-0.99, min(0.99, v)) for v in vec]
    if n_out == 1 and rng.random() < 0.6:
        return vec[0]  # a bare number for a 1-unit output
    return vec


# ------------------------------------------------------------ case builders
def seed_cases():
    cases = []
    for relu0 in (0, 0.5):
        cfg = make_config(copy.deepcopy(SEED_NET["layers"]), [3, 14], 1, "nll", 0.1, relu0=relu0)
        tag = "0" if relu0 == 0 else "0.5"
        cases.append((f"seed_notebook_relu{tag}", cfg))
    return cases


def grid_cases(rng):
    """Every output activation x every valid loss x (single, batch3 mean, batch3 sum)."""
    cases = []
    idx = 0
    for out_act in GRID:
        for loss in LOSSES_FOR[out_act]:
            for mode in ("single", "batch3_mean", "batch3_sum"):
                n_layers = 2 + idx % 3  # 2, 3, 4 layers in turn
                idx += 1
                for _ in range(100):
                    n_out = rng.randint(2, 3) if out_act == "softmax" else rng.randint(1, 3)
                    sizes = [rng.randint(2, 3)] + [rng.randint(2, 4) for _ in range(n_layers - 1)] + [n_out]
                    acts = [rng.choice(GRID) for _ in range(n_layers - 1)] + [out_act]
                    layers = random_layers(rng, sizes, acts)
                    lr = rng.choice([0.1, 0.05, 0.5, 0.01])
                    relu0 = rng.choice([0, 0.5, 1])
                    if mode == "single":
                        x = [round(rng.gauss(0.0, 1.0), 2) for _ in range(sizes[0])]
                        label = random_label(rng, out_act, loss, n_out)
                        reduction = None
                    else:
                        x = [[round(rng.gauss(0.0, 1.0), 2) for _ in range(sizes[0])] for _ in range(3)]
                        label = [random_label(rng, out_act, loss, n_out) for _ in range(3)]
                        reduction = mode.split("_")[1]
                    cfg = make_config(layers, x, label, loss, lr, reduction=reduction, relu0=relu0)
                    if is_live(cfg):
                        break
                else:
                    raise RuntimeError("no live grid network")
                cases.append((f"grid_{out_act}_{loss}_{mode}_{n_layers}layers", cfg))
    return cases


def deep_and_hidden_softmax_cases(rng):
    cases = []
    # explicit 3- and 4-layer nets with a mix of hidden activations
    layers = random_layers(rng, [3, 4, 3, 2], ["tanh", "relu", "softmax"])
    x = [[0.5, -1.2, 2.0], [1.0, 0.3, -0.7], [-2.0, 0.0, 1.5]]
    cases.append(
        ("deep3_tanh_relu_softmax_nll_batch3_mean", make_config(layers, x, [0, 1, 1], "nll", 0.1, reduction="mean"))
    )
    layers = random_layers(rng, [2, 3, 4, 3, 2], ["sigmoid", "tanh", "relu", "sigmoid"])
    x = [[0.2, -0.4], [1.5, 0.9], [-1.1, 0.6]]
    cases.append(
        (
            "deep4_sigmoid_tanh_relu_sigmoid_nll_batch3_sum",
            make_config(layers, x, [[1, 0], [0, 1], [0.5, 1]], "nll", 0.05, reduction="sum", relu0=0.5),
        )
    )
    layers = random_layers(rng, [3, 3, 3, 3, 1], ["relu", "linear", "tanh", "linear"])
    cases.append(
        (
            "deep4_linear_out_half_squared_single",
            make_config(layers, [1.0, -2.0, 0.5], 0.75, "half_squared", 0.1, relu0=1),
        )
    )
    # softmax as a hidden activation
    layers = random_layers(rng, [2, 3, 2], ["softmax", "sigmoid"])
    cases.append(
        ("hidden_softmax_sigmoid_out_squared_single", make_config(layers, [1.3, -0.4], [1, 0], "squared", 0.1))
    )
    layers = random_layers(rng, [3, 4, 3, 3], ["softmax", "softmax", "softmax"])
    x = [[0.1, 0.2, 0.3], [-1.0, 2.0, 0.5], [0.7, -0.7, 1.4]]
    cases.append(
        (
            "hidden_softmax_x2_softmax_nll_batch3_mean",
            make_config(layers, x, [2, [0.25, 0.5, 0.25], 0], "nll", 0.5, reduction="mean"),
        )
    )
    layers = random_layers(rng, [2, 3, 2], ["softmax", "linear"])
    x = [[1.0, 2.0], [0.5, -0.5], [-1.5, 0.25]]
    cases.append(
        (
            "hidden_softmax_linear_out_mse_batch3_sum",
            make_config(layers, x, [[0.1, -0.2], [1.0, 0.0], [0.3, 0.3]], "mse", 0.1, reduction="sum"),
        )
    )
    return cases


# Integer networks chosen so that some ReLU pre-activations are exactly 0 and
# the gradient arriving at them is non-zero (so relu_grad_at_zero matters).
def relu_zero_cases():
    cases = []
    tag = {0: "0", 0.5: "0.5", 1: "1"}
    # x = [1, 2]: z1 = W1.T x + b1 = [1+2-3, -1+0+2, 2-2+1] = [0, 1, 1]
    net_a = [
        {"weights": [[1, -1, 2], [1, 0, -1]], "bias": [-3, 2, 1], "activation": "relu"},
        {"weights": [[1, -1], [2, 0], [0, 1]], "bias": [0, 1], "activation": "softmax"},
    ]
    # batch: point [1, 2] gives z1 = [0, 1, 1]; point [2, 1] gives z1 = [0, 0, 4]
    # 3 layers: x = [1, 2] gives z1 = [0, 0]; x = [2, 3] gives z1 = [1, 1], z2 = [0, 1, 0]
    net_b = [
        {"weights": [[1, 0], [0, 1]], "bias": [-1, -2], "activation": "relu"},
        {"weights": [[1, -1, 1], [-1, 1, 0]], "bias": [0, 1, -1], "activation": "relu"},
        {"weights": [[1], [2], [-1]], "bias": [0], "activation": "linear"},
    ]
    # ReLU as the OUTPUT activation: x = [2, 2] passes through the linear hidden
    # layer, z2 = [2 - 2 + 0, -2 + 2 + 1] = [0, 1]
    net_c = [
        {"weights": [[1, 0], [0, 1]], "bias": [0, 0], "activation": "linear"},
        {"weights": [[1, -1], [-1, 1]], "bias": [0, 1], "activation": "relu"},
    ]
    for relu0 in (0, 0.5, 1):
        t = tag[relu0]
        cases.append(
            (
                f"relu_zero_single_softmax_nll_relu{t}",
                make_config(copy.deepcopy(net_a), [1, 2], 0, "nll", 0.1, relu0=relu0),
            )
        )
        cases.append(
            (
                f"relu_zero_batch2_softmax_nll_mean_relu{t}",
                make_config(copy.deepcopy(net_a), [[1, 2], [2, 1]], [0, 1], "nll", 0.1, reduction="mean", relu0=relu0),
            )
        )
        cases.append(
            (
                f"relu_zero_3layers_linear_out_squared_relu{t}",
                make_config(
                    copy.deepcopy(net_b),
                    [[2, 3], [1, 2], [3, 2]],
                    [1, -2, 0.5],
                    "squared",
                    0.1,
                    reduction="sum",
                    relu0=relu0,
                ),
            )
        )
        cases.append(
            (
                f"relu_zero_relu_output_half_squared_relu{t}",
                make_config(copy.deepcopy(net_c), [2, 2], [1, 0.5], "half_squared", 0.1, relu0=relu0),
            )
        )
    return cases


def option_activation_cases(rng):
    """Each activation with options, in the hidden layers and at the output (squared, half_squared,
    mse; nll through a softmax or sigmoid output after it), on one point and on batches."""
    cases = []
    for k, act in enumerate(OPTION_ACTIVATIONS):
        name, options = activation_spec(act)
        tag = name + "".join(f"_{key}{value:g}" for key, value in options.items())
        for m, mode in enumerate(("single", "batch3_mean", "batch3_sum")):
            loss = ("squared", "half_squared", "mse", "nll")[(k + m) % 4]
            output = act if loss != "nll" else ("softmax", "sigmoid")[k % 2]
            sizes = [rng.randint(2, 3), rng.randint(2, 4), rng.randint(2, 4), 2]
            layers = random_layers(rng, sizes, [act, act, output])
            lr = rng.choice([0.1, 0.05, 0.5])
            if mode == "single":
                x = [round(rng.gauss(0.0, 1.5), 2) for _ in range(sizes[0])]
                label, reduction = random_label(rng, activation_spec(output)[0], loss, 2), None
            else:
                x = [[round(rng.gauss(0.0, 1.5), 2) for _ in range(sizes[0])] for _ in range(3)]
                label = [random_label(rng, activation_spec(output)[0], loss, 2) for _ in range(3)]
                reduction = mode.split("_")[1]
            cases.append((f"options_{tag}_{loss}_{mode}", make_config(layers, x, label, loss, lr, reduction=reduction)))
    return cases


# Integer networks that put some inputs of an activation exactly on its kink (z = 0 for leaky_relu
# and elu with alpha 1.5: torch's derivative there is negative_slope, alpha; beta z = threshold for
# softplus, where torch still takes log(1 + e^(beta z)) / beta) and some past it (the line z).
def kink_cases():
    cases = []

    # x = [1, 2]: z1 = [0, 1, 1]; x = [2, 2]: z1 = [1, 0, 3]
    def net(act):
        return [
            {"weights": [[1, -1, 2], [1, 0, -1]], "bias": [-3, 2, 1], "activation": act},
            {"weights": [[1, -1], [2, 0], [0, 1]], "bias": [0, 1], "activation": "softmax"},
        ]

    for act in (
        {"name": "leaky_relu", "negative_slope": 0.1},
        "leaky_relu",
        {"name": "elu", "alpha": 1.5},
        {"name": "softplus", "beta": 2, "threshold": 2},
    ):
        name, options = activation_spec(act)
        tag = name + "".join(f"_{key}{value:g}" for key, value in options.items())
        cases.append((f"kink_{tag}_single_softmax_nll", make_config(net(act), [1, 2], 0, "nll", 0.1)))
        cases.append(
            (
                f"kink_{tag}_batch2_softmax_nll_mean",
                make_config(net(act), [[1, 2], [2, 2]], [0, 1], "nll", 0.1, reduction="mean"),
            )
        )
    return cases


def extreme_logit_cases():
    cases = []

    # hidden layer passes x through; the output layer scales it to +-1000 logits
    def net(out_act):
        return [
            {"weights": [[1]], "bias": [0], "activation": "linear"},
            {"weights": [[1000, -1000]], "bias": [0, 0], "activation": out_act},
        ]

    cases.append(("extreme_softmax_nll_wrong_class_single", make_config(net("softmax"), [1], 1, "nll", 0.1)))
    cases.append(("extreme_softmax_nll_right_class_single", make_config(net("softmax"), [1], 0, "nll", 0.1)))
    cases.append(
        (
            "extreme_softmax_nll_batch2_sum",
            make_config(net("softmax"), [[1], [-1]], [1, [0.5, 0.5]], "nll", 0.01, reduction="sum"),
        )
    )
    cases.append(("extreme_sigmoid_nll_single", make_config(net("sigmoid"), [1], [0, 0], "nll", 0.1)))
    cases.append(
        (
            "extreme_sigmoid_nll_batch3_mean",
            make_config(net("sigmoid"), [[1], [-1], [1]], [[1, 0], [1, 0], [0.5, 1]], "nll", 0.1, reduction="mean"),
        )
    )
    # +-1000 logits behind a ReLU hidden layer with several units
    layers = [
        {"weights": [[1, -1, 2]], "bias": [0, 0, 0], "activation": "relu"},
        {"weights": [[500, -500], [-500, 500], [250, -250]], "bias": [0, 0], "activation": "softmax"},
    ]
    cases.append(
        (
            "extreme_relu_hidden_softmax_nll_batch2_mean",
            make_config(layers, [[1], [-1]], [1, 0], "nll", 0.1, reduction="mean"),
        )
    )
    return cases


def label_form_cases(rng):
    cases = []
    # probability-vector labels for softmax + nll
    layers = random_layers(rng, [2, 3, 3], ["tanh", "softmax"])
    cases.append(("prob_label_softmax_nll_single", make_config(layers, [0.8, -1.2], [0.25, 0.5, 0.25], "nll", 0.1)))
    layers = random_layers(rng, [3, 2, 4], ["relu", "softmax"])
    x = [[1.0, 0.5, -0.5], [0.2, 0.2, 2.0], [-1.0, 1.0, 0.0]]
    labels = [[0.125, 0.375, 0.0, 0.5], [0.0, 0.0, 1.0, 0.0], [0.25, 0.25, 0.25, 0.25]]
    cases.append(
        ("prob_label_softmax_nll_batch3_mean", make_config(layers, x, labels, "nll", 0.1, reduction="mean", relu0=0.5))
    )
    # int label with a non-nll loss on a softmax output: one-hot target
    layers = random_layers(rng, [2, 3, 3], ["sigmoid", "softmax"])
    cases.append(("int_label_softmax_squared_single", make_config(layers, [0.4, 0.9], 2, "squared", 0.1)))
    # single output unit with a number label
    layers = random_layers(rng, [2, 3, 1], ["relu", "linear"])
    cases.append(
        (
            "one_unit_linear_squared_number_label_single",
            make_config(layers, [1.5, -0.5], 0.7, "squared", 0.1, relu0=0.5),
        )
    )
    layers = random_layers(rng, [2, 3, 1], ["tanh", "sigmoid"])
    cases.append(("one_unit_sigmoid_nll_int_label_single", make_config(layers, [0.3, -2.0], 1, "nll", 0.1)))
    layers = random_layers(rng, [3, 2, 1], ["sigmoid", "sigmoid"])
    x = [[1.0, 0.0, -1.0], [0.5, 0.5, 0.5], [2.0, -1.0, 0.0]]
    cases.append(
        (
            "one_unit_sigmoid_nll_number_labels_batch3_sum",
            make_config(layers, x, [0, 1, 0.3], "nll", 0.5, reduction="sum"),
        )
    )
    layers = random_layers(rng, [2, 2, 1], ["linear", "tanh"])
    x = [[0.1, 0.2], [0.3, -0.4], [-0.5, 0.6]]
    cases.append(
        (
            "one_unit_tanh_mse_number_labels_batch3_mean",
            make_config(layers, x, [0.5, -0.25, 0.0], "mse", 0.1, reduction="mean"),
        )
    )
    # batch without a reduction key: default is mean
    layers = random_layers(rng, [2, 3, 2], ["relu", "softmax"])
    x = [[0.5, 1.0], [-1.0, 0.25], [2.0, -0.5]]
    cases.append(("batch3_default_reduction_softmax_nll", make_config(layers, x, [1, 0, 1], "nll", 0.1)))
    # a batch of one point (input is a list of one point, label a list of one label)
    layers = random_layers(rng, [2, 3, 2], ["tanh", "softmax"])
    cases.append(("batch1_softmax_nll", make_config(layers, [[0.5, -1.5]], [1], "nll", 0.1, reduction="mean")))
    return cases


# ----------------------------------------------------------------- checks
def close(a, b, tol=1e-12):
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b))
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def flatten(v):
    if isinstance(v, list):
        for x in v:
            yield from flatten(x)
    else:
        yield v


def check_seed(exp):
    f, g, u = exp["forward"], exp["grads"], exp["updated"]
    assert f["a1"] == [[2.0], [13.0], [0.0], [0.0]], f["a1"]
    assert close(f["a2"], [[1.0], [6.91440011e-13]], 1e-8), f["a2"]
    assert exp["loss"] == 28.000000000000693, repr(exp["loss"])
    assert close(g["z2"], [[1.0], [-1.0]], 1e-11), g["z2"]
    assert close(g["a1"], [[2.0]] * 4, 1e-11), g["a1"]
    assert close(u["W1"], [[0.4, -0.6, -1, 0], [-2.8, -1.8, 0, -1]], 1e-11), u["W1"]
    assert close(u["w10"], [[-1.2], [-1.2], [-1], [-1]], 1e-11), u["w10"]
    assert close(u["W2"], [[0.8, -0.8], [-0.3, 0.3], [1, -1], [1, -1]], 1e-11), u["W2"]
    assert close(u["w20"], [[-0.1], [2.1]], 1e-11), u["w20"]


def check_twins(name, col, row):
    """A columns case and its transposed rows twin must agree."""
    assert close(col["loss"], row["loss"]), name
    for key, v in col["forward"].items():
        assert close(transpose(v), row["forward"][key]), (name, key)
    for key, v in col["grads"].items():
        if key.startswith("W"):
            assert close(transpose(v), row["grads"][key]), (name, key)
        elif key.startswith("w"):  # w{l}0 -> b{l}, n x 1 -> flat
            assert close([r[0] for r in v], row["grads"]["b" + key[1:-1]]), (name, key)
        else:
            assert close(transpose(v), row["grads"][key]), (name, key)
    for key, v in col["updated"].items():
        if key.startswith("W"):
            assert close(transpose(v), row["updated"][key]), (name, key)
        else:
            assert close([r[0] for r in v], row["updated"]["b" + key[1:-1]]), (name, key)


def check_relu_zeros(named):
    """Each relu_zero case has an exact 0 pre-activation in a ReLU layer, and the
    three relu_grad_at_zero variants of a case give different gradients."""
    groups = {}
    for name, cfg, exp in named:
        if not name.startswith("relu_zero"):
            continue
        zero_found = False
        for l, layer in enumerate(cfg["layers"], start=1):
            if layer["activation"] == "relu" and any(v == 0.0 for v in flatten(exp["forward"][f"z{l}"])):
                zero_found = True
        assert zero_found, f"{name}: no exactly-zero ReLU pre-activation"
        groups.setdefault(name.rsplit("_relu", 1)[0], []).append(exp)
    assert groups
    for base, exps in groups.items():
        assert len(exps) == 3, base
        for i in range(3):
            for j in range(i + 1, 3):
                gi = list(flatten(list(exps[i]["grads"].values())))
                gj = list(flatten(list(exps[j]["grads"].values())))
                assert gi != gj, f"{base}: relu_grad_at_zero variants give identical gradients"


def check_kinks(named):
    """Each kink case has an input of its activation exactly on the kink (and softplus's batch also one past it)."""
    found = 0
    for name, cfg, exp in named:
        if not name.startswith("kink_"):
            continue
        act, options = activation_spec(cfg["layers"][0]["activation"])
        z = list(flatten(exp["forward"]["z1"]))
        if act == "softplus":
            t = [options["beta"] * v for v in z]
            assert options["threshold"] in t and ("single" in name or any(v > options["threshold"] for v in t)), name
        else:
            assert 0.0 in z, name
        found += 1
    assert found == 8, found


def check_activation_conventions():
    """torch's derivatives where the activations with options have no derivative: leaky_relu'(0)
    is negative_slope, elu'(0) is alpha (the left derivative), softplus is z itself only above threshold."""
    for act, grad in (({"name": "leaky_relu", "negative_slope": 0.3}, 0.3), ({"name": "elu", "alpha": 2.5}, 2.5)):
        out = torch_step(
            make_config(
                [
                    {"weights": [[1]], "bias": [0], "activation": act},
                    {"weights": [[1]], "bias": [0], "activation": "linear"},
                ],
                [0],
                1,
                "half_squared",
                0.1,
            )
        )
        assert out["grads"]["a1"] == [[-1.0]] and out["grads"]["z1"] == [[-grad]], (act, out["grads"])
    out = torch_step(
        make_config(
            [
                {"weights": [[1]], "bias": [0], "activation": {"name": "softplus", "beta": 2, "threshold": 3}},
                {"weights": [[1]], "bias": [0], "activation": "linear"},
            ],
            [[1.5], [1.75]],
            [0, 0],
            "squared",
            0.1,
            reduction="sum",
        )
    )
    (a_at,), (a_past,) = out["forward"]["a1"][0][:1], out["forward"]["a1"][0][1:]
    assert close(a_at, math.log1p(math.exp(3)) / 2) and a_past == 1.75, out["forward"]["a1"]


def check_loss_definitions():
    """Cross-check the loss definitions against hand formulas."""

    rng = random.Random(7)
    layers = random_layers(rng, [2, 3, 3], ["tanh", "sigmoid"])
    x = [[0.3, -0.8], [1.1, 0.4]]
    y = [[1, 0, 0.5], [0.25, 1, 0]]
    base = make_config(layers, x, y, "squared", 0.1, reduction="sum")
    sq = torch_step(base)
    a = [list(r) for r in zip(*sq["forward"]["a2"])]  # points as rows
    hand_sq = sum((ai - yi) ** 2 for ar, yr in zip(a, y) for ai, yi in zip(ar, yr))
    assert close(sq["loss"], hand_sq), (sq["loss"], hand_sq)
    half = torch_step(dict(base, loss="half_squared"))
    assert close(half["loss"], hand_sq / 2)
    mse = torch_step(dict(base, loss="mse"))
    assert close(mse["loss"], hand_sq / 3)
    mean = torch_step(dict(base, reduction="mean"))
    assert close(mean["loss"], hand_sq / 2)
    nll = torch_step(dict(base, loss="nll"))
    hand_bce = -sum(yi * math.log(ai) + (1 - yi) * math.log(1 - ai) for ar, yr in zip(a, y) for ai, yi in zip(ar, yr))
    assert close(nll["loss"], hand_bce, 1e-10), (nll["loss"], hand_bce)
    # softmax nll == -log a[label]
    sm = torch_step(make_config(random_layers(rng, [2, 3, 3], ["relu", "softmax"]), [0.5, 1.5], 2, "nll", 0.1))
    assert close(sm["loss"], -math.log(sm["forward"]["a2"][2][0]), 1e-10)
    # relu_grad_at_zero really is 0 / 0.5 / 1 at z == 0
    for g0 in (0, 0.5, 1):
        out = torch_step(
            make_config(
                [
                    {"weights": [[1]], "bias": [0], "activation": "relu"},
                    {"weights": [[1]], "bias": [0], "activation": "linear"},
                ],
                [0],
                1,
                "half_squared",
                0.1,
                relu0=g0,
            )
        )
        # dL/da1 = a2 - y = -1, so dL/dz1 = -g0
        assert out["grads"]["a1"] == [[-1.0]] and out["grads"]["z1"] == [[-float(g0)]], (g0, out["grads"])


# ------------------------------------------------------------------- main
def build():
    import torch

    rng = random.Random(SEED)
    base_cases = (
        seed_cases()
        + grid_cases(rng)
        + revive(rng, deep_and_hidden_softmax_cases(rng))
        + relu_zero_cases()
        + extreme_logit_cases()
        + revive(rng, label_form_cases(rng))
    )
    options_rng = random.Random(SEED_OPTIONS)
    base_cases += revive(options_rng, option_activation_cases(options_rng)) + kink_cases()

    names = [n for n, _ in base_cases]
    assert len(set(names)) == len(names), "duplicate case names"

    # every activation appears as a hidden activation somewhere
    hidden = {activation_spec(layer["activation"])[0] for _, c in base_cases for layer in c["layers"][:-1]}
    assert hidden == set(ACTIVATIONS), hidden
    outputs = {activation_spec(c["layers"][-1]["activation"])[0] for _, c in base_cases}
    assert outputs == set(ACTIVATIONS), outputs

    check_loss_definitions()
    check_activation_conventions()

    out_cases = []
    named = []
    for name, cfg in base_cases:
        col = torch_step(cfg)
        rcfg = to_rows(cfg)
        row = torch_step(rcfg)
        check_twins(name, col, row)
        for n, c, e in ((f"{name}__columns", cfg, col), (f"{name}__rows", rcfg, row)):
            vals = [e["loss"]] + [
                v for part in ("forward", "grads", "updated") for v in flatten(list(e[part].values()))
            ]
            assert all(math.isfinite(v) for v in vals), f"{n}: non-finite value"
            out_cases.append({"name": n, "config": c, "expected": e})
            named.append((name, c, e))
        if name.startswith("seed_notebook"):
            check_seed(col)

    check_relu_zeros([(n, c, e) for n, c, e in named if c["layout"] == "columns"])
    check_relu_zeros([(n, c, e) for n, c, e in named if c["layout"] == "rows"])
    check_kinks([(n, c, e) for n, c, e in named if c["layout"] == "columns"])

    # the +-1000 cases really have +-1000 logits and finite, exact losses
    ex = {n: e for n, c, e in named if c["layout"] == "columns"}
    assert ex["extreme_softmax_nll_wrong_class_single"]["loss"] == 2000.0
    assert ex["extreme_softmax_nll_right_class_single"]["loss"] == 0.0
    assert ex["extreme_sigmoid_nll_single"]["loss"] == 1000.0

    return {"torch_version": torch.__version__, "regenerate": REGENERATE, "cases": out_cases}


def dump(doc) -> str:
    """One case per line: diff-friendly and still valid JSON."""
    lines = [
        "{",
        f'"torch_version": {json.dumps(doc["torch_version"])},',
        f'"regenerate": {json.dumps(doc["regenerate"])},',
        '"cases": [',
    ]
    body = [json.dumps(c, allow_nan=False) for c in doc["cases"]]
    lines.append(",\n".join(body))
    lines.append("]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    doc = build()
    text = dump(doc)
    assert json.loads(text) == doc
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(doc['cases'])} cases, {len(text) / 1024:.0f} KiB, torch {doc['torch_version']})")


if __name__ == "__main__":
    main()
