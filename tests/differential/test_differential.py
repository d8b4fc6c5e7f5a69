"""Differential tests: the product's pre-flight and the emulator's service model on the same data.

Invariants (issue 25, ``tests/differential/compare.py``): the product never refuses (``error``)
what the emulator accepts; what the emulator rejects, the product flags. Both run as libraries:
no servers. Examples are bounded so the whole module stays fast.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import speechflows.datasets.speech_text as product_text
from speechflows.datasets import write_sample
from tests.differential.build import (
    ENCODINGS,
    FILE_STEMS,
    LINE_ENDS,
    LONG_AUDIO,
    PERSONAL,
    SPEECH,
    TEXTS,
    VOICE,
    audio_files,
    encode,
    wav,
)
from tests.differential.compare import ARCHIVE_KINDS, TEXT_KINDS, VOICE_KINDS, compare

FAST = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
LOCALES = st.sampled_from(["en-US", "zh-CN", "ja-JP", "de-DE"])
# Durations around every duration rule of the kind (each drawn at the limit, one sample frame
# under or over, see build.FRAMES_OFF): AudioAndScript ≤ 30 s; LongAudio > 20 s; prompt 5–90 s;
# Acoustic 30 s (Whisper) and 40 s (training: longer files give only their text, a warning).
VOICE_SECONDS = st.sampled_from(
    [0.0, 0.4, 3.0, 5.0, 14.0, 20.0, 20.5, 29.9, 30.0, 30.0, 30.5, 45.0, 95.0]
)
LONG_AUDIO_SECONDS = st.sampled_from([0.0, 10.0, 20.0, 20.0, 20.01, 25.0, 31.0])
PROMPT_SECONDS = st.sampled_from([0.0, 2.0, 4.99, 5.0, 5.0, 5.0, 6.0, 89.0, 90.0, 90.0, 90.0, 91.0])
STT_SECONDS = st.sampled_from([0.0, 0.5, 2.0, 30.0, 39.0, 40.0, 40.0, 41.0])
GOOD_TEXTS = st.sampled_from(["Hello there.", "Is it raining?", "What a day!"])
# Script lines around the 1,000-character rule: the whole line (id, TAB, text) this long.
SCRIPT_LINE_LENGTHS = st.sampled_from([None, None, None, None, 999, 1000, 1001])


@contextmanager
def _workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="differential-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _agree(path: Path, kind: str, locale: str, work: Path) -> None:
    verdicts = compare(path, kind, locale, work)
    assert verdicts.breaches == [], (kind, locale, verdicts.breaches)


@st.composite
def _script(draw: st.DrawFn, ids: list[str]) -> tuple[str, bytes]:
    encoding = draw(st.sampled_from(ENCODINGS))
    end = draw(st.sampled_from(LINE_ENDS))
    rows = []
    for uid in ids + draw(st.lists(FILE_STEMS, max_size=2)):
        sep = draw(st.sampled_from(["\t", "\t", "\t", "\t", " "]))
        text = draw(st.one_of(GOOD_TEXTS, TEXTS))
        length = draw(SCRIPT_LINE_LENGTHS)
        if length is not None:
            text = "a" * (length - len(uid) - len(sep) - 1) + "."
        rows.append(f"{uid}{sep}{text}")
    rows += draw(st.sampled_from([[], [""], ["   "]]))
    name = draw(st.sampled_from(["script.txt", "Script 1.txt", "0000000001.txt"]))
    return name, encode(end.join(rows) + draw(st.sampled_from(["", end])), encoding)


@FAST
@given(data=st.data(), locale=LOCALES)
def test_audio_and_script_agree(data: st.DataObject, locale: str) -> None:
    stems = data.draw(st.lists(FILE_STEMS, min_size=0, max_size=4, unique=True))
    with _workdir() as work:
        folder = work / "data"
        folder.mkdir()
        for stem in stems:
            ext, audio = data.draw(audio_files(VOICE_SECONDS, VOICE))
            (folder / f"{stem}{ext}").write_bytes(audio)
        for _ in range(data.draw(st.sampled_from([1, 1, 1, 0, 2]))):
            name, script = data.draw(_script(stems))
            (folder / name).write_bytes(script)
        _agree(folder, "AudioAndScript", locale, work)


@FAST
@given(data=st.data(), kind=st.sampled_from(["LongAudio", "AudioOnly"]), locale=LOCALES)
def test_long_audio_and_audio_only_agree(data: st.DataObject, kind: str, locale: str) -> None:
    seconds = LONG_AUDIO_SECONDS
    with _workdir() as work:
        folder = work / "data"
        folder.mkdir()
        for stem in data.draw(st.lists(FILE_STEMS, max_size=3, unique=True)):
            ext, audio = data.draw(audio_files(seconds, LONG_AUDIO))
            (folder / f"{stem}{ext}").write_bytes(audio)
            if kind == "LongAudio" and data.draw(st.booleans()):
                text = data.draw(TEXTS)
                encoding = data.draw(st.sampled_from(ENCODINGS))
                (folder / f"{stem}.txt").write_bytes(encode(text, encoding))
        _agree(folder, kind, locale, work)


@FAST
@given(data=st.data(), kind=st.sampled_from(["Consent", "Prompt"]))
def test_personal_voice_agrees(data: st.DataObject, kind: str) -> None:
    seconds = PROMPT_SECONDS
    with _workdir() as work:
        folder = work / "data"
        folder.mkdir()
        for n in range(data.draw(st.integers(1, 3))):
            ext, audio = data.draw(audio_files(seconds, PERSONAL))
            (folder / f"audio_{n}{ext}").write_bytes(audio)
        _agree(folder, kind, "en-US", work)


@FAST
@given(data=st.data(), kind=st.sampled_from(ARCHIVE_KINDS), locale=LOCALES)
def test_acoustic_and_audio_files_agree(data: st.DataObject, kind: str, locale: str) -> None:
    """Zip layouts: flat or in folders; lines naming the WAV by path or by base name."""
    with _workdir() as work:
        archive = work / "data.zip"
        prefix = data.draw(st.sampled_from(["", "audio/", "a/b/"]))
        names = [f"{prefix}{s}" for s in data.draw(st.lists(FILE_STEMS, max_size=4, unique=True))]
        rows = []
        with zipfile.ZipFile(archive, "w") as zf:
            for name in names:
                ext, audio = data.draw(audio_files(STT_SECONDS, SPEECH))
                zf.writestr(name + ext, audio)
                key = data.draw(st.sampled_from([name + ext, name.rsplit("/", 1)[-1] + ext]))
                sep = data.draw(st.sampled_from(["\t", "\t", " "]))
                rows.append(f"{key}{sep}{data.draw(TEXTS)}")
            if kind == "Acoustic":
                for t in range(data.draw(st.sampled_from([0, 1, 1, 1, 2]))):
                    enc = data.draw(st.sampled_from(ENCODINGS))
                    end = data.draw(st.sampled_from(LINE_ENDS))
                    zf.writestr(f"trans{t}.txt", encode(end.join(rows), enc))
        _agree(archive, kind, locale, work)


_KIND_LINES = {
    "Language": TEXTS,
    "Pronunciation": st.sampled_from(
        ["IEEE\tI triple E", "CNTK\tc n t k", "bad line", "\tx", "a\t", "a\tb\tc", " x \t y "]
    ),
    "LanguageMarkdown": st.sampled_from(
        [
            "@ list city =",
            "- Seattle",
            "# Greetings",
            "- hello {@city}",
            "// note",
            "loose text",
            "@ speech:phoneticlexicon",
            "- tomato/t ah m ey t ow",
            "- bad entry",
        ]
    ),
    "OutputFormatting": st.sampled_from(
        [
            "# itn",
            "#rewrite",
            "# test",
            "# profanity",
            "// c",
            "cat-\\d",
            "old\tnew",
            "no tab",
            "# unknown",
            "{unbalanced",
        ]
    ),
}


@pytest.mark.parametrize("kind", TEXT_KINDS)
@FAST
@given(data=st.data(), locale=LOCALES)
def test_text_kinds_agree(kind: str, data: st.DataObject, locale: str) -> None:
    """Encodings, byte order marks and line endings of every text kind; line by line."""
    lines = data.draw(st.lists(_KIND_LINES[kind], min_size=1, max_size=12))
    encoding = data.draw(st.sampled_from(ENCODINGS))
    end = data.draw(st.sampled_from(LINE_ENDS))
    ext = {"LanguageMarkdown": ".md"}.get(kind, ".txt")
    with _workdir() as work:
        path = work / f"data{ext}"
        path.write_bytes(encode(end.join(lines), encoding))
        _agree(path, kind, locale, work)


@pytest.mark.parametrize("locale", ["en-US", "zh-CN", "ja-JP", "de-DE"])
@pytest.mark.parametrize("broken", [False, True], ids=["shipped", "broken"])
@pytest.mark.parametrize("kind", VOICE_KINDS + ARCHIVE_KINDS + TEXT_KINDS)
def test_shipped_and_broken_samples_agree(
    kind: str, broken: bool, locale: str, tmp_path: Path
) -> None:
    path = write_sample(tmp_path / "sample", kind, broken=broken, locale=locale)
    _agree(path, kind, locale, tmp_path)


def test_the_comparison_catches_a_product_error_on_audio_the_emulator_accepts(
    tmp_path: Path,
) -> None:
    """The harness can fail: a prompt over the product's old 30,000,000-byte cap but within the
    spec's 31,457,280 is accepted by the model; a product error on it would be a breach."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "big.wav").write_bytes(wav(rate=48000, bits=32, channels=2, seconds=80.9))
    size = (folder / "big.wav").stat().st_size
    assert 30_000_000 < size <= 31_457_280  # the construction: between the two caps
    verdicts = compare(folder, "Prompt", "en-US", tmp_path)
    assert "big.wav" in verdicts.emulator.accepted_files
    assert verdicts.breaches == []


def test_the_comparison_catches_a_product_error_on_a_line_the_emulator_takes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The line-level invariant can fail: a product that refused Language lines with a ``$``
    (as if a price were a URI) errs on line 2, which the model takes."""
    uri = product_text.URI
    monkeypatch.setattr(product_text, "URI", re.compile(uri.pattern + r"|\$\d", uri.flags))
    path = tmp_path / "data.txt"
    path.write_text("Hello there.\nIt costs $5 today.\n", encoding="utf-8")
    verdicts = compare(path, "Language", "en-US", tmp_path)
    assert ("data.txt", 2) in verdicts.emulator.accepted_lines
    assert verdicts.breaches == [
        "product error language.uri on data.txt:2, a line the emulator takes"
    ]
