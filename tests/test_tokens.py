"""Token counting: exact encodings, plug-ins, streaming, chat messages, and staying offline."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import textwrap
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import llmcost
from llmcost import (
    FileAccessError,
    InvalidInputError,
    InvalidTypeError,
    PriceDataError,
    UnknownModelError,
    VocabularyError,
)
from llmcost import _tok_bpe as B
from llmcost import _tok_messages as TM
from llmcost import _tokens as T
from llmcost._registry import ModelPrice, Registry

from .strategies_tokens import TRAPS, chunkings, texts

# tiktoken's published files: the shared/ folder beside the checkout (CI, main), or above it.
SHARED = next(
    (
        d / "shared" / "encodings"
        for d in Path(__file__).resolve().parents
        if (d / "shared" / "encodings" / "o200k_base.tiktoken").exists()
    ),
    Path("/work/shared/encodings"),
)
MODELS = {"o200k_base": "gpt-4o", "cl100k_base": "gpt-4"}

TRAP_TEXTS = [
    "",
    "hello world",
    "こんにちは、世界",
    "<|endoftext|> and <|im_start|>user<|im_end|> and <|fim_prefix|><|endofprompt|>",
    "lone \ud800 surrogate and \udfff another",
    "a pair \ud83d\ude00 of surrogates",
    "e\u0301 combining, \u200b zero width, \ufeff bom, \x00 nul, \x7f del",
    "   leading and trailing   \n\n\n\t\t",
    "1234567890 3.14159 1e-9 0xDEADBEEF",
    "مرحبا بالعالم نص عربي",
    "नमस्ते दुनिया",
    "👩\u200d💻 emoji 🇯🇵 flags",
    "def f(x):\n    return {'k': [1, 2, 3]}  # comment\r\n",
    "A" * 5000,
    " " * 3000 + "x",
    "".join(TRAPS) * 3,
]


def tekken_registry() -> Registry:
    """The shipped registry, where Mistral NeMo (`mistral-nemo`) is counted with Tekken."""
    reg = Registry.default()
    assert reg.get("mistral-nemo").tokenizer == "tekken"
    return reg


@functools.cache
def reference_encodings() -> dict[str, Any]:
    """tiktoken Encodings built by tiktoken_ext's own constructors from OpenAI's published files
    (the shared copies; tiktoken checks their published sha256)."""
    import tiktoken
    import tiktoken.load
    import tiktoken_ext.openai_public as public

    def load(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        name = url.rsplit("/", 1)[-1].removesuffix(".tiktoken")
        path = SHARED / f"{name}.tiktoken"
        return tiktoken.load.load_tiktoken_bpe(str(path), expected_hash=expected_hash)

    with (
        mock.patch.dict(os.environ, {"TIKTOKEN_CACHE_DIR": ""}),
        mock.patch.object(public, "load_tiktoken_bpe", load),
    ):
        specs = {name: getattr(public, name)() for name in MODELS}
    return {name: tiktoken.Encoding(**spec) for name, spec in specs.items()}


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """The reference tiktoken Encodings (see `reference_encodings`)."""
    return reference_encodings()


@pytest.fixture
def whitespace_plugin() -> Iterator[str]:
    """deepseek-chat counted by a trivial whitespace tokenizer, unregistered afterwards."""
    llmcost.register_tokenizer("deepseek-chat", lambda text: len(text.split()), name="whitespace")
    yield "deepseek-chat"
    llmcost.unregister_tokenizer("deepseek-chat")


# --- exact counting ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("text", TRAP_TEXTS)
def test_exact_counts_equal_tiktoken(reference: dict[str, Any], name: str, text: str) -> None:
    """count_tokens equals tiktoken's encode_ordinary length on texts that trip tokenizers."""
    assert T.count_tokens(text, MODELS[name]) == len(reference[name].encode_ordinary(text))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_encoding_spec_equals_tiktoken_ext(reference: dict[str, Any], name: str) -> None:
    """The copied pattern and special tokens are tiktoken_ext's own."""
    spec = B.SPECS[name]
    assert spec.pat_str == reference[name]._pat_str
    assert spec.special_tokens == reference[name]._special_tokens


@pytest.mark.parametrize("name", sorted(MODELS))
def test_packaged_ranks_equal_reference(reference: dict[str, Any], name: str) -> None:
    """The packed, gzip'd vocabulary unpacks to exactly tiktoken's published ranks."""
    assert B._read_pack(B.SPECS[name]) == reference[name]._mergeable_ranks


