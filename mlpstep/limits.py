"""What one run may cost, checked before the work starts.

A config can ask for more work than any step shown by hand needs: a 10000 x 10000
matrix of zeros fits in an 815 KB .npz file. So every run is priced from its
shapes alone, before a number is computed: its multiply-adds and the bytes of
arrays it holds at once (an elementwise operation counts as the multiply-adds it costs
in time). Past MAX_MADDS or MAX_MEMORY it is refused with what
was asked and what is allowed; ``--allow-large`` (``allow_large=True``) lifts
both for a big job on purpose. Array files are charged against the same memory
as their headers are read, before their data is.
"""

from __future__ import annotations

from .errors import ConfigError, OptionError

MAX_STEPS = 10_000
"""Most training steps one run may take (each costs Python work, however small the network)."""
MAX_LAYERS = 1_000
"""Most layers a network may have: each brings eight answers to grade (about 0.3 ms each, in every
file of a class) and eight tables to draw, however few its units."""
MAX_MADDS = 30_000_000_000
"""Most work one run may do, in multiply-adds of matrix products: measured at this cap (whole runs,
start-up included) on a 2-core AMD EPYC (Zen 5, family 26) with NumPy's OpenBLAS 0.3.31 (Haswell
kernels): 0.6 s for the [784, 512, 512, 10] x 256 step, 1.6 s for the seed's 2-4-2 network on
3,000 points, 1.8 s for one point through 1000 x 1000 weights, 1.3 to 2.4 s for 600 points through
8,000 units of each activation (and nll over 8,000 outputs)."""
MAX_MEMORY = 512 * 1024 * 1024
"""Most bytes of arrays a run may hold at once: parameters, gradients, updates, optimizer state,
the intermediates of the step shown and of the step being computed (those runs at the cap above
peaked at 450 to 520 MB of resident memory, 32 MB of it the interpreter's)."""
ELEMENTWISE = 8
"""What one elementwise operation on one entry costs, in multiply-adds: it streams memory where a
matrix product reuses what is in cache (measured: about 1 ns against 0.13 ns)."""
UPDATE_OPS = (3, 5)
"""Elementwise operations per parameter and step of an update, and more per optimizer state slot."""
LAYER_STEP = 500_000
"""The Python work of one layer in one step (about 60 µs), in multiply-adds."""


def _activation_ops(sizes: list[int], batch: int, costs: list[int], loss_cost: int) -> int:
    """Elementwise operations of one step over every activation (``costs``: each layer's per unit,
    ``Activation.cost``), and the loss's over the outputs (``Loss.cost`` per value)."""
    ops = sum(cost * n for cost, n in zip(costs, sizes[1:]))
    return batch * (ops + loss_cost * sizes[-1])


def forward_cost(sizes: list[int], batch: int, costs: list[int], loss_cost: int = 0) -> int:
    """The work of one forward pass, in multiply-adds: the products, reading every weight once
    (a product of one point streams them), the elementwise work and the Python work per layer."""
    weights = sum(n_in * n_out for n_in, n_out in zip(sizes, sizes[1:]))
    elementwise = weights + _activation_ops(sizes, batch, costs, loss_cost) // 3
    return batch * weights + ELEMENTWISE * elementwise + LAYER_STEP * (len(sizes) - 1)


def run_cost(
    sizes: list[int], batch: int, steps: int, slots: int, costs: list[int], loss_cost: int = 0
) -> tuple[int, int]:
    """(work in multiply-adds, bytes) of ``steps`` steps of a network of widths ``sizes`` whose
    activations cost ``costs`` (see ``_activation_ops``) on ``batch`` points, with an optimizer
    keeping ``slots`` arrays per parameter (momentum 1, Adam 2).

    A step computes three products per layer (z = Wᵀa, dL/dW and dL/da), the elementwise work
    around them and the update; the run adds one forward pass (the loss after the last update).
    It holds the parameters, and for two steps at once (the one shown, the one being computed)
    z, a, dL/dz, dL/da, the gradients, the update and the optimizer's state, and temporaries:
    the factors are measured peaks (resident memory above the interpreter's).
    """
    weights = sum(n_in * n_out for n_in, n_out in zip(sizes, sizes[1:]))
    units = sum(sizes[1:])
    params = weights + units
    elementwise = 3 * weights + (UPDATE_OPS[0] + UPDATE_OPS[1] * slots) * params
    elementwise += _activation_ops(sizes, batch, costs, loss_cost)
    per_step = 3 * batch * weights + ELEMENTWISE * elementwise + LAYER_STEP * (len(sizes) - 1)
    madds = steps * per_step + forward_cost(sizes, batch, costs, loss_cost)
    memory = 8 * (params * (9 + 2 * slots) + 12 * batch * units + batch * (sizes[0] + sizes[-1]))
    return madds, memory


