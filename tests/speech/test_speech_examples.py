"""Every saved example response of the official specs parses into the client's models."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from speechflows.speech.schemas.common import ApiModel, Status, StatusResource
from speechflows.speech.schemas.custom_voice import (
    AzureBlobContentSource,
    Consent,
    Endpoint,
    Model,
    Operation,
    PersonalVoice,
    Project,
    Recipe,
    TrainingSet,
    VoiceBaseModel,
)
from speechflows.speech.schemas.speech_to_text import (
    CustomSpeechModel,
    Dataset,
    DatasetFile,
    Evaluation,
    SpeechBaseModel,
    SpeechEndpoint,
    SpeechProject,
    UploadedBlocks,
)
from tests.speech.spec_support import SPECS

CV_MODELS: dict[str, type[ApiModel]] = {
    "Projects": Project,
    "Consents": Consent,
    "TrainingSets": TrainingSet,
    "PersonalVoices": PersonalVoice,
    "Models": Model,
    "Endpoints": Endpoint,
    "BaseModels": VoiceBaseModel,
    "Operations": Operation,
}
STT_MODELS: dict[str, type[ApiModel]] = {
    "Projects": SpeechProject,
    "Datasets": Dataset,
    "Evaluations": Evaluation,
    "Endpoints": SpeechEndpoint,
}
# Operations the onboarding client does not implement (transcription, web hooks, logs, copy).
OUT_OF_SCOPE = re.compile(
    r"^(Transcriptions_|Projects_ListTranscriptions$|WebHooks_|Endpoints_.*Logs?$|Models_(Copy|AuthorizeCopy)$|"
    r"Operations_GetModelCopy$|Models_Get\w*Manifest$)"
)


def stt_model(op_id: str) -> type[ApiModel] | None:
    group, action = op_id.split("_", 1)
    if "Files" in action or action == "GetFile":
        return DatasetFile
    if action == "GetBlocks":
        return UploadedBlocks
    if group == "Models":
        return SpeechBaseModel if "Base" in action else CustomSpeechModel
    if group == "Projects" and action.startswith("List") and action != "List":
        by_list: dict[str, type[ApiModel]] = {
            "Datasets": Dataset,
            "Evaluations": Evaluation,
            "Endpoints": SpeechEndpoint,
            "Models": CustomSpeechModel,
        }
        return by_list.get(action[4:])
    return STT_MODELS.get(group)


def cv_model(op_id: str) -> type[ApiModel] | None:
    group, action = op_id.split("_", 1)
    if action == "ListRecipes":
        return Recipe
    return CV_MODELS.get(group)


def _cases() -> list[Any]:
    cases = []
    for spec_file in sorted(SPECS.glob("*/*/*.json")):
        api = spec_file.parts[-3]
        spec = json.loads(spec_file.read_text(encoding="utf-8"))
        for item in spec["paths"].values():
            for method, op in item.items():
                if method == "parameters":
                    continue
                for ref in op.get("x-ms-examples", {}).values():
                    example = spec_file.parent / ref["$ref"]
                    if example.is_file():
                        version = spec_file.parts[-2]
                        cases.append(
                            pytest.param(
                                api,
                                op["operationId"],
                                example,
                                id=f"{api}-{version}-{op['operationId']}-{example.name}",
                            )
                        )
    return cases


CASES = _cases()


def test_examples_were_found() -> None:
    apis = {case.values[0] for case in CASES}
    assert apis == {"customvoice", "speechtotext"}
    assert len(CASES) > 100


@pytest.mark.parametrize(("api", "op_id", "example"), CASES)
def test_example_responses_parse(api: str, op_id: str, example: Path) -> None:
    data = json.loads(example.read_text(encoding="utf-8"))
    model = cv_model(op_id) if api == "customvoice" else stt_model(op_id)
    if "SupportedLocales" in op_id:
        return  # plain dict/list of strings, checked by type below
    if model is None:
        assert OUT_OF_SCOPE.match(op_id), f"{op_id} has no model and is not declared out of scope"
        return
    parsed = 0
    for status, response in data["responses"].items():
        body = response.get("body")
        if not status.startswith("2") or body is None:
            continue
        items = body if isinstance(body, list) else body.get("value", body.get("values"))
        if isinstance(items, list):
            for item in items:
                model.model_validate(item)
                parsed += 1
        else:
            obj = model.model_validate(body)
            parsed += 1
            # Nothing that the example carries is lost.
            dumped = obj.model_dump(
                by_alias=True, exclude_none=True, mode="json", context={"reveal": True}
            )
            assert set(body) <= set(dumped) | {k for k, v in body.items() if v is None}
            status_value = body.get("status")
            if status_value is not None:
                assert isinstance(obj, StatusResource | Operation)
                assert str(obj.status).lower() == str(status_value).lower()
    assert (
        parsed
        or all(
            not s.startswith("2") or r.get("body") in (None, [], {})
            for s, r in data["responses"].items()
        )
        or op_id.endswith("Delete")
    )


def test_supported_locales_examples_have_the_expected_shape() -> None:
    found = [c for c in CASES if "SupportedLocales" in c.values[1]]
    assert found
    for case in found:
        body = json.loads(case.values[2].read_text(encoding="utf-8"))["responses"]["200"]["body"]
        assert isinstance(body, dict | list)


def test_unknown_fields_are_kept_and_statuses_compare_case_insensitively() -> None:
    ds = Dataset.model_validate(
        {
            "self": "https://x/speechtotext/datasets/abc?api-version=2025-10-15",
            "status": "SUCCEEDED",
            "newField": {"a": 1},
            "properties": {"acceptedLineCount": 3, "futureCount": 4},
        }
    )
    assert ds.status is Status.SUCCEEDED
    assert ds.id == "abc"
    assert ds.model_extra == {"newField": {"a": 1}}
    assert ds.properties is not None and ds.properties.model_extra == {"futureCount": 4}


def test_failed_resources_expose_the_service_reason() -> None:
    consent = Consent.model_validate(
        {"id": "c1", "status": "Failed", "properties": {"failureReason": "AudioAndScriptNotMatch"}}
    )
    assert consent.failure() == ("AudioAndScriptNotMatch", None)
    ds = Dataset.model_validate(
        {
            "self": "https://x/speechtotext/datasets/d1",
            "status": "Failed",
            "properties": {"error": {"code": "NoUtf8WithBom", "message": "not UTF-8 with BOM"}},
        }
    )
    assert ds.failure() == ("NoUtf8WithBom", "not UTF-8 with BOM")


def test_sas_urls_are_redacted_in_reprs_and_dumps_but_not_in_request_bodies() -> None:
    sas = "https://a.blob.core.windows.net/c?sv=2026&sp=rl&sig=SECRETSIG%3D"
    src = AzureBlobContentSource(container_url=sas, extensions=[".wav"])
    pv = PersonalVoice(id="pv1", audios=src)
    for text in (
        repr(src),
        str(src),
        repr(pv),
        pv.model_dump_json(),
        json.dumps(pv.model_dump(mode="json")),
    ):
        assert "SECRETSIG" not in text
    assert src.to_api()["containerUrl"] == sas
