"""Read litellm's ``model_prices_and_context_window.json`` into a Registry (the long tail).

Prices are parsed from the JSON text as Decimals (never through a float) and scaled to per
million tokens exactly, in llmcost's own decimal context. What llmcost cannot represent
faithfully is reported, never guessed: an entry is either mapped with every rate llmcost
would use, or skipped with the reason; a single rate left out is said in the entry's note.

The mapping (litellm key -> llmcost):

- ``input_cost_per_token``, ``output_cost_per_token``, ``cache_read_input_token_cost``;
  ``input_cost_per_{audio,image,video}_token``, ``cache_read_input_{audio,image}_token_cost``,
  ``output_cost_per_{audio,image}_token``: the rates of the same names per 1M tokens.
- ``cache_creation_input_token_cost``: the 5-minute write for Claude models (Anthropic's
  default TTL, on every host), the 30-minute write for OpenAI models (OpenAI's default);
  for other families litellm does not say the TTL, so the rate is left out (noted).
  ``..._above_1hr`` is the 1-hour write, ``..._above_12hr`` the 12-hour write.
- ``..._above_<N>k_tokens``: a long-context tier above N thousand input tokens.
- ``..._batches``, ``..._flex``, ``..._priority``: an explicit variant with
  ``service_tier`` batch, flex or priority, holding exactly the rates litellm lists for it (a
  rate it does not list is absent, so such a request raises rather than guessing).
- ``search_context_cost_per_query``: the per-call ``web_search`` price, only where litellm
  gives one price for every search context size and no free allowance.
- ``input_cost_per_request``: ``request_per_kcall``.
- ``regional_processing_uplift_multiplier_{eu,us}`` and ``provider_specific_entry``'s numeric
  ``us``: ``inference_geo`` multipliers.
- ``off_peak_pricing`` (UTC hours and ISO weekdays): explicit time windows in UTC.
- ``mode``: chat, completion and responses are chat models; embedding an embedding model.
- ``deprecation_date`` is said in the note, not mapped to ``retired`` (see `_deprecation`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from ._errors import LLMCostError, PriceDataError
from ._litellm_extras import BASE as _BASE
from ._litellm_extras import Skip as _Skip
from ._litellm_extras import _deprecation, _geos, _web_search, _windows, amount
from ._money import CTX
from ._pricefile import load_json, read_text
from ._prices import ModelPrice, PriceTier, PriceVariant
from ._registry import Registry

#: litellm modes priced per token: llmcost's kind for each.
KINDS = {"chat": "chat", "completion": "chat", "responses": "chat", "embedding": "embedding"}

_TIERS = {"_batches": "batch", "_flex": "flex", "_priority": "priority"}
# Service tiers litellm lists whose request-side name it does not document: left out, noted.
_UNKNOWN_TIERS = ("_ultrafast", "_balanced", "_decisions")
_KEY = re.compile(
    r"(?P<base>[a-z0-9_]+?)(?:_above_(?P<n>\d+)k_tokens)?"
    r"(?P<tier>_batches|_flex|_priority|_ultrafast|_balanced|_decisions)?\Z"
)
# Keys whose presence means the price is not (only) per token: the entry is skipped.
_UNMAPPABLE = {
    "input_cost_per_character": "priced per character",
    "output_cost_per_character": "priced per character",
    "input_cost_per_second": "priced per second",
    "output_cost_per_second": "priced per second",
    "cost_per_second": "priced per second",
    "input_cost_per_audio_per_second": "priced per second of audio",
    "input_cost_per_video_per_second": "priced per second of video",
    "input_cost_per_image": "priced per image",
    "output_cost_per_image": "priced per image",
    "input_cost_per_pixel": "priced per pixel",
    "input_cost_per_query": "priced per query",
    "input_dbu_cost_per_token": "priced in Databricks DBUs",
    "output_dbu_cost_per_token": "priced in Databricks DBUs",
    "tiered_pricing": "priced by token ranges (tiered_pricing)",
    "explicit_cache_read_input_token_cost": "two cache-read prices (explicit and implicit)",
    "citation_cost_per_token": "citation tokens are priced apart",
    "computer_use_input_cost_per_1k_tokens": "computer-use tokens are priced apart",
    "cache_creation_input_audio_token_cost": "audio cache writes are priced apart",
}
# Charges llmcost does not model and no usage reader reports: ignored (said in the note).
_IGNORED = frozenset(
    {
        "code_interpreter_cost_per_session", "file_search_cost_per_gb_per_day",
        "vector_store_cost_per_gb_per_day", "google_maps_grounding_cost_per_query",
        "fedramp_uplift_multiplier", "regional_endpoint_uplift_multiplier",
        "computer_use_output_cost_per_1k_tokens", "annotation_cost_per_page",
    }
)  # fmt: skip
_THRESHOLD_NAMES = {"input_cost_per_token_cache_hit", "output_cost_per_reasoning_token"}
# Tokenizer families, first match wins: (pattern on the lower-cased name, profile).
_FAMILIES = (
    (
        r"gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-6|gpt-oss|gpt-audio|gpt-realtime|gpt-chat"
        r"|chatgpt-4o|codex-mini|(?:^|/)o[1-9](?:-|$)",
        "o200k_base",
    ),
    (r"gpt-4|gpt-3\.5|gpt-35|text-embedding", "cl100k_base"),
    (r"claude", "claude"),
    (r"gemini|gemma", "gemini"),
    (r"grok", "grok"),
    (r"mistral|mixtral|codestral|ministral|pixtral|magistral|devstral", "mistral"),
    (r"llama", "llama"),
    (r"deepseek", "deepseek"),
)
_FAMILY_RES = tuple((re.compile(pattern), profile) for pattern, profile in _FAMILIES)
_PROVIDER_PROFILES = {
    "anthropic": "claude",
    "gemini": "gemini",
    "vertex_ai-language-models": "gemini",
    "xai": "grok",
    "mistral": "mistral",
    "codestral": "mistral",
    "deepseek": "deepseek",
    "meta_llama": "llama",
}
_OPENAI = re.compile(r"(?:^|[/.])(?:gpt-|o[1-9](?:-|$)|chatgpt-|codex-|text-embedding-)")
#: The estimate profile for families llmcost has none for (most are large-vocabulary BPEs).
FALLBACK_PROFILE = "llama"


def tokenizer_for(name: str, provider: str) -> tuple[str, str]:
    """The tokenizer or estimate profile for a litellm model, and a note when it is a stand-in.

    >>> tokenizer_for("azure/gpt-4o-mini", "azure")
    ('o200k_base', '')
    >>> tokenizer_for("bedrock/anthropic.claude-3-haiku-20240307-v1:0", "bedrock")
    ('claude', '')
    >>> tokenizer_for("dashscope/qwen-max", "dashscope")[0]
    'llama'
    """
    key = name.lower()
    for pattern, profile in _FAMILY_RES:
        if pattern.search(key):
            return profile, ""
    by_provider = _PROVIDER_PROFILES.get(provider)
    if by_provider is not None:
        return by_provider, ""
    note = (
        f"llmcost has no tokenizer profile for this model family; token counts use the "
        f"{FALLBACK_PROFILE!r} estimate profile."
    )
    return FALLBACK_PROFILE, note


def _count(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal) and raw.is_finite() and raw == raw.to_integral_value(context=CTX):
        raw = int(raw)
    return raw if isinstance(raw, int) and 0 <= raw <= 10**15 else None


def _family_ttl(name: str, provider: str) -> str | None:
    """The cache-write field litellm's ``cache_creation_input_token_cost`` means here."""
    if "claude" in name or provider == "anthropic":
        return "cache_write_5m_per_mtok"
    if provider in ("openai", "azure", "text-completion-openai") or _OPENAI.search(name):
        return "cache_write_30m_per_mtok"
    return None


