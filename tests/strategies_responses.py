"""Hypothesis strategies for provider usage blocks: every field absent, null, zero, a count,
or (rarely) a value no provider sends (negative, a bool, a float, a string).

Each strategy draws ``(response, raw)``: the response as parsed JSON, and *raw*, the usage
fields as drawn (`ABSENT` for a missing key), from which the test computes the expected
`Usage` by the provider's published rule.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()
_BAD = st.sampled_from([-1, -10, True, 1.5, "12", [3]])


def value(max_value: int = 200_000) -> st.SearchStrategy[Any]:
    """One field: mostly a count, often absent, null or zero, rarely invalid."""

    def pick(k: int) -> st.SearchStrategy[Any]:
        if k < 60:
            return st.integers(0, max_value)
        if k < 75:
            return st.just(ABSENT)
        if k < 85:
            return st.just(None)
        return st.just(0) if k < 98 else _BAD

    return st.integers(0, 99).flatmap(pick)


def small(max_value: int = 5) -> st.SearchStrategy[Any]:
    """A small count (tool uses)."""
    return st.one_of(st.integers(0, max_value), st.just(ABSENT), st.just(None))


def put(target: dict[str, Any], key: str, v: Any) -> None:
    """Set *key* unless *v* is `ABSENT`."""
    if v is not ABSENT:
        target[key] = v


def _details(**fields: Any) -> Any:
    """A details object from drawn fields, or ABSENT / None for the whole object."""
    return st.one_of(
        st.fixed_dictionaries(fields),
        st.just(ABSENT),
        st.just(None),
    )


def _clean(d: Any) -> Any:
    if isinstance(d, dict):
        return {k: _clean(v) for k, v in d.items() if v is not ABSENT}
    return d


def _total(draw: st.DrawFn, right: int | None) -> Any:
    """A total: absent, the right one (when computable), or occasionally wrong."""
    options: list[Any] = [ABSENT]
    if right is not None:
        options += [right] * 6
    options.append(draw(st.integers(0, 500_000)))
    return draw(st.sampled_from(options))


def as_int(v: Any) -> int | None:
    """A drawn field as a count: 0 when absent or null, None when it is not a valid count."""
    if v is ABSENT or v is None:
        return 0
    if type(v) is int and v >= 0:
        return v
    return None


@st.composite
def openai_chat(draw: st.DrawFn, xai: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """A Chat Completions response (xAI's when *xai*: reasoning outside the completion)."""
    raw = {
        "prompt_tokens": draw(value()),
        "completion_tokens": draw(value(20_000)),
        "prompt_tokens_details": draw(_details(
            cached_tokens=value(), audio_tokens=value(5_000), cache_write_tokens=value()
        )),
        "completion_tokens_details": draw(_details(
            reasoning_tokens=value(20_000), audio_tokens=value(5_000)
        )),
    }  # fmt: skip
    p, c = as_int(raw["prompt_tokens"]), as_int(raw["completion_tokens"])
    cd = raw["completion_tokens_details"]
    r = as_int(cd.get("reasoning_tokens", ABSENT)) if isinstance(cd, dict) else 0
    right = None
    if p is not None and c is not None and r is not None:
        right = p + c + (r if xai else 0)
    raw["total_tokens"] = _total(draw, right)
    usage = _clean(raw)
    if xai:
        usage["cost_in_usd_ticks"] = draw(st.integers(0, 10**9))
    model = "grok-4.3" if xai else "gpt-5.5"
    return {"object": "chat.completion", "model": model, "usage": usage}, raw


@st.composite
def openai_responses(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """An OpenAI Responses result with cache reads, TTL writes and reasoning."""
    raw = {
        "input_tokens": draw(value()),
        "output_tokens": draw(value(20_000)),
        "input_tokens_details": draw(_details(
            cached_tokens=value(), cache_write_tokens=value(),
            cache_write_tokens_details=_details(ttl_30m_tokens=value(), ttl_12h_tokens=value()),
        )),
        "output_tokens_details": draw(_details(reasoning_tokens=value(20_000))),
    }  # fmt: skip
    i, o = as_int(raw["input_tokens"]), as_int(raw["output_tokens"])
    raw["total_tokens"] = _total(draw, None if i is None or o is None else i + o)
    response = {"object": "response", "model": "gpt-5.6-sol", "usage": _clean(raw)}
    return response, raw


@st.composite
def anthropic(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """An Anthropic Message with cache reads, TTL writes, thinking and server tools."""
    raw = {
        "input_tokens": draw(value()),
        "output_tokens": draw(value(20_000)),
        "cache_read_input_tokens": draw(value()),
        "cache_creation_input_tokens": draw(value()),
        "cache_creation": draw(_details(
            ephemeral_5m_input_tokens=value(), ephemeral_1h_input_tokens=value()
        )),
        "output_tokens_details": draw(_details(thinking_tokens=value(20_000))),
        "server_tool_use": draw(_details(web_search_requests=small(), web_fetch_requests=small())),
    }  # fmt: skip
    if draw(st.booleans()):  # make the split consistent more often than chance would
        split = raw["cache_creation"]
        if isinstance(split, dict):
            parts = [as_int(split.get(k, ABSENT)) for k in split]
            if all(n is not None for n in parts):
                raw["cache_creation_input_tokens"] = sum(n for n in parts if n is not None)
    message = {"type": "message", "model": "claude-sonnet-4-6", "usage": _clean(raw)}
    return message, raw


@st.composite
def gemini(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A Gemini response, in REST camelCase or the SDK's snake_case."""
    raw = {
        "promptTokenCount": draw(value()),
        "candidatesTokenCount": draw(value(20_000)),
        "thoughtsTokenCount": draw(value(20_000)),
        "toolUsePromptTokenCount": draw(value()),
        "cachedContentTokenCount": draw(value()),
    }
    parts = [as_int(v) for v in raw.values()]
    right = (
        None
        if any(n is None for n in parts)
        else sum(n for n in parts if n is not None) - (as_int(raw["cachedContentTokenCount"]) or 0)
    )
    raw["totalTokenCount"] = _total(draw, right)
    snake = draw(st.booleans())
    usage = _clean(raw)
    if snake:
        usage = {"".join("_" + c.lower() if c.isupper() else c for c in k): v
                 for k, v in usage.items()}  # fmt: skip
        return {"model_version": "gemini-3.5-flash", "usage_metadata": usage}, raw
    return {"modelVersion": "gemini-3.5-flash", "usageMetadata": usage}, raw


@st.composite
def bedrock(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A Bedrock Converse reply with cache reads and writes."""
    raw = {
        "inputTokens": draw(value()),
        "outputTokens": draw(value(20_000)),
        "cacheReadInputTokens": draw(value()),
        "cacheWriteInputTokens": draw(value()),
    }
    parts = [as_int(v) for v in raw.values()]
    right = None if any(n is None for n in parts) else sum(n for n in parts if n is not None)
    raw["totalTokens"] = _total(draw, right)
    return {"usage": _clean(raw), "stopReason": "end_turn"}, raw


@st.composite
def langchain(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A langchain AIMessage whose usage_metadata is all there is (a streamed sum)."""
    raw = {
        "input_tokens": draw(value()),
        "output_tokens": draw(value(20_000)),
        "input_token_details": draw(_details(cache_read=value(), cache_creation=value())),
        "output_token_details": draw(_details(reasoning=value(20_000))),
    }
    i, o = as_int(raw["input_tokens"]), as_int(raw["output_tokens"])
    raw["total_tokens"] = _total(draw, None if i is None or o is None else i + o)
    provider = draw(st.sampled_from(["anthropic", "openai"]))
    model = {"anthropic": "claude-sonnet-4-6", "openai": "gpt-5.5"}[provider]
    meta = {"model_name": model, "model_provider": provider}
    message = {"type": "ai", "content": "", "response_metadata": meta,
               "usage_metadata": _clean(raw)}  # fmt: skip
    return message, raw
