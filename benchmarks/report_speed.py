"""`llmcost report` / `cost_report` on a large cost log: lines per second, and flat memory.

Writes JSON-lines cost logs of 250,000 and 1,000,000 lines to /tmp (real `CostRecord.to_json`
lines from a `Tracker`: four models, three tags, cache reads and writes, tool uses, a spread
of days).

First, side by side in this process on the same 200,000 lines, the fastest of ``--repeat``
alternating runs of: `cost_report` (one process), the report loop of llmcost 0.1 (copied
below as it was: it read four amounts fewer and checked less), and `json.loads` of each line
alone. The target: at least 0.9x the 0.1 loop's lines per second, with every line validated.

Then ``llmcost report`` on each log in a fresh process, three ways:

* ``default``: as a user runs it (a file this large is split across the CPUs);
* ``1 process``: everything in one process (``PARALLEL_MIN_BYTES`` raised out of reach);
* ``tracemalloc``: one process under tracemalloc, for the peak of Python allocations (slower,
  so not timed).

Each timed case is the fastest of ``--repeat`` fresh processes: on a shared machine the slower
runs measure the neighbours.

Peak RSS is the largest resident set of the process or of any worker process it started. The
target (issue: cost-log report) is at least 200,000 lines per second; memory must not grow
with the size of the log.

    python benchmarks/report_speed.py [--lines 1000000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

TARGET = 200_000
TARGET_RATIO = 0.9  # of the 0.1 report loop's rate, side by side
DISTINCT = 20_000  # distinct lines, cycled (generating a million records would take minutes)


def make_lines(n: int, seed: int = 1) -> list[str]:
    """*n* distinct cost-record lines, as a Tracker and its CostLogHandler write them."""
    import attrs

    from llmcost import Tracker, Usage

    rng = random.Random(seed)
    tracker = Tracker()
    models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-6", "gemini-3.5-flash"]
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    out = []
    for k in range(n):
        inp = rng.randint(100, 50_000)
        model = rng.choice(models)
        extra = {}
        if model == "claude-sonnet-4-6" and k % 5 == 0:  # one line in 20: writes and a search
            extra = {"cache_write_5m_tokens": inp // 4, "tool_calls": {"web_search": 1}}
        cost = tracker.record(
            model,
            Usage(
                input_tokens=inp,
                output_tokens=rng.randint(1, 4_000),
                cache_read_tokens=rng.choice((0, 0, inp // 2)),
                **extra,
            ),
            feature=rng.choice(("search", "chat", "summarise")),
            user=f"u{rng.randint(1, 500)}",
        )
        assert cost is not None
        when = start + timedelta(seconds=rng.randint(0, 27 * 86_400))
        out.append(attrs.evolve(tracker.records()[-1], time=when).to_json())
        tracker.reset()
    return out


def write_log(path: Path, lines: list[str], n: int) -> None:
    """A log of *n* lines, cycling through *lines*."""
    with path.open("w", encoding="utf-8") as f:
        full, rest = divmod(n, len(lines))
        block = "\n".join(lines) + "\n"
        for _ in range(full):
            f.write(block)
        if rest:
            f.write("\n".join(lines[:rest]) + "\n")


def measure(path: str, mode: str) -> None:
    """(In a child process) run `report` on *path* and print one JSON line of measurements."""
    import resource

    from llmcost import _cli, _report

    if mode != "default":
        _report.PARALLEL_MIN_BYTES = 1 << 62
    if mode == "tracemalloc":
        import tracemalloc

        tracemalloc.start()
    devnull = open(os.devnull, "w")  # noqa: SIM115 - lives as long as this process
    real_stdout, sys.stdout = sys.stdout, devnull
    t0 = time.perf_counter()
    status = _cli.main(["report", path, "--by", "day"])
    seconds = time.perf_counter() - t0
    sys.stdout = real_stdout
    peak = None
    if mode == "tracemalloc":
        import tracemalloc

        peak = tracemalloc.get_traced_memory()[1]
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
    rss = _own_peak_rss() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale
    print(
        json.dumps(
            {
                "status": status,
                "seconds": seconds,
                "rss": max(rss, children),
                "tracemalloc_peak": peak,
            }
        )
    )


def _own_peak_rss() -> int | None:
    """This process's peak RSS in bytes (Linux VmHWM), or None.

    Not `ru_maxrss` of RUSAGE_SELF: on Linux it survives exec, so a child would report the peak
    of the benchmark process that started it.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def run(path: Path, mode: str, repeat: int) -> dict[str, float]:
    """The fastest of *repeat* fresh processes (the others were slowed by something else)."""
    results = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(path), "--mode", mode],
            check=True,
            capture_output=True,
            text=True,
        )
        result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
        if result["status"] != 0:
            msg = f"report exited with {result['status']}: {out.stderr}"
            raise SystemExit(msg)
        results.append(result)
    return min(results, key=lambda r: r["seconds"])


_AMOUNT = "gen_ai.usage.cost.amount"
_IN, _OUT = "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens"
_READ = "gen_ai.usage.cache_read.input_tokens"
_WRITE = "gen_ai.usage.cache_creation.input_tokens"
_WRITE_1H = "llmcost.usage.cache_creation_1h.input_tokens"
_REASONING = "gen_ai.usage.reasoning.output_tokens"


