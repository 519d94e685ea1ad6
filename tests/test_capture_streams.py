"""Captured streams: priced once when they end, also when the caller stops early or they fail."""

from __future__ import annotations

import asyncio
import gc
import json
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import llmcost
from llmcost import _capture

from .capture_helpers import (
    HI,
    anthropic_client,
    async_anthropic_client,
    async_openai_client,
    genai_client,
    openai_client,
    rates,
    usd,
)
from .capture_server import FixtureServer, load
from .test_capture import AIOHTTP_SUBCLASS

PARTIAL = _capture.PARTIAL_TAG
INCLUDE_USAGE = {"include_usage": True}


@pytest.fixture(scope="module")
def srv() -> Iterator[FixtureServer]:
    """One local server for the module; each test loads its fixture."""
    with FixtureServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _no_capture_left() -> Iterator[None]:
    """Every test leaves no capture open and no stream waiting."""
    yield
    llmcost.uninstrument()
    assert _capture.STATE.trackers == ()
    assert _capture.STATE.open_streams == {}


def chat_stream_cost() -> Decimal:
    """openai_chat_stream_include_usage: 19 in, 75 out (64 reasoning)."""
    p = rates("gpt-5.5")
    return usd((19, p.input_per_mtok), (75, p.output_per_mtok))


def opus_stream_cost() -> Decimal:
    """anthropic_stream_thinking_cache_1h: 310 uncached, 42,000 read, 6,000 1h write, 1,480 out."""
    p = rates("claude-opus-4-8")
    return usd(
        (310, p.input_per_mtok),
        (42_000, p.cache_read_per_mtok),
        (6_000, p.cache_write_1h_per_mtok),
        (1_480, p.output_per_mtok),
    )


def gemini_stream_cost() -> Decimal:
    """gemini_stream_real_cumulative: 11 in, 49 candidates + 603 thoughts out (last chunk)."""
    p = rates("gemini-3.5-flash")
    return usd((11, p.input_per_mtok), (49 + 603, p.output_per_mtok))


def test_openai_chat_stream_sync_and_async(srv: FixtureServer) -> None:
    """A Chat Completions stream is priced once from its final usage chunk, sync and async."""
    srv.serve(load("openai_chat_stream_include_usage"))
    tracker = llmcost.Tracker()

    async def main() -> None:
        async with async_openai_client(srv) as client:
            stream = await client.chat.completions.create(
                model="gpt-5.5", messages=HI, stream=True, stream_options=INCLUDE_USAGE
            )
            async for _ in stream:
                pass

    with llmcost.capture(tracker), openai_client(srv) as client:
        chunks = list(
            client.chat.completions.create(
                model="gpt-5.5", messages=HI, stream=True, stream_options=INCLUDE_USAGE
            )
        )
        asyncio.run(main())
    assert chunks[-1].usage.completion_tokens == 75
    assert (tracker.count, tracker.total) == (2, 2 * chat_stream_cost())
    assert all(PARTIAL not in r.tags for r in tracker.records())


def test_openai_chat_stream_helper(srv: FixtureServer) -> None:
    """client.chat.completions.stream() (the SDK's helper) is one call, priced once."""
    srv.serve(load("openai_chat_stream_include_usage"))
    tracker = llmcost.Tracker()
    with (
        llmcost.capture(tracker),
        openai_client(srv) as client,
        client.chat.completions.stream(
            model="gpt-5.5", messages=HI, stream_options=INCLUDE_USAGE
        ) as stream,
    ):
        final = stream.get_final_completion()
    assert final.usage.prompt_tokens == 19
    assert (tracker.count, tracker.total) == (1, chat_stream_cost())


