"""What one workload cost on two dates: prices change, and llmcost keeps their history.

    python examples/price_history.py
"""

from __future__ import annotations

from datetime import date

import llmcost

WORKLOAD = {"input_tokens": 40_000_000, "output_tokens": 8_000_000}  # a month of requests


def main() -> None:
    """Price the same month on o3 and deepseek-reasoner before and after their price cuts."""
    for model, days in [
        ("o3", [date(2025, 6, 1), date(2025, 7, 1)]),
        ("deepseek-reasoner", [date(2025, 9, 1), date(2025, 10, 1)]),
    ]:
        for day in days:
            p = llmcost.get_price(model, at=day)
            c = llmcost.cost(model, **WORKLOAD, at=day)
            print(
                f"{model:<18} {day}  {p.input_per_mtok:>5} in / {p.output_per_mtok:>5} out "
                f"per 1M  ->  ${c.total:,.2f}"
            )
    print("\nevery price period of o3:")
    for p in llmcost.Registry.default().history("o3"):
        print(f"  from {p.valid_from or 'the start'} until {p.valid_to or 'now'}: "
              f"{p.input_per_mtok} / {p.output_per_mtok}")


if __name__ == "__main__":
    main()
