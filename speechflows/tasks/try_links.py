"""Fresh links in the try reports: ``speechflows try links``.

A try report links what its try step wrote (a synthesised WAV under a run's ``try/``, an alignment
CSV under ``try-speech/``) with a read-only SAS URL of that one blob that expires within the hour.
After the hour, or when Blob answers on another address than when the report was written, the
report's links no longer open. :func:`refresh_links` mints a new link of the same kind (read only,
one blob, :data:`LINK_MINUTES`) for each such blob that still exists on the configured storage
account, and updates the expiry times the report shows; :func:`refresh_artifacts` does it for the
try artifacts on the Prefect server, in place (the run's Artifacts tab and the artifact key both
show the fresh links). Nothing but those links and their expiry times changes, and a link to any
other blob, or with any other permission, is left as it is.

Example:
    >>> refresh_artifacts(load_storage_settings())                     # doctest: +SKIP
    [RefreshedArtifact(key='try-voice-demo-personal-voice', links=3, missing=[])]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, unquote, urlsplit

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import ArtifactUpdate
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, ArtifactFilterType

from speechflows.settings import StorageSettings
from speechflows.storage import blob_sas_url
from speechflows.storage.account import Account
from speechflows.tasks.try_voice import LINK_MINUTES

TRY_KEYS = ("try-voice-", "try-speech-")
"""The artifact keys of the try reports (``artifact_key("try-voice", …)``, ``("try-speech", …)``)."""
_DESTINATION = re.compile(r"\]\(<(https?://[^>\s]+)>\)")
_UNTIL = re.compile(r"\b(expires?(?: at)?) \d{2}:\d{2} UTC")


def try_blob(name: str) -> bool:
    """Whether a blob is one a try step writes (the only blobs a report links).

    >>> try_blob("personal-voice/p/v/try/01-ab12.wav"), try_blob("try-speech/ab/results/a.csv")
    (True, True)
    >>> try_blob("personal-voice/p/v/data/01.wav")
    False
    """
    return "/try/" in f"/{name}" or name.startswith("try-speech/")


def _blob_of(url: str, service_url: str) -> tuple[str, str] | None:
    """``(container, blob)`` of a read-only one-blob try link under ``service_url``'s path."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if query.get("sp") != "r" or query.get("sr") != "b":
        return None
    # Azurite's path-style URLs carry the account in the path; Azure's carry it in the host.
    base = urlsplit(service_url).path.rstrip("/")
    path = unquote(parts.path)
    if not path.startswith(f"{base}/"):
        return None
    container, _, blob = path[len(base) + 1 :].partition("/")
    return (container, blob) if container and try_blob(blob) else None


@dataclass
class Refreshed:
    """A report with fresh links: how many were re-minted, which blobs are gone."""

    text: str
    links: int
    missing: list[str] = field(default_factory=list)
    expires: datetime | None = None


def refresh_links(text: str, settings: StorageSettings, now: datetime | None = None) -> Refreshed:
    """``text`` with each try link re-minted on ``settings``' account (expiry times updated:
    those on the line of a re-minted link, and those on lines without links).

    A link whose blob no longer exists stays as it was and is named in ``missing``.
    """
    account = Account.from_settings(settings)
    expires = (now or datetime.now(UTC)) + timedelta(minutes=LINK_MINUTES)
    missing: list[str] = []
    count = 0

    def fresh(match: re.Match[str]) -> str:  # one link, ``service`` bound below
        nonlocal count
        where = _blob_of(match.group(1), account.service_url)
        if where is None:
            return match.group(0)
        container, blob = where
        if not service.get_blob_client(container, blob).exists():
            missing.append(f"{container}/{blob}")
            return match.group(0)
        count += 1
        link = blob_sas_url(settings, container, blob, expiry_minutes=LINK_MINUTES)
        return f"](<{link}>)"

    until = expires.strftime("%H:%M UTC")
    lines = text.split("\n")
    with account.service_client() as service:
        for i, line in enumerate(lines):
            before = count
            lines[i] = _DESTINATION.sub(fresh, line)
            if count > before:  # the line's own expiry times ("(link expires 10:42 UTC)")
                lines[i] = _UNTIL.sub(lambda m: f"{m.group(1)} {until}", lines[i])
    if count:  # and the report's sentence about them
        lines = [
            line
            if _DESTINATION.search(line)
            else _UNTIL.sub(lambda m: f"{m.group(1)} {until}", line)
            for line in lines
        ]
    return Refreshed("\n".join(lines), count, missing, expires if count else None)


@dataclass
class RefreshedArtifact:
    """One try artifact whose links were re-minted."""

    key: str
    links: int
    missing: list[str]


def refresh_artifacts(
    settings: StorageSettings, keys: list[str] | None = None, *, page: int = 200
) -> list[RefreshedArtifact]:
    """Re-mint the links of every version of the try reports (or of ``keys``) in place.

    Talks to the Prefect server ``PREFECT_API_URL`` names; the artifacts stay attached to their
    flow runs.
    """
    out: list[RefreshedArtifact] = []
    with get_client(sync_client=True) as client:
        offset = 0
        while True:
            batch = client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    key=ArtifactFilterKey(any_=keys) if keys else ArtifactFilterKey(like_="try-"),
                    type=ArtifactFilterType(any_=["markdown"]),
                ),
                limit=page,
                offset=offset,
            )
            for artifact in batch:
                key = artifact.key or ""
                if not isinstance(artifact.data, str) or not (keys or key.startswith(TRY_KEYS)):
                    continue
                refreshed = refresh_links(artifact.data, settings)
                if refreshed.links:
                    client.update_artifact(artifact.id, ArtifactUpdate(data=refreshed.text))
                if refreshed.links or refreshed.missing:
                    out.append(RefreshedArtifact(key, refreshed.links, refreshed.missing))
            if len(batch) < page:
                return out
            offset += page


__all__ = [
    "TRY_KEYS",
    "Refreshed",
    "RefreshedArtifact",
    "refresh_artifacts",
    "refresh_links",
    "try_blob",
]
