"""Fixed service data: Custom Voice recipes and base models, Speech to text base models, locales.

Values follow the spec examples (``get_recipes.json``, ``get_base_models.json``,
``get_english_base_models.json``, ``get_supported_dataset_locales.json``). Base model ids are
fixed UUIDs so that ``self`` links stay valid across restarts.
"""

from __future__ import annotations

from typing import Any

TTS_LOCALES = (
    "en-US",
    "en-GB",
    "en-AU",
    "fr-FR",
    "de-DE",
    "it-IT",
    "es-ES",
    "ja-JP",
    "zh-CN",
    "pt-BR",
    "ko-KR",
    "nl-NL",
)
STT_LOCALES = ("en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "it-IT", "ja-JP", "zh-CN", "pt-BR")
STT_DATASET_KINDS = (
    "Language",
    "Acoustic",
    "Pronunciation",
    "AudioFiles",
    "LanguageMarkdown",
    "OutputFormatting",
)


def recipes(min_utterance_count: int) -> list[dict[str, Any]]:
    """Custom Voice model recipes (``GET /modelrecipes``)."""
    return [
        {
            "version": "V7.2023.03",
            "kind": "Default",
            "description": "Model updated with a robust vocoder for higher audio quality.",
            "minUtteranceCount": min_utterance_count,
            "minDurationInSeconds": 3600.0,
            "datasetLocales": list(TTS_LOCALES),
            "modelLocales": list(TTS_LOCALES),
        },
        {
            "version": "V3.2023.06",
            "kind": "MultiStyle",
            "description": "Adapt the voice to speak with multiple emotional styles.",
            "minUtteranceCount": min_utterance_count,
            "minDurationInSeconds": 3600.0,
            "minStyleUtteranceCount": 100,
            "maxCustomStyleNum": 5,
            "datasetLocales": ["en-US", "ja-JP", "zh-CN"],
            "modelLocales": ["en-US", "ja-JP", "zh-CN"],
            "presetStyles": {
                "en-US": {
                    "male": ["angry", "cheerful", "excited", "friendly", "sad"],
                    "female": ["angry", "cheerful", "excited", "friendly", "sad"],
                }
            },
        },
        {
            "version": "V1.2023.10",
            "kind": "CrossLingual",
            "description": "Make the voice speak a different language from the training data.",
            "minUtteranceCount": min_utterance_count,
            "minDurationInSeconds": 3600.0,
            "datasetLocales": list(TTS_LOCALES),
            "modelLocales": list(TTS_LOCALES),
        },
    ]


CV_BASE_MODELS: list[dict[str, Any]] = [
    {
        "name": "PhoenixV2Neural",
        "description": "Phoenix V2 base model",
        "releaseDateTime": "2023-12-01T00:00:00.000Z",
        "capabilities": ["PersonalVoice"],
    },
    {
        "name": "DragonLatestNeural",
        "description": "Dragon base model",
        "releaseDateTime": "2024-10-01T00:00:00.000Z",
        "capabilities": ["PersonalVoice"],
    },
]

# Speech to text base models: (uuid, locale, display name, adaptation kinds).
STT_BASE_MODELS: list[tuple[str, str, str, tuple[str, ...]]] = [
    (
        "8a043172-65b7-4cf3-a8b5-4449efa5a0f1",
        "en-US",
        "20250101 (en-US)",
        STT_DATASET_KINDS,  # en-US adapts with every kind
    ),
    (
        "1aae1070-7972-47e9-9977-2a0f4c8a2d13",
        "en-GB",
        "20250101 (en-GB)",
        ("Language", "Acoustic", "Pronunciation"),
    ),
    (
        "5d3e6a7b-3b0a-4f7c-9a59-6a2b1f0e3c21",
        "de-DE",
        "20250101 (de-DE)",
        ("Language", "Acoustic", "Pronunciation"),
    ),
    (
        "c2b76f71-0b8e-4a7d-8f7d-2c9b0e4d6a10",
        "fr-FR",
        "20250101 (fr-FR)",
        ("Language", "Acoustic", "Pronunciation"),
    ),
    ("e6f0a8c4-6f1b-4f55-a0b5-0c3f9d7e2b44", "ja-JP", "20250101 (ja-JP)", ("Language", "Acoustic")),
]
STT_BASE_CREATED = "2025-01-01T00:00:00Z"


def stt_dataset_locales() -> dict[str, list[str]]:
    """``GET /datasets/locales``: the locales each dataset kind accepts."""
    out = {kind: list(STT_LOCALES) for kind in ("Language", "Acoustic", "AudioFiles")}
    out["Pronunciation"] = ["en-US", "en-GB", "de-DE", "fr-FR"]
    out["LanguageMarkdown"] = ["en-US"]
    out["OutputFormatting"] = ["en-US"]
    return out
