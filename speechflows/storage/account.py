"""The storage account behind :class:`~speechflows.settings.StorageSettings`: endpoint, auth, SAS.

Three ways in, as the settings allow: a connection string (account key, or a SAS), an account URL
plus key, or an account URL plus an Entra ID credential (then SAS tokens are user-delegation
SAS, signed with a key the service lends to that identity). The SDK is used only here, for the
few control-plane calls (create the container, get a user-delegation key, sign a SAS); the bulk
transfers go through :mod:`speechflows.storage.transfer` with a SAS token.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.storage.blob import (
    BlobServiceClient,
    LinearRetry,
    UserDelegationKey,
    generate_blob_sas,
    generate_container_sas,
)

from speechflows.datasets.errors import StagingError
from speechflows.redaction import redact_logger, register_secret, strip_query
from speechflows.settings import StorageSettings, default_azure_credential
from speechflows.storage.errors import (
    BlobNotFoundError,
    ContainerNameError,
    CredentialRefusedError,
    StorageUnreachableError,
    UploadRefusedError,
)

# The SDK's transport (requests → urllib3) logs every request line at DEBUG, SAS query included.
redact_logger("urllib3.connectionpool")

# Fail fast when the endpoint is down: ~4 s, not the SDK's default minutes of backoff.


def _retry() -> LinearRetry:
    """A retry policy for one client. Never share one: azure-core links each policy to the next
    one of *its* pipeline (``policy.next``), so an instance shared by two clients sends one
    client's requests down the other's pipeline, whose transport may already be closed (two
    onboardings at once failed with "HTTP transport has already been closed")."""
    return LinearRetry(backoff=2, retry_total=2, random_jitter_range=1)


CHECK_TIMEOUT_SECONDS = 5.0
"""The storage check's connect and read timeout: a hung endpoint is not waited on for minutes."""
CHECK_RETRIES = 1
CHECK_BACKOFF_SECONDS = 1
CHECK_JITTER_SECONDS = 1
CHECK_BOUND_SECONDS = (CHECK_RETRIES + 1) * CHECK_TIMEOUT_SECONDS + CHECK_RETRIES * (
    CHECK_BACKOFF_SECONDS + CHECK_JITTER_SECONDS
)
"""The longest the storage check waits on an endpoint that does not answer (≤ 15 s, issue 27)."""


def _quick_retry() -> LinearRetry:
    """The storage check's retry policy: one retry, then the check fails naming the setting."""
    return LinearRetry(
        backoff=CHECK_BACKOFF_SECONDS,
        retry_total=CHECK_RETRIES,
        random_jitter_range=CHECK_JITTER_SECONDS,
    )


_CLOCK_SKEW = dt.timedelta(minutes=5)


def translate_sdk_error(exc: Exception, what: str, where: str) -> StagingError:
    """Turn an azure-core exception from a control-plane call into our typed error."""
    code = getattr(exc, "error_code", None) or ""
    status = getattr(exc, "status_code", None)
    if isinstance(exc, ServiceRequestError | ServiceResponseError):
        return StorageUnreachableError(
            f"{what}: the storage endpoint {where} did not answer ({type(exc).__name__})",
            fix="start the storage service (speechflows azurite) or check "
            "SPEECHFLOWS_STORAGE_CONNECTION_STRING / SPEECHFLOWS_STORAGE_ACCOUNT_URL and the network",
        )
    if isinstance(exc, ClientAuthenticationError) or status in (401, 403):
        return CredentialRefusedError(
            f"{what}: {where} refused the credential ({status} {code})".rstrip(),
            fix="check the account key / SAS in the storage settings, or the role assignments "
            "(Storage Blob Data Contributor, plus Delegator for user-delegation SAS) of the identity",
        )
    if code in ("InvalidResourceName", "OutOfRangeInput"):
        return ContainerNameError(
            f"{what}: {where} rejected the container name ({code})",
            fix="choose a container name of 3-63 lowercase letters, digits and single hyphens",
        )
    return UploadRefusedError(
        f"{what}: {where} answered {status} {code}".rstrip(),
        fix="see the storage service's error code above; retry once the cause is fixed",
    )


