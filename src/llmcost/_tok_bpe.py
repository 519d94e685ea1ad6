"""Exact BPE counting: the shipped vocabularies, tiktoken files a user registers, and the cuts
that let a long text or a stream be counted in blocks, with memory bounded.

Three vocabularies ship inside the package, packed (see ``benchmarks/corpus/pack_vocab.py``)
and gzip'd, each checked against its sha256 when it is loaded: OpenAI's ``o200k_base`` and
``cl100k_base`` (MIT, from tiktoken's published files) and Mistral's Tekken (Apache-2.0, from
the ``mistral-common`` package; the notice is ``data/tekken.NOTICE``). Nothing here ever
touches the network: tiktoken's own download path is never used.

Long texts: the pre-tokenizers of every built-in pattern split at the cuts of `CUT`, so a
text cut there counts exactly as the whole. A run longer than `MAX_RUN` characters without
such a cut (a megabyte of one repeated byte, a base64 blob without line breaks, ...) is
counted in `MAX_RUN`-character pieces from its start: BPE would otherwise need memory and
time for the whole run at once (tiktoken allocates about 32 bytes per byte of a piece).
Such a count can differ from one BPE pass over the run by about a token per piece.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Final

import attrs

from llmcost._errors import FileAccessError, InvalidInputError, InvalidTypeError, PriceDataError

if TYPE_CHECKING:
    import tiktoken

__all__ = ["PATTERNS", "SPECS", "VocabularyError", "encoding", "pack", "unpack"]


class VocabularyError(PriceDataError):
    """A BPE vocabulary file that is corrupt, truncated or not the one its hash names."""


# Pattern strings copied from tiktoken 0.14's `tiktoken_ext/openai_public.py` (MIT licence),
# Meta's `llama_models/llama3/tokenizer.py` and Mistral's `tekken_240718.json` config.
_CL100K: Final = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_O200K: Final = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_TEKKEN: Final = (
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+"""
    r"""|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*"""
    r"""|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
)
_LLAMA3: Final = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"""
    r"""| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
)

#: Pre-tokenizer patterns by name, for `register_tiktoken_file(..., pattern=NAME)`.
#: "llama3" is Meta's Llama 3 pattern; "llama4" is Llama 4's, which is o200k_base's.
PATTERNS: Final = {
    "o200k_base": _O200K,
    "cl100k_base": _CL100K,
    "tekken": _TEKKEN,
    "llama3": _LLAMA3,
    "llama4": _O200K,
}


@attrs.frozen
class Spec:
    """Everything needed to build one tiktoken `Encoding` from a packaged vocabulary."""

    name: str
    sha256: str  # of the decompressed pack
    pat_str: str
    special_tokens: dict[str, int]
    size: int  # number of ranks

    @property
    def resource(self) -> str:
        return f"{self.name}.bpe.gz"


SPECS: Final = {
    "o200k_base": Spec(
        "o200k_base",
        "ac0b888385d42473a7135592e2feada02ba5c564d2c8dc1be9b3c1c63e62e972",
        _O200K,
        {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
        199998,
    ),
    "cl100k_base": Spec(
        "cl100k_base",
        "8f61ce3f43db609117b1fbbc36e32d17bcde8511dff8d5ee109ac9078a7e2522",
        _CL100K,
        {
            "<|endoftext|>": 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            "<|endofprompt|>": 100276,
        },
        100256,
    ),
    # Special tokens are never encoded here (text counts as text); tiktoken wants one.
    "tekken": Spec(
        "tekken",
        "ab607d8289a1d2fe28bf3863d8713cd96646a0ddeaa2babd3ed48c88b004e75e",
        _TEKKEN,
        {"</s>": 130072},
        130072,
    ),
}

_MAGIC: Final = b"LLMBPE2\n"
_MAX_LEN: Final = 255


def pack(ranks: dict[bytes, int]) -> bytes:
    """The pack of *ranks* (ranks 0..n-1, tokens of 1..255 bytes): see `unpack`."""
    from array import array

    n = len(ranks)
    if sorted(ranks.values()) != list(range(n)) or not all(0 < len(t) <= _MAX_LEN for t in ranks):
        msg = "ranks must be 0..n-1 and tokens 1..255 bytes"
        raise ValueError(msg)
    order = sorted(ranks, key=lambda t: (len(t), ranks[t]))
    counts = array("I", [0] * _MAX_LEN)
    for t in order:
        counts[len(t) - 1] += 1
    rank_list = array("I", [ranks[t] for t in order])
    if sys.byteorder != "little":
        counts.byteswap()
        rank_list.byteswap()
    return (
        _MAGIC + n.to_bytes(4, "little") + counts.tobytes() + rank_list.tobytes() + b"".join(order)
    )


def unpack(data: bytes, what: str) -> dict[bytes, int]:
    """The ranks of a pack: magic, count n (4 bytes), the number of tokens of each length 1..255
    (4 bytes each), the rank of each token (4 bytes each), then the tokens, shortest first.

    Tokens of one length are cut with one `re.findall` in C: about twice as fast as slicing
    them one by one, which keeps the first count in a process under tiktoken's own load time.
    """
    from array import array

    head = len(_MAGIC) + 4
    n = int.from_bytes(data[len(_MAGIC) : head], "little")
    counts = array("I")
    ranks = array("I")
    bad = f"{what} is not a packed BPE vocabulary (truncated or corrupt); reinstall llmcost"
    try:
        counts.frombytes(data[head : head + 4 * _MAX_LEN])
        ranks.frombytes(data[head + 4 * _MAX_LEN : head + 4 * _MAX_LEN + 4 * n])
    except ValueError:
        raise VocabularyError(bad) from None
    if sys.byteorder != "little":
        counts.byteswap()
        ranks.byteswap()
    pos = head + 4 * _MAX_LEN + 4 * n
    size = sum(c * (i + 1) for i, c in enumerate(counts))
    if (
        not data.startswith(_MAGIC)
        or sum(counts) != n
        or len(ranks) != n
        or pos + size != len(data)
    ):
        raise VocabularyError(bad)
    tokens: list[bytes] = []
    for i, c in enumerate(counts):
        if c:
            length = i + 1
            tokens += re.findall(b".{%d}" % length, data[pos : pos + c * length], re.S)
            pos += c * length
    result = dict(zip(tokens, ranks, strict=True))
    if len(result) != n or (n and (max(ranks) != n - 1 or len(set(ranks)) != n)):
        msg = f"{what} repeats a token or a rank; reinstall llmcost"
        raise VocabularyError(msg)
    return result


def _resource(spec: Spec) -> bytes:
    """The bytes of a packaged vocabulary file (plain open: importlib.resources costs ms)."""
    with open(os.path.join(os.path.dirname(__file__), "data", spec.resource), "rb") as f:
        return f.read()


def _read_pack(spec: Spec) -> dict[bytes, int]:
    import zlib

    try:
        data = zlib.decompress(_resource(spec), 31)  # gzip
    except (OSError, EOFError, zlib.error) as e:
        msg = f"packaged vocabulary {spec.resource} cannot be read ({e}); reinstall llmcost"
        raise VocabularyError(msg) from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != spec.sha256:
        msg = (
            f"packaged vocabulary {spec.resource} is corrupt: sha256 {digest} != {spec.sha256}; "
            "reinstall llmcost"
        )
        raise VocabularyError(msg)
    return unpack(data, f"packaged vocabulary {spec.resource}")


_load_lock = threading.RLock()
_encodings: dict[str, tiktoken.Encoding] = {}


def encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken `Encoding` of a shipped vocabulary, built once per process."""
    enc = _encodings.get(name)
    if enc is not None:
        return enc
    with _load_lock:
        enc = _encodings.get(name)
        if enc is None:
            import tiktoken

            spec = SPECS[name]
            enc = tiktoken.Encoding(
                name=spec.name,
                pat_str=spec.pat_str,
                mergeable_ranks=_read_pack(spec),
                special_tokens=dict(spec.special_tokens),
            )
            _encodings[name] = enc
    return enc


