"""Speech to text entities: request checks, entity references, version-aware rendering.

Entities are stored version-neutral: references are kept as ``[collection, id]`` pairs under
``_refs`` and rendered as ``{"self": <absolute URL>}`` for the version in use (``v3.2`` path
style, or ``?api-version=2025-10-15`` inside every link, as the examples show). Durations are
stored in milliseconds and rendered as ``durationMilliseconds`` (2025-10-15) or ISO 8601
``duration`` (v3.2). ``contentUrl`` is echoed without its query string: the emulator never
echoes SAS tokens.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import urlsplit

from speechflows.emulator.core.errors import ApiError
from speechflows.emulator.core.wire import UUID_RE
from speechflows.emulator.speech_to_text.catalog import (
    BASE_DEPRECATION,
    STT_BASE_CREATED,
    STT_BASE_MODELS,
    STT_DATASET_KINDS,
)

API: Literal["speechtotext"] = "speechtotext"
LEGACY = "v3.2"
_REF = re.compile(r"/speechtotext(?:/v\d+(?:\.\d+)?)?/(?P<coll>models/base|[a-z]+)/(?P<id>[^/?:]+)")


def bad(
    message: str,
    inner: str = "InvalidParameterValue",
    *,
    code: str = "InvalidArgument",
    target: str | None = None,
    status: int = 400,
) -> ApiError:
    return ApiError(API, status, message, code=code, inner_code=inner, target=target)


def not_found(coll: str, rid: str) -> ApiError:
    return ApiError(
        API,
        404,
        f"The {coll.rstrip('s')} with id {rid!r} was not found.",
        code="NotFound",
        target="id",
    )


def check_uuid(rid: str, what: str = "id") -> str:
    if not UUID_RE.match(rid):
        raise bad(f"The {what} {rid!r} is not a valid UUID.", target=what)
    return rid.lower()


def prefix(base: str, version: str) -> str:
    return f"{base}/speechtotext/v3.2" if version == LEGACY else f"{base}/speechtotext"


def link(base: str, version: str, path: str) -> str:
    """An absolute URL on the emulator for ``path`` (``datasets/<id>/files``...)."""
    url = f"{prefix(base, version)}/{path}"
    return url if version == LEGACY else f"{url}?api-version={version}"


def parse_ref(value: Any, field: str, expected: tuple[str, ...]) -> tuple[str, str]:
    """``{"self": URL}`` → (collection, id); the host is not checked (ids are global)."""
    if not isinstance(value, dict) or not isinstance(value.get("self"), str):
        raise bad(f"{field} must be an object with a 'self' URL.", target=field)
    m = _REF.search(urlsplit(value["self"]).path)
    if not m or m["coll"] not in expected or not UUID_RE.match(m["id"]):
        raise bad(
            f"{field}.self {value['self']!r} is not a reference to one of {', '.join(expected)}.",
            target=field,
        )
    return m["coll"], m["id"].lower()


def text(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise bad(f"The property {name!r} is required.", target=name)
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise bad(f"The property {name!r} must be a non-empty string.", target=name)
    return value


def custom_properties(body: dict[str, Any]) -> dict[str, str] | None:
    props = body.get("customProperties")
    if props is None:
        return None
    if not isinstance(props, dict) or not all(isinstance(v, str) for v in props.values()):
        raise bad("customProperties must map strings to strings.", target="customProperties")
    if len(props) > 10 or any(len(k) > 64 or len(v) > 256 for k, v in props.items()):
        raise bad(
            "customProperties allows at most 10 entries, keys up to 64 characters and "
            "values up to 256 characters.",
            target="customProperties",
        )
    return dict(props)


def common(body: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """displayName, description, customProperties (all optional when ``partial``)."""
    out: dict[str, Any] = {}
    name = text(body, "displayName", required=not partial)
    if name is not None:
        if not name.strip():
            raise bad("displayName must not be empty.", target="displayName")
        out["displayName"] = name
    desc = text(body, "description")
    if desc is not None:
        out["description"] = desc
    props = custom_properties(body)
    if props is not None:
        out["customProperties"] = props
    return out


def iso_duration(ms: int) -> str:
    """Milliseconds → ISO 8601 (``PT4M12S``), as v3.2 reports durations."""
    seconds, millis = divmod(int(ms), 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if secs or millis or out == "PT":
        out += f"{secs}.{millis:03d}S".replace(".000S", "S") if millis else f"{secs}S"
    return out


def _ref(base: str, version: str, pair: list[str]) -> dict[str, str]:
    return {"self": link(base, version, f"{pair[0]}/{pair[1]}")}


def render(
    coll: str, body: dict[str, Any], base: str, version: str, counts: dict[str, int] | None = None
) -> dict[str, Any]:
    """The entity as ``version`` shows it, with absolute links on ``base``."""
    out = {k: v for k, v in body.items() if not k.startswith("_") and k != "id"}
    out["self"] = link(base, version, f"{coll}/{body['id']}")
    for name, pair in (body.get("_refs") or {}).items():
        if name == "datasets":
            out["datasets"] = [_ref(base, version, p) for p in pair]
        else:
            out[name] = _ref(base, version, pair)
    props = dict(out.get("properties") or {})
    rid = body["id"]
    if coll == "projects":
        out["links"] = {
            k: link(base, version, f"projects/{rid}/{k}")
            for k in ("evaluations", "datasets", "models", "endpoints", "transcriptions")
        }
        if version == LEGACY:
            out.pop("foundryProjectName", None)
            props = {
                f"{k[:-1]}Count": (counts or {}).get(k, 0)
                for k in ("datasets", "evaluations", "models", "transcriptions", "endpoints")
            }
    elif coll == "datasets":
        links = {"files": link(base, version, f"datasets/{rid}/files")}
        if body.get("_upload") == "blocks" and body.get("status") == "NotStarted":
            links |= {
                "commitBlocks": link(base, version, f"datasets/{rid}/blocks:commit"),
                "listBlocks": link(base, version, f"datasets/{rid}/blocks"),
                "uploadBlocks": link(base, version, f"datasets/{rid}/blocks"),
            }
        out["links"] = links
        if "durationMilliseconds" in props and version == LEGACY:
            props["duration"] = iso_duration(props.pop("durationMilliseconds"))
    elif coll == "models":
        out["links"] = {
            "manifest": link(base, version, f"models/{rid}/manifest"),
            "copy": link(base, version, f"models/{rid}:copy"),
            "files": link(base, version, f"models/{rid}/files"),
        }
        props["features"] = features(version, custom=True)
        props.setdefault("deprecationDates", {"transcriptionDateTime": "2027-01-15T00:00:00Z"})
    elif coll == "evaluations":
        out["links"] = {"files": link(base, version, f"evaluations/{rid}/files")}
    elif coll == "transcriptions":
        out["links"] = {"files": link(base, version, f"transcriptions/{rid}/files")}
        if version == LEGACY:
            # v3.2 TranscriptionProperties: ISO ``duration``, ``timeToLive`` (not hours).
            props.pop("timeToLiveHours", None)
            props["diarizationEnabled"] = False
            if "durationMilliseconds" in props:
                props["duration"] = iso_duration(props.pop("durationMilliseconds"))
    elif coll == "endpoints":
        host = urlsplit(base).netloc
        ws = "wss" if base.startswith("https") else "ws"
        if version == LEGACY:
            out["links"] = {
                f"{proto}{mode.capitalize()}": f"{scheme}://{host}/speech/recognition/{mode}/cognitiveservices/v1?cid={rid}"
                for proto, scheme in (("rest", urlsplit(base).scheme), ("webSocket", ws))
                for mode in ("interactive", "conversation", "dictation")
            }
            out["links"]["logs"] = link(base, version, f"endpoints/{rid}/files/logs")
        else:
            out["links"] = {"webSocket": f"{ws}://{host}/stt/speech/universal/v2?cid={rid}"}
        if version != LEGACY:
            props.pop("timeToLive", None)
            out.pop("text", None)
    if props:
        out["properties"] = props
    else:
        out.pop("properties", None)
    return out


def features(version: str, *, custom: bool) -> dict[str, Any]:
    if version == LEGACY:
        return {
            "supportsTranscriptions": True,
            "supportsEndpoints": True,
            "supportsTranscriptionsOnSpeechContainers": False,
            "supportedOutputFormats": ["Display", "Lexical"],
        }
    return {
        "supportsTranscriptionsSubmit": True,
        "supportsTranscriptionsTranscribe": not custom,
        "supportsEndpoints": True,
        "supportsTranscriptionsOnSpeechContainers": False,
        "supportedOutputFormats": ["Display", "Lexical"],
    }


def base_models(base: str, version: str) -> list[dict[str, Any]]:
    out = []
    for mid, loc, name, kinds in STT_BASE_MODELS:
        out.append(
            {
                "self": link(base, version, f"models/base/{mid}"),
                "links": {"manifest": link(base, version, f"models/base/{mid}/manifest")},
                "properties": {
                    "deprecationDates": dict(BASE_DEPRECATION),
                    "features": {
                        **features(version, custom=False),
                        "supportsAdaptationsWith": list(kinds),
                    },
                    "chargeForAdaptation": True,
                },
                "displayName": name,
                "locale": loc,
                "createdDateTime": STT_BASE_CREATED,
                "lastActionDateTime": STT_BASE_CREATED,
                "status": "Succeeded",
            }
        )
    return out


def base_model(mid: str) -> tuple[str, str, str, tuple[str, ...]] | None:
    return next((m for m in STT_BASE_MODELS if m[0] == mid), None)


def check_kind(body: dict[str, Any]) -> str:
    kind = text(body, "kind", required=True)
    if kind not in STT_DATASET_KINDS:
        raise bad(
            f"kind must be one of {', '.join(STT_DATASET_KINDS)}; got {kind!r}.", target="kind"
        )
    return str(kind)
