"""Custom Voice base models (``client.base_models``): ``BaseModels_*`` operations."""

from __future__ import annotations

from speechflows.speech.connection import OperationGroup
from speechflows.speech.custom_voice.core import VoiceCore
from speechflows.speech.schemas.custom_voice import VoiceBaseModel


class BaseModels(OperationGroup[VoiceCore]):
    """The service's base models (e.g. ``PhoenixV2Neural`` with capability ``PersonalVoice``)."""

    def list(self) -> list[VoiceBaseModel]:
        """Base models (e.g. ``PhoenixV2Neural`` with capability ``PersonalVoice``)."""
        # operationId: BaseModels_List
        return self.core.list(VoiceBaseModel, "basemodels", None)
