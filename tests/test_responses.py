"""The decision table that picks a reader, every fixture read alike in every form, and the
OpenTelemetry totals (random usage blocks: tests/test_read_random.py)."""

from __future__ import annotations

import warnings
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import attrs
import pytest

import llmcost
from llmcost import (
    InvalidTypeError,
    InvalidUsageError,
    LLMCostError,
    MissingRateError,
    Usage,
    cost_of_response,
    usage_from_response,
)
from llmcost._responses import model_from_response, read
from tests.responses_helpers import body, fixture, names, summed, to_dict, typed

D = Decimal
MILLION = D(1_000_000)


def as_object(value: Any) -> Any:
    """A parsed-JSON dict turned into nested attribute objects, as some SDKs return them."""
    if isinstance(value, dict):
        return SimpleNamespace(**{k: as_object(v) for k, v in value.items()})
    if isinstance(value, list):
        return [as_object(v) for v in value]
    return value


# ---------------------------------------------------------------- every fixture, every form

#: Fixtures a reader refuses on purpose (see each reader's tests), with the error.
REFUSED = {
    "mistral/chat_audio_seconds": MissingRateError,
    "xai/native_sampling_usage": InvalidUsageError,
    "langchain/aimessagechunk_sum_anthropic_output_only_delta": InvalidUsageError,
}
#: Fixtures whose usage llmcost reads more completely than the fixture's expected_usage.
EXTRA = {"gemini/generate_content_tool_use_grounding": {"tool_calls": {"google_search": 2}}}


def final(name: str) -> Any:
    """The fixture as one typed object: a stream's summed chunks or its final usage event."""
    obj = typed(name)
    if not isinstance(obj, list):
        return obj
    if name.startswith("langchain/"):
        return summed(obj)
    if name.startswith("bedrock/"):
        return next(e for e in obj if "metadata" in e)
    if name.startswith("anthropic/"):
        return None  # only a StreamUsage reads an Anthropic stream
    return [e for e in obj if e is not None][-1]


@pytest.mark.parametrize("name", names())
def test_every_fixture_reads_as_written(name: str) -> None:
    """Each fixture's typed object (or its stream) reads to the usage its author wrote."""
    obj = final(name)
    stream = typed(name) if isinstance(typed(name), list) else None
    if name in REFUSED:
        with pytest.raises(REFUSED[name]):
            if obj is not None:
                usage_from_response(obj)
            acc = llmcost.StreamUsage()
            for e in stream or ():
                acc.add(e)
            _ = acc.usage
        return
    want = Usage(**{**fixture(name)["expected_usage"], **EXTRA.get(name, {})})
    if obj is not None:
        assert usage_from_response(obj) == want
    if stream is not None:
        acc = llmcost.StreamUsage()
        for e in stream:
            acc.add(e)
        assert acc.usage == want and acc.complete


@pytest.mark.parametrize("name", [n for n in names() if n not in REFUSED])
def test_dict_object_and_to_dict_forms_agree(name: str) -> None:
    """Parsed JSON, attribute objects, the typed SDK object and its dict form read alike."""
    obj = final(name)
    if obj is None:
        return
    want = read(obj)
    b = body(name)
    if "events" in b or "chunks" in b:
        return  # the stream forms are checked in the stream tests of each reader
    forms = [read(b), read(as_object(b)), read(to_dict(obj))]
    if name.startswith("litellm/"):  # litellm stamps `created` when it builds the object
        want = attrs.evolve(want, at=None)
        forms = [attrs.evolve(f, at=None) for f in forms]
    assert forms == [want, want, want]


def provider_total(name: str) -> int | None:
    """The provider's own total token count for the fixture, where it reports one."""
    b = body(name)
    if "events" in b:
        usages = [e.get("usage") or (e.get("response") or {}).get("usage")
                  or e.get("usageMetadata") or (e.get("metadata") or {}).get("usage")
                  for e in b["events"]]  # fmt: skip
        u = [x for x in usages if x][-1]
    elif "chunks" in b:
        u = b["sum"]["usage_metadata"]
    elif name.startswith("xai/native"):
        u = b
    else:
        u = b.get("usage") or b.get("usageMetadata") or b.get("usage_metadata")
    for key in ("total_tokens", "totalTokenCount", "totalTokens"):
        if key in u:
            return int(u[key])
    return None


