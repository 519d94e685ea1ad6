"""llmcost.capture: the real SDK clients against a local server, each call priced once, exactly."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
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
from .test_api import run_python


@pytest.fixture(scope="module")
def srv() -> Iterator[FixtureServer]:
    """One local server for the module; each test loads its fixture."""
    with FixtureServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _no_capture_left() -> Iterator[None]:
    """Every test leaves capture off and the HTTP clients unpatched."""
    yield
    llmcost.uninstrument()
    assert _capture.STATE.trackers == ()
    assert _capture.STATE.patches == []
    import httpx2
    from google.genai._api_client import BaseApiClient

    for cls, name in [(httpx.Client, "send"), (httpx2.AsyncClient, "send")] + [
        (BaseApiClient, n)
        for n in ("request", "async_request", "request_streamed", "async_request_streamed")
    ]:
        assert not hasattr(getattr(cls, name), "__wrapped__"), (cls, name)


def gpt_reasoning_cost() -> Decimal:
    """openai_chat_real_gpt5_reasoning: 19 in, 139 out (128 reasoning, inside the output)."""
    p = rates("gpt-5.5")
    return usd((19, p.input_per_mtok), (139, p.output_per_mtok))


def opus_cache_cost() -> Decimal:
    """anthropic_message_cache_write_5m_1h: 120 uncached, 2,000 5m + 8,000 1h writes, 600 out."""
    p = rates("claude-opus-4-8")
    return usd(
        (120, p.input_per_mtok),
        (2_000, p.cache_write_5m_per_mtok),
        (8_000, p.cache_write_1h_per_mtok),
        (600, p.output_per_mtok),
    )


def gemini_thoughts_cost() -> Decimal:
    """gemini_generate_content_real_thoughts: 11 in, 152 candidates + 653 thoughts out."""
    p = rates("gemini-3.5-flash")
    return usd((11, p.input_per_mtok), (152 + 653, p.output_per_mtok))


def chat(client: Any) -> Any:
    """One Chat Completions call."""
    return client.chat.completions.create(model="gpt-5.5", messages=HI)


def test_openai_chat_sync(srv: FixtureServer) -> None:
    """A Chat Completions call is recorded once at the rates of the model it reports."""
    srv.serve(load("openai_chat_real_gpt5_reasoning"))
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker) as t, openai_client(srv) as client:
        reply = chat(client)
    assert t is tracker
    assert reply.usage.completion_tokens == 139  # the caller's object is untouched
    assert (tracker.count, tracker.total) == (1, gpt_reasoning_cost())
    assert tracker.records()[0].request_model == "gpt-5.5-2026-04-23"


def test_openai_chat_async(srv: FixtureServer) -> None:
    """AsyncOpenAI calls are recorded the same way."""
    srv.serve(load("openai_chat_real_gpt5_reasoning"))
    tracker = llmcost.Tracker()

    async def main() -> None:
        async with async_openai_client(srv) as client:
            for _ in range(3):
                await client.chat.completions.create(model="gpt-5.5", messages=HI)

    with llmcost.capture(tracker):
        asyncio.run(main())
    assert (tracker.count, tracker.total) == (3, 3 * gpt_reasoning_cost())


def test_openai_responses(srv: FixtureServer) -> None:
    """A Responses API call: cached input at the cache-read rate, reasoning inside the output."""
    srv.serve(load("openai_responses_cached_reasoning"))
    p = rates("gpt-5.5")
    expected = usd(
        (18_340 - 15_872, p.input_per_mtok),
        (15_872, p.cache_read_per_mtok),
        (1_210, p.output_per_mtok),
    )
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), openai_client(srv) as client:
        client.responses.create(model="gpt-5.5", input="hi")
    assert (tracker.count, tracker.total) == (1, expected)


def test_openai_with_raw_response(srv: FixtureServer) -> None:
    """``with_raw_response`` goes through the same single send: priced once."""
    srv.serve(load("openai_chat_real_gpt5_reasoning"))
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), openai_client(srv) as client:
        raw = client.chat.completions.with_raw_response.create(model="gpt-5.5", messages=HI)
        assert raw.parse().usage.prompt_tokens == 19
    assert (tracker.count, tracker.total) == (1, gpt_reasoning_cost())


def test_anthropic_messages_sync_and_async(srv: FixtureServer) -> None:
    """messages.create, sync and async: cache writes at their TTL's rate, each call once."""
    srv.serve(load("anthropic_message_cache_write_5m_1h"))
    tracker = llmcost.Tracker()

    async def main() -> None:
        async with async_anthropic_client(srv) as client:
            await client.messages.create(model="claude-opus-4-8", max_tokens=9, messages=HI)

    with llmcost.capture(tracker):
        with anthropic_client(srv) as client:
            client.messages.create(model="claude-opus-4-8", max_tokens=9, messages=HI)
        asyncio.run(main())
    assert (tracker.count, tracker.total) == (2, 2 * opus_cache_cost())
    assert [r.model for r in tracker.records()] == ["claude-opus-4-8"] * 2


