"""Time: the instant a request is priced at, time zones, and daily price windows."""

from __future__ import annotations

import threading
from datetime import date, datetime, timezone, tzinfo
from typing import TYPE_CHECKING

from ._errors import InvalidInputError, InvalidTypeError, PriceDataError

if TYPE_CHECKING:
    from ._prices import ModelPrice, PriceWindow

UTC = timezone.utc
_ZONES: dict[str, tzinfo] = {}
_ZONES_LOCK = threading.Lock()


def zone(name: str) -> tzinfo:
    """The IANA time zone *name* (cached); an unknown name is a `PriceDataError`."""
    found = _ZONES.get(name)
    if found is not None:
        return found
    import zoneinfo  # only for prices with time windows

    try:
        found = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        msg = f"unknown time zone {name!r} (an IANA name such as 'Asia/Shanghai')"
        raise PriceDataError(msg) from None
    with _ZONES_LOCK:
        _ZONES[name] = found
    return found


def instant_of(at: object) -> datetime | date:
    """*at* as given to the pricing functions: an aware UTC datetime, or a bare date."""
    if isinstance(at, datetime):
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    if isinstance(at, date):
        return at
    msg = f"at must be a datetime.date or datetime.datetime, not {type(at).__name__}"
    raise InvalidTypeError(msg)


def now() -> datetime:
    """The current instant, in UTC."""
    return datetime.now(UTC)


def start_of(bound: date) -> datetime:
    """A period bound (a date: 00:00 UTC; a datetime: that instant) as an aware datetime."""
    if isinstance(bound, datetime):
        return bound
    return datetime(bound.year, bound.month, bound.day, tzinfo=UTC)


def within_day(bound: date | None, day: date) -> bool:
    """Whether *bound* is an instant strictly inside the UTC day *day* (not at its midnight)."""
    if not isinstance(bound, datetime):
        return False
    return bound.date() == day and (bound.hour, bound.minute, bound.second, bound.microsecond) != (
        0,
        0,
        0,
        0,
    )


def on_or_after(when: datetime | date, bound: date) -> bool:
    """Whether *when* (an instant or a UTC day) is at or after *bound*."""
    if isinstance(when, datetime):
        return when >= start_of(bound)
    if isinstance(bound, datetime):
        return when > bound.date() or (when == bound.date() and not within_day(bound, when))
    return when >= bound


def ambiguous_day(model: str, day: date, why: str) -> InvalidInputError:
    msg = (
        f"{model}: its price changes during {day.isoformat()} ({why}); pass at= a datetime "
        "(naive means UTC) to say when the request was made"
    )
    return InvalidInputError(msg)


def window_at(price: ModelPrice, when: datetime | date) -> PriceWindow | None:
    """The time window of *price* in force at *when*, if any (a bare date is refused)."""
    if not price.windows:
        return None
    if not isinstance(when, datetime):
        raise ambiguous_day(price.model, when, "it has time-of-day rates")
    local = when.astimezone(zone(price.windows[0].timezone))
    minute = local.hour * 60 + local.minute
    day, weekday = local.date(), local.weekday()
    for w in price.windows:
        start, end = w.minutes()
        if weekday in w.weekdays and start <= minute < end and day not in w.except_dates:
            return w
    return None
