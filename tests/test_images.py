"""Image input tokens: header parsing, the vendors' documented rules, and chat image parts."""

from __future__ import annotations

import contextlib
import math
import socket
import struct
import zlib
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcost import (
    FileAccessError,
    InvalidInputError,
    InvalidTypeError,
    ModelPrice,
    Registry,
    get_price,
)
from llmcost._image_rules import (
    _RULES,
    _Area,
    _Fixed,
    _GeminiTiles,
    _patch_count,
    _Patches,
    _rule_for,
    _Tiles,
)
from llmcost._images import (
    REMOTE_IMAGE_SIZE,
    ImageError,
    image_part_tokens,
    image_size,
    image_tokens,
    is_image_part,
)

from .images_helpers import b64, data_url, gif, jpeg, png, webp_vp8, webp_vp8l, webp_vp8x

WRITERS: dict[str, Callable[[int, int], bytes]] = {
    "png": png,
    "jpeg": jpeg,
    "gif": gif,
    "webp-vp8l": webp_vp8l,
    "webp-vp8x": webp_vp8x,
    "webp-vp8": webp_vp8,
}
SIZES = [(1, 1), (37, 21), (21, 37), (300, 200), (1023, 1)]


def price(model: str, provider: str = "openai", tokenizer: str = "o200k_base") -> ModelPrice:
    """A ModelPrice for *model*, for the message-part hook."""
    return ModelPrice(
        model=model, provider=provider, tokenizer=tokenizer, input_per_mtok=1, output_per_mtok=1
    )


# --- worked examples from the vendors' documentation ---


def test_openai_gpt4o_documented_examples() -> None:
    """OpenAI's gpt-4o examples: 1024x1024 high 765, 2048x4096 high 1105, 4096x8192 low 85.

    https://platform.openai.com/docs/guides/images-vision#calculating-costs
    """
    assert image_tokens("gpt-4o", width=1024, height=1024, detail="high") == 765
    assert image_tokens("gpt-4o", width=2048, height=4096, detail="high") == 1105
    assert image_tokens("gpt-4o", width=4096, height=8192, detail="low") == 85


def test_openai_patch_documented_examples() -> None:
    """OpenAI's patch examples: 1024x1024 is 1024 patches, 1800x2400 is 1452 (images-vision)."""
    assert _patch_count(1024, 1024) == 1024
    assert _patch_count(1800, 2400) == 1452
    assert image_tokens("gpt-4.1-mini", width=1024, height=1024) == math.ceil(1024 * 1.62)
    assert image_tokens("gpt-4.1-nano", width=1800, height=2400) == math.ceil(1452 * 2.46)
    assert image_tokens("o4-mini", width=1800, height=2400) == math.ceil(1452 * 1.72)


@pytest.mark.parametrize(
    ("model", "base", "tile"),
    [
        ("gpt-4o", 85, 170),
        ("gpt-4.1", 85, 170),
        ("gpt-4.5-preview", 85, 170),
        ("gpt-4o-mini", 2833, 5667),
        ("o1", 75, 150),
        ("o1-pro", 75, 150),
        ("o3", 75, 150),
        ("computer-use-preview", 65, 129),
        ("gpt-5", 70, 140),
        ("gpt-5-chat-latest", 70, 140),
    ],
)
def test_openai_tile_constants(model: str, base: int, tile: int) -> None:
    """Each tile model has the base and per-tile tokens of OpenAI's table (images-vision)."""
    rule = _rule_for(model)
    assert rule.tokens(4096, 8192, "low") == base
    assert rule.tokens(1024, 1024, "high") == base + 4 * tile


@pytest.mark.parametrize(
    ("model", "multiplier"),
    [
        ("gpt-4.1-mini", "1.62"),
        ("gpt-4.1-nano", "2.46"),
        ("o4-mini", "1.72"),
        ("gpt-5-mini", "1.62"),
        ("gpt-5-nano", "2.46"),
    ],
)
def test_openai_patch_multipliers(model: str, multiplier: str) -> None:
    """Each patch model has the multiplier of OpenAI's table, rounded up, and ignores detail."""
    rule = _rule_for(model)
    assert isinstance(rule, _Patches)
    assert rule.multiplier == Fraction(multiplier)
    expected = math.ceil(1452 * Fraction(multiplier))
    for detail in ("low", "high"):
        assert rule.tokens(1800, 2400, detail) == expected


def test_anthropic_documented_examples() -> None:
    """Anthropic's table: 200x200 ~54, 1000x1000 ~1334, 1092x1092 ~1590 tokens.

    https://platform.claude.com/docs/en/build-with-claude/vision#evaluate-image-size
    """
    assert image_tokens("claude-sonnet-4-5", width=200, height=200) == 54
    assert image_tokens("claude-sonnet-4-5", width=1000, height=1000) == 1334
    assert image_tokens("claude-sonnet-4-5", width=1092, height=1092) == 1590


