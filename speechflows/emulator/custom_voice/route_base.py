"""Shared plumbing of the Custom Voice routes: rendering, references, idempotent creates,
long-running operations with ``Operation-Id`` semantics, multipart uploads."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

import speechflows.emulator.custom_voice.resources as cv
from speechflows.emulator.core.context import Context
from speechflows.emulator.core.store import Job
from speechflows.emulator.core.wire import base_url, fingerprint, multipart_form, now_cv
from speechflows.emulator.custom_voice.resources import API, bad, not_found


def api_version(request: Request) -> str:
    return request.query_params["api-version"]


def operation_headers(request: Request, op_id: str) -> dict[str, str]:
    loc = f"{base_url(request)}/customvoice/operations/{op_id}?api-version={api_version(request)}"
    return {"Operation-Id": op_id, "Operation-Location": loc}


def request_identity(request: Request, payload: Any) -> str:
    """What makes two requests "identical" for ``Operation-Id``: method, path, query and the
    whole payload, SAS tokens included (spec: customvoice ``HeaderOperationId``)."""
    query = sorted((k.lower(), v) for k, v in request.query_params.multi_items())
    return fingerprint(request.method, request.url.path, query, payload)


def form_identity(fields: dict[str, str], files: list[tuple[str, bytes]]) -> dict[str, Any]:
    """A multipart request's payload for :func:`request_identity`: fields, file names, digests."""
    return {
        "fields": sorted(fields.items()),
        "files": [(name, hashlib.sha256(data).hexdigest()) for name, data in files],
    }


def operation_id(request: Request) -> str:
    op_id = request.headers.get("operation-id")
    if op_id is None:
        return str(uuid.uuid4())
    cv.check_id(op_id, what="Operation-Id")
    return op_id


