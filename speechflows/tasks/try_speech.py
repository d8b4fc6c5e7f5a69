"""See what a speech model gets wrong: batch-transcribe the user's audio with the new model and
with the model it would replace, align both against the reference transcripts, publish per file.

* :func:`stage_try_audio`: the audio (a local folder, staged under ``try-speech/<hash>/``, or a
  ``blob://container/prefix`` of the configured account, read in place) and its reference
  transcripts (``trans.txt``: ``<audio name><TAB><transcript>``, the Acoustic dataset format).
* :func:`transcribe`: one batch transcription (``Transcriptions_Submit``), found again by display
  name + content hash on a re-run; each audio file's recognised text.
* :func:`training_overlap`: a warning when the model was trained on this very data (the same
  dataset, or audio with the same content hash in one of its training datasets).
* :func:`compare`: the per-file alignment (substitutions, deletions, insertions), WER in percent
  per model, the files that got better or worse; a table artifact, a markdown artifact with the
  highlighted alignments, and a CSV in Blob beside the audio (linked, link expiring within the
  hour and marked so).

Every Speech call goes through the tasks' client (quota slot, retries, redaction).
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath

from azure.storage.blob import ContentSettings
from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.logging import get_run_logger
from pydantic import BaseModel

from speechflows.datasets.manifest import build_manifest
from speechflows.location import DataLocation
from speechflows.redaction import redact_text, redact_url
from speechflows.settings import load_storage_settings
from speechflows.speech import polling
from speechflows.speech.alignment import FileComparison, align, corpus_wer_percent
from speechflows.speech.schemas.speech_to_text import Transcription
from speechflows.storage import blob_sas_url, stage
from speechflows.storage.account import Account
from speechflows.storage.remote import remote_manifest
from speechflows.tasks.artifacts import md_code, md_table, md_text
from speechflows.tasks.custom_speech import speech_client
from speechflows.tasks.retries import retry_options
from speechflows.tasks.waiting import WaitOptions

AUDIO = (".wav", ".mp3", ".ogg", ".flac", ".opus")
REFERENCES = "trans.txt"
LINK_MINUTES = 60
READ_MINUTES = 180


class TryAudio(BaseModel):
    """The audio to try (blob names in ``container``; no SAS) and its reference transcripts."""

    location: str
    container: str
    blobs: list[str]
    hashes: dict[str, str]
    """Audio file name → SHA-256 of its bytes (MD5 for audio read in place)."""
    references: dict[str, str]
    content_hash: str


class HeardFile(BaseModel):
    name: str
    text: str
    seconds: float


class Transcribed(BaseModel):
    """One model's batch transcription of the try audio."""

    label: str
    model: str
    transcription_id: str
    files: list[HeardFile]


class FileRow(BaseModel):
    name: str
    reference: str
    wer_current: float
    wer_candidate: float
    change: str
    fixed: list[str]
    broken: list[str]
    current_sdi: tuple[int, int, int]
    candidate_sdi: tuple[int, int, int]


class SpeechTryOutcome(BaseModel):
    """The comparison of the two models on the try audio (WER in percent)."""

    current: str
    candidate: str
    wer_current: float | None
    wer_candidate: float | None
    files: list[FileRow]
    better: list[str]
    worse: list[str]
    without_reference: list[str]
    warnings: list[str]
    csv_blob: str | None = None


def _references(text: str) -> dict[str, str]:
    out = {}
    for line in text.lstrip("\ufeff").splitlines():
        name, sep, transcript = line.partition("\t")
        if sep and name.strip():
            out[PurePosixPath(name.strip()).name] = transcript.strip()
    return out


