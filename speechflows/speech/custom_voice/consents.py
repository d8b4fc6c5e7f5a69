"""Custom Voice consents (``client.consents``): ``Consents_*`` operations."""

from __future__ import annotations

from pathlib import Path

from speechflows.speech.custom_voice.core import (
    ResourceGroup,
    audio_content_type,
    check_resource_id,
)
from speechflows.speech.errors import SpeechUsageError
from speechflows.speech.http import FileSpec, without_none
from speechflows.speech.schemas.custom_voice import Accepted, Consent


class Consents(ResourceGroup[Consent]):
    """A voice talent's recorded consent statement; ``get`` shows why one failed
    (``properties.failure_reason``)."""

    model = Consent
    collection = "consents"

    def create(
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
            raise SpeechUsageError("consents.create needs exactly one of audio_url or audio_file")
        op_id = self.core.operation_id(operation_id)
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
        url, fallback = self.core.url("consents", consent_id), Consent(id=consent_id, **fields)
        if audio_url is not None:
            # operationId: Consents_Create
            return self.core.start(
                "PUT", url, fallback, op_id, json={**fields, "audioUrl": audio_url}
            )
        assert audio_file is not None
        with open(audio_file, "rb") as handle:
            files: list[FileSpec] = [
                ("audiodata", (audio_file.name, handle, audio_content_type(audio_file)))
            ]
            # operationId: Consents_Post
            return self.core.start("POST", url, fallback, op_id, data=fields, files=files)
