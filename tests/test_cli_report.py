"""The ``report`` command: a thin caller of `llmcost.cost_report`, on logs and stdin."""

from __future__ import annotations

import gzip
import itertools
import json
import logging
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import llmcost
from llmcost import CostLogHandler, Tracker, Usage, _report
from llmcost._cli import _logs

from .cli_helpers import D, record_some, run, run_json, usd, widest


@pytest.fixture
def tracked(tmp_path: Path) -> Iterator[tuple[Tracker, Path]]:
    """A Tracker that logs through a CostLogHandler to a JSON-lines file."""
    path = tmp_path / "costs.jsonl"
    logger = logging.getLogger(f"test.cli.{id(path)}")
    handler = CostLogHandler(path)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield Tracker(logger=logger), path
    finally:
        logger.removeHandler(handler)


def test_report_by_model_equals_tracker(
    capsys: pytest.CaptureFixture[str], tracked: tuple[Tracker, Path]
) -> None:
    """Totals and per-model sums equal what the Tracker added up."""
    t, path = tracked
    record_some(t)
    data = run_json(capsys, "report", str(path))
    assert data["requests"] == t.count == 4
    assert D(data["total"]) == t.total
    assert (data["unpriced"], data["skipped"]) == (0, 0)
    by_model = t.by_model()
    assert {g["key"] for g in data["groups"]} == set(by_model)
    for g in data["groups"]:
        c = by_model[g["key"]]
        assert D(g["total"]) == c.total
        assert g["requests"] == sum(1 for r in t.records() if r.model == g["key"])
        assert {k: g[k] for k in c.usage.counts() if k != "requests"} == {
            k: n for k, n in c.usage.counts().items() if k != "requests"
        }
        assert g["records"] == g["requests"]
    assert [D(g["total"]) for g in data["groups"]] == sorted(
        (c.total for c in by_model.values()), reverse=True
    )


def test_report_table(capsys: pytest.CaptureFixture[str], tracked: tuple[Tracker, Path]) -> None:
    """The table shows each model's requests, tokens, cost and share, and the total."""
    t, path = tracked
    record_some(t)
    status, out, err = run(capsys, "report", str(path))
    assert status == 0, err
    assert err == ""
    assert out.startswith(f"4 priced requests, {usd(t.total)} in total")
    rows = {line.split()[0]: line.split() for line in out.splitlines()[4:] if line[:1].isalnum()}
    for model, c in t.by_model().items():
        cells = rows[model]
        u = c.usage
        cached = u.cache_read_tokens + u.cache_write_tokens
        assert cells[2:6] == [f"{u.input_tokens:,}", f"{cached:,}", f"{u.output_tokens:,}",
                              usd(c.total)]  # fmt: skip
        assert cells[6] == f"{c.total / t.total:.1%}"
    total_input = sum(r.usage.input_tokens for r in t.records())
    assert rows["total"][1:3] == ["4", f"{total_input:,}"]
    assert rows["total"][5:] == [usd(t.total), "100.0%"]
    assert widest(out) <= 100


def test_report_by_tag(capsys: pytest.CaptureFixture[str], tracked: tuple[Tracker, Path]) -> None:
    """--by TAG sums per tag value; requests without the tag form their own group."""
    t, path = tracked
    record_some(t)
    data = run_json(capsys, "report", str(path), "--by", "feature")
    assert data["by"] == "feature"
    groups = {g["key"]: g for g in data["groups"]}
    for value, c in t.by_tag("feature").items():
        assert D(groups[value]["total"]) == c.total
    untagged = [r.cost for r in t.records() if "feature" not in r.tags]
    assert D(groups[None]["total"]) == sum(c.total for c in untagged if c is not None)
    status, out, _ = run(capsys, "report", str(path), "--by", "feature")
    assert status == 0
    assert "(no feature)" in out


