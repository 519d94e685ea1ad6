"""The command line as a whole: argument parsing, shared options, errors, and as a program."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import llmcost
import llmcost._cli
from llmcost import Registry, Tracker
from llmcost._cli import parse_tokens
from llmcost._cli._args import parse_at

from .cli_helpers import BIN, FIXTURE, D, program, record_some, run, run_json, widest

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
    ("text", "expected"),
    [
        ("2026-11-25", "2026-11-25"),
        ("2026-11-25T10:00", "2026-11-25T10:00:00+00:00"),
        ("2026-11-25 10:00", "2026-11-25T10:00:00+00:00"),
        ("2026-11-25T10:00Z", "2026-11-25T10:00:00+00:00"),
        ("2026-11-25T10:00+08:00", "2026-11-25T02:00:00+00:00"),
        ("2026-11-25T23:30-05:00", "2026-11-26T04:30:00+00:00"),
    ],
)
def test_at_values(text: str, expected: str) -> None:
    """--at takes an ISO date (a UTC day) or a date-time, naive meaning UTC, shown in UTC."""
    assert parse_at(text).isoformat() == expected


@pytest.mark.parametrize("text", ["28/11/2026", "2026-13-01", "tomorrow", "", "2026-11-25T25:00"])
def test_at_invalid(text: str) -> None:
    """Anything else is refused with a message showing the accepted forms."""
    with pytest.raises(ValueError, match="2026-11-25T10:00"):
        parse_at(text)


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
    """A malformed, non-UTF-8, missing or endless price file: one error line naming it, exit 1."""
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    latin = tmp_path / "latin1.json"
    latin.write_bytes('{"schema_version": 2, "models": [], "note": "café"}'.encode("latin-1"))
    for path, needle in ((bad, "not valid JSON"), (latin, "not UTF-8"),
                         (tmp_path / "missing.json", "No such file"), (tmp_path, "")):  # fmt: skip
        status, out, err = run(capsys, "models", "--registry", str(path))
        assert (status, out) == (1, "")
        assert err.startswith("llmcost: error: ") and err.count("\n") == 1, err
        assert path.name in err and needle in err
        assert "Traceback" not in err


def test_bad_registry_file_as_a_program(tmp_path: Path) -> None:
    """As a program, a non-UTF-8 --registry file and /dev/zero end in one line, no traceback."""
    latin = tmp_path / "latin1.json"
    latin.write_bytes(b'{"schema_version": 2, "models": [], "x": "caf\xe9"}')
    for path in (str(latin), "/dev/zero"):
        proc = program("price", "gpt-4o", "--registry", path)
        assert proc.returncode == 1
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


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


def test_cost_help_lists_the_request_context_and_parts(capsys: pytest.CaptureFixture[str]) -> None:
    """`cost --help` documents the new usage parts and the request-context options."""
    status, out, _ = run(capsys, "cost", "--help")
    assert status == 0
    options = "--service-tier --speed --inference-geo --batch --at --cache-write-5m "
    options += "--cache-write-30m --cache-write-1h --cache-write-12h --reasoning --audio-input "
    for option in (options + "--tool --requests").split():
        assert option in out, option
    status, out, _ = run(capsys, "compare", "--help")
    assert "--include-retired" in out and "--kind" in out


_WORDS = st.sampled_from(
    ["gpt-4o", "--input", "--output", "1k", "-1", "1e3", "--at", "2026-11-25", "--json",
     "--by", "day", "--models", "--tool", "web_search=2", "--service-tier", "flex", "\x1b[2J",
     "--registry", "/nonexistent", "gpt-4o" + "-latest" * 300, "--cache-write-1h", "5"]
)  # fmt: skip


@settings(max_examples=150)
@given(
    st.sampled_from(["models", "price", "cost", "compare", "report", "count", "estimate"]),
    st.lists(st.one_of(_WORDS, st.text(max_size=12)), max_size=8),
)
def test_fuzzed_command_lines_exit_cleanly(command: str, words: list[str]) -> None:
    """Any command line ends with a documented exit status, never an exception."""
    words = [w for w in words if w not in ("-", "--help", "-h", "/dev/stdin")]
    status = llmcost._cli.main([command, *words])
    assert status in (0, 1, 2, 3)
