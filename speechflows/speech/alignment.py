"""Word alignment of a transcription against its reference: substitutions, deletions, insertions.

Plain library code (no network, no Prefect). Words are compared after the normalisation the
word error rate uses (lower case, punctuation other than inner apostrophes and hyphens dropped).
WER is in **percent**: ``100 · (S + D + I) / N`` with ``N`` reference words.

>>> a = align("the cat sat on the mat", "the cat sat in the the mat")
>>> (a.substitutions, a.deletions, a.insertions, a.wer_percent)
(1, 0, 1, 33.33)
>>> a.highlighted()
'the cat sat ~~on~~ **in** **+the** the mat'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Op = Literal["ok", "sub", "del", "ins"]
_WORD = re.compile(r"[\w]+(?:['’\-][\w]+)*", re.UNICODE)


def words_of(text: str) -> list[str]:
    """The words of ``text`` as the WER counts them.

    >>> words_of("Hello, World! It's  fine-tuned.")
    ['hello', 'world', "it's", 'fine-tuned']
    """
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


@dataclass(frozen=True)
class Step:
    """One step of the alignment: a reference word, a heard word, or both."""

    op: Op
    ref: str | None
    hyp: str | None
    ref_index: int | None


@dataclass(frozen=True)
class Alignment:
    """The minimum-edit alignment of one transcription against its reference."""

    steps: list[Step] = field(default_factory=list)

    @property
    def reference_words(self) -> int:
        return sum(1 for s in self.steps if s.op != "ins")

    @property
    def substitutions(self) -> int:
        return sum(1 for s in self.steps if s.op == "sub")

    @property
    def deletions(self) -> int:
        return sum(1 for s in self.steps if s.op == "del")

    @property
    def insertions(self) -> int:
        return sum(1 for s in self.steps if s.op == "ins")

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def wer_percent(self) -> float:
        """``100 · (S + D + I) / N``; with no reference words, 0 if nothing was heard else 100."""
        n = self.reference_words
        if n == 0:
            return 0.0 if self.insertions == 0 else 100.0
        return round(100 * self.errors / n, 2)

    def wrong_positions(self) -> set[int]:
        """The reference word positions this transcription got wrong (substituted or deleted)."""
        return {
            s.ref_index for s in self.steps if s.op in ("sub", "del") and s.ref_index is not None
        }

    def highlighted(self) -> str:
        """Markdown: ``~~deleted or replaced~~``, ``**heard instead**``, ``**+inserted**``."""
        out = []
        for s in self.steps:
            if s.op == "ok":
                out.append(_md(s.ref or ""))
            elif s.op == "sub":
                out.append(f"~~{_md(s.ref or '')}~~ **{_md(s.hyp or '')}**")
            elif s.op == "del":
                out.append(f"~~{_md(s.ref or '')}~~")
            else:
                out.append(f"**+{_md(s.hyp or '')}**")
        return " ".join(out)


def _md(word: str) -> str:
    return re.sub(r"([\\`*_~|<>\[\]])", r"\\\1", word)


def align(reference: str, heard: str) -> Alignment:
    """Align ``heard`` against ``reference`` (Levenshtein over words)."""
    ref, hyp = words_of(reference), words_of(heard)
    n, m = len(ref), len(hyp)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        cost[i][0] = i
    for j in range(1, m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            diag = cost[i - 1][j - 1] + (0 if ref[i - 1] == hyp[j - 1] else 1)
            cost[i][j] = min(diag, cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    steps: list[Step] = []
    i, j = n, m
    while i > 0 or j > 0:
        # Ties: a match first, then an insertion, a deletion, a substitution (reads naturally:
        # "sat ~~on~~ **in** **+the** the mat" rather than two substitutions in a row).
        if i > 0 and j > 0 and ref[i - 1] == hyp[j - 1] and cost[i][j] == cost[i - 1][j - 1]:
            steps.append(Step("ok", ref[i - 1], hyp[j - 1], i - 1))
            i, j = i - 1, j - 1
        elif j > 0 and cost[i][j] == cost[i][j - 1] + 1:
            steps.append(Step("ins", None, hyp[j - 1], None))
            j -= 1
        elif i > 0 and cost[i][j] == cost[i - 1][j] + 1:
            steps.append(Step("del", ref[i - 1], None, i - 1))
            i -= 1
        else:
            steps.append(Step("sub", ref[i - 1], hyp[j - 1], i - 1))
            i, j = i - 1, j - 1
    steps.reverse()
    return Alignment(steps)


@dataclass(frozen=True)
class FileComparison:
    """One file, heard by the model in use and by the new model."""

    name: str
    reference: str
    current: Alignment
    candidate: Alignment

    @property
    def fixed(self) -> list[str]:
        """Reference words the current model got wrong and the new one gets right."""
        fixed = self.current.wrong_positions() - self.candidate.wrong_positions()
        return [s.ref or "" for s in self.current.steps if s.ref_index in fixed and s.op != "ins"]

    @property
    def broken(self) -> list[str]:
        """Reference words the current model got right and the new one gets wrong."""
        broken = self.candidate.wrong_positions() - self.current.wrong_positions()
        return [
            s.ref or "" for s in self.candidate.steps if s.ref_index in broken and s.op != "ins"
        ]

    @property
    def change(self) -> Literal["better", "worse", "same"]:
        delta = self.candidate.errors - self.current.errors
        return "better" if delta < 0 else "worse" if delta > 0 else "same"


def corpus_wer_percent(alignments: list[Alignment]) -> float:
    """WER over several files: all their errors over all their reference words, in percent."""
    n = sum(a.reference_words for a in alignments)
    errors = sum(a.errors for a in alignments)
    return round(100 * errors / n, 2) if n else 0.0


__all__ = [
    "Alignment",
    "FileComparison",
    "Step",
    "align",
    "corpus_wer_percent",
    "words_of",
]