def test_report_by_tag_named_model(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """tag:NAME groups by a tag even when it is called 'model'."""
    t = Tracker()
    t.record("gpt-4o", Usage(input_tokens=10))
    t.record("gpt-4o", Usage(input_tokens=20))
    # record() keeps model= for itself; a log written elsewhere may still carry such a tag
    records = [attrs.evolve(r, tags={"model": k}) for r, k in zip(t.records(), "ab", strict=True)]
    path = tmp_path / "log.jsonl"
    llmcost.write_cost_log(records, path)
    data = run_json(capsys, "report", str(path), "--by", "tag:model")
    assert {g["key"]: D(g["total"]) for g in data["groups"]} == {
        k: r.cost.total for r, k in zip(records, "ab", strict=True) if r.cost is not None
    }
    assert run(capsys, "report", str(path), "--by", "tag:")[0] == 2


def test_report_by_day(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--by day groups by the record's date, oldest first."""
    t = Tracker()
    start = datetime(2026, 11, 1, 23, 30, tzinfo=timezone.utc)
    records = []
    for i in range(6):
        t.record("gpt-4o", Usage(input_tokens=1_000 * (i + 1), output_tokens=10))
        records.append(attrs.evolve(t.records()[-1], time=start + timedelta(hours=12 * i)))
    path = tmp_path / "log.jsonl"
    llmcost.write_cost_log(records, path)
    data = run_json(capsys, "report", str(path), "--by", "day")
    want: dict[str, Decimal] = {}
    for r in records:
        assert r.cost is not None
        day = r.time.date().isoformat()
        want[day] = want.get(day, D(0)) + r.cost.total
    assert [g["key"] for g in data["groups"]] == sorted(want)
    assert {g["key"]: D(g["total"]) for g in data["groups"]} == want


def test_report_raw_responses(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Raw provider responses are priced with cost_of_response, dated by `created`."""
    created = int(datetime(2025, 1, 1, 12, tzinfo=timezone.utc).timestamp())
    openai = {"model": "o3-2025-04-16", "created": created, "object": "chat.completion",
              "usage": {"prompt_tokens": 1_000, "completion_tokens": 100,
                        "prompt_tokens_details": {"cached_tokens": 500}}}  # fmt: skip
    anthropic = {"model": "claude-sonnet-4-6", "type": "message",
                 "usage": {"input_tokens": 100, "output_tokens": 50,
                           "cache_read_input_tokens": 1_000}}  # fmt: skip
    rec = Tracker()
    rec.record("gpt-4o", Usage(input_tokens=10, output_tokens=1))
    lines = [json.dumps(openai), json.dumps(anthropic), rec.records()[0].to_json()]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    data = run_json(capsys, "report", str(path))
    c_openai = llmcost.cost_of_response(openai, at=date(2025, 1, 1))
    c_anthropic = llmcost.cost_of_response(anthropic)
    now = llmcost.cost("o3", llmcost.usage_from_response(openai))
    assert c_openai.total != now.total  # the price of its `created` day applied
    assert data["requests"] == 3
    assert D(data["total"]) == c_openai.total + c_anthropic.total + rec.total
    by_day = run_json(capsys, "report", str(path), "--by", "day")
    keys = {g["key"] for g in by_day["groups"]}
    assert keys == {"2025-01-01", None, rec.records()[0].time.date().isoformat()}


def test_report_malformed_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Malformed lines are named on stderr by line number, skipped, and exit 3."""
    t = Tracker(unpriced="record")
    t.record("gpt-4o", Usage(input_tokens=1_000, output_tokens=10))
    t.record("mystery-model", Usage(input_tokens=5))
    good, unpriced = (r.to_json() for r in t.records())
    bad_tokens = json.loads(good)
    bad_tokens["gen_ai.usage.input_tokens"] = -1
    bad_amount = json.loads(good)
    bad_amount["gen_ai.usage.cost.amount"] = "NaN"
    lines = [
        good.encode(),  # 1
        b"",  # 2: blank lines are ignored
        b"{not json",  # 3
        b"[1, 2]",  # 4
        json.dumps(bad_tokens).encode(),  # 5
        unpriced.encode(),  # 6: counted apart, not malformed
        b'{"model": "nope-model", "usage": {"prompt_tokens": 1, "completion_tokens": 1}}',  # 7
        good.encode()[:-1] + b"\xff}",  # 8
        json.dumps(bad_amount).encode(),  # 9
        b"  " + good.encode(),  # 10: leading blanks: still a good record
        good.encode() + b" trailing",  # 11
    ]
    path = tmp_path / "log.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    status, out, err = run(capsys, "report", str(path), "--json")
    assert status == 3
    data = json.loads(out)
    assert data["requests"] == 2
    assert D(data["total"]) == 2 * t.total
    assert (data["unpriced"], data["skipped"]) == (1, 7)
    numbers = [int(n) for n in re.findall(rf"^llmcost: {re.escape(str(path))}:(\d+): ", err, re.M)]
    assert numbers == [3, 4, 5, 7, 8, 9, 11]
    assert "not JSON" in err
    assert "expected a JSON object, got list" in err
    assert "unknown model 'nope-model'" in err
    assert "not UTF-8" in err
    assert "7 malformed line(s) skipped" in err
    status, out, _ = run(capsys, "report", str(path))
    assert status == 3
    assert "1 unpriced request(s)" in out
    assert "7 malformed line(s) skipped" in out


def test_report_fast_and_slow_paths_agree(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A record read by the careful path counts exactly as the fast path counts it."""
    t = Tracker()
    record_some(t)
    plain = [r.to_json() for r in t.records()]
    path_fast, path_slow = tmp_path / "fast.jsonl", tmp_path / "slow.jsonl"
    path_fast.write_text("\n".join(plain) + "\n")
    path_slow.write_text("\n".join(" " + line for line in plain) + "\n")  # forces the slow path
    for by in ("model", "day", "feature"):
        fast = run_json(capsys, "report", str(path_fast), "--by", by)
        slow = run_json(capsys, "report", str(path_slow), "--by", by)
        fast.pop("files")
        slow.pop("files")
        assert fast == slow


def test_report_caps_messages(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After MAX_LINE_ERRORS messages, the rest are only counted."""
    monkeypatch.setattr(_logs, "MAX_LINE_ERRORS", 2)
    path = tmp_path / "junk.jsonl"
    path.write_text("x\n" * 5)
    status, _, err = run(capsys, "report", str(path))
    assert status == 3
    assert err.count(": skipped: ") == 2
    assert "3 more skipped lines not shown" in err
    assert "5 malformed line(s) skipped" in err


def test_report_parallel_equals_serial(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big file split across processes gives the same totals and line numbers."""
    t = Tracker()
    for i in range(300):
        t.record("gpt-4o" if i % 3 else "claude-sonnet-4-6",
                 Usage(input_tokens=1_000 + i, output_tokens=i), feature=f"f{i % 4}")  # fmt: skip
    lines = [r.to_json() for r in t.records()]
    for n in (7, 150, 290):  # malformed lines spread over the chunks
        lines[n - 1] = "{broken"
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n")
    serial_status, serial_out, serial_err = run(capsys, "report", str(path), "--json")
    monkeypatch.setattr(_report, "PARALLEL_MIN_BYTES", 4096)
    monkeypatch.setattr(_report, "_cpus", lambda: 4)
    with path.open("rb") as f:
        assert len(_report._chunks(f, None)) == 4
    status, out, err = run(capsys, "report", str(path), "--json")
    assert (status, out, err) == (serial_status, serial_out, serial_err)
    assert status == 3
    assert re.findall(r":(\d+): skipped", err) == ["7", "150", "290"]


def test_chunks_start_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Byte ranges for workers cover the file and each starts at a line start."""
    monkeypatch.setattr(_report, "PARALLEL_MIN_BYTES", 100)
    monkeypatch.setattr(_report, "_cpus", lambda: 8)
    data = b"".join(b"x" * (i % 17) + b"\n" for i in range(200))
    path = tmp_path / "f"
    path.write_bytes(data)
    with path.open("rb") as f:
        chunks = _report._chunks(f, None)
    assert len(chunks) > 2
    assert chunks[0][0] == 0
    assert chunks[-1][1] == len(data)
    for (_, end), (start, _) in itertools.pairwise(chunks):
        assert end == start
        assert data[start - 1 : start] == b"\n"


def test_report_gzip_and_several_logs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A .gz log is read as is; several logs add up."""
    t = Tracker()
    record_some(t)
    text = "\n".join(r.to_json() for r in t.records()) + "\n"
    (tmp_path / "a.jsonl").write_text(text)
    with gzip.open(tmp_path / "b.jsonl.gz", "wt") as f:
        f.write(text)
    data = run_json(capsys, "report", str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl.gz"))
    assert data["requests"] == 2 * t.count
    assert D(data["total"]) == 2 * t.total


def test_report_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An unreadable log exits 1 and names it."""
    status, _, err = run(capsys, "report", str(tmp_path / "nope.jsonl"))
    assert status == 1
    assert "nope.jsonl" in err


def test_report_empty_log(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An empty log reports zero requests."""
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    data = run_json(capsys, "report", str(path))
    assert (data["requests"], data["total"], data["groups"]) == (0, "0", [])


# --- hostile logs ------------------------------------------------------------------------------


def _line(**changes: object) -> str:
    """A good cost-record line with some fields changed (None: removed)."""
    t = Tracker()
    t.record("gpt-4o", Usage(input_tokens=1_000, output_tokens=100), feature="x")
    d = json.loads(t.records()[0].to_json())
    for key, value in changes.items():
        key = key.replace("__", ".")
        if value is None:
            d.pop(key, None)
        else:
            d[key] = value
    return json.dumps(d)


def test_report_bad_money_is_skipped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Amounts that are not exact, finite, non-negative decimals are skipped; the rest is exact."""
    one = {"gen_ai.usage.cost.amount": "1", "llmcost.cost.input": "1", "llmcost.cost.output": "0"}
    tiny = {"gen_ai.usage.cost.amount": "1E-100", "llmcost.cost.input": "1E-100",
            "llmcost.cost.output": "0"}  # fmt: skip
    bad = ["1E+1000000", "NaN", "-5", "Infinity", "sNaN", "-0.001", "0x10", "", "1" * 70]
    lines = [_line(**{"gen_ai.usage.cost.amount": a}) for a in bad]  # 1-9
    lines.append(json.dumps({**json.loads(_line()), **one}))  # 10: good, $1
    lines.append(json.dumps({**json.loads(_line()), **tiny}))  # 11: beyond the bounds
    lines.append(_line(**{"llmcost.cost.output": "0.5"}))  # 12: lines do not sum to the total
    lines.append(_line(**{"llmcost.batch": "false"}))  # 13: not a JSON boolean
    lines.append(_line(**{"gen_ai.usage.cost.amount": 0.00375}))  # 14: a JSON number
    lines.append(_line(**{"gen_ai.usage.cost.currency": "EUR"}))  # 15
    lines.append(_line())  # 16: good
    path = tmp_path / "money.jsonl"
    path.write_text("\n".join(lines) + "\n")
    status, out, err = run(capsys, "report", str(path), "--json")
    assert status == 3
    data = json.loads(out)
    good = D(json.loads(_line())["gen_ai.usage.cost.amount"])
    assert D(data["total"]) == 1 + good
    assert data["records"] == 2
    skipped = [int(n) for n in re.findall(r":(\d+): skipped: ", err)]
    assert skipped == [*range(1, 10), 11, 12, 13, 14, 15]
    assert data["skipped"] == len(skipped)
    assert "Traceback" not in err


def test_report_absurd_model_names_are_skipped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A log line with a long absurd model name is skipped and reported, never a traceback."""
    long_record = _line(**{"gen_ai.response.model": "gpt-4o" + "-latest" * 994})
    response = json.dumps({"model": "openai/" * 497 + "gpt-4o",
                           "usage": {"prompt_tokens": 1, "completion_tokens": 1}})  # fmt: skip
    path = tmp_path / "names.jsonl"
    path.write_text("\n".join([long_record, response, _line()]) + "\n")
    for by in ("model", "day", "feature"):
        status, out, err = run(capsys, "report", str(path), "--by", by, "--json")
        assert status == 3
        assert json.loads(out)["records"] == 1
        assert re.findall(r":(\d+): skipped: ", err) == ["1", "2"]
        assert "longer than 200 characters" in err
        assert widest(err) < 400


def test_report_escapes_what_the_log_says(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """ANSI escapes and line breaks in models and tags are shown escaped; JSON stays exact."""
    t = Tracker(unpriced="record")
    evil = "x\x1b[2J\x1b[H\nFAKE  1  $0.00\u2028\u0085\u202e"
    t.record("gpt-4o", Usage(input_tokens=10, output_tokens=1), feature=evil)
    path = tmp_path / "evil.jsonl"
    llmcost.write_cost_log(t.records(), path)
    with path.open("a") as f:
        f.write("{\x1b[31m not json\n")
    status, out, err = run(capsys, "report", str(path), "--by", "feature")
    assert status == 3
    for text in (out, err):
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u202e]", text)
        assert not any(line.startswith("FAKE") for line in text.splitlines())
    assert "x\\x1b[2J" in out
    status, out, _ = run(capsys, "report", str(path), "--by", "feature", "--json")
    assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u202e]", out.replace("\n", ""))
    assert json.loads(out)["groups"][0]["key"] == evil


def test_report_llmcost_0_1_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A 0.1 line: 1-hour writes from its own field, the rest of cache_creation 5-minute."""
    old = {
        "time": "2025-06-01T12:00:00+00:00", "gen_ai.request.model": "claude-sonnet-4",
        "gen_ai.response.model": "claude-sonnet-4", "gen_ai.provider.name": "anthropic",
        "gen_ai.usage.input_tokens": 3_000, "gen_ai.usage.output_tokens": 10,
        "gen_ai.usage.cache_read.input_tokens": 0,
        "gen_ai.usage.cache_creation.input_tokens": 1_500,
        "gen_ai.usage.reasoning.output_tokens": 0,
        "llmcost.usage.cache_creation_1h.input_tokens": 500,
        "gen_ai.usage.cost.amount": "0.0135", "gen_ai.usage.cost.currency": "USD",
        "gen_ai.usage.cost.source": "local", "llmcost.cost.input": "0.0045",
        "llmcost.cost.output": "0.00015", "llmcost.cost.cache_read": "0",
        "llmcost.cost.cache_write": "0.00885", "llmcost.batch": False,
        "llmcost.input_exact": True, "tags": {},
    }  # fmt: skip
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(old) + "\n")
    data = run_json(capsys, "report", str(path))
    g = data["groups"][0]
    assert (g["cache_write_5m_tokens"], g["cache_write_1h_tokens"]) == (1_000, 500)
    assert D(data["total"]) == D("0.0135")


def test_report_endless_line_in_flat_memory(tmp_path: Path) -> None:
    """A 70 MB 'line' without a newline (a /dev/zero-like log) is skipped in flat memory."""
    from .test_cli_files import _peak

    path = tmp_path / "zeros.jsonl"
    with path.open("wb") as f:
        f.truncate(70_000_000)
        f.seek(0, 2)
        f.write(b"\n" + _line().encode() + b"\n")
    status, peak, text = _peak("report", str(path), "--json")
    assert status == 3, text
    assert peak < 200 * 2**20
    assert "line too long" in text
    assert '"records": 1' in text


def test_report_unreadable_and_odd_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A directory, a broken gzip file, a NUL in a name: one error line, exit 1."""
    bad_gz = tmp_path / "broken.jsonl.gz"
    bad_gz.write_bytes(gzip.compress(_line().encode() * 50)[:40])
    for arg in (str(tmp_path), str(bad_gz), "a\x00b"):
        status, out, err = run(capsys, "report", arg)
        assert (status, out) == (1, ""), err
        assert err.count("\n") == 1 and "Traceback" not in err
