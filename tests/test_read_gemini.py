"""Gemini and Vertex AI responses on google-genai's own typed objects (its REST converters),
in REST camelCase, SDK attributes and to_json_dict() snake_case. Expected costs are computed
here from the rates `get_price` reports."""

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
#: gemini-2.5-flash and -pro were retired on 2026-12-01; their replies carry no timestamp.
NOV = datetime(2026, 11, 1, tzinfo=UTC)


def flash_cached_flex(kw: dict[str, Any]) -> Decimal:
    v = get_price("gemini-2.5-flash", at=kw["at"]).variant("flex", None)
    assert v is not None
    # 34,512 prompt (32,768 cached), 420 candidates + 1,100 thoughts
    return (per_mtok(34_512 - 32_768, v.input_per_mtok) + per_mtok(32_768, v.cache_read_per_mtok)
            + per_mtok(420 + 1_100, v.output_per_mtok))  # fmt: skip


def image_output(_: dict[str, Any]) -> Decimal:
    p = get_price("gemini-2.5-flash-image")
    return (per_mtok(24, p.input_per_mtok) + per_mtok(12, p.output_per_mtok)
            + per_mtok(1_290, p.image_output_per_mtok))  # fmt: skip


def long_context(kw: dict[str, Any]) -> Decimal:
    p = get_price("gemini-2.5-pro", at=kw["at"])
    tier = p.tiers[0]  # 250,000 input tokens: the whole request at the >200k rates
    assert tier.above_input_tokens == 200_000
    return per_mtok(250_000, tier.input_per_mtok) + per_mtok(1_800 + 2_400, tier.output_per_mtok)


def modalities(kw: dict[str, Any]) -> Decimal:
    p = get_price("gemini-2.5-flash", at=kw["at"])
    # prompt 9,000 = text 600 + image 1,290 + audio 3,200 + video 3,910; cached: all the
    # audio (3,200) and 800 of the video
    return (
        per_mtok(600, p.input_per_mtok)
        + per_mtok(1_290, p.image_input_per_mtok)
        + per_mtok(3_910 - 800, p.video_input_per_mtok)
        + per_mtok(3_200, p.cache_read_audio_per_mtok)
        + per_mtok(800, p.cache_read_video_per_mtok)
        + per_mtok(250, p.output_per_mtok)
    )


def pro_thoughts(kw: dict[str, Any]) -> Decimal:
    p = get_price("gemini-2.5-pro", at=kw["at"])
    return per_mtok(11, p.input_per_mtok) + per_mtok(152 + 653, p.output_per_mtok)


def vertex_priority(_: dict[str, Any]) -> Decimal:
    at = datetime(2026, 3, 2, 9, 15, 27, 412305, tzinfo=UTC)  # its createTime
    p = get_price("gemini-2.5-flash", at=at)
    v = p.variant("priority", None)
    assert v is not None and v.multiplier is not None
    return v.multiplier * (per_mtok(1_840, p.input_per_mtok)
                           + per_mtok(96 + 380, p.output_per_mtok))  # fmt: skip


