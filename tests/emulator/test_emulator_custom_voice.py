"""Custom Voice behaviour in-process: ids, status codes, headers, errors, paging, Operation-Id."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tests.emulator.conftest import voice_project
from tests.emulator.polling import wait_for
from tests.emulator.spec_check import load_spec

V = "?api-version=2026-01-01"
OLD = "?api-version=2024-02-01-preview"


def test_project_create_get_list_delete(client: httpx.Client) -> None:
    r = client.put(
        f"/customvoice/projects/Jessica{V}",
        json={"kind": "ProfessionalVoice", "description": "d", "locale": "en-US"},
    )
    assert r.status_code == 201
    body = r.json()
    assert body["id"] == "Jessica" and body["kind"] == "ProfessionalVoice"
    assert body["createdDateTime"].endswith("Z")
    assert client.get(f"/customvoice/projects/Jessica{V}").json() == body
    assert "locale" not in client.get(f"/customvoice/projects/Jessica{OLD}").json()
    assert client.get(f"/customvoice/projects{V}").json() == {"value": [body]}
    assert client.delete(f"/customvoice/projects/Jessica{V}").status_code == 204
    r = client.get(f"/customvoice/projects/Jessica{V}")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "NotFound"
    assert r.headers["x-ms-error-code"] == "NotFound"


def test_re_put_same_definition_is_idempotent_and_different_conflicts(client: httpx.Client) -> None:
    voice_project(client)
    again = client.put(
        f"/customvoice/projects/Jessica{V}", json={"kind": "ProfessionalVoice", "locale": "en-US"}
    )
    assert again.status_code == 201
    other = client.put(f"/customvoice/projects/Jessica{V}", json={"kind": "PersonalVoice"})
    assert other.status_code == 409
    assert other.json()["error"]["innererror"]["code"] == "ResourceConflict"
    creates = client.get("/_emulator/state").json()["create_counts"]
    assert creates == {"customvoice/projects/Jessica": 1}


@pytest.mark.parametrize("bad_id", ["ab", "-abc", "abc-", "a" * 65, "abc$def"])
def test_resource_id_pattern_is_enforced(client: httpx.Client, bad_id: str) -> None:
    r = client.put(f"/customvoice/projects/{bad_id}{V}", json={"kind": "PersonalVoice"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "BadRequest"


def test_missing_and_invalid_fields(client: httpx.Client) -> None:
    r = client.put(f"/customvoice/projects/Pr1{V}", json={})
    assert r.status_code == 400 and r.json()["error"]["target"] == "kind"
    r = client.put(f"/customvoice/projects/Pr1{V}", json={"kind": "Robot"})
    assert r.status_code == 400
    r = client.put(
        f"/customvoice/projects/Pr1{V}",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400
    r = client.put(
        f"/customvoice/trainingsets/Ts1{V}", json={"projectId": "Nope", "locale": "en-US"}
    )
    assert r.status_code == 400 and r.json()["error"]["target"] == "projectId"
    voice_project(client)
    r = client.put(
        f"/customvoice/trainingsets/Ts1{V}", json={"projectId": "Jessica", "locale": "xx-XX"}
    )
    assert r.status_code == 400
    assert r.json()["error"]["innererror"]["code"] == "UnsupportedLocale"


def test_auth_and_api_version(client: httpx.Client, emu_app: object) -> None:
    r = client.get(f"/customvoice/projects{V}", headers={"Ocp-Apim-Subscription-Key": "wrong"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "Unauthorized"
    r = client.get(
        f"/customvoice/projects{V}",
        headers={"Authorization": "Bearer x.y.z", "Ocp-Apim-Subscription-Key": ""},
    )
    assert r.status_code == 401
    r = client.get("/customvoice/projects")
    assert r.status_code == 400 and "api-version" in r.json()["error"]["message"]
    r = client.get("/customvoice/projects?api-version=2099-01-01")
    assert r.status_code == 400
    r = client.get("/customvoice/projects?api-version=2023-12-01-preview")
    assert r.status_code == 200


def test_paging_and_filter(client: httpx.Client) -> None:
    for i in range(5):
        voice_project(client, f"Proj{i}", "PersonalVoice" if i % 2 else "ProfessionalVoice")
    first = client.get(f"/customvoice/projects{V}&maxpagesize=2").json()
    assert [p["id"] for p in first["value"]] == ["Proj0", "Proj1"]
    second = client.get(first["nextLink"]).json()
    assert [p["id"] for p in second["value"]] == ["Proj2", "Proj3"]
    third = client.get(second["nextLink"]).json()
    assert [p["id"] for p in third["value"]] == ["Proj4"] and "nextLink" not in third
    personal = client.get(f"/customvoice/projects{V}&filter=kind eq 'PersonalVoice'").json()
    assert [p["id"] for p in personal["value"]] == ["Proj1", "Proj3"]
    r = client.get(f"/customvoice/projects{V}&filter=voiceName eq 'x'")
    assert r.status_code == 400


def test_operation_id_semantics_and_consent_from_unreachable_storage(client: httpx.Client) -> None:
    voice_project(client)
    body = {
        "projectId": "Jessica",
        "voiceTalentName": "Jessica Smith",
        "companyName": "Contoso",
        "locale": "en-US",
        "audioUrl": "https://contoso.blob.core.windows.net/c/a.wav?sig=s",
    }
    r = client.put(
        f"/customvoice/consents/Jessica{V}", json=body, headers={"Operation-Id": "consent-op-1"}
    )
    assert r.status_code == 201 and r.json()["status"] == "NotStarted"
    assert r.headers["Operation-Id"] == "consent-op-1"
    assert r.headers["Operation-Location"] == (
        f"http://emulator.test/customvoice/operations/consent-op-1{V}"
    )
    assert "audioUrl" not in r.json()
    same = client.put(
        f"/customvoice/consents/Jessica{V}", json=body, headers={"Operation-Id": "consent-op-1"}
    )
    assert same.status_code == 201 and same.headers["Operation-Id"] == "consent-op-1"
    differs = client.put(
        f"/customvoice/consents/Other{V}", json=body, headers={"Operation-Id": "consent-op-1"}
    )
    assert differs.status_code == 400
    assert differs.json()["error"]["innererror"]["code"] == "OperationIdConflict"
    op = wait_for(
        lambda: (
            (o := client.get(f"/customvoice/operations/consent-op-1{V}").json())["status"]
            in ("Succeeded", "Failed")
            and o
        ),
        what="consent operation",
    )
    assert op == {"id": "consent-op-1", "status": "Failed"}
    consent = client.get(f"/customvoice/consents/Jessica{V}").json()
    assert consent["status"] == "Failed"
    assert consent["properties"]["failureReason"] == "Internal"
    assert client.get(f"/customvoice/consents{V}&filter=projectId eq 'Jessica'").json()["value"]
    assert client.get(f"/customvoice/operations/nope-op{V}").status_code == 404


def test_endpoint_ids_are_uuids_and_need_a_trained_model(client: httpx.Client) -> None:
    voice_project(client)
    r = client.put(
        f"/customvoice/endpoints/not-a-uuid{V}", json={"projectId": "Jessica", "modelId": "M1"}
    )
    assert r.status_code == 400
    r = client.put(
        f"/customvoice/endpoints/9f50c644-2121-40e9-9ea7-544e48bfe3cb{V}",
        json={"projectId": "Jessica", "modelId": "Missing"},
    )
    assert r.status_code == 400 and r.json()["error"]["target"] == "modelId"


def test_catalog_shapes_per_version(client: httpx.Client) -> None:
    paged = client.get(f"/customvoice/modelrecipes{V}").json()
    assert paged["value"][0]["minUtteranceCount"] == 3
    bare = client.get(f"/customvoice/modelrecipes{OLD}").json()
    assert isinstance(bare, list) and "minDurationInSeconds" not in bare[0]
    assert client.get(f"/customvoice/basemodels{V}").json()["value"][0]["name"] == "PhoenixV2Neural"
    assert isinstance(client.get(f"/customvoice/basemodels{OLD}").json(), list)


def test_unknown_paths_and_methods_answer_in_shape(client: httpx.Client) -> None:
    r = client.get(f"/customvoice/voices{V}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NotFound"
    r = client.patch(f"/customvoice/projects/Jessica{V}", json={})
    assert r.status_code == 405 and "error" in r.json()


def test_seed_style_training_set_post(client: httpx.Client) -> None:
    voice_project(client, "JessicaProjectId")
    body = {
        "description": "300 sentences Jessica data in general style.",
        "displayName": "Training set name",
        "id": "JessicaTrainingId",
        "projectId": "JessicaProjectId",
        "locale": "en-US",
        "voiceKind": "Female",
    }
    r = client.post("/customvoice/trainingsets?api-version=2023-12-01-preview", json=body)
    assert r.status_code == 201
    assert r.json()["id"] == "JessicaTrainingId" and r.json()["status"] == "Succeeded"
    got = client.get(f"/customvoice/trainingsets/JessicaTrainingId{V}").json()
    assert got["voiceKind"] == "Female"


def test_base_models_say_when_they_stop_being_served(client: httpx.Client) -> None:
    """BaseModel.expirationDateTime (2026-01-01 and the previews define it): every listed base
    model has one, after its release and after the reference's check date (2026-11-29)."""
    defined = load_spec("customvoice", "2026-01-01")["definitions"]["BaseModel"]["properties"]
    assert "expirationDateTime" in defined
    for models in (
        client.get(f"/customvoice/basemodels{V}").json()["value"],
        client.get(f"/customvoice/basemodels{OLD}").json(),
    ):
        assert models
        for model in models:
            expires = datetime.fromisoformat(model["expirationDateTime"].replace("Z", "+00:00"))
            released = datetime.fromisoformat(model["releaseDateTime"].replace("Z", "+00:00"))
            assert released < datetime(2026, 11, 29, tzinfo=UTC) < expires, model
