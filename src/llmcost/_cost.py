"""Pure cost functions: `Usage`, `Cost`, `cost()`, `compare()` and `estimate()`. No I/O."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Context, Decimal, Inexact, getcontext
from typing import Any

import attrs

from ._errors import InvalidTypeError, InvalidUsageError, MissingRateError
from ._registry import _DEFAULTS, ModelPrice, Registry, _env_prices, batch_factor

_ZERO = Decimal(0)
# Exact arithmetic whatever the caller's decimal context: 60 digits hold any price times any
# realistic token count without rounding.
_CTX = Context(prec=60)
_MIXED = "mixed"
_NONE = 0  # the default of cost()'s token keywords; `is _NONE` tells "not given" at no cost
_new = object.__new__
_set = object.__setattr__


def _check_usage(u: Usage) -> None:
    """Validate *u* field by field, with a message that says what is wrong (the slow path)."""
    for name in _USAGE_FIELDS:
        value = getattr(u, name)
        if type(value) is not int:
            if isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(u, name, int(value))  # an int subclass such as numpy's
                continue
            kind = "a bool" if isinstance(value, bool) else type(value).__name__
            msg = f"{name} must be a non-negative int, got {kind} {value!r}"
            raise InvalidUsageError(msg)
        if value < 0:
            msg = f"{name} must be a non-negative int, got {value!r}"
            raise InvalidUsageError(msg)
    cached = u.cache_read_tokens + u.cache_write_tokens + u.cache_write_1h_tokens
    if cached > u.input_tokens:
        msg = (
            f"cache tokens ({u.cache_read_tokens} read + {u.cache_write_tokens} written + "
            f"{u.cache_write_1h_tokens} written for 1h = {cached}) exceed input_tokens "
            f"({u.input_tokens}); input_tokens must include the cache tokens "
            "(the OpenTelemetry GenAI convention)"
        )
        raise InvalidUsageError(msg)
    if u.reasoning_tokens > u.output_tokens:
        msg = (
            f"reasoning_tokens ({u.reasoning_tokens}) exceed output_tokens ({u.output_tokens}); "
            "output_tokens must include the reasoning tokens"
        )
        raise InvalidUsageError(msg)


# Dict classes (slots=False): attrs initialises them faster, and cost() is a hot path.
@attrs.frozen(kw_only=True, slots=False)
class Usage:
    """Token counts of one or more requests, in the OpenTelemetry GenAI convention.

    `input_tokens` includes the cache-read and cache-write tokens; `output_tokens` includes
    the reasoning tokens. `cache_write_tokens` are default (5-minute) cache writes,
    `cache_write_1h_tokens` one-hour writes. Every count is a non-negative int (a bool is
    not), else `InvalidUsageError`. Usages add.

    >>> u = Usage(input_tokens=12_000, output_tokens=800, cache_read_tokens=10_000)
    >>> u.uncached_input_tokens
    2000
    >>> (u + u).input_tokens
    24000
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cache_write_1h_tokens: int = 0
    reasoning_tokens: int = 0

    def __attrs_post_init__(self) -> None:
        d = self.__dict__
        i, o = d["input_tokens"], d["output_tokens"]
        r, w, w1 = d["cache_read_tokens"], d["cache_write_tokens"], d["cache_write_1h_tokens"]
        rs = d["reasoning_tokens"]
        if not (
            type(i) is int
            and type(o) is int
            and type(r) is int
            and type(w) is int
            and type(w1) is int
            and type(rs) is int
            and i >= r + w + w1
            and o >= rs
            and min(r, w, w1, rs) >= 0
        ):
            _check_usage(self)

    @property
    def uncached_input_tokens(self) -> int:
        """Input tokens neither read from nor written to a cache."""
        return (
            self.input_tokens
            - self.cache_read_tokens
            - self.cache_write_tokens
            - self.cache_write_1h_tokens
        )

    def __add__(self, other: object) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            cache_write_1h_tokens=self.cache_write_1h_tokens + other.cache_write_1h_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
        )

    def __radd__(self, other: object) -> Usage:
        if other == 0:  # sum() starts from 0
            return self
        return NotImplemented


_USAGE_FIELDS = tuple(a.name for a in attrs.fields(Usage))
_EMPTY_USAGE = Usage()