def _check_entry(entry: Mapping[str, Any]) -> str:
    """The llmcost kind of *entry*, or `_Skip` with the reason it cannot be mapped."""
    mode = entry.get("mode")
    if not isinstance(mode, str):
        what = "no mode" if mode is None else f"a mode of type {type(mode).__name__}"
        msg = f"{what} (only chat, completion, responses and embedding models are priced)"
        raise _Skip(msg)
    kind = KINDS.get(mode)
    if kind is None:
        msg = (
            f"mode {mode!r:.40} (only chat, completion, responses and embedding models are priced)"
        )
        raise _Skip(msg)
    for key, reason in _UNMAPPABLE.items():
        if entry.get(key):
            raise _Skip(reason)
    for key in ("input_cost_per_token", "output_cost_per_token"):
        if entry.get(key) is None and (kind == "chat" or key.startswith("input")):
            msg = f"no {key}"
            raise _Skip(msg)
    reasoning = entry.get("output_cost_per_reasoning_token")
    if reasoning is not None and reasoning != entry.get("output_cost_per_token"):
        msg = "reasoning tokens are priced apart from output tokens"
        raise _Skip(msg)
    hit = entry.get("input_cost_per_token_cache_hit")
    if hit is not None and hit != entry.get("cache_read_input_token_cost"):
        msg = "input_cost_per_token_cache_hit differs from cache_read_input_token_cost"
        raise _Skip(msg)
    return kind


