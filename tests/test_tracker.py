"""Tracker, cost records, structured logs and JSON-lines cost logs."""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import llmcost
from llmcost import CostLogHandler, CostRecord, Tracker, Usage

from .strategies import usages
from .strategies_records import tag_dicts

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
    tag_dicts,
)
def test_records_round_trip_exactly(
    items: list[tuple[str, Usage]], tags: dict[str, object]
) -> None:
    """Any records with any legal tags survive JSON lines exactly, one line each."""
    t = Tracker()
    for model, u in items:
        t.record(model, u, **tags)
    buf = io.StringIO()
    assert llmcost.write_cost_log(t.records(), buf) == len(items)
    assert len(buf.getvalue().splitlines()) == len(items)
    assert buf.getvalue().isascii()
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
    with pytest.raises(llmcost.InvalidTypeError, match="max_records"):
        Tracker(max_records=1.5)  # type: ignore[arg-type]


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


# --- record(): responses, model=, the request context, reserved names (issues 13, 16) ---


def test_record_response_model_override_is_not_a_tag() -> None:
    """record(response, model=...) prices under that model and keeps model out of the tags."""
    t = Tracker()
    response = {"model": "my-azure-deployment", "usage": RESPONSE["usage"]}
    c = t.record(response, model="gpt-4o-mini", feature="search")
    rate = llmcost.get_price("gpt-4o-mini")
    expected = (1_200 * rate.input_per_mtok + 300 * rate.output_per_mtok) / 1_000_000
    assert c is not None
    assert (c.model, c.total) == ("gpt-4o-mini", expected)
    rec = t.records()[0]
    assert dict(rec.tags) == {"feature": "search"}
    assert rec.request_model == "gpt-4o-mini"


def test_record_model_name_with_request_context() -> None:
    """A model name and a Usage are priced by cost()'s rule with the same context keywords."""
    t = Tracker()
    u = Usage(input_tokens=10_000, output_tokens=2_000)
    price = llmcost.get_price("gpt-5")
    (flex,) = [v for v in price.variants if v.service_tier == "flex"]
    assert flex.multiplier is not None
    standard = (10_000 * price.input_per_mtok + 2_000 * price.output_per_mtok) / 1_000_000
    c = t.record("gpt-5", u, service_tier="flex")
    assert c is not None
    assert (c.service_tier, c.total) == ("flex", standard * flex.multiplier)
    b = t.record("gpt-5", u, batch=True)
    assert b is not None and b.batch
    assert b.total == llmcost.cost("gpt-5", u, batch=True).total
    rec = t.records()[0]
    assert rec.fields()["llmcost.service_tier"] == "flex"
    assert dict(rec.tags) == {}


def test_record_response_with_request_context() -> None:
    """A response recorded with batch=True or service_tier= is priced in that context."""
    t = Tracker()
    u = Usage(input_tokens=1_200, output_tokens=300)
    c = t.record(RESPONSE, batch=True)
    assert c is not None and c.total == llmcost.cost("gpt-4o", u, batch=True).total
    p = t.record(RESPONSE, service_tier="priority")
    assert p is not None and p.total == llmcost.cost("gpt-4o", u, service_tier="priority").total
    assert p.total != c.total


def test_record_at_prices_the_past() -> None:
    """at= prices a recorded request at the rates in force then, like cost(at=)."""

    when = datetime(2025, 3, 1, tzinfo=timezone.utc)
    t = Tracker()
    u = Usage(input_tokens=1_000, output_tokens=10)
    c = t.record("gpt-4o", u, at=when)
    assert c == llmcost.cost("gpt-4o", u, at=when)


@pytest.mark.parametrize("name", sorted(llmcost._tracker.RESERVED - {"usage"}))
def test_reserved_tag_names_are_a_clear_error(name: str) -> None:
    """A reserved name passed as a tag through **tags is an LLMCostError naming it."""
    t = Tracker()
    tags: dict[str, object] = {name: "x"}
    if name in {"model", "service_tier", "speed", "inference_geo", "batch", "at"}:
        # These are record()'s own keywords: Python binds them, so they never become tags;
        # llmcost.tags() refuses them when the block opens.
        with pytest.raises(llmcost.InvalidTypeError, match=repr(name)), llmcost.tags(**tags):
            t.record("gpt-4o", Usage(input_tokens=1))
    else:
        with pytest.raises(llmcost.InvalidTypeError, match=repr(name)):
            t.record("gpt-4o", Usage(input_tokens=1), **tags)
    assert (t.count, t.records()) == (0, ())


