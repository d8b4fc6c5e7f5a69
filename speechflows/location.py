"""Where a dataset is: one value, parsed once from the string the user gave (issue 28).

A data location is one string wherever a user gives one (``speechflows validate`` and
``onboard``, a flow's form in the Prefect UI, a params file):

- a local folder or file (``data/jessica``, ``prompt.wav``);
- ``blob://<container>/<prefix>``: blobs in the configured storage account;
- ``https://<account>.blob.core.windows.net/<container>[/<prefix>]?<SAS>``: blobs in another
  account, read through the SAS the user gives (on loopback, Azurite's path-style
  ``http://127.0.0.1:10000/<account>/<container>/...`` too);
- a URL or ``blob://`` path naming one blob (a ``.zip``, ``.txt``, ``.md``, ``.tsv``, ``.wav`` or
  ``.mp3``, or a SAS with ``sr=b``): one file, e.g. a custom speech ``contentUrl``;
- ``secret://<block>``: a Prefect Secret block holding such a URL, so the SAS is not kept in a
  flow run's parameters (the block is read by the caller's ``secret_value``).

:meth:`DataLocation.parse` reads the string once; the flows and tasks receive the
:class:`DataLocation` and never read the string again. It redacts itself: its ``repr`` and
``str`` never hold the SAS (``display`` is the URL without its query).

What is done with a location lives with the layer that does it: listing, ranged reads, the
manifest of blobs and the URL the Speech service reads (:func:`~speechflows.storage.blob_source.
service_url`) in :mod:`speechflows.storage.blob_source`; checking it before anything runs in
:func:`speechflows.preflight.check_source`; staging a local one in ``tasks.data``.

Light on purpose: ``speechflows validate`` of a local folder imports this module and neither
Prefect nor the Azure SDK. The blob-name rules and the SAS check (the storage layer) load with
the first location in Blob Storage.

>>> DataLocation.parse("blob://speech-data/voice/jessica")
DataLocation(path=None, service_url='', container='speech-data', prefix='voice/jessica', \
blob=None, secret='')
>>> str(DataLocation.parse("data/jessica"))
'data/jessica'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from speechflows.datasets.errors import StagingError
from speechflows.datasets.sources import suffix
from speechflows.redaction import register_secret
from speechflows.settings import is_loopback_host

SECRET_SCHEME = "secret://"
REMOTE_SCHEMES = ("blob", "https", "http")
SINGLE_SUFFIXES = frozenset({".zip", ".txt", ".md", ".tsv", ".wav", ".mp3"})
_URL_FIX = "give https://<account>.blob.core.windows.net/<container>/<prefix>?<SAS>"


class DataSourceError(StagingError):
    """A data-source string that names no usable data (the message says why, the fix how)."""


def is_secret(source: str | Path) -> bool:
    """True for ``secret://<block>``."""
    return isinstance(source, str) and source.lower().startswith(SECRET_SCHEME)


def is_remote(source: str | Path) -> bool:
    """True when ``source`` names blobs (``blob://`` or an ``http(s)://`` URL), not a local path."""
    return isinstance(source, str) and source.split("://", 1)[0].lower() in REMOTE_SCHEMES


def sas_fields(url: str) -> dict[str, str]:
    """The query fields of ``url`` (first value of each)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def has_sas(text: str) -> bool:
    """True for an ``http(s)`` URL whose query carries a signature."""
    return text.lower().startswith(("https://", "http://")) and "sig" in sas_fields(text)


def register_sas(url: str) -> None:
    """Teach the redaction the URL's query and signature, wherever they may be printed."""
    query = urlsplit(url).query
    register_secret(query)
    for value in parse_qs(query).get("sig", []):
        register_secret(value)


