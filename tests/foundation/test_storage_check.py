"""The storage account is checked (reachable, writable) before a flow creates anything.

Raw facts pinned here: a connection to a closed loopback port fails fast and names the setting;
a wrong account key is refused (403) and the message names the setting; a good account gets the
write-check blob written and deleted (checked with a raw listing, not with our code).
"""

from __future__ import annotations

import base64
import datetime as dt
import time
from typing import Any

import httpx
import pytest
from azure.storage.blob import generate_container_sas

from speechflows.dev.azurite import ACCOUNT_KEY, ACCOUNT_NAME, Azurite, connection_string_for
from speechflows.dev.processes import free_port
from speechflows.flows.common import (
    REACH_SECONDS,
    REACH_TRIES,
    check_settings,
    check_speech_reachable,
)
from speechflows.settings import SettingsError, load_speech_settings, load_storage_settings
from speechflows.storage.account import (
    CHECK_BOUND_SECONDS,
    CHECK_RETRIES,
    WRITE_CHECK_BLOB,
    check_storage_writable,
)
from speechflows.storage.errors import CredentialRefusedError, StorageUnreachableError
from tests.sockets import silent_listener


def test_closed_port_fails_fast_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, emulator: Any
) -> None:
    port = free_port()  # nothing listens there
    monkeypatch.setenv("SPEECHFLOWS_STORAGE_CONNECTION_STRING", connection_string_for(port))
    # Speech answers (check_settings probes it too); only the storage port is closed.
    monkeypatch.setenv("SPEECHFLOWS_SPEECH_ENDPOINT", emulator.base_url)
    monkeypatch.setenv("SPEECHFLOWS_SPEECH_KEY", emulator.key)
    started = time.monotonic()
    with pytest.raises(StorageUnreachableError) as err:
        check_settings()
    assert time.monotonic() - started < 30
    text = str(err.value)
    assert "SPEECHFLOWS_STORAGE_CONNECTION_STRING" in text
    assert f"127.0.0.1:{port}" in text and "nothing was created" in text
    assert "AccountKey" not in text and "Eby8vdM02" not in text


def test_wrong_key_is_refused_naming_the_setting(azurite: Azurite) -> None:
    bad_key = base64.b64encode(b"not the account key, 64 bytes long.............................")
    conn = connection_string_for(azurite.port).replace(ACCOUNT_KEY, bad_key.decode())
    settings = load_storage_settings(connection_string=conn, container="check-bad-key")
    with pytest.raises(CredentialRefusedError) as err:
        check_storage_writable(settings)
    assert "SPEECHFLOWS_STORAGE_CONNECTION_STRING" in str(err.value)
    assert bad_key.decode() not in str(err.value)


def test_writable_account_passes_and_leaves_no_check_blob(azurite: Azurite) -> None:
    settings = load_storage_settings(
        connection_string=azurite.connection_string, container="check-ok"
    )
    check_storage_writable(settings)
    check_storage_writable(settings)  # twice: idempotent
    # The container exists and the check blob is gone: a raw REST listing with a SAS we mint.
    sas = generate_container_sas(
        ACCOUNT_NAME,
        "check-ok",
        account_key=ACCOUNT_KEY,
        permission="rl",
        expiry=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
    )
    listing = httpx.get(
        f"{azurite.blob_endpoint}/check-ok?restype=container&comp=list&{sas}", timeout=10
    )
    assert listing.status_code == 200
    assert WRITE_CHECK_BLOB not in listing.text


def test_a_storage_endpoint_that_never_answers_is_left_within_the_bound() -> None:
    """Issue 27: an account that accepts connections and never answers (a hung proxy, a
    blackholed port) is given up after one retry, each try ended by the check's timeout, so
    the check's wait is bounded by CHECK_BOUND_SECONDS (≤ 15 s) and names the setting
    (measured here: about 10 s)."""
    with silent_listener() as (port, accepted):  # each connection kept open, never answered
        settings = load_storage_settings(
            connection_string=connection_string_for(port), container="hung"
        )
        with pytest.raises(StorageUnreachableError) as err:
            check_storage_writable(settings)
    assert len(accepted) == CHECK_RETRIES + 1  # one try, one retry: no more
    assert CHECK_BOUND_SECONDS <= 15
    assert "SPEECHFLOWS_STORAGE_CONNECTION_STRING" in str(err.value)
    assert f"127.0.0.1:{port}" in str(err.value) and "nothing was created" in str(err.value)


def test_a_speech_endpoint_that_never_answers_is_left_within_the_bound() -> None:
    """Issue 27: the flows' start probe gives a Speech endpoint that accepts and never answers
    REACH_TRIES tries of REACH_SECONDS (≤ 15 s), then fails naming the setting, before any
    create."""
    with silent_listener() as (port, accepted):
        settings = load_speech_settings(endpoint=f"http://127.0.0.1:{port}", key="k" * 32)
        with pytest.raises(SettingsError) as err:
            check_speech_reachable(settings)
    assert len(accepted) == REACH_TRIES
    assert REACH_TRIES * REACH_SECONDS <= 15
    assert f"SPEECHFLOWS_SPEECH_ENDPOINT=http://127.0.0.1:{port}" in str(err.value)
    assert "k" * 32 not in str(err.value)
