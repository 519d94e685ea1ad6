"""Exact counting beyond OpenAI: Tekken, tiktoken files, tokenizer.json, SentencePiece, runs."""

from __future__ import annotations

import base64
import hashlib
import os
import random
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import llmcost
from llmcost import InvalidInputError, VocabularyError
from llmcost import _tok_bpe as B
from llmcost import _tokens as T

from .strategies_tokens import chunkings, texts
from .test_tokens import TRAP_TEXTS, reference_encodings, tekken_registry

LLAMA = "groq/llama-3.1-8b"


def _mistral_data() -> Path:
    mc = pytest.importorskip("mistral_common", reason="mistral-common needs Python 3.11+")
    return Path(mc.__file__).parent / "data"


@pytest.fixture(scope="module")
def tekkenizers() -> list[Any]:
    """mistral-common's own Tekken tokenizers, from the files in its wheel."""
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer

    data = _mistral_data()
    return [Tekkenizer.from_file(data / f) for f in ("tekken_240718.json", "tekken_240911.json")]


def _stdlib(n: int) -> str:
    parts = [
        p.read_text("utf-8", "replace") for p in sorted(Path(os.__file__).parent.glob("c*.py"))
    ]
    return "\n".join(parts)[:n]


# --- Tekken --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [*TRAP_TEXTS, _stdlib(200_000)])
def test_tekken_equals_mistral_common(tekkenizers: list[Any], text: str) -> None:
    """Tekken counts equal mistral-common's Tekkenizer (both files) on texts that trip BPE."""
    reg = tekken_registry()
    ours = T.count_tokens(text, "mistral-nemo", registry=reg)
    for tk in tekkenizers:
        assert ours == len(tk.encode(B.fix_surrogates(text), bos=False, eos=False))


@settings(deadline=None)
@given(texts)
def test_tekken_equals_mistral_common_on_any_text(tekkenizers: list[Any], text: str) -> None:
    """Property: for generated text Tekken counts equal mistral-common's."""
    ours = T.count_tokens(text, "mistral-nemo", registry=tekken_registry())
    assert ours == len(tekkenizers[0].encode(text, bos=False, eos=False))


def test_tekken_reports_exact() -> None:
    """A model priced with tokenizer "tekken" reports an exact count by Tekken."""
    tok = T.tokenizer_for("mistral-nemo", registry=tekken_registry())
    assert (tok.name, tok.exact, tok.error_band) == ("tekken", True, None)


# --- tiktoken files ------------------------------------------------------------------------


def _tiktoken_file(path: Path, ranks: dict[bytes, int]) -> Path:
    lines = (
        f"{base64.b64encode(t).decode()} {r}\n"
        for t, r in sorted(ranks.items(), key=lambda kv: kv[1])
    )
    path.write_text("".join(lines))
    return path


@pytest.fixture(scope="module")
def cl100k_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cl100k_base's published ranks written out as a tiktoken file."""
    ranks = reference_encodings()["cl100k_base"]._mergeable_ranks
    return _tiktoken_file(tmp_path_factory.mktemp("tk") / "cl100k.tiktoken", ranks)


@pytest.fixture
def llama_registered(cl100k_file: Path) -> Iterator[Any]:
    """The Llama family counted with cl100k's ranks and Meta's Llama 3 pattern."""
    import tiktoken

    llmcost.register_tiktoken_file("llama", cl100k_file, pattern=B.PATTERNS["llama3"])
    ref = tiktoken.Encoding(
        name="ref",
        pat_str=B.PATTERNS["llama3"],
        mergeable_ranks=reference_encodings()["cl100k_base"]._mergeable_ranks,
        special_tokens={},
    )
    yield ref
    llmcost.unregister_tokenizer("llama")


@pytest.mark.parametrize("text", TRAP_TEXTS)
def test_registered_tiktoken_file_counts_exactly(llama_registered: Any, text: str) -> None:
    """After register_tiktoken_file every model of the family counts as tiktoken does."""
    assert T.count_tokens(text, LLAMA) == len(
        llama_registered.encode_ordinary(B.fix_surrogates(text))
    )
    assert T.count_tokens(text, "together/llama-3.3-70b") == T.count_tokens(text, LLAMA)


