"""Speech and Storage settings from the Prefect server's Secret block, below the environment.

A real Prefect server (the session test server); the block is written the way an operator does
(Blocks → Secret, or ``save_server_settings``) and removed after each test.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from prefect import flow, get_run_logger
from prefect.blocks.system import Secret

from speechflows.redaction import redact_text
from speechflows.settings import (
    SETTINGS_BLOCK,
    SETTINGS_BLOCK_ENV,
    SettingsError,
    load_speech_settings,
    load_storage_settings,
    save_server_settings,
    server_settings,
)

KEY = "b10c" * 8
CONNECTION = (
    "DefaultEndpointsProtocol=http;AccountName=blockacct;AccountKey=YmxvY2tzZWNyZXQ=;"
    "BlobEndpoint=http://127.0.0.1:1/blockacct"
)
_VARS = (
    "SPEECHFLOWS_SPEECH_ENDPOINT",
    "SPEECHFLOWS_SPEECH_REGION",
    "SPEECHFLOWS_SPEECH_KEY",
    "SPEECHFLOWS_SPEECH_USE_ENTRA",
    "SPEECHFLOWS_STORAGE_CONNECTION_STRING",
    "SPEECHFLOWS_STORAGE_ACCOUNT_URL",
    "SPEECHFLOWS_STORAGE_ACCOUNT_KEY",
    "SPEECHFLOWS_STORAGE_CONTAINER",
    SETTINGS_BLOCK_ENV,
)


@pytest.fixture
def block(prefect_server: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in _VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")  # no .env file
    save_server_settings(
        {
            "SPEECHFLOWS_SPEECH_ENDPOINT": "https://blockspeech.cognitiveservices.azure.com",
            "SPEECHFLOWS_SPEECH_KEY": KEY,
            "SPEECHFLOWS_STORAGE_CONNECTION_STRING": CONNECTION,
            "SPEECHFLOWS_STORAGE_CONTAINER": "from-block",
        }
    )
    try:
        yield
    finally:
        from prefect import get_client

        with get_client(sync_client=True) as client:
            doc = client.read_block_document_by_name(SETTINGS_BLOCK, "secret")
            client.delete_block_document(doc.id)
        server_settings(refresh=True)


def test_a_worker_with_no_speechflows_variables_gets_them_from_the_block(block: None) -> None:
    speech = load_speech_settings()
    storage = load_storage_settings()
    assert speech.base_url == "https://blockspeech.cognitiveservices.azure.com"
    assert speech.key is not None and speech.key.get_secret_value() == KEY
    assert storage.container == "from-block"
    assert storage.connection_parts["AccountName"] == "blockacct"
    assert KEY not in repr(speech) and "YmxvY2tzZWNyZXQ=" not in repr(storage)


def test_the_environment_wins_per_variable(block: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "SPEECHFLOWS_SPEECH_ENDPOINT", "https://envspeech.cognitiveservices.azure.com"
    )
    monkeypatch.setenv("SPEECHFLOWS_STORAGE_CONTAINER", "from-env")
    speech = load_speech_settings()
    assert speech.base_url == "https://envspeech.cognitiveservices.azure.com"
    assert speech.key is not None and speech.key.get_secret_value() == KEY  # still the block's
    assert load_storage_settings().container == "from-env"
    assert load_storage_settings(container="from-kwargs").container == "from-kwargs"


def test_an_empty_block_name_turns_the_block_off(
    block: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SETTINGS_BLOCK_ENV, "")
    with pytest.raises(SettingsError, match="SPEECHFLOWS_SPEECH_ENDPOINT is not set"):
        load_speech_settings()


def test_the_key_from_the_block_stays_out_of_a_runs_parameters_and_logs(
    block: None, caplog: pytest.LogCaptureFixture
) -> None:
    @flow
    def uses_the_settings() -> str:
        settings = load_speech_settings()
        get_run_logger().warning("settings: %r", settings)
        return settings.base_url

    with caplog.at_level(logging.WARNING):
        state = uses_the_settings(return_state=True)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "settings: SpeechSettings(" in text and KEY not in text
    assert KEY not in str(state.result()) and KEY not in str(state)
    # Registered with the redaction like every key: any speechflows log line or message drops it.
    assert KEY not in redact_text(f"GET https://x?subscription-key=1 with {KEY}")


def test_a_block_that_is_not_an_object_is_refused_with_the_fix(block: None) -> None:
    Secret(value="just a string").save(SETTINGS_BLOCK, overwrite=True)
    with pytest.raises(SettingsError, match="must hold a JSON object"):
        server_settings(refresh=True)


def test_only_speechflows_settings_go_into_the_block(prefect_server: None) -> None:
    with pytest.raises(SettingsError, match="only SPEECHFLOWS_"):
        save_server_settings({"PREFECT_API_KEY": "x"})
