"""The Prefect form of each onboarding: descriptions that render as written, only its own options.

The UI renders descriptions as markdown with raw HTML allowed, so ``<project_id>`` would vanish as
an unknown tag and a Sphinx role would show as raw markup; a flow's deadlines list only the
stages it waits on. Checked on the schema Prefect builds from each flow's signature (what the
deployment stores); tests/browser/test_forms.py checks the rendered form.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from prefect.utilities.callables import parameter_schema

from speechflows.flows.custom_speech import custom_speech_onboarding
from speechflows.flows.params import CustomSpeechParams, Deadlines
from speechflows.flows.personal_voice import personal_voice_onboarding
from speechflows.flows.professional_voice import professional_voice_onboarding

POLL = {"poll_min_seconds", "poll_max_seconds"}
FLOWS = [
    (
        professional_voice_onboarding,
        "ProfessionalVoiceParams",
        {
            "consent_minutes",
            "training_set_minutes",
            "model_minutes",
            "endpoint_minutes",
            "park_after_minutes",
        },
    ),
    (
        personal_voice_onboarding,
        "PersonalVoiceParams",
        {"consent_minutes", "personal_voice_minutes"},
    ),
    (
        custom_speech_onboarding,
        "CustomSpeechParams",
        # endpoint: the release step (issue 15); park_after: its long waits park (issue 18)
        {
            "dataset_minutes",
            "model_minutes",
            "evaluation_minutes",
            "endpoint_minutes",
            "park_after_minutes",
        },
    ),
]


def _descriptions(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        own = [schema["description"]] if isinstance(schema.get("description"), str) else []
        return own + [d for v in schema.values() for d in _descriptions(v)]
    if isinstance(schema, list):
        return [d for v in schema for d in _descriptions(v)]
    return []


@pytest.mark.parametrize(("flow", "model", "stages"), FLOWS)
def test_form_descriptions_have_no_tags_or_sphinx_roles(flow: Any, model: str, stages: Any) -> None:
    schema = parameter_schema(flow.fn).model_dump()
    texts = _descriptions(schema)
    assert texts
    tags = [t for t in texts if re.search(r"<[A-Za-z][^>]*>", t)]
    roles = [t for t in texts if re.search(r":(class|func|mod|meth|attr):|`~", t)]
    assert tags == [] and roles == [], (tags, roles)


@pytest.mark.parametrize(("flow", "model", "stages"), FLOWS)
def test_each_form_shows_only_its_own_deadlines(flow: Any, model: str, stages: Any) -> None:
    schema = parameter_schema(flow.fn).model_dump()
    deadlines = schema["definitions"][model]["properties"]["deadlines"]
    assert set(deadlines["properties"]) == stages | POLL
    assert set(Deadlines.model_fields) > set(deadlines["properties"])  # others hidden


def test_hidden_deadlines_are_still_accepted() -> None:
    # A run created with every stage's deadline (as the CLI tests send) keeps working.
    params = CustomSpeechParams.model_validate(
        {
            "project_name": "p",
            "datasets": [{"name": "a", "kind": "Language", "path": "a.txt"}],
            "deadlines": {"consent_minutes": 1, "dataset_minutes": 2},
        }
    )
    assert params.deadlines.dataset_minutes == 2 and params.deadlines.consent_minutes == 1
    assert json.loads(params.model_dump_json())["deadlines"]["consent_minutes"] == 1


@pytest.mark.parametrize(("flow", "model", "stages"), FLOWS)
def test_every_form_field_has_a_title(flow: Any, model: str, stages: Any) -> None:
    # Without one the UI labels the field "Field" (pydantic gives none to an optional $ref).
    schema = parameter_schema(flow.fn).model_dump()
    untitled = [
        f"{name}.{field}"
        for name, definition in schema["definitions"].items()
        for field, prop in definition.get("properties", {}).items()
        if "title" not in prop and "$ref" not in prop and "allOf" not in prop
    ]
    assert untitled == []
