"""The stream reader of capture: server-sent events found in any chunking of the bytes."""

from __future__ import annotations

import gzip
import zlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmcost import _capture_httpx
from llmcost._capture import Request
from llmcost._capture_httpx import Observer

from .capture_server import load
from .strategies_capture import chunked

STREAMS = [
    "openai_chat_stream_include_usage",
    "openai_responses_stream_flex",
    "anthropic_stream_thinking_cache_1h",
    "anthropic_stream_delta_output_only",
    "gemini_stream_real_cumulative",
]


class Collect:
    """Stands in for the usage accumulator: keeps the events it is given."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    def add(self, event: Any) -> None:
        self.events.append(event)


def carries_usage(event: Any) -> bool:
    """Does *event* hold a usage object anywhere (``usage`` or ``usageMetadata``)?"""
    if isinstance(event, dict):
        return any(
            (k in ("usage", "usageMetadata") and isinstance(v, dict)) or carries_usage(v)
            for k, v in event.items()
        )
    if isinstance(event, list):
        return any(carries_usage(v) for v in event)
    return False


def expected_events(name: str) -> list[Any]:
    """The fixture's own event list: the first one (it names the model), then those with usage."""
    events: list[Any] = load(name)["body"]["events"]
    return events[:1] + [e for e in events[1:] if carries_usage(e)]


def read(chunks: list[bytes], monkeypatch: pytest.MonkeyPatch, encoding: str | None = None) -> Any:
    """Feed *chunks* to an Observer; return the events it handed on."""
    sink = Collect()
    monkeypatch.setattr(_capture_httpx, "new_accumulator", lambda: sink)
    obs = Observer((), Request(lambda: None, None, ()), True, encoding, None)
    for chunk in chunks:
        obs.feed(chunk)
    obs.feed(b"\n\n")
    assert not obs.broken
    return sink.events


@pytest.mark.parametrize("name", STREAMS)
def test_events_with_usage_are_found(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read whole, each stream yields its first event and every event carrying usage."""
    data = load(name)["sse"].encode()
    assert read([data], monkeypatch) == expected_events(name)


@given(st.sampled_from(STREAMS), st.data())
def test_any_chunking_reads_the_same(name: str, data: st.DataObject) -> None:
    """However the bytes are cut into chunks, the same events are found."""
    raw = load(name)["sse"].encode()
    chunks = data.draw(chunked(raw))
    with pytest.MonkeyPatch.context() as mp:
        assert read(chunks, mp) == expected_events(name)


@pytest.mark.parametrize("name", STREAMS)
def test_one_event_per_chunk_reads_the_same(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks cut at event ends (as servers send them, the shortcut's case), alone or in
    pairs, yield the same events as the whole body."""
    raw = load(name)["sse"].encode()
    events = [e + b"\n\n" for e in raw.split(b"\n\n") if e]
    assert read(events, monkeypatch) == expected_events(name)
    pairs = [b"".join(events[i : i + 2]) for i in range(0, len(events), 2)]
    assert read(pairs, monkeypatch) == expected_events(name)


def test_done_marker_in_its_own_chunk_is_seen() -> None:
    """OpenAI's ``data: [DONE]`` arriving as a whole chunk still marks the stream ended."""
    obs = Observer((), Request(lambda: None, None, ()), True, None, None)
    obs.feed(b'data: {"id":"x","model":"gpt-5.5","choices":[]}\n\n')
    obs.feed(b'data: {"id":"x","choices":[{"delta":{"content":"hi"}}]}\n\n')
    assert not obs._done
    obs.feed(b"data: [DONE]\n\n")
    assert obs._done


def test_gzip_bodies_are_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A gzip-encoded stream (raw bytes as they come off the socket) is decoded first."""
    name = "anthropic_stream_thinking_cache_1h"
    packed = gzip.compress(load(name)["sse"].encode())
    chunks = [packed[i : i + 100] for i in range(0, len(packed), 100)]
    assert read(chunks, monkeypatch, "gzip") == expected_events(name)
    deflated = zlib.compress(load(name)["sse"].encode())
    assert read([deflated], monkeypatch, "deflate") == expected_events(name)


def test_unknown_encoding_is_refused() -> None:
    """A content-encoding llmcost cannot decode is noted, never misread."""
    obs = Observer((), Request(lambda: None, None, ()), True, "br", None)
    obs.feed(b"\x8b\x00")
    assert "br" in obs.broken


def test_has_usage() -> None:
    """Only a usage *object* counts: null usage and the word in text do not."""
    has = _capture_httpx._has_usage
    assert has(b'{"usage":{"prompt_tokens":1}}')
    assert has(b'{"usageMetadata": {"promptTokenCount": 1}}')
    assert not has(b'{"usage":null,"x":1}')
    assert not has(b'{"type":"content_block_delta","delta":{"text":"usage"}}')
