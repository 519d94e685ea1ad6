"""Flat price and alias rows for warehouses (CSV, JSONL, SQL tables), and back into a Registry.

The rows are what `llmcost.sql` prices with: every rate fits the SQL types that
`llmcost.sql` casts to, or `price_rows` fails loudly rather than letting SQL round.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, Inexact
from typing import Any

from ._errors import PriceDataError, UnknownModelError
from ._registry import (
    RATE_FIELDS,
    TIER_FIELDS,
    ModelPrice,
    PriceTier,
    Registry,
    _decimal_str,
    batch_factor,
    to_decimal,
)

#: The per-million rates of a period and of its tier, as row columns.
RATE_COLUMNS = RATE_FIELDS
TIER_RATE_COLUMNS = tuple(f"tier_{c}" for c in TIER_FIELDS)
FACTOR_COLUMNS = ("batch_input_factor", "batch_output_factor")

#: Column order of `price_rows` (a stable contract: CSV headers and SQL tables use it).
PRICE_COLUMNS = (
    "model",
    "provider",
    "valid_from",
    "valid_to",
    *RATE_COLUMNS,
    "tier_above_input_tokens",
    *TIER_RATE_COLUMNS,
    *FACTOR_COLUMNS,
    "tokenizer",
    "context_window",
    "max_output_tokens",
    "source_url",
    "checked",
    "note",
)

#: Column order of `alias_rows`.
ALIAS_COLUMNS = ("alias", "model", "kind")
INT_COLUMNS = ("tier_above_input_tokens", "context_window", "max_output_tokens")
DATE_COLUMNS = ("valid_from", "valid_to", "checked")

# What the SQL types of `llmcost.sql` hold exactly: rates DECIMAL(14, 10) (below $10,000 per
# million tokens, at most 10 decimals) and batch factors DECIMAL(7, 6).
RATE_SCALE = 10
RATE_LIMIT = Decimal(10_000)
FACTOR_SCALE = 6
FACTOR_LIMIT = Decimal(10)

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
    exponent = d.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite: to_decimal refused the rest
    return max(0, -exponent)


def _check_rate(model: str, column: str, value: Decimal) -> str:
    if value >= RATE_LIMIT or _scale(value) > RATE_SCALE:
        msg = (
            f"model {model!r}: {column} = {value} does not fit the SQL rate type DECIMAL(14, 10) "
            f"(below {RATE_LIMIT} per million tokens, at most {RATE_SCALE} decimals); "
            "SQL would round it, so it cannot be exported"
        )
        raise PriceDataError(msg)
    return _decimal_str(value)


def _factors(p: ModelPrice) -> tuple[str | None, str | None]:
    if p.batch_input_per_mtok is None or p.batch_output_per_mtok is None:
        return None, None  # cost(batch=True) raises MissingRateError: SQL yields NULL
    out = []
    for side, batch, full in (
        ("input", p.batch_input_per_mtok, p.input_per_mtok),
        ("output", p.batch_output_per_mtok, p.output_per_mtok),
    ):
        try:
            factor = batch_factor(batch, full)
        except Inexact:
            factor = None
        if factor is None or factor >= FACTOR_LIMIT or _scale(factor) > FACTOR_SCALE:
            msg = (
                f"model {p.model!r}: the batch {side} factor {batch} / {full} is not an exact "
                f"decimal below {FACTOR_LIMIT} with at most {FACTOR_SCALE} places, so SQL cannot "
                "apply it exactly; drop the batch rates with Registry.with_prices to export"
            )
            raise PriceDataError(msg)
        out.append(_decimal_str(factor))
    return out[0], out[1]


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def price_row(p: ModelPrice, *, first: bool) -> dict[str, str | int | None]:
    """One price period as a flat row (see `price_rows`)."""
    if len(p.tiers) > 1:
        msg = (
            f"model {p.model!r} has {len(p.tiers)} long-context tiers; the price rows (and the "
            "SQL) hold one tier per period"
        )
        raise PriceDataError(msg)
    row: dict[str, str | int | None] = dict.fromkeys(PRICE_COLUMNS)
    row["model"] = p.model
    row["provider"] = p.provider
    # Registry.get applies a model's earliest prices to any earlier date: so does the row.
    row["valid_from"] = None if first else _iso(p.valid_from)
    row["valid_to"] = _iso(p.valid_to)
    for column in RATE_COLUMNS:
        value = getattr(p, column)
        if value is not None:
            row[column] = _check_rate(p.model, column, value)
    if p.tiers:
        tier = p.tiers[0]
        row["tier_above_input_tokens"] = tier.above_input_tokens
        for column in TIER_RATE_COLUMNS:
            value = getattr(tier, column[5:])
            if value is not None:
                row[column] = _check_rate(p.model, column, value)
    row["batch_input_factor"], row["batch_output_factor"] = _factors(p)
    row["tokenizer"] = p.tokenizer
    row["context_window"] = p.context_window
    row["max_output_tokens"] = p.max_output_tokens
    row["source_url"] = p.source_url or None
    row["checked"] = _iso(p.checked)
    row["note"] = p.note or None
    return row


def price_rows(registry: Registry) -> list[dict[str, str | int | None]]:
    """One flat row per model and price period, columns in `PRICE_COLUMNS` order.

    Rates are decimal strings per million tokens (`None`: no such rate); dates are ISO strings;
    ``valid_to`` is exclusive and ``None`` means open-ended. A model's first period has
    ``valid_from = None`` because `Registry.get` applies it to every earlier date.
    ``batch_input_factor`` / ``batch_output_factor`` are the exact factors that batch pricing
    applies to every input-side / output-side rate (tier and cache rates too); they are ``None``
    when the model has no batch rates. Raises `PriceDataError` for a model that SQL could not
    price exactly (more than one tier, a rate or factor that does not fit the SQL types).

    >>> from llmcost import Registry
    >>> row = next(r for r in price_rows(Registry.default()) if r["model"] == "gpt-4o")
    >>> row["input_per_mtok"], row["batch_input_factor"], row["valid_from"]
    ('2.5', '0.5', None)
    """
    rows = []
    for model in registry:
        for i, p in enumerate(registry.history(model)):
            rows.append(price_row(p, first=i == 0))
    return rows


def alias_rows(registry: Registry, *, names: Iterable[str] = ()) -> list[dict[str, str]]:
    """Rows mapping lower-cased names to canonical ids, columns in `ALIAS_COLUMNS` order.

    ``kind`` says where a row comes from: ``"id"`` (every canonical id, lower-cased),
    ``"alias"`` (the registry's aliases), ``"prefixed"`` (a first-party id or alias behind
    its vendor's common prefix, such as ``openai/gpt-4o`` or ``gemini/gemini-2.5-pro``) and
    ``"name"`` (each of *names* that `Registry.resolve` maps to a model; unknown names are left
    out). A warehouse joins ``LOWER(TRIM(raw_name)) = alias``; SQL does no other normalisation,
    so pass the distinct raw names of your logs as *names* to cover the rest (other prefixes,
    dated snapshots, host-qualified names). Every row resolves to its model in *registry*.
    Sorted by alias; aliases are unique.

    >>> from llmcost import Registry
    >>> rows = alias_rows(Registry.default(), names=["OpenAI/GPT-4o-2099-01-01"])
    >>> gpt4o = [tuple(r.values()) for r in rows if r["model"] == "gpt-4o"]
    >>> gpt4o  # doctest: +NORMALIZE_WHITESPACE
    [('gpt-4o', 'gpt-4o', 'id'), ('gpt-4o-2024-08-06', 'gpt-4o', 'alias'),
     ('gpt-4o-2024-11-20', 'gpt-4o', 'alias'), ('openai/gpt-4o', 'gpt-4o', 'prefixed'),
     ('openai/gpt-4o-2024-08-06', 'gpt-4o', 'prefixed'),
     ('openai/gpt-4o-2024-11-20', 'gpt-4o', 'prefixed'),
     ('openai/gpt-4o-2099-01-01', 'gpt-4o', 'name')]
    """
    found: dict[str, dict[str, str]] = {}

    def add(alias: str, model: str, kind: str) -> None:
        key = alias.strip().lower()
        if key and key not in found:
            found[key] = {"alias": key, "model": model, "kind": kind}

    for model in registry:
        history = registry.history(model)
        add(model, model, "id")
        aliases = sorted({a for p in history for a in p.aliases})
        for alias in aliases:
            add(alias, model, "alias")
    for model in registry:
        if "/" in model:
            continue
        history = registry.history(model)
        for prefix in _PREFIXES.get(history[-1].provider, ()):
            for name in (model, *sorted({a for p in history for a in p.aliases})):
                if "/" in name:
                    continue
                form = f"{prefix}/{name}"
                if _resolves_to(registry, form) == model:
                    add(form, model, "prefixed")
    for name in names:
        resolved = _resolves_to(registry, name)
        if resolved is not None:
            add(name, resolved, "name")
    return [found[k] for k in sorted(found)]


def _resolves_to(registry: Registry, name: str) -> str | None:
    try:
        return registry.resolve(name)
    except UnknownModelError:
        return None


# --- back into a Registry --------------------------------------------------------------------


def _cell(row: Mapping[str, Any], column: str) -> Any:
    value = row.get(column)
    if isinstance(value, str) and not value.strip():
        return None  # a CSV empty cell
    return value


def _row_int(where: str, row: Mapping[str, Any], column: str) -> int | None:
    value = _cell(row, column)
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    msg = f"{where}: {column} must be a non-negative integer, not {value!r}"
    raise PriceDataError(msg)


def _row_date(where: str, row: Mapping[str, Any], column: str) -> date | None:
    value = _cell(row, column)
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        msg = f"{where}: {column} {value!r} is not an ISO date"
        raise PriceDataError(msg) from None


def _row_rate(where: str, row: Mapping[str, Any], column: str) -> Decimal | None:
    value = _cell(row, column)
    if value is None:
        return None
    return to_decimal(value, f"{where}: {column}")


def registry_from_rows(
    prices: Iterable[Mapping[str, Any]], aliases: Iterable[Mapping[str, Any]] = ()
) -> Registry:
    """The Registry that `price_rows` / `alias_rows` were exported from (the round trip).

    Cells may be the exported values or their CSV text (empty cell: none). Alias rows of kind
    ``"alias"`` (or without a kind) become the model's aliases, lower-cased and sorted as the
    rows hold them; the other kinds are derived names and are skipped. Batch factors are
    recomputed and must agree with the rows; a model's periods must follow each other
    (``valid_to`` of one is ``valid_from`` of the next).

    >>> from llmcost import Registry, cost
    >>> reg = Registry.default()
    >>> back = registry_from_rows(price_rows(reg), alias_rows(reg))
    >>> c = cost("gpt-4o-2024-08-06", input_tokens=1000, output_tokens=10, registry=back)
    >>> c.model, c.total == cost("gpt-4o", input_tokens=1000, output_tokens=10).total
    ('gpt-4o', True)
    """
    groups: dict[str, list[tuple[dict[str, Any], date | None]]] = {}
    for i, row in enumerate(prices):
        model = _cell(row, "model")
        where = f"price row {i} ({model!r})"
        if not isinstance(model, str):
            msg = f"{where}: model must be a non-empty string"
            raise PriceDataError(msg)
        tier = None
        above = _row_int(where, row, "tier_above_input_tokens")
        if above is not None:
            tier_rates = {c[5:]: _row_rate(where, row, c) for c in TIER_RATE_COLUMNS}
            try:
                tier = PriceTier(above_input_tokens=above, **tier_rates)
            except (PriceDataError, TypeError) as e:
                msg = f"{where}: tier: {e}"
                raise PriceDataError(msg) from None
        fields: dict[str, Any] = {c: _row_rate(where, row, c) for c in RATE_COLUMNS}
        fields.update(
            model=model,
            provider=_cell(row, "provider"),
            tokenizer=_cell(row, "tokenizer"),
            tiers=() if tier is None else (tier,),
            context_window=_row_int(where, row, "context_window"),
            max_output_tokens=_row_int(where, row, "max_output_tokens"),
            source_url=_cell(row, "source_url") or "",
            checked=_row_date(where, row, "checked"),
            note=_cell(row, "note") or "",
            valid_from=_row_date(where, row, "valid_from"),
        )
        for column in ("provider", "tokenizer"):
            if not isinstance(fields[column], str):
                msg = f"{where}: {column} must be a non-empty string"
                raise PriceDataError(msg)
        try:
            price = ModelPrice(**fields)
        except (PriceDataError, TypeError) as e:
            msg = f"{where}: {e}"
            raise PriceDataError(msg) from None
        factors = _factors(price)
        for column, want in zip(FACTOR_COLUMNS, factors, strict=True):
            got = _row_rate(where, row, column)
            if got is not None and (want is None or got != Decimal(want)):
                msg = f"{where}: {column} {got} disagrees with the batch rates (expected {want})"
                raise PriceDataError(msg)
        groups.setdefault(model, []).append((fields, _row_date(where, row, "valid_to")))
    names: dict[str, list[str]] = {}
    for row in aliases:
        kind = _cell(row, "kind")
        alias, model = _cell(row, "alias"), _cell(row, "model")
        if kind not in (None, "alias") or not isinstance(alias, str) or alias == model:
            continue
        if model not in groups:
            msg = f"alias {alias!r} names model {model!r}, which has no price row"
            raise PriceDataError(msg)
        names.setdefault(model, []).append(alias.strip().lower())
    out = []
    for model, periods in groups.items():
        periods.sort(key=lambda fp: fp[0]["valid_from"] or date.min)
        for (fields, valid_to), nxt in zip(periods, [*periods[1:], None], strict=True):
            expected = None if nxt is None else nxt[0]["valid_from"]
            if valid_to != expected:
                msg = (
                    f"model {model!r}: the period ending {valid_to} is followed by one starting "
                    f"{expected}; price periods must follow each other"
                )
                raise PriceDataError(msg)
            out.append(ModelPrice(**fields, aliases=sorted(set(names.get(model, ())))))
    return Registry(out)
