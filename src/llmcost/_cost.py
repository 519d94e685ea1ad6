"""Pure cost functions: `cost()`, `compare()` and `estimate()`, and the pricing rule. No I/O."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, getcontext
from typing import Any

from ._errors import InvalidInputError, InvalidTypeError, MissingRateError, RetiredModelError
from ._money import CTX, MAX_COUNT, ZERO
from ._prices import TOKEN_RATES, ModelPrice
from ._rates import Level, R, context_key, levels
from ._registry import _DEFAULTS, Registry, _env_prices, period_at
from ._usage import COUNT_FIELDS, Cost, Usage, get_counts
from ._when import ambiguous_day, instant_of, now, on_or_after, window_at, within_day

__all__ = ["Cost", "Usage", "compare", "cost", "estimate"]

Context = tuple[str | None, str | None, str | None]
_STANDARD: Context = (None, None, None)
_KILO = Decimal(1000)

# Each media part: (the count's field, or the media whose uncached part is meant; the rate;
# the Cost line it adds to). Text is what remains of each total.
_MEDIA_PARTS = (
    ("audio", "audio_input_per_mtok", "input"),
    ("image", "image_input_per_mtok", "input"),
    ("video", "video_input_per_mtok", "input"),
    ("cache_read_audio_tokens", "cache_read_audio_per_mtok", "cache_read"),
    ("cache_read_image_tokens", "cache_read_image_per_mtok", "cache_read"),
    ("cache_read_video_tokens", "cache_read_video_per_mtok", "cache_read"),
    ("cache_write_5m_tokens", "cache_write_5m_per_mtok", "cache_write"),
    ("cache_write_30m_tokens", "cache_write_30m_per_mtok", "cache_write"),
    ("cache_write_1h_tokens", "cache_write_1h_per_mtok", "cache_write"),
    ("cache_write_12h_tokens", "cache_write_12h_per_mtok", "cache_write"),
    ("audio_output_tokens", "audio_output_per_mtok", "output"),
    ("image_output_tokens", "image_output_per_mtok", "output"),
)
_RATE_WORDS = {
    "cache_read_per_mtok": "cache-read",
    "cache_write_5m_per_mtok": "5-minute cache-write",
    "cache_write_30m_per_mtok": "30-minute cache-write",
    "cache_write_1h_per_mtok": "1-hour cache-write",
    "cache_write_12h_per_mtok": "12-hour cache-write",
}
_I_IN, _I_OUT, _I_READ = R["input_per_mtok"], R["output_per_mtok"], R["cache_read_per_mtok"]
assert (_I_IN, _I_OUT, _I_READ) == (0, 1, 2)  # _fast reads the first three rates


def _label(ctx: Context) -> str:
    tier, speed, geo = ctx
    parts = [f"service_tier={tier}"] if tier else []
    if speed:
        parts.append(f"speed={speed}")
    if geo:
        parts.append(f"inference_geo={geo}")
    return f" for {', '.join(parts)}" if parts else ""


def _missing(
    price: ModelPrice, rate: str, field: str, n: int, level: Level, ctx: Context
) -> MissingRateError:
    where = f" above {level.above:,} input tokens" if level.above >= 0 else ""
    name = _RATE_WORDS.get(rate, rate.removesuffix("_per_mtok").replace("_", " "))
    msg = (
        f"{price.model} has no {name} rate ({rate}){where}{_label(ctx)} in the registry, "
        "but the usage "
        f"has {n:,} {field}; llmcost never prices them at $0. Add the rate with "
        "Registry.with_prices."
    )
    return MissingRateError(msg)


def price_usage(
    price: ModelPrice,
    u: Usage,
    lv: tuple[Level, ...],
    ctx: Context = _STANDARD,
    input_exact: bool = True,
) -> Cost:
    """The `Cost` of usage *u* at the rate levels *lv* of *price* (the pricing rule)."""
    d = dict(zip(COUNT_FIELDS, get_counts(u), strict=True))
    n_in, n_out = d["input_tokens"], d["output_tokens"]
    level = lv[0]
    for candidate in lv[1:]:
        if n_in > candidate.above:
            level = candidate
    rates = level.rates
    mul, add = CTX.multiply, CTX.add
    lines = {"input": ZERO, "cache_read": ZERO, "cache_write": ZERO, "output": ZERO}
    media_in = d["audio_input_tokens"] + d["image_input_tokens"] + d["video_input_tokens"]
    media_cached = (
        d["cache_read_audio_tokens"] + d["cache_read_image_tokens"] + d["cache_read_video_tokens"]
    )
    writes = (
        d["cache_write_5m_tokens"]
        + d["cache_write_30m_tokens"]
        + d["cache_write_1h_tokens"]
        + d["cache_write_12h_tokens"]
    )
    cached = d["cache_read_tokens"]
    text_in = n_in - cached - writes - (media_in - media_cached)
    text_cached = cached - media_cached
    text_out = n_out - d["audio_output_tokens"] - d["image_output_tokens"]
    for n, i, line, what in (
        (text_in, _I_IN, "input", "uncached text input tokens"),
        (text_cached, _I_READ, "cache_read", "cache-read tokens"),
        (text_out, _I_OUT, "output", "output tokens"),
    ):
        if n:
            rate = rates[i]
            if rate is None:
                raise _missing(price, TOKEN_RATES[i], what, n, level, ctx)
            lines[line] = add(lines[line], mul(rate, n))
    if media_in or writes or d["audio_output_tokens"] or d["image_output_tokens"]:
        for field, rate_name, line in _MEDIA_PARTS:
            if field in ("audio", "image", "video"):
                n = d[f"{field}_input_tokens"] - d[f"cache_read_{field}_tokens"]
                what = f"uncached {field} input tokens"
            else:
                n, what = d[field], field
            if n:
                rate = rates[R[rate_name]]
                if rate is None:
                    raise _missing(price, rate_name, what, n, level, ctx)
                lines[line] = add(lines[line], mul(rate, n))
    tools = fees = ZERO
    if u.tool_calls:
        for name, n in u.tool_calls.items():
            rate = price.tool_per_kcall.get(name)
            if rate is None:
                msg = (
                    f"{price.model} has no price for the server tool {name!r} in the registry, "
                    f"but the usage has {n:,} such calls; llmcost never prices them at $0. Add "
                    "it to the model's tool_per_kcall with Registry.with_prices."
                )
                raise MissingRateError(msg)
            tools = add(tools, CTX.divide(mul(rate, n), _KILO))
    if price.request_per_kcall is not None and d["requests"]:
        fees = CTX.divide(mul(price.request_per_kcall, d["requests"]), _KILO)
    total = add(
        add(add(lines["input"], lines["cache_read"]), add(lines["cache_write"], lines["output"])),
        add(tools, fees),
    )
    tier, speed, geo = ctx
    return Cost(
        model=price.model,
        provider=price.provider,
        usage=u,
        input=lines["input"],
        output=lines["output"],
        cache_read=lines["cache_read"],
        cache_write=lines["cache_write"],
        tools=tools,
        request_fees=fees,
        total=total,
        service_tier=tier or "standard",
        speed=speed or "standard",
        inference_geo=geo,
        input_exact=input_exact,
    )


def check_retired(price: ModelPrice, when: datetime | date) -> None:
    """Raise `RetiredModelError` if *when* is at or after the model's retirement."""
    retired = price.retired_at
    if retired is None:
        return
    if not isinstance(when, datetime) and within_day(retired, when):
        raise ambiguous_day(price.model, when, f"it was retired at {retired:%H:%M} UTC")
    if on_or_after(when, retired):
        raise RetiredModelError(price.model, retired, price.successor)


