"""Steps the onboarding flows share: settings check, validation gate, consent, staging, settle.

A flow calls :func:`check_settings` first (a missing variable fails before anything runs) and
passes every dataset through :func:`validation_gate` (errors stop the flow before any upload unless
``force``; with ``force`` the rejected files go to the run report). A step used by one flow only
lives in that flow's module.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar, cast

import httpx
from prefect import Flow, flow
from prefect.client.schemas.objects import State
from prefect.logging import get_run_logger
from prefect.settings import PREFECT_UI_URL
from prefect.utilities.annotations import quote
from pydantic import BaseModel

from speechflows.datasets.errors import StagingError
from speechflows.datasets.manifest import Manifest
from speechflows.flows.params import ConsentParams, Deadlines
from speechflows.flows.report import figures, note, record, rejects, rejects_of, stage
from speechflows.flows.sas_secrets import SecretSourceError, warn_sas_parameter
from speechflows.location import DataLocation
from speechflows.preflight import check_source
from speechflows.redaction import redact_text
from speechflows.settings import SettingsError, load_speech_settings, load_storage_settings
from speechflows.speech.errors import AuthenticationError, PermissionDeniedError
from speechflows.storage.account import check_blob_exists, check_storage_writable
from speechflows.tasks import events
from speechflows.tasks.artifacts import artifact_key
from speechflows.tasks.custom_voice import ensure_consent, ensure_voice_project
from speechflows.tasks.data import manifest_of, restrict, stage_data, validate_data
from speechflows.tasks.in_place import blob_manifest, validate_blobs
from speechflows.tasks.outcomes import ResourceOutcome, StageOutcome, ValidationOutcome
from speechflows.tasks.voice_common import OnboardingError, ResourceVersion
from speechflows.tasks.waiting import WaitOptions

_P = ParamSpec("_P")
_R = TypeVar("_R")
_V = TypeVar("_V", bound=ResourceVersion)


class ValidationFailedError(ValueError):
    """Pre-flight validation found errors; nothing was uploaded. The message lists the first ones.

    Attributes:
        findings: the validation's table rows (file, line, code, severity, rule, value, fix),
            errors first, at most :data:`MAX_FINDINGS` (the table artifact has them all).
    """

    def __init__(self, message: str, findings: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(message)
        self.findings = list(findings)


MAX_FINDINGS = 200


EXPECTED_REFUSALS: tuple[type[BaseException], ...] = (
    ValidationFailedError,
    StagingError,
    SettingsError,
    OnboardingError,
    SecretSourceError,
    AuthenticationError,
    PermissionDeniedError,
)
"""Refusals of the input or settings: logged without a traceback (SPEECHFLOWS_DEBUG keeps it)."""


class _NoTracebackForRefusals(logging.Filter):
    """A run refused on purpose (bad data, settings, a refused input or key) logs its reason
    once, without a traceback: the flow-run log of the Prefect UI then reads as one clear line.

    The flow engine's ``Encountered exception during execution`` line keeps the reason (its
    traceback dropped); the task engine's lines about the same exception and both engines'
    ``Finished in state Failed(<the reason again>)`` name the refusal without repeating it.
    ``SPEECHFLOWS_DEBUG=1`` keeps every line as Prefect writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _debug():
            return True
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and isinstance(exc, EXPECTED_REFUSALS):
            record.exc_info, record.exc_text = None, None
            record.speechflows_refused = True  # the CLI shows the message once, itself
            # the task engine's "Task run failed with exception": the flow's line says it
            return not record.getMessage().startswith("Task run failed with")
        refused = _REFUSED_STATE.match(record.getMessage())
        if refused and refused.group(2) in _expected_names():
            who = "task run" if record.name.startswith("prefect.task") else "flow run"
            record.msg = (
                f"Finished in state Failed: {who} refused ({refused.group(2)}; the reason is "
                "logged once, above, and is the flow run's state message)"
            )
            record.args = ()
            record.speechflows_refused = True
        return True


_REFUSED_STATE = re.compile(
    r"Finished in state Failed\(['\"](Task|Flow) run encountered an exception:? (\w+):"
)


def _expected_names() -> set[str]:
    """The class names of the expected refusals and their subclasses (state messages name
    the exception by its class name only)."""
    names: set[str] = set()
    todo: list[type[BaseException]] = list(EXPECTED_REFUSALS)
    while todo:
        cls = todo.pop()
        if cls.__name__ not in names:
            names.add(cls.__name__)
            todo.extend(cls.__subclasses__())
    return names


def _debug() -> bool:
    return os.environ.get("SPEECHFLOWS_DEBUG", "") not in ("", "0")


