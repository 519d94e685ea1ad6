"""The decision table that picks a reader, every fixture read alike in every form, the
OpenTelemetry totals, and random usage blocks of every provider priced by the hand rule."""

from __future__ import annotations

import warnings
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import attrs
import pytest
from hypothesis import given

import llmcost
from llmcost import (
    InvalidTypeError,
    InvalidUsageError,
    LLMCostError,
    MissingRateError,
    Usage,
    cost_of_response,
    get_price,
    usage_from_response,
)
from llmcost._responses import model_from_response, read
from tests import strategies_responses as sr
from tests.responses_helpers import body, fixture, names, summed, to_dict, typed

D = Decimal
MILLION = D(1_000_000)


def as_object(value: Any) -> Any:
    """A parsed-JSON dict turned into nested attribute objects, as some SDKs return them."""
    if isinstance(value, dict):
        return SimpleNamespace(**{k: as_object(v) for k, v in value.items()})
    if isinstance(value, list):
        return [as_object(v) for v in value]
    return value


# ---------------------------------------------------------------- every fixture, every form

#: Fixtures a reader refuses on purpose (see each reader's tests), with the error.
REFUSED = {
    "mistral/chat_audio_seconds": MissingRateError,
    "xai/native_sampling_usage": InvalidUsageError,
    "langchain/aimessagechunk_sum_anthropic_output_only_delta": InvalidUsageError,
}
#: Fixtures whose usage llmcost reads more completely than the fixture's expected_usage.
EXTRA = {"gemini/generate_content_tool_use_grounding": {"tool_calls": {"google_search": 2}}}


def final(name: str) -> Any:
    """The fixture as one typed object: a stream's summed chunks or its final usage event."""
    obj = typed(name)
    if not isinstance(obj, list):
        return obj
    if name.startswith("langchain/"):
        return summed(obj)
    if name.startswith("bedrock/"):
        return next(e for e in obj if "metadata" in e)
    if name.startswith("anthropic/"):
        return None  # only a StreamUsage reads an Anthropic stream
    return [e for e in obj if e is not None][-1]


@pytest.mark.parametrize("name", names())
def test_every_fixture_reads_as_written(name: str) -> None:
    """Each fixture's typed object (or its stream) reads to the usage its author wrote."""
    obj = final(name)
    stream = typed(name) if isinstance(typed(name), list) else None
    if name in REFUSED:
        with pytest.raises(REFUSED[name]):
            if obj is not None:
                usage_from_response(obj)
            acc = llmcost.StreamUsage()
            for e in stream or ():
                acc.add(e)
            _ = acc.usage
        return
    want = Usage(**{**fixture(name)["expected_usage"], **EXTRA.get(name, {})})
    if obj is not None:
        assert usage_from_response(obj) == want
    if stream is not None:
        acc = llmcost.StreamUsage()
        for e in stream:
            acc.add(e)
        assert acc.usage == want and acc.complete


@pytest.mark.parametrize("name", [n for n in names() if n not in REFUSED])
def test_dict_object_and_to_dict_forms_agree(name: str) -> None:
    """Parsed JSON, attribute objects, the typed SDK object and its dict form read alike."""
    obj = final(name)
    if obj is None:
        return
    want = read(obj)
    b = body(name)
    if "events" in b or "chunks" in b:
        return  # the stream forms are checked in the stream tests of each reader
    forms = [read(b), read(as_object(b)), read(to_dict(obj))]
    if name.startswith("litellm/"):  # litellm stamps `created` when it builds the object
        want = attrs.evolve(want, at=None)
        forms = [attrs.evolve(f, at=None) for f in forms]
    assert forms == [want, want, want]


def provider_total(name: str) -> int | None:
    """The provider's own total token count for the fixture, where it reports one."""
    b = body(name)
    if "events" in b:
        usages = [e.get("usage") or (e.get("response") or {}).get("usage")
                  or e.get("usageMetadata") or (e.get("metadata") or {}).get("usage")
                  for e in b["events"]]  # fmt: skip
        u = [x for x in usages if x][-1]
    elif "chunks" in b:
        u = b["sum"]["usage_metadata"]
    elif name.startswith("xai/native"):
        u = b
    else:
        u = b.get("usage") or b.get("usageMetadata") or b.get("usage_metadata")
    for key in ("total_tokens", "totalTokenCount", "totalTokens"):
        if key in u:
            return int(u[key])
    return None


