"""Speech to text routes, for custom speech: ``/speechtotext/...?api-version=2025-10-15`` and
the legacy ``/speechtotext/v3.2/...`` paths.

Emulated: projects (and their dataset/model/evaluation/endpoint lists), datasets (``contentUrl``,
block upload, v3.2 multipart upload, files and the report), base and custom models,
evaluations (and their files), endpoints. Creates are ``POST`` with server-assigned UUIDs,
answer 201 with ``Location``; GETs of entities still processing carry ``Retry-After``.

Choices the spec leaves open: deletes of unknown ids answer 204 (the spec: "deleted or did not
exist"); a dataset's ``locale`` must be supported for its kind and equal its project's
(400 ``InvalidLocale``); a model needs a known ``baseModel`` and Succeeded datasets whose kinds
the base model supports; an endpoint needs a Succeeded model.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from speechflows.emulator import stt_resources as stt
from speechflows.emulator.catalog import STT_LOCALES, stt_dataset_locales
from speechflows.emulator.context import Context
from speechflows.emulator.errors import ApiError
from speechflows.emulator.store import Job, StoredFile
from speechflows.emulator.stt_resources import API, LEGACY, bad, check_uuid, not_found
from speechflows.emulator.wire import (
    base_url,
    int_param,
    json_body,
    make_filter,
    now_stt,
    obj,
    page,
)

COLLECTIONS = ("projects", "datasets", "models", "evaluations", "endpoints")
FILTERABLE = {
    "projects": ("displayName", "description", "createdDateTime", "locale", "foundryProjectName"),
    "datasets": ("displayName", "description", "createdDateTime", "lastActionDateTime", "status",
                 "locale", "kind"),
    "models": ("displayName", "description", "createdDateTime", "lastActionDateTime", "status",
               "locale"),
    "evaluations": ("displayName", "description", "createdDateTime", "lastActionDateTime",
                    "status", "locale"),
    "endpoints": ("displayName", "description", "createdDateTime", "lastActionDateTime",
                  "status", "locale"),
}
MAX_BLOCK = 8 * 1024 * 1024
DEFAULT_MODEL_WEIGHT = 30


def file_signature(key: str, file_id: str, expiry: int) -> str:
    """The ``sig`` of a file content URL (HMAC of the id and expiry with the resource key)."""
    return hmac.new(key.encode(), f"{file_id}:{expiry}".encode(), hashlib.sha256).hexdigest()


class SpeechToText:
    """The Speech to text API for one version (``2025-10-15`` or ``v3.2``)."""

    def __init__(self, ctx: Context, version: str) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.version = version

    # helpers -----------------------------------------------------------------------------
    def _render(self, request: Request, coll: str, body: dict[str, Any]) -> dict[str, Any]:
        counts = None
        if coll == "projects" and self.version == LEGACY:
            counts = {c: sum(1 for b in self.store.list_resources(API, c)
                             if (b.get("_refs") or {}).get("project", [None, None])[1] == body["id"])
                      for c in ("datasets", "evaluations", "models", "endpoints")}
        return stt.render(coll, body, base_url(request), self.version, counts)

    def _answer(self, request: Request, coll: str, body: dict[str, Any],
                status: int = 200) -> JSONResponse:
        headers = {}
        if status == 201:
            headers["Location"] = stt.link(base_url(request), self.version, f"{coll}/{body['id']}")
        elif body.get("status") in ("NotStarted", "Running"):
            headers["Retry-After"] = str(self.ctx.config.retry_after_seconds)
        return JSONResponse(self._render(request, coll, body), status_code=status, headers=headers)

    def _get(self, coll: str, rid: str) -> dict[str, Any]:
        body = self.store.get(API, coll, check_uuid(rid))
        if body is None:
            raise not_found(coll, rid)
        return body

    def _resolve(self, body: dict[str, Any], field: str, colls: tuple[str, ...],
                 inner: str) -> tuple[list[str], dict[str, Any]]:
        coll, rid = stt.parse_ref(body.get(field), field, colls)
        if coll == "models/base":
            found = stt.base_model(rid)
            if found is None:
                raise bad(f"{field}: base model {rid} does not exist.", inner, target=field)
            return [coll, rid], {"id": rid, "locale": found[1], "status": "Succeeded",
                                 "_kinds": list(found[3])}
        entity = self.store.get(API, coll, rid)
        if entity is None:
            raise bad(f"{field}: {coll.rstrip('s')} {rid} does not exist.", inner, target=field)
        return [coll, rid], entity

    def _project(self, body: dict[str, Any], refs: dict[str, Any], locale: str) -> None:
        if body.get("project") is None:
            return
        ref, project = self._resolve(body, "project", ("projects",), "InvalidProject")
        if project.get("locale") != locale:
            raise bad(f"The locale {locale!r} does not match the project's locale "
                      f"{project.get('locale')!r}.", "InvalidLocale", target="locale")
        refs["project"] = ref

    def _locale(self, body: dict[str, Any]) -> str:
        """The locale, in canonical casing (the service accepts ``en-us`` for ``en-US``)."""
        loc = stt.text(body, "locale", required=True)
        assert loc is not None
        return next((c for c in STT_LOCALES if c.lower() == loc.lower()), loc)

    def _new(self, coll: str, fields: dict[str, Any], status: str | None) -> dict[str, Any]:
        now = now_stt()
        body = {"id": str(uuid.uuid4()), **fields, "createdDateTime": now}
        if status is not None:
            body |= {"status": status, "lastActionDateTime": now}
        self.store.put(API, coll, body["id"], body)
        self.store.record_create(API, coll, body["id"], fields.get("displayName"))
        return body

    def _job(self, kind: str, coll: str, rid: str, params: dict[str, Any]) -> None:
        self.ctx.submit(Job(id=f"{coll}-{rid}", api=API, kind=kind, coll=coll, resource_id=rid,
                            params=params, visible=False))

    # projects ----------------------------------------------------------------------------
    async def create_project(self, request: Request) -> Response:
        body = await json_body(request, API)
        fields = {**stt.common(body), "locale": self._locale(body)}
        foundry = stt.text(body, "foundryProjectName")
        if foundry and self.version != LEGACY:
            fields["foundryProjectName"] = foundry
        return self._answer(request, "projects", self._new("projects", fields, None), 201)

    # datasets ----------------------------------------------------------------------------
    def _dataset_fields(self, body: dict[str, Any]) -> dict[str, Any]:
        kind = stt.check_kind(body)
        loc = self._locale(body)
        if loc not in stt_dataset_locales().get(kind, []):
            raise bad(f"The locale {loc!r} is not supported for {kind} datasets; see "
                      "GET /datasets/locales.", "InvalidLocale", target="locale")
        refs: dict[str, Any] = {}
        self._project(body, refs, loc)
        fields = {**stt.common(body), "locale": loc, "kind": kind, "_refs": refs}
        props: dict[str, Any] = obj(body, "properties")
        norm = props.get("textNormalizationKind", "Default")
        if norm not in ("Default", "None"):
            raise bad("properties.textNormalizationKind must be Default or None.",
                      target="properties.textNormalizationKind")
        fields["properties"] = {"textNormalizationKind": norm}
        return fields

    async def create_dataset(self, request: Request) -> Response:
        body = await json_body(request, API)
        fields = self._dataset_fields(body)
        url = stt.text(body, "contentUrl")
        if url is not None and not url.startswith(("http://", "https://")):
            raise bad("contentUrl must be an http(s) URL (a SAS URL for Blob storage).",
                      "InvalidRecordingsUri", target="contentUrl")
        if url:
            fields["contentUrl"] = url.split("?", 1)[0]
        fields["_upload"] = "url" if url else "blocks"
        entity = self._new("datasets", fields, "NotStarted")
        if url:
            self._job("stt.dataset", "datasets", entity["id"],
                      {"kind": fields["kind"], "locale": fields["locale"], "content_url": url})
        return self._answer(request, "datasets", entity, 201)

    async def upload_dataset(self, request: Request) -> Response:
        form = await request.form()
        fields_in: dict[str, Any] = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        data = next((v for k, v in form.multi_items() if isinstance(v, UploadFile)), None)
        if "customProperties" in fields_in:
            try:
                fields_in["customProperties"] = json.loads(fields_in["customProperties"])
            except json.JSONDecodeError:
                raise bad("customProperties must be a JSON object.",
                          target="customProperties") from None
        if "project" in fields_in:
            fields_in["project"] = {"self": fields_in["project"]}
        fields = self._dataset_fields(fields_in)
        if data is None:
            raise bad("The multipart part 'data' with the dataset file is required.",
                      target="data")
        fields["_upload"] = "multipart"
        file_id = str(uuid.uuid4())
        # Azure keeps uploads in its own storage and reports that location as contentUrl.
        fields["contentUrl"] = f"{base_url(request)}/_emulator/uploads/{file_id}"
        entity = self._new("datasets", fields, "NotStarted")
        self.store.put_file(StoredFile(file_id, f"upload-{entity['id']}", data.filename or "data",
                                       "Upload", now_stt(), None, await data.read()))
        self._job("stt.dataset", "datasets", entity["id"],
                  {"kind": fields["kind"], "locale": fields["locale"], "upload_file": file_id})
        return self._answer(request, "datasets", entity, 201)

    async def upload_block(self, request: Request, id: str) -> Response:
        ds = self._get("datasets", id)
        block_id = request.query_params.get("blockid")
        if not block_id:
            raise bad("The query parameter 'blockid' is required.", target="blockid")
        if ds.get("_upload") != "blocks" or ds.get("status") != "NotStarted":
            raise bad("This dataset does not accept blocks (no block upload in progress).",
                      "InvalidDataset", target="id")
        data = await request.body()
        if len(data) > MAX_BLOCK:
            raise bad(f"A block holds at most {MAX_BLOCK} bytes; got {len(data)}.",
                      target="body")
        self.store.put_block(f"upload-{ds['id']}", block_id, data)
        return Response(status_code=201)

    def get_blocks(self, request: Request, id: str) -> Response:
        ds = self._get("datasets", id)
        blocks = self.store.blocks(f"upload-{ds['id']}")
        committed = ds.get("_committed") or []
        sizes = dict((b, len(d)) for b, d in blocks)
        return JSONResponse({
            "committedBlocks": [{"name": b, "size": sizes.get(b, 0)} for b in committed],
            "uncommittedBlocks": [{"name": b, "size": len(d)} for b, d in blocks
                                  if b not in committed],
        })

    async def commit_blocks(self, request: Request, id: str) -> Response:
        ds = self._get("datasets", id)
        if ds.get("_upload") != "blocks" or ds.get("status") != "NotStarted":
            raise bad("This dataset has no block upload to commit.", "InvalidDataset")
        try:
            entries = json.loads(await request.body() or b"null")
        except json.JSONDecodeError:
            raise bad("The block list must be a JSON array.", "InvalidRequestBodyFormat") from None
        if not isinstance(entries, list) or not entries:
            raise bad("The block list must be a non-empty JSON array of {kind, id}.",
                      "InvalidRequestBodyFormat")
        blocks = dict(self.store.blocks(f"upload-{ds['id']}"))
        parts = []
        for entry in entries:
            bid = entry.get("id") if isinstance(entry, dict) else None
            if bid not in blocks:
                raise bad(f"Block {bid!r} was not uploaded.", "InvalidParameterValue")
            parts.append(blocks[bid])
        file_id = str(uuid.uuid4())
        self.store.put_file(StoredFile(file_id, f"upload-{ds['id']}", "data", "Upload",
                                       now_stt(), None, b"".join(parts)))
        self.store.update(API, "datasets", ds["id"], _committed=[e["id"] for e in entries],
                          _upload="committed")
        self._job("stt.dataset", "datasets", ds["id"],
                  {"kind": ds["kind"], "locale": ds["locale"], "upload_file": file_id})
        return Response(status_code=200)

    def _files(self, request: Request, owner: str) -> list[dict[str, Any]]:
        if self.version == LEGACY:
            seconds = int_param(request, "sasValidityInSeconds", 12 * 3600, API, minimum=0)
        else:
            seconds = 60 * int_param(request, "sasLifetimeMinutes", 12 * 60, API, minimum=0)
        expiry = int(time.time()) + seconds
        base = base_url(request)
        out = []
        for f in self.ctx.store.files_of(owner):
            query = urlencode({"se": expiry, "sp": "r",
                               "sig": file_signature(self.ctx.key, f.id, expiry)})
            coll = "datasets" if self.store.get(API, "datasets", owner) else "evaluations"
            out.append({
                "self": stt.link(base, self.version, f"{coll}/{owner}/files/{f.id}"),
                "name": f.name, "kind": f.kind,
                "links": {"contentUrl": f"{base}/_emulator/files/{f.id}?{query}"},
                "properties": {"size": len(f.content)},
                "createdDateTime": f.created,
            })
        return out

    def list_files(self, coll: str) -> Any:
        def handler(request: Request, id: str) -> Response:
            entity = self._get(coll, id)
            keep = make_filter(request.query_params.get("filter"),
                               ("name", "createdDateTime", "kind"), API,
                               time_props=("createdDateTime",))
            items = [f for f in self._files(request, entity["id"]) if keep(f)]
            path = f"/speechtotext{'/v3.2' if self.version == LEGACY else ''}/{coll}/{id}/files"
            return JSONResponse(page(items, api=API, request=request, path=path,
                                     api_version=None if self.version == LEGACY else self.version))
        return handler

    def get_file(self, coll: str) -> Any:
        def handler(request: Request, id: str, fileId: str) -> Response:
            entity = self._get(coll, id)
            fid = check_uuid(fileId, "fileId")
            match = [f for f in self._files(request, entity["id"]) if f["self"].split("?")[0]
                     .endswith(fid)]
            if not match:
                raise not_found("files", fileId)
            return JSONResponse(match[0])
        return handler

    # models, evaluations, endpoints -------------------------------------------------------
    async def create_model(self, request: Request) -> Response:
        body = await json_body(request, API)
        loc = self._locale(body)
        fields: dict[str, Any] = {**stt.common(body), "locale": loc}
        refs: dict[str, Any] = {}
        if body.get("baseModel") is None:
            raise bad("baseModel is required: pick one from GET /models/base.",
                      "InvalidBaseModel", target="baseModel")
        refs["baseModel"], base = self._resolve(body, "baseModel", ("models/base",),
                                                "InvalidBaseModel")
        if base["locale"] != loc:
            raise bad(f"The base model's locale {base['locale']!r} differs from {loc!r}.",
                      "InvalidLocale", target="locale")
        datasets = body.get("datasets") or []
        if not isinstance(datasets, list):
            raise bad("datasets must be a list of {self} references.", target="datasets")
        refs["datasets"] = []
        for i, ref in enumerate(datasets):
            pair, ds = self._resolve({"d": ref}, "d", ("datasets",), "InvalidDataset")
            if ds.get("status") != "Succeeded":
                raise bad(f"datasets[{i}] is {ds.get('status')}; only Succeeded datasets can "
                          "train a model.", "FailedDataset", target="datasets")
            if ds.get("locale") != loc:
                raise bad(f"datasets[{i}] has locale {ds.get('locale')!r}, not {loc!r}.",
                          "InvalidLocale", target="datasets")
            if ds.get("kind") not in base["_kinds"]:
                raise bad(f"datasets[{i}] is {ds.get('kind')}; the base model adapts with "
                          f"{', '.join(base['_kinds'])}.", "InvalidAdaptationMapping",
                          target="datasets")
            refs["datasets"].append(pair)
        if not refs["datasets"] and not (self.version == LEGACY and body.get("text")):
            raise bad("datasets must reference at least one dataset.", "InvalidDataset",
                      target="datasets")
        self._project(body, refs, loc)
        props: dict[str, Any] = obj(body, "properties")
        # "When this property is not set, the service chooses a suitable value": 30 here.
        weight = props.get("customModelWeightPercent", DEFAULT_MODEL_WEIGHT)
        if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 100:
            raise bad("customModelWeightPercent must be an integer from 1 to 100.",
                      target="properties.customModelWeightPercent")
        fields["properties"] = {"customModelWeightPercent": weight}
        if self.version == LEGACY and isinstance(body.get("text"), str):
            fields["text"] = body["text"]
        entity = self._new("models", {**fields, "_refs": refs}, "NotStarted")
        self._job("stt.model", "models", entity["id"], {})
        return self._answer(request, "models", entity, 201)

    async def create_evaluation(self, request: Request) -> Response:
        body = await json_body(request, API)
        loc = self._locale(body)
        refs: dict[str, Any] = {}
        for field in ("model1", "model2"):
            refs[field], model = self._resolve(body, field, ("models", "models/base"),
                                               "InvalidModel")
            if model.get("status") != "Succeeded":
                raise bad(f"{field} is {model.get('status')}; it must be Succeeded.",
                          "InvalidModel", target=field)
        refs["dataset"], ds = self._resolve(body, "dataset", ("datasets",), "InvalidDataset")
        if ds.get("status") != "Succeeded" or ds.get("kind") not in ("Acoustic", "AudioFiles"):
            raise bad("dataset must be a Succeeded Acoustic dataset (audio with transcripts).",
                      "InvalidDataset", target="dataset")
        if ds.get("locale") != loc:
            raise bad(f"The dataset locale {ds.get('locale')!r} differs from {loc!r}.",
                      "InvalidLocale", target="locale")
        self._project(body, refs, loc)
        entity = self._new("evaluations", {**stt.common(body), "locale": loc, "_refs": refs},
                           "NotStarted")
        self._job("stt.evaluation", "evaluations", entity["id"],
                  {"model1": refs["model1"], "model2": refs["model2"],
                   "dataset": refs["dataset"][1]})
        return self._answer(request, "evaluations", entity, 201)

    async def create_endpoint(self, request: Request) -> Response:
        body = await json_body(request, API)
        loc = self._locale(body)
        if body.get("model") is None:
            raise bad("model is required: the custom model to deploy.", "InvalidModel",
                      target="model")
        refs: dict[str, Any] = {}
        refs["model"], model = self._resolve(body, "model", ("models", "models/base"),
                                             "InvalidModel")
        if model.get("status") != "Succeeded":
            raise bad(f"The model is {model.get('status')}; only a Succeeded model can be "
                      "deployed.", "ModelNotDeployable", target="model")
        if model.get("locale") != loc:
            raise bad(f"The model's locale {model.get('locale')!r} differs from {loc!r}.",
                      "InvalidLocale", target="locale")
        self._project(body, refs, loc)
        props_in: dict[str, Any] = obj(body, "properties")
        props: dict[str, Any] = {"loggingEnabled": bool(props_in.get("loggingEnabled", False))}
        if self.version == LEGACY and isinstance(props_in.get("timeToLive"), str):
            props["timeToLive"] = props_in["timeToLive"]
        entity = self._new("endpoints", {**stt.common(body), "locale": loc, "properties": props,
                                         "_refs": refs}, "NotStarted")
        self._job("stt.endpoint", "endpoints", entity["id"], {})
        return self._answer(request, "endpoints", entity, 201)

    # generic -----------------------------------------------------------------------------
    def list_items(self, coll: str, *, of_project: bool = False) -> Any:
        def handler(request: Request, id: str | None = None) -> Response:
            bodies = self.store.list_resources(API, coll)
            if of_project:
                project = self._get("projects", id or "")
                bodies = [b for b in bodies
                          if (b.get("_refs") or {}).get("project", [None, None])[1]
                          == project["id"]]
            items = [self._render(request, coll, b) for b in bodies]
            keep = make_filter(request.query_params.get("filter"), FILTERABLE[coll], API)
            items = [i for i in items if keep(i)]
            return self._page(request, items, f"projects/{id}/{coll}" if of_project else coll)
        return handler

    def _page(self, request: Request, items: list[dict[str, Any]], path: str) -> Response:
        full = f"/speechtotext{'/v3.2' if self.version == LEGACY else ''}/{path}"
        out = page(items, api=API, request=request, path=full,
                   api_version=None if self.version == LEGACY else self.version)
        busy = any(i.get("status") in ("NotStarted", "Running") for i in out["values"])
        headers = {"Retry-After": str(self.ctx.config.retry_after_seconds)} if busy else None
        return JSONResponse(out, headers=headers)

    def get_item(self, coll: str) -> Any:
        def handler(request: Request, id: str) -> Response:
            return self._answer(request, coll, self._get(coll, id))
        return handler

    def update_item(self, coll: str) -> Any:
        async def handler(request: Request, id: str) -> Response:
            entity = self._get(coll, id)
            ctype = request.headers.get("content-type", "")
            if ctype and "json" not in ctype:
                raise ApiError(API, 415, "Send application/json or application/merge-patch+json.")
            body = await json_body(request, API)
            changes = stt.common(body, partial=True)
            if coll == "projects" and self.version != LEGACY and "foundryProjectName" in body:
                changes["foundryProjectName"] = stt.text(body, "foundryProjectName")
            if coll != "projects" and body.get("project") is not None:
                refs = dict(entity.get("_refs") or {})
                self._project(body, refs, entity["locale"])
                changes["_refs"] = refs
            if coll == "endpoints" and body.get("model") is not None:
                refs = dict(changes.get("_refs") or entity.get("_refs") or {})
                refs["model"], _ = self._resolve(body, "model", ("models", "models/base"),
                                                 "InvalidModel")
                changes["_refs"] = refs
            updated = self.store.update(API, coll, entity["id"], **changes)
            assert updated is not None
            return self._answer(request, coll, updated)
        return handler

    def delete_item(self, coll: str) -> Any:
        def handler(request: Request, id: str) -> Response:
            rid = check_uuid(id)
            if coll == "models" and any((e.get("_refs") or {}).get("model", [None, None])[1] == rid
                                        for e in self.store.list_resources(API, "endpoints")):
                raise bad("The model is deployed to an endpoint; delete the endpoint first.",
                          "InUseViolation", code="InvalidRequest")
            self.store.delete(API, coll, rid)
            self.store.delete_files_of(rid)
            return Response(status_code=204)
        return handler

    def project_transcriptions(self, request: Request, id: str) -> Response:
        """Transcriptions are not emulated: a project never has any."""
        project = self._get("projects", id)
        return self._page(request, [], f"projects/{project['id']}/transcriptions")

    def dataset_locales(self, request: Request) -> Response:
        by_kind = stt_dataset_locales()
        if self.version != LEGACY:
            return JSONResponse(by_kind)
        by_locale: dict[str, list[str]] = {}
        for kind, locales in by_kind.items():
            for loc in locales:
                by_locale.setdefault(loc, []).append(kind)
        return JSONResponse(by_locale)

    def list_base_models(self, request: Request) -> Response:
        items = stt.base_models(base_url(request), self.version)
        keep = make_filter(request.query_params.get("filter"), FILTERABLE["models"], API)
        return self._page(request, [i for i in items if keep(i)], "models/base")

    def get_base_model(self, request: Request, id: str) -> Response:
        rid = check_uuid(id)
        for item in stt.base_models(base_url(request), self.version):
            if item["self"].split("?")[0].endswith(rid):
                return JSONResponse(item)
        raise not_found("base models", id)

    def router(self) -> APIRouter:
        r = APIRouter(prefix="/speechtotext/v3.2" if self.version == LEGACY else "/speechtotext")
        add = r.add_api_route
        add("/datasets/locales", self.dataset_locales, methods=["GET"])
        if self.version == LEGACY:
            add("/datasets/upload", self.upload_dataset, methods=["POST"])
        add("/datasets/{id}/blocks:commit", self.commit_blocks, methods=["POST"])
        add("/datasets/{id}/blocks", self.upload_block, methods=["PUT"])
        add("/datasets/{id}/blocks", self.get_blocks, methods=["GET"])
        add("/models/base", self.list_base_models, methods=["GET"])
        add("/models/base/{id}", self.get_base_model, methods=["GET"])
        add("/projects", self.create_project, methods=["POST"])
        add("/datasets", self.create_dataset, methods=["POST"])
        add("/models", self.create_model, methods=["POST"])
        add("/evaluations", self.create_evaluation, methods=["POST"])
        add("/endpoints", self.create_endpoint, methods=["POST"])
        for coll in ("datasets", "evaluations"):
            add(f"/{coll}/{{id}}/files", self.list_files(coll), methods=["GET"])
            add(f"/{coll}/{{id}}/files/{{fileId}}", self.get_file(coll), methods=["GET"])
        for coll in ("datasets", "models", "evaluations", "endpoints"):
            add(f"/projects/{{id}}/{coll}", self.list_items(coll, of_project=True),
                methods=["GET"])
        add("/projects/{id}/transcriptions", self.project_transcriptions, methods=["GET"])
        for coll in COLLECTIONS:
            add(f"/{coll}", self.list_items(coll), methods=["GET"])
            add(f"/{coll}/{{id}}", self.get_item(coll), methods=["GET"])
            add(f"/{coll}/{{id}}", self.update_item(coll), methods=["PATCH"])
            add(f"/{coll}/{{id}}", self.delete_item(coll), methods=["DELETE"])
        return r
