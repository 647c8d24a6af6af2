"""Matrices and vectors kept in files, for ``{file: W1.npy}`` in a config.

``.npy`` and ``.npz`` are NumPy's own formats, read without pickles; ``.csv``
holds numbers separated by commas, one row per line (``#`` comments and blank
lines allowed), and always reads as a matrix. What a file would cost is checked
before its data is read: a .npy header's shape against MAX_FILE_VALUES, a .csv
file's size against MAX_CSV_BYTES. The arrays come back as stored (booleans,
integers or floats); the config turns them into float64 and checks them.
"""

from __future__ import annotations

import math
import os
import re
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

from ..errors import ConfigError, excerpt, key_text

if TYPE_CHECKING:
    from ..limits import Budget

FORMATS = (".npy", ".npz", ".csv")
MAX_FILE_VALUES = 100_000_000
"""Most numbers one array file may hold: 800 MB as float64."""
MAX_CSV_BYTES = 32 * 1024 * 1024
"""Largest .csv file read, in bytes (a few million numbers)."""
CSV_READING = (40, 12)
"""What NumPy's loadtxt takes at its peak: up to about 33 bytes a value (a row of empty cells)
and 10 bytes a byte of text (one long number); charged to the budget before it starts."""
CSV_EXPLAINED = 1024 * 1024
"""Largest .csv text whose first bad line is found and named; a bigger one gets NumPy's message
(finding the line walks every cell in Python: 15 s for 64 MiB)."""
MAX_NPZ_MEMBERS = 10_000
"""Most members a .npz file may hold: its directory is read whole before any member is..."""
MAX_NPZ_DIRECTORY = 4 * 1024 * 1024
"""... and so is its size, in bytes (zipfile reads what the end record says, whatever the count)."""
REAL_KINDS = "biuf"
"""NumPy dtype kinds read as numbers: booleans, signed and unsigned integers, floats."""

_READ: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
"""The arrays read here, by id, while they live: only the Problem holds them."""

_NUMBER = re.compile(r"[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|inf|infinity|nan)", re.IGNORECASE)
"""A number as a .csv cell may spell it; each digit belongs to one part only (no backtracking)."""


def read_array_file(file: str, key: str | None, base: Path, path: str, budget: Budget | None = None) -> np.ndarray:
    """The array in ``file`` (relative to ``base`` unless absolute); ``key`` names one array of a .npz.

    ``path`` is the config field the file was given for, for messages: ``layers[0].weights``.
    Only a regular file is read (a FIFO or a device is refused before it can block), and what
    the array will take in memory is charged to ``budget`` before its data is read.
    """
    where = f"{path}.file"
    name = key_text(file)  # as the config wrote it, quoted if it holds anything odd
    suffix = Path(file).suffix.lower()
    if suffix not in FORMATS:
        shown = f"a {key_text(suffix)} file" if suffix else "a file without an extension"
        raise ConfigError(where, f"{name} is {shown}; give a .npy, .npz or .csv file")
    if key is not None and suffix != ".npz":
        raise ConfigError(
            f"{path}.key", f"only a .npz file holds named arrays, and {name} is a {suffix} file; remove key"
        )
    target = Path(base, file)
    try:
        f = _open_regular(target, name, where)
    except FileNotFoundError:
        raise ConfigError(where, f"{name} not found (looked for {key_text(os.path.abspath(target))})") from None
    except IsADirectoryError:
        raise ConfigError(where, f"{name} is a directory, not a file") from None
    except PermissionError:
        raise ConfigError(where, f"{name} cannot be read: permission denied; check the file's permissions") from None
    except (OSError, ValueError) as e:  # ValueError: a NUL character in the name
        raise ConfigError(where, f"{name} cannot be opened ({getattr(e, 'strerror', None) or e})") from None
    with f:
        try:
            if suffix == ".npy":
                array = _read_npy(f, name, where, budget)
            elif suffix == ".npz":
                array = _read_npz(f, name, key, path, budget)
            else:
                array = _read_csv(f, name, where, budget)
        except MemoryError:
            raise ConfigError(where, f"{name} does not fit in memory") from None
        except OSError as e:
            raise ConfigError(where, f"{name} cannot be read ({e.strerror or e})") from None
    array.flags.writeable = False
    _READ[id(array)] = array
    return array


