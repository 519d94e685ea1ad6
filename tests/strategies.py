"""Hypothesis strategies shared by the test suite (token-counting ones: strategies_tokens.py)."""

from __future__ import annotations

from hypothesis import strategies as st

import llmcost

#: Token counts up to ten million: far past every long-context threshold.
counts = st.integers(min_value=0, max_value=10_000_000)


@st.composite
def usages(draw: st.DrawFn, max_input: int = 10_000_000, cache: bool = True) -> llmcost.Usage:
    """Any valid Usage: cache tokens within the input, reasoning within the output."""
    input_tokens = draw(st.integers(0, max_input))
    output_tokens = draw(st.integers(0, 1_000_000))
    read = write = write_1h = 0
    if cache:
        read = draw(st.integers(0, input_tokens))
        write = draw(st.integers(0, input_tokens - read))
        write_1h = draw(st.integers(0, input_tokens - read - write))
    return llmcost.Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read_tokens=read,
        cache_write_5m_tokens=write,
        cache_write_1h_tokens=write_1h,
        reasoning_tokens=draw(st.integers(0, output_tokens)),
    )


def default_models() -> st.SearchStrategy[str]:
    """Any canonical id of the shipped registry."""
    return st.sampled_from(llmcost.list_models())


def model_names() -> st.SearchStrategy[str]:
    """Strings a user might pass as a model name: real names, mangled names, junk."""
    real = default_models()
    mangled = st.builds(
        lambda m, prefix, suffix, upper: (
            (prefix + m + suffix).upper() if upper else prefix + m + suffix
        ),
        real,
        st.sampled_from(["", "openai/", "anthropic/", "groq/", "together/", "bedrock/", "x/"]),
        st.sampled_from(["", "-latest", "-2024-08-06", "-20250929", "-mini", "-foo", "/"]),
        st.booleans(),
    )
    return st.one_of(real, mangled, st.text(max_size=40))
