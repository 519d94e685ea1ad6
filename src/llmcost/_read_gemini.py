"""Reader of Gemini usage (Gemini API and Vertex AI ``generateContent``, in any spelling).

``usageMetadata`` comes as REST camelCase (``promptTokenCount``), as google-genai SDK
attributes or its ``to_json_dict()`` (snake_case): all three are read alike. The prompt count
includes the cached content; the tool-use prompt (search results fed back to the model) is
counted outside it and the thinking tokens outside the candidates, so llmcost adds both
(the OpenTelemetry convention). The per-modality details give the audio, image and video
parts (``DOCUMENT`` is text). Google Search grounding is billed per query outside
``usageMetadata``: each ``groundingMetadata.webSearchQueries`` entry is a ``google_search``
tool call, refused unless the price has that tool's rate.
"""

from __future__ import annotations

import warnings

from ._read_base import (
    Block,
    Reading,
    UnknownUsageFieldWarning,
    check_total,
    instant,
    make_usage,
    pick,
    snake,
    text,
)

SHAPE = "Gemini"
_MEDIA = {"AUDIO": "audio", "IMAGE": "image", "VIDEO": "video"}
_TEXT = frozenset({"TEXT", "DOCUMENT", "MODALITY_UNSPECIFIED"})
#: Vertex AI's trafficType, as a service tier (None: standard).
TRAFFIC_TIERS: dict[str, str | None] = {
    "ON_DEMAND": None,
    "TRAFFIC_TYPE_UNSPECIFIED": None,
    "ON_DEMAND_PRIORITY": "priority",
    "ON_DEMAND_FLEX": "flex",
    "ON_DEMAND_OFFPEAK": "offpeak",
    "PROVISIONED_THROUGHPUT": "provisioned_throughput",
}


def _modalities(items: list[Block], what: str) -> dict[str, int]:
    out = {"audio": 0, "image": 0, "video": 0}
    for item in items:
        modality = (item.text("modality") or "MODALITY_UNSPECIFIED").upper()
        n = item.count("token_count")
        if modality in _MEDIA:
            out[_MEDIA[modality]] += n
        elif modality not in _TEXT:
            msg = (
                f"{SHAPE} usage: {what} has the modality {modality!r} ({n} tokens), unknown to "
                "llmcost; priced as text"
            )
            warnings.warn(msg, UnknownUsageFieldWarning, stacklevel=5)
    return out


def read_gemini(env: object, usage: object, path: str = "usageMetadata") -> Reading:
    """A ``GenerateContentResponse`` (or a stream chunk) whose usage is *usage*."""
    b = Block(usage, SHAPE, path, spell=snake)
    prompt = b.count("prompt_token_count", required=True)
    tool_prompt = b.count("tool_use_prompt_token_count")
    candidates = b.count("candidates_token_count")
    thoughts = b.count("thoughts_token_count")
    total = b.optional("total_token_count")
    cached = b.count("cached_content_token_count")
    media_in = _modalities(b.items("prompt_tokens_details"), "promptTokensDetails")
    tool_media = _modalities(
        b.items("tool_use_prompt_tokens_details"), "toolUsePromptTokensDetails"
    )
    media_cached = _modalities(b.items("cache_tokens_details"), "cacheTokensDetails")
    media_out = _modalities(b.items("candidates_tokens_details"), "candidatesTokensDetails")
    traffic = b.text("traffic_type")
    queries = 0
    for candidate in _list(pick(env, "candidates")):
        grounding = pick(candidate, "groundingMetadata", "grounding_metadata")
        queries += len(_list(pick(grounding, "webSearchQueries", "web_search_queries")))
    u = make_usage(
        SHAPE,
        input_tokens=prompt + tool_prompt,
        output_tokens=candidates + thoughts,
        cache_read_tokens=cached,
        reasoning_tokens=thoughts,
        **{f"{m}_input_tokens": media_in[m] + tool_media[m] for m in media_in},
        **{f"cache_read_{m}_tokens": media_cached[m] for m in media_cached},
        audio_output_tokens=media_out["audio"],
        image_output_tokens=media_out["image"],
        tool_calls={"google_search": queries} if queries else {},
    )
    check_total(SHAPE, "totalTokenCount", total, u)
    b.finish()
    created = pick(env, "createTime", "create_time")
    vertex = traffic is not None or created is not None
    model = text(env, "modelVersion") or text(env, "model_version")
    return Reading(
        usage=u,
        model=model,
        api="vertex.generate_content" if vertex else "gemini.generate_content",
        provider="vertex" if vertex else "google",
        service_tier=traffic,
        at=instant(created, "createTime"),
    )


def _list(v: object) -> list[object]:
    return list(v) if isinstance(v, (list, tuple)) else []