_REFUSALS = _NoTracebackForRefusals()
for _name in (
    "prefect.flow_runs",
    "prefect.task_runs",
    "prefect.flow_engine",
    "prefect.task_engine",
):
    if _REFUSALS not in logging.getLogger(_name).filters:
        logging.getLogger(_name).addFilter(_REFUSALS)


def check_settings(*, speech: bool = True, storage: bool = True) -> None:
    """Load the settings now, so a missing variable fails the flow before any step runs.

    With ``storage``, also check that the account answers and takes a write, before anything is
    created on the Speech service.
    """
    if speech:
        check_speech_reachable(load_speech_settings())
    if storage:
        check_storage_writable(load_storage_settings())


REACH_SECONDS = 5.0
REACH_TRIES = 2


def check_speech_reachable(settings: Any) -> None:
    """Refuse, within ~15 s and before anything is created, a Speech endpoint nobody answers at.

    Any HTTP answer counts as reachable (the key is checked by the first real request); a
    refused or timed-out connection, twice, fails naming the setting.
    """
    last: Exception | None = None
    for _ in range(REACH_TRIES):
        try:
            httpx.get(settings.base_url, timeout=REACH_SECONDS, verify=False)
            return
        except httpx.TransportError as exc:
            last = exc
    which = (
        f"SPEECHFLOWS_SPEECH_ENDPOINT={settings.endpoint}"
        if settings.endpoint
        else f"SPEECHFLOWS_SPEECH_REGION={settings.region}"
    )
    raise SettingsError(
        f"cannot reach the Speech service at {which} ({type(last).__name__}, {REACH_TRIES} tries "
        f"of {REACH_SECONDS:.0f} s): check the setting and the network; locally, start the "
        "emulator (speechflows dev up)"
    )


def table_link(key: str) -> str:
    """The validation table artifact as a markdown link to the Prefect UI (its key without one)."""
    ui = str(PREFECT_UI_URL.value() or "").rstrip("/")
    return f"[{key}]({ui}/artifacts/key/{key})" if ui else repr(key)


def onboarding_failed(flow: Any, flow_run: Any, state: State[Any]) -> None:
    """``on_failure`` hook of the onboarding flows: a ``speechflows.onboarding.failed`` event
    with the reason (redacted) and the counts, for automations that alert on it."""
    try:
        error = state.result(raise_on_failure=False)
    except Exception as exc:  # a crashed run may have no readable result
        error = exc
    reason = redact_text(str(state.message or error))[:1000]
    payload: dict[str, Any] = {
        "flow": flow.name,
        "flow_run": str(flow_run.id),
        "flow_run_name": flow_run.name,
        "reason": reason,
        "error_type": type(error).__name__ if isinstance(error, BaseException) else "",
    }
    findings = getattr(error, "findings", None)
    if findings:
        payload["findings"] = len(findings)
        payload["errors"] = sum(
            1 for f in findings if str(f.get("severity", "")).lower() == "error"
        )
    setting = getattr(error, "setting", "")
    if setting:
        payload["setting"] = setting
    events.emit("onboarding.failed", kind="flow run", rid=str(flow_run.id), payload=payload)


def onboarding_flow(name: str, run_name: str) -> Callable[[Callable[_P, _R]], Flow[_P, _R]]:
    """``@flow`` of an onboarding: named ``name`` (the function's name, dashed, so that Prefect's
    static reading of an entrypoint finds the same one), runs named ``run_name``, parameters
    validated, a failure reported by :func:`onboarding_failed`."""
    return flow(
        name=name, flow_run_name=run_name, validate_parameters=True, on_failure=[onboarding_failed]
    )


def wait_options(deadlines: Any, minutes: float, *, parks: bool = False) -> WaitOptions:
    """:class:`WaitOptions` from a :class:`~speechflows.flows.params.Deadlines` stage.

    With ``parks`` (a step wrapped in :func:`~speechflows.tasks.parking.wait_or_park`), the wait
    parks after ``deadlines.park_after_minutes``.
    """
    park = getattr(deadlines, "park_after_minutes", None) if parks else None
    return WaitOptions.of(
        minutes, deadlines.poll_min_seconds, deadlines.poll_max_seconds, park_after_minutes=park
    )


def data_location(
    source: Path | str,
    *,
    kind: str,
    locale: str,
    read_deadline_minutes: float,
    field: str = "data_dir",
) -> DataLocation:
    """A data-source parameter (a string in the run's form) parsed once, checked before anything
    runs; the steps after receive the :class:`~speechflows.location.DataLocation`.

    The checks ``speechflows validate`` and ``onboard`` make (:func:`~speechflows.preflight.
    check_source`): the locale for ``kind``, a ``secret://`` block, a user's SAS without read
    (+ list) or expiring before the stage's deadline, a missing local path; each refused here,
    with the fix, before anything is created.
    """
    location = check_source(
        source,
        kind,
        locale,
        read_deadline_minutes=read_deadline_minutes,
        locale_flag="locale",
        source_name=field,
    )
    warn_sas_parameter(location)  # a SAS URL typed into the run's form stays in its parameters
    return location


