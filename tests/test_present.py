"""The document every format renders (mlpstep.present.document) and the text helpers they share."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import yaml
from helpers import SEED

import mlpstep
from mlpstep.present.document import header_lines, sections
from mlpstep.present.text import format_number, kept, shown

CONFIGS = sorted(str(path) for path in Path("configs").glob("*.yaml"))
COUNTERS = {"step", "optimizer_state.step", "final_state.step"}
"""Step counts: in the JSON as numbers, in the document in the section titles."""


def leaves(data: dict, prefix: str = "") -> dict:
    """{"forward.a1": [[2.0], ...], ...}: every value of nested JSON by its dotted path."""
    out = {}
    for key, value in data.items():
        out.update(
            leaves(value, f"{prefix}{key}.")
            if isinstance(value, dict) and key != "optimizer"
            else {prefix + key: value}
        )
    return out


@pytest.mark.parametrize("config", CONFIGS)
def test_the_document_holds_every_value_json_writes(config):
    trace = mlpstep.step(mlpstep.load(config))
    data = leaves(trace.to_dict())
    entries = {entry.path: entry.value for part in sections(trace) for entry in part.entries}
    assert set(entries) == set(data) - {"network", "layout"} - COUNTERS  # the network and layout head the document
    for path, value in entries.items():
        if path == "given.optimizer":
            assert value == trace.problem.optimizer.describe()
        elif path == "losses":  # the loss before each step, then after the last
            assert value.tolist() == [*data["losses"], data["final_loss"]]
        else:
            assert np.asarray(value).tolist() == data[path], path


def test_a_run_of_several_steps_titles_the_step_it_shows():
    trace = mlpstep.step(mlpstep.load("configs/adam.yaml"), show=2)
    assert [part.title for part in sections(trace)] == [
        "Given (parameters before step 2)", "Forward pass", "Loss", "Backward pass", "Optimizer state (step 2)",
        "Updated parameters", "Training: 3 steps", "Parameters after step 3", "Optimizer state after step 3",
    ]  # fmt: skip


def test_the_cells_where_relu_met_exactly_zero_are_marked():
    with open(SEED) as f:
        config = yaml.safe_load(f)
    config["layers"][0]["bias"] = [-3, -1, -1, -1]  # z1 = [3 - 3, 14 - 1, -3 - 1, -14 - 1] = [0, 13, -4, -15]
    marks = {e.path: e.at_kink for part in sections(mlpstep.step(mlpstep.load(config))) for e in part.entries}
    assert marks.pop("grads.z1").tolist() == [[True], [False], [False], [False]]
    assert set(marks.values()) == {None}
    unmarked = {e.path: e.at_kink for part in sections(mlpstep.step(mlpstep.load(SEED))) for e in part.entries}
    assert set(unmarked.values()) == {None}  # the seed's z1 = [2, 13, -4, -15] has no zero


@pytest.mark.parametrize("config,show,setting", [
    (SEED, 1, "1 point · columns layout · learning rate 0.1"),
    ("configs/batch.yaml", 1, "3 points, mean · columns layout · learning rate 0.1"),
    ("configs/three_layer.yaml", 1, "2 points, sum · columns layout · learning rate 0.05"),
    ("configs/mazur.yaml", 1, "1 point · rows layout · learning rate 0.5 · frozen: b1, b2"),
    ("configs/adam.yaml", 2, "3 points, mean · columns layout · learning rate 0.01 · adam (betas 0.9, 0.999, eps "
                             "1e-08) · step 2 of 3"),
])  # fmt: skip
def test_the_header_names_the_network_and_the_setting_of_the_step(config, show, setting):
    trace = mlpstep.step(mlpstep.load(config), show=show)
    assert header_lines(trace) == (trace.network, setting)


def test_the_header_names_a_relu_convention_other_than_torchs():
    problem = mlpstep.load(SEED)
    assert header_lines(mlpstep.step(problem))[1].count("relu'(0)") == 0
    half = mlpstep.step(dataclasses.replace(problem, relu_grad_at_zero=0.5))
    assert header_lines(half)[1].endswith(" · relu'(0) = 0.5")


def test_numbers_show_eight_significant_digits_and_never_minus_zero():
    assert format_number(2 / 3) == "0.66666667" and format_number(28.000000000000693) == "28"
    assert format_number(-0.0) == "0" and format_number(-1e-300 * 1e-300) == "0"
    assert format_number(2 / 3, 3) == "0.667"


def test_a_matrix_of_more_than_a_thousand_entries_keeps_three_rows_and_columns_at_each_edge():
    assert kept(40, False, 40 * 40) == [0, 1, 2, None, 37, 38, 39]
    assert kept(40, True, 40 * 40) == list(range(40))  # --full
    assert kept(40, False, 40 * 25) == list(range(40))  # 1,000 entries: whole
    assert kept(6, False, 6 * 1000) == list(range(6))  # an edge of six is whole anyway
    assert shown(np.zeros((40, 40)), False) == 7 * 7 and shown(np.zeros((40, 40)), True) == 1600
    assert shown(np.zeros(3000), False) == 7 and shown(np.array(28.0), False) == 1