@dataclass(frozen=True)
class Account:
    """Where the account is (``service_url``, no query) and the secrets to reach it (not in repr)."""

    service_url: str
    account_name: str
    account_key: str | None = field(default=None, repr=False)
    sas_token: str | None = field(default=None, repr=False)
    credential: Any = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: StorageSettings, credential: Any = None) -> Account:
        """Resolve the account; ``credential`` overrides the Entra credential (tests, apps)."""
        if settings.connection_string is not None:
            client = BlobServiceClient.from_connection_string(
                settings.connection_string.get_secret_value()
            )
            parts = {k.lower(): v for k, v in settings.connection_parts.items()}
            sas = parts.get("sharedaccesssignature")
            register_secret(sas)
            return cls(
                service_url=strip_query(client.url).rstrip("/"),
                account_name=client.account_name or "",
                # The SDK also knows the key of UseDevelopmentStorage=true.
                account_key=parts.get("accountkey")
                or getattr(client.credential, "account_key", None),
                sas_token=sas.lstrip("?") if sas else None,
            )
        assert settings.account_url is not None  # the settings validator guarantees it
        url = settings.account_url.rstrip("/")
        if settings.account_key is not None:
            client = BlobServiceClient(url, credential=settings.account_key.get_secret_value())
            return cls(url, client.account_name or "", settings.account_key.get_secret_value())
        cred = credential if credential is not None else default_azure_credential()
        host = urlsplit(url).hostname or ""
        path = urlsplit(url).path.strip("/")
        return cls(url, path or host.split(".")[0], credential=cred)

    def service_client(self, *, quick: bool = False) -> BlobServiceClient:
        """A sync SDK client for control-plane calls, failing fast when the endpoint is down;
        ``quick``: the storage check's, within :data:`CHECK_BOUND_SECONDS`."""
        credential: Any
        if self.account_key is not None:
            credential = {"account_name": self.account_name, "account_key": self.account_key}
        elif self.credential is not None:
            credential = self.credential
        else:
            credential = self.sas_token
        if quick:
            return BlobServiceClient(
                self.service_url,
                credential=credential,
                retry_policy=_quick_retry(),
                connection_timeout=CHECK_TIMEOUT_SECONDS,
                read_timeout=CHECK_TIMEOUT_SECONDS,
            )
        return BlobServiceClient(self.service_url, credential=credential, retry_policy=_retry())

    def container_url(self, container: str) -> str:
        """The container's URL without a query string."""
        return f"{self.service_url}/{container}"

    def ensure_container(self, container: str, *, quick: bool = False) -> None:
        """Create ``container`` unless it exists (a SAS-only account cannot: then just go on)."""
        if self.account_key is None and self.credential is None:
            return
        with self.service_client(quick=quick) as client:
            try:
                client.create_container(container)
            except ResourceExistsError:
                pass
            except (HttpResponseError, ServiceRequestError, ServiceResponseError) as exc:
                raise translate_sdk_error(
                    exc, f"cannot create container {container!r}", self.service_url
                ) from None

    def _delegation_key(self, start: dt.datetime, expiry: dt.datetime) -> UserDelegationKey:
        with self.service_client() as client:
            try:
                return client.get_user_delegation_key(start, expiry)
            except (HttpResponseError, ServiceRequestError, ServiceResponseError) as exc:
                raise translate_sdk_error(
                    exc, "cannot get a user-delegation key", self.service_url
                ) from None

    def sas_token_for(
        self, container: str, permissions: str, expiry: dt.timedelta, blob: str | None = None
    ) -> str:
        """A container (or blob) SAS token, signed with the key or a user-delegation key."""
        now = dt.datetime.now(dt.UTC)
        start, end = now - _CLOCK_SKEW, now + expiry
        key: dict[str, Any]
        if self.account_key is not None:
            key = {"account_key": self.account_key}
        elif self.credential is not None:
            key = {"user_delegation_key": self._delegation_key(start, end)}
        else:
            raise StagingError(
                "cannot sign a SAS: the storage settings carry neither an account key nor an "
                "Entra credential",
                fix="set SPEECHFLOWS_STORAGE_CONNECTION_STRING with an AccountKey, or "
                "SPEECHFLOWS_STORAGE_ACCOUNT_URL with SPEECHFLOWS_STORAGE_ACCOUNT_KEY or "
                "SPEECHFLOWS_STORAGE_USE_ENTRA=true",
            )
        if blob is None:
            token = generate_container_sas(
                self.account_name, container, permission=permissions, expiry=end, start=start, **key
            )
        else:
            token = generate_blob_sas(
                self.account_name,
                container,
                blob,
                permission=permissions,
                expiry=end,
                start=start,
                **key,
            )
        return token

    def can_sign(self) -> bool:
        """Whether SAS tokens are minted here (key or Entra), not given in the settings."""
        return self.account_key is not None or self.credential is not None

    def transfer_token(self, container: str, expiry: dt.timedelta, *, delete: bool = False) -> str:
        """The token staging uses: write + list only (and delete to prune), for ``expiry``.

        Write covers Put Blob, Put Block and Put Block List; list covers the one listing (its
        metadata included). No read: staging never downloads. Container-scoped: a flat-namespace
        account has no prefix-scoped SAS (``sr=d`` needs a hierarchical namespace), so the scope
        is kept narrow by permissions and a lifetime of minutes, renewed by the transport.
        """
        if not self.can_sign() and self.sas_token:
            return self.sas_token
        return self.sas_token_for(container, "wdl" if delete else "wl", expiry)


