"""OpenTelemetry: costs on the spans a GenAI instrumentation already makes (``llmcost[otel]``).

Imported only when `llmcost.CostSpanProcessor` is first used. A span processor sees a span
only once it has ended, when its attributes can no longer change, so `CostSpanProcessor`
sits in front of the processor that exports (``BatchSpanProcessor(exporter)``) and hands it a
copy of each GenAI span with the cost attributes added.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

try:
    from opentelemetry import metrics
    from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
except ImportError:  # pragma: no cover - exercised in a subprocess by the tests
    from ._tok_files import MissingExtraError

    _msg = (
        "llmcost.CostSpanProcessor needs the OpenTelemetry SDK (a span processor is an SDK "
        "interface): pip install 'llmcost[otel]'"
    )
    raise MissingExtraError(_msg) from None

from ._capture import log_once
from ._errors import InvalidTypeError, LLMCostError
from ._money import plain
from ._registry import Registry
from ._usage import AMOUNT_FIELDS, Usage

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import Span

    from ._registry import Registry
    from ._usage import Cost

# The GenAI semantic conventions' names, then the older ones instrumentations still emit.
_MODEL = ("gen_ai.response.model", "gen_ai.request.model")
_INPUT = ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")
_OUTPUT = ("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")
_CACHE_READ = ("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens")
_CACHE_WRITE = (
    "gen_ai.usage.cache_creation.input_tokens",
    "gen_ai.usage.cache_creation_input_tokens",
)
_TIER = ("openai.response.service_tier", "gen_ai.openai.response.service_tier")


def _first(attrs: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = attrs.get(name)
        if value is not None:
            return value
    return None


def _count(attrs: Mapping[str, Any], names: tuple[str, ...]) -> int:
    value = _first(attrs, names)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"span attribute {names[0]} must be an int, got {value!r:.40}"
        raise TypeError(msg)
    return value


class CostSpanProcessor(SpanProcessor):
    """Adds ``llmcost.cost_usd`` (and its parts) to GenAI spans, and counts the cost.

    A span is priced when it names a model (``gen_ai.response.model`` or
    ``gen_ai.request.model``) and carries ``gen_ai.usage.input_tokens`` /
    ``gen_ai.usage.output_tokens``; ``gen_ai.usage.cache_read.input_tokens`` and
    ``gen_ai.usage.cache_creation.input_tokens`` are read where present (input tokens include
    them, as the conventions say; a cache write is priced at the provider's default TTL:
    30 minutes for OpenAI, 5 minutes elsewhere). The amounts are exact decimal strings:
    ``llmcost.cost_usd`` and ``llmcost.cost.input``, ``.cache_read``, ``.cache_write``,
    ``.output``, ``.tools``, ``.request_fees``. A span that cannot be priced (unknown model)
    gets ``llmcost.unpriced = True`` and ``llmcost.unpriced_reason`` instead. Each priced span
    also adds its cost to the counter ``llmcost.cost`` (unit USD; a float, as metrics are).

    Wrap the processor that exports; other spans pass through unchanged.

    >>> from opentelemetry.sdk.trace import TracerProvider
    >>> from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    >>> from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    >>> exporter = InMemorySpanExporter()
    >>> provider = TracerProvider()
    >>> provider.add_span_processor(CostSpanProcessor(SimpleSpanProcessor(exporter)))
    >>> with provider.get_tracer("app").start_as_current_span("chat gpt-5.5") as span:
    ...     span.set_attributes({"gen_ai.request.model": "gpt-5.5",
    ...         "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100})
    >>> exporter.get_finished_spans()[0].attributes["llmcost.cost_usd"]
    '0.008'
    """

    def __init__(
        self,
        processor: SpanProcessor | None = None,
        *,
        registry: Registry | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        for name, value, need in (
            ("processor", processor, "on_end"),
            ("meter_provider", meter_provider, "get_meter"),
        ):
            if value is not None and not callable(getattr(value, need, None)):
                msg = f"{name} must be an OpenTelemetry {name.replace('_', ' ')}, not {value!r:.60}"
                raise InvalidTypeError(msg)
        if registry is not None and not isinstance(registry, Registry):
            msg = f"registry must be a Registry, not {type(registry).__name__}"
            raise InvalidTypeError(msg)
        self._next = processor
        self._registry = registry
        meter = (
            metrics.get_meter("llmcost")
            if meter_provider is None
            else meter_provider.get_meter("llmcost")
        )
        self._counter = meter.create_counter(
            "llmcost.cost", unit="USD", description="The cost of LLM calls, priced by llmcost"
        )

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        if self._next is not None:
            self._next.on_start(span, parent_context=parent_context)

    def _on_ending(self, span: Span) -> None:
        if self._next is not None:
            self._next._on_ending(span)

    def on_end(self, span: ReadableSpan) -> None:
        try:
            extra = self.attributes(span.attributes or {})
        except Exception as e:
            log_once("pricing a span", e)
            extra = None
        if extra:
            span = _copy(span, extra)
        if self._next is not None:
            self._next.on_end(span)

    def attributes(self, attrs: Mapping[str, Any]) -> dict[str, Any] | None:
        """The attributes to add to a span with *attrs* (None: not a GenAI span to price)."""
        model = _first(attrs, _MODEL)
        if not isinstance(model, str) or not model or "llmcost.cost_usd" in attrs:
            return None
        if _first(attrs, _INPUT) is None and _first(attrs, _OUTPUT) is None:
            return None
        from ._cost import cost

        try:
            c = cost(model, self._usage(model, attrs), service_tier=self._tier(attrs),
                     registry=self._registry)  # fmt: skip
        except (LLMCostError, TypeError) as e:
            return {"llmcost.unpriced": True, "llmcost.unpriced_reason": f"{e}"[:500]}
        self._count(c, model)
        out: dict[str, Any] = {"llmcost.cost_usd": plain(c.total)}
        for name in AMOUNT_FIELDS:
            out[f"llmcost.cost.{name}"] = plain(getattr(c, name))
        out["llmcost.model"] = c.model
        return out

    def _usage(self, model: str, attrs: Mapping[str, Any]) -> Usage:
        written = _count(attrs, _CACHE_WRITE)
        ttl = "cache_write_5m_tokens"
        if written:
            from ._registry import Registry

            reg = Registry.default() if self._registry is None else self._registry
            if reg.get(model).provider in ("openai", "azure"):
                ttl = "cache_write_30m_tokens"
        return Usage(
            input_tokens=_count(attrs, _INPUT),
            output_tokens=_count(attrs, _OUTPUT),
            cache_read_tokens=_count(attrs, _CACHE_READ),
            **{ttl: written},
        )

    @staticmethod
    def _tier(attrs: Mapping[str, Any]) -> str | None:
        tier = _first(attrs, _TIER)
        return tier if isinstance(tier, str) and tier else None

    def _count(self, c: Cost, model: str) -> None:
        attributes = {
            "gen_ai.request.model": model,
            "gen_ai.provider.name": c.provider,
            "llmcost.model": c.model,
        }
        self._counter.add(float(c.total), attributes)

    def shutdown(self) -> None:
        if self._next is not None:
            self._next.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True if self._next is None else self._next.force_flush(timeout_millis)


def _copy(span: ReadableSpan, extra: Mapping[str, Any]) -> ReadableSpan:
    """The ended *span* with *extra* attributes (ended spans are immutable)."""
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes={**(span.attributes or {}), **extra},
        events=span.events,
        links=span.links,
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )
