"""Settings for the Speech resource and the Blob storage that feeds it.

Read from the environment (prefix ``SPEECHFLOWS_``) or a ``.env`` file in the working directory:

==========================================  ===================================================
variable                                    example
==========================================  ===================================================
``SPEECHFLOWS_SPEECH_ENDPOINT``             ``https://eastus.api.cognitive.microsoft.com``
``SPEECHFLOWS_SPEECH_REGION``               ``eastus`` (instead of the endpoint)
``SPEECHFLOWS_SPEECH_KEY``                  the resource key (or ``SPEECHFLOWS_SPEECH_USE_ENTRA``)
``SPEECHFLOWS_SPEECH_USE_ENTRA``            ``true``: DefaultAzureCredential, custom domain only
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

>>> s = SpeechSettings(region="eastus", key="k" * 32)
>>> s.base_url
'https://eastus.api.cognitive.microsoft.com'
>>> "kkkk" in repr(s)
False
"""

from __future__ import annotations

import ipaddress
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from speechflows.redaction import register_secret

DEFAULT_CUSTOM_VOICE_API_VERSION = "2026-01-01"
DEFAULT_SPEECH_TO_TEXT_API_VERSION = "2025-10-15"
CUSTOM_VOICE_API_VERSIONS = ("2026-01-01", "2024-02-01-preview")
SPEECH_TO_TEXT_API_VERSIONS = ("2025-10-15", "v3.2")
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


def _settings_config(env_prefix: str) -> SettingsConfigDict:
    """Settings read from ``<env_prefix>*`` variables or a ``.env`` file; frozen once loaded."""
    return SettingsConfigDict(env_prefix=env_prefix, env_file=".env", extra="ignore", frozen=True)


class SpeechSettings(BaseSettings):
    """Where the Speech resource is and how to authenticate to it."""

    model_config = _settings_config("SPEECHFLOWS_SPEECH_")

    endpoint: str | None = None
    region: str | None = None
    key: SecretStr | None = None
    use_entra: bool = False
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
        if parts.scheme == "http" and not is_loopback_host(parts.hostname):
            raise ValueError(
                "SPEECHFLOWS_SPEECH_ENDPOINT must use https (plain http is allowed only on "
                "loopback, for the local emulator)"
            )
        return value.rstrip("/")

    @field_validator("custom_voice_api_version")
    @classmethod
    def _cv_version(cls, value: str) -> str:
        if value not in CUSTOM_VOICE_API_VERSIONS:
            raise ValueError(
                f"SPEECHFLOWS_SPEECH_CUSTOM_VOICE_API_VERSION={value!r} is not supported; "
                f"use one of {', '.join(CUSTOM_VOICE_API_VERSIONS)}"
            )
        return value

    @field_validator("speech_to_text_api_version")
    @classmethod
    def _stt_version(cls, value: str) -> str:
        if value not in SPEECH_TO_TEXT_API_VERSIONS:
            raise ValueError(
                f"SPEECHFLOWS_SPEECH_SPEECH_TO_TEXT_API_VERSION={value!r} is not supported; "
                f"use one of {', '.join(SPEECH_TO_TEXT_API_VERSIONS)}"
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


class StorageSettings(BaseSettings):
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
