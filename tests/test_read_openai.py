"""OpenAI-style responses on the SDKs' own typed objects: Chat, Responses, xAI, DeepSeek, Groq,
Mistral. Every expected cost is computed here from the rates `get_price` reports."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

import llmcost
from llmcost import (
    InvalidUsageError,
    MissingRateError,
    StreamUsage,
    UnknownModelError,
    Usage,
    cost_of_response,
    get_price,
    usage_from_response,
)
from llmcost._responses import read
from tests.responses_helpers import body, fixture, per_kcall, per_mtok, to_dict, typed

UTC = timezone.utc


def at_of(name: str) -> datetime:
    """The fixture's own creation time (``created`` / ``created_at``), as a datetime."""
    b = body(name)
    if "events" in b:
        b = b["events"][-1]
        b = b.get("response", b)
    created = b.get("created", b.get("created_at"))
    return datetime.fromtimestamp(created, UTC)


def chat_gpt4o_audio(name: str) -> Decimal:
    p = get_price("gpt-4o-audio-preview", at=at_of(name))
    # 76 text + 236 audio input; 128 text + 512 audio output
    return (
        per_mtok(76, p.input_per_mtok)
        + per_mtok(236, p.audio_input_per_mtok)
        + per_mtok(128, p.output_per_mtok)
        + per_mtok(512, p.audio_output_per_mtok)
    )


def chat_cache_write(name: str) -> Decimal:
    p = get_price("gpt-5.5", at=at_of(name))
    # 40,210 prompt tokens of which 38,912 written to the cache (30-minute TTL); 950 output
    return (
        per_mtok(40_210 - 38_912, p.input_per_mtok)
        + per_mtok(38_912, p.cache_write_30m_per_mtok)
        + per_mtok(950, p.output_per_mtok)
    )


def o4_mini_cached(name: str) -> Decimal:
    p = get_price("o4-mini", at=at_of(name))  # retired since, priced at its own time
    return (per_mtok(2_148 - 1_024, p.input_per_mtok) + per_mtok(1_024, p.cache_read_per_mtok)
            + per_mtok(412, p.output_per_mtok))  # fmt: skip


def gpt41_image(name: str) -> Decimal:
    p = get_price("gpt-4.1", at=at_of(name))
    return (per_mtok(336, p.input_per_mtok) + per_mtok(765, p.image_input_per_mtok)
            + per_mtok(64, p.output_per_mtok))  # fmt: skip


def gpt5_plain(n_in: int, n_out: int) -> Callable[[str], Decimal]:
    def expected(name: str) -> Decimal:
        p = get_price("gpt-5", at=at_of(name))
        return per_mtok(n_in, p.input_per_mtok) + per_mtok(n_out, p.output_per_mtok)

    return expected


def o3_flex(name: str) -> Decimal:
    v = get_price("o3", at=at_of(name)).variant("flex", None)
    assert v is not None
    return (per_mtok(5_400 - 4_096, v.input_per_mtok) + per_mtok(4_096, v.cache_read_per_mtok)
            + per_mtok(820, v.output_per_mtok))  # fmt: skip


def gpt5_priority(name: str) -> Decimal:
    v = get_price("gpt-5", at=at_of(name)).variant("priority", None)
    assert v is not None
    return (per_mtok(5_400 - 4_096, v.input_per_mtok) + per_mtok(4_096, v.cache_read_per_mtok)
            + per_mtok(820, v.output_per_mtok))  # fmt: skip


def sol_flex_ttl(name: str) -> Decimal:
    p = get_price("gpt-5.6-sol", at=at_of(name))
    v = p.variant("flex", None)
    assert v is not None and v.multiplier is not None
    m = v.multiplier  # flex is a uniform multiplier on every token rate of gpt-5.6-sol
    uncached = 96_500 - 40_960 - 12_288 - 40_960
    return m * (per_mtok(uncached, p.input_per_mtok) + per_mtok(40_960, p.cache_read_per_mtok)
                + per_mtok(12_288, p.cache_write_30m_per_mtok)
                + per_mtok(40_960, p.cache_write_12h_per_mtok)
                + per_mtok(2_300, p.output_per_mtok))  # fmt: skip


def gpt5_cached(name: str) -> Decimal:
    p = get_price("gpt-5", at=at_of(name))
    return (per_mtok(18_340 - 15_872, p.input_per_mtok) + per_mtok(15_872, p.cache_read_per_mtok)
            + per_mtok(1_210, p.output_per_mtok))  # fmt: skip


