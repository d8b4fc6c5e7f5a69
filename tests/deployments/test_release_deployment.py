"""The ``custom-speech-release`` deployment: its prefect.yaml entry names the release flow, and its
parameters are a valid run of the form the Prefect UI renders from the flow's parameter schema
(the schema ``prefect deploy`` sends; ``enforce_parameter_schema`` refuses what it does not
accept).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.flows import load_flow_from_entrypoint
from prefect.utilities.callables import parameter_schema
from prefect.utilities.schema_tools import validate

from speechflows.flows.params import SpeechReleaseParams
from tests.flows.test_flow_params import schema_objects

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def entry() -> dict[str, Any]:
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())
    [found] = [d for d in spec["deployments"] if d["name"] == "custom-speech-release"]
    return dict(found)


@pytest.fixture(scope="module")
def schema(entry: dict[str, Any]) -> dict[str, Any]:
    flow = load_flow_from_entrypoint(entry["entrypoint"])  # module form: the installed package
    assert flow.name == "custom-speech-release"
    return parameter_schema(flow).model_dump_for_openapi()


def test_the_entry_enforces_the_schema_and_its_parameters_fill_the_form(
    entry: dict[str, Any], schema: dict[str, Any]
) -> None:
    assert entry["enforce_parameter_schema"] is True
    assert entry["work_pool"]["name"] == "speechflows"
    validate(entry["parameters"], schema, raise_on_error=True, preprocess=True)
    params = SpeechReleaseParams.model_validate(entry["parameters"]["params"])
    assert params.release.endpoint_name and params.release.max_wer == 30


def test_every_form_field_is_described_and_bad_values_are_refused(
    entry: dict[str, Any], schema: dict[str, Any]
) -> None:
    assert '"additionalProperties": {' not in json.dumps(schema)  # no dict-typed fields
    for node in schema_objects(schema["definitions"]):
        for name, prop in node["properties"].items():
            assert "description" in prop or "$ref" in prop or "allOf" in prop, name
    for path, value in (("max_wer", 150), ("min_improvement", -1)):
        bad = copy.deepcopy(entry["parameters"])
        bad["params"]["release"][path] = value
        with pytest.raises(Exception, match=path):
            validate(bad, schema, raise_on_error=True, preprocess=True)
    missing = copy.deepcopy(entry["parameters"])
    del missing["params"]["release"]["endpoint_name"]
    with pytest.raises(Exception, match="endpoint_name"):
        validate(missing, schema, raise_on_error=True, preprocess=True)
