"""Speed of llmcost's token counting against raw tiktoken, printed as ratios.

    python benchmarks/tokens_speed.py [--rounds N]

Targets (measured in one run, the contenders alternating, best round of each):

* ``count_tokens`` on 1 MB of text: at most 1.05x the time of ``len(enc.encode_ordinary(text))``;
* ``count_tokens`` on 10,000 strings of about 100 characters: at most 1.25x (per-call overhead);
* ``estimate_tokens`` on 1 MB: at least 10x faster than exact counting.

The texts are real files of this machine: Python's standard library (code), git's release
notes or other /usr/share/doc text (English prose) and the translated manual pages (a mix of
languages and scripts).
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from llmcost._tokens import (  # noqa: E402
    _encoding,
    count_tokens,
    estimate_tokens,
)

MB = 1_000_000
STDLIB = Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"


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
    text = "\n".join(parts)
    while len(text) < size:  # a small machine: repeat what there is
        text += "\n" + text
    return text[:size]


def texts() -> dict[str, str]:
    code = sorted(STDLIB.glob("*.py"))
    prose = sorted(Path("/usr/share/doc").rglob("*.txt")) + sorted(
        Path("/usr/share/doc").rglob("README*")
    )
    mixed = sorted(Path("/usr/share/man").glob("[a-z][a-z]*/man1/*.gz"))
    return {
        "English prose": _gather(prose, MB),
        "Python code": _gather(code, MB),
        "multilingual": _gather(mixed, MB),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    r = args.rounds
    enc = _encoding("o200k_base")
    count_tokens("warm up", "gpt-4o")
    estimate_tokens("warm up", "gpt-4o")
    print(f"{'text (1 MB)':16} {'count_tokens / raw tiktoken':>28} {'exact / estimate':>17}")
    for label, text in texts().items():
        raw, ours = duel(
            lambda t=text: len(enc.encode_ordinary(t)),
            lambda t=text: count_tokens(t, "gpt-4o"),
            r,
        )
        exact, est = duel(
            lambda t=text: count_tokens(t, "gpt-4o"),
            lambda t=text: estimate_tokens(t, "gpt-4o"),
            r,
        )
        print(
            f"{label:16} {ours / raw:27.3f}x {exact / est:16.1f}x"
            f"   (raw {raw * 1e3:.1f} ms, estimate {est * 1e3:.2f} ms)"
        )
    code = texts()["Python code"]
    short = [code[i : i + 100] for i in range(0, 100 * 10_000, 100)]

    def raw_loop() -> None:
        for s in short:
            len(enc.encode_ordinary(s))

    def ours_loop() -> None:
        count = count_tokens
        for s in short:
            count(s, "gpt-4o")

    raw, ours = duel(raw_loop, ours_loop, r)
    print(
        f"\n10,000 strings of 100 characters: count_tokens / raw tiktoken {ours / raw:.3f}x"
        f"   ({ours / len(short) * 1e6:.2f} us vs {raw / len(short) * 1e6:.2f} us per call)"
    )
    print("\ntargets: count_tokens <= 1.05x (1 MB) and <= 1.25x (short); estimate >= 10x")


if __name__ == "__main__":
    main()
