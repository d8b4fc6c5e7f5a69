"""The audio analysis on audio the tests write themselves, with known SNR, clipping, silence, DC.

The signals come from ``tests/datasets/speechlike.py`` (numpy, no product code): the truth is set
by construction, and the analyser must find exactly the problems each file was made with.
"""

from __future__ import annotations

import csv
import io
import json
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from speechflows.datasets.audio_analysis import (
    AUDIO_CHECKS_DEFAULT,
    PROFILES,
    measure_dataset,
    measure_file,
    measure_stream,
)
from speechflows.datasets.audio_report import COLUMNS, analyse
from speechflows.datasets.findings import Severity
from speechflows.datasets.kinds import DataKind
from tests.datasets.speechlike import pcm16, riff_wave, speechlike, wav_bytes, write


@pytest.mark.parametrize("snr", [5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0])
def test_snr_of_generated_speech_is_within_3_db(snr: float) -> None:
    for seed, (seconds, level) in enumerate(((3.0, -26.0), (5.0, -20.0), (8.0, -14.0))):
        s = speechlike(seconds, snr_db=snr, level_dbfs=level, seed=seed + int(snr) * 7)
        m = measure_stream(io.BytesIO(wav_bytes(pcm16(s.samples), rate=s.rate)), "x.wav")
        assert m.snr_db is not None and abs(m.snr_db - snr) <= 3.0, (snr, seed, m)
        assert m.speech_dbfs is not None and abs(m.speech_dbfs - level) <= 1.5, m


def test_silence_and_duration_are_measured_to_a_frame() -> None:
    s = speechlike(5.0, lead_s=0.7, trail_s=1.3, seed=3, snr_db=35)
    m = measure_stream(io.BytesIO(wav_bytes(pcm16(s.samples), rate=s.rate)), "x.wav")
    assert m.duration_s == pytest.approx(len(s.samples) / s.rate, abs=1e-3)
    assert m.leading_silence_s == pytest.approx(0.7, abs=0.04)
    assert m.trailing_silence_s == pytest.approx(1.3, abs=0.04)
    assert not m.starts_with_sound and not m.ends_with_sound


def _problem_set(folder: Path) -> dict[str, set[str]]:
    """Write one file per problem (plus clean ones); the codes each must get."""
    rate = 24000
    clean = [speechlike(4.0, seed=i, snr_db=30 + 5 * i, level_dbfs=-24 + 2 * i) for i in range(4)]
    for i, s in enumerate(clean):
        write(folder / f"clean{i}.wav", s.samples, rate)
    write(folder / "noisy.wav", speechlike(4.0, seed=11, snr_db=12).samples, rate)
    loud = speechlike(4.0, seed=12, level_dbfs=-2.0, snr_db=40)
    write(folder / "clipped.wav", loud.samples, rate)
    write(folder / "quiet.wav", speechlike(4.0, seed=13, level_dbfs=-40.0).samples, rate)
    write(folder / "dc.wav", speechlike(4.0, seed=14).samples + 0.03, rate)
    write(folder / "lead.wav", speechlike(5.0, seed=15, lead_s=1.6).samples, rate)
    write(folder / "trail.wav", speechlike(5.0, seed=16, trail_s=1.6).samples, rate)
    write(folder / "cut.wav", speechlike(4.0, seed=17, lead_s=0.0).samples, rate)
    assert np.mean(np.abs(loud.samples) >= 1.0) > 1e-3  # it does clip once stored
    return {
        **{f"clean{i}.wav": set() for i in range(4)},
        "noisy.wav": {"audio.snr_low"},
        "clipped.wav": {"audio.clipped"},
        "quiet.wav": {"audio.volume_low"},
        "dc.wav": {"audio.dc_offset"},
        "lead.wav": {"audio.long_leading_silence"},
        "trail.wav": {"audio.long_trailing_silence"},
        "cut.wav": {"audio.edge_noise"},
    }


