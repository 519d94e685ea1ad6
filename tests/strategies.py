"""Hypothesis strategies shared by the test suite (token-counting ones: strategies_tokens.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import strategies as st

import llmcost
from llmcost._when import start_of

#: Token counts up to ten million: far past every long-context threshold.
counts = st.integers(min_value=0, max_value=10_000_000)


@st.composite
def usages(
    draw: st.DrawFn, max_input: int = 10_000_000, cache: bool = True, any_ttl: bool = False
) -> llmcost.Usage:
    """Any valid Usage: cache tokens within the input, reasoning within the output.

    Cache writes are Anthropic's 5-minute and 1-hour ones, or with *any_ttl* also OpenAI's
    30-minute and 12-hour ones.
    """
    input_tokens = draw(st.integers(0, max_input))
    output_tokens = draw(st.integers(0, 1_000_000))
    read = write = write_long = 0
    ttls = ("cache_write_5m_tokens", "cache_write_1h_tokens")
    if cache:
        read = draw(st.integers(0, input_tokens))
        write = draw(st.integers(0, input_tokens - read))
        write_long = draw(st.integers(0, input_tokens - read - write))
        ttls = ttls if not any_ttl else draw(
            st.sampled_from(
                [
                    ("cache_write_5m_tokens", "cache_write_1h_tokens"),
                    ("cache_write_30m_tokens", "cache_write_12h_tokens"),
                ]
            )
        )
    return llmcost.Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read_tokens=read,
        reasoning_tokens=draw(st.integers(0, output_tokens)),
        **{ttls[0]: write, ttls[1]: write_long},
    )


_EARLIEST = datetime(2024, 1, 1, tzinfo=timezone.utc)
_LATEST = datetime(2027, 6, 30, tzinfo=timezone.utc)


@st.composite
def instants(draw: st.DrawFn, model: str) -> datetime:
    """An aware UTC instant while *model* was priced: anywhere, or just around a price change."""
    history = llmcost.Registry.default().history(model)
    end = history[-1].retired_at or _LATEST
    edges = [start_of(p.valid_from) for p in history if p.valid_from is not None]
    if edges and draw(st.booleans()):
        edge = draw(st.sampled_from(edges))
        when = edge + timedelta(minutes=draw(st.integers(-90, 90)))
    else:
        first = min([*edges, _LATEST]) if edges else _EARLIEST
        span = int((end - first).total_seconds())
        when = first + timedelta(seconds=draw(st.integers(0, max(span - 1, 0))))
    return min(max(when, _EARLIEST), end - timedelta(seconds=1))


@st.composite
def contexts_of(draw: st.DrawFn, model: str, when: datetime) -> tuple[str | None, str | None]:
    """``(service_tier, speed)``: the standard rates or one of the model's variants at *when*."""
    p = llmcost.get_price(model, at=when)
    options: list[tuple[str | None, str | None]] = [(None, None)]
    options += [(v.service_tier, v.speed) for v in p.variants]
    return draw(st.sampled_from(options))


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
