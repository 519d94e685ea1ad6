"""Money: llmcost's own decimal context, and the bounds that keep every amount exact.

Every Decimal operation in llmcost goes through `CTX` (``CTX.add(a, b)``, ``CTX.multiply``),
never through the caller's thread context, so ``decimal.localcontext(prec=3)`` or a trapped
``Inexact`` in application code cannot change a cost or a budget. `CTX` traps ``Inexact``:
within the bounds below no operation ever rounds, so a rounding would be a bug, and it raises
instead of changing money silently.

Bounds: token and use counts up to `MAX_COUNT` (10**15, a quadrillion); rates per million
tokens below `MAX_RATE` with at most `MAX_PLACES` decimal places; amounts read from logs and
files within `MAX_AMOUNT_DIGITS` significant digits and exponents within ``±MAX_EXPONENT``.
A product of a count and a per-token rate then has at most 15 + 7 + 26 digits, and sums of
a billion of them fit easily in the 96 digits of precision.
"""

from __future__ import annotations

from decimal import (
    ROUND_HALF_EVEN,
    Clamped,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    Rounded,
    Underflow,
)

_TRAPS = [InvalidOperation, DivisionByZero, Overflow, Inexact, Rounded, Underflow, Clamped]
CTX = Context(prec=96, Emax=10_000, Emin=-10_000, traps=_TRAPS)
# Cost reports: amounts within `exact`'s bounds span at most 140 digits (10**100 down to
# 10**-40); 200 digits of precision hold exact sums of 10**60 of them. Nothing rounds here either.
SUM_CTX = Context(prec=200, Emax=100_000, Emin=-100_000, traps=_TRAPS)
# Rounding for display only (never for money that is kept).
_DISPLAY = Context(prec=96, rounding=ROUND_HALF_EVEN, Emax=10_000, Emin=-10_000, traps=[])
_MILLIONTH = Decimal("0.000001")

ZERO = Decimal(0)
MAX_COUNT = 10**15
MAX_RATE = Decimal(1_000_000)
MAX_PLACES = 20
MAX_AMOUNT_DIGITS = 60
MAX_EXPONENT = 40


def exact(value: Decimal) -> bool:
    """Whether *value* is finite and small enough to take part in exact money arithmetic.

    At most `MAX_AMOUNT_DIGITS` significant digits, no digit below 10**-MAX_EXPONENT and a
    magnitude below 10**MAX_EXPONENT: such amounts span at most 81 digit positions, so `CTX`
    (96 digits) adds up to 10**15 of them without rounding.
    """
    if not value.is_finite():
        return False
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if not value:
        return exponent >= -MAX_EXPONENT
    return (
        len(digits) <= MAX_AMOUNT_DIGITS
        and exponent >= -MAX_EXPONENT
        and value.adjusted() < MAX_EXPONENT
    )


def add(*amounts: Decimal) -> Decimal:
    """The exact sum of *amounts* in llmcost's context."""
    total = ZERO
    for a in amounts:
        total = CTX.add(total, a)
    return total


def plain(amount: Decimal) -> str:
    """A plain decimal string without exponent or trailing zeros (``"0.006"``), exactly."""
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def usd(amount: Decimal) -> str:
    """``$0.006000``: rounded to a millionth of a dollar, for people only.

    An amount outside the exact bounds (which llmcost never computes, but a caller may pass)
    is shown in scientific notation rather than as a million digits.
    """
    if not exact(amount):
        return f"${amount}"
    return "$" + format(_DISPLAY.quantize(amount, _MILLIONTH), ",f")
