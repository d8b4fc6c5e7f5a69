"""Custom Voice consents (``client.consents``): ``Consents_*`` operations."""

from __future__ import annotations

from pathlib import Path

from speechflows.speech.custom_voice.core import ResourceGroup, check_resource_id
from speechflows.speech.errors import SpeechUsageError
from speechflows.speech.http import without_none
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
            body = {**fields, "audioUrl": audio_url}
            return self.core.start("PUT", url, fallback, operation_id, json=body)
        assert audio_file is not None
        # operationId: Consents_Post
        return self.core.start_upload(url, fallback, operation_id, fields, [audio_file])