def priced(
    registry: Registry,
    model: str,
    usage: Usage,
    ctx: Context,
    at: date | datetime | None,
    input_exact: bool = True,
) -> Cost:
    """Price *usage* of *model* in *registry* for request context *ctx* at *at* (None: now)."""
    history = registry.history(model)
    when = now() if at is None else instant_of(at)
    price = period_at(history, when)
    check_retired(history[-1], when)
    window = window_at(price, when)
    return price_usage(price, usage, levels(price, ctx, window), ctx, input_exact)


def _registry(registry: Registry | None) -> Registry:
    if registry is None:
        return _DEFAULTS.get(_env_prices()) or Registry.default()
    if not isinstance(registry, Registry):
        msg = f"registry must be a Registry, not {type(registry).__name__}"
        raise InvalidTypeError(msg)
    return registry


#: The token keywords of `cost` and `compare`, in their order.
_KEYWORDS = (
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_30m_tokens",
    "cache_write_1h_tokens",
    "cache_write_12h_tokens",
    "reasoning_tokens",
)


def _usage_of(usage: Usage | None, *counts: int) -> Usage:
    """*usage*, or a Usage of the token keywords (in `_KEYWORDS` order); not both."""
    if usage is None:
        return Usage(**dict(zip(_KEYWORDS, counts, strict=True)))
    if not isinstance(usage, Usage):
        msg = f"usage must be a Usage, not {type(usage).__name__}"
        raise InvalidTypeError(msg)
    if any(counts):
        msg = "pass either a Usage or token keywords, not both"
        raise InvalidTypeError(msg)
    return usage