def validation_gate(
    path: DataLocation | Path,
    kind: str,
    *,
    locale: str,
    table_key: str,
    force: bool,
    extensions: Sequence[str] | None = None,
    min_utterances: int | None = None,
    refresh_cache: bool = False,
    reject_prefix: str = "",
) -> tuple[Manifest, ValidationOutcome]:
    """Manifest + validation + table artifact; raise on errors unless ``force``.

    The rejected files (``reject_prefix`` before each) go to the run report.

    Returns:
        ``(manifest, outcome)``; with ``force``, the manifest leaves out the rejected files.
    """
    location = path if isinstance(path, DataLocation) else DataLocation(path=path)
    if location.in_place:
        manifest = blob_manifest(location, list(extensions) if extensions else None)
        outcome = validate_blobs.with_options(refresh_cache=refresh_cache)(
            location,
            kind,
            locale=locale,
            manifest_hash=manifest.hash,
            min_utterances=min_utterances,
            table_key=table_key,
            # in place, validating reads every blob: a progress artifact of its own
            progress_key=artifact_key("progress", table_key.removeprefix("validation"), "validate"),
        )
    else:
        manifest = manifest_of(location.local, list(extensions) if extensions else None)
        outcome = validate_data.with_options(refresh_cache=refresh_cache)(
            location.local,
            kind,
            locale=locale,
            manifest_hash=manifest.hash,
            min_utterances=min_utterances,
            table_key=table_key,
        )
    where = location.display
    if outcome.has_errors:
        table = table_link(table_key)
        note(f"validation: {outcome.error_count} errors ({kind}, {where}); the table: {table}")
        if not force or location.in_place:
            events.emit(
                "dataset.refused",
                kind="dataset",
                rid=table_key,
                payload={
                    "location": where,
                    "data_kind": kind,
                    "locale": locale,
                    "error_count": outcome.error_count,
                    "warning_count": outcome.warning_count,
                    "rejected_files": len(outcome.rejected_files),
                    "codes": sorted(
                        {
                            str(r.get("code"))
                            for r in outcome.rows
                            if str(r.get("severity", "")).lower() == "error"
                        }
                    ),
                    "table": table_key,
                },
            )
        if not force:
            first = [
                f"{r.get('file')}:{r.get('line') or '-'} {r.get('code')}: {r.get('fix')}"
                for r in outcome.rows
                if str(r.get("severity", "")).lower() == "error"
            ][:5]
            errors_first = sorted(
                outcome.rows, key=lambda r: str(r.get("severity", "")).lower() != "error"
            )
            raise ValidationFailedError(
                f"{where}: validation found {outcome.error_count} errors in "
                f"{len(outcome.rejected_files)} files ({kind}); nothing was uploaded. First: "
                + "; ".join(first)
                + f". See the table artifact {table}; fix the files, or run with force=true "
                "to upload only the valid ones",
                errors_first[:MAX_FINDINGS],
            )
        if location.in_place:
            raise ValidationFailedError(
                f"{where}: validation found {outcome.error_count} errors in "
                f"{len(outcome.rejected_files)} files ({kind}); data read in place cannot leave "
                "files out (the service reads the whole prefix) and nothing is moved or deleted "
                "there. Fix or move the rejected files (see the table artifact "
                f"{table}), or give a local copy with force=true"
            )
        note(
            f"force: {len(outcome.rejected_files)} files with errors were left out of "
            f"{where} ({outcome.error_count} errors)"
        )
        get_run_logger().warning(
            "force: leaving out %d files with errors: %s",
            len(outcome.rejected_files),
            ", ".join(outcome.rejected_files[:10]),
        )
        manifest = restrict(manifest, outcome.rejected_files)
    rejects(rejects_of(outcome, reject_prefix))
    return manifest, outcome


def consent_gate(
    consent: ConsentParams,
    *,
    project_id: str,
    locale: str,
    refresh_cache: bool,
) -> str:
    """Validate a local consent recording (never forced); its content identity for the cache.

    Returns:
        The recording's manifest hash, or ``blob:<name>`` for an already staged recording.
    """
    if consent.audio_file is None:
        name = str(consent.audio_blob)
        check_blob_exists(
            load_storage_settings(), name, what="consent.audio_blob", fix=consent_blob_fix(name)
        )
        return f"blob:{name}"
    manifest, _ = validation_gate(
        consent.audio_file,
        "Consent",
        locale=locale,
        table_key=artifact_key("validation", project_id, "consent"),
        force=False,
        refresh_cache=refresh_cache,
    )
    return str(manifest.hash)