def test_registered_file_reports_exact_and_unregisters(llama_registered: Any) -> None:
    """The family reports exact while registered, and the estimate again afterwards."""
    tok = T.tokenizer_for(LLAMA)
    assert tok.exact and tok.name == "tiktoken:cl100k.tiktoken"
    llmcost.unregister_tokenizer("llama")
    assert not T.tokenizer_for(LLAMA).exact
    assert T.tokenizer_for(LLAMA).error_band is not None


@settings(deadline=None, max_examples=50)
@given(st.data(), texts)
def test_registered_file_stream_equals_whole(
    cl100k_file: Path, data: st.DataObject, text: str
) -> None:
    """Property: a registered tiktoken file counts chunks as it counts the whole text."""
    llmcost.register_tiktoken_file("llama", cl100k_file, pattern=B.PATTERNS["llama3"])
    try:
        chunks = data.draw(chunkings(text))
        with mock.patch.object(B, "MAX_RUN", 7), mock.patch.object(B, "_TAIL", 5):
            assert T.count_stream_tokens(chunks, LLAMA) == T.count_tokens(text, LLAMA)
    finally:
        llmcost.unregister_tokenizer("llama")


def test_tiktoken_file_checks(tmp_path: Path, cl100k_file: Path) -> None:
    """Hash, format, rank order and Meta's known files are checked on registration."""
    digest = hashlib.sha256(cl100k_file.read_bytes()).hexdigest()
    with pytest.raises(VocabularyError, match="sha256"):
        llmcost.register_tiktoken_file("llama", cl100k_file, sha256="0" * 64)
    bad = tmp_path / "bad.tiktoken"
    bad.write_text("YQ== 0\nnot base64!! 1\n")
    with pytest.raises(VocabularyError, match="line 2"):
        llmcost.register_tiktoken_file("llama", bad)
    gap = _tiktoken_file(tmp_path / "gap.tiktoken", {b"a": 0, b"b": 2})
    with pytest.raises(VocabularyError, match=r"0\.\.n-1"):
        llmcost.register_tiktoken_file("llama", gap, pattern="cl100k_base")
    # the Llama 3 pattern by name, on a file that is not Meta's 128,000 ranks: refused
    with pytest.raises(VocabularyError, match="128000"):
        llmcost.register_tiktoken_file("llama", cl100k_file)
    with mock.patch.dict(B.KNOWN_FILES, {digest: "llama3"}):  # pretend it is Meta's file
        with pytest.raises(InvalidInputError, match="pattern='llama3'"):
            llmcost.register_tiktoken_file("llama", cl100k_file, pattern="o200k_base")
        llmcost.register_tiktoken_file("llama", cl100k_file, sha256=digest)
    llmcost.unregister_tokenizer("llama")
    with pytest.raises(InvalidInputError, match="already counted exactly"):
        llmcost.register_tiktoken_file("o200k_base", cl100k_file)
    with pytest.raises(llmcost.FileAccessError):
        llmcost.register_tiktoken_file("llama", tmp_path / "missing.tiktoken")


def test_real_llama3_file_when_available() -> None:
    """With Meta's own tokenizer.model (LLMCOST_LLAMA3_MODEL), counts equal Meta's tokenizer."""
    path = os.environ.get("LLMCOST_LLAMA3_MODEL")
    if not path:
        pytest.skip("set LLMCOST_LLAMA3_MODEL to Meta's Llama 3 tokenizer.model to run this")
    import tiktoken
    import tiktoken.load

    ranks = tiktoken.load.load_tiktoken_bpe(path)
    meta = tiktoken.Encoding(name="l3", pat_str=B.PATTERNS["llama3"], mergeable_ranks=ranks,
                             special_tokens={})  # fmt: skip
    llmcost.register_tiktoken_file("llama", path)
    try:
        for text in TRAP_TEXTS:
            assert T.count_tokens(text, LLAMA) == len(meta.encode_ordinary(B.fix_surrogates(text)))
    finally:
        llmcost.unregister_tokenizer("llama")


# --- tokenizer.json ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hf_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """A byte-level BPE tokenizer.json trained here (Qwen's pre-tokenizer regex), and itself."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    pattern = B.PATTERNS["llama3"].replace(r"\p{N}{1,3}", r"\p{N}")  # Qwen: single digits
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])  # fmt: skip
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=800,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=["<|endoftext|>"],
    )
    tok.train_from_iterator([_stdlib(300_000), *map(B.fix_surrogates, TRAP_TEXTS)], trainer)
    path = tmp_path_factory.mktemp("hf") / "tokenizer.json"
    tok.save(str(path))
    return path, tok


