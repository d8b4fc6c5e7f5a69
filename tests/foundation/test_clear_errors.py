"""Clear errors (issue 13 item 7): a slow service, missing CLI options, a failed validation.

Each case goes through the real part a user meets: the Speech emulator's latency fault over
loopback, the ``speechflows`` CLI (typer's runner, or a subprocess for a whole onboarding).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from speechflows.cli import app
from speechflows.datasets import DataKind, write_sample
from speechflows.speech.errors import SpeechTimeoutError
from speechflows.speech.http import RetryPolicy, SpeechHTTP
from tests.samples import voice_args

REPO = Path(__file__).resolve().parents[2]


def test_slow_service_error_names_the_timeout_setting(emulator: Any) -> None:
    emulator.set_faults(latency_ms=3000)
    try:
        http = SpeechHTTP(
            emulator.speech_settings(timeout_seconds=0.5),
            retry=RetryPolicy(max_attempts=3, backoff_factor=0.05),
        )
        with pytest.raises(SpeechTimeoutError) as err:
            http.request(
                "GET",
                f"{emulator.base_url}/customvoice/projects",
                params={"api-version": http.settings.custom_voice_api_version},
            )
        http.close()
    finally:
        emulator.clear_faults()
    text = str(err.value)
    assert "timed out after 0.5 s" in text and "attempt 3" in text
    assert "SPEECHFLOWS_SPEECH_TIMEOUT_SECONDS" in text
    assert emulator.key not in text


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_missing_options_are_named_as_cli_flags(tmp_path: Path) -> None:
    data = write_sample(tmp_path / "voice", DataKind.AUDIO_AND_SCRIPT, count=4)
    result = _cli("onboard", "voice", str(data))
    assert result.exit_code == 2
    out = result.output
    assert "missing --project" in out
    for flag in ("--talent", "--company", "--consent (or --consent-blob)"):
        assert f"missing {flag}" in out  # checked by the CLI before Prefect starts
    for field in ("project_id", "voice_talent_name", "audio_file", "Traceback"):
        assert field not in out
    assert out.count("missing --project") == 1


def test_consent_choice_and_bad_values_use_flag_names(tmp_path: Path) -> None:
    data = write_sample(tmp_path / "voice", DataKind.AUDIO_AND_SCRIPT, count=4)
    base = ["onboard", "voice", str(data), "--project", "proj-1", "--talent", "J", "--company", "C"]
    neither = _cli(*base)
    assert neither.exit_code == 2
    assert "missing --consent (or --consent-blob)" in neither.output
    assert "audio_file" not in neither.output and "consent:" not in neither.output
    bad = _cli(*base, "--consent-blob", "x.wav", "--voice-kind", "Robot")
    assert bad.exit_code == 2
    assert "--voice-kind: Input should be 'Male' or 'Female'" in bad.output
    text = tmp_path / "x.txt"
    text.write_text("hello\n", encoding="utf-8")  # a path that exists: the kind is what's wrong
    speech = _cli("onboard", "speech", "--project", "p", "--dataset", f"a:Bogus:{text}")
    assert speech.exit_code == 2
    assert "--dataset NAME:KIND:PATH (item 1): Input should be" in speech.output


def test_failed_validation_prints_one_message_and_no_traceback(
    tmp_path: Path, emulator: Any, azurite: Any
) -> None:
    consent = write_sample(tmp_path / "consent", DataKind.CONSENT)
    data = write_sample(tmp_path / "broken", DataKind.AUDIO_AND_SCRIPT, count=4, broken=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "SPEECHFLOWS_SPEECH_ENDPOINT": emulator.base_url,
        "SPEECHFLOWS_SPEECH_KEY": emulator.key,
        "SPEECHFLOWS_STORAGE_CONNECTION_STRING": azurite.connection_string,
        "SPEECHFLOWS_STORAGE_CONTAINER": "clear-errors",
    }
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("speechflows")),
            *voice_args(data, consent, "clear-errors"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 1, out[-3000:]
    assert out.count("validation found") == 1, out
    assert "Traceback" not in out
    assert "onboarding failed:" in out and "ValidationFailedError" not in out
    assert "--force" in out and "force=true" not in out
