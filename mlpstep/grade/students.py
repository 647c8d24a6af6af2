"""Whose answers a file holds, for ``check --variants``: its ``student:`` key, else its name, else
Gradescope's submission_metadata.json (``users[0].sid``, then ``email``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import ConfigError, OptionError, excerpt
from ..loading.reader import MAX_VALUES, Untrusted, read_config
from ..loading.values import STUDENT_ID


def metadata_ids(path: str) -> list[str]:
    """The ids Gradescope's submission_metadata.json gives the submitter: ``users[0].sid``, then ``email``."""
    try:
        data = read_config(path)
    except ConfigError as e:
        raise OptionError("--metadata", str(e)) from None
    users = data.get("users") if isinstance(data, dict) else None
    user = users[0] if isinstance(users, list) and users and isinstance(users[0], dict) else {}
    ids = [str(user[key]).strip() for key in ("sid", "email") if isinstance(user.get(key), (str, int))]
    if not any(ids):
        raise OptionError("--metadata", f"{excerpt(path)} names no student: it has no users[0].sid or email")
    return [i for i in ids if i]


def student_of(
    source: str,
    has_variant: Callable[[str], bool],
    where: str,
    metadata: list[str] = (),
    follow_symlinks: bool = False,
) -> tuple[str | None, str | None]:
    """``(id, None)`` for the student whose variant (in the folder ``where``) grades ``source``, else
    ``(None, why not)``.

    A ``student:`` key decides (its student must have a variant); else the file's name (``s101.yaml``)
    when a variant has that name; else the first id of ``metadata`` that has one. A file that cannot
    be read is left to the grading, which says why; its name or the metadata may still name it."""
    claimed, unreadable = _student_key(source, follow_symlinks)
    if type(claimed) is int:  # student: 12345, written without quotes
        claimed = str(claimed)
    if claimed is not None:
        if not (isinstance(claimed, str) and STUDENT_ID.fullmatch(claimed)):
            return None, f"student: {excerpt(repr(claimed), 40)} is not a student id"
        return (claimed, None) if has_variant(claimed) else (None, f"student {claimed} has no variant in {where}")
    stem = Path(source).name.partition(".")[0]
    for candidate in [stem, *metadata]:
        if STUDENT_ID.fullmatch(candidate) and has_variant(candidate):
            return candidate, None
    if metadata:
        named = " or ".join(excerpt(i, 40) for i in metadata)
        return None, f"student {named} (of --metadata) has no variant in {where}"
    if unreadable is not None:  # no name or metadata says whose, and the file says nothing: why it cannot
        return None, unreadable
    return None, f"it names no student of {where}: add student: ID to it, or name it ID.yaml"


def _student_key(source: str, follow_symlinks: bool) -> tuple[object, str | None]:
    """The file's ``student:`` value (None when it has none), and why it cannot be read (None when it can)."""
    try:
        data = read_config(source, untrusted=Untrusted(MAX_VALUES, follow_symlinks))
    except ConfigError as e:
        return None, e.problem
    return (data.get("student") if isinstance(data, dict) else None), None
