"""What `llmcost.capture` adds to an LLM call: the same SDK call with and without it.

The SDK clients talk to an in-process ``MockTransport`` serving the capture tests' fixtures
(no socket, so the call itself is as cheap as the SDK makes it and the hook's share shows).
Short rounds alternate plain and captured runs, timed in CPU time of this thread (other
processes on a busy machine do not count), and the medians are compared. Two captured
columns: into a sink that records nothing (the hook alone: routing, reading the body or
the stream) and into a `llmcost.Tracker` without a log handler (the hook plus the readers'
pricing and the tracker's record). Target: at most 20 us added per call. Streams are
measured per stream.

    python benchmarks/capture_overhead.py [calls_per_round] [rounds]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import llmcost

DATA = Path(__file__).parent.parent / "tests" / "data" / "capture"
TARGET_US = 20.0
HI = [{"role": "user", "content": "hi"}]


def fixture(name: str) -> dict[str, Any]:
    """A capture-test fixture."""
    data: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return data


def transport(httpx: Any, name: str, deltas: int = 0) -> Any:
    """A MockTransport that answers every request with the fixture (streams unread); with
    *deltas*, a stream's first text delta is repeated that many times (a long answer)."""
    fx = fixture(name)
    if fx.get("sse") is not None:
        events = [e + "\n\n" for e in fx["sse"].split("\n\n") if e]
        if deltas:
            k = next(i for i, e in enumerate(events) if '"text_delta"' in e)
            events[k:k] = [events[k]] * deltas

        class Events(httpx.SyncByteStream):  # type: ignore[misc]
            def __iter__(self) -> Iterator[bytes]:
                for e in events:
                    yield e.encode()

        def sse(request: Any) -> Any:
            headers = {"content-type": "text/event-stream"}
            return httpx.Response(200, headers=headers, stream=Events())

        return httpx.MockTransport(sse)
    body = json.dumps(fx["body"]).encode()

    def reply(request: Any) -> Any:
        return httpx.Response(200, headers={"content-type": "application/json"}, content=body)

    return httpx.MockTransport(reply)


def calls() -> dict[str, Callable[[], object]]:
    """The calls measured, by name."""
    import anthropic
    import httpx2
    import openai

    def oa(name: str) -> Any:
        http = httpx2.Client(transport=transport(httpx2, name))
        return openai.OpenAI(base_url="http://llm.test/v1", api_key="x", http_client=http)

    def an(name: str, deltas: int = 0) -> Any:
        http = httpx2.Client(transport=transport(httpx2, name, deltas))
        return anthropic.Anthropic(base_url="http://llm.test", api_key="x", http_client=http)

    chat, resp = oa("openai_chat_real_gpt5_reasoning"), oa("openai_responses_cached_reasoning")
    chat_stream = oa("openai_chat_stream_include_usage")
    msg, msg_stream = (
        an("anthropic_message_cache_write_5m_1h"),
        an("anthropic_stream_thinking_cache_1h"),
    )
    long_stream = an("anthropic_stream_thinking_cache_1h", deltas=300)
    opts = {"include_usage": True}
    kw: dict[str, Any] = {"model": "claude-opus-4-8", "max_tokens": 9, "messages": HI}
    return {
        "openai chat": lambda: chat.chat.completions.create(model="gpt-5.5", messages=HI),
        "openai responses": lambda: resp.responses.create(model="gpt-5.5", input="hi"),
        "anthropic messages": lambda: msg.messages.create(**kw),
        "openai chat stream": lambda: list(
            chat_stream.chat.completions.create(
                model="gpt-5.5", messages=HI, stream=True, stream_options=opts
            )
        ),
        "anthropic stream": lambda: list(msg_stream.messages.create(stream=True, **kw)),
        "anthropic 300 deltas": lambda: list(long_stream.messages.create(stream=True, **kw)),
    }


class NullSink:
    """A capture target that records nothing: what remains is the hook's own work."""

    count = 0

    def record(self, *args: object, **kwargs: object) -> None:
        """Count and drop."""
        self.count += 1

    def record_unpriced(self, *args: object, **kwargs: object) -> None:
        """Drop."""


def per_call(call: Callable[[], object], n: int) -> float:
    """CPU microseconds of this thread per call, over *n* calls."""
    t0 = time.thread_time()
    for _ in range(n):
        call()
    return (time.thread_time() - t0) / n * 1e6


def main() -> None:
    """Alternate plain and captured rounds of each call; print medians and the differences."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 41
    print(f"{'call':<20} {'plain us':>9} {'+hook us':>9} {'+tracker us':>12} {'ratio':>6}")
    worst = 0.0
    for name, call in calls().items():
        null, tracker = NullSink(), llmcost.Tracker()
        for sink in (None, null, tracker):  # warm up: imports, caches, the price data
            for _ in range(50):
                if sink is None:
                    call()
                else:
                    with llmcost.capture(sink):  # type: ignore[arg-type]
                        call()
        plain, hooked, priced = [], [], []
        for _ in range(rounds):
            plain.append(per_call(call, n))
            with llmcost.capture(null):  # type: ignore[arg-type]
                hooked.append(per_call(call, n))
            with llmcost.capture(tracker):
                priced.append(per_call(call, n))
        p, h, c = (statistics.median(x) for x in (plain, hooked, priced))
        worst = max(worst, c - p)
        assert tracker.unpriced == 0, tracker
        assert tracker.count == 50 + rounds * n, tracker
        assert null.count == 50 + rounds * n
        print(f"{name:<20} {p:>9.1f} {h - p:>9.1f} {c - p:>12.1f} {c / p:>6.3f}")
    verdict = "meets" if worst <= TARGET_US else "MISSES"
    print(f"largest addition {worst:.1f} us per call: {verdict} the {TARGET_US:.0f} us target")


if __name__ == "__main__":
    main()
