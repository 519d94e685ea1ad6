"""Image sizes read from PNG, JPEG, GIF and WebP headers, with the standard library only.

Nothing is decoded beyond the header and nothing is ever downloaded. Reads are bounded: PNG,
GIF and WebP need at most 33 bytes; a JPEG's marker segments are skipped (seeked past in a
file, read and dropped from a pipe) up to its frame header, which must come within
`MAX_JPEG_SCAN` bytes and `MAX_JPEG_SEGMENTS` segments, so a hostile file, a pipe with endless
data or a 1.5 GB file costs at most that much reading and 64 KiB of memory.
"""

from __future__ import annotations

import base64
import binascii
import io
import os
import re
import struct
import zlib
from typing import IO, Final, NoReturn, TypeAlias
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from ._errors import FileAccessError, InvalidInputError, InvalidTypeError
from ._paths import checked_path, open_file, shown

__all__ = ["MAX_JPEG_SCAN", "MAX_JPEG_SEGMENTS", "ImageError", "ImageInput", "image_size"]

#: How far into a JPEG its frame header (SOFn) may be, in bytes and in marker segments.
MAX_JPEG_SCAN: Final = 64 * 2**20
MAX_JPEG_SEGMENTS: Final = 4_096
_MAX_FILL: Final = 64 * 1024  # 0xFF fill bytes allowed before one marker
_CHUNK: Final = 64 * 1024
_HEAD: Final = 64  # every header but JPEG's fits in this many bytes


class ImageError(InvalidInputError):
    """Image data that is truncated, corrupt, or not a PNG, JPEG, GIF or WebP image.

    `truncated` is True when the data ends inside the header, so that more bytes could
    still make it readable.

    >>> import llmcost
    >>> try:
    ...     llmcost.image_size(b"GIF89a")
    ... except llmcost.ImageError as e:
    ...     print(e, e.truncated)
    image bytes: truncated GIF header (10 bytes needed, 6 given) True
    """

    truncated: bool = False


def _truncation(msg: str) -> ImageError:
    error = ImageError(msg)
    error.truncated = True
    return error


# --- reading the size -----------------------------------------------------------------------

ImageInput: TypeAlias = bytes | bytearray | memoryview | str | os.PathLike[str]


def _file_url_path(url: str) -> str:
    """The local path of a ``file://`` URL (what urllib.request.url2pathname does, without
    importing urllib.request and the HTTP client it brings)."""
    path = urlsplit(url).path
    if os.name == "nt":  # pragma: no cover - Windows drive letters and separators
        import nturl2path

        return nturl2path.url2pathname(path)
    return unquote(path)


def image_size(image: ImageInput) -> tuple[int, int]:
    """The ``(width, height)`` in pixels of a PNG, JPEG, GIF or WebP image, read from its header.

    *image* is the file's bytes, a path (`str` or `os.PathLike`), or a ``data:`` URL. A remote
    URL is refused: llmcost never downloads. The declared media type of a data URL is ignored;
    the bytes say what they are.

    >>> import llmcost
    >>> gif = b"GIF89a" + (640).to_bytes(2, "little") + (480).to_bytes(2, "little") + bytes(3)
    >>> llmcost.image_size(gif)
    (640, 480)
    """
    if isinstance(image, bytes | bytearray | memoryview):
        return _parse(bytes(image), "image bytes")
    if isinstance(image, str):
        text = image.strip()
        if text[:5].lower() == "data:":
            return _parse(_data_url_bytes(text), "data: URL")
        if text[:7].lower() == "file://":
            return _file_size(_file_url_path(text))
        if _is_remote(text):
            msg = (
                f"{_short(text)} is a remote URL and llmcost never downloads images: "
                "pass width= and height= instead"
            )
            raise InvalidInputError(msg)
        return _file_size(image)
    if isinstance(image, os.PathLike):
        return _file_size(image)
    msg = f"image must be bytes, a file path or a data: URL string, not {type(image).__name__}"
    raise InvalidTypeError(msg)


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _is_remote(text: str) -> bool:
    return re.match(r"[a-z][a-z0-9+.-]*://", text, re.IGNORECASE) is not None


def _file_size(path: str | os.PathLike[str]) -> tuple[int, int]:
    name = checked_path(path, "image file")
    label = shown(name)
    hint = "; image= takes bytes, a file path or a data: URL"
    try:
        f = open_file(name, "rb", "image file")
    except FileAccessError as e:
        raise FileAccessError(e.errno, f"{e.strerror}{hint}") from None
    with f:
        try:
            return _parse_file(f, label)
        except OSError as e:  # a read error after opening (EIO, EISDIR on some systems)
            msg = f"{label}: cannot read the image file: {e.strerror or e}{hint}"
            raise FileAccessError(e.errno, msg) from None


