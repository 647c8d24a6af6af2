"""The YAML loader configs and answers are read with: safe tags only, YAML 1.2 core scalars,
numbers that keep their text."""

from __future__ import annotations

import math
import re

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode

from ..errors import key_text

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class Loader(_Base):
    """A safe loader with YAML 1.2 core-schema scalars and only the plain data types."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag == _NULL]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    # None: the constructor for every other tag, which refuses it
    yaml_constructors = {tag: yaml.SafeLoader.yaml_constructors[tag] for tag in (_NULL, _STR, _SEQ, None)}
    yaml_multi_constructors = {}


class ValueProblem(ConstructorError):
    """A value the file spells wrongly (not a syntax error)."""


_INT_TEXT = re.compile(r"[-+]?[0-9]+")
_FLOAT_TEXT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
"""Numbers as YAML 1.2's core schema spells them, in ASCII digits only: an explicit ``!!float`` tag
must not reach Python's float(), which also takes ``0_0e300`` and Arabic or full-width digits."""


def _scalar_text(loader, node) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise ValueProblem(
            None, None, f"{node.tag.replace('tag:yaml.org,2002:', '!!')} needs a single value", node.start_mark
        )
    return loader.construct_scalar(node)


def _construct_bool(loader, node):
    text = _scalar_text(loader, node).lower()
    if text not in ("true", "false"):
        raise ValueProblem(None, None, f"{text[:20]!r} is not true or false", node.start_mark)
    return text == "true"


def _construct_int(loader, node):
    text = _scalar_text(loader, node)
    if not _INT_TEXT.fullmatch(text):
        raise ValueProblem(None, None, f"{text[:20]!r} is not a whole number", node.start_mark)
    try:
        return int(text)
    except ValueError:  # past Python's digit limit for int(): far past float64
        return float(text)


def _construct_float(loader, node):
    text = _scalar_text(loader, node)
    if not _FLOAT_TEXT.fullmatch(text):
        raise ValueProblem(None, None, f"{text[:20]!r} is not a number", node.start_mark)
    return float(text.lower().replace(".inf", "inf").replace(".nan", "nan"))


def _construct_mapping(loader, node):
    if not isinstance(node, MappingNode):
        raise ValueProblem(None, None, "!!map needs key: value pairs", node.start_mark)
    data, seen = {}, {}
    for key_node, value_node in node.value:
        # a key is its text: every name is a string, and strings hash unpredictably (numbers do
        # not: 60,000 keys that are multiples of 2**61 - 1 all hash to 0, a quadratic flood)
        key = loader.construct_object(key_node)  # refuses a tag that is not allowed, as for any value
        if isinstance(key_node, yaml.ScalarNode):
            key = key_node.value
        where = key_node.start_mark
        if isinstance(key, (list, dict)):
            raise ValueProblem(None, None, "a list or mapping as a key; keys are names such as input or layers", where)
        if key == "<<":
            raise ValueProblem(None, None, "YAML merge keys (<<) are not supported; write the keys out", where)
        if key in seen:
            first = seen[key]
            raise ValueProblem(
                None, None, f"the key {key_text(key)} appears twice (first at line {first.line + 1}); keep one", where
            )
        seen[key] = where
        data[key] = loader.construct_object(value_node)
    return data


class Written(float):
    """A number that remembers how it was written (``0.40`` keeps its two decimals)."""

    __slots__ = ("text",)

    def __new__(cls, value: float, text: str):
        number = super().__new__(cls, value)
        number.text = text
        return number


class AnswerLoader(Loader):
    """Like Loader, but numbers come back as Written, for tolerances read from the text."""


def float_of(whole: int) -> float:
    """A whole number as a float64, or an infinity past float64 (refused later as not finite)."""
    try:
        return float(whole)
    except OverflowError:
        return math.inf if whole > 0 else -math.inf


def _written(construct):
    def construct_written(loader, node):
        value = construct(loader, node)
        if isinstance(value, int):
            value = float_of(value)
        return Written(value, node.value.strip()) if isinstance(value, (int, float)) else value

    return construct_written


Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Loader.add_implicit_resolver(_INT, re.compile(f"^(?:{_INT_TEXT.pattern})$"), list("-+0123456789"))
Loader.add_implicit_resolver(_FLOAT, re.compile(f"^(?:{_FLOAT_TEXT.pattern})$"), list("-+.0123456789"))
Loader.add_constructor(_BOOL, _construct_bool)
Loader.add_constructor(_INT, _construct_int)
Loader.add_constructor(_FLOAT, _construct_float)
Loader.add_constructor(_MAP, _construct_mapping)
AnswerLoader.add_constructor(_INT, _written(_construct_int))
AnswerLoader.add_constructor(_FLOAT, _written(_construct_float))
