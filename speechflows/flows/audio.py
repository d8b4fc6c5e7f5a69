"""The audio analysis step of the onboardings (``audio_checks``): warnings, never a stop.

Runs after the validation gate on the files it accepted, so Azure's rejections come first and
the analysis never holds an upload back: its findings are warnings (ledger "Audio analysis").
The run report gets the figures (utterances with warnings, SNR and speech level medians) and
where the per-utterance CSV/JSON are.
"""

from __future__ import annotations

from speechflows.datasets.kinds import AUDIO_CHECKS_DEFAULT, DataKind
from speechflows.flows.report import figures, note
from speechflows.location import DataLocation
from speechflows.tasks.artifacts import artifact_key
from speechflows.tasks.audio_report import AudioOutcome, analyse_audio
from speechflows.tasks.outcomes import ValidationOutcome


def audio_checks_on(kind: str, asked: bool | None) -> bool:
    """``asked`` when given, else the kind's default (on for voice, off for custom speech)."""
    default = AUDIO_CHECKS_DEFAULT.get(DataKind.parse(kind))
    if default is None:  # a text kind: nothing to analyse
        return False
    return default if asked is None else asked


def audio_step(
    path: DataLocation,
    kind: str,
    validation: ValidationOutcome,
    *,
    validation_key: str,
    asked: bool | None,
    label: str = "",
) -> AudioOutcome | None:
    """Analyse the accepted audio of ``path`` when ``audio_checks`` says so; None otherwise.

    The table artifact's key is the validation table's with ``audio`` in front.
    """
    if not audio_checks_on(kind, asked):
        return None
    if path.in_place:
        # Decoding needs every sample; data read in place is validated from its headers only.
        note(
            f"{label + ': ' if label else ''}audio analysis skipped: the data is read in place "
            f"({path.display}) and the analysis decodes whole files; run "
            "`speechflows validate --audio` on a local copy to see it"
        )
        return None
    outcome: AudioOutcome = analyse_audio(
        path.local,
        kind,
        files=list(validation.accepted_files),
        table_key=artifact_key("audio", validation_key),
    )
    snr = outcome.snr_db or {}
    level = outcome.speech_dbfs or {}
    prefix = f"{label}: " if label else ""
    figures(
        (
            f"{prefix}audio warnings (utterances / warnings)",
            f"{outcome.with_findings} of {outcome.analysed} / {outcome.warning_count}",
        ),
        (
            f"{prefix}SNR dB (median, p5)",
            f"{snr.get('median', '-')}, {snr.get('p5', '-')}",
        ),
        (f"{prefix}speech level dBFS (median)", level.get("median", "-")),
    )
    if outcome.counts_by_code:
        counts = ", ".join(f"{c} x{n}" for c, n in outcome.counts_by_code.items())
        note(
            f"{prefix}audio analysis warnings: {counts}; per utterance in the table artifact "
            f"{outcome.table_key!r} and {outcome.csv_path}"
        )
    return outcome


__all__ = ["audio_checks_on", "audio_step"]
