"""Regenerate tests/golden/torch_optim_cases.json from the PyTorch optimizer reference.

    pip install torch==2.13.0 && python tests/golden/make_optim_golden.py

Every case is a multi-step training run computed by
``torch_optim_reference.torch_train`` (torch float64 autograd + torch.optim
SGD / Adam / AdamW / RMSprop / Adagrad).  Cases are built deterministically (``random.Random``
with a fixed seed; weights ~N(0,1) rounded to 3 decimals).  Each base case is
defined once (columns layout, except Mazur's example which is defined in the
rows layout) and emitted four times: in both layouts (the twin is the same
network transposed, with freeze names and starting state renamed/reshaped)
and with ``steps`` 1 and 3.

Before anything is written the script checks:

- Mazur's worked example (rows, shared sigmoid biases, frozen biases) against
  the published numbers;
- steps-1 plain SGD agrees with the one-step reference ``torch_reference``
  (every case of torch_cases.json, and the plain-SGD cases here);
- every step of every case is replayed in plain Python from the recorded
  gradients with the textbook SGD / Adam / AdamW (amsgrad, maximize) / RMSprop
  (momentum, centered) / Adagrad formulas (parameters and optimizer state), frozen parameters are
  bit-identical and have no state;
- the columns and rows twins agree; the steps-1 case is the first step of its
  steps-3 twin and its loss_after is the twin's second loss;
- every value is finite.
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

from make_golden import dump  # noqa: E402 - one case per line, as the autograd golden file
from torch_optim_reference import _parse_optimizer, torch_train  # noqa: E402
from torch_reference import torch_step  # noqa: E402

OUT = HERE / "torch_optim_cases.json"
ONE_STEP_CASES = HERE / "torch_cases.json"
SEED = 20240612
REGENERATE = "pip install torch==2.13.0 && python tests/golden/make_optim_golden.py"
TOL = 1e-12


# ----------------------------------------------------------------- helpers
def transpose(m):
    return [list(r) for r in zip(*m)]


def rnum(rng, sd=1.0, nd=3):
    v = round(rng.gauss(0.0, sd), nd)
    return 0.0 if v == 0 else v  # no -0.0 in configs


def make_layers(rng, sizes, acts, biases):
    """Columns-layout layers.  biases[i]: 'list' | 'column' (n x 1 nested) |
    'shared' (one number) | 'none' (the string) | 'omit' (no bias key)."""
    layers = []
    for n_in, n_out, act, kind in zip(sizes[:-1], sizes[1:], acts, biases):
        layer = {"weights": [[rnum(rng) for _ in range(n_out)] for _ in range(n_in)]}
        if kind == "list":
            layer["bias"] = [rnum(rng) for _ in range(n_out)]
        elif kind == "column":
            layer["bias"] = [[rnum(rng)] for _ in range(n_out)]
        elif kind == "shared":
            layer["bias"] = rnum(rng)
        elif kind == "none":
            layer["bias"] = "none"
        else:
            assert kind == "omit", kind
        layer["activation"] = act
        layers.append(layer)
    return layers


def bias_kind(layer):
    b = layer.get("bias")
    if b is None or b == "none":
        return None
    return "shared" if isinstance(b, (int, float)) else "list"


def param_shapes(cfg):
    """name -> ('W', rows, cols) | ('bias', n) | ('shared',), columns layout only."""
    assert cfg["layout"] == "columns"
    shapes = {}
    for l, layer in enumerate(cfg["layers"], start=1):
        W = layer["weights"]
        shapes[f"W{l}"] = ("W", len(W), len(W[0]))
        k = bias_kind(layer)
        if k == "list":
            shapes[f"w{l}0"] = ("bias", len(W[0]))
        elif k == "shared":
            shapes[f"w{l}0"] = ("shared",)
    return shapes


def random_value(rng, shape, draw):
    if shape[0] == "W":
        return [[draw() for _ in range(shape[2])] for _ in range(shape[1])]
    if shape[0] == "bias":
        return [[draw()] for _ in range(shape[1])]
    return draw()


def sgd_state(rng, cfg):
    frozen = set(cfg.get("freeze", []))
    return {
        "momentum_buffer": {
            n: random_value(rng, s, lambda: rnum(rng, 0.1, 4)) for n, s in param_shapes(cfg).items() if n not in frozen
        }
    }


def adam_state(rng, cfg, step):
    frozen = set(cfg.get("freeze", []))
    shapes = {n: s for n, s in param_shapes(cfg).items() if n not in frozen}
    state = {
        "step": step,
        "exp_avg": {n: random_value(rng, s, lambda: rnum(rng, 0.1, 4)) for n, s in shapes.items()},
        "exp_avg_sq": {n: random_value(rng, s, lambda: round(rng.uniform(1e-4, 2e-2), 6)) for n, s in shapes.items()},
    }
    if cfg["optimizer"].get("amsgrad"):  # some above the second moment, some below
        state["max_exp_avg_sq"] = {
            n: random_value(rng, s, lambda: round(rng.uniform(1e-4, 2e-2), 6)) for n, s in shapes.items()
        }
    return state


def rmsprop_state(rng, cfg, step):
    """A mean square above the square of the mean, so that centered's √(v - m²) is real."""
    frozen, opt = set(cfg.get("freeze", [])), cfg["optimizer"]
    shapes = {n: s for n, s in param_shapes(cfg).items() if n not in frozen}
    state = {
        "step": step,
        "square_avg": {n: random_value(rng, s, lambda: round(rng.uniform(1e-2, 5e-2), 6)) for n, s in shapes.items()},
    }
    if opt.get("momentum", 0) > 0:
        state["momentum_buffer"] = {n: random_value(rng, s, lambda: rnum(rng, 0.1, 4)) for n, s in shapes.items()}
    if opt.get("centered"):
        state["grad_avg"] = {
            n: random_value(rng, s, lambda: round(rng.uniform(-0.05, 0.05), 4)) for n, s in shapes.items()
        }
    return state