@dataclass(frozen=True)
class DataLocation:
    """Where a dataset is: a local ``path``, or blobs (a container and a prefix, or one blob).

    For blobs, ``service_url`` is empty for ``blob://`` (the configured account, filled in by
    :func:`~speechflows.storage.blob_source.resolve`); ``sas`` is the user's token (a secret:
    never in ``repr``, ``str`` or ``display``), None when the configured account's credential
    mints one; ``secret`` names the Secret block the URL was read from.
    """

    path: Path | None = None
    service_url: str = ""
    container: str = ""
    prefix: str = ""
    blob: str | None = None
    sas: str | None = field(default=None, repr=False, compare=False)
    secret: str = ""

    @classmethod
    def parse(
        cls, text: str | Path, *, secret_value: Callable[[str], str] | None = None
    ) -> DataLocation:
        """The location ``text`` names; ``secret_value`` reads a ``secret://`` block's URL.

        Raises:
            DataSourceError: an ``http(s)`` URL without a SAS, not a Blob URL, or a
                ``secret://`` source with no way to read it.
            ContainerNameError, BlobNameError: names Azure would refuse.
        """
        if is_secret(text):
            if secret_value is None:
                raise DataSourceError(
                    f"{text}: a secret:// data source is read from the Prefect API",
                    fix="give the Blob URL, or run where a Prefect API is set (PREFECT_API_URL)",
                )
            block = str(text)[len(SECRET_SCHEME) :].strip("/")
            return replace(cls.parse(secret_value(str(text))), secret=block)
        if not is_remote(text):
            return cls(path=Path(text))
        return _parse_blobs(str(text))

    @classmethod
    def staged(cls, container: str, prefix: str = "", blob: str | None = None) -> DataLocation:
        """Blobs in the configured account that speechflows staged (names already checked)."""
        return cls(container=container, prefix=prefix.strip("/"), blob=blob)

    @property
    def in_place(self) -> bool:
        """True when the data is in Blob Storage and read where it is (nothing is staged)."""
        return self.path is None

    @property
    def local(self) -> Path:
        """The local path (a location in Blob Storage has none)."""
        if self.path is None:
            raise DataSourceError(f"{self.display} is in Blob Storage", fix="give a local path")
        return self.path

    @property
    def single(self) -> bool:
        """One blob (or one local file), not a prefix."""
        return self.blob is not None if self.path is None else self.path.is_file()

    @property
    def container_url(self) -> str:
        return f"{self.service_url}/{self.container}"

    @property
    def prefix_dir(self) -> str:
        """The prefix as the service lists it: ``voice/jessica/``, or empty for a container."""
        return f"{self.prefix}/" if self.prefix else ""

    @property
    def name(self) -> str:
        """The base name of the one blob, or the last prefix segment (the dataset's label)."""
        if self.path is not None:
            return self.path.name
        return (self.blob or self.prefix or self.container).rsplit("/", 1)[-1]

    @property
    def display(self) -> str:
        """Where the data is, for people and logs (never the SAS)."""
        if self.path is not None:
            return str(self.path)
        head = (
            f"{self.service_url}/{self.container}"
            if self.service_url
            else f"blob://{self.container}"
        )
        tail = self.blob if self.blob is not None else self.prefix
        return f"{head}/{tail}".rstrip("/")

    def __str__(self) -> str:
        return self.display

    def signed_url(self) -> str:
        """The URL with the user's SAS: the blob's for one blob, else the container's (a secret:
        pass it only inside requests)."""
        if self.sas is None:
            raise DataSourceError(f"{self.display}: no SAS was given", fix="mint one")
        if self.blob is not None:
            return f"{self.container_url}/{quote(self.blob, safe='/')}?{self.sas}"
        return f"{self.container_url}?{self.sas}"

    def check_sas(self, read_deadline: dt.timedelta) -> None:
        """Refuse a user's SAS the service could not read with: r (+ l for a prefix), ``se``
        far enough. Nothing to check without one (speechflows mints it).

        Raises:
            SasError: naming the location, the missing permission or the expiry, and the fix.
        """
        if self.sas is None:
            return
        # the storage layer loads with the first location in Blob (validate stays light)
        from speechflows.storage.sas import SasError, check_sas

        try:
            check_sas(self.sas, needs="r" if self.single else "rl", read_deadline=read_deadline)
        except SasError as exc:
            raise SasError(f"{self.display}: {exc.problem}", fix=exc.fix) from None


def _split(container: str, rest: str, single: bool) -> tuple[str, str, str | None]:
    # the storage layer's naming rules, loaded with the first location in Blob
    from speechflows.storage.errors import BlobNameError
    from speechflows.storage.names import blob_name_problem, check_container_name, normalize_prefix

    container = check_container_name(container)
    rest = unquote(rest)
    if single:
        problem = blob_name_problem(rest)
        if problem:
            raise BlobNameError(f"blob name {rest!r} {problem}", fix="give the blob's exact name")
        return container, "", rest
    return container, normalize_prefix(rest), None


def _is_single(path: str, fields: dict[str, str]) -> bool:
    if fields.get("sr") == "b":
        return True
    return bool(path) and not path.endswith("/") and suffix(path) in SINGLE_SUFFIXES


def _parse_blobs(text: str) -> DataLocation:
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "blob":
        container, _, rest = f"{parts.netloc}{parts.path}".partition("/")
        container, prefix, blob = _split(container, rest, _is_single(rest, {}))
        return DataLocation(container=container, prefix=prefix, blob=blob)
    fields = sas_fields(text)
    if "sig" not in fields:
        raise DataSourceError(
            f"{parts.scheme}://{parts.netloc}{parts.path}: a URL data source needs a SAS (its "
            "query string with sp, se and sig)",
            fix="append the SAS (`az storage container generate-sas --permissions rl`), or give "
            "blob://<container>/<prefix> for data in the configured storage account",
        )
    host = parts.hostname or ""
    segments = parts.path.lstrip("/").split("/")
    if is_loopback_host(host):  # Azurite: http://127.0.0.1:10000/<account>/<container>/...
        account, segments = segments[0], segments[1:]
        service = f"{scheme}://{parts.netloc}/{account}"
    elif host.endswith(".blob.core.windows.net") and scheme == "https":
        service = f"https://{parts.netloc}"
    else:
        raise DataSourceError(f"{scheme}://{parts.netloc}: not a Blob Storage URL", fix=_URL_FIX)
    if not segments or not segments[0]:
        raise DataSourceError(f"{service}: the URL names no container", fix=_URL_FIX)
    rest = "/".join(segments[1:])
    container, prefix, blob = _split(segments[0], rest, _is_single(rest, fields))
    register_sas(text)
    return DataLocation(
        service_url=service, container=container, prefix=prefix, blob=blob, sas=parts.query
    )


__all__ = [
    "SECRET_SCHEME",
    "DataLocation",
    "DataSourceError",
    "has_sas",
    "is_remote",
    "is_secret",
    "register_sas",
    "sas_fields",
]