def test_openai_responses_stream_and_helper(srv: FixtureServer) -> None:
    """A Responses stream (create(stream=True) and responses.stream()) is priced from
    response.completed, at the flex tier it reports."""
    srv.serve(load("openai_responses_stream_flex"))
    p = rates("gpt-5.5")
    (flex,) = [v for v in p.variants if v.service_tier == "flex"]
    expected = usd(
        (4_180 - 3_968, p.input_per_mtok),
        (3_968, p.cache_read_per_mtok),
        (118, p.output_per_mtok),
        multiplier=flex.multiplier,
    )
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), openai_client(srv) as client:
        for _ in client.responses.create(model="gpt-5.5", input="hi", stream=True):
            pass
        with client.responses.stream(model="gpt-5.5", input="hi") as stream:
            stream.get_final_response()
    assert (tracker.count, tracker.total) == (2, 2 * expected)
    assert {r.cost.service_tier for r in tracker.records() if r.cost} == {"flex"}


def test_anthropic_streams(srv: FixtureServer) -> None:
    """messages.create(stream=True), messages.stream() and the async helper: each once, with
    the TTL split that only message_start carries and the output of the last message_delta."""
    srv.serve(load("anthropic_stream_thinking_cache_1h"))
    tracker = llmcost.Tracker()
    kw: dict[str, Any] = {"model": "claude-opus-4-8", "max_tokens": 9, "messages": HI}

    async def main() -> None:
        async with async_anthropic_client(srv) as client, client.messages.stream(**kw) as s:
            await s.get_final_message()

    with llmcost.capture(tracker):
        with anthropic_client(srv) as client:
            for _ in client.messages.create(stream=True, **kw):
                pass
            with client.messages.stream(**kw) as stream:
                final = stream.get_final_message()
        asyncio.run(main())
    assert final.usage.output_tokens == 1_480
    assert (tracker.count, tracker.total) == (3, 3 * opus_stream_cost())


def test_anthropic_stream_usage_from_both_events(srv: FixtureServer) -> None:
    """Input grows in message_delta (web search results) and the search is billed per use;
    an old-style delta with only output_tokens keeps message_start's input."""
    srv.serve(load("anthropic_stream_real_web_search"))
    p = rates("claude-sonnet-4-6")
    search = usd((1, p.tool_per_kcall["web_search"])) * 1_000_000 / 1_000
    expected = usd((13_520, p.input_per_mtok), (415, p.output_per_mtok)) + search
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), anthropic_client(srv) as client:
        for _ in client.messages.create(
            model="claude-sonnet-4-6", max_tokens=9, messages=HI, stream=True
        ):
            pass
        srv.serve(load("anthropic_stream_delta_output_only"))
        for _ in client.messages.create(
            model="claude-haiku-4-5", max_tokens=9, messages=HI, stream=True
        ):
            pass
    h = rates("claude-haiku-4-5")
    assert [r.cost.total for r in tracker.records() if r.cost] == [
        expected,
        usd((11, h.input_per_mtok), (6, h.output_per_mtok)),
    ]


@pytest.mark.filterwarnings(AIOHTTP_SUBCLASS)
def test_genai_streams(srv: FixtureServer) -> None:
    """generate_content_stream, sync and async: cumulative chunks, the last one counts."""
    srv.serve(load("gemini_stream_real_cumulative"))
    tracker = llmcost.Tracker()
    client = genai_client(srv)

    async def main() -> None:
        stream = await client.aio.models.generate_content_stream(
            model="gemini-3.5-flash", contents="hi"
        )
        async for _ in stream:
            pass
        await client.aio.aclose()

    with llmcost.capture(tracker):
        for _ in client.models.generate_content_stream(model="gemini-3.5-flash", contents="hi"):
            pass
        asyncio.run(main())
    client.close()
    assert (tracker.count, tracker.total) == (2, 2 * gemini_stream_cost())


