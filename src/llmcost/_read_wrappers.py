"""Reader of langchain messages (``AIMessage``, a summed ``AIMessageChunk``).

litellm's ``ModelResponse`` is a Chat Completions body and is read by the Chat reader
(`llmcost._read_openai`), where its triple-reported cache writes and TTL split are handled.

langchain's ``usage_metadata`` already follows the OpenTelemetry convention (input includes
the cache, output the reasoning). Where ``response_metadata`` keeps the provider's own usage
(langchain-anthropic's ``usage``, langchain-openai's ``token_usage``), that raw usage is read
instead: it has the TTL split, the service tier and the server tools, which
``usage_metadata`` drops. Otherwise (streamed chunks) ``usage_metadata`` is read:
langchain-openai renames its details on flex and priority requests (``flex_cache_read``,
``flex_reasoning``) and langchain-anthropic's streamed chunks lose the TTL split (writes are
then priced as 5-minute writes, Anthropic's default) and, when the stream's ``message_delta``
carried only output tokens, report 0 input tokens, which llmcost refuses.
"""

from __future__ import annotations

from collections.abc import Callable

from ._errors import InvalidUsageError
from ._read_base import Block, Reading, check_total, fields, get, make_usage, pick, text
from ._usage import Usage

SHAPE = "langchain"
_TIERS = ("flex", "priority")
#: The TTL of cache writes langchain reports without a split, by model_provider.
_DEFAULT_TTL = {
    "anthropic": "cache_write_5m_tokens",
    "bedrock": "cache_write_5m_tokens",
    "bedrock_converse": "cache_write_5m_tokens",
    "openai": "cache_write_30m_tokens",
    "azure": "cache_write_30m_tokens",
}


def read_langchain(env: object, raw_reader: Callable[[object, object], Reading | None]) -> Reading:
    """An ``AIMessage`` / ``AIMessageChunk``; *raw_reader* reads a raw provider usage block."""
    meta = get(env, "response_metadata")
    meta = meta if meta is not None and not isinstance(meta, str) else {}
    provider = text(meta, "model_provider")
    model = text(meta, "model_name") or text(meta, "model")
    raw = pick(meta, "usage", "token_usage")
    metadata = get(env, "usage_metadata")
    if raw is not None:
        reading = raw_reader(_Wrapped(meta, raw), raw)
        if reading is not None:
            own = _read_metadata(metadata, provider) if fields(metadata) else None
            if own is not None and (
                own[0].input_tokens != reading.usage.input_tokens
                or own[0].output_tokens != reading.usage.output_tokens
            ):
                msg = (
                    f"{SHAPE}: usage_metadata ({own[0].input_tokens} in, {own[0].output_tokens} "
                    f"out) disagrees with the provider usage in response_metadata "
                    f"({reading.usage.input_tokens} in, {reading.usage.output_tokens} out)"
                )
                raise InvalidUsageError(msg)
            return Reading(
                usage=reading.usage,
                model=model or reading.model,
                api=f"langchain.{reading.api}",
                provider=reading.provider if provider is None else _vendor(provider),
                service_tier=reading.service_tier or text(meta, "service_tier"),
                speed=reading.speed,
                inference_geo=reading.inference_geo,
                at=reading.at,
            )
    u, tier = _read_metadata(metadata, provider)
    return Reading(
        usage=u,
        model=model,
        api="langchain.usage_metadata",
        provider=_vendor(provider or "unknown"),
        service_tier=text(meta, "service_tier") or tier,
    )


def _vendor(provider: str) -> str:
    return {"google_genai": "google", "google_vertexai": "vertex"}.get(
        provider, provider.split("_")[0]
    )


class _Wrapped:
    """The raw provider usage under an envelope of the metadata it came with."""

    def __init__(self, meta: object, raw: object) -> None:
        self.usage = raw
        self.model = text(meta, "model_name") or text(meta, "model")
        self.service_tier = text(meta, "service_tier")
        self.created = get(meta, "created")


def _read_metadata(metadata: object, provider: str | None) -> tuple[Usage, str | None]:
    """``usage_metadata`` (OpenTelemetry-like) as a `Usage`, with the tier its keys name."""
    b = Block(metadata, SHAPE, "usage_metadata")
    inp = b.count("input_tokens", required=True)
    out = b.count("output_tokens", required=True)
    total = b.optional("total_tokens")
    idt = b.sub("input_token_details")
    odt = b.sub("output_token_details")
    tier = None
    for t in _TIERS:
        if {t, f"{t}_cache_read", f"{t}_cache_creation", f"{t}_reasoning"} & (
            idt.names() | odt.names()
        ):
            if tier is not None:
                msg = f"{SHAPE} usage_metadata names two service tiers ({tier}, {t})"
                raise InvalidUsageError(msg)
            tier = t
    prefix = f"{tier}_" if tier else ""
    if tier:
        idt.ignore(tier)  # the uncached input of that tier: informational
        odt.ignore(tier)
        for name in ("cache_read", "cache_creation"):
            if name in idt:
                msg = f"{SHAPE} usage_metadata has both {name!r} and {prefix + name!r}"
                raise InvalidUsageError(msg)
    read = idt.count(prefix + "cache_read")
    creation = idt.count(prefix + "cache_creation")
    w5 = idt.count("ephemeral_5m_input_tokens")
    w1h = idt.count("ephemeral_1h_input_tokens")
    writes: dict[str, int] = {}
    if w5 or w1h:
        if creation not in (0, w5 + w1h):  # langchain-anthropic sets cache_creation to 0 then
            msg = (
                f"{SHAPE} usage_metadata: ephemeral writes ({w5} 5m + {w1h} 1h) do not add up "
                f"to cache_creation ({creation})"
            )
            raise InvalidUsageError(msg)
        writes = {"cache_write_5m_tokens": w5, "cache_write_1h_tokens": w1h}
    elif creation:
        field = _DEFAULT_TTL.get(provider or "")
        if field is None:
            msg = (
                f"{SHAPE} usage_metadata reports {creation} cache-write tokens from the "
                f"provider {provider!r}, whose cache TTL llmcost does not know; price the "
                "provider's own response"
            )
            raise InvalidUsageError(msg)
        writes = {field: creation}
    if provider == "anthropic" and inp == 0 and out:
        msg = (
            f"{SHAPE} usage_metadata from langchain-anthropic reports 0 input tokens for "
            f"{out} output tokens: the stream's message_delta carried only output_tokens and "
            "langchain dropped message_start's input. Price the raw Anthropic stream with "
            "llmcost.StreamUsage"
        )
        raise InvalidUsageError(msg)
    u = make_usage(
        SHAPE,
        input_tokens=inp,
        output_tokens=out,
        cache_read_tokens=read,
        audio_input_tokens=idt.count("audio"),
        reasoning_tokens=odt.count(prefix + "reasoning"),
        audio_output_tokens=odt.count("audio"),
        **writes,
    )
    check_total(SHAPE, "total_tokens", total, u)
    b.finish()
    return u, tier