def cost(
    model: str,
    usage: Usage | None = None,
    *,
    input_tokens: int = 0,
    output_tokens: int = 0,
    cache_read_tokens: int = 0,
    cache_write_5m_tokens: int = 0,
    cache_write_30m_tokens: int = 0,
    cache_write_1h_tokens: int = 0,
    cache_write_12h_tokens: int = 0,
    reasoning_tokens: int = 0,
    service_tier: str | None = None,
    speed: str | None = None,
    inference_geo: str | None = None,
    batch: bool = False,
    at: date | datetime | None = None,
    registry: Registry | None = None,
) -> Cost:
    """The exact cost of a request to *model*: pass a `Usage` or the token keywords, not both.

    Rules: uncached input at the input rate (audio, image and video at their own rates);
    cache reads at the cache-read rate; cache writes at the rate of their TTL; output
    (reasoning included, never counted twice) at the output rate; server-side tool calls
    and per-request fees at their per-thousand prices. When `input_tokens` exceeds a
    long-context tier's threshold, that tier's rates apply to the whole request.
    *service_tier* (``"flex"``, ``"priority"``, ``"batch"``...; ``batch=True`` is
    ``service_tier="batch"``), *speed* (``"fast"``) and *inference_geo* (``"us"``) select the
    model's rates for that context; a context the model has no rates for raises
    `MissingRateError`, never the standard rate in silence, and so does any nonzero count
    whose rate the model lacks. *at* prices the request at the rates in force then: a
    `datetime` (naive means UTC) or a UTC `date` (refused where the price changes within that
    day); default now. A model retired before *at* raises `RetiredModelError`.

    >>> c = cost("claude-sonnet-4-6", Usage(input_tokens=12_000, output_tokens=800,
    ...                                     cache_read_tokens=10_000))
    >>> print(c)
    claude-sonnet-4-6: $0.021000 (input $0.006000, cache read $0.003000, output $0.012000)
    >>> from decimal import Decimal, getcontext
    >>> cost("gpt-4o", input_tokens=1_000_000, batch=True).total == Decimal("1.25")
    True

    Amounts are exact Decimals; their trailing zeros carry no meaning (``0.0060000`` is 0.006).
    """
    if (
        usage is None
        and at is None
        and not (
            cache_write_5m_tokens
            or cache_write_30m_tokens
            or cache_write_1h_tokens
            or cache_write_12h_tokens
            or reasoning_tokens
            or service_tier
            or speed
            or inference_geo
            or batch
        )
        and type(input_tokens) is int
        and type(output_tokens) is int
        and type(cache_read_tokens) is int
        and 0 <= cache_read_tokens <= input_tokens <= MAX_COUNT
        and 0 <= output_tokens <= MAX_COUNT
    ):
        # The common call (input, output, cache reads; now; standard rates) takes this path,
        # 3x faster than the general one below (benchmarks/cost_speed.py).
        try:
            hot = _HOT.get(model)
        except TypeError:  # unhashable: not a model name; the general path says so
            hot = None
        if hot is not None:
            reg, price, lv, until = hot
            if (
                reg is (_DEFAULTS.get(_env_prices()) if registry is None else registry)
                and (until is _FOREVER or time.time() < until)
            ):
                return _fast(price, lv, input_tokens, output_tokens, cache_read_tokens)
    u = _usage_of(
        usage,
        input_tokens,
        output_tokens,
        cache_read_tokens,
        cache_write_5m_tokens,
        cache_write_30m_tokens,
        cache_write_1h_tokens,
        cache_write_12h_tokens,
        reasoning_tokens,
    )
    reg = _registry(registry)
    if at is None and not (service_tier or speed or inference_geo or batch):
        try:
            hot = _HOT.get(model)
        except TypeError:  # unhashable: not a model name; _hot_price says so
            hot = None
        if hot is not None and hot[0] is reg and (hot[3] is _FOREVER or time.time() < hot[3]):
            n = get_counts(u)
            if n[3:] == _SIMPLE_TAIL and not u.tool_calls:
                # A Usage of input, output and cache reads only: the fast path above, 1.9 us
                # instead of 5.1 (benchmarks/tracker_record.py records such usages).
                return _fast(hot[1], hot[2], n[0], n[1], n[2])
            return price_usage(hot[1], u, hot[2])  # other Usages: the cached rates (5 us, not 7.3)
        return _hot_price(reg, model, u)
    ctx = context_key(service_tier, speed, inference_geo, batch)
    return priced(reg, model, u, ctx, at)


