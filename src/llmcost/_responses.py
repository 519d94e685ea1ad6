"""Usage read from provider responses (plain dicts or SDK objects), without importing any SDK."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from ._cost import priced
from ._errors import InvalidUsageError
from ._rates import context_key
from ._registry import Registry
from ._usage import Cost, Usage

_MISSING = object()


def _get(obj: object, name: str) -> object:
    """``obj[name]`` for a mapping, ``obj.name`` for an SDK object; `_MISSING` when absent."""
    if isinstance(obj, Mapping):
        return obj.get(name, _MISSING)
    return getattr(obj, name, _MISSING)


def _has(obj: object, name: str) -> bool:
    value = _get(obj, name)
    return value is not _MISSING and value is not None


def _count(obj: object, name: str, *, required: bool = False, shape: str = "") -> int:
    value = _get(obj, name)
    if value is _MISSING or value is None:
        if required:
            msg = f"{shape} usage has no {name!r}: cannot price it without that count"
            raise InvalidUsageError(msg)
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{shape} usage field {name!r} must be an int, got {value!r}"
        raise InvalidUsageError(msg)
    return value


def _sub(obj: object, name: str) -> object:
    value = _get(obj, name)
    return None if value is _MISSING else value


def _make(shape: str, **counts: int) -> Usage:
    try:
        return Usage(**counts)
    except InvalidUsageError as e:
        msg = f"{shape} usage is inconsistent: {e}"
        raise InvalidUsageError(msg) from None


def _openai(u: object, shape: str, inp: str, out: str) -> Usage:
    """OpenAI's usage: ``{inp}_tokens`` include the cached ones, ``{out}_tokens`` the reasoning."""
    details = _sub(u, f"{inp}_tokens_details")
    out_details = _sub(u, f"{out}_tokens_details")
    return _make(
        shape,
        input_tokens=_count(u, f"{inp}_tokens", required=True, shape=shape),
        output_tokens=_count(u, f"{out}_tokens", required=True, shape=shape),
        cache_read_tokens=_count(details, "cached_tokens", shape=shape) if details else 0,
        reasoning_tokens=_count(out_details, "reasoning_tokens", shape=shape) if out_details else 0,
    )


def _openai_chat(u: object) -> Usage:
    return _openai(u, "OpenAI Chat Completions", "prompt", "completion")


def _openai_responses(u: object) -> Usage:
    return _openai(u, "OpenAI Responses", "input", "output")


def _anthropic(u: object) -> Usage:
    # Anthropic's input_tokens exclude the cache tokens: add them back.
    shape = "Anthropic Messages"
    uncached = _count(u, "input_tokens", required=True, shape=shape)
    read = _count(u, "cache_read_input_tokens", shape=shape)
    created = _count(u, "cache_creation_input_tokens", shape=shape)
    split = _sub(u, "cache_creation")
    w5 = w1h = 0
    if split is not None:
        w5 = _count(split, "ephemeral_5m_input_tokens", shape=shape)
        w1h = _count(split, "ephemeral_1h_input_tokens", shape=shape)
    if w5 + w1h != created:
        if w5 + w1h:
            msg = (
                f"{shape} usage: cache_creation split ({w5} 5m + {w1h} 1h) does not add up to "
                f"cache_creation_input_tokens ({created})"
            )
            raise InvalidUsageError(msg)
        w5 = created  # no split given: the default (5-minute) writes
    return _make(
        shape,
        input_tokens=uncached + read + w5 + w1h,
        output_tokens=_count(u, "output_tokens", required=True, shape=shape),
        cache_read_tokens=read,
        cache_write_5m_tokens=w5,
        cache_write_1h_tokens=w1h,
    )


def _gemini(u: object) -> Usage:
    # Gemini reports thinking tokens outside candidatesTokenCount; the prompt count includes the
    # cached content. Tool-use prompt tokens are billed as input.
    shape = "Gemini"
    camel = _has(u, "promptTokenCount") or _has(u, "candidatesTokenCount")

    def name(n: str) -> str:
        if camel:
            return n
        return "".join("_" + c.lower() if c.isupper() else c for c in n)

    prompt = _count(u, name("promptTokenCount"), required=True, shape=shape)
    tool = _count(u, name("toolUsePromptTokenCount"), shape=shape)
    thoughts = _count(u, name("thoughtsTokenCount"), shape=shape)
    candidates = _count(u, name("candidatesTokenCount"), shape=shape)
    return _make(
        shape,
        input_tokens=prompt + tool,
        output_tokens=candidates + thoughts,
        cache_read_tokens=_count(u, name("cachedContentTokenCount"), shape=shape),
        reasoning_tokens=thoughts,
    )


def _bedrock(u: object) -> Usage:
    # Converse reports inputTokens without the cache tokens, like Anthropic's API.
    shape = "AWS Bedrock Converse"
    read = _count(u, "cacheReadInputTokens", shape=shape)
    write = _count(u, "cacheWriteInputTokens", shape=shape)
    return _make(
        shape,
        input_tokens=_count(u, "inputTokens", required=True, shape=shape) + read + write,
        output_tokens=_count(u, "outputTokens", required=True, shape=shape),
        cache_read_tokens=read,
        cache_write_5m_tokens=write,
    )


