"""Flat price and alias rows for warehouses (CSV, JSONL, SQL tables), and back into a Registry.

One price row per model, price period, request context (service tier, speed, inference
geo), time window (or the period's off-window base) and long-context level, holding the
fully resolved per-1M rates that `cost()` applies there (variant, window and regional
multipliers already applied, exactly). `llmcost.sql` selects one row per usage and
multiplies. Every rate fits the SQL types that `llmcost.sql` casts to, or `price_rows`
fails loudly rather than letting SQL round. The columns that say how a row was derived
(``variant_multiplier``, ``window_multiplier``, ``geo_multiplier``, the window's bounds)
let `registry_from_rows` rebuild the same Registry, and check every resolved rate.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any

from ._errors import LLMCostError, MissingRateError, PriceDataError, UnknownModelError
from ._money import CTX, plain
from ._prices import KNOWN_TOOLS, TOKEN_RATES, ModelPrice, PriceWindow
from ._rates import levels
from ._registry import Registry

Row = dict[str, Any]

#: The per-1M token rates of a row (every rate llmcost knows), in `TOKEN_RATES` order.
RATE_COLUMNS = TOKEN_RATES
#: USD per 1,000 uses of each server tool the usage readers report.
TOOL_COLUMNS = tuple(f"{t}_per_kcall" for t in KNOWN_TOOLS)
MULTIPLIER_COLUMNS = ("variant_multiplier", "window_multiplier", "geo_multiplier")
CONTEXT_COLUMNS = ("service_tier", "speed", "inference_geo")
WINDOW_COLUMNS = (
    "window_timezone",
    "window_weekdays",
    "window_start_minute",
    "window_end_minute",
    "window_except_dates",
)
LEVEL_COLUMNS = ("above_input_tokens", "up_to_input_tokens")

#: Column order of `price_rows` (a stable contract: CSV headers and SQL tables use it).
PRICE_COLUMNS = (
    "model",
    "provider",
    "kind",
    "valid_from",
    "valid_to",
    "retired_at",
    *CONTEXT_COLUMNS,
    *WINDOW_COLUMNS,
    *LEVEL_COLUMNS,
    "available",
    *RATE_COLUMNS,
    *TOOL_COLUMNS,
    "request_per_kcall",
    *MULTIPLIER_COLUMNS,
    "other_tools_per_kcall",
    "tokenizer",
    "display_name",
    "context_window",
    "max_output_tokens",
    "source_url",
    "checked",
    "note",
    "successor",
)
#: Column order of `alias_rows`.
ALIAS_COLUMNS = ("alias", "model", "kind")
INT_COLUMNS = (
    "window_start_minute",
    "window_end_minute",
    *LEVEL_COLUMNS,
    "context_window",
    "max_output_tokens",
)
INSTANT_COLUMNS = ("valid_from", "valid_to", "retired_at")
DECIMAL_COLUMNS = (*RATE_COLUMNS, *TOOL_COLUMNS, "request_per_kcall", *MULTIPLIER_COLUMNS)
BOOL_COLUMNS = ("available",)

# What the SQL types of `llmcost.sql` hold exactly: DECIMAL(18, 12), so below 10**6 (per
# million tokens, per thousand uses, or as a factor) with at most 12 decimal places.
RATE_SCALE = 12
RATE_LIMIT = Decimal(1_000_000)
_MILLION = Decimal(1_000_000)

# Vendor prefixes that logs commonly put before a first-party model id (litellm, OpenRouter):
# `alias_rows` lists these forms too, so a plain lower-cased join finds them.
_PREFIXES = {
    "openai": ("openai",),
    "anthropic": ("anthropic",),
    "google": ("gemini", "google", "vertex_ai"),
    "mistral": ("mistral",),
    "deepseek": ("deepseek",),
    "xai": ("xai",),
}


def _scale(d: Decimal) -> int:
    exponent = d.normalize(CTX).as_tuple().exponent
    assert isinstance(exponent, int)  # finite: the value classes refused the rest
    return max(0, -exponent)


def _fit(model: str, column: str, value: Decimal) -> str:
    """*value* as an exact decimal string, if the SQL type DECIMAL(18, 12) holds it."""
    if value >= RATE_LIMIT or _scale(value) > RATE_SCALE:
        msg = (
            f"model {model!r}: {column} = {plain(value)} does not fit the SQL rate type "
            f"DECIMAL(18, 12) (below {RATE_LIMIT:,} with at most {RATE_SCALE} decimals); "
            "SQL would round it, so it cannot be exported"
        )
        raise PriceDataError(msg)
    return plain(value)


def _instant(d: date | None) -> str | None:
    """A bound as a UTC instant: ``2026-07-24T16:00:00Z`` (a date is its 00:00 UTC)."""
    if d is None:
        return None
    if not isinstance(d, datetime):
        d = datetime(d.year, d.month, d.day, tzinfo=timezone.utc)
    text = d.astimezone(timezone.utc).replace(tzinfo=None).isoformat()
    return f"{text}Z"


def _window_cells(w: PriceWindow | None) -> Row:
    if w is None:
        return dict.fromkeys(WINDOW_COLUMNS)
    start, end = w.minutes()
    return {
        "window_timezone": w.timezone,
        "window_weekdays": ",".join(str(d) for d in w.weekdays),
        "window_start_minute": start,
        "window_end_minute": end,
        "window_except_dates": ",".join(d.isoformat() for d in w.except_dates) or None,
    }


def _contexts(p: ModelPrice) -> list[tuple[str | None, str | None, Decimal | None]]:
    """``(service_tier, speed, variant multiplier)``: standard first, then the variants."""
    out: list[tuple[str | None, str | None, Decimal | None]] = [(None, None, None)]
    out += [(v.service_tier, v.speed, v.multiplier) for v in p.variants]
    return out


def _period_rows(p: ModelPrice, last: ModelPrice, *, first: bool) -> Iterator[Row]:
    """The rows of one price period; *last* is the model's newest period (its metadata)."""
    common: Row = dict.fromkeys(PRICE_COLUMNS)
    common.update(
        model=p.model,
        provider=p.provider,
        kind=p.kind,
        # Registry.get applies a model's earliest prices to any earlier instant: so does SQL.
        valid_from=None if first else _instant(p.valid_from),
        valid_to=_instant(p.valid_to),
        retired_at=_instant(last.retired_at),
        tokenizer=p.tokenizer,
        display_name=p.display_name or None,
        context_window=p.context_window,
        max_output_tokens=p.max_output_tokens,
        source_url=p.source_url or None,
        checked=None if p.checked is None else p.checked.isoformat(),
        note=p.note or None,
        successor=last.successor,
    )
    tools = dict(p.tool_per_kcall)
    for tool, column in zip(KNOWN_TOOLS, TOOL_COLUMNS, strict=True):
        rate = tools.pop(tool, None)
        common[column] = None if rate is None else _fit(p.model, column, rate)
    if tools:
        common["other_tools_per_kcall"] = json.dumps({k: plain(v) for k, v in tools.items()})
    if p.request_per_kcall is not None:
        common["request_per_kcall"] = _fit(p.model, "request_per_kcall", p.request_per_kcall)
    geos: list[tuple[str | None, Decimal | None]] = [(None, None)]
    geos += list(p.inference_geo.items())
    for tier, speed, v_mult in _contexts(p):
        for geo, g_mult in geos:
            for window in (None, *p.windows):
                row = dict(common)
                row.update(service_tier=tier, speed=speed, inference_geo=geo)
                row.update(_window_cells(window))
                row["variant_multiplier"] = None if v_mult is None else plain(v_mult)
                row["window_multiplier"] = (
                    None
                    if window is None or window.multiplier is None
                    else plain(window.multiplier)
                )
                row["geo_multiplier"] = None if g_mult is None else plain(g_mult)
                try:
                    found = levels(p, (tier, speed, geo), window)
                except MissingRateError:
                    # cost() raises for this context inside this window (explicit window
                    # rates are given for the standard context only): SQL gives NULL.
                    row["available"] = False
                    yield row
                    continue
                for i, level in enumerate(found):
                    out = dict(row)
                    out["available"] = True
                    out["above_input_tokens"] = None if level.above < 0 else level.above
                    nxt = found[i + 1].above if i + 1 < len(found) else None
                    out["up_to_input_tokens"] = nxt
                    for column, rate in zip(RATE_COLUMNS, level.rates, strict=True):
                        if rate is not None:
                            out[column] = _fit(p.model, column, CTX.multiply(rate, _MILLION))
                    yield out


