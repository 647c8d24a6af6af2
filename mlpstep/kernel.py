"""The computation of a training step in column form, and the memory its arrays live in (for engine.step).

The step a trace shows writes every array it keeps into one new block (``Block``), which the
trace then owns. The steps nobody is shown write their work (z, a and the gradients) into
arrays kept from run to run for networks of the same shapes, and their parameters and
optimizer state into two blocks of the run's, each step reading one and writing the other;
they skip what only a shown step needs (names, sums proving every array finite). A loop
neither allocates nor faults pages in as it goes.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .model import Problem, bias_in_layout, bias_name, weight_name


class Block:
    """Arrays carved one after another out of one allocation, each on a 64-byte boundary.

    A step's arrays live and die together; made as one block, freed memory is kept for the
    next step instead of going back to the system page by page (glibc raises its mmap and
    trim thresholds to the largest block freed), and NumPy asks for huge pages for it.
    """

    def __init__(self, shapes: list[tuple[int, ...]]):
        self.memory = np.empty(sum(padded(shape) for shape in shapes))
        self.used = 0
        self.starts = {}  # id of each array taken: where it starts

    def run(self, arrays) -> np.ndarray | None:
        """The memory from the first of ``arrays`` (taken one after another) to the end of the last, flat."""
        arrays = list(arrays)
        if not arrays:
            return None
        return self.memory[self.starts[id(arrays[0])] : self.starts[id(arrays[-1])] + arrays[-1].size]

    def take(self, shape: tuple[int, ...], like: np.ndarray | None = None) -> np.ndarray:
        """An array of ``shape``, in the memory order of ``like`` (C order without it)."""
        transposed = like is not None and like.ndim == 2 and like.flags.f_contiguous and not like.flags.c_contiguous
        size = math.prod(shape)
        part = self.memory[self.used : self.used + size]
        array = part.reshape(shape[::-1]).T if transposed else part.reshape(shape)
        self.starts[id(array)] = self.used
        self.used += padded(shape)
        return array


def padded(shape: tuple[int, ...]) -> int:
    return -(-math.prod(shape) // 8) * 8  # whole 64-byte lines


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


class Arrays(NamedTuple):
    """Where a step writes, by layer from 0: z, a, dL/dz, dL/da (of the layer's input; None for
    the first), dL/dW and dL/db; then by parameter its updated value and optimizer state."""

    z: list
    a: list
    dz: list
    da: list
    dw: list
    db: list
    params: dict  # name: {"param": array, state key: array}
    updated: dict  # every parameter after the step: the arrays above, and the config's frozen ones
    columns: tuple | None  # those parameters in column form (Run.columns), for the step after
    shared: list  # (layer, its shared bias's gradient: a number in the gradients' run)
    grads: np.ndarray | None  # the trained parameters' gradients, one after another, flat
    flat: np.ndarray | None  # their updated values, laid out alike (None when state is kept)


class Shown(NamedTuple):
    params: dict  # before the update
    forward: dict
    loss: float
    grads: dict
    updated: dict
    state: dict  # the optimizer's, after the update
    checksum: float  # the sum of every array above: finite only if each of their entries is


PARAMS = ("params", "updated", "columns", "flat")
"""The fields of Arrays that belong to one set of parameters, not to a step's work."""

WORK: dict = {}
"""The last run's work arrays of unshown steps, by the network's shapes: the next run of the same
shapes takes them (``dict.pop``: two threads never share them)."""


