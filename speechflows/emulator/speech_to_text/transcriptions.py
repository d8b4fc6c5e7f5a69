"""Batch transcription: ``Transcriptions_Create`` (v3.2) / ``Transcriptions_Submit`` (2025-10-15),
``Transcriptions_List``, ``Transcriptions_Get``, ``Transcriptions_Delete``,
``Transcriptions_ListFiles``, ``Transcriptions_GetFile``, ``Projects_ListTranscriptions``,
``Transcriptions_ListSupportedLocales``.

A create takes ``contentUrls`` (up to 1,000) or ``contentContainerUrl`` (a container SAS with
read and list), an optional ``model`` (a base or a Succeeded custom model of the same locale;
default: the locale's base model) and answers 201 with ``Location``; the job downloads every
audio file over loopback, then produces one ``Transcription`` result file per audio file
(``<name>.json``: per-phrase text, offsets, durations, confidences) and one
``TranscriptionReport``. The recognition is simulated (:mod:`.recognition`). Ledger
§ Speech to text.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import unquote, urlsplit

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

import speechflows.emulator.speech_to_text.recognition as rec
import speechflows.emulator.speech_to_text.resources as stt
from speechflows.emulator.core.blob import InaccessibleStorage, blob_url
from speechflows.emulator.core.context import Context
from speechflows.emulator.core.store import Job, StoredFile
from speechflows.emulator.core.wire import json_body, make_filter, now_stt, obj
from speechflows.emulator.speech_to_text.catalog import STT_BASE_MODELS
from speechflows.emulator.speech_to_text.datasets import DatasetRoutes
from speechflows.emulator.speech_to_text.jobs import SIMULATED_WER, _Base
from speechflows.emulator.speech_to_text.resources import API, LEGACY, bad

MAX_CONTENT_URLS = 1000
"""``contentUrls``: "Up to 1000 urls are allowed" (spec, both versions)."""
TTL_HOURS = (6, 744)
"""``timeToLiveHours`` (2025-10-15): "shortest supported duration is 6 hours, the longest ... 31
days"."""
AUDIO_EXTENSIONS = (".wav", ".mp3", ".ogg", ".opus", ".flac", ".wma", ".aac", ".amr", ".webm")
_FILTERABLE = ("displayName", "description", "createdDateTime", "lastActionDateTime", "status")


