"""Clean sample datasets, one writer per kind: what the validator accepts without a finding.

Each writer takes ``(data folder, count, locale, seed)`` and returns the path to validate.
:func:`speechflows.datasets.samples.write_sample` picks the writer from :data:`WRITERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from speechflows.datasets.kinds import DataKind
from speechflows.datasets.sample_files import utterance_id, write_text
from speechflows.datasets.sample_text import (
    CONSENT_STATEMENT,
    PRONUNCIATIONS,
    formatting_lines,
    markdown_lines,
    sentence,
)
from speechflows.datasets.synth import write_mp3, write_wav


def _audio_and_script(data: Path, n: int, locale: str, seed: int) -> Path:
    lines = []
    for i in range(1, n + 1):
        write_wav(
            data / f"{utterance_id(i)}.wav", 0.6 + (i % 5) * 0.2, rate=24000, seed=seed * 1000 + i
        )
        lines.append(f"{utterance_id(i)}\t{sentence(i - 1)}")
    write_text(data / "script.txt", lines)
    return data


def _long_audio(data: Path, n: int, locale: str, seed: int) -> Path:
    for i in range(1, n + 1):
        name = f"chapter_{i:02d}"
        if i % 2:
            write_wav(data / f"{name}.wav", 32.0, rate=16000, seed=seed * 1000 + i)
        else:
            write_mp3(data / f"{name}.mp3", 32.0, kbps=256)
        write_text(data / f"{name}.txt", [" ".join(sentence(j) for j in range(i, i + 6))])
    return data


def _audio_only(data: Path, n: int, locale: str, seed: int) -> Path:
    for i in range(1, n + 1):
        if i % 3:
            write_wav(data / f"recording_{i:02d}.wav", 2.0, rate=24000, seed=seed * 1000 + i)
        else:
            write_mp3(data / f"recording_{i:02d}.mp3", 2.0, kbps=256)
    return data


def _acoustic(data: Path, n: int, locale: str, seed: int) -> Path:
    lines = []
    for i in range(1, n + 1):
        write_wav(
            data / f"speech{i:02d}.wav", 1.0 + (i % 3) * 0.5, rate=16000, seed=seed * 1000 + i
        )
        lines.append(f"speech{i:02d}.wav\t{sentence(i - 1)}")
    write_text(data / "trans.txt", lines, bom=locale.lower() != "en-us")
    return data


def _audio_files(data: Path, n: int, locale: str, seed: int) -> Path:
    for i in range(1, n + 1):
        write_wav(
            data / f"test{i:02d}.wav", 1.5, rate=16000 if i % 2 else 8000, seed=seed * 1000 + i
        )
    return data


def _language(data: Path, n: int, locale: str, seed: int) -> Path:
    return write_text(data / "language.txt", [sentence(i) for i in range(n)])


def _pronunciation(data: Path, n: int, locale: str, seed: int) -> Path:
    pairs = [PRONUNCIATIONS[i % len(PRONUNCIATIONS)] for i in range(min(n, len(PRONUNCIATIONS)))]
    return write_text(data / "pronunciation.txt", [f"{d}\t{s}" for d, s in pairs])


def _markdown(data: Path, n: int, locale: str, seed: int) -> Path:
    return write_text(data / "structured.md", markdown_lines(n))


def _formatting(data: Path, n: int, locale: str, seed: int) -> Path:
    return write_text(data / "formatting.md", formatting_lines(n))


def _consent(data: Path, n: int, locale: str, seed: int) -> Path:
    write_text(data.parent / "consent-statement.txt", [CONSENT_STATEMENT], bom=False)
    if n == 1:
        return write_wav(data / "consent.wav", 6.0, rate=24000, seed=seed * 1000 + 3)
    for i in range(1, n + 1):
        write_wav(data / f"consent_{i:02d}.wav", 6.0, rate=24000, seed=seed * 1000 + i)
    return data


def _prompt(data: Path, n: int, locale: str, seed: int) -> Path:
    for i in range(1, n + 1):
        write_wav(data / f"prompt_{i:02d}.wav", 8.0, rate=24000, seed=seed * 1000 + i)
    return data


WRITERS: dict[DataKind, Callable[[Path, int, str, int], Path]] = {
    DataKind.AUDIO_AND_SCRIPT: _audio_and_script,
    DataKind.LONG_AUDIO: _long_audio,
    DataKind.AUDIO_ONLY: _audio_only,
    DataKind.ACOUSTIC: _acoustic,
    DataKind.AUDIO_FILES: _audio_files,
    DataKind.LANGUAGE: _language,
    DataKind.PRONUNCIATION: _pronunciation,
    DataKind.LANGUAGE_MARKDOWN: _markdown,
    DataKind.OUTPUT_FORMATTING: _formatting,
    DataKind.CONSENT: _consent,
    DataKind.PROMPT: _prompt,
}
