"""llmcost: what an LLM call costs, before the call, after it, and in aggregate.

Exact offline token counts for OpenAI encodings (a calibrated estimate elsewhere),
dated Decimal prices with cache, batch and long-context rates, budgets and cost logs.

>>> import llmcost
>>> llmcost.get_price("gpt-4o").input_per_mtok
Decimal('2.5')
"""

from __future__ import annotations

from ._budget import Budget, assert_within_budget
from ._cost import Cost, Usage, compare, cost, estimate
from ._errors import (
    BudgetExceeded,
    InvalidInputError,
    InvalidTypeError,
    InvalidUsageError,
    LLMCostError,
    MissingRateError,
    PriceDataError,
    UnknownModelError,
)
from ._registry import ModelPrice, PriceTier, Registry, get_price, list_models
from ._responses import cost_of_response, usage_from_response
from ._tracker import CostLogHandler, CostRecord, Tracker, read_cost_log, write_cost_log

__all__ = [
    "Budget",
    "BudgetExceeded",
    "Cost",
    "CostLogHandler",
    "CostRecord",
    "InvalidInputError",
    "InvalidTypeError",
    "InvalidUsageError",
    "LLMCostError",
    "MissingRateError",
    "ModelPrice",
    "PriceDataError",
    "PriceTier",
    "Registry",
    "Tracker",
    "UnknownModelError",
    "Usage",
    "assert_within_budget",
    "compare",
    "cost",
    "cost_of_response",
    "estimate",
    "get_price",
    "list_models",
    "read_cost_log",
    "usage_from_response",
    "write_cost_log",
]

# Public classes present themselves as `llmcost.X` (reprs, tracebacks, pydoc, pickling).
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = __name__
del _name, _obj


def __getattr__(name: str) -> str:
    # Lazy: importlib.metadata costs more than the rest of `import llmcost`.
    if name == "__version__":
        from importlib.metadata import version

        return version("llmcost")
    msg = f"module 'llmcost' has no attribute {name!r}"
    raise AttributeError(msg)
