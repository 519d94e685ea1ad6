"""File paths from callers: checked before use, and opened with llmcost's errors.

A path with a NUL byte or a character the file system cannot encode (a lone surrogate) is
`InvalidInputError`; a file that cannot be opened (missing, a directory, no permission) is
`FileAccessError`, which is also an `OSError`. Messages show the path with `ascii()`, so a
hostile name cannot put control characters on a terminal.
"""

from __future__ import annotations

import os
from typing import IO, Any

from ._errors import FileAccessError, InvalidInputError, InvalidTypeError


def shown(name: str, limit: int = 200) -> str:
    """*name* for a message: ASCII only, shortened past *limit* characters."""
    text = ascii(name)[1:-1]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def checked_path(path: object, what: str) -> str:
    """The file-system name of *path* (`str` or `os.PathLike`), or a clear error."""
    if not isinstance(path, (str, os.PathLike)):
        msg = f"{what} must be a str or os.PathLike path, not {type(path).__name__}"
        raise InvalidTypeError(msg)
    try:
        name = os.fspath(path)
    except TypeError as e:  # an os.PathLike whose __fspath__ gives neither str nor bytes
        msg = f"{what}: {e}"
        raise InvalidTypeError(msg) from None
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    if "\x00" in name:
        msg = f"{what} {shown(name)!r} contains a NUL byte"
        raise InvalidInputError(msg)
    try:
        os.fsencode(name)
    except UnicodeError:
        msg = (
            f"{what} {shown(name)!r} cannot be encoded as a file name on this file system"
            " (a lone surrogate?)"
        )
        raise InvalidInputError(msg) from None
    return name


def open_file(path: object, mode: str, what: str, **kwargs: Any) -> IO[Any]:
    """``open(path, mode)`` with `checked_path` first and `FileAccessError` for `OSError`."""
    name = checked_path(path, what)
    try:
        return open(name, mode, **kwargs)
    except OSError as e:
        verb = "read" if "r" in mode and "+" not in mode else "write"
        msg = f"{shown(name)}: cannot {verb} the {what}: {e.strerror or e}"
        raise FileAccessError(e.errno, msg) from None