@task(name="stage-try-audio", **retry_options())
def stage_try_audio(location: DataLocation) -> TryAudio:
    """The audio to try, in Blob (a local folder is staged once; ``blob://`` is read in place)."""
    settings = load_storage_settings()
    if location.in_place:
        if location.sas or location.service_url:
            raise ValueError(
                f"{location.display}: give blob://{location.container}/{location.prefix} of the "
                "configured storage account (SPEECHFLOWS_STORAGE_*); a URL with its own SAS is "
                "not supported for trying a model"
            )
        manifest = remote_manifest(settings, location.container, location.prefix)
        prefix = location.prefix.strip("/")
        container = location.container
        names = [e.path for e in manifest.entries]
        account = Account.from_settings(settings)
        refs: dict[str, str] = {}
        for n in names:
            if PurePosixPath(n).name == REFERENCES:
                blob = f"{prefix}/{n}".lstrip("/")
                data = account.service_client().get_blob_client(container, blob).download_blob()
                refs.update(_references(data.readall().decode("utf-8-sig")))
        audio = [e for e in manifest.entries if e.path.lower().endswith(AUDIO)]
        return TryAudio(
            location=location.display,
            container=container,
            blobs=[f"{prefix}/{e.path}".lstrip("/") for e in audio],
            hashes={PurePosixPath(e.path).name: e.md5 or e.etag or "" for e in audio},
            references=refs,
            content_hash=manifest.hash,
        )
    folder = location.local
    manifest = build_manifest(folder, extensions=[*AUDIO, ".txt"])
    prefix = f"try-speech/{manifest.hash[:16]}"
    stage(manifest, settings=settings, prefix=prefix)
    audio_paths = [e.path for e in manifest.entries if e.path.lower().endswith(AUDIO)]
    root = folder if folder.is_dir() else folder.parent
    refs = {}
    for e in manifest.entries:
        if PurePosixPath(e.path).name == REFERENCES:
            refs.update(_references((root / e.path).read_text(encoding="utf-8-sig")))
    return TryAudio(
        location=str(folder),
        container=settings.container,
        blobs=[f"{prefix}/{p}" for p in audio_paths],
        hashes={
            PurePosixPath(p).name: hashlib.sha256((root / p).read_bytes()).hexdigest()
            for p in audio_paths
        },
        references=refs,
        content_hash=manifest.hash,
    )


@task(name="transcribe", **retry_options())
def transcribe(
    model_url: str,
    *,
    label: str,
    audio: TryAudio,
    locale: str,
    wait: WaitOptions,
    project_url: str | None = None,
) -> Transcribed:
    """One batch transcription of the try audio with ``model_url`` (found again on a re-run)."""
    log = get_run_logger()
    settings = load_storage_settings()
    urls = [
        blob_sas_url(settings, audio.container, b, expiry_minutes=READ_MINUTES) for b in audio.blobs
    ]
    model_id = model_url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    with speech_client() as cs:
        found, created = cs.transcriptions.get_or_create(
            display_name=f"try {label} {model_id[:8]} on {audio.content_hash[:8]}",
            content_hash=hashlib.sha256(f"{model_url}|{audio.content_hash}".encode()).hexdigest(),
            locale=locale,
            content_urls=urls,
            model_url=model_url,
            project_url=project_url,
        )
        log.info(
            "transcription %s with the %s model %s: %s",
            found.resource_id,
            label,
            model_id,
            "created" if created else "found again",
        )
        done = polling.wait_for_resource(
            cs,
            "transcriptions",
            found,
            deadline_seconds=wait.in_process_seconds,
            min_interval=wait.min_interval,
            max_interval=wait.max_interval,
        )
        assert isinstance(done, Transcription)
        results = cs.transcriptions.results(done)
    return Transcribed(
        label=label,
        model=redact_url(model_url),
        transcription_id=done.resource_id,
        files=[
            HeardFile(name=r.source, text=r.display, seconds=r.duration_seconds) for r in results
        ],
    )


