"""Speech to text datasets: create from ``contentUrl``, block upload, v3.2 multipart upload,
files (``report.json`` and the data file) with signed content URLs, supported locales."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

import speechflows.emulator.speech_to_text.resources as stt
from speechflows.emulator.core.locales import find as find_locale
from speechflows.emulator.core.signing import file_signature
from speechflows.emulator.core.store import StoredFile
from speechflows.emulator.core.wire import (
    base_url,
    canonical,
    int_param,
    json_body,
    make_filter,
    multipart_form,
    now_stt,
    obj,
    page,
)
from speechflows.emulator.speech_to_text.resources import API, LEGACY, bad, check_uuid, not_found
from speechflows.emulator.speech_to_text.route_base import SttBase

MAX_BLOCK = 8 * 1024 * 1024


class DatasetRoutes(SttBase):
    """Dataset operations."""

    # datasets ----------------------------------------------------------------------------
    def _import(self, ds: dict[str, Any], **source: str) -> None:
        """Start the import job of dataset ``ds`` from ``content_url`` or ``upload_file``."""
        params = {"kind": ds["kind"], "locale": ds["locale"], **source}
        self._job("stt.dataset", "datasets", ds["id"], params)

    def _keep_upload(self, file_id: str, ds: dict[str, Any], name: str, content: bytes) -> None:
        """Keep uploaded dataset content in the emulator's storage, as Azure keeps it in its own."""
        upload = StoredFile(file_id, f"upload-{ds['id']}", name, "Upload", now_stt(), None, content)
        self.store.put_file(upload)

    def _dataset_fields(self, body: dict[str, Any]) -> dict[str, Any]:
        kind = stt.check_kind(body)
        loc = self._locale(body)
        if find_locale(loc, self._dataset_locales().get(kind, [])) is None:
            raise bad(
                f"The locale {loc!r} is not supported for {kind} datasets; see "
                "GET /datasets/locales.",
                "InvalidLocale",
                target="locale",
            )
        refs: dict[str, Any] = {}
        self._project(body, refs, loc)
        fields = {**stt.common(body), "locale": loc, "kind": kind, "_refs": refs}
        props: dict[str, Any] = obj(body, "properties")
        norm = props.get("textNormalizationKind", "Default")
        if norm not in ("Default", "None"):
            raise bad(
                "properties.textNormalizationKind must be Default or None.",
                target="properties.textNormalizationKind",
            )
        fields["properties"] = {"textNormalizationKind": norm}
        return fields

    async def create_dataset(self, request: Request) -> Response:
        body = await json_body(request, API)
        fields = self._dataset_fields(body)
        url = stt.text(body, "contentUrl")
        if url is not None and not url.startswith(("http://", "https://")):
            raise bad(
                "contentUrl must be an http(s) URL (a SAS URL for Blob storage).",
                "InvalidRecordingsUri",
                target="contentUrl",
            )
        if url:
            fields["contentUrl"] = url.split("?", 1)[0]
        fields["_upload"] = "url" if url else "blocks"
        entity = self._new("datasets", fields, "NotStarted")
        if url:
            self._import(entity, content_url=url)
        return self._answer(request, "datasets", entity, 201)

    async def upload_dataset(self, request: Request) -> Response:
        # Datasets_Upload (v3.2): fields and the ``data`` file part, read like ASP.NET reads them.
        form, parts = await multipart_form(request, API, file_names=("data",))
        fields_in: dict[str, Any] = dict(canonical(form))
        data = next((p for p in parts if p.name == "data"), None)
        if "customProperties" in fields_in:
            try:
                fields_in["customProperties"] = json.loads(fields_in["customProperties"])
            except json.JSONDecodeError:
                raise bad(
                    "customProperties must be a JSON object.", target="customProperties"
                ) from None
        if "project" in fields_in:
            fields_in["project"] = {"self": fields_in["project"]}
        fields = self._dataset_fields(fields_in)
        if data is None:
            raise bad("The multipart part 'data' with the dataset file is required.", target="data")
        fields["_upload"] = "multipart"
        file_id = str(uuid.uuid4())
        # Azure keeps uploads in its own storage and reports that location as contentUrl.
        fields["contentUrl"] = f"{base_url(request)}/_emulator/uploads/{file_id}"
        entity = self._new("datasets", fields, "NotStarted")
        self._keep_upload(file_id, entity, data.filename or "data", data.data)
        self._import(entity, upload_file=file_id)
        return self._answer(request, "datasets", entity, 201)

    async def upload_block(self, request: Request, id: str) -> Response:
        ds = self._get("datasets", id)
        block_id = request.query_params.get("blockid")
        if not block_id:
            raise bad("The query parameter 'blockid' is required.", target="blockid")
        if ds.get("_upload") != "blocks" or ds.get("status") != "NotStarted":
            raise bad(
                "This dataset does not accept blocks (no block upload in progress).",
                "InvalidDataset",
                target="id",
            )
        data = await request.body()
        if len(data) > MAX_BLOCK:
            raise bad(f"A block holds at most {MAX_BLOCK} bytes; got {len(data)}.", target="body")
        self.store.put_block(f"upload-{ds['id']}", block_id, data)
        return Response(status_code=201)

    def get_blocks(self, request: Request, id: str) -> Response:
        ds = self._get("datasets", id)
        blocks = self.store.blocks(f"upload-{ds['id']}")
        committed = ds.get("_committed") or []
        sizes = dict((b, len(d)) for b, d in blocks)
        return JSONResponse(
            {
                "committedBlocks": [{"name": b, "size": sizes.get(b, 0)} for b in committed],
                "uncommittedBlocks": [
                    {"name": b, "size": len(d)} for b, d in blocks if b not in committed
                ],
            }
        )

    async def commit_blocks(self, request: Request, id: str) -> Response:
        ds = self._get("datasets", id)
        if ds.get("_upload") != "blocks" or ds.get("status") != "NotStarted":
            raise bad("This dataset has no block upload to commit.", "InvalidDataset")
        try:
            # Datasets_CommitBlocks: a JSON array of {kind, id}, read like any body (names and
            # the kind ignoring case).
            entries = canonical(json.loads(await request.body() or b"null"))
        except json.JSONDecodeError:
            raise bad("The block list must be a JSON array.", "InvalidRequestBodyFormat") from None
        if not isinstance(entries, list) or not entries:
            raise bad(
                "The block list must be a non-empty JSON array of {kind, id}.",
                "InvalidRequestBodyFormat",
            )
        blocks = dict(self.store.blocks(f"upload-{ds['id']}"))
        parts = []
        for entry in entries:
            bid = entry.get("id") if isinstance(entry, dict) else None
            if bid not in blocks:
                raise bad(f"Block {bid!r} was not uploaded.", "InvalidParameterValue")
            parts.append(blocks[bid])
        file_id = str(uuid.uuid4())
        self._keep_upload(file_id, ds, "data", b"".join(parts))
        self.store.update(
            API, "datasets", ds["id"], _committed=[e["id"] for e in entries], _upload="committed"
        )
        self._import(ds, upload_file=file_id)
        return Response(status_code=200)

    def _files(self, request: Request, coll: str, owner: str) -> list[dict[str, Any]]:
        if self.version == LEGACY:
            seconds = int_param(request, "sasValidityInSeconds", 12 * 3600, API, minimum=0)
        else:
            seconds = 60 * int_param(request, "sasLifetimeMinutes", 12 * 60, API, minimum=0)
        expiry = int(time.time()) + seconds
        base = base_url(request)
        out = []
        for f in self.ctx.store.files_of(owner):
            query = urlencode(
                {"se": expiry, "sp": "r", "sig": file_signature(self.ctx.key, f.id, expiry)}
            )
            out.append(
                {
                    "self": stt.link(base, self.version, f"{coll}/{owner}/files/{f.id}"),
                    "name": f.name,
                    "kind": f.kind,
                    "links": {"contentUrl": f"{base}/_emulator/files/{f.id}?{query}"},
                    "properties": {"size": len(f.content)},
                    "createdDateTime": f.created,
                }
            )
        return out

    def list_files(self, coll: str) -> Any:
        def handler(request: Request, id: str) -> Response:
            entity = self._get(coll, id)
            keep = make_filter(
                request.query_params.get("filter"),
                ("name", "createdDateTime", "kind"),
                API,
                time_props=("createdDateTime",),
            )
            items = [f for f in self._files(request, coll, entity["id"]) if keep(f)]
            path = f"/speechtotext{'/v3.2' if self.version == LEGACY else ''}/{coll}/{id}/files"
            return JSONResponse(
                page(
                    items,
                    api=API,
                    request=request,
                    path=path,
                    api_version=None if self.version == LEGACY else self.version,
                )
            )

        return handler

    def get_file(self, coll: str) -> Any:
        def handler(request: Request, id: str, fileId: str) -> Response:
            entity = self._get(coll, id)
            fid = check_uuid(fileId, "fileId")
            match = [
                f
                for f in self._files(request, coll, entity["id"])
                if f["self"].split("?")[0].endswith(fid)
            ]
            if not match:
                raise not_found("files", fileId)
            return JSONResponse(match[0])

        return handler

    def dataset_locales(self, request: Request) -> Response:
        by_kind = self._dataset_locales()
        if self.version != LEGACY:
            return JSONResponse(by_kind)
        by_locale: dict[str, list[str]] = {}
        for kind, locales in by_kind.items():
            for loc in locales:
                by_locale.setdefault(loc, []).append(kind)
        return JSONResponse(by_locale)
