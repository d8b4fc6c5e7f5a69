"""What the service computes from customer data: the emulator's own model, not the product's.

The numbers the APIs report (``utteranceCount``, ``durationInSeconds``, ``acceptedLineCount``,
``rejectedLineCount``, ``durationMilliseconds``) and the failure codes come from
:mod:`speechflows.emulator.core.service_model`, written from the ledger's service-side rows and
the specs, with the emulator's own WAV/MP3, text and zip readers. The emulator imports nothing
of ``speechflows.datasets``: product and emulator can disagree, and ``tests/differential/``
checks they never disagree in the direction that matters (the pre-flight refusing what the
service accepts). What cannot be checked offline is stated where it is decided:

* consent: the audio must be valid consent audio (format, rate, depth). Whether the speaker says
  the verbal statement with ``voiceTalentName`` and ``companyName`` needs speech recognition and
  is **not checked**: a well-formed recording always matches.
* personal voice: the prompt audio is judged; speaker verification against the consent
  (``SpeakerVerificationFailed`` on Azure) is **not performed**.
"""

from __future__ import annotations

from pathlib import Path

from speechflows.emulator.core.service_model import Analysis, judge_dataset, judge_folder

__all__ = [
    "Analysis",
    "analyze_consent",
    "analyze_prompts",
    "analyze_stt_dataset",
    "analyze_training_set",
]


def analyze_training_set(folder: Path, kind: str, locale: str) -> Analysis:
    """Professional voice training data (``AudioAndScript``, ``LongAudio``, ``AudioOnly``)."""
    return judge_folder(folder, kind, locale)


def analyze_consent(folder: Path, locale: str) -> Analysis:
    """Consent audio: valid format only (the spoken statement is not recognised offline)."""
    return judge_folder(folder, "Consent", locale)


def analyze_prompts(folder: Path, locale: str) -> Analysis:
    """Personal voice prompt audio (5–90 s, at most 31,457,280 bytes per file)."""
    return judge_folder(folder, "Prompt", locale)


def analyze_stt_dataset(path: Path, kind: str, locale: str) -> Analysis:
    """A Speech to text dataset file (a zip for Acoustic/AudioFiles, text otherwise)."""
    return judge_dataset(path, kind, locale)
