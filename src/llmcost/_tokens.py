"""Token counting: exact where a tokenizer is known, a calibrated estimate everywhere else.

Exact, with vocabularies shipped in the package (no network, see `llmcost._tok_bpe`): OpenAI's
o200k_base and cl100k_base, Mistral's Tekken. Exact with a file the user has: a tiktoken-format
vocabulary (`register_tiktoken_file`, Meta's Llama 3 ``tokenizer.model``), a Hugging Face
``tokenizer.json`` (`register_hf_tokenizer`, needs ``tokenizers``), a SentencePiece ``.model``
(`register_sentencepiece_file`, needs ``sentencepiece``), or any callable
(`register_tokenizer`). Exact through the vendor: `count_message_tokens(..., client=...)`.
Every other model gets the estimate of `llmcost._estimate`.

Text is counted as ordinary text: special-token strings such as ``<|endoftext|>`` are counted as
the characters they are, never as control tokens and never as an error. A ``str`` holding
surrogate code points (which UTF-8 cannot encode) is counted the way tiktoken's own
``Encoding.encode_ordinary`` does: a well-formed surrogate pair as the character it stands for,
a lone surrogate as U+FFFD, the replacement character.

Registration is visible at once: a count that starts after `register_tokenizer` (or one of its
siblings, or `unregister_tokenizer`) returns uses the new tokenizer, in every thread.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Final

import attrs

from llmcost import _estimate
from llmcost import _registry as _registry_hooks
from llmcost import _tok_bpe as bpe
from llmcost._errors import (
    FileAccessError,
    InvalidTypeError,
    PriceDataError,
)
from llmcost._families import EXACT_TOKENIZERS
from llmcost._paths import checked_path
from llmcost._tok_text import checked_chunks, read_text, text_codec

if TYPE_CHECKING:
    from llmcost._registry import ModelPrice, Registry

__all__ = [
    "Tokenizer",
    "count_file_tokens",
    "count_message_tokens",
    "count_stream_tokens",
    "count_tokens",
    "estimate_tokens",
    "tokenizer_for",
]

_encoding = bpe.encoding  # kept for the benchmarks and corpus scripts
_encodings = bpe._encodings

#: The registry's ``tokenizer`` names for exact encodings, and the estimate profile of each.
_EXACT_PROFILE: Final = {"o200k_base": "o200k", "cl100k_base": "cl100k", "tekken": "tekken"}


def _exact_counter(name: str) -> Callable[[str], int]:
    enc = bpe.encoding(name)
    core = getattr(enc, "_core_bpe", None)  # skip one Python frame per call when available
    return bpe.counter(core.encode_ordinary if core else enc.encode_ordinary)


# --- plug-ins ------------------------------------------------------------------------------


@attrs.frozen
class _Plugin:
    name: str
    count: Callable[[str], int] = attrs.field(eq=False, repr=False)
    #: How a stream is cut into pieces that count as the whole (None: at BPE cuts).
    pieces: Callable[[Iterable[str]], Iterator[str]] | None = attrs.field(
        default=None, eq=False, repr=False
    )
    note: str = ""


# Keys: "model:<canonical id>" or "family:<tokenizer name>". Every change bumps _generation
# under _cache_lock, and a resolved counter is cached only if no change happened meanwhile,
# so a count that starts after a registration returns never sees the old tokenizer.
_plugins: dict[str, _Plugin] = {}
_generation = [0]


def _checked(plugin: _Plugin) -> Callable[[str], int]:
    def count(text: str) -> int:
        n = plugin.count(text)
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            msg = f"tokenizer {plugin.name!r} returned {n!r}, not a non-negative int"
            raise InvalidTypeError(msg)
        return n

    return count


def _plugin_of(price: ModelPrice) -> _Plugin | None:
    return _plugins.get("model:" + price.model) or _plugins.get("family:" + price.tokenizer)


@attrs.frozen
class Tokenizer:
    """What counts a model's tokens: an exact tokenizer, a plug-in, or an estimate profile.

    `name` is the tokenizer (``"o200k_base"``, ``"cl100k_base"``, ``"tekken"``, the name a
    plug-in was registered with) or, for an estimate, its profile (``"claude"``, ``"llama"``,
    ...); `exact` says whether counts are exact; `profile` is the estimate profile
    `estimate_tokens` uses; `model` is the canonical model id. For an estimate, `error_band`
    is the (median, 90th percentile) relative error measured against the family's real
    tokenizer on held-out text (None where no tokenizer could be had to measure it), and
    `note` says where the estimate comes from.

    >>> import llmcost
    >>> tok = llmcost.tokenizer_for("gpt-4")
    >>> tok.name, tok.exact, tok.profile
    ('cl100k_base', True, 'cl100k')
    >>> tok.count("hello world")
    2
    """

    name: str
    exact: bool
    profile: str
    model: str
    _counter: Callable[[str], int] = attrs.field(eq=False, repr=False, alias="counter")
    error_band: tuple[float, float] | None = None
    note: str = ""

    def count(self, text: str) -> int:
        """The number of tokens in *text* (exact or estimated, as `exact` says)."""
        if not isinstance(text, str):
            msg = f"text must be a str, not {type(text).__name__}"
            raise InvalidTypeError(msg)
        return self._counter(text)


def _profile_of(price: ModelPrice) -> _estimate.Profile:
    name = _EXACT_PROFILE.get(price.tokenizer, price.tokenizer)
    try:
        return _estimate.PROFILES[name]
    except KeyError:
        msg = f"model {price.model!r} names an unknown tokenizer {price.tokenizer!r}"
        raise PriceDataError(msg) from None


def _lazy(make: Callable[[], Callable[[str], int]]) -> Callable[[str], int]:
    """A counter built on first use (so `tokenizer_for` stays cheap)."""
    loaded: list[Callable[[str], int]] = []

    def count(text: str) -> int:
        if not loaded:
            loaded.append(make())
        return loaded[0](text)

    return count


def _tokenizer(price: ModelPrice, *, lazy: bool) -> Tokenizer:
    profile = _profile_of(price)
    plugin = _plugin_of(price)
    if plugin is not None:
        return Tokenizer(
            plugin.name, True, profile.name, price.model, _checked(plugin), note=plugin.note
        )
    if price.tokenizer in EXACT_TOKENIZERS:
        name = price.tokenizer
        counter = _lazy(lambda: _exact_counter(name)) if lazy else _exact_counter(name)
        return Tokenizer(name, True, profile.name, price.model, counter, note=profile.note)
    est = _lazy(lambda: _estimate.fast(profile)) if lazy else _estimate.fast(profile)
    return Tokenizer(
        profile.name, False, profile.name, price.model, est, profile.band, profile.note
    )


# Per-call overhead matters (a count is about a microsecond for a short string), so model
# names are resolved once and cached by the exact string, and by registry identity. The cached
# registry object is kept alive in the entry, so its id cannot be reused while cached.
_CACHE_LIMIT: Final = 4096
_cache_lock = threading.Lock()
_default_counters: dict[str, Callable[[str], int]] = {}
_registry_counters: dict[tuple[int, str], tuple[Registry, Callable[[str], int]]] = {}
_default_estimators: dict[str, Callable[[str], int]] = {}


def _clear_caches() -> None:
    """Forget resolved models (after a plug-in changes, or the default registry does)."""
    with _cache_lock:
        _generation[0] += 1
        _default_counters.clear()
        _registry_counters.clear()
        _default_estimators.clear()


def _price(model: str, registry: Registry | None) -> ModelPrice:
    from llmcost._registry import get_price

    if not isinstance(model, str):
        msg = f"model must be a str, not {type(model).__name__}"
        raise InvalidTypeError(msg)
    return get_price(model, registry=registry)


def _store(cache: dict[str, Callable[[str], int]], key: str, value: Callable[[str], int]) -> None:
    with _cache_lock:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = value


def _counter(model: str, registry: Registry | None) -> Callable[[str], int]:
    if not isinstance(model, str):
        msg = f"model must be a str, not {type(model).__name__}"
        raise InvalidTypeError(msg)
    if registry is None:
        counter = _default_counters.get(model)
        if counter is None:
            generation = _generation[0]
            counter = _tokenizer(_price(model, None), lazy=False)._counter
            with _cache_lock:
                if generation == _generation[0]:  # else a registration happened meanwhile
                    if len(_default_counters) >= _CACHE_LIMIT:
                        _default_counters.clear()
                    _default_counters[model] = counter
        return counter
    key = (id(registry), model)
    hit = _registry_counters.get(key)
    if hit is not None and hit[0] is registry:
        return hit[1]
    generation = _generation[0]
    counter = _tokenizer(_price(model, registry), lazy=False)._counter
    with _cache_lock:
        if generation == _generation[0]:
            if len(_registry_counters) >= _CACHE_LIMIT:
                _registry_counters.clear()
            _registry_counters[key] = (registry, counter)
    return counter


# --- public functions --------------------------------------------------------------------------


def count_tokens(text: str, model: str, *, registry: Registry | None = None) -> int:
    """The number of tokens *text* is for *model*: exact where a tokenizer is known.

    OpenAI models count exactly with their tiktoken encoding (o200k_base or cl100k_base), and
    Mistral NeMo and the other Tekken models with Tekken, all shipped with llmcost (no network);
    a registered tokenizer counts exactly too; every other model gets the estimate of
    `estimate_tokens`. Special-token strings count as ordinary text.

    >>> import llmcost
    >>> llmcost.count_tokens("こんにちは、世界", "gpt-4o")
    3
    >>> llmcost.count_tokens("hello <|endoftext|>", "gpt-4o")
    8
    """
    try:
        counter = _default_counters[model] if registry is None else _counter(model, registry)
    except (KeyError, TypeError):  # not resolved yet, or not even a str
        counter = _counter(model, registry)
    if not isinstance(text, str):
        msg = f"text must be a str, not {type(text).__name__}"
        raise InvalidTypeError(msg)
    return counter(text)


def estimate_tokens(text: str, model: str, *, registry: Registry | None = None) -> int:
    """A fast estimate of the tokens in *text* for *model*, never slower than counting.

    Texts up to 8,192 characters are counted exactly with the base encoding of the model's
    estimate profile (o200k_base, cl100k_base or Tekken); longer ones over their start and a
    systematic sample of the rest, scaled up: on held-out documents the median error is 0.3%
    and the 90th percentile about 1%, and a megabyte is estimated over ten times faster than
    it is counted (``benchmarks/estimate_accuracy.py``, ``benchmarks/tokens_speed.py``). For
    families without a shipped tokenizer the base tokens are weighted by factors fitted
    against the family's real tokenizer; `Tokenizer.error_band` says how close that is. A
    registered tokenizer is not used here. Never raises on a str; 0 only for empty text.

    >>> import llmcost
    >>> llmcost.estimate_tokens("The quick brown fox jumps over the lazy dog.", "gpt-4o")
    10
    """
    try:
        est = _default_estimators[model] if registry is None else None
    except (KeyError, TypeError):
        est = None
    if est is None:
        generation = _generation[0]
        est = _estimate.fast(_profile_of(_price(model, registry)))
        if registry is None:
            with _cache_lock:
                if generation == _generation[0]:
                    if len(_default_estimators) >= _CACHE_LIMIT:
                        _default_estimators.clear()
                    _default_estimators[model] = est
    if not isinstance(text, str):
        msg = f"text must be a str, not {type(text).__name__}"
        raise InvalidTypeError(msg)
    return est(text)


def tokenizer_for(model: str, *, registry: Registry | None = None) -> Tokenizer:
    """The `Tokenizer` that counts *model*'s tokens (its vocabulary loads on first count).

    >>> import llmcost
    >>> llmcost.tokenizer_for("gpt-4o").name, llmcost.tokenizer_for("gpt-4o").exact
    ('o200k_base', True)
    >>> tok = llmcost.tokenizer_for("claude-sonnet-4-5")
    >>> tok.exact, tok.error_band is None
    (False, True)
    """
    return _tokenizer(_price(model, registry), lazy=True)


# --- streams and files ---------------------------------------------------------------------


def count_stream_tokens(
    chunks: Iterable[str], model: str, *, registry: Registry | None = None
) -> int:
    """Count the tokens of the concatenation of *chunks*, holding about 128 K characters.

    Equal to ``count_tokens("".join(chunks), model)`` for any chunking: the text is re-cut at
    places where the pre-tokenizer splits anyway, and the estimate is a sum over absolute
    positions. A run of more than 65,536 characters with no such place (one repeated byte,
    a huge base64 line) is counted in 65,536-character pieces, in the stream as in the whole
    text, so memory stays bounded whatever the input; such runs count at about 10 MB/s.

    >>> import llmcost
    >>> llmcost.count_stream_tokens(["Hello, wo", "rld!"], "gpt-4o")
    4
    """
    price = _price(model, registry)
    plugin = _plugin_of(price)
    if plugin is None and price.tokenizer not in EXACT_TOKENIZERS:
        return _estimate.estimate_chunks(checked_chunks(chunks), _profile_of(price))
    counter = _counter(model, registry)
    pieces = plugin.pieces if plugin is not None and plugin.pieces else bpe.stream_pieces
    return sum(counter(piece) for piece in pieces(chunks))


def count_file_tokens(
    path: str | os.PathLike[str],
    model: str,
    *,
    encoding: str = "utf-8",
    registry: Registry | None = None,
) -> int:
    """Count the tokens of a text file without reading it into memory at once.

    The file is decoded incrementally (invalid bytes count as U+FFFD, never an error) and
    counted like `count_stream_tokens`: equal to counting the whole text, with memory bounded.
    A missing file or a directory raises `FileAccessError` (an `OSError`); a path that cannot
    name a file, or an *encoding* that is not a text encoding, `InvalidInputError`.

    >>> import llmcost, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
    >>> _ = p.write_text("Hello, world!", encoding="utf-8")
    >>> llmcost.count_file_tokens(p, "gpt-4o")
    4
    """
    checked = checked_path(path, "path")
    info = text_codec(encoding)
    price = _price(model, registry)  # an unknown model fails before the file is opened
    if os.path.isdir(checked):
        msg = f"{checked!r} is a directory, not a text file"
        raise FileAccessError(21, msg)
    return count_stream_tokens(read_text(checked, info), price.model, registry=registry)


# --- chat messages -----------------------------------------------------------------------------


def count_message_tokens(
    messages: Sequence[Mapping[str, object]],
    model: str,
    *,
    tools: Sequence[Mapping[str, object]] | None = None,
    registry: Registry | None = None,
    client: object = None,
) -> int:
    """The prompt tokens a chat request's *messages* (and *tools*) are for *model*.

    OpenAI's published formula: 3 tokens per message plus its fields (role, content, name, 1
    more for a name), 3 for the reply priming, and the cookbook's formula for function tools.
    Content is a string or a list of text parts (``{"type": "text", "text": ...}``); tool calls
    count their name and arguments. For other vendors the same structure is counted with the
    model's tokenizer or estimate. It is an estimate of what the API reports (vendors add
    framing of their own, such as Anthropic's tool-use system prompt, not counted here).

    Image parts (OpenAI ``image_url`` / ``input_image``, Anthropic ``image``, Gemini
    ``inline_data``) are counted by the vendor's image rule (see `image_tokens`); a remote image
    URL is never downloaded: give its size as ``"width"`` / ``"height"`` keys on the part, or a
    1024x1024 image is assumed.

    With *client*, the vendor counts instead, through that client (llmcost opens no connection
    of its own): an ``anthropic.Anthropic`` client calls ``messages.count_tokens``, a
    ``google.genai.Client`` calls ``models.count_tokens``; a failure raises
    `VendorCountError`.

    >>> import llmcost
    >>> llmcost.count_message_tokens([{"role": "user", "content": "Hello!"}], "gpt-4o")
    9
    """
    if client is not None:
        from llmcost import _tok_vendor

        price = _price(model, registry)
        return _tok_vendor.count(client, messages, price, tools)
    return _count_messages(messages, model, tools=tools, registry=registry)[0]


def _count_messages(
    messages: Sequence[Mapping[str, object]],
    model: str,
    *,
    tools: Sequence[Mapping[str, object]] | None = None,
    registry: Registry | None = None,
) -> tuple[int, bool]:
    """``(tokens, images_exact)``: `count_message_tokens` and whether every image size was known."""
    from llmcost._tok_messages import count_messages

    price = _price(model, registry)
    return count_messages(messages, price, _counter(model, registry), tools)


# Registered last, once this module is complete: see `_registry.on_default_change`.
_registry_hooks.on_default_change(_clear_caches)
