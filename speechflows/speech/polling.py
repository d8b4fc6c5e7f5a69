"""Wait for Custom Voice operations and for resources of both APIs to reach a terminal state.

Three parts, as in azure-core's poller: pick what to poll (an ``Operation-Location``, or the
resource's own URL), poll it with the service's ``Retry-After`` or a jittered backoff between
``min_interval`` and ``max_interval`` until a deadline, then GET the final resource. ``Failed``
raises :class:`ResourceFailedError` with the service's reason; the deadline raises
:class:`PollingTimeoutError` naming the resource. Sleep and clocks are injectable, so tests never
wait. :class:`ContinuationState` is JSON (never pickle): persist it and :func:`resume` from
another process.

A wait that follows an operation decides from the operation *and* the resource. The rule when
they disagree: once the operation is terminal, the resource must be terminal too within
``grace_seconds`` (:data:`DISAGREEMENT_GRACE_SECONDS`). Past it the resource is read once more;
still not terminal, the wait ends with :class:`StateDisagreementError` (operation Succeeded) or
:class:`ResourceFailedError` (operation Failed), saying what each one says — it never waits out
the deadline in silence. While waiting, the progress callback hears of every poll, of every
failed poll, and of the time spent in a long ``Retry-After`` at least every
:data:`PROGRESS_EVERY_SECONDS`.

>>> state = ContinuationState(api="speechtotext", resource_kind="datasets", resource_id="d1",
...     resource_url="https://x/speechtotext/datasets/d1", started_at="2026-01-01T00:00:00Z")
>>> ContinuationState.from_json(state.to_json()) == state
True
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypedDict, TypeVar, Unpack, cast

from pydantic import BaseModel

from speechflows.speech.custom_voice.client import CustomVoiceClient
from speechflows.speech.errors import (
    PollingTimeoutError,
    ResourceFailedError,
    SpeechUsageError,
    WaitError,
    is_transient,
)
from speechflows.speech.http import SpeechHTTP, decode_json, retry_after_seconds
from speechflows.speech.schemas.common import ApiModel, Status, StatusResource
from speechflows.speech.schemas.custom_voice import (
    Accepted,
    Consent,
    Endpoint,
    Model,
    Operation,
    OperationRef,
    PersonalVoice,
    TrainingSet,
)
from speechflows.speech.schemas.speech_to_text import (
    CustomSpeechModel,
    Dataset,
    Evaluation,
    SpeechEndpoint,
    SpeechEntity,
    Transcription,
)
from speechflows.speech.speech_to_text.client import CustomSpeechClient

Client = CustomVoiceClient | CustomSpeechClient
T = TypeVar("T", bound=ApiModel)

# How long a resource may stay non-terminal after its operation ended (the service writes the
# operation and the resource separately; a few polls apart at most).
DISAGREEMENT_GRACE_SECONDS = 60.0
# The progress callback hears of the wait at least this often, even inside a long Retry-After
# (a third of a minute: a waiting task logs a line at least every minute, see tasks/waiting.py).
PROGRESS_EVERY_SECONDS = 20.0


class StateDisagreementError(WaitError):
    """The operation Succeeded, but its resource still is not terminal past the grace period."""

    def __init__(
        self,
        resource_kind: str,
        resource_id: str,
        operation_id: str,
        status: str | None,
        grace_seconds: float,
    ) -> None:
        self.operation_id = operation_id
        self.status = status
        self.grace_seconds = grace_seconds
        super().__init__(
            resource_kind,
            resource_id,
            f"operation {operation_id} Succeeded, but {resource_kind} {resource_id!r} still says "
            f"{status or 'nothing'} {grace_seconds:g} s later (read again just now): the service's "
            f"operation and {resource_kind} disagree, so this wait stops here instead of waiting "
            f"out its deadline. Open the {resource_kind} in Speech Studio; a plain re-run reads "
            "both again",
        )


VOICE_KINDS: dict[str, type[StatusResource]] = {
    "consents": Consent,
    "trainingsets": TrainingSet,
    "personalvoices": PersonalVoice,
    "models": Model,
    "endpoints": Endpoint,
}
SPEECH_KINDS: dict[str, type[StatusResource]] = {
    "datasets": Dataset,
    "models": CustomSpeechModel,
    "evaluations": Evaluation,
    "endpoints": SpeechEndpoint,
    "transcriptions": Transcription,
}
_SINGULAR = {
    "consents": "consent",
    "trainingsets": "training set",
    "personalvoices": "personal voice",
    "models": "model",
    "endpoints": "endpoint",
    "datasets": "dataset",
    "evaluations": "evaluation",
    "transcriptions": "transcription",
}


@dataclass(frozen=True)
class PollProgress:
    """One observation while waiting (for a Prefect progress artifact or a log line)."""

    resource_kind: str
    resource_id: str
    status: str | None
    polls: int
    elapsed_seconds: float
    deadline_seconds: float | None = None


ProgressFn = Callable[[PollProgress], None]


class Pacing(TypedDict, total=False):
    """How a wait polls: the keyword arguments every wait takes besides its deadline
    (defaults in :class:`Pace`)."""

    min_interval: float
    max_interval: float
    progress: ProgressFn | None
    sleep: Callable[[float], None]
    clock: Callable[[], float]


@dataclass(frozen=True)
class Pace:
    """:class:`Pacing` with its defaults: the first pause between polls (``min_interval``
    seconds) doubles up to ``max_interval``; ``progress`` hears of every poll; ``sleep`` and
    ``clock`` are injectable, so tests never wait."""

    min_interval: float = 1.0
    max_interval: float = 30.0
    progress: ProgressFn | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


class ContinuationState(BaseModel):
    """What another process needs to re-attach to a wait (JSON).

    Attributes:
        api: ``customvoice`` or ``speechtotext``.
        resource_kind: collection name (``consents``, ``trainingsets``, ``datasets``, ...).
        resource_id: the resource's id.
        operation_url: Custom Voice ``Operation-Location``, if the wait follows an operation.
        resource_url: the resource's URL.
        started_at: when the wait began (UTC); the deadline counts from here.
        deadline_seconds: the whole wait's budget, or ``None`` for the default of :func:`resume`.
    """

    api: Literal["customvoice", "speechtotext"]
    resource_kind: str
    resource_id: str
    operation_url: str | None = None
    resource_url: str | None = None
    started_at: datetime
    deadline_seconds: float | None = None

    def to_json(self) -> str:
        """Serialize to JSON."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> ContinuationState:
        """Parse :meth:`to_json` output."""
        return cls.model_validate_json(text)

    @classmethod
    def for_operation(
        cls,
        client: CustomVoiceClient,
        accepted: Accepted[Any] | OperationRef,
        resource_kind: str,
        resource_id: str,
        *,
        deadline_seconds: float | None = None,
    ) -> ContinuationState:
        """State for a Custom Voice long-running request (consent, upload, model, endpoint...)."""
        op = accepted.operation if isinstance(accepted, Accepted) else accepted
        _kind_class(client, resource_kind)
        return cls(
            api="customvoice",
            resource_kind=resource_kind,
            resource_id=resource_id,
            operation_url=op.location or client.core.url("operations", op.id),
            resource_url=client.core.url(resource_kind, resource_id),
            started_at=datetime.now(UTC),
            deadline_seconds=deadline_seconds,
        )

    @classmethod
    def for_resource(
        cls,
        client: Client,
        resource_kind: str,
        resource: StatusResource | str,
        *,
        deadline_seconds: float | None = None,
    ) -> ContinuationState:
        """State for waiting on a resource itself (every Speech to text entity)."""
        _kind_class(client, resource_kind)
        if isinstance(client, CustomSpeechClient):
            ref = resource.self_url if isinstance(resource, SpeechEntity) else resource
            if not isinstance(ref, str) or not ref:
                raise SpeechUsageError(f"the {resource_kind} to wait for has no self URL")
            url = client.core.entity_url(resource_kind, ref)
            api: Literal["customvoice", "speechtotext"] = "speechtotext"
        else:
            ref = resource.resource_id if isinstance(resource, StatusResource) else resource
            url = client.core.url(resource_kind, ref)
            api = "customvoice"
        return cls(
            api=api,
            resource_kind=resource_kind,
            resource_id=url.rsplit("/", 1)[-1],
            resource_url=url,
            started_at=datetime.now(UTC),
            deadline_seconds=deadline_seconds,
        )


