"""Release parameters: the onboarding's ``release`` needs a model with a test dataset; the gate's
bounds are percent and points."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from speechflows.flows.params import (
    CustomSpeechParams,
    DatasetSpec,
    ReleaseParams,
    SpeechModelParams,
)

DATASETS = [
    DatasetSpec(name="phrases", kind="Language", path=Path("p.txt")),
    DatasetSpec(name="audio", kind="Acoustic", path=Path("a")),
]


def test_release_without_a_test_dataset_is_refused_with_the_fix() -> None:
    gate = ReleaseParams(endpoint_name="prod")
    with pytest.raises(ValidationError, match=r"model\.test_dataset"):
        CustomSpeechParams(project_name="p", datasets=DATASETS, release=gate)
    with pytest.raises(ValidationError, match=r"model\.test_dataset"):
        CustomSpeechParams(
            project_name="p",
            datasets=DATASETS,
            model=SpeechModelParams(display_name="m"),
            release=gate,
        )
    ok = CustomSpeechParams(
        project_name="p",
        datasets=DATASETS,
        model=SpeechModelParams(display_name="m", test_dataset="audio"),
        release=gate,
    )
    assert ok.release == gate and (gate.max_wer, gate.min_improvement) == (30.0, 0.5)


@pytest.mark.parametrize(("field", "value"), [("max_wer", 101), ("min_improvement", -0.1)])
def test_gate_bounds(field: str, value: float) -> None:
    with pytest.raises(ValidationError, match=field):
        ReleaseParams.model_validate({"endpoint_name": "prod", field: value})