def test_anthropic_downscale() -> None:
    """Claude shrinks a long edge over 1568 px and caps the area near 1600 tokens (vision docs)."""
    # 3136x500 halves to 1568x250: 392000 / 750 = 522.7, rounded up.
    assert image_tokens("claude-opus-4-1", width=3136, height=500) == 523
    assert image_tokens("claude-opus-4-1", width=4000, height=3000) == 1600
    assert image_tokens("claude-3-5-sonnet", width=8000, height=8000) == 1600


def test_anthropic_opus_47_larger_images() -> None:
    """Claude Opus 4.7 reads up to a 2576-px long edge and about 3.75 MP (5000 tokens)."""
    assert image_tokens("claude-opus-4-7", width=2000, height=1000) == 2667
    assert image_tokens("claude-opus-4-7", width=8000, height=8000) == 5000
    assert image_tokens("claude-opus-4-6", width=2000, height=1000) < 2667


def test_gemini_documented_examples() -> None:
    """Gemini 2.x: 258 tokens if both sides <= 384 px, else 258 per 768x768 tile.

    https://ai.google.dev/gemini-api/docs/tokens#multimodal-tokens
    """
    assert image_tokens("gemini-2.5-pro", width=384, height=384) == 258
    assert image_tokens("gemini-2.5-pro", width=385, height=100) == 258
    assert image_tokens("gemini-2.0-flash", width=1000, height=1000) == 4 * 258
    assert image_tokens("gemini-2.5-flash", width=3000, height=700) == 4 * 258


def test_gemini_3_media_resolution_default() -> None:
    """Gemini 3 allots images the default MEDIA_RESOLUTION_HIGH budget, 1120 tokens, any size.

    https://ai.google.dev/gemini-api/docs/media-resolution#token-counts
    """
    for size in [(10, 10), (1024, 1024), (8000, 3000)]:
        assert image_tokens("gemini-3-pro-preview", width=size[0], height=size[1]) == 1120


def test_detail_auto_counts_as_high() -> None:
    """detail='auto' is counted as 'high', the larger of OpenAI's two levels."""
    for model in ("gpt-4o", "gpt-4o-mini", "gpt-4.1-mini"):
        auto = image_tokens(model, width=1500, height=900)
        assert auto == image_tokens(model, width=1500, height=900, detail="high")


@pytest.mark.parametrize("detail", ["medium", "HIGH", "", "original"])
def test_unknown_detail_raises(detail: str) -> None:
    """Only 'low', 'high' and 'auto' are accepted as detail."""
    with pytest.raises(InvalidInputError, match="detail"):
        image_tokens("gpt-4o", width=10, height=10, detail=detail)


def test_detail_of_wrong_type_raises() -> None:
    """A non-string detail is a type error."""
    with pytest.raises(InvalidTypeError):
        image_tokens("gpt-4o", width=10, height=10, detail=None)  # type: ignore[arg-type]


def test_other_vendors_ignore_detail() -> None:
    """Claude and Gemini have no detail levels: low and high give the same count."""
    for model in ("claude-sonnet-4-5", "gemini-2.5-pro"):
        low = image_tokens(model, width=900, height=900, detail="low")
        assert low == image_tokens(model, width=900, height=900, detail="high")


# --- which rule a model gets ---


def test_mini_never_gets_the_full_models_constants() -> None:
    """gpt-4o-mini has its own constants, not gpt-4o's: no bare-prefix matching."""
    assert image_tokens("gpt-4o-mini", width=512, height=512, detail="low") == 2833
    assert image_tokens("gpt-4o", width=512, height=512, detail="low") == 85


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("openai/gpt-4o", "gpt-4o"),
        ("GPT-4o-mini", "gpt-4o-mini"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
    ],
)
def test_aliases_and_snapshots_get_the_models_rule(alias: str, canonical: str) -> None:
    """A snapshot or prefixed name is counted with its canonical model's rule."""
    for detail in ("low", "high"):
        got = image_tokens(alias, width=1500, height=900, detail=detail)
        assert got == image_tokens(canonical, width=1500, height=900, detail=detail)


def test_bedrock_model_id_gets_claudes_rule() -> None:
    """A Bedrock-style Claude id (region, vendor, version) matches the Claude rule."""
    rule = _rule_for("bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0")
    assert rule == _rule_for("claude-3-5-sonnet")


@pytest.mark.parametrize(
    "model",
    ["gpt-3.5-turbo", "gpt-4", "deepseek-chat", "o3-mini", "groq/llama-3.1-70b", "mistral-large"],
)
def test_models_without_images_raise(model: str) -> None:
    """A model with no documented image rule raises InvalidInputError, naming the model."""
    with pytest.raises(InvalidInputError, match="does not take images"):
        image_tokens(model, width=100, height=100)


@pytest.mark.parametrize(
    "model", ["gpt-4o-minis", "gpt-4o-audio", "gpt-5.1", "claude-2", "claude-opus-5", "gemini-4"]
)
def test_unlisted_ids_never_guess(model: str) -> None:
    """An id missing from the table raises, even when it starts like a listed one."""
    with pytest.raises(InvalidInputError, match="documented image token rule"):
        _rule_for(model)


