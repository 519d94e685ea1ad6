"""The file commands: ``count`` and ``estimate`` (files and stdin, read in bounded chunks)."""

from __future__ import annotations

import io
import json
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

import llmcost
from llmcost._cli import _files, _output, main
from llmcost._tokens import count_file_tokens, count_tokens, estimate_tokens, tokenizer_for

from .cli_helpers import D, cost_rows, program, run, run_json, usd, widest

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
    monkeypatch.setattr(_files, "CHUNK_BYTES", chunk)
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
    status, out, _ = run(capsys, "count", str(text_file), "--model", "anthropic/claude-sonnet-4-6")
    assert status == 0
    assert out.rstrip().endswith("claude-sonnet-4-6: estimate (claude profile)")
    assert f" {estimate_tokens(TEXT, 'claude-sonnet-4-6'):,} " in out
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
    monkeypatch.setattr(_output, "PROGRESS_MIN_BYTES", 1_000)
    monkeypatch.setattr(_files, "CHUNK_BYTES", 512)
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
    monkeypatch.setattr(_output, "PROGRESS_MIN_BYTES", 1_000)
    status, _, err = run(capsys, "count", str(text_file), "--model", "gpt-4o")
    assert (status, err) == (0, "")
    monkeypatch.setattr(_output, "PROGRESS_MIN_BYTES", 10**9)
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(["count", str(text_file), "--model", "gpt-4o"]) == 0
    assert tty.getvalue() == ""


def test_count_memory_is_bounded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Peak memory does not grow with the size of the input."""
    import tracemalloc

    monkeypatch.setattr(_files, "CHUNK_BYTES", 64 * 1024)
    line = "Pricing tokens, exactly; naïve estimates drift. 価格。\n"
    peaks = []
    for copies in (20_000, 80_000):
        path = tmp_path / f"big-{copies}.txt"
        path.write_text(line * copies, encoding="utf-8")
        run(capsys, "count", str(path), "--model", "claude-sonnet-4-6")  # warm caches
        tracemalloc.start()
        try:
            status, _, _ = run(capsys, "count", str(path), "--model", "claude-sonnet-4-6")
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert status == 0
    size = len((line * 80_000).encode())
    assert peaks[1] < size / 4
    assert peaks[1] < 1.5 * peaks[0]


# --- estimate ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["gpt-4o", "gpt-4.1", "claude-sonnet-4-6", "mistral-large", "gemini-3.5-flash"]
)
def test_estimate_equals_library(
    capsys: pytest.CaptureFixture[str], text_file: Path, model: str
) -> None:
    """The file as a prompt costs what llmcost.estimate says (exact or estimated input)."""
    want = llmcost.estimate(model, TEXT, max_output_tokens=2_000)
    data = run_json(capsys, "estimate", str(text_file), "--model", model, "--max-output", "2k")
    assert data["model"] == want.model
    assert data["usage"] == {**want.usage.counts(), "tool_calls": {}}
    for field in ("input", "output", "total"):
        assert D(data[field]) == getattr(want, field)
    assert data["input_exact"] is want.input_exact
    assert data["input_exact"] is tokenizer_for(model).exact


def test_estimate_table_and_limits(capsys: pytest.CaptureFixture[str], text_file: Path) -> None:
    """The breakdown shows the library's amounts and warns about the model's limits."""
    want = llmcost.estimate("gpt-4o", TEXT, max_output_tokens=200_000)
    p = llmcost.get_price("gpt-4o")
    assert p.context_window and p.context_window < 200_000
    argv = ["estimate", str(text_file), "--model", "gpt-4o", "--max-output", "200k"]
    status, out, _ = run(capsys, *argv)
    assert status == 0
    assert f"{want.usage.input_tokens:,} input tokens, exact (o200k_base)" in out
    rows = cost_rows(out)
    assert rows["total"][-1] == usd(want.total)
    assert f"exceed gpt-4o's context window of {p.context_window:,}" in out
    assert f"writes at most {p.max_output_tokens:,} output tokens" in out


def test_estimate_compare_every_model(capsys: pytest.CaptureFixture[str], text_file: Path) -> None:
    """--compare prices the file on every model with its own tokenizer, cheapest first."""
    at = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0)
    data = run_json(capsys, "estimate", str(text_file), "--max-output", "1k", "--compare",
                    "--at", at.isoformat())  # fmt: skip
    reg = llmcost.Registry.default()
    never = datetime.max.replace(tzinfo=timezone.utc)
    lasts = [reg.history(m)[-1] for m in reg.models(include_retired=True)]
    current = {p.model for p in lasts if p.kind == "chat" and (p.retired_at or never) > at}
    assert {d["model"] for d in data} == current
    for d in data:
        want = llmcost.estimate(d["model"], TEXT, max_output_tokens=1_000, at=at)
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
    for model in ("gpt-4o", "gpt-4.1", "claude-sonnet-4-6", "mistral-large"):
        want = llmcost.estimate(model, TEXT, max_output_tokens=100)
        assert D(by_model[model]["total"]) == want.total


def test_program_count_from_stdin() -> None:
    """`llmcost count` reads stdin when no file is given."""
    proc = program("count", "--model", "gpt-4o", "--json", stdin=TEXT)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["tokens"] == count_tokens(TEXT, "gpt-4o")


# --- bounded reads -----------------------------------------------------------------------------

_PEAK = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(proc.returncode, peak * (1 if sys.platform == "darwin" else 1024))
print(proc.stdout)
print(proc.stderr)
"""