@task(name="training-overlap", **retry_options())
def training_overlap(
    model_url: str, audio: TryAudio, test_dataset_url: str | None = None
) -> list[str]:
    """Warnings when the model is tried on its own training data.

    The same dataset (the test dataset among the model's training datasets), or the same content
    (an audio file of the try set with the SHA-256 of an audio file in one of the model's
    Acoustic / AudioFiles training datasets, read from the dataset's archive file).
    """
    warnings: list[str] = []
    with speech_client() as cs:
        if "/models/base/" in model_url:
            return warnings
        model = cs.models.get(model_url)
        trained = [d.self_url for d in model.datasets or [] if d.self_url]
        ids = {cs.core.entity_id("datasets", u) for u in trained}
        if test_dataset_url and cs.core.entity_id("datasets", test_dataset_url) in ids:
            warnings.append(
                f"the model {model.resource_id} was trained on the test dataset "
                f"{cs.core.entity_id('datasets', test_dataset_url)}: its word error rate there "
                "says little about new audio; test on recordings it has not seen"
            )
        mine = {h: n for n, h in audio.hashes.items()}
        for url in trained:
            ds = cs.datasets.get(url)
            if ds.content_url is None and str(ds.kind) not in ("Acoustic", "AudioFiles"):
                continue
            if (ds.custom_properties or {}).get("speechflowsContentHash") == audio.content_hash:
                warnings.append(
                    f"the try audio has the same content hash as training dataset "
                    f"{ds.resource_id} ({ds.display_name})"
                )
                continue
            if str(ds.kind) not in ("Acoustic", "AudioFiles"):
                continue
            for f in cs.datasets.list_files(ds):
                if (
                    (f.kind or "") != "AcousticDataArchive"
                    or not f.links
                    or not f.links.content_url
                ):
                    continue
                link = f.links.content_url
                data = cs.core.http.request(
                    "GET", link, authenticate=cs.core.http.is_own_origin(link)
                ).content
                same = sorted(mine[h] for h in _archive_hashes(data) if h in mine)
                if same:
                    warnings.append(
                        f"{len(same)} try file(s) ({', '.join(same[:5])}) have the same content "
                        f"hash as audio in training dataset {ds.resource_id} "
                        f"({ds.display_name}): the model has heard them in training"
                    )
    for w in warnings:
        get_run_logger().warning("tested on its own training data: %s", w)
    return warnings


