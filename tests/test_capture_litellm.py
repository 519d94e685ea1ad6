"""litellm under capture: its calls go through the openai SDK or httpx, and are priced once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import llmcost

from .capture_helpers import HI, quiet_litellm, rates, usd
from .capture_server import FixtureServer, load
from .test_capture import gpt_reasoning_cost, opus_cache_cost

# litellm keeps clients and an event loop for the life of the process; their sockets are
# closed by the interpreter, not by us (ResourceWarning), and that is litellm's business.
pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Item .* is using the .ReadOnly. qualifier:UserWarning"),
]


@pytest.fixture(scope="module")
def srv() -> Iterator[FixtureServer]:
    """One local server for the module."""
    with FixtureServer() as server:
        yield server


@pytest.fixture(scope="module")
def litellm() -> Any:
    """litellm with its bundled price map."""
    return quiet_litellm()


def test_completion_openai_priced_once(srv: FixtureServer, litellm: Any) -> None:
    """litellm.completion of an OpenAI model calls the openai SDK inside: one record."""
    srv.serve(load("openai_chat_real_gpt5_reasoning"))
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker):
        reply = litellm.completion(
            model="openai/gpt-5.5", messages=HI, api_base=srv.url + "/v1", api_key="test"
        )
    assert reply.usage.completion_tokens == 139
    assert len(srv.requests) == 1
    assert (tracker.count, tracker.total) == (1, gpt_reasoning_cost())


def test_completion_anthropic_priced_once(srv: FixtureServer, litellm: Any) -> None:
    """litellm.completion of an Anthropic model (litellm's own httpx client): one record."""
    srv.serve(load("anthropic_message_cache_write_5m_1h"))
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker):
        litellm.completion(
            model="anthropic/claude-opus-4-8", messages=HI, api_base=srv.url, api_key="test"
        )
    assert (tracker.count, tracker.total) == (1, opus_cache_cost())


def test_acompletion_priced_once(srv: FixtureServer, litellm: Any) -> None:
    """litellm.acompletion, OpenAI and Anthropic: one record per call."""
    tracker = llmcost.Tracker()

    async def main() -> None:
        srv.serve(load("openai_chat_real_gpt5_reasoning"))
        await litellm.acompletion(
            model="openai/gpt-5.5", messages=HI, api_base=srv.url + "/v1", api_key="test"
        )
        srv.serve(load("anthropic_message_cache_write_5m_1h"))
        await litellm.acompletion(
            model="anthropic/claude-opus-4-8", messages=HI, api_base=srv.url, api_key="test"
        )

    with llmcost.capture(tracker):
        asyncio.run(main())
    assert (tracker.count, tracker.total) == (2, gpt_reasoning_cost() + opus_cache_cost())


def test_streaming_completion_priced_once(srv: FixtureServer, litellm: Any) -> None:
    """A litellm stream (OpenAI and Anthropic underneath) is priced once when it ends."""
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker):
        srv.serve(load("openai_chat_stream_include_usage"))
        for _ in litellm.completion(
            model="openai/gpt-5.5",
            messages=HI,
            api_base=srv.url + "/v1",
            api_key="test",
            stream=True,
            stream_options={"include_usage": True},
        ):
            pass
        srv.serve(load("anthropic_stream_thinking_cache_1h"))
        for _ in litellm.completion(
            model="anthropic/claude-opus-4-8",
            messages=HI,
            api_base=srv.url,
            api_key="test",
            stream=True,
        ):
            pass
    g, o = rates("gpt-5.5"), rates("claude-opus-4-8")
    expected: list[Decimal] = [
        usd((19, g.input_per_mtok), (75, g.output_per_mtok)),
        usd(
            (310, o.input_per_mtok),
            (42_000, o.cache_read_per_mtok),
            (6_000, o.cache_write_1h_per_mtok),
            (1_480, o.output_per_mtok),
        ),
    ]
    assert [r.cost.total for r in tracker.records() if r.cost] == expected
