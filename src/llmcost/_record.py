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
import math
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from decimal import Decimal
from json.encoder import encode_basestring_ascii as _quote
from operator import attrgetter
from types import MappingProxyType
from typing import Any

import attrs

from ._errors import InvalidInputError, InvalidTypeError, InvalidUsageError, LLMCostError
from ._money import CTX, exact, plain, usd
from ._usage import AMOUNT_FIELDS, COUNT_FIELDS, Cost, Usage, get_counts

__all__ = ["MAX_LINE", "CostRecord", "exact_text", "json_tags", "printable"]

#: Longest model name, provider, reason or tag name a record keeps (characters).
MAX_NAME = 1_000
#: Most tags on one record, and the most characters their names and string values add up to.
MAX_TAGS = 64
MAX_TAG_TEXT = 16_384
#: Deepest nesting of lists and objects in a tag value, and their most items in all.
MAX_TAG_DEPTH = 8
MAX_TAG_ITEMS = 1_000
#: Integers in tags stay below 10**100 in magnitude (JSON reads them back exactly).
MAX_TAG_INT = 10**100
#: Longest cost-log line `from_json` reads (characters); the limits above keep every line
#: llmcost writes far below it.
MAX_LINE = 1 << 20

_SURROGATE = re.compile("[\ud800-\udfff]")
_AMOUNT = re.compile(r"[0-9]{1,80}(?:\.[0-9]{1,80})?(?:[eE][+-]?[0-9]{1,6})?\Z")


def exact_text(text: str) -> str:
    """*text* as JSON reads it back: surrogate pairs joined, lone surrogates kept."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def printable(text: str) -> str:
    """*text* with every character `str.isprintable` refuses written as a ``\\x``/``\\u`` escape.

    For log messages and terminals: a newline, ANSI escape, U+2028 or lone surrogate in a
    model name cannot start a line or move the cursor.

    >>> printable("gpt-4o\\n2025-01-01 INFO fake")
    'gpt-4o\\\\n2025-01-01 INFO fake'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _name(value: object, what: str) -> str:
    if type(value) is not str:
        if not isinstance(value, str):
            msg = f"{what} must be a str, not {type(value).__name__}"
            raise InvalidTypeError(msg)
        value = str.__str__(value)  # a str subclass (an enum) as the plain text it reads back
    if len(value) > MAX_NAME:
        msg = f"{what} is {len(value):,} characters long; a cost record keeps at most {MAX_NAME:,}"
        raise InvalidInputError(msg)
    return exact_text(value)


class _Budget:
    __slots__ = ("items", "text")

    def __init__(self) -> None:
        self.text = MAX_TAG_TEXT
        self.items = MAX_TAG_ITEMS


def _tag_text(value: str, where: str, budget: _Budget) -> str:
    budget.text -= len(value)
    if budget.text < 0:
        msg = (
            f"tag {where}: the tags' names and text add up to more than {MAX_TAG_TEXT:,} "
            "characters; tags are labels (pass an id, not a document)"
        )
        raise InvalidInputError(msg)
    return exact_text(value)


_HINTS = {
    "Decimal": "pass str(value) or an int",
    "tuple": "pass a list",
    "set": "pass a sorted list",
    "frozenset": "pass a sorted list",
    "bytes": "pass text, e.g. value.hex()",
    "bytearray": "pass text, e.g. value.hex()",
    "datetime": "pass value.isoformat()",
    "date": "pass value.isoformat()",
}