@pytest.mark.parametrize("name", [n for n in names() if n not in REFUSED])
def test_usage_totals_equal_the_providers(name: str) -> None:
    """Under the OpenTelemetry convention input + output equal the provider's own total
    (OpenAI total_tokens, Gemini totalTokenCount, Bedrock totalTokens, langchain's)."""
    total = provider_total(name)
    want = Usage(**fixture(name)["expected_usage"])
    if total is None:  # Anthropic reports no total: input + cache reads + writes + output
        b = body(name)
        events = b.get("events")
        u = b["usage"] if events is None else {
            **next(e for e in events if e["type"] == "message_start")["message"]["usage"],
            **[e for e in events if e["type"] == "message_delta"][-1]["usage"]}  # fmt: skip
        total = (u["input_tokens"] + (u.get("cache_read_input_tokens") or 0)
                 + (u.get("cache_creation_input_tokens") or 0) + u["output_tokens"]
                 + sum(i["input_tokens"] + i["output_tokens"] for i in u.get("iterations") or []
                       if i["type"] == "compaction"))  # fmt: skip
    assert want.input_tokens + want.output_tokens == total


# ---------------------------------------------------------------- the decision table


@pytest.mark.parametrize(
    ("response", "api"),
    [
        ({"object": "chat.completion", "usage": {"prompt_tokens": 1, "completion_tokens": 1}},
         "openai.chat"),
        ({"object": "response", "usage": {"input_tokens": 1, "output_tokens": 1}},
         "openai.responses"),
        ({"type": "response.completed", "response": {"object": "response",
          "usage": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2}}},
         "openai.responses"),
        ({"type": "message", "usage": {"input_tokens": 1, "output_tokens": 1}},
         "anthropic.messages"),
        ({"usage": {"input_tokens": 1, "output_tokens": 1, "cache_read_input_tokens": 0}},
         "anthropic.messages"),
        ({"type": "message_delta", "usage": {"input_tokens": 1, "output_tokens": 1}},
         "anthropic.message_delta"),
        ({"usageMetadata": {"promptTokenCount": 1}}, "gemini.generate_content"),
        ({"usage_metadata": {"prompt_token_count": 1}}, "gemini.generate_content"),
        ({"usageMetadata": {"promptTokenCount": 1, "trafficType": "ON_DEMAND"}},
         "vertex.generate_content"),
        ({"usage": {"inputTokens": 1, "outputTokens": 1}}, "bedrock.converse"),
        ({"metadata": {"usage": {"inputTokens": 1, "outputTokens": 1}}}, "bedrock.converse"),
        ({"usage_metadata": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2},
          "response_metadata": {"model_name": "gpt-5"}}, "langchain.usage_metadata"),
        ({"promptTokens": 1, "completionTokens": 1}, "xai.native"),
        ({"prompt_tokens": 1, "completion_tokens": 1}, "openai.chat"),
        ({"input_tokens": 1, "output_tokens": 1}, "plain"),
        ({"usage": {"input_tokens": 1, "output_tokens": 1}}, "plain"),
    ],
)  # fmt: skip
def test_decision_table_rows(response: dict[str, Any], api: str) -> None:
    """Each row of the table picks its reader, for a dict and for an attribute object."""
    assert read(response).api == api
    assert read(as_object(response)).api == api


@pytest.mark.parametrize(
    ("response", "match"),
    [
        ({"usage": {"prompt_tokens": 1, "completion_tokens": 1, "input_tokens": 1}},
         "chat and plain"),
        ({"usage": {"input_tokens": 1, "output_tokens": 1, "input_tokens_details": {},
                    "cache_read_input_tokens": 5}}, "responses and anthropic"),
        ({"usage": {"inputTokens": 1}, "usageMetadata": {"promptTokenCount": 1}},
         "usage and usageMetadata"),
        ({"object": "chat.completion", "usage": {"input_tokens": 1, "output_tokens": 1}},
         "chat.completion"),
        ({"type": "message", "usage": {"prompt_tokens": 1, "completion_tokens": 1}},
         "Anthropic message"),
        ({"object": "response", "usage": {"input_tokens": 1, "output_tokens": 1,
                                          "cache_creation_input_tokens": 1}}, "Responses"),
        ({"type": "response.completed", "response": {"usage": {"prompt_tokens": 1,
                                                               "completion_tokens": 1}}},
         "response.completed"),
        ({"usage": {"total_tokens": 10}}, "no token counts"),
        ({"metadata": {"usage": {"input_tokens": 1, "output_tokens": 1}}}, "ConverseStream"),
    ],
)  # fmt: skip
def test_ambiguous_or_contradictory_shapes_refused(response: dict[str, Any], match: str) -> None:
    """A shape matching two rows, none, or contradicting its envelope is refused by name."""
    with pytest.raises(InvalidUsageError, match=match):
        read(response)


