"""litellm ModelResponse (built by litellm's own transformers) and langchain AIMessage /
AIMessageChunk (langchain's classes, and langchain-openai / langchain-anthropic's converters).
Expected costs are computed here from the rates `get_price` reports."""

from __future__ import annotations

import warnings
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from llmcost import (
    InvalidUsageError,
    RetiredModelError,
    StreamUsage,
    Usage,
    cost_of_response,
    get_price,
    usage_from_response,
)
from llmcost._responses import read
from tests.responses_helpers import body, fixture, per_mtok, summed, to_dict, typed

UTC = timezone.utc
JUNE = datetime(2026, 6, 1, tzinfo=UTC)


def opus45_ttl() -> Decimal:
    p = get_price("claude-opus-4-5")
    return (
        per_mtok(120, p.input_per_mtok)
        + per_mtok(2_000, p.cache_write_5m_per_mtok)
        + per_mtok(8_000, p.cache_write_1h_per_mtok)
        + per_mtok(600, p.output_per_mtok)
    )


def test_litellm_anthropic_keeps_the_1h_writes() -> None:
    """litellm's Anthropic transformer reports the write three times and the TTL split: the
    1-hour writes are priced as such (issue 13: $0.05415, not $0.04515 for its case)."""
    name = "litellm/model_response_anthropic_cache_ttl"
    c = cost_of_response(typed(name))
    assert c.usage == Usage(**fixture(name)["expected_usage"])
    assert c.total == opus45_ttl()
    assert c.total == Decimal(fixture(name)["build"]["litellm_completion_cost_usd"])
    assert read(typed(name)).api == "litellm.chat"
    assert cost_of_response(body(name)) == c
    assert cost_of_response(typed(name).model_dump()) == c


def test_litellm_openai_cache_write() -> None:
    """litellm's OpenAI ModelResponse: the cache write (reported twice) is one 30m write."""
    name = "litellm/model_response_openai_cache_write"
    at = datetime.fromtimestamp(body(name)["created"], UTC)
    p = get_price("gpt-5.5", at=at)
    c = cost_of_response(typed(name))
    assert c.total == (per_mtok(40_210 - 38_912, p.input_per_mtok)
                       + per_mtok(38_912, p.cache_write_30m_per_mtok)
                       + per_mtok(950, p.output_per_mtok))  # fmt: skip
    assert cost_of_response(body(name)) == c


def test_litellm_openai_cached_reasoning() -> None:
    """A plain litellm OpenAI ModelResponse reads like the OpenAI body it came from."""
    name = "litellm/model_response_openai_cached_reasoning"
    c = cost_of_response(typed(name))
    assert c == cost_of_response(body("openai/chat_cached_reasoning"))
    assert c.usage == Usage(**fixture(name)["expected_usage"])


def test_litellm_write_counts_must_agree() -> None:
    """litellm's three copies of the cache write must agree."""
    b = body("litellm/model_response_anthropic_cache_ttl")
    b["usage"]["cache_creation_input_tokens"] = 9_000
    with pytest.raises(InvalidUsageError, match="disagree"):
        usage_from_response(b)


LANGCHAIN: dict[str, tuple[dict[str, Any], Any]] = {
    "langchain/aimessage_anthropic_cache_ttl": ({}, opus45_ttl),
    "langchain/aimessage_anthropic_thinking_cache_read": ({"at": JUNE}, lambda: (
        per_mtok(50, get_price("claude-sonnet-4-5", at=JUNE).input_per_mtok)
        + per_mtok(100_000, get_price("claude-sonnet-4-5", at=JUNE).cache_read_per_mtok)
        + per_mtok(400, get_price("claude-sonnet-4-5", at=JUNE).output_per_mtok))),
    "langchain/aimessage_openai_cached_reasoning": ({"at": datetime(2026, 1, 1)}, lambda: (
        per_mtok(1_124, get_price("o4-mini", at=datetime(2026, 1, 1)).input_per_mtok)
        + per_mtok(1_024, get_price("o4-mini", at=datetime(2026, 1, 1)).cache_read_per_mtok)
        + per_mtok(412, get_price("o4-mini", at=datetime(2026, 1, 1)).output_per_mtok))),
    "langchain/aimessage_openai_flex": ({}, lambda: (
        per_mtok(1_304, get_price("o3").variant("flex", None).input_per_mtok)  # type: ignore[union-attr]
        + per_mtok(4_096, get_price("o3").variant("flex", None).cache_read_per_mtok)  # type: ignore[union-attr]
        + per_mtok(820, get_price("o3").variant("flex", None).output_per_mtok))),  # type: ignore[union-attr]
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(LANGCHAIN))
def test_langchain_aimessage(name: str) -> None:
    """An AIMessage: the model from response_metadata, the raw provider usage read exactly."""
    kwargs, expected = LANGCHAIN[name]
    message = typed(name)
    c = cost_of_response(message, **kwargs)
    assert c.usage == Usage(**fixture(name)["expected_usage"])
    assert c.total == expected()
    assert cost_of_response(body(name), **kwargs) == c
    assert cost_of_response(to_dict(message), **kwargs) == c


