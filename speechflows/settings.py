"""Settings for the Speech resource and the Blob storage that feeds it.

Read from the environment (prefix ``SPEECHFLOWS_``) or a ``.env`` file in the working directory:

==========================================  ===================================================
variable                                    example
==========================================  ===================================================
``SPEECHFLOWS_SPEECH_ENDPOINT``             ``https://eastus.api.cognitive.microsoft.com``
``SPEECHFLOWS_SPEECH_REGION``               ``eastus`` (instead of the endpoint)
``SPEECHFLOWS_SPEECH_KEY``                  the resource key (or ``SPEECHFLOWS_SPEECH_USE_ENTRA``)
``SPEECHFLOWS_SPEECH_USE_ENTRA``            ``true``: DefaultAzureCredential, custom domain only
``SPEECHFLOWS_SPEECH_ALLOW_HTTP``           ``true``: plain http to a non-loopback emulator (warns)
``SPEECHFLOWS_SPEECH_CUSTOM_VOICE_API_VERSION``    ``2026-01-01`` (or ``2024-02-01-preview``)
``SPEECHFLOWS_SPEECH_SPEECH_TO_TEXT_API_VERSION``  ``2025-10-15`` (or ``v3.2``: legacy paths)
``SPEECHFLOWS_STORAGE_CONNECTION_STRING``   ``DefaultEndpointsProtocol=https;AccountName=…``
``SPEECHFLOWS_STORAGE_ACCOUNT_URL``         ``https://myaccount.blob.core.windows.net``
``SPEECHFLOWS_STORAGE_ACCOUNT_KEY``         the account key, with ``ACCOUNT_URL``
``SPEECHFLOWS_STORAGE_USE_ENTRA``           ``true``: DefaultAzureCredential + user-delegation SAS
``SPEECHFLOWS_STORAGE_CONTAINER``           ``speechflows``
``SPEECHFLOWS_STORAGE_SAS_EXPIRY_MINUTES``  ``120``
==========================================  ===================================================

Secrets are :class:`~pydantic.SecretStr`: ``repr``, ``str`` and ``model_dump`` show ``**********``.

**From the Prefect server** (a worker then needs only ``PREFECT_API_URL``): the same variables as
one JSON object in the Prefect *Secret* block ``speechflows-settings`` (Blocks → Secret, or
:func:`save_server_settings`), e.g. ``{"SPEECHFLOWS_SPEECH_ENDPOINT": "https://…",
"SPEECHFLOWS_SPEECH_KEY": "…", "SPEECHFLOWS_STORAGE_CONNECTION_STRING": "…"}``. Precedence, per
variable: keyword arguments, then the environment, then ``.env``, then the block, then the
defaults. ``SPEECHFLOWS_SETTINGS_BLOCK`` names another block (empty: never read one). The block is
read once a minute at most per process, only when a Prefect API is configured; its values are
registered with the log redaction like every other secret.

>>> s = SpeechSettings(region="eastus", key="k" * 32)
>>> s.base_url
'https://eastus.api.cognitive.microsoft.com'
>>> "kkkk" in repr(s)
False
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import threading
import time
from collections.abc import Mapping
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from speechflows.redaction import register_secret

DEFAULT_CUSTOM_VOICE_API_VERSION = "2026-01-01"
DEFAULT_SPEECH_TO_TEXT_API_VERSION = "2025-10-15"
CUSTOM_VOICE_API_VERSIONS = ("2026-01-01", "2024-02-01-preview")
SPEECH_TO_TEXT_API_VERSIONS = ("2025-10-15", "v3.2")
# The API versions each SpeechSettings field accepts (the first is the default).
_API_VERSIONS = {
    "custom_voice_api_version": CUSTOM_VOICE_API_VERSIONS,
    "speech_to_text_api_version": SPEECH_TO_TEXT_API_VERSIONS,
}
COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default"

_ENTRA_HINT = (
    "Entra ID needs the optional dependency azure-identity: pip install 'speechflows[entra]'"
)


class SettingsError(ValueError):
    """A setting is missing or invalid. The message names the variable and shows an example."""


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses (``127.0.0.1``, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_azure_credential() -> Any:
    """Return ``azure.identity.DefaultAzureCredential()``, or fail with the install hint."""
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise SettingsError(_ENTRA_HINT) from exc
    return DefaultAzureCredential()


SETTINGS_BLOCK = "speechflows-settings"
"""The Prefect Secret block holding ``SPEECHFLOWS_*`` settings (a JSON object)."""
SETTINGS_BLOCK_ENV = "SPEECHFLOWS_SETTINGS_BLOCK"
_BLOCK_TTL_SECONDS = 60.0
_block_cache: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}
_block_lock = threading.Lock()
_log = logging.getLogger("speechflows.settings")


def settings_block_name() -> str | None:
    """The block to read (``SPEECHFLOWS_SETTINGS_BLOCK``, default ``speechflows-settings``)."""
    name = os.environ.get(SETTINGS_BLOCK_ENV, SETTINGS_BLOCK).strip()
    return name or None


def _block_values(value: Any, name: str) -> dict[str, str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if not isinstance(value, Mapping):
        raise SettingsError(
            f"the Prefect Secret block {name!r} must hold a JSON object of SPEECHFLOWS_* "
            'settings, e.g. {"SPEECHFLOWS_SPEECH_KEY": "<key>"}; fix it under Blocks in the UI'
        )
    values = {str(k).upper(): str(v) for k, v in value.items() if v is not None}
    for key, secret in values.items():
        if key.endswith(("_KEY", "_CONNECTION_STRING")):
            register_secret(secret)
    return values


def server_settings(*, refresh: bool = False) -> dict[str, str]:
    """The ``SPEECHFLOWS_*`` values of the settings block on the configured Prefect server.

    Empty when no Prefect API is configured, the block does not exist, or the server cannot be
    reached (logged as a warning: the settings then come from the environment alone).
    """
    name = settings_block_name()
    if name is None:
        return {}
    from prefect.settings import get_current_settings

    api_url = get_current_settings().api.url
    if not api_url:
        return {}
    key = (str(api_url), name)
    with _block_lock:
        cached = _block_cache.get(key)
        if cached is not None and not refresh and time.monotonic() - cached[0] < _BLOCK_TTL_SECONDS:
            return cached[1]
        from prefect.client.orchestration import get_client
        from prefect.exceptions import ObjectNotFound

        values: dict[str, str] = {}
        try:
            with get_client(sync_client=True) as client:
                doc = client.read_block_document_by_name(name, "secret", include_secrets=True)
        except ObjectNotFound:
            pass
        except Exception as exc:  # unreachable server, refused credentials: say so, go on
            _log.warning(
                "could not read the Prefect Secret block %r (%s); settings come from the "
                "environment only",
                name,
                type(exc).__name__,
            )
        else:
            values = _block_values(doc.data.get("value"), name)
        _block_cache[key] = (time.monotonic(), values)
        return values


def save_server_settings(values: Mapping[str, str], *, name: str | None = None) -> None:
    """Store ``SPEECHFLOWS_*`` settings in the Secret block on the configured Prefect server.

    >>> save_server_settings({"SPEECHFLOWS_SPEECH_KEY": "..."})   # doctest: +SKIP
    """
    from prefect.blocks.system import Secret

    bad = sorted(k for k in values if not k.startswith("SPEECHFLOWS_"))
    if bad:
        raise SettingsError(f"only SPEECHFLOWS_* settings belong in the block, not {bad}")
    Secret(value=dict(values)).save(name or settings_block_name() or SETTINGS_BLOCK, overwrite=True)
    _block_cache.clear()


class _ServerBlockSource(PydanticBaseSettingsSource):
    """Settings from the Prefect Secret block, below the environment and ``.env``."""

    def __init__(self, settings_cls: type[BaseSettings], prefix: str) -> None:
        super().__init__(settings_cls)
        self._prefix = prefix

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # pragma: no cover - __call__ does the work

    def __call__(self) -> dict[str, Any]:
        values = server_settings()
        found: dict[str, Any] = {}
        for name in self.settings_cls.model_fields:
            env = f"{self._prefix}{name}".upper()
            if env in values:
                found[name] = values[env]
        return found


def _settings_config(env_prefix: str) -> SettingsConfigDict:
    """Settings read from ``<env_prefix>*`` variables or a ``.env`` file; frozen once loaded."""
    return SettingsConfigDict(env_prefix=env_prefix, env_file=".env", extra="ignore", frozen=True)


_warned_http: set[str] = set()


def _warn_http_once(url: str) -> None:
    if url not in _warned_http:
        _warned_http.add(url)
        _log.warning(
            "SPEECHFLOWS_SPEECH_ALLOW_HTTP=true: the Speech key goes in clear text to %s; "
            "only for an emulator on a test network, never for Azure",
            url,
        )


class _BlockSettings(BaseSettings):
    """Settings read from keyword arguments, the environment, `.env`, then the server's block."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        block = _ServerBlockSource(
            settings_cls, str(settings_cls.model_config.get("env_prefix", ""))
        )
        return init_settings, env_settings, dotenv_settings, block, file_secret_settings


