"""Output for people and for programs: escaping, tables, money, JSON, errors, progress.

Everything printed for people goes through `clean`: control characters, ANSI escapes, line and
paragraph separators, lone surrogates and bidirectional overrides from a log or a price file
are shown as escapes (``\\x1b``), so data cannot forge lines, clear the screen or reorder text.
JSON output stays exact: the same characters are written as JSON escapes (``\\u001b``).
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from collections.abc import Container, Sequence
    from decimal import Decimal

#: Tables are laid out to fit this many columns (long cells are cut with an ellipsis).
WIDTH = 100
#: Inputs larger than this get a progress bar on stderr (only when stderr is a terminal).
PROGRESS_MIN_BYTES = 4 * 1024 * 1024

# C0 and C1 controls (ESC starts ANSI sequences), DEL, line/paragraph separators, lone
# surrogates (unprintable, and unencodable), bidirectional controls, the BOM.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\u061c\u200e\u200f"
    "\u202a-\u202e\u2066-\u2069\ufeff]"
)


def _escape(m: re.Match[str]) -> str:
    return m.group().encode("unicode_escape").decode("ascii")


def clean(text: object) -> str:
    """*text* safe for a terminal: unsafe characters as Python escapes (``'\\x1b'``).

    >>> clean("gpt-4o\\x1b[2J\\nfake")
    'gpt-4o\\\\x1b[2J\\\\nfake'
    """
    s = str(text)
    if s.isascii() and s.isprintable():
        return s
    return _UNSAFE.sub(_escape, s)


def out(*lines: object) -> None:
    """Print lines for people (each cleaned)."""
    for line in lines:
        print(clean(line))


def err(*lines: object) -> None:
    """Print ``llmcost: `` lines on stderr (each cleaned)."""
    for line in lines:
        print(f"llmcost: {clean(line)}", file=sys.stderr)


def plain(d: Decimal) -> str:
    """A decimal as a plain string: no exponent, no trailing zeros (``0.0060`` -> ``0.006``)."""
    from llmcost._money import plain as _plain

    return _plain(d)


def usd(amount: Decimal) -> str:
    """Money for people: dollars to a millionth (the fields in --json stay exact)."""
    from llmcost._money import usd as _usd

    return _usd(amount)


def rate(value: Decimal | None) -> str:
    """A rate, or ``-`` for none."""
    return "-" if value is None else plain(value)


def count(n: int | None) -> str:
    """A count with thousands separators, or ``-``."""
    return "-" if n is None else f"{n:,}"


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Container[int] = (),
    footer: Sequence[Sequence[str]] = (),
    shrink: int = 0,
    indent: str = "",
) -> list[str]:
    """An aligned text table (its lines) that fits `WIDTH` columns by cutting column *shrink*."""
    body = [[clean(c) for c in r] for r in (headers, *rows, *footer)]
    widths = [max(len(r[i]) for r in body) for i in range(len(headers))]
    room = WIDTH - len(indent) - 2 * (len(widths) - 1)
    excess = sum(widths) - room
    if excess > 0:
        widths[shrink] = max(widths[shrink] - excess, len(headers[shrink]), 8)

    def line(cells: Sequence[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            w = widths[i]
            if len(cell) > w:
                cell = cell[: w - 1] + "…"
            parts.append(cell.rjust(w) if i in right else cell.ljust(w))
        return (indent + "  ".join(parts)).rstrip()

    rule = (
        indent + "  ".join(("-" if h else " ") * w for h, w in zip(headers, widths, strict=True))
    ).rstrip()
    lines = [line(body[0]), rule, *(line(r) for r in body[1 : 1 + len(rows)])]
    if footer:
        lines.append(rule)
        lines.extend(line(r) for r in body[1 + len(rows) :])
    return lines


def wrap(label: str, text: str, width: int = 16) -> list[str]:
    """*text* filled to `WIDTH` after a *label* column (cleaned first)."""
    import textwrap

    return textwrap.wrap(
        clean(text),
        WIDTH,
        initial_indent=f"{label:<{width}}",
        subsequent_indent=" " * width,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [label.rstrip()]


def json_value(value: object) -> object:
    """JSON-ready: Decimals as plain strings, dates as ISO strings, mappings as objects."""
    from collections.abc import Mapping
    from datetime import date
    from decimal import Decimal

    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u2028\u2029\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def json_text(obj: object, *, indent: int | None = 2) -> str:
    """*obj* as JSON; characters a terminal would act on are JSON escapes (still exact)."""
    import json

    ascii_only = (getattr(sys.stdout, "encoding", None) or "utf-8").lower().replace(
        "-", ""
    ) != "utf8"
    separators = None if indent else (",", ":")
    text = json.dumps(
        json_value(obj), indent=indent, ensure_ascii=ascii_only, separators=separators
    )
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def print_json(obj: object) -> None:
    """Print *obj* as JSON on stdout."""
    print(json_text(obj))


class Progress:
    """A one-line progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, label: str, total: int | None, stream: TextIO | None = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.label = clean(label)
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
        """*n* more bytes were read."""
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
        """Clear the bar."""
        if self.shown:
            self.stream.write("\r" + " " * (WIDTH - 1) + "\r")
            self.stream.flush()
            self.shown = False


def attrs_dict(value: Any) -> dict[str, object]:
    """An attrs value (a price, tier, variant, window) under its constructor's names."""
    import attrs

    out: dict[str, object] = {}
    for a in attrs.fields(type(value)):
        v = getattr(value, a.name)
        if attrs.has(type(v)):
            v = attrs_dict(v)
        elif isinstance(v, tuple) and v and attrs.has(type(v[0])):
            v = [attrs_dict(x) for x in v]
        out[a.alias or a.name] = v
    return out
