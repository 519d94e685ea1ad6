"""Text for counting: chunks checked as they stream, and files decoded incrementally."""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from typing import Final

from llmcost._errors import FileAccessError, InvalidInputError, InvalidTypeError


def checked_chunks(chunks: Iterable[str]) -> Iterator[str]:
    if isinstance(chunks, (str, bytes)) or not isinstance(chunks, Iterable):
        msg = f"chunks must be an iterable of str, not {type(chunks).__name__}"
        raise InvalidTypeError(msg)
    for i, chunk in enumerate(chunks):
        if not isinstance(chunk, str):
            msg = f"chunk {i} must be a str, not {type(chunk).__name__}"
            raise InvalidTypeError(msg)
        yield chunk


_READ: Final = 64 * 1024  # bytes read at a time


def text_codec(encoding: object) -> codecs.CodecInfo:
    if not isinstance(encoding, str):
        msg = f"encoding must be a str such as 'utf-8', not {type(encoding).__name__}"
        raise InvalidTypeError(msg)
    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        msg = f"unknown text encoding {encoding!r}"
        raise InvalidInputError(msg) from None
    if not getattr(info, "_is_text_encoding", True):
        msg = (
            f"{encoding!r} is not a text encoding (it maps bytes to bytes or str to str); "
            "pass the encoding the file's text is in, such as 'utf-8'"
        )
        raise InvalidInputError(msg)
    return info


def read_text(path: str, info: codecs.CodecInfo) -> Iterator[str]:
    decoder = info.incrementaldecoder(errors="replace")
    try:
        f = open(path, "rb")  # noqa: SIM115 (closed below, also when the generator is dropped)
    except OSError as e:
        msg = f"cannot read {path!r}: {e.strerror or e}"
        raise FileAccessError(e.errno, msg) from None
    with f:
        try:
            while data := f.read(_READ):
                yield decoder.decode(data)
            yield decoder.decode(b"", final=True)
        except UnicodeError as e:
            msg = f"{path!r} cannot be decoded as {info.name}: {e}"
            if info.name in ("utf-16", "utf-32"):
                msg += f" (no byte-order mark: pass {info.name}-le or {info.name}-be)"
            raise InvalidInputError(msg) from None
        except OSError as e:
            msg = f"cannot read {path!r}: {e.strerror or e}"
            raise FileAccessError(e.errno, msg) from None


