"""The cost log: CostLogHandler, read_cost_log / write_cost_log, exact and injection-safe lines."""

from __future__ import annotations

import io
import logging
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import llmcost
from llmcost import CostLogHandler, CostRecord, Tracker, Usage

from .strategies import usages
from .strategies_records import tag_dicts

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


@given(
    usages(max_input=400_000),
    st.integers(0, 3),
    st.integers(0, 2),
    tag_dicts,
    st.booleans(),
    st.sampled_from(["claude-sonnet-4-6", "unknown-model-x"]),
)
@example(Usage(input_tokens=10, output_tokens=5, reasoning_tokens=3), 1, 0, {}, False, "gpt-5")
def test_line_is_json_of_fields_for_any_record(
    u: Usage,
    requests: int,
    searches: int,
    tags: dict[str, object],
    fields_first: bool,
    model: str,
) -> None:
    """For any usage, tags and model, the line is json.dumps(fields()), whichever comes first."""
    import json

    counts: dict[str, Any] = {**u.counts(), "requests": requests}
    u = Usage(**counts, tool_calls={"web_search": searches})
    t = Tracker(unpriced="record")
    t.record(model, u, **tags)
    (rec,) = t.records()
    fresh = attrs.evolve(rec)  # no cached fields or line
    if fields_first:
        fresh.fields()
    expected = json.dumps(rec.fields(), ensure_ascii=True, separators=(",", ":"))
    assert fresh.to_json() == expected
    assert CostRecord.from_json(expected) == rec


def test_cost_log_writes_lines_without_logging(tmp_path: Path) -> None:
    """Tracker(cost_log=path) appends one line per record; a shared handler serves two trackers."""
    path = tmp_path / "costs.jsonl"
    a = Tracker(cost_log=path, unpriced="record")
    a.record("gpt-4o", Usage(input_tokens=1_000), feature="x")
    a.record("no-such-model", Usage(input_tokens=5))
    shared = CostLogHandler(tmp_path / "shared.jsonl")
    b, c = Tracker(cost_log=shared), Tracker(cost_log=shared)
    b.record("gpt-4o", Usage(input_tokens=1))
    c.record("gpt-4o-mini", Usage(input_tokens=2))
    shared.close()
    assert list(llmcost.read_cost_log(path)) == list(a.records())
    back = list(llmcost.read_cost_log(tmp_path / "shared.jsonl"))
    assert [r.model for r in back] == ["gpt-4o", "gpt-4o-mini"]
    with pytest.raises(llmcost.FileAccessError):
        Tracker(cost_log=tmp_path / "missing-dir" / "x.jsonl")
    with pytest.raises(llmcost.InvalidTypeError):
        Tracker(cost_log=5)  # type: ignore[arg-type]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_cost_log_write_error_is_raised_and_the_request_counted() -> None:
    """A line that cannot be written (a full disk) raises FileAccessError; the cost still counts."""
    t = Tracker(cost_log="/dev/full")
    with pytest.raises(llmcost.FileAccessError, match="cannot write"):
        t.record("gpt-4o", Usage(input_tokens=1_000))
    assert t.count == 1 and t.total == llmcost.cost("gpt-4o", input_tokens=1_000).total
