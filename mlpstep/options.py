"""Options of an activation or an optimizer: each declares its own, with the default and the
rule its values keep; the config's loader checks values against them (``loading.values.option_value``).

``activation: {name: leaky_relu, negative_slope: 0.1}`` sets one, ``activation: leaky_relu``
keeps every default, as torch does.
"""

from __future__ import annotations

from collections.abc import Callable


class Option:
    """One option: a number (``float``), ``true``/``false`` (``bool``) or a pair of numbers (``tuple``),
    by its default's type. ``allowed`` is the rule (None: any finite number), ``rule`` says it in
    words for the message (``"a number >= 0"``). ``always``: in the one-line description even at 0
    (a flag only when on, a number only when not 0, otherwise). ``quiet``: written into the settings
    only when not the default (added after configs and outputs without it were written)."""

    __slots__ = ("name", "default", "allowed", "rule", "always", "quiet")

    def __init__(
        self, name: str, default: object, allowed: Callable | None = None, rule: str = "", always: bool = False,
        quiet: bool = False,
    ):  # fmt: skip
        self.name, self.default, self.allowed, self.rule = name, default, allowed, rule
        self.always, self.quiet = always, quiet

    @property
    def kind(self) -> type:
        return type(self.default)

    def phrase(self, value: object) -> str | None:
        """The option in a one-line description: ``momentum 0.9``, ``betas 0.9, 0.999``, ``nesterov``."""
        label = self.name.replace("_", " ")
        if isinstance(value, bool):
            return label if value else None
        if isinstance(value, tuple):
            return f"{label} {', '.join(f'{v:g}' for v in value)}"
        return f"{label} {value:g}" if value or self.always else None


AT_LEAST_0 = {"allowed": lambda v: v >= 0, "rule": "a number >= 0"}
ABOVE_0 = {"allowed": lambda v: v > 0, "rule": "a number > 0"}
FROM_0_TO_1 = {"allowed": lambda v: 0 <= v <= 1, "rule": "a number from 0 to 1"}


class Configurable:
    """Something a config names, with options: ``Kind(**values)``, the defaults filling the rest."""

    name: str
    options: tuple[Option, ...] = ()

    def __init__(self, **values):
        for option in self.options:
            setattr(self, option.name, values.pop(option.name, option.default))
        if values:
            raise TypeError(f"{self.name} has no option {', '.join(values)}")

    def values(self) -> dict:
        return {option.name: getattr(self, option.name) for option in self.options}

    @property
    def is_default(self) -> bool:
        return all(getattr(self, option.name) == option.default for option in self.options)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.values() == other.values()

    def __hash__(self) -> int:
        return hash((type(self), *self.values().values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.values().items())})"

    def settings(self) -> dict:
        """As a config writes it, every option spelled out (a quiet one when set):
        ``{"name": "adam", "betas": [0.9, 0.999], "eps": 1e-08, "weight_decay": 0.0}``."""
        out = {"name": self.name}
        for option in self.options:
            value = getattr(self, option.name)
            if not option.quiet or value != option.default:
                out[option.name] = list(value) if isinstance(value, tuple) else value
        return out

    def describe(self) -> str:
        """One line: ``sgd (momentum 0.9, nesterov)``, ``leaky_relu (negative slope 0.1)``."""
        parts = [text for option in self.options if (text := option.phrase(getattr(self, option.name)))]
        return self.name + (f" ({', '.join(parts)})" if parts else "")