def test_partial_match_never_falls_through() -> None:
    """An Anthropic message whose usage has OpenAI's Responses details is not re-read."""
    b = body("anthropic/message_thinking_cache_read")
    b["usage"]["input_tokens_details"] = {"cached_tokens": 0}
    with pytest.raises(InvalidUsageError, match="responses and anthropic"):
        read(b)


@pytest.mark.parametrize(
    "bad",
    [
        {None: 1, "id": "x"},
        {"model": "gpt-4o", "choices": []},
        {"model": "gpt-4o", "usage": {"total_tokens": 10}},
        {"model": "gpt-4o", "usage": {"prompt_tokens": -1, "completion_tokens": 1}},
        {"model": "gpt-4o", "usage": {"prompt_tokens": "12", "completion_tokens": 1}},
        {"model": "gpt-4o", "usage": {"prompt_tokens": True, "completion_tokens": 1}},
        {"model": "gpt-4o", "usage": {"prompt_tokens": 1.0, "completion_tokens": 1}},
        {"model": "gpt-4o", "usage": {"prompt_tokens": 10, "completion_tokens": 1,
                                      "prompt_tokens_details": {"cached_tokens": 11}}},
        {"model": "gpt-4o", "usage": {"prompt_tokens": 10, "completion_tokens": 1,
                                      "prompt_tokens_details": 5}},
        {"usageMetadata": {"promptTokenCount": -10, "toolUsePromptTokenCount": 20}},
        {"created": "yesterday", "object": "chat.completion",
         "usage": {"prompt_tokens": 1, "completion_tokens": 1}},
        {"usage": {"prompt_tokens": 10**16, "completion_tokens": 1}},
        "just a string",
        None,
        42,
        [],
    ],
)  # fmt: skip
def test_unreadable_responses_raise(bad: object) -> None:
    """An unreadable response raises InvalidUsageError (a ValueError), never another error
    while building its message, never a $0 cost."""
    with pytest.raises(InvalidUsageError):
        cost_of_response(bad)
    with pytest.raises(InvalidUsageError):
        usage_from_response(bad)


def test_non_string_keys_are_named() -> None:
    """issue 16: a dict with a None key raises InvalidUsageError naming its fields."""
    with pytest.raises(InvalidUsageError, match="None, id"):
        usage_from_response({None: 1, "id": "x"})


def test_model_argument_is_checked_and_wins() -> None:
    """model= must be a non-empty string; it overrides the response's model."""
    b = body("openai/chat_real_gpt5_reasoning")
    assert read(b, model="my-azure-deployment").model == "my-azure-deployment"
    assert cost_of_response(b, model="gpt-5-mini").model == "gpt-5-mini"
    with pytest.raises(InvalidTypeError):
        cost_of_response(b, model="")
    with pytest.raises(InvalidTypeError):
        usage_from_response(b, model=3)  # type: ignore[arg-type]


def test_model_from_response() -> None:
    """The model is found in every envelope, or None."""
    assert model_from_response(body("openai/chat_cached_reasoning")) == "o4-mini-2025-04-16"
    assert model_from_response(body("gemini/generate_content_real_thoughts")) == "gemini-2.5-pro"
    assert model_from_response(typed("gemini/generate_content_real_thoughts")) == "gemini-2.5-pro"
    assert model_from_response(typed("langchain/aimessage_openai_flex")) == "o3-2025-04-16"
    event = typed("openai/responses_completed_event")[-1]
    assert model_from_response(event) == "gpt-5-mini-2025-08-07"
    start = typed("anthropic/stream_thinking_cache_1h")[0]
    assert model_from_response(start) == "claude-opus-4-5-20251101"
    assert model_from_response(body("bedrock/converse_llama")) is None
    assert model_from_response({None: 1}) is None


def test_unknown_field_warning_is_an_llmcost_error() -> None:
    """Where warnings are errors, an unknown field raises an LLMCostError."""
    b = {"object": "chat.completion", "model": "gpt-5",
         "usage": {"prompt_tokens": 10, "completion_tokens": 2, "zorp_tokens": 3}}  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error", llmcost.UnknownUsageFieldWarning)
        with pytest.raises(LLMCostError, match="zorp_tokens"):
            usage_from_response(b)


# ---------------------------------------------------------------- random usage blocks


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
