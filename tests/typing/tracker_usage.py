"""`Tracker`, its records and the cost log used as a user would write them; checked by mypy."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from decimal import Decimal

import llmcost


def log_and_read(path: str, response: dict[str, object]) -> Decimal:
    handler = llmcost.CostLogHandler(path, fsync=False)
    log = logging.getLogger("llm.cost")
    log.addHandler(handler)
    tracker = llmcost.Tracker(logger=log, unpriced="record", max_records=None, cost_log=path)
    usage = llmcost.Usage(input_tokens=1_000, output_tokens=10)
    priced: llmcost.Cost | None = tracker.record(response, model="gpt-4o", feature="search")
    tracker.record("gpt-5", usage, service_tier="flex", at=datetime.now(timezone.utc), user=7)
    tracker.record_unpriced("my-model", None, "unknown model", feature="search")
    with llmcost.tags(team="a"):
        tracker.record("gpt-4o", usage=usage)
    records: tuple[llmcost.CostRecord, ...] = tracker.records()
    line: str = records[0].to_json()
    back: llmcost.CostRecord = llmcost.CostRecord.from_json(line)
    text: str = back.message()
    reason: str | None = back.unpriced_reason
    n: int = llmcost.write_cost_log(records, path)
    read = [r.cost.total for r in llmcost.read_cost_log(path) if r.cost is not None]
    by_feature: dict[object, llmcost.Cost] = tracker.by_tag("feature")
    handler.write(back)
    handler.close()
    extra = Decimal(n + len(text) + len(reason or "")) * 0
    return (
        sum(read, Decimal(0))
        + tracker.total
        + extra
        + (priced.total if priced else 0)
        + sum(c.total for c in by_feature.values())
    )