class TranscriptionRoutes(DatasetRoutes):
    """The batch transcription operations of one API version."""

    async def create_transcription(self, request: Request) -> Response:
        body = await json_body(request, API)
        loc = self._locale(body)
        stt.text(body, "displayName", required=True)
        props_in: dict[str, Any] = obj(body, "properties")
        urls = body.get("contentUrls")
        container = body.get("contentContainerUrl")
        if (urls is None) == (container is None):
            raise bad(
                "Give exactly one of contentUrls and contentContainerUrl.",
                "InvalidParameterValue",
                target="contentUrls",
            )
        if urls is not None and (
            not isinstance(urls, list)
            or not urls
            or not all(isinstance(u, str) and u for u in urls)
        ):
            raise bad("contentUrls must be a non-empty list of URLs.", target="contentUrls")
        if urls is not None and len(urls) > MAX_CONTENT_URLS:
            raise bad(
                f"contentUrls holds {len(urls)} URLs; at most {MAX_CONTENT_URLS} are allowed.",
                target="contentUrls",
            )
        if container is not None and not isinstance(container, str):
            raise bad("contentContainerUrl must be a URL.", target="contentContainerUrl")
        props: dict[str, Any] = {
            "wordLevelTimestampsEnabled": bool(props_in.get("wordLevelTimestampsEnabled")),
            "displayFormWordLevelTimestampsEnabled": bool(
                props_in.get("displayFormWordLevelTimestampsEnabled")
            ),
            "channels": props_in.get("channels") or [0, 1],
            "punctuationMode": props_in.get("punctuationMode") or "DictatedAndAutomatic",
            "profanityFilterMode": props_in.get("profanityFilterMode") or "Masked",
        }
        if self.version != LEGACY:
            ttl = props_in.get("timeToLiveHours")
            if not isinstance(ttl, int) or isinstance(ttl, bool):
                raise bad(
                    "properties.timeToLiveHours is required (6 to 744; 48 is the default the "
                    "docs recommend).",
                    target="properties.timeToLiveHours",
                )
            if not TTL_HOURS[0] <= ttl <= TTL_HOURS[1]:
                raise bad(
                    f"properties.timeToLiveHours must be between {TTL_HOURS[0]} and "
                    f"{TTL_HOURS[1]}; got {ttl}.",
                    target="properties.timeToLiveHours",
                )
            props["timeToLiveHours"] = ttl
        refs: dict[str, Any] = {}
        model_kind, model_id = "models/base", _default_base(loc)
        if body.get("model") is not None:
            refs["model"], model = self._succeeded_model(body, "InvalidModel", "transcribes")
            if (model.get("locale") or "").lower() != loc.lower():
                raise bad(
                    f"The model's locale {model.get('locale')!r} differs from {loc!r}.",
                    "InvalidLocale",
                    target="locale",
                )
            model_kind, model_id = refs["model"]
        elif model_id:
            refs["model"] = ["models/base", model_id]
        self._project(body, refs, loc)
        entity = self._new(
            "transcriptions",
            {**stt.common(body), "locale": loc, "properties": props, "_refs": refs},
            "NotStarted",
        )
        self._job(
            "stt.transcription",
            "transcriptions",
            entity["id"],
            {
                "content_urls": urls,
                "container_url": container,
                "model": [model_kind, model_id],
                "locale": loc,
                "word_timestamps": props["wordLevelTimestampsEnabled"],
            },
        )
        return self._answer(request, "transcriptions", entity, 201)

    def list_transcriptions(self, request: Request, id: str | None = None) -> Response:
        bodies = self.store.list_resources(API, "transcriptions")
        if id is not None:
            project = self._get("projects", id)
            bodies = [
                b
                for b in bodies
                if (b.get("_refs") or {}).get("project", [None, None])[1] == project["id"]
            ]
        items = [self._render(request, "transcriptions", b) for b in bodies]
        keep = make_filter(request.query_params.get("filter"), _FILTERABLE, API)
        path = f"projects/{id}/transcriptions" if id else "transcriptions"
        return self._page(request, [i for i in items if keep(i)], path)

    def delete_transcription(self, request: Request, id: str) -> Response:
        rid = stt.check_uuid(id)
        self.store.delete(API, "transcriptions", rid)
        self.store.delete_files_of(rid)
        return Response(status_code=204)

    def transcription_locales(self, request: Request) -> Response:
        """Transcriptions_ListSupportedLocales: v3.2 a bare array; 2025-10-15 a
        ``TranscriptionLocales`` object, of which only ``Submit`` (batch transcription: the
        Acoustic list) is served, fast transcription (``Transcribe``) not being emulated."""
        locales = self._dataset_locales()["Acoustic"]
        return JSONResponse(locales if self.version == LEGACY else {"Submit": locales})

    def router(self) -> APIRouter:
        r = APIRouter(prefix="/speechtotext/v3.2" if self.version == LEGACY else "/speechtotext")
        add = r.add_api_route
        add("/transcriptions/locales", self.transcription_locales, methods=["GET"])
        if self.version == LEGACY:
            add("/transcriptions", self.create_transcription, methods=["POST"])
        else:
            add("/transcriptions:submit", self.create_transcription, methods=["POST"])
        add("/transcriptions", self.list_transcriptions, methods=["GET"])
        add("/projects/{id}/transcriptions", self.list_transcriptions, methods=["GET"])
        add("/transcriptions/{id}", self.delete_transcription, methods=["DELETE"])
        return r


