"""Tokenizer files a user has: Hugging Face ``tokenizer.json`` and SentencePiece ``.model``.

Both libraries are optional extras (``llmcost[hf]``, ``llmcost[sentencepiece]``), imported only
when such a file is registered; llmcost never downloads a tokenizer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Final

from llmcost import _tok_bpe as bpe
from llmcost._errors import InvalidInputError, LLMCostError

__all__ = ["GEMMA3_SHA256", "MissingExtraError", "hf_counter", "sentencepiece_counter"]

#: sha256 of ``gemma3_cleaned_262144_v2.spiece.model``, as google-genai's LocalTokenizer
#: checks it (``google/genai/_local_tokenizer_loader.py``).
GEMMA3_SHA256: Final = "1299c11d7cf632ef3b4e11937501358ada021bbdf7c47638d13c0ee982f2e79c"


class MissingExtraError(LLMCostError, ImportError):
    """An optional package llmcost needs for what was asked is not installed."""


def _import(module: str, extra: str) -> object:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        msg = f"this needs the optional package {module!r}: pip install 'llmcost[{extra}]'"
        raise MissingExtraError(msg) from None


def hf_counter(path: str) -> Callable[[str], int]:
    """An exact counter for a Hugging Face ``tokenizer.json`` (special-token text as text)."""
    tokenizers = _import("tokenizers", "hf")
    data = bpe.read_file(path, "tokenizer.json")
    try:
        tok = tokenizers.Tokenizer.from_str(data.decode("utf-8"))  # type: ignore[attr-defined]
    except Exception as e:  # tokenizers raises its own Exception subclass
        msg = f"{path!r} is not a Hugging Face tokenizer.json: {e}"
        raise InvalidInputError(msg) from None
    tok.encode_special_tokens = True  # "<|endoftext|>" in a text is text
    encode = tok.encode

    def ids(text: str) -> list[int]:
        try:
            return encode(text, add_special_tokens=False).ids  # type: ignore[no-any-return]
        except Exception:  # lone surrogates: tokenizers cannot take them
            return encode(bpe.fix_surrogates(text), add_special_tokens=False).ids  # type: ignore[no-any-return]

    return bpe.counter(ids)


#: SentencePiece attaches a space to the word after it: cut only before a space.
_SP_CUT: Final = re.compile(r"(?<=\S) ")


def sentencepiece_counter(
    path: str, sha256: str | None
) -> tuple[Callable[[str], int], Callable[[Iterable[str]], Iterator[str]]]:
    """(exact counter, stream cutter) for a SentencePiece model file.

    Long texts and streams are cut before a space that follows a word. A model that adds a
    dummy-prefix space to every text it encodes (Llama 2, Mistral) is given each piece after
    the first without that space, so pieces count as they do in the whole text.
    """
    spm = _import("sentencepiece", "sentencepiece")
    data = bpe.read_file(path, "SentencePiece model")
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256.lower():
        msg = f"SentencePiece model {path!r} is not the expected file (sha256 {sha256})"
        raise bpe.VocabularyError(msg)
    try:
        sp = spm.SentencePieceProcessor(model_proto=data)  # type: ignore[attr-defined]
    except Exception as e:  # sentencepiece raises RuntimeError or its own errors
        msg = f"{path!r} is not a SentencePiece model: {e}"
        raise bpe.VocabularyError(msg) from None
    encode = sp.encode
    dummy = bool(sp.encode("a", out_type=str)[0].startswith("\u2581"))

    def enc(text: str) -> int:
        try:
            return len(encode(text))
        except (UnicodeError, TypeError, RuntimeError):
            return len(encode(bpe.fix_surrogates(text)))

    def count(text: str) -> int:
        if len(text) <= bpe.MAX_RUN:
            return enc(text)
        total = 0
        pos = 0
        for start, end in bpe.segments(text, 0, _SP_CUT):
            total += enc(text[start + (start > 0 and strip(text, start)) : end])
            pos = end
        return total + enc(text[pos + (pos > 0 and strip(text, pos)) :])

    def strip(text: str, at: int) -> bool:
        """Whether a piece starting at *at* drops its space (a cut, under a dummy prefix)."""
        return dummy and text[at] == " "

    def pieces(chunks: Iterable[str]) -> Iterator[str]:
        for i, piece in enumerate(bpe.stream_pieces(chunks, _SP_CUT)):
            yield piece[1:] if i and strip(piece, 0) else piece

    return count, pieces