def consent_blob_fix(name: str) -> str:
    """How to put the consent recording at blob ``name`` (or give it as a local file).

    >>> consent_blob_fix("consents/jess.wav").split("; ")[0]
    'upload it, from the folder holding jess.wav: speechflows stage jess.wav --prefix consents'
    """
    folder, _, base = name.rpartition("/")
    return (
        f"upload it, from the folder holding {base}: speechflows stage {shlex.quote(base)} "
        f"--prefix {shlex.quote(folder)}; or give the local recording instead "
        "(consent.audio_file; at a terminal: speechflows onboard voice --consent FILE)"
    )


def consent_step(
    consent: ConsentParams,
    *,
    project_id: str,
    locale: str,
    audio_hash: str,
    deadlines: Deadlines,
) -> ResourceOutcome:
    """The consent of ``project_id`` (created, or reused while ``audio_hash`` is the same), ready.

    ``audio_hash`` is what :func:`consent_gate` returned.
    """
    outcome: ResourceOutcome = ensure_consent(
        consent.resolved_id(project_id),
        project_id=project_id,
        voice_talent_name=consent.voice_talent_name,
        company_name=consent.company_name,
        locale=locale,
        audio_hash=audio_hash,
        audio_file=consent.audio_file,
        audio_blob=consent.audio_blob,
        description=consent.description,
        wait=wait_options(deadlines, deadlines.consent_minutes),
        progress_key=artifact_key("progress", project_id, "consent"),
    )
    return outcome


def voice_project_and_consent(
    p: Any, kind: Literal["PersonalVoice", "ProfessionalVoice"], consent_hash: str
) -> tuple[ResourceOutcome, ResourceOutcome]:
    """The voice onboardings' first creates: the project of ``kind``, then its consent, ready.

    ``p``: the flow's parameters (``project_id``, ``locale``, ``project_description``,
    ``consent``, ``deadlines``); ``consent_hash`` is what :func:`consent_gate` returned.
    """
    with stage("project"):
        project = ensure_voice_project(
            p.project_id, kind=kind, locale=p.locale, description=p.project_description
        )
    record(project)
    with stage("consent"):
        consent = consent_step(
            p.consent,
            project_id=p.project_id,
            locale=p.locale,
            audio_hash=consent_hash,
            deadlines=p.deadlines,
        )
    record(consent)
    return project, consent


def previous_versions(label: str, current_id: str, versions: Sequence[_V]) -> list[_V]:
    """The versions before ``current_id`` (``v.current`` false), named in the run report's
    figures with the current one; the caller adds a note on each."""
    previous = [v for v in versions if not v.current]
    figures(
        (f"{label} version", current_id),
        ("previous versions", ", ".join(v.id for v in previous) or "none"),
    )
    return previous


def stage_step(
    manifest: Manifest,
    *,
    prefix: str,
    container: str,
    progress_key: str,
) -> StageOutcome:
    """Make ``container/prefix`` hold exactly ``manifest`` (pruning stale blobs).

    Whether staging is complete is decided by ONE listing of the prefix (names, sizes,
    Content-MD5) against the manifest, every run: blobs lost or changed behind our back (a
    restarted Azurite, a hand-deleted file) are staged again by a plain re-run, and a complete
    prefix costs one listing and no upload. No cached record is trusted.
    """
    outcome: StageOutcome = settle(
        stage_data(
            # quote: Prefect would otherwise walk every manifest entry twice per task run.
            cast(Any, quote(manifest)),
            manifest_hash=manifest.hash,
            prefix=prefix,
            container=container,
            prune=True,
            progress_key=progress_key,
            return_state=True,
        )
    )
    return outcome


def settle(state: State[Any]) -> Any:
    """The result of a task state, as seen by this run: a cache hit created and moved nothing.

    A cached stage reports 0 bytes uploaded; cached resources and operations report "reused".
    """
    result = state.result()
    return _as_reused(result) if state.name == "Cached" else result


def _as_reused(value: Any) -> Any:
    if isinstance(value, StageOutcome):
        return value.as_cached()
    if isinstance(value, BaseModel):
        update = {
            name: _as_reused(getattr(value, name))
            for name in type(value).model_fields
            if isinstance(getattr(value, name), BaseModel)
        }
        if "action" in type(value).model_fields:
            update["action"] = "reused"
        return value.model_copy(update=update) if update else value
    return value


__all__ = [
    "ValidationFailedError",
    "check_settings",
    "consent_gate",
    "consent_step",
    "data_location",
    "previous_versions",
    "settle",
    "stage_step",
    "validation_gate",
    "voice_project_and_consent",
    "wait_options",
]
