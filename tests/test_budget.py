"""Budgets: Budget.charge and assert_within_budget."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import llmcost
from llmcost import Budget, BudgetExceeded, assert_within_budget, cost

D = Decimal


def test_budget_charges_and_refuses() -> None:
    """A charge that would pass the limit raises and is not recorded."""
    budget = Budget(usd="0.01")
    budget.charge(cost("gpt-4o", input_tokens=1_200, output_tokens=300))
    assert budget.spent == D("0.006")
    with pytest.raises(BudgetExceeded, match="past the budget of"):
        budget.charge(D("0.0041"))
    assert budget.spent == D("0.006")
    assert budget.remaining == D("0.004")
    budget.charge("0.004")
    assert budget.remaining == 0
    assert isinstance(BudgetExceeded("x"), llmcost.LLMCostError)


def test_budget_refuses_floats_and_junk() -> None:
    """Budget limits are exact: float, bool and negative amounts are refused with a reason."""
    with pytest.raises(TypeError, match="float"):
        Budget(usd=0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Budget(usd=True)
    with pytest.raises(ValueError, match="non-negative"):
        Budget(usd="-1")
    with pytest.raises(ValueError, match="not a decimal"):
        Budget(usd="lots")
    assert Budget(usd=2).limit == D(2)


def test_budget_context_manager() -> None:
    """Budget works as a context manager returning itself; BudgetExceeded propagates."""
    with pytest.raises(BudgetExceeded), Budget(usd="1") as budget:
        for _ in range(5):
            budget.charge("0.3")
    assert budget.spent == D("0.9")


@given(
    st.decimals(min_value=0, max_value=100, places=4),
    st.lists(st.decimals(min_value=0, max_value=10, places=6), max_size=50),
)
def test_budget_never_ends_above_limit(limit: Decimal, charges: list[Decimal]) -> None:
    """For any charges, spent never passes the limit and spent + remaining == limit."""
    budget = Budget(usd=limit)
    accepted = D(0)
    for amount in charges:
        try:
            budget.charge(amount)
        except BudgetExceeded:
            assert accepted + amount > limit
        else:
            accepted += amount
        assert budget.spent <= budget.limit
        assert budget.spent + budget.remaining == budget.limit
    assert budget.spent == accepted


def test_budget_is_thread_safe() -> None:
    """Under 8 threads charging at once, the budget stops exactly at its limit."""
    budget = Budget(usd="1000")
    refused = []

    def work() -> None:
        for _ in range(2_000):
            try:
                budget.charge("0.1")
            except BudgetExceeded:
                refused.append(1)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert budget.spent == D("1000.0")
    assert len(refused) == 16_000 - 10_000


def test_assert_within_budget_message() -> None:
    """Over budget: an AssertionError with the limit, the total and a breakdown by model."""
    costs = [
        cost("gpt-4o", input_tokens=10_000, output_tokens=1_000),
        cost(
            "claude-sonnet-4-6", input_tokens=10_000, output_tokens=1_000, cache_read_tokens=5_000
        ),
    ]
    total = sum(c.total for c in costs)
    assert assert_within_budget(costs, usd=total) == total
    with pytest.raises(AssertionError) as info:
        assert_within_budget(costs, usd="0.01")
    text = str(info.value)
    assert "over the budget of $0.010000" in text
    assert f"${total:,.6f}" in text
    for word in ("gpt-4o", "claude-sonnet-4-6", "cache read", "output", "all models"):
        assert word in text
