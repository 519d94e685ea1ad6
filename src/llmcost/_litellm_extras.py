"""Parts of litellm's entries beyond the per-token rates: web search, regions, off-peak
windows and deprecation dates (see `llmcost._litellm` for the mapping)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ._money import CTX, plain
from ._prices import PriceWindow
from ._rows import RATE_SCALE


class Skip(Exception):
    """An entry that cannot be mapped faithfully; the message is the reason."""


BASE = {
    "input_cost_per_token": "input_per_mtok",
    "output_cost_per_token": "output_per_mtok",
    "cache_read_input_token_cost": "cache_read_per_mtok",
    "cache_creation_input_token_cost": "cache_write",  # the TTL depends on the family
    "cache_creation_input_token_cost_above_1hr": "cache_write_1h_per_mtok",
    "cache_creation_input_token_cost_above_12hr": "cache_write_12h_per_mtok",
    "input_cost_per_audio_token": "audio_input_per_mtok",
    "input_cost_per_image_token": "image_input_per_mtok",
    "input_cost_per_video_token": "video_input_per_mtok",
    "cache_read_input_audio_token_cost": "cache_read_audio_per_mtok",
    "cache_read_input_image_token_cost": "cache_read_image_per_mtok",
    "output_cost_per_audio_token": "audio_output_per_mtok",
    "output_cost_per_image_token": "image_output_per_mtok",
}
#: The largest per-1M price taken as real ($10,000); above it a litellm value is a typo.
PLAUSIBLE = Decimal(10_000)


def _scale(d: Decimal) -> int:
    exponent = d.normalize(CTX).as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def amount(key: str, raw: object, scale: int) -> Decimal:
    """A litellm price as an exact Decimal times 10**scale (6: per million tokens)."""
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
        msg = f"{key} is not a number ({raw!r:.40})"
        raise Skip(msg)
    value = Decimal(raw)  # exact: an int or the Decimal parsed from the JSON text
    if not value.is_finite() or value < 0:
        msg = f"{key} is negative or not finite ({raw})"
        raise Skip(msg)
    if value and not -40 <= value.adjusted() <= 3:
        msg = f"{key} {raw} is not a price llmcost can hold exactly"
        raise Skip(msg)
    scaled = CTX.scaleb(value, scale)
    if _scale(scaled) > RATE_SCALE:
        unit = "per million tokens" if scale == 6 else "per thousand uses"
        msg = f"{key} {raw} has more than {RATE_SCALE} decimals {unit} (a float artifact)"
        raise Skip(msg)
    if scale == 6 and scaled >= PLAUSIBLE:
        msg = f"{key} {raw} is implausible (${plain(scaled)} per million tokens)"
        raise Skip(msg)
    return Decimal(plain(scaled))  # 30, not 3E+1


def _web_search(entry: Mapping[str, Any], notes: list[str]) -> dict[str, Decimal]:
    raw = entry.get("search_context_cost_per_query")
    if raw is None:
        return {}
    why = ""
    prices = set(raw.values()) if isinstance(raw, dict) else set()
    if not prices:
        why = "litellm's search_context_cost_per_query is not a mapping of sizes to prices"
    elif len(prices) > 1:
        why = "litellm prices it by search context size (low, medium, high), which no usage reports"
    elif entry.get("search_free_requests"):
        why = "litellm lists a free allowance of searches, which a per-call price cannot hold"
    if why:
        notes.append(f"Web search left out: {why}.")
        return {}
    per_kcall = amount("search_context_cost_per_query", prices.pop(), 3)
    if per_kcall == 0:
        notes.append("Web search left out: litellm's price is 0.")
        return {}
    return {"web_search": per_kcall}


def _geos(entry: Mapping[str, Any], notes: list[str]) -> dict[str, Decimal]:
    geos = {}
    for region in ("eu", "us"):
        raw = entry.get(f"regional_processing_uplift_multiplier_{region}")
        if raw is not None:
            geos[region] = amount(f"regional_processing_uplift_multiplier_{region}", raw, 0)
    specific = entry.get("provider_specific_entry")
    if isinstance(specific, dict):
        us = specific.get("us")
        if isinstance(us, (int, Decimal)) and not isinstance(us, bool):
            geos.setdefault("us", amount("provider_specific_entry.us", us, 0))
        if "fast" in specific:
            notes.append(
                "litellm's fast-mode factor is left out (litellm does not say which rates it "
                "multiplies): speed='fast' raises MissingRateError."
            )
    if entry.get("regional_endpoint_uplift_multiplier") is not None:
        notes.append("litellm's regional-endpoint uplift is left out (it names no region).")
    return {g: f for g, f in geos.items() if f != 1}


def _hours(text: object) -> tuple[str, str]:
    if not isinstance(text, str) or not re.fullmatch(r"\d\d:\d\d-\d\d:\d\d", text):
        msg = f"off_peak_pricing hours {text!r:.40} are not 'HH:MM-HH:MM'"
        raise Skip(msg)
    start, end = text.split("-")
    return start, "24:00" if end == "00:00" else end


def _windows(entry: Mapping[str, Any]) -> list[PriceWindow]:
    raw = entry.get("off_peak_pricing")
    if raw is None:
        return []
    if not isinstance(raw, dict) or not isinstance(raw.get("windows"), list):
        msg = "off_peak_pricing is not an object with a list of windows"
        raise Skip(msg)
    zone = raw.get("weekday_timezone", "UTC")
    if zone != "UTC":
        msg = f"off-peak hours in UTC but weekdays in {zone!r:.40} (one time zone is needed)"
        raise Skip(msg)
    rates: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("windows", "weekday_timezone"):
            continue
        field = BASE.get(key)
        if field is None or field == "cache_write":
            msg = f"off_peak_pricing key {key!r:.40} is not one llmcost maps"
            raise Skip(msg)
        rate = amount(f"off_peak_pricing.{key}", value, 6)
        if rate:
            rates[field] = rate
    out = []
    for w in raw["windows"]:
        days = w.get("weekdays") if isinstance(w, dict) else None
        if not isinstance(days, list) or not all(type(d) is int and 1 <= d <= 7 for d in days):
            msg = "off_peak_pricing weekdays are not ISO weekdays 1 to 7"
            raise Skip(msg)
        hours = w.get("hours_utc")
        for text in hours if isinstance(hours, list) else [hours]:
            start, end = _hours(text)
            out.append(
                PriceWindow(
                    timezone="UTC", weekdays=[d - 1 for d in days], start=start, end=end, **rates
                )
            )
    return out


def _deprecation(entry: Mapping[str, Any]) -> str:
    """litellm's deprecation date, said in the note and not mapped to ``retired``.

    litellm gives a bare date, set when a vendor announces a deprecation, often in the
    future and revised when the vendor extends it; llmcost's ``retired`` makes `cost()`
    raise after it. Taken from a file nobody re-checked, a passing date would flip pricing
    from working to raising for a model the vendor may still serve, so it stays a note.
    """
    date = entry.get("deprecation_date")
    if not isinstance(date, str) or not date.strip():
        return ""
    successor = entry.get("successor_model")
    then = f", successor {successor!r:.60}" if isinstance(successor, str) else ""
    return (
        f"litellm lists a deprecation date of {date[:20]}{then}; llmcost does not treat it as "
        "a retirement (litellm's dates are announcements, not checked shutdown instants)."
    )
