"""Pure cost functions: Usage, Cost, cost(), compare(), estimate()."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import llmcost
from llmcost import Cost, InvalidUsageError, MissingRateError, Registry, Usage, cost

from .strategies import default_models, usages

D = Decimal


def test_usage_validation() -> None:
    """Negative, non-int and bool counts, and caches larger than the input, are refused."""
    for bad in ({"input_tokens": -1}, {"input_tokens": 1.0}, {"output_tokens": True}):
        with pytest.raises(InvalidUsageError):
            Usage(**bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidUsageError, match="exceed input_tokens"):
        Usage(input_tokens=10, cache_read_tokens=6, cache_write_5m_tokens=5)
    with pytest.raises(InvalidUsageError, match="reasoning"):
        Usage(output_tokens=10, reasoning_tokens=11)
    assert isinstance(InvalidUsageError("x"), ValueError)


def test_usage_adds() -> None:
    """Usages add field by field, and sum() works."""
    a = Usage(input_tokens=10, output_tokens=5, cache_read_tokens=4, reasoning_tokens=1)
    b = Usage(input_tokens=1, output_tokens=2, cache_write_1h_tokens=1)
    assert a + b == Usage(
        input_tokens=11,
        output_tokens=7,
        cache_read_tokens=4,
        cache_write_1h_tokens=1,
        reasoning_tokens=1,
        requests=2,
    )
    assert sum([a, b]) == a + b


def test_gpt_4o_worked_example() -> None:
    """1,200 in / 300 out on gpt-4o (2.5 / 10 per 1M) is $0.003 + $0.003."""
    c = cost("gpt-4o", input_tokens=1_200, output_tokens=300)
    assert (c.input, c.output, c.total) == (D("0.003"), D("0.003"), D("0.006"))
    assert c.model == "gpt-4o"
    assert c.provider == "openai"


def test_anthropic_cache_worked_example() -> None:
    """claude-sonnet-4-6: 3 in, 15 out, 0.30 cache read, 3.75 5m write, 6 1h write."""
    p = llmcost.get_price("claude-sonnet-4-6")
    rates = (p.input_per_mtok, p.output_per_mtok, p.cache_read_per_mtok)
    assert rates == (D(3), D(15), D("0.3"))
    assert (p.cache_write_per_mtok, p.cache_write_1h_per_mtok) == (D("3.75"), D(6))
    u = Usage(
        input_tokens=100_000,
        output_tokens=2_000,
        cache_read_tokens=50_000,
        cache_write_5m_tokens=20_000,
        cache_write_1h_tokens=10_000,
    )
    c = cost("claude-sonnet-4-6", u)
    # 20,000 uncached x $3/M = 0.06; 50,000 x 0.30/M = 0.015; 20,000 x 3.75/M + 10,000 x 6/M
    # = 0.075 + 0.06; 2,000 x 15/M = 0.03.
    assert c.input == D("0.06")
    assert c.cache_read == D("0.015")
    assert c.cache_write == D("0.135")
    assert c.output == D("0.03")
    assert c.total == D("0.24")


def test_reasoning_is_not_counted_twice() -> None:
    """Reasoning tokens are part of the output: the cost does not change with their share."""
    a = cost("o3", input_tokens=1_000, output_tokens=5_000)
    b = cost("o3", input_tokens=1_000, output_tokens=5_000, reasoning_tokens=4_000)
    assert a.total == b.total


# Anthropic priced Sonnet 4.5 above 200k input tokens during its 1M-context beta (retired
# 2026-04-30): the shipped data keeps that tier in the earlier period.
BETA = date(2026, 1, 15)


def test_long_context_tier_applies_to_whole_request() -> None:
    """Just over 200k input, the tier's rates price the whole request; at 200k they do not."""
    p = llmcost.get_price("claude-sonnet-4-5", at=BETA)
    tier = p.tier_for(200_001)
    assert tier is not None
    assert tier.above_input_tokens == 200_000
    assert (tier.input_per_mtok, tier.output_per_mtok) == (D(6), D("22.5"))
    under = cost("claude-sonnet-4-5", input_tokens=200_000, output_tokens=1_000, at=BETA)
    over = cost("claude-sonnet-4-5", input_tokens=200_001, output_tokens=1_000, at=BETA)
    assert under.total == D("0.6") + D("0.015")
    assert over.input == D("200001") * D(6) / D(1_000_000)
    assert over.output == D("0.0225")


