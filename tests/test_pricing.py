"""Every dimension the vendors bill: variants, TTL writes, media, tools, fees, time, retirement.

Each expected amount is worked out in the test from the rates `get_price` reports (or from a
registry written here), never copied from llmcost's output.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import llmcost
from llmcost import (
    InvalidInputError,
    MissingRateError,
    ModelPrice,
    PriceTier,
    PriceVariant,
    PriceWindow,
    Registry,
    RetiredModelError,
    Usage,
    cost,
)

from .strategies import contexts_of, instants, usages

D = Decimal
UTC = timezone.utc
M = D(1_000_000)
U = Usage(input_tokens=10_000, cache_read_tokens=4_000, output_tokens=2_000)


def _by_hand(rates: object, u: Usage = U) -> Decimal:
    """Uncached input, cache reads and output of *u* at *rates* (anything with *_per_mtok)."""
    return (
        (u.input_tokens - u.cache_read_tokens) * rates.input_per_mtok  # type: ignore[attr-defined]
        + u.cache_read_tokens * rates.cache_read_per_mtok  # type: ignore[attr-defined]
        + u.output_tokens * rates.output_per_mtok  # type: ignore[attr-defined]
    ) / M


# --- service tiers and speed -------------------------------------------------------------------


def test_openai_flex_and_priority() -> None:
    """gpt-5.5: flex is the vendor's 50% of standard; priority has its own table rates."""
    p = llmcost.get_price("gpt-5.5")
    standard = _by_hand(p)
    flex = p.variant("flex")
    priority = p.variant("priority")
    assert flex is not None and priority is not None
    assert cost("gpt-5.5", U).total == standard
    assert cost("gpt-5.5", U, service_tier="flex").total == standard * flex.multiplier  # type: ignore[operator]
    assert cost("gpt-5.5", U, service_tier="priority").total == _by_hand(priority)
    assert cost("gpt-5.5", U, service_tier="priority").service_tier == "priority"
    # the names that mean "standard"
    for name in ("default", "standard", "auto", "DEFAULT "):
        assert cost("gpt-5.5", U, service_tier=name).total == standard


def test_a_service_tier_the_model_lacks_raises() -> None:
    """gpt-4o has no flex rates: MissingRateError naming the tier, never the standard rate."""
    assert llmcost.get_price("gpt-4o").variant("flex") is None
    with pytest.raises(MissingRateError, match="service_tier='flex'"):
        cost("gpt-4o", U, service_tier="flex")
    with pytest.raises(MissingRateError, match="speed='fast'"):
        cost("gpt-4o", U, speed="fast")


def test_claude_fast_mode() -> None:
    """claude-opus-5 fast mode: its own rates (2x), cache rates by the caching multipliers."""
    p = llmcost.get_price("claude-opus-5")
    fast = p.variant(speed="fast")
    assert fast is not None and fast.input_per_mtok == 2 * p.input_per_mtok
    c = cost("claude-opus-5", U, speed="fast")
    assert c.total == _by_hand(fast)
    assert c.speed == "fast" and "fast" in str(c)
    # Opus 4.8 lost fast mode on 2026-11-30: before it the fast rates, after it an error
    before = datetime(2026, 11, 1, tzinfo=UTC)
    p48 = llmcost.get_price("claude-opus-4-8", at=before)
    fast48 = p48.variant(speed="fast")
    assert fast48 is not None
    assert cost("claude-opus-4-8", U, speed="fast", at=before).total == _by_hand(fast48)
    with pytest.raises(MissingRateError):
        cost("claude-opus-4-8", U, speed="fast", at=datetime(2026, 12, 1, tzinfo=UTC))


def test_batch_is_a_service_tier() -> None:
    """batch=True and service_tier='batch' are the same request; they cannot contradict."""
    p = llmcost.get_price("claude-opus-5")
    half = p.variant("batch")
    assert half is not None and half.multiplier == D("0.5")
    assert cost("claude-opus-5", U, batch=True) == cost("claude-opus-5", U, service_tier="batch")
    assert cost("claude-opus-5", U, batch=True).total == _by_hand(p) / 2
    with pytest.raises(MissingRateError, match="contradicts"):
        cost("claude-opus-5", U, batch=True, service_tier="priority")


