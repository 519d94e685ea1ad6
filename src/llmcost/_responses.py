"""Usage, model and request context read from provider responses, without importing any SDK.

A response is a parsed JSON dict, an SDK object (pydantic models, attribute objects,
protobuf messages) or an SDK's ``to_dict()`` form: all read alike. Which reader applies is
decided by one table, in two steps, never by trying readers in turn.

**Step 1, the envelope** (where the usage block is):

====  ==========================================================  ==========================
row   the response has                                            usage block
====  ==========================================================  ==========================
E1    ``type`` ``response.*`` and ``response`` (Responses events)  ``response.usage``
E2    ``type`` ``message_start`` and ``message`` (Anthropic)       ``message.usage``
E3    ``type`` ``message_delta`` (Anthropic)                       ``usage``
E4    ``metadata`` holding ``usage`` (Bedrock ConverseStream)      ``metadata.usage``
E5    ``usageMetadata`` or ``usage_metadata``                      that (Gemini; langchain)
E6    ``usage`` (or only Groq's ``x_groq.usage``)                  that
E7    none of these: the object is itself a usage block           the object
====  ==========================================================  ==========================

Two envelope rows at once (``usage`` and ``usageMetadata``) are refused.

**Step 2, the usage block** (keys present with a non-null value; Gemini's and xAI's in
either camelCase or snake_case):

=========  ================================================================  =====================
kind       the block has                                                     reading
=========  ================================================================  =====================
chat       ``prompt_tokens`` or ``completion_tokens``                        OpenAI-style Chat
responses  ``input_tokens``/``output_tokens`` and ``input_tokens_details``   OpenAI Responses
           or ``output_tokens_details.reasoning_tokens``
anthropic  ``input_tokens``/``output_tokens`` and any of                      Anthropic Messages
           ``cache_read_input_tokens``, ``cache_creation_input_tokens``,
           ``cache_creation``, ``server_tool_use``, ``service_tier``,
           ``speed``, ``inference_geo``, ``iterations``, ``fallback_credit``,
           ``output_tokens_details.thinking_tokens``
langchain  ``input_tokens``/``output_tokens`` and ``input_token_details`` or  langchain
           ``output_token_details``
plain      ``input_tokens``/``output_tokens`` (and ``total_tokens``), no     input and output
           other marker                                                      only (same in every
                                                                             convention)
gemini     ``promptTokenCount``, ``candidatesTokenCount``,                  Gemini / Vertex AI
           ``totalTokenCount``, ``cachedContentTokenCount``, ...
bedrock    ``inputTokens`` or ``outputTokens``                               Bedrock Converse
xai        ``promptTokens``, ``completionTokens``, ``reasoningTokens``,      xAI native SDK
           ``cachedPromptTextTokens`` (or a protobuf ``SamplingUsage``)
=========  ================================================================  =====================

A block that matches no kind, or more than one, is refused with `InvalidUsageError` naming
the fields seen. The envelope must agree with the kind: ``object`` ``chat.completion[.chunk]``
needs *chat*, ``object: "response"`` and E1 need *responses* (or *plain*), ``type: "message"``,
E2 and E3 need *anthropic* (or *plain*), E4 needs *bedrock*, E5 needs *gemini* or
*langchain* / *plain* (then it is a langchain message, whose ``response_metadata`` may hold
the provider's raw usage, read by this same table).

**Step 3, Chat variants** (one at most, else refused): xAI (``cost_in_usd_ticks``,
``num_sources_used``), DeepSeek (``prompt_cache_hit_tokens``), Groq (timings in the usage,
``x_groq``, ``service_tier: "on_demand"``), Mistral (``prompt_audio_seconds``), litellm
(``cache_creation_token_details``, ``cache_creation_tokens``, ``cache_creation_input_tokens``,
``server_tool_use``), else OpenAI. Where Chat's reasoning is counted is told by
``total_tokens``: ``prompt + completion + reasoning`` means outside ``completion_tokens``
(xAI), ``prompt + completion`` inside (OpenAI); without a total, xAI's markers decide.

Every count is validated before it is combined. Every known nonzero field is priced or
refused; an unknown field with a value raises an `UnknownUsageFieldWarning`. A provider total
(``total_tokens``, ``totalTokenCount``, ``totalTokens``) that the counts do not reproduce is
refused.
"""