def test_hf_tokenizer_counts_exactly(hf_file: tuple[Path, Any]) -> None:
    """A registered tokenizer.json counts what the tokenizers package counts, text as text."""
    path, tok = hf_file
    llmcost.register_hf_tokenizer("qwen", path, registry=None)
    reg = _qwen_registry()
    try:
        for text in [t for t in TRAP_TEXTS if "\ud800" not in t and "\ud83d" not in t]:
            want = len(tok.encode(text, add_special_tokens=False).ids)
            if "<|endoftext|>" not in text:
                assert T.count_tokens(text, "qwen3-test", registry=reg) == want
        eot = T.count_tokens("<|endoftext|>", "qwen3-test", registry=reg)
        assert eot > 1  # the special-token string is counted as its characters
        assert T.tokenizer_for("qwen3-test", registry=reg).name == "hf:tokenizer.json"
    finally:
        llmcost.unregister_tokenizer("qwen")


def _qwen_registry() -> Any:
    import attrs

    qwen = attrs.evolve(llmcost.get_price("deepseek-chat"), model="qwen3-test", tokenizer="qwen",
                        aliases=())  # fmt: skip
    return llmcost.Registry.default().with_prices(qwen)


@settings(deadline=None, max_examples=50)
@given(st.data(), texts)
def test_hf_stream_equals_whole(hf_file: tuple[Path, Any], data: st.DataObject, text: str) -> None:
    """Property: a tokenizer.json counts chunks as it counts the whole text."""
    llmcost.register_hf_tokenizer("qwen", hf_file[0])
    reg = _qwen_registry()
    try:
        chunks = data.draw(chunkings(text))
        with mock.patch.object(B, "MAX_RUN", 7), mock.patch.object(B, "_TAIL", 5):
            whole = T.count_tokens(text, "qwen3-test", registry=reg)
            assert T.count_stream_tokens(chunks, "qwen3-test", registry=reg) == whole
    finally:
        llmcost.unregister_tokenizer("qwen")


def test_hf_bad_file(tmp_path: Path) -> None:
    """A file that is not a tokenizer.json is refused, naming it."""
    bad = tmp_path / "tokenizer.json"
    bad.write_text('{"not": "a tokenizer"}')
    with pytest.raises(InvalidInputError, match=r"tokenizer\.json"):
        llmcost.register_hf_tokenizer("qwen", bad)


# --- SentencePiece -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sp_model() -> tuple[Path, Any]:
    """Mistral's SentencePiece v3 model from mistral-common's wheel, and sentencepiece on it."""
    import sentencepiece as spm

    path = _mistral_data() / "mistral_instruct_tokenizer_240323.model.v3"
    return path, spm.SentencePieceProcessor(model_file=str(path))


def test_sentencepiece_counts_exactly(sp_model: tuple[Path, Any]) -> None:
    """A registered SentencePiece model counts what sentencepiece counts."""
    path, sp = sp_model
    llmcost.register_sentencepiece_file("mistral", path)
    try:
        for text in TRAP_TEXTS:
            want = len(sp.encode(B.fix_surrogates(text)))
            assert T.count_tokens(text, "mistral-large-2407") == want
        assert T.tokenizer_for("pixtral-large").exact
    finally:
        llmcost.unregister_tokenizer("mistral")


@settings(deadline=None, max_examples=50)
@given(st.data(), texts)
def test_sentencepiece_stream_equals_whole(
    sp_model: tuple[Path, Any], data: st.DataObject, text: str
) -> None:
    """Property: a SentencePiece model counts chunks as it counts the whole text."""
    llmcost.register_sentencepiece_file("mistral", sp_model[0])
    try:
        chunks = data.draw(chunkings(text))
        with mock.patch.object(B, "MAX_RUN", 7), mock.patch.object(B, "_TAIL", 5):
            whole = T.count_tokens(text, "mistral-large-2407")
            assert T.count_stream_tokens(chunks, "mistral-large-2407") == whole
    finally:
        llmcost.unregister_tokenizer("mistral")


