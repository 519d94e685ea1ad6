"""Random usage blocks of every provider shape (fields absent, null, zero, counts, invalid)
price to the provider's published rule, computed here from `get_price` rates, or raise an
LLMCostError: never another exception and never a different number."""

from __future__ import annotations

import warnings
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given

from llmcost import (
    InvalidUsageError,
    LLMCostError,
    MissingRateError,
    Usage,
    cost_of_response,
    get_price,
)
from tests import strategies_responses as sr

D = Decimal
MILLION = D(1_000_000)


def hand_cost(model: str, counts: dict[str, Any]) -> Decimal | None:
    """The cost by DESIGN.md's rule from `get_price` rates; None if a needed rate is absent."""
    p = get_price(model)
    level: Any = p
    for tier in p.tiers:
        if counts.get("input_tokens", 0) > tier.above_input_tokens:
            level = tier
    g = counts.get
    media = {m: (g(f"{m}_input_tokens", 0), g(f"cache_read_{m}_tokens", 0))
             for m in ("audio", "image", "video")}  # fmt: skip
    writes = {ttl: g(f"cache_write_{ttl}_tokens", 0) for ttl in ("5m", "30m", "1h", "12h")}
    text_in = (g("input_tokens", 0) - g("cache_read_tokens", 0) - sum(writes.values())
               - sum(a - c for a, c in media.values()))  # fmt: skip
    parts = [
        (text_in, "input_per_mtok"),
        (g("cache_read_tokens", 0) - sum(c for _, c in media.values()), "cache_read_per_mtok"),
        (g("output_tokens", 0) - g("audio_output_tokens", 0) - g("image_output_tokens", 0),
         "output_per_mtok"),
        (g("audio_output_tokens", 0), "audio_output_per_mtok"),
        (g("image_output_tokens", 0), "image_output_per_mtok"),
    ]  # fmt: skip
    for m, (n, cached) in media.items():
        parts += [(n - cached, f"{m}_input_per_mtok"), (cached, f"cache_read_{m}_per_mtok")]
    parts += [(n, f"cache_write_{ttl}_per_mtok") for ttl, n in writes.items()]
    total = D(0)
    for n, rate_name in parts:
        if n:
            rate = getattr(level, rate_name, None)
            if rate is None:
                return None
            total += n * rate / MILLION
    for tool, n in (counts.get("tool_calls") or {}).items():
        if n:
            rate = p.tool_per_kcall.get(tool)
            if rate is None:
                return None
            total += n * rate / 1000
    return total


class Refused(Exception):
    """The hand rule says the reader must refuse this block."""


def need(v: Any) -> int:
    """A required count: absent, null or invalid is refused."""
    if v is sr.ABSENT or v is None or type(v) is not int or v < 0:
        raise Refused
    return int(v)


def opt(v: Any) -> int:
    """An optional count: absent or null is 0, invalid is refused."""
    n = sr.as_int(v)
    if n is None:
        raise Refused
    return n


def sub(raw: dict[str, Any], key: str) -> dict[str, Any]:
    v = raw.get(key, sr.ABSENT)
    return v if isinstance(v, dict) else {}


def total_ok(raw: dict[str, Any], key: str, want: int) -> None:
    t = raw.get(key, sr.ABSENT)
    if t is not sr.ABSENT and t != want:
        raise Refused


def chat_rule(raw: dict[str, Any], xai: bool) -> dict[str, Any]:
    p, c = need(raw["prompt_tokens"]), need(raw["completion_tokens"])
    pd, cd = sub(raw, "prompt_tokens_details"), sub(raw, "completion_tokens_details")
    r = opt(cd.get("reasoning_tokens"))
    t = raw.get("total_tokens", sr.ABSENT)
    outside = (r > 0 and t == p + c + r) if t is not sr.ABSENT else (xai and r > 0)
    if r and t is not sr.ABSENT and t not in (p + c, p + c + r):
        raise Refused
    out = c + r if outside else c
    total_ok(raw, "total_tokens", p + out)
    return {"input_tokens": p, "output_tokens": out, "cache_read_tokens": opt(pd.get(
        "cached_tokens")), "cache_write_30m_tokens": opt(pd.get("cache_write_tokens")),
        "audio_input_tokens": opt(pd.get("audio_tokens")), "reasoning_tokens": r,
        "audio_output_tokens": opt(cd.get("audio_tokens"))}  # fmt: skip


def responses_rule(raw: dict[str, Any]) -> dict[str, Any]:
    i, o = need(raw["input_tokens"]), need(raw["output_tokens"])
    idt, odt = sub(raw, "input_tokens_details"), sub(raw, "output_tokens_details")
    split = sub(idt, "cache_write_tokens_details")
    ttl30, ttl12 = opt(split.get("ttl_30m_tokens")), opt(split.get("ttl_12h_tokens"))
    writes = opt(idt.get("cache_write_tokens"))
    if ttl30 + ttl12:
        if idt.get("cache_write_tokens") not in (sr.ABSENT, None) and ttl30 + ttl12 != writes:
            raise Refused
    else:
        ttl30 = writes
    total_ok(raw, "total_tokens", i + o)
    return {"input_tokens": i, "output_tokens": o, "cache_read_tokens": opt(idt.get(
        "cached_tokens")), "cache_write_30m_tokens": ttl30, "cache_write_12h_tokens": ttl12,
        "reasoning_tokens": opt(odt.get("reasoning_tokens"))}  # fmt: skip