WRITE_CHECK_BLOB = ".speechflows-write-check"
"""The one blob :func:`check_storage_writable` writes (and deletes when it may)."""


def _settings_to_fix(settings: StorageSettings) -> tuple[str, str]:
    """The variables that set the endpoint and the credential, for messages."""
    if settings.connection_string is not None:
        return "SPEECHFLOWS_STORAGE_CONNECTION_STRING", "SPEECHFLOWS_STORAGE_CONNECTION_STRING"
    credential = (
        "SPEECHFLOWS_STORAGE_ACCOUNT_KEY"
        if settings.account_key is not None
        else "SPEECHFLOWS_STORAGE_USE_ENTRA (the identity's role assignments)"
    )
    return "SPEECHFLOWS_STORAGE_ACCOUNT_URL", credential


def check_storage_writable(settings: StorageSettings, credential: Any = None) -> None:
    """Fail fast (within :data:`CHECK_BOUND_SECONDS`) unless the storage account answers and
    lets us write to the container.

    Creates the container when it may, writes (and, when allowed, deletes) the small blob
    :data:`WRITE_CHECK_BLOB`. Flows call it before they create anything on the Speech service,
    so a wrong or unreachable storage setting costs nothing there.

    Raises:
        StorageUnreachableError: the endpoint did not answer; the fix names the setting.
        CredentialRefusedError: the account refused the credential or the write.
        StagingError: any other refusal (its code in the message).
    """
    endpoint_var, credential_var = _settings_to_fix(settings)
    account = Account.from_settings(settings, credential)
    container = settings.container
    where = account.container_url(container)
    try:
        account.ensure_container(container, quick=True)
        with account.service_client(quick=True) as client:
            blob = client.get_blob_client(container, WRITE_CHECK_BLOB)
            blob.upload_blob(b"speechflows write check\n", overwrite=True)
            # A SAS without delete permission may only write: the blob then stays (one, reused).
            with contextlib.suppress(HttpResponseError):
                blob.delete_blob()
    except (HttpResponseError, ServiceRequestError, ServiceResponseError) as exc:
        error = translate_sdk_error(exc, "storage check failed", where)
    except StagingError as exc:
        error = exc
    else:
        return
    if isinstance(error, StorageUnreachableError):
        raise StorageUnreachableError(
            f"storage is not reachable: {account.service_url} did not answer "
            f"({CHECK_RETRIES + 1} tries, {CHECK_TIMEOUT_SECONDS:g} s each), so nothing was "
            "created on the Speech service",
            fix=f"check {endpoint_var} (the blob endpoint it names must be up: for local "
            "development start `speechflows azurite`) and the network",
        ) from None
    if isinstance(error, CredentialRefusedError):
        raise CredentialRefusedError(
            f"storage is not writable: {where} refused to let us write "
            f"({error.problem}); nothing was created on "
            "the Speech service",
            fix=f"check the credential in {credential_var}: it needs write access to container "
            f"{container!r} (SPEECHFLOWS_STORAGE_CONTAINER)",
        ) from None
    raise error


def check_blob_exists(settings: StorageSettings, name: str, *, what: str, fix: str) -> None:
    """Refuse, before anything is created, a blob the parameters name (``what``: e.g.
    ``consent.audio_blob``) that is not in the configured container: one HEAD
    (Blob Get Blob Properties), within :data:`CHECK_BOUND_SECONDS`.

    Raises:
        BlobNotFoundError: naming ``what``, the blob, the container, and ``fix``.
        StagingError: the account did not answer or refused the credential.
    """
    account = Account.from_settings(settings)
    container = settings.container
    where = f"{account.container_url(container)}/{name}"
    try:
        with account.service_client(quick=True) as client:
            client.get_blob_client(container, name).get_blob_properties()
    except ResourceNotFoundError:
        raise BlobNotFoundError(
            f"{what} {name!r}: no such blob in container {container!r} "
            f"(SPEECHFLOWS_STORAGE_CONTAINER) of {account.service_url}; nothing was created",
            fix=fix,
        ) from None
    except (HttpResponseError, ServiceRequestError, ServiceResponseError) as exc:
        raise translate_sdk_error(exc, f"cannot look up {what}", where) from None
