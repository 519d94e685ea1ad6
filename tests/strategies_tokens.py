"""Hypothesis strategies for the token-counting tests: text that trips BPE, and ways to chunk it."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import strategies as st

# Pieces chosen around the pre-tokenizers' edges: contractions, whitespace runs before words
# and digits, newlines next to "/", marks, scripts without spaces, special-token strings.
TRAPS = [
    "'s", "'LL", "n't", " ", "  ", "\t", "\n", "\r\n", "\n\n", " \n", "/", "\n/", "//",
    "123", "4567", "3.14", "a1b2", "ABC", "camelCase", "é", "e\u0301", "ß", "İ",
    "中文", "。", "、", "ひらがな", "カタカナ", "한국어", "Привет", "Ελλάδα", "مرحبا", "नमस्ते",
    "😀", "👩\u200d💻", "\u200b", "\ufeff", "<|endoftext|>", "<|im_start|>", "<|fim_prefix|>",
    "http://example.com/a?b=c", "{\"k\": [1, 2]}", "    def f(x):", "!!!", "...", "--",
]  # fmt: skip

# CJK and fullwidth punctuation after letters (the cuts of rule 4), tabs, long runs.
TRAPS += ["東京、", "大阪。", "「引用」", "ｆｕｌｌ！", "a，b", "\t\t", "─" * 40, "=" * 70]

#: Text in many scripts, with the trap pieces mixed in (no surrogates: they are not text).
texts = st.lists(
    st.one_of(st.sampled_from(TRAPS), st.text(max_size=12)),
    max_size=24,
).map("".join)

#: Any str, surrogate code points (lone or paired) included.
any_str = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(["\ud800", "\udfff", "\ud83d", "\ude00", "\udc80"]),
        st.characters(categories=["Cs"]),
    ),
    max_size=200,
)


@st.composite
def chunkings(draw: st.DrawFn, text: str) -> list[str]:
    """*text* cut at arbitrary places (empty chunks included)."""
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in pairwise(bounds)]


_PARAGRAPHS = [
    "The quick brown fox jumps over the lazy dog. " * 3,
    "def count(text: str) -> int:\n    return len(text.split())\n",
    "東京は日本の首都であり、世界でも有数の大都市です。春には桜が咲きます。",
    "Москва является столицей России и крупнейшим городом страны. ",
    "| name | value |\n|------|-------|\n| a    | 1.250 |\n",
    "2.430000000000000000e+02 1.000000000000000000e+00\n",
    "MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n",
    "├── src\n│   └── llmcost\n└── tests\n",
    "😀 grinning face 🎉 party popper 👩\u200d💻 technologist\n",
]

#: Longer texts (2-60 K characters) of realistic paragraphs, for the sampled estimate.
long_texts = st.lists(st.sampled_from(_PARAGRAPHS), min_size=20, max_size=600).map("".join)