def test_inference_geo_multiplier() -> None:
    """US-only inference on claude-opus-5 is 1.1x every token rate; 'global' is standard."""
    p = llmcost.get_price("claude-opus-5")
    assert p.inference_geo["us"] == D("1.1")
    assert cost("claude-opus-5", U, inference_geo="us").total == _by_hand(p) * D("1.1")
    assert cost("claude-opus-5", U, inference_geo="global").total == _by_hand(p)
    with pytest.raises(MissingRateError, match="inference_geo='mars'"):
        cost("claude-opus-5", U, inference_geo="mars")


# --- cache writes by TTL, media, tools ---------------------------------------------------------


def test_anthropic_5m_and_1h_writes() -> None:
    """Claude writes: 5 minutes at 1.25x input, 1 hour at 2x input, each at its own rate."""
    p = llmcost.get_price("claude-opus-5")
    u = Usage(input_tokens=20_000, cache_write_5m_tokens=8_000, cache_write_1h_tokens=4_000,
              output_tokens=100)  # fmt: skip
    c = cost("claude-opus-5", u)
    assert (
        c.cache_write == (8_000 * p.cache_write_5m_per_mtok + 4_000 * p.cache_write_1h_per_mtok) / M
    )  # type: ignore[operator]
    assert c.input == 8_000 * p.input_per_mtok / M
    assert c.total == c.input + c.cache_write + 100 * p.output_per_mtok / M  # type: ignore[operator]


def test_openai_12_hour_cache_writes() -> None:
    """gpt-5.6-sol: 30-minute writes at 1.25x input, 12-hour writes at 2.5x input."""
    p = llmcost.get_price("gpt-5.6-sol")
    assert p.cache_write_30m_per_mtok == p.input_per_mtok * D("1.25")
    assert p.cache_write_12h_per_mtok == p.input_per_mtok * D("2.5")
    u = Usage(input_tokens=100_000, cache_write_30m_tokens=20_000, cache_write_12h_tokens=30_000,
              output_tokens=1_000)  # fmt: skip
    expected = (
        50_000 * p.input_per_mtok
        + 20_000 * p.cache_write_30m_per_mtok
        + 30_000 * p.cache_write_12h_per_mtok
        + 1_000 * p.output_per_mtok  # type: ignore[operator]
    ) / M
    assert cost("gpt-5.6-sol", u).total == expected
    # an Anthropic TTL on an OpenAI model is refused, not priced at another TTL's rate
    with pytest.raises(MissingRateError, match="5-minute cache-write"):
        cost("gpt-5.6-sol", Usage(input_tokens=10, cache_write_5m_tokens=10))


def test_audio_request() -> None:
    """gpt-realtime: text, audio and their cached parts each at their own rate."""
    p = llmcost.get_price("gpt-realtime")
    u = Usage(
        input_tokens=10_000, audio_input_tokens=6_000, cache_read_tokens=3_000,
        cache_read_audio_tokens=2_000, output_tokens=1_500, audio_output_tokens=1_000,
    )  # fmt: skip
    text_in = 10_000 - 3_000 - (6_000 - 2_000)  # neither cached nor audio
    expected = (
        text_in * p.input_per_mtok
        + 4_000 * p.audio_input_per_mtok  # uncached audio
        + 1_000 * p.cache_read_per_mtok  # cached text
        + 2_000 * p.cache_read_audio_per_mtok
        + 500 * p.output_per_mtok  # text output
        + 1_000 * p.audio_output_per_mtok  # type: ignore[operator]
    ) / M
    c = cost("gpt-realtime", u)
    assert c.total == expected
    assert c.input + c.cache_read + c.output == c.total


def test_a_media_part_without_its_rate_raises() -> None:
    """Audio tokens on a model without an audio rate are refused, never priced as text."""
    assert llmcost.get_price("gpt-4o").audio_input_per_mtok is None
    with pytest.raises(MissingRateError, match="audio"):
        cost("gpt-4o", Usage(input_tokens=100, audio_input_tokens=10))


