"""Every operation of both APIs, read the way the service reads it (ledger § Reading requests).

Driven from the spec files: each operation of each spec version (Custom Voice 2023-12-01-preview,
2024-02-01-preview, 2026-01-01; Speech to text v3.2, 2025-10-15) is sent four ways against the
same emulator state, and every answer and the state it leaves must be the same:

* ``camel``: the request as the spec writes it;
* ``pascal``: every property name, form field name and query parameter name in PascalCase, as a
  .NET client with default serializer settings sends them (``"Kind"``, ``"ContainerUrl"``,
  ``"Recipe": {"Kind": ...}``, ``Api-Version``...);
* ``nulls``: ``null`` for every optional property the body leaves out, as clients that serialise
  every field send them (the official Python sample, .NET without ``IgnoreNullValues``...);
* ``enums``: every enum value in lower case.

For the operations the emulator serves, the camelCase request must succeed (2xx), so the others
are compared with a real answer. The tables the emulator reads names with
(:mod:`speechflows.emulator.core.names`) are checked against the specs too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from speechflows.emulator import EmulatorConfig, create_app, stop_app
from speechflows.emulator.core import names
from speechflows.emulator.core.store import Store
from speechflows.emulator.inprocess import InProcessTransport
from tests.emulator.conftest import KEY
from tests.emulator.spec_check import PREFIX, SPEC_FILES, SPECS, load_spec

HOST = "http://emulator.test"
BASE_MODEL = "8a043172-65b7-4cf3-a8b5-4449efa5a0f1"  # en-US base model of the catalog
STT_IDS = {
    "projects": "11111111-1111-4111-8111-111111111111",
    "datasets": "22222222-2222-4222-8222-222222222222",
    "models": "33333333-3333-4333-8333-333333333333",
    "evaluations": "44444444-4444-4444-8444-444444444444",
    "endpoints": "55555555-5555-4555-8555-555555555555",
    "transcriptions": "66666666-6666-4666-8666-666666666666",
    "webhooks": "77777777-7777-4777-8777-777777777777",
}
LANGUAGE_DATASET = "22222222-2222-4222-8222-222222222223"
BLOCK_DATASET = "22222222-2222-4222-8222-222222222224"
CV_ENDPOINT = "9f50c644-2121-40e9-9ea7-544e48bfe3cb"
NEW_CV_ENDPOINT = "0b0e7c27-0a6f-4c45-8bd2-6d8a8f1a1d0e"
SAS = "https://contoso.blob.core.windows.net/voice?sv=2023-11-03&sp=rl&sig=abc"
VARIANTS = ("camel", "pascal", "nulls", "enums")


# ---------------------------------------------------------------------------------------------
# The specs: operations, request schemas, names


@cache
def _operations() -> list[tuple[str, str, str, str, dict[str, Any]]]:
    out = []
    for (api, version), _rel in SPEC_FILES.items():
        for template, ops in load_spec(api, version)["paths"].items():
            for method, op in ops.items():
                if method != "parameters":
                    out.append((api, version, template, method, op))
    return out


def _param(api: str, version: str, p: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in p:
        return dict(load_spec(api, version)["parameters"][p["$ref"].rsplit("/", 1)[1]])
    return p


def _params(api: str, version: str, op: dict[str, Any]) -> list[dict[str, Any]]:
    return [_param(api, version, p) for p in op.get("parameters", [])]


def _resolve(api: str, version: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with ``$ref`` and ``allOf`` merged: ``properties``, ``required``."""
    defs = load_spec(api, version)["definitions"]
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[1]]
    props: dict[str, Any] = dict(schema.get("properties") or {})
    required = set(schema.get("required") or [])
    for part in schema.get("allOf") or []:
        sub = _resolve(api, version, part)
        props = {**sub["properties"], **props}
        required |= set(sub["required"])
    return {**schema, "properties": props, "required": required}


