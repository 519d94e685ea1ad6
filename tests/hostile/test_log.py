"""Cost logs under attack: bad money, wrong types and inconsistent lines are refused on read."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import llmcost
from llmcost import Budget, Cost, CostRecord, Tracker, Usage

D = Decimal


def good_fields() -> dict[str, Any]:
    """The fields of a real priced record with cache reads and 5-minute writes."""
    t = Tracker()
    t.record(
        "claude-sonnet-4-6",
        Usage(input_tokens=10_000, output_tokens=500, cache_read_tokens=4_000,
              cache_write_5m_tokens=1_000),
        feature="search",
    )  # fmt: skip
    return t.records()[0].fields()


def line(**changes: object) -> str:
    """A good line with some fields changed (a value of ... removes the field)."""
    d = good_fields()
    for key, value in changes.items():
        key = key.replace("__", ".")
        if value is ...:
            del d[key]
        else:
            d[key] = value
    return json.dumps(d)


def test_the_good_line_reads() -> None:
    """The unchanged line reads back as the record it came from."""
    rec = CostRecord.from_json(line())
    assert rec.cost is not None
    assert rec.cost.total == rec.cost.input + rec.cost.cache_read + rec.cost.cache_write + (
        rec.cost.output
    )


AMOUNT = "gen_ai__usage__cost__amount"
BAD_LINES: list[tuple[str, dict[str, object]]] = [
    ("NaN amount", {AMOUNT: "NaN"}),
    ("sNaN amount", {AMOUNT: "sNaN"}),
    ("negative amount", {AMOUNT: "-5"}),
    ("negative zero", {AMOUNT: "-0"}),
    ("infinite amount", {AMOUNT: "Infinity"}),
    ("huge exponent", {AMOUNT: "1E+1000000"}),
    ("tiny exponent", {AMOUNT: "1E-100"}),
    ("too many digits", {AMOUNT: "1" * 61}),
    ("a JSON number", {AMOUNT: 0.5}),
    ("an amount with spaces", {AMOUNT: " 1 "}),
    ("an amount with underscores", {AMOUNT: "1_0"}),
    ("total is not the sum", {AMOUNT: "1000"}),
    ("a line is negative", {"llmcost__cost__output": "-1"}),
    ("a line is NaN", {"llmcost__cost__input": "NaN"}),
    ("no amount", {AMOUNT: ...}),
    ("batch as a string", {"llmcost__batch": "false"}),
    ("input_exact as a string", {"llmcost__input_exact": "true"}),
    ("input_exact as 1", {"llmcost__input_exact": 1}),
    ("unpriced as a string", {"llmcost__unpriced": "false"}),
    ("batch contradicts the tier", {"llmcost__batch": True}),
    ("count as a string", {"gen_ai__usage__input_tokens": "10000"}),
    ("count as a float", {"gen_ai__usage__output_tokens": 500.0}),
    ("count as a bool", {"gen_ai__usage__reasoning__output_tokens": True}),
    ("negative count", {"gen_ai__usage__output_tokens": -1}),
    ("count over the bound", {"gen_ai__usage__output_tokens": 10**16}),
    ("missing count", {"gen_ai__usage__input_tokens": ...}),
    ("cache over input", {"gen_ai__usage__cache_read__input_tokens": 10**6}),
    ("writes disagree with their parts", {"gen_ai__usage__cache_creation__input_tokens": 7}),
    ("currency", {"gen_ai__usage__cost__currency": "EUR"}),
    ("model not a string", {"gen_ai__response__model": 5}),
    ("model null", {"gen_ai__request__model": None}),
    ("time not ISO", {"time": "yesterday"}),
    ("time not a string", {"time": 0}),
    ("tags not an object", {"tags": ["a"]}),
    ("tool calls not an object", {"llmcost__usage__tool_calls": [1]}),
    ("unpriced with an amount", {"llmcost__unpriced": True}),
    ("priced with a reason", {"llmcost__unpriced_reason": "x"}),
]


@pytest.mark.parametrize(("why", "changes"), BAD_LINES, ids=[w for w, _ in BAD_LINES])
def test_bad_lines_are_refused(why: str, changes: dict[str, object]) -> None:
    """Every bad field is an InvalidUsageError naming the line, never a record."""
    text = line(**changes)
    with pytest.raises(llmcost.InvalidUsageError):
        CostRecord.from_json(text)
    with pytest.raises(llmcost.InvalidUsageError, match="line 2"):
        list(llmcost.read_cost_log(io.StringIO(line() + "\n" + text + "\n")))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        "5",
        '"x"',
        "{oops",
        '{"a": NaN}',
        '{"a": Infinity}',
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' + "1" * 5_000 + "}",
        "x" * (llmcost._record.MAX_LINE + 1),
    ],
    ids=lambda t: t[:12],
)
def test_non_records_are_refused(text: str) -> None:
    """Junk, non-standard JSON constants, deep nesting, huge integers: InvalidUsageError."""
    with pytest.raises(llmcost.InvalidUsageError):
        CostRecord.from_json(text)


def test_long_line_is_read_no_further_than_the_bound(tmp_path: Path) -> None:
    """A log whose line never ends is refused after 1 MiB, naming the line."""
    path = tmp_path / "costs.jsonl"
    path.write_text(line() + "\n" + "{" + " " * (3 << 20) + "\n")
    reader = llmcost.read_cost_log(path)
    next(reader)
    with pytest.raises(llmcost.InvalidUsageError, match="line 2: longer than"):
        next(reader)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are an InvalidUsageError naming the line."""
    path = tmp_path / "costs.jsonl"
    path.write_bytes(line().encode() + b"\n\xff\xfe\n")
    with pytest.raises(llmcost.InvalidUsageError, match="line 2: not UTF-8"):
        list(llmcost.read_cost_log(path))