def read_from_file(array: np.ndarray) -> bool:
    """Whether ``array`` is one this module read: nothing else holds it, so it needs no copy."""
    return _READ.get(id(array)) is array


def _open_regular(target: Path, name: str, where: str) -> BinaryIO:
    """``target`` opened for reading if it is a regular file; a FIFO or a device is refused
    without blocking on it (opened non-blocking, checked, then read as usual)."""
    import stat

    from .files import open_without_blocking

    f, mode = open_without_blocking(target)
    if stat.S_ISREG(mode):
        return f
    f.close()
    if stat.S_ISDIR(mode):
        raise IsADirectoryError
    raise ConfigError(where, f"{name} is not a regular file (a FIFO or a device); give a .npy, .npz or .csv file")


def _read_npy(f: BinaryIO, name: str, where: str, budget: Budget | None = None) -> np.ndarray:
    """A .npy array; its header is checked, and its size charged to ``budget``, before its data is read."""
    from numpy.lib import format as npy

    try:
        version = npy.read_magic(f)
        read_header = {(1, 0): npy.read_array_header_1_0, (2, 0): npy.read_array_header_2_0}.get(version)
        if read_header is None:
            raise ValueError(f"format version {version[0]}.{version[1]} holds no plain numbers")
        shape, _, dtype = read_header(f)
    except (ValueError, EOFError, SyntaxError, TypeError, OverflowError) as e:
        raise ConfigError(where, f"{name} is not a valid .npy file ({_first_line(e)})") from None
    if dtype.hasobject:
        raise ConfigError(
            where, f"{name} holds Python objects (a pickle), which are never loaded; save an array of numbers"
        )
    if dtype.kind not in REAL_KINDS:
        raise ConfigError(where, f"{name} holds {dtype} values; save real numbers (booleans, integers or floats)")
    if not all(type(n) is int and 0 <= n < 2**62 for n in shape):  # (True, 4), (-1,), (2**63, 0)
        raise ConfigError(
            where, f"{name} is not a valid .npy file (its shape {excerpt(repr(shape))} is not a list of sizes)"
        )
    count = math.prod(shape)
    if count > MAX_FILE_VALUES:
        raise ConfigError(
            where, f"{name} holds {count:,} values, more than the {MAX_FILE_VALUES:,} one file may hold; refused"
        )
    if budget is not None:  # as stored, and as float64 when it is converted
        budget.take(count * (dtype.itemsize + (0 if dtype == np.float64 else 8)), where, name)
    f.seek(0)
    try:
        return npy.read_array(f, allow_pickle=False)
    except (ValueError, EOFError) as e:
        raise ConfigError(where, f"{name} is not a valid .npy file ({_first_line(e)})") from None


def _read_npz(f: BinaryIO, name: str, key: str | None, path: str, budget: Budget | None = None) -> np.ndarray:
    """One array of a .npz archive: the one named ``key``, or its only one."""
    import zipfile
    import zlib

    where = f"{path}.file"
    members, directory = _zip_directory(f)
    if members > MAX_NPZ_MEMBERS:
        many = f"{members:,} members" + (" or more" if members == 0xFFFF else "")
        raise ConfigError(where, f"{name} holds {many}, more than the {MAX_NPZ_MEMBERS:,} a .npz file may; refused")
    if directory > MAX_NPZ_DIRECTORY:
        raise ConfigError(
            where,
            f"{name} has a directory of {directory:,} bytes, more than the {MAX_NPZ_DIRECTORY:,} a .npz file may; "
            f"refused",
        )
    try:
        with zipfile.ZipFile(f) as archive:
            keys = [member.removesuffix(".npy") for member in archive.namelist() if member.endswith(".npy")]
            if not keys:
                raise ConfigError(where, f"{name} holds no arrays")
            if key is None and len(keys) > 1:
                raise ConfigError(
                    f"{path}.key",
                    f"missing; {name} holds {len(keys)} arrays ({_listed(keys)}): name one, e.g. key: "
                    f"{key_text(keys[0])}",
                )
            if key is None:
                key = keys[0]
            if key not in keys:
                raise ConfigError(
                    f"{path}.key", f"{name} holds no array named {key_text(key)}; it holds {_listed(keys)}"
                )
            with archive.open(key + ".npy") as member:
                return _read_npy(member, f"{name}[{key_text(key)}]", where, budget)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        RuntimeError,
    ) as e:  # RuntimeError: encrypted
        raise ConfigError(where, f"{name} is not a valid .npz file ({_first_line(e)})") from None


