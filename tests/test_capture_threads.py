"""Captured calls from 16 threads and 200 asyncio tasks: totals exactly the sum of the calls."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import llmcost

from .capture_helpers import (
    HI,
    anthropic_client,
    async_anthropic_client,
    async_openai_client,
    openai_client,
)
from .capture_server import FixtureServer, load
from .test_capture import gpt_reasoning_cost
from .test_capture_streams import opus_stream_cost

THREADS, PER_THREAD, TASKS = 16, 12, 200
STREAM: dict[str, Any] = {"model": "claude-opus-4-8", "max_tokens": 9, "messages": HI}


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[FixtureServer, FixtureServer]]:
    """A Chat Completions server and an Anthropic streaming server, side by side."""
    with FixtureServer() as chat, FixtureServer() as stream:
        chat.serve(load("openai_chat_real_gpt5_reasoning"))
        stream.serve(load("anthropic_stream_thinking_cache_1h"))
        yield chat, stream


def test_sixteen_threads(servers: tuple[FixtureServer, FixtureServer]) -> None:
    """16 threads, each alternating plain calls and streams under its own tags: nothing lost,
    nothing counted twice, each thread's tag sums exactly its calls."""
    chat_srv, stream_srv = servers
    tracker = llmcost.Tracker()
    start = threading.Barrier(THREADS)

    def work(n: int) -> None:
        with (
            llmcost.tags(thread=n),
            openai_client(chat_srv) as oa,
            anthropic_client(stream_srv) as an,
        ):
            start.wait()
            for i in range(PER_THREAD):
                if i % 2:
                    with an.messages.stream(**STREAM) as s:
                        s.get_final_message()
                else:
                    oa.chat.completions.create(model="gpt-5.5", messages=HI)

    with llmcost.capture(tracker):
        pool = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    half = PER_THREAD // 2
    one_thread = half * gpt_reasoning_cost() + half * opus_stream_cost()
    assert tracker.count == THREADS * PER_THREAD
    assert tracker.total == THREADS * one_thread
    by_thread = tracker.by_tag("thread")
    assert {n: c.total for n, c in by_thread.items()} == dict.fromkeys(range(THREADS), one_thread)


def test_two_hundred_tasks(servers: tuple[FixtureServer, FixtureServer]) -> None:
    """200 concurrent tasks on one event loop, plain and streaming, each with its own tag."""
    chat_srv, stream_srv = servers
    tracker = llmcost.Tracker()

    async def one(n: int, oa: Any, an: Any) -> None:
        with llmcost.tags(task=n):
            if n % 2:
                async with an.messages.stream(**STREAM) as s:
                    await s.get_final_message()
            else:
                await oa.chat.completions.create(model="gpt-5.5", messages=HI)

    async def main() -> None:
        async with async_openai_client(chat_srv) as oa, async_anthropic_client(stream_srv) as an:
            await asyncio.gather(*(one(n, oa, an) for n in range(TASKS)))

    with llmcost.capture(tracker):
        asyncio.run(main())
    half = TASKS // 2
    assert tracker.count == TASKS
    assert tracker.total == half * gpt_reasoning_cost() + half * opus_stream_cost()
    by_task = {n: c.total for n, c in tracker.by_tag("task").items()}
    assert by_task == {
        n: opus_stream_cost() if n % 2 else gpt_reasoning_cost() for n in range(TASKS)
    }
