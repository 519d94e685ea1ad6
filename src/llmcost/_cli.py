"""The ``llmcost`` command line: prices, token counts, costs, comparisons and cost-log reports.

Entry point of the ``llmcost`` console script and of ``python -m llmcost``. Only `argparse`,
`os` and `sys` are imported here; each command imports what it needs when it runs, so that
``import llmcost._cli`` (and ``llmcost --help``) stays cheap.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
    from datetime import date
    from decimal import Decimal

    from ._cost import Cost
    from ._errors import UnknownModelError
    from ._registry import ModelPrice, Registry

#: Exit statuses (documented in ``llmcost --help``).
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_SKIPPED = 3

#: Tables are laid out to fit this many columns (long model names are cut with an ellipsis).
WIDTH = 100
#: Inputs larger than this get a progress bar on stderr (only when stderr is a terminal).
PROGRESS_MIN_BYTES = 4 * 1024 * 1024
#: Bytes read per chunk when counting tokens (memory stays bounded by a few chunks).
CHUNK_BYTES = 1024 * 1024
#: `report` prints at most this many malformed-line messages, then only counts them.
MAX_LINE_ERRORS = 50
#: `report` splits a regular file at least this large across processes (one per CPU, up to 8).
PARALLEL_MIN_BYTES = 64 * 1024 * 1024

_EXIT_CODES = """\
exit status:
  0  success
  1  error (unreadable file, bad price file, a rate the model does not have, ...)
  2  usage error (bad option or value, unknown model or provider)
  3  report: some lines were malformed and skipped (the totals cover the other lines)

environment:
  LLMCOST_PRICES  a JSON price file that extends and overrides the shipped prices
                  (--registry FILE does the same for one command, on top of it)
"""

_MAIN_EXAMPLES = """\
examples:
  llmcost models --provider anthropic
  llmcost price gpt-4o
  llmcost count notes.md --model claude-sonnet-4-5
  llmcost cost gpt-4o --input 1.2k --output 300
  llmcost compare --input 10k --output 1k --top 5
  llmcost estimate prompt.txt --model gpt-4o --max-output 1k --compare
  llmcost report costs.jsonl --by day
  llmcost prices --format csv > prices.csv

"""

_EXAMPLES = {
    "models": """\
example:
  llmcost models --provider openai
  llmcost models --json | jq '.[] | select(.input_per_mtok | tonumber < 1) | .model'
""",
    "price": """\
example:
  llmcost price claude-sonnet-4-5
  llmcost price o3 --at 2025-01-01
""",
    "count": """\
