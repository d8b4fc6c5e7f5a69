"""Broken sample datasets: one instance of every seedable finding of a kind and locale.

Each writer starts from a clean dataset and adds one defect per rule, each in a file (or line)
of its own, so every defect produces exactly one finding. The returned mapping (code → where)
becomes the README list that the tests compare with ``validate()``. Custom speech and personal
voice writers live in :mod:`speechflows.datasets.samples_broken_speech`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from speechflows.datasets.kinds import DataKind
from speechflows.datasets.sample_files import utterance_id, write_text
from speechflows.datasets.sample_seeder import (
    BINARY,
    Place,
    Seeded,
    Seeder,
    common_audio,
    folder_place,
)
from speechflows.datasets.sample_text import sentence
from speechflows.datasets.synth import write_mp3, write_silent_wav, write_wav


def broken_audio_and_script(data: Path, n: int, locale: str) -> tuple[Path, Seeded]:
    """AudioAndScript: ``n`` good statements plus one file or line per defect."""
    s = Seeder(DataKind.AUDIO_AND_SCRIPT, locale)
    good = max(n, 10)
    # Statements only, so the question and exclamation advice is seeded once each.
    lines = [f"{utterance_id(i)}\t{sentence(i - 1)[:-1]}." for i in range(1, good + 1)]
    for i in range(1, good + 1):
        write_wav(data / f"{utterance_id(i)}.wav", 0.8, seed=i)
    next_id = [100]

    def place(code: str, name: str) -> Path:
        next_id[0] += 1
        uid = utterance_id(next_id[0])
        s(code, f"{uid}.wav ({name})")
        lines.append(f"{uid}\t{sentence(next_id[0])[:-1]}.")
        return data / f"{uid}.wav"

    common_audio(place, lambda p: write_wav(p, 2.0))
    defects: tuple[tuple[str, Callable[[Path], Path]], ...] = (
        ("audio.sample_rate_too_low", lambda p: write_wav(p, 0.8, rate=8000)),
        ("audio.sample_rate_below_recommended", lambda p: write_wav(p, 0.8, rate=22050)),
        ("audio.not_mono", lambda p: write_wav(p, 0.8, channels=2)),
        ("audio.too_long", lambda p: write_silent_wav(p, 31.0)),
        ("audio.long_utterance", lambda p: write_silent_wav(p, 16.0)),
        ("audio.not_pcm", lambda p: write_wav(p, 0.8, bits=32, tag=3)),
        ("audio.bit_depth_too_low", lambda p: write_wav(p, 0.8, bits=8)),
    )
    for code, write in defects:
        write(place(code, code.split(".")[-1]))
    write_wav(data / "sub" / f"{utterance_id(1)}.wav", 0.8)
    s("file.duplicate_name", "sub/0000000001.wav repeats 0000000001.wav")
    write_wav(data / f" {utterance_id(140)}.wav", 0.8)
    s("file.name_invalid", "' 0000000140.wav' starts with a space")
    write_wav(data / f"{utterance_id(141)}.wav", 0.8)
    s("audio.no_matching_script", "0000000141.wav has no script line")
    for code, line in (
        ("script.no_matching_audio", f"{utterance_id(142)}\tNobody recorded this sentence."),
        ("script.missing_tab", f"{utterance_id(143)}    Spaces instead of a tab."),
        ("script.id_not_numeric", "utt144\tThe id has letters in it."),
        ("script.empty_text", f"{utterance_id(145)}\t"),
        ("script.line_too_long", f"{utterance_id(146)}\t" + " ".join(["word"] * 250) + "."),
        ("script.duplicate_id", f"{utterance_id(1)}\tA second line for the first id."),
    ):
        s(code, f"script.txt: {line.split()[0]}")
        lines.append(line)
    for i, code, text in (
        (147, "script.duplicate_text", lines[0].split("\t", 1)[1]),
        (148, "script.missing_end_punctuation", "This sentence has no full stop"),
        (149, "script.unnormalized_text", "Room 42 is on the left."),
    ):
        s(code, f"script.txt: {utterance_id(i)}")
        write_wav(data / f"{utterance_id(i)}.wav", 0.8)
        lines.append(f"{utterance_id(i)}\t{text}")
    write_text(data / "script.txt", lines, newline="\r\n")
    s("script.empty", "blank.txt holds only blank lines")
    (data / "blank.txt").write_text("\ufeff\n  \n\n", encoding="utf-8")
    s("text.encoding_invalid", "binary.txt is binary")
    (data / "binary.txt").write_bytes(BINARY)
    if s.wants("text.ansi_encoding"):
        s("text.ansi_encoding", "ansi.txt is Windows-1252")
        write_wav(data / f"{utterance_id(150)}.wav", 0.8)
        write_text(
            data / "ansi.txt",
            [f"{utterance_id(150)}\tThe café is open."],
            bom=False,
            encoding="cp1252",
        )
    s("file.unsupported_type", "0000000151.mp3 (AudioAndScript takes WAV only)")
    write_mp3(data / f"{utterance_id(151)}.mp3", 1.0)
    s("dataset.too_few_utterances", "fewer than 300 utterances")
    s("script.few_questions", "no questions")
    s("script.few_exclamations", "no exclamations")
    return data, s.seeded


def _voice_audio_defects(place: Place, s: Seeder, mp3_low: bool) -> None:
    common_audio(place, lambda p: write_silent_wav(p, 32.0, rate=16000))
    write_silent_wav(place("audio.not_pcm", "float.wav"), 32.0, rate=16000, bits=32, tag=3)
    write_silent_wav(place("audio.bit_depth_too_low", "8bit.wav"), 32.0, rate=16000, bits=8)
    write_silent_wav(place("audio.sample_rate_too_low", "8khz.wav"), 32.0, rate=8000)
    if mp3_low:
        write_mp3(place("audio.bitrate_too_low", "low.mp3"), 32.0, kbps=128)
    write_silent_wav(place("file.name_invalid", "bad:name.wav"), 32.0, rate=16000)


def broken_long_audio(data: Path, n: int, locale: str) -> tuple[Path, Seeded]:
    """LongAudio: recordings with transcripts, one defect each."""
    s = Seeder(DataKind.LONG_AUDIO, locale)
    text = " ".join(sentence(i) for i in range(6))

    def place(code: str, name: str) -> Path:
        s(code, name)
        if code != "file.name_invalid":
            write_text(data / (name.rsplit(".", 1)[0] + ".txt"), [text])
        return data / name

    for i in range(1, max(n, 1) + 1):
        write_silent_wav(data / f"chapter_{i:02d}.wav", 32.0, rate=16000)
        write_text(data / f"chapter_{i:02d}.txt", [text])
    _voice_audio_defects(place, s, mp3_low=True)
    write_silent_wav(place("audio.too_short", "short.wav"), 10.0, rate=16000)
    write_silent_wav(place("audio.shorter_than_recommended", "medium.wav"), 25.0, rate=16000)
    write_mp3(place("file.duplicate_name", "chapter_01.mp3"), 32.0, kbps=256)
    s("audio.no_matching_script", "orphan.wav has no transcript")
    write_silent_wav(data / "orphan.wav", 32.0, rate=16000)
    s("script.no_matching_audio", "lonely.txt has no recording")
    write_text(data / "lonely.txt", [text])
    s("script.empty", "blank.txt is blank")
    write_silent_wav(data / "blank.wav", 32.0, rate=16000)
    (data / "blank.txt").write_text("  \n")
    s("text.encoding_invalid", "binary.txt is binary")
    write_silent_wav(data / "binary.wav", 32.0, rate=16000)
    (data / "binary.txt").write_bytes(BINARY)
    if s.wants("text.ansi_encoding"):
        s("text.ansi_encoding", "ansi.txt is Windows-1252")
        write_silent_wav(data / "ansi.wav", 32.0, rate=16000)
        write_text(data / "ansi.txt", ["The café is open all night."], bom=False, encoding="cp1252")
    s("file.unsupported_type", "cover.jpg")
    (data / "cover.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a picture")
    return data, s.seeded


def broken_audio_only(data: Path, n: int, locale: str) -> tuple[Path, Seeded]:
    """AudioOnly: recordings, one defect each."""
    s = Seeder(DataKind.AUDIO_ONLY, locale)
    for i in range(1, max(n, 1) + 1):
        write_wav(data / f"recording_{i:02d}.wav", 2.0, seed=i)
    place = folder_place(data, s)
    _voice_audio_defects(place, s, mp3_low=False)
    write_mp3(place("audio.bitrate_too_low", "low.mp3"), 4.0, kbps=128)
    write_wav(data / "sub" / "recording_01.wav", 2.0)
    s("file.duplicate_name", "sub/recording_01.wav")
    write_text(place("file.unsupported_type", "script.txt"), ["AudioOnly takes no script."])
    return data, s.seeded


BROKEN_WRITERS: dict[DataKind, Callable[[Path, int, str], tuple[Path, Seeded]]] = {
    DataKind.AUDIO_AND_SCRIPT: broken_audio_and_script,
    DataKind.LONG_AUDIO: broken_long_audio,
    DataKind.AUDIO_ONLY: broken_audio_only,
}
