"""Speech to text projects (``client.projects``): ``Projects_*`` operations."""

from __future__ import annotations

from speechflows.speech.errors import SpeechUsageError
from speechflows.speech.http import without_none
from speechflows.speech.schemas.speech_to_text import SpeechProject
from speechflows.speech.speech_to_text.core import UpdatableGroup


class Projects(UpdatableGroup[SpeechProject]):
    """Projects that group datasets, models, evaluations and endpoints."""

    entity = SpeechProject
    collection = "projects"

    def create(
        self,
        *,
        display_name: str,
        locale: str,
        description: str | None = None,
        custom_properties: dict[str, str] | None = None,
        foundry_project_name: str | None = None,
    ) -> SpeechProject:
        """Create a project (new entity on every call)."""
        if foundry_project_name is not None and self.core.legacy:
            raise SpeechUsageError("foundry_project_name needs api-version 2025-10-15")
        body = without_none(
            {
                "displayName": display_name,
                "locale": locale,
                "description": description,
                "customProperties": custom_properties,
                "foundryProjectName": foundry_project_name,
            }
        )
        # operationId: Projects_Create
        return self.core.create(SpeechProject, "projects", body)
