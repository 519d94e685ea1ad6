"""Rate levels: the per-token rates in force for one price, request context and time window.

A *level* is one set of per-token rates and the input threshold above which it applies (the
base level has threshold -1; long-context tiers follow). `levels()` selects the variant for
the request's service tier and speed, applies a time window and a regional multiplier, and
caches the result per price object.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

from ._errors import MissingRateError
from ._money import CTX
from ._prices import (
    STANDARD_GEOS,
    STANDARD_SPEEDS,
    STANDARD_TIERS,
    TOKEN_RATES,
    ModelPrice,
    PriceTier,
    PriceWindow,
)

#: Index of each token rate in `Level.rates`.
R = {name: i for i, name in enumerate(TOKEN_RATES)}
_MILLION = Decimal(1_000_000)


class Level:
    """Per-token rates (USD per token; None: absent) above an input threshold.

    `prec` is the decimal precision under which any sum of three products of a count up to
    10**15 with these rates is exact: each rate is below $1 a token, so such a sum is below
    10**16 and needs 16 integer digits plus the most decimal places of any rate.
    """

    __slots__ = ("above", "prec", "rates", "simple")

    def __init__(self, above: int, rates: tuple[Decimal | None, ...]) -> None:
        self.above = above
        self.rates = rates
        places = [-int(r.as_tuple().exponent) for r in rates if r]
        self.prec = 16 + max([0, *places])
        #: ``(input, output, cache read)`` when input and output rates exist, for cost()'s
        #: fast path; else None.
        self.simple: tuple[Decimal, Decimal, Decimal | None] | None = None
        if rates[0] is not None and rates[1] is not None:
            self.simple = (rates[0], rates[1], rates[2])


def context_key(
    service_tier: str | None, speed: str | None, inference_geo: str | None, batch: bool
) -> tuple[str | None, str | None, str | None]:
    """The normalised request context: ``(service_tier, speed, geo)``, None for standard."""
    tier = _norm(service_tier, "service_tier")
    if tier in STANDARD_TIERS:
        tier = None
    if batch:
        if tier not in (None, "batch"):
            msg = f"batch=True contradicts service_tier={service_tier!r}"
            raise MissingRateError(msg)
        tier = "batch"
    s = _norm(speed, "speed")
    g = _norm(inference_geo, "inference_geo")
    return tier, None if s in STANDARD_SPEEDS else s, None if g in STANDARD_GEOS else g


def _norm(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 100:
        from ._errors import InvalidTypeError

        msg = f"{what} must be a str such as 'flex', not {value!r:.60}"
        raise InvalidTypeError(msg)
    return value.strip().lower()


def _per_token(level: Any, factor: Decimal | None) -> tuple[Decimal | None, ...]:
    out = []
    for name in TOKEN_RATES:
        rate = getattr(level, name)
        if rate is not None:
            if factor is not None:
                rate = CTX.multiply(rate, factor)
            rate = CTX.divide(rate, _MILLION)
        out.append(rate)
    return tuple(out)


_ABSENT = (None,) * len(TOKEN_RATES)


def _explicit(base: ModelPrice, level: Any, tiers: tuple[PriceTier, ...]) -> list[Level]:
    """Levels of an explicit variant or window; a base threshold it does not list is absent."""
    out = [Level(-1, _per_token(level, None))]
    listed = {t.above_input_tokens for t in tiers}
    for t in tiers:
        out.append(Level(t.above_input_tokens, _per_token(t, None)))
    for t in base.tiers:
        if t.above_input_tokens not in listed:
            out.append(Level(t.above_input_tokens, _ABSENT))
    out[1:] = sorted(out[1:], key=lambda lv: lv.above)
    return out


def _scaled(levels: list[Level], factor: Decimal) -> list[Level]:
    return [
        Level(lv.above, tuple(None if r is None else CTX.multiply(r, factor) for r in lv.rates))
        for lv in levels
    ]


def _missing_context(price: ModelPrice, what: str) -> MissingRateError:
    have = [v.key() for v in price.variants]
    listed = f" (it has: {'; '.join(have)})" if have else " (it has no variants)"
    msg = (
        f"{price.model} has no rates for {what} in the registry{listed}; llmcost never prices "
        "it at the standard rate in silence. Add a PriceVariant to its ModelPrice with "
        "Registry.with_prices, or price the request without it."
    )
    return MissingRateError(msg)


def _build(
    price: ModelPrice,
    ctx: tuple[str | None, str | None, str | None],
    window: PriceWindow | None,
) -> tuple[Level, ...]:
    tier, speed, geo = ctx
    levels = [Level(-1, _per_token(price, None))]
    levels += [Level(t.above_input_tokens, _per_token(t, None)) for t in price.tiers]
    if tier is not None or speed is not None:
        variant = price.variant(tier, speed)
        if variant is None:
            what = ", ".join(
                f"{k}={v!r}" for k, v in (("service_tier", tier), ("speed", speed)) if v
            )
            raise _missing_context(price, what)
        if variant.multiplier is not None:
            levels = _scaled(levels, variant.multiplier)
        else:
            levels = _explicit(price, variant, variant.tiers)
    if window is not None:
        if window.multiplier is not None:
            levels = _scaled(levels, window.multiplier)
        elif tier is not None or speed is not None:
            msg = (
                f"{price.model}: its {window.start}-{window.end} {window.timezone} rates are "
                "given only for the standard service tier and speed"
            )
            raise MissingRateError(msg)
        else:
            levels = _explicit(price, window, window.tiers)
    if geo is not None:
        factor = price.inference_geo.get(geo)
        if factor is None:
            geos = ", ".join(sorted(price.inference_geo)) or "none"
            msg = (
                f"{price.model} has no rates for inference_geo={geo!r} in the registry "
                f"(it has: {geos}); add the regional multiplier with Registry.with_prices"
            )
            raise MissingRateError(msg)
        levels = _scaled(levels, factor)
    return tuple(levels)


_CACHE: dict[
    tuple[int, tuple[str | None, str | None, str | None], int], tuple[ModelPrice, tuple[Level, ...]]
] = {}
_CACHE_LOCK = threading.Lock()


def levels(
    price: ModelPrice,
    ctx: tuple[str | None, str | None, str | None],
    window: PriceWindow | None = None,
) -> tuple[Level, ...]:
    """The rate levels of *price* for the context *ctx* in *window* (cached per price)."""
    w = -1 if window is None else price.windows.index(window)
    key = (id(price), ctx, w)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is price:
        return hit[1]
    built = _build(price, ctx, window)
    with _CACHE_LOCK:
        if len(_CACHE) > 8192:
            _CACHE.clear()
        _CACHE[key] = (price, built)  # the price is kept alive, so its id is not reused
    return built