def _kind_class(client: Client, kind: str) -> type[StatusResource]:
    kinds = SPEECH_KINDS if isinstance(client, CustomSpeechClient) else VOICE_KINDS
    if kind not in kinds:
        raise SpeechUsageError(
            f"cannot wait for {kind!r} with {type(client).__name__}; use one of {', '.join(kinds)}"
        )
    return kinds[kind]


def _poll(
    http: SpeechHTTP,
    url: str,
    params: dict[str, str | int | bool] | None,
    parse: Callable[[Any], T],
    *,
    kind: str,
    resource_id: str,
    deadline_seconds: float,
    pace: Pace,
) -> T:
    progress, sleep, clock = pace.progress, pace.sleep, pace.clock
    start = clock()
    interval = pace.min_interval
    polls = 0
    last_status: str | None = None

    def tell(status: str | None) -> None:
        if progress is not None:
            progress(
                PollProgress(kind, resource_id, status, polls, clock() - start, deadline_seconds)
            )

    while True:
        hint: float | None = None

        try:
            response = http.request("GET", url, params=params)
        except Exception as exc:
            # Keep waiting through throttling and outages: the deadline bounds the wait.
            if not is_transient(exc):
                raise
            hint = getattr(exc, "retry_after", None)
            tell(f"{last_status or 'unknown'} (last poll failed: {type(exc).__name__})")
        else:
            item = parse(decode_json(response))
            status = getattr(item, "status", None)
            last_status = str(status) if status is not None else None
            polls += 1
            tell(last_status)
            if isinstance(status, Status) and status.is_terminal:
                return item
            hint = retry_after_seconds(response.headers, http.now)
        remaining = deadline_seconds - (clock() - start)
        if remaining <= 0:
            raise PollingTimeoutError(kind, resource_id, deadline_seconds, last_status)
        # The service's hint first; else the backoff, shortened by up to ``retry.jitter`` so many
        # waiting runs spread out instead of polling in step (never above max_interval).
        delay = (
            hint
            if hint is not None
            else interval * (1.0 - http.rng.uniform(0.0, http.retry.jitter))
        )
        delay = max(0.0, min(delay, remaining))
        # A long Retry-After is honoured, in pieces, each followed by a progress observation.
        while delay > PROGRESS_EVERY_SECONDS:
            sleep(PROGRESS_EVERY_SECONDS)
            delay -= PROGRESS_EVERY_SECONDS
            tell(last_status)
        sleep(delay)
        interval = min(pace.max_interval, interval * 2)


