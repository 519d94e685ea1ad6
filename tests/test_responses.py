"""Usage and cost read from provider responses, as dicts and as SDK-style objects."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

import llmcost
from llmcost import InvalidUsageError, Usage, cost_of_response, usage_from_response

D = Decimal


def as_object(value: Any) -> Any:
    """A parsed-JSON dict turned into nested attribute objects, as SDKs return them."""
    if isinstance(value, dict):
        return SimpleNamespace(**{k: as_object(v) for k, v in value.items()})
    if isinstance(value, list):
        return [as_object(v) for v in value]
    return value


OPENAI_CHAT = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "model": "gpt-4o-2024-08-06",
    "usage": {
        "prompt_tokens": 2_000,
        "completion_tokens": 500,
        "total_tokens": 2_500,
        "prompt_tokens_details": {"cached_tokens": 1_024, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    },
}
OPENAI_REASONING = {
    "object": "chat.completion",
    "model": "o3-2025-04-16",
    "usage": {
        "prompt_tokens": 1_000,
        "completion_tokens": 3_000,
        "prompt_tokens_details": None,
        "completion_tokens_details": {"reasoning_tokens": 2_500},
    },
}
OPENAI_RESPONSES = {
    "object": "response",
    "model": "gpt-4.1",
    "usage": {
        "input_tokens": 10_000,
        "input_tokens_details": {"cached_tokens": 8_000},
        "output_tokens": 100,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 10_100,
    },
}
ANTHROPIC = {
    "type": "message",
    "model": "claude-sonnet-4-6",
    "usage": {
        "input_tokens": 1_000,
        "cache_read_input_tokens": 50_000,
        "cache_creation_input_tokens": 30_000,
        "cache_creation": {
            "ephemeral_5m_input_tokens": 20_000,
            "ephemeral_1h_input_tokens": 10_000,
        },
        "output_tokens": 2_000,
    },
}
GEMINI = {
    "modelVersion": "gemini-3.5-flash",
    "usageMetadata": {
        "promptTokenCount": 4_000,
        "cachedContentTokenCount": 3_000,
        "candidatesTokenCount": 200,
        "thoughtsTokenCount": 800,
        "totalTokenCount": 5_000,
    },
}
BEDROCK = {
    "output": {"message": {"role": "assistant", "content": [{"text": "hi"}]}},
    "usage": {
        "inputTokens": 100,
        "outputTokens": 20,
        "totalTokens": 1_620,
        "cacheReadInputTokens": 1_000,
        "cacheWriteInputTokens": 500,
    },
}


@pytest.mark.parametrize("wrap", [lambda d: d, as_object], ids=["dict", "object"])
def test_openai_chat(wrap: Any) -> None:
    """Chat Completions: prompt tokens include the cached ones."""
    u = usage_from_response(wrap(OPENAI_CHAT))
    assert u == Usage(input_tokens=2_000, output_tokens=500, cache_read_tokens=1_024)
    c = cost_of_response(wrap(OPENAI_CHAT))
    # gpt-4o: 976 x 2.5/M + 1,024 x 1.25/M + 500 x 10/M
    assert c.model == "gpt-4o"
    assert c.total == D("0.00244") + D("0.00128") + D("0.005")


@pytest.mark.parametrize("wrap", [lambda d: d, as_object], ids=["dict", "object"])
def test_openai_reasoning(wrap: Any) -> None:
    """Reasoning tokens stay inside the output count; null details read as zero."""
    u = usage_from_response(wrap(OPENAI_REASONING))
    assert u == Usage(input_tokens=1_000, output_tokens=3_000, reasoning_tokens=2_500)
    c = cost_of_response(wrap(OPENAI_REASONING))
    assert c.model == "o3"
    assert c.total == D("0.002") + D("0.024")


@pytest.mark.parametrize("wrap", [lambda d: d, as_object], ids=["dict", "object"])
def test_openai_responses_api(wrap: Any) -> None:
    """Responses API: input_tokens include cached_tokens."""
    u = usage_from_response(wrap(OPENAI_RESPONSES))
    assert u == Usage(input_tokens=10_000, output_tokens=100, cache_read_tokens=8_000)
    p = llmcost.get_price("gpt-4.1")
    expected = (2_000 * p.input_per_mtok + 8_000 * p.cache_read_per_mtok
                + 100 * p.output_per_mtok) / 1_000_000  # fmt: skip
    assert cost_of_response(wrap(OPENAI_RESPONSES)).total == expected


@pytest.mark.parametrize("wrap", [lambda d: d, as_object], ids=["dict", "object"])
def test_anthropic_cache_split(wrap: Any) -> None:
    """Anthropic input excludes cache tokens; the 5m / 1h split is kept."""
    u = usage_from_response(wrap(ANTHROPIC))
    assert u == Usage(
        input_tokens=81_000,
        output_tokens=2_000,
        cache_read_tokens=50_000,
        cache_write_5m_tokens=20_000,
        cache_write_1h_tokens=10_000,
    )
    c = cost_of_response(wrap(ANTHROPIC))
    # 1,000 x 3/M + 50,000 x 0.3/M + 20,000 x 3.75/M + 10,000 x 6/M + 2,000 x 15/M
    assert c.total == D("0.003") + D("0.015") + D("0.075") + D("0.06") + D("0.03")


def test_anthropic_without_split_is_5m() -> None:
    """Without the cache_creation split, cache writes are the default 5-minute ones."""
    resp = {"model": "claude-haiku-4-5", "usage": {
        "input_tokens": 10, "cache_creation_input_tokens": 90, "output_tokens": 1}}  # fmt: skip
    assert usage_from_response(resp).cache_write_5m_tokens == 90


def test_anthropic_stream_events() -> None:
    """message_start alone (provisional output) and a delta without input are refused."""
    start = {"type": "message_start", "message": {**ANTHROPIC}}
    with pytest.raises(InvalidUsageError, match="StreamUsage"):
        llmcost.cost_of_response(start)
    with pytest.raises(InvalidUsageError, match="input"):
        usage_from_response({"type": "message_delta", "usage": {"output_tokens": 15}})


@pytest.mark.parametrize("wrap", [lambda d: d, as_object], ids=["dict", "object"])
def test_gemini_thoughts(wrap: Any) -> None:
    """Gemini thinking tokens are added to the output and marked as reasoning."""
    u = usage_from_response(wrap(GEMINI))
    assert u == Usage(
        input_tokens=4_000, output_tokens=1_000, cache_read_tokens=3_000, reasoning_tokens=800
    )
    p = llmcost.get_price("gemini-3.5-flash")
    expected = (1_000 * p.input_per_mtok + 3_000 * p.cache_read_per_mtok
                + 1_000 * p.output_per_mtok) / 1_000_000  # fmt: skip
    assert cost_of_response(wrap(GEMINI)).total == expected


def test_gemini_sdk_snake_case() -> None:
    """The google-genai SDK's snake_case usage_metadata reads the same."""
    resp = as_object({
        "model_version": "gemini-3.5-flash",
        "usage_metadata": {"prompt_token_count": 4_000, "cached_content_token_count": 3_000,
                           "candidates_token_count": 200, "thoughts_token_count": 800},
    })  # fmt: skip
    assert usage_from_response(resp) == usage_from_response(GEMINI)
    assert cost_of_response(resp) == cost_of_response(GEMINI)


