"""Anthropic Messages on the anthropic SDK's own typed objects: cache TTLs, thinking, tiers,
fast mode, regional inference, server tools, compaction, streams. Every expected cost is
computed here from the rates `get_price` reports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

import llmcost
from llmcost import (
    InvalidUsageError,
    MissingRateError,
    ModelPrice,
    PriceVariant,
    Registry,
    RetiredModelError,
    StreamUsage,
    Usage,
    cost_of_response,
    get_price,
    usage_from_response,
)
from llmcost._responses import read
from tests.responses_helpers import body, fixture, per_kcall, per_mtok, to_dict, typed

UTC = timezone.utc
#: Before claude-sonnet-4-5 (2026-11-30) and claude-sonnet-4 (2026-06-15) were retired.
JUNE = datetime(2026, 6, 1, tzinfo=UTC)


def opus45_ttl(_: dict[str, Any]) -> Decimal:
    p = get_price("claude-opus-4-5")
    # 120 uncached + 2,000 written for 5 minutes + 8,000 for 1 hour; 600 output
    return (
        per_mtok(120, p.input_per_mtok)
        + per_mtok(2_000, p.cache_write_5m_per_mtok)
        + per_mtok(8_000, p.cache_write_1h_per_mtok)
        + per_mtok(600, p.output_per_mtok)
    )


def sonnet45_thinking(kw: dict[str, Any]) -> Decimal:
    p = get_price("claude-sonnet-4-5", at=kw["at"])
    # issue 13: 50 uncached + 100,000 cache reads, 400 output (250 of them thinking)
    return (per_mtok(50, p.input_per_mtok) + per_mtok(100_000, p.cache_read_per_mtok)
            + per_mtok(400, p.output_per_mtok))  # fmt: skip


def haiku_batch(_: dict[str, Any]) -> Decimal:
    p = get_price("claude-haiku-4-5")
    v = p.variant("batch", None)
    assert v is not None and v.multiplier is not None
    return v.multiplier * (per_mtok(3_100, p.input_per_mtok)
                           + per_mtok(20_480, p.cache_read_per_mtok)
                           + per_mtok(850, p.output_per_mtok))  # fmt: skip


def opus46_fast_us(_: dict[str, Any]) -> Decimal:
    p = get_price("claude-opus-4-6")
    v = p.variant(None, "fast")
    assert v is not None
    geo = p.inference_geo["us"]  # US-only inference: a multiplier on every token rate
    return geo * (per_mtok(4_200, v.input_per_mtok) + per_mtok(30_000, v.cache_read_per_mtok)
                  + per_mtok(1_200, v.cache_write_5m_per_mtok)
                  + per_mtok(1_500, v.output_per_mtok))  # fmt: skip


def sonnet4_plain(kw: dict[str, Any]) -> Decimal:
    p = get_price("claude-sonnet-4", at=kw["at"])
    return per_mtok(16, p.input_per_mtok) + per_mtok(34, p.output_per_mtok)


def sonnet4_web_search(kw: dict[str, Any]) -> Decimal:
    p = get_price("claude-sonnet-4", at=kw["at"])
    return (per_mtok(13_520, p.input_per_mtok) + per_mtok(486, p.output_per_mtok)
            + per_kcall(1, p.tool_per_kcall["web_search"]))  # fmt: skip


def sonnet45_tools(kw: dict[str, Any]) -> Decimal:
    p = get_price("claude-sonnet-4-5", at=kw["at"])
    return (per_mtok(18_400, p.input_per_mtok) + per_mtok(1_120, p.output_per_mtok)
            + per_kcall(3, p.tool_per_kcall["web_search"])
            + per_kcall(2, p.tool_per_kcall["web_fetch"]))  # fmt: skip


def opus47_compaction(_: dict[str, Any]) -> Decimal:
    p = get_price("claude-opus-4-7")
    # the compaction iteration (152,000 in / 3,100 out) is billed on top of the message
    return (per_mtok(5_200 + 152_000, p.input_per_mtok)
            + per_mtok(700 + 3_100, p.output_per_mtok))  # fmt: skip


CASES: dict[str, tuple[dict[str, Any], Callable[[dict[str, Any]], Decimal]]] = {
    "anthropic/message_cache_write_5m_1h": ({}, opus45_ttl),
    "anthropic/message_thinking_cache_read": ({"at": JUNE}, sonnet45_thinking),
    "anthropic/message_batch_result": ({}, haiku_batch),
    "anthropic/message_fast_us_geo": ({}, opus46_fast_us),
    "anthropic/message_real_sonnet4": ({"at": JUNE}, sonnet4_plain),
    "anthropic/message_real_web_search": ({"at": JUNE}, sonnet4_web_search),
    "anthropic/message_web_search_fetch": ({"at": JUNE}, sonnet45_tools),
    "anthropic/beta_message_compaction_iterations": ({}, opus47_compaction),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_typed_message_prices_by_hand(name: str) -> None:
    """Each Message, built by the anthropic SDK's validator, costs what its rates say."""
    kwargs, expected = CASES[name]
    c = cost_of_response(typed(name), **kwargs)
    assert c.usage == Usage(**fixture(name)["expected_usage"])
    assert c.total == expected(kwargs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_dict_and_to_dict_agree(name: str) -> None:
    """The parsed JSON and the SDK's to_dict() form give the typed object's cost."""
    kwargs, _ = CASES[name]
    want = cost_of_response(typed(name), **kwargs)
    assert cost_of_response(body(name), **kwargs) == want
    assert cost_of_response(to_dict(typed(name)), **kwargs) == want


def test_issue_13_thinking_details_are_not_openai() -> None:
    """output_tokens_details (thinking) does not make a Message an OpenAI Responses usage."""
    c = cost_of_response(typed("anthropic/message_thinking_cache_read"), at=JUNE)
    assert c.total == Decimal("0.03615")  # the bill in issue 13, not the $0.00615 it was
    assert read(typed("anthropic/message_thinking_cache_read")).api == "anthropic.messages"


def test_request_context_is_read() -> None:
    """service_tier, speed and inference_geo come from the usage block."""
    r = read(typed("anthropic/message_fast_us_geo"))
    assert (r.service_tier, r.speed, r.inference_geo) == ("standard", "fast", "us")
    c = cost_of_response(typed("anthropic/message_fast_us_geo"))
    assert (c.speed, c.inference_geo) == ("fast", "us")
    assert cost_of_response(typed("anthropic/message_batch_result")).batch
    geo = read(typed("anthropic/message_real_sonnet4")).inference_geo
    assert geo == "not_available"  # no regional multiplier
    assert cost_of_response(typed("anthropic/message_real_sonnet4"), at=JUNE).inference_geo is None


def test_explicit_context_wins() -> None:
    """Explicit speed= and inference_geo= override what the response reports."""
    c = cost_of_response(typed("anthropic/message_fast_us_geo"), speed="standard",
                         inference_geo="global")  # fmt: skip
    p = get_price("claude-opus-4-6")
    assert c.total == (per_mtok(4_200, p.input_per_mtok) + per_mtok(30_000, p.cache_read_per_mtok)
                       + per_mtok(1_200, p.cache_write_5m_per_mtok)
                       + per_mtok(1_500, p.output_per_mtok))  # fmt: skip


def test_priority_tier_refused_without_rates() -> None:
    """A priority response is refused when the model has no priority rates, else priced."""
    name = "anthropic/message_priority"
    with pytest.raises(MissingRateError, match="priority"):
        cost_of_response(typed(name), at=JUNE)
    p = get_price("claude-sonnet-4-5", at=JUNE)
    priority = PriceVariant(service_tier="priority", multiplier="2")
    reg = Registry.default().with_prices(ModelPrice(
        model="claude-sonnet-4-5", provider="anthropic", tokenizer="claude",
        input_per_mtok=p.input_per_mtok,
        output_per_mtok=p.output_per_mtok, cache_read_per_mtok=p.cache_read_per_mtok,
        variants=(priority,)))  # fmt: skip
    c = cost_of_response(typed(name), registry=reg)
    assert c.service_tier == "priority"
    assert c.total == 2 * (per_mtok(900, p.input_per_mtok) + per_mtok(12_000,
        p.cache_read_per_mtok) + per_mtok(300, p.output_per_mtok))  # fmt: skip


def test_retired_model_needs_its_time() -> None:
    """claude-sonnet-4-5 retired on 2026-11-30: a Message (no timestamp) needs at=."""
    with pytest.raises(RetiredModelError, match="at="):
        cost_of_response(typed("anthropic/message_thinking_cache_read"))


def test_ttl_split_must_add_up() -> None:
    """A cache_creation split that does not add up to the writes is refused."""
    b = body("anthropic/message_cache_write_5m_1h")
    b["usage"]["cache_creation"]["ephemeral_1h_input_tokens"] = 7_000
    with pytest.raises(InvalidUsageError, match="does not add up"):
        usage_from_response(b)
    del b["usage"]["cache_creation"]
    assert usage_from_response(b).cache_write_5m_tokens == 10_000  # no split: 5 minutes


@pytest.mark.parametrize("kind", ["advisor_message", "fallback_message"])
def test_other_model_iterations_refused(kind: str) -> None:
    """An iteration billed on another model is refused (one model per response)."""
    b = body("anthropic/beta_message_compaction_iterations")
    b["usage"]["iterations"].append(
        {
            "type": kind,
            "model": "claude-haiku-4-5",
            "input_tokens": 9,
            "output_tokens": 1,
            "cache_read_input_tokens": 0,
            "cache_creation_input_tokens": 0,
        }
    )
    with pytest.raises(InvalidUsageError, match=kind):
        usage_from_response(b)


def test_unknown_server_tool_warns() -> None:
    """A server_tool_use count llmcost does not know is reported, not dropped."""
    b = body("anthropic/message_web_search_fetch")
    b["usage"]["server_tool_use"]["frobnicate_requests"] = 4
    with pytest.warns(llmcost.UnknownUsageFieldWarning, match="frobnicate_requests"):
        usage_from_response(b)


STREAMS: dict[str, tuple[dict[str, Any], Callable[[], Decimal]]] = {
    "anthropic/stream_thinking_cache_1h": ({}, lambda: (
        per_mtok(310, get_price("claude-opus-4-5").input_per_mtok)
        + per_mtok(42_000, get_price("claude-opus-4-5").cache_read_per_mtok)
        + per_mtok(6_000, get_price("claude-opus-4-5").cache_write_1h_per_mtok)
        + per_mtok(1_480, get_price("claude-opus-4-5").output_per_mtok))),
    "anthropic/stream_real_web_search": ({"at": JUNE}, lambda: (
        per_mtok(13_520, get_price("claude-sonnet-4", at=JUNE).input_per_mtok)
        + per_mtok(415, get_price("claude-sonnet-4", at=JUNE).output_per_mtok)
        + per_kcall(1, get_price("claude-sonnet-4", at=JUNE).tool_per_kcall["web_search"]))),
    "anthropic/stream_delta_output_only": ({"at": datetime(2025, 12, 1)}, lambda: (
        per_mtok(11, get_price("claude-3-opus", at=datetime(2025, 12, 1)).input_per_mtok)
        + per_mtok(6, get_price("claude-3-opus", at=datetime(2025, 12, 1)).output_per_mtok))),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_stream_counted_once(name: str) -> None:
    """message_start + cumulative message_delta: the input counted once, output from the delta."""
    kwargs, expected = STREAMS[name]
    acc = StreamUsage()
    for event in typed(name):
        acc.add(event)
    assert acc.complete
    assert acc.usage == Usage(**fixture(name)["expected_usage"])
    assert acc.cost(**kwargs).total == expected()
    plain = StreamUsage()
    for event in body(name)["events"]:
        plain.add(event)
    assert plain.cost(**kwargs) == acc.cost(**kwargs)


def test_stream_cut_short_is_incomplete() -> None:
    """A stream without its message_delta is marked incomplete (provisional output)."""
    acc = StreamUsage()
    events = typed("anthropic/stream_thinking_cache_1h")
    for event in events[:-2]:
        acc.add(event)
    assert not acc.complete
    assert acc.usage is not None and acc.usage.output_tokens == 2


def test_message_start_or_delta_alone() -> None:
    """message_start alone and an output-only message_delta alone are refused clearly."""
    events = typed("anthropic/stream_delta_output_only")
    with pytest.raises(InvalidUsageError, match="provisional"):
        cost_of_response(events[0])
    with pytest.raises(InvalidUsageError, match="cannot price the input"):
        cost_of_response(events[-2])
    acc = StreamUsage()
    with pytest.raises(InvalidUsageError, match="before any message_start"):
        acc.add(events[-2])


def test_cumulative_delta_alone_prices() -> None:
    """A message_delta with the input side prices alone when it has no TTL-less writes."""
    delta = body("anthropic/stream_real_web_search")["events"][-2]
    assert delta["type"] == "message_delta"
    c = cost_of_response(delta, model="claude-sonnet-4", at=JUNE)
    assert c.usage == Usage(input_tokens=13_520, output_tokens=415,
                            tool_calls={"web_search": 1})  # fmt: skip
    with_writes = body("anthropic/stream_thinking_cache_1h")["events"][-2]
    with pytest.raises(InvalidUsageError, match="TTL"):
        cost_of_response(with_writes, model="claude-opus-4-5")
