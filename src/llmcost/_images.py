"""Image input tokens: an image's size read from its header, then the vendor's documented rule.

Sizes come from PNG, JPEG, GIF and WebP headers, parsed with the standard library only; nothing
is decoded beyond the header and nothing is ever downloaded. The rules, with their sources, are
in `_RULES` below: one table, matched on the canonical model id (never a bare prefix).
"""

from __future__ import annotations

import base64
import binascii
import math
import os
import re
import struct
import zlib
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Final, NoReturn, Protocol, TypeAlias
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import attrs

from ._errors import InvalidInputError, InvalidTypeError

if TYPE_CHECKING:
    from ._registry import ModelPrice, Registry

__all__ = ["ImageError", "image_part_tokens", "image_size", "image_tokens", "is_image_part"]


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


#: The size `image_part_tokens` assumes for an image it cannot see (a remote URL or an uploaded
#: file id) when neither the part nor the caller gives one: a common photo and screenshot size,
#: within every vendor's size limits, so the count is that of a typical full-resolution image.
#: It is not an upper bound: the rules reach their maximum at other sizes (gpt-4o: 1445 tokens
#: at 768x2048 against 765 here; Claude: about 1600 against 1399). The count is marked inexact.
REMOTE_IMAGE_SIZE: Final = (1024, 1024)

_DETAILS: Final = ("low", "high", "auto")
_FILE_HEAD = 64 * 1024


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
    name = os.fspath(path)
    label = name if len(name) <= 200 else _short(name)
    try:
        with open(name, "rb") as f:
            head = f.read(_FILE_HEAD)
            try:
                return _parse(head, label)
            except ImageError as e:
                rest = f.read() if e.truncated else b""  # APPn segments past the first 64 KiB
                if not rest:
                    raise
            return _parse(head + rest, label)
    except OSError as e:
        msg = (
            f"{label}: cannot read the image file ({e.strerror or e}); image= takes bytes, "
            "a file path or a data: URL"
        )
        raise InvalidInputError(msg) from None


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
    if data.startswith(_PNG_SIG):
        return _png(data, where)
    if data.startswith(b"\xff\xd8"):
        return _jpeg(data, where)
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


