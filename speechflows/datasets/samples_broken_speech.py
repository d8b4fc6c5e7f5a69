"""Broken sample datasets for custom speech and personal voice (voice kinds: samples_broken)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from speechflows.datasets.kinds import DataKind
from speechflows.datasets.sample_files import write_text
from speechflows.datasets.sample_seeder import (
    BINARY,
    Seeded,
    Seeder,
    common_audio,
    folder_place,
)
from speechflows.datasets.sample_text import (
    PRONUNCIATIONS,
    formatting_lines,
    markdown_lines,
    sentence,
)
from speechflows.datasets.synth import write_mp3, write_silent_wav, write_wav


def _stt_audio_defects(data: Path, s: Seeder, line: Callable[[str], None]) -> None:
    def place(code: str, name: str) -> Path:
        s(code, name)
        line(name)
        return data / name

    common_audio(place, lambda p: write_wav(p, 2.0, rate=16000), rate=16000)
    write_wav(place("audio.not_pcm", "float16.wav"), 1.0, rate=16000, bits=16, tag=3)
    write_wav(place("audio.sample_rate_unsupported", "22khz.wav"), 1.0, rate=22050)
    write_wav(place("audio.bit_depth_unsupported", "24bit.wav"), 1.0, rate=16000, bits=24)
    write_wav(place("audio.not_mono", "stereo.wav"), 1.0, rate=16000, channels=2)
    write_silent_wav(place("audio.too_long", "three_hours.wav"), 7201.0, rate=8000)


def broken_acoustic(data: Path, n: int, locale: str) -> tuple[Path, Seeded]:
    """Acoustic: WAVs and one transcript, one defect per file or line."""
    s = Seeder(DataKind.ACOUSTIC, locale)
    en_us = locale.lower() == "en-us"
    lines: list[str] = []
    for i in range(1, max(n, 1) + 1):
        write_wav(data / f"speech{i:02d}.wav", 1.0, rate=16000, seed=i)
        lines.append(f"speech{i:02d}.wav\t{sentence(i - 1)}")
    # Extended WAV headers (WAVE_FORMAT_EXTENSIBLE) are valid too.
    write_wav(data / "extensible.wav", 1.0, rate=16000, extensible=True)
    lines.append(f"extensible.wav\t{sentence(20)}")
    _stt_audio_defects(data, s, lambda name: lines.append(f"{name}\tThis file is broken."))
    s("audio.too_long_for_training", "long.wav (41 s)")
    write_silent_wav(data / "long.wav", 41.0, rate=16000)
    lines.append("long.wav\tA long recording.")
    s("audio.no_matching_transcript", "extra.wav")
    write_wav(data / "extra.wav", 1.0, rate=16000)
    for code, line in (
        ("transcript.no_matching_audio", "missing.wav\tNobody recorded this."),
        ("transcript.missing_tab", "spaces.wav    spaces instead of a tab"),
        ("transcript.empty_text", "empty_text.wav\t"),
        ("transcript.duplicate_file", "speech01.wav\tThe same file again."),
    ):
        s(code, f"trans.txt: {line.split()[0]}")
        lines.append(line)
    if s.wants("transcript.non_ascii"):
        s("transcript.non_ascii", "trans.txt: smart.wav uses a curly apostrophe")
        write_wav(data / "smart.wav", 1.0, rate=16000)  # a warning: the line is kept
        lines.append("smart.wav\tIt’s raining.")
    if s.wants("transcript.line_too_long"):
        s("transcript.line_too_long", "trans.txt: long_ja.wav")
        write_wav(data / "long_ja.wav", 1.0, rate=16000)  # a warning: the line is kept
        lines.append("long_ja.wav\t" + "あいうえおかきくけこ" * 10)
    s("text.repetition", "trans.txt: repeat.wav")
    write_wav(data / "repeat.wav", 1.0, rate=16000)
    lines.append("repeat.wav\tyeah yeah yeah yeah that is right")
    bom = not en_us
    if s.wants("text.no_utf8_bom"):
        s("text.no_utf8_bom", "trans.txt is saved without a BOM")
        bom = False
    write_text(data / "trans.txt", lines, bom=bom)
    s("dataset.multiple_transcripts", "zz_old_trans.txt")
    write_text(data / "zz_old_trans.txt", ["speech01.wav\tAn older transcript."], bom=bom)
    s("file.unsupported_type", "notes.docx")
    (data / "notes.docx").write_bytes(b"PK\x03\x04 not a document")
    return data, s.seeded


def broken_audio_files(data: Path, n: int, locale: str) -> tuple[Path, Seeded]:
    """AudioFiles: WAVs, one defect each."""
    s = Seeder(DataKind.AUDIO_FILES, locale)
    for i in range(1, max(n, 1) + 1):
        write_wav(data / f"test{i:02d}.wav", 1.0, rate=16000, seed=i)
    _stt_audio_defects(data, s, lambda name: None)
    write_text(folder_place(data, s)("file.unsupported_type", "trans.txt"), ["a.wav\ttext"])
    return data, s.seeded


def _text_defects(data: Path, s: Seeder, ext: str, good: list[str]) -> None:
    if s.wants("text.no_utf8_bom"):
        write_text(data / f"nobom{ext}", good, bom=False)
        s("text.no_utf8_bom", f"nobom{ext}")
    s("text.encoding_invalid", f"binary{ext}")
    (data / f"binary{ext}").write_bytes(BINARY)
    s("file.empty", f"empty{ext}")
    (data / f"empty{ext}").write_bytes(b"")
    other = ".rtf"  # no text kind reads it (OutputFormatting takes both .md and .txt)
    s("file.unsupported_type", f"notes{other}")
    write_text(data / f"notes{other}", ["not part of the dataset"])


def broken_language(data: Path, n: int, locale: str) -> tuple[Path, Seeded]:
    """Language: a plain text file with bad lines, plus files with file-level defects."""
    s = Seeder(DataKind.LANGUAGE, locale)
    good = [sentence(i) for i in range(max(n, 1))]
    lines = list(good)
    s("language.uri", "language.txt: a line with a URL")
    lines.append("visit https://example.com for the details")
    s("text.repetition", "language.txt: yeah yeah yeah yeah")
    lines.append("yeah yeah yeah yeah that is right")
    if s.wants("text.char_out_of_range"):
        s("text.char_out_of_range", "language.txt: Zürich")
        lines.append("the cafe in Zürich opens early")
    if s.wants("language.too_many_lines"):
        s("language.too_many_lines", "many.txt has 20,001 lines")
        write_text(data / "many.txt", [sentence(i) for i in range(20_001)])
    write_text(data / "language.txt", lines)
    _text_defects(data, s, ".txt", good)
    return data, s.seeded


def broken_pronunciation(data: Path, n: int, locale: str) -> tuple[Path, Seeded]:
    """Pronunciation: bad lines, plus files with file-level defects (one over 1 MB)."""
    s = Seeder(DataKind.PRONUNCIATION, locale)
    good = [f"{d}\t{p}" for d, p in PRONUNCIATIONS[: max(1, min(n, len(PRONUNCIATIONS)))]]
    lines = list(good)
    for code, line in (
        ("pronunciation.missing_tab", "R2D2 r two d two"),
        ("pronunciation.empty_field", "\tno display form"),
        ("pronunciation.extra_tab", "WHO\tw h o\tworld health"),
    ):
        s(code, f"pronunciation.txt: {line.strip()!r}")
        lines.append(line)
    write_text(data / "pronunciation.txt", lines)
    s("file.too_large", "big.txt is over 1 MB")
    write_text(data / "big.txt", [f"TERM{i}\tterm {i}" for i in range(80_000)])
    _text_defects(data, s, ".txt", good)
    return data, s.seeded


def broken_markdown(data: Path, n: int, locale: str) -> tuple[Path, Seeded]:
    """LanguageMarkdown: a document with bad lines, plus files breaking the limits."""
    s = Seeder(DataKind.LANGUAGE_MARKDOWN, locale)
    good = markdown_lines(max(n, 1))
    lines = list(good)
    lines[lines.index("@ speech:phoneticlexicon") + 1 : 1] = [
        "- bad entry without slash",
        "- tomato/t ah m aa t ow",
        "- tomato/t ah m ey t ow",
        "- tomato/t ow m ey t ow",
    ]
    s("markdown.lexicon_entry_invalid", "structured.md: 'bad entry without slash'")
    s("markdown.too_many_pronunciations", "structured.md: third 'tomato'")
    s("markdown.undefined_list", "structured.md: {@city}")
    s("markdown.unexpected_line", "structured.md: a loose line")
    lines += ["- take me to {@city}", "this line is not an item"]
    write_text(data / "structured.md", lines)
    for code, name, count in (
        ("markdown.too_many_lists", "lists21.md", 21),
        ("markdown.many_lists", "lists11.md", 11),
    ):
        s(code, f"{name} defines {count} lists")
        body = [f"@ list l{i} =\n- item" for i in range(count)]
        write_text(data / name, [*body, "# s", "- a sentence"])
    s("markdown.list_too_long", "biglist.md has 35,001 items")
    write_text(
        data / "biglist.md",
        ["@ list big =", *(f"- item{i}" for i in range(35_001)), "# s", "- pick {@big}"],
    )
    s("markdown.lexicon_too_large", "lexicon.md has 15,001 entries")
    write_text(
        data / "lexicon.md", ["@ speech:phoneticlexicon", *(f"- w{i}/w ah" for i in range(15_001))]
    )
    _text_defects(data, s, ".md", good)
    return data, s.seeded


def broken_formatting(data: Path, n: int, locale: str) -> tuple[Path, Seeded]:
    """OutputFormatting: a document with bad lines and sections, plus a too-long #itn."""
    s = Seeder(DataKind.OUTPUT_FORMATTING, locale)
    good = formatting_lines(max(n, 1))
    s("formatting.line_outside_section", "formatting.md: first line")
    s("formatting.missing_tab", "formatting.md: #rewrite line without TAB")
    s("formatting.unknown_section", "formatting.md: #emoji")
    lines = ["a rule before any section", *good[:3], "colour color", *good[3:], "#emoji", ":)"]
    write_text(data / "formatting.md", lines)
    s("formatting.section_too_long", "itn.md: #itn with 201 lines")
    write_text(data / "itn.md", ["#itn", *(f"- rule {i}" for i in range(201))])
    s("formatting.pattern_invalid", "pattern.txt: an # itn pattern with an unclosed {")
    write_text(data / "pattern.txt", ["// display format rules", "# itn", "\\d\\d{to>-\\d\\d"])
    _text_defects(data, s, ".md", good)
    return data, s.seeded


