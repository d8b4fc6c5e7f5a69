"""The data kinds Azure AI Speech accepts, and which files each kind is made of."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class DataKind(StrEnum):
    """A dataset kind, spelled as the Azure APIs spell it.

    Professional voice training sets: ``AudioAndScript``, ``LongAudio``, ``AudioOnly``.
    Custom speech datasets: ``Acoustic``, ``AudioFiles``, ``Language``, ``Pronunciation``,
    ``LanguageMarkdown``, ``OutputFormatting``. Personal voice: ``Consent``, ``Prompt``.
    """

    AUDIO_AND_SCRIPT = "AudioAndScript"
    LONG_AUDIO = "LongAudio"
    AUDIO_ONLY = "AudioOnly"
    ACOUSTIC = "Acoustic"
    AUDIO_FILES = "AudioFiles"
    LANGUAGE = "Language"
    PRONUNCIATION = "Pronunciation"
    LANGUAGE_MARKDOWN = "LanguageMarkdown"
    OUTPUT_FORMATTING = "OutputFormatting"
    CONSENT = "Consent"
    PROMPT = "Prompt"

    @classmethod
    def parse(cls, value: DataKind | str) -> DataKind:
        """Return the kind named ``value`` (case-insensitive).

        Raises:
            ValueError: the name is unknown; the message lists the valid names.
        """
        if isinstance(value, DataKind):
            return value
        for kind in cls:
            if kind.value.lower() == str(value).strip().lower():
                return kind
        names = ", ".join(k.value for k in cls)
        raise ValueError(f"unknown data kind {value!r}: use one of {names}")


PROFESSIONAL_VOICE_KINDS = frozenset(
    {DataKind.AUDIO_AND_SCRIPT, DataKind.LONG_AUDIO, DataKind.AUDIO_ONLY}
)
PERSONAL_VOICE_KINDS = frozenset({DataKind.CONSENT, DataKind.PROMPT})
AUDIO_DATASET_KINDS = frozenset({DataKind.ACOUSTIC, DataKind.AUDIO_FILES})
TEXT_KINDS = frozenset(
    {
        DataKind.LANGUAGE,
        DataKind.PRONUNCIATION,
        DataKind.LANGUAGE_MARKDOWN,
        DataKind.OUTPUT_FORMATTING,
    }
)

AUDIO_EXTENSIONS = frozenset({".wav", ".mp3"})

# The files each kind is built from; anything else in a folder is reported and left out.
KIND_EXTENSIONS: dict[DataKind, frozenset[str]] = {
    DataKind.AUDIO_AND_SCRIPT: frozenset({".wav", ".txt"}),
    DataKind.LONG_AUDIO: frozenset({".wav", ".mp3", ".txt"}),
    DataKind.AUDIO_ONLY: frozenset({".wav", ".mp3"}),
    DataKind.ACOUSTIC: frozenset({".wav", ".txt", ".tsv"}),
    DataKind.AUDIO_FILES: frozenset({".wav"}),
    DataKind.LANGUAGE: frozenset({".txt"}),
    DataKind.PRONUNCIATION: frozenset({".txt"}),
    DataKind.LANGUAGE_MARKDOWN: frozenset({".md"}),
    # The docs name .md; Microsoft's accepted sample rule file is a .txt (ledger: Dataset formats).
    DataKind.OUTPUT_FORMATTING: frozenset({".md", ".txt"}),
    DataKind.CONSENT: frozenset({".wav", ".mp3"}),
    DataKind.PROMPT: frozenset({".wav", ".mp3"}),
}


AUDIO_CHECKS_DEFAULT: Mapping[DataKind, bool] = MappingProxyType(
    {
        DataKind.AUDIO_AND_SCRIPT: True,
        DataKind.LONG_AUDIO: True,
        DataKind.AUDIO_ONLY: True,
        DataKind.CONSENT: True,
        DataKind.PROMPT: True,
        DataKind.ACOUSTIC: False,
        DataKind.AUDIO_FILES: False,
    }
)
"""Whether the flows run the audio analysis when ``audio_checks`` is not given.

Here, not in :mod:`~speechflows.datasets.audio_analysis`, so deciding costs no numpy import."""
