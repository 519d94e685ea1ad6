"""Reading the JSON price file (schema 2; schema 1 of llmcost 0.1 via `_pricefile_v1`).

Every error names the file, the entry and the field. Reads are bounded: a price file may be
at most `MAX_FILE_BYTES`, and nesting, numbers and strings are checked before use.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ._errors import FileAccessError, InvalidInputError, LLMCostError, PriceDataError
from ._paths import checked_path
from ._prices import (
    TOKEN_RATES,
    ModelPrice,
    PriceTier,
    PriceVariant,
    PriceWindow,
    to_decimal,
    with_periods,
)

MAX_FILE_BYTES = 64 * 1024 * 1024
_ENTRY_KEYS = frozenset(
    {
        "model", "provider", "kind", "display_name", "aliases", "tokenizer", "context_window",
        "max_output_tokens", "source_url", "checked", "note", "retired", "successor", "prices",
    }
)  # fmt: skip
_RATE_KEYS = frozenset(TOKEN_RATES)
_PERIOD_KEYS = _RATE_KEYS | {
    "from", "tiers", "variants", "windows", "inference_geo", "tool_per_kcall", "request_per_kcall",
}  # fmt: skip
_TIER_KEYS = _RATE_KEYS | {"above_input_tokens"}
_VARIANT_KEYS = _RATE_KEYS | {"service_tier", "speed", "multiplier", "tiers"}
_WINDOW_KEYS = _RATE_KEYS | {
    "timezone", "start", "end", "weekdays", "except_dates", "multiplier", "tiers",
}  # fmt: skip


class _Located(PriceDataError):
    """A PriceDataError whose message already names the file, the entry and the field."""


class _UnreadablePriceFile(FileAccessError, PriceDataError):
    """A price file that cannot be opened: an `OSError`, and a `PriceDataError` as in 0.1."""


class _Where:
    """Builds PriceDataError messages that name the file, the entry and the field."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.entry = ""

    def error(self, field: str, problem: str) -> PriceDataError:
        where = self.file
        if self.entry:
            where += f": entry {self.entry}"
        if field:
            where += f": field {field!r}"
        return _Located(f"{where}: {problem}")


def read_text(path: str | os.PathLike[str], what: str = "price file") -> tuple[str, str]:
    """``(name, text)`` of a UTF-8 file of at most `MAX_FILE_BYTES`, with clear errors."""
    if not isinstance(path, (str, os.PathLike)):
        msg = f"{what} path must be a str or os.PathLike, not {type(path).__name__}"
        raise InvalidInputError(msg)
    name = checked_path(path, f"{what} path")
    shown = ascii(name)[1:-1]
    try:
        with open(name, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        msg = f"{shown}: cannot read the {what}: {e.strerror or e}"
        error = _UnreadablePriceFile if what == "price file" else FileAccessError
        raise error(e.errno, msg) from None
    if len(data) > MAX_FILE_BYTES:
        msg = (
            f"{shown}: the {what} is larger than {MAX_FILE_BYTES // 2**20} MiB; llmcost refuses it"
        )
        raise PriceDataError(msg)
    try:
        return name, data.decode("utf-8")
    except UnicodeDecodeError as e:
        msg = f"{shown}: the {what} is not UTF-8 text (byte {e.start}: {e.reason})"
        raise PriceDataError(msg) from None


def _parse_int(text: str) -> int:
    if len(text) > 30:
        msg = f"integer {text[:20]}... is too long"
        raise ValueError(msg)
    return int(text)


def _parse_float(text: str) -> Decimal:
    if len(text) > 60:
        msg = f"number {text[:20]}... is too long"
        raise ValueError(msg)
    return Decimal(text)


def load_json(text: str, file: str) -> Any:
    """Parse JSON with exact numbers and bounded integers; errors name *file*."""
    try:
        return json.loads(text, parse_float=_parse_float, parse_int=_parse_int)
    except json.JSONDecodeError as e:
        msg = f"{file}: not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
        raise PriceDataError(msg) from None
    except (ValueError, RecursionError, InvalidOperation) as e:
        msg = f"{file}: not a price file: {type(e).__name__}: {e}"
        raise PriceDataError(msg) from None


def price_file_entries(text: str, file: str = "<prices>") -> tuple[int, list[dict[str, Any]]]:
    """``(schema version, entries)`` of a price file: its shape and unique ids checked, each
    entry left to `parse_entry` (the registry parses the shipped file's entries on first use)."""
    where = _Where(file)
    doc = load_json(text, file)
    if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
        raise where.error("models", "the file must be an object with a list under 'models'")
    version = doc.get("schema_version", 1)
    if version not in (1, 2) or isinstance(version, bool):
        raise where.error("schema_version", f"unsupported schema version {version!r} (1 or 2)")
    seen: set[str] = set()
    for i, entry in enumerate(doc["models"]):
        where.entry = f"#{i}"
        if not isinstance(entry, dict):
            raise where.error("", "each entry must be an object")
        model = _str(where, "model", entry.get("model"))
        if model.strip().lower() in seen:
            where.entry = f"#{i} ({model!r})"
            raise where.error("model", "duplicate model id")
        seen.add(model.strip().lower())
    return version, doc["models"]


def parse_entry(entry: dict[str, Any], version: int, file: str, i: int) -> list[ModelPrice]:
    """The price periods of entry *i* of a price file; errors name the file, entry and field."""
    where = _Where(file)
    model = str(entry["model"])
    where.entry = f"#{i} ({model!r})"
    try:
        return _parse_entry(where, entry, model, version)
    except _Located:
        raise
    except LLMCostError as e:  # a value class refused a value: say where
        raise where.error("", str(e)) from None


def parse_price_file(text: str, file: str = "<prices>") -> list[ModelPrice]:
    """Parse and validate a JSON price file (schema 1 or 2); errors name file, entry, field."""
    version, entries = price_file_entries(text, file)
    out: list[ModelPrice] = []
    for i, entry in enumerate(entries):
        out.extend(parse_entry(entry, version, file, i))
    return out


def _str(where: _Where, field: str, raw: object, *, required: bool = True) -> str:
    if raw is None and not required:
        return ""
    if not isinstance(raw, str) or (required and not raw.strip()):
        raise where.error(field, f"expected a non-empty string, got {raw!r:.80}")
    return raw


def _rate(where: _Where, field: str, raw: object) -> Decimal:
    if not isinstance(raw, str):
        kind = "a number" if isinstance(raw, (int, Decimal)) else type(raw).__name__
        raise where.error(field, f'expected a decimal string such as "2.5", got {kind} {raw!r:.40}')
    try:
        return to_decimal(raw, "price")
    except LLMCostError as e:
        raise where.error(field, str(e)) from None


def _date(where: _Where, field: str, raw: object) -> date:
    if not isinstance(raw, str) or len(raw) > 40:
        raise where.error(field, f"expected an ISO date string, got {raw!r:.40}")
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw)
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise where.error(field, f"{raw!r} is not an ISO date or UTC date-time") from None


