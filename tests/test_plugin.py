"""The pytest plugin, exercised with pytester."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

TESTS = """
import pytest
from llmcost import Usage

@pytest.mark.llm_budget(usd="0.05")
def test_cheap(llm_cost):
    llm_cost.record("gpt-4o", Usage(input_tokens=1_000, output_tokens=100))

@pytest.mark.llm_budget(usd="0.05")
def test_expensive(llm_cost):
    for _ in range(3):
        llm_cost.record("claude-opus-4-8", Usage(input_tokens=100_000, output_tokens=1_000))

@pytest.mark.llm_budget(usd="0.01")
def test_marker_without_fixture(request):
    request.getfixturevalue("llm_cost").record("gpt-4o", Usage(input_tokens=10_000))

def test_plain():
    assert True
"""


def test_marker_fails_expensive_tests(pytester: pytest.Pytester) -> None:
    """A test whose tracker passes its llm_budget fails with the breakdown; cheap ones pass."""
    pytester.makepyfile(TESTS)
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        ["*_ test_expensive _*", "*over the budget of $0.050000*", "*claude-opus-4-8*"]
    )
    result.stdout.fnmatch_lines(
        ["*_ test_marker_without_fixture _*", "*over the budget of $0.010000*"]
    )
    assert "_pytest_plugin.py" not in result.stdout.str()


def test_report_option(pytester: pytest.Pytester) -> None:
    """--llm-budget-report prints a per-test cost table at the end."""
    pytester.makepyfile(TESTS)
    result = pytester.runpytest("--llm-budget-report")
    result.stdout.fnmatch_lines(["*LLM cost per test (llmcost)*", "*test_cheap*1*0.003500*"])


def test_silent_when_unused(pytester: pytest.Pytester) -> None:
    """A session that uses neither fixture nor marker prints nothing of the plugin."""
    pytester.makepyfile("def test_a():\n    assert 1\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    lines = [line for line in result.stdout.lines if not line.startswith("plugins:")]
    assert not [line for line in lines if "llm" in line.lower()]
