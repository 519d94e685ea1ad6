"""Build the multilingual calibration / held-out corpus for the token estimate from local files.

Sources (all real text already on the machine, nothing downloaded):

* translated manual pages ``/usr/share/man/<lang>/man*/*.gz`` (troff markup stripped roughly),
* gettext catalogs ``/usr/share/locale/<lang>/LC_MESSAGES/*.mo`` (the translations only; the
  ``iso_*`` catalogs are skipped: they are lists of names, not text),
* English documentation in ``/usr/share/doc`` (README, ``*.txt``, ``*.md``, git release notes)
  and a sample of the English manual pages,
* Python source of the standard library, and JSON files shipped by installed packages,
* where installed, the UI text of Mozilla and LibreOffice language packs, for any language of
  the table below: every ``.ftl``, ``.properties`` and ``.dtd`` member of the ``langpack-*.xpi``
  files of ``firefox-esr-l10n-<lang>`` and ``thunderbird-l10n-<lang>`` (each member a source
  file of its own), and the ``.mo`` catalogs and ``registry_<lang>.xcd`` of
  ``libreoffice-l10n-<lang>`` (message values only: keys, comments, access keys and the
  ``&``/``~`` mnemonic markers are dropped; Fluent placeholders are kept as they stand).

Arabic has little text on a stock machine (no manual pages, a dozen small catalogs), so the
corpus the committed weights were fitted on was built with these Debian packages installed::

    apt-get install -y firefox-esr-l10n-ar thunderbird-l10n-ar libreoffice-l10n-ar

Without them the script still runs, and Arabic falls back to the gettext catalogs alone (about
a hundred calibration documents from a dozen files, which is too few to fit or judge it well).

Each source *file* goes wholly to the calibration or the held-out split, by a hash of its path
alone (taken in that order, every fourth file or so: 27% of the files of every category are
held out, big and small alike), so no held-out document shares a file with the documents the
weights were fitted on. Files are cut into documents of prompt size
(200 to 20,000 characters, log-uniform, at paragraph or line boundaries). In every category
and split, no source file gives more than a quarter of the documents (or, in a split of fewer
than four files, more than an equal share): a file's excess documents are dropped, so one
large file cannot stand for a whole language.

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
import html
import json
import math
import random
import re
import sys
import zipfile
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
MAX_SOURCE_SHARE = 0.25  # of a category's documents in one split, from any one source file

MOZILLA_LANGPACKS = (
    Path("/usr/lib/firefox-esr/browser/extensions"),
    Path("/usr/lib/thunderbird/extensions"),
)
LIBREOFFICE = Path("/usr/lib/libreoffice")

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


def split_key(src: str) -> str:
    """What decides a file's split: its path; for a member of a Mozilla language pack, its path
    inside the pack, so the copies of a file shared by the Firefox and Thunderbird packs land
    in the same split."""
    return src.rpartition("!")[2]


def held_out_keys(srcs: list[str]) -> set[str]:
    """The split keys held out: in the order of a hash of the key (another hash than the one
    that orders and samples files), every file whose position crosses a multiple of
    1 / HELD_OUT, i.e. 27% of the files of every category, big and small alike."""
    keys = sorted({split_key(s) for s in srcs}, key=lambda k: _rank("split\0" + k))
    return {k for i, k in enumerate(keys) if int((i + 1) * HELD_OUT) > int(i * HELD_OUT)}


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


# Keys and attributes that hold access keys, shortcuts or layout, not text.
_NOT_TEXT = re.compile(r"(?i)(?:accesskey|commandkey|\bkey|style|width|height)$")
_FTL_ENTRY = re.compile(r"^(-?[A-Za-z][\w-]*)\s*=\s*(.*)$")
_FTL_ATTR = re.compile(r"^\s+\.([\w-]+)\s*=\s*(.*)$")
_FTL_VARIANT = re.compile(r"^\s+(\*?)\[[^\]]+\]\s*(.*)$")
_DTD_ENTITY = re.compile(r"<!ENTITY\s+([\w.-]+)\s+(?:\"([^\"]*)\"|'([^']*)')\s*>")
_XCD_VALUE = re.compile(r"<value xml:lang=\"([^\"]+)\">([^<]+)</value>")
_MNEMONIC = re.compile(r"[&~](?=\w)")


def _is_text(message: str) -> bool:
    return len(message) > 1 and any(c.isalpha() for c in message)


def ftl_messages(text: str) -> list[str]:
    """The values of a Fluent file: messages, attributes, and of a plural or other selection
    only its default variant (the others repeat it with another grammatical number)."""
    out: list[str] = []
    cur: list[str] | None = None

    def flush() -> None:
        nonlocal cur
        if cur is not None:
            message = "\n".join(line for line in cur if line)
            if _is_text(message):
                out.append(message)
        cur = None

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or line.startswith("#"):
            flush()
        elif m := _FTL_ENTRY.match(line):
            flush()
            cur = [m.group(2).strip()]
        elif m := _FTL_ATTR.match(line):
            flush()
            cur = None if _NOT_TEXT.search(m.group(1)) else [m.group(2).strip()]
        elif m := _FTL_VARIANT.match(line):
            flush()
            cur = [m.group(2).strip()] if m.group(1) else None
        elif stripped == "}" or stripped.endswith("->"):
            flush()
        elif cur is not None:
            cur.append(stripped)
    flush()
    return out


def properties_messages(text: str) -> list[str]:
    """The values of a Java-style .properties file (escapes decoded, mnemonics dropped)."""
    out = []
    logical: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not logical and (not line or line.startswith(("#", "!"))):
            continue
        if line.endswith("\\") and not line.endswith("\\\\"):
            logical.append(line[:-1])
            continue
        logical.append(line)
        key, sep, value = "".join(logical).partition("=")
        logical = []
        if not sep or _NOT_TEXT.search(key.strip()):
            continue
        value = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), value)
        value = value.strip().replace("\\n", "\n").replace("\\t", "\t").replace("\\", "")
        value = _MNEMONIC.sub("", value)
        if _is_text(value):
            out.append(value)
    return out


def dtd_messages(text: str) -> list[str]:
    out = []
    for m in _DTD_ENTITY.finditer(text):
        if _NOT_TEXT.search(m.group(1)):
            continue
        value = (m.group(2) if m.group(2) is not None else m.group(3)).strip()
        if _is_text(value):
            out.append(value)
    return out


def xcd_messages(path: Path, lang: str) -> list[str]:
    """LibreOffice registry labels in *lang* (menu entries, commands, tooltips)."""
    out = []
    for m in _XCD_VALUE.finditer(path.read_text("utf-8", errors="replace")):
        if m.group(1) == lang:
            value = _MNEMONIC.sub("", html.unescape(m.group(2))).strip()
            if _is_text(value):
                out.append(value)
    return out


def langpack_members(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(member path, messages) of each text member of a Mozilla language pack."""
    parsers = {".ftl": ftl_messages, ".properties": properties_messages, ".dtd": dtd_messages}
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            parse = parsers.get(Path(name).suffix)
            if parse is not None:
                yield f"{path}!{name}", parse(z.read(name).decode("utf-8", errors="replace"))


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
            tag = d.replace("_", "-")
            for folder in MOZILLA_LANGPACKS:
                for path in sorted(folder.glob(f"langpack-{tag}@*.xpi")):
                    try:
                        for member, parts in langpack_members(path):
                            yield cat, member, parts, "\n"
                    except (OSError, zipfile.BadZipFile):
                        continue
            resource = LIBREOFFICE / "program" / "resource" / tag / "LC_MESSAGES"
            for path in sorted(resource.glob("*.mo")):
                try:
                    parts = [_MNEMONIC.sub("", m) for m in mo_messages(path)]
                except (OSError, UnicodeDecodeError):
                    continue
                yield cat, str(path), [m for m in parts if _is_text(m)], "\n"
            registry = LIBREOFFICE / "share" / ".registry" / "res" / f"registry_{tag}.xcd"
            if registry.is_file():
                yield cat, str(registry), xcd_messages(registry, tag), "\n"
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
        held = held_out_keys([src for src, _ in per_file])
        for src, docs in per_file:
            split = "heldout" if split_key(src) in held else "calibration"
            for text in docs:
                split_rows[split].append(
                    {"category": cat, "source": src, "split": split, "text": text}
                )
        for split, srows in split_rows.items():
            cap = DOCS_PER_CATEGORY if split == "calibration" else DOCS_PER_CATEGORY * 3 // 8
            random.Random(cat + split).shuffle(srows)
            rows.extend(cap_per_source(srows[:cap]))
    return rows


def cap_per_source(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Keep at most c documents of each source, c the largest for which no source gives more
    than MAX_SOURCE_SHARE of what is kept (or, with too few sources for that, an equal
    share). The rows come shuffled, so a source keeps a random subset of its documents."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[str(r["source"])] = counts.get(str(r["source"]), 0) + 1
    if not counts:
        return rows
    share = max(MAX_SOURCE_SHARE, 1 / len(counts))
    c = max(counts.values())
    while c > 1 and c > share * sum(min(n, c) for n in counts.values()) + 1e-9:
        c -= 1
    kept: dict[str, int] = {}
    out = []
    for r in rows:
        src = str(r["source"])
        if kept.get(src, 0) < c:
            kept[src] = kept.get(src, 0) + 1
            out.append(r)
    return out


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