MAX_PRINTED = 5_000_000
"""Most numbers one command may write as JSON, YAML, Markdown or LaTeX: about 2 s and 400 MB."""
MAX_DRAWN = 300_000
"""Most cells one command may draw as terminal tables (rich Text, about 10 µs a cell): about 3 s."""
BLOCK_CELLS = 20
"""What drawing one matrix costs besides its cells (its frame and title), in cells."""
LINE_CELLS = 20
"""What one worked line of --explain costs, in cells or numbers (a sum of up to six products and
its result; working it out takes about as long as drawing them)."""


def check_output(
    numbers: int,
    limit: int,
    what: str,
    allow_large: bool = False,
    fix: str = "pick parts with --only (or leave out --full), or add --allow-large",
) -> None:
    """Refuse to write ``numbers`` numbers past ``limit`` (MAX_PRINTED or MAX_DRAWN: then cells,
    with BLOCK_CELLS a matrix) unless ``allow_large``; the message ends with ``fix``."""
    if numbers > limit and not allow_large:
        held = f"would hold {numbers:,} numbers" if limit == MAX_PRINTED else f"would draw {numbers:,} cells"
        raise OptionError(
            what,
            f"the output {held}, more than the {limit:,} one command may; {fix}",
        )


def check_cost(
    madds: int,
    memory: int,
    what: str,
    path: str,
    allow_large: bool = False,
    fix: str = "take fewer steps or use smaller layers",
) -> None:
    """Refuse work past MAX_MADDS or MAX_MEMORY unless ``allow_large``; ``what`` says what was asked
    (``2 steps of 784-512-10 on 256 points``), ``path`` is the field or option to blame, ``fix`` the cure."""
    if allow_large:
        return
    if memory > MAX_MEMORY:
        raise ConfigError(
            path,
            f"{what} would hold about {_mib(memory)} of arrays, more than the {_mib(MAX_MEMORY)} a run may; "
            "use smaller layers or a smaller batch, or add --allow-large",
        )
    if madds > MAX_MADDS:
        raise ConfigError(
            path,
            f"{what} would take about {madds:.1e} multiply-adds of work, more than the {MAX_MADDS:.0e} "
            f"(a few seconds) a run may; {fix}, or add --allow-large",
        )


class Budget:
    """The bytes of arrays a config may still read from files (None: no limit)."""

    def __init__(self, allow_large: bool = False):
        self.left = None if allow_large else MAX_MEMORY

    def take(self, nbytes: int, where: str, name: str, reading: int = 0) -> None:
        """Charge ``nbytes`` for the array ``name`` before it is read, or refuse it; ``reading``
        is what reading it takes for a while (a parser's lists), which must fit too."""
        if self.left is None:
            return
        if max(nbytes, reading) > self.left:
            nbytes = max(nbytes, reading)
            spent = MAX_MEMORY - self.left
            already = f" after the {_mib(spent)} read before it" if spent else ""
            raise ConfigError(
                where,
                f"{name} would take {_mib(nbytes)} in memory{already}, more than the {_mib(MAX_MEMORY)} "
                "a run may hold; refused before reading it (add --allow-large for a big job on purpose)",
            )
        self.left -= nbytes


def _mib(nbytes: int) -> str:
    return f"{nbytes / 2**20:,.0f} MiB" if nbytes >= 2**20 else f"{nbytes / 2**20:.2f} MiB"
