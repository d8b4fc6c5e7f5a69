"""Drop-location descriptors and content hashes (pure, no Prefect server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from speechflows.flows.drops import (
    DESCRIPTOR,
    DropError,
    find_local,
    folder_hash,
    parse_drop,
    scan_local,
)


def _voice_descriptor(**params: object) -> str:
    base = {
        "project_id": "jessica",
        "data_dir": ".",
        "consent": {
            "voice_talent_name": "Jessica",
            "company_name": "Contoso",
            "audio_file": "consent/consent.wav",
        },
    }
    return json.dumps({"onboarding": "professional-voice", "params": {**base, **params}}, indent=2)


def test_relative_paths_are_anchored_at_the_dataset_folder(tmp_path: Path) -> None:
    folder = tmp_path / "drop" / "jessica"
    folder.mkdir(parents=True)
    (folder / DESCRIPTOR).write_text(_voice_descriptor())
    (datasets, errors) = scan_local(tmp_path / "drop")
    assert errors == []
    [dataset] = datasets
    assert (dataset.name, dataset.deployment) == ("jessica", "professional-voice")
    params = dataset.parameters["params"]
    assert params["data_dir"] == str(folder)
    assert params["consent"]["audio_file"] == str(folder / "consent" / "consent.wav")


def test_the_hash_changes_with_content_and_not_with_timestamps(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one")
    first = folder_hash(tmp_path)
    (tmp_path / "a.txt").write_text("one")  # rewritten, same bytes
    assert folder_hash(tmp_path) == first
    (tmp_path / "a.txt").write_text("two")
    assert folder_hash(tmp_path) != first


def test_a_dataset_folder_is_not_searched_for_nested_datasets(tmp_path: Path) -> None:
    (tmp_path / "outer" / "inner").mkdir(parents=True)
    (tmp_path / "outer" / DESCRIPTOR).write_text("{}")
    (tmp_path / "outer" / "inner" / DESCRIPTOR).write_text("{}")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / DESCRIPTOR).write_text("{}")
    assert find_local(tmp_path) == [tmp_path / "other", tmp_path / "outer"]
    assert find_local(tmp_path / "outer") == [tmp_path / "outer"]


def test_bad_json_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / DESCRIPTOR).write_text('{\n  "onboarding": "personal-voice",\n  oops\n}')
    datasets, [error] = scan_local(tmp_path)
    assert datasets == []
    assert str(tmp_path / "x" / DESCRIPTOR) in error and "line 3" in error and "fix" in error


def test_invalid_parameters_name_the_field_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / DESCRIPTOR).write_text(_voice_descriptor(project_id="x"))
    _, [error] = scan_local(tmp_path)
    assert "params.project_id" in error and "professional-voice" in error
    (tmp_path / "x" / DESCRIPTOR).write_text(json.dumps({"onboarding": "voice", "params": {}}))
    _, [error] = scan_local(tmp_path)
    assert "onboarding" in error


def test_a_drop_location_must_exist(tmp_path: Path) -> None:
    with pytest.raises(DropError, match="not a folder"):
        scan_local(tmp_path / "missing")


@pytest.mark.parametrize(
    ("location", "expected"),
    [("blob://drops", ("drops", "")), ("blob://drops/incoming/", ("drops", "incoming/"))],
)
def test_blob_locations(location: str, expected: tuple[str, str]) -> None:
    parsed = parse_drop(location)
    assert (parsed.container, parsed.prefix_dir) == expected


def test_a_blob_location_refuses_a_sas() -> None:
    with pytest.raises(DropError, match="no SAS"):
        parse_drop("blob://drops/x?sv=1&sig=abc")


def test_a_blob_drop_is_scanned_in_place_and_hashed_by_content(
    storage_settings: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from azure.storage.blob import BlobServiceClient

    from speechflows.flows.blob_drops import scan_blob
    from speechflows.settings import StorageSettings

    assert isinstance(storage_settings, StorageSettings)
    assert storage_settings.connection_string is not None
    service = BlobServiceClient.from_connection_string(
        storage_settings.connection_string.get_secret_value()
    )
    container = service.get_container_client(storage_settings.container)
    container.create_container()
    container.upload_blob("incoming/jessica/" + DESCRIPTOR, _voice_descriptor())
    container.upload_blob("incoming/jessica/consent/consent.wav", b"RIFF")
    location = parse_drop(f"blob://{storage_settings.container}/incoming")

    monkeypatch.chdir(tmp_path)
    [dataset], errors = scan_blob(location, settings=storage_settings)
    assert errors == [] and dataset.name == "jessica"
    params = dataset.parameters["params"]
    # Read in place: the parameters name the blobs; nothing was downloaded anywhere.
    assert params["data_dir"] == f"blob://{storage_settings.container}/incoming/jessica"
    assert params["consent"]["audio_blob"] == "incoming/jessica/consent/consent.wav"
    assert params["consent"]["audio_file"] is None
    assert list(tmp_path.rglob("*")) == []

    [again], _ = scan_blob(location, settings=storage_settings)
    assert again.identity == dataset.identity
    container.upload_blob("incoming/jessica/consent/consent.wav", b"RIFF2", overwrite=True)
    [changed], _ = scan_blob(location, settings=storage_settings)
    assert changed.identity != dataset.identity
