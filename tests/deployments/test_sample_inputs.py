"""`dev up` puts the inputs prefect.yaml's defaults name in Blob, so *Run* works on any worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from azure.storage.blob import BlobServiceClient

from speechflows.datasets import validate
from speechflows.dev.sample_inputs import (
    DEFAULT_INPUTS,
    SAMPLES_CONTAINER,
    upload_default_inputs,
    write_local,
)
from speechflows.settings import load_storage_settings

REPO = Path(__file__).resolve().parents[2]


def _strings(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(set(), *(_strings(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(set(), *(_strings(v) for v in value))
    return {value} if isinstance(value, str) else set()


def test_every_onboarding_default_is_a_blob_sample_and_none_is_a_local_path() -> None:
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())
    named: set[str] = set()
    for deployment in spec["deployments"]:
        params = deployment.get("parameters", {}).get("params", {})
        for source in (params.get("data_dir"), params.get("prompt_path")):
            if source is not None:
                named.add(source)
        named |= {d["path"] for d in params.get("datasets", [])}
        consent = params.get("consent", {})
        assert "audio_file" not in consent, deployment["name"]  # a path of one machine
        if "audio_blob" in consent:
            named.add(f"blob://{SAMPLES_CONTAINER}/{consent['audio_blob']}")
        for text in _strings(deployment.get("parameters", {})):
            assert not text.startswith(("data/", ".speechflows/", "/")), (deployment["name"], text)
    assert named == {sample.url for sample in DEFAULT_INPUTS}


def test_samples_validate_clean(tmp_path: Path) -> None:
    for sample in DEFAULT_INPUTS:
        local = write_local(sample, tmp_path / sample.name.rstrip("/"))
        report = validate(local, sample.kind)
        assert not report.has_errors, (sample.name, report.to_text())


def test_upload_writes_each_sample_once_and_keeps_existing_blobs(azurite: Any) -> None:
    settings = load_storage_settings(connection_string=azurite.connection_string)
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    container = service.get_container_client(SAMPLES_CONTAINER)
    if not container.exists():
        container.create_container()
    mine = b"\xef\xbb\xbfmy own sentence\n"
    container.upload_blob("samples/language.txt", mine, overwrite=True)
    first = upload_default_inputs(settings)
    assert sorted(first) == sorted(s.blob_name for s in DEFAULT_INPUTS if s.name != "language.txt")
    assert container.download_blob("samples/language.txt").readall() == mine
    names = [b.name for b in container.list_blobs(name_starts_with="samples/")]
    assert any(n.startswith("samples/my-voice/") and n.endswith(".wav") for n in names)
    assert upload_default_inputs(settings) == []
