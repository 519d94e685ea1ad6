"""The HTTP-layer hook of `llmcost.capture`: ``send`` of httpx and httpx2 clients.

Each ``Client.send`` / ``AsyncClient.send`` that POSTs to an LLM API path is watched:

- a body already read (``stream=False``, or a response replayed by vcrpy) is parsed and
  priced before ``send`` returns;
- a body still to be read (a stream) gets its byte stream wrapped: the wrapper hands each
  chunk on unchanged and feeds the server-sent events that carry usage to a
  `llmcost.StreamUsage`; the stream is priced when it ends, is closed, or is collected.

Only a 2xx answer is priced (a retried 429 or 500 was not billed). Every step after the
original ``send`` returned runs under ``try``: nothing here raises into the caller.
"""

from __future__ import annotations

import contextvars
import functools
import importlib
import importlib.util
import json
import threading
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import unquote

from . import _capture
from ._capture import BUSY as _BUSY
from ._capture import Closable, Request, log_once, run_in

_MAX_BUFFER = 64 * 1024 * 1024  # a body larger than this is not kept for pricing
MODULES = ("httpx", "httpx2")
_FINISHING = threading.Lock()  # a stream's trackers are handed out once each


def route(method: str, raw_path: bytes) -> tuple[str, str | None] | None:
    """(api, model named in the path) for a request to price, or None to pass it through.

    >>> route("POST", b"/v1/chat/completions")
    ('openai', None)
    >>> route("POST", b"/v1beta/models/gemini-3.5-flash:streamGenerateContent?alt=sse")
    ('gemini', 'gemini-3.5-flash')
    >>> route("GET", b"/v1/models") is None
    True
    """
    if method != "POST":
        return None
    q = raw_path.find(b"?")
    path = raw_path if q < 0 else raw_path[:q]
    if path.endswith((b"/chat/completions", b"/responses", b"/completions")):
        return "openai", None
    if path.endswith(b"/messages"):
        return None if b"/threads/" in path else ("anthropic", None)
    if b"enerateContent" in path:
        text = unquote(path.decode("ascii", "replace"))
        head, sep, verb = text.rpartition(":")
        if sep and verb in ("generateContent", "streamGenerateContent"):
            return "gemini", head.rpartition("/models/")[2] or None
    return None


def install() -> list[tuple[type, str, object, object]]:
    """Patch the installed HTTP clients; return what `_capture.restore` puts back."""
    patches: list[tuple[type, str, object, object]] = []
    for name in MODULES:
        try:
            if importlib.util.find_spec(name) is None:
                continue
            mod = importlib.import_module(name)
        except Exception as e:
            log_once(f"importing {name}", e)
            continue
        sync, asyn = _stream_classes(mod)
        _capture.patch(mod.Client, "send", functools.partial(_sync_send, wrapper=sync), patches)
        _capture.patch(
            mod.AsyncClient, "send", functools.partial(_async_send, wrapper=asyn), patches
        )
    return patches


def _sync_send(original: Any, wrapper: type) -> Callable[..., Any]:
    def send(self: Any, request: Any, **kwargs: Any) -> Any:
        trackers = _capture.STATE.trackers
        if not trackers or _BUSY.get():
            return original(self, request, **kwargs)
        try:
            found = route(request.method, request.url.raw_path)
        except Exception as e:
            log_once("reading a request", e)
            found = None
        if found is None:
            return original(self, request, **kwargs)
        token = _BUSY.set(True)
        try:
            response = original(self, request, **kwargs)
        finally:
            _BUSY.reset(token)
        _observe(trackers, found, request, response, wrapper)
        return response

    return send


def _async_send(original: Any, wrapper: type) -> Callable[..., Any]:
    async def send(self: Any, request: Any, **kwargs: Any) -> Any:
        trackers = _capture.STATE.trackers
        if not trackers or _BUSY.get():
            return await original(self, request, **kwargs)
        try:
            found = route(request.method, request.url.raw_path)
        except Exception as e:
            log_once("reading a request", e)
            found = None
        if found is None:
            return await original(self, request, **kwargs)
        token = _BUSY.set(True)
        try:
            response = await original(self, request, **kwargs)
        finally:
            _BUSY.reset(token)
        _observe(trackers, found, request, response, wrapper)
        return response

    return send


