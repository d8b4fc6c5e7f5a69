"""Audio probing from headers: RIFF/WAVE chunks and MPEG audio frame headers.

Only headers are read (a few KB per file; for an MP3 at most 64 KiB after its ID3v2 tag and its
last 160 bytes), so probing is fast and memory does not depend on the file size. An MP3's
duration is exact with a Xing/Info/VBRI frame count or when its frames fit in what is read, else
the first frame's bit rate estimates it (``AudioInfo.duration_estimated`` when the frames read
show that estimate is unsure). Garbage raises :class:`AudioProbeError` with a finding code; a WAV whose ``data``
chunk claims more bytes than the file holds is returned with ``truncated=True``.

>>> import io, struct
>>> hdr = b"RIFF" + struct.pack("<I", 36) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1,
...     16000, 32000, 2, 16) + b"data" + struct.pack("<I", 0)
>>> probe_stream(io.BytesIO(hdr), len(hdr)).sample_rate
16000
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_HEAD = 4096
_WAVE_CODECS = {
    1: "pcm",
    2: "ms_adpcm",
    3: "ieee_float",
    6: "alaw",
    7: "mulaw",
    0x11: "ima_adpcm",
    0x50: "mpeg",
    0x55: "mp3",
}
_KSDATAFORMAT_TAIL = bytes.fromhex("000000001000800000aa00389b71")
_MPEG_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_BITRATES_V1_L3 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_BITRATES_V2_L3 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_MAGIC = (
    (b"fLaC", "FLAC audio"),
    (b"OggS", "Ogg audio"),
    (b"\x1aE\xdf\xa3", "WebM/Matroska"),
    (b"#!AMR", "AMR audio"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"%PDF", "a PDF document"),
    (b"RIFX", "big-endian RIFF (RIFX)"),
    (b"RF64", "RF64 WAV"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)


class AudioProbeError(ValueError):
    """The bytes are not audio the probe understands.

    Attributes:
        code: the finding code (``audio.unrecognized``, ``audio.malformed``,
            ``audio.truncated``, ``file.empty``).
        value: what was found, e.g. ``"text"`` or ``"no data chunk"``.
    """

    def __init__(self, code: str, value: str) -> None:
        super().__init__(f"{code}: {value}")
        self.code = code
        self.value = value


@dataclass(frozen=True, slots=True)
class AudioInfo:
    """What the headers say about an audio file.

    Attributes:
        container: ``"wav"`` or ``"mp3"``.
        codec: ``"pcm"``, ``"ieee_float"``, ``"alaw"``, … for WAV; ``"mp3"`` for MP3.
        sample_rate: samples per second.
        channels: 1 = mono.
        bits_per_sample: WAV sample size (valid bits for WAVE_FORMAT_EXTENSIBLE); None for MP3.
        duration_seconds: from the data size (WAV) or frame count / bitrate (MP3).
        bitrate_kbps: average bitrate.
        truncated: the WAV header declares more data than the file holds.
        data_bytes: size of the audio data as declared.
        vbr: an MP3 whose frames have more than one bit rate (``bitrate_kbps`` is their average).
        duration_estimated: an MP3 without a Xing/Info/VBRI frame count whose frames, in the
            part read, vary in bit rate or have other bytes between them: the duration is the
            constant-bit-rate estimate from the first frame (only a decoder reading the whole
            file knows it).
    """

    container: str
    codec: str
    sample_rate: int
    channels: int
    bits_per_sample: int | None
    duration_seconds: float
    bitrate_kbps: float | None
    truncated: bool = False
    data_bytes: int = 0
    vbr: bool = False
    duration_estimated: bool = False


def probe_audio(path: Path) -> AudioInfo:
    """Probe the audio file at ``path`` from its headers.

    Raises:
        AudioProbeError: empty, not audio, or a broken header.
        OSError: the file cannot be read.
    """
    with open(path, "rb") as f:
        return probe_stream(f, os.fstat(f.fileno()).st_size)


def probe_stream(f: BinaryIO, size: int) -> AudioInfo:
    """Probe an open binary stream of ``size`` bytes positioned at its start."""
    head = f.read(_HEAD)
    if not head:
        raise AudioProbeError("file.empty", "0 bytes")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return _probe_wav(f, head, size)
    if head[:3] == b"ID3" or _frame_at(head, 0) is not None:
        return _probe_mp3(f, head, size)
    raise AudioProbeError("audio.unrecognized", sniff(head))


def sniff(head: bytes) -> str:
    """Describe non-audio bytes for a finding: ``"text"``, ``"a ZIP archive"``, ``"bytes 00ff…"``."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if head[4:8] == b"ftyp":
        return "MP4/M4A audio"
    if head[:4] == b"RIFF":
        return f"RIFF {head[8:12].decode('latin-1')!r}, not WAVE"
    sample = head[:512]
    if sample and b"\x00" not in sample:
        try:
            sample.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(sample) - 4:  # a multi-byte char cut at the end is fine
                return f"bytes {head[:8].hex()}"
        return "text"
    return f"bytes {head[:8].hex()}"


