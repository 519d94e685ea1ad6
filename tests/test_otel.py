"""CostSpanProcessor on spans made with the OpenTelemetry SDK and its in-memory exporters."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import llmcost

from .capture_helpers import rates, usd


class Otel:
    """A tracer provider whose GenAI spans go through CostSpanProcessor to memory."""

    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.metrics = InMemoryMetricReader()
        self.meters = MeterProvider(metric_readers=[self.metrics])
        self.provider = TracerProvider()
        self.processor = llmcost.CostSpanProcessor(
            SimpleSpanProcessor(self.spans), meter_provider=self.meters
        )
        self.provider.add_span_processor(self.processor)

    def span(self, name: str, attributes: dict[str, Any]) -> dict[str, Any]:
        """End one span with *attributes*; return the attributes it was exported with."""
        with self.provider.get_tracer("test").start_as_current_span(name) as span:
            span.set_attributes(attributes)
        exported = self.spans.get_finished_spans()[-1]
        assert exported.name == name
        return dict(exported.attributes or {})

    def counted(self) -> dict[str, float]:
        """The llmcost.cost counter's sum per canonical model."""
        data = self.metrics.get_metrics_data()
        out: dict[str, float] = {}
        for rm in data.resource_metrics if data else ():
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    if metric.name == "llmcost.cost":
                        assert metric.unit == "USD"
                        for point in metric.data.data_points:
                            out[str(point.attributes["llmcost.model"])] = point.value
        return out


@pytest.fixture
def otel() -> Iterator[Otel]:
    """A fresh provider per test."""
    o = Otel()
    yield o
    o.provider.shutdown()
    o.meters.shutdown()


def test_genai_span_gets_its_cost(otel: Otel) -> None:
    """Input includes the cache reads and writes (the conventions' rule); each part is exact."""
    p = rates("claude-opus-4-8")
    attrs = otel.span(
        "chat claude-opus-4-8",
        {
            "gen_ai.request.model": "claude-opus-4-8",
            "gen_ai.response.model": "claude-opus-4-8-20261015",
            "gen_ai.usage.input_tokens": 12_000,
            "gen_ai.usage.output_tokens": 500,
            "gen_ai.usage.cache_read.input_tokens": 10_000,
            "gen_ai.usage.cache_creation.input_tokens": 1_500,
        },
    )
    parts = {
        "input": usd((500, p.input_per_mtok)),
        "cache_read": usd((10_000, p.cache_read_per_mtok)),
        "cache_write": usd((1_500, p.cache_write_5m_per_mtok)),
        "output": usd((500, p.output_per_mtok)),
    }
    for name, amount in parts.items():
        assert Decimal(attrs[f"llmcost.cost.{name}"]) == amount
    assert Decimal(attrs["llmcost.cost_usd"]) == sum(parts.values())
    assert attrs["llmcost.model"] == "claude-opus-4-8"
    assert attrs["gen_ai.usage.input_tokens"] == 12_000  # the span's own attributes stay


def test_older_attribute_names_and_openai_cache_writes(otel: Otel) -> None:
    """prompt/completion token names are read; an OpenAI cache write is priced at 30 minutes."""
    p = rates("gpt-5.5")
    attrs = otel.span(
        "chat gpt-5.5",
        {
            "gen_ai.request.model": "gpt-5.5",
            "gen_ai.usage.prompt_tokens": 4_000,
            "gen_ai.usage.completion_tokens": 300,
            "gen_ai.usage.cache_creation_input_tokens": 2_048,
        },
    )
    expected = usd(
        (4_000 - 2_048, p.input_per_mtok),
        (2_048, p.cache_write_30m_per_mtok),
        (300, p.output_per_mtok),
    )
    assert Decimal(attrs["llmcost.cost_usd"]) == expected