class SpeechSettings(_BlockSettings):
    """Where the Speech resource is and how to authenticate to it."""

    model_config = _settings_config("SPEECHFLOWS_SPEECH_")

    endpoint: str | None = None
    region: str | None = None
    key: SecretStr | None = None
    use_entra: bool = False
    allow_http: bool = False
    """Plain http to a host that is not loopback: an emulator on another test host, never Azure."""
    custom_voice_api_version: str = DEFAULT_CUSTOM_VOICE_API_VERSION
    speech_to_text_api_version: str = DEFAULT_SPEECH_TO_TEXT_API_VERSION
    timeout_seconds: float = 60.0

    @field_validator("endpoint")
    @classmethod
    def _endpoint_is_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"SPEECHFLOWS_SPEECH_ENDPOINT must be an http(s) URL, got {value!r} "
                "(example: https://eastus.api.cognitive.microsoft.com)"
            )
        return value.rstrip("/")

    @field_validator("custom_voice_api_version", "speech_to_text_api_version")
    @classmethod
    def _supported_version(cls, value: str, info: ValidationInfo) -> str:
        supported = _API_VERSIONS[str(info.field_name)]
        if value not in supported:
            raise ValueError(
                f"SPEECHFLOWS_SPEECH_{str(info.field_name).upper()}={value!r} is not supported; "
                f"use one of {', '.join(supported)}"
            )
        return value

    @model_validator(mode="after")
    def _complete(self) -> SpeechSettings:
        if not self.endpoint and not self.region:
            raise ValueError(
                "SPEECHFLOWS_SPEECH_ENDPOINT is not set "
                "(example: SPEECHFLOWS_SPEECH_ENDPOINT=https://eastus.api.cognitive.microsoft.com, "
                "or SPEECHFLOWS_SPEECH_REGION=eastus)"
            )
        parts = urlsplit(self.base_url)
        if parts.scheme == "http" and not is_loopback_host(parts.hostname or ""):
            if not self.allow_http:
                raise ValueError(
                    f"SPEECHFLOWS_SPEECH_ENDPOINT={self.base_url} must use https (plain http is "
                    "allowed on loopback, for the local emulator; for an emulator on another "
                    "test host set SPEECHFLOWS_SPEECH_ALLOW_HTTP=true)"
                )
            _warn_http_once(self.base_url)
        if self.key is None and not self.use_entra:
            raise ValueError(
                "SPEECHFLOWS_SPEECH_KEY is not set (example: SPEECHFLOWS_SPEECH_KEY=<32-character "
                "resource key from the Azure portal>), or set SPEECHFLOWS_SPEECH_USE_ENTRA=true"
            )
        if self.use_entra:
            host = urlsplit(self.base_url).hostname or ""
            if not (host.endswith(".cognitiveservices.azure.com") or is_loopback_host(host)):
                raise ValueError(
                    "SPEECHFLOWS_SPEECH_USE_ENTRA=true needs a custom-domain endpoint "
                    "(example: SPEECHFLOWS_SPEECH_ENDPOINT=https://myspeech.cognitiveservices.azure.com); "
                    "regional endpoints do not accept Entra ID tokens"
                )
        if self.key is not None:
            register_secret(self.key.get_secret_value())
        return self

    @property
    def base_url(self) -> str:
        """The resource's base URL, without a trailing slash."""
        if self.endpoint:
            return self.endpoint
        return f"https://{self.region}.api.cognitive.microsoft.com"

    @property
    def speech_to_text_legacy_paths(self) -> bool:
        """True when the Speech to text API is addressed as ``/speechtotext/v3.2/...``."""
        return self.speech_to_text_api_version == "v3.2"


