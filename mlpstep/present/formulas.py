"""The formula behind every entry of a trace, in the config's layout notation."""

from __future__ import annotations

from ..model import Problem, bias_name, param_shapes, weight_name


def formulas(problem: Problem) -> dict[str, dict[str, str]]:
    """``{"forward": {"z1": "W1ᵀ x + w10", ...}, "loss": {...}, "grads": ..., "updated": ...}``."""
    columns = problem.layout == "columns"
    L = len(problem.layers)
    batch = problem.batch_size
    per_batch = f" / {batch}" if problem.reduction == "mean" and batch > 1 else ""

    def prev(l: int) -> str:
        return "x" if l == 1 else f"a{l - 1}"

    forward, grads = {}, {}
    for l, layer in enumerate(problem.layers, 1):
        W, b = weight_name(l), bias_name(l, problem.layout)
        z = f"{W}ᵀ {prev(l)}" if columns else f"{prev(l)} {W}ᵀ"
        forward[f"z{l}"] = z if layer.bias_mode == "none" else f"{z} + {b}"
        forward[f"a{l}"] = layer.activation.formula(f"z{l}")

    output = problem.layers[-1].activation
    grads[f"z{L}"] = problem.loss.grad_formula(f"a{L}", f"z{L}", problem.sizes[-1], output, per_batch)
    for l in range(L - 1, 0, -1):
        W = weight_name(l + 1)
        grads[f"a{l}"] = f"{W} dL/dz{l + 1}" if columns else f"dL/dz{l + 1} {W}"
        grads[f"z{l}"] = problem.layers[l - 1].activation.through(f"dL/da{l}", f"z{l}")
    summed = "Σ_points " if batch > 1 else ""
    for l in range(L, 0, -1):
        grads[weight_name(l)] = f"{prev(l)} (dL/dz{l})ᵀ" if columns else f"(dL/dz{l})ᵀ {prev(l)}"
        mode = problem.layers[l - 1].bias_mode
        if mode != "none":
            grads[bias_name(l, problem.layout)] = ("Σ_units " if mode == "shared" else "") + f"{summed}dL/dz{l}"
    grads = {name: f"dL/d{name} = {text}" for name, text in grads.items()}
    updated = {name: update_formula(problem, name) for name in param_shapes(problem.layers, problem.layout)}

    reduction = f", {problem.reduction} over {batch} points" if batch > 1 else ""
    loss = f"{problem.loss.name}(a{L}, y){reduction}"
    return {
        "forward": {name: f"{name} = {text}" for name, text in forward.items()},
        "loss": {"loss": f"L = {loss}"},
        "grads": grads,
        "updated": {name: f"{name} ← {text}" for name, text in updated.items()},
    }


def update_formula(problem: Problem, name: str) -> str:
    """How the optimizer turns ``name`` into its updated value."""
    if name in problem.freeze:
        return f"{name} (frozen)"
    return problem.optimizer.formula(name, f"{problem.learning_rate!r}")
