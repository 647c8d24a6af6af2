"""Independent PyTorch float64 reference for several mlpstep training steps
with a ``torch.optim`` optimizer (SGD, Adam, AdamW, RMSprop, Adagrad).

``torch_train(config)`` takes an mlpstep config dict and returns::

    {"losses":     [L_0, ..., L_{N-1}],     # the loss before each step's update
     "grads":      [{name: dL/dparam}, ...], # parameter gradients at each step
                                             # (before any weight decay is added)
     "params":     [{name: param}, ...],     # every parameter after each step
     "states":     [state, ...],             # the optimizer state after each step
     "loss_after": L_N}                      # the loss with the final parameters

Config additions on top of the one-step format (see ``torch_reference.py``):

- a layer's ``bias`` is a list (one bias per unit), a single number (ONE
  scalar bias parameter shared by all units: ``z = W x + b * ones``, its
  gradient is the sum over the units and points), or ``none`` / omitted / null
  (no bias parameter).  The number of units is read from the weights.
- ``freeze: [W1, w20, ...]`` names parameters that are not in the optimizer
  (no update, no weight decay, no state).  Their gradients are still reported
  in ``grads`` (the gradient is well defined and the one-step trace reports
  every parameter's gradient).
- ``optimizer``: ``sgd`` | ``adam`` | ``adamw`` | ``rmsprop`` | ``adagrad`` or a
  mapping ``{name, momentum, dampening, nesterov, weight_decay}`` (sgd) /
  ``{name, betas, eps, weight_decay, amsgrad, maximize}`` (adam, adamw; adamw's
  default weight_decay is 0.01 as in torch) / ``{name, alpha, eps, weight_decay,
  momentum, centered}`` (rmsprop) / ``{name, lr_decay, weight_decay,
  initial_accumulator_value, eps}`` (adagrad), every default torch's, optionally
  with a starting ``state`` keyed as torch's state dict:
  ``{momentum_buffer: {name: value}}`` (sgd with momentum),
  ``{step: k, exp_avg: {...}, exp_avg_sq: {...}[, max_exp_avg_sq: {...}]}``
  (adam, adamw), ``{step: k, square_avg: {...}[, momentum_buffer: {...}][,
  grad_avg: {...}]}`` (rmsprop) or ``{step: k, sum: {...}}`` (adagrad), one
  entry for every trained parameter, in the parameter's output shape.
- ``steps: N`` (default 1): N consecutive steps on the same input and label.

Output shapes: weights as given in the config; columns-layout biases n x 1
nested lists; rows-layout biases flat; a shared bias a plain number.  Names:
``W{l}``; biases ``w{l}0`` (columns) or ``b{l}`` (rows).  Parameters are listed
layer by layer (``W1, bias1, W2, bias2, ...``); layers without a bias have no
bias entry.  The state of plain SGD (momentum 0) is ``{}``.

The optimizer steps are exactly ``torch.optim.SGD`` / ``Adam`` / ``AdamW`` /
``RMSprop`` / ``Adagrad`` (``foreach=False``), applied to float64 leaf tensors.  No code is shared with
the NumPy engine; the loss and activation semantics are those of
``torch_reference.py`` (log-sum-exp / logits-based nll, relu_grad_at_zero).

torch is imported inside the functions, so this module can be imported
without torch installed.
"""

from __future__ import annotations

from torch_reference import (  # noqa: F401  (re-exported for the golden script)
    ACTIVATIONS,
    LOSSES,
    NLL_OUTPUTS,
    _activate,
    _bias_name,
    _flat_bias,
    _is_int,
    _is_number,
    _target,
    activation_spec,
)

OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop", "adagrad")
DEFAULTS = {  # torch's, as keyword arguments of the constructor
    "sgd": {"momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0},
    "adam": {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False, "maximize": False},
    "adamw": {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01, "amsgrad": False, "maximize": False},
    "rmsprop": {"alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0, "centered": False},
    "adagrad": {"lr_decay": 0.0, "weight_decay": 0.0, "initial_accumulator_value": 0.0, "eps": 1e-10},
}


# ------------------------------------------------------------------ parsing
def _lower(v):
    return v.lower() if isinstance(v, str) else v


def _parse_optimizer(spec) -> dict:
    """-> {"name", "kwargs" (for the torch constructor), "state" (or None)}."""
    if spec is None:
        spec = "sgd"
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict):
        raise ValueError(f"optimizer must be a name or a mapping, got {spec!r}")
    name = _lower(spec.get("name", "sgd"))
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r} ({' | '.join(OPTIMIZERS)})")
    defaults = DEFAULTS[name]
    unknown = set(spec) - {"name", "state", *defaults}
    if unknown:
        raise ValueError(f"optimizer {name}: unknown keys {sorted(unknown)}")
    kw = {}
    for key, default in defaults.items():
        value = spec.get(key, default)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ValueError(f"{key} must be true or false, got {value!r}")
            kw[key] = value
        elif isinstance(default, tuple):
            if not (isinstance(value, (list, tuple)) and len(value) == 2 and all(_is_number(b) for b in value)):
                raise ValueError(f"{key} must be two numbers, got {value!r}")
            kw[key] = (float(value[0]), float(value[1]))
        else:
            if not _is_number(value):
                raise ValueError(f"{key} must be a number, got {value!r}")
            kw[key] = float(value)
    return {"name": name, "kwargs": kw, "state": spec.get("state")}


