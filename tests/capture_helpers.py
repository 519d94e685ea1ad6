"""Helpers of the capture tests: hand-computed costs and the real SDK clients on a local server."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import llmcost

from .capture_server import FixtureServer

MTOK = Decimal(1_000_000)
HI = [{"role": "user", "content": "hi"}]


def rates(model: str, service_tier: str | None = None) -> Any:
    """The rates `get_price` reports for *model* (a variant's, when it has explicit rates)."""
    price = llmcost.get_price(model)
    if service_tier is None:
        return price
    (variant,) = [v for v in price.variants if v.service_tier == service_tier]
    return variant


def usd(*pairs: tuple[int, Decimal | None], multiplier: Decimal = Decimal(1)) -> Decimal:
    """Sum of ``tokens * rate / 1M`` (times a variant's multiplier), exactly."""
    total = Decimal(0)
    for tokens, rate in pairs:
        assert rate is not None
        total += tokens * rate * multiplier / MTOK
    return total


def openai_client(srv: FixtureServer, **kw: Any) -> Any:
    """`openai.OpenAI` pointed at *srv*."""
    import openai

    kw.setdefault("max_retries", 0)
    return openai.OpenAI(base_url=srv.url + "/v1", api_key="test", **kw)


def async_openai_client(srv: FixtureServer, **kw: Any) -> Any:
    """`openai.AsyncOpenAI` pointed at *srv*."""
    import openai

    kw.setdefault("max_retries", 0)
    return openai.AsyncOpenAI(base_url=srv.url + "/v1", api_key="test", **kw)


def anthropic_client(srv: FixtureServer, **kw: Any) -> Any:
    """`anthropic.Anthropic` pointed at *srv*."""
    import anthropic

    kw.setdefault("max_retries", 0)
    return anthropic.Anthropic(base_url=srv.url, api_key="test", **kw)


def async_anthropic_client(srv: FixtureServer, **kw: Any) -> Any:
    """`anthropic.AsyncAnthropic` pointed at *srv*."""
    import anthropic

    kw.setdefault("max_retries", 0)
    return anthropic.AsyncAnthropic(base_url=srv.url, api_key="test", **kw)


def genai_client(srv: FixtureServer) -> Any:
    """`google.genai.Client` (Gemini API) pointed at *srv*."""
    from google import genai
    from google.genai import types

    options = types.HttpOptions(base_url=srv.url, api_version="v1beta")
    return genai.Client(api_key="test", http_options=options)


def quiet_litellm() -> Any:
    """litellm, imported with its bundled price map (it would fetch one otherwise)."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.telemetry = False
    return litellm
