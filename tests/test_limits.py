"""Every size, count, length and duration limit, exactly as the spec text states it (issue 25).

Each row names the emulator's constant (``speechflows/emulator/core/service_model.py``), the
product's constant where the product refuses with an ``error``, the value, and the words of the
spec or reference that give it: the words must be found in that file, and both constants must
hold the value. A second set of tests checks the emulator's model at the boundary itself.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import speechflows.datasets.speech_audio as product_stt
import speechflows.datasets.speech_text as product_text
import speechflows.datasets.voice as product_voice
import speechflows.datasets.voice_scripts as product_scripts
import speechflows.emulator.core.service_model as model
from speechflows.datasets.kinds import DataKind

ROOT = Path(__file__).resolve().parents[1]
REF = "reference/azure-speech.md"
CV_SPEC = "azure-speech-specs/customvoice/2026-01-01/texttospeech.json"
MIB, GIB = 1024**2, 1024**3


def _shared() -> Path:
    for base in (ROOT.parent / "shared", ROOT.parent.parent / "shared", Path("/work/shared")):
        if (base / REF).is_file():
            return base
    raise FileNotFoundError("../shared/reference/azure-speech.md")


def _duration(spec: Any, code: str, end: int) -> float | None:
    return next(d[end] for d in spec.durations if d[0] == code)


# (name, emulator value, product value or None, expected, source file, words in the source)
LIMITS: list[tuple[str, Callable[[], Any], Callable[[], Any] | None, Any, str, str]] = [
    (
        "prompt file size",
        lambda: model.PROMPT_MAX_BYTES,
        lambda: product_voice.PROMPT.max_bytes,
        31_457_280,
        CV_SPEC,
        '"x-ms-max-length": 31457280',
    ),
    (
        "prompt minimum duration",
        lambda: model.PROMPT_MIN_SECONDS,
        lambda: _duration(product_voice.PROMPT, "audio.too_short", 1),
        5.0,
        REF,
        "between **5 – 90 seconds**",
    ),
    (
        "prompt maximum duration",
        lambda: model.PROMPT_MAX_SECONDS,
        lambda: _duration(product_voice.PROMPT, "audio.too_long", 2),
        90.0,
        REF,
        "between **5 – 90 seconds**",
    ),
    (
        "personal voice sample rates",
        lambda: model.PERSONAL_SAMPLE_RATES,
        lambda: product_voice.CONSENT.sample_rates,
        {16_000, 24_000, 44_100, 48_000},
        REF,
        "**wav** at 16/24/44.1/48 kHz with 16/24/32-bit",
    ),
    (
        "personal voice bit depths",
        lambda: model.PERSONAL_BIT_DEPTHS,
        lambda: product_voice.CONSENT.bit_depths,
        {16, 24, 32},
        REF,
        "**wav** at 16/24/44.1/48 kHz with 16/24/32-bit",
    ),
    (
        "personal voice MP3 bit rates",
        lambda: model.PERSONAL_MP3_KBPS,
        lambda: product_voice.CONSENT.mp3_bitrates,
        {128, 192, 256, 320},
        REF,
        "**mp3** at 16/24/44.1/48 kHz with 128/192/256/320 kbps",
    ),
    (
        "AudioAndScript minimum sample rate",
        lambda: model.VOICE_MIN_SAMPLE_RATE,
        lambda: product_voice.AUDIO_AND_SCRIPT.min_rate,
        16_000,
        REF,
        "< 16 kHz rejected",
    ),
    (
        "professional voice minimum bit depth",
        lambda: model.VOICE_MIN_BITS,
        lambda: product_voice.AUDIO_AND_SCRIPT.min_bits,
        16,
        REF,
        "PCM **≥ 16-bit**",
    ),
    (
        "AudioAndScript maximum utterance",
        lambda: model.VOICE_MAX_UTTERANCE_SECONDS,
        lambda: _duration(product_voice.AUDIO_AND_SCRIPT, "audio.too_long", 2),
        30.0,
        REF,
        "auto-rejected if > 30 s",
    ),
    (
        "script line length",
        lambda: model.SCRIPT_MAX_LINE_CHARS,
        lambda: product_scripts.MAX_LINE,
        1_000,
        REF,
        "line < 1,000 chars",
    ),
    (
        "LongAudio minimum duration",
        lambda: model.LONG_AUDIO_MIN_SECONDS,
        lambda: _duration(product_voice.LONG_AUDIO, "audio.too_short", 1),
        20.0,
        REF,
        '"longer than 20 seconds"',
    ),
    (
        "LongAudio MP3 bit rate",
        lambda: model.LONG_AUDIO_MIN_MP3_KBPS,
        lambda: product_voice.LONG_AUDIO.mp3_min_kbps,
        256,
        REF,
        ".mp3 (≥ 256 kbps)",
    ),
    (
        "LongAudio/AudioOnly files",
        lambda: model.VOICE_MAX_AUDIO_FILES,
        lambda: product_voice.MAX_LONG_AUDIO_FILES,
        1_000,
        REF,
        "≤ 1,000 files",
    ),
    (
        "Speech to text sample rates",
        lambda: model.STT_SAMPLE_RATES,
        lambda: product_stt.STT_AUDIO.sample_rates,
        {8_000, 16_000},
        REF,
        "**8 kHz or 16 kHz, mono, 16-bit PCM**",
    ),
    (
        "Speech to text bit depth",
        lambda: {model.STT_BITS},
        lambda: product_stt.STT_AUDIO.bit_depths,
        {16},
        REF,
        "**8 kHz or 16 kHz, mono, 16-bit PCM**",
    ),
    (
        "Speech to text audio duration",
        lambda: model.STT_MAX_AUDIO_SECONDS,
        lambda: _duration(product_stt.STT_AUDIO, "audio.too_long", 2),
        7_200.0,
        REF,
        "≤ 2 h per file",
    ),
    (
        "Speech to text files per archive",
        lambda: model.STT_MAX_FILES,
        lambda: product_stt.MAX_FILES,
        10_000,
        REF,
        "zip ≤ **2 GB or 10,000 files**",
    ),
    (
        "Speech to text archive size",
        lambda: model.STT_MAX_ZIP_BYTES,
        lambda: product_stt.MAX_BYTES,
        2 * GIB,
        REF,
        "zip ≤ **2 GB or 10,000 files**",
    ),
    (
        "Language file size",
        lambda: model.LANGUAGE_MAX_BYTES,
        lambda: product_text.MAX_BYTES[DataKind.LANGUAGE],
        1_536 * MIB,
        REF,
        "quotas page 1.5 GB (S0)",
    ),
    (
        "Pronunciation file size",
        lambda: model.PRONUNCIATION_MAX_BYTES,
        lambda: product_text.MAX_BYTES[DataKind.PRONUNCIATION],
        MIB,
        REF,
        "| 1 MB (1 KB F0) |",
    ),
    (
        "LanguageMarkdown file size",
        lambda: model.MARKDOWN_MAX_BYTES,
        lambda: product_text.MAX_BYTES[DataKind.LANGUAGE_MARKDOWN],
        200 * MIB,
        REF,
        "≤ 2 pronunciations per word | 200 MB |",
    ),
    (
        "OutputFormatting file size",
        lambda: model.FORMATTING_MAX_BYTES,
        lambda: product_text.MAX_BYTES[DataKind.OUTPUT_FORMATTING],
        10 * MIB,
        REF,
        "`#test` (`lexical\\texpected`) | 10 MB |",
    ),
    (
        "LanguageMarkdown lists",
        lambda: model.MARKDOWN_MAX_LISTS,
        lambda: product_text.MAX_LISTS,
        20,
        REF,
        "≤ 20 lists",
    ),
    (
        "LanguageMarkdown list items",
        lambda: model.MARKDOWN_MAX_LIST_ITEMS,
        lambda: product_text.MAX_LIST_ITEMS,
        35_000,
        REF,
        "≤ 35,000 items per list",
    ),
    (
        "LanguageMarkdown lexicon entries",
        lambda: model.MARKDOWN_MAX_LEXICON,
        lambda: product_text.MAX_LEXICON,
        15_000,
        REF,
        "≤ 15,000 lexicon entries",
    ),
    (
        "LanguageMarkdown pronunciations per word",
        lambda: model.MARKDOWN_MAX_PRONUNCIATIONS,
        lambda: product_text.MAX_PRONUNCIATIONS,
        2,
        REF,
        "≤ 2 pronunciations per word",
    ),
]


@pytest.mark.parametrize(
    ("name", "emulator", "product", "expected", "source", "words"),
    LIMITS,
    ids=[r[0] for r in LIMITS],
)
def test_each_limit_is_the_value_the_spec_text_states(
    name: str,
    emulator: Callable[[], Any],
    product: Callable[[], Any] | None,
    expected: Any,
    source: str,
    words: str,
) -> None:
    text = (_shared() / source).read_text(encoding="utf-8")
    assert words in text, f"{name}: {words!r} is not in {source}"
    assert emulator() == expected, f"{name}: the emulator's model says {emulator()}"
    if product is not None:
        assert product() == expected, f"{name}: the product's rule says {product()}"


def test_the_ledger_states_the_spec_prompt_size() -> None:
    ledger = (ROOT / "docs" / "azure-behaviour.md").read_text(encoding="utf-8")
    row = next(line for line in ledger.splitlines() if "`audio.file_too_large`" in line)
    assert "31,457,280" in row and re.search(r"x-ms-max-length", row)


def _wav(seconds: float = 0.1, rate: int = 16_000) -> bytes:
    data = b"\x00\x00" * int(seconds * rate)
    fmt = (1).to_bytes(2, "little") + (1).to_bytes(2, "little") + rate.to_bytes(4, "little")
    fmt += (rate * 2).to_bytes(4, "little") + (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
    body = b"WAVEfmt " + len(fmt).to_bytes(4, "little") + fmt + b"data"
    body += len(data).to_bytes(4, "little") + data
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def test_the_model_takes_10000_files_in_an_archive_and_refuses_10001(tmp_path: Path) -> None:
    """Speech to text "2 GB or 10,000 files": 9,999 tiny WAVs + the transcript import; one
    more file fails the whole dataset (``InvalidDataset``)."""
    tiny = _wav(0.01)
    for count in (10_000, 10_001):
        archive = tmp_path / f"{count}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
            for i in range(count - 1):
                zf.writestr(f"a{i}.wav", tiny)
            zf.writestr("trans.txt", "a0.wav\thello\n")
        result = model.judge_dataset(archive, "Acoustic", "en-US")
        if count == 10_000:
            assert result.ok and result.accepted == 1, result.message
        else:
            assert not result.ok and result.error_code == "InvalidDataset"
            assert "10001 files" in (result.message or "")


def test_the_model_takes_a_prompt_of_31457280_bytes_and_refuses_one_more(tmp_path: Path) -> None:
    """PersonalVoices_Post ``audioData``: ``x-ms-max-length`` 31457280. A 48 kHz 16-bit mono
    WAV padded with a trailing chunk to exactly the limit is taken; one byte more is not."""
    base = _wav(10.0, 48_000)
    for size, ok in ((31_457_280, True), (31_457_281, False)):
        pad = size - len(base) - 8
        blob = base + b"JUNK" + pad.to_bytes(4, "little") + b"\x00" * pad
        blob = b"RIFF" + (len(blob) - 8).to_bytes(4, "little") + blob[8:]
        folder = tmp_path / str(size)
        folder.mkdir()
        (folder / "prompt.wav").write_bytes(blob)
        assert len(blob) == size
        result = model.judge_folder(folder, "Prompt", "en-US")
        assert result.ok is ok, result.message