def test_shipped_models_either_count_or_raise() -> None:
    """Every shipped model gives a positive count or InvalidInputError, nothing else."""
    registry = Registry.default()
    counted = 0
    for model in registry:
        try:
            tokens = image_tokens(model, width=640, height=480, registry=registry)
        except ImageError:
            raise
        except InvalidInputError:
            continue
        assert tokens > 0
        counted += 1
    assert counted >= 20


def test_rule_patterns_do_not_overlap() -> None:
    """No listed model id matches two rules, so table order never decides a count."""
    ids = [
        "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4.5-preview",
        "chatgpt-4o", "gpt-4-turbo", "o1", "o1-pro", "o3", "o4-mini", "computer-use-preview",
        "gpt-5", "gpt-5-chat", "gpt-5-mini", "gpt-5-nano", "claude-3-haiku", "claude-3-5-sonnet",
        "claude-3-7-sonnet", "claude-opus-4", "claude-sonnet-4-5", "claude-opus-4-7",
        "gemini-1.5-pro", "gemini-2.0-flash", "gemini-2.5-flash-lite", "gemini-3-pro-preview",
        "gemini-3.1-flash-lite",
    ]  # fmt: skip
    for model in ids:
        hits = [rule for pattern, rule in _RULES if pattern.fullmatch(model)]
        assert len(hits) == 1, model


def test_every_rule_cites_its_source() -> None:
    """Each rule in the table names the vendor page it comes from."""
    for _pattern, rule in _RULES:
        assert rule.doc.startswith("https://")


# --- arguments of image_tokens ---


def test_image_and_size_together_raise() -> None:
    """image= and width=/height= are alternatives, not both."""
    with pytest.raises(InvalidInputError, match="not both"):
        image_tokens("gpt-4o", width=10, height=10, image=png(2, 2))


def test_missing_size_raises() -> None:
    """Without image= both width and height are needed."""
    with pytest.raises(InvalidInputError, match="width"):
        image_tokens("gpt-4o", width=10)
    with pytest.raises(InvalidInputError, match="width"):
        image_tokens("gpt-4o")


@pytest.mark.parametrize(("width", "error"), [(0, InvalidInputError), (-5, InvalidInputError)])
def test_non_positive_size_raises(width: int, error: type[Exception]) -> None:
    """A size of zero or less pixels is refused."""
    with pytest.raises(error, match="positive"):
        image_tokens("gpt-4o", width=width, height=10)


@pytest.mark.parametrize("width", [1.5, "10", True, None])
def test_size_of_wrong_type_raises(width: object) -> None:
    """A size that is not an int (bools included) is a type error."""
    with pytest.raises((InvalidTypeError, InvalidInputError)):
        image_tokens("gpt-4o", width=width, height=10)  # type: ignore[arg-type]
    if width is not None:
        with pytest.raises(InvalidTypeError):
            image_tokens("gpt-4o", width=width, height=10)  # type: ignore[arg-type]


def test_custom_registry_is_used() -> None:
    """registry= resolves the model name, and the rule follows the canonical id."""
    registry = Registry([price("gpt-4o", "openai")])
    assert image_tokens("gpt-4o", width=1024, height=1024, registry=registry) == 765


# --- reading sizes from headers ---


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_header_size_of_real_images(fmt: str, width: int, height: int) -> None:
    """Each writer's image reads back at the size it was written."""
    assert image_size(WRITERS[fmt](width, height)) == (width, height)


@pytest.mark.parametrize(
    ("fmt", "width", "height"),
    [
        ("jpeg", 4000, 3000),
        ("jpeg", 65535, 7),
        ("gif", 65535, 1),
        ("png", 20000, 1),
        ("webp-vp8l", 16384, 16384),
        ("webp-vp8x", 16384, 9),
        ("webp-vp8", 16383, 16383),
    ],
)
def test_header_size_of_large_images(fmt: str, width: int, height: int) -> None:
    """Sizes up to each format's header limit read back exactly."""
    assert image_size(WRITERS[fmt](width, height)) == (width, height)


def test_vp8x_canvas_beyond_vp8l_limits() -> None:
    """VP8X's 24-bit canvas size is read, beyond what a VP8L header can hold."""
    data = bytearray(webp_vp8x(10, 10))
    data[24:27] = (70000 - 1).to_bytes(3, "little")
    assert image_size(bytes(data)) == (70000, 10)


def test_vp8_scale_bits_are_not_size() -> None:
    """The two scale bits above a VP8 key frame's 14-bit sides are not part of the size."""
    assert image_size(webp_vp8(640, 480, scale=3)) == (640, 480)


def test_jpeg_with_app_segments_and_fill_bytes() -> None:
    """The JPEG walk skips APPn segments, fill bytes and standalone markers to reach SOF0."""
    data = jpeg(123, 45, app=[b"Exif\x00\x00" + bytes(500), b"http://ns.adobe.com/xap/1.0/"])
    at = data.index(b"\xff\xdb")  # before the quantisation table: fill bytes and an RST0
    data = data[:at] + b"\xff\xd0\xff\xff" + data[at:]
    assert image_size(data) == (123, 45)


