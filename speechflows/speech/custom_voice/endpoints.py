"""Custom Voice endpoints (``client.endpoints``): ``Endpoints_*`` operations; ids are UUIDs."""

from __future__ import annotations

import uuid

from speechflows.speech.connection import OperationGroup
from speechflows.speech.custom_voice.core import VoiceCore, endpoint_uuid
from speechflows.speech.http import without_none
from speechflows.speech.schemas.custom_voice import Accepted, Endpoint


class Endpoints(OperationGroup[VoiceCore]):
    """Deployments of voice models, and suspending/resuming them."""

    def create(
        self,
        endpoint_id: uuid.UUID | str,
        *,
        project_id: str,
        model_id: str,
        kind: str | None = None,
        description: str | None = None,
        display_name: str | None = None,
        operation_id: str | None = None,
    ) -> Accepted[Endpoint]:
        """Deploy a model at a UUID endpoint id (``kind``: HighPerformance or FastResume)."""
        eid = endpoint_uuid(endpoint_id)
        body = without_none(
            {
                "projectId": project_id,
                "modelId": model_id,
                "description": description,
                "displayName": display_name,
                "properties": {"kind": str(kind)} if kind else None,
            }
        )
        url = self.core.url("endpoints", eid)
        fallback = Endpoint.model_validate({"id": eid, **body})
        # operationId: Endpoints_Create
        return self.core.start("PUT", url, fallback, operation_id, json=body)

    def get(self, endpoint_id: uuid.UUID | str) -> Endpoint:
        """Get an endpoint."""
        # operationId: Endpoints_Get
        return self.core.get(Endpoint, "endpoints", endpoint_uuid(endpoint_id))

    def list(self, filter: str | None = None) -> list[Endpoint]:
        """List endpoints."""
        # operationId: Endpoints_List
        return self.core.list(Endpoint, "endpoints", filter)

    def delete(self, endpoint_id: uuid.UUID | str, *, missing_ok: bool = True) -> bool:
        """Delete an endpoint. False if it did not exist."""
        # operationId: Endpoints_Delete
        return self.core.delete("endpoints", endpoint_uuid(endpoint_id), missing_ok)

    def suspend(
        self, endpoint_id: uuid.UUID | str, *, operation_id: str | None = None
    ) -> Accepted[Endpoint]:
        """Suspend an endpoint (status goes Disabling → Disabled)."""
        # operationId: Endpoints_Suspend
        return self._action(endpoint_id, ":suspend", operation_id)

    def resume(
        self, endpoint_id: uuid.UUID | str, *, operation_id: str | None = None
    ) -> Accepted[Endpoint]:
        """Resume a suspended endpoint."""
        # operationId: Endpoints_Resume
        return self._action(endpoint_id, ":resume", operation_id)

    def _action(
        self, endpoint_id: uuid.UUID | str, action: str, operation_id: str | None
    ) -> Accepted[Endpoint]:
        eid = endpoint_uuid(endpoint_id)
        url = self.core.url("endpoints", eid, action)
        return self.core.start("POST", url, Endpoint(id=eid), operation_id)
