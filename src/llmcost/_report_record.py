"""The careful reading of one cost-log line or `CostRecord`: validated, or a reason why not.

`cost_report`'s fast path (`llmcost._report_lines`) hands every line it does not recognise to
`decode` and `read_record` / `read_response`. The checks: amounts are decimal strings within
`llmcost._money.exact`'s bounds, non-negative, and the six cost lines sum to the total; the
token counts make a valid `Usage` whose cache writes by TTL sum to ``cache_creation``; the
booleans are JSON booleans; the time is an ISO date-time; the currency is USD.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ._errors import LLMCostError, UnknownModelError
from ._money import MAX_COUNT, SUM_CTX, ZERO, exact, plain
from ._names import MAX_NAME
from ._usage import AMOUNT_FIELDS, CACHE_WRITE_FIELDS, COUNT_FIELDS, Usage

if TYPE_CHECKING:
    from ._registry import Registry

_TIME = "time"
_MODEL = "gen_ai.response.model"
_PROVIDER = "gen_ai.provider.name"
_IN = "gen_ai.usage.input_tokens"
_OUT = "gen_ai.usage.output_tokens"
_READ = "gen_ai.usage.cache_read.input_tokens"
_WRITE = "gen_ai.usage.cache_creation.input_tokens"
_REASONING = "gen_ai.usage.reasoning.output_tokens"
_AMOUNT = "gen_ai.usage.cost.amount"
_CURRENCY = "gen_ai.usage.cost.currency"
_LINE_KEYS = tuple(f"llmcost.cost.{f}" for f in AMOUNT_FIELDS)
_TIER = "llmcost.service_tier"
_BATCH = "llmcost.batch"
_EXACT = "llmcost.input_exact"
_UNPRICED = "llmcost.unpriced"
_TOOLS = "llmcost.usage.tool_calls"
_OLD_1H = "llmcost.usage.cache_creation_1h.input_tokens"  # llmcost 0.1
_OTEL_COUNTS = {
    _IN: "input_tokens",
    _OUT: "output_tokens",
    _READ: "cache_read_tokens",
    _REASONING: "reasoning_tokens",
}
_EXTRA = tuple(f for f in COUNT_FIELDS if f not in _OTEL_COUNTS.values())
#: What a record adds up to: its group key, its amounts (total first), its usage.
Found = tuple[object, tuple[Decimal, ...], Usage]


class LineError(Exception):
    """A log line or record that cannot be counted; the message says why."""


def json_key(value: object) -> object:
    """A tag value as a group key: strings and None as they are, anything else as JSON text.

    Other scalars are kept apart from strings (and 1 from True) as ``("json", text)``.
    """
    if value is None or type(value) is str:
        return value
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    if isinstance(value, (bool, int, float)):
        return ("json", text)
    return text


def public_key(key: object) -> object:
    """The group key as the report shows it (``("json", "1")`` becomes ``1``)."""
    if type(key) is tuple:
        return json.loads(key[1])
    return key


def _money(d: dict[str, Any], field: str, *, required: bool = False) -> Decimal:
    value = d.get(field)
    if value is None and not required and field not in d:
        return ZERO
    if type(value) is not str:
        msg = f'{field} must be a decimal string such as "0.006", got {_short(value)}'
        raise LineError(msg)
    try:
        amount = Decimal(value.strip()) if len(value) <= 200 else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not exact(amount) or amount < 0:
        msg = (
            f"{field} {_short(value)} is not an amount llmcost adds exactly (a finite, "
            "non-negative decimal of at most 60 digits, exponent within ±40)"
        )
        raise LineError(msg)
    return amount


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _string(d: dict[str, Any], field: str, *, none: bool = False) -> str | None:
    value = d.get(field)
    if type(value) is str or (none and value is None):
        return value
    msg = f"{field} must be a string, got {_short(value)}"
    raise LineError(msg)


def _count(d: dict[str, Any], field: str) -> object:
    if field not in d:
        msg = f"cost record without {field!r}"
        raise LineError(msg)
    return d[field]


def check_sum(amounts: tuple[Decimal, ...]) -> None:
    """`LineError` unless the lines (all but the first amount) sum to the total (the first)."""
    total, *lines = amounts
    parts = ZERO
    for amount in lines:
        parts = SUM_CTX.add(parts, amount)
    if parts != total:
        msg = (
            f"the cost lines ({', '.join(AMOUNT_FIELDS)}) sum to {plain(parts)}, not to "
            f"the total {plain(total)}"
        )
        raise LineError(msg)


def check_model(value: object, field: str) -> str:
    """*value* if it can be a model name, else `LineError`."""
    if type(value) is not str:
        msg = f"{field} must be a string, got {_short(value)}"
        raise LineError(msg)
    if len(value) > MAX_NAME:
        msg = f"{field} {value[:40]!r}... is longer than {MAX_NAME} characters: not a model"
        raise LineError(msg)
    return value


def decode(raw: bytes | None) -> dict[str, Any] | None:
    """A line as a JSON object (None: a blank line); else `LineError` saying why."""
    if raw is None:
        msg = "line too long (a cost record is a few hundred bytes)"
        raise LineError(msg)
    try:
        line = raw.decode()
    except UnicodeDecodeError as e:
        msg = f"not UTF-8 text (byte {e.start + 1})"
        raise LineError(msg) from None
    if not line.strip():
        return None
    try:
        d = json.loads(line)
    except json.JSONDecodeError as e:
        msg = f"not JSON: {e.msg} (column {e.colno})"
        raise LineError(msg) from None
    except RecursionError:
        msg = "not JSON: nested too deeply"
        raise LineError(msg) from None
    except ValueError as e:  # an integer of more than 4,300 digits
        msg = f"not JSON llmcost reads: {e}"
        raise LineError(msg[:200]) from None
    if not isinstance(d, dict):
        msg = f"expected a JSON object, got {type(d).__name__}"
        raise LineError(msg)
    return d


def read_record(d: dict[str, Any], by: str, tag: str | None) -> Found | None:
    """A cost record's group key, amounts and usage, validated; None when it is unpriced."""
    unpriced = d.get(_UNPRICED, False)
    if type(unpriced) is not bool:
        msg = f"{_UNPRICED} must be a JSON boolean, got {_short(unpriced)}"
        raise LineError(msg)
    if _AMOUNT not in d:
        if not unpriced:
            msg = f"cost record without {_AMOUNT!r}"
            raise LineError(msg)
        return None
    if unpriced:
        msg = f"a record with {_AMOUNT} cannot be {_UNPRICED}"
        raise LineError(msg)
    total = _money(d, _AMOUNT, required=True)
    currency = d.get(_CURRENCY, "USD")
    if currency != "USD":
        msg = f"{_CURRENCY} is {_short(currency)}: llmcost adds up USD only"
        raise LineError(msg)
    amounts = (total, *(_money(d, k) for k in _LINE_KEYS))
    check_sum(amounts)
    for field in (_BATCH, _EXACT):
        if field in d and type(d[field]) is not bool:
            msg = f"{field} must be a JSON boolean, got {_short(d[field])}"
            raise LineError(msg)
    if _TIER in d and _BATCH in d and (d[_TIER] == "batch") is not d[_BATCH]:
        msg = f"{_BATCH} {d[_BATCH]} contradicts {_TIER} {_short(d[_TIER])}"
        raise LineError(msg)
    model = check_model(d.get(_MODEL), _MODEL)
    day = _day(d.get(_TIME))
    tags = d.get("tags")
    if tags is None:
        tags = {}
    if not isinstance(tags, dict):
        msg = f"tags must be a JSON object, got {_short(tags)}"
        raise LineError(msg)
    usage = _usage(d)
    key: object
    if by == "model":
        key = model
    elif by == "provider":
        key = _string(d, _PROVIDER)
    elif by == "day":
        key = day
    else:
        key = json_key(tags.get(tag))
    return key, amounts, usage


