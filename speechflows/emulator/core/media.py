"""Audio headers as the service reads them: RIFF WAVE and MPEG audio, written for the emulator.

The emulator's own reading, independent of the product's probe (``speechflows.datasets``): the
emulator is our model of Azure, so it must be able to disagree with our pre-flight. A WAV's
duration comes from the byte count its header declares; an MP3 is read whole and every frame
header walked, as the service's decoder would (so VBR files without a Xing/VBRI frame count get
their true duration).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
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


HEAD_BYTES = 1 << 20  # how much of a WAV the header reading needs at most


def read_audio(read: Callable[[int], bytes], size: int) -> Media:
    """Read a file of ``size`` bytes through ``read(n)`` (its first n bytes, -1: all): a WAV's
    header from its first bytes, an MP3 whole (never raises but what ``read`` raises)."""
    data = read(HEAD_BYTES)
    if size > len(data) and _is_mp3(data):
        data = read(-1)
    return read_media(data, size)


def read_media(data: bytes, size: int) -> Media:
    """Read a WAV from its first bytes and its size, an MP3 from all of it (never raises)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return _wav(data, size)
    if _is_mp3(data):
        return _mp3(data)
    return Media("", problem="not RIFF WAVE or MPEG audio")


def _is_mp3(data: bytes) -> bool:
    return data[:3] == b"ID3" or _mp3_frame_at(data, 0) is not None


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


@dataclass(frozen=True)
class _Frame:
    """One MPEG audio Layer III frame header."""

    version: int  # 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
    kbps: int
    rate: int
    channels: int
    length: int  # bytes, header included
    samples: int  # per frame: 1152 (MPEG-1) or 576


def _mp3_frame_at(data: bytes, pos: int) -> _Frame | None:
    """The MPEG audio Layer III frame header at ``pos`` (None: no valid header there)."""
    if pos + 4 > len(data) or data[pos] != 0xFF or data[pos + 1] & 0xE0 != 0xE0:
        return None
    version, layer = (data[pos + 1] >> 3) & 3, (data[pos + 1] >> 1) & 3
    rate_index, kbps_index = (data[pos + 2] >> 2) & 3, data[pos + 2] >> 4
    if version == 1 or layer != 1 or rate_index == 3 or kbps_index in (0, 15):
        return None
    kbps = (_MP3_KBPS_V1 if version == 3 else _MP3_KBPS_V2)[kbps_index]
    rate = _MP3_RATES[version][rate_index]
    samples = 1152 if version == 3 else 576
    padding = (data[pos + 2] >> 1) & 1
    length = samples // 8 * kbps * 1000 // rate + padding
    channels = 1 if data[pos + 3] >> 6 == 3 else 2
    return _Frame(version, kbps, rate, channels, length, samples)


def _id3v2_end(data: bytes) -> int:
    """Where the audio starts: after every ID3v2 tag at the front (with its footer, if flagged)."""
    pos = 0
    while data[pos : pos + 3] == b"ID3" and pos + 10 <= len(data):
        size = 0
        for byte in data[pos + 6 : pos + 10]:
            size = size << 7 | (byte & 0x7F)
        pos += 10 + size + (10 if data[pos + 5] & 0x10 else 0)
    return pos


def _trailing_tags_start(data: bytes) -> int:
    """Where the audio ends: before an ID3v1 tag and an APEv2 tag at the back (either order)."""
    end = len(data)
    for _ in range(2):
        if end >= 128 and data[end - 128 : end - 125] == b"TAG":
            end -= 128
        elif end >= 32 and data[end - 32 : end - 24] == b"APETAGEX":
            size, _, flags = struct.unpack_from("<III", data, end - 20)
            end -= size + (32 if flags & 0x80000000 else 0)
    return max(end, 0)


def _is_tag_frame(data: bytes, pos: int, frame: _Frame) -> bool:
    """A Xing/Info or VBRI frame: a frame of metadata that decoders skip (no audio)."""
    side = (
        (32 if frame.channels == 2 else 17)
        if frame.version == 3
        else (17 if frame.channels == 2 else 9)
    )
    at = pos + 4 + side
    return data[at : at + 4] in (b"Xing", b"Info") or data[pos + 36 : pos + 40] == b"VBRI"


def _sync(data: bytes, pos: int, end: int) -> int | None:
    """The first frame at or after ``pos`` that a decoder locks onto: its successor is a frame
    of the same version and rate, or it is the last whole frame before ``end``."""
    while True:
        pos = data.find(b"\xff", pos, end - 3)
        if pos < 0:
            return None
        frame = _mp3_frame_at(data, pos)
        if frame is not None and pos + frame.length <= end:
            after = pos + frame.length
            nxt = _mp3_frame_at(data, after) if after + 4 <= end else None
            if after + 4 > end or (
                nxt is not None and (nxt.version, nxt.rate) == (frame.version, frame.rate)
            ):
                return pos
        pos += 1


def _mp3(data: bytes) -> Media:
    """Decode the frame headers of a whole MP3 (``data``) as a decoder walks them.

    Duration = whole audio frames × samples per frame / sample rate, the way a decoder counts
    what it decodes: ID3v2 tags at the front and ID3v1/APEv2 tags at the back are skipped, a
    Xing/Info/VBRI frame is metadata (not audio), bytes between frames that are no frame are
    skipped until the stream locks again (two frames in a row), and a cut last frame is not
    decoded. The bit rate is the frames' own when all share it, else their average (VBR).
    """
    start, end = _id3v2_end(data), _trailing_tags_start(data)
    pos = _sync(data, start, end) if start < end else None
    if pos is None:
        return Media("mp3", problem="no MPEG audio frame after the tags")
    first = _mp3_frame_at(data, pos)
    assert first is not None  # _sync found it
    if _is_tag_frame(data, pos, first):
        pos += first.length
    frames = audio_bytes = 0
    rates: set[int] = set()
    while pos + 4 <= end:
        frame = _mp3_frame_at(data, pos)
        if frame is None or (frame.version, frame.rate) != (first.version, first.rate):
            found = _sync(data, pos + 1, end)  # garbage: skip to where frames resume
            if found is None:
                break
            pos = found
            continue
        if pos + frame.length > end:
            break  # a cut last frame
        frames += 1
        audio_bytes += frame.length
        rates.add(frame.kbps)
        pos += frame.length
    seconds = frames * first.samples / first.rate
    if len(rates) == 1:
        kbps = rates.pop()
    else:
        kbps = round(audio_bytes * 8 / seconds / 1000) if seconds else 0
    return Media("mp3", False, first.rate, 0, first.channels, audio_bytes, seconds, kbps)