@attrs.frozen(kw_only=True, slots=False)
class Cost:
    """What a request (or several) cost, in USD as exact `Decimal` (never rounded inside).

    `input` is the uncached input, `cache_read` the cache reads, `cache_write` both kinds of
    cache writes, `output` the output (reasoning included). `total` is their exact sum.
    Costs add; a sum over different models has ``model == "mixed"`` and keeps the per-model
    costs in `by_model()`. `input_exact` is False when the input count was estimated.
    `str()` rounds for people; the fields stay exact (their trailing zeros mean nothing).

    >>> from decimal import Decimal
    >>> c = cost("gpt-4o", input_tokens=1_200, output_tokens=300)
    >>> c.input == c.output == Decimal("0.003"), c.total == Decimal("0.006")
    (True, True)
    >>> str(c)
    'gpt-4o: $0.006000 (input $0.003000, output $0.003000)'
    """

    model: str
    provider: str
    usage: Usage = _EMPTY_USAGE
    input: Decimal = _ZERO
    output: Decimal = _ZERO
    cache_read: Decimal = _ZERO
    cache_write: Decimal = _ZERO
    total: Decimal = _ZERO
    batch: bool = False
    input_exact: bool = True
    parts: tuple[Cost, ...] = attrs.field(default=(), repr=False)

    def by_model(self) -> dict[str, Cost]:
        """The cost of each model in this total (one entry unless it is mixed)."""
        if not self.parts:
            return {self.model: self}
        return {c.model: c for c in self.parts}

    def __add__(self, other: object) -> Cost:
        if not isinstance(other, Cost):
            return NotImplemented
        return _add(self, other)

    def __radd__(self, other: object) -> Cost:
        if other == 0:  # sum() starts from 0
            return self
        return NotImplemented

    def __str__(self) -> str:
        parts = [f"input {_usd(self.input)}"]
        if self.cache_read:
            parts.append(f"cache read {_usd(self.cache_read)}")
        if self.cache_write:
            parts.append(f"cache write {_usd(self.cache_write)}")
        parts.append(f"output {_usd(self.output)}")
        label = self.model + (" (batch)" if self.batch else "")
        approx = "" if self.input_exact else "~"
        return f"{label}: {approx}{_usd(self.total)} ({', '.join(parts)})"


def _usd(amount: Decimal) -> str:
    """Rounded to a millionth of a dollar: for display only."""
    return f"${amount:,.6f}"


def _sum_fields(a: Cost, b: Cost, model: str, provider: str) -> Cost:
    return Cost(
        model=model,
        provider=provider,
        usage=a.usage + b.usage,
        input=_CTX.add(a.input, b.input),
        output=_CTX.add(a.output, b.output),
        cache_read=_CTX.add(a.cache_read, b.cache_read),
        cache_write=_CTX.add(a.cache_write, b.cache_write),
        total=_CTX.add(a.total, b.total),
        batch=a.batch and b.batch,
        input_exact=a.input_exact and b.input_exact,
    )


def _add(a: Cost, b: Cost) -> Cost:
    if a.model == b.model and not a.parts and not b.parts:
        return _sum_fields(a, b, a.model, a.provider)
    per_model: dict[str, Cost] = {}
    for c in (*(a.parts or (a,)), *(b.parts or (b,))):
        seen = per_model.get(c.model)
        per_model[c.model] = c if seen is None else _sum_fields(seen, c, c.model, c.provider)
    total = _sum_fields(a, b, _MIXED, _MIXED)
    if len(per_model) == 1:
        return next(iter(per_model.values()))
    providers = {c.provider for c in per_model.values()}
    provider = providers.pop() if len(providers) == 1 else _MIXED
    return attrs.evolve(
        total, provider=provider, parts=tuple(per_model[m] for m in sorted(per_model))
    )


# --- rates ---------------------------------------------------------------------------------