def model_rows(history: tuple[ModelPrice, ...]) -> list[Row]:
    """Every price row of one model (its *history*, oldest period first)."""
    return [
        row for i, p in enumerate(history) for row in _period_rows(p, history[-1], first=i == 0)
    ]


def price_rows(registry: Registry) -> list[Row]:
    """Flat price rows, columns in `PRICE_COLUMNS` order: what `llmcost.sql` prices with.

    One row per model, price period, request context (``service_tier``, ``speed``,
    ``inference_geo``: None is the standard one), time window (the ``window_*`` columns; all
    None for the period's rates outside every window) and long-context level (input tokens
    above ``above_input_tokens`` and up to ``up_to_input_tokens``; None: unbounded). The
    rate columns hold the exact per-1M rates `cost()` applies there, every multiplier
    applied; None: no such rate (SQL gives NULL where `cost()` raises). ``available`` is
    False on a row whose context has no rates inside that window (`cost()` raises there).
    Tool and request charges are USD per 1,000 uses. ``valid_from`` / ``valid_to``
    (exclusive) and ``retired_at`` are UTC instants (``2026-07-24T16:00:00Z``); a model's
    first period has ``valid_from = None``, because `Registry.get` applies it to every
    earlier instant. Values are strings, ints, bools or None (ready for CSV and JSON).

    Raises `PriceDataError` for a rate SQL could not hold exactly (DECIMAL(18, 12)).

    >>> from llmcost import Registry
    >>> row = next(r for r in price_rows(Registry.default()) if r["model"] == "gpt-4o")
    >>> row["input_per_mtok"], row["service_tier"], row["valid_from"], row["available"]
    ('2.5', None, None, True)
    """
    if not isinstance(registry, Registry):
        msg = f"price_rows needs a Registry, not {type(registry).__name__}"
        raise PriceDataError(msg)
    rows: list[Row] = []
    for model in registry:
        rows.extend(model_rows(registry.history(model)))
    return rows