def gpt5_mini_completed(name: str) -> Decimal:
    p = get_price("gpt-5-mini", at=at_of(name))
    return (per_mtok(2_210 - 1_920, p.input_per_mtok) + per_mtok(1_920, p.cache_read_per_mtok)
            + per_mtok(412, p.output_per_mtok))  # fmt: skip


def o3_incomplete(name: str) -> Decimal:
    p = get_price("o3", at=at_of(name))
    return per_mtok(3_050, p.input_per_mtok) + per_mtok(1_024, p.output_per_mtok)


def gpt5_stream_flex(name: str) -> Decimal:
    p = get_price("gpt-5", at=at_of(name))
    v = p.variant("flex", None)
    assert v is not None and v.multiplier is not None
    return v.multiplier * (per_mtok(4_180 - 3_968, p.input_per_mtok)
                           + per_mtok(3_968, p.cache_read_per_mtok)
                           + per_mtok(118, p.output_per_mtok))  # fmt: skip


def gpt54_web_search(name: str) -> Decimal:
    p = get_price("gpt-5.4", at=at_of(name))
    return (per_mtok(5_320, p.input_per_mtok) + per_mtok(780, p.output_per_mtok)
            + per_kcall(3, p.tool_per_kcall["web_search"]))  # fmt: skip


def grok4fast(name: str) -> Decimal:
    p = get_price("grok-4-fast-reasoning", at=at_of(name))  # retired since: its own time
    # completion 2 + reasoning 125 (outside the completion count) are all output
    return (per_mtok(165 - 156, p.input_per_mtok) + per_mtok(156, p.cache_read_per_mtok)
            + per_mtok(2 + 125, p.output_per_mtok))  # fmt: skip


def grok_code_fast(name: str) -> Decimal:
    p = get_price("grok-code-fast-1", at=at_of(name))
    return (per_mtok(213 - 192, p.input_per_mtok) + per_mtok(192, p.cache_read_per_mtok)
            + per_mtok(2 + 198, p.output_per_mtok))  # fmt: skip


def groq_gpt_oss(name: str) -> Decimal:
    p = get_price("groq/gpt-oss-120b", at=at_of(name))
    return (per_mtok(3_250 - 3_072, p.input_per_mtok) + per_mtok(3_072, p.cache_read_per_mtok)
            + per_mtok(96, p.output_per_mtok))  # fmt: skip


def deepseek_hits(name: str) -> Decimal:
    p = get_price("deepseek-chat", at=at_of(name))
    return (per_mtok(1_280, p.input_per_mtok) + per_mtok(8_960, p.cache_read_per_mtok)
            + per_mtok(310, p.output_per_mtok))  # fmt: skip


def deepseek_reasoner(name: str) -> Decimal:
    p = get_price("deepseek-reasoner", at=at_of(name))
    return per_mtok(64, p.input_per_mtok) + per_mtok(1_874, p.output_per_mtok)


