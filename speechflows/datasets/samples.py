"""Synthetic sample datasets for every kind: realistic ones, and broken ones for the validator.

``write_sample(dest, kind)`` writes ``dest/data/`` (the dataset) and ``dest/README.md``
(what it is, and the findings to expect). It returns the path to validate or upload: the single
file for Language, Pronunciation, LanguageMarkdown, OutputFormatting and Consent, else the
``data`` folder. With ``broken=True`` the dataset carries exactly one instance of every finding
the validator knows for the kind and locale, except the rules marked ``seedable=False`` (the
README lists both); ``validate()`` on it reports exactly the listed codes.

This module only composes: the writers live in :mod:`~speechflows.datasets.samples_clean`,
:mod:`~speechflows.datasets.samples_broken` (voice kinds) and
:mod:`~speechflows.datasets.samples_broken_speech` (speech and personal voice kinds), on top of
:mod:`~speechflows.datasets.sample_files`, :mod:`~speechflows.datasets.sample_seeder` and
:mod:`~speechflows.datasets.sample_text`. None of them imports this module. A writer for a new
kind goes in one of those registries.

>>> import tempfile
>>> path = write_sample(Path(tempfile.mkdtemp()), "Pronunciation")
>>> path.name
'pronunciation.txt'
"""

from __future__ import annotations

import shutil
from pathlib import Path

from speechflows.datasets.kinds import DataKind
from speechflows.datasets.rules import rules_for
from speechflows.datasets.samples_broken import BROKEN_WRITERS
from speechflows.datasets.samples_broken_speech import BROKEN_SPEECH_WRITERS
from speechflows.datasets.samples_clean import WRITERS

DEFAULT_COUNTS = {
    DataKind.AUDIO_AND_SCRIPT: 12,
    DataKind.LONG_AUDIO: 2,
    DataKind.AUDIO_ONLY: 3,
    DataKind.ACOUSTIC: 10,
    DataKind.AUDIO_FILES: 5,
    DataKind.LANGUAGE: 40,
    DataKind.PRONUNCIATION: 8,
    DataKind.LANGUAGE_MARKDOWN: 8,
    DataKind.OUTPUT_FORMATTING: 4,
    DataKind.CONSENT: 1,
    DataKind.PROMPT: 1,
}


def write_sample(
    dest: Path,
    kind: DataKind | str,
    *,
    count: int | None = None,
    broken: bool = False,
    locale: str = "en-US",
    seed: int = 0,
) -> Path:
    """Write a synthetic ``kind`` dataset under ``dest`` and return the path to validate.

    Args:
        dest: folder to create (its ``data/`` and ``README.md`` are replaced).
        kind: the data kind.
        count: utterances, files or lines (kind-specific default, small: tests stay fast).
        broken: seed one instance of every finding the validator knows for the kind.
        locale: written into the README; decides which locale-specific rules are seeded.
        seed: varies the generated tones.
    """
    kind = DataKind.parse(kind)
    dest = Path(dest)
    data = dest / "data"
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    n = count if count is not None else DEFAULT_COUNTS[kind]
    if broken:
        path, seeded = {**BROKEN_WRITERS, **BROKEN_SPEECH_WRITERS}[kind](data, n, locale)
    else:
        path, seeded = WRITERS[kind](data, n, locale, seed), {}
    _readme(dest / "README.md", kind, locale, broken, seeded)
    return path


def _readme(path: Path, kind: DataKind, locale: str, broken: bool, seeded: dict[str, str]) -> None:
    rules = rules_for(kind, locale)
    lines = [
        f"# Sample {kind.value} dataset ({locale}){' — broken' if broken else ''}",
        "",
        "Synthetic: tones and noise with correct headers, real sentences. Validate with:",
        "",
        f"    speechflows validate data --kind {kind.value} --locale {locale}",
        "",
    ]
    if broken:
        lines += ["## Seeded findings (exactly one of each)", ""]
        lines += [
            f"- `{code}` ({rules[code].severity.value}): {where}"
            for code, where in sorted(seeded.items())
        ]
        skipped = [r for r in rules.values() if not r.seedable]
        lines += ["", "## Not seeded", ""]
        lines += [f"- `{r.code}`: {r.why_not_seeded}" for r in skipped]
    else:
        lines += [
            "## Expected findings",
            "",
            "None, except `dataset.too_few_utterances` (a warning) for AudioAndScript "
            "samples under the recipe minimum."
            if kind is DataKind.AUDIO_AND_SCRIPT
            else "None.",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def seeded_codes(readme: Path) -> list[str]:
    """The codes listed under "Seeded findings" in a sample README."""
    codes, inside = [], False
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            inside = line.startswith("## Seeded")
        elif inside and line.startswith("- `"):
            codes.append(line[3 : line.index("`", 3)])
    return codes
