"""Custom Voice API client (``{endpoint}/customvoice``): one module per resource.

- :mod:`.client`: :class:`CustomVoiceClient`, which holds one operation group per resource.
- :mod:`.core`: what every group shares (:class:`~.core.VoiceCore`: URLs, generic requests) and
  the id helpers (:func:`~.core.operation_id_for`, :func:`~.core.check_resource_id`).
- One module per resource group: :mod:`.projects`, :mod:`.consents`, :mod:`.training_sets`,
  :mod:`.personal_voices`, :mod:`.base_models`, :mod:`.models` (and recipes), :mod:`.endpoints`,
  :mod:`.operations`.

A new operation goes in the module of its resource (the spec's operationId prefix, e.g.
``TrainingSets_UploadData`` → :mod:`.training_sets`), as a method quoting that operationId; a new
resource gets its own module and an attribute in :class:`CustomVoiceClient`. Its schema goes in
:mod:`speechflows.speech.schemas.custom_voice`.
"""

from __future__ import annotations

from speechflows.speech.custom_voice.client import CustomVoiceClient
from speechflows.speech.custom_voice.core import check_resource_id, operation_id_for

__all__ = ["CustomVoiceClient", "check_resource_id", "operation_id_for"]
