"""`CostRecord`: one request as a `Tracker` keeps it, and its JSON line in a cost log.

The line (one JSON object, ASCII only, so every byte a reader sees is the writer's):

- ``time`` (ISO 8601, UTC), ``gen_ai.request.model``, ``gen_ai.response.model``,
  ``gen_ai.provider.name``;
- ``gen_ai.usage.input_tokens``, ``gen_ai.usage.output_tokens``,
  ``gen_ai.usage.cache_read.input_tokens``, ``gen_ai.usage.cache_creation.input_tokens`` (all
  cache writes), ``gen_ai.usage.reasoning.output_tokens``; ``llmcost.usage.<field>`` for each
  other `Usage` field that differs from its default (``tool_calls`` as an object);
- priced: ``gen_ai.usage.cost.amount`` (a decimal string), ``gen_ai.usage.cost.currency``
  ``"USD"``, ``gen_ai.usage.cost.source`` ``"local"``, ``llmcost.cost.<line>`` for each line of
  a `Cost`, ``llmcost.service_tier``, ``llmcost.speed``, ``llmcost.inference_geo``,
  ``llmcost.batch``, ``llmcost.input_exact``;
- unpriced: ``llmcost.unpriced`` true and ``llmcost.unpriced_reason`` when known;
- ``tags``.

Strings are exact: a record stores its text the way JSON reads it back (a surrogate pair
given as two code points is one character), and a lone surrogate is written as its ``\\udXXX``
escape. Reading validates every field (`CostRecord.from_json`), so a log cannot smuggle a
negative, NaN or inconsistent amount into a total or a `Budget`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from decimal import Decimal
from json.encoder import encode_basestring_ascii as _quote
from types import MappingProxyType
from typing import Any

import attrs

from ._errors import InvalidTypeError, InvalidUsageError, LLMCostError
from ._money import plain, usd
from ._record_read import (
    DEFAULT_TAIL,
    EXTRA_KEYS,
    REASONING,
    get_extra,
    get_lines,
    record_fields,
)
from ._record_values import MAX_LINE, checked_name, exact_text, json_tags, printable
from ._usage import Cost, Usage, get_counts

__all__ = ["MAX_LINE", "CostRecord", "exact_text", "json_tags", "printable"]


def _time(value: object) -> datetime:
    if not isinstance(value, datetime):
        msg = f"a record's time must be a datetime, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _cost(value: object) -> Cost | None:
    if value is not None and not isinstance(value, Cost):
        msg = f"a record's cost must be a Cost or None, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    return value


def _usage(value: object) -> Usage:
    if not isinstance(value, Usage):
        msg = f"a record's usage must be a Usage, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    return value


def _request_model(value: object) -> str:
    return checked_name(value, "request_model")


def _model(value: object) -> str:
    return checked_name(value, "model")


def _provider(value: object) -> str:
    return checked_name(value, "provider")


def _reason(value: object) -> str | None:
    return None if value is None else checked_name(value, "unpriced_reason")


_EMPTY: Mapping[str, object] = MappingProxyType({})


@attrs.frozen(kw_only=True)
class CostRecord:
    """One priced (or unpriced) request, as a `Tracker` records and logs it.

    `request_model` is the name as asked or as the response reported it; `model` and
    `provider` are the registry's canonical id and provider (empty when unpriced); `cost` is
    None for a request recorded unpriced, and `unpriced_reason` then says why when known.
    `tags` hold only values that a JSON round trip gives back unchanged (see `json_tags`).

    >>> from llmcost import Tracker, Usage
    >>> t = Tracker()
    >>> _ = t.record("gpt-4o", Usage(input_tokens=1_200, output_tokens=300), feature="search")
    >>> rec = t.records()[0]
    >>> rec.message()
    'gpt-4o 1,200 in / 300 out $0.006000'
    >>> CostRecord.from_json(rec.to_json()) == rec
    True
    """

    time: datetime = attrs.field(converter=_time)
    request_model: str = attrs.field(converter=_request_model)
    model: str = attrs.field(converter=_model)
    provider: str = attrs.field(converter=_provider)
    usage: Usage = attrs.field(converter=_usage)
    cost: Cost | None = attrs.field(converter=_cost)
    tags: Mapping[str, object] = attrs.field(default=_EMPTY, converter=json_tags, hash=False)
    unpriced_reason: str | None = attrs.field(default=None, converter=_reason)

    # The fields and the line, computed once (a logger and a CostLogHandler both need them).
    _cache: dict[str, Any] | None = attrs.field(
        init=False, default=None, eq=False, repr=False, hash=False
    )
    _line: str | None = attrs.field(init=False, default=None, eq=False, repr=False, hash=False)

    @classmethod
    def _priced(
        cls, request_model: str, c: Cost, tags: Mapping[str, object], time: datetime
    ) -> CostRecord:
        """A record of *c*, built without re-checking what `cost` already validated.

        Only the caller's parts (the name asked and the tags) are checked: 1 us less than the
        attrs initialiser (benchmarks/tracker_record.py).
        """
        rec = _new(cls)
        _set(rec, "time", time)
        _set(rec, "request_model", checked_name(request_model, "request_model"))
        _set(rec, "model", c.model)
        _set(rec, "provider", c.provider)
        _set(rec, "usage", c.usage)
        _set(rec, "cost", c)
        _set(rec, "tags", json_tags(tags) if tags else _EMPTY)
        _set(rec, "unpriced_reason", None)
        _set(rec, "_cache", None)
        _set(rec, "_line", None)
        return rec

    def fields(self) -> dict[str, object]:
        """The record under OpenTelemetry GenAI attribute names (plus llmcost's own): a new dict.

        >>> from llmcost import Tracker, Usage
        >>> t = Tracker()
        >>> _ = t.record("gpt-4o", Usage(input_tokens=1_200, output_tokens=300))
        >>> t.records()[0].fields()["gen_ai.usage.cost.amount"]
        '0.006'
        """
        out = dict(self._fields())
        out["tags"] = dict(out["tags"])
        if "llmcost.usage.tool_calls" in out:
            out["llmcost.usage.tool_calls"] = dict(out["llmcost.usage.tool_calls"])
        return out

    def _fields(self) -> dict[str, Any]:
        cached = self._cache
        if cached is not None:
            return cached
        u = self.usage
        n = get_counts(u)
        out: dict[str, Any] = {
            "time": _iso(self.time),
            "gen_ai.request.model": self.request_model,
            "gen_ai.response.model": self.model,
            "gen_ai.provider.name": self.provider,
            "gen_ai.usage.input_tokens": n[0],
            "gen_ai.usage.output_tokens": n[1],
            "gen_ai.usage.cache_read.input_tokens": n[2],
            "gen_ai.usage.cache_creation.input_tokens": n[3] + n[4] + n[5] + n[6],
            "gen_ai.usage.reasoning.output_tokens": n[REASONING],
        }
        if n[3:] != DEFAULT_TAIL:
            for (key, default), value in zip(EXTRA_KEYS, get_extra(u), strict=True):
                if value != default:
                    out[key] = value
        if u.tool_calls:
            out["llmcost.usage.tool_calls"] = dict(u.tool_calls)
        c = self.cost
        if c is None:
            out["llmcost.unpriced"] = True
            if self.unpriced_reason is not None:
                out["llmcost.unpriced_reason"] = self.unpriced_reason
        else:
            lines = get_lines(c)
            tier = c.service_tier
            out.update(
                {
                    "gen_ai.usage.cost.amount": _plain(c.total),
                    "gen_ai.usage.cost.currency": "USD",
                    "gen_ai.usage.cost.source": "local",
                    "llmcost.cost.input": _plain(lines[0]),
                    "llmcost.cost.cache_read": _plain(lines[1]),
                    "llmcost.cost.cache_write": _plain(lines[2]),
                    "llmcost.cost.output": _plain(lines[3]),
                    "llmcost.cost.tools": _plain(lines[4]),
                    "llmcost.cost.request_fees": _plain(lines[5]),
                    "llmcost.service_tier": tier,
                    "llmcost.speed": c.speed,
                    "llmcost.inference_geo": c.inference_geo,
                    "llmcost.batch": tier == "batch",
                    "llmcost.input_exact": c.input_exact,
                }
            )
        out["tags"] = self.tags  # read-only here; fields() and log records get a dict copy
        object.__setattr__(self, "_cache", out)
        return out

    def to_json(self) -> str:
        """One JSON line (ASCII, no newline); `from_json` reads it back exactly.

        The same text as ``json.dumps(fields(), ensure_ascii=True, separators=(",", ":"))``,
        built from fixed pieces: 2.5x faster (benchmarks/tracker_record.py).
        """
        line = self._line
        if line is not None:
            return line
        # Built from the record itself, not from fields(): a Tracker with only cost_log= never
        # needs the dict (1.5 us a record, benchmarks/tracker_record.py).
        u = self.usage
        n = get_counts(u)
        c = self.cost
        f = self._cache
        iso = f["time"] if f is not None else _iso(self.time)
        q = _quote
        line = (
            f'{{"time":"{iso}","gen_ai.request.model":{q(self.request_model)},'
            f'"gen_ai.response.model":{q(self.model)},"gen_ai.provider.name":{q(self.provider)},'
            f'"gen_ai.usage.input_tokens":{n[0]},"gen_ai.usage.output_tokens":{n[1]},'
            f'"gen_ai.usage.cache_read.input_tokens":{n[2]},'
            f'"gen_ai.usage.cache_creation.input_tokens":{n[3] + n[4] + n[5] + n[6]},'
            f'"gen_ai.usage.reasoning.output_tokens":{n[REASONING]}'
        )
        if n[3:] != DEFAULT_TAIL or u.tool_calls:
            extra: dict[str, object] = {}
            for (key, default), value in zip(EXTRA_KEYS, get_extra(u), strict=True):
                if value != default:
                    extra[key] = value
            if u.tool_calls:
                extra["llmcost.usage.tool_calls"] = dict(u.tool_calls)
            if extra:  # (reasoning tokens alone change the tail, not the extra fields)
                line += "," + _ENCODE(extra)[1:-1]
        if c is None:
            line += ',"llmcost.unpriced":true'
            if self.unpriced_reason is not None:
                line += f',"llmcost.unpriced_reason":{q(self.unpriced_reason)}'
        else:
            if f is not None:
                total = f["gen_ai.usage.cost.amount"]
                t_in, t_read, t_write, t_out, t_tools, t_fees = (
                    f["llmcost.cost.input"],
                    f["llmcost.cost.cache_read"],
                    f["llmcost.cost.cache_write"],
                    f["llmcost.cost.output"],
                    f["llmcost.cost.tools"],
                    f["llmcost.cost.request_fees"],
                )
            else:
                total = _plain(c.total)
                t_in, t_read, t_write, t_out, t_tools, t_fees = map(_plain, get_lines(c))
            tier, geo = c.service_tier, c.inference_geo
            line += (
                f',"gen_ai.usage.cost.amount":"{total}",'
                '"gen_ai.usage.cost.currency":"USD","gen_ai.usage.cost.source":"local",'
                f'"llmcost.cost.input":"{t_in}","llmcost.cost.cache_read":"{t_read}",'
                f'"llmcost.cost.cache_write":"{t_write}","llmcost.cost.output":"{t_out}",'
                f'"llmcost.cost.tools":"{t_tools}","llmcost.cost.request_fees":"{t_fees}",'
                f'"llmcost.service_tier":{q(tier)},"llmcost.speed":{q(c.speed)},'
                f'"llmcost.inference_geo":{"null" if geo is None else q(geo)},'
                f'"llmcost.batch":{"true" if tier == "batch" else "false"},'
                f'"llmcost.input_exact":{"true" if c.input_exact else "false"}'
            )
        line += f',"tags":{_tags_json(self.tags)}}}'
        object.__setattr__(self, "_line", line)
        return line

    @classmethod
    def from_json(cls, line: str | bytes) -> CostRecord:
        """The record a cost-log line holds (llmcost 0.1 lines too), validated field by field.

        Raises `InvalidUsageError` naming the field for a line that is not such a record: an
        amount that is negative, NaN, infinite or out of bounds, a total that is not the sum
        of its lines, a count or flag of the wrong JSON type (``"false"`` is not a boolean),
        an inconsistent usage.
        """
        try:
            return cls(**record_fields(line))
        except (InvalidUsageError, InvalidTypeError):
            raise
        except LLMCostError as e:  # a tag or name the record itself refuses
            raise InvalidUsageError(str(e)) from None

    def message(self) -> str:
        """One line for people: ``gpt-4o 1,200 in / 300 out $0.006000``.

        Control characters in the model name or the reason are escaped (`printable`), so a
        plain-text log shows one line per record whatever the names hold.
        """
        u = self.usage
        text = f"{printable(self.request_model)} {u.input_tokens:,} in / {u.output_tokens:,} out"
        if u.cache_read_tokens:
            text += f" ({u.cache_read_tokens:,} cached)"
        if self.cost is None:
            reason = self.unpriced_reason
            return text + (f" unpriced ({printable(reason)})" if reason else " unpriced")
        return f"{text} {usd(self.cost.total)}"


_new = object.__new__
_set = object.__setattr__


def _plain(amount: Decimal) -> str:
    """`plain` for the common amounts: most lines are zero, and `str` is plain notation for
    exponents down to -6 (two thirds of plain()'s time saved)."""
    if not amount:
        return "0"
    text = str(amount)
    if "E" in text:
        return plain(amount)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _tags_json(tags: Mapping[str, object]) -> str:
    """The JSON object of *tags*; flat text tags without the encoder's set-up cost."""
    if not tags:
        return "{}"
    if all(type(v) is str for v in tags.values()):
        return "{" + ",".join(f"{_quote(k)}:{_quote(v)}" for k, v in tags.items()) + "}"  # type: ignore[arg-type]
    return _ENCODE(dict(tags))


_SECOND: list[tuple[object, str]] = [((), "")]  # the last second formatted, and its text


def _iso(t: datetime) -> str:
    """``t.isoformat()``, reusing the text of the date and time to the second (records come
    many a second): a third of isoformat()'s time saved."""
    if t.tzinfo is not timezone.utc:
        return t.isoformat()
    key = (t.year, t.month, t.day, t.hour, t.minute, t.second)
    last = _SECOND[0]  # one read of one tuple: threads never see a key with another's text
    if last[0] != key:
        last = _SECOND[0] = (key, t.replace(microsecond=0, tzinfo=None).isoformat())
    us = t.microsecond
    return f"{last[1]}.{us:06d}+00:00" if us else f"{last[1]}+00:00"


_ENCODE = json.JSONEncoder(
    ensure_ascii=True, separators=(",", ":"), allow_nan=False, check_circular=False
).encode
