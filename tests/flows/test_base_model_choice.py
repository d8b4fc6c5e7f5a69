"""Base model choice (``pick_base_model``) on the spec's own example body (v3.2
``get_english_base_models.json``) plus newer models the test derives from it: the newest one that
adapts with the dataset kinds and is open for adaptation wins; a pinned deprecated one is refused
with its date and that alternative.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from speechflows.speech.schemas.speech_to_text import SpeechBaseModel
from speechflows.tasks.custom_speech import pick_base_model
from speechflows.tasks.custom_voice import OnboardingError

EXAMPLE = (
    Path(__file__).resolve().parents[2].parent
    / "shared/azure-speech-specs/speechtotext/v3.2/examples/get_english_base_models.json"
)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _example() -> dict[str, Any]:
    body = json.loads(EXAMPLE.read_text(encoding="utf-8"))["responses"]["200"]["body"]
    return dict(body["values"][0])


def _derived(uid: str, name: str, created: str, kinds: list[str]) -> SpeechBaseModel:
    raw = json.loads(json.dumps(_example()))
    raw["self"] = raw["self"].rsplit("/", 1)[0] + "/" + uid
    raw["displayName"], raw["createdDateTime"] = name, created
    raw["properties"]["deprecationDates"] = {
        "adaptationDateTime": "2030-01-01T00:00:00Z",
        "transcriptionDateTime": "2031-01-01T00:00:00Z",
    }
    raw["properties"]["features"]["supportsAdaptationsWith"] = kinds
    return SpeechBaseModel.model_validate(raw)


@pytest.fixture
def models() -> list[SpeechBaseModel]:
    old = SpeechBaseModel.model_validate(_example())  # adaptation ended 2022-11-04
    usable = _derived(
        "11111111-1111-1111-1111-111111111111",
        "20240101",
        "2024-01-01T00:00:00Z",
        ["Language", "Acoustic"],
    )
    language_only = _derived(
        "22222222-2222-2222-2222-222222222222", "20250101", "2025-01-01T00:00:00Z", ["Language"]
    )
    return [old, usable, language_only]


def test_the_newest_model_that_adapts_with_the_kinds_is_chosen(
    models: list[SpeechBaseModel],
) -> None:
    assert pick_base_model(models, "en-US", ["Acoustic"], None, NOW).display_name == "20240101"
    assert pick_base_model(models, "en-US", ["Language"], None, NOW).display_name == "20250101"


def test_a_pinned_deprecated_base_model_is_refused_with_its_date_and_the_newest_alternative(
    models: list[SpeechBaseModel],
) -> None:
    old = models[0]
    with pytest.raises(OnboardingError) as caught:
        pick_base_model(models, "en-US", ["Acoustic"], old.resource_id, NOW)
    text = str(caught.value)
    assert "2022-11-04" in text
    assert "11111111-1111-1111-1111-111111111111" in text and "20240101" in text
    # Before its adaptation date, the same pin is accepted.
    before = datetime(2022, 11, 3, tzinfo=UTC)
    assert pick_base_model(models, "en-US", ["Acoustic"], old.resource_id, before) is old