class CvBase:
    """State and helpers shared by the Custom Voice handlers."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.store

    # helpers -----------------------------------------------------------------------------
    def _get(self, coll: str, rid: str) -> dict[str, Any]:
        body = self.store.get(API, coll, rid)
        if body is None:
            raise not_found(coll, rid)
        return body

    def _ref(self, coll: str, body: dict[str, Any], field: str) -> dict[str, Any]:
        rid = cv.text(body, field, required=True)
        assert rid is not None
        cv.check_id(rid, what=field)
        found = self.store.get(API, coll, rid)
        if found is None:
            raise bad(
                f"The {field} {rid!r} does not exist.", inner="ReferenceNotFound", target=field
            )
        return found

    def _answer(
        self,
        request: Request,
        coll: str,
        body: dict[str, Any],
        status: int = 201,
        headers: dict[str, str] | None = None,
    ) -> JSONResponse:
        return JSONResponse(
            cv.render(coll, body, api_version(request)), status_code=status, headers=headers
        )

    def _sync_create(
        self,
        request: Request,
        coll: str,
        rid: str,
        definition: dict[str, Any],
        extra: dict[str, Any],
    ) -> JSONResponse:
        digest = fingerprint(definition)
        existing = self.store.get(API, coll, rid)
        if existing is not None:
            if existing.get("_definition") != digest:
                raise bad(
                    f"The {coll.rstrip('s')} {rid!r} already exists with a different "
                    "definition; ids cannot be reused.",
                    inner="ResourceConflict",
                    status=409,
                )
            return self._answer(request, coll, existing)
        body = {
            "id": rid,
            **definition,
            **extra,
            "createdDateTime": now_cv(),
            "_definition": digest,
        }
        self.store.put(API, coll, rid, body)
        self.store.record_create(API, coll, rid, definition.get("displayName"))
        return self._answer(request, coll, body)

    def _lro(
        self,
        request: Request,
        *,
        coll: str,
        rid: str,
        definition: dict[str, Any],
        kind: str,
        params: dict[str, Any] | Callable[[str], dict[str, Any]],
        build: dict[str, Any] | None,
        identity: Any,
        status: int = 201,
        on_new: Callable[[], None] | None = None,
    ) -> Response:
        """A long-running create/action, with Operation-Id semantics.

        ``build`` is the new resource body (None for actions on an existing resource);
        ``params`` may be a function of the new operation id (it runs only for a new job).
        ``identity`` is the whole request as received (the JSON body with its SAS URLs, or the
        form fields and file digests): the same ``Operation-Id`` with anything else is 400.
        ``on_new`` runs only when a new operation starts (never for a repeated identical
        request), e.g. a training set going ``NotStarted`` for its new import.
        """
        op_id = operation_id(request)
        digest = request_identity(request, identity)
        # Check and submit under the store's lock: two identical requests at once make one job.
        with self.store.transaction():
            prior = self.store.get_job(op_id)
            if prior is not None:
                if prior.fingerprint != digest or prior.api != API:
                    raise bad(
                        f"Operation-Id {op_id!r} belongs to a different request; an Operation-Id "
                        "can only be reused with an identical request (same URL, body and SAS "
                        "tokens). Send a new Operation-Id for a new request.",
                        inner="OperationIdConflict",
                        target="Operation-Id",
                    )
                return self._lro_answer(request, coll, rid, prior.id, status)
            if build is not None:
                existing = self.store.get(API, coll, rid)
                if existing is not None:
                    if existing.get("_definition") != fingerprint(definition):
                        raise bad(
                            f"The {coll.rstrip('s')} {rid!r} already exists with a different "
                            "definition; ids cannot be reused.",
                            inner="ResourceConflict",
                            status=409,
                        )
                    return self._lro_answer(request, coll, rid, existing["_operationId"], status)
                now = now_cv()
                body = {
                    "id": rid,
                    **build,
                    "status": "NotStarted",
                    "createdDateTime": now,
                    "lastActionDateTime": now,
                    "_definition": fingerprint(definition),
                    "_operationId": op_id,
                }
                self.store.put(API, coll, rid, body)
                self.store.record_create(API, coll, rid, definition.get("displayName"))
            if on_new is not None:
                on_new()
            job_params = params(op_id) if callable(params) else params
            self.ctx.submit(
                Job(
                    id=op_id,
                    api=API,
                    kind=kind,
                    coll=coll,
                    resource_id=rid,
                    fingerprint=digest,
                    params=job_params,
                )
            )
            return self._lro_answer(request, coll, rid, op_id, status)

    def _lro_answer(
        self, request: Request, coll: str, rid: str, op_id: str, status: int
    ) -> Response:
        headers = operation_headers(request, op_id)
        if status == 202 and coll == "trainingsets":
            return Response(status_code=202, headers=headers)
        body = self.store.get(API, coll, rid)
        if body is None:
            raise not_found(coll, rid)
        return self._answer(request, coll, body, status, headers)

    async def _form(self, request: Request) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
        """Form fields and the ``audiodata`` files (name, bytes) of a multipart request
        (:func:`~speechflows.emulator.core.wire.multipart_form`: part names ignoring case)."""
        fields, parts = await multipart_form(request, API, file_names=("audiodata",))
        files = []
        for i, part in enumerate(parts):
            if part.name == "audiodata":
                name = (part.filename or f"audio{i}.wav").replace("/", "_").replace("\\", "_")
                files.append((name, part.data))
        if not files and "audiodata" in fields:
            raise bad(
                "The part 'audiodata' has no filename, so it is a form field, not a file: "
                "send it as a file part, e.g. Content-Disposition: form-data; "
                'name="audiodata"; filename="consent.wav".',
                inner="MissingProperty",
                target="audiodata",
            )
        return fields, files

    def _saver(
        self, files: list[tuple[str, bytes]], extra: dict[str, Any]
    ) -> Callable[[str], dict[str, Any]]:
        """Params factory: keep the uploaded files under the new operation's upload dir."""

        def save(op_id: str) -> dict[str, Any]:
            folder = self.ctx.upload_dir(op_id)
            for i, (name, data) in enumerate(files):
                (folder / f"{i:03d}_{name}").write_bytes(data)
            return {**extra, "source": {"upload_dir": str(folder)}}

        return save
