"""A synchronous httpx transport that runs the emulator app in-process.

``httpx.ASGITransport`` is async-only; the Speech client and most tests are synchronous. This
transport runs an event loop in a background thread and forwards each request through
``httpx.ASGITransport`` on it, so a plain ``httpx.Client`` (or the Speech client's
``transport=``) talks to the app with no network at all.

Example:
    >>> app = create_app(EmulatorConfig(data_dir=Path("/tmp/emu"), key="k" * 32))  # doctest: +SKIP
    >>> with httpx.Client(transport=InProcessTransport(app), base_url="http://emulator") as c:
    ...     c.get("/_emulator/health").json()                                    # doctest: +SKIP
    {'status': 'ok'}
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx


class InProcessTransport(httpx.BaseTransport):
    """Sync transport over ``httpx.ASGITransport(app)`` (exceptions of the app propagate)."""

    def __init__(self, app: Any) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="emulator-asgi", daemon=True
        )
        self._thread.start()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()
        forwarded = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=content,
            extensions=request.extensions,
        )

        async def send() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            resp = await self._asgi.handle_async_request(forwarded)
            body = b"".join([chunk async for chunk in resp.stream])  # type: ignore[union-attr]
            return resp.status_code, resp.headers.raw, body

        status, headers, body = asyncio.run_coroutine_threadsafe(send(), self._loop).result()
        return httpx.Response(status, headers=headers, content=body, request=request)

    def close(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        if not self._loop.is_running() and not self._loop.is_closed():
            self._loop.close()