def _default_base(locale: str) -> str:
    """The newest base model of ``locale`` (the one the service uses when ``model`` is absent)."""
    found = [m for m in STT_BASE_MODELS if m[1].lower() == locale.lower()]
    return found[-1][0] if found else ""


class TranscriptionJob(_Base):
    """Download the audio, "recognise" each file (simulated), write the result files."""

    def run(self, job: Job) -> dict[str, Any]:
        p = job.params
        reader = self.ctx.reader()
        audio: list[tuple[str, bytes]] = []
        try:
            if p.get("content_urls"):
                for url in p["content_urls"]:
                    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "audio"
                    audio.append((name, reader.download(url)))
            else:
                container = p["container_url"]
                for name, _size in reader.list_blobs(container):
                    if name.lower().endswith(AUDIO_EXTENSIONS):
                        audio.append((name, reader.download(blob_url(container, name))))
        except InaccessibleStorage as exc:
            return {"ok": False, "code": "InvalidData", "message": str(exc)}
        finally:
            reader.close()
        if not audio:
            return {
                "ok": False,
                "code": "InvalidData",
                "message": "no audio file was found at the content URLs given",
            }
        known = rec.known_transcripts(self.ctx.store)
        model_kind, model_id = p["model"]
        rate = self._rate(model_kind, model_id)
        files = []
        for name, content in audio:
            digest = rec.audio_hash(content)
            transcript = known.get(digest)
            heard = rec.Heard(
                rec.recognise(transcript, model_id=model_id, digest=digest, rate=rate),
                rec.audio_seconds(content),
                transcript is not None,
            )
            files.append((name, heard))
        created = now_stt()
        for name, heard in files:
            content_json = rec.result_file(
                source=name,
                created=created,
                heard=heard,
                locale=p["locale"],
                word_timestamps=bool(p.get("word_timestamps")),
            )
            self._put(job, f"{name}.json", "Transcription", created, content_json)
        report = {
            "successfulTranscriptionsCount": len(files),
            "failedTranscriptionsCount": 0,
            "details": [
                {"source": name, "status": "Succeeded", "knownAudio": heard.known}
                for name, heard in files
            ],
            "speechflowsEmulator": {"simulated": True, "wordErrorRate": rate},
        }
        self._put(job, "report.json", "TranscriptionReport", created, report)
        ms = round(1000 * sum(h.seconds for _, h in files))
        return {"ok": True, "properties": {"durationMilliseconds": ms}}

    def _rate(self, kind: str, model_id: str) -> float:
        forced = self.ctx.store.get(*SIMULATED_WER, f"{model_id.lower()}:*")
        if forced is not None:
            return float(forced["wordErrorRate"])
        return rec.BASE_RATE if kind == "models/base" else rec.CUSTOM_RATE

    def finish(self, job: Job, result: dict[str, Any]) -> str:
        if result.get("ok"):
            body = self.ctx.store.get(API, job.coll, job.resource_id) or {}
            props = {**(body.get("properties") or {}), **(result.get("properties") or {})}
            self._set(job, "Succeeded", properties=props)
            return "Succeeded"
        body = self.ctx.store.get(API, job.coll, job.resource_id) or {}
        props = {
            **(body.get("properties") or {}),
            "error": {"code": result.get("code"), "message": result.get("message")},
        }
        self._set(job, "Failed", properties=props)
        return "Failed"

    def _put(self, job: Job, name: str, kind: str, created: str, content: Any) -> None:
        self.ctx.store.put_file(
            StoredFile(
                str(uuid.uuid5(uuid.NAMESPACE_URL, f"{job.resource_id}/{name}")),
                job.resource_id,
                name,
                kind,
                created,
                None,
                json.dumps(content, indent=2).encode(),
            )
        )


def handlers(ctx: Context) -> dict[str, Any]:
    return {"stt.transcription": TranscriptionJob(ctx)}
