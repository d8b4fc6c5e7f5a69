"""Pydantic schemas of the Speech resources, one module per API they describe.

- :mod:`.common`: what both APIs share (``ApiModel`` base, ``Status``, ``StatusResource``,
  ``SecretUrl``).
- :mod:`.custom_voice`: Custom Voice resources, ``Operation``/``OperationRef`` and ``Accepted``.
- :mod:`.speech_to_text`: Speech to text entities (datasets, models, evaluations, endpoints...).

A new resource's schema goes in the module of its API; a field both APIs use goes in ``common``.
"""
