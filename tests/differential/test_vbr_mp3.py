"""MP3 duration and bit rate, read by the emulator's decoder model and by the product's probe.

The service decodes the audio: the emulator walks every frame header (``media.py``), the product
reads the first 64 KiB after the tags and the last 160 bytes. Where a Xing/Info/VBRI frame count
is there the two agree to the frame; where it is not and the bit rate varies, the product cannot
know the duration and says so with a warning, never an error the service would not give. The
files are written frame by frame here (``build.vbr_mp3``), not by either reading.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import speechflows.datasets.audio_checks as product_checks
from speechflows.datasets.audio import probe_stream
from speechflows.emulator.core.media import read_media
from tests.differential.build import Frames, mp3, vbr_mp3
from tests.differential.compare import compare

# (version, sample rate, bit rates cycled frame by frame): MPEG-1 and MPEG-2, low and high rates.
STREAMS = [
    (3, 44100, [32, 128, 320, 64]),
    (3, 48000, [256, 320]),
    (3, 32000, [96, 160, 40]),
    (2, 22050, [8, 64, 160, 32]),
    (2, 16000, [24, 144]),
    (2, 24000, [80, 8]),
]


def _seconds(version: int, rate: int, frames: int) -> float:
    return frames * (1152 if version == 3 else 576) / rate


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("header", ["Xing", "VBRI", ""])
@pytest.mark.parametrize(("version", "rate", "rates"), STREAMS)
def test_the_emulator_counts_every_frame_as_a_decoder_does(
    version: int, rate: int, rates: list[int], header: str, channels: int
) -> None:
    """Duration = audio frames × samples per frame / rate, whatever the header says or lacks:
    ID3v2 in front (with a footer), ID3v1 and APEv2 behind, bytes between frames that are no
    frame, a cut last frame and the Xing/VBRI frame itself are not audio."""
    frames = round(12.0 * rate / (1152 if version == 3 else 576))
    plain = vbr_mp3(version=version, rate=rate, channels=channels, seconds=12.0, rates=rates,
                    header=header)  # fmt: skip
    messy = vbr_mp3(version=version, rate=rate, channels=channels, seconds=12.0, rates=rates,
                    header=header, id3="v2-footer", tail="ape+id3v1", garbage=True,
                    cut=True)  # fmt: skip
    for data in (plain, messy):
        m = read_media(data, len(data))
        assert m.problem is None and m.container == "mp3"
        assert (m.sample_rate, m.channels) == (rate, channels)
        assert m.seconds == _seconds(version, rate, frames)
        average = m.data_bytes * 8 / m.seconds / 1000
        assert m.kbps == round(average) and min(rates) < m.kbps < max(rates)


def test_the_emulator_reads_a_constant_rate_stream_at_its_own_bit_rate() -> None:
    data = mp3(kbps=128, rate=44100, seconds=6.0, id3=True, info=True, channels=2)
    m = read_media(data, len(data))
    assert (m.kbps, m.seconds, m.channels) == (128, _seconds(3, 44100, 230), 2)


def test_the_emulator_finds_no_audio_in_tags_garbage_or_one_cut_frame() -> None:
    whole = Frames(rate=44100).frame(128)
    for data in (b"ID3\x04\x00\x00\x00\x00\x00\x0a" + bytes(10) + b"\x00JUNK" * 50,
                 whole[:200]):  # fmt: skip
        m = read_media(data, len(data))
        assert m.problem is not None or m.data_bytes == 0


@pytest.mark.parametrize("header", ["Xing", "VBRI"])
@pytest.mark.parametrize(("version", "rate", "rates"), STREAMS)
def test_the_product_reads_the_frame_count_of_a_xing_or_vbri_frame(
    version: int, rate: int, rates: list[int], header: str
) -> None:
    """With a frame count the product's duration is the decoder's, to the frame, and it knows
    the file is VBR (its bit rate an average)."""
    data = vbr_mp3(version=version, rate=rate, channels=2, seconds=40.0, rates=rates,
                   header=header, id3="v2", tail="ape+id3v1", garbage=True)  # fmt: skip
    info = probe_stream(io.BytesIO(data), len(data))
    assert info.duration_seconds == read_media(data, len(data)).seconds
    assert info.vbr and not info.duration_estimated


def test_the_product_walks_a_short_header_less_file_whole() -> None:
    """A file whose audio fits in the part the product reads is counted frame by frame: exact,
    even without a header and with a cut last frame."""
    data = vbr_mp3(version=3, rate=44100, channels=1, seconds=2.0, rates=[32, 64], cut=True,
                   tail="id3v1")  # fmt: skip
    info = probe_stream(io.BytesIO(data), len(data))
    assert info.duration_seconds == read_media(data, len(data)).seconds
    assert info.vbr and not info.duration_estimated


def _long_audio(tmp_path: Path, data: bytes) -> tuple[list[tuple[str, str]], object]:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    (folder / "talk.mp3").write_bytes(data)
    (folder / "talk.txt").write_text("Hello there, this is a long recording.", encoding="utf-8")
    verdicts = compare(folder, "LongAudio", "en-US", tmp_path)
    return [(f.code, f.severity.value) for f in verdicts.product], verdicts


def test_a_header_less_vbr_mp3_is_a_warning_not_an_error(tmp_path: Path) -> None:
    """No frame count, bit rates varying: the first frame's rate (320 kbps) makes 22 s of audio
    look like 18.7 s, too short for LongAudio. The service decodes 22 s and takes it; the product
    says the duration and bit rate are estimates (a warning), and errs on nothing."""
    data = vbr_mp3(version=3, rate=48000, channels=2, seconds=22.0, rates=[320, 256, 256, 256])
    info = probe_stream(io.BytesIO(data), len(data))
    assert info.duration_estimated and info.vbr and info.duration_seconds < 20.0
    findings, verdicts = _long_audio(tmp_path, data)
    assert "talk.mp3" in verdicts.emulator.accepted_files
    assert abs(verdicts.emulator.seconds - 22.0) < 0.03
    assert ("audio.mp3_estimated", "warning") in findings
    assert not [f for f in findings if f[1] == "error"], findings
    assert verdicts.breaches == []


def test_a_header_less_vbr_mp3_the_service_rejects_is_flagged(tmp_path: Path) -> None:
    """The other way round: 18 s decoded, estimated at 20.7 s from a 256 kbps first frame. The
    emulator rejects it (LongAudio is longer than 20 s); the product flags the file (the
    estimate warning names the uncertainty) although its estimate breaks no rule."""
    data = vbr_mp3(version=3, rate=48000, channels=2, seconds=18.0, rates=[256, 320, 320, 320])
    findings, verdicts = _long_audio(tmp_path, data)
    assert verdicts.emulator.rejected_files == ["talk.mp3"]
    assert findings == [("audio.mp3_estimated", "warning")]
    assert verdicts.breaches == []


def test_a_header_less_vbr_mp3_is_not_refused_for_its_first_frame_bit_rate(
    tmp_path: Path,
) -> None:
    """A 128 kbps first frame in a stream of 272 kbps on average: the service takes it for
    LongAudio (at least 256 kbps); the product, seeing only varying frames, warns."""
    data = vbr_mp3(version=3, rate=44100, channels=2, seconds=25.0, rates=[128, 320, 320, 320])
    findings, verdicts = _long_audio(tmp_path, data)
    assert "talk.mp3" in verdicts.emulator.accepted_files
    assert findings == [("audio.mp3_estimated", "warning")]
    assert verdicts.breaches == []


def test_the_comparison_catches_a_product_that_trusts_its_estimate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The invariant can fail here: a product taking its constant-bit-rate estimate of a
    header-less VBR file at its word refuses audio the service takes."""
    monkeypatch.setattr(product_checks, "_unsure_mp3", lambda info, spec, codes: codes)
    data = vbr_mp3(version=3, rate=48000, channels=2, seconds=22.0, rates=[320, 256, 256, 256])
    findings, verdicts = _long_audio(tmp_path, data)
    assert ("audio.too_short", "error") in findings
    assert "product error audio.too_short on talk.mp3, which the emulator accepts" in (
        verdicts.breaches
    )


def test_a_header_less_stream_steady_for_its_first_64_kib_is_read_as_cbr() -> None:
    """The residual (docs/azure-behaviour.md, "MP3 duration"): without a frame count the product
    sees only its first 64 KiB; a stream that keeps one bit rate there and varies later is read
    as constant-bit-rate, an estimate the decoder does not share."""
    steady = vbr_mp3(version=3, rate=48000, channels=1, seconds=4.0, rates=[160])
    later = vbr_mp3(version=3, rate=48000, channels=1, seconds=26.0, rates=[320])
    data = steady + later
    assert len(steady) > 64 * 1024
    info = probe_stream(io.BytesIO(data), len(data))
    decoded = read_media(data, len(data)).seconds
    assert not info.duration_estimated and not info.vbr
    assert info.duration_seconds == pytest.approx(len(data) * 8 / 160_000)
    assert abs(decoded - 30.0) < 0.03 and info.duration_seconds > decoded + 10
