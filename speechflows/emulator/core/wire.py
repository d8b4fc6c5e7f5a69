"""Reading requests and shaping answers: bodies, ids, timestamps, base URLs, list filters, paging.

Paging: Custom Voice lists take ``skip`` and ``maxpagesize`` (default 100) and answer
``{"value": [...], "nextLink": ...}``; Speech to text lists take ``skip`` and ``top`` (default
100) and answer ``{"values": [...], "@nextLink": ...}``. Next links are absolute URLs on the
emulator's own base URL and carry the filter and ``api-version``.

Reading (ledger § Reading requests): the service is ASP.NET-based and reads requests the
way ASP.NET Core does, so :func:`canonical` matches JSON property names ignoring case
(``"Kind"`` is ``"kind"``), enum values ignoring case (``"audioandscript"`` is
``"AudioAndScript"``), treats ``null`` as absent and keeps unknown properties (the routes ignore
them); :func:`canonical_query` does the same for query parameter names, and
:func:`multipart_form` reads multipart bodies as .NET, Java and JavaScript clients write them
(quoted boundaries, unquoted part names, ``filename*``, any part name case).

Filters: ``prop op value`` terms (``eq ne gt ge lt le``) joined by ``and`` / ``or``, optionally
negated with ``not``; values are quoted strings, or bare datetimes/numbers. Unsupported
properties or syntax answer 400, as the specs require.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, unquote_plus, urlencode

from starlette.requests import Request

from speechflows.emulator.core.errors import Api, ApiError
from speechflows.emulator.core.names import (
    ENUM_PROPERTIES,
    ENUM_VALUES,
    FORM_NAMES,
    MAP_PROPERTIES,
    PROPERTY_NAMES,
    QUERY_NAMES,
)

RESOURCE_ID = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$")
UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_TERM = re.compile(
    r"\s*(?P<not>not\s+)?(?P<prop>[A-Za-z]+)\s+(?P<op>eq|ne|gt|ge|lt|le)\s+"
    r"(?P<value>'(?:[^']|'')*'|[^\s)]+)\s*",
    re.IGNORECASE,
)
_JOIN = re.compile(r"\s*(and|or)\s+", re.IGNORECASE)


def now_cv() -> str:
    """Custom Voice timestamps: ``2023-04-01T05:30:00.000Z``."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def now_stt() -> str:
    """Speech to text timestamps: ``2019-01-07T11:34:12Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def base_url(request: Request) -> str:
    """The emulator's own base URL as the caller addressed it (scheme + host[:port])."""
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    return f"{request.url.scheme}://{host}"


def fingerprint(*parts: Any) -> str:
    """A stable digest of a request, to tell an identical retry from a different request."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


async def json_body(request: Request, api: Api) -> dict[str, Any]:
    """The request's JSON object, or a 400/415 in the API's shape."""
    ctype = request.headers.get("content-type", "")
    raw = await request.body()
    if not raw.strip():
        raise ApiError(
            api,
            400,
            "The request body is empty; a JSON object is required.",
            inner_code="EmptyRequest" if api == "speechtotext" else "EmptyRequestBody",
        )
    if ctype and "json" not in ctype.lower():
        raise ApiError(
            api,
            415,
            f"Content-Type {ctype.split(';')[0]!r} is not supported; send application/json.",
        )
    try:
        data = _lenient_json(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(
            api,
            400,
            f"The request body is not valid JSON: {exc}",
            inner_code="InvalidRequestBodyFormat",
        ) from None
    if not isinstance(data, dict):
        raise ApiError(
            api,
            400,
            "The request body must be a JSON object.",
            inner_code="InvalidRequestBodyFormat",
        )
    return dict(canonical(data))


_NAMES = {n.casefold(): n for n in PROPERTY_NAMES}
_ENUMS = {v.casefold(): v for v in ENUM_VALUES}
_QUERY = {n.casefold(): n for n in QUERY_NAMES}
_FORM = {n.casefold(): n for n in FORM_NAMES}


def canonical(data: Any) -> Any:
    """A JSON value as the service reads it: property names in the spec's case (matched ignoring
    case; a later duplicate wins), enum values in the spec's case, ``null`` properties dropped
    (absent), unknown properties kept as sent. The keys of free-form maps
    (``customProperties``, ``styleTrainingSetIds``...) are the caller's data and stay."""
    if isinstance(data, list):
        return [canonical(item) for item in data]
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = _NAMES.get(key.casefold(), key) if isinstance(key, str) else key
        if value is None:
            out.pop(name, None)
            continue
        if name in MAP_PROPERTIES and isinstance(value, dict):
            out[name] = dict(value)
        elif name in ENUM_PROPERTIES and isinstance(value, str):
            out[name] = _ENUMS.get(value.casefold(), value)
        else:
            out[name] = canonical(value)
    return out


