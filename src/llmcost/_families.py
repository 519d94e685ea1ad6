"""The names a price entry's ``tokenizer`` field may take (owned by the token-counting code).

Kept in a module of its own so that the registry can validate price files without importing
the token counters.
"""

from __future__ import annotations

#: The exact tiktoken encodings shipped with llmcost.
EXACT_TOKENIZERS = frozenset({"o200k_base", "cl100k_base"})
#: Estimate profiles of families without a shipped tokenizer.
ESTIMATE_PROFILES = frozenset({"claude", "gemini", "llama", "deepseek", "mistral", "grok"})
TOKENIZERS = EXACT_TOKENIZERS | ESTIMATE_PROFILES
