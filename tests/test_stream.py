"""StreamUsage: any provider's stream counted once, what an unfinished stream reports, and
what it refuses. (Each provider's recorded streams are priced in tests/test_read_*.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcost import (
    InvalidTypeError,
    InvalidUsageError,
    StreamUsage,
    Usage,
    get_price,
)
from tests.responses_helpers import body, per_mtok, typed


def feed(events: list[Any], **kwargs: Any) -> StreamUsage:
    """A StreamUsage fed *events*."""
    acc = StreamUsage(**kwargs)
    for e in events:
        acc.add(e)
    return acc


def test_empty_stream() -> None:
    """Before any usage: usage None, incomplete, and cost() says why."""
    acc = StreamUsage()
    assert (acc.usage, acc.model, acc.complete) == (None, None, False)
    with pytest.raises(InvalidUsageError, match="no usage"):
        acc.cost()


def test_chat_stream_without_include_usage() -> None:
    """A Chat stream whose usage chunk never came is incomplete and names the option."""
    events = body("openai/chat_stream_include_usage")["events"][:-1]
    acc = feed(events)
    assert acc.model == "gpt-5-2025-08-07" and not acc.complete and acc.usage is None
    with pytest.raises(InvalidUsageError, match="include_usage"):
        acc.cost()


def test_responses_stream_cut_before_completed() -> None:
    """A Responses stream without its terminal event has no usage yet."""
    events = typed("openai/responses_stream_flex")[:-1]
    acc = feed(events)
    assert acc.usage is None and not acc.complete and acc.model == "gpt-5-2025-08-07"


def test_responses_failed_event_counts() -> None:
    """response.failed carries the usage billed before the failure: it completes the stream."""
    event = body("openai/responses_completed_event")["events"][0]
    event["type"] = "response.failed"
    acc = feed([event])
    assert acc.complete
    assert acc.usage == Usage(input_tokens=2_210, output_tokens=412, cache_read_tokens=1_920,
                              reasoning_tokens=256)  # fmt: skip


def test_model_override() -> None:
    """model= wins over the model the stream reports, in .model and in .cost()."""
    acc = feed(typed("openai/chat_stream_include_usage"), model="gpt-5-mini")
    assert acc.model == "gpt-5-mini"
    p = get_price("gpt-5-mini")
    assert acc.cost().total == per_mtok(19, p.input_per_mtok) + per_mtok(75, p.output_per_mtok)


def test_mixed_streams_refused() -> None:
    """Events of two providers in one accumulator are refused."""
    acc = feed(typed("openai/chat_stream_include_usage"))
    with pytest.raises(InvalidUsageError, match="one StreamUsage per stream"):
        acc.add(typed("gemini/stream_real_cumulative")[0])


def test_second_message_start_refused() -> None:
    """Two message_start events are two requests: refused."""
    events = typed("anthropic/stream_delta_output_only")
    acc = feed(events)
    with pytest.raises(InvalidUsageError, match="second message_start"):
        acc.add(events[0])


@pytest.mark.parametrize("bad", [None, "data: [DONE]", 3, [1]])
def test_non_events_refused(bad: object) -> None:
    """Something that is not an event (a raw SSE line, None) is a type error."""
    with pytest.raises(InvalidTypeError):
        StreamUsage().add(bad)


def test_events_without_usage_are_ignored() -> None:
    """Objects with nothing to count change nothing."""
    acc = StreamUsage()
    acc.add({"type": "error", "error": {"message": "overloaded"}})
    acc.add({"id": "x"})
    assert acc.usage is None and acc._kind is None


def test_repr() -> None:
    """The repr shows the model, the usage and whether the stream completed."""
    acc = feed(body("openai/chat_stream_include_usage")["events"])
    assert repr(acc).startswith("StreamUsage('gpt-5-2025-08-07', Usage(input_tokens=19,")
    assert repr(acc).endswith("complete)")


def test_model_argument_checked() -> None:
    """model= must be a non-empty string."""
    with pytest.raises(InvalidTypeError):
        StreamUsage(model="")


@given(
    st.lists(
        st.tuples(st.integers(1, 10_000), st.integers(0, 5_000), st.integers(0, 5_000)),
        min_size=1,
        max_size=8,
    )
)
def test_gemini_running_totals_last_wins(chunks: list[tuple[int, int, int]]) -> None:
    """However many chunks repeat running totals, the last one is the usage, counted once."""
    events = [{"modelVersion": "gemini-3.5-flash",
               "usageMetadata": {"promptTokenCount": p, "candidatesTokenCount": c,
                                 "thoughtsTokenCount": t, "totalTokenCount": p + c + t}}
              for p, c, t in chunks]  # fmt: skip
    events[-1]["candidates"] = [{"finishReason": "STOP"}]
    acc = feed(events)
    p, c, t = chunks[-1]
    assert acc.complete
    assert acc.usage == Usage(input_tokens=p, output_tokens=c + t, reasoning_tokens=t)


@given(
    st.integers(1, 100_000),
    st.integers(0, 100_000),
    st.integers(1, 5),
    st.lists(st.integers(1, 20_000), min_size=1, max_size=4),
    st.booleans(),
)
def test_anthropic_deltas_are_cumulative(
    uncached: int, read: int, provisional: int, outputs: list[int], repeat_input: bool
) -> None:
    """message_delta usage replaces message_start's field by field: never added."""
    start = {"type": "message_start", "message": {"type": "message", "model": "claude-sonnet-4-6",
             "usage": {"input_tokens": uncached, "cache_read_input_tokens": read,
                       "output_tokens": provisional}}}  # fmt: skip
    acc = StreamUsage()
    acc.add(start)
    running = 0
    for n in outputs:
        running += n
        usage: dict[str, int] = {"output_tokens": running}
        if repeat_input:
            usage |= {"input_tokens": uncached, "cache_read_input_tokens": read}
        acc.add({"type": "message_delta", "delta": {}, "usage": usage})
    assert acc.usage == Usage(input_tokens=uncached + read, cache_read_tokens=read,
                              output_tokens=running)  # fmt: skip
