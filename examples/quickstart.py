"""Price a prompt before the call, then price the response that came back. No network.

    python examples/quickstart.py
"""

from __future__ import annotations

import llmcost

MODEL = "gpt-4o"
PROMPT = (
    "You are a careful analyst. Summarise the attached quarterly report for the board in "
    "five bullet points: revenue, margins, cash, risks, and what we ask of the board."
)


def main() -> None:
    """Count, estimate, then cost a (recorded) response."""
    tokens = llmcost.count_tokens(PROMPT, MODEL)
    exact = llmcost.tokenizer_for(MODEL)
    print(f"prompt: {tokens} tokens on {MODEL} ({'exact' if exact.exact else 'estimate'}, "
          f"{exact.name})")

    before = llmcost.estimate(MODEL, PROMPT, max_output_tokens=400)
    print(f"before the call, at most: {before}")

    # What the OpenAI API returned for this call (recorded, so this example stays offline).
    response = {
        "model": "gpt-4o-2024-08-06",
        "usage": {
            "prompt_tokens": tokens,
            "completion_tokens": 212,
            "prompt_tokens_details": {"cached_tokens": 0},
        },
    }
    after = llmcost.cost_of_response(response)
    print(f"after the call: {after}")
    print(f"total: {after.total} USD (exact Decimal)")


if __name__ == "__main__":
    main()
