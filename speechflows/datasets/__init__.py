"""Offline, pre-flight validation of the data Azure AI Speech accepts. No network, no Prefect.

>>> from speechflows.datasets import DataKind, validate
>>> validate("does/not/exist", DataKind.LANGUAGE).counts_by_code()
{'dataset.not_found': 1}

The manifest (``speechflows.datasets.manifest``) belongs to storage and is imported from there.
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