def _data_url_bytes(url: str) -> bytes:
    head, comma, payload = url.partition(",")
    if not comma:
        msg = f"malformed data: URL {_short(url)} (no comma before the data)"
        raise ImageError(msg)
    params = [p.strip().lower() for p in head[5:].split(";")]
    if "base64" in params[1:]:
        return _b64decode(payload, "data: URL")
    return unquote_to_bytes(payload)


def _b64decode(data: str | bytes, where: str) -> bytes:
    text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
    text = "".join(text.split())
    text += "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(text)
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        msg = f"{where}: the image data is not valid base64"
        raise ImageError(msg) from None


_PNG_SIG: Final = b"\x89PNG\r\n\x1a\n"
_SIGNATURES: Final = (_PNG_SIG, b"\xff\xd8", b"GIF87a", b"GIF89a", b"RIFF")


def _parse(data: bytes, where: str) -> tuple[int, int]:
    """The size in the header of an image held in memory."""
    if data.startswith(b"\xff\xd8"):
        return _jpeg(_Stream(io.BytesIO(data), b""), where)
    return _parse_head(data, where)


def _parse_file(f: IO[bytes], where: str) -> tuple[int, int]:
    """The size in the header of an open image file, reading no more than the header needs."""
    head = f.read(_HEAD)
    if head.startswith(b"\xff\xd8"):
        return _jpeg(_Stream(f, head), where)
    return _parse_head(head, where)


def _parse_head(data: bytes, where: str) -> tuple[int, int]:
    if data.startswith(_PNG_SIG):
        return _png(data, where)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _gif(data, where)
    if data.startswith(b"RIFF"):
        if len(data) < 12:
            _truncated(where, "WebP", 12, len(data))
        if data[8:12] == b"WEBP":
            return _webp(data, where)
    elif any(sig.startswith(data) for sig in _SIGNATURES):
        what = "no image data" if not data else f"{len(data)} bytes are too few for an image"
        raise _truncation(f"{where}: {what}")
    msg = (
        f"{where}: not a PNG, JPEG, GIF or WebP image (starts with {data[:8].hex(' ')}); "
        "llmcost reads only these headers: pass width= and height= for other formats"
    )
    raise ImageError(msg)


def _truncated(where: str, fmt: str, need: int, have: int) -> NoReturn:
    msg = f"{where}: truncated {fmt} header ({need} bytes needed, {have} given)"
    raise _truncation(msg)


def _corrupt(where: str, fmt: str, why: str) -> ImageError:
    return ImageError(f"{where}: corrupt {fmt}: {why}")


def _checked(width: int, height: int, where: str, fmt: str) -> tuple[int, int]:
    if width <= 0 or height <= 0:
        raise _corrupt(where, fmt, f"the header gives width {width} and height {height}")
    return width, height


def _png(d: bytes, where: str) -> tuple[int, int]:
    # Signature, then the IHDR chunk: length 13, type, width, height, 5 more bytes, CRC.
    if len(d) >= 16 and d[8:16] != b"\x00\x00\x00\x0dIHDR":
        raise _corrupt(where, "PNG", "the first chunk is not a 13-byte IHDR")
    if len(d) < 33:
        _truncated(where, "PNG", 33, len(d))
    width, height = struct.unpack(">II", d[16:24])
    if zlib.crc32(d[12:29]) != struct.unpack(">I", d[29:33])[0]:
        raise _corrupt(where, "PNG", "the IHDR chunk fails its CRC check")
    if width > 2**31 - 1 or height > 2**31 - 1:
        raise _corrupt(where, "PNG", f"the header gives width {width} and height {height}")
    return _checked(width, height, where, "PNG")


def _gif(d: bytes, where: str) -> tuple[int, int]:
    if len(d) < 10:
        _truncated(where, "GIF", 10, len(d))
    width, height = struct.unpack("<HH", d[6:10])
    return _checked(width, height, where, "GIF")


def _webp(d: bytes, where: str) -> tuple[int, int]:
    if len(d) < 20:
        _truncated(where, "WebP", 20, len(d))
    chunk = d[12:16]
    if chunk == b"VP8 ":  # lossy: a VP8 key frame header
        if len(d) < 30:
            _truncated(where, "WebP", 30, len(d))
        if d[20] & 1:
            raise _corrupt(where, "WebP", "the VP8 frame is not a key frame")
        if d[23:26] != b"\x9d\x01\x2a":
            raise _corrupt(where, "WebP", "the VP8 start code is missing")
        width, height = struct.unpack("<HH", d[26:30])
        return _checked(width & 0x3FFF, height & 0x3FFF, where, "WebP")
    if chunk == b"VP8L":  # lossless: signature byte, then 14-bit width-1 and height-1
        if len(d) < 25:
            _truncated(where, "WebP", 25, len(d))
        if d[20] != 0x2F:
            raise _corrupt(where, "WebP", "the VP8L signature byte is missing")
        (bits,) = struct.unpack("<I", d[21:25])
        if bits >> 29:
            raise _corrupt(where, "WebP", f"unknown VP8L version {bits >> 29}")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":  # extended: flags, 3 reserved bytes, 24-bit canvas width-1, height-1
        if len(d) < 30:
            _truncated(where, "WebP", 30, len(d))
        width = int.from_bytes(d[24:27], "little") + 1
        height = int.from_bytes(d[27:30], "little") + 1
        return width, height
    raise _corrupt(where, "WebP", f"unknown first chunk {chunk!r}")