def _spec_names() -> dict[str, set[str]]:
    """Every name the request schemas, query and form parameters of the specs define."""
    found: dict[str, set[str]] = {
        "properties": set(),
        "maps": set(),
        "enums": set(),
        "enum_values": set(),
        "query": set(),
        "form": set(),
    }

    def walk(api: str, version: str, schema: dict[str, Any], seen: frozenset[str]) -> None:
        ref = schema.get("$ref", "")
        if ref in seen:
            return
        full = _resolve(api, version, schema)
        if "items" in full:
            walk(api, version, full["items"], seen | {ref})
        for name, sub in full["properties"].items():
            found["properties"].add(name)
            target = _resolve(api, version, sub)
            if "enum" in target:
                found["enums"].add(name)
                found["enum_values"].update(target["enum"])
            if target.get("additionalProperties") not in (None, False) and not target.get(
                "properties"
            ):
                found["maps"].add(name)
            walk(api, version, sub, seen | {ref})

    for api, version, _t, _m, op in _operations():
        for p in _params(api, version, op):
            if p["in"] == "query":
                found["query"].add(p["name"])
            elif p["in"] == "formData":
                found["form"].add(p["name"])
            elif p["in"] == "body":
                walk(api, version, p["schema"], frozenset())
    return found


def test_the_emulator_knows_every_name_the_specs_define() -> None:
    spec = _spec_names()
    assert spec["properties"] <= names.PROPERTY_NAMES, spec["properties"] - names.PROPERTY_NAMES
    assert spec["maps"] <= names.MAP_PROPERTIES
    assert spec["enums"] <= names.ENUM_PROPERTIES
    assert spec["enum_values"] <= names.ENUM_VALUES
    assert spec["query"] <= names.QUERY_NAMES
    assert {n.casefold() for n in spec["form"]} <= {n.casefold() for n in names.FORM_NAMES}
    # Matching ignoring case is only sound when no two names differ by case alone.
    for table in (names.PROPERTY_NAMES, names.ENUM_VALUES, names.QUERY_NAMES, names.FORM_NAMES):
        assert len({n.casefold() for n in table}) == len(table)


# ---------------------------------------------------------------------------------------------
# The state every request runs against


def _cv(store: Store, coll: str, rid: str, body: dict[str, Any]) -> None:
    now = "2026-01-01T00:00:00.000Z"
    store.put(
        "customvoice",
        coll,
        rid,
        {"id": rid, **body, "createdDateTime": now, "lastActionDateTime": now},
    )


def _ref(coll: str, rid: str) -> list[str]:
    return [coll, rid]


def _stt(store: Store, coll: str, rid: str, body: dict[str, Any]) -> None:
    now = "2026-01-01T00:00:00Z"
    store.put(
        "speechtotext",
        coll,
        rid,
        {
            "id": rid,
            "displayName": f"{coll} one",
            "locale": "en-US",
            "createdDateTime": now,
            "lastActionDateTime": now,
            "status": "Succeeded",
            **body,
        },
    )


def _world(store: Store) -> None:
    store.reset()
    ok = {"status": "Succeeded"}
    _cv(store, "projects", "Pro", {"kind": "ProfessionalVoice", "locale": "en-US"})
    _cv(store, "projects", "Per", {"kind": "PersonalVoice", "locale": "en-US"})
    consent = {"voiceTalentName": "Jessica", "companyName": "Contoso", "locale": "en-US", **ok}
    _cv(store, "consents", "Con", {"projectId": "Pro", **consent})
    _cv(store, "consents", "PerCon", {"projectId": "Per", **consent})
    _cv(
        store,
        "trainingsets",
        "Tset",
        {"projectId": "Pro", "locale": "en-US", "properties": {"utteranceCount": 10}, **ok},
    )
    model = {"projectId": "Pro", "consentId": "Con", "trainingSetId": "Tset", "locale": "en-US"}
    _cv(store, "models", "Mod", {**model, "recipe": {"kind": "Default"}, **ok})
    _cv(
        store,
        "endpoints",
        CV_ENDPOINT,
        {"projectId": "Pro", "modelId": "Mod", "properties": {"kind": "HighPerformance"}, **ok},
    )
    _cv(
        store,
        "personalvoices",
        "Pvoice",
        {"projectId": "Per", "consentId": "PerCon", "speakerProfileId": CV_ENDPOINT, **ok},
    )
    project = {"project": _ref("projects", STT_IDS["projects"])}
    _stt(store, "projects", STT_IDS["projects"], {"status": None})
    _stt(store, "datasets", STT_IDS["datasets"], {"kind": "Acoustic", "_refs": project})
    _stt(store, "datasets", LANGUAGE_DATASET, {"kind": "Language", "_refs": project})
    _stt(
        store,
        "datasets",
        BLOCK_DATASET,
        {"kind": "Language", "status": "NotStarted", "_upload": "blocks", "_refs": {}},
    )
    store.put_block(f"upload-{BLOCK_DATASET}", "YmxvY2sx", b"hello world\n")
    base = _ref("models/base", BASE_MODEL)
    _stt(
        store,
        "models",
        STT_IDS["models"],
        {"_refs": {**project, "baseModel": base}, "properties": {"customModelWeightPercent": 30}},
    )
    evaluation = {
        **project,
        "model1": base,
        "model2": _ref("models", STT_IDS["models"]),
        "dataset": _ref("datasets", STT_IDS["datasets"]),
    }
    _stt(store, "evaluations", STT_IDS["evaluations"], {"_refs": evaluation})
    _stt(
        store,
        "endpoints",
        STT_IDS["endpoints"],
        {"_refs": {**project, "model": _ref("models", STT_IDS["models"])}, "properties": {}},
    )
    _stt(store, "transcriptions", STT_IDS["transcriptions"], {"_refs": {}, "properties": {}})


