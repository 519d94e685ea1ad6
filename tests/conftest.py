"""Shared test configuration: hypothesis profiles and a clean price environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    deadline=None,
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "100")),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "200")),
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
# CI derandomizes (a run is reproducible); LLMCOST_HYPOTHESIS_PROFILE=default forces a fresh
# random seed there too (.ci/run runs the hypothesis tests both ways).
settings.load_profile(
    os.environ.get("LLMCOST_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _no_price_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see the shipped prices unless they set LLMCOST_PRICES themselves."""
    monkeypatch.delenv("LLMCOST_PRICES", raising=False)


@pytest.fixture
def fixture_registry() -> object:
    """A small registry with dated prices, tiers, hosts and a vendor-zero entry."""
    from llmcost import Registry

    return Registry.from_file(DATA / "fixture_prices.json")