def test_stream_stopped_early_is_recorded_partial(srv: FixtureServer) -> None:
    """A caller that stops after the first event and closes: the usage seen so far (Anthropic's
    message_start) is priced and the record is marked partial."""
    srv.serve(load("anthropic_stream_thinking_cache_1h"))
    srv.split_events, srv.chunk_delay = True, 0.05
    p = rates("claude-opus-4-8")
    seen = usd(
        (310, p.input_per_mtok),
        (42_000, p.cache_read_per_mtok),
        (6_000, p.cache_write_1h_per_mtok),
        (2, p.output_per_mtok),  # message_start's provisional output count
    )
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), anthropic_client(srv) as client:
        stream = client.messages.create(
            model="claude-opus-4-8", max_tokens=9, messages=HI, stream=True
        )
        for _ in stream:
            break
        stream.close()
        assert tracker.count == 1  # recorded at close, not only when the block ends
    (rec,) = tracker.records()
    assert rec.tags[PARTIAL] is True
    assert rec.cost is not None and rec.cost.total == seen


def test_chat_stream_stopped_before_usage_is_unpriced(srv: FixtureServer) -> None:
    """A Chat Completions stream closed before its usage chunk has no usage: unpriced, partial."""
    srv.serve(load("openai_chat_stream_include_usage"))
    srv.split_events, srv.chunk_delay = True, 0.05
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), openai_client(srv) as client:
        stream = client.chat.completions.create(
            model="gpt-5.5", messages=HI, stream=True, stream_options=INCLUDE_USAGE
        )
        next(iter(stream))
        stream.close()
    assert (tracker.count, tracker.unpriced, tracker.total) == (0, 1, 0)
    (rec,) = tracker.records()
    assert rec.cost is None and rec.tags[PARTIAL] is True
    assert rec.request_model == "gpt-5.5-2026-04-23"


def test_stream_without_usage_is_unpriced(srv: FixtureServer) -> None:
    """A whole Chat Completions stream without include_usage reports no usage: unpriced, and
    the log says how to fix it."""
    fx = load("openai_chat_stream_include_usage")
    events = fx["sse"].split("\n\n")
    fx["sse"] = "\n\n".join(e for e in events if '"usage":{' not in e)
    srv.serve(fx)
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), openai_client(srv) as client:
        list(client.chat.completions.create(model="gpt-5.5", messages=HI, stream=True))
    assert (tracker.count, tracker.unpriced) == (0, 1)
    (rec,) = tracker.records()
    assert "include_usage" in json.dumps(rec.fields())
    assert PARTIAL not in rec.tags  # read to its end: unpriced, but not partial


def test_stream_that_fails_is_recorded_and_the_error_reaches_the_caller(
    srv: FixtureServer,
) -> None:
    """The server hangs up mid-stream: the SDK's own error reaches the caller, and the call
    is recorded (partial) with what was seen."""
    import httpx
    import httpx2

    fx = load("anthropic_stream_thinking_cache_1h")
    srv.serve(fx)
    srv.cut_after = len(fx["sse"].encode()) // 2  # message_start is in the first half
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), anthropic_client(srv) as client:
        stream = client.messages.create(
            model="claude-opus-4-8", max_tokens=9, messages=HI, stream=True
        )
        with pytest.raises((httpx.RemoteProtocolError, httpx2.RemoteProtocolError)):
            for _ in stream:
                pass
    (rec,) = tracker.records()
    assert rec.tags[PARTIAL] is True
    assert rec.usage.input_tokens == 48_310


def test_stream_dropped_unread_is_recorded(srv: FixtureServer) -> None:
    """A stream the caller drops without reading or closing is recorded (partial) when it is
    collected, or at the latest when the capture block ends."""
    srv.serve(load("openai_chat_stream_include_usage"))
    srv.split_events, srv.chunk_delay = True, 0.05
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), openai_client(srv) as client:
        stream = client.chat.completions.create(
            model="gpt-5.5", messages=HI, stream=True, stream_options=INCLUDE_USAGE
        )
        del stream
        gc.collect()
    assert tracker.unpriced == 1
    assert tracker.records()[0].tags[PARTIAL] is True