# google-genai subclasses aiohttp's ClientSession, which aiohttp warns about (not ours to fix).
AIOHTTP_SUBCLASS = "ignore:Inheritance class AiohttpClientSession:DeprecationWarning"


@pytest.mark.filterwarnings(AIOHTTP_SUBCLASS)
def test_genai_generate_content_sync_and_async(srv: FixtureServer) -> None:
    """google-genai generate_content, sync (httpx) and async (aiohttp): each call once."""
    srv.serve(load("gemini_generate_content_real_thoughts"))
    tracker = llmcost.Tracker()
    client = genai_client(srv)

    async def main() -> None:
        await client.aio.models.generate_content(model="gemini-3.5-flash", contents="hi")
        await client.aio.aclose()

    with llmcost.capture(tracker):
        reply = client.models.generate_content(model="gemini-3.5-flash", contents="hi")
        asyncio.run(main())
    client.close()
    assert reply.usage_metadata.thoughts_token_count == 653
    assert (tracker.count, tracker.total) == (2, 2 * gemini_thoughts_cost())


def test_retried_call_priced_once(srv: FixtureServer) -> None:
    """A 429 the SDK retries is not billed: two HTTP exchanges, one priced call."""
    srv.serve(load("openai_chat_real_gpt5_reasoning"))
    srv.statuses = [429]
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), openai_client(srv, max_retries=2) as client:
        client.with_options(timeout=5).chat.completions.create(model="gpt-5.5", messages=HI)
    assert len(srv.requests) == 2
    assert (tracker.count, tracker.total) == (1, gpt_reasoning_cost())


def test_other_requests_pass_through(srv: FixtureServer) -> None:
    """A request to another path (here a 404 from the server) is not recorded at all."""
    srv.serve(load("openai_chat_real_gpt5_reasoning"))
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), httpx.Client() as client:
        client.get(srv.url + "/v1/models")
        client.post(srv.url + "/v1/embeddings", json={"input": "x"})
    assert len(srv.requests) == 2
    assert (tracker.count, tracker.unpriced, tracker.records()) == (0, 0, ())


def test_nested_captures_each_see_their_calls(srv: FixtureServer) -> None:
    """An outer block sees every call; an inner block only those made while it is open."""
    srv.serve(load("openai_chat_real_gpt5_reasoning"))
    outer, inner = llmcost.Tracker(), llmcost.Tracker()
    with openai_client(srv) as client, llmcost.capture(outer):
        chat(client)
        with llmcost.capture(inner):
            chat(client)
            with llmcost.capture(inner):  # the same tracker twice still records once
                chat(client)
        chat(client)
    one = gpt_reasoning_cost()
    assert (outer.count, outer.total) == (4, 4 * one)
    assert (inner.count, inner.total) == (2, 2 * one)


def test_instrument_and_uninstrument(srv: FixtureServer) -> None:
    """instrument() records until uninstrument(), which restores the original send methods."""
    import httpx2

    originals = (httpx.Client.send, httpx.AsyncClient.send, httpx2.Client.send)
    srv.serve(load("openai_chat_real_gpt5_reasoning"))
    tracker = llmcost.Tracker()
    with openai_client(srv) as client:
        llmcost.instrument(tracker)
        llmcost.instrument(tracker)  # twice: still one record per call
        assert httpx.Client.send is not originals[0]
        chat(client)
        llmcost.uninstrument()
        chat(client)
    assert (httpx.Client.send, httpx.AsyncClient.send, httpx2.Client.send) == originals
    assert (tracker.count, tracker.total) == (1, gpt_reasoning_cost())


