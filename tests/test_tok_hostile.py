"""Token counting under attack: bad paths and encodings, first use in 16 threads, registration."""

from __future__ import annotations

import errno
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

import llmcost
from llmcost import FileAccessError, InvalidInputError, InvalidTypeError, LLMCostError
from llmcost import _tokens as T


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda tmp: tmp / "missing.txt", errno.ENOENT),
        (lambda tmp: tmp, errno.EISDIR),
        (lambda tmp: tmp / "no-dir" / "x.txt", errno.ENOENT),
    ],
)
def test_unreadable_files_are_file_access_errors(tmp_path: Path, make: object, code: int) -> None:
    """A missing file or a directory raises FileAccessError, an OSError naming the path."""
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(FileAccessError) as e:
        T.count_file_tokens(path, "gpt-4o")
    assert isinstance(e.value, OSError) and isinstance(e.value, LLMCostError)
    assert e.value.errno == code
    assert str(path) in str(e.value)


@pytest.mark.parametrize("path", ["bad\0name.txt", "lone\ud800surrogate.txt"])
def test_unnameable_paths_are_invalid_input(path: str) -> None:
    """A NUL byte or a lone surrogate in a path is InvalidInputError, not ValueError."""
    with pytest.raises(InvalidInputError, match=r"file name|NUL"):
        T.count_file_tokens(path, "gpt-4o")


@pytest.mark.parametrize("encoding", ["base64", "rot13", "hex", "zlib"])
def test_non_text_encodings_are_refused(tmp_path: Path, encoding: str) -> None:
    """Codecs that do not decode bytes to text are refused up front, naming the encoding."""
    path = tmp_path / "a.txt"
    path.write_text("hello")
    with pytest.raises(InvalidInputError, match=encoding):
        T.count_file_tokens(path, "gpt-4o", encoding=encoding)


def test_utf16_without_bom_is_a_clear_error(tmp_path: Path) -> None:
    """UTF-16 without a byte-order mark says to name the byte order; with one it counts."""
    path = tmp_path / "u16.txt"
    path.write_bytes("hello world".encode("utf-16-le"))
    with pytest.raises(InvalidInputError, match="utf-16-le"):
        T.count_file_tokens(path, "gpt-4o", encoding="utf-16")
    assert T.count_file_tokens(path, "gpt-4o", encoding="utf-16-le") == 2
    path.write_bytes("hello world".encode("utf-16"))
    assert T.count_file_tokens(path, "gpt-4o", encoding="utf-16") == 2


def test_bad_argument_types(tmp_path: Path) -> None:
    """A non-str encoding or path is InvalidTypeError; an unknown codec InvalidInputError."""
    with pytest.raises(InvalidTypeError):
        T.count_file_tokens(tmp_path / "x", "gpt-4o", encoding=5)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        T.count_file_tokens(b"x", "gpt-4o")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="unknown text encoding"):
        T.count_file_tokens(tmp_path / "x", "gpt-4o", encoding="no-such-codec")


FIRST_USE = textwrap.dedent(
    """
    import threading, llmcost
    barrier = threading.Barrier(16)
    errors = []
    def work(i):
        barrier.wait()
        try:
            if i % 4 == 0:
                assert llmcost.count_tokens("hi there", "gpt-4o") == 2
            elif i % 4 == 1:
                assert str(llmcost.get_price("gpt-4o").input_per_mtok) == "2.5"
            elif i % 4 == 2:
                assert llmcost.estimate_tokens("hi there", "claude-sonnet-4-5") >= 1
            else:
                assert llmcost.tokenizer_for("gpt-4").count("hi there") == 2
        except BaseException as e:
            errors.append(repr(e))
    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for t in threads: t.start()
    for t in threads: t.join()
    print("ERRORS" if errors else "OK", errors)
    """
)


def test_first_use_in_sixteen_threads_never_fails() -> None:
    """16 threads making their first calls at once in fresh processes (20 runs) never fail."""
    for _ in range(20):
        out = subprocess.run(
            [sys.executable, "-c", FIRST_USE], capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("OK"), out.stdout


def test_registration_is_visible_to_every_count_that_starts_after_it() -> None:
    """15 threads count while registrations flip: a count started after return sees it."""
    model = "deepseek-chat"
    text = "one two three four five"
    estimate = T.count_tokens(text, model)
    plugin = 1000
    assert estimate != plugin
    state = {"want": estimate, "round": 0}
    lock = threading.Lock()
    stop = threading.Event()
    wrong: list[tuple[int, int]] = []

    def worker() -> None:
        while not stop.is_set():
            with lock:  # read what the last completed (un)registration promised
                want, rnd = state["want"], state["round"]
            got = T.count_tokens(text, model)
            with lock:
                still = state["round"] == rnd
            if still and got != want:
                wrong.append((rnd, got))

    threads = [threading.Thread(target=worker) for _ in range(15)]
    for t in threads:
        t.start()
    try:
        for rnd in range(40):
            if rnd % 2 == 0:
                llmcost.register_tokenizer(model, lambda _t: plugin, name="fixed")
                want = plugin
            else:
                llmcost.unregister_tokenizer(model)
                want = estimate
            with lock:
                state["want"], state["round"] = want, rnd + 1
            threading.Event().wait(0.005)
    finally:
        stop.set()
        for t in threads:
            t.join()
        llmcost.unregister_tokenizer(model)
    assert not wrong


def test_stale_resolution_is_not_cached_after_a_registration() -> None:
    """A model resolved before a registration, cached after it, is never kept stale."""
    model = "deepseek-chat"
    T._clear_caches()
    real = T._tokenizer

    def slow(price: object, *, lazy: bool) -> T.Tokenizer:
        tok = real(price, lazy=lazy)  # type: ignore[arg-type]
        if not lazy and not registered.is_set():
            registered.set()
            llmcost.register_tokenizer(model, lambda _t: 7, name="seven")
        return tok

    registered = threading.Event()
    try:
        T._tokenizer = slow  # type: ignore[assignment]
        first = T.count_tokens("a b c", model)  # resolved with the estimate, then registered
        T._tokenizer = real  # type: ignore[assignment]
        assert first != 7
        assert T.count_tokens("a b c", model) == 7
    finally:
        T._tokenizer = real  # type: ignore[assignment]
        llmcost.unregister_tokenizer(model)


def test_family_and_model_registrations() -> None:
    """A model plug-in wins over its family's; unregistering one keeps the other."""
    llmcost.register_tokenizer("llama", lambda _t: 11, name="family")
    llmcost.register_tokenizer("groq/llama-3.1-8b", lambda _t: 22, name="model")
    try:
        assert T.count_tokens("x", "groq/llama-3.1-8b") == 22
        assert T.count_tokens("x", "groq/llama-3.3-70b") == 11
        llmcost.unregister_tokenizer("groq/llama-3.1-8b")
        assert T.count_tokens("x", "groq/llama-3.1-8b") == 11
    finally:
        llmcost.unregister_tokenizer("llama")
        llmcost.unregister_tokenizer("groq/llama-3.1-8b")
    assert not T.tokenizer_for("groq/llama-3.1-8b").exact
