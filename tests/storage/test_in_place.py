"""Validation in place: the same dataset validated from disk and from Blob gives the same JSON.

The blobs are written by the test itself with the Azure SDK (not by our staging), and the
in-place read is checked to read headers only: a few KiB per audio file, never the whole file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from azure.storage.blob import BlobServiceClient, ContainerSasPermissions, generate_container_sas
from typer.testing import CliRunner

from speechflows.cli import app
from speechflows.datasets import build_zip, validate, write_sample
from speechflows.datasets.kinds import DataKind
from speechflows.location import DataLocation
from speechflows.settings import StorageSettings
from speechflows.storage.blob_source import InPlace, resolve, validate_in_place


def _upload(settings: StorageSettings, root: Path, prefix: str) -> int:
    """Every regular file under ``root`` as a blob under ``prefix``; the bytes uploaded."""
    assert settings.connection_string is not None
    total = 0
    with BlobServiceClient.from_connection_string(
        settings.connection_string.get_secret_value()
    ) as svc:
        cc = svc.get_container_client(settings.container)
        if not cc.exists():
            cc.create_container()
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for f in files:
            rel = f.name if root.is_file() else f.relative_to(root).as_posix()
            data = f.read_bytes()
            cc.upload_blob(f"{prefix}/{rel}", data, overwrite=True)
            total += len(data)
    return total


def _in_place(settings: StorageSettings, source: str, kind: str) -> tuple[dict, InPlace]:
    location, token = resolve(DataLocation.parse(source), settings)
    report, counters = validate_in_place(location, token, kind)
    return json.loads(report.to_json()), counters


@pytest.mark.parametrize(
    ("kind", "broken"),
    [
        ("AudioAndScript", False),
        ("AudioAndScript", True),
        ("LongAudio", True),
        ("Prompt", True),
        ("AudioFiles", True),
        ("Acoustic", True),
        ("Language", True),
        ("Pronunciation", True),
    ],
)
def test_same_findings_on_disk_and_in_place(
    kind: str, broken: bool, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    path = write_sample(tmp_path / "ds", kind, broken=broken)
    on_disk = json.loads(validate(path, kind).to_json())
    prefix = f"in/{kind.lower()}"
    uploaded = _upload(storage_settings, path, prefix)
    source = f"blob://{storage_settings.container}/{prefix}"
    if path.is_file():
        source += f"/{path.name}"
    in_place, counters = _in_place(storage_settings, source, kind)
    assert in_place == on_disk
    assert on_disk["findings"] or not broken  # the broken sample did seed findings
    assert counters.list_requests == 1
    if DataKind.parse(kind).name not in ("LANGUAGE", "PRONUNCIATION"):
        # Headers only: far less than the data (text files are read whole, and they are small).
        assert counters.bytes_read < uploaded / 2, (counters.bytes_read, uploaded)


def test_wav_headers_are_read_not_the_audio(
    tmp_path: Path, storage_settings: StorageSettings
) -> None:
    path = write_sample(tmp_path / "ds", "AudioAndScript", count=40)
    wavs = sorted(path.rglob("*.wav"))
    # Pad every WAV with silence to ~300 KB, so reading whole files would show.
    for w in wavs:
        with open(w, "r+b") as f:
            data = bytearray(f.read())
            extra = 300_000 - len(data)
            if extra > 0:
                data += bytes(extra)
                size = len(data)
                data[4:8] = (size - 8).to_bytes(4, "little")
                at = data.find(b"data")
                data[at + 4 : at + 8] = (size - at - 8).to_bytes(4, "little")
                f.seek(0)
                f.write(data)
    on_disk = json.loads(validate(path, "AudioAndScript").to_json())
    uploaded = _upload(storage_settings, path, "big")
    in_place, counters = _in_place(
        storage_settings, f"blob://{storage_settings.container}/big", "AudioAndScript"
    )
    assert in_place == on_disk
    scripts = sum(os.path.getsize(p) for p in path.rglob("*.txt"))
    assert counters.bytes_read <= scripts + len(wavs) * 4096
    assert counters.bytes_read / uploaded < 0.02


def _sas_url(settings: StorageSettings, permission: str, hours: float, prefix: str) -> str:
    assert settings.connection_string is not None
    with BlobServiceClient.from_connection_string(
        settings.connection_string.get_secret_value()
    ) as svc:
        token = generate_container_sas(
            svc.account_name,
            settings.container,
            account_key=svc.credential.account_key,
            permission=ContainerSasPermissions.from_string(permission),
            expiry=dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours),
        )
        return f"{svc.url.rstrip('/')}/{settings.container}/{prefix}?{token}"


def test_cli_validates_in_place_like_on_disk_and_stage_moves_nothing(
    tmp_path: Path, storage_settings: StorageSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert storage_settings.connection_string is not None
    monkeypatch.setenv(
        "SPEECHFLOWS_STORAGE_CONNECTION_STRING",
        storage_settings.connection_string.get_secret_value(),
    )
    monkeypatch.setenv("SPEECHFLOWS_STORAGE_CONTAINER", storage_settings.container)
    path = write_sample(tmp_path / "ds", "AudioAndScript", broken=True)
    _upload(storage_settings, path, "cli")
    runner = CliRunner()
    local = runner.invoke(app, ["validate", str(path), "--kind", "AudioAndScript", "--json"])
    for source in (
        f"blob://{storage_settings.container}/cli",
        _sas_url(storage_settings, "rl", 4, "cli"),  # outlives the 180-minute deadline
    ):
        remote = runner.invoke(app, ["validate", source, "--kind", "AudioAndScript", "--json"])
        assert remote.exit_code == local.exit_code == 1
        assert json.loads(remote.stdout) == json.loads(local.stdout)
        assert "sig=" not in remote.output.replace("sig=REDACTED", "")
    staged = runner.invoke(app, ["stage", f"blob://{storage_settings.container}/cli", "--json"])
    assert staged.exit_code == 0, staged.output
    assert json.loads(staged.stdout)["uploaded_bytes"] == 0
    no_list = runner.invoke(
        app,
        ["validate", _sas_url(storage_settings, "r", 2, "cli"), "--kind", "AudioAndScript"],
    )
    assert no_list.exit_code == 2
    # named like onboard names it (issue 27), not a generic 403
    assert "missing list" in no_list.output and "sp=rl" in no_list.output
    assert "sig=" not in no_list.output.replace("sig=REDACTED", "")


@pytest.mark.parametrize("broken", [False, True])
def test_a_zip_blob_is_read_through_its_central_directory_like_on_disk(
    broken: bool, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    data = write_sample(tmp_path / "ds", "Acoustic", count=30, broken=broken)
    archive = build_zip(data, tmp_path / "acoustic.zip")
    on_disk = json.loads(validate(archive, "Acoustic").to_json())
    _upload(storage_settings, archive, "zips")
    in_place, counters = _in_place(
        storage_settings, f"blob://{storage_settings.container}/zips/acoustic.zip", "Acoustic"
    )
    assert in_place == on_disk
    assert counters.bytes_read < archive.stat().st_size


def test_a_corrupt_zip_blob_is_the_same_finding_as_on_disk(
    tmp_path: Path, storage_settings: StorageSettings
) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip archive" * 10)
    on_disk = json.loads(validate(bad, "Acoustic").to_json())
    _upload(storage_settings, bad, "bad")
    in_place, _ = _in_place(
        storage_settings, f"blob://{storage_settings.container}/bad/bad.zip", "Acoustic"
    )
    assert in_place == on_disk
    assert on_disk["counts_by_code"] == {"zip.invalid": 1}