def _tag_value(value: object, where: str, budget: _Budget, depth: int) -> object:
    """*value* as its JSON round trip gives it back, or a clear refusal."""
    t = type(value)
    if t is str:
        return _tag_text(value, where, budget)  # type: ignore[arg-type]
    if value is None or t is bool:
        return value
    if t is int:
        if -MAX_TAG_INT < value < MAX_TAG_INT:  # type: ignore[operator]
            return value
        msg = f"tag {where}: the int has more than 100 digits"
        raise InvalidInputError(msg)
    if t is float:
        if math.isfinite(value):  # type: ignore[arg-type]
            return value
        msg = f"tag {where}: {value!r} is not a JSON number"
        raise InvalidInputError(msg)
    if isinstance(value, (list, dict)):
        budget.items -= len(value)
        if depth >= MAX_TAG_DEPTH or budget.items < 0:
            msg = (
                f"tag {where}: nested deeper than {MAX_TAG_DEPTH} levels or with more than "
                f"{MAX_TAG_ITEMS:,} items"
            )
            raise InvalidInputError(msg)
        if isinstance(value, list):
            return [_tag_value(v, f"{where}[{i}]", budget, depth + 1) for i, v in enumerate(value)]
        out: dict[str, object] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                msg = (
                    f"tag {where}: object keys must be str (JSON turns {k!r:.40} into a "
                    "string), so the log would not read back the same value"
                )
                raise InvalidTypeError(msg)
            key = _tag_text(str.__str__(k), where, budget)
            out[key] = _tag_value(v, f"{where}[{k!r:.40}]", budget, depth + 1)
        return out
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return _tag_text(str.__str__(value), where, budget)  # enum members and other subclasses
    if isinstance(value, int):
        return _tag_value(int(value), where, budget, depth)
    if isinstance(value, float):
        return _tag_value(float(value), where, budget, depth)
    hint = _HINTS.get(t.__name__, "pass a str, int, float, bool, None, list or str-keyed dict")
    msg = f"tag {where}: a {t.__name__} does not survive the JSON cost log unchanged; {hint}"
    raise InvalidTypeError(msg)


def json_tags(tags: Mapping[str, object]) -> Mapping[str, object]:
    """The tags of a record, validated: values that a JSON round trip gives back unchanged.

    Allowed: str, int (below 10**100 in magnitude), finite float, bool, None, and lists and
    str-keyed dicts of these (nested at most 8 deep); subclasses (enums) are stored as their
    base value. Anything else (Decimal, tuple, set, bytes, datetime, int-keyed dicts, ...) is
    refused with `InvalidTypeError`, because the log would read back a different value; and
    the tags' names and text add up to at most `MAX_TAG_TEXT` characters.
    """
    if not isinstance(tags, Mapping):
        msg = f"tags must be a mapping, not {type(tags).__name__}"
        raise InvalidTypeError(msg)
    if len(tags) > MAX_TAGS:
        msg = f"{len(tags)} tags on one record; at most {MAX_TAGS}"
        raise InvalidInputError(msg)
    budget = _Budget()
    out: dict[str, object] = {}
    for name, value in tags.items():
        if type(name) is not str:
            if not isinstance(name, str):
                msg = f"tag names must be str, not {type(name).__name__}"
                raise InvalidTypeError(msg)
            name = str.__str__(name)
        where = repr(name) if len(name) <= 40 else repr(name[:37] + "...")
        out[_tag_text(name, where, budget)] = _tag_value(value, where, budget, 0)
    return MappingProxyType(out)


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
    return _name(value, "request_model")


def _model(value: object) -> str:
    return _name(value, "model")


def _provider(value: object) -> str:
    return _name(value, "provider")


