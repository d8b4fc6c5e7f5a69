"""Parameter models: derived ids, validation messages, and a JSON schema fit for the Prefect UI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from speechflows.flows.params import (
    RESOURCE_ID_PATTERN,
    ConsentParams,
    CustomSpeechParams,
    DatasetSpec,
    PersonalVoiceParams,
    ProfessionalVoiceParams,
    SpeechModelParams,
    VoiceModelParams,
    derive_id,
)


def _consent(**kw: Any) -> ConsentParams:
    base: dict[str, Any] = {"voice_talent_name": "Jess Doe", "company_name": "Contoso"}
    base.update(kw or {"audio_file": Path("c.wav")})
    return ConsentParams(**base)


def test_derived_ids_are_valid_resource_ids() -> None:
    for base in ("p1", "a" * 64, "Jessica.Project_2"):
        for suffix in ("consent", "trainingset", "model", "voice"):
            rid = derive_id(base, suffix)
            assert re.match(RESOURCE_ID_PATTERN, rid), rid
            assert len(rid) <= 64
    assert derive_id("a" * 64, "model") != derive_id("a" * 63 + "b", "model")


def test_professional_defaults_are_deterministic() -> None:
    p = ProfessionalVoiceParams(project_id="jess", consent=_consent(), data_dir=Path("d"))
    assert p.resolved_training_set_id() == "jess-trainingset"
    assert p.consent.resolved_id("jess") == "jess-consent"
    assert p.resolved_prefix() == "professional-voice/jess/jess-trainingset/"
    m = VoiceModelParams(voice_name="JessNeural")
    assert m.resolved_endpoint_id("jess") == m.resolved_endpoint_id("jess")
    assert m.resolved_model_id("jess") == "jess-model"


def test_consent_needs_exactly_one_source() -> None:
    with pytest.raises(ValidationError, match="exactly one of audio_file"):
        ConsentParams(voice_talent_name="a", company_name="b")
    with pytest.raises(ValidationError, match="exactly one of audio_file"):
        _consent(audio_file=Path("a.wav"), audio_blob="a.wav")
    with pytest.raises(ValidationError, match="never put a SAS URL"):
        _consent(audio_blob="https://x.blob.core.windows.net/c/a.wav?sig=abc")


def test_bad_ids_and_voice_names_are_refused() -> None:
    with pytest.raises(ValidationError, match="project_id"):
        ProfessionalVoiceParams(project_id="-bad id", consent=_consent(), data_dir=Path("d"))
    with pytest.raises(ValidationError, match="voice_name"):
        VoiceModelParams(voice_name="Jessica")


def test_custom_speech_dataset_references_are_checked() -> None:
    ds = [
        DatasetSpec(name="train", kind="Language", path=Path("t.txt")),
        DatasetSpec(name="test", kind="Acoustic", path=Path("a")),
    ]
    p = CustomSpeechParams(
        project_name="Call center",
        datasets=ds,
        model=SpeechModelParams(display_name="m", test_dataset="test"),
    )
    assert p.training_dataset_names() == ["train"]
    assert p.resolved_prefix() == "custom-speech/Call-center/"
    with pytest.raises(ValidationError, match="not in datasets"):
        CustomSpeechParams(
            project_name="x",
            datasets=ds,
            model=SpeechModelParams(display_name="m", datasets=["nope"]),
        )
    with pytest.raises(ValidationError, match="must be an Acoustic"):
        CustomSpeechParams(
            project_name="x",
            datasets=ds,
            model=SpeechModelParams(display_name="m", test_dataset="train"),
        )
    with pytest.raises(ValidationError, match="repeated: train"):
        CustomSpeechParams(project_name="x", datasets=[ds[0], ds[0]])


def schema_objects(schema: Any) -> list[dict[str, Any]]:
    """Every object of a JSON schema (a node with ``properties``), depth first."""
    found: list[dict[str, Any]] = []
    if isinstance(schema, dict):
        if "properties" in schema:
            found.append(schema)
        for v in schema.values():
            found += schema_objects(v)
    elif isinstance(schema, list):
        for v in schema:
            found += schema_objects(v)
    return found


@pytest.mark.parametrize(
    "model", [ProfessionalVoiceParams, PersonalVoiceParams, CustomSpeechParams]
)
def test_schemas_describe_every_field_and_have_no_dicts(model: type[BaseModel]) -> None:
    schema = model.model_json_schema()
    text = json.dumps(schema)
    assert '"additionalProperties": {' not in text  # no dict-typed fields
    for obj in schema_objects(schema):
        for name, prop in obj["properties"].items():
            assert "description" in prop or "$ref" in prop or "allOf" in prop, (
                f"{model.__name__}.{name} has no description"
            )
