"""16 threads recording through one Tracker at once: nothing may be lost.

Run twice: 100,000 records per thread without a logger, then 10,000 per thread with a
`CostLogHandler` attached. Prints records per second, and checks that the total equals the
exact sum of the costs and (second run) that the log holds one line per record summing to
the same total.

    python benchmarks/tracker_threads.py [threads] [per_thread]
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
import time
from decimal import Decimal

import llmcost

MODELS = ["gpt-4o", "claude-sonnet-4-6", "gemini-3.5-flash", "gpt-4o-mini"]
USAGES = [
    llmcost.Usage(input_tokens=1_000 + i, output_tokens=100 + i % 7, cache_read_tokens=i % 500)
    for i in range(64)
]


def run(threads: int, per_thread: int, logger: logging.Logger | None) -> llmcost.Tracker:
    """Record from *threads* threads at once; print the rate; return the tracker."""
    tracker = llmcost.Tracker(logger=logger, max_records=1_000)
    start = threading.Barrier(threads + 1)

    def work(n: int) -> None:
        start.wait()
        model = MODELS[n % len(MODELS)]
        for i in range(per_thread):
            tracker.record(model, USAGES[i % 64], worker=n % 4)

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    t0 = time.perf_counter()
    start.wait()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - t0
    records = threads * per_thread
    print(f"{threads} threads x {per_thread:,} records = {records:,} in {elapsed:.2f} s")
    print(f"records per second: {records / elapsed:,.0f}")
    return tracker


def exact_sum(threads: int, per_thread: int) -> Decimal:
    """The sum of every recorded cost, computed apart from the tracker."""
    one = {(m, i): llmcost.cost(m, USAGES[i]).total for m in MODELS for i in range(64)}
    total = Decimal(0)
    for n in range(threads):
        model = MODELS[n % len(MODELS)]
        full, rest = divmod(per_thread, 64)
        total += full * sum(one[model, i] for i in range(64))
        total += sum(one[model, i] for i in range(rest))
    return total


def main() -> None:
    """Both runs, each checked against the exact sum."""
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    per_thread = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    ok = True

    tracker = run(threads, per_thread, None)
    exact = exact_sum(threads, per_thread)
    good = tracker.total == exact and tracker.count == threads * per_thread
    ok &= good
    print(f"total {tracker.total} = exact sum {exact}: {'OK, nothing lost' if good else 'LOST'}")

    per_thread //= 10
    directory = tempfile.mkdtemp()
    path = os.path.join(directory, "costs.jsonl")
    log = logging.getLogger("bench.llm.cost.threads")
    log.propagate = False
    log.setLevel(logging.INFO)
    handler = llmcost.CostLogHandler(path)
    log.addHandler(handler)
    try:
        tracker = run(threads, per_thread, log)
    finally:
        log.removeHandler(handler)
        handler.close()
    exact = exact_sum(threads, per_thread)
    logged = list(llmcost.read_cost_log(path))
    logged_total = sum((r.cost.total for r in logged if r.cost), Decimal(0))
    os.remove(path)
    os.rmdir(directory)
    good = tracker.total == exact == logged_total and len(logged) == threads * per_thread
    ok &= good
    print(
        f"with a CostLogHandler: total {tracker.total}, log {len(logged):,} lines summing to "
        f"{logged_total}: {'OK, nothing lost' if good else 'LOST'}"
    )
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
