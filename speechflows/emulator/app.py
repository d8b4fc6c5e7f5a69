"""The emulator's ASGI app: both APIs' routes, the admin API, the gate, the worker.

:func:`create_app` composes the parts: the shared
:class:`~speechflows.emulator.core.context.Context` and
:class:`~speechflows.emulator.core.engine.Engine` with both APIs' job handlers, the routers of
:mod:`speechflows.emulator.custom_voice`, :mod:`speechflows.emulator.speech_to_text` and
:mod:`speechflows.emulator.admin`, and the request gate (:mod:`speechflows.emulator.gate`).

Errors answer in the API's own shape (:mod:`speechflows.emulator.core.errors`), including unknown
paths (404) and methods (405). ``/_emulator/`` (:mod:`speechflows.emulator.admin`) skips the gate.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from speechflows.emulator.admin import router as admin_router
from speechflows.emulator.core.config import EmulatorConfig
from speechflows.emulator.core.context import Context
from speechflows.emulator.core.engine import Engine
from speechflows.emulator.core.errors import ApiError, api_of_path, error_response
from speechflows.emulator.core.faults import Faults
from speechflows.emulator.core.store import Store
from speechflows.emulator.custom_voice.jobs import handlers as custom_voice_handlers
from speechflows.emulator.custom_voice.routes import CustomVoice
from speechflows.emulator.gate import DroppedConnection, Gate
from speechflows.emulator.speech_to_text.jobs import handlers as speech_to_text_handlers
from speechflows.emulator.speech_to_text.routes import SpeechToText
from speechflows.emulator.speech_to_text.transcriptions import TranscriptionRoutes
from speechflows.emulator.speech_to_text.transcriptions import handlers as transcription_handlers
from speechflows.emulator.text_to_speech.synthesis import TextToSpeech
from speechflows.redaction import register_secret

log = logging.getLogger(__name__)


def create_app(config: EmulatorConfig) -> FastAPI:
    """Build the emulator app and start its background worker.

    Example:
        >>> app = create_app(EmulatorConfig(data_dir=Path("/tmp/emu"), key="k" * 32))  # doctest: +SKIP
        >>> transport = httpx.ASGITransport(app=app)                                  # doctest: +SKIP
    """
    register_secret(config.key.get_secret_value())
    config.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(config.data_dir / "emulator.sqlite3")
    ctx = Context(config=config, store=store, faults=Faults(config.faults, quota=config.quota))
    engine = Engine(
        store,
        ctx.faults,
        {
            **custom_voice_handlers(ctx),
            **speech_to_text_handlers(ctx),
            **transcription_handlers(ctx),
        },
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
    app.include_router(admin_router(ctx))
    app.include_router(CustomVoice(ctx).router())
    app.include_router(TextToSpeech(ctx).router())
    # Before the other Speech to text routes: /transcriptions/locales before /{id}.
    app.include_router(TranscriptionRoutes(ctx, "2025-10-15").router())
    app.include_router(TranscriptionRoutes(ctx, "v3.2").router())
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