def test_langchain_flex_tier_from_metadata() -> None:
    """langchain-openai's flex response: the tier comes from response_metadata."""
    r = read(typed("langchain/aimessage_openai_flex"))
    assert (r.model, r.service_tier, r.provider) == ("o3-2025-04-16", "flex", "openai")


def test_langchain_usage_metadata_only() -> None:
    """Without the raw usage, usage_metadata is read; flex_* keys name the tier."""
    b = body("langchain/aimessage_openai_flex")
    del b["response_metadata"]["token_usage"]
    del b["response_metadata"]["service_tier"]
    r = read(b)
    assert r.api == "langchain.usage_metadata"
    assert r.service_tier == "flex"
    assert r.usage == Usage(**fixture("langchain/aimessage_openai_flex")["expected_usage"])
    assert cost_of_response(b) == cost_of_response(typed("langchain/aimessage_openai_flex"))


def test_langchain_converters_build_the_same_message() -> None:
    """The messages langchain-openai and langchain-anthropic build offline price alike."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import anthropic.types as at
        from langchain_anthropic import ChatAnthropic
        from langchain_openai import ChatOpenAI

    raw = fixture("langchain/aimessage_anthropic_cache_ttl")["raw_provider_body"]
    llm = ChatAnthropic(model="claude-opus-4-5", api_key="test")  # type: ignore[call-arg]
    message = llm._format_output(at.Message.model_validate(raw)).generations[0].message
    assert message.response_metadata == {"model_provider": "anthropic"}  # generate() adds more
    c = cost_of_response(message, model="claude-opus-4-5")  # read from usage_metadata
    assert c.total == opus45_ttl()
    raw = fixture("langchain/aimessage_openai_flex")["raw_provider_body"]
    openai_llm = ChatOpenAI(model="o3", api_key="test")  # type: ignore[arg-type]
    message = openai_llm._create_chat_result(raw).generations[0].message
    assert not message.response_metadata  # the model is added later, by generate()
    with pytest.raises(InvalidUsageError, match="model="):
        cost_of_response(message)
    want = cost_of_response(typed("langchain/aimessage_openai_flex"))
    assert cost_of_response(message, model="o3-2025-04-16").total == want.total


def test_langchain_chunk_sum_anthropic() -> None:
    """A summed AIMessageChunk from langchain-anthropic: the TTL split is lost, so the
    writes are 5-minute writes (Anthropic's default); chunks fed one by one agree."""
    name = "langchain/aimessagechunk_sum_anthropic"
    chunks = typed(name)
    total = summed(chunks)
    p = get_price("claude-opus-4-5")
    want = (
        per_mtok(310, p.input_per_mtok)
        + per_mtok(42_000, p.cache_read_per_mtok)
        + per_mtok(6_000, p.cache_write_5m_per_mtok)
        + per_mtok(1_480, p.output_per_mtok)
    )
    assert cost_of_response(total).total == want
    acc = StreamUsage()
    for chunk in chunks:
        acc.add(chunk)
    assert acc.complete and acc.model == "claude-opus-4-5-20251101"
    assert acc.cost().total == want


def test_langchain_chunk_sum_openai() -> None:
    """langchain-openai's chunks (usage on one chunk) sum to the request's usage."""
    name = "langchain/aimessagechunk_sum_openai"
    chunks = typed(name)
    at = datetime(2026, 6, 24, tzinfo=UTC)
    p = get_price("gpt-5", at=at)
    want = per_mtok(19, p.input_per_mtok) + per_mtok(75, p.output_per_mtok)
    assert cost_of_response(summed(chunks), at=at).total == want
    acc = StreamUsage()
    for chunk in chunks:
        acc.add(chunk)
    assert acc.usage == Usage(**fixture(name)["expected_usage"])
    assert acc.cost(at=at).total == want


def test_langchain_output_only_delta_refused() -> None:
    """langchain-anthropic reports 0 input tokens for an output-only message_delta: refused."""
    chunks = typed("langchain/aimessagechunk_sum_anthropic_output_only_delta")
    with pytest.raises(InvalidUsageError, match="0 input tokens"):
        cost_of_response(summed(chunks), at=datetime(2025, 12, 1))
    acc = StreamUsage()
    for chunk in chunks:
        acc.add(chunk)
    with pytest.raises(InvalidUsageError, match="StreamUsage"):
        _ = acc.usage


def test_langchain_retired_model_needs_at() -> None:
    """A langchain message carries no timestamp: a retired model needs at=."""
    with pytest.raises(RetiredModelError):
        cost_of_response(typed("langchain/aimessage_openai_cached_reasoning"))