def _reason(value: object) -> str | None:
    return None if value is None else _name(value, "unpriced_reason")


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
        _set(rec, "request_model", _name(request_model, "request_model"))
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
        counts = get_counts(u)
        out: dict[str, Any] = {
            "time": self.time.isoformat(),
            "gen_ai.request.model": self.request_model,
            "gen_ai.response.model": self.model,
            "gen_ai.provider.name": self.provider,
            "gen_ai.usage.input_tokens": counts[0],
            "gen_ai.usage.output_tokens": counts[1],
            "gen_ai.usage.cache_read.input_tokens": counts[2],
            "gen_ai.usage.cache_creation.input_tokens": u.cache_write_tokens,
            "gen_ai.usage.reasoning.output_tokens": u.reasoning_tokens,
        }
        if counts[3:] != _DEFAULT_TAIL:
            for (key, default), value in zip(_EXTRA_KEYS, _get_extra(u), strict=True):
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
            out["gen_ai.usage.cost.amount"] = _plain(c.total)
            out["gen_ai.usage.cost.currency"] = "USD"
            out["gen_ai.usage.cost.source"] = "local"
            for key, amount in zip(_LINE_KEYS, _get_lines(c), strict=True):
                out[key] = _plain(amount)
            out["llmcost.service_tier"] = c.service_tier
            out["llmcost.speed"] = c.speed
            out["llmcost.inference_geo"] = c.inference_geo
            out["llmcost.batch"] = c.service_tier == "batch"
            out["llmcost.input_exact"] = c.input_exact
        out["tags"] = dict(self.tags)
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
        f = self._fields()
        q = _quote
        line = (
            f'{{"time":{q(f["time"])},"gen_ai.request.model":{q(self.request_model)},'
            f'"gen_ai.response.model":{q(self.model)},"gen_ai.provider.name":{q(self.provider)},'
            f'"gen_ai.usage.input_tokens":{f["gen_ai.usage.input_tokens"]},'
            f'"gen_ai.usage.output_tokens":{f["gen_ai.usage.output_tokens"]},'
            f'"gen_ai.usage.cache_read.input_tokens":{f["gen_ai.usage.cache_read.input_tokens"]},'
            '"gen_ai.usage.cache_creation.input_tokens":'
            f"{f['gen_ai.usage.cache_creation.input_tokens']},"
            f'"gen_ai.usage.reasoning.output_tokens":{f["gen_ai.usage.reasoning.output_tokens"]}'
        )
        if len(f) != _PLAIN_SIZE:  # other usage fields or tool calls
            extra = {k: v for k, v in f.items() if k.startswith("llmcost.usage.")}
            if extra:
                line += "," + _ENCODE(extra)[1:-1]
        c = self.cost
        if c is None:
            line += ',"llmcost.unpriced":true'
            if self.unpriced_reason is not None:
                line += f',"llmcost.unpriced_reason":{q(self.unpriced_reason)}'
        else:
            geo = c.inference_geo
            line += (
                f',"gen_ai.usage.cost.amount":"{f["gen_ai.usage.cost.amount"]}",'
                '"gen_ai.usage.cost.currency":"USD","gen_ai.usage.cost.source":"local",'
                f'"llmcost.cost.input":"{f["llmcost.cost.input"]}",'
                f'"llmcost.cost.cache_read":"{f["llmcost.cost.cache_read"]}",'
                f'"llmcost.cost.cache_write":"{f["llmcost.cost.cache_write"]}",'
                f'"llmcost.cost.output":"{f["llmcost.cost.output"]}",'
                f'"llmcost.cost.tools":"{f["llmcost.cost.tools"]}",'
                f'"llmcost.cost.request_fees":"{f["llmcost.cost.request_fees"]}",'
                f'"llmcost.service_tier":{q(c.service_tier)},"llmcost.speed":{q(c.speed)},'
                f'"llmcost.inference_geo":{"null" if geo is None else q(geo)},'
                f'"llmcost.batch":{"true" if f["llmcost.batch"] else "false"},'
                f'"llmcost.input_exact":{"true" if c.input_exact else "false"}'
            )
        tags = f["tags"]
        line += f',"tags":{_ENCODE(tags) if tags else "{}"}}}'
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
        if not isinstance(line, (str, bytes, bytearray)):
            msg = f"a cost record line must be str or bytes, not {type(line).__name__}"
            raise InvalidTypeError(msg)
        if len(line) > MAX_LINE:
            msg = f"the line is longer than {MAX_LINE:,} characters"
            raise InvalidUsageError(msg)
        try:
            d = json.loads(line, parse_constant=_no_constant, parse_int=_parse_int)
        except (ValueError, RecursionError) as e:
            msg = f"not a JSON line: {e}" if isinstance(e, ValueError) else "nested too deep"
            raise InvalidUsageError(msg) from None
        if not isinstance(d, dict):
            msg = "a cost record line must be a JSON object"
            raise InvalidUsageError(msg)
        try:
            return _from_fields(d)
        except InvalidUsageError:
            raise
        except LLMCostError as e:
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
    return "0" if not amount else plain(amount)  # most lines are zero: 0.25 us each saved


