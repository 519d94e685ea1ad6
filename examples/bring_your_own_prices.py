"""Prices llmcost does not ship, or a price you negotiated: in code, or from a file.

    python examples/bring_your_own_prices.py
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import llmcost

USAGE = llmcost.Usage(input_tokens=100_000, output_tokens=20_000)


def main() -> None:
    """with_prices() in code, then LLMCOST_PRICES for operations."""
    # 1. In code: your fine-tuned model, and a discount on gpt-4o.
    mine = llmcost.ModelPrice(
        model="acme-support-ft", provider="acme", tokenizer="o200k_base",
        input_per_mtok="0.30", output_per_mtok="1.20",
    )  # fmt: skip
    discounted = llmcost.ModelPrice(
        model="gpt-4o", provider="openai", tokenizer="o200k_base",
        input_per_mtok="2.00", output_per_mtok="8.00",
    )  # fmt: skip
    reg = llmcost.Registry.default().with_prices(mine, discounted)
    print(f"with_prices:   {llmcost.cost('acme-support-ft', USAGE, registry=reg)}")
    print(f"with_prices:   {llmcost.cost('gpt-4o', USAGE, registry=reg)}")
    print(f"shipped price: {llmcost.cost('gpt-4o', USAGE)}")

    # 2. From a file, for every Registry.default() in the process (set it before start-up in
    #    production; here we set it at run time).
    path = Path(tempfile.mkdtemp()) / "prices.json"
    path.write_text(json.dumps({"models": [{
        "model": "acme-support-ft", "provider": "acme", "tokenizer": "o200k_base",
        "source_url": "https://example.com/our-contract", "checked": "2026-11-01",
        "prices": [{"from": None, "input_per_mtok": "0.25", "output_per_mtok": "1.00"}],
    }]}))  # fmt: skip
    os.environ["LLMCOST_PRICES"] = str(path)
    print(f"LLMCOST_PRICES: {llmcost.cost('acme-support-ft', USAGE)}")
    del os.environ["LLMCOST_PRICES"]
    try:
        llmcost.cost("acme-support-ft", USAGE)
    except llmcost.UnknownModelError as e:
        print(f"without it:    UnknownModelError: {str(e).split(';')[0]}")


if __name__ == "__main__":
    main()