def test_batch_worked_example() -> None:
    """Batch uses the batch rates; cached reads in a batch get the batch discount too."""
    c = cost("gpt-4o", input_tokens=2_000_000, output_tokens=1_000_000, batch=True)
    assert c.total == D("1.25") * 2 + D(5)
    assert c.batch
    cached = cost(
        "claude-sonnet-4-6", input_tokens=1_000_000, output_tokens=0,
        cache_read_tokens=1_000_000, batch=True,
    )  # fmt: skip
    assert cached.cache_read == D("0.15")
    # OpenAI's Batch table lists no cached-input rate for gpt-4o: refused, never guessed.
    with pytest.raises(MissingRateError, match="cache-read"):
        cost("gpt-4o", input_tokens=2_000, cache_read_tokens=1_024, batch=True)


def test_dated_cost() -> None:
    """at= prices the usage as of a date."""
    old = cost("o3", input_tokens=1_000_000, output_tokens=1_000_000, at=date(2025, 6, 1))
    new = cost("o3", input_tokens=1_000_000, output_tokens=1_000_000, at=date(2025, 7, 1))
    assert (old.total, new.total) == (D(50), D(10))


def test_missing_rates_raise(fixture_registry: Registry) -> None:
    """A model without a cache or batch rate raises MissingRateError, never a silent $0."""
    with pytest.raises(MissingRateError, match="batch"):
        cost("alpha-1-mini", input_tokens=1, batch=True, registry=fixture_registry)
    with pytest.raises(MissingRateError, match="cache-read"):
        cost("alpha-1-mini", input_tokens=5, cache_read_tokens=5, registry=fixture_registry)
    with pytest.raises(MissingRateError, match="cache-write"):
        cost("alpha-1", input_tokens=5, cache_write_5m_tokens=5, registry=fixture_registry)
    assert isinstance(MissingRateError("x"), LookupError)


def test_usage_and_keywords_are_exclusive() -> None:
    """Passing a Usage and token keywords together is a TypeError."""
    with pytest.raises(TypeError):
        cost("gpt-4o", Usage(input_tokens=1), input_tokens=1)


def test_unknown_model_is_not_free() -> None:
    """An unknown model raises instead of costing $0."""
    with pytest.raises(llmcost.UnknownModelError):
        cost("my-imaginary-model", input_tokens=1)


def test_costs_add_and_remember_mixed() -> None:
    """Costs add exactly; a sum over models is 'mixed' and keeps the per-model costs."""
    a = cost("gpt-4o", input_tokens=1_000, output_tokens=10)
    b = cost("gpt-4o-mini", input_tokens=1_000, output_tokens=10)
    same = a + a
    assert same.model == "gpt-4o"
    assert same.total == a.total * 2
    mixed = sum([a, b, a])
    assert isinstance(mixed, Cost)
    assert mixed.model == "mixed"
    assert mixed.total == a.total * 2 + b.total
    assert mixed.by_model()["gpt-4o"].total == a.total * 2
    assert mixed.by_model()["gpt-4o-mini"] == b
    assert mixed.usage.input_tokens == 3_000


def test_str_rounds_for_display_only() -> None:
    """str() shows rounded dollars; the fields stay exact."""
    c = cost("gpt-4o-mini", input_tokens=1, output_tokens=0)
    assert c.total == D("0.00000015")
    assert "$0.000000" in str(c)


def test_compare_cheapest_first() -> None:
    """compare() sorts by total, then model id, and filters by provider."""
    costs = llmcost.compare(input_tokens=1_000_000, output_tokens=200_000)
    totals = [(c.total, c.model) for c in costs]
    assert totals == sorted(totals)
    assert len(costs) >= 100
    anthropic = llmcost.compare(input_tokens=1_000, output_tokens=1_000, provider="anthropic")
    assert {c.provider for c in anthropic} == {"anthropic"}
    picked = llmcost.compare(input_tokens=10, output_tokens=10, models=["gpt-4o", "o3"])
    assert sorted(c.model for c in picked) == ["gpt-4o", "o3"]


def test_compare_batch_leaves_out_models_without_batch() -> None:
    """With batch=True and no explicit models, models lacking batch rates are left out."""
    costs = llmcost.compare(input_tokens=1_000, output_tokens=1_000, batch=True)
    assert costs
    for c in costs:
        assert llmcost.get_price(c.model).variant("batch") is not None


# --- properties over every model and any usage ---


def _below_tiers(model: str, u: Usage) -> bool:
    p = llmcost.get_price(model)
    return p.tier_for(u.input_tokens) is None


@given(default_models(), usages())
def test_cost_is_nonnegative_and_parts_add_up(model: str, u: Usage) -> None:
    """Cost is non-negative, its total is exactly the sum of its parts, and no float appears."""
    try:
        c = cost(model, u)
    except MissingRateError:
        assume(False)
        raise
    for part in (c.input, c.output, c.cache_read, c.cache_write, c.total):
        assert isinstance(part, Decimal)
        assert part >= 0
    assert c.total == c.input + c.output + c.cache_read + c.cache_write