def _int_or_none(where: _Where, field: str, raw: object) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 10**15:
        raise where.error(field, f"expected a non-negative integer, got {raw!r:.40}")
    return raw


def _keys(where: _Where, field: str, obj: object, allowed: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(obj, dict):
        raise where.error(field, "expected an object")
    extra = sorted(set(obj) - allowed)
    if extra:
        name = f"{field}.{extra[0]}" if field else extra[0]
        raise where.error(name, f"unknown field (allowed: {', '.join(sorted(allowed))})")
    return obj


def _rates(where: _Where, field: str, obj: Mapping[str, Any]) -> dict[str, Decimal]:
    return {
        name: _rate(where, f"{field}.{name}" if field else name, obj[name])
        for name in TOKEN_RATES
        if obj.get(name) is not None
    }


def _list(where: _Where, field: str, raw: object) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise where.error(field, "expected a list")
    return raw


def _tiers(where: _Where, field: str, raw: object) -> list[PriceTier]:
    tiers = []
    for k, tier in enumerate(_list(where, field, raw)):
        at = f"{field}[{k}]"
        obj = _keys(where, at, tier, _TIER_KEYS)
        above = _int_or_none(where, f"{at}.above_input_tokens", obj.get("above_input_tokens"))
        if above is None:
            raise where.error(f"{at}.above_input_tokens", "missing")
        rates = _rates(where, at, obj)
        if "input_per_mtok" not in rates:
            raise where.error(f"{at}.input_per_mtok", "missing (a required price)")
        tiers.append(PriceTier(above_input_tokens=above, **rates))
    return tiers


def _multiplier(where: _Where, field: str, raw: object) -> Decimal | None:
    return None if raw is None else _rate(where, field, raw)


def _rate_map(where: _Where, field: str, raw: object) -> dict[str, Decimal]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise where.error(field, "expected an object of names to decimal strings")
    return {str(k): _rate(where, f"{field}.{k}", v) for k, v in raw.items()}


def _period(where: _Where, j: int, raw: object) -> dict[str, Any]:
    at = f"prices[{j}]"
    obj = _keys(where, at, raw, _PERIOD_KEYS)
    rates = _rates(where, at, obj)
    if "input_per_mtok" not in rates:
        raise where.error(f"{at}.input_per_mtok", "missing (a required price)")
    start = obj.get("from")
    variants = []
    for k, v in enumerate(_list(where, f"{at}.variants", obj.get("variants"))):
        vat = f"{at}.variants[{k}]"
        vobj = _keys(where, vat, v, _VARIANT_KEYS)
        variants.append(
            PriceVariant(
                service_tier=vobj.get("service_tier"),
                speed=vobj.get("speed"),
                multiplier=_multiplier(where, f"{vat}.multiplier", vobj.get("multiplier")),
                tiers=_tiers(where, f"{vat}.tiers", vobj.get("tiers")),
                **_rates(where, vat, vobj),
            )
        )
    windows = []
    for k, w in enumerate(_list(where, f"{at}.windows", obj.get("windows"))):
        wat = f"{at}.windows[{k}]"
        wobj = _keys(where, wat, w, _WINDOW_KEYS)
        extra: dict[str, Any] = _rates(where, wat, wobj)
        if "weekdays" in wobj:
            extra["weekdays"] = _list(where, f"{wat}.weekdays", wobj["weekdays"])
        if "except_dates" in wobj:
            extra["except_dates"] = _list(where, f"{wat}.except_dates", wobj["except_dates"])
        windows.append(
            PriceWindow(
                timezone=_str(where, f"{wat}.timezone", wobj.get("timezone")),
                start=wobj.get("start"),
                end=wobj.get("end"),
                multiplier=_multiplier(where, f"{wat}.multiplier", wobj.get("multiplier")),
                tiers=_tiers(where, f"{wat}.tiers", wobj.get("tiers")),
                **extra,
            )
        )
    request = obj.get("request_per_kcall")
    return {
        **rates,
        "valid_from": None if start is None else _date(where, f"{at}.from", start),
        "tiers": _tiers(where, f"{at}.tiers", obj.get("tiers")),
        "variants": variants,
        "windows": windows,
        "inference_geo": _rate_map(where, f"{at}.inference_geo", obj.get("inference_geo")),
        "tool_per_kcall": _rate_map(where, f"{at}.tool_per_kcall", obj.get("tool_per_kcall")),
        "request_per_kcall": None
        if request is None
        else _rate(where, f"{at}.request_per_kcall", request),
    }


def _parse_entry(
    where: _Where, entry: dict[str, Any], model: str, version: int
) -> list[ModelPrice]:
    _keys(where, "", entry, _ENTRY_KEYS)
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise where.error("aliases", "expected a list of non-empty strings")
    if len({a.strip().lower() for a in aliases} | {model.strip().lower()}) != len(aliases) + 1:
        raise where.error("aliases", "an alias repeats another alias or the model id")
    source_url = _str(where, "source_url", entry.get("source_url"), required=False)
    if source_url and not source_url.startswith("https://"):
        raise where.error("source_url", f"{source_url!r} is not an https URL")
    checked = entry.get("checked")
    retired = entry.get("retired")
    successor = entry.get("successor")
    common: dict[str, Any] = {
        "model": model,
        "provider": _str(where, "provider", entry.get("provider")).lower(),
        "tokenizer": _str(where, "tokenizer", entry.get("tokenizer")),
        "kind": _str(where, "kind", entry.get("kind", "chat")),
        "display_name": _str(where, "display_name", entry.get("display_name"), required=False),
        "aliases": tuple(aliases),
        "context_window": _int_or_none(where, "context_window", entry.get("context_window")),
        "max_output_tokens": _int_or_none(
            where, "max_output_tokens", entry.get("max_output_tokens")
        ),
        "source_url": source_url,
        "checked": None if checked is None else _date(where, "checked", checked),
        "note": _str(where, "note", entry.get("note"), required=False),
        "retired": None if retired is None else _date(where, "retired", retired),
        "successor": None if successor is None else _str(where, "successor", successor),
    }
    periods = entry.get("prices")
    if not isinstance(periods, list) or not periods:
        raise where.error("prices", "expected a non-empty list of price periods")
    out = []
    for j, period in enumerate(periods):
        if version == 2:
            fields = _period(where, j, period)
        else:  # a file written for llmcost 0.1 (imported only for one)
            from ._pricefile_v1 import v1_period

            fields = v1_period(where, j, period)
        price = ModelPrice(**common, **fields)
        zero = _zero_rate(price)
        if zero and not common["note"]:
            raise where.error(
                f"prices[{j}].{zero}",
                "a price of exactly 0 needs a note saying the vendor really charges nothing",
            )
        out.append(price)
    try:
        with_periods(out)
    except PriceDataError as e:
        raise where.error("prices", str(e)) from None
    return out


def _zero_rate(p: ModelPrice) -> str:
    """The name of a rate of *p* that is exactly 0 (those need a note), or ''."""
    levels: list[Any] = [p, *p.tiers, *p.variants, *p.windows]
    for v in (*p.variants, *p.windows):
        levels.extend(v.tiers)
    for level in levels:
        rates: dict[str, Decimal] = level.rates()
        for name, rate in rates.items():
            if rate == 0:
                return name
    for name, rate in p.tool_per_kcall.items():
        if rate == 0:
            return f"tool_per_kcall.{name}"
    if p.request_per_kcall == 0:
        return "request_per_kcall"
    return ""

