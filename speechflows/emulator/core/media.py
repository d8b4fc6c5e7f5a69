"""Audio headers as the service reads them: RIFF WAVE and MPEG audio, written for the emulator.

The emulator's own reading, independent of the product's probe (``speechflows.datasets``): the
emulator is our model of Azure, so it must be able to disagree with our pre-flight. Only headers
are read; durations come from the byte counts the headers declare.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

PCM = 1
EXTENSIBLE = 0xFFFE
# The first two bytes of the KSDATAFORMAT_SUBTYPE_PCM GUID (the rest is the fixed suffix).
_PCM_SUBFORMAT = b"\x01\x00\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"

# MPEG-1 Layer III bit rates (kbps) and sample rates by version (ISO/IEC 11172-3, 13818-3).
_MP3_KBPS_V1 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0)
_MP3_KBPS_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0)
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


@dataclass(frozen=True)
class Media:
    """What a header says. ``problem`` is set when the service cannot read it as audio."""

    container: str  # "wav", "mp3" or "" (neither)
    pcm: bool = False
    sample_rate: int = 0
    bits: int = 0
    channels: int = 0
    data_bytes: int = 0
    seconds: float = 0.0
    kbps: int = 0
    problem: str | None = None


HEAD_BYTES = 1 << 20  # how much of a file the header reading needs at most


def read_media(data: bytes, size: int) -> Media:
    """Read a WAV or MP3 header from the file's first bytes and its size (never raises)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return _wav(data, size)
    if data[:3] == b"ID3" or _mp3_frame_at(data, 0) is not None:
        return _mp3(data, size)
    return Media("", problem="not RIFF WAVE or MPEG audio")


def _wav(data: bytes, size: int) -> Media:
    pos, fmt, data_at, data_len = 12, None, -1, 0
    while pos + 8 <= len(data):
        chunk, length = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        if chunk == b"fmt ":
            fmt = data[pos + 8 : pos + 8 + length]
        elif chunk == b"data":
            data_at, data_len = pos + 8, length
            break
        pos += 8 + length + (length & 1)
    if fmt is None or len(fmt) < 16:
        return Media("wav", problem="no fmt chunk")
    if data_at < 0:
        return Media("wav", problem="no data chunk")
    tag, channels, rate, _, align, bits = struct.unpack_from("<HHIIHH", fmt)
    pcm = tag == PCM or (tag == EXTENSIBLE and len(fmt) >= 40 and fmt[24:40] == _PCM_SUBFORMAT)
    if not channels or not rate or not align:
        return Media("wav", problem="fmt chunk declares no channels, rate or block size")
    if data_at + data_len > size:
        return Media(
            "wav",
            pcm=pcm,
            sample_rate=rate,
            bits=bits,
            channels=channels,
            data_bytes=data_len,
            problem=f"data chunk declares {data_len} bytes, the file ends before",
        )
    seconds = (data_len // align) / rate
    return Media("wav", pcm, rate, bits, channels, data_len, seconds)


def _mp3_frame_at(data: bytes, pos: int) -> tuple[int, int, int] | None:
    """(kbps, sample rate, channels) of an MPEG audio Layer III frame header at ``pos``."""
    if pos + 4 > len(data) or data[pos] != 0xFF or data[pos + 1] & 0xE0 != 0xE0:
        return None
    version, layer = (data[pos + 1] >> 3) & 3, (data[pos + 1] >> 1) & 3
    rate_index, kbps_index = (data[pos + 2] >> 2) & 3, data[pos + 2] >> 4
    if version == 1 or layer != 1 or rate_index == 3 or kbps_index in (0, 15):
        return None
    kbps = (_MP3_KBPS_V1 if version == 3 else _MP3_KBPS_V2)[kbps_index]
    channels = 1 if data[pos + 3] >> 6 == 3 else 2
    return kbps, _MP3_RATES[version][rate_index], channels


def _mp3(data: bytes, size: int) -> Media:
    pos = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        pos = 10 + (data[6] << 21 | data[7] << 14 | data[8] << 7 | data[9])
    frame = _mp3_frame_at(data, pos)
    if frame is None:
        return Media("mp3", problem="no MPEG audio frame after the tags")
    kbps, rate, channels = frame
    audio = size - pos
    return Media("mp3", False, rate, 0, channels, audio, audio * 8 / (kbps * 1000), kbps)
