"""probe_audio / probe_stream: RIFF chunk walking, MP3 frames, and garbage as errors."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from speechflows.datasets import AudioProbeError, probe_audio
from speechflows.datasets.audio import probe_stream
from speechflows.datasets.synth import wav_header, write_mp3, write_wav


def _chunk(cid: bytes, body: bytes) -> bytes:
    return cid + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")


def _fmt(rate: int = 16000, channels: int = 1, bits: int = 16, tag: int = 1) -> bytes:
    block = channels * bits // 8
    return _chunk(b"fmt ", struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits))


def _riff(*chunks: bytes) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _probe(data: bytes):  # type: ignore[no-untyped-def]
    return probe_stream(io.BytesIO(data), len(data))


def test_pcm_wav_fields(tmp_path: Path) -> None:
    info = probe_audio(write_wav(tmp_path / "a.wav", 1.5, rate=24000, bits=16))
    assert (info.container, info.codec, info.sample_rate, info.channels) == ("wav", "pcm", 24000, 1)
    assert info.bits_per_sample == 16 and info.duration_seconds == pytest.approx(1.5)
    assert info.bitrate_kbps == 384 and not info.truncated


@pytest.mark.parametrize(("tag", "codec"), [(1, "pcm"), (3, "ieee_float")])
def test_wave_format_extensible_reads_the_subformat(tmp_path: Path, tag: int, codec: str) -> None:
    bits = 24 if tag == 1 else 32
    info = probe_audio(
        write_wav(tmp_path / "x.wav", 0.5, rate=48000, bits=bits, tag=tag, extensible=True)
    )
    assert (info.codec, info.bits_per_sample, info.sample_rate) == (codec, bits, 48000)


def test_odd_sized_chunks_are_padded_and_large_chunks_skipped() -> None:
    data = _riff(
        _chunk(b"LIST", b"INFOx"),
        _chunk(b"JUNK", bytes(9000)),
        _fmt(),
        _chunk(b"data", bytes(32000)),
    )
    info = _probe(data)
    assert info.duration_seconds == pytest.approx(1.0) and info.sample_rate == 16000


def test_data_chunk_before_fmt() -> None:
    info = _probe(_riff(_chunk(b"data", bytes(16000)), _fmt(rate=8000)))
    assert info.sample_rate == 8000 and info.duration_seconds == pytest.approx(1.0)


def test_data_larger_than_file_is_truncated() -> None:
    data = _riff(_fmt(), b"data" + struct.pack("<I", 64000) + bytes(1000))
    info = _probe(data)
    assert info.truncated and info.duration_seconds == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("data", "code", "value"),
    [
        (b"", "file.empty", "0 bytes"),
        (b"hello, this is text\n", "audio.unrecognized", "text"),
        (b"PK\x03\x04" + bytes(40), "audio.unrecognized", "a ZIP archive"),
        (b"fLaC" + bytes(40), "audio.unrecognized", "FLAC audio"),
        (b"RIFF\x10\x00\x00\x00AVI LIST", "audio.unrecognized", "RIFF 'AVI ', not WAVE"),
        (_riff(_chunk(b"data", bytes(10))), "audio.malformed", "no fmt chunk"),
        (_riff(_fmt()), "audio.malformed", "no data chunk"),
        (
            _riff(_chunk(b"fmt ", bytes(8)), _chunk(b"data", b"")),
            "audio.malformed",
            "fmt chunk of 8 bytes",
        ),
        (
            _riff(_fmt(), b"data\xff\xff\xff\xff"),
            "audio.malformed",
            "data size unset (streamed WAV)",
        ),
        (
            _riff(_fmt(rate=0), _chunk(b"data", b"")),
            "audio.malformed",
            "fmt says 1 channels, 0 Hz, block 2",
        ),
        (
            _riff(b"LIST" + struct.pack("<I", 5000) + bytes(10)),
            "audio.truncated",
            "b'LIST' chunk runs past the end",
        ),
        (
            b"ID3\x04\x00\x00\x00\x00\x00\x02" + b"ab" + b"no frames here",
            "audio.unrecognized",
            "ID3 tag without MPEG audio frames",
        ),
    ],
)
def test_garbage_raises_a_probe_error_with_a_code(data: bytes, code: str, value: str) -> None:
    with pytest.raises(AudioProbeError) as err:
        _probe(data)
    assert (err.value.code, err.value.value) == (code, value)


def test_mp3_with_id3_tag(tmp_path: Path) -> None:
    info = probe_audio(write_mp3(tmp_path / "a.mp3", 6.0, kbps=192))
    assert (info.container, info.codec, info.sample_rate, info.channels) == ("mp3", "mp3", 48000, 1)
    assert info.bitrate_kbps == 192 and info.duration_seconds == pytest.approx(6.0, abs=0.05)
    assert info.bits_per_sample is None


def test_mp3_without_tag_stereo(tmp_path: Path) -> None:
    info = probe_audio(
        write_mp3(tmp_path / "a.mp3", 3.0, kbps=128, rate=32000, mono=False, id3=False)
    )
    assert (info.sample_rate, info.channels, info.bitrate_kbps) == (32000, 2, 128)


def test_mpeg2_layer3_frames() -> None:
    # MPEG-2 layer III, 64 kbps, 24 kHz, mono: 576 samples, 72 * 64000 / 24000 = 192 bytes a frame.
    frame = bytes((0xFF, 0xF3, 0x84, 0xC0)) + bytes(188)
    info = _probe(frame * 125)
    assert (info.sample_rate, info.bitrate_kbps) == (24000, 64)
    assert info.duration_seconds == pytest.approx(3.0)


def test_mp3_xing_header_gives_vbr_duration_and_average_bitrate() -> None:
    frame_len = 144 * 128000 // 48000  # 384
    xing = b"Xing" + struct.pack(">II", 0x3, 500)  # flags: frames + bytes; 500 frames
    first = bytes((0xFF, 0xFB, 0x94, 0xC0)) + bytes(17) + xing
    first += bytes(frame_len - len(first))
    other = bytes((0xFF, 0xFB, 0x94, 0xC0)) + bytes(frame_len - 4)
    info = _probe(first + other * 249)  # only 250 frames present: the header says 500
    assert info.duration_seconds == pytest.approx(500 * 1152 / 48000)
    assert info.bitrate_kbps == pytest.approx(250 * 384 * 8 / (500 * 1152 / 48000) / 1000)


def test_lone_sync_word_in_garbage_is_not_mp3() -> None:
    data = b"\xff\xfb\x94\xc0" + b"\x13" * 2000
    with pytest.raises(AudioProbeError):
        _probe(data)


def test_wav_header_helper_round_trips() -> None:
    data = wav_header(rate=44100, channels=2, bits=24, data_bytes=44100 * 6) + bytes(44100 * 6)
    info = _probe(data)
    assert (info.sample_rate, info.channels, info.bits_per_sample) == (44100, 2, 24)
    assert info.duration_seconds == pytest.approx(1.0)


_VALID = _riff(_fmt(), _chunk(b"data", bytes(64)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=200),
        st.builds(lambda p, b: _VALID[:p] + b, st.integers(0, len(_VALID)), st.binary(max_size=64)),
        st.builds(lambda b: b"ID3" + b, st.binary(max_size=300)),
        st.builds(lambda b: b"\xff\xfb" + b, st.binary(max_size=3000)),
    )
)
def test_never_crashes_on_garbage(data: bytes) -> None:
    try:
        info = _probe(data)
    except AudioProbeError as exc:
        assert exc.code in {
            "file.empty",
            "audio.unrecognized",
            "audio.malformed",
            "audio.truncated",
        }
    else:
        assert info.sample_rate > 0 and info.channels > 0 and info.duration_seconds >= 0
