"""`ModelPrice`: the prices of one model in one period, and a model's history of periods.

The value classes it is made of (tiers, variants, windows, the token rates) live in
`_price_parts`; they are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs

from ._errors import PriceDataError
from ._families import TOKENIZERS
from ._price_parts import (
    _MIN,
    KINDS,
    KNOWN_TOOLS,
    STANDARD_GEOS,
    STANDARD_SPEEDS,
    STANDARD_TIERS,
    TOKEN_RATES,
    PriceTier,
    PriceVariant,
    PriceWindow,
    _count,
    _items,
    _name,
    _opt_instant,
    _opt_rate,
    _period_bound,
    _rate_map,
    _to_tiers,
    _to_variants,
    _to_windows,
    _TokenRates,
    to_decimal,
    to_instant,
)

__all__ = [
    "KINDS",
    "KNOWN_TOOLS",
    "STANDARD_GEOS",
    "STANDARD_SPEEDS",
    "STANDARD_TIERS",
    "TOKEN_RATES",
    "ModelPrice",
    "PriceTier",
    "PriceVariant",
    "PriceWindow",
    "to_decimal",
    "to_instant",
    "with_periods",
]


def _to_aliases(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    out = _items(value, "aliases")
    for a in out:
        if not isinstance(a, str) or not a.strip() or len(a) > 200:
            msg = f"aliases must be non-empty strings of at most 200 characters, not {a!r}"
            raise PriceDataError(msg)
    return out


def _check_tokenizer(_inst: object, _attribute: object, value: Any) -> None:
    if value not in TOKENIZERS:
        msg = f"tokenizer {value!r} is not one of {', '.join(sorted(TOKENIZERS))}"
        raise PriceDataError(msg)


def _check_kind(_inst: object, _attribute: object, value: Any) -> None:
    if value not in KINDS:
        msg = f"kind {value!r} is not one of {', '.join(sorted(KINDS))}"
        raise PriceDataError(msg)


def _geo_map(value: object) -> Mapping[str, Decimal]:
    out = _rate_map(value)
    for geo, factor in out.items():
        if geo in STANDARD_GEOS:
            msg = f"inference_geo {geo!r} is the standard geo; its rates are the period's own"
            raise PriceDataError(msg)
        if factor == 0:
            msg = f"inference_geo {geo!r}: a multiplier of 0 is not a price"
            raise PriceDataError(msg)
    return out


@attrs.frozen(kw_only=True, repr=False)
class ModelPrice(_TokenRates):
    """The prices of one model in one period, in USD per million tokens (`None`: no such rate).

    Cache writes are priced by TTL (`cache_write_5m_per_mtok` ... `cache_write_12h_per_mtok`);
    modality rates price audio, image and video tokens; `tool_per_kcall` prices server-side
    tool uses per thousand; `tiers` hold long-context rates; `variants` the rates of other
    service tiers and speeds; `windows` time-of-day rates; `inference_geo` regional
    multipliers. `valid_from` / `valid_to` (exclusive) bound the period: a `date` means 00:00
    UTC, a `datetime` an instant. `retired` is the day the vendor retired the model
    (`retired_at` the instant), `successor` its replacement. `tokenizer` names the exact
    encoding or the estimate profile that counts this model's text.

    >>> p = ModelPrice(model="my-model", provider="acme", tokenizer="llama",
    ...                input_per_mtok="0.5", output_per_mtok="1.5")
    >>> p.input_per_mtok, p.output_per_mtok
    (Decimal('0.5'), Decimal('1.5'))
    """

    _LEAD = ("model", "provider", "tokenizer")
    model: str = attrs.field(validator=_name)
    provider: str = attrs.field(validator=_name)
    tokenizer: str = attrs.field(validator=_check_tokenizer)
    input_per_mtok: Decimal = attrs.field(converter=to_decimal)
    kind: str = attrs.field(default="chat", validator=_check_kind)
    tool_per_kcall: Mapping[str, Decimal] = attrs.field(
        factory=dict, converter=_rate_map, hash=False
    )
    request_per_kcall: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    tiers: tuple[PriceTier, ...] = attrs.field(default=(), converter=_to_tiers)
    variants: tuple[PriceVariant, ...] = attrs.field(default=(), converter=_to_variants)
    windows: tuple[PriceWindow, ...] = attrs.field(default=(), converter=_to_windows)
    inference_geo: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_geo_map, hash=False)
    display_name: str = ""
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_to_aliases)
    context_window: int | None = attrs.field(default=None, validator=_count)
    max_output_tokens: int | None = attrs.field(default=None, validator=_count)
    source_url: str = ""
    checked: date | None = None
    note: str = ""
    valid_from: date | None = attrs.field(default=None, converter=_period_bound)
    valid_to: date | None = attrs.field(default=None, converter=_period_bound)
    _retired_at: datetime | None = attrs.field(
        default=None, converter=_opt_instant, alias="retired"
    )
    successor: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.kind == "chat" and self.output_per_mtok is None:
            msg = f"model {self.model!r}: a chat model needs output_per_mtok (embeddings do not)"
            raise PriceDataError(msg)

    @property
    def retired(self) -> date | None:
        """The (UTC) day the vendor retired this model, if it did."""
        return None if self._retired_at is None else self._retired_at.date()

    @property
    def retired_at(self) -> datetime | None:
        """The instant (UTC) the vendor retired this model, if it did."""
        return self._retired_at

    @property
    def cache_write_per_mtok(self) -> Decimal | None:
        """The default cache-write rate: 5-minute writes where the vendor has them, else 30."""
        if self.cache_write_5m_per_mtok is not None:
            return self.cache_write_5m_per_mtok
        return self.cache_write_30m_per_mtok

    def tier_for(self, input_tokens: int) -> PriceTier | None:
        """The long-context tier in force for a request of *input_tokens*, if any."""
        found = None
        for tier in self.tiers:
            if input_tokens > tier.above_input_tokens:
                found = tier
        return found

    def variant(
        self, service_tier: str | None = None, speed: str | None = None
    ) -> PriceVariant | None:
        """The variant for this service tier and speed (None: the standard rates or none)."""
        for v in self.variants:
            if v.service_tier == service_tier and v.speed == speed:
                return v
        return None


def with_periods(history: list[ModelPrice]) -> tuple[ModelPrice, ...]:
    """Sort one model's price periods and set each `valid_to` to the next `valid_from`."""
    from ._when import start_of

    def start(p: ModelPrice) -> tuple[bool, datetime]:
        return (p.valid_from is not None, start_of(p.valid_from) if p.valid_from else _MIN)

    history.sort(key=start)
    out = []
    for i, p in enumerate(history):
        nxt = history[i + 1].valid_from if i + 1 < len(history) else None
        if i + 1 < len(history) and nxt is None:
            msg = f"model {p.model!r} has two price periods without a start date"
            raise PriceDataError(msg)
        if nxt is not None and p.valid_from is not None and start_of(nxt) <= start_of(p.valid_from):
            msg = f"model {p.model!r} has two price periods starting {nxt.isoformat()}"
            raise PriceDataError(msg)
        out.append(p if p.valid_to == nxt else attrs.evolve(p, valid_to=nxt))
    return tuple(out)
