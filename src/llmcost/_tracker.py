"""`Tracker`: prices and records every request, with totals by model and by tag.

`CostRecord` and the log format live in `_record`, the JSON-lines log in `_log`; their names
are importable from here too.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from collections.abc import Mapping, MutableMapping
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Literal

from ._context import RESERVED, current_tags, refuse_reserved
from ._cost import cost
from ._errors import InvalidTypeError, InvalidUsageError, UnknownModelError
from ._log import CostLogHandler, read_cost_log, write_cost_log
from ._money import CTX as _CTX
from ._money import ZERO as _ZERO
from ._money import usd as _usd
from ._record import CostRecord
from ._record_values import MAX_NAME
from ._registry import Registry
from ._responses import cost_of_response, model_from_response, usage_from_response
from ._totals import FOLD_AT, Totals, summed
from ._usage import Cost, Usage

__all__ = ["CostLogHandler", "CostRecord", "Tracker", "read_cost_log", "write_cost_log"]

_PLAIN_TAG = frozenset({str, int, bool, float, type(None)})


def _shorten(text: str) -> str:
    """An over-long name cut to `MAX_NAME` characters, saying how much was left out."""
    if len(text) <= MAX_NAME:
        return text
    keep = MAX_NAME - 40
    return f"{text[:keep]}...[{len(text) - keep:,} more characters]"


class Tracker:
    """Prices and records every request: totals, per-model and per-tag sums, and a log line.

    Thread-safe (a lock guards the totals) and asyncio-safe (`record` never awaits). An
    unknown model raises `UnknownModelError` (never a silent $0) unless the tracker is made
    with ``unpriced="record"``: then the request is kept, counted in `unpriced` and left out
    of the totals. With a *logger* (a `logging.Logger` or `logging.LoggerAdapter`), each
    request logs one record at *level* whose message is for people and whose ``extra``
    fields carry OpenTelemetry GenAI names (attach a `CostLogHandler` for a JSON-lines
    file). With *cost_log* (a path, or a `CostLogHandler` to share), each request is also
    appended to that JSON-lines file directly, without going through `logging`: a third of
    the time a record costs through a logger and its handler (benchmarks/tracker_record.py);
    a line that cannot be written raises `FileAccessError` from `record`. `records()` keeps
    the last *max_records* requests (None: all of them) so a
    long-running service does not grow without bound; the totals always cover every request.

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
        cost_log: str | os.PathLike[str] | CostLogHandler | None = None,
    ) -> None:
        if unpriced not in ("raise", "record"):
            msg = f"unpriced must be 'raise' or 'record', not {unpriced!r:.60}"
            raise InvalidTypeError(msg)
        if logger is not None and not isinstance(logger, (logging.Logger, logging.LoggerAdapter)):
            msg = f"logger must be a logging.Logger or LoggerAdapter, not {type(logger).__name__}"
            raise InvalidTypeError(msg)
        if registry is not None and not isinstance(registry, Registry):
            msg = f"registry must be a Registry, not {type(registry).__name__}"
            raise InvalidTypeError(msg)
        if isinstance(level, bool) or not isinstance(level, int):
            msg = f"level must be a logging level (an int), not {type(level).__name__}"
            raise InvalidTypeError(msg)
        if max_records is not None and (
            isinstance(max_records, bool) or not isinstance(max_records, int) or max_records < 0
        ):
            msg = f"max_records must be a non-negative int or None, not {max_records!r:.60}"
            raise InvalidTypeError(msg)
        if cost_log is not None and not isinstance(cost_log, CostLogHandler):
            cost_log = CostLogHandler(cost_log)  # a bad path fails here, before any record
        self._cost_log = cost_log
        self._logger = logger
        # A plain Logger gets its LogRecord built directly: Logger.log would walk the stack to
        # find a caller (inside llmcost, so useless), a third of the time a record takes.
        self._direct = isinstance(logger, logging.Logger)
        self._fast_records = (
            isinstance(logger, logging.Logger) and type(logger).makeRecord is _MAKE_RECORD
        )
        self._registry = registry
        self._unpriced_policy = unpriced
        self._level = level
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
            self._models: dict[str, Totals] = {}
            self._tags: dict[str, dict[object, dict[str, Totals]]] = {}
            self._dirty: list[Totals] = []  # the buckets with pending costs
            self._pending = 0

    def record(
        self,
        response_or_model: object,
        usage: Usage | None = None,
        /,
        *,
        model: str | None = None,
        service_tier: str | None = None,
        speed: str | None = None,
        inference_geo: str | None = None,
        batch: bool = False,
        at: date | datetime | None = None,
        **tags: object,
    ) -> Cost | None:
        """Price one request and record it; return its cost.

        Pass a provider response (priced by `cost_of_response`, so everything the readers
        read applies; *model* overrides the model it reports, for Azure deployment names or
        Bedrock ARNs), or a model name and a `Usage` (priced by `cost`'s rule). The request
        context (*service_tier*, *speed*, *inference_geo*, *batch*, *at*) is `cost`'s. Other
        keyword arguments are tags (``feature="search"``), merged over the tags of the
        enclosing `llmcost.tags` blocks; the names in `RESERVED` cannot be tags
        (`InvalidTypeError`), and tag values must survive the JSON log unchanged (see
        `CostRecord`). Returns None only for an unknown model under ``unpriced="record"``.

        >>> from llmcost import Usage
        >>> t = Tracker()
        >>> c = t.record({"model": "my-deployment", "usage": {"prompt_tokens": 1_000,
        ...               "completion_tokens": 100}}, model="gpt-4o", feature="search")
        >>> c.model, t.records()[0].request_model, dict(t.records()[0].tags)
        ('gpt-4o', 'gpt-4o', {'feature': 'search'})
        """
        if tags:
            if "usage" in tags and isinstance(tags["usage"], Usage):
                if usage is not None:
                    msg = "record() got two usages: one positional, one usage="
                    raise InvalidTypeError(msg)
                tags = dict(tags)
                usage = tags.pop("usage")  # type: ignore[assignment]
            if not RESERVED.isdisjoint(tags):
                refuse_reserved(tags, "")
        context = current_tags()
        if context:
            if not RESERVED.isdisjoint(context):
                refuse_reserved(context, "llmcost.tags(): ")
            tags = {**context, **tags}
        if isinstance(response_or_model, str):
            if model is not None:
                msg = "model= overrides a response's model; with a model name, pass only the name"
                raise InvalidTypeError(msg)
            if not isinstance(usage, Usage):
                msg = f"record(model, usage): pass a Usage with a model name, not {usage!r:.60}"
                raise InvalidTypeError(msg)
            asked: str = response_or_model
            c = self._price_name(asked, usage, service_tier, speed, inference_geo, batch, at)
        elif usage is not None:
            if not isinstance(usage, Usage):
                msg = f"record(response, usage): usage must be a Usage, not {type(usage).__name__}"
                raise InvalidTypeError(msg)
            if model is not None and not isinstance(model, str):
                msg = f"model= must be a str, not {type(model).__name__}"
                raise InvalidTypeError(msg)
            asked = model or model_from_response(response_or_model) or ""
            if not asked:
                msg = "this response does not name its model: pass model="
                raise InvalidUsageError(msg)
            c = self._price_name(asked, usage, service_tier, speed, inference_geo, batch, at)
        else:
            c = self._price_response(
                response_or_model, model, service_tier, speed, inference_geo, batch, at
            )
            asked = model or model_from_response(response_or_model) or (c.model if c else "")
        if c is None:
            if usage is None:
                usage = usage_from_response(response_or_model)
            self._store(_unpriced(asked, usage, "unknown model", tags))
            return None
        self._store(CostRecord._priced(_shorten(asked), c, tags, datetime.now(timezone.utc)))
        return c

    def record_unpriced(
        self, model: str, usage: Usage | None, reason: str | None, /, **tags: object
    ) -> None:
        """Record a request that could not be priced, whatever the tracker's `unpriced` policy.

        For capture, which must never break the call it observes: the record has no cost,
        counts in `unpriced` and is logged with *reason* (``llmcost.unpriced_reason``).
        *usage* None (no usage in the response) records zero counts; an absurdly long *model*
        or *reason* is shortened to 1,000 characters, saying how much was left out.

        >>> t = Tracker()
        >>> t.record_unpriced("my-model", None, "unknown model", feature="search")
        >>> t.unpriced, t.count, t.records()[0].message()
        (1, 0, 'my-model 0 in / 0 out unpriced (unknown model)')
        """
        if not isinstance(model, str):
            msg = (
                f"record_unpriced(model, ...): the model must be a str, not {type(model).__name__}"
            )
            raise InvalidTypeError(msg)
        if usage is None:
            usage = Usage()
        elif not isinstance(usage, Usage):
            msg = f"record_unpriced(): usage must be a Usage or None, not {type(usage).__name__}"
            raise InvalidTypeError(msg)
        if reason is not None and not isinstance(reason, str):
            msg = f"record_unpriced(..., reason): a str or None, not {type(reason).__name__}"
            raise InvalidTypeError(msg)
        if tags and not RESERVED.isdisjoint(tags):
            refuse_reserved(tags, "")
        context = current_tags()
        if context:
            if not RESERVED.isdisjoint(context):
                refuse_reserved(context, "llmcost.tags(): ")
            tags = {**context, **tags}
        self._store(_unpriced(model, usage, reason, tags))

    def _price_name(
        self,
        name: str,
        u: Usage,
        tier: str | None,
        speed: str | None,
        geo: str | None,
        batch: bool,
        at: date | datetime | None,
    ) -> Cost | None:
        try:
            return cost(
                name,
                u,
                service_tier=tier,
                speed=speed,
                inference_geo=geo,
                batch=batch,
                at=at,
                registry=self._registry,
            )
        except UnknownModelError:
            if self._unpriced_policy == "raise":
                raise
            return None

    def _price_response(
        self,
        response: object,
        model: str | None,
        tier: str | None,
        speed: str | None,
        geo: str | None,
        batch: bool,
        at: date | datetime | None,
    ) -> Cost | None:
        try:
            return cost_of_response(
                response,
                model=model,
                service_tier=tier,
                speed=speed,
                inference_geo=geo,
                batch=batch,
                at=at,
                registry=self._registry,
            )
        except UnknownModelError:
            if self._unpriced_policy == "raise":
                raise
            return None

    def _store(self, rec: CostRecord) -> None:
        c = rec.cost
        with self._lock:
            self._records.append(rec)
            if c is None:
                self._unpriced += 1
            else:
                self._total = _CTX.add(self._total, c.total)
                self._count += 1
                self._add(self._models, c)
                for name, value in rec.tags.items():
                    key = value if type(value) in _PLAIN_TAG else repr(value)
                    self._add(self._tags.setdefault(name, {}).setdefault(key, {}), c)
                self._pending += 1
                if self._pending >= FOLD_AT:
                    self._fold()
        if self._cost_log is not None:
            self._cost_log.write(rec)
        logger = self._logger
        if logger is not None and logger.isEnabledFor(self._level):
            if self._fast_records:
                # What Logger.makeRecord does, without its check that no extra name collides
                # with LogRecord's own (llmcost's dotted names cannot): 1.5 us less a record.
                log: logging.Logger = logger  # type: ignore[assignment]
                lr = logging.getLogRecordFactory()(
                    log.name, self._level, __file__, 0, _Message(rec), (), None, "record"
                )
                d = lr.__dict__
                d.update(rec._fields())
                d["tags"] = dict(rec.tags)  # the record's own copy: handlers may change it
                if "llmcost.usage.tool_calls" in d:
                    d["llmcost.usage.tool_calls"] = dict(rec.usage.tool_calls)
                d["llmcost.record"] = rec
                log.handle(lr)
                return
            extra = rec.fields()
            extra["llmcost.record"] = rec
            if self._direct:
                log = logger  # type: ignore[assignment]
                log.handle(
                    log.makeRecord(
                        log.name, self._level, __file__, 0, _Message(rec), (), None, "record", extra
                    )
                )
            else:
                _adapted(logger, self._level, _Message(rec), extra)

    def _add(self, buckets: dict[str, Totals], c: Cost) -> None:
        t = buckets.get(c.model)
        if t is None:
            t = buckets[c.model] = Totals(c)
        if not t.pending:
            self._dirty.append(t)
        t.pending.append(c)

    def _fold(self) -> None:
        for t in self._dirty:
            t.fold()
        self._dirty.clear()
        self._pending = 0

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
        """How many requests were recorded without a price."""
        return self._unpriced

    def by_model(self) -> dict[str, Cost]:
        """The summed cost per canonical model id."""
        with self._lock:
            self._fold()
            return {m: t.cost() for m, t in sorted(self._models.items())}

    def by_tag(self, name: str) -> dict[object, Cost]:
        """The summed cost per value of tag *name* (requests without that tag are left out).

        A list or dict value is keyed by its `repr`.
        """
        if not isinstance(name, str):
            msg = f"by_tag(name): a tag name is a str, not {type(name).__name__}"
            raise InvalidTypeError(msg)
        with self._lock:
            self._fold()
            values = self._tags.get(name, {})
            return {v: summed(models) for v, models in values.items()}

    def records(self) -> tuple[CostRecord, ...]:
        """The records kept (the last *max_records*), oldest first, as immutable snapshots."""
        with self._lock:
            return tuple(self._records)

    def __repr__(self) -> str:
        return f"<Tracker {self._count} requests, {_usd(self._total)}>"


