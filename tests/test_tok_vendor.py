"""Vendor counting through the caller's own client: the real SDKs against a local server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

import llmcost
from llmcost import InvalidInputError, InvalidTypeError, VendorCountError


class _Server:
    """A loopback HTTP server that records requests and answers with a canned JSON body."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.reply: tuple[int, dict[str, Any]] = (200, {})
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.requests.append((self.path, json.loads(body or b"{}")))
                status, payload = server.reply
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    """A server on 127.0.0.1 for the duration of one test."""
    s = _Server()
    yield s
    s.close()


MESSAGES = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "What's the weather in Paris?"},
    {"role": "assistant", "content": [{"type": "text", "text": "Sunny."}]},
]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather of a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


def test_anthropic_client_counts(server: _Server) -> None:
    """The count comes from Anthropic's count_tokens endpoint, via the caller's client."""
    anthropic = pytest.importorskip("anthropic")
    client = anthropic.Anthropic(api_key="test-key", base_url=server.url, max_retries=0)
    server.reply = (200, {"input_tokens": 123})
    n = llmcost.count_message_tokens(MESSAGES, "claude-sonnet-4-5", tools=TOOLS, client=client)
    assert n == 123
    ((path, body),) = server.requests
    assert path == "/v1/messages/count_tokens"
    assert body["model"] == "claude-sonnet-4-5"
    assert body["system"] == "Be brief."
    assert [m["role"] for m in body["messages"]] == ["user", "assistant"]
    assert body["tools"] == [
        {
            "name": "get_weather",
            "description": "Weather of a city",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
        }
    ]


def test_anthropic_error_is_a_vendor_count_error(server: _Server) -> None:
    """An API error from the vendor is a VendorCountError with the SDK error as its cause."""
    anthropic = pytest.importorskip("anthropic")
    client = anthropic.Anthropic(api_key="test-key", base_url=server.url, max_retries=0)
    server.reply = (400, {"type": "error", "error": {"type": "invalid_request_error",
                                                      "message": "bad model"}})  # fmt: skip
    with pytest.raises(VendorCountError, match="bad model") as e:
        llmcost.count_message_tokens(MESSAGES, "claude-sonnet-4-5", client=client)
    assert isinstance(e.value.__cause__, anthropic.APIStatusError)


def test_gemini_client_counts(server: _Server) -> None:
    """The count comes from Gemini's countTokens endpoint, via the caller's genai client."""
    genai = pytest.importorskip("google.genai")
    client = genai.Client(api_key="test-key", http_options={"base_url": server.url})
    server.reply = (200, {"totalTokens": 42})
    n = llmcost.count_message_tokens(MESSAGES, "gemini-2.5-pro", client=client)
    assert n == 42
    ((path, body),) = server.requests
    assert path.endswith("/models/gemini-2.5-pro:countTokens")
    roles = [c["role"] for c in body["contents"]]
    assert roles == ["user", "user", "model"]  # the system text first, as a user turn
    assert body["contents"][0]["parts"] == [{"text": "Be brief."}]
    assert body["contents"][2]["parts"] == [{"text": "Sunny."}]


def test_gemini_developer_api_cannot_count_tools(server: _Server) -> None:
    """Tools with the Gemini Developer API are refused clearly; nothing is sent."""
    genai = pytest.importorskip("google.genai")
    client = genai.Client(api_key="test-key", http_options={"base_url": server.url})
    with pytest.raises(InvalidInputError, match="tools"):
        llmcost.count_message_tokens(MESSAGES, "gemini-2.5-pro", tools=TOOLS, client=client)
    assert server.requests == []


def test_gemini_unreachable_server_is_a_vendor_count_error() -> None:
    """A connection failure (a closed port on loopback) is a VendorCountError."""
    genai = pytest.importorskip("google.genai")
    s = _Server()
    url = s.url
    s.close()
    client = genai.Client(api_key="test-key", http_options={"base_url": url})
    with pytest.raises(VendorCountError, match="gemini"):
        llmcost.count_message_tokens(MESSAGES, "gemini-2.5-pro", client=client)


def test_unknown_client_is_a_type_error() -> None:
    """Anything that is not an Anthropic or genai client is refused."""
    with pytest.raises(InvalidTypeError, match="client"):
        llmcost.count_message_tokens(MESSAGES, "gpt-4o", client=object())