def report_0_1(lines: Iterable[bytes]) -> int:
    """The fast loop of llmcost 0.1's `llmcost report --by day`, as it was (the baseline)."""
    from decimal import Decimal

    decode = json.JSONDecoder().raw_decode
    dec = Decimal
    groups: dict[object, list[Any]] = {}
    zero = Decimal(0)
    days: set[str] = set()
    no = 0
    for no, raw in enumerate(lines, 1):  # noqa: B007 - the count is the result
        try:
            line = raw.decode()
            d, end = decode(line)
            amount = d[_AMOUNT]
            total = dec(amount)
            key = d["time"][:10]
            days.add(key)
            i, o, r, w = d[_IN], d[_OUT], d[_READ], d[_WRITE]
            w1h, rs = d.get(_WRITE_1H, 0), d[_REASONING]
            ok = (
                type(amount) is str and total.is_finite() and total >= zero
                and type(i) is int and type(o) is int and type(r) is int and type(w) is int
                and type(w1h) is int and type(rs) is int and 0 <= w1h <= w and r >= 0
                and i >= r + w and 0 <= rs <= o
                and (end >= len(line) - 1 or line[end:].isspace())
                and type(key) is str and key in days
            )  # fmt: skip
            if ok:
                g = groups.get(key)
        except Exception:
            ok = False
        if not ok:
            continue
        if g is None:
            g = groups[key] = [0, zero, 0, 0, 0, 0, 0, 0]
        g[0] += 1
        g[1] += total
        g[2] += i
        g[3] += o
        g[4] += r
        g[5] += w - w1h
        g[6] += w1h
        g[7] += rs
    return no


def side_by_side(lines: list[str], repeat: int) -> float:
    """Lines per second of each, fastest of *repeat* alternating runs; returns the ratio."""
    import io

    from llmcost import cost_report

    data = ("\n".join(lines) + "\n").encode()

    def ours() -> None:  # both read the same bytes from an in-memory file
        r = cost_report(io.BytesIO(data), by="day", workers=1)
        assert r.skipped == 0
        assert r.totals.records == len(lines)

    def loads() -> None:
        for raw in io.BytesIO(data):
            json.loads(raw)

    runs: dict[str, list[float]] = {"cost_report": [], "llmcost 0.1 loop": [], "json.loads": []}
    for _ in range(repeat):

        def old() -> None:
            report_0_1(io.BytesIO(data))

        for name, f in (("cost_report", ours), ("llmcost 0.1 loop", old), ("json.loads", loads)):
            t0 = time.process_time()
            f()
            runs[name].append(time.process_time() - t0)
    rates = {name: len(lines) / min(times) for name, times in runs.items()}
    for name, rate in rates.items():
        print(f"  {name:<18} {rate:>11,.0f} lines/s")
    ratio = rates["cost_report"] / rates["llmcost 0.1 loop"]
    verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
    print(f"  cost_report / 0.1 loop: {ratio:.2f}x: {verdict} the target of {TARGET_RATIO}x\n")
    return ratio


def main() -> None:
    """Build the logs, measure, print a table, and say whether the target is met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per case (best kept)")
    parser.add_argument("--keep", action="store_true", help="keep the logs in /tmp")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="default", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.mode)
        return

    base = Path("/tmp/llmcost-report-bench")
    base.mkdir(exist_ok=True)
    print(f"generating {DISTINCT:,} distinct cost records ...", flush=True)
    lines = make_lines(DISTINCT)
    print(f"side by side, one process, {10 * DISTINCT:,} lines (CPU time):")
    side_by_side(lines * 10, args.repeat + 2)
    sizes = [args.lines // 4, args.lines]
    paths = []
    for n in sizes:
        path = base / f"costs-{n}.jsonl"
        write_log(path, lines, n)
        paths.append(path)
    print(f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}\n")
    header = f"{'lines':>10}  {'MiB':>6}  {'mode':<11}  {'seconds':>7}  {'lines/s':>9}  "
    print(header + f"{'peak RSS MiB':>12}  {'tracemalloc peak KiB':>20}")
    best = 0.0
    for n, path in zip(sizes, paths, strict=True):
        mib = path.stat().st_size / 1048576
        for mode in ("default", "1 process", "tracemalloc"):
            timed = mode != "tracemalloc"
            r = run(path, mode.replace("1 process", "serial"), args.repeat if timed else 1)
            rate = n / r["seconds"]
            if timed and n == sizes[-1]:
                best = max(best, rate)
            peak = r["tracemalloc_peak"]
            print(
                f"{n:>10,}  {mib:>6.0f}  {mode:<11}  "
                + (f"{r['seconds']:>7.2f}  {rate:>9,.0f}  " if timed else f"{'-':>7}  {'-':>9}  ")
                + f"{r['rss'] / 1048576:>12.1f}  "
                + (f"{peak / 1024:>20,.0f}" if peak is not None else f"{'-':>20}"),
                flush=True,
            )
    verdict = "meets" if best >= TARGET else "MISSES"
    print(f"\nbest rate on {sizes[-1]:,} lines: {best:,.0f} lines/s: {verdict} the target of "
          f"{TARGET:,}")  # fmt: skip
    if not args.keep:
        for path in paths:
            path.unlink()
        base.rmdir()


if __name__ == "__main__":
    main()
