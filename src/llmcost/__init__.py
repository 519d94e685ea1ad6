"""llmcost: what an LLM call costs, before the call, after it, and in aggregate.

Exact offline token counts for OpenAI encodings (a calibrated estimate elsewhere),
dated Decimal prices with cache, batch and long-context rates, budgets and cost logs.

>>> import llmcost
>>> llmcost.get_price("gpt-4o").input_per_mtok
Decimal('2.5')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._errors import (
    BudgetExceeded,
    FileAccessError,
    InvalidInputError,
    InvalidTypeError,
    InvalidUsageError,
    LLMCostError,
    MissingRateError,
    PriceDataError,
    RetiredModelError,
    UnknownModelError,
)

if TYPE_CHECKING:
    from ._budget import Budget, assert_within_budget
    from ._capture import capture, instrument, uninstrument
    from ._context import tags
    from ._cost import compare, cost, estimate
    from ._images import ImageError, image_size, image_tokens
    from ._otel import CostSpanProcessor
    from ._prices import ModelPrice, PriceTier, PriceVariant, PriceWindow
    from ._read_base import UnknownUsageFieldWarning
    from ._registry import Registry, get_price, list_models
    from ._report import CostReport, ReportGroup, SkippedLine, cost_report
    from ._responses import cost_of_response, usage_from_response
    from ._stream import StreamUsage
    from ._tok_bpe import VocabularyError
    from ._tok_files import MissingExtraError
    from ._tok_register import (
        register_hf_tokenizer,
        register_sentencepiece_file,
        register_tiktoken_file,
        register_tokenizer,
        unregister_tokenizer,
    )
    from ._tok_vendor import VendorCountError
    from ._tokens import (
        Tokenizer,
        count_file_tokens,
        count_message_tokens,
        count_stream_tokens,
        count_tokens,
        estimate_tokens,
        tokenizer_for,
    )
    from ._tracker import CostLogHandler, CostRecord, Tracker, read_cost_log, write_cost_log
    from ._usage import Cost, Usage

# Everything but the exceptions is imported on first use: `import llmcost` then costs about
# 2 ms (the price model's attrs classes alone take 10 ms to define, the response readers and
# token counting more; benchmarks/import_speed.py).
_LAZY = {
    "Budget": "._budget",
    "Cost": "._usage",
    "ModelPrice": "._prices",
    "PriceTier": "._prices",
    "PriceVariant": "._prices",
    "PriceWindow": "._prices",
    "Registry": "._registry",
    "Usage": "._usage",
    "assert_within_budget": "._budget",
    "compare": "._cost",
    "cost": "._cost",
    "estimate": "._cost",
    "get_price": "._registry",
    "list_models": "._registry",
    "tags": "._context",
    "CostLogHandler": "._tracker",
    "CostRecord": "._tracker",
    "CostReport": "._report",
    "CostSpanProcessor": "._otel",
    "ImageError": "._images",
    "MissingExtraError": "._tok_files",
    "StreamUsage": "._stream",
    "Tokenizer": "._tokens",
    "ReportGroup": "._report",
    "SkippedLine": "._report",
    "Tracker": "._tracker",
    "UnknownUsageFieldWarning": "._read_base",
    "VendorCountError": "._tok_vendor",
    "VocabularyError": "._tok_bpe",
    "capture": "._capture",
    "cost_of_response": "._responses",
    "count_file_tokens": "._tokens",
    "count_message_tokens": "._tokens",
    "count_stream_tokens": "._tokens",
    "cost_report": "._report",
    "count_tokens": "._tokens",
    "estimate_tokens": "._tokens",
    "image_size": "._images",
    "image_tokens": "._images",
    "instrument": "._capture",
    "read_cost_log": "._tracker",
    "register_hf_tokenizer": "._tok_register",
    "register_sentencepiece_file": "._tok_register",
    "register_tiktoken_file": "._tok_register",
    "register_tokenizer": "._tok_register",
    "tokenizer_for": "._tokens",
    "uninstrument": "._capture",
    "unregister_tokenizer": "._tok_register",
    "usage_from_response": "._responses",
    "write_cost_log": "._tracker",
}

__all__ = [
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


def _public(obj: object) -> object:
    # Public classes present themselves as `llmcost.X` (reprs, tracebacks, pydoc, pickling).
    if isinstance(obj, type):
        obj.__module__ = __name__
    return obj


for _name in __all__:
    if _name not in _LAZY:
        _public(globals()[_name])
del _name


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is not None:
        from importlib import import_module

        value = _public(getattr(import_module(module, __name__), name))
        globals()[name] = value
        return value
    if name == "__version__":  # importlib.metadata costs more than all of `import llmcost`
        from importlib.metadata import version

        return version("llmcost")
    msg = f"module 'llmcost' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