class _Rates:
    """Per-token USD rates of one price level (a plain class: attrs would cost import time).

    `fast` says the rates are small enough (each below $1 a token, at most 16 decimal places)
    that, for fewer than 10**9 tokens, products and sums need at most 26 digits: exact under
    any decimal context of 28 digits or more, so the hot path may use plain operators.
    """

    __slots__ = (
        "above",
        "cache_read",
        "cache_write",
        "cache_write_1h",
        "fast",
        "input",
        "output",
    )

    def __init__(
        self,
        above: int,
        input: Decimal,
        output: Decimal,
        cache_read: Decimal | None,
        cache_write: Decimal | None,
        cache_write_1h: Decimal | None,
    ) -> None:
        self.above = above
        self.input = input
        self.output = output
        self.cache_read = cache_read
        self.cache_write = cache_write
        self.cache_write_1h = cache_write_1h
        rates = [r for r in (input, output, cache_read, cache_write, cache_write_1h) if r]
        self.fast = all(r < 1 and int(r.as_tuple().exponent) >= -16 for r in rates)


def _per_token(rate: Decimal | None, factor: Decimal | None = None) -> Decimal | None:
    if rate is None:
        return None
    if factor is not None:
        rate = _CTX.multiply(rate, factor)
    return rate.scaleb(-6, _CTX)


_RATES: dict[tuple[int, bool], tuple[ModelPrice, tuple[_Rates, ...]]] = {}


def _rates(price: ModelPrice, batch: bool) -> tuple[_Rates, ...]:
    """The per-token rates of *price*: the base level first, then one per tier. Cached."""
    key = (id(price), batch)
    hit = _RATES.get(key)
    if hit is not None and hit[0] is price:
        return hit[1]
    fin = fout = None
    if batch:
        if price.batch_input_per_mtok is None or price.batch_output_per_mtok is None:
            msg = (
                f"{price.model} has no batch rate in the registry; price it with batch=False "
                "or add batch_input_per_mtok / batch_output_per_mtok with Registry.with_prices"
            )
            raise MissingRateError(msg)
        try:
            fin = batch_factor(price.batch_input_per_mtok, price.input_per_mtok)
            fout = batch_factor(price.batch_output_per_mtok, price.output_per_mtok)
        except Inexact:
            msg = (
                f"{price.model}: its batch rates are not an exact ratio of its full rates, so "
                "the batch discount on cache and long-context rates cannot be applied exactly"
            )
            raise MissingRateError(msg) from None
    levels: list[tuple[int, Any]] = [(-1, price), *((t.above_input_tokens, t) for t in price.tiers)]
    rates = tuple(
        _Rates(
            above,
            input=_per_token(r.input_per_mtok, fin) or _ZERO,
            output=_per_token(r.output_per_mtok, fout) or _ZERO,
            cache_read=_per_token(r.cache_read_per_mtok, fin),
            cache_write=_per_token(r.cache_write_per_mtok, fin),
            cache_write_1h=_per_token(r.cache_write_1h_per_mtok, fin),
        )
        for above, r in levels
    )
    if len(_RATES) > 8192:
        _RATES.clear()
    _RATES[key] = (price, rates)
    return rates


def _missing(price: ModelPrice, what: str, tokens: int, tier: int) -> MissingRateError:
    where = f" above {tier:,} input tokens" if tier >= 0 else ""
    msg = (
        f"{price.model} has no {what} rate{where} in the registry, but the usage has {tokens:,} "
        f"such tokens; llmcost never prices them at $0. Add the rate with Registry.with_prices."
    )
    return MissingRateError(msg)


def _price_usage(
    price: ModelPrice,
    u: Usage,
    batch: bool = False,
    input_exact: bool = True,
    levels: tuple[_Rates, ...] | None = None,
) -> Cost:
    if levels is None or batch:
        levels = _rates(price, batch)
    d = u.__dict__
    n_in = d["input_tokens"]
    r = levels[0]
    if len(levels) > 1:
        for level in levels[1:]:
            if n_in > level.above:
                r = level
    n_out = d["output_tokens"]
    if (
        not (d["cache_read_tokens"] or d["cache_write_tokens"] or d["cache_write_1h_tokens"])
        and r.fast
        and n_in < _FAST_TOKENS
        and n_out < _FAST_TOKENS
        and getcontext().prec >= _FAST_PREC
    ):
        # Exact with plain operators: see _Rates.fast.
        c_in = r.input * n_in
        c_out = r.output * n_out
        return _make_cost(price, u, c_in, c_out, _ZERO, _ZERO, c_in + c_out, batch, input_exact)
    mul, add = _CTX.multiply, _CTX.add
    c_in = mul(r.input, u.uncached_input_tokens)
    c_out = mul(r.output, n_out)
    c_read = c_write = _ZERO
    if u.cache_read_tokens:
        if r.cache_read is None:
            raise _missing(price, "cache-read", u.cache_read_tokens, r.above)
        c_read = mul(r.cache_read, u.cache_read_tokens)
    if u.cache_write_tokens:
        if r.cache_write is None:
            raise _missing(price, "cache-write", u.cache_write_tokens, r.above)
        c_write = mul(r.cache_write, u.cache_write_tokens)
    if u.cache_write_1h_tokens:
        if r.cache_write_1h is None:
            raise _missing(price, "1-hour cache-write", u.cache_write_1h_tokens, r.above)
        c_write = add(c_write, mul(r.cache_write_1h, u.cache_write_1h_tokens))
    total = add(add(add(c_in, c_out), c_read), c_write)
    return _make_cost(price, u, c_in, c_out, c_read, c_write, total, batch, input_exact)