def test_each_problem_is_found_and_nothing_else(tmp_path: Path) -> None:
    expected = _problem_set(tmp_path / "set")
    report = analyse(tmp_path / "set", DataKind.AUDIO_AND_SCRIPT, workers=1)
    found = {r.metrics.file: set(r.codes) for r in report.rows}
    assert found == expected
    assert all(f.severity is Severity.WARNING for f in report.findings)
    assert report.rows[-1].codes == ()  # worst first: the clean ones come last
    dc = next(f for f in report.findings if f.file == "dc.wav")
    assert dc.value == "+3.00 % of full scale" and "highpass" in dc.fix and "dc.wav" in dc.fix


def test_a_clean_set_yields_no_finding_for_any_kind(tmp_path: Path) -> None:
    for i in range(6):
        s = speechlike(3.0 + i, seed=40 + i, snr_db=28 + 4 * i, level_dbfs=-24 + 2 * i)
        write(tmp_path / f"u{i}.wav", s.samples, s.rate)
    for kind in PROFILES:
        report = analyse(tmp_path, kind, workers=1)
        assert len(report.rows) == 6 and report.findings == [], (kind, report.findings)


def test_custom_speech_is_not_judged_on_noise_or_level(tmp_path: Path) -> None:
    write(tmp_path / "noisy.wav", speechlike(4.0, seed=5, snr_db=6, level_dbfs=-40).samples, 24000)
    write(tmp_path / "clip.wav", speechlike(4.0, seed=6, level_dbfs=-2.0).samples, 24000)
    acoustic = {r.metrics.file: set(r.codes) for r in analyse(tmp_path, "Acoustic").rows}
    assert acoustic == {"noisy.wav": set(), "clip.wav": {"audio.clipped"}}
    voice = {r.metrics.file: set(r.codes) for r in analyse(tmp_path, "AudioAndScript").rows}
    assert voice["noisy.wav"] == {"audio.snr_low", "audio.volume_low"}
    assert AUDIO_CHECKS_DEFAULT[DataKind.ACOUSTIC] is False
    assert AUDIO_CHECKS_DEFAULT[DataKind.AUDIO_AND_SCRIPT] is True
    assert AUDIO_CHECKS_DEFAULT[DataKind.PROMPT] is True


def test_never_stricter_than_azure_every_audio_rule_is_a_warning() -> None:
    for kind, profile in PROFILES.items():
        for rule in profile.rules.values():
            assert rule.severity is Severity.WARNING, (kind, rule.code)
            assert "Azure" in rule.rule, (kind, rule.code)  # whose threshold it is, said
    ours = PROFILES[DataKind.AUDIO_AND_SCRIPT].rules["audio.dc_offset"].rule
    assert "our threshold, not Azure's" in ours
    assert "Azure's data report warns below 20 dB" in (
        PROFILES[DataKind.AUDIO_AND_SCRIPT].rules["audio.snr_low"].rule
    )


def _encode(samples: np.ndarray, bits: int, channels: int, tag: int = 1) -> bytes:
    x = np.repeat(samples[:, None], channels, axis=1).reshape(-1)
    if tag == 3:
        return wav_bytes(x.astype("<f4").tobytes(), rate=16000, channels=channels, bits=32, tag=3)
    full = 1 << (bits - 1)
    ints = np.clip(np.round(x * full), -full, full - 1).astype(np.int64)
    if bits == 8:
        data = (ints + 128).astype(np.uint8).tobytes()
    elif bits == 24:
        u = (ints & 0xFFFFFF).astype("<u4").view(np.uint8).reshape(-1, 4)[:, :3]
        data = u.tobytes()
    else:
        data = ints.astype(f"<i{bits // 8}").tobytes()
    return wav_bytes(data, rate=16000, channels=channels, bits=bits)


