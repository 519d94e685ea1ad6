"""The accumulator behind `cost_report`: cost-log lines and `CostRecord`s into group sums.

The fast path matches the lines `CostRecord.to_json` writes with one regular expression
(`_RECORD`) and checks their values with plain operations; every other line goes to the
careful path (`llmcost._report_record`), which parses JSON and decides. Both accept the same
lines with the same sums (a property test holds them to it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

from ._money import MAX_COUNT, SUM_CTX, ZERO, exact
from ._names import MAX_NAME
from ._report_record import (
    _AMOUNT,
    _EXTRA,
    _UNPRICED,
    LineError,
    _short,
    check_model,
    check_sum,
    decode,
    json_key,
    read_record,
    read_response,
)
from ._usage import AMOUNT_FIELDS, CACHE_WRITE_FIELDS, COUNT_FIELDS, Usage, get_counts

if TYPE_CHECKING:
    from ._registry import Registry
    from ._tracker import CostRecord

# The sums of one group, in one list (the hot loop adds to it in place): the record count, the
# total and the six cost lines, every Usage count in COUNT_FIELDS order, the tool uses.
_N_AMOUNTS = 1 + len(AMOUNT_FIELDS)
_C = 1 + _N_AMOUNTS  # where the counts start
_I_IN, _I_OUT, _I_READ = (_C + COUNT_FIELDS.index(f) for f in COUNT_FIELDS[:3])
_I_REASONING = _C + COUNT_FIELDS.index("reasoning_tokens")
_I_REQUESTS = _C + COUNT_FIELDS.index("requests")
_I_TOOLS = _C + len(COUNT_FIELDS)
_INDEX = {f: _C + k for k, f in enumerate(COUNT_FIELDS)}


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


# The common record as `CostRecord.to_json` writes it (keys in its order, no spaces): the hot
# loop matches it with one regular expression instead of parsing JSON: 1.9 us a line instead
# of 3.3 us for `json` alone, which buys the checks every line now gets. Strings without escapes or
# control characters; counts as JSON integers; amounts as plain decimals of at most 20
# integer digits and 40 places (so within `exact`'s bounds); flat tag objects. A line that
# does not match is parsed as JSON by the careful path, which decides.
_S = r'"([^"\\\x00-\x1f]*)"'
_ANY_S = r'"[^"\\\x00-\x1f]*"'
_N = r"(0|[1-9][0-9]{0,15})"
_A = r'"([0-9]{1,20}(?:\.[0-9]{1,40})?)"'
_VALUE = _ANY_S + r"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null"
_OBJECT = rf"\{{(?:{_ANY_S}:(?:{_VALUE})(?:,{_ANY_S}:(?:{_VALUE}))*)?\}}"
_TOOL = r'"[a-z0-9_]{1,100}":[1-9][0-9]{0,15}'
_TOOLS = rf"\{{{_TOOL}(?:,{_TOOL})*\}}"
_RECORD = re.compile(
    rf'\{{"time":"([0-9]{{4}}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3])'
    rf':[0-5][0-9]:[0-5][0-9](?:\.[0-9]{{6}})?\+00:00)"'
    rf',"gen_ai\.request\.model":{_ANY_S},"gen_ai\.response\.model":{_S}'
    rf',"gen_ai\.provider\.name":{_S},"gen_ai\.usage\.input_tokens":{_N}'
    rf',"gen_ai\.usage\.output_tokens":{_N},"gen_ai\.usage\.cache_read\.input_tokens":{_N}'
    rf',"gen_ai\.usage\.cache_creation\.input_tokens":{_N}'
    rf',"gen_ai\.usage\.reasoning\.output_tokens":{_N}'
    rf'((?:,"llmcost\.usage\.(?:{"|".join(_EXTRA)})":(?:0|[1-9][0-9]{{0,15}}))*'
    rf'(?:,"llmcost\.usage\.tool_calls":{_TOOLS})?)'
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


_EXTRA_COUNT = re.compile(r'"llmcost\.usage\.([a-z0-9_]+)":([0-9]+)')
_TOOL_PAIR = re.compile(r'"([a-z0-9_]+)":([0-9]+)')
_TOOLS_KEY = ',"llmcost.usage.tool_calls":'
_WRITES = frozenset(CACHE_WRITE_FIELDS)
_MEDIA = tuple((f"{m}_input_tokens", f"cache_read_{m}_tokens") for m in ("audio", "image", "video"))


def _extra_counts(
    i: int, o: int, r: int, rs: int, w: int, extra: str
) -> tuple[dict[str, int], dict[str, int]] | None:
    """The extra counts and tool uses of a matched line, if they make a valid `Usage`.

    The checks are `Usage`'s own (`llmcost._usage._check`), done here on plain ints: building
    a Usage with tool uses costs 8 us, several times the rest of a line. None: the careful
    path decides (and says what is wrong).
    """
    counts, _, tools_text = extra.partition(_TOOLS_KEY)
    # The pattern admitted only names of [a-z0-9_] and positive counts; the last one wins.
    tools = {name: int(n) for name, n in _TOOL_PAIR.findall(tools_text)} if tools_text else {}
    c = {f: int(n) for f, n in _EXTRA_COUNT.findall(counts)} if counts else {}
    get = c.get
    others = get("cache_write_30m_tokens", 0) + get("cache_write_1h_tokens", 0)
    others += get("cache_write_12h_tokens", 0)
    if "cache_write_5m_tokens" not in c:  # writes without a TTL split are 5-minute writes
        c["cache_write_5m_tokens"] = w - others
    most = MAX_COUNT
    if c["cache_write_5m_tokens"] + others != w or r + w > i or min(c.values()) < 0:
        return None
    if max(c.values()) > most or (tools and max(tools.values()) > most):
        return None
    if len(c) > len(_WRITES & c.keys()):  # media parts or a request count: the rest of _check
        media = cached = 0
        for whole, part in _MEDIA:
            n, k = get(whole, 0), get(part, 0)
            if k > n:
                return None
            media += n
            cached += k
        out = rs + get("audio_output_tokens", 0) + get("image_output_tokens", 0)
        if media > i or cached > r or media - cached + r + w > i or out > o:
            return None
    return c, tools


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
    def _add_parts(g: list[Any], counts: dict[str, int], tools: dict[str, int]) -> None:
        """Add a fast-path line's extra counts (its input, output, reads, reasoning are in)."""
        for field, n in counts.items():
            g[_INDEX[field]] += n
        if "requests" in counts:
            g[_I_REQUESTS] -= 1  # requests beyond one per record (see `finished`)
        if tools:
            mine = g[_I_TOOLS]
            for tool, n in tools.items():
                mine[tool] = mine.get(tool, 0) + n

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
            check_sum(amounts)
            usage = rec.usage
            if not isinstance(usage, Usage) or any(type(n) is not int for n in get_counts(usage)):
                msg = f"usage {_short(usage)} is not a Usage of integer counts"
                raise LineError(msg)
            key: object
            if self.by == "model":
                key = check_model(rec.model, "model")
            elif self.by == "provider":
                key = rec.provider
            elif self.by == "day":
                t = rec.time
                key = (t if t.tzinfo is None else t.astimezone(timezone.utc)).date().isoformat()
            else:
                key = json_key(rec.tags.get(self.tag or ""))
        except LineError as e:
            self.skip(name, no, str(e))
            return
        self.add(key, amounts, usage)

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
                    # Reads and reasoning are "0" on most lines: int() skipped (0.1 us a line).
                    i, o = int(i), int(o)
                    r = 0 if r == "0" else int(r)
                    rs = 0 if rs == "0" else int(rs)
                    if t[8] == "3" or t[8:10] == "29" or t[:4] == "0000":
                        try:  # the pattern checked the rest of the date and time
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
                        if key is not None and type(key) is not str:
                            self._line(name, no, raw)
                            continue
                    x_in = zero if p_in == "0" else dec(p_in)
                    x_read = zero if p_read == "0" else dec(p_read)
                    x_out = zero if p_out == "0" else dec(p_out)
                    # Cache writes, tools and fees are "0" on most lines: skip their sums then.
                    more = not (p_write == p_tools == p_fees == "0")
                    if more:
                        x_write = zero if p_write == "0" else dec(p_write)
                        x_tools = zero if p_tools == "0" else dec(p_tools)
                        x_fees = zero if p_fees == "0" else dec(p_fees)
                        lines_sum = x_in + x_read + x_write + x_out + x_tools + x_fees
                    else:
                        lines_sum = x_in + x_read + x_out
                    parts = None
                    if (
                        len(model) > MAX_NAME
                        or (tier == "batch") is not (batch == "true")
                        or lines_sum != dec(amount)
                        or not (r <= i <= most and rs <= o <= most)  # digits: never < 0
                        or (
                            (extra or w != "0")
                            and (parts := _extra_counts(i, o, r, rs, int(w), extra)) is None
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
                    if x_out:
                        g[5] += x_out
                    if more:
                        if x_write:
                            g[4] += x_write
                        if x_tools:
                            g[6] += x_tools
                        if x_fees:
                            g[7] += x_fees
                    g[i_in] += i
                    g[i_out] += o
                    if r:
                        g[i_read] += r
                    if rs:
                        g[i_reasoning] += rs
                    if parts is not None:
                        self._add_parts(g, *parts)
                base += len(block)
        self.lines = base

    def _line(self, name: str, no: int, raw: bytes | None) -> None:
        """The careful path: count the line, count it as unpriced, or skip it with a reason."""
        try:
            d = decode(raw)
            if d is None:
                return  # a blank line
            if _AMOUNT in d or _UNPRICED in d:
                found = read_record(d, self.by, self.tag)
                if found is None:
                    self.unpriced += 1
                    return
            else:
                found = read_response(d, self.by, self.registry)
        except LineError as e:
            self.skip(name, no, str(e))
            return
        if found is not None:
            self.add(*found)
