"""Opening the files a config or a class names without ever blocking on them."""

from __future__ import annotations

import os
from typing import BinaryIO


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
