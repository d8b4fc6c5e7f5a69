"""Custom Voice background work: consents, training-set uploads, personal voices, models, endpoints.

Job kinds and what they really do:

* ``cv.consent``: fetch the consent audio (``audioUrl`` over loopback, or the multipart upload)
  and validate it as consent audio (:func:`analysis.analyze_consent`). Invalid audio →
  ``failureReason=AudioAndScriptNotMatch``; unreachable audio → ``Internal`` (the consent
  failure enum has nothing closer).
* ``cv.trainingset_upload``: list the ``audios`` and ``scripts`` containers through their SAS
  URLs (``prefix`` + ``extensions``), download into one folder and validate it as the dataset
  ``kind``. A second upload into a set that already holds data skips the audio files whose
  names the set already has (the old audio is kept, the counts are not added twice) and keeps
  what earlier uploads brought even when the files are gone from the container (ledger:
  "Custom Voice: resources, operations, imports"); only new names add to ``utteranceCount`` /
  ``durationInSeconds``. The operation fails when nothing is accepted or storage is
  inaccessible (a SAS without list permission). The training set is Succeeded while it holds
  accepted data, else Failed (``TrainingSetProperties`` has no failure reason in any spec
  version; the reason is served at ``/_emulator/jobs/{operationId}`` only). Per-file rejections are
  not part of the REST API (Speech Studio shows them); the emulator serves the full validation
  report at ``GET /_emulator/jobs/{operationId}``.
* ``cv.personalvoice``: waits for the consent to finish, then validates the prompt audio. A
  failed consent → ``DataNotReady``; no usable prompt → ``DataNotEnough`` (2026-01-01 names;
  older API versions show ``Internal``); unreachable storage → ``InaccessibleCustomerStorage``.
* ``cv.model``: simulated training (no voice is built). Checks the consent succeeded and the
  training sets hold at least the recipe's ``minUtteranceCount``, then stays Running for
  ``model_training_seconds`` and succeeds.
* ``cv.endpoint`` / ``cv.endpoint_suspend`` / ``cv.endpoint_resume``: simulated deployment
  state machines (Running → Succeeded; Disabling → Disabled; Running → Succeeded).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import speechflows.emulator.core.analysis as analysis
from speechflows.emulator.core.blob import InaccessibleStorage
from speechflows.emulator.core.context import Context
from speechflows.emulator.core.status_job import StatusJob
from speechflows.emulator.core.store import Job
from speechflows.emulator.core.wire import now_cv

API: Literal["customvoice"] = "customvoice"
AUDIO_SUFFIXES = (".wav", ".mp3")


def _verdict(result: analysis.Analysis, failure_reason: str) -> dict[str, Any]:
    """The job result of an audio check: ``failure_reason`` unless it passed."""
    return {
        "ok": result.ok,
        "reason": None if result.ok else failure_reason,
        "message": result.message,
        "report": result.to_dict(),
    }


class _Base(StatusJob):
    """The resource shows Running, then Succeeded or Failed (with ``failureReason``)."""

    def finish(self, job: Job, result: dict[str, Any]) -> str:
        self.ctx.clean(job.id)
        if result.get("ok"):
            self._set(job, "Succeeded")
            return "Succeeded"
        self.fail(job, str(result.get("reason") or "Internal"))
        return "Failed"

    def fail(self, job: Job, reason: str) -> None:
        self.ctx.clean(job.id)
        self._set(job, "Failed", properties={"failureReason": reason})

    def _set(self, job: Job, status: str, **changes: Any) -> None:
        self.ctx.store.update(
            API, job.coll, job.resource_id, status=status, lastActionDateTime=now_cv(), **changes
        )

    def _folder_from(self, job: Job, sources: list[dict[str, Any]]) -> Path:
        """Download every source (SAS container, audio URL, or upload dir) into one folder."""
        dest = self.ctx.work_dir(job.id)
        reader = self.ctx.reader()
        try:
            for src in sources:
                if "upload_dir" in src:
                    for f in sorted(Path(src["upload_dir"]).iterdir()):
                        (dest / f.name).write_bytes(f.read_bytes())
                elif "audio_url" in src:
                    name = Path(src["audio_url"].split("?", 1)[0]).name or "consent.wav"
                    (dest / name).write_bytes(reader.download(src["audio_url"]))
                else:
                    reader.download_container(
                        src["containerUrl"],
                        prefix=src.get("prefix") or "",
                        extensions=src.get("extensions") or [],
                        dest=dest,
                    )
        finally:
            reader.close()
        return dest


class ConsentJob(_Base):
    def run(self, job: Job) -> dict[str, Any]:
        try:
            folder = self._folder_from(job, [job.params["source"]])
        except InaccessibleStorage as exc:
            return {"ok": False, "reason": "Internal", "message": str(exc)}
        result = analysis.analyze_consent(folder, job.params.get("locale", "en-US"))
        return _verdict(result, "AudioAndScriptNotMatch")


class TrainingSetUploadJob(_Base):
    def start(self, job: Job) -> None:
        self._set(job, "Running")

    def _set(self, job: Job, status: str, **changes: Any) -> None:
        """The set's status follows its latest import: an earlier import that starts or ends
        while a later one is under way changes what the set holds, not its status."""
        later = any(
            other.kind == job.kind and other.created > job.created and not other.terminal
            for other in self.ctx.store.jobs_for(job.coll, job.resource_id)
            if other.id != job.id
        )
        if not later:
            super()._set(job, status, **changes)
        elif changes:
            self.ctx.store.update(API, job.coll, job.resource_id, **changes)

    def run(self, job: Job) -> dict[str, Any]:
        p = job.params
        sources = [p["audios"]] + ([p["scripts"]] if p.get("scripts") else [])
        try:
            folder = self._folder_from(job, sources)
        except InaccessibleStorage as exc:
            return {"ok": False, "reason": "InaccessibleCustomerStorage", "message": str(exc)}
        held = self._names_held(job)
        skipped = sorted(
            f.name
            for f in folder.iterdir()
            if f.suffix.lower() in AUDIO_SUFFIXES and f.name in held
        )
        for name in skipped:
            (folder / name).unlink()
        result = analysis.analyze_training_set(folder, p["kind"], p.get("locale", "en-US"))
        ok = result.ok or bool(skipped)
        return {
            "ok": ok,
            "reason": None if ok else "NoValidData",
            "message": result.message,
            "utterances": result.accepted,
            "seconds": result.seconds,
            "names": [f for f in result.accepted_files if Path(f).suffix.lower() in AUDIO_SUFFIXES],
            "skipped": skipped,
            "report": result.to_dict(),
        }

    def _names_held(self, job: Job) -> set[str]:
        """Audio names the training set already holds (from its earlier succeeded uploads).

        Only uploads since the set was created count: a set deleted and created again under
        the same id starts empty.
        """
        ts = self.ctx.store.get(API, job.coll, job.resource_id) or {}
        try:
            born = datetime.fromisoformat(str(ts.get("createdDateTime"))).timestamp()
        except ValueError:
            born = 0.0
        held: set[str] = set()
        for other in self.ctx.store.jobs_for(job.coll, job.resource_id):
            if (
                other.id != job.id
                and other.kind == job.kind
                and other.status == "Succeeded"
                and other.created >= born - 0.001
            ):
                held.update(Path(n).name for n in (other.result or {}).get("names") or [])
        return held

    def finish(self, job: Job, result: dict[str, Any]) -> str:
        self.ctx.clean(job.id)
        ts = self.ctx.store.get(API, job.coll, job.resource_id)
        if ts is None:
            return "Failed"
        props = dict(ts.get("properties") or {})
        if result.get("ok"):
            props["utteranceCount"] = int(props.get("utteranceCount", 0)) + int(
                result["utterances"]
            )
            props["durationInSeconds"] = round(
                float(props.get("durationInSeconds", 0.0)) + float(result["seconds"]), 3
            )
            props["isContextual"] = job.params.get("processAs") == "Contextual"
        status = "Succeeded" if int(props.get("utteranceCount", 0)) > 0 else "Failed"
        self._set(job, status, properties=props)
        return "Succeeded" if result.get("ok") else "Failed"

    def fail(self, job: Job, reason: str) -> None:
        self.ctx.clean(job.id)
        ts = self.ctx.store.get(API, job.coll, job.resource_id) or {}
        count = int((ts.get("properties") or {}).get("utteranceCount", 0))
        self._set(job, "Succeeded" if count else "Failed")


class PersonalVoiceJob(_Base):
    def _consent(self, job: Job) -> dict[str, Any] | None:
        return self.ctx.store.get(API, "consents", job.params["consentId"])

    def ready(self, job: Job) -> bool:
        consent = self._consent(job)
        return consent is None or consent.get("status") in ("Succeeded", "Failed")

    def run(self, job: Job) -> dict[str, Any]:
        consent = self._consent(job)
        if consent is None or consent.get("status") != "Succeeded":
            return {
                "ok": False,
                "reason": "DataNotReady",
                "message": "the consent is missing or did not succeed",
            }
        try:
            folder = self._folder_from(job, [job.params["source"]])
        except InaccessibleStorage as exc:
            return {"ok": False, "reason": "InaccessibleCustomerStorage", "message": str(exc)}
        result = analysis.analyze_prompts(folder, consent.get("locale", "en-US"))
        return _verdict(result, "DataNotEnough")


class ModelJob(_Base):
    def running_seconds(self, job: Job) -> float:
        return self.ctx.config.model_training_seconds

    def run(self, job: Job) -> dict[str, Any]:
        store = self.ctx.store
        consent = store.get(API, "consents", job.params["consentId"])
        if consent is None or consent.get("status") != "Succeeded":
            return {"ok": False, "reason": "DataNotReady", "message": "consent not Succeeded"}
        failed = []
        for ts_id in job.params["trainingSetIds"]:
            ts = store.get(API, "trainingsets", ts_id)
            count = int(((ts or {}).get("properties") or {}).get("utteranceCount", 0))
            if ts is None or ts.get("status") != "Succeeded":
                failed.append(ts_id)
            elif count < self.ctx.config.min_utterance_count:
                return {
                    "ok": False,
                    "reason": "DataNotEnough",
                    "failed": [ts_id],
                    "message": f"training set {ts_id} has {count} utterances, the recipe "
                    f"needs {self.ctx.config.min_utterance_count}",
                }
        if failed:
            return {
                "ok": False,
                "reason": "DataNotReady",
                "failed": failed,
                "message": "training sets not Succeeded: " + ", ".join(failed),
            }
        return {"ok": True}

    def finish(self, job: Job, result: dict[str, Any]) -> str:
        if result.get("failed"):
            self.ctx.store.update(
                API, job.coll, job.resource_id, properties={"failedTrainingsets": result["failed"]}
            )
        return super().finish(job, result)


class EndpointJob(_Base):
    """Create and resume: Running → Succeeded. Suspend: Disabling → Disabled."""

    def __init__(self, ctx: Context, *, suspend: bool = False) -> None:
        super().__init__(ctx)
        self.suspend = suspend
        self.running_status = "Disabling" if suspend else "Running"

    def finish(self, job: Job, result: dict[str, Any]) -> str:
        self._set(job, "Disabled" if self.suspend else "Succeeded")
        return "Succeeded"

    def fail(self, job: Job, reason: str) -> None:
        self._set(job, "Failed")


def handlers(ctx: Context) -> dict[str, Any]:
    return {
        "cv.consent": ConsentJob(ctx),
        "cv.trainingset_upload": TrainingSetUploadJob(ctx),
        "cv.personalvoice": PersonalVoiceJob(ctx),
        "cv.model": ModelJob(ctx),
        "cv.endpoint": EndpointJob(ctx),
        "cv.endpoint_suspend": EndpointJob(ctx, suspend=True),
        "cv.endpoint_resume": EndpointJob(ctx),
    }
