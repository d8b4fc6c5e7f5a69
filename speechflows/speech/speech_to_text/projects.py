"""Speech to text projects (``client.projects``): ``Projects_*`` operations."""

from __future__ import annotations

from typing import Any

from speechflows.speech.connection import OperationGroup
from speechflows.speech.errors import SpeechUsageError
from speechflows.speech.http import without_none
from speechflows.speech.schemas.speech_to_text import SpeechProject
from speechflows.speech.speech_to_text.core import Ref, SpeechToTextCore


class Projects(OperationGroup[SpeechToTextCore]):
    """Projects that group datasets, models, evaluations and endpoints."""

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

    def get(self, project: Ref) -> SpeechProject:
        """Get a project."""
        # operationId: Projects_Get
        return self.core.get(SpeechProject, "projects", project)

    def list(self, filter: str | None = None) -> list[SpeechProject]:
        """List projects (every page)."""
        # operationId: Projects_List
        return self.core.list(SpeechProject, "projects", filter)

    def update(self, project: Ref, **fields: Any) -> SpeechProject:
        """Update a project: camelCase fields such as ``displayName``, ``customProperties``."""
        # operationId: Projects_Update
        return self.core.update(SpeechProject, "projects", project, fields)

    def delete(self, project: Ref, *, missing_ok: bool = True) -> bool:
        """Delete a project. False if it did not exist."""
        # operationId: Projects_Delete
        return self.core.delete("projects", project, missing_ok)
