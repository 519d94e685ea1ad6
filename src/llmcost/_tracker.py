"""Per-request cost logging: `Tracker`, `CostRecord`, and JSON-lines cost logs."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from decimal import Decimal
from operator import attrgetter
from types import MappingProxyType
from typing import IO, Any, Literal

import attrs

from ._context import current_tags
from ._cost import priced
from ._errors import InvalidTypeError, InvalidUsageError, UnknownModelError
from ._money import CTX as _CTX
from ._money import ZERO as _ZERO
from ._money import plain as _decimal_str
from ._money import usd as _usd
from ._rates import context_key
from ._registry import Registry
from ._responses import model_from_response, usage_from_response
from ._usage import AMOUNT_FIELDS, COUNT_FIELDS, Cost, Usage, get_counts


def _freeze_tags(tags: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(tags))


@attrs.frozen(kw_only=True)
class CostRecord:
    """One priced (or unpriced) request, as a `Tracker` records and logs it.

    `request_model` is the name as asked or as the response reported it; `model` and
    `provider` are the registry's canonical id and provider (empty when unpriced); `cost` is
    None only for a request the tracker was told to record unpriced.

    >>> from llmcost import Tracker, Usage
    >>> t = Tracker()
    >>> _ = t.record("gpt-4o", Usage(input_tokens=1_200, output_tokens=300), feature="search")
    >>> rec = t.records()[0]
    >>> rec.message()
    'gpt-4o 1,200 in / 300 out $0.006000'
    >>> CostRecord.from_json(rec.to_json()) == rec
    True
    """

    time: datetime
    request_model: str
    model: str
    provider: str
    usage: Usage
    cost: Cost | None
    tags: Mapping[str, object] = attrs.field(factory=dict, converter=_freeze_tags, hash=False)

    def fields(self) -> dict[str, object]:
        """The record under OpenTelemetry GenAI attribute names (plus llmcost's own)."""
        u = self.usage
        out: dict[str, object] = {
            "time": self.time.isoformat(),
            "gen_ai.request.model": self.request_model,
            "gen_ai.response.model": self.model,
            "gen_ai.provider.name": self.provider,
            "gen_ai.usage.input_tokens": u.input_tokens,
            "gen_ai.usage.output_tokens": u.output_tokens,
            "gen_ai.usage.cache_read.input_tokens": u.cache_read_tokens,
            "gen_ai.usage.cache_creation.input_tokens": u.cache_write_tokens,
            "gen_ai.usage.reasoning.output_tokens": u.reasoning_tokens,
        }
        for name in _EXTRA_USAGE:
            value = getattr(u, name)
            if value != _USAGE_DEFAULTS[name]:
                out[f"llmcost.usage.{name}"] = value
        if u.tool_calls:
            out["llmcost.usage.tool_calls"] = dict(u.tool_calls)
        c = self.cost
        if c is None:
            out["llmcost.unpriced"] = True
        else:
            out |= {
                "gen_ai.usage.cost.amount": _decimal_str(c.total),
                "gen_ai.usage.cost.currency": "USD",
                "gen_ai.usage.cost.source": "local",
                **{f"llmcost.cost.{f}": _decimal_str(getattr(c, f)) for f in AMOUNT_FIELDS},
                "llmcost.service_tier": c.service_tier,
                "llmcost.speed": c.speed,
                "llmcost.inference_geo": c.inference_geo,
                "llmcost.batch": c.batch,
                "llmcost.input_exact": c.input_exact,
            }
        out["tags"] = dict(self.tags)
        return out

    def to_json(self) -> str:
        """One JSON line (no newline); `from_json` reads it back exactly."""
        return json.dumps(self.fields(), ensure_ascii=False, separators=(",", ":"), default=str)

    @classmethod
    def from_json(cls, line: str | bytes) -> CostRecord:
        """The record a `to_json` line holds; Decimal amounts survive exactly.

        Raises `InvalidUsageError` for a line that is not such a record.
        """
        try:
            d = json.loads(line)
        except ValueError as e:
            msg = f"not a JSON line: {e}"
            raise InvalidUsageError(msg) from None
        if not isinstance(d, dict):
            msg = "a cost record line must be a JSON object"
            raise InvalidUsageError(msg)
        try:
            return cls._from_fields(d)
        except (KeyError, TypeError, ValueError, ArithmeticError) as e:
            if isinstance(e, InvalidUsageError):
                raise
            msg = f"not a cost record: {type(e).__name__}: {e}"
            raise InvalidUsageError(msg) from None

    @classmethod
    def _from_fields(cls, d: Mapping[str, Any]) -> CostRecord:
        extra = {n: d.get(f"llmcost.usage.{n}", _USAGE_DEFAULTS[n]) for n in _EXTRA_USAGE}
        usage = Usage(
            input_tokens=d["gen_ai.usage.input_tokens"],
            output_tokens=d["gen_ai.usage.output_tokens"],
            cache_read_tokens=d["gen_ai.usage.cache_read.input_tokens"],
            reasoning_tokens=d["gen_ai.usage.reasoning.output_tokens"],
            tool_calls=d.get("llmcost.usage.tool_calls") or {},
            **extra,
        )
        model = d["gen_ai.response.model"]
        provider = d["gen_ai.provider.name"]
        cost = None
        if not d.get("llmcost.unpriced"):
            amounts: dict[str, Any] = {
                f: Decimal(d.get(f"llmcost.cost.{f}", "0")) for f in AMOUNT_FIELDS
            }
            cost = Cost(
                model=model,
                provider=provider,
                usage=usage,
                **amounts,
                total=Decimal(d["gen_ai.usage.cost.amount"]),
                service_tier=d.get("llmcost.service_tier")
                or ("batch" if d.get("llmcost.batch") else "standard"),
                speed=d.get("llmcost.speed") or "standard",
                inference_geo=d.get("llmcost.inference_geo"),
                input_exact=bool(d.get("llmcost.input_exact", True)),
            )
        tags = d.get("tags") or {}
        if not isinstance(tags, dict):
            msg = "tags must be a JSON object"
            raise InvalidUsageError(msg)
        return cls(
            time=datetime.fromisoformat(d["time"]),
            request_model=d["gen_ai.request.model"],
            model=model,
            provider=provider,
            usage=usage,
            cost=cost,
            tags=tags,
        )

    def message(self) -> str:
        """One line for people: ``gpt-4o 1,200 in / 300 out $0.006000``."""
        u = self.usage
        text = f"{self.request_model} {u.input_tokens:,} in / {u.output_tokens:,} out"
        if u.cache_read_tokens:
            text += f" ({u.cache_read_tokens:,} cached)"
        if self.cost is None:
            return text + " unpriced"
        return f"{text} {_usd(self.cost.total)}"


def read_cost_log(source: str | os.PathLike[str] | IO[str]) -> Iterator[CostRecord]:
    """The records of a JSON-lines cost log (as `CostLogHandler` writes it), streamed.

    A malformed line raises `InvalidUsageError` naming its line number.

    >>> import io
    >>> from llmcost import Tracker, Usage
    >>> t = Tracker()
    >>> _ = t.record("gpt-4o-mini", Usage(input_tokens=10_000, output_tokens=500))
    >>> log = io.StringIO()
    >>> write_cost_log(t.records(), log)
    1
    >>> _ = log.seek(0)
    >>> [r.cost.total == t.total for r in read_cost_log(log)]
    [True]
    """
    if isinstance(source, (str, os.PathLike)):
        with open(source, encoding="utf-8") as f:
            yield from read_cost_log(f)
        return
    for n, line in enumerate(source, 1):
        if not line.strip():
            continue
        try:
            yield CostRecord.from_json(line)
        except InvalidUsageError as e:
            msg = f"line {n}: {e}"
            raise InvalidUsageError(msg) from None


def write_cost_log(records: Iterable[CostRecord], target: str | os.PathLike[str] | IO[str]) -> int:
    """Append *records* as JSON lines to a path or an open text file; return how many.

    >>> import io
    >>> from llmcost import Tracker, Usage
    >>> t = Tracker()
    >>> _ = t.record("gpt-4o", Usage(input_tokens=100, output_tokens=10))
    >>> out = io.StringIO()
    >>> write_cost_log(t.records(), out), len(out.getvalue().splitlines())
    (1, 1)
    """
    if isinstance(target, (str, os.PathLike)):
        with open(target, "a", encoding="utf-8") as f:
            return write_cost_log(records, f)
    n = 0
    for rec in records:
        target.write(rec.to_json() + "\n")
        n += 1
    return n


class CostLogHandler(logging.Handler):
    """A logging handler that appends each `Tracker` record to a JSON-lines file.

    >>> import logging, tempfile, os
    >>> from llmcost import Tracker, Usage, read_cost_log
    >>> path = os.path.join(tempfile.mkdtemp(), "costs.jsonl")
    >>> log = logging.getLogger("doctest.llm.cost")
    >>> log.addHandler(CostLogHandler(path)); log.setLevel(logging.INFO)
    >>> _ = Tracker(logger=log).record("gpt-4o", Usage(input_tokens=1200, output_tokens=300))
    >>> [r.cost.total for r in read_cost_log(path)]
    [Decimal('0.006')]
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = os.fspath(path)

    def emit(self, record: logging.LogRecord) -> None:
        rec = getattr(record, "llmcost.record", None)
        if not isinstance(rec, CostRecord):
            return
        try:
            line = rec.to_json() + "\n"
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line)
        except Exception:
            self.handleError(record)


class _Totals:
    """Running sums of one model's costs: plain numbers, made into a `Cost` only when asked.

    Adding `Cost` objects per request would build two objects each time; these sums keep
    `Tracker.record` cheap. (A plain class: attrs would cost import time.)
    """

    __slots__ = ("amounts", "counts", "exact", "geo", "model", "provider", "speed", "tier", "tools")

    def __init__(self, c: Cost) -> None:
        self.model = c.model
        self.provider = c.provider
        self.tier, self.speed, self.geo = c.service_tier, c.speed, c.inference_geo
        self.exact = True
        self.counts = [0] * len(_USAGE_KEYS)
        self.amounts = [_ZERO] * len(_AMOUNT_KEYS)
        self.tools: dict[str, int] = {}

    def add(self, c: Cost) -> None:
        counts = self.counts
        for i, n in enumerate(get_counts(c.usage)):
            counts[i] += n
        amounts = self.amounts
        for i, amount in enumerate(_get_amounts(c)):
            amounts[i] = _CTX.add(amounts[i], amount)
        if c.usage.tool_calls:
            for name, n in c.usage.tool_calls.items():
                self.tools[name] = self.tools.get(name, 0) + n
        if self.tier != c.service_tier:
            self.tier = "mixed"
        if self.speed != c.speed:
            self.speed = "mixed"
        if self.geo != c.inference_geo:
            self.geo = "mixed"
        self.exact = self.exact and c.input_exact

    def cost(self) -> Cost:
        amounts: dict[str, Any] = dict(zip(_AMOUNT_KEYS, self.amounts, strict=True))
        return Cost(
            model=self.model,
            provider=self.provider,
            usage=Usage(**dict(zip(_USAGE_KEYS, self.counts, strict=True)), tool_calls=self.tools),
            **amounts,
            service_tier=self.tier,
            speed=self.speed,
            inference_geo=self.geo,
            input_exact=self.exact,
        )


_USAGE_KEYS = COUNT_FIELDS
_AMOUNT_KEYS = (*AMOUNT_FIELDS, "total")
_get_amounts = attrgetter(*_AMOUNT_KEYS)
_OTEL_USAGE = frozenset(
    {"input_tokens", "output_tokens", "cache_read_tokens", "reasoning_tokens"}
)
_EXTRA_USAGE = tuple(f for f in COUNT_FIELDS if f not in _OTEL_USAGE)
_USAGE_DEFAULTS = {a.name: a.default for a in attrs.fields(Usage)}


def _per_model(totals: dict[str, _Totals], c: Cost) -> None:
    t = totals.get(c.model)
    if t is None:
        t = totals[c.model] = _Totals(c)
    t.add(c)


def _summed(totals: dict[str, _Totals]) -> Cost:
    """One Cost for several models' sums (``model == "mixed"`` when there are several)."""
    costs = [t.cost() for _, t in sorted(totals.items())]
    return sum(costs[1:], costs[0])


class Tracker:
    """Prices and records every request: totals, per-model and per-tag sums, and a log line.

    Thread-safe (a lock guards the totals) and asyncio-safe (`record` never awaits). An
    unknown model raises `UnknownModelError` (never a silent $0) unless the tracker is made
    with ``unpriced="record"``: then the request is kept, counted in `unpriced` and left out
    of the totals. With a *logger*, each request logs one INFO record whose message is for
    people and whose ``extra`` fields carry OpenTelemetry GenAI names. `records()` keeps the
    last *max_records* requests (None: all of them) so a long-running service does not grow
    without bound; the totals always cover every request.

    >>> from decimal import Decimal
    >>> from llmcost import Usage
    >>> t = Tracker()
    >>> _ = t.record("gpt-4o", Usage(input_tokens=1_200, output_tokens=300), feature="search")
    >>> t.count, t.total == t.by_tag("feature")["search"].total == Decimal("0.006")
    (1, True)
    """

    def __init__(
        self,
        *,
        logger: logging.Logger | logging.LoggerAdapter[Any] | None = None,
        registry: Registry | None = None,
        unpriced: Literal["raise", "record"] = "raise",
        level: int = logging.INFO,
        max_records: int | None = 100_000,
    ) -> None:
        if unpriced not in ("raise", "record"):
            msg = f"unpriced must be 'raise' or 'record', not {unpriced!r}"
            raise InvalidTypeError(msg)
        self._logger = logger
        self._registry = registry
        self._unpriced_policy = unpriced
        self._level = level
        if max_records is not None and (isinstance(max_records, bool) or max_records < 0):
            msg = f"max_records must be a non-negative int or None, not {max_records!r}"
            raise InvalidTypeError(msg)
        self._max_records = max_records
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget every record and total."""
        with self._lock:
            self._records: deque[CostRecord] = deque(maxlen=self._max_records)
            self._total = _ZERO
            self._count = 0
            self._unpriced = 0
            self._models: dict[str, _Totals] = {}
            self._tags: dict[str, dict[object, dict[str, _Totals]]] = {}

    def record(
        self,
        response_or_model: object,
        usage: Usage | None = None,
        *,
        batch: bool = False,
        **tags: object,
    ) -> Cost | None:
        """Price one request and record it; return its cost.

        Pass a provider response (any shape `usage_from_response` reads), or a model name and a
        `Usage`. Keyword arguments become tags (``feature="search"``); ``batch`` is reserved
        for batch-API requests. Returns None only for an unknown model under
        ``unpriced="record"``.
        """
        context_tags = current_tags()
        if context_tags:
            tags = {**context_tags, **tags}
        if isinstance(response_or_model, str):
            if not isinstance(usage, Usage):
                msg = "record(model, usage): pass a Usage with a model name"
                raise InvalidTypeError(msg)
            asked = response_or_model
        else:
            if usage is None:
                usage = usage_from_response(response_or_model)
            asked = model_from_response(response_or_model) or ""
            if not asked:
                msg = "this response does not name its model: call record(model, usage)"
                raise InvalidUsageError(msg)
        reg = Registry.default() if self._registry is None else self._registry
        try:
            c = priced(reg, asked, usage, context_key(None, None, None, batch), None)
        except UnknownModelError:
            if self._unpriced_policy == "raise":
                raise
            rec = CostRecord(
                time=datetime.now(timezone.utc),
                request_model=asked,
                model="",
                provider="",
                usage=usage,
                cost=None,
                tags=tags,
            )
            self._store(rec)
            return None
        rec = CostRecord(
            time=datetime.now(timezone.utc),
            request_model=asked,
            model=c.model,
            provider=c.provider,
            usage=usage,
            cost=c,
            tags=tags,
        )
        self._store(rec)
        return c

    def _store(self, rec: CostRecord) -> None:
        c = rec.cost
        with self._lock:
            self._records.append(rec)
            if c is None:
                self._unpriced += 1
            else:
                self._total = _CTX.add(self._total, c.total)
                self._count += 1
                _per_model(self._models, c)
                for name, value in rec.tags.items():
                    key = value if _hashable(value) else repr(value)
                    _per_model(self._tags.setdefault(name, {}).setdefault(key, {}), c)
        if self._logger is not None:
            extra = rec.fields()
            extra["llmcost.record"] = rec
            self._logger.log(self._level, rec.message(), extra=extra)

    @property
    def total(self) -> Decimal:
        """The exact sum of every priced request."""
        return self._total

    @property
    def count(self) -> int:
        """How many priced requests were recorded."""
        return self._count

    @property
    def unpriced(self) -> int:
        """How many requests were recorded without a price (``unpriced="record"``)."""
        return self._unpriced

    def by_model(self) -> dict[str, Cost]:
        """The summed cost per canonical model id."""
        with self._lock:
            return {m: t.cost() for m, t in sorted(self._models.items())}

    def by_tag(self, name: str) -> dict[object, Cost]:
        """The summed cost per value of tag *name* (requests without that tag are left out)."""
        with self._lock:
            values = self._tags.get(name, {})
            return {v: _summed(models) for v, models in values.items()}

    def records(self) -> tuple[CostRecord, ...]:
        """The records kept (the last *max_records*), oldest first, as immutable snapshots."""
        with self._lock:
            return tuple(self._records)

    def __repr__(self) -> str:
        return f"<Tracker {self._count} requests, {_usd(self._total)}>"


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
