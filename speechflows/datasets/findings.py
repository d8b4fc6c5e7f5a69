"""Findings: one broken (or doubtful) thing in a dataset, with the rule it breaks and the fix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """``error``: Azure rejects the file or line. ``warning``: accepted, but worth a look."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found by the validator.

    Attributes:
        code: stable identifier, e.g. ``audio.sample_rate_too_low``.
        severity: error (rejected by Azure) or warning.
        file: posix path relative to the validated root; ``""`` for the dataset as a whole.
        line: 1-based line number in a script or text file, else ``None``.
        value: the offending value as found (``"8000 Hz"``), else ``None``.
        rule: the requirement, in one sentence.
        fix: how to fix it, in one sentence (often a ``sox`` command).
    """

    code: str
    severity: Severity
    file: str
    line: int | None
    value: str | None
    rule: str
    fix: str

    def location(self) -> str:
        """``file:line`` (or just the file; ``(dataset)`` when there is none)."""
        where = self.file or "(dataset)"
        return f"{where}:{self.line}" if self.line is not None else where


def _always(locale: str) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule of one data kind: what it requires, how to fix a breach, and how bad a breach is.

    ``fix`` may contain ``{file}``, replaced by the file's relative path. ``applies`` says for
    which locales the rule is checked. ``seedable`` is False for rules the broken sample dataset
    cannot carry cheaply (2 GB archives, 10,000 files) or that exclude the others (an empty
    dataset); ``why_not_seeded`` says why, and a unit test covers each of them instead.
    """

    code: str
    severity: Severity
    rule: str
    fix: str
    applies: Callable[[str], bool] = field(default=_always, compare=False)
    seedable: bool = True
    why_not_seeded: str = ""

    def finding(self, file: str, line: int | None = None, value: str | None = None) -> Finding:
        """Return a :class:`Finding` of this rule for ``file`` (and ``line``)."""
        fix = self.fix.replace("{file}", file) if "{file}" in self.fix else self.fix
        return Finding(self.code, self.severity, file, line, value, self.rule, fix)