@given(default_models(), usages(max_input=100_000))
def test_cost_is_linear_below_tiers(model: str, u: Usage) -> None:
    """Doubling every count doubles the cost (below tier thresholds)."""
    assume(_below_tiers(model, u + u))
    try:
        single = cost(model, u)
    except MissingRateError:
        assume(False)
        raise
    assert cost(model, u + u).total == single.total * 2


@given(default_models(), usages(max_input=100_000), usages(max_input=100_000))
def test_cost_is_additive_below_tiers(model: str, a: Usage, b: Usage) -> None:
    """cost(a) + cost(b) == cost(a + b) below tier thresholds."""
    assume(_below_tiers(model, a + b))
    try:
        left = cost(model, a) + cost(model, b)
    except MissingRateError:
        assume(False)
        raise
    assert left.total == cost(model, a + b).total


@given(
    default_models(),
    usages(),
    st.sampled_from(
        ["input_tokens", "output_tokens", "cache_read_tokens", "cache_write_5m_tokens"]
    ),
    st.integers(1, 100_000),
)
def test_cost_is_monotone(model: str, u: Usage, field: str, extra: int) -> None:
    """Adding tokens of any kind never makes a request cheaper."""
    fields = u.counts()
    fields[field] += extra
    if field.startswith("cache"):
        fields["input_tokens"] += extra
    try:
        before, after = cost(model, u), cost(model, Usage(**fields))
    except MissingRateError:
        assume(False)
        raise
    assert after.total >= before.total


@given(default_models(), st.integers(0, 5_000_000), st.integers(0, 5_000_000))
def test_cache_reads_never_cost_more(model: str, input_tokens: int, share: int) -> None:
    """Reading tokens from cache never costs more than the same tokens uncached."""
    read = min(share, input_tokens)
    if llmcost.get_price(model).cache_read_per_mtok is None:
        return
    cached = cost(model, input_tokens=input_tokens, cache_read_tokens=read)
    plain = cost(model, input_tokens=input_tokens)
    assert cached.total <= plain.total


@given(default_models(), usages())
def test_batch_never_costs_more(model: str, u: Usage) -> None:
    """The batch price of a usage is never above its regular price."""
    try:
        batch, regular = cost(model, u, batch=True), cost(model, u)
    except MissingRateError:
        assume(False)
        raise
    assert batch.total <= regular.total


def test_estimate_from_text_and_messages() -> None:
    """estimate() counts the prompt exactly for OpenAI and assumes the whole max output."""
    text = "Summarise the following report in three bullet points."
    c = llmcost.estimate("gpt-4o", text, max_output_tokens=500)
    assert c.usage.input_tokens == llmcost.count_tokens(text, "gpt-4o")
    assert c.usage.output_tokens == 500
    assert c.input_exact
    msgs = [{"role": "user", "content": text}]
    m = llmcost.estimate("gpt-4o", msgs, max_output_tokens=500)
    assert m.usage.input_tokens == llmcost.count_message_tokens(msgs, "gpt-4o")
    assert m.usage.input_tokens > c.usage.input_tokens
    claude = llmcost.estimate("claude-sonnet-4-6", text, max_output_tokens=500)
    assert not claude.input_exact
    assert str(claude).startswith("claude-sonnet-4-6: ~$")


def test_schema_1_batch_rates_become_a_variant(tmp_path: Path) -> None:
    """A 0.1 price file's batch rates become a batch variant; an inexact ratio keeps exact rates."""
    doc = {"schema_version": 1, "models": [{
        "model": "odd", "provider": "acme", "tokenizer": "llama", "prices": [{
            "input_per_mtok": "3", "output_per_mtok": "3", "cache_read_per_mtok": "0.3",
            "cache_write_per_mtok": "3.75", "batch_input_per_mtok": "1",
            "batch_output_per_mtok": "1.5"}]}]}  # fmt: skip
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(doc))
    reg = Registry.from_file(path)
    p = reg.get("odd")
    assert p.cache_write_5m_per_mtok == D("3.75")
    v = p.variant("batch")
    assert v is not None and v.multiplier is None
    # 1/3 is no exact decimal: 0.1 derived no cache rates from it, and neither does 0.2
    assert (v.input_per_mtok, v.output_per_mtok, v.cache_read_per_mtok) == (D(1), D("1.5"), None)
    assert cost("odd", input_tokens=10, registry=reg).total == D("0.00003")
    assert cost("odd", input_tokens=10, batch=True, registry=reg).total == D("0.00001")
    with pytest.raises(MissingRateError, match="cache-read"):
        cost("odd", input_tokens=10, cache_read_tokens=5, batch=True, registry=reg)
