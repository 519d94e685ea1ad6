"""A local replay server for capture tests: 127.0.0.1 only, standard library only.

It answers the SDKs' HTTP paths with a fixture from ``tests/data/capture`` (adapted from the
team's validated fixtures): the fixture's ``sse`` text as ``text/event-stream``, else its
``body`` as JSON. A request to another path than the fixture's ``http.path`` gets a 404, so
a test also proves which path the SDK called.

    with FixtureServer() as srv:
        srv.serve(load("openai_chat_real_gpt5_reasoning"))
        client = openai.OpenAI(base_url=srv.url + "/v1", api_key="test", max_retries=0)
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

DATA = Path(__file__).parent / "data" / "capture"


def load(name: str) -> dict[str, Any]:
    """The fixture ``tests/data/capture/<name>.json``."""
    data: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return data


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_POST(self) -> None:
        srv = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            req = json.loads(raw) if raw else None
        except ValueError:
            req = raw.decode(errors="replace")
        path = urlsplit(self.path).path
        with srv.lock:
            srv.requests.append((self.command, self.path, req))
            srv.count += 1
            status = srv.statuses.pop(0) if srv.statuses else 200
        fx = srv.fixture
        if fx is None:
            self._send(500, "application/json", b'{"error":"no fixture loaded"}')
            return
        want = fx.get("http", {}).get("path")
        if want and unquote(urlsplit(want).path) != unquote(path):
            msg = json.dumps({"error": f"path {path!r} != fixture path {want!r}"}).encode()
            self._send(404, "application/json", msg)
            return
        if status != 200:
            err = {"error": {"type": "rate_limit_error", "message": "slow down"}}
            self._send(status, "application/json", json.dumps(err).encode())
            return
        if fx.get("sse") is not None:
            self._send(200, "text/event-stream; charset=utf-8", fx["sse"].encode())
            return
        self._send(200, "application/json", json.dumps(fx["body"]).encode())

    do_GET = do_POST

    def _send(self, code: int, ctype: str, payload: bytes) -> None:
        srv = self.server.owner
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("request-id", "req_fixture")
        self.send_header("x-request-id", "req_fixture")
        self.end_headers()
        cut = srv.cut_after
        if cut is not None and code == 200:
            self.wfile.write(payload[:cut])  # then hang up: the client's read fails
            self.wfile.flush()
            self.close_connection = True
            return
        if srv.split_events and ctype.startswith("text/event-stream"):
            sep = b"\r\n\r\n" if b"\r\n\r\n" in payload else b"\n\n"
            pieces = [p + sep for p in payload.split(sep)[:-1]]
        else:
            step = srv.chunk_size or len(payload) or 1
            pieces = [payload[i : i + step] for i in range(0, len(payload), step)]
        try:
            for piece in pieces:
                self.wfile.write(piece)
                self.wfile.flush()
                if srv.chunk_delay:
                    time.sleep(srv.chunk_delay)
        except (BrokenPipeError, ConnectionResetError):  # the client stopped reading
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # 200 clients connect at once in the concurrency tests
    owner: FixtureServer


class FixtureServer:
    """Serves one fixture at a time; `requests` lists what the clients sent."""

    def __init__(self) -> None:
        self.fixture: dict[str, Any] | None = None
        self.requests: list[tuple[str, str, object]] = []  # since the last serve()
        self.count = 0  # every request ever answered
        self.statuses: list[int] = []  # answer these codes first (e.g. a 429 to retry)
        self.cut_after: int | None = None  # send only this many body bytes, then hang up
        self.chunk_size: int | None = None  # write the body in pieces of this size
        self.chunk_delay = 0.0  # seconds to wait after each piece
        self.split_events = False  # write a server-sent-event body one event at a time
        self.lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def serve(self, fixture: dict[str, Any]) -> None:
        """Answer with *fixture* from now on (and reset the delivery options)."""
        self.fixture = fixture
        self.statuses, self.cut_after, self.chunk_size = [], None, None
        self.chunk_delay, self.split_events = 0.0, False
        with self.lock:
            self.requests.clear()

    def __enter__(self) -> FixtureServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
