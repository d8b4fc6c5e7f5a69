"""Fixed Custom Voice data: locales, model recipes and base models.

Values follow the spec examples (``get_recipes.json``, ``get_base_models.json``).
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