def anthropic_rule(raw: dict[str, Any]) -> dict[str, Any]:
    uncached, out = need(raw["input_tokens"]), need(raw["output_tokens"])
    read_, created = opt(raw["cache_read_input_tokens"]), opt(raw["cache_creation_input_tokens"])
    split = sub(raw, "cache_creation")
    w5, w1h = opt(split.get("ephemeral_5m_input_tokens")), opt(split.get(
        "ephemeral_1h_input_tokens"))  # fmt: skip
    if w5 + w1h != created:
        if w5 + w1h:
            raise Refused
        w5 = created
    tools = sub(raw, "server_tool_use")
    return {"input_tokens": uncached + read_ + w5 + w1h, "output_tokens": out,
            "cache_read_tokens": read_, "cache_write_5m_tokens": w5, "cache_write_1h_tokens": w1h,
            "reasoning_tokens": opt(sub(raw, "output_tokens_details").get("thinking_tokens")),
            "tool_calls": {"web_search": opt(tools.get("web_search_requests")),
                           "web_fetch": opt(tools.get("web_fetch_requests"))}}  # fmt: skip


def gemini_rule(raw: dict[str, Any]) -> dict[str, Any]:
    prompt = need(raw["promptTokenCount"])
    tool, cand = opt(raw["toolUsePromptTokenCount"]), opt(raw["candidatesTokenCount"])
    thoughts = opt(raw["thoughtsTokenCount"])
    total_ok(raw, "totalTokenCount", prompt + tool + cand + thoughts)
    return {"input_tokens": prompt + tool, "output_tokens": cand + thoughts,
            "cache_read_tokens": opt(raw["cachedContentTokenCount"]),
            "reasoning_tokens": thoughts}  # fmt: skip


def bedrock_rule(raw: dict[str, Any]) -> dict[str, Any]:
    i, o = need(raw["inputTokens"]), need(raw["outputTokens"])
    r, w = opt(raw["cacheReadInputTokens"]), opt(raw["cacheWriteInputTokens"])
    total_ok(raw, "totalTokens", i + r + w + o)
    return {"input_tokens": i + r + w, "output_tokens": o, "cache_read_tokens": r,
            "cache_write_5m_tokens": w}  # fmt: skip


def langchain_rule(raw: dict[str, Any], provider: str) -> dict[str, Any]:
    i, o = need(raw["input_tokens"]), need(raw["output_tokens"])
    idt, odt = sub(raw, "input_token_details"), sub(raw, "output_token_details")
    if provider == "anthropic" and i == 0 and o:
        raise Refused
    total_ok(raw, "total_tokens", i + o)
    ttl = "cache_write_5m_tokens" if provider == "anthropic" else "cache_write_30m_tokens"
    return {"input_tokens": i, "output_tokens": o, "cache_read_tokens": opt(idt.get(
        "cache_read")), ttl: opt(idt.get("cache_creation")),
        "reasoning_tokens": opt(odt.get("reasoning"))}  # fmt: skip


def check(response: dict[str, Any], model: str, rule: Any) -> None:
    """The reader prices *response* to the hand rule's number, or raises an LLMCostError."""
    try:
        counts = rule()
        expected_usage = Usage(**counts)  # the invariants (cache within input, ...)
    except (Refused, InvalidUsageError):
        with pytest.raises(LLMCostError):
            cost_of_response(response, model=model)
        return
    want = hand_cost(model, counts)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if want is None:
            with pytest.raises(MissingRateError):
                cost_of_response(response, model=model)
            return
        c = cost_of_response(response, model=model)
    assert c.usage == expected_usage
    assert c.total == want
    assert c.usage.input_tokens + c.usage.output_tokens == expected_usage.input_tokens + (
        expected_usage.output_tokens
    )


@given(sr.openai_chat())
def test_random_openai_chat(drawn: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Random Chat usage blocks price to the hand rule or raise an LLMCostError."""
    response, raw = drawn
    check(response, "gpt-5.5", lambda: chat_rule(raw, xai=False))


@given(sr.openai_chat(xai=True))
def test_random_xai_chat(drawn: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Random xAI Chat blocks (reasoning outside completion) price to the hand rule."""
    response, raw = drawn
    check(response, "grok-4.3", lambda: chat_rule(raw, xai=True))


@given(sr.openai_responses())
def test_random_openai_responses(drawn: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Random Responses usage blocks (TTL writes) price to the hand rule."""
    response, raw = drawn
    check(response, "gpt-5.6-sol", lambda: responses_rule(raw))


@given(sr.anthropic())
def test_random_anthropic(drawn: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Random Anthropic usage blocks (TTL split, thinking, tools) price to the hand rule."""
    response, raw = drawn
    check(response, "claude-sonnet-4-6", lambda: anthropic_rule(raw))


@given(sr.gemini())
def test_random_gemini(drawn: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Random Gemini usage blocks, either spelling, price to the hand rule."""
    response, raw = drawn
    check(response, "gemini-3.5-flash", lambda: gemini_rule(raw))


@given(sr.bedrock())
def test_random_bedrock(drawn: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Random Bedrock Converse usage blocks price to the hand rule."""
    response, raw = drawn
    check(response, "us.anthropic.claude-sonnet-4-5-20250929-v1:0", lambda: bedrock_rule(raw))


@given(sr.langchain())
def test_random_langchain(drawn: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Random langchain usage_metadata price to the hand rule."""
    response, raw = drawn
    provider = response["response_metadata"]["model_provider"]
    model = response["response_metadata"]["model_name"]
    check(response, model, lambda: langchain_rule(raw, provider))