def _archive_hashes(data: bytes) -> set[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {
                hashlib.sha256(z.read(n)).hexdigest()
                for n in z.namelist()
                if n.lower().endswith(AUDIO)
            }
    except zipfile.BadZipFile:
        return set()


def comparisons(
    audio: TryAudio, current: Transcribed, candidate: Transcribed
) -> list[FileComparison]:
    """Per file with a reference: both models' alignments."""
    heard_c = {f.name: f.text for f in current.files}
    heard_n = {f.name: f.text for f in candidate.files}
    out = []
    for name in sorted(heard_n):
        ref = audio.references.get(name)
        if ref is None:
            continue
        out.append(
            FileComparison(name, ref, align(ref, heard_c.get(name, "")), align(ref, heard_n[name]))
        )
    return out


def alignment_csv(rows: list[FileComparison], current: str, candidate: str) -> str:
    """One line per aligned word and model: file, model, position, op, reference, heard."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["file", "model", "position", "operation", "reference", "heard", "file_wer_percent"])
    for c in rows:
        for label, a in ((current, c.current), (candidate, c.candidate)):
            for i, s in enumerate(a.steps):
                op = {"ok": "correct", "sub": "substitution", "del": "deletion", "ins": "insertion"}
                w.writerow([c.name, label, i, op[s.op], s.ref or "", s.hyp or "", a.wer_percent])
    return buf.getvalue()


@task(name="compare-models")
def compare(
    audio: TryAudio,
    current: Transcribed,
    candidate: Transcribed,
    *,
    warnings: list[str],
    artifact: str | None = None,
    csv_prefix: str | None = None,
) -> SpeechTryOutcome:
    """Align both models' results against the references; publish table, markdown and CSV."""
    rows = comparisons(audio, current, candidate)
    outcome = SpeechTryOutcome(
        current=current.model,
        candidate=candidate.model,
        wer_current=corpus_wer_percent([c.current for c in rows]) if rows else None,
        wer_candidate=corpus_wer_percent([c.candidate for c in rows]) if rows else None,
        files=[
            FileRow(
                name=c.name,
                reference=c.reference,
                wer_current=c.current.wer_percent,
                wer_candidate=c.candidate.wer_percent,
                change=c.change,
                fixed=c.fixed,
                broken=c.broken,
                current_sdi=(c.current.substitutions, c.current.deletions, c.current.insertions),
                candidate_sdi=(
                    c.candidate.substitutions,
                    c.candidate.deletions,
                    c.candidate.insertions,
                ),
            )
            for c in rows
        ],
        better=[c.name for c in rows if c.change == "better"],
        worse=[c.name for c in rows if c.change == "worse"],
        without_reference=sorted(f.name for f in candidate.files if f.name not in audio.references),
        warnings=warnings,
    )
    link = None
    if csv_prefix is not None and rows:
        settings = load_storage_settings()
        name = f"{csv_prefix.strip('/')}/alignment-{candidate.transcription_id[:8]}.csv"
        blob = (
            Account.from_settings(settings).service_client().get_blob_client(audio.container, name)
        )
        blob.upload_blob(
            alignment_csv(rows, current.label, candidate.label).encode(),
            overwrite=True,
            content_settings=ContentSettings(content_type="text/csv"),
        )
        outcome.csv_blob = name
        link = blob_sas_url(settings, audio.container, name, expiry_minutes=LINK_MINUTES)
    if artifact:
        create_table_artifact(
            table=[
                {
                    "file": r.name,
                    f"WER % {current.label}": r.wer_current,
                    f"WER % {candidate.label}": r.wer_candidate,
                    "change": r.change,
                    "fixed words": " ".join(r.fixed),
                    "broken words": " ".join(r.broken),
                    f"S/D/I {current.label}": "/".join(map(str, r.current_sdi)),
                    f"S/D/I {candidate.label}": "/".join(map(str, r.candidate_sdi)),
                }
                for r in outcome.files
            ],
            key=f"{artifact}-files",
            description=redact_text(
                f"Per file: {current.label} {current.model} vs {candidate.label} "
                f"{candidate.model} (WER in percent)"
            ),
        )
        expires = datetime.now(UTC) + timedelta(minutes=LINK_MINUTES)
        create_markdown_artifact(
            markdown=speech_report(outcome, rows, current, candidate, audio, link, expires),
            key=artifact,
            description=f"What the {candidate.label} model fixed and broke",
        )
    return outcome


def speech_report(
    o: SpeechTryOutcome,
    rows: list[FileComparison],
    current: Transcribed,
    candidate: Transcribed,
    audio: TryAudio,
    csv_link: str | None,
    expires: datetime,
) -> str:
    """Markdown: WER per model, better/worse files, per file the highlighted alignments."""
    lines = [
        f"# What the {md_text(candidate.label)} model fixed and broke",
        "",
        redact_text(
            f"Audio: `{audio.location}` ({len(audio.blobs)} files, {len(rows)} with a reference "
            f"transcript). {current.label}: `{current.model}`; {candidate.label}: "
            f"`{candidate.model}`."
        ),
        "",
    ]
    for w in o.warnings:
        lines += [f"> **Warning: tested on its own training data.** {md_text(w)}", ""]
    if not rows:
        lines += [
            "No file has a reference transcript (`trans.txt`), so there is nothing to "
            "align: add `<audio name><TAB><transcript>` lines to `trans.txt`."
        ]
        return "\n".join(lines)
    lines += [
        md_table(
            ["model", "WER (%)", "files better", "files worse"],
            [
                (f"{current.label}", o.wer_current, "", ""),
                (f"{candidate.label}", o.wer_candidate, len(o.better), len(o.worse)),
            ],
        ),
        "",
        f"Better: {', '.join(md_code(n) for n in o.better) or 'none'}. "
        f"Worse: {', '.join(md_code(n) for n in o.worse) or 'none'}.",
        "",
    ]
    if csv_link:
        until = expires.strftime("%H:%M UTC")
        lines += [
            f"Word-level alignment as CSV: [alignment.csv](<{csv_link}>) (read-only link, "
            f"**expires at {until}**).",
            "",
        ]
    lines += [
        "Legend: ~~reference word~~ **heard instead**; ~~dropped word~~; **+inserted word**.",
        "",
    ]
    for c in rows:
        lines += [
            f"## {md_text(c.name)}: {c.current.wer_percent} % → {c.candidate.wer_percent} % "
            f"({c.change})",
            "",
            f"- fixed: {md_text(' '.join(c.fixed)) or '—'}",
            f"- broke: {md_text(' '.join(c.broken)) or '—'}",
            f"- {md_text(current.label)}: {redact_text(c.current.highlighted())}",
            f"- {md_text(candidate.label)}: {redact_text(c.candidate.highlighted())}",
            "",
        ]
    return "\n".join(lines)


__all__ = [
    "SpeechTryOutcome",
    "Transcribed",
    "TryAudio",
    "alignment_csv",
    "compare",
    "comparisons",
    "stage_try_audio",
    "training_overlap",
    "transcribe",
]
