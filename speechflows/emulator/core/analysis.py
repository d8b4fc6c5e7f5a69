"""What the service computes from customer data, using the project's own validators.

The numbers the APIs report (``utteranceCount``, ``durationInSeconds``, ``acceptedLineCount``,
``rejectedLineCount``, ``durationMilliseconds``) come from :func:`speechflows.datasets.validate`
run on the files the emulator downloaded; nothing is invented. What cannot be checked offline is
stated where it is decided:

* consent: the audio must be valid consent audio (format, rate, depth, length). Whether the
  speaker says the verbal statement with ``voiceTalentName`` and ``companyName`` needs speech
  recognition and is **not checked**: a well-formed recording always matches.
* personal voice: the prompt audio is validated; speaker verification against the consent
  (``SpeakerVerificationFailed`` on Azure) is **not performed**.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from speechflows.datasets import validate

# Speech to text error codes chosen from a failing report's first error finding.
_STT_CODE_BY_HINT = (
    ("bom", "NoUtf8WithBom"),
    ("encoding", "NoUtf8WithBom"),
    ("utf", "NoUtf8WithBom"),
    ("zip", "DataImportFailed"),
    ("audio", "InvalidAudioFormat"),
)


@dataclass
class Analysis:
    """The outcome of one validation, reduced to what the APIs report."""

    ok: bool
    accepted: int = 0
    rejected: int = 0
    seconds: float = 0.0
    words: int = 0
    sentences: int = 0
    error_code: str | None = None
    message: str | None = None
    accepted_files: list[str] = field(default_factory=list)
    rejected_files: list[str] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        return cls(**data)


def _validate(path: Path, kind: str, locale: str) -> Any:
    return validate(path, kind, locale=locale, min_utterances=0)


def _report_dict(report: Any) -> dict[str, Any]:
    try:
        data = json.loads(report.to_json())
    except (AttributeError, TypeError, ValueError):
        data = {}
    return data if isinstance(data, dict) else {"report": data}


def _first_error(report: Any) -> tuple[str, str]:
    for finding in getattr(report, "findings", []):
        if str(getattr(finding, "severity", "")).lower().endswith("error"):
            where = finding.file + (f":{finding.line}" if finding.line else "")
            return str(finding.code), f"{where}: {finding.rule}"
    return "invalid", "no acceptable data"


def _from_report(report: Any) -> Analysis:
    accepted = int(report.utterance_count)
    return Analysis(
        ok=accepted > 0,
        accepted=accepted,
        rejected=int(report.rejected_count),
        seconds=float(report.total_audio_seconds or 0.0),
        accepted_files=list(report.accepted_files),
        rejected_files=list(report.rejected_files),
        report=_report_dict(report),
    )


def analyze_training_set(folder: Path, kind: str, locale: str) -> Analysis:
    """Professional voice training data (``AudioAndScript``, ``LongAudio``, ``AudioOnly``)."""
    report = _validate(folder, kind, locale)
    result = _from_report(report)
    if not result.ok:
        code, message = _first_error(report)
        result.error_code, result.message = code, message
    return result


def analyze_consent(folder: Path, locale: str) -> Analysis:
    """Consent audio: valid format only (the spoken statement is not recognised offline)."""
    report = _validate(folder, "Consent", locale)
    result = _from_report(report)
    result.ok = not report.has_errors and bool(report.accepted_files)
    if not result.ok:
        result.error_code, result.message = _first_error(report)
    return result


def analyze_prompts(folder: Path, locale: str) -> Analysis:
    """Personal voice prompt audio (5–90 s of clean speech per the docs)."""
    report = _validate(folder, "Prompt", locale)
    result = _from_report(report)
    result.ok = bool(report.accepted_files)
    if not result.ok:
        result.error_code, result.message = _first_error(report)
    return result


def _count_words(path: Path, kind: str) -> tuple[int, int]:
    """Words and sentences in an Acoustic transcript (``<file>\\t<text>`` lines)."""
    texts: list[str] = []
    if kind == "Acoustic" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.lower().endswith((".txt", ".tsv")):
                    raw = zf.read(name).decode("utf-8-sig", errors="replace")
                    texts += [ln.split("\t", 1)[1] for ln in raw.splitlines() if "\t" in ln]
    elif kind in ("Language", "Pronunciation") and path.is_file():
        texts = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    texts = [t for t in texts if t.strip()]
    return sum(len(t.split()) for t in texts), len(texts)


def analyze_stt_dataset(path: Path, kind: str, locale: str) -> Analysis:
    """A Speech to text dataset file (a zip for Acoustic/AudioFiles, text otherwise)."""
    if kind in ("Acoustic", "AudioFiles") and not zipfile.is_zipfile(path):
        return Analysis(
            ok=False,
            error_code="DataImportFailed",
            message=f"{kind} data must be a .zip archive of wav files",
        )
    report = _validate(path, kind, locale)
    result = _from_report(report)
    result.words, result.sentences = _count_words(path, kind)
    if not result.ok:
        code, message = _first_error(report)
        result.error_code = next(
            (stt for hint, stt in _STT_CODE_BY_HINT if hint in code.lower()), "InvalidDataset"
        )
        result.message = f"{code}: {message}"
    return result
