"""`llmcost.cost_report`: totals of cost logs and records, exact, validated, in flat memory."""

from __future__ import annotations

import decimal
import gzip
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import llmcost
from llmcost import CostRecord, Tracker, Usage, _report, cost_report
from llmcost import _report_lines as lines_module

from .cli_helpers import D, record_some, run_json
from .strategies_report import mangled_lines, records


def _write(recs: list[CostRecord], path: Path) -> Path:
    llmcost.write_cost_log(recs, path)
    return path


def _careful_only(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the lines that take the careful path (JSON) rather than the fast one."""
    seen: list[int] = []
    original = lines_module.Totals._line

    def counting(self: lines_module.Totals, name: str, no: int, raw: bytes | None) -> None:
        seen.append(no)
        original(self, name, no, raw)

    monkeypatch.setattr(lines_module.Totals, "_line", counting)
    return seen


def test_tracker_lines_take_the_fast_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every line a Tracker writes (writes, tools, tiers, tags) matches the fast path's form."""
    t = Tracker()
    record_some(t)
    u = Usage(input_tokens=9_000, output_tokens=5, cache_write_1h_tokens=8_000,
              tool_calls={"web_search": 2}, requests=3)  # fmt: skip
    t.record("claude-opus-4-8", u)
    careful = _careful_only(monkeypatch)
    r = cost_report(_write(list(t.records()), tmp_path / "log.jsonl"))
    assert careful == []
    assert r.totals.total == t.total
    assert r.totals.records == t.count == 5


def test_totals_equal_the_tracker(tmp_path: Path) -> None:
    """By model, by tag and in total, the report's sums are the Tracker's own."""
    t = Tracker()
    record_some(t)
    path = _write(list(t.records()), tmp_path / "log.jsonl")
    r = cost_report(path)
    assert r.totals.total == t.total
    for model, c in t.by_model().items():
        g = r.get(model)
        assert g is not None
        assert (g.total, g.input, g.cache_read, g.cache_write, g.output) == (
            c.total, c.input, c.cache_read, c.cache_write, c.output
        )  # fmt: skip
        assert g.usage() == c.usage
    by_tag = cost_report(path, by="feature")
    for value, c in t.by_tag("feature").items():
        g = by_tag.get(value)
        assert g is not None and g.total == c.total
    assert by_tag.tag == "feature"
    assert by_tag.get(None) is not None


def test_report_api_equals_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The CLI's report is the library's: the same totals and groups, as exact strings."""
    t = Tracker()
    record_some(t)
    path = _write(list(t.records()), tmp_path / "log.jsonl")
    for by in ("model", "day", "provider", "feature"):
        r = cost_report(path, by=by)
        data = run_json(capsys, "report", str(path), "--by", by)
        assert D(data["total"]) == r.totals.total
        assert [g["key"] for g in data["groups"]] == [g.key for g in r.groups]
        assert [D(g["total"]) for g in data["groups"]] == [g.total for g in r.groups]
        assert [g["input_tokens"] for g in data["groups"]] == [g.input_tokens for g in r.groups]


@settings(max_examples=40)
@given(
    st.lists(records(), max_size=12),
    st.sampled_from(["model", "day", "provider", "feature", "tag:model"]),
)
def test_lines_and_records_agree(recs: list[CostRecord], by: str) -> None:
    """A log's report equals the report of the records written to it, for every grouping."""
    log = io.StringIO()
    llmcost.write_cost_log(recs, log)
    log.seek(0)
    from_log = cost_report(log, by=by)
    from_records = cost_report(recs, by=by)
    assert from_log.groups == from_records.groups
    assert from_log.totals == from_records.totals
    assert from_log.skipped == 0
    want = sum((r.cost.total for r in recs if r.cost is not None), Decimal(0))
    assert from_log.totals.total == want


@settings(max_examples=300)
@given(
    st.lists(mangled_lines(), min_size=1, max_size=4),
    st.sampled_from(["model", "day", "provider", "feature"]),
)
def test_fast_and_careful_paths_agree(lines: list[str], by: str) -> None:
    """Any line, however mangled, counts the same on the fast path as on the careful one,
    whatever the report groups by."""
    fast = cost_report(io.StringIO("\n".join(lines) + "\n"), by=by)
    careful = cost_report(io.StringIO("\n".join(" " + line for line in lines) + "\n"), by=by)
    assert fast.groups == careful.groups
    assert (fast.skipped, fast.unpriced) == (careful.skipped, careful.unpriced)
    assert [s.line for s in fast.skipped_lines] == [s.line for s in careful.skipped_lines]


def test_sums_are_exact_in_any_decimal_context(tmp_path: Path) -> None:
    """A caller's decimal context (3 digits, traps) changes no total."""
    t = Tracker()
    record_some(t)
    path = _write(list(t.records()), tmp_path / "log.jsonl")
    want = cost_report(path)
    with decimal.localcontext(decimal.Context(prec=3, Emax=5, traps=[decimal.Inexact])):
        got = cost_report(path)
        got_records = cost_report(t.records())
    assert got == want
    assert got_records.totals == want.totals


def test_amounts_one_and_a_tiny_one(tmp_path: Path) -> None:
    """1 and 1E-30 sum exactly; 1E-100 (beyond the bounds) is skipped, never rounded away."""
    base = json.loads(_one_line())

    def amount(a: str) -> str:
        return json.dumps({**base, "gen_ai.usage.cost.amount": a, "llmcost.cost.input": a,
                           "llmcost.cost.output": "0", "llmcost.cost.cache_read": "0"})  # fmt: skip

    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join([amount("1"), amount("1E-30"), amount("1E-100")]) + "\n")
    r = cost_report(path)
    assert r.totals.total == Decimal("1.000000000000000000000000000001")
    assert [s.line for s in r.skipped_lines] == [3]