@pytest.mark.parametrize("sof", [0xC1, 0xC2, 0xC3, 0xC9, 0xCF])
def test_jpeg_other_frame_markers(sof: int) -> None:
    """Progressive, lossless and arithmetic-coded SOFn markers hold the size too."""
    assert image_size(jpeg(64, 48, sof=sof)) == (64, 48)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_every_prefix_reads_same_size_or_raises(fmt: str) -> None:
    """Every prefix of a valid file gives the full size or raises ImageError, nothing else."""
    data = WRITERS[fmt](37, 21)
    for n in range(len(data) + 1):
        try:
            size = image_size(data[:n])
        except ImageError:
            continue
        assert size == (37, 21), n


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_short_prefixes_are_truncated(fmt: str) -> None:
    """Prefixes that stop inside the header raise ImageError saying so."""
    data = WRITERS[fmt](37, 21)
    for n in range(1, 10):
        with pytest.raises(ImageError, match=r"truncated|too few"):
            image_size(data[:n])


def test_truncated_flag_tells_truncation_from_corruption() -> None:
    """ImageError.truncated is set for data that ends early, not for corrupt data."""
    with pytest.raises(ImageError) as cut:
        image_size(png(5, 5)[:30])
    assert cut.value.truncated
    with pytest.raises(ImageError) as bad:
        image_size(b"BM" + bytes(60))
    assert not bad.value.truncated


def test_empty_bytes_raise() -> None:
    """No bytes is no image."""
    with pytest.raises(ImageError, match="no image data"):
        image_size(b"")


def _png_with(ihdr: bytes, crc: int | None = None) -> bytes:
    crc = zlib.crc32(b"IHDR" + ihdr) if crc is None else crc
    head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr
    return head + struct.pack(">I", crc)


def _poke(data: bytes, at: int, value: int) -> bytes:
    assert data[at] != value
    return data[:at] + bytes([value]) + data[at + 1 :]


def _jpeg_replace(old: bytes, new: bytes) -> bytes:
    data = jpeg(20, 10)
    assert old in data
    return data.replace(old, new, 1)


CORRUPT = {
    "png bad crc": _png_with(struct.pack(">IIBBBBB", 5, 5, 8, 0, 0, 0, 0), crc=0),
    "png zero width": _png_with(struct.pack(">IIBBBBB", 0, 5, 8, 0, 0, 0, 0)),
    "png huge width": _png_with(struct.pack(">IIBBBBB", 2**31, 5, 8, 0, 0, 0, 0)),
    "png first chunk not ihdr": png(5, 5).replace(b"IHDR", b"IDAT", 1),
    "jpeg sos before sof": b"\xff\xd8\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00",
    "jpeg eoi before sof": b"\xff\xd8\xff\xd9",
    "jpeg second soi": b"\xff\xd8\xff\xd8",
    "jpeg no marker": b"\xff\xd8\x00\x10JFIF",
    "jpeg short segment": b"\xff\xd8\xff\xe0\x00\x01JFIF",
    "jpeg short sof": b"\xff\xd8\xff\xc0\x00\x08\x08\x00\x0a\x00\x14\x01",
    "jpeg dnl height": _jpeg_replace(b"\xc0\x00\x0b\x08\x00\x0a", b"\xc0\x00\x0b\x08\x00\x00"),
    "jpeg zero width": _jpeg_replace(b"\x00\x0a\x00\x14\x01", b"\x00\x0a\x00\x00\x01"),
    "gif zero height": b"GIF89a\x05\x00\x00\x00\x80\x00\x00",
    "webp vp8 not key frame": _poke(webp_vp8(8, 8), 20, webp_vp8(8, 8)[20] | 1),
    "webp vp8 no start code": _poke(webp_vp8(8, 8), 23, 0),
    "webp vp8 zero size": _poke(webp_vp8(8, 8), 26, 0),
    "webp vp8l bad signature": _poke(webp_vp8l(8, 8), 20, 0x30),
    "webp vp8l version": _poke(webp_vp8l(8, 8), 24, webp_vp8l(8, 8)[24] | 0x20),
    "webp unknown chunk": webp_vp8l(8, 8).replace(b"VP8L", b"ABCD"),
    "bmp": b"BM" + bytes(60),
    "tiff": b"II*\x00" + bytes(60),
    "riff but not webp": b"RIFF\x10\x00\x00\x00WAVEfmt " + bytes(20),
    "text": b"hello, world",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CORRUPT))
def test_corrupt_or_unknown_images_raise(name: str) -> None:
    """Corrupt headers and other formats raise ImageError, never anything else."""
    with pytest.raises(ImageError):
        image_size(CORRUPT[name])


def test_unknown_format_message_says_what_to_do() -> None:
    """An unknown format's message lists what is read and suggests giving the size."""
    with pytest.raises(ImageError, match=r"PNG, JPEG, GIF or WebP.*width="):
        image_size(b"BM" + bytes(60))


def test_image_error_is_an_invalid_input_error() -> None:
    """ImageError subclasses InvalidInputError (and so ValueError)."""
    assert issubclass(ImageError, InvalidInputError)
    assert issubclass(ImageError, ValueError)


