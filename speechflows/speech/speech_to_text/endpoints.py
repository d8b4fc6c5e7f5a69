"""Speech to text endpoints (``client.endpoints``): ``Endpoints_*`` operations."""

from __future__ import annotations

from typing import Any

from speechflows.speech.connection import OperationGroup
from speechflows.speech.http import without_none
from speechflows.speech.schemas.speech_to_text import SpeechEndpoint
from speechflows.speech.speech_to_text.core import Ref, SpeechToTextCore


class Endpoints(OperationGroup[SpeechToTextCore]):
    """Deployments of custom models."""

    def create(
        self,
        *,
        display_name: str,
        locale: str,
        model_url: Ref,
        description: str | None = None,
        project_url: Ref | None = None,
        custom_properties: dict[str, str] | None = None,
        logging_enabled: bool | None = None,
    ) -> SpeechEndpoint:
        """Deploy a custom model to an endpoint."""
        body = without_none(
            {
                "displayName": display_name,
                "locale": locale,
                "description": description,
                "model": self.core.self_ref("models", model_url),
                "project": self.core.self_ref("projects", project_url) if project_url else None,
                "customProperties": custom_properties,
                "properties": {"loggingEnabled": logging_enabled}
                if logging_enabled is not None
                else None,
            }
        )
        # operationId: Endpoints_Create
        return self.core.create(SpeechEndpoint, "endpoints", body)

    def get_or_create(
        self, *, display_name: str, content_hash: str, **create: Any
    ) -> tuple[SpeechEndpoint, bool]:
        """Like ``datasets.get_or_create``, for :meth:`create` arguments."""
        return self.core.get_or_create(
            SpeechEndpoint, "endpoints", self.create, display_name, content_hash, create
        )

    def get(self, endpoint: Ref) -> SpeechEndpoint:
        """Get an endpoint."""
        # operationId: Endpoints_Get
        return self.core.get(SpeechEndpoint, "endpoints", endpoint)

    def list(self, filter: str | None = None) -> list[SpeechEndpoint]:
        """List endpoints."""
        # operationId: Endpoints_List
        return self.core.list(SpeechEndpoint, "endpoints", filter)

    def update(self, endpoint: Ref, **fields: Any) -> SpeechEndpoint:
        """Update camelCase fields of an endpoint (``model`` swaps the deployed model)."""
        # operationId: Endpoints_Update
        return self.core.update(SpeechEndpoint, "endpoints", endpoint, fields)

    def set_model(self, endpoint: Ref, model: Ref) -> SpeechEndpoint:
        """Point the endpoint at another model: same endpoint id and URL, no new endpoint.

        ``model`` is a property of the spec's ``EndpointUpdate`` (2025-10-15 and v3.2).
        """
        ref = model if isinstance(model, str) and "/models/base/" in model else None
        body = {"model": {"self": ref} if ref else self.core.self_ref("models", model)}
        # operationId: Endpoints_Update
        return self.core.update(SpeechEndpoint, "endpoints", endpoint, body)

    def delete(self, endpoint: Ref, *, missing_ok: bool = True) -> bool:
        """Delete an endpoint. False if it did not exist."""
        # operationId: Endpoints_Delete
        return self.core.delete("endpoints", endpoint, missing_ok)
