"""Helpers for the sample data tests write with :func:`speechflows.datasets.write_sample`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from speechflows.datasets import DataKind, write_sample
from speechflows.flows.params import (
    ConsentParams,
    CustomSpeechParams,
    DatasetSpec,
    ProfessionalVoiceParams,
    SpeechModelParams,
)
from tests.flows.deadlines import FAST


def first_file(path: Path, suffixes: tuple[str, ...]) -> Path:
    """``path`` itself when a sample is one file, else its first file (sorted) with a suffix."""
    return path if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in suffixes)[0]


def voice_args(data: Path, consent: Path, project: str, *more: str) -> list[str]:
    """``onboard voice`` CLI arguments: ``data`` of Jess Doe at Contoso into ``project``."""
    talent = ["--talent", "Jess Doe", "--company", "Contoso", "--consent", str(consent)]
    return ["onboard", "voice", str(data), "--project", project, *talent, *more]


def params_file(tmp: Path, name: str, **values: Any) -> str:
    """A ``--params`` JSON file under ``tmp`` with the FAST deadlines and ``values``."""
    path = tmp / f"{name}.json"
    path.write_text(json.dumps({"deadlines": FAST.model_dump(exclude_unset=True), **values}))
    return str(path)


def consent_of(tmp: Path, name: str) -> Path:
    """A consent recording written under ``tmp/name`` (its WAV)."""
    consent = write_sample(tmp / name, DataKind.CONSENT)
    return consent if consent.is_file() else sorted(consent.glob("*.wav"))[0]


def voice_params(tmp: Path, project: str, data: Path | str, **kw: Any) -> ProfessionalVoiceParams:
    """Professional voice of ``data`` into ``project`` (FAST deadlines, Jess Doe at Contoso)."""
    return ProfessionalVoiceParams(
        project_id=project,
        data_dir=data,
        deadlines=FAST,
        consent=ConsentParams(
            voice_talent_name="Jess Doe",
            company_name="Contoso",
            audio_file=consent_of(tmp, f"{project}-consent"),
        ),
        **kw,
    )


def speech_params(
    tmp: Path, project_name: str, prefix: str, *, count: int = 4, model: bool = True
) -> CustomSpeechParams:
    """Custom speech of ``project_name`` (FAST deadlines) with samples written under ``tmp``.

    Datasets: ``{prefix}-phrases`` (Language, one text file) and ``{prefix}-audio`` (Acoustic,
    ``count`` utterances); with ``model``, ``{prefix}-model`` trained on the phrases and
    evaluated on the audio.
    """
    acoustic = write_sample(tmp / "acoustic", DataKind.ACOUSTIC, count=count)
    language = first_file(write_sample(tmp / "language", DataKind.LANGUAGE), (".txt",))
    phrases, audio = f"{prefix}-phrases", f"{prefix}-audio"
    trained = SpeechModelParams(
        display_name=f"{prefix}-model", datasets=[phrases], test_dataset=audio
    )
    return CustomSpeechParams(
        project_name=project_name,
        deadlines=FAST,
        datasets=[
            DatasetSpec(name=phrases, kind="Language", path=language),
            DatasetSpec(name=audio, kind="Acoustic", path=acoustic),
        ],
        model=trained if model else None,
    )
