"""Per-call tags from a context variable: ``with llmcost.tags(feature="search"): ...``.

A `contextvars.ContextVar` holds the tags, so each thread and each asyncio task sees its own
(a task copies the context of the code that created it). `Tracker.record` merges them under
the tags it is given (explicit keywords win).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType

from ._errors import InvalidTypeError

#: Names `Tracker.record` keeps for itself: none of them can be a tag.
RESERVED = frozenset(
    {
        "at",
        "batch",
        "inference_geo",
        "model",
        "registry",
        "response_or_model",
        "service_tier",
        "speed",
        "usage",
    }
)
_WHY = {
    "model": "model= overrides a response's model",
    "registry": "pass registry= to Tracker()",
    "usage": "usage= is the request's Usage",
    "response_or_model": "it is record()'s first argument",
}
_EMPTY: Mapping[str, object] = MappingProxyType({})


def refuse_reserved(names: Iterable[str], source: str) -> None:
    """Raise `InvalidTypeError` if any of *names* is a name `RESERVED` for the request."""
    bad = sorted(RESERVED.intersection(names))
    if bad:
        name = bad[0]
        why = _WHY.get(name, f"{name}= is part of the request context")
        msg = f"{source}{name!r} cannot be a tag: {why}; give the tag another name"
        raise InvalidTypeError(msg)
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
    refuse_reserved(values, "llmcost.tags(): ")
    merged = MappingProxyType({**_TAGS.get(), **values})
    token = _TAGS.set(merged)
    try:
        yield merged
    finally:
        _TAGS.reset(token)


def current_tags() -> Mapping[str, object]:
    """The tags of the innermost `tags` block in this context (empty outside any)."""
    return _TAGS.get()
