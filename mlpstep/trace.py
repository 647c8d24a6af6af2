"""The trace of training steps: every intermediate of one step, named as courses name them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import Problem
from .optimizers import settings

SECTIONS = ("forward", "grads", "updated")


def bias_in_layout(b: np.ndarray, layout: str) -> np.ndarray:
    """A bias ``(n,)`` as the output shows it: ``(n, 1)`` in the columns layout, flat in rows."""
    return b[:, None] if layout == "columns" else b


def network_picture(problem: Problem) -> str:
    """One line: ``x(2) -> relu(4) -> softmax(2) -> nll``."""
    parts = [f"x({problem.sizes[0]})"]
    parts += [f"{layer.activation.name}({layer.bias.shape[0]})" for layer in problem.layers]
    return " -> ".join(parts + [problem.loss.name])


@dataclass(eq=False)
class Trace:
    """What ``step`` computed. Matrices are NumPy arrays in the config's layout:

    columns: z and a are ``(n, batch)``, biases ``(n, 1)``;
    rows: z and a are ``(batch, n)``, biases ``(n,)``;
    a shared bias is a number; weights keep the shape they were given in.
    """

    problem: Problem
    forward: dict[str, np.ndarray]  # z1, a1, z2, a2, ...
    loss: float
    grads: dict[str, np.ndarray]  # zL, a(L-1), z(L-1), ..., z1, then WL, bias L, ..., W1, bias 1
    updated: dict[str, np.ndarray]  # W1, bias 1, W2, ...: after this step
    params: dict[str, np.ndarray]  # the same, before this step
    loss_after: float  # the loss with the updated parameters
    state: dict[str, dict]  # the optimizer's state per parameter after this step; {} for plain sgd
    losses: list[float]  # the loss before each step
    final: dict[str, np.ndarray]  # the parameters after the last step
    final_loss: float  # the loss with them
    final_state: dict[str, dict]  # the optimizer's state after the last step
    shown: int = 1  # which step this trace shows

    @property
    def network(self) -> str:
        return network_picture(self.problem)

    @property
    def given(self) -> dict[str, np.ndarray]:
        """What the step starts from: ``x`` (shaped as ``z1``), ``y`` (as the output ``a``; a class
        index one-hot, as the loss sees it), the parameters before this step (as in ``updated``)
        and the learning rate (a number). The optimizer's settings are ``settings(problem.optimizer)``."""
        p = self.problem
        x, y = (p.x, p.y) if p.layout == "columns" else (p.x.T, p.y.T)
        return {"x": x, "y": y, **self.params, "learning_rate": np.array(p.learning_rate)}

    def state_by_key(self, state: dict | None = None) -> dict:
        """The optimizer state (after this step, or ``state``) as JSON shows it:
        ``{"momentum_buffer": {"W1": ...}}`` or ``{"step": t, "exp_avg": {...}, "exp_avg_sq": {...}}``."""
        out: dict = {}
        for name, values in (self.state if state is None else state).items():
            for key, value in values.items():
                if key == "step":
                    out["step"] = value
                else:
                    out.setdefault(key, {})[name] = value
        return out

    def size(self) -> int:
        """How many numbers ``to_dict()`` holds (what ``--json`` writes), counted without making it."""
        arrays = [*self.given.values(), *self.forward.values(), *self.grads.values(), *self.updated.values()]
        arrays += [value for value in settings(self.problem.optimizer).values() if not isinstance(value, (str, bool))]
        states = [self.state]
        if self.problem.steps > 1:
            arrays += [*self.final.values(), *self.losses]
            states.append(self.final_state)
        for state in states:
            for value in self.state_by_key(state).values():  # {"step": t, "exp_avg": {"W1": ...}, ...}
                arrays += value.values() if isinstance(value, dict) else [value]
        scalars = 2 + (2 if self.problem.steps > 1 else 0)  # loss, loss_after; step, final_loss
        return sum(np.size(value) for value in arrays) + scalars

    def to_dict(self) -> dict:
        """Plain Python data, exactly what ``mlpstep run --json`` prints."""

        def plain(section: dict) -> dict:
            return {k: v.tolist() for k, v in section.items()}

        out = {
            "network": self.network,
            "layout": self.problem.layout,
            "given": {**plain(self.given), "optimizer": settings(self.problem.optimizer)},
            "forward": plain(self.forward),
            "loss": self.loss,
            "grads": plain(self.grads),
            "updated": plain(self.updated),
            "loss_after": self.loss_after,
        }
        def state(values: dict) -> dict:
            return {key: value if key == "step" else plain(value) for key, value in self.state_by_key(values).items()}

        if self.state:
            out["optimizer_state"] = state(self.state)
        if self.problem.steps > 1:
            out.update(step=self.shown, losses=self.losses, final=plain(self.final), final_loss=self.final_loss)
            if self.final_state:
                out["final_state"] = state(self.final_state)
        return out
