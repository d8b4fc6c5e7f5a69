"""The locales each data kind is accepted in, offline (the ledger's lists, § Locales).

One answer for ``validate``, ``onboard`` and deployment runs: :func:`locale_problem` says why a
locale cannot be used for a kind (a tag that is no locale, or one the kind does not support) and
names the fix; ``None`` when it can. Locales compare ignoring case, as the service does.
The lists are the emulator's (``tests/cli/test_shared_checks.py`` keeps them equal); when the service
is reachable, ``validate``, ``onboard`` and the flows ask it instead
(:func:`speechflows.preflight.supported_locales`, then :func:`problem_from_list`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from speechflows.datasets.kinds import PERSONAL_VOICE_KINDS, PROFESSIONAL_VOICE_KINDS, DataKind

# fmt: off
# Text to speech locales: custom voice (professional and personal) accepts these.
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
# Custom speech locales (Language, Acoustic, AudioFiles).
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

TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$", re.IGNORECASE)


def locales_for(kind: DataKind | str) -> tuple[str, ...]:
    """The locales a dataset of ``kind`` is accepted in (canonical case)."""
    kind = DataKind.parse(kind)
    if kind in PROFESSIONAL_VOICE_KINDS or kind in PERSONAL_VOICE_KINDS:
        return TTS_LOCALES
    if kind is DataKind.PRONUNCIATION:
        return PRONUNCIATION_LOCALES
    if kind in (DataKind.LANGUAGE_MARKDOWN, DataKind.OUTPUT_FORMATTING):
        return MARKDOWN_LOCALES
    return STT_LOCALES


def canonical(locale: str, known: Iterable[str]) -> str | None:
    """The entry of ``known`` equal to ``locale`` ignoring case, or ``None``."""
    folded = locale.strip().casefold()
    return next((k for k in known if k.casefold() == folded), None)


def locale_problem(kind: DataKind | str, locale: str, *, flag: str = "--locale") -> str | None:
    """Why ``locale`` cannot be used for a ``kind`` dataset, and the fix (``what → fix``)."""
    found = locale_refusal(kind, locale, flag=flag)
    return None if found is None else f"{found[0]} → {found[1]}"


def locale_refusal(
    kind: DataKind | str, locale: str, *, flag: str = "--locale"
) -> tuple[str, str] | None:
    """Why ``locale`` cannot be used for a ``kind`` dataset and the fix, or ``None``.

    >>> locale_refusal("Language", "en-us") is None
    True
    >>> locale_refusal("Language", "english")
    ("--locale 'english' is not a locale tag", 'use a tag such as en-US, de-DE or ja-JP')
    """
    return problem_from_list(kind, locale, locales_for(kind), flag=flag)


def problem_from_list(
    kind: DataKind | str, locale: str, known: Iterable[str], *, flag: str = "--locale"
) -> tuple[str, str] | None:
    """:func:`locale_refusal` against ``known`` (e.g. the list the service answered); ``flag``
    names the setting as the user gave it (``--locale``, or ``locale`` in a run's parameters)."""
    kind = DataKind.parse(kind)
    known = tuple(known)
    if not TAG.match(locale.strip()):
        return f"{flag} {locale!r} is not a locale tag", "use a tag such as en-US, de-DE or ja-JP"
    if canonical(locale, known) is not None:
        return None
    lang = locale.split("-", 1)[0].casefold()
    near = [k for k in known if k.split("-", 1)[0].casefold() == lang][:6]
    hint = f"the nearest: {', '.join(near)}" if near else f"e.g. {', '.join(known[:3])}"
    pick = near[0] if near else (canonical("en-US", known) or known[0])
    return (
        f"{flag} {locale}: {kind.value} data is not accepted in this locale ({len(known)} "
        f"locales are; {hint})",
        "use one of them, e.g. "
        + (f"{flag} {pick}" if flag.startswith("-") else f"{flag}={pick!r}"),
    )