class StorageSettings(_BlockSettings):
    """The Blob storage account that holds staged data, and how SAS URLs for it are minted."""

    model_config = _settings_config("SPEECHFLOWS_STORAGE_")

    connection_string: SecretStr | None = None
    account_url: str | None = None
    account_key: SecretStr | None = None
    use_entra: bool = False
    container: str = "speechflows"
    sas_expiry_minutes: int = 120
    max_concurrency: int = 8

    @model_validator(mode="after")
    def _complete(self) -> StorageSettings:
        if self.connection_string is None and self.account_url is None:
            raise ValueError(
                "SPEECHFLOWS_STORAGE_CONNECTION_STRING is not set (example: "
                "SPEECHFLOWS_STORAGE_CONNECTION_STRING='DefaultEndpointsProtocol=https;"
                "AccountName=myaccount;AccountKey=<key>;EndpointSuffix=core.windows.net'), "
                "or set SPEECHFLOWS_STORAGE_ACCOUNT_URL=https://myaccount.blob.core.windows.net "
                "with SPEECHFLOWS_STORAGE_ACCOUNT_KEY or SPEECHFLOWS_STORAGE_USE_ENTRA=true"
            )
        if self.connection_string is None and self.account_key is None and not self.use_entra:
            raise ValueError(
                "SPEECHFLOWS_STORAGE_ACCOUNT_URL needs a credential: set "
                "SPEECHFLOWS_STORAGE_ACCOUNT_KEY=<account key> or SPEECHFLOWS_STORAGE_USE_ENTRA=true"
            )
        if not 1 <= self.sas_expiry_minutes <= 7 * 24 * 60:
            raise ValueError("SPEECHFLOWS_STORAGE_SAS_EXPIRY_MINUTES must be between 1 and 10080")
        for secret in (self.connection_string, self.account_key):
            if secret is not None:
                value = secret.get_secret_value()
                register_secret(value)
                for part in value.split(";"):
                    if part.lower().startswith(("accountkey=", "sharedaccesssignature=")):
                        register_secret(part.split("=", 1)[1])
        return self

    @cached_property
    def connection_parts(self) -> dict[str, str]:
        """The connection string's ``Key=Value`` parts (empty without a connection string)."""
        if self.connection_string is None:
            return {}
        parts: dict[str, str] = {}
        for item in self.connection_string.get_secret_value().split(";"):
            if "=" in item:
                key, value = item.split("=", 1)
                parts[key.strip()] = value.strip()
        return parts


def _clean(exc: ValidationError) -> SettingsError:
    messages = []
    for error in exc.errors():
        msg = str(error.get("msg", ""))
        messages.append(msg.removeprefix("Value error, "))
    return SettingsError("; ".join(messages))


def load_speech_settings(**overrides: Any) -> SpeechSettings:
    """Read :class:`SpeechSettings` from the environment; fail with a readable :class:`SettingsError`."""
    try:
        return SpeechSettings(**overrides)
    except ValidationError as exc:
        raise _clean(exc) from None


def load_storage_settings(**overrides: Any) -> StorageSettings:
    """Read :class:`StorageSettings` from the environment; fail with a readable :class:`SettingsError`."""
    try:
        return StorageSettings(**overrides)
    except ValidationError as exc:
        raise _clean(exc) from None
