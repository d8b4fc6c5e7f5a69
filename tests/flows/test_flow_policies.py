"""Cache keys, the retry condition, artifact keys and the report renderer (no server needed)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from speechflows.flows.custom_speech import evaluated_on_training_data
from speechflows.flows.report import link_key
from speechflows.speech import errors
from speechflows.tasks import caching
from speechflows.tasks.artifacts import artifact_key, render_report
from speechflows.tasks.continuation import variable_name
from speechflows.tasks.outcomes import ResourceOutcome, StageOutcome, StageTiming
from speechflows.tasks.retries import is_retryable, retry_on_transient

KEY = "k" * 32


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("SPEECHFLOWS_SPEECH_ENDPOINT", "http://127.0.0.1:5999")
    monkeypatch.setenv("SPEECHFLOWS_SPEECH_KEY", KEY)
    monkeypatch.setenv(
        "SPEECHFLOWS_STORAGE_CONNECTION_STRING",
        "DefaultEndpointsProtocol=http;AccountName=acc;AccountKey=c2VjcmV0c2VjcmV0;"
        "BlobEndpoint=http://127.0.0.1:10000/acc;",
    )
    monkeypatch.setenv("SPEECHFLOWS_STORAGE_CONTAINER", "box")
    return monkeypatch


def _key(policy: caching.ContentKey, **inputs: object) -> str | None:
    ctx = SimpleNamespace(task=SimpleNamespace(name="Stage data"))
    return policy.compute_key(ctx, dict(inputs), {})


def test_key_depends_on_content_and_target_only(env: pytest.MonkeyPatch) -> None:
    policy = caching.ContentKey(fields=("manifest_hash", "prefix"), target=("speech", "storage"))
    k1 = _key(policy, manifest_hash="abc", prefix="p/", manifest=object())
    assert k1 is not None and k1.startswith("stage-data-")
    assert _key(policy, manifest_hash="abc", prefix="p/", manifest=None) == k1
    assert _key(policy, manifest_hash="abd", prefix="p/") != k1
    env.setenv("SPEECHFLOWS_STORAGE_CONTAINER", "other")
    assert _key(policy, manifest_hash="abc", prefix="p/") != k1
    env.setenv("SPEECHFLOWS_STORAGE_CONTAINER", "box")
    env.setenv("SPEECHFLOWS_SPEECH_ENDPOINT", "http://127.0.0.1:6000")
    assert _key(policy, manifest_hash="abc", prefix="p/") != k1
    assert KEY not in (k1 or "") and "c2VjcmV0" not in (k1 or "")


def test_key_without_settings_disables_caching(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "SPEECHFLOWS_SPEECH_ENDPOINT",
        "SPEECHFLOWS_SPEECH_REGION",
        "SPEECHFLOWS_SPEECH_KEY",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(Path(__file__).parent)  # no .env here
    assert _key(caching.ContentKey(fields=("x",), target=("speech",)), x=1) is None


def test_key_refuses_unhashable_and_missing_inputs(env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="expects task parameters"):
        _key(caching.ContentKey(fields=("missing",)), x=1)
    with pytest.raises(TypeError, match="pass ids, paths, hashes"):
        caching.canonical(object())


def _state(exc: BaseException) -> SimpleNamespace:
    return SimpleNamespace(result=lambda raise_on_failure=False: exc)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (errors.ServiceError(503, "ServiceUnavailable", None, "busy"), True),
        (errors.ThrottledError(429, "TooManyRequests", None, "slow down", retry_after=1), True),
        (httpx.ConnectError("refused"), True),
        (errors.BadRequestError(400, "BadRequest", None, "bad locale"), False),
        (errors.ResourceFailedError("training set", "t", "DataNotEnough", "too few"), False),
        (ValueError("validation found 3 errors"), False),
    ],
)
def test_retry_only_transient(exc: BaseException, expected: bool) -> None:
    assert retry_on_transient(None, None, _state(exc)) is expected


def test_retry_follows_the_cause_chain() -> None:
    try:
        try:
            raise httpx.ReadTimeout("slow")
        except httpx.ReadTimeout as inner:
            raise RuntimeError("stage failed") from inner
    except RuntimeError as outer:
        assert is_retryable(outer)


def test_artifact_keys_and_variable_names_are_valid() -> None:
    for parts in (("report", "Jessica_Project"), ("validation", "My Dataset #1", "Acoustic")):
        assert re.fullmatch(r"[a-z0-9-]+", artifact_key(*parts))
        assert re.fullmatch(r"[a-z0-9_-]+", variable_name(*parts))
    assert variable_name("a", "b") != variable_name("a-b")


def _repeated_run(key: str) -> str | None:
    """The first run of words said twice in a row (``a-b-a-b``), if any."""
    words = key.split("-")
    for n in range(1, len(words) // 2 + 1):
        for i in range(len(words) - 2 * n + 1):
            if words[i : i + n] == words[i + n : i + 2 * n]:
                return "-".join(words[i : i + n])
    return None


def test_artifact_keys_are_short_unique_and_never_repeat_themselves() -> None:
    """Issue 27: ``report-my-voice-my-voice-trainingset-training-set-link`` said everything twice."""
    project, ts = "my-voice", "my-voice-trainingset"
    assert artifact_key("report", project, ts) == "report-my-voice-trainingset"
    training_set = ResourceOutcome(kind="training set", id=f"{ts}-v0123abcd")
    assert link_key(artifact_key("report", project, ts), training_set) == f"{ts}-link"
    assert artifact_key("try-voice", "demo", "demo-voice") == "try-voice-demo-voice"
    keys = {}
    for proj in ("my-voice", "jessica", "call-center"):
        for resource in (f"{proj}-trainingset", f"{proj}-voice", "takes-2024", f"{proj}-model"):
            for prefix in ("report", "validation", "progress", "try-voice"):
                key = artifact_key(prefix, proj, resource)
                assert _repeated_run(key) is None, key
                keys[(proj, resource, prefix)] = key
            report = artifact_key("report", proj, resource)
            for kind, name in (("project", None), ("training set", None), ("dataset", "faq")):
                link = link_key(report, ResourceOutcome(kind=kind, id="x", display_name=name))
                assert _repeated_run(link) is None and link.endswith("-link"), link
                keys[(proj, resource, kind)] = link
    assert len(set(keys.values())) == len(keys)  # one key per project, resource and artifact
    long = artifact_key("report", "p" * 70, "q" * 70)
    assert len(long) == 120 and long != artifact_key("report", "p" * 70, "q" * 71)


def test_report_lists_resources_rejects_timings_and_hides_secrets() -> None:
    md = render_report(
        "Professional voice onboarding: jess",
        resources=[
            ResourceOutcome(
                kind="project", id="jess", url="http://h/customvoice/projects/jess", action="reused"
            ),
            ResourceOutcome(
                kind="training set", id="ts", url="http://h/t?sig=SECRET&sv=1", status="Succeeded"
            ),
        ],
        facts=[("utterances", 12)],
        rejects=[("0003.wav", "audio.sample_rate_too_low", "8000 Hz < 16000 Hz")],
        timings=[StageTiming(stage="stage", seconds=1.5), StageTiming(stage="wait", seconds=2.0)],
        notes=["force: 1 file not uploaded"],
    )
    assert "SECRET" not in md
    assert (
        "| project | `jess` |  | reused |  | "
        "[REST API (needs the key)](<http://h/customvoice/projects/jess>) |"
    ) in md
    assert "audio.sample_rate_too_low" in md and "| **total** | 3.50 |" in md
    assert "## Rejected (1)" in md


def test_cached_stage_outcome_reports_nothing_moved() -> None:
    first = StageOutcome(
        container="c",
        prefix="p/",
        manifest_hash="h",
        files=3,
        uploaded_files=3,
        skipped_files=0,
        uploaded_bytes=300,
        skipped_bytes=0,
        seconds=1.0,
    )
    again = first.as_cached()
    assert (again.uploaded_bytes, again.uploaded_files, again.skipped_bytes, again.cached) == (
        0,
        0,
        300,
        True,
    )


def test_a_test_dataset_that_is_also_training_data_is_warned_about() -> None:
    """Issue 27: evaluating on training data says little; the run warns (log and report)."""
    by_name = evaluated_on_training_data("calls", "h1", [("faq", "h2"), ("calls", "h1")])
    assert by_name is not None and "model.datasets names it" in by_name and " → " in by_name
    by_content = evaluated_on_training_data("calls", "h1", [("calls-copy", "h1")])
    assert by_content is not None and "same data as training dataset 'calls-copy'" in by_content
    assert evaluated_on_training_data("calls", "h1", [("faq", "h2")]) is None
