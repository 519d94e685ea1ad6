"""Reader of AWS Bedrock Converse usage (``converse`` replies and ConverseStream ``metadata``).

Converse reports ``inputTokens`` without the cache tokens (like Anthropic's API): llmcost adds
``cacheReadInputTokens`` and ``cacheWriteInputTokens`` back. ``cacheDetails`` splits the
writes by TTL (``5m``, ``1h``); without it they are 5-minute writes, Bedrock's default. The
reply names no model: the caller's ``modelId`` (or an ARN) is passed as ``model=``. The
request context is ``serviceTier.type`` and ``performanceConfig.latency`` (``"optimized"``
is priced as speed ``"optimized"``, refused unless the price has that variant).
"""

from __future__ import annotations

from ._errors import InvalidUsageError
from ._read_base import Block, Reading, check_total, get, is_empty, make_usage, text

SHAPE = "AWS Bedrock Converse"
_TTLS = {"5m": "cache_write_5m_tokens", "1h": "cache_write_1h_tokens"}


def read_converse(env: object, usage: object, path: str = "usage") -> Reading:
    """A Converse reply (or ConverseStream ``metadata`` event body) with its usage."""
    b = Block(usage, SHAPE, path)
    uncached = b.count("inputTokens", required=True)
    output = b.count("outputTokens", required=True)
    total = b.optional("totalTokens")
    read = b.count("cacheReadInputTokens")
    writes = b.count("cacheWriteInputTokens")
    split = dict.fromkeys(_TTLS.values(), 0)
    for item in b.items("cacheDetails"):
        ttl = item.text("ttl")
        field = _TTLS.get(ttl or "")
        if field is None:
            msg = f"{SHAPE} usage: {item.path}.ttl {ttl!r} is not a TTL llmcost knows (5m, 1h)"
            raise InvalidUsageError(msg)
        split[field] += item.count("inputTokens")
    if any(split.values()):
        if sum(split.values()) != writes:
            msg = (
                f"{SHAPE} usage: cacheDetails ({sum(split.values())}) does not add up to "
                f"cacheWriteInputTokens ({writes})"
            )
            raise InvalidUsageError(msg)
    else:
        split["cache_write_5m_tokens"] = writes
    tools = b.raw("serverToolUsage")
    if not is_empty(tools):
        msg = (
            f"{SHAPE} usage: serverToolUsage reports server-side tool uses ({tools!r:.80}) "
            "that llmcost cannot price from this response"
        )
        raise InvalidUsageError(msg)
    u = make_usage(
        SHAPE,
        input_tokens=uncached + read + writes,
        output_tokens=output,
        cache_read_tokens=read,
        **split,
    )
    check_total(SHAPE, "totalTokens", total, u)
    b.finish()
    latency = text(get(env, "performanceConfig"), "latency")
    return Reading(
        usage=u,
        model=None,
        api="bedrock.converse",
        provider="bedrock",
        service_tier=text(get(env, "serviceTier"), "type"),
        speed="optimized" if latency == "optimized" else None,
    )
