"""Both readings of one dataset side by side: the product's pre-flight and the emulator's model.

``compare`` runs :func:`speechflows.datasets.validate` and the emulator's
:mod:`~speechflows.emulator.core.service_model` as libraries (no servers) on the same files and
returns what breaks the two invariants of issue 25:

* the product never refuses (``error``) what the emulator accepts: no error on a file the
  emulator accepts, none on a line it takes (a script, transcript or text line), none on the
  dataset as a whole when the emulator's import succeeds;
* what the emulator rejects, the product flags (an ``error`` or a ``warning``): the file, and
  for a rejected line that very line (same file, same line number).

A deliberate difference is listed in :data:`DELIBERATE` with its ledger row
(``docs/azure-behaviour.md`` § "Product and emulator: deliberate differences").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from speechflows.datasets import build_zip, validate
from speechflows.datasets.findings import Finding, Severity
from speechflows.datasets.kinds import KIND_EXTENSIONS, DataKind
from speechflows.emulator.core.service_model import Analysis, judge_dataset, judge_folder

VOICE_KINDS = ("AudioAndScript", "LongAudio", "AudioOnly", "Consent", "Prompt")
ARCHIVE_KINDS = ("Acoustic", "AudioFiles")
TEXT_KINDS = ("Language", "Pronunciation", "LanguageMarkdown", "OutputFormatting")

# Product error codes the emulator does not turn into a rejection, each a ledger row.
DELIBERATE: dict[str, str] = {}


@dataclass
class Verdicts:
    product: list[Finding]
    emulator: Analysis
    breaches: list[str]


def emulator_reading(path: Path, kind: str, locale: str, work: Path) -> Analysis:
    """The emulator's verdict on ``path`` as the service would receive it."""
    if kind in VOICE_KINDS:
        folder = path if path.is_dir() else path.parent
        return judge_folder(folder, kind, locale)
    if kind in ARCHIVE_KINDS and path.is_dir():
        path = build_zip(path, work / f"{kind}.zip")
    if path.is_dir():  # a folder of text files: each file is its own dataset
        wanted = KIND_EXTENSIONS[DataKind.parse(kind)]
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in wanted)
        return _merged([judge_dataset(p, kind, locale) for p in files])
    return judge_dataset(path, kind, locale)


def _merged(results: list[Analysis]) -> Analysis:
    rejections = [r for a in results for r in a.report["rejections"]]
    return Analysis(
        ok=any(a.ok for a in results),
        accepted=sum(a.accepted for a in results),
        rejected=sum(a.rejected for a in results),
        accepted_files=[f for a in results for f in a.accepted_files],
        rejected_files=[f for a in results for f in a.rejected_files],
        report={"model": "emulator", "rejections": rejections},
        accepted_lines=[line for a in results for line in a.accepted_lines],
    )


def compare(path: Path, kind: str, locale: str, work: Path) -> Verdicts:
    """Both verdicts on ``path`` and the invariant breaches (empty when they agree)."""
    target = path
    if kind in ARCHIVE_KINDS and path.is_dir():
        target = build_zip(path, work / f"{kind}.zip")
    report = validate(target, kind, locale=locale, min_utterances=0)
    model = emulator_reading(target, kind, locale, work)
    findings = list(report.findings)
    errors = [f for f in findings if f.severity is Severity.ERROR and f.code not in DELIBERATE]
    breaches: list[str] = []
    accepted = set(model.accepted_files)
    taken = set(model.accepted_lines)
    for f in errors:
        if f.file and f.file in accepted and f.line is None:
            breaches.append(f"product error {f.code} on {f.file}, which the emulator accepts")
        elif f.line is not None and (f.file, f.line) in taken:
            breaches.append(
                f"product error {f.code} on {f.file}:{f.line}, a line the emulator takes"
            )
        elif not f.file and model.ok:
            breaches.append(f"product error {f.code} on the dataset, which the emulator imports")
    if model.ok and model.accepted and report.utterance_count == 0 and errors:
        breaches.append(
            f"the emulator accepts {model.accepted} utterances/lines, the product none: "
            + ", ".join(sorted({f.code for f in errors}))
        )
    flagged = {(f.file, f.line) for f in findings}
    flagged_files = {f.file for f in findings}
    # A product error on the dataset as a whole (no script at all, too many files) flags
    # every file and line in it; a dataset-level warning flags none in particular.
    whole = any(not f.file for f in errors)
    for r in model.report["rejections"]:
        file, line = r["file"], r["line"]
        cause = r.get("cause")
        if whole or (cause is not None and tuple(cause) in flagged):
            continue  # flagged as a whole, or at its root cause (the line naming the file)
        if file == "":
            if not findings:
                breaches.append(f"emulator rejects the dataset ({r['reason']}), product silent")
        elif line is not None and (file, line) not in flagged:
            breaches.append(f"emulator rejects {file}:{line} ({r['reason']}), product silent")
        elif line is None and file not in flagged_files:
            breaches.append(f"emulator rejects {file} ({r['reason']}), product silent")
    return Verdicts(findings, model, breaches)