# Start-of-frame markers: C0-CF except DHT (C4), JPG (C8) and DAC (CC).
_SOF: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE: Final = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RST0-7: no length field


class _Stream:
    """Bytes read forward from a file in 64 KiB chunks; skipped bytes are seeked past when the
    file allows it (a pipe's are read and dropped), so memory stays at one chunk."""

    __slots__ = ("_buf", "_f", "_i", "_seekable", "offset")

    def __init__(self, f: IO[bytes], head: bytes) -> None:
        self._f = f
        self._buf = head
        self._i = 0
        self.offset = 0  # bytes consumed so far
        try:
            self._seekable = f.seekable()
        except (OSError, ValueError):
            self._seekable = False

    def read(self, n: int) -> bytes:
        """Up to *n* bytes (fewer only at the end of the data)."""
        if len(self._buf) - self._i < n:
            self._buf = self._buf[self._i :] + self._f.read(max(n, _CHUNK))
            self._i = 0
        out = self._buf[self._i : self._i + n]
        self._i += len(out)
        self.offset += len(out)
        return out

    def skip(self, n: int) -> bool:
        """Move *n* bytes on; False when the data ends first."""
        have = len(self._buf) - self._i
        if n <= have:
            self._i += n
            self.offset += n
            return True
        self._buf, self._i = b"", 0
        self.offset += have
        rest = n - have
        if self._seekable:
            here = self._f.tell()
            end = self._f.seek(0, os.SEEK_END)
            if here + rest > end:
                self.offset += end - here
                return False
            self._f.seek(here + rest)
            self.offset += rest
            return True
        while rest:
            got = len(self._f.read(min(rest, _CHUNK)))
            if not got:
                return False
            rest -= got
            self.offset += got
        return True


def _jpeg(s: _Stream, where: str) -> tuple[int, int]:
    """Walk the marker segments after SOI up to the first SOFn, which holds the frame size."""
    s.read(2)  # SOI
    for _ in range(MAX_JPEG_SEGMENTS):
        if s.offset > MAX_JPEG_SCAN:
            break
        at = s.offset
        b = s.read(1)
        if not b:
            raise _truncation(f"{where}: truncated JPEG: the data ends before the frame header")
        if b != b"\xff":
            raise _corrupt(where, "JPEG", f"expected a marker at byte {at}, found 0x{b[0]:02x}")
        fill = 0
        while b == b"\xff":  # fill bytes
            b = s.read(1)
            fill += 1
            if fill > _MAX_FILL:
                raise _corrupt(where, "JPEG", f"more than {_MAX_FILL:,} fill bytes at byte {at}")
        if not b:
            raise _truncation(f"{where}: truncated JPEG: the data ends inside a marker")
        marker = b[0]
        if marker in _STANDALONE:
            continue
        if marker in (0x00, 0xD8, 0xD9, 0xDA):
            what = {0x00: "a stuffed zero byte", 0xD8: "a second SOI", 0xD9: "EOI", 0xDA: "SOS"}
            raise _corrupt(where, "JPEG", f"{what[marker]} before the frame header (SOFn)")
        size = s.read(2)
        if len(size) < 2:
            raise _truncation(f"{where}: truncated JPEG: the data ends inside a segment length")
        (length,) = struct.unpack(">H", size)
        if length < 2:
            raise _corrupt(where, "JPEG", f"segment 0x{marker:02x} has length {length}")
        if marker in _SOF:
            if length < 11:
                raise _corrupt(where, "JPEG", f"the frame header is {length} bytes long")
            frame = s.read(5)  # precision, height, width
            if len(frame) < 5:
                raise _truncation(f"{where}: truncated JPEG: the data ends inside the frame header")
            height, width = struct.unpack(">HH", frame[1:5])
            if height == 0:
                raise _corrupt(where, "JPEG", "the height is deferred to a DNL marker")
            return _checked(width, height, where, "JPEG")
        if not s.skip(length - 2):
            raise _truncation(f"{where}: truncated JPEG: the data ends before the frame header")
    msg = (
        f"{where}: no JPEG frame header within the first {MAX_JPEG_SCAN // 2**20} MiB or "
        f"{MAX_JPEG_SEGMENTS:,} segments; llmcost reads no further: pass width= and height="
    )
    raise ImageError(msg)
