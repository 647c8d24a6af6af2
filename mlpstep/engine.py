"""Training steps: forward pass, loss, backpropagation, the optimizer's update. Pure NumPy, float64.

Inside, every layer is in column form whatever the layout: ``W`` is
``(n_in, n_out)``, activations are ``(n, batch)`` and ``z = W.T @ a + b``.
The rows layout reaches it through transposed views, so nothing is copied.
Parameters travel between steps by name, in the output's shapes.

Memory: the step a trace shows writes every array it keeps into one new block (``Block``),
which the trace then owns. The steps nobody is shown write their work (z, a and the gradients)
into arrays kept from run to run for networks of the same shapes, and their parameters and
optimizer state into two blocks of the run's, each step reading one and writing the other;
they skip what only a shown step needs (names, sums proving every array finite). A loop
neither allocates nor faults pages in as it goes.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .errors import NumericError, OptionError
from .model import SECTIONS, Problem, Trace, bias_in_layout, bias_name, weight_name


def step(problem: Problem, show: int = 1) -> Trace:
    """Run ``problem.steps`` steps on the same data; the trace holds every intermediate of step ``show``."""
    if not 1 <= show <= problem.steps:
        raise OptionError("show step", f"{show} is not one of the steps 1 to {problem.steps}")
    run = _Run(problem)
    params, state = run.start, {name: dict(values) for name, values in problem.state.items()}
    losses = []
    with np.errstate(all="ignore"):  # overflow is reported below, by name
        for k in range(1, problem.steps + 1):
            if k == show:
                shown = run.shown_step(params, state)
                loss, params, state = shown.loss, shown.updated, shown.state
            else:
                loss, params, state = run.step(params, state, run.spare(k))
            losses.append(loss)
        final_loss = run.loss(params)
        run.done()
        finite = np.isfinite(shown.checksum) and np.isfinite(_sum_of(params, state))
    trace = Trace(
        problem=problem,
        forward=shown.forward,
        loss=shown.loss,
        grads=shown.grads,
        updated=shown.updated,
        params=shown.params,
        loss_after=losses[show] if show < problem.steps else final_loss,
        state=shown.state,
        losses=losses,
        final=params,
        final_loss=final_loss,
        final_state=state,
        shown=show,
    )
    _check_losses(trace)
    if not finite:  # some array holds an inf or a nan (or a sum overflowed): name the first
        _check_arrays(trace)
    return trace


def initial_params(problem: Problem) -> dict[str, np.ndarray]:
    """The parameters as the config gives them, named and shaped as in the output."""
    params = {}
    for l, layer in enumerate(problem.layers, 1):
        params[weight_name(l)] = layer.weights
        if layer.bias_mode == "shared":
            params[bias_name(l, problem.layout)] = np.array(layer.bias[0])
        elif layer.bias_mode == "units":
            params[bias_name(l, problem.layout)] = bias_in_layout(layer.bias, problem.layout)
    return params


def column_form(problem: Problem, params: dict) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weights as ``(n_in, n_out)`` and biases as ``(n_out,)`` for the computation."""
    columns = problem.layout == "columns"
    weights, biases = [], []
    for l, layer in enumerate(problem.layers, 1):
        w = params[weight_name(l)]
        weights.append(w if columns else w.T)
        b = params.get(bias_name(l, problem.layout))
        biases.append(layer.bias if b is None else np.broadcast_to(b.reshape(-1), layer.bias.shape))
    return weights, biases


def forward(problem: Problem, params: dict, override: tuple[str, int, np.ndarray] | None = None):
    """The forward pass with ``params`` (named and shaped as in the output): every z, every a
    (``activations[0]`` is x), in column form ``(n, batch)``, and the loss. ``override`` =
    ``("z" or "a", l, value)`` puts ``value`` (column form) in place of z_l or a_l, the rest computed
    from there: what gradcheck perturbs."""
    zs, activations = [], [problem.x]
    loss = _Run(problem).forward(params, zs, activations, override=override)
    return zs, activations, loss