# ---------------------------------------------------------------------------------------------
# The camelCase request of each operation


def _self(version: str, path: str) -> dict[str, str]:
    if version == "v3.2":
        return {"self": f"{HOST}/speechtotext/v3.2/{path}"}
    return {"self": f"{HOST}/speechtotext/{path}?api-version={version}"}


def _blob(prefix: str, *exts: str) -> dict[str, Any]:
    return {"containerUrl": SAS, "prefix": prefix, "extensions": list(exts)}


WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28)
# (api, operationId) → the JSON body (or (form fields, file part name)) of a request that
# succeeds against the world, given the version.
CASES: dict[tuple[str, str], Callable[[str], Any]] = {
    ("customvoice", "Projects_Create"): lambda v: {
        "kind": "ProfessionalVoice",
        "description": "A project",
        "displayName": "Project",
        "locale": "en-US",
    },
    ("customvoice", "Consents_Create"): lambda v: {
        "projectId": "Pro",
        "voiceTalentName": "Jessica Smith",
        "companyName": "Contoso",
        "locale": "en-US",
        "audioUrl": "https://contoso.blob.core.windows.net/voice/consent.wav?sp=r&sig=abc",
        "description": "Consent",
    },
    ("customvoice", "Consents_Post"): lambda v: (
        {
            "projectId": "Pro",
            "voiceTalentName": "Jessica Smith",
            "companyName": "Contoso",
            "locale": "en-US",
            "description": "Consent",
        },
        "audiodata",
    ),
    ("customvoice", "TrainingSets_Create"): lambda v: {
        "projectId": "Pro",
        "locale": "en-US",
        "voiceKind": "Female",
        "description": "Training set",
        "displayName": "Set",
    },
    ("customvoice", "TrainingSets_UploadData"): lambda v: {
        "kind": "AudioAndScript",
        "audios": _blob("jessica/", ".wav"),
        "scripts": _blob("jessica/", ".txt"),
        **({"processAs": "Segmented"} if v == "2026-01-01" else {}),
    },
    ("customvoice", "Models_Create"): lambda v: {
        "projectId": "Pro",
        "consentId": "Con",
        "trainingSetId": "Tset",
        "voiceName": "JessicaNeural",
        "recipe": {"kind": "Default"},
        "locale": "en-US",
        "description": "Model",
    },
    ("customvoice", "Endpoints_Create"): lambda v: {
        "projectId": "Pro",
        "modelId": "Mod",
        "description": "Endpoint",
        "properties": {"kind": "HighPerformance"},
    },
    ("customvoice", "PersonalVoices_Create"): lambda v: {
        "projectId": "Per",
        "consentId": "PerCon",
        "audios": _blob("prompts/", ".wav"),
        "description": "Personal voice",
    },
    ("customvoice", "PersonalVoices_Post"): lambda v: (
        {"projectId": "Per", "consentId": "PerCon", "description": "Personal voice"},
        "audiodata",
    ),
    ("speechtotext", "Projects_Create"): lambda v: {
        "displayName": "Project",
        "locale": "en-US",
        "description": "A project",
        "customProperties": {"Team": "speech"},
    },
    ("speechtotext", "Datasets_Create"): lambda v: {
        "kind": "Acoustic",
        "locale": "en-US",
        "displayName": "Dataset",
        "contentUrl": "https://contoso.blob.core.windows.net/c/data.zip?sp=r&sig=abc",
        "project": _self(v, f"projects/{STT_IDS['projects']}"),
        "properties": {"textNormalizationKind": "Default"},
    },
    ("speechtotext", "Datasets_Upload"): lambda v: (
        {"displayName": "Dataset", "locale": "en-US", "kind": "Language"},
        "data",
    ),
    ("speechtotext", "Datasets_CommitBlocks"): lambda v: [{"kind": "Latest", "id": "YmxvY2sx"}],
    ("speechtotext", "Models_Create"): lambda v: {
        "displayName": "Model",
        "locale": "en-US",
        "baseModel": _self(v, f"models/base/{BASE_MODEL}"),
        "datasets": [_self(v, f"datasets/{LANGUAGE_DATASET}")],
        "project": _self(v, f"projects/{STT_IDS['projects']}"),
        "properties": {"customModelWeightPercent": 40},
    },
    ("speechtotext", "Evaluations_Create"): lambda v: {
        "displayName": "Evaluation",
        "locale": "en-US",
        "model1": _self(v, f"models/base/{BASE_MODEL}"),
        "model2": _self(v, f"models/{STT_IDS['models']}"),
        "dataset": _self(v, f"datasets/{STT_IDS['datasets']}"),
    },
    ("speechtotext", "Endpoints_Create"): lambda v: {
        "displayName": "Endpoint",
        "locale": "en-US",
        "model": _self(v, f"models/{STT_IDS['models']}"),
        "properties": {"loggingEnabled": True},
    },
}
# Batch transcription (try speech): Transcriptions_Submit (2025-10-15), Transcriptions_Create (v3.2).
for _op in ("Transcriptions_Submit", "Transcriptions_Create"):
    CASES[("speechtotext", _op)] = lambda v: {
        "displayName": "Transcription",
        "locale": "en-US",
        "contentUrls": ["https://contoso.blob.core.windows.net/c/a.wav?sp=r&sig=abc"],
        "model": _self(v, f"models/{STT_IDS['models']}"),
        "properties": {"wordLevelTimestampsEnabled": True, "timeToLiveHours": 6},
    }
