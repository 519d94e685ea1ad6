"""The parts of a price period: token rates, long-context tiers, variants, time windows.

Rates are exact `Decimal` USD per million tokens (``*_per_mtok``) or per thousand uses
(``*_per_kcall``); `None` means no such rate, so a usage that needs it raises
`MissingRateError` instead of being priced at $0. `ModelPrice` (in `_prices`) combines them.
"""


from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timezone
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, cast

import attrs

from ._errors import InvalidTypeError, PriceDataError
from ._money import MAX_PLACES, MAX_RATE

#: Every token rate a price level can have, in the order prices are shown and exported.
TOKEN_RATES = (
    "input_per_mtok",
    "output_per_mtok",
    "cache_read_per_mtok",
    "cache_write_5m_per_mtok",
    "cache_write_30m_per_mtok",
    "cache_write_1h_per_mtok",
    "cache_write_12h_per_mtok",
    "audio_input_per_mtok",
    "image_input_per_mtok",
    "video_input_per_mtok",
    "cache_read_audio_per_mtok",
    "cache_read_image_per_mtok",
    "cache_read_video_per_mtok",
    "audio_output_per_mtok",
    "image_output_per_mtok",
)
#: Request-context values that mean "the standard rates".
STANDARD_TIERS = frozenset({"", "default", "standard", "auto"})
STANDARD_SPEEDS = frozenset({"", "standard", "normal"})
STANDARD_GEOS = frozenset({"", "global", "default", "not_available"})
KINDS = frozenset({"chat", "embedding"})
#: Server-side tools the readers know; a price may name others.
KNOWN_TOOLS = ("web_search", "web_fetch", "x_search", "code_execution", "file_search")
_MIN = datetime.min.replace(tzinfo=timezone.utc)


# Prices validated from their text, kept alive here so that their ids stay theirs: loading the
# shipped file checks some 7,000 rates twice (parser, then converter); this halves the load.
_CHECKED: dict[str, Decimal] = {}
_CHECKED_IDS: set[int] = set()


def to_decimal(value: object, what: str = "price") -> Decimal:
    """*value* as an exact, finite, non-negative `Decimal`; floats are refused (not exact).

    >>> to_decimal("2.5")
    Decimal('2.5')
    """
    if isinstance(value, Decimal):
        if id(value) in _CHECKED_IDS:
            return value
        d = value
    elif isinstance(value, str) and value in _CHECKED:
        return _CHECKED[value]
    elif isinstance(value, bool):
        msg = f"{what} must be a Decimal, a decimal string or an int, not a bool"
        raise InvalidTypeError(msg)
    elif isinstance(value, int):
        if abs(value) > 10**30:
            msg = f"{what} {value} is out of range"
            raise PriceDataError(msg)
        d = Decimal(value)
    elif isinstance(value, str):
        if len(value) > 100:
            msg = f"{what} {value[:40]!r}... is not a price (too long)"
            raise PriceDataError(msg)
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            msg = f"{what} {value!r} is not a decimal number"
            raise PriceDataError(msg) from None
    elif isinstance(value, float):
        msg = (
            f"{what} {value!r} is a float; floats cannot hold money exactly: "
            f"pass Decimal({str(value)!r}) or the string {str(value)!r}"
        )
        raise InvalidTypeError(msg)
    else:
        msg = f"{what} must be a Decimal, a decimal string or an int, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    if not d.is_finite():
        msg = f"{what} {value!r} is not a finite number"
        raise PriceDataError(msg)
    if d < 0:
        msg = f"{what} {value!r} is negative: prices must be non-negative"
        raise PriceDataError(msg)
    exponent = d.as_tuple().exponent
    assert isinstance(exponent, int)
    if d >= MAX_RATE or exponent < -MAX_PLACES:
        msg = (
            f"{what} {value!r} is outside what llmcost prices exactly "
            f"(below {MAX_RATE:,} with at most {MAX_PLACES} decimal places)"
        )
        raise PriceDataError(msg)
    if isinstance(value, str) and len(_CHECKED) < 20_000:
        _CHECKED[value] = d
        _CHECKED_IDS.add(id(d))
    return d