from __future__ import annotations

from datetime import date, datetime

import attrs

from ._cost import _registry, priced
from ._errors import InvalidTypeError, InvalidUsageError
from ._rates import context_key
from ._read_anthropic import read_delta, read_message
from ._read_base import (
    MISSING,
    Block,
    Reading,
    check_total,
    describe,
    fields,
    get,
    make_usage,
    pick,
    snake,
    text,
)
from ._read_bedrock import read_converse
from ._read_gemini import TRAFFIC_TIERS, read_gemini
from ._read_openai import read_chat, read_responses, read_xai_native
from ._read_wrappers import read_langchain
from ._registry import Registry
from ._usage import Cost, Usage

__all__ = ["Reading", "cost_of_response", "model_from_response", "read", "usage_from_response"]

_ANTHROPIC_MARKERS = frozenset(
    {
        "cache_read_input_tokens",
        "cache_creation_input_tokens",
        "cache_creation",
        "server_tool_use",
        "service_tier",
        "speed",
        "inference_geo",
        "iterations",
        "fallback_credit",
    }
)
_GEMINI_KEYS = frozenset(
    {
        "prompt_token_count",
        "candidates_token_count",
        "total_token_count",
        "cached_content_token_count",
        "thoughts_token_count",
        "tool_use_prompt_token_count",
    }
)
_XAI_KEYS = frozenset({"promptTokens", "completionTokens", "reasoningTokens",
                       "cachedPromptTextTokens", "promptTextTokens"})  # fmt: skip
#: Hosts whose model ids are priced under the host's own entry (``groq/...``).
_HOSTS = frozenset({"groq"})


def usage_kind(block: object) -> str:
    """The kind of a usage block (step 2 of the table), or InvalidUsageError."""
    if _is_sampling_usage(block):
        return "xai"
    names = set(fields(block))
    kinds = []
    if names & {"prompt_tokens", "completion_tokens"}:
        kinds.append("chat")
    if names & {"input_tokens", "output_tokens"}:
        out_details = set(fields(get(block, "output_tokens_details")))
        marks = []
        if "input_tokens_details" in names or "reasoning_tokens" in out_details:
            marks.append("responses")
        if names & _ANTHROPIC_MARKERS or "thinking_tokens" in out_details:
            marks.append("anthropic")
        if names & {"input_token_details", "output_token_details"}:
            marks.append("langchain")
        kinds += marks or ["plain"]
    if {snake(n) for n in names} & _GEMINI_KEYS:
        kinds.append("gemini")
    if names & {"inputTokens", "outputTokens"}:
        kinds.append("bedrock")
    if names & _XAI_KEYS:
        kinds.append("xai")
    if len(kinds) != 1:
        what = f"the fields of {' and '.join(kinds)} usage" if kinds else "no token counts"
        msg = f"cannot read this usage block: it has {what} ({describe(block)})"
        raise InvalidUsageError(msg)
    return kinds[0]


def _is_sampling_usage(obj: object) -> bool:
    descriptor = getattr(type(obj), "DESCRIPTOR", None)
    return str(getattr(descriptor, "full_name", "")).endswith("SamplingUsage")


def _present(obj: object, name: str) -> object:
    v = get(obj, name)
    return None if v is MISSING else v


def _wrong(kind: str, envelope: str, obj: object) -> InvalidUsageError:
    msg = f"{envelope}, but its usage block has the fields of {kind} usage ({describe(obj)})"
    return InvalidUsageError(msg)


