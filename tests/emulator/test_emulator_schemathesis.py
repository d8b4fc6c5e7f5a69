"""Schemathesis against the emulator (over loopback), with the official specs restricted to the
emulated operations. Every generated request must get an answer that conforms: no 5xx, a
declared status code, the declared content type, headers and response schema (plus the strict
schema check of spec_check.py). ``api-version`` is pinned to the spec's own version so the
generated requests reach the handlers; budget: a few examples per operation.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.emulator.spec_check import EMULATED_STT, PREFIX, check_response, load_spec
from tests.fixtures.emulator import EmulatorService

TARGETS = [("customvoice", "2026-01-01"), ("speechtotext", "2025-10-15"), ("speechtotext", "v3.2")]


def content_type_when_there_is_a_body(ctx: Any, response: Any, case: Any) -> bool | None:
    """``content_type_conformance``, except for empty answers (204 and the body-less 202):
    RFC 9110 gives a response without content no media type."""
    if not response.content:
        return None
    return content_type_conformance(ctx, response, case)  # type: ignore[no-any-return]


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_when_there_is_a_body,
    response_headers_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 6


def _emulated(api: str, op: dict[str, Any]) -> bool:
    return api == "customvoice" or op.get("operationId") in EMULATED_STT


@cache
def prepared_spec(api: str, version: str) -> dict[str, Any]:
    """The official spec, addressed at the emulator, with only the emulated operations."""
    spec = copy.deepcopy(load_spec(api, version))
    spec.pop("x-ms-parameterized-host", None)
    spec.update(
        host="127.0.0.1",
        schemes=["http"],
        basePath=PREFIX["customvoice"] if api == "customvoice" else PREFIX[version],
    )
    for param in spec.get("parameters", {}).values():
        if param.get("name") == "api-version":
            param["enum"] = [version]
        if param.get("name") == "endpoint":
            param["enum"] = ["127.0.0.1"]
    paths = {}
    for path, ops in spec["paths"].items():
        kept = {m: o for m, o in ops.items() if m == "parameters" or _emulated(api, o)}
        if set(kept) - {"parameters"}:
            paths[path] = kept
    spec["paths"] = paths
    return spec


def _operations() -> list[Any]:
    out = []
    for api, version in TARGETS:
        for path, ops in prepared_spec(api, version)["paths"].items():
            for method in ops:
                if method != "parameters":
                    out.append(
                        pytest.param(
                            api, version, path, method, id=f"{version}:{method.upper()} {path}"
                        )
                    )
    return out


@pytest.mark.e2e
@pytest.mark.parametrize(("api", "version", "path", "method"), _operations())
def test_generated_requests_get_conformant_answers(
    emulator: EmulatorService, api: str, version: str, path: str, method: str
) -> None:
    schema = schemathesis.openapi.from_dict(prepared_spec(api, version))
    operation = schema[path][method.upper()]
    headers = {"Ocp-Apim-Subscription-Key": emulator.key}

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def exercise(case: Any) -> None:
        response = case.call(base_url=f"{emulator.base_url}{schema.base_path}", headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
        # The same answer through the strict checker (no undeclared properties, formats).
        request = httpx.Request(str(response.request.method), str(response.request.url))
        flat = [(k, v) for k, values in response.headers.items() for v in values]
        strict = httpx.Response(
            response.status_code, headers=flat, content=response.content, request=request
        )
        _, problems = check_response(strict)
        assert not problems, problems

    exercise()