def adagrad_state(rng, cfg, step):
    frozen = set(cfg.get("freeze", []))
    return {
        "step": step,
        "sum": {
            n: random_value(rng, s, lambda: round(rng.uniform(1e-2, 2.0), 4))
            for n, s in param_shapes(cfg).items()
            if n not in frozen
        },
    }


STATES = {"sgd": sgd_state, "adam": adam_state, "rmsprop": rmsprop_state, "adagrad": adagrad_state}
"""A starting state for a case, by optimizer: (rng, cfg, *more) -> state."""


def make_config(
    layers, x, label, loss, lr, *, reduction=None, relu0=None, optimizer=None, freeze=None, layout="columns"
):
    cfg = {"layout": layout, "input": x, "label": label, "loss": loss, "learning_rate": lr}
    if reduction is not None:
        cfg["reduction"] = reduction
    if relu0 is not None:
        cfg["relu_grad_at_zero"] = relu0
    if optimizer is not None:
        cfg["optimizer"] = optimizer
    if freeze is not None:
        cfg["freeze"] = freeze
    cfg["layers"] = layers
    return cfg


# ------------------------------------------------------ layout conversion
def _rename(name, to):
    if name.startswith("W"):
        return name
    l = name[1:-1] if name.startswith("w") else name[1:]
    return f"b{l}" if to == "rows" else f"w{l}0"


def convert_named(d, to):
    """Output-shaped {name: value} of one layout -> the other layout."""
    out = {}
    for name, v in d.items():
        if name.startswith("W"):
            out[name] = transpose(v)
        elif isinstance(v, list):  # per-unit bias: n x 1 <-> flat
            out[_rename(name, to)] = [r[0] for r in v] if to == "rows" else [[r] for r in v]
        else:  # shared bias: a number in both layouts
            out[_rename(name, to)] = v
    return out


def convert_state(state, to):
    out = {}
    for k, v in state.items():
        out[k] = convert_named(v, to) if isinstance(v, dict) else v
    return out


def twin(cfg):
    """The same network in the other layout."""
    to = "rows" if cfg["layout"] == "columns" else "columns"
    out = copy.deepcopy(cfg)
    out["layout"] = to
    for layer in out["layers"]:
        layer["weights"] = transpose(layer["weights"])
        b = layer.get("bias")
        if isinstance(b, list):  # always written flat in the twin
            layer["bias"] = [v[0] if isinstance(v, list) else v for v in b]
    if "freeze" in out:
        out["freeze"] = [_rename(n, to) for n in out["freeze"]]
    opt = out.get("optimizer")
    if isinstance(opt, dict) and "state" in opt:
        opt["state"] = convert_state(opt["state"], to)
    return out


def convert_result(res, to):
    return {
        "losses": res["losses"],
        "grads": [convert_named(g, to) for g in res["grads"]],
        "params": [convert_named(p, to) for p in res["params"]],
        "states": [convert_state(s, to) for s in res["states"]],
        "loss_after": res["loss_after"],
    }


# ------------------------------------------------------------ comparisons
def close(a, b, tol=TOL):
    if isinstance(a, dict):
        return isinstance(b, dict) and sorted(a) == sorted(b) and all(close(a[k], b[k], tol) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b))
    if isinstance(b, (list, dict)):
        return False
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def flatten(v):
    if isinstance(v, dict):
        for x in v.values():
            yield from flatten(x)
    elif isinstance(v, list):
        for x in v:
            yield from flatten(x)
    else:
        yield v