Levels = dict[str | None, dict[int, dict[str, Decimal]]]  # tier -> threshold -> field -> rate


def _levels(name: str, entry: Mapping[str, Any], notes: list[str]) -> Levels:
    """Every per-token rate of *entry*, by service tier (None: standard) and threshold."""
    out: Levels = {}
    unknown_tiers: set[str] = set()
    for key, raw in entry.items():
        if not isinstance(key, str) or ("cost" not in key and "uplift" not in key):
            continue
        if key in _IGNORED or key in _THRESHOLD_NAMES or key in _UNMAPPABLE:
            continue
        if key in ("search_context_cost_per_query", "input_cost_per_request"):
            continue
        m = _KEY.match(key)
        if m and m["tier"] in _UNKNOWN_TIERS:
            unknown_tiers.add(m["tier"][1:])
            continue
        if key.startswith("regional_processing_uplift_multiplier_"):
            continue
        base = None if m is None else _BASE.get(m["base"])
        if base is None:
            msg = f"litellm key {key!r:.60} is not one llmcost maps"
            raise _Skip(msg)
        if raw is None:
            continue
        tier = None if m is None or m["tier"] is None else _TIERS[m["tier"]]
        threshold = -1 if m is None or m["n"] is None else int(m["n"]) * 1000
        out.setdefault(tier, {}).setdefault(threshold, {})[base] = amount(key, raw, 6)
    if unknown_tiers:
        notes.append(
            f"litellm's {', '.join(sorted(unknown_tiers))} rates are left out (litellm does not "
            "say which request selects them)."
        )
    ttl = _family_ttl(name, str(entry.get("litellm_provider", "")))
    dropped_write = False
    for by_threshold in out.values():
        for rates in by_threshold.values():
            write = rates.pop("cache_write", None)
            if write == 0:
                rates["cache_creation_input_token_cost"] = write  # left out with the zeros
            elif write is not None and ttl is None:
                dropped_write = True
            elif write is not None and ttl is not None:
                rates.setdefault(ttl, write)
    if dropped_write:
        notes.append("Cache-write prices left out: litellm does not say their TTL for this family.")
    return out


def _drop_zeros(levels: Levels, kind: str, notes: list[str]) -> None:
    base = levels.get(None, {}).get(-1, {})
    for field in ("input_per_mtok", "output_per_mtok"):
        if field == "output_per_mtok" and kind == "embedding":
            if base.get(field):
                msg = "an embedding model with an output price"
                raise _Skip(msg)
            continue
        if base.get(field) == 0:
            msg = f"{field[:-9]} price 0 (llmcost never prices at $0 without a curated note)"
            raise _Skip(msg)
    dropped = set()
    for by_threshold in levels.values():
        for rates in by_threshold.values():
            for field in [f for f, v in rates.items() if v == 0]:
                del rates[field]
                dropped.add(field)
    if dropped:
        notes.append(
            f"Rates of 0 left out (llmcost never prices at $0): {', '.join(sorted(dropped))}."
        )


def _tiers(by_threshold: Mapping[int, dict[str, Decimal]], kind: str, what: str) -> list[PriceTier]:
    tiers = []
    for above, rates in sorted(by_threshold.items()):
        if above < 0:
            continue
        need = ["input_per_mtok"] + (["output_per_mtok"] if kind == "chat" else [])
        missing = [f for f in need if f not in rates]
        if missing:
            msg = f"{what} above {above // 1000}k tokens lack {' and '.join(missing)}"
            raise _Skip(msg)
        tiers.append(PriceTier(above_input_tokens=above, **rates))
    return tiers


def _variants(levels: Levels, kind: str, notes: list[str]) -> list[PriceVariant]:
    out = []
    for tier in ("batch", "flex", "priority"):
        by_threshold = levels.get(tier)
        if not by_threshold:
            continue
        base = by_threshold.get(-1, {})
        need = ["input_per_mtok"] + (["output_per_mtok"] if kind == "chat" else [])
        missing = [f for f in need if f not in base]
        try:
            if missing:
                msg = f"its {tier} prices lack {' and '.join(missing)}"
                raise _Skip(msg)
            tiers = _tiers(by_threshold, kind, f"its {tier} prices")
            out.append(PriceVariant(service_tier=tier, tiers=tiers, **base))
        except _Skip as e:
            notes.append(f"The {tier} rates are left out: {e}.")
    return out


