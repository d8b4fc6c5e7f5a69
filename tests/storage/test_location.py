"""The one data-location type: each form parsed once, and a SAS never in what it prints."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from speechflows.location import DataLocation, DataSourceError
from speechflows.storage import BlobNameError, ContainerNameError, SasError

SIG = "c2lnbmF0dXJlLW9mLXRoZS10ZXN0"
FAR = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
QUERY = f"sv=2025-01-05&sr=c&sp=rl&se={FAR}&sig={SIG}"
AZURITE = f"http://127.0.0.1:10000/devstoreaccount1/speech-data/voice/jess?{QUERY}"


def test_a_local_path_is_a_local_location() -> None:
    location = DataLocation.parse("data/jessica")
    assert location.path == Path("data/jessica") and not location.in_place
    assert str(location) == "data/jessica" and location.name == "jessica"
    assert DataLocation.parse(Path("x.wav")).local == Path("x.wav")


def test_blob_forms_name_a_prefix_or_one_blob() -> None:
    prefix = DataLocation.parse("blob://speech-data/voice/jessica/")
    assert (prefix.container, prefix.prefix, prefix.blob) == ("speech-data", "voice/jessica", None)
    assert prefix.in_place and not prefix.single and prefix.prefix_dir == "voice/jessica/"
    one = DataLocation.parse("blob://speech-data/sets/phrases.txt")
    assert one.single and one.blob == "sets/phrases.txt" and one.name == "phrases.txt"
    assert one.display == "blob://speech-data/sets/phrases.txt"
    with pytest.raises(DataSourceError, match="is in Blob Storage"):
        _ = one.local


def test_a_sas_url_keeps_its_token_out_of_repr_str_and_display() -> None:
    location = DataLocation.parse(AZURITE)
    assert location.sas == QUERY
    assert location.service_url == "http://127.0.0.1:10000/devstoreaccount1"
    assert location.display == "http://127.0.0.1:10000/devstoreaccount1/speech-data/voice/jess"
    for text in (repr(location), str(location), location.display, f"{location}"):
        assert SIG not in text and "sig=" not in text
    assert location.signed_url() == (f"http://127.0.0.1:10000/devstoreaccount1/speech-data?{QUERY}")
    assert location == DataLocation.parse(AZURITE.replace(SIG, "b3RoZXItc2ln"))  # sas not compared


def test_a_url_without_a_sas_or_of_another_host_is_refused_with_the_fix() -> None:
    with pytest.raises(DataSourceError, match="needs a SAS") as no_sas:
        DataLocation.parse("https://acct.blob.core.windows.net/c0ntainer/x")
    assert "generate-sas" in no_sas.value.fix
    with pytest.raises(DataSourceError, match="not a Blob Storage URL"):
        DataLocation.parse(f"https://example.org/c/x?{QUERY}")
    with pytest.raises(ContainerNameError):
        DataLocation.parse("blob://Bad_Container/x")
    with pytest.raises(BlobNameError):
        DataLocation.parse("blob://speech-data/a/../b.zip")


def test_secret_source_reads_its_block_through_the_callback_once() -> None:
    asked: list[str] = []

    def value(source: str) -> str:
        asked.append(source)
        return AZURITE

    location = DataLocation.parse("secret://my-data-sas", secret_value=value)
    assert asked == ["secret://my-data-sas"]
    assert location.secret == "my-data-sas" and location.sas == QUERY
    with pytest.raises(DataSourceError, match="read from the Prefect API"):
        DataLocation.parse("secret://my-data-sas")


def test_the_sas_check_names_the_location_and_the_missing_permission() -> None:
    read_only = DataLocation.parse(AZURITE.replace("sp=rl", "sp=r"))
    with pytest.raises(SasError) as refused:
        read_only.check_sas(dt.timedelta(minutes=30))
    assert str(refused.value).startswith(read_only.display) and "list" in str(refused.value)
    assert SIG not in str(refused.value)
    DataLocation.parse(AZURITE).check_sas(dt.timedelta(minutes=30))  # r + l, valid for days
    DataLocation.parse("blob://speech-data/x").check_sas(dt.timedelta(days=30))  # minted later
