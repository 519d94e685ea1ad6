"""The public API: one import path, a pinned __all__, docstrings that run, a cheap import."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import subprocess
import sys
import textwrap

import pytest

import llmcost

PUBLIC = [
    "Budget",
    "BudgetExceeded",
    "Cost",
    "CostLogHandler",
    "CostRecord",
    "CostReport",
    "CostSpanProcessor",
    "FileAccessError",
    "ImageError",
    "InvalidInputError",
    "InvalidTypeError",
    "InvalidUsageError",
    "LLMCostError",
    "MissingExtraError",
    "MissingRateError",
    "ModelPrice",
    "PriceDataError",
    "PriceTier",
    "PriceVariant",
    "PriceWindow",
    "Registry",
    "ReportGroup",
    "RetiredModelError",
    "SkippedLine",
    "StreamUsage",
    "Tokenizer",
    "Tracker",
    "UnknownModelError",
    "UnknownUsageFieldWarning",
    "Usage",
    "VendorCountError",
    "VocabularyError",
    "assert_within_budget",
    "capture",
    "compare",
    "cost",
    "cost_of_response",
    "cost_report",
    "count_file_tokens",
    "count_message_tokens",
    "count_stream_tokens",
    "count_tokens",
    "estimate",
    "estimate_tokens",
    "get_price",
    "image_size",
    "image_tokens",
    "instrument",
    "list_models",
    "read_cost_log",
    "register_hf_tokenizer",
    "register_sentencepiece_file",
    "register_tiktoken_file",
    "register_tokenizer",
    "tags",
    "tokenizer_for",
    "uninstrument",
    "unregister_tokenizer",
    "usage_from_response",
    "write_cost_log",
]


def test_all_is_pinned_and_sorted() -> None:
    """__all__ is exactly the documented public names, sorted."""
    assert llmcost.__all__ == PUBLIC
    for name in PUBLIC:
        assert getattr(llmcost, name) is not None


def test_public_names_have_docstrings() -> None:
    """Every public name has a docstring; functions and classes show an example."""
    for name in PUBLIC:
        obj = getattr(llmcost, name)
        doc = obj.__doc__
        assert doc and doc.strip(), name
        if not (isinstance(obj, type) and issubclass(obj, Exception)):
            assert ">>>" in doc, f"{name} has no example"


def test_errors_subclass_base_and_builtin() -> None:
    """Every error subclasses LLMCostError and the builtin a caller would catch."""
    assert issubclass(llmcost.UnknownModelError, LookupError)
    assert issubclass(llmcost.MissingRateError, LookupError)
    assert issubclass(llmcost.PriceDataError, ValueError)
    assert issubclass(llmcost.InvalidUsageError, ValueError)
    assert issubclass(llmcost.InvalidInputError, ValueError)
    assert issubclass(llmcost.InvalidTypeError, TypeError)
    for name in PUBLIC:
        obj = getattr(llmcost, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, llmcost.LLMCostError), name


def test_version() -> None:
    """__version__ comes from the package metadata."""
    from importlib.metadata import version

    assert llmcost.__version__ == version("llmcost")


MODULES = sorted(
    ["llmcost"]
    + [m.name for m in pkgutil.walk_packages(llmcost.__path__, "llmcost.")]
)  # every module: a new one's examples run without a list to keep


@pytest.mark.parametrize("module", MODULES)
def test_doctests(module: str) -> None:
    """The docstring examples of each module run and pass."""
    mod = importlib.import_module(module)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(mod, optionflags=flags, extraglobs={"llmcost": llmcost})
    assert result.failed == 0


def run_python(code: str) -> str:
    """Run *code* in a fresh interpreter and return its stdout."""
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return out.stdout.strip()


def test_import_is_cheap_and_offline() -> None:
    """`import llmcost` imports no tiktoken, parses no data, opens no socket."""
    out = run_python(
        """
        import socket, sys
        def refuse(*a, **k):
            raise RuntimeError("network used")
        socket.socket = refuse
        socket.create_connection = refuse
        import llmcost, llmcost._registry as r
        print("tiktoken" in sys.modules, bool(r._DEFAULTS), "difflib" in sys.modules)
        print(llmcost.get_price("gpt-4o").input_per_mtok, "tiktoken" in sys.modules)
        """
    )
    assert out.splitlines() == ["False False False", "2.5 False"]


SDKS = ("openai", "anthropic", "google.genai", "botocore", "litellm", "langchain_core", "pydantic")


def test_import_imports_no_sdk() -> None:
    """`import llmcost` and reading a response import no provider SDK (nor pydantic)."""
    out = run_python(
        f"""
        import sys, llmcost
        llmcost.cost_of_response({{"object": "chat.completion", "model": "gpt-4o",
            "usage": {{"prompt_tokens": 10, "completion_tokens": 2}}}})
        acc = llmcost.StreamUsage()
        acc.add({{"type": "message_start", "message": {{"type": "message", "model": "x",
            "usage": {{"input_tokens": 1, "output_tokens": 1}}}}}})
        print([m for m in {SDKS!r} if m in sys.modules])
        """
    )
    assert out == "[]"