def _read_block(env: object, usage: object, kind: str, path: str) -> Reading:
    """Read *usage* (of *kind*) with the envelope *env*, checking that they agree."""
    obj, typ = text(env, "object"), text(env, "type")
    if obj in ("chat.completion", "chat.completion.chunk") and kind != "chat":
        raise _wrong(kind, f"this response is a {obj}", usage)
    if obj == "response" and kind not in ("responses", "plain"):
        raise _wrong(kind, "this response is an OpenAI Responses result", usage)
    if typ == "message" and kind not in ("anthropic", "plain"):
        raise _wrong(kind, "this response is an Anthropic message", usage)
    if kind == "chat":
        return read_chat(env, usage, path)
    if kind == "responses" or (kind == "plain" and obj == "response"):
        return read_responses(env, usage)
    if kind == "anthropic" or (kind == "plain" and typ == "message"):
        return read_message(env, usage, path=path)
    if kind == "gemini":
        return read_gemini(env, usage, path)
    if kind == "bedrock":
        return read_converse(env, usage, path)
    if kind == "xai":
        return read_xai_native(usage)
    if kind == "langchain":
        msg = f"a langchain usage_metadata belongs to an AIMessage: pass the message ({path})"
        raise InvalidUsageError(msg)
    return _read_plain(env, usage, path)


def _read_plain(env: object, usage: object, path: str) -> Reading:
    b = Block(usage, "Token usage", path)
    u = make_usage(
        "Token usage",
        input_tokens=b.count("input_tokens"),
        output_tokens=b.count("output_tokens"),
    )
    check_total("Token usage", "total_tokens", b.optional("total_tokens"), u)
    b.finish()
    return Reading(usage=u, model=text(env, "model"), api="plain", provider="unknown")


def _langchain_raw(env: object, raw: object) -> Reading:
    return _read_block(env, raw, usage_kind(raw), "response_metadata.usage")


def _no_usage(response: object) -> InvalidUsageError:
    typ, obj = text(response, "type"), text(response, "object")
    if obj == "chat.completion.chunk":
        msg = (
            "this Chat Completions chunk carries no usage: only the stream's last chunk does "
            "(request it with stream_options={'include_usage': True}); feed every chunk to "
            "llmcost.StreamUsage"
        )
    elif typ and (typ.startswith(("response.", "content_block_", "message_")) or typ == "ping"):
        msg = (
            f"this {typ!r} stream event carries no usage; feed the stream's events to "
            "llmcost.StreamUsage (Responses: response.completed has the usage)"
        )
    else:
        msg = (
            "cannot find token usage in this response: expected 'usage' (OpenAI, Anthropic, "
            "Bedrock Converse, litellm), 'usageMetadata' (Gemini) or 'usage_metadata' "
            f"(langchain); got {describe(response)}"
        )
    return InvalidUsageError(msg)


