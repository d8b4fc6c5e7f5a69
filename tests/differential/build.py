"""Data files built byte by byte for the differential tests (no product code: the headers are
written here from the RIFF and MPEG layouts, so neither reading can lend its bugs to the data).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from hypothesis import strategies as st

# Keeps an example small; durations shrink to fit at high rates. 4.5 MB still holds 90 s of
# 24 kHz 16-bit mono (the prompt limit) and 30 s of 48 kHz 16-bit stereo (the utterance limit).
MAX_AUDIO_BYTES = 4_500_000

PCM, FLOAT, ALAW, EXTENSIBLE = 1, 3, 6, 0xFFFE
_PCM_GUID = b"\x01\x00\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"


def wav(
    *,
    rate: int,
    bits: int,
    channels: int,
    seconds: float,
    tag: int = PCM,
    truncate: int = 0,
    extra_chunk: bool = False,
    frames_off: int = 0,
) -> bytes:
    """A RIFF WAVE file of silence; ``truncate`` bytes cut from the end of the data;
    ``frames_off`` sample frames more (or fewer) than ``seconds`` holds (a limit ± one frame)."""
    align = channels * max(bits // 8, 1)
    frames = max(round(seconds * rate) + frames_off, 0)
    data_len = frames * align
    if tag == EXTENSIBLE:
        fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)
        fmt += struct.pack("<HHI", 22, bits, 0) + _PCM_GUID
    else:
        fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    if extra_chunk:
        chunks += b"LIST" + struct.pack("<I", 4) + b"INFO"
    body = b"\x00" * max(data_len - truncate, 0)
    chunks += b"data" + struct.pack("<I", data_len) + body
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


_KBPS_INDEX = {32: 1, 64: 5, 96: 7, 128: 9, 160: 10, 192: 11, 224: 12, 256: 13, 320: 14}
_RATE_INDEX = {44100: 0, 48000: 1, 32000: 2}


def mp3(*, kbps: int, rate: int, seconds: float, id3: bool = False, bytes_off: int = 0) -> bytes:
    """Constant-bit-rate MPEG-1 Layer III frames (silent payload), optionally after an ID3v2 tag.

    The audio is cut to the byte count ``seconds`` at ``kbps`` makes (plus ``bytes_off``: a
    limit ± one byte), so a duration read as bytes × 8 / bit rate lands on ``seconds``."""
    header = bytes([0xFF, 0xFB, _KBPS_INDEX[kbps] << 4 | _RATE_INDEX[rate] << 2, 0xC4])
    frame_len = 144 * kbps * 1000 // rate
    size = max(round(seconds * kbps * 125) + bytes_off, frame_len)
    body = (header + b"\x00" * (frame_len - 4)) * (size // frame_len + 1)
    tag = b"ID3\x04\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10 if id3 else b""
    return tag + body[:size]


# A duration drawn at a limit is taken as is, one sample frame under or one over.
FRAMES_OFF = st.sampled_from([0, 0, -1, 1])


@st.composite
def wav_files(
    draw: st.DrawFn, seconds: st.SearchStrategy[float]
) -> tuple[bytes, dict[str, object]]:
    """A WAV of any rate, depth, channel count, format tag and duration (some truncated)."""
    rate = draw(st.sampled_from([8000, 11025, 15999, 16000, 22050, 24000, 44100, 48000]))
    bits = draw(st.sampled_from([8, 16, 16, 24, 32]))
    channels = draw(st.sampled_from([1, 1, 2]))
    tag = draw(st.sampled_from([PCM] * 5 + [EXTENSIBLE, FLOAT, ALAW]))
    secs = draw(seconds)
    per_second = rate * channels * max(bits // 8, 1)
    secs = min(secs, MAX_AUDIO_BYTES / per_second)
    truncate = draw(st.sampled_from([0] * 8 + [2, 1000]))
    extra = draw(st.booleans())
    off = draw(FRAMES_OFF)
    data = wav(
        rate=rate, bits=bits, channels=channels, seconds=secs, tag=tag, truncate=truncate,
        extra_chunk=extra, frames_off=off,
    )  # fmt: skip
    info = {"rate": rate, "bits": bits, "channels": channels, "tag": tag, "s": secs, "off": off}
    return data, info


@dataclass(frozen=True)
class Formats:
    """The audio formats a kind takes: drawn half the time, so that its duration rules are met
    with audio nothing else rejects (a limit is only tested where the format is good)."""

    rates: tuple[int, ...]
    bits: tuple[int, ...] = (16,)
    channels: tuple[int, ...] = (1,)
    mp3_kbps: tuple[int, ...] = ()


VOICE = Formats(rates=(16000, 24000, 44100, 48000), bits=(16, 24), channels=(1, 2))
LONG_AUDIO = Formats(rates=(16000, 24000, 44100, 48000), bits=(16, 24), mp3_kbps=(256, 320))
PERSONAL = Formats(
    rates=(16000, 24000, 44100, 48000), bits=(16, 24, 32), mp3_kbps=(128, 192, 256, 320)
)
SPEECH = Formats(rates=(8000, 16000))


@st.composite
def good_audio(
    draw: st.DrawFn, formats: Formats, seconds: st.SearchStrategy[float]
) -> tuple[str, bytes]:
    """(extension, bytes) in a format the kind takes, at a duration from ``seconds`` (± one
    sample frame, or one byte of MP3)."""
    if formats.mp3_kbps and draw(st.integers(0, 3)) == 0:
        kbps = draw(st.sampled_from(formats.mp3_kbps))
        rate = draw(st.sampled_from([44100, 48000]))
        secs = min(draw(seconds), MAX_AUDIO_BYTES * 8 / (kbps * 1000))
        off = draw(FRAMES_OFF)
        return ".mp3", mp3(kbps=kbps, rate=rate, seconds=secs, id3=draw(st.booleans()),
                           bytes_off=off)  # fmt: skip
    rate = draw(st.sampled_from(formats.rates))
    bits = draw(st.sampled_from(formats.bits))
    channels = draw(st.sampled_from(formats.channels))
    secs = min(draw(seconds), MAX_AUDIO_BYTES / (rate * channels * bits // 8))
    tag = draw(st.sampled_from([PCM, PCM, PCM, EXTENSIBLE]))
    data = wav(rate=rate, bits=bits, channels=channels, seconds=secs, tag=tag,
               extra_chunk=draw(st.booleans()), frames_off=draw(FRAMES_OFF))  # fmt: skip
    return ".wav", data


@st.composite
def audio_files(
    draw: st.DrawFn, seconds: st.SearchStrategy[float], formats: Formats | None = None
) -> tuple[str, bytes]:
    """(extension, bytes): half in a format the kind takes (``formats``), the rest mostly WAV
    of any format, some MP3, some not audio at all."""
    if formats is not None and draw(st.booleans()):
        return draw(good_audio(formats, seconds))
    pick = draw(st.sampled_from(["wav"] * 6 + ["mp3", "mp3", "junk"]))
    if pick == "wav":
        return ".wav", draw(wav_files(seconds))[0]
    if pick == "mp3":
        kbps = draw(st.sampled_from(sorted(_KBPS_INDEX)))
        rate = draw(st.sampled_from(sorted(_RATE_INDEX)))
        secs = min(draw(seconds), MAX_AUDIO_BYTES * 8 / (kbps * 1000))
        return ".mp3", mp3(kbps=kbps, rate=rate, seconds=secs, id3=draw(st.booleans()),
                           bytes_off=draw(FRAMES_OFF))  # fmt: skip
    return draw(st.sampled_from([".wav", ".mp3"])), draw(st.binary(min_size=0, max_size=64))


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16-bom-le", "utf-16-bom-be", "utf-16-le", "cp1252"]
LINE_ENDS = ["\n", "\r\n", "\r"]


def encode(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding`` (``utf-16-bom-le``/``-be``: with the byte order mark)."""
    if encoding == "utf-16-bom-le":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if encoding == "utf-16-bom-be":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(encoding, errors="replace")


TEXTS = st.sampled_from(
    [
        "Hello there.",
        "Is it raining?",
        "What a day!",
        "Café au lait, s'il vous plaît.",
        "今日はいい天気です。",
        "no end punctuation",
        "",
        "   ",
        "x" * 1200,
        "see https://example.com now.",
        "It costs $5 today.",
        "yeah yeah yeah yeah yeah.",
        "tab\tinside",
        "smart “quotes” — dash.",
    ]
)

FILE_STEMS = st.sampled_from(
    ["0000000001", "0000000002", "0000000003", "12", "a:b", "x?", " lead", "trail ", "Q1", "007"]
)
