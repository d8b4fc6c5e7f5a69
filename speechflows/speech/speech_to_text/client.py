"""The Speech to text (custom speech) client: one operation group per resource, on one core.

Two API styles, chosen by ``settings.speech_to_text_api_version``: ``2025-10-15`` (default) and
legacy ``v3.2``; see :mod:`.core`. Entities are given by ``self`` URL, entity or id.
"""

from __future__ import annotations

from typing import Unpack

from speechflows.settings import SpeechSettings
from speechflows.speech.connection import ConnectionOptions, SpeechClient
from speechflows.speech.speech_to_text.base_models import BaseModels
from speechflows.speech.speech_to_text.core import SpeechToTextCore
from speechflows.speech.speech_to_text.datasets import Datasets
from speechflows.speech.speech_to_text.endpoints import Endpoints
from speechflows.speech.speech_to_text.evaluations import Evaluations
from speechflows.speech.speech_to_text.locales import Locales
from speechflows.speech.speech_to_text.models import Models
from speechflows.speech.speech_to_text.projects import Projects
from speechflows.speech.speech_to_text.transcriptions import Transcriptions


class CustomSpeechClient(SpeechClient):
    """Typed client of the Speech to text REST API (custom speech part).

    Example:
        >>> with CustomSpeechClient(settings) as stt:  # doctest: +SKIP
        ...     ds, created = stt.datasets.get_or_create(kind="Language", locale="en-US",
        ...         display_name="faq", content_url=sas_url, content_hash=manifest.hash)
    """

    def __init__(self, settings: SpeechSettings, **options: Unpack[ConnectionOptions]) -> None:
        super().__init__(settings, settings.speech_to_text_api_version, **options)
        self.core = SpeechToTextCore(
            self.http, self.api_version, legacy=settings.speech_to_text_legacy_paths
        )
        self.locales = Locales(self.core)
        self.projects = Projects(self.core)
        self.datasets = Datasets(self.core)
        self.base_models = BaseModels(self.core)
        self.models = Models(self.core)
        self.evaluations = Evaluations(self.core)
        self.endpoints = Endpoints(self.core)
        self.transcriptions = Transcriptions(self.core)