def test_calls_outside_capture_are_not_recorded(srv: FixtureServer) -> None:
    """Before and after the block nothing is patched and nothing is recorded."""
    srv.serve(load("openai_chat_real_gpt5_reasoning"))
    tracker = llmcost.Tracker()
    with openai_client(srv) as client:
        chat(client)
        with llmcost.capture(tracker):
            chat(client)
        chat(client)
    assert tracker.count == 1


def test_a_broken_sdk_does_not_break_capture(
    srv: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If hooking one SDK fails (a broken install), capture() still hooks the others."""
    from llmcost import _capture_genai

    def broken() -> list[Any]:
        raise ImportError("google.genai is broken here")

    monkeypatch.setattr(_capture, "_LOGGED", set())
    monkeypatch.setattr(_capture_genai, "install", broken)
    srv.serve(load("openai_chat_real_gpt5_reasoning"))
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), openai_client(srv) as client:
        chat(client)
    assert tracker.total == gpt_reasoning_cost()
    assert ("hooking llmcost._capture_genai", "ImportError") in _capture._LOGGED


def test_capture_refuses_a_non_tracker() -> None:
    """capture() of something without record() is a clear TypeError, raised at once."""
    with pytest.raises(llmcost.InvalidTypeError, match=r"needs an llmcost\.Tracker"):
        llmcost.capture("tracker")  # type: ignore[arg-type]


def test_per_call_tags(srv: FixtureServer) -> None:
    """llmcost.tags() around a call tags its record; calls outside the block are untagged."""
    srv.serve(load("openai_chat_real_gpt5_reasoning"))
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), openai_client(srv) as client:
        with llmcost.tags(feature="search"):
            chat(client)
        chat(client)
    assert [dict(r.tags) for r in tracker.records()] == [{"feature": "search"}, {}]
    assert tracker.by_tag("feature")["search"].total == gpt_reasoning_cost()


def test_tags_of_concurrent_tasks(srv: FixtureServer) -> None:
    """Each asyncio task keeps its own tags while the calls interleave."""
    srv.serve(load("openai_chat_real_gpt5_reasoning"))
    tracker = llmcost.Tracker()

    async def one(client: Any, n: int) -> None:
        with llmcost.tags(task=n % 3):
            await asyncio.sleep(0)
            await client.chat.completions.create(model="gpt-5.5", messages=HI)

    async def main() -> None:
        async with async_openai_client(srv) as client:
            await asyncio.gather(*(one(client, n) for n in range(12)))

    with llmcost.capture(tracker):
        asyncio.run(main())
    by_task = {k: v.total for k, v in tracker.by_tag("task").items()}
    assert by_task == {k: 4 * gpt_reasoning_cost() for k in (0, 1, 2)}


def test_a_failing_reader_never_reaches_the_caller(
    srv: FixtureServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An exception inside llmcost's reading is logged once; the SDK call returns as usual."""
    srv.serve(load("openai_chat_real_gpt5_reasoning"))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("reader bug")

    monkeypatch.setattr(_capture, "_LOGGED", set())
    tracker = llmcost.Tracker()
    monkeypatch.setattr(tracker, "record", broken)
    with (
        caplog.at_level(logging.WARNING, "llmcost.capture"),
        llmcost.capture(tracker),
        openai_client(srv) as client,
    ):
        replies = [chat(client) for _ in range(3)]
    assert [r.usage.total_tokens for r in replies] == [158] * 3
    logged = [r for r in caplog.records if "reader bug" in r.getMessage()]
    assert len(logged) == 1
    assert (tracker.count, tracker.unpriced) == (0, 3)  # recorded, unpriced, never $0


def test_a_failing_request_reader_never_reaches_the_caller(
    srv: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in the request routing is swallowed too: the request is sent unobserved."""
    from llmcost import _capture_httpx

    def broken(*args: object) -> None:
        raise RuntimeError("route bug")

    monkeypatch.setattr(_capture, "_LOGGED", set())
    monkeypatch.setattr(_capture_httpx, "route", broken)
    srv.serve(load("openai_chat_real_gpt5_reasoning"))
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), openai_client(srv) as client:
        assert chat(client).usage.total_tokens == 158
    assert tracker.count == 0
    assert ("reading a request", "RuntimeError") in _capture._LOGGED


def test_import_patches_and_imports_nothing() -> None:
    """`import llmcost` and `llmcost.capture(t)` import no SDK and no HTTP client; entering
    it imports the HTTP clients and google-genai's API client (hooked itself), no other SDK."""
    out = run_python(
        """
        import sys
        import llmcost
        t = llmcost.Tracker()
        c = llmcost.capture(t)
        print(sorted(m for m in ("httpx", "httpx2", "openai", "anthropic", "google.genai",
                                 "litellm") if m in sys.modules))
        with c:
            print(sorted(m for m in ("httpx", "openai", "anthropic", "google.genai",
                                     "litellm") if m in sys.modules))
        import httpx
        print(hasattr(httpx.Client.send, "__wrapped__"))
        """
    )
    assert out.splitlines() == ["[]", "['google.genai', 'httpx']", "False"]


def test_route() -> None:
    """Only the billed LLM endpoints are watched; assistants' thread messages are not."""
    from llmcost._capture_httpx import route

    assert route("POST", b"/openai/deployments/gpt/chat/completions?api-version=1") == (
        "openai",
        None,
    )
    assert route("POST", b"/v1/responses") == ("openai", None)
    assert route("POST", b"/v1/messages?beta=true") == ("anthropic", None)
    assert route("POST", b"/v1/threads/t_1/messages") is None
    assert route("POST", b"/v1/messages/count_tokens") is None
    assert route("POST", b"/v1/messages/batches") is None
    assert route("POST", b"/v1beta/models/gemini-3.5-flash%3AgenerateContent") == (
        "gemini",
        "gemini-3.5-flash",
    )
    path = b"/v1/projects/p/locations/us/publishers/google/models/gemini-3.5-flash:generateContent"
    assert route("POST", path) == ("gemini", "gemini-3.5-flash")
    assert route("POST", b"/v1beta/models/gemini-3.5-flash:countTokens") is None
    assert route("GET", b"/v1/chat/completions") is None


def test_reported_service_tier(srv: FixtureServer) -> None:
    """A response that says it was served on flex is priced at flex rates."""
    srv.serve(load("openai_chat_service_tier_flex"))
    p = rates("gpt-5.5")
    (flex,) = [v for v in p.variants if v.service_tier == "flex"]
    expected = usd(
        (5_400 - 4_096, p.input_per_mtok),
        (4_096, p.cache_read_per_mtok),
        (820, p.output_per_mtok),
        multiplier=flex.multiplier,
    )
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), openai_client(srv) as client:
        client.chat.completions.create(model="gpt-5.5", messages=HI, service_tier="flex")
    assert tracker.total == expected
    assert tracker.records()[0].cost.service_tier == "flex"  # type: ignore[union-attr]


def test_response_tier_wins_over_the_request(srv: FixtureServer) -> None:
    """Asked for flex, served (the response says) on default: priced at default rates."""
    srv.serve(load("openai_chat_real_gpt5_reasoning"))
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker), openai_client(srv) as client:
        client.chat.completions.create(model="gpt-5.5", messages=HI, service_tier="flex")
    assert srv.requests[0][2]["service_tier"] == "flex"  # type: ignore[index]
    assert tracker.total == gpt_reasoning_cost()


