"""The estimate: exact BPE on short texts, a systematic sample of long ones, weighted families."""

from __future__ import annotations

import inspect
import json
import random
import unittest
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost import InvalidTypeError
from llmcost import _estimate as E
from llmcost import _tok_bpe as B
from llmcost import _tokens as T

from .strategies_tokens import TRAPS, any_str, chunkings, long_texts, texts

# Tiny head, blocks and bands, so that short texts exercise the sampled path too.
SMALL_SAMPLING = {"HEAD": 16, "BLOCK": 4, "MAX_PERIOD": 8, "SNAP": 3}
REAL_PROFILES = ["o200k", "cl100k", "tekken", "llama", "gemini", "claude"]


def _small_sampling() -> Any:
    return mock.patch.multiple(E, **SMALL_SAMPLING)


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """tiktoken Encodings built from tiktoken's published files (shared copies)."""
    from .test_tokens import reference_encodings

    return reference_encodings()


def _stdlib_text(n: int) -> str:
    """About *n* characters of real prose and code: docstrings and sources of the stdlib."""
    parts = [inspect.getdoc(json) or "", inspect.getsource(json), inspect.getdoc(unittest) or ""]
    parts += [
        p.read_text("utf-8", "replace") for p in sorted(Path(json.__file__).parent.glob("*.py"))
    ]
    text = "\n\n".join(parts)
    while len(text) < n:
        text += "\n" + text
    return text[:n]


@settings(deadline=None)
@given(any_str)
def test_estimate_never_raises_and_is_a_count(text: str) -> None:
    """Any str, lone surrogates included, estimates to an int >= 0, 0 only when empty."""
    for name in REAL_PROFILES:
        n = E.estimate(text, E.PROFILES[name])
        assert type(n) is int, name
        assert (n == 0) == (text == ""), name


@settings(deadline=None)
@given(texts)
def test_short_text_estimate_is_the_exact_count(text: str) -> None:
    """Up to HEAD characters the o200k / cl100k estimate is tiktoken's own count."""
    for profile, model in (("o200k", "gpt-4o"), ("cl100k", "gpt-4")):
        assert E.estimate(text, E.PROFILES[profile]) == T.count_tokens(text, model)


def test_short_text_equals_reference(reference: dict[str, Any]) -> None:
    """On real text under the head the estimate equals tiktoken built from OpenAI's files."""
    text = _stdlib_text(E.HEAD)
    for profile, name in (("o200k", "o200k_base"), ("cl100k", "cl100k_base")):
        assert E.estimate(text, E.PROFILES[profile]) == len(reference[name].encode_ordinary(text))


@settings(deadline=None)
@given(st.data(), texts)
def test_stream_estimate_equals_whole_estimate(data: st.DataObject, text: str) -> None:
    """The estimate of chunks equals that of the whole text, whatever the chunking."""
    chunks = data.draw(chunkings(text))
    with _small_sampling():
        for name in REAL_PROFILES:
            profile = E.PROFILES[name]
            assert E.estimate_chunks(chunks, profile) == E.estimate(text, profile), name


def test_large_text_stream_equals_whole_with_real_sampling() -> None:
    """Past the head (sampled blocks, every band) streaming still equals the whole."""
    rng = random.Random(7)
    text = _stdlib_text(600_000) + " ".join(rng.choice(TRAPS) for _ in range(20_000))
    cuts = sorted(rng.sample(range(len(text)), 60))
    chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    for name in ("o200k", "llama"):
        profile = E.PROFILES[name]
        whole = E.estimate(text, profile)
        assert E.estimate_chunks(chunks, profile) == whole
        assert E.estimate_chunks(iter(text[:40_000]), profile) == E.estimate(text[:40_000], profile)


def test_sampled_estimate_is_close_to_exact(reference: dict[str, Any]) -> None:
    """On 1 MB of real text the sampled estimate is within 3% of the exact count."""
    text = _stdlib_text(1_000_000)
    for profile, name in (("o200k", "o200k_base"), ("cl100k", "cl100k_base")):
        exact = len(reference[name].encode_ordinary(text))
        assert abs(E.estimate(text, E.PROFILES[profile]) - exact) <= 0.03 * exact