def _one_line() -> str:
    t = Tracker()
    t.record("gpt-4o", Usage(input_tokens=100, output_tokens=10))
    return t.records()[0].to_json()


def test_skipped_lines_are_listed_up_to_the_limit() -> None:
    """The first max_skipped_lines are listed with their reasons; the rest are counted."""
    r = cost_report(io.StringIO("x\n" * 7 + _one_line() + "\n"), max_skipped_lines=3)
    assert (r.skipped, [s.line for s in r.skipped_lines]) == (7, [1, 2, 3])
    assert r.skipped_lines[0].reason.startswith("not JSON")
    assert r.totals.records == 1
    assert r.lines == 8


def test_parallel_equals_serial(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Split across processes (with a custom registry for raw responses), the report is the same."""
    t = Tracker()
    for i in range(300):
        t.record("gpt-4o" if i % 3 else "claude-opus-4-8",
                 Usage(input_tokens=1_000 + i, output_tokens=i), feature=f"f{i % 4}")  # fmt: skip
    log = [r.to_json() for r in t.records()]
    alpha = {"model": "alpha-9", "usage": {"prompt_tokens": 1_000_000, "completion_tokens": 0}}
    for n in (7, 150, 290):
        log[n - 1] = "{broken"
    log[200] = json.dumps(alpha)
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(log) + "\n")
    reg = llmcost.Registry.default().with_prices(llmcost.ModelPrice(
        model="alpha-9", provider="acme", tokenizer="llama", input_per_mtok="3",
        output_per_mtok="4"))  # fmt: skip
    serial = cost_report(path, registry=reg, workers=1)
    monkeypatch.setattr(_report, "PARALLEL_MIN_BYTES", 4096)
    monkeypatch.setattr(_report, "_cpus", lambda: 4)
    parallel = cost_report(path, registry=reg)
    assert parallel == serial
    assert [s.line for s in serial.skipped_lines] == [7, 150, 290]
    assert serial.get("alpha-9") is not None and serial.get("alpha-9").total == 3  # type: ignore[union-attr]
    assert cost_report(path, workers=1).skipped == 4  # the default registry has no alpha-9


def test_sources_paths_files_gzip(tmp_path: Path) -> None:
    """Several sources add up: a path, a .gz path, a binary file, records; names are kept."""
    t = Tracker()
    record_some(t)
    text = "\n".join(r.to_json() for r in t.records()) + "\n"
    (tmp_path / "a.jsonl").write_text(text)
    with gzip.open(tmp_path / "b.jsonl.gz", "wt") as f:
        f.write(text)
    with (tmp_path / "a.jsonl").open("rb") as binary:
        r = cost_report(tmp_path / "a.jsonl", str(tmp_path / "b.jsonl.gz"), binary, t.records())
    assert r.totals.total == 4 * t.total
    assert r.sources[1].endswith("b.jsonl.gz") and r.sources[3] == "<records>"


def test_bad_arguments() -> None:
    """Wrong types and missing files raise LLMCostError subclasses that say what is wrong."""
    with pytest.raises(llmcost.InvalidTypeError):
        cost_report()
    with pytest.raises(llmcost.InvalidTypeError, match="CostRecord"):
        cost_report(["not a record"])  # type: ignore[list-item]
    with pytest.raises(llmcost.InvalidTypeError):
        cost_report(io.StringIO(""), by=5)  # type: ignore[arg-type]
    with pytest.raises(llmcost.InvalidInputError):
        cost_report(io.StringIO(""), by="tag:")
    with pytest.raises(llmcost.InvalidTypeError):
        cost_report(io.StringIO(""), workers=0)
    with pytest.raises(llmcost.FileAccessError, match=r"nope\.jsonl") as info:
        cost_report("nope.jsonl")
    assert isinstance(info.value, FileNotFoundError | OSError)
    with pytest.raises(llmcost.InvalidInputError, match="NUL"):
        cost_report("a\x00b")


def test_unpriced_records_are_counted_apart() -> None:
    """Unpriced records are counted, never in the totals; a bad unpriced flag is skipped."""
    t = Tracker(unpriced="record")
    t.record("mystery-model", Usage(input_tokens=5))
    t.record("gpt-4o", Usage(input_tokens=5))
    lines = [r.to_json() for r in t.records()]
    bad = json.loads(lines[0]) | {"llmcost.unpriced": "yes"}
    r = cost_report(io.StringIO("\n".join([*lines, json.dumps(bad)]) + "\n"))
    assert (r.unpriced, r.totals.records, r.skipped) == (1, 1, 1)
    assert cost_report(t.records()).unpriced == 1


def test_group_key_types_stay_apart() -> None:
    """Tag values 1, True and "1" are three groups, and keep their JSON types."""
    t = Tracker()
    for value in (1, True, "1", None):
        t.record("gpt-4o", Usage(input_tokens=10), feature=value)
    keys = [g.key for g in cost_report(t.records(), by="feature").groups]
    log = io.StringIO()
    llmcost.write_cost_log(t.records(), log)
    log.seek(0)
    assert sorted(map(repr, keys)) == sorted(map(repr, [1, True, "1", None]))
    assert sorted(map(repr, (g.key for g in cost_report(log, by="feature").groups))) == sorted(
        map(repr, keys)
    )


def test_hand_made_records_are_checked() -> None:
    """Records built by hand with bad money or counts are skipped with a reason, not counted."""
    from datetime import datetime, timezone

    good = llmcost.cost("gpt-4o", input_tokens=1_000)
    when = datetime(2026, 11, 1, tzinfo=timezone.utc)

    def rec(cost: llmcost.Cost, usage: Usage) -> CostRecord:
        return CostRecord(time=when, request_model="gpt-4o", model="gpt-4o", provider="openai",
                          usage=usage, cost=cost)  # fmt: skip

    import attrs

    negative = attrs.evolve(good, total=D(-5), input=D(-5))
    nan = attrs.evolve(good, total=D("NaN"))
    unbalanced = attrs.evolve(good, total=good.total + 1)
    odd_usage = Usage(input_tokens=1_000)  # Usage refuses None: forge one past its checks
    object.__setattr__(odd_usage, "reasoning_tokens", None)
    recs = [rec(good, good.usage), rec(negative, good.usage), rec(nan, good.usage),
            rec(unbalanced, good.usage), rec(good, odd_usage)]  # fmt: skip
    r = cost_report(recs)
    assert r.totals.total == good.total
    assert [s.line for s in r.skipped_lines] == [2, 3, 4, 5]
    assert "sum to" in r.skipped_lines[2].reason
