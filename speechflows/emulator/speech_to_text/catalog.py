"""Fixed Speech to text data: locales per dataset kind, base models.

Values follow the spec examples (``get_english_base_models.json``,
``get_supported_dataset_locales.json``) widened to the Learn custom speech locale table; what
the lists are and where they come from: ``docs/azure-behaviour.md`` § Locales. Base model ids
are fixed UUIDs so that ``self`` links stay valid across restarts.
"""

from __future__ import annotations

import uuid

STT_DATASET_KINDS = (
    "Language",
    "Acoustic",
    "Pronunciation",
    "AudioFiles",
    "LanguageMarkdown",
    "OutputFormatting",
)

# Locales with custom speech (plain text, and audio + human-labelled transcript) adaptation.
# fmt: off
STT_LOCALES = (
    "af-ZA", "am-ET", "ar-AE", "ar-BH", "ar-DZ", "ar-EG", "ar-IL", "ar-IQ", "ar-JO", "ar-KW",
    "ar-LB", "ar-LY", "ar-MA", "ar-OM", "ar-PS", "ar-QA", "ar-SA", "ar-SY", "ar-TN", "ar-YE",
    "az-AZ", "bg-BG", "bn-IN", "bs-BA", "ca-ES", "cs-CZ", "cy-GB", "da-DK", "de-AT", "de-CH",
    "de-DE", "el-GR", "en-AU", "en-CA", "en-GB", "en-GH", "en-HK", "en-IE", "en-IN", "en-KE",
    "en-NG", "en-NZ", "en-PH", "en-SG", "en-TZ", "en-US", "en-ZA", "es-AR", "es-BO", "es-CL",
    "es-CO", "es-CR", "es-CU", "es-DO", "es-EC", "es-ES", "es-GQ", "es-GT", "es-HN", "es-MX",
    "es-NI", "es-PA", "es-PE", "es-PR", "es-PY", "es-SV", "es-US", "es-UY", "es-VE", "et-EE",
    "eu-ES", "fa-IR", "fi-FI", "fil-PH", "fr-BE", "fr-CA", "fr-CH", "fr-FR", "ga-IE", "gl-ES",
    "gu-IN", "he-IL", "hi-IN", "hr-HR", "hu-HU", "hy-AM", "id-ID", "is-IS", "it-CH", "it-IT",
    "ja-JP", "jv-ID", "ka-GE", "kk-KZ", "km-KH", "kn-IN", "ko-KR", "lo-LA", "lt-LT", "lv-LV",
    "mk-MK", "ml-IN", "mn-MN", "mr-IN", "ms-MY", "mt-MT", "my-MM", "nb-NO", "ne-NP", "nl-BE",
    "nl-NL", "or-IN", "pa-IN", "pl-PL", "ps-AF", "pt-BR", "pt-PT", "ro-RO", "ru-RU", "si-LK",
    "sk-SK", "sl-SI", "so-SO", "sq-AL", "sr-RS", "sv-SE", "sw-KE", "sw-TZ", "ta-IN", "te-IN",
    "th-TH", "tr-TR", "uk-UA", "ur-IN", "uz-UZ", "vi-VN", "wuu-CN", "yue-CN", "zh-CN",
    "zh-CN-shandong", "zh-CN-sichuan", "zh-HK", "zh-TW", "zu-ZA",
)
# Pronunciation files, structured text (markdown) and display-format rules: fewer locales.
PRONUNCIATION_LOCALES = (
    "de-AT", "de-CH", "de-DE", "en-AU", "en-CA", "en-GB", "en-IE", "en-IN", "en-NZ", "en-US",
    "es-ES", "es-MX", "fr-CA", "fr-FR", "hi-IN", "it-IT", "ja-JP", "ko-KR", "nl-NL", "pt-BR",
    "pt-PT", "zh-CN",
)
MARKDOWN_LOCALES = (
    "de-DE", "en-AU", "en-CA", "en-GB", "en-IN", "en-US", "es-ES", "es-MX", "fr-CA", "fr-FR",
    "hi-IN", "it-IT", "ja-JP", "ko-KR", "nl-NL", "pt-BR", "zh-CN",
)
# fmt: on

# en-US keeps the spec example's id, four more keep the ids they had before the catalogue grew;
# every other locale gets a stable uuid5.
_FIXED_IDS = {
    "en-US": "8a043172-65b7-4cf3-a8b5-4449efa5a0f1",
    "en-GB": "1aae1070-7972-47e9-9977-2a0f4c8a2d13",
    "de-DE": "5d3e6a7b-3b0a-4f7c-9a59-6a2b1f0e3c21",
    "fr-FR": "c2b76f71-0b8e-4a7d-8f7d-2c9b0e4d6a10",
    "ja-JP": "e6f0a8c4-6f1b-4f55-a0b5-0c3f9d7e2b44",
}
STT_BASE_CREATED = "2025-01-01T00:00:00Z"
# BaseModelDeprecationDates (spec): the last day it can train a custom model / transcribe.
BASE_DEPRECATION = {
    "adaptationDateTime": "2027-01-15T00:00:00Z",
    "transcriptionDateTime": "2028-01-15T00:00:00Z",
}


def stt_dataset_locales() -> dict[str, list[str]]:
    """``GET /datasets/locales`` (Datasets_ListSupportedLocales): locales per dataset kind."""
    return {
        "Language": list(STT_LOCALES),
        "Acoustic": list(STT_LOCALES),
        "AudioFiles": list(STT_LOCALES),
        "Pronunciation": list(PRONUNCIATION_LOCALES),
        "LanguageMarkdown": list(MARKDOWN_LOCALES),
        "OutputFormatting": list(MARKDOWN_LOCALES),
    }


def _base_models() -> list[tuple[str, str, str, tuple[str, ...]]]:
    by_kind = stt_dataset_locales()
    out = []
    for loc in STT_LOCALES:
        mid = _FIXED_IDS.get(loc) or str(uuid.uuid5(uuid.NAMESPACE_URL, f"speechflows:base:{loc}"))
        kinds = tuple(k for k in STT_DATASET_KINDS if loc in by_kind[k])
        out.append((mid, loc, f"20250101 ({loc})", kinds))
    return out


# Speech to text base models: (uuid, locale, display name, adaptation kinds), one per locale.
STT_BASE_MODELS: list[tuple[str, str, str, tuple[str, ...]]] = _base_models()
