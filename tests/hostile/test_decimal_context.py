"""Money under the caller's decimal context (issue 16 #2): any context, the same results.

Each money path runs once under the default context and once inside
``decimal.localcontext(ctx)`` for a random *ctx* (precision 1..100, any rounding, any traps,
exponents down to 0); results are compared outside the context, as values and as text.
"""

from __future__ import annotations

import decimal
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings

import llmcost
from llmcost import Budget, BudgetExceeded, CostRecord, Tracker, Usage
from tests.strategies_hostile import decimal_contexts

DATA = Path(__file__).parent.parent / "data"
D = Decimal


def outcome(fn: Callable[[], object]) -> object:
    """What *fn* returns, or the type and message of the error it raises."""
    try:
        return fn()
    except (llmcost.LLMCostError, AssertionError) as e:
        return (type(e).__name__, str(e))


def same_under(ctx: decimal.Context, fn: Callable[[], object]) -> None:
    """*fn* gives the same outcome under *ctx* as under the default context."""
    with decimal.localcontext(decimal.Context()):
        expected = outcome(fn)
    with decimal.localcontext(ctx):
        got = outcome(fn)
    assert got == expected
    assert repr(got) == repr(expected)


USAGE = Usage(
    input_tokens=300_000,
    output_tokens=1_234,
    cache_read_tokens=1_000,
    cache_write_5m_tokens=777,
    cache_write_1h_tokens=333,
    reasoning_tokens=11,
)


def money_paths() -> dict[str, Callable[[], object]]:
    """Every path of the package that computes or shows money, with hand-picked inputs."""

    def cost_paths() -> object:
        return [
            llmcost.cost("gpt-4o", input_tokens=1_200, output_tokens=300),
            llmcost.cost("gpt-4o", input_tokens=10**15, output_tokens=10**15),
            llmcost.cost("claude-sonnet-4-6", USAGE),
            llmcost.cost("claude-opus-4-6", USAGE, inference_geo="us"),
            llmcost.cost("gpt-5", USAGE.__class__(input_tokens=7, output_tokens=3), batch=True),
            str(llmcost.cost("gpt-4o-mini", input_tokens=1, output_tokens=1)),
        ]

    def compare_paths() -> object:
        return [(c.model, c.total) for c in llmcost.compare(input_tokens=12_345, output_tokens=678)]

    def estimate_paths() -> object:
        c = llmcost.estimate("gpt-4o", "hello there, how much is this?", max_output_tokens=500)
        return (c.total, str(c))

    def budget_paths() -> object:
        b = Budget(usd="0.01")
        out: list[object] = [b.charge(llmcost.cost("gpt-4o", input_tokens=1_000))]
        out.append(outcome(lambda: b.charge(D("0.0075000001"))))
        out += [b.charge("0.0075"), b.remaining, b.spent, repr(b)]
        return out

    def assert_paths() -> object:
        c = llmcost.cost("gpt-4o", input_tokens=4_002, output_tokens=0)  # $0.010005
        return [
            outcome(lambda: llmcost.assert_within_budget(c, usd="0.01")),
            llmcost.assert_within_budget([c, c], usd="1"),
        ]

    def tracker_paths() -> object:
        t = Tracker()
        for model in ("gpt-4o", "claude-sonnet-4-6", "gpt-4o"):
            t.record(model, USAGE, feature="x")
        buf = io.StringIO()
        llmcost.write_cost_log(t.records(), buf)
        buf.seek(0)
        back = list(llmcost.read_cost_log(buf))
        assert back == list(t.records())
        lines = [r.to_json()[40:] for r in back]  # past the time
        return [t.total, repr(t), t.by_model(), t.by_tag("feature"), lines]

    def record_paths() -> object:
        rec = CostRecord.from_json(
            '{"time":"2026-01-01T00:00:00+00:00","gen_ai.request.model":"m",'
            '"gen_ai.response.model":"m","gen_ai.provider.name":"p",'
            '"gen_ai.usage.input_tokens":1,"gen_ai.usage.output_tokens":1,'
            '"gen_ai.usage.cache_read.input_tokens":0,'
            '"gen_ai.usage.cost.amount":"0.123456789012345678901234567890123",'
            '"llmcost.cost.input":"0.123456789012345678901234567890123"}'
        )
        bad = outcome(
            lambda: CostRecord.from_json(
                '{"time":"2026-01-01T00:00:00+00:00","gen_ai.request.model":"m",'
                '"gen_ai.response.model":"m","gen_ai.provider.name":"p",'
                '"gen_ai.usage.input_tokens":1,"gen_ai.usage.output_tokens":1,'
                '"gen_ai.usage.cache_read.input_tokens":0,"gen_ai.usage.cost.amount":"1E+1000000"}'
            )
        )
        return [rec, rec.message(), rec.to_json(), bad]

    def registry_paths() -> object:
        reg = llmcost.Registry.from_file(DATA / "fixture_prices.json")
        return [llmcost.cost(m, input_tokens=123_457, output_tokens=99, registry=reg).total
                for m in ("alpha-1", "alpha-1-mini", "beta-long")]  # fmt: skip

    return {
        "cost": cost_paths,
        "compare": compare_paths,
        "estimate": estimate_paths,
        "budget": budget_paths,
        "assert_within_budget": assert_paths,
        "tracker": tracker_paths,
        "cost_record": record_paths,
        "registry_from_file": registry_paths,
    }


PATHS = money_paths()


@pytest.mark.parametrize("name", sorted(PATHS))
@settings(max_examples=40)
@given(ctx=decimal_contexts())
def test_money_is_the_same_under_any_context(name: str, ctx: decimal.Context) -> None:
    """cost, compare, estimate, Budget, assert_within_budget, Tracker, logs, Registry.from_file."""
    same_under(ctx, PATHS[name])


@pytest.mark.parametrize(
    "ctx",
    [
        decimal.Context(prec=3),
        decimal.Context(prec=3, traps=[decimal.Inexact, decimal.Rounded]),
        decimal.Context(Emax=3, Emin=-3),
        decimal.Context(prec=1, Emax=0, Emin=0, traps=list(decimal.Context().flags)),
    ],
    ids=["prec3", "prec3-inexact-trapped", "emax3", "everything-trapped"],
)
def test_the_issue_cases(ctx: decimal.Context) -> None:
    """The reported cases: a $0.010005 cost is over a $0.01 budget under every context."""
    c = llmcost.cost("gpt-4o", input_tokens=4_002)
    with decimal.localcontext(ctx), pytest.raises(AssertionError) as info:
        llmcost.assert_within_budget(c, usd="0.01")
    assert "LLM cost $0.010005 is over the budget of $0.010000" in str(info.value)
    budget = Budget(usd="0.01")
    with decimal.localcontext(ctx):
        with pytest.raises(BudgetExceeded):
            budget.charge(c)
        assert repr(budget) == "<Budget $0.000000 spent of $0.010000>"
        assert budget.remaining == D("0.01")


def test_absurd_budget_is_refused_at_construction() -> None:
    """Budget(usd='1e999999999999999999') is a clear InvalidUsageError, so repr never fails."""
    for usd in ("1e999999999999999999", "1E+40", D("1E-41"), "9" * 61, "NaN", "-Infinity"):
        with pytest.raises(llmcost.InvalidUsageError, match="budget"):
            Budget(usd=usd)
    assert repr(Budget(usd="1E+39")).startswith("<Budget $0.000000 spent of $1,000,000")
