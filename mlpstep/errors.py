"""The exceptions mlpstep raises for problems the user can fix, and how untrusted text shows in messages."""

EXCERPT = 200
"""Most characters of one piece of input (a name, a value, a file name) a message echoes."""
MAX_MESSAGE = 2000
"""Most characters of one message: a net under the excerpts, so no input can make an error line long."""


class MlpstepError(Exception):
    """Base class of the mistakes a user can fix: one line, no traceback, exit 2 at the command line.

    ``path`` names what is wrong (a config field, an option, a file; empty when the problem names
    it itself) and ``problem`` says what, and what would fix it. The message is ``path: problem``,
    escaped and clipped here, once, so no input can make it long or move a terminal's cursor.
    """

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(clipped(f"{path}: {problem}" if path else problem))


class ConfigError(MlpstepError):
    """The config (or how it was given) is invalid.

    The message starts with the path of the offending field, e.g.
    ``layers[1].weights: 3x2, but layer 1 has 4 outputs``.
    """


class AnswerError(ConfigError):
    """An answers file cannot be graded, or one of its answers is not numbers; ``path`` is the
    file (``answers.yaml``), or the answer (``W1[0][1]``) when the file is still graded.

    A ConfigError too, for now: the reader raises ConfigError for a file it cannot read, and
    grade_file catches ConfigError for both (grade/grading.py; to become MlpstepError with it)."""


class OptionError(MlpstepError):
    """A command-line option is invalid (``--only``, ``--explain``, ``--layers``, ``--show-step``,
    a combination of options), or an argument of a call that stands for one (``step(problem, show)``);
    ``path`` is the option, or empty when the problem names several."""


class OutputError(MlpstepError):
    """The output cannot go where it was sent: ``-o`` names a directory, a read-only file or an
    input, or standard output is closed."""


class NumericError(MlpstepError):
    """The step produced a value that is not a finite float64 (overflow); the message names it."""

    def __init__(self, message: str):
        super().__init__("", message)


def printable(text: str) -> str:
    """``text`` with every control or invisible character escaped (``\\x1b``, ``\\u202e``), so that
    nothing a file holds can move the cursor, clear the screen or reorder what a terminal shows."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """Untrusted text as a message shows it: escaped, and cut to about ``limit`` characters."""
    if len(text) > limit:
        return f"{printable(text[:limit])}… ({len(text):,} characters)"
    return printable(text)


def quoted(text: str) -> str:
    """A piece of text from a file, quoted as Python does (escapes shown) and cut to 40 characters."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def clipped(message: str) -> str:
    """A whole message, at most MAX_MESSAGE characters (and escaped)."""
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + f"… ({len(message):,} characters)"
    return printable(message)


def closest(word: object, choices) -> str | None:
    """The choice a short word was probably meant as (a typo), or None; a long word is no typo,
    and comparing it would cost time quadratic in its length."""
    if not isinstance(word, str) or len(word) > 100:
        return None
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return close[0] if close else None


def key_text(key: object) -> str:
    """A mapping key as a message shows it: plain names plainly, anything odd quoted, long ones cut."""
    if isinstance(key, str) and key and key.isprintable() and key.strip() == key and len(key) <= EXCERPT:
        return key
    if key is None or isinstance(key, bool):
        return {None: "null", True: "true", False: "false"}[key]
    if isinstance(key, str):
        return repr(key) if len(key) <= EXCERPT else f"{repr(key[:EXCERPT])[:-1]}…' ({len(key):,} characters)"
    return excerpt(repr(key))
