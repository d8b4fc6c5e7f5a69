"""Custom Voice API client: projects, consents, training sets, personal voices, models, endpoints.

Ids are chosen by the caller (``^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$``; endpoints: UUID),
so a create is a PUT that a re-run repeats harmlessly. Long-running creates return
:class:`~speechflows.speech.models.Accepted`: the resource plus the operation to poll. Every
long-running request carries an ``Operation-Id``: the caller's (derive it with
:func:`operation_id_for` to re-attach on re-runs) or a fresh UUID, which also makes HTTP retries
of those POSTs safe.

Layout: :mod:`.custom_voice_base` (plumbing, ids) → :mod:`.custom_voice_data` (projects, consents,
training sets, personal voices) → this module (recipes, base models, models, endpoints, operations).

>>> operation_id_for("consent", "Jessica", "abc123")[:3]
'sf-'
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from speechflows.speech.client_base import without_none
from speechflows.speech.custom_voice_base import (
    CustomVoiceBase,
    check_resource_id,
    operation_id_for,
)
from speechflows.speech.custom_voice_data import CustomVoiceData
from speechflows.speech.errors import SpeechUsageError
from speechflows.speech.models import (
    Accepted,
    Endpoint,
    Model,
    Operation,
    OperationRef,
    Recipe,
    VoiceBaseModel,
)

__all__ = ["CustomVoiceBase", "CustomVoiceClient", "check_resource_id", "operation_id_for"]


class CustomVoiceClient(CustomVoiceData):
    """Typed client of the Custom Voice API (``{endpoint}/customvoice``, api-version from settings).

    Example:
        >>> with CustomVoiceClient(settings) as cv:  # doctest: +SKIP
        ...     cv.create_project("jessica", kind="ProfessionalVoice", locale="en-US")
    """

    # -- recipes, base models, models ---------------------------------------------------------

    def list_model_recipes(self) -> list[Recipe]:
        """Training recipes and their minimums (a bare array before 2026-01-01, paged since)."""
        # operationId: Models_ListRecipes
        return self._list(Recipe, "modelrecipes", None)

    def list_base_models(self) -> list[VoiceBaseModel]:
        """Base models (e.g. ``PhoenixV2Neural`` with capability ``PersonalVoice``)."""
        # operationId: BaseModels_List
        return self._list(VoiceBaseModel, "basemodels", None)

    def create_model(
        self,
        model_id: str,
        *,
        project_id: str,
        consent_id: str,
        training_set_id: str,
        recipe_kind: str,
        voice_name: str,
        locale: str | None = None,
        recipe_version: str | None = None,
        description: str | None = None,
        display_name: str | None = None,
        preset_styles: Sequence[str] | None = None,
        style_training_set_ids: dict[str, str] | None = None,
        operation_id: str | None = None,
    ) -> Accepted[Model]:
        """Start training a voice model (hours); poll ``.operation`` or the model."""
        check_resource_id(model_id, "model id")
        op_id, headers = self._op_headers(operation_id)
        properties = without_none(
            {
                "presetStyles": list(preset_styles) if preset_styles else None,
                "styleTrainingSetIds": style_training_set_ids,
            }
        )
        body = without_none(
            {
                "voiceName": voice_name,
                "description": description,
                "displayName": display_name,
                "recipe": without_none({"kind": recipe_kind, "version": recipe_version}),
                "locale": locale,
                "projectId": project_id,
                "consentId": consent_id,
                "trainingSetId": training_set_id,
                "properties": properties or None,
            }
        )
        # operationId: Models_Create
        response = self.http.request(
            "PUT", self.url("models", model_id), params=self._q, json=body, headers=headers
        )
        return self._accepted(
            Model, response, op_id, Model.model_validate({"id": model_id, **body})
        )

    def get_model(self, model_id: str) -> Model:
        """Get a voice model."""
        # operationId: Models_Get
        return self._get(Model, "models", model_id)

    def list_models(self, filter: str | None = None) -> list[Model]:
        """List voice models."""
        # operationId: Models_List
        return self._list(Model, "models", filter)

    def delete_model(self, model_id: str, *, missing_ok: bool = True) -> bool:
        """Delete a voice model. False if it did not exist."""
        # operationId: Models_Delete
        return self._delete("models", model_id, missing_ok)

    # -- endpoints ----------------------------------------------------------------------------

    @staticmethod
    def _uuid(endpoint_id: uuid.UUID | str) -> str:
        try:
            return str(uuid.UUID(str(endpoint_id)))
        except ValueError:
            raise SpeechUsageError(
                f"endpoint id {endpoint_id!r} must be a UUID (e.g. {uuid.uuid4()})"
            ) from None

    def create_endpoint(
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
        eid = self._uuid(endpoint_id)
        op_id, headers = self._op_headers(operation_id)
        body = without_none(
            {
                "projectId": project_id,
                "modelId": model_id,
                "description": description,
                "displayName": display_name,
                "properties": {"kind": str(kind)} if kind else None,
            }
        )
        # operationId: Endpoints_Create
        response = self.http.request(
            "PUT", self.url("endpoints", eid), params=self._q, json=body, headers=headers
        )
        return self._accepted(
            Endpoint, response, op_id, Endpoint.model_validate({"id": eid, **body})
        )

    def get_endpoint(self, endpoint_id: uuid.UUID | str) -> Endpoint:
        """Get an endpoint."""
        # operationId: Endpoints_Get
        return self._get(Endpoint, "endpoints", self._uuid(endpoint_id))

    def list_endpoints(self, filter: str | None = None) -> list[Endpoint]:
        """List endpoints."""
        # operationId: Endpoints_List
        return self._list(Endpoint, "endpoints", filter)

    def delete_endpoint(self, endpoint_id: uuid.UUID | str, *, missing_ok: bool = True) -> bool:
        """Delete an endpoint. False if it did not exist."""
        # operationId: Endpoints_Delete
        return self._delete("endpoints", self._uuid(endpoint_id), missing_ok)

    def _endpoint_action(
        self, endpoint_id: uuid.UUID | str, action: str, operation_id: str | None
    ) -> Accepted[Endpoint]:
        eid = self._uuid(endpoint_id)
        op_id, headers = self._op_headers(operation_id)
        response = self.http.request(
            "POST", self.url("endpoints", eid, action), params=self._q, headers=headers
        )
        return self._accepted(Endpoint, response, op_id, Endpoint(id=eid))

    def suspend_endpoint(
        self, endpoint_id: uuid.UUID | str, *, operation_id: str | None = None
    ) -> Accepted[Endpoint]:
        """Suspend an endpoint (status goes Disabling → Disabled)."""
        # operationId: Endpoints_Suspend
        return self._endpoint_action(endpoint_id, ":suspend", operation_id)

    def resume_endpoint(
        self, endpoint_id: uuid.UUID | str, *, operation_id: str | None = None
    ) -> Accepted[Endpoint]:
        """Resume a suspended endpoint."""
        # operationId: Endpoints_Resume
        return self._endpoint_action(endpoint_id, ":resume", operation_id)

    # -- operations ---------------------------------------------------------------------------

    def get_operation(self, operation: OperationRef | str) -> Operation:
        """Get an operation by id, ``Operation-Location`` URL or :class:`OperationRef`."""
        if isinstance(operation, OperationRef):
            target = operation.location or operation.id
        else:
            target = operation
        if target.startswith(("http://", "https://")):
            url = self.http.rebase(target)
            params = None if "api-version=" in url else self._q
        else:
            url, params = self.url("operations", check_resource_id(target, "operation id")), self._q
        # operationId: Operations_Get
        return Operation.model_validate(self.http.get_json(url, params))
