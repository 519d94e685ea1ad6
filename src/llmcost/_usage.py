"""The value classes `Usage` (what a request consumed) and `Cost` (what it cost)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from operator import attrgetter
from types import MappingProxyType
from typing import Any

import attrs

from ._errors import InvalidUsageError
from ._money import CTX, MAX_COUNT, ZERO, usd

#: The parts of `input_tokens`, `cache_read_tokens` and `output_tokens` (see `Usage`).
CACHE_WRITE_FIELDS = (
    "cache_write_5m_tokens",
    "cache_write_30m_tokens",
    "cache_write_1h_tokens",
    "cache_write_12h_tokens",
)
CACHED_MEDIA_FIELDS = (
    "cache_read_audio_tokens",
    "cache_read_image_tokens",
    "cache_read_video_tokens",
)
INPUT_MEDIA_FIELDS = ("audio_input_tokens", "image_input_tokens", "video_input_tokens")
OUTPUT_PART_FIELDS = ("reasoning_tokens", "audio_output_tokens", "image_output_tokens")
COUNT_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    *CACHE_WRITE_FIELDS,
    *INPUT_MEDIA_FIELDS,
    *CACHED_MEDIA_FIELDS,
    *OUTPUT_PART_FIELDS,
    "requests",
)
_NO_TOOLS: Mapping[str, int] = MappingProxyType({})


def _bad_count(name: str, value: object) -> InvalidUsageError:
    kind = "a bool" if isinstance(value, bool) else type(value).__name__
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            return InvalidUsageError(f"{name} must be a non-negative int, got {value!r}")
        size = f"{value:.3e}" if value < 10**300 else f"a {value.bit_length()}-bit number"
        return InvalidUsageError(
            f"{name} is {size}: llmcost prices counts up to 10**15 exactly and "
            "refuses larger ones rather than round them"
        )
    return InvalidUsageError(f"{name} must be a non-negative int, got {kind} {value!r:.60}")


def _tools(value: object) -> Mapping[str, int]:
    if value is _NO_TOOLS or (isinstance(value, Mapping) and not value):
        return _NO_TOOLS
    if not isinstance(value, Mapping):
        msg = f"tool_calls must be a mapping of tool names to counts, not {type(value).__name__}"
        raise InvalidUsageError(msg)
    out: dict[str, int] = {}
    for name, n in value.items():
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            msg = f"tool_calls names must be non-empty strings, not {name!r:.60}"
            raise InvalidUsageError(msg)
        if type(n) is not int or not 0 <= n <= MAX_COUNT:
            raise _bad_count(f"tool_calls[{name!r}]", n)
        if n:
            key = name.strip().lower()
            out[key] = out.get(key, 0) + n
    return MappingProxyType(dict(sorted(out.items()))) if out else _NO_TOOLS


def _check(u: Usage) -> None:
    """Validate every count, then the part-of relations, with a message naming the fields."""
    d = u.__dict__
    for name in COUNT_FIELDS:
        value = d[name]
        if type(value) is not int:
            if isinstance(value, int) and not isinstance(value, bool):  # numpy ints and the like
                value = int(value)
                d[name] = value
            else:
                raise _bad_count(name, value)
        if not 0 <= value <= MAX_COUNT:
            raise _bad_count(name, value)
    cached = d["cache_read_tokens"]
    writes = sum(d[f] for f in CACHE_WRITE_FIELDS)
    if cached + writes > d["input_tokens"]:
        msg = (
            f"cache tokens ({cached} read + {writes} written = {cached + writes}) exceed "
            f"input_tokens ({d['input_tokens']}); input_tokens must include the cache tokens "
            "(the OpenTelemetry GenAI convention)"
        )
        raise InvalidUsageError(msg)
    media = sum(d[f] for f in INPUT_MEDIA_FIELDS)
    if media > d["input_tokens"]:
        msg = f"audio, image and video input ({media}) exceed input_tokens ({d['input_tokens']})"
        raise InvalidUsageError(msg)
    for part, whole in zip(CACHED_MEDIA_FIELDS, INPUT_MEDIA_FIELDS, strict=True):
        if d[part] > d[whole]:
            msg = f"{part} ({d[part]}) exceed {whole} ({d[whole]}), which include them"
            raise InvalidUsageError(msg)
    cached_media = sum(d[f] for f in CACHED_MEDIA_FIELDS)
    if cached_media > cached:
        msg = f"cached media tokens ({cached_media}) exceed cache_read_tokens ({cached})"
        raise InvalidUsageError(msg)
    if media - cached_media + cached + writes > d["input_tokens"]:
        msg = (
            f"uncached media ({media - cached_media}) plus cache reads and writes "
            f"({cached + writes}) "
            f"exceed input_tokens ({d['input_tokens']})"
        )
        raise InvalidUsageError(msg)
    out_parts = sum(d[f] for f in OUTPUT_PART_FIELDS)
    if out_parts > d["output_tokens"]:
        names = " + ".join(f for f in OUTPUT_PART_FIELDS if d[f])
        msg = (
            f"{names} ({out_parts}) exceed output_tokens ({d['output_tokens']}); output_tokens "
            "must include the reasoning and media output tokens"
        )
        raise InvalidUsageError(msg)


# Dict classes (slots=False): attrs initialises them faster, and cost() is a hot path.
@attrs.frozen(kw_only=True, slots=False, repr=False)
class Usage:
    """Token counts of one or more requests, in the OpenTelemetry GenAI convention.

    Totals include their parts: `input_tokens` includes the cache reads, the cache writes and
    the audio, image and video input; `output_tokens` includes the reasoning and the audio
    and image output. Cache writes are counted by TTL (`cache_write_5m_tokens` for
    Anthropic's default, `cache_write_30m_tokens` for OpenAI's, `cache_write_1h_tokens`,
    `cache_write_12h_tokens`). `audio_input_tokens` (and image, video) count that modality's
    input including its cached part, `cache_read_audio_tokens` (and image, video) the cached
    part. `requests` is how many requests this is (1 unless usages were added);
    `tool_calls` counts server-side tool uses by name (``{"web_search": 2}``). Every count is
    a non-negative int up to 10**15 (a bool is not), else `InvalidUsageError`. Usages add.

    >>> u = Usage(input_tokens=12_000, output_tokens=800, cache_read_tokens=10_000)
    >>> u.uncached_input_tokens
    2000
    >>> (u + u).input_tokens, (u + u).requests
    (24000, 2)
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_5m_tokens: int = 0
    cache_write_30m_tokens: int = 0
    cache_write_1h_tokens: int = 0
    cache_write_12h_tokens: int = 0
    audio_input_tokens: int = 0
    image_input_tokens: int = 0
    video_input_tokens: int = 0
    cache_read_audio_tokens: int = 0
    cache_read_image_tokens: int = 0
    cache_read_video_tokens: int = 0
    reasoning_tokens: int = 0
    audio_output_tokens: int = 0
    image_output_tokens: int = 0
    requests: int = 1
    tool_calls: Mapping[str, int] = attrs.field(default=_NO_TOOLS, converter=_tools, hash=False)

    def __attrs_post_init__(self) -> None:
        d = self.__dict__
        i, o, r = d["input_tokens"], d["output_tokens"], d["cache_read_tokens"]
        if (
            type(i) is int
            and type(o) is int
            and type(r) is int
            and 0 <= r <= i <= MAX_COUNT
            and 0 <= o <= MAX_COUNT
            and all(d[f] == 0 and type(d[f]) is int for f in _PARTS)
            and d["requests"] == 1
            and type(d["requests"]) is int
        ):
            return  # the common shape: no writes, no media, no reasoning
        _check(self)

    @property
    def cache_write_tokens(self) -> int:
        """All cache writes, whatever their TTL (OpenTelemetry's ``cache_creation`` count)."""
        return int(
            self.cache_write_5m_tokens
            + self.cache_write_30m_tokens
            + self.cache_write_1h_tokens
            + self.cache_write_12h_tokens
        )

    @property
    def uncached_input_tokens(self) -> int:
        """Input tokens neither read from nor written to a cache (every modality)."""
        return self.input_tokens - self.cache_read_tokens - self.cache_write_tokens

    def __add__(self, other: object) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        pairs = zip(COUNT_FIELDS, get_counts(self), get_counts(other), strict=True)
        counts: dict[str, Any] = {f: x + y for f, x, y in pairs}
        tools = dict(self.tool_calls)
        for name, n in other.tool_calls.items():
            tools[name] = tools.get(name, 0) + n
        return Usage(**counts, tool_calls=tools)

    def __radd__(self, other: object) -> Usage:
        if other == 0:  # sum() starts from 0
            return self
        return NotImplemented

    def __repr__(self) -> str:
        # Only the counts that differ from their defaults: a usage has 17 of them.
        shown = [f"{f}={n!r}" for f, n in self.counts().items() if n != (f == "requests")]
        if self.tool_calls:
            shown.append(f"tool_calls={dict(self.tool_calls)!r}")
        return f"Usage({', '.join(shown)})"

    def counts(self) -> dict[str, int]:
        """Every count field (not `tool_calls`) by name, in field order."""
        return dict(zip(COUNT_FIELDS, get_counts(self), strict=True))