# --- where the image comes from ---


def test_size_from_bytes_like_objects() -> None:
    """bytes, bytearray and memoryview are all read."""
    data = png(64, 32)
    assert image_size(data) == image_size(bytearray(data)) == image_size(memoryview(data))
    assert image_size(data) == (64, 32)


def test_size_from_file_paths(tmp_path: Path) -> None:
    """A str path and a PathLike are read from disk."""
    path = tmp_path / "picture.gif"
    path.write_bytes(gif(31, 17))
    assert image_size(path) == (31, 17)
    assert image_size(str(path)) == (31, 17)
    assert image_tokens("gpt-4o", image=path, detail="high") == 85 + 170


def test_file_whose_frame_header_is_past_64_kib(tmp_path: Path) -> None:
    """A JPEG whose APPn segments fill the first 64 KiB is still read to its SOF."""
    path = tmp_path / "big.jpg"
    path.write_bytes(jpeg(800, 600, app=[bytes(65000), bytes(65000)]))
    assert image_size(path) == (800, 600)


def test_truncated_file_raises(tmp_path: Path) -> None:
    """A file cut inside its header raises ImageError naming the file."""
    path = tmp_path / "cut.png"
    path.write_bytes(png(10, 10)[:20])
    with pytest.raises(ImageError, match=r"cut\.png"):
        image_size(path)


def test_file_url_is_read_locally(tmp_path: Path) -> None:
    """A file:// URL names a local file, which is read like a path."""
    path = tmp_path / "pic.webp"
    path.write_bytes(webp_vp8x(90, 60))
    assert image_size(path.as_uri()) == (90, 60)


def test_long_non_path_string_gives_a_short_message() -> None:
    """A long string that is no file (raw base64, say) gives a short message with a hint."""
    with pytest.raises(FileAccessError, match="data: URL") as info:
        image_size(b64(png(300, 300)) * 20)
    assert len(str(info.value)) < 400


def test_missing_file_and_directory_raise(tmp_path: Path) -> None:
    """A path that cannot be read raises FileAccessError (an OSError) naming it."""
    with pytest.raises(FileAccessError, match=r"nope\.png") as info:
        image_size(tmp_path / "nope.png")
    assert isinstance(info.value, OSError) and info.value.errno is not None
    with pytest.raises(FileAccessError, match="cannot read"):
        image_size(tmp_path)
    with pytest.raises(FileAccessError):
        image_tokens("gpt-4o", image=tmp_path / "nope.png")


@pytest.mark.parametrize("name", ["pic\x00.png", "pic\ud800.png", "file:///tmp/pic%00.png"])
def test_unusable_paths_are_invalid_input(name: str) -> None:
    """A NUL byte or a lone surrogate in a path is InvalidInputError, not ValueError."""
    with pytest.raises(InvalidInputError, match="image file"):
        image_size(name)


@pytest.mark.parametrize("side", [10**400, -(10**400), 2**31])
def test_absurd_sides_are_invalid_input(side: int) -> None:
    """A width beyond any image is a clear InvalidInputError, never OverflowError."""
    for model in ("gpt-4o", "gpt-4.1-mini", "claude-sonnet-4-6", "gemini-2.5-pro"):
        with pytest.raises(InvalidInputError, match="width"):
            image_tokens(model, width=side, height=10)
    price = get_price("gpt-4.1-mini")
    part = {"type": "image_url", "image_url": {"url": "https://x/y.png"}, "width": side}
    with pytest.raises(InvalidInputError, match="width"):
        image_part_tokens({**part, "height": 5}, price)


def test_size_from_data_urls() -> None:
    """base64 data: URLs are decoded; the declared media type is not trusted."""
    assert image_size(data_url(png(7, 9))) == (7, 9)
    assert image_size(data_url(jpeg(7, 9), "image/png")) == (7, 9)
    assert image_size("  " + data_url(gif(7, 9), "image/gif") + "\n") == (7, 9)
    assert image_tokens("gpt-4o", image=data_url(webp_vp8l(7, 9)), detail="low") == 85


def test_data_url_with_wrapped_or_unpadded_base64() -> None:
    """Line-wrapped, unpadded and URL-safe base64 are all accepted."""
    text = data_url(png(5, 6)).rstrip("=")
    wrapped = text[:40] + "\n" + text[40:]
    assert image_size(wrapped) == (5, 6)
    urlsafe = data_url(webp_vp8l(300, 2)).replace("+", "-").replace("/", "_")
    assert image_size(urlsafe) == (300, 2)


def test_percent_encoded_data_url() -> None:
    """A data: URL without ;base64 is percent-decoded."""
    raw = gif(3, 4)
    encoded = "".join(f"%{b:02x}" for b in raw)
    assert image_size("data:image/gif," + encoded) == (3, 4)


@pytest.mark.parametrize(
    "url", ["data:image/png;base64,@@@@", "data:image/png;base64", "data:image/png;base64,"]
)
def test_bad_data_urls_raise(url: str) -> None:
    """Malformed data: URLs and invalid base64 raise ImageError."""
    with pytest.raises(ImageError):
        image_size(url)