def test_bedrock_converse_needs_model() -> None:
    """Bedrock Converse does not name the model: pass it; input gets the cache tokens added."""
    u = usage_from_response(BEDROCK)
    assert u == Usage(
        input_tokens=1_600, output_tokens=20, cache_read_tokens=1_000, cache_write_5m_tokens=500
    )
    with pytest.raises(InvalidUsageError, match="model="):
        cost_of_response(BEDROCK)
    c = cost_of_response(BEDROCK, model="claude-haiku-4-5")
    assert c.model == "claude-haiku-4-5"


def test_openai_stream_last_chunk() -> None:
    """The last chunk of an OpenAI stream (with include_usage) prices like a response."""
    chunk = {"object": "chat.completion.chunk", "model": "gpt-4o-mini", "choices": [],
             "usage": {"prompt_tokens": 100, "completion_tokens": 10}}  # fmt: skip
    assert cost_of_response(chunk).usage == Usage(input_tokens=100, output_tokens=10)


@pytest.mark.parametrize(
    "bad",
    [
        {"model": "gpt-4o", "choices": []},
        {"model": "gpt-4o", "usage": {"total_tokens": 10}},
        {"model": "gpt-4o", "usage": {"prompt_tokens": -1, "completion_tokens": 1}},
        {"model": "gpt-4o", "usage": {"prompt_tokens": "12", "completion_tokens": 1}},
        {"model": "gpt-4o", "usage": {"prompt_tokens": 10, "completion_tokens": 1,
                                      "prompt_tokens_details": {"cached_tokens": 11}}},
        "just a string",
        None,
        42,
    ],
)  # fmt: skip
def test_unknown_shapes_raise(bad: object) -> None:
    """An unreadable response raises InvalidUsageError (a ValueError), never a $0 cost."""
    with pytest.raises(InvalidUsageError):
        cost_of_response(bad)


def test_batch_and_model_override() -> None:
    """cost_of_response honours batch= and an explicit model."""
    uncached = {**OPENAI_CHAT, "usage": {"prompt_tokens": 1_000, "completion_tokens": 100}}
    plain = cost_of_response(uncached)
    batch = cost_of_response(uncached, batch=True)
    assert batch.total * 2 == plain.total
    mini = cost_of_response(OPENAI_CHAT, model="gpt-4o-mini")
    assert mini.model == "gpt-4o-mini"