@pytest.mark.parametrize(
    ("bits", "channels", "tag"),
    [(16, 1, 1), (8, 1, 1), (24, 1, 1), (32, 1, 1), (16, 2, 1), (32, 1, 3)],
)
def test_every_pcm_layout_measures_the_same(bits: int, channels: int, tag: int) -> None:
    s = speechlike(3.0, rate=16000, seed=9, snr_db=25, level_dbfs=-18)
    m = measure_stream(io.BytesIO(_encode(s.samples, bits, channels, tag)), "x.wav")
    assert m.duration_s == pytest.approx(len(s.samples) / 16000, abs=1e-3)
    assert m.snr_db is not None and abs(m.snr_db - 25) <= 3.0
    assert m.peak_dbfs == pytest.approx(20 * np.log10(np.max(np.abs(s.samples))), abs=0.3)


def test_undecodable_audio_is_a_row_with_a_reason_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "a.mp3").write_bytes(b"ID3" + bytes(100))
    (tmp_path / "b.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    alaw = wav_bytes(bytes(16000), rate=8000, bits=8, tag=6)
    (tmp_path / "c.wav").write_bytes(alaw)
    (tmp_path / "d.wav").write_bytes(b"")
    truncated = wav_bytes(pcm16(speechlike(2.0, seed=1).samples), rate=24000)
    (tmp_path / "e.wav").write_bytes(truncated[: len(truncated) // 2])  # header claims more
    notes = {r.metrics.file: r.metrics.note for r in analyse(tmp_path, "AudioOnly").rows}
    assert notes["a.mp3"].startswith("mp3 is not decoded")
    assert notes["b.wav"] == "no data chunk"
    assert "0x0006" in notes["c.wav"]
    assert "RIFF/WAVE" in notes["d.wav"]
    assert notes["e.wav"] == ""  # measured as far as it goes
    e = measure_file(tmp_path / "e.wav")
    assert 0.9 < e.duration_s < 1.1


def test_report_files_carry_the_script_text_worst_first(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write(data / "0000000001.wav", speechlike(3.0, seed=1).samples, 24000)
    write(data / "0000000002.wav", speechlike(3.0, seed=2, snr_db=8).samples, 24000)
    (data / "script.txt").write_bytes(
        "\ufeff0000000001\tHello there.\r\n0000000002\tA noisy one!\r\n".encode()
    )
    report = analyse(data, "AudioAndScript")
    csv_path, json_path = report.write(tmp_path / "out")
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == COLUMNS
    assert [(r["file"], r["text"], r["findings"]) for r in rows] == [
        ("0000000002.wav", "A noisy one!", "audio.snr_low"),
        ("0000000001.wav", "Hello there.", ""),
    ]
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    assert doc["files"] == 2 and doc["counts_by_code"] == {"audio.snr_low": 1}
    assert set(doc["snr_db"]) == {"median", "p5", "p95"}
    assert doc["findings"][0]["file"] == "0000000002.wav"
    md = report.to_markdown()
    assert "| SNR (dB) |" in md and "median" in md and "Worst 1:" in md and "A noisy one!" in md


def test_zip_and_process_pool_give_the_same_rows_as_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    for i in range(40):
        s = speechlike(1.5, seed=i, snr_db=10 + i, lead_s=0.1 + 0.05 * (i % 3))
        write(folder / f"u{i:02d}.wav", s.samples, s.rate)
    names = sorted(p.name for p in folder.iterdir())
    one = measure_dataset(folder, names, workers=1)
    pooled = measure_dataset(folder, names, workers=2)
    assert pooled == one
    zipped = tmp_path / "f.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as z:
        for n in names:
            z.write(folder / n, f"inner/{n}")
    from_zip = measure_dataset(zipped, [f"inner/{n}" for n in names], workers=1)
    assert [m.snr_db for m in from_zip] == [m.snr_db for m in one]
    assert [m.leading_silence_s for m in from_zip] == [m.leading_silence_s for m in one]


def test_wav_with_extra_chunks_and_extensible_format_is_read(tmp_path: Path) -> None:
    s = speechlike(2.0, seed=4, snr_db=30)
    data = pcm16(s.samples)
    fmt = (
        struct.pack("<HHIIHHHHI", 0xFFFE, 1, 24000, 48000, 2, 16, 22, 16, 4)
        + struct.pack("<H", 1)
        + bytes.fromhex("000000001000800000aa00389b71")
    )
    path = tmp_path / "x.wav"
    path.write_bytes(riff_wave(fmt, data, chunks=b"LIST" + struct.pack("<I", 5) + b"hello\x00"))
    m = measure_file(path)
    assert m.analysed and m.snr_db is not None and abs(m.snr_db - 30) <= 3


def test_a_dc_offset_does_not_hide_a_quiet_noise_floor() -> None:
    s = speechlike(4.0, seed=21, snr_db=55, level_dbfs=-30)
    m = measure_stream(io.BytesIO(wav_bytes(pcm16(s.samples - 0.2), rate=s.rate)), "x.wav")
    assert m.dc_offset == pytest.approx(-0.2, abs=1e-3)
    assert m.snr_db is not None and abs(m.snr_db - 55) <= 3.0, m


def test_every_audio_fix_pastes_as_is() -> None:
    from speechflows.datasets.findings import fill_fix

    commands = 0
    for kind, profile in PROFILES.items():
        for rule in profile.rules.values():
            fix = fill_fix(rule.fix, "my takes/take 1.wav")
            assert "{" not in fix and "my takes/take 1.wav" in fix, (kind, rule.code, fix)
            if "sox " in fix:
                commands += 1
                assert "mkdir -p 'fixed/my takes' && sox 'my takes/take 1.wav' " in fix
                assert not fix.rstrip().endswith((".", ")")), (kind, rule.code, fix)
    assert commands >= 10


def _codes_of(folder: Path, kind: DataKind) -> dict[str, set[str]]:
    return {r.metrics.file: set(r.codes) for r in analyse(folder, kind, workers=1).rows}


def test_clipping_threshold_is_a_hundredth_of_a_percent(tmp_path: Path) -> None:
    """Ledger "Audio analysis": over 0.01 % of samples at full scale warns; the share is pinned
    at its boundary (19 full-scale samples ≈ 0.021 % warns, 5 ≈ 0.006 % does not)."""
    s = speechlike(4.0, seed=21, snr_db=35, level_dbfs=-20.0)
    for name, count in (("over.wav", 19), ("under.wav", 5)):
        samples = s.samples.copy()
        samples[1000 : 1000 + count * 97 : 97] = 1.0
        write(tmp_path / name, samples, s.rate)
    assert 0.0001 < 19 / len(s.samples) < 0.0005 and 5 / len(s.samples) < 0.0001
    found = _codes_of(tmp_path, DataKind.AUDIO_AND_SCRIPT)
    assert "audio.clipped" in found["over.wav"]
    assert "audio.clipped" not in found["under.wav"]


@pytest.mark.parametrize(
    ("kind", "limit"),
    [(DataKind.AUDIO_AND_SCRIPT, 1.0), (DataKind.LONG_AUDIO, 5.0), (DataKind.PROMPT, 2.0)],
)
def test_silence_thresholds_at_their_boundaries(
    tmp_path: Path, kind: DataKind, limit: float
) -> None:
    """Ledger "Audio analysis": leading/trailing silence warns over 1 s (AudioAndScript), 5 s
    (LongAudio) and 2 s (Prompt): 0.3 s over the limit warns, 0.3 s under does not."""
    seconds = 2 * limit + 4.0
    over = speechlike(seconds, seed=31, snr_db=35, lead_s=limit + 0.3, trail_s=limit + 0.3)
    under = speechlike(seconds, seed=32, snr_db=35, lead_s=limit - 0.3, trail_s=limit - 0.3)
    write(tmp_path / "over.wav", over.samples, over.rate)
    write(tmp_path / "under.wav", under.samples, under.rate)
    found = _codes_of(tmp_path, kind)
    assert {"audio.long_leading_silence", "audio.long_trailing_silence"} <= found["over.wav"]
    assert not {"audio.long_leading_silence", "audio.long_trailing_silence"} & found["under.wav"]