_FAST_TOKENS = 10**9
_FAST_PREC = 28  # Python's default decimal precision


def _make_cost(
    price: ModelPrice,
    u: Usage,
    c_in: Decimal,
    c_out: Decimal,
    c_read: Decimal,
    c_write: Decimal,
    total: Decimal,
    batch: bool,
    input_exact: bool,
) -> Cost:
    """A Cost from parts this module computed itself (skips re-validating them: hot path)."""
    c = _new(Cost)
    _set(
        c,
        "__dict__",
        {
            "model": price.model,
            "provider": price.provider,
            "usage": u,
            "input": c_in,
            "output": c_out,
            "cache_read": c_read,
            "cache_write": c_write,
            "total": total,
            "batch": batch,
            "input_exact": input_exact,
            "parts": (),
        },
    )
    return c


# --- today, cheaply --------------------------------------------------------------------------

_today: tuple[date, float] = (date.min, 0.0)


def _current_date() -> date:
    """Today's local date, recomputed only when the clock passes midnight."""
    global _today
    day, until = _today
    now = time.time()
    if now >= until:
        day = date.today()
        midnight = datetime.combine(day + timedelta(days=1), datetime.min.time())
        _today = (day, midnight.timestamp())
    return day


def _registry(registry: Registry | None) -> Registry:
    return Registry.default() if registry is None else registry


def cost(
    model: str,
    usage: Usage | None = None,
    *,
    input_tokens: int = 0,
    output_tokens: int = 0,
    cache_read_tokens: int = _NONE,
    cache_write_tokens: int = _NONE,
    cache_write_1h_tokens: int = _NONE,
    reasoning_tokens: int = _NONE,
    batch: bool = False,
    at: date | None = None,
    registry: Registry | None = None,
) -> Cost:
    """The exact cost of a request to *model*: pass a `Usage` or the token keywords, not both.

    Rules: uncached input at the input rate; cache reads at the cache-read rate; cache writes
    at their 5-minute or 1-hour write rates; output (reasoning included, never counted twice)
    at the output rate. When `input_tokens` exceeds a long-context tier's threshold, that
    tier's rates apply to the whole request. ``batch=True`` uses the batch rates, and the
    batch discount applies to cache reads and writes too (the vendors' batch rule; never above
    the non-batch price). A rate the model lacks raises `MissingRateError`, never a silent $0.
    *at* prices as of a date (default: today).

    >>> c = cost("claude-sonnet-4-5", Usage(input_tokens=12_000, output_tokens=800,
    ...                                     cache_read_tokens=10_000))
    >>> print(c)
    claude-sonnet-4-5: $0.021000 (input $0.006000, cache read $0.003000, output $0.012000)
    >>> from decimal import Decimal
    >>> cost("gpt-4o", input_tokens=1_000_000, batch=True).total == Decimal("1.25")
    True

    Amounts are exact Decimals; their trailing zeros carry no meaning (``0.0060000`` is 0.006).
    """
    if usage is None:
        if (
            cache_read_tokens is _NONE
            and cache_write_tokens is _NONE
            and cache_write_1h_tokens is _NONE
            and reasoning_tokens is _NONE
            and type(input_tokens) is int
            and type(output_tokens) is int
            and input_tokens >= 0
            and output_tokens >= 0
        ):
            usage = _new(Usage)
            _set(
                usage,
                "__dict__",
                {
                    "input_tokens": input_tokens,
                    "output_tokens": output_tokens,
                    "cache_read_tokens": 0,
                    "cache_write_tokens": 0,
                    "cache_write_1h_tokens": 0,
                    "reasoning_tokens": 0,
                },
            )
        else:
            usage = Usage(
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                cache_read_tokens=cache_read_tokens,
                cache_write_tokens=cache_write_tokens,
                cache_write_1h_tokens=cache_write_1h_tokens,
                reasoning_tokens=reasoning_tokens,
            )
    elif not isinstance(usage, Usage):
        msg = f"usage must be a Usage, not {type(usage).__name__}"
        raise InvalidTypeError(msg)
    elif (
        input_tokens
        or output_tokens
        or cache_read_tokens
        or cache_write_tokens
        or cache_write_1h_tokens
        or reasoning_tokens
    ):
        msg = "pass either a Usage or token keywords to cost(), not both"
        raise InvalidTypeError(msg)
    reg = (_DEFAULTS.get(_env_prices()) or Registry.default()) if registry is None else registry
    if at is not None or batch:
        return _price_usage(reg.get(model, at=at), usage, batch=batch)
    day = _current_date()
    hot = _HOT.get(model)
    if hot is None or hot[0] is not reg or hot[1] != day:
        price = reg.get(model, at=day)
        hot = (reg, day, price, _rates(price, False))
        if len(_HOT) > 4096:
            _HOT.clear()
        _HOT[model] = hot
    return _price_usage(hot[2], usage, False, True, hot[3])