def emap(f, *vs):
    """Elementwise f over equally nested lists (or plain numbers)."""
    if isinstance(vs[0], list):
        return [emap(f, *xs) for xs in zip(*vs)]
    return f(*vs)


def initial_params(cfg):
    """name -> output-shaped starting value (floats)."""
    out = {}
    col = cfg["layout"] == "columns"
    for l, layer in enumerate(cfg["layers"], start=1):
        out[f"W{l}"] = emap(float, layer["weights"])
        k = bias_kind(layer)
        name = f"w{l}0" if col else f"b{l}"
        if k == "shared":
            out[name] = float(layer["bias"])
        elif k == "list":
            flat = [float(v[0] if isinstance(v, list) else v) for v in layer["bias"]]
            out[name] = [[v] for v in flat] if col else flat
    return out


def opt_spec(cfg):
    """(name, every hyperparameter with torch's defaults, starting state or None)."""
    spec = _parse_optimizer(cfg.get("optimizer", "sgd"))
    return spec["name"], spec["kwargs"], spec["state"]


def textbook(oname, hp, p, g, st, lr, t):
    """One parameter's step by the textbook rules, in plain Python floats: (new p, new state).
    ``st`` is its state (keyed as torch's, ``{}`` at first), ``t`` the step count after this step."""
    zeros = emap(lambda _: 0.0, p)
    if oname == "sgd":
        mu, damp, nest, wd = hp["momentum"], hp["dampening"], hp["nesterov"], hp["weight_decay"]
        d = emap(lambda gi, pi: gi + wd * pi, g, p)
        if mu == 0:
            return emap(lambda pi, di: pi - lr * di, p, d), {}
        buf = (
            d if "momentum_buffer" not in st else emap(lambda b, di: mu * b + (1 - damp) * di, st["momentum_buffer"], d)
        )
        d = emap(lambda di, b: di + mu * b, d, buf) if nest else buf
        return emap(lambda pi, di: pi - lr * di, p, d), {"momentum_buffer": buf}
    wd = hp["weight_decay"]
    if oname in ("adam", "adamw"):
        (b1, b2), eps = hp["betas"], hp["eps"]
        d = emap(lambda gi: -gi, g) if hp["maximize"] else g
        if oname == "adamw":
            p = emap(lambda pi: pi * (1 - lr * wd), p)
        else:
            d = emap(lambda di, pi: di + wd * pi, d, p)
        m = emap(lambda mi, di: b1 * mi + (1 - b1) * di, st.get("exp_avg", zeros), d)
        v = emap(lambda vi, di: b2 * vi + (1 - b2) * di * di, st.get("exp_avg_sq", zeros), d)
        new = {"exp_avg": m, "exp_avg_sq": v}
        if hp["amsgrad"]:
            v = new["max_exp_avg_sq"] = emap(max, st.get("max_exp_avg_sq", zeros), v)
        bc1, bc2 = 1 - b1**t, 1 - b2**t
        return emap(lambda pi, mi, vi: pi - lr / bc1 * mi / (math.sqrt(vi) / math.sqrt(bc2) + eps), p, m, v), new
    d = emap(lambda gi, pi: gi + wd * pi, g, p)
    if oname == "rmsprop":
        alpha, eps, mu = hp["alpha"], hp["eps"], hp["momentum"]
        v = emap(lambda vi, di: alpha * vi + (1 - alpha) * di * di, st.get("square_avg", zeros), d)
        new = {"square_avg": v}
        if hp["centered"]:
            ga = new["grad_avg"] = emap(lambda ai, di: alpha * ai + (1 - alpha) * di, st.get("grad_avg", zeros), d)
            avg = emap(lambda vi, ai: math.sqrt(vi - ai * ai) + eps, v, ga)
        else:
            avg = emap(lambda vi: math.sqrt(vi) + eps, v)
        step = emap(lambda di, ai: di / ai, d, avg)
        if mu > 0:
            step = new["momentum_buffer"] = emap(lambda b, si: mu * b + si, st.get("momentum_buffer", zeros), step)
        return emap(lambda pi, si: pi - lr * si, p, step), new
    assert oname == "adagrad", oname
    start = emap(lambda _: hp["initial_accumulator_value"], p)
    total = emap(lambda si, di: si + di * di, st.get("sum", start), d)
    clr = lr / (1 + (t - 1) * hp["lr_decay"])
    return emap(lambda pi, di, si: pi - clr * di / (math.sqrt(si) + hp["eps"]), p, d, total), {"sum": total}


