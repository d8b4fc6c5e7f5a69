"""Custom Voice personal voices (``client.personal_voices``): ``PersonalVoices_*`` operations."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from speechflows.speech.custom_voice.core import ResourceGroup, check_resource_id
from speechflows.speech.errors import SpeechUsageError
from speechflows.speech.http import without_none
from speechflows.speech.schemas.custom_voice import Accepted, AzureBlobContentSource, PersonalVoice


class PersonalVoices(ResourceGroup[PersonalVoice]):
    """Personal voices made from a consent and a few prompt recordings; a voice's
    ``speaker_profile_id`` is what synthesis uses."""

    model = PersonalVoice
    collection = "personalvoices"

    def create(
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
                "personal_voices.create needs exactly one of audios or audio_files"
            )
        fields = without_none(
            {
                "projectId": project_id,
                "consentId": consent_id,
                "description": description,
                "displayName": display_name,
            }
        )
        url = self.core.url("personalvoices", personal_voice_id)
        fallback = PersonalVoice(id=personal_voice_id, **fields)
        if audios is not None:
            # operationId: PersonalVoices_Create
            body = {**fields, "audios": audios.to_api()}
            return self.core.start("PUT", url, fallback, operation_id, json=body)
        # operationId: PersonalVoices_Post
        return self.core.start_upload(url, fallback, operation_id, fields, audio_files)
