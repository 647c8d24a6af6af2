"""Independent PyTorch float64 autograd reference for one mlpstep training step.

``torch_step(config)`` takes an mlpstep config dict (the same structure as the
YAML file) and returns the trace dict that ``trace.to_dict()`` /
``mlpstep run --json`` is expected to produce::

    {"forward": {"z1", "a1", ..., "zL", "aL"},
     "loss": float,
     "grads": {"zL", "a(L-1)", "z(L-1)", ..., "z1", "WL", biasL, ..., "W1", bias1},
     "updated": {"W1", bias1, ..., "WL", biasL}}

Bias names are ``w{l}0`` in the columns layout and ``b{l}`` in the rows layout.
A layer's activation is a name or a mapping of a name and options
(``{name: leaky_relu, negative_slope: 0.1}``); leaky_relu, elu and softplus are
``torch.nn.functional``'s, called with those options as keyword arguments.

Everything is computed by torch autograd in float64: the network is built with
torch ops in the config's own layout, ``retain_grad()`` is called on every z
and every hidden a, and the loss is built from numerically exact primitives
(``log_softmax`` and ``binary_cross_entropy_with_logits``), so logits of
+-1000 still give finite losses and gradients.  No code is shared with the
NumPy engine.

torch is imported inside the functions, so this module can be imported
without torch installed (tests should ``pytest.importorskip("torch")`` first).
"""

from __future__ import annotations

import numbers

ACTIVATIONS = ("relu", "sigmoid", "tanh", "linear", "softmax", "leaky_relu", "elu", "softplus")
ACTIVATION_OPTIONS = {"leaky_relu": {"negative_slope"}, "elu": {"alpha"}, "softplus": {"beta", "threshold"}}
LOSSES = ("nll", "squared", "half_squared", "mse")
NLL_OUTPUTS = ("softmax", "sigmoid")


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _bias_name(layout: str, l: int) -> str:
    return f"w{l}0" if layout == "columns" else f"b{l}"


def _flat_bias(bias) -> list:
    """Accept a flat list, or an n x 1 nested list, of bias numbers."""
    out = []
    for v in bias:
        if isinstance(v, (list, tuple)):
            if len(v) != 1:
                raise ValueError(f"bias entries must be numbers or [number], got {v!r}")
            v = v[0]
        if not _is_number(v):
            raise ValueError(f"bias entries must be numbers, got {v!r}")
        out.append(v)
    return out


def _target(label, out_act: str, n_out: int) -> list:
    """One point's label -> target vector of length n_out."""
    if out_act == "softmax" and _is_int(label):
        if not 0 <= label < n_out:
            raise ValueError(f"class index {label} out of range for {n_out} outputs")
        return [1.0 if k == label else 0.0 for k in range(n_out)]
    if _is_number(label):
        if n_out != 1:
            raise ValueError(f"a number label needs a 1-unit output layer (got {n_out} units)")
        return [float(label)]
    if isinstance(label, (list, tuple)):
        if len(label) != n_out or not all(_is_number(v) for v in label):
            raise ValueError(f"label {label!r} is not a vector of {n_out} numbers")
        return [float(v) for v in label]
    raise ValueError(f"cannot interpret label {label!r}")


def _relu(z, grad_at_zero):
    import torch

    if grad_at_zero == 0:
        return torch.relu(z)
    if grad_at_zero == 0.5:
        # torch.maximum splits the gradient equally on ties (as in the MIT notebook)
        return torch.maximum(torch.zeros_like(z), z)
    if grad_at_zero == 1:
        return torch.where(z >= 0, z, torch.zeros_like(z))
    raise ValueError(f"relu_grad_at_zero must be 0, 0.5 or 1, got {grad_at_zero!r}")


def activation_spec(value) -> tuple[str, dict]:
    """A layer's activation as a config gives it (a name, or a mapping of its name and options)
    -> (name, options as torch's keyword arguments)."""
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise ValueError(f"an activation is a name or a mapping with a name, got {value!r}")
    name = value["name"].lower()
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}")
    options = {k: v for k, v in value.items() if k != "name"}
    unknown = set(options) - ACTIVATION_OPTIONS.get(name, set())
    if unknown or not all(_is_number(v) for v in options.values()):
        raise ValueError(f"activation {name}: unknown or non-numeric options {options!r}")
    return name, {k: float(v) for k, v in options.items()}


def _activate(spec, z, unit_dim, grad_at_zero):
    import torch
    import torch.nn.functional as F

    name, options = activation_spec(spec)
    if name == "leaky_relu":
        return F.leaky_relu(z, **options)
    if name == "elu":
        return F.elu(z, **options)
    if name == "softplus":
        return F.softplus(z, **options)
    if name == "relu":
        return _relu(z, grad_at_zero)
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    if name == "linear":
        return z
    if name == "softmax":
        return torch.softmax(z, dim=unit_dim)
    raise ValueError(f"unknown activation {name!r}")


