"""Custom Voice projects (``client.projects``): ``Projects_*`` operations."""

from __future__ import annotations

from speechflows.speech.connection import OperationGroup
from speechflows.speech.custom_voice.core import VoiceCore, check_resource_id
from speechflows.speech.http import decode_json, without_none
from speechflows.speech.schemas.custom_voice import Project


class Projects(OperationGroup[VoiceCore]):
    """Projects of kind ``ProfessionalVoice`` or ``PersonalVoice``."""

    def create(
        self,
        project_id: str,
        *,
        kind: str,
        description: str | None = None,
        display_name: str | None = None,
        locale: str | None = None,
    ) -> Project:
        """Create (or re-put) a project of kind ``ProfessionalVoice`` or ``PersonalVoice``."""
        check_resource_id(project_id, "project id")
        self.core.ga_only("project locale", locale)
        body = without_none(
            {
                "kind": str(kind),
                "description": description,
                "displayName": display_name,
                "locale": locale,
            }
        )
        # operationId: Projects_Create
        response = self.core.http.request(
            "PUT", self.core.url("projects", project_id), params=self.core.query, json=body
        )
        return Project.model_validate(decode_json(response))

    def get(self, project_id: str) -> Project:
        """Get a project."""
        # operationId: Projects_Get
        return self.core.get(Project, "projects", project_id)

    def list(self, filter: str | None = None) -> list[Project]:
        """List projects (every page), e.g. ``filter="kind eq 'PersonalVoice'"``."""
        # operationId: Projects_List
        return self.core.list(Project, "projects", filter)

    def delete(self, project_id: str, force: bool = False, *, missing_ok: bool = True) -> bool:
        """Delete a project (``force``: also its models and endpoints). False if it did not exist."""
        # operationId: Projects_Delete
        return self.core.delete("projects", project_id, missing_ok, forceDelete=force)
