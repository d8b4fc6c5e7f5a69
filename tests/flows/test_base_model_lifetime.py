"""Base models stop adapting on ``deprecationDates.adaptationDateTime`` (spec Models_ListBaseModels).

Pinned to the spec's own example body (v3.2 ``get_english_base_models.json``), not to what our
emulator answers: a model past its adaptation date is never picked for training, one before it is.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from speechflows.speech.schemas.speech_to_text import SpeechBaseModel
from speechflows.tasks.custom_speech import _deprecated

EXAMPLE = (
    Path(__file__).resolve().parents[2].parent
    / "shared/azure-speech-specs/speechtotext/v3.2/examples/get_english_base_models.json"
)


def _spec_base_model() -> SpeechBaseModel:
    body = json.loads(EXAMPLE.read_text(encoding="utf-8"))["responses"]["200"]["body"]
    return SpeechBaseModel.model_validate(body["values"][0])


@pytest.mark.parametrize(
    ("now", "deprecated"),
    [
        (datetime(2022, 11, 3, 23, 59, tzinfo=UTC), False),
        (datetime(2022, 11, 4, 0, 0, tzinfo=UTC), True),
        (datetime(2023, 1, 1, tzinfo=UTC), True),
    ],
)
def test_adaptation_date_of_the_spec_example_decides(now: datetime, deprecated: bool) -> None:
    assert _deprecated(_spec_base_model(), now) is deprecated


def test_a_model_without_deprecation_dates_is_usable() -> None:
    model = _spec_base_model().model_copy(deep=True)
    assert model.properties is not None
    model.properties.deprecation_dates = None
    assert _deprecated(model, datetime(2100, 1, 1, tzinfo=UTC)) is False