def _probe_wav(f: BinaryIO, head: bytes, size: int) -> AudioInfo:
    pos = 12
    fmt: bytes | None = None
    data_size: int | None = None
    data_end = 0
    buf, buf_at = head, 0
    while pos + 8 <= size:
        if pos + 8 > buf_at + len(buf):
            f.seek(pos)
            buf, buf_at = f.read(_HEAD), pos
        rel = pos - buf_at
        chunk_id = buf[rel : rel + 4]
        (chunk_size,) = struct.unpack_from("<I", buf, rel + 4)
        body = pos + 8
        if chunk_id == b"fmt ":
            if chunk_size < 16:
                raise AudioProbeError("audio.malformed", f"fmt chunk of {chunk_size} bytes")
            if body + min(chunk_size, 40) > buf_at + len(buf):
                f.seek(body)
                buf, buf_at = f.read(_HEAD), body
            start = body - buf_at
            fmt = buf[start : start + min(chunk_size, 40)]
            if len(fmt) < 16:
                raise AudioProbeError("audio.truncated", "file ends inside the fmt chunk")
        elif chunk_id == b"data":
            if chunk_size == 0xFFFFFFFF:
                raise AudioProbeError("audio.malformed", "data size unset (streamed WAV)")
            data_size, data_end = chunk_size, body + chunk_size
            if fmt is not None:
                break
        elif body + chunk_size > size and fmt is None:
            raise AudioProbeError("audio.truncated", f"{chunk_id!r} chunk runs past the end")
        pos = body + chunk_size + (chunk_size & 1)  # chunks are padded to even sizes
    if fmt is None:
        raise AudioProbeError("audio.malformed", "no fmt chunk")
    if data_size is None:
        raise AudioProbeError("audio.malformed", "no data chunk")
    tag, channels, rate, byte_rate, block_align, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == 0xFFFE and len(fmt) >= 40 and fmt[26:40] == _KSDATAFORMAT_TAIL:
        (valid_bits,) = struct.unpack_from("<H", fmt, 18)
        tag = struct.unpack_from("<H", fmt, 24)[0]
        bits = valid_bits or bits
    codec = _WAVE_CODECS.get(tag, f"0x{tag:04x}")
    if channels == 0 or rate == 0 or block_align == 0:
        raise AudioProbeError(
            "audio.malformed", f"fmt says {channels} channels, {rate} Hz, block {block_align}"
        )
    bytes_per_second = rate * block_align if codec == "pcm" else byte_rate
    duration = data_size / bytes_per_second if bytes_per_second else 0.0
    return AudioInfo(
        container="wav",
        codec=codec,
        sample_rate=rate,
        channels=channels,
        bits_per_sample=bits,
        duration_seconds=duration,
        bitrate_kbps=bytes_per_second * 8 / 1000,
        truncated=data_end > size,
        data_bytes=data_size,
    )


def _frame_at(buf: bytes, i: int) -> tuple[int, int, int, int, int, int] | None:
    """Parse an MPEG layer III frame header at ``buf[i]``.

    Returns (version_bits, bitrate_kbps, sample_rate, channels, frame_length, samples) or None.
    """
    if i + 4 > len(buf) or buf[i] != 0xFF or buf[i + 1] & 0xE0 != 0xE0:
        return None
    b1, b2, b3 = buf[i + 1], buf[i + 2], buf[i + 3]
    version, layer = (b1 >> 3) & 3, (b1 >> 1) & 3
    br_index, sr_index = b2 >> 4, (b2 >> 2) & 3
    if version == 1 or layer != 1 or br_index in (0, 15) or sr_index == 3:
        return None
    rate = _MPEG_RATES[version][sr_index]
    kbps = (_BITRATES_V1_L3 if version == 3 else _BITRATES_V2_L3)[br_index]
    samples = 1152 if version == 3 else 576
    length = samples // 8 * kbps * 1000 // rate + ((b2 >> 1) & 1)
    return version, kbps, rate, 1 if (b3 >> 6) == 3 else 2, length, samples


