"""Retries, paging, errors, auth and redaction of the HTTP layer, over httpx.MockTransport."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

import speechflows.speech as speech
from speechflows.speech import CustomSpeechClient, CustomVoiceClient, RetryPolicy, errors
from speechflows.speech.schemas.custom_voice import AzureBlobContentSource
from speechflows.speech.speech_to_text.core import CONTENT_HASH_PROPERTY
from tests.speech.spec_support import CONSENT, ENDPOINT, KEY, FakeTime, settings

Handler = Callable[[httpx.Request], httpx.Response]
SAS = "https://acct.blob.core.windows.net/c?sv=2026&sp=rl&sig=TOPSECRETSIG%3D"


@dataclass
class Script:
    """Answers requests from a list of responses (or exceptions), recording every request."""

    answers: list[httpx.Response | Exception]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def stt(handler: Handler, time: FakeTime, **kw: Any) -> CustomSpeechClient:
    return CustomSpeechClient(
        settings(**kw), transport=httpx.MockTransport(handler), sleep=time.sleep, clock=time.clock
    )


def cv(handler: Handler, time: FakeTime, **kw: Any) -> CustomVoiceClient:
    return CustomVoiceClient(
        settings(**kw), transport=httpx.MockTransport(handler), sleep=time.sleep, clock=time.clock
    )


DATASET = {
    "self": f"{ENDPOINT}/speechtotext/datasets/d1?api-version=2025-10-15",
    "displayName": "faq",
    "locale": "en-US",
    "kind": "Language",
    "status": "Running",
}


def ok(body: Any = None, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=DATASET if body is None else body, headers=headers)


# -- retries ----------------------------------------------------------------------------------


def test_429_with_retry_after_seconds_is_retried_after_that_wait() -> None:
    time = FakeTime()
    script = Script([ok({}, 429, **{"Retry-After": "7"}), ok()])
    with stt(script, time) as client:
        assert client.datasets.get("d1").display_name == "faq"
    assert len(script.requests) == 2
    assert time.sleeps == [7.0]


def test_429_with_retry_after_as_http_date() -> None:
    time = FakeTime()
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=12), usegmt=True)
    script = Script([ok({}, 429, **{"Retry-After": later}), ok()])
    with stt(script, time) as client:
        client.http.now = lambda: now
        client.datasets.get("d1")
    assert time.sleeps == [12.0]


def test_retry_after_ms_is_used_when_retry_after_is_absent() -> None:
    time = FakeTime()
    script = Script([ok({}, 503, **{"retry-after-ms": "1500"}), ok()])
    with stt(script, time) as client:
        client.datasets.get("d1")
    assert time.sleeps == [1.5]


def test_503_then_success_backs_off_with_jitter_within_bounds() -> None:
    time = FakeTime()
    script = Script([ok({}, 503), ok({}, 502), ok()])
    with stt(script, time) as client:
        client.datasets.get("d1")
    assert len(script.requests) == 3
    policy = RetryPolicy()
    assert len(time.sleeps) == 2
    for n, slept in enumerate(time.sleeps, start=1):
        base = policy.backoff_factor * 2 ** (n - 1)
        assert base * (1 - policy.jitter) <= slept <= base * (1 + policy.jitter)


def test_connection_reset_on_get_is_retried() -> None:
    time = FakeTime()
    script = Script([httpx.ReadError("connection reset by peer"), ok()])
    with stt(script, time) as client:
        assert client.datasets.get("d1").status is speech.Status.RUNNING
    assert len(script.requests) == 2


def test_post_without_operation_id_is_not_retried() -> None:
    time = FakeTime()
    script = Script([ok({"code": "ServiceUnavailable", "message": "busy"}, 503), ok(status=201)])
    with stt(script, time) as client, pytest.raises(errors.ServiceError) as info:
        client.datasets.create(kind="Language", locale="en-US", display_name="x", content_url=SAS)
    assert len(script.requests) == 1
    assert time.sleeps == []
    assert errors.is_transient(info.value)


def test_connection_reset_on_a_create_post_surfaces_a_transient_error() -> None:
    script = Script([httpx.ReadError("connection reset"), ok(status=201)])
    with stt(script, FakeTime()) as client, pytest.raises(errors.SpeechConnectionError) as info:
        client.datasets.create(kind="Language", locale="en-US", display_name="x", content_url=SAS)
    assert len(script.requests) == 1
    assert errors.is_transient(info.value)
    assert "TOPSECRETSIG" not in str(info.value)


def test_post_with_operation_id_is_retried_with_the_same_operation_id() -> None:
    time = FakeTime()
    script = Script([ok({}, 500), httpx.Response(202, headers={"Operation-Id": "op-1"})])
    src = AzureBlobContentSource(container_url=SAS, extensions=[".wav"])
    with cv(script, time) as client:
        ref = client.training_sets.upload(
            "ts1", kind="AudioAndScript", audios=src, scripts=src, operation_id="op-1"
        )
    assert ref.id == "op-1"
    assert [r.headers["Operation-Id"] for r in script.requests] == ["op-1", "op-1"]
    assert script.requests[0].content == script.requests[1].content


def test_multipart_body_is_rewound_and_identical_on_retry(tmp_path: Path) -> None:
    audio = tmp_path / "consent.wav"
    audio.write_bytes(b"RIFF" + bytes(range(200)))
    script = Script([httpx.ReadError("reset"), ok({"id": "c1", "status": "NotStarted"}, 201)])
    with cv(script, FakeTime()) as client:
        accepted = client.consents.create("con1", **CONSENT, audio_file=audio)
    assert len(script.requests) == 2
    first, second = script.requests
    assert first.content == second.content
    assert bytes(range(200)) in second.content
    assert accepted.operation.id == first.headers["Operation-Id"]


def test_attempts_are_bounded_and_the_typed_error_surfaces() -> None:
    time = FakeTime()
    script = Script([ok({"code": "ServiceUnavailable", "message": "down"}, 503)])
    with stt(script, time) as client, pytest.raises(errors.ServiceError) as info:
        client.datasets.get("d1")
    assert len(script.requests) == RetryPolicy().max_attempts
    assert info.value.status == 503
    assert info.value.code == "ServiceUnavailable"


def test_a_retry_after_beyond_the_time_budget_is_left_to_the_caller() -> None:
    time = FakeTime()
    script = Script([ok({}, 429, **{"Retry-After": "300"})])
    with stt(script, time) as client, pytest.raises(errors.ThrottledError) as info:
        client.datasets.get("d1")
    assert len(script.requests) == 1
    assert info.value.retry_after == 300.0
    assert errors.is_transient(info.value)


# -- paging -----------------------------------------------------------------------------------


def test_custom_voice_paging_follows_next_link_across_three_pages() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params.get("skip", "0"))
        page: dict[str, Any] = {"value": [{"id": f"p{skip}", "kind": "PersonalVoice"}]}
        if skip < 2:
            # The service may answer with its regional host; the client must stay on its endpoint.
            page["nextLink"] = (
                f"https://westus.api.cognitive.microsoft.com/customvoice/projects?skip={skip + 1}"
                "&maxpagesize=1&api-version=2026-01-01"
            )
        assert request.url.host == httpx.URL(ENDPOINT).host
        return httpx.Response(200, json=page)

    with cv(handler, FakeTime()) as client:
        assert [p.id for p in client.projects.list()] == ["p0", "p1", "p2"]


def test_speech_to_text_paging_follows_at_next_link_across_three_pages() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params.get("skip", "0"))
        page: dict[str, Any] = {
            "values": [{**DATASET, "self": f"{ENDPOINT}/speechtotext/datasets/d{skip}"}]
        }
        if skip < 2:
            page["@nextLink"] = (
                f"{ENDPOINT}/speechtotext/datasets?skip={skip + 1}&top=1&api-version=2025-10-15"
            )
        return httpx.Response(200, json=page)

    with stt(handler, FakeTime()) as client:
        assert [d.id for d in client.datasets.list()] == ["d0", "d1", "d2"]


# -- errors -----------------------------------------------------------------------------------


def test_custom_voice_error_shape_maps_to_a_typed_error() -> None:
    body = {
        "error": {
            "code": "BadRequest",
            "message": "Invalid id",
            "target": "id",
            "innererror": {"code": "InvalidResourceId", "innererror": {"code": "IdTooShort"}},
        }
    }
    script = Script(
        [
            httpx.Response(
                400,
                json=body,
                headers={"x-ms-error-code": "BadRequest", "apim-request-id": "req-42"},
            )
        ]
    )
    with cv(script, FakeTime()) as client, pytest.raises(errors.BadRequestError) as info:
        client.projects.get("abc")
    exc = info.value
    assert (exc.status, exc.code, exc.inner_code, exc.target, exc.request_id) == (
        400,
        "BadRequest",
        "IdTooShort",
        "id",
        "req-42",
    )
    assert "Invalid id" in str(exc) and "req-42" in str(exc)
    assert not errors.is_transient(exc)


def test_speech_to_text_error_shape_maps_to_a_typed_error() -> None:
    body = {
        "code": "InvalidArgument",
        "message": "Dataset file is not UTF-8 with BOM.",
        "innerError": {"code": "NoUtf8WithBom", "message": "bom"},
    }
    script = Script([httpx.Response(400, json=body, headers={"X-RequestId": "r-7"})])
    with stt(script, FakeTime()) as client, pytest.raises(errors.BadRequestError) as info:
        client.datasets.get("d1")
    assert (info.value.code, info.value.inner_code, info.value.request_id) == (
        "InvalidArgument",
        "NoUtf8WithBom",
        "r-7",
    )


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (408, errors.RequestTimeoutError),
        (429, errors.ThrottledError),
        (504, errors.ServiceError),
        (422, errors.SpeechHTTPError),
    ],
)
def test_statuses_map_to_error_types(status: int, cls: type[errors.SpeechHTTPError]) -> None:
    script = Script([httpx.Response(status, text="<html>gateway</html>")])
    with stt(script, FakeTime()) as client, pytest.raises(cls) as info:
        client.datasets.get("d1")
    assert type(info.value) is cls
    assert info.value.status == status
    assert errors.is_transient(info.value) is (status in errors.RETRYABLE_STATUSES)


def test_delete_of_a_missing_resource_is_not_an_error_by_default() -> None:
    script = Script([httpx.Response(404, json={"error": {"code": "NotFound", "message": "no"}})])
    with cv(script, FakeTime()) as client:
        assert client.consents.delete("con1") is False
        with pytest.raises(errors.NotFoundError):
            client.consents.delete("con1", missing_ok=False)


# -- redaction --------------------------------------------------------------------------------


def test_secrets_never_appear_in_error_strings() -> None:
    token = "eyJ0eXAiOiJKV1QiLCJhbGciOi.secret-token-value"
    leaky = {
        "code": "InvalidArgument",
        "message": f"bad contentUrl {SAS}; key {KEY}; Authorization: Bearer {token}",
        "target": SAS,
    }
    cases: list[httpx.Response | Exception] = [
        httpx.Response(400, json=leaky),
        httpx.Response(429, json=leaky),
        httpx.Response(503, text=f"upstream said {KEY} {SAS}"),
        httpx.ConnectError(f"cannot reach {SAS}"),
    ]
    for answer in cases:
        time = FakeTime()
        with stt(Script([answer]), time) as client, pytest.raises(errors.SpeechError) as info:
            client.datasets.get(f"{ENDPOINT}/speechtotext/datasets/d1?api-version=2025-10-15")
        exc = info.value
        texts = [str(exc), repr(exc), exc.message, *(str(a) for a in exc.args)]
        if isinstance(exc, errors.SpeechHTTPError):
            texts += [exc.url, exc.detail, str(exc.target)]
        for text in texts:
            assert "TOPSECRETSIG" not in text
            assert KEY not in text
            assert "secret-token-value" not in text
        assert "REDACTED" in str(exc) or isinstance(exc, errors.ServiceError)


def test_client_reprs_hold_no_secrets() -> None:
    with stt(Script([ok()]), FakeTime()) as client:
        assert KEY not in repr(client) and KEY not in repr(client.http)


# -- auth -------------------------------------------------------------------------------------


@dataclass
class Token:
    token: str
    expires_on: int


@dataclass
class FakeCredential:
    lifetime: int = 3600
    calls: list[tuple[str, ...]] = field(default_factory=list)

    def get_token(self, *scopes: str, **kwargs: Any) -> Token:
        self.calls.append(scopes)
        import time as _t

        return Token(f"token-{len(self.calls)}-abcdefgh", int(_t.time()) + self.lifetime)


def test_bearer_token_from_a_credential_is_cached_and_refreshed_before_expiry() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        assert "ocp-apim-subscription-key" not in request.headers
        return ok()

    cred = FakeCredential()
    with CustomSpeechClient(
        settings(), transport=httpx.MockTransport(handler), credential=cred
    ) as c:
        c.datasets.get("d1")
        c.datasets.get("d1")
    assert seen == ["Bearer token-1-abcdefgh"] * 2
    assert cred.calls == [("https://cognitiveservices.azure.com/.default",)]

    short = FakeCredential(lifetime=60)  # inside the refresh margin: every request refreshes
    seen.clear()
    with CustomSpeechClient(
        settings(), transport=httpx.MockTransport(handler), credential=short
    ) as c:
        c.datasets.get("d1")
        c.datasets.get("d1")
    assert seen == ["Bearer token-1-abcdefgh", "Bearer token-2-abcdefgh"]


def test_a_401_with_a_credential_fetches_a_new_token_once() -> None:
    script = Script(
        [httpx.Response(401, json={"code": "Unauthorized", "message": "expired"}), ok()]
    )
    cred = FakeCredential()
    with CustomSpeechClient(
        settings(), transport=httpx.MockTransport(script), credential=cred
    ) as c:
        c.datasets.get("d1")
    assert [r.headers["authorization"] for r in script.requests] == [
        "Bearer token-1-abcdefgh",
        "Bearer token-2-abcdefgh",
    ]


def test_key_auth_sends_the_subscription_key_header() -> None:
    script = Script([ok()])
    with stt(script, FakeTime()) as client:
        client.datasets.get("d1")
    assert script.requests[0].headers["ocp-apim-subscription-key"] == KEY


# -- get or create ----------------------------------------------------------------------------


def test_get_or_create_dataset_reuses_a_match_and_replaces_a_failed_one() -> None:
    existing = {**DATASET, "customProperties": {CONTENT_HASH_PROPERTY: "h1"}, "status": "Succeeded"}
    failed = {**existing, "self": f"{ENDPOINT}/speechtotext/datasets/old", "status": "Failed"}
    created = {**DATASET, "self": f"{ENDPOINT}/speechtotext/datasets/new"}
    posts: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posts.append(json.loads(request.content))
            return httpx.Response(201, json=created)
        assert request.url.params["filter"] == "displayName eq 'faq''s'"
        return httpx.Response(200, json={"values": values})

    values: list[dict[str, Any]] = [{**existing, "displayName": "faq's"}]
    with stt(handler, FakeTime()) as client:
        get_or_create = functools.partial(
            client.datasets.get_or_create,
            kind="Language",
            locale="en-US",
            display_name="faq's",
            content_url=SAS,
            content_hash="h1",
        )
        ds, was_created = get_or_create()
        assert (ds.id, was_created, posts) == ("d1", False, [])
        values = [
            {**failed, "displayName": "faq's"},
            {**existing, "displayName": "faq's", "customProperties": {}},
        ]
        ds, was_created = get_or_create()
    assert (ds.id, was_created) == ("new", True)
    assert posts[0]["customProperties"] == {CONTENT_HASH_PROPERTY: "h1"}
    assert posts[0]["contentUrl"] == SAS


def test_block_upload_skips_blocks_already_uploaded(tmp_path: Path) -> None:
    data = tmp_path / "lang.txt"
    data.write_bytes(b"abcdefghij")
    calls: list[tuple[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        calls.append((request.method, request.url.path.rsplit("/", 1)[-1]))
        if request.method == "GET":
            return httpx.Response(
                200, json={"uncommittedBlocks": [{"name": "MDAwMDAwMDA=", "size": 4}]}
            )
        if request.method == "POST":
            assert [b["id"] for b in json.loads(request.content)] == [
                "MDAwMDAwMDA=",
                "MDAwMDAwMDE=",
                "MDAwMDAwMDI=",
            ]
            return httpx.Response(200)
        assert request.content in (b"efgh", b"ij")
        return httpx.Response(201)

    with stt(handler, FakeTime()) as client:
        ids = client.datasets.upload_content("d1", data, block_size=4)
    assert len(ids) == 3
    assert [c[0] for c in calls] == ["GET", "PUT", "PUT", "POST"]


def test_public_surface_is_sorted_and_importable() -> None:
    assert speech.__all__ == sorted(speech.__all__)
    for name in speech.__all__:
        assert getattr(speech, name) is not None


@pytest.mark.parametrize(("status", "said"), [(401, "was refused"), (403, "does not allow")])
def test_a_refused_key_fails_at_once_naming_the_setting_and_the_endpoint(
    status: int, said: str
) -> None:
    """Issue 27: a wrong key mid-run is one request, never retried (no wait at all), and the
    error names SPEECHFLOWS_SPEECH_KEY and the endpoint it was used with."""
    script = Script([httpx.Response(status, json={"code": "Unauthorized", "message": "no"})])
    time = FakeTime()
    with cv(script, time) as client, pytest.raises(errors.SpeechHTTPError) as err:
        client.projects.get("proj-1")
    assert len(script.requests) == 1 and time.sleeps == []
    assert err.value.setting == "SPEECHFLOWS_SPEECH_KEY"
    assert f"SPEECHFLOWS_SPEECH_ENDPOINT={ENDPOINT}" in str(err.value) and said in str(err.value)
    assert not errors.is_transient(err.value)  # so no task-level retry either
    assert KEY not in str(err.value)