def test_instrumented_stream_is_recorded_when_collected(srv: FixtureServer) -> None:
    """Under instrument() (no block to end), a dropped stream is recorded once it is collected."""
    srv.serve(load("openai_chat_stream_include_usage"))
    tracker = llmcost.Tracker()
    llmcost.instrument(tracker)
    with openai_client(srv) as client:
        stream = client.chat.completions.create(
            model="gpt-5.5", messages=HI, stream=True, stream_options=INCLUDE_USAGE
        )
        next(iter(stream))
        del stream
        gc.collect()
    for _ in range(500):  # the collector hands it to capture's worker thread
        if tracker.records():
            break
        time.sleep(0.01)
    llmcost.uninstrument()
    assert len(tracker.records()) == 1


def test_a_failing_stream_reader_never_reaches_the_caller(
    srv: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in llmcost's stream reading leaves the caller's chunks intact; the call is
    recorded unpriced and the failure logged once."""
    from llmcost import _capture_httpx

    def broken(data: bytes) -> bool:
        raise RuntimeError("sse bug")

    monkeypatch.setattr(_capture, "_LOGGED", set())
    monkeypatch.setattr(_capture_httpx, "_has_usage", broken)
    srv.serve(load("openai_chat_stream_include_usage"))
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), openai_client(srv) as client:
        chunks = list(
            client.chat.completions.create(
                model="gpt-5.5", messages=HI, stream=True, stream_options=INCLUDE_USAGE
            )
        )
    assert chunks[-1].usage.completion_tokens == 75
    assert ("reading a stream", "RuntimeError") in _capture._LOGGED
    assert (tracker.count, tracker.unpriced) == (0, 1)


def test_stream_open_when_an_inner_block_ends(srv: FixtureServer) -> None:
    """An inner block that ends while its stream is open records it partial; the outer block
    still gets the whole stream when it is read to its end."""
    srv.serve(load("anthropic_stream_thinking_cache_1h"))
    srv.split_events, srv.chunk_delay = True, 0.02
    outer, inner = llmcost.Tracker(), llmcost.Tracker()
    with llmcost.capture(outer), anthropic_client(srv) as client:
        with llmcost.capture(inner):
            stream = client.messages.create(
                model="claude-opus-4-8", max_tokens=9, messages=HI, stream=True
            )
            next(iter(stream))
        assert inner.records()[0].tags[PARTIAL] is True
        for _ in stream:
            pass
    (rec,) = outer.records()
    assert PARTIAL not in rec.tags
    assert rec.cost is not None and rec.cost.total == opus_stream_cost()
    assert len(inner.records()) == 1


def test_groq_usage_sent_three_times_counts_once(srv: FixtureServer) -> None:
    """Groq (the openai client on its base URL): priced at Groq's own rates, and a stream that
    repeats its usage in three places is counted once."""
    p = rates("groq/gpt-oss-120b")
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker):
        import openai

        with openai.OpenAI(base_url=srv.url + "/openai/v1", api_key="t", max_retries=0) as c:
            srv.serve(load("groq_chat_gpt_oss_cached_reasoning"))
            c.chat.completions.create(model="openai/gpt-oss-120b", messages=HI)
            srv.serve(load("groq_chat_stream_real_usage_twice"))
            for _ in c.chat.completions.create(
                model="openai/gpt-oss-120b", messages=HI, stream=True
            ):
                pass
    assert [r.cost.total for r in tracker.records() if r.cost] == [
        usd((3_250 - 3_072, p.input_per_mtok), (3_072, p.cache_read_per_mtok),
            (96, p.output_per_mtok)),
        usd((20, p.input_per_mtok), (4, p.output_per_mtok)),
    ]  # fmt: skip
    assert {r.model for r in tracker.records()} == {"groq/gpt-oss-120b"}
