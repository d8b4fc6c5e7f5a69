"""Every bad input ends in one typed StagingError naming the thing and the fix, with no secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from azure.storage.blob import BlobServiceClient

from speechflows.datasets.manifest import build_manifest
from speechflows.dev.azurite import ACCOUNT_KEY, Azurite
from speechflows.dev.processes import free_port
from speechflows.settings import StorageSettings, load_storage_settings
from speechflows.storage import (
    BlobNameError,
    ContainerNameError,
    CredentialRefusedError,
    StagingError,
    StorageUnreachableError,
    container_sas_url,
    stage,
)
from tests.storage.conftest import read_blobs

WRONG_KEY = "V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXk="


def _settings_with_key(az: Azurite, key: str, container: str = "errs") -> StorageSettings:
    conn = az.connection_string.replace(ACCOUNT_KEY, key)
    return load_storage_settings(connection_string=conn, container=container)


def test_forbidden_blob_names_are_refused_before_any_upload(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    (dataset / "wavs" / "take 2.").write_bytes(b"RIFF")
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    with pytest.raises(BlobNameError) as err:
        stage(m, settings=storage_settings, prefix="p")
    assert "wavs/take 2." in str(err.value) and "ends with a dot" in str(err.value)
    assert "rename" in err.value.fix
    with pytest.raises(BlobNameError, match=r"'\.\.'"):
        stage(m, settings=storage_settings, prefix="a/../b")
    with pytest.raises(BlobNameError, match="U\\+0001"):
        stage(m, settings=storage_settings, prefix="a\x01b")
    assert read_blobs(storage_settings, storage_settings.container) == {}


@pytest.mark.parametrize("name", ["Bad_Name", "ab", "a--b", "-ab", "x" * 64])
def test_invalid_container_name(dataset: Path, tmp_path: Path, name: str) -> None:
    # Refused offline: the endpoint here does not even exist.
    settings = load_storage_settings(
        connection_string=f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        f"AccountKey={ACCOUNT_KEY};BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;"
    )
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    with pytest.raises(ContainerNameError) as err:
        stage(m, settings=settings, prefix="p", container=name)
    assert repr(name) in str(err.value) and "lowercase" in str(err.value)
    with pytest.raises(ContainerNameError):
        container_sas_url(settings, name)


def test_storage_unreachable(dataset: Path, tmp_path: Path) -> None:
    port = free_port()
    settings = load_storage_settings(
        connection_string=f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        f"AccountKey={ACCOUNT_KEY};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;",
        container="nowhere",
    )
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    with pytest.raises(StorageUnreachableError) as err:
        stage(m, settings=settings, prefix="p")
    assert f"127.0.0.1:{port}" in str(err.value) and "did not answer" in str(err.value)
    assert ACCOUNT_KEY not in str(err.value)


def test_refused_account_key(dataset: Path, tmp_path: Path, azurite: Azurite) -> None:
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    with pytest.raises(CredentialRefusedError) as err:
        stage(m, settings=_settings_with_key(azurite, WRONG_KEY), prefix="p")
    text = str(err.value) + repr(err.value)
    assert "refused the credential" in text and "account key" in err.value.fix
    assert WRONG_KEY not in text


def test_refused_sas_names_blob_and_hides_signature(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings, azurite: Azurite
) -> None:
    # A read + list SAS cannot write: the SAS-only connection string is refused at the first PUT.
    sas_url = container_sas_url(storage_settings)
    assert storage_settings.connection_string is not None
    conn = storage_settings.connection_string.get_secret_value()
    with BlobServiceClient.from_connection_string(conn) as svc:
        svc.create_container(storage_settings.container)
    token = sas_url.split("?", 1)[1]
    signature = dict(p.split("=", 1) for p in token.split("&"))["sig"]
    conn = f"BlobEndpoint={azurite.blob_endpoint};SharedAccessSignature={token}"
    settings = load_storage_settings(connection_string=conn, container=storage_settings.container)
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    with pytest.raises(CredentialRefusedError) as err:
        stage(m, settings=settings, prefix="p", concurrency=1)
    text = str(err.value)
    assert "upload blob 'p/" in text and "403" in text
    assert signature not in text and token not in text
    assert err.value.uploaded == ()


def test_one_base_class_for_every_error() -> None:
    for cls in (BlobNameError, ContainerNameError, CredentialRefusedError, StorageUnreachableError):
        assert issubclass(cls, StagingError)


def test_public_api_is_sorted_and_importable() -> None:
    import speechflows.storage as storage

    assert storage.__all__ == sorted(storage.__all__)
    assert all(hasattr(storage, name) for name in storage.__all__)
