"""The file commands: ``count`` (tokens of files or stdin) and ``estimate`` (a file as a prompt).

Input is read in chunks of `CHUNK_BYTES` and decoded incrementally, so reading never holds
more than a chunk; `estimate` refuses a prompt larger than `MAX_PROMPT_BYTES` (no model's
context window holds one), which also bounds the spool file of a stdin read more than once.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from ._common import (
    EXIT_OK,
    Failure,
    UsageError,
    candidates,
    context,
    now,
    registry,
    resolve,
    want_json,
    when_text,
)
from ._output import Progress, count, err, out, print_json, table, usd, wrap

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from datetime import date, datetime

    from llmcost._registry import Registry
    from llmcost._usage import Cost

#: Bytes read per chunk when counting tokens (memory stays bounded by a few chunks).
CHUNK_BYTES = 1024 * 1024
#: `estimate` refuses larger prompts (the largest context windows hold a few MiB of text).
MAX_PROMPT_BYTES = 64 * 1024 * 1024


class Input:
    """A file (or ``-``, stdin) to count, read in chunks; stdin is spooled to a temporary file
    when it must be read more than once."""

    def __init__(self, path: str, *, passes: int = 1, limit: int | None = None) -> None:
        import stat

        self.name = "<stdin>" if path == "-" else path
        self.limit = limit
        self._own = path != "-"
        self.file: Any = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
        try:
            st = os.fstat(self.file.fileno())
            self.size: int | None = st.st_size if stat.S_ISREG(st.st_mode) else None
        except (OSError, ValueError, AttributeError):
            self.size = None
        if limit is not None and self.size is not None and self.size > limit:
            self.close()
            raise Failure(self._too_big())
        if path == "-" and passes > 1 and not self._seekable():
            import tempfile

            spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
            while data := self.file.read(CHUNK_BYTES):
                spool.write(data)
                if limit is not None and spool.tell() > limit:
                    spool.close()
                    raise Failure(self._too_big())
            spool.seek(0)
            self.file, self._own = spool, True
        self._start = self.file.tell() if self._seekable() else 0
        self.bytes = 0
        self.invalid = 0

    def _too_big(self) -> str:
        assert self.limit is not None
        return (
            f"{self.name}: larger than {self.limit // 2**20} MiB: no model's context window "
            "holds such a prompt (count it with `llmcost count`)"
        )

    def _seekable(self) -> bool:
        try:
            return bool(self.file.seekable())
        except (AttributeError, ValueError):
            return False

    def count(self, counter: Callable[[Iterable[str]], int], label: str) -> int:
        """Feed the whole input to *counter* as decoded text chunks, with a progress bar."""
        if self.bytes:
            self.file.seek(self._start)
        progress = Progress(f"{label} {self.name}", self.size)
        try:
            return counter(self._chunks(progress))
        finally:
            progress.close()

    def _chunks(self, progress: Progress) -> Iterator[str]:
        """UTF-8 text chunk by chunk; invalid bytes become U+FFFD (as `count_file_tokens`)."""
        import codecs

        decoder = codecs.getincrementaldecoder("utf-8")(errors=_counting_replace())
        self.bytes = 0
        start = _INVALID[0]
        while True:
            data = self.file.read(CHUNK_BYTES)
            text = decoder.decode(data, final=not data)
            self.bytes += len(data)
            if self.limit is not None and self.bytes > self.limit:
                raise Failure(self._too_big())
            self.invalid = _INVALID[0] - start
            progress.update(len(data))
            if text:
                yield text
            if not data:
                return

    def close(self) -> None:
        """Close the file (not stdin)."""
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


def counter(
    model: str, reg: Registry, *, estimate: bool = False
) -> tuple[Callable[[Iterable[str]], int], bool, str]:
    """(count of a stream of text, exact?, how it counts) for *model*."""
    from llmcost._tokens import count_stream_tokens, tokenizer_for

    tok = tokenizer_for(model, registry=reg)
    if tok.exact and not estimate:
        return (lambda chunks: count_stream_tokens(chunks, model, registry=reg)), True, tok.name
    from llmcost._estimate import PROFILES, estimate_chunks

    profile = PROFILES[tok.profile]
    return (lambda chunks: estimate_chunks(chunks, profile)), False, f"{tok.profile} profile"


def how_text(exact: bool, label: str) -> str:
    """``exact (o200k_base)`` or ``estimate (claude profile)``."""
    return f"{'exact' if exact else 'estimate'} ({label})"


def _warn_invalid(source: Input) -> None:
    if source.invalid:
        err(
            f"warning: {source.name}: {source.invalid:,} invalid UTF-8 sequence(s), counted as "
            "U+FFFD (is it a text file?)"
        )


def count_files(args: argparse.Namespace) -> int:
    """``llmcost count``: the tokens of files (or stdin) with one model's tokenizer."""
    reg = registry(args)
    model = resolve(reg, args.model)
    count_text, exact, label = counter(model, reg, estimate=args.estimate)
    paths = args.files or ["-"]
    if paths.count("-") > 1:
        msg = "stdin ('-') can be counted only once"
        raise UsageError(msg)
    results = []
    for path in paths:
        source = Input(path)
        try:
            n = source.count(count_text, "counting")
        finally:
            source.close()
        _warn_invalid(source)
        results.append((source.name, n, source.bytes))
    total = sum(r[1] for r in results)
    if want_json(args):
        files = [{"file": name, "tokens": n, "bytes": b} for name, n, b in results]
        data = {"model": model, "tokenizer": label, "exact": exact, "files": files}
        print_json({**data, "tokens": total})
        return EXIT_OK
    rows = [[name, count(n), count(b)] for name, n, b in results]
    footer = [["total", count(total), count(sum(r[2] for r in results))]] if len(rows) > 1 else []
    out(*table(["file", "tokens", "bytes"], rows, right=(1, 2), footer=footer))
    out("", f"{model}: {how_text(exact, label)}")
    return EXIT_OK