def replay(name, cfg, res):
    """Re-derive every step's parameters and state from the recorded gradients
    with the textbook update rules (plain Python floats)."""
    lr = cfg["learning_rate"]
    oname, hp, state0 = opt_spec(cfg)
    start = initial_params(cfg)
    frozen = set(cfg.get("freeze", []))
    trained = [n for n in start if n not in frozen]
    p = copy.deepcopy(start)
    st = {n: {key: v[n] for key, v in (state0 or {}).items() if key != "step"} for n in trained}
    t = (state0 or {}).get("step", 0)
    steps = cfg.get("steps", 1)
    assert len(res["losses"]) == len(res["grads"]) == len(res["params"]) == len(res["states"]) == steps
    for k in range(steps):
        g = res["grads"][k]
        assert sorted(g) == sorted(start), (name, sorted(g))  # every parameter's gradient
        t += 1
        for n in trained:
            p[n], st[n] = textbook(oname, hp, p[n], g[n], st[n], lr, t)
        state = {} if oname == "sgd" else {"step": t}
        for key in st[trained[0]] if trained else ():
            state[key] = {n: st[n][key] for n in trained}
        got = res["params"][k]
        assert sorted(got) == sorted(start), (name, k)
        for n in frozen:
            assert got[n] == start[n], f"{name}: frozen {n} changed at step {k + 1}"
        assert close(got, p), f"{name}: step {k + 1} parameters differ from the replay"
        assert close(res["states"][k], state), f"{name}: step {k + 1} state differs from the replay"
        p = copy.deepcopy(got)  # continue from torch's values (no drift)
        st = {n: {key: v[n] for key, v in res["states"][k].items() if key != "step"} for n in trained}
        for n in frozen:
            assert n not in flatten_keys(res["states"][k]), f"{name}: frozen {n} has state"
    # the trained parameters really moved
    moved = [n for n in trained if res["params"][-1][n] != start[n]]
    assert moved, f"{name}: no parameter changed"


def flatten_keys(state):
    keys = set()
    for v in state.values():
        if isinstance(v, dict):
            keys |= set(v)
    return keys


def is_live(cfg):
    """Every weight matrix gets a non-zero gradient."""
    plain = {k: v for k, v in cfg.items() if k not in ("optimizer", "freeze", "steps")}
    g = torch_train(plain)["grads"][0]
    return all(any(x != 0 for x in flatten(v)) for k, v in g.items() if k.startswith("W"))


