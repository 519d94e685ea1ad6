"""A vcrpy cassette recorded against the local server and replayed gives the same totals."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import vcr

import llmcost

from .capture_helpers import HI, anthropic_client, async_openai_client, genai_client, openai_client
from .capture_server import FixtureServer, load
from .test_capture import AIOHTTP_SUBCLASS, gemini_thoughts_cost, gpt_reasoning_cost
from .test_capture_streams import gemini_stream_cost, opus_stream_cost


def calls(srv: FixtureServer) -> None:
    """One of each: OpenAI sync and async, an Anthropic stream, Gemini plain and streamed."""
    srv.serve(load("openai_chat_real_gpt5_reasoning"))
    with openai_client(srv) as client:
        client.chat.completions.create(model="gpt-5.5", messages=HI)

    async def main() -> None:
        async with async_openai_client(srv) as client:
            await client.chat.completions.create(model="gpt-5.5", messages=HI)

    asyncio.run(main())
    srv.serve(load("anthropic_stream_thinking_cache_1h"))
    kw: dict[str, Any] = {"model": "claude-opus-4-8", "max_tokens": 9, "messages": HI}
    with anthropic_client(srv) as client, client.messages.stream(**kw) as stream:
        stream.get_final_message()
    gemini = genai_client(srv)
    srv.serve(load("gemini_generate_content_real_thoughts"))
    gemini.models.generate_content(model="gemini-3.5-flash", contents="hi")
    srv.serve(load("gemini_stream_real_cumulative"))
    for _ in gemini.models.generate_content_stream(model="gemini-3.5-flash", contents="hi"):
        pass
    gemini.close()


@pytest.mark.filterwarnings(AIOHTTP_SUBCLASS)
def test_replayed_cassette_gives_the_same_totals(tmp_path: Path) -> None:
    """Recorded live, then replayed with the server gone: the same records and total."""
    cassette = str(tmp_path / "llm.yaml")
    live, replayed = llmcost.Tracker(), llmcost.Tracker()
    with FixtureServer() as srv:
        with vcr.use_cassette(cassette, record_mode="all"), llmcost.capture(live):
            calls(srv)
        sent = srv.count
        with vcr.use_cassette(cassette, record_mode="none"), llmcost.capture(replayed):
            calls(srv)
        assert srv.count == sent == 5  # nothing reached the server on replay
    expected = (
        2 * gpt_reasoning_cost()
        + opus_stream_cost()
        + gemini_thoughts_cost()
        + gemini_stream_cost()
    )
    assert (live.count, live.total) == (5, expected)
    assert (replayed.count, replayed.total) == (live.count, live.total)
    assert [r.cost for r in replayed.records()] == [r.cost for r in live.records()]
