"""llmcost's exceptions: each subclasses `LLMCostError` and the builtin a caller catches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time


class LLMCostError(Exception):
    """Base class of every error that llmcost raises on purpose."""


class UnknownModelError(LLMCostError, LookupError):
    """A model name that the registry cannot resolve (never priced as a silent $0).

    >>> import llmcost
    >>> llmcost.get_price("gpt-4o-mni")
    Traceback (most recent call last):
    ...
    llmcost.UnknownModelError: unknown model 'gpt-4o-mni'; did you mean 'gpt-4o-mini', ...
    """

    def __init__(self, model: str, suggestions: Sequence[str] = (), reason: str = "") -> None:
        self.model = model
        self.suggestions = tuple(suggestions)
        self.reason = reason
        super().__init__(self._message())

    def _message(self) -> str:
        msg = self.reason or f"unknown model {self.model!r}"
        if self.suggestions:
            names = ", ".join(repr(s) for s in self.suggestions)
            msg += f"; did you mean {names}?"
        if self.reason:
            return msg
        msg += (
            " To price a model llmcost does not ship, pass registry=Registry.default()"
            ".with_prices(ModelPrice(...)) or point LLMCOST_PRICES at a JSON price file."
        )
        return msg

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.model, self.suggestions, self.reason))


class RetiredModelError(LLMCostError, LookupError):
    """A request priced after its model was retired; the message names the successor.

    `model`, `retired` (a `datetime.datetime`, UTC) and `successor` (None if the vendor named
    none) say which. Before the retirement the model prices as usual (old logs, ``at=``).
    """

    def __init__(self, model: str, retired: object, successor: str | None) -> None:
        self.model = model
        self.retired = retired
        self.successor = successor
        when = str(retired)
        if isinstance(retired, datetime):  # the day alone when it is midnight UTC
            midnight = retired.time() == time(0)
            when = retired.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M UTC")
        msg = f"{model} was retired on {when}"
        if successor:
            msg += f"; its successor is {successor!r}"
        msg += "; to price an older request, pass at= the time it was made"
        super().__init__(msg)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.model, self.retired, self.successor))


class MissingRateError(LLMCostError, LookupError):
    """A model that has no rate for what was asked (cache writes, batch, ...): never a silent $0."""


class PriceDataError(LLMCostError, ValueError):
    """A malformed price file or entry; the message names the file, the entry and the field."""


class InvalidUsageError(LLMCostError, ValueError):
    """Token counts that cannot be a real usage, or a provider response of an unknown shape."""


class InvalidInputError(LLMCostError, ValueError):
    """Input llmcost cannot use as given: text, messages, images, a path, an ambiguous time."""


class FileAccessError(LLMCostError, OSError):
    """A file llmcost was asked to read or write cannot be opened (missing, a directory, ...)."""


class InvalidTypeError(LLMCostError, TypeError):
    """An argument of the wrong type (for example a float where money must be exact)."""


class BudgetExceeded(LLMCostError):
    """A charge that would take a `Budget` past its limit; the charge was not recorded."""
