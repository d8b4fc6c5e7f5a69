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


# MPEG audio Layer III (ISO/IEC 11172-3, 13818-3): bit rates (kbps) by index, sample rates by
# version, samples per frame. Version bits: 3 = MPEG-1, 2 = MPEG-2.
KBPS = {
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000)}
_SAMPLES = {3: 1152, 2: 576}
_KBPS_INDEX = {k: KBPS[3].index(k) for k in (32, 64, 96, 128, 160, 192, 224, 256, 320)}
_RATE_INDEX = {44100: 0, 48000: 1, 32000: 2}


class Frames:
    """MPEG Layer III frames of one version, rate and channel mode, padded as an encoder pads
    them (a frame gets its padding byte when the bytes written fall behind the bit rate), so
    that n frames hold n × samples / rate seconds whatever the bit rates."""

    def __init__(self, *, version: int = 3, rate: int = 44100, channels: int = 1) -> None:
        self.version, self.rate, self.channels = version, rate, channels
        self.samples = _SAMPLES[version]
        self._rest = 0

    def frame(self, kbps: int, body: bytes = b"") -> bytes:
        """One frame at ``kbps``: header, ``body`` (a Xing/VBRI tag) and a zero payload."""
        whole, rest = divmod(self.samples // 8 * kbps * 1000, self.rate)
        self._rest += rest
        pad = self._rest >= self.rate
        self._rest -= self.rate if pad else 0
        b1 = 0xE0 | self.version << 3 | 1 << 1 | 1  # sync, version, layer III, no CRC
        b2 = KBPS[self.version].index(kbps) << 4 | RATES[self.version].index(self.rate) << 2
        b3 = 0xC0 if self.channels == 1 else 0x00
        header = bytes([0xFF, b1, b2 | pad << 1, b3])
        length = whole + pad
        frame = header + body
        assert len(frame) <= length, (kbps, len(frame), length)
        return frame + bytes(length - len(frame))

    @property
    def side(self) -> int:
        """Bytes of side information after the header (where a Xing tag starts)."""
        if self.version == 3:
            return 32 if self.channels == 2 else 17
        return 17 if self.channels == 2 else 9

    def tag_frame(self, kind: str, count: int, audio_bytes: int, kbps: int = 0) -> bytes:
        """A Xing (VBR), Info (CBR) or VBRI frame announcing ``count`` audio frames after it, at
        ``kbps`` (LAME: the stream's, for CBR) or the lowest bit rate whose frame holds it."""
        if kind == "VBRI":
            body = bytes(32) + b"VBRI" + struct.pack(">HHHII", 1, 0, 75, audio_bytes, count)
        else:
            body = bytes(self.side) + kind.encode() + struct.pack(">III", 3, count, audio_bytes)
        for rate in (kbps,) if kbps else KBPS[self.version][1:]:
            if self.samples // 8 * rate * 1000 // self.rate >= len(body) + 4:
                return self.frame(rate, body)
        raise AssertionError("no bit rate holds the tag")


def id3v2(*, footer: bool = False, size: int = 10) -> bytes:
    """An ID3v2.4 tag of ``size`` zero bytes (a syncsafe size), with a footer when flagged."""
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    flags = 0x10 if footer else 0
    return (
        b"ID3\x04\x00"
        + bytes([flags])
        + syncsafe
        + bytes(size)
        + (b"3DI\x04\x00" + bytes([flags]) + syncsafe if footer else b"")
    )


ID3V1 = b"TAG" + b"title".ljust(30, b"\x00") + bytes(95)


def ape_tag(*, header: bool = True) -> bytes:
    """An APEv2 tag with one item (footer always, header when flagged)."""
    items = struct.pack("<II", 5, 0) + b"Title\x00" + b"hello"
    flags = 0x80000000 if header else 0
    footer = b"APETAGEX" + struct.pack("<IIII", 2000, len(items) + 32, 1, flags) + bytes(8)
    head = b"APETAGEX" + struct.pack("<IIII", 2000, len(items) + 32, 1, flags | 0x20000000)
    return (head + bytes(8) if header else b"") + items + footer


def mp3(
    *,
    kbps: int,
    rate: int,
    seconds: float,
    id3: bool = False,
    frames_off: int = 0,
    channels: int = 1,
    info: bool = False,
) -> bytes:
    """Constant-bit-rate MPEG-1 Layer III: the whole frames ``seconds`` holds (plus
    ``frames_off``: a limit ± one frame), padded as an encoder pads them, so that bytes × 8 / bit
    rate and frames × 1152 / rate agree; optionally after an ID3v2 tag and a LAME Info frame."""
    enc = Frames(rate=rate, channels=channels)
    count = max(round(seconds * rate / 1152) + frames_off, 1)
    body = b"".join(enc.frame(kbps) for _ in range(count))
    tag = id3v2() if id3 else b""
    if info:
        tag += Frames(rate=rate, channels=channels).tag_frame("Info", count, len(body), kbps)
    return tag + body


def vbr_mp3(
    *,
    version: int,
    rate: int,
    channels: int,
    seconds: float,
    rates: list[int],
    header: str = "",
    frames_off: int = 0,
    id3: str = "",
    tail: str = "",
    garbage: bool = False,
    cut: bool = False,
) -> bytes:
    """Variable-bit-rate Layer III: frame k at bit rate ``rates[k % len(rates)]``.

    ``header``: "Xing" or "VBRI" frame count first (or none); ``id3``: "", "v2" or "v2-footer"
    in front; ``tail``: "", "id3v1", "ape", "ape+id3v1" behind; ``garbage``: bytes that are
    no frame after the third frame; ``cut``: half a frame more at the end (not decoded)."""
    enc = Frames(version=version, rate=rate, channels=channels)
    count = max(round(seconds * rate / enc.samples) + frames_off, 1)
    frames = [enc.frame(rates[k % len(rates)]) for k in range(count)]
    if garbage:
        frames.insert(min(3, len(frames)), b"\x00JUNK\x01" * 5)
    body = b"".join(frames)
    if cut:
        last = enc.frame(rates[0])
        body += last[: len(last) // 2]
    front = {"": b"", "v2": id3v2(size=300), "v2-footer": id3v2(footer=True, size=40)}[id3]
    if header:
        front += Frames(version=version, rate=rate, channels=channels).tag_frame(
            header, count, len(body)
        )
    back = {"": b"", "id3v1": ID3V1, "ape": ape_tag(), "ape+id3v1": ape_tag() + ID3V1}[tail]
    return front + body + back


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
def vbr_files(
    draw: st.DrawFn, seconds: st.SearchStrategy[float], kbps: tuple[int, ...] = ()
) -> tuple[str, bytes]:
    """(".mp3", bytes) of variable bit rate: MPEG-1 or MPEG-2, mono or stereo, with a Xing or
    VBRI frame count or none, ID3v2 tags in front (with a footer or not), ID3v1/APEv2 tags behind,
    some with bytes between frames that are no frame or a cut last frame. ``kbps``: the MPEG-1
    bit rates drawn (a kind's own; all of them when empty)."""
    version = draw(st.sampled_from([3, 3, 2]))
    rate = draw(st.sampled_from(RATES[version]))
    pool = kbps if kbps and version == 3 else KBPS[version][1:]
    rates = draw(st.lists(st.sampled_from(pool), min_size=2, max_size=5))
    header = draw(st.sampled_from(["Xing", "Xing", "VBRI", ""]))
    secs = min(draw(seconds), MAX_AUDIO_BYTES * 8 / (max(rates) * 1000))
    varies = len(set(rates)) > 1
    data = vbr_mp3(
        version=version,
        rate=rate,
        channels=draw(st.sampled_from([1, 2])),
        seconds=secs,
        rates=rates,
        header=header,
        frames_off=draw(FRAMES_OFF),
        id3=draw(st.sampled_from(["", "v2", "v2-footer"])),
        tail=draw(st.sampled_from(["", "", "id3v1", "ape", "ape+id3v1"])),
        garbage=draw(st.sampled_from([False, False, False, True])),
        # A constant-rate stream without a count, cut at its end, is a CBR reading's residual
        # (docs/azure-behaviour.md, "MP3 duration"): not drawn.
        cut=(bool(header) or varies) and draw(st.sampled_from([False, False, True])),
    )
    return ".mp3", data


@st.composite
def good_audio(
    draw: st.DrawFn, formats: Formats, seconds: st.SearchStrategy[float]
) -> tuple[str, bytes]:
    """(extension, bytes) in a format the kind takes, at a duration from ``seconds`` (± one
    sample frame, or one MP3 frame); MP3 constant or variable in bit rate."""
    if formats.mp3_kbps and draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            return draw(vbr_files(seconds, formats.mp3_kbps))
        kbps = draw(st.sampled_from(formats.mp3_kbps))
        rate = draw(st.sampled_from([44100, 48000]))
        secs = min(draw(seconds), MAX_AUDIO_BYTES * 8 / (kbps * 1000))
        return ".mp3", mp3(kbps=kbps, rate=rate, seconds=secs, id3=draw(st.booleans()),
                           frames_off=draw(FRAMES_OFF), channels=draw(st.sampled_from([1, 2])),
                           info=draw(st.booleans()))  # fmt: skip
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
    of any format, some MP3 (constant and variable bit rate), some not audio at all."""
    if formats is not None and draw(st.booleans()):
        return draw(good_audio(formats, seconds))
    pick = draw(st.sampled_from(["wav"] * 6 + ["mp3", "mp3", "vbr", "junk"]))
    if pick == "wav":
        return ".wav", draw(wav_files(seconds))[0]
    if pick == "vbr":
        return draw(vbr_files(seconds))
    if pick == "mp3":
        kbps = draw(st.sampled_from(sorted(_KBPS_INDEX)))
        rate = draw(st.sampled_from(sorted(_RATE_INDEX)))
        secs = min(draw(seconds), MAX_AUDIO_BYTES * 8 / (kbps * 1000))
        return ".mp3", mp3(kbps=kbps, rate=rate, seconds=secs, id3=draw(st.booleans()),
                           frames_off=draw(FRAMES_OFF), channels=draw(st.sampled_from([1, 2])),
                           info=draw(st.booleans()))  # fmt: skip
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
