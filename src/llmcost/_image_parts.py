"""Image content parts of chat messages (OpenAI, Anthropic, Gemini shapes) and their tokens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

import attrs

from ._errors import InvalidInputError, InvalidTypeError
from ._image_headers import _b64decode, _data_url_bytes, _parse, _short
from ._image_rules import _check_detail, _check_side, _rule_for

if TYPE_CHECKING:
    from ._registry import ModelPrice

#: The size `image_part_tokens` assumes for an image it cannot see (a remote URL or an uploaded
#: file id) when neither the part nor the caller gives one: a common photo and screenshot size,
#: within every vendor's size limits, so the count is that of a typical full-resolution image.
#: It is not an upper bound: the rules reach their maximum at other sizes (gpt-4o: 1445 tokens
#: at 768x2048 against 765 here; Claude: about 1600 against 1399). The count is marked inexact.
REMOTE_IMAGE_SIZE: Final = (1024, 1024)

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