examples:
  llmcost count README.md docs/*.md --model gpt-4o
  git diff | llmcost count - --model claude-sonnet-4-5

Counts are exact for OpenAI encodings (o200k_base, cl100k_base) and a calibrated estimate for
other vendors; the output says which. Files are read in chunks: memory stays flat.
""",
    "cost": """\
example:
  llmcost cost claude-sonnet-4-5 --input 12k --cache-read 10k --output 800
  llmcost cost gpt-4o --input 1,200,000 --output 3M --batch

Token counts accept 1200, 1_200, 1,200, 1.2k and 3M (k = 1,000, M = 1,000,000).
--input includes the cache tokens; --output includes the reasoning tokens.
""",
    "compare": """\
example:
  llmcost compare --input 10k --output 1k --top 5
  llmcost compare --input 1M --output 100k --models gpt-4o,claude-sonnet-4-5,gemini-2.5-pro

Without --models, models that lack a rate the workload needs (batch, cache) are left out.
""",
    "estimate": """\
example:
  llmcost estimate prompt.txt --model gpt-4o --max-output 2k
  llmcost estimate prompt.txt --max-output 2k --compare --top 10

The file is counted as plain text and the output is assumed to reach --max-output: an upper
bound on what sending it as a prompt would cost (llmcost.estimate).
""",
    "report": """\
example:
  llmcost report costs.jsonl --by day
  llmcost report costs.jsonl --by feature      # a tag given to Tracker.record(..., feature=)

Each line is a cost record (as CostLogHandler writes them) or a raw provider response (priced
with cost_of_response, as of its `created` day when it has one). Malformed lines are reported
on stderr with their line number (the first 50; the rest are counted) and skipped; the exit
status is then 3. Use tag:NAME for a tag called "model" or "day". The log is streamed (memory
stays flat) and a large file is read by several processes at once.
""",
    "prices": """\
example:
  llmcost prices --format csv > prices.csv
  llmcost prices --format jsonl --aliases
""",
}


# --- errors ------------------------------------------------------------------------------------


class _UsageError(Exception):
    """A command line that cannot work (exit status 2); the message says what to change."""


class _Failure(Exception):
    """A command that could not do its job (exit status 1); the message says why."""


def _err(message: str) -> None:
    print(f"llmcost: {message}", file=sys.stderr)


def _unknown_model_message(e: UnknownModelError) -> str:
    msg = e.reason or f"unknown model {e.model!r}"
    if e.suggestions:
        msg += "; did you mean " + ", ".join(repr(s) for s in e.suggestions) + "?"
    return msg + (
        "\n  `llmcost models` lists the known models; --registry FILE or LLMCOST_PRICES adds "
        "prices for others."
    )


# --- argument types ----------------------------------------------------------------------------

_SCALE = {"": 1, "k": 1_000, "m": 1_000_000}


def parse_tokens(text: str) -> int:
    """A token count as people write it: ``1200``, ``1_200``, ``1,200``, ``1.2k`` or ``3M``.

    k is 1,000 and M 1,000,000 (either case); a decimal must come to a whole number of tokens.

    >>> parse_tokens("1.2k"), parse_tokens("1,200"), parse_tokens("3M")
    (1200, 1200, 3000000)
    """
    import re

    s = text.strip()
    if s.startswith("-"):
        msg = f"{text!r}: a token count cannot be negative"
        raise ValueError(msg)
    m = re.fullmatch(r"(\d+(?:_\d+)*|\d{1,3}(?:,\d{3})+)(?:\.(\d+))?([kKmM]?)", s, re.ASCII)
    if m is None:
        msg = f"{text!r} is not a token count (write 1200, 1_200, 1,200, 1.2k or 3M)"
        raise ValueError(msg)
    whole: str = m.group(1)
    frac: str = m.group(2) or ""
    suffix: str = m.group(3)
    # Integer arithmetic: exact for any length of input.
    scaled = int(whole.replace("_", "").replace(",", "") + frac) * _SCALE[suffix.lower()]
    unit: int = 10 ** len(frac)
    n, rest = divmod(scaled, unit)
    if rest:  # a fraction of a token
        msg = f"{text!r} is not a whole number of tokens"
        raise ValueError(msg)
    return n


def _tokens_arg(text: str) -> int:
    try:
        return parse_tokens(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _date_arg(text: str) -> date:
    from datetime import date

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        msg = f"{text!r} is not a date: write it as YYYY-MM-DD"
        raise argparse.ArgumentTypeError(msg) from None


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        msg = f"{text!r} is not a positive whole number"
        raise argparse.ArgumentTypeError(msg)
    return n


# --- formatting --------------------------------------------------------------------------------


def _plain(d: Decimal) -> str:
    """A decimal as a plain string: no exponent, no trailing zeros (``0.0060`` -> ``0.006``)."""
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _usd(amount: Decimal) -> str:
    """Money for people: dollars to a millionth (the fields in --json stay exact)."""
    return f"${amount:,.6f}"


def _rate(rate: Decimal | None) -> str:
    return "-" if rate is None else _plain(rate)


def _int(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Container[int] = (),
    footer: Sequence[Sequence[str]] = (),
    shrink: int = 0,
    indent: str = "",
) -> str:
    """An aligned text table that fits `WIDTH` columns by cutting column *shrink* (with …)."""
    everything = [headers, *rows, *footer]
    widths = [max(len(r[i]) for r in everything) for i in range(len(headers))]
    room = WIDTH - len(indent) - 2 * (len(widths) - 1)
    excess = sum(widths) - room
    if excess > 0:
        widths[shrink] = max(widths[shrink] - excess, len(headers[shrink]), 8)

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            w = widths[i]
            if len(cell) > w:
                cell = cell[: w - 1] + "…"
            out.append(cell.rjust(w) if i in right else cell.ljust(w))
        return (indent + "  ".join(out)).rstrip()

    rule = indent + "  ".join(("-" if h else " ") * w for h, w in zip(headers, widths, strict=True))
    lines = [line(headers), rule.rstrip(), *(line(r) for r in rows)]
    if footer:
        lines.append(rule.rstrip())
        lines.extend(line(r) for r in footer)
    return "\n".join(lines)


def _wrap(label: str, text: str, width: int = 16) -> str:
    import textwrap

    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=f"{label:<{width}}",
        subsequent_indent=" " * width,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _json_value(value: object) -> object:
    """JSON-ready: Decimals as plain strings, dates as ISO strings, tuples as lists."""
    from datetime import date
    from decimal import Decimal

    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def _print_json(obj: object) -> None:
    import json

    print(json.dumps(_json_value(obj), indent=2, ensure_ascii=False))


def _price_dict(p: ModelPrice | Any) -> dict[str, object]:
    """A `ModelPrice` (or `PriceTier`) under its own field names."""
    import attrs

    return attrs.asdict(p, recurse=True)


def _cost_dict(c: Cost) -> dict[str, object]:
    """A `Cost` under its own field names, with its `Usage` (and no `parts`)."""
    import attrs

    d = attrs.asdict(c, recurse=True, filter=lambda a, _v: a.name != "parts")
    d["currency"] = "USD"
    return d


# --- shared helpers ----------------------------------------------------------------------------


def _want_json(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "json", False))


def _registry(args: argparse.Namespace) -> Registry:
    """The default registry (with ``$LLMCOST_PRICES``), plus ``--registry FILE`` on top."""
    return _load_registry(getattr(args, "registry", None))


def _load_registry(path: str | None) -> Registry:
    from ._registry import Registry

    reg = Registry.default()
    if path:
        reg = reg.with_prices(*Registry.from_file(path).prices())
    return reg


def _provider_models(reg: Registry, provider: str | None) -> list[str]:
    names = reg.models(provider)
    if provider is not None and not names:
        msg = f"no models for provider {provider!r}; known providers: {', '.join(reg.providers())}"
        raise _UsageError(msg)
    return names


def _resolve(reg: Registry, model: str) -> str:
    """The canonical id of a model named on the command line (unknown: a usage error)."""
    from ._errors import UnknownModelError

    try:
        return reg.resolve(model)
    except UnknownModelError as e:
        raise _UsageError(_unknown_model_message(e)) from None


def _today() -> date:
    from datetime import date

    return date.today()


# --- progress ----------------------------------------------------------------------------------


class _Progress:
    """A one-line progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, label: str, total: int | None, stream: TextIO | None = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.label = label
        self.total = total
        self.done = 0
        self.shown = False
        self._last = -1.0
        try:
            tty = self.stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        big = total is None or total >= PROGRESS_MIN_BYTES
        self.enabled = tty and big

    def update(self, n: int) -> None:
        self.done += n
        if not self.enabled or (self.total is None and self.done < PROGRESS_MIN_BYTES):
            return
        import time

        now = time.monotonic()
        if now - self._last < 0.1 and (self.total is None or self.done < self.total):
            return
        self._last = now
        mib = self.done / 1048576
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = "#" * int(frac * 30)
            total = self.total / 1048576
            text = f"{frac:4.0%} [{bar:<30}] {mib:,.1f}/{total:,.1f} MiB  {self.label}"
        else:
            text = f"{mib:,.1f} MiB  {self.label}"
        self.stream.write("\r" + text[: WIDTH - 1])
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * (WIDTH - 1) + "\r")
            self.stream.flush()
            self.shown = False


# --- models ------------------------------------------------------------------------------------


def _cmd_models(args: argparse.Namespace) -> int:
    reg = _registry(args)
    when = args.at or _today()
    prices = [reg.get(m, at=when) for m in _provider_models(reg, args.provider)]
    prices.sort(key=lambda p: (p.provider, p.model))
    if _want_json(args):
        _print_json([_price_dict(p) for p in prices])
        return EXIT_OK
    rows = [
        [
            p.model,
            p.provider,
            _rate(p.input_per_mtok),
            _rate(p.output_per_mtok),
            _rate(p.cache_read_per_mtok),
            _batch_rates(p),
            _int(p.context_window),
            p.checked.isoformat() if p.checked else "-",
        ]
        for p in prices
    ]
    headers = ["model", "provider", "input", "output", "cached", "batch in/out", "context"]
    print(f"Prices in force on {when.isoformat()}, USD per 1M tokens ('-': no such rate)")
    print()
    print(_table([*headers, "checked"], rows, right=range(2, 7)))
    as_of = reg.as_of.isoformat() if reg.as_of else "unknown"
    print(f"\n{len(prices)} models; prices checked up to {as_of}")
    return EXIT_OK


def _batch_rates(p: ModelPrice) -> str:
    if p.batch_input_per_mtok is None or p.batch_output_per_mtok is None:
        return "-"
    return f"{_plain(p.batch_input_per_mtok)}/{_plain(p.batch_output_per_mtok)}"


# --- price -------------------------------------------------------------------------------------

_RATE_LABELS = (
    ("input_per_mtok", "input"),
    ("output_per_mtok", "output"),
    ("cache_read_per_mtok", "cache read"),
    ("cache_write_per_mtok", "cache write (5 min)"),
    ("cache_write_1h_per_mtok", "cache write (1 hour)"),
    ("batch_input_per_mtok", "batch input"),
    ("batch_output_per_mtok", "batch output"),
)


def _tokenizer_label(p: ModelPrice) -> str:
    from ._registry import EXACT_TOKENIZERS

    if p.tokenizer in EXACT_TOKENIZERS:
        return f"exact ({p.tokenizer})"
    return f"estimate ({p.tokenizer} profile)"


def _cmd_price(args: argparse.Namespace) -> int:
    reg = _registry(args)
    model = _resolve(reg, args.model)
    when = args.at or _today()
    p = reg.get(model, at=when)
    history = reg.history(model)
    if _want_json(args):
        out: dict[str, object] = {"requested": args.model, "at": when}
        out |= _price_dict(p)
        out["history"] = [_price_dict(h) for h in history]
        _print_json(out)
        return EXIT_OK
    print(f"{p.model} ({p.provider})")
    if args.model != p.model:
        print(f"{'requested as':<16}{args.model}")
    if p.aliases:
        print(_wrap("aliases", ", ".join(p.aliases)))
    print(f"{'tokenizer':<16}{_tokenizer_label(p)}")
    print(
        f"{'context':<16}{_int(p.context_window)} tokens, "
        f"up to {_int(p.max_output_tokens)} output tokens"
    )
    if p.source_url:
        checked = f" (checked {p.checked.isoformat()})" if p.checked else ""
        print(f"{'source':<16}{p.source_url}{checked}")
    if p.note:
        print(_wrap("note", p.note))
    print(f"\nPrices in force on {when.isoformat()}, USD per 1M tokens:")
    for field, label in _RATE_LABELS:
        print(f"  {label:<22}{_rate(getattr(p, field))}")
    if p.tiers:
        print("\nLong-context rates (for the whole request when its input exceeds the threshold):")
        print(_tier_table(p, indent="  "))
    print("\nPrice history:")
    rows = []
    for h in history:
        rows.append(
            [
                h.valid_from.isoformat() if h.valid_from else "(first)",
                h.valid_to.isoformat() if h.valid_to else "-",
                *(_rate(getattr(h, f)) for f, _ in _RATE_LABELS),
                ", ".join(f">{t.above_input_tokens:,}" for t in h.tiers) or "-",
                "*" if h == p else "",
            ]
        )
    headers = ["from", "until", "input", "output", "cached", "write 5m", "write 1h"]
    headers += ["batch in", "batch out", "tiers", ""]
    print(_table(headers, rows, right=range(2, 9), shrink=9, indent="  "))
    print(f"  (* in force on {when.isoformat()}; tiers: long-context thresholds)")
    return EXIT_OK


def _tier_table(p: ModelPrice, indent: str = "") -> str:
    rows = [
        [
            _int(t.above_input_tokens),
            _rate(t.input_per_mtok),
            _rate(t.output_per_mtok),
            _rate(t.cache_read_per_mtok),
            _rate(t.cache_write_per_mtok),
            _rate(t.cache_write_1h_per_mtok),
        ]
        for t in p.tiers
    ]
    headers = ["above input", "input", "output", "cached", "write 5m", "write 1h"]
    return _table(headers, rows, right=range(6), indent=indent)


# --- count -------------------------------------------------------------------------------------


class _Input:
    """A file (or ``-``, stdin) to count, read in chunks; stdin is spooled to a temporary file
    when it must be read more than once."""

    def __init__(self, path: str, *, passes: int = 1) -> None:
        import stat

        self.name = "<stdin>" if path == "-" else path
        self._own = path != "-"
        self.file: Any = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
        if path == "-" and passes > 1 and not self._seekable():
            import shutil
            import tempfile

            spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
            shutil.copyfileobj(self.file, spool, CHUNK_BYTES)
            spool.seek(0)
            self.file, self._own = spool, True
        try:
            st = os.fstat(self.file.fileno())
            self.size: int | None = st.st_size if stat.S_ISREG(st.st_mode) else None
        except (OSError, ValueError, AttributeError):
            self.size = None
        self._start = self.file.tell() if self._seekable() else 0
        self.bytes = 0
        self.invalid = 0

    def _seekable(self) -> bool:
        try:
            return bool(self.file.seekable())
        except (AttributeError, ValueError):
            return False

    def count(self, counter: Callable[[Iterable[str]], int], label: str) -> int:
        """Feed the whole input to *counter* as decoded text chunks, with a progress bar."""
        if self.bytes:
            self.file.seek(self._start)
        progress = _Progress(f"{label} {self.name}", self.size)
        try:
            return counter(self._chunks(progress))
        finally:
            progress.close()

    def _chunks(self, progress: _Progress) -> Iterator[str]:
        """UTF-8 text chunk by chunk; invalid bytes become U+FFFD (as `count_file_tokens`)."""
        import codecs

        decoder = codecs.getincrementaldecoder("utf-8")(errors=_counting_replace())
        self.bytes = 0
        start = _INVALID[0]
        while True:
            data = self.file.read(CHUNK_BYTES)
            text = decoder.decode(data, final=not data)
            self.bytes += len(data)
            self.invalid = _INVALID[0] - start
            progress.update(len(data))
            if text:
                yield text
            if not data:
                return

    def close(self) -> None:
        if self._own:
            self.file.close()


#: Invalid UTF-8 sequences replaced so far (by the "llmcost.replace" error handler).
_INVALID = [0]


def _counting_replace() -> str:
    """The name of an error handler that replaces like "replace" and counts what it replaced."""
    import codecs

    def replace(e: UnicodeError) -> tuple[str, int]:
        _INVALID[0] += 1
        return "\ufffd", e.end  # type: ignore[attr-defined]

    try:
        codecs.lookup_error("llmcost.replace")
    except LookupError:
        codecs.register_error("llmcost.replace", replace)
    return "llmcost.replace"


def _counter(
    model: str, registry: Registry, *, estimate: bool = False
) -> tuple[Callable[[Iterable[str]], int], bool, str]:
    """(count of a stream of text, exact?, how it counts) for *model*."""
    from ._tokens import count_stream_tokens, tokenizer_for

    tok = tokenizer_for(model, registry=registry)
    if tok.exact and not estimate:
        return (
            (lambda chunks: count_stream_tokens(chunks, model, registry=registry)),
            True,
            tok.name,
        )
    from ._estimate import PROFILES, estimate_chunks

    profile = PROFILES[tok.profile]
    return (lambda chunks: estimate_chunks(chunks, profile)), False, f"{tok.profile} profile"


def _how(exact: bool, label: str) -> str:
    return f"{'exact' if exact else 'estimate'} ({label})"


def _warn_invalid(source: _Input) -> None:
    if source.invalid:
        _err(
            f"warning: {source.name}: {source.invalid:,} invalid UTF-8 sequence(s), counted as "
            "U+FFFD (is it a text file?)"
        )


def _cmd_count(args: argparse.Namespace) -> int:
    reg = _registry(args)
    model = _resolve(reg, args.model)
    counter, exact, label = _counter(model, reg, estimate=args.estimate)
    paths = args.files or ["-"]
    if paths.count("-") > 1:
        msg = "stdin ('-') can be counted only once"
        raise _UsageError(msg)
    results = []
    for path in paths:
        source = _Input(path)
        try:
            n = source.count(counter, "counting")
        finally:
            source.close()
        _warn_invalid(source)
        results.append((source.name, n, source.bytes))
    total = sum(r[1] for r in results)
    if _want_json(args):
        files = [{"file": name, "tokens": n, "bytes": b} for name, n, b in results]
        out = {"model": model, "tokenizer": label, "exact": exact, "files": files}
        _print_json({**out, "tokens": total})
        return EXIT_OK
    rows = [[name, _int(n), _int(b)] for name, n, b in results]
    footer = [["total", _int(total), _int(sum(r[2] for r in results))]] if len(rows) > 1 else []
    print(_table(["file", "tokens", "bytes"], rows, right=(1, 2), footer=footer))
    print(f"\n{model}: {_how(exact, label)}")
    return EXIT_OK


def _cmd_estimate(args: argparse.Namespace) -> int:
    import attrs

    from ._cost import Usage, cost
    from ._errors import MissingRateError

    if not args.model and not args.compare:
        msg = "give --model M, or --compare to price the file on every model"
        raise _UsageError(msg)
    if (args.provider or args.top) and not args.compare:
        msg = "--provider and --top go with --compare"
        raise _UsageError(msg)
    reg = _registry(args)
    when = args.at or _today()
    model = _resolve(reg, args.model) if args.model else None
    names = [model] if model else []
    if args.compare:
        names = _dedupe([*names, *_provider_models(reg, args.provider)])
    # Models that count alike (one encoding, one estimate profile) share one pass over the file.
    how: dict[str, tuple[bool, str]] = {}
    passes: dict[tuple[bool, str], Callable[[Iterable[str]], int]] = {}
    for m in names:
        counter, exact, label = _counter(m, reg)
        how[m] = (exact, label)
        passes.setdefault((exact, label), counter)
    source = _Input(args.file, passes=len(passes))
    try:
        counts = {
            key: source.count(counter, f"counting ({key[1]})") for key, counter in passes.items()
        }
    finally:
        source.close()
    _warn_invalid(source)
    costs = []
    left_out = 0
    for m in names:
        usage = Usage(input_tokens=counts[how[m]], output_tokens=args.max_output)
        try:
            c = cost(m, usage, batch=args.batch, at=when, registry=reg)
        except MissingRateError:
            if m == model:
                raise
            left_out += 1
            continue
        costs.append(attrs.evolve(c, input_exact=how[m][0]))
    if not costs:
        msg = "no model has every rate this estimate needs (batch rates)"
        raise _Failure(msg)
    costs.sort(key=lambda c: (c.total, c.model))
    if not args.compare:
        return _print_estimate(args, costs[0], how[costs[0].model], when, reg)
    return _print_estimates(args, costs, how, left_out, when, reg)


def _limits(c: Cost, registry: Registry, when: date) -> list[str]:
    """Why this request may not fit the model (context window, output limit)."""
    p = registry.get(c.model, at=when)
    u = c.usage
    out = []
    if p.context_window and u.input_tokens + u.output_tokens > p.context_window:
        out.append(
            f"{u.input_tokens:,} + {u.output_tokens:,} tokens exceed {c.model}'s context window "
            f"of {p.context_window:,}"
        )
    if p.max_output_tokens and u.output_tokens > p.max_output_tokens:
        out.append(f"{c.model} writes at most {p.max_output_tokens:,} output tokens")
    return out


def _print_estimate(
    args: argparse.Namespace, c: Cost, how: tuple[bool, str], when: date, reg: Registry
) -> int:
    source = "<stdin>" if args.file == "-" else args.file
    if _want_json(args):
        extra = {"file": source, "requested": args.model, "at": when, "tokenizer": how[1]}
        _print_json({**extra, **_cost_dict(c), "notes": _limits(c, reg, when)})
        return EXIT_OK
    print(f"{source}: {c.usage.input_tokens:,} input tokens, {_how(*how)}; "
          f"output assumed to reach {c.usage.output_tokens:,} tokens")  # fmt: skip
    _print_cost(c, when=when, registry=reg)
    for note in _limits(c, reg, when):
        print(f"note: {note}")
    return EXIT_OK


def _print_estimates(
    args: argparse.Namespace,
    costs: list[Cost],
    how: dict[str, tuple[bool, str]],
    left_out: int,
    when: date,
    reg: Registry,
) -> int:
    cheapest = costs[0].total
    shown = costs[: args.top] if args.top else costs
    if _want_json(args):

        def extra(c: Cost) -> dict[str, object]:
            return {"tokenizer": how[c.model][1], "notes": _limits(c, reg, when)}

        _print_json(_ranked_json(shown, cheapest, extra))
        return EXIT_OK
    source = "<stdin>" if args.file == "-" else args.file
    title = (
        f"{source} as a prompt, output assumed to reach {args.max_output:,} tokens; prices in "
        f"force on {when.isoformat()}" + (", batch rates" if args.batch else "")
    )
    print(_wrap("", title, width=0))
    print()
    rows = []
    flagged = False
    for i, c in enumerate(shown, 1):
        mark = "!" if _limits(c, reg, when) else ""
        flagged = flagged or bool(mark)
        tokens = ("" if c.input_exact else "~") + _int(c.usage.input_tokens)
        rows.append(
            [str(i), c.model + mark, c.provider, tokens, _usd(c.total),
             _ratio_text(_ratio(c.total, cheapest)), _usd(c.input), _usd(c.output)]
        )  # fmt: skip
    headers = ["#", "model", "provider", "input tok", "total", "vs cheapest", "input", "output"]
    print(_table(headers, rows, right={0, *range(3, 8)}, shrink=1))
    print()
    if any(not c.input_exact for c in shown):
        print("~ estimated count (no local tokenizer for that model)")
    if flagged:
        print("! the prompt and output exceed the model's context window or output limit")
    if len(shown) < len(costs):
        print(f"{len(costs) - len(shown)} more not shown (--top {args.top})")
    if left_out:
        print(f"{left_out} left out for lack of a batch rate")
    return EXIT_OK


# --- cost --------------------------------------------------------------------------------------


def _usage(args: argparse.Namespace) -> Any:
    """The `Usage` of the token options (inconsistent counts are a usage error)."""
    from ._cost import Usage
    from ._errors import InvalidUsageError

    try:
        return Usage(
            input_tokens=args.input,
            output_tokens=args.output,
            cache_read_tokens=args.cache_read,
            cache_write_tokens=args.cache_write,
            cache_write_1h_tokens=args.cache_write_1h,
            reasoning_tokens=args.reasoning,
        )
    except InvalidUsageError as e:
        msg = str(e).replace("input_tokens", "--input").replace("output_tokens", "--output")
        raise _UsageError(msg) from None


def _per_mtok(amount: Decimal, tokens: int) -> str:
    """The rate that priced *tokens* at *amount*, per 1M tokens (exact: amount = rate x tokens)."""
    from decimal import Context

    if not tokens:
        return ""
    ctx = Context(prec=80)
    return _plain(ctx.divide(ctx.multiply(amount, 1_000_000), tokens))


def _cost_rows(c: Cost, *, at: date, registry: Registry) -> list[tuple[str, int, Decimal]]:
    """(label, tokens, amount) per kind of token, amounts straight from the library."""
    from ._cost import Usage, cost

    u = c.usage
    rows = [("input (uncached)", u.uncached_input_tokens, c.input)]
    if u.cache_read_tokens:
        rows.append(("cache read", u.cache_read_tokens, c.cache_read))
    w5, w1h = u.cache_write_tokens, u.cache_write_1h_tokens
    if w5 and w1h:
        # Cost sums both kinds of write; price each alone (same input, so the same tier).
        def part(**kw: int) -> Decimal:
            alone = Usage(input_tokens=u.input_tokens, **kw)
            return cost(c.model, alone, batch=c.batch, at=at, registry=registry).cache_write

        rows.append(("cache write (5 min)", w5, part(cache_write_tokens=w5)))
        rows.append(("cache write (1 hour)", w1h, part(cache_write_1h_tokens=w1h)))
    elif w5:
        rows.append(("cache write (5 min)", w5, c.cache_write))
    elif w1h:
        rows.append(("cache write (1 hour)", w1h, c.cache_write))
    rows.append(("output", u.output_tokens, c.output))
    return rows


def _cmd_cost(args: argparse.Namespace) -> int:
    from ._cost import cost

    reg = _registry(args)
    model = _resolve(reg, args.model)
    when = args.at or _today()
    usage = _usage(args)
    c = cost(model, usage, batch=args.batch, at=when, registry=reg)
    if _want_json(args):
        _print_json({"requested": args.model, "at": when, **_cost_dict(c)})
        return EXIT_OK
    _print_cost(c, when=when, registry=reg)
    return EXIT_OK


def _print_cost(c: Cost, *, when: date, registry: Registry) -> None:
    """A cost's breakdown: tokens, the rate that applied, and the amount, per kind of token."""
    from decimal import Decimal

    usage = c.usage
    p = registry.get(c.model, at=when)
    how = [f"prices in force on {when.isoformat()}"]
    if c.batch:
        how.append("batch rates")
    tier = p.tier_for(usage.input_tokens)
    if tier is not None:
        how.append(f"long-context rates (input over {tier.above_input_tokens:,} tokens)")
    print(_wrap("", f"{c.model} ({c.provider}): {', '.join(how)}", width=0))
    print()
    rows = [[label, _int(n), _per_mtok(amount, n), _usd(amount)]
            for label, n, amount in _cost_rows(c, at=when, registry=registry)]  # fmt: skip
    if usage.reasoning_tokens:
        rows.append(["  of which reasoning", _int(usage.reasoning_tokens), "", ""])
    footer = [["total", _int(usage.input_tokens + usage.output_tokens), "", _usd(c.total)]]
    print(_table(["", "tokens", "USD per 1M", "cost"], rows, right=(1, 2, 3), footer=footer))
    if c.total != c.total.quantize(Decimal("0.000001")):
        print(f"\nexact total: {_plain(c.total)} USD")


# --- compare -----------------------------------------------------------------------------------


def _ratio(total: Decimal, cheapest: Decimal) -> Decimal | None:
    from decimal import Decimal

    if not cheapest:
        return Decimal(1) if not total else None
    return (total / cheapest).quantize(Decimal("0.0001"))


def _ratio_text(r: Decimal | None) -> str:
    return "-" if r is None else f"{r:,.2f}x"


def _dedupe(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _model_list(reg: Registry, text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        msg = "--models needs at least one model name (a,b,c)"
        raise _UsageError(msg)
    return _dedupe(_resolve(reg, n) for n in names)


def _workload(u: Any) -> str:
    text = f"{u.input_tokens:,} input tokens"
    extra = [
        f"{n:,} {what}"
        for n, what in (
            (u.cache_read_tokens, "cache read"),
            (u.cache_write_tokens, "cache write 5 min"),
            (u.cache_write_1h_tokens, "cache write 1 hour"),
        )
        if n
    ]
    if extra:
        text += f" (of which {', '.join(extra)})"
    text += f" + {u.output_tokens:,} output tokens"
    if u.reasoning_tokens:
        text += f" (of which {u.reasoning_tokens:,} reasoning)"
    return text


def _ranked_json(
    costs: Sequence[Cost],
    cheapest: Decimal,
    extra: Callable[[Cost], dict[str, object]] | None = None,
) -> list[object]:
    out: list[object] = []
    for i, c in enumerate(costs, 1):
        d: dict[str, object] = {"rank": i, **_cost_dict(c), "ratio": _ratio(c.total, cheapest)}
        if extra is not None:
            d |= extra(c)
        out.append(d)
    return out


def _cmd_compare(args: argparse.Namespace) -> int:
    from ._cost import compare

    reg = _registry(args)
    when = args.at or _today()
    usage = _usage(args)
    models = _model_list(reg, args.models) if args.models else None
    considered = models if models is not None else _provider_models(reg, args.provider)
    results = compare(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        cache_write_tokens=usage.cache_write_tokens,
        cache_write_1h_tokens=usage.cache_write_1h_tokens,
        reasoning_tokens=usage.reasoning_tokens,
        models=models,
        provider=args.provider,
        batch=args.batch,
        at=when,
        registry=reg,
    )
    if not results:
        msg = "no model has every rate this workload needs (batch or cache rates)"
        raise _Failure(msg)
    cheapest = results[0].total
    shown = results[: args.top] if args.top else results
    if _want_json(args):
        _print_json(_ranked_json(shown, cheapest))
        return EXIT_OK
    title = f"{_workload(usage)}, prices in force on {when.isoformat()}"
    print(_wrap("", title + (", batch rates" if args.batch else ""), width=0))
    print()
    cached = any(c.cache_read or c.cache_write for c in shown)
    rows = []
    for i, c in enumerate(shown, 1):
        row = [str(i), c.model, c.provider, _usd(c.total), _ratio_text(_ratio(c.total, cheapest))]
        row += [_usd(c.input)]
        if cached:
            row += [_usd(c.cache_read + c.cache_write)]
        rows.append([*row, _usd(c.output)])
    headers = ["#", "model", "provider", "total", "vs cheapest", "input"]
    headers += ["cache", "output"] if cached else ["output"]
    print(_table(headers, rows, right={0, *range(3, len(headers))}, shrink=1))
    left_out = len(considered) - len(results)
    notes = []
    if len(shown) < len(results):
        notes.append(f"{len(results) - len(shown)} more not shown (--top {args.top})")
    if left_out:
        notes.append(f"{left_out} left out for lack of a rate this workload needs")
    if notes:
        print(f"\n{len(results)} models priced; " + "; ".join(notes))
    return EXIT_OK


# --- report ------------------------------------------------------------------------------------

_AMOUNT = "gen_ai.usage.cost.amount"
_MODEL = "gen_ai.response.model"
_IN = "gen_ai.usage.input_tokens"
_OUT = "gen_ai.usage.output_tokens"
_READ = "gen_ai.usage.cache_read.input_tokens"
_WRITE = "gen_ai.usage.cache_creation.input_tokens"
_WRITE_1H = "llmcost.usage.cache_creation_1h.input_tokens"
_REASONING = "gen_ai.usage.reasoning.output_tokens"
_UNPRICED = "llmcost.unpriced"
#: Per-group sums, in this order (a list per group: the hot loop adds to it in place).
_SUMS = (
    "requests",
    "total",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "reasoning_tokens",
)


class _LineError(Exception):
    """A log line that is neither a cost record nor a provider response llmcost can price."""


class _Report:
    """Totals of a cost log, aggregated line by line (no record is kept)."""

    def __init__(self, by: str, registry: Registry, *, echo: bool = True) -> None:
        from decimal import Decimal

        self.by = by
        self.tag = by[4:] if by.startswith("tag:") else by
        self.registry = registry
        self.groups: dict[object, list[Any]] = {}
        self.zero = Decimal(0)
        self.unpriced = 0
        self.skipped = 0
        self.days: set[str] = set()
        # echo: print malformed lines as they come; else keep the first few (a worker process).
        self.echo = echo
        self.shown = 0
        self.errors: list[tuple[str, int, str]] = []

    def error(self, name: str, no: int, message: str) -> None:
        self.skipped += 1
        if not self.echo:
            if len(self.errors) < MAX_LINE_ERRORS:
                self.errors.append((name, no, message))
        elif self.shown < MAX_LINE_ERRORS:
            self.shown += 1
            _err(f"{name}:{no}: skipped: {message}")

    def state(self) -> tuple[Any, ...]:
        """What a worker process sends back: everything but the registry."""
        return self.groups, self.unpriced, self.skipped, self.days, self.errors

    def merge(self, state: tuple[Any, ...], line_offset: int) -> None:
        """Add a worker's totals; its line numbers start after *line_offset* lines."""
        groups, unpriced, skipped, days, errors = state
        for key, sums in groups.items():
            g = self.groups.get(key)
            if g is None:
                self.groups[key] = sums
            else:
                for k, v in enumerate(sums):
                    g[k] += v
        self.unpriced += unpriced
        self.days |= days
        for name, no, message in errors:
            self.error(name, no + line_offset, message)
        self.skipped += skipped - len(errors)

    def add_file(self, name: str, lines: Iterable[bytes]) -> int:
        """Aggregate every line of one log; malformed lines are reported and skipped.

        Returns the number of lines read.
        """
        import json
        from decimal import Decimal

        decode = json.JSONDecoder().raw_decode
        dec = Decimal
        groups = self.groups
        zero = self.zero
        by_model = self.by == "model"
        by_day = self.by == "day"
        tag = self.tag
        days = self.days  # days already checked to be dates (the slow path adds them)
        no = 0
        # The hot loop: parse with the json module, read the few fields a total needs, and add
        # them up. Anything unusual (blank, malformed, unpriced, a raw provider response) goes
        # to the slow path, which decides carefully and explains what is wrong.
        for no, raw in enumerate(lines, 1):
            try:
                line = raw.decode()
                d, end = decode(line)
                amount = d[_AMOUNT]
                total = dec(amount)
                if by_model:
                    key = d[_MODEL]
                elif by_day:
                    key = d["time"][:10]
                else:
                    key = d["tags"].get(tag)
                i = d[_IN]
                o = d[_OUT]
                r = d[_READ]
                w = d[_WRITE]
                w1h = d.get(_WRITE_1H, 0)
                rs = d[_REASONING]
                ok = (
                    type(amount) is str
                    and total.is_finite()
                    and total >= zero
                    and type(i) is int
                    and type(o) is int
                    and type(r) is int
                    and type(w) is int
                    and type(w1h) is int
                    and type(rs) is int
                    and 0 <= w1h <= w
                    and r >= 0
                    and i >= r + w
                    and 0 <= rs <= o
                    and (end >= len(line) - 1 or line[end:].isspace())
                    and (type(key) is str or not (by_model or by_day))
                    and (not by_day or key in days)
                )
                if ok:
                    g = groups.get(key)
            except Exception:
                ok = False
            if not ok:
                self._slow(name, no, raw)
                continue
            if g is None:
                g = groups[key] = [0, zero, 0, 0, 0, 0, 0, 0]
            g[0] += 1
            g[1] += total
            g[2] += i
            g[3] += o
            g[4] += r
            g[5] += w - w1h
            g[6] += w1h
            g[7] += rs
        return no

    def _slow(self, name: str, no: int, raw: bytes) -> None:
        try:
            found = self._parse(raw)
        except _LineError as e:
            self.error(name, no, str(e))
            return
        if found is None:
            return
        key, sums = found
        g = self.groups.get(key)
        if g is None:
            g = self.groups[key] = [0, self.zero, 0, 0, 0, 0, 0, 0]
        g[0] += 1
        for k, v in enumerate(sums, 1):
            g[k] += v

    def _parse(self, raw: bytes) -> tuple[object, tuple[Any, ...]] | None:
        """(group key, sums) of one line; None for a blank or unpriced line (counted apart)."""
        import json

        try:
            line = raw.decode()
        except UnicodeDecodeError as e:
            msg = f"not UTF-8 text (byte {e.start + 1})"
            raise _LineError(msg) from None
        if not line.strip():
            return None
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            msg = f"not JSON: {e.msg} (column {e.colno})"
            raise _LineError(msg) from None
        except RecursionError:
            msg = "not JSON: nested too deeply"
            raise _LineError(msg) from None
        if not isinstance(d, dict):
            msg = f"expected a JSON object, got {type(d).__name__}"
            raise _LineError(msg)
        if _AMOUNT in d or _UNPRICED in d:
            return self._parse_record(d)
        return self._parse_response(d)

    def _parse_record(self, d: dict[str, Any]) -> tuple[object, tuple[Any, ...]] | None:
        """The fields of a cost record that a total needs, checked as the hot loop checks them."""
        from decimal import Decimal, InvalidOperation

        if _AMOUNT not in d:
            if d[_UNPRICED] is True:
                self.unpriced += 1
                return None
            msg = f"cost record without {_AMOUNT!r}"
            raise _LineError(msg)
        amount = d[_AMOUNT]
        try:
            total = Decimal(amount) if type(amount) is str else None
        except InvalidOperation:
            total = None
        if total is None or not total.is_finite() or total < 0:
            msg = f'cost record: {_AMOUNT} must be a decimal string ("0.006"), got {amount!r}'
            raise _LineError(msg)

        def count(field: str, default: int | None = None) -> int:
            value = d.get(field, default)
            if value is None:
                msg = f"cost record without {field!r}"
                raise _LineError(msg)
            if type(value) is not int or value < 0:
                msg = f"cost record: {field} must be a non-negative integer, got {value!r}"
                raise _LineError(msg)
            return value

        i, o, r, w = count(_IN), count(_OUT), count(_READ), count(_WRITE)
        w1h, rs = count(_WRITE_1H, 0), count(_REASONING)
        if w1h > w or r + w > i or rs > o:
            msg = (
                "cost record: inconsistent token counts (the cache tokens must be part of the "
                "input tokens, the reasoning tokens part of the output tokens)"
            )
            raise _LineError(msg)
        if self.by == "model":
            key = d.get(_MODEL)
            if type(key) is not str:
                msg = f"cost record: {_MODEL} must be a string, got {key!r}"
                raise _LineError(msg)
        elif self.by == "day":
            key = self._day(d.get("time"))
        else:
            tags = d.get("tags")
            if tags is None:
                tags = {}
            if not isinstance(tags, dict):
                msg = f"cost record: tags must be a JSON object, got {tags!r:.40}"
                raise _LineError(msg)
            key = _tag_key(tags.get(self.tag))
        return key, (total, i, o, r, w - w1h, w1h, rs)

    def _day(self, time: object) -> str:
        from datetime import date

        if isinstance(time, str):
            day = time[:10]
            try:
                date.fromisoformat(day)
            except ValueError:
                pass
            else:
                self.days.add(day)
                return day
        msg = f"cost record: time must be an ISO date-time, got {time!r:.40}"
        raise _LineError(msg)

    def _parse_response(self, d: dict[str, Any]) -> tuple[object, tuple[Any, ...]]:
        from ._errors import LLMCostError, UnknownModelError
        from ._responses import cost_of_response

        day = _response_day(d)
        try:
            c = cost_of_response(d, at=day, registry=self.registry)
        except UnknownModelError as e:
            msg = "provider response: " + (e.reason or f"unknown model {e.model!r}")
            if e.suggestions:
                msg += "; did you mean " + ", ".join(repr(s) for s in e.suggestions) + "?"
            raise _LineError(msg) from None
        except LLMCostError as e:
            raise _LineError(f"provider response: {e}") from None
        u = c.usage
        sums = (
            c.total,
            u.input_tokens,
            u.output_tokens,
            u.cache_read_tokens,
            u.cache_write_tokens,
            u.cache_write_1h_tokens,
            u.reasoning_tokens,
        )
        if self.by == "model":
            return c.model, sums
        if self.by == "day":
            return (day.isoformat() if day else None), sums
        return None, sums  # a raw response has no tags

    def rows(self) -> list[tuple[object, list[Any]]]:
        """The groups, largest cost first (by day: oldest first)."""
        items = list(self.groups.items())
        if self.by == "day":
            items.sort(key=lambda kv: (kv[0] is None, str(kv[0])))
        else:
            items.sort(key=lambda kv: (-kv[1][1], kv[0] is None, str(kv[0])))
        return items

    def totals(self) -> list[Any]:
        out: list[Any] = [0, self.zero, 0, 0, 0, 0, 0, 0]
        for g in self.groups.values():
            for k, v in enumerate(g):
                out[k] += v
        return out


def _tag_key(value: object) -> object:
    """A tag value as a group key (JSON containers become their JSON text)."""
    import json

    if value is None or isinstance(value, (str, int, float)):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _response_day(d: dict[str, Any]) -> date | None:
    """The day a raw response was made (OpenAI's ``created``), to price it as of then."""
    from datetime import datetime, timezone

    for field in ("created", "created_at"):
        value = d.get(field)
        if type(value) is int and value > 0:
            try:
                return datetime.fromtimestamp(value, timezone.utc).date()
            except (OverflowError, OSError, ValueError):
                return None
    return None


def _lines_until(f: Any, size: int) -> Iterator[bytes]:
    """The lines of *f* from where it stands until *size* bytes were read."""
    for line in f:
        yield line
        size -= len(line)
        if size <= 0:
            return


def _cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _chunks(path: str) -> list[tuple[int, int]]:
    """(start, end) byte ranges, each starting a line, to read a big file in parallel."""
    import itertools

    size = os.path.getsize(path)
    parts = min(_cpus(), 8, size // max(PARALLEL_MIN_BYTES // 2, 1))
    if size < PARALLEL_MIN_BYTES or parts < 2:
        return [(0, size)]
    bounds = [0]
    with open(path, "rb") as f:
        for k in range(1, parts):
            f.seek(size * k // parts)
            f.readline()  # on to the start of the next line
            if bounds[-1] < f.tell() < size:
                bounds.append(f.tell())
    bounds.append(size)
    return list(itertools.pairwise(bounds))


def _report_chunk(
    path: str, start: int, end: int, by: str, registry_file: str | None
) -> tuple[tuple[Any, ...], int]:
    """Aggregate one byte range of a log (in a worker process): (totals, lines read)."""
    from decimal import localcontext

    report = _Report(by, _load_registry(registry_file), echo=False)
    with localcontext() as ctx, open(path, "rb", buffering=1024 * 1024) as f:
        ctx.prec = 80
        f.seek(start)
        lines = report.add_file(path, _lines_until(f, end - start))
    return report.state(), lines


def _report_path(report: _Report, path: str, registry_file: str | None) -> None:
    """Aggregate one log (``-``: stdin; ``.gz``: decompressed); a big file in parallel."""
    if path == "-":
        report.add_file("<stdin>", sys.stdin.buffer)
        return
    if path.endswith(".gz"):
        import gzip

        with gzip.open(path, "rb") as gz:
            report.add_file(path, gz)
        return
    chunks = _chunks(path)
    if len(chunks) == 1:
        with open(path, "rb", buffering=1024 * 1024) as f:
            report.add_file(path, f)
        return
    # JSON parsing is the bottleneck: other processes take the other ranges while this one
    # reads the first (and reports its malformed lines as it goes).
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=len(chunks) - 1) as pool:
        futures = [
            pool.submit(_report_chunk, path, start, end, report.by, registry_file)
            for start, end in chunks[1:]
        ]
        with open(path, "rb", buffering=1024 * 1024) as f:
            offset = report.add_file(path, _lines_until(f, chunks[0][1]))
        for future in futures:
            state, lines = future.result()
            report.merge(state, offset)
            offset += lines


def _cmd_report(args: argparse.Namespace) -> int:
    from decimal import localcontext

    by = args.by
    if by.startswith("tag:") and not by[4:]:
        msg = "--by tag:NAME needs a tag name"
        raise _UsageError(msg)
    if args.logs.count("-") > 1:
        msg = "stdin ('-') can be read only once"
        raise _UsageError(msg)
    registry_file = getattr(args, "registry", None)
    report = _Report(by, _load_registry(registry_file))
    with localcontext() as ctx:
        ctx.prec = 80  # sums of exact amounts stay exact
        for path in args.logs:
            _report_path(report, path, registry_file)
        _print_report(args, report)
    if report.skipped > report.shown:
        _err(f"... {report.skipped - report.shown:,} more malformed lines not shown")
    if report.skipped:
        _err(f"{report.skipped:,} malformed line(s) skipped (exit status {EXIT_SKIPPED})")
        return EXIT_SKIPPED
    return EXIT_OK


def _print_report(args: argparse.Namespace, report: _Report) -> None:
    rows = report.rows()
    tot = report.totals()
    label = report.tag if report.by not in ("model", "day") else report.by
    if _want_json(args):
        groups = [{"key": key, **dict(zip(_SUMS, g, strict=True))} for key, g in rows]
        out: dict[str, object] = {"files": args.logs, "by": label}
        out |= dict(zip(_SUMS, tot, strict=True))
        out |= {"unpriced": report.unpriced, "skipped": report.skipped, "groups": groups}
        _print_json(out)
        return
    none = {"model": "(none)", "day": "(unknown)"}.get(report.by, f"(no {label})")
    print(f"{tot[0]:,} priced requests, {_usd(tot[1])} in total")
    print()

    def share(amount: Decimal) -> str:
        return f"{amount / tot[1]:.1%}" if tot[1] else "-"

    def cells(g: list[Any]) -> list[str]:
        cached = g[4] + g[5] + g[6]
        return [_int(g[0]), _int(g[2]), _int(cached), _int(g[3]), _usd(g[1]), share(g[1])]

    table = [[none if key is None else str(key), *cells(g)] for key, g in rows]
    headers = [label, "requests", "input tok", "of which cache", "output tok", "cost", "share"]
    print(_table(headers, table, right=range(1, 7), footer=[["total", *cells(tot)]]))
    if report.unpriced:
        print(f"\n{report.unpriced:,} unpriced request(s) (unknown models) are not in the totals")
    if report.skipped:
        print(f"\n{report.skipped:,} malformed line(s) skipped: see stderr")


# --- prices ------------------------------------------------------------------------------------


def _csv_cell(value: object) -> str:
    v = _json_value(value)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    return str(v)


def _cmd_prices(args: argparse.Namespace) -> int:
    from ._rows import ALIAS_COLUMNS, PRICE_COLUMNS, alias_rows, price_rows

    reg = _registry(args)
    rows: Sequence[Mapping[str, object]]
    columns: Sequence[str]
    if args.aliases:
        rows, columns = alias_rows(reg), ALIAS_COLUMNS
    else:
        rows, columns = price_rows(reg), PRICE_COLUMNS
    if _want_json(args):
        _print_json([{c: row.get(c) for c in columns} for row in rows])
    elif args.format == "jsonl":
        import json

        for row in rows:
            print(json.dumps(_json_value({c: row.get(c) for c in columns}), ensure_ascii=False))
    else:
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return EXIT_OK


# --- the parser and main -----------------------------------------------------------------------


class _Version(argparse.Action):
    """--version, computed only when asked (importlib.metadata is slow to import)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        from importlib.metadata import version

        print(f"llmcost {version('llmcost')}")
        parser.exit()


def _common() -> argparse.ArgumentParser:
    """The options every command takes (SUPPRESS: given before or after the command)."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("common options")
    group.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="machine-readable JSON on stdout (amounts as exact decimal strings)",
    )
    group.add_argument(
        "--registry",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="a JSON price file whose models extend and override the shipped prices",
    )
    return common


def _token_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--input",
        type=_tokens_arg,
        required=True,
        metavar="N",
        help="input tokens, cache tokens included",
    )
    p.add_argument(
        "--output",
        type=_tokens_arg,
        required=True,
        metavar="N",
        help="output tokens, reasoning tokens included",
    )
    for option, what in (
        ("--cache-read", "of the input, tokens read from the prompt cache"),
        ("--cache-write", "of the input, tokens written to the cache (5-minute)"),
        ("--cache-write-1h", "of the input, tokens written to the 1-hour cache"),
        ("--reasoning", "of the output, reasoning tokens (priced as output)"),
    ):
        p.add_argument(option, type=_tokens_arg, default=0, metavar="N", help=what)
    p.add_argument("--batch", action="store_true", help="price at the batch-API rates")
    p.add_argument(
        "--at", type=_date_arg, metavar="DATE", help="price as of this date (default today)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``llmcost`` argument parser (one sub-command per task)."""
    common = _common()
    parser = argparse.ArgumentParser(
        prog="llmcost",
        description="What LLM calls cost: prices, token counts, cost estimates and cost-log "
        "reports, offline.",
        epilog=_MAIN_EXAMPLES + _EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, func: Callable[[argparse.Namespace], int]) -> Any:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text[0].upper() + help_text[1:] + ".",
            epilog=_EXAMPLES[name] + "\n" + _EXIT_CODES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            parents=[common],
        )
        p.set_defaults(func=func)
        return p

    p = command("models", "list the models with their prices per 1M tokens", _cmd_models)
    p.add_argument("--provider", metavar="P", help="only this provider's models")
    p.add_argument("--at", type=_date_arg, metavar="DATE",
                   help="prices in force on this date (default today)")  # fmt: skip

    p = command("price", "show one model's prices in full, with their history", _cmd_price)
    p.add_argument("model", metavar="MODEL", help="a model id, alias or provider/model name")
    p.add_argument("--at", type=_date_arg, metavar="DATE",
                   help="prices in force on this date (default today)")  # fmt: skip

    p = command("count", "count the tokens of files or stdin", _cmd_count)
    p.add_argument("files", nargs="*", metavar="FILE", help="files to count ('-' or none: stdin)")
    p.add_argument("--model", required=True, metavar="M", help="count with this model's tokenizer")
    p.add_argument("--estimate", action="store_true",
                   help="use the fast estimate even where an exact count is possible")  # fmt: skip

    p = command("cost", "price a request from its token counts", _cmd_cost)
    p.add_argument("model", metavar="MODEL", help="a model id, alias or provider/model name")
    _token_options(p)

    p = command("compare", "price one workload on many models, cheapest first", _cmd_compare)
    _token_options(p)
    which = p.add_mutually_exclusive_group()
    which.add_argument("--models", metavar="A,B,C", help="only these models (comma-separated)")
    which.add_argument("--provider", metavar="P", help="only this provider's models")
    p.add_argument("--top", type=_positive_int, metavar="K", help="show only the K cheapest")

    p = command("estimate", "estimate what sending a file as a prompt would cost", _cmd_estimate)
    p.add_argument("file", metavar="FILE", help="the prompt, as plain text ('-': stdin)")
    p.add_argument("--model", metavar="M", help="the model (optional with --compare)")
    p.add_argument("--max-output", type=_tokens_arg, required=True, metavar="N",
                   help="the output is assumed to reach this many tokens")  # fmt: skip
    p.add_argument("--compare", action="store_true",
                   help="price it on every model, each counted with its own tokenizer")  # fmt: skip
    p.add_argument("--provider", metavar="P", help="with --compare: only this provider's models")
    p.add_argument("--top", type=_positive_int, metavar="K",
                   help="with --compare: show only the K cheapest")  # fmt: skip
    p.add_argument("--batch", action="store_true", help="price at the batch-API rates")
    p.add_argument("--at", type=_date_arg, metavar="DATE",
                   help="price as of this date (default today)")  # fmt: skip

    p = command("report", "total the costs in a JSON-lines cost log", _cmd_report)
    p.add_argument("logs", nargs="+", metavar="LOG",
                   help="cost log(s): JSON lines, '.gz' allowed, '-' for stdin")  # fmt: skip
    p.add_argument("--by", default="model", metavar="model|day|TAG",
                   help="group by model (default), by day, or by the value of a tag")  # fmt: skip

    p = command("prices", "export the flat price table (or the aliases) as CSV or JSON lines",
                _cmd_prices)  # fmt: skip
    p.add_argument("--format", choices=("csv", "jsonl"), default="csv",
                   help="output format (default csv)")  # fmt: skip
    p.add_argument("--aliases", action="store_true",
                   help="the alias table (alias -> model) instead of the prices")  # fmt: skip
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``llmcost`` command line; return its exit status (see ``llmcost --help``)."""
    from ._errors import LLMCostError, MissingRateError, UnknownModelError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or a usage error argparse already printed
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    try:
        status: int = args.func(args)
        sys.stdout.flush()
    except _UsageError as e:
        _err(f"error: {e}")
        return EXIT_USAGE
    except UnknownModelError as e:
        _err(f"error: {_unknown_model_message(e)}")
        return EXIT_USAGE
    except MissingRateError as e:
        _err(f"error: {e}\n  (on the command line, --registry FILE can add the rate)")
        return EXIT_ERROR
    except (LLMCostError, _Failure) as e:
        _err(f"error: {e}")
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (`llmcost models | head`): stop quietly, like other tools.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_ERROR
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        _err(f"error: {where}{e.strerror or e}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    return status
