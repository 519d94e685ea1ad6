"""`StreamUsage`: the usage of a streamed response, counted once, whatever the provider."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import attrs

from ._errors import InvalidTypeError, InvalidUsageError
from ._read_anthropic import merge_stream, read_message
from ._read_base import MISSING, Reading, fields, get, pick, text
from ._read_bedrock import read_converse
from ._read_openai import read_responses
from ._read_wrappers import read_langchain
from ._registry import Registry
from ._responses import _langchain_raw, _read, price_reading, pricing_name, usage_kind
from ._usage import Cost, Usage

_ANTHROPIC = frozenset(
    {"message_start", "message_delta", "message_stop", "content_block_start",
     "content_block_delta", "content_block_stop", "ping"}
)  # fmt: skip
_RESPONSES_DONE = frozenset({"response.completed", "response.incomplete", "response.failed"})
_BEDROCK = frozenset(
    {"messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop",
     "messageStop", "metadata", "internalServerException", "modelStreamErrorException",
     "validationException", "throttlingException", "serviceUnavailableException"}
)  # fmt: skip
_NAMES = {
    "anthropic": "an Anthropic Messages stream",
    "responses": "an OpenAI Responses stream",
    "chat": "a Chat Completions stream",
    "gemini": "a Gemini stream",
    "bedrock": "a Bedrock ConverseStream",
    "langchain": "a langchain chunk stream",
    "other": "a stream of responses with usage",
}


def _value(obj: object, name: str) -> object:
    v = get(obj, name)
    return None if v is MISSING else v


def _kind(event: object) -> str | None:
    """Which provider's stream *event* belongs to (None: it carries nothing to count)."""
    if event is None or isinstance(event, (str, bytes, int, float, list, tuple)):
        msg = f"expected a stream event or chunk (a dict or an SDK object), got {event!r:.80}"
        raise InvalidTypeError(msg)
    typ = text(event, "type")
    if typ is not None:
        if typ.startswith("response."):
            return "responses"
        if typ in _ANTHROPIC:
            return "anthropic"
        if typ in ("AIMessageChunk", "ai"):
            return "langchain"
        if typ == "error":
            return None
    obj = text(event, "object")
    if obj in ("chat.completion.chunk", "chat.completion"):
        return "chat"
    if _value(event, "response_metadata") is not None and (
        _value(event, "usage_metadata") is not None or _value(event, "content") is not None
    ):
        return "langchain"
    if pick(event, "usageMetadata", "candidates", "modelVersion", "model_version") is not None:
        return "gemini"
    if _value(event, "usage_metadata") is not None:
        return "gemini"
    if isinstance(event, Mapping) and event and set(event) <= _BEDROCK:
        return "bedrock"
    if _value(event, "usage") is not None or _value(event, "x_groq") is not None:
        return "other"
    return None


