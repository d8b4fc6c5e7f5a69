"""Load the official Swagger specs from ../shared and check captured requests against them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx
import jsonschema

from speechflows.settings import SpeechSettings


def shared_dir() -> Path:
    """``../shared`` beside the repository (CI layout), falling back to /work/shared."""
    candidate = Path(__file__).resolve().parents[3] / "shared"
    if (candidate / "azure-speech-specs").is_dir():
        return candidate
    return Path("/work/shared")


SPECS = shared_dir() / "azure-speech-specs"
SPEC_FILES = {
    ("customvoice", "2026-01-01"): SPECS / "customvoice/2026-01-01/texttospeech.json",
    ("customvoice", "2024-02-01-preview"): SPECS
    / "customvoice/2024-02-01-preview/texttospeech.json",
    ("speechtotext", "2025-10-15"): SPECS / "speechtotext/2025-10-15/speechtotext.json",
    ("speechtotext", "v3.2"): SPECS / "speechtotext/v3.2/speechtotext.json",
}
KEY = "unit-test-key-0123456789abcdef0123"
ENDPOINT = "https://eastus.api.cognitive.microsoft.com"


def settings(cv: str = "2026-01-01", stt: str = "2025-10-15") -> SpeechSettings:
    """Key-authenticated settings for the fake regional endpoint."""
    return SpeechSettings(
        endpoint=ENDPOINT,
        key=KEY,
        use_entra=False,
        custom_voice_api_version=cv,
        speech_to_text_api_version=stt,
    )


@cache
def load_spec(api: str, version: str) -> dict[str, Any]:
    """The parsed spec JSON."""
    data: dict[str, Any] = json.loads(SPEC_FILES[(api, version)].read_text(encoding="utf-8"))
    return data


def _param(spec: dict[str, Any], param: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in param:
        resolved: dict[str, Any] = spec["parameters"][param["$ref"].rsplit("/", 1)[-1]]
        return resolved
    return param


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$")


def api_of(request: httpx.Request) -> tuple[str, str, str]:
    """``(api, version, path relative to the API root)`` of a captured request."""
    path = request.url.path
    query = dict(parse_qsl(request.url.query.decode()))
    if path.startswith("/customvoice/"):
        return "customvoice", query["api-version"], path[len("/customvoice") :]
    if path.startswith("/speechtotext/v3.2/"):
        return "speechtotext", "v3.2", path[len("/speechtotext/v3.2") :]
    assert path.startswith("/speechtotext/"), path
    return "speechtotext", query["api-version"], path[len("/speechtotext") :]


def match_operation(
    request: httpx.Request,
) -> tuple[str, dict[str, Any], dict[str, str], dict[str, Any]]:
    """Find the spec operation of a request: ``(operationId, operation, path params, spec)``."""
    api, version, rel = api_of(request)
    spec = load_spec(api, version)
    method = request.method.lower()
    candidates = []
    for template, item in spec["paths"].items():
        if method not in item:
            continue
        match = _template_regex(template).match(rel)
        if match:
            literal = len(re.sub(r"\{[^}]+\}", "", template))
            candidates.append((literal, template, item, match.groupdict()))
    assert candidates, f"{request.method} {rel} matches no path of {api} {version}"
    _, template, item, groups = max(candidates, key=lambda c: c[0])
    op = item[method]
    op = {**op, "parameters": [*item.get("parameters", []), *op.get("parameters", [])]}
    return op["operationId"], op, {k: unquote(v) for k, v in groups.items()}, spec


def _schema(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "definitions": spec["definitions"]}


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["definitions"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def undeclared_keys(
    spec: dict[str, Any], schema: dict[str, Any], value: Any, at: str = ""
) -> list[str]:
    """Keys in ``value`` the schema does not declare (Swagger allows them; the service ignores them)."""
    schema = _resolve(spec, schema)
    if isinstance(value, list) and "items" in schema:
        return [
            k
            for i, v in enumerate(value)
            for k in undeclared_keys(spec, schema["items"], v, f"{at}[{i}]")
        ]
    if not isinstance(value, dict):
        return []
    if "additionalProperties" in schema and "properties" not in schema:
        extra = schema["additionalProperties"]
        if isinstance(extra, dict) and extra:
            return [
                k for n, v in value.items() for k in undeclared_keys(spec, extra, v, f"{at}.{n}")
            ]
        return []
    props: dict[str, Any] = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        props.update(_resolve(spec, part).get("properties", {}))
    bad = []
    for name, sub in value.items():
        if name not in props:
            bad.append(f"{at}.{name}")
        else:
            bad.extend(undeclared_keys(spec, props[name], sub, f"{at}.{name}"))
    return bad


def read_only_keys(spec: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    """Top-level keys of a request body that the schema marks readOnly."""
    schema = _resolve(spec, schema)
    props = dict(schema.get("properties", {}))
    return [
        k
        for k in (value or {})
        if isinstance(value, dict) and _resolve(spec, props.get(k, {})).get("readOnly")
    ]


def multipart_parts(request: httpx.Request) -> dict[str, list[bytes]]:
    """Form parts of a multipart request by name."""
    content_type = request.headers["content-type"]
    raw = b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.content
    message = BytesParser(policy=HTTP).parsebytes(raw)
    parts: dict[str, list[bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        parts.setdefault(str(name), []).append(payload if isinstance(payload, bytes) else b"")
    return parts


def validate_request(
    request: httpx.Request, *, extra_form_fields: frozenset[str] = frozenset()
) -> str:
    """Check a captured request against its spec operation; return the operationId."""
    op_id, op, path_params, spec = match_operation(request)
    checker = jsonschema.FormatChecker()
    query = dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))
    declared_query = set()
    body_param = None
    form_params = {}
    for raw in op["parameters"]:
        param = _param(spec, raw)
        where, name = param["in"], param["name"]
        plain = {
            k: v
            for k, v in param.items()
            if k in ("type", "pattern", "minLength", "maxLength", "format", "enum")
        }
        if where == "path":
            if name == "endpoint":
                continue
            assert name in path_params, f"{op_id}: path parameter {name} missing"
            jsonschema.validate(path_params[name], plain, format_checker=checker)
        elif where == "query":
            declared_query.add(name)
            if param.get("required"):
                assert name in query, f"{op_id}: required query parameter {name} missing"
            if name in query and plain.get("type") == "integer":
                int(query[name])
            elif name in query and plain.get("type") == "boolean":
                assert query[name] in ("true", "false"), f"{op_id}: {name}={query[name]!r}"
            elif name in query:
                jsonschema.validate(query[name], plain, format_checker=checker)
        elif where == "header":
            if param.get("required"):
                assert name in request.headers, f"{op_id}: required header {name} missing"
            if name in request.headers:
                jsonschema.validate(request.headers[name], plain, format_checker=checker)
        elif where == "body":
            body_param = param
        elif where == "formData":
            form_params[name] = param
    # api-version is declared per operation in every spec that uses it.
    unknown = set(query) - declared_query
    assert not unknown, f"{op_id}: undeclared query parameters {sorted(unknown)}"
    assert request.headers.get("ocp-apim-subscription-key") or request.headers.get("authorization")
    if body_param is not None:
        schema = body_param["schema"]
        if schema.get("format") == "binary" or _resolve(spec, schema).get("type") == "string":
            assert request.content, f"{op_id}: empty binary body"
        else:
            body = json.loads(request.content)
            validator = jsonschema.Draft4Validator(_schema(spec, schema), format_checker=checker)
            errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(body)]
            assert not errors, f"{op_id}: body does not match the spec: {errors}"
            assert not undeclared_keys(spec, schema, body), (
                f"{op_id}: {undeclared_keys(spec, schema, body)}"
            )
            assert not read_only_keys(spec, schema, body), (
                f"{op_id}: read-only {read_only_keys(spec, schema, body)}"
            )
    elif form_params:
        parts = multipart_parts(request)
        declared = {n.lower() for n in form_params} | {n.lower() for n in extra_form_fields}
        for name, param in form_params.items():
            if param.get("required"):
                assert name.lower() in {p.lower() for p in parts}, (
                    f"{op_id}: form field {name} missing"
                )
        undeclared = {p for p in parts if p.lower() not in declared}
        assert not undeclared, f"{op_id}: undeclared form fields {undeclared}"
    else:
        assert not request.content, f"{op_id}: unexpected body"
    return str(op_id)


def success_response(request: httpx.Request) -> httpx.Response:
    """The spec's success response for a request: its example body if saved, else a minimal one."""
    _, op, _, spec = match_operation(request)
    api, version, _ = api_of(request)
    status = min(int(s) for s in op["responses"] if s.isdigit())
    example = example_body(api, version, op, status)
    headers = {}
    if "Operation-Id" in request.headers:
        op_header = request.headers["Operation-Id"]
        headers = {
            "Operation-Id": op_header,
            "Operation-Location": f"{ENDPOINT}/customvoice/operations/{op_header}?api-version={version}",
        }
    if example is not None:
        if isinstance(example, dict) and "skip" in request.url.params:
            # The example's next page is this request: end the paging here.
            example = {k: v for k, v in example.items() if k not in ("nextLink", "@nextLink")}
        return httpx.Response(status, json=example, headers=headers)
    schema = op["responses"][str(status)].get("schema")
    if schema is None:
        return httpx.Response(status, headers=headers)
    resolved = _resolve(spec, schema)
    if resolved.get("type") == "array":
        return httpx.Response(status, json=[], headers=headers)
    props = resolved.get("properties", {})
    for key in ("value", "values"):
        if key in props:
            return httpx.Response(status, json={key: []}, headers=headers)
    return httpx.Response(status, json={}, headers=headers)


