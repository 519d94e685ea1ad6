"""Cost-log reports: `cost_report` totals cost logs (or `CostRecord`s) by model, day or tag.

The log is streamed in blocks (memory stays flat whatever its size) and a large regular file
is split across processes; see `llmcost._report_lines` for how each line is read and checked.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, Union

import attrs

from ._errors import FileAccessError, InvalidInputError, InvalidTypeError
from ._money import SUM_CTX, plain
from ._paths import checked_path
from ._report_lines import _C, _I_TOOLS, Totals, finished, new_group
from ._report_record import day_order, public_key
from ._usage import AMOUNT_FIELDS, COUNT_FIELDS, Usage

if TYPE_CHECKING:
    from ._registry import Registry
    from ._tracker import CostRecord

__all__ = ["CostReport", "ReportGroup", "SkippedLine", "cost_report"]

#: A regular file at least this large is split across processes (one per CPU, up to 8).
PARALLEL_MIN_BYTES = 64 * 1024 * 1024
MAX_WORKERS = 8
#: Bytes read at a time, and the longest line read (a cost record is under a kilobyte).
BLOCK_BYTES = 1024 * 1024
MAX_LINE_BYTES = 8 * 1024 * 1024

Source = Union[str, "os.PathLike[str]", IO[bytes], IO[str], Iterable["CostRecord"]]


def _frozen_counts(value: Mapping[str, int]) -> Mapping[str, int]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and type(n) is int for k, n in value.items()
    ):
        msg = f"expected a mapping of names to int counts, not {value!r:.60}"
        raise InvalidTypeError(msg)
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class ReportGroup:
    """The sums of one group of a `CostReport`: requests, exact amounts and token counts.

    `key` is the model, provider, UTC day (``"2026-11-28"``) or tag value (None: records
    without it). `records` counts the log lines; `requests` the requests they cover (a record
    covers one unless its usage says otherwise). The amounts are exact `Decimal` USD (`total`
    and its lines, as in `Cost`); `tokens` holds every `Usage` count by name, `tool_calls` the
    server-side tool uses.

    >>> from llmcost import Tracker, Usage, cost_report
    >>> t = Tracker()
    >>> _ = t.record("gpt-4o", Usage(input_tokens=1_200, output_tokens=300))
    >>> g = cost_report(t.records()).groups[0]
    >>> g.key, g.records, g.input_tokens, g.total
    ('gpt-4o', 1, 1200, Decimal('0.006'))
    """

    key: object = attrs.field(hash=False)
    records: int
    total: Decimal
    input: Decimal
    cache_read: Decimal
    cache_write: Decimal
    output: Decimal
    tools: Decimal
    request_fees: Decimal
    tokens: Mapping[str, int] = attrs.field(converter=_frozen_counts, hash=False)
    tool_calls: Mapping[str, int] = attrs.field(converter=_frozen_counts, hash=False)

    @property
    def requests(self) -> int:
        """The requests these records cover."""
        return self.tokens["requests"]

    @property
    def input_tokens(self) -> int:
        """All input tokens (cache reads, writes and media included)."""
        return self.tokens["input_tokens"]

    @property
    def output_tokens(self) -> int:
        """All output tokens (reasoning and media included)."""
        return self.tokens["output_tokens"]

    @property
    def cache_read_tokens(self) -> int:
        """Input tokens read from a cache."""
        return self.tokens["cache_read_tokens"]

    @property
    def cache_write_tokens(self) -> int:
        """Input tokens written to a cache, whatever the TTL."""
        return sum(self.tokens[f] for f in COUNT_FIELDS if f.startswith("cache_write_"))

    @property
    def reasoning_tokens(self) -> int:
        """Reasoning tokens (part of the output tokens)."""
        return self.tokens["reasoning_tokens"]

    def usage(self) -> Usage:
        """The sums as one `Usage` (`InvalidUsageError` if a sum exceeds what a Usage holds)."""
        return Usage(**self.tokens, tool_calls=self.tool_calls)


@attrs.frozen(kw_only=True)
class SkippedLine:
    """A log line (or record) a report skipped: where it is and why.

    >>> SkippedLine(source="costs.jsonl", line=7, reason="not JSON")
    SkippedLine(source='costs.jsonl', line=7, reason='not JSON')
    """

    source: str
    line: int
    reason: str


@attrs.frozen(kw_only=True)
class CostReport:
    """What `cost_report` found: the groups (largest cost first; by day oldest first), the
    totals, the unpriced records, and the skipped lines with their reasons.

    `by` is ``"model"``, ``"provider"``, ``"day"`` or ``"tag:NAME"``. `skipped` counts every
    skipped line; `skipped_lines` lists the first of them (up to ``max_skipped_lines``).

    >>> from llmcost import Tracker, Usage, cost_report
    >>> t = Tracker()
    >>> _ = t.record("gpt-4o", Usage(input_tokens=1_200, output_tokens=300), feature="search")
    >>> _ = t.record("gpt-4o", Usage(input_tokens=2_000, output_tokens=500), feature="chat")
    >>> r = cost_report(t.records(), by="feature")
    >>> [(g.key, g.total) for g in r.groups], r.totals.total
    ([('chat', Decimal('0.01')), ('search', Decimal('0.006'))], Decimal('0.016'))
    """

    by: str
    groups: tuple[ReportGroup, ...]
    totals: ReportGroup
    unpriced: int
    skipped: int
    skipped_lines: tuple[SkippedLine, ...]
    sources: tuple[str, ...]
    lines: int

    @property
    def tag(self) -> str | None:
        """The tag grouped by, if the report is by tag."""
        return self.by[4:] if self.by.startswith("tag:") else None

    def get(self, key: object) -> ReportGroup | None:
        """The group of *key*, if there is one."""
        for g in self.groups:
            if g.key == key and type(g.key) is type(key):
                return g
        return None


def _by(by: object) -> tuple[str, str | None]:
    if not isinstance(by, str):
        msg = f"by must be 'model', 'day', 'provider' or a tag name, not {type(by).__name__}"
        raise InvalidTypeError(msg)
    if by in ("model", "day", "provider"):
        return by, None
    tag = by[4:] if by.startswith("tag:") else by
    if not tag:
        msg = "by='tag:NAME' needs a tag name"
        raise InvalidInputError(msg)
    return "tag", tag


def cost_report(
    *sources: Source,
    by: str = "model",
    registry: Registry | None = None,
    workers: int | None = None,
    max_skipped_lines: int = 1000,
) -> CostReport:
    """Total the costs of cost logs by model, day (UTC), provider or tag.

    Each source is the path of a JSON-lines cost log (``.gz`` is decompressed), an open file,
    or an iterable of `CostRecord`. A log line is a cost record (as `CostLogHandler` writes it)
    or a raw provider response (priced with `cost_of_response` as of its ``created`` time,
    with *registry*). *by* is ``"model"``, ``"day"``, ``"provider"``, or a tag name (write
    ``"tag:model"`` for a tag called "model"). Every record is checked as `read_cost_log`
    checks it: a malformed line (bad JSON, an amount that is not an exact non-negative
    decimal, cost lines that do not sum to the total, inconsistent token counts, ...) is
    skipped and listed with its line number and the reason, never counted. Memory stays flat;
    a regular file of 64 MiB or more is read by up to 8 processes (*workers*: at most this
    many; 1: this process only). Sums are exact whatever the caller's decimal context.

    >>> import io
    >>> from llmcost import Tracker, Usage, cost_report, write_cost_log
    >>> t = Tracker()
    >>> _ = t.record("gpt-4o", Usage(input_tokens=1_200, output_tokens=300))
    >>> log = io.StringIO()
    >>> _ = write_cost_log(t.records(), log)
    >>> _ = log.write("not a record\\n")
    >>> _ = log.seek(0)
    >>> r = cost_report(log)
    >>> r.totals.total, r.skipped, r.skipped_lines[0].line
    (Decimal('0.006'), 1, 2)
    """
    kind, tag = _by(by)
    if registry is not None:
        from ._registry import Registry

        if not isinstance(registry, Registry):
            msg = f"registry must be a Registry, not {type(registry).__name__}"
            raise InvalidTypeError(msg)
    if workers is not None and (type(workers) is not int or workers < 1):
        msg = f"workers must be a positive int or None, not {workers!r}"
        raise InvalidTypeError(msg)
    if type(max_skipped_lines) is not int or max_skipped_lines < 0:
        msg = f"max_skipped_lines must be a non-negative int, not {max_skipped_lines!r}"
        raise InvalidTypeError(msg)
    if not sources:
        msg = "cost_report() needs at least one source: a path, an open file or records"
        raise InvalidTypeError(msg)
    totals = Totals(kind, tag, registry, max_skipped_lines)
    names = []
    lines = 0
    for source in sources:
        totals.lines = 0
        names.append(_add(totals, source, workers))
        lines += totals.lines
    label = kind if tag is None else f"tag:{tag}"
    return _summary(totals, label, tuple(names), lines)


def _add(totals: Totals, source: Source, workers: int | None) -> str:
    """Add one source to *totals*; return its name."""
    if isinstance(source, (str, os.PathLike)):
        return _add_path(totals, source, workers)
    if isinstance(source, (bytes, bytearray)):
        msg = "pass a path as str or os.PathLike, or the log as an open file, not bytes"
        raise InvalidTypeError(msg)
    if hasattr(source, "read"):
        name = str(getattr(source, "name", "<stream>"))
        totals.add_lines(name, _blocks(source))
        return name
    if isinstance(source, Iterable):
        from ._tracker import CostRecord

        name = "<records>"
        for no, rec in enumerate(source, 1):
            if not isinstance(rec, CostRecord):
                msg = f"record {no} is a {type(rec).__name__}, not a CostRecord"
                raise InvalidTypeError(msg)
            totals.add_record(name, no, rec)
            totals.lines = no
        return name
    msg = f"a report source is a path, an open file or CostRecords, not {type(source).__name__}"
    raise InvalidTypeError(msg)


def _unreadable(name: str, e: OSError) -> FileAccessError:
    msg = f"{name}: cannot read the cost log: {e.strerror or e}"
    return FileAccessError(e.errno, msg)


def _add_path(totals: Totals, path: str | os.PathLike[str], workers: int | None) -> str:
    name = checked_path(path, "cost log path")
    try:
        if name.endswith(".gz"):
            import gzip
            import zlib

            try:
                with gzip.open(name, "rb") as gz:
                    totals.add_lines(name, _blocks(gz))
            except (gzip.BadGzipFile, EOFError, zlib.error) as e:
                msg = f"{name}: not a complete gzip file ({e}); the lines before were counted"
                raise InvalidInputError(msg) from None
            return name
        with open(name, "rb") as f:
            chunks = _chunks(f, workers)
            if len(chunks) == 1:
                totals.add_lines(name, _blocks(f))
                return name
            _add_parallel(totals, name, f, chunks)
    except OSError as e:
        if isinstance(e, FileAccessError):
            raise
        raise _unreadable(name, e) from None
    return name


def _blocks(f: Any, size: int | None = None) -> Iterator[list[bytes | None]]:
    """The lines of *f* (up to *size* bytes), a list per block read; None for a line longer
    than `MAX_LINE_BYTES` (the rest of it is skipped unread into memory)."""
    read = getattr(f, "read1", None) or f.read
    carry = b""
    too_long = False
    while True:
        want = BLOCK_BYTES if size is None else min(BLOCK_BYTES, size)
        data = read(want) if want > 0 else b""
        if isinstance(data, str):  # a text file
            data = data.encode("utf-8", "surrogatepass")
        if not data:
            if too_long:
                yield [None]
            elif carry:
                yield [carry]
            return
        if size is not None:
            size -= len(data)
        lines: list[bytes | None] = list(data.split(b"\n"))
        last = lines.pop()
        assert last is not None
        if not lines:  # no line ends in this block
            if not too_long:
                carry += last
                if len(carry) > MAX_LINE_BYTES:
                    carry, too_long = b"", True
            continue
        if too_long:
            lines[0], too_long = None, False
        elif carry:
            first = lines[0]
            assert first is not None
            lines[0] = None if len(carry) + len(first) > MAX_LINE_BYTES else carry + first
        carry = last
        if len(carry) > MAX_LINE_BYTES:
            carry, too_long = b"", True
        yield lines


def _cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _chunks(f: Any, workers: int | None) -> list[tuple[int, int]]:
    """(start, end) byte ranges of the open file *f*, each starting a line, for the workers."""
    import stat

    st = os.fstat(f.fileno())
    size = st.st_size
    if not stat.S_ISREG(st.st_mode) or size < PARALLEL_MIN_BYTES:
        return [(0, size)]
    parts = min(_cpus(), MAX_WORKERS, workers or MAX_WORKERS, size // (PARALLEL_MIN_BYTES // 2))
    if parts < 2:
        return [(0, size)]
    bounds = [0]
    for k in range(1, parts):
        f.seek(size * k // parts)
        while True:  # on to the start of the next line, a block at a time
            line = f.readline(BLOCK_BYTES)
            if not line or line.endswith(b"\n"):
                break
        at = f.tell()
        if bounds[-1] < at < size:
            bounds.append(at)
    bounds.append(size)
    f.seek(0)
    return list(itertools.pairwise(bounds))


def _portable(registry: Registry | None) -> list[dict[str, Any]] | None:
    """*registry*'s prices as picklable keyword arguments (None: the default registry)."""
    if registry is None:
        return None
    out = []
    for p in registry.prices():
        kw = {}
        for a in attrs.fields(type(p)):
            value = getattr(p, a.name)
            kw[a.alias or a.name] = dict(value) if isinstance(value, Mapping) else value
        out.append(kw)
    return out