def _broken_personal(kind: DataKind) -> Callable[[Path, int, str], tuple[Path, Seeded]]:
    def write(data: Path, n: int, locale: str) -> tuple[Path, Seeded]:
        s = Seeder(kind, locale)
        for i in range(1, max(n, 1) + 1):
            write_wav(data / f"good_{i:02d}.wav", 6.0, seed=i)
        place = folder_place(data, s)
        common_audio(place, lambda p: write_wav(p, 6.0))
        write_wav(place("audio.not_pcm", "float.wav"), 6.0, bits=32, tag=3)
        write_wav(place("audio.bit_depth_unsupported", "8bit.wav"), 6.0, bits=8)
        write_wav(place("audio.sample_rate_unsupported", "22khz.wav"), 6.0, rate=22050)
        write_mp3(place("audio.bitrate_unsupported", "160k.mp3"), 6.0, kbps=160)
        write_wav(place("audio.too_short", "short.wav"), 2.0)
        write_silent_wav(place("audio.too_long", "long.wav"), 95.0)
        if kind is DataKind.PROMPT:
            write_silent_wav(
                place("audio.file_too_large", "huge.wav"), 10.0, trailing_chunk=31_000_000
            )
        place("file.unsupported_type", "take.ogg").write_bytes(b"OggS not really")
        return data, s.seeded

    return write


BROKEN_SPEECH_WRITERS: dict[DataKind, Callable[[Path, int, str], tuple[Path, Seeded]]] = {
    DataKind.ACOUSTIC: broken_acoustic,
    DataKind.AUDIO_FILES: broken_audio_files,
    DataKind.LANGUAGE: broken_language,
    DataKind.PRONUNCIATION: broken_pronunciation,
    DataKind.LANGUAGE_MARKDOWN: broken_markdown,
    DataKind.OUTPUT_FORMATTING: broken_formatting,
    DataKind.CONSENT: _broken_personal(DataKind.CONSENT),
    DataKind.PROMPT: _broken_personal(DataKind.PROMPT),
}
