"""The accumulator behind `cost_report`: cost-log lines and `CostRecord`s into per-group sums.

A fast path reads the common record (the shape `CostRecord.to_json` writes for a request
without cache writes, media, tools or request fees) with a handful of dict lookups; every
other line takes the careful path, which accepts exactly what the fast path would and says
what is wrong with the rest. Both validate the same way: amounts are decimal strings within
`llmcost._money.exact`'s bounds, non-negative, and the cost lines sum to the total; token
counts are a valid `Usage`; booleans are JSON booleans; the time is an ISO date-time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from decimal import (
    Clamped,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    Rounded,
    Underflow,
    localcontext,
)
from typing import TYPE_CHECKING, Any

from ._errors import LLMCostError, UnknownModelError
from ._money import MAX_COUNT, ZERO, exact, plain
from ._names import MAX_NAME
from ._usage import AMOUNT_FIELDS, CACHE_WRITE_FIELDS, COUNT_FIELDS, Usage, get_counts

if TYPE_CHECKING:
    from ._registry import Registry
    from ._tracker import CostRecord

# Amounts within `exact`'s bounds span at most 140 digits (10**100 down to 10**-40); 200 digits
# of precision hold exact sums of 10**60 of them. Every signal is trapped: nothing rounds.
SUM_CTX = Context(
    prec=200,
    Emax=100_000,
    Emin=-100_000,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact, Rounded, Underflow, Clamped],
)

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
#: The keys of the common record: a line with exactly these takes the fast path.
_COMMON_KEYS = 24

# The sums of one group, in one list (the hot loop adds to it in place): the record count, the
# total and the six cost lines, every Usage count in COUNT_FIELDS order, the tool uses.
_N_AMOUNTS = 1 + len(AMOUNT_FIELDS)
_C = 1 + _N_AMOUNTS  # where the counts start
_I_IN, _I_OUT, _I_READ = (_C + COUNT_FIELDS.index(f) for f in COUNT_FIELDS[:3])
_I_REASONING = _C + COUNT_FIELDS.index("reasoning_tokens")
_I_REQUESTS = _C + COUNT_FIELDS.index("requests")
_I_TOOLS = _C + len(COUNT_FIELDS)
#: Plain decimal strings this long or shorter are within `exact`'s bounds.
_PLAIN_MAX = 41


def new_group() -> list[Any]:
    """Zero sums for a new group."""
    return [0, *([ZERO] * _N_AMOUNTS), *([0] * len(COUNT_FIELDS)), {}]


def finished(g: list[Any]) -> list[Any]:
    """The sums of a group as a report shows them.

    While adding, the total is left out (it is the sum of the lines, checked per record) and
    the requests count only those beyond one per record: the hot loop then adds less.
    """
    out = list(g)
    total = ZERO
    for k in range(2, _C):
        total = SUM_CTX.add(total, g[k])
    out[1] = total
    out[_I_REQUESTS] = g[_I_REQUESTS] + g[0]
    return out


class LineError(Exception):
    """A log line or record that cannot be counted; the message says why."""


def _json_key(value: object) -> object:
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


# The common record as `CostRecord.to_json` writes it (keys in its order, no spaces): the hot
# loop matches it with one regular expression instead of parsing JSON, 2.4 us a line instead
# of 3.3 us for `json` alone (benchmarks/report_speed.py). Strings without escapes or
# control characters; counts as JSON integers; amounts as plain decimals of at most 20
# integer digits and 40 places (so within `exact`'s bounds); flat tag objects. A line that
# does not match is parsed as JSON by the careful path, which decides.
_S = r'"([^"\\\x00-\x1f]*)"'
_ANY_S = r'"[^"\\\x00-\x1f]*"'
_N = r"(0|[1-9][0-9]{0,15})"
_A = r'"([0-9]{1,20}(?:\.[0-9]{1,40})?)"'
_VALUE = _ANY_S + r"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null"
_OBJECT = rf"\{{(?:{_ANY_S}:(?:{_VALUE})(?:,{_ANY_S}:(?:{_VALUE}))*)?\}}"
_RECORD = re.compile(
    rf'\{{"time":"([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9:.]{{8,15}}\+00:00)"'
    rf',"gen_ai\.request\.model":{_ANY_S},"gen_ai\.response\.model":{_S}'
    rf',"gen_ai\.provider\.name":{_S},"gen_ai\.usage\.input_tokens":{_N}'
    rf',"gen_ai\.usage\.output_tokens":{_N},"gen_ai\.usage\.cache_read\.input_tokens":{_N}'
    rf',"gen_ai\.usage\.cache_creation\.input_tokens":{_N}'
    rf',"gen_ai\.usage\.reasoning\.output_tokens":{_N}'
    rf'((?:,"llmcost\.usage\.(?:{"|".join(_EXTRA)})":(?:0|[1-9][0-9]{{0,15}}))*'
    rf'(?:,"llmcost\.usage\.tool_calls":{_OBJECT})?)'
    rf',"gen_ai\.usage\.cost\.amount":{_A},"gen_ai\.usage\.cost\.currency":"USD"'
    rf',"gen_ai\.usage\.cost\.source":{_ANY_S}'
    rf',"llmcost\.cost\.input":{_A},"llmcost\.cost\.cache_read":{_A}'
    rf',"llmcost\.cost\.cache_write":{_A},"llmcost\.cost\.output":{_A}'
    rf',"llmcost\.cost\.tools":{_A},"llmcost\.cost\.request_fees":{_A}'
    rf',"llmcost\.service_tier":{_S},"llmcost\.speed":{_ANY_S}'
    rf',"llmcost\.inference_geo":(?:null|{_ANY_S}),"llmcost\.batch":(true|false)'
    rf',"llmcost\.input_exact":(?:true|false),"tags":({_OBJECT})\}}[ \t\r]*'
)


def _tag_value(tags: str, tag: str | None) -> object:
    value = json.loads(tags).get(tag)
    return value if value is None or type(value) is str else 0  # 0: not a string key


def _extra_usage(i: int, o: int, r: int, rs: int, w: int, extra: str) -> Usage | None:
    """The `Usage` of a matched line with more than the common counts (None: invalid)."""
    d = json.loads("{" + extra[1:] + "}") if extra else {}
    counts: dict[str, Any] = {
        f: d[f"llmcost.usage.{f}"] for f in _EXTRA if f"llmcost.usage.{f}" in d
    }
    counts.update(input_tokens=i, output_tokens=o, cache_read_tokens=r, reasoning_tokens=rs)
    try:
        return _checked_usage(counts, w, d.get(_TOOLS) or {})
    except (LineError, LLMCostError):
        return None


class Totals:
    """Per-group sums of cost records; no record is kept."""

    def __init__(self, by: str, tag: str | None, registry: Registry | None, max_reasons: int):
        self.by = by  # "model", "day", "provider" or "tag"
        self.tag = tag
        self.registry = registry
        self.max_reasons = max_reasons
        self.groups: dict[object, list[Any]] = {}
        self.unpriced = 0
        self.skipped = 0
        self.reasons: list[tuple[str, int, str]] = []
        self.lines = 0

    # --- bookkeeping ---

    def skip(self, name: str, no: int, reason: str) -> None:
        self.skipped += 1
        if len(self.reasons) < self.max_reasons:
            self.reasons.append((name, no, reason))

    def state(self) -> tuple[Any, ...]:
        """What a worker process sends back (everything but the registry)."""
        return self.groups, self.unpriced, self.skipped, self.reasons, self.lines

    def merge(self, state: tuple[Any, ...], line_offset: int) -> None:
        """Add a worker's sums; its line numbers start after *line_offset* lines."""
        groups, unpriced, skipped, reasons, lines = state
        with localcontext(SUM_CTX):
            for key, sums in groups.items():
                g = self.groups.get(key)
                if g is None:
                    self.groups[key] = sums
                    continue
                for k in range(_I_TOOLS):
                    g[k] += sums[k]
                tools = g[_I_TOOLS]
                for tool, n in sums[_I_TOOLS].items():
                    tools[tool] = tools.get(tool, 0) + n
        self.unpriced += unpriced
        for name, no, reason in reasons:
            self.skip(name, no + line_offset, reason)
        self.skipped += skipped - len(reasons)
        self.lines += lines

    def add(self, key: object, amounts: tuple[Decimal, ...], usage: Usage) -> None:
        """Add one record's amounts (total first, then `AMOUNT_FIELDS`) and usage."""
        g = self.groups.get(key)
        if g is None:
            g = self.groups[key] = new_group()
        g[0] += 1
        add = SUM_CTX.add
        for k in range(2, _C):  # the lines; the total is their sum (see `finished`)
            amount = amounts[k - 1]
            if amount:
                g[k] = add(g[k], amount)
        self._add_usage(g, usage)

    @staticmethod
    def _add_usage(g: list[Any], usage: Usage) -> None:
        for k, n in enumerate(get_counts(usage), _C):
            g[k] += n
        g[_I_REQUESTS] -= 1  # requests beyond one per record (see `finished`)
        if usage.tool_calls:
            tools = g[_I_TOOLS]
            for tool, n in usage.tool_calls.items():
                tools[tool] = tools.get(tool, 0) + n

    # --- cost records ---

    def add_record(self, name: str, no: int, rec: CostRecord) -> None:
        """Add a `CostRecord` (validated as a log line is); a bad one is skipped."""
        c = rec.cost
        if c is None:
            self.unpriced += 1
            return
        amounts = (c.total, *(getattr(c, f) for f in AMOUNT_FIELDS))
        try:
            for field, amount in zip(("total", *AMOUNT_FIELDS), amounts, strict=True):
                if not isinstance(amount, Decimal) or not exact(amount) or amount < 0:
                    msg = f"cost.{field} {_short(amount)} is not an amount llmcost adds exactly"
                    raise LineError(msg)
            self._check_sum(amounts)
            key: object
            if self.by == "model":
                key = self._model(rec.model, "model")
            elif self.by == "provider":
                key = rec.provider
            elif self.by == "day":
                t = rec.time
                key = (t if t.tzinfo is None else t.astimezone(timezone.utc)).date().isoformat()
            else:
                key = _json_key(rec.tags.get(self.tag or ""))
        except LineError as e:
            self.skip(name, no, str(e))
            return
        self.add(key, amounts, rec.usage)

    @staticmethod
    def _check_sum(amounts: tuple[Decimal, ...]) -> None:
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

    @staticmethod
    def _model(value: object, field: str) -> str:
        if type(value) is not str:
            msg = f"{field} must be a string, got {_short(value)}"
            raise LineError(msg)
        if len(value) > MAX_NAME:
            msg = f"{field} {value[:40]!r}... is longer than {MAX_NAME} characters: not a model"
            raise LineError(msg)
        return value

    # --- log lines ---

    def add_lines(self, name: str, blocks: Iterable[list[bytes | None]]) -> None:
        """Add every line of one log (lists of lines; None: a line too long to read)."""
        match = _RECORD.fullmatch
        fromiso = datetime.fromisoformat
        dec, zero, most = Decimal, ZERO, MAX_COUNT
        groups = self.groups
        by = self.by
        by_model, by_day, by_provider = by == "model", by == "day", by == "provider"
        tag = self.tag
        i_in, i_out, i_read, i_reasoning = _I_IN, _I_OUT, _I_READ, _I_REASONING
        base = self.lines
        with localcontext(SUM_CTX):
            for block in blocks:
                for no, raw in enumerate(block, base + 1):
                    # The hot loop: a line as `CostRecord.to_json` writes it matches `_RECORD`,
                    # whose groups are the values, already checked for form; anything else
                    # goes to the careful path (`_line`), which parses JSON, accepts every line
                    # this accepts, and gives the same sums.
                    try:
                        m = match(raw.decode())  # type: ignore[union-attr]
                    except (AttributeError, UnicodeDecodeError):
                        m = None
                    if m is None:
                        self._line(name, no, raw)
                        continue
                    (t, model, provider, i, o, r, w, rs, extra, amount, p_in, p_read, p_write,
                     p_out, p_tools, p_fees, tier, batch, tags) = m.groups()  # fmt: skip
                    i, o, r, rs = int(i), int(o), int(r), int(rs)
                    try:
                        fromiso(t)
                    except ValueError:
                        self._line(name, no, raw)
                        continue
                    if by_model:
                        key = model
                    elif by_day:
                        key = t[:10]
                    elif by_provider:
                        key = provider
                    else:
                        key = _tag_value(tags, tag)
                    x_in = zero if p_in == "0" else dec(p_in)
                    x_read = zero if p_read == "0" else dec(p_read)
                    x_write = zero if p_write == "0" else dec(p_write)
                    x_out = zero if p_out == "0" else dec(p_out)
                    x_tools = zero if p_tools == "0" else dec(p_tools)
                    x_fees = zero if p_fees == "0" else dec(p_fees)
                    usage = None
                    if (
                        len(model) > MAX_NAME
                        or (tier == "batch") is not (batch == "true")
                        or x_in + x_read + x_write + x_out + x_tools + x_fees != dec(amount)
                        or not (0 <= r <= i <= most and 0 <= rs <= o <= most)
                        or (key is not None and type(key) is not str)
                        or (
                            (extra or w != "0")
                            and (usage := _extra_usage(i, o, r, rs, int(w), extra)) is None
                        )
                    ):
                        self._line(name, no, raw)
                        continue
                    g = groups.get(key)
                    if g is None:
                        g = groups[key] = new_group()
                    g[0] += 1  # the total is the sum of the lines (see `finished`)
                    if x_in:
                        g[2] += x_in
                    if x_read:
                        g[3] += x_read
                    if x_write:
                        g[4] += x_write
                    if x_out:
                        g[5] += x_out
                    if x_tools:
                        g[6] += x_tools
                    if x_fees:
                        g[7] += x_fees
                    if usage is None:
                        g[i_in] += i
                        g[i_out] += o
                        if r:
                            g[i_read] += r
                        if rs:
                            g[i_reasoning] += rs
                    else:
                        self._add_usage(g, usage)
                base += len(block)
        self.lines = base

    def _line(self, name: str, no: int, raw: bytes | None) -> None:
        """The careful path: count the line, count it as unpriced, or skip it with a reason."""
        try:
            d = self._decode(raw)
            if d is None:
                return  # a blank line
            record = _AMOUNT in d or _UNPRICED in d
            found = self._record(d) if record else self._response(d)
        except LineError as e:
            self.skip(name, no, str(e))
            return
        if found is not None:
            self.add(*found)

    @staticmethod
    def _decode(raw: bytes | None) -> dict[str, Any] | None:
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

    def _record(self, d: dict[str, Any]) -> tuple[object, tuple[Decimal, ...], Usage] | None:
        """A cost record's group key, amounts and usage, validated; None when unpriced."""
        unpriced = d.get(_UNPRICED, False)
        if type(unpriced) is not bool:
            msg = f"{_UNPRICED} must be a JSON boolean, got {_short(unpriced)}"
            raise LineError(msg)
        if _AMOUNT not in d:
            if not unpriced:
                msg = f"cost record without {_AMOUNT!r}"
                raise LineError(msg)
            self.unpriced += 1
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
        self._check_sum(amounts)
        for field in (_BATCH, _EXACT):
            if field in d and type(d[field]) is not bool:
                msg = f"{field} must be a JSON boolean, got {_short(d[field])}"
                raise LineError(msg)
        if _TIER in d and _BATCH in d and (d[_TIER] == "batch") is not d[_BATCH]:
            msg = f"{_BATCH} {d[_BATCH]} contradicts {_TIER} {_short(d[_TIER])}"
            raise LineError(msg)
        model = self._model(d.get(_MODEL), _MODEL)
        day = _day(d.get(_TIME))
        tags = d.get("tags")
        if tags is None:
            tags = {}
        if not isinstance(tags, dict):
            msg = f"tags must be a JSON object, got {_short(tags)}"
            raise LineError(msg)
        usage = _usage(d)
        key: object
        if self.by == "model":
            key = model
        elif self.by == "provider":
            key = _string(d, _PROVIDER)
        elif self.by == "day":
            key = day
        else:
            key = _json_key(tags.get(self.tag))
        return key, amounts, usage

    def _response(self, d: dict[str, Any]) -> tuple[object, tuple[Decimal, ...], Usage]:
        """A raw provider response, priced with `cost_of_response` as of its creation."""
        from ._responses import cost_of_response

        when = _created(d)
        try:
            c = cost_of_response(d, at=when, registry=self.registry)
        except UnknownModelError as e:
            msg = "provider response: " + (e.reason or f"unknown model {_short(e.model)}")
            if e.suggestions:
                msg += "; did you mean " + ", ".join(repr(s) for s in e.suggestions) + "?"
            raise LineError(msg) from None
        except (LLMCostError, RecursionError) as e:
            raise LineError(f"provider response: {e}") from None
        key: object
        if self.by == "model":
            key = c.model
        elif self.by == "provider":
            key = c.provider
        elif self.by == "day":
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
