"""The pytest plugin: the ``llm_cost`` fixture, the ``llm_budget`` marker, a cost report.

Registered through the ``pytest11`` entry point, so installing llmcost is enough. It imports
nothing heavy and does nothing for a test that uses neither the fixture nor the marker.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._tracker import Tracker

_TRACKER = pytest.StashKey["Tracker"]()
_REPORT = pytest.StashKey[list[tuple[str, str, int]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("llmcost")
    group.addoption(
        "--llm-budget-report",
        action="store_true",
        default=False,
        help="print a table of each test's recorded LLM cost at the end of the session",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "llm_budget(usd): fail the test when the cost its llm_cost tracker recorded passes usd",
    )
    if config.getoption("--llm-budget-report"):
        config.stash[_REPORT] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A budget needs a tracker: a test with the marker gets the fixture even if it does not ask.
    for item in items:
        if item.get_closest_marker("llm_budget") is not None:
            names = getattr(item, "fixturenames", None)
            if isinstance(names, list) and "llm_cost" not in names:
                names.append("llm_cost")


@pytest.fixture
def llm_cost(request: pytest.FixtureRequest) -> Generator[Tracker, None, None]:
    """A fresh `llmcost.Tracker` for this test; ``llm_budget(usd=...)`` checks its total."""
    from ._tracker import Tracker

    tracker = Tracker()
    request.node.stash[_TRACKER] = tracker
    yield tracker
    report = request.config.stash.get(_REPORT, None)
    if report is not None:
        report.append((request.node.nodeid, str(tracker.total), tracker.count))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    result = yield
    marker = item.get_closest_marker("llm_budget")
    tracker = item.stash.get(_TRACKER, None)
    if marker is not None and tracker is not None:
        from ._budget import assert_within_budget

        usd = marker.kwargs.get("usd", marker.args[0] if marker.args else None)
        if usd is None:
            msg = "llm_budget needs a limit: @pytest.mark.llm_budget(usd='0.05')"
            raise pytest.UsageError(msg)
        costs = [r.cost for r in tracker.records() if r.cost is not None]
        try:
            assert_within_budget(costs, usd)
        except AssertionError as e:
            pytest.fail(f"llm_budget: {e}", pytrace=False)
    return result


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    report = terminalreporter.config.stash.get(_REPORT, None)
    if report is None:
        return
    terminalreporter.write_sep("=", "LLM cost per test (llmcost)")
    if not report:
        terminalreporter.write_line("no test used the llm_cost fixture")
        return
    from decimal import Decimal

    width = min(max(len(n) for n, _, _ in report), 70)
    terminalreporter.write_line(f"{'test':<{width}} {'requests':>8} {'USD':>12}")
    total = Decimal(0)
    for nodeid, usd, count in report:
        total += Decimal(usd)
        terminalreporter.write_line(f"{nodeid:<{width}.{width}} {count:>8} {Decimal(usd):>12.6f}")
    terminalreporter.write_line(f"{'total':<{width}} {'':>8} {total:>12.6f}")