def _probe_mp3(f: BinaryIO, head: bytes, size: int) -> AudioInfo:
    start = 0
    if head[:3] == b"ID3" and len(head) >= 10:
        tag = (
            (head[6] & 0x7F) << 21
            | (head[7] & 0x7F) << 14
            | (head[8] & 0x7F) << 7
            | (head[9] & 0x7F)
        )
        start = 10 + tag + (10 if head[5] & 0x10 else 0)
    f.seek(start)
    buf = f.read(_HEAD * 16)
    # Find the first frame whose successor is also a frame: a lone 0xFFE sync is often noise.
    for i in range(min(len(buf), _HEAD * 8)):
        frame = _frame_at(buf, i)
        if frame is None:
            continue
        nxt = i + frame[4]
        if nxt + 4 <= len(buf) and _frame_at(buf, nxt) is None:
            continue
        break
    else:
        raise AudioProbeError(
            "audio.unrecognized", "ID3 tag without MPEG audio frames" if start else sniff(head)
        )
    version, kbps, rate, channels, length, samples = frame
    audio_bytes = size - _trailing_tags(f, size) - start - i
    side = (32 if channels == 2 else 17) if version == 3 else (17 if channels == 2 else 9)
    xing = buf[i + 4 + side : i + 4 + side + 12]
    vbri = buf[i + 36 : i + 40] == b"VBRI"
    frames: int | None = None
    vbr = estimated = False
    if len(xing) >= 12 and xing[:4] in (b"Xing", b"Info") and xing[7] & 1:
        frames, vbr = struct.unpack(">I", xing[8:12])[0], xing[:4] == b"Xing"
    elif vbri and len(buf) >= i + 54:
        frames, vbr = struct.unpack(">I", buf[i + 50 : i + 54])[0], True
    # A Xing/Info/VBRI frame holds metadata, not audio: counts and bytes are of the frames after it.
    first = i + length if frames or vbri or xing[:4] in (b"Xing", b"Info") else i
    body = audio_bytes - (first - i)
    if frames:
        duration = frames * samples / rate
        audio = _frame_at(buf, first)  # an Info (CBR) frame's own bit rate may not be the audio's
        kbps = audio[1] if audio is not None and not vbr else kbps
        avg = audio_bytes * 8 / duration / 1000 if vbr else float(kbps)
    else:
        seen, walked, clean = _walk(buf, first, min(len(buf), i + audio_bytes))
        vbr = len(seen) > 1
        if clean and i + audio_bytes <= len(buf):  # the whole audio was in the part read
            duration = walked * samples / rate
            audio_bytes = audio_bytes if walked else 0  # not one whole frame: no audio
        else:  # the first frame's bit rate for all: an estimate unless they all share it
            duration, estimated = body * 8 / (kbps * 1000), vbr or not clean
        avg = body * 8 / duration / 1000 if vbr and duration else float(kbps)
    return AudioInfo(
        container="mp3",
        codec="mp3",
        sample_rate=rate,
        channels=channels,
        bits_per_sample=None,
        duration_seconds=duration,
        bitrate_kbps=avg,
        data_bytes=audio_bytes,
        vbr=vbr,
        duration_estimated=estimated,
    )


def _walk(buf: bytes, i: int, end: int) -> tuple[set[int], int, bool]:
    """Walk the frames from ``buf[i]`` to ``end``: their bit rates, how many are whole, and
    False when bytes between them are not frames."""
    seen: set[int] = set()
    count = 0
    while i + 4 <= end:
        frame = _frame_at(buf, i)
        if frame is None:
            return seen, count, False
        if i + frame[4] > end:
            break
        seen.add(frame[1])
        count += 1
        i += frame[4]
    return seen, count, True


def _trailing_tags(f: BinaryIO, size: int) -> int:
    """Bytes of the ID3v1 and APEv2 tags at the end of an MP3 (one read of its last 160 bytes)."""
    f.seek(max(size - 160, 0))
    tail = f.read(160)
    end = len(tail)
    for _ in range(2):
        if end >= 128 and tail[end - 128 : end - 125] == b"TAG":
            end -= 128
        elif end >= 32 and tail[end - 32 : end - 24] == b"APETAGEX":
            tag_size, _, flags = struct.unpack_from("<III", tail, end - 20)
            return len(tail) - end + int(tag_size) + (32 if flags & 0x80000000 else 0)
    return len(tail) - end
