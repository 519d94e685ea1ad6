"""Image token rules: each vendor's documented rule, matched on the canonical model id.

One table, `_RULES`, with the source of each rule; a pattern matches the whole normalised id
(never a bare prefix). Arithmetic is exact (`Fraction`) where the vendor's rule is.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Final, Protocol

import attrs

from ._errors import InvalidInputError, InvalidTypeError

#: The largest width or height counted: PNG's limit, larger than any format read here allows.
MAX_SIDE: Final = 2**31 - 1
_DETAILS: Final = ("low", "high", "auto")


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
        msg = (
            f"{name} must be a positive number of pixels, not {value if value > -1e20 else 'that'}"
        )
        raise InvalidInputError(msg)
    if value > MAX_SIDE:
        shown = f"{value:,}" if value < 10**20 else "a number with more digits than any image"
        msg = (
            f"{name} is {shown}: no image llmcost reads is wider or taller than {MAX_SIDE:,} pixels"
        )
        raise InvalidInputError(msg)
    return value