def canonical_query(query_string: bytes) -> bytes:
    """The query string with known parameter names in the spec's case (``Api-Version`` →
    ``api-version``, ``Skip`` → ``skip``); values and unknown names unchanged."""
    if not query_string:
        return query_string
    parts = []
    for item in query_string.split(b"&"):
        name, sep, value = item.partition(b"=")
        try:
            text = unquote_plus(name.decode("latin-1"))
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
            parts.append(item)
            continue
        known = _QUERY.get(text.casefold())
        parts.append(known.encode() + sep + value if known and known != text else item)
    return b"&".join(parts)


@dataclass(frozen=True)
class FilePart:
    """One file part of a multipart request."""

    name: str
    filename: str
    content_type: str
    data: bytes


_PARAM = re.compile(r';\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def _disposition(header: str) -> dict[str, str]:
    """Content-Disposition parameters, ``filename*`` (RFC 5987/6266) decoded."""
    params: dict[str, str] = {}
    for m in _PARAM.finditer(header):
        key, raw = m.group(1).lower(), m.group(2).strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        if key.endswith("*"):
            charset, _, rest = raw.partition("'")
            _lang, _, encoded = rest.partition("'")
            try:
                raw = unquote(encoded, encoding=charset or "utf-8", errors="strict")
            except (LookupError, UnicodeDecodeError):
                continue
        params[key] = raw
    return params


async def multipart_form(
    request: Request, api: Api, *, file_names: Sequence[str]
) -> tuple[dict[str, str], list[FilePart]]:
    """The fields and files of a ``multipart/form-data`` request, read as ASP.NET Core reads
    them: the media type and part names ignoring case (names in the spec's case, ``audioData``
    and ``audiodata`` alike), a quoted or bare boundary, part names quoted or not, a part is a
    file when its Content-Disposition has ``filename`` or ``filename*`` (``filename*`` wins),
    whatever its Content-Type. ``file_names``: the part names that carry files."""
    ctype = request.headers.get("content-type", "")
    media, _, rest = ctype.partition(";")
    boundary = _disposition(";" + rest).get("boundary", "")
    if media.strip().lower() != "multipart/form-data" or not boundary:
        raise ApiError(
            api,
            415,
            f"Content-Type {media.strip()!r} is not supported; send multipart/form-data "
            "with a boundary.",
        )
    raw = await request.body()
    delimiter = b"--" + boundary.encode("latin-1")
    fields: dict[str, str] = {}
    files: list[FilePart] = []
    wanted = {n.casefold() for n in file_names}
    for chunk in raw.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, sep, body = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            continue
        body = body.removesuffix(b"\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, colon, value = line.partition(":")
            if colon:
                headers[key.strip().lower()] = value.strip()
        params = _disposition(";" + headers.get("content-disposition", "").partition(";")[2])
        name = params.get("name")
        if name is None:
            continue
        filename = params.get("filename*") or params.get("filename")
        if name.casefold() in wanted:
            name = file_names[[n.casefold() for n in file_names].index(name.casefold())]
        else:
            name = _FORM.get(name.casefold(), name)
        if filename is not None:
            files.append(
                FilePart(
                    name, filename, headers.get("content-type", "application/octet-stream"), body
                )
            )
        else:
            charset = _disposition(";" + headers.get("content-type", "").partition(";")[2]).get(
                "charset", "utf-8"
            )
            try:
                fields[name] = body.decode(charset)
            except (LookupError, UnicodeDecodeError):
                raise ApiError(
                    api,
                    400,
                    f"The form field {name!r} is not text; a file part needs a filename in its "
                    'Content-Disposition (form-data; name="audiodata"; filename="a.wav").',
                    inner_code="InvalidRequestBodyFormat",
                    target=name,
                ) from None
    return fields, files


def _lenient_json(raw: bytes) -> Any:
    """Parse JSON, tolerating trailing commas (the Learn how-tos send ``"locale": "en-US",}``
    and the service accepts it)."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        text = raw.decode("utf-8")
        out: list[str] = []
        in_string = escaped = False
        for i, ch in enumerate(text):
            if in_string:
                out.append(ch)
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
                continue
            if ch == '"':
                in_string = True
            elif ch == "," and text[i + 1 :].lstrip()[:1] in ("}", "]"):
                continue
            out.append(ch)
        return json.loads("".join(out))


def obj(body: dict[str, Any], name: str) -> dict[str, Any]:
    """``body[name]`` when it is an object, else an empty dict."""
    value = body.get(name)
    return dict(value) if isinstance(value, dict) else {}


def int_param(
    request: Request,
    name: str,
    default: int,
    api: Api,
    *,
    minimum: int = 0,
    maximum: int | None = None,
) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(
            api,
            400,
            f"Query parameter {name!r} must be an integer, got {raw!r}.",
            inner_code="InvalidParameterValue",
            target=name,
        ) from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise ApiError(
            api,
            400,
            f"Query parameter {name!r} must be {bound}, got {value}.",
            inner_code="InvalidParameterValue",
            target=name,
        )
    return value


def _literal(raw: str) -> str:
    if raw.startswith("'") and raw.endswith("'") and len(raw) >= 2:
        return raw[1:-1].replace("''", "'")
    return raw


def _compare(actual: Any, op: str, expected: str, is_time: bool) -> bool:
    if actual is None:
        return op == "ne"
    if is_time:
        try:
            left, right = parse_time(str(actual)), parse_time(expected)
        except ValueError:
            return False
    else:
        left, right = str(actual), expected  # type: ignore[assignment]
    return {
        "eq": left == right,
        "ne": left != right,
        "gt": left > right,
        "ge": left >= right,
        "lt": left < right,
        "le": left <= right,
    }[op]


def make_filter(
    expression: str | None,
    supported: Sequence[str],
    api: Api,
    *,
    time_props: Sequence[str] = ("createdDateTime", "lastActionDateTime"),
    getter: Callable[[dict[str, Any], str], Any] | None = None,
    caseless_props: Sequence[str] = ("locale",),
) -> Callable[[dict[str, Any]], bool]:
    """Compile a list ``filter`` into a predicate over rendered resources.

    ``caseless_props`` compare ignoring case (locales: ``docs/azure-behaviour.md`` § Locales).
    """
    if not expression or not expression.strip():
        return lambda _item: True
    read = getter or (lambda item, prop: item.get(prop))

    def get(item: dict[str, Any], prop: str) -> Any:
        value = read(item, prop)
        return value.casefold() if prop in caseless_props and isinstance(value, str) else value

    terms: list[tuple[bool, str, str, str]] = []
    joins: list[str] = []
    pos = 0
    text = expression.strip()
    while pos < len(text):
        m = _TERM.match(text, pos)
        if not m:
            raise _bad_filter(api, expression, "expected `property operator value`")
        prop, op = m["prop"], m["op"].lower()
        if prop not in supported:
            raise _bad_filter(
                api,
                expression,
                f"property {prop!r} is not filterable here (supported: {', '.join(supported)})",
            )
        if op not in ("eq", "ne") and prop not in time_props:
            raise _bad_filter(
                api,
                expression,
                f"operator {op!r} is only supported on "
                f"{', '.join(p for p in time_props if p in supported)}",
            )
        value = _literal(m["value"])
        terms.append(
            (bool(m["not"]), prop, op, value.casefold() if prop in caseless_props else value)
        )
        pos = m.end()
        if pos < len(text):
            j = _JOIN.match(text, pos)
            if not j or api == "customvoice":
                raise _bad_filter(
                    api,
                    expression,
                    "terms can only be joined with `and` / `or`"
                    if api == "speechtotext"
                    else "only one term is supported",
                )
            joins.append(j.group(1).lower())
            pos = j.end()

    def predicate(item: dict[str, Any]) -> bool:
        values = [
            neg ^ _compare(get(item, prop), op, val, prop in time_props)
            for neg, prop, op, val in terms
        ]
        # `and` binds tighter than `or`.
        groups, current = [], values[0]
        for join, value in zip(joins, values[1:], strict=True):
            if join == "and":
                current = current and value
            else:
                groups.append(current)
                current = value
        groups.append(current)
        return any(groups)

    return predicate


def _bad_filter(api: Api, expression: str, why: str) -> ApiError:
    return ApiError(
        api,
        400,
        f"Invalid filter {expression!r}: {why}.",
        inner_code="UnsupportedFilter" if api == "speechtotext" else "InvalidFilter",
        target="filter",
    )


def page(
    items: list[dict[str, Any]],
    *,
    api: Api,
    request: Request,
    path: str,
    api_version: str | None,
) -> dict[str, Any]:
    """One page of ``items`` with the next link, in the API's list shape."""
    skip = int_param(request, "skip", 0, api)
    size_name = "maxpagesize" if api == "customvoice" else "top"
    size = int_param(request, size_name, 100, api, minimum=1)
    chunk = items[skip : skip + size]
    out: dict[str, Any] = {"value" if api == "customvoice" else "values": chunk}
    if skip + size < len(items):
        query: dict[str, Any] = {"skip": skip + size, size_name: size}
        filt = request.query_params.get("filter")
        if filt:
            query["filter"] = filt
        if api_version:
            query["api-version"] = api_version
        link = f"{base_url(request)}{path}?{urlencode(query)}"
        out["nextLink" if api == "customvoice" else "@nextLink"] = link
    return out
