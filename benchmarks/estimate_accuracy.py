"""Accuracy of the token estimate on held-out documents, per category, against exact counts.

    python benchmarks/corpus/build_corpus.py     # once: /tmp/llmcost-corpus/corpus.jsonl.gz
    python benchmarks/estimate_accuracy.py [--split heldout|calibration] [--corpus PATH]

For each category and each fitted profile (o200k vs exact o200k_base, cl100k vs exact
cl100k_base) it prints the median and 90th percentile of the absolute relative error of
`llmcost.estimate_tokens`-equivalent estimates, with characters/4 beside them, and marks the
categories that miss the targets (median <= 5%, p90 <= 12%). Also checks one large (~1 MB)
mixed document, where the pair features are sampled.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from llmcost import _estimate as E  # noqa: E402
from llmcost._tokens import _encoding  # noqa: E402

PAIRS = {"o200k": "o200k_base", "cl100k": "cl100k_base"}
MEDIAN_TARGET = 0.05
P90_TARGET = 0.12


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default="/tmp/llmcost-corpus/corpus.jsonl.gz")
    parser.add_argument("--split", default="heldout", choices=["heldout", "calibration"])
    args = parser.parse_args()
    path = Path(args.corpus)
    if not path.exists():
        print(f"{path} is missing: run benchmarks/corpus/build_corpus.py first")
        return 2
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [r for r in map(json.loads, f) if r["split"] == args.split]
    by_cat: dict[str, list[dict[str, object]]] = {}
    for r in rows:
        by_cat.setdefault(str(r["category"]), []).append(r)
    failures = 0
    for profile, exact in PAIRS.items():
        print(f"\nprofile {profile} vs exact {exact} ({args.split} split)")
        print(
            f"{'category':10} {'docs':>5} {'median':>7} {'p90':>7}"
            f"   {'chars/4 median':>14} {'p90':>6}"
        )
        for cat, docs in sorted(by_cat.items()):
            est, c4 = [], []
            for r in docs:
                y = float(r[exact])  # type: ignore[arg-type]
                text = str(r["text"])
                est.append(abs(E.estimate(text, E.PROFILES[profile]) - y) / y)
                c4.append(abs(len(text) / 4 - y) / y)
            med, p90 = statistics.median(est), quantile(est, 0.9)
            bad = med > MEDIAN_TARGET or p90 > P90_TARGET
            failures += bad
            print(
                f"{cat:10} {len(docs):5} {med:7.1%} {p90:7.1%}   {statistics.median(c4):14.1%}"
                f" {quantile(c4, 0.9):6.1%}{'   <-- misses target' if bad else ''}"
            )
    big = "\n\n".join(str(r["text"]) for r in rows)[: 1 << 20]
    print(f"\none ~1 MB document (all held-out categories, {len(big)} characters):")
    for profile, exact in PAIRS.items():
        y = len(_encoding(exact).encode_ordinary(big))
        e = E.estimate(big, E.PROFILES[profile])
        print(f"  {profile:7} estimate {e:8} exact {y:8} error {(e - y) / y:+.1%}")
    print(f"\n{failures} category/profile pairs miss the targets")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
