"""Build the multilingual calibration / held-out corpus for the token estimate from local files.

Sources (all real text already on the machine, nothing downloaded):

* translated manual pages ``/usr/share/man/<lang>/man*/*.gz`` (troff markup stripped roughly),
* gettext catalogs ``/usr/share/locale/<lang>/LC_MESSAGES/*.mo`` (the translations only; the
  ``iso_*`` catalogs are skipped: they are lists of names, not text),
* English documentation in ``/usr/share/doc`` (README, ``*.txt``, ``*.md``, git release notes)
  and a sample of the English manual pages,
* Python source of the standard library, and JSON files shipped by installed packages.

Each source *file* goes wholly to the calibration or the held-out split (taken in the order
of a hash of their path, a file is held out while the held-out split stays under about a
quarter of the category's documents), so no held-out document shares a file with the
documents the weights were fitted on. Files are cut into documents of prompt size
(200 to 20,000 characters, log-uniform, at paragraph or line boundaries).

Each document gets its exact o200k_base and cl100k_base counts, written as JSON lines to
``/tmp/llmcost-corpus/corpus.jsonl.gz`` (about 10 MB, not committed: run this script to
rebuild it; the same machine image gives the same corpus).

    python benchmarks/corpus/build_corpus.py [--out DIR]
"""

from __future__ import annotations

import argparse
import gettext
import gzip
import hashlib
import json
import math
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

MIN_DOC = 200
MAX_DOC = 20_000
DOCS_PER_FILE = 6
DOCS_PER_CATEGORY = 800
FILES_PER_CATEGORY = 400
SMALL_CATEGORY = 1_000_000  # characters: below this, use every document and shorter ones
SMALL_DOC = 2_500
SMALL_PER_FILE = 24
HELD_OUT = 0.27

STDLIB = Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"

# category -> locale directory names (man pages and gettext catalogs)
LANGUAGES: dict[str, tuple[str, ...]] = {
    "de": ("de",),
    "fr": ("fr",),
    "es": ("es",),
    "pt": ("pt", "pt_BR"),
    "it": ("it",),
    "pl": ("pl",),
    "ru": ("ru",),
    "uk": ("uk",),
    "el": ("el",),
    "ar": ("ar",),
    "hi": ("hi",),
    "ja": ("ja",),
    "ko": ("ko",),
    "zh-Hans": ("zh_CN",),
    "zh-Hant": ("zh_TW",),
}


def _rank(path: str) -> str:
    return hashlib.sha256(path.encode()).hexdigest()


# --- text extraction -----------------------------------------------------------------------

_TROFF_ESCAPES = [
    (re.compile(r"\\f(?:\[[^\]]*\]|\(..|.)"), ""),  # font changes
    (re.compile(r"\\s[-+]?\d"), ""),  # size changes
    (re.compile(r"\\\*\(..|\\\*\[[^\]]*\]|\\\*."), ""),  # strings
    (re.compile(r"\\\((?:aq|cq)"), "'"),
    (re.compile(r"\\\((?:lq|rq|dq)"), '"'),
    (re.compile(r"\\\((?:em|en)"), "-"),
    (re.compile(r"\\\(bu"), "*"),
    (re.compile(r"\\\(..|\\\[[^\]]*\]"), ""),
    (re.compile(r"\\[-e]"), lambda m: "-" if m.group() == "\\-" else "\\"),
    (re.compile(r"\\[&|^%:]|\\c$"), ""),
    (re.compile(r"\\ "), " "),
]