def test_usage_keyword_and_usage_tag() -> None:
    """usage= a Usage is the usage; usage= anything else, or a second usage, is a clear error."""
    t = Tracker()
    u = Usage(input_tokens=1_000)
    assert t.record("gpt-4o", usage=u) == llmcost.cost("gpt-4o", u)
    with pytest.raises(llmcost.InvalidTypeError, match="'usage' cannot be a tag"):
        t.record("gpt-4o", u, usage="x")
    with pytest.raises(llmcost.InvalidTypeError, match="two usages"):
        t.record("gpt-4o", u, usage=u)
    with pytest.raises(llmcost.InvalidTypeError, match="'usage' cannot be a tag"):
        t.record("gpt-4o", u, usage=5)
    assert t.count == 1


def test_context_tags_merge_under_explicit_tags() -> None:
    """llmcost.tags() blocks nest; explicit tags win over them."""
    t = Tracker()
    u = Usage(input_tokens=1)
    with llmcost.tags(feature="search", team="a"), llmcost.tags(team="b"):
        t.record("gpt-4o", u, user="u1")
        t.record("gpt-4o", u, team="c")
    t.record("gpt-4o", u)
    assert [dict(r.tags) for r in t.records()] == [
        {"feature": "search", "team": "b", "user": "u1"},
        {"feature": "search", "team": "c"},
        {},
    ]


def test_record_unpriced_counts_whatever_the_policy() -> None:
    """record_unpriced keeps the request, counts it apart from the totals, and logs the reason."""
    t = Tracker()  # unpriced="raise": record_unpriced still records
    with llmcost.tags(feature="search"):
        assert t.record_unpriced("my-model", Usage(input_tokens=5), "unknown model", n=1) is None
    t.record_unpriced("other", None, None)
    assert (t.unpriced, t.count, t.total) == (2, 0, 0)
    first, second = t.records()
    assert first.cost is None and first.unpriced_reason == "unknown model"
    assert dict(first.tags) == {"feature": "search", "n": 1}
    assert first.fields()["llmcost.unpriced_reason"] == "unknown model"
    assert second.usage == Usage() and "llmcost.unpriced_reason" not in second.fields()
    assert CostRecord.from_json(first.to_json()) == first
    with pytest.raises(llmcost.InvalidTypeError):
        t.record_unpriced(5, None, None)  # type: ignore[arg-type]
    long = t.record_unpriced("x" * 5_000, None, "y" * 5_000)
    assert long is None
    rec = t.records()[-1]
    assert len(rec.request_model) <= 1_000 and "more characters" in rec.request_model


# --- tag values: exact JSON round trip or a clear refusal (issue 16 #11) ---


@pytest.mark.parametrize(
    "value",
    [D("1.5"), (1, 2), {1, 2}, frozenset(), b"x", bytearray(b"x"), {1: "x"}, object()],
    ids=repr,
)
def test_tags_that_would_not_read_back_are_refused(value: object) -> None:
    """A tag value the JSON log cannot give back unchanged is refused before anything is kept."""
    t = Tracker()
    with pytest.raises(llmcost.InvalidTypeError, match="tag 'x'"):
        t.record("gpt-4o", Usage(input_tokens=1), x=value)
    with pytest.raises(llmcost.InvalidTypeError):
        t.record_unpriced("m", None, None, x=value)
    assert (t.count, t.unpriced, t.total, t.records()) == (0, 0, 0, ())


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), 10**100, "x" * 20_000, [[[[[[[[[1]]]]]]]]]], ids=str
)
def test_tags_out_of_bounds_are_refused(value: object) -> None:
    """NaN, infinite floats, 101-digit ints, huge text and deep nesting are InvalidInputError."""
    with pytest.raises(llmcost.InvalidInputError, match="tag 'x'"):
        Tracker().record("gpt-4o", Usage(input_tokens=1), x=value)