def _observe(
    trackers: tuple[Any, ...],
    found: tuple[str, str | None],
    request: Any,
    response: Any,
    wrapper: type,
) -> None:
    try:
        if not 200 <= response.status_code < 300:
            return
        req = Request(_body_of(request), found[1], trackers)
        headers = response.headers
        sse = "event-stream" in headers.get("content-type", "")
        if response.is_stream_consumed:  # read already (stream=False, or a vcrpy replay)
            if not sse:
                _read_body(trackers, req, response.content)
                return
            obs = Observer(trackers, req, sse, None, None)
            obs.feed(response.content)
            obs.finish("end")
            return
        encoding = headers.get("content-encoding", "").lower()
        ctx = contextvars.copy_context()
        obs = Observer(trackers, req, sse, encoding, ctx)
        response.stream = wrapper(response.stream, obs)
        _capture.watch(obs)
    except Exception as e:
        log_once("reading a response", e)


def _read_body(trackers: tuple[Any, ...], req: Request, content: bytes) -> None:
    """Price a JSON body read in full."""
    try:
        parsed = json.loads(content)
    except ValueError as e:
        _capture.record_unreadable(trackers, req, f"the response is not JSON: {e}")
        return
    _capture.record_response(trackers, parsed, req)


def _body_of(request: Any) -> Callable[[], bytes | None]:
    def body() -> bytes | None:
        try:
            content = request.content
        except Exception:
            return None
        return content if isinstance(content, bytes) else None

    return body


class Observer(Closable):
    """Reads one response body as it passes: SSE events with usage, or the whole JSON."""

    __slots__ = (
        "_buf", "_ctx", "_data", "_decoder", "_done", "_first", "_parts", "_size", "_sse",
        "_tier_seen", "_usage", "broken", "request", "trackers",
    )  # fmt: skip

    def __init__(
        self,
        trackers: tuple[Any, ...],
        request: Request,
        sse: bool,
        encoding: str | None,
        ctx: contextvars.Context | None,
    ) -> None:
        self.trackers = trackers
        self.request = request
        self._sse = sse
        self._ctx = ctx
        self._buf = b""
        self._data: list[bytes] = []
        self._parts: list[bytes] = []
        self._size = 0
        self._first = True
        self._done = False
        self._usage: Any = None
        self._tier_seen = False  # did the stream say which tier served it?
        self.broken = ""
        self._decoder: Any = None
        if encoding and encoding != "identity":
            if encoding in ("gzip", "deflate", "x-gzip"):
                self._decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header
            else:
                self.broken = f"content-encoding {encoding!r} is not read by llmcost"

    # -- reading
    def feed(self, chunk: bytes) -> None:
        """Take one chunk of the body as it went to the caller; never raises."""
        if self.broken or not chunk:
            return
        try:
            if self._decoder is not None:
                chunk = self._decoder.decompress(chunk)
            if not self._sse:
                self._size += len(chunk)
                if self._size > _MAX_BUFFER:
                    self.broken = "the response body is larger than llmcost reads"
                    self._parts = []
                else:
                    self._parts.append(chunk)
                return
            # Whole events without a usage (most of a stream: a text delta each) are skipped
            # unsplit: 0.6 us less an event (300 deltas: 581 -> 398 us, capture_overhead.py).
            if (
                not self._first
                and not self._buf
                and not self._data
                and chunk[-2:] == b"\n\n"
                and b"usage" not in chunk
                and b"[DONE]" not in chunk
            ):
                return
            if b"\n" not in chunk:
                self._buf += chunk
                if len(self._buf) > _MAX_BUFFER:
                    self.broken = "a server-sent event is larger than llmcost reads"
                return
            lines = (self._buf + chunk).split(b"\n") if self._buf else chunk.split(b"\n")
            self._buf = lines.pop()
            for line in lines:
                if line[-1:] == b"\r":
                    line = line[:-1]
                if not line:
                    if self._data:
                        self._event()
                elif line[:5] == b"data:":
                    self._data.append(line[6:] if line[5:6] == b" " else line[5:])
        except Exception as e:
            self.broken = f"{type(e).__name__}: {e}"
            log_once("reading a stream", e)

    def _event(self) -> None:
        data = self._data[0] if len(self._data) == 1 else b"\n".join(self._data)
        self._data = []
        if data == b"[DONE]":  # OpenAI's end of stream (the SDK may close before reading on)
            self._done = True
            return
        if not (self._first or _has_usage(data)):
            return
        self._first = False
        try:
            event = json.loads(data)
        except ValueError as e:  # one unreadable event: the others may still carry the usage
            log_once("reading a server-sent event", e)
            return
        self.add(event)

    def add(self, event: object) -> None:
        """Hand one parsed stream event to the usage accumulator."""
        if self._usage is None:
            self._usage = new_accumulator()
            self._tier_seen = self.request.service_tier() is None  # then nothing to look for
        if not self._tier_seen:
            self._tier_seen = _capture.reports_tier(event)
        self._usage.add(event)

    # -- the end
    def finish(self, how: str, only: Any = None) -> None:
        """Record the call once into each tracker: *how* is ``end``, ``closed``, ``error``,
        ``gc``, ...; with *only*, into that tracker now (its capture block ends) and into
        the others when the stream ends."""
        with _FINISHING:
            if only is None:
                targets, self.trackers = self.trackers, ()
            elif any(t is only for t in self.trackers):
                targets = (only,)
                self.trackers = tuple(t for t in self.trackers if t is not only)
            else:
                return
        if not targets:
            return
        if not self.trackers:
            _capture.unwatch(self)
        run_in(self._ctx, lambda: self._record(how, targets))

    def finish_soon(self, how: str) -> None:
        """`finish` on capture's worker thread: safe from the garbage collector, which may run
        while this thread holds a tracker's lock."""
        if self.trackers:
            _capture.later(self, how)

    def _record(self, how: str, trackers: tuple[Any, ...]) -> None:
        req = self.request
        if self._sse and how == "end" and not self.broken:
            self.feed(b"\n\n")  # a last event without its blank line
        if self.broken:
            _capture.record_unreadable(trackers, req, self.broken, partial=how != "end")
            return
        if not self._sse:
            body = b"".join(self._parts)
            if self._decoder is not None:
                body += self._decoder.flush()
            if how == "end":
                _read_body(trackers, req, body)
                return
            try:
                parsed = json.loads(body)
            except ValueError:
                why = f"the response body was not read to its end ({how})"
                _capture.record_unreadable(trackers, req, why, partial=True)
                return
            _capture.record_response(trackers, parsed, req)  # read whole after all
            return
        su = self._usage
        try:
            complete, seen = su is not None and su.complete, su is not None and su.usage is not None
        except Exception:  # the readers refuse this usage: record_stream records why
            complete, seen = False, True
        ended = how == "end" or self._done
        partial = not complete
        reason = ""
        if not seen:
            partial = not ended  # a whole stream without usage is unpriced, not partial
            state = "ended" if ended else f"was cut short ({how})"
            reason = (
                f"the stream {state} before reporting its usage (OpenAI Chat Completions "
                "streams report it only with stream_options={'include_usage': True})"
            )
        _capture.record_stream(
            trackers, su, req, tier_reported=self._tier_seen, partial=partial, reason=reason
        )