#: Every count of a Usage, as a tuple in `COUNT_FIELDS` order (one C call).
get_counts = attrgetter(*COUNT_FIELDS)
_PARTS = tuple(
    f
    for f in COUNT_FIELDS
    if f not in ("input_tokens", "output_tokens", "cache_read_tokens", "requests")
)
_EMPTY_USAGE = Usage()
MIXED = "mixed"
AMOUNT_FIELDS = ("input", "cache_read", "cache_write", "output", "tools", "request_fees")


def _same(a: str | None, b: str | None) -> str | None:
    return a if a == b else MIXED


@attrs.frozen(kw_only=True, slots=False)
class Cost:
    """What a request (or several) cost, in USD as exact `Decimal` (never rounded inside).

    `input` is the uncached input (every modality), `cache_read` the cache reads,
    `cache_write` the cache writes (every TTL), `output` the output (reasoning and media
    included), `tools` the server-side tool charges, `request_fees` per-request fees; `total`
    is their exact sum. `service_tier`, `speed` and `inference_geo` say which rates applied
    (``"mixed"`` in a sum of different ones); `batch` is ``service_tier == "batch"``. Costs
    add; a sum over different models has ``model == "mixed"`` and keeps the per-model costs in
    `by_model()`. `input_exact` is False when the input count was estimated. `str()` rounds
    for people; the fields stay exact (their trailing zeros mean nothing).

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
    input: Decimal = ZERO
    output: Decimal = ZERO
    cache_read: Decimal = ZERO
    cache_write: Decimal = ZERO
    tools: Decimal = ZERO
    request_fees: Decimal = ZERO
    total: Decimal = ZERO
    service_tier: str = "standard"
    speed: str = "standard"
    inference_geo: str | None = None
    input_exact: bool = True
    parts: tuple[Cost, ...] = attrs.field(default=(), repr=False)

    @property
    def batch(self) -> bool:
        """Whether the batch rates applied."""
        return self.service_tier == "batch"

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
        parts = [f"input {usd(self.input)}"]
        for name, label in (("cache_read", "cache read"), ("cache_write", "cache write")):
            if getattr(self, name):
                parts.append(f"{label} {usd(getattr(self, name))}")
        parts.append(f"output {usd(self.output)}")
        if self.tools:
            parts.append(f"tools {usd(self.tools)}")
        if self.request_fees:
            parts.append(f"request fees {usd(self.request_fees)}")
        context = [c for c in (self.service_tier, self.speed) if c not in ("standard",)]
        if self.inference_geo:
            context.append(f"geo {self.inference_geo}")
        label = self.model + (f" ({', '.join(context)})" if context else "")
        approx = "" if self.input_exact else "~"
        return f"{label}: {approx}{usd(self.total)} ({', '.join(parts)})"


def _sum_fields(a: Cost, b: Cost, model: str, provider: str) -> Cost:
    return Cost(
        model=model,
        provider=provider,
        usage=a.usage + b.usage,
        input=CTX.add(a.input, b.input),
        output=CTX.add(a.output, b.output),
        cache_read=CTX.add(a.cache_read, b.cache_read),
        cache_write=CTX.add(a.cache_write, b.cache_write),
        tools=CTX.add(a.tools, b.tools),
        request_fees=CTX.add(a.request_fees, b.request_fees),
        total=CTX.add(a.total, b.total),
        service_tier=_same(a.service_tier, b.service_tier) or MIXED,
        speed=_same(a.speed, b.speed) or MIXED,
        inference_geo=_same(a.inference_geo, b.inference_geo),
        input_exact=a.input_exact and b.input_exact,
    )


def _add(a: Cost, b: Cost) -> Cost:
    if a.model == b.model and not a.parts and not b.parts:
        return _sum_fields(a, b, a.model, a.provider)
    per_model: dict[str, Cost] = {}
    for c in (*(a.parts or (a,)), *(b.parts or (b,))):
        seen = per_model.get(c.model)
        per_model[c.model] = c if seen is None else _sum_fields(seen, c, c.model, c.provider)
    total = _sum_fields(a, b, MIXED, MIXED)
    if len(per_model) == 1:
        return next(iter(per_model.values()))
    providers = {c.provider for c in per_model.values()}
    provider = providers.pop() if len(providers) == 1 else MIXED
    return attrs.evolve(
        total, provider=provider, parts=tuple(per_model[m] for m in sorted(per_model))
    )


# Class-level defaults: cost()'s fast path then fills only the fields it sets in an
# instance's __dict__ (170 ns of its 1.4 us, benchmarks/cost_speed.py); every other field
# reads its default from the class. So code reads fields as attributes, never via __dict__.
for _cls in (Usage, Cost):
    for _a in attrs.fields(_cls):
        if _a.default is not attrs.NOTHING:
            setattr(_cls, _a.name, _a.default)
del _cls, _a
