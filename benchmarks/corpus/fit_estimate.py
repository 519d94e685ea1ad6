"""Fit the weights of the token estimate (`llmcost._estimate`) on the calibration split.

    python benchmarks/corpus/build_corpus.py          # once: /tmp/llmcost-corpus/corpus.jsonl.gz
    python benchmarks/corpus/fit_estimate.py          # rewrites the generated block of _estimate.py

Needs numpy (a maintainer tool, not a dependency of llmcost). Only documents of the
calibration split are used; `benchmarks/estimate_accuracy.py` reports on the held-out split.

The model, per encoding: weight per byte value for two experts (English/code and accented
Latin) mixed by the share g of accented-Latin lead bytes, a weight per (previous class, class)
pair code, and weights for GB2312 CJK characters, KS X 1001 Hangul syllables and words ending
in "i" (which mark Italian even without accented letters). It is fitted by
least squares on the *relative* error of each document (every row divided by its exact count),
each category weighing the same (English twice: it is the most common prompt language), with a
ridge penalty that pulls each byte weight towards the mean of its byte group and each pair
weight towards zero. Weights are then quantized (8 bits per byte weight, 6 per pair weight:
the runtime sums them with zlib.adler32), the byte tables first, the rest refitted around them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from llmcost import _estimate as E  # noqa: E402

MIX = 0.006  # share of accented-Latin lead bytes at which expert B takes over fully
LAMBDA = 0.01
CATEGORY_WEIGHT = {"en": 2.0}
TARGETS = {"o200k": "o200k_base", "cl100k": "cl100k_base"}


def byte_group(i: int) -> str:
    if i < 0x80:
        c = chr(i)
        if c.isalpha():
            return "upper" if c.isupper() else "lower"
        if c.isdigit():
            return "digit"
        return {" ": "space", "\n": "nl", "\t": "tab"}.get(c, "ctrl" if i < 32 else "punct")
    if i < 0xC0:
        return "cont"
    return f"lead{E._CLASS[i]}"


GROUPS = sorted({byte_group(i) for i in range(256)})
GROUP_OF = np.array([GROUPS.index(byte_group(i)) for i in range(256)])


def load(path: Path) -> tuple[list[dict[str, object]], np.ndarray, np.ndarray, np.ndarray]:
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            rows.append(json.loads(line))
    hist, pairs, scal = [], [], []
    for r in rows:
        h, p, s = E._raw_features(str(r["text"]))
        hist.append(h)
        pairs.append(p)
        scal.append([s["n"], s["latin"], s["gb"], s["kr"], s["i_end"]])
    return rows, np.array(hist, float), np.array(pairs, float), np.array(scal, float)


def share(scal: np.ndarray) -> np.ndarray:
    """The weight of expert B per document, as `_Weights.share` computes it."""
    floor = E._MIX_FLOOR * MIX
    return np.clip((scal[:, 1] / (scal[:, 0] + 1) - floor) / (MIX - floor), 0.0, 1.0)


def design(hist: np.ndarray, pairs: np.ndarray, scal: np.ndarray) -> tuple[np.ndarray, int]:
    """Columns: [groups x2 experts, gb, kr, i_end | bytes x2 experts, pairs]; the first is free."""
    g = share(scal)[:, None]
    groups = np.stack([hist[:, k == GROUP_OF].sum(1) for k in range(len(GROUPS))], 1)
    free = np.hstack([(1 - g) * groups, g * groups, scal[:, 2:5]])
    pen = np.hstack([(1 - g) * hist, g * hist, pairs])
    return np.hstack([free, pen]), free.shape[1]


def row_weights(rows: list[dict[str, object]], y: np.ndarray) -> np.ndarray:
    cats = [str(r["category"]) for r in rows]
    size: dict[str, int] = {}
    for c in cats:
        size[c] = size.get(c, 0) + 1
    return np.array([CATEGORY_WEIGHT.get(c, 1.0) / np.sqrt(size[c]) for c in cats]) / y


def solve(x: np.ndarray, y: np.ndarray, w: np.ndarray, nfree: int, fixed: np.ndarray) -> np.ndarray:
    """Ridge least squares on relative error; columns with a finite *fixed* value are held."""
    hold = np.isfinite(fixed)
    target = (y - x[:, hold] @ fixed[hold]) * w
    a = x[:, ~hold] * w[:, None]
    pen = np.zeros(x.shape[1])
    pen[nfree:] = LAMBDA * np.sqrt((a**2).sum(0)).mean() ** 2 if a.size else 0
    p = np.sqrt(pen[~hold])
    coef = np.linalg.lstsq(np.vstack([a, np.diag(p)]), np.concatenate([target, 0 * p]), rcond=None)
    out = fixed.copy()
    out[~hold] = coef[0]
    return out


def quantize(w: np.ndarray, counts: np.ndarray, bits: int) -> tuple[np.ndarray, float, float]:
    """Byte levels over the range that holds 99.8% of the occurrences (outliers are clipped)."""
    order = np.argsort(w)
    mass = np.cumsum(counts[order]) / max(counts.sum(), 1.0)
    lo = float(w[order][np.searchsorted(mass, 0.001)])
    hi = float(w[order][min(len(w) - 1, np.searchsorted(mass, 0.999))])
    qmax = (1 << bits) - 1
    step = (hi - lo) / qmax or 1.0
    q = np.clip(np.round((w - lo) / step), 0, qmax)
    return q, lo, step


def fit(
    rows: list[dict[str, object]],
    hist: np.ndarray,
    pairs: np.ndarray,
    scal: np.ndarray,
    target: str,
) -> E._Weights:
    cal = np.array([r["split"] == "calibration" for r in rows])
    y = np.array([float(r[target]) for r in rows])  # type: ignore[arg-type]
    x, nfree = design(hist, pairs, scal)
    xc, yc = x[cal], y[cal]
    w = row_weights([r for r, k in zip(rows, cal, strict=True) if k], yc)
    ng = len(GROUPS)
    fixed = np.full(x.shape[1], np.nan)
    coef = solve(xc, yc, w, nfree, fixed)

    def per_byte(c: np.ndarray, expert: int) -> np.ndarray:
        return c[expert * ng + GROUP_OF] + c[nfree + 256 * expert : nfree + 256 * (expert + 1)]

    g = share(scal[cal])[:, None]
    tables = []
    for expert in (0, 1):
        wa = per_byte(coef, expert)
        part = g if expert else 1 - g
        q, lo, step = quantize(wa, (part * hist[cal]).sum(0), E._HIST_BITS)
        tables.append((q, lo, step))
        # hold this expert's byte weights at their quantized values (groups folded in)
        fixed[expert * ng : (expert + 1) * ng] = 0.0
        fixed[nfree + 256 * expert : nfree + 256 * (expert + 1)] = lo + step * q
        coef = solve(xc, yc, w, nfree, fixed)
    qp, lop, stepp = quantize(coef[nfree + 512 :], pairs[cal].sum(0), E._PAIR_BITS)
    fixed[nfree + 512 :] = lop + stepp * qp
    coef = solve(xc, yc, w, nfree, fixed)
    (qa, loa, stepa), (qb, lob, stepb) = tables
    return E._Weights(
        hist_a=E._Table(q=bytes(int(v) for v in qa), lo=loa, step=stepa),
        hist_b=E._Table(q=bytes(int(v) for v in qb), lo=lob, step=stepb),
        pair=E._Table(q=bytes(int(v) for v in qp), lo=lop, step=stepp, bits=E._PAIR_BITS),
        gb=float(coef[2 * ng]),
        kr=float(coef[2 * ng + 1]),
        i_end=float(coef[2 * ng + 2]),
        mix=MIX,
    )


def render(weights: dict[str, E._Weights]) -> str:
    """The generated block, laid out as ruff format would (so a format run leaves it alone)."""

    def table(field: str, t: E._Table) -> list[str]:
        hexed = t.q.hex()
        rows = [f'                "{hexed[i : i + 64]}"' for i in range(0, len(hexed), 64)]
        out = [f"        {field}=_Table(", "            q=bytes.fromhex(", *rows, "            ),"]
        out += [f"            lo={t.lo!r},", f"            step={t.step!r},"]
        if t.bits != E._HIST_BITS:
            out.append(f"            bits={t.bits},")
        return [*out, "        ),"]

    out = ["# BEGIN GENERATED WEIGHTS (benchmarks/corpus/fit_estimate.py; do not edit by hand)"]
    out.append("WEIGHTS: Final[dict[str, _Weights]] = {")
    for name, w in weights.items():
        out.append(f'    "{name}": _Weights(')
        for field in ("hist_a", "hist_b", "pair"):
            out += table(field, getattr(w, field))
        out += [
            f"        gb={w.gb!r},",
            f"        kr={w.kr!r},",
            f"        i_end={w.i_end!r},",
            f"        mix={w.mix!r},",
            "    ),",
        ]
    out.append("}")
    out.append("# END GENERATED WEIGHTS")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default="/tmp/llmcost-corpus/corpus.jsonl.gz")
    parser.add_argument("--dry-run", action="store_true", help="print, do not rewrite")
    args = parser.parse_args()
    rows, hist, pairs, scal = load(Path(args.corpus))
    weights = {name: fit(rows, hist, pairs, scal, t) for name, t in TARGETS.items()}
    block = render(weights)
    if args.dry_run:
        print(block)
        return
    path = ROOT / "src" / "llmcost" / "_estimate.py"
    src = path.read_text(encoding="utf-8")
    pattern = re.compile(r"# BEGIN GENERATED WEIGHTS.*?# END GENERATED WEIGHTS", re.S)
    path.write_text(pattern.sub(lambda _: block, src), encoding="utf-8")
    print(f"rewrote the weights in {path}")


if __name__ == "__main__":
    main()