def _raise_if_failed(kind: str, item: StatusResource) -> None:
    if item.status is Status.FAILED:
        code, reason = item.failure()
        raise ResourceFailedError(kind, item.resource_id, code, reason)


def wait_for_operation(
    client: CustomVoiceClient,
    operation: OperationRef | str,
    *,
    deadline_seconds: float = 3600.0,
    **pacing: Unpack[Pacing],
) -> Operation:
    """Poll a Custom Voice operation (ref, id or ``Operation-Location``) until it finishes.

    Raises:
        ResourceFailedError: the operation failed (GET the resource for its ``failureReason``,
            or use :func:`wait_for_accepted`, which does).
        PollingTimeoutError: the deadline passed first.
    """
    return _wait_for_operation(client, operation, deadline_seconds, Pace(**pacing))


def _wait_for_operation(
    client: CustomVoiceClient, operation: OperationRef | str, deadline_seconds: float, pace: Pace
) -> Operation:
    target = (
        operation.location or operation.id if isinstance(operation, OperationRef) else operation
    )
    params: dict[str, str | int | bool] | None
    if target.startswith(("http://", "https://")):
        url = client.http.rebase(target)
        params = None if "api-version=" in url else {"api-version": client.api_version}
    else:
        url, params = client.core.url("operations", target), {"api-version": client.api_version}
    op_id = url.split("?", 1)[0].rsplit("/", 1)[-1]
    result = _poll(
        client.http,
        url,
        params,
        Operation.model_validate,
        kind="operation",
        resource_id=op_id,
        deadline_seconds=deadline_seconds,
        pace=pace,
    )
    if result.status is Status.FAILED:
        raise ResourceFailedError("operation", op_id, "Failed", "the operation failed")
    return result


def wait_for_resource(
    client: Client,
    resource_kind: str,
    resource: StatusResource | str,
    *,
    deadline_seconds: float = 3600.0,
    **pacing: Unpack[Pacing],
) -> StatusResource:
    """Poll a resource (``datasets``, ``consents``, ...) until Succeeded, Failed or Disabled.

    Raises:
        ResourceFailedError: it failed; the message carries ``properties.error`` or
            ``failureReason``.
        PollingTimeoutError: the deadline passed first.
    """
    return _wait_for_resource(client, resource_kind, resource, deadline_seconds, Pace(**pacing))


def _wait_for_resource(
    client: Client,
    resource_kind: str,
    resource: StatusResource | str,
    deadline_seconds: float,
    pace: Pace,
) -> StatusResource:
    cls = _kind_class(client, resource_kind)
    state = ContinuationState.for_resource(client, resource_kind, resource)
    assert state.resource_url is not None
    item = _poll(
        client.http,
        state.resource_url,
        client.core.query,
        cls.model_validate,
        kind=_SINGULAR[resource_kind],
        resource_id=state.resource_id,
        deadline_seconds=deadline_seconds,
        pace=pace,
    )
    _raise_if_failed(_SINGULAR[resource_kind], item)
    return item


def wait_for_accepted(
    client: CustomVoiceClient,
    accepted: Accepted[T],
    resource_kind: str,
    *,
    deadline_seconds: float = 3600.0,
    grace_seconds: float | None = None,
    **pacing: Unpack[Pacing],
) -> T:
    """Wait for the operation of a Custom Voice create, then return the final resource.

    Raises:
        StateDisagreementError: the operation Succeeded, the resource stayed non-terminal.
    """
    rid = cast("StatusResource", accepted.resource).resource_id
    state = ContinuationState.for_operation(
        client, accepted, resource_kind, rid, deadline_seconds=deadline_seconds
    )
    final = _resume(state, client, deadline_seconds, grace_seconds, Pace(**pacing))
    return cast("T", final)


