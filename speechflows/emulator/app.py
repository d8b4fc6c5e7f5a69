"""The emulator's ASGI app: routes, the request gate (auth, api-version, faults), the worker.

Every API request passes the gate first, in this order:

1. authentication: ``Ocp-Apim-Subscription-Key`` must equal the configured key, or (with
   ``accept_bearer``) any ``Authorization: Bearer <token>``; otherwise 401 in the API's shape;
2. faults (:mod:`speechflows.emulator.faults`): latency, dropped connection, 429 with
   ``Retry-After``, 5xx;
3. ``api-version``: required on Custom Voice and on ``/speechtotext/...`` (not on the
   path-versioned ``/speechtotext/v3.2/...``); missing or unsupported → 400.

Errors answer in the API's own shape (:mod:`speechflows.emulator.errors`), including unknown
paths (404) and methods (405). ``/_emulator/`` (:mod:`speechflows.emulator.admin`) skips the gate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from speechflows.emulator import admin, cv_jobs, stt_jobs
from speechflows.emulator.config import (
    CUSTOM_VOICE_VERSIONS,
    SPEECH_TO_TEXT_QUERY_VERSIONS,
    EmulatorConfig,
)
from speechflows.emulator.context import Context
from speechflows.emulator.custom_voice import CustomVoice
from speechflows.emulator.engine import Engine
from speechflows.emulator.errors import ApiError, api_of_path, error_response
from speechflows.emulator.faults import Faults
from speechflows.emulator.speech_to_text import SpeechToText
from speechflows.emulator.store import Store
from speechflows.redaction import register_secret

log = logging.getLogger(__name__)


class DroppedConnection(httpx.RemoteProtocolError):
    """Raised to drop a connection on purpose (fault ``drop_ratio``)."""


def _version_error(path: str, query: dict[str, str]) -> ApiError | None:
    api = api_of_path(path)
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
        request = Request(scope)
        refusal = self._auth(request, api)
        decision = None
        if refusal is None:
            decision = self.ctx.faults.decide()
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


def create_app(config: EmulatorConfig) -> FastAPI:
    """Build the emulator app and start its background worker.

    Example:
        >>> app = create_app(EmulatorConfig(data_dir=Path("/tmp/emu"), key="k" * 32))  # doctest: +SKIP
        >>> transport = httpx.ASGITransport(app=app)                                  # doctest: +SKIP
    """
    register_secret(config.key.get_secret_value())
    config.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(config.data_dir / "emulator.sqlite3")
    ctx = Context(config=config, store=store, faults=Faults(config.faults))
    engine = Engine(
        store,
        ctx.faults,
        {**cv_jobs.handlers(ctx), **stt_jobs.handlers(ctx)},
        step_seconds=config.step_seconds,
    )
    ctx.engine = engine

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        stop_app(_app)

    app = FastAPI(
        title="speechflows Azure Speech emulator",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.context = ctx
    app.include_router(admin.router(ctx))
    app.include_router(CustomVoice(ctx).router())
    app.include_router(SpeechToText(ctx, "2025-10-15").router())
    app.include_router(SpeechToText(ctx, "v3.2").router())

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        api = api_of_path(request.url.path)
        api = "customvoice" if api == "admin" else api
        if exc.status_code == 405:
            return error_response(
                ApiError(
                    api, 405, f"The method {request.method} is not allowed on {request.url.path}."
                )
            )
        return error_response(
            ApiError(
                api,
                exc.status_code,
                f"The resource {request.url.path} was not found."
                if exc.status_code == 404
                else str(exc.detail),
            )
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, DroppedConnection):
            log.exception("emulator error on %s %s", request.method, request.url.path)
        api = api_of_path(request.url.path)
        return error_response(
            ApiError(
                "customvoice" if api == "admin" else api,
                500,
                "An internal error occurred in the emulator.",
            )
        )

    app.add_middleware(Gate, ctx=ctx)
    engine.start()
    return app


def stop_app(app: FastAPI) -> None:
    """Stop the worker and close the state (the app stays importable, but stops working)."""
    ctx: Context = app.state.context
    if ctx.engine is not None:
        ctx.engine.stop()
        ctx.engine = None
        ctx.store.close()
