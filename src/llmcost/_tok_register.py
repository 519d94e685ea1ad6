"""Plugging in tokenizers: a callable, a tiktoken file, a Hugging Face or SentencePiece file.

The plug-ins live in `_tokens` (its `_plugins` table and caches); a registration is visible
to every count that starts after it returns (`_tokens._install` bumps the generation).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from llmcost import _tok_bpe as bpe
from llmcost._errors import InvalidInputError, InvalidTypeError
from llmcost._families import ESTIMATE_PROFILES, EXACT_TOKENIZERS
from llmcost._paths import checked_path
from llmcost._tokens import (
    Tokenizer,
    _cache_lock,
    _clear_caches,
    _Plugin,
    _plugins,
    _price,
    tokenizer_for,
)

if TYPE_CHECKING:
    from llmcost._registry import Registry

__all__ = [
    "register_hf_tokenizer",
    "register_sentencepiece_file",
    "register_tiktoken_file",
    "register_tokenizer",
    "unregister_tokenizer",
]



def _target(model_or_family: str, registry: Registry | None) -> str:
    """The plug-in key: a family (a price entry's estimate ``tokenizer``), else a model."""
    if not isinstance(model_or_family, str):
        msg = f"model must be a str, not {type(model_or_family).__name__}"
        raise InvalidTypeError(msg)
    if model_or_family in ESTIMATE_PROFILES:
        return "family:" + model_or_family
    if model_or_family in EXACT_TOKENIZERS:
        msg = f"{model_or_family!r} is already counted exactly; register a model or a family"
        raise InvalidInputError(msg)
    return "model:" + _price(model_or_family, registry).model


def _install(key: str, plugin: _Plugin | None) -> None:
    with _cache_lock:
        if plugin is None:
            _plugins.pop(key, None)
        else:
            _plugins[key] = plugin
    _clear_caches()


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        msg = f"name must be a non-empty str, not {name!r}"
        raise InvalidTypeError(msg)
    return name


def register_tokenizer(
    model: str,
    count: Callable[[str], int],
    *,
    name: str,
    registry: Registry | None = None,
) -> Tokenizer | None:
    """Count *model*'s tokens with *count* from now on (say a tokenizer you have).

    *model* is a model, resolved through the registry (the plug-in is keyed by its canonical
    id, so every alias uses it), or a whole family: an estimate profile such as ``"llama"`` or
    ``"deepseek"``, then every model whose price entry names it. `count_tokens`,
    `tokenizer_for` and `count_message_tokens` then report exact counts; `estimate_tokens` is
    unchanged. Streams are cut where BPE pre-tokenizers split (before a space after a word,
    ...), so *count* should split there too. Returns the model's `Tokenizer` (None for a
    family). Undo with `unregister_tokenizer`.

    >>> import llmcost
    >>> tok = llmcost.register_tokenizer(
    ...     "deepseek-chat", lambda text: len(text.split()), name="whitespace")
    >>> tok.exact, llmcost.count_tokens("three little words", "deepseek-chat")
    (True, 3)
    >>> llmcost.unregister_tokenizer("deepseek-chat")
    """
    if not callable(count):
        msg = f"count must be a callable taking a str, not {type(count).__name__}"
        raise InvalidTypeError(msg)
    key = _target(model, registry)
    _install(key, _Plugin(_check_name(name), count, note="registered callable"))
    return tokenizer_for(model, registry=registry) if key.startswith("model:") else None


def register_tiktoken_file(
    model_or_family: str,
    path: str | os.PathLike[str],
    *,
    pattern: str = "llama3",
    sha256: str | None = None,
    name: str | None = None,
    registry: Registry | None = None,
) -> None:
    """Count exactly with a tiktoken-format vocabulary you have (``base64-token rank`` lines).

    Meant for Meta's Llama 3 ``tokenizer.model``, which llmcost cannot ship under its licence:
    ``register_tiktoken_file("llama", path)`` makes every Llama 3.x model count exactly.
    *pattern* is the pre-tokenizer regex or one of the built-in names ``"llama3"`` (the
    default), ``"llama4"``, ``"o200k_base"``, ``"cl100k_base"``, ``"tekken"``. The file is
    checked against *sha256* if given, and Meta's Llama 3 and Llama 4 files against their
    known hashes (a truncated or edited copy is refused with a `VocabularyError`).

    >>> import llmcost, pathlib, tempfile, base64
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.tiktoken"
    >>> ranks = [bytes([i]) for i in range(256)] + [b"ab"]
    >>> _ = p.write_text("".join(f"{base64.b64encode(t).decode()} {i}\\n"
    ...                          for i, t in enumerate(ranks)))
    >>> llmcost.register_tiktoken_file("deepseek-chat", p, pattern="cl100k_base")
    >>> llmcost.count_tokens("abab", "deepseek-chat")
    2
    >>> llmcost.unregister_tokenizer("deepseek-chat")
    """
    path = checked_path(path, "path")
    if not isinstance(pattern, str) or not pattern:
        msg = f"pattern must be a regex or a pattern name, not {pattern!r}"
        raise InvalidTypeError(msg)
    key = _target(model_or_family, registry)
    enc = bpe.load_tiktoken_file(path, pattern, sha256)
    core = getattr(enc, "_core_bpe", None)
    count = bpe.counter(core.encode_ordinary if core else enc.encode_ordinary)
    label = name if name is not None else f"tiktoken:{os.path.basename(path)}"
    _install(key, _Plugin(_check_name(label), count, note=f"tiktoken file {path}"))


def register_hf_tokenizer(
    model_or_family: str,
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    registry: Registry | None = None,
) -> None:
    """Count exactly with a Hugging Face ``tokenizer.json`` you have (DeepSeek, Qwen, ...).

    Needs the optional ``tokenizers`` package (``pip install 'llmcost[hf]'``), imported here
    only. Special-token strings in the text count as text.

    >>> import llmcost, pathlib, tempfile
    >>> from tokenizers import Tokenizer, models, pre_tokenizers  # pip install 'llmcost[hf]'
    >>> tok = Tokenizer(models.WordLevel({"hello": 0, "world": 1, "?": 2}, unk_token="?"))
    >>> tok.pre_tokenizer = pre_tokenizers.Whitespace()
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tokenizer.json"
    >>> tok.save(str(path))
    >>> llmcost.register_hf_tokenizer("deepseek-chat", path, name="tiny")
    >>> llmcost.count_tokens("hello world, hello", "deepseek-chat")
    4
    >>> llmcost.unregister_tokenizer("deepseek-chat")
    """
    from llmcost import _tok_files

    path = checked_path(path, "path")
    key = _target(model_or_family, registry)
    count = _tok_files.hf_counter(path)
    label = name if name is not None else f"hf:{os.path.basename(path)}"
    _install(key, _Plugin(_check_name(label), count, note=f"tokenizer.json {path}"))


def register_sentencepiece_file(
    model_or_family: str,
    path: str | os.PathLike[str],
    *,
    sha256: str | None = None,
    name: str | None = None,
    registry: Registry | None = None,
) -> None:
    """Count exactly with a SentencePiece ``.model`` file you have (Gemma 3 for Gemini, ...).

    Google's own SDK counts Gemini tokens locally with the Gemma 3 model
    (``gemma3_cleaned_262144_v2.spiece.model``), which it downloads; llmcost never does:
    ``register_sentencepiece_file("gemini", path)`` with a copy you have, checked against its
    published sha256 when registered for ``"gemini"`` (or against *sha256*). Needs the
    optional ``sentencepiece`` package (``pip install 'llmcost[sentencepiece]'``).

    >>> import llmcost
    >>> llmcost.register_sentencepiece_file(
    ...     "gemini", "gemma3_cleaned_262144_v2.spiece.model")  # doctest: +SKIP
    >>> llmcost.tokenizer_for("gemini-2.5-pro").exact  # doctest: +SKIP
    True
    """
    from llmcost import _tok_files

    path = checked_path(path, "path")
    key = _target(model_or_family, registry)
    expected = sha256
    if expected is None and key == "family:gemini":
        expected = _tok_files.GEMMA3_SHA256
    count, pieces = _tok_files.sentencepiece_counter(path, expected)
    label = name if name is not None else f"sentencepiece:{os.path.basename(path)}"
    _install(key, _Plugin(_check_name(label), count, pieces, note=f"SentencePiece {path}"))


def unregister_tokenizer(model: str, *, registry: Registry | None = None) -> None:
    """Stop using the tokenizer registered for *model* or a family (no error if none).

    >>> import llmcost
    >>> _ = llmcost.register_tokenizer("deepseek-chat", lambda text: 1, name="one")
    >>> llmcost.unregister_tokenizer("deepseek-chat")
    >>> llmcost.tokenizer_for("deepseek-chat").exact
    False
    """
    _install(_target(model, registry), None)