for _op in ("Projects_Update", "Datasets_Update", "Models_Update", "Evaluations_Update"):
    CASES[("speechtotext", _op)] = lambda v: {"displayName": "Renamed", "description": "New"}
CASES[("speechtotext", "Endpoints_Update")] = lambda v: {
    "displayName": "Renamed",
    "model": _self(v, f"models/{STT_IDS['models']}"),
}
QUERY_VALUES = {
    "skip": "0",
    "top": "50",
    "maxpagesize": "50",
    "forceDelete": "false",
    "sasValidityInSeconds": "3600",
    "sasLifetimeMinutes": "60",
    "blockid": "YmxvY2sy",
}


def _path(api: str, version: str, template: str, method: str, op: dict[str, Any]) -> str:
    coll = template.strip("/").split("/")[0].split(":")[0]
    creates = api == "customvoice" and method in ("put", "post") and ":" not in template
    if api == "customvoice":
        ids = {
            "projects": "Pro",
            "consents": "Con",
            "trainingsets": "Tset",
            "models": "Mod",
            "endpoints": CV_ENDPOINT,
            "personalvoices": "Pvoice",
            "operations": "no-such-operation",
        }
        new = NEW_CV_ENDPOINT if coll == "endpoints" else "NewOne"
        rid = new if creates else ids.get(coll, "x")
    elif template.startswith("/models/base/"):
        rid = BASE_MODEL
    elif template.startswith("/datasets/{id}/blocks"):
        rid = BLOCK_DATASET
    else:
        rid = STT_IDS.get(coll, STT_IDS["models"])
    values = {
        "id": rid,
        "fileId": "88888888-8888-4888-8888-888888888888",
        "logId": "88888888-8888-4888-8888-888888888889",
        "locale": "en-US",
    }
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "x"), template)


