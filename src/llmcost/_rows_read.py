"""`registry_from_rows`: the price and alias rows of `llmcost._rows`, back into a Registry.

Each period is rebuilt from the rows that define it (the standard rows, each variant's and
each window's rows outside any region, the regional multipliers); then every row the
rebuilt period would export is compared with the rows given, so a resolved rate that
disagrees with its period is an error naming the row and the column, never kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from ._errors import LLMCostError, PriceDataError
from ._prices import KNOWN_TOOLS, ModelPrice, PriceTier, PriceVariant, PriceWindow
from ._registry import Registry
from ._rows import (
    CONTEXT_COLUMNS,
    PRICE_COLUMNS,
    RATE_COLUMNS,
    TOOL_COLUMNS,
    WINDOW_COLUMNS,
    cell,
    model_rows,
)

Typed = dict[str, Any]
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def _typed(where: str, row: Mapping[str, Any]) -> Typed:
    if not isinstance(row, Mapping):
        msg = f"{where}: a price row must be a mapping of columns to values"
        raise PriceDataError(msg)
    return {c: cell(where, row, c) for c in PRICE_COLUMNS}


def _key(r: Typed) -> tuple[Any, ...]:
    return tuple(r[c] for c in (*CONTEXT_COLUMNS, *WINDOW_COLUMNS, "above_input_tokens"))


def _start(bound: date | None) -> datetime:
    if bound is None:
        return _EARLIEST
    if isinstance(bound, datetime):
        return bound
    return datetime(bound.year, bound.month, bound.day, tzinfo=timezone.utc)


def _above(r: Typed) -> int:
    above = r["above_input_tokens"]
    return -1 if above is None else int(above)


def _levels(where: str, rows: list[Typed]) -> tuple[dict[str, Decimal], list[PriceTier]]:
    """The base rates and the listed tiers of one set of level rows."""
    base: dict[str, Decimal] | None = None
    tiers = []
    for r in sorted(rows, key=_above):
        rates = {c: r[c] for c in RATE_COLUMNS if r[c] is not None}
        if r["above_input_tokens"] is None:
            base = rates
        elif rates:  # a level without any rate is a base threshold the override omits
            tiers.append(PriceTier(above_input_tokens=r["above_input_tokens"], **rates))
    if base is None:
        msg = f"{where}: no row for the rates below every long-context threshold"
        raise PriceDataError(msg)
    return base, tiers


def _window(r: Typed, rows: list[Typed], where: str) -> PriceWindow:
    extra: dict[str, Any] = {}
    if r["window_multiplier"] is not None:
        extra["multiplier"] = r["window_multiplier"]
    else:
        base, tiers = _levels(where, rows)
        extra.update(base, tiers=tiers)
    weekdays = r["window_weekdays"] or ""
    dates = r["window_except_dates"] or ""
    start, end = r["window_start_minute"], r["window_end_minute"]
    if start is None or end is None:
        msg = f"{where}: a window row needs window_start_minute and window_end_minute"
        raise PriceDataError(msg)
    try:
        days = [int(d) for d in weekdays.split(",")] if weekdays else []
        except_dates = [date.fromisoformat(d) for d in dates.split(",")] if dates else []
    except ValueError:
        msg = f"{where}: window_weekdays {weekdays!r} or window_except_dates {dates!r} is not valid"
        raise PriceDataError(msg) from None
    return PriceWindow(
        timezone=r["window_timezone"],
        start=f"{start // 60:02d}:{start % 60:02d}",
        end=f"{end // 60:02d}:{end % 60:02d}",
        weekdays=days,
        except_dates=except_dates,
        **extra,
    )


def _period(where: str, rows: list[Typed]) -> dict[str, Any]:
    """The ModelPrice fields of one period, from its rows (in the order they were exported)."""
    first = rows[0]
    standard = [r for r in rows if all(r[c] is None for c in (*CONTEXT_COLUMNS, *WINDOW_COLUMNS))]
    base, tiers = _levels(where, standard)
    variants = []
    seen: list[tuple[Any, Any]] = []
    for r in rows:
        key = (r["service_tier"], r["speed"])
        if key == (None, None) or key in seen:
            continue
        seen.append(key)
        own = [
            x
            for x in rows
            if (x["service_tier"], x["speed"]) == key
            and x["inference_geo"] is None
            and x["window_timezone"] is None
        ]
        if r["variant_multiplier"] is not None:
            variants.append(
                PriceVariant(service_tier=key[0], speed=key[1], multiplier=r["variant_multiplier"])
            )
        else:
            v_base, v_tiers = _levels(f"{where}: variant {key}", own)
            variants.append(
                PriceVariant(service_tier=key[0], speed=key[1], tiers=v_tiers, **v_base)
            )
    windows = []
    seen_w: list[tuple[Any, ...]] = []
    for r in rows:
        wkey = tuple(r[c] for c in WINDOW_COLUMNS)
        if r["window_timezone"] is None or wkey in seen_w:
            continue
        seen_w.append(wkey)
        own = [
            x
            for x in rows
            if tuple(x[c] for c in WINDOW_COLUMNS) == wkey
            and all(x[c] is None for c in CONTEXT_COLUMNS)
        ]
        windows.append(_window(r, own, f"{where}: window {wkey}"))
    geos: dict[str, Decimal] = {}
    for r in rows:
        if r["inference_geo"] is not None and r["geo_multiplier"] is not None:
            geos.setdefault(r["inference_geo"], r["geo_multiplier"])
    tools = {t: first[c] for t, c in zip(KNOWN_TOOLS, TOOL_COLUMNS, strict=True) if first[c]
             is not None}  # fmt: skip
    if first["other_tools_per_kcall"] is not None:
        try:
            other = json.loads(first["other_tools_per_kcall"])
        except ValueError:
            other = None
        if not isinstance(other, dict):
            msg = f"{where}: other_tools_per_kcall must be a JSON object of names to rates"
            raise PriceDataError(msg)
        tools.update(other)
    fields: dict[str, Any] = {
        "model": first["model"],
        "provider": first["provider"],
        "tokenizer": first["tokenizer"],
        "kind": first["kind"] or "chat",
        "display_name": first["display_name"] or "",
        "context_window": first["context_window"],
        "max_output_tokens": first["max_output_tokens"],
        "source_url": first["source_url"] or "",
        "checked": first["checked"],
        "note": first["note"] or "",
        "valid_from": first["valid_from"],
        "retired": first["retired_at"],
        "successor": first["successor"],
        "tiers": tiers,
        "variants": variants,
        "windows": windows,
        "inference_geo": geos,
        "tool_per_kcall": tools,
        "request_per_kcall": first["request_per_kcall"],
        **base,
    }
    for column in ("provider", "tokenizer"):
        if fields[column] is None:
            msg = f"{where}: {column} must be a non-empty string"
            raise PriceDataError(msg)
    return fields


def _model(model: str, rows: list[tuple[int, Typed]], aliases: list[str]) -> list[ModelPrice]:
    periods: dict[Any, list[tuple[int, Typed]]] = {}
    seen: dict[tuple[Any, ...], int] = {}
    for i, r in rows:
        k = (r["valid_from"], *_key(r))
        if k in seen:
            msg = f"price row {i} ({model!r}) repeats price row {seen[k]}"
            raise PriceDataError(msg)
        seen[k] = i
        periods.setdefault(r["valid_from"], []).append((i, r))
    ordered = sorted(periods.items(), key=lambda kv: _start(kv[0]))
    out = []
    for n, (start, members) in enumerate(ordered):
        where = f"price row {members[0][0]} ({model!r})"
        expected = ordered[n + 1][0] if n + 1 < len(ordered) else None
        ends = {r["valid_to"] for _, r in members}
        if ends != {expected}:
            msg = (
                f"{where}: the period starting {start} ends {sorted(map(str, ends))} but the "
                f"next one starts {expected}; price periods must follow each other"
            )
            raise PriceDataError(msg)
        try:
            out.append(ModelPrice(**_period(where, [r for _, r in members]), aliases=aliases))
        except PriceDataError as e:
            if str(e).startswith(where):
                raise
            msg = f"{where}: {e}"
            raise PriceDataError(msg) from None
        except LLMCostError as e:
            msg = f"{where}: {e}"
            raise PriceDataError(msg) from None
    return out


def _check(model: str, given: list[tuple[int, Typed]], history: tuple[ModelPrice, ...]) -> None:
    """Every given row equals a row the rebuilt model exports, and none is missing."""
    want: dict[tuple[Any, ...], Typed] = {}
    for r in model_rows(history):
        typed = _typed(f"model {model!r}", r)
        key = (typed["valid_from"], *_key(typed))
        want[key] = typed
    got: dict[tuple[Any, ...], int] = {}
    for i, r in given:
        k = (r["valid_from"], *_key(r))
        got[k] = i
        expected = want.get(k)
        if expected is None:
            msg = (
                f"price row {i} ({model!r}): no such context, window or level in its period "
                f"({', '.join(f'{c}={r[c]}' for c in (*CONTEXT_COLUMNS, 'above_input_tokens'))})"
            )
            raise PriceDataError(msg)
        for column in PRICE_COLUMNS:
            if r[column] != expected[column]:
                msg = (
                    f"price row {i} ({model!r}): {column} is {r[column]}, but the rates of its "
                    f"period give {expected[column]}"
                )
                raise PriceDataError(msg)
    missing = [k for k in want if k not in got]
    if missing:
        msg = f"model {model!r}: {len(missing)} price rows are missing, e.g. {missing[0]}"
        raise PriceDataError(msg)


def registry_from_rows(
    prices: Iterable[Mapping[str, Any]], aliases: Iterable[Mapping[str, Any]] = ()
) -> Registry:
    """The Registry that `price_rows` / `alias_rows` were exported from (the round trip).

    Cells may be the exported values or their CSV text (empty cell: none). Alias rows of kind
    ``"alias"`` (or without a kind) become the model's aliases, lower-cased and sorted as the
    rows hold them; the other kinds are derived names and are skipped. A bound at 00:00 UTC
    comes back as a date (the same instant). Every row is checked against the period rebuilt
    from its rows: a rate that disagrees, a missing or repeated row, or periods that do not
    follow each other raise `PriceDataError` naming the row.

    >>> from llmcost import Registry, cost
    >>> from llmcost._rows import alias_rows, price_rows
    >>> reg = Registry.default()
    >>> back = registry_from_rows(price_rows(reg), alias_rows(reg))
    >>> c = cost("gpt-4o-2024-08-06", input_tokens=1000, output_tokens=10, registry=back)
    >>> c.model, c.total == cost("gpt-4o", input_tokens=1000, output_tokens=10).total
    ('gpt-4o', True)
    """
    groups: dict[str, list[tuple[int, Typed]]] = {}
    for i, row in enumerate(prices):
        where = f"price row {i}"
        typed = _typed(where, row)
        model = typed["model"]
        if not isinstance(model, str):
            msg = f"{where}: model must be a non-empty string"
            raise PriceDataError(msg)
        groups.setdefault(model, []).append((i, typed))
    names: dict[str, set[str]] = {}
    for row in aliases:
        kind = row.get("kind") or None
        alias, model = row.get("alias"), row.get("model")
        if kind not in (None, "alias") or not isinstance(alias, str) or alias == model:
            continue
        if not isinstance(model, str) or model not in groups:
            msg = f"alias {alias!r} names model {model!r}, which has no price row"
            raise PriceDataError(msg)
        names.setdefault(model, set()).add(alias.strip().lower())
    out: list[ModelPrice] = []
    for model, rows in groups.items():
        history = _model(model, rows, sorted(names.get(model, ())))
        built = Registry(history).history(model)
        _check(model, rows, built)
        out.extend(built)
    return Registry(out)
