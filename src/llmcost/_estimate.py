"""The token estimate: the real BPE on the text or on a systematic sample of it.

A linear model over byte features cannot see what BPE does with a repeated run, a base64
alphabet or a digit group, so the estimate asks the BPE itself:

* a text of at most `HEAD` (8,192) characters is counted exactly with the profile's base
  encoding (o200k_base, cl100k_base or Tekken, shipped with llmcost);
* a longer one is counted exactly over its head, and past it over a systematic sample of
  `BLOCK`-character blocks chosen by absolute offset: one block in 2 over the next 8 K
  characters, one in 4 over the next 16 K, and so on up to one in `MAX_PERIOD` (64). Blocks
  start and end at cuts where the pre-tokenizer splits anyway (``_tok_bpe.CUT``), so a block
  counts as it does inside the text. The rest is scaled by a ratio estimator: sampled tokens
  over the sampled *proxy* (a per-character weight by script and kind, a sum over bytes),
  times the proxy of everything past the head. Everything is an integer sum over absolute
  positions, so a text given in chunks (`EstimateStream`) estimates to exactly the same
  number as the whole, whatever the chunks.

Sampling error (``benchmarks/estimate_accuracy.py``): on the held-out documents longer than the
head, median 0.3% and 90th percentile about 1%; the worst single document of 5-200 K
characters is off by about 5%. On a megabyte of concatenated files the standard deviation
over start offsets is 1-2.5%. Text built of long runs of repeated paragraphs can alias with
the sampling: the estimate of a concatenation is within 8% (and 4 tokens) of the sum of its
parts' estimates, the band the property tests hold it to.

Speed: a megabyte is estimated ten to sixteen times faster than
it is counted exactly.

For a family without a local tokenizer, each base token is weighted by a factor for its
class (space-prefixed ASCII word, digits, whitespace, punctuation, Cyrillic, CJK, Hangul, ...),
fitted against that family's real tokenizer where one can be had for calibration
(``benchmarks/corpus/fit_estimate.py``): Llama 3 and 4, DeepSeek V3, Qwen 3, Gemma 3 (what
Google's SDK counts Gemini tokens with), Mistral's SentencePiece models. Claude and Grok have
no obtainable tokenizer: a published ratio times o200k_base (see `PROFILES`).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from typing import Final

import attrs

from llmcost import _tok_bpe as bpe
from llmcost._errors import InvalidTypeError
from llmcost._estimate_data import BANDS, FAMILY_WEIGHTS, PROXY

__all__ = ["PROFILES", "EstimateStream", "Profile", "estimate", "estimate_chunks"]

HEAD: Final = 8192  # characters counted exactly
BLOCK: Final = 128  # characters per sampled block (before snapping to cuts)
MAX_PERIOD: Final = 64  # at most one block in this many, far from the start
SNAP: Final = 128  # characters searched for a cut at each block edge
_UNIT: Final = 100  # weighted token counts are in hundredths of a token


def period(band: int) -> int:
    """Blocks per sampled block in band *band* (band b covers [HEAD*2**b, HEAD*2**(b+1)))."""
    return min(2 << band, MAX_PERIOD)


# --- token classes -----------------------------------------------------------------------------

_KINDS: Final = (
    "other", "word", "letters", "digits", "spaces", "newlines", "punct", "partial",
    "latin", "greek", "cyrillic", "arabic", "two-byte", "indic", "symbols", "kana",
    "cjk", "hangul", "fullwidth", "emoji", "indent", "long-word", "long-letters",
)  # fmt: skip
#: Names of the token classes family weights are fitted for (see `token_class`): the kinds
#: above, and for the non-ASCII ones (partial .. emoji) also by leading space and length.
CLASSES: Final = _KINDS + tuple(
    f"{kind}/{'spaced' if spaced else 'bare'}/{size}"
    for kind in _KINDS[7:20]
    for spaced in (0, 1)
    for size in ("1", "2-3", "4+")
)


def _kind(tok: bytes) -> int:
    """The kind of a base token: by its first byte after one leading space, and its length."""
    spaced = len(tok) > 1 and tok[0] == 0x20
    b = tok[1] if spaced else tok[0]
    if b < 0x80:
        if 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A:
            if spaced:
                return 21 if len(tok) >= 8 else 1
            return 22 if len(tok) >= 7 else 2
        if 0x30 <= b <= 0x39:
            return 3
        if b in (0x20, 0x09):
            return 20 if len(tok) >= 4 and tok.strip(b" \t") == b"" else 4
        if b in (0x0A, 0x0D):
            return 5
        return 6
    if b < 0xC0:
        return 7
    if 0xC3 <= b <= 0xCA:
        return 8
    if b in (0xCE, 0xCF):
        return 9
    if 0xD0 <= b <= 0xD3:
        return 10
    if 0xD6 <= b <= 0xDB:
        return 11
    if b < 0xE0:
        return 12
    if b == 0xE0:
        return 13
    if b in (0xE1, 0xE2):
        return 14
    if b == 0xE3:
        return 15
    if b <= 0xE9:
        return 16
    if b <= 0xED:
        return 17
    if b < 0xF0:
        return 18
    return 19


def token_class(tok: bytes) -> int:
    """The class of a base token (an index into `CLASSES`).

    >>> CLASSES[token_class(b" the")], CLASSES[token_class(" привет".encode())]
    ('word', 'cyrillic/spaced/4+')
    """
    kind = _kind(tok)
    if not 7 <= kind <= 19:
        return kind
    spaced = len(tok) > 1 and tok[0] == 0x20
    chars = len(tok.decode("utf-8", "ignore").strip()) or 1
    size = 0 if chars <= 1 else 1 if chars <= 3 else 2
    return len(_KINDS) + (kind - 7) * 6 + spaced * 3 + size


# --- profiles ----------------------------------------------------------------------------------


@attrs.frozen
class Profile:
    """How one family's tokens are estimated: a base encoding, weights per token class.

    `weights` are in hundredths of a token per base token of each class (`CLASSES`), empty
    for "every base token counts one"; `factor` multiplies the whole (for families with no
    obtainable tokenizer); `band` is the (median, 90th percentile) relative error measured
    against the family's real tokenizer on held-out text, None where none could be measured.
    """

    name: str
    base: str
    weights: tuple[int, ...] = ()
    factor: float = 1.0
    note: str = ""
    band: tuple[float, float] | None = None


@attrs.define
class _Base:
    """A base encoding's counters: exact token ids, token classes, the proxy table."""

    encode: Callable[[str], list[int]]
    proxy_table: bytes
    classes: bytes | None = None


