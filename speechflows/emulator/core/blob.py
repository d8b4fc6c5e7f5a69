"""Fetch customer data the way Azure Speech does: through the SAS URLs it was given.

Only loopback URLs are fetched (``127.0.0.1``, ``::1``, ``localhost``): the emulator never sends
traffic outside the machine. Any other host fails exactly like storage Azure cannot reach:
:class:`InaccessibleStorage`, which the operations report as ``InaccessibleCustomerStorage``.

Listing uses the Blob REST API with plain httpx (``?restype=container&comp=list&prefix=...``,
following ``NextMarker``), so a SAS without list permission fails as it does on Azure. SAS query
strings never appear in messages: every URL in an error goes through ``strip_query``.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx

from speechflows.emulator.core.loopback import is_loopback_host
from speechflows.redaction import strip_query


class InaccessibleStorage(Exception):
    """Customer storage could not be read (refused host, 403, 404, network error, too big)."""


def is_loopback_url(url: str) -> bool:
    """True for http(s) URLs on a loopback host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return False
    return is_loopback_host(host)


STORAGE_HOSTS_ENV = "SPEECHFLOWS_EMULATOR_STORAGE_HOSTS"
"""Extra storage hosts the emulator reads (comma-separated): Azurite on another test host."""


def _check(url: str) -> None:
    extra = {h.strip() for h in os.environ.get(STORAGE_HOSTS_ENV, "").split(",") if h.strip()}
    if not is_loopback_url(url) and urlsplit(url).hostname not in extra:
        raise InaccessibleStorage(
            f"the storage at {strip_query(url)} is not reachable from this service "
            "(the emulator only reads loopback storage such as Azurite, and the hosts named by "
            f"{STORAGE_HOSTS_ENV})"
        )


def blob_url(container_url: str, name: str) -> str:
    """The URL of blob ``name`` in the container of a container SAS URL (SAS kept)."""
    parts = urlsplit(container_url)
    path = parts.path.rstrip("/") + "/" + quote(name, safe="/")
    return urlunsplit(parts._replace(path=path))


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in extra]
    query += list(extra.items())
    return urlunsplit(parts._replace(query=urlencode(query, safe="/:")))


def normalize_extensions(extensions: Sequence[str]) -> tuple[str, ...]:
    """``["*.wav", "WAV", ".txt"]`` → ``(".wav", ".wav", ".txt")`` (the forms the docs use)."""
    out = []
    for ext in extensions:
        e = ext.strip().lower().lstrip("*")
        if e and not e.startswith("."):
            e = "." + e
        if e:
            out.append(e)
    return tuple(out)


class BlobReader:
    """Reads containers and blobs over loopback HTTP with a byte budget."""

    def __init__(self, *, max_bytes: int, timeout: float = 30.0) -> None:
        self.max_bytes = max_bytes
        self._client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)

    def close(self) -> None:
        self._client.close()

    def list_blobs(self, container_url: str, prefix: str = "") -> list[tuple[str, int]]:
        """Names and sizes of the blobs under ``prefix``, following ``NextMarker``."""
        _check(container_url)
        out: list[tuple[str, int]] = []
        marker = ""
        while True:
            params = {"restype": "container", "comp": "list"}
            if prefix:
                params["prefix"] = prefix
            if marker:
                params["marker"] = marker
            url = _with_query(container_url, params)
            text = self._get(url).decode("utf-8", errors="replace")
            try:
                root = ET.fromstring(text)
            except ET.ParseError as exc:
                raise InaccessibleStorage(
                    f"listing {strip_query(container_url)} did not return a blob list"
                ) from exc
            for blob in root.iter("Blob"):
                name = blob.findtext("Name") or ""
                size = int(blob.findtext("Properties/Content-Length") or 0)
                if name:
                    out.append((name, size))
            marker = (root.findtext("NextMarker") or "").strip()
            if not marker:
                return out

    def download(self, url: str) -> bytes:
        """GET ``url`` (a blob SAS URL or any loopback URL) within the byte budget."""
        _check(url)
        return self._get(url)

    def download_container(
        self,
        container_url: str,
        *,
        prefix: str,
        extensions: Sequence[str],
        dest: Path,
    ) -> list[Path]:
        """Download blobs under ``prefix`` with one of ``extensions`` into ``dest``.

        Files land at their name relative to ``prefix`` (the layout validators expect).
        """
        wanted = normalize_extensions(extensions)
        blobs = self.list_blobs(container_url, prefix)
        chosen = [(n, s) for n, s in blobs if not wanted or n.lower().endswith(wanted)]
        total = sum(s for _, s in chosen)
        if total > self.max_bytes:
            raise InaccessibleStorage(
                f"{len(chosen)} blobs under {prefix!r} hold {total} bytes, over the "
                f"{self.max_bytes}-byte limit"
            )
        written = []
        for name, _ in chosen:
            rel = name[len(prefix) :] if prefix and name.startswith(prefix) else name
            rel = rel.lstrip("/") or Path(name).name
            target = dest / rel
            if not target.resolve().is_relative_to(dest.resolve()):
                continue  # a blob name with ".." would escape the folder; Azure has no such path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self._get(blob_url(container_url, name)))
            written.append(target)
        return written

    def _get(self, url: str) -> bytes:
        try:
            with self._client.stream("GET", url) as resp:
                if resp.status_code != 200:
                    raise InaccessibleStorage(
                        f"GET {strip_query(url)} answered {resp.status_code} "
                        f"{resp.headers.get('x-ms-error-code', '')}".rstrip()
                    )
                chunks = []
                size = 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise InaccessibleStorage(
                            f"{strip_query(url)} is larger than {self.max_bytes} bytes"
                        )
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            raise InaccessibleStorage(
                f"GET {strip_query(url)} failed: {type(exc).__name__}"
            ) from None
