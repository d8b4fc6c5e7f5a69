"""Plain http to a Speech endpoint off loopback: refused unless explicitly allowed, then warned."""

from __future__ import annotations

import logging

import pytest

from speechflows.settings import SettingsError, load_speech_settings

KEY = "k" * 32


def test_http_off_loopback_is_refused_with_the_setting_that_allows_it() -> None:
    with pytest.raises(SettingsError, match="SPEECHFLOWS_SPEECH_ALLOW_HTTP=true"):
        load_speech_settings(endpoint="http://10.77.0.1:8765", key=KEY)


def test_http_on_loopback_needs_nothing() -> None:
    assert load_speech_settings(endpoint="http://127.0.0.1:8765", key=KEY).base_url.startswith(
        "http://127.0.0.1"
    )


def test_allowed_http_off_loopback_logs_a_warning_without_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="speechflows.settings"):
        s = load_speech_settings(endpoint="http://10.77.0.9:8765", key=KEY, allow_http=True)
    assert s.base_url == "http://10.77.0.9:8765"
    text = caplog.text
    assert "SPEECHFLOWS_SPEECH_ALLOW_HTTP=true" in text and "10.77.0.9" in text
    assert KEY not in text
