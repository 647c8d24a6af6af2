"""Matrices and vectors in files: {file: PATH} (and {file: PATH, key: NAME} for .npz) wherever one goes."""

import itertools
import json
import os
import textwrap
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT, SEED, assert_refused, runner

import mlpstep
from mlpstep.cli.app import app
from mlpstep.loading.reader import read_config

CONFIGS = sorted(Path("configs").glob("*.yaml"))
GOLDEN = [
    case["config"]
    for name in ("torch_cases.json", "torch_optim_cases.json")
    for case in json.loads((Path("tests/golden") / name).read_text())["cases"]
]
FILES_SEED = textwrap.dedent(
    """\
    input: [3, 14]
    label: 1
    loss: nll
    learning_rate: 0.1
    layers:
      - weights: {file: W1.npy}
        bias: {file: w10.csv}
        activation: relu
      - weights: {file: params.npz, key: W2}
        bias: {file: params.npz, key: w20}
        activation: softmax
    """
)


def trace_of(config) -> dict:
    return mlpstep.step(mlpstep.load(config)).to_dict()


def write_seed_files(folder: Path) -> Path:
    """The seed's parameters in a .npy, a .csv and a .npz, and FILES_SEED next to them."""
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "W1.npy", np.array([[1, 0, -1, 0], [0, 1, 0, -1]]))
    (folder / "w10.csv").write_text("# the first layer's biases\n-1, -1, -1, -1\n")
    np.savez(folder / "params.npz", W2=np.array([[1, -1]] * 4), w20=np.array([0.0, 2.0]))
    (folder / "seed.yaml").write_text(FILES_SEED)
    return folder / "seed.yaml"


