"""Custom speech tasks: project, dataset import, base model choice, model training, evaluation.

Speech to text ids are assigned by the server, so every create is "find by displayName + content
hash (``customProperties``), else create" — a re-run or a retry after a crash finds what the
first attempt made. The dataset's ``contentUrl`` is a blob SAS minted inside the task and never
leaves it; results carry the entities' ``self`` URLs only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from prefect import task
from prefect.logging import get_run_logger
from pydantic import BaseModel

from speechflows.location import DataLocation
from speechflows.redaction import redact_text, redact_url
from speechflows.settings import load_speech_settings
from speechflows.speech import polling
from speechflows.speech.errors import ResourceFailedError
from speechflows.speech.schemas.common import Status
from speechflows.speech.schemas.speech_to_text import Dataset
from speechflows.speech.speech_to_text import CustomSpeechClient, odata_quote
from speechflows.speech.speech_to_text.core import CONTENT_HASH_PROPERTY
from speechflows.storage.blob_source import service_url
from speechflows.tasks import continuation, events
from speechflows.tasks.artifacts import LiveProgress
from speechflows.tasks.caching import cached_task
from speechflows.tasks.custom_voice import OnboardingError
from speechflows.tasks.locks import resource_lock
from speechflows.tasks.outcomes import DatasetReport, EvaluationOutcome, ResourceOutcome
from speechflows.tasks.retries import retry_options
from speechflows.tasks.voice_common import connection_options, status_of
from speechflows.tasks.waiting import WaitOptions, parks_at, progress_callback

# Deadlines.dataset_minutes' default: how long the service may take to read a dataset's blob.
DATASET_READ_DEADLINE_MINUTES = 180.0
# A dataset that failed with one of these could not be READ by the service (the spec's
# DetailedErrorCode; it has no separate code for an expired SAS): a fresh SAS may fix it.
UNREADABLE_DATA_CODES = frozenset({"InaccessibleCustomerStorage"})
# How many times a dataset is created for one import (the first + the renewals of its SAS).
IMPORT_ATTEMPTS = 3
# Failures on the service's side, which a new import of the same content can fix (the spec's
# DetailedErrorCode; ``Internal`` and ``ServiceUnavailable`` as services and the emulator say
# them). Every other code (``InvalidDataset``, ``InvalidAudioFormat``, ``NoUtf8WithBom``,
# ``DataImportFailed``, ...) says the data caused it: refused once, never imported again as is.
SERVICE_SIDE_CODES = frozenset(
    {"InternalServerError", "Internal", "UnexpectedError", "ServiceUnavailable"}
    | UNREADABLE_DATA_CODES
)


def new_import_helps(code: str | None) -> bool:
    """True when a dataset that failed with ``code`` gets a new import of the same content.

    >>> new_import_helps("InternalServerError"), new_import_helps("InvalidAudioFormat")
    (True, False)
    """
    return code in SERVICE_SIDE_CODES


def dataset_failed(
    display_name: str, dataset_id: str, exc: ResourceFailedError
) -> ResourceFailedError:
    """A failed import, with the service's reason and what a re-run does about it."""
    given = ": ".join(x for x in (exc.code, exc.reason) if x) or "no reason given"
    if new_import_helps(exc.code):
        then = (
            "a failure on the service's side: a plain re-run imports the same content again as "
            f"a new dataset (this one is then listed as a failed attempt of {display_name!r}; "
            "--cleanup-previous, or cleanup_previous=true, deletes it)"
        )
    else:
        then = (
            "the service says the data caused it: fix the file it names (the validation report "
            "and the dataset's report say which), then run again; a re-run of the same content "
            "is refused with this reason, without importing it again"
        )
    return ResourceFailedError("dataset", dataset_id, exc.code, f"{exc.reason or given}. {then}")


@contextmanager
def speech_client() -> Iterator[CustomSpeechClient]:
    """A Speech to text client built from the environment's settings."""
    with CustomSpeechClient(load_speech_settings(), **connection_options()) as client:
        yield client


def speech_outcome(kind: str, item: Any, action: Any) -> ResourceOutcome:
    """What a task returns about a speech to text entity (its ``self`` URL redacted)."""
    return ResourceOutcome(
        kind=kind,
        id=item.resource_id,
        url=redact_url(item.self_url) if item.self_url else None,
        status=status_of(item),
        action=action,
        display_name=item.display_name,
    )


