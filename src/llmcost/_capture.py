"""Zero-code capture: every LLM call priced without a ``record()`` call.

``with llmcost.capture(tracker):`` (or ``llmcost.instrument(tracker)`` until
``llmcost.uninstrument()``) records every OpenAI, Anthropic and Gemini API call the process
makes, whichever SDK or framework makes it.

Where the hook sits, and why: at the HTTP layer, in ``send`` of the ``httpx`` and ``httpx2``
clients (`_capture_httpx`), not in the SDKs' methods. The openai, anthropic and google-genai
SDKs and litellm all send each API request through exactly one ``Client.send`` /
``AsyncClient.send``, so a call is priced exactly once however many layers wrap it: litellm
calls the openai SDK for OpenAI models (an SDK-method hook would see that call twice, once in
``litellm.completion`` and once in ``chat.completions.create``) and httpx itself for
Anthropic and Gemini; the SDKs' stream helpers (``messages.stream()``, ``responses.stream()``,
``chat.completions.stream()``), ``with_raw_response`` and retries all end in one ``send``
per HTTP exchange, and only a 2xx answer is priced. A vcrpy cassette replays below ``send``
(in the transport), so replayed calls are priced like live ones. The response body is what
the API billed, read by llmcost's readers.

What is recorded into whom: the trackers of every `capture` block open at the moment a
request is sent, in any thread, and every `instrument`-ed tracker, each once (a tracker
given twice records once). A stream is recorded when it ends: read to its end, closed,
garbage-collected, or still open when the `capture` block that saw it start exits. A stream
that ended before its final usage is recorded with the tag ``llmcost.partial`` (priced on the
usage seen so far when there is some, otherwise unpriced). Nothing inside llmcost ever
raises into the application's call: a failure is logged once per kind on the
``llmcost.capture`` logger and the call is recorded unpriced.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._errors import LLMCostError

if TYPE_CHECKING:
    from ._tracker import Tracker
    from ._usage import Usage

LOG = logging.getLogger("llmcost.capture")
PARTIAL_TAG = "llmcost.partial"
# Set while a hook higher up (the google-genai client) is pricing the request: the HTTP hook
# below then stands down, so a call is never counted twice.
BUSY: contextvars.ContextVar[bool] = contextvars.ContextVar("llmcost_capture_busy", default=False)


class _State:
    """What the hooks read on every request: a tuple swapped whole, so no lock is needed."""

    __slots__ = ("captures", "instrumented", "lock", "open_streams", "patches", "trackers")

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.trackers: tuple[Tracker, ...] = ()
        self.captures: list[Capture] = []
        self.instrumented: list[Tracker] = []
        self.patches: list[tuple[type, str, object, object]] = []  # (cls, name, orig, ours)
        self.open_streams: dict[int, Closable] = {}

    def update(self) -> None:
        """Recompute the active trackers; patch on the first, restore after the last."""
        seen = [c.tracker for c in self.captures] + self.instrumented
        self.trackers = tuple({id(t): t for t in seen}.values())
        if self.trackers and not self.patches:
            from . import _capture_genai, _capture_httpx

            for layer in (_capture_httpx, _capture_genai):
                try:
                    self.patches += layer.install()
                except Exception as e:  # a broken SDK install must not break capture()
                    log_once(f"hooking {layer.__name__}", e)
        elif not self.trackers and self.patches:
            restore(self.patches)
            self.patches = []


class Closable:
    """A stream being watched: `finish` records it once (see `_capture_httpx.Observer`)."""

    __slots__ = ()
    trackers: tuple[Tracker, ...]

    def finish(self, how: str, only: Any = None) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


STATE = _State()


def restore(patches: Iterable[tuple[type, str, object, object]]) -> None:
    """Put the originals back where ours are still in place (a later patch on top stays)."""
    for cls, name, original, ours in patches:
        if cls.__dict__.get(name) is ours:
            setattr(cls, name, original)


def patch(
    cls: type,
    name: str,
    make: Callable[[Any], Callable[..., Any]],
    patches: list[tuple[type, str, object, object]],
) -> None:
    """Replace ``cls.name`` by ``make(original)``, noting it in *patches*; a class that does
    not define *name* itself (another version of the SDK) is left alone, and logged."""
    original = cls.__dict__.get(name)
    if not callable(original):
        log_once(f"hooking {cls.__qualname__}.{name}", LookupError("not found"))
        return
    ours = make(original)
    ours.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(cls, name, ours)
    patches.append((cls, name, original, ours))


def watch(stream: Closable) -> None:
    """Remember an open stream so the `capture` block that saw it start can close it."""
    with STATE.lock:
        STATE.open_streams[id(stream)] = stream
        if _WORKER[0] is None:
            worker = threading.Thread(target=_work, name="llmcost-capture", daemon=True)
            worker.start()
            _WORKER[0] = worker


# A stream dropped unread is finished by the garbage collector, which may run while this very
# thread holds a tracker's lock: recording there could deadlock, so it is queued (SimpleQueue.put
# is safe in __del__) and recorded on this worker thread.
_QUEUE: queue.SimpleQueue[tuple[Closable, str]] = queue.SimpleQueue()
_WORKER: list[threading.Thread | None] = [None]


def later(stream: Closable, how: str) -> None:
    """Record *stream* on the worker thread (from `__del__` and generator finalizers)."""
    _QUEUE.put((stream, how))


def _work() -> None:
    while True:
        stream, how = _QUEUE.get()
        try:
            stream.finish(how)
        except Exception as e:
            log_once("recording a stream", e)


def unwatch(stream: Closable) -> None:
    """Forget a stream that was recorded."""
    STATE.open_streams.pop(id(stream), None)


class Capture:
    """The context manager `capture` returns; entering it returns the tracker."""

    def __init__(self, tracker: Tracker) -> None:
        _check_tracker(tracker)
        self.tracker = tracker

    def __enter__(self) -> Tracker:
        with STATE.lock:
            STATE.captures.append(self)
            STATE.update()
        return self.tracker

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with STATE.lock:
            for i in range(len(STATE.captures) - 1, -1, -1):
                if STATE.captures[i] is self:
                    del STATE.captures[i]
                    break
            STATE.update()
            still = any(t is self.tracker for t in STATE.trackers)
        if not still:  # what this block saw start is recorded before anyone reads totals
            flush(self.tracker)


def flush(tracker: Tracker) -> None:
    """Record now, as partial, every stream *tracker* is waiting for (still open)."""
    with STATE.lock:
        pending = [s for s in STATE.open_streams.values() if tracker in s.trackers]
    for stream in pending:
        stream.finish("capture-exit", tracker)


def capture(tracker: Tracker) -> Capture:
    """Record every LLM API call made inside the block, in any thread, into *tracker*.

    Covers the openai (Chat Completions, Responses), anthropic (Messages) and google-genai
    (generate_content) clients, sync and async, plain and streaming, and litellm, which
    uses them or httpx underneath; each call is priced once from its response. Blocks nest:
    each block's tracker records the calls made while it is open. Per-call tags come from
    `llmcost.tags`.

    >>> import llmcost
    >>> tracker = llmcost.Tracker()
    >>> with llmcost.capture(tracker):
    ...     pass  # client.chat.completions.create(...) here is priced and recorded
    >>> tracker.count
    0
    """
    return Capture(tracker)


def instrument(tracker: Tracker) -> None:
    """Record every LLM API call of the process into *tracker* until `uninstrument`.

    The same as an open `capture` block that never ends; calling it again with the same
    tracker changes nothing.

    >>> import llmcost
    >>> tracker = llmcost.Tracker()
    >>> llmcost.instrument(tracker)
    >>> llmcost.uninstrument()
    """
    _check_tracker(tracker)
    with STATE.lock:
        if all(t is not tracker for t in STATE.instrumented):
            STATE.instrumented.append(tracker)
        STATE.update()


def uninstrument() -> None:
    """Stop recording into the trackers `instrument` was given.

    Every patched method is restored once no `capture` block is open either.

    >>> import llmcost
    >>> llmcost.uninstrument()  # without instrument() first: nothing to do
    """
    with STATE.lock:
        STATE.instrumented.clear()
        STATE.update()


def _check_tracker(tracker: object) -> None:
    if not callable(getattr(tracker, "record", None)):
        from ._errors import InvalidTypeError

        msg = f"capture needs an llmcost.Tracker, got {type(tracker).__name__}"
        raise InvalidTypeError(msg)


# ----------------------------------------------------------------------------- errors

_LOGGED: set[tuple[str, str]] = set()


def log_once(where: str, exc: BaseException) -> None:
    """Log an internal failure once per (place, exception type); never raises."""
    key = (where, type(exc).__name__)
    if key in _LOGGED:
        return
    _LOGGED.add(key)
    with contextlib.suppress(Exception):  # a broken logging setup must not break the call
        LOG.warning(
            "llmcost capture: %s failed (%s: %s); the application's call was not affected "
            "and it is recorded unpriced. Logged once per kind.",
            where,
            type(exc).__name__,
            exc,
        )


# ----------------------------------------------------------------------------- pricing


class Request:
    """What capture knows of a request: who records it, and what it asked for (the body is
    read lazily, only when the response does not say)."""

    __slots__ = ("_model", "_tier", "body", "model_in_path", "trackers")

    def __init__(
        self,
        body: Callable[[], bytes | None],
        model_in_path: str | None,
        trackers: tuple[Tracker, ...],
        service_tier: str | bool | None = False,
    ) -> None:
        self.body = body
        self.model_in_path = model_in_path
        self.trackers = trackers
        self._tier = service_tier  # False: not read yet
        self._model: str | bool | None = False

    def service_tier(self) -> str | None:
        """The ``service_tier`` / ``serviceTier`` the request asked for, if any."""
        if self._tier is False:
            self._tier = _request_field(self.body(), ("service_tier", "serviceTier"))
        if isinstance(self._tier, str):
            tier = self._tier.lower()
            return None if tier in ("unspecified", "service_tier_unspecified") else tier
        return None

    def model(self) -> str | None:
        """The model the request named (body ``model`` or the Gemini URL path)."""
        if self._model is False:
            self._model = self.model_in_path or _request_field(self.body(), ("model",))
        return self._model if isinstance(self._model, str) else None


def _request_field(body: bytes | None, names: tuple[str, ...]) -> str | None:
    if not body or not any(b'"%s"' % n.encode() in body for n in names):
        return None  # the bytes test keeps a large prompt from being parsed for nothing
    import json

    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for n in names:
        value = data.get(n)
        if isinstance(value, str) and value:
            return value
    return None


def record_response(
    trackers: tuple[Tracker, ...],
    body: object,
    request: Request,
    *,
    partial: bool = False,
) -> None:
    """Price one parsed response body into each tracker; unpriced when that fails."""
    tags: dict[str, object] = {PARTIAL_TAG: True} if partial else {}
    keywords: dict[str, object] = {}
    if not reports_tier(body):  # the response does not say: the request does (if it asked)
        asked_tier = request.service_tier()
        if asked_tier is not None:
            keywords["service_tier"] = asked_tier
    for tracker in trackers:
        try:
            record: Any = tracker.record  # keywords and tags checked by the tracker itself
            record(body, **keywords, **tags)
        except Exception as e:
            if not isinstance(e, LLMCostError):
                log_once("pricing a response", e)
            _unpriced(tracker, _model_of(body, request), _usage_of(body), e, tags)


def record_stream(
    trackers: tuple[Tracker, ...],
    stream: Any,
    request: Request,
    *,
    tier_reported: bool,
    partial: bool,
    reason: str = "",
) -> None:
    """Price a stream's usage (a `llmcost.StreamUsage`, or None) into each tracker.

    The accumulator prices it as the readers price a response (the tier, speed and region
    the stream reported; the request's tier where it reported none); each tracker then
    records that usage in that context. Without usage or model: unpriced, with *reason*.
    """
    tags: dict[str, object] = {PARTIAL_TAG: True} if partial else {}
    usage: Usage | None = None
    model: str | None = None
    failure: BaseException | str = reason or "the stream reported no usage"
    if stream is not None:
        try:
            usage = stream.usage
            model = stream.model
        except Exception as e:
            if not isinstance(e, LLMCostError):
                log_once("reading a stream's usage", e)
            failure = e
    model = model or request.model()
    if usage is None or not model:
        for tracker in trackers:
            _unpriced(tracker, model, usage, failure, tags)
        return
    asked = None if tier_reported else request.service_tier()
    keywords: dict[str, object] = {} if asked is None else {"service_tier": asked}
    name = model
    try:
        c = stream.cost(service_tier=asked)
        keywords = {"service_tier": c.service_tier, "speed": c.speed}
        keywords["inference_geo"] = c.inference_geo
        name = c.model  # the id the readers priced it as (Groq's ids are "groq/<id>")
    except LLMCostError:
        pass  # a tracker with its own registry may still price it: let each one try
    for tracker in trackers:
        try:
            record: Any = tracker.record
            record(name, usage, **keywords, **tags)
        except Exception as e:
            if not isinstance(e, LLMCostError):
                log_once("pricing a stream", e)
            _unpriced(tracker, model, usage, e, tags)


def record_unreadable(
    trackers: tuple[Tracker, ...], request: Request, reason: str, *, partial: bool = False
) -> None:
    """A 2xx answer whose body could not be read: recorded unpriced, with the reason."""
    tags: dict[str, object] = {PARTIAL_TAG: True} if partial else {}
    for tracker in trackers:
        _unpriced(tracker, request.model(), None, reason, tags)


def _unpriced(
    tracker: Tracker,
    model: str | None,
    usage: Usage | None,
    why: BaseException | str,
    tags: Mapping[str, object],
) -> None:
    reason = why if isinstance(why, str) else f"{type(why).__name__}: {why}"
    try:
        method: Any = tracker.record_unpriced
        method(model or "", usage, reason, **tags)
    except Exception as e:
        log_once("recording an unpriced call", e)


_TIER_KEYS = ("service_tier", "serviceTier", "trafficType")


def reports_tier(body: object, depth: int = 0) -> bool:
    """Does a parsed response or event say which service tier served it (at any nesting)?

    Checked on the parsed JSON before the request body is searched: the request may be large.
    """
    if not isinstance(body, dict) or depth > 3:
        return False
    if any(body.get(k) is not None for k in _TIER_KEYS):
        return True
    return any(reports_tier(v, depth + 1) for v in body.values() if isinstance(v, dict))


def _model_of(body: object, request: Request) -> str | None:
    try:
        from ._responses import model_from_response

        return model_from_response(body) or request.model()
    except Exception:
        return request.model()


def _usage_of(body: object) -> Usage | None:
    try:
        from ._responses import usage_from_response

        return usage_from_response(body)
    except Exception:
        return None


def run_in(ctx: contextvars.Context | None, fn: Callable[[], None]) -> None:
    """Run *fn* in the request's context (its `llmcost.tags`), never raising."""
    try:
        if ctx is None:
            fn()
        else:
            ctx.copy().run(fn)  # a copy: two trackers' records may run at once
    except Exception as e:
        log_once("recording a stream", e)
