"""Import plus a first price, against `import attrs` alone: fresh interpreters, alternating.

Target (issue: foundation): the ratio of medians is at most 1.8.

    python benchmarks/import_speed.py [runs]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

LLMCOST = "import llmcost; llmcost.get_price('gpt-4o')"
ATTRS = "import attrs"


def once(code: str) -> float:
    """Wall time of one fresh interpreter running *code*."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    """Alternate the two commands and print medians and their ratio."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    once(LLMCOST)  # warm the file cache and the bytecode cache
    once(ATTRS)
    ours, base = [], []
    for _ in range(runs):
        ours.append(once(LLMCOST))
        base.append(once(ATTRS))
    m_ours, m_base = statistics.median(ours), statistics.median(base)
    print(f"runs: {runs} each, alternating")
    print(f"python -c 'import attrs'                         median {m_base * 1000:7.1f} ms")
    print(f"python -c 'import llmcost; get_price(\"gpt-4o\")'  median {m_ours * 1000:7.1f} ms")
    print(f"ratio: {m_ours / m_base:.2f}x  (target <= 1.80x)")


if __name__ == "__main__":
    main()