@pytest.mark.parametrize("name", sorted(B.SPECS))
def test_wrong_hash_is_a_vocabulary_error(name: str) -> None:
    """A packaged vocabulary whose sha256 is not the recorded one is refused on load."""
    broken = attrs.evolve(B.SPECS[name], sha256="0" * 64)
    with pytest.raises(VocabularyError, match="reinstall") as e:
        B._read_pack(broken)
    assert isinstance(e.value, PriceDataError) and isinstance(e.value, ValueError)
    assert B.SPECS[name].resource in str(e.value)


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d[: len(d) // 2],  # truncated
        lambda d: d[:-1] + bytes([d[-1] ^ 1]),  # one bit flipped
        lambda d: b"not gzip at all",
    ],
)
def test_corrupt_packaged_file_is_a_vocabulary_error(damage: Any) -> None:
    """A damaged vocabulary file in the package is a clear VocabularyError naming it."""
    raw = B._resource(B.SPECS["tekken"])
    with (
        mock.patch.object(B, "_resource", return_value=damage(raw)),
        pytest.raises(VocabularyError, match=r"tekken\.bpe\.gz"),
    ):
        B._read_pack(B.SPECS["tekken"])


def test_unpack_refuses_malformed_packs() -> None:
    """unpack checks the magic, the count, the lengths and duplicate tokens."""
    good = B.pack({b"a": 0, b"b": 1, b"ab": 2})
    assert B.unpack(good, "x") == {b"a": 0, b"b": 1, b"ab": 2}
    for bad in (b"", good[:-1], good + b"x", b"LLMBPE9\n" + good[8:], good[:-4] + b"aaab"):
        with pytest.raises(VocabularyError):
            B.unpack(bad, "x")


def test_special_token_text_counts_as_text() -> None:
    """'<|endoftext|>' counts as its characters, never as one control token or an error."""
    assert T.count_tokens("<|endoftext|>", "gpt-4o") > 1


def test_lone_surrogate_counts_as_replacement_character() -> None:
    """A lone surrogate counts as U+FFFD; a surrogate pair as the character it encodes."""
    assert T.count_tokens("a\ud800b", "gpt-4o") == T.count_tokens("a\ufffdb", "gpt-4o")
    assert T.count_tokens("\ud83d\ude00", "gpt-4o") == T.count_tokens("😀", "gpt-4o")


@pytest.mark.parametrize("bad", [b"bytes", None, 3, ["list"]])
def test_non_str_text_is_a_type_error(bad: object) -> None:
    """Counting something that is not a str raises InvalidTypeError naming the type."""
    with pytest.raises(InvalidTypeError, match=type(bad).__name__):
        T.count_tokens(bad, "gpt-4o")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        T.estimate_tokens(bad, "gpt-4o")  # type: ignore[arg-type]


def test_unknown_model_is_an_unknown_model_error() -> None:
    """A model the registry does not know raises UnknownModelError, not a silent guess."""
    with pytest.raises(UnknownModelError):
        T.count_tokens("hi", "gpt-4o-mni")
    for bad in (4, ["gpt-4o"], None):
        with pytest.raises(InvalidTypeError, match="model must be a str"):
            T.count_tokens("hi", bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidTypeError, match="model must be a str"):
            T.estimate_tokens("hi", bad)  # type: ignore[arg-type]


@settings(deadline=None)
@given(texts)
def test_exact_count_is_between_one_and_utf8_bytes(text: str) -> None:
    """A non-empty text has at least one token and at most one per UTF-8 byte."""
    for model in MODELS.values():
        n = T.count_tokens(text, model)
        if text:
            assert 1 <= n <= len(text.encode("utf-8"))
        else:
            assert n == 0


# --- tokenizer_for, registries and plug-ins ------------------------------------------------


def test_tokenizer_for_reports_encoding_and_exactness() -> None:
    """OpenAI models report their encoding and exact=True; others their estimate profile."""
    gpt4 = T.tokenizer_for("gpt-4")
    assert (gpt4.name, gpt4.exact, gpt4.profile, gpt4.model) == (
        "cl100k_base",
        True,
        "cl100k",
        "gpt-4",
    )
    claude = T.tokenizer_for("claude-sonnet-4-5")
    assert (claude.name, claude.exact) == ("claude", False)
    assert claude.count("hello world") == T.count_tokens("hello world", "claude-sonnet-4-5")
    assert T.tokenizer_for("gpt-4o") == T.tokenizer_for("openai/GPT-4o-2024-08-06")


