"""Hypothesis strategies for cost logs: priced records, and lines with one field gone wrong."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

import llmcost

_START = datetime(2026, 11, 20, tzinfo=timezone.utc)
_TAGS = st.one_of(
    st.none(),
    st.sampled_from(["search", "chat", "Ünï", "価格", "a\x1b[2Jb", "x\ny", "\u2028", ""]),
    st.integers(-3, 3),
    st.booleans(),
)


@st.composite
def records(draw: st.DrawFn) -> llmcost.CostRecord:
    """A priced record of one of three models, with cache writes, tools, tags and a time."""
    model = draw(st.sampled_from(["gpt-4o", "claude-opus-4-8", "gpt-5.5"]))
    i = draw(st.integers(0, 400_000))
    read = draw(st.integers(0, i))
    counts: dict[str, Any] = {"input_tokens": i, "cache_read_tokens": read}
    if model == "claude-opus-4-8":
        w5 = draw(st.integers(0, i - read))
        counts |= {
            "cache_write_5m_tokens": w5,
            "cache_write_1h_tokens": draw(st.integers(0, i - read - w5)),
        }
    elif model == "gpt-5.5":
        counts["cache_write_30m_tokens"] = draw(st.integers(0, i - read))
    o = draw(st.integers(0, 20_000))
    counts |= {"output_tokens": o, "reasoning_tokens": draw(st.integers(0, o))}
    if model != "gpt-4o" and draw(st.booleans()):
        counts["tool_calls"] = {"web_search": draw(st.integers(1, 5))}
    counts["requests"] = draw(st.sampled_from([1, 1, 1, 2]))
    tags = draw(st.dictionaries(st.sampled_from(["feature", "user", "model"]), _TAGS, max_size=3))
    when = _START + timedelta(seconds=draw(st.integers(0, 10 * 86_400)))
    tier = draw(st.sampled_from([None, None, "batch"])) if model == "claude-opus-4-8" else None
    c = llmcost.cost(model, llmcost.Usage(**counts), service_tier=tier, at=when)
    return llmcost.CostRecord(
        time=when, request_model=model, model=c.model, provider=c.provider, usage=c.usage,
        cost=c, tags=tags,
    )  # fmt: skip


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["0", "1", "1E-100", "NaN", "-5", "0.5", " 1"]),
    lambda inner: st.lists(inner, max_size=2)
    | st.dictionaries(st.text(max_size=4), inner, max_size=2),
    max_leaves=4,
)  # fmt: skip


@st.composite
def mangled_lines(draw: st.DrawFn) -> str:
    """A record's JSON line with one field changed to any JSON value, removed, or added."""
    d = json.loads(draw(records()).to_json())
    key = draw(st.sampled_from([*d, "llmcost.usage.cache_write_5m_tokens", "extra"]))
    if draw(st.booleans()):
        d.pop(key, None)
    else:
        d[key] = draw(_JSON)
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"))
