"""Budgets: stop a batch job before it overspends, and fail a unit test that costs too much."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import TracebackType

from ._errors import BudgetExceeded, InvalidTypeError, InvalidUsageError
from ._money import CTX, ZERO, add, exact
from ._money import usd as _usd
from ._usage import Cost


def _money(value: object, what: str) -> Decimal:
    """USD as an exact Decimal: `Decimal`, `str` or `int`; a float is refused (not exact)."""
    if isinstance(value, float):
        msg = (
            f"{what} {value!r} is a float, which cannot hold money exactly; "
            f"pass the string {str(value)!r} or a Decimal"
        )
        raise InvalidTypeError(msg)
    if isinstance(value, bool) or not isinstance(value, (Decimal, str, int)):
        msg = f"{what} must be a Decimal, a decimal string or an int, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    if isinstance(value, str) and len(value) > 100:
        msg = f"{what} {value[:40]!r}... is not an amount of USD (too long)"
        raise InvalidUsageError(msg)
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except ArithmeticError:
        msg = f"{what} {value!r:.60} is not a decimal number"
        raise InvalidUsageError(msg) from None
    if not exact(amount) or amount.is_signed():
        msg = (
            f"{what} {value!r:.60} must be a finite, non-negative amount of USD with at most "
            "60 digits and an exponent within +-40"
        )
        raise InvalidUsageError(msg)
    return amount


def _amount(charge: Cost | Decimal | str | int) -> Decimal:
    if isinstance(charge, Cost):
        return _money(charge.total, "the charge's total")
    return _money(charge, "charge")


class Budget:
    """A spending limit in USD: `charge` refuses any charge that would pass it.

    Thread-safe. A refused charge raises `BudgetExceeded` and is not recorded, so `spent`
    never ends above `limit`. Usable as a context manager (it returns itself).

    >>> from decimal import Decimal
    >>> with Budget(usd="0.01") as budget:
    ...     _ = budget.charge(Decimal("0.004"))
    ...     budget.remaining
    Decimal('0.006')
    >>> budget.charge(Decimal("0.007"))
    Traceback (most recent call last):
    ...
    llmcost.BudgetExceeded: charge of $0.007000 would take spending to $0.011000, past ...
    """

    def __init__(self, usd: Decimal | str | int) -> None:
        self._limit = _money(usd, "budget")
        self._spent = ZERO
        self._lock = threading.Lock()

    @property
    def limit(self) -> Decimal:
        """The limit in USD."""
        return self._limit

    @property
    def spent(self) -> Decimal:
        """What the accepted charges add up to."""
        return self._spent

    @property
    def remaining(self) -> Decimal:
        """``limit - spent``: never negative."""
        with self._lock:
            return CTX.subtract(self._limit, self._spent)

    def charge(self, cost: Cost | Decimal | str | int) -> Decimal:
        """Add *cost* (a `Cost` or an amount in USD) and return the new `spent`.

        Raises `BudgetExceeded`, recording nothing, when the charge would pass the limit.
        """
        amount = _amount(cost)
        with self._lock:
            after = CTX.add(self._spent, amount)
            if after > self._limit:
                msg = (
                    f"charge of {_usd(amount)} would take spending to {_usd(after)}, past the "
                    f"budget of {_usd(self._limit)} (spent so far {_usd(self._spent)})"
                )
                raise BudgetExceeded(msg)
            self._spent = after
            return after

    def __enter__(self) -> Budget:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def __repr__(self) -> str:
        return f"<Budget {_usd(self._spent)} spent of {_usd(self._limit)}>"


def breakdown(costs: Iterable[Cost]) -> str:
    """A small table of costs by model and by part (input, cache read/write, output)."""
    items = list(costs)
    if not items:
        return "  (no costs)"
    total = sum(items[1:], items[0])
    lines = [
        f"  {'model':<28} {'input':>12} {'cache read':>12} {'cache write':>12} "
        f"{'output':>12} {'total':>12}"
    ]
    rows = [*total.by_model().values()]
    if len(rows) > 1:
        rows.append(total)
    for c in rows:
        name = "all models" if c is total and len(rows) > 1 else c.model
        lines.append(
            f"  {name:<28.28} {_usd(c.input):>12} {_usd(c.cache_read):>12} "
            f"{_usd(c.cache_write):>12} {_usd(c.output):>12} {_usd(c.total):>12}"
        )
    return "\n".join(lines)


def assert_within_budget(costs: Cost | Iterable[Cost], usd: Decimal | str | int) -> Decimal:
    """Fail (`AssertionError`) when *costs* add up to more than *usd*; return the total.

    The message shows the limit, the total and the breakdown by model and by part, so a test
    that fails says what got expensive.

    >>> from llmcost import cost
    >>> c = cost("gpt-4o", input_tokens=1_000, output_tokens=100)
    >>> assert_within_budget(c, usd="0.01").normalize()
    Decimal('0.0035')
    """
    limit = _money(usd, "budget")
    if not isinstance(costs, Cost) and (
        isinstance(costs, (str, bytes, Mapping)) or not isinstance(costs, Iterable)
    ):
        msg = f"assert_within_budget takes a Cost or Cost values, not {type(costs).__name__}"
        raise InvalidTypeError(msg)
    items = [costs] if isinstance(costs, Cost) else list(costs)
    for c in items:
        if not isinstance(c, Cost):
            msg = f"assert_within_budget takes Cost values, not {type(c).__name__}"
            raise InvalidTypeError(msg)
    total = add(*(_amount(c) for c in items))  # a NaN or negative total is refused
    if total > limit:
        msg = (
            f"LLM cost {_usd(total)} is over the budget of {_usd(limit)} "
            f"(by {_usd(CTX.subtract(total, limit))}):\n{breakdown(items)}"
        )
        raise AssertionError(msg)
    return total