@pytest.mark.filterwarnings(AIOHTTP_SUBCLASS)
def test_request_tier_fills_in(srv: FixtureServer) -> None:
    """Gemini does not echo the tier: the request's service_tier (flex) decides, for plain and
    streamed calls, sync and async."""
    from google.genai import types

    p = rates("gemini-3.5-flash", "flex")
    plain = usd((11, p.input_per_mtok), (152 + 653, p.output_per_mtok))
    streamed = usd((11, p.input_per_mtok), (49 + 603, p.output_per_mtok))
    config = types.GenerateContentConfig(service_tier="flex")
    client = genai_client(srv)
    tracker = llmcost.Tracker()

    async def main() -> None:
        await client.aio.models.generate_content(
            model="gemini-3.5-flash", contents="hi", config=config
        )
        await client.aio.aclose()

    with llmcost.capture(tracker):
        srv.serve(load("gemini_generate_content_real_thoughts"))
        client.models.generate_content(model="gemini-3.5-flash", contents="hi", config=config)
        assert srv.requests[0][2]["serviceTier"] == "flex"  # type: ignore[index]
        asyncio.run(main())
        srv.serve(load("gemini_stream_real_cumulative"))
        for _ in client.models.generate_content_stream(
            model="gemini-3.5-flash", contents="hi", config=config
        ):
            pass
    client.close()
    assert [r.cost.total for r in tracker.records() if r.cost] == [plain, plain, streamed]
    assert {r.cost.service_tier for r in tracker.records() if r.cost} == {"flex"}


