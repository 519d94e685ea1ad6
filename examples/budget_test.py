"""Budget asserts in unit tests: run with `pytest examples/budget_test.py --llm-budget-report`.

The plugin comes with llmcost (no conftest needed): the `llm_cost` fixture is a Tracker for the
test, and `@pytest.mark.llm_budget(usd=...)` fails the test when what it recorded costs more.
"""

from __future__ import annotations

import pytest

import llmcost

DOC = "The quarterly report. " * 400


def build_prompt(doc: str) -> list[dict[str, str]]:
    """The feature under test: a summarisation prompt."""
    return [
        {"role": "system", "content": "Summarise documents for busy executives."},
        {"role": "user", "content": f"Summarise in five bullet points:\n\n{doc}"},
    ]


def test_summary_prompt_stays_cheap() -> None:
    """A prompt change that makes the summary cost more than a cent fails this test."""
    c = llmcost.estimate("gpt-4o", build_prompt(DOC), max_output_tokens=400)
    llmcost.assert_within_budget(c, usd="0.01")


def fake_agent(on_response: object) -> None:
    """Stands in for an agent loop that calls a model three times."""
    assert callable(on_response)
    for step in range(3):
        on_response({"model": "gpt-4o-mini", "usage": {
            "prompt_tokens": 4_000 + 1_000 * step, "completion_tokens": 300}})  # fmt: skip


@pytest.mark.llm_budget(usd="0.05")
def test_agent_run(llm_cost: llmcost.Tracker) -> None:
    """The whole agent run must stay under five cents."""
    fake_agent(on_response=llm_cost.record)
    assert llm_cost.count == 3
