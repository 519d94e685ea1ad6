"""Chat messages and tool definitions, counted by OpenAI's published formula."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

from llmcost._errors import InvalidInputError, InvalidTypeError

if TYPE_CHECKING:
    from llmcost._registry import ModelPrice

# OpenAI's published accounting (openai-cookbook, "How to count tokens with tiktoken"): every
# message costs 3 tokens of framing plus its fields, a ``name`` one more, and every reply is
# primed with 3 (<|start|>assistant<|message|>).
_PER_MESSAGE: Final = 3
_PER_NAME: Final = 1
_REPLY_PRIMING: Final = 3
# Tool definitions (same notebook, section 7, ``num_tokens_for_tools``): constants for the
# o200k models (gpt-4o) and the cl100k ones (gpt-4, gpt-3.5-turbo).
_FUNC_INIT: Final = {"o200k_base": 7, "cl100k_base": 10}
_PROP_INIT: Final = 3
_PROP_KEY: Final = 3
_ENUM_INIT: Final = -3
_ENUM_ITEM: Final = 3
_FUNC_END: Final = 12


def _content_part_tokens(
    part: Mapping[str, object], price: ModelPrice, where: str
) -> tuple[int, bool]:
    """``(tokens, exact)`` of one non-text content part: images by the vendor's image rule."""
    from llmcost._images import image_part_tokens, is_image_part

    if is_image_part(part):
        try:
            return image_part_tokens(part, price)
        except InvalidInputError as e:
            msg = f"{where}: {e}"
            raise type(e)(msg) from None
    kind = part.get("type", "?")
    msg = (
        f"{where} is a {kind!r} part; llmcost counts text and image parts: "
        "count other media separately and add them"
    )
    raise InvalidInputError(msg)


def _content_tokens(
    content: object, count: Callable[[str], int], price: ModelPrice, where: str
) -> tuple[int, bool]:
    """``(tokens, exact)`` of a message's content: a str or a list of parts."""
    if isinstance(content, str):
        return count(content), True
    if not isinstance(content, Sequence) or isinstance(content, (bytes, bytearray)):
        msg = f"{where}['content'] must be a str or a list of parts, not {type(content).__name__}"
        raise InvalidTypeError(msg)
    total = 0
    exact = True
    for j, part in enumerate(content):
        at = f"{where}['content'][{j}]"
        if not isinstance(part, Mapping):
            kind = type(part).__name__
            msg = f"{at} must be a dict such as {{'type': 'text', 'text': ...}}, not {kind}"
            raise InvalidTypeError(msg)
        part_type = part.get("type")
        # Gemini's text parts are {"text": ...} with no type.
        is_text = part_type in ("text", "input_text", "output_text")
        if is_text or (part_type is None and "text" in part):
            text = part.get("text")
            if not isinstance(text, str):
                msg = f"{at}['text'] must be a str, not {type(text).__name__}"
                raise InvalidTypeError(msg)
            total += count(text)
        else:
            tokens, part_exact = _content_part_tokens(part, price, at)
            total += tokens
            exact = exact and part_exact
    return total, exact


def _call_tokens(call: object, count: Callable[[str], int], where: str) -> int:
    """A tool call or legacy function call: its name and JSON arguments, as text."""
    if not isinstance(call, Mapping):
        msg = f"{where} must be a dict, not {type(call).__name__}"
        raise InvalidTypeError(msg)
    fn = call.get("function", call)
    if not isinstance(fn, Mapping):
        msg = f"{where}['function'] must be a dict, not {type(fn).__name__}"
        raise InvalidTypeError(msg)
    total = 0
    for key in ("name", "arguments"):
        value = fn.get(key)
        if value is not None:
            if not isinstance(value, str):
                msg = f"{where} {key} must be a str, not {type(value).__name__}"
                raise InvalidTypeError(msg)
            total += count(value)
    return total