def _camel(
    api: str, version: str, template: str, method: str, op: dict[str, Any]
) -> tuple[str, dict[str, str], Any]:
    """(path, query, body); body is a JSON value, bytes, or (fields, file part name)."""
    query = {}
    body: Any = None
    for p in _params(api, version, op):
        if p["in"] == "query" and p["name"] in QUERY_VALUES:
            query[p["name"]] = QUERY_VALUES[p["name"]]
        if p["in"] == "body" and p.get("schema", {}).get("format") == "binary":
            body = b"block bytes"
        elif p["in"] == "body" and p["name"] == "body" and "type" in p.get("schema", {}):
            body = b"block bytes" if p["schema"]["type"] != "array" else None
    if template.endswith("/blocks") and method == "put":
        body = b"block bytes"
    case = CASES.get((api, op["operationId"]))
    if case is not None:
        body = case(version)
    elif body is None and any(p["in"] == "body" for p in _params(api, version, op)):
        body = _example_body(api, version, op) or {}
    if api == "customvoice" or version != "v3.2":
        query["api-version"] = version
    return _path(api, version, template, method, op), query, body


def _example_body(api: str, version: str, op: dict[str, Any]) -> Any:
    folder = (SPECS / SPEC_FILES[(api, version)]).parent
    for ref in (op.get("x-ms-examples") or {}).values():
        path = folder / ref["$ref"]
        if path.exists():
            params = json.loads(path.read_text())["parameters"]
            for p in _params(api, version, op):
                if p["in"] == "body" and p["name"] in params:
                    return params[p["name"]]
    return None


# ---------------------------------------------------------------------------------------------
# The variants


def _pascal_name(name: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


def _pascal(value: Any) -> Any:
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        _pascal_name(k): (v if k in names.MAP_PROPERTIES else _pascal(v)) for k, v in value.items()
    }


