"""Hypothesis strategies for the hostile suite: decimal contexts and arbitrary arguments."""

from __future__ import annotations

import decimal
from datetime import timezone
from decimal import Decimal
from pathlib import Path

from hypothesis import strategies as st

import llmcost

SIGNALS = [
    decimal.Clamped,
    decimal.DivisionByZero,
    decimal.Inexact,
    decimal.InvalidOperation,
    decimal.Overflow,
    decimal.Rounded,
    decimal.Subnormal,
    decimal.Underflow,
    decimal.FloatOperation,
]
ROUNDINGS = [
    decimal.ROUND_05UP,
    decimal.ROUND_CEILING,
    decimal.ROUND_DOWN,
    decimal.ROUND_FLOOR,
    decimal.ROUND_HALF_DOWN,
    decimal.ROUND_HALF_EVEN,
    decimal.ROUND_HALF_UP,
    decimal.ROUND_UP,
]


@st.composite
def decimal_contexts(draw: st.DrawFn) -> decimal.Context:
    """Any decimal context a caller could set: tiny precision, any traps, small exponents."""
    return decimal.Context(
        prec=draw(st.integers(1, 100)),
        rounding=draw(st.sampled_from(ROUNDINGS)),
        Emax=draw(st.one_of(st.integers(0, 10), st.integers(0, 10**6))),
        Emin=draw(st.one_of(st.integers(-10, 0), st.integers(-(10**6), 0))),
        capitals=draw(st.integers(0, 1)),
        clamp=draw(st.integers(0, 1)),
        traps=draw(st.lists(st.sampled_from(SIGNALS), unique=True)),
        flags=[],
    )


#: Arguments of every type a caller might pass by mistake, or on purpose.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec=None), max_size=10),
    st.sampled_from(["gpt-4o", "claude-sonnet-4-6", "", "\x00", "\ud800", "gpt-4o\n", "NaN"]),
    st.sampled_from(["gpt-4o" + "-latest" * 994, "openai/" * 497 + "gpt-4o"]),
    st.binary(max_size=30),
    st.decimals(),
    st.sampled_from([Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity"), Decimal("1E+999999")]),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(timezone.utc)),
    st.builds(Path, st.text(max_size=10)),
    st.just(llmcost.Usage(input_tokens=10, output_tokens=5)),
    st.just(object()),
)
keys = st.one_of(st.text(max_size=8), st.integers(), st.none())
arguments = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(keys, inner, max_size=3),
    ),
    max_leaves=6,
)