def test_missing_rate_is_unpriced_not_zero(srv: FixtureServer) -> None:
    """Cache reads on a tier whose price has no cache-read rate: recorded unpriced, saying
    which rate is missing (never priced at some other rate in silence)."""
    from google.genai import types

    assert rates("gemini-3.5-flash", "flex").cache_read_per_mtok is None
    srv.serve(load("gemini_generate_content_cached_flex"))  # 32,768 cached prompt tokens
    client = genai_client(srv)
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker):
        client.models.generate_content(
            model="gemini-3.5-flash",
            contents="hi",
            config=types.GenerateContentConfig(service_tier="flex"),
        )
    client.close()
    assert (tracker.count, tracker.unpriced) == (0, 1)
    (rec,) = tracker.records()
    assert rec.usage.cache_read_tokens == 32_768
    assert "MissingRateError" in str(rec.fields()["llmcost.unpriced_reason"])


def test_cache_writes_and_server_tools(srv: FixtureServer) -> None:
    """OpenAI cache writes (30-minute rate) and billed web searches (OpenAI's tool_usage,
    Anthropic's server_tool_use) are part of the captured cost."""
    p = rates("gpt-5.5")
    s = rates("claude-sonnet-4-6")
    per_search = p.tool_per_kcall["web_search"] / 1_000
    expected = [
        usd((40_210 - 38_912, p.input_per_mtok), (38_912, p.cache_write_30m_per_mtok),
            (950, p.output_per_mtok)),
        usd((5_320, p.input_per_mtok), (780, p.output_per_mtok)) + 3 * per_search,
        usd((13_520, s.input_per_mtok), (486, s.output_per_mtok))
        + s.tool_per_kcall["web_search"] / 1_000,
    ]  # fmt: skip
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker):
        with openai_client(srv) as client:
            srv.serve(load("openai_chat_cache_write"))
            chat(client)
            srv.serve(load("openai_responses_web_search_tool_usage"))
            client.responses.create(model="gpt-5.5", input="news", tools=[{"type": "web_search"}])
        with anthropic_client(srv) as client:
            srv.serve(load("anthropic_message_real_web_search"))
            client.messages.create(model="claude-sonnet-4-6", max_tokens=9, messages=HI)
    assert [r.cost.total for r in tracker.records() if r.cost] == expected
    assert [dict(r.usage.tool_calls) for r in tracker.records()] == [
        {},
        {"web_search": 3},
        {"web_search": 1},
    ]


def test_unknown_model_is_recorded_unpriced(srv: FixtureServer) -> None:
    """A model llmcost does not know is recorded unpriced with its usage (never $0), even
    for a tracker that raises on unknown models; the caller's call is unaffected."""
    fx = load("openai_chat_real_gpt5_reasoning")
    fx["body"]["model"] = "mystery-model-9"
    srv.serve(fx)
    tracker = llmcost.Tracker(unpriced="raise")
    with llmcost.capture(tracker), openai_client(srv) as client:
        assert chat(client).model == "mystery-model-9"
    assert (tracker.count, tracker.unpriced, tracker.total) == (0, 1, 0)
    (rec,) = tracker.records()
    assert rec.cost is None and rec.request_model == "mystery-model-9"
    assert (rec.usage.input_tokens, rec.usage.output_tokens) == (19, 139)
    assert "mystery-model-9" in rec.fields()["llmcost.unpriced_reason"]  # type: ignore[operator]
