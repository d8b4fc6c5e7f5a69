"""What the schemas of both APIs share: the base model, the status enum, secret URLs.

Fields are snake_case with the API's camelCase as alias; unknown fields are kept (``extra``), so a
newer service version never breaks parsing. Statuses are enums compared case-insensitively.
URLs that may carry a SAS token (``audioUrl``, ``containerUrl``, ``contentUrl``) are redacted in
``repr``/``str`` and in ``model_dump`` unless the dump asks for ``context={"reveal": True}`` (only
the client does, to build a request body).

>>> Status("succeeded") is Status.SUCCEEDED
True
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, SerializationInfo, WrapSerializer
from pydantic.alias_generators import to_camel

from speechflows.redaction import redact_text, redact_url


def _secret_url(value: Any, handler: Any, info: SerializationInfo) -> Any:
    if isinstance(value, str) and not (info.context or {}).get("reveal"):
        return redact_url(value)
    return handler(value)


SecretUrl = Annotated[str, WrapSerializer(_secret_url)]
"""A URL that may carry a SAS token: redacted when dumped, except for requests."""


class CaseInsensitiveEnum(StrEnum):
    """A string enum that accepts its values in any case (``"succeeded"`` is ``SUCCEEDED``)."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            for member in cls:
                if member.value.lower() == value.lower():
                    return member
        return None


class Status(CaseInsensitiveEnum):
    """Resource and operation status (Custom Voice adds Disabling/Disabled for endpoints)."""

    NOT_STARTED = "NotStarted"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    DISABLING = "Disabling"
    DISABLED = "Disabled"

    @property
    def is_terminal(self) -> bool:
        """True for Succeeded, Failed and Disabled."""
        return self in (Status.SUCCEEDED, Status.FAILED, Status.DISABLED)


class ApiModel(BaseModel):
    """Base of every model: camelCase aliases, unknown fields kept, secrets redacted in reprs."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        protected_namespaces=(),
    )

    def to_api(self) -> dict[str, Any]:
        """The JSON body for a request (aliases, no ``None``, secrets revealed)."""
        return self.model_dump(
            by_alias=True, exclude_none=True, mode="json", context={"reveal": True}
        )

    def __repr__(self) -> str:
        return redact_text(super().__repr__())

    def __str__(self) -> str:
        return redact_text(super().__str__())


class StatusResource(ApiModel):
    """A resource with a status that moves to a terminal state."""

    status: Status | None = None
    created_date_time: datetime | None = None
    last_action_date_time: datetime | None = None

    @property
    def resource_id(self) -> str:
        """The resource's id (Custom Voice: chosen by the caller; Speech to text: from ``self``)."""
        # Read the stored fields: ``SpeechEntity.id`` is a property built on this one.
        value = self.__dict__.get("id") or self.__dict__.get("self_url") or ""
        return str(value).split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]

    def failure(self) -> tuple[str | None, str | None]:
        """``(code, reason)`` the service gave for a ``Failed`` status."""
        props = getattr(self, "properties", None)
        error = getattr(props, "error", None)
        if error is not None:
            return error.code, error.message
        reason = getattr(props, "failure_reason", None)
        return (str(reason) if reason else None), None
