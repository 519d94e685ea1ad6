"""Tracker, cost records, structured logs and JSON-lines cost logs."""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import attrs
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
    from datetime import datetime, timezone

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
        # These are record()'s own keywords: Python binds them, so they never become tags.
        with llmcost.tags(**tags), pytest.raises(llmcost.InvalidTypeError, match=repr(name)):
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


# --- the log: injection, lost lines, exact text (issue 16 #6, #10) ---


def test_model_name_cannot_forge_a_plain_text_log_line() -> None:
    """A model name with a newline or an ANSI escape stays on one escaped line of a text log."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("test.llm.cost.text")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        t = Tracker(logger=log, unpriced="record")
        t.record("gpt-4o\n2025-01-01 INFO fake line\x1b[2J\u2028", Usage(input_tokens=1))
    finally:
        log.removeHandler(handler)
    text = out.getvalue()
    assert text.count("\n") == 1 and len(text.splitlines()) == 1
    assert "\x1b" not in text and "\\n2025-01-01 INFO fake line\\x1b[2J\\u2028" in text
    assert t.unpriced == 1


def test_every_counted_record_has_its_line(tmp_path: Path) -> None:
    """Lone surrogates and line separators in tags or names still produce one exact line each."""
    path = tmp_path / "costs.jsonl"
    log = logging.getLogger("test.llm.cost.hostile")
    log.setLevel(logging.INFO)
    log.propagate = False
    handler = CostLogHandler(path)
    log.addHandler(handler)
    hostile = ["\ud800", "a\u2028b", "c\u2029d", "e\x85f", "\x00", "\udc80\ud800", "😀", "\n"]
    try:
        t = Tracker(logger=log, unpriced="record")
        for text in hostile:
            t.record("gpt-4o", Usage(input_tokens=10), feature=text, **{text: 1})
            t.record(f"gpt-4o{text}", Usage(input_tokens=10), feature=text)
    finally:
        log.removeHandler(handler)
        handler.close()
    data = path.read_bytes()
    assert data.isascii()
    lines = data.decode("ascii").splitlines()
    assert len(lines) == 2 * len(hostile) == t.count + t.unpriced
    back = list(llmcost.read_cost_log(path))
    assert back == list(t.records())
    assert [r.tags["feature"] for r in back[::2]] == hostile


def test_surrogate_pair_given_as_two_code_points_is_one_character() -> None:
    """A high then a low surrogate are stored as the character JSON reads back."""
    t = Tracker()
    t.record("gpt-4o", Usage(input_tokens=1), face="\ud83d\ude00")
    rec = t.records()[0]
    assert rec.tags["face"] == "😀"
    assert CostRecord.from_json(rec.to_json()) == rec


def test_to_json_is_the_json_of_fields() -> None:
    """The hand-built line is exactly json.dumps of fields(), for every shape of record."""
    import json

    t = Tracker(unpriced="record")
    t.record("gpt-4o", Usage(input_tokens=10, output_tokens=1), feature="search")
    t.record(
        "claude-opus-4-6",
        Usage(
            input_tokens=300_000,
            output_tokens=100,
            cache_read_tokens=1_000,
            cache_write_1h_tokens=2_000,
            requests=2,
            tool_calls={"web_search": 3},
        ),
        inference_geo="us",
    )
    t.record("nope-model", Usage(input_tokens=1))
    t.record_unpriced("m", None, "no usage", x=[1, {"y": None}])
    for rec in t.records():
        expected = json.dumps(rec.fields(), ensure_ascii=True, separators=(",", ":"))
        assert rec.to_json() == expected


def test_handler_threads_write_whole_lines(tmp_path: Path) -> None:
    """16 threads logging through one CostLogHandler: one whole line per record, none lost."""
    path = tmp_path / "costs.jsonl"
    log = logging.getLogger("test.llm.cost.threads")
    log.setLevel(logging.INFO)
    log.propagate = False
    handler = CostLogHandler(path)
    log.addHandler(handler)
    t = Tracker(logger=log, max_records=None)
    u = Usage(input_tokens=1_234, output_tokens=56)

    def work(n: int) -> None:
        for i in range(200):
            t.record("gpt-4o", u, worker=n, i=i, pad="x" * (n * 300))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        log.removeHandler(handler)
        handler.close()
    back = list(llmcost.read_cost_log(path))
    assert len(back) == 3_200
    assert sorted((r.tags["worker"], r.tags["i"]) for r in back) == [
        (n, i) for n in range(16) for i in range(200)
    ]
    assert sum(r.cost.total for r in back if r.cost) == t.total


def test_handler_reopens_after_close(tmp_path: Path) -> None:
    """After close(), the next record opens the path again (log rotation)."""
    path = tmp_path / "costs.jsonl"
    handler = CostLogHandler(path)
    log = logging.getLogger("test.llm.cost.rotate")
    log.setLevel(logging.INFO)
    log.propagate = False
    log.addHandler(handler)
    try:
        t = Tracker(logger=log)
        t.record("gpt-4o", Usage(input_tokens=1))
        path.rename(tmp_path / "costs.1.jsonl")
        handler.close()
        t.record("gpt-4o", Usage(input_tokens=2))
    finally:
        log.removeHandler(handler)
        handler.close()
    assert [r.usage.input_tokens for r in llmcost.read_cost_log(path)] == [2]
    assert [r.usage.input_tokens for r in llmcost.read_cost_log(tmp_path / "costs.1.jsonl")] == [1]


def test_handler_ignores_other_log_records(tmp_path: Path) -> None:
    """Records that do not come from a Tracker write nothing."""
    path = tmp_path / "costs.jsonl"
    handler = CostLogHandler(path)
    try:
        handler.handle(logging.makeLogRecord({"msg": "hello"}))
    finally:
        handler.close()
    assert path.read_bytes() == b""


# --- paths (issue 16 #9) ---


def test_log_paths_that_cannot_be_opened(tmp_path: Path) -> None:
    """Missing files and directories: FileAccessError (an OSError); odd paths: InvalidInputError."""
    missing = tmp_path / "missing.jsonl"
    for bad in (missing, tmp_path):
        with pytest.raises(llmcost.FileAccessError) as info:
            llmcost.read_cost_log(bad)
        assert isinstance(info.value, OSError) and info.value.errno is not None
    with pytest.raises(llmcost.FileAccessError, match="cannot write"):
        llmcost.write_cost_log([], tmp_path)
    with pytest.raises(llmcost.FileAccessError):
        llmcost.write_cost_log([], tmp_path / "no-such-dir" / "x.jsonl")
    with pytest.raises(llmcost.FileAccessError):
        CostLogHandler(tmp_path / "no-such-dir" / "x.jsonl")
    for odd in ("costs\x00.jsonl", "costs\ud800.jsonl"):
        with pytest.raises(llmcost.InvalidInputError, match="cost log"):
            llmcost.read_cost_log(odd)
        with pytest.raises(llmcost.InvalidInputError):
            llmcost.write_cost_log([], odd)
        with pytest.raises(llmcost.InvalidInputError):
            CostLogHandler(odd)
    with pytest.raises(llmcost.InvalidTypeError):
        llmcost.write_cost_log([object()], io.StringIO())  # type: ignore[list-item]


def test_read_cost_log_closes_its_file(tmp_path: Path) -> None:
    """A log opened by path is closed when read to the end, on a bad line, or when dropped."""
    path = tmp_path / "costs.jsonl"
    t = Tracker()
    t.record("gpt-4o", Usage(input_tokens=1))
    llmcost.write_cost_log(t.records() * 3, path)
    reader = llmcost.read_cost_log(path)
    assert len(list(reader)) == 3
    with path.open("a") as f:
        f.write("{oops\n")
    with pytest.raises(llmcost.InvalidUsageError, match="line 4"):
        list(llmcost.read_cost_log(path))
    partial = llmcost.read_cost_log(path)
    next(partial)
    del partial  # filterwarnings=error: an unclosed file would fail the test


@pytest.mark.parametrize(
    "module",
    [
        "llmcost._record",
        "llmcost._record_read",
        "llmcost._record_values",
        "llmcost._totals",
        "llmcost._log",
        "llmcost._tracker",
        "llmcost._paths",
        "llmcost._budget",
        "llmcost._images",
        "llmcost._image_headers",
        "llmcost._image_parts",
        "llmcost._image_rules",
    ],
)
def test_doctests_of_the_tracker_and_image_modules(module: str) -> None:
    """The examples in these modules run and pass (public classes report module 'llmcost')."""
    import doctest
    import importlib
    import inspect

    mod = importlib.import_module(module)
    globs = {**vars(mod), "llmcost": llmcost}
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(mod, module, globs=globs)
    exported = vars(mod).get("__all__", ())
    for name, obj in vars(mod).items():
        functions = [obj] if inspect.isfunction(obj) else []
        if inspect.isclass(obj):
            functions = [f for f in vars(obj).values() if inspect.isfunction(f)]
        defined_here = any(f.__code__.co_filename == mod.__file__ for f in functions) or (
            inspect.isclass(obj) and obj.__module__ == "llmcost" and name in exported
        )
        if defined_here and obj.__module__ != module:  # renamed to 'llmcost' by __init__
            tests += finder.find(obj, name, module=False, globs=globs)
    for test in tests:
        runner.run(test)
    assert runner.failures == 0


@given(st.datetimes(timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=9))])))
def test_record_time_text_is_isoformat(when: datetime) -> None:
    """The time written in a log line is exactly datetime.isoformat(), for any instant."""
    t = Tracker()
    t.record("gpt-4o", Usage(input_tokens=1))
    rec = attrs.evolve(t.records()[0], time=when)
    assert rec.fields()["time"] == when.isoformat()
    assert CostRecord.from_json(rec.to_json()).time == when