def _read(response: object) -> Reading:
    if response is None or isinstance(response, (str, bytes, int, float, list, tuple)):
        msg = f"expected a provider response (a dict or an SDK object), got {response!r:.80}"
        raise InvalidUsageError(msg)
    typ = text(response, "type")
    if typ is not None and typ.startswith("response.") and _present(response, "response"):
        inner = get(response, "response")
        usage = _present(inner, "usage")
        if usage is None:
            raise _no_usage(response)
        kind = usage_kind(usage)
        if kind not in ("responses", "plain"):
            raise _wrong(kind, f"this is a {typ} event", usage)
        return read_responses(inner, usage)
    if typ == "message_start" and _present(response, "message"):
        msg = (
            "an Anthropic message_start event has only provisional output_tokens: feed the "
            "stream's events (message_start, message_delta, ...) to llmcost.StreamUsage"
        )
        raise InvalidUsageError(msg)
    if typ == "message_delta":
        usage = _present(response, "usage")
        if usage is None:
            raise _no_usage(response)
        kind = usage_kind(usage)
        if kind not in ("anthropic", "plain"):
            raise _wrong(kind, "this is an Anthropic message_delta event", usage)
        return read_delta(response)
    envelopes = []
    for key in ("usage", "usageMetadata", "usage_metadata"):
        if _present(response, key) is not None:
            envelopes.append(key)
    metadata = _present(response, "metadata")
    stream_meta = (
        metadata is not None and not isinstance(metadata, str) and
        _present(metadata, "usage") is not None
    )  # fmt: skip
    if stream_meta:
        envelopes.append("metadata.usage")
    groq = _present(_present(response, "x_groq"), "usage")
    if len(envelopes) > 1:
        msg = f"this response has {' and '.join(envelopes)}: llmcost cannot tell which to read"
        raise InvalidUsageError(msg)
    if not envelopes:
        if groq is not None:
            return _read_block(response, groq, "chat", "x_groq.usage")
        bare = _bare_kind(response)
        if bare is None:
            raise _no_usage(response)
        return _read_block({}, response, bare, "")
    key = envelopes[0]
    if key == "metadata.usage":
        usage = get(metadata, "usage")
        kind = usage_kind(usage)
        if kind != "bedrock":
            raise _wrong(kind, "this is a Bedrock ConverseStream metadata event", usage)
        return read_converse(metadata, usage, "metadata.usage")
    usage = get(response, key)
    kind = usage_kind(usage)
    if key != "usage":
        if kind == "gemini":
            return read_gemini(response, usage, key)
        if kind in ("langchain", "plain"):
            return read_langchain(response, _langchain_raw)
        raise _wrong(kind, f"this response has {key}", usage)
    reading = _read_block(response, usage, kind, "usage")
    if groq is not None:
        other = _read_block(response, groq, "chat", "x_groq.usage")
        if other.usage != reading.usage:
            msg = "this Groq response's usage and x_groq.usage disagree"
            raise InvalidUsageError(msg)
    return reading


def _bare_kind(obj: object) -> str | None:
    try:
        return usage_kind(obj)
    except InvalidUsageError:
        if fields(obj).keys() & {"id", "choices", "candidates", "content", "output"}:
            return None  # an envelope without usage: say so, not "not a usage block"
        raise


def read(response: object, *, model: str | None = None) -> Reading:
    """The `Reading` of *response*: usage, model (*model* wins), API, context and time.

    >>> r = read({"object": "chat.completion", "model": "gpt-4o", "created": 1767225600,
    ...           "service_tier": "flex",
    ...           "usage": {"prompt_tokens": 1000, "completion_tokens": 20}})
    >>> r.api, r.model, r.service_tier, r.at.isoformat()
    ('openai.chat', 'gpt-4o', 'flex', '2026-01-01T00:00:00+00:00')
    """
    if model is not None and (not isinstance(model, str) or not model.strip()):
        msg = f"model must be a non-empty str, not {model!r:.60}"
        raise InvalidTypeError(msg)
    reading = _read(response)
    return reading if model is None else attrs.evolve(reading, model=model)


def usage_from_response(response: object, *, model: str | None = None) -> Usage:
    """The `Usage` reported by a provider response, in the OpenTelemetry convention.

    Reads OpenAI Chat Completions (and the xAI, DeepSeek, Groq, Mistral and litellm bodies of
    that shape), OpenAI Responses and its ``response.completed`` event, Anthropic Messages,
    Gemini and Vertex AI, Bedrock Converse, langchain messages and xAI's native usage, as
    parsed JSON dicts or SDK objects, including the last chunk of a stream that carries usage
    (for a whole stream use `StreamUsage`). Which reader applies is decided by one table
    (see `llmcost._responses`); a shape matching no row, or two, raises `InvalidUsageError`
    naming the fields it saw. *model* is accepted for symmetry with `cost_of_response`.

    >>> usage_from_response({"model": "claude-sonnet-4-6", "type": "message", "usage": {
    ...     "input_tokens": 100, "output_tokens": 50, "cache_read_input_tokens": 1000}})
    Usage(input_tokens=1100, output_tokens=50, cache_read_tokens=1000)
    """
    return read(response, model=model).usage


