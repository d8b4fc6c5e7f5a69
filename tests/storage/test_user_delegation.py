"""Entra ID: staging and SAS URLs with a user-delegation key (Azurite over HTTPS, --oauth basic).

Azurite's "basic" OAuth checks a token's issuer, audience and lifetime, not its signature
(reference/azurite.md §5), so a hand-made JWT stands in for an Entra token; azure-identity is
not involved. The SDK refuses tokens over plain HTTP, hence the self-signed certificate.
"""

from __future__ import annotations

import base64
import json
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from azure.core.credentials import AccessToken

from speechflows.datasets.manifest import build_manifest
from speechflows.dev.azurite import ACCOUNT_NAME, azurite_bin
from speechflows.dev.processes import ManagedProcess, free_port
from speechflows.redaction import redact_url
from speechflows.settings import StorageSettings, load_storage_settings
from speechflows.storage import CredentialRefusedError, container_sas_url, stage


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class FakeEntraCredential:
    """A TokenCredential whose JWT passes Azurite's basic checks (issuer, audience, lifetime)."""

    def __init__(self, audience: str = "https://storage.azure.com") -> None:
        self.audience = audience

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        now = int(time.time())
        claims = {
            "aud": self.audience,
            "iss": "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/",
            "iat": now - 60,
            "nbf": now - 60,
            "exp": now + 3600,
            "oid": "11111111-2222-3333-4444-555555555555",
            "tid": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        }
        token = f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64(claims)}.c2lnbmF0dXJl"
        return AccessToken(token, now + 3600)


@pytest.fixture(scope="module")
def https_azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    work = tmp_path_factory.mktemp("azurite-oauth")
    cert, key = work / "cert.pem", work / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    argv = [
        str(azurite_bin()), "--blobHost", "127.0.0.1", "--blobPort", str(port),
        "--inMemoryPersistence", "--oauth", "basic", "--cert", str(cert), "--key", str(key),
        "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--silent",
    ]  # fmt: skip
    with ManagedProcess("Azurite (https, oauth)", argv, port=port, start_timeout=60):
        yield f"https://127.0.0.1:{port}/{ACCOUNT_NAME}", cert


@pytest.fixture
def entra_settings(
    https_azurite: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> StorageSettings:
    url, cert = https_azurite
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))  # the SDK's requests transport
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # aiohttp's default SSL context
    monkeypatch.delenv("SPEECHFLOWS_STORAGE_CONNECTION_STRING", raising=False)
    return load_storage_settings(account_url=url, use_entra=True, container="entra")


def test_stage_and_user_delegation_sas(
    dataset: Path, tmp_path: Path, entra_settings: StorageSettings, https_azurite: tuple[str, Path]
) -> None:
    credential = FakeEntraCredential()
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    result = stage(m, settings=entra_settings, prefix="ud", credential=credential)
    assert len(result.uploaded) == 13

    url = container_sas_url(entra_settings, credential=credential)
    base, query = url.split("?", 1)
    params = parse_qs(query)
    assert params["sp"] == ["rl"] and params["skoid"] == ["11111111-2222-3333-4444-555555555555"]
    assert "skoid=REDACTED" in redact_url(url) and params["sig"][0] not in redact_url(url)
    verify = ssl.create_default_context(cafile=str(https_azurite[1]))
    with httpx.Client(verify=verify) as http:
        got = http.get(f"{base}/ud/wavs/0004.wav?{query}")
        assert got.status_code == 200
        assert got.content == (dataset / "wavs" / "0004.wav").read_bytes()
        listing = http.get(f"{base}?restype=container&comp=list&{query}")
        assert listing.status_code == 200 and listing.text.count("<Name>") == 13
        # Tamper with the raw (URL-encoded) value: a decoded prefix holding '+' or '/' would not
        # occur in the query, leave it intact, and get a 200.
        tampered = query.replace("sig=", "sig=AAAA", 1)
        assert tampered != query
        assert http.get(f"{base}/ud/script.txt?{tampered}").status_code == 403


def test_token_for_another_audience_is_refused(
    dataset: Path, tmp_path: Path, entra_settings: StorageSettings
) -> None:
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    wrong = FakeEntraCredential(audience="https://vault.azure.net")
    with pytest.raises(CredentialRefusedError) as err:
        stage(m, settings=entra_settings, prefix="x", credential=wrong)
    assert "refused the credential" in str(err.value) and "Delegator" in err.value.fix