_MAKE_RECORD = logging.Logger.makeRecord


def _adapted(logger: Any, level: int, msg: object, extra: dict[str, object]) -> None:
    """Log through LoggerAdapters, keeping llmcost's fields: before Python 3.13 an adapter's
    `process` replaces the call's ``extra`` with its own instead of merging them."""
    kwargs: MutableMapping[str, Any] = {"extra": extra}
    while isinstance(logger, logging.LoggerAdapter):
        msg, kwargs = logger.process(msg, kwargs)
        kwargs["extra"] = {**extra, **(kwargs.get("extra") or {})}
        logger = logger.logger
    logger.log(level, msg, **kwargs)


class _Message:
    """A log record's message, made into text only when a handler formats it.

    `logging` takes any object as the message and calls `str` on it when it needs the text;
    a `CostLogHandler` never does, which saves 1.7 us a record.
    """

    __slots__ = ("_record",)

    def __init__(self, record: CostRecord) -> None:
        self._record = record

    def __str__(self) -> str:
        return self._record.message()

    def __repr__(self) -> str:
        return repr(self._record.message())


def _unpriced(
    model: str, usage: Usage, reason: str | None, tags: Mapping[str, object]
) -> CostRecord:
    return CostRecord(
        time=datetime.now(timezone.utc),
        request_model=_shorten(model),
        model="",
        provider="",
        usage=usage,
        cost=None,
        tags=tags,
        unpriced_reason=None if reason is None else _shorten(reason),
    )
