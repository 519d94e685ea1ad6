"""Image input tokens: an image's size read from its header, then the vendor's documented rule.

The work is split by concern: `_image_headers` reads sizes from PNG, JPEG, GIF and WebP
headers (bounded reads, nothing downloaded), `_image_rules` holds each vendor's rule with its
source, and `_image_parts` reads the image parts of chat messages. This module counts one
image and is the import path for all of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._errors import InvalidInputError, InvalidTypeError
from ._image_headers import MAX_JPEG_SCAN, MAX_JPEG_SEGMENTS, ImageError, ImageInput, image_size
from ._image_parts import REMOTE_IMAGE_SIZE, image_part_tokens, is_image_part
from ._image_rules import MAX_SIDE, _check_detail, _check_side, _rule_for

if TYPE_CHECKING:
    from ._registry import Registry

__all__ = [
    "MAX_JPEG_SCAN",
    "MAX_JPEG_SEGMENTS",
    "MAX_SIDE",
    "REMOTE_IMAGE_SIZE",
    "ImageError",
    "ImageInput",
    "image_part_tokens",
    "image_size",
    "image_tokens",
    "is_image_part",
]


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
    Raises `ImageError` for an unreadable image, `FileAccessError` for a file that cannot be
    opened, `InvalidInputError` for a model without a documented image rule (one that does
    not take images, for instance) or a side over 2**31 - 1 pixels, and `UnknownModelError`
    for a name the registry does not know.

    >>> import llmcost
    >>> llmcost.image_tokens("gpt-4o", width=1024, height=1024, detail="high")
    765
    >>> llmcost.image_tokens("claude-sonnet-4-5", width=1000, height=1000)
    1334
    """
    from ._registry import Registry, get_price

    if not isinstance(model, str):
        msg = f"model must be a str, not {type(model).__name__}"
        raise InvalidTypeError(msg)
    if registry is not None and not isinstance(registry, Registry):
        msg = f"registry must be a Registry, not {type(registry).__name__}"
        raise InvalidTypeError(msg)
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
