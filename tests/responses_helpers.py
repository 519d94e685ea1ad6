"""Response fixtures (tests/data/responses) and the SDKs' own validators that build them.

Each fixture is a real or realistic response body (see its ``description``, ``source`` and
``observations``); `typed()` builds it into the SDK's own typed object exactly as the SDK
does: pydantic ``model_validate`` (or the client's lenient ``construct_type`` for bodies the
strict model rejects), google-genai's REST converters, botocore's parsers, litellm's own
transformers and langchain's message classes.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import typing
import warnings
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # litellm: no download

DATA = Path(__file__).parent / "data" / "responses"
MILLION = Decimal(1_000_000)
KILO = Decimal(1_000)


@cache
def _load(name: str) -> str:
    return (DATA / f"{name}.json").read_text(encoding="utf-8")


def fixture(name: str) -> dict[str, Any]:
    """The fixture ``provider/case`` (a fresh copy)."""
    data: dict[str, Any] = json.loads(_load(name))
    return data


def body(name: str) -> Any:
    """The fixture's response body as parsed JSON (streams: ``{"events": [...]}``)."""
    return fixture(name)["body"]


def names() -> list[str]:
    """Every fixture, as ``provider/case``."""
    return sorted(f"{p.parent.name}/{p.stem}" for p in DATA.glob("*/*.json"))


def per_mtok(n: int, rate: Decimal | None) -> Decimal:
    """*n* tokens at *rate* USD per million (a missing rate fails the test)."""
    assert rate is not None
    return n * rate / MILLION


def per_kcall(n: int, rate: Decimal | None) -> Decimal:
    """*n* uses at *rate* USD per thousand."""
    assert rate is not None
    return n * rate / KILO


def _quiet_import(module: str) -> Any:
    import importlib

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the SDKs' own deprecation warnings at import
        return importlib.import_module(module)


def _openai_build(cls: Any, data: Any, lenient: bool) -> Any:
    if lenient:  # the body the strict model rejects, built as the SDK client builds it
        construct_type = _quiet_import("openai._models").construct_type
        return construct_type(type_=cls, value=copy.deepcopy(data))
    return cls.model_validate(copy.deepcopy(data))


def _responses_event_classes() -> dict[str, Any]:
    union = _quiet_import("openai.types.responses").ResponseStreamEvent
    args = typing.get_args(union)
    if args and typing.get_origin(union) is typing.Annotated:
        args = typing.get_args(args[0])
    out = {}
    for cls in args:
        for literal in typing.get_args(cls.model_fields["type"].annotation):
            out[literal] = cls
    return out


def _anthropic_events(events: list[Any]) -> list[Any]:
    at = _quiet_import("anthropic.types")
    by_type = {
        "message_start": at.RawMessageStartEvent,
        "message_delta": at.RawMessageDeltaEvent,
        "message_stop": at.RawMessageStopEvent,
        "content_block_start": at.RawContentBlockStartEvent,
        "content_block_delta": at.RawContentBlockDeltaEvent,
        "content_block_stop": at.RawContentBlockStopEvent,
    }
    # ping is not part of RawMessageStreamEvent: the SDK skips it
    return [by_type[e["type"]].model_validate(e) for e in events if e["type"] != "ping"]


def _gemini(data: Any, vertex: bool) -> Any:
    gm = _quiet_import("google.genai.models")
    types = _quiet_import("google.genai.types")
    convert = gm._GenerateContentResponse_from_vertex if vertex else (
        gm._GenerateContentResponse_from_mldev
    )  # fmt: skip
    converted = convert(copy.deepcopy(data), None, None)
    built = types.GenerateContentResponse._from_response(response=converted, kwargs={})
    strict = types.GenerateContentResponse.model_validate(copy.deepcopy(data))  # extra=forbid
    assert strict.usage_metadata == built.usage_metadata
    return built


