"""Speech to text routes, for custom speech: ``/speechtotext/...?api-version=2025-10-15`` and
the legacy ``/speechtotext/v3.2/...`` paths.

Emulated: projects (and their dataset/model/evaluation/endpoint lists), datasets (``contentUrl``,
block upload, v3.2 multipart upload, files and the report), base and custom models,
evaluations (and their files, and the transcriptions they link, with their files), endpoints.
Creates are ``POST`` with server-assigned UUIDs, answer 201 with ``Location``; GETs of entities
still processing carry ``Retry-After``.

What the service does, and the choices the spec leaves open (deletes of unknown ids, locale
and kind checks on creates, the states a reference must be in): ``docs/azure-behaviour.md``
§ Speech to text and § Locales.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

import speechflows.emulator.speech_to_text.resources as stt
from speechflows.emulator.core.errors import ApiError
from speechflows.emulator.core.locales import same as same_locale
from speechflows.emulator.core.wire import (
    base_url,
    json_body,
    make_filter,
    obj,
)
from speechflows.emulator.speech_to_text.datasets import DatasetRoutes
from speechflows.emulator.speech_to_text.resources import API, LEGACY, bad, check_uuid, not_found

COLLECTIONS = ("projects", "datasets", "models", "evaluations", "endpoints")
# The properties a ``filter`` may name: every entity with a status has the same ones.
_WITH_STATUS = (
    "displayName",
    "description",
    "createdDateTime",
    "lastActionDateTime",
    "status",
    "locale",
)
FILTERABLE = {
    "projects": ("displayName", "description", "createdDateTime", "locale", "foundryProjectName"),
    "datasets": (*_WITH_STATUS, "kind"),
    "models": _WITH_STATUS,
    "evaluations": _WITH_STATUS,
    "endpoints": _WITH_STATUS,
}
DEFAULT_MODEL_WEIGHT = 30


class SpeechToText(DatasetRoutes):
    """The Speech to text API for one version (``2025-10-15`` or ``v3.2``)."""

    # projects ----------------------------------------------------------------------------
    async def create_project(self, request: Request) -> Response:
        body = await json_body(request, API)
        fields = {**stt.common(body), "locale": self._locale(body)}
        foundry = stt.text(body, "foundryProjectName")
        if foundry and self.version != LEGACY:
            fields["foundryProjectName"] = foundry
        return self._answer(request, "projects", self._new("projects", fields, None), 201)

    # models, evaluations, endpoints -------------------------------------------------------
    async def create_model(self, request: Request) -> Response:
        body = await json_body(request, API)
        loc = self._locale(body)
        fields: dict[str, Any] = {**stt.common(body), "locale": loc}
        refs: dict[str, Any] = {}
        if body.get("baseModel") is None:
            raise bad(
                "baseModel is required: pick one from GET /models/base.",
                "InvalidBaseModel",
                target="baseModel",
            )
        refs["baseModel"], base = self._resolve(
            body, "baseModel", ("models/base",), "InvalidBaseModel"
        )
        _same_locale_as(loc, base["locale"], "The base model's")
        datasets = body.get("datasets") or []
        if not isinstance(datasets, list):
            raise bad("datasets must be a list of {self} references.", target="datasets")
        refs["datasets"] = []
        for i, ref in enumerate(datasets):
            pair, ds = self._resolve({"d": ref}, "d", ("datasets",), "InvalidDataset")
            if ds.get("status") != "Succeeded":
                raise bad(
                    f"datasets[{i}] is {ds.get('status')}; only Succeeded datasets can "
                    "train a model.",
                    "FailedDataset",
                    target="datasets",
                )
            _same_locale_as(loc, ds.get("locale"), f"datasets[{i}]'s", target="datasets")
            if ds.get("kind") not in base["_kinds"]:
                raise bad(
                    f"datasets[{i}] is {ds.get('kind')}; the base model adapts with "
                    f"{', '.join(base['_kinds'])}.",
                    "InvalidAdaptationMapping",
                    target="datasets",
                )
            refs["datasets"].append(pair)
        if not refs["datasets"] and not (self.version == LEGACY and body.get("text")):
            raise bad(
                "datasets must reference at least one dataset.", "InvalidDataset", target="datasets"
            )
        self._project(body, refs, loc)
        props: dict[str, Any] = obj(body, "properties")
        # "When this property is not set, the service chooses a suitable value": 30 here.
        weight = props.get("customModelWeightPercent", DEFAULT_MODEL_WEIGHT)
        if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 100:
            raise bad(
                "customModelWeightPercent must be an integer from 1 to 100.",
                target="properties.customModelWeightPercent",
            )
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
            refs[field], model = self._resolve(
                body, field, ("models", "models/base"), "InvalidModel"
            )
            if model.get("status") != "Succeeded":
                raise bad(
                    f"{field} is {model.get('status')}; it must be Succeeded.",
                    "InvalidModel",
                    target=field,
                )
        refs["dataset"], ds = self._resolve(body, "dataset", ("datasets",), "InvalidDataset")
        if ds.get("status") != "Succeeded" or ds.get("kind") not in ("Acoustic", "AudioFiles"):
            raise bad(
                "dataset must be a Succeeded Acoustic dataset (audio with transcripts).",
                "InvalidDataset",
                target="dataset",
            )
        _same_locale_as(loc, ds.get("locale"), "The dataset")
        self._project(body, refs, loc)
        entity = self._new(
            "evaluations", {**stt.common(body), "locale": loc, "_refs": refs}, "NotStarted"
        )
        self._job(
            "stt.evaluation",
            "evaluations",
            entity["id"],
            {"model1": refs["model1"], "model2": refs["model2"], "dataset": refs["dataset"][1]},
        )
        return self._answer(request, "evaluations", entity, 201)

    async def create_endpoint(self, request: Request) -> Response:
        body = await json_body(request, API)
        loc = self._locale(body)
        if body.get("model") is None:
            raise bad(
                "model is required: the custom model to deploy.", "InvalidModel", target="model"
            )
        refs: dict[str, Any] = {}
        refs["model"], model = self._succeeded_model(body, "ModelNotDeployable", "can be deployed")
        _same_locale_as(loc, model.get("locale"), "The model's")
        self._project(body, refs, loc)
        props_in: dict[str, Any] = obj(body, "properties")
        props: dict[str, Any] = {"loggingEnabled": bool(props_in.get("loggingEnabled", False))}
        if self.version == LEGACY and isinstance(props_in.get("timeToLive"), str):
            props["timeToLive"] = props_in["timeToLive"]
        entity = self._new(
            "endpoints",
            {**stt.common(body), "locale": loc, "properties": props, "_refs": refs},
            "NotStarted",
        )
        self._job("stt.endpoint", "endpoints", entity["id"], {})
        return self._answer(request, "endpoints", entity, 201)

    # generic -----------------------------------------------------------------------------
    def list_items(self, coll: str, *, of_project: bool = False) -> Any:
        def handler(request: Request, id: str | None = None) -> Response:
            bodies = self.store.list_resources(API, coll)
            if of_project:
                project = self._get("projects", id or "")
                bodies = [
                    b
                    for b in bodies
                    if (b.get("_refs") or {}).get("project", [None, None])[1] == project["id"]
                ]
            items = [self._render(request, coll, b) for b in bodies]
            keep = make_filter(request.query_params.get("filter"), FILTERABLE[coll], API)
            items = [i for i in items if keep(i)]
            return self._page(request, items, f"projects/{id}/{coll}" if of_project else coll)

        return handler

    def get_item(self, coll: str) -> Any:
        def handler(request: Request, id: str) -> Response:
            return self._answer(request, coll, self._get(coll, id))

        return handler

    def update_item(self, coll: str) -> Any:
        async def handler(request: Request, id: str) -> Response:
            entity = self._get(coll, id)
            ctype = request.headers.get("content-type", "")
            if ctype and "json" not in ctype.lower():
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
                # Endpoints_Update: ``model`` is an EndpointUpdate property (2025-10-15 and
                # v3.2): the same endpoint (id, links) serves the new model from now on; the
                # model must be deployable as on Endpoints_Create (ledger § Speech to text).
                refs = dict(changes.get("_refs") or entity.get("_refs") or {})
                refs["model"], model = self._succeeded_model(
                    body, "ModelNotDeployable", "can be deployed"
                )
                _same_locale_as(entity["locale"], model.get("locale"), "The model's")
                changes["_refs"] = refs
            updated = self.store.update(API, coll, entity["id"], **changes)
            assert updated is not None
            return self._answer(request, coll, updated)

        return handler

    def delete_item(self, coll: str) -> Any:
        def handler(request: Request, id: str) -> Response:
            rid = check_uuid(id)
            if coll == "models" and any(
                (e.get("_refs") or {}).get("model", [None, None])[1] == rid
                for e in self.store.list_resources(API, "endpoints")
            ):
                raise bad(
                    "The model is deployed to an endpoint; delete the endpoint first.",
                    "InUseViolation",
                    code="InvalidRequest",
                )
            if coll == "evaluations":
                # The evaluation's transcriptions go with it.
                for n in ("1", "2"):
                    ref = (
                        (self.store.get(API, coll, rid) or {})
                        .get("_refs", {})
                        .get(f"transcription{n}")
                    )
                    if ref:
                        self.store.delete(API, "transcriptions", ref[1])
                        self.store.delete_files_of(ref[1])
            self.store.delete(API, coll, rid)
            self.store.delete_files_of(rid)
            return Response(status_code=204)

        return handler

    def project_transcriptions(self, request: Request, id: str) -> Response:
        """Transcriptions are not emulated: a project never has any."""
        project = self._get("projects", id)
        return self._page(request, [], f"projects/{project['id']}/transcriptions")

    def get_transcription(self, request: Request, id: str) -> Response:
        """Transcriptions_Get: only the transcriptions an evaluation made (its
        ``transcription1/2``) exist; batch transcription is not emulated."""
        return self._answer(request, "transcriptions", self._get("transcriptions", id))

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

    # endpoint logs (v3.2 only; the emulator recognises no audio, so there are never logs) ----
    def list_endpoint_logs(self, request: Request, id: str) -> Response:
        """Endpoints_ListLogs: an empty page."""
        endpoint = self._get("endpoints", id)
        return self._page(request, [], f"endpoints/{endpoint['id']}/files/logs")

    def delete_endpoint_logs(self, request: Request, id: str) -> Response:
        """Endpoints_DeleteLogs: 202, the deletion runs asynchronously (spec)."""
        self._get("endpoints", id)
        return Response(status_code=202)

    def get_endpoint_log(self, request: Request, id: str, logId: str) -> Response:
        """Endpoints_GetLog: no log exists."""
        self._get("endpoints", id)
        raise not_found("logs", logId)

    def delete_endpoint_log(self, request: Request, id: str, logId: str) -> Response:
        """Endpoints_DeleteLog: 204."""
        self._get("endpoints", id)
        return Response(status_code=204)

    def list_base_model_logs(self, request: Request, locale: str) -> Response:
        """Endpoints_ListBaseModelLogs: an empty page."""
        return self._page(request, [], f"endpoints/base/{locale}/files/logs")

    def delete_base_model_logs(self, request: Request, locale: str) -> Response:
        """Endpoints_DeleteBaseModelLogs: 202."""
        return Response(status_code=202)

    def supported_locales(self, coll: str) -> Any:
        """Projects/Models/Evaluations/Endpoints_ListSupportedLocales (ledger § Locales)."""
        kind = "Acoustic" if coll == "evaluations" else "Language"

        def handler(request: Request) -> Response:
            return JSONResponse(self._dataset_locales()[kind])

        return handler

    def router(self) -> APIRouter:
        r = APIRouter(prefix="/speechtotext/v3.2" if self.version == LEGACY else "/speechtotext")
        add = r.add_api_route
        add("/datasets/locales", self.dataset_locales, methods=["GET"])
        for coll in ("projects", "models", "evaluations", "endpoints"):
            add(f"/{coll}/locales", self.supported_locales(coll), methods=["GET"])
        if self.version == LEGACY:
            add("/datasets/upload", self.upload_dataset, methods=["POST"])
            logs = "/endpoints/{id}/files/logs"
            add(logs, self.list_endpoint_logs, methods=["GET"])
            add(logs, self.delete_endpoint_logs, methods=["DELETE"])
            add(logs + "/{logId}", self.get_endpoint_log, methods=["GET"])
            add(logs + "/{logId}", self.delete_endpoint_log, methods=["DELETE"])
            base_logs = "/endpoints/base/{locale}/files/logs"
            add(base_logs, self.list_base_model_logs, methods=["GET"])
            add(base_logs, self.delete_base_model_logs, methods=["DELETE"])
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
        for coll in ("datasets", "evaluations", "models"):
            add(f"/{coll}/{{id}}/files", self.list_files(coll), methods=["GET"])
            add(f"/{coll}/{{id}}/files/{{fileId}}", self.get_file(coll), methods=["GET"])
        for coll in ("datasets", "models", "evaluations", "endpoints"):
            add(f"/projects/{{id}}/{coll}", self.list_items(coll, of_project=True), methods=["GET"])
        add("/projects/{id}/transcriptions", self.project_transcriptions, methods=["GET"])
        # Transcriptions_Get, Transcriptions_ListFiles, Transcriptions_GetFile.
        add("/transcriptions/{id}", self.get_transcription, methods=["GET"])
        add("/transcriptions/{id}/files", self.list_files("transcriptions"), methods=["GET"])
        files = "/transcriptions/{id}/files/{fileId}"
        add(files, self.get_file("transcriptions"), methods=["GET"])
        for coll in COLLECTIONS:
            add(f"/{coll}", self.list_items(coll), methods=["GET"])
            add(f"/{coll}/{{id}}", self.get_item(coll), methods=["GET"])
            add(f"/{coll}/{{id}}", self.update_item(coll), methods=["PATCH"])
            add(f"/{coll}/{{id}}", self.delete_item(coll), methods=["DELETE"])
        return r


def _same_locale_as(loc: str, locale: Any, whose: str, *, target: str = "locale") -> None:
    """Raise InvalidLocale unless ``locale`` (of the resource ``whose``) matches ``loc``."""
    if not same_locale(locale, loc):
        raise bad(
            f"{whose} locale {locale!r} differs from {loc!r}.", "InvalidLocale", target=target
        )