# --- tiktoken files a user has -------------------------------------------------------------

#: sha256 of vocabularies whose licence forbids shipping them, by the name of their pattern:
#: a file registered with that pattern is checked against these when it is one of them.
KNOWN_FILES: Final = {
    # Meta's Llama 3 / 3.1 / 3.2 / 3.3 `tokenizer.model` (also in the `llama-models` package).
    "82e9d31979e92ab929cd544440f129d9ecd797b69e327f80f17e1c50d5551b55": "llama3",
    # Meta's Llama 4 `tokenizer.model`.
    "d0bdbaf59b0762c8c807617e2d8ea51420eb1b1de266df2495be755c8e0ed6ed": "llama4",
}
#: Ranks in the Llama 3 and Llama 4 files, to tell a truncated copy from another vocabulary.
_KNOWN_SIZES: Final = {"llama3": 128000, "llama4": 200000}


def read_file(path: str, what: str, limit: int = 64 << 20) -> bytes:
    """The bytes of a user's vocabulary file; missing, a directory or too big is refused."""
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as e:
        msg = f"cannot read {what} {path!r}: {e.strerror or e}"
        raise FileAccessError(e.errno, msg) from None
    if len(data) > limit:
        msg = f"{what} {path!r} is over {limit >> 20} MiB: not a tokenizer vocabulary"
        raise InvalidInputError(msg)
    return data


