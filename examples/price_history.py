"""What one workload cost at different times: prices change by date, and some by the hour.

    python examples/price_history.py
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import llmcost

WORKLOAD = {"input_tokens": 40_000_000, "output_tokens": 8_000_000}  # a month of requests
UTC = timezone.utc


def main() -> None:
    """Price the same workload on o3 around its price cut, and on DeepSeek V4 by the hour."""
    for model, when in [
        ("o3", date(2025, 6, 1)),
        ("o3", date(2025, 7, 1)),
        # DeepSeek bills V4 at twice the off-peak rate 09:00-12:00 and 14:00-18:00 Beijing time
        # on working days: 02:00 UTC is 10:00 in Beijing, 12:00 UTC is 20:00.
        ("deepseek-v4-flash", datetime(2026, 11, 25, 2, 0, tzinfo=UTC)),
        ("deepseek-v4-flash", datetime(2026, 11, 25, 12, 0, tzinfo=UTC)),
        ("deepseek-v4-flash", datetime(2026, 11, 28, 2, 0, tzinfo=UTC)),  # a Saturday
    ]:
        c = llmcost.cost(model, **WORKLOAD, at=when)
        print(f"{model:<18} {when.isoformat():<25}  ->  ${c.total:,.2f}")
    print("\nevery price period of o3:")
    for p in llmcost.Registry.default().history("o3"):
        print(
            f"  from {p.valid_from or 'the start'} until {p.valid_to or 'now'}: "
            f"{p.input_per_mtok} / {p.output_per_mtok}"
        )


if __name__ == "__main__":
    main()
