"""Running sums of costs for a `Tracker`: one bucket per model, and per model under each tag value.

A record only appends its `Cost` to the pending list of its buckets; the tracker folds the
pending costs into the sums every `FOLD_AT` records and before any read. Folding sums whole
columns with C loops (``sum`` under llmcost's own decimal context), 3x cheaper per record
than adding each cost as it comes (benchmarks/tracker_record.py), and memory stays bounded:
at most `FOLD_AT` costs wait. (A plain class: attrs would cost import time.)
"""

from __future__ import annotations

from decimal import localcontext
from operator import attrgetter
from typing import Any

from ._money import CTX, ZERO
from ._usage import AMOUNT_FIELDS, COUNT_FIELDS, MIXED, Cost, Usage, get_counts

#: How many records may wait before the tracker folds them into the sums.
FOLD_AT = 1024

_AMOUNT_KEYS = (*AMOUNT_FIELDS, "total")
_get_amounts = attrgetter(*_AMOUNT_KEYS)
_get_usage = attrgetter("usage")


class Totals:
    """The sums of one bucket's costs: counts, amounts, tool calls and the rates' context."""

    __slots__ = (
        "amounts",
        "counts",
        "exact",
        "geo",
        "model",
        "pending",
        "provider",
        "speed",
        "tier",
        "tools",
    )

    def __init__(self, c: Cost) -> None:
        self.model = c.model
        self.provider = c.provider
        self.tier, self.speed, self.geo = c.service_tier, c.speed, c.inference_geo
        self.exact = True
        self.counts = [0] * len(COUNT_FIELDS)
        self.amounts = [ZERO] * len(_AMOUNT_KEYS)
        self.tools: dict[str, int] = {}
        self.pending: list[Cost] = []

    def fold(self) -> None:
        """Add the pending costs to the sums."""
        pending = self.pending
        if not pending:
            return
        self.pending = []
        usages = list(map(_get_usage, pending))
        self.counts = [
            n + sum(col)
            for n, col in zip(self.counts, zip(*map(get_counts, usages), strict=True), strict=True)
        ]
        with localcontext(CTX):  # exact: CTX traps Inexact, so nothing can round
            self.amounts = [
                sum(col, a)
                for a, col in zip(
                    self.amounts, zip(*map(_get_amounts, pending), strict=True), strict=True
                )
            ]
        for u in usages:
            if u.tool_calls:
                for name, k in u.tool_calls.items():
                    self.tools[name] = self.tools.get(name, 0) + k
        if {c.service_tier for c in pending} != {self.tier}:
            self.tier = MIXED
        if {c.speed for c in pending} != {self.speed}:
            self.speed = MIXED
        if {c.inference_geo for c in pending} != {self.geo}:
            self.geo = MIXED
        self.exact = self.exact and all(c.input_exact for c in pending)

    def cost(self) -> Cost:
        """The sums as one `Cost` (fold first)."""
        amounts: dict[str, Any] = dict(zip(_AMOUNT_KEYS, self.amounts, strict=True))
        counts: dict[str, Any] = dict(zip(COUNT_FIELDS, self.counts, strict=True))
        return Cost(
            model=self.model,
            provider=self.provider,
            usage=Usage(**counts, tool_calls=self.tools),
            **amounts,
            service_tier=self.tier,
            speed=self.speed,
            inference_geo=self.geo,
            input_exact=self.exact,
        )


def summed(totals: dict[str, Totals]) -> Cost:
    """One Cost for several models' sums (``model == "mixed"`` when there are several)."""
    costs = [t.cost() for _, t in sorted(totals.items())]
    return sum(costs[1:], costs[0])
