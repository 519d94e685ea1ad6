"""The names a price entry's ``tokenizer`` field may take (owned by the token-counting code).

Kept in a module of its own so that the registry can validate price files without importing
the token counters.
"""

from __future__ import annotations

#: The exact BPE vocabularies shipped with llmcost: OpenAI's two tiktoken encodings and
#: Mistral's Tekken (Mistral NeMo, Ministral 8B 2410, Mistral Small 2409, Pixtral 12B).
EXACT_TOKENIZERS = frozenset({"o200k_base", "cl100k_base", "tekken"})
#: Estimate profiles of families without a shipped tokenizer (see `llmcost._estimate`):
#: "llama" is Llama 3.x, "llama4" Llama 4, "mistral" Mistral's SentencePiece models (Large
#: 2407 / 2411, Pixtral Large), "mistral-tekken" the newer Tekken models whose tokenizer is
#: only on a model hub.
ESTIMATE_PROFILES = frozenset(
    {
        "claude",
        "gemini",
        "llama",
        "llama4",
        "deepseek",
        "qwen",
        "mistral",
        "mistral-tekken",
        "grok",
    }
)
TOKENIZERS = EXACT_TOKENIZERS | ESTIMATE_PROFILES
