"""Read litellm's ``model_prices_and_context_window.json`` into a Registry (the long tail).

Prices are parsed from the JSON text as Decimals (never through a float) and scaled to per
million tokens exactly. What llmcost cannot represent faithfully is reported, never guessed:
an entry is either mapped with every rate llmcost would use, or skipped with the reason.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from ._errors import InvalidTypeError, PriceDataError
from ._registry import ModelPrice, PriceTier, Registry, batch_factor
from ._rows import FACTOR_LIMIT, FACTOR_SCALE, RATE_LIMIT, RATE_SCALE

#: litellm modes that are priced per text token like a chat model.
KEPT_MODES = frozenset({"chat", "completion", "responses"})

_RATES = {
    "input_cost_per_token": "input_per_mtok",
    "output_cost_per_token": "output_per_mtok",
    "cache_read_input_token_cost": "cache_read_per_mtok",
    "cache_creation_input_token_cost": "cache_write_per_mtok",
    "cache_creation_input_token_cost_above_1hr": "cache_write_1h_per_mtok",
    "input_cost_per_token_batches": "batch_input_per_mtok",
    "output_cost_per_token_batches": "batch_output_per_mtok",
}
# The only long-context threshold mapped (litellm's "200k" is 200,000 input tokens, exceeded).
_TIER_ABOVE = 200_000
_TIER_RATES = {
    "input_cost_per_token_above_200k_tokens": "input_per_mtok",
    "output_cost_per_token_above_200k_tokens": "output_per_mtok",
    "cache_read_input_token_cost_above_200k_tokens": "cache_read_per_mtok",
    "cache_creation_input_token_cost_above_200k_tokens": "cache_write_per_mtok",
    "cache_creation_input_token_cost_above_1hr_above_200k_tokens": "cache_write_1h_per_mtok",
}
_THRESHOLD = re.compile(r"_above_(\d+(?:\.\d+)?[km]?)_tokens")
# Keys whose presence means the text price is not (only) per token: the entry is skipped.
_UNMAPPABLE = {
    "input_cost_per_character": "priced per character",
    "output_cost_per_character": "priced per character",
    "input_cost_per_second": "priced per second",
    "output_cost_per_second": "priced per second",
    "cost_per_second": "priced per second",
    "input_cost_per_request": "charges a fee per request",
    "input_dbu_cost_per_token": "priced in Databricks DBUs",
    "output_dbu_cost_per_token": "priced in Databricks DBUs",
    "tiered_pricing": "priced by token ranges (tiered_pricing)",
}

# Tokenizer families, first match wins: (pattern on the lower-cased name, profile).
_FAMILIES = (
    (
        r"gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-6|gpt-oss|gpt-audio|gpt-realtime|gpt-chat"
        r"|chatgpt-4o|codex-mini|(?:^|/)o[1-9](?:-|$)",
        "o200k_base",
    ),
    (r"gpt-4|gpt-3\.5|gpt-35", "cl100k_base"),
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
#: The estimate profile for families llmcost has none for (most are large-vocabulary BPEs).
FALLBACK_PROFILE = "llama"


class _Skip(Exception):
    """An entry that cannot be mapped faithfully; the message is the reason."""


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


def _per_mtok(key: str, raw: object) -> Decimal:
    """A litellm per-token price as an exact Decimal per million tokens."""
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
        msg = f"{key} is not a number ({raw!r})"
        raise _Skip(msg)
    value = Decimal(raw)
    if not value.is_finite() or value < 0:
        msg = f"{key} is negative or not finite ({raw})"
        raise _Skip(msg)
    per_mtok = value.scaleb(6)
    exponent = per_mtok.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > RATE_SCALE:
        msg = (
            f"{key} {raw} has more than {RATE_SCALE} decimals per million tokens (a float artifact)"
        )
        raise _Skip(msg)
    if per_mtok >= RATE_LIMIT:
        msg = f"{key} {raw} is implausible (${per_mtok:f} per million tokens)"
        raise _Skip(msg)
    return per_mtok


def _count(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal) and raw.is_finite() and raw == raw.to_integral_value():
        raw = int(raw)
    return raw if isinstance(raw, int) and raw >= 0 else None


def _rates(entry: Mapping[str, Any], keys: Mapping[str, str]) -> dict[str, Any]:
    return {field: _per_mtok(key, entry[key]) for key, field in keys.items() if key in entry}


def _check_entry(entry: Mapping[str, Any]) -> None:
    mode = entry.get("mode")
    if mode not in KEPT_MODES:
        what = "no mode" if mode is None else f"mode {mode!r}"
        msg = f"{what} (only chat, completion and responses models are priced per token)"
        raise _Skip(msg)
    for key, reason in _UNMAPPABLE.items():
        if key in entry:
            raise _Skip(reason)
    thresholds = sorted({m for k in entry for m in _THRESHOLD.findall(k)} - {"200k"})
    if thresholds:
        msg = (
            f"long-context prices above {', '.join(thresholds)} tokens "
            "(only the 200k threshold is mapped)"
        )
        raise _Skip(msg)
    for key in ("input_cost_per_token", "output_cost_per_token"):
        if entry.get(key) is None:
            msg = f"no {key}"
            raise _Skip(msg)
    reasoning = entry.get("output_cost_per_reasoning_token")
    if reasoning is not None and reasoning != entry["output_cost_per_token"]:
        msg = "reasoning tokens are priced apart from output tokens"
        raise _Skip(msg)


def _batch_ok(entry: Mapping[str, Any], rates: dict[str, Any], tier: dict[str, Any]) -> str:
    """Why litellm's batch prices do not fit llmcost's batch rule, or "" when they do."""
    bi, bo = rates.get("batch_input_per_mtok"), rates.get("batch_output_per_mtok")
    if bi is None and bo is None:
        return ""
    if bi is None or bo is None:
        return "litellm gives only one of the batch input and output prices"
    factors = {}
    for side, batch, full in (
        ("input", bi, rates["input_per_mtok"]),
        ("output", bo, rates["output_per_mtok"]),
    ):
        try:
            factor = batch_factor(batch, full)
        except ArithmeticError:
            return f"the batch {side} discount ({batch} / {full}) is not an exact decimal"
        exponent = factor.normalize().as_tuple().exponent
        assert isinstance(exponent, int)
        if factor >= FACTOR_LIMIT or -exponent > FACTOR_SCALE:
            return f"the batch {side} discount {factor} has more than {FACTOR_SCALE} decimals"
        factors[side] = factor
    # litellm's own batch prices for cache and tier rates must follow the same discount.
    for key, field in {**_RATES, **_TIER_RATES}.items():
        explicit = entry.get(f"{key}_batches")
        base = tier.get(field) if key in _TIER_RATES else rates.get(field)
        if explicit is None or base is None or key.endswith("cost_per_token"):
            continue
        side = "output" if key.startswith("output") else "input"
        expected = base * factors[side]
        if _per_mtok(f"{key}_batches", explicit) != expected:
            return (
                f"litellm's {key}_batches is not the batch discount applied to {key} "
                "(llmcost applies one discount to every input-side rate)"
            )
    return ""


def _entry_price(name: str, entry: Mapping[str, Any]) -> ModelPrice:
    _check_entry(entry)
    provider = entry.get("litellm_provider")
    if not isinstance(provider, str) or not provider.strip():
        msg = "no litellm_provider"
        raise _Skip(msg)
    provider = provider.strip().lower()
    rates = _rates(entry, _RATES)
    tier_rates = _rates(entry, _TIER_RATES)
    notes = ["From litellm's price list."]
    for field in ("input_per_mtok", "output_per_mtok"):
        if rates[field] == 0:
            msg = f"{field[:-9]} price 0 (llmcost never prices at $0 without a curated note)"
            raise _Skip(msg)
    why = _batch_ok(entry, rates, tier_rates)
    if why:
        rates.pop("batch_input_per_mtok", None)
        rates.pop("batch_output_per_mtok", None)
        notes.append(f"Batch prices left out: {why}.")
    dropped = sorted(f for f, v in {**rates, **tier_rates}.items() if v == 0)
    for field in dropped:
        rates.pop(field, None)
        tier_rates.pop(field, None)
    if dropped:
        notes.append(f"Rates of 0 left out (llmcost never prices at $0): {', '.join(dropped)}.")
    tiers = []
    if tier_rates:
        missing = [f for f in ("input_per_mtok", "output_per_mtok") if f not in tier_rates]
        if missing:
            msg = f"its prices above 200k tokens lack {' and '.join(missing)}"
            raise _Skip(msg)
        tiers.append(PriceTier(above_input_tokens=_TIER_ABOVE, **tier_rates))
        absent = [
            f
            for f in ("cache_read_per_mtok", "cache_write_per_mtok", "cache_write_1h_per_mtok")
            if f in rates and f not in tier_rates
        ]
        if absent:
            notes.append(
                f"No {', '.join(absent)} above 200k input tokens in litellm: such requests with "
                "cache tokens raise MissingRateError."
            )
    tokenizer, tokenizer_note = tokenizer_for(name, provider)
    if tokenizer_note:
        notes.append(tokenizer_note)
    source = entry.get("source")
    return ModelPrice(
        model=name,
        provider=provider,
        tokenizer=tokenizer,
        context_window=_count(entry.get("max_input_tokens")),
        max_output_tokens=_count(entry.get("max_output_tokens")),
        source_url=source if isinstance(source, str) and source.startswith("https://") else "",
        note=" ".join(notes),
        tiers=tiers,
        **rates,
    )


def from_litellm(path: str | os.PathLike[str], *, skipped: list[str] | None = None) -> Registry:
    """A registry of the chat models in litellm's ``model_prices_and_context_window.json``.

    Ids are litellm's keys, lower-cased (``alias_of`` entries become aliases). Mapped:
    input, output, cache-read, cache-write (5-minute and 1-hour) and batch prices, the
    long-context prices above 200k input tokens, ``max_input_tokens`` (the context window),
    ``max_output_tokens`` and ``litellm_provider``. Each entry's ``note`` says where it came
    from and what was left out. An entry that cannot be mapped faithfully (not a chat model,
    priced per character, per second or by another threshold, no input or output price, odd
    values, a name that collides) is left out and reported into *skipped* as
    ``"name: reason"``. ``Registry.default().merged(from_litellm(path))`` keeps llmcost's
    curated prices first and adds litellm's long tail.

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
    ["tts-5.9: mode 'audio_speech' (only chat, completion and responses models are priced ...)"]
    """
    file = os.fspath(path)
    try:
        with open(file, encoding="utf-8") as f:
            doc = json.load(f, parse_float=Decimal)
    except OSError as e:
        msg = f"{file}: cannot read litellm's price file: {e.strerror or e}"
        raise PriceDataError(msg) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        msg = f"{file}: not a JSON file: {e}"
        raise PriceDataError(msg) from None
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
        except _Skip as e:
            report.append(f"{key}: {e}")
        except (PriceDataError, InvalidTypeError) as e:
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
