"""The llmcost command line: every command in-process through main(argv), a few as programs."""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import llmcost
from llmcost import CostLogHandler, Registry, Tracker, Usage, _cli
from llmcost._cli import main, parse_tokens
from llmcost._tokens import count_file_tokens, count_tokens, estimate_tokens, tokenizer_for

from .conftest import DATA

D = Decimal
BIN = Path(sys.executable).parent / "llmcost"
TODAY = date.today()
FIXTURE = str(DATA / "fixture_prices.json")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process: (exit status, stdout, stderr)."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    """Run a command with --json; it must succeed and print one JSON document."""
    status, out, err = run(capsys, *argv, "--json")
    assert status == 0, err
    return json.loads(out)


def usd(amount: Decimal) -> str:
    """How the tables show money (the library's own rounding for people)."""
    return f"${amount:,.6f}"


def widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def program(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console script."""
    env = {k: v for k, v in os.environ.items() if k != "LLMCOST_PRICES"}
    return subprocess.run(
        [str(BIN), *argv], input=stdin, capture_output=True, text=True, env=env, check=False
    )


# --- token numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("1200", 1_200),
        ("1_200", 1_200),
        ("1,200", 1_200),
        ("1,200,000", 1_200_000),
        ("1.2k", 1_200),
        ("1.2K", 1_200),
        ("3M", 3_000_000),
        ("3m", 3_000_000),
        ("0.5M", 500_000),
        ("1.000001M", 1_000_001),
        ("2,500k", 2_500_000),
        ("1_000k", 1_000_000),
        ("12.0", 12),
        ("12.000k", 12_000),
        (" 42 ", 42),
        ("007", 7),
        ("123456789012345678901234567890M", 123456789012345678901234567890 * 10**6),
    ],
)
def test_token_numbers_valid(text: str, expected: int) -> None:
    """Token counts are read exactly in every documented spelling."""
    assert parse_tokens(text) == expected


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("-5", "negative"),
        ("-1.2k", "negative"),
        ("1.2345k", "whole number"),
        ("1.5", "whole number"),
        ("0.0000001M", "whole number"),
        ("", "not a token count"),
        ("abc", "not a token count"),
        ("1,20", "not a token count"),
        ("1,2000", "not a token count"),
        ("12,00,000", "not a token count"),
        ("1,200_000", "not a token count"),
        ("_1", "not a token count"),
        ("1__0", "not a token count"),
        ("1_", "not a token count"),
        ("1e3", "not a token count"),
        ("1.2kk", "not a token count"),
        ("k", "not a token count"),
        ("1.", "not a token count"),
        (".5k", "not a token count"),
        ("1 200", "not a token count"),
        ("1.2G", "not a token count"),
        ("+5", "not a token count"),
        ("nan", "not a token count"),
        ("0x10", "not a token count"),
        ("１２", "not a token count"),
    ],
)
def test_token_numbers_invalid(text: str, needle: str) -> None:
    """Anything else is refused with a message that says why."""
    with pytest.raises(ValueError, match=needle):
        parse_tokens(text)


@pytest.mark.parametrize(
    ("value", "needle"),
    [("1.5", "not a whole number"), ("lots", "not a token count"), ("-1.2k", "expected one")],
)
def test_bad_token_option_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], value: str, needle: str
) -> None:
    """A bad token number exits 2 with argparse's usage line and the reason."""
    status, out, err = run(capsys, "cost", "gpt-4o", "--input", value, "--output", "1")
    assert status == 2
    assert out == ""
    assert "usage: llmcost cost" in err
    assert needle in err


def test_negative_token_option_via_equals(capsys: pytest.CaptureFixture[str]) -> None:
    """--input=-1.2k reaches the parser and is refused as negative."""
    status, _, err = run(capsys, "cost", "gpt-4o", "--input=-1.2k", "--output", "1")
    assert status == 2
    assert "cannot be negative" in err


def test_bad_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """--at wants an ISO date."""
    status, _, err = run(capsys, "price", "gpt-4o", "--at", "28/11/2026")
    assert status == 2
    assert "YYYY-MM-DD" in err


# --- models ------------------------------------------------------------------------------------


def test_models_table_matches_prices(capsys: pytest.CaptureFixture[str]) -> None:
    """Each row shows the model's current rates, context window and checked date."""
    status, out, err = run(capsys, "models", "--provider", "anthropic")
    assert status == 0, err
    assert widest(out) <= 100
    rows = {line.split()[0]: line.split() for line in out.splitlines() if "anthropic" in line}
    assert set(rows) == set(llmcost.list_models(provider="anthropic"))
    for model, cells in rows.items():
        p = llmcost.get_price(model)
        _, provider, inp, outp, cached, batch, context, checked = cells
        assert provider == "anthropic"
        assert D(inp) == p.input_per_mtok
        assert D(outp) == p.output_per_mtok
        if p.cache_read_per_mtok is None:
            assert cached == "-"
        else:
            assert D(cached) == p.cache_read_per_mtok
        if p.batch_input_per_mtok is None:
            assert batch == "-"
        else:
            b_in, b_out = batch.split("/")
            assert (D(b_in), D(b_out)) == (p.batch_input_per_mtok, p.batch_output_per_mtok)
        assert int(context.replace(",", "")) == p.context_window
        assert checked == str(p.checked)


def test_models_all_fit_100_columns(capsys: pytest.CaptureFixture[str]) -> None:
    """The full list fits 100 columns and names every model."""
    status, out, _ = run(capsys, "models")
    assert status == 0
    assert widest(out) <= 100
    for model in llmcost.list_models():
        assert re.search(rf"^{re.escape(model)}\s", out, re.M), model


def test_models_json_equals_library(capsys: pytest.CaptureFixture[str]) -> None:
    """--json lists every model with the library's field names and exact values."""
    data = run_json(capsys, "models")
    assert {d["model"] for d in data} == set(llmcost.list_models())
    for d in data:
        p = llmcost.get_price(d["model"])
        for field in ("input_per_mtok", "output_per_mtok", "cache_read_per_mtok"):
            want = getattr(p, field)
            assert (d[field] is None) if want is None else D(d[field]) == want
        assert d["provider"] == p.provider
        assert d["context_window"] == p.context_window
        assert d["checked"] == (p.checked.isoformat() if p.checked else None)
        assert d["aliases"] == list(p.aliases)


def test_models_at_date(capsys: pytest.CaptureFixture[str]) -> None:
    """--at shows the prices in force on that day."""
    data = run_json(capsys, "models", "--provider", "openai", "--at", "2025-01-01")
    o3 = next(d for d in data if d["model"] == "o3")
    assert D(o3["input_per_mtok"]) == llmcost.get_price("o3", at=date(2025, 1, 1)).input_per_mtok
    assert D(o3["input_per_mtok"]) == D(10)


def test_models_unknown_provider(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown provider is a usage error that lists the providers."""
    status, out, err = run(capsys, "models", "--provider", "acme")
    assert status == 2
    assert out == ""
    assert "no models for provider 'acme'" in err
    assert "anthropic" in err


# --- price -------------------------------------------------------------------------------------


def test_price_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    """Every rate, the aliases, source, note and the whole history are shown."""
    p = llmcost.get_price("o3")
    status, out, err = run(capsys, "price", "o3")
    assert status == 0, err
    assert out.startswith("o3 (openai)\n")
    for alias in p.aliases:
        assert alias in out
    assert p.source_url in out
    assert "exact (o200k_base)" in out
    assert " ".join(out.split()).count(p.note.split(".")[0]) == 1
    assert re.search(rf"^  input\s+{p.input_per_mtok}$", out, re.M)
    assert re.search(rf"^  output\s+{p.output_per_mtok}$", out, re.M)
    assert re.search(r"^  cache write \(5 min\)\s+-$", out, re.M)
    history = Registry.default().history("o3")
    assert len(history) == 2
    rows = [line.split() for line in out.split("Price history:")[1].splitlines()[3:-1]]
    assert len(rows) == 2
    for h, cells in zip(history, rows, strict=True):
        assert cells[0] == (h.valid_from.isoformat() if h.valid_from else "(first)")
        assert cells[1] == (h.valid_to.isoformat() if h.valid_to else "-")
        assert (D(cells[2]), D(cells[3])) == (h.input_per_mtok, h.output_per_mtok)
    assert rows[1][-1] == "*" and rows[0][-1] != "*"
    assert widest(out) <= 100


def test_price_at_date_and_alias(capsys: pytest.CaptureFixture[str]) -> None:
    """--at picks the period; a dated or prefixed name resolves and is echoed."""
    data = run_json(capsys, "price", "openai/o3-2025-04-16", "--at", "2025-01-01")
    want = llmcost.get_price("o3", at=date(2025, 1, 1))
    assert data["model"] == "o3"
    assert data["requested"] == "openai/o3-2025-04-16"
    assert data["at"] == "2025-01-01"
    assert D(data["input_per_mtok"]) == want.input_per_mtok == D(10)
    assert D(data["cache_read_per_mtok"]) == want.cache_read_per_mtok
    history = Registry.default().history("o3")
    assert [h["valid_from"] for h in data["history"]] == [
        h.valid_from.isoformat() if h.valid_from else None for h in history
    ]
    assert [D(h["input_per_mtok"]) for h in data["history"]] == [h.input_per_mtok for h in history]


def test_price_tiers(capsys: pytest.CaptureFixture[str]) -> None:
    """Long-context tiers are listed with their threshold and rates."""
    p = llmcost.get_price("gpt-5.4")
    tier = p.tiers[0]
    status, out, _ = run(capsys, "price", "gpt-5.4")
    assert status == 0
    section = out.split("Long-context rates")[1].split("Price history")[0]
    cells = section.splitlines()[3].split()
    assert int(cells[0].replace(",", "")) == tier.above_input_tokens
    assert (D(cells[1]), D(cells[2])) == (tier.input_per_mtok, tier.output_per_mtok)
    data = run_json(capsys, "price", "gpt-5.4")
    assert D(data["tiers"][0]["input_per_mtok"]) == tier.input_per_mtok


def test_price_unknown_model_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown model exits 2 and prints the close matches."""
    status, out, err = run(capsys, "price", "gpt-4o-mni")
    assert status == 2
    assert out == ""
    assert err.startswith("llmcost: error: unknown model 'gpt-4o-mni'")
    try:
        llmcost.get_price("gpt-4o-mni")
    except llmcost.UnknownModelError as e:
        suggestions = e.suggestions
    assert suggestions
    for s in suggestions:
        assert repr(s) in err
    assert "llmcost models" in err


def test_price_ambiguous_host_model(capsys: pytest.CaptureFixture[str]) -> None:
    """A bare name that several hosts sell says so and names the host-qualified ids."""
    status, _, err = run(capsys, "price", "llama-3.3-70b")
    assert status == 2
    assert "several hosts" in err
    assert "groq/llama-3.3-70b" in err


# --- count -------------------------------------------------------------------------------------

TEXT = (
    "Prices change; counts should not. こんにちは、世界! Ünïcödé naïve café — 价格和令牌。\n"
    "def cost(x):\n    return x * 2.5  # per 1M tokens\n\n\n"
) * 40


class FakeTTY(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class FakeStdin:
    """sys.stdin with bytes behind it."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "prompt.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.mark.parametrize("chunk", [7, 4096, 1 << 20])
def test_count_exact_in_chunks(
    capsys: pytest.CaptureFixture[str], text_file: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Counted a chunk at a time (characters split across reads), the count is exact."""
    monkeypatch.setattr(_cli, "CHUNK_BYTES", chunk)
    data = run_json(capsys, "count", str(text_file), "--model", "gpt-4o")
    assert data["tokens"] == count_tokens(TEXT, "gpt-4o")
    assert data["files"] == [
        {"file": str(text_file), "tokens": data["tokens"], "bytes": len(TEXT.encode())}
    ]
    assert (data["exact"], data["tokenizer"], data["model"]) == (True, "o200k_base", "gpt-4o")


def test_count_says_exact_or_estimate(capsys: pytest.CaptureFixture[str], text_file: Path) -> None:
    """The output names the encoding, or the estimate profile, and the numbers match."""
    status, out, _ = run(capsys, "count", str(text_file), "--model", "gpt-4")
    assert status == 0
    assert out.rstrip().endswith("gpt-4: exact (cl100k_base)")
    assert f" {count_tokens(TEXT, 'gpt-4'):,} " in out
    status, out, _ = run(capsys, "count", str(text_file), "--model", "anthropic/claude-sonnet-4-5")
    assert status == 0
    assert out.rstrip().endswith("claude-sonnet-4-5: estimate (claude profile)")
    assert f" {estimate_tokens(TEXT, 'claude-sonnet-4-5'):,} " in out
    data = run_json(capsys, "count", str(text_file), "--model", "gpt-4o", "--estimate")
    assert (data["exact"], data["tokenizer"]) == (False, "o200k profile")
    assert data["tokens"] == estimate_tokens(TEXT, "gpt-4o")


def test_count_several_files_and_stdin(
    capsys: pytest.CaptureFixture[str], text_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several inputs are counted one by one and totalled; '-' is stdin."""
    monkeypatch.setattr(sys, "stdin", FakeStdin(b"hello world"))
    status, out, _ = run(capsys, "count", str(text_file), "-", "--model", "gpt-4o")
    assert status == 0
    n = count_tokens(TEXT, "gpt-4o")
    rows = {
        line.split()[0]: line.split()[1:]
        for line in out.splitlines()[2:]
        if line.strip() and line[:1] != "-"
    }
    assert rows[str(text_file)][0] == f"{n:,}"
    assert rows["<stdin>"] == ["2", "11"]
    assert rows["total"][0] == f"{n + 2:,}"
    monkeypatch.setattr(sys, "stdin", FakeStdin(b"hello world"))
    assert run_json(capsys, "count", "--model", "gpt-4o")["tokens"] == 2
    assert run(capsys, "count", "-", "-", "--model", "gpt-4o")[0] == 2


def test_count_invalid_utf8(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Invalid UTF-8 counts as U+FFFD, like count_file_tokens, with a warning."""
    path = tmp_path / "bin.txt"
    path.write_bytes(b"Hello \xff\xfe world \xe3\x81")
    status, out, err = run(capsys, "count", str(path), "--model", "gpt-4o", "--json")
    assert status == 0
    assert json.loads(out)["tokens"] == count_file_tokens(path, "gpt-4o")
    assert "3 invalid UTF-8 sequence(s)" in err


def test_count_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A missing file exits 1; an unknown model 2; --model is required."""
    status, _, err = run(capsys, "count", str(tmp_path / "nope.txt"), "--model", "gpt-4o")
    assert status == 1
    assert "nope.txt" in err and "No such file" in err
    assert run(capsys, "count", str(tmp_path), "--model", "gpt-4o-mni")[0] == 2
    assert run(capsys, "count", str(tmp_path))[0] == 2


def test_count_progress_bar_on_a_terminal(
    capsys: pytest.CaptureFixture[str], text_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big input draws a progress bar on stderr when stderr is a terminal, then clears it."""
    monkeypatch.setattr(_cli, "PROGRESS_MIN_BYTES", 1_000)
    monkeypatch.setattr(_cli, "CHUNK_BYTES", 512)
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(["count", str(text_file), "--model", "gpt-4o"]) == 0
    drawn = tty.getvalue()
    assert "counting /" in drawn
    assert "100%" in drawn
    assert drawn.startswith("\r")
    assert drawn.endswith("\r")  # the line is cleared at the end
    assert f"{count_tokens(TEXT, 'gpt-4o'):,}" in capsys.readouterr().out


def test_count_no_progress_bar_otherwise(
    capsys: pytest.CaptureFixture[str], text_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No bar when stderr is not a terminal, nor for a small input on a terminal."""
    monkeypatch.setattr(_cli, "PROGRESS_MIN_BYTES", 1_000)
    status, _, err = run(capsys, "count", str(text_file), "--model", "gpt-4o")
    assert (status, err) == (0, "")
    monkeypatch.setattr(_cli, "PROGRESS_MIN_BYTES", 10**9)
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(["count", str(text_file), "--model", "gpt-4o"]) == 0
    assert tty.getvalue() == ""


def test_count_memory_is_bounded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Peak memory does not grow with the size of the input."""
    import tracemalloc

    monkeypatch.setattr(_cli, "CHUNK_BYTES", 64 * 1024)
    line = "Pricing tokens, exactly; naïve estimates drift. 価格。\n"
    peaks = []
    for copies in (20_000, 80_000):
        path = tmp_path / f"big-{copies}.txt"
        path.write_text(line * copies, encoding="utf-8")
        run(capsys, "count", str(path), "--model", "claude-sonnet-4-5")  # warm caches
        tracemalloc.start()
        try:
            status, _, _ = run(capsys, "count", str(path), "--model", "claude-sonnet-4-5")
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert status == 0
    size = len((line * 80_000).encode())
    assert peaks[1] < size / 4
    assert peaks[1] < 1.5 * peaks[0]


# --- estimate ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4", "claude-sonnet-4-5", "gemini-2.5-pro"])
def test_estimate_equals_library(
    capsys: pytest.CaptureFixture[str], text_file: Path, model: str
) -> None:
    """The file as a prompt costs what llmcost.estimate says (exact or estimated input)."""
    want = llmcost.estimate(model, TEXT, max_output_tokens=2_000)
    data = run_json(capsys, "estimate", str(text_file), "--model", model, "--max-output", "2k")
    assert data["model"] == want.model
    assert data["usage"] == attrs.asdict(want.usage)
    for field in ("input", "output", "total"):
        assert D(data[field]) == getattr(want, field)
    assert data["input_exact"] is want.input_exact
    assert data["input_exact"] is tokenizer_for(model).exact


def test_estimate_table_and_limits(capsys: pytest.CaptureFixture[str], text_file: Path) -> None:
    """The breakdown shows the library's amounts and warns about the model's limits."""
    want = llmcost.estimate("claude-sonnet-4-5", TEXT, max_output_tokens=200_000)
    p = llmcost.get_price("claude-sonnet-4-5")
    argv = ["estimate", str(text_file), "--model", "claude-sonnet-4-5", "--max-output", "200k"]
    status, out, _ = run(capsys, *argv)
    assert status == 0
    assert f"{want.usage.input_tokens:,} input tokens, estimate (claude profile)" in out
    rows = cost_rows(out)
    assert rows["total"][-1] == usd(want.total)
    assert f"exceed claude-sonnet-4-5's context window of {p.context_window:,}" in out
    assert f"writes at most {p.max_output_tokens:,} output tokens" in out


def test_estimate_compare_every_model(capsys: pytest.CaptureFixture[str], text_file: Path) -> None:
    """--compare prices the file on every model with its own tokenizer, cheapest first."""
    data = run_json(capsys, "estimate", str(text_file), "--max-output", "1k", "--compare")
    assert {d["model"] for d in data} == set(llmcost.list_models())
    for d in data:
        want = llmcost.estimate(d["model"], TEXT, max_output_tokens=1_000)
        assert D(d["total"]) == want.total, d["model"]
        assert d["usage"]["input_tokens"] == want.usage.input_tokens
        assert d["input_exact"] is want.input_exact
    totals = [(D(d["total"]), d["model"]) for d in data]
    assert totals == sorted(totals)
    assert [d["rank"] for d in data] == list(range(1, len(data) + 1))


def test_estimate_compare_top_provider(capsys: pytest.CaptureFixture[str], text_file: Path) -> None:
    """--provider and --top narrow the comparison; estimates are marked with ~."""
    argv = ["estimate", str(text_file), "--max-output", "1k", "--compare"]
    status, out, _ = run(capsys, *argv, "--provider", "anthropic", "--top", "2")
    assert status == 0
    rows = [line.split() for line in out.splitlines() if re.match(r"^\d+\s+claude", line)]
    assert len(rows) == 2
    ranked = sorted(
        (llmcost.estimate(m, TEXT, max_output_tokens=1_000) for m in
         llmcost.list_models(provider="anthropic")),
        key=lambda c: (c.total, c.model),
    )  # fmt: skip
    for cells, c in zip(rows, ranked, strict=False):
        assert cells[1] == c.model
        assert cells[3] == f"~{c.usage.input_tokens:,}"
        assert cells[4] == usd(c.total)
    assert "~ estimated count" in out
    assert widest(out) <= 100


def test_estimate_usage_errors(capsys: pytest.CaptureFixture[str], text_file: Path) -> None:
    """--model or --compare is needed; --top and --provider only go with --compare."""
    base = ["estimate", str(text_file), "--max-output", "1k"]
    status, _, err = run(capsys, *base)
    assert status == 2
    assert "--model" in err
    assert run(capsys, *base, "--model", "gpt-4o", "--top", "3")[0] == 2
    assert run(capsys, *base, "--model", "gpt-4o")[0] == 0
    assert run(capsys, "estimate", str(text_file), "--model", "gpt-4o")[0] == 2


def test_program_estimate_compare_from_stdin() -> None:
    """`llmcost estimate - --compare` reads stdin once and counts it with every tokenizer."""
    proc = program("estimate", "-", "--max-output", "100", "--compare", "--json", stdin=TEXT)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    by_model = {d["model"]: d for d in data}
    for model in ("gpt-4o", "gpt-4", "claude-sonnet-4-5", "gemini-2.5-pro"):
        want = llmcost.estimate(model, TEXT, max_output_tokens=100)
        assert D(by_model[model]["total"]) == want.total


def test_program_count_from_stdin() -> None:
    """`llmcost count` reads stdin when no file is given."""
    proc = program("count", "--model", "gpt-4o", "--json", stdin=TEXT)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["tokens"] == count_tokens(TEXT, "gpt-4o")


# --- cost --------------------------------------------------------------------------------------


def cost_rows(out: str) -> dict[str, list[str]]:
    """The cost table's rows by label (label text joined up to the first number)."""
    rows = {}
    for line in out.splitlines():
        m = re.match(r"^\s*(\S.*?)\s{2,}(.*)$", line)
        if m and not line.startswith("-"):
            rows[m.group(1).strip()] = m.group(2).split()
    return rows


def test_cost_plain(capsys: pytest.CaptureFixture[str]) -> None:
    """The breakdown's rates and amounts are the library's."""
    want = llmcost.cost("gpt-4o", input_tokens=1_200, output_tokens=300)
    status, out, err = run(capsys, "cost", "gpt-4o", "--input", "1.2k", "--output", "300")
    assert status == 0, err
    rows = cost_rows(out)
    assert rows["input (uncached)"] == ["1,200", "2.5", usd(want.input)]
    assert rows["output"] == ["300", "10", usd(want.output)]
    assert rows["total"] == ["1,500", usd(want.total)]
    assert "exact total" not in out


def test_cost_everything(capsys: pytest.CaptureFixture[str]) -> None:
    """Cache reads, both cache writes, reasoning and batch: every row is the library's."""
    u = Usage(
        input_tokens=130_000,
        output_tokens=2_000,
        cache_read_tokens=100_000,
        cache_write_tokens=5_000,
        cache_write_1h_tokens=2_000,
        reasoning_tokens=1_500,
    )
    want = llmcost.cost("claude-sonnet-4-5", u, batch=True)
    argv = ["cost", "anthropic/claude-sonnet-4-5", "--input", "130,000", "--output", "2k"]
    argv += ["--cache-read", "100k", "--cache-write", "5_000", "--cache-write-1h", "2k"]
    argv += ["--reasoning", "1.5k", "--batch"]
    status, out, err = run(capsys, *argv)
    assert status == 0, err
    rows = cost_rows(out)
    assert rows["input (uncached)"][0] == "23,000"
    assert rows["input (uncached)"][2] == usd(want.input)
    assert rows["cache read"][2] == usd(want.cache_read)
    w5 = llmcost.cost(
        "claude-sonnet-4-5",
        Usage(input_tokens=130_000, cache_write_tokens=5_000),
        batch=True,
    ).cache_write
    w1h = want.cache_write - w5
    assert rows["cache write (5 min)"][2] == usd(w5)
    assert rows["cache write (1 hour)"][2] == usd(w1h)
    p = llmcost.get_price("claude-sonnet-4-5")
    factor = p.batch_input_per_mtok / p.input_per_mtok  # type: ignore[operator]
    assert D(rows["cache write (1 hour)"][1]) == p.cache_write_1h_per_mtok * factor  # type: ignore[operator]
    assert rows["output"][2] == usd(want.output)
    assert rows["of which reasoning"] == ["1,500"]
    assert rows["total"] == ["132,000", usd(want.total)]
    assert "batch rates" in out.splitlines()[0]
    data = run_json(capsys, *argv)
    assert data["usage"] == attrs.asdict(u)
    for field in ("input", "output", "cache_read", "cache_write", "total"):
        assert D(data[field]) == getattr(want, field), field
    assert data["batch"] is True
    assert data["model"] == "claude-sonnet-4-5"
    assert data["currency"] == "USD"


def test_cost_exact_total_when_rounding_hides_it(capsys: pytest.CaptureFixture[str]) -> None:
    """A total below a millionth of a dollar also prints the exact amount."""
    want = llmcost.cost("gpt-4o", input_tokens=1)
    status, out, _ = run(capsys, "cost", "gpt-4o", "--input", "1", "--output", "0")
    assert status == 0
    assert f"exact total: {want.total} USD" in out
    assert want.total == D("0.0000025")


def test_cost_long_context_tier(capsys: pytest.CaptureFixture[str]) -> None:
    """Above a tier's threshold the whole request is priced at the tier's rates."""
    tier = llmcost.get_price("gpt-5.4").tiers[0]
    n = tier.above_input_tokens + 1
    want = llmcost.cost("gpt-5.4", input_tokens=n, output_tokens=1_000)
    status, out, _ = run(capsys, "cost", "gpt-5.4", "--input", str(n), "--output", "1k")
    assert status == 0
    assert f"long-context rates (input over {tier.above_input_tokens:,} tokens)" in out
    rows = cost_rows(out)
    assert D(rows["input (uncached)"][1]) == tier.input_per_mtok
    assert D(rows["output"][1]) == tier.output_per_mtok
    assert rows["total"][-1] == usd(want.total)


def test_cost_at_date(capsys: pytest.CaptureFixture[str]) -> None:
    """--at prices with the period in force then."""
    data = run_json(capsys, "cost", "o3", "--input", "1M", "--output", "1M", "--at", "2025-01-01")
    want = llmcost.cost("o3", input_tokens=10**6, output_tokens=10**6, at=date(2025, 1, 1))
    assert D(data["total"]) == want.total == D(50)
    assert data["at"] == "2025-01-01"


def test_cost_missing_rate_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A rate the model lacks exits 1 with the library's explanation."""
    status, out, err = run(
        capsys, "cost", "gpt-4o", "--input", "100", "--cache-write", "10", "--output", "0"
    )
    assert status == 1
    assert out == ""
    assert "no cache-write rate" in err


def test_cost_inconsistent_usage_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """Cache tokens beyond the input exit 2 and speak of the options."""
    status, _, err = run(capsys, "cost", "gpt-4o", "--input", "10", "--cache-read", "20",
                         "--output", "0")  # fmt: skip
    assert status == 2
    assert "exceed --input" in err


def test_cost_requires_input_and_output(capsys: pytest.CaptureFixture[str]) -> None:
    """--input and --output are required."""
    status, _, err = run(capsys, "cost", "gpt-4o", "--input", "10")
    assert status == 2
    assert "--output" in err


# --- compare -----------------------------------------------------------------------------------


def test_compare_matches_library(capsys: pytest.CaptureFixture[str]) -> None:
    """Cheapest first, with the ratio to the cheapest; equal to llmcost.compare."""
    want = llmcost.compare(input_tokens=10_000, output_tokens=1_000)
    data = run_json(capsys, "compare", "--input", "10k", "--output", "1k")
    assert [d["model"] for d in data] == [c.model for c in want]
    assert [D(d["total"]) for d in data] == [c.total for c in want]
    assert [d["rank"] for d in data] == list(range(1, len(want) + 1))
    cheapest = want[0].total
    for d in data:
        assert abs(D(d["ratio"]) - D(d["total"]) / cheapest) < D("0.0001")


def test_compare_top_table(capsys: pytest.CaptureFixture[str]) -> None:
    """--top K shows the K cheapest, and the table's numbers are the library's."""
    want = llmcost.compare(input_tokens=10_000, output_tokens=1_000, cache_read_tokens=5_000,
                           provider="openai")  # fmt: skip
    argv = ["compare", "--input", "10k", "--output", "1k", "--cache-read", "5k"]
    status, out, err = run(capsys, *argv, "--provider", "openai", "--top", "3")
    assert status == 0, err
    rows = [line.split() for line in out.splitlines() if re.match(r"^\d+\s+\S+\s+openai\s", line)]
    assert len(rows) == 3
    for cells, c in zip(rows, want[:3], strict=True):
        _, model, provider, total, ratio, inp, cache, output = cells
        assert (model, provider) == (c.model, c.provider)
        assert (total, inp, cache, output) == (
            usd(c.total),
            usd(c.input),
            usd(c.cache_read + c.cache_write),
            usd(c.output),
        )
        assert ratio == f"{c.total / want[0].total:,.2f}x"
    assert f"{len(want) - 3} more not shown" in out
    assert widest(out) <= 100


def test_compare_models_list_dedupes_names(capsys: pytest.CaptureFixture[str]) -> None:
    """--models resolves names and drops repeats of the same model."""
    argv = ["compare", "--input", "1M", "--output", "100k"]
    data = run_json(capsys, *argv, "--models", "gpt-4o, gpt-4o-2024-08-06,claude-sonnet-4-5")
    assert sorted(d["model"] for d in data) == ["claude-sonnet-4-5", "gpt-4o"]
    want = llmcost.compare(input_tokens=10**6, output_tokens=10**5,
                           models=["gpt-4o", "claude-sonnet-4-5"])  # fmt: skip
    assert [D(d["total"]) for d in data] == [c.total for c in want]


def test_compare_batch_leaves_out_models(capsys: pytest.CaptureFixture[str]) -> None:
    """Models without a batch rate are left out, and the output says how many."""
    want = llmcost.compare(input_tokens=1_000, output_tokens=100, batch=True)
    status, out, _ = run(capsys, "compare", "--input", "1k", "--output", "100", "--batch")
    assert status == 0
    left_out = len(llmcost.list_models()) - len(want)
    assert left_out > 0
    assert f"{left_out} left out" in out


def test_compare_models_missing_rate(capsys: pytest.CaptureFixture[str]) -> None:
    """A named model without the needed rate is an error, not silently dropped."""
    status, _, err = run(capsys, "compare", "--input", "1k", "--output", "1", "--batch",
                         "--models", "gpt-4o,grok-4")  # fmt: skip
    assert status == 1
    assert "grok-4 has no batch rate" in err


def test_compare_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """--models with --provider, an empty list, an unknown model, --top 0: all exit 2."""
    base = ["compare", "--input", "1k", "--output", "1"]
    assert run(capsys, *base, "--models", "gpt-4o", "--provider", "openai")[0] == 2
    assert run(capsys, *base, "--models", " , ")[0] == 2
    status, _, err = run(capsys, *base, "--models", "gpt-4o,nope-model")
    assert status == 2
    assert "unknown model 'nope-model'" in err
    assert run(capsys, *base, "--top", "0")[0] == 2


# --- report ------------------------------------------------------------------------------------


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


def record_some(t: Tracker) -> None:
    t.record("gpt-4o", Usage(input_tokens=1_200, output_tokens=300), feature="search")
    t.record(
        "claude-sonnet-4-5",
        Usage(input_tokens=12_000, output_tokens=800, cache_read_tokens=10_000,
              cache_write_tokens=1_000, cache_write_1h_tokens=500, reasoning_tokens=100),
        feature="chat",
    )  # fmt: skip
    t.record("gpt-4o-mini", Usage(input_tokens=1_000_000, output_tokens=7), batch=True)
    t.record("openai/gpt-4o-2024-08-06", Usage(input_tokens=3, output_tokens=4), feature="search")


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
        assert {k: g[k] for k in attrs.asdict(c.usage)} == attrs.asdict(c.usage)
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
        cached = u.cache_read_tokens + u.cache_write_tokens + u.cache_write_1h_tokens
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
    t.record("gpt-4o", Usage(input_tokens=10), model="a")
    t.record("gpt-4o", Usage(input_tokens=20), model="b")
    path = tmp_path / "log.jsonl"
    llmcost.write_cost_log(t.records(), path)
    data = run_json(capsys, "report", str(path), "--by", "tag:model")
    assert {g["key"]: D(g["total"]) for g in data["groups"]} == {
        k: c.total for k, c in t.by_tag("model").items()
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
    anthropic = {"model": "claude-sonnet-4-5", "type": "message",
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
    assert c_openai.total != llmcost.cost_of_response(openai).total  # the old price applied
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
    monkeypatch.setattr(_cli, "MAX_LINE_ERRORS", 2)
    path = tmp_path / "junk.jsonl"
    path.write_text("x\n" * 5)
    status, _, err = run(capsys, "report", str(path))
    assert status == 3
    assert err.count(": skipped: ") == 2
    assert "3 more malformed lines not shown" in err
    assert "5 malformed line(s) skipped" in err


def test_report_parallel_equals_serial(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big file split across processes gives the same totals and line numbers."""
    t = Tracker()
    for i in range(300):
        t.record("gpt-4o" if i % 3 else "claude-sonnet-4-5",
                 Usage(input_tokens=1_000 + i, output_tokens=i), feature=f"f{i % 4}")  # fmt: skip
    lines = [r.to_json() for r in t.records()]
    for n in (7, 150, 290):  # malformed lines spread over the chunks
        lines[n - 1] = "{broken"
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n")
    serial_status, serial_out, serial_err = run(capsys, "report", str(path), "--json")
    monkeypatch.setattr(_cli, "PARALLEL_MIN_BYTES", 4096)
    monkeypatch.setattr(_cli, "_cpus", lambda: 4)
    assert len(_cli._chunks(str(path))) == 4
    status, out, err = run(capsys, "report", str(path), "--json")
    assert (status, out, err) == (serial_status, serial_out, serial_err)
    assert status == 3
    assert re.findall(r":(\d+): skipped", err) == ["7", "150", "290"]


def test_chunks_start_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Byte ranges for workers cover the file and each starts at a line start."""
    monkeypatch.setattr(_cli, "PARALLEL_MIN_BYTES", 100)
    monkeypatch.setattr(_cli, "_cpus", lambda: 8)
    data = b"".join(b"x" * (i % 17) + b"\n" for i in range(200))
    path = tmp_path / "f"
    path.write_bytes(data)
    chunks = _cli._chunks(str(path))
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


# --- prices ------------------------------------------------------------------------------------


def test_prices_csv_equals_rows(capsys: pytest.CaptureFixture[str]) -> None:
    """The CSV has the documented columns and one row per price period, as price_rows."""
    from llmcost._rows import PRICE_COLUMNS, price_rows

    status, out, err = run(capsys, "prices", "--format", "csv")
    assert status == 0, err
    reader = csv.DictReader(io.StringIO(out))
    assert tuple(reader.fieldnames or ()) == PRICE_COLUMNS
    got = list(reader)
    want = price_rows(Registry.default())
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g == {k: "" if v is None else str(v) for k, v in w.items()}


def test_prices_jsonl_and_aliases(capsys: pytest.CaptureFixture[str]) -> None:
    """JSON lines carry the rows as they are; --aliases exports the alias table."""
    from llmcost._rows import ALIAS_COLUMNS, alias_rows, price_rows

    status, out, _ = run(capsys, "prices", "--format", "jsonl")
    assert status == 0
    assert [json.loads(line) for line in out.splitlines()] == price_rows(Registry.default())
    status, out, _ = run(capsys, "prices", "--format", "jsonl", "--aliases")
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows == alias_rows(Registry.default())
    assert tuple(rows[0]) == ALIAS_COLUMNS
    assert run_json(capsys, "prices", "--aliases") == rows


# --- shared options ----------------------------------------------------------------------------


def test_registry_file_adds_models(capsys: pytest.CaptureFixture[str]) -> None:
    """--registry FILE prices models the shipped data lacks, and keeps the shipped ones."""
    reg = Registry.default().with_prices(*Registry.from_file(FIXTURE).prices())
    data = run_json(capsys, "cost", "alpha-1", "--input", "1M", "--output", "1M",
                    "--registry", FIXTURE)  # fmt: skip
    assert D(data["total"]) == llmcost.cost("alpha-1", input_tokens=10**6, output_tokens=10**6,
                                            registry=reg).total  # fmt: skip
    assert run(capsys, "price", "gpt-4o", "--registry", FIXTURE)[0] == 0
    assert run(capsys, "price", "alpha-1")[0] == 2


def test_llmcost_prices_env(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """LLMCOST_PRICES is honoured like --registry."""
    monkeypatch.setenv("LLMCOST_PRICES", FIXTURE)
    data = run_json(capsys, "price", "alpha-1")
    assert data["model"] == "alpha-1"


def test_bad_registry_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A malformed price file exits 1 with the file named."""
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    status, _, err = run(capsys, "models", "--registry", str(bad))
    assert status == 1
    assert "bad.json" in err and "not valid JSON" in err


def test_json_option_before_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    """--json and --registry also work before the command name."""
    data = run_json(capsys, "--registry", FIXTURE, "price", "alpha-1-mini")
    assert data["model"] == "alpha-1-mini"
    status, out, _ = run(capsys, "--json", "cost", "gpt-4o", "--input", "1", "--output", "1")
    assert status == 0
    assert json.loads(out)["model"] == "gpt-4o"


@pytest.mark.parametrize(
    "command", ["models", "price", "count", "cost", "compare", "estimate", "report", "prices"]
)
def test_help_has_an_example(capsys: pytest.CaptureFixture[str], command: str) -> None:
    """Each command's --help exits 0 with an example and the exit statuses."""
    status, out, _ = run(capsys, command, "--help")
    assert status == 0
    assert "example" in out
    assert f"llmcost {command}" in out.split("example")[1]
    assert "exit status:" in out
    assert widest(out) <= 100


def test_main_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    """The top-level help lists the commands and exit codes; --version prints the version."""
    status, out, _ = run(capsys, "--help")
    assert status == 0
    assert "3  report: some lines were malformed" in out
    assert "LLMCOST_PRICES" in out
    status, out, _ = run(capsys, "--version")
    assert (status, out) == (0, f"llmcost {llmcost.__version__}\n")


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a command: usage, exit 2."""
    status, _, err = run(capsys)
    assert status == 2
    assert "usage: llmcost" in err


# --- as a program ------------------------------------------------------------------------------


def test_console_script_cost_json() -> None:
    """The installed `llmcost` script prints the library's cost."""
    proc = program("cost", "gpt-4o", "--input", "1,200", "--output", "300", "--json")
    assert proc.returncode == 0, proc.stderr
    want = llmcost.cost("gpt-4o", input_tokens=1_200, output_tokens=300)
    assert D(json.loads(proc.stdout)["total"]) == want.total


def test_python_dash_m() -> None:
    """`python -m llmcost` is the same command line."""
    proc = subprocess.run(
        [sys.executable, "-m", "llmcost", "price", "gpt-4o", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        D(json.loads(proc.stdout)["input_per_mtok"]) == llmcost.get_price("gpt-4o").input_per_mtok
    )
    proc = subprocess.run([sys.executable, "-m", "llmcost", "--help"], capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert proc.stdout.startswith("usage: llmcost ")


def test_program_errors_and_statuses(tmp_path: Path) -> None:
    """Errors go to stderr with the documented statuses, never a traceback."""
    proc = program("price", "gpt-4o-mni")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert "did you mean 'gpt-4o-mini'" in proc.stderr
    path = tmp_path / "log.jsonl"
    path.write_text("garbage\n")
    proc = program("report", str(path))
    assert proc.returncode == 3
    assert f"{path}:1: skipped" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_program_report_from_stdin() -> None:
    """`llmcost report -` reads the log from stdin."""
    t = Tracker()
    record_some(t)
    text = "\n".join(r.to_json() for r in t.records()) + "\n"
    proc = program("report", "-", "--json", stdin=text)
    assert proc.returncode == 0, proc.stderr
    assert D(json.loads(proc.stdout)["total"]) == t.total


def test_closed_pipe_is_quiet() -> None:
    """`llmcost models | head -1` ends without a traceback."""
    proc = subprocess.Popen([str(BIN), "models"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    proc.wait()
    assert b"Traceback" not in err


def test_cli_import_is_cheap() -> None:
    """Importing the CLI (and --help) loads neither tiktoken nor the heavier stdlib modules."""
    code = (
        "import sys, llmcost._cli as c; c.build_parser().format_help(); "
        "heavy = ['tiktoken', 'csv', 'concurrent.futures', 'multiprocessing', 'difflib', "
        "'gzip', 'importlib.metadata']; "
        "print([m for m in heavy if m in sys.modules])"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