def moved_to_files(config: dict, folder: Path, fmt: str) -> Path:
    """``config`` written to ``folder/config.json`` with its matrices and vectors in .fmt files."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = {}

    def save(value, name):
        if not isinstance(value, list):
            return value
        try:
            array = np.array(value, dtype=np.float64)
        except ValueError:  # labels mixing class indices and vectors stay inline
            return value
        if fmt == "csv" and name == "input" and array.ndim == 1:  # a .csv file is always a matrix: a batch
            return value
        if fmt == "npz":
            archive[name] = array
            return {"file": "arrays.npz", "key": name}
        if fmt == "npy":
            np.save(folder / f"{name}.npy", array)
        else:
            np.savetxt(folder / f"{name}.csv", array, delimiter=",")
        return {"file": f"{name}.{fmt}"}

    moved = {**config, "input": save(config["input"], "input"), "label": save(config["label"], "label"), "layers": []}
    for l, layer in enumerate(config["layers"], 1):
        moved["layers"].append({**layer, "weights": save(layer["weights"], f"W{l}")})
        if "bias" in layer:
            moved["layers"][-1]["bias"] = save(layer["bias"], f"b{l}")
    optimizer = config.get("optimizer")
    if isinstance(optimizer, dict) and optimizer.get("state"):
        state = {
            key: {param: save(value, f"{key}_{param}") for param, value in per_param.items()}
            if isinstance(per_param, dict)
            else per_param
            for key, per_param in optimizer["state"].items()
        }
        moved["optimizer"] = {**optimizer, "state": state}
    if archive:
        np.savez(folder / "arrays.npz", **archive)
    (folder / "config.json").write_text(json.dumps(moved))
    return folder / "config.json"


# -- the same step, whatever holds the numbers ---------------------------------


def test_seed_from_files_gives_exactly_the_inline_step(tmp_path):
    assert trace_of(str(write_seed_files(tmp_path))) == trace_of(SEED)


@pytest.mark.parametrize("fmt", ["npy", "npz", "csv"])
@pytest.mark.parametrize("config", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_bundled_configs_with_their_arrays_in_files_give_the_same_step(tmp_path, config, fmt):
    data = read_config(str(config))
    assert trace_of(str(moved_to_files(data, tmp_path, fmt))) == trace_of(str(config))


@pytest.mark.slow  # every golden config: 2,400 files
def test_golden_configs_with_their_arrays_in_npy_files_give_the_same_step(tmp_path):
    for i, config in enumerate(GOLDEN):
        assert trace_of(str(moved_to_files(config, tmp_path / str(i), "npy"))) == trace_of(config), i


def test_optimizer_state_from_files(tmp_path):
    with_state = [c for c in GOLDEN if isinstance(c.get("optimizer"), dict) and c["optimizer"].get("state")]
    assert len(with_state) >= 10
    for i, config in enumerate(with_state):
        path = moved_to_files(config, tmp_path / str(i), "csv")
        state = json.loads(path.read_text())["optimizer"]["state"]
        assert any(
            "file" in value
            for per_param in state.values()
            if isinstance(per_param, dict)
            for value in per_param.values()
            if isinstance(value, dict)
        )
        assert trace_of(str(path)) == trace_of(config), i


def test_rows_layout_weights_from_files_are_n_out_by_n_in(tmp_path):
    np.save(tmp_path / "W1.npy", np.array([[1, 0], [0, 1], [-1, 0], [0, -1]]))
    np.save(tmp_path / "W2.npy", np.array([[1, 1, 1, 1], [-1, -1, -1, -1]]))
    config = read_config("configs/rows.yaml")
    config["layers"][0]["weights"] = {"file": "W1.npy"}
    config["layers"][1]["weights"] = {"file": "W2.npy"}
    (tmp_path / "rows.json").write_text(json.dumps(config))
    assert trace_of(str(tmp_path / "rows.json")) == trace_of("configs/rows.yaml")


def test_a_batch_and_its_class_indices_from_files(tmp_path):
    np.save(tmp_path / "x.npy", np.array([[3, 14], [2, 3], [0.5, -2]]))
    np.save(tmp_path / "y.npy", np.array([1, 0, 1], dtype=np.uint8))
    (tmp_path / "y.csv").write_text("1\n0\n1\n")
    (tmp_path / "y_row.csv").write_text("1, 0, 1\n")
    (tmp_path / "y_onehot.csv").write_text("0,1\n1,0\n0,1\n")
    for labels in ("y.npy", "y.csv", "y_row.csv", "y_onehot.csv"):
        config = {**read_config("configs/batch.yaml"), "input": {"file": "x.npy"}, "label": {"file": labels}}
        (tmp_path / "batch.json").write_text(json.dumps(config))
        assert trace_of(str(tmp_path / "batch.json")) == trace_of("configs/batch.yaml"), labels


def test_a_single_point_from_a_flat_npy_and_its_class_from_a_one_value_file(tmp_path):
    np.save(tmp_path / "x.npy", np.array([3.0, 14.0]))
    (tmp_path / "y.csv").write_text("1\n")
    config = {**read_config(SEED), "input": {"file": "x.npy"}, "label": {"file": "y.csv"}}
    (tmp_path / "seed.json").write_text(json.dumps(config))
    assert trace_of(str(tmp_path / "seed.json")) == trace_of(SEED)


@pytest.mark.parametrize(
    "text",
    [
        "-1,-1,-1,-1\n",
        "-1\n-1\n-1\n-1\n",
        "# biases\n\n  \n-1, -1,\t-1, -1  # all four\n\n",
        "\ufeff-1,-1,-1,-1",
        "-1e0,-1.0,-.1e1,-1\r\n",
    ],
)
def test_a_csv_vector_may_be_a_row_or_a_column_with_comments_and_blank_lines(tmp_path, text):
    write_seed_files(tmp_path)
    (tmp_path / "w10.csv").write_text(text, encoding="utf-8")
    assert trace_of(str(tmp_path / "seed.yaml")) == trace_of(SEED)


@pytest.mark.parametrize("text", ["1,0,-1,0\n0,1,0,-1\n", "1, 0, -1, 0\n# no bias\n0, 1, 0, -1\n"])
def test_a_csv_matrix_is_one_row_per_line(tmp_path, text):
    write_seed_files(tmp_path)
    (tmp_path / "W1.csv").write_text(text)
    (tmp_path / "seed.yaml").write_text(FILES_SEED.replace("W1.npy", "W1.csv"))
    assert trace_of(str(tmp_path / "seed.yaml")) == trace_of(SEED)


@pytest.mark.parametrize("name", ["W1.NPY", "W1.Npy"])
def test_extensions_are_case_insensitive(tmp_path, name):
    write_seed_files(tmp_path)
    (tmp_path / "W1.npy").rename(tmp_path / name)
    (tmp_path / "seed.yaml").write_text(FILES_SEED.replace("W1.npy", name))
    assert trace_of(str(tmp_path / "seed.yaml")) == trace_of(SEED)


def test_an_npz_of_one_array_needs_no_key(tmp_path):
    write_seed_files(tmp_path)
    np.savez_compressed(tmp_path / "W2.npz", np.array([[1, -1]] * 4))
    (tmp_path / "seed.yaml").write_text(FILES_SEED.replace("{file: params.npz, key: W2}", "{file: W2.npz}"))
    assert trace_of(str(tmp_path / "seed.yaml")) == trace_of(SEED)


# -- where relative paths start -------------------------------------------------


def test_paths_are_relative_to_the_config_file_not_the_current_folder(tmp_path, monkeypatch):
    config = write_seed_files(tmp_path / "problem")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert trace_of(str(config)) == trace_of(ROOT / SEED)
    assert trace_of(os.path.relpath(config)) == trace_of(str(config))


def test_paths_may_climb_into_other_folders_or_be_absolute(tmp_path):
    write_seed_files(tmp_path / "arrays")
    (tmp_path / "configs").mkdir()
    text = FILES_SEED.replace("W1.npy", "../arrays/W1.npy").replace("w10.csv", str(tmp_path / "arrays" / "w10.csv"))
    (tmp_path / "configs" / "seed.yaml").write_text(text.replace("params.npz", "../arrays/params.npz"))
    assert trace_of(str(tmp_path / "configs" / "seed.yaml")) == trace_of(SEED)


def test_a_config_from_stdin_reads_files_from_the_current_folder(tmp_path, monkeypatch):
    expected = runner.invoke(app, ["run", SEED, "--json"]).stdout
    write_seed_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "-", "--json"], input=FILES_SEED)
    assert result.exit_code == 0, result.output
    assert result.stdout == expected


def test_a_dict_reads_files_from_the_current_folder(tmp_path, monkeypatch):
    expected = trace_of(SEED)
    write_seed_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert trace_of(read_config("seed.yaml")) == expected


def test_each_file_is_read_once_however_often_it_is_named(tmp_path, monkeypatch):
    from mlpstep.loading import config as config_module

    write_seed_files(tmp_path)
    reads = []
    read = config_module.read_array_file
    monkeypatch.setattr(config_module, "read_array_file", lambda *args: reads.append(args[0]) or read(*args))
    text = (
        FILES_SEED.replace("{file: W1.npy}", "&w {file: W1.npy}") + "optimizer:\n  name: sgd\n  momentum: 0.9\n"
        "  state:\n    momentum_buffer: {W1: *w, w10: [0, 0, 0, 0], W2: {file: ./params.npz, key: W2}, w20: [0, 0]}\n"
    )
    (tmp_path / "seed.yaml").write_text(text)
    mlpstep.load(str(tmp_path / "seed.yaml"))
    assert sorted(reads) == ["W1.npy", "params.npz", "params.npz", "w10.csv"]


def test_every_command_reads_files(tmp_path):
    config = str(write_seed_files(tmp_path))
    for args in (["answers"], ["gradcheck"], ["run", "--format", "markdown"]):
        assert runner.invoke(app, [*args, config]).stdout == runner.invoke(app, [*args, SEED]).stdout.replace(
            SEED, config
        )
    assert runner.invoke(app, ["validate", config]).stdout == f"{config}: valid\n"
    key = runner.invoke(app, ["answers", SEED]).stdout
    (tmp_path / "key.yaml").write_text(key)
    assert runner.invoke(app, ["check", config, str(tmp_path / "key.yaml")]).exit_code == 0


def test_a_network_of_a_million_parameters_in_npy_files_loads_fast(tmp_path):
    import time

    rng = np.random.default_rng(0)
    sizes = [784, 512, 512, 10]
    layers = []
    for l, (n_in, n_out) in enumerate(itertools.pairwise(sizes), 1):
        np.save(tmp_path / f"W{l}.npy", rng.normal(0, 0.05, (n_in, n_out)))
        np.save(tmp_path / f"b{l}.npy", np.zeros(n_out))
        layers.append(
            {
                "weights": {"file": f"W{l}.npy"},
                "bias": {"file": f"b{l}.npy"},
                "activation": "softmax" if l == 3 else "relu",
            }
        )
    np.save(tmp_path / "x.npy", rng.random((256, 784)))
    np.save(tmp_path / "y.npy", rng.integers(0, 10, 256))
    config = {
        "input": {"file": "x.npy"},
        "label": {"file": "y.npy"},
        "loss": "nll",
        "learning_rate": 0.1,
        "layers": layers,
    }
    (tmp_path / "mnist.yaml").write_text(json.dumps(config))
    mlpstep.load(str(tmp_path / "mnist.yaml"))  # warm the imports
    start = time.perf_counter()
    problem = mlpstep.load(str(tmp_path / "mnist.yaml"))
    assert time.perf_counter() - start < 1  # about 15 ms
    assert problem.sizes == sizes and problem.batch_size == 256
    assert sum(layer.weights.size + layer.bias.size for layer in problem.layers) == 669_706


# -- mistakes: one line naming the field, exit 2 ----------------------------------


def run_files_seed(tmp_path, old="", new="", *args):
    """Run FILES_SEED with ``old`` replaced by ``new``, next to the seed's files."""
    write_seed_files(tmp_path)
    assert old in FILES_SEED
    (tmp_path / "seed.yaml").write_text(FILES_SEED.replace(old, new))
    return runner.invoke(app, [*(args or ["run"]), str(tmp_path / "seed.yaml")])