def new_accumulator() -> Any:
    """A `llmcost.StreamUsage` (the readers' stream accumulator)."""
    from ._stream import StreamUsage

    return StreamUsage()


def _has_usage(data: bytes) -> bool:
    """Does this event carry a usage object (``"usage": {`` or ``"usageMetadata": {``)?"""
    i = data.find(b"usage")
    while i >= 0:
        j = data.find(b":", i)
        if j < 0:
            return False
        rest = data[j + 1 : j + 3].lstrip()
        if rest[:1] == b"{":
            return True
        i = data.find(b"usage", i + 5)
    return False


def _stream_classes(mod: Any) -> tuple[type, type]:
    """Wrappers subclassing the module's own byte-stream types (its Response checks them)."""

    class SyncTee(mod.SyncByteStream):  # type: ignore[misc]
        def __init__(self, inner: Any, obs: Observer) -> None:
            self._inner = inner
            self._obs = obs

        def __iter__(self) -> Iterator[bytes]:
            obs = self._obs
            try:
                for chunk in self._inner:
                    obs.feed(chunk)
                    yield chunk
            except GeneratorExit:  # closed by whoever holds it, perhaps the garbage collector
                obs.finish_soon("closed")
                raise
            except BaseException:
                obs.finish("error")
                raise
            obs.finish("end")

        def close(self) -> None:
            try:
                self._inner.close()
            finally:
                self._obs.finish("closed")

        def __del__(self) -> None:
            self._obs.finish_soon("gc")

    class AsyncTee(mod.AsyncByteStream):  # type: ignore[misc]
        def __init__(self, inner: Any, obs: Observer) -> None:
            self._inner = inner
            self._obs = obs

        async def __aiter__(self) -> AsyncIterator[bytes]:
            obs = self._obs
            try:
                async for chunk in self._inner:
                    obs.feed(chunk)
                    yield chunk
            except GeneratorExit:
                obs.finish_soon("closed")
                raise
            except BaseException:
                obs.finish("error")
                raise
            obs.finish("end")

        async def aclose(self) -> None:
            try:
                await self._inner.aclose()
            finally:
                self._obs.finish("closed")

        def __del__(self) -> None:
            self._obs.finish_soon("gc")

    return SyncTee, AsyncTee
