from __future__ import annotations

import pytest

from speechflows.settings import (
    SettingsError,
    load_speech_settings,
    load_storage_settings,
)

KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("SPEECHFLOWS_SPEECH_") or name.startswith("SPEECHFLOWS_STORAGE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(str(tmp_path))  # no stray .env


def test_missing_endpoint_names_variable_and_example() -> None:
    with pytest.raises(SettingsError) as err:
        load_speech_settings(key=KEY)
    assert "SPEECHFLOWS_SPEECH_ENDPOINT" in str(err.value)
    assert "https://eastus.api.cognitive.microsoft.com" in str(err.value)


def test_missing_key_names_variable() -> None:
    with pytest.raises(SettingsError, match="SPEECHFLOWS_SPEECH_KEY"):
        load_speech_settings(region="eastus")


def test_region_builds_regional_endpoint_and_defaults() -> None:
    s = load_speech_settings(region="westeurope", key=KEY)
    assert s.base_url == "https://westeurope.api.cognitive.microsoft.com"
    assert s.custom_voice_api_version == "2026-01-01"
    assert s.speech_to_text_api_version == "2025-10-15"
    assert not s.speech_to_text_legacy_paths


def test_env_prefix_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from pathlib import Path

    Path(".env").write_text(f"SPEECHFLOWS_SPEECH_KEY={KEY}\n")
    monkeypatch.setenv("SPEECHFLOWS_SPEECH_ENDPOINT", "https://x.cognitiveservices.azure.com/")
    monkeypatch.setenv("SPEECHFLOWS_SPEECH_SPEECH_TO_TEXT_API_VERSION", "v3.2")
    s = load_speech_settings()
    assert s.base_url == "https://x.cognitiveservices.azure.com"
    assert s.key is not None and s.key.get_secret_value() == KEY
    assert s.speech_to_text_legacy_paths


def test_secrets_never_shown() -> None:
    s = load_speech_settings(region="eastus", key=KEY)
    st = load_storage_settings(
        connection_string="DefaultEndpointsProtocol=https;AccountName=a;AccountKey=SECRETKEY123==;"
    )
    for text in (
        repr(s),
        str(s),
        str(s.model_dump()),
        s.model_dump_json(),
        repr(st),
        str(st.model_dump()),
    ):
        assert KEY not in text
        assert "SECRETKEY123" not in text


def test_entra_requires_custom_domain() -> None:
    with pytest.raises(SettingsError, match="custom-domain"):
        load_speech_settings(region="eastus", use_entra=True)
    s = load_speech_settings(endpoint="https://mine.cognitiveservices.azure.com", use_entra=True)
    assert s.key is None


def test_plain_http_only_on_loopback() -> None:
    with pytest.raises(SettingsError, match="https"):
        load_speech_settings(endpoint="http://example.com", key=KEY)
    assert (
        load_speech_settings(endpoint="http://127.0.0.1:8080", key=KEY).base_url
        == "http://127.0.0.1:8080"
    )


def test_unsupported_api_version_rejected() -> None:
    with pytest.raises(SettingsError, match="2026-01-01"):
        load_speech_settings(region="eastus", key=KEY, custom_voice_api_version="2022-01-01")


def test_storage_needs_a_connection() -> None:
    with pytest.raises(SettingsError, match="SPEECHFLOWS_STORAGE_CONNECTION_STRING"):
        load_storage_settings()
    with pytest.raises(SettingsError, match="SPEECHFLOWS_STORAGE_ACCOUNT_KEY"):
        load_storage_settings(account_url="https://a.blob.core.windows.net")
