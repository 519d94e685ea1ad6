"""First use from 16 threads at once, in fresh processes (issue 16 #1).

The race needs a fresh interpreter each time (lazy modules, the first registry load, the
tokenizer caches), so the script runs in many new processes, a few at a time. The number of
runs is ``LLMCOST_FIRST_USE_RUNS`` (default 24; the race was seen in 30 of 40 runs).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("first_use.py")
RUNS = int(os.environ.get("LLMCOST_FIRST_USE_RUNS", "24"))
AT_ONCE = 4


def test_sixteen_threads_first_use() -> None:
    """No thread's first call raises, in any of the fresh processes."""
    failures: list[str] = []
    for start in range(0, RUNS, AT_ONCE):
        procs = [
            subprocess.Popen(
                [sys.executable, str(SCRIPT)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={k: v for k, v in os.environ.items() if k != "LLMCOST_PRICES"},
            )
            for _ in range(min(AT_ONCE, RUNS - start))
        ]
        for p in procs:
            out, err = p.communicate(timeout=120)
            lines = out.splitlines()
            if p.returncode != 0 or lines[-1:] != ["done"] or len(lines) > 1:
                failures.append(out + err[-2_000:])
    assert not failures, f"{len(failures)} of {RUNS} runs failed; first:\n{failures[0]}"
