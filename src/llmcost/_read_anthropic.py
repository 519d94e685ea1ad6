"""Reader of Anthropic Messages usage: a Message, its stream events, and Claude on other hosts.

Anthropic's ``input_tokens`` leave out the cache reads and writes: llmcost adds them back (the
OpenTelemetry convention). Cache writes are split by TTL in ``cache_creation``; without the
split they are 5-minute writes, Anthropic's default. ``output_tokens`` include the thinking
tokens (``output_tokens_details.thinking_tokens``). Server tools are counted in
``server_tool_use``; the request context (``service_tier``, ``speed``, ``inference_geo``) is
in the usage block itself. The same Message body comes back from Bedrock's InvokeModel and
Vertex AI's rawPredict for Claude: it is read the same way and priced with the host's model id.
"""

from __future__ import annotations

from typing import Any

from ._errors import InvalidUsageError
from ._read_base import Block, Reading, get, is_empty, make_usage, text

SHAPE = "Anthropic Messages"
_TOOLS = {"web_search_requests": "web_search", "web_fetch_requests": "web_fetch"}


def input_counts(b: Block, shape: str) -> dict[str, int]:
    """The input side of an Anthropic usage block: uncached, cache reads and TTL writes."""
    uncached = b.count("input_tokens", required=True)
    read = b.count("cache_read_input_tokens")
    created = b.count("cache_creation_input_tokens")
    split = b.sub("cache_creation")
    w5 = split.count("ephemeral_5m_input_tokens")
    w1h = split.count("ephemeral_1h_input_tokens")
    if w5 + w1h != created:
        if w5 + w1h:
            msg = (
                f"{shape} usage: cache_creation split ({w5} 5m + {w1h} 1h) does not add up to "
                f"cache_creation_input_tokens ({created})"
            )
            raise InvalidUsageError(msg)
        w5 = created  # no split: Anthropic's default (5-minute) writes
    return {
        "input_tokens": uncached + read + w5 + w1h,
        "cache_read_tokens": read,
        "cache_write_5m_tokens": w5,
        "cache_write_1h_tokens": w1h,
    }


def iteration_counts(iterations: object, model: str | None, shape: str) -> dict[str, int]:
    """Counts to add for ``usage.iterations``: its compaction entries, which the top level omits.

    ``message`` entries are already in the top-level counts. An ``advisor_message`` is
    another model's usage, and a ``fallback_message`` from a model other than the response's
    is too: llmcost prices one model per response, so both are refused.
    """
    extra = dict.fromkeys(
        ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_5m_tokens",
         "cache_write_1h_tokens"),
        0,
    )  # fmt: skip
    if is_empty(iterations):
        return extra
    if not isinstance(iterations, (list, tuple)):
        msg = f"{shape} usage field 'usage.iterations' must be a list, got {iterations!r:.40}"
        raise InvalidUsageError(msg)
    for i, it in enumerate(iterations):
        ib = Block(it, shape, f"usage.iterations[{i}]")
        kind = ib.text("type")
        if kind == "message" or (kind == "fallback_message" and ib.text("model") == model):
            ib.ignore(*ib.names())  # already in the top-level counts
            continue
        if kind != "compaction":
            other = ib.text("model")
            msg = (
                f"{shape}: usage.iterations[{i}] is a {kind!r} entry"
                + (f" of the model {other!r}" if other else "")
                + "; llmcost prices one model per response and cannot price this one"
            )
            raise InvalidUsageError(msg)
        inp = input_counts(ib, shape)
        for k, n in inp.items():
            extra[k] += n
        extra["output_tokens"] += ib.count("output_tokens")
        ib.finish()
    return extra


Context = tuple[str | None, str | None, str | None]


def read_usage(b: Block, model: str | None, shape: str = SHAPE) -> tuple[dict[str, Any], Context]:
    """The `Usage` counts and the context (tier, speed, geo) of an Anthropic usage block."""
    counts: dict[str, Any] = dict(input_counts(b, shape))
    output = b.count("output_tokens", required=True)
    details = b.sub("output_tokens_details")
    reasoning = details.count("thinking_tokens")
    st = b.sub("server_tool_use")
    counts["tool_calls"] = {tool: st.count(field) for field, tool in _TOOLS.items()}
    extra = iteration_counts(b.raw("iterations"), model, shape)
    for k, n in extra.items():
        counts[k] = counts.get(k, 0) + n
    counts["output_tokens"] = output + extra["output_tokens"]
    counts["reasoning_tokens"] = reasoning
    credit = b.sub("fallback_credit")
    status = credit.sub("status")
    if status.text("type") == "redeemed":
        msg = (
            f"{shape}: usage.fallback_credit was redeemed, so the request is billed as if it had "
            "run on another model; llmcost cannot price that from this response"
        )
        raise InvalidUsageError(msg)
    credit.ignore(*credit.names())
    status.ignore(*status.names())
    return counts, (b.text("service_tier"), b.text("speed"), b.text("inference_geo"))


def read_message(
    env: object, usage: object, *, api: str = "anthropic.messages", path: str = "usage"
) -> Reading:
    """An Anthropic Message (``type: "message"``) or any object with its usage block."""
    model = text(env, "model")
    b = Block(usage, SHAPE, path)
    counts, (tier, speed, geo) = read_usage(b, model)
    u = make_usage(SHAPE, **counts)
    b.finish()
    return Reading(
        usage=u,
        model=model,
        api=api,
        provider="anthropic",
        service_tier=tier,
        speed=speed,
        inference_geo=geo,
    )


def read_delta(event: object) -> Reading:
    """A ``message_delta`` event on its own: priced only when it carries the input side."""
    usage = get(event, "usage")
    b = Block(usage, SHAPE, "usage")
    if "input_tokens" not in b:
        msg = (
            "this Anthropic message_delta event carries only output_tokens: it cannot price "
            "the input. Feed the stream's events (message_start first) to llmcost.StreamUsage"
        )
        raise InvalidUsageError(msg)
    if b.count("cache_creation_input_tokens"):
        msg = (
            "this Anthropic message_delta event reports cache writes, but their TTL split is "
            "only in message_start: feed the stream's events to llmcost.StreamUsage"
        )
        raise InvalidUsageError(msg)
    return read_message(event, usage, api="anthropic.message_delta")


def merge_stream(start_usage: object, delta_usage: object) -> dict[str, object]:
    """The final usage of a stream: message_start's usage, updated field by field by the
    (cumulative) message_delta usage. The TTL split exists only in message_start."""
    start = Block(start_usage, SHAPE, "message_start.message.usage")
    merged = start.raw_fields()
    delta = Block(delta_usage, SHAPE, "message_delta.usage").raw_fields()
    merged.update(delta)
    before = start.raw("cache_creation_input_tokens") or 0
    after = merged.get("cache_creation_input_tokens") or 0
    if before != after:
        split = Block(start.raw("cache_creation") or {}, SHAPE, "cache_creation")
        if split.count("ephemeral_1h_input_tokens"):
            msg = (
                f"{SHAPE} stream: message_delta changed cache_creation_input_tokens from "
                f"{before} to {after}, so message_start's TTL split no longer applies"
            )
            raise InvalidUsageError(msg)
        merged.pop("cache_creation", None)  # all 5-minute writes
    return merged
