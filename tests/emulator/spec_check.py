"""Validate emulator responses against the official specs in ../shared/azure-speech-specs.

Every response is matched to its spec operation (method + path template, per API version) and
checked: the status is declared (2xx explicitly, errors through ``default``), the body validates
against the declared schema, made *strict* (objects accept no property the spec does not
declare; ``allOf`` merged), formats ``date-time``/``uuid``/``uri`` are enforced, and the headers
the operation declares for a 2xx (``Operation-Id``, ``Operation-Location``, ``Location``) and
``x-ms-error-code`` on Custom Voice errors are present.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jsonschema

REPO = Path(__file__).resolve().parents[2]
SPECS = Path(os.environ.get("SPEECHFLOWS_SPECS_DIR", REPO.parent / "shared" / "azure-speech-specs"))
SPEC_FILES = {
    ("customvoice", "2026-01-01"): "customvoice/2026-01-01/texttospeech.json",
    ("customvoice", "2024-02-01-preview"): "customvoice/2024-02-01-preview/texttospeech.json",
    ("customvoice", "2023-12-01-preview"): "customvoice/2023-12-01-preview/texttospeech.json",
    ("speechtotext", "2025-10-15"): "speechtotext/2025-10-15/speechtotext.json",
    ("speechtotext", "v3.2"): "speechtotext/v3.2/speechtotext.json",
}
PREFIX = {
    "customvoice": "/customvoice",
    "2025-10-15": "/speechtotext",
    "v3.2": "/speechtotext/v3.2",
}
LRO_HEADERS = ("Operation-Id", "Operation-Location", "Location")
# Speech to text operations the emulator answers (all of Custom Voice is emulated).
EMULATED_STT = frozenset(
    {
        "Datasets_ListSupportedLocales",
        "Datasets_List",
        "Datasets_Create",
        "Datasets_Get",
        "Datasets_Update",
        "Datasets_Delete",
        "Datasets_GetBlocks",
        "Datasets_UploadBlock",
        "Datasets_CommitBlocks",
        "Datasets_Upload",
        "Datasets_ListFiles",
        "Datasets_GetFile",
        "Projects_List",
        "Projects_Create",
        "Projects_Get",
        "Projects_Update",
        "Projects_Delete",
        "Projects_ListDatasets",
        "Projects_ListModels",
        "Projects_ListEvaluations",
        "Projects_ListEndpoints",
        "Projects_ListTranscriptions",
        "Models_ListBaseModels",
        "Models_GetBaseModel",
        "Models_Create",
        "Models_GetCustomModel",
        "Models_ListCustomModels",
        "Models_Update",
        "Models_Delete",
        "Evaluations_List",
        "Evaluations_Create",
        "Evaluations_Get",
        "Evaluations_Update",
        "Evaluations_Delete",
        "Evaluations_ListFiles",
        "Evaluations_GetFile",
        "Transcriptions_Get",
        "Transcriptions_ListFiles",
        "Transcriptions_GetFile",
        "Endpoints_List",
        "Endpoints_Create",
        "Endpoints_Get",
        "Endpoints_Update",
        "Endpoints_Delete",
    }
)


@cache
def load_spec(api: str, version: str) -> dict[str, Any]:
    return dict(json.loads((SPECS / SPEC_FILES[(api, version)]).read_text()))


def _close(schema: Any, defs: dict[str, Any]) -> Any:
    """A strict copy of ``schema``: merged ``allOf``, no undeclared properties."""
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return {"$ref": schema["$ref"]}
    out = {
        k: v
        for k, v in schema.items()
        if not k.startswith("x-ms") and k not in ("example", "readOnly", "title", "description")
    }
    if "allOf" in out:
        props: dict[str, Any] = {}
        required: list[str] = []
        for part in out.pop("allOf"):
            if "$ref" in part:
                part = defs[part["$ref"].rsplit("/", 1)[1]]
            props |= part.get("properties", {})
            required += part.get("required", [])
        out["properties"] = {**props, **out.get("properties", {})}
        out["required"] = sorted(set(required) | set(out.get("required", [])))
        out.setdefault("type", "object")
    if "properties" in out:
        out["properties"] = {k: _close(v, defs) for k, v in out["properties"].items()}
        out.setdefault("additionalProperties", False)
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = _close(out["additionalProperties"], defs)
    if "items" in out:
        out["items"] = _close(out["items"], defs)
    return out


@cache
def strict_definitions(api: str, version: str) -> dict[str, Any]:
    defs = load_spec(api, version)["definitions"]
    return {name: _close(d, defs) for name, d in defs.items()}


def _datetime(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value.replace("Z", "+00:00")))


def _uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(uuid.UUID(value))


def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


FORMATS = jsonschema.FormatChecker()
FORMATS.checks("date-time", raises=ValueError)(_datetime)
FORMATS.checks("uuid", raises=ValueError)(_uuid)
FORMATS.checks("uri")(_uri)
FORMATS.checks("url")(_uri)


@dataclass(frozen=True)
class Operation:
    api: str
    version: str
    template: str
    method: str
    spec: dict[str, Any]

    @property
    def operation_id(self) -> str:
        return str(self.spec["operationId"])


def _regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{body}$")


@cache
def _templates(api: str, version: str) -> list[tuple[re.Pattern[str], str]]:
    prefix = PREFIX["customvoice"] if api == "customvoice" else PREFIX[version]
    paths = load_spec(api, version)["paths"]
    # More literal characters first, so ".../{id}:upload" wins over ".../{id}".
    ordered = sorted(paths, key=lambda p: -len(re.sub(r"\{[^}]+\}", "", p)))
    return [(_regex(prefix + p), p) for p in ordered]


def find_operation(method: str, url: str) -> Operation | None:
    parts = urlsplit(url)
    path = parts.path
    query = parse_qs(parts.query)
    if path.startswith("/customvoice/"):
        api, version = "customvoice", (query.get("api-version") or [""])[0]
    elif path.startswith("/speechtotext/v3.2/"):
        api, version = "speechtotext", "v3.2"
    elif path.startswith("/speechtotext/"):
        api, version = "speechtotext", (query.get("api-version") or [""])[0]
    else:
        return None
    if (api, version) not in SPEC_FILES:
        return None
    for regex, template in _templates(api, version):
        if regex.match(path):
            op = load_spec(api, version)["paths"][template].get(method.lower())
            if op is not None:
                return Operation(api, version, template, method.upper(), op)
    return None


def check_response(response: httpx.Response) -> tuple[Operation | None, list[str]]:
    """Problems of ``response`` against its operation's spec (empty list = conformant)."""
    op = find_operation(response.request.method, str(response.request.url))
    if op is None:
        return None, []
    status = str(response.status_code)
    declared = op.spec["responses"]
    problems: list[str] = []
    if status in declared:
        resp_spec = declared[status]
    elif response.status_code >= 400 and "default" in declared:
        resp_spec = declared["default"]
    else:
        return op, [f"{op.operation_id}: status {status} is not declared ({sorted(declared)})"]
    schema = resp_spec.get("schema")
    raw = response.read()
    if schema is None:
        if raw.strip():
            problems.append(f"{op.operation_id} {status}: body {raw[:80]!r} but no schema")
    else:
        try:
            body = json.loads(raw)
        except ValueError:
            return op, [f"{op.operation_id} {status}: body is not JSON: {raw[:80]!r}"]
        root = {
            **_close(schema, load_spec(op.api, op.version)["definitions"]),
            "definitions": strict_definitions(op.api, op.version),
        }
        validator = jsonschema.Draft4Validator(root, format_checker=FORMATS)
        for err in validator.iter_errors(body):
            where = "/".join(str(p) for p in err.absolute_path)
            problems.append(f"{op.operation_id} {status} at /{where}: {err.message}")
    for name in resp_spec.get("headers", {}):
        if name in LRO_HEADERS and response.status_code < 300 and name not in response.headers:
            problems.append(f"{op.operation_id} {status}: header {name} missing")
    if (
        op.api == "customvoice"
        and response.status_code >= 400
        and "x-ms-error-code" not in response.headers
    ):
        problems.append(f"{op.operation_id} {status}: x-ms-error-code missing")
    return op, problems


class ConformanceRecorder:
    """An httpx response hook that checks every API response and remembers the results."""

    def __init__(self) -> None:
        self.checked: list[tuple[str, int]] = []
        self.problems: list[str] = []
        self.unmatched: list[str] = []

    def __call__(self, response: httpx.Response) -> None:
        path = response.request.url.path
        if path.startswith("/_emulator"):
            return
        op, problems = check_response(response)
        if op is None:
            self.unmatched.append(f"{response.request.method} {response.request.url}")
            return
        self.checked.append((op.operation_id, response.status_code))
        self.problems += problems

    def assert_clean(self) -> None:
        assert not self.problems, "responses that break the spec:\n" + "\n".join(self.problems)