@pytest.mark.parametrize("url", ["https://example.com/cat.png", "http://x/y.jpg", "s3://b/k"])
def test_remote_urls_are_refused_not_fetched(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A remote URL raises InvalidInputError without opening any connection."""

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    with pytest.raises(InvalidInputError, match="never downloads"):
        image_size(url)
    with pytest.raises(InvalidInputError, match="never downloads"):
        image_tokens("gpt-4o", image=url)


@pytest.mark.parametrize("value", [123, 4.5, None, ["a"]])
def test_image_of_wrong_type_raises(value: object) -> None:
    """An image that is not bytes, a path or a string is a type error."""
    with pytest.raises(InvalidTypeError):
        image_size(value)  # type: ignore[arg-type]


# --- chat message parts ---

PNG_1024 = png(1024, 1024)
GPT_4O = price("gpt-4o")


def test_openai_chat_part_with_data_url() -> None:
    """Chat Completions image_url part: the data URL is read and its detail applied."""
    part = {"type": "image_url", "image_url": {"url": data_url(PNG_1024), "detail": "high"}}
    assert image_part_tokens(part, GPT_4O) == (765, True)
    part["image_url"]["detail"] = "low"  # type: ignore[index]
    assert image_part_tokens(part, GPT_4O) == (85, True)


def test_openai_chat_part_with_remote_url_uses_documented_assumption() -> None:
    """A remote URL is never fetched: 1024x1024 is assumed and the count marked inexact."""
    assert REMOTE_IMAGE_SIZE == (1024, 1024)
    part = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    assert image_part_tokens(part, GPT_4O) == (765, False)
    assert image_part_tokens(part, GPT_4O, default_size=(512, 512)) == (255, False)


@pytest.mark.parametrize("size", [(10,), [10, 10], (10, 10, 10), "10x10"])
def test_malformed_default_size_raises(size: object) -> None:
    """default_size must be a (width, height) tuple."""
    part = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    with pytest.raises(InvalidTypeError, match="default_size"):
        image_part_tokens(part, GPT_4O, default_size=size)  # type: ignore[arg-type]


def test_remote_url_with_low_detail_is_exact() -> None:
    """low detail does not depend on the size, so a remote image's count is exact."""
    part = {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "low"}}
    assert image_part_tokens(part, GPT_4O) == (85, True)


def test_caller_size_in_the_part_wins() -> None:
    """'width' and 'height' keys on a part give the size; the data is then not decoded."""
    part = {
        "type": "image_url",
        "image_url": {"url": "https://example.com/a.png", "detail": "high"},
        "width": 2048,
        "height": 4096,
    }
    assert image_part_tokens(part, GPT_4O) == (1105, True)
    part["image_url"] = {"url": "data:image/png;base64,not-an-image"}
    assert image_part_tokens(part, GPT_4O) == (1105, True)


def test_caller_size_must_be_complete_and_valid() -> None:
    """A part with only one of width/height, or a bad value, raises."""
    base = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    with pytest.raises(InvalidInputError, match="both"):
        image_part_tokens({**base, "width": 10}, GPT_4O)
    with pytest.raises(InvalidInputError, match="positive"):
        image_part_tokens({**base, "width": 0, "height": 10}, GPT_4O)
    with pytest.raises(InvalidTypeError):
        image_part_tokens({**base, "width": "10", "height": 10}, GPT_4O)


def test_openai_responses_input_image_parts() -> None:
    """Responses input_image parts: a data URL string, a remote URL, or a file id."""
    part = {"type": "input_image", "image_url": data_url(png(512, 512)), "detail": "high"}
    assert image_part_tokens(part, GPT_4O) == (255, True)
    remote = {"type": "input_image", "image_url": "https://example.com/a.png"}
    assert image_part_tokens(remote, GPT_4O) == (765, False)
    uploaded = {"type": "input_image", "file_id": "file-abc", "detail": "low"}
    assert image_part_tokens(uploaded, GPT_4O) == (85, True)


def test_anthropic_image_parts() -> None:
    """Anthropic image blocks: base64 data is read; url and file sources use the assumption."""
    claude = price("claude-sonnet-4-5", "anthropic", "claude")
    data = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/jpeg", "data": b64(jpeg(1000, 1000))},
    }
    assert image_part_tokens(data, claude) == (1334, True)
    url = {"type": "image", "source": {"type": "url", "url": "https://example.com/a.jpg"}}
    assert image_part_tokens(url, claude) == (math.ceil(1024 * 1024 / 750), False)
    file = {"type": "image", "source": {"type": "file", "file_id": "file_01"}}
    assert image_part_tokens(file, claude, default_size=(200, 200)) == (54, False)


def test_anthropic_unknown_source_raises() -> None:
    """An Anthropic image block with an unknown source type raises."""
    claude = price("claude-sonnet-4-5", "anthropic", "claude")
    with pytest.raises(InvalidInputError, match="source type"):
        image_part_tokens({"type": "image", "source": {"type": "text"}}, claude)
    with pytest.raises(InvalidInputError, match="source"):
        image_part_tokens({"type": "image"}, claude)