def _bedrock(fx: dict[str, Any]) -> Any:
    session = _quiet_import("botocore.session")
    parsers = _quiet_import("botocore.parsers")
    model = session.get_session().get_service_model("bedrock-runtime")
    if fx.get("eventstream_b64"):
        event_stream = _quiet_import("botocore.eventstream").EventStream
        op = model.operation_model("ConverseStream")
        raw = base64.b64decode(fx["eventstream_b64"])

        class _Raw:
            def stream(self) -> Any:
                yield raw

            def close(self) -> None:
                pass

        shape = op.output_shape.members["stream"]
        return list(event_stream(_Raw(), shape, parsers.EventStreamJSONParser(), "ConverseStream"))
    op = model.operation_model("Converse")
    http = {"status_code": 200, "headers": {}, "body": json.dumps(fx["body"]).encode()}
    parsed = parsers.create_parser("rest-json").parse(http, op.output_shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


def _litellm(fx: dict[str, Any]) -> Any:
    """The ModelResponse litellm's own transformer builds from the provider's raw body."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # litellm's pydantic schemas warn when first built
        return _litellm_build(fx)


def _litellm_build(fx: dict[str, Any]) -> Any:
    litellm = _quiet_import("litellm")
    httpx = _quiet_import("httpx")
    raw = copy.deepcopy(fx["raw_provider_body"])
    if fx["api"] == "completion (anthropic)":
        config = _quiet_import("litellm.llms.anthropic.chat.transformation").AnthropicConfig
        return config().transform_parsed_response(
            completion_response=raw,
            raw_response=httpx.Response(200, json=raw),
            model_response=litellm.ModelResponse(),
        )
    convert = _quiet_import(
        "litellm.litellm_core_utils.llm_response_utils.convert_dict_to_response"
    ).convert_to_model_response_object
    return convert(response_object=raw, model_response_object=litellm.ModelResponse())


def typed(name: str) -> Any:
    """The fixture built into the SDK's typed object (a stream: the list of typed events)."""
    fx = fixture(name)
    data, sdk = fx["body"], fx["sdk_type"]
    lenient = fx.get("validation") == "sdk_client"
    if sdk.startswith("xai_sdk"):
        json_format = _quiet_import("google.protobuf.json_format")
        usage_pb2 = _quiet_import("xai_sdk.proto.v6.usage_pb2")
        return json_format.ParseDict(data, usage_pb2.SamplingUsage())
    if sdk == "openai.types.responses.ResponseStreamEvent":
        classes = _responses_event_classes()
        return [_openai_build(classes[e["type"]], e, lenient) for e in data["events"]]
    if sdk.startswith("openai."):
        module, _, cls_name = sdk.rpartition(".")
        cls = getattr(_quiet_import(module), cls_name)
        if "events" in data:
            return [_openai_build(cls, e, lenient) for e in data["events"]]
        return _openai_build(cls, data, lenient)
    if sdk.startswith("anthropic."):
        if "events" in data:
            return _anthropic_events(data["events"])
        module, _, cls_name = sdk.rpartition(".")
        return getattr(_quiet_import(module), cls_name).model_validate(data)
    if sdk.startswith("google.genai"):
        vertex = "vertex" in fx["api"]
        if "events" in data:
            return [_gemini(e, vertex) for e in data["events"]]
        return _gemini(data, vertex)
    if sdk.startswith("botocore"):
        return _bedrock(fx)
    if sdk.startswith("litellm"):
        return _litellm(fx)
    if sdk.startswith("langchain_core"):
        messages = _quiet_import("langchain_core.messages")
        if "chunks" in data:
            return [messages.AIMessageChunk.model_validate(c) for c in data["chunks"]]
        return messages.AIMessage.model_validate(data)
    raise AssertionError(sdk)


def summed(chunks: list[Any]) -> Any:
    """langchain's own sum of a stream's AIMessageChunks."""
    total = chunks[0]
    for c in chunks[1:]:
        total = total + c
    return total


def to_dict(obj: Any) -> Any:
    """The SDK's own dict form of a typed object (``to_dict``, ``to_json_dict``, dump)."""
    if hasattr(obj, "to_json_dict"):  # google-genai
        return obj.to_json_dict()
    if hasattr(obj, "to_dict") and callable(obj.to_dict) and "litellm" not in type(obj).__module__:
        return obj.to_dict()
    if hasattr(obj, "model_dump"):
        return obj.model_dump()
    return obj
