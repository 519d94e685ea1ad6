"""Every current first-party model in litellm's price file resolves, or is a named gap; no model
the data itself calls shut down is offered as current."""

from __future__ import annotations

import importlib.util
import json
import re
from datetime import date
from pathlib import Path

import llmcost

DATA = Path(__file__).parent / "data"
FIRST_PARTY = {"openai", "anthropic", "gemini", "deepseek", "mistral", "xai"}
MODES = {"chat", "responses", "embedding", "completion"}


def _litellm_prices() -> dict[str, object]:
    spec = importlib.util.find_spec("litellm")  # the package data only: litellm is not imported
    assert spec is not None and spec.origin, (
        "litellm (the test extra, as CI installs it) is missing"
    )
    path = Path(spec.origin).parent / "model_prices_and_context_window_backup.json"
    result: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return result


def _current_first_party() -> list[str]:
    today = date.today()
    names = []
    for key, entry in _litellm_prices().items():
        if not isinstance(entry, dict):
            continue
        if entry.get("litellm_provider") not in FIRST_PARTY or entry.get("mode") not in MODES:
            continue
        retired = entry.get("deprecation_date")
        if isinstance(retired, str) and date.fromisoformat(retired) <= today:
            continue
        names.append(key)
    return names


def test_every_current_first_party_litellm_model_resolves() -> None:
    """A new model in litellm's file shows up here, named, not as a user's UnknownModelError."""
    gaps = json.loads((DATA / "litellm_gaps.json").read_text(encoding="utf-8"))
    reg = llmcost.Registry.default()
    names = _current_first_party()
    assert len(names) > 200
    missing = sorted(n for n in names if n not in gaps and n not in reg)
    assert not missing, f"unknown to llmcost and not in tests/data/litellm_gaps.json: {missing}"


def test_every_gap_is_still_a_gap_and_has_a_reason() -> None:
    """The allow-list stays honest: each entry has a reason and still does not resolve."""
    gaps = json.loads((DATA / "litellm_gaps.json").read_text(encoding="utf-8"))
    reg = llmcost.Registry.default()
    assert all(isinstance(r, str) and len(r) > 20 for r in gaps.values())
    resolving = sorted(name for name in gaps if name in reg)
    assert not resolving, f"now priced by llmcost: remove from litellm_gaps.json: {resolving}"


# How the curators' notes say a model is gone, when the vendor published no date for it.
GONE = re.compile(
    r"shut down;|long shut down|listed as 'shut down'|retired by \w+;"
    r"|no longer in \w+'s model list",
    re.IGNORECASE,
)


def test_no_model_the_notes_call_shut_down_is_current() -> None:
    """A model whose note says it is shut down (no date published) carries a retirement, so
    compare() and list_models() never offer it as a current, often $0, choice."""
    gone_now = [m for m in llmcost.list_models() if GONE.search(llmcost.get_price(m).note or "")]
    assert gone_now == []
    everything = llmcost.list_models(include_retired=True)
    flagged = [m for m in everything if GONE.search(llmcost.get_price(m).note or "")]
    assert {"gemini-exp-1206", "groq/llama-3.1-70b"} <= set(flagged)  # the pattern still bites
