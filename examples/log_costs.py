"""Log the cost of every request as JSON lines with a Tracker, then report from the log.

    python examples/log_costs.py
"""

from __future__ import annotations

import logging
import tempfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import llmcost

# Responses as the providers returned them (recorded, so this example stays offline).
RESPONSES = [
    ("search", {"model": "gpt-4o-mini", "usage": {
        "prompt_tokens": 1_800, "completion_tokens": 120}}),
    ("search", {"model": "gpt-4o-mini", "usage": {
        "prompt_tokens": 2_400, "completion_tokens": 90,
        "prompt_tokens_details": {"cached_tokens": 1_792}}}),
    ("summary", {"type": "message", "model": "claude-sonnet-4-6", "usage": {
        "input_tokens": 350, "cache_read_input_tokens": 12_000, "output_tokens": 640}}),
    ("summary", {"modelVersion": "gemini-3.5-flash", "usageMetadata": {
        "promptTokenCount": 9_000, "candidatesTokenCount": 400, "thoughtsTokenCount": 1_100}}),
]  # fmt: skip


def main() -> None:
    """Record each response through a logger that writes JSON lines, then total the file."""
    path = Path(tempfile.mkdtemp()) / "costs.jsonl"
    log = logging.getLogger("example.llm.cost")
    log.setLevel(logging.INFO)
    log.addHandler(llmcost.CostLogHandler(path))
    log.propagate = False

    tracker = llmcost.Tracker(logger=log)
    for feature, response in RESPONSES:
        c = tracker.record(response, feature=feature)
        assert c is not None
        print(f"logged {c}")

    by_feature: dict[str, Decimal] = defaultdict(Decimal)
    for rec in llmcost.read_cost_log(path):
        assert rec.cost is not None
        by_feature[str(rec.tags["feature"])] += rec.cost.total
    print(f"\n{path.name}: {len(path.read_text().splitlines())} lines")
    for feature, total in sorted(by_feature.items()):
        print(f"  {feature:<8} {total} USD")
    print(f"  {'all':<8} {tracker.total} USD (tracker) = {sum(by_feature.values())} USD (log)")
    print(f"\nthe same report from the command line: llmcost report {path} --by feature")


if __name__ == "__main__":
    main()
