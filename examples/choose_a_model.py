"""Compare every model for one workload and print the cheapest, the main job of llmcost.

The workload: a support bot answering 20,000 questions a day, each with a 3,000-token
prompt of which 2,500 are a cached system prompt, and a 350-token answer.

    python examples/choose_a_model.py
"""

from __future__ import annotations

import llmcost

REQUESTS_PER_DAY = 20_000
INPUT, CACHED, OUTPUT = 3_000, 2_500, 350


def main() -> None:
    """Rank the models for the workload and print a table with the monthly cost."""
    costs = llmcost.compare(
        input_tokens=INPUT, output_tokens=OUTPUT, cache_read_tokens=CACHED
    )
    cheapest = costs[0].total
    print(f"{len(costs)} models that price cache reads; cheapest first:")
    print(f"{'model':<32} {'provider':<10} {'per request':>12} {'per 30 days':>14} {'ratio':>7}")
    for c in costs[:12]:
        month = c.total * REQUESTS_PER_DAY * 30
        per_request = f"${c.total:.6f}"
        print(
            f"{c.model:<32} {c.provider:<10} {per_request:>12} {f'${month:,.2f}':>14} "
            f"{c.total / cheapest:>6.1f}x"
        )
    picked = llmcost.compare(
        input_tokens=INPUT, output_tokens=OUTPUT, cache_read_tokens=CACHED,
        models=["gpt-4o", "claude-sonnet-4-6", "gemini-3.1-pro-preview"],
    )
    print("\nthe three you asked about:")
    for c in picked:
        print(f"{c.model:<32} {f'${c.total * REQUESTS_PER_DAY * 30:,.2f}':>14} per 30 days")


if __name__ == "__main__":
    main()