_bases: dict[str, _Base] = {}


def _base(name: str) -> _Base:
    b = _bases.get(name)
    if b is None:
        with bpe._load_lock:
            b = _bases.get(name)
            if b is None:
                enc = bpe.encoding(name)
                core = getattr(enc, "_core_bpe", None)  # one Python frame less per call
                encode = core.encode_ordinary if core else enc.encode_ordinary
                b = _Base(encode, bytes.fromhex(PROXY[name]))
                _bases[name] = b
    return b


def _classes(name: str) -> bytes:
    """The class of every token id of base encoding *name* (built on first use, ~0.1 s)."""
    b = _base(name)
    if b.classes is None:
        with bpe._load_lock:
            if b.classes is None:
                ranks = bpe.encoding(name)._mergeable_ranks
                table = bytearray(len(ranks))
                for tok, rank in ranks.items():
                    table[rank] = token_class(tok)
                b.classes = bytes(table)
    return b.classes


def _weighted(profile: Profile) -> Callable[[str], int]:
    """Hundredths of tokens of a piece of text (exact for its base encoding)."""
    count = bpe.counter(_base(profile.base).encode)
    if not profile.weights:
        return lambda text: _UNIT * count(text)
    encode = _base(profile.base).encode
    table = _classes(profile.base)
    weights = profile.weights
    pairs = [(bytes([c]), w) for c, w in enumerate(weights) if w]

    def ids(text: str) -> list[int]:
        try:
            return encode(text)
        except UnicodeEncodeError:
            return encode(bpe.fix_surrogates(text))

    def weigh(text: str) -> int:
        if len(text) <= bpe.MAX_RUN:
            cls = bytes(map(table.__getitem__, ids(text)))
        else:
            parts = []
            pos = 0
            for start, end in bpe.segments(text):
                parts.append(bytes(map(table.__getitem__, ids(text[start:end]))))
                pos = end
            parts.append(bytes(map(table.__getitem__, ids(text[pos:]))))
            cls = b"".join(parts)
        return sum(w * cls.count(c) for c, w in pairs)

    return weigh


_counters: dict[str, Callable[[str], int]] = {}


