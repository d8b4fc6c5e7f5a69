"""Custom Voice request checking and version-aware rendering.

Checks follow the spec schemas (required fields, ``ResourceId`` pattern, enums) and the docs
(``scripts`` for ``AudioAndScript``/``LongAudio``); locales: ``docs/azure-behaviour.md`` § Locales. Referenced resources
(project, consent, training set, model) must exist: 400 ``BadRequest`` otherwise.

Rendering drops private fields (``_*``) and what an older ``api-version`` does not define:
``2024-02-01-preview`` and ``2023-12-01-preview`` have no project ``locale``, no training-set
``durationInSeconds``/``isContextual``, no model ``failedTrainingsets``/``secondaryLocales``, no
``DataNotReady``/``DataNotEnough`` failure reasons (shown as ``Internal``);
``2023-12-01-preview`` has no consent ``properties``.
"""

from __future__ import annotations

from typing import Any, Literal

from speechflows.emulator.core.errors import ApiError
from speechflows.emulator.core.locales import find as find_locale
from speechflows.emulator.core.wire import RESOURCE_ID, UUID_RE
from speechflows.emulator.custom_voice.catalog import TTS_LOCALES

API: Literal["customvoice"] = "customvoice"
GA = "2026-01-01"
PROJECT_KINDS = ("ProfessionalVoice", "PersonalVoice")
DATASET_KINDS = ("AudioAndScript", "LongAudio", "AudioOnly")
VOICE_KINDS = ("Male", "Female")
ENDPOINT_KINDS = ("HighPerformance", "FastResume")
FILTERABLE = ("projectId", "createdDateTime", "locale", "kind")


def bad(
    message: str, *, inner: str = "BadArgument", target: str | None = None, status: int = 400
) -> ApiError:
    return ApiError(
        API,
        status,
        message,
        code="BadRequest" if status in (400, 409) else None,
        inner_code=inner,
        target=target,
    )


def not_found(coll: str, rid: str) -> ApiError:
    noun = {"trainingsets": "training set", "personalvoices": "personal voice"}.get(
        coll, coll.rstrip("s")
    )
    return ApiError(
        API, 404, f"The {noun} {rid!r} does not exist.", inner_code="NotFound", target="id"
    )


def check_id(rid: str, *, uuid: bool = False, what: str = "id") -> None:
    if uuid:
        if not UUID_RE.match(rid):
            raise bad(
                f"The {what} {rid!r} must be a UUID, e.g. 9f50c644-2121-40e9-9ea7-544e48bfe3cb.",
                inner="InvalidResourceId",
                target=what,
            )
    elif not RESOURCE_ID.match(rid):
        raise bad(
            f"The {what} {rid!r} is invalid: 3-64 characters, letters, digits, '.', '_' "
            "or '-', starting and ending with a letter or digit.",
            inner="InvalidResourceId",
            target=what,
        )


def text(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise bad(f"The property {name!r} is required.", inner="MissingProperty", target=name)
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise bad(f"The property {name!r} must be a non-empty string.", target=name)
    return value


def choice(
    body: dict[str, Any], name: str, allowed: tuple[str, ...], *, required: bool = False
) -> str | None:
    value = text(body, name, required=required)
    if value is not None and value not in allowed:
        raise bad(
            f"The property {name!r} must be one of {', '.join(allowed)}; got {value!r}.",
            target=name,
        )
    return value


def locale(body: dict[str, Any], *, required: bool = True) -> str | None:
    """The locale in canonical case; matched case-insensitively (ledger § Locales)."""
    value = text(body, "locale", required=required)
    if value is None:
        return None
    known = find_locale(value, TTS_LOCALES)
    if known is None:
        raise bad(
            f"The locale {value!r} is not supported for custom voice; use a text to speech "
            "locale such as en-US, de-DE or zh-CN.",
            inner="UnsupportedLocale",
            target="locale",
        )
    return known


def blob_source(body: dict[str, Any], name: str, *, required: bool) -> dict[str, Any] | None:
    """An ``AzureBlobContentSource``: ``containerUrl`` + ``extensions`` (+ ``prefix``)."""
    src = body.get(name)
    if src is None:
        if required:
            raise bad(f"The property {name!r} is required.", inner="MissingProperty", target=name)
        return None
    if not isinstance(src, dict):
        raise bad(f"The property {name!r} must be an object.", target=name)
    url = src.get("containerUrl")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise bad(
            f"{name}.containerUrl must be a container URL with a SAS token.",
            inner="InvalidContainerUrl",
            target=f"{name}.containerUrl",
        )
    exts = src.get("extensions")
    if not isinstance(exts, list) or not exts or not all(isinstance(e, str) for e in exts):
        raise bad(
            f'{name}.extensions must be a non-empty list such as [".wav"].',
            target=f"{name}.extensions",
        )
    prefix = src.get("prefix")
    if prefix is not None and not isinstance(prefix, str):
        raise bad(f"{name}.prefix must be a string.", target=f"{name}.prefix")
    return {"containerUrl": url, "prefix": prefix or "", "extensions": list(exts)}


def common(body: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    name = text(body, "displayName")
    if name is not None:
        if not name.strip():
            raise bad("The property 'displayName' must not be empty.", target="displayName")
        out["displayName"] = name
    desc = text(body, "description")
    if desc is not None:
        out["description"] = desc
    return out


def render(coll: str, body: dict[str, Any], version: str) -> dict[str, Any]:
    """The resource as the given api-version shows it."""
    out = {k: v for k, v in body.items() if not k.startswith("_")}
    props = dict(out.get("properties") or {})
    if version != GA:
        if coll == "projects":
            out.pop("locale", None)
        for key in ("durationInSeconds", "isContextual", "failedTrainingsets", "secondaryLocales"):
            props.pop(key, None)
        if props.get("failureReason") in ("DataNotReady", "DataNotEnough"):
            props["failureReason"] = "Internal"
    if coll == "consents" and version == "2023-12-01-preview":
        props = {}
    if props:
        out["properties"] = props
    else:
        out.pop("properties", None)
    return out
