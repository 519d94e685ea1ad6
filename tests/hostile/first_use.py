"""Run by test_first_use.py in a fresh interpreter: 16 threads make their first calls at once.

Prints one line per thread that raised, then ``done``.
"""

from __future__ import annotations

import io
import sys
import threading
import traceback

import llmcost

U = llmcost.Usage(input_tokens=1_000, output_tokens=100)
GIF = b"GIF89a" + (640).to_bytes(2, "little") + (480).to_bytes(2, "little") + bytes(3)
CALLS = [
    lambda: llmcost.count_tokens("hi", "gpt-4o"),
    lambda: llmcost.get_price("gpt-4o"),
    lambda: llmcost.count_tokens("hello world", "claude-sonnet-4-6"),
    lambda: llmcost.cost("gpt-4o", input_tokens=10, output_tokens=1),
    lambda: llmcost.Tracker().record("gpt-4o", U, feature="x"),
    lambda: llmcost.image_tokens("gpt-4o", image=GIF),
    lambda: llmcost.estimate_tokens("some text", "gemini-2.5-pro"),
    lambda: llmcost.count_message_tokens([{"role": "user", "content": "hi"}], "gpt-4o"),
    lambda: llmcost.cost_of_response(
        {"model": "gpt-4o", "usage": {"prompt_tokens": 5, "completion_tokens": 1}}
    ),
    lambda: llmcost.compare(input_tokens=100, output_tokens=10),
    lambda: llmcost.estimate("gpt-4o", "a prompt", max_output_tokens=10),
    lambda: llmcost.tokenizer_for("gpt-4o-mini"),
    lambda: list(llmcost.read_cost_log(io.StringIO(""))),
    lambda: llmcost.list_models(),
    lambda: llmcost.Budget(usd="1").charge(llmcost.cost("gpt-4o", U)),
    lambda: llmcost.count_tokens("hi", "gpt-4o"),
]


def main() -> None:
    """Start every call on its own thread at the same instant; report what raised."""
    barrier = threading.Barrier(len(CALLS))
    errors: list[str] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            CALLS[i]()
        except BaseException:  # every failure is reported to the test
            errors.append(f"call {i}: {traceback.format_exc(limit=-3)!r}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(CALLS))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in errors:
        print(e)
    print("done")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
