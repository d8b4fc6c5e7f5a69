"""Findings: one broken (or doubtful) thing in a dataset, with the rule it breaks and the fix."""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

FIXED = "fixed"  # the folder fix commands write into (created by the command itself)


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

    ``fix`` may contain ``{file}`` (the file's relative path, for prose) and, for commands that
    can be pasted as-is, ``{src}`` (the path, shell-quoted), ``{dst}`` (the same path under
    ``fixed/``), ``{dst_wav}`` (under ``fixed/`` with a ``.wav`` extension, never doubled) and
    ``{dst_dir}`` (the folder of ``{dst}``, for ``mkdir -p``). ``applies`` says for
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
        return Finding(
            self.code, self.severity, file, line, value, self.rule, fill_fix(self.fix, file)
        )


def fill_fix(fix: str, file: str) -> str:
    """``fix`` with its placeholders (see :class:`Rule`) replaced for ``file``.

    >>> fill_fix("mkdir -p {dst_dir} && ffmpeg -i {src} {dst_wav}", "a b/x.mp3")
    "mkdir -p 'fixed/a b' && ffmpeg -i 'a b/x.mp3' 'fixed/a b/x.wav'"
    """
    if "{" not in fix:
        return fix
    dst = posixpath.join(FIXED, file)
    stem, _ = posixpath.splitext(dst)
    values = {
        "{file}": file,
        "{src}": shlex.quote(file),
        "{dst}": shlex.quote(dst),
        "{dst_wav}": shlex.quote(stem + ".wav"),
        "{dst_dir}": shlex.quote(posixpath.dirname(dst)),
    }
    for key, value in values.items():
        fix = fix.replace(key, value)
    return fix
