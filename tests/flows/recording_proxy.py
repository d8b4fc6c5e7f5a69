"""A loopback reverse proxy in front of the emulator that logs every request the product sends.

The emulator answers an identical repeated create (same id, same definition; same Operation-Id,
same request) with the original answer and records nothing new, so its own state cannot tell one
create from four. This proxy keeps the request log the tests count: method, path (query
dropped) and ``Operation-Id`` of every request, with the emulator's status code. It forwards
everything unchanged (the ``Host`` header too, so the URLs the emulator builds point back here)
and never logs headers or query strings (they carry the key and SASes).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from tests.sockets import serving

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass(frozen=True)
class Sent:
    """One request that reached the emulator through the proxy."""

    method: str
    path: str
    operation_id: str | None
    status: int


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: list[Sent] = []

    def add(self, sent: Sent) -> None:
        with self._lock:
            self._sent.append(sent)

    def all(self) -> list[Sent]:
        with self._lock:
            return list(self._sent)

    def writes(self, prefix: str = "") -> list[Sent]:
        """Every PUT, POST, PATCH and DELETE under ``prefix`` (a path), in order."""
        return [
            s
            for s in self.all()
            if s.method in ("PUT", "POST", "PATCH", "DELETE") and s.path.startswith(prefix)
        ]


@contextmanager
def recording_proxy(target: str) -> Iterator[tuple[str, RequestLog]]:
    """Serve a proxy to ``target`` on 127.0.0.1; yields its base URL and the request log."""
    log = RequestLog()
    upstream = httpx.Client(base_url=target, timeout=120)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP]
            headers.append(("Host", self.headers.get("Host", "")))
            try:
                answer = upstream.request(self.command, self.path, content=body, headers=headers)
            except httpx.TransportError:
                self.close_connection = True
                return
            log.add(
                Sent(
                    self.command,
                    self.path.split("?", 1)[0],
                    self.headers.get("Operation-Id"),
                    answer.status_code,
                )
            )
            self.send_response(answer.status_code)
            for key, value in answer.headers.multi_items():
                if key.lower() not in HOP_BY_HOP and key.lower() != "content-encoding":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _forward

        def log_message(self, format: str, *args: object) -> None:
            return  # the request line holds the query (api-version, SAS): never printed

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    try:
        with serving(server, "recording-proxy") as url:
            yield url, log
    finally:
        upstream.close()