# fixture -> (keywords for cost_of_response, the cost computed by hand)
CASES: dict[str, tuple[dict[str, Any], Callable[[str], Decimal]]] = {
    "openai/chat_audio_in_out": ({}, chat_gpt4o_audio),
    "openai/chat_cache_write": ({}, chat_cache_write),
    "openai/chat_cached_reasoning": ({}, o4_mini_cached),
    "openai/chat_image_input": ({}, gpt41_image),
    "openai/chat_real_gpt5_reasoning": ({}, gpt5_plain(19, 139)),
    "openai/chat_service_tier_flex": ({}, o3_flex),
    "openai/chat_service_tier_priority": ({}, gpt5_priority),
    "openai/responses_cache_write_ttl": ({}, sol_flex_ttl),
    "openai/responses_cached_reasoning": ({}, gpt5_cached),
    "openai/responses_real_legacy_usage": ({}, gpt5_plain(19, 86)),
    "openai/responses_web_search_tool_usage": ({}, gpt54_web_search),
    "xai/chat_real_grok4fast_reasoning_cached": ({}, grok4fast),
    "xai/chat_real_grok3mini_high": ({"model": "grok-3-mini"}, lambda n: (
        per_mtok(331 - 283, get_price("grok-3-mini").input_per_mtok)
        + per_mtok(283, get_price("grok-3-mini").cache_read_per_mtok)
        + per_mtok(11 + 332, get_price("grok-3-mini").output_per_mtok))),
    "groq/chat_gpt_oss_cached_reasoning": ({}, groq_gpt_oss),
    "deepseek/chat_cache_hit_miss": ({}, deepseek_hits),
    "deepseek/chat_reasoner": ({}, deepseek_reasoner),
}  # fmt: skip
STREAM_CASES: dict[str, tuple[dict[str, Any], Callable[[str], Decimal]]] = {
    "openai/chat_stream_include_usage": ({}, gpt5_plain(19, 75)),
    "openai/responses_completed_event": ({}, gpt5_mini_completed),
    "openai/responses_incomplete_event": ({}, o3_incomplete),
    "openai/responses_stream_flex": ({}, gpt5_stream_flex),
    "openai/responses_stream_real_legacy": ({}, gpt5_plain(19, 118)),
    "xai/chat_stream_real_grok_code_fast": ({}, grok_code_fast),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_typed_object_prices_by_hand(name: str) -> None:
    """Each response, built by its SDK's validator, costs what its rates say."""
    kwargs, expected = CASES[name]
    c = cost_of_response(typed(name), **kwargs)
    assert c.total == expected(name)
    assert c.usage == Usage(**fixture(name)["expected_usage"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_dict_and_to_dict_forms_agree(name: str) -> None:
    """Parsed JSON, the SDK object and its to_dict() form give the same cost."""
    kwargs, _ = CASES[name]
    obj = typed(name)
    want = cost_of_response(obj, **kwargs)
    assert cost_of_response(body(name), **kwargs) == want
    assert cost_of_response(to_dict(obj), **kwargs) == want


@pytest.mark.parametrize("name", sorted(STREAM_CASES))
def test_stream_prices_by_hand(name: str) -> None:
    """A typed stream fed to StreamUsage, and its last usage event alone, cost the hand total."""
    kwargs, expected = STREAM_CASES[name]
    events = typed(name)
    acc = StreamUsage()
    for e in events:
        acc.add(e)
    assert acc.complete
    assert acc.usage == Usage(**fixture(name)["expected_usage"])
    assert acc.cost(**kwargs).total == expected(name)
    last = events[-1]
    assert cost_of_response(last, **kwargs).total == expected(name)
    plain = StreamUsage()
    for e in body(name)["events"]:
        plain.add(e)
    assert plain.cost(**kwargs) == acc.cost(**kwargs)


def test_response_tier_and_time_are_read() -> None:
    """service_tier and created come from the response; explicit keywords win."""
    r = read(typed("openai/chat_service_tier_flex"))
    assert (r.api, r.service_tier, r.at) == ("openai.chat", "flex", at_of(
        "openai/chat_service_tier_flex"))  # fmt: skip
    flex = cost_of_response(typed("openai/chat_service_tier_flex"))
    assert flex.service_tier == "flex"
    standard = cost_of_response(typed("openai/chat_service_tier_flex"), service_tier="default")
    p = get_price("o3")
    assert standard.service_tier == "standard"
    assert standard.total == (per_mtok(1_304, p.input_per_mtok)
                              + per_mtok(4_096, p.cache_read_per_mtok)
                              + per_mtok(820, p.output_per_mtok))  # fmt: skip
    with pytest.raises(MissingRateError, match="service_tier=batch"):  # batch= beats flex
        cost_of_response(typed("openai/chat_service_tier_flex"), batch=True)


def test_created_prices_at_its_own_time() -> None:
    """An old response prices at the rate of its day; at= wins; a retired model still prices."""
    old = {"object": "chat.completion", "model": "o3-2025-04-16",
           "created": int(datetime(2025, 5, 1, tzinfo=UTC).timestamp()),
           "usage": {"prompt_tokens": 1_000, "completion_tokens": 100}}  # fmt: skip
    then = get_price("o3", at=datetime(2025, 5, 1, tzinfo=UTC))
    now = get_price("o3")
    assert then.input_per_mtok != now.input_per_mtok  # o3's price fell on 2025-06-10
    assert cost_of_response(old).total == (per_mtok(1_000, then.input_per_mtok)
                                           + per_mtok(100, then.output_per_mtok))  # fmt: skip
    later = cost_of_response(old, at=datetime(2025, 7, 1, tzinfo=UTC))
    assert later.total == per_mtok(1_000, now.input_per_mtok) + per_mtok(100, now.output_per_mtok)
    retired = {**old, "model": "o4-mini", "created": int(datetime(2026, 1, 1).timestamp())}
    assert cost_of_response(retired).model == "o4-mini"
    with pytest.raises(llmcost.RetiredModelError):
        cost_of_response(retired, at=datetime(2026, 11, 1))


def test_model_override_and_host_names() -> None:
    """model= overrides the response's model; a Groq model id prices as groq/<id>."""
    c = cost_of_response(typed("openai/chat_cached_reasoning"), model="gpt-5")
    assert c.model == "gpt-5"
    assert cost_of_response(typed("groq/chat_gpt_oss_cached_reasoning")).model == (
        "groq/gpt-oss-120b"
    )
    r = read(typed("groq/chat_real_kimi_k2"))
    assert (r.api, r.service_tier) == ("groq.chat", "on_demand")
    with pytest.raises(UnknownModelError, match="groq/moonshotai"):
        cost_of_response(typed("groq/chat_real_kimi_k2"))


def test_groq_stream_counts_usage_once() -> None:
    """Groq repeats the usage (usage, x_groq.usage, a last chunk): it counts once."""
    acc = StreamUsage(model="groq/gpt-oss-120b")
    for chunk in typed("groq/chat_stream_real_usage_twice"):
        acc.add(chunk)
    assert acc.usage == Usage(input_tokens=20, output_tokens=4)
    p = get_price("groq/gpt-oss-120b")
    assert acc.cost().total == per_mtok(20, p.input_per_mtok) + per_mtok(4, p.output_per_mtok)


def test_groq_usage_only_in_x_groq() -> None:
    """An older Groq chunk with its usage only in x_groq.usage is read."""
    chunk = {"object": "chat.completion.chunk", "model": "openai/gpt-oss-120b", "choices": [],
             "x_groq": {"id": "req_1", "usage": {"prompt_tokens": 20, "completion_tokens": 4,
                                                 "total_tokens": 24}}}  # fmt: skip
    assert usage_from_response(chunk) == Usage(input_tokens=20, output_tokens=4)
    chunk["usage"] = {"prompt_tokens": 21, "completion_tokens": 4, "total_tokens": 25}
    with pytest.raises(InvalidUsageError, match="disagree"):
        usage_from_response(chunk)


def test_xai_reasoning_outside_completion_decided_by_total() -> None:
    """Reasoning outside completion_tokens when the total says so; inside otherwise."""
    outside = {"object": "chat.completion", "model": "grok-3-mini",
               "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 112,
                         "completion_tokens_details": {"reasoning_tokens": 100}}}  # fmt: skip
    assert usage_from_response(outside).output_tokens == 102
    inside = {**outside, "usage": {**outside["usage"], "completion_tokens": 120,
                                   "total_tokens": 130}}  # fmt: skip
    assert usage_from_response(inside).output_tokens == 120
    neither = {**outside, "usage": {**outside["usage"], "total_tokens": 50}}
    with pytest.raises(InvalidUsageError, match="total_tokens"):
        usage_from_response(neither)


def test_xai_provider_cost_matches_hand_total() -> None:
    """xAI's own cost_in_usd_ticks (1e-10 USD) equals the hand total of the grok-4-fast reply."""
    name = "xai/chat_real_grok4fast_reasoning_cached"
    ticks = body(name)["usage"]["cost_in_usd_ticks"]
    assert cost_of_response(typed(name)).total == Decimal(ticks) / Decimal(10) ** 10


def test_xai_sources_are_a_billed_tool() -> None:
    """num_sources_used is priced as a tool (refused when the model has no rate for it)."""
    b = body("xai/chat_real_grok3mini_high")
    b["usage"]["num_sources_used"] = 3
    assert usage_from_response(b).tool_calls == {"live_search_sources": 3}
    with pytest.raises(MissingRateError, match="live_search_sources"):
        cost_of_response(b, model="grok-3-mini")


def test_xai_native_sampling_usage() -> None:
    """xAI's protobuf SamplingUsage: tool kinds without counts are refused; else priced."""
    name = "xai/native_sampling_usage"
    with pytest.raises(InvalidUsageError, match="server_side_tools_used"):
        usage_from_response(typed(name))
    b = body(name)
    del b["serverSideToolsUsed"]
    proto = _sampling_usage(b)
    want = Usage(**fixture(name)["expected_usage"])
    assert usage_from_response(proto) == usage_from_response(b) == want
    with pytest.raises(MissingRateError, match="image"):  # grok-4.3 has no image-input rate
        cost_of_response(proto, model="grok-4.3")
    b.pop("promptImageTokens")  # the same reply without its image
    b.update(promptTokens=8_338, totalTokens=8_338 + 48 + 610)
    p = get_price("grok-4.3")
    assert cost_of_response(_sampling_usage(b), model="grok-4.3").total == (
        per_mtok(8_338 - 7_936, p.input_per_mtok) + per_mtok(7_936, p.cache_read_per_mtok)
        + per_mtok(48 + 610, p.output_per_mtok))  # fmt: skip


def _sampling_usage(data: dict[str, Any]) -> Any:
    from google.protobuf import json_format
    from xai_sdk.proto.v6 import usage_pb2

    return json_format.ParseDict(data, usage_pb2.SamplingUsage())


def test_mistral_audio_seconds_refused() -> None:
    """Mistral's prompt_audio_seconds (not a token count) is refused, never $0."""
    with pytest.raises(MissingRateError, match="prompt_audio_seconds"):
        cost_of_response(typed("mistral/chat_audio_seconds"))
    p = get_price("mistral-large-2411", at=at_of("mistral/chat_cached"))  # retired since
    assert cost_of_response(typed("mistral/chat_cached")).total == (
        per_mtok(2_890 - 2_816, p.input_per_mtok) + per_mtok(2_816, p.cache_read_per_mtok)
        + per_mtok(212, p.output_per_mtok))  # fmt: skip


def test_deepseek_hit_counts_must_agree() -> None:
    """DeepSeek reports the cache hit twice: it counts once, and a disagreement is refused."""
    b = body("deepseek/chat_cache_hit_miss")
    b["usage"]["prompt_tokens_details"]["cached_tokens"] = 8_000
    with pytest.raises(InvalidUsageError, match="disagree"):
        usage_from_response(b)
    b = body("deepseek/chat_cache_hit_miss")
    b["usage"]["prompt_cache_miss_tokens"] = 1
    with pytest.raises(InvalidUsageError, match="prompt_cache_miss_tokens"):
        usage_from_response(b)


def test_responses_tool_usage_image_gen_refused() -> None:
    """Image-generation tokens in tool_usage are billed at the image model's rates: refused."""
    b = body("openai/responses_web_search_tool_usage")
    b["tool_usage"]["image_gen"]["output_tokens"] = 1_056
    with pytest.raises(MissingRateError, match="image_gen"):
        cost_of_response(b)


def test_responses_cache_write_none_is_zero() -> None:
    """A real body without cache_write_tokens (built as the SDK client builds it) reads 0."""
    obj = typed("openai/responses_real_legacy_usage")
    assert obj.usage.input_tokens_details.cache_write_tokens is None
    assert usage_from_response(obj).cache_write_tokens == 0


def test_responses_ttl_split_must_add_up() -> None:
    """cache_write_tokens_details must add up to cache_write_tokens."""
    b = body("openai/responses_cache_write_ttl")
    b["usage"]["input_tokens_details"]["cache_write_tokens_details"]["ttl_12h_tokens"] = 1
    with pytest.raises(InvalidUsageError, match="does not add up"):
        usage_from_response(b)


def test_events_without_usage_explain_themselves() -> None:
    """A chunk or event without usage says where the usage is."""
    chunk = body("openai/chat_stream_include_usage")["events"][0]
    with pytest.raises(InvalidUsageError, match="include_usage"):
        cost_of_response(chunk)
    created = body("openai/responses_stream_flex")["events"][0]
    with pytest.raises(InvalidUsageError, match=r"response\.completed"):
        cost_of_response(created)


def test_unknown_chat_field_warns() -> None:
    """A usage field no reader knows is reported (UnknownUsageFieldWarning), not dropped."""
    b = body("openai/chat_cached_reasoning")
    b["usage"]["prompt_tokens_details"]["quux_tokens"] = 12
    with pytest.warns(llmcost.UnknownUsageFieldWarning, match="prompt_tokens_details.quux"):
        u = usage_from_response(b)
    assert u == Usage(**fixture("openai/chat_cached_reasoning")["expected_usage"])
    b["usage"]["prompt_tokens_details"]["quux_tokens"] = 0  # nothing to price: silent
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        usage_from_response(b)


def test_two_variants_refused() -> None:
    """Markers of two Chat variants (xAI and DeepSeek) are refused, naming both."""
    b = body("deepseek/chat_cache_hit_miss")
    b["usage"]["cost_in_usd_ticks"] = 5
    with pytest.raises(InvalidUsageError, match=r"xai.*deepseek"):
        usage_from_response(b)
