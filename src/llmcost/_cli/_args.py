"""Argument types of the command line: token counts, instants, tool uses."""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date, datetime

_SCALE = {"": 1, "k": 1_000, "m": 1_000_000}
_COUNT = re.compile(r"(\d+(?:_\d+)*|\d{1,3}(?:,\d{3})+)(?:\.(\d+))?([kKmM]?)", re.ASCII)


def parse_tokens(text: str) -> int:
    """A token count as people write it: ``1200``, ``1_200``, ``1,200``, ``1.2k`` or ``3M``.

    k is 1,000 and M 1,000,000 (either case); a decimal must come to a whole number of tokens.

    >>> parse_tokens("1.2k"), parse_tokens("1,200"), parse_tokens("3M")
    (1200, 1200, 3000000)
    """
    s = text.strip()
    if s.startswith("-"):
        msg = f"{text!r}: a token count cannot be negative"
        raise ValueError(msg)
    m = _COUNT.fullmatch(s) if len(s) <= 100 else None
    if m is None:
        msg = f"{text!r:.60} is not a token count (write 1200, 1_200, 1,200, 1.2k or 3M)"
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


def tokens_arg(text: str) -> int:
    """argparse type: a token count (`parse_tokens`)."""
    try:
        return parse_tokens(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def parse_at(text: str) -> date | datetime:
    """An ISO date (a UTC day) or date-time (naive means UTC) as the pricing functions take it.

    >>> parse_at("2026-11-25")
    datetime.date(2026, 11, 25)
    >>> parse_at("2026-11-25T10:00+08:00")
    datetime.datetime(2026, 11, 25, 2, 0, tzinfo=datetime.timezone.utc)
    """
    from datetime import date, datetime, timezone

    s = text.strip()
    try:
        if len(s) == 10:
            return date.fromisoformat(s)
        when = datetime.fromisoformat(s[:-1] + "+00:00" if s[-1:] in "zZ" and s else s)
    except ValueError:
        msg = (
            f"{text!r:.60} is not a date or date-time: write 2026-11-25, 2026-11-25T10:00 "
            "(UTC) or 2026-11-25T10:00+08:00"
        )
        raise ValueError(msg) from None
    if when.tzinfo is None:
        return when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def at_arg(text: str) -> date | datetime:
    """argparse type: `parse_at`."""
    try:
        return parse_at(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        n = int(text) if len(text) <= 20 else 0
    except ValueError:
        n = 0
    if n < 1:
        msg = f"{text!r:.30} is not a positive whole number"
        raise argparse.ArgumentTypeError(msg)
    return n


def tool_arg(text: str) -> tuple[str, int]:
    """argparse type: ``NAME=N`` server-side tool uses, such as ``web_search=3``."""
    name, sep, count = text.partition("=")
    name = name.strip().lower()
    if not sep or not re.fullmatch(r"[a-z][a-z0-9_.-]{0,63}", name, re.ASCII):
        msg = f"{text!r:.60} is not NAME=N (for example web_search=3)"
        raise argparse.ArgumentTypeError(msg)
    n: int = tokens_arg(count)
    return name, n
