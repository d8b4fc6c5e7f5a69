"""Validators for custom speech audio datasets: ``Acoustic`` and ``AudioFiles``.

Audio is RIFF WAV, 8 or 16 kHz, mono, 16-bit PCM. An Acoustic dataset has one transcript,
`<file.wav><TAB><transcription>` per line; a line may name the WAV by its path in the archive
or by its base name. The docs ask for ASCII in en-US and UTF-8 with BOM elsewhere; accepted
sample data breaks both, so both are warnings (docs/azure-behaviour.md, "Data rules").
"""

from __future__ import annotations

import re

from speechflows.datasets.audio_checks import AudioSpec, check_audio
from speechflows.datasets.kinds import DataKind
from speechflows.datasets.report import ReportBuilder
from speechflows.datasets.sources import Source, base_name
from speechflows.datasets.text_checks import text_encoding
from speechflows.datasets.textfiles import iter_lines
from speechflows.datasets.voice import Options, split_files

MAX_FILES = 10_000
MAX_BYTES = 2 * 1024**3
MAX_JA_CHARS = 90
TRAINING_SECONDS = 40.0
REPETITION = re.compile(r"([^\s\d])\1{3,}|\b(\w+(?:\W+\w+){0,3}?)(?:\W+\2\b){3,}", re.IGNORECASE)

STT_AUDIO = AudioSpec(
    containers=frozenset({"wav"}),
    sample_rates=frozenset({8000, 16000}),
    bit_depths=frozenset({16}),
    mono=True,
    durations=(("audio.too_long", None, 7200.0),),
)


def repetition(text: str) -> str | None:
    """The first run repeated more than 3 times in ``text`` (``"yeah yeah yeah yeah"``)."""
    m = REPETITION.search(text)
    return m.group(0)[:60] if m else None


def _limits(src: Source, names: int, b: ReportBuilder) -> None:
    if names > MAX_FILES:
        b.add("dataset.too_many_files", "", value=f"{names} files")
    size = src.total_bytes()
    if size > MAX_BYTES:
        b.add("dataset.too_large", "", value=f"{size / 2**30:.2f} GB")


def validate_audio_files_dataset(src: Source, b: ReportBuilder, opts: Options) -> None:
    """AudioFiles: WAV audio only (tests; en-US training preview)."""
    wavs = split_files(src, DataKind.AUDIO_FILES, b)[".wav"]
    _limits(src, len(src.names()), b)
    if not wavs:
        b.add("dataset.no_audio", "", value="no .wav files")
    for name in wavs:
        b.tick()
        info = check_audio(src, name, STT_AUDIO, b)
        if info is None:
            b.reject(name)
            b.report.rejected_count += 1
        else:
            b.accept(name, info.duration_seconds)
            b.report.utterance_count += 1


def validate_acoustic(src: Source, b: ReportBuilder, opts: Options) -> None:
    """Acoustic: WAV audio plus one human-labelled transcript."""
    groups = split_files(src, DataKind.ACOUSTIC, b)
    wavs, transcripts = groups[".wav"], sorted(groups[".txt"] + groups[".tsv"])
    report = b.report
    _limits(src, len(src.names()), b)
    if not wavs:
        b.add("dataset.no_audio", "", value="no .wav files")
    if not transcripts:
        b.add("dataset.no_transcript", "", value="no .txt or .tsv file")
    for extra in transcripts[1:]:
        b.tick()
        b.add("dataset.multiple_transcripts", extra, value=f"also: {transcripts[0]}")
        b.reject(extra)
    lines: dict[str, int] = {}  # file name -> line number, negated when the line is rejected
    usable = False
    if transcripts:
        b.tick()
        usable = _read_transcript(src, transcripts[0], lines, b, opts.locale)
    for name in wavs:
        b.tick()
        info = check_audio(src, name, STT_AUDIO, b)
        line = lines.pop(name, None)
        if line is None:
            line = lines.pop(base_name(name), None)
        if info is not None and info.duration_seconds > TRAINING_SECONDS:
            b.add("audio.too_long_for_training", name, value=f"{info.duration_seconds:.1f} s")
        if info is None:
            b.reject(name)
            if line is not None and line > 0:
                report.rejected_count += 1
            continue
        if line is None and usable:  # an unreadable transcript is reported once, by itself
            b.add("audio.no_matching_transcript", name, value=base_name(name))
        b.accept(name, info.duration_seconds if line is not None and line > 0 else 0.0)
        if line is not None and line > 0:
            report.utterance_count += 1
    for key, line in lines.items():
        if line > 0:
            b.add("transcript.no_matching_audio", transcripts[0], line=line, value=key)
            report.rejected_count += 1
    if transcripts and not usable:
        # A transcript the service refuses fails the whole dataset: nothing is safe to upload.
        report.rejected_count += report.utterance_count
        report.utterance_count, report.total_audio_seconds = 0, 0.0
        for name in report.accepted_files:
            b.reject(name)
        report.accepted_files.clear()
        b.reject(transcripts[0])
    elif transcripts:
        (b.accept if report.utterance_count else b.reject)(transcripts[0])


def _read_transcript(
    src: Source, name: str, lines: dict[str, int], b: ReportBuilder, locale: str
) -> bool:
    """Read the transcript into ``lines``; False when it is not text (the dataset fails).

    Every rule is checked on every line. A line that cannot be parsed (no TAB) is still filed
    under its first word, so the WAV it names is not also reported as untranscribed.
    """
    en_us, ja_jp = locale.lower() == "en-us", locale.lower() == "ja-jp"
    enc = text_encoding(src, name, b, allow_utf16=False)
    if enc is None:
        return False
    if not en_us and not enc.bom:  # a recommendation: accepted sample data has none (ledger)
        b.add("text.no_utf8_bom", name, value=enc.label)
    report = b.report
    with src.open(name) as f:
        for line_no, line in iter_lines(f, enc):
            if not line.strip():
                continue
            tab = line.find("\t")
            if tab < 0:
                b.add("transcript.missing_tab", name, line=line_no, value=line[:60])
                report.rejected_count += 1
                key = line.split(maxsplit=1)[0]
                lines.setdefault(key, -line_no)
                continue
            key, text = line[:tab].strip(), line[tab + 1 :].strip()
            rejected = False
            if key in lines:
                first = abs(lines[key])
                b.add(
                    "transcript.duplicate_file",
                    name,
                    line=line_no,
                    value=f"{key} (first at line {first})",
                )
                rejected = True
            if not text:
                b.add("transcript.empty_text", name, line=line_no, value=key)
                rejected = True
            if en_us and not text.isascii():
                odd = "".join(dict.fromkeys(c for c in text if not c.isascii()))
                b.add("transcript.non_ascii", name, line=line_no, value=odd[:20])
            if ja_jp and len(text) > MAX_JA_CHARS:
                b.add(
                    "transcript.line_too_long", name, line=line_no, value=f"{len(text)} characters"
                )
            rep = repetition(text)
            if rep:
                b.add("text.repetition", name, line=line_no, value=rep)
            if rejected:
                report.rejected_count += 1
                lines.setdefault(key, -line_no)
            else:
                lines[key] = line_no
    return True