def _wait_kwargs(wait: WaitOptions, bar: LiveProgress | None, what: str) -> dict[str, Any]:
    return {
        "deadline_seconds": wait.in_process_seconds,  # past park_after: StillRunning
        "min_interval": wait.min_interval,
        "max_interval": wait.max_interval,
        "progress": progress_callback(bar, what, wait.deadline_seconds),
    }


def combined_hash(*parts: str) -> str:
    """One content hash for several inputs (e.g. the datasets a model trains on).

    Entity URLs count by their id only (the last path segment, query left out), so the same
    entities hash the same whichever endpoint host, port or api-version addressed them: a worker
    configured with the regional endpoint finds what one on the custom domain created.

    >>> combined_hash("https://a.test/speechtotext/datasets/d1?api-version=2025-10-15") == (
    ...     combined_hash("http://127.0.0.1:9/speechtotext/v3.2/datasets/d1"))
    True
    """
    ids = [part.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] for part in parts]
    return hashlib.sha256("\x1f".join(ids).encode()).hexdigest()


@task(name="Create speech project", task_run_name="project {display_name}", **retry_options())
def ensure_speech_project(
    display_name: str, *, locale: str, description: str | None = None
) -> ResourceOutcome:
    """The custom speech project with this display name and locale (created if missing)."""
    log = get_run_logger()
    # Under the project's lock: concurrent runs look and create one at a time, so only one creates.
    with speech_client() as cs, resource_lock("speech-project", display_name, locale):
        found = [
            p
            for p in cs.projects.list(filter=f"displayName eq {odata_quote(display_name)}")
            # The service echoes en-US for en-us: locales compare ignoring case.
            if p.display_name == display_name
            and (p.locale or locale).casefold() == locale.casefold()
        ]
        if found:
            found.sort(key=lambda p: str(p.created_date_time or ""))
            if len(found) > 1:
                log.warning(
                    "%d speech projects are named %r (%s): using the oldest, %s; delete the "
                    "others so every run uses the same one",
                    len(found),
                    display_name,
                    locale,
                    found[0].resource_id,
                )
            log.info("speech project %r exists: reused", display_name)
            return speech_outcome("speech project", found[0], "reused")
        created = cs.projects.create(
            display_name=display_name, locale=locale, description=description
        )
        log.info("speech project %r created: %s", display_name, created.resource_id)
        return speech_outcome("speech project", created, "created")


@cached_task(
    "Create dataset",
    "dataset {display_name}",
    ("display_name", "kind", "locale", "manifest_hash", "blob_name", "container", "project_url"),
    target=("speech", "storage"),
    container_field="container",
)
def create_dataset(
    display_name: str,
    *,
    kind: str,
    locale: str,
    manifest_hash: str,
    container: str,
    blob_name: str,
    project_url: str | None = None,
    description: str | None = None,
    read_deadline_minutes: float = DATASET_READ_DEADLINE_MINUTES,
    user_sas: DataLocation | None = None,
) -> ResourceOutcome:
    """Find (by displayName + content hash) or create the dataset importing the staged blob.

    The blob SAS lasts as long as the service may take to read it (``read_deadline_minutes``,
    the dataset deadline) plus a margin. ``user_sas``: the blob is read in place in another
    account through the user's SAS (checked for r and its expiry first) as the contentUrl.
    """
    log = get_run_logger()
    with speech_client() as cs:
        deadline = timedelta(minutes=read_deadline_minutes)
        read_in_place = user_sas is not None and user_sas.sas is not None and user_sas.single
        content_url = service_url(
            user_sas
            if user_sas is not None and read_in_place
            else DataLocation.staged(container, blob=blob_name),
            deadline,
        )
        with resource_lock("dataset", project_url or "", display_name):
            _refuse_data_failure(
                _attempts(cs, display_name, manifest_hash, project_url), display_name
            )
            dataset, created = cs.datasets.get_or_create(
                kind=kind,
                locale=locale,
                display_name=display_name,
                content_url=content_url,
                content_hash=manifest_hash,
                description=description,
                project_url=project_url,
            )
    log.info(
        "dataset %r %s: %s (%s)",
        display_name,
        "created" if created else "exists, reused",
        dataset.resource_id,
        dataset.status,
    )
    return speech_outcome("dataset", dataset, "created" if created else "reused")


