"""The request gate in front of every API route: authentication, faults, api-version.

Every API request passes the gate first, in this order:

1. authentication: ``Ocp-Apim-Subscription-Key`` must equal the configured key, or (with
   ``accept_bearer``) any ``Authorization: Bearer <token>``; otherwise 401 in the API's shape;
2. the quota (``EmulatorConfig.quota``, per key, like Azure's 50 or 100 requests / 10 s): past it,
   429 with ``Retry-After``;
3. faults (:mod:`speechflows.emulator.core.faults`): latency, dropped connection, 429 with
   ``Retry-After``, 5xx;
4. ``api-version`` (query parameter names are matched ignoring case, ``Api-Version`` too):
   required on Custom Voice and on ``/speechtotext/...`` (not on the
   path-versioned ``/speechtotext/v3.2/...``); missing or unsupported → 400.

``/_emulator/`` (:mod:`speechflows.emulator.admin`) skips the gate.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import httpx
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from speechflows.emulator.core.config import CUSTOM_VOICE_VERSIONS, SPEECH_TO_TEXT_QUERY_VERSIONS
from speechflows.emulator.core.context import Context
from speechflows.emulator.core.errors import ApiError, api_of_path, error_response
from speechflows.emulator.core.wire import canonical_query


class DroppedConnection(httpx.RemoteProtocolError):
    """Raised to drop a connection on purpose (fault ``drop_ratio``)."""


def _version_error(path: str, query: dict[str, str]) -> ApiError | None:
    api = api_of_path(path)
    if path.startswith("/cognitiveservices/"):
        return None  # text to speech REST: no api-version (ledger § Text to speech)
    if api == "customvoice":
        allowed: tuple[str, ...] = CUSTOM_VOICE_VERSIONS
    elif path.startswith("/speechtotext/v") and path[len("/speechtotext/v") :][:1].isdigit():
        return None  # path-versioned; unknown versions simply have no routes (404)
    else:
        allowed = SPEECH_TO_TEXT_QUERY_VERSIONS
    version = query.get("api-version")
    inner = "InvalidParameterValue" if api == "speechtotext" else "UnsupportedApiVersion"
    if not version:
        return ApiError(
            api,
            400,
            f"The api-version query parameter is required (supported: {', '.join(allowed)}).",
            inner_code=inner,
            target="api-version",
        )
    if version not in allowed:
        return ApiError(
            api,
            400,
            f"The api-version {version!r} is not supported (supported: {', '.join(allowed)}).",
            inner_code=inner,
            target="api-version",
        )
    return None


def _caller(request: Request) -> str:
    """The quota's key: the subscription key, else the bearer token (hashed, never kept)."""
    secret = request.headers.get("ocp-apim-subscription-key") or request.headers.get(
        "authorization", ""
    )
    return hashlib.sha256(secret.encode()).hexdigest()


class Gate:
    """Raw ASGI middleware: authentication, faults and api-version, before any route runs."""

    def __init__(self, app: ASGIApp, ctx: Context) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        api = api_of_path(path)
        if api == "admin":
            await self.app(scope, receive, send)
            return
        # Query parameter names are read ignoring case, as ASP.NET Core reads them.
        scope = {**scope, "query_string": canonical_query(scope.get("query_string", b""))}
        request = Request(scope)
        refusal = self._auth(request, api)
        decision = None
        if refusal is None:
            wait = self.ctx.faults.quota.check(_caller(request))
            if wait is not None:
                refusal = ApiError(
                    api,
                    429,
                    f"Too many requests: the quota is exceeded; retry after {wait} seconds.",
                    headers={"Retry-After": str(wait)},
                )
        if refusal is None:
            decision = self.ctx.faults.decide(request=f"{scope['method']} {path}")
            if decision.latency_s:
                await asyncio.sleep(decision.latency_s)
            if decision.drop:
                await self._drop(send)
            if decision.retry_after is not None:
                refusal = ApiError(
                    api,
                    429,
                    f"Too many requests; retry after {decision.retry_after} seconds.",
                    headers={"Retry-After": str(decision.retry_after)},
                )
            elif decision.error_status is not None:
                refusal = ApiError(
                    api,
                    decision.error_status,
                    "The service is temporarily unavailable (injected fault).",
                )
        if refusal is None:
            refusal = _version_error(path, dict(request.query_params))
        if refusal is not None:
            await error_response(refusal)(scope, receive, send)
            return
        if decision is not None and decision.drop_after:

            async def swallow(message: Message) -> None:
                return None

            await self.app(scope, receive, swallow)
            await self._drop(send)
        await self.app(scope, receive, send)

    def _auth(self, request: Request, api: Any) -> ApiError | None:
        key = request.headers.get("ocp-apim-subscription-key")
        if key is not None and key == self.ctx.key:
            return None
        auth = request.headers.get("authorization", "")
        if (
            self.ctx.config.accept_bearer
            and auth.lower().startswith("bearer ")
            and auth[7:].strip()
        ):
            return None
        why = (
            (
                "Access denied due to invalid subscription key or wrong API endpoint. Make sure "
                "to provide a valid key for an active subscription and use a correct regional "
                "API endpoint for your resource."
            )
            if key or auth
            else (
                "Access denied due to missing subscription key. Make sure to include the "
                "subscription key (Ocp-Apim-Subscription-Key) when making requests."
            )
        )
        return ApiError(api, 401, why)

    async def _drop(self, send: Send) -> None:
        # Start a response, then abort it: the client sees the connection close mid-response.
        await send(
            {
                "type": "http.response.start",
                "status": 500,
                "headers": [(b"content-length", b"1024")],
            }
        )
        raise DroppedConnection("connection dropped by the emulator (fault drop_ratio)")
