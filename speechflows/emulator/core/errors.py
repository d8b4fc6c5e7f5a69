"""Errors in each API's own shape.

Custom Voice (``ErrorResponse``) wraps the error and uses a lower-case ``innererror``; the
``x-ms-error-code`` header repeats the code::

    {"error": {"code": "BadRequest", "message": "...", "innererror": {"code": "...", "message": "..."}}}

Speech to text (``Error``) does not wrap, and uses a camel-case ``innerError``::

    {"code": "InvalidArgument", "message": "...", "innerError": {"code": "InvalidLocale", "message": "..."}}

Handlers raise :class:`ApiError` with the code of the API they serve; :func:`error_response`
renders it. The top-level codes are the spec enums (Custom Voice ``ErrorCode``, Speech to text
``ErrorCode``); inner codes are free strings in Custom Voice and ``DetailedErrorCode`` values in
Speech to text.
"""

from __future__ import annotations

from typing import Any, Literal

from starlette.responses import JSONResponse

Api = Literal["customvoice", "speechtotext", "admin"]

# Top-level codes per HTTP status, for errors raised without an explicit code.
_CV_CODES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "BadRequest",
    409: "BadRequest",
    415: "UnsupportedMediaType",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
}
_STT_CODES = {
    400: "InvalidRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "NotAllowed",
    409: "Conflict",
    415: "UnsupportedMediaType",
    422: "UnprocessableEntity",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
}


class ApiError(Exception):
    """An error answer. ``api`` picks the body shape; ``inner_code`` is optional detail."""

    def __init__(
        self,
        api: Api,
        status: int,
        message: str,
        *,
        code: str | None = None,
        inner_code: str | None = None,
        target: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.api: Api = api
        self.status = status
        self.message = message
        table = _CV_CODES if api == "customvoice" else _STT_CODES
        self.code = code or table.get(
            status,
            "InternalServerError"
            if status >= 500
            else ("BadRequest" if api == "customvoice" else "InvalidRequest"),
        )
        self.inner_code = inner_code
        self.target = target
        self.headers = dict(headers or {})


def error_body(err: ApiError) -> dict[str, Any]:
    """The JSON body of ``err`` in its API's shape."""
    if err.api == "customvoice":
        inner: dict[str, Any] = {}
        error: dict[str, Any] = {"code": err.code, "message": err.message}
        if err.target:
            error["target"] = err.target
        if err.inner_code:
            inner = {"code": err.inner_code, "message": err.message}
            error["innererror"] = inner
        return {"error": error}
    body: dict[str, Any] = {"code": err.code, "message": err.message}
    if err.target:
        body["target"] = err.target
    if err.inner_code:
        body["innerError"] = {"code": err.inner_code, "message": err.message}
    return body


def error_response(err: ApiError) -> JSONResponse:
    """Render ``err`` as a response (Custom Voice errors also carry ``x-ms-error-code``)."""
    headers = dict(err.headers)
    if err.api == "customvoice":
        headers["x-ms-error-code"] = err.code
    return JSONResponse(error_body(err), status_code=err.status, headers=headers)


def api_of_path(path: str) -> Api:
    """Which API a request path belongs to (unknown paths answer in the Custom Voice shape)."""
    if path.startswith("/speechtotext"):
        return "speechtotext"
    if path.startswith("/_emulator"):
        return "admin"
    return "customvoice"
