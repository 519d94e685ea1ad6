"""Tracker, cost records, structured logs and JSON-lines cost logs."""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import llmcost
from llmcost import CostLogHandler, CostRecord, Tracker, Usage

from .strategies import usages

D = Decimal
RESPONSE = {
    "model": "gpt-4o-2024-08-06",
    "usage": {"prompt_tokens": 1_200, "completion_tokens": 300},
}


def test_record_response_and_tags() -> None:
    """A response is priced and summed by model and by tag."""
    t = Tracker()
    c = t.record(RESPONSE, feature="search")
    assert c is not None
    assert c.total == D("0.006")
    t.record("gpt-4o-mini", Usage(input_tokens=1_000_000), feature="chat")
    assert t.count == 2
    assert t.total == D("0.006") + D("0.15")
    assert set(t.by_model()) == {"gpt-4o", "gpt-4o-mini"}
    assert t.by_tag("feature")["search"].total == D("0.006")
    assert t.by_tag("nope") == {}
    rec = t.records()[0]
    assert rec.request_model == "gpt-4o-2024-08-06"
    assert rec.model == "gpt-4o"
    assert dict(rec.tags) == {"feature": "search"}
    t.reset()
    assert (t.count, t.total, t.records()) == (0, 0, ())


def test_unknown_model_raises_unless_policy() -> None:
    """An unknown model raises; with unpriced='record' it is counted apart from the total."""
    with pytest.raises(llmcost.UnknownModelError):
        Tracker().record("mystery-model", Usage(input_tokens=1))
    t = Tracker(unpriced="record")
    assert t.record("mystery-model", Usage(input_tokens=1)) is None
    t.record("gpt-4o", Usage(input_tokens=1_000))
    assert (t.unpriced, t.count, t.total) == (1, 1, D("0.0025"))
    assert t.records()[0].cost is None


def test_log_record_fields(caplog: pytest.LogCaptureFixture) -> None:
    """One log record per request: readable message, OpenTelemetry GenAI fields in extra."""
    log = logging.getLogger("test.llm.cost")
    t = Tracker(logger=log)
    with caplog.at_level(logging.INFO, logger="test.llm.cost"):
        t.record(RESPONSE, feature="search")
    (rec,) = caplog.records
    assert rec.getMessage() == "gpt-4o-2024-08-06 1,200 in / 300 out $0.006000"
    fields = rec.__dict__
    assert fields["gen_ai.request.model"] == "gpt-4o-2024-08-06"
    assert fields["gen_ai.response.model"] == "gpt-4o"
    assert fields["gen_ai.provider.name"] == "openai"
    assert fields["gen_ai.usage.input_tokens"] == 1_200
    assert fields["gen_ai.usage.output_tokens"] == 300
    assert fields["gen_ai.usage.cost.amount"] == "0.006"
    assert fields["gen_ai.usage.cost.currency"] == "USD"
    assert fields["gen_ai.usage.cost.source"] == "local"


def test_jsonl_handler_round_trip(tmp_path: Path) -> None:
    """CostLogHandler writes JSON lines that read back as equal records."""
    path = tmp_path / "costs.jsonl"
    log = logging.getLogger("test.llm.jsonl")
    log.setLevel(logging.INFO)
    handler = CostLogHandler(path)
    log.addHandler(handler)
    try:
        t = Tracker(logger=log)
        t.record(RESPONSE, feature="search", user=7)
        t.record(
            "claude-sonnet-4-6",
            Usage(input_tokens=300_000, output_tokens=10, cache_write_1h_tokens=1_000),
        )
    finally:
        log.removeHandler(handler)
    back = list(llmcost.read_cost_log(path))
    assert back == list(t.records())
    assert sum(r.cost.total for r in back if r.cost) == t.total


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["claude-sonnet-4-6", "claude-haiku-4-5"]), usages(max_input=500_000)
        ),
        max_size=10,
    ),
    st.dictionaries(st.text(max_size=5), st.one_of(st.text(), st.integers()), max_size=3),
)
def test_records_round_trip_exactly(
    items: list[tuple[str, Usage]], tags: dict[str, object]
) -> None:
    """Any records survive JSON lines exactly (Decimal included)."""
    t = Tracker()
    for model, u in items:
        t.record(model, u, **tags)
    buf = io.StringIO()
    assert llmcost.write_cost_log(t.records(), buf) == len(items)
    buf.seek(0)
    assert list(llmcost.read_cost_log(buf)) == list(t.records())