CASES: dict[str, tuple[dict[str, Any], Callable[[dict[str, Any]], Decimal]]] = {
    "gemini/generate_content_cached_flex": ({"at": NOV, "service_tier": "flex"}, flash_cached_flex),
    "gemini/generate_content_image_output": ({}, image_output),
    "gemini/generate_content_long_context": ({"at": NOV}, long_context),
    "gemini/generate_content_modalities": ({"at": NOV}, modalities),
    "gemini/generate_content_real_thoughts": ({"at": NOV}, pro_thoughts),
    "gemini/vertex_generate_content_traffic_type": ({}, vertex_priority),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_typed_response_prices_by_hand(name: str) -> None:
    """Each GenerateContentResponse, built by google-genai, costs what its rates say."""
    kwargs, expected = CASES[name]
    c = cost_of_response(typed(name), **kwargs)
    assert c.usage == Usage(**fixture(name)["expected_usage"])
    assert c.total == expected(kwargs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_three_spellings_agree(name: str) -> None:
    """REST camelCase, SDK attributes and to_json_dict() snake_case give one cost."""
    kwargs, _ = CASES[name]
    want = cost_of_response(typed(name), **kwargs)
    assert cost_of_response(body(name), **kwargs) == want
    assert cost_of_response(to_dict(typed(name)), **kwargs) == want


def test_vertex_context_is_read() -> None:
    """Vertex's trafficType is the service tier and its createTime the instant priced."""
    r = read(typed("gemini/vertex_generate_content_traffic_type"))
    assert (r.api, r.provider, r.service_tier) == (
        "vertex.generate_content", "vertex", "ON_DEMAND_PRIORITY")  # fmt: skip
    assert r.at == datetime(2026, 3, 2, 9, 15, 27, 412305, tzinfo=UTC)
    assert cost_of_response(typed("gemini/vertex_generate_content_traffic_type")).service_tier == (
        "priority"
    )
    b = body("gemini/vertex_generate_content_traffic_type")
    b["usageMetadata"]["trafficType"] = "PROVISIONED_THROUGHPUT"
    with pytest.raises(MissingRateError, match="provisioned_throughput"):
        cost_of_response(b)


def test_retired_without_timestamp_needs_at() -> None:
    """A Gemini API reply has no creation time: a retired model needs at=."""
    with pytest.raises(RetiredModelError, match=r"gemini-2\.5-pro"):
        cost_of_response(typed("gemini/generate_content_real_thoughts"))


def test_grounding_queries_are_a_tool() -> None:
    """Google Search grounding (billed per query outside usageMetadata) is refused without
    a rate and priced with one; the tool-use prompt counts as input."""
    name = "gemini/generate_content_tool_use_grounding"
    u = usage_from_response(typed(name))
    assert u == Usage(input_tokens=180 + 2_240, output_tokens=350 + 610, reasoning_tokens=610,
                      tool_calls={"google_search": 2})  # fmt: skip
    with pytest.raises(MissingRateError, match="google_search"):
        cost_of_response(typed(name), at=NOV)
    p = get_price("gemini-2.5-flash", at=NOV)
    reg = Registry.default().with_prices(ModelPrice(
        model="gemini-2.5-flash", provider="google", tokenizer="gemini",
        input_per_mtok=p.input_per_mtok, output_per_mtok=p.output_per_mtok,
        tool_per_kcall={"google_search": "14"}))  # fmt: skip
    assert cost_of_response(typed(name), registry=reg).total == (
        per_mtok(2_420, p.input_per_mtok) + per_mtok(960, p.output_per_mtok)
        + per_kcall(2, Decimal(14)))  # fmt: skip


def test_every_count_checked_before_it_is_combined() -> None:
    """promptTokenCount=-10 with toolUsePromptTokenCount=20 is refused, not read as 10."""
    b = {"modelVersion": "gemini-3.5-flash",
         "usageMetadata": {"promptTokenCount": -10, "toolUsePromptTokenCount": 20,
                           "candidatesTokenCount": 5}}  # fmt: skip
    with pytest.raises(InvalidUsageError, match=r"promptTokenCount|prompt_token_count"):
        usage_from_response(b)


def test_total_must_reconcile() -> None:
    """A totalTokenCount the counts do not reproduce is refused."""
    b = body("gemini/generate_content_real_thoughts")
    b["usageMetadata"]["totalTokenCount"] = 163  # as if the thoughts were not billed
    with pytest.raises(InvalidUsageError, match="totalTokenCount"):
        usage_from_response(b)


def test_two_spellings_in_one_block_refused() -> None:
    """promptTokenCount and prompt_token_count in one block are refused."""
    b = {"usageMetadata": {"promptTokenCount": 10, "prompt_token_count": 10}}
    with pytest.raises(InvalidUsageError, match="twice"):
        usage_from_response(b)


def test_unknown_modality_warns() -> None:
    """A modality llmcost does not know is reported and priced as text."""
    b = body("gemini/generate_content_real_thoughts")
    b["usageMetadata"]["promptTokensDetails"] = [{"modality": "HOLOGRAM", "tokenCount": 11}]
    with pytest.warns(llmcost.UnknownUsageFieldWarning, match="HOLOGRAM"):
        u = usage_from_response(b)
    assert u.input_tokens == 11


STREAMS = {
    "gemini/stream_real_cumulative": ({"at": NOV}, lambda: (
        per_mtok(11, get_price("gemini-2.5-pro", at=NOV).input_per_mtok)
        + per_mtok(49 + 603, get_price("gemini-2.5-pro", at=NOV).output_per_mtok))),
    "gemini/stream_real_prompt_count_grows": ({}, lambda: (
        per_mtok(646, get_price("gemini-3.1-pro-preview").input_per_mtok)
        + per_mtok(19 + 20, get_price("gemini-3.1-pro-preview").output_per_mtok))),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_stream_running_totals_count_once(name: str) -> None:
    """Every Gemini chunk repeats the running totals: the last one counts, once."""
    kwargs, expected = STREAMS[name]
    chunks = typed(name)
    acc = StreamUsage()
    for chunk in chunks:
        acc.add(chunk)
    assert acc.complete
    assert acc.usage == Usage(**fixture(name)["expected_usage"])
    assert acc.cost(**kwargs).total == expected()
    assert cost_of_response(chunks[-1], **kwargs).total == expected()
    partial = StreamUsage()
    partial.add(chunks[0])
    assert not partial.complete
