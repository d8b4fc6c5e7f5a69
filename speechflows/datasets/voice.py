"""Validators for voice data: professional voice training sets and personal voice audio.

Professional voice (``AudioAndScript``, ``LongAudio``, ``AudioOnly``) follows Learn's "training
data for custom voice"; personal voice (``Consent``, ``Prompt``) follows the personal voice
how-tos. Mono is not required by the docs for either; it is a warning for AudioAndScript only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from speechflows.datasets.audio_checks import (
    READ_ERRORS,
    AudioSpec,
    check_audio,
    check_name,
    unreadable,
)
from speechflows.datasets.kinds import KIND_EXTENSIONS, DataKind
from speechflows.datasets.report import ReportBuilder
from speechflows.datasets.sources import Source, stem, suffix
from speechflows.datasets.text_checks import text_encoding
from speechflows.datasets.voice_scripts import parse_scripts

DEFAULT_MIN_UTTERANCES = 300  # the usual recipe minUtteranceCount
MAX_ZIP_BYTES = 2048 * 1024 * 1024
MAX_LONG_AUDIO_FILES = 1000
_PERSONAL_RATES = frozenset({16000, 24000, 44100, 48000})

AUDIO_AND_SCRIPT = AudioSpec(
    containers=frozenset({"wav"}),
    min_rate=16000,
    recommended_rate=24000,
    min_bits=16,
    mono=True,
    durations=(("audio.too_long", None, 30.0), ("audio.long_utterance", None, 15.0)),
)
LONG_AUDIO = AudioSpec(
    containers=frozenset({"wav", "mp3"}),
    min_rate=16000,
    min_bits=16,
    mp3_min_kbps=256,
    durations=(("audio.too_short", 20.0, None), ("audio.shorter_than_recommended", 30.0, None)),
)
AUDIO_ONLY = AudioSpec(
    containers=frozenset({"wav", "mp3"}),
    min_rate=16000,
    min_bits=16,
    mp3_min_kbps=256,
)
CONSENT = AudioSpec(
    containers=frozenset({"wav", "mp3"}),
    sample_rates=_PERSONAL_RATES,
    bit_depths=frozenset({16, 24, 32}),
    mp3_bitrates=frozenset({128, 192, 256, 320}),
    durations=(("audio.too_short", 3.0, None), ("audio.too_long", None, 90.0)),
)
# Prompt audio is recorded like the consent: the same formats, a longer minimum, a size cap:
# "Maximum file size is 30MB", x-ms-max-length 31457280 (customvoice 2026-01-01, audioData).
PROMPT_MAX_BYTES = 31_457_280
PROMPT = replace(
    CONSENT,
    durations=(("audio.too_short", 5.0, None), ("audio.too_long", None, 90.0)),
    max_bytes=PROMPT_MAX_BYTES,
)


@dataclass(frozen=True)
class Options:
    """Per-call options of :func:`speechflows.datasets.validate`."""

    locale: str
    min_utterances: int | None


def split_files(src: Source, kind: DataKind, b: ReportBuilder) -> dict[str, list[str]]:
    """Group the files by extension; report (and count) the files the kind does not use."""
    names = src.names()
    b.total = len(names)
    wanted = KIND_EXTENSIONS[kind]
    groups: dict[str, list[str]] = {ext: [] for ext in wanted}
    for name in names:
        ext = suffix(name)
        if ext in wanted:
            groups[ext].append(name)
        else:
            b.add("file.unsupported_type", name, value=ext or "(no extension)")
            b.reject(name)
            b.tick()
    return groups


def validate_audio_and_script(src: Source, b: ReportBuilder, opts: Options) -> None:
    """AudioAndScript: WAV utterances paired by base name with `<id><TAB><text>` lines."""
    groups = split_files(src, DataKind.AUDIO_AND_SCRIPT, b)
    wavs, scripts = groups[".wav"], groups[".txt"]
    report = b.report
    if not wavs:
        b.add("dataset.no_audio", "", value="no .wav files")
    if not scripts:
        b.add("dataset.no_script", "", value="no .txt files")
    index = parse_scripts(src, scripts, b, opts.locale)
    ids, seen = index.ids, set[str]()
    for name in wavs:
        b.tick()
        named = check_name(name, seen, b)
        packed = ids.pop(stem(name), None)
        info = check_audio(src, name, AUDIO_AND_SCRIPT, b) if named else None
        # One root cause, one finding: a WAV whose line is malformed is reported at that line,
        # and a script that cannot be read is reported once, not once more per WAV.
        orphan = packed is None and stem(name) not in index.malformed
        if info is not None and orphan and any(index.readable):
            b.add("audio.no_matching_script", name, value=stem(name))
        if info is not None and packed is not None and packed >= 0:
            b.accept(name, info.duration_seconds)
            report.utterance_count += 1
            index.used[packed >> 32] = True
            continue
        b.reject(name)
        if (packed is None and stem(name) not in index.malformed) or (
            packed is not None and packed >= 0
        ):  # a rejected or malformed line was counted when it was read
            report.rejected_count += 1
    for uid, packed in ids.items():
        if packed >= 0:
            script, line = index.where(packed)
            b.add("script.no_matching_audio", script, line=line, value=uid)
            report.rejected_count += 1
    for n, name in enumerate(scripts):
        (b.accept if index.readable[n] and index.used[n] else b.reject)(name)
    minimum = DEFAULT_MIN_UTTERANCES if opts.min_utterances is None else opts.min_utterances
    if report.utterance_count < minimum:
        b.add(
            "dataset.too_few_utterances",
            "",
            value=f"{report.utterance_count} utterances (minimum {minimum})",
        )
    if index.lines_ok >= 10:
        for count, code in (
            (index.questions, "script.few_questions"),
            (index.exclamations, "script.few_exclamations"),
        ):
            if count * 10 < index.lines_ok:
                b.add(code, "", value=f"{count} of {index.lines_ok} sentences")
    if report.total_bytes > MAX_ZIP_BYTES:
        b.add("dataset.too_large", "", value=f"{report.total_bytes / 2**20:.0f} MB")


def validate_long_audio(src: Source, b: ReportBuilder, opts: Options) -> None:
    """LongAudio: WAV/MP3 recordings over 20 s, each with a transcript of the same base name."""
    groups = split_files(src, DataKind.LONG_AUDIO, b)
    audio = sorted(groups[".wav"] + groups[".mp3"])
    report = b.report
    transcripts: dict[str, tuple[str, bool]] = {}
    seen: set[str] = set()
    for name in groups[".txt"]:
        b.tick()
        if not check_name(name, seen, b):
            b.reject(name)
            continue
        transcripts[stem(name)] = (name, _transcript_ok(src, name, b))
    stems: set[str] = set()
    if not audio:
        b.add("dataset.no_audio", "", value="no .wav or .mp3 files")
    elif len(audio) > MAX_LONG_AUDIO_FILES:
        b.add("dataset.too_many_files", "", value=f"{len(audio)} audio files")
    for name in audio:
        b.tick()
        key = stem(name)
        if key.lower() in stems:
            b.add("file.duplicate_name", name, value=f"{key} (one recording per transcript)")
            b.reject(name)
            continue
        stems.add(key.lower())
        info = check_audio(src, name, LONG_AUDIO, b) if check_name(name, seen, b) else None
        text = transcripts.pop(key, None)
        if info is not None and text is None:
            b.add("audio.no_matching_script", name, value=key)
        if info is not None and text is not None and text[1]:
            b.accept(name, info.duration_seconds)
            b.accept(text[0])
            report.utterance_count += 1
            continue
        b.reject(name)
        report.rejected_count += 1
        if text is not None:
            b.reject(text[0])
    for name, readable in transcripts.values():
        if readable:
            b.add("script.no_matching_audio", name, value=stem(name))
        b.reject(name)
        report.rejected_count += 1
    if report.total_bytes > MAX_ZIP_BYTES:
        b.add("dataset.too_large", "", value=f"{report.total_bytes / 2**20:.0f} MB")


def _transcript_ok(src: Source, name: str, b: ReportBuilder) -> bool:
    enc = text_encoding(src, name, b, allow_ansi=True)
    if enc is None:
        return False
    try:
        with src.open(name) as f:
            content = f.read(1 << 16)
    except READ_ERRORS as exc:
        unreadable(b, name, exc)
        return False
    if not content.decode(enc.codec, errors="replace").strip():
        b.add("file.empty" if not content else "script.empty", name, value="no transcript text")
        return False
    if enc.codec == "cp1252":
        b.add("text.ansi_encoding", name, value=enc.label)
    return True


Validator = Callable[[Source, ReportBuilder, Options], None]


def validate_audio_files(kind: DataKind, spec: AudioSpec, names_checked: bool) -> Validator:
    """Return a validator for kinds made of audio files only (AudioOnly, Consent, Prompt)."""

    def run(src: Source, b: ReportBuilder, opts: Options) -> None:
        groups = split_files(src, kind, b)
        audio = sorted(name for files in groups.values() for name in files)
        if not audio:
            b.add("dataset.no_audio", "", value="no audio files")
        elif kind is DataKind.AUDIO_ONLY and len(audio) > MAX_LONG_AUDIO_FILES:
            b.add("dataset.too_many_files", "", value=f"{len(audio)} audio files")
        seen: set[str] = set()
        for name in audio:
            b.tick()
            named = not names_checked or check_name(name, seen, b)
            info = check_audio(src, name, spec, b) if named else None
            if info is not None:
                b.accept(name, info.duration_seconds)
                b.report.utterance_count += 1
            else:
                b.reject(name)
                b.report.rejected_count += 1
        if kind is DataKind.AUDIO_ONLY and b.report.total_bytes > MAX_ZIP_BYTES:
            b.add("dataset.too_large", "", value=f"{b.report.total_bytes / 2**20:.0f} MB")

    return run
