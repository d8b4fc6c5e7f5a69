"""Fixed Custom Voice data: locales, model recipes and base models.

Values follow the spec examples (``get_recipes.json``, ``get_base_models.json``); the locale
list and how it is matched are in ``docs/azure-behaviour.md`` § Locales.
"""

from __future__ import annotations

from typing import Any

# Text to speech locales (the Learn "Language and voice support" list for text to speech, read
# 2026-11). Custom voice accepts a locale of this list; see docs/azure-behaviour.md § Locales.
# fmt: off
TTS_LOCALES = (
    "af-ZA", "am-ET", "ar-AE", "ar-BH", "ar-DZ", "ar-EG", "ar-IQ", "ar-JO", "ar-KW", "ar-LB",
    "ar-LY", "ar-MA", "ar-OM", "ar-QA", "ar-SA", "ar-SY", "ar-TN", "ar-YE", "as-IN", "az-AZ",
    "bg-BG", "bn-BD", "bn-IN", "bs-BA", "ca-ES", "cs-CZ", "cy-GB", "da-DK", "de-AT", "de-CH",
    "de-DE", "el-GR", "en-AU", "en-CA", "en-GB", "en-HK", "en-IE", "en-IN", "en-KE", "en-NG",
    "en-NZ", "en-PH", "en-SG", "en-TZ", "en-US", "en-ZA", "es-AR", "es-BO", "es-CL", "es-CO",
    "es-CR", "es-CU", "es-DO", "es-EC", "es-ES", "es-GQ", "es-GT", "es-HN", "es-MX", "es-NI",
    "es-PA", "es-PE", "es-PR", "es-PY", "es-SV", "es-US", "es-UY", "es-VE", "et-EE", "eu-ES",
    "fa-IR", "fi-FI", "fil-PH", "fr-BE", "fr-CA", "fr-CH", "fr-FR", "ga-IE", "gl-ES", "gu-IN",
    "he-IL", "hi-IN", "hr-HR", "hu-HU", "hy-AM", "id-ID", "is-IS", "it-IT", "iu-Cans-CA",
    "iu-Latn-CA", "ja-JP", "jv-ID", "ka-GE", "kk-KZ", "km-KH", "kn-IN", "ko-KR", "lo-LA",
    "lt-LT", "lv-LV", "mk-MK", "ml-IN", "mn-MN", "mr-IN", "ms-MY", "mt-MT", "my-MM", "nb-NO",
    "ne-NP", "nl-BE", "nl-NL", "or-IN", "pa-IN", "pl-PL", "ps-AF", "pt-BR", "pt-PT", "ro-RO",
    "ru-RU", "si-LK", "sk-SK", "sl-SI", "so-SO", "sq-AL", "sr-Latn-RS", "sr-RS", "su-ID",
    "sv-SE", "sw-KE", "sw-TZ", "ta-IN", "ta-LK", "ta-MY", "ta-SG", "te-IN", "th-TH", "tr-TR",
    "uk-UA", "ur-IN", "ur-PK", "uz-UZ", "vi-VN", "wuu-CN", "yue-CN", "zh-CN", "zh-CN-guangxi",
    "zh-CN-henan", "zh-CN-liaoning", "zh-CN-shaanxi", "zh-CN-shandong", "zh-CN-sichuan",
    "zh-HK", "zh-TW", "zu-ZA",
)
# fmt: on


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


# BaseModel.expirationDateTime ("when TTS service will stop serving this base model"): the
# reference and the examples give no date, so ours is after every date the reference names
# (ledger § Speech to text): the STT base models' transcription end date.
CV_BASE_EXPIRATION = "2028-01-15T00:00:00.000Z"
CV_BASE_MODELS: list[dict[str, Any]] = [
    {
        "name": "PhoenixV2Neural",
        "description": "Phoenix V2 base model",
        "releaseDateTime": "2023-12-01T00:00:00.000Z",
        "expirationDateTime": CV_BASE_EXPIRATION,
        "capabilities": ["PersonalVoice"],
    },
    {
        "name": "DragonLatestNeural",
        "description": "Dragon base model",
        "releaseDateTime": "2024-10-01T00:00:00.000Z",
        "expirationDateTime": CV_BASE_EXPIRATION,
        "capabilities": ["PersonalVoice"],
    },
]
