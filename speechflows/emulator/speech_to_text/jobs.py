"""Speech to text background work: dataset import, model training, evaluations, endpoints.

* ``stt.dataset``: GET ``contentUrl`` (loopback only) or take the committed blocks / uploaded
  file, validate it as the dataset ``kind`` (:func:`analysis.analyze_stt_dataset`), then set
  ``acceptedLineCount``, ``rejectedLineCount``, ``durationMilliseconds`` and produce two files:
  ``report.json`` (``DatasetReport``: the emulator's own format, since Azure's is undocumented:
  counts plus every finding with file, line, rule and fix) and the data file itself. Nothing
  accepted → Failed with ``properties.error`` (``InaccessibleCustomerStorage``,
  ``DataImportFailed``, ``NoUtf8WithBom``, ``InvalidAudioFormat`` or ``InvalidDataset``).
* ``stt.model``: simulated training: Running for ``model_training_seconds``, then Succeeded.
* ``stt.evaluation``: **simulated figures**, never a real recognition: word, sentence and token
  metrics from one simulated alignment (the formula: ``docs/azure-behaviour.md`` § Speech to
  text; a rate forced per model and dataset through the admin API replaces the formula's),
  ``transcription1/2`` references to Succeeded transcriptions (served, with one simulated
  result file each), their summaries and an ``EvaluationDetails`` file among the
  evaluation's files, stating that the figures are simulated.
* ``stt.endpoint``: simulated deployment: Running, then Succeeded.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from pathlib import Path
from typing import Any, Literal

import speechflows.emulator.core.analysis as analysis
from speechflows.emulator.core.blob import InaccessibleStorage
from speechflows.emulator.core.context import Context
from speechflows.emulator.core.status_job import StatusJob
from speechflows.emulator.core.store import Job, Store, StoredFile
from speechflows.emulator.core.wire import now_stt

API: Literal["speechtotext"] = "speechtotext"
DATA_FILES = {
    "Acoustic": ("AcousticDataArchive", "acoustic_data.zip"),
    "AudioFiles": ("AcousticDataArchive", "audio_data.zip"),
    "Language": ("LanguageData", "language_data.txt"),
    "LanguageMarkdown": ("LanguageData", "language_data.md"),
    "Pronunciation": ("PronunciationData", "pronunciation_data.txt"),
    "OutputFormatting": ("OutputFormattingData", "output_formatting.md"),
}


def _u(value: str) -> float:
    return int(hashlib.sha256(value.encode()).hexdigest()[:8], 16) / 2**32


class _Base(StatusJob):
    """The resource shows Running, then Succeeded or Failed (with ``properties.error``)."""

    def finish(self, job: Job, result: dict[str, Any]) -> str:
        if result.get("ok"):
            self._set(job, "Succeeded", properties=result.get("properties") or {})
            return "Succeeded"
        self.fail(
            job,
            str(result.get("code") or "InternalServerError"),
            str(result.get("message") or "processing failed"),
        )
        return "Failed"

    def fail(self, job: Job, reason: str, message: str = "processing failed") -> None:
        code = "InternalServerError" if reason == "Internal" else reason
        self._set(job, "Failed", properties={"error": {"code": code, "message": message}})

    def _set(self, job: Job, status: str, **changes: Any) -> None:
        self.ctx.store.update(
            API, job.coll, job.resource_id, status=status, lastActionDateTime=now_stt(), **changes
        )


class DatasetJob(_Base):
    def run(self, job: Job) -> dict[str, Any]:
        p = job.params
        dest = self.ctx.work_dir(job.id)
        name = DATA_FILES[p["kind"]][1]
        target = dest / name
        try:
            if p.get("content_url"):
                reader = self.ctx.reader()
                try:
                    target.write_bytes(reader.download(p["content_url"]))
                finally:
                    reader.close()
            else:
                upload = self.ctx.store.get_file(p["upload_file"])
                if upload is None:
                    return {
                        "ok": False,
                        "code": "DataImportFailed",
                        "message": "no data was uploaded",
                    }
                target.write_bytes(upload.content)
        except InaccessibleStorage as exc:
            return {"ok": False, "code": "InaccessibleCustomerStorage", "message": str(exc)}
        result = analysis.analyze_stt_dataset(target, p["kind"], p["locale"])
        return {
            "ok": result.ok,
            "code": result.error_code,
            "message": result.message,
            "analysis": result.to_dict(),
            "data_file": str(target),
        }

    def finish(self, job: Job, result: dict[str, Any]) -> str:
        store = self.ctx.store
        res = analysis.Analysis.from_dict(result["analysis"]) if "analysis" in result else None
        created = now_stt()
        if res is not None:
            report = {
                "emulator": "speechflows",
                "kind": job.params["kind"],
                "locale": job.params["locale"],
                "acceptedLineCount": res.accepted,
                "rejectedLineCount": res.rejected,
                "durationMilliseconds": round(res.seconds * 1000),
                "acceptedFiles": res.accepted_files,
                "rejectedFiles": res.rejected_files,
                "validation": res.report,
            }
            _put_file(store, job, "report.json", "DatasetReport", created, _json_bytes(report))
            data = Path(result["data_file"])
            if res.ok and data.exists():
                kind, name = DATA_FILES[job.params["kind"]]
                _put_file(store, job, name, kind, created, data.read_bytes())
        self.ctx.clean(job.id)
        props: dict[str, Any] = {}
        if res is not None:
            props = {"acceptedLineCount": res.accepted, "rejectedLineCount": res.rejected}
            if job.params["kind"] in ("Acoustic", "AudioFiles"):
                props["durationMilliseconds"] = round(res.seconds * 1000)
        body = store.get(API, job.coll, job.resource_id)
        if body is not None and res is not None:
            body["_stats"] = {"words": res.words, "sentences": res.sentences}
            store.put(API, job.coll, job.resource_id, body)
        if result.get("ok"):
            self._set(job, "Succeeded", properties=props)
            return "Succeeded"
        self._set(
            job,
            "Failed",
            properties={
                **props,
                "error": {
                    "code": result.get("code") or "InvalidDataset",
                    "message": result.get("message") or "the data could not be imported",
                },
            },
        )
        return "Failed"


class ModelJob(_Base):
    def running_seconds(self, job: Job) -> float:
        return self.ctx.config.model_training_seconds


class EvaluationJob(_Base):
    def run(self, job: Job) -> dict[str, Any]:
        store = self.ctx.store
        ds = store.get(API, "datasets", job.params["dataset"]) or {}
        stats = ds.get("_stats") or {}
        words = int(stats.get("words") or 0)
        sentences = int(stats.get("sentences") or 0)
        base_rate = 0.08 + 0.04 * _u(job.params["dataset"])
        props: dict[str, Any] = {}
        for n in ("1", "2"):
            coll, model_id = job.params[f"model{n}"]
            rate = base_rate if coll == "models/base" else 0.7 * base_rate
            forced = simulated_wer(store, model_id, job.params["dataset"])
            props |= _alignment(n, words, sentences, rate if forced is None else forced)
        return {"ok": True, "properties": props}

    def finish(self, job: Job, result: dict[str, Any]) -> str:
        store = self.ctx.store
        created = now_stt()
        props = result.get("properties") or {}
        note = {
            "simulated": True,
            "explanation": "Figures are simulated by the speechflows emulator from dataset "
            "statistics (see docs/azure-behaviour.md, Speech to text); no audio was recognised.",
            "properties": props,
        }
        files = [("evaluation.json", "EvaluationDetails", note)]
        body = store.get(API, job.coll, job.resource_id)
        if result.get("ok") and body is not None:
            refs = dict(body.get("_refs") or {})
            for n in ("1", "2"):
                tid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{job.resource_id}/transcription{n}"))
                refs[f"transcription{n}"] = ["transcriptions", tid]
                _put_transcription(store, job, body, n, tid, props, created)
                files.append(
                    (
                        f"transcription{n}.json",
                        "Transcription",
                        {
                            "simulated": True,
                            "model": f"model{n}",
                            "transcription": tid,
                            "wordCount": props.get(f"wordCount{n}"),
                            "tokenCount": props.get(f"tokenCount{n}"),
                        },
                    )
                )
            store.update(API, job.coll, job.resource_id, _refs=refs)
        for name, kind, content in files:
            _put_file(store, job, name, kind, created, _json_bytes(content))
        return super().finish(job, result)


SIMULATED_WER = ("_emulator", "simulated-wer")
"""Where the admin API keeps the word error rates tests force per model and dataset."""


def simulated_wer(store: Store, model_id: str, dataset_id: str) -> float | None:
    """The word error rate forced for ``model_id`` on ``dataset_id`` (admin API), if any."""
    found = store.get(*SIMULATED_WER, f"{model_id.lower()}:{dataset_id.lower()}")
    return None if found is None else float(found["wordErrorRate"])


def _put_transcription(
    store: Store,
    job: Job,
    evaluation: dict[str, Any],
    n: str,
    tid: str,
    props: dict[str, Any],
    created: str,
) -> None:
    """The Succeeded transcription ``transcription{n}`` of an evaluation, and its result file.

    Served by Transcriptions_Get / Transcriptions_ListFiles. The result file has the shape of a
    batch transcription result (``source``, ``timestamp``, ``durationInTicks``, ``duration``,
    ``combinedRecognizedPhrases``, ``recognizedPhrases``) with no phrases, since no audio is
    recognised, plus the simulated alignment of model ``n`` (ledger § Speech to text).
    """
    refs = evaluation.get("_refs") or {}
    ds = store.get(API, "datasets", job.params["dataset"]) or {}
    ms = int((ds.get("properties") or {}).get("durationMilliseconds") or 0)
    tref: dict[str, Any] = {"model": job.params[f"model{n}"], "dataset": refs.get("dataset")}
    if refs.get("project"):
        tref["project"] = refs["project"]
    transcription = {
        "id": tid,
        "displayName": f"{evaluation.get('displayName') or 'evaluation'} transcription{n}",
        "locale": evaluation.get("locale"),
        "status": "Succeeded",
        "createdDateTime": created,
        "lastActionDateTime": created,
        "properties": {
            "wordLevelTimestampsEnabled": False,
            "displayFormWordLevelTimestampsEnabled": False,
            "channels": [0, 1],
            "punctuationMode": "DictatedAndAutomatic",
            "profanityFilterMode": "Masked",
            "timeToLiveHours": 48,
            "durationMilliseconds": ms,
        },
        "_refs": {k: v for k, v in tref.items() if v},
    }
    store.put(API, "transcriptions", tid, transcription)
    keys = (
        "sentenceCount",
        "wordCount",
        "correctWordCount",
        "wordSubstitutionCount",
        "wordDeletionCount",
        "wordInsertionCount",
        "wordErrorRate",
        "tokenCount",
        "correctTokenCount",
        "tokenErrorRate",
    )
    result = {
        "source": f"datasets/{job.params['dataset']}",
        "timestamp": created,
        "durationInTicks": ms * 10_000,
        "duration": f"PT{ms / 1000:g}S",
        "combinedRecognizedPhrases": [],
        "recognizedPhrases": [],
        "speechflowsEmulator": {
            "simulated": True,
            "evaluation": job.resource_id,
            "model": f"model{n}",
            "alignment": {k: props.get(f"{k}{n}") for k in keys},
        },
    }
    store.put_file(
        StoredFile(
            str(uuid.uuid5(uuid.NAMESPACE_URL, f"{tid}/result")),
            tid,
            "simulated_result.json",
            "Transcription",
            created,
            None,
            _json_bytes(result),
        )
    )


def _json_bytes(content: Any) -> bytes:
    return json.dumps(content, indent=2).encode()


def _put_file(store: Store, job: Job, name: str, kind: str, created: str, content: bytes) -> None:
    """Store a file the job produced, owned by the job's resource."""
    store.put_file(
        StoredFile(str(uuid.uuid4()), job.resource_id, name, kind, created, None, content)
    )


