"""The one set of checks behind ``validate``, ``onboard`` and deployment runs.

:func:`check_source` takes what the user typed (a data source, its kind, its locale) and either
returns where the data is or raises :class:`RefusedError` naming the setting and the fix. The
same input gets the same answer from every entry point: ``speechflows validate``,
``speechflows onboard`` (before Prefect is even started) and the flows themselves (before the
first create). What it checks:

* the locale, against the locales the kind is accepted in: the Speech service's list when it
  answers (:mod:`speechflows.service_locales`), else the offline one
  (:mod:`speechflows.datasets.locales`);
* ``secret://<block>``: the Prefect Secret block exists and holds a Blob URL with a SAS;
* a SAS URL: its permissions (read, + list for a prefix) and its expiry against the stage's
  read deadline; ``blob://``: the storage settings are there;
* a local path exists.

The string is parsed once, into a :class:`~speechflows.location.DataLocation`. Heavy imports
(Prefect for ``secret://``, the storage layer for URLs) happen only for those sources, so
``validate`` of a local folder stays fast.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from speechflows.datasets.errors import StagingError
from speechflows.datasets.kinds import PERSONAL_VOICE_KINDS, DataKind
from speechflows.datasets.locales import TAG, locales_for, problem_from_list
from speechflows.location import DataLocation
from speechflows.settings import SettingsError, load_storage_settings

DEFAULT_READ_DEADLINE_MINUTES = 180.0
"""The training-set and dataset stages' default deadline: how long a user's SAS must live."""
PERSONAL_VOICE_READ_DEADLINE_MINUTES = 15.0
"""The personal voice stage's default deadline: how long the SAS of its prompts must live."""


def stage_read_deadline_minutes(kind: DataKind | str) -> float:
    """The default deadline of the stage that reads ``kind`` data (``Deadlines``' defaults):
    ``validate`` holds a user's SAS to it, as ``onboard`` and the flows do."""
    personal = DataKind.parse(kind) in PERSONAL_VOICE_KINDS
    return PERSONAL_VOICE_READ_DEADLINE_MINUTES if personal else DEFAULT_READ_DEADLINE_MINUTES


class RefusedError(StagingError):
    """The input is refused before anything is created; ``setting`` names what to change.

    Attributes:
        setting: the option, parameter or variable the user changes (``--locale``, ``PATH``).
    """

    def __init__(self, message: str, *, fix: str, setting: str = "") -> None:
        super().__init__(message, fix=fix)
        self.setting = setting


def supported_locales(kind: DataKind | str) -> tuple[str, ...]:
    """The locales ``kind`` data is accepted in: the Speech service's list when its settings
    are there and it answers (:mod:`speechflows.service_locales`, loaded only then), else the
    ledger's offline list."""
    from speechflows.service_locales import service_locales

    return service_locales(kind) or locales_for(kind)


def locale_refusal(
    kind: DataKind | str, locale: str, *, flag: str = "--locale"
) -> tuple[str, str] | None:
    """Why ``locale`` cannot be used for ``kind`` data and the fix, or ``None``: a tag that is
    no locale (the service is not asked), or one outside :func:`supported_locales`."""
    if not TAG.match(locale.strip()):
        return problem_from_list(kind, locale, (), flag=flag)
    return problem_from_list(kind, locale, supported_locales(kind), flag=flag)


def check_locale(kind: DataKind | str, locale: str, *, flag: str = "--locale") -> None:
    """Refuse a locale the kind is not accepted in (or no locale tag at all), by the list the
    service gives when it answers (the offline list otherwise): the same answer in
    ``validate``, ``onboard`` and deployment runs.

    Raises:
        RefusedError: naming ``flag`` and a locale that works.
    """
    found = locale_refusal(kind, locale, flag=flag)
    if found is not None:
        raise RefusedError(found[0], fix=found[1], setting=flag)


def check_source(
    source: str | Path,
    kind: DataKind | str,
    locale: str,
    *,
    read_deadline_minutes: float = DEFAULT_READ_DEADLINE_MINUTES,
    locale_flag: str = "--locale",
    source_name: str = "PATH",
) -> DataLocation:
    """Where ``source`` is (parsed once), once every check that can refuse it without reading
    data passed.

    Raises:
        RefusedError: the locale, a ``secret://`` block, a SAS (permissions, expiry), a
            ``blob://`` without storage settings, or a local path that does not exist.
        StagingError: names Azure would refuse (container, blob), a URL that is no Blob URL.
    """
    check_locale(kind, locale, flag=locale_flag)
    location = DataLocation.parse(source, secret_value=_secret_value)
    if location.path is not None:
        path = location.path
        if not path.exists() and not path.is_symlink():
            raise RefusedError(
                f"{source_name} {path}: no such file or folder",
                fix=f"give an existing folder, file or .zip (looked in {Path.cwd()})",
                setting=source_name,
            )
        return location
    location.check_sas(dt.timedelta(minutes=read_deadline_minutes))
    if location.sas is None:
        _storage_settings_for(location)
    return location


def _storage_settings_for(location: DataLocation) -> None:
    """Refuse ``blob://`` when the configured storage account is not configured."""
    try:
        load_storage_settings()
    except SettingsError as exc:
        raise RefusedError(
            f"{location.display}: blob:// names the configured storage account, and {exc}",
            fix="set SPEECHFLOWS_STORAGE_CONNECTION_STRING (or SPEECHFLOWS_STORAGE_ACCOUNT_URL)"
            ", or give the Blob URL with a SAS",
            setting="SPEECHFLOWS_STORAGE_CONNECTION_STRING",
        ) from None


def _secret_value(source: str) -> str:
    """The SAS URL a ``secret://`` block holds (Prefect is imported only here)."""
    from speechflows.flows.sas_secrets import SecretSourceError, secret_url

    try:
        return secret_url(source)
    except SecretSourceError as exc:
        text, _, fix = str(exc).partition("; ")
        raise RefusedError(text, fix=fix or "create the Secret block", setting=source) from None
    except Exception as exc:  # the Prefect API is down or refuses: name the setting
        from prefect.settings import PREFECT_API_URL

        api = PREFECT_API_URL.value() or "(unset: a temporary local server)"
        raise RefusedError(
            f"{source}: the Secret block cannot be read from the Prefect API at {api} "
            f"({type(exc).__name__})",
            fix="start the server (speechflows dev up) or set PREFECT_API_URL to a reachable "
            "Prefect API, then try again",
            setting="PREFECT_API_URL",
        ) from None


__all__ = [
    "DEFAULT_READ_DEADLINE_MINUTES",
    "PERSONAL_VOICE_READ_DEADLINE_MINUTES",
    "RefusedError",
    "check_locale",
    "check_source",
    "locale_refusal",
    "stage_read_deadline_minutes",
    "supported_locales",
]