def resume(
    state: ContinuationState,
    client: Client,
    *,
    default_deadline_seconds: float = 3600.0,
    now: Callable[[], datetime] | None = None,
    grace_seconds: float | None = None,
    **pacing: Unpack[Pacing],
) -> StatusResource:
    """Re-attach to a wait described by ``state``; the deadline still counts from ``started_at``.

    ``grace_seconds``: how long the resource may stay non-terminal after its operation ended
    (the module's rule for disagreement; default :data:`DISAGREEMENT_GRACE_SECONDS`).
    """
    expected = "speechtotext" if isinstance(client, CustomSpeechClient) else "customvoice"
    if state.api != expected:
        raise SpeechUsageError(f"this state belongs to the {state.api} API, not {expected}")
    budget = (
        state.deadline_seconds if state.deadline_seconds is not None else default_deadline_seconds
    )
    current = now() if now else datetime.now(UTC)
    remaining = max(0.0, budget - (current - state.started_at).total_seconds())
    return _resume(state, client, remaining, grace_seconds, Pace(**pacing))


def _resume(
    state: ContinuationState,
    client: Client,
    remaining: float,
    grace_seconds: float | None,
    pace: Pace,
) -> StatusResource:
    start = pace.clock()
    if grace_seconds is None:
        grace_seconds = DISAGREEMENT_GRACE_SECONDS
    kind = _SINGULAR.get(state.resource_kind, state.resource_kind)
    resource: StatusResource | str = state.resource_url or state.resource_id
    if isinstance(client, CustomVoiceClient):
        resource = state.resource_id

    def resource_wait(deadline: float) -> StatusResource:
        return _wait_for_resource(client, state.resource_kind, resource, deadline, pace)

    if not (state.operation_url and isinstance(client, CustomVoiceClient)):
        return resource_wait(remaining)
    op_failed = False
    op_id = state.operation_url.split("?", 1)[0].rsplit("/", 1)[-1]
    try:
        _wait_for_operation(client, state.operation_url, remaining, pace)
    except ResourceFailedError:
        # The operation has no reason; the resource carries failureReason.
        op_failed = True
    except PollingTimeoutError as exc:
        raise PollingTimeoutError(
            kind, state.resource_id, exc.deadline_seconds, exc.last_status
        ) from None
    left = max(0.0, remaining - (pace.clock() - start))
    # The operation is terminal: the resource must follow within the grace period.
    try:
        return resource_wait(min(left, grace_seconds))
    except PollingTimeoutError as exc:
        if left <= grace_seconds:
            raise
        last = exc.last_status
    # Past the grace period: read the resource once more, then decide.
    cls = _kind_class(client, state.resource_kind)
    body = client.http.get_json(
        client.core.url(state.resource_kind, state.resource_id), client.core.query
    )
    item = cls.model_validate(body)
    if isinstance(item.status, Status) and item.status.is_terminal:
        _raise_if_failed(kind, item)
        return item
    last = str(item.status) if item.status is not None else last
    if op_failed:
        raise ResourceFailedError(
            kind,
            state.resource_id,
            "Failed",
            f"operation {op_id} Failed, and the {kind} still says {last or 'nothing'} "
            f"{grace_seconds:g} s later",
        )
    raise StateDisagreementError(kind, state.resource_id, op_id, last, grace_seconds)


def wait_for_dataset(client: CustomSpeechClient, dataset: Dataset | str, **kwargs: Any) -> Dataset:
    """:func:`wait_for_resource` for a Speech to text dataset."""
    return cast("Dataset", wait_for_resource(client, "datasets", dataset, **kwargs))


def wait_for_model(
    client: CustomSpeechClient, model: CustomSpeechModel | str, **kwargs: Any
) -> CustomSpeechModel:
    """:func:`wait_for_resource` for a custom speech model."""
    return cast("CustomSpeechModel", wait_for_resource(client, "models", model, **kwargs))


def wait_for_evaluation(
    client: CustomSpeechClient, evaluation: Evaluation | str, **kwargs: Any
) -> Evaluation:
    """:func:`wait_for_resource` for an evaluation."""
    return cast("Evaluation", wait_for_resource(client, "evaluations", evaluation, **kwargs))


def wait_for_endpoint(
    client: CustomSpeechClient, endpoint: SpeechEndpoint | str, **kwargs: Any
) -> SpeechEndpoint:
    """:func:`wait_for_resource` for a custom speech endpoint."""
    return cast("SpeechEndpoint", wait_for_resource(client, "endpoints", endpoint, **kwargs))