def _alignment(n: str, words: int, sentences: int, rate: float) -> dict[str, Any]:
    """Word, sentence and token metrics of model ``n`` from one simulated alignment.

    The formula is a ledger row (``docs/azure-behaviour.md`` § Speech to text).
    """
    errors = round(rate * words)
    sub, dele = round(0.6 * errors), round(0.25 * errors)
    ins = errors - sub - dele
    sent_err = min(sentences, math.ceil(0.8 * errors))
    # Tokens are the display-form words plus one end punctuation mark per sentence. Every word
    # error is a lexical token error; display-only edits are substitutions of tokens.
    tokens = words + sentences
    edits = {
        "punctuation": math.ceil(0.5 * sent_err),
        "capitalization": math.ceil(0.2 * sent_err),
        "inverseTextNormalization": round(0.1 * errors),
        "lexical": errors,
        "others": 0,
    }
    display_only = sum(v for k, v in edits.items() if k != "lexical")
    tok_sub = min(tokens - dele, sub + display_only)
    total = tok_sub + dele + ins
    return {
        f"wordErrorRate{n}": round(errors / words, 4) if words else 0.0,
        f"sentenceErrorRate{n}": round(sent_err / sentences, 4) if sentences else 0.0,
        f"tokenErrorRate{n}": round(total / tokens, 4) if tokens else 0.0,
        f"sentenceCount{n}": sentences,
        f"wordCount{n}": words,
        f"correctWordCount{n}": words - sub - dele,
        f"wordSubstitutionCount{n}": sub,
        f"wordDeletionCount{n}": dele,
        f"wordInsertionCount{n}": ins,
        f"tokenCount{n}": tokens,
        f"correctTokenCount{n}": tokens - tok_sub - dele,
        f"tokenSubstitutionCount{n}": tok_sub,
        f"tokenDeletionCount{n}": dele,
        f"tokenInsertionCount{n}": ins,
        f"tokenErrors{n}": {
            kind: {
                "numberOfEdits": count,
                "percentageOfAllEdits": round(100 * count / sum(edits.values()), 2)
                if sum(edits.values())
                else 0.0,
            }
            for kind, count in edits.items()
        },
    }


def handlers(ctx: Context) -> dict[str, Any]:
    return {
        "stt.dataset": DatasetJob(ctx),
        "stt.model": ModelJob(ctx),
        "stt.evaluation": EvaluationJob(ctx),
        "stt.endpoint": _Base(ctx),
    }
