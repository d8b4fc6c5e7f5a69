"""Synthetic audio with correct headers: WAV (PCM, float, 8–32 bit, extensible) and MP3.

The sound is speech-like enough for the audio analysis to find a clean recording: each second is
150 ms of near-silence, three tone "syllables" of 180 ms with short gaps, and 150 ms of
near-silence again (noise about 70 dB under the tone), and a file's last 150 ms are silent.
Long files can be written sparse (header, then a hole of silence), which keeps tests of "too
long" rules fast and light on disk.
"""

from __future__ import annotations

import math
import os
import random
import struct
from array import array
from functools import lru_cache
from pathlib import Path

_FLOAT = 3
_EXTENSIBLE = 0xFFFE
_PCM_GUID_TAIL = bytes.fromhex("000000001000800000aa00389b71")


def wav_header(
    *,
    rate: int,
    channels: int,
    bits: int,
    data_bytes: int,
    tag: int = 1,
    extensible: bool = False,
    riff_extra: int = 0,
) -> bytes:
    """A RIFF/WAVE header (``fmt `` + ``data`` chunk header) for ``data_bytes`` of audio."""
    block = channels * max(bits // 8, 1)
    if extensible:
        fmt = (
            struct.pack(
                "<HHIIHHHHI",
                _EXTENSIBLE,
                channels,
                rate,
                rate * block,
                block,
                bits,
                22,
                bits,
                (1 << channels) - 1,
            )
            + struct.pack("<H", tag)
            + _PCM_GUID_TAIL
        )
    else:
        fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    riff_size = 4 + 8 + len(fmt) + 8 + data_bytes + (data_bytes & 1) + riff_extra
    return (
        b"RIFF"
        + struct.pack("<I", riff_size)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", data_bytes)
    )


_SYLLABLES = (0.15, 0.41, 0.67)  # starts (s) of the three 180 ms syllables of each second
_SYLLABLE = 0.18
_RAMP = 0.02
_EDGE = 0.15  # silence at the start of each second and at the end of a file


@lru_cache(maxsize=16)
def _tone(rate: int, seed: int) -> array[int]:
    """One second of 16-bit mono: three tone syllables (110–440 Hz) between silences, light noise."""
    rng = random.Random(seed)
    freq = 110.0 * (1 + seed % 4)
    step = 2 * math.pi * freq / rate
    out = array("h", bytes(2 * rate))
    for i in range(rate):
        t = i / rate
        env = 0.0
        for start in _SYLLABLES:
            if start <= t < start + _SYLLABLE:
                env = min(1.0, (t - start) / _RAMP, (start + _SYLLABLE - t) / _RAMP)
        out[i] = int(8000 * env * math.sin(i * step) + rng.gauss(0, 3))
    return out


def pcm_bytes(
    seconds: float, *, rate: int, bits: int = 16, channels: int = 1, seed: int = 0, tag: int = 1
) -> bytes:
    """Audio samples for ``seconds`` in the given format (float when ``tag`` is 3)."""
    n = int(seconds * rate)
    base = _tone(rate, seed)
    mono = (base * (n // rate + 1))[:n]
    tail = min(n, int(_EDGE * rate))
    mono[n - tail :] = array("h", bytes(2 * tail))  # a file ends in silence, never mid-syllable
    if channels > 1:
        inter = array("h", bytes(2 * n * channels))
        for c in range(channels):
            inter[c::channels] = mono
        mono = inter
    if tag == _FLOAT:
        scale = 1 / 32768
        fmt = "<%de" if bits == 16 else "<%df"
        return struct.pack(fmt % len(mono), *(s * scale for s in mono))
    if bits == 16:
        return mono.tobytes()
    if bits == 8:
        return bytes((s >> 8) + 128 for s in mono)
    width = bits // 8
    return b"".join((s << (bits - 16)).to_bytes(width, "little", signed=True) for s in mono)


def write_wav(
    path: Path,
    seconds: float,
    *,
    rate: int = 24000,
    bits: int = 16,
    channels: int = 1,
    seed: int = 0,
    tag: int = 1,
    extensible: bool = False,
) -> Path:
    """Write a tone as a WAV file."""
    data = pcm_bytes(seconds, rate=rate, bits=bits, channels=channels, seed=seed, tag=tag)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = wav_header(
        rate=rate,
        channels=channels,
        bits=bits,
        data_bytes=len(data),
        tag=tag,
        extensible=extensible,
    )
    path.write_bytes(header + data + (b"\x00" if len(data) & 1 else b""))
    return path


def write_silent_wav(
    path: Path,
    seconds: float,
    *,
    rate: int = 24000,
    bits: int = 16,
    channels: int = 1,
    tag: int = 1,
    trailing_chunk: int = 0,
) -> Path:
    """Write a sparse silent WAV (the data is a hole), optionally followed by a JUNK chunk."""
    block = channels * max(bits // 8, 1)
    data_bytes = int(seconds * rate) * block
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(
            wav_header(
                rate=rate,
                channels=channels,
                bits=bits,
                data_bytes=data_bytes,
                tag=tag,
                riff_extra=8 + trailing_chunk if trailing_chunk else 0,
            )
        )
        f.seek(data_bytes + (data_bytes & 1), os.SEEK_CUR)
        if trailing_chunk:
            f.write(b"JUNK" + struct.pack("<I", trailing_chunk))
            f.seek(trailing_chunk - 1, os.SEEK_CUR)
            f.write(b"\x00")
        f.truncate()
    return path


_MP3_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MP3_RATES = {44100: 0, 48000: 1, 32000: 2}


def write_mp3(
    path: Path,
    seconds: float,
    *,
    kbps: int = 192,
    rate: int = 48000,
    mono: bool = True,
    id3: bool = True,
) -> Path:
    """Write an MPEG-1 layer III file of silent frames (valid headers, zeroed side info)."""
    header = bytes(
        (0xFF, 0xFB, _MP3_BITRATES.index(kbps) << 4 | _MP3_RATES[rate] << 2, 0xC0 if mono else 0x00)
    )
    length = 144 * kbps * 1000 // rate  # no padding needed at 48 and 32 kHz
    frame = header + bytes(length - 4)
    frames = max(1, round(seconds * rate / 1152))
    path.parent.mkdir(parents=True, exist_ok=True)
    tag = b"ID3\x04\x00\x00\x00\x00\x00\x0a" + bytes(10) if id3 else b""
    path.write_bytes(tag + frame * frames)
    return path
