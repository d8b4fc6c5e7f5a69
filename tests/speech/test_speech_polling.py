"""Polling to a terminal state: Retry-After, backoff, Failed, deadline, re-attach from JSON."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from speechflows.speech import (
    ContinuationState,
    CustomSpeechClient,
    CustomVoiceClient,
    errors,
    polling,
)
from speechflows.speech.schemas.common import Status
from speechflows.speech.schemas.custom_voice import OperationRef, TrainingSet
from speechflows.speech.schemas.speech_to_text import Dataset
from tests.speech.spec_support import CONSENT, ENDPOINT, FakeTime, settings

DS_URL = f"{ENDPOINT}/speechtotext/datasets/d1?api-version=2025-10-15"


def dataset(status: str, **props: Any) -> dict[str, Any]:
    return {
        "self": DS_URL,
        "displayName": "faq",
        "locale": "en-US",
        "kind": "Language",
        "status": status,
        "properties": props,
    }


class Sequence:
    """Serves GETs of one resource from a list of bodies; the last one repeats."""

    def __init__(self, bodies: list[Any], headers: dict[str, str] | None = None) -> None:
        self.bodies = bodies
        self.headers = headers or {}
        self.paths: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        body = self.bodies.pop(0) if len(self.bodies) > 1 else self.bodies[0]
        if isinstance(body, httpx.Response):
            return body
        return httpx.Response(200, json=body, headers=self.headers)


def stt(handler: Any, time: FakeTime) -> CustomSpeechClient:
    return CustomSpeechClient(settings(), transport=httpx.MockTransport(handler), **time.hooks())


def cv(handler: Any, time: FakeTime) -> CustomVoiceClient:
    return CustomVoiceClient(settings(), transport=httpx.MockTransport(handler), **time.hooks())


def test_waits_for_a_dataset_with_backoff_and_reports_progress() -> None:
    time = FakeTime()
    seq = Sequence(
        [
            dataset("NotStarted"),
            dataset("Running"),
            dataset("Running"),
            dataset("Succeeded", acceptedLineCount=12),
        ]
    )
    seen: list[polling.PollProgress] = []
    with stt(seq, time) as client:
        done = polling.wait_for_dataset(
            client,
            DS_URL,
            min_interval=2,
            max_interval=5,
            progress=seen.append,
            **time.hooks(),
        )
    assert isinstance(done, Dataset)
    assert done.properties is not None and done.properties.accepted_line_count == 12
    # backoff 2, 4, 5 (capped), each shortened by up to 25 % of jitter, never above the cap
    assert len(time.sleeps) == 3
    for slept, base in zip(time.sleeps, [2, 4, 5], strict=True):
        assert base * 0.75 <= slept <= base
    assert [p.status for p in seen] == ["NotStarted", "Running", "Running", "Succeeded"]
    assert seen[-1].resource_kind == "dataset" and seen[-1].resource_id == "d1"


def test_retry_after_on_a_poll_wins_over_backoff() -> None:
    time = FakeTime()
    seq = Sequence([dataset("Running"), dataset("Succeeded")], headers={"Retry-After": "9"})
    with stt(seq, time) as client:
        polling.wait_for_dataset(client, "d1", min_interval=1, max_interval=2, **time.hooks())
    assert time.sleeps == [9.0]


def test_transient_errors_while_polling_do_not_end_the_wait() -> None:
    time = FakeTime()
    throttled = httpx.Response(
        429, json={"code": "TooManyRequests", "message": "slow"}, headers={"Retry-After": "500"}
    )
    seq = Sequence([throttled, dataset("Succeeded")])
    with stt(seq, time) as client:
        done = polling.wait_for_dataset(client, "d1", min_interval=1, **time.hooks())
    assert done.status is Status.SUCCEEDED
    # The whole Retry-After is honoured, in pieces of at most a minute (progress in between).
    assert sum(time.sleeps) == pytest.approx(500.0) and max(time.sleeps) <= 60


def test_a_failed_dataset_raises_with_the_service_reason() -> None:
    time = FakeTime()
    seq = Sequence(
        [
            dataset("Running"),
            dataset(
                "Failed",
                error={"code": "NoUtf8WithBom", "message": "Save the file as UTF-8 with BOM."},
            ),
        ]
    )
    with stt(seq, time) as client, pytest.raises(errors.ResourceFailedError) as info:
        polling.wait_for_dataset(client, "d1", **time.hooks())
    exc = info.value
    assert (exc.resource_kind, exc.resource_id, exc.code) == ("dataset", "d1", "NoUtf8WithBom")
    assert "UTF-8 with BOM" in str(exc)
    assert not errors.is_transient(exc)


def test_the_deadline_raises_a_timeout_naming_the_resource() -> None:
    time = FakeTime()
    seq = Sequence([dataset("Running")])
    with stt(seq, time) as client, pytest.raises(errors.PollingTimeoutError) as info:
        polling.wait_for_dataset(
            client,
            "d1",
            deadline_seconds=60,
            min_interval=10,
            max_interval=10,
            **time.hooks(),
        )
    exc = info.value
    assert (exc.resource_kind, exc.resource_id, exc.last_status) == ("dataset", "d1", "Running")
    assert "dataset 'd1'" in str(exc) and "60 s" in str(exc)
    assert sum(time.sleeps) == pytest.approx(60)
    # 10-s intervals shortened by jitter to 7.5..10 s: 6 to 8 sleeps in 60 s, one poll after each
    assert 7 <= len(seq.paths) <= 9


def test_custom_voice_operation_then_resource_with_failure_reason() -> None:
    time = FakeTime()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            return httpx.Response(
                201,
                json={"id": "consent1", "status": "NotStarted"},
                headers={
                    "Operation-Id": "op-77",
                    "Operation-Location": "https://eastus.api.cognitive.microsoft.com/customvoice/operations/op-77?api-version=2026-01-01",
                },
            )
        if "/operations/" in request.url.path:
            polls["op"] += 1
            return httpx.Response(
                200, json={"id": "op-77", "status": "Running" if polls["op"] < 3 else "Failed"}
            )
        assert request.url.path == "/customvoice/consents/consent1"
        return httpx.Response(
            200,
            json={
                "id": "consent1",
                "status": "Failed",
                "properties": {"failureReason": "AudioAndScriptNotMatch"},
            },
        )

    polls = {"op": 0}
    with cv(handler, time) as client:
        accepted = client.consents.create(
            "consent1", **CONSENT, audio_url="https://a.blob.core.windows.net/c/x.wav?sig=zz"
        )
        assert accepted.operation == OperationRef(id="op-77", location=accepted.operation.location)
        with pytest.raises(errors.ResourceFailedError) as info:
            polling.wait_for_accepted(client, accepted, "consents", min_interval=1, **time.hooks())
    assert info.value.resource_kind == "consent"
    assert info.value.code == "AudioAndScriptNotMatch"
    assert polls["op"] == 3


def test_wait_for_operation_returns_the_succeeded_operation() -> None:
    time = FakeTime()
    seq = Sequence([{"id": "op-1", "status": "NotStarted"}, {"id": "op-1", "status": "succeeded"}])
    with cv(seq, time) as client:
        op = polling.wait_for_operation(client, "op-1", **time.hooks())
    assert op.status is Status.SUCCEEDED
    assert seq.paths == ["/customvoice/operations/op-1"] * 2


def test_reattach_from_continuation_state_in_a_new_client() -> None:
    time = FakeTime()
    submit = Sequence([{"id": "ts-one", "status": "Succeeded"}])
    with cv(submit, time) as client:
        state = ContinuationState.for_operation(
            client,
            OperationRef(
                id="op-9", location=f"{ENDPOINT}/customvoice/operations/op-9?api-version=2026-01-01"
            ),
            "trainingsets",
            "ts-one",
            deadline_seconds=3600,
        )
    text = state.to_json()
    assert "op-9" in text and "ts-one" in text

    restored = ContinuationState.from_json(text)
    assert restored == state

    def handler(request: httpx.Request) -> httpx.Response:
        if "/operations/" in request.url.path:
            return httpx.Response(200, json={"id": "op-9", "status": "Succeeded"})
        return httpx.Response(
            200, json={"id": "ts-one", "status": "Succeeded", "properties": {"utteranceCount": 300}}
        )

    with cv(handler, time) as other:
        final = polling.resume(restored, other, **time.hooks())
    assert isinstance(final, TrainingSet)
    assert final.resource_id == "ts-one"
    assert final.properties is not None and final.properties.utterance_count == 300


def test_resume_counts_the_deadline_from_started_at() -> None:
    time = FakeTime()
    state = ContinuationState(
        api="speechtotext",
        resource_kind="datasets",
        resource_id="d1",
        resource_url=DS_URL,
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        deadline_seconds=600,
    )
    seq = Sequence([dataset("Running")])
    later = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=590)
    with stt(seq, time) as client, pytest.raises(errors.PollingTimeoutError):
        polling.resume(
            state,
            client,
            min_interval=4,
            max_interval=4,
            **time.hooks(),
            now=lambda: later,
        )
    assert sum(time.sleeps) == pytest.approx(10)


def test_resume_refuses_a_state_of_the_other_api() -> None:
    state = ContinuationState(
        api="customvoice", resource_kind="consents", resource_id="c1x", started_at=datetime.now(UTC)
    )
    with stt(Sequence([{}]), FakeTime()) as client, pytest.raises(errors.SpeechUsageError):
        polling.resume(state, client)


def _op_then_set(op_status: str, set_statuses: list[str]) -> tuple[Any, dict[str, int]]:
    """An operation that is already ``op_status`` and a training set going through
    ``set_statuses`` (the last one repeats)."""
    reads = {"op": 0, "set": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if "/operations/" in request.url.path:
            reads["op"] += 1
            return httpx.Response(200, json={"id": "op-up", "status": op_status})
        reads["set"] += 1
        status = set_statuses[min(reads["set"], len(set_statuses)) - 1]
        return httpx.Response(
            200, json={"id": "ts-one", "status": status, "properties": {"utteranceCount": 6}}
        )

    return handler, reads


def _upload_state(client: CustomVoiceClient) -> ContinuationState:
    return ContinuationState.for_operation(
        client,
        OperationRef(id="op-up", location=f"{ENDPOINT}/customvoice/operations/op-up"),
        "trainingsets",
        "ts-one",
        deadline_seconds=3 * 3600,
    )


def test_operation_succeeded_but_the_set_stays_notstarted_fails_after_the_grace_period() -> None:
    """Issue 26.1: the rule for disagreement. The operation says Succeeded, the set keeps saying
    NotStarted: past the grace period the set is read again, then the wait fails and says why,
    instead of waiting out the 3-hour deadline."""
    time = FakeTime()
    handler, reads = _op_then_set("Succeeded", ["NotStarted"])
    seen: list[polling.PollProgress] = []
    with cv(handler, time) as client, pytest.raises(polling.StateDisagreementError) as info:
        polling.resume(
            _upload_state(client),
            client,
            min_interval=5,
            max_interval=30,
            progress=seen.append,
            **time.hooks(),
            grace_seconds=120,
        )
    message = str(info.value)
    assert "operation op-up Succeeded" in message
    assert "training set 'ts-one' still says NotStarted 120 s later" in message
    assert "instead of waiting out its deadline" in message
    assert 120 <= time.t < 180  # the grace period, not the 3-hour deadline
    assert reads["op"] == 1 and reads["set"] >= 3  # polls in the grace period + the re-read
    assert {p.status for p in seen if p.resource_kind == "training set"} == {"NotStarted"}


def test_the_set_catching_up_within_the_grace_period_is_no_disagreement() -> None:
    time = FakeTime()
    handler, reads = _op_then_set("Succeeded", ["NotStarted", "Running", "Succeeded"])
    with cv(handler, time) as client:
        final = polling.resume(_upload_state(client), client, **time.hooks(), grace_seconds=120)
    assert final.status is Status.SUCCEEDED and reads["set"] == 3


def test_operation_failed_while_the_set_says_notstarted_fails_as_a_failure() -> None:
    time = FakeTime()
    handler, _ = _op_then_set("Failed", ["NotStarted"])
    with cv(handler, time) as client, pytest.raises(errors.ResourceFailedError) as info:
        polling.resume(_upload_state(client), client, **time.hooks(), grace_seconds=30)
    assert info.value.resource_id == "ts-one"
    assert "operation op-up Failed, and the training set still says NotStarted" in str(info.value)


def test_progress_is_heard_at_least_every_minute_through_long_retry_after_and_outages() -> None:
    """A Retry-After of 5 minutes is honoured in pieces, each followed by an observation; a
    failed poll is an observation too (a wait is never silent)."""
    time = FakeTime()
    busy = httpx.Response(503, json={"code": "ServiceUnavailable", "message": "busy"})
    seq = Sequence(
        [
            *[busy] * 5,  # the client's own retries give up: the poll fails
            httpx.Response(200, json=dataset("Running"), headers={"Retry-After": "300"}),
            dataset("Succeeded"),
        ]
    )
    seen: list[tuple[float, str | None]] = []
    with stt(seq, time) as client:
        polling.wait_for_dataset(
            client,
            DS_URL,
            min_interval=1,
            max_interval=1,
            progress=lambda p: seen.append((p.elapsed_seconds, p.status)),
            **time.hooks(),
        )
    assert seen[0][1] is not None and "last poll failed: ServiceError" in seen[0][1]
    times = [0.0] + [t for t, _ in seen]
    assert max(b - a for a, b in itertools.pairwise(times)) <= polling.PROGRESS_EVERY_SECONDS
    assert seen[-1][1] == "Succeeded" and time.t >= 300