def test_custom_registry_is_used_and_cached_by_identity() -> None:
    """A registry passed in resolves its own models; a second registry is not confused."""
    mine = ModelPrice(
        model="my-model",
        provider="acme",
        tokenizer="cl100k_base",
        input_per_mtok="1",
        output_per_mtok="2",
    )
    reg = Registry.default().with_prices(mine)
    other = Registry.default().with_prices(
        ModelPrice(
            model="my-model",
            provider="acme",
            tokenizer="claude",
            input_per_mtok="1",
            output_per_mtok="2",
        )
    )
    text = "Registries are resolved per call."
    assert T.count_tokens(text, "my-model", registry=reg) == T.count_tokens(text, "gpt-4")
    assert T.tokenizer_for("my-model", registry=other).exact is False
    with pytest.raises(UnknownModelError):
        T.count_tokens(text, "my-model")


def test_every_registry_tokenizer_has_a_profile() -> None:
    """Each model of the shipped registry maps to an estimate profile."""
    reg = Registry.default()
    for model in reg:
        assert T.tokenizer_for(model).profile in T._estimate.PROFILES


def test_plugin_counts_exactly_for_every_alias(whitespace_plugin: str) -> None:
    """A registered tokenizer is used by count_tokens, tokenizer_for and chat counting."""
    tok = T.tokenizer_for(whitespace_plugin)
    assert (tok.name, tok.exact) == ("whitespace", True)
    assert T.count_tokens("one two three", whitespace_plugin) == 3
    assert T.count_tokens("one two three", "deepseek/deepseek-chat") == 3
    messages = [{"role": "user", "content": "one two"}]
    assert T.count_message_tokens(messages, whitespace_plugin) == 3 + 1 + 2 + 3
    assert T.estimate_tokens("one two three", whitespace_plugin) == T._estimate.estimate(
        "one two three", T._estimate.PROFILES["deepseek"]
    )


def test_unregister_restores_the_estimate(whitespace_plugin: str) -> None:
    """After unregister_tokenizer the model counts with its estimate again."""
    llmcost.unregister_tokenizer(whitespace_plugin)
    assert T.tokenizer_for(whitespace_plugin).exact is False
    llmcost.unregister_tokenizer(whitespace_plugin)  # a second time is harmless


def test_plugin_bad_results_and_arguments_are_type_errors() -> None:
    """A plug-in must be callable and return a non-negative int."""
    with pytest.raises(InvalidTypeError, match="callable"):
        llmcost.register_tokenizer("deepseek-chat", "not callable", name="x")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="name"):
        llmcost.register_tokenizer("deepseek-chat", len, name="")
    llmcost.register_tokenizer("deepseek-chat", lambda text: -1, name="broken")
    try:
        with pytest.raises(InvalidTypeError, match="broken"):
            T.count_tokens("x", "deepseek-chat")
    finally:
        llmcost.unregister_tokenizer("deepseek-chat")


def test_plugin_wrapping_tiktoken_equals_builtin(reference: dict[str, Any]) -> None:
    """A tiktoken encoding plugged in as a callable gives tiktoken's counts."""
    enc = reference["o200k_base"]
    llmcost.register_tokenizer("deepseek-chat", lambda t: len(enc.encode_ordinary(t)), name="o200k")
    try:
        for text in TRAP_TEXTS[:6]:
            assert T.count_tokens(text, "deepseek-chat") == T.count_tokens(text, "gpt-4o")
    finally:
        llmcost.unregister_tokenizer("deepseek-chat")


# --- streaming -----------------------------------------------------------------------------


@settings(deadline=None)
@given(st.data(), texts)
def test_stream_count_equals_whole_count(data: st.DataObject, text: str) -> None:
    """Counting chunks (re-cut into tiny blocks) equals counting the whole text, any chunking."""
    chunks = data.draw(chunkings(text))
    with mock.patch.object(B, "MAX_RUN", 7), mock.patch.object(B, "_TAIL", 5):
        for model in (*MODELS.values(), "claude-sonnet-4-5"):
            assert T.count_stream_tokens(chunks, model) == T.count_tokens(text, model)
        reg = tekken_registry()
        nemo = T.count_tokens(text, "mistral-nemo", registry=reg)
        assert T.count_stream_tokens(chunks, "mistral-nemo", registry=reg) == nemo