def _entry_price(name: str, entry: Mapping[str, Any]) -> ModelPrice:
    kind = _check_entry(entry)
    provider = entry.get("litellm_provider")
    if not isinstance(provider, str) or not provider.strip():
        msg = "no litellm_provider"
        raise _Skip(msg)
    provider = provider.strip().lower()
    notes = ["From litellm's price list."]
    levels = _levels(name, entry, notes)
    _drop_zeros(levels, kind, notes)
    standard = levels.get(None, {})
    base: dict[str, Any] = dict(standard.get(-1, {}))
    tiers = _tiers(standard, kind, "its prices")
    extra: dict[str, Any] = {}
    request = entry.get("input_cost_per_request")
    if request:
        extra["request_per_kcall"] = amount("input_cost_per_request", request, 3)
    tokenizer, tokenizer_note = tokenizer_for(name, provider)
    notes += [n for n in (tokenizer_note, _deprecation(entry)) if n]
    source = entry.get("source")
    return ModelPrice(
        model=name,
        provider=provider,
        kind=kind,
        tokenizer=tokenizer,
        context_window=_count(entry.get("max_input_tokens")),
        max_output_tokens=_count(entry.get("max_output_tokens")),
        source_url=source if isinstance(source, str) and source.startswith("https://") else "",
        tiers=tiers,
        variants=_variants(levels, kind, notes),
        windows=_windows(entry),
        tool_per_kcall=_web_search(entry, notes),
        inference_geo=_geos(entry, notes),
        note=" ".join(notes),
        **extra,
        **base,
    )


def from_litellm(path: str | os.PathLike[str], *, skipped: list[str] | None = None) -> Registry:
    """A registry of the chat and embedding models in litellm's price file.

    Ids are litellm's keys, lower-cased (``alias_of`` entries become aliases). See the
    module's docstring for the mapping of each litellm key. Each entry's ``note`` says where
    it came from and what was left out. An entry that cannot be mapped faithfully (another
    mode, priced per character, second or image, an unknown price key, odd values, a name
    that collides) is left out and reported into *skipped* as ``"name: reason"``. The file is
    read bounded (`llmcost._pricefile.MAX_FILE_BYTES`); errors are `PriceDataError`.
    ``Registry.default().merged(from_litellm(path))`` keeps llmcost's curated prices first and
    adds litellm's long tail.

    >>> import json, tempfile
    >>> doc = {"gpt-5.9": {"litellm_provider": "openai", "mode": "chat",
    ...                  "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05},
    ...        "tts-5.9": {"litellm_provider": "openai", "mode": "audio_speech"}}
    >>> with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    ...     json.dump(doc, f)
    >>> skipped = []
    >>> reg = from_litellm(f.name, skipped=skipped)
    >>> reg.get("gpt-5.9").input_per_mtok, reg.get("gpt-5.9").tokenizer
    (Decimal('1.25'), 'o200k_base')
    >>> os.remove(f.name)
    >>> skipped
    ["tts-5.9: mode 'audio_speech' (only chat, completion, responses and embedding models ...)"]
    """
    file, text = read_text(path)
    doc = load_json(text, file)
    if not isinstance(doc, dict):
        msg = f"{file}: expected a JSON object of model entries"
        raise PriceDataError(msg)
    report: list[str] = [] if skipped is None else skipped
    names: dict[str, list[str]] = {}
    for key in doc:
        names.setdefault(key.strip().lower(), []).append(key)
    prices: dict[str, ModelPrice] = {}
    aliases: dict[str, list[str]] = {}
    for key in sorted(doc):
        entry = doc[key]
        name = key.strip().lower()
        if key == "sample_spec":
            report.append(f"{key}: litellm's schema example, not a model")
            continue
        if len(names[name]) > 1 or not name:
            others = ", ".join(repr(k) for k in names[name] if k != key)
            report.append(f"{key}: name collides with {others} once lower-cased")
            continue
        if not isinstance(entry, dict):
            report.append(f"{key}: not an object")
            continue
        target = entry.get("alias_of")
        if target is not None:
            aliases.setdefault(str(target).strip().lower(), []).append(key)
            continue
        try:
            prices[name] = _entry_price(name, entry)
        except (_Skip, LLMCostError) as e:
            report.append(f"{key}: {e}")
    for target, alias_names in sorted(aliases.items()):
        price = prices.get(target)
        if price is None:
            for alias in alias_names:
                report.append(f"{alias}: alias of {target!r}, which is not mapped")
            continue
        names_ = (*price.aliases, *(a.strip().lower() for a in alias_names))
        prices[target] = attrs.evolve(price, aliases=names_)
    return Registry(prices.values())