def write(tmp_path, name, content):
    if isinstance(content, bytes):
        (tmp_path / name).write_bytes(content)
    elif isinstance(content, str):
        (tmp_path / name).write_text(content)
    else:
        np.save(tmp_path / name, content, allow_pickle=True)


def npy_header(shape) -> bytes:
    """A .npy header that promises ``shape`` of float64, with no data after it."""
    header = repr({"descr": "<f8", "fortran_order": False, "shape": shape}).encode()
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header


BAD_FILES = {
    # name: (file written, its content, what the config says instead of "{file: W1.npy}", the message)
    "missing file": (
        None,
        None,
        "{file: W9.npy}",
        "layers[0].weights.file: W9.npy not found (looked for {tmp}/W9.npy)",
    ),
    "missing folder": (
        None,
        None,
        "{file: arrays/W1.npy}",
        "layers[0].weights.file: arrays/W1.npy not found (looked for {tmp}/arrays/W1.npy)",
    ),
    "unknown extension": (
        "W1.txt",
        "1,0,-1,0\n",
        "{file: W1.txt}",
        "layers[0].weights.file: W1.txt is a .txt file; give a .npy, .npz or .csv file",
    ),
    "no extension": (
        "W1",
        "1,0\n",
        "{file: W1}",
        "layers[0].weights.file: W1 is a file without an extension; give a .npy, .npz or .csv file",
    ),
    "extra key": (
        None,
        None,
        "{file: W1.npy, dtype: float}",
        "layers[0].weights.dtype: unknown key (valid keys: file, key)",
    ),
    "misspelt key": (
        None,
        None,
        "{file: params.npz, kye: W2}",
        "layers[0].weights.kye: unknown key (did you mean key?)",
    ),
    "file a number": (
        None,
        None,
        "{file: 3}",
        "layers[0].weights.file: 3 is a number; give the path of a .npy, .npz or .csv file",
    ),
    "file a list": (
        None,
        None,
        "{file: [W1.npy]}",
        "layers[0].weights.file: a list; give the path of a .npy, .npz or .csv file",
    ),
    "file empty": (None, None, "{file: ''}", "layers[0].weights.file: an empty file name"),
    "file null": (None, None, "{file: null}", "layers[0].weights.file: empty (null); give the path"),
    "key a number": (
        None,
        None,
        "{file: params.npz, key: 2}",
        "layers[0].weights.key: 2 is a number; give the name of an array in the .npz file",
    ),
    "key on an npy": (
        None,
        None,
        "{file: W1.npy, key: W1}",
        "layers[0].weights.key: only a .npz file holds named arrays, and W1.npy is a .npy file; remove key",
    ),
    "npz key missing": (
        None,
        None,
        "{file: params.npz}",
        "layers[0].weights.key: missing; params.npz holds 2 arrays (W2, w20): name one, e.g. key: W2",
    ),
    "npz key unknown": (
        None,
        None,
        "{file: params.npz, key: W1}",
        "layers[0].weights.key: params.npz holds no array named W1; it holds W2, w20",
    ),
    "npz corrupt": (
        "bad.npz",
        b"PK\x03\x04 this is no zip",
        "{file: bad.npz}",
        "layers[0].weights.file: bad.npz is not a valid .npz file",
    ),
    "npz empty": ("empty.npz", None, "{file: empty.npz}", "layers[0].weights.file: empty.npz holds no arrays"),
    "npy corrupt": (
        "bad.npy",
        b"\x93NUMPY\x01\x00garbage",
        "{file: bad.npy}",
        "layers[0].weights.file: bad.npy is not a valid .npy file",
    ),
    "npy not npy": (
        "bad.npy",
        b"1,0,-1,0\n",
        "{file: bad.npy}",
        "layers[0].weights.file: bad.npy is not a valid .npy file",
    ),
    "npy empty file": ("bad.npy", b"", "{file: bad.npy}", "layers[0].weights.file: bad.npy is not a valid .npy file"),
    "npy truncated": (
        "short.npy",
        npy_header((2, 4)) + b"\0" * 60,
        "{file: short.npy}",
        "layers[0].weights.file: short.npy is not a valid .npy file",
    ),
    "npy too big": (
        "huge.npy",
        npy_header((100_000_001,)),
        "{file: huge.npy}",
        "layers[0].weights.file: huge.npy holds 100,000,001 values, more than the 100,000,000 one file may hold",
    ),
    "npy pickled": (
        "obj.npy",
        np.array([[1, 0], [0, "a"]], dtype=object),
        "{file: obj.npy}",
        "layers[0].weights.file: obj.npy holds Python objects (a pickle), which are never loaded",
    ),
    "npy complex": (
        "c.npy",
        np.array([[1j, 0, 0, 0], [0, 0, 0, 0]]),
        "{file: c.npy}",
        "layers[0].weights.file: c.npy holds complex128 values; save real numbers",
    ),
    "npy text": (
        "s.npy",
        np.array([["1", "0"], ["0", "1"]]),
        "{file: s.npy}",
        "layers[0].weights.file: s.npy holds <U1 values",
    ),
    "npy NaN": (
        "nan.npy",
        np.array([[1, 0, -1, 0], [0, 1, np.nan, -1]]),
        "{file: nan.npy}",
        "layers[0].weights[1][2]: NaN; give a finite number",
    ),
    "npy infinite": (
        "inf.npy",
        np.array([[1, 0, -1, 0], [0, 1, 0, -np.inf]]),
        "{file: inf.npy}",
        "layers[0].weights[1][3]: infinite; give a finite number",
    ),
    "npy flat": (
        "flat.npy",
        np.array([1, 0, -1, 0]),
        "{file: flat.npy}",
        "layers[0].weights: a flat array of 4 values; give a matrix",
    ),
    "npy 3-D": ("cube.npy", np.zeros((2, 4, 1)), "{file: cube.npy}", "layers[0].weights: a 2x4x1 array; give a matrix"),
    "npy wrong shape": (
        "W2.npy",
        np.zeros((3, 2)),
        "{file: W2.npy}",
        "layers[1].weights: 3x2, but layer 1 has 4 outputs, so layer 2's weights need 4 rows",
    ),
    "csv not a number": (
        "bad.csv",
        "# W1\n1,0,-1,0\n\n0,1,x,-1\n",
        "{file: bad.csv}",
        "layers[0].weights.file: bad.csv line 4, column 3: 'x' is not a number",
    ),
    "csv empty cell": (
        "bad.csv",
        "1,0,-1,0\n0,1,0,\n",
        "{file: bad.csv}",
        "layers[0].weights.file: bad.csv line 2, column 4: an empty cell",
    ),
    "csv semicolons": (
        "bad.csv",
        "1;0;-1;0\n",
        "{file: bad.csv}",
        "layers[0].weights.file: bad.csv line 1, column 1: '1;0;-1;0' is not a number",
    ),
    "csv ragged": (
        "bad.csv",
        "1,0,-1,0\n0,1,0\n",
        "{file: bad.csv}",
        "layers[0].weights.file: bad.csv line 2: 3 values, but the first row has 4; every row needs the same length",
    ),
    "csv empty": (
        "empty.csv",
        "# nothing yet\n\n",
        "{file: empty.csv}",
        "layers[0].weights.file: empty.csv holds no numbers",
    ),
    "csv NaN": (
        "nan.csv",
        "1,0,-1,0\n0,1,nan,-1\n",
        "{file: nan.csv}",
        "layers[0].weights[1][2]: NaN; give a finite number",
    ),
    "csv beyond float64": (
        "big.csv",
        "1,0,-1,0\n0,1,1e999,-1\n",
        "{file: big.csv}",
        "layers[0].weights[1][2]: infinite; give a finite number",
    ),
    "csv not UTF-8": (
        "bad.csv",
        b"1,0,\xff,0\n",
        "{file: bad.csv}",
        "layers[0].weights.file: bad.csv is not UTF-8 text",
    ),
    "csv binary": ("bad.csv", b"\x00\x01\x02", "{file: bad.csv}", "layers[0].weights.file: bad.csv line 1, column 1:"),
    "odd file name": (None, None, '{file: "W\\n1.npy"}', "layers[0].weights.file: 'W\\n1.npy' not found"),
    "NUL in the name": (None, None, '{file: "W\\x001.npy"}', "layers[0].weights.file: 'W\\x001.npy' cannot be opened"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_is_refused_with_one_clear_line(tmp_path, name):
    file, content, reference, message = BAD_FILES[name]
    write_seed_files(tmp_path)
    if name == "npz empty":
        np.savez(tmp_path / file)
    elif file:
        write(tmp_path, file, content)
    old = "{file: params.npz, key: W2}" if name == "npy wrong shape" else "{file: W1.npy}"
    result = run_files_seed(tmp_path, old, reference)
    assert_refused(result, message.format(tmp=tmp_path) if "{tmp}" in message else message)


def test_a_directory_is_refused(tmp_path):
    (tmp_path / "W1.npy").mkdir(parents=True)
    (tmp_path / "seed.yaml").write_text(FILES_SEED)
    assert_refused(
        runner.invoke(app, ["run", str(tmp_path / "seed.yaml")]),
        "layers[0].weights.file: W1.npy is a directory, not a file",
    )


def test_an_unreadable_file_is_refused(tmp_path, monkeypatch):
    from mlpstep.loading import arrayfiles

    def denied(path, name, where):  # as opening fails on a file without read permission (root reads every file)
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(arrayfiles, "_open_regular", denied)
    write_seed_files(tmp_path)
    assert_refused(
        runner.invoke(app, ["run", str(tmp_path / "seed.yaml")]),
        "layers[0].weights.file: W1.npy cannot be read: permission denied",
    )


def test_a_csv_file_over_the_size_cap_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    from mlpstep.loading import arrayfiles

    monkeypatch.setattr(arrayfiles, "MAX_CSV_BYTES", 2**20)
    write_seed_files(tmp_path)
    (tmp_path / "big.csv").write_text("0,0,0,0\n" * 200_000)
    assert_refused(
        run_files_seed(tmp_path, "{file: W1.npy}", "{file: big.csv}"),
        "layers[0].weights.file: big.csv is larger than 1 MiB; save big arrays as .npy",
    )


def test_an_npz_member_over_the_value_cap_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from mlpstep.loading import arrayfiles

    monkeypatch.setattr(arrayfiles, "MAX_FILE_VALUES", 7)
    assert_refused(
        run_files_seed(tmp_path, "{file: W1.npy}", "{file: params.npz, key: W2}"),
        "layers[0].weights.file: params.npz[W2] holds 8 values, more than the 7 one file may hold",
    )


@pytest.mark.parametrize(
    "field,old,new,message",
    [
        ("input", "input: [3, 14]", "input: {file: nope.npy}", "input.file: nope.npy not found"),
        ("label", "label: 1", "label: {file: nope.csv}", "label.file: nope.csv not found"),
        (
            "bias",
            "bias: {file: w10.csv}",
            "bias: {file: params.npz}",
            "layers[0].bias.key: missing; params.npz holds 2 arrays",
        ),
        ("label", "label: 1", "label: {file: W1.npy}", "label: a 2x4 matrix; give a flat list of numbers"),
        (
            "a number",
            "learning_rate: 0.1",
            "learning_rate: {file: W1.npy}",
            "learning_rate: a 2x4 array; expected a number",
        ),
    ],
)
def test_every_field_names_itself_in_file_errors(tmp_path, field, old, new, message):
    assert_refused(run_files_seed(tmp_path, old, new), message)


def test_validate_names_the_config_and_the_field(tmp_path):
    result = run_files_seed(tmp_path, "{file: W1.npy}", "{file: W9.npy}", "validate")
    config = tmp_path / "seed.yaml"
    assert result.exit_code == 2 and result.stdout == ""
    assert (
        result.stderr == f"error: {config}: layers[0].weights.file: W9.npy not found (looked for {tmp_path}/W9.npy)\n"
    )


def test_a_file_reference_deeper_than_any_array_is_not_read(tmp_path):
    write_seed_files(tmp_path)
    assert_refused(run_files_seed(tmp_path, "input: [3, 14]", "input: [[{file: W1.npy}]]"), "input[0][0]: a mapping")


def test_deeply_nested_mappings_are_refused_without_a_crash(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"input": ' + '{"a": ' * 900 + "1" + "}" * 900 + "}")
    assert_refused(runner.invoke(app, ["run", str(path)]), "label: missing")


@pytest.mark.parametrize("args", [["run", "--json"], ["answers"], ["gradcheck"]])
def test_output_never_overwrites_an_array_file(tmp_path, args):
    config = str(write_seed_files(tmp_path))
    before = (tmp_path / "w10.csv").read_bytes()
    result = runner.invoke(app, [args[0], config, *args[1:], "-o", str(tmp_path / "w10.csv")])
    assert_refused(result, f"--output: {tmp_path / 'w10.csv'} is also an input")
    assert (tmp_path / "w10.csv").read_bytes() == before


def test_a_problem_lists_the_files_it_read(tmp_path):
    problem = mlpstep.load(str(write_seed_files(tmp_path)))
    assert problem.files == tuple(str(tmp_path / name) for name in ("W1.npy", "w10.csv", "params.npz"))
