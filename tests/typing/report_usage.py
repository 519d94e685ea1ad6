"""`cost_report` used as a user would write it; checked by `mypy --strict` in CI."""

from __future__ import annotations

import io
from decimal import Decimal

import llmcost


def totals_by_feature(path: str, tracker: llmcost.Tracker) -> dict[object, Decimal]:
    report: llmcost.CostReport = llmcost.cost_report(path, by="feature", workers=1)
    by_day = llmcost.cost_report(tracker.records(), io.BytesIO(b""), by="day")
    groups: tuple[llmcost.ReportGroup, ...] = report.groups
    skipped: list[llmcost.SkippedLine] = list(report.skipped_lines)
    lines: list[int] = [s.line for s in skipped]
    first = by_day.get("2026-11-28")
    usage: llmcost.Usage | None = first.usage() if first else None
    out = {g.key: g.total for g in groups}
    out["all"] = (
        report.totals.total + Decimal(len(lines)) * 0 + (usage.input_tokens if usage else 0)
    )
    return out
