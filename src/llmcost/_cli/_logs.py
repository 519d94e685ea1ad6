"""The cost-log command: ``report``, a thin caller of `llmcost.cost_report`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ._common import EXIT_OK, EXIT_SKIPPED, UsageError, custom_registry, want_json
from ._output import count, err, out, print_json, table, usd

if TYPE_CHECKING:
    from decimal import Decimal

    from llmcost._report import CostReport, ReportGroup

#: `report` prints at most this many skipped-line messages, then only counts them.
MAX_LINE_ERRORS = 50


def report(args: argparse.Namespace) -> int:
    """``llmcost report LOG...``: totals of cost logs by model, day, provider or tag."""
    from llmcost._report import cost_report

    by = args.by
    if by.startswith("tag:") and not by[4:]:
        msg = "--by tag:NAME needs a tag name"
        raise UsageError(msg)
    if args.logs.count("-") > 1:
        msg = "stdin ('-') can be read only once"
        raise UsageError(msg)
    sources = [sys.stdin.buffer if path == "-" else path for path in args.logs]
    rep = cost_report(
        *sources,
        by=by,
        registry=custom_registry(args),
        max_skipped_lines=MAX_LINE_ERRORS,
    )
    for s in rep.skipped_lines:
        err(f"{s.source}:{s.line}: skipped: {s.reason}")
    if rep.skipped > len(rep.skipped_lines):
        err(f"... {rep.skipped - len(rep.skipped_lines):,} more skipped lines not shown")
    if want_json(args):
        print_json(report_json(rep, args.logs))
    else:
        _print(rep)
    if rep.skipped:
        err(f"{rep.skipped:,} malformed line(s) skipped (exit status {EXIT_SKIPPED})")
        return EXIT_SKIPPED
    return EXIT_OK


def group_json(g: ReportGroup) -> dict[str, object]:
    """A group's sums under the library's names (amounts as exact decimal strings)."""
    d: dict[str, object] = {"key": g.key, "records": g.records, "requests": g.requests}
    for field in ("total", "input", "cache_read", "cache_write", "output", "tools", "request_fees"):
        d[field] = getattr(g, field)
    d |= {f: n for f, n in g.tokens.items() if f != "requests"}
    d["tool_calls"] = dict(g.tool_calls)
    return d


def report_json(rep: CostReport, files: list[str]) -> dict[str, object]:
    """The report as one JSON object: the totals, then the groups."""
    totals = group_json(rep.totals)
    del totals["key"]
    data: dict[str, object] = {"files": files, "by": rep.tag or rep.by, **totals}
    data |= {"unpriced": rep.unpriced, "skipped": rep.skipped}
    data["groups"] = [group_json(g) for g in rep.groups]
    return data


def _print(rep: CostReport) -> None:
    tot = rep.totals
    label = rep.tag or rep.by
    none = {"model": "(none)", "day": "(unknown)", "provider": "(none)"}.get(
        rep.by, f"(no {label})"
    )
    out(f"{tot.requests:,} priced requests, {usd(tot.total)} in total", "")

    def share(amount: Decimal) -> str:
        from decimal import Context

        return f"{Context(prec=30).divide(amount, tot.total):.1%}" if tot.total else "-"

    def cells(g: ReportGroup) -> list[str]:
        cached = g.cache_read_tokens + g.cache_write_tokens
        return [
            count(g.requests),
            count(g.input_tokens),
            count(cached),
            count(g.output_tokens),
            usd(g.total),
            share(g.total),
        ]

    rows = [[none if g.key is None else str(g.key), *cells(g)] for g in rep.groups]
    headers = [label, "requests", "input tok", "of which cache", "output tok", "cost", "share"]
    out(*table(headers, rows, right=range(1, 7), footer=[["total", *cells(tot)]]))
    if rep.unpriced:
        out("", f"{rep.unpriced:,} unpriced request(s) (unknown models) are not in the totals")
    if rep.skipped:
        out("", f"{rep.skipped:,} malformed line(s) skipped: see stderr")