_new = object.__new__
# The counts after input, output and cache reads of a Usage `_fast` can price: all 0, requests 1.
_SIMPLE_TAIL = (*(0 for _ in COUNT_FIELDS[3:-1]), 1)


def _fast(price: ModelPrice, lv: tuple[Level, ...], n_in: int, n_out: int, n_read: int) -> Cost:
    """`price_usage` for input, output and cache reads only, built without re-validation."""
    level = lv[0]
    if len(lv) > 1:
        for candidate in lv[1:]:
            if n_in > candidate.above:
                level = candidate
    simple = level.simple
    if simple is None or (n_read and simple[2] is None) or price.request_per_kcall is not None:
        u = Usage(input_tokens=n_in, output_tokens=n_out, cache_read_tokens=n_read)
        return price_usage(price, u, lv)  # raises MissingRateError, or adds the fees
    r_in, r_out, r_read = simple
    c = getcontext()
    if c.prec >= level.prec and c.Emax >= _EXP and c.Emin <= -_EXP:
        # Plain operators give the same exact results as CTX under such a context (see
        # Level.prec: nothing rounds, so no trap can fire) and save 0.4 us of the 1.4 us this
        # function takes (benchmarks/cost_speed.py).
        # (a zero count gives ZERO, as in price_usage, so both paths give identical Costs)
        c_in = r_in * (n_in - n_read) if n_in - n_read else ZERO
        c_out = r_out * n_out if n_out else ZERO
        if n_read:
            c_read = r_read * n_read  # type: ignore[operator]
            total = c_in + c_out + c_read
        else:
            c_read, total = ZERO, c_in + c_out
    else:
        mul = CTX.multiply
        c_in = mul(r_in, n_in - n_read) if n_in - n_read else ZERO
        c_out = mul(r_out, n_out) if n_out else ZERO
        c_read = mul(r_read, n_read) if n_read else ZERO  # type: ignore[arg-type]
        total = CTX.add(CTX.add(c_in, c_out), c_read)
    # object.__new__ and only the fields that differ from the class defaults (see the end of
    # _usage.py): attrs' __init__ would check all 33 fields again, 1.1 us more per call.
    u = _new(Usage)
    d = u.__dict__
    d["input_tokens"], d["output_tokens"], d["cache_read_tokens"] = n_in, n_out, n_read
    cost_ = _new(Cost)
    e = cost_.__dict__
    e["model"], e["provider"], e["usage"] = price.model, price.provider, u
    e["input"], e["output"], e["cache_read"], e["total"] = c_in, c_out, c_read, total
    return cost_


_EXP = 100


# The price in force now per model name as given, with its rate levels, until the next
# price change or retirement: cost()'s fast path (models with time windows are not cached).
_HOT: dict[str, tuple[Registry, ModelPrice, tuple[Level, ...], float]] = {}
_FOREVER = float("inf")  # no change ahead: skip the clock (60 ns a call)


def _hot_price(reg: Registry, model: str, u: Usage) -> Cost:
    history = reg.history(model)
    t = now()
    price = period_at(history, t)
    check_retired(history[-1], t)
    window = window_at(price, t)
    lv = levels(price, _STANDARD, window)
    if not price.windows:
        ends = [b for b in (price.valid_to, history[-1].retired_at) if b is not None]
        from ._when import start_of

        until = min(start_of(b).timestamp() for b in ends) if ends else _FOREVER
        if len(_HOT) > 4096:
            _HOT.clear()
        _HOT[model] = (reg, price, lv, until)
    return price_usage(price, u, lv)


