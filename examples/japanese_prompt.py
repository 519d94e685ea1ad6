"""Why characters / 4 is wrong for Japanese: the exact count beside two estimates.

    python examples/japanese_prompt.py
"""

from __future__ import annotations

import llmcost

PROMPT = (
    "あなたは丁寧なカスタマーサポート担当者です。以下のお問い合わせに、三つの箇条書きで"
    "簡潔に回答してください。注文番号は A-10293 です。商品が届いてから七日以内であれば、"
    "返品と交換のどちらも可能です。送料は当社が負担いたします。"
)


def main() -> None:
    """Print the exact o200k_base count, len/4, and llmcost's script-aware estimate."""
    exact = llmcost.count_tokens(PROMPT, "gpt-4o")
    naive = len(PROMPT) // 4
    estimate = llmcost.estimate_tokens(PROMPT, "gpt-4o")
    print(f"{len(PROMPT)} characters of Japanese")
    print(f"exact (o200k_base):        {exact} tokens")
    print(f"characters / 4:            {naive} tokens  ({naive / exact - 1:+.0%})")
    print(f"llmcost.estimate_tokens(): {estimate} tokens  ({estimate / exact - 1:+.0%})")
    claude = llmcost.count_tokens(PROMPT, "claude-sonnet-4-5")
    print(f"claude-sonnet-4-5 (estimate, no local tokenizer): {claude} tokens")


if __name__ == "__main__":
    main()