def load_tiktoken_file(path: str, pattern: str, sha256: str | None) -> tiktoken.Encoding:
    """A tiktoken `Encoding` from a ``base64-token rank`` file, checked by hash."""
    import base64
    import binascii

    data = read_file(path, "tiktoken file")
    digest = hashlib.sha256(data).hexdigest()
    if sha256 is not None and digest != sha256.lower():
        msg = f"tiktoken file {path!r} has sha256 {digest}, not the expected {sha256}"
        raise VocabularyError(msg)
    known = KNOWN_FILES.get(digest)
    pat = PATTERNS.get(pattern, pattern)
    if known is not None and PATTERNS[known] != pat:
        msg = (
            f"tiktoken file {path!r} is Meta's {known} vocabulary: register it with "
            f"pattern={known!r}, not another pattern"
        )
        raise InvalidInputError(msg)
    ranks: dict[bytes, int] = {}
    try:
        number = 0
        for line in data.splitlines():
            number += 1
            if line:
                token, rank = line.split()
                ranks[base64.b64decode(token, validate=True)] = int(rank)
    except (ValueError, binascii.Error):
        msg = f"tiktoken file {path!r}, line {number}: not 'base64-token rank'"
        raise VocabularyError(msg) from None
    if not ranks or sorted(ranks.values()) != list(range(len(ranks))):
        msg = f"tiktoken file {path!r}: ranks are not 0..n-1 (a truncated or edited file?)"
        raise VocabularyError(msg)
    for name, size in _KNOWN_SIZES.items():
        if known is None and pat == PATTERNS[name] and len(ranks) != size and pattern == name:
            msg = (
                f"tiktoken file {path!r} has {len(ranks)} ranks, not the {size} of Meta's "
                f"{name} tokenizer.model (sha256 {digest})"
            )
            raise VocabularyError(msg)
    try:
        import tiktoken

        return tiktoken.Encoding(
            name=f"file:{os.path.basename(path)}",
            pat_str=pat,
            mergeable_ranks=ranks,
            special_tokens={},
        )
    except ValueError as e:
        msg = f"pattern {pattern!r} for {path!r} is not a valid tiktoken pattern: {e}"
        raise InvalidInputError(msg) from None


# --- cuts: where every built-in pre-tokenizer splits ----------------------------------------

