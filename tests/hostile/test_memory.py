"""Bounded reads: endless, huge and hostile inputs under an address-space limit (issue 16 #8).

Each case runs in a fresh interpreter whose address space is capped with
``resource.setrlimit(RLIMIT_AS, ...)`` at a few hundred MiB, far below what reading the whole
input would take, and must end with llmcost's error within the time limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

resource = pytest.importorskip("resource")
pytestmark = pytest.mark.skipif(
    not os.path.exists("/dev/zero") or sys.platform == "darwin",
    reason="needs /dev/zero and an enforced RLIMIT_AS (Linux)",
)

LIMIT_MIB = 256
PRELUDE = f"""
import resource
resource.setrlimit(resource.RLIMIT_AS, ({LIMIT_MIB} << 20, {LIMIT_MIB} << 20))
import llmcost
llmcost.cost("gpt-4o", input_tokens=1)  # the shipped prices load within the limit
"""


def run_limited(code: str, *, env: dict[str, str] | None = None, timeout: float = 120) -> str:
    """Run *code* after PRELUDE in a fresh interpreter; return its stdout (it must exit 0)."""
    program = PRELUDE + textwrap.dedent(code)
    result = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2_000:]
    return result.stdout


def test_the_limit_is_enforced() -> None:
    """The cap is real: allocating past it inside the subprocess is a MemoryError."""
    out = run_limited(
        """
        try:
            b = bytearray(1 << 30)
        except MemoryError:
            print("MemoryError")
        """
    )
    assert out.strip() == "MemoryError"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        ("llmcost.image_size('/dev/zero')", "ImageError"),
        ("llmcost.image_tokens('gpt-4o', image='/dev/zero')", "ImageError"),
        ("list(llmcost.read_cost_log('/dev/zero'))", "InvalidUsageError"),
        ("llmcost.Registry.from_file('/dev/zero')", "PriceDataError"),
    ],
)
def test_dev_zero(call: str, error: str) -> None:
    """/dev/zero, which never ends, is refused with llmcost's error in bounded memory."""
    out = run_limited(
        f"""
        try:
            {call}
        except llmcost.{error} as e:
            print("refused:", type(e).__name__)
        """
    )
    assert out.strip() == f"refused: {error}"


def test_llmcost_prices_dev_zero() -> None:
    """LLMCOST_PRICES=/dev/zero is a PriceDataError naming the variable, in bounded memory."""
    program = f"""
import resource
resource.setrlimit(resource.RLIMIT_AS, ({LIMIT_MIB} << 20, {LIMIT_MIB} << 20))
import llmcost
try:
    llmcost.cost("gpt-4o", input_tokens=1)
except llmcost.PriceDataError as e:
    print("refused:", "LLMCOST_PRICES" in str(e))
"""
    result = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LLMCOST_PRICES": "/dev/zero"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2_000:]
    assert result.stdout.strip() == "refused: True"


def test_sparse_huge_jpeg(tmp_path: Path) -> None:
    """A 1.5 GB file starting FF D8 FF E1 FF FF is refused after one segment, not read whole."""
    path = tmp_path / "huge.jpg"
    with path.open("wb") as f:
        f.write(b"\xff\xd8\xff\xe1\xff\xff")
        f.seek(1_500_000_000)
        f.write(b"\x00")
    out = run_limited(
        f"""
        import time
        t = time.perf_counter()
        try:
            llmcost.image_size({str(path)!r})
        except llmcost.ImageError as e:
            print("refused", time.perf_counter() - t < 5, "marker" in str(e))
        """
    )
    assert out.strip() == "refused True True"


@pytest.mark.parametrize(
    ("segment", "limit"),
    [
        ('b"\\xff\\xfe\\x00\\x02"', "4,096 segments"),  # empty comments, forever
        ('b"\\xff\\xe1\\xff\\xff" + bytes(65533)', "64 MiB"),  # full APP1 segments
    ],
    ids=["many-segments", "many-bytes"],
)
def test_jpeg_from_a_pipe_that_never_ends(tmp_path: Path, segment: str, limit: str) -> None:
    """A FIFO streaming JPEG segments forever is refused at the documented bound."""
    fifo = tmp_path / "endless.jpg"
    os.mkfifo(fifo)
    out = run_limited(
        f"""
        import os, threading
        def feed():
            fd = os.open({str(fifo)!r}, os.O_WRONLY)
            try:
                os.write(fd, b"\\xff\\xd8")
                segment = {segment}
                chunk = segment * (1 + 65536 // len(segment))
                while True:
                    os.write(fd, chunk)
            except BrokenPipeError:
                pass
            finally:
                os.close(fd)
        threading.Thread(target=feed, daemon=True).start()
        try:
            llmcost.image_size({str(fifo)!r})
        except llmcost.ImageError as e:
            print("refused:", str(e))
        """
    )
    assert out.startswith("refused:") and limit in out


def test_jpeg_with_endless_fill_bytes() -> None:
    """A run of 0xFF fill bytes that never ends is refused after 64 KiB of them."""
    out = run_limited(
        """
        try:
            llmcost.image_size(b"\\xff\\xd8" + b"\\xff" * 10_000_000)
        except llmcost.ImageError as e:
            print("refused:", "fill bytes" in str(e))
        """
    )
    assert out.strip() == "refused: True"


def test_cost_log_line_that_never_ends(tmp_path: Path) -> None:
    """A FIFO streaming one endless line is refused after 1 MiB, naming the line."""
    fifo = tmp_path / "endless.jsonl"
    os.mkfifo(fifo)
    out = run_limited(
        f"""
        import os, threading
        def feed():
            fd = os.open({str(fifo)!r}, os.O_WRONLY)
            try:
                while True:
                    os.write(fd, b'{{"tags": "' + b"x" * 65536)
            except BrokenPipeError:
                pass
            finally:
                os.close(fd)
        threading.Thread(target=feed, daemon=True).start()
        try:
            list(llmcost.read_cost_log({str(fifo)!r}))
        except llmcost.InvalidUsageError as e:
            print("refused:", str(e)[-40:])
        """
    )
    assert "line 1: longer than 1,048,576 characters" in out