@pytest.mark.parametrize("model", [*MODELS.values(), "gemini-2.5-pro"])
def test_file_count_equals_whole_text(tmp_path: Path, model: str) -> None:
    """A file larger than a block counts exactly as its decoded text does at once."""
    stdlib = Path(os.__file__).parent
    parts = [p.read_text("utf-8", "replace") for p in sorted(stdlib.glob("a*.py"))[:12]]
    text = "\n".join(parts + TRAPS * 200)
    text = (text * (1 + 3 * B.MAX_RUN // len(text)))[: 3 * B.MAX_RUN + 17]
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8", newline="")
    assert T.count_file_tokens(path, model) == T.count_tokens(text, model)
    assert T.count_file_tokens(str(path), model) == T.count_tokens(text, model)


def test_invalid_utf8_counts_with_replacement(tmp_path: Path) -> None:
    """Undecodable bytes count as U+FFFD instead of raising."""
    raw = b"caf\xe9 ok \xff\xfe end \xe6\x97"
    path = tmp_path / "bad.txt"
    path.write_bytes(raw)
    expected = T.count_tokens(raw.decode("utf-8", "replace"), "gpt-4o")
    assert T.count_file_tokens(path, "gpt-4o") == expected


def test_file_errors() -> None:
    """A missing file raises FileAccessError; a bad path type or text encoding is refused."""
    with pytest.raises(FileAccessError):
        T.count_file_tokens("/nonexistent/llmcost.txt", "gpt-4o")
    with pytest.raises(InvalidTypeError):
        T.count_file_tokens(42, "gpt-4o")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="encoding"):
        T.count_file_tokens("x.txt", "gpt-4o", encoding="no-such-codec")
    with pytest.raises(InvalidTypeError, match="chunk 1"):
        T.count_stream_tokens(["ok", b"bytes"], "gpt-4o")  # type: ignore[list-item]


def test_file_count_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """Peak memory for a file four times larger stays the same: a block, not the file."""
    line = "The quick brown fox jumps over the lazy dog. 0123456789 ändern 变化\n"
    T.count_tokens("warm up", "gpt-4o")
    peaks = []
    for blocks in (16, 64):
        path = tmp_path / f"{blocks}.txt"
        path.write_text(line * (blocks * B.MAX_RUN // len(line)), encoding="utf-8")
        tracemalloc.start()
        try:
            T.count_file_tokens(path, "gpt-4o")
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] < 1.25 * peaks[0]
    assert peaks[1] < path.stat().st_size


# --- chat messages -------------------------------------------------------------------------

# The openai-cookbook's example ("How to count tokens with tiktoken", section 7), whose
# counts the notebook checked against the API: 101 prompt tokens for gpt-4o and gpt-4o-mini,
# 105 for gpt-4 and gpt-3.5-turbo.
COOKBOOK_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_current_weather",
            "description": "Get the current weather in a given location",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {
                        "type": "string",
                        "description": "The city and state, e.g. San Francisco, CA",
                    },
                    "unit": {
                        "type": "string",
                        "description": "The unit of temperature to return",
                        "enum": ["celsius", "fahrenheit"],
                    },
                },
                "required": ["location"],
            },
        },
    }
]
COOKBOOK_MESSAGES = [
    {
        "role": "system",
        "content": "You are a helpful assistant that can answer to questions about the weather.",
    },
    {"role": "user", "content": "What's the weather like in San Francisco?"},
]


@pytest.mark.parametrize(
    ("model", "api_count"),
    [("gpt-4o", 101), ("gpt-4o-mini", 101), ("gpt-4", 105), ("gpt-3.5-turbo", 105)],
)
def test_tools_match_the_cookbook_api_counts(model: str, api_count: int) -> None:
    """Messages plus a function tool count what OpenAI's API reported in the cookbook."""
    assert T.count_message_tokens(COOKBOOK_MESSAGES, model, tools=COOKBOOK_TOOLS) == api_count


def test_message_formula_per_message_name_and_priming() -> None:
    """3 per message, its fields, 1 more for a name, 3 for the reply priming."""
    count = T.tokenizer_for("gpt-4o").count
    msgs = [{"role": "user", "name": "ann", "content": "Hello there"}]
    expected = 3 + count("user") + count("ann") + 1 + count("Hello there") + 3
    assert T.count_message_tokens(msgs, "gpt-4o") == expected
    assert T.count_message_tokens([], "gpt-4o") == 3


def test_text_parts_count_like_their_text() -> None:
    """A list of text parts counts as the sum of its texts."""
    parts = [{"type": "text", "text": "first part"}, {"type": "text", "text": " and more"}]
    as_parts = T.count_message_tokens([{"role": "user", "content": parts}], "gpt-4o")
    count = T.tokenizer_for("gpt-4o").count
    assert as_parts == 3 + count("user") + count("first part") + count(" and more") + 3


