"""Azure AI Speech management client: Custom Voice and Speech to text (no Prefect inside).

>>> from speechflows.speech import CustomVoiceClient, CustomSpeechClient, errors, models, polling
"""

from __future__ import annotations

from speechflows.speech import errors, models, polling
from speechflows.speech.custom_speech import CustomSpeechClient
from speechflows.speech.custom_voice import CustomVoiceClient, operation_id_for
from speechflows.speech.errors import (
    PollingTimeoutError,
    ResourceFailedError,
    SpeechError,
    SpeechHTTPError,
    TransientError,
    is_transient,
)
from speechflows.speech.http import RetryPolicy
from speechflows.speech.models import Accepted, AzureBlobContentSource, OperationRef, Status
from speechflows.speech.polling import ContinuationState, resume

__all__ = [
    "Accepted",
    "AzureBlobContentSource",
    "ContinuationState",
    "CustomSpeechClient",
    "CustomVoiceClient",
    "OperationRef",
    "PollingTimeoutError",
    "ResourceFailedError",
    "RetryPolicy",
    "SpeechError",
    "SpeechHTTPError",
    "Status",
    "TransientError",
    "errors",
    "is_transient",
    "models",
    "operation_id_for",
    "polling",
    "resume",
]
