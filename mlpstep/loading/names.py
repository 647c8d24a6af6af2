"""A config's course names: ``names: {w5: "W2[0][0]", out_o1: "a2[0]", E_total: loss}``, checked
against the network the config builds."""

from __future__ import annotations

import re

from ..errors import ConfigError, key_text, quoted
from ..model import Problem
from ..quantities import locate, notebook_name, quantity_shapes, resolve, with_aliases
from .values import described

MAX_NAMES = 1000
"""Most course names one config may declare."""
_ALIAS = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
"""A course name: a letter or _, then letters, digits and _ (no dots or brackets: ``w5.grad`` and
``w5[0]`` are read from it)."""


def names_of(value: object, problem: Problem) -> dict[str, str]:
    """The course names of ``problem``, each target a name of one of its values or of one entry
    (``W2[0][0]``: the weight; ``w5.grad`` and ``w5+`` follow from it)."""
    example = 'e.g. names: {w5: "W2[0][0]", E_total: loss}'
    if not isinstance(value, dict):
        raise ConfigError("names", f"{described(value)}; give a mapping of course names to names, {example}")
    if len(value) > MAX_NAMES:
        raise ConfigError("names", f"{len(value):,} names; declare at most {MAX_NAMES:,}")
    shapes = quantity_shapes(problem)
    known = {notebook_name(path): path for path in shapes if not path.startswith("given.")}
    known = {**{path.removeprefix("given."): path for path in shapes if path.startswith("given.")}, **known}
    known.update({path: path for path in shapes})
    names = {}
    for alias, target in value.items():
        where = f"names.{key_text(alias)}"
        if not isinstance(alias, str) or not _ALIAS.fullmatch(alias):
            raise ConfigError(where, f"not a course name; start with a letter, then letters, digits or _, {example}")
        if resolve(alias, known) is not None:
            raise ConfigError(where, f"{alias} already names {resolve(alias, known)}; choose another course name")
        if not isinstance(target, str):
            raise ConfigError(where, f"{described(target)}; give the name it stands for, {example}")
        if with_aliases(known, {alias: target}, shapes).get(alias) is None:
            locate(target, known, shapes, ConfigError, where)  # an index that does not fit says so
            raise ConfigError(
                where,
                f"{quoted(target)} names no value of this network; name one as check does "
                "(W2[0][0], a2[0], z1.grad[1], loss)",
            )
        names[alias] = target
    for alias in names:  # w5n is w5's updated value: no course name of its own
        if (
            alias.endswith("n")
            and alias[:-1] in names
            and alias in with_aliases(known, {alias[:-1]: names[alias[:-1]]}, shapes)
        ):
            raise ConfigError(
                f"names.{alias}",
                f"{alias} already names the updated value of {alias[:-1]}; choose another course name",
            )
    return names
