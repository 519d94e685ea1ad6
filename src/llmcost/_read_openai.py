"""Readers of OpenAI-style usage: Chat Completions and its look-alikes, Responses, xAI native.

Chat Completions usage (``prompt_tokens`` / ``completion_tokens``) is sent by OpenAI and by
xAI, DeepSeek, Groq, Mistral and litellm in the same layout with a few extra fields, which
select the variant (see `chat_variant`); the variants differ only in those fields, in where
xAI counts its reasoning, and in the TTL of cache writes.
"""

from __future__ import annotations

from ._errors import InvalidUsageError, MissingRateError
from ._read_anthropic import iteration_counts
from ._read_base import (
    MISSING,
    Block,
    Reading,
    check_total,
    get,
    instant,
    is_empty,
    make_usage,
    snake,
    text,
)

_GROQ_TIMES = ("queue_time", "prompt_time", "completion_time", "total_time")
_SHAPES = {
    "openai": "OpenAI Chat Completions",
    "xai": "xAI Chat Completions",
    "deepseek": "DeepSeek Chat Completions",
    "groq": "Groq Chat Completions",
    "mistral": "Mistral Chat Completions",
    "litellm": "litellm ModelResponse",
}
#: The markers of each Chat variant (at most one variant's markers may be present).
CHAT_MARKERS = {
    "xai": "usage.cost_in_usd_ticks or usage.num_sources_used",
    "deepseek": "usage.prompt_cache_hit_tokens or usage.prompt_cache_miss_tokens",
    "groq": "usage.queue_time (or another timing), top-level x_groq, service_tier 'on_demand'",
    "mistral": "usage.prompt_audio_seconds",
    "litellm": (
        "usage.prompt_tokens_details.cache_creation_tokens or .cache_creation_token_details, "
        "usage.cache_creation_input_tokens, usage.cache_read_input_tokens, usage.server_tool_use"
    ),
}


def chat_variant(env: object, b: Block) -> str:
    """Which Chat Completions variant *b* (the usage block of *env*) is: one row, or refused."""
    names = b.names()
    details = Block(b.raw("prompt_tokens_details") or {}, b.shape, "").names()
    found = []
    if names & {"cost_in_usd_ticks", "num_sources_used"}:
        found.append("xai")
    if names & {"prompt_cache_hit_tokens", "prompt_cache_miss_tokens"}:
        found.append("deepseek")
    if (
        names & set(_GROQ_TIMES)
        or get(env, "x_groq") not in (None, MISSING)
        or (text(env, "service_tier") == "on_demand")
    ):
        found.append("groq")
    if "prompt_audio_seconds" in names:
        found.append("mistral")
    if details & {"cache_creation_tokens", "cache_creation_token_details"} or names & {
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
        "server_tool_use",
    }:
        found.append("litellm")
    if len(found) > 1:
        markers = "; ".join(f"{v}: {CHAT_MARKERS[v]}" for v in found)
        msg = (
            f"this Chat Completions usage has the markers of {len(found)} providers ({markers}); "
            f"llmcost cannot tell how to read it (fields: {sorted(names)})"
        )
        raise InvalidUsageError(msg)
    return found[0] if found else "openai"