class Block:
    """Arrays carved one after another out of one allocation, each on a 64-byte boundary.

    A step's arrays live and die together; made as one block, freed memory is kept for the
    next step instead of going back to the system page by page (glibc raises its mmap and
    trim thresholds to the largest block freed), and NumPy asks for huge pages for it.
    """

    def __init__(self, shapes: list[tuple[int, ...]]):
        self.memory = np.empty(sum(_padded(shape) for shape in shapes))
        self.used = 0

    def take(self, shape: tuple[int, ...], like: np.ndarray | None = None) -> np.ndarray:
        """An array of ``shape``, in the memory order of ``like`` (C order without it)."""
        transposed = like is not None and like.ndim == 2 and like.flags.f_contiguous and not like.flags.c_contiguous
        size = math.prod(shape)
        part = self.memory[self.used : self.used + size]
        self.used += _padded(shape)
        return part.reshape(shape[::-1]).T if transposed else part.reshape(shape)


def _padded(shape: tuple[int, ...]) -> int:
    return -(-math.prod(shape) // 8) * 8  # whole 64-byte lines


class _Arrays(NamedTuple):
    """Where a step writes, by layer from 0: z, a, dL/dz, dL/da (of the layer's input; None for
    the first), dL/dW and dL/db, then by parameter the updated value and the optimizer's state."""

    z: list
    a: list
    dz: list
    da: list
    dw: list
    db: list
    params: dict  # name: {"param": array, state key: array}


class _Shown(NamedTuple):
    params: dict  # before the update
    forward: dict
    loss: float
    grads: dict
    updated: dict
    state: dict  # the optimizer's, after the update
    checksum: float  # the sum of every array above: finite only if each of their entries is


_WORK: dict = {}
"""The last run's work arrays of unshown steps, by the network's shapes: the next run of the same
shapes takes them (``dict.pop``: two threads never share them)."""


class _Run:
    """One call of ``step``: what all its steps share, worked out once, and the memory of the
    steps nobody is shown, made at the first of them and reused (two sets of parameters and
    optimizer state, each step reading one and writing the other)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.rows = problem.layout == "rows"
        self.start = initial_params(problem)
        self.trained = [name for name in self.start if name not in problem.freeze]
        self.layers = []  # (activation, weight's name, bias's name or None, the bias column if fixed)
        for l, layer in enumerate(problem.layers, 1):
            name = bias_name(l, problem.layout) if layer.bias_mode != "none" else None
            self.layers.append((layer.activation, weight_name(l), name, layer.bias[:, None]))
        self.scale = problem.batch_size if problem.reduction == "mean" and problem.batch_size > 1 else 0
        optimizer = problem.optimizer
        self.state_keys = [key for key in optimizer.state_keys if key != "step"] if optimizer.keeps_state else []
        self.shapes = (tuple(problem.sizes), problem.batch_size)
        self.spares = [None, None]  # the reused arrays of even and odd unshown steps

    def spare(self, k: int) -> _Arrays:
        """The reused arrays of unshown step ``k``: the work of every such step, and the parameters
        and state of odd or even steps, made when first needed."""
        arrays = self.spares[k % 2]
        if arrays is None:
            other = self.spares[1 - k % 2]
            work = other if other is not None else _WORK.pop(self.shapes, None) or self._arrays(params=False)
            arrays = self.spares[k % 2] = work._replace(params=self._arrays(work=False).params)
        return arrays

    def done(self) -> None:
        """Keep the work arrays of unshown steps for the next run (the last network's only):
        the parameters and state stay where they are, the trace's final ones among them."""
        work = self.spares[0] or self.spares[1]
        if work is not None:
            _WORK.clear()
            _WORK[self.shapes] = work._replace(params={})

    def _arrays(self, work: bool = True, params: bool = True) -> _Arrays:
        """New arrays for a step, all in one block: its work, its parameters and state, or both."""
        n, batch = self.problem.sizes, self.problem.batch_size
        kinds = []  # (which list of _Arrays, shape) in the block's order
        for l in range(1, len(n)) if work else ():
            kinds += [(0, (n[l], batch)), (1, (n[l], batch)), (2, (n[l], batch))]
            kinds += [(3, (n[l - 1], batch) if l > 1 else None), (4, (n[l - 1], n[l])), (5, (n[l],))]
        keys = ("param", *self.state_keys)
        slots = [(name, key) for name in self.trained for key in keys] if params else []
        block = Block([shape for _, shape in kinds if shape] + [self.start[name].shape for name, _ in slots])
        lists = [[], [], [], [], [], []]
        for kind, shape in kinds:
            lists[kind].append(block.take(shape) if shape else None)
        named = {name: {} for name in self.trained} if params else {}
        for name, key in slots:
            named[name][key] = block.take(self.start[name].shape, like=self.start[name])
        return _Arrays(*lists, named)

    def bias(self, params: dict, l: int) -> np.ndarray:
        """Layer l's bias (from 0) as a column to add to z."""
        _, _, name, fixed = self.layers[l]
        b = params.get(name) if name else None
        if b is None:  # no bias, or one not given (carry-forward's partial parameters)
            return fixed
        return b[:, None] if self.rows and b.ndim == 1 else b  # (n, 1), or a shared number

    def forward(self, params: dict, zs: list, activations: list, into=None, override=None, in_place=False):
        """Every z and a, appended to ``zs`` and ``activations`` (which start with x), written ``into``
        arrays when given; the loss. ``in_place``: only the loss is wanted, each hidden a overwrites its z."""
        p, a, last = self.problem, activations[-1], len(self.layers) - 1
        for l, (f, weight, _, _) in enumerate(self.layers):
            if override is not None and override[:2] == ("z", l + 1):
                z = override[2]
            else:
                w = params[weight]
                z = np.matmul(w if self.rows else w.T, a, out=into and into.z[l])  # (n_out, batch)
                z += self.bias(params, l)
            if override is not None and override[:2] == ("a", l + 1):
                a = override[2]
            else:
                a = f.value(z, out=into.a[l] if into else z if in_place and l < last else None)
            zs.append(z)
            activations.append(a)
        total = np.add.reduce(p.loss.value(z, a, p.y, p.layers[-1].activation))  # over the batch
        return float(total / p.batch_size if p.reduction == "mean" else total)  # as .mean() and .sum()

    def loss(self, params: dict) -> float:
        """The loss with ``params``, in the reused arrays when there are some."""
        into = self.spares[0] or self.spares[1]
        return self.forward(params, [], [self.problem.x], into, in_place=into is None)

    def step(self, params: dict, state: dict, into: _Arrays | None = None, kept: list | None = None):
        """One step from ``params``: (the loss, the updated parameters, the optimizer's state).
        ``kept``, when given, receives [zs, activations, dzs, das, dws, dbs], by layer from 0."""
        p, layers = self.problem, self.problem.layers
        zs, activations = [], [p.x]
        loss = self.forward(params, zs, activations, into)
        dz = p.loss.grad_z(zs[-1], activations[-1], p.y, layers[-1].activation)  # (n_out, batch)
        if self.scale:
            dz /= self.scale
        dzs, das, dws, dbs = [None] * len(layers), [None] * len(layers), [None] * len(layers), [None] * len(layers)
        for l in range(len(layers) - 1, -1, -1):
            dzs[l] = dz
            dws[l] = np.matmul(activations[l], dz.T, out=into and into.dw[l])  # (n_in, n_out)
            dbs[l] = np.add.reduce(dz, axis=1, out=into and into.db[l])  # (n_out,): dz.sum(axis=1)
            if l:
                w = params[self.layers[l][1]]
                das[l] = np.matmul(w.T if self.rows else w, dz, out=into and into.da[l])  # (n_in, batch)
                dz = layers[l - 1].activation.backward(zs[l - 1], activations[l], das[l], out=into and into.dz[l - 1])
        grads = self._param_grads(dws, dbs)
        updated, new_state = dict(params), {}
        for name in self.trained:
            out = into.params[name] if into is not None else None
            updated[name], new_state[name] = p.optimizer.update(
                params[name], grads[name], state.get(name, {}), p.learning_rate, out
            )
        if kept is not None:
            kept += [zs, activations, dzs, das, dws, dbs]
        return loss, updated, new_state if p.optimizer.keeps_state else {}

    def _param_grads(self, dws: list, dbs: list) -> dict:
        """dL/dW and dL/db by name, in the output's shapes, last layer first."""
        grads = {}
        for l in range(len(self.layers) - 1, -1, -1):
            _, weight, bias, _ = self.layers[l]
            grads[weight] = dws[l].T if self.rows else dws[l]
            mode = self.problem.layers[l].bias_mode
            if mode == "units":
                grads[bias] = bias_in_layout(dbs[l], self.problem.layout)
            elif mode == "shared":  # one bias feeds every unit: its gradient is their sum
                grads[bias] = np.array(dbs[l].sum())
        return grads

    def shown_step(self, params: dict, state: dict) -> _Shown:
        """The step a trace shows: every array in a new block of its own, named."""
        into = self._arrays()
        if params is not self.start:  # a later step: its parameters now sit in reused memory
            params = {name: _copy(value) for name, value in params.items()}
            state = {name: {key: _copy(value) for key, value in values.items()} for name, values in state.items()}
        kept = []
        loss, updated, new_state = self.step(params, state, into, kept)
        zs, activations, dzs, das, dws, dbs = kept
        out = (lambda m: m.T) if self.rows else (lambda m: m)  # activations and weights in the config's layout
        forward = {}
        for l in range(len(self.layers)):
            forward[f"z{l + 1}"], forward[f"a{l + 1}"] = out(zs[l]), out(activations[l + 1])
        grads = {}
        for l in range(len(self.layers) - 1, -1, -1):
            grads[f"z{l + 1}"] = out(dzs[l])
            if l:
                grads[f"a{l}"] = out(das[l])
        grads.update(self._param_grads(dws, dbs))
        # dL/da is finite where dL/dz is (f' is finite), and dL/dW where the update is, unless frozen
        frozen = [dws[l] for l, (_, weight, _, _) in enumerate(self.layers) if weight in self.problem.freeze]
        checksum = _total(zs) + _total(dbs) + _total(frozen) + _sum_of(updated, new_state)
        return _Shown(params, forward, loss, grads, updated, new_state, checksum)


def _copy(value):
    return value.copy(order="K") if isinstance(value, np.ndarray) else value  # same memory order: same rounding


def _total(arrays: list) -> float:
    return sum(float(np.sum(m)) for m in arrays)


def _sum_of(params: dict, state: dict) -> float:
    """The sum of every parameter and state array: finite only if each of their entries is."""
    return _total(list(params.values())) + sum(_total(list(values.values())) for values in state.values())


def _check_losses(trace: Trace) -> None:
    for name, value in (
        ("loss", trace.loss),
        ("loss_after", trace.loss_after),
        ("final_loss", trace.final_loss),
        *enumerate(trace.losses, 1),
    ):
        if not np.isfinite(value):
            where = name if isinstance(name, str) else f"the loss at step {name}"
            raise NumericError(f"{where} overflows float64; use smaller weights, inputs or learning rate")


def _check_arrays(trace: Trace) -> None:
    seen = set()
    for section in (*SECTIONS, "final"):
        for name, value in getattr(trace, section).items():
            if (section == "forward" and name[0] == "a") or id(value) in seen:
                continue  # a = f(z) is finite where z is; after one step, final is updated
            seen.add(id(value))
            if not _finite(value):
                raise NumericError(
                    f"{section}.{name} overflows float64 (inf or nan); use smaller weights, inputs or learning rate"
                )
    for name, values in (*trace.state.items(), *trace.final_state.items()):
        for key, value in values.items():
            if not _finite(value):
                raise NumericError(f"optimizer_state.{key}.{name} overflows float64; use a smaller learning rate")


def _finite(value) -> bool:
    """Every entry finite. A finite sum proves it without a boolean array (any inf or nan
    makes the sum inf or nan); only a sum that overflows needs the entries checked."""
    with np.errstate(all="ignore"):
        return bool(np.isfinite(np.sum(value))) or bool(np.isfinite(value).all())