@pytest.mark.parametrize(
    ("blob", "mime"), [("inline_data", "mime_type"), ("inlineData", "mimeType")]
)
def test_gemini_inline_data_parts(blob: str, mime: str) -> None:
    """Gemini inline_data parts, snake_case or camelCase, carry raw base64 (or bytes)."""
    gemini = price("gemini-2.5-pro", "google", "gemini")
    part = {blob: {mime: "image/png", "data": b64(png(1000, 1000))}}
    assert image_part_tokens(part, gemini) == (4 * 258, True)
    raw = {blob: {mime: "image/png", "data": png(100, 100)}}
    assert image_part_tokens(raw, gemini) == (258, True)


def test_gemini_file_data_part_and_size_independent_rule() -> None:
    """A Gemini file_data part is not fetched; on Gemini 3 the count does not need the size."""
    part = {"file_data": {"mime_type": "image/png", "file_uri": "gs://bucket/a.png"}}
    assert image_part_tokens(part, price("gemini-2.5-pro", "google", "gemini")) == (1032, False)
    assert image_part_tokens(part, price("gemini-3-pro-preview", "google", "gemini")) == (
        1120,
        True,
    )


def test_gemini_non_image_blob_raises() -> None:
    """inline_data of another media type is not an image."""
    part = {"inline_data": {"mime_type": "audio/wav", "data": b64(b"RIFF")}}
    assert not is_image_part(part)
    with pytest.raises(InvalidInputError, match="not an image"):
        image_part_tokens(part, price("gemini-2.5-pro", "google", "gemini"))


def test_corrupt_data_in_a_part_raises_image_error() -> None:
    """Image bytes in a part that are not an image raise ImageError."""
    part = {"type": "image_url", "image_url": {"url": data_url(b"not an image at all")}}
    with pytest.raises(ImageError):
        image_part_tokens(part, GPT_4O)
    bad_b64 = {"inline_data": {"mime_type": "image/png", "data": "***"}}
    with pytest.raises(ImageError, match="base64"):
        image_part_tokens(bad_b64, price("gemini-2.5-pro", "google", "gemini"))


def test_part_for_model_without_images_raises() -> None:
    """An image part for a model that takes no images raises InvalidInputError."""
    part = {"type": "image_url", "image_url": {"url": data_url(PNG_1024)}}
    with pytest.raises(InvalidInputError, match="does not take images"):
        image_part_tokens(part, price("gpt-3.5-turbo", tokenizer="cl100k_base"))


def test_part_with_bad_detail_raises() -> None:
    """A part whose detail is not low, high or auto raises."""
    part = {"type": "image_url", "image_url": {"url": data_url(PNG_1024), "detail": "ultra"}}
    with pytest.raises(InvalidInputError, match="detail"):
        image_part_tokens(part, GPT_4O)


def test_non_image_parts_raise() -> None:
    """A text part, an empty part or a non-mapping is not an image part."""
    with pytest.raises(InvalidInputError, match="not an image content part"):
        image_part_tokens({"type": "text", "text": "hi"}, GPT_4O)
    with pytest.raises(InvalidInputError, match="not an image content part"):
        image_part_tokens({}, GPT_4O)
    with pytest.raises(InvalidTypeError):
        image_part_tokens("https://example.com/a.png", GPT_4O)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        image_part_tokens({"type": "image_url", "image_url": {"url": 5}}, GPT_4O)


def test_is_image_part_recognises_every_shape() -> None:
    """is_image_part is true for each supported image shape and false for text."""
    images = [
        {"type": "image_url", "image_url": {"url": "https://x/a.png"}},
        {"type": "input_image", "image_url": "https://x/a.png"},
        {"type": "image", "source": {"type": "url", "url": "https://x/a.png"}},
        {"inline_data": {"mime_type": "image/png", "data": ""}},
        {"inlineData": {"mimeType": "image/webp", "data": ""}},
        {"file_data": {"mime_type": "image/jpeg", "file_uri": "gs://b/a"}},
    ]
    assert all(is_image_part(p) for p in images)
    not_images = [
        {"type": "text", "text": "x"},
        {"text": "x"},
        "image",
        None,
        {"type": "input_text"},
    ]
    assert not any(is_image_part(p) for p in not_images)


def test_message_parts_never_use_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counting remote and file-id parts opens no socket."""

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    parts: list[dict[str, object]] = [
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
        {"type": "input_image", "image_url": "http://example.com/a.png"},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
    ]
    for part in parts:
        assert image_part_tokens(part, GPT_4O)[1] is False


# --- properties ---

sides = st.integers(min_value=1, max_value=20_000)
ALL_RULES = [rule for _pattern, rule in _RULES]
details = st.sampled_from(["low", "high"])


@given(st.sampled_from(ALL_RULES), sides, sides, details)
def test_tokens_are_positive(rule: object, width: int, height: int, detail: str) -> None:
    """Every rule gives at least one token for every image size and detail."""
    assert rule.tokens(width, height, detail) > 0  # type: ignore[attr-defined]


SIZE_FREE_OR_TILED = [r for r in ALL_RULES if isinstance(r, _Fixed | _GeminiTiles)]


@given(st.sampled_from(SIZE_FREE_OR_TILED), sides, sides, st.integers(0, 5000), details)
def test_gemini_rules_monotone_in_each_side(
    rule: object, width: int, height: int, grow: int, detail: str
) -> None:
    """Gemini's rules never count fewer tokens for a wider or a taller image."""
    count = rule.tokens  # type: ignore[attr-defined]
    assert count(width + grow, height, detail) >= count(width, height, detail)
    assert count(width, height + grow, detail) >= count(width, height, detail)