def test_web_search_charge() -> None:
    """Claude's web search: $10 per 1,000 searches, on a line of its own; web fetch is free."""
    p = llmcost.get_price("claude-opus-5")
    u = Usage(input_tokens=1_000, output_tokens=100, tool_calls={"web_search": 3, "web_fetch": 2})
    c = cost("claude-opus-5", u)
    assert p.tool_per_kcall["web_search"] == 10 and p.tool_per_kcall["web_fetch"] == 0
    assert c.tools == 3 * p.tool_per_kcall["web_search"] / 1_000
    assert c.total == c.input + c.output + c.tools
    with pytest.raises(MissingRateError, match="'x_search'"):
        cost("claude-opus-5", Usage(tool_calls={"x_search": 1}))


def test_embeddings_are_input_only() -> None:
    """An embeddings model prices input tokens and refuses output tokens (it has no rate)."""
    p = llmcost.get_price("text-embedding-3-small")
    assert p.kind == "embedding" and p.output_per_mtok is None
    assert (
        cost("text-embedding-3-small", input_tokens=10_000).total == 10_000 * p.input_per_mtok / M
    )
    with pytest.raises(MissingRateError, match="output"):
        cost("text-embedding-3-small", input_tokens=10, output_tokens=1)
    chat = llmcost.compare(input_tokens=1_000, output_tokens=0)
    assert "text-embedding-3-small" not in [c.model for c in chat]
    embeddings = llmcost.compare(input_tokens=1_000, kind="embedding")
    assert "text-embedding-3-small" in [c.model for c in embeddings]


# --- time of day, dates, retirement --------------------------------------------------------


def _deepseek(at: datetime) -> Decimal:
    return cost("deepseek-v4-flash", U, at=at).total


def test_deepseek_peak_and_off_peak() -> None:
    """DeepSeek V4 bills 2x during 09-12 and 14-18 Beijing time on working days."""
    peak = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Beijing
    evening = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # 20:00 in Beijing
    lunch = datetime(2026, 11, 25, 5, 30, tzinfo=UTC)  # 13:30 in Beijing, between the windows
    p = llmcost.get_price("deepseek-v4-flash", at=evening)
    assert _deepseek(evening) == _by_hand(p)
    assert _deepseek(lunch) == _by_hand(p)
    assert _deepseek(peak) == 2 * _by_hand(p)
    # the window edges: 01:00 UTC (09:00) is in, 04:00 UTC (12:00) is out
    assert _deepseek(datetime(2026, 11, 25, 1, 0, tzinfo=UTC)) == 2 * _by_hand(p)
    assert _deepseek(datetime(2026, 11, 25, 0, 59, tzinfo=UTC)) == _by_hand(p)
    assert _deepseek(datetime(2026, 11, 25, 4, 0, tzinfo=UTC)) == _by_hand(p)
    # a naive datetime means UTC; another zone is converted
    assert _deepseek(datetime(2026, 11, 25, 2, 0)) == 2 * _by_hand(p)
    beijing = timezone(timedelta(hours=8))
    assert _deepseek(datetime(2026, 11, 25, 10, 0, tzinfo=beijing)) == 2 * _by_hand(p)


def test_deepseek_weekends_and_holidays_are_off_peak() -> None:
    """Since the weekend rule, Saturdays and the listed public holidays are off-peak all day."""
    saturday = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    national_day = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)  # a Thursday, a public holiday
    p = llmcost.get_price("deepseek-v4-flash", at=saturday)
    assert _deepseek(saturday) == _by_hand(p)
    assert _deepseek(national_day) == _by_hand(
        llmcost.get_price("deepseek-v4-flash", at=national_day)
    )
    # before the weekend rule (from 2026-08-22 16:00 UTC) a Saturday morning was peak
    early_saturday = datetime(2026, 8, 22, 2, 0, tzinfo=UTC)
    q = llmcost.get_price("deepseek-v4-flash", at=early_saturday)
    assert _deepseek(early_saturday) == 2 * _by_hand(q)