# --- estimate ----------------------------------------------------------------------------------


def estimate(args: argparse.Namespace) -> int:
    """``llmcost estimate FILE``: an upper bound on sending the file as a prompt."""
    from llmcost import _cost
    from llmcost._errors import MissingRateError, RetiredModelError
    from llmcost._usage import Usage

    from ._costs import dedupe

    if not args.model and not args.compare:
        msg = "give --model M, or --compare to price the file on every model"
        raise UsageError(msg)
    if (args.provider or args.top) and not args.compare:
        msg = "--provider and --top go with --compare"
        raise UsageError(msg)
    reg = registry(args)
    when: date | datetime = args.at or now()
    model = resolve(reg, args.model) if args.model else None
    names = [model] if model else []
    if args.compare:
        found = candidates(
            reg, args.provider, kind="chat", include_retired=args.include_retired, when=when
        )
        names = dedupe([*names, *found])
    # Models that count alike (one encoding, one estimate profile) share one pass over the file.
    how: dict[str, tuple[bool, str]] = {}
    passes: dict[tuple[bool, str], Callable[[Iterable[str]], int]] = {}
    for m in names:
        count_text, exact, label = counter(m, reg)
        how[m] = (exact, label)
        passes.setdefault((exact, label), count_text)
    source = Input(args.file, passes=len(passes), limit=MAX_PROMPT_BYTES)
    try:
        counts = {key: source.count(c, f"counting ({key[1]})") for key, c in passes.items()}
    finally:
        source.close()
    _warn_invalid(source)
    costs = []
    left_out = 0
    for m in names:
        usage = Usage(input_tokens=counts[how[m]], output_tokens=args.max_output)
        try:
            c = _cost.cost(m, usage, **context(args), at=when, registry=reg)
        except (MissingRateError, RetiredModelError):
            if m == model:
                raise
            left_out += 1
            continue
        import attrs

        costs.append(attrs.evolve(c, input_exact=how[m][0]))
    if not costs:
        msg = "no model has every rate this estimate needs (its service tier or speed)"
        raise Failure(msg)
    costs.sort(key=lambda c: (c.total, c.model))
    if not args.compare:
        return _print_estimate(args, costs[0], how[costs[0].model], when, reg)
    return _print_estimates(args, costs, how, left_out, when, reg)


