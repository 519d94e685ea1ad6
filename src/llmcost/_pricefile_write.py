"""Writing price files: a model's history as a schema-2 entry, and whole files."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from ._money import plain
from ._prices import ModelPrice, PriceTier, PriceVariant, PriceWindow


def _iso(d: date) -> str:
    if isinstance(d, datetime):
        return d.strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(d.isoformat())


def _rates_of(level: Any) -> dict[str, str]:
    return {name: plain(value) for name, value in level.rates().items()}


def _tiers_out(tiers: Iterable[PriceTier]) -> list[dict[str, Any]]:
    return [{"above_input_tokens": t.above_input_tokens} | _rates_of(t) for t in tiers]


def price_file_entry(history: Iterable[ModelPrice]) -> dict[str, Any]:
    """One model's history as a schema-2 price-file entry (the inverse of the parser)."""
    periods = list(history)
    last = periods[-1]
    entry: dict[str, Any] = {"model": last.model, "provider": last.provider}
    if last.kind != "chat":
        entry["kind"] = last.kind
    if last.display_name:
        entry["display_name"] = last.display_name
    if last.aliases:
        entry["aliases"] = list(last.aliases)
    entry["tokenizer"] = last.tokenizer
    for key in ("context_window", "max_output_tokens"):
        if getattr(last, key) is not None:
            entry[key] = getattr(last, key)
    if last.source_url:
        entry["source_url"] = last.source_url
    if last.checked:
        entry["checked"] = last.checked.isoformat()
    if last.note:
        entry["note"] = last.note
    if last.retired_at is not None:
        entry["retired"] = _iso(last.retired_at)
    if last.successor:
        entry["successor"] = last.successor
    entry["prices"] = [_period_out(p) for p in periods]
    return entry


def _override_out(v: PriceVariant | PriceWindow) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if v.multiplier is not None:
        out["multiplier"] = plain(v.multiplier)
    out.update(_rates_of(v))
    if v.tiers:
        out["tiers"] = _tiers_out(v.tiers)
    return out


def _period_out(p: ModelPrice) -> dict[str, Any]:
    period: dict[str, Any] = {"from": None if p.valid_from is None else _iso(p.valid_from)}
    period.update(_rates_of(p))
    if p.tool_per_kcall:
        period["tool_per_kcall"] = {k: plain(v) for k, v in p.tool_per_kcall.items()}
    if p.request_per_kcall is not None:
        period["request_per_kcall"] = plain(p.request_per_kcall)
    if p.tiers:
        period["tiers"] = _tiers_out(p.tiers)
    if p.variants:
        period["variants"] = [
            {k: v for k, v in (("service_tier", x.service_tier), ("speed", x.speed)) if v}
            | _override_out(x)
            for x in p.variants
        ]
    if p.inference_geo:
        period["inference_geo"] = {k: plain(v) for k, v in p.inference_geo.items()}
    if p.windows:
        period["windows"] = []
        for w in p.windows:
            out: dict[str, Any] = {"timezone": w.timezone, "start": w.start, "end": w.end}
            if w.weekdays != (0, 1, 2, 3, 4, 5, 6):
                out["weekdays"] = list(w.weekdays)
            if w.except_dates:
                out["except_dates"] = [d.isoformat() for d in w.except_dates]
            period["windows"].append(out | _override_out(w))
    return period


def write_price_file(prices: Iterable[ModelPrice]) -> str:
    """The JSON text of a schema-2 price file holding *prices* (grouped by model)."""
    groups: dict[str, list[ModelPrice]] = {}
    for p in prices:
        groups.setdefault(p.model, []).append(p)
    doc = {"schema_version": 2, "models": [price_file_entry(groups[m]) for m in sorted(groups)]}
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
