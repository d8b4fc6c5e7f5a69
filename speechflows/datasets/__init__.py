"""Offline, pre-flight validation of the data Azure AI Speech accepts. No network, no Prefect.

>>> from speechflows.datasets import DataKind, validate
>>> validate("does/not/exist", DataKind.LANGUAGE).counts_by_code()
{'dataset.not_found': 1}

What lives here: the validator (``validator``, one module per family: ``voice``,
``speech_audio``, ``speech_text``), its rules (``rules_voice``, ``rules_speech``: every finding
code with its severity and fix), the sample writers (``samples`` composes ``samples_clean``,
``samples_broken``, ``samples_broken_speech``), packaging, and the manifest of a dataset on
disk (``manifest``, with its errors in ``errors``) that ``speechflows.storage`` stages. This
package imports nothing of ``storage``, ``speech``, ``tasks`` or Prefect; its submodules import
each other by defining module, never through this ``__init__``.

A new data rule goes in ``rules_voice.py`` or ``rules_speech.py`` (plus its check in the
validator of the kind and, if seedable, a defect in the broken sample writer).
"""

from __future__ import annotations

from speechflows.datasets.audio import AudioInfo, AudioProbeError, probe_audio
from speechflows.datasets.findings import Finding, Rule, Severity
from speechflows.datasets.kinds import DataKind
from speechflows.datasets.packaging import build_zip
from speechflows.datasets.report import ValidationReport
from speechflows.datasets.rules import rules_for
from speechflows.datasets.samples import write_sample
from speechflows.datasets.validator import validate

__all__ = [
    "AudioInfo",
    "AudioProbeError",
    "DataKind",
    "Finding",
    "Rule",
    "Severity",
    "ValidationReport",
    "build_zip",
    "probe_audio",
    "rules_for",
    "validate",
    "write_sample",
]