def _zip_directory(f: BinaryIO) -> tuple[int, int]:
    """The members a zip file says it holds and the bytes of its directory, from its end record,
    read before the directory is; (0, 0) without an end record (zipfile then says what is wrong).
    0xFFFF members or 0xFFFFFFFF bytes mean at least that many (ZIP64 holds the real figures)."""
    import struct

    size = f.seek(0, os.SEEK_END)
    f.seek(max(0, size - 22 - 65535))  # the end record (22 bytes) and a comment of up to 64 KiB
    tail = f.read()
    f.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return 0, 0
    members, directory = struct.unpack("<HL", tail[at + 10 : at + 16])
    return members, directory


def _read_csv(f: BinaryIO, name: str, where: str, budget: Budget | None = None) -> np.ndarray:
    """A .csv file of numbers as a matrix, one row per line (ended by LF, CRLF or CR alone)."""
    import io
    import warnings

    raw = f.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        raise ConfigError(where, f"{name} is larger than {MAX_CSV_BYTES // 2**20} MiB; save big arrays as .npy")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(where, f"{name} is not UTF-8 text; a .csv file holds numbers separated by commas") from None
    if "\r" in text:  # old Mac line ends, alone or in CRLF pairs: one line each
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if budget is not None:  # at most a value per comma or line
        cells = text.count(",") + text.count("\n") + 1
        budget.take(8 * cells, where, name, reading=max(CSV_READING[0] * cells, CSV_READING[1] * len(text)))
    # lines of spaces are blank lines too (a pattern that starts with a newline scans fast: ~6x)
    text = re.sub(r"\n[ \t\r]+(?=\n)", "\n", "\n" + text + "\n")[1:-1]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an empty file: refused below
            array = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.float64, ndmin=2)
    except ValueError as e:
        explained = _csv_problem(text) if len(text) <= CSV_EXPLAINED else None
        raise ConfigError(where, f"{name} {explained or _first_line(e).split('; use `usecols`')[0]}") from None
    if not array.size:
        raise ConfigError(where, f"{name} holds no numbers")
    return array


def _csv_problem(text: str) -> str | None:
    """Where a .csv text NumPy refused goes wrong first, as ``line N, column M: ...``."""
    width = None
    for number, line in enumerate(text.splitlines(), 1):
        content = line.split("#", 1)[0]
        if not content.strip():
            continue
        cells = content.split(",")
        for column, cell in enumerate(cells, 1):
            if not _NUMBER.fullmatch(cell.strip()):
                shown = repr(cell.strip()[:20]) + " is not a number" if cell.strip() else "an empty cell"
                return f"line {number}, column {column}: {shown}"
        width = width or len(cells)
        if len(cells) != width:
            return f"line {number}: {len(cells)} values, but the first row has {width}; every row needs the same length"
    return None


def _listed(keys: list[str]) -> str:
    return ", ".join(map(key_text, keys[:10])) + (f", ... ({len(keys)} in all)" if len(keys) > 10 else "")


def _first_line(e: BaseException) -> str:
    """The first line of an error from NumPy or zipfile, cut short: it may quote the file."""
    return excerpt((str(e).strip().splitlines() or [type(e).__name__])[0])
