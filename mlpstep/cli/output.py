"""What a command hands back: standard output or an ``-o`` file (written atomically), a rich
console for tables, JSON, the ``error:`` line on stderr and the exit code."""

import sys
from enum import IntEnum


class Exit(IntEnum):
    """Exit codes of every command."""

    OK = 0
    WRONG = 1  # check: some answers are wrong
    INVALID = 2  # bad input or usage: the message names the field and the fix
    INTERNAL = 3  # a bug in mlpstep: please report it (--debug shows the traceback)


def error_line(message: str, kind: str = "error") -> None:
    """``error: message`` (or ``warning: ...``) on stderr; ``message`` is escaped and clipped already
    (see errors.clipped). With stderr closed the line is lost, but the exit code still says what happened."""
    if sys.stderr is not None:
        try:
            sys.stderr.write(f"{kind}: {message}\n")
        except (OSError, ValueError):  # a closed or broken stderr: the exit code still tells
            pass


def write(text: str) -> None:
    """Write to standard output, or fail when there is none (``>&-`` closed it)."""
    _need_stdout()
    sys.stdout.write(text)


def _need_stdout() -> None:
    if sys.stdout is None:
        from ..errors import OutputError

        raise OutputError("", "standard output is closed; give -o FILE, or leave stdout open")


def json_text(data: dict) -> str:
    import json

    return json.dumps(data, allow_nan=False) + "\n"


def emit(text: str, output: str | None) -> None:
    """Write to stdout, or to ``output``: a regular file is replaced atomically (a failure never
    leaves a partial file, and an existing file keeps its mode); a device or pipe is written to.
    A file the user could not write in place (read-only, as the shell's ``>`` would refuse) is not replaced."""
    if output is None or output == "-":
        write(text)
        return
    import os
    import stat

    from ..errors import OutputError, excerpt

    if not output:
        raise OutputError("--output", "an empty file name; give the path of the file to write")
    target = os.path.realpath(output)  # through a symlink, to what it points at
    try:
        existing = os.stat(target) if os.path.exists(target) else None
        if existing is not None and stat.S_ISDIR(existing.st_mode):
            raise OutputError("--output", f"{excerpt(output)} is a directory; give the path of a file")
        if existing is not None and not os.access(target, os.W_OK):
            raise OutputError("--output", f"{excerpt(output)} is not writable (permission denied); it is left as it is")
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            with open(target, "w", encoding="utf-8") as f:  # /dev/null, a FIFO, /dev/stdout
                f.write(text)
            return
        _replace(target, text, existing)
    except OSError as e:
        raise OutputError("--output", f"cannot write {excerpt(output)} ({e.strerror or e})") from None


def _replace(target: str, text: str, existing) -> None:
    """Write ``text`` to a temporary file beside ``target`` and rename it over ``target``. The
    temporary file is removed on any failure. SIGTERM, SIGHUP and SIGINT wait until the file is
    either replaced or left as it was (and the temporary one removed), then take effect: a Python
    handler notes them, whichever thread (BLAS's too) the system gave them to."""
    import os
    import signal
    import stat
    import tempfile
    import threading

    held = [signal.SIGTERM, signal.SIGINT] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    came: list[int] = []
    before = {}
    if threading.current_thread() is threading.main_thread():
        before = {signum: signal.signal(signum, lambda signum, frame: came.append(signum)) for signum in held}
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".mlpstep-", dir=os.path.dirname(target))
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if existing is not None:
            os.chmod(tmp, stat.S_IMODE(existing.st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
        tmp = None
    finally:
        if tmp is not None:
            os.unlink(tmp)
        for signum, handler in before.items():
            signal.signal(signum, handler)
        for signum in came[:1]:  # now as if it came just after: the process ends as it would have
            os.kill(os.getpid(), signum)


def refuse_overwriting_inputs(output: str | None, inputs: list[str]) -> None:
    import os

    if output in (None, "-"):
        return
    for source in inputs:
        if source != "-" and os.path.exists(source) and os.path.realpath(source) == os.path.realpath(output):
            from ..errors import OutputError

            raise OutputError("--output", f"{output} is also an input; write the results somewhere else")


class console:
    """A rich console for tables: to the terminal, or rendered plain into ``output``."""

    def __init__(self, no_color: bool, output: str | None):
        self.no_color, self.output = no_color, output

    def __enter__(self):
        from rich.console import Console

        if self.output is None or self.output == "-":
            import os

            _need_stdout()

            plain = self.no_color or bool(os.environ.get("NO_COLOR"))
            self.console = Console(color_system=None if plain else "auto")
        else:
            import io

            self.console = Console(file=io.StringIO(), width=100, color_system=None)
        return self.console

    def __exit__(self, kind, error, traceback):
        if kind is None and self.output not in (None, "-"):
            emit(self.console.file.getvalue(), self.output)
        return False
