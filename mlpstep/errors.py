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
