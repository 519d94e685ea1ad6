"""Speed of llmcost's token counting and estimate, printed as ratios measured side by side.

    python benchmarks/tokens_speed.py [--rounds N]

Targets (one run, the contenders alternating, best round of each):

* ``estimate_tokens`` at least 10x faster than ``count_tokens`` on 1 MB of English prose, of
  Python code, of Japanese, Chinese and Korean, and of Cyrillic (each measured separately);
* ``estimate_tokens`` no slower than ``count_tokens`` on 10,000 strings of 100 characters;
* ``count_tokens`` on 1 MB at most 1.05x raw tiktoken, on the short strings at most 1.25x;
* the first exact count in a fresh process no slower than tiktoken loading the same encoding
  from its own cache (a cache directory made here from llmcost's packed ranks, which tiktoken
  checks against OpenAI's published sha256).

The texts are real files of this machine: /usr/share/doc (English), Python's standard library
(code), the translated manual pages (ja, zh_CN, ko, ru).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from llmcost import _tok_bpe as B  # noqa: E402
from llmcost._tokens import count_tokens, estimate_tokens  # noqa: E402

MB = 1_000_000
STDLIB = Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
MAN = Path("/usr/share/man")


def _gather(paths: list[Path], size: int) -> str:
    parts: list[str] = []
    total = 0
    for path in paths:
        try:
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
        except (OSError, EOFError):
            continue
        text = data.decode("utf-8", "replace")
        parts.append(text)
        total += len(text)
        if total >= size:
            break
    text = "\n".join(parts) or "empty"
    while len(text) < size:  # a small machine: repeat what there is
        text += "\n" + text
    return text[:size]


def texts() -> dict[str, str]:
    doc = Path("/usr/share/doc")
    prose = sorted(doc.rglob("*.txt")) + sorted(doc.rglob("README*"))
    return {
        "English prose": _gather(prose, MB),
        "Python code": _gather(sorted(STDLIB.glob("*.py")), MB),
        "Japanese": _gather(sorted(MAN.glob("ja/man*/*.gz")), MB),
        "Chinese": _gather(sorted(MAN.glob("zh_CN/man*/*.gz")), MB),
        "Korean": _gather(sorted(MAN.glob("ko/man*/*.gz")), MB),
        "Cyrillic": _gather(sorted(MAN.glob("ru/man*/*.gz")), MB),
    }


def best(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def duel(a: Callable[[], object], b: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Best time of a and of b, run alternately so that load changes hit both alike."""
    ta, tb = [], []
    for _ in range(rounds):
        ta.append(best(a, 1))
        tb.append(best(b, 1))
    return min(ta), min(tb)


def tiktoken_cache() -> str:
    """A TIKTOKEN_CACHE_DIR holding o200k_base as tiktoken itself caches it."""
    ranks = B._read_pack(B.SPECS["o200k_base"])
    lines = b"".join(
        base64.b64encode(t) + b" " + str(r).encode() + b"\n"
        for t, r in sorted(ranks.items(), key=lambda kv: kv[1])
    )
    url = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
    cache = tempfile.mkdtemp(prefix="tiktoken-cache-")
    Path(cache, hashlib.sha1(url.encode()).hexdigest()).write_bytes(lines)
    return cache


FIRST = {
    "llmcost": "import llmcost; llmcost.count_tokens('hello world', 'gpt-4o')",
    "tiktoken": (
        "import tiktoken; tiktoken.get_encoding('o200k_base').encode_ordinary('hello world')"
    ),
}


def first_count(which: str, cache: str) -> float:
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": cache, "PYTHONPATH": str(ROOT / "src")}
    code = f"import time; t = time.perf_counter(); {FIRST[which]}; print(time.perf_counter() - t)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    r = args.rounds
    enc = B.encoding("o200k_base")
    count_tokens("warm up", "gpt-4o")
    estimate_tokens("warm up", "gpt-4o")
    print(f"{'1 MB of':14} {'count / raw tiktoken':>21} {'count / estimate':>17}   (ms)")
    for label, text in texts().items():
        raw, ours = duel(
            lambda t=text: len(enc.encode_ordinary(t)), lambda t=text: count_tokens(t, "gpt-4o"), r
        )
        exact, est = duel(
            lambda t=text: count_tokens(t, "gpt-4o"), lambda t=text: estimate_tokens(t, "gpt-4o"), r
        )
        err = estimate_tokens(text, "gpt-4o") / count_tokens(text, "gpt-4o") - 1
        print(
            f"{label:14} {ours / raw:20.3f}x {exact / est:16.1f}x"
            f"   (exact {exact * 1e3:.1f}, estimate {est * 1e3:.2f}, estimate error {err:+.2%})"
        )
    code = texts()["Python code"]
    short = [code[i : i + 100] for i in range(0, 100 * 10_000, 100)]

    def loop(fn: Callable[[str, str], int]) -> Callable[[], None]:
        def run() -> None:
            for s in short:
                fn(s, "gpt-4o")

        return run

    def raw_loop() -> None:
        for s in short:
            len(enc.encode_ordinary(s))

    raw, ours = duel(raw_loop, loop(count_tokens), r)
    exact, est = duel(loop(count_tokens), loop(estimate_tokens), r)
    print(
        f"\n10,000 strings of 100 characters: count_tokens / raw tiktoken {ours / raw:.3f}x;"
        f" estimate_tokens / count_tokens {est / exact:.3f}x"
        f"   ({exact / len(short) * 1e6:.2f} us vs {est / len(short) * 1e6:.2f} us per call)"
    )
    cache = tiktoken_cache()
    first_count("tiktoken", cache)  # warm the OS file cache for both
    ours_first, theirs_first = [], []
    for _ in range(r):
        ours_first.append(first_count("llmcost", cache))
        theirs_first.append(first_count("tiktoken", cache))
    print(
        f"\nfirst count in a fresh process: llmcost / tiktoken from its cache "
        f"{min(ours_first) / min(theirs_first):.3f}x"
        f"   ({min(ours_first) * 1e3:.0f} ms vs {min(theirs_first) * 1e3:.0f} ms)"
    )
    print(
        "\ntargets: estimate >= 10x on every 1 MB text; estimate / count <= 1.0 on short "
        "strings; count <= 1.05x (1 MB), <= 1.25x (short); first count <= 1.0x"
    )


if __name__ == "__main__":
    main()