# For a cut at position p, with a = text[p-1] and b = text[p]:
#   1. b is a space or a tab and a is not whitespace: no pre-token holds whitespace after a
#      non-whitespace character, except newlines after punctuation (not b here);
#   2. a is a newline and b is neither whitespace nor "/": nothing continues a newline run but
#      whitespace, and o200k's punctuation pre-token can take a "/" after its newlines;
#   3. a is a letter or digit and b is ASCII punctuation other than "'" (contractions), or a
#      newline: letter and digit pre-tokens end there;
#   4. a is a letter or digit and b is CJK or fullwidth punctuation (、。「」，！ ...): the same.
# Every pre-token before p is decided by characters before p (the patterns look ahead at most
# one character, and the end of text looks like a space there). Python's `\s` and `\w` are
# supersets of the classes they stand for, so a cut is only ever missed, never wrong.
CUT: Final = re.compile(
    r"(?<=\S)[ \t]|(?<=\n)[^\s/]|(?<=[^\W_])[!-&(-/:-@\[-`{-~\n]"
    r"|(?<=[^\W_])[、-〃〈-】〔-〟！-／：-＠［-｀｛-･]"
)
#: Characters counted at a time, and the longest run counted in one piece.
MAX_RUN: Final = 64 * 1024
_TAIL: Final = 4096


def last_cut(text: str, lo: int, hi: int, cut: re.Pattern[str] = CUT) -> int:
    """The last cut c with lo < c <= hi, or -1 (the last _TAIL characters are tried first)."""
    start = max(lo + 1, hi - _TAIL)
    while True:
        last = -1
        for m in cut.finditer(text, start, hi + 1):
            last = m.start()
        if last >= 0 or start == lo + 1:
            return last
        start = lo + 1


def _forced(text: str, pos: int) -> int:
    """Where a run without cuts from *pos* is cut: MAX_RUN on, never inside a surrogate pair."""
    f = pos + MAX_RUN
    if "\ud800" <= text[f - 1] <= "\udbff" and "\udc00" <= text[f] <= "\udfff":
        f += 1
    return f


def segments(text: str, pos: int = 0, cut: re.Pattern[str] = CUT) -> Iterator[tuple[int, int]]:
    """(start, end) of pieces of text[pos:] that count as the whole, while more than MAX_RUN
    characters remain after the start; yields nothing for the rest (the caller's to count)."""
    n = len(text)
    while n - pos > MAX_RUN:
        c = last_cut(text, pos, pos + MAX_RUN, cut)
        end = c if c > pos else _forced(text, pos)
        yield pos, end
        pos = end


def fix_surrogates(text: str) -> str:
    """What tiktoken counts for a str with surrogates: pairs joined, lone ones as U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def counter(encode: Callable[[str], list[int]]) -> Callable[[str], int]:
    """Exact count with *encode*, in pieces past MAX_RUN characters (see `segments`)."""

    def piece(text: str) -> int:
        try:
            return len(encode(text))
        except UnicodeEncodeError:
            return len(encode(fix_surrogates(text)))

    def count(text: str) -> int:
        if len(text) <= MAX_RUN:
            return piece(text)
        total = 0
        pos = 0
        for start, end in segments(text):
            total += piece(text[start:end])
            pos = end
        return total + piece(text[pos:])

    return count


def stream_pieces(chunks: Iterable[str], cut: re.Pattern[str] = CUT) -> Iterator[str]:
    """The pieces `segments` cuts the concatenation of *chunks* into, holding about MAX_RUN
    characters plus one chunk: the same cuts as for the whole text, so the same count."""
    pieces: list[str] = []
    size = 0
    for i, chunk in enumerate(chunks):
        if not isinstance(chunk, str):
            msg = f"chunk {i} must be a str, not {type(chunk).__name__}"
            raise InvalidTypeError(msg)
        pieces.append(chunk)
        size += len(chunk)
        if size > 2 * MAX_RUN:  # joined only after MAX_RUN new characters: linear time
            buf = "".join(pieces)
            pos = 0
            for start, end in segments(buf, 0, cut):
                yield buf[start:end]
                pos = end
            pieces, size = [buf[pos:]], len(buf) - pos
    buf = "".join(pieces)
    pos = 0
    for start, end in segments(buf, 0, cut):  # the tail too: a counter that changes a piece
        yield buf[start:end]  # (SentencePiece drops a leading space) must see whole segments
        pos = end
    if pos < len(buf):
        yield buf[pos:]