@pytest.mark.parametrize("unit", ["─", "=", "a", "\x00", "0123456789abcdef", "😀"])
def test_sampled_estimate_of_repeated_runs(unit: str) -> None:
    """Runs of one character or pattern (box drawing, NULs, hex) estimate near exact."""
    text = unit * (200_000 // len(unit))
    exact = T.count_tokens(text, "gpt-4o")
    assert abs(E.estimate(text, E.PROFILES["o200k"]) - exact) <= 0.05 * exact + 2


@settings(deadline=None, max_examples=25)
@given(long_texts, long_texts)
def test_concatenation_is_within_band_of_the_parts(a: str, b: str) -> None:
    """The estimate of a + b is within the documented 8% (and 4 tokens at the seam) of the sum."""
    profile = E.PROFILES["o200k"]
    parts = E.estimate(a, profile) + E.estimate(b, profile)
    assert abs(E.estimate(a + b, profile) - parts) <= 0.08 * parts + 4


def test_family_weights_apply_per_class() -> None:
    """A weighted profile sums its class weights over the base tokens (recomputed here)."""
    profile = E.PROFILES["llama"]
    assert profile.weights and profile.base == "cl100k_base"
    enc = B.encoding("cl100k_base")
    text = "Москва является столицей России. The quick brown fox, 12345!"
    tokens = [enc.decode_single_token_bytes(t) for t in enc.encode_ordinary(text)]
    hundredths = sum(profile.weights[E.token_class(t)] for t in tokens)
    assert E.estimate(text, profile) == max(1, round(hundredths / 100))


def test_token_classes() -> None:
    """Token classes follow the first byte after one space, the kind and the length."""
    names = {t: E.CLASSES[E.token_class(t)] for t in (b" the", b"the", b"123", b"    ", b"\n")}
    assert names == {
        b" the": "word", b"the": "letters", b"123": "digits", b"    ": "indent", b"\n": "newlines",
    }  # fmt: skip
    assert E.CLASSES[E.token_class("東京".encode())] == "cjk/bare/2-3"
    assert E.CLASSES[E.token_class(" 서울".encode())] == "hangul/spaced/2-3"


@pytest.mark.parametrize("bad", [b"bytes", None, 1.5])
def test_non_str_is_a_type_error(bad: object) -> None:
    """The estimate refuses anything but a str, in one piece or in chunks."""
    with pytest.raises(InvalidTypeError):
        E.estimate(bad, E.PROFILES["o200k"])  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        E.estimate_chunks(["ok", bad], E.PROFILES["o200k"])  # type: ignore[list-item]


def test_estimate_tokens_uses_the_model_profile() -> None:
    """estimate_tokens picks the profile from the registry's tokenizer field."""
    text = _stdlib_text(20_000)
    assert T.estimate_tokens(text, "gpt-4o") == E.estimate(text, E.PROFILES["o200k"])
    assert T.estimate_tokens(text, "gpt-4") == E.estimate(text, E.PROFILES["cl100k"])
    claude = E.estimate(text, E.PROFILES["claude"])
    assert T.estimate_tokens(text, "claude-sonnet-4-5") == claude
    assert (
        claude == round(1.2 * E.estimate(text, E.PROFILES["o200k"]))
        or abs(claude - 1.2 * E.estimate(text, E.PROFILES["o200k"])) <= 1
    )


def test_profiles_cover_the_registry_tokenizers() -> None:
    """Every tokenizer name the registry allows has an estimate profile."""
    from llmcost._registry import TOKENIZERS

    for name in TOKENIZERS:
        assert T._EXACT_PROFILE.get(name, name) in E.PROFILES


def test_fitted_families_report_their_band() -> None:
    """Families fitted against a real tokenizer report its measured error band."""
    for name in ("llama", "llama4", "deepseek", "qwen", "gemini", "mistral"):
        band = E.PROFILES[name].band
        assert band is not None and 0 < band[0] <= band[1] < 0.2, name
    assert E.PROFILES["claude"].band is None


def test_stream_object_accumulates_in_any_order_of_calls() -> None:
    """EstimateStream.total can be asked any time and keeps counting afterwards."""
    s = E.EstimateStream(E.PROFILES["o200k"])
    assert s.total() == 0
    s.feed("Hello, ")
    first = s.total()
    s.feed("world")
    assert first == E.estimate("Hello, ", E.PROFILES["o200k"])
    assert s.total() == E.estimate("Hello, world", E.PROFILES["o200k"])
    long = _stdlib_text(50_000)
    s = E.EstimateStream(E.PROFILES["o200k"])
    s.feed(long[:30_000])
    mid = s.total()
    s.feed(long[30_000:])
    assert mid == E.estimate(long[:30_000], E.PROFILES["o200k"])
    assert s.total() == E.estimate(long, E.PROFILES["o200k"])