# The price in force today per model name as given, with its rates: cost()'s fast path.
_HOT: dict[str, tuple[Registry, date, ModelPrice, tuple[_Rates, ...]]] = {}


def compare(
    *,
    input_tokens: int,
    output_tokens: int,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    cache_write_1h_tokens: int = 0,
    reasoning_tokens: int = 0,
    models: Sequence[str] | None = None,
    provider: str | None = None,
    batch: bool = False,
    at: date | None = None,
    registry: Registry | None = None,
) -> list[Cost]:
    """The cost of one workload on every model (or *models*, or *provider*'s), cheapest first.

    Ties are broken by model id. Without *models*, a model that lacks a rate the workload
    needs (batch, cache) is left out; with *models*, it raises `MissingRateError`.

    >>> [c.model for c in compare(input_tokens=1_000, output_tokens=100,
    ...                           models=["gpt-4o", "gpt-4o-mini"])]
    ['gpt-4o-mini', 'gpt-4o']
    """
    usage = Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read_tokens=cache_read_tokens,
        cache_write_tokens=cache_write_tokens,
        cache_write_1h_tokens=cache_write_1h_tokens,
        reasoning_tokens=reasoning_tokens,
    )
    reg = _registry(registry)
    when = _current_date() if at is None else at
    names: Iterable[str] = reg.models(provider) if models is None else models
    out = []
    for name in names:
        price = reg.get(name, at=when)
        if models is None:
            try:
                out.append(_price_usage(price, usage, batch=batch))
            except MissingRateError:
                continue
        else:
            out.append(_price_usage(price, usage, batch=batch))
    out.sort(key=lambda c: (c.total, c.model))
    return out


def estimate(
    model: str,
    prompt: str | Sequence[Mapping[str, Any]],
    *,
    max_output_tokens: int,
    tools: Sequence[Mapping[str, Any]] | None = None,
    batch: bool = False,
    at: date | None = None,
    registry: Registry | None = None,
) -> Cost:
    """An upper bound on the cost of sending *prompt* to *model*, before the call.

    A string is counted as plain text (no message overhead); a list of chat messages with the
    chat-message formula, images included (see `count_message_tokens`). The output is assumed
    to reach *max_output_tokens*. `Cost.input_exact` says whether the input count was exact (an
    OpenAI encoding, every image's size known) or estimated. Images are priced at the model's
    input rate.

    >>> c = estimate("gpt-4o", "Summarise this.", max_output_tokens=100)
    >>> c.usage.input_tokens, c.usage.output_tokens, c.input_exact
    (5, 100, True)
    """
    from ._tokens import _count_messages, count_tokens, tokenizer_for

    reg = _registry(registry)
    price = reg.get(model, at=_current_date() if at is None else at)
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
    return _price_usage(price, usage, batch=batch, input_exact=exact)
