"""16 threads recording 100,000 requests each through one Tracker: nothing may be lost.

Prints records per second and checks that the total equals the exact sum.

    python benchmarks/tracker_threads.py [threads] [per_thread]
"""

from __future__ import annotations

import sys
import threading
import time

import llmcost


def main() -> None:
    """Record from many threads at once, then compare the total with the exact sum."""
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    per_thread = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    models = ["gpt-4o", "claude-sonnet-4-6", "gemini-3.5-flash", "gpt-4o-mini"]
    usages = [
        llmcost.Usage(input_tokens=1_000 + i, output_tokens=100 + i % 7, cache_read_tokens=i % 500)
        for i in range(64)
    ]
    tracker = llmcost.Tracker()
    start = threading.Barrier(threads + 1)

    def work(n: int) -> None:
        start.wait()
        model = models[n % len(models)]
        for i in range(per_thread):
            tracker.record(model, usages[i % 64], worker=n % 4)

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    t0 = time.perf_counter()
    start.wait()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - t0
    exact = sum(
        (
            llmcost.cost(models[n % len(models)], usages[i % 64]).total
            for n in range(threads)
            for i in range(per_thread)
        ),
        start=llmcost.cost("gpt-4o", input_tokens=0).total,
    )
    records = threads * per_thread
    print(f"{threads} threads x {per_thread:,} records = {records:,} in {elapsed:.2f} s")
    print(f"records per second: {records / elapsed:,.0f}")
    ok = tracker.total == exact and tracker.count == records
    print(f"count {tracker.count:,} (expected {records:,}); total {tracker.total}")
    print(f"exact sum {exact}: {'OK, nothing lost' if ok else 'LOST RECORDS'}")


if __name__ == "__main__":
    main()
