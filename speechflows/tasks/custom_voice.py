"""Custom Voice tasks: project, consent, training set + upload, personal voice, model, endpoint.

Ids are the caller's, so every create is "GET, and PUT only if missing" — a re-run creates
nothing. Long-running requests carry a deterministic ``Operation-Id`` derived from the content
(manifest hash), and the poller's continuation state is saved before waiting: a re-run after a
crash finds the operation (saved state, else the deterministic id) and waits on it instead of
starting a second one. Container SAS URLs are minted here, inside the task that calls the service,
and never leave it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect import task
from prefect.logging import get_run_logger
from pydantic import Field

from speechflows.datasets.errors import StagingError
from speechflows.location import DataLocation
from speechflows.settings import load_storage_settings
from speechflows.speech.custom_voice.core import operation_id_for
from speechflows.speech.errors import ResourceFailedError
from speechflows.speech.polling import ContinuationState
from speechflows.speech.schemas.common import Status
from speechflows.speech.schemas.custom_voice import AzureBlobContentSource, OperationRef
from speechflows.storage import blob_sas_url, remote_manifest
from speechflows.storage.blob_source import service_url
from speechflows.tasks import continuation, events
from speechflows.tasks.caching import cached_task
from speechflows.tasks.locks import resource_lock
from speechflows.tasks.outcomes import (
    OperationOutcome,
    ResourceOutcome,
    TrainingSetReport,
)
from speechflows.tasks.retries import retry_options
from speechflows.tasks.voice_common import (
    OnboardingError,
    ResourceVersion,
    get_or_none,
    status_of,
    versions_in,
    voice_client,
    voice_outcome,
    wait_resumed,
)
from speechflows.tasks.waiting import WaitOptions

MAX_OPERATION_ATTEMPTS = 5
# Deadlines.training_set_minutes' default: how long an upload may wait before the service reads.
TRAINING_SET_READ_DEADLINE_MINUTES = 180.0

# -- projects -------------------------------------------------------------------------------------


@task(name="Create voice project", task_run_name="project {project_id}", **retry_options())
def ensure_voice_project(
    project_id: str, *, kind: str, locale: str | None = None, description: str | None = None
) -> ResourceOutcome:
    """The Custom Voice project ``project_id`` of ``kind`` (created if missing)."""
    log = get_run_logger()
    # Under the project's lock: concurrent runs look and create one at a time, so only one creates.
    with voice_client() as cv, resource_lock("voice-project", project_id):
        url = cv.core.url("projects", project_id)
        existing = get_or_none(lambda: cv.projects.get(project_id))
        if existing is not None:
            if existing.kind is not None and str(existing.kind).lower() != kind.lower():
                raise OnboardingError(
                    f"project {project_id!r} exists with kind {existing.kind}, not {kind}; "
                    "choose another project_id"
                )
            log.info("project %s exists (%s): reused", project_id, existing.kind)
            return ResourceOutcome(kind="project", id=project_id, url=url, action="reused")
        cv.projects.create(project_id, kind=kind, locale=locale, description=description)
        log.info("project %s created (%s)", project_id, kind)
        return ResourceOutcome(kind="project", id=project_id, url=url, action="created")


# -- consents -------------------------------------------------------------------------------------


@task(name="Create consent", task_run_name="consent {consent_id}", **retry_options())
def ensure_consent(
    consent_id: str,
    *,
    project_id: str,
    voice_talent_name: str,
    company_name: str,
    locale: str,
    audio_hash: str,
    audio_file: Path | None = None,
    audio_blob: str | None = None,
    description: str | None = None,
    wait: WaitOptions,
    progress_key: str | None = None,
) -> ResourceOutcome:
    """The consent ``consent_id``, created from a local file (multipart) or a blob, and processed.

    A consent that exists and Succeeded is reused. One that Failed with ``Internal`` (the
    service's own error) is retried by the next run under a new attempt id
    (``<consent_id>-r2``, ``-r3``...; see :func:`consent_attempt_id`); one that Failed with
    ``AudioAndScriptNotMatch`` stops the flow: consents cannot be changed, so the fix is a new
    recording under a new consent id (``--consent-id`` / ``consent.consent_id``). The outcome's
    ``id`` is the attempt that succeeded: use it, not ``consent_id``, downstream.
    """
    log = get_run_logger()
    with voice_client() as cv:
        # Lookup and create under the consent's lock (the wait is outside it): an identical run
        # started at the same moment finds this consent (or its operation) and waits on it.
        with resource_lock("consent", consent_id):
            for attempt in range(1, MAX_OPERATION_ATTEMPTS + 1):
                cid = consent_attempt_id(consent_id, attempt)
                url = cv.core.url("consents", cid)
                existing = get_or_none(lambda cid=cid: cv.consents.get(cid))  # type: ignore[misc]
                if existing is not None and existing.status is Status.SUCCEEDED:
                    log.info("consent %s exists and succeeded: reused", cid)
                    return ResourceOutcome(
                        kind="consent", id=cid, url=url, status="Succeeded", action="reused"
                    )
                if existing is not None and existing.status is Status.FAILED:
                    code, _ = existing.failure()
                    if code == MISMATCH:
                        raise consent_failed(consent_id, attempt, code)
                    log.warning(
                        "consent %s failed with %s (a service error): trying again as %s",
                        cid,
                        code or "no reason",
                        consent_attempt_id(consent_id, attempt + 1),
                    )
                    continue
                break
            else:
                raise OnboardingError(
                    f"consent {consent_id!r} failed {MAX_OPERATION_ATTEMPTS} times with a service "
                    f"error (attempts {consent_id} to {cid}); try again later, or give a new consent "
                    "id (--consent-id, or consent.consent_id)"
                )
            action: Any = "reused"
            if existing is None:
                audio_url = _blob_sas(audio_blob, wait.deadline_seconds) if audio_blob else None
                accepted = cv.consents.create(
                    cid,
                    project_id=project_id,
                    voice_talent_name=voice_talent_name,
                    company_name=company_name,
                    locale=locale,
                    audio_url=audio_url,
                    audio_file=Path(audio_file) if audio_file else None,
                    description=description,
                    operation_id=operation_id_for("consent", cid, audio_hash),
                )
                state = ContinuationState.for_operation(cv, accepted, "consents", cid)
                action = "created"
                log.info("consent %s submitted (operation %s)", cid, accepted.operation.id)
            else:
                log.info("consent %s is %s: waiting for it", cid, existing.status)
                state = ContinuationState.for_resource(cv, "consents", cid)
        try:
            final = wait_resumed(cv, state, wait, progress_key, f"consent {cid}")
        except ResourceFailedError as exc:
            raise consent_failed(consent_id, attempt, exc.code) from exc
    events.emit("consent.succeeded", kind="consent", rid=cid, related=[("project", project_id)])
    return voice_outcome("consent", cid, url, final, action)


MISMATCH = "AudioAndScriptNotMatch"


def consent_attempt_id(consent_id: str, attempt: int) -> str:
    """The id of attempt ``attempt`` of a consent: the id itself, then ``<id>-r2``, ``-r3``...

    >>> consent_attempt_id("jess-consent", 1), consent_attempt_id("jess-consent", 2)
    ('jess-consent', 'jess-consent-r2')
    """
    if attempt == 1:
        return consent_id
    suffix = f"-r{attempt}"
    return consent_id[: 64 - len(suffix)].rstrip("._-") + suffix


def consent_failed(consent_id: str, attempt: int, code: str | None) -> ResourceFailedError:
    """A failed consent, with the service's reason and the remedy that fits it."""
    if code == MISMATCH:
        fix = (
            "the service says the recording does not match the verbal statement: record the "
            "talent saying the statement with exactly these talent and company names, and give "
            "the new recording a new consent id (--consent-id NEW_ID on `speechflows onboard "
            "voice|personal`, or consent.consent_id in the flow parameters); a consent cannot "
            "be changed"
        )
    else:
        fix = (
            f"the service reports {code or 'no reason'} (a service error, not a problem with the audio): a "
            f"plain re-run tries again as {consent_attempt_id(consent_id, attempt + 1)}"
        )
    return ResourceFailedError("consent", consent_attempt_id(consent_id, attempt), code, fix)


def _blob_sas(blob: str, read_deadline_seconds: float) -> str:
    settings = load_storage_settings()
    deadline = timedelta(seconds=read_deadline_seconds)
    return blob_sas_url(settings, settings.container, blob, read_deadline=deadline)


# -- training sets --------------------------------------------------------------------------------


@task(name="Create training set", task_run_name="training set {training_set_id}", **retry_options())
def ensure_training_set(
    training_set_id: str,
    *,
    project_id: str,
    locale: str,
    voice_kind: str,
    description: str | None = None,
) -> ResourceOutcome:
    """The training set ``training_set_id`` (created if missing; locale and voice kind must match)."""
    log = get_run_logger()
    with voice_client() as cv, resource_lock("training-set", training_set_id):
        url = cv.core.url("trainingsets", training_set_id)
        existing = get_or_none(lambda: cv.training_sets.get(training_set_id))
        if existing is not None:
            for field, want in (
                ("locale", locale),
                ("voice_kind", voice_kind),
                ("project_id", project_id),
            ):
                have = getattr(existing, field, None)
                if have is not None and str(have).lower() != want.lower():
                    raise OnboardingError(
                        f"training set {training_set_id!r} exists with {field} {have}, not {want}; "
                        "it cannot be changed: choose another training_set_id (--training-set-id)"
                    )
            log.info("training set %s exists: reused", training_set_id)
            return voice_outcome("training set", training_set_id, url, existing, "reused")
        created = cv.training_sets.create(
            training_set_id,
            project_id=project_id,
            locale=locale,
            voice_kind=voice_kind,
            description=description,
        )
        log.info("training set %s created", training_set_id)
        return voice_outcome("training set", training_set_id, url, created, "created")


class TrainingSetVersion(ResourceVersion):
    """One version of a base training set id in a project, and the models that use it."""

    utterance_count: int | None = None
    models: list[str] = Field(default_factory=list)


@task(name="Training set lineage", task_run_name="lineage {current_id}", **retry_options())
def training_set_lineage(
    current_id: str, *, project_id: str, version_pattern: str, cleanup_previous: bool = False
) -> list[TrainingSetVersion]:
    """Every version of the training set in ``project_id`` (ids matching ``version_pattern``),
    oldest first, with the models that use each; ``cleanup_previous`` deletes the previous
    versions no model uses (the current one is never touched).

    One list of training sets and one of models (the project's own, never another project's).
    """
    log = get_run_logger()
    where = f"projectId eq '{project_id}'"
    with voice_client() as cv:
        sets = versions_in(cv.training_sets.list(where), project_id, version_pattern)
        users: dict[str, list[str]] = {}
        for m in cv.models.list(where):
            if m.project_id not in (None, project_id) or not m.id:
                continue
            used = {m.training_set_id, *(getattr(m, "training_set_ids", None) or [])}
            for ts in used - {None}:
                users.setdefault(str(ts), []).append(m.id)
        versions = [
            TrainingSetVersion.of(
                t,
                current_id,
                utterance_count=t.properties.utterance_count if t.properties else None,
                models=sorted(users.get(str(t.id), [])),
            )
            for t in sets
        ]
        versions.sort(key=lambda v: (v.created or "", v.id))
        if cleanup_previous:
            for v in versions:
                if not v.current and not v.models:
                    cv.training_sets.delete(v.id)
                    v.deleted = True
                    log.info("deleted previous training set version %s (no model uses it)", v.id)
    return versions


def upload_state_name(training_set_id: str, manifest_hash: str) -> str:
    """Name of the saved continuation state of an upload."""
    return continuation.variable_name("upload", training_set_id, manifest_hash)


@task(name="Upload training data", task_run_name="upload {training_set_id}", **retry_options())
def start_training_set_upload(
    training_set_id: str,
    *,
    kind: str,
    manifest_hash: str,
    container: str,
    prefix: str,
    audio_extensions: Sequence[str],
    script_extensions: Sequence[str] = (),
    read_deadline_minutes: float = TRAINING_SET_READ_DEADLINE_MINUTES,
    user_sas: DataLocation | None = None,
) -> OperationOutcome:
    """Start (or re-attach to) the one ``:upload`` of the staged data into its training set.

    ``user_sas``: data read in place in another account, through the user's SAS (checked again
    for r + l and its expiry before the submit); else a SAS on ``container`` is minted.

    The ``Operation-Id`` is derived from the training set, kind and manifest hash. Before posting,
    the task looks for the saved continuation state, then for an operation with that id: a
    re-run after a crash waits on the running operation instead of starting another. A Failed
    earlier attempt is not re-attached: the next id (``-r2``...) starts a fresh one. A set that
    already holds utterances is never imported into again (Azure would skip the names it has):
    the task waits on the set instead. Not cached: these checks are a few GETs, and a cached
    outcome would re-attach a re-run to an operation that failed since.
    """
    log = get_run_logger()
    base_id = operation_id_for("upload", training_set_id, kind, manifest_hash)
    var = upload_state_name(training_set_id, manifest_hash)
    # Every lookup and the POST under the upload's lock: an identical run started at the same
    # moment waits here, then finds this run's operation (running or done) and re-attaches to it.
    with voice_client() as cv, resource_lock("upload", training_set_id):

        def holds() -> int:
            held = get_or_none(lambda: cv.training_sets.get(training_set_id))
            props = held.properties if held is not None else None
            return (props.utterance_count or 0) if props is not None else 0

        def stale(op: Any) -> bool:
            # Failed, or Succeeded into an earlier set of this id (deleted since, now empty). The
            # set is read after the operation: an import that ended between two reads holds.
            return bool(
                op.status is Status.FAILED or (op.status is Status.SUCCEEDED and not holds())
            )

        saved = continuation.load(var)
        if saved:
            state = ContinuationState.from_json(saved)
            op_id = (state.operation_url or "").split("?", 1)[0].rsplit("/", 1)[-1]
            op = get_or_none(lambda: cv.operations.get(state.operation_url or op_id))
            if op is not None and not stale(op):
                log.info(
                    "re-attaching to upload operation %s (%s) from saved state", op_id, op.status
                )
                return _op_outcome(op_id, state, "reused", training_set_id)
        for attempt in range(1, MAX_OPERATION_ATTEMPTS + 1):
            op_id = base_id if attempt == 1 else f"{base_id}-r{attempt}"
            op = get_or_none(lambda op_id=op_id: cv.operations.get(op_id))  # type: ignore[misc]
            if op is not None and stale(op):
                log.info(
                    "upload operation %s %s; starting a new attempt",
                    op_id,
                    "failed earlier"
                    if op.status is Status.FAILED
                    else "imported into an earlier set of this id (the set is empty now)",
                )
                continue
            if op is not None:
                location = cv.core.url("operations", op_id) + f"?api-version={cv.api_version}"
                state = ContinuationState.for_operation(
                    cv, OperationRef(id=op_id, location=location), "trainingsets", training_set_id
                )
                continuation.save(var, state.to_json())
                log.info("re-attaching to upload operation %s (%s)", op_id, op.status)
                return _op_outcome(op_id, state, "reused", training_set_id)
            held = holds()
            if held:
                log.info(
                    "training set %s already holds %s utterances: no second import",
                    training_set_id,
                    held,
                )
                state = ContinuationState.for_resource(cv, "trainingsets", training_set_id)
                return _op_outcome(op_id, state, "reused", training_set_id)
            if attempt > 1:
                log.warning(
                    "upload into training set %s: attempt %d (operation %s) after a failed one",
                    training_set_id,
                    attempt,
                    op_id,
                )
            audios, scripts = _sources(
                container,
                prefix,
                audio_extensions,
                script_extensions,
                read_deadline_minutes,
                user_sas,
            )
            ref = cv.training_sets.upload(
                training_set_id, kind=kind, audios=audios, scripts=scripts, operation_id=op_id
            )
            state = ContinuationState.for_operation(cv, ref, "trainingsets", training_set_id)
            continuation.save(var, state.to_json())
            log.info(
                "upload into training set %s started: operation %s, data at %s/%s",
                training_set_id,
                ref.id,
                container,
                prefix,
            )
            return _op_outcome(ref.id, state, "created", training_set_id)
    raise OnboardingError(
        f"the upload into training set {training_set_id!r} failed {MAX_OPERATION_ATTEMPTS} times "
        f"for this data (operations {base_id} to {base_id}-r{MAX_OPERATION_ATTEMPTS}). The REST "
        "API gives no reason for a failed training-set upload: open the training set in Speech "
        "Studio for the per-file issues, fix the data (or pass another training_set_id / "
        "--training-set-id), and run again"
    )


def upload_failed(
    training_set_id: str, operation_id: str, exc: ResourceFailedError, lost: str = ""
) -> ResourceFailedError:
    """The failure of an upload, with the service's reason when it gave one and what to do.

    ``lost``: what a listing of the staged prefix found missing after the failure (see
    :func:`staged_blobs_lost`), the likely reason when the service gives none.
    """
    given = ": ".join(x for x in (exc.code, exc.reason) if x and x != "Failed")
    why = (
        f"the service says {given}"
        if given and given != "the operation failed"
        else "the REST API gives no reason for a failed training-set upload (Speech Studio "
        "shows the per-file issues)"
    )
    if lost:
        why = f"{why}; {lost}"
    return ResourceFailedError(
        "training set",
        training_set_id,
        None,
        f"upload operation {operation_id} failed; {why}. A plain re-run starts a new attempt "
        f"({_next_attempt(operation_id)}), which repairs a transient failure (Internal, "
        "InaccessibleCustomerStorage: staging is verified against the container first); if it "
        "fails again, the data is the likely cause",
    )


def staged_blobs_lost(container: str, prefix: str, staged_files: int) -> str:
    """After a failed upload: a sentence saying how many staged blobs the container lost, or ""
    when they are all there (or the listing itself fails: the failure message stays as it is)."""
    try:
        present = len(remote_manifest(load_storage_settings(), container, prefix).entries)
    except StagingError as exc:
        if "ContainerNotFound" not in str(exc):  # a lost container lost every blob in it
            return ""
        present = 0
    if present >= staged_files:
        return ""
    return (
        f"the container now holds {present} of the {staged_files} files staged under "
        f"{container}/{prefix}: storage lost them after staging, so the service could not read "
        "them (InaccessibleCustomerStorage or no data); the plain re-run stages them again"
    )


def _next_attempt(operation_id: str) -> str:
    head, sep, tail = operation_id.rpartition("-r")
    if sep and tail.isdigit():
        return f"{head}-r{int(tail) + 1}"
    return f"{operation_id}-r2"


def _op_outcome(op_id: str, state: ContinuationState, action: Any, rid: str) -> OperationOutcome:
    return OperationOutcome(
        operation_id=op_id,
        operation_url=state.operation_url,
        resource_kind=state.resource_kind,
        resource_id=rid,
        action=action,
        continuation=state.to_json(),
    )


def _sources(
    container: str,
    prefix: str,
    audio_ext: Sequence[str],
    script_ext: Sequence[str],
    read_deadline_minutes: float,
    user_sas: DataLocation | None = None,
) -> tuple[AzureBlobContentSource, AzureBlobContentSource | None]:
    # The upload may wait in the service's queue up to the training-set deadline: the SAS must
    # outlive it (checked on its own sp/se fields before the submit).
    sas = service_url(
        user_sas
        if user_sas is not None and user_sas.sas is not None
        else DataLocation.staged(container, prefix),
        timedelta(minutes=read_deadline_minutes),
        container=True,
    )
    audios = AzureBlobContentSource(container_url=sas, prefix=prefix, extensions=list(audio_ext))
    scripts = (
        AzureBlobContentSource(container_url=sas, prefix=prefix, extensions=list(script_ext))
        if script_ext
        else None
    )
    return audios, scripts


@cached_task("Wait for training set", "wait {training_set_id}", ("training_set_id", "operation_id"))
def wait_for_training_set(
    training_set_id: str,
    *,
    operation_id: str,
    continuation_json: str,
    project_id: str,
    wait: WaitOptions,
    progress_key: str | None = None,
    continuation_var: str | None = None,
    staged: tuple[str, str, int] | None = None,
) -> TrainingSetReport:
    """Wait for the upload operation, then read the training set's utterances and duration.

    ``staged`` (container, prefix, file count): checked by one listing when the upload fails, so
    the message says whether storage lost the staged blobs.
    """
    log = get_run_logger()
    state = ContinuationState.from_json(continuation_json)
    with voice_client() as cv:
        url = cv.core.url("trainingsets", training_set_id)
        try:
            wait_resumed(cv, state, wait, progress_key, f"training set {training_set_id}")
        except ResourceFailedError as exc:
            events.emit(
                "training-set.failed",
                kind="training set",
                rid=training_set_id,
                payload={"operation_id": operation_id, "reason": str(exc)},
                related=[("project", project_id)],
            )
            lost = staged_blobs_lost(*staged) if staged else ""
            raise upload_failed(training_set_id, operation_id, exc, lost) from exc
        ts = cv.training_sets.get(training_set_id)
    props = ts.properties
    report = TrainingSetReport(
        training_set=ResourceOutcome(
            kind="training set", id=training_set_id, url=url, status=status_of(ts)
        ),
        operation_id=operation_id,
        utterance_count=props.utterance_count if props else None,
        duration_seconds=props.duration_in_seconds if props else None,
    )
    log.info(
        "training set %s %s: %s utterances, %s s of audio",
        training_set_id,
        ts.status,
        report.utterance_count,
        report.duration_seconds,
    )
    events.emit(
        "training-set.succeeded",
        kind="training set",
        rid=training_set_id,
        payload={
            "operation_id": operation_id,
            "utterances": report.utterance_count,
            "duration_seconds": report.duration_seconds,
        },
        related=[("project", project_id)],
    )
    if continuation_var:
        continuation.forget(continuation_var)
    return report


__all__ = [
    "OnboardingError",
    "TrainingSetVersion",
    "consent_attempt_id",
    "consent_failed",
    "ensure_consent",
    "ensure_training_set",
    "ensure_voice_project",
    "start_training_set_upload",
    "training_set_lineage",
    "upload_failed",
    "upload_state_name",
    "voice_client",
    "wait_for_training_set",
]