_ENCODE = json.JSONEncoder(
    ensure_ascii=True, separators=(",", ":"), allow_nan=False, check_circular=False
).encode
_OTEL_USAGE = frozenset({"input_tokens", "output_tokens", "cache_read_tokens", "reasoning_tokens"})
_DEFAULTS = {a.name: a.default for a in attrs.fields(Usage)}
_EXTRA_USAGE = tuple(
    (f, f"llmcost.usage.{f}", _DEFAULTS[f]) for f in COUNT_FIELDS if f not in _OTEL_USAGE
)
_COST_KEYS = tuple((f, f"llmcost.cost.{f}") for f in AMOUNT_FIELDS)
_EXTRA_KEYS = tuple((k, default) for _, k, default in _EXTRA_USAGE)
_LINE_KEYS = tuple(k for _, k in _COST_KEYS)
_get_extra = attrgetter(*(f for f, _, _ in _EXTRA_USAGE))
_get_lines = attrgetter(*AMOUNT_FIELDS)
_DEFAULT_TAIL = tuple(_DEFAULTS[f] for f in COUNT_FIELDS[3:])
# A priced record without other usage fields: 9 usage and name fields, 14 cost fields, tags.
_PLAIN_SIZE = 9 + 14 + 1
_WRITES = tuple(k for f, k, _ in _EXTRA_USAGE if f.startswith("cache_write_"))
_V01_1H = "llmcost.usage.cache_creation_1h.input_tokens"


def _no_constant(name: str) -> object:
    msg = f"{name} is not a JSON number"
    raise ValueError(msg)


def _parse_int(text: str) -> int:
    if len(text) > 101:
        msg = f"integer {text[:20]}... has more than 100 digits"
        raise ValueError(msg)
    return int(text)


_REQUIRED = object()


def _bad(key: str, problem: str) -> InvalidUsageError:
    return InvalidUsageError(f"field {key!r}: {problem}")


def _get_int(d: Mapping[str, Any], key: str, default: object = _REQUIRED) -> int:
    value = d.get(key, default)
    if value is _REQUIRED:
        raise _bad(key, "missing")
    if type(value) is not int:
        raise _bad(key, f"must be a JSON integer, not {value!r:.40}")
    return value


def _get_str(d: Mapping[str, Any], key: str, default: object = _REQUIRED) -> Any:
    value = d.get(key, default)
    if value is _REQUIRED:
        raise _bad(key, "missing")
    if value is not None and type(value) is not str:
        raise _bad(key, f"must be a JSON string, not {value!r:.40}")
    return value


def _get_bool(d: Mapping[str, Any], key: str, default: bool) -> bool:
    value = d.get(key, default)
    if type(value) is not bool:
        raise _bad(key, f"must be true or false, not {value!r:.40}")
    return value


def _get_amount(d: Mapping[str, Any], key: str, default: object = _REQUIRED) -> Decimal:
    value = d.get(key, default)
    if value is _REQUIRED:
        raise _bad(key, "missing")
    if type(value) is not str or _AMOUNT.match(value) is None:
        raise _bad(key, f"must be a non-negative decimal string such as '0.006', not {value!r:.40}")
    try:
        amount = CTX.create_decimal(value)
    except ArithmeticError:
        amount = Decimal("NaN")
    if not exact(amount):
        raise _bad(key, f"{value!r:.40} is outside the amounts llmcost computes exactly")
    return amount


def _usage_of(d: Mapping[str, Any]) -> Usage:
    counts: dict[str, Any] = {
        "input_tokens": _get_int(d, "gen_ai.usage.input_tokens"),
        "output_tokens": _get_int(d, "gen_ai.usage.output_tokens"),
        "cache_read_tokens": _get_int(d, "gen_ai.usage.cache_read.input_tokens"),
        "reasoning_tokens": _get_int(d, "gen_ai.usage.reasoning.output_tokens", 0),
    }
    for name, key, default in _EXTRA_USAGE:
        counts[name] = _get_int(d, key, default)
    writes = _get_int(d, "gen_ai.usage.cache_creation.input_tokens", 0)
    if not any(k in d for k in _WRITES):
        # An llmcost 0.1 line: the 1-hour writes have their own field, the rest are 5-minute.
        one_hour = _get_int(d, _V01_1H, 0)
        if one_hour > writes:
            raise _bad(_V01_1H, f"{one_hour} exceeds the cache writes ({writes})")
        counts["cache_write_1h_tokens"] = one_hour
        counts["cache_write_5m_tokens"] = writes - one_hour
    elif sum(counts[f] for f, k, _ in _EXTRA_USAGE if k in _WRITES) != writes:
        key = "gen_ai.usage.cache_creation.input_tokens"
        raise _bad(key, f"{writes} is not the sum of the llmcost.usage.cache_write_* fields")
    tools = d.get("llmcost.usage.tool_calls", {})
    if not isinstance(tools, dict):
        raise _bad("llmcost.usage.tool_calls", "must be a JSON object")
    return Usage(**counts, tool_calls=tools)


