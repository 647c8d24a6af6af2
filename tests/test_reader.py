"""Reading configs: numbers as people type them, JSON as YAML, safe loading."""

import pytest
from helpers import runner
from hypothesis import given
from hypothesis import strategies as st

from mlpstep.errors import ConfigError
from mlpstep.loading.reader import _parse_flat, parse_text


@pytest.mark.parametrize(
    "typed,value",
    [
        ("1e-3", 0.001),
        ("-1E0", -1.0),
        ("2e+0", 2.0),
        ("1.5e2", 150.0),
        (".5", 0.5),
        ("1.", 1.0),
        ("+3", 3),
        ("-7", -7),
        ("012", 12),
        ("0.40", 0.4),
    ],
)
def test_numbers_read_as_people_type_them(typed, value):
    data = parse_text(f"x: {typed}".encode())
    assert data == {"x": value} and type(data["x"]) is type(value)


@pytest.mark.parametrize("typed", ["1:30", "yes", "no", "on", "0x1F", "1_000", "2001-12-14"])
def test_yaml_1_1_oddities_stay_text(typed):
    assert parse_text(f"x: {typed}".encode()) == {"x": typed}


def test_json_is_read_as_yaml():
    assert parse_text(b'{"input": [3, 14], "learning_rate": 1e-3, "flag": true}') == {
        "input": [3, 14],
        "learning_rate": 0.001,
        "flag": True,
    }


def test_utf8_bom_is_accepted():
    assert parse_text("\ufeffx: 1".encode()) == {"x": 1}


def test_json_files_read_through_the_json_module_with_the_same_rules():
    assert parse_text(b'{"a": 1e-3, "b": [1, 2.50]}', "x.json") == {"a": 0.001, "b": [1, 2.5]}
    with pytest.raises(ConfigError, match="the key a appears twice"):
        parse_text(b'{"a": 1, "a": 2}', "x.json")
    with pytest.raises(ConfigError, match="JSON syntax error at line 1, column 10"):
        parse_text(b'{"a": [1,', "x.json")
    with pytest.raises(ConfigError, match="nested too deeply"):
        parse_text(b"[" * 100_000 + b"]" * 100_000, "x.json")


def test_json_answers_keep_the_digits_written():
    data = parse_text(b'{"a1": [2, 13.0, 0.40]}', "a.json", keep_text=True)
    assert [v.text for v in data["a1"]] == ["2", "13.0", "0.40"]


def test_json_holds_forty_times_the_values_of_yaml():
    many = b"[" + b"0," * 1_500_000 + b"0]"
    assert len(parse_text(many, "x.json")) == 1_500_001
    with pytest.raises(ConfigError, match=r"holds more than 250,000 values; refused; keep big matrices in \.npy"):
        parse_text(many, "x.yaml")
    with pytest.raises(ConfigError, match="holds more than 4,000,000 values"):
        parse_text(b"[" + b"0," * 4_000_000 + b"0]", "x.json")


def test_json_files_may_be_larger_than_yaml_files(tmp_path, monkeypatch):
    from mlpstep.loading import reader

    padded = b'{"a": 1}' + b" " * (33 * 2**20)
    (tmp_path / "big.json").write_bytes(padded)
    (tmp_path / "big.yaml").write_bytes(padded)
    assert reader.read_config(str(tmp_path / "big.json")) == {"a": 1}
    with pytest.raises(ConfigError, match="larger than 32 MiB"):
        reader.read_config(str(tmp_path / "big.yaml"))
    monkeypatch.setattr(reader, "MAX_JSON_BYTES", 2**20)
    with pytest.raises(ConfigError, match="larger than 1 MiB"):
        reader.read_config(str(tmp_path / "big.json"))


def test_json_numbers_read_as_yaml_numbers():
    text = b'{"a": [1, -2, 0.1, 1e-3, 2.50, 1E400, 123456789012345678901234567890]}'
    assert parse_text(text, "x.json") == parse_text(text, "x.yaml")


# -- the fast path for answers files: the json module where YAML would read the same -----------

NUMBER_TEXT = st.one_of(
    st.from_regex(r"-?(0|[1-9][0-9]{0,25})(\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?", fullmatch=True),
    st.sampled_from([".5", "1.", "+3", "012", "-0", "1e400", "0.40", "NaN", "Infinity", "1_0"]),
)
FLAT_VALUE = st.recursive(
    NUMBER_TEXT, lambda inner: st.lists(inner, max_size=3).map(lambda v: f"[{', '.join(v)}]"), max_leaves=8
)
LINE = st.one_of(
    st.tuples(st.sampled_from(["a1", "z2", "W1.grad", "loss", "w10n", "forward.a1", "true", "null", "e", "_x"]),
              st.sampled_from([": ", " : ", ":  "]), FLAT_VALUE).map("".join),
    st.sampled_from(["# a comment", "", "   ", "  # indented comment", "x: [1, 2]  # trailing", "a1:", "- 1",
                     "  z: 1"]),
)  # fmt: skip


def _texts(value):
    return (
        [_texts(v) for v in value] if isinstance(value, list) else (type(value).__name__, getattr(value, "text", None))
    )


def _through_yaml(text: str, keep_text: bool):
    try:  # a block list at the end makes the fast path decline, so YAML reads the rest
        data = parse_text((text + "\nzz_: \n  - 1\n").encode(), "answers.yaml", keep_text)
    except ConfigError as e:
        return ("error", str(e).split(" (line")[0])
    data.pop("zz_", None)
    return data


@given(st.lists(LINE, max_size=6).map("\n".join), st.booleans())
def test_the_fast_path_reads_answers_files_exactly_as_yaml(text, keep_text):
    fast = _parse_flat(text, keep_text)
    if fast is None:
        return  # declined: YAML reads it
    slow = _through_yaml(text, keep_text)
    assert fast == slow
    assert {k: _texts(v) for k, v in fast.items()} == {k: _texts(v) for k, v in slow.items()}


def test_mlpstep_answers_output_takes_the_fast_path():
    from mlpstep.cli.app import app

    key = runner.invoke(app, ["answers", "configs/batch.yaml", "--decimals", "4"]).stdout
    assert _parse_flat(key, keep_text=True) is not None


@pytest.mark.parametrize("text", ["loss: 28\n\t\nz2: [1]\n", "loss: 28\n\x0bz2: [1]\n", "loss: 28 # \x07\n",
                                  "loss: 28\n\xa0\nz2: [1]\n", "# é\nloss: 28\n", "a1:\t[1]\n"])  # fmt: skip
def test_the_fast_path_leaves_tabs_control_characters_and_unicode_to_yaml(text):
    assert _parse_flat(text, keep_text=True) is None


def test_a_long_line_of_spaces_is_read_in_linear_time():
    # a value pattern that could match the spaces after the colon took 6 s for 30,000 of them
    assert _parse_flat("a:" + " " * 200_000 + "x\n", keep_text=True) is None
    assert _parse_flat("a:" + " " * 200_000 + "1\n", keep_text=True) == {"a": 1.0}
