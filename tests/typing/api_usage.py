"""The public API used as a user would write it; checked by `mypy --strict` in CI."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import llmcost


def price_report() -> list[str]:
    p: llmcost.ModelPrice = llmcost.get_price("gpt-4o", at=date(2025, 1, 1))
    rate: Decimal = p.input_per_mtok
    cache: Decimal | None = p.cache_read_per_mtok
    models: list[str] = llmcost.list_models(provider="openai")
    return [f"{rate} {cache}", *models]


def costs() -> Decimal:
    u = llmcost.Usage(input_tokens=1_000, output_tokens=100, cache_read_tokens=500)
    c: llmcost.Cost = llmcost.cost("claude-sonnet-4-6", u) + llmcost.cost(
        "gpt-4o", input_tokens=10, output_tokens=5, batch=True
    )
    ranked: list[llmcost.Cost] = llmcost.compare(input_tokens=1_000, output_tokens=10)
    resp = {"model": "gpt-4o", "usage": {"prompt_tokens": 3, "completion_tokens": 4}}
    from_resp: llmcost.Cost = llmcost.cost_of_response(resp)
    total: Decimal = c.total + ranked[0].total + from_resp.total
    return total


def warehouse() -> str:
    import llmcost.sql

    rows = llmcost.sql.price_rows(llmcost.Registry.default())
    return llmcost.sql.cost_expression("spark") + str(len(rows))


def budgets() -> None:
    tracker = llmcost.Tracker(logger=logging.getLogger("llm.cost"), unpriced="record")
    maybe: llmcost.Cost | None = tracker.record("gpt-4o", llmcost.Usage(input_tokens=1))
    with llmcost.Budget(usd="2.00") as budget:
        if maybe is not None:
            budget.charge(maybe)
    spent: Decimal = llmcost.assert_within_budget(list(tracker.by_model().values()), usd="1")
    print(spent, budget.remaining)


def contexts() -> Decimal:
    from datetime import datetime, timezone

    u = llmcost.Usage(
        input_tokens=10_000, cache_write_30m_tokens=1_000, cache_write_12h_tokens=500,
        audio_input_tokens=100, tool_calls={"web_search": 2}, output_tokens=50,
    )  # fmt: skip
    flex: llmcost.Cost = llmcost.cost("gpt-5.5", u, service_tier="flex")
    fast = llmcost.cost("claude-opus-5", input_tokens=10, speed="fast", inference_geo="us")
    peak = llmcost.cost(
        "deepseek-v4-flash", input_tokens=10, at=datetime(2026, 11, 25, 2, tzinfo=timezone.utc)
    )
    p = llmcost.get_price("deepseek-chat")
    retired: date | None = p.retired
    variant: llmcost.PriceVariant | None = p.variant("batch")
    windows: tuple[llmcost.PriceWindow, ...] = p.windows
    print(retired, variant, windows, fast.speed, peak.service_tier)
    with llmcost.tags(feature="search"):
        acc = llmcost.StreamUsage(model="gpt-5.5")
        acc.add({"object": "chat.completion.chunk", "choices": []})
        seen: llmcost.Usage | None = acc.usage
        print(seen, acc.complete)
    return flex.total + flex.tools + flex.request_fees


def captured() -> Decimal:
    tracker = llmcost.Tracker()
    with llmcost.capture(tracker) as same:
        assert same is tracker  # client.chat.completions.create(...) here is recorded
    llmcost.instrument(tracker)
    llmcost.uninstrument()
    processor = llmcost.CostSpanProcessor()
    extra: dict[str, object] | None = processor.attributes(
        {"gen_ai.request.model": "gpt-5.5", "gen_ai.usage.input_tokens": 10}
    )
    print(extra)
    return tracker.total
