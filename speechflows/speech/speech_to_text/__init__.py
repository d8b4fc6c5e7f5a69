"""Speech to text API client (custom speech, ``{endpoint}/speechtotext``): one module per resource.

- :mod:`.client`: :class:`CustomSpeechClient`, which holds one operation group per resource.
- :mod:`.core`: what every group shares (:class:`~.core.SpeechToTextCore`: URLs, ``self``
  references, generic requests, get-or-create by content hash) and :func:`~.core.odata_quote`.
- One module per resource group: :mod:`.locales`, :mod:`.projects`, :mod:`.datasets` (with blocks,
  files and the report), :mod:`.base_models`, :mod:`.models` (custom models),
  :mod:`.evaluations`, :mod:`.endpoints`.

A new operation goes in the module of its resource (the spec's operationId prefix, e.g.
``Datasets_GetBlocks`` → :mod:`.datasets`; base models are ``Models_*Base*`` →
:mod:`.base_models`), as a method quoting that operationId; a new resource gets its own module and
an attribute in :class:`CustomSpeechClient`. Its schema goes in
:mod:`speechflows.speech.schemas.speech_to_text`.
"""

from __future__ import annotations

from speechflows.speech.speech_to_text.client import CustomSpeechClient
from speechflows.speech.speech_to_text.core import (
    CONTENT_HASH_PROPERTY,
    MAX_BLOCK_BYTES,
    odata_quote,
)

__all__ = ["CONTENT_HASH_PROPERTY", "MAX_BLOCK_BYTES", "CustomSpeechClient", "odata_quote"]
