"""The validation report: findings, counts, accepted and rejected files, audio duration.

A report renders three ways: :meth:`ValidationReport.to_rows` (a Prefect table artifact),
:meth:`~ValidationReport.to_json` and :meth:`~ValidationReport.to_text`. The validators fill it
through :class:`ReportBuilder`, which keeps counts and findings only, never a per-file record
of the files that passed, so memory does not grow with clean files beyond their names.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from speechflows.datasets.findings import Finding, Rule, Severity, fill_fix
from speechflows.datasets.kinds import DataKind
from speechflows.datasets.rules import rules_for

Row = dict[str, str | int | None]


@dataclass
class ValidationReport:
    """What the validator found in one dataset.

    Attributes:
        kind: the data kind validated against.
        locale: the locale the rules were checked for.
        findings: every finding, in file order.
        files_checked: how many files were looked at (ignored types included).
        accepted_files: relative paths that are safe to upload. For ``AudioAndScript`` these
            are the accepted WAVs plus every script file with at least one accepted line (the
            service drops the lines whose WAV is missing); for ``LongAudio`` the accepted audio
            plus their transcripts; for ``Acoustic`` the accepted WAVs plus the transcript.
        rejected_files: relative paths Azure would reject (or that cannot be read).
        utterance_count: accepted utterances (voice, Acoustic) or accepted lines (text kinds);
            for ``LongAudio``/``AudioOnly``/``AudioFiles``/personal voice: accepted audio files.
        rejected_count: utterances or lines the service would drop.
        total_audio_seconds: duration of the accepted audio.
        total_bytes: size of the files checked (of the archive for a zip).
    """

    kind: DataKind
    locale: str
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    accepted_files: list[str] = field(default_factory=list)
    rejected_files: list[str] = field(default_factory=list)
    utterance_count: int = 0
    rejected_count: int = 0
    total_audio_seconds: float = 0.0
    total_bytes: int = 0

    @property
    def error_count(self) -> int:
        """Number of error findings."""
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warning_count(self) -> int:
        """Number of warning findings."""
        return len(self.findings) - self.error_count

    @property
    def has_errors(self) -> bool:
        """True when Azure would reject something."""
        return any(f.severity is Severity.ERROR for f in self.findings)

    def counts_by_code(self) -> dict[str, int]:
        """Number of findings per code, sorted by code."""
        return dict(sorted(Counter(f.code for f in self.findings).items()))

    def to_rows(self) -> list[Row]:
        """One row per finding, columns severity, code, file, line, value, rule, fix."""
        return [
            {
                "severity": f.severity.value,
                "code": f.code,
                "file": f.file,
                "line": f.line,
                "value": f.value,
                "rule": f.rule,
                "fix": f.fix,
            }
            for f in self.findings
        ]

    def summary(self) -> dict[str, Any]:
        """The counts without the findings."""
        return {
            "kind": self.kind.value,
            "locale": self.locale,
            "has_errors": self.has_errors,
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "files_checked": self.files_checked,
            "accepted_file_count": len(self.accepted_files),
            "rejected_file_count": len(self.rejected_files),
            "utterance_count": self.utterance_count,
            "rejected_count": self.rejected_count,
            "total_audio_seconds": round(self.total_audio_seconds, 3),
            "total_bytes": self.total_bytes,
            "counts_by_code": self.counts_by_code(),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The summary, the findings and the file lists as JSON."""
        doc = {
            **self.summary(),
            "findings": self.to_rows(),
            "accepted_files": self.accepted_files,
            "rejected_files": self.rejected_files,
        }
        return json.dumps(doc, indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ValidationReport:
        """Read back a report written by :meth:`to_json`."""
        doc = json.loads(text)
        findings = [
            Finding(
                r["code"],
                Severity(r["severity"]),
                r["file"],
                r["line"],
                r["value"],
                r["rule"],
                r["fix"],
            )
            for r in doc["findings"]
        ]
        return cls(
            kind=DataKind.parse(doc["kind"]),
            locale=doc["locale"],
            findings=findings,
            files_checked=doc["files_checked"],
            accepted_files=list(doc["accepted_files"]),
            rejected_files=list(doc["rejected_files"]),
            utterance_count=doc["utterance_count"],
            rejected_count=doc["rejected_count"],
            total_audio_seconds=doc["total_audio_seconds"],
            total_bytes=doc["total_bytes"],
        )

    def to_text(self, *, limit: int | None = 200) -> str:
        """A plain-text report; at most ``limit`` findings are listed (None: all)."""
        lines = [
            f"{self.kind.value} dataset ({self.locale}): {self.files_checked} files checked, "
            f"{len(self.accepted_files)} accepted, {len(self.rejected_files)} rejected",
            f"utterances/lines: {self.utterance_count} accepted, {self.rejected_count} rejected;"
            f" audio {self.total_audio_seconds:.1f} s",
            f"{self.error_count} errors, {self.warning_count} warnings"
            + (
                ""
                if not self.findings
                else ": " + ", ".join(f"{code} x{n}" for code, n in self.counts_by_code().items())
            ),
        ]
        shown = self.findings if limit is None else self.findings[:limit]
        for f in shown:
            value = f" [{f.value}]" if f.value else ""
            lines.append(
                f"{f.severity.value.upper():7} {f.code}  {f.location()}{value}: "
                f"{f.rule} Fix: {f.fix}"
            )
        if len(shown) < len(self.findings):
            lines.append(f"… {len(self.findings) - len(shown)} more findings (use --json)")
        return "\n".join(lines)


class ReportBuilder:
    """Collects findings and counts while a validator runs."""

    def __init__(
        self,
        kind: DataKind,
        locale: str,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.report = ValidationReport(kind=kind, locale=locale)
        self.all_rules: Mapping[str, Rule] = rules_for(kind)
        self.rules: Mapping[str, Rule] = rules_for(kind, locale)
        self._rejected: set[str] = set()
        self._progress = progress
        self._done = 0
        self.total = 0

    def add(
        self,
        code: str,
        file: str,
        *,
        line: int | None = None,
        value: str | None = None,
        fix: str | None = None,
    ) -> Finding | None:
        """Record a finding of rule ``code``; rules not checked for the locale are skipped.

        ``fix`` replaces the rule's fix for this finding (a fix that depends on the file, e.g.
        the encoding it was found in), with the same placeholders.

        Raises:
            KeyError: ``code`` is not a rule of this kind (a bug in a validator).
        """
        if code not in self.all_rules:
            raise KeyError(f"{code} is not a rule of {self.report.kind.value}")
        rule = self.rules.get(code)
        if rule is None:
            return None
        finding = rule.finding(file, line, value)
        if fix is not None:
            finding = replace(finding, fix=fill_fix(fix, file))
        self.report.findings.append(finding)
        return finding

    def is_error(self, code: str) -> bool:
        """True when ``code`` is an error for this kind and locale."""
        rule = self.rules.get(code)
        return rule is not None and rule.severity is Severity.ERROR

    def accept(self, file: str, seconds: float = 0.0) -> None:
        """Mark ``file`` safe to upload and add its audio duration."""
        self.report.accepted_files.append(file)
        self.report.total_audio_seconds += seconds

    def reject(self, file: str) -> None:
        """Mark ``file`` rejected (once)."""
        if file not in self._rejected:
            self._rejected.add(file)
            self.report.rejected_files.append(file)

    def tick(self, n: int = 1) -> None:
        """Count ``n`` files as checked and report progress every 256 files."""
        self.report.files_checked += n
        self._done += n
        if self._progress is not None and (self._done % 256 == 0 or self._done >= self.total):
            self._progress(self._done, self.total)

    def build(self) -> ValidationReport:
        """Finish: report the final progress and return the report."""
        if self._progress is not None and self._done < self.total:
            self._progress(self.total, self.total)
        return self.report
