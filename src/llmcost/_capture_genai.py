"""The google-genai hook of `llmcost.capture`: its client's four request methods.

google-genai sends through httpx, httpx2, aiohttp (its async default whenever aiohttp is
installed) or google-auth's requests session (Vertex AI), so the HTTP-layer hook alone would
miss some of its calls. ``BaseApiClient.request`` / ``request_streamed`` /
``async_request`` / ``async_request_streamed`` are where every one of its HTTP requests
passes, whatever the transport (one call each; automatic function calling makes one per
round trip). The hook marks the request as its own (`_capture.BUSY`) so the httpx hook
below stands down: each call is priced once.
"""

from __future__ import annotations

import contextvars
import importlib
import importlib.util
import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from . import _capture
from ._capture import BUSY, Request, log_once
from ._capture_httpx import Observer

_VERBS = (":generateContent", ":streamGenerateContent")


def install() -> list[tuple[type, str, object, object]]:
    """Patch google-genai's API client, if it is installed."""
    try:
        if importlib.util.find_spec("google.genai") is None:
            return []
    except (ImportError, ValueError):  # no `google` namespace at all
        return []
    cls = importlib.import_module("google.genai._api_client").BaseApiClient
    patches: list[tuple[type, str, object, object]] = []
    for name, make in (
        ("request", _request),
        ("async_request", _async_request),
        ("request_streamed", _request_streamed),
        ("async_request_streamed", _async_request_streamed),
    ):
        _capture.patch(cls, name, make, patches)
    return patches


def _watch(path: object, request_dict: object) -> Request | None:
    """The request to price, or None (not generateContent, or capture is off)."""
    trackers = _capture.STATE.trackers
    if not trackers or BUSY.get() or not isinstance(path, str):
        return None
    path = path.partition("?")[0]
    if not path.endswith(_VERBS):
        return None
    model = path.rpartition(":")[0].rpartition("/")[2] or None
    tier: object = None
    if isinstance(request_dict, dict):
        tier = request_dict.get("serviceTier") or request_dict.get("service_tier")
    tier = getattr(tier, "value", tier)  # a google.genai.types.ServiceTier
    return Request(lambda: None, model, trackers, tier if isinstance(tier, str) else None)


def _price(req: Request, body: object) -> None:
    try:
        parsed = json.loads(body) if isinstance(body, (str, bytes)) else body
        _capture.record_response(req.trackers, parsed, req)
    except Exception as e:
        log_once("reading a google-genai response", e)


def _request(original: Any) -> Callable[..., Any]:
    def request(
        self: Any, http_method: str, path: str, request_dict: Any, *a: Any, **k: Any
    ) -> Any:
        req = _watch(path, request_dict)
        if req is None:
            return original(self, http_method, path, request_dict, *a, **k)
        token = BUSY.set(True)
        try:
            response = original(self, http_method, path, request_dict, *a, **k)
        finally:
            BUSY.reset(token)
        _price(req, getattr(response, "body", None))
        return response

    return request


def _async_request(original: Any) -> Callable[..., Any]:
    async def async_request(
        self: Any, http_method: str, path: str, request_dict: Any, *a: Any, **k: Any
    ) -> Any:
        req = _watch(path, request_dict)
        if req is None:
            return await original(self, http_method, path, request_dict, *a, **k)
        token = BUSY.set(True)
        try:
            response = await original(self, http_method, path, request_dict, *a, **k)
        finally:
            BUSY.reset(token)
        _price(req, getattr(response, "body", None))
        return response

    return async_request


def _observer(req: Request) -> Observer | None:
    try:
        obs = Observer(req.trackers, req, True, None, contextvars.copy_context())
        _capture.watch(obs)
    except Exception as e:
        log_once("watching a google-genai stream", e)
        return None
    return obs


def _add(obs: Observer, chunk: object) -> None:
    try:
        body = getattr(chunk, "body", None)
        if isinstance(body, (str, bytes)):
            obs.add(json.loads(body))
    except Exception as e:
        obs.broken = f"{type(e).__name__}: {e}"
        log_once("reading a google-genai stream", e)


def _request_streamed(original: Any) -> Callable[..., Any]:
    def request_streamed(
        self: Any, http_method: str, path: str, request_dict: Any, *a: Any, **k: Any
    ) -> Any:
        inner = original(self, http_method, path, request_dict, *a, **k)
        req = _watch(path, request_dict)
        obs = None if req is None else _observer(req)
        return inner if obs is None else _tee(inner, obs)

    return request_streamed


def _tee(inner: Iterator[Any], obs: Observer) -> Iterator[Any]:
    # The request is sent on the first next(): mark each step as ours for the httpx hook.
    try:
        while True:
            token = BUSY.set(True)
            try:
                chunk = next(inner)
            except StopIteration:
                break
            finally:
                BUSY.reset(token)
            _add(obs, chunk)
            yield chunk
    except GeneratorExit:
        obs.finish_soon("closed")
        close = getattr(inner, "close", None)
        if close is not None:
            close()
        raise
    except BaseException:
        obs.finish("error")
        raise
    obs.finish("end")


def _async_request_streamed(original: Any) -> Callable[..., Any]:
    async def async_request_streamed(
        self: Any, http_method: str, path: str, request_dict: Any, *a: Any, **k: Any
    ) -> Any:
        req = _watch(path, request_dict)
        if req is None:
            return await original(self, http_method, path, request_dict, *a, **k)
        token = BUSY.set(True)
        try:
            inner = await original(self, http_method, path, request_dict, *a, **k)
        finally:
            BUSY.reset(token)
        obs = _observer(req)
        return inner if obs is None else _atee(inner, obs)

    return async_request_streamed


async def _atee(inner: AsyncIterator[Any], obs: Observer) -> AsyncIterator[Any]:
    try:
        while True:
            token = BUSY.set(True)
            try:
                chunk = await inner.__anext__()
            except StopAsyncIteration:
                break
            finally:
                BUSY.reset(token)
            _add(obs, chunk)
            yield chunk
    except GeneratorExit:
        obs.finish_soon("closed")
        aclose = getattr(inner, "aclose", None)
        if aclose is not None:
            await aclose()
        raise
    except BaseException:
        obs.finish("error")
        raise
    obs.finish("end")
