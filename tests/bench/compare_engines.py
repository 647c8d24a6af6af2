"""Whether this engine gives the same bits as another revision's, on random networks.

    python tests/bench/compare_engines.py [--against REV] [--count 400]

Each random problem mixes activations, losses, layouts, batches, reductions, optimizers and
their options, frozen parameters, shared and missing biases, several steps and the step shown,
and integer weights (so that ReLU inputs sit exactly on 0). Every number of its trace is
compared byte for byte (forward, loss, grads, updated, params, optimizer state, the loss of
each step, final parameters and state), and so is the message of a step that overflows.
The other revision runs in a subprocess, from ``git archive`` of its ``mlpstep/``.
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from random_networks import random_config, random_label  # noqa: E402

HIDDEN = ("relu", "sigmoid", "tanh", "linear", "leaky_relu", "elu", "softplus")
OUTPUTS = {"nll": ("softmax", "sigmoid"), "squared": ("linear", "sigmoid", "tanh", "softmax"),
           "mse": ("linear", "relu"), "half_squared": ("linear", "sigmoid")}  # fmt: skip
OPTIMIZERS = (
    "sgd", {"name": "sgd", "momentum": 0.9}, {"name": "sgd", "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    {"name": "sgd", "momentum": 0.5, "dampening": 0.1}, "adam", {"name": "adam", "amsgrad": True, "weight_decay": 0.1},
    "adamw", {"name": "adamw", "maximize": True}, "rmsprop", {"name": "rmsprop", "centered": True, "momentum": 0.9},
    "adagrad", {"name": "adagrad", "lr_decay": 0.1, "initial_accumulator_value": 0.1},
)  # fmt: skip


def problem_config(seed: int) -> tuple[dict, int]:
    """A random config and the step to show."""
    rng = np.random.default_rng(seed)
    loss = str(rng.choice(list(OUTPUTS)))
    depth = int(rng.integers(1, 4))
    big = seed % 10 == 0  # products large enough for the BLAS's blocked kernels
    sizes = (
        [int(n) for n in rng.integers(40, 90, depth + 1)] if big else [int(n) for n in rng.integers(1, 5, depth + 1)]
    )
    if loss == "nll" or rng.random() < 0.3:
        sizes[-1] = max(sizes[-1], 2)
    activations = [str(rng.choice(HIDDEN)) for _ in range(depth - 1)] + [str(rng.choice(OUTPUTS[loss]))]
    batch, reduction = [(None, "mean"), (int(rng.integers(2, 6)), "mean"), (3, "sum"), (64, "mean")][rng.integers(4)]
    layout = str(rng.choice(["columns", "rows"]))
    config = random_config(rng, sizes, activations, loss, layout, batch, reduction)
    if activations[-1] == "softmax" and loss != "nll":
        labels = [random_label(rng, sizes[-1], "linear", loss) for _ in range(batch or 1)]
        config["label"] = labels[0] if batch is None else labels
    for layer in config["layers"]:
        if rng.random() < 0.3:  # integers: ReLU inputs exactly 0 now and then
            layer["weights"] = np.round(np.array(layer["weights"]) * 2).tolist()
            layer["bias"] = np.round(np.array(layer["bias"])).tolist()
        if rng.random() < 0.15:
            layer["bias"] = round(float(rng.normal()), 3)  # one shared bias
        elif rng.random() < 0.15:
            layer["bias"] = "none"
    steps = int(rng.integers(1, 9))
    config.update(optimizer=OPTIMIZERS[rng.integers(len(OPTIMIZERS))], steps=steps,
                  learning_rate=float(rng.choice([0.1, 0.01, 1.0, 1e3])))  # fmt: skip
    if rng.random() < 0.3:
        config["relu_grad_at_zero"] = float(rng.choice([0.5, 1.0]))
    if rng.random() < 0.25:
        config["freeze"] = ["W1"] if rng.random() < 0.5 else ["W1", *(["b1"] if layout == "rows" else ["w10"])]
    return config, int(rng.integers(1, steps + 1))


def dump(count: int) -> dict[str, bytes | str]:
    """Every number of the traces of problems 0 to ``count - 1``, as bytes by name."""
    import mlpstep
    from mlpstep.errors import MlpstepError

    out = {"mlpstep": mlpstep.__file__}  # which copy ran: the other revision's must not be this one
    for seed in range(count):
        config, show = problem_config(seed)
        try:
            problem = mlpstep.load(config)
        except MlpstepError as error:
            out[f"{seed}"] = f"not loaded: {error}"
            continue
        try:
            trace = mlpstep.step(problem, show)
        except MlpstepError as error:
            out[f"{seed}"] = f"refused: {error}"
            continue
        for section in ("forward", "grads", "updated", "params", "final"):
            for name, value in getattr(trace, section).items():
                out[f"{seed} {section}.{name}"] = _bytes(value)
        for section in ("state", "final_state"):
            for name, values in getattr(trace, section).items():
                for key, value in values.items():
                    out[f"{seed} {section}.{name}.{key}"] = _bytes(value)
        for name in ("loss", "loss_after", "final_loss", "losses"):
            out[f"{seed} {name}"] = _bytes(getattr(trace, name))
    return out


def _bytes(value) -> bytes:
    value = np.asarray(value)
    return repr((value.dtype.str, value.shape)).encode() + value.tobytes()


def other(revision: str, count: int) -> dict:
    """``dump`` run on ``revision``'s mlpstep."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", revision, "mlpstep"], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        result = Path(folder) / "dump.pickle"
        env = {**os.environ, "PYTHONPATH": folder}
        subprocess.run([sys.executable, __file__, "--dump", str(result), "--count", str(count)], env=env, check=True)
        return pickle.loads(result.read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="HEAD", help="the git revision to compare with (default HEAD)")
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--dump", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        Path(args.dump).write_bytes(pickle.dumps(dump(args.count)))
        return
    theirs, ours = other(args.against, args.count), dump(args.count)
    if theirs.pop("mlpstep") == ours.pop("mlpstep"):
        sys.exit(f"the run of {args.against} imported this tree's mlpstep, not its own")
    differ = sorted(key for key in theirs.keys() | ours.keys() if theirs.get(key) != ours.get(key))
    refused = sum(isinstance(value, str) for value in ours.values())  # the messages of refusals
    print(f"{args.count} random problems ({refused} refused or not loaded alike), {len(ours):,} values: "
          f"{len(differ)} differ from {args.against}")  # fmt: skip
    for key in differ[:20]:
        print(f"  {key}: {str(theirs.get(key))[:80]} != {str(ours.get(key))[:80]}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