def read_chat(env: object, usage: object, path: str = "usage") -> Reading:
    """A Chat Completions response (or chunk) whose usage block is *usage*."""
    b = Block(usage, "Chat Completions", path)
    variant = chat_variant(env, b)
    shape = b.shape = _SHAPES[variant]
    prompt = b.count("prompt_tokens", required=True)
    completion = b.count("completion_tokens", required=True)
    total = b.optional("total_tokens")
    pd = b.sub("prompt_tokens_details")
    cd = b.sub("completion_tokens_details")
    cached = pd.count("cached_tokens")
    writes = pd.count("cache_write_tokens")
    ctd = pd.sub("cached_tokens_details")
    ctd.ignore("text_tokens")
    pd.ignore("text_tokens")
    cd.ignore("accepted_prediction_tokens", "rejected_prediction_tokens", "text_tokens")
    counts = {
        "audio_input_tokens": pd.count("audio_tokens"),
        "image_input_tokens": pd.count("image_tokens"),
        "video_input_tokens": pd.count("video_tokens"),
        "cache_read_audio_tokens": ctd.count("audio_tokens"),
        "cache_read_image_tokens": ctd.count("image_tokens"),
        "audio_output_tokens": cd.count("audio_tokens"),
        "image_output_tokens": cd.count("image_tokens"),
    }
    reasoning = cd.count("reasoning_tokens")
    tools: dict[str, int] = {}
    split = {"cache_write_30m_tokens": writes}  # OpenAI's default TTL; Chat gives no split
    tier = text(env, "service_tier")
    speed = geo = None
    if variant == "deepseek":
        hit = b.count("prompt_cache_hit_tokens")
        miss = b.optional("prompt_cache_miss_tokens")
        if "cached_tokens" in pd and cached != hit:
            msg = (
                f"{shape} usage: prompt_cache_hit_tokens ({hit}) and "
                f"prompt_tokens_details.cached_tokens ({cached}) disagree"
            )
            raise InvalidUsageError(msg)
        if miss is not None and hit + miss != prompt:
            msg = (
                f"{shape} usage: prompt_cache_hit_tokens ({hit}) + prompt_cache_miss_tokens "
                f"({miss}) do not add up to prompt_tokens ({prompt})"
            )
            raise InvalidUsageError(msg)
        cached = hit
    elif variant == "xai":
        b.ignore("cost_in_usd_ticks")  # xAI's own charge: a cross-check, not a price input
        sources = b.count("num_sources_used")
        if sources:
            tools["live_search_sources"] = sources
    elif variant == "groq":
        b.ignore(*_GROQ_TIMES)
        breakdown = get(env, "usage_breakdown")
        if not is_empty(breakdown):
            msg = (
                f"{shape}: usage_breakdown reports the usage of other models (a compound "
                "system); llmcost prices one model per response and refuses it"
            )
            raise InvalidUsageError(msg)
    elif variant == "mistral":
        seconds = b.raw("prompt_audio_seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            msg = f"{shape} usage field 'usage.prompt_audio_seconds' is not a number: {seconds!r}"
            raise InvalidUsageError(msg)
        if seconds:
            msg = (
                f"{shape} usage has prompt_audio_seconds={seconds}: audio billed per second or "
                "minute has no per-token rate in llmcost, which never prices it at $0"
            )
            raise MissingRateError(msg)
    elif variant == "litellm":
        split, cached, tools = _litellm(b, pd, writes, cached)
        tier = b.text("service_tier") or tier
        speed, geo = b.text("speed"), b.text("inference_geo")
    outside = False  # xAI counts reasoning outside completion_tokens; the totals tell
    if reasoning and total is not None:
        if total == prompt + completion + reasoning:
            outside = True
        elif total != prompt + completion:
            msg = (
                f"{shape} usage: total_tokens ({total:,}) is neither prompt + completion "
                f"({prompt + completion:,}) nor prompt + completion + reasoning "
                f"({prompt + completion + reasoning:,})"
            )
            raise InvalidUsageError(msg)
    elif reasoning:
        outside = variant == "xai"
    u = make_usage(
        shape,
        input_tokens=prompt,
        output_tokens=completion + reasoning if outside else completion,
        cache_read_tokens=cached,
        reasoning_tokens=reasoning,
        tool_calls=tools,
        **split,
        **counts,
    )
    check_total(shape, "total_tokens", total, u)
    b.finish()
    provider = {"litellm": "openai"}.get(variant, variant)
    return Reading(
        usage=u,
        model=text(env, "model"),
        api=f"{variant}.chat",
        provider=provider,
        service_tier=tier,
        speed=speed,
        inference_geo=geo,
        at=instant(get(env, "created"), "created"),
    )


def _litellm(
    b: Block, pd: Block, writes: int, cached: int
) -> tuple[dict[str, int], int, dict[str, int]]:
    """litellm's usage: the cache write is reported up to three times, with a TTL split."""
    shape = b.shape
    creation = pd.optional("cache_creation_tokens")
    if creation is not None and "cache_write_tokens" in pd and creation != writes:
        msg = (
            f"{shape} usage: prompt_tokens_details.cache_write_tokens ({writes}) and "
            f".cache_creation_tokens ({creation}) disagree"
        )
        raise InvalidUsageError(msg)
    if creation is not None:
        writes = creation
    top_writes = b.optional("cache_creation_input_tokens")
    top_reads = b.optional("cache_read_input_tokens")
    if top_writes is not None and top_writes != writes:
        msg = (
            f"{shape} usage: cache_creation_input_tokens ({top_writes}) and "
            f"prompt_tokens_details.cache_write_tokens ({writes}) disagree"
        )
        raise InvalidUsageError(msg)
    if top_reads is not None and "cached_tokens" in pd and top_reads != cached:
        msg = (
            f"{shape} usage: cache_read_input_tokens ({top_reads}) and "
            f"prompt_tokens_details.cached_tokens ({cached}) disagree"
        )
        raise InvalidUsageError(msg)
    if top_reads is not None:
        cached = top_reads
    d = pd.sub("cache_creation_token_details")
    split = {
        f"cache_write_{ttl}_tokens": d.count(f"ephemeral_{ttl}_input_tokens")
        for ttl in ("5m", "30m", "1h", "12h")
    }
    if any(split.values()):
        if sum(split.values()) != writes:
            msg = (
                f"{shape} usage: cache_creation_token_details ({sum(split.values())}) does not "
                f"add up to the cache writes ({writes})"
            )
            raise InvalidUsageError(msg)
    elif writes:
        # Without a split: Anthropic's default TTL for Anthropic bodies, OpenAI's otherwise.
        anthropic = top_writes is not None or top_reads is not None
        split = {"cache_write_5m_tokens" if anthropic else "cache_write_30m_tokens": writes}
    st = b.sub("server_tool_use")
    tools = {
        "web_search": st.count("web_search_requests"),
        "web_fetch": st.count("web_fetch_requests"),
    }
    b.ignore("cost")  # litellm's own estimate
    extra = iteration_counts(b.raw("iterations"), None, shape)
    if any(extra.values()):
        msg = (
            f"{shape}: usage.iterations reports compaction tokens outside the top-level counts; "
            "price the provider's own response instead"
        )
        raise InvalidUsageError(msg)
    return split, cached, {k: n for k, n in tools.items() if n}


def read_responses(resp: object, usage: object) -> Reading:
    """An OpenAI Responses API result (``object: "response"``) with its usage block."""
    shape = "OpenAI Responses"
    b = Block(usage, shape, "usage")
    inp = b.count("input_tokens", required=True)
    out = b.count("output_tokens", required=True)
    total = b.optional("total_tokens")
    idt = b.sub("input_tokens_details")
    odt = b.sub("output_tokens_details")
    idt.ignore("text_tokens")
    odt.ignore("text_tokens")
    writes = idt.count("cache_write_tokens")  # None in real bodies of openai 3.57 objects: 0
    cwd = idt.sub("cache_write_tokens_details")
    split = {
        "cache_write_30m_tokens": cwd.count("ttl_30m_tokens"),
        "cache_write_12h_tokens": cwd.count("ttl_12h_tokens"),
    }
    if any(split.values()):
        if "cache_write_tokens" in idt and sum(split.values()) != writes:
            msg = (
                f"{shape} usage: cache_write_tokens_details ({sum(split.values())}) does not "
                f"add up to cache_write_tokens ({writes})"
            )
            raise InvalidUsageError(msg)
    else:
        split["cache_write_30m_tokens"] = writes
    tools = _tool_usage(resp, shape)
    u = make_usage(
        shape,
        input_tokens=inp,
        output_tokens=out,
        cache_read_tokens=idt.count("cached_tokens"),
        audio_input_tokens=idt.count("audio_tokens"),
        image_input_tokens=idt.count("image_tokens"),
        reasoning_tokens=odt.count("reasoning_tokens"),
        audio_output_tokens=odt.count("audio_tokens"),
        tool_calls=tools,
        **split,
    )
    check_total(shape, "total_tokens", total, u)
    b.finish()
    return Reading(
        usage=u,
        model=text(resp, "model"),
        api="openai.responses",
        provider="openai",
        service_tier=text(resp, "service_tier"),
        at=instant(get(resp, "created_at"), "created_at"),
    )


def _tool_usage(resp: object, shape: str) -> dict[str, int]:
    """Responses' top-level ``tool_usage``: billed tool requests outside ``usage``."""
    raw = get(resp, "tool_usage")
    if raw is None or raw is MISSING:
        return {}
    t = Block(raw, shape, "tool_usage")
    tools = {}
    for name in ("web_search", "file_search"):
        n = t.sub(name).count("num_requests")
        if n:
            tools[name] = n
    image = t.sub("image_gen")
    image.ignore(*image.names())
    if not is_empty(image.raw_fields()):
        msg = (
            f"{shape}: tool_usage.image_gen reports image-generation tokens, billed at the image "
            "model's rates, which llmcost does not price with the chat model; price them "
            "separately"
        )
        raise MissingRateError(msg)
    t.finish()
    return tools


def read_xai_native(obj: object) -> Reading:
    """xAI's native SDK usage (protobuf ``SamplingUsage``, or its JSON in camelCase)."""
    shape = "xAI native (SamplingUsage)"
    b = Block(obj, shape, "", spell=snake)
    prompt = b.count("prompt_tokens")
    completion = b.count("completion_tokens")
    reasoning = b.count("reasoning_tokens")  # outside completion_tokens, as in xAI's REST API
    total = b.optional("total_tokens")
    b.ignore("prompt_text_tokens", "cost_in_usd_ticks")
    used = b.raw("server_side_tools_used")
    if used:
        msg = (
            f"{shape}: server_side_tools_used lists the server-side tools that ran "
            f"({used!r:.80}) but not how many times, so their charges cannot be priced; "
            "read the usage from xAI's REST response instead"
        )
        raise InvalidUsageError(msg)
    sources = b.count("num_sources_used")
    u = make_usage(
        shape,
        input_tokens=prompt,
        output_tokens=completion + reasoning,
        cache_read_tokens=b.count("cached_prompt_text_tokens"),
        image_input_tokens=b.count("prompt_image_tokens"),
        reasoning_tokens=reasoning,
        tool_calls={"live_search_sources": sources} if sources else {},
    )
    check_total(shape, "total_tokens", total, u)
    b.finish()
    return Reading(usage=u, model=None, api="xai.native", provider="xai")