# ------------------------------------------------------------------ cases
# fmt: off
def base_cases(rng):
    """(name, make) pairs; make(rng) -> columns config (redrawn until live)."""
    X3_2 = [[0.5, -1.2], [1.5, 0.3], [-0.7, 0.8]]
    X3_3 = [[0.2, -0.4, 1.0], [1.1, 0.6, -0.3], [-0.9, 0.1, 0.5]]
    specs = [
        # name, sizes, acts, biases, x, label, loss, lr, kwargs, state maker
        ("sgd_plain_default_relu_softmax_nll_single", [2, 3, 2], ["relu", "softmax"], ["column", "list"],
         [0.8, -1.5], 1, "nll", 0.1, {}, None),
        ("sgd_plain_string_sigmoid_sigmoid_nll_batch3_sum", [2, 3, 2], ["sigmoid", "sigmoid"], ["list", "list"],
         X3_2, [[1, 0], [0, 1], [0.5, 1]], "nll", 0.5, {"reduction": "sum", "optimizer": "sgd"}, None),
        ("sgd_momentum09_tanh_linear_squared_batch3_mean", [3, 4, 2], ["tanh", "linear"], ["list", "list"],
         X3_3, [[0.5, -0.5], [1.0, 0.0], [0.0, 2.0]], "squared", 0.05,
         {"reduction": "mean", "optimizer": {"name": "sgd", "momentum": 0.9}}, None),
        ("sgd_momentum09_dampening05_sigmoid_softmax_mse_batch3_sum", [2, 3, 3], ["sigmoid", "softmax"],
         ["list", "list"], X3_2, [0, 2, 1], "mse", 0.5,
         {"reduction": "sum", "optimizer": {"name": "sgd", "momentum": 0.9, "dampening": 0.5}}, None),
        ("sgd_nesterov_relu_sigmoid_nll_single", [2, 4, 1], ["relu", "sigmoid"], ["list", "list"],
         [1.0, 0.5], 1, "nll", 0.2,
         {"relu0": 0.5, "optimizer": {"name": "sgd", "momentum": 0.9, "dampening": 0, "nesterov": True}}, None),
        ("sgd_weight_decay_tanh_linear_half_squared_single", [3, 3, 2], ["tanh", "linear"], ["list", "list"],
         [0.3, -0.6, 1.2], [0.25, -1.0], "half_squared", 0.1,
         {"optimizer": {"name": "sgd", "weight_decay": 0.1}}, None),
        ("sgd_momentum_weight_decay_linear_softmax_nll_batch3_mean", [2, 3, 2], ["linear", "softmax"],
         ["list", "list"], X3_2, [1, 0, 1], "nll", 0.1,
         {"reduction": "mean",
          "optimizer": {"name": "sgd", "momentum": 0.8, "dampening": 0.1, "weight_decay": 0.05}}, None),
        ("adam_default_tanh_softmax_nll_batch3_mean", [2, 3, 3], ["tanh", "softmax"], ["list", "list"],
         X3_2, [2, 0, 1], "nll", 0.01, {"reduction": "mean", "optimizer": "adam"}, None),
        ("adam_custom_relu_linear_squared_batch3_sum", [3, 4, 2], ["relu", "linear"], ["list", "list"],
         X3_3, [[1.0, 0.0], [0.5, 0.5], [-1.0, 2.0]], "squared", 0.05,
         {"reduction": "sum",
          "optimizer": {"name": "adam", "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.1}}, None),
        ("adamw_default_sigmoid_linear_half_squared_single", [2, 3, 1], ["sigmoid", "linear"], ["list", "list"],
         [0.4, 0.9], 0.7, "half_squared", 0.01, {"optimizer": "adamw"}, None),
        ("adamw_wd01_tanh_relu_softmax_nll_batch3_mean", [2, 3, 3, 3], ["tanh", "relu", "softmax"],
         ["list", "list", "list"], X3_2, [0, 1, 2], "nll", 0.02,
         {"reduction": "mean", "optimizer": {"name": "adamw", "weight_decay": 0.1}}, None),
        ("sgd_momentum_start_state_sigmoid_sigmoid_mse_single", [2, 3, 2], ["sigmoid", "sigmoid"],
         ["list", "shared"], [1.0, -0.5], [0.2, 0.9], "mse", 0.5,
         {"optimizer": {"name": "sgd", "momentum": 0.9}}, ("sgd",)),
        ("sgd_nesterov_wd_start_state_tanh_linear_squared_batch3_mean", [3, 2, 2], ["tanh", "linear"],
         ["list", "list"], X3_3, [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]], "squared", 0.05,
         {"reduction": "mean",
          "optimizer": {"name": "sgd", "momentum": 0.5, "nesterov": True, "weight_decay": 0.01}}, ("sgd",)),
        ("adam_start_state_step5_tanh_softmax_nll_batch3_sum", [3, 3, 2], ["tanh", "softmax"],
         ["list", "shared"], X3_3, [1, 0, 1], "nll", 0.01,
         {"reduction": "sum", "optimizer": {"name": "adam"}}, ("adam", 5)),
        ("adamw_start_state_step5_freeze_relu_linear_mse_single", [2, 4, 2], ["relu", "linear"],
         ["list", "list"], [0.7, -1.1], [1.0, -1.0], "mse", 0.01,
         {"optimizer": {"name": "adamw", "weight_decay": 0.1}, "freeze": ["w10"]}, ("adam", 5)),
        ("freeze_W1_w20_sgd_momentum_wd_relu_softmax_nll_batch3_mean", [2, 3, 2], ["relu", "softmax"],
         ["list", "list"], X3_2, [0, 1, 1], "nll", 0.1,
         {"reduction": "mean", "optimizer": {"name": "sgd", "momentum": 0.9, "weight_decay": 0.1},
          "freeze": ["W1", "w20"]}, None),
        ("freeze_W2_w10_adamw_wd01_tanh_sigmoid_nll_single", [2, 3, 2], ["tanh", "sigmoid"], ["list", "list"],
         [-0.4, 1.3], [1, 0], "nll", 0.05,
         {"optimizer": {"name": "adamw", "weight_decay": 0.1}, "freeze": ["W2", "w10"]}, None),
        ("shared_bias_sgd_momentum_sigmoid_softmax_squared_batch3_mean", [2, 3, 2], ["sigmoid", "softmax"],
         ["shared", "shared"], X3_2, [1, 0, 1], "squared", 0.5,
         {"reduction": "mean", "optimizer": {"name": "sgd", "momentum": 0.9}}, None),
        ("shared_bias_adam_tanh_linear_half_squared_batch3_sum", [3, 2, 2], ["tanh", "linear"],
         ["shared", "list"], X3_3, [[0.3, -0.3], [1.0, 1.0], [-0.5, 0.0]], "half_squared", 0.05,
         {"reduction": "sum", "optimizer": "adam"}, None),
        ("shared_bias_frozen_plain_sgd_relu_sigmoid_squared_single", [2, 3, 1], ["relu", "sigmoid"],
         ["shared", "shared"], [1.2, 0.4], 0.8, "squared", 0.5, {"freeze": ["w20"]}, None),
        ("no_bias_none_and_omitted_nesterov_relu_softmax_nll_single", [2, 3, 2], ["relu", "softmax"],
         ["none", "omit"], [0.9, -0.3], 0, "nll", 0.1,
         {"optimizer": {"name": "sgd", "momentum": 0.5, "nesterov": True}}, None),
        ("no_bias_adamw_tanh_linear_mse_batch3_mean", [2, 3, 2], ["tanh", "linear"], ["none", "list"],
         X3_2, [[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]], "mse", 0.01,
         {"reduction": "mean", "optimizer": "adamw"}, None),
        ("mixed_bias_3layers_adam_custom_freeze_shared_relu_sigmoid_softmax_nll_batch3_sum",
         [2, 3, 3, 2], ["relu", "sigmoid", "softmax"], ["list", "shared", "none"], X3_2, [1, 1, 0], "nll", 0.05,
         {"reduction": "sum", "relu0": 1,
          "optimizer": {"name": "adam", "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.1},
          "freeze": ["w20"]}, None),
        ("hidden_softmax_sgd_momentum_dampening_softmax_sigmoid_squared_single", [2, 3, 2], ["softmax", "sigmoid"],
         ["list", "shared"], [1.5, -0.5], [0.0, 1.0], "squared", 1.0,
         {"optimizer": {"name": "sgd", "momentum": 0.9, "dampening": 0.5}}, None),
        ("adam_start_state_step5_shared_no_bias_linear_tanh_squared_batch3_mean", [3, 3, 1], ["linear", "tanh"],
         ["shared", "none"], X3_3, [0.5, -0.5, 0.0], "squared", 0.02,
         {"reduction": "mean", "optimizer": {"name": "adam", "betas": [0.8, 0.99], "eps": 1e-6}}, ("adam", 5)),
        # the activations with options, over several steps
        ("sgd_momentum_leaky_relu_softplus_squared_batch3_mean", [2, 3, 2],
         [{"name": "leaky_relu", "negative_slope": 0.1}, {"name": "softplus", "beta": 2.0}], ["list", "list"],
         X3_2, [[0.5, -0.5], [1.0, 0.0], [0.0, 2.0]], "squared", 0.1,
         {"reduction": "mean", "optimizer": {"name": "sgd", "momentum": 0.9}}, None),
        ("adam_elu_softmax_nll_batch3_sum", [3, 4, 3], [{"name": "elu", "alpha": 0.5}, "softmax"], ["list", "list"],
         X3_3, [2, 0, 1], "nll", 0.01, {"reduction": "sum", "optimizer": "adam"}, None),
        ("sgd_plain_softplus_leaky_relu_elu_half_squared_single", [2, 3, 3, 2], ["softplus", "leaky_relu", "elu"],
         ["list", "list", "list"], [0.8, -1.5], [0.3, -0.2], "half_squared", 0.5, {}, None),
        # adam and adamw: amsgrad, maximize
        ("adam_amsgrad_tanh_softmax_nll_batch3_mean", [2, 3, 3], ["tanh", "softmax"], ["list", "list"],
         X3_2, [2, 0, 1], "nll", 0.05, {"reduction": "mean", "optimizer": {"name": "adam", "amsgrad": True}}, None),
        ("adamw_amsgrad_maximize_relu_linear_squared_batch3_sum", [3, 4, 2], ["relu", "linear"], ["list", "shared"],
         X3_3, [[1.0, 0.0], [0.5, 0.5], [-1.0, 2.0]], "squared", 0.02,
         {"reduction": "sum", "optimizer": {"name": "adamw", "amsgrad": True, "maximize": True, "weight_decay": 0.05}},
         None),
        ("adam_maximize_weight_decay_sigmoid_sigmoid_mse_single", [2, 3, 2], ["sigmoid", "sigmoid"], ["list", "list"],
         [1.0, -0.5], [0.2, 0.9], "mse", 0.1, {"optimizer": {"name": "adam", "maximize": True, "weight_decay": 0.1}},
         None),
        ("adam_amsgrad_start_state_step4_freeze_elu_linear_half_squared_single", [2, 3, 2], ["elu", "linear"],
         ["list", "list"], [0.7, -1.1], [1.0, -1.0], "half_squared", 0.01,
         {"optimizer": {"name": "adam", "amsgrad": True, "betas": [0.8, 0.99]}, "freeze": ["w20"]}, ("adam", 4)),
        # rmsprop: alpha, eps, weight_decay, momentum, centered
        ("rmsprop_default_tanh_softmax_nll_batch3_mean", [2, 3, 3], ["tanh", "softmax"], ["list", "list"],
         X3_2, [2, 0, 1], "nll", 0.01, {"reduction": "mean", "optimizer": "rmsprop"}, None),
        ("rmsprop_alpha09_eps_weight_decay_relu_linear_squared_batch3_sum", [3, 4, 2], ["relu", "linear"],
         ["list", "list"], X3_3, [[1.0, 0.0], [0.5, 0.5], [-1.0, 2.0]], "squared", 0.01,
         {"reduction": "sum", "optimizer": {"name": "rmsprop", "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.1}}, None),
        ("rmsprop_momentum_sigmoid_sigmoid_nll_single", [2, 3, 2], ["sigmoid", "sigmoid"], ["list", "shared"],
         [1.0, -0.5], [1, 0], "nll", 0.02, {"optimizer": {"name": "rmsprop", "momentum": 0.9}}, None),
        ("rmsprop_centered_momentum_leaky_relu_linear_half_squared_batch3_mean", [2, 3, 2],
         [{"name": "leaky_relu", "negative_slope": 0.1}, "linear"], ["list", "list"], X3_2,
         [[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]], "half_squared", 0.01,
         {"reduction": "mean", "optimizer": {"name": "rmsprop", "centered": True, "momentum": 0.5, "alpha": 0.95}},
         None),
        ("rmsprop_centered_start_state_step3_freeze_tanh_linear_mse_single", [2, 3, 2], ["tanh", "linear"],
         ["list", "list"], [0.7, -1.1], [1.0, -1.0], "mse", 0.01,
         {"optimizer": {"name": "rmsprop", "centered": True, "momentum": 0.8}, "freeze": ["W1"]}, ("rmsprop", 3)),
        ("rmsprop_start_state_step2_elu_softmax_nll_batch3_sum", [3, 3, 2], ["elu", "softmax"], ["list", "none"],
         X3_3, [1, 0, 1], "nll", 0.005, {"reduction": "sum", "optimizer": {"name": "rmsprop", "alpha": 0.9}},
         ("rmsprop", 2)),
        # adagrad: lr_decay, weight_decay, initial_accumulator_value, eps
        ("adagrad_default_relu_softmax_nll_batch3_mean", [2, 3, 2], ["relu", "softmax"], ["list", "list"],
         X3_2, [0, 1, 1], "nll", 0.1, {"reduction": "mean", "optimizer": "adagrad"}, None),
        ("adagrad_lr_decay_weight_decay_initial_eps_sigmoid_linear_squared_batch3_sum", [3, 4, 2],
         ["sigmoid", "linear"], ["list", "list"], X3_3, [[1.0, 0.0], [0.5, 0.5], [-1.0, 2.0]], "squared", 0.1,
         {"reduction": "sum", "optimizer": {"name": "adagrad", "lr_decay": 0.1, "weight_decay": 0.05,
                                            "initial_accumulator_value": 0.1, "eps": 1e-8}}, None),
        ("adagrad_start_state_step6_lr_decay_shared_bias_tanh_sigmoid_nll_single", [2, 3, 2], ["tanh", "sigmoid"],
         ["shared", "list"], [-0.4, 1.3], [1, 0], "nll", 0.1, {"optimizer": {"name": "adagrad", "lr_decay": 0.05}},
         ("adagrad", 6)),
    ]
    out = []
    for name, sizes, acts, biases, x, label, loss, lr, kw, state in specs:
        kw = dict(kw)
        for _ in range(100):
            cfg = make_config(make_layers(rng, sizes, acts, biases), copy.deepcopy(x), copy.deepcopy(label),
                              loss, lr, **kw)
            if is_live(cfg):
                break
        else:
            raise RuntimeError(f"{name}: no live network")
        if state is not None:
            cfg["optimizer"] = copy.deepcopy(cfg["optimizer"])
            if isinstance(cfg["optimizer"], str):
                cfg["optimizer"] = {"name": cfg["optimizer"]}
            cfg["optimizer"]["state"] = STATES[state[0]](rng, cfg, *state[1:])
        out.append((name, cfg))
    return out
# fmt: on


MAZUR = {
    "layout": "rows",
    "input": [0.05, 0.10],
    "label": [0.01, 0.99],
    "loss": "half_squared",
    "learning_rate": 0.5,
    "freeze": ["b1", "b2"],
    "layers": [
        {"weights": [[0.15, 0.20], [0.25, 0.30]], "bias": 0.35, "activation": "sigmoid"},
        {"weights": [[0.40, 0.45], [0.50, 0.55]], "bias": 0.60, "activation": "sigmoid"},
    ],
}


def within_digits(value, written: str) -> bool:
    """value rounds to `written` (half a unit of its last decimal place)."""
    decimals = len(written.split(".")[1]) if "." in written else 0
    return abs(value - float(written)) <= 0.5 * 10**-decimals


def check_mazur(res):
    p = res["params"][0]
    want_W2 = [["0.35891648", "0.408666186"], ["0.511301270", "0.561370121"]]
    want_W1 = [["0.149780716", "0.19956143"], ["0.24975114", "0.29950229"]]
    for key, want in (("W2", want_W2), ("W1", want_W1)):
        for i in range(2):
            for j in range(2):
                assert within_digits(p[key][i][j], want[i][j]), (key, i, j, p[key][i][j], want[i][j])
    assert p["b1"] == 0.35 and p["b2"] == 0.60, (p["b1"], p["b2"])
    assert within_digits(res["losses"][0], "0.298371109"), res["losses"][0]
    assert within_digits(res["loss_after"], "0.29102777"), res["loss_after"]
    print(f"Mazur: loss before {res['losses'][0]!r}, loss_after {res['loss_after']!r}")


def check_against_one_step(cfg, exp, what):
    """torch_train (plain sgd, 1 step) vs the one-step reference's trace."""
    res = torch_train(cfg)
    assert close(res["losses"][0], exp["loss"]), what
    pg = {k: v for k, v in exp["grads"].items() if k[0] in "Wwb" and not k.startswith("a")}
    assert close(res["grads"][0], pg), what
    assert close(res["params"][0], exp["updated"]), what
    assert res["states"] == [{}], what


def one_step_sanity(named):
    cases = json.loads(ONE_STEP_CASES.read_text())["cases"]
    for c in cases:  # the committed one-step golden file
        check_against_one_step(c["config"], c["expected"], c["name"])
    n = 0
    for name, cfg in named:  # and the plain-sgd, per-unit-bias cases here (live one-step reference)
        plain = cfg.get("optimizer", "sgd") in ("sgd", {"name": "sgd"}) and not cfg.get("freeze")
        if plain and all(bias_kind(layer) == "list" for layer in cfg["layers"]):
            one = {k: v for k, v in cfg.items() if k != "steps"}
            check_against_one_step(one, torch_step(one), name)
            n += 1
    assert n >= 2, n
    print(f"one-step reference agrees: {len(cases)} torch_cases.json configs, {n} cases here")


# ------------------------------------------------------------------- main
def build():
    import torch

    rng = random.Random(SEED)
    bases = base_cases(rng) + [("mazur_shared_bias_frozen_sigmoid_half_squared", copy.deepcopy(MAZUR))]
    names = [n for n, _ in bases]
    assert len(set(names)) == len(names), "duplicate case names"

    out_cases, named = [], []
    for base, cfg in bases:
        layouts = {cfg["layout"]: cfg, twin(cfg)["layout"]: twin(cfg)}
        results = {}
        for layout in ("columns", "rows"):
            for steps in (1, 3):
                c = copy.deepcopy(layouts[layout])
                if steps != 1 or layout == "rows":
                    c["steps"] = steps  # steps: 1 written out in the rows cases, left to the default in columns
                res = torch_train(c)
                n = f"{base}__{layout}__steps{steps}"
                replay(n, c, res)
                assert all(math.isfinite(v) for v in flatten(res)), f"{n}: non-finite value"
                results[layout, steps] = res
                out_cases.append({"name": n, "config": c, "expected": res})
                named.append((n, c))
        for layout in ("columns", "rows"):
            one, three = results[layout, 1], results[layout, 3]
            for key in ("losses", "grads", "params", "states"):
                assert one[key][0] == three[key][0], (base, layout, key)
            assert close(one["loss_after"], three["losses"][1]), (base, layout)
        for steps in (1, 3):
            assert close(convert_result(results["columns", steps], "rows"), results["rows", steps]), (base, steps)
        if base.startswith("mazur"):
            check_mazur(results["rows", 1])

    # coverage of the brief
    opts = {json.dumps(c.get("optimizer", "sgd"), sort_keys=True) for _, c in named}
    assert all(any(f'"{name}"' in o for o in opts) for name in ("adam", "adamw", "rmsprop", "adagrad"))
    assert {c["layout"] for _, c in named} == {"columns", "rows"}

    one_step_sanity(named)
    return {"torch_version": torch.__version__, "regenerate": REGENERATE, "cases": out_cases}


def main():
    doc = build()
    text = dump(doc)
    assert json.loads(text) == doc
    assert len(text) < 1_000_000, len(text)
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(doc['cases'])} cases, {len(text) / 1024:.0f} KiB, torch {doc['torch_version']})")


if __name__ == "__main__":
    main()
