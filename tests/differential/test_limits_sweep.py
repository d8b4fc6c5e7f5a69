"""Every size, count, length and duration limit swept at the limit and one unit past it, through
both readings (issue 25, "strict where the service is strict").

``tests/test_limits.py`` checks each limit's value against the words of the spec; this module
checks the behaviour at the boundary itself: at the limit the emulator's model takes the data
and the product raises no finding of the rule; one unit past it (one sample frame, one byte,
one character, one file, one list item) the model rejects it for that rule and the product
flags it with the rule's code. Both readings also keep the invariants of ``compare.py``.
A comparison that drifts (``>`` becoming ``>=``) or a limit that moves fails here.

Data too large to build is built sparse: a zip of 2 GiB is a hole before a small archive (zip
readers find the archive from its end), a text file past 1.5 GiB a hole the size check reads
before any byte. The at-limit side of the two largest text limits is not built (it would be
read whole); the size comparison they share with Pronunciation and OutputFormatting is swept
there at the limit.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.differential.build import mp3, wav
from tests.differential.compare import compare

MIB, GIB = 1024**2, 1024**3


@dataclass(frozen=True)
class Boundary:
    """One limit: how to build data at it (``past=False``) and one unit past it (``True``)."""

    name: str
    kind: str
    build: Callable[[Path, bool], Path]
    code: str  # the product's finding past the limit
    words: str  # in the model's rejection reason past the limit
    absent_at: str | None = None  # the product code absent at the limit (default: ``code``)
    at_side: bool = True  # False: the at-limit data is too large to build (see the docstring)


def _folder(work: Path, files: dict[str, bytes]) -> Path:
    folder = work / "data"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def _utterance(audio: bytes, line: str = "0000000001\tHello there.") -> dict[str, bytes]:
    return {"0000000001.wav": audio, "script.txt": (line + "\n").encode()}


def _clips(count: int, width: int) -> dict[str, bytes]:
    """``count`` clips of 10 ms (16 kHz, 16-bit mono), named ``a`` + ``width`` digits."""
    return {
        f"a{n:0{width}}.wav": wav(rate=16_000, bits=16, channels=1, seconds=0.01)
        for n in range(count)
    }


def _frames_past(seconds: float, rate: int, past: bool, sign: int = 1) -> bytes:
    return wav(rate=rate, bits=16, channels=1, seconds=seconds, frames_off=sign if past else 0)


def _prompt_of_size(work: Path, past: bool) -> Path:
    """A 10 s 48 kHz WAV padded by a trailing JUNK chunk (a hole on disk) to 31,457,280 bytes."""
    size = 31_457_280 + past
    base = wav(rate=48_000, bits=16, channels=1, seconds=10.0)
    pad = size - len(base) - 8
    head = b"RIFF" + (size - 8).to_bytes(4, "little") + base[8:] + b"JUNK"
    folder = work / "data"
    folder.mkdir()
    with (folder / "prompt.wav").open("wb") as f:
        f.write(head + pad.to_bytes(4, "little"))
        f.truncate(size)
    return folder


def _zip(work: Path, members: dict[str, bytes], *, hole: int = 0) -> Path:
    """An archive of ``members``, after a hole of ``hole`` bytes (0: none)."""
    small = work / "members.zip"
    with zipfile.ZipFile(small, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    if not hole:
        return small
    archive = work / "data.zip"
    with archive.open("wb") as f:
        f.seek(hole)
        f.write(small.read_bytes())
    return archive


def _zip_size(work: Path, total: int) -> Path:
    members = {"a.wav": wav(rate=16_000, bits=16, channels=1, seconds=0.5)}
    small = _zip(work, members)
    return _zip(work, members, hole=total - small.stat().st_size)


def _two_hours(work: Path, past: bool) -> Path:
    """One 8 kHz 16-bit mono WAV of 7,200 s (+ one frame), deflated (115 MB of silence)."""
    frames = 7_200 * 8_000 + past
    head = wav(rate=8_000, bits=16, channels=1, seconds=0.0)
    head = head[:4] + (len(head) - 8 + frames * 2).to_bytes(4, "little") + head[8:-4]
    head += (frames * 2).to_bytes(4, "little")
    archive = work / "data.zip"
    with (
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open("long.wav", "w") as f,
    ):
        f.write(head)
        chunk = b"\x00" * MIB
        left = frames * 2
        while left:
            f.write(chunk[: min(left, MIB)])
            left -= min(left, MIB)
    return archive


def _text(work: Path, name: str, data: bytes) -> Path:
    path = work / name
    path.write_bytes(data)
    return path


def _text_of_size(work: Path, name: str, line: bytes, size: int) -> Path:
    """Whole lines of ``line`` padded with spaces on the last to exactly ``size`` bytes."""
    body = line * (size // len(line))
    body += b" " * (size - len(body))
    return _text(work, name, body)


def _hole(work: Path, name: str, size: int) -> Path:
    path = work / name
    with path.open("wb") as f:
        f.truncate(size)
    return path


def _markdown(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


BOUNDARIES = [
    Boundary(
        "prompt file size 31,457,280 bytes",
        "Prompt",
        _prompt_of_size,
        "audio.file_too_large",
        "bytes (at most 31457280)",
    ),
    Boundary(
        "prompt at least 5 s",
        "Prompt",
        lambda w, past: _folder(w, {"p.wav": _frames_past(5.0, 16_000, past, -1)}),
        "audio.too_short",
        "(5–90 s)",
    ),
    Boundary(
        "prompt at most 90 s",
        "Prompt",
        lambda w, past: _folder(w, {"p.wav": _frames_past(90.0, 16_000, past)}),
        "audio.too_long",
        "(5–90 s)",
    ),
    Boundary(
        "personal voice sample rates 16/24/44.1/48 kHz",
        "Consent",
        lambda w, past: _folder(
            w,
            {"c22050.wav": wav(rate=22_050, bits=16, channels=1, seconds=4.0)}
            if past
            else {
                f"c{r}.wav": wav(rate=r, bits=16, channels=1, seconds=4.0)
                for r in (16_000, 24_000, 44_100, 48_000)
            },
        ),
        "audio.sample_rate_unsupported",
        "(16, 24, 44.1 or 48 kHz)",
    ),
    Boundary(
        "personal voice bit depths 16/24/32",
        "Consent",
        lambda w, past: _folder(
            w,
            {"c8.wav": wav(rate=24_000, bits=8, channels=1, seconds=4.0)}
            if past
            else {
                f"c{b}.wav": wav(rate=24_000, bits=b, channels=1, seconds=4.0) for b in (16, 24, 32)
            },
        ),
        "audio.bit_depth_unsupported",
        "(16, 24 or 32)",
    ),
    Boundary(
        "personal voice MP3 128/192/256/320 kbps",
        "Consent",
        lambda w, past: _folder(
            w,
            {f"c{k}.mp3": mp3(kbps=k, rate=48_000, seconds=4.0) for k in (160, 224)}
            if past
            else {f"c{k}.mp3": mp3(kbps=k, rate=48_000, seconds=4.0) for k in (128, 192, 256, 320)},
        ),
        "audio.bitrate_unsupported",
        "(128, 192, 256 or 320)",
    ),
    Boundary(
        "AudioAndScript at least 16 kHz",
        "AudioAndScript",
        lambda w, past: _folder(
            w, _utterance(_frames_past(1.0, 15_999 if past else 16_000, False))
        ),
        "audio.sample_rate_too_low",
        "(at least 16000 Hz)",
    ),
    Boundary(
        "AudioAndScript at least 16-bit",
        "AudioAndScript",
        lambda w, past: _folder(
            w, _utterance(wav(rate=24_000, bits=8 if past else 16, channels=1, seconds=1.0))
        ),
        "audio.bit_depth_too_low",
        "(PCM of at least 16 bits)",
    ),
    Boundary(
        "AudioAndScript at most 30 s",
        "AudioAndScript",
        lambda w, past: _folder(w, _utterance(_frames_past(30.0, 24_000, past))),
        "audio.too_long",
        "(at most 30 s)",
    ),
    Boundary(
        "script line at most 1,000 characters",
        "AudioAndScript",
        lambda w, past: _folder(
            w,
            _utterance(
                _frames_past(1.0, 24_000, False),
                "0000000001\t" + "a" * (1_000 + past - 12) + ".",
            ),
        ),
        "script.line_too_long",
        "(at most 1000)",
    ),
    Boundary(
        # Deliberate difference (ledger): exactly 20 s is rejected by the model, warned by the
        # product; one frame more is taken by both.
        "LongAudio longer than 20 s",
        "LongAudio",
        lambda w, past: _folder(
            w,
            {
                "talk.wav": _frames_past(20.0, 24_000, not past),
                "talk.txt": b"A long talk about the weather.",
            },
        ),
        "audio.shorter_than_recommended",
        "(longer than 20 s)",
        absent_at="audio.too_short",
    ),
    Boundary(
        "LongAudio MP3 at least 256 kbps",
        "LongAudio",
        lambda w, past: _folder(
            w,
            {
                "talk.mp3": mp3(kbps=224 if past else 256, rate=48_000, seconds=25.0),
                "talk.txt": b"A long talk about the weather.",
            },
        ),
        "audio.bitrate_too_low",
        "kbps MP3 (at least 256)",
    ),
    Boundary(
        "LongAudio/AudioOnly at most 1,000 files",
        "AudioOnly",
        lambda w, past: _folder(w, _clips(1_000 + past, 4)),
        "dataset.too_many_files",
        "audio files (at most 1000)",
    ),
    Boundary(
        "Speech to text 8 or 16 kHz",
        "AudioFiles",
        lambda w, past: _zip(
            w,
            {"a.wav": wav(rate=22_050, bits=16, channels=1, seconds=0.5)}
            if past
            else {
                f"a{r}.wav": wav(rate=r, bits=16, channels=1, seconds=0.5) for r in (8_000, 16_000)
            },
        ),
        "audio.sample_rate_unsupported",
        "(8 or 16 kHz)",
    ),
    Boundary(
        "Speech to text 16-bit",
        "AudioFiles",
        lambda w, past: _zip(
            w, {"a.wav": wav(rate=16_000, bits=24 if past else 16, channels=1, seconds=0.5)}
        ),
        "audio.bit_depth_unsupported",
        "(16-bit PCM)",
    ),
    Boundary(
        "Speech to text mono",
        "AudioFiles",
        lambda w, past: _zip(
            w, {"a.wav": wav(rate=16_000, bits=16, channels=2 if past else 1, seconds=0.5)}
        ),
        "audio.not_mono",
        "channels (mono)",
    ),
    Boundary(
        "Speech to text at most 2 h per file",
        "AudioFiles",
        _two_hours,
        "audio.too_long",
        "(at most 7200 s)",
    ),
    Boundary(
        "Speech to text at most 10,000 files per archive",
        "AudioFiles",
        lambda w, past: _zip(w, _clips(10_000 + past, 5)),
        "dataset.too_many_files",
        "files in the archive (at most 10000)",
    ),
    Boundary(
        "Speech to text archive at most 2 GiB",
        "AudioFiles",
        lambda w, past: _zip_size(w, 2 * GIB + past),
        "dataset.too_large",
        "bytes (at most 2147483648)",
    ),
    Boundary(
        "Pronunciation at most 1 MiB",
        "Pronunciation",
        lambda w, past: _text_of_size(w, "p.txt", b"IEEE\tI triple E\n", MIB + past),
        "file.too_large",
        f"bytes (at most {MIB})",
    ),
    Boundary(
        "OutputFormatting at most 10 MiB",
        "OutputFormatting",
        lambda w, past: _text_of_size(w, "f.txt", b"# profanity\nword\n", 10 * MIB + past),
        "file.too_large",
        f"bytes (at most {10 * MIB})",
    ),
    Boundary(
        "LanguageMarkdown at most 200 MiB",
        "LanguageMarkdown",
        lambda w, past: _hole(w, "m.md", 200 * MIB + 1),
        "file.too_large",
        f"bytes (at most {200 * MIB})",
        at_side=False,
    ),
    Boundary(
        "Language at most 1.5 GiB",
        "Language",
        lambda w, past: _hole(w, "l.txt", 1_536 * MIB + 1),
        "file.too_large",
        f"bytes (at most {1_536 * MIB})",
        at_side=False,
    ),
    Boundary(
        "LanguageMarkdown at most 20 lists",
        "LanguageMarkdown",
        lambda w, past: _text(
            w,
            "m.md",
            _markdown(
                [line for n in range(20 + past) for line in (f"@ list l{n} =", f"- item {n}")]
            ),
        ),
        "markdown.too_many_lists",
        "lists (at most 20)",
    ),
    Boundary(
        "LanguageMarkdown at most 35,000 items per list",
        "LanguageMarkdown",
        lambda w, past: _text(
            w, "m.md", _markdown(["@ list city ="] + [f"- c{n}" for n in range(35_000 + past)])
        ),
        "markdown.list_too_long",
        "items (at most 35000)",
    ),
    Boundary(
        "LanguageMarkdown at most 15,000 lexicon entries",
        "LanguageMarkdown",
        lambda w, past: _text(
            w,
            "m.md",
            _markdown(
                ["@ speech:phoneticlexicon"] + [f"- w{n}/w ah" for n in range(15_000 + past)]
            ),
        ),
        "markdown.lexicon_too_large",
        "lexicon entries (at most 15000)",
    ),
    Boundary(
        "LanguageMarkdown at most 2 pronunciations a word",
        "LanguageMarkdown",
        lambda w, past: _text(
            w,
            "m.md",
            _markdown(
                ["@ speech:phoneticlexicon"] + [f"- tomato/t ah {n}" for n in range(2 + past)]
            ),
        ),
        "markdown.too_many_pronunciations",
        "more than 2 pronunciations",
    ),
]

CASES = [(b, past) for b in BOUNDARIES for past in (False, True) if past or b.at_side]


@pytest.mark.parametrize(
    ("boundary", "past"),
    CASES,
    ids=[f"{b.name} ({'past' if past else 'at'})" for b, past in CASES],
)
def test_each_limit_at_the_limit_and_one_past(
    boundary: Boundary, past: bool, tmp_path: Path
) -> None:
    path = boundary.build(tmp_path, past)
    verdicts = compare(path, boundary.kind, "en-US", tmp_path)
    assert verdicts.breaches == [], verdicts.breaches
    reasons = [r["reason"] for r in verdicts.emulator.report["rejections"]]
    codes = {f.code for f in verdicts.product}
    model_rejects = any(boundary.words in reason for reason in reasons)
    if past:
        assert model_rejects, f"{boundary.name}: the model takes it: {reasons}"
        assert boundary.code in codes, f"{boundary.name}: the product says {sorted(codes)}"
    else:
        assert not model_rejects, f"{boundary.name}: the model rejects it: {reasons}"
        absent = boundary.absent_at or boundary.code
        assert absent not in codes, f"{boundary.name}: the product flags {absent}"