def read_response(d: dict[str, Any], by: str, registry: Registry | None) -> Found:
    """A raw provider response, priced with `cost_of_response` as of its creation."""
    from ._responses import cost_of_response

    when = _created(d)
    try:
        c = cost_of_response(d, at=when, registry=registry)
    except UnknownModelError as e:
        msg = "provider response: " + (e.reason or f"unknown model {_short(e.model)}")
        if e.suggestions:
            msg += "; did you mean " + ", ".join(repr(s) for s in e.suggestions) + "?"
        raise LineError(msg) from None
    except (LLMCostError, RecursionError) as e:
        raise LineError(f"provider response: {e}") from None
    key: object
    if by == "model":
        key = c.model
    elif by == "provider":
        key = c.provider
    elif by == "day":
        key = when.date().isoformat() if when else None
    else:
        key = None  # a raw response has no tags
    return key, (c.total, *(getattr(c, f) for f in AMOUNT_FIELDS)), c.usage


def _day(value: object) -> str:
    """The UTC day of a record's ISO time (naive means UTC)."""
    when = None
    if type(value) is str:
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            when = None
    if not isinstance(when, datetime):
        msg = f"time must be an ISO date-time, got {_short(value)}"
        raise LineError(msg)
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.date().isoformat()


def _usage(d: dict[str, Any]) -> Usage:
    """The record's `Usage`: the OpenTelemetry counts plus llmcost's own (0.1 lines too)."""
    counts: dict[str, Any] = {f: _count(d, k) for k, f in _OTEL_COUNTS.items()}
    for field in _EXTRA:
        key = f"llmcost.usage.{field}"
        if key in d:
            counts[field] = d[key]
    writes = _count(d, _WRITE)
    if type(writes) is not int or not 0 <= writes <= MAX_COUNT:
        msg = f"{_WRITE} must be a non-negative integer, got {_short(writes)}"
        raise LineError(msg)
    if _OLD_1H in d and "cache_write_1h_tokens" not in counts:
        counts["cache_write_1h_tokens"] = d[_OLD_1H]
    try:
        return _checked_usage(counts, writes, d.get(_TOOLS) or {})
    except LLMCostError as e:
        raise LineError(f"usage: {e}") from None