def _attempts(
    cs: CustomSpeechClient, display_name: str, manifest_hash: str, project_url: str | None
) -> list[Dataset]:
    """Every dataset importing this content under this name and project, oldest first."""
    project = cs.core.entity_id("projects", project_url) if project_url else None
    found = [
        d
        for d in cs.datasets.list(filter=f"displayName eq {odata_quote(display_name)}")
        if d.display_name == display_name
        and (d.custom_properties or {}).get(CONTENT_HASH_PROPERTY) == manifest_hash
        and cs.core.project_of(d) == project
    ]
    return sorted(found, key=lambda d: str(d.created_date_time or ""))


def _refuse_data_failure(attempts: list[Dataset], display_name: str) -> None:
    """No live import of this content, and the last one failed because of the data: refuse
    with the service's reason (a new import of the same bytes would fail the same way)."""
    if not attempts or any(d.status is not Status.FAILED for d in attempts):
        return
    code, reason = attempts[-1].failure()
    if not new_import_helps(code):
        raise dataset_failed(
            display_name,
            attempts[-1].resource_id,
            ResourceFailedError("dataset", attempts[-1].resource_id, code, reason),
        )


class FailedAttempt(BaseModel):
    """A dataset of the same content that failed (kept, or deleted with cleanup_previous)."""

    id: str
    code: str | None = None
    created: str | None = None
    deleted: bool = False


@task(
    name="Failed dataset attempts",
    task_run_name="failed attempts of {display_name}",
    **retry_options(),
)
def failed_dataset_attempts(
    display_name: str,
    *,
    manifest_hash: str,
    project_url: str | None,
    current_url: str,
    cleanup_previous: bool = False,
) -> list[FailedAttempt]:
    """The Failed datasets of the same content as ``current_url`` (earlier attempts);
    ``cleanup_previous`` deletes them (the current one is never touched). One list call."""
    log = get_run_logger()
    current = current_url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    out: list[FailedAttempt] = []
    with speech_client() as cs:
        for d in _attempts(cs, display_name, manifest_hash, project_url):
            if d.status is not Status.FAILED or d.resource_id == current:
                continue
            attempt = FailedAttempt(
                id=d.resource_id,
                code=d.failure()[0],
                created=d.created_date_time.isoformat() if d.created_date_time else None,
            )
            if cleanup_previous:
                cs.datasets.delete(d.self_url or d.resource_id)
                attempt.deleted = True
                log.info(
                    "deleted failed dataset %s of %r (cleanup_previous)",
                    d.resource_id,
                    display_name,
                )
            out.append(attempt)
    return out


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _summary(report: dict[str, Any] | None) -> list[str]:
    if not report:
        return []
    lines = []
    for key, value in report.items():
        if isinstance(value, str | int | float | bool):
            lines.append(f"{key}: {value}")
        elif isinstance(value, list):
            lines.append(f"{key}: {len(value)} entries")
    return [redact_text(x) for x in lines[:20]]


@cached_task("Wait for dataset", "wait dataset {display_name}", ("dataset_url",))
def wait_for_dataset(
    dataset_url: str,
    *,
    display_name: str,
    kind: str,
    project_id: str | None,
    wait: WaitOptions,
    progress_key: str | None = None,
) -> DatasetReport:
    """Wait for the dataset's import; return accepted/rejected lines, duration and the report."""
    log = get_run_logger()
    bar = LiveProgress(progress_key, f"dataset {display_name}") if progress_key else None
    var = continuation.variable_name("dataset", dataset_url)
    related = [("speech project", project_id)] if project_id else []
    with speech_client() as cs:
        state = polling.ContinuationState.for_resource(cs, "datasets", dataset_url)
        continuation.save(var, state.to_json())
        rid = state.resource_id
        try:
            with parks_at(wait, state, f"dataset {display_name}"):
                ds = polling.wait_for_dataset(
                    cs, dataset_url, **_wait_kwargs(wait, bar, f"dataset {display_name}")
                )
        except ResourceFailedError as exc:
            events.emit(
                "dataset.failed",
                kind="dataset",
                rid=rid,
                payload={"display_name": display_name, "reason": str(exc)},
                related=related,
            )
            raise
        report = cs.datasets.get_report(dataset_url)
    continuation.forget(var)
    if bar is not None:
        bar.done(f"dataset {display_name}: {ds.status}")
    props = ds.properties
    duration = None
    if props is not None and props.duration_milliseconds is not None:
        duration = props.duration_milliseconds / 1000.0
    elif props is not None and props.duration:
        duration = _iso_seconds(props.duration)
    out = DatasetReport(
        dataset=speech_outcome("dataset", ds, "created"),
        kind=kind,
        accepted_lines=props.accepted_line_count if props else None,
        rejected_lines=props.rejected_line_count if props else None,
        duration_seconds=duration,
        report=_clean(report) if report else None,
        report_summary=_summary(report),
    )
    log.info(
        "dataset %r %s: %s accepted, %s rejected lines",
        display_name,
        ds.status,
        out.accepted_lines,
        out.rejected_lines,
    )
    events.emit(
        "dataset.succeeded",
        kind="dataset",
        rid=rid,
        related=related,
        payload={
            "display_name": display_name,
            "kind": kind,
            "accepted_lines": out.accepted_lines,
            "rejected_lines": out.rejected_lines,
        },
    )
    return out


