"""Accuracy of the token estimate on held-out documents, per genre and per language.

    python benchmarks/corpus/build_corpus.py     # languages -> /tmp/llmcost-corpus/corpus.jsonl.gz
    python benchmarks/corpus/build_genres.py     # genres    -> /tmp/llmcost-corpus/genres.jsonl.gz
    python benchmarks/corpus/fit_estimate.py     # optional: the families' true counts (cached)
    python benchmarks/estimate_accuracy.py [--split heldout|calibration]

For o200k and cl100k (estimate vs exact count), per category: the median and 90th percentile
of the absolute relative error over all documents, and over the long ones only (more than
`_estimate.HEAD` characters: the sampled ones; shorter texts are counted exactly), with
characters/4 beside them; categories missing the targets (median <= 3%, p90 <= 8%) are
marked. Then: one ~1 MB document mixing every language (paragraphs interleaved), the
families' estimates against their real tokenizers (from ``fit_estimate.py``'s cache), and
Tekken's equality with mistral-common's own tokenizer on every document (when installed).
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
from llmcost import _tok_bpe as B  # noqa: E402

PAIRS = {"o200k": "o200k_base", "cl100k": "cl100k_base"}
MEDIAN_TARGET = 0.03
P90_TARGET = 0.08
CORPORA = ("/tmp/llmcost-corpus/corpus.jsonl.gz", "/tmp/llmcost-corpus/genres.jsonl.gz")
COUNTS = Path("/tmp/llmcost-corpus/calibration/counts.jsonl.gz")
FAMILIES = ("llama", "llama4", "deepseek", "qwen", "gemini", "mistral")


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def load() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for path in CORPORA:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for r in map(json.loads, f):
                r["category"] = r.get("category") or r.get("genre")
                rows.append(r)
    if COUNTS.exists():
        with gzip.open(COUNTS, "rt") as f:
            for r, c in zip(rows, map(json.loads, f), strict=False):
                r.update(c)
    return rows


def stats(errs: list[float]) -> str:
    if not errs:
        return f"{'-':>7} {'-':>7}"
    return f"{statistics.median(errs):7.2%} {quantile(errs, 0.9):7.2%}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="heldout", choices=["heldout", "calibration"])
    args = parser.parse_args()
    for path in CORPORA:
        if not Path(path).exists():
            print(f"{path} is missing: run the builders in benchmarks/corpus first")
            return 2
    rows = [r for r in load() if r["split"] == args.split]
    by_cat: dict[str, list[dict[str, object]]] = {}
    for r in rows:
        by_cat.setdefault(str(r["category"]), []).append(r)
    failures = 0
    for profile, exact in PAIRS.items():
        print(f"\n{profile} estimate vs exact {exact} ({args.split} split)")
        print(
            f"{'category':16} {'docs':>5} {'median':>7} {'p90':>7}   {'long':>5} {'median':>7}"
            f" {'p90':>7}   {'chars/4 median':>14}"
        )
        for cat, docs in sorted(by_cat.items()):
            est, long, c4 = [], [], []
            for r in docs:
                y = float(r[exact])  # type: ignore[arg-type]
                text = str(r["text"])
                err = abs(E.estimate(text, E.PROFILES[profile]) - y) / y
                est.append(err)
                if len(text) > E.HEAD:
                    long.append(err)
                c4.append(abs(len(text) / 4 - y) / y)
            bad = statistics.median(est) > MEDIAN_TARGET or quantile(est, 0.9) > P90_TARGET
            failures += bad
            print(
                f"{cat:16} {len(docs):5} {stats(est)}   {len(long):5} {stats(long)}"
                f"   {statistics.median(c4):14.1%}{'   <-- misses target' if bad else ''}"
            )
    langs = [c for c, docs in by_cat.items() if "genre" not in docs[0]]
    paras = {c: [str(r["text"]) for r in by_cat[c]] for c in sorted(langs)}
    mixed: list[str] = []
    size = 0
    for i in range(10_000):
        for c in paras:
            if i < len(paras[c]) and size < 1 << 20:
                mixed.append(paras[c][i])
                size += len(paras[c][i])
    big = "\n\n".join(mixed)
    print(f"\none document mixing {len(paras)} languages ({len(big):,} characters):")
    for profile, exact in PAIRS.items():
        y = len(B.encoding(exact).encode_ordinary(big))
        e = E.estimate(big, E.PROFILES[profile])
        print(f"  {profile:7} estimate {e:9,} exact {y:9,} error {(e - y) / y:+.2%}")
    if "n:llama" in rows[0]:
        print("\nfamilies: weighted estimate vs the family's real tokenizer, median per category")
        cats = sorted(by_cat)
        print(f"{'category':16} " + " ".join(f"{f:>8}" for f in FAMILIES))
        for cat in cats:
            cells = []
            for fam in FAMILIES:
                errs = []
                for r in by_cat[cat]:
                    y = float(r[f"n:{fam}"])  # type: ignore[arg-type]
                    if y:
                        errs.append(abs(E.estimate(str(r["text"]), E.PROFILES[fam]) - y) / y)
                cells.append(f"{statistics.median(errs):8.1%}" if errs else f"{'-':>8}")
            print(f"{cat:16} " + " ".join(cells))
    try:
        from mistral_common.tokens.tokenizers.tekken import Tekkenizer
    except ImportError:
        print("\nmistral-common is not installed: Tekken equality not checked")
    else:
        import mistral_common

        data = Path(mistral_common.__file__).parent / "data"
        tk = Tekkenizer.from_file(data / "tekken_240718.json")
        count = B.counter(B.encoding("tekken").encode_ordinary)
        every = load()
        diff = sum(
            count(str(r["text"])) != len(tk.encode(str(r["text"]), False, False)) for r in every
        )
        print(f"\nTekken vs mistral-common on all {len(every)} documents: {diff} differ")
        failures += diff > 0
    print(f"\n{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
