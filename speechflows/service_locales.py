"""The locales the Speech service offers a data kind now: asked once, offline list otherwise.

``validate``, ``onboard`` and deployment runs check a dataset's locale against one list
(:func:`speechflows.preflight.check_locale`). When the Speech settings are there and the service
answers within :data:`TIMEOUT_SECONDS`, the list is the service's:

* custom speech kinds: ``Datasets_ListSupportedLocales`` (2025-10-15: keyed by kind; v3.2: keyed
  by locale, turned around here);
* professional voice kinds: ``Models_ListRecipes``, every recipe's ``datasetLocales`` together
  (the recipe a model trains with is checked on its own list by ``check_recipe``).

Personal voice prompts and consents have no list in the Custom Voice spec. For them, and when
there are no settings, the service does not answer, refuses the key or lists nothing for the
kind, :func:`service_locales` gives ``None`` and the caller uses the ledger's offline list
(:mod:`speechflows.datasets.locales`). Answers (and failures to answer) are kept for
:data:`KEEP_SECONDS` per endpoint, so a run with many datasets asks once.
"""

from __future__ import annotations

import logging
import threading
import time

import httpx

from speechflows.datasets.kinds import PROFESSIONAL_VOICE_KINDS, DataKind
from speechflows.settings import SettingsError, SpeechSettings, load_speech_settings
from speechflows.speech.custom_voice.client import CustomVoiceClient
from speechflows.speech.errors import SpeechError
from speechflows.speech.http import RetryPolicy
from speechflows.speech.speech_to_text.client import CustomSpeechClient

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0
"""How long one question may take: one try, no retry (the offline list is the fallback)."""
KEEP_SECONDS = 600.0
"""How long an answer (or the lack of one) is kept per endpoint and API."""

STT_KINDS = frozenset(
    {
        DataKind.ACOUSTIC,
        DataKind.AUDIO_FILES,
        DataKind.LANGUAGE,
        DataKind.PRONUNCIATION,
        DataKind.LANGUAGE_MARKDOWN,
        DataKind.OUTPUT_FORMATTING,
    }
)

_kept: dict[tuple[str, str, str], tuple[float, dict[str, tuple[str, ...]] | None]] = {}
_lock = threading.Lock()


def service_locales(
    kind: DataKind | str,
    settings: SpeechSettings | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
) -> tuple[str, ...] | None:
    """The locales the service accepts ``kind`` data in, or ``None`` (use the offline list).

    >>> service_locales("Prompt") is None  # no list in the Custom Voice spec
    True
    """
    kind = DataKind.parse(kind)
    if kind not in STT_KINDS and kind not in PROFESSIONAL_VOICE_KINDS:
        return None
    if settings is None:
        try:
            settings = load_speech_settings()
        except SettingsError:
            return None
    family = "speechtotext" if kind in STT_KINDS else "customvoice"
    version = (
        settings.speech_to_text_api_version
        if family == "speechtotext"
        else settings.custom_voice_api_version
    )
    key = (settings.base_url, family, version)
    with _lock:
        found = _kept.get(key)
        if found is None or time.monotonic() - found[0] > KEEP_SECONDS:
            found = (time.monotonic(), _ask(family, settings, transport))
            _kept[key] = found
    lists = found[1]
    if lists is None:
        return None
    return lists.get("*" if family == "customvoice" else kind.value)


def forget() -> None:
    """Drop the kept answers (tests; a long-lived process that must ask again)."""
    with _lock:
        _kept.clear()


def _ask(
    family: str, settings: SpeechSettings, transport: httpx.BaseTransport | None
) -> dict[str, tuple[str, ...]] | None:
    quick = settings.model_copy(update={"timeout_seconds": TIMEOUT_SECONDS})
    once = RetryPolicy(max_attempts=1, total_seconds=TIMEOUT_SECONDS)
    try:
        if family == "speechtotext":
            with CustomSpeechClient(quick, transport=transport, retry=once) as stt:
                return _by_kind(stt.locales.list("datasets"))
        with CustomVoiceClient(quick, transport=transport, retry=once) as cv:
            recipes = cv.models.list_recipes()
        union = {x: None for r in recipes for x in (r.dataset_locales or [])}
        return {"*": tuple(union)} if union else None
    except (SpeechError, httpx.HTTPError, ValueError) as exc:
        log.debug("supported locales: %s does not answer (%s)", settings.base_url, exc)
        return None


def _by_kind(body: dict[str, list[str]] | list[str]) -> dict[str, tuple[str, ...]] | None:
    """``Datasets_ListSupportedLocales`` keyed by kind (2025-10-15), whatever the API version."""
    if not isinstance(body, dict) or not body:
        return None
    kinds = {k.value for k in STT_KINDS}
    if set(body) & kinds:
        return {k: tuple(v) for k, v in body.items()}
    by_kind: dict[str, list[str]] = {}
    for locale, its_kinds in body.items():  # v3.2: keyed by locale
        for k in its_kinds:
            by_kind.setdefault(k, []).append(locale)
    return {k: tuple(v) for k, v in by_kind.items()}


__all__ = ["KEEP_SECONDS", "TIMEOUT_SECONDS", "forget", "service_locales"]