def test_llmcost_0_1_lines_still_read() -> None:
    """0.1 lines: 1-hour writes have their own field; the rest of cache_creation is 5-minute."""
    v01 = {
        "time": "2026-01-02T03:04:05+00:00",
        "gen_ai.request.model": "claude-sonnet-4-5",
        "gen_ai.response.model": "claude-sonnet-4-5",
        "gen_ai.provider.name": "anthropic",
        "gen_ai.usage.input_tokens": 10_000,
        "gen_ai.usage.output_tokens": 100,
        "gen_ai.usage.cache_read.input_tokens": 2_000,
        "gen_ai.usage.cache_creation.input_tokens": 3_000,
        "gen_ai.usage.reasoning.output_tokens": 0,
        "llmcost.usage.cache_creation_1h.input_tokens": 1_000,
        "gen_ai.usage.cost.amount": "0.04",
        "gen_ai.usage.cost.currency": "USD",
        "gen_ai.usage.cost.source": "local",
        "llmcost.cost.input": "0.015",
        "llmcost.cost.output": "0.0015",
        "llmcost.cost.cache_read": "0.0006",
        "llmcost.cost.cache_write": "0.0229",
        "llmcost.batch": False,
        "llmcost.input_exact": True,
        "tags": {"feature": "search"},
    }
    rec = CostRecord.from_json(json.dumps(v01, ensure_ascii=False))
    assert rec.usage.cache_write_1h_tokens == 1_000
    assert rec.usage.cache_write_5m_tokens == 2_000
    assert rec.cost is not None and rec.cost.total == D("0.04")
    assert (rec.cost.service_tier, rec.cost.batch) == ("standard", False)
    batch = CostRecord.from_json(json.dumps({**v01, "llmcost.batch": True}))
    assert batch.cost is not None and batch.cost.service_tier == "batch"
    with pytest.raises(llmcost.InvalidUsageError, match="cache_creation_1h"):
        CostRecord.from_json(
            json.dumps({**v01, "llmcost.usage.cache_creation_1h.input_tokens": 3_001})
        )
    # 0.1 wrote non-ASCII raw; U+2028 inside a string is one line to a file reader.
    raw = json.dumps({**v01, "tags": {"f": "a\u2028b"}}, ensure_ascii=False)
    assert [r.tags["f"] for r in llmcost.read_cost_log(io.StringIO(raw + "\n"))] == ["a\u2028b"]


@pytest.mark.parametrize("total", ["-5", "NaN", "sNaN", "Infinity", "1E+1000000"])
def test_budget_charge_of_a_bad_cost_never_refunds(total: str) -> None:
    """A Cost whose total is negative, NaN or unbounded is refused: the budget does not change."""
    budget = Budget(usd="1")
    budget.charge("0.5")
    bad = Cost(model="x", provider="y", total=D(total))
    with pytest.raises(llmcost.InvalidUsageError):
        budget.charge(bad)
    with pytest.raises(llmcost.InvalidUsageError):
        llmcost.assert_within_budget([bad], usd="1")
    assert (budget.spent, budget.remaining) == (D("0.5"), D("0.5"))


@given(st.binary(max_size=300))
def test_any_bytes_are_a_record_or_invalid_usage(data: bytes) -> None:
    """Random bytes never escape as anything but InvalidUsageError."""
    try:
        rec = CostRecord.from_json(data)
    except llmcost.InvalidUsageError:
        return
    assert CostRecord.from_json(rec.to_json()) == rec


@given(st.dictionaries(st.sampled_from(sorted(good_fields())), st.from_type(object), max_size=4))
def test_mutated_lines_are_records_or_invalid_usage(changes: dict[str, object]) -> None:
    """A good line with fields replaced by anything JSON can hold reads back or is refused."""
    d = good_fields()
    for key, value in changes.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue
        d[key] = value
    try:
        rec = CostRecord.from_json(json.dumps(d))
    except llmcost.InvalidUsageError:
        return
    assert rec.cost is None or rec.cost.total >= 0
    assert CostRecord.from_json(rec.to_json()) == rec