def _usage_reader(u: object) -> tuple[str, object] | None:
    if _has(u, "prompt_tokens") or _has(u, "completion_tokens"):
        return "openai-chat", u
    if _has(u, "inputTokens") or _has(u, "outputTokens"):
        return "bedrock", u
    if any(
        _has(u, n)
        for n in (
            "promptTokenCount",
            "prompt_token_count",
            "candidatesTokenCount",
            "candidates_token_count",
        )
    ):
        return "gemini", u
    if _has(u, "input_tokens_details") or _has(u, "output_tokens_details"):
        return "openai-responses", u
    if _has(u, "input_tokens") or _has(u, "output_tokens"):
        if any(
            _has(u, n)
            for n in ("cache_read_input_tokens", "cache_creation_input_tokens", "cache_creation")
        ):
            return "anthropic", u
        return "anthropic-or-responses", u
    return None


_READERS = {
    "openai-chat": _openai_chat,
    "openai-responses": _openai_responses,
    "anthropic": _anthropic,
    "gemini": _gemini,
    "bedrock": _bedrock,
}


def _find_usage(response: object) -> tuple[str, object, object]:
    """(shape, usage object, the object that may carry the model name)."""
    if response is None or isinstance(response, (str, bytes, int, float)):
        msg = f"expected a provider response (a dict or an SDK object), got {response!r:.80}"
        raise InvalidUsageError(msg)
    holder = response
    # Anthropic streaming: message_start carries the message with its usage.
    if _get(response, "type") == "message_start" and _has(response, "message"):
        holder = _sub(response, "message")
    for key in ("usage", "usageMetadata", "usage_metadata"):
        container = _sub(holder, key)
        if container is not None:
            found = _usage_reader(container)
            if found is not None:
                shape, u = found
                if shape == "anthropic-or-responses":
                    is_responses = _get(holder, "object") == "response"
                    shape = "openai-responses" if is_responses else "anthropic"
                return shape, u, holder
    found = _usage_reader(holder)  # a usage object passed on its own
    if found is not None:
        shape, u = found
        if shape == "anthropic-or-responses":
            shape = "anthropic"
        return shape, u, holder
    keys = sorted(holder) if isinstance(holder, Mapping) else type(holder).__name__
    msg = (
        "cannot find token usage in this response: expected 'usage' (OpenAI, Anthropic, "
        f"Bedrock Converse) or 'usageMetadata' (Gemini); got {keys}"
    )
    raise InvalidUsageError(msg)


def usage_from_response(response: object) -> Usage:
    """The `Usage` reported by a provider response, converted to the OpenTelemetry convention.

    Reads OpenAI Chat Completions and Responses, Anthropic Messages (whose input excludes the
    cache tokens: they are added back), Gemini generateContent (whose thinking tokens are
    reported outside the candidates: they are added to the output), and AWS Bedrock Converse,
    as parsed JSON dicts or SDK objects with attributes, including the last chunk of a stream
    that carries usage. An unknown shape raises `InvalidUsageError` naming what was missing.

    >>> usage_from_response({"model": "claude-sonnet-4-5", "usage": {
    ...     "input_tokens": 100, "output_tokens": 50, "cache_read_input_tokens": 1000}})
    Usage(input_tokens=1100, output_tokens=50, cache_read_tokens=1000)
    """
    shape, u, _ = _find_usage(response)
    return _READERS[shape](u)


def model_from_response(response: object) -> str | None:
    """The model name a response reports (``model``, or Gemini's ``modelVersion``), if any."""
    holder = response
    if _get(response, "type") == "message_start" and _has(response, "message"):
        holder = _sub(response, "message")
    for key in ("model", "modelVersion", "model_version"):
        value = _get(holder, key)
        if isinstance(value, str) and value:
            return value
    return None


def cost_of_response(
    response: object,
    *,
    model: str | None = None,
    batch: bool = False,
    at: date | None = None,
    registry: Registry | None = None,
) -> Cost:
    """The cost of a provider response: the model and the usage are read from it.

    Pass *model* when the response does not name it (AWS Bedrock Converse) or to override it.

    >>> cost_of_response({"model": "gpt-4o-2024-08-06", "usage": {
    ...     "prompt_tokens": 1200, "completion_tokens": 300,
    ...     "prompt_tokens_details": {"cached_tokens": 1024}}}).total.normalize()
    Decimal('0.00472')
    """
    usage = usage_from_response(response)
    name = model or model_from_response(response)
    if name is None:
        msg = "this response does not name its model (e.g. Bedrock Converse): pass model="
        raise InvalidUsageError(msg)
    reg = Registry.default() if registry is None else registry
    return priced(reg, name, usage, context_key(None, None, None, batch), at)