def strip_troff(src: str) -> list[str]:
    """Paragraphs of a man page with its markup roughly removed."""
    paras: list[str] = []
    cur: list[str] = []
    for raw in src.splitlines():
        line = raw
        if line.startswith(('.\\"', "'\\\"", '\\"')):
            continue
        if line.startswith((".", "'")):
            req, _, rest = line[1:].partition(" ")
            req = req.strip()
            if req in ("PP", "P", "LP", "SH", "SS", "TP", "IP", "HP", "sp", "br", "RS", "RE"):
                if cur:
                    paras.append("\n".join(cur))
                    cur = []
                if req in ("SH", "SS", "IP") and rest.strip():
                    cur.append(rest.strip().strip('"'))
                continue
            if req in ("B", "I", "BR", "IR", "RB", "BI", "IB", "RI", "SM", "SB", "UR", "MT", "Nm"):
                line = " ".join(p.strip('"') for p in re.findall(r'"[^"]*"|\S+', rest))
            else:
                continue
        for pat, rep in _TROFF_ESCAPES:
            line = pat.sub(rep, line)  # type: ignore[arg-type]
        if line.strip():
            cur.append(line)
    if cur:
        paras.append("\n".join(cur))
    return paras


def read_text(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.decode("utf-8", errors="replace")


def mo_messages(path: Path) -> list[str]:
    with path.open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    out = []
    for key, value in catalog.items():
        if key and isinstance(value, str) and value.strip():
            out.append(value.strip("\n"))
    return out


def paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


# --- documents -----------------------------------------------------------------------------


def documents(parts: list[str], sep: str, seed: str, longest: int) -> Iterator[str]:
    """Pack consecutive parts into documents of a random prompt-like size."""
    rng = random.Random(seed)
    lines: list[str] = []
    for p in parts:
        if len(p) > MAX_DOC:
            lines.extend(p.split("\n"))
        else:
            lines.append(p)
    target = _target(rng, longest)
    cur: list[str] = []
    size = 0
    for p in lines:
        if size + len(p) > MAX_DOC and size >= MIN_DOC:
            yield sep.join(cur)
            cur, size, target = [], 0, _target(rng, longest)
        cur.append(p[:MAX_DOC])
        size += len(p) + len(sep)
        if size >= target:
            yield sep.join(cur)
            cur, size, target = [], 0, _target(rng, longest)
    if size >= MIN_DOC:
        yield sep.join(cur)


def _target(rng: random.Random, longest: int) -> int:
    return int(math.exp(rng.uniform(math.log(MIN_DOC), math.log(longest))))


def _ascii_prose(text: str) -> bool:
    if not text:
        return False
    ascii_share = sum(c < "\x80" for c in text) / len(text)
    letters = sum(c.isalpha() for c in text) / len(text)
    return ascii_share > 0.98 and letters > 0.55


# --- sources -------------------------------------------------------------------------------


def sources() -> Iterator[tuple[str, str, list[str], str]]:
    """(category, source path, parts, separator) for every usable file."""
    for cat, dirs in LANGUAGES.items():
        for d in dirs:
            for path in sorted(Path("/usr/share/man", d).glob("man*/*.gz")):
                try:
                    parts = strip_troff(read_text(path))
                except (OSError, EOFError, gzip.BadGzipFile):
                    continue
                yield cat, str(path), parts, "\n\n"
            for path in sorted(Path("/usr/share/locale", d, "LC_MESSAGES").glob("*.mo")):
                if path.name.startswith("iso_"):
                    continue
                try:
                    parts = mo_messages(path)
                except (OSError, UnicodeDecodeError):
                    continue
                yield cat, str(path), parts, "\n"
    doc_files = []
    for pattern in ("README*", "*.txt", "*.txt.gz", "*.md", "*.md.gz", "NEWS*"):
        doc_files.extend(Path("/usr/share/doc").rglob(pattern))
    for path in sorted(set(doc_files)):
        if not path.is_file() or "copyright" in path.name or "changelog" in path.name.lower():
            continue
        try:
            text = read_text(path)
        except (OSError, EOFError, gzip.BadGzipFile):
            continue
        parts = [p for p in paragraphs(text) if _ascii_prose(p)]
        yield "en", str(path), parts, "\n\n"
    for path in sorted(Path("/usr/share/man").glob("man[1578]/*.gz")):
        if int(_rank(str(path))[:2], 16) % 16 == 0:  # a sample of the English manual pages
            try:
                yield "en", str(path), strip_troff(read_text(path)), "\n\n"
            except (OSError, EOFError, gzip.BadGzipFile):
                continue
    for path in sorted(STDLIB.rglob("*.py")):
        rel = path.relative_to(STDLIB).parts
        if rel[0] in ("site-packages", "test", "lib2to3", "idlelib", "encodings"):
            continue
        yield "python", str(path), paragraphs(path.read_text("utf-8", errors="replace")), "\n\n"
    json_files: list[Path] = []
    json_files.extend(Path(STDLIB, "site-packages", "cfnlint", "data", "schemas").rglob("*.json"))
    json_files.extend(Path("/usr/share/iso-codes/json").glob("*.json"))
    json_files.extend(
        Path("/usr/lib/google-cloud-sdk/lib/third_party/botocore/data").rglob("*.json")
    )
    json_files.extend(Path("/usr/lib/node_modules").rglob("package.json"))
    for path in sorted(set(json_files)):
        try:
            text = path.read_text("utf-8")
            value = json.loads(text)
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        if int(_rank(str(path))[:2], 16) % 3 == 0:  # a third as compact, minified JSON
            text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
            parts = [text[i : i + 2000] for i in range(0, len(text), 2000)]
            yield "json", str(path), parts, ""
        else:
            yield "json", str(path), text.split("\n"), "\n"


def build() -> list[dict[str, object]]:
    by_cat: dict[str, list[tuple[str, list[str], str]]] = {}
    seen: set[str] = set()
    for cat, src, parts, sep in sources():
        digest = hashlib.sha256("\0".join(parts).encode("utf-8", "replace")).hexdigest()
        if not parts or digest in seen:
            continue
        seen.add(digest)
        by_cat.setdefault(cat, []).append((src, parts, sep))
    rows: list[dict[str, object]] = []
    for cat, files in sorted(by_cat.items()):
        files.sort(key=lambda f: _rank(f[0]))
        files = files[:FILES_PER_CATEGORY]
        total = sum(len(p) for _, parts, _ in files for p in parts)
        small = total < SMALL_CATEGORY
        per_file = []
        for src, parts, sep in files:
            docs = list(documents(parts, sep, src, SMALL_DOC if small else MAX_DOC))
            rng = random.Random(_rank(src))
            per_file_cap = max(DOCS_PER_FILE, 2 * DOCS_PER_CATEGORY // len(files))
            if small:
                per_file_cap = SMALL_PER_FILE
            if len(docs) > per_file_cap:
                docs = rng.sample(docs, per_file_cap)
            per_file.append((src, docs))
        split_rows: dict[str, list[dict[str, object]]] = {"calibration": [], "heldout": []}
        held = assigned = 0
        for src, docs in per_file:
            # Hold out about a quarter of the documents, whole files at a time, interleaved.
            split = (
                "heldout"
                if held + len(docs) <= HELD_OUT * (assigned + len(docs))
                else "calibration"
            )
            held += len(docs) if split == "heldout" else 0
            assigned += len(docs)
            for text in docs:
                split_rows[split].append(
                    {"category": cat, "source": src, "split": split, "text": text}
                )
        for split, srows in split_rows.items():
            cap = DOCS_PER_CATEGORY if split == "calibration" else DOCS_PER_CATEGORY * 3 // 8
            random.Random(cat + split).shuffle(srows)
            rows.extend(srows[:cap])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="/tmp/llmcost-corpus", help="output directory")
    args = parser.parse_args()
    from llmcost._tokens import _encoding

    encs = {name: _encoding(name) for name in ("o200k_base", "cl100k_base")}
    rows = build()
    for row in rows:
        text = str(row["text"])
        for name, enc in encs.items():
            row[name] = len(enc.encode_ordinary(text))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with gzip.open(out / "corpus.jsonl.gz", "wt", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (str(row["category"]), str(row["split"]))
        counts[key] = counts.get(key, 0) + 1
    for (cat, split), n in sorted(counts.items()):
        print(f"{cat:10} {split:12} {n:5}")
    print(f"{len(rows)} documents -> {out / 'corpus.jsonl.gz'}")


if __name__ == "__main__":
    main()
