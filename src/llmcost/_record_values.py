"""What a cost record may hold: exact text, JSON-safe tags, and the bounds on both.

A record stores text the way JSON reads it back (`exact_text`), shows it to people with
control characters escaped (`printable`), and keeps only tag values that a JSON round trip
gives back unchanged (`json_tags`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from types import MappingProxyType

from ._errors import InvalidInputError, InvalidTypeError

__all__ = [
    "MAX_LINE",
    "MAX_NAME",
    "MAX_TAGS",
    "MAX_TAG_TEXT",
    "exact_text",
    "json_tags",
    "printable",
]

#: Longest model name, provider, reason or tag name a record keeps (characters).
MAX_NAME = 1_000
#: Most tags on one record, and the most characters their names and string values add up to.
MAX_TAGS = 64
MAX_TAG_TEXT = 16_384
#: Deepest nesting of lists and objects in a tag value, and their most items in all.
MAX_TAG_DEPTH = 8
MAX_TAG_ITEMS = 1_000
#: Integers in tags stay below 10**100 in magnitude (JSON reads them back exactly).
MAX_TAG_INT = 10**100
#: Longest cost-log line `from_json` reads (characters); the limits above keep every line
#: llmcost writes far below it.
MAX_LINE = 1 << 20

_SURROGATE = re.compile("[\ud800-\udfff]")
_AMOUNT = re.compile(r"[0-9]{1,80}(?:\.[0-9]{1,80})?(?:[eE][+-]?[0-9]{1,6})?\Z")


def exact_text(text: str) -> str:
    """*text* as JSON reads it back: surrogate pairs joined, lone surrogates kept."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def printable(text: str) -> str:
    """*text* with every character `str.isprintable` refuses written as a ``\\x``/``\\u`` escape.

    For log messages and terminals: a newline, ANSI escape, U+2028 or lone surrogate in a
    model name cannot start a line or move the cursor.

    >>> printable("gpt-4o\\n2025-01-01 INFO fake")
    'gpt-4o\\\\n2025-01-01 INFO fake'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def checked_name(value: object, what: str) -> str:
    if type(value) is not str:
        if not isinstance(value, str):
            msg = f"{what} must be a str, not {type(value).__name__}"
            raise InvalidTypeError(msg)
        value = str.__str__(value)  # a str subclass (an enum) as the plain text it reads back
    if len(value) > MAX_NAME:
        msg = f"{what} is {len(value):,} characters long; a cost record keeps at most {MAX_NAME:,}"
        raise InvalidInputError(msg)
    return exact_text(value)


class _Budget:
    __slots__ = ("items", "text")

    def __init__(self) -> None:
        self.text = MAX_TAG_TEXT
        self.items = MAX_TAG_ITEMS


def _tag_text(value: str, where: str, budget: _Budget) -> str:
    budget.text -= len(value)
    if budget.text < 0:
        msg = (
            f"tag {where}: the tags' names and text add up to more than {MAX_TAG_TEXT:,} "
            "characters; tags are labels (pass an id, not a document)"
        )
        raise InvalidInputError(msg)
    return exact_text(value)


_HINTS = {
    "Decimal": "pass str(value) or an int",
    "tuple": "pass a list",
    "set": "pass a sorted list",
    "frozenset": "pass a sorted list",
    "bytes": "pass text, e.g. value.hex()",
    "bytearray": "pass text, e.g. value.hex()",
    "datetime": "pass value.isoformat()",
    "date": "pass value.isoformat()",
}


def _tag_value(value: object, where: str, budget: _Budget, depth: int) -> object:
    """*value* as its JSON round trip gives it back, or a clear refusal."""
    t = type(value)
    if t is str:
        return _tag_text(value, where, budget)  # type: ignore[arg-type]
    if value is None or t is bool:
        return value
    if t is int:
        if -MAX_TAG_INT < value < MAX_TAG_INT:  # type: ignore[operator]
            return value
        msg = f"tag {where}: the int has more than 100 digits"
        raise InvalidInputError(msg)
    if t is float:
        if math.isfinite(value):  # type: ignore[arg-type]
            return value
        msg = f"tag {where}: {value!r} is not a JSON number"
        raise InvalidInputError(msg)
    if isinstance(value, (list, dict)):
        budget.items -= len(value)
        if depth >= MAX_TAG_DEPTH or budget.items < 0:
            msg = (
                f"tag {where}: nested deeper than {MAX_TAG_DEPTH} levels or with more than "
                f"{MAX_TAG_ITEMS:,} items"
            )
            raise InvalidInputError(msg)
        if isinstance(value, list):
            return [_tag_value(v, f"{where}[{i}]", budget, depth + 1) for i, v in enumerate(value)]
        out: dict[str, object] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                msg = (
                    f"tag {where}: object keys must be str (JSON turns {k!r:.40} into a "
                    "string), so the log would not read back the same value"
                )
                raise InvalidTypeError(msg)
            key = _tag_text(str.__str__(k), where, budget)
            out[key] = _tag_value(v, f"{where}[{k!r:.40}]", budget, depth + 1)
        return out
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return _tag_text(str.__str__(value), where, budget)  # enum members and other subclasses
    if isinstance(value, int):
        return _tag_value(int(value), where, budget, depth)
    if isinstance(value, float):
        return _tag_value(float(value), where, budget, depth)
    hint = _HINTS.get(t.__name__, "pass a str, int, float, bool, None, list or str-keyed dict")
    msg = f"tag {where}: a {t.__name__} does not survive the JSON cost log unchanged; {hint}"
    raise InvalidTypeError(msg)


def json_tags(tags: Mapping[str, object]) -> Mapping[str, object]:
    """The tags of a record, validated: values that a JSON round trip gives back unchanged.

    Allowed: str, int (below 10**100 in magnitude), finite float, bool, None, and lists and
    str-keyed dicts of these (nested at most 8 deep); subclasses (enums) are stored as their
    base value. Anything else (Decimal, tuple, set, bytes, datetime, int-keyed dicts, ...) is
    refused with `InvalidTypeError`, because the log would read back a different value; and
    the tags' names and text add up to at most `MAX_TAG_TEXT` characters.
    """
    if type(tags) is dict and len(tags) <= 8 and all(map(_plain_tag, tags.items())):
        # The common tags (a few short ASCII names and values): 0.5 us less than the walk.
        return MappingProxyType(dict(tags))
    if not isinstance(tags, Mapping):
        msg = f"tags must be a mapping, not {type(tags).__name__}"
        raise InvalidTypeError(msg)
    if len(tags) > MAX_TAGS:
        msg = f"{len(tags)} tags on one record; at most {MAX_TAGS}"
        raise InvalidInputError(msg)
    budget = _Budget()
    out: dict[str, object] = {}
    for name, value in tags.items():
        if type(name) is not str:
            if not isinstance(name, str):
                msg = f"tag names must be str, not {type(name).__name__}"
                raise InvalidTypeError(msg)
            name = str.__str__(name)
        where = repr(name) if len(name) <= 40 else repr(name[:37] + "...")
        out[_tag_text(name, where, budget)] = _tag_value(value, where, budget, 0)
    return MappingProxyType(out)


def _plain_tag(item: tuple[object, object]) -> bool:
    """A short ASCII name with a short ASCII text, a small int, a bool or None (no checks
    needed beyond these: such a tag is within every bound and reads back unchanged)."""
    name, value = item
    if type(name) is not str or len(name) > 200 or not name.isascii():
        return False
    t = type(value)
    if t is str:
        return len(value) <= 1_000 and value.isascii()  # type: ignore[arg-type, attr-defined]
    if t is int:
        return -(10**18) < value < 10**18  # type: ignore[operator]
    return value is None or t is bool