def _cost_of(d: Mapping[str, Any], model: str, provider: str, usage: Usage) -> Cost:
    amounts: dict[str, Any] = {f: _get_amount(d, k, "0") for f, k in _COST_KEYS}
    total = _get_amount(d, "gen_ai.usage.cost.amount")
    parts = CTX.add(
        CTX.add(CTX.add(amounts["input"], amounts["cache_read"]), amounts["cache_write"]),
        amounts["output"],
    )
    parts = CTX.add(CTX.add(parts, amounts["tools"]), amounts["request_fees"])
    if parts != total:
        raise _bad(
            "gen_ai.usage.cost.amount",
            f"{plain(total)} is not the sum of its lines ({plain(parts)})",
        )
    currency = _get_str(d, "gen_ai.usage.cost.currency", "USD")
    if currency != "USD":
        raise _bad("gen_ai.usage.cost.currency", f"{currency!r:.40} is not 'USD'")
    batch = _get_bool(d, "llmcost.batch", False)
    tier = _get_str(d, "llmcost.service_tier", None)
    if tier is None:
        tier = "batch" if batch else "standard"
    elif batch != (tier == "batch"):
        raise _bad("llmcost.batch", f"{batch} contradicts llmcost.service_tier {tier!r:.40}")
    speed = _get_str(d, "llmcost.speed", None) or "standard"
    geo = _get_str(d, "llmcost.inference_geo", None)
    return Cost(
        model=model,
        provider=provider,
        usage=usage,
        **amounts,
        total=total,
        service_tier=_name(tier, "llmcost.service_tier"),
        speed=_name(speed, "llmcost.speed"),
        inference_geo=None if geo is None else _name(geo, "llmcost.inference_geo"),
        input_exact=_get_bool(d, "llmcost.input_exact", True),
    )


def _from_fields(d: Mapping[str, Any]) -> CostRecord:
    when = _get_str(d, "time")
    if when is None or len(when) > 64:
        raise _bad("time", f"must be an ISO 8601 time, not {when!r:.40}")
    try:
        time = datetime.fromisoformat(when)
    except ValueError:
        raise _bad("time", f"{when!r} is not an ISO 8601 time") from None
    model = _get_str(d, "gen_ai.response.model")
    provider = _get_str(d, "gen_ai.provider.name")
    request_model = _get_str(d, "gen_ai.request.model")
    for key, value in (
        ("gen_ai.response.model", model),
        ("gen_ai.provider.name", provider),
        ("gen_ai.request.model", request_model),
    ):
        if value is None:
            raise _bad(key, "must be a JSON string, not null")
    usage = _usage_of(d)
    unpriced = _get_bool(d, "llmcost.unpriced", False)
    reason = _get_str(d, "llmcost.unpriced_reason", None)
    if unpriced:
        if "gen_ai.usage.cost.amount" in d:
            raise _bad("llmcost.unpriced", "the line is unpriced and has an amount")
        cost = None
    else:
        if reason is not None:
            raise _bad("llmcost.unpriced_reason", "a priced line has no unpriced reason")
        cost = _cost_of(d, model, provider, usage)
    tags = d.get("tags", {})
    if tags is None:  # llmcost 0.1 could write a null
        tags = {}
    if not isinstance(tags, dict):
        raise _bad("tags", "must be a JSON object")
    return CostRecord(
        time=time,
        request_model=request_model,
        model=model,
        provider=provider,
        usage=usage,
        cost=cost,
        tags=tags,
        unpriced_reason=reason,
    )