def _lower_enums(value: Any) -> Any:
    if isinstance(value, list):
        return [_lower_enums(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        k: (
            v.lower()
            if k in names.ENUM_PROPERTIES and isinstance(v, str)
            else v
            if k in names.MAP_PROPERTIES
            else _lower_enums(v)
        )
        for k, v in value.items()
    }


def _with_nulls(api: str, version: str, schema: dict[str, Any], value: Any) -> Any:
    """``value`` with ``null`` for every optional, writable property it leaves out."""
    full = _resolve(api, version, schema)
    if isinstance(value, list) and "items" in full:
        return [_with_nulls(api, version, full["items"], v) for v in value]
    if not isinstance(value, dict) or not full["properties"]:
        return value
    out = {}
    for name, sub in full["properties"].items():
        if name in value:
            out[name] = (
                value[name]
                if name in names.MAP_PROPERTIES
                else (_with_nulls(api, version, sub, value[name]))
            )
        elif name not in full["required"] and not _resolve(api, version, sub).get("readOnly"):
            out[name] = None
    return {**value, **out}


def _request(
    variant: str, api: str, version: str, template: str, method: str, op: dict[str, Any]
) -> httpx.Request:
    path, query, body = _camel(api, version, template, method, op)
    prefix = PREFIX["customvoice"] if api == "customvoice" else PREFIX[version]
    schema = next((p["schema"] for p in _params(api, version, op) if p["in"] == "body"), None)
    if variant == "pascal":
        query = {_pascal_name(k): v for k, v in query.items()}
    headers = {"Ocp-Apim-Subscription-Key": KEY}
    if op.get("consumes") == ["multipart/form-data"] or isinstance(body, tuple):
        fields, part = body if isinstance(body, tuple) else ({}, "audiodata")
        if variant == "pascal":
            fields, part = {_pascal_name(k): v for k, v in fields.items()}, _pascal_name(part)
        if variant == "enums":
            fields = _lower_enums(fields)
        files = [(part, ("a.wav", WAV, "audio/wav"))]
        return httpx.Request(
            method.upper(),
            f"{HOST}{prefix}{path}",
            params=query,
            data=fields,
            files=files,
            headers=headers,
        )
    if isinstance(body, bytes):
        return httpx.Request(
            method.upper(), f"{HOST}{prefix}{path}", params=query, content=body, headers=headers
        )
    if body is not None:
        if variant == "pascal":
            body = _pascal(body)
        elif variant == "nulls" and schema is not None:
            body = _with_nulls(api, version, schema, body)
        elif variant == "enums":
            body = _lower_enums(body)
        return httpx.Request(
            method.upper(), f"{HOST}{prefix}{path}", params=query, json=body, headers=headers
        )
    return httpx.Request(method.upper(), f"{HOST}{prefix}{path}", params=query, headers=headers)


# ---------------------------------------------------------------------------------------------
# Comparing what happened

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?")
_NUM_TIME = re.compile(r"(\"(?:created|next_at|at|se)\":)\s*[\d.]+")


def _normal(text: str) -> str:
    return _NUM_TIME.sub(r"\1 0", _TIME.sub("<time>", _UUID.sub("<uuid>", text)))


def _outcome(app: FastAPI, response: httpx.Response) -> tuple[int, str, str]:
    store: Store = app.state.context.store
    with store.transaction() as db:
        resources = db.execute("SELECT api, coll, id, body FROM resources ORDER BY seq").fetchall()
        jobs = db.execute(
            "SELECT kind, coll, resource_id, status, fingerprint, params FROM jobs ORDER BY id"
        ).fetchall()
    state = json.dumps({"resources": resources, "jobs": jobs}, sort_keys=True)
    body = response.text
    return response.status_code, _normal(body), _normal(state)


@pytest.fixture(scope="module")
def contract_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """One app (state rebuilt before each request); operations never advance."""
    app = create_app(
        EmulatorConfig(data_dir=tmp_path_factory.mktemp("contract"), key=KEY, step_seconds=3600)
    )
    try:
        yield app
    finally:
        stop_app(app)


def _ids() -> Iterator[Any]:
    for api, version, template, method, op in _operations():
        yield pytest.param(api, version, template, method, op, id=f"{version}:{op['operationId']}")


def test_every_operation_of_every_spec_is_exercised() -> None:
    cases = {(api, op["operationId"]) for api, _v, _t, _m, op in _operations()}
    assert set(CASES) <= cases, set(CASES) - cases
    assert len(_operations()) == len(list(_ids())) >= 200


@pytest.mark.parametrize(("api", "version", "template", "method", "op"), _ids())
def test_camel_pascal_nulls_and_enum_case_get_the_same_answer(
    contract_app: FastAPI,
    api: str,
    version: str,
    template: str,
    method: str,
    op: dict[str, Any],
) -> None:
    outcomes = {}
    with httpx.Client(transport=InProcessTransport(contract_app)) as client:
        for variant in VARIANTS:
            _world(contract_app.state.context.store)
            request = _request(variant, api, version, template, method, op)
            outcomes[variant] = _outcome(contract_app, client.send(request))
    camel = outcomes["camel"]
    if (api, op["operationId"]) in CASES:
        assert 200 <= camel[0] < 300, f"the camelCase request must succeed: {camel[1]}"
    for variant in VARIANTS[1:]:
        got = outcomes[variant]
        assert got[0] == camel[0], f"{variant}: {got[0]} {got[1]} (camelCase: {camel[0]})"
        assert got[1] == camel[1], f"{variant} answered differently"
        assert got[2] == camel[2], f"{variant} left another state"


def test_the_contract_cases_cover_every_body_the_emulator_reads(contract_app: FastAPI) -> None:
    """A served operation that takes a body has a hand-written case (so it is sent with a real
    body, not a placeholder)."""
    missing = []
    with httpx.Client(transport=InProcessTransport(contract_app)) as client:
        for api, version, template, method, op in _operations():
            takes_body = any(p["in"] in ("body", "formData") for p in _params(api, version, op))
            if not takes_body or (api, op["operationId"]) in CASES:
                continue
            _world(contract_app.state.context.store)
            answer = client.send(_request("camel", api, version, template, method, op))
            if answer.status_code not in (404, 405) and not template.endswith("/blocks"):
                missing.append(f"{version}:{op['operationId']} ({answer.status_code})")
    assert not missing, missing