def _rebuild(data: list[dict[str, Any]] | None) -> Registry | None:
    if data is None:
        return None
    from ._prices import ModelPrice
    from ._registry import Registry

    return Registry([ModelPrice(**kw) for kw in data])


def _work(
    path: str,
    start: int,
    end: int,
    by: str,
    tag: str | None,
    registry: list[dict[str, Any]] | None,
    max_reasons: int,
) -> tuple[Any, ...]:
    """Add up one byte range of a log (in a worker process)."""
    totals = Totals(by, tag, _rebuild(registry), max_reasons)
    with open(path, "rb") as f:
        f.seek(start)
        totals.add_lines(path, _blocks(f, end - start))
    return totals.state()


def _add_parallel(totals: Totals, name: str, f: Any, chunks: list[tuple[int, int]]) -> None:
    # JSON parsing is the bottleneck: other processes take the other ranges while this one
    # reads the first; their sums are merged in file order, so line numbers stay right.
    from concurrent.futures import ProcessPoolExecutor

    registry = _portable(totals.registry)
    with ProcessPoolExecutor(max_workers=len(chunks) - 1) as pool:
        futures = [
            pool.submit(
                _work, name, start, end, totals.by, totals.tag, registry, totals.max_reasons
            )
            for start, end in chunks[1:]
        ]
        totals.add_lines(name, _blocks(f, chunks[0][1]))
        for future in futures:
            totals.merge(future.result(), totals.lines)


