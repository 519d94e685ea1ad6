"""Helpers shared by the command-line tests: run the CLI in-process or as a program."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from llmcost import Tracker, Usage
from llmcost._cli import main

from .conftest import DATA

D = Decimal
BIN = Path(sys.executable).parent / "llmcost"
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
    """How the tables show money: dollars to a millionth, half-even (computed here)."""
    return f"${amount.quantize(Decimal('0.000001')):,.6f}"


def widest(text: str) -> int:
    """The longest line of *text*."""
    return max((len(line) for line in text.splitlines()), default=0)


def program(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console script."""
    env = {k: v for k, v in os.environ.items() if k != "LLMCOST_PRICES"}
    return subprocess.run(
        [str(BIN), *argv], input=stdin, capture_output=True, text=True, env=env, check=False
    )


def cost_rows(out: str) -> dict[str, list[str]]:
    """The cost table's rows by label (label text joined up to the first number)."""
    rows = {}
    for line in out.splitlines():
        m = re.match(r"^\s*(\S.*?)\s{2,}(.*)$", line)
        if m and not line.startswith("-"):
            rows[m.group(1).strip()] = m.group(2).split()
    return rows


def record_some(t: Tracker) -> None:
    """Four requests: plain, cache reads and both cache writes, batch, a dated alias."""
    t.record("gpt-4o", Usage(input_tokens=1_200, output_tokens=300), feature="search")
    t.record(
        "claude-sonnet-4-6",
        Usage(input_tokens=12_000, output_tokens=800, cache_read_tokens=10_000,
              cache_write_5m_tokens=1_000, cache_write_1h_tokens=500, reasoning_tokens=100),
        feature="chat",
    )  # fmt: skip
    t.record("gpt-4o-mini", Usage(input_tokens=1_000_000, output_tokens=7), batch=True)
    t.record("openai/gpt-4o-2024-08-06", Usage(input_tokens=3, output_tokens=4), feature="search")