def test_deepseek_before_peak_billing() -> None:
    """Before the V4 switch to peak/off-peak (2026-08-16 16:00 UTC) one flat rate applied."""
    before = datetime(2026, 8, 10, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Beijing
    p = llmcost.get_price("deepseek-v4-flash", at=before)
    assert p.windows == ()
    assert _deepseek(before) == _by_hand(p)
    after = datetime(2026, 8, 17, 2, 0, tzinfo=UTC)  # Monday, peak
    q = llmcost.get_price("deepseek-v4-flash", at=after)
    assert q.windows and _deepseek(after) == 2 * _by_hand(q)


def test_a_bare_date_is_refused_where_the_price_varies_within_the_day() -> None:
    """A date cannot say whether a DeepSeek request was at peak: a datetime is asked for."""
    with pytest.raises(InvalidInputError, match="pass at= a datetime"):
        cost("deepseek-v4-flash", U, at=date(2026, 11, 25))
    # a model whose price does not vary within the day takes a date
    assert cost("gpt-5.5", U, at=date(2026, 11, 25)).total == _by_hand(llmcost.get_price("gpt-5.5"))


def test_retired_model_before_and_after() -> None:
    """deepseek-chat retired 2026-07-24 15:59 UTC: it prices before, raises after."""
    p = llmcost.get_price("deepseek-chat")
    assert p.retired == date(2026, 7, 24)
    assert p.retired_at == datetime(2026, 7, 24, 15, 59, tzinfo=UTC)
    assert p.successor == "deepseek-v4-flash"
    before = datetime(2026, 7, 24, 15, 58, tzinfo=UTC)
    assert cost("deepseek-chat", U, at=before).total == _by_hand(
        llmcost.get_price("deepseek-chat", at=before)
    )
    with pytest.raises(RetiredModelError, match="deepseek-v4-flash") as info:
        cost("deepseek-chat", U, at=datetime(2026, 7, 24, 15, 59, tzinfo=UTC))
    assert isinstance(info.value, LookupError) and info.value.successor == "deepseek-v4-flash"
    with pytest.raises(RetiredModelError):
        cost("deepseek-chat", U)  # now
    with pytest.raises(InvalidInputError, match="retired at 15:59 UTC"):
        cost("deepseek-chat", U, at=date(2026, 7, 24))


def test_retired_models_leave_listings_unless_asked() -> None:
    """compare() and list_models() show current models only unless include_retired=True."""
    assert "deepseek-chat" not in llmcost.list_models()
    assert "deepseek-chat" in llmcost.list_models(include_retired=True)
    assert "deepseek-chat" not in [c.model for c in llmcost.compare(input_tokens=10)]
    old = llmcost.compare(input_tokens=10, include_retired=True, provider="deepseek",
                          at=datetime(2026, 7, 1, 12, tzinfo=UTC))  # fmt: skip
    assert "deepseek-chat" in [c.model for c in old]


def test_issue_examples_resolve() -> None:
    """The spellings people and hosts send resolve to the canonical ids."""
    expected = {
        "claude-opus-4.7": "claude-opus-4-7",
        "claude-sonnet-4.5": "claude-sonnet-4-5",
        "anthropic/claude-opus-4.7": "claude-opus-4-7",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0": "bedrock/claude-sonnet-4-5",
        "eu.anthropic.claude-sonnet-4-5-20250929-v1:0": "bedrock/claude-sonnet-4-5",
        "apac.anthropic.claude-sonnet-4-5-20250929-v1:0": "bedrock/claude-sonnet-4-5",
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0": "bedrock-global/claude-sonnet-4-5",
        "global.anthropic.claude-opus-4-8": "claude-opus-4-8",
        "anthropic.claude-3-haiku-20240307-v1:0": "bedrock/claude-3-haiku",
        "meta.llama3-1-70b-instruct-v1:0": "bedrock/llama-3.1-70b",
        "us.meta.llama3-1-70b-instruct-v1:0": "bedrock/llama-3.1-70b",
        "arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-1-70b-instruct-v1:0":
            "bedrock/llama-3.1-70b",
        "claude-sonnet-4-5@20250929": "claude-sonnet-4-5",
        "deepseek-r1": "deepseek-reasoner",
        "GPT-4o mini": "gpt-4o-mini",
        "Claude Opus 4.5": "claude-opus-4-5",
        "Gemini 2.5 Flash-Lite": "gemini-2.5-flash-lite",
        "claude-4-opus-20250522": "claude-opus-4",
        "claude-3.5-haiku": "claude-3-5-haiku",
        "gemini-2.0-flash-exp": "gemini-2.0-flash-exp",
        "gemini-2.5-pro-preview-05-06": "gemini-2.5-pro-preview-05-06",
        "openai.gpt-oss-120b-1:0": "bedrock/gpt-oss-120b",
        "groq/openai/gpt-oss-120b": "groq/gpt-oss-120b",
        "groq/qwen/qwen3-32b": "groq/qwen3-32b",
    }  # fmt: skip
    reg = Registry.default()
    for name, canonical in expected.items():
        assert reg.resolve(name) == canonical, name
    assert reg.resolve("gemini-flash-latest") in reg.models("google")


@pytest.mark.parametrize(
    "name",
    [
        "gpt-4o-mini-foo",  # never a prefix match
        "us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0",  # GovCloud prices differ
        "global.moonshotai.kimi-k3",  # no first-party entry: never another host's price
        "gpt-4o" + "-latest" * 994,  # bounded, not recursive
        "openai/" * 497 + "gpt-4o",
    ],
)
def test_names_that_must_not_resolve(name: str) -> None:
    """Absurd, host-ambiguous and lookalike names raise UnknownModelError, quickly."""
    with pytest.raises(llmcost.UnknownModelError):
        Registry.default().resolve(name)


# --- the price model on a registry written here ------------------------------------------------


def _acme(**extra: object) -> Registry:
    base = {
        "model": "acme-1", "provider": "acme", "tokenizer": "llama",
        "input_per_mtok": "1", "output_per_mtok": "2", "cache_read_per_mtok": "0.5",
    }  # fmt: skip
    return Registry([ModelPrice(**{**base, **extra})])  # type: ignore[arg-type]


def test_request_fees_have_their_own_line() -> None:
    """A per-request fee is charged per request, per thousand, on its own line."""
    reg = _acme(request_per_kcall="5")
    c = cost("acme-1", Usage(input_tokens=1_000, requests=4), registry=reg)
    assert c.request_fees == D(4) * 5 / 1_000
    assert c.total == D(1_000) / M + c.request_fees
    # a plain call is one request
    assert cost("acme-1", input_tokens=1, registry=reg).request_fees == D(5) / 1_000


def test_explicit_variant_without_a_tier_raises_above_the_threshold() -> None:
    """A variant that lists no long-context rates is refused above the base's threshold."""
    reg = _acme(
        tiers=[PriceTier(above_input_tokens=100, input_per_mtok="3", output_per_mtok="4")],
        variants=[PriceVariant(service_tier="flex", input_per_mtok="0.5", output_per_mtok="1")],
    )
    assert cost("acme-1", input_tokens=100, service_tier="flex", registry=reg).total == D(50) / M
    with pytest.raises(MissingRateError, match="above 100 input tokens"):
        cost("acme-1", input_tokens=101, service_tier="flex", registry=reg)
    assert cost("acme-1", input_tokens=101, registry=reg).total == D(303) / M  # the base tier


def test_windows_with_explicit_rates_and_variants() -> None:
    """A window's explicit rates apply in it; a variant inside such a window is refused."""
    night = PriceWindow(timezone="UTC", start="00:00", end="06:00", input_per_mtok="0.25",
                        output_per_mtok="0.5", except_dates=["2026-01-01"])  # fmt: skip
    reg = _acme(windows=[night], variants=[PriceVariant(service_tier="batch", multiplier="0.5")])
    at_night = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
    by_day = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    assert cost("acme-1", input_tokens=1_000, at=at_night, registry=reg).total == D(250) / M
    assert cost("acme-1", input_tokens=1_000, at=by_day, registry=reg).total == D(1_000) / M
    new_year = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
    assert cost("acme-1", input_tokens=1_000, at=new_year, registry=reg).total == D(1_000) / M
    with pytest.raises(MissingRateError, match="standard"):
        cost("acme-1", input_tokens=1_000, batch=True, at=at_night, registry=reg)
    with pytest.raises(MissingRateError, match="cache-read"):  # the window lists no cache rate
        cost("acme-1", input_tokens=1_000, cache_read_tokens=10, at=at_night, registry=reg)
    assert (
        cost("acme-1", input_tokens=1_000, batch=True, at=by_day, registry=reg).total == D(500) / M
    )


def test_window_multiplier_stacks_on_a_variant() -> None:
    """A window with a multiplier multiplies the variant's rates too."""
    peak = PriceWindow(timezone="Asia/Shanghai", start="09:00", end="12:00", multiplier="2")
    reg = _acme(windows=[peak], variants=[PriceVariant(service_tier="batch", multiplier="0.5")])
    at_peak = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    assert (
        cost("acme-1", input_tokens=1_000, batch=True, at=at_peak, registry=reg).total
        == D(1_000) / M
    )


def test_prices_refuse_what_cannot_be_exact() -> None:
    """Floats, negative, huge and over-precise rates, and a zero multiplier are refused."""
    for bad in (0.5, "-1", "1e999999999", "0." + "0" * 30 + "1", "NaN"):
        with pytest.raises(llmcost.LLMCostError):
            _acme(input_per_mtok=bad)
    with pytest.raises(llmcost.PriceDataError, match="multiplier of 0"):
        PriceVariant(service_tier="flex", multiplier="0")
    with pytest.raises(llmcost.PriceDataError, match="overlap"):
        _acme(
            windows=[
                PriceWindow(timezone="UTC", start="01:00", end="03:00", multiplier="2"),
                PriceWindow(timezone="UTC", start="02:00", end="04:00", multiplier="2"),
            ]
        )
    with pytest.raises(llmcost.PriceDataError, match="time zone"):
        PriceWindow(timezone="Mars/Olympus", start="01:00", end="02:00", multiplier="2")


def test_huge_counts_are_refused_not_rounded() -> None:
    """A count over 10**15 is an InvalidUsageError, never a rounded 2.5E+64."""
    with pytest.raises(llmcost.InvalidUsageError, match="10"):
        cost("gpt-4o", input_tokens=10**70 + 1)
    exact = cost("gpt-4o", input_tokens=10**15, output_tokens=10**15)
    p = llmcost.get_price("gpt-4o")
    assert exact.total == 10**15 * (p.input_per_mtok + p.output_per_mtok) / M  # type: ignore[operator]


# --- properties over every model, context and instant ---------------------------------------


@settings(max_examples=300)
@given(st.data())
def test_cost_is_nonnegative_and_parts_add_up(data: st.DataObject) -> None:
    """For any model, variant it has and instant: cost >= 0 and the lines add up to the total."""
    model = data.draw(st.sampled_from(llmcost.list_models(include_retired=True)))
    when = data.draw(instants(model))
    tier, speed = data.draw(contexts_of(model, when))
    u = data.draw(usages(max_input=2_000_000, any_ttl=True))
    try:
        c = cost(model, u, service_tier=tier, speed=speed, at=when)
    except (MissingRateError, RetiredModelError):
        return
    assert c.total >= 0
    assert c.total == c.input + c.cache_read + c.cache_write + c.output + c.tools + c.request_fees


@settings(max_examples=200)
@given(st.data())
def test_cost_is_additive_and_monotone_below_thresholds(data: st.DataObject) -> None:
    """Below every long-context threshold, cost(a + b) == cost(a) + cost(b) >= cost(a)."""
    model = data.draw(st.sampled_from(llmcost.list_models()))
    when = data.draw(instants(model))
    tier, speed = data.draw(contexts_of(model, when))
    p = llmcost.get_price(model, at=when)
    limit = min([t.above_input_tokens for t in p.tiers] or [2_000_000])
    a = data.draw(usages(max_input=limit // 2, any_ttl=True))
    b = data.draw(usages(max_input=limit // 2, any_ttl=True))
    try:
        ca, cb = (cost(model, x, service_tier=tier, speed=speed, at=when) for x in (a, b))
    except MissingRateError:
        return
    both = cost(model, a + b, service_tier=tier, speed=speed, at=when)
    assert both.total == ca.total + cb.total
    assert both.total >= ca.total


@settings(max_examples=200)
@given(st.sampled_from(llmcost.list_models()), st.text(min_size=1, max_size=12))
def test_a_variant_the_model_lacks_always_raises(model: str, tier: str) -> None:
    """Any service tier the model has no rates for raises MissingRateError."""
    key = tier.strip().lower()
    assume(key not in ("", "default", "standard", "auto"))
    p = llmcost.get_price(model, at=datetime.now(UTC))
    assume(p.variant(key) is None)
    with pytest.raises(MissingRateError):
        cost(model, input_tokens=1, service_tier=tier)


@settings(max_examples=300)
@given(
    st.sampled_from(llmcost.list_models()),
    usages(max_input=3_000_000),
    st.integers(1, 100),
    st.booleans(),
    st.sampled_from([9, 999_999]),
)
def test_the_fast_path_equals_the_general_rule(
    model: str, u: Usage, prec: int, trap: bool, emax: int
) -> None:
    """cost()'s fast path gives the very Cost of the general rule, in any caller context."""
    import decimal

    from llmcost._cost import priced

    traps = [decimal.Inexact, decimal.Rounded] if trap else []
    simple = Usage(input_tokens=u.input_tokens, output_tokens=u.output_tokens,
                   cache_read_tokens=u.cache_read_tokens)  # fmt: skip
    try:
        slow = priced(Registry.default(), model, simple, (None, None, None), None)
    except MissingRateError:
        return
    with decimal.localcontext(prec=prec, traps=traps, Emax=emax, Emin=-emax):
        for _ in range(2):  # the first call fills the fast path's cache, the second uses it
            fast = cost(model, input_tokens=u.input_tokens, output_tokens=u.output_tokens,
                        cache_read_tokens=u.cache_read_tokens)  # fmt: skip
            assert fast == slow
            assert (fast.total, fast.usage, repr(fast)) == (slow.total, slow.usage, repr(slow))
            given_usage = cost(model, simple)  # a Usage of these parts takes the fast path too
            assert (given_usage, repr(given_usage)) == (slow, repr(slow))


def test_falsy_non_int_parts_are_refused() -> None:
    """None, 0.0 and False are not counts, even where they equal 0."""
    for bad in (None, 0.0, False):
        with pytest.raises(llmcost.InvalidUsageError):
            Usage(input_tokens=5, reasoning_tokens=bad)  # type: ignore[arg-type]


def test_compare_on_a_bare_date_leaves_out_models_priced_by_the_hour() -> None:
    """compare(at=date) lists the models whose price holds all day; a datetime lists all."""
    day = llmcost.compare(input_tokens=100, output_tokens=10, at=date(2026, 11, 25))
    assert "deepseek-v4-flash" not in [c.model for c in day] and len(day) > 100
    instant = llmcost.compare(input_tokens=100, output_tokens=10,
                              at=datetime(2026, 11, 25, 12, tzinfo=UTC))  # fmt: skip
    assert "deepseek-v4-flash" in [c.model for c in instant]
    with pytest.raises(InvalidInputError):
        llmcost.compare(input_tokens=100, models=["deepseek-v4-flash"], at=date(2026, 11, 25))


def test_exact_amounts_add_exactly() -> None:
    """Any two amounts _money.exact accepts add in llmcost's context without rounding."""
    from llmcost import _money

    big, small = D("9" * 40), D("1E-40")
    assert _money.exact(big) and _money.exact(small)
    assert not _money.exact(D("1E+40")) and not _money.exact(D("1E-41"))
    assert _money.add(big, small) - big == small
