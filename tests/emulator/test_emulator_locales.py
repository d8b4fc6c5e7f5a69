"""Locales as the service reads them (docs/azure-behaviour.md § Locales): case-insensitive
everywhere, echoed in canonical case, the full lists per API and per dataset kind, and a base
model for every custom speech locale."""

from __future__ import annotations

import re

import httpx
import pytest

from speechflows.flows.params import LOCALE_PATTERN
from speechflows.tasks.voice_common import OnboardingError
from speechflows.tasks.voice_models import check_recipe
from tests.fixtures.emulator import EmulatorService

V = "?api-version=2026-01-01"
Q = "?api-version=2025-10-15"
# The ten locales of Microsoft's published custom speech sample data (reference §4.4), plus the
# locales the specs' and the reference's examples use.
SAMPLE_LOCALES = ("de-DE", "en-US", "es-ES", "fr-FR", "it-IT", "ja-JP", "ko-KR", "pt-BR", "zh-CN")


def test_custom_voice_accepts_lower_case_locales_and_echoes_canonical(
    client: httpx.Client,
) -> None:
    r = client.put(
        f"/customvoice/projects/Proj1{V}", json={"kind": "ProfessionalVoice", "locale": "en-us"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["locale"] == "en-US"
    # The same definition in another case is the same definition: idempotent, not a conflict.
    again = client.put(
        f"/customvoice/projects/Proj1{V}", json={"kind": "ProfessionalVoice", "locale": "EN-US"}
    )
    assert again.status_code == 201, again.text
    ts = client.put(
        f"/customvoice/trainingsets/Set1{V}",
        json={"projectId": "Proj1", "locale": "zh-cn", "description": None, "displayName": None},
    )
    assert ts.status_code == 201, ts.text
    assert ts.json()["locale"] == "zh-CN"
    consent = client.put(
        f"/customvoice/consents/Talent1{V}",
        json={
            "projectId": "Proj1",
            "voiceTalentName": "Jess Smith",
            "companyName": "Contoso",
            "locale": "ko-kr",
            "audioUrl": "http://127.0.0.1:9/consent.wav",
        },
    )
    assert consent.status_code == 201, consent.text
    assert consent.json()["locale"] == "ko-KR"


@pytest.mark.parametrize("locale", ["en-us", "sr-latn-rs", "zh-cn-sichuan", "fil-ph", "nb-no"])
def test_custom_voice_knows_the_text_to_speech_locales(client: httpx.Client, locale: str) -> None:
    r = client.put(
        f"/customvoice/projects/Proj{V}", json={"kind": "ProfessionalVoice", "locale": locale}
    )
    assert r.status_code == 201, r.text
    assert r.json()["locale"].lower() == locale


def test_custom_voice_refuses_an_unknown_locale(client: httpx.Client) -> None:
    r = client.put(
        f"/customvoice/projects/Proj{V}", json={"kind": "ProfessionalVoice", "locale": "xx-YY"}
    )
    assert r.status_code == 400
    assert r.json()["error"]["innererror"]["code"] == "UnsupportedLocale"


def test_custom_voice_locale_filter_ignores_case(client: httpx.Client) -> None:
    for pid, loc in (("ProjA", "en-US"), ("ProjB", "de-DE")):
        r = client.put(
            f"/customvoice/projects/{pid}{V}", json={"kind": "PersonalVoice", "locale": loc}
        )
        assert r.status_code == 201
    got = client.get(f"/customvoice/projects{V}&filter=locale eq 'en-us'").json()
    assert [p["id"] for p in got["value"]] == ["ProjA"]
    got = client.get(f"/customvoice/projects{V}&filter=locale ne 'EN-US'").json()
    assert [p["id"] for p in got["value"]] == ["ProjB"]


@pytest.mark.parametrize("prefix,q", [("", Q), ("/v3.2", "")])
def test_speech_to_text_locales_ignore_case(client: httpx.Client, prefix: str, q: str) -> None:
    project = client.post(
        f"/speechtotext{prefix}/projects{q}", json={"displayName": "p", "locale": "ko-kr"}
    )
    assert project.status_code == 201, project.text
    assert project.json()["locale"] == "ko-KR"
    ds = client.post(
        f"/speechtotext{prefix}/datasets{q}",
        json={
            "displayName": "ko acoustic",
            "locale": "KO-kr",
            "kind": "Acoustic",
            "project": {"self": project.json()["self"]},
            "description": None,
        },
    )
    assert ds.status_code == 201, ds.text
    assert ds.json()["locale"] == "ko-KR"
    sep = "&" if q else "?"
    listed = client.get(f"/speechtotext{prefix}/datasets{q}{sep}filter=locale eq 'ko-kr'").json()
    assert [d["self"] for d in listed["values"]] == [ds.json()["self"]]


def test_dataset_locales_per_kind_cover_the_published_sample_data(client: httpx.Client) -> None:
    by_kind = client.get(f"/speechtotext/datasets/locales{Q}").json()
    for loc in SAMPLE_LOCALES:
        for kind in ("Acoustic", "Language", "AudioFiles"):
            assert loc in by_kind[kind], (loc, kind)
    # Microsoft ships accepted Acoustic sample data for ko-KR and zh-CN (reference §4.4).
    assert {"ko-KR", "zh-CN"} <= set(by_kind["Acoustic"])
    assert len(by_kind["Language"]) >= 100
    assert set(by_kind["Pronunciation"]) < set(by_kind["Language"])
    # v3.2 shows the same facts keyed by locale.
    by_locale = client.get("/speechtotext/v3.2/datasets/locales").json()
    assert "Acoustic" in by_locale["ko-KR"] and "Acoustic" in by_locale["zh-CN"]


@pytest.mark.parametrize(
    "filt,kinds",
    [
        ("zh-cn", {"Acoustic", "Language", "Pronunciation", "LanguageMarkdown"}),
        ("ko-KR", {"Acoustic", "Language"}),
        ("es-es", {"Acoustic", "Language"}),
        ("pt-br", {"Acoustic", "Language"}),
        ("it-IT", {"Acoustic", "Language"}),
    ],
)
def test_base_models_for_every_custom_speech_locale(
    client: httpx.Client, filt: str, kinds: set[str]
) -> None:
    got = client.get(f"/speechtotext/models/base{Q}&filter=locale eq '{filt}'").json()["values"]
    assert len(got) == 1, got
    props = got[0]["properties"]
    assert kinds <= set(props["features"]["supportsAdaptationsWith"])
    dates = props["deprecationDates"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", dates["adaptationDateTime"])
    assert dates["transcriptionDateTime"] > dates["adaptationDateTime"]


def test_every_dataset_locale_has_a_base_model(client: httpx.Client) -> None:
    locales = set(client.get(f"/speechtotext/datasets/locales{Q}").json()["Language"])
    seen: set[str] = set()
    url: str | None = f"/speechtotext/models/base{Q}&top=50"
    while url:
        body = client.get(url).json()
        seen |= {m["locale"] for m in body["values"]}
        url = body.get("@nextLink")
    assert locales <= seen


def test_dataset_locale_outside_its_kind_is_refused(client: httpx.Client) -> None:
    by_kind = client.get(f"/speechtotext/datasets/locales{Q}").json()
    assert "af-ZA" in by_kind["Language"] and "af-ZA" not in by_kind["Pronunciation"]
    body = {"displayName": "p", "locale": "af-za", "kind": "Pronunciation"}
    r = client.post(f"/speechtotext/datasets{Q}", json=body)
    assert r.status_code == 400
    assert r.json()["innerError"]["code"] == "InvalidLocale"
    ok = client.post(f"/speechtotext/datasets{Q}", json={**body, "kind": "Language"})
    assert ok.status_code == 201, ok.text


def test_product_recipe_check_accepts_a_lower_case_locale(
    emulator: EmulatorService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client side too: the recipes list ``en-US`` and the flow parameter may say ``en-us``."""
    monkeypatch.setenv("SPEECHFLOWS_SPEECH_ENDPOINT", emulator.base_url)
    monkeypatch.setenv("SPEECHFLOWS_SPEECH_KEY", emulator.key)
    assert re.fullmatch(LOCALE_PATTERN, "en-us")
    minimum = check_recipe.fn("Default", utterance_count=10, locale="en-us")
    assert minimum == emulator.min_utterance_count
    with pytest.raises(OnboardingError, match="does not accept"):
        check_recipe.fn("MultiStyle", utterance_count=500, locale="de-de")


def test_a_withdrawn_locale_leaves_every_list_and_is_refused_on_create(
    client: httpx.Client,
) -> None:
    """Admin seam (ledger § Locales): the service's lists change; the product must follow them."""
    assert "en-GB" in client.get(f"/speechtotext/datasets/locales{Q}").json()["Language"]
    set_ = client.put("/_emulator/locales/withdrawn", json={"locales": ["en-gb"]})
    assert set_.status_code == 200 and set_.json() == {"locales": ["en-gb"]}
    by_kind = client.get(f"/speechtotext/datasets/locales{Q}").json()
    assert all("en-GB" not in v for v in by_kind.values()) and "en-US" in by_kind["Language"]
    assert "en-GB" not in client.get("/speechtotext/v3.2/datasets/locales").json()
    for coll in ("projects", "models", "evaluations", "endpoints"):
        listed = client.get(f"/speechtotext/{coll}/locales{Q}").json()
        assert "en-GB" not in listed and "en-US" in listed, coll
    # TranscriptionLocales (2025-10-15) is an object; v3.2 a bare array
    submit = client.get(f"/speechtotext/transcriptions/locales{Q}").json()["Submit"]
    assert "en-GB" not in submit and "en-US" in submit
    assert "en-GB" not in client.get("/speechtotext/v3.2/transcriptions/locales").json()
    recipes = client.get(f"/customvoice/modelrecipes{V}").json()["value"]
    assert all("en-GB" not in r["datasetLocales"] + r["modelLocales"] for r in recipes)
    body = {"displayName": "p", "locale": "en-GB", "kind": "Language"}
    refused = client.post(f"/speechtotext/datasets{Q}", json=body)
    assert refused.status_code == 400 and refused.json()["innerError"]["code"] == "InvalidLocale"
    project = client.put(
        f"/customvoice/projects/GbProject{V}", json={"kind": "ProfessionalVoice", "locale": "en-GB"}
    )
    assert project.status_code == 400, project.text
    assert project.json()["error"]["innererror"]["code"] == "UnsupportedLocale"
    assert client.put("/_emulator/locales/withdrawn", json={"locales": []}).status_code == 200
    assert client.post(f"/speechtotext/datasets{Q}", json=body).status_code == 201
    bad = client.put("/_emulator/locales/withdrawn", json={"locales": "en-GB"})
    assert bad.status_code == 400