def test_tag_subclasses_are_stored_as_their_value() -> None:
    """Enum members and other subclasses are kept as the plain value the log reads back."""
    import enum

    class Team(str, enum.Enum):
        SEARCH = "search"

    class Level(enum.IntEnum):
        HIGH = 3

    t = Tracker()
    t.record("gpt-4o", Usage(input_tokens=1), team=Team.SEARCH, level=Level.HIGH, ok=True)
    tags = t.records()[0].tags
    assert [type(v) for v in tags.values()] == [str, int, bool]
    assert dict(tags) == {"team": "search", "level": 3, "ok": True}
    assert t.by_tag("team")["search"].total == t.total


# --- constructor checks (issue 16 #9) ---


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_records": 1.5},
        {"max_records": True},
        {"logger": 5},
        {"logger": "llm.cost"},
        {"registry": {}},
        {"level": "INFO"},
        {"unpriced": "skip"},
    ],
    ids=str,
)
def test_tracker_arguments_checked_up_front(kwargs: dict[str, object]) -> None:
    """Bad Tracker arguments are InvalidTypeError at construction, before any record."""
    with pytest.raises(llmcost.InvalidTypeError):
        Tracker(**kwargs)  # type: ignore[arg-type]


def test_logger_adapter_and_custom_make_record(caplog: pytest.LogCaptureFixture) -> None:
    """A LoggerAdapter's extra and a Logger subclass's makeRecord are honoured."""

    class Stamping(logging.Logger):
        def makeRecord(self, *args: object, **kwargs: object) -> logging.LogRecord:
            rec = super().makeRecord(*args, **kwargs)  # type: ignore[arg-type]
            rec.stamped = True
            return rec

    logging.setLoggerClass(Stamping)
    try:
        custom = logging.getLogger("test.llm.cost.stamping")
    finally:
        logging.setLoggerClass(logging.Logger)
    adapter = logging.LoggerAdapter(logging.getLogger("test.llm.cost.adapter"), {"app": "x"})
    with caplog.at_level(logging.INFO):
        Tracker(logger=custom).record("gpt-4o", Usage(input_tokens=1_000))
        Tracker(logger=adapter).record("gpt-4o", Usage(input_tokens=1_000))
    stamped, adapted = caplog.records
    assert stamped.__dict__["stamped"] is True
    assert adapted.__dict__["app"] == "x"
    for rec in (stamped, adapted):
        assert rec.__dict__["gen_ai.response.model"] == "gpt-4o"
        assert rec.getMessage() == "gpt-4o 1,000 in / 0 out $0.002500"


def test_sums_across_batches_of_pending_costs() -> None:
    """Past the fold size, with mixed tiers and tool calls, the sums equal the costs added up."""
    from llmcost._totals import FOLD_AT

    t = Tracker(max_records=10)
    costs = []
    for i in range(2 * FOLD_AT + 37):
        u = Usage(
            input_tokens=1_000 + i,
            output_tokens=i % 50,
            tool_calls={"web_search": 1} if i % 7 == 0 else {},
        )
        c = t.record("gpt-5", u, batch=i % 3 == 0, team=f"t{i % 4}")
        assert c is not None
        costs.append((f"t{i % 4}", c))
        if i == FOLD_AT // 2:
            assert t.by_model()["gpt-5"] == sum(c for _, c in costs[1:]) + costs[0][1]
    whole = t.by_model()["gpt-5"]
    assert whole.total == sum(c.total for _, c in costs) == t.total
    assert whole.usage == sum(c.usage for _, c in costs)
    assert whole.usage.tool_calls == {"web_search": len(range(0, 2 * FOLD_AT + 37, 7))}
    assert (whole.service_tier, whole.speed) == ("mixed", "standard")
    for team, summed in t.by_tag("team").items():
        mine = [c for g, c in costs if g == team]
        assert summed.total == sum(c.total for c in mine)
        assert summed.usage == sum(c.usage for c in mine)