def _tidy(amount: Decimal) -> Decimal:
    """*amount* without trailing zeros or an exponent (``0.0060000`` -> ``0.006``), exactly."""
    return Decimal(plain(amount))


def _group(key: object, g: list[Any]) -> ReportGroup:
    amounts = {f: _tidy(a) for f, a in zip(("total", *AMOUNT_FIELDS), g[1:_C], strict=True)}
    return ReportGroup(
        key=public_key(key),
        records=g[0],
        **amounts,
        tokens=dict(zip(COUNT_FIELDS, g[_C:_I_TOOLS], strict=True)),
        tool_calls=dict(sorted(g[_I_TOOLS].items())),
    )


def _summary(totals: Totals, by: str, sources: tuple[str, ...], lines: int) -> CostReport:
    items = [(k, finished(g)) for k, g in totals.groups.items()]
    if totals.by == "day":
        items.sort(key=lambda kv: day_order(kv[0]))
    else:
        # copy_negate: exact whatever the caller's decimal context (unary minus rounds to it).
        items.sort(key=lambda kv: (kv[1][1].copy_negate(), kv[0] is None, str(public_key(kv[0]))))
    everything = new_group()
    for _key, g in items:
        everything[0] += g[0]
        for k in range(1, _C):
            everything[k] = SUM_CTX.add(everything[k], g[k])
        for k in range(_C, _I_TOOLS):
            everything[k] += g[k]
        for tool, n in g[_I_TOOLS].items():
            everything[_I_TOOLS][tool] = everything[_I_TOOLS].get(tool, 0) + n
    skipped = tuple(SkippedLine(source=s, line=n, reason=r) for s, n, r in totals.reasons)
    return CostReport(
        by=by,
        groups=tuple(_group(k, g) for k, g in items),
        totals=_group(None, everything),
        unpriced=totals.unpriced,
        skipped=totals.skipped,
        skipped_lines=skipped,
        sources=sources,
        lines=lines,
    )
