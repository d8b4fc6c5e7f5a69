"""The ``inventory`` flow: what is in the Speech resource, and what is stuck.

Lists Custom Voice projects, consents, training sets, personal voices, models and endpoints, and
Speech to text projects, datasets, models, evaluations and endpoints. Custom Voice has no "list
operations" call, so in-flight operations show up as resources whose status is still
``NotStarted``/``Running``; one that has not moved for ``stuck_after_minutes`` is flagged. The
result is a table artifact, a markdown summary, and events (``speechflows.inventory.stuck`` per
stuck resource, ``speechflows.inventory.completed`` with the counts) for automations.

Custom speech models stop transcribing on ``properties.deprecationDates.transcriptionDateTime``
(spec ``CustomModelDeprecationDates``): every custom model whose date is within
``expiry_warning_days`` (or past) is listed with the endpoints that serve it, in the table
artifact ``speechflows-expiring-models``, and announced by a ``speechflows.model.expiring`` event.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.events import emit_event
from pydantic import BaseModel, Field

from speechflows.redaction import redact_text
from speechflows.settings import load_speech_settings
from speechflows.speech import CustomSpeechClient, CustomVoiceClient
from speechflows.tasks import events
from speechflows.tasks.custom_speech import deprecation_date
from speechflows.tasks.parking import parked_runs_markdown
from speechflows.tasks.voice_common import connection_options

_ACTIVE = {"notstarted", "running"}
# (service, kind, client operation group). Kinds a client does not offer are skipped.
_LISTS: tuple[tuple[str, str, str], ...] = (
    ("custom-voice", "project", "projects"),
    ("custom-voice", "consent", "consents"),
    ("custom-voice", "training-set", "training_sets"),
    ("custom-voice", "personal-voice", "personal_voices"),
    ("custom-voice", "model", "models"),
    ("custom-voice", "endpoint", "endpoints"),
    ("speech-to-text", "project", "projects"),
    ("speech-to-text", "dataset", "datasets"),
    ("speech-to-text", "model", "models"),
    ("speech-to-text", "evaluation", "evaluations"),
    ("speech-to-text", "endpoint", "endpoints"),
)


class InventoryRow(BaseModel):
    """One resource in the Speech resource."""

    service: str
    kind: str
    id: str
    name: str | None = None
    status: str | None = None
    last_action: datetime | None = None
    idle_minutes: float | None = None
    stuck: bool = False


class ExpiringModel(BaseModel):
    """A custom speech model whose transcription deprecation date is near (or past)."""

    id: str
    name: str | None = None
    locale: str | None = None
    transcription_date: datetime
    days_left: float
    endpoints: list[str] = Field(default_factory=list, description="Ids of endpoints serving it")
    endpoint_names: list[str] = Field(default_factory=list)


class InventoryResult(BaseModel):
    """Everything found, counts per kind and status, and the stuck resources."""

    rows: list[InventoryRow] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)
    stuck: list[InventoryRow] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    expiring: list[ExpiringModel] = Field(default_factory=list)


def _row(service: str, kind: str, item: Any, now: datetime, stuck_after: float) -> InventoryRow:
    data = item.model_dump() if isinstance(item, BaseModel) else dict(item)
    rid = getattr(item, "resource_id", None) or str(data.get("id") or data.get("self") or "?")
    status = data.get("status")
    status_text = str(getattr(status, "value", status)) if status is not None else None
    when = data.get("last_action_date_time") or data.get("created_date_time")
    idle = (now - when).total_seconds() / 60 if isinstance(when, datetime) else None
    stuck = bool(
        status_text and status_text.lower() in _ACTIVE and idle is not None and idle > stuck_after
    )
    return InventoryRow(
        service=service,
        kind=kind,
        id=str(rid),
        name=data.get("display_name"),
        status=status_text,
        last_action=when if isinstance(when, datetime) else None,
        idle_minutes=round(idle, 1) if idle is not None else None,
        stuck=stuck,
    )


@task(name="list-speech-resources", retries=2, retry_delay_seconds=10)
def list_resources(stuck_after_minutes: float) -> InventoryResult:
    """List every kind of resource in both APIs and flag the stuck ones."""
    logger = get_run_logger()
    settings = load_speech_settings()
    now = datetime.now(UTC)
    result = InventoryResult()
    with (
        CustomVoiceClient(settings, **connection_options()) as voice,
        CustomSpeechClient(settings, **connection_options()) as speech,
    ):
        clients: dict[str, Any] = {"custom-voice": voice, "speech-to-text": speech}
        for service, kind, group in _LISTS:
            lister = getattr(getattr(clients[service], group, None), "list", None)
            if lister is None:
                continue
            try:
                items = lister()
            except Exception as exc:  # one failing list must not hide the others
                message = f"{service} {kind}: {type(exc).__name__}: {redact_text(str(exc))}"
                logger.warning("could not list %s", message)
                result.errors.append(message)
                continue
            rows = [_row(service, kind, item, now, stuck_after_minutes) for item in items]
            result.rows.extend(rows)
            logger.info("%s: %d %s(s)", service, len(rows), kind)
    result.counts = dict(Counter(f"{r.service}/{r.kind}/{r.status or 'n/a'}" for r in result.rows))
    result.stuck = [r for r in result.rows if r.stuck]
    return result


def _transcription_date(model: Any) -> datetime | None:
    return deprecation_date(model, "transcriptionDateTime")


@task(name="find-expiring-models", retries=2, retry_delay_seconds=10)
def expiring_models(expiry_warning_days: float) -> list[ExpiringModel]:
    """Custom speech models whose transcription date is within ``expiry_warning_days``."""
    now = datetime.now(UTC)
    horizon = now + timedelta(days=expiry_warning_days)
    with CustomSpeechClient(load_speech_settings(), **connection_options()) as speech:
        models = speech.models.list()
        endpoints = speech.endpoints.list()
    serving: dict[str, list[Any]] = {}
    for e in endpoints:
        if e.model is not None and e.model.self_url:
            mid = e.model.self_url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            serving.setdefault(mid, []).append(e)
    out = []
    for m in models:
        when = _transcription_date(m)
        if when is None or when > horizon:
            continue
        users = serving.get(m.resource_id, [])
        out.append(
            ExpiringModel(
                id=m.resource_id,
                name=m.display_name,
                locale=m.locale,
                transcription_date=when,
                days_left=round((when - now).total_seconds() / 86400, 1),
                endpoints=[e.resource_id for e in users],
                endpoint_names=[e.display_name or e.resource_id for e in users],
            )
        )
    return sorted(out, key=lambda x: x.transcription_date)


def _report_expiring(expiring: list[ExpiringModel], days: float) -> list[str]:
    """Table artifact, events and summary lines for the models about to expire."""
    create_table_artifact(
        key="speechflows-expiring-models",
        table=[
            {
                "model": x.id,
                "name": x.name,
                "transcription until": x.transcription_date.isoformat(),
                "days left": x.days_left,
                "endpoints": ", ".join(x.endpoints),
            }
            for x in expiring
        ]
        or [{"expiring models": 0}],
        description=f"Custom speech models that stop transcribing within {days:g} days",
    )
    for x in expiring:
        get_run_logger().warning(
            "model %s (%s) stops transcribing on %s (%s days); served by %s",
            x.id,
            x.name,
            x.transcription_date.date(),
            x.days_left,
            ", ".join(x.endpoints) or "no endpoint",
        )
        events.emit(
            "model.expiring",
            kind="speech model",
            rid=x.id,
            related=[("speech endpoint", e) for e in x.endpoints],
            payload={
                "display_name": x.name,
                "transcription_date": x.transcription_date.isoformat(),
                "days_left": x.days_left,
                "endpoints": x.endpoints,
                "endpoint_names": x.endpoint_names,
                "warning_days": days,
            },
        )
    if not expiring:
        return []
    lines = ["", f"## Custom models expiring within {days:g} days", ""]
    return lines + [
        f"- `{x.id}` ({x.name}): transcription ends {x.transcription_date.date()} "
        f"({x.days_left} days); endpoints: {', '.join(x.endpoints) or 'none'}"
        for x in expiring
    ]


@flow(name="inventory", log_prints=True)
def inventory(
    stuck_after_minutes: float = 240.0, max_rows: int = 1000, expiry_warning_days: float = 60.0
) -> InventoryResult:
    """List what is in the Speech resource; flag resources stuck past ``stuck_after_minutes``.

    Args:
        stuck_after_minutes: A NotStarted/Running resource idle this long is flagged as stuck.
        max_rows: At most this many rows in the table artifact (stuck ones first).
        expiry_warning_days: Report custom speech models that stop transcribing within this
            many days (and the endpoints serving them).
    """
    logger = get_run_logger()
    result = list_resources(stuck_after_minutes)
    try:
        result.expiring = expiring_models(expiry_warning_days)
    except Exception as exc:  # the expiry check must not hide the inventory
        result.errors.append(
            f"speech-to-text expiry: {type(exc).__name__}: {redact_text(str(exc))}"
        )
    ordered = sorted(result.rows, key=lambda r: (not r.stuck, r.service, r.kind, r.id))
    table = [
        {
            "service": r.service,
            "kind": r.kind,
            "id": r.id,
            "name": r.name,
            "status": r.status,
            "idle minutes": r.idle_minutes,
            "stuck": "STUCK" if r.stuck else "",
        }
        for r in ordered[:max_rows]
    ]
    create_table_artifact(
        key="speechflows-inventory",
        table=table or [{"resources": 0}],
        description=f"Speech resource inventory ({len(result.rows)} resources)",
    )
    lines = [
        "# Speech resource inventory",
        "",
        f"{len(result.rows)} resources, {len(result.stuck)} stuck "
        f"(idle > {stuck_after_minutes:g} min while NotStarted/Running).",
        "",
        "| service / kind / status | count |",
        "|---|---|",
    ]
    lines += [f"| {key} | {n} |" for key, n in sorted(result.counts.items())]
    if result.stuck:
        lines += ["", "## Stuck", ""]
        lines += [
            f"- {r.service} {r.kind} `{r.id}`: {r.status}, idle {r.idle_minutes} min"
            for r in result.stuck
        ]
    lines += _report_expiring(result.expiring, expiry_warning_days)
    if result.errors:
        lines += ["", "## Could not list", ""] + [f"- {e}" for e in result.errors]
    lines += parked_runs_markdown()  # runs suspended on a long wait, linked (tasks/parking.py)
    create_markdown_artifact(key="speechflows-inventory-summary", markdown="\n".join(lines))
    for row in result.stuck:
        logger.warning(
            "stuck: %s %s %s (%s, idle %s min)",
            row.service,
            row.kind,
            row.id,
            row.status,
            row.idle_minutes,
        )
        emit_event(
            event="speechflows.inventory.stuck",
            resource={
                "prefect.resource.id": f"speechflows.{row.service}.{row.kind}.{row.id}",
                "prefect.resource.name": row.name or row.id,
            },
            payload={
                "status": row.status,
                "idle_minutes": row.idle_minutes,
                "threshold_minutes": stuck_after_minutes,
            },
        )
    emit_event(
        event="speechflows.inventory.completed",
        resource={"prefect.resource.id": "speechflows.inventory"},
        payload={
            "resources": len(result.rows),
            "stuck": len(result.stuck),
            "errors": len(result.errors),
            "expiring_models": len(result.expiring),
            "counts": result.counts,
        },
    )
    return result


__all__ = ["ExpiringModel", "InventoryResult", "InventoryRow", "expiring_models", "inventory"]