@pytest.mark.parametrize("name", [n for n in names() if n not in REFUSED])
def test_usage_totals_equal_the_providers(name: str) -> None:
    """Under the OpenTelemetry convention input + output equal the provider's own total
    (OpenAI total_tokens, Gemini totalTokenCount, Bedrock totalTokens, langchain's)."""
    total = provider_total(name)
    want = Usage(**fixture(name)["expected_usage"])
    if total is None:  # Anthropic reports no total: input + cache reads + writes + output
        b = body(name)
        events = b.get("events")
        u = b["usage"] if events is None else {
            **next(e for e in events if e["type"] == "message_start")["message"]["usage"],
            **[e for e in events if e["type"] == "message_delta"][-1]["usage"]}  # fmt: skip
        total = (u["input_tokens"] + (u.get("cache_read_input_tokens") or 0)
                 + (u.get("cache_creation_input_tokens") or 0) + u["output_tokens"]
                 + sum(i["input_tokens"] + i["output_tokens"] for i in u.get("iterations") or []
                       if i["type"] == "compaction"))  # fmt: skip
    assert want.input_tokens + want.output_tokens == total


# ---------------------------------------------------------------- the decision table


@pytest.mark.parametrize(
    ("response", "api"),
    [
        ({"object": "chat.completion", "usage": {"prompt_tokens": 1, "completion_tokens": 1}},
         "openai.chat"),
        ({"object": "response", "usage": {"input_tokens": 1, "output_tokens": 1}},
         "openai.responses"),
        ({"type": "response.completed", "response": {"object": "response",
          "usage": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2}}},
         "openai.responses"),
        ({"type": "message", "usage": {"input_tokens": 1, "output_tokens": 1}},
         "anthropic.messages"),
        ({"usage": {"input_tokens": 1, "output_tokens": 1, "cache_read_input_tokens": 0}},
         "anthropic.messages"),
        ({"type": "message_delta", "usage": {"input_tokens": 1, "output_tokens": 1}},
         "anthropic.message_delta"),
        ({"usageMetadata": {"promptTokenCount": 1}}, "gemini.generate_content"),
        ({"usage_metadata": {"prompt_token_count": 1}}, "gemini.generate_content"),
        ({"usageMetadata": {"promptTokenCount": 1, "trafficType": "ON_DEMAND"}},
         "vertex.generate_content"),
        ({"usage": {"inputTokens": 1, "outputTokens": 1}}, "bedrock.converse"),
        ({"metadata": {"usage": {"inputTokens": 1, "outputTokens": 1}}}, "bedrock.converse"),
        ({"usage_metadata": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2},
          "response_metadata": {"model_name": "gpt-5"}}, "langchain.usage_metadata"),
        ({"promptTokens": 1, "completionTokens": 1}, "xai.native"),
        ({"prompt_tokens": 1, "completion_tokens": 1}, "openai.chat"),
        ({"input_tokens": 1, "output_tokens": 1}, "plain"),
        ({"usage": {"input_tokens": 1, "output_tokens": 1}}, "plain"),
    ],
)  # fmt: skip
def test_decision_table_rows(response: dict[str, Any], api: str) -> None:
    """Each row of the table picks its reader, for a dict and for an attribute object."""
    assert read(response).api == api
    assert read(as_object(response)).api == api


@pytest.mark.parametrize(
    ("response", "match"),
    [
        ({"usage": {"prompt_tokens": 1, "completion_tokens": 1, "input_tokens": 1}},
         "chat and plain"),
        ({"usage": {"input_tokens": 1, "output_tokens": 1, "input_tokens_details": {},
                    "cache_read_input_tokens": 5}}, "responses and anthropic"),
        ({"usage": {"inputTokens": 1}, "usageMetadata": {"promptTokenCount": 1}},
         "usage and usageMetadata"),
        ({"object": "chat.completion", "usage": {"input_tokens": 1, "output_tokens": 1}},
         "chat.completion"),
        ({"type": "message", "usage": {"prompt_tokens": 1, "completion_tokens": 1}},
         "Anthropic message"),
        ({"object": "response", "usage": {"input_tokens": 1, "output_tokens": 1,
                                          "cache_creation_input_tokens": 1}}, "Responses"),
        ({"type": "response.completed", "response": {"usage": {"prompt_tokens": 1,
                                                               "completion_tokens": 1}}},
         "response.completed"),
        ({"usage": {"total_tokens": 10}}, "no token counts"),
        ({"metadata": {"usage": {"input_tokens": 1, "output_tokens": 1}}}, "ConverseStream"),
    ],
)  # fmt: skip
def test_ambiguous_or_contradictory_shapes_refused(response: dict[str, Any], match: str) -> None:
    """A shape matching two rows, none, or contradicting its envelope is refused by name."""
    with pytest.raises(InvalidUsageError, match=match):
        read(response)