def limits(c: Cost, reg: Registry, when: date | datetime) -> list[str]:
    """Why this request may not fit the model (context window, output limit)."""
    p = reg.get(c.model, at=when)
    u = c.usage
    notes = []
    if p.context_window and u.input_tokens + u.output_tokens > p.context_window:
        notes.append(
            f"{u.input_tokens:,} + {u.output_tokens:,} tokens exceed {c.model}'s context window "
            f"of {p.context_window:,}"
        )
    if p.max_output_tokens and u.output_tokens > p.max_output_tokens:
        notes.append(f"{c.model} writes at most {p.max_output_tokens:,} output tokens")
    return notes


def _print_estimate(
    args: argparse.Namespace, c: Cost, how: tuple[bool, str], when: date | datetime, reg: Registry
) -> int:
    from ._costs import cost_dict, print_cost

    source = "<stdin>" if args.file == "-" else args.file
    if want_json(args):
        extra = {"file": source, "requested": args.model, "at": when, "tokenizer": how[1]}
        print_json({**extra, **cost_dict(c), "notes": limits(c, reg, when)})
        return EXIT_OK
    out(
        f"{source}: {c.usage.input_tokens:,} input tokens, {how_text(*how)}; "
        f"output assumed to reach {c.usage.output_tokens:,} tokens"
    )
    print_cost(c, reg.get(c.model, at=when), when)
    for note in limits(c, reg, when):
        out(f"note: {note}")
    return EXIT_OK


def _print_estimates(
    args: argparse.Namespace,
    costs: list[Cost],
    how: dict[str, tuple[bool, str]],
    left_out: int,
    when: date | datetime,
    reg: Registry,
) -> int:
    from ._costs import ranked_json, ratio, ratio_text

    cheapest = costs[0].total
    shown = costs[: args.top] if args.top else costs
    if want_json(args):

        def extra(c: Cost) -> dict[str, object]:
            return {"tokenizer": how[c.model][1], "notes": limits(c, reg, when)}

        print_json(ranked_json(shown, cheapest, extra))
        return EXIT_OK
    source = "<stdin>" if args.file == "-" else args.file
    title = (
        f"{source} as a prompt, output assumed to reach {args.max_output:,} tokens; prices in "
        f"force at {when_text(when)}" + (", batch rates" if args.batch else "")
    )
    out(*wrap("", title, width=0), "")
    rows = []
    flagged = False
    for i, c in enumerate(shown, 1):
        mark = "!" if limits(c, reg, when) else ""
        flagged = flagged or bool(mark)
        tokens = ("" if c.input_exact else "~") + count(c.usage.input_tokens)
        rows.append(
            [
                str(i),
                c.model + mark,
                c.provider,
                tokens,
                usd(c.total),
                ratio_text(ratio(c.total, cheapest)),
                usd(c.input),
                usd(c.output),
            ]
        )
    headers = ["#", "model", "provider", "input tok", "total", "vs cheapest", "input", "output"]
    out(*table(headers, rows, right={0, *range(3, 8)}, shrink=1), "")
    if any(not c.input_exact for c in shown):
        out("~ estimated count (no local tokenizer for that model)")
    if flagged:
        out("! the prompt and output exceed the model's context window or output limit")
    if len(shown) < len(costs):
        out(f"{len(costs) - len(shown)} more not shown (--top {args.top})")
    if left_out:
        out(f"{left_out} left out for lack of a rate this estimate needs")
    return EXIT_OK
