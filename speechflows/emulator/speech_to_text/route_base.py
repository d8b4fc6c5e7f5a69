"""Shared plumbing of the Speech to text routes: rendering, references, creation, paging."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

import speechflows.emulator.speech_to_text.resources as stt
from speechflows.emulator.core.context import Context
from speechflows.emulator.core.locales import canonical as canonical_locale
from speechflows.emulator.core.locales import find as find_locale
from speechflows.emulator.core.locales import same as same_locale
from speechflows.emulator.core.store import Job
from speechflows.emulator.core.wire import base_url, now_stt, page
from speechflows.emulator.speech_to_text.catalog import STT_LOCALES, stt_dataset_locales
from speechflows.emulator.speech_to_text.resources import API, LEGACY, bad, check_uuid, not_found


class SttBase:
    """State and helpers shared by the Speech to text route classes of one version."""

    def __init__(self, ctx: Context, version: str) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.version = version

    # helpers -----------------------------------------------------------------------------
    def _render(self, request: Request, coll: str, body: dict[str, Any]) -> dict[str, Any]:
        counts = None
        if coll == "projects" and self.version == LEGACY:
            counts = {
                c: sum(
                    1
                    for b in self.store.list_resources(API, c)
                    if (b.get("_refs") or {}).get("project", [None, None])[1] == body["id"]
                )
                for c in ("datasets", "evaluations", "models", "endpoints")
            }
        return stt.render(coll, body, base_url(request), self.version, counts)

    def _answer(
        self, request: Request, coll: str, body: dict[str, Any], status: int = 200
    ) -> JSONResponse:
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

    def _resolve(
        self, body: dict[str, Any], field: str, colls: tuple[str, ...], inner: str
    ) -> tuple[list[str], dict[str, Any]]:
        coll, rid = stt.parse_ref(body.get(field), field, colls)
        if coll == "models/base":
            found = stt.base_model(rid)
            if found is None:
                raise bad(f"{field}: base model {rid} does not exist.", inner, target=field)
            return [coll, rid], {
                "id": rid,
                "locale": found[1],
                "status": "Succeeded",
                "_kinds": list(found[3]),
            }
        entity = self.store.get(API, coll, rid)
        if entity is None:
            raise bad(f"{field}: {coll.rstrip('s')} {rid} does not exist.", inner, target=field)
        return [coll, rid], entity

    def _succeeded_model(
        self, body: dict[str, Any], inner: str, for_what: str
    ) -> tuple[list[str], dict[str, Any]]:
        """The ``model`` the body references (custom or base): refused with ``inner`` unless it
        Succeeded ("only a Succeeded model ``for_what``")."""
        ref, model = self._resolve(body, "model", ("models", "models/base"), "InvalidModel")
        if model.get("status") != "Succeeded":
            raise bad(
                f"The model is {model.get('status')}; only a Succeeded model {for_what}.",
                inner,
                target="model",
            )
        return ref, model

    def _project(self, body: dict[str, Any], refs: dict[str, Any], locale: str) -> None:
        if body.get("project") is None:
            return
        ref, project = self._resolve(body, "project", ("projects",), "InvalidProject")
        if not same_locale(project.get("locale"), locale):
            raise bad(
                f"The locale {locale!r} does not match the project's locale "
                f"{project.get('locale')!r}.",
                "InvalidLocale",
                target="locale",
            )
        refs["project"] = ref

    def _locale(self, body: dict[str, Any]) -> str:
        """The locale in canonical case (``en-us`` → ``en-US``; ledger § Locales)."""
        loc = stt.text(body, "locale", required=True)
        assert loc is not None
        if self.ctx.withdrawn(loc):
            raise bad(
                f"The locale {loc!r} is not supported; see GET /datasets/locales.",
                "InvalidLocale",
                target="locale",
            )
        return find_locale(loc, STT_LOCALES) or canonical_locale(loc)

    def _dataset_locales(self) -> dict[str, list[str]]:
        """Datasets_ListSupportedLocales by kind, as this service offers them now."""
        return {k: self.ctx.offered(v) for k, v in stt_dataset_locales().items()}

    def _new(self, coll: str, fields: dict[str, Any], status: str | None) -> dict[str, Any]:
        now = now_stt()
        body = {"id": str(uuid.uuid4()), **fields, "createdDateTime": now}
        if status is not None:
            body |= {"status": status, "lastActionDateTime": now}
        self.store.put(API, coll, body["id"], body)
        self.store.record_create(API, coll, body["id"], fields.get("displayName"))
        return body

    def _job(self, kind: str, coll: str, rid: str, params: dict[str, Any]) -> None:
        self.ctx.submit(
            Job(
                id=f"{coll}-{rid}",
                api=API,
                kind=kind,
                coll=coll,
                resource_id=rid,
                params=params,
                visible=False,
            )
        )

    def _page(self, request: Request, items: list[dict[str, Any]], path: str) -> Response:
        full = f"/speechtotext{'/v3.2' if self.version == LEGACY else ''}/{path}"
        out = page(
            items,
            api=API,
            request=request,
            path=full,
            api_version=None if self.version == LEGACY else self.version,
        )
        busy = any(i.get("status") in ("NotStarted", "Running") for i in out["values"])
        headers = {"Retry-After": str(self.ctx.config.retry_after_seconds)} if busy else None
        return JSONResponse(out, headers=headers)
