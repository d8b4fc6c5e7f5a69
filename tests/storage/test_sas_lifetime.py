"""A SAS for the Speech service outlives the read: it lasts the stage's deadline plus a margin,
capped at 7 days, and a SAS whose own ``sp``/``se`` would fail the read is refused before the
submit (ledger: "Storage access: SAS and when the service reads"). Checked on Azurite with raw
httpx reads and SAS tokens the test signs itself with the Azure SDK."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

import httpx
import pytest
from azure.storage.blob import BlobServiceClient, generate_container_sas

from speechflows.settings import StorageSettings, load_storage_settings
from speechflows.storage import SasError, blob_sas_url, check_sas, container_sas_url
from speechflows.storage.sas import SAS_MAX_LIFETIME

DEADLINE = dt.timedelta(minutes=180)
PAYLOAD = b"the bytes the service reads"


@pytest.fixture
def one_blob(storage_settings: StorageSettings) -> str:
    """A blob written by the test itself (not by the product's staging)."""
    conn = storage_settings.connection_parts
    with BlobServiceClient.from_connection_string(
        storage_settings.connection_string.get_secret_value()  # type: ignore[union-attr]
    ) as svc:
        container = svc.get_container_client(storage_settings.container)
        container.create_container()
        container.upload_blob("ds/audio.wav", PAYLOAD)
    assert conn  # a connection-string account
    return "ds/audio.wav"


def _expiry(url: str) -> dt.datetime:
    se = parse_qs(url.split("?", 1)[1])["se"][0]
    return dt.datetime.fromisoformat(se.replace("Z", "+00:00"))


def _sas_only_settings(storage_settings: StorageSettings, token: str) -> StorageSettings:
    parts = storage_settings.connection_parts
    endpoint = parts.get("BlobEndpoint") or parts["blobendpoint"]
    return load_storage_settings(
        connection_string=f"BlobEndpoint={endpoint};SharedAccessSignature={token}",
        container=storage_settings.container,
    )


def _sign(storage_settings: StorageSettings, permission: str, lasts: dt.timedelta) -> str:
    parts = {k.lower(): v for k, v in storage_settings.connection_parts.items()}
    now = dt.datetime.now(dt.UTC)
    return generate_container_sas(
        parts["accountname"],
        storage_settings.container,
        account_key=parts["accountkey"],
        permission=permission,
        start=now - dt.timedelta(minutes=5),
        expiry=now + lasts,
    )


def _refused(
    storage_settings: StorageSettings, permission: str, lasts: dt.timedelta, match: str
) -> tuple[str, SasError]:
    """A SAS the test signs, given as the connection's only credential: its token and the
    :class:`SasError` (matching ``match``) a container SAS URL for :data:`DEADLINE` raises."""
    token = _sign(storage_settings, permission, lasts)
    with pytest.raises(SasError, match=match) as info:
        container_sas_url(_sas_only_settings(storage_settings, token), read_deadline=DEADLINE)
    return token, info.value


def test_a_minted_container_sas_lasts_the_deadline_plus_a_margin_and_reads(
    one_blob: str, storage_settings: StorageSettings
) -> None:
    before = dt.datetime.now(dt.UTC)
    url = container_sas_url(storage_settings, read_deadline=DEADLINE)
    lasts = _expiry(url) - before
    # 180 min deadline + 30 min margin (the setting's 120 minutes would expire inside the wait)
    assert dt.timedelta(minutes=209) <= lasts <= dt.timedelta(minutes=211)
    assert parse_qs(url.split("?", 1)[1])["sp"] == ["rl"]
    base, query = url.split("?", 1)
    with httpx.Client() as http:
        assert http.get(f"{base}/{one_blob}?{query}").content == PAYLOAD
        listing = http.get(f"{base}?restype=container&comp=list&{query}")
        assert listing.status_code == 200 and f"<Name>{one_blob}</Name>" in listing.text


def test_a_minted_blob_sas_outlives_the_deadline_too(
    one_blob: str, storage_settings: StorageSettings
) -> None:
    before = dt.datetime.now(dt.UTC)
    url = blob_sas_url(
        storage_settings, storage_settings.container, one_blob, read_deadline=DEADLINE
    )
    assert _expiry(url) - before >= DEADLINE
    assert httpx.get(url).content == PAYLOAD


def test_a_deadline_no_sas_can_outlive_is_refused_with_the_fix(
    storage_settings: StorageSettings,
) -> None:
    with pytest.raises(SasError, match="at most 7 days") as info:
        container_sas_url(storage_settings, read_deadline=SAS_MAX_LIFETIME)
    assert "Deadlines.dataset_minutes" in str(info.value.fix)


def test_a_given_sas_that_expires_before_the_deadline_is_refused(
    one_blob: str, storage_settings: StorageSettings
) -> None:
    token, error = _refused(
        storage_settings,
        "rl",
        dt.timedelta(minutes=60),
        r"expires at .* before the service may read",
    )
    assert "210 minutes" in str(error.fix)
    assert token not in str(error) and parse_qs(token)["sig"][0] not in str(error)


def test_a_given_sas_without_list_is_refused(
    one_blob: str, storage_settings: StorageSettings
) -> None:
    _, error = _refused(storage_settings, "r", dt.timedelta(hours=5), "missing list")
    assert "--permissions rl" in str(error.fix)


def test_a_given_sas_that_fits_is_passed_on_unchanged_and_reads(
    one_blob: str, storage_settings: StorageSettings
) -> None:
    token = _sign(storage_settings, "rl", dt.timedelta(hours=5))
    settings = _sas_only_settings(storage_settings, token)
    url = container_sas_url(settings, read_deadline=DEADLINE)
    base, query = url.split("?", 1)
    assert query == token
    listing = httpx.get(f"{base}?restype=container&comp=list&{query}")
    assert listing.status_code == 200 and f"<Name>{one_blob}</Name>" in listing.text


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("sv=2024-11-04&sr=c&sp=rl&sig=x", "no expiry"),
        ("sv=2024-11-04&sr=c&sp=rl&se=tomorrow&sig=x", "not an ISO 8601"),
        ("sv=2024-11-04&sr=c&se=2030-01-01T00:00:00Z&sig=x", "grants 'no permissions'"),
    ],
)
def test_sas_fields_that_cannot_be_trusted_are_refused(query: str, problem: str) -> None:
    with pytest.raises(SasError, match=problem):
        check_sas(query, needs="rl", read_deadline=DEADLINE)


def test_the_check_reads_the_sas_own_expiry() -> None:
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    url = "https://a.blob.core.windows.net/c?sp=rl&se=2030-01-01T03:30:00Z&sig=x"
    check_sas(url, needs="rl", read_deadline=DEADLINE, now=lambda: now)  # 210 min >= 180
    with pytest.raises(SasError):
        check_sas(url, needs="rl", read_deadline=dt.timedelta(hours=4), now=lambda: now)
