"""Pieces every onboarding flow shares: settings check, stage timings, validation gate, the report.

A flow calls :func:`check_settings` first (a missing variable fails before anything runs), times
its stages with :class:`Stages`, passes every dataset through :func:`validation_gate` (errors stop
the flow before any upload unless ``force``), and writes its report with :func:`publish_report`,
also when it fails (then with the reason), before re-raising.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from prefect.client.schemas.objects import State
from prefect.logging import get_run_logger
from prefect.utilities.annotations import quote
from pydantic import BaseModel

from speechflows.deployments.params import ConsentParams, Deadlines
from speechflows.redaction import redact_text
from speechflows.tasks import artifacts
from speechflows.tasks.data import manifest_of, restrict, stage_data, staged_hash, validate_data
from speechflows.tasks.outcomes import ResourceOutcome, StageOutcome, StageTiming, ValidationOutcome
from speechflows.tasks.waiting import WaitOptions


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


def check_settings(*, speech: bool = True, storage: bool = True) -> None:
    """Load the settings now, so a missing variable fails the flow before any step runs."""
    from speechflows.settings import load_speech_settings, load_storage_settings

    if speech:
        load_speech_settings()
    if storage:
        load_storage_settings()


class Stages:
    """Wall time per stage, for the report and the result."""

    def __init__(self) -> None:
        self.timings: list[StageTiming] = []
        self.started = time.monotonic()

    @contextmanager
    def __call__(self, name: str, note: str = "") -> Iterator[None]:
        start = time.monotonic()
        get_run_logger().info("stage %s: started", name)
        try:
            yield
        finally:
            seconds = round(time.monotonic() - start, 3)
            self.timings.append(StageTiming(stage=name, seconds=seconds, note=note))
            get_run_logger().info("stage %s: %.2f s", name, seconds)

    @property
    def total(self) -> float:
        return round(time.monotonic() - self.started, 3)


def wait_options(deadlines: Any, minutes: float) -> WaitOptions:
    """:class:`WaitOptions` from a :class:`~speechflows.deployments.params.Deadlines` stage."""
    return WaitOptions.of(minutes, deadlines.poll_min_seconds, deadlines.poll_max_seconds)


def validation_gate(
    path: Path,
    kind: str,
    *,
    locale: str,
    table_key: str,
    force: bool,
    extensions: Sequence[str] | None = None,
    min_utterances: int | None = None,
    refresh_cache: bool = False,
    notes: list[str],
) -> tuple[Any, ValidationOutcome]:
    """Manifest + validation + table artifact; raise on errors unless ``force``.

    Returns:
        ``(manifest, outcome)``; with ``force``, the manifest leaves out the rejected files.
    """
    manifest = manifest_of(Path(path), list(extensions) if extensions else None)
    outcome = validate_data.with_options(refresh_cache=refresh_cache)(
        Path(path),
        kind,
        locale=locale,
        manifest_hash=manifest.hash,
        min_utterances=min_utterances,
        table_key=table_key,
    )
    if outcome.has_errors:
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
                f"{path}: validation found {outcome.error_count} errors in "
                f"{len(outcome.rejected_files)} files ({kind}); nothing was uploaded. First: "
                + "; ".join(first)
                + f". See the table artifact {table_key!r}; fix the files, or run with force=true "
                "to upload only the valid ones",
                errors_first[:MAX_FINDINGS],
            )
        notes.append(
            f"force: {len(outcome.rejected_files)} files with errors were left out of "
            f"{path} ({outcome.error_count} errors)"
        )
        get_run_logger().warning(
            "force: leaving out %d files with errors: %s",
            len(outcome.rejected_files),
            ", ".join(outcome.rejected_files[:10]),
        )
        manifest = restrict(manifest, outcome.rejected_files)
    return manifest, outcome


def consent_gate(
    consent: ConsentParams,
    *,
    project_id: str,
    locale: str,
    refresh_cache: bool,
    notes: list[str],
) -> str:
    """Validate a local consent recording (never forced); its content identity for the cache.

    Returns:
        The recording's manifest hash, or ``blob:<name>`` for an already staged recording.
    """
    if consent.audio_file is None:
        return f"blob:{consent.audio_blob}"
    manifest, _ = validation_gate(
        consent.audio_file,
        "Consent",
        locale=locale,
        table_key=artifacts.artifact_key("validation", project_id, "consent"),
        force=False,
        refresh_cache=refresh_cache,
        notes=notes,
    )
    return str(manifest.hash)


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
    from speechflows.tasks.custom_voice import ensure_consent

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
        progress_key=artifacts.artifact_key("progress", project_id, "consent"),
    )
    return outcome


_background = ThreadPoolExecutor(max_workers=4, thread_name_prefix="speechflows-prefetch")


def prefetch_staged_hash(container: str, prefix: str) -> Future[str | None]:
    """Start reading :func:`~speechflows.tasks.data.staged_hash` now; :func:`stage_step` needs it.

    One Prefect API read, done while validation runs instead of on the re-run's critical path.
    """
    context = contextvars.copy_context()  # Prefect's settings and client live in contextvars
    return _background.submit(context.run, staged_hash, container, prefix)


def stage_step(
    manifest: Any,
    *,
    prefix: str,
    container: str,
    progress_key: str,
    refresh_cache: bool,
    last_staged: Future[str | None] | None = None,
) -> StageOutcome:
    """Stage ``manifest`` to ``container/prefix`` (pruning stale blobs), reusing a cached stage
    only while this manifest is the last one staged there (``last_staged``: a prefetch of it).
    """
    manifest_hash = manifest.hash
    last = last_staged.result() if last_staged is not None else staged_hash(container, prefix)
    outcome: StageOutcome = settle(
        stage_data.with_options(refresh_cache=refresh_cache or last != manifest_hash)(
            # quote: Prefect would otherwise walk every manifest entry twice per task run.
            cast(Any, quote(manifest)),
            manifest_hash=manifest_hash,
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


def rejects_of(outcome: ValidationOutcome | None) -> list[tuple[str, str, str]]:
    """(file, code, reason) rows of the errors of a validation, for the report."""
    if outcome is None:
        return []
    rows = []
    for r in outcome.rows:
        if str(r.get("severity", "")).lower() == "error":
            line = f":{r['line']}" if r.get("line") else ""
            reason = (
                f"{r.get('rule', '')} (found {r.get('value')})"
                if r.get("value")
                else str(r.get("rule", ""))
            )
            rows.append((f"{r.get('file')}{line}", str(r.get("code", "")), reason))
    return rows


def publish_report(
    title: str,
    key: str,
    *,
    resources: Sequence[ResourceOutcome | None],
    facts: Sequence[tuple[str, object]],
    rejects: Sequence[tuple[str, str, str]],
    stages: Stages,
    notes: Sequence[str],
    error: BaseException | None = None,
) -> None:
    """Write the markdown onboarding report, and a link artifact per resource created in this run.

    Reused resources keep the link artifact (same key) written when they were created; the report
    links every resource either way.
    """
    status = "Completed" if error is None else f"Failed: {redact_text(str(error))}"
    present = [r for r in resources if r is not None]
    text = artifacts.render_report(
        title,
        resources=present,
        facts=facts,
        rejects=rejects,
        timings=stages.timings,
        notes=notes,
        status=status,
    )
    artifacts.markdown(text, key, description=title)
    for r in present:
        if r.url and r.action == "created":
            artifacts.link(r.url, f"{r.kind} {r.id}", artifacts.artifact_key(key, r.kind, "link"))


__all__ = [
    "Stages",
    "ValidationFailedError",
    "check_settings",
    "consent_gate",
    "consent_step",
    "prefetch_staged_hash",
    "publish_report",
    "rejects_of",
    "settle",
    "stage_step",
    "validation_gate",
    "wait_options",
]
