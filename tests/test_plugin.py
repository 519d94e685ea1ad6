"""The pytest plugin, exercised with pytester."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from .capture_helpers import rates, usd
from .capture_server import FixtureServer, load

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


# ---------------------------------------------------------------------------- capture

# These run pytest in a subprocess, as a user's suite runs: an in-process run would share
# (and have pytester's module snapshots reset) the llmcost modules of this very session.
CAPTURED = """
import httpx
import openai
import pytest

URL = {url!r}


HI = [{{"role": "user", "content": "hi"}}]


def ask():
    with openai.OpenAI(base_url=URL + "/v1", api_key="test", max_retries=0) as client:
        client.chat.completions.create(model="gpt-5.5", messages=HI)


@pytest.mark.llm_budget(usd="0.01")
def test_under_budget():
    ask()


@pytest.mark.llm_budget(usd="0.005")
def test_over_budget():
    ask()
    ask()


def test_with_fixture_only(llm_cost):
    ask()
    assert llm_cost.count == 1


def test_untouched():
    assert not hasattr(httpx.Client.send, "__wrapped__")
    ask()
"""


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    """A local server answering Chat Completions with the gpt-5.5 fixture (19 in, 139 out)."""
    with FixtureServer() as srv:
        srv.serve(load("openai_chat_real_gpt5_reasoning"))
        yield srv


def one_call() -> Decimal:
    """What one call of CAPTURED costs, by hand from the rates."""
    p = rates("gpt-5.5")
    return usd((19, p.input_per_mtok), (139, p.output_per_mtok))


def test_calls_are_captured_without_record(
    pytester: pytest.Pytester, server: FixtureServer
) -> None:
    """The marker prices every SDK call of the test with no record() call: under budget
    passes, over budget fails once with one clear message, a plain test is untouched."""
    pytester.makepyfile(CAPTURED.format(url=server.url))
    # -rN: no short summary, which repeats the message in full where CI is set.
    result = pytester.runpytest_subprocess("-rN")
    result.assert_outcomes(passed=3, failed=1)
    out = result.stdout.str()
    assert out.count("over the budget of $0.005000") == 1
    assert "During handling of the above exception" not in out
    result.stdout.fnmatch_lines(
        ["*_ test_over_budget _*", "llm_budget: LLM cost * is over*", "*gpt-5.5*"]
    )
    assert server.count == 5  # every call reached the server, captured or not


def test_report_lists_each_test_by_model(pytester: pytest.Pytester, server: FixtureServer) -> None:
    """--llm-budget-report lists the captured tests by model, with requests and cost; a test
    without the marker or fixture is not in it."""
    pytester.makepyfile(CAPTURED.format(url=server.url))
    result = pytester.runpytest_subprocess("--llm-budget-report")
    one = one_call()
    result.stdout.fnmatch_lines(
        [
            "*LLM cost per test (llmcost)*",
            f"*test_under_budget*gpt-5.5*1*{one:.6f}*",
            f"*test_over_budget*gpt-5.5*2*{2 * one:.6f}*",
            f"*test_with_fixture_only*gpt-5.5*1*{one:.6f}*",
            f"total*{4 * one:.6f}*",
        ]
    )
    assert "test_untouched" not in result.stdout.str().split("LLM cost per test")[1]


def test_budget_total_fails_the_session(pytester: pytest.Pytester, server: FixtureServer) -> None:
    """--llm-budget-total fails a session whose captured tests spend more, even when every
    test passes; under the total the session passes."""
    pytester.makepyfile(CAPTURED.format(url=server.url).replace('usd="0.005"', 'usd="1"'))
    spent = 4 * one_call()
    over = pytester.runpytest_subprocess(f"--llm-budget-total={spent - Decimal('0.000001')}")
    over.assert_outcomes(passed=4)
    assert over.ret == pytest.ExitCode.TESTS_FAILED
    over.stdout.fnmatch_lines(["*llm-budget-total: the tests spent $*, over $*"])
    under = pytester.runpytest_subprocess(f"--llm-budget-total={spent}")
    assert under.ret == pytest.ExitCode.OK
    under.stdout.fnmatch_lines(["llm-budget-total: the tests spent $*"])


def test_budget_total_must_be_an_amount(pytester: pytest.Pytester) -> None:
    """A --llm-budget-total that is not an amount of USD is a usage error."""
    pytester.makepyfile("def test_a():\n    pass\n")
    result = pytester.runpytest_subprocess("--llm-budget-total=lots")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--llm-budget-total*lots*"])


def test_unpriced_call_fails_the_budget(pytester: pytest.Pytester, server: FixtureServer) -> None:
    """A call llmcost cannot price (unknown model) fails a budgeted test unless allowed."""
    fx = load("openai_chat_real_gpt5_reasoning")
    fx["body"]["model"] = "mystery-model-9"
    server.serve(fx)
    pytester.makepyfile(
        CAPTURED.format(url=server.url)
        + """

@pytest.mark.llm_budget(usd="1", unpriced="allow")
def test_allowed():
    ask()
"""
    )
    result = pytester.runpytest_subprocess("-k", "under_budget or allowed")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*llm_budget: 1 LLM call(s) could not be priced (mystery-model-9)*"]
    )


def test_replayed_by_pytest_recording(pytester: pytest.Pytester) -> None:
    """A test replayed from a pytest-recording cassette is priced like the live run."""
    with FixtureServer() as srv:
        srv.serve(load("openai_chat_real_gpt5_reasoning"))
        pytester.makepyfile(
            CAPTURED.format(url=srv.url).replace(
                '@pytest.mark.llm_budget(usd="0.01")',
                '@pytest.mark.vcr\n@pytest.mark.llm_budget(usd="0.01")',
            )
        )
        live = pytester.runpytest_subprocess(
            "-k", "under_budget", "--record-mode=once", "--llm-budget-report"
        )
        assert srv.count == 1
    replayed = pytester.runpytest_subprocess(
        "-k", "under_budget", "--record-mode=none", "--llm-budget-report"
    )
    for result in (live, replayed):
        result.assert_outcomes(passed=1)
        result.stdout.fnmatch_lines([f"*test_under_budget*gpt-5.5*1*{one_call():.6f}*"])
    assert list(pytester.path.rglob("*.yaml"))
