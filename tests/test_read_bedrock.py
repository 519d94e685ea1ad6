"""AWS Bedrock Converse and ConverseStream, parsed by botocore's own parsers (as boto3 returns
them). Expected costs are computed here from the rates `get_price` reports."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from llmcost import (
    InvalidUsageError,
    MissingRateError,
    StreamUsage,
    Usage,
    cost_of_response,
    get_price,
    usage_from_response,
)
from llmcost._responses import read
from tests.responses_helpers import body, fixture, per_mtok, typed

UTC = timezone.utc


def test_converse_ttl_split_on_regional_profile() -> None:
    """cacheDetails splits the writes by TTL; a us. profile id prices at Bedrock's rates."""
    name = "bedrock/converse_cache_details"
    model = fixture(name)["request_context"]["modelId"]
    assert model == "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    c = cost_of_response(typed(name), model=model)
    p = get_price("bedrock/claude-sonnet-4-5")
    assert c.model == "bedrock/claude-sonnet-4-5"
    assert c.usage == Usage(**fixture(name)["expected_usage"])
    assert c.total == (per_mtok(312, p.input_per_mtok) + per_mtok(20_000, p.cache_read_per_mtok)
                       + per_mtok(1_500, p.cache_write_5m_per_mtok)
                       + per_mtok(8_000, p.cache_write_1h_per_mtok)
                       + per_mtok(640, p.output_per_mtok))  # fmt: skip
    assert cost_of_response(body(name), model=model) == c
    arn = f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/{model}"
    assert cost_of_response(typed(name), model=arn).total == c.total


@pytest.mark.parametrize("name", ["bedrock/converse_llama", "bedrock/converse_real_basic"])
def test_converse_llama(name: str) -> None:
    """A Llama reply (no cache fields; an empty serverToolUsage) prices at Bedrock's rate."""
    model = fixture(name)["request_context"]["modelId"]
    p = get_price(model)
    u = Usage(**fixture(name)["expected_usage"])
    c = cost_of_response(typed(name), model=model)
    assert c.total == per_mtok(u.input_tokens, p.input_per_mtok) + per_mtok(
        u.output_tokens, p.output_per_mtok
    )
    assert cost_of_response(body(name), model=model) == c


def test_converse_needs_model() -> None:
    """A Converse reply never names its model: model= is required."""
    with pytest.raises(InvalidUsageError, match="model="):
        cost_of_response(typed("bedrock/converse_llama"))


def test_service_tier_is_read() -> None:
    """serviceTier.type is the tier; a model without those rates is refused, never standard."""
    name = "bedrock/converse_flex_write_no_details"
    model = fixture(name)["request_context"]["modelId"]
    assert read(typed(name)).service_tier == "flex"
    with pytest.raises(MissingRateError, match="flex"):
        cost_of_response(typed(name), model=model)
    p = get_price(model)
    c = cost_of_response(typed(name), model=model, service_tier="standard")  # explicit wins
    assert c.total == (per_mtok(55, p.input_per_mtok) + per_mtok(2_048, p.cache_write_5m_per_mtok)
                       + per_mtok(9, p.output_per_mtok))  # fmt: skip


def test_converse_stream_metadata() -> None:
    """The ConverseStream metadata event (botocore's EventStream) is the usage, once."""
    name = "bedrock/converse_stream_real"
    events = typed(name)
    model = fixture(name)["request_context"]["modelId"]
    at = datetime(2026, 6, 1, tzinfo=UTC)  # anthropic.claude-3-haiku retired on 2026-09-10
    acc = StreamUsage(model=model)
    for e in events:
        acc.add(e)
    assert acc.complete and acc.usage == Usage(input_tokens=13, output_tokens=5)
    p = get_price(model, at=at)
    want = per_mtok(13, p.input_per_mtok) + per_mtok(5, p.output_per_mtok)
    assert acc.cost(at=at).total == want
    metadata = next(e for e in events if "metadata" in e)
    assert cost_of_response(metadata, model=model, at=at).total == want


def test_converse_stream_priority_global_profile() -> None:
    """global. profiles price at the vendor's list price; the priority tier is read."""
    name = "bedrock/converse_stream_cache_priority"
    model = fixture(name)["request_context"]["modelId"]
    acc = StreamUsage(model=model)
    for e in typed(name):
        acc.add(e)
    assert acc.usage == Usage(**fixture(name)["expected_usage"])
    with pytest.raises(MissingRateError, match="priority"):
        acc.cost()
    p = get_price("claude-opus-4-5")
    assert acc.cost(service_tier="standard").total == (
        per_mtok(880, p.input_per_mtok)
        + per_mtok(51_200, p.cache_read_per_mtok)
        + per_mtok(4_096, p.cache_write_5m_per_mtok)
        + per_mtok(410, p.output_per_mtok)
    )


def test_server_tool_usage_refused_when_nonempty() -> None:
    """serverToolUsage with counts cannot be priced: refused, never dropped."""
    b = body("bedrock/converse_real_basic")
    b["usage"]["serverToolUsage"] = {"webSearch": 2}
    with pytest.raises(InvalidUsageError, match="serverToolUsage"):
        usage_from_response(b)


def test_cache_details_must_add_up() -> None:
    """cacheDetails that do not add up to cacheWriteInputTokens are refused."""
    b = body("bedrock/converse_cache_details")
    b["usage"]["cacheDetails"][0]["inputTokens"] = 1
    with pytest.raises(InvalidUsageError, match="does not add up"):
        usage_from_response(b)
    b["usage"]["cacheDetails"][0]["ttl"] = "3d"
    with pytest.raises(InvalidUsageError, match="3d"):
        usage_from_response(b)


def test_latency_optimized_is_a_speed() -> None:
    """performanceConfig.latency optimized is priced as speed optimized (refused without it)."""
    b = {**body("bedrock/converse_llama"), "performanceConfig": {"latency": "optimized"}}
    with pytest.raises(MissingRateError, match="optimized"):
        cost_of_response(b, model="meta.llama3-1-70b-instruct-v1:0")
