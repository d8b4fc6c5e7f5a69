"""Loopback servers of the tests: one that never answers (a hung proxy, a blackholed port), and
a server run from a thread."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def silent_listener(*, close: bool = False) -> Iterator[tuple[int, list[socket.socket]]]:
    """Yields the port and the connections accepted so far. Each is kept open, never answered
    (with ``close``: closed at once, no answer); all are closed on exit."""
    accepted: list[socket.socket] = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)

        def serve() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return  # the listener was closed
                accepted.append(conn)
                if close:
                    conn.close()

        threading.Thread(target=serve, daemon=True).start()
        try:
            yield listener.getsockname()[1], accepted
        finally:
            for conn in accepted:
                conn.close()


@contextmanager
def serving(server: socketserver.TCPServer, name: str | None = None) -> Iterator[str]:
    """Serve ``server`` (bound to 127.0.0.1) from a daemon thread; yields its base URL. Shut
    down and closed on exit."""
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