def test_service_tier_attribute(otel: Otel) -> None:
    """openai.response.service_tier selects the tier's rates."""
    p = rates("gpt-5.5")
    (flex,) = [v for v in p.variants if v.service_tier == "flex"]
    attrs = otel.span(
        "chat gpt-5.5",
        {
            "gen_ai.request.model": "gpt-5.5",
            "gen_ai.usage.input_tokens": 1_000,
            "gen_ai.usage.output_tokens": 100,
            "openai.response.service_tier": "flex",
        },
    )
    expected = usd((1_000, p.input_per_mtok), (100, p.output_per_mtok), multiplier=flex.multiplier)
    assert Decimal(attrs["llmcost.cost_usd"]) == expected


def test_other_spans_pass_unchanged(otel: Otel) -> None:
    """A span without GenAI usage is exported exactly as it was made."""
    assert otel.span("GET /", {"http.method": "GET"}) == {"http.method": "GET"}
    assert otel.span("chat", {"gen_ai.request.model": "gpt-5.5"}) == {
        "gen_ai.request.model": "gpt-5.5"
    }
    assert otel.counted() == {}


def test_unknown_model_is_marked_unpriced(otel: Otel) -> None:
    """An unknown model is never $0: the span says it is unpriced, and why."""
    attrs = otel.span(
        "chat mystery",
        {"gen_ai.request.model": "mystery-9", "gen_ai.usage.input_tokens": 10},
    )
    assert attrs["llmcost.unpriced"] is True
    assert "mystery-9" in attrs["llmcost.unpriced_reason"]
    assert "llmcost.cost_usd" not in attrs


def test_bad_attributes_never_break_the_span(otel: Otel) -> None:
    """A token count of the wrong type leaves the span exported, marked unpriced."""
    attrs = otel.span(
        "chat gpt-5.5",
        {"gen_ai.request.model": "gpt-5.5", "gen_ai.usage.input_tokens": "ten"},
    )
    assert attrs["llmcost.unpriced"] is True


def test_cost_counter(otel: Otel) -> None:
    """Each priced span adds its cost to the llmcost.cost counter, per model."""
    p = rates("gpt-5.5")
    one = usd((1_000, p.input_per_mtok), (100, p.output_per_mtok))
    for _ in range(3):
        otel.span(
            "chat gpt-5.5",
            {
                "gen_ai.request.model": "gpt-5.5",
                "gen_ai.usage.input_tokens": 1_000,
                "gen_ai.usage.output_tokens": 100,
            },
        )
    assert otel.counted() == {"gpt-5.5": pytest.approx(float(3 * one), rel=1e-12)}


def test_without_a_next_processor() -> None:
    """With no processor to hand spans to, the processor only counts."""
    reader = InMemoryMetricReader()
    meters = MeterProvider(metric_readers=[reader])
    provider = TracerProvider()
    processor = llmcost.CostSpanProcessor(meter_provider=meters)
    provider.add_span_processor(processor)
    with provider.get_tracer("t").start_as_current_span("chat") as span:
        span.set_attributes(
            {"gen_ai.request.model": "gpt-5.5", "gen_ai.usage.output_tokens": 1_000_000}
        )
    assert processor.force_flush() is True
    provider.shutdown()
    data = reader.get_metrics_data()
    assert data is not None
    (point,) = data.resource_metrics[0].scope_metrics[0].metrics[0].data.data_points
    assert point.value == float(rates("gpt-5.5").output_per_mtok)
    meters.shutdown()


def test_without_the_sdk_a_clear_error() -> None:
    """Without the OpenTelemetry SDK, using the processor says which extra to install;
    `import llmcost` itself never imports OpenTelemetry."""
    from .test_api import run_python

    out = run_python(
        """
        import sys
        sys.modules["opentelemetry.sdk"] = None  # as if it were not installed
        import llmcost
        print("opentelemetry" in sys.modules)
        try:
            llmcost.CostSpanProcessor
        except llmcost.MissingExtraError as e:
            print(isinstance(e, ImportError), "llmcost[otel]" in str(e))
        """
    )
    assert out.splitlines() == ["False", "True True"]
