"""The model: a problem (its layers, data and loss), the trace of a step, and the names of every
quantity (``W1``, ``w10``/``b1``, ``z2.grad``, ``W1n``, JSON paths), in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .functions.activations import Activation
from .functions.losses import Loss
from .optimizers import SGD, Optimizer

SECTIONS = ("forward", "grads", "updated")


# -- names ---------------------------------------------------------------------
def flipped(matrix: np.ndarray, layout: str) -> np.ndarray:
    """A matrix between the engine's column form (one column per point: ``(n, batch)``, weights
    ``(n_in, n_out)``) and ``layout``: itself in the columns layout, transposed in rows. Transposing
    twice is the identity, so it goes either way."""
    return matrix if layout == "columns" else matrix.T


def layer_number(key: str) -> int:
    """The layer (from 1) a quantity or parameter belongs to: ``z2``, ``a2``, ``W2``, ``b2`` -> 2, ``w20`` -> 2."""
    return int(key[1:-1]) if key.startswith("w") else int(key[1:])


def shape_text(shape: tuple[int, ...], scalar: str = "a number") -> str:
    """``2x4`` for a shape, ``scalar`` for a number's ``()``."""
    return "x".join(map(str, shape)) or scalar


def weight_name(l: int) -> str:
    return f"W{l}"


def bias_name(l: int, layout: str) -> str:
    """``w10`` in the columns layout (MIT 6.390), ``b1`` in rows (PyTorch)."""
    return f"w{l}0" if layout == "columns" else f"b{l}"


# -- the problem -------------------------------------------------------------


@dataclass(frozen=True, eq=False, kw_only=True)  # eq: arrays have no single truth value; identity compares
class Layer:
    """One layer as the config gives it."""

    weights: np.ndarray  # as given: (n_in, n_out) in the columns layout, (n_out, n_in) in rows
    bias: np.ndarray  # (n_out,): per unit, one shared value repeated, or zeros for no bias
    activation: Activation
    bias_mode: str = "units"  # units | shared (one bias for the layer) | none


VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
"""When Gradescope shows a question's result to the student (its own values)."""


@dataclass(frozen=True, kw_only=True)
class Question:
    """One answer a config asks for (``ask:``): its name as written, what it is worth, whether
    it earns points in proportion to its correct cells, and when Gradescope shows it."""

    name: str
    points: float = 1.0
    partial: bool = False
    visibility: str = "visible"


@dataclass(frozen=True, eq=False, kw_only=True)
class Problem:
    """A validated config. ``x`` and ``y`` hold one column per point, whatever the layout."""

    layers: tuple[Layer, ...]
    x: np.ndarray  # (n_in, batch)
    y: np.ndarray  # (n_out, batch)
    loss: Loss
    learning_rate: float
    layout: str = "columns"
    reduction: str = "mean"
    relu_grad_at_zero: float = 0.0
    optimizer: Optimizer = SGD()
    freeze: frozenset[str] = frozenset()
    steps: int = 1
    state: dict[str, dict] = field(default_factory=dict)  # optimizer state per parameter, before the first step
    files: tuple[str, ...] = ()  # the array files read for {file: ...} values, as absolute paths
    min_rtol: float | None = None  # grading: the precision floor of check (None: check's default)
    expect: tuple[str, ...] | None = None  # grading: the answer names asked for, ("all",) for every value
    names: dict[str, str] = field(default_factory=dict)  # course names: {"w5": "W2[0][0]", "E_total": "loss"}
    ask: tuple[Question, ...] | None = None  # the questions asked, with their points (None: every answer 1 point)
    carry_forward: str | None = None  # grading: full, half or none (None: check's default, full)

    @property
    def sizes(self) -> list[int]:
        """Widths from the input to the output, e.g. [2, 4, 2]."""
        return [self.x.shape[0]] + [layer.bias.shape[0] for layer in self.layers]

    @property
    def batch_size(self) -> int:
        return self.x.shape[1]


def param_shapes(layers: list[Layer] | tuple[Layer, ...], layout: str) -> dict[str, tuple[int, ...]]:
    """Every parameter's name and its shape in the output, in forward order:
    weights as given; biases n x 1 (columns) or flat (rows), a number when shared, absent when none."""
    shapes = {}
    for l, layer in enumerate(layers, 1):
        shapes[weight_name(l)] = layer.weights.shape
        if layer.bias_mode != "none":
            n = layer.bias.shape[0]
            shapes[bias_name(l, layout)] = (
                () if layer.bias_mode == "shared" else (n, 1) if layout == "columns" else (n,)
            )
    return shapes


# -- the trace of a step ------------------------------------------------------


def bias_in_layout(b: np.ndarray, layout: str) -> np.ndarray:
    """A bias ``(n,)`` as the output shows it: ``(n, 1)`` in the columns layout, flat in rows."""
    return b[:, None] if layout == "columns" else b


def network_picture(problem: Problem) -> str:
    """One line: ``x(2) -> relu(4) -> softmax(2) -> nll``."""
    parts = [f"x({problem.sizes[0]})"]
    parts += [f"{layer.activation.name}({layer.bias.shape[0]})" for layer in problem.layers]
    return " -> ".join(parts + [problem.loss.name])


DISPLAY: dict = {}
"""How a notebook shows a Trace, by format: ``html``, ``markdown``, ``latex`` (each ``f(trace) -> str``)
and ``draw`` (``f(trace, grads, point)``, an object with ``_repr_svg_``). The presentation layer fills
it (``mlpstep.present.notebook.install``, called by ``import mlpstep``'s names): the model imports
nothing above it."""


def _shown(trace: Trace, form: str) -> str | None:
    """``trace`` in ``form``, or None (the front end's next choice) when no presentation is installed."""
    return DISPLAY[form](trace) if form in DISPLAY else None


@dataclass(eq=False, kw_only=True, repr=False)
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

    def __repr__(self) -> str:
        return f"<Trace {self.network}: loss {self.loss:.8g} -> {self.loss_after:.8g}>"

    def _repr_html_(self) -> str | None:
        return _shown(self, "html")

    def _repr_markdown_(self) -> str | None:
        return _shown(self, "markdown")

    def _repr_latex_(self) -> str | None:
        return _shown(self, "latex")

    def draw(self, grads: bool = False, point: int = 0):
        """The network as a diagram with this step's numbers: shown as SVG in a notebook,
        ``.save("net.svg")`` to keep it; ``point`` is the batch's point drawn (from 0)."""
        if "draw" not in DISPLAY:
            raise RuntimeError("import mlpstep (or call mlpstep.present.notebook.install()) to draw")
        return DISPLAY["draw"](self, grads, point)

    @property
    def given(self) -> dict[str, np.ndarray]:
        """What the step starts from: ``x`` (shaped as ``z1``), ``y`` (as the output ``a``; a class
        index one-hot, as the loss sees it), the parameters before this step (as in ``updated``)
        and the learning rate (a number). The optimizer's settings are ``problem.optimizer.settings()``."""
        p = self.problem
        x, y = flipped(p.x, p.layout), flipped(p.y, p.layout)
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
        arrays += [value for value in self.problem.optimizer.settings().values() if not isinstance(value, (str, bool))]
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
            "given": {**plain(self.given), "optimizer": self.problem.optimizer.settings()},
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
