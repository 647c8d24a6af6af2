"""Opening the files a config or a class names without ever blocking on them, and refusing what
is not a regular file."""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

from ..errors import ConfigError, excerpt


def open_without_blocking(path: str | os.PathLike, follow_symlinks: bool = True) -> tuple[BinaryIO, int]:
    """``path`` opened for reading, and its mode (``os.fstat``). It is opened non-blocking, so a
    FIFO nobody writes to or a device cannot hang the open, then made blocking again for reading.
    Without ``follow_symlinks`` a symbolic link fails to open (OSError ELOOP)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a pipe with a writer: wait for what it writes
        return os.fdopen(fd, "rb"), mode
    except BaseException:
        os.close(fd)
        raise


_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a directory",
}  # fmt: skip


def read_any(name: str, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a config: a file, or a pipe (``<(mlpstep init ...)``) or a
    device. Opened without blocking, so a FIFO nobody writes to reads as empty instead of hanging."""
    f, mode = open_without_blocking(name)
    with f:
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        raw = f.read(limit + 1)  # at most the cap: devices and pipes have no size
    if not raw and stat.S_ISFIFO(mode):
        raise ConfigError(excerpt(name), "a FIFO (named pipe) with nothing written to it; give a config file")
    return raw


_LINKED = "is a symbolic link, which is not graded (--follow-symlinks grades links)"


def read_regular(name: str, limit: int, follow_symlinks: bool) -> bytes:
    """At most ``limit + 1`` bytes of a regular file. Anything else is refused before it is opened:
    a symbolic link, or a path through a linked folder (unless links are followed), a FIFO, a
    device or a socket. It is opened without blocking and checked again, so nothing can hang."""
    shown = excerpt(name)
    if not follow_symlinks:
        linked = _linked_part(name)
        if linked == name:
            raise ConfigError(shown, _LINKED)
        if linked is not None:
            raise ConfigError(
                shown,
                f"is reached through {excerpt(linked)}, a symbolic link, and is not graded (--follow-symlinks grades "
                f"links)",
            )
    _refuse_special(shown, (os.stat if follow_symlinks else os.lstat)(name).st_mode)
    try:  # a link swapped in after the checks above fails here
        f, mode = open_without_blocking(name, follow_symlinks)
    except OSError as e:
        if not follow_symlinks and e.errno == errno.ELOOP:
            raise ConfigError(shown, _LINKED) from None
        raise
    with f:
        _refuse_special(shown, mode)
        return f.read(limit + 1)


def _refuse_special(shown: str, mode: int) -> None:
    kind = stat.S_IFMT(mode)
    if kind != stat.S_IFREG:
        raise ConfigError(shown, f"is {_KINDS.get(kind, 'not a regular file')}, not a regular file; it is not read")


def _linked_part(name: str) -> str | None:
    """The first part of the path ``name`` that is a symbolic link, or None. Of an absolute path,
    the folder at the top is not looked at (``/tmp`` and ``/var`` are links on some systems)."""
    parts = os.path.normpath(name).split(os.sep)
    start = 2 if os.path.isabs(name) else 1
    for end in range(start, len(parts) + 1):
        part = os.sep.join(parts[:end]) or os.sep
        if os.path.islink(part):
            return name if end == len(parts) else part
    return None