def compare(
    *,
    input_tokens: int = 0,
    output_tokens: int = 0,
    cache_read_tokens: int = 0,
    cache_write_5m_tokens: int = 0,
    cache_write_30m_tokens: int = 0,
    cache_write_1h_tokens: int = 0,
    cache_write_12h_tokens: int = 0,
    reasoning_tokens: int = 0,
    usage: Usage | None = None,
    models: Sequence[str] | None = None,
    provider: str | None = None,
    kind: str | None = "chat",
    service_tier: str | None = None,
    speed: str | None = None,
    inference_geo: str | None = None,
    batch: bool = False,
    include_retired: bool = False,
    at: date | datetime | None = None,
    registry: Registry | None = None,
) -> list[Cost]:
    """The cost of one workload on every model (or *models*, or *provider*'s), cheapest first.

    Only current models of *kind* (``"chat"``, ``"embedding"``, None for both) unless
    *include_retired*. Ties are broken by model id. Without *models*, a model that lacks a rate
    the workload needs (a service tier, batch, cache, modality) is left out, and so is one whose
    price varies within the day when *at* is a bare date (pass a datetime to include it); with
    *models*, each of these raises.

    >>> [c.model for c in compare(input_tokens=1_000, output_tokens=100,
    ...                           models=["gpt-4o", "gpt-4o-mini"])]
    ['gpt-4o-mini', 'gpt-4o']
    """
    u = _usage_of(
        usage,
        input_tokens,
        output_tokens,
        cache_read_tokens,
        cache_write_5m_tokens,
        cache_write_30m_tokens,
        cache_write_1h_tokens,
        cache_write_12h_tokens,
        reasoning_tokens,
    )
    reg = _registry(registry)
    ctx = context_key(service_tier, speed, inference_geo, batch)
    when = now() if at is None else instant_of(at)
    if models is not None and (isinstance(models, str) or not isinstance(models, Iterable)):
        msg = f"models must be a list of model names, not {type(models).__name__}"
        raise InvalidTypeError(msg)
    names: Iterable[str] = (
        reg.models(provider, include_retired=include_retired) if models is None else models
    )
    out = []
    for name in names:
        if models is None:
            if kind is not None and reg.history(name)[-1].kind != kind:
                continue
            try:
                out.append(priced(reg, name, u, ctx, when))
            except (MissingRateError, RetiredModelError, InvalidInputError):
                # InvalidInputError: a bare date on which this model's price varies (time
                # windows); the listing leaves it out like a model without a needed rate.
                continue
        else:
            out.append(priced(reg, name, u, ctx, when))
    out.sort(key=lambda c: (c.total, c.model))
    return out


def estimate(
    model: str,
    prompt: str | Sequence[Mapping[str, Any]],
    *,
    max_output_tokens: int,
    tools: Sequence[Mapping[str, Any]] | None = None,
    service_tier: str | None = None,
    speed: str | None = None,
    inference_geo: str | None = None,
    batch: bool = False,
    at: date | datetime | None = None,
    registry: Registry | None = None,
) -> Cost:
    """An upper bound on the cost of sending *prompt* to *model*, before the call.

    A string is counted as plain text (no message overhead); a list of chat messages with the
    chat-message formula, images included (see `count_message_tokens`). The output is assumed
    to reach *max_output_tokens*. `Cost.input_exact` says whether the input count was exact (an
    OpenAI encoding, every image's size known) or estimated. Images are priced at the model's
    input rate. The request context keywords are those of `cost`.

    >>> c = estimate("gpt-4o", "Summarise this.", max_output_tokens=100)
    >>> c.usage.input_tokens, c.usage.output_tokens, c.input_exact
    (5, 100, True)
    """
    from ._tokens import _count_messages, count_tokens, tokenizer_for

    reg = _registry(registry)
    reg.resolve(model)
    images_exact = True
    if isinstance(prompt, str):
        if tools:
            msg = "tools are counted with chat messages; pass the prompt as a list of messages"
            raise InvalidTypeError(msg)
        n = count_tokens(prompt, model, registry=reg)
    else:
        n, images_exact = _count_messages(prompt, model, tools=tools, registry=reg)
    exact = images_exact and tokenizer_for(model, registry=reg).exact
    usage = Usage(input_tokens=n, output_tokens=max_output_tokens)
    ctx = context_key(service_tier, speed, inference_geo, batch)
    return priced(reg, model, usage, ctx, at, input_exact=exact)