def _peak(*argv: str) -> tuple[int, int, str]:
    """(exit status, peak RSS in bytes, output) of the console script run as a child process."""
    import subprocess

    from .cli_helpers import BIN

    proc = subprocess.run([sys.executable, "-c", _PEAK, str(BIN), *argv],
                          capture_output=True, text=True, check=True, timeout=300)  # fmt: skip
    status, peak = proc.stdout.split("\n", 1)[0].split()
    return int(status), int(peak), proc.stdout


@pytest.mark.parametrize(("size", "flags"), [(64_000_000, ["--estimate"]), (8_000_000, [])])
def test_count_binary_input_in_flat_memory(tmp_path: Path, size: int, flags: list[str]) -> None:
    """NUL bytes (no whitespace anywhere) are counted, estimated or exactly, in flat memory."""
    path = tmp_path / "zeros.bin"
    with path.open("wb") as f:
        f.truncate(size)
    status, peak, text = _peak("count", str(path), "--model", "gpt-4o", "--json", *flags)
    assert status == 0, text
    assert peak < 150 * 2**20
    assert f'"bytes": {size}' in text


def test_estimate_refuses_a_prompt_no_model_holds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A prompt beyond MAX_PROMPT_BYTES (a file, or stdin read twice) is refused, exit 1."""
    monkeypatch.setattr(_files, "MAX_PROMPT_BYTES", 1_000)
    monkeypatch.setattr(_files, "CHUNK_BYTES", 256)
    path = tmp_path / "big.txt"
    path.write_text("word " * 1_000)
    status, out, err = run(capsys, "estimate", str(path), "--model", "gpt-4o", "--max-output", "1")
    assert (status, out) == (1, "")
    assert "larger than" in err and "context window" in err
    for argv in (["--model", "gpt-4o"], ["--compare"]):  # one pass; two passes spool stdin
        monkeypatch.setattr(sys, "stdin", FakeStdin(b"word " * 1_000))
        status, _, err = run(capsys, "estimate", "-", "--max-output", "1", *argv)
        assert status == 1, err
        assert "<stdin>: larger than" in err


def test_count_reads_in_chunks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The input is handed to the counter in chunks of at most CHUNK_BYTES characters."""
    monkeypatch.setattr(_files, "CHUNK_BYTES", 1_000)
    path = tmp_path / "one-line.txt"
    path.write_bytes(b"x" * 10_500)
    sizes: list[int] = []
    source = _files.Input(str(path))
    try:
        n = source.count(lambda chunks: sum(sizes.append(len(c)) or 1 for c in chunks), "t")
    finally:
        source.close()
    assert n == len(sizes) == 11
    assert max(sizes) <= 1_000
    assert sum(sizes) == 10_500


def test_count_missing_and_odd_paths(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A missing file, a directory or an unprintable name: one line on stderr, exit 1."""
    for path in (tmp_path / "nope\x1b[2J.txt", tmp_path):
        status, out, err = run(capsys, "count", str(path), "--model", "gpt-4o")
        assert (status, out) == (1, "")
        assert err.count("\n") == 1 and "\x1b" not in err
        assert "Traceback" not in err
