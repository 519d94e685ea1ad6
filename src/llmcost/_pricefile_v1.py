"""Price files written for llmcost 0.1 (schema 1), read into the 0.2 price model.

Schema 1's ``cache_write_per_mtok`` is the 5-minute write; its batch rates become a batch
`PriceVariant` (a multiplier when input and output share one exact ratio, else explicit rates,
with cache and tier rates scaled by the exact ratio as 0.1 did, or left out when the ratio is
not an exact decimal).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ._money import CTX
from ._pricefile import _date, _int_or_none, _keys, _list, _rate, _Where
from ._prices import PriceTier, PriceVariant

_V1_RATES = {
    "input_per_mtok": "input_per_mtok",
    "output_per_mtok": "output_per_mtok",
    "cache_read_per_mtok": "cache_read_per_mtok",
    "cache_write_per_mtok": "cache_write_5m_per_mtok",
    "cache_write_1h_per_mtok": "cache_write_1h_per_mtok",
}


def v1_period(where: _Where, j: int, raw: object) -> dict[str, Any]:
    """A schema-1 period: v1's cache write is the 5-minute write; batch rates become a variant."""
    at = f"prices[{j}]"
    v1_keys = frozenset(
        {*_V1_RATES, "batch_input_per_mtok", "batch_output_per_mtok", "from", "tiers"}
    )
    obj = _keys(where, at, raw, v1_keys)
    rates = {
        new: _rate(where, f"{at}.{old}", obj[old])
        for old, new in _V1_RATES.items()
        if obj.get(old) is not None
    }
    if "input_per_mtok" not in rates:
        raise where.error(f"{at}.input_per_mtok", "missing (a required price)")
    tiers = []
    for k, tier in enumerate(_list(where, f"{at}.tiers", obj.get("tiers"))):
        tat = f"{at}.tiers[{k}]"
        tobj = _keys(
            where,
            tat,
            tier,
            frozenset({*_V1_RATES, "above_input_tokens"}) - {"batch_input_per_mtok"},
        )
        above = _int_or_none(where, f"{tat}.above_input_tokens", tobj.get("above_input_tokens"))
        if above is None:
            raise where.error(f"{tat}.above_input_tokens", "missing")
        trates = {
            new: _rate(where, f"{tat}.{old}", tobj[old])
            for old, new in _V1_RATES.items()
            if tobj.get(old) is not None
        }
        if "input_per_mtok" not in trates:
            raise where.error(f"{tat}.input_per_mtok", "missing (a required price)")
        tiers.append(PriceTier(above_input_tokens=above, **trates))
    variants = []
    b_in, b_out = obj.get("batch_input_per_mtok"), obj.get("batch_output_per_mtok")
    if b_in is not None or b_out is not None:
        if b_in is None or b_out is None:
            raise where.error(f"{at}.batch_input_per_mtok", "give both batch rates or neither")
        variants.append(
            _v1_batch(
                where,
                at,
                rates,
                tiers,
                _rate(where, f"{at}.batch_input_per_mtok", b_in),
                _rate(where, f"{at}.batch_output_per_mtok", b_out),
            )
        )
    start = obj.get("from")
    return {
        **rates,
        "valid_from": None if start is None else _date(where, f"{at}.from", start),
        "tiers": tiers,
        "variants": variants,
    }


def _v1_batch(
    where: _Where,
    at: str,
    rates: dict[str, Decimal],
    tiers: list[PriceTier],
    b_in: Decimal,
    b_out: Decimal,
) -> PriceVariant:
    """llmcost 0.1's batch rule: cache and tier rates scale by the exact batch ratio."""

    full_in, full_out = rates["input_per_mtok"], rates.get("output_per_mtok", Decimal(0))
    try:
        f_in = CTX.divide(b_in, full_in) if full_in else Decimal(1)
        f_out = CTX.divide(b_out, full_out) if full_out else Decimal(1)
    except ArithmeticError:
        # 0.1 refused to derive cache and tier rates from an inexact ratio: so does this.
        return PriceVariant(service_tier="batch", input_per_mtok=b_in, output_per_mtok=b_out)
    if f_in == f_out:
        return PriceVariant(service_tier="batch", multiplier=f_in)

    def scaled(level: dict[str, Decimal]) -> dict[str, Decimal]:
        return {
            k: CTX.multiply(v, f_out if k == "output_per_mtok" else f_in) for k, v in level.items()
        }

    return PriceVariant(
        service_tier="batch",
        tiers=[
            PriceTier(above_input_tokens=t.above_input_tokens, **scaled(t.rates())) for t in tiers
        ],
        **scaled(rates),
    )