def test_sentencepiece_stream_with_a_forced_cut_in_its_tail(sp_model: tuple[Path, Any]) -> None:
    """The example hypothesis found: a stream's last piece is cut as the whole text is."""
    llmcost.register_sentencepiece_file("mistral", sp_model[0])
    try:
        with mock.patch.object(B, "MAX_RUN", 7), mock.patch.object(B, "_TAIL", 5):
            whole = T.count_tokens("camelCase  'LL000", "mistral-large-2407")
            chunks = ["camelCase  'LL0", "00"]
            assert T.count_stream_tokens(chunks, "mistral-large-2407") == whole
    finally:
        llmcost.unregister_tokenizer("mistral")


def test_gemini_sentencepiece_is_checked_against_gemma3(sp_model: tuple[Path, Any]) -> None:
    """For "gemini" a model that is not Gemma 3's published file is refused."""
    with pytest.raises(VocabularyError, match="expected file"):
        llmcost.register_sentencepiece_file("gemini", sp_model[0])


def test_missing_extra_is_a_clear_error(tmp_path: Path) -> None:
    """Without the optional package the error says which extra to install."""
    path = tmp_path / "x.model"
    path.write_bytes(b"x")
    with (
        mock.patch.dict(sys.modules, {"sentencepiece": None}),
        pytest.raises(llmcost.MissingExtraError, match=r"llmcost\[sentencepiece\]"),
    ):
        llmcost.register_sentencepiece_file("mistral", path)


# --- long runs, bounded memory --------------------------------------------------------------


def _pieces_by_hand(text: str, enc: Any) -> int:
    """The documented rule: a run without cuts is counted in MAX_RUN-character pieces."""
    return sum(
        len(enc.encode_ordinary(text[i : i + B.MAX_RUN])) for i in range(0, len(text), B.MAX_RUN)
    )


@pytest.mark.parametrize("unit", ["\x00", "a", "─", "=-"])
def test_long_run_is_counted_in_pieces(unit: str) -> None:
    """A 300 K-character run without cuts counts as its 65,536-character pieces, streamed too."""
    enc = reference_encodings()["o200k_base"]
    text = unit * (300_000 // len(unit))
    assert T.count_tokens(text, "gpt-4o") == _pieces_by_hand(text, enc)
    rng = random.Random(3)
    cuts = sorted(rng.sample(range(len(text)), 30))
    chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    assert T.count_stream_tokens(chunks, "gpt-4o") == T.count_tokens(text, "gpt-4o")


def test_forced_cut_never_splits_a_surrogate_pair() -> None:
    """A surrogate pair at a forced cut stays whole (counted as the emoji, not two U+FFFD)."""
    text = "a" * (B.MAX_RUN - 1) + "\ud83d\ude00" + "a" * 100
    assert T.count_tokens(text, "gpt-4o") == T.count_tokens(B.fix_surrogates(text), "gpt-4o")


def test_run_of_nuls_from_a_file_uses_bounded_memory(tmp_path: Path) -> None:
    """A 24 MB file of NUL bytes counts with flat memory (tiktoken would take ~0.8 GB)."""
    path = tmp_path / "zeros.bin"
    with path.open("wb") as f:
        f.write(b"\0" * 24_000_000)
    code = textwrap.dedent(
        f"""
        import llmcost
        n = llmcost.count_file_tokens({str(path)!r}, "gpt-4o")
        status = open("/proc/self/status").read().splitlines()
        print(n, next(line.split()[1] for line in status if line.startswith("VmHWM")))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    n, rss_kb = map(int, out.stdout.split())
    enc = reference_encodings()["o200k_base"]
    pieces, rest = divmod(24_000_000, B.MAX_RUN)
    want = pieces * len(enc.encode_ordinary("\0" * B.MAX_RUN)) + len(
        enc.encode_ordinary("\0" * rest)
    )
    assert n == want
    assert rss_kb < 300_000


def test_cli_count_of_dev_zero_stays_flat() -> None:
    """`llmcost count /dev/zero` runs with flat memory (killed after a few seconds)."""
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "llmcost", "count", "/dev/zero", "--model", "gpt-4o"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    peak = 0
    try:
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status = Path(f"/proc/{proc.pid}/status").read_text().splitlines()
                peak = max(peak, *(int(s.split()[1]) for s in status if s.startswith("VmRSS")))
            except (OSError, TypeError):  # exited meanwhile
                break
            time.sleep(0.2)
    finally:
        proc.kill()
        proc.wait()
    assert 0 < peak < 300_000  # kB
