"""The pytest plugin: the ``llm_cost`` fixture, the ``llm_budget`` marker, a cost report.

Registered through the ``pytest11`` entry point, so installing llmcost is enough. A test that
uses the fixture or the marker runs inside `llmcost.capture`: every OpenAI, Anthropic,
Gemini or litellm call it makes (live, or replayed by vcrpy / pytest-recording) is priced
into its tracker without a ``record()`` call. A test that uses neither is untouched: nothing
is imported or patched for it.
"""

from __future__ import annotations

from collections.abc import Generator
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._tracker import Tracker

_TRACKER = pytest.StashKey["Tracker"]()
# nodeid, [(model, requests, USD)], unpriced requests
_REPORT = pytest.StashKey[list[tuple[str, list[tuple[str, int, Decimal]], int]]]()
_TOTAL = pytest.StashKey[list[Decimal]]()  # [limit, spent]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("llmcost")
    group.addoption(
        "--llm-budget-report",
        action="store_true",
        default=False,
        help="print each test's LLM cost by model at the end of the session",
    )
    group.addoption(
        "--llm-budget-total",
        metavar="USD",
        default=None,
        help="fail the session when the tests using llm_cost / llm_budget spend more than USD",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "llm_budget(usd, unpriced='fail'): fail the test when the LLM calls it makes cost more "
        "than usd (or cannot be priced, unless unpriced='allow')",
    )
    if config.getoption("--llm-budget-report"):
        config.stash[_REPORT] = []
    limit = config.getoption("--llm-budget-total")
    if limit is not None:
        from ._budget import Budget
        from ._errors import LLMCostError

        try:
            config.stash[_TOTAL] = [Budget(limit).limit, Decimal(0)]
        except LLMCostError as e:
            msg = f"--llm-budget-total: {e}"
            raise pytest.UsageError(msg) from None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A budget needs a tracker: a test with the marker gets the fixture even if it does not ask.
    for item in items:
        if item.get_closest_marker("llm_budget") is not None:
            names = getattr(item, "fixturenames", None)
            if isinstance(names, list) and "llm_cost" not in names:
                names.append("llm_cost")


@pytest.fixture
def llm_cost(request: pytest.FixtureRequest) -> Generator[Tracker, None, None]:
    """A fresh `llmcost.Tracker` that records every LLM call this test makes.

    ``llm_budget(usd=...)`` checks its total; you may also call ``llm_cost.record(...)``.
    """
    from ._capture import capture
    from ._tracker import Tracker

    tracker = Tracker()
    request.node.stash[_TRACKER] = tracker
    with capture(tracker):
        yield tracker
    report = request.config.stash.get(_REPORT, None)
    if report is not None:
        rows = [(m, c.usage.requests, c.total) for m, c in tracker.by_model().items()]
        report.append((request.node.nodeid, rows, tracker.unpriced))
    total = request.config.stash.get(_TOTAL, None)
    if total is not None:
        from ._money import CTX

        total[1] = CTX.add(total[1], tracker.total)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    result = yield
    marker = item.get_closest_marker("llm_budget")
    tracker = item.stash.get(_TRACKER, None)
    if marker is not None and tracker is not None:
        failure = _over_budget(marker, tracker)
        if failure:  # raised outside any except block: the message is shown once
            pytest.fail(failure, pytrace=False)
    return result


def _over_budget(marker: pytest.Mark, tracker: Tracker) -> str:
    from ._budget import assert_within_budget
    from ._capture import flush

    usd = marker.kwargs.get("usd", marker.args[0] if marker.args else None)
    if usd is None:
        msg = "llm_budget needs a limit: @pytest.mark.llm_budget(usd='0.05')"
        raise pytest.UsageError(msg)
    allow = marker.kwargs.get("unpriced", "fail")
    if allow not in ("fail", "allow"):
        msg = f"llm_budget(unpriced=...) must be 'fail' or 'allow', not {allow!r}"
        raise pytest.UsageError(msg)
    flush(tracker)  # streams the test left open are priced before the check
    records = tracker.records()
    unpriced = [r for r in records if r.cost is None]
    if unpriced and allow == "fail":
        names = sorted({r.request_model or "?" for r in unpriced})
        return (
            f"llm_budget: {len(unpriced)} LLM call(s) could not be priced ({', '.join(names)}), "
            "so the budget cannot be checked; see the llmcost.capture log, or pass "
            "llm_budget(..., unpriced='allow')"
        )
    try:
        assert_within_budget([r.cost for r in records if r.cost is not None], usd)
    except AssertionError as e:
        return f"llm_budget: {e}"
    return ""


def pytest_sessionfinish(session: pytest.Session) -> None:
    total = session.config.stash.get(_TOTAL, None)
    if total is not None and total[1] > total[0]:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from ._money import usd

    config = terminalreporter.config
    report = config.stash.get(_REPORT, None)
    if report is not None:
        _write_report(terminalreporter, report)
    total = config.stash.get(_TOTAL, None)
    if total is not None:
        limit, spent = total
        if spent > limit:
            terminalreporter.write_sep(
                "=", f"llm-budget-total: the tests spent {usd(spent)}, over {usd(limit)}", red=True
            )
        else:
            terminalreporter.write_line(
                f"llm-budget-total: the tests spent {usd(spent)} of {usd(limit)}"
            )


def _write_report(
    tr: pytest.TerminalReporter, report: list[tuple[str, list[tuple[str, int, Decimal]], int]]
) -> None:
    tr.write_sep("=", "LLM cost per test (llmcost)")
    if not report:
        tr.write_line("no test used the llm_cost fixture or the llm_budget marker")
        return
    from ._money import CTX

    width = max(len(n) for n, _, _ in report)  # whole test ids: a cut one cannot be found
    mwidth = max([len(m) for _, rows, _ in report for m, _, _ in rows] + [5])
    tr.write_line(f"{'test':<{width}} {'model':<{mwidth}} {'requests':>8} {'USD':>12}")
    total = Decimal(0)
    for nodeid, rows, unpriced in report:
        name = f"{nodeid:<{width}}"
        if not rows and not unpriced:
            tr.write_line(f"{name} {'-':<{mwidth}} {0:>8} {Decimal(0):>12.6f}")
        for model, requests, cost in rows:
            total = CTX.add(total, cost)
            tr.write_line(f"{name} {model:<{mwidth}} {requests:>8} {cost:>12.6f}")
        if unpriced:
            tr.write_line(f"{name} {'(unpriced)':<{mwidth}} {unpriced:>8} {'?':>12}")
    tr.write_line(f"{'total':<{width}} {'':<{mwidth}} {'':>8} {total:>12.6f}")
