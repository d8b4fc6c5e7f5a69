"""Azure AI Speech management client: Custom Voice and Speech to text (no Prefect inside).

Where things live:

- :mod:`.custom_voice` and :mod:`.speech_to_text`: one subpackage per API surface. Each client
  holds one operation group per resource (``client.training_sets.upload(...)``,
  ``client.datasets.create(...)``), one module per group. **A new operation** goes in the module of
  its resource, named after the spec's operationId prefix (``TrainingSets_UploadData`` →
  ``custom_voice/training_sets.py``), with a ``# operationId:`` comment.
- :mod:`.schemas`: the pydantic resource schemas, one module per API plus ``common``.
- :mod:`.connection`: what both clients share (the connection, its lifecycle, the group base).
- :mod:`.http`: the one network seam (auth, retries, paging); :mod:`.errors`: typed errors.
- :mod:`.polling`: waiting for operations and resources, and re-attaching to a wait.

>>> from speechflows.speech import CustomVoiceClient, CustomSpeechClient, errors, polling
"""

from __future__ import annotations

from speechflows.speech import errors, polling
from speechflows.speech.custom_voice.client import CustomVoiceClient
from speechflows.speech.custom_voice.core import operation_id_for
from speechflows.speech.errors import (
    PollingTimeoutError,
    ResourceFailedError,
    SpeechError,
    SpeechHTTPError,
    TransientError,
    is_transient,
)
from speechflows.speech.http import RetryPolicy
from speechflows.speech.polling import ContinuationState, resume
from speechflows.speech.schemas.common import Status
from speechflows.speech.schemas.custom_voice import Accepted, AzureBlobContentSource, OperationRef
from speechflows.speech.speech_to_text.client import CustomSpeechClient

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
    "operation_id_for",
    "polling",
    "resume",
]