def _add(a: object, b: object) -> object:
    """langchain's usage sum: counts add, nested details add key by key."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        out = dict(a)
        for k, v in b.items():
            out[k] = _add(out[k], v) if k in out else v
        return out
    if type(a) is int and type(b) is int:
        return a + b
    msg = f"langchain usage_metadata values cannot be added: {a!r:.30} and {b!r:.30}"
    raise InvalidUsageError(msg)


class StreamUsage:
    """The usage of one streamed response: feed it every event or chunk, read it at the end.

    Works for every provider's stream, as dicts or SDK objects: OpenAI, xAI, DeepSeek, Groq
    and litellm Chat chunks (the chunk with usage; Groq's repeated usage counts once), OpenAI
    Responses events (``response.completed`` / ``.incomplete`` / ``.failed``), Anthropic
    events (``message_start``, then the cumulative ``message_delta``, which may carry only
    ``output_tokens``), Gemini chunks (running totals: the last one counts), Bedrock
    ConverseStream events (``metadata``) and langchain ``AIMessageChunk`` (summed, as
    langchain sums them). Events without usage are fine; events of two providers in one
    accumulator are refused. `complete` says whether the stream's final usage was seen (a
    stream cut short has a partial `usage`, or None). Reading `usage` or calling `cost()`
    raises `InvalidUsageError` when what the stream reported cannot be priced (langchain's
    0-input Anthropic chunks). One accumulator serves one stream, in one thread.

    >>> acc = StreamUsage()
    >>> acc.add({"type": "message_start", "message": {"type": "message",
    ...     "model": "claude-sonnet-4-6", "usage": {"input_tokens": 2000, "output_tokens": 1}}})
    >>> acc.add({"type": "content_block_delta", "delta": {"type": "text_delta", "text": "Hi"}})
    >>> acc.add({"type": "message_delta", "usage": {"output_tokens": 40}})
    >>> acc.usage, acc.model, acc.complete
    (Usage(input_tokens=2000, output_tokens=40), 'claude-sonnet-4-6', True)
    >>> print(acc.cost())
    claude-sonnet-4-6: $0.006600 (input $0.006000, output $0.000600)
    """

    def __init__(self, *, model: str | None = None, registry: Registry | None = None) -> None:
        if model is not None and (not isinstance(model, str) or not model.strip()):
            msg = f"model must be a non-empty str, not {model!r:.60}"
            raise InvalidTypeError(msg)
        self._model = model
        self._registry = registry
        self._kind: str | None = None
        self._seen_model: str | None = None
        self._reading: Reading | None = None
        self._complete = False
        self._start: object = None  # Anthropic: message_start's message
        self._delta: dict[str, object] = {}  # Anthropic: the message_delta usage so far
        self._lc_usage: object = None  # langchain: the summed usage_metadata
        self._lc_meta: dict[str, object] = {}
        self._stale = False

    def add(self, event: object) -> None:
        """Count one event or chunk of the stream (one without usage changes nothing)."""
        kind = _kind(event)
        if kind is None:
            return
        if self._kind is None:
            self._kind = kind
        elif kind != self._kind:
            msg = (
                f"this StreamUsage counts {_NAMES[self._kind]}, and this event belongs to "
                f"{_NAMES[kind]}: use one StreamUsage per stream"
            )
            raise InvalidUsageError(msg)
        getattr(self, f"_add_{kind}")(event)

    def _note_model(self, holder: object) -> None:
        found = pick(holder, "model", "modelVersion", "model_version")
        if isinstance(found, str) and found:
            self._seen_model = found

    def _add_anthropic(self, event: object) -> None:
        typ = text(event, "type")
        if typ == "message_start":
            if self._start is not None:
                msg = "a second message_start in one stream: use one StreamUsage per stream"
                raise InvalidUsageError(msg)
            message = _value(event, "message")
            if _value(message, "usage") is None:
                msg = "this Anthropic message_start event has no message.usage"
                raise InvalidUsageError(msg)
            self._start = message
            self._note_model(message)
            self._stale = True
        elif typ == "message_delta":
            usage = _value(event, "usage")
            if usage is None:
                return
            delta = fields(usage)
            if (
                self._start is None
                and "input_tokens" not in delta
                and "input_tokens" not in (self._delta)
            ):
                msg = (
                    "an Anthropic message_delta with only output_tokens before any "
                    "message_start: the input side is unknown; feed the stream from its start"
                )
                raise InvalidUsageError(msg)
            self._delta.update(delta)
            self._complete = True
            self._stale = True

    def _add_responses(self, event: object) -> None:
        response = _value(event, "response")
        if response is None:
            return
        self._note_model(response)
        usage = _value(response, "usage")
        if usage is not None:
            kind = usage_kind(usage)
            if kind not in ("responses", "plain"):
                msg = f"this Responses event's usage has the fields of {kind} usage"
                raise InvalidUsageError(msg)
            self._reading = read_responses(response, usage)
        if text(event, "type") in _RESPONSES_DONE and self._reading is not None:
            self._complete = True

    def _add_chat(self, event: object) -> None:
        self._note_model(event)
        if _value(event, "usage") is None and _value(_value(event, "x_groq"), "usage") is None:
            return
        self._reading = _read(event)  # the last usage wins: Groq repeats it
        self._complete = True

    def _add_other(self, event: object) -> None:
        self._note_model(event)
        self._reading = _read(event)
        self._complete = True

    def _add_gemini(self, event: object) -> None:
        self._note_model(event)
        if pick(event, "usageMetadata", "usage_metadata") is not None:
            self._reading = _read(event)  # running totals: the last chunk wins
        for candidate in pick(event, "candidates") or ():  # type: ignore[attr-defined]
            if pick(candidate, "finishReason", "finish_reason") is not None:
                self._complete = self._reading is not None

    def _add_bedrock(self, event: object) -> None:
        metadata = _value(event, "metadata")
        if metadata is None:
            return
        usage = _value(metadata, "usage")
        if usage is None:
            return
        self._reading = read_converse(metadata, usage, "metadata.usage")
        self._complete = True

    def _add_langchain(self, event: object) -> None:
        meta = _value(event, "response_metadata")
        for k, v in fields(meta).items():
            if k not in self._lc_meta or k not in ("model_name", "model", "model_provider"):
                self._lc_meta[k] = v
        usage = _value(event, "usage_metadata")
        if usage is not None:
            self._lc_usage = usage if self._lc_usage is None else _add(self._lc_usage, usage)
            self._complete = True
        self._stale = True

    def _current(self) -> Reading | None:
        if self._stale:
            self._stale = False
            if self._kind == "anthropic":
                if self._start is not None:
                    merged = merge_stream(_value(self._start, "usage"), self._delta)
                    self._reading = read_message(self._start, merged, api="anthropic.stream")
                elif self._delta:
                    self._reading = read_message({}, self._delta, api="anthropic.stream")
            elif self._kind == "langchain" and self._lc_usage is not None:
                message = {"usage_metadata": self._lc_usage, "response_metadata": self._lc_meta}
                self._reading = read_langchain(message, _langchain_raw)
        return self._reading

    @property
    def usage(self) -> Usage | None:
        """The usage so far, counted once (None until some usage was seen)."""
        r = self._current()
        return None if r is None else r.usage

    @property
    def model(self) -> str | None:
        """*model* if given, else the model the stream reported."""
        if self._model is not None:
            return self._model
        r = self._current()
        return (r.model if r is not None else None) or self._seen_model

    @property
    def complete(self) -> bool:
        """Whether the stream's final usage was seen."""
        return self._complete

    def cost(
        self,
        *,
        service_tier: str | None = None,
        speed: str | None = None,
        inference_geo: str | None = None,
        batch: bool = False,
        at: date | datetime | None = None,
    ) -> Cost:
        """The cost of the usage so far, priced like `cost_of_response` (keywords win)."""
        r = self._current()
        if r is None:
            msg = "this stream has reported no usage yet" + (
                "" if self._kind != "chat" else
                " (Chat Completions streams need stream_options={'include_usage': True})"
            )  # fmt: skip
            raise InvalidUsageError(msg)
        if self._model is not None:
            name = self._model
        else:
            if r.model is None and self._seen_model is not None:
                r = attrs.evolve(r, model=self._seen_model)
            name = pricing_name(r)
        return price_reading(
            r,
            name=name,
            service_tier=service_tier,
            speed=speed,
            inference_geo=inference_geo,
            batch=batch,
            at=at,
            registry=self._registry,
        )

    def __repr__(self) -> str:
        state = "complete" if self._complete else "incomplete"
        return f"StreamUsage({self.model!r}, {self.usage!r}, {state})"