def _text(value: object, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        msg = f"{where} must be a str, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    return value


def _tools_tokens(tools: object, count: Callable[[str], int], price: ModelPrice) -> int:
    if not isinstance(tools, Sequence) or isinstance(tools, (str, bytes)):
        msg = f"tools must be a list of tool definitions, not {type(tools).__name__}"
        raise InvalidTypeError(msg)
    if not tools:
        return 0
    func_init = _FUNC_INIT.get(price.tokenizer, _FUNC_INIT["o200k_base"])
    total = 0
    for i, tool in enumerate(tools):
        where = f"tools[{i}]"
        if not isinstance(tool, Mapping):
            msg = f"{where} must be a dict, not {type(tool).__name__}"
            raise InvalidTypeError(msg)
        fn = tool.get("function", tool)
        if not isinstance(fn, Mapping) or not isinstance(fn.get("name"), str):
            msg = f"{where} must define a function with a str 'name'"
            raise InvalidInputError(msg)
        total += func_init
        desc = _text(fn.get("description"), f"{where} description").removesuffix(".")
        total += count(f"{fn['name']}:{desc}")
        params = fn.get("parameters") or {}
        props = params.get("properties") if isinstance(params, Mapping) else None
        if props:
            if not isinstance(props, Mapping):
                msg = f"{where} parameters.properties must be a dict"
                raise InvalidInputError(msg)
            total += _PROP_INIT
            for key, schema in props.items():
                total += _PROP_KEY
                spec = schema if isinstance(schema, Mapping) else {}
                enum = spec.get("enum")
                if isinstance(enum, Sequence) and not isinstance(enum, str):
                    total += _ENUM_INIT
                    for item in enum:
                        total += _ENUM_ITEM + count(str(item))
                p_type = _text(spec.get("type"), f"{where} property {key!r} type")
                p_desc = _text(spec.get("description"), f"{where} property {key!r} description")
                total += count(f"{key}:{p_type}:{p_desc.removesuffix('.')}")
    return total + _FUNC_END


def count_messages(
    messages: Sequence[Mapping[str, object]],
    price: ModelPrice,
    count: Callable[[str], int],
    tools: Sequence[Mapping[str, object]] | None = None,
) -> tuple[int, bool]:
    """``(tokens, images_exact)`` of *messages* (and *tools*), counting text with *count*."""
    if not isinstance(messages, Sequence) or isinstance(messages, (str, bytes)):
        msg = f"messages must be a list of dicts, not {type(messages).__name__}"
        raise InvalidTypeError(msg)
    total = 0
    exact = True
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, Mapping):
            msg = f"{where} must be a dict with 'role' and 'content', not {type(message).__name__}"
            raise InvalidTypeError(msg)
        if not isinstance(message.get("role"), str):
            msg = f"{where} has no 'role' (a str such as 'user')"
            raise InvalidInputError(msg)
        total += _PER_MESSAGE
        for key, value in message.items():
            if value is None:
                continue
            if key == "content":
                tokens, content_exact = _content_tokens(value, count, price, where)
                total += tokens
                exact = exact and content_exact
            elif key == "tool_calls":
                if not isinstance(value, Sequence) or isinstance(value, str):
                    msg = f"{where}['tool_calls'] must be a list, not {type(value).__name__}"
                    raise InvalidTypeError(msg)
                total += sum(
                    _call_tokens(c, count, f"{where}['tool_calls'][{j}]")
                    for j, c in enumerate(value)
                )
            elif key == "function_call":
                total += _call_tokens(value, count, f"{where}['function_call']")
            elif isinstance(value, str):
                total += count(value)
                if key == "name":
                    total += _PER_NAME
            else:
                msg = f"{where}[{key!r}] must be a str, not {type(value).__name__}"
                raise InvalidTypeError(msg)
    total += _REPLY_PRIMING
    if tools is not None:
        total += _tools_tokens(tools, count, price)
    return total, exact
