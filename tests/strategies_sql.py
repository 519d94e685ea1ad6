"""Usages for the SQL equality tests: a registry of edge cases, random rows, hypothesis cases."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import attrs
from hypothesis import strategies as st

import llmcost
from llmcost import ModelPrice, PriceTier, PriceVariant, PriceWindow
from llmcost._prices import KNOWN_TOOLS
from llmcost._rows import alias_rows
from llmcost._usage import CACHE_WRITE_FIELDS
from llmcost._when import start_of, zone

UTC = timezone.utc
MEDIA = ("audio", "image", "video")
#: The SQL usage columns a `Case` fills, in `llmcost.sql.USAGE_COLUMNS` order.
COUNTS = (
    "input_tokens", "output_tokens", "cache_read_tokens", *CACHE_WRITE_FIELDS,
    "audio_input_tokens", "image_input_tokens", "video_input_tokens", "cache_read_audio_tokens",
    "cache_read_image_tokens", "cache_read_video_tokens", "reasoning_tokens",
    "audio_output_tokens", "image_output_tokens", "requests",
)  # fmt: skip


def _p(model: str, **fields: Any) -> ModelPrice:
    base: dict[str, Any] = {"provider": "acme", "tokenizer": "llama", "source_url": "https://e.x"}
    return ModelPrice(model=model, **{**base, **fields})


def edge_registry() -> llmcost.Registry:
    """Prices with every dimension the SQL rule handles, including the awkward cases."""
    peak = [
        PriceWindow(timezone="Asia/Shanghai", weekdays=[0, 1, 2, 3, 4], start=s, end=e,
                    multiplier="2", except_dates=["2026-10-01", "2026-10-05"])
        for s, e in (("09:00", "12:00"), ("14:00", "18:00"))
    ]  # fmt: skip
    return llmcost.Registry(
        [
            # DeepSeek-style: a discount period, then peak windows from an instant, retired.
            _p("peak-model", tokenizer="deepseek", input_per_mtok="0.27", output_per_mtok="1.1",
               cache_read_per_mtok="0.07", retired="2027-03-01T12:30:00Z",
               successor="tiered-model", aliases=["peak-model-0324"]),
            _p("peak-model", tokenizer="deepseek", valid_from=datetime(2026, 4, 24, 16, tzinfo=UTC),
               input_per_mtok="0.14", output_per_mtok="0.28", cache_read_per_mtok="0.0028",
               windows=peak, variants=[PriceVariant(service_tier="batch", multiplier="0.5")],
               retired="2027-03-01T12:30:00Z", successor="tiered-model",
               aliases=["peak-model-0324"]),
            # Tiers, explicit and multiplier variants, regions, modalities, tools, request fees.
            _p("tiered-model", display_name="Tiered Model", input_per_mtok="3",
               output_per_mtok="15", cache_read_per_mtok="0.3", cache_write_5m_per_mtok="3.75",
               cache_write_1h_per_mtok="6", audio_input_per_mtok="40", image_input_per_mtok="3",
               cache_read_audio_per_mtok="2.5", audio_output_per_mtok="80",
               image_output_per_mtok="30", video_input_per_mtok="1.2",
               tiers=[PriceTier(above_input_tokens=200_000, input_per_mtok="6",
                                output_per_mtok="22.5", cache_read_per_mtok="0.6",
                                cache_write_5m_per_mtok="7.5", cache_write_1h_per_mtok="12")],
               variants=[
                   PriceVariant(service_tier="batch", multiplier="0.5"),
                   # Explicit, without a tier above 200k: such requests raise.
                   PriceVariant(service_tier="flex", input_per_mtok="1.5", output_per_mtok="7.5",
                                cache_read_per_mtok="0.15"),
                   PriceVariant(service_tier="priority", multiplier="1.75"),
                   PriceVariant(speed="fast", input_per_mtok="18", output_per_mtok="90",
                                cache_read_per_mtok="1.8",
                                tiers=[PriceTier(above_input_tokens=200_000,
                                                 input_per_mtok="36", output_per_mtok="135")]),
               ],
               inference_geo={"us": "1.1", "eu": "1.25"},
               tool_per_kcall={"web_search": "10", "web_fetch": "0", "code_execution": "0.05",
                               "my_tool": "3"},
               request_per_kcall="0.5", note="Web fetch is free; only its tokens are billed.",
               valid_from=None),
            # Explicit weekend window rates with their own tier; a variant inside it raises.
            _p("window-model", input_per_mtok="1", output_per_mtok="4",
               tiers=[PriceTier(above_input_tokens=100_000, input_per_mtok="2",
                                output_per_mtok="8")],
               windows=[PriceWindow(timezone="UTC", weekdays=[5, 6], start="00:00", end="24:00",
                                    input_per_mtok="0.25", output_per_mtok="1",
                                    tiers=[PriceTier(above_input_tokens=150_000,
                                                     input_per_mtok="0.5")])],
               variants=[PriceVariant(service_tier="flex", multiplier="0.5")],
               inference_geo={"us": "1.5"}),
            # OpenAI-style cache TTLs, a 12-hour write only in the standard context.
            _p("ttl-model", tokenizer="o200k_base", input_per_mtok="2.5", output_per_mtok="10",
               cache_read_per_mtok="0.25", cache_write_30m_per_mtok="3.125",
               cache_write_12h_per_mtok="5", cache_read_image_per_mtok="0.25",
               image_input_per_mtok="2.5",
               variants=[PriceVariant(service_tier="flex", input_per_mtok="1.25",
                                      output_per_mtok="5", cache_read_per_mtok="0.125",
                                      cache_write_30m_per_mtok="1.5625")]),
            _p("ttl-model", tokenizer="o200k_base", valid_from=date(2026, 9, 1),
               input_per_mtok="2", output_per_mtok="8", cache_read_per_mtok="0.2",
               cache_write_30m_per_mtok="2.5"),
            _p("embed-model", kind="embedding", input_per_mtok="0.02",
               variants=[PriceVariant(service_tier="batch", multiplier="0.5")]),
        ]
    )  # fmt: skip


@attrs.frozen
class Case:
    """One usage row: its raw name, counts, context and instant, as SQL and cost() see them."""

    id: int
    raw_name: str
    model: str
    counts: dict[str, int]
    tools: dict[str, int]
    service_tier: str | None
    speed: str | None
    inference_geo: str | None
    is_batch: bool | None
    at: datetime | None

    def sql_row(self) -> list[object]:
        """The row in `llmcost.sql.USAGE_COLUMNS` order (plus the id first)."""
        tools = [self.tools.get(t, 0) for t in KNOWN_TOOLS]
        at = None if self.at is None else self.at.astimezone(UTC).replace(tzinfo=None)
        return [
            self.id, self.raw_name, *(self.counts[c] for c in COUNTS), *tools,
            self.service_tier, self.speed, self.inference_geo, self.is_batch, at,
        ]  # fmt: skip


def _instants(rng: random.Random, p: ModelPrice, last: ModelPrice) -> datetime:
    """An instant in or near period *p*: its edges, its windows' edges, the retirement."""
    days = timedelta(days=500)
    end = start_of(p.valid_to) if p.valid_to else None
    start = (
        start_of(p.valid_from) if p.valid_from else (end or datetime(2026, 6, 1, tzinfo=UTC)) - days
    )
    end = end or start + days
    pick = rng.random()
    if pick < 0.08:
        return start + timedelta(seconds=rng.choice((0, 1)))
    if pick < 0.16:
        return end - timedelta(seconds=rng.choice((1, 0)))
    if pick < 0.24 and last.retired_at is not None:
        return last.retired_at + timedelta(seconds=rng.choice((-1, 0, 1, -86400)))
    when = start + timedelta(seconds=rng.randint(0, int((end - start).total_seconds()) - 1))
    if p.windows and pick < 0.7:
        w = rng.choice(p.windows)
        tz = zone(w.timezone)
        local = when.astimezone(tz)
        day = local.date()
        if w.except_dates and rng.random() < 0.15:
            day = rng.choice(w.except_dates)
        a, b = w.minutes()
        minute = rng.choice((a - 1, a, b - 1, b, rng.randint(a, b - 1)))
        minute = min(max(minute, 0), 1439)
        local = datetime.combine(day, time(minute // 60, minute % 60, rng.randint(0, 59)), tz)
        when = local.astimezone(UTC)
    return when


def _context(rng: random.Random, p: ModelPrice) -> tuple[Any, Any, Any, Any]:
    """service_tier, speed, inference_geo, is_batch: mostly ones the period has."""
    tier: str | None = None
    speed: str | None = None
    batch: bool | None = rng.choice((None, False))
    pick = rng.random()
    if pick < 0.4 and p.variants:
        v = rng.choice(p.variants)
        tier, speed = v.service_tier, v.speed
        if tier == "batch" and rng.random() < 0.5:
            tier, batch = None, True
        elif tier is not None and rng.random() < 0.2:
            tier = f" {tier.upper()} "
    elif pick < 0.5:
        tier = rng.choice(("default", "STANDARD", "auto", " "))
        speed = rng.choice((None, "standard", "normal"))
    elif pick < 0.54:
        tier, speed = rng.choice((("scale", None), (None, "fast"), ("flex", None)))
        batch = rng.random() < 0.3  # flex with batch contradicts: cost() raises
    geo = None
    pick = rng.random()
    if pick < 0.3 and p.inference_geo:
        geo = rng.choice(sorted(p.inference_geo))
    elif pick < 0.35:
        geo = rng.choice(("global", "", "xx"))
    return tier, speed, geo, batch


def _split(rng: random.Random, total: int, names: list[str]) -> dict[str, int]:
    out = {}
    left = total
    for name in names:
        n = rng.randint(0, left) if rng.random() < 0.6 else 0
        out[name] = n
        left -= n
    return out


def _counts(rng: random.Random, p: ModelPrice) -> tuple[dict[str, int], dict[str, int]]:
    """Counts that need rates the period mostly has: small, near a tier edge, large, huge."""
    rates = p.rates()
    kind = rng.random()
    edges = [t.above_input_tokens for t in p.tiers] or [200_000]
    if kind < 0.35:
        n_in, n_out = rng.randint(0, 20_000), rng.randint(0, 4_000)
    elif kind < 0.6:
        n_in, n_out = rng.choice(edges) + rng.randint(-2, 2), rng.randint(0, 50_000)
    elif kind < 0.9:
        n_in, n_out = rng.randint(0, 3_000_000), rng.randint(0, 300_000)
    else:
        n_in, n_out = rng.randint(0, 10**15), rng.randint(0, 10**15)
    if p.kind == "embedding" and rng.random() < 0.9:
        n_out = 0
    honest = rng.random() < 0.8  # else any part, needed rate or not

    def has(rate: str) -> bool:
        return not honest or rate in rates

    in_parts = [f for f in ("cache_read_tokens", *CACHE_WRITE_FIELDS)
                if has(f.replace("_tokens", "_per_mtok"))]  # fmt: skip
    in_parts += [f"{m}_input_tokens" for m in MEDIA if has(f"{m}_input_per_mtok")]
    rng.shuffle(in_parts)
    counts = dict.fromkeys(COUNTS, 0)
    counts.update(input_tokens=n_in, output_tokens=n_out)
    counts.update(_split(rng, n_in, in_parts))
    cached = counts["cache_read_tokens"]
    for m in MEDIA:
        if has(f"cache_read_{m}_per_mtok") and counts[f"{m}_input_tokens"] and cached:
            n = rng.randint(0, min(cached, counts[f"{m}_input_tokens"]))
            counts[f"cache_read_{m}_tokens"] = n
            cached -= n
    out_parts = ["reasoning_tokens"] + [
        f"{m}_output_tokens" for m in ("audio", "image") if has(f"{m}_output_per_mtok")
    ]
    counts.update(_split(rng, n_out, out_parts))
    counts["requests"] = rng.choice((1, 1, 1, 1, 0, rng.randint(2, 1000)))
    if rng.random() < 0.004:
        counts["cache_read_tokens"] = n_in + 1  # invalid: cost() refuses it, SQL gives NULL
    tools = {}
    for tool in KNOWN_TOOLS:
        if rng.random() < 0.2 and has_tool(p, tool, honest):
            tools[tool] = rng.randint(1, 50)
    return counts, tools


def has_tool(p: ModelPrice, tool: str, honest: bool) -> bool:
    """Whether to give calls of *tool* (always when not *honest*)."""
    return not honest or tool in p.tool_per_kcall


def _names(registry: llmcost.Registry) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for r in alias_rows(registry):
        names.setdefault(r["model"], []).append(r["alias"])
    return names


def _case(
    rng: random.Random, registry: llmcost.Registry, model: str, i: int, names: list[str]
) -> Case:
    history = registry.history(model)
    period = rng.choice(history)
    raw = rng.choice(names)
    if rng.random() < 0.2:
        raw = f"  {raw.upper()} "
    at = None if rng.random() < 0.01 else _instants(rng, period, history[-1])
    counts, tools = _counts(rng, period)
    return Case(i, raw, model, counts, tools, *_context(rng, period), at)


def random_cases(registry: llmcost.Registry, n: int, seed: int) -> list[Case]:
    """*n* cases spread over every model of *registry*, named the ways logs name them."""
    rng = random.Random(seed)
    names = _names(registry)
    models = list(registry)
    return [_case(rng, registry, models[i % len(models)], i, names[models[i % len(models)]])
            for i in range(n)]  # fmt: skip


@st.composite
def cases(draw: st.DrawFn, registry: llmcost.Registry, n: int = 20) -> list[Case]:
    """Hypothesis: *n* cases of models drawn from *registry*, each from a drawn seed."""
    names = _names(registry)
    models = draw(st.lists(st.sampled_from(list(registry)), min_size=n, max_size=n))
    seeds = draw(st.lists(st.integers(0, 2**32 - 1), min_size=n, max_size=n))
    return [
        _case(random.Random(seed), registry, model, i, names[model])
        for i, (model, seed) in enumerate(zip(models, seeds, strict=True))
    ]
