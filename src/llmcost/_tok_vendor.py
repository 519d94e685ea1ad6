"""Vendor token counting through the client object the caller passed (opt-in, never our own
connection): Anthropic's ``messages.count_tokens`` and google-genai's ``models.count_tokens``.

Messages are given in the OpenAI chat shape llmcost counts everywhere (``{"role", "content"}``,
content a str or a list of parts); they are sent in the vendor's own shape: for Anthropic the
system messages become the ``system`` parameter and OpenAI function tools become Anthropic
tools; for Gemini, ``assistant`` becomes ``model`` and text parts become ``{"text": ...}``.
Parts already in the vendor's shape pass through unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from llmcost._errors import InvalidInputError, InvalidTypeError, LLMCostError

if TYPE_CHECKING:
    from llmcost._registry import ModelPrice

__all__ = ["VendorCountError", "count"]


class VendorCountError(LLMCostError, RuntimeError):
    """The vendor's token-counting call failed (its error is the ``__cause__``)."""


def _kind(client: object) -> str:
    module = type(client).__module__
    messages = getattr(client, "messages", None)
    if module.startswith("anthropic") or callable(getattr(messages, "count_tokens", None)):
        return "anthropic"
    models = getattr(client, "models", None)
    if module.startswith("google.genai") or callable(getattr(models, "count_tokens", None)):
        return "gemini"
    msg = (
        f"client must be an anthropic.Anthropic or a google.genai.Client, "
        f"not {type(client).__name__}"
    )
    raise InvalidTypeError(msg)


def _messages(messages: object) -> list[Mapping[str, Any]]:
    if not isinstance(messages, Sequence) or isinstance(messages, (str, bytes)):
        msg = f"messages must be a list of dicts, not {type(messages).__name__}"
        raise InvalidTypeError(msg)
    out = []
    for i, m in enumerate(messages):
        if not isinstance(m, Mapping) or not isinstance(m.get("role"), str):
            msg = f"messages[{i}] must be a dict with a str 'role'"
            raise InvalidInputError(msg)
        out.append(m)
    return out


def _text_of(content: object, where: str) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence) and not isinstance(content, (bytes, bytearray)):
        texts = [p.get("text") for p in content if isinstance(p, Mapping)]
        if all(isinstance(t, str) for t in texts) and len(texts) == len(content):
            return "\n".join(t for t in texts if isinstance(t, str))
    msg = f"{where} must be text (a str or text parts)"
    raise InvalidInputError(msg)


def _anthropic_tool(tool: Mapping[str, Any]) -> Mapping[str, Any]:
    fn = tool.get("function")
    if isinstance(fn, Mapping):  # OpenAI shape
        out: dict[str, Any] = {"name": fn.get("name")}
        if fn.get("description"):
            out["description"] = fn["description"]
        out["input_schema"] = fn.get("parameters") or {"type": "object", "properties": {}}
        return out
    return tool


def _anthropic(client: Any, messages: list[Mapping[str, Any]], model: str, tools: object) -> int:
    system = []
    chat = []
    for i, m in enumerate(messages):
        if m["role"] in ("system", "developer"):
            system.append(_text_of(m.get("content"), f"messages[{i}]['content']"))
        else:
            chat.append({"role": m["role"], "content": m.get("content")})
    kwargs: dict[str, Any] = {"model": model, "messages": chat}
    if system:
        kwargs["system"] = "\n\n".join(system)
    if tools:
        kwargs["tools"] = [_anthropic_tool(t) for t in tools]  # type: ignore[attr-defined]
    result = client.messages.count_tokens(**kwargs)
    return int(result.input_tokens)


def _gemini_parts(content: object, where: str) -> list[Any]:
    if isinstance(content, str):
        return [{"text": content}]
    if isinstance(content, Sequence) and not isinstance(content, (bytes, bytearray)):
        parts = []
        for j, p in enumerate(content):
            if isinstance(p, Mapping) and p.get("type") in ("text", "input_text"):
                parts.append({"text": p.get("text")})
            elif isinstance(p, Mapping):
                parts.append({k: v for k, v in p.items() if k != "type"})
            else:
                msg = f"{where}[{j}] must be a dict"
                raise InvalidInputError(msg)
        return parts
    msg = f"{where} must be a str or a list of parts"
    raise InvalidInputError(msg)


def _gemini(client: Any, messages: list[Mapping[str, Any]], model: str, tools: object) -> int:
    vertex = bool(getattr(getattr(client, "_api_client", None), "vertexai", False))
    system = []
    contents = []
    for i, m in enumerate(messages):
        where = f"messages[{i}]['content']"
        if m["role"] in ("system", "developer"):
            system.append(_text_of(m.get("content"), where))
            continue
        role = "model" if m["role"] in ("assistant", "model") else "user"
        contents.append({"role": role, "parts": _gemini_parts(m.get("content"), where)})
    config: dict[str, Any] = {}
    if system and vertex:
        config["system_instruction"] = "\n\n".join(system)
    elif system:  # the Developer API counts no system_instruction: count its text as a turn
        contents.insert(0, {"role": "user", "parts": [{"text": "\n\n".join(system)}]})
    if tools:
        if not vertex:
            msg = "Gemini's Developer API does not count tools; count them without a client"
            raise InvalidInputError(msg)
        config["tools"] = tools
    result = client.models.count_tokens(model=model, contents=contents, config=config or None)
    return int(result.total_tokens)


def count(client: object, messages: object, price: ModelPrice, tools: object) -> int:
    """The vendor's count of *messages* (and *tools*) for *price*'s model, via *client*."""
    kind = _kind(client)
    checked = _messages(messages)
    if tools is not None and (not isinstance(tools, Sequence) or isinstance(tools, str)):
        msg = f"tools must be a list of tool definitions, not {type(tools).__name__}"
        raise InvalidTypeError(msg)
    call = _anthropic if kind == "anthropic" else _gemini
    try:
        n = call(client, checked, price.model, tools)
    except LLMCostError:
        raise
    except Exception as e:  # the SDK's own errors: connection, status, validation
        msg = f"{kind} token count for {price.model!r} failed: {type(e).__name__}: {e}"
        raise VendorCountError(msg) from e
    if n < 0:
        msg = f"{kind} returned a negative token count {n} for {price.model!r}"
        raise VendorCountError(msg)
    return n