def model_from_response(response: object) -> str | None:
    """The model name a response reports, if any (``model``, Gemini's ``modelVersion``,
    langchain's ``response_metadata.model_name``, inside stream events too)."""
    try:
        typ = text(response, "type")
        holder = response
        if typ == "message_start":
            holder = _present(response, "message")
        elif typ is not None and typ.startswith("response."):
            holder = _present(response, "response")
        found = pick(holder, "model", "modelVersion", "model_version")
        if found is None:
            found = pick(_present(holder, "response_metadata"), "model_name", "model")
    except InvalidUsageError:
        return None
    return found if isinstance(found, str) and found else None


def pricing_name(reading: Reading) -> str:
    """The model name to price *reading* with (a host's own entry for a host's model ids)."""
    name = reading.model
    if name is None:
        msg = (
            f"this {reading.api} response does not name its model (Bedrock Converse never does): "
            "pass model="
        )
        raise InvalidUsageError(msg)
    if reading.provider in _HOSTS and not name.lower().startswith(reading.provider + "/"):
        return f"{reading.provider}/{name}"
    return name


def pricing_tier(reading: Reading) -> str | None:
    """The reported service tier as a price variant's name (None: the standard rates)."""
    tier = reading.service_tier
    if tier is None:
        return None
    if reading.provider == "vertex":
        return TRAFFIC_TIERS.get(tier.upper(), tier.lower())
    if reading.provider == "groq" and tier.lower() == "on_demand":
        return None
    return tier


def price_reading(
    reading: Reading,
    *,
    name: str,
    service_tier: str | None,
    speed: str | None,
    inference_geo: str | None,
    batch: bool,
    at: date | datetime | None,
    registry: Registry | None,
) -> Cost:
    """Price *reading*: explicit keywords win over what the response reported."""
    tier = service_tier if service_tier is not None else (None if batch else pricing_tier(reading))
    ctx = context_key(
        tier,
        speed if speed is not None else reading.speed,
        inference_geo if inference_geo is not None else reading.inference_geo,
        batch,
    )
    return priced(_registry(registry), name, reading.usage, ctx, at if at is not None else
                  reading.at)  # fmt: skip


def cost_of_response(
    response: object,
    *,
    model: str | None = None,
    service_tier: str | None = None,
    speed: str | None = None,
    inference_geo: str | None = None,
    batch: bool = False,
    at: date | datetime | None = None,
    registry: Registry | None = None,
) -> Cost:
    """The cost of a provider response: usage, model and request context are read from it.

    The response's ``service_tier`` (OpenAI, Anthropic, Groq, Bedrock ``serviceTier``, Vertex
    ``trafficType``), Anthropic's ``speed`` and ``inference_geo`` select the rates, and its
    creation time (``created``, ``created_at``, ``createTime``) is the instant priced, so a
    logged response prices at the rates of its day. Every keyword given wins: *model* (Azure
    deployments, Bedrock model ids and ARNs, which Converse replies never name),
    *service_tier*, *speed*, *inference_geo*, *batch* (``service_tier="batch"``) and *at*.

    >>> cost_of_response({"object": "chat.completion", "model": "gpt-4o-2024-08-06", "usage": {
    ...     "prompt_tokens": 1200, "completion_tokens": 300,
    ...     "prompt_tokens_details": {"cached_tokens": 1024}}}).total.normalize()
    Decimal('0.00472')
    """
    reading = read(response, model=model)
    name = model if model is not None else pricing_name(reading)
    return price_reading(
        reading,
        name=name,
        service_tier=service_tier,
        speed=speed,
        inference_geo=inference_geo,
        batch=batch,
        at=at,
        registry=registry,
    )
