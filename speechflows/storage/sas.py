"""SAS URLs for the Speech service: container-scoped, read + list only, short expiry.

Signed offline with the account key, or with a user-delegation key when the settings use an
Entra ID credential (the service lends the key to that identity; revoking the identity revokes
the SAS). The URL is a secret: pass it only inside requests, and print it only through
:func:`speechflows.redaction.redact_url`.

>>> url = container_sas_url(settings, "speech-data")          # doctest: +SKIP
>>> redact_url(url)                                           # doctest: +SKIP
'https://acct.blob.core.windows.net/speech-data?st=…&sp=rl&…&sig=REDACTED'
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import quote

from speechflows.datasets.errors import StagingError
from speechflows.settings import StorageSettings
from speechflows.storage.account import Account
from speechflows.storage.errors import BlobNameError
from speechflows.storage.names import blob_name_problem, check_container_name

# Service SAS permission letters, in the order Azure requires them.
_PERMISSION_ORDER = "racwdxyltmeopi"


def _expiry(settings: StorageSettings, minutes: int | None) -> dt.timedelta:
    value = settings.sas_expiry_minutes if minutes is None else minutes
    if not 1 <= value <= 7 * 24 * 60:
        raise StagingError(
            f"SAS expiry of {value} minutes is out of range",
            fix="give between 1 and 10080 minutes (7 days, the user-delegation maximum)",
        )
    return dt.timedelta(minutes=value)


def _permissions(permissions: str) -> str:
    if not permissions or not re.fullmatch(f"[{_PERMISSION_ORDER}]+", permissions):
        raise StagingError(
            f"invalid SAS permissions {permissions!r}",
            fix="use letters of 'racwdxyltmeopi', e.g. 'rl' for read + list",
        )
    return "".join(p for p in _PERMISSION_ORDER if p in permissions)


def container_sas_url(
    settings: StorageSettings,
    container: str | None = None,
    *,
    expiry_minutes: int | None = None,
    permissions: str = "rl",
    credential: Any = None,
) -> str:
    """A container SAS URL (default: read + list, ``settings.sas_expiry_minutes``).

    A consumer reads blob ``name`` at ``{path}/{name}?{query}`` and lists the container with
    ``?restype=container&comp=list&{query}``.

    Raises:
        StagingError: bad container name or permissions, no key to sign with, or (Entra)
            the user-delegation key was refused.
    """
    container = check_container_name(container or settings.container)
    account = Account.from_settings(settings, credential)
    token = account.sas_token_for(
        container, _permissions(permissions), _expiry(settings, expiry_minutes)
    )
    return f"{account.container_url(container)}?{token}"


def blob_sas_url(
    settings: StorageSettings,
    container: str,
    blob_name: str,
    *,
    expiry_minutes: int | None = None,
    credential: Any = None,
) -> str:
    """A read-only SAS URL of one blob (e.g. a consent recording for the Speech service)."""
    container = check_container_name(container)
    problem = blob_name_problem(blob_name)
    if problem:
        raise BlobNameError(f"blob name {blob_name!r} {problem}", fix="give the blob's exact name")
    account = Account.from_settings(settings, credential)
    token = account.sas_token_for(container, "r", _expiry(settings, expiry_minutes), blob=blob_name)
    return f"{account.container_url(container)}/{quote(blob_name, safe='/')}?{token}"