def _unscaled(rule: object, width: int, height: int) -> bool:
    """Whether *rule* counts a width x height image at its own size (no vendor downscale)."""
    if isinstance(rule, _Tiles):
        return max(width, height) <= 2048 and min(width, height) <= 768
    if isinstance(rule, _Patches):
        return math.ceil(width / 32) * math.ceil(height / 32) <= 1536
    if isinstance(rule, _Area):
        return max(width, height) <= rule.long_edge and width * height <= rule.max_pixels
    return True


@given(st.sampled_from(ALL_RULES), sides, sides, st.integers(0, 5000), details)
def test_rules_monotone_in_each_side_below_the_downscale(
    rule: object, width: int, height: int, grow: int, detail: str
) -> None:
    """While no downscale applies, a wider or taller image never costs fewer tokens."""
    count = rule.tokens  # type: ignore[attr-defined]
    if _unscaled(rule, width + grow, height):
        assert count(width + grow, height, detail) >= count(width, height, detail)
    if _unscaled(rule, width, height + grow):
        assert count(width, height + grow, detail) >= count(width, height, detail)


SCALE_MONOTONE = [r for r in ALL_RULES if not isinstance(r, _Patches)]


@given(st.sampled_from(SCALE_MONOTONE), sides, sides, st.integers(2, 8), details)
def test_rules_monotone_in_scale(
    rule: object, width: int, height: int, factor: int, detail: str
) -> None:
    """Enlarging an image uniformly never lowers the count (all but the patch rule)."""
    count = rule.tokens  # type: ignore[attr-defined]
    assert count(width * factor, height * factor, detail) >= count(width, height, detail)


def test_documented_rules_are_not_monotone_past_the_downscale() -> None:
    """The vendors' own rules can charge less for a bigger image once they shrink it.

    OpenAI's shortest-side-768 step and 1536-patch refit, and Claude's long-edge cap, are
    applied as documented, so these counts fall; the monotonicity properties above are
    stated only where no downscale applies.
    """
    tiles = _rule_for("gpt-4o")
    assert tiles.tokens(700, 1025, "high") == 85 + 6 * 170
    assert tiles.tokens(800, 1025, "high") == 85 + 4 * 170
    assert _patch_count(582, 2560) == 1520 > _patch_count(582, 2561) == 1440
    claude = _rule_for("claude-sonnet-4-5")
    assert claude.tokens(1568, 700, "high") > claude.tokens(3000, 700, "high")


@given(st.binary(max_size=300))
def test_parser_raises_only_image_error_on_arbitrary_bytes(data: bytes) -> None:
    """Arbitrary bytes give a size or ImageError, never another exception."""
    try:
        width, height = image_size(data)
    except ImageError:
        return
    assert width > 0
    assert height > 0


signatures = st.sampled_from(
    [b"\x89PNG\r\n\x1a\n", b"\xff\xd8", b"\xff\xd8\xff", b"GIF89a", b"GIF87a", b"RIFF\0\0\0\0WEBP"]
    + [b"RIFF\0\0\0\0WEBP" + c for c in (b"VP8 ", b"VP8L", b"VP8X")]
)


@given(signatures, st.binary(max_size=200))
def test_parser_raises_only_image_error_after_a_signature(head: bytes, tail: bytes) -> None:
    """Random bytes after a real signature reach into each parser and only raise ImageError."""
    with contextlib.suppress(ImageError):
        image_size(head + tail)


@given(
    st.sampled_from(sorted(WRITERS)),
    st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), max_size=6),
    st.integers(0, 400),
)
def test_parser_raises_only_image_error_on_damaged_files(
    fmt: str, edits: list[tuple[int, int]], cut: int
) -> None:
    """Real files with bytes overwritten and cut short only ever raise ImageError."""
    data = bytearray(WRITERS[fmt](37, 21))
    for at, value in edits:
        if at < len(data):
            data[at] = value
    with contextlib.suppress(ImageError):
        image_size(bytes(data[: len(data) - cut]))


@given(st.text(max_size=200))
def test_data_urls_raise_only_image_error(payload: str) -> None:
    """Any text after a base64 data: URL prefix gives a size or ImageError."""
    with contextlib.suppress(ImageError):
        image_size("data:image/png;base64," + payload)


def test_image_tokens_accepts_shipped_names() -> None:
    """image_tokens resolves names through the shipped registry like get_price does."""
    assert get_price("openai/gpt-4o").model == "gpt-4o"
    assert image_tokens("openai/gpt-4o", width=1024, height=1024) == 765