def _jpeg(d: bytes, where: str) -> tuple[int, int]:
    """Walk the marker segments after SOI up to the first SOFn, which holds the frame size."""
    n, i = len(d), 2
    while True:
        if i >= n:
            raise _truncation(f"{where}: truncated JPEG: the data ends before the frame header")
        if d[i] != 0xFF:
            raise _corrupt(where, "JPEG", f"expected a marker at byte {i}, found 0x{d[i]:02x}")
        while i < n and d[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            raise _truncation(f"{where}: truncated JPEG: the data ends inside a marker")
        marker = d[i]
        i += 1
        if marker in _STANDALONE:
            continue
        if marker in (0x00, 0xD8, 0xD9, 0xDA):
            what = {0x00: "a stuffed zero byte", 0xD8: "a second SOI", 0xD9: "EOI", 0xDA: "SOS"}
            raise _corrupt(where, "JPEG", f"{what[marker]} before the frame header (SOFn)")
        if i + 2 > n:
            raise _truncation(f"{where}: truncated JPEG: the data ends inside a segment length")
        (length,) = struct.unpack(">H", d[i : i + 2])
        if length < 2:
            raise _corrupt(where, "JPEG", f"segment 0x{marker:02x} has length {length}")
        if marker in _SOF:
            if length < 11:
                raise _corrupt(where, "JPEG", f"the frame header is {length} bytes long")
            if i + 7 > n:
                raise _truncation(f"{where}: truncated JPEG: the data ends inside the frame header")
            height, width = struct.unpack(">HH", d[i + 3 : i + 7])
            if height == 0:
                raise _corrupt(where, "JPEG", "the height is deferred to a DNL marker")
            return _checked(width, height, where, "JPEG")
        i += length


# --- the rules ------------------------------------------------------------------------------


class _Rule(Protocol):
    @property
    def doc(self) -> str: ...  # the vendor page the rule comes from

    def tokens(self, width: int, height: int, detail: str) -> int: ...

    def uses_size(self, detail: str) -> bool: ...


@attrs.frozen
class _Tiles:
    """OpenAI 512-px tiles: low is *base*; high fits 2048x2048, then shortest side 768 (both only
    ever shrink), then *base* + *per_tile* per 512-px tile. Exact rational arithmetic."""

    base: int
    per_tile: int
    doc: str

    def tokens(self, width: int, height: int, detail: str) -> int:
        if detail == "low":
            return self.base
        fit = min(Fraction(1), Fraction(2048, max(width, height)))
        w, h = width * fit, height * fit
        short = min(Fraction(1), Fraction(768) / min(w, h))
        tiles = math.ceil(w * short / 512) * math.ceil(h * short / 512)
        return self.base + self.per_tile * tiles

    def uses_size(self, detail: str) -> bool:
        return detail != "low"


@attrs.frozen
class _Patches:
    """OpenAI 32-px patches: at most 1536, the image shrunk by the documented two-step factor
    when more are needed, then times a per-model multiplier (rounded up). No detail levels."""

    multiplier: Fraction
    doc: str

    def tokens(self, width: int, height: int, detail: str) -> int:
        return math.ceil(_patch_count(width, height) * self.multiplier)

    def uses_size(self, detail: str) -> bool:
        return True


def _patch_count(width: int, height: int, budget: int = 1536, patch: int = 32) -> int:
    raw = math.ceil(width / patch) * math.ceil(height / patch)
    if raw <= budget:
        return raw
    r = math.sqrt(patch * patch * budget / (width * height))
    cols, rows = width * r / patch, height * r / patch
    # The second factor makes the tighter side a whole number of patches; a side under one
    # patch (a very thin image) stays one patch and does not take part.
    fits = [math.floor(x) / x for x in (cols, rows) if x >= 1]
    r2 = min(fits) if fits else 1.0
    eps = 1e-9  # the tighter side lands on an integer up to float rounding
    used = max(1, math.ceil(cols * r2 - eps)) * max(1, math.ceil(rows * r2 - eps))
    return min(used, budget)


@attrs.frozen
class _Area:
    """Anthropic: shrink (keeping the aspect ratio) until the long edge is at most *long_edge*
    and the area at most *max_pixels*, then ceil(width * height / 750). Exact arithmetic."""

    long_edge: int
    max_pixels: int
    doc: str

    def tokens(self, width: int, height: int, detail: str) -> int:
        area = width * height
        shrink = min(
            Fraction(1),
            Fraction(self.long_edge**2, max(width, height) ** 2),
            Fraction(self.max_pixels, area),
        )
        return math.ceil(area * shrink / 750)

    def uses_size(self, detail: str) -> bool:
        return True


@attrs.frozen
class _GeminiTiles:
    """Gemini 2.x: 258 tokens when both sides are at most 384 px, else 258 per 768x768 tile."""

    doc: str

    def tokens(self, width: int, height: int, detail: str) -> int:
        if width <= 384 and height <= 384:
            return 258
        return 258 * math.ceil(width / 768) * math.ceil(height / 768)

    def uses_size(self, detail: str) -> bool:
        return True


@attrs.frozen
class _Fixed:
    """A flat count per image, whatever its size."""

    count: int
    doc: str

    def tokens(self, width: int, height: int, detail: str) -> int:
        return self.count

    def uses_size(self, detail: str) -> bool:
        return False


_OPENAI_DOC = "https://platform.openai.com/docs/guides/images-vision#calculating-costs"
_OPENAI_DOC_2024 = "https://platform.openai.com/docs/guides/vision#calculating-costs"
_ANTHROPIC_DOC = "https://platform.claude.com/docs/en/build-with-claude/vision#evaluate-image-size"
_GEMINI_DOC = "https://ai.google.dev/gemini-api/docs/tokens#multimodal-tokens"
_GEMINI3_DOC = "https://ai.google.dev/gemini-api/docs/media-resolution#token-counts"

_TILES_4O = _Tiles(85, 170, _OPENAI_DOC)

#: Every image rule, checked 2026-11-28: (full-match pattern on the normalised canonical id,
#: rule). Patterns are anchored at both ends, so ``gpt-4o`` never matches ``gpt-4o-mini``; an
#: id that matches none has no documented rule and raises.
_RULES: Final[tuple[tuple[re.Pattern[str], _Rule], ...]] = tuple(
    (re.compile(pattern), rule)
    for pattern, rule in (
        # OpenAI "GPT 4o, GPT-4.1, GPT-4o-mini, CUA, and o-series (except o4-mini)": tiles.
        (r"gpt-4o|chatgpt-4o(-latest)?|gpt-4\.1|gpt-4\.5(-preview)?", _TILES_4O),
        # gpt-4-turbo is in the 2024 guide (85 + 170 per tile), no longer in the current one.
        (r"gpt-4-turbo", _Tiles(85, 170, _OPENAI_DOC_2024)),
        (r"gpt-4o-mini", _Tiles(2833, 5667, _OPENAI_DOC)),
        (r"o1|o1-pro|o3", _Tiles(75, 150, _OPENAI_DOC)),
        (r"computer-use-preview", _Tiles(65, 129, _OPENAI_DOC)),
        (r"gpt-5|gpt-5-chat(-latest)?", _Tiles(70, 140, _OPENAI_DOC)),
        # OpenAI 32-px patch models, with the multipliers of the same page.
        (r"gpt-4\.1-mini|gpt-5-mini", _Patches(Fraction("1.62"), _OPENAI_DOC)),
        (r"gpt-4\.1-nano|gpt-5-nano", _Patches(Fraction("2.46"), _OPENAI_DOC)),
        (r"o4-mini", _Patches(Fraction("1.72"), _OPENAI_DOC)),
        # Anthropic: Claude 3 and Claude 4 up to 4.6 shrink to a 1568-px long edge and about
        # 1600 tokens (1.2 MP); Opus 4.7 reads up to a 2576-px long edge, about 3.75 MP.
        (r"claude-3(-[57])?-(opus|sonnet|haiku)", _Area(1568, 1_200_000, _ANTHROPIC_DOC)),
        (r"claude-(opus|sonnet|haiku)-4(-[0-6])?", _Area(1568, 1_200_000, _ANTHROPIC_DOC)),
        (r"claude-opus-4-7", _Area(2576, 3_750_000, _ANTHROPIC_DOC)),
        # Google: 1.5 counted 258 per image; 2.x tiles; 3.x allots by media_resolution, whose
        # default for images is MEDIA_RESOLUTION_HIGH, at most 1120 tokens.
        (r"gemini-1\.5-(pro|flash)(-[a-z0-9.-]+)?", _Fixed(258, _GEMINI_DOC)),
        (r"gemini-2\.[05]-[a-z0-9.-]+", _GeminiTiles(_GEMINI_DOC)),
        (r"gemini-3(\.\d+)?-[a-z0-9.-]+", _Fixed(1120, _GEMINI3_DOC)),
    )
)

# Snapshot and platform decorations that do not change the model: a date suffix, Bedrock's
# region/vendor prefix and version suffix, and any "host/" prefix.
_DATE_SUFFIX: Final = re.compile(r"[-@](\d{4}-\d{2}-\d{2}|\d{8})$")
_BEDROCK: Final = re.compile(r"^(?:[a-z]{2}\.)?anthropic\.|-v\d+(?::\d+)?$")


def _normalise(model: str) -> str:
    name = model.strip().lower().rsplit("/", 1)[-1]
    name = _BEDROCK.sub("", name)
    return _DATE_SUFFIX.sub("", name)


def _rule_for(model: str) -> _Rule:
    name = _normalise(model)
    for pattern, rule in _RULES:
        if pattern.fullmatch(name):
            return rule
    msg = (
        f"model {model!r} does not take images, or llmcost knows no documented image token "
        "rule for it; count the image with a model that has one, or leave it out"
    )
    raise InvalidInputError(msg)


# --- public counting ------------------------------------------------------------------------


def _check_detail(detail: object) -> str:
    if not isinstance(detail, str):
        msg = f"detail must be 'low', 'high' or 'auto', not {type(detail).__name__}"
        raise InvalidTypeError(msg)
    if detail not in _DETAILS:
        msg = f"detail must be 'low', 'high' or 'auto', not {detail!r}"
        raise InvalidInputError(msg)
    # "auto" lets the vendor choose; we count "high", the larger, so budgets are not exceeded.
    return "high" if detail == "auto" else detail


def _check_side(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{name} must be an int number of pixels, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    if value <= 0:
        msg = f"{name} must be a positive number of pixels, not {value}"
        raise InvalidInputError(msg)
    return value


def image_tokens(
    model: str,
    *,
    width: int | None = None,
    height: int | None = None,
    image: ImageInput | None = None,
    detail: str = "auto",
    registry: Registry | None = None,
) -> int:
    """The input tokens one image costs on *model*, by the vendor's documented rule.

    Give the size (*width* and *height*), or the *image* itself: bytes, a file path or a
    ``data:`` URL (PNG, JPEG, GIF or WebP; only the header is read). *detail* is OpenAI's
    ``"low"``, ``"high"`` or ``"auto"``; ``"auto"`` counts as ``"high"``, the larger of the two.
    Other vendors and OpenAI's patch-based models have no detail levels and ignore it.
    Raises `ImageError` for an unreadable image, `InvalidInputError` for a model without a
    documented image rule (one that does not take images, for instance) and
    `UnknownModelError` for a name the registry does not know.

    >>> import llmcost
    >>> llmcost.image_tokens("gpt-4o", width=1024, height=1024, detail="high")
    765
    >>> llmcost.image_tokens("claude-sonnet-4-5", width=1000, height=1000)
    1334
    """
    from ._registry import get_price

    level = _check_detail(detail)
    if image is not None and (width is not None or height is not None):
        msg = "give either image= or width= and height=, not both"
        raise InvalidInputError(msg)
    if image is None and (width is None or height is None):
        msg = "give the image's width= and height=, or the image= itself"
        raise InvalidInputError(msg)
    if image is None:
        size = (_check_side("width", width), _check_side("height", height))
    rule = _rule_for(get_price(model, registry=registry).model)
    if image is not None:
        size = image_size(image)
    return rule.tokens(*size, level)


# --- chat message parts ---------------------------------------------------------------------

_GEMINI_INLINE: Final = ("inline_data", "inlineData")
_GEMINI_FILE: Final = ("file_data", "fileData")


def is_image_part(part: object) -> bool:
    """Whether a chat content part is an image in one of the shapes `image_part_tokens` reads."""
    if not isinstance(part, Mapping):
        return False
    if part.get("type") in ("image_url", "input_image", "image"):
        return True
    for key in (*_GEMINI_INLINE, *_GEMINI_FILE):
        blob = part.get(key)
        if isinstance(blob, Mapping):
            mime = blob.get("mime_type", blob.get("mimeType"))
            return mime is None or (isinstance(mime, str) and mime.startswith("image/"))
    return False


@attrs.frozen
class _Found:
    data: bytes | None  # the image's bytes, when the part carries them
    detail: object
    what: str  # for messages: where the bytes came from, or what the remote reference is


def _found_url(url: object, detail: object, shape: str) -> _Found:
    if not isinstance(url, str):
        msg = f"{shape}: the image URL must be a string, not {type(url).__name__}"
        raise InvalidTypeError(msg)
    text = url.strip()
    if text[:5].lower() == "data:":
        return _Found(_data_url_bytes(text), detail, f"{shape} data: URL")
    return _Found(None, detail, f"{shape} URL {_short(text)}")


def _locate(part: Mapping[str, object]) -> _Found:
    """The image that *part* carries or refers to, in any of the supported message shapes."""
    kind = part.get("type")
    detail = part.get("detail", "auto")
    if kind == "image_url" or (kind is None and "image_url" in part and "source" not in part):
        ref = part.get("image_url")  # Chat Completions: {"url": ..., "detail": ...}
        if isinstance(ref, Mapping):
            return _found_url(ref.get("url"), ref.get("detail", detail), "image_url part")
        return _found_url(ref, detail, "image_url part")
    if kind == "input_image":  # Responses API: image_url string or an uploaded file_id
        if part.get("image_url") is None and isinstance(part.get("file_id"), str):
            return _Found(None, detail, f"input_image file_id {part['file_id']!r}")
        return _found_url(part.get("image_url"), detail, "input_image part")
    source = part.get("source")
    if kind == "image" or isinstance(source, Mapping):  # Anthropic image block
        if not isinstance(source, Mapping):
            msg = "Anthropic image part: 'source' must be a mapping"
            raise InvalidInputError(msg)
        stype = source.get("type")
        if stype == "base64":
            data = source.get("data")
            if not isinstance(data, str | bytes):
                msg = "Anthropic image part: source 'data' must be a base64 string"
                raise InvalidTypeError(msg)
            return _Found(_b64decode(data, "Anthropic base64 image"), detail, "base64 source")
        if stype == "url":
            return _found_url(source.get("url"), detail, "Anthropic image part")
        if stype == "file":
            return _Found(None, detail, f"Anthropic file {source.get('file_id')!r}")
        msg = f"Anthropic image part: unknown source type {stype!r}"
        raise InvalidInputError(msg)
    for key in _GEMINI_INLINE:  # Gemini inline_data / inlineData: raw base64
        blob = part.get(key)
        if isinstance(blob, Mapping):
            _check_image_mime(blob, key)
            data = blob.get("data")
            if isinstance(data, bytes | bytearray):  # SDK objects carry raw bytes
                return _Found(bytes(data), detail, f"Gemini {key}")
            if not isinstance(data, str):
                msg = f"Gemini {key}: 'data' must be a base64 string"
                raise InvalidTypeError(msg)
            return _Found(_b64decode(data, f"Gemini {key}"), detail, f"Gemini {key}")
    for key in _GEMINI_FILE:
        blob = part.get(key)
        if isinstance(blob, Mapping):
            _check_image_mime(blob, key)
            uri = blob.get("file_uri", blob.get("fileUri"))
            return _Found(None, detail, f"Gemini {key} {uri!r}")
    msg = (
        f"not an image content part (type {kind!r}); expected an OpenAI image_url or "
        "input_image part, an Anthropic image block, or a Gemini inline_data/file_data part"
    )
    raise InvalidInputError(msg)


def _check_image_mime(blob: Mapping[str, object], key: str) -> None:
    mime = blob.get("mime_type", blob.get("mimeType"))
    if isinstance(mime, str) and not mime.startswith("image/"):
        msg = f"Gemini {key} with mime type {mime!r} is not an image"
        raise InvalidInputError(msg)


def _part_size(part: Mapping[str, object]) -> tuple[int, int] | None:
    width, height = part.get("width"), part.get("height")
    if width is None and height is None:
        return None
    if width is None or height is None:
        msg = "an image part gives both 'width' and 'height', or neither"
        raise InvalidInputError(msg)
    return _check_side("width", width), _check_side("height", height)


def image_part_tokens(
    part: Mapping[str, object],
    price: ModelPrice,
    *,
    default_size: tuple[int, int] | None = None,
) -> tuple[int, bool]:
    """``(tokens, exact)`` for one image content part of a chat message, on *price*'s model.

    Shapes read: OpenAI Chat ``{"type": "image_url", "image_url": {"url", "detail"}}``, OpenAI
    Responses ``{"type": "input_image", "image_url" | "file_id", "detail"}``, Anthropic
    ``{"type": "image", "source": {"type": "base64" | "url" | "file", ...}}`` and Gemini
    ``{"inline_data" | "inlineData": {"mime_type" | "mimeType", "data"}}`` or ``file_data``.
    Optional ``"width"`` and ``"height"`` keys on the part give the size and win over the
    data, which is then not decoded. An image that is only referred to (a remote URL, an
    uploaded file) is never fetched: its size is the caller's, else *default_size*, else
    `REMOTE_IMAGE_SIZE`; *exact* is then False, unless the rule does not depend on the size.
    """
    if not isinstance(part, Mapping):
        msg = f"an image part must be a mapping, not {type(part).__name__}"
        raise InvalidTypeError(msg)
    found = _locate(part)
    level = _check_detail(found.detail)
    rule = _rule_for(price.model)
    given = _part_size(part)
    if given is not None:
        return rule.tokens(*given, level), True
    if found.data is not None:
        return rule.tokens(*_parse(found.data, found.what), level), True
    if default_size is None:
        width, height = REMOTE_IMAGE_SIZE
    elif not isinstance(default_size, tuple) or len(default_size) != 2:
        msg = f"default_size must be a (width, height) tuple, not {default_size!r}"
        raise InvalidTypeError(msg)
    else:
        width, height = (
            _check_side("width", default_size[0]),
            _check_side("height", default_size[1]),
        )
    return rule.tokens(width, height, level), not rule.uses_size(level)
