"""Custom Voice routes (``/customvoice/...``, api-versions 2026-01-01, 2024-02-01-preview and
2023-12-01-preview).

Choices the spec leaves open, decided here (the ledger, ``docs/azure-behaviour.md`` § Custom
Voice, records them with their sources):

* **Re-PUT of an existing id.** The same definition → 201 with the resource as it is now (and,
  for long-running creates, the ``Operation-Id``/``Operation-Location`` of the operation that
  created it); nothing new is created. A different definition → **409** with
  ``error.code=BadRequest``, ``innererror.code=ResourceConflict`` (the ``ErrorCode`` enum has no
  ``Conflict``).
* **Operation-Id.** A request carrying an ``Operation-Id`` that already exists: identical request
  (method, path, body, uploaded file digests) → the original answer; otherwise 400
  ``BadRequest``/``OperationIdConflict``, as the spec states. Without the header a new id (UUID)
  is assigned.
* **Training-set create.** Also accepted as ``POST /trainingsets`` with ``id`` in the body (the
  form the personal-voice how-to shows); answers like the PUT.
* **Deletes** of an unknown id → 404 ``NotFound``. A project with models or endpoints can only be
  deleted with ``forceDelete=true``; deleting a project removes what it contains. A model used by
  an endpoint cannot be deleted (400).
* ``TrainingSets_UploadData`` answers 202 without a body, as the spec (the how-to shows 201).
* Consents and personal voices take the multipart part ``audiodata`` (docs, samples) or
  ``audioData`` (spec); personal voices also take the form field ``consentId`` (docs, samples).
* ``GET /modelrecipes`` and ``GET /basemodels`` are paged objects in 2026-01-01 and bare arrays
  before, as the specs define.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

import speechflows.emulator.custom_voice.resources as cv
from speechflows.emulator.core.errors import ApiError
from speechflows.emulator.core.wire import (
    json_body,
    make_filter,
    now_cv,
    obj,
    page,
)
from speechflows.emulator.custom_voice.catalog import CV_BASE_MODELS, recipes
from speechflows.emulator.custom_voice.resources import API, bad
from speechflows.emulator.custom_voice.route_base import CvBase, api_version, form_identity

COLLECTIONS = ("projects", "consents", "trainingsets", "models", "endpoints", "personalvoices")


class CustomVoice(CvBase):
    """The Custom Voice API over one :class:`Context`."""

    def _locale(self, body: dict[str, Any], *, required: bool = True) -> str | None:
        """``cv.locale``, and refused when the service no longer offers it (admin seam)."""
        loc = cv.locale(body, required=required)
        if self.ctx.withdrawn(loc):
            raise bad(
                f"The locale {loc!r} is not supported for custom voice; see GET /modelrecipes "
                "(datasetLocales).",
                inner="UnsupportedLocale",
                target="locale",
            )
        return loc

    # projects ----------------------------------------------------------------------------
    async def put_project(self, request: Request, id: str) -> Response:
        cv.check_id(id)
        body = await json_body(request, API)
        definition = {
            "kind": cv.choice(body, "kind", cv.PROJECT_KINDS, required=True),
            **cv.common(body),
        }
        loc = self._locale(body, required=False)
        if loc is not None and api_version(request) == cv.GA:
            definition["locale"] = loc
        return self._sync_create(request, "projects", id, definition, {})

    def delete_project(self, request: Request, id: str) -> Response:
        cv.check_id(id)
        self._get("projects", id)
        force = request.query_params.get("forceDelete", "false").lower() == "true"
        owned = {
            c: [r for r in self.store.list_resources(API, c) if r.get("projectId") == id]
            for c in COLLECTIONS
            if c != "projects"
        }
        if (owned["models"] or owned["endpoints"]) and not force:
            raise bad(
                f"Project {id!r} has models or endpoints; delete them first or pass "
                "forceDelete=true.",
                inner="ResourceInUse",
            )
        for coll, items in owned.items():
            for item in items:
                self.store.delete(API, coll, item["id"])
        self.store.delete(API, "projects", id)
        return Response(status_code=204)

    # consents ----------------------------------------------------------------------------
    def _consent_definition(self, fields: dict[str, Any]) -> dict[str, Any]:
        self._ref("projects", fields, "projectId")
        return {
            "projectId": fields["projectId"],
            "voiceTalentName": cv.text(fields, "voiceTalentName", required=True),
            "companyName": cv.text(fields, "companyName", required=True),
            "locale": self._locale(fields),
            **cv.common(fields),
        }

    async def put_consent(self, request: Request, id: str) -> Response:
        cv.check_id(id)
        body = await json_body(request, API)
        definition = self._consent_definition(body)
        url = cv.text(body, "audioUrl", required=True)
        assert url is not None
        if not url.startswith(("http://", "https://")):
            raise bad("audioUrl must be an http(s) URL of the consent audio.", target="audioUrl")
        params = {"source": {"audio_url": url}, "locale": definition["locale"]}
        # The SAS differs between runs; the definition fingerprint covers the URL without it.
        return self._lro(
            request,
            coll="consents",
            rid=id,
            definition={**definition, "audioUrl": url.split("?", 1)[0]},
            kind="cv.consent",
            params=params,
            build=definition,
            identity=body,
        )

    async def post_consent(self, request: Request, id: str) -> Response:
        return await self._post_audio(
            request,
            id,
            coll="consents",
            kind="cv.consent",
            define=self._consent_definition,
            files_ok=lambda n: n == 1,
            missing="Send exactly one consent audio file in the part 'audiodata'.",
            params=lambda definition: {"locale": definition["locale"]},
        )

    async def _post_audio(
        self,
        request: Request,
        id: str,
        *,
        coll: str,
        kind: str,
        define: Callable[[dict[str, Any]], dict[str, Any]],
        files_ok: Callable[[int], bool],
        missing: str,
        params: Callable[[dict[str, Any]], dict[str, Any]],
        build: Callable[[dict[str, Any]], dict[str, Any]] = lambda definition: definition,
    ) -> Response:
        """A multipart create (consent, personal voice): form fields, the audio files in the
        part ``audiodata`` (saved for the job); the definition holds the files' digests."""
        cv.check_id(id)
        fields, files = await self._form(request)
        definition = define(fields)
        if not files_ok(len(files)):
            raise bad(missing, inner="MissingProperty", target="audiodata")
        digests = [hashlib.sha256(data).hexdigest() for _, data in files]
        return self._lro(
            request,
            coll=coll,
            rid=id,
            definition={**definition, "audio": digests},
            kind=kind,
            params=self._saver(files, params(definition)),
            build=build(definition),
            identity=form_identity(fields, files),
        )

    # training sets -----------------------------------------------------------------------
    async def put_trainingset(self, request: Request, id: str) -> Response:
        cv.check_id(id)
        return self._trainingset(request, id, await json_body(request, API))

    async def post_trainingset(self, request: Request) -> Response:
        body = await json_body(request, API)
        rid = cv.text(body, "id", required=True)
        assert rid is not None
        cv.check_id(rid)
        return self._trainingset(request, rid, body)

    def _trainingset(self, request: Request, rid: str, body: dict[str, Any]) -> Response:
        self._ref("projects", body, "projectId")
        definition: dict[str, Any] = {
            "projectId": body["projectId"],
            "locale": self._locale(body),
            **cv.common(body),
        }
        voice = cv.choice(body, "voiceKind", cv.VOICE_KINDS)
        if voice:
            definition["voiceKind"] = voice
        return self._sync_create(
            request,
            "trainingsets",
            rid,
            definition,
            {"status": "Succeeded", "lastActionDateTime": now_cv()},
        )

    async def upload_trainingset(self, request: Request, id: str) -> Response:
        cv.check_id(id)
        ts = self._get("trainingsets", id)
        body = await json_body(request, API)
        kind = cv.choice(body, "kind", cv.DATASET_KINDS, required=True)
        audios = cv.blob_source(body, "audios", required=True)
        scripts = cv.blob_source(body, "scripts", required=kind in ("AudioAndScript", "LongAudio"))
        params: dict[str, Any] = {
            "kind": kind,
            "audios": audios,
            "scripts": scripts,
            "locale": ts.get("locale", "en-US"),
        }
        process_as = body.get("processAs")
        if process_as is not None and api_version(request) == cv.GA:
            params["processAs"] = cv.choice(body, "processAs", ("Segmented", "Contextual"))
        definition = {
            k: (
                {**v, "containerUrl": v["containerUrl"].split("?", 1)[0]}
                if isinstance(v, dict)
                else v
            )
            for k, v in params.items()
        }

        def new_import() -> None:
            # The set's status follows its import: it goes NotStarted only when a new import
            # starts, never for a repeated identical request (ledger § Long-running operations).
            self.store.update(
                API, "trainingsets", id, status="NotStarted", lastActionDateTime=now_cv()
            )

        return self._lro(
            request,
            coll="trainingsets",
            rid=id,
            definition=definition,
            kind="cv.trainingset_upload",
            params=params,
            build=None,
            identity=body,
            status=202,
            on_new=new_import,
        )

    # models ------------------------------------------------------------------------------
    async def put_model(self, request: Request, id: str) -> Response:
        cv.check_id(id)
        body = await json_body(request, API)
        recipe = body.get("recipe")
        if not isinstance(recipe, dict) or not isinstance(recipe.get("kind"), str):
            raise bad(
                "The property 'recipe' with a 'kind' is required.",
                inner="MissingProperty",
                target="recipe",
            )
        known = {r["kind"]: r for r in recipes(self.ctx.config.min_utterance_count)}
        if recipe["kind"] not in known:
            raise bad(
                f"Unknown recipe kind {recipe['kind']!r} (known: {', '.join(known)}).",
                target="recipe.kind",
            )
        self._ref("projects", body, "projectId")
        self._ref("consents", body, "consentId")
        ts = self._ref("trainingsets", body, "trainingSetId")
        definition: dict[str, Any] = {
            "recipe": {"kind": recipe["kind"]},
            "projectId": body["projectId"],
            "consentId": body["consentId"],
            "trainingSetId": body["trainingSetId"],
            "locale": self._locale(body, required=False) or ts.get("locale", "en-US"),
            **cv.common(body),
        }
        voice = cv.text(body, "voiceName")
        if voice:
            definition["voiceName"] = voice
        props: dict[str, Any] = obj(body, "properties")
        styles = dict(props.get("styleTrainingSetIds") or {})
        preset = list(props.get("presetStyles") or [])
        for style_ts in styles.values():
            self._ref("trainingsets", {"trainingSetId": style_ts}, "trainingSetId")
        build = {
            **definition,
            "recipe": {"kind": recipe["kind"], "version": known[recipe["kind"]]["version"]},
            "engineVersion": "2025.01.15.0",
        }
        if preset or styles:
            definition["properties"] = {"presetStyles": preset, "styleTrainingSetIds": styles}
            build["properties"] = {**definition["properties"], "voiceStyles": preset + list(styles)}
        params = {
            "consentId": body["consentId"],
            "trainingSetIds": [body["trainingSetId"], *styles.values()],
        }
        return self._lro(
            request,
            coll="models",
            rid=id,
            definition=definition,
            kind="cv.model",
            params=params,
            build=build,
            identity=body,
        )

    def delete_model(self, request: Request, id: str) -> Response:
        cv.check_id(id)
        self._get("models", id)
        if any(e.get("modelId") == id for e in self.store.list_resources(API, "endpoints")):
            raise bad(
                f"Model {id!r} is deployed to an endpoint; delete the endpoint first.",
                inner="ResourceInUse",
            )
        self.store.delete(API, "models", id)
        return Response(status_code=204)

    # endpoints ---------------------------------------------------------------------------
    async def put_endpoint(self, request: Request, id: str) -> Response:
        cv.check_id(id, uuid=True)
        body = await json_body(request, API)
        self._ref("projects", body, "projectId")
        model = self._ref("models", body, "modelId")
        if model.get("status") != "Succeeded":
            raise bad(
                f"Model {body['modelId']!r} is {model.get('status')}; only a Succeeded "
                "model can be deployed.",
                inner="ModelNotReady",
                target="modelId",
            )
        props: dict[str, Any] = obj(body, "properties")
        kind = cv.choice(props, "kind", cv.ENDPOINT_KINDS) or "HighPerformance"
        definition = {
            "projectId": body["projectId"],
            "modelId": body["modelId"],
            "properties": {"kind": kind},
            **cv.common(body),
        }
        return self._lro(
            request,
            coll="endpoints",
            rid=id.lower(),
            definition=definition,
            kind="cv.endpoint",
            params={},
            build=definition,
            identity=body,
        )

    def endpoint_action(self, suspend: bool) -> Any:
        async def action(request: Request, id: str) -> Response:
            cv.check_id(id, uuid=True)
            endpoint = self._get("endpoints", id.lower())
            want = ("Succeeded",) if suspend else ("Disabled",)
            if endpoint.get("status") not in want:
                raise bad(
                    f"Endpoint {id} is {endpoint.get('status')}; it can be "
                    f"{'suspended' if suspend else 'resumed'} only when {want[0]}.",
                    inner="InvalidEndpointState",
                )
            kind = "cv.endpoint_suspend" if suspend else "cv.endpoint_resume"
            return self._lro(
                request,
                coll="endpoints",
                rid=id.lower(),
                definition={"action": kind},
                kind=kind,
                params={},
                build=None,
                identity=None,
                status=202,
            )

        return action

    # personal voices ---------------------------------------------------------------------
    def _pv_definition(self, fields: dict[str, Any]) -> dict[str, Any]:
        project = self._ref("projects", fields, "projectId")
        if project.get("kind") != "PersonalVoice":
            raise bad(
                f"Project {fields['projectId']!r} is not a PersonalVoice project.",
                target="projectId",
            )
        self._ref("consents", fields, "consentId")
        return {
            "projectId": fields["projectId"],
            "consentId": fields["consentId"],
            **cv.common(fields),
        }

    async def put_personalvoice(self, request: Request, id: str) -> Response:
        cv.check_id(id)
        body = await json_body(request, API)
        definition = self._pv_definition(body)
        audios = cv.blob_source(body, "audios", required=True)
        assert audios is not None
        build = {**definition, "speakerProfileId": str(uuid.uuid4())}
        params = {"consentId": definition["consentId"], "source": audios}
        return self._lro(
            request,
            coll="personalvoices",
            rid=id,
            definition={**definition, "audios": audios["containerUrl"].split("?")[0]},
            kind="cv.personalvoice",
            params=params,
            build=build,
            identity=body,
        )

    async def post_personalvoice(self, request: Request, id: str) -> Response:
        return await self._post_audio(
            request,
            id,
            coll="personalvoices",
            kind="cv.personalvoice",
            define=self._pv_definition,
            files_ok=lambda n: n > 0,
            missing="Send at least one prompt audio file in the part 'audiodata'.",
            params=lambda definition: {"consentId": definition["consentId"]},
            build=lambda definition: {**definition, "speakerProfileId": str(uuid.uuid4())},
        )

    # generic -----------------------------------------------------------------------------
    def list_items(self, coll: str) -> Any:
        def handler(request: Request) -> Response:
            items = [
                cv.render(coll, b, api_version(request))
                for b in self.store.list_resources(API, coll)
            ]
            keep = make_filter(
                request.query_params.get("filter"),
                cv.FILTERABLE,
                API,
                time_props=("createdDateTime",),
            )
            items = [i for i in items if keep(i)]
            return JSONResponse(
                page(
                    items,
                    api=API,
                    request=request,
                    path=f"/customvoice/{coll}",
                    api_version=api_version(request),
                )
            )

        return handler

    def get_item(self, coll: str) -> Any:
        def handler(request: Request, id: str) -> Response:
            rid = id.lower() if coll == "endpoints" else id
            cv.check_id(id, uuid=coll == "endpoints")
            return self._answer(request, coll, self._get(coll, rid), 200)

        return handler

    def delete_item(self, coll: str) -> Any:
        def handler(request: Request, id: str) -> Response:
            rid = id.lower() if coll == "endpoints" else id
            cv.check_id(id, uuid=coll == "endpoints")
            self._get(coll, rid)
            self.store.delete(API, coll, rid)
            return Response(status_code=204)

        return handler

    def get_operation(self, request: Request, id: str) -> Response:
        cv.check_id(id, what="operation id")
        job = self.store.get_job(id)
        if job is None or job.api != API or not job.visible:
            raise ApiError(
                API,
                404,
                f"The operation {id!r} does not exist.",
                inner_code="NotFound",
                target="id",
            )
        return JSONResponse({"id": job.id, "status": job.status})

    def list_recipes(self, request: Request) -> Response:
        items = [
            {
                **r,
                "datasetLocales": self.ctx.offered(r["datasetLocales"]),
                "modelLocales": self.ctx.offered(r["modelLocales"]),
            }
            for r in recipes(self.ctx.config.min_utterance_count)
        ]
        if api_version(request) != cv.GA:
            items = [{k: v for k, v in r.items() if k != "minDurationInSeconds"} for r in items]
            return JSONResponse(items)
        return JSONResponse({"value": items})

    def list_base_models(self, request: Request) -> Response:
        if api_version(request) != cv.GA:
            return JSONResponse(CV_BASE_MODELS)
        return JSONResponse({"value": CV_BASE_MODELS})

    def router(self) -> APIRouter:
        r = APIRouter(prefix="/customvoice")
        add = r.add_api_route
        add("/modelrecipes", self.list_recipes, methods=["GET"])
        add("/basemodels", self.list_base_models, methods=["GET"])
        add("/operations/{id}", self.get_operation, methods=["GET"])
        add("/trainingsets/{id}:upload", self.upload_trainingset, methods=["POST"])
        add("/endpoints/{id}:suspend", self.endpoint_action(True), methods=["POST"])
        add("/endpoints/{id}:resume", self.endpoint_action(False), methods=["POST"])
        add("/trainingsets", self.post_trainingset, methods=["POST"])
        add("/projects/{id}", self.put_project, methods=["PUT"])
        add("/projects/{id}", self.delete_project, methods=["DELETE"])
        add("/consents/{id}", self.put_consent, methods=["PUT"])
        add("/consents/{id}", self.post_consent, methods=["POST"])
        add("/trainingsets/{id}", self.put_trainingset, methods=["PUT"])
        add("/models/{id}", self.put_model, methods=["PUT"])
        add("/models/{id}", self.delete_model, methods=["DELETE"])
        add("/endpoints/{id}", self.put_endpoint, methods=["PUT"])
        add("/personalvoices/{id}", self.put_personalvoice, methods=["PUT"])
        add("/personalvoices/{id}", self.post_personalvoice, methods=["POST"])
        for coll in COLLECTIONS:
            add(f"/{coll}", self.list_items(coll), methods=["GET"])
            add(f"/{coll}/{{id}}", self.get_item(coll), methods=["GET"])
            if coll not in ("projects", "models"):
                add(f"/{coll}/{{id}}", self.delete_item(coll), methods=["DELETE"])
        return r