def state_keys(name: str, kwargs: dict) -> tuple[str, ...]:
    """The keys of a parameter's state in torch's state dict, for this optimizer and these options."""
    if name == "sgd":
        return ("momentum_buffer",) if kwargs["momentum"] != 0 else ()
    if name in ("adam", "adamw"):
        return ("step", "exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if kwargs["amsgrad"] else ())
    if name == "rmsprop":
        return (
            ("step", "square_avg")
            + (("momentum_buffer",) if kwargs["momentum"] > 0 else ())
            + (("grad_avg",) if kwargs["centered"] else ())
        )
    return ("step", "sum")


class _Param:
    """One parameter: its output name, torch tensor and output shape kind."""

    def __init__(self, name, tensor, kind):
        self.name = name
        self.t = tensor
        self.kind = kind  # "W" | "bias_col" (n x 1) | "bias_row" (flat) | "shared" (0-d)

    def out(self, t=None):
        t = self.t if t is None else t
        t = t.detach()
        return float(t.item()) if self.kind == "shared" else t.tolist()

    def tensor_from(self, value, what):
        """A torch tensor of this parameter's shape from an output-shaped value."""
        import torch

        if self.kind == "shared":
            if not _is_number(value):
                raise ValueError(f"{what}: a shared bias takes a number, got {value!r}")
            return torch.tensor(float(value), dtype=torch.float64)
        t = torch.tensor(value, dtype=torch.float64)
        if self.kind == "bias_col" and t.dim() == 1:  # accept a flat column too
            t = t.reshape(-1, 1)
        if tuple(t.shape) != tuple(self.t.shape):
            raise ValueError(f"{what}: shape {tuple(t.shape)}, expected {tuple(self.t.shape)}")
        return t


def _build(config):
    """Parse the network; returns (meta, params_by_layer, all_params in order)."""
    import torch

    dt = torch.float64
    layout = config["layout"]
    if layout not in ("columns", "rows"):
        raise ValueError(f"layout must be 'columns' or 'rows', got {layout!r}")
    layers = config["layers"]
    if len(layers) < 1:
        raise ValueError("need at least one layer")
    inp = config["input"]
    batched = len(inp) > 0 and isinstance(inp[0], (list, tuple))
    points = [list(p) for p in inp] if batched else [list(inp)]
    n_in = len(points[0])

    per_layer, ordered = [], []
    widths = []
    for l, layer in enumerate(layers, start=1):
        act = layer["activation"]
        activation_spec(act)  # a known activation with known options
        W = torch.tensor(layer["weights"], dtype=dt)
        if W.dim() != 2:
            raise ValueError(f"layer {l}: weights must be a matrix")
        n_out = W.shape[1] if layout == "columns" else W.shape[0]
        want = (n_in, n_out) if layout == "columns" else (n_out, n_in)
        if tuple(W.shape) != want:
            raise ValueError(f"layer {l}: weights have shape {tuple(W.shape)}, expected {want}")
        Wp = _Param(f"W{l}", W.requires_grad_(True), "W")
        raw = layer.get("bias", None)
        bname = _bias_name(layout, l)
        if raw is None or (isinstance(raw, str) and raw.lower() == "none"):
            bp = None
        elif _is_number(raw):
            bp = _Param(bname, torch.tensor(float(raw), dtype=dt, requires_grad=True), "shared")
        elif isinstance(raw, (list, tuple)):
            bias = _flat_bias(raw)
            if len(bias) != n_out:
                raise ValueError(f"layer {l}: {len(bias)} biases for {n_out} units")
            if layout == "columns":
                bp = _Param(bname, torch.tensor([[v] for v in bias], dtype=dt, requires_grad=True), "bias_col")
            else:
                bp = _Param(bname, torch.tensor(bias, dtype=dt, requires_grad=True), "bias_row")
        else:
            raise ValueError(f"layer {l}: cannot interpret bias {raw!r}")
        per_layer.append((act, Wp, bp))
        ordered.append(Wp)
        if bp is not None:
            ordered.append(bp)
        widths.append(n_out)
        n_in = n_out

    loss_name = _lower(config["loss"])
    if loss_name not in LOSSES:
        raise ValueError(f"unknown loss {loss_name!r}")
    out_act = activation_spec(per_layer[-1][0])[0]
    if loss_name == "nll" and out_act not in NLL_OUTPUTS:
        raise ValueError(f"nll needs a softmax or sigmoid output layer, got {out_act!r}")
    labels = config["label"]
    if batched:
        if not isinstance(labels, (list, tuple)) or len(labels) != len(points):
            raise ValueError(f"a batch of {len(points)} points needs a list of {len(points)} labels")
        labels = list(labels)
    else:
        labels = [labels]
    Y = torch.tensor([_target(y, out_act, widths[-1]) for y in labels], dtype=dt)  # B x n_L
    if loss_name == "nll" and out_act == "sigmoid" and bool(((Y < 0) | (Y > 1)).any()):
        raise ValueError("nll with a sigmoid output needs targets in [0, 1]")
    reduction = _lower(config.get("reduction", "mean"))
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    meta = {
        "layout": layout,
        "X": torch.tensor(points, dtype=dt),
        "Y": Y,
        "loss": loss_name,
        "reduction": reduction,
        "relu0": config.get("relu_grad_at_zero", 0),
    }
    return meta, per_layer, ordered


def _loss(meta, per_layer):
    import torch.nn.functional as F

    layout = meta["layout"]
    unit_dim = 0 if layout == "columns" else 1
    a = meta["X"].T.contiguous() if layout == "columns" else meta["X"]
    z = None
    for act, Wp, bp in per_layer:
        z = Wp.t.T @ a if layout == "columns" else a @ Wp.t.T
        if bp is not None:
            z = z + bp.t  # n x 1, flat n, or a 0-d scalar broadcast to every unit
        a = _activate(act, z, unit_dim, meta["relu0"])
    zL = z if layout == "rows" else z.T  # points as rows
    aL = a if layout == "rows" else a.T
    Y, name, out_act = meta["Y"], meta["loss"], activation_spec(per_layer[-1][0])[0]
    if name == "nll" and out_act == "softmax":
        per_point = -(Y * F.log_softmax(zL, dim=1)).sum(dim=1)
    elif name == "nll":
        per_point = F.binary_cross_entropy_with_logits(zL, Y, reduction="none").sum(dim=1)
    elif name == "squared":
        per_point = ((aL - Y) ** 2).sum(dim=1)
    elif name == "half_squared":
        per_point = 0.5 * ((aL - Y) ** 2).sum(dim=1)
    else:  # mse
        per_point = ((aL - Y) ** 2).mean(dim=1)
    return per_point.mean() if meta["reduction"] == "mean" else per_point.sum()


def _scalar_dtype():
    import torch

    try:
        from torch.optim.optimizer import _get_scalar_dtype

        return _get_scalar_dtype()
    except ImportError:  # pragma: no cover
        return torch.float32


def _load_state(opt, spec, trained):
    """Put a starting state (keyed as torch's state dict) into ``opt``, one entry per trained parameter."""
    import torch

    state = spec["state"]
    if state is None:
        return
    if not isinstance(state, dict):
        raise ValueError("optimizer.state must be a mapping")
    keys = state_keys(spec["name"], spec["kwargs"])
    if not keys:
        if state:
            raise ValueError("plain sgd (momentum 0) has no state")
        return
    if set(state) != set(keys):
        raise ValueError(f"{spec['name']} state: keys {sorted(state)}, expected {sorted(keys)}")
    names = sorted(p.name for p in trained)
    for key in keys:
        if key == "step":
            step = state["step"]
            if not (_is_number(step) and float(step) == int(step) and step >= 0):
                raise ValueError(f"optimizer.state.step must be a whole number >= 0, got {step!r}")
            continue
        if not isinstance(state[key], dict) or sorted(state[key]) != names:
            raise ValueError(f"optimizer.state.{key} must map every trained parameter ({names}) to a value")
    for p in trained:
        st = opt.state[p.t]
        for key in keys:
            # one step tensor per parameter (torch increments each in place)
            st[key] = (
                torch.tensor(float(state["step"]), dtype=_scalar_dtype())
                if key == "step"
                else p.tensor_from(state[key][p.name], f"{key}.{p.name}")
            )


def _dump_state(opt, spec, trained):
    """The state after a step, keyed as torch's state dict (``step`` one number for every parameter)."""
    keys = state_keys(spec["name"], spec["kwargs"])
    out = {}
    for key in keys:
        if key == "step":
            steps = {int(opt.state[p.t]["step"].item()) for p in trained}
            assert len(steps) == 1, steps
            out["step"] = steps.pop()
        else:
            out[key] = {p.name: p.out(opt.state[p.t][key]) for p in trained}
    return out


# --------------------------------------------------------------------- main
def torch_train(config: dict) -> dict:
    import torch

    meta, per_layer, ordered = _build(config)
    lr = float(config["learning_rate"])
    steps = config.get("steps", 1)
    if not (_is_int(steps) and steps >= 1):
        raise ValueError(f"steps must be a whole number >= 1, got {steps!r}")

    names = [p.name for p in ordered]
    freeze = config.get("freeze") or []
    if isinstance(freeze, str):
        freeze = [freeze]
    for n in freeze:
        if n not in names:
            raise ValueError(f"freeze: unknown parameter {n!r} (parameters: {names})")
    trained = [p for p in ordered if p.name not in freeze]
    if not trained:
        raise ValueError("every parameter is frozen: nothing to train")

    opt_spec = _parse_optimizer(config.get("optimizer"))
    cls = {
        "sgd": torch.optim.SGD,
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
        "rmsprop": torch.optim.RMSprop,
        "adagrad": torch.optim.Adagrad,
    }[opt_spec["name"]]
    opt = cls([p.t for p in trained], lr=lr, foreach=False, **opt_spec["kwargs"])
    _load_state(opt, opt_spec, trained)

    # gradients listed from the output layer back, as in the one-step trace
    grad_order = []
    for _act, Wp, bp in reversed(per_layer):
        grad_order.append(Wp)
        if bp is not None:
            grad_order.append(bp)

    losses, grads, params, states = [], [], [], []
    for _ in range(steps):
        for p in ordered:
            p.t.grad = None
        loss = _loss(meta, per_layer)
        loss.backward()
        losses.append(float(loss.item()))
        # recorded before opt.step(): the raw dL/dparam, no weight decay
        grads.append({p.name: p.out(p.t.grad) for p in grad_order})
        opt.step()
        params.append({p.name: p.out() for p in ordered})
        states.append(_dump_state(opt, opt_spec, trained))

    with torch.no_grad():
        loss_after = float(_loss(meta, per_layer).item())

    return {"losses": losses, "grads": grads, "params": params, "states": states, "loss_after": loss_after}