def alias_rows(registry: Registry, *, names: Iterable[str] = ()) -> list[dict[str, str]]:
    """Rows mapping lower-cased names to canonical ids, columns in `ALIAS_COLUMNS` order.

    ``kind`` says where a row comes from: ``"id"`` (every canonical id, lower-cased),
    ``"alias"`` (the registry's aliases), ``"display"`` (display names),
    ``"prefixed"`` (a first-party id or alias behind its vendor's common prefix, such as
    ``openai/gpt-4o`` or ``gemini/gemini-2.5-pro``) and ``"name"`` (each of *names* that
    `Registry.resolve` maps to a model; unknown names are left out). A warehouse joins
    ``LOWER(TRIM(raw_name)) = alias``; SQL does no other normalisation, so pass the distinct
    raw names of your logs as *names* to cover the rest (other prefixes, dated snapshots,
    host-qualified names). Every row resolves to its model in *registry*. Sorted by alias;
    aliases are unique.

    >>> from llmcost import Registry
    >>> rows = alias_rows(Registry.default(), names=["OpenAI/GPT-4o-2099-01-01"])
    >>> ("openai/gpt-4o-2099-01-01", "gpt-4o", "name") in [tuple(r.values()) for r in rows]
    True
    """
    found: dict[str, dict[str, str]] = {}

    def add(alias: str, model: str, kind: str) -> None:
        key = alias.strip().lower()
        if key and key not in found and _resolves_to(registry, key) == model:
            found[key] = {"alias": key, "model": model, "kind": kind}

    for model in registry:
        history = registry.history(model)
        add(model, model, "id")
        for alias in sorted({a for p in history for a in p.aliases}):
            add(alias, model, "alias")
        for display in sorted({p.display_name for p in history if p.display_name}):
            add(display, model, "display")
    for model in registry:
        if "/" in model:
            continue
        history = registry.history(model)
        for prefix in _PREFIXES.get(history[-1].provider, ()):
            for name in (model, *sorted({a for p in history for a in p.aliases})):
                if "/" not in name:
                    add(f"{prefix}/{name}", model, "prefixed")
    for name in names:
        resolved = _resolves_to(registry, name)
        if resolved is not None:
            add(name, resolved, "name")
    return [found[k] for k in sorted(found)]


def _resolves_to(registry: Registry, name: str) -> str | None:
    try:
        return registry.resolve(name)
    except (UnknownModelError, LLMCostError):
        return None


# --- cells, read back --------------------------------------------------------------------------


def cell(where: str, row: Mapping[str, Any], column: str) -> Any:
    """The value of *column* in *row*, typed: CSV text and exported values give the same."""
    value = row.get(column)
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None  # a CSV empty cell
    if value is None:
        return None
    try:
        if column in DECIMAL_COLUMNS:
            if isinstance(value, float):
                raise PriceDataError("a float cannot hold a price exactly")
            d = Decimal(value) if isinstance(value, (int, str, Decimal)) else None
            if d is None or not d.is_finite() or d < 0 or d >= RATE_LIMIT:
                raise PriceDataError("not a non-negative decimal below 1,000,000")
            return d
        if column in INT_COLUMNS:
            if isinstance(value, str) and value.isdigit() and len(value) <= 16:
                return int(value)
            if type(value) is int and value >= 0:
                return value
            raise PriceDataError("not a non-negative integer")
        if column in BOOL_COLUMNS:
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "false"):
                return str(value).lower() == "true"
            raise PriceDataError("not true or false")
        if column in INSTANT_COLUMNS:
            return _read_instant(value)
        if column == "checked":
            return value if isinstance(value, date) else date.fromisoformat(str(value))
    except (PriceDataError, ValueError, ArithmeticError) as e:
        detail = str(e) if isinstance(e, PriceDataError) else "not valid"
        msg = f"{where}: {column} {value!r:.60}: {detail}"
        raise PriceDataError(msg) from None
    if not isinstance(value, str):
        msg = f"{where}: {column} must be text, not {type(value).__name__}"
        raise PriceDataError(msg)
    return value


def _read_instant(value: object) -> date:
    """An exported bound: 00:00 UTC comes back as a date (the same instant)."""
    if isinstance(value, datetime):
        instant = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    elif isinstance(value, date):
        return value
    else:
        text = str(value)
        if len(text) == 10:
            return date.fromisoformat(text)
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=timezone.utc)
    instant = instant.astimezone(timezone.utc)
    if instant.timetz() == time(0, tzinfo=timezone.utc):
        return instant.date()
    return instant


def __getattr__(name: str) -> Any:
    # registry_from_rows lives in _rows_read (which imports this module): a lazy name, so
    # ``from llmcost._rows import registry_from_rows`` works without an import cycle.
    if name == "registry_from_rows":
        from ._rows_read import registry_from_rows

        return registry_from_rows
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
