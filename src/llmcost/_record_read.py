"""Reading a cost-log line: every field validated before a `CostRecord` is made of it.

`record_fields` turns one JSON line into the keyword arguments of `CostRecord`, or raises
`InvalidUsageError` naming the field: amounts must be non-negative decimal strings within
llmcost's exact bounds and total the sum of their lines; counts JSON integers; flags JSON
booleans. llmcost 0.1 lines (1-hour writes in their own field) still read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

import attrs

from ._errors import InvalidTypeError, InvalidUsageError
from ._money import CTX, exact, plain
from ._record_values import MAX_LINE, checked_name
from ._usage import AMOUNT_FIELDS, COUNT_FIELDS, Cost, Usage

_AMOUNT = re.compile(r"[0-9]{1,80}(?:\.[0-9]{1,80})?(?:[eE][+-]?[0-9]{1,6})?\Z")
OTEL_USAGE = frozenset({"input_tokens", "output_tokens", "cache_read_tokens", "reasoning_tokens"})
_DEFAULTS = {a.name: a.default for a in attrs.fields(Usage)}
EXTRA_USAGE = tuple(
    (f, f"llmcost.usage.{f}", _DEFAULTS[f]) for f in COUNT_FIELDS if f not in OTEL_USAGE
)
COST_KEYS = tuple((f, f"llmcost.cost.{f}") for f in AMOUNT_FIELDS)
EXTRA_KEYS = tuple((k, default) for _, k, default in EXTRA_USAGE)
LINE_KEYS = tuple(k for _, k in COST_KEYS)
get_extra = attrgetter(*(f for f, _, _ in EXTRA_USAGE))
get_lines = attrgetter(*AMOUNT_FIELDS)
DEFAULT_TAIL = tuple(_DEFAULTS[f] for f in COUNT_FIELDS[3:])
REASONING = COUNT_FIELDS.index("reasoning_tokens")
assert COUNT_FIELDS[3:7] == ("cache_write_5m_tokens", "cache_write_30m_tokens",
                             "cache_write_1h_tokens", "cache_write_12h_tokens")  # fmt: skip
# A priced record without other usage fields: 9 usage and name fields, 14 cost fields, tags.
PLAIN_SIZE = 9 + 14 + 1
_WRITES = tuple(k for f, k, _ in EXTRA_USAGE if f.startswith("cache_write_"))
_V01_1H = "llmcost.usage.cache_creation_1h.input_tokens"


def record_fields(line: str | bytes | bytearray) -> dict[str, Any]:
    """The keyword arguments of the `CostRecord` that *line* holds, validated."""
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
    return _from_fields(d)


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
    for name, key, default in EXTRA_USAGE:
        counts[name] = _get_int(d, key, default)
    writes = _get_int(d, "gen_ai.usage.cache_creation.input_tokens", 0)
    if not any(k in d for k in _WRITES):
        # An llmcost 0.1 line: the 1-hour writes have their own field, the rest are 5-minute.
        one_hour = _get_int(d, _V01_1H, 0)
        if one_hour > writes:
            raise _bad(_V01_1H, f"{one_hour} exceeds the cache writes ({writes})")
        counts["cache_write_1h_tokens"] = one_hour
        counts["cache_write_5m_tokens"] = writes - one_hour
    elif sum(counts[f] for f, k, _ in EXTRA_USAGE if k in _WRITES) != writes:
        key = "gen_ai.usage.cache_creation.input_tokens"
        raise _bad(key, f"{writes} is not the sum of the llmcost.usage.cache_write_* fields")
    tools = d.get("llmcost.usage.tool_calls", {})
    if not isinstance(tools, dict):
        raise _bad("llmcost.usage.tool_calls", "must be a JSON object")
    return Usage(**counts, tool_calls=tools)


def _cost_of(d: Mapping[str, Any], model: str, provider: str, usage: Usage) -> Cost:
    amounts: dict[str, Any] = {f: _get_amount(d, k, "0") for f, k in COST_KEYS}
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
        service_tier=checked_name(tier, "llmcost.service_tier"),
        speed=checked_name(speed, "llmcost.speed"),
        inference_geo=None if geo is None else checked_name(geo, "llmcost.inference_geo"),
        input_exact=_get_bool(d, "llmcost.input_exact", True),
    )


def _from_fields(d: Mapping[str, Any]) -> dict[str, Any]:
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
    return {
        "time": time,
        "request_model": request_model,
        "model": model,
        "provider": provider,
        "usage": usage,
        "cost": cost,
        "tags": tags,
        "unpriced_reason": reason,
    }