def test_tool_calls_count_name_and_arguments() -> None:
    """An assistant tool call counts its function name and JSON arguments; None is skipped."""
    call = {
        "id": "c1",
        "type": "function",
        "function": {"name": "get_current_weather", "arguments": '{"location": "Paris"}'},
    }
    msgs = [{"role": "assistant", "content": None, "tool_calls": [call]}]
    count = T.tokenizer_for("gpt-4o").count
    expected = 3 + count("assistant") + count("get_current_weather")
    expected += count('{"location": "Paris"}') + 3
    assert T.count_message_tokens(msgs, "gpt-4o") == expected


def test_other_vendors_count_the_same_structure_estimated() -> None:
    """For a model without a tokenizer the same formula applies to estimated text."""
    msgs = [{"role": "user", "content": "Bonjour tout le monde"}]
    count = T.tokenizer_for("claude-sonnet-4-5").count
    expected = 3 + count("user") + count("Bonjour tout le monde") + 3
    assert T.count_message_tokens(msgs, "claude-sonnet-4-5") == expected


def test_image_part_goes_through_the_hook() -> None:
    """A non-text part goes through _content_part_tokens; other media raise, naming where."""
    audio = {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}
    with pytest.raises(InvalidInputError, match=r"messages\[0\]\['content'\]\[0\]"):
        T.count_message_tokens([{"role": "user", "content": [audio]}], "gpt-4o")
    image = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
    msgs = [{"role": "user", "content": [{"type": "text", "text": "see"}, image]}]
    with mock.patch.object(TM, "_content_part_tokens", return_value=(85, True)) as hook:
        total = T.count_message_tokens(msgs, "gpt-4o")
    assert hook.call_args.args[0] is image
    assert hook.call_args.args[1].model == "gpt-4o"
    count = T.tokenizer_for("gpt-4o").count
    assert total == 3 + count("user") + count("see") + 85 + 3


@pytest.mark.parametrize(
    ("messages", "error", "match"),
    [
        ("not a list", InvalidTypeError, "list of dicts"),
        ([{"role": "user", "content": "ok"}, "oops"], InvalidTypeError, r"messages\[1\]"),
        ([{"content": "no role"}], InvalidInputError, r"messages\[0\] has no 'role'"),
        ([{"role": "user", "content": 42}], InvalidTypeError, r"messages\[0\]\['content'\]"),
        ([{"role": "user", "content": ["raw string part"]}], InvalidTypeError, r"\[0\]"),
        ([{"role": "user", "content": [{"type": "text"}]}], InvalidTypeError, "'text'"),
        ([{"role": "user", "content": "x", "extra": {"a": 1}}], InvalidTypeError, "'extra'"),
    ],
)
def test_malformed_messages_name_the_message(messages: object, error: type, match: str) -> None:
    """Malformed messages raise a clear error that names the message index."""
    with pytest.raises(error, match=match):
        T.count_message_tokens(messages, "gpt-4o")  # type: ignore[arg-type]


def test_malformed_tools_are_refused() -> None:
    """Tools must be a list of function definitions with a name."""
    msgs = [{"role": "user", "content": "hi"}]
    with pytest.raises(InvalidTypeError):
        T.count_message_tokens(msgs, "gpt-4o", tools="nope")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"tools\[0\]"):
        T.count_message_tokens(msgs, "gpt-4o", tools=[{"type": "function", "function": {}}])
    assert T.count_message_tokens(msgs, "gpt-4o", tools=[]) == T.count_message_tokens(
        msgs, "gpt-4o"
    )


# --- offline and lazy ----------------------------------------------------------------------


def test_counting_works_without_network_and_import_is_lazy() -> None:
    """In a fresh interpreter with sockets disabled, import loads nothing, counting works."""
    code = textwrap.dedent(
        """
        import socket, sys

        class NoNetwork(socket.socket):
            def __init__(self, *args, **kwargs):
                raise OSError("network disabled in this test")

        def no_connection(*args, **kwargs):
            raise OSError("network disabled in this test")

        socket.socket = NoNetwork
        socket.create_connection = no_connection
        import llmcost
        from llmcost import _tokens
        assert "tiktoken" not in sys.modules, "import llmcost imported tiktoken"
        assert not _tokens._encodings, "import llmcost loaded an encoding"
        tok = _tokens.tokenizer_for("gpt-4o")
        assert "tiktoken" not in sys.modules, "tokenizer_for imported tiktoken"
        print(_tokens.count_tokens("hello world", "gpt-4o"), tok.count("hello world"))
        print(_tokens.count_tokens("hello world", "gpt-4"))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIKTOKEN")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2", "2", "2"]
