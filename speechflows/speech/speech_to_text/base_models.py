"""Speech to text base models (``client.base_models``): ``Models_*BaseModel*`` operations."""

from __future__ import annotations

from speechflows.speech.connection import OperationGroup
from speechflows.speech.schemas.speech_to_text import SpeechBaseModel
from speechflows.speech.speech_to_text.core import Ref, SpeechToTextCore


class BaseModels(OperationGroup[SpeechToTextCore]):
    """The service's base models, which custom models adapt."""

    def list(self, filter: str | None = None) -> list[SpeechBaseModel]:
        """Base models, e.g. ``filter="locale eq 'en-US'"``."""
        # operationId: Models_ListBaseModels
        return self.core.list(SpeechBaseModel, "models/base", filter)

    def get(self, base_model: Ref) -> SpeechBaseModel:
        """Get a base model."""
        # operationId: Models_GetBaseModel
        return self.core.get(SpeechBaseModel, "models/base", base_model)