class Run:
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
        self.weights = {weight for _, weight, _, _ in self.layers}
        self.activations = [layer.activation for layer in problem.layers]
        self.last, self.loss_of, self.y = len(problem.layers) - 1, problem.loss, problem.y
        self.down = range(len(problem.layers) - 1, -1, -1)
        self.points = problem.batch_size if problem.reduction == "mean" else 0  # what the loss is divided by
        self.scale = problem.batch_size if problem.reduction == "mean" and problem.batch_size > 1 else 0
        optimizer = problem.optimizer
        self.state_keys = [key for key in optimizer.state_keys if key != "step"] if optimizer.keeps_state else []
        self.signature = (tuple(problem.sizes), problem.batch_size, problem.layout, tuple(self.trained),
                          tuple(layer.bias_mode for layer in problem.layers))  # fmt: skip
        # sgd without state updates all parameters at once where each gradient lies as its parameter
        self.flat = not optimizer.keeps_state and bool(self.trained) and not self.rows
        self.flat = self.flat and all(self.start[name].flags.c_contiguous for name in self.trained)
        self.spares = [None, None]  # the reused arrays of even and odd unshown steps
        self.steppers = [None, None]  # and their steps, each with all it needs bound

    def spare(self, k: int) -> Arrays:
        """The reused arrays of unshown step ``k``: the work of every such step, and the parameters
        and state of odd or even steps, made when first needed."""
        arrays = self.spares[k % 2]
        if arrays is None:
            other = self.spares[1 - k % 2]
            work = other if other is not None else WORK.pop(self.signature, None) or self._arrays(params=False)
            mine = self._arrays(work=False)
            mine = mine._replace(columns=self.columns(mine.updated))
            arrays = self.spares[k % 2] = work._replace(**{key: getattr(mine, key) for key in PARAMS})
        return arrays

    def quiet_steps(self, first: int, last: int, params: dict, state: dict, losses: list) -> tuple[dict, dict]:
        """Unshown steps ``first`` to ``last``, each loss appended to ``losses``: the parameters and
        state after them. Once the first three have settled where the parameters live and made
        both steppers, the loop only calls the two in turn."""
        for k in range(first, min(first + 3, last + 1)):
            loss, params, state = self.quiet_step(k, params, state)
            losses.append(loss)
        steppers, spares, append = self.steppers, self.spares, losses.append
        for k in range(first + 3, last + 1):
            loss, params, state = steppers[k % 2](spares[1 - k % 2].updated, state)
            append(loss)
        return params, state

    def quiet_step(self, k: int, params: dict, state: dict):
        """Unshown step ``k``, in reused arrays, by a stepper made once for the odd and once for the
        even steps, each reading the other's parameters. Parameters from elsewhere (the config's, a
        shown step's) are copied there first when plain sgd updates them all at once in one flat
        run; otherwise such a step runs by itself."""
        into = self.spares[k % 2] or self.spare(k)
        source = self.spares[1 - k % 2] or self.spare(k + 1)
        if params is not source.updated:
            if not self.flat:
                return self.step(params, state, into)
            for name in self.trained:
                np.copyto(source.params[name]["param"], params[name])
        if self.steppers[k % 2] is None:
            self.steppers[k % 2] = self.stepper(into, source.columns, source.flat if self.flat else None)
        return self.steppers[k % 2](source.updated, state)

    def done(self) -> None:
        """Keep the work arrays of unshown steps for the next run (the last network's only):
        the parameters and state stay where they are, the trace's final ones among them. The
        steppers go: they refer to the run, a cycle only the garbage collector would break, late."""
        self.steppers = [None, None]
        work = self.spares[0] or self.spares[1]
        if work is not None:
            WORK.clear()
            WORK[self.signature] = work._replace(**dict.fromkeys(PARAMS))

    def _arrays(self, work: bool = True, params: bool = True) -> Arrays:
        """New arrays for a step, all in one block: its work, its parameters and state, or both.
        The trained parameters' gradients lie one after another, as do their updated values."""
        n, batch, names = self.problem.sizes, self.problem.batch_size, set(self.trained)
        wanted = []  # (key, shape, memory order like) in the block's order
        for l in range(1, len(n)) if work else ():
            wanted += [(("z", l), (n[l], batch), None), (("a", l), (n[l], batch), None)]
            wanted += [(("dz", l), (n[l], batch), None)] + [(("da", l), (n[l - 1], batch), None)] * (l > 1)
        grads = [(name, self._grad_shape(name)) for name in self.trained] if work else []
        wanted += [(("grad", name), shape, None) for name, shape in grads]
        for l, (_, weight, bias, _) in enumerate(self.layers, 1) if work else ():
            wanted += [(("dw", l), (n[l - 1], n[l]), None)] * (weight not in names)
            wanted += [(("db", l), (n[l],), None)] * (bias not in names or self._grad_shape(bias) == ())
        keys = ("param", *self.state_keys) if params else ()
        wanted += [((key, name), self.start[name].shape, self.start[name]) for name in self.trained for key in keys]
        block = Block([shape for _, shape, _ in wanted])
        got = {key: block.take(shape, like) for key, shape, like in wanted}
        grad_run = block.run(got["grad", name] for name, _ in grads)
        param_run = block.run(got["param", name] for name in self.trained) if params else None
        arrays = Arrays([], [], [], [], [], [], {}, dict(self.start), None, [], None, None)
        for l, (_, weight, bias, _) in enumerate(self.layers, 1) if work else ():
            for kind in ("z", "a", "dz", "da"):
                getattr(arrays, kind).append(got.get((kind, l)))
            arrays.dw.append(got.get(("grad", weight), got.get(("dw", l))))
            arrays.db.append(got.get(("db", l), got.get(("grad", bias))))
            if bias in names and self._grad_shape(bias) == ():
                arrays.shared.append((l - 1, got["grad", bias]))
        for name in self.trained if params else ():
            arrays.params[name] = {key: got[key, name] for key in keys}
            arrays.updated[name] = got["param", name]
        return arrays._replace(grads=grad_run, flat=param_run)

    def _grad_shape(self, name: str) -> tuple[int, ...]:
        """The shape a trained parameter's gradient is computed in: dL/dW ``(n_in, n_out)``, dL/db
        ``(n,)``, a shared bias's ``()``; the same number of values as the parameter."""
        value = self.start[name]
        if name in self.weights:
            return value.shape if not self.rows else value.shape[::-1]
        return (value.size,) if value.ndim else ()

    def columns(self, params: dict) -> tuple[list, list]:
        """Each layer's weights ``(n_in, n_out)`` and bias as a column to add to z (or a shared number)."""
        weights = [params[weight].T if self.rows else params[weight] for _, weight, _, _ in self.layers]
        return weights, [self.bias(params, l) for l in range(len(self.layers))]

    def bias(self, params: dict, l: int) -> np.ndarray:
        """Layer l's bias (from 0) as a column to add to z."""
        _, _, name, fixed = self.layers[l]
        b = params.get(name) if name else None
        if b is None:  # no bias, or one not given (carry-forward's partial parameters)
            return fixed
        return b[:, None] if self.rows and b.ndim == 1 else b  # (n, 1), or a shared number

    def forward(self, columns: tuple, zs: list, activations: list, into=None, override=None, in_place=False):
        """The forward pass (``forwarder``) once."""
        return self.forwarder(columns, into, in_place)(zs, activations, override)

    def forwarder(self, columns: tuple, into=None, in_place: bool = False):
        """The forward pass with all it needs bound: ``(zs, activations, override=None, sums=None) ->
        loss``. Every z and a is appended to ``zs`` and ``activations`` (which start with x), written
        ``into`` arrays when given; ``in_place``: only the loss is wanted, each hidden a overwrites its z.
        ``override`` = ("z" or "a", l, value) puts value in place of z_l or a_l (what gradcheck
        perturbs); ``sums`` receives the sum of each z, taken while z is still in cache."""
        fs, last, y, loss_of, points = self.activations, self.last, self.y, self.loss_of, self.points
        nothing = [None] * len(fs)
        layers = list(enumerate(zip(fs, [w.T for w in columns[0]], columns[1], into.z if into else nothing,
                                    into.a if into else nothing)))  # fmt: skip
        matmul, add_reduce = np.matmul, np.add.reduce

        def forward(zs: list, activations: list, override=None, sums: list | None = None) -> float:
            a, per_point = activations[-1], None
            for l, (f, w_t, b, z_into, a_into) in layers:
                if override is None or override[:2] != ("z", l + 1):
                    z = matmul(w_t, a, out=z_into)  # (n_out, batch)
                    z += b
                else:
                    z = override[2]
                if override is not None and override[:2] == ("a", l + 1):
                    a = override[2]
                elif l < last:
                    a = f.value(z, z if in_place else a_into)
                else:  # the output layer and the loss of each point, sharing their work
                    a, per_point = loss_of.forward(z, y, f, a_into)
                zs.append(z)
                activations.append(a)
                if sums is not None:
                    sums.append(add_reduce(z, axis=None))
            if per_point is None:  # a given for the output layer
                per_point = loss_of.value(z, a, y, fs[-1])
            total = add_reduce(per_point)  # over the batch
            return float(total / points if points else total)  # as .mean() and .sum()

        return forward

    def loss(self, params: dict) -> float:
        """The loss with ``params``, in the reused arrays when there are some."""
        into = self.spares[0] or self.spares[1]
        return self.forward(self.columns(params), [], [self.problem.x], into, in_place=into is None)

    def step(self, params: dict, state: dict, into: Arrays, kept: list | None = None, flat=None, columns=None):
        """One step from ``params`` into ``into``: (the loss, the updated parameters, the optimizer's state)."""
        return self.stepper(into, columns or self.columns(params), flat, kept)(params, state)

    def stepper(self, into: Arrays, columns: tuple, flat=None, kept: list | None = None):
        """A step with all it needs bound, for a loop to call step after step: ``(params, state) ->
        (loss, updated, state)``, from ``params`` (in column form: ``columns``) into ``into``.
        ``kept``, when given, receives [zs, activations, dzs, das, dws, dbs] by layer from 0, the
        parameters' gradients by name, and the sum of every z, updated parameter and state array
        (finite only if each entry is).
        ``flat``: the trained parameters, one after another as their gradients in ``into``."""
        forward, grad_z, x, y, f = (
            self.forwarder(columns, into),
            self.loss_of.grad_z,
            self.problem.x,
            self.y,
            self.activations,
        )
        weights, scale, down = columns[0], self.scale, self.down
        optimizer, lr = self.problem.optimizer, self.problem.learning_rate
        dw, db, da, dz_into, matmul, add_reduce = into.dw, into.db, into.da, into.dz, np.matmul, np.add.reduce
        flat_out = {"param": into.flat}  # where plain sgd writes all the updated parameters at once

        def one(params: dict, state: dict):
            zs, activations = [], [x]
            sums = [] if kept is not None else None  # a shown step proves its arrays finite by their sums
            loss = forward(zs, activations, None, sums)
            dz = grad_z(zs[-1], activations[-1], y, f[-1])  # (n_out, batch)
            if scale:
                dz /= scale
            dzs, das, dws, dbs = [None] * len(f), [None] * len(f), [None] * len(f), [None] * len(f)
            for l in down:  # from the last layer to the first
                dzs[l] = dz
                dws[l] = matmul(activations[l], dz.T, out=dw[l])  # (n_in, n_out)
                dbs[l] = add_reduce(dz, axis=1, out=db[l])  # (n_out,): dz.sum(axis=1)
                if l:
                    das[l] = matmul(weights[l], dz, out=da[l])  # (n_in, batch)
                    dz = f[l - 1].backward(zs[l - 1], activations[l], das[l], dz_into[l - 1])
            if flat is not None:
                for l, total in into.shared:
                    add_reduce(dbs[l], out=total)
                optimizer.update(flat, into.grads, {}, lr, flat_out)
                return loss, into.updated, {}
            grads = self._param_grads(dws, dbs)
            new_state = self._update(params, state, into, grads, sums)
            if kept is not None:
                kept.extend([zs, activations, dzs, das, dws, dbs, grads, float(sum(sums))])
            return loss, into.updated, new_state

        return one

    def _update(self, params: dict, state: dict, into: Arrays, grads: dict, sums: list | None) -> dict:
        """The optimizer's update of every trained parameter, written into ``into``; its new state.
        ``sums`` receives the sum of each new array, taken while it is in cache."""
        p, new_state = self.problem, {}
        for name in self.trained:
            updated, new_state[name] = p.optimizer.update(
                params[name], grads[name], state.get(name, {}), p.learning_rate, into.params[name]
            )
            if sums is not None:
                sums += [np.add.reduce(m, axis=None) for m in (updated, *new_state[name].values())]
        return new_state if p.optimizer.keeps_state else {}

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

    def shown_step(self, params: dict, state: dict) -> Shown:
        """The step a trace shows: every array in a new block of its own, named."""
        into = self._arrays()
        if params is not self.start:  # a later step: its parameters now sit in reused memory
            params = {name: copy(value) for name, value in params.items()}
            state = {name: {key: copy(value) for key, value in values.items()} for name, values in state.items()}
        kept = []
        loss, updated, new_state = self.step(params, state, into, kept)
        zs, activations, dzs, das, dws, dbs, param_grads, sums = kept
        out = (lambda m: m.T) if self.rows else (lambda m: m)  # activations and weights in the config's layout
        forward = {}
        for l in range(len(self.layers)):
            forward[f"z{l + 1}"], forward[f"a{l + 1}"] = out(zs[l]), out(activations[l + 1])
        grads = {}
        for l in range(len(self.layers) - 1, -1, -1):
            grads[f"z{l + 1}"] = out(dzs[l])
            if l:
                grads[f"a{l}"] = out(das[l])
        grads.update(param_grads)
        # dL/da is finite where dL/dz is (f' is finite), and dL/dW where the update is, unless frozen
        frozen = [dws[l] for l, (_, weight, _, _) in enumerate(self.layers) if weight in self.problem.freeze]
        checksum = sums + total(dbs) + total(frozen)  # sums: of each z, and of the trained parameters and state
        return Shown(params, forward, loss, grads, updated, new_state, checksum)


def copy(value):
    return value.copy(order="K") if isinstance(value, np.ndarray) else value  # same memory order: same rounding


def total(arrays: list) -> float:
    return sum(float(np.add.reduce(m, axis=None)) for m in arrays)  # np.sum without its Python wrapper


def sum_of(params: dict, state: dict) -> float:
    """The sum of every parameter and state array: finite only if each of their entries is."""
    return total(list(params.values())) + sum(total(list(values.values())) for values in state.values())
