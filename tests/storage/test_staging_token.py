"""The staging SAS: write + list only (delete only to prune), living minutes, renewed before it
expires so a long stage still completes; no signature in the logs. On Azurite, which checks each
request's ``sp`` against the operation and ``se`` against its own clock."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from speechflows.datasets.manifest import build_manifest
from speechflows.settings import StorageSettings
from speechflows.storage import CredentialRefusedError, StageProgress, stage
from speechflows.storage import staging as staging_module
from speechflows.storage.account import Account
from tests.storage.conftest import read_blobs, write_dataset


def _fields(token: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(token.lstrip("?")).items()}


def _expiry(token: str) -> dt.datetime:
    return dt.datetime.fromisoformat(_fields(token)["se"].replace("Z", "+00:00"))


@pytest.fixture
def minted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[dt.datetime, str]]:
    """Every SAS token the product signs during the test, with the time it was signed."""
    tokens: list[tuple[dt.datetime, str]] = []
    original = Account.sas_token_for

    def recording(self: Account, *args: Any, **kwargs: Any) -> str:
        token = original(self, *args, **kwargs)
        tokens.append((dt.datetime.now(dt.UTC), token))
        return token

    monkeypatch.setattr(Account, "sas_token_for", recording)
    return tokens


@pytest.mark.parametrize(("prune", "allowed"), [(False, set("wl")), (True, set("wdl"))])
def test_staging_sas_lives_minutes_and_grants_only_what_staging_needs(
    tmp_path: Path,
    storage_settings: StorageSettings,
    minted: list[tuple[dt.datetime, str]],
    caplog: pytest.LogCaptureFixture,
    prune: bool,
    allowed: set[str],
) -> None:
    data = write_dataset(tmp_path / "data", count=4)
    caplog.set_level(logging.DEBUG)
    prefix = f"p{int(prune)}"  # both cases share the test's container
    result = stage(build_manifest(data), settings=storage_settings, prefix=prefix, prune=prune)
    assert len(result.uploaded) == 5
    assert minted, "staging signed no SAS"
    for issued, token in minted:
        fields = _fields(token)
        assert set(fields["sp"]) <= allowed and "w" in fields["sp"] and "l" in fields["sp"]
        assert "r" not in fields["sp"] and "c" not in fields["sp"]
        assert fields["sr"] == "c"
        assert _expiry(token) - issued <= dt.timedelta(minutes=16)
        assert fields["sig"] not in caplog.text
    assert set(read_blobs(storage_settings, storage_settings.container, prefix)) == set(
        result.uploaded
    )


def _slow_stage(
    data: Path, settings: StorageSettings, minted: list[tuple[dt.datetime, str]]
) -> tuple[Any, int]:
    """Stage one file at a time; after the first file, wait until the first token has expired
    (by Azurite's clock, same host) before the next request goes out."""
    waited = 0

    def progress(p: StageProgress) -> None:
        nonlocal waited
        if p.uploaded_files == 1 and not waited:
            first_expiry = _expiry(minted[0][1])
            while dt.datetime.now(dt.UTC) <= first_expiry + dt.timedelta(seconds=1):
                time.sleep(0.1)  # the loop is blocked on purpose: the upload is "long"
            waited = 1

    result = stage(
        build_manifest(data), settings=settings, prefix="long", concurrency=1, progress=progress
    )
    return result, waited


def test_a_stage_longer_than_the_token_renews_it_and_completes(
    tmp_path: Path,
    storage_settings: StorageSettings,
    minted: list[tuple[dt.datetime, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(staging_module, "TRANSFER_TOKEN_LIFETIME", dt.timedelta(seconds=3))
    monkeypatch.setattr(staging_module, "TRANSFER_TOKEN_RENEW_BEFORE", dt.timedelta(seconds=2))
    data = write_dataset(tmp_path / "data", count=3)
    result, waited = _slow_stage(data, storage_settings, minted)
    assert waited and len(result.uploaded) == 4
    assert len(minted) >= 2, "the token was never renewed"
    assert _expiry(minted[-1][1]) > _expiry(minted[0][1])
    assert set(read_blobs(storage_settings, storage_settings.container, "long/")) == set(
        result.uploaded
    )


def test_without_renewal_the_expired_token_is_refused(
    tmp_path: Path,
    storage_settings: StorageSettings,
    minted: list[tuple[dt.datetime, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control for the test above: the same slow stage with renewal pushed past the end of
    the stage fails, so the wait does outlive the token and Azurite does check ``se``."""
    monkeypatch.setattr(staging_module, "TRANSFER_TOKEN_LIFETIME", dt.timedelta(seconds=3))
    monkeypatch.setattr(staging_module, "TRANSFER_TOKEN_RENEW_BEFORE", dt.timedelta(hours=-1))
    data = write_dataset(tmp_path / "data", count=3)
    with pytest.raises(CredentialRefusedError) as err:
        _slow_stage(data, storage_settings, minted)
    assert len(minted) == 1
    assert _fields(minted[0][1])["sig"] not in str(err.value)
