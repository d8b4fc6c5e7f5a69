"""Speech to text endpoints (``client.endpoints``): ``Endpoints_*`` operations."""

from __future__ import annotations

from speechflows.speech.http import without_none
from speechflows.speech.schemas.speech_to_text import SpeechEndpoint
from speechflows.speech.speech_to_text.core import GetOrCreateGroup, Ref, UpdatableGroup


class Endpoints(UpdatableGroup[SpeechEndpoint], GetOrCreateGroup[SpeechEndpoint]):
    """Deployments of custom models."""

    entity = SpeechEndpoint
    collection = "endpoints"

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

    def set_model(self, endpoint: Ref, model: Ref) -> SpeechEndpoint:
        """Point the endpoint at another model: same endpoint id and URL, no new endpoint.

        ``model`` is a property of the spec's ``EndpointUpdate`` (2025-10-15 and v3.2).
        """
        ref = model if isinstance(model, str) and "/models/base/" in model else None
        body = {"model": {"self": ref} if ref else self.core.self_ref("models", model)}
        # operationId: Endpoints_Update
        return self.core.update(SpeechEndpoint, "endpoints", endpoint, body)
