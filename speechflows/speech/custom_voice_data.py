"""Custom Voice projects, consents, training sets and personal voices (the data side)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from speechflows.speech.client_base import without_none
from speechflows.speech.custom_voice_base import (
    CustomVoiceBase,
    audio_content_type,
    check_resource_id,
)
from speechflows.speech.errors import SpeechUsageError
from speechflows.speech.http import FileSpec, decode_json
from speechflows.speech.models import (
    Accepted,
    AzureBlobContentSource,
    Consent,
    OperationRef,
    PersonalVoice,
    Project,
    TrainingSet,
)


class CustomVoiceData(CustomVoiceBase):
    """Projects, consents, training sets and personal voices."""

    # -- projects -----------------------------------------------------------------------------

    def create_project(
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
        self._ga_only("project locale", locale)
        body = without_none(
            {
                "kind": str(kind),
                "description": description,
                "displayName": display_name,
                "locale": locale,
            }
        )
        # operationId: Projects_Create
        response = self.http.request(
            "PUT", self.url("projects", project_id), params=self._q, json=body
        )
        return Project.model_validate(decode_json(response))

    def get_project(self, project_id: str) -> Project:
        """Get a project."""
        # operationId: Projects_Get
        return self._get(Project, "projects", project_id)

    def list_projects(self, filter: str | None = None) -> list[Project]:
        """List projects (every page), e.g. ``filter="kind eq 'PersonalVoice'"``."""
        # operationId: Projects_List
        return self._list(Project, "projects", filter)

    def delete_project(
        self, project_id: str, force: bool = False, *, missing_ok: bool = True
    ) -> bool:
        """Delete a project (``force``: also its models and endpoints). False if it did not exist."""
        # operationId: Projects_Delete
        return self._delete("projects", project_id, missing_ok, forceDelete=force)

    # -- consents -----------------------------------------------------------------------------

    def create_consent(
        self,
        consent_id: str,
        *,
        project_id: str,
        voice_talent_name: str,
        company_name: str,
        locale: str,
        audio_url: str | None = None,
        audio_file: Path | None = None,
        description: str | None = None,
        display_name: str | None = None,
        operation_id: str | None = None,
    ) -> Accepted[Consent]:
        """Create a consent from an audio URL (PUT, JSON) or a local audio file (POST, multipart).

        Processing continues after the 201; poll ``.operation`` or the consent.
        """
        check_resource_id(consent_id, "consent id")
        if (audio_url is None) == (audio_file is None):
            raise SpeechUsageError("create_consent needs exactly one of audio_url or audio_file")
        op_id, headers = self._op_headers(operation_id)
        fields = without_none(
            {
                "projectId": project_id,
                "voiceTalentName": voice_talent_name,
                "companyName": company_name,
                "locale": locale,
                "description": description,
                "displayName": display_name,
            }
        )
        url = self.url("consents", consent_id)
        if audio_url is not None:
            # operationId: Consents_Create
            response = self.http.request(
                "PUT", url, params=self._q, json={**fields, "audioUrl": audio_url}, headers=headers
            )
        else:
            assert audio_file is not None
            with open(audio_file, "rb") as handle:
                files: list[FileSpec] = [
                    ("audiodata", (audio_file.name, handle, audio_content_type(audio_file)))
                ]
                # operationId: Consents_Post
                response = self.http.request(
                    "POST", url, params=self._q, data=fields, files=files, headers=headers
                )
        return self._accepted(Consent, response, op_id, Consent(id=consent_id, **fields))

    def get_consent(self, consent_id: str) -> Consent:
        """Get a consent (``properties.failure_reason`` tells why one failed)."""
        # operationId: Consents_Get
        return self._get(Consent, "consents", consent_id)

    def list_consents(self, filter: str | None = None) -> list[Consent]:
        """List consents, e.g. ``filter="projectId eq 'Jessica'"``."""
        # operationId: Consents_List
        return self._list(Consent, "consents", filter)

    def delete_consent(self, consent_id: str, *, missing_ok: bool = True) -> bool:
        """Delete a consent. False if it did not exist."""
        # operationId: Consents_Delete
        return self._delete("consents", consent_id, missing_ok)

    # -- training sets ------------------------------------------------------------------------

    def create_training_set(
        self,
        training_set_id: str,
        *,
        project_id: str,
        locale: str,
        voice_kind: str,
        description: str | None = None,
        display_name: str | None = None,
    ) -> TrainingSet:
        """Create (or re-put) a training set. ``voice_kind`` (Male/Female) cannot change later."""
        check_resource_id(training_set_id, "training set id")
        body = without_none(
            {
                "projectId": project_id,
                "locale": locale,
                "voiceKind": str(voice_kind),
                "description": description,
                "displayName": display_name,
            }
        )
        # operationId: TrainingSets_Create
        response = self.http.request(
            "PUT", self.url("trainingsets", training_set_id), params=self._q, json=body
        )
        return TrainingSet.model_validate(decode_json(response))

    def upload_training_set_data(
        self,
        training_set_id: str,
        *,
        kind: str,
        audios: AzureBlobContentSource,
        scripts: AzureBlobContentSource | None,
        process_as: str | None = None,
        display_name: str | None = None,
        operation_id: str | None = None,
    ) -> OperationRef:
        """Import audio (and scripts) from blob containers into a training set (202 + operation)."""
        check_resource_id(training_set_id, "training set id")
        if scripts is None and str(kind) in ("AudioAndScript", "LongAudio"):
            raise SpeechUsageError(f"upload_training_set_data: kind {kind} needs scripts")
        self._ga_only("process_as", process_as)
        op_id, headers = self._op_headers(operation_id)
        body = without_none(
            {
                "kind": str(kind),
                "displayName": display_name,
                "processAs": str(process_as) if process_as else None,
                "audios": audios.to_api(),
                "scripts": scripts.to_api() if scripts else None,
            }
        )
        # operationId: TrainingSets_UploadData
        response = self.http.request(
            "POST",
            self.url("trainingsets", training_set_id, ":upload"),
            params=self._q,
            json=body,
            headers=headers,
        )
        return self._accepted(
            TrainingSet, response, op_id, TrainingSet(id=training_set_id)
        ).operation

    def get_training_set(self, training_set_id: str) -> TrainingSet:
        """Get a training set (``properties.utterance_count`` once processed)."""
        # operationId: TrainingSets_Get
        return self._get(TrainingSet, "trainingsets", training_set_id)

    def list_training_sets(self, filter: str | None = None) -> list[TrainingSet]:
        """List training sets."""
        # operationId: TrainingSets_List
        return self._list(TrainingSet, "trainingsets", filter)

    def delete_training_set(self, training_set_id: str, *, missing_ok: bool = True) -> bool:
        """Delete a training set. False if it did not exist."""
        # operationId: TrainingSets_Delete
        return self._delete("trainingsets", training_set_id, missing_ok)

    # -- personal voices ----------------------------------------------------------------------

    def create_personal_voice(
        self,
        personal_voice_id: str,
        *,
        project_id: str,
        consent_id: str,
        audios: AzureBlobContentSource | None = None,
        audio_files: Sequence[Path] = (),
        description: str | None = None,
        display_name: str | None = None,
        operation_id: str | None = None,
    ) -> Accepted[PersonalVoice]:
        """Create a personal voice from prompt audio in a blob container (PUT) or local files (POST).

        The multipart form sends ``consentId`` and parts named ``audiodata``, as the service expects
        (the spec omits the first and spells the second ``audioData``).
        """
        check_resource_id(personal_voice_id, "personal voice id")
        if (audios is None) == (not audio_files):
            raise SpeechUsageError(
                "create_personal_voice needs exactly one of audios or audio_files"
            )
        op_id, headers = self._op_headers(operation_id)
        fields = without_none(
            {
                "projectId": project_id,
                "consentId": consent_id,
                "description": description,
                "displayName": display_name,
            }
        )
        url = self.url("personalvoices", personal_voice_id)
        if audios is not None:
            # operationId: PersonalVoices_Create
            response = self.http.request(
                "PUT",
                url,
                params=self._q,
                json={**fields, "audios": audios.to_api()},
                headers=headers,
            )
        else:
            with ExitStack() as stack:
                files: list[FileSpec] = [
                    (
                        "audiodata",
                        (
                            path.name,
                            stack.enter_context(open(path, "rb")),
                            audio_content_type(path),
                        ),
                    )
                    for path in audio_files
                ]
                # operationId: PersonalVoices_Post
                response = self.http.request(
                    "POST", url, params=self._q, data=fields, files=files, headers=headers
                )
        fallback = PersonalVoice(id=personal_voice_id, **fields)
        return self._accepted(PersonalVoice, response, op_id, fallback)

    def get_personal_voice(self, personal_voice_id: str) -> PersonalVoice:
        """Get a personal voice (``speaker_profile_id`` is what synthesis uses)."""
        # operationId: PersonalVoices_Get
        return self._get(PersonalVoice, "personalvoices", personal_voice_id)

    def list_personal_voices(self, filter: str | None = None) -> list[PersonalVoice]:
        """List personal voices."""
        # operationId: PersonalVoices_List
        return self._list(PersonalVoice, "personalvoices", filter)

    def delete_personal_voice(self, personal_voice_id: str, *, missing_ok: bool = True) -> bool:
        """Delete a personal voice. False if it did not exist."""
        # operationId: PersonalVoices_Delete
        return self._delete("personalvoices", personal_voice_id, missing_ok)
