"""Every example runs offline and prints the numbers the library computes."""

from __future__ import annotations

import runpy
import subprocess
import sys
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import llmcost

EXAMPLES = Path(__file__).parent.parent / "examples"


def run(name: str, *args: str) -> str:
    """Run one example in a fresh interpreter; return its stdout."""
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    return out.stdout


def constants(name: str) -> dict[str, Any]:
    """The module globals of an example, without running its main()."""
    return runpy.run_path(str(EXAMPLES / name))


def test_every_example_is_tested() -> None:
    """Each script in examples/ has a test here."""
    tested = {"quickstart.py", "choose_a_model.py", "log_costs.py", "budget_test.py",
              "price_history.py", "bring_your_own_prices.py", "japanese_prompt.py",
              "spark_costs.py"}  # fmt: skip
    assert {p.name for p in EXAMPLES.glob("*.py")} <= tested


def test_quickstart() -> None:
    """quickstart.py prints the exact prompt count, the upper bound and the response's cost."""
    out = run("quickstart.py")
    tokens = llmcost.count_tokens(constants("quickstart.py")["PROMPT"], "gpt-4o")
    assert f"prompt: {tokens} tokens on gpt-4o (exact, o200k_base)" in out
    bound = llmcost.cost("gpt-4o", input_tokens=tokens, output_tokens=400)
    assert f"before the call, at most: gpt-4o: ${bound.total:,.6f}" in out
    after = llmcost.cost("gpt-4o", input_tokens=tokens, output_tokens=212)
    assert f"total: {after.total} USD" in out


def test_choose_a_model() -> None:
    """choose_a_model.py prints the cheapest models in order with their monthly cost."""
    out = run("choose_a_model.py")
    ranked = llmcost.compare(input_tokens=3_000, output_tokens=350, cache_read_tokens=2_500)
    assert f"{len(ranked)} models that price cache reads" in out
    lines = out.splitlines()
    first = lines[2].split()
    assert first[0] == ranked[0].model
    assert first[3] == f"${ranked[0].total * 20_000 * 30:,.2f}"
    picked = ["gpt-4o", "claude-sonnet-4-6", "gemini-3.1-pro-preview"]
    for c in llmcost.compare(input_tokens=3_000, output_tokens=350, cache_read_tokens=2_500,
                             models=picked):  # fmt: skip
        assert f"${c.total * 20_000 * 30:,.2f} per 30 days" in out


def test_log_costs() -> None:
    """log_costs.py logs four requests and its report from the file equals the tracker."""
    out = run("log_costs.py")
    responses = constants("log_costs.py")["RESPONSES"]
    costs = [llmcost.cost_of_response(r) for _, r in responses]
    total = sum(c.total for c in costs)
    assert "costs.jsonl: 4 lines" in out
    line = next(x for x in out.splitlines() if "(tracker)" in x)
    tracker_total, log_total = (Decimal(w) for w in line.split() if w[0].isdigit())
    assert tracker_total == log_total == total
    search = next(x for x in out.splitlines() if x.strip().startswith("search"))
    assert Decimal(search.split()[1]) == costs[0].total + costs[1].total


def test_budget_test_example() -> None:
    """budget_test.py passes under pytest and its report shows the agent's exact cost."""
    out = subprocess.run(
        [sys.executable, "-m", "pytest", str(EXAMPLES / "budget_test.py"), "-q",
         "--llm-budget-report", "-p", "no:cacheprovider"],
        capture_output=True, text=True, timeout=300, check=False,
    ).stdout  # fmt: skip
    assert "2 passed" in out
    agent = sum(
        llmcost.cost("gpt-4o-mini", input_tokens=4_000 + 1_000 * step, output_tokens=300).total
        for step in range(3)
    )
    assert f"{agent:.6f}" in out


def test_price_history() -> None:
    """price_history.py prints each month's cost at the prices of its date."""
    out = run("price_history.py")
    utc = timezone.utc
    peak, evening, saturday = (
        datetime(2026, 11, 25, 2, tzinfo=utc),
        datetime(2026, 11, 25, 12, tzinfo=utc),
        datetime(2026, 11, 28, 2, tzinfo=utc),
    )
    for model, when in [("o3", date(2025, 6, 1)), ("o3", date(2025, 7, 1)),
                        ("deepseek-v4-flash", peak), ("deepseek-v4-flash", evening),
                        ("deepseek-v4-flash", saturday)]:  # fmt: skip
        c = llmcost.cost(model, input_tokens=40_000_000, output_tokens=8_000_000, at=when)
        assert f"{when.isoformat()}" in out
        assert f"${c.total:,.2f}" in out
    assert "$720.00" in out  # o3 before its cut: 40M x $10 + 8M x $40
    p = llmcost.get_price("deepseek-v4-flash", at=evening)
    off_peak = 40 * p.input_per_mtok + 8 * p.output_per_mtok  # the base (off-peak) rates
    assert f"${off_peak:,.2f}" in out and f"${2 * off_peak:,.2f}" in out


def test_bring_your_own_prices() -> None:
    """bring_your_own_prices.py prices a custom model in code and from LLMCOST_PRICES."""
    out = run("bring_your_own_prices.py")
    # 100k x 0.30 + 20k x 1.20 per 1M = 0.03 + 0.024; from the file 0.025 + 0.02
    assert "acme-support-ft: $0.054000" in out
    assert "acme-support-ft: $0.045000" in out
    shipped = llmcost.cost("gpt-4o", input_tokens=100_000, output_tokens=20_000)
    assert f"shipped price: gpt-4o: ${shipped.total:,.6f}" in out
    assert "UnknownModelError: unknown model 'acme-support-ft'" in out


def test_japanese_prompt() -> None:
    """japanese_prompt.py shows chars/4 far off and llmcost's estimate close to exact."""
    out = run("japanese_prompt.py")
    prompt = constants("japanese_prompt.py")["PROMPT"]
    exact = llmcost.count_tokens(prompt, "gpt-4o")
    est = llmcost.estimate_tokens(prompt, "gpt-4o")
    assert f"exact (o200k_base):        {exact} tokens" in out
    assert f"llmcost.estimate_tokens(): {est} tokens" in out
    assert abs(est - exact) / exact < Decimal("0.15")
    assert abs(len(prompt) // 4 - exact) / exact > Decimal("0.3")
