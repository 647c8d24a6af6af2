"""The exceptions mlpstep raises for problems the user can fix."""


class MlpstepError(Exception):
    """Base class: a message meant for the user, one line, no traceback."""


class ConfigError(MlpstepError):
    """The config (or how it was given) is invalid.

    The message starts with the path of the offending field, e.g.
    ``layers[1].weights: 3x2, but layer 1 has 4 outputs``.
    """

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)


class NumericError(MlpstepError):
    """The step produced a value that is not a finite float64 (overflow)."""


def key_text(key: object) -> str:
    """A mapping key as a message shows it: plain names plainly, anything odd quoted."""
    if isinstance(key, str) and key and key.isprintable() and key.strip() == key:
        return key
    if key is None or isinstance(key, bool):
        return {None: "null", True: "true", False: "false"}[key]
    return repr(key)