def example_body(api: str, version: str, op: dict[str, Any], status: int) -> Any:
    """The saved example response body of ``op`` for ``status``, or None."""
    folder = SPEC_FILES[(api, version)].parent
    for ref in op.get("x-ms-examples", {}).values():
        path = folder / ref["$ref"]
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            response = data.get("responses", {}).get(str(status))
            if response and "body" in response:
                return response["body"]
    return None


def request_url(url: str) -> str:
    """Path and query of a URL (to compare captured requests)."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


# consents.create's talent arguments (project Jessica): the id and the audio are the caller's.
CONSENT: dict[str, Any] = {
    "project_id": "Jessica",
    "voice_talent_name": "Jessica Smith",
    "company_name": "Contoso",
    "locale": "en-US",
}


@dataclass
class FakeTime:
    """A clock that only moves when the code under test sleeps.

    The clock moves in whole microseconds' worth of binary fractions (2**-20 s), so its readings
    are exact: the difference of two readings is exactly the sleeps between them (with jittered
    float sleeps, 127.37 - 67.37 would read 60.000000000000014).
    """

    t: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += round(seconds * 2**20) / 2**20

    def clock(self) -> float:
        return self.t

    def hooks(self) -> dict[str, Any]:
        """``sleep`` and ``clock`` keyword arguments: the code under test runs on this clock."""
        return {"sleep": self.sleep, "clock": self.clock}