def test_partial_match_never_falls_through() -> None:
    """An Anthropic message whose usage has OpenAI's Responses details is not re-read."""
    b = body("anthropic/message_thinking_cache_read")
    b["usage"]["input_tokens_details"] = {"cached_tokens": 0}
    with pytest.raises(InvalidUsageError, match="responses and anthropic"):
        read(b)


@pytest.mark.parametrize(
    "bad",
    [
        {None: 1, "id": "x"},
        {"model": "gpt-4o", "choices": []},
        {"model": "gpt-4o", "usage": {"total_tokens": 10}},
        {"model": "gpt-4o", "usage": {"prompt_tokens": -1, "completion_tokens": 1}},
        {"model": "gpt-4o", "usage": {"prompt_tokens": "12", "completion_tokens": 1}},
        {"model": "gpt-4o", "usage": {"prompt_tokens": True, "completion_tokens": 1}},
        {"model": "gpt-4o", "usage": {"prompt_tokens": 1.0, "completion_tokens": 1}},
        {"model": "gpt-4o", "usage": {"prompt_tokens": 10, "completion_tokens": 1,
                                      "prompt_tokens_details": {"cached_tokens": 11}}},
        {"model": "gpt-4o", "usage": {"prompt_tokens": 10, "completion_tokens": 1,
                                      "prompt_tokens_details": 5}},
        {"usageMetadata": {"promptTokenCount": -10, "toolUsePromptTokenCount": 20}},
        {"created": "yesterday", "object": "chat.completion",
         "usage": {"prompt_tokens": 1, "completion_tokens": 1}},
        {"usage": {"prompt_tokens": 10**16, "completion_tokens": 1}},
        "just a string",
        None,
        42,
        [],
    ],
)  # fmt: skip
def test_unreadable_responses_raise(bad: object) -> None:
    """An unreadable response raises InvalidUsageError (a ValueError), never another error
    while building its message, never a $0 cost."""
    with pytest.raises(InvalidUsageError):
        cost_of_response(bad)
    with pytest.raises(InvalidUsageError):
        usage_from_response(bad)


def test_non_string_keys_are_named() -> None:
    """issue 16: a dict with a None key raises InvalidUsageError naming its fields."""
    with pytest.raises(InvalidUsageError, match="None, id"):
        usage_from_response({None: 1, "id": "x"})


def test_model_argument_is_checked_and_wins() -> None:
    """model= must be a non-empty string; it overrides the response's model."""
    b = body("openai/chat_real_gpt5_reasoning")
    assert read(b, model="my-azure-deployment").model == "my-azure-deployment"
    assert cost_of_response(b, model="gpt-5-mini").model == "gpt-5-mini"
    with pytest.raises(InvalidTypeError):
        cost_of_response(b, model="")
    with pytest.raises(InvalidTypeError):
        usage_from_response(b, model=3)  # type: ignore[arg-type]


def test_model_from_response() -> None:
    """The model is found in every envelope, or None."""
    assert model_from_response(body("openai/chat_cached_reasoning")) == "o4-mini-2025-04-16"
    assert model_from_response(body("gemini/generate_content_real_thoughts")) == "gemini-2.5-pro"
    assert model_from_response(typed("gemini/generate_content_real_thoughts")) == "gemini-2.5-pro"
    assert model_from_response(typed("langchain/aimessage_openai_flex")) == "o3-2025-04-16"
    event = typed("openai/responses_completed_event")[-1]
    assert model_from_response(event) == "gpt-5-mini-2025-08-07"
    start = typed("anthropic/stream_thinking_cache_1h")[0]
    assert model_from_response(start) == "claude-opus-4-5-20251101"
    assert model_from_response(body("bedrock/converse_llama")) is None
    assert model_from_response({None: 1}) is None


def test_unknown_field_warning_is_an_llmcost_error() -> None:
    """Where warnings are errors, an unknown field raises an LLMCostError."""
    b = {"object": "chat.completion", "model": "gpt-5",
         "usage": {"prompt_tokens": 10, "completion_tokens": 2, "zorp_tokens": 3}}  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error", llmcost.UnknownUsageFieldWarning)
        with pytest.raises(LLMCostError, match="zorp_tokens"):
            usage_from_response(b)
