"""Per-call tags from a context variable: ``with llmcost.tags(feature="search"): ...``.

A `contextvars.ContextVar` holds the tags, so each thread and each asyncio task sees its own
(a task copies the context of the code that created it). `Tracker.record` merges them under
the tags it is given (explicit keywords win).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType

_EMPTY: Mapping[str, object] = MappingProxyType({})
_TAGS: contextvars.ContextVar[Mapping[str, object]] = contextvars.ContextVar(
    "llmcost_tags", default=_EMPTY
)


@contextmanager
def tags(**values: object) -> Iterator[Mapping[str, object]]:
    """Tag every request recorded inside the block (nested blocks add to the outer tags).

    >>> import llmcost
    >>> t = llmcost.Tracker()
    >>> with llmcost.tags(feature="search"):
    ...     _ = t.record("gpt-4o", llmcost.Usage(input_tokens=10, output_tokens=1))
    >>> t.records()[0].tags["feature"]
    'search'
    """
    merged = MappingProxyType({**_TAGS.get(), **values})
    token = _TAGS.set(merged)
    try:
        yield merged
    finally:
        _TAGS.reset(token)


def current_tags() -> Mapping[str, object]:
    """The tags of the innermost `tags` block in this context (empty outside any)."""
    return _TAGS.get()
