"""The emulator's own admin API, under the reserved prefix ``/_emulator/`` (no key needed).

=======================================  ===========================================================
``GET  /_emulator/health``               ``{"status": "ok"}`` (readiness probe)
``GET  /_emulator/state``                resource ids per API and collection, every successful
                                         create (``creates``: api, collection, id, name), create
                                         counts per ``api/collection/id``, jobs and their status,
                                         fault counters
``GET  /_emulator/faults``               the current :class:`~speechflows.emulator.core.config.FaultConfig`
``POST /_emulator/faults``               replace it (JSON body, same fields); ``{}`` clears all
``DELETE /_emulator/faults``             clear all faults
``GET  /_emulator/jobs/{id}``            one job (a Custom Voice operation id, or
                                         ``datasets-<uuid>`` ...): status, result, the full
                                         validation report (per-file findings)
``GET  /_emulator/files/{id}?se&sig``    content of a file listed by ``.../files`` (SAS-like
                                         signed URL, as Azure's ``contentUrl``)
``POST /_emulator/reset``                forget all state (tests)
``PUT  /_emulator/speechtotext/``        (tests) force the **simulated** word error rate of a
``simulated-wer``                        model on a dataset for evaluations created afterwards:
                                         ``{"model": id, "dataset": id, "wordErrorRate": 0.12}``
``PUT  /_emulator/locales/withdrawn``    (tests) locales the service no longer offers:
                                         ``{"locales": ["en-GB"]}`` leaves them out of every
                                         supported-locales answer (``/datasets/locales``,
                                         ``/{collection}/locales``, ``/modelrecipes``) and
                                         refuses them on every create; ``[]`` restores them
``PUT  /_emulator/speechtotext/``        (tests) set a custom model's
``models/{id}/deprecation``              ``deprecationDates.transcriptionDateTime``:
                                         ``{"transcriptionDateTime": "2027-01-01T00:00:00Z"}``
=======================================  ===========================================================
"""

from __future__ import annotations

import hmac
import json
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from speechflows.emulator.core.config import FaultConfig
from speechflows.emulator.core.context import Context
from speechflows.emulator.core.signing import file_signature
from speechflows.emulator.core.wire import UUID_RE
from speechflows.emulator.speech_to_text.jobs import SIMULATED_WER


async def _json_object(request: Request) -> dict[str, Any] | None:
    """The request's body as a JSON object (an empty body reads as ``{}``); None if it is not
    one."""
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _err(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": "BadRequest" if status == 400 else "NotFound", "message": message}},
        status_code=status,
    )


def router(ctx: Context) -> APIRouter:
    r = APIRouter(prefix="/_emulator")

    @r.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @r.get("/state")
    def state() -> dict[str, Any]:
        creates = ctx.store.creates()
        counts = Counter(f"{c['api']}/{c['collection']}/{c['id']}" for c in creates)
        return {
            "resources": ctx.store.ids(),
            "creates": creates,
            "create_counts": dict(counts),
            "jobs": [
                {
                    "id": j.id,
                    "kind": j.kind,
                    "resource": f"{j.coll}/{j.resource_id}",
                    "status": j.status,
                }
                for j in ctx.store.jobs()
            ],
            "faults": ctx.faults.snapshot(),
        }

    @r.get("/faults")
    def get_faults() -> dict[str, Any]:
        return ctx.faults.config.model_dump(mode="json")

    @r.post("/faults")
    async def set_faults(request: Request) -> Response:
        try:
            cfg = FaultConfig.model_validate_json(await request.body() or b"{}")
        except ValidationError as exc:
            return _err(400, f"invalid faults: {exc.errors(include_url=False)}")
        ctx.faults.set(cfg)
        return JSONResponse(cfg.model_dump(mode="json"))

    @r.delete("/faults")
    def clear_faults() -> Response:
        ctx.faults.set(FaultConfig())
        return Response(status_code=204)

    @r.get("/jobs/{job_id}")
    def job(job_id: str) -> Response:
        found = ctx.store.get_job(job_id)
        if found is None:
            return _err(404, f"no job {job_id!r}")
        return JSONResponse(
            {
                "id": found.id,
                "kind": found.kind,
                "resource": f"{found.coll}/{found.resource_id}",
                "status": found.status,
                "result": {
                    k: v
                    for k, v in (found.result or {}).items()
                    if k not in ("report", "analysis", "data_file")
                },
                "report": found.report or (found.result or {}).get("analysis"),
            }
        )

    @r.get("/files/{file_id}")
    def file(request: Request, file_id: str) -> Response:
        try:
            expiry = int(request.query_params.get("se", "0"))
        except ValueError:
            expiry = 0
        sig = request.query_params.get("sig", "")
        good = hmac.compare_digest(sig, file_signature(ctx.key, file_id, expiry))
        if not good or expiry < time.time():
            return JSONResponse(
                {"error": "AuthenticationFailed: signature invalid or expired"}, status_code=403
            )
        stored = ctx.store.get_file(file_id)
        if stored is None:
            return _err(404, "no such file")
        media = "application/json" if stored.name.endswith(".json") else "application/octet-stream"
        return Response(stored.content, media_type=media)

    @r.put("/locales/withdrawn")
    async def set_withdrawn_locales(request: Request) -> Response:
        body = await _json_object(request)
        if body is None:
            return _err(400, "send a JSON object")
        locales = body.get("locales")
        if not isinstance(locales, list) or not all(isinstance(x, str) for x in locales):
            return _err(400, 'send {"locales": ["en-GB", ...]} ([] offers every locale again)')
        ctx.withdrawn_locales = frozenset(x.strip().casefold() for x in locales)
        return JSONResponse({"locales": sorted(ctx.withdrawn_locales)})

    @r.put("/speechtotext/simulated-wer")
    async def set_simulated_wer(request: Request) -> Response:
        body = await _json_object(request)
        if body is None:
            return _err(400, "send a JSON object")
        model, dataset = body.get("model"), body.get("dataset")
        rate = body.get("wordErrorRate")
        if not (isinstance(model, str) and UUID_RE.match(model)):
            return _err(400, "model must be the id (a UUID) of a custom or base model")
        if not (isinstance(dataset, str) and UUID_RE.match(dataset)):
            return _err(400, "dataset must be the id (a UUID) of a dataset")
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            return _err(400, "wordErrorRate must be a number from 0 to 1")
        key = f"{model.lower()}:{dataset.lower()}"
        entry = {"model": model.lower(), "dataset": dataset.lower(), "wordErrorRate": rate}
        ctx.store.put(*SIMULATED_WER, key, {**entry, "simulated": True})
        return JSONResponse({**entry, "simulated": True})

    @r.put("/speechtotext/models/{model_id}/deprecation")
    async def set_model_deprecation(request: Request, model_id: str) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
            when = datetime.fromisoformat(str(body["transcriptionDateTime"]).replace("Z", "+00:00"))
        except (ValueError, KeyError, TypeError):
            return _err(400, 'send {"transcriptionDateTime": "<ISO 8601 date-time>"}')
        found = ctx.store.get("speechtotext", "models", model_id.lower())
        if found is None:
            return _err(404, f"no custom model {model_id!r}")
        stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        props = {
            **(found.get("properties") or {}),
            "deprecationDates": {"transcriptionDateTime": stamp},
        }
        ctx.store.update("speechtotext", "models", model_id.lower(), properties=props)
        return JSONResponse({"transcriptionDateTime": stamp})

    @r.post("/reset")
    def reset() -> Response:
        ctx.store.reset()
        ctx.faults.set(FaultConfig())
        return Response(status_code=204)

    return r