def _opt_rate(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _count(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**15:
        msg = f"{attribute.name} must be a non-negative int, not {value!r}"
        raise PriceDataError(msg)


def _rate_map(value: object) -> Mapping[str, Decimal]:
    if isinstance(value, MappingProxyType):
        return value
    if not isinstance(value, Mapping):
        msg = f"expected a mapping of names to decimal rates, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    out: dict[str, Decimal] = {}
    for name, rate in value.items():
        if not isinstance(name, str) or not name.strip():
            msg = f"rate names must be non-empty strings, not {name!r}"
            raise PriceDataError(msg)
        out[name.strip().lower()] = to_decimal(rate, f"rate {name!r}")
    return MappingProxyType(dict(sorted(out.items())))


def _multiplier(value: object) -> Decimal | None:
    if value is None:
        return None
    d = to_decimal(value, "multiplier")
    if d == 0:
        msg = "a multiplier of 0 would price a variant at $0; give explicit rates with a note"
        raise PriceDataError(msg)
    return d


def _lower(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        msg = f"expected a non-empty string, not {value!r}"
        raise PriceDataError(msg)
    return value.strip().lower()


def _name(_inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        msg = (
            f"{attribute.name} must be a non-empty string of at most 200 characters, not {value!r}"
        )
        raise PriceDataError(msg)


def to_instant(value: object, what: str = "time") -> datetime:
    """*value* (a date, a datetime, or ISO text) as an aware UTC datetime; a date is 00:00 UTC."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                value = date.fromisoformat(text)
            else:
                value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            msg = f"{what} {value!r} is not an ISO date or date-time"
            raise PriceDataError(msg) from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    msg = f"{what} must be a date or a datetime, not {type(value).__name__}"
    raise InvalidTypeError(msg)


def _opt_instant(value: object) -> datetime | None:
    return None if value is None else to_instant(value)


def _period_bound(value: object) -> date | None:
    """A period bound as given: a date, or an aware UTC datetime for an instant."""
    if value is None:
        return None
    instant = to_instant(value, "a price period bound")
    if instant.timetz() == time(0, tzinfo=timezone.utc) and not isinstance(value, datetime):
        return instant.date()
    return instant


class _Shown:
    """A repr that lists only the fields that differ from their defaults: `_LEAD` first."""

    __slots__ = ()
    _LEAD: tuple[str, ...] = ()

    def __repr__(self) -> str:
        parts = []
        fields = attrs.fields(cast("type[attrs.AttrsInstance]", type(self)))
        order = [*self._LEAD, *TOKEN_RATES]
        lead = [a for name in order for a in fields if a.name == name]
        for a in [*lead, *(a for a in fields if a not in lead)]:
            if not a.repr:
                continue
            value = getattr(self, a.name)
            default = a.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()
            if a.default is not attrs.NOTHING and value == default:
                continue
            if isinstance(value, MappingProxyType):
                value = dict(value)
            parts.append(f"{a.alias or a.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


@attrs.frozen(kw_only=True, repr=False)
class _TokenRates(_Shown):
    """The token rates of one price level; see `TOKEN_RATES` for their meaning."""

    input_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    output_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    cache_read_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    cache_write_5m_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    cache_write_30m_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    cache_write_1h_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    cache_write_12h_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    audio_input_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    image_input_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    video_input_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    cache_read_audio_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    cache_read_image_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    cache_read_video_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    audio_output_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    image_output_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_rate)

    def rates(self) -> dict[str, Decimal]:
        """The rates this level has (name -> USD per 1M tokens), in `TOKEN_RATES` order."""
        return {f: v for f in TOKEN_RATES if (v := getattr(self, f)) is not None}


def _has_rates(level: _TokenRates) -> bool:
    return any(getattr(level, f) is not None for f in TOKEN_RATES)


@attrs.frozen(kw_only=True, repr=False)
class PriceTier(_TokenRates):
    """Long-context rates, applied to the *whole* request when its input exceeds the threshold.

    A rate the tier does not list is absent above the threshold (never the short-context rate).

    >>> PriceTier(above_input_tokens=200_000, input_per_mtok="6", output_per_mtok="22.5")
    PriceTier(above_input_tokens=200000, input_per_mtok=Decimal('6'), ...)
    """

    _LEAD = ("above_input_tokens",)
    above_input_tokens: int = attrs.field(validator=_count)
    input_per_mtok: Decimal = attrs.field(converter=to_decimal)


def _items(value: object, what: str) -> tuple[Any, ...]:
    """*value* as a tuple, if it is a list-like collection (not a str or a mapping)."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        msg = f"{what} must be a list, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    return tuple(value)


def _to_tiers(value: Iterable[PriceTier]) -> tuple[PriceTier, ...]:
    tiers = _items(value, "tiers")
    for t in tiers:
        if not isinstance(t, PriceTier):
            msg = f"tiers must be PriceTier values, not {type(t).__name__}"
            raise InvalidTypeError(msg)
    out = tuple(sorted(tiers, key=lambda t: t.above_input_tokens))
    thresholds = [t.above_input_tokens for t in out]
    if len(set(thresholds)) != len(thresholds):
        msg = f"two tiers share a threshold: {thresholds}"
        raise PriceDataError(msg)
    return out


class _Override(_TokenRates):
    """Shared by variants and windows: a multiplier, or explicit rates with their own tiers."""

    __slots__ = ()
    multiplier: Decimal | None
    tiers: tuple[PriceTier, ...]

    def _check_override(self, what: str) -> None:
        explicit = _has_rates(self)
        if self.multiplier is not None and (explicit or self.tiers):
            msg = f"{what} gives both a multiplier and explicit rates: give one"
            raise PriceDataError(msg)
        if self.multiplier is None and self.input_per_mtok is None:
            msg = f"{what} needs a multiplier or explicit rates (input_per_mtok at least)"
            raise PriceDataError(msg)


@attrs.frozen(kw_only=True, repr=False)
class PriceVariant(_Override):
    """Rates selected by the request context: a service tier, a speed, or both.

    Either a *multiplier* on every token rate of the period (tiers included; tool and request
    charges are not multiplied), or explicit rates with their own tiers.

    >>> PriceVariant(service_tier="batch", multiplier="0.5")
    PriceVariant(service_tier='batch', multiplier=Decimal('0.5'))
    """

    _LEAD = ("service_tier", "speed", "multiplier")
    service_tier: str | None = attrs.field(default=None, converter=_lower)
    speed: str | None = attrs.field(default=None, converter=_lower)
    multiplier: Decimal | None = attrs.field(default=None, converter=_multiplier)
    tiers: tuple[PriceTier, ...] = attrs.field(default=(), converter=_to_tiers)

    def __attrs_post_init__(self) -> None:
        tier = None if self.service_tier in STANDARD_TIERS else self.service_tier
        speed = None if self.speed in STANDARD_SPEEDS else self.speed
        if tier is None and speed is None:
            msg = "a variant needs a non-standard service_tier or speed"
            raise PriceDataError(msg)
        object.__setattr__(self, "service_tier", tier)
        object.__setattr__(self, "speed", speed)
        self._check_override(f"variant {self.key()}")

    def key(self) -> str:
        """``service_tier=flex``, ``speed=fast`` or both, for messages."""
        parts = [f"service_tier={self.service_tier}"] if self.service_tier else []
        if self.speed:
            parts.append(f"speed={self.speed}")
        return ", ".join(parts)


def _minutes(value: object, what: str) -> int:
    if isinstance(value, time):
        return value.hour * 60 + value.minute
    if isinstance(value, str) and len(value) == 5 and value[2] == ":":
        hh, mm = value[:2], value[3:]
        if hh.isdigit() and mm.isdigit() and int(mm) < 60 and int(hh) * 60 + int(mm) <= 1440:
            return int(hh) * 60 + int(mm)
    msg = f"{what} must be a time such as '09:00' (or '24:00' for an end), not {value!r}"
    raise PriceDataError(msg)


def _hhmm(value: object) -> str:
    n = _minutes(value, "a window bound")
    return f"{n // 60:02d}:{n % 60:02d}"


def _weekdays(value: Iterable[int]) -> tuple[int, ...]:
    days = _items(value, "weekdays")
    if not days or any(
        isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in days
    ):
        msg = f"weekdays must be integers 0 (Monday) to 6 (Sunday), not {days!r}"
        raise PriceDataError(msg)
    return tuple(sorted(set(days)))


def _dates(value: Iterable[date]) -> tuple[date, ...]:
    out = []
    for d in _items(value, "except_dates"):
        if isinstance(d, str):
            try:
                d = date.fromisoformat(d)
            except ValueError:
                msg = f"except_dates must be ISO dates, not {d!r}"
                raise PriceDataError(msg) from None
        if isinstance(d, datetime) or not isinstance(d, date):
            msg = f"except_dates must be dates, not {d!r}"
            raise PriceDataError(msg)
        out.append(d)
    return tuple(sorted(set(out)))


def _zone(_inst: object, _attribute: object, value: Any) -> None:
    from ._when import zone

    if not isinstance(value, str):
        msg = f"timezone must be an IANA time zone name, not {value!r}"
        raise PriceDataError(msg)
    zone(value)


@attrs.frozen(kw_only=True, repr=False)
class PriceWindow(_Override):
    """Rates for a daily time window in the vendor's time zone (peak and off-peak pricing).

    The window covers ``[start, end)`` local time on *weekdays* (0 = Monday), except on
    *except_dates* (local dates, such as public holidays). Outside every window of a period,
    the period's own rates apply.

    >>> PriceWindow(timezone="Asia/Shanghai", start="09:00", end="12:00", multiplier="2")
    PriceWindow(timezone='Asia/Shanghai', start='09:00', end='12:00', multiplier=Decimal('2'))
    """

    _LEAD = ("timezone", "start", "end", "weekdays", "except_dates", "multiplier")
    timezone: str = attrs.field(validator=_zone)
    start: str = attrs.field(converter=_hhmm)
    end: str = attrs.field(converter=_hhmm)
    weekdays: tuple[int, ...] = attrs.field(default=(0, 1, 2, 3, 4, 5, 6), converter=_weekdays)
    except_dates: tuple[date, ...] = attrs.field(default=(), converter=_dates)
    multiplier: Decimal | None = attrs.field(default=None, converter=_multiplier)
    tiers: tuple[PriceTier, ...] = attrs.field(default=(), converter=_to_tiers)

    def __attrs_post_init__(self) -> None:
        if _minutes(self.start, "start") >= _minutes(self.end, "end"):
            msg = (
                f"window {self.start}-{self.end}: start must be before end "
                "(split a window that crosses midnight in two)"
            )
            raise PriceDataError(msg)
        self._check_override(f"window {self.start}-{self.end} {self.timezone}")

    def minutes(self) -> tuple[int, int]:
        """``(start, end)`` in minutes after local midnight."""
        return _minutes(self.start, "start"), _minutes(self.end, "end")


def _to_variants(value: Iterable[PriceVariant]) -> tuple[PriceVariant, ...]:
    out = _items(value, "variants")
    keys = []
    for v in out:
        if not isinstance(v, PriceVariant):
            msg = f"variants must be PriceVariant values, not {type(v).__name__}"
            raise InvalidTypeError(msg)
        keys.append((v.service_tier, v.speed))
    if len(set(keys)) != len(keys):
        msg = "two variants have the same service_tier and speed"
        raise PriceDataError(msg)
    return out


def _to_windows(value: Iterable[PriceWindow]) -> tuple[PriceWindow, ...]:
    out = _items(value, "windows")
    for w in out:
        if not isinstance(w, PriceWindow):
            msg = f"windows must be PriceWindow values, not {type(w).__name__}"
            raise InvalidTypeError(msg)
    zones = {w.timezone for w in out}
    if len(zones) > 1:
        msg = f"the windows of one price period must share a time zone, not {sorted(zones)}"
        raise PriceDataError(msg)
    for i, a in enumerate(out):
        for b in out[i + 1 :]:
            (a0, a1), (b0, b1) = a.minutes(), b.minutes()
            if set(a.weekdays) & set(b.weekdays) and a0 < b1 and b0 < a1:
                msg = f"windows {a.start}-{a.end} and {b.start}-{b.end} overlap"
                raise PriceDataError(msg)
    return out


