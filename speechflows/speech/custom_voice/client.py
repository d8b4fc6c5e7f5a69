"""The Custom Voice API client: one operation group per resource, all on one :class:`VoiceCore`.

Long-running creates return :class:`~speechflows.speech.schemas.custom_voice.Accepted`: the
resource plus the operation to poll (:mod:`speechflows.speech.polling`).
"""

from __future__ import annotations

from typing import Unpack

from speechflows.settings import SpeechSettings
from speechflows.speech.connection import ConnectionOptions, SpeechClient
from speechflows.speech.custom_voice.base_models import BaseModels
from speechflows.speech.custom_voice.consents import Consents
from speechflows.speech.custom_voice.core import VoiceCore
from speechflows.speech.custom_voice.endpoints import Endpoints
from speechflows.speech.custom_voice.models import Models
from speechflows.speech.custom_voice.operations import Operations
from speechflows.speech.custom_voice.personal_voices import PersonalVoices
from speechflows.speech.custom_voice.projects import Projects
from speechflows.speech.custom_voice.training_sets import TrainingSets


class CustomVoiceClient(SpeechClient):
    """Typed client of the Custom Voice API (``{endpoint}/customvoice``, api-version from settings).

    Example:
        >>> with CustomVoiceClient(settings) as cv:  # doctest: +SKIP
        ...     cv.projects.create("jessica", kind="ProfessionalVoice", locale="en-US")
    """

    def __init__(self, settings: SpeechSettings, **options: Unpack[ConnectionOptions]) -> None:
        super().__init__(settings, settings.custom_voice_api_version, **options)
        self.core = VoiceCore(self.http, self.api_version)
        self.projects = Projects(self.core)
        self.consents = Consents(self.core)
        self.training_sets = TrainingSets(self.core)
        self.personal_voices = PersonalVoices(self.core)
        self.base_models = BaseModels(self.core)
        self.models = Models(self.core)
        self.endpoints = Endpoints(self.core)
        self.operations = Operations(self.core)