def _iso_seconds(text: str) -> float | None:
    """Seconds of an ISO-8601 duration such as ``PT4M12.5S`` (v3.2 ``duration``)."""
    m = re.fullmatch(r"P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?", text)
    if not m:
        return None
    d, h, mi, s = (float(x) if x else 0.0 for x in m.groups())
    return d * 86400 + h * 3600 + mi * 60 + s


def deprecation_date(model: Any, which: str) -> datetime | None:
    """A model's ``properties.deprecationDates[which]`` (``adaptationDateTime`` or
    ``transcriptionDateTime``) as an aware datetime; None when absent or unreadable."""
    dates = (model.properties.deprecation_dates if model.properties else None) or {}
    when = dates.get(which)
    if not when:
        return None
    try:
        stamp = datetime.fromisoformat(str(when).replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _adaptation_date(model: Any) -> datetime | None:
    return deprecation_date(model, "adaptationDateTime")


def _deprecated(model: Any, now: datetime) -> bool:
    stamp = _adaptation_date(model)
    return stamp is not None and stamp <= now


def pick_base_model(
    models: Sequence[Any], locale: str, kinds: Sequence[str], requested: str | None, now: datetime
) -> Any:
    """The newest base model that adapts with every kind and is not deprecated for adaptation.

    ``requested`` (id or display name) is checked the same way; a deprecated one is refused
    with its adaptation date and the newest usable alternative.
    """

    def supports(m: Any) -> bool:
        feats = m.properties.features if m.properties else None
        have = {k.lower() for k in ((feats.supports_adaptations_with if feats else None) or [])}
        return all(k.lower() in have for k in kinds)

    usable = sorted(
        (m for m in models if supports(m) and not _deprecated(m, now)),
        key=lambda m: str(m.created_date_time or ""),
    )
    if requested:
        match = [m for m in models if requested in (m.resource_id, m.display_name)]
        if not match:
            raise OnboardingError(f"base model {requested!r} not found for {locale}")
        chosen = match[0]
        if _deprecated(chosen, now):
            when = _adaptation_date(chosen)
            newest = (
                f"the newest one that adapts with {', '.join(kinds)} is "
                f"{usable[-1].display_name!r} (id {usable[-1].resource_id}): set "
                f"base_model to it, or leave base_model empty to use it"
                if usable
                else f"no base model of {locale} that adapts with {', '.join(kinds)} is "
                "still open for adaptation"
            )
            raise OnboardingError(
                f"base model {requested!r} was deprecated for adaptation on "
                f"{when.date() if when else '?'} (deprecationDates.adaptationDateTime); {newest}"
            )
        if not supports(chosen):
            raise OnboardingError(
                f"base model {requested!r} does not adapt with {', '.join(kinds)}"
            )
        return chosen
    if not usable:
        raise OnboardingError(
            f"no base model for {locale} adapts with {', '.join(kinds)} and is not deprecated"
        )
    return usable[-1]


@task(name="Choose base model", task_run_name="base model for {kinds}", **retry_options())
def choose_base_model(
    locale: str, kinds: Sequence[str], requested: str | None = None
) -> ResourceOutcome:
    """A base model of ``locale`` that adapts with every kind in ``kinds`` and is not deprecated.

    ``requested`` (id or display name) is checked the same way and refused with the reason
    (see :func:`pick_base_model`).
    """
    with speech_client() as cs:
        models = cs.base_models.list(filter=f"locale eq {odata_quote(locale)}")
    chosen = pick_base_model(models, locale, kinds, requested, datetime.now(UTC))
    return speech_outcome("base model", chosen, "reused")


def _create_and_wait(
    group: str,
    *,
    lock: str,
    what: str,
    wait: WaitOptions,
    progress_key: str | None,
    display_name: str,
    project_url: str | None,
    **create: Any,
) -> tuple[Any, bool]:
    """Find or create (under the lock of its name) the ``group`` entity (``models``,
    ``evaluations``) that ``create`` describes, then wait for it to end (parking per ``wait``).

    Returns:
        The entity as it ended, and whether this run created it.
    """
    bar = LiveProgress(progress_key, what) if progress_key else None
    with speech_client() as cs:
        with resource_lock(lock, project_url or "", display_name):
            item, created = getattr(cs, group).get_or_create(
                display_name=display_name, project_url=project_url, **create
            )
        get_run_logger().info(
            "%s %s: %s", what, "created" if created else "reused", item.resource_id
        )
        state = polling.ContinuationState.for_resource(cs, group, item)
        with parks_at(wait, state, what):
            final = polling.wait_for_resource(cs, group, item, **_wait_kwargs(wait, bar, what))
    return final, created


@cached_task(
    "Train speech model",
    "model {display_name}",
    ("display_name", "locale", "base_model_url", "dataset_urls"),
)
def train_speech_model(
    display_name: str,
    *,
    locale: str,
    base_model_url: str,
    dataset_urls: list[str],
    project_url: str | None,
    wait: WaitOptions,
    progress_key: str | None = None,
) -> ResourceOutcome:
    """Find or create the custom model on these datasets, and wait for its training."""
    final, created = _create_and_wait(
        "models",
        lock="speech-model",
        what=f"model {display_name}",
        wait=wait,
        progress_key=progress_key,
        display_name=display_name,
        content_hash=combined_hash(base_model_url, *sorted(dataset_urls)),
        locale=locale,
        base_model_url=base_model_url,
        dataset_urls=dataset_urls,
        project_url=project_url,
    )
    events.emit(
        "speech-model.succeeded",
        kind="speech model",
        rid=final.resource_id,
        payload={"display_name": display_name},
    )
    return speech_outcome("speech model", final, "created" if created else "reused")


@cached_task(
    "Evaluate model",
    "evaluate {display_name}",
    ("display_name", "base_model_url", "model_url", "dataset_url"),
)
def evaluate_model(
    display_name: str,
    *,
    locale: str,
    base_model_url: str,
    model_url: str,
    dataset_url: str,
    project_url: str | None,
    wait: WaitOptions,
    progress_key: str | None = None,
) -> EvaluationOutcome:
    """Compare the base model (1) and the custom model (2) on the test dataset; return the WERs."""
    final, created = _create_and_wait(
        "evaluations",
        lock="evaluation",
        what=f"evaluation {display_name}",
        wait=wait,
        progress_key=progress_key,
        display_name=display_name,
        content_hash=combined_hash(base_model_url, model_url, dataset_url),
        locale=locale,
        model1_url=base_model_url,
        model2_url=model_url,
        dataset_url=dataset_url,
        project_url=project_url,
    )
    props = final.properties
    out = EvaluationOutcome(
        evaluation=speech_outcome("evaluation", final, "created" if created else "reused"),
        word_error_rate_base=props.word_error_rate1 if props else None,
        word_error_rate_custom=props.word_error_rate2 if props else None,
        sentence_error_rate_base=props.sentence_error_rate1 if props else None,
        sentence_error_rate_custom=props.sentence_error_rate2 if props else None,
    )
    get_run_logger().info(
        "evaluation %r: WER base %s %%, custom %s %%",
        display_name,
        out.wer_base_percent,
        out.wer_custom_percent,
    )
    events.emit(
        "evaluation.succeeded",
        kind="evaluation",
        rid=final.resource_id,
        payload={
            "wer_base_percent": out.wer_base_percent,
            "wer_custom_percent": out.wer_custom_percent,
        },
    )
    return out


__all__ = [
    "choose_base_model",
    "combined_hash",
    "create_dataset",
    "dataset_failed",
    "deprecation_date",
    "ensure_speech_project",
    "evaluate_model",
    "failed_dataset_attempts",
    "new_import_helps",
    "pick_base_model",
    "speech_client",
    "train_speech_model",
    "wait_for_dataset",
]