def _checked_usage(counts: dict[str, Any], writes: int, tools: object) -> Usage:
    """A `Usage` of *counts* whose cache writes by TTL sum to *writes* (`cache_creation`)."""
    if "cache_write_5m_tokens" not in counts:
        # Writes without a TTL split are 5-minute writes (Anthropic's default; llmcost 0.1).
        others = [counts.get(f, 0) for f in CACHE_WRITE_FIELDS[1:]]
        if all(type(n) is int for n in others):
            counts["cache_write_5m_tokens"] = writes - sum(others)
    for field, n in counts.items():
        # Checked here too: Usage() lets a falsy non-int part (None, 0.0, False) through.
        if type(n) is not int:
            msg = f"{field} must be a non-negative integer, got {_short(n)}"
            raise LineError(msg)
    try:
        usage = Usage(**counts, tool_calls=tools)
    except TypeError as e:
        raise LineError(f"usage: {e}") from None
    if usage.cache_write_tokens != writes:
        msg = f"{_WRITE} is {writes}, but the cache writes by TTL sum to {usage.cache_write_tokens}"
        raise LineError(msg)
    return usage


def _created(d: dict[str, Any]) -> datetime | None:
    """When a raw response was made (OpenAI's ``created``, as a UTC instant), if it says."""
    for field in ("created", "created_at"):
        value = d.get(field)
        if type(value) is int and value > 0:
            try:
                return datetime.fromtimestamp(value, timezone.utc)
            except (OverflowError, OSError, ValueError):
                return None
    return None


def day_order(key: object) -> tuple[bool, str]:
    """Sort key for days: oldest first, None (unknown) last."""
    return key is None, str(key)