def torch_step(config: dict) -> dict:
    import torch
    import torch.nn.functional as F

    dt = torch.float64
    layout = config["layout"]
    if layout not in ("columns", "rows"):
        raise ValueError(f"layout must be 'columns' or 'rows', got {layout!r}")
    loss_name = config["loss"]
    if loss_name not in LOSSES:
        raise ValueError(f"unknown loss {loss_name!r}")
    lr = float(config["learning_rate"])
    reduction = config.get("reduction", "mean")
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    grad_at_zero = config.get("relu_grad_at_zero", 0)
    layers = config["layers"]
    L = len(layers)
    if L < 1:
        raise ValueError("need at least one layer")

    # ---- input and labels: one point, or a batch (list of points) ----
    inp = config["input"]
    batched = len(inp) > 0 and isinstance(inp[0], (list, tuple))
    points = [list(p) for p in inp] if batched else [list(inp)]
    B = len(points)
    labels = config["label"]
    if batched:
        if not isinstance(labels, (list, tuple)) or len(labels) != B:
            raise ValueError(f"a batch of {B} points needs a list of {B} labels")
        labels = list(labels)
    else:
        labels = [labels]

    out_act = activation_spec(layers[-1]["activation"])[0]
    n_L = len(_flat_bias(layers[-1]["bias"]))
    if loss_name == "nll" and out_act not in NLL_OUTPUTS:
        raise ValueError(f"nll needs a softmax or sigmoid output layer, got {out_act!r}")
    Y = torch.tensor([_target(y, out_act, n_L) for y in labels], dtype=dt)  # B x n_L

    # Columns layout: points are columns, the unit axis is 0.
    # Rows layout: points are rows, the unit axis is 1.
    X = torch.tensor(points, dtype=dt)  # B x n0
    unit_dim = 0 if layout == "columns" else 1
    a = X.T.contiguous() if layout == "columns" else X

    Ws, bs, zs, acts = [], [], [], []
    n_in = X.shape[1]
    for l, layer in enumerate(layers, start=1):
        act = layer["activation"]
        activation_spec(act)  # a known activation with known options
        bias = _flat_bias(layer["bias"])
        n_out = len(bias)
        W = torch.tensor(layer["weights"], dtype=dt, requires_grad=True)
        want = (n_in, n_out) if layout == "columns" else (n_out, n_in)
        if tuple(W.shape) != want:
            raise ValueError(f"layer {l}: weights have shape {tuple(W.shape)}, expected {want}")
        if layout == "columns":
            b = torch.tensor([[v] for v in bias], dtype=dt, requires_grad=True)  # n x 1
            z = W.T @ a + b
        else:
            b = torch.tensor(bias, dtype=dt, requires_grad=True)  # flat n
            z = a @ W.T + b
        z.retain_grad()
        a = _activate(act, z, unit_dim, grad_at_zero)
        if l < L:
            a.retain_grad()
        Ws.append(W)
        bs.append(b)
        zs.append(z)
        acts.append(a)
        n_in = n_out

    # ---- per-point losses, in a points-as-rows frame (B x n_L) ----
    zL = zs[-1] if layout == "rows" else zs[-1].T
    aL = acts[-1] if layout == "rows" else acts[-1].T
    if loss_name == "nll" and out_act == "softmax":
        per_point = -(Y * F.log_softmax(zL, dim=1)).sum(dim=1)
    elif loss_name == "nll":  # sigmoid output: binary cross-entropy, exact via logits
        if bool(((Y < 0) | (Y > 1)).any()):
            raise ValueError("nll with a sigmoid output needs targets in [0, 1]")
        per_point = F.binary_cross_entropy_with_logits(zL, Y, reduction="none").sum(dim=1)
    elif loss_name == "squared":
        per_point = ((aL - Y) ** 2).sum(dim=1)
    elif loss_name == "half_squared":
        per_point = 0.5 * ((aL - Y) ** 2).sum(dim=1)
    else:  # mse: mean over output units
        per_point = ((aL - Y) ** 2).mean(dim=1)
    loss = per_point.mean() if reduction == "mean" else per_point.sum()
    loss.backward()

    def out(t):
        return t.detach().tolist()

    forward = {}
    for l in range(1, L + 1):
        forward[f"z{l}"] = out(zs[l - 1])
        forward[f"a{l}"] = out(acts[l - 1])

    grads = {}
    for l in range(L, 0, -1):
        if l < L:
            grads[f"a{l}"] = out(acts[l - 1].grad)
        grads[f"z{l}"] = out(zs[l - 1].grad)
    for l in range(L, 0, -1):
        grads[f"W{l}"] = out(Ws[l - 1].grad)
        grads[_bias_name(layout, l)] = out(bs[l - 1].grad)

    updated = {}
    with torch.no_grad():
        for l in range(1, L + 1):
            updated[f"W{l}"] = out(Ws[l - 1] - lr * Ws[l - 1].grad)
            updated[_bias_name(layout, l)] = out(bs[l - 1] - lr * bs[l - 1].grad)

    return {"forward": forward, "loss": float(loss.item()), "grads": grads, "updated": updated}
