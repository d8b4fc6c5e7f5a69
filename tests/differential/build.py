"""Data files built byte by byte for the differential tests (no product code: the headers are
written here from the RIFF and MPEG layouts, so neither reading can lend its bugs to the data).
"""

from __future__ import annotations

import struct

from hypothesis import strategies as st

MAX_AUDIO_BYTES = 1_600_000  # keeps an example small; durations shrink to fit at high rates

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
) -> bytes:
    """A RIFF WAVE file of silence; ``truncate`` bytes cut from the end of the data."""
    align = channels * max(bits // 8, 1)
    frames = round(seconds * rate)
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


_KBPS_INDEX = {32: 1, 64: 5, 96: 7, 128: 9, 160: 10, 192: 11, 256: 13, 320: 14}
_RATE_INDEX = {44100: 0, 48000: 1, 32000: 2}


def mp3(*, kbps: int, rate: int, seconds: float, id3: bool = False) -> bytes:
    """Constant-bit-rate MPEG-1 Layer III frames (silent payload), optionally after an ID3v2 tag."""
    header = bytes([0xFF, 0xFB, _KBPS_INDEX[kbps] << 4 | _RATE_INDEX[rate] << 2, 0xC4])
    frame_len = 144 * kbps * 1000 // rate
    frames = max(int(seconds * rate / 1152), 1)
    body = (header + b"\x00" * (frame_len - 4)) * frames
    tag = b"ID3\x04\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10 if id3 else b""
    return tag + body


@st.composite
def wav_files(
    draw: st.DrawFn, seconds: st.SearchStrategy[float]
) -> tuple[bytes, dict[str, object]]:
    """A WAV of any rate, depth, channel count, format tag and duration (some truncated)."""
    rate = draw(st.sampled_from([8000, 11025, 16000, 22050, 24000, 44100, 48000]))
    bits = draw(st.sampled_from([8, 16, 16, 24, 32]))
    channels = draw(st.sampled_from([1, 1, 2]))
    tag = draw(st.sampled_from([PCM] * 5 + [EXTENSIBLE, FLOAT, ALAW]))
    secs = draw(seconds)
    per_second = rate * channels * max(bits // 8, 1)
    secs = min(secs, MAX_AUDIO_BYTES / per_second)
    truncate = draw(st.sampled_from([0] * 8 + [2, 1000]))
    extra = draw(st.booleans())
    data = wav(
        rate=rate, bits=bits, channels=channels, seconds=secs, tag=tag, truncate=truncate,
        extra_chunk=extra,
    )  # fmt: skip
    return data, {"rate": rate, "bits": bits, "channels": channels, "tag": tag, "s": secs}


@st.composite
def audio_files(draw: st.DrawFn, seconds: st.SearchStrategy[float]) -> tuple[str, bytes]:
    """(extension, bytes): mostly WAV, some MP3, some not audio at all."""
    pick = draw(st.sampled_from(["wav"] * 6 + ["mp3", "mp3", "junk"]))
    if pick == "wav":
        return ".wav", draw(wav_files(seconds))[0]
    if pick == "mp3":
        kbps = draw(st.sampled_from(sorted(_KBPS_INDEX)))
        rate = draw(st.sampled_from(sorted(_RATE_INDEX)))
        secs = min(draw(seconds), MAX_AUDIO_BYTES * 8 / (kbps * 1000))
        return ".mp3", mp3(kbps=kbps, rate=rate, seconds=secs, id3=draw(st.booleans()))
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