def test_read_cost_log_names_bad_line() -> None:
    """A malformed line raises InvalidUsageError with its line number."""
    rec = Tracker()
    rec.record("gpt-4o", Usage(input_tokens=1))
    good = rec.records()[0].to_json()
    with pytest.raises(llmcost.InvalidUsageError, match="line 2"):
        list(llmcost.read_cost_log(io.StringIO(good + "\n{oops\n")))
    with pytest.raises(llmcost.InvalidUsageError):
        CostRecord.from_json('{"time": "x"}')


def test_tracker_threads_lose_nothing() -> None:
    """16 threads recording at once: the total equals the exact sum of every cost."""
    t = Tracker()
    u = Usage(input_tokens=1_234, output_tokens=567, cache_read_tokens=1_000)
    one = llmcost.cost("claude-sonnet-4-6", u).total

    def work() -> None:
        for _ in range(1_000):
            t.record("claude-sonnet-4-6", u, worker="w")

    threads = [threading.Thread(target=work) for _ in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert t.count == 16_000
    assert t.total == one * 16_000
    assert t.by_tag("worker")["w"].total == t.total
    assert len(t.records()) == 16_000


def test_tracker_asyncio_tasks() -> None:
    """Many concurrent asyncio tasks recording through one tracker lose nothing."""
    t = Tracker()

    async def call(i: int) -> None:
        await asyncio.sleep(0)
        t.record("gpt-4o-mini", Usage(input_tokens=i, output_tokens=1), task=i % 3)

    async def main() -> None:
        await asyncio.gather(*(call(i) for i in range(2_000)))

    asyncio.run(main())
    expected = sum(
        llmcost.cost("gpt-4o-mini", input_tokens=i, output_tokens=1).total for i in range(2_000)
    )
    assert (t.count, t.total) == (2_000, expected)
    assert sum(c.total for c in t.by_tag("task").values()) == expected


def test_max_records_bounds_memory_not_totals() -> None:
    """With max_records, records() keeps the newest few while the totals cover every request."""
    t = Tracker(max_records=3)
    for i in range(10):
        t.record("gpt-4o", Usage(input_tokens=1_000 + i))
    assert [r.usage.input_tokens for r in t.records()] == [1_007, 1_008, 1_009]
    assert t.count == 10
    assert t.total == sum(llmcost.cost("gpt-4o", input_tokens=1_000 + i).total for i in range(10))
    with pytest.raises(TypeError):
        Tracker(max_records=-1)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["gpt-4o", "gpt-4o-mini", "claude-haiku-4-5"]),
            usages(max_input=300_000, cache=False),
            st.sampled_from(["a", "b"]),
        ),
        max_size=30,
    )
)
def test_totals_equal_the_recorded_costs(items: list[tuple[str, Usage, str]]) -> None:
    """In any order, total, by_model and by_tag equal the sums of the costs recorded."""
    t = Tracker()
    costs = [(model, tag, t.record(model, u, team=tag)) for model, u, tag in items]
    assert t.total == sum((c.total for _, _, c in costs if c), D(0))
    assert t.count == len(items)
    for model, summed in t.by_model().items():
        mine = [c for m, _, c in costs if m == model and c]
        assert summed == sum(mine[1:], mine[0])
    for tag, summed in t.by_tag("team").items():
        mine = [c for _, g, c in costs if g == tag and c]
        assert summed.total == sum(c.total for c in mine)
        assert summed.usage == sum(c.usage for c in mine)
        assert {m: x.total for m, x in summed.by_model().items()} == {
            m: sum(c.total for c in mine if c.model == m) for m in {c.model for c in mine}
        }
