"""SAS URLs for the Speech service: container-scoped, read + list only, lasting as long as the read.

The service may read the data long after the submit: an import waits in its queue up to the
stage's deadline (``Deadlines.dataset_minutes``, ``training_set_minutes``...). A SAS for it
therefore lasts ``read_deadline`` plus :data:`SAS_READ_MARGIN`, capped at :data:`SAS_MAX_LIFETIME`
(the user-delegation maximum, 7 days; an account-key service SAS has no service maximum, and we
use the same cap so a leaked URL cannot outlive a week). Every SAS handed to the service, minted
here or given in the settings (a connection string's ``SharedAccessSignature``), is checked on its
own ``sp`` and ``se`` fields first (:func:`check_sas`): without read (+ list for a container) or
expiring before the deadline, it is refused with an error that names the fix.

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
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from speechflows.datasets.errors import StagingError
from speechflows.settings import StorageSettings
from speechflows.storage.account import Account
from speechflows.storage.errors import BlobNameError
from speechflows.storage.names import blob_name_problem, check_container_name

# Service SAS permission letters, in the order Azure requires them.
_PERMISSION_ORDER = "racwdxyltmeopi"
# The longest a user-delegation SAS may live (its key lives at most 7 days); our cap for all kinds.
SAS_MAX_LIFETIME = dt.timedelta(days=7)
# Added to the read deadline: the service's last retry may start just before the deadline.
SAS_READ_MARGIN = dt.timedelta(minutes=30)


class SasError(StagingError):
    """A SAS the service would fail to read with (permissions or lifetime); the fix is named."""


def sas_lifetime(read_deadline: dt.timedelta) -> dt.timedelta:
    """How long a SAS read until ``read_deadline`` must live: deadline + margin, capped.

    >>> sas_lifetime(dt.timedelta(minutes=180))
    datetime.timedelta(seconds=12600)
    >>> sas_lifetime(dt.timedelta(days=30)) == SAS_MAX_LIFETIME
    True
    """
    return min(SAS_MAX_LIFETIME, read_deadline + SAS_READ_MARGIN)


def check_sas(
    token_or_url: str,
    *,
    needs: str,
    read_deadline: dt.timedelta,
    now: Callable[[], dt.datetime] | None = None,
) -> None:
    """Refuse a SAS whose own ``sp`` lacks ``needs`` or whose ``se`` comes before the deadline.

    Raises:
        SasError: naming what is missing and how to get a SAS that works (never the token).
    """
    query = urlsplit(token_or_url).query if "://" in token_or_url else token_or_url.lstrip("?")
    fields = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    granted = fields.get("sp", "")
    missing = [p for p in needs if p not in granted]
    letters = {"r": "read", "l": "list"}
    if missing:
        raise SasError(
            f"the SAS grants {granted or 'no permissions'!r} but the Speech service needs "
            f"{' + '.join(letters.get(p, p) for p in needs)} ({needs!r}); missing "
            f"{', '.join(letters.get(p, p) for p in missing)}",
            fix=f"mint a SAS with sp={needs} (e.g. `az storage container generate-sas "
            f"--permissions {needs}`), or let speechflows mint one: set an AccountKey or "
            "SPEECHFLOWS_STORAGE_USE_ENTRA=true",
        )
    expiry_text = fields.get("se")
    if not expiry_text:
        raise SasError(
            "the SAS has no expiry (se); a SAS bound to a stored access policy cannot be checked",
            fix="use a SAS with its own se field",
        )
    try:
        expiry = dt.datetime.fromisoformat(expiry_text.replace("Z", "+00:00"))
    except ValueError:
        raise SasError(
            f"the SAS expiry se={expiry_text!r} is not an ISO 8601 time",
            fix="mint a new SAS",
        ) from None
    if expiry.tzinfo is None:
        expiry = expiry.replace(tzinfo=dt.UTC)
    current = now() if now else dt.datetime.now(dt.UTC)
    needed_until = current + read_deadline
    if expiry < needed_until:
        minutes = int(read_deadline.total_seconds() // 60)
        raise SasError(
            f"the SAS expires at {expiry:%Y-%m-%dT%H:%M:%SZ}, before the service may read the data "
            f"(up to the stage's {minutes}-minute deadline, until {needed_until:%Y-%m-%dT%H:%M:%SZ})",
            fix=f"give a SAS valid for at least {minutes + 30} minutes from now, or shorten the "
            "stage's deadline (Deadlines.*_minutes) if the service reads sooner",
        )


def _deadline_fits(read_deadline: dt.timedelta) -> None:
    if read_deadline + SAS_READ_MARGIN > SAS_MAX_LIFETIME:
        raise SasError(
            f"no SAS can outlive a {read_deadline} read deadline: a SAS lasts at most 7 days "
            "(the user-delegation maximum)",
            fix="set the stage's deadline below 7 days minus 30 minutes (e.g. "
            "Deadlines.dataset_minutes=180)",
        )


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
    read_deadline: dt.timedelta | None = None,
) -> str:
    """A container SAS URL (default: read + list, ``settings.sas_expiry_minutes``).

    A consumer reads blob ``name`` at ``{path}/{name}?{query}`` and lists the container with
    ``?restype=container&comp=list&{query}``. With ``read_deadline`` (for the Speech service: the
    longest it may take to read), the SAS lasts :func:`sas_lifetime` of it and is checked with
    :func:`check_sas`; a SAS given in the settings is used as is once it passes that check.

    Raises:
        StagingError: bad container name or permissions, no key to sign with, or (Entra)
            the user-delegation key was refused.
        SasError: the SAS would not let the service read until the deadline.
    """
    container = check_container_name(container or settings.container)
    account = Account.from_settings(settings, credential)
    perms = _permissions(permissions)
    token = _token(account, settings, container, perms, expiry_minutes, read_deadline)
    return f"{account.container_url(container)}?{token}"


def _token(
    account: Account,
    settings: StorageSettings,
    container: str,
    permissions: str,
    expiry_minutes: int | None,
    read_deadline: dt.timedelta | None,
    blob: str | None = None,
) -> str:
    if read_deadline is None:
        return account.sas_token_for(
            container, permissions, _expiry(settings, expiry_minutes), blob=blob
        )
    _deadline_fits(read_deadline)
    if account.account_key is None and account.credential is None and account.sas_token:
        token = account.sas_token  # given, not minted: only its own fields tell what it allows
    else:
        token = account.sas_token_for(
            container, permissions, sas_lifetime(read_deadline), blob=blob
        )
    check_sas(token, needs=permissions, read_deadline=read_deadline)
    return token


def blob_sas_url(
    settings: StorageSettings,
    container: str,
    blob_name: str,
    *,
    expiry_minutes: int | None = None,
    credential: Any = None,
    read_deadline: dt.timedelta | None = None,
) -> str:
    """A read-only SAS URL of one blob (e.g. a consent recording for the Speech service).

    ``read_deadline``: as for :func:`container_sas_url`.
    """
    container = check_container_name(container)
    problem = blob_name_problem(blob_name)
    if problem:
        raise BlobNameError(f"blob name {blob_name!r} {problem}", fix="give the blob's exact name")
    account = Account.from_settings(settings, credential)
    token = _token(account, settings, container, "r", expiry_minutes, read_deadline, blob=blob_name)
    return f"{account.container_url(container)}/{quote(blob_name, safe='/')}?{token}"
