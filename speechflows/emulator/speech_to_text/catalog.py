"""Fixed Speech to text data: locales, dataset kinds, base models.

Values follow the spec examples (``get_english_base_models.json``,
``get_supported_dataset_locales.json``). Base model ids are fixed UUIDs so that ``self`` links
stay valid across restarts.
"""

from __future__ import annotations

STT_LOCALES = ("en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "it-IT", "ja-JP", "zh-CN", "pt-BR")
STT_DATASET_KINDS = (
    "Language",
    "Acoustic",
    "Pronunciation",
    "AudioFiles",
    "LanguageMarkdown",
    "OutputFormatting",
)


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