def _counter(profile: Profile) -> Callable[[str], int]:
    c = _counters.get(profile.name)
    if c is None or getattr(c, "profile", None) is not profile:
        c = _weighted(profile)
        c.profile = profile  # type: ignore[attr-defined]
        _counters[profile.name] = c
    return c


# --- the proxy ---------------------------------------------------------------------------------

_SPAN: Final = 65519 // 63  # bytes of up to 63 that one adler32 low half sums exactly


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _proxy(data: bytes, table: bytes) -> int:
    """The sum of table[b] over the bytes b of *data* (6-bit weights), in C via adler32."""
    q = data.translate(table)
    n = len(q)
    if n <= _SPAN:
        return (zlib.adler32(q) & 0xFFFF) - 1
    mv = memoryview(q)
    adler = zlib.adler32
    return sum([adler(mv[i : i + _SPAN]) & 0xFFFF for i in range(0, n, _SPAN)]) - -(-n // _SPAN)


# --- the estimate ------------------------------------------------------------------------------


class EstimateStream:
    """Accumulate the estimate of a text given in pieces; equal to `estimate` of the whole.

    >>> s = EstimateStream(PROFILES["o200k"])
    >>> s.feed("Hello, "); s.feed("world")
    >>> s.total() == estimate("Hello, world", PROFILES["o200k"])
    True
    """

    __slots__ = (
        "_band", "_base_off", "_count", "_den", "_h", "_head", "_head_p", "_n", "_next", "_num",
        "_pieces", "_profile", "_proxy_all", "_table",
    )  # fmt: skip

    def __init__(self, profile: Profile) -> None:
        self._profile = profile
        self._count = _counter(profile)
        self._table = _base(profile.base).proxy_table
        self._pieces: list[str] = []  # text from absolute offset _base_off on
        self._base_off = 0
        self._n = 0  # characters fed
        self._proxy_all = 0  # proxy of everything fed
        self._h = -1  # end of the head, once known
        self._head = 0  # weighted tokens of the head
        self._head_p = 0  # its proxy
        self._next = HEAD  # offset of the next block to sample
        self._band = 0
        self._num = 0  # sum of period * weighted tokens of sampled blocks
        self._den = 0  # sum of period * proxy of sampled blocks

    def feed(self, text: str) -> None:
        """Add the next piece of text."""
        if not isinstance(text, str):
            msg = f"text must be a str, not {type(text).__name__}"
            raise InvalidTypeError(msg)
        if not text:
            return
        self._pieces.append(text)
        self._n += len(text)
        self._proxy_all += _proxy(_utf8(text), self._table)
        if self._n >= self._next + BLOCK + SNAP:
            self._advance(final=False)

    def _text(self) -> str:
        if len(self._pieces) > 1:
            self._pieces = ["".join(self._pieces)]
        return self._pieces[0] if self._pieces else ""

    def _snap(self, text: str, at: int) -> int:
        """The first cut at or after absolute offset *at* within SNAP characters, else *at*."""
        end = min(at + SNAP, self._n)
        if at >= end:
            return min(at, self._n)
        m = bpe.CUT.search(text, at - self._base_off, end - self._base_off)
        return m.start() + self._base_off if m else at

    def _advance(self, *, final: bool) -> None:
        """Count the head and every block whose text (and snap window) is complete."""
        text = self._text()
        off = self._base_off
        if self._h < 0:
            self._h = self._snap(text, HEAD)
            head = text[: self._h - off]
            self._head = self._count(head)
            self._head_p = _proxy(_utf8(head), self._table)
        while self._next < self._n and (final or self._n >= self._next + BLOCK + SNAP):
            o = self._next
            start = max(self._snap(text, o), self._h)
            end = self._snap(text, o + BLOCK)
            if start < end:
                block = text[start - off : end - off]
                k = period(self._band)
                self._num += k * self._count(block)
                self._den += k * _proxy(_utf8(block), self._table)
            self._next = o + BLOCK * period(self._band)
            if self._next >= HEAD << (self._band + 1):
                self._band += 1
        keep = max(0, min(self._next, self._n) - 1 - off)  # the block's lookbehind character
        if keep and not final:
            self._pieces = [text[keep:]]
            self._base_off = off + keep

    def total(self) -> int:
        """The estimate of everything fed so far (0 for no text, else at least 1)."""
        if self._n == 0:
            return 0
        weighted: float
        if self._n <= HEAD:
            weighted = self._count(self._text())
        else:
            state = self._copy()
            state._advance(final=True)
            weighted = state._head
            if state._den:  # the ratio estimator: sampled tokens per proxy unit
                weighted += state._num * (state._proxy_all - state._head_p) / state._den
        return max(1, round(weighted * self._profile.factor / _UNIT))

    def _copy(self) -> EstimateStream:
        other = object.__new__(EstimateStream)
        for name in self.__slots__:
            setattr(other, name, getattr(self, name))
        other._pieces = list(self._pieces)
        return other


def estimate(text: str, profile: Profile) -> int:
    """The estimated token count of *text* under *profile* (0 only for empty text).

    >>> estimate("", PROFILES["o200k"]), estimate("hello", PROFILES["o200k"])
    (0, 1)
    """
    if not isinstance(text, str):
        msg = f"text must be a str, not {type(text).__name__}"
        raise InvalidTypeError(msg)
    if len(text) <= HEAD:
        if not text:
            return 0
        return max(1, round(_counter(profile)(text) * profile.factor / _UNIT))
    s = EstimateStream(profile)
    s.feed(text)
    return s.total()


def fast(profile: Profile) -> Callable[[str], int]:
    """`estimate` for one profile, as a counter with the least overhead per call: for an
    unweighted profile a short text goes straight to the exact counter."""
    if not profile.weights and profile.factor == 1.0:
        exact = bpe.counter(_base(profile.base).encode)

        def est(text: str) -> int:
            if len(text) <= HEAD:
                return exact(text)
            return estimate(text, profile)

        return est
    return lambda text: estimate(text, profile)


def estimate_chunks(chunks: Iterable[str], profile: Profile) -> int:
    """The estimate of the concatenation of *chunks*, read one chunk at a time."""
    s = EstimateStream(profile)
    for chunk in chunks:
        s.feed(chunk)
    return s.total()


# --- fitted data (in _estimate_data, written by benchmarks/corpus/fit_estimate.py) ----------



def _family(name: str, base: str, note: str, factor: float = 1.0) -> Profile:
    return Profile(name, base, FAMILY_WEIGHTS.get(name, ()), factor, note, BANDS.get(name))


# Families without a tokenizer shipped with llmcost. Where a real tokenizer could be had for
# calibration (see benchmarks/corpus/fit_estimate.py), its base tokens are weighted per class;
# where none could, a published ratio:
#
# * claude: Anthropic has not published Claude's tokenizer. Measurements report 16% (English
#   prose) to 30% (code) more tokens than GPT-4o's o200k_base for the same input (VentureBeat,
#   "Hidden costs in AI deployment: why Claude models may be 20-30% more expensive than GPT in
#   enterprise settings", May 2025). o200k times 1.2: rough, +-15%; count exactly with
#   `count_message_tokens(..., client=anthropic_client)`.
# * grok: xAI published Grok-1's 131,072-entry SentencePiece vocabulary, but not for later
#   models and not in any package reachable here; cl100k times 1.0, rough, +-20%.
PROFILES: Final[dict[str, Profile]] = {
    "o200k": Profile("o200k", "o200k_base", note="o200k_base"),
    "cl100k": Profile("cl100k", "cl100k_base", note="cl100k_base"),
    "tekken": Profile("tekken", "tekken", note="Tekken (Mistral NeMo, Pixtral 12B)"),
    "claude": Profile("claude", "o200k_base", (), 1.2, "o200k_base x 1.2 (reported ratio)"),
    "grok": Profile("grok", "cl100k_base", (), 1.0, "cl100k_base (no tokenizer published)"),
    "llama": _family("llama", "cl100k_base", "cl100k_base weighted to Meta's Llama 3 tokenizer"),
    "llama4": _family("llama4", "o200k_base", "o200k_base weighted to Meta's Llama 4 tokenizer"),
    "deepseek": _family("deepseek", "o200k_base", "o200k_base weighted to DeepSeek V3's"),
    "qwen": _family("qwen", "cl100k_base", "cl100k_base weighted to Qwen 3's tokenizer"),
    "gemini": _family("gemini", "o200k_base", "o200k_base weighted to Gemma 3's tokenizer"),
    "mistral": _family(
        "mistral", "tekken", "Tekken weighted to Mistral's SentencePiece v7 (Large 2411)"
    ),
    "mistral-tekken": Profile(
        "mistral-tekken",
        "tekken",
        note="Tekken 2024 vocabulary; newer Mistral models' tokenizers are not published "
        "offline, so equality is unverified",
    ),
}
